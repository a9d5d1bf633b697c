#include "conformance/runner/framing.hpp"

#include <limits>
#include <stdexcept>

namespace shakedown::conformance {

LengthPrefixFraming::LengthPrefixFraming(Options options) : m_options(std::move(options)) {
    const std::size_t w = m_options.width;
    if (w != 1 && w != 2 && w != 4 && w != 8) {
        throw std::invalid_argument("LengthPrefixFraming: prefix width must be 1, 2, 4 or 8");
    }
}

StreamFraming::Step LengthPrefixFraming::step(ByteView buffered, std::size_t max_message) const {
    Step s;
    const std::size_t w = m_options.width;
    if (buffered.size() < w) {
        return s;
    }
    // Read into 64 bits: an 8-byte prefix may announce more than size_t can hold on a 32-bit host,
    // and must still be refused rather than wrap.
    std::uint64_t announced = 0;
    for (std::size_t i = 0; i < w; ++i) {
        const std::size_t at = m_options.endian == Endian::big ? i : w - 1 - i;
        announced = (announced << 8U) | buffered[at];
    }
    const auto fail = [&s](std::string why) {
        s.kind = Step::Kind::error;
        s.error = std::move(why);
        return s;
    };
    std::uint64_t payload = announced;
    if (m_options.counts_prefix) {
        if (announced < w) {
            return fail("length prefix announces " + std::to_string(announced) + " bytes, less than its own " +
                        std::to_string(w));
        }
        payload = announced - w;
    }
    if (payload == 0 && !m_options.allow_empty) {
        return fail("length prefix announces an empty message");
    }
    const std::uint64_t bound = std::min<std::uint64_t>(m_options.max_payload, max_message);
    if (payload > bound) {
        return fail("length prefix announces " + std::to_string(payload) + " bytes, over the bound of " +
                    std::to_string(bound));
    }
    const auto size = static_cast<std::size_t>(payload);
    if (buffered.size() < w + size) {
        return s;
    }
    s.kind = Step::Kind::message;
    s.total = w + size;
    s.payload_offset = w;
    s.payload_size = size;
    return s;
}

Bytes LengthPrefixFraming::frame(ByteView payload) const {
    const std::size_t w = m_options.width;
    const std::uint64_t value = static_cast<std::uint64_t>(payload.size()) + (m_options.counts_prefix ? w : 0);
    if (w < 8 && value >> (8 * w) != 0) {
        throw std::length_error("LengthPrefixFraming: payload too long for the prefix");
    }
    Bytes out(w + payload.size());
    for (std::size_t i = 0; i < w; ++i) {
        const std::size_t at = m_options.endian == Endian::big ? w - 1 - i : i;
        out[at] = static_cast<std::uint8_t>(value >> (8 * i));
    }
    std::copy(payload.begin(), payload.end(), out.begin() + static_cast<std::ptrdiff_t>(w));
    return out;
}

}  // namespace shakedown::conformance
