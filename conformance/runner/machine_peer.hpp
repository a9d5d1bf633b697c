// The reference of any variant as a live peer: a sans-IO Machine (impl/common/machine.hpp) driven
// over the runner's Transport interface, so every transport (TCP with a framing, WebSocket, UDP)
// serves every variant. Output lines follow conformance/SHIM.md:
//   TRANSPORT <text> (only when the listener describes itself, e.g. its certificate pins),
//   LISTENING <port>, HANDSHAKE_OK <peer identity hex>, HANDSHAKE_FAILED <error>: <detail>,
//   CLOSED <reason>, and from a server with connection limits REFUSED <address> <reason>.
#pragma once

#include <atomic>
#include <deque>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "common/machine.hpp"
#include "common/rng.hpp"
#include "conformance/runner/target.hpp"
#include "conformance/runner/transport.hpp"

namespace shakedown::conformance {

using LineSink = std::function<void(const std::string&)>;

// Threads of a server's connections: at most `max` at once, joined when reaped.
class WorkerPool {
public:
    explicit WorkerPool(std::size_t max) : m_max(max) {}
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;
    ~WorkerPool() { reap(true); }
    // Runs `job` on a thread of its own; false (and `job` not run) when `max` are running.
    [[nodiscard]] bool spawn(std::function<void()> job);
    // Joins the workers that finished (all: every worker, waiting for it).
    void reap(bool all);
    [[nodiscard]] bool all_done();
    [[nodiscard]] bool empty();
    // Workers whose job has not returned yet.
    [[nodiscard]] std::size_t running();

private:
    struct Worker {
        std::thread thread;
        std::atomic<bool> done{false};
    };
    std::size_t m_max;
    std::mutex m_mutex;
    std::list<Worker> m_workers;
};

struct DriveLimits {
    // Upper bound on one connection's life (0: none). After the handshake the machine keeps
    // answering until the peer closes, `stop` is set or this passes.
    Millis lifetime{0};
    // Waits while the handshake is not done use the machine's idle_timeout_ms(); with none, this.
    Millis default_idle{10000};
    // On a transport that never reports the peer leaving (datagrams), the connection ends once the
    // handshake is done and this passes without input. Until then the machine answers whatever
    // arrives, such as a retransmission of the message before a lost last one.
    Millis datagram_linger{1000};
};

struct DriveOutcome {
    bool authenticated = false;
    std::string line;  // the final HANDSHAKE_FAILED / CLOSED line
};

// Writes what the machine queued; false when the transport failed.
[[nodiscard]] bool flush_output(Machine& m, Transport& t, Deadline deadline);

// Runs `machine` over `transport` until it closes, the peer leaves, `stop` is set or the limits
// pass; emits HANDSHAKE_OK when the handshake completes and the final line at the end.
[[nodiscard]] DriveOutcome drive_machine(Machine& machine, Transport& transport, const std::atomic<bool>& stop,
                                         const DriveLimits& limits, const LineSink& emit);

// What a server admits, for variants whose servers bound their connections (a handshake that
// costs the server a key derivation invites floods). Excess connections are accepted and closed
// at once, before any machine exists, with a `REFUSED <address> <reason>` line.
struct ConnectionLimits {
    std::size_t max_concurrent = 0;          // connections served at once (0: the server's own bound)
    std::size_t per_address_per_window = 0;  // admitted from one source address per window (0: no limit)
    Millis window{60000};                    // sliding
};

// The admission decision of ConnectionLimits, apart from any socket so that it can be tested with
// a clock of the caller's choosing. Only admitted connections count against an address's window:
// a refused one costs the server nothing, and a client refused for a while is admitted again once
// its earlier connections leave the window. An empty address (a transport that has none) is
// limited by max_concurrent only. Memory: one entry per address with connections in the window,
// each holding at most per_address_per_window times.
class ConnectionGate {
public:
    explicit ConnectionGate(ConnectionLimits limits) : m_limits(limits) {}
    // nullopt: admitted (and counted); otherwise why not. `active`: connections being served now.
    [[nodiscard]] std::optional<std::string> admit(const std::string& address, std::size_t active,
                                                   SteadyClock::time_point now);
    [[nodiscard]] const ConnectionLimits& limits() const noexcept { return m_limits; }
    [[nodiscard]] std::size_t tracked_addresses() const noexcept { return m_recent.size(); }

private:
    ConnectionLimits m_limits;
    std::map<std::string, std::deque<SteadyClock::time_point>> m_recent;
};

// Makes one machine for a connection; nullptr (with `error`) when it cannot.
using ConnectionMachineFactory = std::function<std::unique_ptr<Machine>(Role role, std::string& error)>;

// An acceptor serving connections concurrently (at most kMaxConcurrent at once, fewer with
// ConnectionLimits), each with its own machine.
class MachineServer {
public:
    static constexpr std::size_t kMaxConcurrent = 256;

