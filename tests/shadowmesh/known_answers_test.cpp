// docs/protocols/shadowmesh.md §9, exactly as given.
#include <gtest/gtest.h>

#include "common/crypto.hpp"
#include "tests/shadowmesh/kat.hpp"

namespace shakedown::shadowmesh::test {
namespace {

TEST(ShadowMeshKnownAnswers, ThreeFramesByteForByte) {
    Pair p(Profile::strict, kat_c_i(), kat_c_r());
    p.responder->start();
    p.initiator->start();
    const auto req = p.initiator->take_output();
    ASSERT_EQ(req.size(), 1U);
    EXPECT_EQ(to_hex(req[0]), kReqHex);

    p.clock_r.set(kT1 + 1);
    p.responder->receive(req[0]);
    const auto resp = p.responder->take_output();
    ASSERT_EQ(resp.size(), 1U);
    EXPECT_EQ(to_hex(resp[0]), kRespHex);

    p.clock_i.set(kT1 + 2);
    p.initiator->receive(resp[0]);
    const auto comp = p.initiator->take_output();
    ASSERT_EQ(comp.size(), 1U);
    EXPECT_EQ(to_hex(comp[0]), kCompHex);
    EXPECT_TRUE(p.initiator->authenticated());

    p.clock_r.set(kT1 + 500);
    p.responder->receive(comp[0]);
    EXPECT_TRUE(p.responder->authenticated());
    EXPECT_EQ(p.responder->next_action(), Action::done);
    EXPECT_EQ(p.initiator->next_action(), Action::done);
    EXPECT_EQ(req[0].size() + resp[0].size() + comp[0].size(), 224U);
}

TEST(ShadowMeshKnownAnswers, EveryFrameVerifiesOnAClockAtT1Plus500) {
    // Each message checked by its verifier whose clock reads T1+500 (§9).
    Pair p(Profile::strict, kat_c_i(), kat_c_r());
    p.clock_r.set(kT1 + 500);
    p.responder->start();
    p.responder->receive(hex(kReqHex));
    ASSERT_EQ(p.responder->state(), State::r1_awaiting_complete);
    (void)p.responder->take_output();
    p.responder->receive(hex(kCompHex));
    EXPECT_TRUE(p.responder->authenticated());

    p.initiator->start();
    (void)p.initiator->take_output();
    p.clock_i.set(kT1 + 500);
    p.initiator->receive(hex(kRespHex));
    EXPECT_TRUE(p.initiator->authenticated());
}

TEST(ShadowMeshKnownAnswers, BothHmacs) {
    const auto a = responder_keys();
    const auto b = initiator_keys();
    EXPECT_EQ(to_hex(challenge_mac(a.tx, kat_c_i())),
              "999b1c04cadbeec1464d5f3b7498f0433bdc05e31c60f9e09a0ba256da941073");
    EXPECT_EQ(to_hex(challenge_mac(b.tx, kat_c_r())),
              "5d214b81f986b34c29dab0c2eee17db1a075540ad14be7ac52100cef46d46805");
}

TEST(ShadowMeshKnownAnswers, AlternativeKeyValueOfX8) {
    // COMPLETE under the field comment's reading: HMAC(RX_I, c_R), RX_I = TX_R.
    const auto b = initiator_keys();
    EXPECT_EQ(to_hex(challenge_mac(b.rx, kat_c_r())), kX8AltHex);
}

TEST(ShadowMeshKnownAnswers, MasterSecretInBothForms) {
    ByteArray<32> kem{};
    ByteArray<32> ecdh{};
    kem.fill(0x33);
    ecdh.fill(0x44);
    EXPECT_EQ(to_hex(master_secret_code(kem, ecdh).view()),
              "02daa002ee95c51b4c2df969d61225ca3a8b60d5a468d97f45a261ac85150294");
    EXPECT_EQ(to_hex(master_secret_document(kem, ecdh).view()),
              "6b8de3b432a3d1df63e9297db4b33ef242bf38172298f8a66cd2120f996bd1c3");
}

TEST(ShadowMeshKnownAnswers, SessionKeysInBothForms) {
    const Secret<32> master(counting_bytes<32>(0x00));
    NodeId client{};
    NodeId relay{};
    client.fill(0x11);
    relay.fill(0x22);
    const auto code_client = session_keys_code(master, kat_sid(), client, relay);
    EXPECT_EQ(to_hex(code_client.tx.view()), "db67f5b5224482d2f4f1a109f4ee6fc0230349fc2b48710b74ce0a7a1753d6fa");
    EXPECT_EQ(to_hex(code_client.rx.view()), "fb7dec2e7265e04c0c152742cfee03b92299cdd7d9efc2887a79b94ec106fec6");
    // The relay's TX is the client's RX and the other way round.
    const auto code_relay = session_keys_code(master, kat_sid(), relay, client);
    EXPECT_EQ(code_relay.tx, code_client.rx);
    EXPECT_EQ(code_relay.rx, code_client.tx);

    const auto doc = session_keys_document(master, kat_sid(), client, relay);
    EXPECT_EQ(to_hex(doc.tx.view()), "f5c43f8bc94edbecba80aedfec92693ec7a6badb6c88af8dcd7fb08778b83135");
    EXPECT_EQ(to_hex(doc.rx.view()), "70ee570ed531560e8f3fb25c4c3450790a629fd6ea191e11c60309b0bdf07410");
}

TEST(ShadowMeshKnownAnswers, StrictRejectsTheAlternativeKeyCompleteX8) {
    Pair p(Profile::strict, kat_c_i(), kat_c_r());
    p.responder->start();
    p.clock_r.set(kT1 + 1);
    p.responder->receive(hex(kReqHex));
    (void)p.responder->take_output();
    Bytes alt = hex(kCompHex);
    const Bytes mac = hex(kX8AltHex);
    std::copy(mac.begin(), mac.end(), alt.begin() + 24);
    p.clock_r.set(kT1 + 500);
    p.responder->receive(alt);
    EXPECT_FALSE(p.responder->authenticated());
    ASSERT_TRUE(p.responder->closure());
    EXPECT_EQ(p.responder->closure()->failure.code, Error::bad_mac);
    EXPECT_EQ(p.responder->closure()->failure.offset, 24U);
}

}  // namespace
}  // namespace shakedown::shadowmesh::test
