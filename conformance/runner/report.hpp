// Reporters: JSON (everything, machine-readable), JUnit XML (for CI dashboards, in the manner of
// h2spec), one self-contained HTML page (in the manner of Autobahn|Testsuite), and the terminal's
// live progress line and summary table.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>

#include "conformance/runner/runner.hpp"

namespace shakedown::conformance {

[[nodiscard]] std::string report_json(const RunReport& report);
[[nodiscard]] std::string report_junit(const RunReport& report);
[[nodiscard]] std::string report_html(const RunReport& report);

// Reads back what report_json wrote (shakedown report merge). Unknown fields are ignored, missing
// or mistyped ones are not: nullopt, with `error` naming the JSON path ("$.scenarios[3].verdict:
// expected one of ...").
[[nodiscard]] std::optional<RunReport> parse_report_json(std::string_view text, std::string& error);

// The line the HTML report opens with: "3 unexpected FAIL, 12 NON-STRICT, 140 PASS", or "all 155
// scenarios PASS".
[[nodiscard]] std::string headline(const RunReport& report);

// Hex dump, 16 bytes a line with offsets.
[[nodiscard]] std::string hex_dump(ByteView bytes, std::size_t indent = 0);

// The live line: rewritten in place on a terminal, one line per non-PASS result otherwise.
class Progress {
public:
    Progress(std::ostream& out, std::size_t total, bool tty, bool quiet);
    void started(const ScenarioInfo& info);
    void finished(const ScenarioResult& result);
    void done();

private:
    void redraw();

    std::ostream& m_out;
    std::size_t m_total;
    bool m_tty;
    bool m_quiet;
    std::size_t m_done = 0;
    std::size_t m_pass = 0;
    std::size_t m_non_strict = 0;
    std::size_t m_fail = 0;
    std::size_t m_xfail = 0;
    std::size_t m_other = 0;
    std::string m_last;
    std::chrono::steady_clock::time_point m_start;
};

void print_summary(std::ostream& out, const RunReport& report, bool color);

}  // namespace shakedown::conformance
