#include "conformance/runner/target.hpp"

#include <charconv>
#include <thread>

namespace shakedown::conformance {

namespace {

OpenResult failed(std::string error) {
    OpenResult r;
    r.status = OpenResult::Status::failed;
    r.error = std::move(error);
    return r;
}

// The factory of the runner's side of a connection: the request's own, else the target's.
const TransportFactory& factory(const ConnectionRequest& request, const std::shared_ptr<const TransportFactory>& f) {
    return request.transport ? *request.transport : *f;
}

OpenResult opened(std::unique_ptr<Transport> t) {
    OpenResult r;
    r.status = OpenResult::Status::ok;
    r.transport = std::move(t);
    return r;
}

class ConnectSession final : public TargetSession {
public:
    ConnectSession(std::shared_ptr<const TransportFactory> f, Endpoint to) : m_factory(std::move(f)), m_to(std::move(to)) {}
    OpenResult open(const ConnectionRequest& request, Deadline deadline) override {
        if (request.target_role != PeerRole::acceptor) {
            return failed("a --connect target only plays acceptor");
        }
        std::string error;
        auto t = factory(request, m_factory).connect(m_to, deadline, error);
        return t ? opened(std::move(t)) : failed(error);
    }
    std::vector<PeerReport> finish(Deadline) override { return {}; }

private:
    std::shared_ptr<const TransportFactory> m_factory;
    Endpoint m_to;
};

class ListenSession final : public TargetSession {
public:
    explicit ListenSession(std::shared_ptr<Listener> l) : m_listener(std::move(l)) {}
    OpenResult open(const ConnectionRequest& request, Deadline deadline) override {
        if (request.target_role != PeerRole::initiator) {
            return failed("a --listen target only plays initiator");
        }
        if (request.transport || request.then_transport) {
            return failed(
                "a --listen target connects to the runner's one listener, which cannot change per connection");
        }
        std::string error;
        auto t = m_listener->accept(deadline, error);
        return t ? opened(std::move(t)) : failed("waiting for the target to connect: " + error);
    }
    std::vector<PeerReport> finish(Deadline) override { return {}; }

private:
    std::shared_ptr<Listener> m_listener;
};

PeerReport report_of(ChildProcess& p, const std::string& command) {
    PeerReport r;
    r.command = command;
    r.exit_status = p.exit_status();
    r.killed = p.killed();
    r.lines = p.lines();
    r.stderr_tail = p.stderr_tail();
    return r;
}

std::string describe_exit(ChildProcess& p) {
    const auto status = p.exit_status();
    std::string tail = p.stderr_tail();
    if (tail.size() > 200) {
        tail = "..." + tail.substr(tail.size() - 200);
    }
    while (!tail.empty() && (tail.back() == '\n' || tail.back() == '\r')) {
        tail.pop_back();
    }
    return "shim exited with status " + (status ? std::to_string(*status) : std::string("?")) +
           (tail.empty() ? "" : " (stderr: " + tail + ")");
}

class ShimSession final : public TargetSession {
public:
    ShimSession(std::shared_ptr<const TransportFactory> f, std::string command, Millis startup)
        : m_factory(std::move(f)), m_command(std::move(command)), m_startup(startup) {}

    OpenResult open(const ConnectionRequest& request, Deadline deadline) override {
        const Deadline start_deadline = std::max(deadline, SteadyClock::now() + m_startup);
        return request.target_role == PeerRole::acceptor ? open_acceptor(request, start_deadline)
                                                         : open_initiator(request, start_deadline);
    }

    std::vector<PeerReport> finish(Deadline deadline) override {
        std::vector<PeerReport> out;
        for (auto& p : m_processes) {
            if (!p->wait(deadline)) {
                p->kill();
            }
            out.push_back(report_of(*p, m_command));
        }
        m_processes.clear();
        return out;
    }

private:
    OpenResult unimplemented_or_failed(ChildProcess& p, const std::string& when) {
        if (p.exit_status() == 89) {
            OpenResult r;
            r.status = OpenResult::Status::unimplemented;
            r.error = "shim exited 89 (unimplemented) " + when;
            return r;
        }
        return failed(describe_exit(p) + " " + when);
    }

    OpenResult open_acceptor(const ConnectionRequest& request, Deadline deadline) {
        std::vector<std::string> args{"--role", "acceptor", "--listen", "127.0.0.1:0"};
        args.insert(args.end(), request.flags.begin(), request.flags.end());
        std::string error;
        auto p = ChildProcess::spawn(m_command, args, error);
        if (!p) {
            return failed(error);
        }
        ChildProcess& proc = *p;
        m_processes.push_back(std::move(p));
        while (SteadyClock::now() < deadline) {
            auto line = proc.read_line(deadline);
            if (!line) {
                if (proc.wait(std::min(deadline, SteadyClock::now() + Millis(20)))) {
                    return unimplemented_or_failed(proc, "before printing LISTENING");
                }
                continue;
            }
            if (line->rfind("LISTENING ", 0) != 0) {
                continue;
            }
            unsigned port = 0;
            const std::string_view digits = std::string_view(*line).substr(10);
            const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), port);
            if (ec != std::errc{} || port == 0 || port > 65535) {
                return failed("shim printed a bad LISTENING line: " + *line);
            }
            auto t = factory(request, m_factory)
                         .connect(Endpoint{"127.0.0.1", static_cast<std::uint16_t>(port)}, deadline, error);
            return t ? opened(std::move(t)) : failed(error);
        }
        proc.kill();
        return unimplemented_or_failed(proc, "without printing LISTENING in time");
    }

