#include "conformance/runner/machine_peer.hpp"

#include <algorithm>

namespace shakedown::conformance {

namespace {

std::string describe_closure(const Machine& m) {
    const auto c = m.closure();
    if (!c) {
        return "unknown";
    }
    if (c->by_peer) {
        return "remote closed";
    }
    std::string s(to_string(c->failure.code));
    if (c->failure.detail != nullptr && *c->failure.detail != '\0') {
        s += ": ";
        s += c->failure.detail;
    }
    if (!c->sent.empty()) {
        s += " (sent " + c->sent + ")";
    }
    return s;
}

}  // namespace

bool flush_output(Machine& m, Transport& t, Deadline deadline) {
    for (const auto& unit : m.take_output()) {
        if (t.send(unit, deadline)) {
            return false;
        }
    }
    return true;
}

DriveOutcome drive_machine(Machine& m, Transport& t, const std::atomic<bool>& stop, const DriveLimits& limits,
                           const LineSink& emit) {
    DriveOutcome outcome;
    const Deadline end = limits.lifetime.count() > 0 ? after(limits.lifetime) : Deadline::max();
    const bool hears_close = t.reports_peer_close();
    bool reported = false;
    bool lingered = false;
    bool transport_ok = flush_output(m, t, after(Millis(2000)));
    while (transport_ok && !stop.load() && m.next_action() != Action::closed) {
        if (m.authenticated() && !reported) {
            reported = true;
            outcome.authenticated = true;
            emit("HANDSHAKE_OK " + to_hex(m.peer_identity()));
        }
        if (SteadyClock::now() >= end) {
            break;
        }
        // Waits are sliced so that `stop` is honoured; the idle deadline counts from the last
        // input while the handshake is not done, and after it on a transport that would never say
        // the peer left.
        Millis idle(0);
        if (!m.authenticated()) {
            idle = Millis(m.idle_timeout_ms().value_or(static_cast<std::uint32_t>(limits.default_idle.count())));
        } else if (!hears_close) {
            idle = limits.datagram_linger;
        }
        const Deadline idle_at = after(idle);
        Incoming in;
        for (;;) {
            Deadline slice = std::min(after(Millis(100)), end);
            if (idle.count() > 0) {
                slice = std::min(slice, idle_at);
            }
            in = t.receive_any(slice);
            const auto now = SteadyClock::now();
            if (in.kind != Incoming::Kind::timeout || stop.load() || now >= end ||
                (idle.count() > 0 && now >= idle_at)) {
                break;
            }
        }
        switch (in.kind) {
            case Incoming::Kind::message:
                m.receive(in.wire);
                break;
            case Incoming::Kind::framing_error:
            case Incoming::Kind::limit:
                // Let the machine judge the bytes itself (it gives the variant's own error), then
                // end: the transport cannot follow the stream any more. On datagrams a limit is
                // one oversized datagram; the next one is whole again, so the machine decides.
                if (!in.wire.empty()) {
                    m.receive(in.wire);
                }
                if (hears_close && m.next_action() != Action::closed) {
                    m.peer_closed();
                }
                break;
            case Incoming::Kind::closed:
            case Incoming::Kind::reset:
                if (!in.wire.empty()) {
                    m.receive(in.wire);
                }
                if (m.next_action() != Action::closed) {
                    m.peer_closed();
                }
                break;
            case Incoming::Kind::timeout:
                if (idle.count() > 0 && SteadyClock::now() >= idle_at) {
                    if (m.authenticated()) {
                        lingered = true;
                    } else {
                        m.idle_timeout();
                    }
                }
                break;
        }
        transport_ok = flush_output(m, t, after(Millis(2000)));
        if (in.kind == Incoming::Kind::closed || in.kind == Incoming::Kind::reset ||
            in.kind == Incoming::Kind::framing_error || (in.kind == Incoming::Kind::limit && hears_close) ||
            lingered) {
            break;
        }
    }
    if (m.authenticated() && !reported) {
        outcome.authenticated = true;
        emit("HANDSHAKE_OK " + to_hex(m.peer_identity()));
    }
    if (!outcome.authenticated) {
        outcome.line = "HANDSHAKE_FAILED " + describe_closure(m);
    } else if (lingered && !m.closure()) {
        outcome.line = "CLOSED quiet for " + std::to_string(limits.datagram_linger.count()) + " ms after the handshake";
    } else {
        outcome.line = "CLOSED " + describe_closure(m);
    }
    emit(outcome.line);
    t.shutdown_send();
    t.close();
    return outcome;
}

std::optional<std::string> ConnectionGate::admit(const std::string& address, std::size_t active,
                                                 SteadyClock::time_point now) {
    // Forget what left the window, for every address, so that the map holds only live entries.
    for (auto it = m_recent.begin(); it != m_recent.end();) {
        auto& times = it->second;
        while (!times.empty() && now - times.front() >= m_limits.window) {
            times.pop_front();
        }
        it = times.empty() ? m_recent.erase(it) : std::next(it);
    }
    if (m_limits.max_concurrent > 0 && active >= m_limits.max_concurrent) {
        return "more than " + std::to_string(m_limits.max_concurrent) + " connections at once";
    }
    if (m_limits.per_address_per_window > 0 && !address.empty()) {
        auto& times = m_recent[address];
        if (times.size() >= m_limits.per_address_per_window) {
            return "more than " + std::to_string(m_limits.per_address_per_window) + " connections from " + address +
                   " in " + std::to_string(m_limits.window.count()) + " ms";
        }
        times.push_back(now);
    }
    return std::nullopt;
}

MachineServer::MachineServer(std::shared_ptr<const TransportFactory> transport, ConnectionMachineFactory make,
                             DriveLimits limits, LineSink emit, std::optional<ConnectionLimits> connection_limits)
    : m_transport(std::move(transport)), m_make(std::move(make)), m_limits(limits), m_emit(std::move(emit)) {
    if (connection_limits) {
        m_gate.emplace(*connection_limits);
    }
}

MachineServer::~MachineServer() { stop(); }

bool MachineServer::listen(const Endpoint& at, std::string& error) {
    m_listener = m_transport->listen(at, error);
    if (!m_listener) {
        return false;
    }
    if (const auto text = m_listener->describe(); !text.empty()) {
        m_emit("TRANSPORT " + text);
    }
    m_emit("LISTENING " + std::to_string(m_listener->port()));
    return true;
}

std::uint16_t MachineServer::port() const { return m_listener ? m_listener->port() : 0; }

bool WorkerPool::spawn(std::function<void()> job) {
    std::lock_guard<std::mutex> lock(m_mutex);
    if (m_workers.size() >= m_max) {
        return false;
    }
    Worker& w = m_workers.emplace_back();
    w.thread = std::thread([&w, job = std::move(job)] {
        job();
        w.done.store(true);
    });
    return true;
}

void WorkerPool::reap(bool all) {
    std::lock_guard<std::mutex> lock(m_mutex);
    for (auto it = m_workers.begin(); it != m_workers.end();) {
        if (all || it->done.load()) {
            if (it->thread.joinable()) {
                it->thread.join();
            }
            it = m_workers.erase(it);
        } else {
            ++it;
        }
    }
}

bool WorkerPool::all_done() {
    std::lock_guard<std::mutex> lock(m_mutex);
    return std::all_of(m_workers.begin(), m_workers.end(), [](const Worker& w) { return w.done.load(); });
}

std::size_t WorkerPool::running() {
    std::lock_guard<std::mutex> lock(m_mutex);
    return static_cast<std::size_t>(
        std::count_if(m_workers.begin(), m_workers.end(), [](const Worker& w) { return !w.done.load(); }));
}

bool WorkerPool::empty() {
    std::lock_guard<std::mutex> lock(m_mutex);
    return m_workers.empty();
}

std::size_t MachineServer::serve(std::size_t max_connections, std::optional<Deadline> until) {
    std::size_t accepted = 0;
    while (m_listener && !m_stop.load() && (max_connections == 0 || accepted < max_connections)) {
        if (until && SteadyClock::now() >= *until) {
            break;
        }
        m_workers.reap(false);
        Deadline slice = after(Millis(100));
        if (until) {
            slice = std::min(slice, *until);
        }
        std::string error;
        auto transport = m_listener->accept(slice, error);
        if (!transport) {
            continue;
        }
        if (m_gate) {
            const std::string address = transport->peer_address();
            if (auto why = m_gate->admit(address, m_workers.running(), SteadyClock::now())) {
                // Closed before any machine exists: a refused connection costs no derivation. The
                // line and the count come first, so whoever sees the close can also see why.
                m_emit("REFUSED " + (address.empty() ? std::string("-") : address) + " " + *why);
                m_refused.fetch_add(1);
                transport->close();
                continue;
            }
        }
        ++accepted;
        m_accepted.fetch_add(1);
        std::shared_ptr<Transport> t(std::move(transport));
        const bool started = m_workers.spawn([this, t] {
            std::string why;
            auto machine = m_make(Role::acceptor, why);
            if (machine) {
                machine->start();
                if (drive_machine(*machine, *t, m_stop, m_limits, m_emit).authenticated) {
                    m_completed.fetch_add(1);
                }
            } else {
                m_emit("HANDSHAKE_FAILED configuration: " + why);
                t->abort();
            }
        });
        if (!started) {
            t->abort();
            m_emit("HANDSHAKE_FAILED too many concurrent connections");
        }
    }
    if (max_connections != 0) {
        // Serving a fixed number: wait for them to finish.
        for (;;) {
            if (m_workers.all_done()) {
                break;
            }
            if (m_stop.load() || (until && SteadyClock::now() >= *until)) {
                m_stop.store(true);
                break;
            }
            std::this_thread::sleep_for(Millis(5));
        }
    }
    m_workers.reap(true);
    return m_completed.load();
}

void MachineServer::start_background() {
    m_background = std::thread([this] { (void)serve(0, std::nullopt); });
}

void MachineServer::stop() {
    m_stop.store(true);
    if (m_background.joinable()) {
        m_background.join();
    }
    m_workers.reap(true);
}

DriveOutcome run_machine_initiator(const TransportFactory& transport, const Endpoint& to, Machine& machine,
                                   const std::atomic<bool>& stop, const DriveLimits& limits, const LineSink& emit) {
    std::string error;
    auto t = transport.connect(to, after(Millis(5000)), error);
    if (!t) {
        DriveOutcome o;
        o.line = "HANDSHAKE_FAILED connect: " + error;
        emit(o.line);
        return o;
    }
    machine.start();
    return drive_machine(machine, *t, stop, limits, emit);
}

namespace {

}  // namespace

ThreadedRun::ThreadedRun(Body body, std::string description) : m_description(std::move(description)) {
    m_thread = std::thread([this, body = std::move(body)] {
        const bool authenticated = body(m_stop, [this](const std::string& line) {
            std::lock_guard<std::mutex> lock(m_mutex);
            if (m_lines.size() < 16) {
                m_lines.push_back(line);
            }
        });
        m_exit = authenticated ? 0 : 1;
        m_done.store(true);
    });
}

ThreadedRun::~ThreadedRun() {
    m_stop.store(true);
    if (m_thread.joinable()) {
        m_thread.join();
    }
}

PeerReport ThreadedRun::finish(Deadline deadline) {
    while (!m_done.load() && SteadyClock::now() < deadline) {
        std::this_thread::sleep_for(Millis(2));
    }
    PeerReport r;
    r.command = m_description;
    r.killed = !m_done.load();
    m_stop.store(true);
    if (m_thread.joinable()) {
        m_thread.join();
    }
    if (!r.killed) {
        r.exit_status = m_exit;
    }
    std::lock_guard<std::mutex> lock(m_mutex);
    r.lines = m_lines;
    return r;
}

MachineReferencePeer::MachineReferencePeer(std::string description, std::shared_ptr<const TransportFactory> transport,
                                           FlaggedMachineFactory make, DriveLimits limits,
                                           std::optional<ConnectionLimits> connection_limits)
    : m_description(std::move(description)),
      m_transport(std::move(transport)),
      m_make(std::move(make)),
      m_limits(limits),
      m_connection_limits(connection_limits) {}

MachineReferencePeer::~MachineReferencePeer() {
    std::lock_guard<std::mutex> lock(m_mutex);
    if (m_server) {
        m_server->stop();
    }
}

std::optional<Endpoint> MachineReferencePeer::acceptor(std::string& error) {
    std::lock_guard<std::mutex> lock(m_mutex);
    if (!m_server) {
        auto server = std::make_unique<MachineServer>(
            m_transport,
            [make = m_make](Role role, std::string& why) { return make(role, {}, why); }, m_limits,
            [](const std::string&) {}, m_connection_limits);
        if (!server->listen(Endpoint{"127.0.0.1", 0}, error)) {
            error = "reference acceptor: " + error;
            return std::nullopt;
        }
        server->start_background();
        m_server = std::move(server);
    }
    return Endpoint{"127.0.0.1", m_server->port()};
}

std::unique_ptr<LocalRun> start_machine_acceptor(std::shared_ptr<const TransportFactory> transport,
                                                 FlaggedMachineFactory make, const std::vector<std::string>& flags,
                                                 DriveLimits limits, Endpoint& at, std::string& error) {
    // Check the flags before listening, so a bad set is reported by the open.
    if (!make(Role::acceptor, flags, error)) {
        return nullptr;
    }
    std::shared_ptr<Listener> listener(transport->listen(Endpoint{"127.0.0.1", 0}, error));
    if (!listener) {
        return nullptr;
    }
    at = Endpoint{"127.0.0.1", listener->port()};
    return std::make_unique<ThreadedRun>(
        [listener, make = std::move(make), flags, limits](const std::atomic<bool>& stop, const LineSink& emit) {
            std::string why;
            std::unique_ptr<Transport> t;
            while (!t && !stop.load()) {
                t = listener->accept(after(Millis(50)), why);
            }
            if (!t) {
                return false;
            }
            auto machine = make(Role::acceptor, flags, why);
            if (!machine) {
                emit("HANDSHAKE_FAILED configuration: " + why);
                t->abort();
                return false;
            }
            machine->start();
            return drive_machine(*machine, *t, stop, limits, emit).authenticated;
        },
        "reference acceptor (in process)");
}

std::unique_ptr<LocalRun> MachineReferencePeer::start_acceptor(const std::vector<std::string>& flags, Endpoint& at,
                                                               std::string& error) {
    return start_machine_acceptor(m_transport, m_make, flags, m_limits, at, error);
}

std::unique_ptr<LocalRun> MachineReferencePeer::start_initiator(const Endpoint& to,
                                                                const std::vector<std::string>& flags,
                                                                std::string& error) {
    auto machine = m_make(Role::initiator, flags, error);
    if (!machine) {
        return nullptr;
    }
    std::shared_ptr<Machine> owned(std::move(machine));
    return std::make_unique<ThreadedRun>(
        [transport = m_transport, to, owned, limits = m_limits](const std::atomic<bool>& stop, const LineSink& emit) {
            return run_machine_initiator(*transport, to, *owned, stop, limits, emit).authenticated;
        });
}

std::unique_ptr<LocalRun> MachineReferencePeer::start_initiator_then(const Endpoint& to, const Endpoint& then,
                                                                     const std::vector<std::string>& flags,
                                                                     std::string& error) {
    auto first = m_make(Role::initiator, flags, error);
    auto second = first ? m_make(Role::initiator, flags, error) : nullptr;
    if (!second) {
        return nullptr;
    }
    std::shared_ptr<Machine> one(std::move(first));
    std::shared_ptr<Machine> two(std::move(second));
    return std::make_unique<ThreadedRun>([transport = m_transport, to, then, one, two, limits = m_limits](
                                             const std::atomic<bool>& stop, const LineSink& emit) {
        const bool a = run_machine_initiator(*transport, to, *one, stop, limits, emit).authenticated;
        if (stop.load()) {
            return false;
        }
        const bool b = run_machine_initiator(*transport, then, *two, stop, limits, emit).authenticated;
        return a && b;
    });
}

}  // namespace shakedown::conformance
