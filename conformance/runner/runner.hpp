// The scenario runner: a catalogue of scenarios (one per variant), run against a Target on a pool
// of threads, each scenario on its own connections with its own deadlines, graded against an
// expectations file. Variant-independent: scenarios reach the target only through their
// ScenarioContext.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "conformance/runner/expectations.hpp"
#include "conformance/runner/target.hpp"
#include "conformance/runner/verdict.hpp"

namespace shakedown::conformance {

struct RunOptions {
    std::size_t jobs = 0;  // 0: the target's default
    // Multiplies every deadline (slow targets, sanitizer builds).
    double timeout_scale = 1.0;
    std::vector<std::string> only;   // run ids matching any of these patterns (all when empty)
    std::vector<std::string> skip;   // and not matching these
    const Expectations* expectations = nullptr;
    // The configuration a running target was started with (ScenarioInfo::target_config): only the
    // scenarios that need this one run against it, the others are SKIPPED. Targets that take
    // flags per connection ignore it.
    std::vector<std::string> target_config;
    std::function<void(const ScenarioInfo&)> on_start;
    std::function<void(const ScenarioResult&)> on_result;
};

class ScenarioContext {
public:
    ScenarioContext(Target& target, TargetSession& session, Transcript& transcript, const RunOptions& options)
        : m_target(target), m_session(session), m_transcript(transcript), m_options(options) {}

    // Opens a connection for this scenario; its traffic is recorded in the transcript under the
    // next connection index.
    [[nodiscard]] OpenResult open(const ConnectionRequest& request, Millis timeout);
    [[nodiscard]] Millis scaled(Millis d) const;
    [[nodiscard]] Transcript& transcript() { return m_transcript; }
    [[nodiscard]] const Target& target() const { return m_target; }
    [[nodiscard]] std::uint8_t connections_opened() const { return m_next_index; }
    // Ends the target side (waits for shims to exit); idempotent. Scenarios that grade what the
    // target reported call it after closing their connections; the runner calls it otherwise.
    const std::vector<PeerReport>& finish_target();

private:
    Target& m_target;
    TargetSession& m_session;
    Transcript& m_transcript;
    const RunOptions& m_options;
    std::uint8_t m_next_index = 0;
    bool m_finished = false;
    std::vector<PeerReport> m_reports;
};

struct ScenarioOutcome {
    Verdict verdict = Verdict::fail;
    std::string reason;
    std::vector<Finding> findings;
    bool handshake_completed = false;
};

class Scenario {
public:
    virtual ~Scenario() = default;
    [[nodiscard]] virtual const ScenarioInfo& info() const = 0;
    [[nodiscard]] virtual ScenarioOutcome run(ScenarioContext& ctx) const = 0;
};

struct Catalogue {
    std::string variant;
    std::string description;
    std::vector<std::unique_ptr<Scenario>> scenarios;
    [[nodiscard]] std::vector<std::string> ids() const;
};

// One configuration a running target can be started with, and how many scenarios of each role
// need it (ScenarioInfo::target_config; those that need the target's report do not count, nor an
// initiator's that make the runner's side of the connection themselves).
struct TargetConfig {
    std::vector<std::string> flags;
    std::size_t acceptor = 0;
    std::size_t initiator = 0;
    [[nodiscard]] std::size_t scenarios() const { return acceptor + initiator; }
    [[nodiscard]] std::size_t of(PeerRole role) const { return role == PeerRole::acceptor ? acceptor : initiator; }
};
// The catalogue's configurations, numbered as conform --target-config takes them: most scenarios
// first, then in catalogue order.
[[nodiscard]] std::vector<TargetConfig> target_configs(const Catalogue& catalogue);
// The one a running target in `role` is taken to have when none is named: the one most of that
// role's scenarios need. nullopt when no scenario has that role.
[[nodiscard]] std::optional<std::size_t> default_target_config(const std::vector<TargetConfig>& configs, PeerRole role);

struct RunReport {
    std::string variant;
    std::string profile;
    std::string target;
    std::string transport;
    std::string expectations;  // implementation named by the expectations file, if any
    std::string started_utc;
    std::uint64_t duration_ms = 0;
    std::size_t jobs = 0;
    std::vector<ScenarioResult> results;  // in catalogue order

    [[nodiscard]] std::size_t count(Verdict v) const;
    [[nodiscard]] std::size_t ran() const;
    [[nodiscard]] std::size_t unexpected_failures() const;
    [[nodiscard]] std::size_t expected_failures() const;
    [[nodiscard]] std::size_t unexpected_passes() const;
    [[nodiscard]] std::size_t handshakes_completed() const;
};

// True when `id` is selected by the only/skip patterns.
[[nodiscard]] bool selected(const RunOptions& options, std::string_view id);

// Flags as one line a POSIX shell reads back into the same words ('' for an empty one).
[[nodiscard]] std::string join_flags(const std::vector<std::string>& flags);

[[nodiscard]] RunReport run_catalogue(const Catalogue& catalogue, Target& target, const std::string& transport,
                                      const RunOptions& options);

struct ExitPolicy {
    bool fail_on_non_strict = false;   // self-tests of the reference: NON-STRICT is a failure too
    bool strict_expectations = false;  // an expected failure that passes is a failure
};
// 0 when nothing failed unexpectedly and at least one scenario ran; 1 otherwise.
[[nodiscard]] int exit_code(const RunReport& report, ExitPolicy policy);

}  // namespace shakedown::conformance
