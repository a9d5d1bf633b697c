// Concurrent STT handshakes keyed by peer address (docs/protocols/stt.md, "HandshakeManager").
// Each address has its own machine and nothing else: whether a handshake is complete and its
// session id are answered for that address only. Pending handshakes expire after the handshake
// timeout on the injected clock, and at most max_pending are kept: a new one evicts the oldest.
// All responders share one replay cache, so a HELLO replayed from another address is caught.
#pragma once

#include <list>
#include <map>
#include <memory>
#include <string>

#include "stt/handshake.hpp"

namespace shakedown::stt {

struct ManagerConfig {
    // Identity, seeds, suite, window, quirks; the role is set per handshake. replay_cache: the
    // node's, when it outlives this manager (nullptr: one of the manager's own).
    Config base;
    std::size_t max_pending = 256;
    std::size_t max_sessions = 4096;
};

struct ManagerEvent {
    std::vector<Bytes> output;            // datagrams to send back to this address
    std::optional<Failure> failure;       // the datagram was rejected (and its handshake closed)
    bool created = false;                 // a new responder was created for this address
    bool evicted = false;                 // creating it evicted the oldest pending handshake
    bool completed = false;               // this datagram completed the handshake
};

class HandshakeManager {
public:
    HandshakeManager(ManagerConfig config, Rng& rng, const Clock& clock);

    // Starts an initiator towards `address` (replacing any handshake with it); returns the HELLO.
    [[nodiscard]] std::vector<Bytes> connect(const std::string& address);
    // One datagram from `address`. An unknown address may only open with a HELLO; anything else
    // is rejected without creating state.
    [[nodiscard]] ManagerEvent receive(const std::string& address, ByteView datagram);
    // Drops pending handshakes older than the handshake timeout; returns how many.
    std::size_t expire();
    void remove(const std::string& address);

    [[nodiscard]] bool is_complete(const std::string& address) const;
    [[nodiscard]] std::optional<Bytes> session_id(const std::string& address) const;
    [[nodiscard]] Handshake* get(const std::string& address);
    // The completed handshake whose session serves `address`: its own (nullptr when it has none).
    // With manager-any-address, the one session_id(address) names (upstream: any address is
    // "complete" once one session exists, and gets that session).
    [[nodiscard]] Handshake* session_for(const std::string& address);
    [[nodiscard]] std::size_t pending() const noexcept;
    [[nodiscard]] std::size_t size() const noexcept { return m_entries.size(); }
    [[nodiscard]] const NonceCache& replay_cache() const noexcept { return *m_cache; }

private:
    struct Entry {
        std::unique_ptr<Handshake> machine;
        std::uint64_t created_s = 0;
        std::list<std::string>::iterator order;
    };
    std::unique_ptr<Handshake> make(Role role);
    void insert(const std::string& address, std::unique_ptr<Handshake> m, bool& evicted);
    void erase(std::map<std::string, Entry>::iterator it);

    ManagerConfig m_config;
    Rng& m_rng;
    const Clock& m_clock;
    std::shared_ptr<NonceCache> m_cache;
    std::map<std::string, Entry> m_entries;
    std::list<std::string> m_order;  // creation order, oldest first
};

}  // namespace shakedown::stt
