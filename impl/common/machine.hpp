// The sans-IO handshake machine every variant implements, one object per role and connection.
// Bytes in (receive), transport units out (take_output), no sockets, no clock but the injected
// one, no randomness but the injected Rng. Drivers (the vectors' transcript runner, the fuzz
// state-machine driver, the reference peer's connection loop, the benchmark) are written once
// against this interface.
//
// The caller's loop:
//   start();
//   while next_action() is send or receive:
//       for each unit in take_output(): write it (one stream write, datagram or WebSocket message)
//       wait for input until idle_timeout_ms() passes without traffic
//           input        -> receive(bytes)
//           end of input -> peer_closed()
//           deadline     -> idle_timeout()
//
// A caller that drains machines in a loop may pass an OutputUnits it keeps to drain_output()
// instead of calling take_output(): the units are written into its storage, which is reused from
// one drain to the next, so a steady state allocates nothing per unit.
#pragma once

#include <array>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.hpp"
#include "common/result.hpp"

namespace shakedown {

// The two ends of a handshake. Variants that say client/server or initiator/responder map them
// onto these names in their docs; the one who speaks first is not implied.
enum class Role : std::uint8_t { initiator, acceptor };
[[nodiscard]] std::string_view to_string(Role r) noexcept;
[[nodiscard]] std::optional<Role> role_from_string(std::string_view s) noexcept;
[[nodiscard]] constexpr Role other(Role r) noexcept { return r == Role::initiator ? Role::acceptor : Role::initiator; }

// What the caller does next.
enum class Action : std::uint8_t {
    send,     // take_output() has units to write
    receive,  // waiting for the peer
    done,     // authenticated and nothing left to do in the handshake
    closed,   // the machine closed the connection (closure() says why)
};
[[nodiscard]] std::string_view to_string(Action a) noexcept;

// Why a machine closed, what it said on the way out, and which received unit caused it.
struct Closure {
    Failure failure;
    // The variant's own description of what was sent on the way out (e.g. "ERROR ERR_AUTH"),
    // empty for a silent close.
    std::string sent;
    std::size_t at_message = 0;  // index of the received unit that caused it
    bool by_peer = false;        // the peer closed the transport (Error::peer_closed)
};

// One value the handshake derived, by name, for vectors and reports ("shared_key",
// "mac_key_send", ...). Copies of secrets: callers wipe them with the vector.
struct DerivedKey {
    std::string name;
    Bytes value;
};

// Transport units back to back in one buffer, the first bytes and unit boundaries inline: a machine
// queues its output here, and a caller that keeps one and clears it after writing the units reuses
// its room. Nothing is allocated while the units fit the inline room (or the heap buffer an earlier
// use grew); clear() keeps what was allocated. Units are public wire bytes, never secrets.
class OutputUnits {
public:
    static constexpr std::size_t kInlineBytes = 512;
    static constexpr std::size_t kInlineUnits = 8;

    OutputUnits() = default;
    OutputUnits(const OutputUnits& o) { *this = o; }
    OutputUnits& operator=(const OutputUnits& o);

    // Removes every unit, keeping the room for the next ones.
    void clear() noexcept {
        m_size = 0;
        m_count = 0;
        m_more_ends.clear();
    }
    // Appends a unit of `size` bytes and returns its room for the caller to fill (valid until the
    // next add).
    [[nodiscard]] std::span<std::uint8_t> add(std::size_t size);
    void add(ByteView unit);

    [[nodiscard]] std::size_t size() const noexcept { return m_count; }
    [[nodiscard]] bool empty() const noexcept { return m_count == 0; }
    // Unit i (i < size()), valid until the next add or clear.
    [[nodiscard]] ByteView operator[](std::size_t i) const noexcept {
        const std::size_t begin = i == 0 ? 0 : end_of(i - 1);
        return {data() + begin, end_of(i) - begin};
    }
    // Copies of the units, for take_output().
    [[nodiscard]] std::vector<Bytes> to_vector() const;
    // A machine's output queue handed over: take() returns copies of the units (take_output()),
    // drain_into() appends them to `out` (drain_output()); both then clear this queue, which keeps
    // its room for the next step's output.
    [[nodiscard]] std::vector<Bytes> take();
    void drain_into(OutputUnits& out);

