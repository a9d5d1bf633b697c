#include "common/bytes.hpp"


#include <cstring>

namespace shakedown {

namespace {
// Arithmetic instead of a table: hex of a secret (a key in a vector file, a MAC before it is
// compared) must not index memory by its digits. 'a' - '0' - 10 = 39 is added for n > 9, where
// 9 - n wraps around and sets the bits the shift keeps.
char hex_digit(unsigned n) noexcept { return static_cast<char>('0' + n + (((9U - n) >> 8) & 39U)); }
}  // namespace

std::string to_hex(ByteView data) {
    // Sized once and written in place (a push_back per digit was a call and a capacity test).
    std::string out(data.size() * 2, '\0');
    char* o = out.data();
    for (const std::uint8_t b : data) {
        *o++ = hex_digit(b >> 4U);
        *o++ = hex_digit(b & 0x0fU);
    }
    return out;
}

bool from_hex_into(std::string_view hex, std::span<std::uint8_t> out) {
    if (hex.size() != 2 * out.size()) {
        return false;
    }
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    };
    for (std::size_t i = 0; i < out.size(); ++i) {
        const int hi = nibble(hex[2 * i]);
        const int lo = nibble(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            return false;
        }
        out[i] = static_cast<std::uint8_t>((hi << 4) | lo);
    }
    return true;
}

std::optional<Bytes> from_hex(std::string_view hex) {
    if (hex.size() % 2 != 0) {
        return std::nullopt;
    }
    Bytes out(hex.size() / 2);
    if (!from_hex_into(hex, out)) {
        return std::nullopt;
    }
    return out;
}

Bytes concat(std::initializer_list<ByteView> parts) {
    std::size_t n = 0;
    for (const auto& p : parts) {
        n += p.size();
    }
    Bytes out;
    out.reserve(n);
    for (const auto& p : parts) {
        out.insert(out.end(), p.begin(), p.end());
    }
    return out;
}

}  // namespace shakedown
