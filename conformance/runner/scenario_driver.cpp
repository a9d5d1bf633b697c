#include "conformance/runner/scenario_driver.hpp"

#include <algorithm>

namespace shakedown::conformance {

HandshakeReport handshake_report(const PeerReport& report) {
    HandshakeReport r;
    constexpr std::string_view failed = "HANDSHAKE_FAILED";
    for (const auto& line : report.lines) {
        if (line.rfind("HANDSHAKE_OK", 0) == 0) {
            r.ok = true;
            r.reported = true;
        } else if (line.rfind(failed, 0) == 0) {
            r.reported = true;
            if (r.failure.empty()) {
                r.failure = line.substr(std::min(line.size(), failed.size() + 1));
            }
        }
    }
    return r;
}

ScenarioOutcome open_failure(OpenResult::Status status, const std::string& error) {
    ScenarioOutcome o;
    if (status == OpenResult::Status::unimplemented) {
        o.verdict = Verdict::unimplemented;
        o.reason = error;
    } else {
        o.verdict = Verdict::fail;
        o.reason = "could not open a connection: " + error;
    }
    return o;
}

ScenarioDriver::ScenarioDriver(ScenarioContext& ctx, PeerRole target_role, std::vector<std::string> graded)
    : m_ctx(ctx), m_target_role(target_role), m_graded(std::move(graded)) {}

std::optional<ScenarioDriver::Opened> ScenarioDriver::open(const ConnectionRequest& request) {
    const std::uint8_t index = m_ctx.connections_opened();
    OpenResult r = m_ctx.open(request, Millis(5000));
    if (r.status != OpenResult::Status::ok) {
        m_open_status = r.status;
        m_open_error = r.error;
        return std::nullopt;
    }
    return Opened{std::move(r.transport), index};
}

ScenarioOutcome ScenarioDriver::open_failure() const { return conformance::open_failure(m_open_status, m_open_error); }

ScenarioOutcome ScenarioDriver::conclude(Verdict verdict, std::string reason, bool completed) {
    const auto& reports = m_ctx.finish_target();
    for (const std::uint8_t index : m_guarded) {
        if (index < reports.size() && handshake_report(reports[index]).ok && verdict != Verdict::fail) {
            verdict = Verdict::fail;
            reason = "the target reported HANDSHAKE_OK on connection " + std::to_string(index) +
                     ", where it had to refuse (" + reason + ")";
        }
    }
    return m_findings.outcome(verdict, std::move(reason), completed, m_graded);
}

}  // namespace shakedown::conformance