    class const_iterator {
    public:
        using iterator_category = std::forward_iterator_tag;
        using value_type = ByteView;
        using difference_type = std::ptrdiff_t;
        using pointer = void;
        using reference = ByteView;
        const_iterator() = default;
        const_iterator(const OutputUnits* u, std::size_t i) : m_u(u), m_i(i) {}
        ByteView operator*() const noexcept { return (*m_u)[m_i]; }
        const_iterator& operator++() noexcept {
            ++m_i;
            return *this;
        }
        const_iterator operator++(int) noexcept {
            const_iterator old = *this;
            ++m_i;
            return old;
        }
        friend bool operator==(const const_iterator& a, const const_iterator& b) noexcept { return a.m_i == b.m_i; }

    private:
        const OutputUnits* m_u = nullptr;
        std::size_t m_i = 0;
    };
    [[nodiscard]] const_iterator begin() const noexcept { return {this, 0}; }
    [[nodiscard]] const_iterator end() const noexcept { return {this, m_count}; }

private:
    [[nodiscard]] const std::uint8_t* data() const noexcept { return m_heap.empty() ? m_inline.data() : m_heap.data(); }
    [[nodiscard]] std::uint8_t* data() noexcept { return m_heap.empty() ? m_inline.data() : m_heap.data(); }
    [[nodiscard]] std::size_t end_of(std::size_t i) const noexcept {
        return i < kInlineUnits ? m_ends[i] : m_more_ends[i - kInlineUnits];
    }

    // Not zeroed when made: only bytes written by add() are ever read.
    std::array<std::uint8_t, kInlineBytes> m_inline;
    Bytes m_heap;  // the buffer once the units outgrow m_inline (kept by clear())
    std::size_t m_size = 0;
    std::size_t m_count = 0;
    std::array<std::size_t, kInlineUnits> m_ends{};  // where each of the first units ends
    std::vector<std::size_t> m_more_ends;            // and the ends of the others
};

class Machine {
public:
    Machine() = default;
    Machine(const Machine&) = delete;
    Machine& operator=(const Machine&) = delete;
    virtual ~Machine() = default;

    [[nodiscard]] virtual Role role() const noexcept = 0;
    // Queue whatever this role sends first (possibly nothing).
    virtual void start() = 0;
    // One unit from the transport: stream bytes (any chunking), a datagram, or a WebSocket
    // message, as the variant's transport delivers them.
    virtual void receive(ByteView input) = 0;
    // The transport reported end of stream or reset.
    virtual void peer_closed() = 0;
    // No traffic for idle_timeout_ms() while the handshake was not done.
    virtual void idle_timeout() = 0;
    // How long the caller waits for input before calling idle_timeout(); nullopt: no limit.
    [[nodiscard]] virtual std::optional<std::uint32_t> idle_timeout_ms() const = 0;

    [[nodiscard]] virtual Action next_action() const = 0;
    // Units to write, in order; removes them from the queue.
    [[nodiscard]] virtual std::vector<Bytes> take_output() = 0;
    // The same units appended to `out` (which the caller clears once it has written them), and
    // removed from the queue. Machines that queue into an OutputUnits override it to copy their
    // units without allocating.
    virtual void drain_output(OutputUnits& out) {
        for (const Bytes& u : take_output()) {
            out.add(u);
        }
    }

    // True once the handshake completed, even if the connection closed later.
    [[nodiscard]] virtual bool authenticated() const noexcept = 0;
    [[nodiscard]] virtual std::optional<Closure> closure() const = 0;
    // Every key the handshake derived so far, in a stable order.
    [[nodiscard]] virtual std::vector<DerivedKey> derived_keys() const = 0;
    // Bytes of an incomplete unit still buffered (stream variants); 0 otherwise.
    [[nodiscard]] virtual std::size_t pending_bytes() const noexcept { return 0; }
    // The identity the peer proved (node ID, public key), once authenticated; empty if the
    // variant has none. Reported as `HANDSHAKE_OK <hex>` by the reference peer.
    [[nodiscard]] virtual Bytes peer_identity() const { return {}; }
};

}  // namespace shakedown
