#include "common/reader.hpp"

namespace shakedown {

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

}  // namespace shakedown
