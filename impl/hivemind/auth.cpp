#include "hivemind/auth.hpp"

#include <openssl/evp.h>

#include <algorithm>
#include <memory>
#include <vector>

#include "common/ct.hpp"
#include "hivemind/codecs.hpp"

namespace shakedown::hivemind {

namespace {

EVP_PKEY* pk(const crypto::RsaKey& k) { return static_cast<EVP_PKEY*>(k.native()); }

// One digest context per thread, reset by every EVP_DigestInit_ex (which keeps the provider's
// context when the digest is the same one).
EVP_MD_CTX* digest_ctx() {
    thread_local const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), &EVP_MD_CTX_free);
    return ctx.get();
}

// The digest of the parts, concatenated, written to `out` (EVP_MD_get_size(md) bytes). SHA-256
// goes through the crypto facade (libsodium): OpenSSL 3.0 allocates a new digest context on every
// EVP_DigestInit_ex, and PSS makes nine of them per signature.
void digest_into(const EVP_MD* md, std::initializer_list<ByteView> parts, std::uint8_t* out) {
    if (md == crypto::openssl_digest(crypto::Hash::sha256)) {
        const crypto::Digest d = crypto::sha256(parts);
        std::copy(d.begin(), d.end(), out);
        return;
    }
    EVP_MD_CTX* ctx = digest_ctx();
    EVP_DigestInit_ex(ctx, md, nullptr);
    for (const auto& p : parts) {
        EVP_DigestUpdate(ctx, p.data(), p.size());
    }
    unsigned len = 0;
    EVP_DigestFinal_ex(ctx, out, &len);
}

Bytes digest(const EVP_MD* md, std::initializer_list<ByteView> parts) {
    Bytes out(static_cast<std::size_t>(EVP_MD_get_size(md)));
    digest_into(md, parts, out.data());
    return out;
}

Bytes mgf1(const EVP_MD* md, ByteView seed, std::size_t len) {
    const auto h = static_cast<std::size_t>(EVP_MD_get_size(md));
    Bytes out((len + h - 1) / h * h);
    for (std::uint32_t counter = 0; counter * h < len; ++counter) {
        const std::uint8_t c[4] = {static_cast<std::uint8_t>(counter >> 24), static_cast<std::uint8_t>(counter >> 16),
                                   static_cast<std::uint8_t>(counter >> 8), static_cast<std::uint8_t>(counter)};
        digest_into(md, {seed, ByteView(c, 4)}, out.data() + counter * h);
    }
    out.resize(len);
    return out;
}

// Raw RSA: m^e with a public key (encrypt) or m^d with a private one (decrypt), no padding.
Result<Bytes> raw_rsa(const crypto::RsaKey& key, ByteView block, bool private_op) {
    return crypto::rsa_raw(key, block, private_op);
}

std::size_t modulus_bits(const crypto::RsaKey& key) { return static_cast<std::size_t>(EVP_PKEY_get_bits(pk(key))); }

}  // namespace

std::string password_envelope(std::string_view password, const Iv& iv) {
    const auto h = crypto::sha256({iv, as_bytes(password)});
    return to_hex(concat({iv, h})).substr(0, kEnvelopeHexLength);
}

Result<Iv> verify_password_envelope(std::string_view envelope, std::string_view password, const EnvelopeRules& rules) {
    if (rules.lax ? (envelope.size() < kEnvelopeHexLength || envelope.size() > 80)
                  : envelope.size() != kEnvelopeHexLength) {
        return fail(Error::bad_length, "envelope length", envelope.size());
    }
    CodecQuirks hexq;
    hexq.hex_accepts_uppercase = rules.lax;
    SK_TRY(Bytes iv_bytes, decode(Encoding::hex, envelope.substr(0, 16), hexq));
    if (!rules.lax) {
        SK_TRY(Bytes all, decode(Encoding::hex, envelope, hexq));
        (void)all;
    }
    Iv iv{};
    std::copy(iv_bytes.begin(), iv_bytes.end(), iv.begin());
    const std::string expect = password_envelope(password, iv);
    // Accept or reject is public (the handshake stops); the comparison itself is not.
    if (!ct::declassified(ct_equal(as_bytes(expect), as_bytes(envelope.substr(0, kEnvelopeHexLength))))) {
        return fail(Error::bad_credentials, "envelope does not match the password", 16);
    }
    return iv;
}

Iv xor_salt(const Iv& a, const Iv& b) {
    Iv out{};
    for (std::size_t k = 0; k < out.size(); ++k) {
        out[k] = static_cast<std::uint8_t>(a[k] ^ b[k]);
    }
    return out;
}

Result<SecretBytes> password_key(std::string_view password, const Iv& salt, std::uint32_t iterations) {
    SK_TRY(Bytes key, crypto::pbkdf2_hmac(crypto::Hash::sha256, as_bytes(password), salt, iterations, 32));
    SecretBytes out(key);
    secure_wipe(key);
    return out;
}

Result<Bytes> oaep_sha1_encrypt(const crypto::RsaKey& pub, ByteView message, Rng& rng) {
    return oaep_encrypt(pub, crypto::Hash::sha1, {}, message, rng);
}

