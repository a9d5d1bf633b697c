// Verdicts, findings and scenario results: the vocabulary shared by scenarios, the runner and the
// reporters.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/machine.hpp"
#include "conformance/runner/transcript.hpp"

namespace shakedown::conformance {

// PASS: the target did what the reference does. NON-STRICT: it accepted something a strict peer
// rejects, or rejected something the reference accepts, or answered in another form, where the
// spec allows it. FAIL: it did something the spec forbids. UNIMPLEMENTED: the shim said so (exit
// 89). SKIPPED: not run (expectations file, or the target cannot play that role).
enum class Verdict : std::uint8_t { pass, non_strict, fail, unimplemented, skipped };
[[nodiscard]] std::string_view to_string(Verdict v);
[[nodiscard]] std::string_view to_label(Verdict v);  // PASS, NON-STRICT, ...
// The more severe of two verdicts among pass < non_strict < fail.
[[nodiscard]] Verdict worst(Verdict a, Verdict b);

// The role the target plays: the one Role of every variant (impl/common/machine.hpp).
using PeerRole = shakedown::Role;
using shakedown::other;
using shakedown::to_string;

// One graded observation. `counted` is false for findings a scenario reports without letting them
// decide its verdict (a property graded by another, dedicated scenario).
struct Finding {
    Verdict severity = Verdict::pass;  // pass = a note
    std::string category;
    std::string text;
    bool counted = true;
};

struct ScenarioInfo {
    std::string id;        // "<target role>.<class>.<name>", stable: expectations refer to it
    std::string title;     // one line
    std::string cls;       // adversarial class
    PeerRole target_role;  // the role the target plays; the runner plays the other
    std::string rule;      // the requirement checked, with its source
    bool needs_single_process = false;  // several connections to the same target instance
    // The flags the target must be started with for the scenario to mean what it says (its keys,
    // its clock, its limits, as reference peer flags). A target that takes flags gets them with
    // each connection; a running target is tested one configuration at a time (conform
    // --list-target-configs, --target-config).
    std::vector<std::string> target_config;
    // Graded from what the target itself reports (a shim's or the in-process reference's lines):
    // a running target, which reports nothing, cannot be graded on it.
    bool needs_target_report = false;
    // The runner's side of a connection is made for the scenario (ConnectionRequest::transport):
    // skipped against a target that connects to the runner's one listener.
    bool needs_own_transport = false;
};

// What a shim (or an in-process peer) reported about one connection.
struct PeerReport {
    std::string command;
    std::optional<int> exit_status;
    bool killed = false;
    std::vector<std::string> lines;
    std::string stderr_tail;
};

enum class Expectation : std::uint8_t { none, skip, expected_failure };

struct ScenarioResult {
    ScenarioInfo info;
    Verdict verdict = Verdict::skipped;
    std::string reason;
    std::vector<Finding> findings;
    bool handshake_completed = false;
    std::uint32_t duration_ms = 0;
    Transcript transcript;
    std::vector<PeerReport> peers;
    Expectation expectation = Expectation::none;
    std::string expectation_reason;

    // FAIL not listed as expected.
    [[nodiscard]] bool unexpected_failure() const {
        return verdict == Verdict::fail && expectation != Expectation::expected_failure;
    }
    [[nodiscard]] bool expected_failure() const {
        return verdict == Verdict::fail && expectation == Expectation::expected_failure;
    }
    // Listed as an expected failure, yet it ran and did not fail.
    [[nodiscard]] bool unexpected_pass() const {
        return expectation == Expectation::expected_failure &&
               (verdict == Verdict::pass || verdict == Verdict::non_strict);
    }
    [[nodiscard]] bool ran() const {
        return verdict == Verdict::pass || verdict == Verdict::non_strict || verdict == Verdict::fail;
    }
    // PASS, NON-STRICT, FAIL, XFAIL (expected failure), XPASS (expected failure that passed), ...
    [[nodiscard]] std::string outcome_label() const;
};

}  // namespace shakedown::conformance
