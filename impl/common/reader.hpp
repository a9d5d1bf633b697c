// Bounds-checked reader over a byte span (in the manner of BoringSSL's CBS). Every read either
// succeeds completely or fails with Error::truncated at the offset where the input ran out, and
// leaves the reader where it was.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>

#include "common/bytes.hpp"
#include "common/result.hpp"

namespace shakedown {

class Reader {
public:
    explicit Reader(ByteView data, std::size_t base_offset = 0) noexcept
        : m_data(data), m_base(base_offset) {}

    // The fixed-size reads are inline: every parser calls them per field.
    [[nodiscard]] Result<ByteView> read_bytes(std::size_t n) {
        if (n > remaining()) {
            return Failure{Error::truncated, m_base + m_data.size(), "input ends inside a field"};
        }
        const ByteView out = m_data.subspan(m_pos, n);
        m_pos += n;
        return out;
    }
    [[nodiscard]] Result<std::uint8_t> read_u8() {
        if (remaining() < 1) {
            return truncated();
        }
        return m_data[m_pos++];
    }
    [[nodiscard]] Result<std::uint16_t> read_u16be() { return read_be<std::uint16_t>(); }
    [[nodiscard]] Result<std::uint32_t> read_u32be() { return read_be<std::uint32_t>(); }
    [[nodiscard]] Result<std::int32_t> read_i32be() {
        SK_TRY(const std::uint32_t v, read_u32be());
        return static_cast<std::int32_t>(v);
    }
    [[nodiscard]] Result<std::uint64_t> read_u64be() { return read_be<std::uint64_t>(); }
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
    [[nodiscard]] Result<ByteView> read_rest() { return read_bytes(remaining()); }

    // Succeeds only when every byte was consumed; otherwise Error::trailing_bytes at the first
    // unconsumed byte.
    [[nodiscard]] Result<void> expect_done() const {
        if (!done()) {
            return Failure{Error::trailing_bytes, offset(), "bytes left after the message"};
        }
        return ok();
    }

    [[nodiscard]] bool done() const noexcept { return m_pos == m_data.size(); }
    [[nodiscard]] std::size_t remaining() const noexcept { return m_data.size() - m_pos; }
    // Offset of the next byte, counted from the start of the outermost input.
    [[nodiscard]] std::size_t offset() const noexcept { return m_base + m_pos; }
    // A Failure located at the current offset (or at offset() - back).
    [[nodiscard]] Failure fail_here(Error code, const char* detail, std::size_t back = 0) const noexcept {
        return Failure{code, offset() - back, detail};
    }

private:
    [[nodiscard]] Failure truncated() const noexcept {
        return Failure{Error::truncated, m_base + m_data.size(), "input ends inside a field"};
    }
    template <class T>
    [[nodiscard]] Result<T> read_be() {
        if (remaining() < sizeof(T)) {
            return truncated();
        }
        // One load and one byte swap.
        T v = 0;
        std::memcpy(&v, m_data.data() + m_pos, sizeof v);
        if constexpr (std::endian::native == std::endian::little) {
            if constexpr (sizeof(T) == 2) {
                v = __builtin_bswap16(v);
            } else if constexpr (sizeof(T) == 4) {
                v = __builtin_bswap32(v);
            } else {
                static_assert(sizeof(T) == 8);
                v = __builtin_bswap64(v);
            }
        }
        m_pos += sizeof(T);
        return v;
    }

    ByteView m_data;
    std::size_t m_base;
    std::size_t m_pos = 0;
};

}  // namespace shakedown
