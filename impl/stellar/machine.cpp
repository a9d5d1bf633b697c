#include "stellar/machine.hpp"

namespace shakedown::stellar {

std::optional<std::uint32_t> StellarMachine::idle_timeout_ms() const {
    // stellar-core drops a handshake idle for 2 s (docs/protocols/stellar.md, "Timeouts and
    // certificate lifetime"); the no-idle-timeout knob keeps waiting.
    if (m_hs.config().quirks.no_idle_timeout) {
        return std::nullopt;
    }
    return kIdleTimeoutMs;
}

std::optional<shakedown::Closure> StellarMachine::closure() const {
    const auto& c = m_hs.closure();
    if (!c) {
        return std::nullopt;
    }
    shakedown::Closure out;
    out.failure = c->failure;
    out.at_message = c->at_record;
    out.by_peer = c->by_peer;
    if (c->sent_error) {
        out.sent = "ERROR " + std::string(to_string(c->sent_error->code));
    }
    return out;
}

std::vector<DerivedKey> StellarMachine::derived_keys() const {
    std::vector<DerivedKey> out;
    if (m_hs.shared()) {
        const auto v = m_hs.shared()->view();
        out.push_back({"shared_key", Bytes(v.begin(), v.end())});
    }
    if (m_hs.keys()) {
        const auto s = m_hs.keys()->send.view();
        const auto r = m_hs.keys()->recv.view();
        out.push_back({"mac_key_send", Bytes(s.begin(), s.end())});
        out.push_back({"mac_key_receive", Bytes(r.begin(), r.end())});
    }
    return out;
}

Bytes StellarMachine::peer_identity() const {
    if (!m_hs.authenticated() || !m_hs.remote_hello()) {
        return {};
    }
    const auto& id = m_hs.remote_hello()->peer_id;
    return Bytes(id.begin(), id.end());
}

}  // namespace shakedown::stellar
