// Handshake messages and the record header: strict parsers, typed errors at offsets, round trips.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <deque>
#include <set>

#include "sft/channel.hpp"
#include "sft/handshake_messages.hpp"
#include "sft/record.hpp"

namespace shakedown::sft {
namespace {

template <std::size_t N>
ByteArray<N> filled(std::uint8_t v) {
    ByteArray<N> a{};
    a.fill(v);
    return a;
}

TEST(SftCodec, H1RoundTripAndLayout) {
    const H1 m{filled<32>(7)};
    const Bytes w = serialize(m);
    ASSERT_EQ(w.size(), kH1Len);
    EXPECT_EQ(to_hex(ByteView(w).first(4)), "00000020");
    EXPECT_EQ(*parse_h1(w), m);
}

TEST(SftCodec, H2RoundTripAndLayout) {
    const H2 m{filled<32>(1), filled<32>(2), filled<64>(3)};
    const Bytes w = serialize(m);
    ASSERT_EQ(w.size(), kH2Len);
    EXPECT_EQ(to_hex(ByteView(w).subspan(36, 4)), "00000020");
    EXPECT_EQ(to_hex(ByteView(w).subspan(72, 4)), "00000040");
    EXPECT_EQ(*parse_h2(w), m);
}

TEST(SftCodec, PrefixOtherThanTheFieldSizeIsBadLengthAtThePrefix) {
    Bytes w = serialize(H2{filled<32>(1), filled<32>(2), filled<64>(3)});
    w[39] = 31;  // second prefix
    auto r = parse_h2(w);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), Error::bad_length);
    EXPECT_EQ(r.failure().offset, 36U);
    Bytes z = {0, 0, 0, 0};
    EXPECT_EQ(parse_h1(z).error(), Error::bad_length);
    Bytes huge = {0xff, 0xff, 0xff, 0xff, 1, 2};
    EXPECT_EQ(parse_h1(huge).failure().offset, 0U);
}

TEST(SftCodec, TruncationAndTrailingBytes) {
    const auto every_prefix_fails = [](const Bytes& w, auto parse) {
        for (std::size_t n = 0; n < w.size(); ++n) {
            auto r = parse(ByteView(w).first(n));
            ASSERT_FALSE(r.ok()) << n;
            EXPECT_EQ(r.error(), Error::truncated) << n;
        }
    };
    every_prefix_fails(serialize(H1{}), [](ByteView b) { return parse_h1(b); });
    every_prefix_fails(serialize(H2{}), [](ByteView b) { return parse_h2(b); });
    every_prefix_fails(serialize(Confirm{}), [](ByteView b) { return parse_confirm(b); });
    every_prefix_fails(serialize(D1{}), [](ByteView b) { return parse_d1(b); });
    every_prefix_fails(serialize(D2{}), [](ByteView b) { return parse_d2(b); });
    Bytes w = serialize(D1{});
    w.push_back(0);
    auto r = parse_d1(w);
    EXPECT_EQ(r.error(), Error::trailing_bytes);
    EXPECT_EQ(r.failure().offset, kD1Len);
    Bytes c = serialize(Confirm{});
    c.push_back(0);
    EXPECT_EQ(parse_confirm(c).failure().offset, kConfirmLen);
}

TEST(SftCodec, RecordHeaderChecksMagicAndLengthOnly) {
    RecordHeader h;
    h.payload_len = 10;
    h.version = 3;           // V10 is checked after the payload is read
    h.payload_type = 9;      // V13 after decryption
    EXPECT_TRUE(parse_record_header(serialize(h)).ok());
    h.magic[3] = 'X';
    auto r = parse_record_header(serialize(h));
    EXPECT_EQ(r.error(), Error::decode_error);
    EXPECT_EQ(r.failure().offset, 0U);
    h.magic = kMagic;
    h.payload_len = kMaxPacketSize + 1;
    EXPECT_EQ(parse_record_header(serialize(h)).error(), Error::oversize);
    EXPECT_EQ(parse_record_header(serialize(h)).failure().offset, 17U);
    h.payload_len = kMaxPacketSize;
    EXPECT_TRUE(parse_record_header(serialize(h)).ok());
    h.payload_len = 0;
    EXPECT_EQ(parse_record_header(serialize(h)).error(), Error::bad_length);
    EXPECT_EQ(parse_record_header(ByteView(serialize(h)).first(64)).error(), Error::truncated);
}

TEST(SftCodec, RecordOpenRunsV10ToV13InOrder) {
    RecordKey k{Profile::described, Secret<32>(filled<32>(9)), filled<16>(4)};
    const Bytes rec = seal_record(k, PayloadType::data, 77, filled<12>(1), as_bytes("hello"));
    auto o = open_record(k, rec);
    ASSERT_TRUE(o.ok());
    EXPECT_EQ(o->type, PayloadType::data);
    EXPECT_EQ(o->header.offset, 77U);
    EXPECT_EQ(o->plaintext, Bytes({'h', 'e', 'l', 'l', 'o'}));
    Bytes v = rec;
    v[7] = 3;  // version and a now-wrong tag: version is reported
    EXPECT_EQ(open_record(k, v).error(), Error::wrong_version);
    Bytes kid = rec;
    kid[21] ^= 1;
    EXPECT_EQ(open_record(k, kid).error(), Error::bad_credentials);
    Bytes tag = rec;
    tag[50] ^= 1;
    EXPECT_EQ(open_record(k, tag).error(), Error::bad_mac);
    Bytes extra = rec;
    extra.push_back(0);
    EXPECT_EQ(open_record(k, extra).error(), Error::trailing_bytes);
    const Bytes three = seal_record(k, static_cast<PayloadType>(3), 0, filled<12>(2), as_bytes("x"));
    EXPECT_EQ(open_record(k, three).error(), Error::unknown_type);
}

