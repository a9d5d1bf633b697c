// What the per-target reports (report.cpp) and the merged matrix (matrix.cpp) render alike:
// escaping, outcome labels and their colours, the headline, transcripts, JUnit test cases, and the
// verdict filter bar with its script. Pages stay self-contained (no external resource): they are
// opened from CI artifacts, often offline.
//
// Timings are kept apart from everything else so that two reports of the same run diff cleanly
// once they are ignored: in HTML every time sits on a line of its own marked class="timing" or in
// a <span class="t">, in JSON in the fields started / duration_ms / t_ms, in JUnit in the time
// attributes and the "+<n>ms" prefixes of transcript lines.
#pragma once

#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "conformance/runner/verdict.hpp"

namespace shakedown::conformance::format {

// Escapes for XML and HTML; control bytes and non-ASCII bytes become '?' so that the document stays
// well-formed whatever a target sent.
[[nodiscard]] std::string xml_escape(std::string_view s);

// "1.234" for 1234 ms.
[[nodiscard]] std::string seconds(std::uint64_t ms);

// Every outcome label in the order the pages list them: PASS, NON-STRICT, FAIL, XFAIL, XPASS,
// UNIMPLEMENTED, SKIPPED.
[[nodiscard]] const std::vector<std::string>& outcome_labels();
// The CSS class of a label's colour (pass, ns, fail, ...).
[[nodiscard]] std::string css_class(std::string_view label);

// Counts per outcome label.
using LabelCounts = std::map<std::string, std::size_t>;
// One line that says what matters first: "3 unexpected FAIL, 12 NON-STRICT, 140 PASS", or
// "all 155 scenarios PASS".
[[nodiscard]] std::string headline(const LabelCounts& counts);

// Plain text, one line per entry ("+12ms c0 sent 8 bytes (note)") followed by its hex dump.
[[nodiscard]] std::string transcript_text(const Transcript& t);
// The same as HTML for a <pre>, each time in a <span class="t">.
[[nodiscard]] std::string transcript_html(const Transcript& t);
// One line per finding.
[[nodiscard]] std::string findings_text(const ScenarioResult& r);

// One <testcase> element, its class name prefixed with `suite`.
void junit_testcase(std::ostream& x, const std::string& suite, const ScenarioResult& r);

// The <style> element both pages use.
[[nodiscard]] std::string_view html_style();
// Toggle buttons, one per outcome label, with the counts given (labels with no count are still
// shown, with 0, so that the bar looks the same on every page). Rows carry class "fr" and, in
// data-v, the labels they hold separated by spaces; a row shows while one of its labels is on.
[[nodiscard]] std::string filter_bar(const LabelCounts& counts);
// The script that drives the bar. It also applies a filter named in the address at load time and
// on every change (page.html#filter=FAIL,NON-STRICT), so that a link, or a headless browser,
// can open a filtered view; any other fragment naming a <details> element opens it.
[[nodiscard]] std::string_view filter_script();

}  // namespace shakedown::conformance::format
