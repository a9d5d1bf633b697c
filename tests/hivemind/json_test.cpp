#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "hivemind/json.hpp"
#include "hivemind/messages.hpp"

namespace shakedown::hivemind {
namespace {

void expect_error(std::string_view text, Error e, std::size_t offset) {
    const auto r = parse_json(text);
    ASSERT_FALSE(r.ok()) << text;
    EXPECT_EQ(r.error(), e) << text;
    EXPECT_EQ(r.failure().offset, offset) << text;
}

TEST(HiveMindJson, WriterUsesPythonDefaultSeparatorsAndRawUnicode) {
    const auto j = parse_json(R"({"a":[1,2,{}],"b":{"c":null,"d":true},"e":"\u00e9\n\u0001\"\\/"})");
    ASSERT_TRUE(j.ok());
    // json.dumps(..., ensure_ascii=False): ", " and ": ", non-ASCII raw, "/" not escaped,
    // control characters as \u00XX except the five short escapes.
    EXPECT_EQ(dump_json(*j), "{\"a\": [1, 2, {}], \"b\": {\"c\": null, \"d\": true}, \"e\": \"\xc3\xa9\\n\\u0001\\\"\\\\/\"}");
}

// Strings are scanned eight bytes at a time: a special byte at every position of a longer string
// is escaped (writer) or found (reader) as it is alone.
TEST(HiveMindJson, SpecialBytesAtEveryPositionOfALongString) {
    const std::string specials[] = {"\"", "\\", "\n", "\x01", "\x1f", "\xc3\xa9", "\x7f"};
    const std::string escaped[] = {"\\\"", "\\\\", "\\n", "\\u0001", "\\u001f", "\xc3\xa9", "\x7f"};
    for (std::size_t k = 0; k < std::size(specials); ++k) {
        for (std::size_t at = 0; at <= 20; ++at) {
            const std::string s = std::string(at, 'a') + specials[k] + std::string(20 - at, 'b');
            const std::string text = dump_json(Json::string(s));
            EXPECT_EQ(text, "\"" + std::string(at, 'a') + escaped[k] + std::string(20 - at, 'b') + "\"");
            const auto back = parse_json(text);
            ASSERT_TRUE(back.ok()) << text;
            EXPECT_EQ(back->s, s);
        }
    }
    for (std::size_t at = 0; at <= 20; ++at) {
        expect_error("\"" + std::string(at, 'a') + "\x01" + std::string(20 - at, 'b') + "\"", Error::decode_error,
                     1 + at);
        expect_error("\"" + std::string(at, 'a') + "\xff" + std::string(20 - at, 'b') + "\"", Error::bad_utf8, 1 + at);
    }
}

TEST(HiveMindJson, StrictErrorsNameTheirOffsets) {
    expect_error(R"({"a": 1, "a": 2})", Error::duplicate_key, 9);
    expect_error(R"({"a": 1.5})", Error::wrong_type, 6);
    expect_error(R"({"a": 1e3})", Error::wrong_type, 6);
    expect_error(R"({"a": "\ud800"})", Error::bad_utf8, 7);
    expect_error(R"({"a": "\udc00"})", Error::bad_utf8, 7);
    expect_error("{\"a\": \"\xed\xa0\x80\"}", Error::bad_utf8, 7);
    expect_error("{\"a\": \"\xc0\xaf\"}", Error::bad_utf8, 7);
    expect_error("{\"a\": \"\xff\"}", Error::bad_utf8, 7);
    expect_error(R"({"a": 1} x)", Error::trailing_bytes, 9);
    expect_error(R"({"a": )", Error::truncated, 6);
    expect_error(R"({"a" 1})", Error::decode_error, 5);
    expect_error(R"({"a": 99999999999999999999})", Error::oversize, 6);
    expect_error("{\"a\": \"x\ty\"}", Error::decode_error, 8);
    expect_error(R"([01])", Error::decode_error, 2);
}

TEST(HiveMindJson, DepthAndSizeAreBounded) {
    std::string deep(33, '[');
    deep += std::string(33, ']');
    expect_error(deep, Error::oversize, 32);
    std::string ok_deep(32, '[');
    ok_deep += std::string(32, ']');
    EXPECT_TRUE(parse_json(ok_deep).ok());
    JsonLimits small;
    small.max_size = 4;
    EXPECT_EQ(parse_json("[1, 2]", small).error(), Error::oversize);
}

TEST(HiveMindJson, SurrogatePairsDecodeToOneCodePoint) {
    const auto j = parse_json(R"("\ud83d\ude00")");
    ASSERT_TRUE(j.ok());
    EXPECT_EQ(j->s, "\xf0\x9f\x98\x80");
}

TEST(HiveMindMessage, WritesTheEightKeysInUpstreamOrder) {
    HiveMessage m;
    m.msg_type = "bus";
    EXPECT_EQ(serialize_message(m),
              "{\"msg_type\": \"bus\", \"payload\": {}, \"metadata\": {}, \"route\": [], \"node\": null, "
              "\"target_site_id\": null, \"target_pubkey\": null, \"source_peer\": null}");
}

TEST(HiveMindMessage, RejectsUnknownKeysAndWrongTypes) {
    auto r = parse_message(as_bytes(R"({"msg_type": "bus", "extra": 1})"));
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error(), Error::unknown_type);
    EXPECT_EQ(r.failure().offset, 20U);
    r = parse_message(as_bytes(R"({"msg_type": "bus", "payload": []})"));
    EXPECT_EQ(r.error(), Error::wrong_type);
    EXPECT_EQ(r.failure().offset, 31U);
    r = parse_message(as_bytes(R"({"payload": {}})"));
    EXPECT_EQ(r.error(), Error::decode_error);
    r = parse_message(as_bytes(R"({"msg_type": 3})"));
    EXPECT_EQ(r.error(), Error::wrong_type);
}

