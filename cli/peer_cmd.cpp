// shakedown peer: the reference handshake as a live peer on its native transport. Its flags are
// the shim contract of conformance/SHIM.md, so it can be driven by `shakedown conform --shim`;
// flags it does not know make it exit 89 (unimplemented), as that contract says.
#include <csignal>
#include <iostream>
#include <mutex>

#include "cli/commands.hpp"
#include "common/rng.hpp"
#include "conformance/reference/stellar_peer.hpp"
#include "stellar/quirks.hpp"

namespace shakedown::cli {

namespace {

namespace cf = shakedown::conformance;
namespace ref = shakedown::conformance::reference;

struct PeerFlags {
    std::string role;
    std::string connect;
    std::string listen;
    std::string seed;
    std::string network{stellar::kTestNetworkPassphrase};
    std::uint32_t ledger_version = stellar::kLedgerVersion;
    std::uint32_t overlay_version = stellar::kOverlayVersion;
    std::uint32_t overlay_min_version = stellar::kOverlayMinVersion;
    std::string version_str = "shakedown 0.1.0";
    std::int32_t listening_port = 11625;
    std::optional<std::uint64_t> now;
    std::int64_t clock_skew = 0;
    std::vector<std::string> bugs;
    bool list_bugs = false;
    std::size_t max_connections = 0;
    std::uint32_t timeout_ms = 0;
    std::uint32_t idle_timeout_ms = stellar::kIdleTimeoutMs;
};

int list_bugs() {
    for (const auto& q : stellar::quirk_table()) {
        std::cout << q.name << "  " << q.description << "\n";
    }
    return 0;
}

int run_peer(const PeerFlags& f, const std::vector<std::string>& extras) {
    if (f.list_bugs) {
        return list_bugs();
    }
    if (!extras.empty()) {
        // conformance/SHIM.md: a shim exits 89 when asked for something it does not implement.
        std::cerr << "shakedown peer: unimplemented:";
        for (const auto& e : extras) {
            std::cerr << " " << e;
        }
        std::cerr << "\n";
        return 89;
    }
    if (f.connect.empty() == f.listen.empty()) {
        std::cerr << "shakedown peer: give exactly one of --connect HOST:PORT or --listen HOST:PORT\n";
        return 2;
    }
    if (!f.role.empty() && f.role != (f.connect.empty() ? "acceptor" : "initiator")) {
        std::cerr << "shakedown peer: --role " << f.role << " does not match "
                  << (f.connect.empty() ? "--listen" : "--connect") << "\n";
        return 2;
    }
    std::string why;
    const auto endpoint = cf::parse_endpoint(f.connect.empty() ? f.listen : f.connect, why);
    if (!endpoint) {
        std::cerr << "shakedown peer: " << why << "\n";
        return 2;
    }
    ref::PeerOptions options;
    if (f.seed.empty()) {
        SystemRng().fill(options.config.node_seed);
    } else {
        const auto seed = from_hex(f.seed);
        if (!seed || seed->size() != 32) {
            std::cerr << "shakedown peer: --seed needs 64 hex characters\n";
            return 2;
        }
        std::copy(seed->begin(), seed->end(), options.config.node_seed.begin());
    }
    options.config.network_passphrase = f.network;
    options.config.ledger_version = f.ledger_version;
    options.config.overlay_version = f.overlay_version;
    options.config.overlay_min_version = f.overlay_min_version;
    options.config.version_str = f.version_str;
    options.config.listening_port = f.listening_port;
    for (const auto& b : f.bugs) {
        if (!stellar::set_quirk(options.config.quirks, b)) {
            std::cerr << "shakedown peer: no bug named '" << b << "' (see --list-bugs)\n";
            return 2;
        }
    }
    options.fixed_now = f.now;
    options.clock_skew = f.clock_skew;
    options.idle_timeout = cf::Millis(f.idle_timeout_ms);
    options.connection_lifetime = cf::Millis(f.timeout_ms);

    std::mutex out_mutex;
    const ref::LineSink emit = [&out_mutex](const std::string& line) {
        std::lock_guard<std::mutex> lock(out_mutex);
        std::cout << line << std::endl;
    };
    std::signal(SIGPIPE, SIG_IGN);
    const std::optional<cf::Deadline> until =
        f.timeout_ms > 0 ? std::optional<cf::Deadline>(cf::after(cf::Millis(f.timeout_ms))) : std::nullopt;

    if (!f.listen.empty()) {
        ref::PeerServer server(options, emit);
        if (const auto ec = server.listen(*endpoint)) {
            std::cerr << "shakedown peer: listen on " << endpoint->to_string() << ": " << ec.message() << "\n";
            return 1;
        }
        const std::size_t completed = server.serve(f.max_connections, until);
        const std::size_t accepted = server.connections_accepted();
        return accepted > 0 && completed == accepted ? 0 : 1;
    }
    const std::atomic<bool> stop{false};
    std::size_t completed = 0;
    std::size_t made = 0;
    for (;;) {
        if ((f.max_connections != 0 && made >= f.max_connections) || (until && cf::SteadyClock::now() >= *until)) {
            break;
        }
        const auto outcome = ref::run_initiator(*endpoint, options, stop, emit);
        if (!outcome.connected && f.max_connections == 0 && made > 0) {
            break;  // reconnecting until the other side stops listening
        }
        ++made;
        completed += outcome.authenticated ? 1 : 0;
        if (!outcome.connected && f.max_connections == 0) {
            break;
        }
    }
    return made > 0 && completed == made ? 0 : 1;
}

}  // namespace

void add_peer_command(CLI::App& app, int& exit_code) {
    auto flags = std::make_shared<PeerFlags>();
    auto* cmd = app.add_subcommand("peer", "run the reference Stellar peer on TCP (initiator or acceptor)");
    cmd->footer(
        "Prints LISTENING <port>, HANDSHAKE_OK <peer id hex>, HANDSHAKE_FAILED <reason>, CLOSED <reason>.\n"
        "Exit: 0 every connection completed its handshake, 1 otherwise, 2 usage, 89 unimplemented flag.\n"
        "The flags follow conformance/SHIM.md, so `shakedown conform --shim 'shakedown peer --max-connections 1'`\n"
        "drives it as a shim.");
    cmd->allow_extras();
    cmd->add_option("--role", flags->role, "initiator or acceptor (must agree with --connect / --listen)")
        ->check(CLI::IsMember({"initiator", "acceptor"}));
    cmd->add_option("--connect", flags->connect, "initiator: connect to HOST:PORT (loopback only)");
    cmd->add_option("--listen", flags->listen, "acceptor: listen on HOST:PORT (port 0 = ephemeral)");
    cmd->add_option("--seed", flags->seed, "ed25519 node seed, 64 hex characters (default: random)");
    cmd->add_option("--network", flags->network, "network passphrase")->capture_default_str();
    cmd->add_option("--ledger-version", flags->ledger_version, "Hello.ledgerVersion")->capture_default_str();
    cmd->add_option("--overlay-version", flags->overlay_version, "Hello.overlayVersion")->capture_default_str();
    cmd->add_option("--overlay-min-version", flags->overlay_min_version, "Hello.overlayMinVersion")
        ->capture_default_str();
    cmd->add_option("--version-str", flags->version_str, "Hello.versionStr")->capture_default_str();
    cmd->add_option("--listening-port", flags->listening_port, "Hello.listeningPort")->capture_default_str();
    auto* now = cmd->add_option_function<std::uint64_t>(
        "--now", [flags](std::uint64_t t) { flags->now = t; }, "freeze the clock at this Unix time");
    cmd->add_option("--clock-skew", flags->clock_skew, "seconds added to the system clock (negative: behind)")
        ->excludes(now);
    cmd->add_option("--bug", flags->bugs, "misbehave in this named way (repeatable; see --list-bugs)");
    cmd->add_flag("--list-bugs", flags->list_bugs, "list the bug knobs, one line each");
    cmd->add_option("--max-connections", flags->max_connections,
                    "acceptor: serve this many connections, then exit (0: until killed); initiator: connect this "
                    "many times in turn (0: until refused; default 1)");
    cmd->add_option("--timeout-ms", flags->timeout_ms, "exit after this long (0: no limit)");
    cmd->add_option("--idle-timeout-ms", flags->idle_timeout_ms, "handshake idle timeout")->capture_default_str();
    cmd->callback([flags, cmd, &exit_code] {
        PeerFlags f = *flags;
        if (!f.connect.empty() && cmd->count("--max-connections") == 0) {
            f.max_connections = 1;
        }
        exit_code = run_peer(f, cmd->remaining());
    });
}

}  // namespace shakedown::cli