    OpenResult open_initiator(const ConnectionRequest& request, Deadline deadline) {
        std::string error;
        auto listener = factory(request, m_factory).listen(Endpoint{"127.0.0.1", 0}, error);
        if (!listener) {
            return failed(error);
        }
        std::vector<std::string> args{"--role", "initiator", "--connect",
                                      "127.0.0.1:" + std::to_string(listener->port())};
        std::unique_ptr<Listener> then;
        if (request.then_transport) {
            then = request.then_transport->listen(Endpoint{"127.0.0.1", 0}, error);
            if (!then) {
                return failed(error);
            }
            args.insert(args.end(), {"--then-connect", "127.0.0.1:" + std::to_string(then->port())});
        }
        args.insert(args.end(), request.flags.begin(), request.flags.end());
        auto p = ChildProcess::spawn(m_command, args, error);
        if (!p) {
            return failed(error);
        }
        ChildProcess& proc = *p;
        m_processes.push_back(std::move(p));
        while (SteadyClock::now() < deadline) {
            auto t = listener->accept(std::min(deadline, SteadyClock::now() + Millis(100)), error);
            if (t) {
                OpenResult r = opened(std::move(t));
                r.then_listener = std::move(then);
                return r;
            }
            if (proc.exit_status()) {
                return unimplemented_or_failed(proc, "before connecting");
            }
        }
        proc.kill();
        return unimplemented_or_failed(proc, "without connecting in time");
    }

    std::shared_ptr<const TransportFactory> m_factory;
    std::string m_command;
    Millis m_startup;
    std::vector<std::unique_ptr<ChildProcess>> m_processes;
};

class LocalSession final : public TargetSession {
public:
    LocalSession(std::shared_ptr<const TransportFactory> f, std::shared_ptr<LocalPeer> peer)
        : m_factory(std::move(f)), m_peer(std::move(peer)) {}

    OpenResult open(const ConnectionRequest& request, Deadline deadline) override {
        std::string error;
        if (request.target_role == PeerRole::acceptor &&
            (m_peer->takes_flags(PeerRole::acceptor) || (request.dedicated && m_peer->dedicated_acceptor()))) {
            Endpoint at;
            auto run = m_peer->start_acceptor(request.flags, at, error);
            if (!run) {
                return failed(error);
            }
            m_runs.push_back(std::move(run));
            auto t = factory(request, m_factory).connect(at, deadline, error);
            return t ? opened(std::move(t)) : failed(error);
        }
        if (request.target_role == PeerRole::acceptor) {
            const auto at = m_peer->acceptor(error);
            if (!at) {
                return failed(error);
            }
            auto t = factory(request, m_factory).connect(*at, deadline, error);
            return t ? opened(std::move(t)) : failed(error);
        }
        if (request.then_transport && !m_peer->connects_again()) {
            OpenResult r;
            r.status = OpenResult::Status::unimplemented;
            r.error = m_peer->describe() + " makes one connection per run (no second connection)";
            return r;
        }
        auto listener = factory(request, m_factory).listen(Endpoint{"127.0.0.1", 0}, error);
        if (!listener) {
            return failed(error);
        }
        const Endpoint to{"127.0.0.1", listener->port()};
        std::unique_ptr<Listener> then;
        std::unique_ptr<LocalRun> run;
        if (request.then_transport) {
            then = request.then_transport->listen(Endpoint{"127.0.0.1", 0}, error);
            if (!then) {
                return failed(error);
            }
            run = m_peer->start_initiator_then(to, Endpoint{"127.0.0.1", then->port()}, request.flags, error);
        } else {
            run = m_peer->start_initiator(to, request.flags, error);
        }
        if (!run) {
            return failed(error);
        }
        m_runs.push_back(std::move(run));
        auto t = listener->accept(deadline, error);
        if (!t) {
            return failed("waiting for the local initiator: " + error);
        }
        OpenResult r = opened(std::move(t));
        r.then_listener = std::move(then);
        return r;
    }

    std::vector<PeerReport> finish(Deadline deadline) override {
        std::vector<PeerReport> out;
        for (auto& r : m_runs) {
            out.push_back(r->finish(deadline));
        }
        m_runs.clear();
        return out;
    }

private:
    std::shared_ptr<const TransportFactory> m_factory;
    std::shared_ptr<LocalPeer> m_peer;
    std::vector<std::unique_ptr<LocalRun>> m_runs;
};

}  // namespace

std::unique_ptr<TargetSession> ConnectTarget::session() { return std::make_unique<ConnectSession>(m_factory, m_to); }

bool ListenTarget::start(std::string& error) {
    auto l = m_factory->listen(m_at, error);
    if (!l) {
        return false;
    }
    m_listener = std::move(l);
    return true;
}

std::uint16_t ListenTarget::port() const { return m_listener ? m_listener->port() : 0; }

std::string ListenTarget::describe() const {
    return "initiator connecting to " + Endpoint{m_at.host, port()}.to_string();
}

std::unique_ptr<TargetSession> ListenTarget::session() { return std::make_unique<ListenSession>(m_listener); }

std::size_t ShimTarget::default_jobs() const {
    const unsigned n = std::thread::hardware_concurrency();
    return std::max<std::size_t>(4, static_cast<std::size_t>(n) * 3);
}

std::unique_ptr<TargetSession> ShimTarget::session() {
    return std::make_unique<ShimSession>(m_factory, m_command, m_startup);
}

std::unique_ptr<TargetSession> LocalPeerTarget::session() { return std::make_unique<LocalSession>(m_factory, m_peer); }

}  // namespace shakedown::conformance
