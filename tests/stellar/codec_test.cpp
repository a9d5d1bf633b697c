#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "stellar/codec.hpp"
#include "stellar/framing.hpp"
#include "tests/stellar/generators.hpp"

namespace shakedown::stellar {
namespace {

Hello sample_hello() {
    Hello h;
    h.ledger_version = 28;
    h.overlay_version = 42;
    h.overlay_min_version = 41;
    h.network_id.fill(0x11);
    h.version_str = "v";
    h.listening_port = 11625;
    h.peer_id.fill(0x22);
    h.cert.pubkey.fill(0x33);
    h.cert.expiration = 1767229200;
    h.cert.sig.assign(64, 0x44);
    h.nonce.fill(0x55);
    return h;
}

TEST(StellarCodec, HelloLayoutMatchesXdr) {
    const Bytes w = serialize(sample_hello());
    // 3 uint32, networkID[32], string "v" (4 + 1 + 3 pad), int32 port, NodeID (4 + 32),
    // AuthCert (32 + 8 + 4 + 64), nonce[32].
    EXPECT_EQ(w.size(), 12U + 32 + 8 + 4 + 36 + 108 + 32);
    EXPECT_EQ(to_hex(ByteView(w).subspan(44, 8)), "0000000176000000");
}

TEST(StellarCodec, HelloLayoutOffsetsPointAtTheFields) {
    const Hello h = sample_hello();
    const Bytes w = serialize(h);
    const HelloLayout l(h);
    EXPECT_EQ(l.vstr_len, 44U);
    EXPECT_EQ(w[l.vstr], 'v');
    EXPECT_EQ(to_hex(ByteView(w).subspan(l.network, 32)), to_hex(h.network_id));
    EXPECT_EQ(to_hex(ByteView(w).subspan(l.peer_id, 32)), to_hex(h.peer_id));
    EXPECT_EQ(to_hex(ByteView(w).subspan(l.cert_key, 32)), to_hex(h.cert.pubkey));
    EXPECT_EQ(to_hex(ByteView(w).subspan(l.sig, 64)), to_hex(h.cert.sig));
    EXPECT_EQ(to_hex(ByteView(w).subspan(l.nonce, 32)), to_hex(h.nonce));
    EXPECT_EQ(l.mac, w.size());
    // In a framed record every offset moves by the record mark and the envelope's header.
    EXPECT_EQ(HelloLayout(h, kHelloInRecord).nonce, l.nonce + kHelloInRecord);
}

TEST(StellarCodec, RejectsVersionStrOverBoundAtItsLengthWord) {
    Hello h = sample_hello();
    h.version_str.assign(101, 'x');
    auto r = parse_hello(serialize(h));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), Error::bad_length);
    EXPECT_EQ(r.failure().offset, 44U);
}

TEST(StellarCodec, RejectsNonZeroPaddingAtTheByte) {
    Bytes w = serialize(sample_hello());
    w[50] = 1;
    auto r = parse_hello(w);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), Error::bad_padding);
    EXPECT_EQ(r.failure().offset, 50U);
}

TEST(StellarCodec, RejectsRemovedMessageTypes) {
    for (const std::int32_t t : {1, 4, 14, 15, 25, -1}) {
        Writer w;
        w.put_i32be(t);
        auto r = parse_stellar_message(w.bytes());
        ASSERT_FALSE(r.ok()) << t;
        EXPECT_EQ(r.error(), Error::unknown_type) << t;
        EXPECT_EQ(r.failure().offset, 0U) << t;
    }
}

TEST(StellarCodec, AuthenticatedMessageKeepsUnknownArmsRawUpToTheMac) {
    const AuthenticatedMessage m{5, OtherMessage{MessageType::transaction, Bytes{1, 2, 3, 4}}, {}};
    auto r = parse_authenticated_message(serialize(m));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, m);
}

TEST(StellarFraming, LimitsFollowStellarCore) {
    EXPECT_EQ(check_frame_header(Bytes{0x80, 0, 0x10, 0x00}, false)->length, 4096U);
    EXPECT_EQ(check_frame_header(Bytes{0x80, 0, 0x10, 0x01}, false).error(), Error::oversize);
    EXPECT_TRUE(check_frame_header(Bytes{0x80, 0, 0x10, 0x01}, true).ok());
    EXPECT_EQ(check_frame_header(Bytes{0x81, 0, 0, 0x01}, true).error(), Error::oversize);
    EXPECT_EQ(check_frame_header(Bytes{0x80, 0, 0, 0}, true).error(), Error::bad_length);
    auto no_bit = check_frame_header(Bytes{0, 0, 0, 8}, false);
    ASSERT_TRUE(no_bit.ok());
    EXPECT_FALSE(no_bit->last_fragment_bit);
}

