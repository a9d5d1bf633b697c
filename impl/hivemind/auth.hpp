// Handshake cryptography (docs/protocols/hivemind.md, "Password handshake" and "RSA handshake").
#pragma once

#include <string>
#include <string_view>

#include "common/bytes.hpp"
#include "common/crypto.hpp"
#include "common/result.hpp"
#include "common/rng.hpp"

namespace shakedown::hivemind {

inline constexpr std::uint32_t kPbkdf2Iterations = 100000;
inline constexpr std::size_t kEnvelopeHexLength = 48;
using Iv = ByteArray<8>;

// lowercase hex(IV || SHA-256(IV || utf8(password)))[:48].
[[nodiscard]] std::string password_envelope(std::string_view password, const Iv& iv);

struct EnvelopeRules {
    // The pinned upstream: any length 48..80, the IV from the first 16 characters (either case),
    // only the first 48 characters compared. Off: exactly 48 lowercase hex digits.
    bool lax = false;
};
// The peer's IV when `envelope` verifies under `password`. Strict errors: bad_length (not 48
// characters), decode_error at the first non-hex character, non_canonical at the first uppercase
// one, bad_credentials when the digest does not match.
[[nodiscard]] Result<Iv> verify_password_envelope(std::string_view envelope, std::string_view password,
                                                  const EnvelopeRules& rules = {});
[[nodiscard]] Iv xor_salt(const Iv& a, const Iv& b);
// PBKDF2-HMAC-SHA256(utf8(password), salt, iterations, 32).
[[nodiscard]] Result<SecretBytes> password_key(std::string_view password, const Iv& salt,
                                               std::uint32_t iterations = kPbkdf2Iterations);

// RSA mode: OAEP(SHA-1, MGF1-SHA1, empty label) of a 32-byte secret, PSS(SHA-256, MGF1-SHA256,
// 32-byte salt) over that ciphertext; envelope = lowercase hex(signature || ciphertext). Seeds and
// salts come from the injected Rng, so envelopes are reproducible.
inline constexpr std::size_t kRsaSecretSize = 32;
// OAEP with `hash` for both the label hash and MGF1 (the protocol uses SHA-1; others exist for
// adversarial envelopes).
[[nodiscard]] Result<Bytes> oaep_encrypt(const crypto::RsaKey& pub, crypto::Hash hash, ByteView label, ByteView message,
                                         Rng& rng);
[[nodiscard]] Result<Bytes> oaep_sha1_encrypt(const crypto::RsaKey& pub, ByteView message, Rng& rng);
[[nodiscard]] Result<Bytes> pss_sha256_sign(const crypto::RsaKey& priv, ByteView message, Rng& rng);
[[nodiscard]] Result<std::string> rsa_envelope(const crypto::RsaKey& signer, const crypto::RsaKey& recipient,
                                               ByteView secret, Rng& rng);

struct RsaEnvelopeRules {
    bool ignore_bad_signature = false;  // upstream: verify silently returns nothing
};
// The secret inside. Errors: bad_length (not 4 x modulus bytes of hex), decode_error /
// non_canonical for the hex, bad_signature for PSS, crypto_failure when OAEP decryption fails,
// bad_length when the secret is not 32 bytes.
[[nodiscard]] Result<SecretBytes> open_rsa_envelope(std::string_view envelope, const crypto::RsaKey& signer,
                                                    const crypto::RsaKey& recipient,
                                                    const RsaEnvelopeRules& rules = {});

// weak_key for a modulus under 2048 bits, an exponent other than an odd one >= 65537, or a
// modulus with a prime factor under 10000.
[[nodiscard]] Result<void> check_rsa_strength(const crypto::RsaKey& key);
// SubjectPublicKeyInfo PEM of a key (public part), as a server's HELLO carries it.
[[nodiscard]] std::string public_pem(const crypto::RsaKey& key);

}  // namespace shakedown::hivemind
