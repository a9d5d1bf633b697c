// The four STT handshake messages as TLV dicts (docs/protocols/stt.md, "Messages"). Each parser
// takes a decoded TLV value and checks its shape strictly: exactly the listed keys, each of the
// listed type, fixed-size fields at their size. Errors point at the offending value's tag.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <variant>

#include "stt/tlv.hpp"

namespace shakedown::stt {

inline constexpr std::size_t kNodeIdSize = 32;
inline constexpr std::size_t kNonceSize = 32;
inline constexpr std::size_t kSessionIdSize = 8;

// `type` values. The design document names the fourth message SUCCESS; the wire says FINAL.
inline constexpr std::string_view kHello = "HELLO";
inline constexpr std::string_view kResponse = "RESPONSE";
inline constexpr std::string_view kAuthProof = "AUTH_PROOF";
inline constexpr std::string_view kFinal = "FINAL";

struct Hello {
    Bytes node_id;
    Bytes nonce;
    std::int64_t timestamp_ms = 0;
    Bytes commitment;
    friend bool operator==(const Hello&, const Hello&) = default;
};

struct Response {
    Bytes node_id;
    Bytes nonce;
    Bytes challenge;
    Bytes challenge_metadata;
    std::int64_t timestamp_ms = 0;
    friend bool operator==(const Response&, const Response&) = default;
};

struct AuthProof {
    Bytes session_id;
    Bytes proof;
    Bytes proof_metadata;
    std::int64_t timestamp_ms = 0;
    friend bool operator==(const AuthProof&, const AuthProof&) = default;
};

struct Final {
    Bytes session_id;
    std::int64_t timestamp_ms = 0;
    friend bool operator==(const Final&, const Final&) = default;
};

using Message = std::variant<Hello, Response, AuthProof, Final>;

// The same messages with their byte fields as views into the parsed input.
struct HelloView {
    ByteView node_id;
    ByteView nonce;
    std::int64_t timestamp_ms = 0;
    ByteView commitment;
};
struct ResponseView {
    ByteView node_id;
    ByteView nonce;
    ByteView challenge;
    ByteView challenge_metadata;
    std::int64_t timestamp_ms = 0;
};
struct AuthProofView {
    ByteView session_id;
    ByteView proof;
    ByteView proof_metadata;
    std::int64_t timestamp_ms = 0;
};
struct FinalView {
    ByteView session_id;
    std::int64_t timestamp_ms = 0;
};
using MessageView = std::variant<HelloView, ResponseView, AuthProofView, FinalView>;

[[nodiscard]] std::string_view message_name(const Message& m) noexcept;

struct MessageOptions {
    TlvLimits limits;
    TlvLeniency leniency;
    // Reference: node_id and nonce exactly 32 bytes, session_id exactly 8. Upstream checks none.
    bool check_lengths = true;
    // Reference: exactly the listed keys. Upstream ignores keys it does not read.
    bool reject_unknown_keys = true;
};

[[nodiscard]] Value to_value(const Message& m);
[[nodiscard]] Bytes serialize(const Message& m);
[[nodiscard]] Bytes serialize(const MessageView& m);
// The size of serialize(m), and serialize(m) written into room of exactly that size.
[[nodiscard]] std::size_t serialized_size(const MessageView& m);
void serialize_into(const MessageView& m, std::span<std::uint8_t> out);
// Views of m's fields (valid while m lives).
[[nodiscard]] MessageView view_of(const Message& m);

// Decodes TLV bytes into a message. Errors: the TLV decoder's, then decode_error (not a dict,
// missing key, wrong value type, unknown key), unknown_type (unknown `type` string), bad_length
// (node_id/nonce/session_id of the wrong size).
[[nodiscard]] Result<Message> parse_message(ByteView tlv, const MessageOptions& options = {});
// parse_message without copying: the same checks and errors; the views point into `tlv`.
[[nodiscard]] Result<MessageView> parse_message_view(ByteView tlv, const MessageOptions& options = {});
// The same, into `out` (left unspecified on failure), without the copies of a returned message.
[[nodiscard]] Result<void> parse_message_view(ByteView tlv, MessageView& out, const MessageOptions& options = {});
[[nodiscard]] Result<Message> message_from_value(const Value& v, const MessageOptions& options = {});

}  // namespace shakedown::stt
