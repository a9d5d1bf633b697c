// Python-canonical JSON, the envelope and payload parsers, timestamps.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <set>

#include "sft/files.hpp"
#include "sft/json.hpp"
#include "sft/message.hpp"

namespace shakedown::sft {
namespace {

using json::Value;

TEST(SftJson, PythonEscapingExactly) {
    // json.dumps('a"\\/\n\r\t\b\f\x01\x7f é 😀')
    const std::string s = "a\"\\/\n\r\t\b\f\x01\x7f \xc3\xa9 \xf0\x9f\x98\x80";
    EXPECT_EQ(json::quote(s), R"("a\"\\/\n\r\t\b\f\u0001\u007f \u00e9 \ud83d\ude00")");
}

TEST(SftJson, SeparatorsAndKeyOrder) {
    Value v = Value::make_object({});
    v.set("b", Value::make_int(-1));
    v.set("a", Value::make_array({Value::make_bool(true), Value::make_null(), Value::make_string("x")}));
    v.set("\xc3\xa9", Value::make_object({}));
    v.set("B", Value::make_int(2));
    EXPECT_EQ(json::dumps(v), R"({"b": -1, "a": [true, null, "x"], "\u00e9": {}, "B": 2})");
    EXPECT_EQ(json::dumps(v, true), R"({"B": 2, "a": [true, null, "x"], "b": -1, "\u00e9": {}})");
}

TEST(SftJson, StrictParser) {
    EXPECT_TRUE(json::parse(as_bytes(R"( {"a": [1, -0, 2e0], "b": "\ud83d\ude00"} )")).ok());
    EXPECT_EQ(json::parse(as_bytes(R"({"a": 1, "a": 2})")).error(), Error::decode_error);
    EXPECT_EQ(json::parse(as_bytes(R"({"a": 1} x)")).error(), Error::trailing_bytes);
    EXPECT_EQ(json::parse(as_bytes(R"("\ud800")")).error(), Error::decode_error);
    EXPECT_EQ(json::parse(as_bytes("\"a\x01\"")).error(), Error::decode_error);
    EXPECT_EQ(json::parse(as_bytes("NaN")).error(), Error::decode_error);
    EXPECT_EQ(json::parse(as_bytes("01")).error(), Error::trailing_bytes);
    EXPECT_EQ(json::parse(as_bytes("99999999999999999999")).error(), Error::decode_error);
    EXPECT_EQ(json::parse(as_bytes("{\"a\": ")).error(), Error::truncated);
    std::string deep(40, '[');
    EXPECT_EQ(json::parse(as_bytes(deep)).error(), Error::bad_length);
    const Bytes bad_utf8 = {'"', 0xc3, '"'};
    EXPECT_EQ(json::parse(bad_utf8).error(), Error::decode_error);
}

TEST(SftJson, EnvelopeParse) {
    const std::string good =
        R"({"type": "ping", "version": "2.0.1", "timestamp": "2026-01-01T00:00:00", "payload": {}, "seq": 0})";
    auto m = parse_message(as_bytes(good));
    ASSERT_TRUE(m.ok());
    EXPECT_EQ(wire_json(*m), good);
    EXPECT_FALSE(m->signature.has_value());
    auto one = std::string(good).replace(good.find("\"seq\": 0"), 8, "\"seq\": 1.0");
    EXPECT_EQ(parse_message(as_bytes(one)).error(), Error::bad_sequence);
    auto fm = parse_message(as_bytes(one), EnvelopeOptions{true});
    ASSERT_TRUE(fm.ok());
    EXPECT_EQ(fm->seq, 1);
    EXPECT_EQ(wire_json(*fm), one);  // re-encodes as Python would: 1.0
    auto t = std::string(good).replace(good.find("\"seq\": 0"), 8, "\"seq\": true");
    EXPECT_EQ(parse_message(as_bytes(t)).error(), Error::decode_error);
    auto u = std::string(good).replace(good.find("ping"), 4, "pang");
    EXPECT_EQ(parse_message(as_bytes(u)).error(), Error::unknown_type);
    auto extra = std::string(good).replace(good.size() - 1, 1, ", \"x\": 1}");
    EXPECT_EQ(parse_message(as_bytes(extra)).error(), Error::decode_error);
}

TEST(SftJson, Timestamps) {
    EXPECT_EQ(format_local_timestamp(1767225600, 0), "2026-01-01T00:00:00");
    EXPECT_EQ(format_local_timestamp(1767225600, 3600), "2026-01-01T01:00:00");
    EXPECT_EQ(format_utc_timestamp(951782400), "2000-02-29T00:00:00Z");
    EXPECT_TRUE(check_timestamp("2026-01-01T00:05:00", 1767225600, 0).ok());
    EXPECT_EQ(check_timestamp("2026-01-01T00:05:00.000001", 1767225600, 0).error(), Error::future_timestamp);
    EXPECT_EQ(check_timestamp("2025-12-31T23:54:59.999999", 1767225600, 0).error(), Error::stale_timestamp);
    EXPECT_EQ(check_timestamp("2026-01-01T00:00:00Z", 1767225600, 0).error(), Error::decode_error);
    EXPECT_EQ(check_timestamp("2026-02-29T00:00:00", 1767225600, 0).error(), Error::decode_error);
    EXPECT_EQ(check_timestamp("2026-01-01 00:00:00", 1767225600, 0).error(), Error::decode_error);
}

TEST(SftJson, Payloads) {
    FileHeader h{"a.txt", 5, std::string(64, 'a'), "2026-01-01T00:00:00Z"};
    EXPECT_EQ(json::dumps(to_json(h)),
              R"({"filename": "a.txt", "total_size": 5, "hash": ")" + std::string(64, 'a') +
                  R"(", "timestamp": "2026-01-01T00:00:00Z"})");
    EXPECT_EQ(*parse_file_header(to_json(h)), h);
    FileComplete c{"a", std::nullopt, std::string("boom")};
    EXPECT_EQ(*parse_file_complete(to_json(c)), c);
    FileComplete both{"a", 1, std::string("boom")};
    EXPECT_FALSE(parse_file_complete(to_json(both)).ok());
    EXPECT_FALSE(parse_file_ack(Value::make_object({})).ok());
    ListFilesResponse l{{{"x", 1}, {"y", 2}}, std::nullopt};
    EXPECT_EQ(*parse_list_files_response(to_json(l)), l);
    FileResumeAck neg{"a", -1};
    EXPECT_EQ(parse_file_resume_ack(to_json(neg)).error(), Error::bad_length);
}

