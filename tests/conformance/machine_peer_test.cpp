// The generic machine peer (conformance/runner/machine_peer.hpp) serves a real variant: Stellar's
// machine, driven through the runner's Transport instead of Stellar's own server, passes its
// catalogue in both roles. Only the scenarios that need node-wide state across connections
// (refusing an already-connected peer) are left out: the generic peer keeps none.
#include <gtest/gtest.h>

#include "tests/conformance/timeout_scale.hpp"

#include "common/crypto.hpp"
#include "conformance/registry/variant.hpp"
#include "conformance/scenarios/stellar/variant.hpp"

namespace {

namespace cf = shakedown::conformance;
namespace reg = shakedown::registry;

TEST(MachinePeer, StellarCatalogueAgainstTheGenericPeer) {
    reg::Variant generic = shakedown::stellar::variant();
    generic.reference_peer = nullptr;  // use registry's generic MachineReferencePeer
    const std::string seed(64, '7');
    shakedown::ByteArray<32> seed_bytes{};
    seed_bytes.fill(0x77);
    const auto id = shakedown::crypto::ed25519_from_seed(seed_bytes).public_key;

    std::string error;
    auto peer = reg::reference_peer(generic, "stellar-core", reg::Settings{{"seed", {seed}}}, {}, error);
    ASSERT_TRUE(peer) << error;
    reg::CatalogueOptions options;
    options.settings["target-peer-id"] = {shakedown::to_hex(id)};
    const auto catalogue = generic.catalogue(options);
    cf::LocalPeerTarget target(generic.transport("stellar-core", {}), peer);
    cf::RunOptions run;
    run.skip = {"*.session.already-connected*"};
    run.timeout_scale = shakedown::test::timeout_scale();
    const auto report = cf::run_catalogue(catalogue, target, "generic", run);
    EXPECT_GT(report.ran(), 200U);
    EXPECT_GT(report.handshakes_completed(), 50U);
    for (const auto& r : report.results) {
        EXPECT_TRUE(r.verdict == cf::Verdict::pass || r.verdict == cf::Verdict::skipped)
            << r.info.id << ": " << cf::to_label(r.verdict) << ": " << r.reason;
    }
}

}  // namespace
