// SFT key schedule (docs/protocols/sft.md §4): X25519, the signed transcript and salt of each
// profile, PBKDF2-HMAC-SHA256 (600,000 iterations, 64 bytes) split into hmac_key || aes_key, the
// key id, and the upstream-v2 AUTH_OK key confirmation.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <utility>

#include "common/bytes.hpp"
#include "common/crypto.hpp"
#include "common/result.hpp"
#include "sft/handshake_messages.hpp"
#include "sft/profile.hpp"

namespace shakedown::sft {

struct SessionKeys {
    Secret<32> hmac_key;
    Secret<32> aes_key;
    // upstream-v2: 16 ASCII hex characters; described: 16 raw digest bytes.
    ByteArray<16> key_id{};
};

// PBKDF2 is the expensive step (~0.3 s). The machines take it through this interface so a test
// run, the vector generator or a benchmark can share one derivation per distinct input.
class Deriver {
public:
    virtual ~Deriver() = default;
    [[nodiscard]] virtual Result<Secret<64>> derive(ByteView shared_secret, ByteView salt) = 0;
};

class DirectDeriver final : public Deriver {
public:
    [[nodiscard]] Result<Secret<64>> derive(ByteView shared_secret, ByteView salt) override;
};

// Computes each distinct (shared secret, salt) once per process and answers repeats from memory.
// Thread-safe. Still a real PBKDF2: nothing is precomputed or skipped.
class CachingDeriver final : public Deriver {
public:
    [[nodiscard]] Result<Secret<64>> derive(ByteView shared_secret, ByteView salt) override;
    [[nodiscard]] std::size_t computed() const;
    // One process-wide instance for tests and tools.
    [[nodiscard]] static CachingDeriver& shared();

private:
    mutable std::mutex m_mutex;
    std::map<std::pair<Bytes, Bytes>, Secret<64>> m_cache;
};

// The all-zero shared-secret check (weak_key) is the only key validation: it covers every
// zero or low-order encoding, with and without bit 255 (docs/protocols/sft.md §4.1).
[[nodiscard]] Result<Secret<32>> shared_secret(const Secret<32>& own_eph_secret, ByteView peer_eph_public);

[[nodiscard]] Bytes kdf_salt(Profile p, const ByteArray<32>& server_eph, const ByteArray<32>& client_eph);
[[nodiscard]] Bytes signed_transcript(Profile p, const ByteArray<32>& client_eph, const ByteArray<32>& server_eph,
                                      const ByteArray<32>& server_id);
[[nodiscard]] ByteArray<16> key_id(Profile p, const Secret<32>& aes_key);
[[nodiscard]] Result<SessionKeys> derive_session_keys(Profile p, const Secret<32>& shared, const ByteArray<32>& server_eph,
                                                      const ByteArray<32>& client_eph, Deriver& deriver);

// H3/H4 body: AES-256-GCM(aes_key, nonce, "AUTH_OK", no AAD).
[[nodiscard]] Confirm seal_confirm(const Secret<32>& aes_key, const ByteArray<12>& nonce);
// bad_mac when the tag fails, unexpected_message when it decrypts to anything but AUTH_OK.
[[nodiscard]] Result<void> open_confirm(const Secret<32>& aes_key, const Confirm& c, std::size_t offset = 0);

}  // namespace shakedown::sft