TEST(SftJson, FilenameSanitising) {
    EXPECT_TRUE(sanitize_filename("report.bin").ok());
    for (const std::string& bad : {std::string(""), std::string("."), std::string(".."), std::string("../x"),
                                  std::string("/etc/passwd"), std::string("a\\b"), std::string("a\0b", 3),
                                  std::string(256, 'a'), std::string("\xff")}) {
        EXPECT_FALSE(sanitize_filename(bad).ok()) << bad;
    }
}

rc::Gen<Value> gen_value(int depth) {
    auto scalars = rc::gen::oneOf(rc::gen::map(rc::gen::arbitrary<std::int64_t>(), Value::make_int),
                                  rc::gen::map(rc::gen::arbitrary<bool>(), Value::make_bool),
                                  rc::gen::just(Value::make_null()),
                                  rc::gen::map(rc::gen::container<std::string>(rc::gen::inRange<char>(0, 127)),
                                               Value::make_string),
                                  rc::gen::map(rc::gen::arbitrary<std::u32string>(), [](const std::u32string& s) {
                                      std::string out;
                                      for (char32_t c : s) {
                                          const auto u = static_cast<std::uint32_t>(c) % 0x110000;
                                          if (u >= 0xd800 && u <= 0xdfff) {
                                              continue;
                                          }
                                          if (u < 0x80) {
                                              out.push_back(static_cast<char>(u));
                                          } else if (u < 0x800) {
                                              out.push_back(static_cast<char>(0xc0 | (u >> 6)));
                                              out.push_back(static_cast<char>(0x80 | (u & 0x3f)));
                                          } else if (u < 0x10000) {
                                              out.push_back(static_cast<char>(0xe0 | (u >> 12)));
                                              out.push_back(static_cast<char>(0x80 | ((u >> 6) & 0x3f)));
                                              out.push_back(static_cast<char>(0x80 | (u & 0x3f)));
                                          } else {
                                              out.push_back(static_cast<char>(0xf0 | (u >> 18)));
                                              out.push_back(static_cast<char>(0x80 | ((u >> 12) & 0x3f)));
                                              out.push_back(static_cast<char>(0x80 | ((u >> 6) & 0x3f)));
                                              out.push_back(static_cast<char>(0x80 | (u & 0x3f)));
                                          }
                                      }
                                      return Value::make_string(out);
                                  }));
    if (depth <= 0) {
        return scalars;
    }
    return rc::gen::oneOf(
        scalars, rc::gen::map(rc::gen::resize(3, rc::gen::container<std::vector<Value>>(gen_value(depth - 1))),
                              Value::make_array),
        rc::gen::map(rc::gen::resize(3, rc::gen::container<std::map<std::string, Value>>(
                         rc::gen::container<std::string>(rc::gen::inRange<char>(32, 127)), gen_value(depth - 1))),
                     [](const std::map<std::string, Value>& m) {
                         Value v = Value::make_object({});
                         for (const auto& [k, x] : m) {
                             v.set(k, x);
                         }
                         return v;
                     }));
}

