#include "conformance/scenarios/stellar/peer.hpp"

#include "conformance/runner/machine_peer.hpp"

#include <array>
#include <charconv>
#include <ctime>
#include <iostream>

#include "common/crypto.hpp"

namespace shakedown::conformance::reference {

using stellar::Handshake;
using stellar::HandshakeConfig;
using stellar::HandshakeState;
using stellar::Role;

std::uint64_t PeerClock::unix_seconds() const {
    if (m_fixed) {
        return *m_fixed;
    }
    const auto now = static_cast<std::int64_t>(std::time(nullptr));
    return static_cast<std::uint64_t>(std::max<std::int64_t>(0, now + m_skew));
}

namespace {

// Closes so that what was written reaches the peer: stellar-core writes ERROR and then drops; a
// plain close with unread input would send a reset and could discard the queued ERROR.
void graceful_close(TcpStream& s) {
    s.shutdown_send();
    std::array<std::uint8_t, 4096> sink{};
    const Deadline until = after(Millis(300));
    for (;;) {
        std::error_code ec;
        const std::size_t n = s.read_some(sink, until, ec);
        if (ec || n == 0) {
            break;
        }
    }
    s.close();
}

std::string describe_closure(const Handshake& hs) {
    if (!hs.closure()) {
        return "unknown";
    }
    const auto& c = *hs.closure();
    if (c.by_peer) {
        return "remote closed";
    }
    std::string s(to_string(c.failure.code));
    if (c.failure.detail != nullptr && *c.failure.detail != '\0') {
        s += ": ";
        s += c.failure.detail;
    }
    if (c.sent_error) {
        s += " (sent ERROR " + std::string(stellar::to_string(c.sent_error->code)) + ")";
    }
    return s;
}

}  // namespace

ConnectionOutcome drive_connection(TcpStream& stream, const std::function<HandshakeConfig()>& make_config,
                                   const PeerOptions& options, const std::atomic<bool>& stop, const LineSink& emit,
                                   const std::function<void(const ByteArray<32>&)>& on_authenticated) {
    SystemRng rng;
    const PeerClock clock(options.fixed_now, options.clock_skew);
    std::unique_ptr<Handshake> hs;
    auto build = [&] {
        if (!hs) {
            hs = std::make_unique<Handshake>(make_config(), rng, clock);
            hs->start();
        }
        return hs.get();
    };
    if (options.config.role == Role::initiator) {
        build();
    }
    ConnectionOutcome outcome;
    auto note_authenticated = [&] {
        if (hs && hs->authenticated() && !outcome.authenticated) {
            outcome.authenticated = true;
            outcome.remote_peer_id = hs->remote_hello()->peer_id;
            emit("HANDSHAKE_OK " + to_hex(hs->remote_hello()->peer_id));
            if (on_authenticated) {
                on_authenticated(hs->remote_hello()->peer_id);
            }
        }
    };
    const Deadline born = SteadyClock::now();
    Deadline last_traffic = born;
    std::array<std::uint8_t, 16 * 1024> buf{};
    std::string end_reason;
    for (;;) {
        if (stop.load()) {
            stream.abort();
            end_reason = "stopped";
            break;
        }
        if (hs) {
            const Bytes out = hs->take_output();
            if (!out.empty()) {
                if (const auto ec = stream.write_all(out, after(Millis(2000)))) {
                    hs->peer_closed();
                    end_reason = "write failed: " + ec.message();
                    stream.abort();
                    break;
                }
            }
            note_authenticated();
            if (hs->state() == HandshakeState::closed) {
                if (hs->closure() && hs->closure()->by_peer) {
                    stream.close();
                } else {
                    graceful_close(stream);
                }
                break;
            }
        }
        const auto now = SteadyClock::now();
        if (options.connection_lifetime.count() > 0 && now - born >= options.connection_lifetime) {
            end_reason = "connection lifetime over";
            graceful_close(stream);
            break;
        }
        const bool authenticated = hs && hs->authenticated();
        Deadline slice = now + Millis(100);
        const Deadline idle_at = last_traffic + options.idle_timeout;
        if (!authenticated) {
            slice = std::min(slice, std::max(idle_at, now + Millis(1)));
        }
        std::error_code ec;
        const std::size_t n = stream.read_some(buf, slice, ec);
        if (n > 0) {
            last_traffic = SteadyClock::now();
            build()->receive(ByteView(buf.data(), n));
        }
        if (ec == std::errc::timed_out) {
            if (!authenticated && SteadyClock::now() >= idle_at) {
                // stellar-core drops a connection idle during the handshake (no-idle-timeout
                // makes this a no-op).
                build()->idle_timeout();
            }
            continue;
        }
        if (ec) {
            // Answer what arrived with the end first (it may complete or fail the handshake).
            if (hs) {
                const Bytes last = hs->take_output();
                if (!last.empty()) {
                    (void)stream.write_all(last, after(Millis(500)));
                }
            }
            build()->peer_closed();
            stream.close();
            break;
        }
    }
    note_authenticated();
    if (end_reason.empty()) {
        end_reason = hs ? describe_closure(*hs) : "remote closed";
    }
    outcome.line = (outcome.authenticated ? "CLOSED " : "HANDSHAKE_FAILED ") + end_reason;
    emit(outcome.line);
    return outcome;
}

ConnectionOutcome run_initiator(const Endpoint& to, const PeerOptions& options, const std::atomic<bool>& stop,
                                const LineSink& emit) {
    TcpStream stream;
    if (const auto ec = stream.connect(to, after(Millis(5000)))) {
        ConnectionOutcome o;
        o.connected = false;
        o.line = "HANDSHAKE_FAILED connect " + to.to_string() + ": " + ec.message();
        emit(o.line);
        return o;
    }
    PeerOptions initiator = options;
    initiator.config.role = Role::initiator;
    return drive_connection(
        stream, [&initiator] { return initiator.config; }, initiator, stop, emit);
}

PeerServer::PeerServer(PeerOptions options, LineSink emit) : m_options(std::move(options)), m_emit(std::move(emit)) {}

PeerServer::~PeerServer() { stop(); }

std::error_code PeerServer::listen(const Endpoint& at) {
    auto ec = m_listener.listen(at);
    if (!ec) {
        m_emit("LISTENING " + std::to_string(m_listener.port()));
    }
    return ec;
}

std::size_t PeerServer::serve(std::size_t max_connections, std::optional<Deadline> until) {
    std::size_t accepted = 0;
    while (!m_stop.load() && (max_connections == 0 || accepted < max_connections)) {
        if (until && SteadyClock::now() >= *until) {
            break;
        }
        m_workers.reap(false);
        std::error_code ec;
        Deadline slice = after(Millis(100));
        if (until) {
            slice = std::min(slice, *until);
        }
        auto stream = m_listener.accept(slice, ec);
        if (!stream) {
            continue;
        }
        ++accepted;
        m_accepted.fetch_add(1);
        std::shared_ptr<TcpStream> s(std::move(stream));
        const bool started = m_workers.spawn([this, s] {
            std::optional<ByteArray<32>> registered;
            PeerOptions options = m_options;
            options.config.role = Role::acceptor;
            const auto make_config = [this, &options] {
                HandshakeConfig config = options.config;
                std::lock_guard<std::mutex> l(m_mutex);
                config.connected_peers.assign(m_authenticated.begin(), m_authenticated.end());
                return config;
            };
            const auto outcome = drive_connection(*s, make_config, options, m_stop, m_emit,
                                                  [&](const ByteArray<32>& id) {
                                                      std::lock_guard<std::mutex> l(m_mutex);
                                                      if (m_authenticated.insert(id).second) {
                                                          registered = id;
                                                      }
                                                  });
            if (outcome.authenticated) {
                m_completed.fetch_add(1);
            }
            {
                std::lock_guard<std::mutex> l(m_mutex);
                if (registered) {
                    m_authenticated.erase(*registered);
                }
            }
        });
        if (!started) {
            s->abort();
            m_emit("HANDSHAKE_FAILED too many concurrent connections");
        }
    }
    // Let the served connections finish (or be stopped).
    for (;;) {
        m_workers.reap(false);
        if (m_workers.empty()) {
            break;
        }
        if (until && SteadyClock::now() >= *until) {
            m_stop.store(true);
        }
        std::this_thread::sleep_for(Millis(5));
    }
    return m_completed.load();
}

void PeerServer::start_background() {
    m_background = std::thread([this] { serve(0, std::nullopt); });
}

void PeerServer::stop() {
    m_stop.store(true);
    if (m_background.joinable()) {
        m_background.join();
    }
    m_workers.reap(true);
    m_listener.close();
}


const std::vector<registry::ShimFlag>& shim_flags() {
    static const std::vector<registry::ShimFlag> table = {
        {"seed", "HEX", "ed25519 node seed, 64 hex characters (default: random)"},
        {"network", "PASSPHRASE", "network passphrase; networkID = SHA-256(passphrase)"},
        {"ledger-version", "N", "Hello.ledgerVersion"},
        {"overlay-version", "N", "Hello.overlayVersion"},
        {"overlay-min-version", "N", "Hello.overlayMinVersion"},
        {"version-str", "TEXT", "Hello.versionStr"},
        {"listening-port", "N", "Hello.listeningPort"},
        {"now", "UNIX", "freeze the clock at this Unix time (cert expiry, validity checks)"},
        {"clock-skew", "SECONDS", "seconds added to the system clock (negative: behind)"},
        {"idle-timeout-ms", "MS", "handshake idle timeout (default 2000)"},
        {"timeout-ms", "MS", "upper bound on one connection's life"},
    };
    return table;
}

bool apply_settings(const registry::Settings& settings, PeerOptions& options, std::string& error) {
    using registry::setting;
    if (const auto v = setting(settings, "seed")) {
        const auto bytes = from_hex(*v);
        if (!bytes || bytes->size() != 32) {
            error = "--seed needs 64 hex characters";
            return false;
        }
        std::copy(bytes->begin(), bytes->end(), options.config.node_seed.begin());
    }
    if (const auto v = setting(settings, "network")) {
        options.config.network_passphrase = *v;
    }
    for (const auto& [name, field] : {std::pair{"ledger-version", &stellar::HandshakeConfig::ledger_version},
                                      std::pair{"overlay-version", &stellar::HandshakeConfig::overlay_version},
                                      std::pair{"overlay-min-version", &stellar::HandshakeConfig::overlay_min_version}}) {
        if (const auto v = setting(settings, name)) {
            std::uint32_t n = 0;
            if (!registry::parse_number(*v, n)) {
                error = std::string("--") + name + " needs an unsigned 32-bit number";
                return false;
            }
            options.config.*field = n;
        }
    }
    if (const auto v = setting(settings, "listening-port")) {
        std::int32_t n = 0;
        if (!registry::parse_number(*v, n)) {
            error = "--listening-port needs a 32-bit number";
            return false;
        }
        options.config.listening_port = n;
    }
    if (const auto v = setting(settings, "version-str")) {
        options.config.version_str = *v;
    }
    if (const auto v = setting(settings, "now")) {
        std::uint64_t n = 0;
        if (!registry::parse_number(*v, n)) {
            error = "--now needs a Unix time in seconds";
            return false;
        }
        options.fixed_now = n;
    }
    if (const auto v = setting(settings, "clock-skew")) {
        std::int64_t n = 0;
        if (!registry::parse_number(*v, n)) {
            error = "--clock-skew needs a number of seconds";
            return false;
        }
        options.clock_skew = n;
    }
    for (const auto& [name, field] : {std::pair{"idle-timeout-ms", &PeerOptions::idle_timeout},
                                      std::pair{"timeout-ms", &PeerOptions::connection_lifetime}}) {
        if (const auto v = setting(settings, name)) {
            std::uint32_t n = 0;
            if (!registry::parse_number(*v, n)) {
                error = std::string("--") + name + " needs a number of milliseconds";
                return false;
            }
            options.*field = Millis(n);
        }
    }
    return true;
}


ReferencePeer::ReferencePeer(PeerOptions options) : m_options(std::move(options)) {}

ReferencePeer::~ReferencePeer() {
    std::lock_guard<std::mutex> lock(m_mutex);
    if (m_server) {
        m_server->stop();
    }
}

std::string ReferencePeer::describe() const {
    std::string quirks;
    for (const auto& q : stellar::quirk_table()) {
        if (m_options.config.quirks.*q.flag) {
            quirks += quirks.empty() ? " with --bug " : ", ";
            quirks += q.name;
        }
    }
    return "shakedown reference peer (in process)" + quirks;
}

ByteArray<32> ReferencePeer::acceptor_node_id() const {
    return crypto::ed25519_from_seed(m_options.config.node_seed).public_key;
}

std::optional<Endpoint> ReferencePeer::acceptor(std::string& error) {
    std::lock_guard<std::mutex> lock(m_mutex);
    if (!m_server) {
        auto server = std::make_unique<PeerServer>(m_options, [](const std::string&) {});
        if (const auto ec = server->listen(Endpoint{"127.0.0.1", 0})) {
            error = "reference acceptor: " + ec.message();
            return std::nullopt;
        }
        server->start_background();
        m_server = std::move(server);
    }
    return Endpoint{"127.0.0.1", m_server->port()};
}

std::unique_ptr<LocalRun> ReferencePeer::start_initiator(const Endpoint& to, const std::vector<std::string>& flags,
                                                         std::string& error) {
    PeerOptions options = m_options;
    std::vector<std::string> unimplemented;
    registry::Settings settings;
    if (!registry::parse_settings(shim_flags(), flags, settings, unimplemented, error) ||
        !apply_settings(settings, options, error)) {
        return nullptr;
    }
    if (!unimplemented.empty()) {
        error = "unimplemented flag " + unimplemented.front();
        return nullptr;
    }
    return std::make_unique<ThreadedRun>(
        [to, options = std::move(options)](const std::atomic<bool>& stop, const LineSink& emit) {
            return run_initiator(to, options, stop, emit).authenticated;
        });
}

}  // namespace shakedown::conformance::reference

