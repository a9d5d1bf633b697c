// How the runner exchanges messages with a target, independent of any handshake variant.
//
// A Transport moves whole messages: send() puts bytes on the wire exactly as given (scenarios
// build every byte themselves, framing included, so they can get it wrong on purpose), and
// receive() returns the next message as the variant's framing delimits it. A TransportFactory
// makes transports by connecting or listening. Variants pick one:
//   - TCP with a StreamFraming the variant supplies (record marking, a length prefix, ...);
//   - message-oriented transports (WebSocket over Boost.Beast, UDP datagrams) implement Transport
//     and TransportFactory directly: their messages are delimited by the transport itself.
// The runner core and the scenarios see only these interfaces.
//
// Every receive has a deadline and every buffer a bound: a target that hangs, trickles, floods
// or announces a 2 GiB message costs at most `TransportLimits` of memory and the deadline in time.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "common/bytes.hpp"
#include "conformance/runner/net.hpp"
#include "conformance/runner/transcript.hpp"

namespace shakedown::conformance {

struct TransportLimits {
    // Largest message the runner will buffer. Handshake messages are small; a target announcing
    // more is reported (framing error) rather than waited for.
    std::size_t max_message = 64 * 1024;
    // Total bytes accepted on one connection before the runner stops reading.
    std::size_t max_total = 1024 * 1024;
};

struct Incoming {
    enum class Kind : std::uint8_t {
        message,        // `wire` is the whole framed message, `payload` its body
        timeout,        // nothing complete arrived before the deadline
        closed,         // orderly close (EOF); `wire` holds any partial message left over
        reset,          // connection reset
        framing_error,  // the framing cannot be followed (bad header); `detail` says why
        limit,          // the target sent more than TransportLimits allows
    };
    Kind kind = Kind::timeout;
    Bytes wire;
    Bytes payload;
    std::string detail;
};
[[nodiscard]] std::string_view to_string(Incoming::Kind k);

// Delimits messages in a byte stream.
class StreamFraming {
public:
    struct Step {
        enum class Kind : std::uint8_t { need_more, message, error } kind = Kind::need_more;
        std::size_t total = 0;           // message: bytes of the framed message
        std::size_t payload_offset = 0;  // message: where the body starts
        std::size_t payload_size = 0;
        std::string error;
    };
    virtual ~StreamFraming() = default;
    [[nodiscard]] virtual std::string name() const = 0;
    // Looks at the buffered bytes; never consumes them.
    [[nodiscard]] virtual Step step(ByteView buffered, std::size_t max_message) const = 0;
    // The honest framing of one payload (scenarios that want it wrong build the bytes themselves).
    [[nodiscard]] virtual Bytes frame(ByteView payload) const = 0;
};

class Transport {
public:
    virtual ~Transport() = default;
    // Writes the bytes as given (one stream write, one datagram, one WebSocket message).
    [[nodiscard]] virtual std::error_code send(ByteView bytes, Deadline deadline) = 0;
    [[nodiscard]] virtual Incoming receive(Deadline deadline) = 0;
    // Whatever arrived, whole messages or not: for a peer that frames the stream itself (the
    // reference machines), so it judges a header as soon as it arrives. Message transports deliver
    // whole messages, as receive() does.
    [[nodiscard]] virtual Incoming receive_any(Deadline deadline) { return receive(deadline); }
    // Half-close: no more sends, keep receiving.
    virtual void shutdown_send() = 0;
    virtual void close() = 0;
    virtual void abort() = 0;
    [[nodiscard]] virtual std::size_t bytes_received() const = 0;
    // The remote end's address without the port ("127.0.0.2", "::1"), for limits counted per
    // source address; empty when the transport has none to give (such limits then do not apply).
    [[nodiscard]] virtual std::string peer_address() const { return {}; }
    // Whether the peer's leaving is ever seen (closed / reset). Datagram transports have no such
    // signal: a driver that waits for it ends on its own instead (DriveLimits::datagram_linger), and
    // a `limit` there is one oversized datagram, not the end of the exchange.
    [[nodiscard]] virtual bool reports_peer_close() const { return true; }
    // Records every send and every received message in `transcript` as connection `index`.
    virtual void attach(Transcript* transcript, std::uint8_t index) = 0;
};

class Listener {
public:
    virtual ~Listener() = default;
    [[nodiscard]] virtual std::uint16_t port() const = 0;
    [[nodiscard]] virtual std::unique_ptr<Transport> accept(Deadline deadline, std::string& error) = 0;
    // What a peer needs to know about this listener beyond its port (e.g. the pins of a TLS
    // certificate made at run time), as one line of text; empty when nothing.
    [[nodiscard]] virtual std::string describe() const { return {}; }
};

// A listener whose accepted transports go through `wrap` (a layer of a variant or a scenario over
// the transport); its port and description are the inner listener's.
class WrappingListener final : public Listener {
public:
    using Wrap = std::function<std::unique_ptr<Transport>(std::unique_ptr<Transport>)>;
    WrappingListener(std::shared_ptr<Listener> inner, Wrap wrap) : m_inner(std::move(inner)), m_wrap(std::move(wrap)) {}
    [[nodiscard]] std::uint16_t port() const override { return m_inner->port(); }
    [[nodiscard]] std::unique_ptr<Transport> accept(Deadline deadline, std::string& error) override {
        auto t = m_inner->accept(deadline, error);
        return t ? m_wrap(std::move(t)) : nullptr;
    }
    [[nodiscard]] std::string describe() const override { return m_inner->describe(); }

private:
    std::shared_ptr<Listener> m_inner;
    Wrap m_wrap;
};

class TransportFactory {
public:
    virtual ~TransportFactory() = default;
    [[nodiscard]] virtual std::string name() const = 0;
    [[nodiscard]] virtual std::unique_ptr<Transport> connect(const Endpoint& to, Deadline deadline,
                                                             std::string& error) const = 0;
    [[nodiscard]] virtual std::unique_ptr<Listener> listen(const Endpoint& at, std::string& error) const = 0;
};

// A TCP stream delimited by a StreamFraming.
class StreamTransport final : public Transport {
public:
    StreamTransport(std::unique_ptr<TcpStream> stream, std::shared_ptr<const StreamFraming> framing,
                    TransportLimits limits);
    [[nodiscard]] std::error_code send(ByteView bytes, Deadline deadline) override;
    [[nodiscard]] Incoming receive(Deadline deadline) override;
    [[nodiscard]] Incoming receive_any(Deadline deadline) override;
    void shutdown_send() override { m_stream->shutdown_send(); }
    void close() override { m_stream->close(); }
    void abort() override { m_stream->abort(); }
    [[nodiscard]] std::size_t bytes_received() const override { return m_total; }
    [[nodiscard]] std::string peer_address() const override { return m_peer_address; }
    void attach(Transcript* transcript, std::uint8_t index) override {
        m_transcript = transcript;
        m_index = index;
    }

private:
    Incoming finish(Incoming::Kind kind, std::string detail);

    std::unique_ptr<TcpStream> m_stream;
    std::shared_ptr<const StreamFraming> m_framing;
    TransportLimits m_limits;
    std::string m_peer_address;  // read once: after a reset the socket no longer knows it
    Bytes m_buffer;
    std::size_t m_total = 0;
    bool m_failed = false;  // a framing error or limit ends the stream for good
    std::optional<std::error_code> m_end;  // the stream ended; reported once buffered messages are out
    Transcript* m_transcript = nullptr;
    std::uint8_t m_index = 0;
};

class TcpTransportFactory final : public TransportFactory {
public:
    TcpTransportFactory(std::shared_ptr<const StreamFraming> framing, TransportLimits limits)
        : m_framing(std::move(framing)), m_limits(limits) {}
    [[nodiscard]] std::string name() const override { return "tcp+" + m_framing->name(); }
    [[nodiscard]] std::unique_ptr<Transport> connect(const Endpoint& to, Deadline deadline,
                                                     std::string& error) const override;
    [[nodiscard]] std::unique_ptr<Listener> listen(const Endpoint& at, std::string& error) const override;

private:
    std::shared_ptr<const StreamFraming> m_framing;
    TransportLimits m_limits;
};

}  // namespace shakedown::conformance
