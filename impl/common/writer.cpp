#include "common/writer.hpp"

namespace shakedown {

void Writer::put_u16be(std::uint16_t v) {
    m_out.push_back(static_cast<std::uint8_t>(v >> 8));
    m_out.push_back(static_cast<std::uint8_t>(v));
}

void Writer::put_u32be(std::uint32_t v) {
    for (int shift = 24; shift >= 0; shift -= 8) {
        m_out.push_back(static_cast<std::uint8_t>(v >> shift));
    }
}

void Writer::put_u64be(std::uint64_t v) {
    for (int shift = 56; shift >= 0; shift -= 8) {
        m_out.push_back(static_cast<std::uint8_t>(v >> shift));
    }
}

std::size_t Writer::begin_length(std::size_t width) {
    const std::size_t pos = m_out.size();
    m_out.insert(m_out.end(), width, 0);
    return pos;
}

void Writer::end_length(std::size_t pos, std::size_t width) {
    std::size_t len = m_out.size() - pos - width;
    for (std::size_t i = width; i > 0; --i) {
        m_out[pos + i - 1] = static_cast<std::uint8_t>(len & 0xff);
        len >>= 8;
    }
}

}  // namespace shakedown
