#include "conformance/runner/report.hpp"

#include <iomanip>
#include <map>
#include <ostream>
#include <sstream>

#include <nlohmann/json.hpp>

namespace shakedown::conformance {

namespace {

using nlohmann::json;

std::string_view to_string(Expectation e) {
    switch (e) {
        case Expectation::none: return "none";
        case Expectation::skip: return "skip";
        case Expectation::expected_failure: return "expected_failure";
    }
    return "none";
}

// Keeps JSON and XML valid whatever the target sent: control bytes become '?'; invalid UTF-8 is
// replaced by the JSON serializer.
std::string printable(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (const char c : s) {
        const auto u = static_cast<unsigned char>(c);
        out.push_back(u < 0x20 && c != '\n' && c != '\t' ? '?' : c);
    }
    return out;
}

json transcript_json(const Transcript& t) {
    json entries = json::array();
    for (const auto& e : t.entries()) {
        entries.push_back({{"t_ms", e.t_ms},
                           {"connection", e.connection},
                           {"direction", to_string(e.direction)},
                           {"size", e.size},
                           {"hex", to_hex(e.bytes)},
                           {"note", printable(e.note)}});
    }
    return {{"entries", entries}, {"elided_entries", t.elided_entries()}, {"elided_bytes", t.elided_bytes()}};
}

json result_json(const ScenarioResult& r) {
    json findings = json::array();
    for (const auto& f : r.findings) {
        findings.push_back({{"severity", f.severity == Verdict::pass ? "note" : std::string(to_string(f.severity))},
                            {"category", f.category},
                            {"text", printable(f.text)},
                            {"counted", f.counted}});
    }
    json peers = json::array();
    for (const auto& p : r.peers) {
        json lines = json::array();
        for (const auto& l : p.lines) {
            lines.push_back(printable(l));
        }
        peers.push_back({{"command", p.command},
                         {"exit_status", p.exit_status ? json(*p.exit_status) : json(nullptr)},
                         {"killed", p.killed},
                         {"stdout", lines},
                         {"stderr_tail", printable(p.stderr_tail)}});
    }
    json expectation = nullptr;
    if (r.expectation != Expectation::none) {
        expectation = {{"kind", to_string(r.expectation)}, {"reason", r.expectation_reason}};
    }
    return {{"id", r.info.id},
            {"title", r.info.title},
            {"class", r.info.cls},
            {"target_role", to_string(r.info.target_role)},
            {"rule", r.info.rule},
            {"verdict", to_string(r.verdict)},
            {"outcome", r.outcome_label()},
            {"reason", printable(r.reason)},
            {"handshake_completed", r.handshake_completed},
            {"duration_ms", r.duration_ms},
            {"expectation", expectation},
            {"findings", findings},
            {"peers", peers},
            {"transcript", transcript_json(r.transcript)}};
}

std::string xml_escape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (const char c : s) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: {
                const auto u = static_cast<unsigned char>(c);
                if (u < 0x20 && c != '\n' && c != '\t') {
                    out += '?';
                } else if (u >= 0x80) {
                    // Keep the document well-formed whatever bytes a target put in a reason.
                    out += '?';
                } else {
                    out += c;
                }
            }
        }
    }
    return out;
}

std::string seconds(std::uint64_t ms) {
    std::ostringstream s;
    s << std::fixed << std::setprecision(3) << static_cast<double>(ms) / 1000.0;
    return s.str();
}

std::string transcript_text(const Transcript& t) {
    std::ostringstream s;
    for (const auto& e : t.entries()) {
        s << "+" << e.t_ms << "ms c" << int(e.connection) << " " << to_string(e.direction);
        if (e.direction != Direction::event) {
            s << " " << e.size << " bytes";
        }
        if (!e.note.empty()) {
            s << " (" << e.note << ")";
        }
        s << "\n";
        if (!e.bytes.empty()) {
            s << hex_dump(e.bytes, 4);
        }
    }
    if (t.elided_entries() > 0) {
        s << "(" << t.elided_entries() << " more entries not kept)\n";
    }
    return s.str();
}

