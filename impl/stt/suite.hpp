// The pluggable cipher suite of the STT handshake (docs/protocols/stt.md, "Cipher suite"):
// a digest for the HELLO commitment and an encryption keyed by the shared seed that returns
// (ciphertext, metadata). Upstream's STC cannot be reproduced; the reference suite is
// XChaCha20-Poly1305 keyed with HKDF-SHA256 over the shared seed, metadata = the 24-byte nonce.
#pragma once

#include <initializer_list>
#include <memory>
#include <string_view>

#include "common/bytes.hpp"
#include "common/result.hpp"
#include "common/rng.hpp"

namespace shakedown::stt {

inline constexpr std::size_t kXNonceSize = 24;
inline constexpr std::size_t kAeadTagSize = 16;

// XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha, libsodium's _ietf construction): 32-byte key,
// 24-byte nonce, ciphertext || 16-byte tag. open fails with bad_mac.
[[nodiscard]] Result<Bytes> xchacha20_poly1305_seal(ByteView key, ByteView nonce, ByteView aad, ByteView plaintext);
[[nodiscard]] Result<Bytes> xchacha20_poly1305_open(ByteView key, ByteView nonce, ByteView aad, ByteView sealed);

struct Sealed {
    Bytes ciphertext;
    Bytes metadata;
};

class CipherSuite {
public:
    virtual ~CipherSuite() = default;
    [[nodiscard]] virtual std::string_view name() const = 0;
    // The 32-byte digest of the parts' concatenation (the HELLO commitment's size).
    [[nodiscard]] virtual ByteArray<32> digest(std::initializer_list<ByteView> parts) const = 0;
    // Associated data is authenticated by suites that can (the reference does; STC cannot).
    [[nodiscard]] virtual Result<Sealed> encrypt(ByteView plaintext, ByteView aad, Rng& rng) const = 0;
    // Fails with bad_credentials when the ciphertext does not open under this suite's key.
    [[nodiscard]] virtual Result<Bytes> decrypt(ByteView ciphertext, ByteView metadata, ByteView aad) const = 0;
    // The key material a vector may show (empty for opaque suites).
    [[nodiscard]] virtual Bytes key_for_vectors() const { return {}; }
};

inline constexpr std::string_view kHandshakeKeyInfo = "STT v1 handshake key";

class ReferenceSuite final : public CipherSuite {
public:
    // key = HKDF-SHA256(salt = empty, ikm = shared_seed, info = "STT v1 handshake key", 32).
    explicit ReferenceSuite(ByteView shared_seed);
    [[nodiscard]] std::string_view name() const override { return "xchacha20poly1305-hkdf-sha256"; }
    [[nodiscard]] ByteArray<32> digest(std::initializer_list<ByteView> parts) const override;
    [[nodiscard]] Result<Sealed> encrypt(ByteView plaintext, ByteView aad, Rng& rng) const override;
    [[nodiscard]] Result<Bytes> decrypt(ByteView ciphertext, ByteView metadata, ByteView aad) const override;
    [[nodiscard]] Bytes key_for_vectors() const override { return {m_key.view().begin(), m_key.view().end()}; }

private:
    Secret<32> m_key;
};

}  // namespace shakedown::stt
