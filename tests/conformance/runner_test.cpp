// The runner's own parts: expectations files, id patterns, the exit policy, framing bounds and the
// reporters.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "conformance/runner/expectations.hpp"
#include "conformance/runner/report.hpp"
#include "conformance/runner/runner.hpp"
#include "conformance/runner/transport.hpp"
#include "conformance/runner/udp.hpp"
#include "conformance/scenarios/stellar/framing.hpp"

namespace cf = shakedown::conformance;

TEST(Glob, MatchesStarsAndQuestionMarks) {
    EXPECT_TRUE(cf::glob_match("*", "acceptor.happy.path"));
    EXPECT_TRUE(cf::glob_match("*.happy.*", "initiator.happy.no-bit31"));
    EXPECT_TRUE(cf::glob_match("acceptor.flags.10?", "acceptor.flags.100"));
    EXPECT_FALSE(cf::glob_match("acceptor.*", "initiator.happy.path"));
    EXPECT_FALSE(cf::glob_match("*.flags.1", "acceptor.flags.100"));
    EXPECT_TRUE(cf::glob_match("a*b*c", "axxbyyc"));
    EXPECT_FALSE(cf::glob_match("a*b*c", "axxbyy"));
}

TEST(Expectations, ParsesAndLooksUp) {
    std::string error;
    const auto e = cf::Expectations::parse(R"({
        "implementation": "x 1.0",
        "skip": [{"id": "initiator.idle.*", "reason": "no idle timeout"}],
        "expected_failures": [{"id": "acceptor.flags.100", "reason": "D-19"}]
    })",
                                           error);
    ASSERT_TRUE(e) << error;
    EXPECT_EQ(e->implementation(), "x 1.0");
    ASSERT_NE(e->lookup("initiator.idle.after-hello"), nullptr);
    EXPECT_EQ(e->lookup("initiator.idle.after-hello")->kind, cf::Expectation::skip);
    EXPECT_EQ(e->lookup("acceptor.flags.100")->kind, cf::Expectation::expected_failure);
    EXPECT_EQ(e->lookup("acceptor.flags.0"), nullptr);
    const auto stale = e->unmatched({"acceptor.flags.100", "acceptor.happy.path"});
    ASSERT_EQ(stale.size(), 1U);
    EXPECT_EQ(stale[0], "initiator.idle.*");
}

TEST(Expectations, RejectsWhatWouldSilentlyStopWorking) {
    std::string error;
    EXPECT_FALSE(cf::Expectations::parse(R"({"skips": []})", error));
    EXPECT_FALSE(cf::Expectations::parse(R"({"skip": [{"id": "a"}]})", error));
    EXPECT_FALSE(cf::Expectations::parse(R"({"skip": [{"id": "a", "reason": ""}]})", error));
    EXPECT_FALSE(cf::Expectations::parse(R"({"skip": [{"id": "a", "reason": "r", "why": "w"}]})", error));
    EXPECT_FALSE(cf::Expectations::parse(
        R"({"skip": [{"id": "a", "reason": "r"}], "expected_failures": [{"id": "a", "reason": "r"}]})", error));
    EXPECT_FALSE(cf::Expectations::parse("[]", error));
    EXPECT_FALSE(cf::Expectations::parse("{", error));
}

namespace {
cf::ScenarioResult result(const std::string& id, cf::Verdict v, cf::Expectation e = cf::Expectation::none) {
    cf::ScenarioResult r;
    r.info.id = id;
    r.info.title = "title <with> \"markup\" & bytes \x01";
    r.info.cls = id.substr(id.find('.') + 1, id.rfind('.') - id.find('.') - 1);
    r.info.target_role = id.rfind("acceptor", 0) == 0 ? cf::PeerRole::acceptor : cf::PeerRole::initiator;
    r.verdict = v;
    r.reason = "reason for " + id;
    r.expectation = e;
    r.expectation_reason = e == cf::Expectation::none ? "" : "listed";
    r.transcript.sent(0, shakedown::Bytes{0x80, 0, 0, 4, 1, 2, 3, 4}, "a record");
    return r;
}
}  // namespace

TEST(ExitPolicy, ZeroScenariosRunIsAFailure) {
    cf::RunReport report;
    EXPECT_EQ(cf::exit_code(report, {}), 1);
    report.results.push_back(result("acceptor.a.skipped", cf::Verdict::skipped));
    report.results.push_back(result("acceptor.a.unimpl", cf::Verdict::unimplemented));
    EXPECT_EQ(cf::exit_code(report, {}), 1);
    report.results.push_back(result("acceptor.a.ok", cf::Verdict::pass));
    EXPECT_EQ(cf::exit_code(report, {}), 0);
}