Result<Bytes> oaep_encrypt(const crypto::RsaKey& pub, crypto::Hash hash, ByteView label, ByteView message, Rng& rng) {
    const EVP_MD* md = crypto::openssl_digest(hash);
    const std::size_t k = pub.modulus_bytes();
    const auto h = static_cast<std::size_t>(EVP_MD_get_size(md));
    if (message.size() + 2 * h + 2 > k) {
        return fail(Error::invalid_argument, "message too long for OAEP");
    }
    const Bytes lhash = digest(md, {label});
    Bytes db = lhash;
    db.resize(k - h - 1 - message.size() - 1, 0);
    db.push_back(1);
    db.insert(db.end(), message.begin(), message.end());
    Bytes seed(h);
    rng.fill(seed);
    const Bytes db_mask = mgf1(md, seed, db.size());
    for (std::size_t i = 0; i < db.size(); ++i) {
        db[i] ^= db_mask[i];
    }
    const Bytes seed_mask = mgf1(md, db, h);
    for (std::size_t i = 0; i < h; ++i) {
        seed[i] ^= seed_mask[i];
    }
    const Bytes em = concat({Bytes{0}, seed, db});
#if defined(SHAKEDOWN_FUZZ_MEMO_CRYPTO)
    // Fuzz builds: the recipient's decryption of this very ciphertext is remembered (the
    // randomness of the fuzzed machine comes from the input, so a new seed is frequent).
    auto ct = raw_rsa(pub, em, false);
    if (ct) {
        crypto::fuzz_remember_oaep_decryption(pub, hash, hash, label, *ct, message);
    }
    return ct;
#else
    return raw_rsa(pub, em, false);
#endif
}

Result<Bytes> pss_sha256_sign(const crypto::RsaKey& priv, ByteView message, Rng& rng) {
    if (!priv.has_private()) {
        return fail(Error::invalid_argument, "PSS signing needs a private key");
    }
    const EVP_MD* md = crypto::openssl_digest(crypto::Hash::sha256);
    const std::size_t h = 32;
    const std::size_t em_bits = modulus_bits(priv) - 1;
    const std::size_t em_len = (em_bits + 7) / 8;
    if (em_len < 2 * h + 2) {
        return fail(Error::invalid_argument, "modulus too small for PSS-SHA256");
    }
    const Bytes mhash = digest(md, {message});
    Bytes salt(h);
    rng.fill(salt);
    const Bytes zeros(8, 0);
    const Bytes hh = digest(md, {zeros, mhash, salt});
    Bytes db(em_len - h - 1 - h - 1, 0);
    db.push_back(1);
    db.insert(db.end(), salt.begin(), salt.end());
    const Bytes mask = mgf1(md, hh, db.size());
    for (std::size_t i = 0; i < db.size(); ++i) {
        db[i] ^= mask[i];
    }
    db[0] = static_cast<std::uint8_t>(db[0] & (0xffu >> (8 * em_len - em_bits)));
    Bytes em = concat({db, hh, Bytes{0xbc}});
    // A block as wide as the modulus: left-pad when em_len is one byte shorter.
    em.insert(em.begin(), priv.modulus_bytes() - em.size(), 0);
    return raw_rsa(priv, em, true);
}

Result<std::string> rsa_envelope(const crypto::RsaKey& signer, const crypto::RsaKey& recipient, ByteView secret,
                                 Rng& rng) {
    SK_TRY(Bytes ct, oaep_sha1_encrypt(recipient, secret, rng));
    SK_TRY(Bytes sig, pss_sha256_sign(signer, ct, rng));
    return to_hex(concat({sig, ct}));
}

Result<SecretBytes> open_rsa_envelope(std::string_view envelope, const crypto::RsaKey& signer,
                                      const crypto::RsaKey& recipient, const RsaEnvelopeRules& rules) {
    const std::size_t sig_len = signer.modulus_bytes();
    const std::size_t ct_len = recipient.modulus_bytes();
    if (envelope.size() != 2 * (sig_len + ct_len)) {
        return fail(Error::bad_length, "RSA envelope length", envelope.size());
    }
    SK_TRY(Bytes raw, decode(Encoding::hex, envelope));
    const ByteView sig = ByteView(raw).first(sig_len);
    const ByteView ct = ByteView(raw).subspan(sig_len);
    if (!crypto::rsa_pss_verify(signer, crypto::Hash::sha256, crypto::Hash::sha256, 32, ct, sig) &&
        !rules.ignore_bad_signature) {
        return fail(Error::bad_signature, "PSS signature does not verify", 0);
    }
    auto secret = crypto::rsa_oaep_decrypt(recipient, crypto::Hash::sha1, crypto::Hash::sha1, {}, ct);
    if (!secret) {
        return fail(Error::crypto_failure, "OAEP decryption failed", 2 * sig_len);
    }
    if (secret->size() != kRsaSecretSize) {
        secure_wipe(*secret);
        return fail(Error::bad_length, "RSA secret is not 32 bytes", 2 * sig_len);
    }
    SecretBytes out(*secret);
    secure_wipe(*secret);
    // The session secret the server drew; OpenSSL decrypted it with a key this check does not
    // mark (it lives in OpenSSL's bignums).
    ct::classify(out.view().data(), out.size());
    return out;
}

Result<void> check_rsa_strength(const crypto::RsaKey& key) {
    const crypto::RsaPublicFacts f = crypto::rsa_public_facts(key);
    if (f.modulus_bits < 2048) {
        return fail(Error::weak_key, "RSA modulus under 2048 bits");
    }
    if (!f.readable) {
        return fail(Error::crypto_failure, "cannot read RSA parameters");
    }
    if (f.exponent_weak) {
        return fail(Error::weak_key, "RSA public exponent below 65537 or even");
    }
    if (f.small_factor) {
        return fail(Error::weak_key, "RSA modulus has a small prime factor");
    }
    return ok();
}

std::string public_pem(const crypto::RsaKey& key) { return crypto::rsa_public_pem(key); }

}  // namespace shakedown::hivemind
