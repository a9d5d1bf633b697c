// The STT conformance catalogue (conformance/scenarios/stt/catalogue.cpp): its ids are unique and
// follow "<role>.<class>.<name>", every knob the registry offers names scenarios that exist, and
// against the in-process reference a planted bug fails the scenarios that exist to catch it while
// the strict reference passes them. (tests/conformance/bug_knobs.sh checks every knob end to end.)
#include <gtest/gtest.h>

#include <cstdlib>
#include <regex>
#include <set>

#include "conformance/registry/variant.hpp"
#include "conformance/scenarios/stt/variant.hpp"

namespace {

namespace cf = shakedown::conformance;
namespace reg = shakedown::registry;

double scale() {
    const char* s = std::getenv("SHAKEDOWN_TIMEOUT_SCALE");
    return s != nullptr ? std::atof(s) : 1.0;
}

bool matches(const std::string& pattern, const std::string& id) {
    std::string re;
    for (const char c : pattern) {
        if (c == '*') {
            re += ".*";
        } else if (std::string("\\^$.|?+()[]{}").find(c) != std::string::npos) {
            re += std::string("\\") + c;
        } else {
            re += c;
        }
    }
    return std::regex_match(id, std::regex(re));
}

cf::Catalogue catalogue(const std::string& target_suite = "") {
    reg::CatalogueOptions o;
    o.profile = "strict";
    if (!target_suite.empty()) {
        o.settings["target-suite"] = {target_suite};
    }
    return shakedown::stt::variant().catalogue(o);
}

cf::RunReport run(const std::vector<std::string>& knobs, const std::vector<std::string>& only,
                  const std::string& target_suite = "") {
    const auto& v = shakedown::stt::variant();
    std::string error;
    auto peer = reg::reference_peer(v, "strict", {}, knobs, error);
    EXPECT_TRUE(peer) << error;
    cf::LocalPeerTarget target(v.transport("strict", {}), peer);
    cf::RunOptions options;
    options.timeout_scale = scale();
    options.only = only;
    return cf::run_catalogue(catalogue(target_suite), target, "stt", options);
}

TEST(SttCatalogue, IdsAreUniqueAndNamed) {
    const auto c = catalogue();
    std::set<std::string> ids;
    for (const auto& s : c.scenarios) {
        const auto& info = s->info();
        EXPECT_TRUE(ids.insert(info.id).second) << "duplicate " << info.id;
        const std::string role(shakedown::to_string(info.target_role));
        EXPECT_EQ(info.id.rfind(role + "." + info.cls + ".", 0), 0U) << info.id;
    }
    EXPECT_GT(ids.size(), 60U);
}

TEST(SttCatalogue, EveryKnobNamesExistingScenarios) {
    const auto c = catalogue();
    const auto& v = shakedown::stt::variant();
    EXPECT_FALSE(v.knobs.empty());
    for (const auto& k : v.knobs) {
        // Either scenarios to fail, or the reason none can see it (and its unit test): not both.
        EXPECT_NE(k.must_fail.empty(), k.off_the_wire.empty()) << k.name;
        for (const auto& p : k.must_fail) {
            bool hit = false;
            for (const auto& s : c.scenarios) {
                hit = hit || matches(p, s->info().id);
            }
            EXPECT_TRUE(hit) << k.name << ": " << p << " matches no scenario";
        }
    }
}

// A target with another cipher suite: what needs the harness to seal or open is UNIMPLEMENTED
// without running, the HELLO-only acceptor scenarios and their control still run (and pass against
// the reference, whose HELLO handling does not depend on the suite), and a planted HELLO bug is
// still caught.
TEST(SttCatalogue, AnotherSuiteRunsTheHelloScenariosOnly) {
    const std::vector<std::string> only = {"acceptor.*.u0.*", "acceptor.suite.*", "acceptor.happy.*",
                                           "initiator.tlv.*"};
    auto r = run({}, only, "stc");
    std::size_t ran = 0;
    std::size_t unimplemented = 0;
    bool control = false;
    for (const auto& x : r.results) {
        if (x.verdict == cf::Verdict::unimplemented) {
            ++unimplemented;
            EXPECT_NE(x.reason.find("stc"), std::string::npos) << x.info.id;
            continue;
        }
        ++ran;
        control = control || x.info.id == "acceptor.suite.hello_answered";
        EXPECT_EQ(x.info.target_role, shakedown::Role::acceptor) << x.info.id;
        EXPECT_EQ(x.verdict, cf::Verdict::pass) << x.info.id << ": " << x.reason;
    }
    EXPECT_TRUE(control);
    EXPECT_GE(ran, 15U);
    EXPECT_GE(unimplemented, 5U);  // the honest handshake, the duplicate, the replay, initiator.tlv.*
    r = run({"skip-commitment-check"}, {"acceptor.commitment.u0.flipped"}, "stc");
    ASSERT_EQ(r.results.size(), 1U);
    EXPECT_EQ(r.results[0].verdict, cf::Verdict::fail) << r.results[0].reason;
}

TEST(SttCatalogue, PlantedBugIsCaughtAndReferencePasses) {
    const std::vector<std::string> only = {"*.tlv.u*.duplicate_key", "acceptor.commitment.u0.flipped"};
    auto r = run({}, only);
    ASSERT_EQ(r.results.size(), 5U);
    for (const auto& x : r.results) {
        EXPECT_EQ(x.verdict, cf::Verdict::pass) << x.info.id << ": " << x.reason;
    }
    r = run({"tlv-duplicate-keys-overwrite"}, only);
    ASSERT_EQ(r.results.size(), 5U);
    for (const auto& x : r.results) {
        const bool declared = x.info.id.ends_with("duplicate_key");
        EXPECT_EQ(x.verdict, declared ? cf::Verdict::fail : cf::Verdict::pass) << x.info.id << ": " << x.reason;
    }
}

}  // namespace
