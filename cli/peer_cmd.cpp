// shakedown peer: a variant's reference handshake as a live peer on its native transport. Its
// flags are the shim contract of conformance/SHIM.md (the variant's own flags come from its
// registry table), so it can be driven by `shakedown conform --shim`; a flag it does not know
// makes it exit 89 (unimplemented), as that contract says.
#include <algorithm>
#include <csignal>
#include <iostream>
#include <mutex>

#include "cli/commands.hpp"
#include "cli/variant_option.hpp"

namespace shakedown::cli {

namespace {

namespace cf = shakedown::conformance;

struct PeerFlags {
    VariantChoice choice;
    std::string role;
    std::string connect;
    std::string listen;
    std::string then_connect;
    std::vector<std::string> bugs;
    bool list_bugs = false;
    bool list_flags = false;
    std::size_t max_connections = 0;
    std::uint32_t timeout_ms = 0;
};

int run_peer(PeerFlags f, const std::vector<std::string>& extras) {
    const auto* v = resolve_variant("peer", f.choice);
    if (v == nullptr) {
        return 2;
    }
    if (f.list_bugs) {
        for (const auto& k : v->knobs) {
            std::cout << k.name << "  " << k.summary << "\n";
        }
        return 0;
    }
    if (f.list_flags) {
        for (const auto& fl : v->shim_flags) {
            std::cout << "--" << fl.name << (fl.value_name.empty() ? "" : " " + fl.value_name) << "  " << fl.help
                      << "\n";
        }
        return 0;
    }
    registry::PeerRun run;
    std::vector<std::string> unimplemented;
    std::string why;
    if (!registry::parse_settings(v->shim_flags, extras, run.settings, unimplemented, why)) {
        std::cerr << "shakedown peer: " << why << "\n";
        return 2;
    }
    if (!unimplemented.empty()) {
        // conformance/SHIM.md: a shim exits 89 when asked for something it does not implement.
        std::cerr << "shakedown peer: unimplemented:";
        for (const auto& e : unimplemented) {
            std::cerr << " " << e;
        }
        std::cerr << "\n";
        return 89;
    }
    if (!registry::has_reference_peer(*v)) {
        std::cerr << "shakedown peer: variant " << v->name << " has no live reference peer yet\n";
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
    const auto endpoint = cf::parse_endpoint(f.connect.empty() ? f.listen : f.connect, why);
    if (!endpoint) {
        std::cerr << "shakedown peer: " << why << "\n";
        return 2;
    }
    if (!f.then_connect.empty()) {
        if (f.connect.empty() || f.max_connections == 0) {
            std::cerr << "shakedown peer: --then-connect needs --connect and a bounded --max-connections\n";
            return 2;
        }
        const auto then = cf::parse_endpoint(f.then_connect, why);
        if (!then) {
            std::cerr << "shakedown peer: --then-connect: " << why << "\n";
            return 2;
        }
        run.then_connect = *then;
    }
    for (const auto& b : f.bugs) {
        const auto* knob = v->find_knob(b);
        if (knob == nullptr) {
            std::cerr << "shakedown peer: no bug named '" << b << "' (see --list-bugs)\n";
            return 2;
        }
    }
    auto out_mutex = std::make_shared<std::mutex>();
    run.role = f.connect.empty() ? Role::acceptor : Role::initiator;
    run.endpoint = *endpoint;
    run.profile = f.choice.profile;
    run.knobs = f.bugs;
    run.max_connections = f.max_connections;
    run.timeout_ms = f.timeout_ms;
    run.emit = [out_mutex](const std::string& line) {
        std::lock_guard<std::mutex> lock(*out_mutex);
        std::cout << line << std::endl;
    };
    std::signal(SIGPIPE, SIG_IGN);
    return registry::serve(*v, run);
}

}  // namespace

void add_peer_command(CLI::App& app, int& exit_code) {
    auto flags = std::make_shared<PeerFlags>();
    auto* cmd = app.add_subcommand("peer", "run a variant's reference peer on its transport (initiator or acceptor)");
    cmd->footer(
        "Prints LISTENING <port>, HANDSHAKE_OK <peer id hex>, HANDSHAKE_FAILED <reason>, CLOSED <reason>.\n"
        "Exit: 0 every connection completed its handshake, 1 otherwise, 2 usage, 89 unimplemented flag.\n"
        "Variant flags (identity, clock: --now UNIX, ...): shakedown peer --variant V --list-flags.\n"
        "The flags follow conformance/SHIM.md, so `shakedown conform --shim 'shakedown peer --max-connections 1'`\n"
        "drives it as a shim.");
    cmd->allow_extras();
    add_variant_options(cmd, flags->choice);
    cmd->add_option("--role", flags->role, "initiator or acceptor (must agree with --connect / --listen)")
        ->check(CLI::IsMember({"initiator", "acceptor"}));
    cmd->add_option("--connect", flags->connect, "initiator: connect to HOST:PORT (loopback only)");
    cmd->add_option("--listen", flags->listen, "acceptor: listen on HOST:PORT (port 0 = ephemeral)");
    cmd->add_option("--then-connect", flags->then_connect,
                    "initiator: once the --connect connections have ended, connect once more to HOST:PORT from "
                    "this process (SHIM.md)");
    cmd->add_option("--bug", flags->bugs, "misbehave in this named way (repeatable; see --list-bugs)");
    cmd->add_flag("--list-bugs", flags->list_bugs, "list the variant's bug knobs, one line each");
    cmd->add_flag("--list-flags", flags->list_flags, "list the variant's own flags (the shim contract's)");
    cmd->add_option("--max-connections", flags->max_connections,
                    "acceptor: serve this many connections, then exit (0: until killed); initiator: connect this "
                    "many times in turn (0: until refused; default 1)");
    cmd->add_option("--timeout-ms", flags->timeout_ms, "exit after this long (0: no limit)");
    cmd->callback([flags, cmd, &exit_code] {
        PeerFlags f = *flags;
        if (!f.connect.empty() && cmd->count("--max-connections") == 0) {
            f.max_connections = 1;
        }
        std::vector<std::string> extras = cmd->remaining();
        const auto* v = registry::find(f.choice.variant.empty() && registry::variants().size() == 1
                                           ? registry::variants().front()->name
                                           : f.choice.variant);
        const bool takes_timeout = v != nullptr && std::any_of(v->shim_flags.begin(), v->shim_flags.end(),
                                                               [](const auto& fl) { return fl.name == "timeout-ms"; });
        if (f.timeout_ms > 0 && takes_timeout) {
            // The connection bound is also a variant setting (SHIM.md); pass it on.
            extras.push_back("--timeout-ms");
            extras.push_back(std::to_string(f.timeout_ms));
        }
        exit_code = run_peer(f, extras);
    });
}

}  // namespace shakedown::cli
