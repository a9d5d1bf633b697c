#include "conformance/runner/runner.hpp"

#include <algorithm>
#include <atomic>
#include <ctime>
#include <exception>
#include <mutex>
#include <thread>

namespace shakedown::conformance {

OpenResult ScenarioContext::open(const ConnectionRequest& request, Millis timeout) {
    auto r = m_session.open(request, after(scaled(timeout)));
    const std::uint8_t index = m_next_index++;
    if (r.status == OpenResult::Status::ok) {
        r.transport->attach(&m_transcript, index);
        m_transcript.event(index, "connected (target plays " + std::string(to_string(request.target_role)) + ")");
    } else {
        m_transcript.event(index, "could not open a connection: " + r.error);
    }
    return r;
}

Millis ScenarioContext::scaled(Millis d) const {
    return Millis(static_cast<Millis::rep>(static_cast<double>(d.count()) * m_options.timeout_scale));
}

const std::vector<PeerReport>& ScenarioContext::finish_target() {
    if (!m_finished) {
        m_finished = true;
        m_reports = m_session.finish(after(scaled(Millis(2000))));
    }
    return m_reports;
}

std::vector<std::string> Catalogue::ids() const {
    std::vector<std::string> out;
    out.reserve(scenarios.size());
    for (const auto& s : scenarios) {
        out.push_back(s->info().id);
    }
    return out;
}

std::size_t RunReport::count(Verdict v) const {
    std::size_t n = 0;
    for (const auto& r : results) {
        n += r.verdict == v ? 1 : 0;
    }
    return n;
}

std::size_t RunReport::ran() const {
    std::size_t n = 0;
    for (const auto& r : results) {
        n += r.ran() ? 1 : 0;
    }
    return n;
}

std::size_t RunReport::unexpected_failures() const {
    std::size_t n = 0;
    for (const auto& r : results) {
        n += r.unexpected_failure() ? 1 : 0;
    }
    return n;
}

std::size_t RunReport::expected_failures() const {
    std::size_t n = 0;
    for (const auto& r : results) {
        n += r.expected_failure() ? 1 : 0;
    }
    return n;
}

std::size_t RunReport::unexpected_passes() const {
    std::size_t n = 0;
    for (const auto& r : results) {
        n += r.unexpected_pass() ? 1 : 0;
    }
    return n;
}

std::size_t RunReport::handshakes_completed() const {
    std::size_t n = 0;
    for (const auto& r : results) {
        n += r.handshake_completed ? 1 : 0;
    }
    return n;
}

bool selected(const RunOptions& options, std::string_view id) {
    bool in = options.only.empty();
    for (const auto& p : options.only) {
        in = in || glob_match(p, id);
    }
    for (const auto& p : options.skip) {
        in = in && !glob_match(p, id);
    }
    return in;
}

std::string join_flags(const std::vector<std::string>& flags) {
    std::string out;
    for (const auto& f : flags) {
        if (!out.empty()) {
            out += ' ';
        }
        const bool plain = !f.empty() && f.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                                             "0123456789-_=+.,/:@%") == std::string::npos;
        if (plain) {
            out += f;
            continue;
        }
        out += '\'';
        for (const char c : f) {
            out += c == '\'' ? std::string("'\\''") : std::string(1, c);
        }
        out += '\'';
    }
    return out;
}

std::vector<TargetConfig> target_configs(const Catalogue& catalogue) {
    std::vector<TargetConfig> out;
    for (const auto& s : catalogue.scenarios) {
        const auto& info = s->info();
        if (info.needs_target_report) {
            continue;  // never run against a running target
        }
        if (info.needs_own_transport && info.target_role == PeerRole::initiator) {
            continue;  // a running initiator connects to the runner's one listener (Target::own_transport)
        }
        auto it = std::find_if(out.begin(), out.end(), [&](const TargetConfig& c) { return c.flags == info.target_config; });
        if (it == out.end()) {
            out.push_back(TargetConfig{info.target_config, 0, 0});
            it = out.end() - 1;
        }
        ++(info.target_role == PeerRole::acceptor ? it->acceptor : it->initiator);
    }
    std::stable_sort(out.begin(), out.end(),
                     [](const TargetConfig& a, const TargetConfig& b) { return a.scenarios() > b.scenarios(); });
    return out;
}

std::optional<std::size_t> default_target_config(const std::vector<TargetConfig>& configs, PeerRole role) {
    std::optional<std::size_t> best;
    for (std::size_t k = 0; k < configs.size(); ++k) {
        if (configs[k].of(role) > 0 && (!best || configs[k].of(role) > configs[*best].of(role))) {
            best = k;
        }
    }
    return best;
}

