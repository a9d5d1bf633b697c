// The SFT record (docs/protocols/sft.md §3.3, §5): a 65-byte header, then payload_len bytes of
// AES-256-GCM ciphertext; AAD = header[0:49] as on the wire. Checks run in the deployed order:
// V8 magic and V9 length on the header alone (before any payload byte is buffered), then V10
// version, V11 key id, V12 tag, V13 payload type once the payload is in.
#pragma once

#include <optional>

#include "common/bytes.hpp"
#include "common/result.hpp"
#include "sft/keys.hpp"
#include "sft/profile.hpp"

namespace shakedown::sft {

enum class PayloadType : std::uint8_t { json = 1, data = 2 };

inline constexpr ByteArray<4> kMagic = {0x53, 0x46, 0x54, 0x50};  // "SFTP"

struct RecordHeader {
    ByteArray<4> magic = kMagic;
    std::uint32_t version = kRecordVersion;
    std::uint8_t payload_type = 1;
    std::uint64_t offset = 0;
    std::uint32_t payload_len = 0;
    ByteArray<16> key_id{};
    ByteArray<12> nonce{};
    ByteArray<16> tag{};
    friend bool operator==(const RecordHeader&, const RecordHeader&) = default;
};

[[nodiscard]] Bytes serialize(const RecordHeader& h);
// Exactly 65 bytes; checks V8 (magic) and V9 (0 < payload_len <= 10 MiB) only.
[[nodiscard]] Result<RecordHeader> parse_record_header(ByteView b);

// The key material a receiver accepts records under (V11).
struct RecordKey {
    Profile profile = Profile::upstream_v2;
    Secret<32> aes_key;
    ByteArray<16> key_id{};
};

struct OpenedRecord {
    RecordHeader header;
    PayloadType type = PayloadType::json;
    Bytes plaintext;
};

// Seals plaintext under key with the given nonce; the header's offset is 0 for JSON.
[[nodiscard]] Bytes seal_record(const RecordKey& key, PayloadType type, std::uint64_t offset,
                                const ByteArray<12>& nonce, ByteView plaintext);
// V10..V13 on a header that passed parse_record_header and its payload_len ciphertext bytes.
[[nodiscard]] Result<OpenedRecord> open_payload(const RecordKey& key, const RecordHeader& h, ByteView header_bytes,
                                                ByteView ciphertext);
// A whole record: header, exactly payload_len bytes, nothing after.
[[nodiscard]] Result<OpenedRecord> open_record(const RecordKey& key, ByteView record);

}  // namespace shakedown::sft
