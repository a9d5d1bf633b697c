#include "conformance/runner/findings.hpp"

#include <algorithm>

namespace shakedown::conformance {

void Findings::add(Verdict severity, std::string_view category, std::string text) {
    for (const auto& f : m_items) {
        if (f.category == category && f.text == text) {
            return;
        }
    }
    if (m_items.size() >= kCap) {
        return;
    }
    Finding f;
    f.severity = severity;
    f.category = std::string(category);
    f.text = std::move(text);
    m_items.push_back(std::move(f));
}

ScenarioOutcome Findings::outcome(Verdict verdict, std::string reason, bool completed,
                                  const std::vector<std::string>& graded) const {
    ScenarioOutcome out;
    out.handshake_completed = completed;
    Verdict worst_finding = Verdict::pass;
    std::string finding_reason;
    for (const Finding& f : m_items) {
        Finding g = f;
        const bool graded_here = std::find(graded.begin(), graded.end(), f.category) != graded.end();
        g.counted = f.severity == Verdict::fail || (f.severity == Verdict::non_strict && graded_here);
        if (g.counted && worst(worst_finding, g.severity) != worst_finding) {
            worst_finding = g.severity;
            finding_reason = g.text;
        }
        out.findings.push_back(std::move(g));
    }
    out.verdict = verdict;
    out.reason = std::move(reason);
    if (worst(verdict, worst_finding) != verdict) {
        out.verdict = worst_finding;
        out.reason = finding_reason + (out.reason.empty() ? "" : " [" + out.reason + "]");
    }
    return out;
}

bool NonceRegistry::insert(ByteView value) {
    const std::lock_guard<std::mutex> lock(m_mutex);
    return m_seen.emplace(value.begin(), value.end()).second;
}

}  // namespace shakedown::conformance
