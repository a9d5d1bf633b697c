#include "sft/keys.hpp"

#include <algorithm>

#include "common/ct.hpp"

namespace shakedown::sft {

Result<Secret<64>> DirectDeriver::derive(ByteView shared_secret, ByteView salt) {
    SK_TRY(Bytes dk, crypto::pbkdf2_hmac(crypto::Hash::sha256, shared_secret, salt, kPbkdf2Iterations, kDerivedKeyLen));
    ByteArray<64> a{};
    std::copy(dk.begin(), dk.end(), a.begin());
    secure_wipe(dk);
    Secret<64> out(a);
    secure_wipe(a);
    return out;
}

Result<Secret<64>> CachingDeriver::derive(ByteView shared_secret, ByteView salt) {
    std::pair<Bytes, Bytes> key{Bytes(shared_secret.begin(), shared_secret.end()), Bytes(salt.begin(), salt.end())};
    {
        const std::lock_guard<std::mutex> lock(m_mutex);
        const auto it = m_cache.find(key);
        if (it != m_cache.end()) {
            return it->second;
        }
    }
    DirectDeriver direct;
    SK_TRY(Secret<64> dk, direct.derive(shared_secret, salt));
    const std::lock_guard<std::mutex> lock(m_mutex);
    m_cache.emplace(std::move(key), dk);
    return dk;
}

std::size_t CachingDeriver::computed() const {
    const std::lock_guard<std::mutex> lock(m_mutex);
    return m_cache.size();
}

CachingDeriver& CachingDeriver::shared() {
    static CachingDeriver instance;
    return instance;
}

Result<Secret<32>> shared_secret(const Secret<32>& own_eph_secret, ByteView peer_eph_public) {
    if (peer_eph_public.size() != 32) {
        return fail(Error::bad_length, "X25519 public key is not 32 bytes");
    }
    // The facade fails with weak_key when the result is all zero (libsodium's constant-time
    // zero test over the output, which also rejects the small-order inputs before multiplying).
    return crypto::x25519(own_eph_secret, peer_eph_public);
}

Bytes kdf_salt(Profile p, const ByteArray<32>& server_eph, const ByteArray<32>& client_eph) {
    if (p == Profile::described) {
        return concat({server_eph, client_eph});
    }
    const ByteView s = as_bytes(kUpstreamSalt);
    return Bytes(s.begin(), s.end());
}

Bytes signed_transcript(Profile p, const ByteArray<32>& client_eph, const ByteArray<32>& server_eph,
                        const ByteArray<32>& server_id) {
    if (p == Profile::described) {
        return concat({server_eph, server_id, client_eph});
    }
    return concat({client_eph, server_eph});
}

ByteArray<16> key_id(Profile p, const Secret<32>& aes_key) {
    crypto::Digest d = crypto::sha256(aes_key.view());
    // The key ID is sent in every record header: public, like a public key.
    ct::declassify(d.data(), d.size());
    ByteArray<16> out{};
    if (p == Profile::described) {
        std::copy_n(d.begin(), 16, out.begin());
        return out;
    }
    const std::string hex = to_hex(d);
    std::copy_n(hex.begin(), 16, out.begin());
    return out;
}

Result<SessionKeys> derive_session_keys(Profile p, const Secret<32>& shared, const ByteArray<32>& server_eph,
                                        const ByteArray<32>& client_eph, Deriver& deriver) {
    const Bytes salt = kdf_salt(p, server_eph, client_eph);
    SK_TRY(const Secret<64> dk, deriver.derive(shared.view(), salt));
    SessionKeys k;
    std::copy_n(dk.array().begin(), 32, k.hmac_key.mut().begin());
    std::copy_n(dk.array().begin() + 32, 32, k.aes_key.mut().begin());
    ct::classify(k.hmac_key.mut());
    ct::classify(k.aes_key.mut());
    k.key_id = key_id(p, k.aes_key);
    return k;
}

Confirm seal_confirm(const Secret<32>& aes_key, const ByteArray<12>& nonce) {
    auto sealed = crypto::aes_gcm_seal(aes_key.view(), nonce, {}, as_bytes(kAuthOk));
    Confirm c;
    c.nonce = nonce;
    // A 32-byte key, 12-byte nonce and 7-byte plaintext cannot be refused by the facade.
    if (sealed.ok() && sealed->size() == 7 + 16) {
        std::copy_n(sealed->begin(), 7, c.ciphertext.begin());
        std::copy_n(sealed->begin() + 7, 16, c.tag.begin());
    }
    return c;
}

Result<void> open_confirm(const Secret<32>& aes_key, const Confirm& c, std::size_t offset) {
    const Bytes sealed = concat({c.ciphertext, c.tag});
    auto opened = crypto::aes_gcm_open(aes_key.view(), c.nonce, {}, sealed);
    if (!opened) {
        return Failure{Error::bad_mac, offset, "key confirmation tag"};
    }
    // What the confirmation held is public once the tag verified (the peer's AUTH_OK).
    if (!ct::declassified(ct_equal(*opened, as_bytes(kAuthOk)))) {
        return Failure{Error::unexpected_message, offset, "key confirmation is not AUTH_OK"};
    }
    return ok();
}

}  // namespace shakedown::sft
