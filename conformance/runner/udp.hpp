// UDP datagrams as a Transport: one message is one datagram, delimited by the network, so no
// framing is involved. Plain POSIX sockets with poll(): every wait has a deadline.
//
// "Connections" are a convention here. The client side is a connected UDP socket (the kernel
// filters other sources and reports ICMP port-unreachable as a reset). The listening side owns one
// bound socket read by one thread, which sorts datagrams by source address: the first datagram from
// an address makes a new peer that accept() hands out as a Transport; later ones go to that peer's
// queue. Transports of one listener share its socket and answer with sendto. Everything the
// listener holds is bounded: peers (the least recently heard from is evicted to make room), and
// per peer the queued datagrams and bytes (beyond them datagrams are dropped, as a full socket
// buffer would). A flood from many source ports therefore costs at most
// max_peers * queue_bytes of memory and cannot keep a new peer out.
//
// The transport retransmits nothing: loss, duplicates and reordering are the handshake machine's
// business (STT's initiator retransmits on its idle timer, its responder answers duplicates) and
// the scenarios' (a lost target datagram, MutatingTransport, which does those things on purpose).
#pragma once

#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <thread>

#include "conformance/runner/transport.hpp"

namespace shakedown::conformance {

struct UdpLimits {
    // Largest datagram sent, and delivered as a message: 1472 is an Ethernet MTU less the IPv4 and
    // UDP headers. Larger sends are refused; larger receives come as Incoming::Kind::limit.
    std::size_t max_datagram = 1472;
    // Read buffer: a datagram longer than this is still reported with its real size (MSG_TRUNC),
    // its first receive_buffer bytes in `wire`.
    std::size_t receive_buffer = 64 * 1024;
    // Listener: peers known at once, accepted or waiting for accept().
    std::size_t max_peers = 64;
    // Listener: datagrams and bytes queued for one peer not yet read.
    std::size_t queue_datagrams = 32;
    std::size_t queue_bytes = 128 * 1024;
    // Listener: an address still waiting for accept() when another new one came this long after
    // it is dropped by accept() (its sender timed out and started over from another port; its
    // first datagram answered now would reach nobody). Zero: never.
    Millis superseded_after{1000};
};

// A Transport over datagrams, to one remote address.
class DatagramTransport : public Transport {
public:
    [[nodiscard]] bool reports_peer_close() const override { return false; }
    [[nodiscard]] virtual Endpoint remote() const = 0;
    // The local address datagrams are sent from.
    [[nodiscard]] virtual Endpoint local() const = 0;
    // Sends over this many bytes are refused (std::errc::message_size).
    [[nodiscard]] virtual std::size_t max_datagram() const = 0;
};

// What a listener holds, for tests and reports of floods.
struct UdpListenerStats {
    std::size_t datagrams = 0;        // read from the socket
    std::size_t peers = 0;            // known now
    std::size_t peers_high = 0;       // most known at once
    std::size_t peers_seen = 0;       // new source addresses, ever
    std::size_t evicted = 0;          // peers forgotten to make room
    std::size_t superseded = 0;       // waiting peers forgotten because a newer one followed
    std::size_t dropped = 0;          // datagrams dropped because their peer's queue was full
    std::size_t queued_bytes = 0;     // all peers' queues, now
    std::size_t queued_bytes_high = 0;
};

class UdpListener final : public Listener {
public:
    struct Hub;
    // nullptr (with `error`) when the socket cannot be bound.
    [[nodiscard]] static std::unique_ptr<UdpListener> open(const Endpoint& at, UdpLimits limits, std::string& error);
    UdpListener(const UdpListener&) = delete;
    UdpListener& operator=(const UdpListener&) = delete;
    ~UdpListener() override;

    [[nodiscard]] std::uint16_t port() const override;
    // The transport of the next new source address, in arrival order.
    [[nodiscard]] std::unique_ptr<Transport> accept(Deadline deadline, std::string& error) override;
    [[nodiscard]] UdpListenerStats stats() const;

private:
    explicit UdpListener(std::shared_ptr<Hub> hub);
    void read_loop();