std::string findings_text(const ScenarioResult& r) {
    std::ostringstream s;
    for (const auto& f : r.findings) {
        s << "- [" << (f.severity == Verdict::pass ? "note" : to_label(f.severity)) << (f.counted ? "" : ", not counted")
          << "] " << f.category << ": " << f.text << "\n";
    }
    return s.str();
}

}  // namespace

std::string hex_dump(ByteView bytes, std::size_t indent) {
    std::ostringstream s;
    const std::string pad(indent, ' ');
    static const char* digits = "0123456789abcdef";
    for (std::size_t off = 0; off < bytes.size(); off += 16) {
        s << pad << std::setw(6) << std::setfill('0') << std::hex << off << std::dec << std::setfill(' ') << "  ";
        std::string ascii;
        for (std::size_t i = 0; i < 16; ++i) {
            if (off + i < bytes.size()) {
                const std::uint8_t b = bytes[off + i];
                s << digits[b >> 4] << digits[b & 15] << ' ';
                ascii.push_back(b >= 0x20 && b < 0x7f ? static_cast<char>(b) : '.');
            } else {
                s << "   ";
            }
            if (i == 7) {
                s << ' ';
            }
        }
        s << " |" << ascii << "|\n";
    }
    return s.str();
}

std::string report_json(const RunReport& report) {
    json scenarios = json::array();
    for (const auto& r : report.results) {
        scenarios.push_back(result_json(r));
    }
    json summary = {{"total", report.results.size()},
                    {"ran", report.ran()},
                    {"pass", report.count(Verdict::pass)},
                    {"non_strict", report.count(Verdict::non_strict)},
                    {"fail", report.count(Verdict::fail)},
                    {"unexpected_failures", report.unexpected_failures()},
                    {"expected_failures", report.expected_failures()},
                    {"unexpected_passes", report.unexpected_passes()},
                    {"unimplemented", report.count(Verdict::unimplemented)},
                    {"skipped", report.count(Verdict::skipped)},
                    {"handshakes_completed", report.handshakes_completed()}};
    json doc = {{"tool", "shakedown conform"},
                {"variant", report.variant},
                {"profile", report.profile},
                {"target", report.target},
                {"transport", report.transport},
                {"expectations", report.expectations},
                {"started", report.started_utc},
                {"duration_ms", report.duration_ms},
                {"jobs", report.jobs},
                {"summary", summary},
                {"scenarios", scenarios}};
    return doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

std::string report_junit(const RunReport& report) {
    // One testsuite per role the target played.
    std::map<std::string, std::vector<const ScenarioResult*>> suites;
    for (const auto& r : report.results) {
        suites[report.variant + "." + std::string(to_string(r.info.target_role))].push_back(&r);
    }
    std::ostringstream x;
    x << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
    std::size_t failures = 0;
    std::size_t skipped = 0;
    for (const auto& r : report.results) {
        failures += r.unexpected_failure() ? 1 : 0;
        skipped += (!r.ran() || r.expected_failure()) ? 1 : 0;
    }
    x << "<testsuites name=\"shakedown conform " << xml_escape(report.variant) << "\" tests=\""
      << report.results.size() << "\" failures=\"" << failures << "\" skipped=\"" << skipped << "\" time=\""
      << seconds(report.duration_ms) << "\">\n";
    for (const auto& [name, results] : suites) {
        std::size_t f = 0;
        std::size_t s = 0;
        std::uint64_t ms = 0;
        for (const auto* r : results) {
            f += r->unexpected_failure() ? 1 : 0;
            s += (!r->ran() || r->expected_failure()) ? 1 : 0;
            ms += r->duration_ms;
        }
        x << "  <testsuite name=\"" << xml_escape(name) << "\" tests=\"" << results.size() << "\" failures=\"" << f
          << "\" errors=\"0\" skipped=\"" << s << "\" time=\"" << seconds(ms) << "\">\n";
        x << "    <properties><property name=\"target\" value=\"" << xml_escape(report.target)
          << "\"/><property name=\"transport\" value=\"" << xml_escape(report.transport) << "\"/></properties>\n";
        for (const auto* r : results) {
            x << "    <testcase classname=\"" << xml_escape(name + "." + r->info.cls) << "\" name=\""
              << xml_escape(r->info.id) << "\" time=\"" << seconds(r->duration_ms) << "\">\n";
            const std::string detail = findings_text(*r) + transcript_text(r->transcript);
            if (r->unexpected_failure()) {
                x << "      <failure type=\"FAIL\" message=\"" << xml_escape(r->reason) << "\">" << xml_escape(detail)
                  << "</failure>\n";
            } else if (r->expected_failure()) {
                x << "      <skipped message=\"expected failure: " << xml_escape(r->expectation_reason) << " -- "
                  << xml_escape(r->reason) << "\"/>\n";
            } else if (!r->ran()) {
                x << "      <skipped message=\"" << xml_escape(r->outcome_label() + ": " + r->reason) << "\"/>\n";
            }
            x << "      <system-out>" << xml_escape(r->outcome_label() + ": " + r->reason + "\n" + detail)
              << "</system-out>\n";
            x << "    </testcase>\n";
        }
        x << "  </testsuite>\n";
    }
    x << "</testsuites>\n";
    return x.str();
}

namespace {

std::string html_escape(std::string_view s) { return xml_escape(s); }

std::string outcome_class(const ScenarioResult& r) {
    const std::string label = r.outcome_label();
    if (label == "PASS") {
        return "pass";
    }
    if (label == "NON-STRICT") {
        return "ns";
    }
    if (label == "FAIL") {
        return "fail";
    }
    if (label == "XFAIL") {
        return "xfail";
    }
    if (label == "XPASS") {
        return "xpass";
    }
    return "skip";
}

}  // namespace

std::string report_html(const RunReport& report) {
    std::ostringstream h;
    h << R"(<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>shakedown conform: )"
      << html_escape(report.variant) << " against " << html_escape(report.target) << R"(</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em;margin:0 0 .3em}
table{border-collapse:collapse;margin:.5em 0}
td,th{border:1px solid #ccc;padding:2px 8px;text-align:left;vertical-align:top}
th{background:#f3f3f3}
.badge{display:inline-block;min-width:7.5em;text-align:center;border-radius:3px;padding:0 4px;font-weight:600;color:#fff}
.pass{background:#2e7d32}.ns{background:#b8860b}.fail{background:#c62828}.xfail{background:#6a1b9a}
.xpass{background:#00838f}.skip{background:#757575}
details{border-bottom:1px solid #eee;padding:2px 0}
summary{cursor:pointer}
pre{background:#fafafa;border:1px solid #eee;padding:6px;overflow-x:auto;font-size:12px}
.meta td:first-child{font-weight:600}
.small{color:#666;font-size:12px}
#filters label{margin-right:1em}
</style></head><body>
)";
    h << "<h1>Conformance: " << html_escape(report.variant) << "</h1>\n<table class=\"meta\">\n";
    h << "<tr><td>profile</td><td>" << html_escape(report.profile) << "</td></tr>\n";
    h << "<tr><td>target</td><td>" << html_escape(report.target) << "</td></tr>\n";
    h << "<tr><td>transport</td><td>" << html_escape(report.transport) << "</td></tr>\n";
    if (!report.expectations.empty()) {
        h << "<tr><td>expectations</td><td>" << html_escape(report.expectations) << "</td></tr>\n";
    }
    h << "<tr><td>started</td><td>" << html_escape(report.started_utc) << "</td></tr>\n";
    h << "<tr><td>duration</td><td>" << seconds(report.duration_ms) << " s, " << report.jobs
      << " scenarios at a time</td></tr>\n";
    h << "<tr><td>handshakes completed</td><td>" << report.handshakes_completed() << "</td></tr>\n</table>\n";

    // Summary per class.
    const std::vector<std::string> labels{"PASS", "NON-STRICT", "FAIL", "XFAIL", "XPASS", "UNIMPLEMENTED", "SKIPPED"};
    std::map<std::string, std::map<std::string, std::size_t>> by_class;
    std::vector<std::string> class_order;
    std::map<std::string, std::size_t> totals;
    for (const auto& r : report.results) {
        if (by_class.find(r.info.cls) == by_class.end()) {
            class_order.push_back(r.info.cls);
        }
        ++by_class[r.info.cls][r.outcome_label()];
        ++totals[r.outcome_label()];
    }
    h << "<h2>Summary</h2>\n<table><tr><th>class</th>";
    for (const auto& l : labels) {
        h << "<th>" << l << "</th>";
    }
    h << "</tr>\n";
    for (const auto& c : class_order) {
        h << "<tr><td>" << html_escape(c) << "</td>";
        for (const auto& l : labels) {
            const auto n = by_class[c][l];
            h << "<td>" << (n == 0 ? "" : std::to_string(n)) << "</td>";
        }
        h << "</tr>\n";
    }
    h << "<tr><th>total</th>";
    for (const auto& l : labels) {
        h << "<th>" << totals[l] << "</th>";
    }
    h << "</tr></table>\n";
    h << "<p class=\"small\">PASS: behaves as stellar-core. NON-STRICT: accepted what a strict peer rejects (or the "
         "reverse), or answered in another form, where the spec allows it. FAIL: forbidden behaviour. XFAIL: a FAIL "
         "the expectations file lists. XPASS: listed as an expected failure but did not fail.</p>\n";

    h << "<h2>Scenarios</h2>\n<div id=\"filters\">";
    for (const auto& cls : {"pass", "ns", "fail", "xfail", "xpass", "skip"}) {
        h << "<label><input type=\"checkbox\" checked data-c=\"" << cls << "\"> " << cls << "</label>";
    }
    h << "</div>\n";
    for (const auto& r : report.results) {
        const std::string oc = outcome_class(r);
        h << "<details class=\"sc\" data-c=\"" << oc << "\"><summary><span class=\"badge " << oc << "\">"
          << html_escape(r.outcome_label()) << "</span> <code>" << html_escape(r.info.id) << "</code> &mdash; "
          << html_escape(r.reason) << "</summary>\n";
        h << "<table class=\"meta\"><tr><td>title</td><td>" << html_escape(r.info.title) << "</td></tr>";
        h << "<tr><td>target role</td><td>" << to_string(r.info.target_role) << "</td></tr>";
        h << "<tr><td>class</td><td>" << html_escape(r.info.cls) << "</td></tr>";
        h << "<tr><td>rule</td><td>" << html_escape(r.info.rule) << "</td></tr>";
        h << "<tr><td>verdict</td><td>" << to_label(r.verdict) << " in " << r.duration_ms << " ms"
          << (r.handshake_completed ? ", handshake completed" : "") << "</td></tr>";
        if (r.expectation != Expectation::none) {
            h << "<tr><td>expectation</td><td>" << to_string(r.expectation) << ": "
              << html_escape(r.expectation_reason) << "</td></tr>";
        }
        h << "</table>\n";
        if (!r.findings.empty()) {
            h << "<ul>";
            for (const auto& f : r.findings) {
                h << "<li>" << (f.severity == Verdict::pass ? "note" : std::string(to_label(f.severity)))
                  << (f.counted ? "" : " (graded by another scenario)") << " &mdash; " << html_escape(f.category)
                  << ": " << html_escape(f.text) << "</li>";
            }
            h << "</ul>\n";
        }
        for (const auto& p : r.peers) {
            h << "<p class=\"small\">peer: exit "
              << (p.exit_status ? std::to_string(*p.exit_status) : std::string("?")) << (p.killed ? " (killed)" : "")
              << "; stdout: ";
            for (const auto& l : p.lines) {
                h << "<code>" << html_escape(l) << "</code> ";
            }
            h << "</p>\n";
        }
        if (!r.transcript.entries().empty()) {
            h << "<pre>" << html_escape(transcript_text(r.transcript)) << "</pre>\n";
        }
        h << "</details>\n";
    }
    h << R"(<script>
for (const box of document.querySelectorAll('#filters input')) {
  box.addEventListener('change', () => {
    for (const d of document.querySelectorAll('details.sc[data-c="' + box.dataset.c + '"]'))
      d.style.display = box.checked ? '' : 'none';
  });
}
</script>
</body></html>
)";
    return h.str();
}

Progress::Progress(std::ostream& out, std::size_t total, bool tty, bool quiet)
    : m_out(out), m_total(total), m_tty(tty), m_quiet(quiet), m_start(std::chrono::steady_clock::now()) {}

void Progress::started(const ScenarioInfo& info) {
    m_last = info.id;
    if (m_tty && !m_quiet) {
        redraw();
    }
}

void Progress::finished(const ScenarioResult& r) {
    ++m_done;
    const std::string label = r.outcome_label();
    if (label == "PASS") {
        ++m_pass;
    } else if (label == "NON-STRICT") {
        ++m_non_strict;
    } else if (label == "FAIL") {
        ++m_fail;
    } else if (label == "XFAIL") {
        ++m_xfail;
    } else {
        ++m_other;
    }
    if (m_quiet) {
        return;
    }
    if (m_tty) {
        if (label != "PASS") {
            m_out << "\r\033[K" << std::left << std::setw(13) << label << " " << r.info.id << "  " << r.reason << "\n";
        }
        redraw();
    } else if (label != "PASS") {
        m_out << std::left << std::setw(13) << label << " " << r.info.id << "  " << r.reason << "\n";
    }
}

void Progress::redraw() {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - m_start);
    m_out << "\r\033[K[" << m_done << "/" << m_total << "] " << seconds(static_cast<std::uint64_t>(ms.count()))
          << "s  pass " << m_pass << "  non-strict " << m_non_strict << "  fail " << m_fail << "  xfail " << m_xfail
          << "  other " << m_other << "  " << m_last << std::flush;
}

void Progress::done() {
    if (m_tty && !m_quiet) {
        m_out << "\r\033[K" << std::flush;
    }
}

void print_summary(std::ostream& out, const RunReport& report, bool color) {
    const std::vector<std::string> labels{"PASS", "NON-STRICT", "FAIL", "XFAIL", "XPASS", "UNIMPLEMENTED", "SKIPPED"};
    std::map<std::string, std::map<std::string, std::size_t>> by_class;
    std::vector<std::string> order;
    std::map<std::string, std::size_t> totals;
    for (const auto& r : report.results) {
        if (by_class.find(r.info.cls) == by_class.end()) {
            order.push_back(r.info.cls);
        }
        ++by_class[r.info.cls][r.outcome_label()];
        ++totals[r.outcome_label()];
    }
    out << report.variant << (report.profile.empty() ? "" : " (" + report.profile + ")") << " conformance against "
        << report.target << "\n"
        << report.results.size() << " scenarios in " << seconds(report.duration_ms) << " s (" << report.jobs
        << " at a time), " << report.handshakes_completed() << " handshakes completed\n\n";
    out << std::left << std::setw(14) << "class";
    for (const auto& l : labels) {
        out << std::right << std::setw(static_cast<int>(l.size() + 2)) << l;
    }
    out << "\n";
    for (const auto& c : order) {
        out << std::left << std::setw(14) << c;
        for (const auto& l : labels) {
            const auto n = by_class[c][l];
            out << std::right << std::setw(static_cast<int>(l.size() + 2)) << (n == 0 ? std::string("-") : std::to_string(n));
        }
        out << "\n";
    }
    out << std::left << std::setw(14) << "total";
    for (const auto& l : labels) {
        out << std::right << std::setw(static_cast<int>(l.size() + 2)) << totals[l];
    }
    out << "\n";
    const char* red = color ? "\033[31m" : "";
    const char* yellow = color ? "\033[33m" : "";
    const char* reset = color ? "\033[0m" : "";
    bool header = false;
    for (const auto& r : report.results) {
        const std::string label = r.outcome_label();
        if (label == "PASS" || label == "SKIPPED") {
            continue;
        }
        if (!header) {
            out << "\nnot passing:\n";
            header = true;
        }
        const char* c = label == "FAIL" ? red : (label == "NON-STRICT" ? yellow : "");
        out << "  " << c << std::left << std::setw(13) << label << reset << " " << r.info.id << "\n      " << r.reason
            << "\n";
        if (r.expectation == Expectation::expected_failure) {
            out << "      expected: " << r.expectation_reason << "\n";
        }
    }
    out << "\n";
    if (report.ran() == 0) {
        out << red << "no scenario ran" << reset << "\n";
    } else if (report.unexpected_failures() > 0) {
        out << red << report.unexpected_failures() << " unexpected FAIL" << reset << "\n";
    } else {
        out << "no unexpected FAIL";
        if (report.unexpected_passes() > 0) {
            out << " (" << report.unexpected_passes() << " expected failure(s) passed: update the expectations)";
        }
        out << "\n";
    }
}

}  // namespace shakedown::conformance