TEST(HiveMindMessage, PayloadDefaultsAndTypes) {
    auto p = server_params_from(*parse_json(R"({"handshake": true})"));
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(p->encodings, std::vector<std::string>{"JSON-HEX"});
    EXPECT_EQ(p->ciphers, std::vector<std::string>{"AES-GCM"});
    EXPECT_EQ(server_params_from(*parse_json(R"({"binarize": 1})")).error(), Error::wrong_type);
    EXPECT_EQ(server_params_from(*parse_json(R"({"encodings": ["JSON-HEX", 1]})")).error(), Error::wrong_type);
    EXPECT_EQ(client_offer_from(*parse_json(R"({"envelope": "x", "pubkey": "y"})")).error(), Error::decode_error);
    EXPECT_EQ(client_offer_from(*parse_json(R"({})")).error(), Error::decode_error);
    auto c = server_choice_from(*parse_json(R"({"envelope": "e"})"));
    ASSERT_TRUE(c.ok());
    EXPECT_FALSE(c->encoding.has_value());
}

TEST(HiveMindAuthorization, ParsesStrictBase64OfUserAgentAndKey) {
    const Authorization a{"HiveMind-websocket", "secret:with:colons"};
    const auto r = parse_authorization(write_authorization(a));
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, a);
    EXPECT_EQ(parse_authorization("bm9jb2xvbg==").error(), Error::decode_error);  // "nocolon"
    EXPECT_EQ(parse_authorization("YTpi").value().access_key, "b");
    EXPECT_EQ(parse_authorization("YTpi=").error(), Error::bad_length);
    EXPECT_EQ(parse_authorization("/w==").error(), Error::bad_utf8);
}

rc::Gen<Json> gen_json(int depth) {
    using namespace rc;
    auto leaf = gen::oneOf(gen::just(Json{}), gen::map(gen::arbitrary<bool>(), &Json::boolean),
                           gen::map(gen::arbitrary<std::int64_t>(), &Json::integer),
                           gen::map(gen::arbitrary<std::string>(), [](std::string s) {
                               // Arbitrary bytes are not UTF-8; keep the ASCII part plus one accent.
                               std::string t;
                               for (char c : s) {
                                   t.push_back(static_cast<char>(static_cast<unsigned char>(c) & 0x7f));
                               }
                               return Json::string(t + "\xc3\xa9");
                           }));
    if (depth == 0) {
        return leaf;
    }
    return gen::oneOf(leaf, gen::map(gen::container<std::vector<Json>>(gen::resize(3, gen_json(depth - 1))),
                                     [](std::vector<Json> v) { return Json::array(std::move(v)); }),
                      gen::map(gen::container<std::vector<Json>>(gen::resize(3, gen_json(depth - 1))),
                               [](std::vector<Json> v) {
                                   Json o = Json::object();
                                   for (std::size_t k = 0; k < v.size(); ++k) {
                                       o.set("k" + std::to_string(k), std::move(v[k]));
                                   }
                                   return o;
                               }));
}

RC_GTEST_PROP(HiveMindJsonProps, DumpThenParseIsIdentityAndDumpIsStable, ()) {
    const Json j = *gen_json(3);
    const std::string text = dump_json(j);
    const auto back = parse_json(text);
    RC_ASSERT(back.ok());
    RC_ASSERT(*back == j);
    RC_ASSERT(dump_json(*back) == text);
}

RC_GTEST_PROP(HiveMindJsonProps, EveryProperPrefixOfAnObjectIsRejected, ()) {
    Json o = Json::object();
    o.set("v", *gen_json(2));
    const std::string text = dump_json(o);
    const auto cut = *rc::gen::inRange<std::size_t>(0, text.size());
    RC_ASSERT(!parse_json(std::string_view(text).substr(0, cut)).ok());
}

}  // namespace
}  // namespace shakedown::hivemind
