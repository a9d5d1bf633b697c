#include "stt/tlv.hpp"

#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

namespace shakedown::stt {
namespace {

Bytes hex(std::string_view h) {
    return *from_hex(h);
}

// The worked example of the protocol notes (docs/protocols/stt.md, "TLV encoding"): an external
// known answer, used exactly as given.
TEST(SttTlv, WorkedExampleByteForByte) {
    const Bytes expected = hex("41000000023100000001613000000001003100000001621001");
    const Value v = Value::dict({{"b", Value::int_value(1)}, {"a", Value::bytes_value(hex("00"))}});
    auto enc = encode(v);
    ASSERT_TRUE(enc.ok());
    EXPECT_EQ(to_hex(*enc), to_hex(expected));
    auto dec = decode(expected);
    ASSERT_TRUE(dec.ok()) << dec.failure().describe();
    EXPECT_EQ(*dec, v);
    ASSERT_NE(dec->find("a"), nullptr);
    EXPECT_EQ(dec->find("a")->data, hex("00"));
    EXPECT_EQ(dec->find("b")->integer, 1);
}

TEST(SttTlv, EveryTagEncodes) {
    EXPECT_EQ(to_hex(*encode(Value::null())), "00");
    EXPECT_EQ(to_hex(*encode(Value::boolean_value(false))), "01");
    EXPECT_EQ(to_hex(*encode(Value::boolean_value(true))), "02");
    EXPECT_EQ(to_hex(*encode(Value::int_value(-128))), "1080");
    EXPECT_EQ(to_hex(*encode(Value::int_value(127))), "107f");
    EXPECT_EQ(to_hex(*encode(Value::int_value(128))), "110080");
    EXPECT_EQ(to_hex(*encode(Value::int_value(-129))), "11ff7f");
    EXPECT_EQ(to_hex(*encode(Value::int_value(32768))), "1200008000");
    EXPECT_EQ(to_hex(*encode(Value::int_value(INT32_MIN))), "1280000000");
    EXPECT_EQ(to_hex(*encode(Value::int_value(2147483648LL))), "130000000080000000");
    EXPECT_EQ(to_hex(*encode(Value::int_value(INT64_MIN))), "138000000000000000");
    EXPECT_EQ(to_hex(*encode(Value::float_value(1.5))), "213ff8000000000000");
    EXPECT_EQ(to_hex(*encode(Value::bytes_value({}))), "3000000000");
    EXPECT_EQ(to_hex(*encode(Value::string_value("h\xc3\xa9"))), "310000000368c3a9");
    EXPECT_EQ(to_hex(*encode(Value::list({Value::null(), Value::boolean_value(true)}))), "40000000020002");
    EXPECT_EQ(to_hex(*encode(Value::dict({}))), "4100000000");
}

TEST(SttTlv, KeysSortByCodePointNotByLength) {
    const Value v = Value::dict({{"\xc3\xa9", Value::null()}, {"z", Value::null()}, {"aa", Value::null()}});
    EXPECT_EQ(to_hex(*encode(v)),
              "4100000003"
              "310000000261610031000000017a0031000000"
              "02c3a900");
}

TEST(SttTlv, EncoderRejectsWhatItCannotRepresent) {
    EXPECT_EQ(encode(Value::string_value("\xff")).error(), Error::invalid_argument);
    Value dup = Value::dict({{"a", Value::null()}, {"a", Value::null()}});
    EXPECT_EQ(encode(dup).error(), Error::invalid_argument);
}

struct Bad {
    const char* hex;
    Error error;
    std::size_t offset;
};

TEST(SttTlv, StrictDecoderErrorsAndOffsets) {
    const Bad cases[] = {
        {"", Error::truncated, 0},
        {"0000", Error::trailing_bytes, 1},
        {"10", Error::truncated, 1},
        {"1100", Error::truncated, 2},
        {"110001", Error::non_canonical, 0},
        {"11ff80", Error::non_canonical, 0},
        {"1200007fff", Error::non_canonical, 0},
        {"13ffffffffffffffff", Error::non_canonical, 0},
        {"1300000000ffffffff00", Error::trailing_bytes, 9},
        {"3000000002aa", Error::truncated, 1},
        {"30ffffffff", Error::truncated, 1},
        {"3100000001ff", Error::decode_error, 0},
        {"3100000003eda080", Error::decode_error, 0},  // UTF-8 surrogate
        {"14", Error::unknown_type, 0},
        {"17", Error::unknown_type, 0},
        {"20", Error::unknown_type, 0},
        {"03", Error::unknown_type, 0},
        {"ff", Error::unknown_type, 0},
        {"400000000200", Error::truncated, 6},
        {"40ffffffff", Error::bad_length, 1},
        {"41000000011001", Error::decode_error, 5},
        {"410000000231000000016200310000000161"
         "00",
         Error::non_canonical, 12},
        {"410000000231000000016100310000000161"
         "00",
         Error::decode_error, 12},
    };
    for (const Bad& c : cases) {
        auto r = decode(*from_hex(c.hex));
        ASSERT_FALSE(r.ok()) << c.hex;
        EXPECT_EQ(r.error(), c.error) << c.hex << ": " << r.failure().describe();
        EXPECT_EQ(r.failure().offset, c.offset) << c.hex;
    }
}

TEST(SttTlv, DepthCountAndSizeBounds) {
    TlvLimits limits;
    Bytes deep;
    for (std::size_t i = 0; i < limits.max_depth; ++i) {
        deep.insert(deep.end(), {0x40, 0, 0, 0, 1});
    }
    deep.push_back(0x00);
    EXPECT_TRUE(decode(deep).ok());
    Bytes deeper = {0x40, 0, 0, 0, 1};
    deeper.insert(deeper.end(), deep.begin(), deep.end());
    auto r = decode(deeper);
    EXPECT_EQ(r.error(), Error::oversize);
    EXPECT_EQ(r.failure().offset, 5 * limits.max_depth);

    Bytes many = {0x40, 0, 0, 0x04, 0x00};  // 1024 NULLs: at the bound
    many.resize(many.size() + 1024, 0x00);
    EXPECT_TRUE(decode(many).ok());
    many[4] = 0x01;
    many.push_back(0x00);
    EXPECT_EQ(decode(many).error(), Error::bad_length);

    Bytes big = {0x30, 0x00, 0x01, 0x00, 0x00};
    big.resize(big.size() + 65536, 0xaa);
    EXPECT_EQ(decode(big).error(), Error::oversize);
}

TEST(SttTlv, UpstreamLeniencies) {
    TlvLeniency trailing;
    trailing.ignore_trailing_bytes = true;
    EXPECT_TRUE(decode(*from_hex("00ff"), {}, trailing).ok());

    TlvLeniency truncate;
    truncate.truncate_short_fields = true;
    auto t = decode(*from_hex("3000000009aabb"), {}, truncate);
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(to_hex(t->data), "aabb");

    TlvLeniency dup;
    dup.duplicate_keys_overwrite = true;
    auto d = decode(*from_hex("41000000023100000001611001310000000161"
                              "1002"),
                    {}, dup);
    ASSERT_TRUE(d.ok());
    ASSERT_EQ(d->items.size(), 1u);
    EXPECT_EQ(d->find("a")->integer, 2);

    TlvLeniency none;
    none.no_limits = true;
    Bytes deep;
    for (int i = 0; i < 40; ++i) {
        deep.insert(deep.end(), {0x40, 0, 0, 0, 1});
    }
    deep.push_back(0);
    EXPECT_EQ(decode(deep).error(), Error::oversize);
    EXPECT_TRUE(decode(deep, {}, none).ok());
    // Even without limits the recursion is bounded.
    Bytes abyss;
    for (int i = 0; i < 1000; ++i) {
        abyss.insert(abyss.end(), {0x40, 0, 0, 0, 1});
    }
    abyss.push_back(0);
    EXPECT_EQ(decode(abyss, {}, none).error(), Error::oversize);
}

rc::Gen<Value> gen_value(int depth);

rc::Gen<std::string> gen_key() {
    return rc::gen::container<std::string>(rc::gen::inRange<char>('a', 'z' + 1));
}

rc::Gen<Value> gen_scalar() {
    return rc::gen::oneOf(
        rc::gen::just(Value::null()), rc::gen::map(rc::gen::arbitrary<bool>(), Value::boolean_value),
        rc::gen::map(rc::gen::arbitrary<std::int64_t>(), Value::int_value),
        rc::gen::map(rc::gen::arbitrary<std::int16_t>(), [](std::int16_t i) { return Value::int_value(i); }),
        rc::gen::map(rc::gen::arbitrary<std::uint64_t>(),
                     [](std::uint64_t b) {
                         Value v;
                         v.kind = Value::Kind::float64;
                         v.float_bits = b;
                         return v;
                     }),
        rc::gen::map(rc::gen::arbitrary<Bytes>(), [](const Bytes& b) { return Value::bytes_value(b); }),
        rc::gen::map(gen_key(), [](const std::string& s) { return Value::string_value(s); }));
}

rc::Gen<Value> gen_value(int depth) {
    if (depth <= 0) {
        return gen_scalar();
    }
    // At most 5 items per container: 5^3 scalars stay far below the encoder's 64 KiB bound, so a
    // value is never refused for its size (and a failure shrinks in seconds, not hours).
    const auto items = [](rc::Gen<Value> g) {
        return rc::gen::mapcat(rc::gen::inRange<std::size_t>(0, 6),
                               [g](std::size_t n) { return rc::gen::container<std::vector<Value>>(n, g); });
    };
    const auto entries = [](rc::Gen<Value> g) {
        return rc::gen::mapcat(rc::gen::inRange<std::size_t>(0, 6), [g](std::size_t n) {
            return rc::gen::container<std::vector<std::pair<std::string, Value>>>(n, rc::gen::pair(gen_key(), g));
        });
    };
    return rc::gen::oneOf(
        gen_scalar(), rc::gen::map(items(gen_value(depth - 1)), Value::list),
        rc::gen::map(entries(gen_value(depth - 1)), [](const std::vector<std::pair<std::string, Value>>& e) {
            // Keys are unique (a repeated one keeps its first value).
            const std::map<std::string, Value> m(e.begin(), e.end());
            return Value::dict({m.begin(), m.end()});
        }));
}

RC_GTEST_PROP(SttTlvProps, DecodeInvertsEncode, ()) {
    const Value v = *rc::gen::scale(0.3, gen_value(3));
    auto enc = encode(v);
    RC_ASSERT(enc.ok());
    auto dec = decode(*enc);
    RC_ASSERT(dec.ok());
    RC_ASSERT(*dec == v);
}

RC_GTEST_PROP(SttTlvProps, AcceptedInputsReencodeIdentically, ()) {
    const Value v = *rc::gen::scale(0.3, gen_value(3));
    Bytes w = *encode(v);
    const auto i = *rc::gen::inRange<std::size_t>(0, w.size());
    w[i] = *rc::gen::arbitrary<std::uint8_t>();
    auto dec = decode(w);
    if (dec.ok()) {
        RC_ASSERT(*encode(*dec) == w);
    }
}

RC_GTEST_PROP(SttTlvProps, EveryProperPrefixIsRejected, ()) {
    const Value v = *rc::gen::scale(0.3, gen_value(2));
    const Bytes w = *encode(v);
    const auto cut = *rc::gen::inRange<std::size_t>(0, w.size());
    auto dec = decode(ByteView(w).first(cut));
    RC_ASSERT(!dec.ok());
    RC_ASSERT(dec.error() == Error::truncated);
}

}  // namespace
}  // namespace shakedown::stt
