// The reference of any variant as a live peer: a sans-IO Machine (impl/common/machine.hpp) driven
// over the runner's Transport interface, so every transport (TCP with a framing, WebSocket, UDP)
// serves every variant. Output lines follow conformance/SHIM.md:
//   LISTENING <port>, HANDSHAKE_OK <peer identity hex>, HANDSHAKE_FAILED <error>: <detail>,
//   CLOSED <reason>.
#pragma once

#include <atomic>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
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

// Runs `machine` over `transport` until it closes, the peer leaves, `stop` is set or the limits
// pass; emits HANDSHAKE_OK when the handshake completes and the final line at the end.
[[nodiscard]] DriveOutcome drive_machine(Machine& machine, Transport& transport, const std::atomic<bool>& stop,
                                         const DriveLimits& limits, const LineSink& emit);

// Makes one machine for a connection; nullptr (with `error`) when it cannot.
using ConnectionMachineFactory = std::function<std::unique_ptr<Machine>(Role role, std::string& error)>;

// An acceptor serving connections concurrently (at most kMaxConcurrent at once), each with its
// own machine.
class MachineServer {
public:
    static constexpr std::size_t kMaxConcurrent = 256;

    MachineServer(std::shared_ptr<const TransportFactory> transport, ConnectionMachineFactory make,
                  DriveLimits limits, LineSink emit);
    MachineServer(const MachineServer&) = delete;
    MachineServer& operator=(const MachineServer&) = delete;
    ~MachineServer();

    [[nodiscard]] bool listen(const Endpoint& at, std::string& error);
    [[nodiscard]] std::uint16_t port() const;
    // Serves until `max_connections` were accepted and served (0: no limit), `until`, or stop().
    // Returns how many completed a handshake.
    std::size_t serve(std::size_t max_connections, std::optional<Deadline> until);
    void start_background();
    void stop();
    [[nodiscard]] std::size_t connections_accepted() const { return m_accepted.load(); }

private:
    std::shared_ptr<const TransportFactory> m_transport;
    ConnectionMachineFactory m_make;
    DriveLimits m_limits;
    LineSink m_emit;
    std::unique_ptr<Listener> m_listener;
    std::atomic<bool> m_stop{false};
    std::thread m_background;
    WorkerPool m_workers{kMaxConcurrent};
    std::atomic<std::size_t> m_completed{0};
    std::atomic<std::size_t> m_accepted{0};
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
    explicit ThreadedRun(Body body);
    ThreadedRun(const ThreadedRun&) = delete;
    ThreadedRun& operator=(const ThreadedRun&) = delete;
    ~ThreadedRun() override;
    [[nodiscard]] PeerReport finish(Deadline deadline) override;

private:
    std::atomic<bool> m_stop{false};
    std::atomic<bool> m_done{false};
    int m_exit = 1;
    std::mutex m_mutex;
    std::vector<std::string> m_lines;
    std::thread m_thread;
};

// The reference of a variant inside the runner (conform --reference), built from a factory that
// takes shim flags: the acceptor is one server with the default flags; each initiator is
// configured by its scenario's flags.
using FlaggedMachineFactory =
    std::function<std::unique_ptr<Machine>(Role role, const std::vector<std::string>& flags, std::string& error)>;

class MachineReferencePeer final : public LocalPeer {
public:
    MachineReferencePeer(std::string description, std::shared_ptr<const TransportFactory> transport,
                         FlaggedMachineFactory make, DriveLimits limits);
    ~MachineReferencePeer() override;
    [[nodiscard]] std::string describe() const override { return m_description; }
    [[nodiscard]] std::optional<Endpoint> acceptor(std::string& error) override;
    [[nodiscard]] std::unique_ptr<LocalRun> start_initiator(const Endpoint& to, const std::vector<std::string>& flags,
                                                            std::string& error) override;

private:
    std::string m_description;
    std::shared_ptr<const TransportFactory> m_transport;
    FlaggedMachineFactory m_make;
    DriveLimits m_limits;
    std::mutex m_mutex;
    std::unique_ptr<MachineServer> m_server;
};

}  // namespace shakedown::conformance
