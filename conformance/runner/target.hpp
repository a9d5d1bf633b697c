// The implementation under test, however it is reached:
//   ConnectTarget  --connect HOST:PORT  a running acceptor; every connection is a new TCP connect
//   ListenTarget   --listen HOST:PORT   a running initiator that (re)connects to us
//   ShimTarget     --shim 'COMMAND'     spawned per connection and told its role, address and keys
//                                       by flags (conformance/SHIM.md); exit 89 = unimplemented
//   LocalPeerTarget                     an implementation inside this process (the reference)
// A scenario opens its connections through a TargetSession, which owns whatever was started for
// it and reports what the shims printed when the scenario ends.
#pragma once

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "conformance/runner/process.hpp"
#include "conformance/runner/transport.hpp"
#include "conformance/runner/verdict.hpp"

namespace shakedown::conformance {

struct ConnectionRequest {
    PeerRole target_role = PeerRole::acceptor;
    // Variant flags for a shim, in order (e.g. --seed HEX --network PASSPHRASE).
    std::vector<std::string> flags;
    // The connection needs a target configured by `flags` (a fixed clock): an in-process peer
    // whose shared acceptor takes no flags starts one of its own for it.
    bool dedicated = false;
    // The runner's side of this connection made by this factory instead of the target's (another
    // TLS configuration, text messages): the factory listens for an initiator, connects to an
    // acceptor. Empty: the target's factory.
    std::shared_ptr<const TransportFactory> transport;
    // Initiator only: the target connects a second time from the same process once its first
    // connection has ended (conformance/SHIM.md, --then-connect), keeping whatever state it keeps
    // between connections (a TLS session cache), to a listener the runner makes with this factory
    // (OpenResult::then_listener). Empty: one connection. A target that cannot makes the open
    // UNIMPLEMENTED.
    std::shared_ptr<const TransportFactory> then_transport;
};

struct OpenResult {
    enum class Status : std::uint8_t { ok, unimplemented, failed } status = Status::failed;
    std::unique_ptr<Transport> transport;
    std::string error;
    // With ConnectionRequest::then_transport: where the target's second connection arrives, once
    // the first has ended.
    std::unique_ptr<Listener> then_listener;
};

class TargetSession {
public:
    virtual ~TargetSession() = default;
    [[nodiscard]] virtual OpenResult open(const ConnectionRequest& request, Deadline deadline) = 0;
    // Called once the scenario has closed its connections: waits for spawned peers to exit (until
    // the deadline, then kills them) and returns their reports.
    [[nodiscard]] virtual std::vector<PeerReport> finish(Deadline deadline) = 0;
};

class Target {
public:
    virtual ~Target() = default;
    [[nodiscard]] virtual std::string describe() const = 0;
    [[nodiscard]] virtual bool plays(PeerRole role) const = 0;
    // Several connections of one scenario reach the same running instance (needed to test
    // "already connected" refusals).
    [[nodiscard]] virtual bool single_process() const = 0;
    [[nodiscard]] virtual std::size_t default_jobs() const = 0;
    // Whether the target playing `role` is configured by the request's flags (its seed, network);
    // a running instance was configured when it was started.
    [[nodiscard]] virtual bool takes_flags(PeerRole role) const = 0;
    // Whether a connection can have a target configured by its flags when it asks
    // (ConnectionRequest::dedicated), e.g. for clock control.
    [[nodiscard]] virtual bool configurable(PeerRole role) const { return takes_flags(role); }
    // Whether a connection with the target playing `role` can have the runner's side made by a
    // factory of its own (ConnectionRequest::transport): not when a running initiator connects to
    // the runner's one listener.
    [[nodiscard]] virtual bool own_transport(PeerRole role) const {
        (void)role;
        return true;
    }
    [[nodiscard]] virtual std::unique_ptr<TargetSession> session() = 0;
};

class ConnectTarget final : public Target {
public:
    ConnectTarget(std::shared_ptr<const TransportFactory> factory, Endpoint to)
        : m_factory(std::move(factory)), m_to(std::move(to)) {}
    [[nodiscard]] std::string describe() const override { return "acceptor at " + m_to.to_string(); }
    [[nodiscard]] bool plays(PeerRole role) const override { return role == PeerRole::acceptor; }
    [[nodiscard]] bool single_process() const override { return true; }
    [[nodiscard]] std::size_t default_jobs() const override { return 16; }
    [[nodiscard]] bool takes_flags(PeerRole) const override { return false; }
    [[nodiscard]] std::unique_ptr<TargetSession> session() override;

private:
    std::shared_ptr<const TransportFactory> m_factory;
    Endpoint m_to;
};

class ListenTarget final : public Target {
public:
    ListenTarget(std::shared_ptr<const TransportFactory> factory, Endpoint at)
        : m_factory(std::move(factory)), m_at(std::move(at)) {}
    // Opens the listening socket (port 0 picks one); must succeed before sessions are made.
    [[nodiscard]] bool start(std::string& error);
    [[nodiscard]] std::uint16_t port() const;
    [[nodiscard]] std::string describe() const override;
    [[nodiscard]] bool plays(PeerRole role) const override { return role == PeerRole::initiator; }
    [[nodiscard]] bool single_process() const override { return true; }
    // A reconnecting initiator usually makes one connection at a time.
    [[nodiscard]] std::size_t default_jobs() const override { return 1; }
    [[nodiscard]] bool takes_flags(PeerRole) const override { return false; }
    [[nodiscard]] bool own_transport(PeerRole) const override { return false; }
    [[nodiscard]] std::unique_ptr<TargetSession> session() override;

private:
    std::shared_ptr<const TransportFactory> m_factory;
    Endpoint m_at;
    std::shared_ptr<Listener> m_listener;
};

class ShimTarget final : public Target {
public:
    ShimTarget(std::shared_ptr<const TransportFactory> factory, std::string command, Millis startup)
        : m_factory(std::move(factory)), m_command(std::move(command)), m_startup(startup) {}
    [[nodiscard]] std::string describe() const override { return "shim '" + m_command + "'"; }
    [[nodiscard]] bool plays(PeerRole) const override { return true; }
    [[nodiscard]] bool single_process() const override { return false; }
    [[nodiscard]] std::size_t default_jobs() const override;
    [[nodiscard]] bool takes_flags(PeerRole) const override { return true; }
    [[nodiscard]] std::unique_ptr<TargetSession> session() override;

private:
    std::shared_ptr<const TransportFactory> m_factory;
    std::string m_command;
    Millis m_startup;
};

// An implementation linked into the runner, driven like a shim but on threads.
class LocalRun {
public:
    virtual ~LocalRun() = default;
    // Waits for the run to end by itself until the deadline, then stops it.
    [[nodiscard]] virtual PeerReport finish(Deadline deadline) = 0;
};

class LocalPeer {
public:
    virtual ~LocalPeer() = default;
    [[nodiscard]] virtual std::string describe() const = 0;
    // The acceptor this peer serves (started on first use), shared by every scenario.
    [[nodiscard]] virtual std::optional<Endpoint> acceptor(std::string& error) = 0;
    // Whether the peer playing `role` is configured by every scenario's flags. Initiators always
    // are; a peer whose acceptor is too implements start_acceptor.
    [[nodiscard]] virtual bool takes_flags(PeerRole role) const { return role == PeerRole::initiator; }
    // Whether start_acceptor works, for connections that ask for a configured acceptor.
    [[nodiscard]] virtual bool dedicated_acceptor() const { return takes_flags(PeerRole::acceptor); }
    // An acceptor of its own for one connection, configured by shim flags (e.g. --now), listening
    // at `at`; its report covers that connection.
    [[nodiscard]] virtual std::unique_ptr<LocalRun> start_acceptor(const std::vector<std::string>& flags,
                                                                   Endpoint& at, std::string& error) {
        (void)flags;
        (void)at;
        error = "this peer's acceptor takes no flags";
        return nullptr;
    }
    // One initiator connection to `to`, configured by shim flags.
    [[nodiscard]] virtual std::unique_ptr<LocalRun> start_initiator(const Endpoint& to,
                                                                    const std::vector<std::string>& flags,
                                                                    std::string& error) = 0;
    // Whether start_initiator_then works (ConnectionRequest::then_transport).
    [[nodiscard]] virtual bool connects_again() const { return false; }
    // One initiator connection to `to`, then, once it has ended, a second one to `then` by the
    // same run, as a shim given --then-connect makes them (conformance/SHIM.md).
    [[nodiscard]] virtual std::unique_ptr<LocalRun> start_initiator_then(const Endpoint& to, const Endpoint& then,
                                                                         const std::vector<std::string>& flags,
                                                                         std::string& error) {
        (void)to;
        (void)then;
        (void)flags;
        error = "this peer makes one connection per run";
        return nullptr;
    }
};

class LocalPeerTarget final : public Target {
public:
    LocalPeerTarget(std::shared_ptr<const TransportFactory> factory, std::shared_ptr<LocalPeer> peer)
        : m_factory(std::move(factory)), m_peer(std::move(peer)) {}
    [[nodiscard]] std::string describe() const override { return m_peer->describe(); }
    [[nodiscard]] bool plays(PeerRole) const override { return true; }
    [[nodiscard]] bool single_process() const override { return true; }
    // Twelve per core: the in-process target shares the harness's cores, and past that (under the
    // sanitizers, say) its own handshake timers start to expire while it waits for a core.
    [[nodiscard]] std::size_t default_jobs() const override {
        return std::max<std::size_t>(12, std::size_t{12} * std::thread::hardware_concurrency());
    }
    // Each initiator is started for its connection; the acceptor is one running server, or one per
    // connection when the peer's acceptor takes flags.
    [[nodiscard]] bool takes_flags(PeerRole role) const override { return m_peer->takes_flags(role); }
    [[nodiscard]] bool configurable(PeerRole role) const override {
        return m_peer->takes_flags(role) || (role == PeerRole::acceptor && m_peer->dedicated_acceptor());
    }
    [[nodiscard]] std::unique_ptr<TargetSession> session() override;

private:
    std::shared_ptr<const TransportFactory> m_factory;
    std::shared_ptr<LocalPeer> m_peer;
};

}  // namespace shakedown::conformance
