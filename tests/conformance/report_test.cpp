// The reporters' promises: the HTML report leads with its headline and the unexpected FAILs, two
// renderings of one run differ only in their timing lines, a JSON report reads back as written (and
// a malformed one is refused with the path of the fault), and the merged matrix sorts deviations
// into shared and unique.
#include "conformance/runner/report.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "conformance/runner/matrix.hpp"
#include "conformance/runner/report_format.hpp"

namespace cf = shakedown::conformance;

namespace {

cf::Transcript transcript(std::uint32_t t0) {
    std::vector<cf::TranscriptEntry> entries(3);
    entries[0] = {t0, 0, cf::Direction::event, 0, {}, "connected (target plays acceptor)"};
    entries[1] = {t0 + 3, 0, cf::Direction::sent, 8, shakedown::Bytes{0x80, 0, 0, 4, 1, 2, 3, 4}, "HELLO <seq=0>"};
    entries[2] = {t0 + 17, 0, cf::Direction::received, 4, shakedown::Bytes{0x80, 0, 0, 0}, ""};
    return cf::Transcript::restore(std::move(entries), 0, 0);
}

cf::ScenarioResult report_result(const std::string& id, cf::Verdict v, cf::Expectation e = cf::Expectation::none) {
    cf::ScenarioResult r;
    r.info.id = id;
    r.info.title = "title of " + id;
    r.info.cls = id.substr(id.find('.') + 1, id.rfind('.') - id.find('.') - 1);
    r.info.target_role = id.rfind("acceptor", 0) == 0 ? cf::PeerRole::acceptor : cf::PeerRole::initiator;
    r.info.rule = "rule of " + id;
    r.verdict = v;
    r.reason = "reason for " + id;
    r.expectation = e;
    r.expectation_reason = e == cf::Expectation::none ? "" : "listed";
    r.duration_ms = 40;
    r.findings.push_back({v == cf::Verdict::skipped ? cf::Verdict::pass : v, "cat", "finding & <text>", true});
    r.peers.push_back({"peer --x", 0, false, {"HANDSHAKE_OK ab"}, "tail"});
    r.transcript = transcript(1);
    return r;
}

cf::RunReport sample(const std::string& target = "impl A") {
    cf::RunReport report;
    report.variant = "v";
    report.profile = "p";
    report.target = target;
    report.transport = "tcp";
    report.started_utc = "2026-01-01T00:00:00Z";
    report.duration_ms = 1234;
    report.jobs = 4;
    report.results.push_back(report_result("acceptor.a.ok", cf::Verdict::pass));
    report.results.push_back(report_result("acceptor.a.lax", cf::Verdict::non_strict));
    report.results.push_back(report_result("acceptor.b.bad", cf::Verdict::fail));
    report.results.push_back(report_result("initiator.b.known", cf::Verdict::fail, cf::Expectation::expected_failure));
    report.results.push_back(report_result("initiator.c.off", cf::Verdict::skipped, cf::Expectation::skip));
    report.results.push_back(report_result("initiator.c.none", cf::Verdict::unimplemented));
    report.results.push_back(report_result("initiator.c.ok", cf::Verdict::pass));
    return report;
}

// The same run, other times: every timestamp and duration moved.
cf::RunReport retimed(cf::RunReport report) {
    report.started_utc = "2027-06-30T23:59:59Z";
    report.duration_ms += 777;
    for (auto& r : report.results) {
        r.duration_ms += 5;
        r.transcript = transcript(90);
    }
    return report;
}

std::vector<std::string> lines(const std::string& s) {
    std::vector<std::string> out;
    std::istringstream in(s);
    for (std::string l; std::getline(in, l);) {
        out.push_back(l);
    }
    return out;
}

// The lines that differ, which must be as many in both.
std::vector<std::string> differing(const std::string& a, const std::string& b) {
    const auto la = lines(a);
    const auto lb = lines(b);
    EXPECT_EQ(la.size(), lb.size());
    std::vector<std::string> out;
    for (std::size_t i = 0; i < std::min(la.size(), lb.size()); ++i) {
        if (la[i] != lb[i]) {
            out.push_back(la[i]);
        }
    }
    return out;
}

}  // namespace

