// shakedown load: honest or abusive handshakes against a target, with throughput, latency
// percentiles, outcomes by reason and, for a target that is a local process, its CPU time per
// attempt (conformance/README.md, "Load"). Targets:
//   --reference                       the built-in reference acceptor, in process
//   --shim 'COMMAND'                  spawned once as an acceptor serving every connection
//   --connect HOST:PORT [--pid PID]   a running acceptor (and its process, for CPU time)
// Every run is bounded: --duration and --handshakes, at most --concurrency connections at once.
#include <unistd.h>

#include <cmath>
#include <csignal>
#include <iostream>
#include <sstream>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "cli/variant_option.hpp"
#include "conformance/runner/load.hpp"
#include "conformance/runner/process.hpp"

namespace shakedown::cli {

namespace {

namespace cf = shakedown::conformance;

constexpr double kMaxDurationSeconds = 3600;
constexpr std::size_t kMaxHandshakes = 10000000;
constexpr std::uint32_t kMaxWaitMs = 600000;
// With --handshakes alone, the run still ends after this long.
constexpr double kHandshakesDurationSeconds = 300;
constexpr cf::Millis kShimStartup{10000};

struct LoadFlags {
    VariantChoice choice;
    std::vector<std::string> extras;  // our initiator's variant flags
    bool reference = false;
    std::string connect;
    std::string shim;
    int pid = 0;
    std::string target_flags;
    std::vector<std::string> bugs;
    std::string mode = "honest";
    std::size_t concurrency = 1;
    double duration_s = 0;
    std::size_t handshakes = 0;
    std::uint32_t timeout_ms = 10000;
    std::uint32_t stall_ms = 5000;
    std::uint32_t settle_ms = 10000;
    std::string json;
    bool quiet = false;
};

std::vector<std::string> split_words(const std::string& s) {
    std::istringstream in(s);
    std::vector<std::string> out;
    for (std::string w; in >> w;) {
        out.push_back(w);
    }
    return out;
}

std::vector<std::string> concat(std::vector<std::string> a, const std::vector<std::string>& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

int usage(const std::string& message) {
    std::cerr << "shakedown load: " << message << "\n";
    return 2;
}

// The shim's LISTENING port, skipping the lines allowed before it (conformance/SHIM.md).
std::optional<std::uint16_t> await_listening(cf::ChildProcess& child, std::string& why) {
    const cf::Deadline deadline = cf::after(kShimStartup);
    while (const auto line = child.read_line(deadline)) {
        if (line->rfind("LISTENING ", 0) == 0) {
            unsigned port = 0;
            if (registry::parse_number(line->substr(10), port) && port > 0 && port <= 65535) {
                return static_cast<std::uint16_t>(port);
            }
            why = "the target printed a bad LISTENING line: " + *line;
            return std::nullopt;
        }
    }
    const auto status = child.exit_status();
    why = status ? "the target exited with status " + std::to_string(*status) +
                       (*status == 89 ? " (unimplemented: a flag it does not take)" : "") + " before LISTENING"
                 : "the target printed no LISTENING line within " + std::to_string(kShimStartup.count()) + " ms";
    if (!child.stderr_tail().empty()) {
        why += "; its stderr ends: " + child.stderr_tail().substr(child.stderr_tail().size() > 400
                                                                      ? child.stderr_tail().size() - 400
                                                                      : 0);
    }
    return std::nullopt;
}

int run_load_cmd(LoadFlags f) {
    const auto* v = resolve_variant("load", f.choice);
    if (v == nullptr) {
        return 2;
    }
    const auto mode = cf::load_mode_from_string(f.mode);
    if (!mode) {
        return usage("--mode must be honest, half-open, first-message-flood or wrong-credential");
    }
    if ((f.connect.empty() ? 0 : 1) + (f.shim.empty() ? 0 : 1) + (f.reference ? 1 : 0) != 1) {
        return usage("give exactly one target: --reference, --connect HOST:PORT or --shim 'COMMAND'");
    }
    if (f.concurrency == 0 || f.concurrency > cf::LoadOptions::kMaxConcurrency) {
        return usage("--concurrency must be 1.." + std::to_string(cf::LoadOptions::kMaxConcurrency));
    }
    if (f.duration_s < 0 || f.duration_s > kMaxDurationSeconds || std::isnan(f.duration_s)) {
        return usage("--duration must be in (0, 3600] seconds");
    }
    if (f.handshakes > kMaxHandshakes) {
        return usage("--handshakes must be at most " + std::to_string(kMaxHandshakes));
    }
    if (f.timeout_ms == 0 || f.timeout_ms > kMaxWaitMs || f.stall_ms == 0 || f.stall_ms > kMaxWaitMs ||
        f.settle_ms > kMaxWaitMs) {
        return usage("--timeout-ms and --stall-ms must be 1.." + std::to_string(kMaxWaitMs) + ", --settle-ms 0.." +
                     std::to_string(kMaxWaitMs));
    }
    if (f.pid != 0 && (f.connect.empty() || f.pid < 0)) {
        return usage("--pid PID (a positive process id) goes with --connect");
    }
    if (!f.bugs.empty() && !f.reference) {
        return usage("--bug applies to --reference only (a shim takes its own flags)");
    }
    if (!f.target_flags.empty() && !f.connect.empty()) {
        return usage("--target-flags configure a target we start (--reference, --shim), not a running one");
    }
    for (const auto& b : f.bugs) {
        if (v->find_knob(b) == nullptr) {
            return usage("no bug named '" + b + "' in variant " + v->name);
        }
    }
    if (!v->make_machine || !v->transport) {
        return usage("variant " + v->name + " has no reference machines and transport to load a target with");
    }
    const registry::LoadSetup setup = v->load ? v->load(f.choice.profile) : registry::LoadSetup{};
    std::vector<std::string> initiator_flags = setup.initiator;
    if (*mode == cf::LoadMode::wrong_credential) {
        if (setup.wrong_credential.empty()) {
            std::cerr << "shakedown load: --mode wrong-credential is not applicable to " << v->name << " / "
                      << f.choice.profile << ": "
                      << (setup.no_credential.empty() ? "the variant declares no credential" : setup.no_credential)
                      << "\n";
            return 2;
        }
        initiator_flags = concat(initiator_flags, setup.wrong_credential);
    }
    initiator_flags = concat(initiator_flags, f.extras);  // the user's flags win (the last one counts)
    registry::Settings initiator_settings;
    std::vector<std::string> unknown;
    std::string why;
    if (!registry::parse_settings(v->shim_flags, initiator_flags, initiator_settings, unknown, why) ||
        !unknown.empty()) {
        return usage((why.empty() ? "unknown option " + unknown.front() : why) + " (variant " + v->name +
                     " flags: shakedown peer --variant " + v->name + " --list-flags)");
    }
    const auto make = registry::flagged_machine_factory(*v, f.choice.profile, {}, {});
    if (!make(Role::initiator, initiator_flags, why)) {
        return usage("our initiator: " + why);
    }
    const std::vector<std::string> acceptor_flags = concat(setup.acceptor, split_words(f.target_flags));

    cf::LoadOptions o;
    o.mode = *mode;
    o.concurrency = f.concurrency;
    const double seconds = f.duration_s > 0 ? f.duration_s : f.handshakes > 0 ? kHandshakesDurationSeconds : 10.0;
    o.duration = cf::Millis(static_cast<std::int64_t>(seconds * 1000));
    o.attempts = f.handshakes;
    o.attempt_timeout = cf::Millis(f.timeout_ms);
    o.stall = cf::Millis(f.stall_ms);
    o.settle = cf::Millis(f.settle_ms);
    const bool tty = isatty(STDERR_FILENO) != 0;
    if (!f.quiet) {
        o.progress = [tty](const std::string& line) {
            std::cerr << (tty ? "\r" : "") << line << (tty ? "   " : "\n") << std::flush;
        };
    }

    std::signal(SIGPIPE, SIG_IGN);
    cf::LoadContext context{v->name, f.choice.profile, ""};
    std::shared_ptr<cf::LocalPeer> reference;
    std::unique_ptr<cf::ChildProcess> child;
    if (f.reference) {
        registry::Settings settings;
        if (!registry::parse_settings(v->shim_flags, acceptor_flags, settings, unknown, why) || !unknown.empty()) {
            return usage("--target-flags: " + (why.empty() ? "unknown option " + unknown.front() : why));
        }
        reference = registry::reference_peer(*v, f.choice.profile, settings, f.bugs, why);
        if (!reference) {
            return usage("the reference: " + why);
        }
        const auto at = reference->acceptor(why);
        if (!at) {
            std::cerr << "shakedown load: the reference acceptor: " << why << "\n";
            return 1;
        }
        o.to = *at;
        context.target = reference->describe();
    } else if (!f.shim.empty()) {
        child = cf::ChildProcess::spawn(
            f.shim, concat({"--role", "acceptor", "--listen", "127.0.0.1:0"}, acceptor_flags), why);
        if (!child) {
            std::cerr << "shakedown load: " << why << "\n";
            return 1;
        }
        const auto port = await_listening(*child, why);
        if (!port) {
            child->kill();
            std::cerr << "shakedown load: shim '" << f.shim << "': " << why << "\n";
            return 1;
        }
        o.to = cf::Endpoint{"127.0.0.1", *port};
        const pid_t group = child->pid();
        o.target_cpu_ms = [group] { return cf::process_group_cpu_ms(group); };
        cf::ChildProcess* c = child.get();
        o.tick = [c]() -> std::optional<std::string> {
            // Its output is drained (and dropped past the bound) so that it never blocks on a pipe.
            while (c->read_line(cf::after(cf::Millis(20)))) {
            }
            if (const auto status = c->exit_status()) {
                return "the target exited with status " + std::to_string(*status);
            }
            return std::nullopt;
        };
        context.target = "shim '" + f.shim + "'";
    } else {
        const auto ep = cf::parse_endpoint(f.connect, why);
        if (!ep) {
            return usage("--connect: " + why);
        }
        o.to = *ep;
        if (f.pid > 0) {
            const auto pid = static_cast<pid_t>(f.pid);
            if (!cf::process_cpu_ms(pid)) {
                return usage("--pid: no process " + std::to_string(pid) + " in /proc");
            }
            o.target_cpu_ms = [pid] { return cf::process_cpu_ms(pid); };
        }
        context.target = "acceptor at " + ep->to_string();
    }

    const auto transport = v->transport(f.choice.profile, initiator_settings);
    const cf::InitiatorFactory initiator = [&make, &initiator_flags](std::string& error) {
        return make(Role::initiator, initiator_flags, error);
    };
    const cf::LoadResult r = cf::run_load(*transport, initiator, o);
    if (child) {
        child->kill();
    }
    if (!f.quiet && tty) {
        std::cerr << "\n";
    }
    std::cout << cf::to_text(context, r);
    if (!r.target_cpu_ms) {
        std::cout << "target CPU: not measured"
                  << (f.reference ? " (in process; run it as a shim: --shim 'shakedown peer --variant V')"
                                  : !f.connect.empty() && f.pid == 0 ? " (give --pid)" : "")
                  << "\n";
    }
    if (!f.json.empty() && !write_file("load", f.json, cf::to_json(context, r))) {
        return 2;
    }
    return r.attempts > 0 && r.completed == r.attempts && r.stopped.empty() ? 0 : 1;
}

}  // namespace

void add_load_command(CLI::App& app, int& exit_code) {
    auto flags = std::make_shared<LoadFlags>();
    auto* cmd = app.add_subcommand("load", "handshake load, and what an unauthenticated peer costs a target");
    cmd->footer(
        "Modes: honest (whole handshakes), half-open (our first message, then stall until the target closes or\n"
        "--stall-ms), first-message-flood (send it and leave), wrong-credential (attempts the target must refuse).\n"
        "Variant flags after the options configure our initiator (shakedown peer --variant V --list-flags);\n"
        "--target-flags='FLAGS' configure the reference or shim acceptor. Target CPU per attempt is read from /proc\n"
        "for a shim (its process group) and for --connect with --pid.\n"
        "Exit: 0 every attempt went as the mode intends; 1 otherwise; 2 usage or a mode not applicable.");
    cmd->allow_extras();
    add_variant_options(cmd, flags->choice);
    cmd->add_flag("--reference", flags->reference, "load the built-in reference acceptor, in process");
    cmd->add_option("--shim", flags->shim, "spawn COMMAND once as the acceptor (it must serve every connection)");
    cmd->add_option("--connect", flags->connect, "a running acceptor at HOST:PORT (loopback only)");
    cmd->add_option("--pid", flags->pid, "with --connect: the target's process, for its CPU time");
    cmd->add_option("--target-flags", flags->target_flags,
                    "variant flags of the reference or shim acceptor, one string (--target-flags='--a 1 --b')");
    cmd->add_option("--bug", flags->bugs, "with --reference: enable a bug knob of the reference (repeatable)");
    cmd->add_option("--mode", flags->mode, "honest | half-open | first-message-flood | wrong-credential");
    cmd->add_option("--concurrency", flags->concurrency, "clients at once, each with one connection (1..256)");
    cmd->add_option("--duration", flags->duration_s,
                    "seconds during which attempts start (default 10; with --handshakes, at most 300)");
    cmd->add_option("--handshakes", flags->handshakes, "start at most this many attempts");
    cmd->add_option("--timeout-ms", flags->timeout_ms, "deadline of one attempt (default 10000)");
    cmd->add_option("--stall-ms", flags->stall_ms, "half-open: hold a connection at most this long (default 5000)");
    cmd->add_option("--settle-ms", flags->settle_ms,
                    "read the target's CPU time once it is idle, at most this long after the run (default 10000)");
    cmd->add_option("--json", flags->json, "write the figures as JSON to this file");
    cmd->add_flag("--quiet", flags->quiet, "no progress line");
    cmd->callback([flags, cmd, &exit_code] {
        LoadFlags f = *flags;
        f.extras = cmd->remaining();
        if (cmd->count("--duration") > 0 && !(f.duration_s > 0)) {
            exit_code = usage("--duration must be in (0, 3600] seconds");
            return;
        }
        exit_code = run_load_cmd(f);
    });
}

}  // namespace shakedown::cli
