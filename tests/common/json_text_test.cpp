// The shared JSON text scanners (impl/common/json_text.hpp) against byte-by-byte definitions: every
// byte value at every position of a buffer longer than two 32-byte blocks.
#include <gtest/gtest.h>

#include <cstdint>
#include <vector>

#include "common/json_text.hpp"

namespace shakedown {
namespace {

constexpr std::size_t kLen = 75;  // two 32-byte blocks, a word and a tail

template <PlainRun Kind>
bool plain(std::uint8_t c) {
    if (c < 0x20 || c == '"' || c == '\\') {
        return false;
    }
    if (Kind != PlainRun::any_byte && c >= 0x80) {
        return false;
    }
    return !(Kind == PlainRun::printable && c == 0x7f);
}

template <PlainRun Kind>
void check_plain_run() {
    for (int c = 0; c < 256; ++c) {
        for (std::size_t at = 0; at < kLen; ++at) {
            std::vector<std::uint8_t> s(kLen, 'a');
            s[at] = static_cast<std::uint8_t>(c);
            const std::size_t expected = plain<Kind>(static_cast<std::uint8_t>(c)) ? kLen : at;
            ASSERT_EQ(plain_run<Kind>(s.data(), s.size()), expected) << "byte " << c << " at " << at;
            // A shorter view stops at its own end.
            ASSERT_EQ(plain_run<Kind>(s.data(), at), at) << "byte " << c << " at " << at;
        }
    }
}

TEST(JsonText, PlainRunAnyByte) { check_plain_run<PlainRun::any_byte>(); }
TEST(JsonText, PlainRunAscii) { check_plain_run<PlainRun::ascii>(); }
TEST(JsonText, PlainRunPrintable) { check_plain_run<PlainRun::printable>(); }

TEST(JsonText, WhitespaceRun) {
    for (int c = 0; c < 256; ++c) {
        const bool ws = c == ' ' || c == '\t' || c == '\n' || c == '\r';
        for (std::size_t at = 0; at < kLen; ++at) {
            std::vector<std::uint8_t> s(kLen, ' ');
            s[at] = static_cast<std::uint8_t>(c);
            ASSERT_EQ(whitespace_run(s.data(), s.size()), ws ? kLen : at) << "byte " << c << " at " << at;
            ASSERT_EQ(whitespace_run(s.data(), at), at);
        }
    }
    EXPECT_EQ(whitespace_run(nullptr, 0), 0U);
}

TEST(JsonText, AsciiRun) {
    for (int c = 0; c < 256; ++c) {
        for (std::size_t at = 0; at < kLen; ++at) {
            std::vector<std::uint8_t> s(kLen, 0x7f);
            s[at] = static_cast<std::uint8_t>(c);
            ASSERT_EQ(ascii_run(s.data(), s.size()), c < 0x80 ? kLen : at) << "byte " << c << " at " << at;
            ASSERT_EQ(ascii_run(s.data(), at), at);
        }
    }
    EXPECT_EQ(ascii_run(nullptr, 0), 0U);
}

}  // namespace
}  // namespace shakedown