TEST(Headline, SaysWhatMattersFirst) {
    EXPECT_EQ(cf::format::headline({{"PASS", 140}, {"NON-STRICT", 12}, {"FAIL", 3}}),
              "3 unexpected FAIL, 12 NON-STRICT, 140 PASS");
    EXPECT_EQ(cf::format::headline({{"PASS", 155}}), "all 155 scenarios PASS");
    EXPECT_EQ(cf::format::headline({{"PASS", 1}}), "all 1 scenario PASS");
    EXPECT_EQ(cf::format::headline({}), "no scenarios");
    EXPECT_EQ(cf::format::headline({{"PASS", 2}, {"SKIPPED", 1}, {"XFAIL", 1}, {"XPASS", 1}, {"UNIMPLEMENTED", 1}}),
              "1 XPASS, 1 XFAIL, 1 UNIMPLEMENTED, 1 SKIPPED, 2 PASS");
    EXPECT_EQ(cf::headline(sample()), "1 unexpected FAIL, 1 NON-STRICT, 1 XFAIL, 1 UNIMPLEMENTED, 1 SKIPPED, 2 PASS");
}

TEST(ReportHtml, HeadlineThenUnexpectedFailuresThenTheRest) {
    const std::string html = cf::report_html(sample());
    const auto headline = html.find("<p class=\"headline\" id=\"headline\">1 unexpected FAIL, 1 NON-STRICT");
    ASSERT_NE(headline, std::string::npos);
    const auto bad = html.find("id=\"s-acceptor.b.bad\"");
    const auto ok = html.find("id=\"s-acceptor.a.ok\"");
    const auto summary = html.find("<h2>Summary</h2>");
    ASSERT_NE(bad, std::string::npos);
    ASSERT_NE(ok, std::string::npos);
    EXPECT_LT(headline, summary);
    EXPECT_LT(bad, ok) << "the unexpected FAIL comes before the scenarios that precede it in the catalogue";
    // One toggle per outcome, each row tagged with its outcome for the script.
    for (const auto& l : cf::format::outcome_labels()) {
        EXPECT_NE(html.find("data-v=\"" + l + "\" aria-pressed=\"true\""), std::string::npos) << l;
    }
    EXPECT_NE(html.find("class=\"sc fr\" id=\"s-initiator.c.none\" data-v=\"UNIMPLEMENTED\""), std::string::npos);
    EXPECT_NE(html.find("filter="), std::string::npos);  // the script reads a filter from the address
    EXPECT_EQ(html.find("http://"), std::string::npos);
    EXPECT_EQ(html.find("https://"), std::string::npos);
    EXPECT_EQ(html.find("src="), std::string::npos);
    // Transcript bytes and notes, escaped.
    EXPECT_NE(html.find("80 00 00 04 01 02 03 04"), std::string::npos);
    EXPECT_NE(html.find("HELLO &lt;seq=0&gt;"), std::string::npos);
}

TEST(ReportHtml, AllPassingSaysSo) {
    cf::RunReport report;
    report.variant = "v";
    report.results.push_back(report_result("acceptor.a.ok", cf::Verdict::pass));
    report.results.push_back(report_result("acceptor.a.ok2", cf::Verdict::pass));
    const std::string html = cf::report_html(report);
    EXPECT_NE(html.find(">all 2 scenarios PASS</p>"), std::string::npos);
    EXPECT_EQ(html.find("Unexpected FAIL ("), std::string::npos);
}

TEST(Reports, OnlyTimingLinesDifferBetweenTwoRenderingsOfOneRun) {
    const auto a = sample();
    const auto b = retimed(a);

    const auto html = differing(cf::report_html(a), cf::report_html(b));
    EXPECT_GE(html.size(), 2U + a.results.size() * 4);  // started, duration, and per scenario its duration + 3 entries
    for (const auto& l : html) {
        EXPECT_TRUE(l.find("class=\"timing\"") != std::string::npos ||
                    l.find("<span class=\"t\">") != std::string::npos)
            << l;
    }
    // The times sit alone in their elements: masking them leaves two identical pages.
    const std::regex times(R"(<span class="t">[^<]*</span>|<tr class="timing">.*</tr>)");
    EXPECT_EQ(std::regex_replace(cf::report_html(a), times, ""), std::regex_replace(cf::report_html(b), times, ""));

    const auto json = differing(cf::report_json(a), cf::report_json(b));
    EXPECT_FALSE(json.empty());
    const std::regex json_timing(R"re(^\s*"(started|duration_ms|t_ms)": .*$)re");
    for (const auto& l : json) {
        EXPECT_TRUE(std::regex_match(l, json_timing)) << l;
    }

    const std::regex junit_timing(R"( time="[0-9.]+"|^\+[0-9]+ms)");
    const auto junit = differing(cf::report_junit(a), cf::report_junit(b));
    EXPECT_FALSE(junit.empty());
    for (const auto& l : junit) {
        EXPECT_TRUE(std::regex_search(l, junit_timing)) << l;
    }
    const std::regex junit_times(R"( time="[0-9.]+"|\+[0-9]+ms c)");
    EXPECT_EQ(std::regex_replace(cf::report_junit(a), junit_times, ""),
              std::regex_replace(cf::report_junit(b), junit_times, ""));
}

