// The crypto facade against every case of the Wycheproof files in SHAKEDOWN_WYCHEPROOF_DIR.
//
// Policy per result: `valid` must succeed with exactly the expected output; `invalid` must be
// rejected (for encryption, a seal that does not reproduce the vector counts as a mismatch);
// `acceptable` has a per-file policy. A file that gains acceptable cases without a decided policy
// fails, so that a vector update forces a decision instead of passing by accident.
#include "wycheproof.hpp"

#include <gtest/gtest.h>
#include <openssl/err.h>

#include <algorithm>
#include <cstdint>
#include <iostream>
#include <set>
#include <span>
#include <stdexcept>
#include <string>

#include "common/crypto.hpp"

namespace shakedown {
namespace {

using wycheproof::Case;
using wycheproof::Expect;
using wycheproof::for_each_case;
using wycheproof::json;

// Every facade call leaves OpenSSL's per-thread error queue empty, whatever it was given: a
// failure is reported in the call's own result, and no queue entry (heap memory) outlives it.
void expect_openssl_queue_empty(const char* after) {
    const unsigned long e = ERR_peek_error();
    EXPECT_EQ(e, 0UL) << "OpenSSL error queue not empty after " << after << ": " << ERR_error_string(e, nullptr);
    ERR_clear_error();
}

void fail_undecided_acceptable(const Case& c) {
    ADD_FAILURE() << "no policy decided for acceptable cases in this file: " << c.where();
}

crypto::Hash hash_named(const std::string& name) {
    if (name == "SHA-1") {
        return crypto::Hash::sha1;
    }
    if (name == "SHA-224") {
        return crypto::Hash::sha224;
    }
    if (name == "SHA-256") {
        return crypto::Hash::sha256;
    }
    if (name == "SHA-384") {
        return crypto::Hash::sha384;
    }
    if (name == "SHA-512") {
        return crypto::Hash::sha512;
    }
    throw std::runtime_error("hash not offered by the facade: " + name);
}

template <std::size_t N>
Secret<N> secret_of(const Bytes& bytes) {
    if (bytes.size() != N) {
        throw std::runtime_error("secret of the wrong size in a vector");
    }
    ByteArray<N> a{};
    std::copy(bytes.begin(), bytes.end(), a.begin());
    return Secret<N>(a);
}

std::size_t bits_to_bytes(const json& group, const char* key) {
    const int bits = group.at(key).get<int>();
    if (bits < 0 || bits % 8 != 0) {
        throw std::runtime_error(std::string(key) + " is not a whole number of bytes");
    }
    return static_cast<std::size_t>(bits) / 8;
}

// ---------------------------------------------------------------------------------------------
// X25519

TEST(Wycheproof, X25519) {
    int acceptable_weak_key = 0;
    int acceptable_computed = 0;
    for_each_case("x25519_test.json", "XDH", 0, [&](Case& c) {
        ASSERT_EQ(c.group().at("curve").get<std::string>(), "curve25519");
        const Bytes private_key = c.hex("private");
        const Bytes public_key = c.hex("public");
        const Bytes shared = c.hex("shared");
        ASSERT_EQ(private_key.size(), 32U);
        const auto result = crypto::x25519(secret_of<32>(private_key), public_key);
        if (public_key.size() != 32) {
            // Only 32-byte keys exist in RFC 7748, so the facade refuses any other length.
            ASSERT_FALSE(result.ok());
            EXPECT_EQ(result.error(), Error::bad_length);
            EXPECT_NE(c.expect(), Expect::valid);
            return;
        }
        switch (c.expect()) {
            case Expect::valid:
                // RFC 7748 section 6.1 lets us abort on an all-zero secret; Wycheproof marks those
                // acceptable, so a valid one would be a genuine policy clash worth failing on.
                ASSERT_FALSE(is_all_zero(shared));
                ASSERT_TRUE(result.ok()) << result.failure().describe();
                EXPECT_EQ(to_hex(result->view()), to_hex(shared));
                break;
            case Expect::invalid: EXPECT_FALSE(result.ok()); break;
            case Expect::acceptable:
                // Twist, non-canonical and special public keys are computed per RFC 7748 (libsodium
                // masks bit 255 and reduces mod p); only an all-zero result is refused.
                if (is_all_zero(shared)) {
                    ++acceptable_weak_key;
                    ASSERT_FALSE(result.ok()) << "all-zero shared secret was returned";
                    EXPECT_EQ(result.error(), Error::weak_key);
                } else {
                    ++acceptable_computed;
                    ASSERT_TRUE(result.ok()) << result.failure().describe();
                    EXPECT_EQ(to_hex(result->view()), to_hex(shared));
                }
                break;
        }
    });
    std::cout << "[wycheproof]   x25519 acceptable: " << acceptable_weak_key << " refused with weak_key, "
              << acceptable_computed << " computed exactly\n";
    RecordProperty("acceptable_weak_key", acceptable_weak_key);
    RecordProperty("acceptable_computed", acceptable_computed);
}

// ---------------------------------------------------------------------------------------------
// Ed25519

TEST(Wycheproof, Ed25519) {
    for_each_case("ed25519_test.json", "EDDSA", 0, [](Case& c) {
        const auto& key = c.group().at("publicKey");
        ASSERT_EQ(key.at("curve").get<std::string>(), "edwards25519");
        const Bytes public_key = wycheproof::hex_field(key, "pk");
        const Bytes message = c.hex("msg");
        const Bytes signature = c.hex("sig");
        const bool verified = crypto::ed25519_verify(public_key, message, signature);
        switch (c.expect()) {
            case Expect::valid: EXPECT_TRUE(verified); break;
            case Expect::invalid: EXPECT_FALSE(verified); break;
            case Expect::acceptable: fail_undecided_acceptable(c); break;
        }
    });
}

// ---------------------------------------------------------------------------------------------
// HMAC-SHA256

TEST(Wycheproof, HmacSha256) {
    for_each_case("hmac_sha256_test.json", "HMACSHA256", 0, [](Case& c) {
        const Bytes key = c.hex("key");
        const Bytes message = c.hex("msg");
        const Bytes tag = c.hex("tag");
        const std::size_t tag_len = bits_to_bytes(c.group(), "tagSize");
        ASSERT_EQ(key.size(), bits_to_bytes(c.group(), "keySize"));
        ASSERT_GE(tag_len, 1U);
        ASSERT_LE(tag_len, 32U);
        const crypto::Digest full = crypto::hmac_sha256(key, message);
        const ByteView computed = ByteView(full).first(tag_len);
        const bool verified = crypto::hmac_sha256_verify(key, message, tag);
        switch (c.expect()) {
            case Expect::valid:
                EXPECT_EQ(to_hex(computed), to_hex(tag));
                EXPECT_TRUE(verified);
                break;
            case Expect::invalid:
                EXPECT_NE(to_hex(computed), to_hex(tag));
                EXPECT_FALSE(verified);
                break;
            case Expect::acceptable: fail_undecided_acceptable(c); break;
        }
    });
}

// ---------------------------------------------------------------------------------------------
// HKDF-SHA256

TEST(Wycheproof, HkdfSha256) {
    for_each_case("hkdf_sha256_test.json", "HKDF-SHA-256", 0, [](Case& c) {
        const Bytes ikm = c.hex("ikm");
        const Bytes salt = c.hex("salt");
        const Bytes info = c.hex("info");
        const Bytes okm = c.hex("okm");
        const auto size = c.test().at("size").get<std::size_t>();
        const auto derived = crypto::hkdf(salt, ikm, info, size);
        const auto expanded = crypto::hkdf_expand(crypto::hkdf_extract(salt, ikm), info, size);
        switch (c.expect()) {
            case Expect::valid:
                ASSERT_LE(size, 255U * 32U);
                ASSERT_TRUE(derived.ok()) << derived.failure().describe();
                ASSERT_TRUE(expanded.ok()) << expanded.failure().describe();
                EXPECT_EQ(to_hex(*derived), to_hex(okm));
                EXPECT_EQ(to_hex(*expanded), to_hex(okm));
                break;
            case Expect::invalid:
                ASSERT_FALSE(derived.ok());
                ASSERT_FALSE(expanded.ok());
                if (c.has_flag("SizeTooLarge")) {
                    EXPECT_GT(size, 255U * 32U);
                    EXPECT_EQ(derived.error(), Error::invalid_argument);
                    EXPECT_EQ(expanded.error(), Error::invalid_argument);
                }
                break;
            case Expect::acceptable: fail_undecided_acceptable(c); break;
        }
    });
}

// ---------------------------------------------------------------------------------------------
// PBKDF2-HMAC-SHA256

// iterationCount * output blocks; OpenSSL needs about 1.4 us per unit under ASan (its HMAC
// context copies go through the ASan allocator), so this bounds a case to well under a second.
// The current file's largest case is 80000 * 2.
constexpr std::uint64_t kPbkdf2MaxWork = 500'000;

TEST(Wycheproof, Pbkdf2HmacSha256) {
    for_each_case("pbkdf2_hmacsha256_test.json", "PBKDF2-HMACSHA256", 0, [](Case& c) {
        const Bytes password = c.hex("password");
        const Bytes salt = c.hex("salt");
        const Bytes dk = c.hex("dk");
        const auto iterations = c.test().at("iterationCount").get<std::uint32_t>();
        const auto length = c.test().at("dkLen").get<std::size_t>();
        const std::uint64_t blocks = (length + 31) / 32;
        if (static_cast<std::uint64_t>(iterations) * blocks > kPbkdf2MaxWork) {
            c.skip("iterationCount * output blocks above " + std::to_string(kPbkdf2MaxWork) +
                   " (about 1 s or more in a Debug ASan build)");
            return;
        }
        const auto derived = crypto::pbkdf2_hmac(crypto::Hash::sha256, password, salt, iterations, length);
        switch (c.expect()) {
            case Expect::valid:
                ASSERT_TRUE(derived.ok()) << derived.failure().describe();
                EXPECT_EQ(to_hex(*derived), to_hex(dk));
                break;
            case Expect::invalid: EXPECT_TRUE(!derived.ok() || to_hex(*derived) != to_hex(dk)); break;
            case Expect::acceptable: fail_undecided_acceptable(c); break;
        }
    });
}

// ---------------------------------------------------------------------------------------------
// AEADs

struct AeadVector {
    Bytes key;
    Bytes iv;
    Bytes aad;
    Bytes msg;
    Bytes sealed;  // ct || tag, the layout the facade uses
};

AeadVector aead_vector(const Case& c) {
    AeadVector v{c.hex("key"), c.hex("iv"), c.hex("aad"), c.hex("msg"), c.hex("ct")};
    const Bytes tag = c.hex("tag");
    v.sealed.insert(v.sealed.end(), tag.begin(), tag.end());
    return v;
}

// seal/open are the facade's functions with the vector's tag length already bound;
// nonce_refused says the facade takes no nonce of this length at all.
template <class Seal, class Open>
void check_aead_case(const Case& c, const AeadVector& v, bool nonce_refused, Seal&& seal, Open&& open) {
    const Result<Bytes> sealed = seal(v);
    const Result<Bytes> opened = open(v);
    switch (c.expect()) {
        case Expect::valid:
            ASSERT_TRUE(sealed.ok()) << sealed.failure().describe();
            ASSERT_TRUE(opened.ok()) << opened.failure().describe();
            EXPECT_EQ(to_hex(*sealed), to_hex(v.sealed));
            EXPECT_EQ(to_hex(*opened), to_hex(v.msg));
            break;
        case Expect::invalid:
            ASSERT_FALSE(opened.ok()) << "forged or malformed input was opened";
            if (nonce_refused) {
                // A nonce the cipher does not take is an argument error on both sides, not a
                // tag failure: nothing was computed.
                EXPECT_EQ(opened.error(), Error::invalid_argument);
                ASSERT_FALSE(sealed.ok());
                EXPECT_EQ(sealed.error(), Error::invalid_argument);
            } else if (c.has_flag("ModifiedTag")) {
                EXPECT_EQ(opened.error(), Error::bad_mac);
                ASSERT_TRUE(sealed.ok()) << sealed.failure().describe();
                EXPECT_NE(to_hex(*sealed), to_hex(v.sealed));
            } else {
                EXPECT_TRUE(!sealed.ok() || to_hex(*sealed) != to_hex(v.sealed));
            }
            break;
        case Expect::acceptable: fail_undecided_acceptable(c); break;
    }
}

// The facade's GCM IV limit (OpenSSL 3 stores at most 128 IV bytes). The file has one valid
// 2056-bit-IV case per key size; they cannot be computed, only refused.
constexpr std::size_t kGcmMaxIvBytes = 128;
constexpr int kAesGcmLongIvCases = 3;

TEST(Wycheproof, AesGcm) {
    for_each_case("aes_gcm_test.json", "AES-GCM", kAesGcmLongIvCases, [](Case& c) {
        const AeadVector v = aead_vector(c);
        const std::size_t tag_len = bits_to_bytes(c.group(), "tagSize");
        ASSERT_EQ(v.key.size(), bits_to_bytes(c.group(), "keySize"));
        ASSERT_EQ(v.iv.size(), bits_to_bytes(c.group(), "ivSize"));
        ASSERT_EQ(v.sealed.size(), v.msg.size() + tag_len);
        if (v.iv.size() > kGcmMaxIvBytes) {
            c.skip("IV longer than the facade's 128-byte GCM limit; asserted refused with invalid_argument");
            const auto sealed = crypto::aes_gcm_seal(v.key, v.iv, v.aad, v.msg, tag_len);
            const auto opened = crypto::aes_gcm_open(v.key, v.iv, v.aad, v.sealed, tag_len);
            ASSERT_FALSE(sealed.ok());
            ASSERT_FALSE(opened.ok());
            EXPECT_EQ(sealed.error(), Error::invalid_argument);
            EXPECT_EQ(opened.error(), Error::invalid_argument);
            return;
        }
        check_aead_case(
            c, v, v.iv.empty(),
            [tag_len](const AeadVector& x) { return crypto::aes_gcm_seal(x.key, x.iv, x.aad, x.msg, tag_len); },
            [tag_len](const AeadVector& x) { return crypto::aes_gcm_open(x.key, x.iv, x.aad, x.sealed, tag_len); });
    });
}

// The same vectors through the into-buffer API, in place: the message's own bytes become the
// ciphertext (the tag after them), and the ciphertext's own bytes the plaintext, wiped when the
// tag does not verify.
TEST(Wycheproof, AesGcmIntoBuffersInPlace) {
    for_each_case("aes_gcm_test.json", "AES-GCM", kAesGcmLongIvCases, [](Case& c) {
        const AeadVector v = aead_vector(c);
        const std::size_t tag_len = bits_to_bytes(c.group(), "tagSize");
        ASSERT_EQ(v.sealed.size(), v.msg.size() + tag_len);
        if (v.iv.size() > kGcmMaxIvBytes) {
            c.skip("IV longer than the facade's 128-byte GCM limit (Wycheproof.AesGcm asserts the refusal)");
            return;
        }
        check_aead_case(
            c, v, v.iv.empty(),
            [tag_len](const AeadVector& x) -> Result<Bytes> {
                Bytes buf = x.msg;
                buf.resize(x.msg.size() + tag_len);
                const std::span<std::uint8_t> b(buf);
                const std::span<std::uint8_t> text = b.first(x.msg.size());
                SK_CHECK(crypto::aes_gcm_seal_into(x.key, x.iv, x.aad, text, text, b.subspan(x.msg.size())));
                return buf;
            },
            [tag_len](const AeadVector& x) -> Result<Bytes> {
                const auto tag_at = x.sealed.end() - static_cast<std::ptrdiff_t>(tag_len);
                Bytes buf(x.sealed.begin(), tag_at);
                const Bytes tag(tag_at, x.sealed.end());
                const auto r = crypto::aes_gcm_open_into(x.key, x.iv, x.aad, buf, tag, buf);
                if (!r) {
                    if (r.error() == Error::bad_mac) {
                        EXPECT_TRUE(is_all_zero(buf)) << "plaintext of a forged message left in the buffer";
                    }
                    return r.failure();
                }
                return buf;
            });
    });
}

TEST(Wycheproof, ChaCha20Poly1305) {
    for_each_case("chacha20_poly1305_test.json", "CHACHA20-POLY1305", 0, [](Case& c) {
        const AeadVector v = aead_vector(c);
        ASSERT_EQ(bits_to_bytes(c.group(), "tagSize"), 16U);
        ASSERT_EQ(v.key.size(), bits_to_bytes(c.group(), "keySize"));
        ASSERT_EQ(v.iv.size(), bits_to_bytes(c.group(), "ivSize"));
        // The facade is RFC 8439 only: a 96-bit nonce, never the 64-bit original or XChaCha's 192.
        check_aead_case(
            c, v, v.iv.size() != 12,
            [](const AeadVector& x) { return crypto::chacha20_poly1305_seal(x.key, x.iv, x.aad, x.msg); },
            [](const AeadVector& x) { return crypto::chacha20_poly1305_open(x.key, x.iv, x.aad, x.sealed); });
    });
}

// ---------------------------------------------------------------------------------------------
// RSA

crypto::RsaKey must_load(Result<crypto::RsaKey> key, const char* what) {
    if (!key.ok()) {
        throw std::runtime_error(std::string("cannot load ") + what + ": " + key.failure().describe());
    }
    return std::move(*key);
}

TEST(Wycheproof, RsaOaep2048Sha1Mgf1Sha1) {
    std::set<const json*> round_tripped;
    for_each_case("rsa_oaep_2048_sha1_mgf1sha1_test.json", "RSAES-OAEP", 0, [&round_tripped](Case& c) {
        const json& group = c.group();
        ASSERT_EQ(group.at("mgf").get<std::string>(), "MGF1");
        const crypto::Hash hash = hash_named(group.at("sha").get<std::string>());
        const crypto::Hash mgf1 = hash_named(group.at("mgfSha").get<std::string>());
        // Both encodings the file carries must load and agree; each case runs against both.
        const crypto::RsaKey der_key =
            must_load(crypto::RsaKey::private_from_der(wycheproof::hex_field(group, "privateKeyPkcs8")), "PKCS#8 DER");
        const crypto::RsaKey pem_key =
            must_load(crypto::RsaKey::from_pem(group.at("privateKeyPem").get<std::string>()), "private PEM");
        ASSERT_TRUE(der_key.has_private());
        ASSERT_TRUE(pem_key.has_private());
        const std::size_t k = bits_to_bytes(group, "keySize");
        ASSERT_EQ(der_key.modulus_bytes(), k);
        ASSERT_EQ(pem_key.modulus_bytes(), k);

        const Bytes label = c.hex("label");
        const Bytes message = c.hex("msg");
        const Bytes ciphertext = c.hex("ct");

        if (round_tripped.insert(&group).second) {
            // The seed is random, so encryption can only be checked by decrypting it again, at the
            // RFC 8017 length limit k - 2hLen - 2 and one byte past it.
            ASSERT_TRUE(hash == crypto::Hash::sha1 || hash == crypto::Hash::sha256);
            const std::size_t h_len = hash == crypto::Hash::sha1 ? 20 : 32;
            const Bytes longest(k - 2 * h_len - 2, 0xa5);
            for (const Bytes& m : {message, longest}) {
                const auto encrypted = crypto::rsa_oaep_encrypt(der_key, hash, mgf1, label, m);
                ASSERT_TRUE(encrypted.ok()) << encrypted.failure().describe();
                ASSERT_EQ(encrypted->size(), k);
                const auto again = crypto::rsa_oaep_encrypt(der_key, hash, mgf1, label, m);
                ASSERT_TRUE(again.ok());
                EXPECT_NE(to_hex(*encrypted), to_hex(*again)) << "OAEP seed was not random";
                const auto decrypted = crypto::rsa_oaep_decrypt(pem_key, hash, mgf1, label, *encrypted);
                ASSERT_TRUE(decrypted.ok()) << decrypted.failure().describe();
                EXPECT_EQ(to_hex(*decrypted), to_hex(m));
            }
            const Bytes too_long(longest.size() + 1, 0xa5);
            const auto refused = crypto::rsa_oaep_encrypt(der_key, hash, mgf1, label, too_long);
            ASSERT_FALSE(refused.ok());
            EXPECT_EQ(refused.error(), Error::invalid_argument);
        }

        for (const crypto::RsaKey* key : {&der_key, &pem_key}) {
            SCOPED_TRACE(key == &der_key ? "key from privateKeyPkcs8" : "key from privateKeyPem");
            const auto decrypted = crypto::rsa_oaep_decrypt(*key, hash, mgf1, label, ciphertext);
            expect_openssl_queue_empty("rsa_oaep_decrypt");
            switch (c.expect()) {
                case Expect::valid:
                    ASSERT_TRUE(decrypted.ok()) << decrypted.failure().describe();
                    EXPECT_EQ(to_hex(*decrypted), to_hex(message));
                    break;
                case Expect::invalid:
                    // One error for every padding and ciphertext fault: telling them apart is
                    // what Manger's attack needs.
                    ASSERT_FALSE(decrypted.ok());
                    EXPECT_EQ(decrypted.error(), Error::decode_error);
                    break;
                case Expect::acceptable: fail_undecided_acceptable(c); break;
            }
        }
    });
}

TEST(Wycheproof, RsaPss2048Sha256Mgf1Sha256Salt32) {
    std::set<const json*> respelled;
    for_each_case("rsa_pss_2048_sha256_mgf1_32_test.json", "RSASSA-PSS", 0, [&respelled](Case& c) {
        const json& group = c.group();
        ASSERT_EQ(group.at("mgf").get<std::string>(), "MGF1");
        const crypto::Hash hash = hash_named(group.at("sha").get<std::string>());
        const crypto::Hash mgf1 = hash_named(group.at("mgfSha").get<std::string>());
        const int salt_len = group.at("sLen").get<int>();
        const crypto::RsaKey der_key =
            must_load(crypto::RsaKey::public_from_der(wycheproof::hex_field(group, "publicKeyDer")), "SPKI DER");
        const crypto::RsaKey pem_key =
            must_load(crypto::RsaKey::from_pem(group.at("publicKeyPem").get<std::string>()), "public PEM");
        ASSERT_FALSE(der_key.has_private());
        ASSERT_FALSE(pem_key.has_private());
        if (respelled.insert(&group).second) {
            // The same key with its rsaEncryption parameters changed from NULL (05 00) to an
            // empty constructed OCTET STRING (24 00), which OpenSSL alone decodes to the same
            // key: another spelling of it, refused.
            Bytes other = wycheproof::hex_field(group, "publicKeyDer");
            const Bytes algorithm = {0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00};
            const auto at = std::search(other.begin(), other.end(), algorithm.begin(), algorithm.end());
            ASSERT_NE(at, other.end());
            *(at + 11) = 0x24;
            const auto refused = crypto::RsaKey::public_from_der(other);
            ASSERT_FALSE(refused.ok());
            EXPECT_EQ(refused.error(), Error::non_canonical);
            expect_openssl_queue_empty("public_from_der of another spelling");
        }
        ASSERT_EQ(der_key.modulus_bytes(), bits_to_bytes(group, "keySize"));
        ASSERT_EQ(pem_key.modulus_bytes(), bits_to_bytes(group, "keySize"));

        const Bytes message = c.hex("msg");
        const Bytes signature = c.hex("sig");
        for (const crypto::RsaKey* key : {&der_key, &pem_key}) {
            SCOPED_TRACE(key == &der_key ? "key from publicKeyDer" : "key from publicKeyPem");
            const bool verified = crypto::rsa_pss_verify(*key, hash, mgf1, salt_len, message, signature);
            expect_openssl_queue_empty("rsa_pss_verify");
            switch (c.expect()) {
                case Expect::valid: EXPECT_TRUE(verified); break;
                case Expect::invalid: EXPECT_FALSE(verified); break;
                case Expect::acceptable: fail_undecided_acceptable(c); break;
            }
        }
    });
}

// Keys that do not decode: each refusal leaves the error queue as it found it (empty).
TEST(Wycheproof, RefusedKeysLeaveNoOpenSslErrors) {
    ERR_clear_error();
    const std::string pem_body = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC KEY-----\n";
    EXPECT_FALSE(crypto::RsaKey::from_pem(pem_body).ok());
    expect_openssl_queue_empty("from_pem of a cut key");
    EXPECT_FALSE(crypto::RsaKey::from_pem("not a PEM at all").ok());
    expect_openssl_queue_empty("from_pem of text");
    const Bytes der = {0x30, 0x82, 0x01, 0x22, 0x30, 0x0d, 0x06, 0x09};
    EXPECT_FALSE(crypto::RsaKey::public_from_der(der).ok());
    expect_openssl_queue_empty("public_from_der of a cut key");
    EXPECT_FALSE(crypto::RsaKey::private_from_der(der).ok());
    expect_openssl_queue_empty("private_from_der of a cut key");
}

}  // namespace
}  // namespace shakedown
