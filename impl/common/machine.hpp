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
#pragma once

#include <cstdint>
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
