// What a scenario noticed about the target beside its verdict: graded findings, and the values
// the target must never repeat across connections. Variant-independent: categories are the
// variant's own names ("framing", "nonce", ...).
#pragma once

#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.hpp"
#include "conformance/runner/runner.hpp"

namespace shakedown::conformance {

// The findings of one scenario, each (category, text) once and at most kCap of them. A FAIL
// finding always counts; a NON-STRICT one counts only in the scenarios that grade its category
// (so that one cosmetic difference does not colour every scenario); a PASS finding is a note.
class Findings {
public:
    static constexpr std::size_t kCap = 64;

    void add(Verdict severity, std::string_view category, std::string text);
    [[nodiscard]] const std::vector<Finding>& all() const { return m_items; }

    // The scenario's outcome: `verdict` and `reason`, unless a counted finding is worse (then the
    // worst one, with `reason` in brackets). Every finding is listed, counted or not.
    [[nodiscard]] ScenarioOutcome outcome(Verdict verdict, std::string reason, bool completed,
                                          const std::vector<std::string>& graded) const;

private:
    std::vector<Finding> m_items;
};

// Values the target must never repeat (nonces, ephemeral keys), across every connection of a run:
// one registry is shared by all scenarios, on any thread.
class NonceRegistry {
public:
    // False if `value` was seen before.
    [[nodiscard]] bool insert(ByteView value);

private:
    std::mutex m_mutex;
    std::set<Bytes> m_seen;
};

}  // namespace shakedown::conformance
