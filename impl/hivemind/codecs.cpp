#include "hivemind/codecs.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>

namespace shakedown::hivemind {

namespace {

constexpr std::array<Encoding, kEncodingCount> kAll = {Encoding::hex, Encoding::b64, Encoding::urlsafe_b64,
                                                       Encoding::b32, Encoding::b91, Encoding::z85b,
                                                       Encoding::z85p};
constexpr std::array<std::string_view, kEncodingCount> kNames = {
    "JSON-HEX", "JSON-B64", "JSON-URLSAFE-B64", "JSON-B32", "JSON-B91", "JSON-Z85B", "JSON-Z85P"};

constexpr std::string_view kB64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kB64Url = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::string_view kB32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

// Each byte's position in an alphabet (its first, -1 where absent): one table lookup per
// character instead of a search of the alphabet. Built at compile time for each alphabet below.
class AlphabetIndex {
public:
    constexpr explicit AlphabetIndex(std::string_view alphabet) {
        for (auto& slot : m_index) {
            slot = -1;
        }
        for (std::size_t i = 0; i < alphabet.size(); ++i) {
            auto& slot = m_index[static_cast<std::uint8_t>(alphabet[i])];
            if (slot < 0) {
                slot = static_cast<std::int16_t>(i);
            }
        }
    }
    [[nodiscard]] constexpr int operator()(char c) const noexcept { return m_index[static_cast<std::uint8_t>(c)]; }

private:
    std::array<std::int16_t, 256> m_index{};
};

constexpr AlphabetIndex kB64Index{kB64};
constexpr AlphabetIndex kB64UrlIndex{kB64Url};
constexpr AlphabetIndex kB32Index{kB32};
constexpr AlphabetIndex kB91Index{kB91Alphabet};
static_assert(kB91Alphabet.size() == 91 && kB91CompiledAlphabet.size() == 91,
              "decode_b91's canonical check takes every digit index to be below 91");
constexpr AlphabetIndex kB91CompiledIndex{kB91CompiledAlphabet};
constexpr AlphabetIndex kZ85Index{kZ85Alphabet};

// RFC 4648 bit-group encoding (base64: 6 bits, quantum 4; base32: 5 bits, quantum 8).
std::string encode_bits(ByteView data, std::string_view alphabet, unsigned bits, std::size_t quantum) {
    std::string out;
    std::uint32_t acc = 0;
    unsigned n = 0;
    for (const std::uint8_t b : data) {
        acc = (acc << 8) | b;
        n += 8;
        while (n >= bits) {
            n -= bits;
            out.push_back(alphabet[(acc >> n) & ((1u << bits) - 1)]);
        }
        acc &= (1u << n) - 1;
    }
    if (n > 0) {
        out.push_back(alphabet[(acc << (bits - n)) & ((1u << bits) - 1)]);
    }
    while (out.size() % quantum != 0) {
        out.push_back('=');
    }
    return out;
}

Result<Bytes> decode_bits(std::string_view text, const AlphabetIndex& index_of, unsigned bits, std::size_t quantum,
                          bool lax) {
    std::string_view body = text;
    std::size_t pad = 0;
    while (!body.empty() && body.back() == '=') {
        body.remove_suffix(1);
        ++pad;
    }
    if (!lax && text.size() % quantum != 0) {
        return fail(Error::bad_length, "length is not a multiple of the quantum", text.size());
    }
    Bytes out;
    out.reserve(body.size() * bits / 8 + 1);
    std::uint32_t acc = 0;
    unsigned n = 0;
    std::size_t used = 0;
    for (std::size_t k = 0; k < body.size(); ++k) {
        const int v = index_of(body[k]);
        if (v < 0) {
            if (lax) {
                continue;
            }
            return fail(Error::decode_error, "character outside the alphabet", k);
        }
        ++used;
        acc = (acc << bits) | static_cast<std::uint32_t>(v);
        n += bits;
        if (n >= 8) {
            n -= 8;
            out.push_back(static_cast<std::uint8_t>(acc >> n));
            acc &= (1u << n) - 1;
        }
    }
    if (lax) {
        return out;
    }
    // Only the tails an encoder writes: the remaining bits short of a byte and the padding must
    // agree, and the unused bits must be zero.
    const std::size_t tail = used % quantum;
    const std::size_t want_pad = tail == 0 ? 0 : quantum - tail;
    const bool tail_ok = bits == 6 ? (tail != 1) : (tail == 0 || tail == 2 || tail == 4 || tail == 5 || tail == 7);
    if (!tail_ok || pad != want_pad) {
        return fail(Error::bad_padding, "padding does not match the data length", body.size());
    }
    if (acc != 0) {
        return fail(Error::non_canonical, "non-zero unused bits", body.empty() ? 0 : body.size() - 1);
    }
    return out;
}

std::string encode_hex(ByteView data) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out(2 * data.size(), '\0');
    for (std::size_t k = 0; k < data.size(); ++k) {
        out[2 * k] = kDigits[data[k] >> 4];
        out[2 * k + 1] = kDigits[data[k] & 15];
    }
    return out;
}

// Each character's value as a hex digit: 0..15 for 0-9 and a-f, 16 + value for A-F, 0xff for
// anything else; one lookup a character, the rare cases sorted out after the loop.
constexpr std::array<std::uint8_t, 256> kHexValue = [] {
    std::array<std::uint8_t, 256> t{};
    t.fill(0xff);
    for (int c = '0'; c <= '9'; ++c) {
        t[static_cast<std::size_t>(c)] = static_cast<std::uint8_t>(c - '0');
    }
    for (int c = 'a'; c <= 'f'; ++c) {
        t[static_cast<std::size_t>(c)] = static_cast<std::uint8_t>(c - 'a' + 10);
    }
    for (int c = 'A'; c <= 'F'; ++c) {
        t[static_cast<std::size_t>(c)] = static_cast<std::uint8_t>(16 + c - 'A' + 10);
    }
    return t;
}();

Result<Bytes> decode_hex(std::string_view text, bool accept_upper) {
    if (text.size() % 2 != 0) {
        return fail(Error::bad_length, "odd number of hex digits", text.size());
    }
    Bytes out(text.size() / 2);
    const auto* in = reinterpret_cast<const std::uint8_t*>(text.data());
    std::uint8_t seen = 0;  // every value ORed: bit 4 for an uppercase digit, 0xff for a non-digit
    // Four bytes a round, then the rest one by one: the loop's own test runs a quarter as often.
    std::uint8_t* o = out.data();
    const std::size_t n = out.size();
    std::size_t at = 0;
    for (; at + 4 <= n; at += 4) {
        const std::uint8_t* p = in + 2 * at;
        const std::uint8_t h0 = kHexValue[p[0]], l0 = kHexValue[p[1]];
        const std::uint8_t h1 = kHexValue[p[2]], l1 = kHexValue[p[3]];
        const std::uint8_t h2 = kHexValue[p[4]], l2 = kHexValue[p[5]];
        const std::uint8_t h3 = kHexValue[p[6]], l3 = kHexValue[p[7]];
        seen = static_cast<std::uint8_t>(seen | h0 | l0 | h1 | l1 | h2 | l2 | h3 | l3);
        o[at] = static_cast<std::uint8_t>(((h0 & 15) << 4) | (l0 & 15));
        o[at + 1] = static_cast<std::uint8_t>(((h1 & 15) << 4) | (l1 & 15));
        o[at + 2] = static_cast<std::uint8_t>(((h2 & 15) << 4) | (l2 & 15));
        o[at + 3] = static_cast<std::uint8_t>(((h3 & 15) << 4) | (l3 & 15));
    }
    for (; at < n; ++at) {
        const std::uint8_t hi = kHexValue[in[2 * at]];
        const std::uint8_t lo = kHexValue[in[2 * at + 1]];
        seen = static_cast<std::uint8_t>(seen | hi | lo);
        o[at] = static_cast<std::uint8_t>(((hi & 15) << 4) | (lo & 15));
    }
    if ((seen & 0xe0) != 0) {
        for (std::size_t k = 0; k < text.size(); ++k) {
            if (kHexValue[in[k]] == 0xff) {
                return fail(Error::decode_error, "not a hex digit", k);
            }
        }
    }
    if ((seen & 16) != 0 && !accept_upper) {
        for (std::size_t k = 0; k < text.size(); ++k) {
            if ((kHexValue[in[k]] & 16) != 0) {
                return fail(Error::non_canonical, "uppercase hex", k);
            }
        }
    }
    return out;
}

std::string encode_b91(ByteView data, std::string_view alphabet) {
    // At most two digits per 13 bits, plus two for the tail: sized once, trimmed at the end.
    std::string out(data.size() * 16 / 13 + 2, '\0');
    std::size_t w = 0;
    std::uint32_t b = 0;
    unsigned n = 0;
    for (const std::uint8_t byte : data) {
        b |= static_cast<std::uint32_t>(byte) << n;
        n += 8;
        if (n > 13) {
            std::uint32_t v = b & 8191;
            if (v > 88) {
                b >>= 13;
                n -= 13;
            } else {
                v = b & 16383;
                b >>= 14;
                n -= 14;
            }
            out[w++] = alphabet[v % 91];
            out[w++] = alphabet[v / 91];
        }
    }
    if (n > 0) {
        out[w++] = alphabet[b % 91];
        if (n > 7 || b > 90) {
            out[w++] = alphabet[b / 91];
        }
    }
    out.resize(w);
    return out;
}

Result<Bytes> decode_b91(std::string_view text, const AlphabetIndex& index_of, bool zero_table) {
    // Each pair of digits gives 13 or 14 bits, a lone last digit one byte: sized once, trimmed.
    Bytes out(text.size() * 14 / 16 + 2);
    std::uint8_t* o = out.data();
    std::size_t w = 0;
    std::uint32_t b = 0;
    unsigned n = 0;
    // For the canonical check: the last pair's value and bit count.
    std::uint32_t last_v = 0;
    unsigned last_bits = 0;
    // A pair a round: both digits looked up, one test for a character outside the alphabet, and
    // the one or two bytes the pair completes (13 or 14 bits on top of at most 7 left over).
    const std::size_t pairs_end = text.size() & ~std::size_t{1};
    for (std::size_t k = 0; k < pairs_end; k += 2) {
        int d0 = index_of(text[k]);
        int d1 = index_of(text[k + 1]);
        if ((d0 | d1) < 0) {
            if (!zero_table) {
                return fail(Error::decode_error, "character outside the basE91 alphabet", d0 < 0 ? k : k + 1);
            }
            d0 = std::max(d0, 0);
            d1 = std::max(d1, 0);
        }
        const auto v = static_cast<std::uint32_t>(d0 + d1 * 91);
        const unsigned bits = (v & 8191) > 88 ? 13 : 14;
        last_v = v;
        last_bits = bits;
        b |= v << n;
        n += bits - 8;
        o[w++] = static_cast<std::uint8_t>(b & 255);
        b >>= 8;
        if (n > 7) {
            o[w++] = static_cast<std::uint8_t>(b & 255);
            b >>= 8;
            n -= 8;
        }
    }
    // What the pairs left over: n bits (0..7) of value b, the top bits of the last pair's group.
    const unsigned left_bits = n;
    const std::uint32_t left = b;
    const bool lone = pairs_end != text.size();
    std::uint32_t last_digit = 0;
    if (lone) {
        int d = index_of(text[pairs_end]);
        if (d < 0) {
            if (!zero_table) {
                return fail(Error::decode_error, "character outside the basE91 alphabet", pairs_end);
            }
            d = 0;
        }
        last_digit = static_cast<std::uint32_t>(d);
        o[w++] = static_cast<std::uint8_t>((b | last_digit << n) & 255);
    }
    out.resize(w);
    if (zero_table) {
        return out;
    }
    // basE91 has several spellings of the same bytes (a pair whose value the encoder would have
    // split as 13 bits, a dangling tail); only the encoder's own is accepted. The encoder takes the
    // same 13- or 14-bit groups as the decoder while at least 14 bits remain, so every pair but the
    // last is its own (both alphabets have 91 digits, so every digit is one the encoder writes);
    // the text's end is the encoder's exactly when:
    //  - a lone last digit d: the pairs left 1..7 bits over (with none, the last byte's 8 bits take
    //    two digits), and d has no bit beyond the last byte (d < 2^(8 - left));
    //  - a last pair of value v in a group of g bits: the left-over bits (the group's top ones) are
    //    zero, and the g - left bits the encoder holds at its end take two digits (more than 7 bits,
    //    or a value above 90).
    // Every other text (an empty one included) decodes and re-encodes to itself. A property test
    // (tests/hivemind/codecs_test.cpp) compares this with re-encoding on arbitrary texts.
    bool canonical = true;
    if (lone) {
        canonical = left_bits >= 1 && (last_digit >> (8 - left_bits)) == 0;
    } else if (last_bits != 0) {
        const unsigned held = last_bits - left_bits;
        canonical = left == 0 && (held > 7 || last_v > 90);
    }
    if (!canonical) {
        return fail(Error::non_canonical, "not the encoder's basE91 form", text.empty() ? 0 : text.size() - 1);
    }
    return out;
}

void z85_digits(std::uint32_t value, std::string& out, bool least_first) {
    char d[5];
    for (int k = 4; k >= 0; --k) {
        d[k] = kZ85Alphabet[value % 85];
        value /= 85;
    }
    if (least_first) {
        for (int k = 4; k >= 0; --k) {
            out.push_back(d[k]);
        }
    } else {
        out.append(d, 5);
    }
}

// Five digits (most significant first) to a 32-bit value; digit offsets are reported.
// `reversed`: digits[k] sits at base + 4 - k in the input (JSON-Z85B writes least significant first).
Result<std::uint32_t> z85_value(std::string_view digits, std::size_t base, bool reversed = false) {
    std::uint64_t v = 0;
    for (std::size_t k = 0; k < 5; ++k) {
        const int d = kZ85Index(digits[k]);
        if (d < 0) {
            return fail(Error::decode_error, "character outside the Z85 alphabet", reversed ? base + 4 - k : base + k);
        }
        v = v * 85 + static_cast<std::uint64_t>(d);
    }
    if (v > 0xffffffffu) {
        return fail(Error::decode_error, "Z85 group above 2^32 - 1", base);
    }
    return static_cast<std::uint32_t>(v);
}

std::string encode_z85b(ByteView data) {
    const std::size_t pad = (4 - data.size() % 4) % 4;
    std::string out;
    out.reserve((data.size() + pad) / 4 * 5);
    for (std::size_t k = 0; k < data.size(); k += 4) {
        std::uint32_t v = 0;
        for (std::size_t j = 0; j < 4; ++j) {
            const std::uint32_t byte = k + j < data.size() ? data[k + j] : 0;
            v |= byte << (8 * j);  // little-endian group
        }
        z85_digits(v, out, true);
    }
    out.resize(out.size() - pad);
    return out;
}

Result<Bytes> decode_z85b(std::string_view text) {
    const std::size_t rem = text.size() % 5;
    if (rem == 1) {
        return fail(Error::bad_length, "JSON-Z85B length leaves one digit", text.size());
    }
    const std::size_t pad = rem == 0 ? 0 : 5 - rem;
    const std::size_t digits = text.size() + pad;
    Bytes out;
    out.reserve(digits / 5 * 4);
    for (std::size_t k = 0; k < digits; k += 5) {
        // The group's digits most significant first; the padding digits ('0') are the last ones
        // of the text, so the most significant of a short last group.
        char msd_first[5];
        for (std::size_t i = 0; i < 5; ++i) {
            const std::size_t at = k + 4 - i;
            msd_first[i] = at < text.size() ? text[at] : '0';
        }
        SK_TRY(std::uint32_t v, z85_value(std::string_view(msd_first, 5), k, true));
        for (std::size_t j = 0; j < 4; ++j) {
            out.push_back(static_cast<std::uint8_t>(v >> (8 * j)));
        }
    }
    for (std::size_t j = 0; j < pad; ++j) {
        if (out.back() != 0) {
            return fail(Error::non_canonical, "dropped JSON-Z85B digits would not be zero",
                        text.empty() ? 0 : text.size() - 1);
        }
        out.pop_back();
    }
    return out;
}

std::string encode_z85p(ByteView data) {
    const std::size_t pad = (4 - data.size() % 4) % 4;
    std::string out;
    out.reserve(1 + (data.size() + pad) / 4 * 5);
    out.push_back(static_cast<char>(pad));
    for (std::size_t k = 0; k < data.size(); k += 4) {
        std::uint32_t v = 0;
        for (std::size_t j = 0; j < 4; ++j) {
            const std::uint32_t byte = k + j < data.size() ? data[k + j] : 0;
            v = (v << 8) | byte;
        }
        z85_digits(v, out, false);
    }
    return out;
}

Result<Bytes> decode_z85p(std::string_view text) {
    if (text.empty()) {
        return fail(Error::truncated, "JSON-Z85P needs its padding byte", 0);
    }
    const auto pad = static_cast<std::uint8_t>(text[0]);
    if (pad > 3) {
        return fail(Error::bad_padding, "JSON-Z85P padding byte above 3", 0);
    }
    const std::string_view body = text.substr(1);
    if (body.size() % 5 != 0) {
        return fail(Error::bad_length, "JSON-Z85P body is not a multiple of 5 digits", text.size());
    }
    if (body.empty() && pad != 0) {
        return fail(Error::bad_padding, "JSON-Z85P padding larger than the data", 0);
    }
    Bytes out;
    out.reserve(body.size() / 5 * 4);
    for (std::size_t k = 0; k < body.size(); k += 5) {
        SK_TRY(std::uint32_t v, z85_value(body.substr(k, 5), 1 + k));
        for (int j = 3; j >= 0; --j) {
            out.push_back(static_cast<std::uint8_t>(v >> (8 * j)));
        }
    }
    for (std::size_t j = 0; j < pad; ++j) {
        if (out.back() != 0) {
            return fail(Error::non_canonical, "JSON-Z85P padding bytes are not zero", text.size() - 1);
        }
        out.pop_back();
    }
    return out;
}

}  // namespace