RC_GTEST_PROP(SftCodecProps, HandshakeMessagesRoundTrip,
              (const ByteArray<32>& a, const ByteArray<32>& b, const ByteArray<64>& s, const ByteArray<12>& n)) {
    RC_ASSERT(*parse_h1(serialize(H1{a})) == H1{a});
    RC_ASSERT(*parse_h2(serialize(H2{a, b, s})) == (H2{a, b, s}));
    RC_ASSERT(*parse_d1(serialize(D1{a, b})) == (D1{a, b}));
    RC_ASSERT(*parse_d2(serialize(D2{a, s})) == (D2{a, s}));
    Confirm c;
    c.nonce = n;
    std::copy_n(a.begin(), 16, c.tag.begin());
    std::copy_n(b.begin(), 7, c.ciphertext.begin());
    RC_ASSERT(*parse_confirm(serialize(c)) == c);
}

RC_GTEST_PROP(SftCodecProps, AcceptedHeadersReencodeIdentically, (const std::vector<std::uint8_t>& tail)) {
    Bytes b(kHeaderLen, 0x01);
    std::copy(kMagic.begin(), kMagic.end(), b.begin());
    std::copy_n(tail.begin(), std::min(tail.size(), kHeaderLen - 4), b.begin() + 4);
    auto h = parse_record_header(b);
    if (h.ok()) {
        RC_ASSERT(serialize(*h) == b);
    }
}

RC_GTEST_PROP(SftCodecProps, AnyTamperOfASealedRecordIsRejected,
              (const std::vector<std::uint8_t>& pt, const ByteArray<32>& key)) {
    RC_PRE(!pt.empty());
    RecordKey k{Profile::upstream_v2, Secret<32>(key), filled<16>('a')};
    const Bytes rec = seal_record(k, PayloadType::json, 0, filled<12>(5), pt);
    RC_ASSERT(open_record(k, rec).ok());
    const auto bit = *rc::gen::inRange<std::size_t>(0, rec.size() * 8);
    Bytes t = rec;
    t[bit / 8] = static_cast<std::uint8_t>(t[bit / 8] ^ (1U << (bit % 8)));
    RC_ASSERT(!open_record(k, t).ok());
}

// The definition a BoundedSet is held to: a FIFO of distinct values, the oldest dropped past
// `bound` (0: unbounded).
template <class T>
struct FifoOfDistinct {
    std::size_t bound;
    std::deque<T> kept;
    void insert(T v) {
        if (std::find(kept.begin(), kept.end(), v) == kept.end()) {
            kept.push_back(v);
            if (bound != 0 && kept.size() > bound) {
                kept.pop_front();
            }
        }
    }
    [[nodiscard]] bool contains(T v) const { return std::find(kept.begin(), kept.end(), v) != kept.end(); }
};

// The replay and reflection sets keep the last `bound` distinct values: checked against the
// definition for arbitrary insertions, bounded and unbounded.
RC_GTEST_PROP(SftChannelProps, BoundedSetKeepsTheLastDistinctValues, (const std::vector<std::uint8_t>& values)) {
    const auto bound = *rc::gen::inRange<std::size_t>(0, 6);
    BoundedSet<std::uint8_t> set(bound);
    FifoOfDistinct<std::uint8_t> want{bound, {}};
    for (const std::uint8_t v : values) {
        set.insert(v);
        want.insert(v);
        RC_ASSERT(set.size() == want.kept.size());
        for (int x = 0; x < 256; ++x) {
            const auto b = static_cast<std::uint8_t>(x);
            RC_ASSERT(set.contains(b) == want.contains(b));
        }
    }
}

// The same with larger bounds and wider values: the table grows several times, evicts across
// its wrap-around, and still answers exactly as the definition does.
RC_GTEST_PROP(SftChannelProps, BoundedSetAgreesWithItsDefinitionWhileGrowing, ()) {
    const auto bound = *rc::gen::inRange<std::size_t>(0, 300);
    const auto values = *rc::gen::container<std::vector<std::uint16_t>>(rc::gen::inRange<std::uint16_t>(0, 700));
    BoundedSet<std::uint16_t> set(bound);
    FifoOfDistinct<std::uint16_t> want{bound, {}};
    std::set<std::uint16_t> seen;
    for (const std::uint16_t v : values) {
        set.insert(v);
        want.insert(v);
        seen.insert(v);
        RC_ASSERT(set.size() == want.kept.size());
    }
    for (const std::uint16_t v : seen) {
        RC_ASSERT(set.contains(v) == want.contains(v));
    }
    RC_ASSERT(!set.contains(std::uint16_t{700}));
}

}  // namespace
}  // namespace shakedown::sft
