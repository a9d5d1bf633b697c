// Crypto facade: every primitive any variant uses, over libsodium (X25519, Ed25519, SHA-256,
// HMAC, HKDF) and OpenSSL 3 (PBKDF2, AES-GCM, ChaCha20-Poly1305, RSA-OAEP, RSA-PSS).
// Nothing here throws; secrets come back in wiping containers.
#pragma once

#include <initializer_list>
#include <memory>
#include <span>
#include <string>

#include "common/bytes.hpp"
#include "common/result.hpp"

struct evp_md_st;  // OpenSSL's EVP_MD

namespace shakedown::crypto {

// Initializes libsodium once; every facade call does this itself, so calling it is optional.
void ensure_initialized();

using Digest = ByteArray<32>;

[[nodiscard]] Digest sha256(ByteView data);
[[nodiscard]] Digest sha256(std::initializer_list<ByteView> parts);

[[nodiscard]] Digest hmac_sha256(ByteView key, ByteView data);
[[nodiscard]] Digest hmac_sha256(ByteView key, std::initializer_list<ByteView> parts);
// Constant-time check of a (possibly truncated, at least 1 byte) tag.
[[nodiscard]] bool hmac_sha256_verify(ByteView key, ByteView data, ByteView tag);

// RFC 5869 with SHA-256. expand fails with invalid_argument for length > 255 * 32.
[[nodiscard]] Digest hkdf_extract(ByteView salt, ByteView ikm);
[[nodiscard]] Result<Bytes> hkdf_expand(ByteView prk, ByteView info, std::size_t length);
[[nodiscard]] Result<Bytes> hkdf(ByteView salt, ByteView ikm, ByteView info, std::size_t length);

// X25519 (RFC 7748). x25519() fails with weak_key when the shared secret is all zero
// (a zero or low-order peer key), as libsodium's crypto_scalarmult reports.
[[nodiscard]] ByteArray<32> x25519_public(const Secret<32>& secret);
[[nodiscard]] Result<Secret<32>> x25519(const Secret<32>& secret, ByteView peer_public);

// Ed25519 (RFC 8032) with libsodium's verification rules (canonical S, no small-order A or R).
struct Ed25519KeyPair {
    ByteArray<32> public_key{};
    Secret<64> secret_key;  // libsodium layout: seed || public key
};
[[nodiscard]] Ed25519KeyPair ed25519_from_seed(const ByteArray<32>& seed);
[[nodiscard]] ByteArray<64> ed25519_sign(const Ed25519KeyPair& key, ByteView message);
// False for a signature that is not exactly 64 bytes or a public key that is not 32 bytes.
[[nodiscard]] bool ed25519_verify(ByteView public_key, ByteView message, ByteView signature);

enum class Hash : std::uint8_t { sha1, sha224, sha256, sha384, sha512 };

// OpenSSL's implementation of `h`, fetched once per process (OpenSSL 3 fetches EVP_sha1() and the
// like again on every use), for the facade and for a scheme that drives OpenSSL's digests itself
// (a hand-padded RSA scheme's MGF1). Held for the life of the process.
[[nodiscard]] const evp_md_st* openssl_digest(Hash h);

[[nodiscard]] Result<Bytes> pbkdf2_hmac(Hash hash, ByteView password, ByteView salt, std::uint32_t iterations,
                                        std::size_t length);

// AEADs return ciphertext || tag; open verifies the tag in constant time (bad_mac on mismatch).
// AES-GCM takes 128/192/256-bit keys and IVs of 1 to 128 bytes (12 and 16 are used by variants);
// OpenSSL 3 refuses longer GCM IVs, so they fail with invalid_argument like an empty one. A 256-bit
// key with a 12-byte IV and a 16-byte tag runs on libsodium's AES-NI code when the CPU has AES-NI
// and PCLMULQDQ, and on OpenSSL otherwise; the results are the same bytes.
[[nodiscard]] Result<Bytes> aes_gcm_seal(ByteView key, ByteView iv, ByteView aad, ByteView plaintext,
                                         std::size_t tag_len = 16);
[[nodiscard]] Result<Bytes> aes_gcm_open(ByteView key, ByteView iv, ByteView aad, ByteView sealed,
                                         std::size_t tag_len = 16);
// The same AES-GCM into the caller's buffers, for a layer that frames its own records: seal writes
// plaintext.size() bytes of ciphertext to `ciphertext` and tag.size() (1 to 16) bytes of tag to
// `tag`; open checks `tag` and writes ciphertext.size() bytes to `plaintext`, which it wipes when the
// tag does not verify (bad_mac). An output must be exactly its input's size, and either be that
// input (in place) or overlap no input; aes_gcm_seal and aes_gcm_open run through these.
[[nodiscard]] Result<void> aes_gcm_seal_into(ByteView key, ByteView iv, ByteView aad, ByteView plaintext,
                                             std::span<std::uint8_t> ciphertext, std::span<std::uint8_t> tag);
[[nodiscard]] Result<void> aes_gcm_open_into(ByteView key, ByteView iv, ByteView aad, ByteView ciphertext,
                                             ByteView tag, std::span<std::uint8_t> plaintext);
// ChaCha20-Poly1305 (RFC 8439): 32-byte key, 12-byte nonce, 16-byte tag.
[[nodiscard]] Result<Bytes> chacha20_poly1305_seal(ByteView key, ByteView nonce, ByteView aad, ByteView plaintext);
[[nodiscard]] Result<Bytes> chacha20_poly1305_open(ByteView key, ByteView nonce, ByteView aad, ByteView sealed);

// RSA keys (OpenSSL EVP_PKEY underneath). Loaders accept DER (SubjectPublicKeyInfo / PKCS#8)
// or PEM.
class RsaKey {
public:
    RsaKey();
    ~RsaKey();
    RsaKey(RsaKey&&) noexcept;
    RsaKey& operator=(RsaKey&&) noexcept;
    RsaKey(const RsaKey&) = delete;
    RsaKey& operator=(const RsaKey&) = delete;