std::string_view wire_name(Encoding e) noexcept { return kNames[static_cast<std::size_t>(e)]; }

std::optional<Encoding> encoding_from_wire(std::string_view name) noexcept {
    for (std::size_t k = 0; k < kEncodingCount; ++k) {
        if (kNames[k] == name) {
            return kAll[k];
        }
    }
    return std::nullopt;
}

std::span<const Encoding> all_encodings() noexcept { return kAll; }

std::string encode(Encoding e, ByteView data, const CodecQuirks& q) {
    switch (e) {
        case Encoding::hex: return encode_hex(data);
        case Encoding::b64: return encode_bits(data, kB64, 6, 4);
        case Encoding::urlsafe_b64: return encode_bits(data, kB64Url, 6, 4);
        case Encoding::b32: return encode_bits(data, kB32, 5, 8);
        case Encoding::b91: return encode_b91(data, q.b91_compiled_alphabet ? kB91CompiledAlphabet : kB91Alphabet);
        case Encoding::z85b: return encode_z85b(data);
        case Encoding::z85p: return encode_z85p(data);
    }
    return {};
}

Result<Bytes> decode(Encoding e, std::string_view text, const CodecQuirks& q) {
    switch (e) {
        case Encoding::hex: return decode_hex(text, q.hex_accepts_uppercase);
        case Encoding::b64: return decode_bits(text, kB64Index, 6, 4, q.lax_base64);
        case Encoding::urlsafe_b64: return decode_bits(text, kB64UrlIndex, 6, 4, q.lax_base64);
        case Encoding::b32: return decode_bits(text, kB32Index, 5, 8, false);
        case Encoding::b91:
            return decode_b91(text, q.b91_compiled_alphabet ? kB91CompiledIndex : kB91Index, q.b91_zero_table);
        case Encoding::z85b: return decode_z85b(text);
        case Encoding::z85p:
            if (q.z85p_broken) {
                return fail(Error::decode_error, "JSON-Z85P decoding is broken upstream (knob)", 0);
            }
            return decode_z85p(text);
    }
    return fail(Error::unknown_type, "unknown encoding");
}

}  // namespace shakedown::hivemind