TEST(StellarFraming, DecoderStaysFailedAfterABadHeader) {
    FrameDecoder d;
    d.feed(Bytes{0x80, 0, 0, 0, 0x80, 0, 0, 4, 1, 2, 3, 4});
    EXPECT_EQ(d.next(false).error(), Error::bad_length);
    EXPECT_EQ(d.next(false).error(), Error::bad_length);
}

RC_GTEST_PROP(StellarCodecProps, StellarMessageRoundTrips, (const StellarMessage& m)) {
    const Bytes w = serialize(m);
    auto r = parse_stellar_message(w);
    RC_ASSERT(r.ok());
    RC_ASSERT(*r == m);
}

RC_GTEST_PROP(StellarCodecProps, AuthenticatedMessageRoundTrips,
              (std::uint64_t seq, const StellarMessage& m, const ByteArray<32>& mac)) {
    const AuthenticatedMessage am{seq, m, mac};
    auto r = parse_authenticated_message(serialize(am));
    RC_ASSERT(r.ok());
    RC_ASSERT(*r == am);
}

RC_GTEST_PROP(StellarCodecProps, AuthCertRoundTrips, (const AuthCert& c)) {
    auto r = parse_auth_cert(serialize(c));
    RC_ASSERT(r.ok());
    RC_ASSERT(*r == c);
}

// serialize(parse(b)) == b for every accepted b: the encoding is canonical. Inputs are valid
// encodings with one byte changed, so a good share of them still decode.
RC_GTEST_PROP(StellarCodecProps, AcceptedInputsReencodeIdentically, (const StellarMessage& m)) {
    Bytes w = serialize(m);
    if (!w.empty()) {
        const auto i = *rc::gen::inRange<std::size_t>(0, w.size());
        w[i] = *rc::gen::arbitrary<std::uint8_t>();
    }
    auto r = parse_stellar_message(w);
    if (r.ok()) {
        RC_ASSERT(serialize(*r) == w);
    } else {
        RC_ASSERT(r.failure().offset <= w.size());
    }
}

RC_GTEST_PROP(StellarCodecProps, EveryProperPrefixIsRejected, (const Hello& h)) {
    const Bytes w = serialize(h);
    const auto cut = *rc::gen::inRange<std::size_t>(0, w.size());
    auto r = parse_hello(ByteView(w).first(cut));
    RC_ASSERT(!r.ok());
    RC_ASSERT(r.error() == Error::truncated);
    RC_ASSERT(r.failure().offset == cut);
}

RC_GTEST_PROP(StellarCodecProps, TrailingBytesAreRejectedWhereTheyStart, (const Hello& h)) {
    const Bytes w = serialize(h);
    const Bytes extra = *rc::gen::nonEmpty(rc::gen::arbitrary<std::vector<std::uint8_t>>());
    auto r = parse_hello(concat({w, extra}));
    RC_ASSERT(!r.ok());
    RC_ASSERT(r.error() == Error::trailing_bytes);
    RC_ASSERT(r.failure().offset == w.size());
}

RC_GTEST_PROP(StellarFramingProps, ChunkedFeedingYieldsTheSameRecords, (const std::vector<std::vector<std::uint8_t>>& bodies)) {
    Bytes stream;
    std::vector<Bytes> expected;
    for (const auto& b : bodies) {
        if (b.empty() || b.size() > kMaxUnauthRecord) {
            continue;
        }
        expected.push_back(b);
        const Bytes f = frame_record(b);
        stream.insert(stream.end(), f.begin(), f.end());
    }
    FrameDecoder d;
    std::vector<Bytes> got;
    std::size_t pos = 0;
    while (pos < stream.size()) {
        const auto n = *rc::gen::inRange<std::size_t>(1, 64);
        const std::size_t take = std::min(n, stream.size() - pos);
        d.feed(ByteView(stream).subspan(pos, take));
        pos += take;
        for (;;) {
            auto r = d.next(false);
            RC_ASSERT(r.ok());
            if (!r->has_value()) {
                break;
            }
            got.emplace_back((*r)->begin(), (*r)->end());
        }
    }
    RC_ASSERT(got == expected);
}

}  // namespace
}  // namespace shakedown::stellar
