#include "conformance/scenarios/shadowmesh/close_transport.hpp"

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

class CloseAwareTransport final : public cf::Transport {
public:
    explicit CloseAwareTransport(std::unique_ptr<cf::Transport> inner) : m_inner(std::move(inner)) {}

    [[nodiscard]] std::error_code send(ByteView bytes, cf::Deadline deadline) override {
        return m_inner->send(bytes, deadline);
    }
    [[nodiscard]] cf::Incoming receive(cf::Deadline deadline) override { return filter(m_inner->receive(deadline)); }
    [[nodiscard]] cf::Incoming receive_any(cf::Deadline deadline) override {
        return filter(m_inner->receive_any(deadline));
    }
    void shutdown_send() override { m_inner->shutdown_send(); }
    void close() override { m_inner->close(); }
    void abort() override { m_inner->abort(); }
    [[nodiscard]] std::size_t bytes_received() const override { return m_inner->bytes_received(); }
    [[nodiscard]] std::string peer_address() const override { return m_inner->peer_address(); }
    [[nodiscard]] bool reports_peer_close() const override { return m_inner->reports_peer_close(); }
    void attach(cf::Transcript* transcript, std::uint8_t index) override { m_inner->attach(transcript, index); }

private:
    cf::Incoming filter(cf::Incoming in) {
        if (m_ended) {
            cf::Incoming end;
            end.kind = cf::Incoming::Kind::closed;
            end.detail = *m_ended;
            return end;
        }
        if (in.kind != cf::Incoming::Kind::message) {
            return in;
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
    std::optional<std::string> m_ended;
};

class CloseAwareListener final : public cf::Listener {
public:
    explicit CloseAwareListener(std::unique_ptr<cf::Listener> inner) : m_inner(std::move(inner)) {}
    [[nodiscard]] std::uint16_t port() const override { return m_inner->port(); }
    [[nodiscard]] std::unique_ptr<cf::Transport> accept(cf::Deadline deadline, std::string& error) override {
        auto t = m_inner->accept(deadline, error);
        return t ? std::make_unique<CloseAwareTransport>(std::move(t)) : nullptr;
    }
    [[nodiscard]] std::string describe() const override { return m_inner->describe(); }

private:
    std::unique_ptr<cf::Listener> m_inner;
};

}  // namespace

std::unique_ptr<cf::Transport> CloseAwareTransportFactory::connect(const cf::Endpoint& to, cf::Deadline deadline,
                                                                   std::string& error) const {
    auto t = m_inner->connect(to, deadline, error);
    return t ? std::make_unique<CloseAwareTransport>(std::move(t)) : nullptr;
}

std::unique_ptr<cf::Listener> CloseAwareTransportFactory::listen(const cf::Endpoint& at, std::string& error) const {
    auto l = m_inner->listen(at, error);
    return l ? std::make_unique<CloseAwareListener>(std::move(l)) : nullptr;
}

}  // namespace shakedown::shadowmesh
