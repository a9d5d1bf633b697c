// ShadowMesh wire format: the 8-byte frame header, the message type registry, and the payloads of
// the direct-P2P re-handshake (docs/protocols/shadowmesh.md §2, §3). Two codec modes, one per
// profile: `strict` (exact sizes, version 1, flags 0, nothing after the payload) and `upstream`
// (the deployed decoder: a longer Length and bytes after it are ignored, Flags are ignored).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <variant>

#include "common/bytes.hpp"
#include "common/result.hpp"

namespace shakedown::shadowmesh {

enum class Profile : std::uint8_t { strict, upstream };
[[nodiscard]] std::string_view to_string(Profile p) noexcept;
[[nodiscard]] std::optional<Profile> profile_from_string(std::string_view s) noexcept;

inline constexpr std::uint8_t kProtocolVersion = 0x01;
inline constexpr std::size_t kHeaderSize = 8;
inline constexpr std::uint32_t kMaxMessageSize = 65535;
inline constexpr std::size_t kSessionIdSize = 16;
inline constexpr std::size_t kChallengeSize = 32;
inline constexpr std::size_t kMacSize = 32;
inline constexpr std::uint32_t kRequestSize = 56;
inline constexpr std::uint32_t kResponseSize = 88;
inline constexpr std::uint32_t kCompleteSize = 56;
inline constexpr std::size_t kRequestFrameSize = kHeaderSize + kRequestSize;
inline constexpr std::size_t kResponseFrameSize = kHeaderSize + kResponseSize;
inline constexpr std::size_t kCompleteFrameSize = kHeaderSize + kCompleteSize;
inline constexpr std::uint16_t kFlagKeyRotation = 0x0001;

enum class MessageType : std::uint8_t {
    hello = 0x01,
    challenge = 0x02,
    response = 0x03,
    established = 0x04,
    heartbeat = 0x05,
    heartbeat_ack = 0x06,
    error = 0x0E,
    close = 0x0F,
    data_frame = 0x10,
    multi_hop = 0x11,
    config_update = 0x20,
    stats_request = 0x21,
    stats_response = 0x22,
    rehandshake_request = 0x30,
    rehandshake_response = 0x31,
    rehandshake_complete = 0x32,
};

// One row of the type registry (docs/protocols/shadowmesh.md §3.1).
struct TypeInfo {
    MessageType type;
    std::string_view name;
    bool has_codec;            // false: the deployed decoder fails on it (no layout defined)
    std::uint32_t min_payload; // smallest payload the deployed decoder accepts
    bool validate_listed;      // listed by the deployed ValidateMessageType
};
[[nodiscard]] std::optional<TypeInfo> type_info(std::uint8_t id) noexcept;
[[nodiscard]] std::string_view type_name(std::uint8_t id) noexcept;
// The deployed ValidateMessageType: known IDs pass except 0x30-0x32, which it never lists (X21).
[[nodiscard]] Result<void> validate_message_type_upstream(std::uint8_t id);
// What a correct registry says: every ID with a defined layout, including 0x30-0x32.
[[nodiscard]] Result<void> validate_message_type_strict(std::uint8_t id);

// Close reasons and error codes of the registry.
inline constexpr std::uint16_t kCloseNormal = 0x0000;
inline constexpr std::uint16_t kCloseIdleTimeout = 0x0001;
inline constexpr std::uint16_t kCloseAdministrative = 0x0002;
inline constexpr std::uint16_t kCloseProtocolViolation = 0x0003;

struct Header {
    std::uint8_t version = kProtocolVersion;
    std::uint8_t type = 0;
    std::uint16_t flags = 0;
    std::uint32_t length = 0;
    friend bool operator==(const Header&, const Header&) = default;
};

using SessionId = ByteArray<kSessionIdSize>;
using Challenge = ByteArray<kChallengeSize>;
using Mac = ByteArray<kMacSize>;

struct RehandshakeRequest {
    SessionId session_id{};
    Challenge challenge{};
    std::uint64_t timestamp_ms = 0;
    friend bool operator==(const RehandshakeRequest&, const RehandshakeRequest&) = default;
};

struct RehandshakeResponse {
    SessionId session_id{};
    Mac challenge_response{};
    Challenge challenge{};
    std::uint64_t timestamp_ms = 0;
    friend bool operator==(const RehandshakeResponse&, const RehandshakeResponse&) = default;
};

struct RehandshakeComplete {
    SessionId session_id{};
    Mac challenge_response{};
    std::uint64_t timestamp_ms = 0;
    friend bool operator==(const RehandshakeComplete&, const RehandshakeComplete&) = default;
};

// CLOSE and ERROR: a u16 (reason or code) followed by free text to the end of the payload.
struct CloseMsg {
    std::uint16_t reason = kCloseNormal;
    Bytes text;
    friend bool operator==(const CloseMsg&, const CloseMsg&) = default;
};
struct ErrorMsg {
    std::uint16_t code = 0;
    Bytes text;
    friend bool operator==(const ErrorMsg&, const ErrorMsg&) = default;
};

// Any other registered type with a codec (relay handshake, heartbeats, data): recognised, its
// payload kept opaque. Enough to tell "wrong message now" from "undecodable".
struct OtherMsg {
    MessageType type = MessageType::heartbeat;
    Bytes payload;
    friend bool operator==(const OtherMsg&, const OtherMsg&) = default;
};

using Message = std::variant<RehandshakeRequest, RehandshakeResponse, RehandshakeComplete, CloseMsg, ErrorMsg,
                             OtherMsg>;
[[nodiscard]] MessageType type_of(const Message& m) noexcept;

struct Frame {
    Header header;
    Message message;
    friend bool operator==(const Frame&, const Frame&) = default;
};

// The header alone: exactly 8 bytes, fields read as they are (no rule applied).
[[nodiscard]] Result<Header> parse_header(ByteView bytes);
[[nodiscard]] Bytes serialize_header(const Header& h);

// Payload parsers. `base` is the offset of the payload in the enclosing frame (error offsets
// count from the start of the frame). strict: every byte consumed; upstream: bytes after the
// fixed fields are ignored.
[[nodiscard]] Result<RehandshakeRequest> parse_request(ByteView payload, Profile p, std::size_t base = kHeaderSize);
[[nodiscard]] Result<RehandshakeResponse> parse_response(ByteView payload, Profile p, std::size_t base = kHeaderSize);
[[nodiscard]] Result<RehandshakeComplete> parse_complete(ByteView payload, Profile p, std::size_t base = kHeaderSize);
[[nodiscard]] Result<CloseMsg> parse_close(ByteView payload, std::size_t base = kHeaderSize);
[[nodiscard]] Result<ErrorMsg> parse_error(ByteView payload, std::size_t base = kHeaderSize);

[[nodiscard]] Bytes serialize_payload(const Message& m);
// Header (Length filled with the real payload size, as EncodeMessage does) followed by the payload.
[[nodiscard]] Bytes encode_frame(const Message& m, std::uint16_t flags = 0);
// The same frames of the re-handshake messages, written in place into room of their exact size.
void encode_frame_into(const RehandshakeRequest& m, std::span<std::uint8_t, kRequestFrameSize> out,
                       std::uint16_t flags = 0);
void encode_frame_into(const RehandshakeResponse& m, std::span<std::uint8_t, kResponseFrameSize> out,
                       std::uint16_t flags = 0);
void encode_frame_into(const RehandshakeComplete& m, std::span<std::uint8_t, kCompleteFrameSize> out,
                       std::uint16_t flags = 0);

// One WebSocket binary message as a frame (docs/protocols/shadowmesh.md §2, validation order).
[[nodiscard]] Result<Frame> decode_frame(ByteView wire, Profile p);

}  // namespace shakedown::shadowmesh
