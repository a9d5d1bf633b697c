// Scanning JSON text, shared by the variants' JSON codecs (each variant keeps its own parser and
// writer, whose rules differ).
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace shakedown {

enum class PlainRun : std::uint8_t {
    any_byte,   // stops at a control character, '"' or '\\'
    ascii,      // also stops at a byte of 0x80 or more (the reader validates UTF-8 from there)
    printable,  // also stops at DEL (0x7f), for a writer that escapes it
};

// Non-zero when some byte of the eight in `x` is special to plain_run<Kind>.
template <PlainRun Kind>
constexpr std::uint64_t special_bytes(std::uint64_t x) noexcept {
    constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
    constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
    // Non-zero when some byte of x is below b (b <= 0x80).
    constexpr auto any_below = [](std::uint64_t v, std::uint64_t b) { return (v - kOnes * b) & ~v & kHigh; };
    std::uint64_t special = any_below(x, 0x20) | any_below(x ^ (kOnes * '"'), 1) | any_below(x ^ (kOnes * '\\'), 1);
    if constexpr (Kind != PlainRun::any_byte) {
        special |= x & kHigh;
    }
    if constexpr (Kind == PlainRun::printable) {
        special |= any_below(x ^ (kOnes * 0x7f), 1);
    }
    return special;
}

#if defined(__SSE2__)
// Non-zero when some byte of the sixteen at `s` is special to plain_run<Kind>.
template <PlainRun Kind>
inline int special_bytes16(const std::uint8_t* s) noexcept {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s));
    // Below 0x20 (unsigned): the minimum of the byte and 0x1f is the byte itself.
    __m128i special = _mm_cmpeq_epi8(_mm_min_epu8(v, _mm_set1_epi8(0x1f)), v);
    special = _mm_or_si128(special, _mm_cmpeq_epi8(v, _mm_set1_epi8('"')));
    special = _mm_or_si128(special, _mm_cmpeq_epi8(v, _mm_set1_epi8('\\')));
    if constexpr (Kind == PlainRun::printable) {
        special = _mm_or_si128(special, _mm_cmpeq_epi8(v, _mm_set1_epi8(0x7f)));
    }
    if constexpr (Kind != PlainRun::any_byte) {
        special = _mm_or_si128(special, v);  // the top bit of a byte of 0x80 or more
    }
    return _mm_movemask_epi8(special);
}
#endif

// Length of the leading run of `n` bytes at `s` that a JSON string holds as they stand, by the
// rule of `Kind`. Thirty-two bytes at a time while none of them is special (long values: keys,
// ciphertext, PEM; two SSE2 compares where the target has them), then eight, then the last few.
// On a little-endian target the first special byte of a block is found from its mask (the lowest
// flagged byte is exact: the carry arithmetic can only flag bytes above a special one), and the
// last few bytes are read as one zero-padded word with the padding masked off; otherwise byte by
// byte.
template <PlainRun Kind>
std::size_t plain_run(const std::uint8_t* s, std::size_t n) noexcept {
    constexpr bool kLittle = std::endian::native == std::endian::little;
    std::size_t k = 0;
    for (; k + 32 <= n; k += 32) {
#if defined(__SSE2__)
        const auto mask = static_cast<std::uint32_t>(special_bytes16<Kind>(s + k)) |
                          (static_cast<std::uint32_t>(special_bytes16<Kind>(s + k + 16)) << 16);
        if (mask != 0) {
            return k + static_cast<std::size_t>(std::countr_zero(mask));
        }
#else
        std::uint64_t x[4];
        std::memcpy(x, s + k, 32);
        if ((special_bytes<Kind>(x[0]) | special_bytes<Kind>(x[1]) | special_bytes<Kind>(x[2]) |
             special_bytes<Kind>(x[3])) != 0) {
            break;
        }
#endif
    }
    for (; k + 8 <= n; k += 8) {
        std::uint64_t x = 0;
        std::memcpy(&x, s + k, 8);
        if (const std::uint64_t special = special_bytes<Kind>(x); special != 0) {
            if constexpr (kLittle) {
                return k + static_cast<std::size_t>(std::countr_zero(special) / 8);
            }
            break;
        }
    }
    if constexpr (kLittle) {
        if (k == n) {
            return n;
        }
        // 1 to 7 bytes: the zero padding would read as control bytes, so its flags are dropped.
        std::uint64_t x = 0;
        std::memcpy(&x, s + k, n - k);
        const std::uint64_t special = special_bytes<Kind>(x) & ((std::uint64_t{1} << (8 * (n - k))) - 1);
        return special == 0 ? n : k + static_cast<std::size_t>(std::countr_zero(special) / 8);
    }
    for (; k < n; ++k) {
        const std::uint8_t c = s[k];
        if (c < 0x20 || c == '"' || c == '\\' || (Kind != PlainRun::any_byte && c >= 0x80) ||
            (Kind == PlainRun::printable && c == 0x7f)) {
            break;
        }
    }
    return k;
}

// Length of the leading run of `n` bytes at `s` below 0x80 (ASCII, which is valid UTF-8 as it
// stands): eight bytes at a time, then byte by byte.
inline std::size_t ascii_run(const std::uint8_t* s, std::size_t n) noexcept {
    constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
    std::size_t k = 0;
    for (; k + 8 <= n; k += 8) {
        std::uint64_t x = 0;
        std::memcpy(&x, s + k, 8);
        if ((x & kHigh) != 0) {
            break;
        }
    }
    while (k < n && s[k] < 0x80) {
        ++k;
    }
    return k;
}

// Length of the leading run of `n` bytes at `s` that are JSON whitespace (RFC 8259: space, tab,
// line feed, carriage return): one comparison and one bit test per byte.
inline std::size_t whitespace_run(const std::uint8_t* s, std::size_t n) noexcept {
    constexpr std::uint64_t kWhitespace = (1ULL << ' ') | (1ULL << '\t') | (1ULL << '\n') | (1ULL << '\r');
    std::size_t k = 0;
    while (k < n && s[k] <= ' ' && ((kWhitespace >> s[k]) & 1U) != 0) {
        ++k;
    }
    return k;
}

}  // namespace shakedown
