#include "conformance/runner/report_format.hpp"

#include <iomanip>
#include <sstream>

#include "conformance/runner/report.hpp"

namespace shakedown::conformance::format {

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

const std::vector<std::string>& outcome_labels() {
    static const std::vector<std::string> labels{"PASS",  "NON-STRICT",    "FAIL",   "XFAIL",
                                                 "XPASS", "UNIMPLEMENTED", "SKIPPED"};
    return labels;
}

std::string css_class(std::string_view label) {
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
    if (label == "UNIMPLEMENTED") {
        return "unimpl";
    }
    return "skip";
}

std::string headline(const LabelCounts& counts) {
    std::size_t total = 0;
    for (const auto& [label, n] : counts) {
        total += n;
    }
    const auto count = [&counts](const std::string& label) {
        const auto it = counts.find(label);
        return it == counts.end() ? std::size_t{0} : it->second;
    };
    if (total == 0) {
        return "no scenarios";
    }
    if (count("PASS") == total) {
        return "all " + std::to_string(total) + (total == 1 ? " scenario" : " scenarios") + " PASS";
    }
    // Most pressing first; a FAIL here is always unexpected (an expected one is an XFAIL).
    static const std::vector<std::pair<std::string, std::string>> order{{"FAIL", "unexpected FAIL"},
                                                                        {"XPASS", "XPASS"},
                                                                        {"NON-STRICT", "NON-STRICT"},
                                                                        {"XFAIL", "XFAIL"},
                                                                        {"UNIMPLEMENTED", "UNIMPLEMENTED"},
                                                                        {"SKIPPED", "SKIPPED"},
                                                                        {"PASS", "PASS"}};
    std::string out;
    for (const auto& [label, text] : order) {
        const auto n = count(label);
        if (n != 0) {
            out += (out.empty() ? "" : ", ") + std::to_string(n) + " " + text;
        }
    }
    return out;
}

namespace {

void transcript_entry_line(std::ostream& s, const TranscriptEntry& e, bool html) {
    if (html) {
        s << "<span class=\"t\">+" << e.t_ms << "ms</span>";
    } else {
        s << "+" << e.t_ms << "ms";
    }
    s << " c" << int(e.connection) << " " << to_string(e.direction);
    if (e.direction != Direction::event) {
        s << " " << e.size << " bytes";
    }
    if (!e.note.empty()) {
        s << " (" << (html ? xml_escape(e.note) : e.note) << ")";
    }
    s << "\n";
}

}  // namespace

std::string transcript_text(const Transcript& t) {
    std::ostringstream s;
    for (const auto& e : t.entries()) {
        transcript_entry_line(s, e, false);
        if (!e.bytes.empty()) {
            s << hex_dump(e.bytes, 4);
        }
    }
    if (t.elided_entries() > 0) {
        s << "(" << t.elided_entries() << " more entries not kept)\n";
    }
    return s.str();
}

std::string transcript_html(const Transcript& t) {
    std::ostringstream s;
    for (const auto& e : t.entries()) {
        transcript_entry_line(s, e, true);
        if (!e.bytes.empty()) {
            s << xml_escape(hex_dump(e.bytes, 4));
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
        s << "- [" << (f.severity == Verdict::pass ? "note" : to_label(f.severity))
          << (f.counted ? "" : ", not counted") << "] " << f.category << ": " << f.text << "\n";
    }
    return s.str();
}

void junit_testcase(std::ostream& x, const std::string& suite, const ScenarioResult& r) {
    x << "    <testcase classname=\"" << xml_escape(suite + "." + r.info.cls) << "\" name=\"" << xml_escape(r.info.id)
      << "\" time=\"" << seconds(r.duration_ms) << "\">\n";
    const std::string detail = findings_text(r) + transcript_text(r.transcript);
    if (r.unexpected_failure()) {
        x << "      <failure type=\"FAIL\" message=\"" << xml_escape(r.reason) << "\">" << xml_escape(detail)
          << "</failure>\n";
    } else if (r.expected_failure()) {
        x << "      <skipped message=\"expected failure: " << xml_escape(r.expectation_reason) << " -- "
          << xml_escape(r.reason) << "\"/>\n";
    } else if (!r.ran()) {
        x << "      <skipped message=\"" << xml_escape(r.outcome_label() + ": " + r.reason) << "\"/>\n";
    }
    x << "      <system-out>" << xml_escape(r.outcome_label() + ": " + r.reason + "\n" + detail) << "</system-out>\n";
    x << "    </testcase>\n";
}

std::string_view html_style() {
    return R"(<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
h1{font-size:1.4em;margin:0 0 .3em}
.headline{font-size:1.25em;font-weight:600;margin:.2em 0 .6em}
table{border-collapse:collapse;margin:.5em 0}
td,th{border:1px solid #ccc;padding:2px 8px;text-align:left;vertical-align:top}
th{background:#f3f3f3}
.badge{display:inline-block;min-width:7.5em;text-align:center;border-radius:3px;padding:0 4px;font-weight:600;color:#fff;text-decoration:none}
.pass{background:#2e7d32}.ns{background:#b8860b}.fail{background:#c62828}.xfail{background:#6a1b9a}
.xpass{background:#00838f}.unimpl{background:#455a64}.skip{background:#757575}
.absent{color:#999}
details{border-bottom:1px solid #eee;padding:2px 0}
details:target{background:#fff8e1}
summary{cursor:pointer}
pre{background:#fafafa;border:1px solid #eee;padding:6px;overflow-x:auto;font-size:12px}
.meta td:first-child{font-weight:600}
.small{color:#666;font-size:12px}
#filters{margin:.5em 0}
#filters button{border:0;margin:0 .3em .3em 0;padding:2px 8px;cursor:pointer;font:inherit;font-weight:600}
#filters button[aria-pressed="false"]{background:#ddd;color:#777;text-decoration:line-through}
#filters button.all{background:#555;color:#fff}
</style>
)";
}

std::string filter_bar(const LabelCounts& counts) {
    std::ostringstream h;
    h << "<div id=\"filters\">show: ";
    for (const auto& l : outcome_labels()) {
        const auto it = counts.find(l);
        h << "<button type=\"button\" class=\"badge " << css_class(l) << "\" data-v=\"" << l
          << "\" aria-pressed=\"true\">" << l << " (" << (it == counts.end() ? 0 : it->second) << ")</button>";
    }
    h << "<button type=\"button\" class=\"all\" data-all=\"1\">all</button></div>\n";
    return h.str();
}

std::string_view filter_script() {
    return R"(<script>
(function () {
  const buttons = Array.from(document.querySelectorAll('#filters button[data-v]'));
  function apply() {
    const on = new Set(buttons.filter(b => b.getAttribute('aria-pressed') === 'true').map(b => b.dataset.v));
    for (const row of document.querySelectorAll('.fr')) {
      const shown = row.dataset.v.split(' ').some(v => on.has(v));
      row.style.display = shown ? '' : 'none';
    }
    document.body.dataset.filter = Array.from(on).join(',');
  }
  function fromHash() {
    const m = /^#(?:.*&)?filter=([^&]*)/.exec(location.hash);
    if (!m) return false;
    const want = new Set(decodeURIComponent(m[1]).split(',').filter(v => v !== ''));
    for (const b of buttons) b.setAttribute('aria-pressed', want.has(b.dataset.v) ? 'true' : 'false');
    apply();
    return true;
  }
  function openTarget() {
    const el = location.hash.length > 1 ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null;
    if (el && el.tagName === 'DETAILS') el.open = true;
  }
  for (const b of buttons) {
    b.addEventListener('click', () => {
      b.setAttribute('aria-pressed', b.getAttribute('aria-pressed') === 'true' ? 'false' : 'true');
      apply();
    });
  }
  document.querySelector('#filters button[data-all]').addEventListener('click', () => {
    for (const b of buttons) b.setAttribute('aria-pressed', 'true');
    apply();
  });
  window.addEventListener('hashchange', () => { if (!fromHash()) openTarget(); });
  if (!fromHash()) { apply(); openTarget(); }
})();
</script>
)";
}

}  // namespace shakedown::conformance::format
