#include <algorithm>

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "hivemind/codecs.hpp"

namespace shakedown::hivemind {
namespace {

void expect_error(Encoding e, std::string_view text, Error err, std::size_t offset) {
    const auto r = decode(e, text);
    ASSERT_FALSE(r.ok()) << wire_name(e) << " " << text;
    EXPECT_EQ(r.error(), err) << wire_name(e) << " " << text;
    EXPECT_EQ(r.failure().offset, offset) << wire_name(e) << " " << text;
}

TEST(HiveMindCodecs, WireNamesRoundTrip) {
    for (const auto e : all_encodings()) {
        EXPECT_EQ(encoding_from_wire(wire_name(e)), e);
    }
    EXPECT_FALSE(encoding_from_wire("JSON-hex").has_value());
}

TEST(HiveMindCodecs, HexIsLowercaseOnly) {
    expect_error(Encoding::hex, "0A", Error::non_canonical, 1);
    expect_error(Encoding::hex, "0g", Error::decode_error, 1);
    expect_error(Encoding::hex, "abc", Error::bad_length, 3);
    CodecQuirks q;
    q.hex_accepts_uppercase = true;
    EXPECT_TRUE(decode(Encoding::hex, "0A", q).ok());
}

TEST(HiveMindCodecs, Base64AndBase32RejectEveryNonCanonicalTail) {
    expect_error(Encoding::b64, "Zh==", Error::non_canonical, 1);
    expect_error(Encoding::b64, "Zg=", Error::bad_length, 3);
    expect_error(Encoding::b64, "Zg", Error::bad_length, 2);
    expect_error(Encoding::b64, "Z===", Error::bad_padding, 1);
    expect_error(Encoding::b64, "Zg=a", Error::decode_error, 2);
    expect_error(Encoding::b64, "Zm-v", Error::decode_error, 2);
    expect_error(Encoding::urlsafe_b64, "Zm+v", Error::decode_error, 2);
    expect_error(Encoding::b32, "MZ======", Error::non_canonical, 1);
    expect_error(Encoding::b32, "M=======", Error::bad_padding, 1);
    expect_error(Encoding::b32, "my======", Error::decode_error, 0);
    CodecQuirks lax;
    lax.lax_base64 = true;
    EXPECT_TRUE(decode(Encoding::b64, "Zm9v!Yg", lax).ok());
}

TEST(HiveMindCodecs, Base91StrictAlphabetAndUpstreamDefects) {
    expect_error(Encoding::b91, "fPN-d", Error::decode_error, 3);
    expect_error(Encoding::b91, "/", Error::non_canonical, 0);  // one byte always takes two digits
    CodecQuirks zero;
    zero.b91_zero_table = true;
    // Outside the alphabet reads as 'A' (value 0): "fPN-d" decodes like "fPNAd".
    EXPECT_EQ(decode(Encoding::b91, "fPN-d", zero).value(), decode(Encoding::b91, "fPNAd", zero).value());
    CodecQuirks compiled;
    compiled.b91_compiled_alphabet = true;
    const Bytes data = {0xff, 0xfe, 0xfd, 0xfc, 0xfb};
    EXPECT_NE(encode(Encoding::b91, data, compiled), encode(Encoding::b91, data));
    EXPECT_EQ(kB91Alphabet.substr(0, 72), kB91CompiledAlphabet.substr(0, 72));
    EXPECT_NE(kB91Alphabet[72], kB91CompiledAlphabet[72]);
}

// The strict basE91 decoder's canonical check, as it was first written: decode, re-encode, compare.
// For a text inside the alphabet the zero-table decoding is the plain one without the check.
void expect_b91_as_reencoding(std::string_view text, bool compiled) {
    CodecQuirks strict;
    strict.b91_compiled_alphabet = compiled;
    const std::string_view alphabet = compiled ? kB91CompiledAlphabet : kB91Alphabet;
    const auto got = decode(Encoding::b91, text, strict);
    const auto outside = std::find_if(text.begin(), text.end(), [&](char c) { return alphabet.find(c) == std::string_view::npos; });
    if (outside != text.end()) {
        ASSERT_FALSE(got.ok()) << text;
        EXPECT_EQ(got.error(), Error::decode_error) << text;
        EXPECT_EQ(got.failure().offset, static_cast<std::size_t>(outside - text.begin())) << text;
        return;
    }
    CodecQuirks unchecked = strict;
    unchecked.b91_zero_table = true;
    const auto raw = decode(Encoding::b91, text, unchecked);
    ASSERT_TRUE(raw.ok()) << text;
    if (encode(Encoding::b91, *raw, strict) == text) {
        ASSERT_TRUE(got.ok()) << text;
        EXPECT_EQ(*got, *raw) << text;
    } else {
        ASSERT_FALSE(got.ok()) << text;
        EXPECT_EQ(got.error(), Error::non_canonical) << text;
        EXPECT_EQ(got.failure().offset, text.empty() ? 0 : text.size() - 1) << text;
    }
}

// Every text of up to three digits, both alphabets: the direct check accepts exactly what
// re-encoding accepted.
TEST(HiveMindCodecs, Base91CanonicalCheckIsReencodingOnEveryShortText) {
    for (const bool compiled : {false, true}) {
        const std::string_view a = compiled ? kB91CompiledAlphabet : kB91Alphabet;
        expect_b91_as_reencoding("", compiled);
        std::string t;
        for (const char c0 : a) {
            expect_b91_as_reencoding(std::string(1, c0), compiled);
            for (const char c1 : a) {
                expect_b91_as_reencoding(std::string{c0, c1}, compiled);
                for (const char c2 : a) {
                    t = {c0, c1, c2};
                    expect_b91_as_reencoding(t, compiled);
                    if (::testing::Test::HasFailure()) {
                        return;
                    }
                }
            }
        }
    }
}

TEST(HiveMindCodecs, Z85VariantsHaveTheirOwnLayouts) {
    // JSON-Z85B: little-endian groups, least significant digit first, digits dropped for padding.
    const Bytes one = {0x01};
    EXPECT_EQ(encode(Encoding::z85b, one), "10");  // value 1: digits 1,0,0,0,0 with 3 dropped
    const Bytes four = {0x01, 0x00, 0x00, 0x00};
    EXPECT_EQ(encode(Encoding::z85b, four), "10000");
    expect_error(Encoding::z85b, "100001", Error::bad_length, 6);
    expect_error(Encoding::z85b, "0000#", Error::decode_error, 0);  // MSD first: '#' high digit is first
    expect_error(Encoding::z85b, "#####", Error::decode_error, 0);
    expect_error(Encoding::z85b, "zz", Error::non_canonical, 1);
    // JSON-Z85P: a raw padding byte, then big-endian Z85.
    EXPECT_EQ(encode(Encoding::z85p, one), std::string("\x03") + "0rr91");
    expect_error(Encoding::z85p, std::string("\x04"), Error::bad_padding, 0);
    expect_error(Encoding::z85p, std::string("\x01") + "0000", Error::bad_length, 5);
    expect_error(Encoding::z85p, std::string("\x01"), Error::bad_padding, 0);
    expect_error(Encoding::z85p, "", Error::truncated, 0);
    expect_error(Encoding::z85p, std::string("\x03") + "0rr92", Error::non_canonical, 5);
    CodecQuirks broken;
    broken.z85p_broken = true;
    EXPECT_FALSE(decode(Encoding::z85p, encode(Encoding::z85p, one), broken).ok());
}

RC_GTEST_PROP(HiveMindCodecProps, DecodeInvertsEncode, (const std::vector<std::uint8_t>& data)) {
    for (const auto e : all_encodings()) {
        const auto back = decode(e, encode(e, data));
        RC_ASSERT(back.ok());
        RC_ASSERT(*back == data);
    }
}

RC_GTEST_PROP(HiveMindCodecProps, AcceptedTextIsTheEncodersOwn, (const std::vector<std::uint8_t>& data)) {
    // Any mutation the strict decoder accepts must be the canonical spelling of what it decodes to.
    for (const auto e : all_encodings()) {
        std::string text = encode(e, data);
        if (text.empty()) {
            continue;
        }
        const auto at = *rc::gen::inRange<std::size_t>(0, text.size());
        text[at] = *rc::gen::arbitrary<char>();
        const auto r = decode(e, text);
        if (r.ok()) {
            RC_ASSERT(encode(e, *r) == text);
        }
    }
}

// Arbitrary texts (mostly alphabet digits, sometimes any byte), and encodings with their tail
// changed: the direct canonical check accepts exactly what re-encoding accepted.
RC_GTEST_PROP(HiveMindCodecProps, Base91CanonicalCheckIsReencoding, (const std::vector<std::uint8_t>& data)) {
    for (const bool compiled : {false, true}) {
        const std::string_view a = compiled ? kB91CompiledAlphabet : kB91Alphabet;
        const auto len = *rc::gen::inRange<std::size_t>(0, 40);
        std::string text;
        for (std::size_t k = 0; k < len; ++k) {
            text.push_back(*rc::gen::inRange(0, 50) == 0 ? *rc::gen::arbitrary<char>()
                                                          : a[*rc::gen::inRange<std::size_t>(0, a.size())]);
        }
        expect_b91_as_reencoding(text, compiled);
        CodecQuirks q;
        q.b91_compiled_alphabet = compiled;
        std::string enc = encode(Encoding::b91, data, q);
        expect_b91_as_reencoding(enc, compiled);
        if (!enc.empty()) {
            enc.back() = a[*rc::gen::inRange<std::size_t>(0, a.size())];
            expect_b91_as_reencoding(enc, compiled);
            enc.push_back(a[*rc::gen::inRange<std::size_t>(0, a.size())]);
            expect_b91_as_reencoding(enc, compiled);
            enc.resize(enc.size() - 2);
            expect_b91_as_reencoding(enc, compiled);
        }
        RC_ASSERT(!::testing::Test::HasFailure());
    }
}

}  // namespace
}  // namespace shakedown::hivemind
