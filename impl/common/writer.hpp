// Appending writer (in the manner of BoringSSL's CBB). Length prefixes are reserved and filled
// when the nested content is complete.
#pragma once

#include <cstdint>

#include "common/bytes.hpp"

namespace shakedown {

class Writer {
public:
    // Most messages fit in the first reservation: one allocation instead of a doubling series.
    Writer() { m_out.reserve(kInitialCapacity); }

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

    [[nodiscard]] std::size_t size() const noexcept { return m_out.size(); }
    [[nodiscard]] const Bytes& bytes() const& noexcept { return m_out; }
    [[nodiscard]] Bytes take() && noexcept { return std::move(m_out); }

private:
    static constexpr std::size_t kInitialCapacity = 256;
    Bytes m_out;
};

}  // namespace shakedown