namespace shakedown::conformance::reference {

int serve(const registry::PeerRun& run) {
    PeerOptions options;
    SystemRng().fill(options.config.node_seed);
    std::string error;
    if (!apply_settings(run.settings, options, error)) {
        std::cerr << "shakedown peer: " << error << "\n";
        return 2;
    }
    for (const auto& b : run.knobs) {
        if (!stellar::set_quirk(options.config.quirks, b)) {
            std::cerr << "shakedown peer: no bug named '" << b << "' (see --list-bugs)\n";
            return 2;
        }
    }
    const LineSink emit = run.emit;
    const std::optional<Deadline> until =
        run.timeout_ms > 0 ? std::optional<Deadline>(after(Millis(run.timeout_ms))) : std::nullopt;
    if (run.role == Role::acceptor) {
        PeerServer server(options, emit);
        if (const auto ec = server.listen(run.endpoint)) {
            std::cerr << "shakedown peer: listen on " << run.endpoint.to_string() << ": " << ec.message() << "\n";
            return 1;
        }
        const std::size_t completed = server.serve(run.max_connections, until);
        const std::size_t accepted = server.connections_accepted();
        return accepted > 0 && completed == accepted ? 0 : 1;
    }
    const std::atomic<bool> stop{false};
    std::size_t completed = 0;
    std::size_t made = 0;
    for (;;) {
        if ((run.max_connections != 0 && made >= run.max_connections) || (until && SteadyClock::now() >= *until)) {
            break;
        }
        const auto outcome = run_initiator(run.endpoint, options, stop, emit);
        if (!outcome.connected && run.max_connections == 0 && made > 0) {
            break;  // reconnecting until the other side stops listening
        }
        ++made;
        completed += outcome.authenticated ? 1 : 0;
        if (!outcome.connected && run.max_connections == 0) {
            break;
        }
    }
    return made > 0 && completed == made ? 0 : 1;
}

}  // namespace shakedown::conformance::reference