    std::shared_ptr<Hub> m_hub;
    std::thread m_reader;
};

class UdpTransportFactory final : public TransportFactory {
public:
    explicit UdpTransportFactory(UdpLimits limits = {}) : m_limits(limits) {}
    [[nodiscard]] std::string name() const override { return "udp"; }
    // A connected UDP socket: nothing goes on the wire until the first send.
    [[nodiscard]] std::unique_ptr<Transport> connect(const Endpoint& to, Deadline deadline,
                                                     std::string& error) const override;
    [[nodiscard]] std::unique_ptr<Listener> listen(const Endpoint& at, std::string& error) const override;
    [[nodiscard]] std::unique_ptr<UdpListener> listen_udp(const Endpoint& at, std::string& error) const {
        return UdpListener::open(at, m_limits, error);
    }
    [[nodiscard]] const UdpLimits& limits() const { return m_limits; }

private:
    UdpLimits m_limits;
};

// What happens to one datagram the runner sends.
struct DatagramMutation {
    enum class Kind : std::uint8_t {
        none,
        drop,           // never sent
        duplicate,      // sent twice in a row
        reorder,        // held, and sent right after the next datagram
        delay,          // sent `delay` later (while the runner sends or receives), others overtake it
        second_source,  // sent from a second socket, bound to another ephemeral port
    };
    Kind kind = Kind::none;
    Millis delay{0};
};
[[nodiscard]] std::string_view to_string(DatagramMutation::Kind k);

// Decides the fate of each datagram sent, by its index (0, 1, ...) and content.
using DatagramMutator = std::function<DatagramMutation(std::size_t index, ByteView datagram)>;
// The `index`-th datagram gets `m`, all others go out untouched.
[[nodiscard]] DatagramMutator mutate_at(std::size_t index, DatagramMutation m);

// A DatagramTransport whose sends go through a DatagramMutator. Receives come from the wrapped
// transport; answers to the second source are read with receive_second_source(). A held
// (reordered) or delayed datagram goes out during later send/receive/flush calls, never on its own
// thread; close() and abort() discard it. In the transcript, what reaches the wire is recorded as
// sent, and every mutation as an event.
class MutatingTransport final : public DatagramTransport {
public:
    MutatingTransport(std::unique_ptr<DatagramTransport> inner, DatagramMutator mutator);
    ~MutatingTransport() override;

    [[nodiscard]] std::error_code send(ByteView bytes, Deadline deadline) override;
    [[nodiscard]] Incoming receive(Deadline deadline) override;
    void shutdown_send() override { m_inner->shutdown_send(); }
    void close() override;
    void abort() override;
    [[nodiscard]] std::size_t bytes_received() const override { return m_inner->bytes_received(); }
    void attach(Transcript* transcript, std::uint8_t index) override;
    [[nodiscard]] Endpoint remote() const override { return m_inner->remote(); }
    [[nodiscard]] Endpoint local() const override { return m_inner->local(); }
    [[nodiscard]] std::size_t max_datagram() const override { return m_inner->max_datagram(); }

    // Sends whatever is held or delayed now, in order.
    [[nodiscard]] std::error_code flush(Deadline deadline);
    // Datagrams held or delayed, not sent yet.
    [[nodiscard]] std::size_t pending() const { return m_delayed.size() + (m_held ? 1 : 0); }
    // The second source's port (0 until it was first used).
    [[nodiscard]] std::uint16_t second_source_port() const;
    // The next datagram the remote sent to the second source.
    [[nodiscard]] Incoming receive_second_source(Deadline deadline);

private:
    std::error_code put(ByteView bytes, Deadline deadline);
    std::error_code put_second(ByteView bytes, Deadline deadline);
    std::error_code send_due(Deadline deadline);
    void note(const std::string& text);

    std::unique_ptr<DatagramTransport> m_inner;
    DatagramMutator m_mutator;
    std::size_t m_index = 0;
    std::optional<Bytes> m_held;
    std::deque<std::pair<Deadline, Bytes>> m_delayed;  // sorted by due time
    int m_second = -1;
    Transcript* m_transcript = nullptr;
    std::uint8_t m_transcript_index = 0;
};

}  // namespace shakedown::conformance
