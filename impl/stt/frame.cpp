#include "stt/frame.hpp"

#include <algorithm>

namespace shakedown::stt {

namespace {
template <class W>
void put_leb128(W& w, std::uint64_t v) {
    while (v >= 0x80) {
        w.put_u8(static_cast<std::uint8_t>((v & 0x7f) | 0x80));
        v >>= 7;
    }
    w.put_u8(static_cast<std::uint8_t>(v));
}
}  // namespace

void put_varint(Writer& w, std::uint64_t v) { put_leb128(w, v); }

namespace {
// LEB128, shortest form only, at most 64 bits. Inline in the frame parser (two per datagram).
inline Result<std::uint64_t> varint(Reader& r) {
    const std::size_t at = r.offset();
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < kMaxVarintBytes; ++i) {
        SK_TRY(const std::uint8_t b, r.read_u8());
        const std::uint64_t group = b & 0x7fu;
        const unsigned shift = static_cast<unsigned>(7 * i);
        if (i == kMaxVarintBytes - 1 && group > 1) {
            return Failure{Error::bad_length, at, "varint over 64 bits"};
        }
        v |= group << shift;
        if ((b & 0x80) == 0) {
            if (b == 0 && i > 0) {
                return Failure{Error::non_canonical, at, "varint with a redundant zero group"};
            }
            return v;
        }
    }
    return Failure{Error::bad_length, at, "varint longer than 10 bytes"};
}
}  // namespace

Result<std::uint64_t> read_varint(Reader& r) { return varint(r); }

namespace {
// The 30-byte header, through a Writer or a SpanWriter.
template <typename W>
void put_header(W& w, const FrameHeader& h) {
    w.put_u8(h.type);
    w.put_u8(h.flags);
    w.put_bytes(h.session_id);
    w.put_u64be(h.sequence);
    w.put_u64be(h.timestamp_ms);
    w.put_u32be(h.stream_id);
}
}  // namespace

Bytes serialize_header(const FrameHeader& h) {
    Writer w;
    put_header(w, h);
    return std::move(w).take();
}

namespace {
std::size_t varint_size(std::uint64_t v) {
    std::size_t n = 1;
    while (v >= 0x80) {
        v >>= 7;
        ++n;
    }
    return n;
}
}  // namespace

Bytes serialize_frame(const Frame& f) { return serialize_frame(f.header, f.metadata, f.payload); }

std::size_t frame_size(std::size_t metadata_size, std::size_t payload_size) {
    const std::size_t body = kHeaderSize + varint_size(metadata_size) + metadata_size + payload_size;
    return 2 + varint_size(body) + body;
}

std::size_t write_frame_head(std::span<std::uint8_t> out, const FrameHeader& h, ByteView metadata,
                             std::size_t payload_size) {
    const std::size_t body = kHeaderSize + varint_size(metadata.size()) + metadata.size() + payload_size;
    SpanWriter w(out);
    w.put_u8('S');
    w.put_u8('T');
    put_leb128(w, body);
    put_header(w, h);
    put_leb128(w, metadata.size());
    w.put_bytes(metadata);
    return w.size();
}

Bytes serialize_frame(const FrameHeader& h, ByteView metadata, ByteView payload) {
    Bytes out(frame_size(metadata.size(), payload.size()));
    const std::size_t at = write_frame_head(out, h, metadata, payload.size());
    if (!payload.empty()) {
        std::copy(payload.begin(), payload.end(), out.begin() + static_cast<std::ptrdiff_t>(at));
    }
    return out;
}

Result<FrameView> parse_frame_view(ByteView datagram, std::size_t max_datagram) {
    FrameView f;
    SK_CHECK(parse_frame_view(datagram, f, max_datagram));
    return f;
}

Result<void> parse_frame_view(ByteView datagram, FrameView& f, std::size_t max_datagram) {
    if (datagram.size() > max_datagram) [[unlikely]] {
        return Failure{Error::oversize, max_datagram, "datagram over the size limit"};
    }
    Reader r(datagram);
    SK_TRY(const ByteView magic, r.read_bytes(2));
    if (magic[0] != 'S' || magic[1] != 'T') [[unlikely]] {
        return Failure{Error::decode_error, 0, "no \"ST\" frame magic"};
    }
    const std::size_t length_at = r.offset();
    SK_TRY(const std::uint64_t length, varint(r));
    if (length > kMaxFrame) [[unlikely]] {
        return Failure{Error::oversize, length_at, "frame length over 2 MiB"};
    }
    if (length > r.remaining()) [[unlikely]] {
        return Failure{Error::truncated, length_at, "frame length past the end of the datagram"};
    }
    if (length < r.remaining()) [[unlikely]] {
        return Failure{Error::trailing_bytes, r.offset() + static_cast<std::size_t>(length),
                       "bytes left after the message"};
    }
    const std::size_t body_at = r.offset();
    if (length < kHeaderSize) [[unlikely]] {
        return Failure{Error::truncated, datagram.size(), "input ends inside a field"};
    }
    // The header: type, flags, session id, sequence, timestamp, stream id (all present: the
    // body holds at least kHeaderSize bytes).
    f.header_offset = body_at;
    f.header.type = *r.read_u8();
    f.header.flags = *r.read_u8();
    const ByteView sid = *r.read_bytes(8);
    std::copy_n(sid.begin(), 8, f.header.session_id.begin());
    f.header.sequence = *r.read_u64be();
    f.header.timestamp_ms = *r.read_u64be();
    f.header.stream_id = *r.read_u32be();
    const std::size_t meta_at = r.offset();
    SK_TRY(const std::uint64_t meta_len, varint(r));
    if (meta_len > r.remaining()) [[unlikely]] {
        return Failure{Error::bad_length, meta_at, "metadata length past the end of the frame"};
    }
    f.metadata = *r.read_bytes(static_cast<std::size_t>(meta_len));
    f.payload_offset = r.offset();
    f.payload = *r.read_rest();
    return ok();
}

Result<Frame> parse_frame(ByteView datagram, std::size_t max_datagram) {
    SK_TRY(const FrameView v, parse_frame_view(datagram, max_datagram));
    Frame f;
    f.header = v.header;
    f.metadata.assign(v.metadata.begin(), v.metadata.end());
    f.payload.assign(v.payload.begin(), v.payload.end());
    f.header_offset = v.header_offset;
    f.payload_offset = v.payload_offset;
    return f;
}

}  // namespace shakedown::stt
