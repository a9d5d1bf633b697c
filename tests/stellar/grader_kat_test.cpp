// The cryptography the conformance grader relies on (conformance/scenarios/stellar/session.cpp:
// network ID, AuthCert signing and verification, the shared key, the MAC keys, message MACs),
// checked against known answers computed outside Shakedown: tests/stellar/kat/make_kat.mjs derives
// them with node:crypto alone from stellar-core's PeerAuth derivations.
#include <gtest/gtest.h>

#include "common/crypto.hpp"
#include "stellar/auth.hpp"
#include "vectors/gen/json_strict.hpp"

namespace shakedown::stellar {
namespace {

using shakedown::vectors::Json;
using shakedown::vectors::StrictObject;

const std::string kFile = std::string(SHAKEDOWN_SOURCE_DIR) + "/tests/stellar/kat/grader_kat.json";

struct Side {
    ByteArray<32> node_seed;
    Secret<32> ecdh_secret;
    ByteArray<32> nonce;
    ByteArray<32> node_public;
    ByteArray<32> ecdh_public;
    ByteArray<32> cert_signing_hash;
    ByteArray<64> cert_signature;
};

Side read_side(StrictObject o) {
    Side s;
    s.node_seed = o.hex_array<32>("node_seed");
    s.ecdh_secret = Secret<32>(o.hex_array<32>("ecdh_secret"));
    s.nonce = o.hex_array<32>("nonce");
    s.node_public = o.hex_array<32>("node_public");
    s.ecdh_public = o.hex_array<32>("ecdh_public");
    s.cert_signing_hash = o.hex_array<32>("cert_signing_hash");
    s.cert_signature = o.hex_array<64>("cert_signature");
    o.finish();
    return s;
}

struct MessageMac {
    std::string name;
    std::string key;
    std::uint64_t sequence;
    Bytes xdr;
    ByteArray<32> mac;
};

struct Kat {
    std::string passphrase;
    ByteArray<32> network_id;
    std::uint64_t expiration;
    Side initiator;
    Side acceptor;
    ByteArray<32> shared;
    ByteArray<32> shared_zero_output;
    ByteArray<32> k_ab;
    ByteArray<32> k_ba;
    std::vector<MessageMac> macs;
};

Kat load() {
    const Json j = shakedown::vectors::read_json_file(kFile);
    StrictObject o(j, "grader_kat");
    (void)o.req("comment");
    (void)o.req("x25519_output");  // an intermediate, for readers of the file
    Kat k;
    k.passphrase = o.str("network_passphrase");
    k.network_id = o.hex_array<32>("network_id");
    k.expiration = o.u64("cert_expiration");
    k.initiator = read_side(o.object("initiator"));
    k.acceptor = read_side(o.object("acceptor"));
    k.shared = o.hex_array<32>("shared_key");
    k.shared_zero_output = o.hex_array<32>("shared_key_zero_output");
    k.k_ab = o.hex_array<32>("k_ab");
    k.k_ba = o.hex_array<32>("k_ba");
    const Json& macs = o.req("message_macs");
    for (std::size_t i = 0; i < macs.size(); ++i) {
        StrictObject m(macs[i], "message_macs[" + std::to_string(i) + "]");
        k.macs.push_back(
            MessageMac{m.str("name"), m.str("key"), m.u64("sequence"), m.hex("xdr"), m.hex_array<32>("mac")});
        m.finish();
    }
    o.finish();
    return k;
}

class GraderKat : public ::testing::Test {
protected:
    const Kat k = load();
};

TEST_F(GraderKat, NetworkId) {
    EXPECT_EQ(to_hex(network_id(k.passphrase)), to_hex(k.network_id));
}

TEST_F(GraderKat, Keys) {
    for (const Side* s : {&k.initiator, &k.acceptor}) {
        EXPECT_EQ(to_hex(crypto::ed25519_from_seed(s->node_seed).public_key), to_hex(s->node_public));
        EXPECT_EQ(to_hex(crypto::x25519_public(s->ecdh_secret)), to_hex(s->ecdh_public));
    }
}

TEST_F(GraderKat, CertSigningHashAndSignature) {
    for (const Side* s : {&k.initiator, &k.acceptor}) {
        EXPECT_EQ(to_hex(cert_signing_hash(k.network_id, k.expiration, s->ecdh_public)), to_hex(s->cert_signing_hash));
        const AuthCert cert =
            make_cert(crypto::ed25519_from_seed(s->node_seed), k.network_id, s->ecdh_public, k.expiration);
        EXPECT_EQ(cert.pubkey, s->ecdh_public);
        EXPECT_EQ(cert.expiration, k.expiration);
        EXPECT_EQ(to_hex(cert.sig), to_hex(s->cert_signature));
    }
}

TEST_F(GraderKat, CertVerification) {
    const Side& s = k.initiator;
    AuthCert cert{s.ecdh_public, k.expiration, Bytes(s.cert_signature.begin(), s.cert_signature.end())};
    // Expiration == now still verifies; a second later it has expired (PeerAuth: expiration < now).
    EXPECT_TRUE(verify_cert(cert, s.node_public, k.network_id, k.expiration).ok());
    EXPECT_EQ(verify_cert(cert, s.node_public, k.network_id, k.expiration + 1).error(), Error::expired);
    EXPECT_EQ(verify_cert(cert, k.acceptor.node_public, k.network_id, 0).error(), Error::bad_signature);
    EXPECT_EQ(verify_cert(cert, s.node_public, network_id("Public Global Stellar Network ; September 2015"), 0).error(),
              Error::bad_signature);
    AuthCert flipped = cert;
    flipped.sig[10] ^= 0x04;
    EXPECT_EQ(verify_cert(flipped, s.node_public, k.network_id, 0).error(), Error::bad_signature);
    AuthCert other_key = cert;
    other_key.pubkey = k.acceptor.ecdh_public;
    EXPECT_EQ(verify_cert(other_key, s.node_public, k.network_id, 0).error(), Error::bad_signature);
}

TEST_F(GraderKat, SharedKeyBothSides) {
    const auto a =
        shared_key(Role::initiator, k.initiator.ecdh_secret, k.initiator.ecdh_public, k.acceptor.ecdh_public);
    const auto b = shared_key(Role::acceptor, k.acceptor.ecdh_secret, k.acceptor.ecdh_public, k.initiator.ecdh_public);
    ASSERT_TRUE(a.ok());
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(to_hex(a->array()), to_hex(k.shared));
    EXPECT_EQ(to_hex(b->array()), to_hex(k.shared));
}

TEST_F(GraderKat, SharedKeyFromAllZeroOutput) {
    // What the grader reproduces when it advertised a low-order key: the target's X25519 gives zero.
    const Secret<32> zero;
    EXPECT_EQ(
        to_hex(shared_key_from_dh(Role::initiator, zero, k.initiator.ecdh_public, k.acceptor.ecdh_public).array()),
        to_hex(k.shared_zero_output));
    EXPECT_EQ(to_hex(shared_key_from_dh(Role::acceptor, zero, k.acceptor.ecdh_public, k.initiator.ecdh_public).array()),
              to_hex(k.shared_zero_output));
}

TEST_F(GraderKat, MacKeys) {
    const Secret<32> shared(k.shared);
    const MacKeys i = mac_keys(Role::initiator, shared, k.initiator.nonce, k.acceptor.nonce);
    const MacKeys a = mac_keys(Role::acceptor, shared, k.acceptor.nonce, k.initiator.nonce);
    EXPECT_EQ(to_hex(i.send.array()), to_hex(k.k_ab));
    EXPECT_EQ(to_hex(i.recv.array()), to_hex(k.k_ba));
    EXPECT_EQ(to_hex(a.send.array()), to_hex(k.k_ba));
    EXPECT_EQ(to_hex(a.recv.array()), to_hex(k.k_ab));
    // The seed document's reading (the sender_view knob) must differ for the acceptor only.
    const MacKeys seed_i = mac_keys(Role::initiator, shared, k.initiator.nonce, k.acceptor.nonce, true);
    const MacKeys seed_a = mac_keys(Role::acceptor, shared, k.acceptor.nonce, k.initiator.nonce, true);
    EXPECT_EQ(to_hex(seed_i.send.array()), to_hex(k.k_ab));
    EXPECT_NE(to_hex(seed_a.send.array()), to_hex(k.k_ba));
}

TEST_F(GraderKat, MessageMacs) {
    ASSERT_FALSE(k.macs.empty());
    for (const auto& m : k.macs) {
        const Secret<32> key(m.key == "k_ab" ? k.k_ab : k.k_ba);
        EXPECT_EQ(to_hex(message_mac(key, m.sequence, m.xdr)), to_hex(m.mac)) << m.name;
    }
}

}  // namespace
}  // namespace shakedown::stellar