TEST(ExitPolicy, ExpectedFailuresAndUnexpectedPasses) {
    cf::RunReport report;
    report.results.push_back(result("acceptor.a.ok", cf::Verdict::pass));
    report.results.push_back(result("acceptor.a.xfail", cf::Verdict::fail, cf::Expectation::expected_failure));
    EXPECT_EQ(cf::exit_code(report, {}), 0);
    EXPECT_EQ(report.results[1].outcome_label(), "XFAIL");
    report.results.push_back(result("acceptor.a.xpass", cf::Verdict::pass, cf::Expectation::expected_failure));
    EXPECT_EQ(report.results[2].outcome_label(), "XPASS");
    EXPECT_EQ(report.unexpected_passes(), 1U);
    EXPECT_EQ(cf::exit_code(report, {}), 0);
    EXPECT_EQ(cf::exit_code(report, {false, true}), 1);
    report.results.push_back(result("acceptor.a.ns", cf::Verdict::non_strict));
    EXPECT_EQ(cf::exit_code(report, {}), 0);
    EXPECT_EQ(cf::exit_code(report, {true, false}), 1);
    report.results.push_back(result("initiator.b.fail", cf::Verdict::fail));
    EXPECT_EQ(cf::exit_code(report, {}), 1);
}

TEST(Reports, JsonJunitAndHtmlCarryEveryScenario) {
    cf::RunReport report;
    report.variant = "stellar";
    report.target = "test <target>";
    report.results.push_back(result("acceptor.a.ok", cf::Verdict::pass));
    report.results.push_back(result("acceptor.a.bad", cf::Verdict::fail));
    report.results.push_back(result("initiator.b.xfail", cf::Verdict::fail, cf::Expectation::expected_failure));
    report.results.push_back(result("initiator.b.skip", cf::Verdict::skipped, cf::Expectation::skip));

    const auto json = nlohmann::json::parse(cf::report_json(report));
    EXPECT_EQ(json["summary"]["total"], 4);
    EXPECT_EQ(json["summary"]["unexpected_failures"], 1);
    EXPECT_EQ(json["summary"]["expected_failures"], 1);
    EXPECT_EQ(json["scenarios"][1]["outcome"], "FAIL");
    EXPECT_EQ(json["scenarios"][2]["outcome"], "XFAIL");
    EXPECT_EQ(json["scenarios"][0]["transcript"]["entries"][0]["hex"], "8000000401020304");

    const std::string junit = cf::report_junit(report);
    EXPECT_NE(junit.find("<testsuites"), std::string::npos);
    EXPECT_NE(junit.find("<testsuite name=\"stellar.acceptor\""), std::string::npos);
    EXPECT_NE(junit.find("failures=\"1\""), std::string::npos);
    EXPECT_NE(junit.find("<failure type=\"FAIL\" message=\"reason for acceptor.a.bad\""), std::string::npos);
    EXPECT_NE(junit.find("<skipped message=\"expected failure: listed"), std::string::npos);
    EXPECT_EQ(junit.find('\x01'), std::string::npos);
    EXPECT_EQ(junit.find("<target>"), std::string::npos);

    const std::string html = cf::report_html(report);
    EXPECT_NE(html.find("<!DOCTYPE html>"), std::string::npos);
    for (const auto& r : report.results) {
        EXPECT_NE(html.find(r.info.id), std::string::npos) << r.info.id;
    }
    EXPECT_NE(html.find("80 00 00 04 01 02 03 04"), std::string::npos);
    EXPECT_EQ(html.find("<target>"), std::string::npos);
    EXPECT_EQ(html.find("http://"), std::string::npos);  // self-contained
    EXPECT_EQ(html.find("https://"), std::string::npos);
}

TEST(RecordMarkFraming, BoundsAndErrors) {
    const shakedown::conformance::stellar_scenarios::RecordMarkFraming f;
    using Kind = cf::StreamFraming::Step::Kind;
    EXPECT_EQ(f.step(shakedown::Bytes{0x80, 0}, 64).kind, Kind::need_more);
    EXPECT_EQ(f.step(shakedown::Bytes{0x80, 0, 0, 0}, 64).kind, Kind::error);
    EXPECT_EQ(f.step(shakedown::Bytes{0xff, 0xff, 0xff, 0xff}, 64).kind, Kind::error);
    EXPECT_EQ(f.step(shakedown::Bytes{0x00, 0, 0, 65}, 64).kind, Kind::error);
    EXPECT_EQ(f.step(shakedown::Bytes{0x80, 0, 0, 2, 9}, 64).kind, Kind::need_more);
    const auto s = f.step(shakedown::Bytes{0x00, 0, 0, 2, 9, 9, 7}, 64);  // bit 31 is not required
    EXPECT_EQ(s.kind, Kind::message);
    EXPECT_EQ(s.total, 6U);
    EXPECT_EQ(s.payload_size, 2U);
    EXPECT_EQ(f.frame(shakedown::Bytes{1, 2}), (shakedown::Bytes{0x80, 0, 0, 2, 1, 2}));
}