    MachineServer(std::shared_ptr<const TransportFactory> transport, ConnectionMachineFactory make, DriveLimits limits,
                  LineSink emit, std::optional<ConnectionLimits> connection_limits = std::nullopt);
    MachineServer(const MachineServer&) = delete;
    MachineServer& operator=(const MachineServer&) = delete;
    ~MachineServer();

    [[nodiscard]] bool listen(const Endpoint& at, std::string& error);
    [[nodiscard]] std::uint16_t port() const;
    // Serves until `max_connections` were admitted and served (0: no limit), `until`, or stop();
    // refused connections do not count. Returns how many completed a handshake.
    std::size_t serve(std::size_t max_connections, std::optional<Deadline> until);
    void start_background();
    void stop();
    // Admitted and given to a machine.
    [[nodiscard]] std::size_t connections_accepted() const { return m_accepted.load(); }
    // Closed at once by the connection limits.
    [[nodiscard]] std::size_t connections_refused() const { return m_refused.load(); }

private:
    std::shared_ptr<const TransportFactory> m_transport;
    ConnectionMachineFactory m_make;
    DriveLimits m_limits;
    LineSink m_emit;
    std::optional<ConnectionGate> m_gate;  // touched by the accept loop only
    std::unique_ptr<Listener> m_listener;
    std::atomic<bool> m_stop{false};
    std::thread m_background;
    WorkerPool m_workers{kMaxConcurrent};
    std::atomic<std::size_t> m_completed{0};
    std::atomic<std::size_t> m_accepted{0};
    std::atomic<std::size_t> m_refused{0};
};

// One initiator connection: connect, drive, report.
[[nodiscard]] DriveOutcome run_machine_initiator(const TransportFactory& transport, const Endpoint& to,
                                                 Machine& machine, const std::atomic<bool>& stop,
                                                 const DriveLimits& limits, const LineSink& emit);

// A peer run on its own thread inside the runner (an in-process initiator): `body` runs once,
// emitting its lines, and returns whether the handshake completed; `stop` asks it to end.
class ThreadedRun final : public LocalRun {
public:
    using Body = std::function<bool(const std::atomic<bool>& stop, const LineSink& emit)>;
    explicit ThreadedRun(Body body, std::string description = "reference initiator (in process)");
    ThreadedRun(const ThreadedRun&) = delete;
    ThreadedRun& operator=(const ThreadedRun&) = delete;
    ~ThreadedRun() override;
    [[nodiscard]] PeerReport finish(Deadline deadline) override;

private:
    std::atomic<bool> m_stop{false};
    std::atomic<bool> m_done{false};
    int m_exit = 1;
    std::string m_description;
    std::mutex m_mutex;
    std::vector<std::string> m_lines;
    std::thread m_thread;
};

using FlaggedMachineFactory =
    std::function<std::unique_ptr<Machine>(Role role, const std::vector<std::string>& flags, std::string& error)>;

// A one-connection acceptor on its own thread, configured by `flags` (LocalPeer::start_acceptor):
// listens at once (its address in `at`), serves the first connection, reports its lines.
[[nodiscard]] std::unique_ptr<LocalRun> start_machine_acceptor(std::shared_ptr<const TransportFactory> transport,
                                                               FlaggedMachineFactory make,
                                                               const std::vector<std::string>& flags,
                                                               DriveLimits limits, Endpoint& at, std::string& error);

// The reference of a variant inside the runner (conform --reference), built from a factory that
// takes shim flags: the acceptor is one server with the default flags; each initiator is
// configured by its scenario's flags.

class MachineReferencePeer final : public LocalPeer {
public:
    MachineReferencePeer(std::string description, std::shared_ptr<const TransportFactory> transport,
                         FlaggedMachineFactory make, DriveLimits limits,
                         std::optional<ConnectionLimits> connection_limits = std::nullopt);
    ~MachineReferencePeer() override;
    [[nodiscard]] std::string describe() const override { return m_description; }
    [[nodiscard]] std::optional<Endpoint> acceptor(std::string& error) override;
    // Every acceptor connection of a scenario can have flags of its own (a fixed clock, keys).
    [[nodiscard]] bool takes_flags(PeerRole) const override { return true; }
    [[nodiscard]] std::unique_ptr<LocalRun> start_acceptor(const std::vector<std::string>& flags, Endpoint& at,
                                                           std::string& error) override;
    [[nodiscard]] std::unique_ptr<LocalRun> start_initiator(const Endpoint& to, const std::vector<std::string>& flags,
                                                            std::string& error) override;
    // Both connections over the one transport factory, each with a machine of its own.
    [[nodiscard]] bool connects_again() const override { return true; }
    [[nodiscard]] std::unique_ptr<LocalRun> start_initiator_then(const Endpoint& to, const Endpoint& then,
                                                                 const std::vector<std::string>& flags,
                                                                 std::string& error) override;

private:
    std::string m_description;
    std::shared_ptr<const TransportFactory> m_transport;
    FlaggedMachineFactory m_make;
    DriveLimits m_limits;
    std::optional<ConnectionLimits> m_connection_limits;
    std::mutex m_mutex;
    std::unique_ptr<MachineServer> m_server;
};

}  // namespace shakedown::conformance
