// The STT reference acceptor as a node (docs/protocols/stt.md, "HandshakeManager" and "Data
// exchange"): one UDP socket whose every datagram goes to one HandshakeManager, keyed by its source
// address ("127.0.0.1:40001"). A session data frame goes to the session the manager names for that
// address and is answered as the conformance contract says (session_machine.hpp); anything else is
// a handshake datagram for the manager. Pending handshakes expire (the manager's expire(), run every
// 100 ms) and are bounded (--max-pending); each address's end is reported in the shim contract's
// lines: HANDSHAKE_OK <peer node id>, HANDSHAKE_FAILED <error>, CLOSED <reason>.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "conformance/runner/net.hpp"
#include "stt/manager.hpp"

namespace shakedown::stt {

class Node {
public:
    using Emit = std::function<void(const std::string&)>;
    // `clock` and `rng` outlive the node. `cache_lock`, when given, is held around every use of the
    // manager (its replay cache is shared with other nodes: config.base.replay_cache).
    Node(ManagerConfig config, Rng& rng, const Clock& clock, Emit emit, std::mutex* cache_lock = nullptr);
    Node(const Node&) = delete;
    Node& operator=(const Node&) = delete;
    ~Node();

    [[nodiscard]] bool listen(const conformance::Endpoint& at, std::string& error);
    [[nodiscard]] std::uint16_t port() const { return m_port; }
    // Serves until `stop`, `until`, or (ends > 0) once that many addresses ended (completed and
    // quiet for `linger`, refused, expired or evicted) and none is pending or still talking.
    // Returns how many handshakes completed.
    std::size_t serve(std::size_t ends, std::optional<conformance::Deadline> until, const std::atomic<bool>& stop,
                      conformance::Millis linger = conformance::Millis(1000));
    [[nodiscard]] std::size_t addresses_ended() const { return m_ended; }

private:
    struct Peer;
    void on_datagram(const std::string& address, const void* from, unsigned from_len, ByteView datagram);
    void settle(bool expire);
    void end(const std::string& address, const std::string& line);

    HandshakeManager m_manager;
    Rng& m_rng;
    const Clock& m_clock;
    Emit m_emit;
    std::mutex* m_cache_lock;
    int m_fd = -1;
    std::uint16_t m_port = 0;
    std::size_t m_ended = 0;
    std::size_t m_completed = 0;
    std::map<std::string, std::unique_ptr<Peer>> m_peers;
};

}  // namespace shakedown::stt