TEST(Endpoints, OnlyLoopback) {
    std::string why;
    EXPECT_TRUE(cf::parse_endpoint("127.0.0.1:0", why));
    EXPECT_TRUE(cf::parse_endpoint("localhost:11625", why));
    EXPECT_TRUE(cf::parse_endpoint("[::1]:80", why));
    EXPECT_TRUE(cf::parse_endpoint("127.5.6.7:1", why));
    EXPECT_FALSE(cf::parse_endpoint("10.0.0.1:11625", why));
    EXPECT_FALSE(cf::parse_endpoint("example.org:11625", why));
    EXPECT_FALSE(cf::parse_endpoint("127.0.0.1:65536", why));
    EXPECT_FALSE(cf::parse_endpoint("127.0.0.1", why));
}

namespace {

// A scenario that passes whenever it runs: what decides here is whether the runner runs it.
class Fixed final : public cf::Scenario {
public:
    Fixed(std::string id, std::vector<std::string> config, bool needs_report = false) {
        m_info.id = std::move(id);
        m_info.title = m_info.id;
        m_info.cls = "config";
        m_info.target_role = cf::PeerRole::acceptor;
        m_info.target_config = std::move(config);
        m_info.needs_target_report = needs_report;
    }
    [[nodiscard]] const cf::ScenarioInfo& info() const override { return m_info; }
    [[nodiscard]] cf::ScenarioOutcome run(cf::ScenarioContext&) const override {
        return {cf::Verdict::pass, "ran", {}, false};
    }

private:
    cf::ScenarioInfo m_info;
};

}  // namespace

TEST(TargetConfigs, NumberedMostNeededFirstAndARunningTargetRunsOnlyItsOwn) {
    const std::vector<std::string> clock{"--now", "5"};
    const std::vector<std::string> mode{"--mode", "x y"};
    cf::Catalogue cat;
    cat.scenarios.push_back(std::make_unique<Fixed>("acceptor.config.plain1", std::vector<std::string>{}));
    cat.scenarios.push_back(std::make_unique<Fixed>("acceptor.config.clock", clock));
    cat.scenarios.push_back(std::make_unique<Fixed>("acceptor.config.plain2", std::vector<std::string>{}));
    cat.scenarios.push_back(std::make_unique<Fixed>("acceptor.config.mode", mode));
    cat.scenarios.push_back(std::make_unique<Fixed>("acceptor.config.report", clock, true));

    const auto configs = cf::target_configs(cat);
    ASSERT_EQ(configs.size(), 3U);
    EXPECT_TRUE(configs[0].flags.empty());
    EXPECT_EQ(configs[0].acceptor, 2U);
    EXPECT_EQ(configs[1].flags, clock);  // a tie keeps the catalogue's order; the report one does not count
    EXPECT_EQ(configs[1].acceptor, 1U);
    EXPECT_EQ(configs[2].flags, mode);
    EXPECT_EQ(cf::default_target_config(configs, cf::PeerRole::acceptor), std::optional<std::size_t>(0));
    EXPECT_FALSE(cf::default_target_config(configs, cf::PeerRole::initiator));
    EXPECT_EQ(cf::join_flags({"--mode", "x y", "", "it's", "a/b=c"}), "--mode 'x y' '' 'it'\\''s' a/b=c");

    // Nothing listens there: no scenario here opens a connection.
    cf::ConnectTarget target(std::make_shared<cf::UdpTransportFactory>(), cf::Endpoint{"127.0.0.1", 9});
    cf::RunOptions options;
    options.target_config = clock;
    const auto report = cf::run_catalogue(cat, target, "udp", options);
    ASSERT_EQ(report.results.size(), 5U);
    for (const auto& r : report.results) {
        if (r.info.id == "acceptor.config.clock") {
            EXPECT_EQ(r.verdict, cf::Verdict::pass);
        } else {
            EXPECT_EQ(r.verdict, cf::Verdict::skipped) << r.info.id;
        }
        if (r.info.id == "acceptor.config.mode") {
            EXPECT_NE(r.reason.find("--mode 'x y'"), std::string::npos) << r.reason;
        }
        if (r.info.id == "acceptor.config.report") {
            EXPECT_NE(r.reason.find("own report"), std::string::npos) << r.reason;
        }
    }
}
