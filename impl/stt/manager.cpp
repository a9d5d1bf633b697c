#include "stt/manager.hpp"

#include <algorithm>

namespace shakedown::stt {

HandshakeManager::HandshakeManager(ManagerConfig config, Rng& rng, const Clock& clock)
    : m_config(std::move(config)), m_rng(rng), m_clock(clock),
      m_cache(m_config.base.replay_cache ? m_config.base.replay_cache
                                         : std::make_shared<NonceCache>(kDefaultReplayCacheSize)) {
    // One suite for every handshake: a datagram from a new address must not cost a key derivation.
    if (!m_config.base.suite) {
        m_config.base.suite = std::make_shared<ReferenceSuite>(m_config.base.shared_seed.view());
    }
}

std::unique_ptr<Handshake> HandshakeManager::make(Role role) {
    Config c = m_config.base;
    c.role = role;
    c.replay_cache = m_cache;
    auto m = std::make_unique<Handshake>(std::move(c), m_rng, m_clock);
    m->start();
    return m;
}

std::size_t HandshakeManager::pending() const noexcept {
    std::size_t n = 0;
    for (const auto& [addr, e] : m_entries) {
        n += e.machine->authenticated() ? 0 : 1;
    }
    return n;
}

void HandshakeManager::erase(std::map<std::string, Entry>::iterator it) {
    m_order.erase(it->second.order);
    m_entries.erase(it);
}

void HandshakeManager::insert(const std::string& address, std::unique_ptr<Handshake> m, bool& evicted) {
    if (auto old = m_entries.find(address); old != m_entries.end()) {
        erase(old);
    }
    if (!m_config.base.quirks.manager_unbounded) {
        // Oldest pending first; completed sessions have their own, larger bound.
        const bool pending_full = pending() >= m_config.max_pending;
        const bool total_full = m_entries.size() >= m_config.max_pending + m_config.max_sessions;
        for (auto it = m_order.begin(); (pending_full || total_full) && it != m_order.end(); ++it) {
            auto e = m_entries.find(*it);
            if (total_full || !e->second.machine->authenticated()) {
                erase(e);
                evicted = true;
                break;
            }
        }
    }
    m_order.push_back(address);
    Entry e;
    e.machine = std::move(m);
    e.created_s = m_clock.unix_seconds();
    e.order = std::prev(m_order.end());
    m_entries.emplace(address, std::move(e));
}

std::vector<Bytes> HandshakeManager::connect(const std::string& address) {
    auto m = make(Role::initiator);
    std::vector<Bytes> out = m->take_output();
    bool evicted = false;
    insert(address, std::move(m), evicted);
    return out;
}

ManagerEvent HandshakeManager::receive(const std::string& address, ByteView datagram) {
    ManagerEvent ev;
    auto it = m_entries.find(address);
    if (it == m_entries.end()) {
        // Only a well-formed HELLO opens a handshake: parse it before allocating anything.
        auto probe = make(Role::acceptor);
        probe->receive(datagram);
        if (probe->closure()) {
            ev.failure = probe->closure()->failure;
            return ev;
        }
        ev.output = probe->take_output();
        ev.created = true;
        insert(address, std::move(probe), ev.evicted);
        return ev;
    }
    Handshake& m = *it->second.machine;
    const bool was_authenticated = m.authenticated();
    m.receive(datagram);
    ev.output = m.take_output();
    ev.completed = !was_authenticated && m.authenticated();
    if (m.closure() && !was_authenticated) {
        ev.failure = m.closure()->failure;
        erase(it);
    } else if (m.closure()) {
        ev.failure = m.closure()->failure;
    }
    return ev;
}

std::size_t HandshakeManager::expire() {
    if (m_config.base.quirks.manager_no_timeouts) {
        return 0;
    }
    const std::uint64_t now = m_clock.unix_seconds();
    std::size_t n = 0;
    for (auto it = m_entries.begin(); it != m_entries.end();) {
        const std::uint64_t age_ms = (now - std::min(now, it->second.created_s)) * 1000;
        if (!it->second.machine->authenticated() && age_ms >= m_config.base.handshake_timeout_ms) {
            auto next = std::next(it);
            erase(it);
            it = next;
            ++n;
        } else {
            ++it;
        }
    }
    return n;
}

void HandshakeManager::remove(const std::string& address) {
    if (auto it = m_entries.find(address); it != m_entries.end()) {
        erase(it);
    }
}

Handshake* HandshakeManager::get(const std::string& address) {
    auto it = m_entries.find(address);
    return it == m_entries.end() ? nullptr : it->second.machine.get();
}

Handshake* HandshakeManager::session_for(const std::string& address) {
    if (auto it = m_entries.find(address); it != m_entries.end() && it->second.machine->authenticated()) {
        return it->second.machine.get();
    }
    if (!m_config.base.quirks.manager_any_address) {
        return nullptr;
    }
    const auto id = session_id(address);
    for (auto& [a, e] : m_entries) {
        if (id && e.machine->authenticated() && std::ranges::equal(e.machine->session_id(), *id)) {
            return e.machine.get();
        }
    }
    return nullptr;
}

bool HandshakeManager::is_complete(const std::string& address) const {
    if (m_config.base.quirks.manager_any_address) {
        // Upstream: true for every address once any handshake completed.
        for (const auto& [a, e] : m_entries) {
            if (e.machine->authenticated()) {
                return true;
            }
        }
        return false;
    }
    auto it = m_entries.find(address);
    return it != m_entries.end() && it->second.machine->authenticated();
}

std::optional<Bytes> HandshakeManager::session_id(const std::string& address) const {
    if (m_config.base.quirks.manager_any_address) {
        for (const auto& [a, e] : m_entries) {
            if (e.machine->authenticated()) {
                const ByteView id = e.machine->session_id();
                return Bytes(id.begin(), id.end());
            }
        }
        return std::nullopt;
    }
    auto it = m_entries.find(address);
    if (it == m_entries.end() || !it->second.machine->authenticated()) {
        return std::nullopt;
    }
    const ByteView id = it->second.machine->session_id();
    return Bytes(id.begin(), id.end());
}

}  // namespace shakedown::stt
