// The STT UDP frame (docs/protocols/stt.md, "Frames"): "ST", an LEB128 length of everything that
// follows it, the 30-byte header, an LEB128 metadata length, the metadata and the payload. One
// datagram carries exactly one frame.
#pragma once

#include <cstdint>

#include "common/bytes.hpp"
#include "common/reader.hpp"
#include "common/result.hpp"
#include "common/writer.hpp"

namespace shakedown::stt {

inline constexpr std::uint8_t kFrameData = 0x01;
inline constexpr std::uint8_t kFrameHandshake = 0x05;
inline constexpr std::size_t kHeaderSize = 30;
inline constexpr std::size_t kMaxDatagram = 1472;
inline constexpr std::size_t kMaxFrame = 2 * 1024 * 1024;
// LEB128 for a u64 needs at most 10 bytes; longer is never a valid length.
inline constexpr std::size_t kMaxVarintBytes = 10;

struct FrameHeader {
    std::uint8_t type = kFrameData;
    std::uint8_t flags = 0;
    ByteArray<8> session_id{};
    std::uint64_t sequence = 0;
    std::uint64_t timestamp_ms = 0;
    std::uint32_t stream_id = 0;
    friend bool operator==(const FrameHeader&, const FrameHeader&) = default;
};

struct Frame {
    FrameHeader header;
    Bytes metadata;
    Bytes payload;
    // Where the header and the payload start in the parsed datagram (0 for built frames); errors
    // found later inside the payload are reported at datagram offsets.
    std::size_t header_offset = 0;
    std::size_t payload_offset = 0;
    friend bool operator==(const Frame& a, const Frame& b) {
        return a.header == b.header && a.metadata == b.metadata && a.payload == b.payload;
    }
};

// A parsed frame whose metadata and payload are views into the datagram.
struct FrameView {
    FrameHeader header;
    ByteView metadata;
    ByteView payload;
    std::size_t header_offset = 0;
    std::size_t payload_offset = 0;
};

void put_varint(Writer& w, std::uint64_t v);
// Minimal LEB128: errors bad_length (more than 10 bytes or over 64 bits), non_canonical (a
// redundant trailing zero group), truncated.
[[nodiscard]] Result<std::uint64_t> read_varint(Reader& r);

[[nodiscard]] Bytes serialize_header(const FrameHeader& h);
[[nodiscard]] Bytes serialize_frame(const Frame& f);
[[nodiscard]] Bytes serialize_frame(const FrameHeader& h, ByteView metadata, ByteView payload);
// The size of a frame with this much metadata and payload, and everything of it before the
// payload written into the start of `out` (frame_size() bytes); returns where the payload goes.
[[nodiscard]] std::size_t frame_size(std::size_t metadata_size, std::size_t payload_size);
std::size_t write_frame_head(std::span<std::uint8_t> out, const FrameHeader& h, ByteView metadata,
                             std::size_t payload_size);

// One datagram, one frame. Errors, in this order: oversize (datagram over max_datagram),
// decode_error (no "ST" magic), the varint's, oversize (length over kMaxFrame), truncated,
// trailing_bytes (datagram longer than the frame), then inside the frame: truncated header,
// the metadata varint's, bad_length (metadata longer than the frame).
[[nodiscard]] Result<Frame> parse_frame(ByteView datagram, std::size_t max_datagram = kMaxDatagram);
// The same checks and errors, without copying metadata and payload out of the datagram.
[[nodiscard]] Result<FrameView> parse_frame_view(ByteView datagram, std::size_t max_datagram = kMaxDatagram);
// The same, into `out` (left unspecified on failure): a machine parses every datagram this way,
// without the copies of a returned frame.
[[nodiscard]] Result<void> parse_frame_view(ByteView datagram, FrameView& out, std::size_t max_datagram = kMaxDatagram);

}  // namespace shakedown::stt
