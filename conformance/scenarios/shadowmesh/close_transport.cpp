#include "conformance/scenarios/shadowmesh/close_transport.hpp"

#include <algorithm>
#include <optional>

#include "shadowmesh/messages.hpp"

namespace shakedown::shadowmesh {

namespace cf = conformance;

std::optional<std::string> closing_message(ByteView unit) {
    // Version 1, type 0x0F (CLOSE) or 0x0E (ERROR), and at least the u16 after the header.
    if (unit.size() < kHeaderSize + 2 || unit[0] != kProtocolVersion ||
        (unit[1] != static_cast<std::uint8_t>(MessageType::close) &&
         unit[1] != static_cast<std::uint8_t>(MessageType::error))) {
        return std::nullopt;
    }
    const unsigned code = (static_cast<unsigned>(unit[kHeaderSize]) << 8U) | unit[kHeaderSize + 1];
    return std::string(unit[1] == static_cast<std::uint8_t>(MessageType::close) ? "CLOSE" : "ERROR") + " " +
           std::to_string(code);
}

namespace {

// CLOSE, reason 3 (protocol violation), no text (docs/protocols/shadowmesh.md §3.5).
const Bytes kCloseProtocolViolation{
    kProtocolVersion, static_cast<std::uint8_t>(MessageType::close), 0, 0, 0, 0, 0, 2, 0, 3};

class CloseAwareTransport final : public cf::Transport {
public:
    CloseAwareTransport(std::unique_ptr<cf::Transport> inner, TextMessages text)
        : m_inner(std::move(inner)), m_text(text) {}

    [[nodiscard]] std::error_code send(ByteView bytes, cf::Deadline deadline) override {
        return m_inner->send(bytes, deadline);
    }
    [[nodiscard]] cf::Incoming receive(cf::Deadline deadline) override {
        for (;;) {
            cf::Incoming in = filter(m_inner->receive(deadline), deadline);
            if (!m_skipped) {
                return in;
            }
        }
    }
    [[nodiscard]] cf::Incoming receive_any(cf::Deadline deadline) override {
        for (;;) {
            cf::Incoming in = filter(m_inner->receive_any(deadline), deadline);
            if (!m_skipped) {
                return in;
            }
        }
    }
    void shutdown_send() override { m_inner->shutdown_send(); }
    void close() override { m_inner->close(); }
    void abort() override { m_inner->abort(); }
    [[nodiscard]] std::size_t bytes_received() const override { return m_inner->bytes_received(); }
    [[nodiscard]] std::string peer_address() const override { return m_inner->peer_address(); }
    [[nodiscard]] bool reports_peer_close() const override { return m_inner->reports_peer_close(); }
    void attach(cf::Transcript* transcript, std::uint8_t index) override { m_inner->attach(transcript, index); }

private:
    // Sets m_skipped when `in` is a text message to skip (the caller reads on, to its deadline).
    cf::Incoming filter(cf::Incoming in, cf::Deadline deadline) {
        m_skipped = false;
        if (m_ended) {
            cf::Incoming end;
            end.kind = cf::Incoming::Kind::closed;
            end.detail = *m_ended;
            return end;
        }
        if (in.kind != cf::Incoming::Kind::message) {
            return in;
        }
        if (in.detail == "text" && m_text == TextMessages::skip) {
            m_skipped = true;
            return in;
        }
        if (in.detail == "text" && m_text == TextMessages::refuse) {
            (void)m_inner->send(kCloseProtocolViolation, std::min(deadline, cf::after(cf::Millis(1000))));
            m_ended = "a text message, refused (binary messages only)";
            m_inner->close();
            cf::Incoming end;
            end.kind = cf::Incoming::Kind::closed;
            end.detail = *m_ended;
            return end;
        }
        if (auto what = closing_message(in.wire)) {
            m_ended = "the peer sent " + *what;
            cf::Incoming end;
            end.kind = cf::Incoming::Kind::closed;
            end.detail = *m_ended;
            return end;
        }
        return in;
    }

    std::unique_ptr<cf::Transport> m_inner;
    TextMessages m_text;
    bool m_skipped = false;
    std::optional<std::string> m_ended;
};

}  // namespace

std::unique_ptr<cf::Transport> CloseAwareTransportFactory::connect(const cf::Endpoint& to, cf::Deadline deadline,
                                                                   std::string& error) const {
    auto t = m_inner->connect(to, deadline, error);
    return t ? std::make_unique<CloseAwareTransport>(std::move(t), m_text) : nullptr;
}

std::unique_ptr<cf::Listener> CloseAwareTransportFactory::listen(const cf::Endpoint& at, std::string& error) const {
    auto l = m_inner->listen(at, error);
    const TextMessages text = m_text;
    return l ? std::make_unique<cf::WrappingListener>(std::move(l),
                                                      [text](std::unique_ptr<cf::Transport> t) {
                                                          return std::make_unique<CloseAwareTransport>(std::move(t), text);
                                                      })
             : nullptr;
}

}  // namespace shakedown::shadowmesh