    [[nodiscard]] static Result<RsaKey> public_from_der(ByteView der);
    [[nodiscard]] static Result<RsaKey> private_from_der(ByteView der);
    [[nodiscard]] static Result<RsaKey> from_pem(std::string_view pem);
    [[nodiscard]] bool has_private() const noexcept { return m_private; }
    [[nodiscard]] std::size_t modulus_bytes() const;
    [[nodiscard]] void* native() const noexcept { return m_pkey; }

private:
    friend class RsaKeyBuilder;
    void* m_pkey = nullptr;
    bool m_private = false;
};

// OAEP encryption draws its seed from OpenSSL's RNG (it is not part of any vector).
[[nodiscard]] Result<Bytes> rsa_oaep_encrypt(const RsaKey& key, Hash hash, Hash mgf1, ByteView label,
                                             ByteView message);
[[nodiscard]] Result<Bytes> rsa_oaep_decrypt(const RsaKey& key, Hash hash, Hash mgf1, ByteView label,
                                             ByteView ciphertext);
[[nodiscard]] Result<Bytes> rsa_pss_sign(const RsaKey& key, Hash hash, Hash mgf1, int salt_len, ByteView message);
[[nodiscard]] bool rsa_pss_verify(const RsaKey& key, Hash hash, Hash mgf1, int salt_len, ByteView message,
                                  ByteView signature);

#if defined(SHAKEDOWN_FUZZ_MEMO_CRYPTO)
// Fuzz builds only (impl/common/crypto.cpp, the crypto memo): `ciphertext` is the RSA-OAEP
// encryption of `message` under `key`'s public half, just made (by the facade, or by a scheme that
// pads by hand). A decryption of exactly these bytes with the private half then finds `message`
// without the private-key operation; a ciphertext that differs in any bit is decrypted.
void fuzz_remember_oaep_decryption(const RsaKey& key, Hash hash, Hash mgf1, ByteView label, ByteView ciphertext,
                                   ByteView message);
#endif

// Textbook RSA (no padding) on a block of the modulus size, for a scheme that pads by hand: the
// public operation, or the private one (which needs a private key).
[[nodiscard]] Result<Bytes> rsa_raw(const RsaKey& key, ByteView block, bool private_op);
// The public half as DER (SubjectPublicKeyInfo) and as PEM ("BEGIN PUBLIC KEY").
[[nodiscard]] Bytes rsa_public_der(const RsaKey& key);
[[nodiscard]] std::string rsa_public_pem(const RsaKey& key);

// What a weak-key check needs to know about a public key.
struct RsaPublicFacts {
    std::size_t modulus_bits = 0;
    bool exponent_weak = false;   // even, or below 65537
    bool small_factor = false;    // the modulus has a prime factor below kRsaSmallPrimeBound
    bool readable = true;         // false: the parameters could not be read (nothing else is set)
};
inline constexpr unsigned kRsaSmallPrimeBound = 10000;
[[nodiscard]] RsaPublicFacts rsa_public_facts(const RsaKey& key);

}  // namespace shakedown::crypto
