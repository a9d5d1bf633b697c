#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "common/reader.hpp"
#include "common/writer.hpp"

namespace shakedown {
namespace {

TEST(Reader, ReadsBigEndianIntegers) {
    const Bytes in = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d};
    Reader r(in);
    EXPECT_EQ(*r.read_u8(), 0x01);
    EXPECT_EQ(*r.read_u32be(), 0x02030405U);
    EXPECT_EQ(*r.read_u64be(), 0x060708090a0b0c0dULL);
    EXPECT_TRUE(r.expect_done().ok());
}

TEST(Reader, TruncationFailsAtEndOfInputAndDoesNotAdvance) {
    const Bytes in = {0xff, 0xff, 0xff};
    Reader r(in, 10);
    auto v = r.read_u32be();
    ASSERT_FALSE(v.ok());
    EXPECT_EQ(v.error(), Error::truncated);
    EXPECT_EQ(v.failure().offset, 13U);
    EXPECT_EQ(r.remaining(), 3U);
}

TEST(Reader, TrailingBytesReportFirstUnconsumedOffset) {
    const Bytes in = {0, 0, 0, 1, 9};
    Reader r(in);
    ASSERT_TRUE(r.read_u32be().ok());
    auto d = r.expect_done();
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.error(), Error::trailing_bytes);
    EXPECT_EQ(d.failure().offset, 4U);
}

TEST(Reader, PrefixedLengthOverBoundIsBadLength) {
    const Bytes in = {0x00, 0x05, 1, 2, 3, 4, 5};
    Reader r(in);
    auto v = r.read_prefixed_u16be(4);
    ASSERT_FALSE(v.ok());
    EXPECT_EQ(v.error(), Error::bad_length);
    EXPECT_EQ(v.failure().offset, 0U);
    EXPECT_EQ(r.offset(), 0U);
}

TEST(Writer, FillsLengthPrefixes) {
    Writer w;
    const auto pos = w.begin_length(2);
    w.put_u32be(0xdeadbeef);
    w.end_length(pos, 2);
    EXPECT_EQ(to_hex(w.bytes()), "0004deadbeef");
}

TEST(Writer, WritesBigEndianAndPatchesInPlace) {
    Writer w;
    w.put_u32be(0);
    w.put_u16be(0x0102);
    w.put_u64be(0x030405060708090aULL);
    w.put_u32be(0x0b0c0d0e);
    w.patch_u32be(0, 0x80000012U);
    EXPECT_EQ(to_hex(w.bytes()), "800000120102030405060708090a0b0c0d0e");
    w.patch_u32be(w.size() - 4, 0xfffefdfcU);
    EXPECT_EQ(to_hex(w.bytes()), "800000120102030405060708090afffefdfc");
}

RC_GTEST_PROP(ReaderWriter, IntegersRoundTrip, (std::uint8_t a, std::uint16_t b, std::uint32_t c, std::uint64_t d)) {
    Writer w;
    w.put_u8(a);
    w.put_u16be(b);
    w.put_u32be(c);
    w.put_u64be(d);
    Reader r(w.bytes());
    RC_ASSERT(*r.read_u8() == a);
    RC_ASSERT(*r.read_u16be() == b);
    RC_ASSERT(*r.read_u32be() == c);
    RC_ASSERT(*r.read_u64be() == d);
    RC_ASSERT(r.done());
}

RC_GTEST_PROP(ReaderWriter, AnyPrefixOfAValidEncodingIsTruncated, (std::vector<std::uint8_t> payload)) {
    Writer w;
    const auto pos = w.begin_length(4);
    w.put_bytes(payload);
    w.end_length(pos, 4);
    const Bytes full = std::move(w).take();
    const auto cut = *rc::gen::inRange<std::size_t>(0, full.size());
    Reader r(ByteView(full).first(cut));
    auto v = r.read_prefixed_u32be(1 << 20);
    RC_ASSERT(!v.ok());
    RC_ASSERT(v.error() == Error::truncated);
}

TEST(Hex, RoundTripAndRejectsBadInput) {
    EXPECT_EQ(to_hex(*from_hex("00ffA0")), "00ffa0");
    EXPECT_FALSE(from_hex("0").has_value());
    EXPECT_FALSE(from_hex("zz").has_value());
}

TEST(Secrets, ConstantTimeEqualityAndWipe) {
    Bytes a = {1, 2, 3};
    const Bytes b = {1, 2, 3};
    EXPECT_TRUE(ct_equal(a, b));
    EXPECT_FALSE(ct_equal(a, ByteView(b).first(2)));
    secure_wipe(a);
    EXPECT_TRUE(is_all_zero(a));
}

// Word-wise comparisons: a single flipped bit is a difference (or a non-zero byte) at every length
// and every position, in the whole words and in the tail alike.
TEST(Secrets, ConstantTimeComparisonsSeeEveryBitAtEveryLength) {
    EXPECT_TRUE(ct_equal(ByteView{}, ByteView{}));
    for (std::size_t n = 1; n <= 41; ++n) {
        Bytes a(n);
        for (std::size_t i = 0; i < n; ++i) {
            a[i] = static_cast<std::uint8_t>(i * 37 + n);
        }
        const Bytes b = a;
        ASSERT_TRUE(ct_equal(a, b)) << n;
        ASSERT_TRUE(is_all_zero(Bytes(n, 0))) << n;
        for (std::size_t i = 0; i < n; ++i) {
            for (unsigned bit = 0; bit < 8; ++bit) {
                Bytes c = b;
                c[i] = static_cast<std::uint8_t>(c[i] ^ (1U << bit));
                ASSERT_FALSE(ct_equal(a, c)) << "length " << n << ", byte " << i << ", bit " << bit;
                Bytes z(n, 0);
                z[i] = static_cast<std::uint8_t>(1U << bit);
                ASSERT_FALSE(is_all_zero(z)) << "length " << n << ", byte " << i << ", bit " << bit;
            }
        }
    }
}

}  // namespace
}  // namespace shakedown
