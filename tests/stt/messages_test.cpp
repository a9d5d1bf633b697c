#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "stt/frame.hpp"
#include "stt/messages.hpp"

namespace shakedown::stt {
namespace {

Hello sample_hello() {
    Hello h;
    h.node_id = Bytes(32, 0x01);
    h.nonce = Bytes(32, 0x02);
    h.timestamp_ms = 1767225600000;
    h.commitment = Bytes(32, 0x03);
    return h;
}

// The protocol notes give HELLO's size with 32-byte ids, nonce and commitment.
TEST(SttMessages, HelloIs195Bytes) { EXPECT_EQ(serialize(sample_hello()).size(), 195u); }

TEST(SttMessages, EveryMessageRoundTrips) {
    Response r{Bytes(32, 4), Bytes(32, 5), Bytes(80, 6), Bytes(24, 7), 123456};
    AuthProof a{Bytes(8, 8), Bytes(24, 9), Bytes(24, 10), -5};
    Final f{Bytes(8, 11), 0};
    for (const Message& m : {Message{sample_hello()}, Message{r}, Message{a}, Message{f}}) {
        auto p = parse_message(serialize(m));
        ASSERT_TRUE(p.ok()) << message_name(m) << ": " << p.failure().describe();
        EXPECT_EQ(*p, m);
    }
}

Bytes with(const Message& m, const std::string& key, Value v) {
    Value d = to_value(m);
    bool found = false;
    for (Value& item : d.items) {
        if (item.key == key) {
            v.key = key;
            item = v;
            found = true;
        }
    }
    if (!found) {
        v.key = key;
        d.items.push_back(v);
    }
    return *encode(d);
}

TEST(SttMessages, StrictShape) {
    const Message h{sample_hello()};
    // 31-byte nonce: bad_length at the nonce value's tag.
    const Bytes short_nonce = with(h, "nonce", Value::bytes_value(Bytes(31, 2)));
    auto r = parse_message(short_nonce);
    EXPECT_EQ(r.error(), Error::bad_length);
    EXPECT_EQ(short_nonce[r.failure().offset], 0x30);
    MessageOptions lax;
    lax.check_lengths = false;
    EXPECT_TRUE(parse_message(short_nonce, lax).ok());

    EXPECT_EQ(parse_message(with(h, "node_id", Value::bytes_value(Bytes(1, 1)))).error(), Error::bad_length);
    EXPECT_EQ(parse_message(with(h, "timestamp", Value::string_value("now"))).error(), Error::decode_error);
    EXPECT_EQ(parse_message(with(h, "extra", Value::null())).error(), Error::decode_error);
    EXPECT_EQ(parse_message(with(h, "type", Value::string_value("SUCCESS"))).error(), Error::unknown_type);
    EXPECT_EQ(parse_message(with(h, "type", Value::bytes_value(as_bytes("HELLO")))).error(), Error::decode_error);
    Value missing = to_value(h);
    missing.items.erase(missing.items.begin());  // commitment
    auto m = parse_message(*encode(missing));
    EXPECT_EQ(m.error(), Error::decode_error);
    EXPECT_EQ(m.failure().offset, 0u);
    EXPECT_EQ(parse_message(*from_hex("4000000000")).error(), Error::decode_error);
    const Message f{Final{Bytes(8, 1), 1}};
    EXPECT_EQ(parse_message(with(f, "session_id", Value::bytes_value(Bytes(2, 1)))).error(), Error::bad_length);
}

TEST(SttFrames, VarintsAreMinimal) {
    for (const std::uint64_t v : std::vector<std::uint64_t>{0, 1, 127, 128, 300, 2097152, UINT64_MAX}) {
        Writer w;
        put_varint(w, v);
        Reader r(w.bytes());
        auto back = read_varint(r);
        ASSERT_TRUE(back.ok());
        EXPECT_EQ(*back, v);
        EXPECT_TRUE(r.done());
    }
    const std::pair<const char*, Error> bad[] = {
        {"8000", Error::non_canonical}, {"80", Error::truncated},
        {"ffffffffffffffffff7f", Error::bad_length}, {"ffffffffffffffffffff01", Error::bad_length}};
    for (const auto& [h, e] : bad) {
        Bytes b = *from_hex(h);
        Reader r(b);
        EXPECT_EQ(read_varint(r).error(), e) << h;
    }
}

TEST(SttFrames, RoundTripAndErrors) {
    Frame f;
    f.header.type = kFrameHandshake;
    f.header.session_id = {1, 2, 3, 4, 5, 6, 7, 8};
    f.header.sequence = 9;
    f.header.timestamp_ms = 10;
    f.header.stream_id = 11;
    f.metadata = {0xaa};
    f.payload = {0xbb, 0xcc};
    const Bytes w = serialize_frame(f);
    EXPECT_EQ(to_hex(w), "5354" "22" "0500" "0102030405060708" "0000000000000009" "000000000000000a" "0000000b" "01aa" "bbcc");
    auto p = parse_frame(w);
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(*p, f);
    EXPECT_EQ(p->payload_offset, w.size() - 2);

    Bytes trailing = w;
    trailing.push_back(0);
    EXPECT_EQ(parse_frame(trailing).error(), Error::trailing_bytes);
    EXPECT_EQ(parse_frame(ByteView(w).first(w.size() - 1)).error(), Error::truncated);
    Bytes magic = w;
    magic[0] = 'X';
    EXPECT_EQ(parse_frame(magic).error(), Error::decode_error);
    EXPECT_EQ(parse_frame(Bytes(kMaxDatagram + 1, 0)).error(), Error::oversize);
    // A 2 MiB + 1 claim inside a small datagram.
    Bytes claim = {'S', 'T'};
    Writer vw;
    put_varint(vw, kMaxFrame + 1);
    claim.insert(claim.end(), vw.bytes().begin(), vw.bytes().end());
    auto c = parse_frame(claim);
    EXPECT_EQ(c.error(), Error::oversize);
    EXPECT_EQ(c.failure().offset, 2u);
    // A varint that never ends.
    Bytes endless = {'S', 'T'};
    endless.resize(64, 0xff);
    EXPECT_EQ(parse_frame(endless).error(), Error::bad_length);
    // Header shorter than 30 bytes.
    EXPECT_EQ(parse_frame(*from_hex("5354030500aa")).error(), Error::truncated);
    // Metadata length past the frame.
    Bytes meta = w;
    meta[2 + 1 + 30] = 0x05;
    EXPECT_EQ(parse_frame(meta).error(), Error::bad_length);
}

RC_GTEST_PROP(SttFrameProps, FramesRoundTrip,
              (std::uint8_t type, std::uint8_t flags, std::uint64_t seq, std::uint64_t ts, std::uint32_t stream,
               const Bytes& meta, const Bytes& payload)) {
    RC_PRE(meta.size() + payload.size() < 1200);
    Frame f;
    f.header = {type, flags, {}, seq, ts, stream};
    f.metadata = meta;
    f.payload = payload;
    auto p = parse_frame(serialize_frame(f));
    RC_ASSERT(p.ok());
    RC_ASSERT(*p == f);
}

RC_GTEST_PROP(SttMessageProps, DirectEncodingEqualsTheValueEncoding,
              (const Bytes& a, const Bytes& b, const Bytes& c, const Bytes& d, std::int64_t ts)) {
    for (const Message& m : {Message{Hello{a, b, ts, c}}, Message{Response{a, b, c, d, ts}},
                             Message{AuthProof{a, b, c, ts}}, Message{Final{d, ts}}}) {
        RC_ASSERT(serialize(m) == *encode(to_value(m)));
    }
}

RC_GTEST_PROP(SttMessageProps, ResponsesRoundTrip,
              (const Bytes& challenge, const Bytes& meta, std::int64_t ts)) {
    Response r{Bytes(32, 1), Bytes(32, 2), challenge, meta, ts};
    auto p = parse_message(serialize(r));
    RC_ASSERT(p.ok());
    RC_ASSERT(std::get<Response>(*p) == r);
}

// parse_message reads the TLV in place; it must agree with message_from_value over the decoded
// tree on every input, errors and offsets included, under every decoder leniency.
RC_GTEST_PROP(SttMessageProps, InPlaceParserAgreesWithTheValueTree,
              (const Bytes& a, const Bytes& b, std::int64_t ts, std::uint8_t which, std::uint8_t leniency,
               bool lax_shape, const std::vector<std::pair<std::uint16_t, std::uint8_t>>& edits)) {
    const Message messages[] = {Message{Hello{Bytes(32, 1), Bytes(32, 2), ts, a}},
                                Message{Response{Bytes(32, 3), Bytes(32, 4), a, b, ts}},
                                Message{AuthProof{Bytes(8, 5), a, b, ts}}, Message{Final{Bytes(8, 6), ts}}};
    Bytes wire = serialize(messages[which % 4]);
    // Overwrite, insert or drop bytes: wrong tags, lengths, key order, truncation, trailing data.
    for (const auto& [at, byte] : edits) {
        const std::size_t i = wire.empty() ? 0 : at % (wire.size() + 1);
        switch (byte % 3) {
            case 0:
                if (i < wire.size()) {
                    wire[i] = byte;
                }
                break;
            case 1:
                wire.insert(wire.begin() + static_cast<std::ptrdiff_t>(i), byte);
                break;
            default:
                if (i < wire.size()) {
                    wire.erase(wire.begin() + static_cast<std::ptrdiff_t>(i));
                }
                break;
        }
    }
    MessageOptions o;
    o.leniency = TlvLeniency{(leniency & 1) != 0, (leniency & 2) != 0, (leniency & 4) != 0, (leniency & 8) != 0};
    o.check_lengths = !lax_shape;
    o.reject_unknown_keys = !lax_shape;
    const auto in_place = parse_message(wire, o);
    const auto tree = decode(wire, o.limits, o.leniency);
    const auto scanned = scan(wire, o.limits, o.leniency, nullptr);
    RC_ASSERT(scanned.ok() == tree.ok());
    if (!tree) {
        RC_ASSERT(scanned.failure() == tree.failure());
        RC_ASSERT(!in_place.ok());
        RC_ASSERT(in_place.failure() == tree.failure());
        return;
    }
    const auto from_tree = message_from_value(*tree, o);
    RC_ASSERT(in_place.ok() == from_tree.ok());
    if (!from_tree) {
        RC_ASSERT(in_place.failure() == from_tree.failure());
        return;
    }
    RC_ASSERT(*in_place == *from_tree);
}

TEST(SttMessages, ViewsSerializeLikeMessages) {
    const Message m{Response{Bytes(32, 4), Bytes(32, 5), Bytes(80, 6), Bytes(24, 7), -40000}};
    EXPECT_EQ(serialize(view_of(m)), serialize(m));
    const Bytes wire = serialize(m);
    auto v = parse_message_view(wire);  // views into `wire`
    ASSERT_TRUE(v.ok());
    EXPECT_EQ(serialize(*v), wire);
}

}  // namespace
}  // namespace shakedown::stt
