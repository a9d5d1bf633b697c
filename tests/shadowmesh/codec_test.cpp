#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "tests/shadowmesh/kat.hpp"

namespace rc {
template <std::size_t N>
struct Arbitrary<std::array<std::uint8_t, N>> {
    static Gen<std::array<std::uint8_t, N>> arbitrary() {
        return gen::map(gen::container<std::vector<std::uint8_t>>(N, gen::arbitrary<std::uint8_t>()),
                        [](const std::vector<std::uint8_t>& v) {
                            std::array<std::uint8_t, N> a{};
                            std::copy(v.begin(), v.end(), a.begin());
                            return a;
                        });
    }
};
}  // namespace rc

namespace shakedown::shadowmesh::test {
namespace {

Bytes with_header(std::uint8_t type, std::uint16_t flags, std::uint32_t length, ByteView payload) {
    Bytes out = serialize_header(Header{kProtocolVersion, type, flags, length});
    out.insert(out.end(), payload.begin(), payload.end());
    return out;
}

void expect_failure(const Result<Frame>& r, Error e, std::size_t offset) {
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), e) << to_string(r.error());
    EXPECT_EQ(r.failure().offset, offset);
}

TEST(ShadowMeshCodec, HeaderIsEightBytesBigEndian) {
    const Bytes h = serialize_header(Header{1, 0x31, 0x0102, 0x00000058});
    EXPECT_EQ(to_hex(h), "0131010200000058");
    auto back = parse_header(h);
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back->flags, 0x0102);
    EXPECT_EQ(back->length, 88U);
    auto short_h = parse_header(ByteView(h).first(7));
    ASSERT_FALSE(short_h.ok());
    EXPECT_EQ(short_h.error(), Error::truncated);
    Bytes longer = h;
    longer.push_back(0);
    EXPECT_EQ(parse_header(longer).error(), Error::trailing_bytes);
}

TEST(ShadowMeshCodec, KnownFramesDecodeToTheirFieldsUnderBothProfiles) {
    for (const Profile p : {Profile::strict, Profile::upstream}) {
        auto req = decode_frame(hex(kReqHex), p);
        ASSERT_TRUE(req.ok()) << to_string(p);
        const auto& r = std::get<RehandshakeRequest>(req->message);
        EXPECT_EQ(r.session_id, kat_sid());
        EXPECT_EQ(r.challenge, kat_c_i());
        EXPECT_EQ(r.timestamp_ms, kT1);
        auto resp = decode_frame(hex(kRespHex), p);
        ASSERT_TRUE(resp.ok());
        EXPECT_EQ(std::get<RehandshakeResponse>(resp->message).challenge, kat_c_r());
        EXPECT_EQ(std::get<RehandshakeResponse>(resp->message).timestamp_ms, kT1 + 1);
        auto comp = decode_frame(hex(kCompHex), p);
        ASSERT_TRUE(comp.ok());
        EXPECT_EQ(std::get<RehandshakeComplete>(comp->message).timestamp_ms, kT1 + 2);
        EXPECT_EQ(encode_frame(comp->message), hex(kCompHex));
    }
}

TEST(ShadowMeshCodec, LongerLengthX10) {
    Bytes payload = hex(kReqHex);
    payload.erase(payload.begin(), payload.begin() + 8);
    payload.push_back(0xee);
    const Bytes wire = with_header(0x30, 0, 57, payload);
    expect_failure(decode_frame(wire, Profile::strict), Error::bad_length, 4);
    auto up = decode_frame(wire, Profile::upstream);
    ASSERT_TRUE(up.ok());
    EXPECT_EQ(std::get<RehandshakeRequest>(up->message).timestamp_ms, kT1);
}

