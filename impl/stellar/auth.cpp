#include "stellar/auth.hpp"

#include <array>

#include "common/writer.hpp"

namespace shakedown::stellar {


ByteArray<32> network_id(std::string_view passphrase) { return crypto::sha256(as_bytes(passphrase)); }

crypto::Digest cert_signing_hash(const ByteArray<32>& network, std::uint64_t expiration,
                                 const ByteArray<32>& ecdh_public) {
    std::array<std::uint8_t, 32 + 4 + 8 + 32> buf{};
    SpanWriter w(buf);
    w.put_bytes(network);
    w.put_u32be(static_cast<std::uint32_t>(kEnvelopeTypeAuth));
    w.put_u64be(expiration);
    w.put_bytes(ecdh_public);
    return crypto::sha256(buf);
}

AuthCert make_cert(const crypto::Ed25519KeyPair& node, const ByteArray<32>& network, const ByteArray<32>& ecdh_public,
                   std::uint64_t expiration) {
    const auto hash = cert_signing_hash(network, expiration, ecdh_public);
    const auto sig = crypto::ed25519_sign(node, hash);
    return AuthCert{ecdh_public, expiration, Bytes(sig.begin(), sig.end())};
}

Result<void> verify_cert(const AuthCert& cert, const ByteArray<32>& peer_id, const ByteArray<32>& verifier_network,
                         std::uint64_t now, CertPolicy policy) {
    if (policy.check_expiration && cert.expiration < now) {
        return fail(Error::expired, "AuthCert expired");
    }
    if (!policy.check_signature) {
        return ok();
    }
    if (cert.sig.size() != 64) {
        return fail(Error::bad_signature, "AuthCert signature is not 64 bytes");
    }
    const auto hash = cert_signing_hash(verifier_network, cert.expiration, cert.pubkey);
    if (!crypto::ed25519_verify(peer_id, hash, cert.sig)) {
        return fail(Error::bad_signature, "AuthCert signature does not verify");
    }
    return ok();
}

Result<Secret<32>> shared_key(Role local_role, const Secret<32>& local_secret, const ByteArray<32>& local_public,
                              const ByteArray<32>& remote_public, bool allow_zero_secret) {
    auto dh = crypto::x25519(local_secret, remote_public);
    Secret<32> q;
    if (dh) {
        q = *dh;
    } else if (!(allow_zero_secret && dh.error() == Error::weak_key)) {
        return dh.failure();
    }
    return shared_key_from_dh(local_role, q, local_public, remote_public);
}

Secret<32> shared_key_from_dh(Role local_role, const Secret<32>& dh_output, const ByteArray<32>& local_public,
                              const ByteArray<32>& remote_public) {
    const ByteArray<32>& pub_a = local_role == Role::initiator ? local_public : remote_public;
    const ByteArray<32>& pub_b = local_role == Role::initiator ? remote_public : local_public;
    const ByteArray<32> zero_salt{};
    return Secret<32>(crypto::hmac_sha256(zero_salt, {dh_output.view(), pub_a, pub_b}));
}

namespace {
Secret<32> expand(const Secret<32>& k, std::uint8_t prefix, const ByteArray<32>& first, const ByteArray<32>& second) {
    const std::uint8_t p[1] = {prefix};
    const std::uint8_t one[1] = {1};
    return Secret<32>(crypto::hmac_sha256(k.view(), {ByteView(p), first, second, ByteView(one)}));
}
}  // namespace

MacKeys mac_keys(Role local_role, const Secret<32>& shared, const ByteArray<32>& local_nonce,
                 const ByteArray<32>& remote_nonce, bool sender_view) {
    if (sender_view) {
        return MacKeys{expand(shared, 0x00, local_nonce, remote_nonce), expand(shared, 0x01, remote_nonce, local_nonce)};
    }
    const ByteArray<32>& nonce_a = local_role == Role::initiator ? local_nonce : remote_nonce;
    const ByteArray<32>& nonce_b = local_role == Role::initiator ? remote_nonce : local_nonce;
    Secret<32> k_ab = expand(shared, 0x00, nonce_a, nonce_b);
    Secret<32> k_ba = expand(shared, 0x01, nonce_b, nonce_a);
    if (local_role == Role::initiator) {
        return MacKeys{k_ab, k_ba};
    }
    return MacKeys{k_ba, k_ab};
}

ByteArray<32> message_mac(const Secret<32>& key, std::uint64_t sequence, ByteView stellar_message_xdr) {
    std::array<std::uint8_t, 8> seq{};
    SpanWriter(seq).put_u64be(sequence);
    return crypto::hmac_sha256(key.view(), {ByteView(seq), stellar_message_xdr});
}

ByteView mac_covered_bytes(ByteView authenticated_message) {
    constexpr std::size_t kBefore = 4 + 8;  // v, sequence
    constexpr std::size_t kMac = 32;
    if (authenticated_message.size() < kBefore + kMac) {
        return {};
    }
    return authenticated_message.subspan(kBefore, authenticated_message.size() - kBefore - kMac);
}

}  // namespace shakedown::stellar
