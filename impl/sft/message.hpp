// SFT JSON messages (docs/protocols/sft.md §3.4): the envelope {type, version, timestamp,
// payload, seq[, signature]}, its optional HMAC, the naive local-time timestamp, and one strict
// parser per payload.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/bytes.hpp"
#include "common/result.hpp"
#include "sft/json.hpp"

namespace shakedown::sft {

enum class MsgType : std::uint8_t {
    key_rotation,
    ping,
    pong,
    auth,
    file_header,
    file_resume_ack,
    file_complete,
    file_ack,
    list_files_request,
    list_files_response,
    download_file_request,
};
inline constexpr std::size_t kMsgTypeCount = 11;
[[nodiscard]] std::string_view to_string(MsgType t) noexcept;
[[nodiscard]] std::optional<MsgType> msg_type_from_string(std::string_view s) noexcept;

struct Message {
    MsgType type = MsgType::ping;
    std::string version{"2.0.1"};
    std::string timestamp;
    json::Value payload = json::Value::make_object({});
    std::int64_t seq = 0;
    bool seq_is_float = false;  // only with the accept-float-seq knob
    std::optional<std::string> signature;
    friend bool operator==(const Message&, const Message&) = default;
};

// The envelope in wire (insertion) order; the signature is included when present and asked for.
[[nodiscard]] json::Value to_json(const Message& m, bool with_signature = true);
// json.dumps(msg): the record plaintext.
[[nodiscard]] std::string wire_json(const Message& m);
// wire_json(m) written over `out` (cleared first; its capacity is kept).
void wire_json_into(std::string& out, const Message& m);
// json.dumps(msg without signature, sort_keys=True): the HMAC input J.
[[nodiscard]] std::string hmac_input(const Message& m);
// hmac_input(m) written over `out` (cleared first; its capacity is kept).
void hmac_input_into(std::string& out, const Message& m);
[[nodiscard]] std::string compute_signature(const Message& m, ByteView hmac_key);
void sign(Message& m, ByteView hmac_key);

struct EnvelopeOptions {
    bool accept_float_seq = false;
};
// J3 (docs/protocols/sft.md §6): UTF-8, JSON, an object with exactly the envelope keys of the
// right types, a known type. Offsets are into `plaintext`.
[[nodiscard]] Result<Message> parse_message(ByteView plaintext, const EnvelopeOptions& opts = {});
// J5: signature present (unless allowed absent), 64 lowercase hex, equal to the HMAC over J.
[[nodiscard]] Result<void> check_signature(const Message& m, ByteView hmac_key, bool allow_absent);

// Timestamps. The envelope carries naive local time; local = unix + utc_offset_seconds.
[[nodiscard]] std::string format_local_timestamp(std::int64_t unix_seconds, std::int64_t utc_offset_seconds);
// "YYYY-MM-DDTHH:MM:SSZ" (UTC), used inside file_header.
[[nodiscard]] std::string format_utc_timestamp(std::int64_t unix_seconds);
// YYYY-MM-DDTHH:MM:SS with optional .ffffff and no zone; microseconds since the (naive) epoch.
[[nodiscard]] Result<std::int64_t> parse_naive_timestamp(std::string_view s);
// J6: |now_local - ts| <= 300 s.
[[nodiscard]] Result<void> check_timestamp(std::string_view ts, std::int64_t now_unix, std::int64_t utc_offset_seconds);

// Payloads (docs/protocols/sft.md §3.4). Parsers refuse unknown keys and wrong types.
struct FileHeader {
    std::string filename;
    std::int64_t total_size = 0;
    std::string hash;       // SHA-256, 64 lowercase hex
    std::string timestamp;  // YYYY-MM-DDTHH:MM:SSZ
    friend bool operator==(const FileHeader&, const FileHeader&) = default;
};
struct FileResumeAck {
    std::string filename;
    std::int64_t offset = 0;
    friend bool operator==(const FileResumeAck&, const FileResumeAck&) = default;
};
struct FileComplete {
    std::string filename;
    std::optional<std::int64_t> total_size;  // exactly one of total_size and error
    std::optional<std::string> error;
    friend bool operator==(const FileComplete&, const FileComplete&) = default;
};
struct FileAck {
    std::optional<std::string> filename;  // at least one of the two
    std::optional<std::string> error;
    friend bool operator==(const FileAck&, const FileAck&) = default;
};
struct FileEntry {
    std::string name;
    std::int64_t size = 0;
    friend bool operator==(const FileEntry&, const FileEntry&) = default;
};
struct ListFilesResponse {
    std::vector<FileEntry> files;
    std::optional<std::string> error;
    friend bool operator==(const ListFilesResponse&, const ListFilesResponse&) = default;
};
struct DownloadFileRequest {
    std::string filename;
    friend bool operator==(const DownloadFileRequest&, const DownloadFileRequest&) = default;
};

[[nodiscard]] json::Value to_json(const FileHeader& p);
[[nodiscard]] json::Value to_json(const FileResumeAck& p);
[[nodiscard]] json::Value to_json(const FileComplete& p);
[[nodiscard]] json::Value to_json(const FileAck& p);
[[nodiscard]] json::Value to_json(const ListFilesResponse& p);
[[nodiscard]] json::Value to_json(const DownloadFileRequest& p);

[[nodiscard]] Result<FileHeader> parse_file_header(const json::Value& v);
[[nodiscard]] Result<FileResumeAck> parse_file_resume_ack(const json::Value& v);
[[nodiscard]] Result<FileComplete> parse_file_complete(const json::Value& v);
[[nodiscard]] Result<FileAck> parse_file_ack(const json::Value& v);
[[nodiscard]] Result<ListFilesResponse> parse_list_files_response(const json::Value& v);
[[nodiscard]] Result<DownloadFileRequest> parse_download_file_request(const json::Value& v);
// ping, pong, list_files_request: {}.
[[nodiscard]] Result<void> parse_empty_payload(const json::Value& v);
// Every payload of a type the reference handles, by its type; key_rotation and auth accept any object.
[[nodiscard]] Result<void> check_payload(MsgType t, const json::Value& v);

}  // namespace shakedown::sft
