#include "conformance/runner/report.hpp"

#include <iomanip>
#include <limits>
#include <map>
#include <ostream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "conformance/runner/report_format.hpp"

namespace shakedown::conformance {

namespace {

using nlohmann::json;
using format::seconds;
using format::xml_escape;

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

namespace {

// A report that does not have the shape report_json writes: where, and what was expected there.
struct SchemaError {
    std::string path;
    std::string what;
};

class Reader {
public:
    Reader(const json& node, std::string path) : m_node(node), m_path(std::move(path)) {}

    [[nodiscard]] Reader at(const char* key) const {
        if (!m_node.is_object()) {
            throw SchemaError{m_path, "expected an object"};
        }
        const auto it = m_node.find(key);
        if (it == m_node.end()) {
            throw SchemaError{m_path + "." + key, "missing"};
        }
        return {*it, m_path + "." + key};
    }
    [[nodiscard]] std::vector<Reader> items() const {
        if (!m_node.is_array()) {
            throw SchemaError{m_path, "expected an array"};
        }
        std::vector<Reader> out;
        for (std::size_t i = 0; i < m_node.size(); ++i) {
            out.emplace_back(m_node[i], m_path + "[" + std::to_string(i) + "]");
        }
        return out;
    }
    [[nodiscard]] std::string str() const {
        if (!m_node.is_string()) {
            throw SchemaError{m_path, "expected a string"};
        }
        return m_node.get<std::string>();
    }
    [[nodiscard]] std::uint64_t uint(std::uint64_t max = std::numeric_limits<std::uint64_t>::max()) const {
        if (!m_node.is_number_unsigned() || m_node.get<std::uint64_t>() > max) {
            throw SchemaError{m_path, "expected an integer from 0 to " + std::to_string(max)};
        }
        return m_node.get<std::uint64_t>();
    }
    [[nodiscard]] bool boolean() const {
        if (!m_node.is_boolean()) {
            throw SchemaError{m_path, "expected true or false"};
        }
        return m_node.get<bool>();
    }
    [[nodiscard]] bool is_null() const { return m_node.is_null(); }
    [[nodiscard]] std::optional<int> optional_int() const {
        if (m_node.is_null()) {
            return std::nullopt;
        }
        if (!m_node.is_number_integer()) {
            throw SchemaError{m_path, "expected an integer or null"};
        }
        return m_node.get<int>();
    }
    // One of `names`; the index of the match.
    [[nodiscard]] std::size_t one_of(const std::vector<std::string_view>& names) const {
        const std::string s = str();
        for (std::size_t i = 0; i < names.size(); ++i) {
            if (s == names[i]) {
                return i;
            }
        }
        std::string list;
        for (const auto n : names) {
            list += (list.empty() ? "" : ", ") + std::string(n);
        }
        throw SchemaError{m_path, "'" + s + "' is not one of " + list};
    }
    [[nodiscard]] const std::string& path() const { return m_path; }

private:
    const json& m_node;
    std::string m_path;
};

const std::vector<Verdict> kVerdicts{Verdict::pass, Verdict::non_strict, Verdict::fail, Verdict::unimplemented,
                                     Verdict::skipped};

std::vector<std::string_view> verdict_names() {
    std::vector<std::string_view> out;
    for (const auto v : kVerdicts) {
        out.push_back(to_string(v));
    }
    return out;
}

Transcript read_transcript(const Reader& t) {
    std::vector<TranscriptEntry> entries;
    for (const auto& e : t.at("entries").items()) {
        TranscriptEntry entry;
        entry.t_ms = static_cast<std::uint32_t>(e.at("t_ms").uint(std::numeric_limits<std::uint32_t>::max()));
        entry.connection = static_cast<std::uint8_t>(e.at("connection").uint(255));
        entry.direction = static_cast<Direction>(e.at("direction").one_of({"sent", "received", "event"}));
        entry.size = e.at("size").uint();
        const auto hex = e.at("hex");
        auto bytes = from_hex(hex.str());
        if (!bytes) {
            throw SchemaError{hex.path(), "not hexadecimal"};
        }
        entry.bytes = std::move(*bytes);
        entry.note = e.at("note").str();
        entries.push_back(std::move(entry));
    }
    return Transcript::restore(std::move(entries), t.at("elided_entries").uint(), t.at("elided_bytes").uint());
}

ScenarioResult read_result(const Reader& s) {
    ScenarioResult r;
    r.info.id = s.at("id").str();
    r.info.title = s.at("title").str();
    r.info.cls = s.at("class").str();
    r.info.target_role = s.at("target_role").one_of({"initiator", "acceptor"}) == 0 ? PeerRole::initiator
                                                                                     : PeerRole::acceptor;
    r.info.rule = s.at("rule").str();
    r.verdict = kVerdicts[s.at("verdict").one_of(verdict_names())];
    r.reason = s.at("reason").str();
    r.handshake_completed = s.at("handshake_completed").boolean();
    r.duration_ms = static_cast<std::uint32_t>(s.at("duration_ms").uint(std::numeric_limits<std::uint32_t>::max()));
    const auto expectation = s.at("expectation");
    if (!expectation.is_null()) {
        const auto kind = expectation.at("kind");
        r.expectation = kind.one_of({"skip", "expected_failure"}) == 0 ? Expectation::skip
                                                                        : Expectation::expected_failure;
        r.expectation_reason = expectation.at("reason").str();
    }
    for (const auto& f : s.at("findings").items()) {
        Finding finding;
        const auto severity = f.at("severity");
        auto names = verdict_names();
        names.push_back("note");
        const auto i = severity.one_of(names);
        finding.severity = i < kVerdicts.size() ? kVerdicts[i] : Verdict::pass;
        finding.category = f.at("category").str();
        finding.text = f.at("text").str();
        finding.counted = f.at("counted").boolean();
        r.findings.push_back(std::move(finding));
    }
    for (const auto& p : s.at("peers").items()) {
        PeerReport peer;
        peer.command = p.at("command").str();
        peer.exit_status = p.at("exit_status").optional_int();
        peer.killed = p.at("killed").boolean();
        for (const auto& l : p.at("stdout").items()) {
            peer.lines.push_back(l.str());
        }
        peer.stderr_tail = p.at("stderr_tail").str();
        r.peers.push_back(std::move(peer));
    }
    r.transcript = read_transcript(s.at("transcript"));
    // The label is derived; a report whose label disagrees was edited or written by something else.
    const auto outcome = s.at("outcome");
    if (outcome.str() != r.outcome_label()) {
        throw SchemaError{outcome.path(), "'" + outcome.str() + "' does not follow from the verdict and expectation (" +
                                              r.outcome_label() + ")"};
    }
    return r;
}

}  // namespace

std::optional<RunReport> parse_report_json(std::string_view text, std::string& error) {
    json doc;
    try {
        doc = json::parse(text);
    } catch (const json::parse_error& e) {
        error = std::string("invalid JSON: ") + e.what();
        return std::nullopt;
    }
    try {
        const Reader root(doc, "$");
        if (root.at("tool").str() != "shakedown conform") {
            throw SchemaError{"$.tool", "not a shakedown conform report"};
        }
        RunReport report;
        report.variant = root.at("variant").str();
        report.profile = root.at("profile").str();
        report.target = root.at("target").str();
        report.transport = root.at("transport").str();
        report.expectations = root.at("expectations").str();
        report.started_utc = root.at("started").str();
        report.duration_ms = root.at("duration_ms").uint();
        report.jobs = root.at("jobs").uint();
        std::set<std::string> ids;
        for (const auto& s : root.at("scenarios").items()) {
            report.results.push_back(read_result(s));
            if (!ids.insert(report.results.back().info.id).second) {
                throw SchemaError{s.path() + ".id", "'" + report.results.back().info.id + "' appears twice"};
            }
        }
        return report;
    } catch (const SchemaError& e) {
        error = e.path + ": " + e.what;
        return std::nullopt;
    }
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
            format::junit_testcase(x, name, *r);
        }
        x << "  </testsuite>\n";
    }
    x << "</testsuites>\n";
    return x.str();
}

