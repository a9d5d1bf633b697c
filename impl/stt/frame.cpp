#include "stt/frame.hpp"

namespace shakedown::stt {

void put_varint(Writer& w, std::uint64_t v) {
    while (v >= 0x80) {
        w.put_u8(static_cast<std::uint8_t>((v & 0x7f) | 0x80));
        v >>= 7;
    }
    w.put_u8(static_cast<std::uint8_t>(v));
}

Result<std::uint64_t> read_varint(Reader& r) {
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

Bytes serialize_header(const FrameHeader& h) {
    Writer w;
    w.put_u8(h.type);
    w.put_u8(h.flags);
    w.put_bytes(h.session_id);
    w.put_u64be(h.sequence);
    w.put_u64be(h.timestamp_ms);
    w.put_u32be(h.stream_id);
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

Bytes serialize_frame(const Frame& f) {
    const std::size_t body = kHeaderSize + varint_size(f.metadata.size()) + f.metadata.size() + f.payload.size();
    Writer w;
    w.put_u8('S');
    w.put_u8('T');
    put_varint(w, body);
    w.put_u8(f.header.type);
    w.put_u8(f.header.flags);
    w.put_bytes(f.header.session_id);
    w.put_u64be(f.header.sequence);
    w.put_u64be(f.header.timestamp_ms);
    w.put_u32be(f.header.stream_id);
    put_varint(w, f.metadata.size());
    w.put_bytes(f.metadata);
    w.put_bytes(f.payload);
    return std::move(w).take();
}

Result<Frame> parse_frame(ByteView datagram, std::size_t max_datagram) {
    if (datagram.size() > max_datagram) {
        return Failure{Error::oversize, max_datagram, "datagram over the size limit"};
    }
    Reader r(datagram);
    SK_TRY(const ByteView magic, r.read_bytes(2));
    if (magic[0] != 'S' || magic[1] != 'T') {
        return Failure{Error::decode_error, 0, "no \"ST\" frame magic"};
    }
    const std::size_t length_at = r.offset();
    SK_TRY(const std::uint64_t length, read_varint(r));
    if (length > kMaxFrame) {
        return Failure{Error::oversize, length_at, "frame length over 2 MiB"};
    }
    if (length > r.remaining()) {
        return Failure{Error::truncated, length_at, "frame length past the end of the datagram"};
    }
    const std::size_t body_at = r.offset();
    SK_TRY(const ByteView body, r.read_bytes(static_cast<std::size_t>(length)));
    SK_CHECK(r.expect_done());

    Reader b(body, body_at);
    Frame f;
    f.header_offset = body_at;
    SK_TRY(f.header.type, b.read_u8());
    SK_TRY(f.header.flags, b.read_u8());
    SK_TRY(f.header.session_id, b.read_array<8>());
    SK_TRY(f.header.sequence, b.read_u64be());
    SK_TRY(f.header.timestamp_ms, b.read_u64be());
    SK_TRY(f.header.stream_id, b.read_u32be());
    const std::size_t meta_at = b.offset();
    SK_TRY(const std::uint64_t meta_len, read_varint(b));
    if (meta_len > b.remaining()) {
        return Failure{Error::bad_length, meta_at, "metadata length past the end of the frame"};
    }
    SK_TRY(const ByteView meta, b.read_bytes(static_cast<std::size_t>(meta_len)));
    f.payload_offset = b.offset();
    SK_TRY(const ByteView payload, b.read_rest());
    f.metadata.assign(meta.begin(), meta.end());
    f.payload.assign(payload.begin(), payload.end());
    return f;
}

}  // namespace shakedown::stt