TEST(ReportJson, ReadsBackAsWritten) {
    const auto report = sample();
    const std::string text = cf::report_json(report);
    std::string error;
    const auto back = cf::parse_report_json(text, error);
    ASSERT_TRUE(back) << error;
    EXPECT_EQ(cf::report_json(*back), text);
    EXPECT_EQ(cf::report_html(*back), cf::report_html(report));
    EXPECT_EQ(back->results[2].transcript.entries()[1].t_ms, 4U);
}

TEST(ReportJson, MalformedReportsNameThePathOfTheFault) {
    const auto good = nlohmann::json::parse(cf::report_json(sample()));
    const auto fails_with = [](const nlohmann::json& doc, const std::string& expected) {
        std::string error;
        EXPECT_FALSE(cf::parse_report_json(doc.dump(), error));
        EXPECT_NE(error.find(expected), std::string::npos) << "error: " << error << "\nexpected: " << expected;
    };
    std::string error;
    EXPECT_FALSE(cf::parse_report_json("{\"tool\": ", error));
    EXPECT_NE(error.find("invalid JSON"), std::string::npos) << error;
    EXPECT_FALSE(cf::parse_report_json("[]", error));
    EXPECT_EQ(error, "$: expected an object");

    auto doc = good;
    doc["tool"] = "something else";
    fails_with(doc, "$.tool: not a shakedown conform report");
    doc = good;
    doc.erase("variant");
    fails_with(doc, "$.variant: missing");
    doc = good;
    doc["scenarios"][3]["verdict"] = "maybe";
    fails_with(doc, "$.scenarios[3].verdict: 'maybe' is not one of pass, non_strict, fail, unimplemented, skipped");
    doc = good;
    doc["scenarios"][1]["transcript"]["entries"][2]["hex"] = "zz";
    fails_with(doc, "$.scenarios[1].transcript.entries[2].hex: not hexadecimal");
    doc = good;
    doc["scenarios"][0]["duration_ms"] = -1;
    fails_with(doc, "$.scenarios[0].duration_ms: expected an integer");
    doc = good;
    doc["scenarios"][0]["outcome"] = "FAIL";
    fails_with(doc, "$.scenarios[0].outcome: 'FAIL' does not follow from the verdict and expectation (PASS)");
    doc = good;
    doc["scenarios"][1]["id"] = "acceptor.a.ok";
    fails_with(doc, "$.scenarios[1].id: 'acceptor.a.ok' appears twice");
}

namespace {

// Two targets of variant v (A: sample(); B: other verdicts, one scenario fewer and one more) and one
// target of variant w.
std::vector<cf::MatrixSource> matrix_sources() {
    std::vector<cf::MatrixSource> sources;
    sources.push_back({"reports/v-a.json", sample("impl A")});
    auto b = sample("impl B");
    b.results[0].verdict = cf::Verdict::non_strict;  // acceptor.a.ok: unique to B
    b.results[1].verdict = cf::Verdict::pass;        // acceptor.a.lax: unique to A
    b.results.erase(b.results.begin() + 6);          // initiator.c.ok: absent from B
    b.results.push_back(report_result("initiator.d.new", cf::Verdict::fail));
    sources.push_back({"reports/v-b.json", b});
    auto w = sample("impl A");
    w.variant = "w";
    sources.push_back({"reports/w-a.json", w});
    return sources;
}

}  // namespace

