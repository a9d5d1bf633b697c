// The binarized frame (docs/protocols/hivemind.md, "Binarized frames"): a bit string, most
// significant bit first, padded with leading zero bits to whole bytes.
//   [pad zeros] 1 | versioned:1 [version:8] | type:5 | compressed:1 | meta_len:8 | meta bytes
//   | [binary_type:4 when type is BINARY] | payload (zlib when compressed)
#pragma once

#include <optional>
#include <string_view>

#include "common/bytes.hpp"
#include "common/result.hpp"

namespace shakedown::hivemind {

enum class FrameType : std::uint8_t {
    handshake = 0, bus = 1, shared_bus = 2, broadcast = 3, propagate = 4, escalate = 5, hello = 6,
    query = 7, cascade = 8, ping = 9, rendezvous = 10, thirdprty = 11, binary = 12,
};
inline constexpr std::uint8_t kFrameTypeCount = 13;
// HiveMessage msg_type strings for each frame type ("shake" for HANDSHAKE).
[[nodiscard]] std::string_view msg_type_name(FrameType t) noexcept;
[[nodiscard]] std::optional<FrameType> frame_type_from_msg_type(std::string_view name) noexcept;

struct BinFrame {
    FrameType type = FrameType::bus;
    std::optional<std::uint8_t> version;  // present when the versioned bit is set
    bool compressed = false;
    std::string metadata = "{}";           // JSON object text as sent
    std::uint8_t binary_type = 0;          // BINARY only (4 bits)
    Bytes payload;                         // uncompressed
    friend bool operator==(const BinFrame&, const BinFrame&) = default;
};

// Largest payload a reader inflates; a zlib stream that would expand past it is oversize.
inline constexpr std::size_t kMaxInflated = 1u << 20;

// Fails with invalid_argument when metadata exceeds 255 bytes or binary_type 15.
[[nodiscard]] Result<Bytes> serialize_frame(const BinFrame& f);
// Strict: the first byte holds the start bit (else decode_error at 0), the leading zeros must be
// exactly the padding the fields need (bad_padding), unknown types are unknown_type, metadata must
// be a JSON object, a compressed payload must be one complete zlib stream (decode_error,
// trailing_bytes) inflating to at most max_inflated bytes (oversize).
[[nodiscard]] Result<BinFrame> parse_frame(ByteView wire, std::size_t max_inflated = kMaxInflated);

// zlib helpers (RFC 1950), kept here rather than in the common facade.
[[nodiscard]] Bytes zlib_compress(ByteView data);
[[nodiscard]] Result<Bytes> zlib_inflate(ByteView data, std::size_t max_out, std::size_t base_offset = 0);

}  // namespace shakedown::hivemind