RC_GTEST_PROP(SftJsonProps, DumpsThenParseRoundTrips, ()) {
    const Value v = *gen_value(2);
    for (const bool sorted : {false, true}) {
        const std::string text = json::dumps(v, sorted);
        auto p = json::parse(as_bytes(text));
        RC_ASSERT(p.ok());
        RC_ASSERT(json::dumps(*p, sorted) == text);
        // ensure_ascii: the text is pure ASCII.
        for (const char c : text) {
            RC_ASSERT(static_cast<unsigned char>(c) < 0x80);
        }
    }
}

// sort_keys=True by its definition: every object's members put in code-point order by a stable
// sort, then written in that order.
Value sorted_by_definition(const Value& v) {
    Value out = v;
    if (v.kind == Value::Kind::array) {
        for (auto& e : out.array) {
            e = sorted_by_definition(e);
        }
    } else if (v.kind == Value::Kind::object) {
        for (auto& m : out.object) {
            m.value = sorted_by_definition(m.value);
        }
        std::stable_sort(out.object.begin(), out.object.end(),
                         [](const json::Member& a, const json::Member& b) { return a.key < b.key; });
    }
    return out;
}

// An object whose members come in an arbitrary order, with up to 40 of them (past the writer's
// on-stack ordering of 16), some holding further such objects.
Value shuffled_object(int depth) {
    Value v = Value::make_object({});
    const auto keys = *rc::gen::container<std::vector<std::string>>(
        *rc::gen::inRange<std::size_t>(0, 41), rc::gen::container<std::string>(rc::gen::inRange<char>(32, 127)));
    std::set<std::string> seen;
    for (const auto& k : keys) {
        if (!seen.insert(k).second) {
            continue;
        }
        v.set(k, depth > 0 && *rc::gen::inRange(0, 4) == 0 ? shuffled_object(depth - 1) : *gen_value(1));
    }
    return v;
}

RC_GTEST_PROP(SftJsonProps, SortKeysOrdersEveryObjectByCodePoint, ()) {
    const Value v = shuffled_object(2);
    RC_ASSERT(json::dumps(v, true) == json::dumps(sorted_by_definition(v), false));
}

RC_GTEST_PROP(SftJsonProps, EnvelopeWritersMatchTheDocumentTheyStandFor, ()) {
    Message m;
    m.type = static_cast<MsgType>(*rc::gen::inRange<int>(0, static_cast<int>(kMsgTypeCount)));
    m.version = *rc::gen::container<std::string>(rc::gen::inRange<char>(0, 127));
    m.timestamp = *rc::gen::container<std::string>(rc::gen::inRange<char>(0, 127));
    m.payload = shuffled_object(1);
    m.seq = *rc::gen::arbitrary<std::int64_t>();
    m.seq_is_float = *rc::gen::arbitrary<bool>();
    if (*rc::gen::arbitrary<bool>()) {
        m.signature = *rc::gen::container<std::string>(rc::gen::inRange<char>(0, 127));
    }
    RC_ASSERT(wire_json(m) == json::dumps(to_json(m, true), false));
    RC_ASSERT(hmac_input(m) == json::dumps(to_json(m, false), true));
}

}  // namespace
}  // namespace shakedown::sft