namespace {

format::LabelCounts label_counts(const RunReport& report) {
    format::LabelCounts counts;
    for (const auto& r : report.results) {
        ++counts[r.outcome_label()];
    }
    return counts;
}

void scenario_details(std::ostream& h, const ScenarioResult& r) {
    const std::string label = r.outcome_label();
    const std::string oc = format::css_class(label);
    h << "<details class=\"sc fr\" id=\"s-" << xml_escape(r.info.id) << "\" data-v=\"" << label
      << "\"><summary><span class=\"badge " << oc << "\">" << label << "</span> <code>" << xml_escape(r.info.id)
      << "</code> &mdash; " << xml_escape(r.reason) << "</summary>\n";
    h << "<table class=\"meta\">\n<tr><td>title</td><td>" << xml_escape(r.info.title) << "</td></tr>\n";
    h << "<tr><td>target role</td><td>" << to_string(r.info.target_role) << "</td></tr>\n";
    h << "<tr><td>class</td><td>" << xml_escape(r.info.cls) << "</td></tr>\n";
    h << "<tr><td>rule</td><td>" << xml_escape(r.info.rule) << "</td></tr>\n";
    h << "<tr><td>verdict</td><td>" << to_label(r.verdict) << (r.handshake_completed ? ", handshake completed" : "")
      << "</td></tr>\n";
    h << "<tr class=\"timing\"><td>duration</td><td>" << r.duration_ms << " ms</td></tr>\n";
    if (r.expectation != Expectation::none) {
        h << "<tr><td>expectation</td><td>" << to_string(r.expectation) << ": " << xml_escape(r.expectation_reason)
          << "</td></tr>\n";
    }
    h << "</table>\n";
    if (!r.findings.empty()) {
        h << "<ul>";
        for (const auto& f : r.findings) {
            h << "<li>" << (f.severity == Verdict::pass ? "note" : std::string(to_label(f.severity)))
              << (f.counted ? "" : " (graded by another scenario)") << " &mdash; " << xml_escape(f.category) << ": "
              << xml_escape(f.text) << "</li>";
        }
        h << "</ul>\n";
    }
    for (const auto& p : r.peers) {
        h << "<p class=\"small\">peer: exit " << (p.exit_status ? std::to_string(*p.exit_status) : std::string("?"))
          << (p.killed ? " (killed)" : "") << "; stdout: ";
        for (const auto& l : p.lines) {
            h << "<code>" << xml_escape(l) << "</code> ";
        }
        h << "</p>\n";
    }
    if (!r.transcript.entries().empty()) {
        h << "<pre>" << format::transcript_html(r.transcript) << "</pre>\n";
    }
    h << "</details>\n";
}

}  // namespace