TEST(ShadowMeshCodec, ShortLengthX11) {
    Bytes payload = hex(kReqHex);
    payload.erase(payload.begin(), payload.begin() + 8);
    payload.pop_back();
    const Bytes wire = with_header(0x30, 0, 55, payload);
    expect_failure(decode_frame(wire, Profile::strict), Error::bad_length, 4);
    expect_failure(decode_frame(wire, Profile::upstream), Error::truncated, 63);
}

TEST(ShadowMeshCodec, TrailingBytesX12) {
    Bytes wire = hex(kRespHex);
    wire.insert(wire.end(), 10, 0x55);
    expect_failure(decode_frame(wire, Profile::strict), Error::trailing_bytes, 96);
    EXPECT_TRUE(decode_frame(wire, Profile::upstream).ok());
}

TEST(ShadowMeshCodec, OversizeLengthX13) {
    const Bytes wire = with_header(0x30, 0, 65536, {});
    expect_failure(decode_frame(wire, Profile::strict), Error::oversize, 4);
    expect_failure(decode_frame(wire, Profile::upstream), Error::oversize, 4);
}

TEST(ShadowMeshCodec, VersionTwoX14) {
    Bytes wire = hex(kReqHex);
    wire[0] = 0x02;
    expect_failure(decode_frame(wire, Profile::strict), Error::wrong_version, 0);
    expect_failure(decode_frame(wire, Profile::upstream), Error::wrong_version, 0);
}

TEST(ShadowMeshCodec, FlagsX15) {
    for (const std::uint16_t flags : {std::uint16_t{0x0001}, std::uint16_t{0xffff}}) {
        Bytes wire = hex(kCompHex);
        wire[2] = static_cast<std::uint8_t>(flags >> 8);
        wire[3] = static_cast<std::uint8_t>(flags);
        expect_failure(decode_frame(wire, Profile::strict), Error::bad_flags, 2);
        auto up = decode_frame(wire, Profile::upstream);
        ASSERT_TRUE(up.ok());
        EXPECT_EQ(up->header.flags, flags);
    }
}

TEST(ShadowMeshCodec, TypesWithoutCodecX16) {
    for (const std::uint8_t t : {std::uint8_t{0x33}, std::uint8_t{0x11}, std::uint8_t{0x20}}) {
        Bytes wire = hex(kReqHex);
        wire[1] = t;
        expect_failure(decode_frame(wire, Profile::strict), Error::unknown_type, 1);
        expect_failure(decode_frame(wire, Profile::upstream), Error::unknown_type, 1);
    }
}

TEST(ShadowMeshCodec, ValidateMessageTypeX21) {
    for (std::uint8_t t = 0x30; t <= 0x32; ++t) {
        EXPECT_TRUE(validate_message_type_strict(t).ok());
        EXPECT_EQ(validate_message_type_upstream(t).error(), Error::unknown_type);
    }
    EXPECT_TRUE(validate_message_type_upstream(0x11).ok());
    EXPECT_FALSE(validate_message_type_strict(0x11).ok());
    EXPECT_FALSE(validate_message_type_strict(0x33).ok());
}

TEST(ShadowMeshCodec, TruncatedFrames) {
    const Bytes wire = hex(kRespHex);
    for (std::size_t n = 0; n < wire.size(); ++n) {
        for (const Profile p : {Profile::strict, Profile::upstream}) {
            auto r = decode_frame(ByteView(wire).first(n), p);
            ASSERT_FALSE(r.ok()) << n;
            EXPECT_EQ(r.error(), Error::truncated);
            EXPECT_EQ(r.failure().offset, n);
        }
    }
}

