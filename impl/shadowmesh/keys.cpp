#include "shadowmesh/keys.hpp"

#include "common/crypto.hpp"
#include "common/ct.hpp"

namespace shakedown::shadowmesh {

namespace {

Secret<32> hkdf32(ByteView salt, ByteView ikm, ByteView info) {
    // Length 32 never exceeds the RFC 5869 bound, so expand cannot fail here.
    auto okm = crypto::hkdf(salt, ikm, info, 32);
    ByteArray<32> out{};
    if (okm) {
        std::copy(okm->begin(), okm->end(), out.begin());
        secure_wipe(*okm);
    }
    Secret<32> s(out);
    secure_wipe(out);
    return s;
}

Bytes ikm_of(const ByteArray<32>& kem_ss, const ByteArray<32>& ecdh_ss) { return concat({kem_ss, ecdh_ss}); }

}  // namespace

Secret<32> master_secret_code(const ByteArray<32>& kem_ss, const ByteArray<32>& ecdh_ss) {
    Bytes ikm = ikm_of(kem_ss, ecdh_ss);
    // RFC 5869: an absent salt is HashLen zero bytes.
    const ByteArray<32> zero_salt{};
    auto s = hkdf32(zero_salt, ikm, as_bytes("ShadowMesh-v1-MasterSecret"));
    secure_wipe(ikm);
    return s;
}

Secret<32> master_secret_document(const ByteArray<32>& kem_ss, const ByteArray<32>& ecdh_ss) {
    Bytes ikm = ikm_of(kem_ss, ecdh_ss);
    auto s = hkdf32(as_bytes("ShadowMesh-v1-KDF"), ikm, as_bytes("handshake-master-secret"));
    secure_wipe(ikm);
    return s;
}

SessionKeys session_keys_code(const Secret<32>& master, const SessionId& sid, const NodeId& local,
                              const NodeId& remote) {
    const ByteView salt = as_bytes("ShadowMesh-v1-Session");
    const ByteView label = as_bytes("session-keys");
    SessionKeys k;
    k.session_id = sid;
    k.tx = hkdf32(salt, master.view(), concat({label, sid, local, remote}));
    k.rx = hkdf32(salt, master.view(), concat({label, sid, remote, local}));
    return k;
}

SessionKeys session_keys_document(const Secret<32>& master, const SessionId& sid, const NodeId& client,
                                  const NodeId& relay) {
    const Bytes info = concat({sid, client, relay});
    SessionKeys k;
    k.session_id = sid;
    k.tx = hkdf32(as_bytes("ShadowMesh-v1-TX"), master.view(), info);
    k.rx = hkdf32(as_bytes("ShadowMesh-v1-RX"), master.view(), info);
    return k;
}

Mac challenge_mac(const Secret<32>& key, const Challenge& challenge) {
    return crypto::hmac_sha256(key.view(), challenge);
}

bool verify_challenge_mac(const Secret<32>& key, const Challenge& challenge, const Mac& received,
                          std::size_t compared) {
    if (compared == 0 || compared > kMacSize) {
        compared = kMacSize;
    }
    Mac expected = challenge_mac(key, challenge);
    // Accept or reject is public; the comparison itself is not.
    const bool equal =
        ct::declassified(ct_equal(ByteView(expected).first(compared), ByteView(received).first(compared)));
    secure_wipe(expected);
    return equal;
}

}  // namespace shakedown::shadowmesh