std::string headline(const RunReport& report) { return format::headline(label_counts(report)); }

std::string report_html(const RunReport& report) {
    const std::string subject = report.variant + (report.profile.empty() ? "" : " (" + report.profile + ")");
    std::ostringstream h;
    h << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>shakedown conform: "
      << xml_escape(subject) << " against " << xml_escape(report.target) << "</title>\n"
      << format::html_style() << "</head><body>\n";
    h << "<h1>Conformance: " << xml_escape(subject) << " against " << xml_escape(report.target) << "</h1>\n";
    const auto counts = label_counts(report);
    h << "<p class=\"headline\" id=\"headline\">" << xml_escape(format::headline(counts)) << "</p>\n";
    h << "<table class=\"meta\">\n";
    h << "<tr><td>variant</td><td>" << xml_escape(report.variant) << "</td></tr>\n";
    h << "<tr><td>profile</td><td>" << xml_escape(report.profile) << "</td></tr>\n";
    h << "<tr><td>target</td><td>" << xml_escape(report.target) << "</td></tr>\n";
    h << "<tr><td>transport</td><td>" << xml_escape(report.transport) << "</td></tr>\n";
    if (!report.expectations.empty()) {
        h << "<tr><td>expectations</td><td>" << xml_escape(report.expectations) << "</td></tr>\n";
    }
    h << "<tr class=\"timing\"><td>started</td><td>" << xml_escape(report.started_utc) << "</td></tr>\n";
    h << "<tr class=\"timing\"><td>duration</td><td>" << seconds(report.duration_ms) << " s</td></tr>\n";
    h << "<tr><td>concurrency</td><td>" << report.jobs << " scenarios at a time</td></tr>\n";
    h << "<tr><td>handshakes completed</td><td>" << report.handshakes_completed() << "</td></tr>\n</table>\n";

    // Summary per class, classes in catalogue order.
    std::map<std::string, format::LabelCounts> by_class;
    std::vector<std::string> class_order;
    for (const auto& r : report.results) {
        if (by_class.find(r.info.cls) == by_class.end()) {
            class_order.push_back(r.info.cls);
        }
        ++by_class[r.info.cls][r.outcome_label()];
    }
    h << "<h2>Summary</h2>\n<table><tr><th>class</th>";
    for (const auto& l : format::outcome_labels()) {
        h << "<th>" << l << "</th>";
    }
    h << "</tr>\n";
    for (const auto& c : class_order) {
        h << "<tr><td>" << xml_escape(c) << "</td>";
        for (const auto& l : format::outcome_labels()) {
            const auto n = by_class[c][l];
            h << "<td>" << (n == 0 ? "" : std::to_string(n)) << "</td>";
        }
        h << "</tr>\n";
    }
    h << "<tr><th>total</th>";
    for (const auto& l : format::outcome_labels()) {
        const auto it = counts.find(l);
        h << "<th>" << (it == counts.end() ? 0 : it->second) << "</th>";
    }
    h << "</tr></table>\n";
    h << "<p class=\"small\">PASS: behaves as the reference. NON-STRICT: accepted what a strict peer rejects (or "
         "the reverse), or answered in another form, where the spec allows it. FAIL: forbidden behaviour. XFAIL: a "
         "FAIL the expectations file lists. XPASS: listed as an expected failure but did not fail. UNIMPLEMENTED: "
         "the target said it does not implement the case. SKIPPED: not run.</p>\n";

    h << format::filter_bar(counts);
    // Unexpected FAILs lead; the rest follow in catalogue order.
    const std::size_t failures = report.unexpected_failures();
    if (failures > 0) {
        h << "<h2 id=\"unexpected\">Unexpected FAIL (" << failures << ")</h2>\n";
        for (const auto& r : report.results) {
            if (r.unexpected_failure()) {
                scenario_details(h, r);
            }
        }
    }
    h << "<h2 id=\"scenarios\">" << (failures > 0 ? "Other scenarios" : "Scenarios") << " ("
      << report.results.size() - failures << ")</h2>\n";
    for (const auto& r : report.results) {
        if (!r.unexpected_failure()) {
            scenario_details(h, r);
        }
    }
    h << format::filter_script() << "</body></html>\n";
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
    const auto& labels = format::outcome_labels();
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