TEST(ShadowMeshCodec, CloseErrorAndHeartbeat) {
    const Bytes close = encode_frame(CloseMsg{kCloseProtocolViolation, {}});
    EXPECT_EQ(to_hex(close), "010f0000000000020003");
    auto c = decode_frame(close, Profile::strict);
    ASSERT_TRUE(c.ok());
    EXPECT_EQ(std::get<CloseMsg>(c->message).reason, kCloseProtocolViolation);
    expect_failure(decode_frame(with_header(0x0f, 0, 1, Bytes{0}), Profile::strict), Error::truncated, 9);
    auto e = decode_frame(encode_frame(ErrorMsg{0x0006, {'r'}}), Profile::upstream);
    ASSERT_TRUE(e.ok());
    EXPECT_EQ(std::get<ErrorMsg>(e->message).text, Bytes{'r'});
    auto hb = decode_frame(with_header(0x05, 0, 0, {}), Profile::strict);
    ASSERT_TRUE(hb.ok());
    EXPECT_EQ(type_of(hb->message), MessageType::heartbeat);
    // Relay HELLO shorter than the decoder's fixed fields.
    expect_failure(decode_frame(with_header(0x01, 0, 3, Bytes{1, 2, 3}), Profile::upstream), Error::truncated, 11);
}

RC_GTEST_PROP(ShadowMeshCodecProps, RequestRoundTrips,
              (const std::array<std::uint8_t, 16>& sid, const std::array<std::uint8_t, 32>& c, std::uint64_t ts)) {
    const RehandshakeRequest m{sid, c, ts};
    const Bytes wire = encode_frame(m);
    RC_ASSERT(wire.size() == 64U);
    for (const Profile p : {Profile::strict, Profile::upstream}) {
        auto back = decode_frame(wire, p);
        RC_ASSERT(back.ok());
        RC_ASSERT(std::get<RehandshakeRequest>(back->message) == m);
    }
}

RC_GTEST_PROP(ShadowMeshCodecProps, ResponseAndCompleteRoundTrip,
              (const std::array<std::uint8_t, 16>& sid, const std::array<std::uint8_t, 32>& mac,
               const std::array<std::uint8_t, 32>& c, std::uint64_t ts)) {
    const RehandshakeResponse r{sid, mac, c, ts};
    auto rb = decode_frame(encode_frame(r), Profile::strict);
    RC_ASSERT(rb.ok());
    RC_ASSERT(std::get<RehandshakeResponse>(rb->message) == r);
    const RehandshakeComplete k{sid, mac, ts};
    auto kb = decode_frame(encode_frame(k), Profile::strict);
    RC_ASSERT(kb.ok());
    RC_ASSERT(std::get<RehandshakeComplete>(kb->message) == k);
    RC_ASSERT(encode_frame(kb->message) == encode_frame(k));
}

// Whatever strict accepts, upstream accepts with the same fields; strict re-encodes to the input.
RC_GTEST_PROP(ShadowMeshCodecProps, StrictAcceptanceImpliesUpstreamAgreement,
              (const std::vector<std::uint8_t>& tail, std::uint8_t type, std::uint16_t flags)) {
    Bytes wire = with_header(type, flags, static_cast<std::uint32_t>(tail.size()), tail);
    auto s = decode_frame(wire, Profile::strict);
    auto u = decode_frame(wire, Profile::upstream);
    if (s.ok()) {
        RC_ASSERT(u.ok());
        RC_ASSERT(*s == *u);
        RC_ASSERT(encode_frame(s->message, s->header.flags) == wire);
    }
}

RC_GTEST_PROP(ShadowMeshCodecProps, AnyHeaderBitFlipIsRejectedByStrict, (std::uint8_t bit)) {
    // Every bit of the 8-byte header matters to strict: version, type, flags and Length.
    Bytes wire = hex(kReqHex);
    const std::size_t i = bit % 64;
    wire[i / 8] ^= static_cast<std::uint8_t>(1U << (i % 8));
    auto r = decode_frame(wire, Profile::strict);
    if (r.ok()) {
        // Only a flip that turns the type into another message of the same size may decode.
        RC_ASSERT(i / 8 == 1U);
        RC_ASSERT(type_of(r->message) != MessageType::rehandshake_request);
    }
}

}  // namespace
}  // namespace shakedown::shadowmesh::test