TEST(Matrix, GroupsByVariantAndSortsDeviations) {
    const auto sources = matrix_sources();
    const auto groups = cf::build_matrix(sources);
    ASSERT_EQ(groups.size(), 2U);
    const auto& g = groups[0];
    EXPECT_EQ(g.variant, "v");
    ASSERT_EQ(g.columns.size(), 2U);
    EXPECT_EQ(g.columns[0].label, "impl A");
    EXPECT_EQ(g.columns[1].label, "impl B");
    ASSERT_EQ(g.rows.size(), 8U);
    EXPECT_EQ(g.rows[7].id, "initiator.d.new");
    EXPECT_EQ(g.rows[7].cells[0], nullptr);
    EXPECT_EQ(g.rows[6].id, "initiator.c.ok");
    EXPECT_EQ(g.rows[6].cells[1], nullptr);

    EXPECT_EQ(g.rows[0].unique_deviation(), 1U);  // acceptor.a.ok
    EXPECT_EQ(g.rows[1].unique_deviation(), 0U);  // acceptor.a.lax
    EXPECT_TRUE(g.rows[2].shared_deviation());    // acceptor.b.bad
    EXPECT_TRUE(g.rows[3].shared_deviation());    // XFAIL in both
    EXPECT_FALSE(g.rows[4].shared_deviation());   // SKIPPED is no deviation
    EXPECT_EQ(g.rows[4].deviations(), 0U);
    EXPECT_TRUE(g.rows[5].shared_deviation());    // UNIMPLEMENTED in both
    EXPECT_EQ(g.rows[7].unique_deviation(), 1U);  // only B has it, and fails it

    // Same target twice in a group: told apart by file name.
    std::vector<cf::MatrixSource> twice{{"x/first.json", sample()}, {"y/second.json", sample()}};
    const auto g2 = cf::build_matrix(twice);
    ASSERT_EQ(g2.size(), 1U);
    EXPECT_EQ(g2[0].columns[0].label, "impl A [first]");
    EXPECT_EQ(g2[0].columns[1].label, "impl A [second]");
}

TEST(Matrix, JsonJunitAndHtml) {
    const auto sources = matrix_sources();
    const auto json = nlohmann::json::parse(cf::matrix_json(sources));
    ASSERT_EQ(json["groups"].size(), 2U);
    const auto& g = json["groups"][0];
    EXPECT_EQ(g["targets"][1]["label"], "impl B");
    EXPECT_EQ(g["targets"][0]["headline"],
              "1 unexpected FAIL, 1 NON-STRICT, 1 XFAIL, 1 UNIMPLEMENTED, 1 SKIPPED, 2 PASS");
    EXPECT_EQ(g["targets"][1]["totals"]["FAIL"], 2);
    EXPECT_EQ(g["targets"][0]["by_class"]["a"]["NON-STRICT"], 1);
    EXPECT_EQ(g["deviations"]["shared_by_all"],
              nlohmann::json({"acceptor.b.bad", "initiator.b.known", "initiator.c.none"}));
    EXPECT_EQ(g["deviations"]["unique"]["impl A"], nlohmann::json({"acceptor.a.lax"}));
    EXPECT_EQ(g["deviations"]["unique"]["impl B"], nlohmann::json({"acceptor.a.ok", "initiator.d.new"}));
    EXPECT_TRUE(g["scenarios"][7]["cells"][0].is_null());
    EXPECT_EQ(g["scenarios"][7]["cells"][1]["outcome"], "FAIL");

    const std::string junit = cf::matrix_junit(sources);
    std::size_t suites = 0;
    for (auto at = junit.find("<testsuite "); at != std::string::npos; at = junit.find("<testsuite ", at + 1)) {
        ++suites;
    }
    EXPECT_EQ(suites, 3U);
    EXPECT_NE(junit.find("<testsuite name=\"v (p) / impl B\" tests=\"7\" failures=\"2\""), std::string::npos);

    const std::string html = cf::matrix_html(sources);
    EXPECT_NE(html.find("<p class=\"headline\" id=\"headline\">3 reports, 2 variants: 4 unexpected FAIL in 3 of 3</p>"),
              std::string::npos);
    EXPECT_NE(html.find("Deviations shared by all targets (3)"), std::string::npos);
    EXPECT_NE(html.find("Deviations unique to one target (3)"), std::string::npos);
    EXPECT_NE(html.find("Deviations (4, one target only)"), std::string::npos);  // variant w
    // Every cell links to a details element that exists.
    const std::regex link(R"re(href="#(d-[0-9]+-[0-9]+-[0-9]+)")re");
    std::size_t links = 0;
    for (auto it = std::sregex_iterator(html.begin(), html.end(), link); it != std::sregex_iterator(); ++it) {
        ++links;
        EXPECT_NE(html.find("<details class=\"cell\" id=\"" + (*it)[1].str() + "\""), std::string::npos) << (*it)[1];
    }
    EXPECT_GE(links, 7U + 7U + 7U);
    // A row carries the outcomes of all its cells, for the filters.
    EXPECT_NE(html.find("<tr class=\"fr\" id=\"r-0-0\" data-v=\"NON-STRICT PASS\">"), std::string::npos);
    EXPECT_NE(html.find("<td class=\"absent\""), std::string::npos);
    EXPECT_EQ(html.find("http://"), std::string::npos);
    EXPECT_EQ(html.find("https://"), std::string::npos);
}
