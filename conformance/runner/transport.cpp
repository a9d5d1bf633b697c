#include "conformance/runner/transport.hpp"

#include <array>

#include "common/writer.hpp"

namespace shakedown::conformance {

std::string_view to_string(Incoming::Kind k) {
    switch (k) {
        case Incoming::Kind::message: return "message";
        case Incoming::Kind::timeout: return "timeout";
        case Incoming::Kind::closed: return "closed";
        case Incoming::Kind::reset: return "reset";
        case Incoming::Kind::framing_error: return "framing_error";
        case Incoming::Kind::limit: return "limit";
    }
    return "timeout";
}

StreamTransport::StreamTransport(std::unique_ptr<TcpStream> stream, std::shared_ptr<const StreamFraming> framing,
                                 TransportLimits limits)
    : m_stream(std::move(stream)),
      m_framing(std::move(framing)),
      m_limits(limits),
      m_peer_address(m_stream->remote_address()) {}

std::error_code StreamTransport::send(ByteView bytes, Deadline deadline) {
    if (m_transcript != nullptr) {
        m_transcript->sent(m_index, bytes);
    }
    return m_stream->write_all(bytes, deadline);
}

Incoming StreamTransport::finish(Incoming::Kind kind, std::string detail) {
    Incoming in;
    in.kind = kind;
    in.detail = std::move(detail);
    if (!m_buffer.empty() && kind != Incoming::Kind::timeout) {
        in.wire = m_buffer;
        if (m_transcript != nullptr) {
            m_transcript->received(m_index, m_buffer, "unframed: " + in.detail);
        }
        m_buffer.clear();
    }
    if (kind != Incoming::Kind::timeout) {
        m_failed = true;
        if (m_transcript != nullptr) {
            m_transcript->event(m_index, std::string(to_string(kind)) + (in.detail.empty() ? "" : ": " + in.detail));
        }
    }
    return in;
}

Incoming StreamTransport::receive(Deadline deadline) {
    if (m_failed) {
        Incoming in;
        in.kind = Incoming::Kind::closed;
        in.detail = "connection already ended";
        return in;
    }
    std::array<std::uint8_t, 16 * 1024> chunk{};
    for (;;) {
        const auto step = m_framing->step(m_buffer, m_limits.max_message);
        if (step.kind == StreamFraming::Step::Kind::message) {
            Incoming in;
            in.kind = Incoming::Kind::message;
            in.wire.assign(m_buffer.begin(), m_buffer.begin() + static_cast<std::ptrdiff_t>(step.total));
            in.payload.assign(in.wire.begin() + static_cast<std::ptrdiff_t>(step.payload_offset),
                              in.wire.begin() + static_cast<std::ptrdiff_t>(step.payload_offset + step.payload_size));
            m_buffer.erase(m_buffer.begin(), m_buffer.begin() + static_cast<std::ptrdiff_t>(step.total));
            if (m_transcript != nullptr) {
                m_transcript->received(m_index, in.wire);
            }
            return in;
        }
        if (step.kind == StreamFraming::Step::Kind::error) {
            return finish(Incoming::Kind::framing_error, step.error);
        }
        if (m_end) {
            const bool partial = !m_buffer.empty();
            if (*m_end == std::errc::connection_reset) {
                return finish(Incoming::Kind::reset, partial ? "inside a message" : "");
            }
            if (*m_end == std::errc::connection_aborted) {
                return finish(Incoming::Kind::closed, partial ? "inside a message" : "");
            }
            return finish(Incoming::Kind::closed, m_end->message());
        }
        if (m_total >= m_limits.max_total) {
            return finish(Incoming::Kind::limit,
                          "more than " + std::to_string(m_limits.max_total) + " bytes received on one connection");
        }
        // Never hold more than one maximal message plus its header.
        const std::size_t cap = m_limits.max_message + 16;
        const std::size_t room =
            std::min({chunk.size(), cap > m_buffer.size() ? cap - m_buffer.size() : 0, m_limits.max_total - m_total});
        if (room == 0) {
            return finish(Incoming::Kind::limit, "message larger than the runner's bound");
        }
        std::error_code ec;
        const std::size_t n = m_stream->read_some(std::span<std::uint8_t>(chunk.data(), room), deadline, ec);
        m_buffer.insert(m_buffer.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(n));
        m_total += n;
        if (ec == std::errc::timed_out) {
            return finish(Incoming::Kind::timeout, "");
        }
        if (ec) {
            // Deliver whatever is complete before reporting the end.
            m_end = ec;
        }
    }
}

Incoming StreamTransport::receive_any(Deadline deadline) {
    if (m_failed) {
        Incoming in;
        in.kind = Incoming::Kind::closed;
        in.detail = "connection already ended";
        return in;
    }
    if (m_buffer.empty() && !m_end) {
        if (m_total >= m_limits.max_total) {
            return finish(Incoming::Kind::limit,
                          "more than " + std::to_string(m_limits.max_total) + " bytes received on one connection");
        }
        std::array<std::uint8_t, 16 * 1024> chunk{};
        const std::size_t room = std::min(chunk.size(), m_limits.max_total - m_total);
        std::error_code ec;
        const std::size_t n = m_stream->read_some(std::span<std::uint8_t>(chunk.data(), room), deadline, ec);
        m_buffer.insert(m_buffer.end(), chunk.begin(), chunk.begin() + static_cast<std::ptrdiff_t>(n));
        m_total += n;
        if (ec == std::errc::timed_out && n == 0) {
            return finish(Incoming::Kind::timeout, "");
        }
        if (ec && ec != std::errc::timed_out) {
            m_end = ec;
        }
    }
    if (!m_buffer.empty()) {
        Incoming in;
        in.kind = Incoming::Kind::message;
        in.wire = std::move(m_buffer);
        m_buffer.clear();
        if (m_transcript != nullptr) {
            m_transcript->received(m_index, in.wire);
        }
        return in;
    }
    if (*m_end == std::errc::connection_reset) {
        return finish(Incoming::Kind::reset, "");
    }
    return finish(Incoming::Kind::closed, m_end->message());
}

std::unique_ptr<Transport> TcpTransportFactory::connect(const Endpoint& to, Deadline deadline,
                                                        std::string& error) const {
    auto stream = std::make_unique<TcpStream>();
    if (const auto ec = stream->connect(to, deadline)) {
        error = "connect " + to.to_string() + ": " + ec.message();
        return nullptr;
    }
    return std::make_unique<StreamTransport>(std::move(stream), m_framing, m_limits);
}

namespace {
class TcpListenerAdapter final : public Listener {
public:
    TcpListenerAdapter(std::unique_ptr<TcpListener> l, std::shared_ptr<const StreamFraming> framing,
                       TransportLimits limits)
        : m_listener(std::move(l)), m_framing(std::move(framing)), m_limits(limits) {}
    [[nodiscard]] std::uint16_t port() const override { return m_listener->port(); }
    [[nodiscard]] std::unique_ptr<Transport> accept(Deadline deadline, std::string& error) override {
        std::error_code ec;
        auto stream = m_listener->accept(deadline, ec);
        if (!stream) {
            error = ec == std::errc::timed_out ? "no connection arrived in time" : "accept: " + ec.message();
            return nullptr;
        }
        return std::make_unique<StreamTransport>(std::move(stream), m_framing, m_limits);
    }

private:
    std::unique_ptr<TcpListener> m_listener;
    std::shared_ptr<const StreamFraming> m_framing;
    TransportLimits m_limits;
};
}  // namespace

std::unique_ptr<Listener> TcpTransportFactory::listen(const Endpoint& at, std::string& error) const {
    auto l = std::make_unique<TcpListener>();
    if (const auto ec = l->listen(at)) {
        error = "listen on " + at.to_string() + ": " + ec.message();
        return nullptr;
    }
    return std::make_unique<TcpListenerAdapter>(std::move(l), m_framing, m_limits);
}

}  // namespace shakedown::conformance
