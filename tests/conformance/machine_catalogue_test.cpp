// The generic machine scenarios (conformance/runner/machine_catalogue.hpp) graded against a real
// variant: Stellar's reference passes every generic family in both roles, and a reference with a
// planted bug fails the families that exist to catch it. So the engine can fail, and fails for the
// right reason.
#include <gtest/gtest.h>

#include "tests/conformance/timeout_scale.hpp"

#include <cstdlib>

#include "conformance/registry/variant.hpp"
#include "conformance/runner/machine_catalogue.hpp"
#include "conformance/scenarios/stellar/variant.hpp"
#include "stellar/framing.hpp"

namespace {

namespace cf = shakedown::conformance;
namespace reg = shakedown::registry;
using shakedown::Role;

using shakedown::test::scale;

// Stellar's units: HELLO, then AUTH; the acceptor's HELLO goes only after the initiator's.
cf::Catalogue families(const reg::Variant& v, Role role) {
    auto env = std::make_shared<cf::MachineEnvironment>();
    env->make = reg::flagged_machine_factory(v, "stellar-core", {}, {});
    env->body_offset = [](const shakedown::Bytes&) { return std::size_t{4}; };  // the record mark
    env->reframe = [](const shakedown::Bytes&, const shakedown::Bytes& body) {
        return shakedown::stellar::frame_record(body);
    };
    cf::FamilyOptions o;
    o.target_role = role;
    o.unit_names = {"HELLO", "AUTH"};
    // HELLO's MAC field is all zeros and unchecked by design: its last bit is not a tamper.
    o.keep = [](const cf::MachineScenario& s, std::size_t unit) {
        return !(unit == 0 && s.info.id.ends_with("bitflip.u0.last_bit"));
    };
    // Stellar's idle timeout is 2 s; the rest of the families keep their defaults.
    cf::Catalogue c;
    c.variant = v.name;
    for (auto& s : cf::generic_families(*env, o)) {
        c.scenarios.push_back(cf::make_machine_scenario(env, std::move(s)));
    }
    return c;
}

cf::RunReport run(const reg::Variant& v, Role role, const std::vector<std::string>& knobs,
                  const std::vector<std::string>& only = {}) {
    std::string error;
    auto peer = reg::reference_peer(v, "stellar-core", {}, knobs, error);
    EXPECT_TRUE(peer) << error;
    cf::LocalPeerTarget target(v.transport("stellar-core", {}), peer);
    cf::RunOptions options;
    options.timeout_scale = scale();
    options.only = only;
    return cf::run_catalogue(families(v, role), target, "generic", options);
}

reg::Variant generic_stellar() {
    reg::Variant v = shakedown::stellar::variant();
    v.reference_peer = nullptr;  // the generic machine peer, which takes flags in both roles
    return v;
}

TEST(MachineCatalogue, FamiliesCoverEveryHarnessUnit) {
    const auto v = generic_stellar();
    const auto c = families(v, Role::acceptor);
    // honest + per unit up to the target's completion (HELLO, AUTH): 10 families for HELLO, 8 for
    // the last (no duplicate, no swap); flow control after AUTH is not part of the handshake.
    EXPECT_EQ(c.scenarios.size(), 1U + 9U + 8U);
}

TEST(MachineCatalogue, StellarReferencePassesEveryFamily) {
    const auto v = generic_stellar();
    for (const Role role : {Role::acceptor, Role::initiator}) {
        const auto report = run(v, role, {});
        EXPECT_GT(report.ran(), 15U);
        for (const auto& r : report.results) {
            EXPECT_EQ(r.verdict, cf::Verdict::pass) << r.info.id << ": " << r.reason;
        }
    }
}

TEST(MachineCatalogue, PlantedBugsAreCaught) {
    const auto v = generic_stellar();
    // A MAC that is never checked: the AUTH with its last bit (in the MAC) flipped is accepted.
    auto r = run(v, Role::acceptor, {"skip-mac-check"}, {"acceptor.bitflip.u1.last_bit"});
    ASSERT_EQ(r.results.size(), 1U);
    EXPECT_EQ(r.results[0].verdict, cf::Verdict::fail) << r.results[0].reason;
    // Extra bytes after the XDR ignored: the trailing-byte family catches it.
    r = run(v, Role::initiator, {"accept-trailing-bytes"}, {"initiator.trailing.u0.one_byte"});
    ASSERT_EQ(r.results.size(), 1U);
    EXPECT_EQ(r.results[0].verdict, cf::Verdict::fail) << r.results[0].reason;
    // No idle timeout: silence is never given up.
    r = run(v, Role::acceptor, {"no-idle-timeout"}, {"acceptor.idle.u0.silence"});
    ASSERT_EQ(r.results.size(), 1U);
    EXPECT_EQ(r.results[0].verdict, cf::Verdict::fail) << r.results[0].reason;
}

}  // namespace
