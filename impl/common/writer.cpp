#include "common/writer.hpp"

#include <iterator>

namespace shakedown {

void Writer::put_u16be(std::uint16_t v) { store_be(grow(2), v, 2); }

void Writer::put_u32be(std::uint32_t v) { store_be(grow(4), v, 4); }

void Writer::put_u64be(std::uint64_t v) { store_be(grow(8), v, 8); }

void Writer::patch_u32be(std::size_t pos, std::uint32_t v) {
    assert(pos <= m_out.size() && m_out.size() - pos >= 4);
    store_be(m_out.data() + pos, v, 4);
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
