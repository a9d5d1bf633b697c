// The reference Stellar handshake (impl/stellar) as a live network peer on its native transport:
// TCP with record marking, initiator or acceptor. The sans-IO Handshake decides everything; this
// file only moves bytes, keeps time (the 2 s handshake idle timeout, stellar-core
// Peer::idleTimerExpired) and reports outcomes as machine-readable lines:
//   LISTENING <port>               acceptor, once listening
//   HANDSHAKE_OK <peer id hex>     the handshake completed
//   HANDSHAKE_FAILED <error>: <detail>
//   CLOSED <reason>                a completed session ended
#pragma once

#include <atomic>
#include <functional>
#include <list>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "common/rng.hpp"
#include "conformance/registry/variant.hpp"
#include "conformance/runner/machine_peer.hpp"
#include "conformance/runner/net.hpp"
#include "conformance/runner/target.hpp"
#include "stellar/handshake.hpp"

namespace shakedown::conformance::reference {

// The peer's wall clock: the system clock, moved by `skew` seconds, or frozen at `fixed`.
class PeerClock final : public Clock {
public:
    PeerClock(std::optional<std::uint64_t> fixed, std::int64_t skew) : m_fixed(fixed), m_skew(skew) {}
    [[nodiscard]] std::uint64_t unix_seconds() const override;

private:
    std::optional<std::uint64_t> m_fixed;
    std::int64_t m_skew;
};

struct PeerOptions {
    // Role is set per connection; everything else is the node's configuration.
    stellar::HandshakeConfig config;
    std::optional<std::uint64_t> fixed_now;
    std::int64_t clock_skew = 0;
    Millis idle_timeout{stellar::kIdleTimeoutMs};
    // Upper bound on one connection's life (0: none); a session that completed stays open until
    // the remote closes or this passes.
    Millis connection_lifetime{0};
};


struct ConnectionOutcome {
    bool connected = true;
    bool authenticated = false;
    std::string line;  // the final HANDSHAKE_FAILED / CLOSED line
    std::optional<ByteArray<32>> remote_peer_id;
};

// Drives one Handshake over a connected stream until it ends or `stop` becomes true.
// `make_config` is called when the machine is built: at once for an initiator, when the first
// bytes arrive for an acceptor (so node-wide state such as the authenticated peers is read when
// the HELLO comes, as stellar-core does). `on_authenticated` runs once, when the handshake completes.
[[nodiscard]] ConnectionOutcome drive_connection(TcpStream& stream,
                                                 const std::function<stellar::HandshakeConfig()>& make_config,
                                                 const PeerOptions& options, const std::atomic<bool>& stop,
                                                 const LineSink& emit,
                                                 const std::function<void(const ByteArray<32>&)>& on_authenticated = {});

// One initiator connection: connect, drive, report.
[[nodiscard]] ConnectionOutcome run_initiator(const Endpoint& to, const PeerOptions& options,
                                              const std::atomic<bool>& stop, const LineSink& emit);

// The acceptor: serves connections concurrently, each with its own Handshake, and remembers the
// authenticated peers so a second connection from one of them is refused ("already-connected
// peer", stellar-core Peer::recvHello).
class PeerServer {
public:
    static constexpr std::size_t kMaxConcurrent = 256;

    PeerServer(PeerOptions options, LineSink emit);
    PeerServer(const PeerServer&) = delete;
    PeerServer& operator=(const PeerServer&) = delete;
    ~PeerServer();

    [[nodiscard]] std::error_code listen(const Endpoint& at);
    [[nodiscard]] std::uint16_t port() const { return m_listener.port(); }
    // Accepts and serves until `max_connections` were accepted (0: no limit) and served, the
    // deadline passes, or stop(). Returns how many completed a handshake.
    std::size_t serve(std::size_t max_connections, std::optional<Deadline> until);
    void start_background();
    void stop();
    [[nodiscard]] std::size_t handshakes_completed() const { return m_completed.load(); }
    [[nodiscard]] std::size_t connections_accepted() const { return m_accepted.load(); }

private:

    PeerOptions m_options;
    LineSink m_emit;
    TcpListener m_listener;
    std::atomic<bool> m_stop{false};
    std::thread m_background;
    std::mutex m_mutex;
    WorkerPool m_workers{kMaxConcurrent};
    std::set<ByteArray<32>> m_authenticated;
    std::atomic<std::size_t> m_completed{0};
    std::atomic<std::size_t> m_accepted{0};
};

// The flags the Stellar reference takes as a shim and as `shakedown peer` (conformance/SHIM.md):
// one table for both, parsed by registry::parse_settings.
[[nodiscard]] const std::vector<registry::ShimFlag>& shim_flags();
// Applies parsed flags to peer options; malformed values fail with `error`.
[[nodiscard]] bool apply_settings(const registry::Settings& settings, PeerOptions& options, std::string& error);

// shakedown peer --variant stellar: the reference on TCP, serving or connecting (registry serve hook).
[[nodiscard]] int serve(const registry::PeerRun& run);

// The reference peer inside the runner process (shakedown conform --reference).
class ReferencePeer final : public LocalPeer {
public:
    explicit ReferencePeer(PeerOptions options);
    ~ReferencePeer() override;
    [[nodiscard]] std::string describe() const override;
    [[nodiscard]] std::optional<Endpoint> acceptor(std::string& error) override;
    [[nodiscard]] std::unique_ptr<LocalRun> start_initiator(const Endpoint& to, const std::vector<std::string>& flags,
                                                            std::string& error) override;
    [[nodiscard]] ByteArray<32> acceptor_node_id() const;
    // Connections that ask for a configured acceptor (a fixed clock) get one of their own, made of
    // the reference machine (the shared acceptor keeps node-wide state, such as who is connected).
    void set_dedicated(std::shared_ptr<const TransportFactory> transport, FlaggedMachineFactory make) {
        m_dedicated_transport = std::move(transport);
        m_dedicated_make = std::move(make);
    }
    [[nodiscard]] bool dedicated_acceptor() const override { return static_cast<bool>(m_dedicated_make); }
    [[nodiscard]] std::unique_ptr<LocalRun> start_acceptor(const std::vector<std::string>& flags, Endpoint& at,
                                                           std::string& error) override {
        return start_machine_acceptor(m_dedicated_transport, m_dedicated_make, flags, DriveLimits{}, at, error);
    }

private:
    std::shared_ptr<const TransportFactory> m_dedicated_transport;
    FlaggedMachineFactory m_dedicated_make;
    PeerOptions m_options;
    std::mutex m_mutex;
    std::unique_ptr<PeerServer> m_server;
};

}  // namespace shakedown::conformance::reference
