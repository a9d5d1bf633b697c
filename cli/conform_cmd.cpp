// shakedown conform: runs the conformance catalogue against a live peer, playing the other role.
#include <csignal>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/output.hpp"
#include "common/rng.hpp"
#include "cli/variant_option.hpp"
#include "conformance/runner/report.hpp"

namespace shakedown::cli {

namespace {

namespace cf = shakedown::conformance;

struct ConformFlags {
    VariantChoice choice;
    std::vector<std::string> extras;  // the variant's conform flags
    bool reference = false;
    std::string connect;
    std::string listen;
    std::string shim;
    std::string expectations;
    std::vector<std::string> only;
    std::vector<std::string> skip;
    std::string role;
    std::size_t jobs = 0;
    double timeout_scale = 1.0;
    std::string report_json;
    std::string junit;
    std::string html;
    bool fail_on_non_strict = false;
    bool strict_expectations = false;
    bool list = false;
    bool list_target_configs = false;
    bool json = false;
    long target_config = -1;  // none named
    bool quiet = false;
    std::vector<std::string> bugs;
    std::string port_file;
    std::size_t repeat = 1;
};

// The configurations a running target can be started with, numbered for --target-config.
int list_target_configs(const cf::Catalogue& catalogue, bool json_output) {
    const auto configs = cf::target_configs(catalogue);
    const auto acceptor = cf::default_target_config(configs, cf::PeerRole::acceptor);
    const auto initiator = cf::default_target_config(configs, cf::PeerRole::initiator);
    if (json_output) {
        auto out = nlohmann::json::array();
        for (std::size_t k = 0; k < configs.size(); ++k) {
            auto defaults = nlohmann::json::array();
            if (acceptor == k) {
                defaults.push_back("acceptor");
            }
            if (initiator == k) {
                defaults.push_back("initiator");
            }
            out.push_back({{"index", k},
                           {"flags", configs[k].flags},
                           {"command_line", cf::join_flags(configs[k].flags)},
                           {"acceptor", configs[k].acceptor},
                           {"initiator", configs[k].initiator},
                           {"default_for", defaults}});
        }
        std::cout << out.dump(2) << "\n";
        return 0;
    }
    for (std::size_t k = 0; k < configs.size(); ++k) {
        const auto& c = configs[k];
        std::cout << "config " << k << ": " << c.scenarios() << " scenarios (acceptor " << c.acceptor << ", initiator "
                  << c.initiator << ")";
        if (acceptor == k || initiator == k) {
            std::cout << ", the default for "
                      << (acceptor == k && initiator == k ? "both roles" : acceptor == k ? "an acceptor" : "an initiator");
        }
        std::cout << "\n    " << (c.flags.empty() ? "(no flags)" : cf::join_flags(c.flags)) << "\n";
    }
    std::cout << configs.size() << " configurations: start the running target with one, then conform --connect or "
                 "--listen with --target-config N\n";
    return 0;
}

int run_conform(ConformFlags f) {
    const auto* v = resolve_variant("conform", f.choice);
    if (v == nullptr) {
        return 2;
    }
    if (!v->catalogue || !v->transport) {
        std::cerr << "shakedown conform: variant " << v->name << " has no conformance catalogue yet\n";
        return 2;
    }
    registry::CatalogueOptions catalogue_options;
    catalogue_options.profile = f.choice.profile;
    std::vector<std::string> unknown;
    std::string why;
    if (!registry::parse_settings(v->conform_flags, f.extras, catalogue_options.settings, unknown, why) ||
        !unknown.empty()) {
        std::cerr << "shakedown conform: " << (why.empty() ? "unknown option " + unknown.front() : why)
                  << " (variant " << v->name << " flags:";
        for (const auto& fl : v->conform_flags) {
            std::cerr << " --" << fl.name;
        }
        std::cerr << ")\n";
        return 2;
    }
    const int targets = (f.reference ? 1 : 0) + (f.connect.empty() ? 0 : 1) + (f.listen.empty() ? 0 : 1) +
                        (f.shim.empty() ? 0 : 1);
    if (f.list_target_configs) {
        return list_target_configs(v->catalogue(catalogue_options), f.json);
    }
    if (f.list) {
        const cf::Catalogue catalogue = v->catalogue(catalogue_options);
        for (const auto& s : catalogue.scenarios) {
            const auto& i = s->info();
            std::cout << i.id << "  " << i.title << "\n";
        }
        std::cout << catalogue.scenarios.size() << " scenarios\n";
        return 0;
    }
    if (targets != 1) {
        std::cerr << "shakedown conform: give exactly one target: --reference, --connect HOST:PORT, "
                     "--listen HOST:PORT or --shim 'COMMAND'\n";
        return 2;
    }
    if (f.target_config >= 0 && f.connect.empty() && f.listen.empty()) {
        std::cerr << "shakedown conform: --target-config is for a running target (--connect, --listen); a shim or "
                     "the reference is given each scenario's flags\n";
        return 2;
    }
    if (!f.bugs.empty() && !f.reference) {
        std::cerr << "shakedown conform: --bug applies to --reference only (use shakedown peer --bug for others)\n";
        return 2;
    }
    for (const auto& b : f.bugs) {
        if (v->find_knob(b) == nullptr) {
            std::cerr << "shakedown conform: no bug named '" << b << "' in variant " << v->name << "\n";
            return 2;
        }
    }
    std::shared_ptr<cf::LocalPeer> reference;
    if (f.reference) {
        std::string error;
        reference = registry::reference_peer(*v, f.choice.profile, catalogue_options.settings, f.bugs, error);
        if (!reference) {
            std::cerr << "shakedown conform: " << error << "\n";
            return 2;
        }
        catalogue_options.reference = reference;
    }
    const cf::Catalogue catalogue = v->catalogue(catalogue_options);

    std::optional<cf::Expectations> expectations;
    if (!f.expectations.empty()) {
        std::string error;
        expectations = cf::Expectations::load(f.expectations, error);
        if (!expectations) {
            std::cerr << "shakedown conform: " << error << "\n";
            return 2;
        }
        const auto stale = expectations->unmatched(catalogue.ids());
        if (!stale.empty()) {
            for (const auto& p : stale) {
                std::cerr << "shakedown conform: " << f.expectations << ": '" << p << "' matches no scenario\n";
            }
            return 2;
        }
    }

    std::signal(SIGPIPE, SIG_IGN);
    const auto factory = v->transport(f.choice.profile, catalogue_options.settings);
    std::unique_ptr<cf::Target> target;
    if (f.reference) {
        target = std::make_unique<cf::LocalPeerTarget>(factory, reference);
    } else if (!f.connect.empty()) {
        const auto ep = cf::parse_endpoint(f.connect, why);
        if (!ep) {
            std::cerr << "shakedown conform: --connect: " << why << "\n";
            return 2;
        }
        target = std::make_unique<cf::ConnectTarget>(factory, *ep);
    } else if (!f.listen.empty()) {
        const auto ep = cf::parse_endpoint(f.listen, why);
        if (!ep) {
            std::cerr << "shakedown conform: --listen: " << why << "\n";
            return 2;
        }
        auto t = std::make_unique<cf::ListenTarget>(factory, *ep);
        if (!t->start(why)) {
            std::cerr << "shakedown conform: " << why << "\n";
            return 2;
        }
        std::cout << "LISTENING " << t->port() << std::endl;
        if (!f.port_file.empty()) {
            std::ofstream(f.port_file) << t->port() << "\n";
        }
        target = std::move(t);
    } else {
        target = std::make_unique<cf::ShimTarget>(factory, f.shim, cf::Millis(static_cast<long>(10000 * f.timeout_scale)));
    }

    cf::RunOptions options;
    options.jobs = f.jobs;
    options.timeout_scale = f.timeout_scale;
    options.only = f.only;
    options.skip = f.skip;
    if (!f.role.empty()) {
        options.skip.push_back(f.role == "acceptor" ? "initiator.*" : "acceptor.*");
    }
    for (const auto role : {cf::PeerRole::acceptor, cf::PeerRole::initiator}) {
        if (!target->plays(role)) {
            // Not reported as SKIPPED: the choice of target already says which role is tested.
            options.skip.push_back(std::string(cf::to_string(role)) + ".*");
        }
    }
    options.expectations = expectations ? &*expectations : nullptr;
    std::string config_note;  // which configuration a running target was taken to have
    if (!f.connect.empty() || !f.listen.empty()) {
        const auto role = f.connect.empty() ? cf::PeerRole::initiator : cf::PeerRole::acceptor;
        const auto configs = cf::target_configs(catalogue);
        std::optional<std::size_t> chosen = cf::default_target_config(configs, role);
        if (f.target_config >= 0) {
            const auto k = static_cast<std::size_t>(f.target_config);
            if (k >= configs.size() || configs[k].of(role) == 0) {
                std::cerr << "shakedown conform: --target-config " << k << ": the catalogue has no such configuration for "
                          << "a target that plays " << cf::to_string(role) << " (conform --list-target-configs)\n";
                return 2;
            }
            chosen = k;
        }
        if (chosen) {
            options.target_config = configs[*chosen].flags;
            config_note = "configuration " + std::to_string(*chosen) + " of " + std::to_string(configs.size()) + ": " +
                          (options.target_config.empty() ? "no flags" : cf::join_flags(options.target_config));
            std::cout << "target " << config_note << "\n";
        }
    }
    std::size_t selected = 0;
    for (const auto& s : catalogue.scenarios) {
        selected += cf::selected(options, s->info().id) ? 1 : 0;
    }
    const bool tty = isatty(STDERR_FILENO) != 0;
    cf::RunReport report;
    double total_seconds = 0;
    std::size_t total_scenarios = 0;
    for (std::size_t round = 0; round < std::max<std::size_t>(1, f.repeat); ++round) {
        cf::Progress progress(std::cerr, selected, tty, f.quiet || f.repeat > 1);
        options.on_start = [&progress](const cf::ScenarioInfo& i) { progress.started(i); };
        options.on_result = [&progress](const cf::ScenarioResult& r) { progress.finished(r); };
        report = cf::run_catalogue(catalogue, *target, factory->name(), options);
        report.profile = f.choice.profile;
        if (!config_note.empty()) {
            report.target += " (" + config_note + ")";
        }
        progress.done();
        total_seconds += static_cast<double>(report.duration_ms) / 1000.0;
        total_scenarios += report.ran();
    }
    cf::print_summary(std::cout, report, isatty(STDOUT_FILENO) != 0);
    if (f.repeat > 1) {
        std::cout << "benchmark: " << f.repeat << " rounds, " << total_scenarios << " scenarios in " << total_seconds
                  << " s: " << (total_seconds > 0 ? static_cast<double>(total_scenarios) / total_seconds : 0.0)
                  << " scenarios/s\n";
    }

    bool written = true;
    if (!f.report_json.empty()) {
        written = write_file("conform", f.report_json, cf::report_json(report)) && written;
    }
    if (!f.junit.empty()) {
        written = write_file("conform", f.junit, cf::report_junit(report)) && written;
    }
    std::string html = f.html;
    if (html.empty() && f.reference) {
        html = "reports/" + v->name + "-reference.html";
    }
    if (!html.empty()) {
        written = write_file("conform", html, cf::report_html(report)) && written;
    }
    const int code = cf::exit_code(report, cf::ExitPolicy{f.fail_on_non_strict, f.strict_expectations});
    if (!written) {
        return 2;
    }
    return code;
}

}  // namespace

void add_conform_command(CLI::App& app, int& exit_code) {
    auto flags = std::make_shared<ConformFlags>();
    auto* cmd = app.add_subcommand("conform", "run the conformance catalogue against a live peer");
    cmd->footer(
        "Targets: --reference (the built-in reference peer, both roles, in process), --connect HOST:PORT (a running\n"
        "acceptor), --listen HOST:PORT (an initiator that connects, and reconnects, to us), --shim 'COMMAND' (spawned\n"
        "per connection with --role/--connect/--listen/--seed/--network, see conformance/SHIM.md).\n"
        "Exit: 0 no unexpected FAIL and at least one scenario ran; 1 otherwise; 2 usage or bad expectations file.\n"
        "Variant flags follow the options (shakedown list --json: conform_flags).\n"
        "With --reference and no --html, the HTML report goes to reports/<variant>-reference.html.");
    cmd->add_flag("--reference", flags->reference, "test the built-in reference peer (acceptor and initiator)");
    cmd->add_option("--connect", flags->connect, "the target is an acceptor listening at HOST:PORT");
    cmd->add_option("--listen", flags->listen, "listen at HOST:PORT; the target initiator connects (port 0 = pick)");
    cmd->add_option("--shim", flags->shim, "spawn COMMAND per connection (conformance/SHIM.md)");
    add_variant_options(cmd, flags->choice);
    cmd->allow_extras();
    cmd->add_option("--expectations", flags->expectations, "per-implementation expectations file (JSON)");
    cmd->add_option("--only", flags->only, "run only scenario ids matching this pattern (* and ?; repeatable)");
    cmd->add_option("--skip", flags->skip, "do not run scenario ids matching this pattern (repeatable)");
    cmd->add_option("--role", flags->role, "only scenarios where the target plays this role")
        ->check(CLI::IsMember({"initiator", "acceptor"}));
    cmd->add_option("--jobs", flags->jobs, "scenarios at a time (default: by target)");
    cmd->add_option("--timeout-scale", flags->timeout_scale, "multiply every deadline (slow targets)")
        ->check(CLI::Range(0.1, 100.0));
    cmd->add_option("--report-json", flags->report_json, "write the full report as JSON");
    cmd->add_option("--junit", flags->junit, "write a JUnit XML report");
    cmd->add_option("--html", flags->html, "write a self-contained HTML report");
    cmd->add_flag("--fail-on-non-strict", flags->fail_on_non_strict, "exit 1 on NON-STRICT too (self-tests)");
    cmd->add_flag("--strict-expectations", flags->strict_expectations,
                  "exit 1 when an expected failure passes (keeps the expectations file current)");
    cmd->add_flag("--list", flags->list, "list the scenario catalogue and exit");
    cmd->add_flag("--list-target-configs", flags->list_target_configs,
                  "list the configurations a running target is started with (its flags, as the reference peer's), "
                  "numbered for --target-config, and exit");
    cmd->add_flag("--json", flags->json, "with --list-target-configs: as JSON");
    cmd->add_option("--target-config", flags->target_config,
                    "with --connect or --listen: the target was started with configuration N of "
                    "--list-target-configs; only the scenarios that need it run (default: the one most of its role's "
                    "scenarios need)")
        ->check(CLI::NonNegativeNumber);
    cmd->add_flag("--quiet", flags->quiet, "no progress output");
    cmd->add_option("--bug", flags->bugs, "with --reference: enable a bug knob of the reference peer (repeatable)");
    cmd->add_option("--port-file", flags->port_file, "with --listen: write the port listened on to this file");
    cmd->add_option("--repeat", flags->repeat, "run the catalogue this many times and print scenarios per second")
        ->check(CLI::Range(1, 1000));
    cmd->callback([flags, cmd, &exit_code] {
        ConformFlags f = *flags;
        f.extras = cmd->remaining();
        exit_code = run_conform(f);
    });
}

}  // namespace shakedown::cli
