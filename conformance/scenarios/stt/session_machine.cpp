#include "conformance/scenarios/stt/session_machine.hpp"

#include <iterator>

#include "stt/frame.hpp"

namespace shakedown::stt {

Bytes default_node_seed(Role role) { return Bytes(32, role == Role::initiator ? 0x01 : 0x02); }

bool is_data_frame(ByteView datagram) {
    const auto f = parse_frame_view(datagram);
    return f && f->header.type == kFrameData;
}

std::optional<Bytes> answer_data(SessionChannel& channel, ByteView datagram, DataStats& stats, Rng& rng,
                                 const Clock& clock) {
    auto opened = channel.open(datagram);
    if (!opened) {
        ++stats.refused;
        stats.last_refusal = opened.failure();
        return std::nullopt;
    }
    ++stats.accepted;
    if (opened->header.stream_id != kPingStream || stats.echoes >= kMaxEchoes) {
        return std::nullopt;
    }
    const auto now = static_cast<std::uint64_t>(clock.unix_seconds()) * 1000;
    auto echo = channel.seal(opened->payload, kEchoStream, now, rng);
    if (!echo) {
        return std::nullopt;
    }
    ++stats.echoes;
    return std::move(echo).value();
}

SessionMachine::SessionMachine(std::unique_ptr<Handshake> handshake, Rng& rng, const Clock& clock)
    : m_hs(std::move(handshake)), m_rng(rng), m_clock(clock) {}

void SessionMachine::start() {
    m_hs->start();
    after_step();
}

void SessionMachine::receive(ByteView datagram) {
    if (m_hs->authenticated() && m_hs->next_action() != Action::closed && m_hs->session() != nullptr &&
        is_data_frame(datagram)) {
        if (auto echo = answer_data(*m_hs->session(), datagram, m_data, m_rng, m_clock)) {
            m_out.push_back(std::move(*echo));
        }
        return;
    }
    m_hs->receive(datagram);
    after_step();
}

void SessionMachine::idle_timeout() {
    m_hs->idle_timeout();
    after_step();
}

void SessionMachine::after_step() {
    if (m_pinged || m_hs->role() != Role::initiator || !m_hs->authenticated() || m_hs->session() == nullptr ||
        m_hs->next_action() == Action::closed) {
        return;
    }
    m_pinged = true;
    seal(as_bytes(kPingPayload), kPingStream);
}

void SessionMachine::seal(ByteView payload, std::uint32_t stream) {
    const auto now = static_cast<std::uint64_t>(m_clock.unix_seconds()) * 1000;
    auto frame = m_hs->session()->seal(payload, stream, now, m_rng);
    if (frame) {
        m_out.push_back(std::move(frame).value());
    }
}

Action SessionMachine::next_action() const {
    if (!m_out.empty()) {
        return Action::send;
    }
    return m_hs->next_action();
}

std::vector<Bytes> SessionMachine::take_output() {
    std::vector<Bytes> out = m_hs->take_output();
    std::move(m_out.begin(), m_out.end(), std::back_inserter(out));
    m_out.clear();
    return out;
}

}  // namespace shakedown::stt
