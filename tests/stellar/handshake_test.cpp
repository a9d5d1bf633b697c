#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <set>

#include "stellar/codec.hpp"
#include "tests/stellar/generators.hpp"
#include "vectors/gen/stellar/stellar_transcript.hpp"

namespace shakedown::vectors::stellar {

using namespace shakedown::stellar;

namespace {

constexpr std::uint64_t kNow = 1767225600;

SideInputs side(std::uint8_t tag) {
    SideInputs s;
    s.node_seed.fill(tag);
    s.ecdh_secret.fill(static_cast<std::uint8_t>(tag + 1));
    s.nonce.fill(static_cast<std::uint8_t>(tag + 2));
    s.now = kNow;
    return s;
}

TranscriptInputs honest() { return TranscriptInputs{side(1), side(9), {}}; }

TranscriptResult run_ok(const TranscriptInputs& in) {
    auto r = run_transcript(in);
    EXPECT_TRUE(r.ok());
    return *r;
}

// Records of an honest run: 0 HELLO(i) 1 HELLO(a) 2 AUTH(i) 3 AUTH(a) 4 PEERS(a)
// 5 SEND_MORE_EXTENDED(a) 6 SEND_MORE_EXTENDED(i).
TEST(StellarHandshake, HonestRunEmitsStellarCoreSequence) {
    const auto r = run_ok(honest());
    ASSERT_TRUE(r.both_authenticated());
    std::vector<std::string> types;
    for (const auto& m : r.messages) {
        types.push_back(m.type);
    }
    EXPECT_EQ(types, (std::vector<std::string>{"HELLO", "HELLO", "AUTH", "AUTH", "PEERS", "SEND_MORE_EXTENDED",
                                               "SEND_MORE_EXTENDED"}));
    EXPECT_EQ(*r.initiator.send_mac_key, *r.acceptor.recv_mac_key);
    EXPECT_EQ(*r.initiator.recv_mac_key, *r.acceptor.send_mac_key);
    EXPECT_EQ(*r.initiator.shared_key, *r.acceptor.shared_key);
    EXPECT_NE(*r.initiator.send_mac_key, *r.initiator.recv_mac_key);
}

TEST(StellarHandshake, HelloAndErrorCarrySequenceZeroAndZeroMac) {
    auto in = honest();
    in.initiator.auth_flags = 100;
    const auto r = run_ok(in);
    for (const auto& m : r.messages) {
        auto am = parse_authenticated_message(ByteView(m.wire).subspan(4));
        ASSERT_TRUE(am.ok());
        if (m.type == "HELLO" || m.type == "ERROR_MSG") {
            EXPECT_EQ(am->sequence, 0U);
            EXPECT_TRUE(is_all_zero(am->mac));
        } else {
            EXPECT_FALSE(is_all_zero(am->mac));
        }
    }
    // The acceptor sends AUTH, PEERS, then ERROR; the initiator, authenticated by that AUTH,
    // still sends SEND_MORE_EXTENDED.
    EXPECT_EQ(r.messages[5].type, "ERROR_MSG");
    EXPECT_EQ(r.acceptor.error, Error::bad_flags);
}

TEST(StellarHandshake, AcceptorAnswersHelloBeforeValidatingIt) {
    auto in = honest();
    in.initiator.overlay_version = 40;
    in.initiator.overlay_min_version = 40;
    const auto r = run_ok(in);
    ASSERT_GE(r.messages.size(), 3U);
    EXPECT_EQ(r.messages[1].type, "HELLO");
    EXPECT_EQ(r.messages[2].type, "ERROR_MSG");
    EXPECT_EQ(r.acceptor.error, Error::wrong_version);
    EXPECT_EQ(r.acceptor.response, "ERR_CONF");
}

TEST(StellarHandshake, SenderViewMacKeysBreakOnlyTheAcceptor) {
    // The seed document's reading: prefix by direction. Initiator keys are unchanged; the
    // acceptor's are swapped in prefix and never match (the bug seen in the wild).
    auto in = honest();
    in.acceptor.quirks.sender_view_mac_keys = true;
    const auto r = run_ok(in);
    EXPECT_FALSE(r.both_authenticated());
    EXPECT_EQ(r.acceptor.error, Error::bad_mac);
    auto ok_in = honest();
    ok_in.initiator.quirks.sender_view_mac_keys = true;
    EXPECT_TRUE(run_ok(ok_in).both_authenticated());
}

TEST(StellarHandshake, QuirkNamesAreUniqueAndSettable) {
    std::set<std::string_view> names;
    for (const auto& q : shakedown::stellar::quirk_table()) {
        EXPECT_TRUE(names.insert(q.name).second) << q.name;
        shakedown::stellar::Quirks quirks;
        EXPECT_TRUE(shakedown::stellar::set_quirk(quirks, q.name));
        EXPECT_TRUE(quirks.*q.flag);
    }
    shakedown::stellar::Quirks none;
    EXPECT_FALSE(shakedown::stellar::set_quirk(none, "no-such-bug"));
}

TEST(StellarHandshake, IdleTimeoutOnlyBeforeAuthentication) {
    FixedClock clock(kNow);
    ScriptedRng rng(Bytes(64, 7));
    shakedown::stellar::HandshakeConfig cfg;
    cfg.role = Role::acceptor;
    shakedown::stellar::Handshake h(cfg, rng, clock);
    EXPECT_EQ(h.next_action(), shakedown::stellar::Action::receive);
    h.idle_timeout();
    ASSERT_TRUE(h.closure().has_value());
    EXPECT_EQ(h.closure()->failure.code, Error::timeout);
    EXPECT_EQ(h.next_action(), shakedown::stellar::Action::closed);
}

rc::Gen<SideInputs> arbitrary_side(std::uint64_t now) {
    return rc::gen::build<SideInputs>(rc::gen::set(&SideInputs::node_seed), rc::gen::set(&SideInputs::ecdh_secret),
                                      rc::gen::set(&SideInputs::nonce), rc::gen::set(&SideInputs::now, rc::gen::just(now)));
}

RC_GTEST_PROP(StellarHandshakeProps, BothRolesAgreeOnKeysForArbitraryInputs, ()) {
    const auto now = *rc::gen::inRange<std::uint64_t>(0, 1ULL << 40);
    // Each cert lives 3600 s from its own side's clock; skew within that keeps both valid.
    const auto skew = *rc::gen::inRange<std::int64_t>(-3600, 3601);
    TranscriptInputs in;
    in.initiator = *arbitrary_side(now);
    in.acceptor = *arbitrary_side(static_cast<std::uint64_t>(static_cast<std::int64_t>(now) + skew));
    RC_PRE(in.initiator.node_seed != in.acceptor.node_seed);
    auto r = run_transcript(in);
    RC_ASSERT(r.ok());
    RC_ASSERT(r->both_authenticated());
    RC_ASSERT(*r->initiator.shared_key == *r->acceptor.shared_key);
    RC_ASSERT(*r->initiator.send_mac_key == *r->acceptor.recv_mac_key);
    RC_ASSERT(*r->initiator.recv_mac_key == *r->acceptor.send_mac_key);
}

RC_GTEST_PROP(StellarHandshakeProps, AnyBitFlipInAMacedRecordIsRejected, ()) {
    const auto base = run_transcript(honest());
    const auto rec = *rc::gen::inRange<std::size_t>(2, base->messages.size());
    const std::size_t bits = base->messages[rec].wire.size() * 8;
    // Bit 0 is the record mark's last-fragment bit, which stellar-core does not check.
    const auto bit = *rc::gen::inRange<std::size_t>(1, bits);
    auto in = honest();
    in.mutations.push_back(Mutation{rec, MutationOp::flip_bit, bit, {}});
    auto r = run_transcript(in);
    RC_ASSERT(r.ok());
    const bool to_acceptor = base->messages[rec].from == Role::initiator;
    const SideOutcome& receiver = to_acceptor ? r->acceptor : r->initiator;
    const std::size_t stalled = to_acceptor ? r->acceptor_pending : r->initiator_pending;
    // The receiver never accepts the record: it rejects it, or (a flipped length in the record
    // mark) still waits for bytes that never come, until the connection closes.
    RC_ASSERT(receiver.error.has_value() || receiver.state == "peer_closed" || stalled > 0);
    RC_ASSERT(!receiver.error.has_value() || receiver.error != Error::peer_error);
}

RC_GTEST_PROP(StellarHandshakeProps, AnyChangeOfSequenceIsRejected, ()) {
    const auto base = run_transcript(honest());
    const auto rec = *rc::gen::inRange<std::size_t>(2, base->messages.size());
    auto am = parse_authenticated_message(ByteView(base->messages[rec].wire).subspan(4));
    const auto seq = *rc::gen::arbitrary<std::uint64_t>();
    RC_PRE(seq != am->sequence);
    auto in = honest();
    in.mutations.push_back(Mutation{rec, MutationOp::resequence, seq, {}});
    auto r = run_transcript(in);
    const SideOutcome& receiver = base->messages[rec].from == Role::initiator ? r->acceptor : r->initiator;
    RC_ASSERT(receiver.error == Error::bad_sequence);
    RC_ASSERT(receiver.response == std::string("ERR_AUTH"));
}

RC_GTEST_PROP(StellarHandshakeProps, CertValidityFollowsTheExpiryRule,
              (std::uint64_t expiration, std::uint64_t now, const ByteArray<32>& seed)) {
    const auto node = crypto::ed25519_from_seed(seed);
    const ByteArray<32> net = shakedown::stellar::network_id(shakedown::stellar::kTestNetworkPassphrase);
    ByteArray<32> ecdh{};
    ecdh.fill(9);
    const auto cert = shakedown::stellar::make_cert(node, net, ecdh, expiration);
    const auto v = shakedown::stellar::verify_cert(cert, node.public_key, net, now);
    // PeerAuth::verifyRemoteAuthCert: "if (cert.expiration < now) return false".
    RC_ASSERT(v.ok() == (expiration >= now));
    if (!v.ok()) {
        RC_ASSERT(v.error() == Error::expired);
    }
}

RC_GTEST_PROP(StellarHandshakeProps, CertForAnotherNetworkNeverVerifies, (const ByteArray<32>& seed, std::uint64_t exp)) {
    const auto node = crypto::ed25519_from_seed(seed);
    ByteArray<32> ecdh{};
    const auto cert = shakedown::stellar::make_cert(node, shakedown::stellar::network_id("a"), ecdh, exp);
    const auto v = shakedown::stellar::verify_cert(cert, node.public_key, shakedown::stellar::network_id("b"), 0);
    RC_ASSERT(v.error() == Error::bad_signature);
}

}  // namespace
}  // namespace shakedown::vectors::stellar
