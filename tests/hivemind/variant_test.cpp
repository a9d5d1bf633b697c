// The registry descriptor: machines built from shim settings complete a handshake, knobs and
// fuzz targets are the real ones, and the benchmark closures run.
#include <gtest/gtest.h>

#include <fstream>

#include "conformance/scenarios/hivemind/variant.hpp"
#include "hivemind/handshake.hpp"

namespace shakedown::hivemind {
namespace {

TEST(HiveMindVariant, MachinesFromSettingsCompleteAHandshakeInEveryMode) {
    const auto& v = variant();
    for (const char* mode : {"password", "rsa", "preshared"}) {
        registry::MachineRequest c{Role::initiator, "strict", {{"mode", {mode}}, {"crypto-key", {"0123456789abcdef"}},
                                                               {"encodings", {"JSON-B64,JSON-HEX"}}}, {}};
        registry::MachineRequest s{Role::acceptor, "strict", {{"mode", {mode}}, {"crypto-key", {"0123456789abcdef"}},
                                                              {"binarize", {""}}}, {}};
        SeededRng rng(ByteArray<32>{9});
        FixedClock clock(0);
        std::string error;
        auto client = v.make_machine(c, rng, clock, error);
        auto server = v.make_machine(s, rng, clock, error);
        ASSERT_TRUE(client && server) << error;
        server->start();
        client->start();
        for (int round = 0; round < 4; ++round) {
            for (auto& u : server->take_output()) {
                client->receive(u);
            }
            for (auto& u : client->take_output()) {
                server->receive(u);
            }
        }
        EXPECT_TRUE(client->authenticated()) << mode;
        EXPECT_TRUE(server->authenticated()) << mode;
    }
}

TEST(HiveMindVariant, RejectsBadSettingsAndUnknownKnobs) {
    const auto& v = variant();
    SeededRng rng(ByteArray<32>{1});
    FixedClock clock(0);
    std::string error;
    EXPECT_EQ(v.make_machine({Role::initiator, "strict", {{"mode", {"noise"}}}, {}}, rng, clock, error), nullptr);
    EXPECT_FALSE(error.empty());
    EXPECT_EQ(v.make_machine({Role::initiator, "strict", {}, {"no-such-knob"}}, rng, clock, error), nullptr);
    EXPECT_EQ(v.make_machine({Role::initiator, "strict", {{"key", {"/nonexistent.pem"}}}, {}}, rng, clock, error), nullptr);
    EXPECT_NE(v.make_machine({Role::initiator, "strict", {}, {"accept-reflection"}}, rng, clock, error), nullptr);
}

TEST(HiveMindVariant, DescriptorListsKnobsTargetsAndFlags) {
    const auto& v = variant();
    EXPECT_EQ(v.name, "hivemind");
    EXPECT_EQ(v.knobs.size(), quirk_table().size());
    EXPECT_TRUE(std::ifstream(std::string(SHAKEDOWN_SOURCE_DIR) + "/" + v.doc).good());
    for (const auto& t : v.fuzz_targets) {
        EXPECT_TRUE(std::ifstream(std::string(SHAKEDOWN_SOURCE_DIR) + "/fuzz/hivemind/" + t + ".cpp").good()) << t;
    }
    bool has_now = false;
    for (const auto& f : v.shim_flags) {
        has_now = has_now || f.name == "now";
    }
    EXPECT_TRUE(has_now);
    ASSERT_EQ(v.bench.size(), 3U);
    for (const auto& b : v.bench) {
        b.handshake();
        b.primitives();
    }
}

}  // namespace
}  // namespace shakedown::hivemind
