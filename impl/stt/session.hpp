// Key schedule and session data frames of the STT reference (docs/protocols/stt.md, "Key
// schedule" and "Session data frames"). The design document's XOR "session key" is computable by
// any observer (all four inputs travel in clear); the reference derives it with HKDF from the
// shared seed and both handshake transcripts, and keeps the XOR only behind a bug knob.
#pragma once

#include <cstdint>

#include "common/bytes.hpp"
#include "common/machine.hpp"
#include "common/result.hpp"
#include "common/rng.hpp"
#include "stt/frame.hpp"
#include "stt/quirks.hpp"

namespace shakedown::stt {

inline constexpr std::string_view kChallengeLabel = "STT v1 challenge";
inline constexpr std::string_view kProofLabel = "STT v1 proof";
inline constexpr std::string_view kSessionKeyInfo = "STT v1 session key";
inline constexpr std::string_view kDataKeyI2R = "STT v1 data initiator to responder";
inline constexpr std::string_view kDataKeyR2I = "STT v1 data responder to initiator";

// session_id = the first 8 bytes of nonce_I XOR nonce_R (over the shorter of the two when a
// knob lets short nonces through).
struct SessionId {
    ByteArray<8> bytes{};
    std::size_t size = 0;
    [[nodiscard]] ByteView view() const noexcept { return ByteView(bytes).first(size); }
};
[[nodiscard]] SessionId compute_session_id(ByteView nonce_i, ByteView nonce_r);
// Associated data of the challenge: label || u32be(len HELLO) || HELLO (TLV bytes).
[[nodiscard]] Bytes challenge_aad(ByteView hello_tlv);
// Associated data of the proof: label || u32be(len HELLO) || HELLO || u32be(len RESPONSE) ||
// RESPONSE || i64be(AUTH_PROOF timestamp), so no field of AUTH_PROOF travels unauthenticated.
[[nodiscard]] Bytes proof_aad(ByteView hello_tlv, ByteView response_tlv, std::int64_t auth_timestamp_ms);
// The same two written over `out`, whose room is reused.
void challenge_aad(Bytes& out, ByteView hello_tlv);
void proof_aad(Bytes& out, ByteView hello_tlv, ByteView response_tlv, std::int64_t auth_timestamp_ms);
// The length of proof_aad() over TLVs of these sizes.
[[nodiscard]] std::size_t proof_aad_size(std::size_t hello_tlv_size, std::size_t response_tlv_size);
// SHA-256(u32be(len HELLO) || HELLO || u32be(len RESPONSE) || RESPONSE).
[[nodiscard]] ByteArray<32> transcript_hash(ByteView hello_tlv, ByteView response_tlv);
// HKDF-SHA256(salt = transcript hash, ikm = shared seed, info = "STT v1 session key", 32).
[[nodiscard]] Secret<32> derive_session_key(ByteView shared_seed, ByteView transcript);
// The document's derivation, for the xor-session-key knob only: nonce_I ^ nonce_R ^ id_I ^ id_R.
[[nodiscard]] Secret<32> xor_session_key(ByteView nonce_i, ByteView nonce_r, ByteView id_i, ByteView id_r);

struct DataKeys {
    Secret<32> initiator_to_responder;
    Secret<32> responder_to_initiator;
};
// HKDF-Expand(PRK = session key, info = direction label, 32) for each direction.
[[nodiscard]] DataKeys derive_data_keys(const Secret<32>& session_key);

struct OpenedFrame {
    FrameHeader header;
    Bytes payload;
};

// One direction pair of session data frames. seal: header {type 0x01, flags 0, session id,
// sequence, timestamp, stream}, metadata = a fresh 24-byte XChaCha20 nonce, payload =
// XChaCha20-Poly1305(direction key, nonce, aad = the 30-byte header, plaintext).
// open checks, in order: frame syntax, type (unexpected_message), flags (bad_flags), session id
// (unexpected_message), metadata size (bad_length), the tag (bad_mac), then the sequence
// (bad_sequence unless it is at least the next expected one; gaps are loss, not attacks).
class SessionChannel {
public:
    SessionChannel(Role role, const Secret<32>& session_key, ByteView session_id, const Quirks& quirks);

    [[nodiscard]] Result<Bytes> seal(ByteView plaintext, std::uint32_t stream_id, std::uint64_t timestamp_ms, Rng& rng);
    [[nodiscard]] Result<OpenedFrame> open(ByteView datagram);

    [[nodiscard]] std::uint64_t send_sequence() const noexcept { return m_send_seq; }
    // The lowest sequence number open() still accepts (0 before the first frame).
    [[nodiscard]] std::uint64_t receive_next() const noexcept { return m_received_any ? m_recv_last + 1 : 0; }
    [[nodiscard]] const ByteArray<8>& session_id() const noexcept { return m_session_id; }

private:
    Secret<32> m_send_key;
    Secret<32> m_recv_key;
    ByteArray<8> m_session_id{};
    Quirks m_quirks;
    std::uint64_t m_send_seq = 0;
    std::uint64_t m_recv_last = 0;
    bool m_received_any = false;
};

}  // namespace shakedown::stt
