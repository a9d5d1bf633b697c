#include "common/reader.hpp"

namespace shakedown {

Result<ByteView> Reader::read_bytes(std::size_t n) {
    if (n > remaining()) {
        return Failure{Error::truncated, m_base + m_data.size(), "input ends inside a field"};
    }
    const ByteView out = m_data.subspan(m_pos, n);
    m_pos += n;
    return out;
}

Result<std::uint8_t> Reader::read_u8() {
    SK_TRY(const ByteView b, read_bytes(1));
    return b[0];
}

Result<std::uint16_t> Reader::read_u16be() {
    SK_TRY(const ByteView b, read_bytes(2));
    return static_cast<std::uint16_t>((b[0] << 8) | b[1]);
}

Result<std::uint32_t> Reader::read_u32be() {
    SK_TRY(const ByteView b, read_bytes(4));
    return (std::uint32_t{b[0]} << 24) | (std::uint32_t{b[1]} << 16) | (std::uint32_t{b[2]} << 8) |
           std::uint32_t{b[3]};
}

Result<std::int32_t> Reader::read_i32be() {
    SK_TRY(const std::uint32_t v, read_u32be());
    return static_cast<std::int32_t>(v);
}

Result<std::uint64_t> Reader::read_u64be() {
    SK_TRY(const ByteView b, read_bytes(8));
    std::uint64_t v = 0;
    for (const std::uint8_t x : b) {
        v = (v << 8) | x;
    }
    return v;
}

namespace {
Result<ByteView> read_with_length(Reader& r, std::size_t len, std::size_t max_len, std::size_t len_size) {
    if (len > max_len) {
        return r.fail_here(Error::bad_length, "length prefix exceeds its bound", len_size);
    }
    return r.read_bytes(len);
}
}  // namespace

Result<ByteView> Reader::read_prefixed_u8(std::size_t max_len) {
    const std::size_t start = m_pos;
    SK_TRY(const std::uint8_t len, read_u8());
    auto r = read_with_length(*this, len, max_len, 1);
    if (!r) {
        m_pos = start;
    }
    return r;
}

Result<ByteView> Reader::read_prefixed_u16be(std::size_t max_len) {
    const std::size_t start = m_pos;
    SK_TRY(const std::uint16_t len, read_u16be());
    auto r = read_with_length(*this, len, max_len, 2);
    if (!r) {
        m_pos = start;
    }
    return r;
}

Result<ByteView> Reader::read_prefixed_u32be(std::size_t max_len) {
    const std::size_t start = m_pos;
    SK_TRY(const std::uint32_t len, read_u32be());
    auto r = read_with_length(*this, len, max_len, 4);
    if (!r) {
        m_pos = start;
    }
    return r;
}

Result<ByteView> Reader::read_rest() { return read_bytes(remaining()); }

Result<void> Reader::expect_done() const {
    if (!done()) {
        return Failure{Error::trailing_bytes, offset(), "bytes left after the message"};
    }
    return ok();
}

}  // namespace shakedown
