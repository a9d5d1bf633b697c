// Appending writer (in the manner of BoringSSL's CBB). Length prefixes are reserved and filled
// when the nested content is complete.
#pragma once

#include <bit>
#include <cassert>
#include <cstdint>
#include <cstring>

#include "common/bytes.hpp"

namespace shakedown {

class Writer {
public:
    // Most messages fit in the first reservation: one allocation instead of a doubling series.
    Writer() { m_out.reserve(kInitialCapacity); }
    // For output whose size is known in advance.
    explicit Writer(std::size_t capacity) { m_out.reserve(capacity); }

    void put_u8(std::uint8_t v) { m_out.push_back(v); }
    void put_u16be(std::uint16_t v);
    void put_u32be(std::uint32_t v);
    void put_i32be(std::int32_t v) { put_u32be(static_cast<std::uint32_t>(v)); }
    void put_u64be(std::uint64_t v);
    void put_bytes(ByteView b) { m_out.insert(m_out.end(), b.begin(), b.end()); }
    void put_zeros(std::size_t n) { m_out.insert(m_out.end(), n, 0); }

    // Reserve a big-endian length field of `width` bytes (1, 2 or 4); returns its position.
    [[nodiscard]] std::size_t begin_length(std::size_t width);
    // Fill the length reserved at `pos` with the number of bytes written since.
    void end_length(std::size_t pos, std::size_t width);

    // Overwrite 4 bytes already written at `pos` (a record mark known only at the end).
    void patch_u32be(std::size_t pos, std::uint32_t v);

    [[nodiscard]] std::size_t size() const noexcept { return m_out.size(); }
    [[nodiscard]] const Bytes& bytes() const& noexcept { return m_out; }
    [[nodiscard]] Bytes take() && noexcept { return std::move(m_out); }

private:
    static constexpr std::size_t kInitialCapacity = 256;
    // The n low bytes of v, most significant first, written at `at`: one byte swap and one copy.
    static void store_be(std::uint8_t* at, std::uint64_t v, std::size_t n) noexcept {
        std::uint64_t be = v << (8 * (8 - n));
        if constexpr (std::endian::native == std::endian::little) {
            be = __builtin_bswap64(be);
        }
        std::memcpy(at, &be, n);
    }
    // n more bytes at the end (zero until written).
    std::uint8_t* grow(std::size_t n) {
        const std::size_t at = m_out.size();
        m_out.resize(at + n);
        return m_out.data() + at;
    }
    Bytes m_out;
};

// Writer's appending calls over room the caller owns, of a size computed in advance (a unit in an
// OutputUnits, part of a datagram). Writing past its end is a caller bug (asserted).
class SpanWriter {
public:
    explicit SpanWriter(std::span<std::uint8_t> out) : m_out(out) {}
    void put_u8(std::uint8_t v) {
        assert(m_pos < m_out.size());
        m_out[m_pos++] = v;
    }
    void put_u16be(std::uint16_t v) { put_be(v, 2); }
    void put_u32be(std::uint32_t v) { put_be(v, 4); }
    void put_u64be(std::uint64_t v) { put_be(v, 8); }
    void put_bytes(ByteView b) {
        assert(b.size() <= m_out.size() - m_pos);
        if (!b.empty()) {
            std::memcpy(m_out.data() + m_pos, b.data(), b.size());
        }
        m_pos += b.size();
    }
    [[nodiscard]] std::size_t size() const noexcept { return m_pos; }

private:
    void put_be(std::uint64_t v, std::size_t n) {
        assert(n <= 8 && n <= m_out.size() - m_pos);
        // The n low bytes of v, most significant first: one byte swap and one copy.
        std::uint64_t be = v << (8 * (8 - n));
        if constexpr (std::endian::native == std::endian::little) {
            be = __builtin_bswap64(be);
        }
        std::memcpy(m_out.data() + m_pos, &be, n);
        m_pos += n;
    }

    std::span<std::uint8_t> m_out;
    std::size_t m_pos = 0;
};

}  // namespace shakedown
