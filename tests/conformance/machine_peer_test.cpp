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

// A second connection from one initiator run (ConnectionRequest::then_transport, SHIM.md
// --then-connect): the generic peer makes it once the first has ended, to the second listener; a
// peer that cannot makes the open UNIMPLEMENTED, never a failure.
TEST(MachinePeer, SecondConnectionFromOneRun) {
    reg::Variant generic = shakedown::stellar::variant();
    generic.reference_peer = nullptr;
    std::string error;
    auto peer =
        reg::reference_peer(generic, "stellar-core", reg::Settings{{"seed", {std::string(64, '7')}}}, {}, error);
    ASSERT_TRUE(peer) << error;
    ASSERT_TRUE(peer->connects_again());
    const auto transport = generic.transport("stellar-core", {});
    cf::LocalPeerTarget target(transport, peer);
    auto session = target.session();
    cf::ConnectionRequest request;
    request.target_role = cf::PeerRole::initiator;
    request.then_transport = transport;
    auto opened = session->open(request, cf::after(cf::Millis(5000)));
    ASSERT_EQ(opened.status, cf::OpenResult::Status::ok) << opened.error;
    ASSERT_TRUE(opened.then_listener);
    // Nothing arrives on the second listener while the first connection lasts.
    EXPECT_FALSE(opened.then_listener->accept(cf::after(cf::Millis(200)), error));
    opened.transport->abort();
    auto again = opened.then_listener->accept(cf::after(cf::Millis(5000)), error);
    ASSERT_TRUE(again) << error;
    again->abort();
    const auto reports = session->finish(cf::after(cf::Millis(5000)));
    ASSERT_EQ(reports.size(), 1U);
    EXPECT_FALSE(reports[0].killed);

    // A peer without the ability: UNIMPLEMENTED at once.
    class OneShot final : public cf::LocalPeer {
    public:
        explicit OneShot(std::shared_ptr<cf::LocalPeer> inner) : m_inner(std::move(inner)) {}
        [[nodiscard]] std::string describe() const override { return "one-shot peer"; }
        [[nodiscard]] std::optional<cf::Endpoint> acceptor(std::string& why) override { return m_inner->acceptor(why); }
        [[nodiscard]] std::unique_ptr<cf::LocalRun> start_initiator(const cf::Endpoint& to,
                                                                    const std::vector<std::string>& flags,
                                                                    std::string& why) override {
            return m_inner->start_initiator(to, flags, why);
        }

    private:
        std::shared_ptr<cf::LocalPeer> m_inner;
    };
    cf::LocalPeerTarget one_shot(transport, std::make_shared<OneShot>(peer));
    auto s2 = one_shot.session();
    const auto refused = s2->open(request, cf::after(cf::Millis(5000)));
    EXPECT_EQ(refused.status, cf::OpenResult::Status::unimplemented) << refused.error;
    EXPECT_TRUE(s2->finish(cf::after(cf::Millis(100))).empty());
}

}  // namespace