namespace {

std::string utc_now() {
    const std::time_t t = std::time(nullptr);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

ScenarioResult run_one(const Scenario& scenario, Target& target, const RunOptions& options) {
    ScenarioResult result;
    result.info = scenario.info();
    if (options.expectations != nullptr) {
        if (const auto* e = options.expectations->lookup(result.info.id)) {
            result.expectation = e->kind;
            result.expectation_reason = e->reason;
        }
    }
    if (result.expectation == Expectation::skip) {
        result.verdict = Verdict::skipped;
        result.reason = "skipped by the expectations file: " + result.expectation_reason;
        return result;
    }
    if (!target.plays(result.info.target_role)) {
        result.verdict = Verdict::skipped;
        result.reason = "the target does not play " + std::string(to_string(result.info.target_role)) + " here (" +
                        target.describe() + ")";
        return result;
    }
    if (result.info.needs_single_process && !target.single_process()) {
        result.verdict = Verdict::skipped;
        result.reason = "needs several connections to one running instance; a shim is one process per connection";
        return result;
    }
    if (result.info.needs_own_transport && !target.own_transport(result.info.target_role)) {
        result.verdict = Verdict::skipped;
        result.reason =
            "makes the runner's side of its connection itself (another TLS configuration, text "
            "messages); a running initiator connects to the runner's one listener";
        return result;
    }
    if (!target.configurable(result.info.target_role)) {
        if (result.info.needs_target_report) {
            result.verdict = Verdict::skipped;
            result.reason = "graded from the target's own report, which a running target does not give; use a shim";
            return result;
        }
        if (result.info.target_config != options.target_config) {
            result.verdict = Verdict::skipped;
            result.reason = "needs the target started with " +
                            (result.info.target_config.empty() ? std::string("no flags")
                                                               : "the flags " + join_flags(result.info.target_config)) +
                            ", another run (conform --list-target-configs, --target-config)";
            return result;
        }
    }
    const auto started = SteadyClock::now();
    auto session = target.session();
    ScenarioContext ctx(target, *session, result.transcript, options);
    ScenarioOutcome outcome;
    try {
        outcome = scenario.run(ctx);
    } catch (const std::exception& e) {
        outcome.verdict = Verdict::fail;
        outcome.reason = std::string("runner error: ") + e.what();
    }
    result.peers = ctx.finish_target();
    result.verdict = outcome.verdict;
    result.reason = std::move(outcome.reason);
    result.findings = std::move(outcome.findings);
    result.handshake_completed = outcome.handshake_completed;
    for (const auto& p : result.peers) {
        // BoGo's contract: a shim exits 89 for a feature it does not implement.
        if (p.exit_status == 89 && !p.killed) {
            result.verdict = Verdict::unimplemented;
            result.reason = "the shim exited 89 (unimplemented)";
        }
    }
    // conformance/SHIM.md: a CRASHED line, or death by a signal the runner did not send, means
    // a peer on the network could bring the implementation down. That is a FAIL whatever the wire
    // showed.
    for (const auto& p : result.peers) {
        std::string crash;
        for (const auto& line : p.lines) {
            if (line.rfind("CRASHED", 0) == 0) {
                crash = line.size() > 8 ? line.substr(8) : "no reason given";
            }
        }
        if (crash.empty() && !p.killed && p.exit_status && *p.exit_status > 128 && *p.exit_status != 128 + 9) {
            crash = "died of signal " + std::to_string(*p.exit_status - 128);
        }
        if (!crash.empty() && result.verdict != Verdict::unimplemented) {
            const std::string was = result.reason;
            result.verdict = Verdict::fail;
            result.reason = "the target crashed (" + crash + "); on the wire: " + was;
            break;
        }
    }
    result.duration_ms = static_cast<std::uint32_t>(
        std::chrono::duration_cast<Millis>(SteadyClock::now() - started).count());
    return result;
}

}  // namespace

RunReport run_catalogue(const Catalogue& catalogue, Target& target, const std::string& transport,
                        const RunOptions& options) {
    RunReport report;
    report.variant = catalogue.variant;
    report.target = target.describe();
    report.transport = transport;
    report.expectations = options.expectations != nullptr ? options.expectations->implementation() : "";
    report.started_utc = utc_now();
    const auto started = SteadyClock::now();

    std::vector<const Scenario*> chosen;
    for (const auto& s : catalogue.scenarios) {
        if (selected(options, s->info().id)) {
            chosen.push_back(s.get());
        }
    }
    report.results.resize(chosen.size());
    const std::size_t jobs =
        std::max<std::size_t>(1, std::min(options.jobs != 0 ? options.jobs : target.default_jobs(), chosen.size()));
    report.jobs = jobs;

    std::atomic<std::size_t> next{0};
    std::mutex callback_mutex;
    auto worker = [&] {
        for (;;) {
            const std::size_t i = next.fetch_add(1);
            if (i >= chosen.size()) {
                return;
            }
            if (options.on_start) {
                std::lock_guard<std::mutex> lock(callback_mutex);
                options.on_start(chosen[i]->info());
            }
            report.results[i] = run_one(*chosen[i], target, options);
            if (options.on_result) {
                std::lock_guard<std::mutex> lock(callback_mutex);
                options.on_result(report.results[i]);
            }
        }
    };
    std::vector<std::thread> threads;
    threads.reserve(jobs);
    for (std::size_t j = 0; j < jobs; ++j) {
        threads.emplace_back(worker);
    }
    for (auto& t : threads) {
        t.join();
    }
    report.duration_ms =
        static_cast<std::uint64_t>(std::chrono::duration_cast<Millis>(SteadyClock::now() - started).count());
    return report;
}

int exit_code(const RunReport& report, ExitPolicy policy) {
    // h2spec pitfall: zero executed cases is a failure, never a pass.
    if (report.ran() == 0) {
        return 1;
    }
    if (report.unexpected_failures() > 0) {
        return 1;
    }
    if (policy.fail_on_non_strict && report.count(Verdict::non_strict) > 0) {
        return 1;
    }
    if (policy.strict_expectations && report.unexpected_passes() > 0) {
        return 1;
    }
    return 0;
}

}  // namespace shakedown::conformance
