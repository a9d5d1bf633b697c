// Bounds-checked reader over a byte span (in the manner of BoringSSL's CBS). Every read either
// succeeds completely or fails with Error::truncated at the offset where the input ran out, and
// leaves the reader where it was.
#pragma once

#include <cstdint>

#include "common/bytes.hpp"
#include "common/result.hpp"

namespace shakedown {

class Reader {
public:
    explicit Reader(ByteView data, std::size_t base_offset = 0) noexcept
        : m_data(data), m_base(base_offset) {}

    [[nodiscard]] Result<std::uint8_t> read_u8();
    [[nodiscard]] Result<std::uint16_t> read_u16be();
    [[nodiscard]] Result<std::uint32_t> read_u32be();
    [[nodiscard]] Result<std::int32_t> read_i32be();
    [[nodiscard]] Result<std::uint64_t> read_u64be();
    [[nodiscard]] Result<ByteView> read_bytes(std::size_t n);
    template <std::size_t N>
    [[nodiscard]] Result<ByteArray<N>> read_array() {
        SK_TRY(auto v, read_bytes(N));
        ByteArray<N> out{};
        std::copy(v.begin(), v.end(), out.begin());
        return out;
    }
    // Reads a u8/u16be/u32be length, checks it against max_len, then reads that many bytes.
    [[nodiscard]] Result<ByteView> read_prefixed_u8(std::size_t max_len = 0xff);
    [[nodiscard]] Result<ByteView> read_prefixed_u16be(std::size_t max_len = 0xffff);
    [[nodiscard]] Result<ByteView> read_prefixed_u32be(std::size_t max_len);
    [[nodiscard]] Result<ByteView> read_rest();

    // Succeeds only when every byte was consumed; otherwise Error::trailing_bytes at the first
    // unconsumed byte.
    [[nodiscard]] Result<void> expect_done() const;

    [[nodiscard]] bool done() const noexcept { return m_pos == m_data.size(); }
    [[nodiscard]] std::size_t remaining() const noexcept { return m_data.size() - m_pos; }
    // Offset of the next byte, counted from the start of the outermost input.
    [[nodiscard]] std::size_t offset() const noexcept { return m_base + m_pos; }
    // A Failure located at the current offset (or at offset() - back).
    [[nodiscard]] Failure fail_here(Error code, const char* detail, std::size_t back = 0) const noexcept {
        return Failure{code, offset() - back, detail};
    }

private:
    ByteView m_data;
    std::size_t m_base;
    std::size_t m_pos = 0;
};

}  // namespace shakedown
