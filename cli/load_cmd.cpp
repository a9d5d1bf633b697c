// shakedown load: honest or abusive handshakes against a target, with throughput, latency
// percentiles, outcomes by reason and, for a local target process, its CPU time per attempt.
//   --connect HOST:PORT [--pid PID]   a running acceptor
//   --shim 'COMMAND'                  spawned once as an acceptor (conformance/SHIM.md)
//   --reference                       this binary's reference peer, spawned as its own process
// Every run is bounded: --duration and/or --handshakes, at most 256 connections at once.
#include <unistd.h>

#include <climits>
#include <csignal>
#include <fstream>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/variant_option.hpp"
#include "conformance/runner/load.hpp"
#include "conformance/runner/process.hpp"

namespace shakedown::cli {

namespace {

namespace cf = shakedown::conformance;

struct LoadFlags {
    VariantChoice choice;
    std::string connect;
    std::string shim;
    bool reference = false;
    std::vector<std::string> bugs;
    std::string mode = "honest";
    std::size_t concurrency = 1;
    double duration_s = 10;
    std::size_t handshakes = 0;
    std::uint32_t timeout_ms = 10000;
    std::uint32_t stall_ms = 5000;
    int pid = 0;
    std::string json;
    bool quiet = false;
};

std::string self_exe() {
    std::string buf(PATH_MAX, '\0');
    const ssize_t n = readlink("/proc/self/exe", buf.data(), buf.size() - 1);
    return n > 0 ? buf.substr(0, static_cast<std::size_t>(n)) : "shakedown";
}

int run_load_cmd(LoadFlags f, const std::vector<std::string>& extras) {
    const auto* v = resolve_variant("load", f.choice);
    if (v == nullptr) {
        return 2;
    }
    const auto mode = cf::load_mode_from_string(f.mode);
    if (!mode) {
        std::cerr << "shakedown load: --mode must be honest, half-open, first-message-flood or wrong-credential\n";
        return 2;
    }
    if ((f.connect.empty() ? 0 : 1) + (f.shim.empty() ? 0 : 1) + (f.reference ? 1 : 0) != 1) {
        std::cerr << "shakedown load: give exactly one of --connect HOST:PORT, --shim COMMAND or --reference\n";
        return 2;
    }
    if (f.concurrency == 0 || f.concurrency > cf::LoadOptions::kMaxConcurrency) {
        std::cerr << "shakedown load: --concurrency must be 1.." << cf::LoadOptions::kMaxConcurrency << "\n";
        return 2;
    }
    if (!(f.duration_s > 0 && f.duration_s <= 3600)) {
        std::cerr << "shakedown load: --duration must be in (0, 3600] seconds\n";
        return 2;
    }
    if (!v->make_machine || !v->transport) {
        std::cerr << "shakedown load: variant " << v->name << " has no reference machine and transport\n";
        return 2;
    }
    std::vector<std::string> flags = extras;
    if (*mode == cf::LoadMode::wrong_credential) {
        if (v->wrong_credential.empty()) {
            std::cerr << "shakedown load: variant " << v->name << " declares no wrong credential\n";
            return 2;
        }
        flags.insert(flags.end(), v->wrong_credential.begin(), v->wrong_credential.end());
    }
    std::string why;
    const auto make = registry::flagged_machine_factory(*v, f.choice.profile, {}, {});
    {
        auto probe = make(Role::initiator, flags, why);
        if (!probe) {
            std::cerr << "shakedown load: " << why << "\n";
            return 2;
        }
    }
    cf::LoadOptions o;
    o.mode = *mode;
    o.concurrency = f.concurrency;
    o.duration = cf::Millis(static_cast<long>(f.duration_s * 1000));
    o.attempts = f.handshakes;
    o.attempt_timeout = cf::Millis(f.timeout_ms);
    o.stall = cf::Millis(f.stall_ms);
    if (!f.quiet) {
        o.progress = [](const std::string& line) { std::cerr << "\r" << line << "   " << std::flush; };
    }
    std::unique_ptr<cf::ChildProcess> child;
    if (!f.connect.empty()) {
        const auto ep = cf::parse_endpoint(f.connect, why);
        if (!ep) {
            std::cerr << "shakedown load: --connect: " << why << "\n";
            return 2;
        }
        o.to = *ep;
        if (f.pid > 0) {
            o.target_pid = static_cast<pid_t>(f.pid);
        }
    } else {
        std::string command = f.shim;
        std::vector<std::string> args{"--role", "acceptor", "--listen", "127.0.0.1:0"};
        if (f.reference) {
            command = self_exe() + " peer --variant " + v->name + " --profile " + f.choice.profile;
            for (const auto& b : f.bugs) {
                args.push_back("--bug");
                args.push_back(b);
            }
        }
        child = cf::ChildProcess::spawn(command, args, why);
        if (!child) {
            std::cerr << "shakedown load: " << why << "\n";
            return 2;
        }
        const auto deadline = cf::after(cf::Millis(10000));
        std::optional<std::uint16_t> port;
        while (!port && cf::SteadyClock::now() < deadline) {
            const auto line = child->read_line(deadline);
            if (!line) {
                break;
            }
            if (line->rfind("LISTENING ", 0) == 0) {
                port = static_cast<std::uint16_t>(std::stoul(line->substr(10)));
            }
        }
        if (!port) {
            std::cerr << "shakedown load: the target printed no LISTENING line\n";
            child->kill();
            return 1;
        }
        o.to = cf::Endpoint{"127.0.0.1", *port};
        o.target_pid = child->pid();
    }
    std::signal(SIGPIPE, SIG_IGN);
    const auto transport = v->transport(f.choice.profile, {});
    const cf::InitiatorFactory initiator = [&make, &flags](std::string& error) {
        return make(Role::initiator, flags, error);
    };
    const auto r = cf::run_load(*transport, initiator, o);
    if (child) {
        child->kill();
    }
    if (!f.quiet) {
        std::cerr << "\n";
    }
    std::cout << "variant " << v->name << " / " << f.choice.profile << " against "
              << (f.reference ? "the reference peer" : !f.shim.empty() ? "shim '" + f.shim + "'" : f.connect) << "\n"
              << cf::to_text(r);
    if (!f.json.empty()) {
        std::ofstream out(f.json);
        out << cf::to_json(r);
        if (!out) {
            std::cerr << "shakedown load: cannot write " << f.json << "\n";
            return 2;
        }
    }
    return r.attempts > 0 && r.completed == r.attempts ? 0 : 1;
}

}  // namespace

void add_load_command(CLI::App& app, int& exit_code) {
    auto flags = std::make_shared<LoadFlags>();
    auto* cmd = app.add_subcommand("load", "handshake load and what an unauthenticated peer costs a target");
    cmd->footer(
        "Modes: honest (full handshakes), half-open (first message, then stall), first-message-flood (send it and\n"
        "leave), wrong-credential (attempts the target must refuse). Variant flags after the options configure our\n"
        "initiator (shakedown peer --variant V --list-flags). Exit: 0 every attempt went as the mode expects,\n"
        "1 otherwise, 2 usage.");
    cmd->allow_extras();
    add_variant_options(cmd, flags->choice);
    cmd->add_option("--connect", flags->connect, "a running acceptor at HOST:PORT");
    cmd->add_option("--shim", flags->shim, "spawn this acceptor once (shim contract)");
    cmd->add_flag("--reference", flags->reference, "spawn this binary's reference peer as the target");
    cmd->add_option("--bug", flags->bugs, "with --reference: the reference misbehaves in this named way (repeatable)");
    cmd->add_option("--mode", flags->mode, "honest | half-open | first-message-flood | wrong-credential");
    cmd->add_option("--concurrency", flags->concurrency, "clients at once (1..256)");
    cmd->add_option("--duration", flags->duration_s, "seconds to run (default 10)");
    cmd->add_option("--handshakes", flags->handshakes, "stop after this many attempts");
    cmd->add_option("--timeout-ms", flags->timeout_ms, "deadline of one attempt (default 10000)");
    cmd->add_option("--stall-ms", flags->stall_ms, "half-open: hold a connection at most this long (default 5000)");
    cmd->add_option("--pid", flags->pid, "with --connect: the target's process, for its CPU time");
    cmd->add_option("--json", flags->json, "write the figures as JSON to this file");
    cmd->add_flag("--quiet", flags->quiet, "no progress line");
    cmd->callback([flags, cmd, &exit_code] { exit_code = run_load_cmd(*flags, cmd->remaining()); });
}

}  // namespace shakedown::cli
