#include "common/writer.hpp"

#include <iterator>

namespace shakedown {

void Writer::put_u16be(std::uint16_t v) {
    m_out.push_back(static_cast<std::uint8_t>(v >> 8));
    m_out.push_back(static_cast<std::uint8_t>(v));
}

void Writer::put_u32be(std::uint32_t v) {
    const std::uint8_t b[4] = {static_cast<std::uint8_t>(v >> 24), static_cast<std::uint8_t>(v >> 16),
                               static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v)};
    m_out.insert(m_out.end(), std::begin(b), std::end(b));
}

void Writer::put_u64be(std::uint64_t v) {
    put_u32be(static_cast<std::uint32_t>(v >> 32));
    put_u32be(static_cast<std::uint32_t>(v));
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
