// The registry descriptor: its machine factory builds working reference machines from the shim
// flags, its knobs are the quirk table, its fuzz targets exist, its benchmark runs.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>

#include "conformance/runner/expectations.hpp"
#include "conformance/runner/machine_catalogue.hpp"
#include "conformance/scenarios/shadowmesh/close_transport.hpp"
#include "conformance/scenarios/shadowmesh/variant.hpp"
#include "shadowmesh/quirks.hpp"
#include "tests/shadowmesh/kat.hpp"

namespace shakedown::shadowmesh::test {
namespace {

registry::MachineRequest request_for(Role role, const std::string& profile, const SessionKeys& k,
                                     const std::string& now) {
    registry::MachineRequest r;
    r.role = role;
    r.profile = profile;
    r.settings["session-id"] = {to_hex(k.session_id)};
    r.settings["tx-key"] = {to_hex(k.tx.view())};
    r.settings["rx-key"] = {to_hex(k.rx.view())};
    r.settings["now"] = {now};
    return r;
}

TEST(ShadowMeshDescriptor, FactoryMachinesReproduceTheKnownAnswerFrames) {
    const auto& v = variant();
    EXPECT_EQ(v.name, "shadowmesh");
    ASSERT_EQ(v.profiles.size(), 2U);
    EXPECT_EQ(v.profiles[0].name, "strict");
    ScriptedRng ri(bytes_of(kat_c_i()));
    ScriptedRng rr(bytes_of(kat_c_r()));
    const FixedClock unused(0);
    std::string error;
    auto ini = v.make_machine(request_for(Role::initiator, "strict", initiator_keys(), std::to_string(kT1)), ri, unused,
                              error);
    ASSERT_TRUE(ini) << error;
    auto res = v.make_machine(request_for(Role::acceptor, "strict", responder_keys(), std::to_string(kT1 + 1)), rr,
                              unused, error);
    ASSERT_TRUE(res) << error;
    ini->start();
    res->start();
    const auto req = ini->take_output();
    ASSERT_EQ(req.size(), 1U);
    EXPECT_EQ(to_hex(req[0]), kReqHex);
    res->receive(req[0]);
    const auto resp = res->take_output();
    ASSERT_EQ(resp.size(), 1U);
    EXPECT_EQ(to_hex(resp[0]), kRespHex);
    ini->receive(resp[0]);
    const auto comp = ini->take_output();
    ASSERT_EQ(comp.size(), 1U);
    res->receive(comp[0]);
    EXPECT_TRUE(ini->authenticated());
    EXPECT_TRUE(res->authenticated());
}

TEST(ShadowMeshDescriptor, FactoryRejectsBadSettingsAndKnobs) {
    const auto& v = variant();
    ScriptedRng rng(Bytes{});
    const FixedClock clock(0);
    std::string error;
    auto r = request_for(Role::initiator, "strict", initiator_keys(), "1");
    r.settings["tx-key"] = {"00"};
    EXPECT_FALSE(v.make_machine(r, rng, clock, error));
    EXPECT_NE(error.find("tx-key"), std::string::npos);
    r = request_for(Role::initiator, "bogus", initiator_keys(), "1");
    EXPECT_FALSE(v.make_machine(r, rng, clock, error));
    r = request_for(Role::initiator, "strict", initiator_keys(), "12x");
    EXPECT_FALSE(v.make_machine(r, rng, clock, error));
    r = request_for(Role::acceptor, "upstream", responder_keys(), "1");
    r.knobs = {"no-replay-cache"};
    EXPECT_FALSE(v.make_machine(r, rng, clock, error));
    r.knobs = {"no-such-knob"};
    EXPECT_FALSE(v.make_machine(r, rng, clock, error));
    r.knobs = {"mac-compare-16"};
    EXPECT_TRUE(v.make_machine(r, rng, clock, error)) << error;
}

TEST(ShadowMeshDescriptor, KnobsFuzzTargetsAndBench) {
    const auto& v = variant();
    // The machines' knobs (the quirk table), then the five of the TLS WebSocket transport.
    ASSERT_EQ(v.knobs.size(), quirk_table().size() + 5);
    EXPECT_EQ(v.knobs[quirk_table().size()].name, "no-pin-check");
    EXPECT_EQ(v.knobs[quirk_table().size() + 1].name, "allow-tls12");
    EXPECT_EQ(v.knobs[quirk_table().size() + 2].name, "text-as-binary");
    EXPECT_EQ(v.knobs[quirk_table().size() + 3].name, "session-tickets");
    EXPECT_EQ(v.knobs[quirk_table().size() + 4].name, "client-resumes-across-peers");
    for (const auto& t : v.fuzz_targets) {
        EXPECT_TRUE(std::filesystem::exists(std::string(SHAKEDOWN_SOURCE_DIR) + "/fuzz/shadowmesh/" + t + ".cpp")) << t;
    }
    bool has_now = false;
    for (const auto& f : v.shim_flags) {
        has_now = has_now || f.name == "now";
    }
    EXPECT_TRUE(has_now);
    ASSERT_FALSE(v.bench.empty());
    for (const auto& b : v.bench) {
        b.handshake();
        b.primitives();
    }
    EXPECT_NE(v.vectors.checker("shadowmesh/transcript.schema.json"), nullptr);
    EXPECT_EQ(v.vectors.checker("stellar/other"), nullptr);
}

// Without key flags both roles hold the §9 keys crosswise: the harness and a running peer match.
TEST(ShadowMeshDescriptor, DefaultKeysCompleteInBothProfiles) {
    for (const auto& p : variant().profiles) {
        const auto env = registry::machine_environment(variant(), p.name);
        for (const Role role : {Role::acceptor, Role::initiator}) {
            const auto shape = conformance::honest_shape(*env, role);
            EXPECT_TRUE(shape.completed) << p.name << ": " << shape.error;
        }
    }
}

// Every knob names scenarios that exist in every profile it runs in, and every id is unique.
TEST(ShadowMeshDescriptor, CatalogueHasTheScenariosEveryKnobNames) {
    for (const auto& p : variant().profiles) {
        registry::CatalogueOptions o;
        o.profile = p.name;
        const auto cat = variant().catalogue(o);
        const auto ids = cat.ids();
        EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size()) << p.name;
        for (const auto& k : variant().knobs) {
            if (!k.profiles.empty() && std::find(k.profiles.begin(), k.profiles.end(), p.name) == k.profiles.end()) {
                continue;
            }
            ASSERT_FALSE(k.must_fail.empty()) << k.name;
            for (const auto& pattern : k.must_fail) {
                const bool found = std::any_of(ids.begin(), ids.end(), [&pattern](const std::string& id) {
                    return conformance::glob_match(pattern, id);
                });
                EXPECT_TRUE(found) << p.name << " / " << k.name << ": " << pattern;
            }
        }
    }
}

TEST(ShadowMeshDescriptor, TheTransportTellsACloseMessage) {
    EXPECT_EQ(closing_message(*from_hex("010f0000000000020003")), "CLOSE 3");
    EXPECT_EQ(closing_message(*from_hex("010e0000000000020007")), "ERROR 7");
    EXPECT_FALSE(closing_message(*from_hex("010f000000000001")));      // no reason
    EXPECT_FALSE(closing_message(*from_hex("020f0000000000020003")));  // another version
    EXPECT_FALSE(closing_message(*from_hex(kReqHex)));
}

}  // namespace
}  // namespace shakedown::shadowmesh::test
