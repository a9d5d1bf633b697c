#include "vectors/gen/stt/stt_vectors.hpp"

#include <algorithm>
#include <array>
#include <functional>
#include <map>
#include <memory>

#include "common/crypto.hpp"
#include "common/rng.hpp"
#include "common/writer.hpp"
#include "stt/frame.hpp"
#include "stt/handshake.hpp"
#include "stt/manager.hpp"
#include "stt/messages.hpp"
#include "stt/tlv.hpp"

namespace shakedown::stt::vectors {

using shakedown::vectors::GeneratedFile;
using shakedown::vectors::GenerateOptions;
using shakedown::vectors::Json;
using shakedown::vectors::StrictObject;
using shakedown::vectors::VectorError;

namespace {

constexpr const char* kGeneratedBy = "shakedown vectors generate --variant stt (do not edit)";
constexpr std::uint64_t kNow = 1767225600;  // 2026-01-01T00:00:00Z
constexpr std::string_view kSharedSeed = "Shakedown STT test network seed!";

Json hexj(ByteView b) { return to_hex(b); }

std::string error_name(Error e) { return std::string(to_string(e)); }

Json offset_json(std::size_t offset) { return offset == kNoOffset ? Json(nullptr) : Json(offset); }

// ---------------------------------------------------------------- TLV values as JSON

Json value_json(const Value& v) {
    Json j = Json::object();
    switch (v.kind) {
        case Value::Kind::null:
            j["t"] = "null";
            break;
        case Value::Kind::boolean:
            j["t"] = "bool";
            j["v"] = v.boolean;
            break;
        case Value::Kind::integer:
            j["t"] = "int";
            j["v"] = std::to_string(v.integer);
            break;
        case Value::Kind::float64: {
            j["t"] = "float64";
            Writer w;
            w.put_u64be(v.float_bits);
            j["bits"] = hexj(w.bytes());
            break;
        }
        case Value::Kind::bytes:
            j["t"] = "bytes";
            j["v"] = hexj(v.data);
            break;
        case Value::Kind::string:
            j["t"] = "string";
            j["v"] = hexj(v.data);
            break;
        case Value::Kind::list: {
            j["t"] = "list";
            Json items = Json::array();
            for (const Value& i : v.items) {
                items.push_back(value_json(i));
            }
            j["v"] = items;
            break;
        }
        case Value::Kind::dict: {
            j["t"] = "dict";
            Json items = Json::array();
            for (const Value& i : v.items) {
                items.push_back(Json::array({hexj(as_bytes(i.key)), value_json(i)}));
            }
            j["v"] = items;
            break;
        }
    }
    return j;
}

Value raw_float(std::uint64_t bits) {
    Value v;
    v.kind = Value::Kind::float64;
    v.float_bits = bits;
    return v;
}

Bytes hex(std::string_view h) {
    auto b = from_hex(h);
    if (!b) {
        throw VectorError("generator: bad hex literal");
    }
    return *b;
}

Bytes enc(const Value& v) {
    auto r = encode(v);
    if (!r) {
        throw VectorError("generator: value does not encode");
    }
    return *r;
}

Bytes nested_lists(std::size_t depth) {
    Bytes b;
    for (std::size_t i = 0; i < depth; ++i) {
        b.insert(b.end(), {0x40, 0, 0, 0, 1});
    }
    b.push_back(0x00);
    return b;
}

// ---------------------------------------------------------------- shared notes

Json note(const char* bug, const char* description, const char* effect) {
    return Json{{"bugType", bug}, {"description", description}, {"effect", effect}};
}

Json file_json(const char* schema, Json header, Json notes, Json groups) {
    std::size_t n = 0;
    for (const Json& g : groups) {
        n += g["tests"].size();
    }
    Json f = Json::object();
    f["generatedBy"] = kGeneratedBy;
    f["schema"] = schema;
    f["variant"] = "stt";
    f["header"] = std::move(header);
    f["notes"] = std::move(notes);
    f["numberOfTests"] = n;
    f["testGroups"] = std::move(groups);
    return f;
}

class Ids {
public:
    int next() { return ++m_id; }

private:
    int m_id = 0;
};

// ---------------------------------------------------------------- TLV file

TlvLeniency leniency_named(const std::string& name) {
    Quirks q;
    if (!set_quirk(q, name)) {
        throw VectorError("leniency: unknown knob '" + name + "'");
    }
    TlvLeniency l = message_options(q).leniency;
    if (!l.ignore_trailing_bytes && !l.truncate_short_fields && !l.duplicate_keys_overwrite && !l.no_limits) {
        throw VectorError("leniency: '" + name + "' is not a TLV knob");
    }
    return l;
}

Json tlv_file() {
    Ids ids;
    Json valid = Json::array();
    auto add_valid = [&](const std::string& comment, const Value& v, const char* flag = "Valid") {
        const Bytes w = enc(v);
        valid.push_back(Json{{"tcId", ids.next()}, {"comment", comment}, {"flags", Json::array({flag})},
                             {"wire", hexj(w)}, {"value", value_json(v)}, {"result", "valid"}});
    };
    add_valid("NULL", Value::null());
    add_valid("FALSE", Value::boolean_value(false));
    add_valid("TRUE", Value::boolean_value(true));
    for (std::int64_t i : std::vector<std::int64_t>{0, -1, 127, -128, 128, -129, 32767, -32768, 32768, -32769,
                                                    INT32_MAX, INT32_MIN, std::int64_t{INT32_MAX} + 1,
                                                    std::int64_t{INT32_MIN} - 1, INT64_MAX, INT64_MIN,
                                                    1767225600000}) {
        add_valid("INT " + std::to_string(i) + " in the smallest width", Value::int_value(i));
    }
    add_valid("FLOAT64 1.5", Value::float_value(1.5));
    add_valid("FLOAT64 -0.0", raw_float(0x8000000000000000ull));
    add_valid("FLOAT64 infinity", raw_float(0x7ff0000000000000ull));
    add_valid("FLOAT64 NaN with a payload (bits preserved)", raw_float(0x7ff8000000000001ull), "EdgeCaseValid");
    add_valid("BYTES empty", Value::bytes_value({}));
    add_valid("BYTES 3", Value::bytes_value(hex("00ff10")));
    add_valid("STRING empty", Value::string_value(""));
    add_valid("STRING two-byte UTF-8", Value::string_value("h\xc3\xa9llo"));
    add_valid("STRING four-byte UTF-8", Value::string_value("\xf0\x9f\x94\x91"));
    add_valid("LIST empty", Value::list({}));
    add_valid("LIST mixed", Value::list({Value::null(), Value::int_value(-2), Value::string_value("x")}));
    add_valid("DICT empty", Value::dict({}));
    add_valid("the protocol notes' worked example {\"b\": 1, \"a\": b\"\\x00\"}",
              Value::dict({{"b", Value::int_value(1)}, {"a", Value::bytes_value(hex("00"))}}), "SpecExample");
    add_valid("DICT keys in code point order, not length order",
              Value::dict({{"\xc3\xa9", Value::null()}, {"z", Value::null()}, {"aa", Value::null()}}));
    add_valid("DICT nested", Value::dict({{"k", Value::dict({{"l", Value::list({Value::boolean_value(true)})}})}}));
    {
        Value deep = Value::null();
        for (std::size_t i = 0; i < TlvLimits{}.max_depth; ++i) {
            deep = Value::list({deep});
        }
        add_valid("LISTs nested to the depth bound (8)", deep, "EdgeCaseValid");
        std::vector<Value> many(TlvLimits{}.max_count, Value::null());
        add_valid("LIST of 1024 NULLs (the count bound)", Value::list(many), "EdgeCaseValid");
    }

    Json invalid = Json::array();
    auto add_invalid = [&](const std::string& comment, const char* flag, const Bytes& w) {
        auto r = decode(w);
        if (r.ok()) {
            throw VectorError("generator: invalid TLV case decodes: " + comment);
        }
        invalid.push_back(Json{{"tcId", ids.next()}, {"comment", comment}, {"flags", Json::array({flag})},
                               {"wire", hexj(w)}, {"result", "invalid"}, {"error", error_name(r.error())},
                               {"offset", offset_json(r.failure().offset)}});
    };
    add_invalid("empty input", "Truncated", {});
    add_invalid("INT8 without its byte", "Truncated", hex("10"));
    add_invalid("INT16 with one byte", "Truncated", hex("1100"));
    add_invalid("INT32 with three bytes", "Truncated", hex("12000000"));
    add_invalid("INT64 with seven bytes", "Truncated", hex("1300000000000000"));
    add_invalid("FLOAT64 with four bytes", "Truncated", hex("213ff80000"));
    add_invalid("BYTES length word cut", "Truncated", hex("300000"));
    add_invalid("BYTES length 2 with 1 byte present", "Truncated", hex("3000000002aa"));
    add_invalid("BYTES length 2^32-1 with nothing present", "Truncated", hex("30ffffffff"));
    add_invalid("STRING length past the end", "Truncated", hex("310000000561"));
    add_invalid("LIST of 2 with 1 item", "Truncated", hex("400000000200"));
    add_invalid("DICT of 1 without its value", "Truncated", hex("41000000013100000001" "61"));
    add_invalid("trailing byte after NULL", "TrailingBytes", hex("0000"));
    add_invalid("trailing bytes after the worked example", "TrailingBytes",
                hex("41000000023100000001613000000001003100000001621001" "0000"));
    add_invalid("INT16 holding 1", "NonCanonical", hex("110001"));
    add_invalid("INT16 holding -128", "NonCanonical", hex("11ff80"));
    add_invalid("INT32 holding 32767", "NonCanonical", hex("1200007fff"));
    add_invalid("INT64 holding -1", "NonCanonical", hex("13ffffffffffffffff"));
    add_invalid("INT64 holding INT32_MIN", "NonCanonical", hex("13ffffffff80000000"));
    add_invalid("DICT keys out of order", "NonCanonical", hex("41000000023100000001620031000000016100"));
    add_invalid("DICT key repeated", "DuplicateKey", hex("41000000023100000001610031000000016100"));
    add_invalid("DICT key is BYTES", "BadKey", hex("41000000013000000001610"
                                                   "0"));
    add_invalid("DICT key is an INT", "BadKey", hex("41000000011001" "00"));
    add_invalid("STRING with a lone continuation byte", "InvalidUtf8", hex("310000000180"));
    add_invalid("STRING with an overlong encoding of '/'", "InvalidUtf8", hex("3100000002c0af"));
    add_invalid("STRING with a UTF-16 surrogate", "InvalidUtf8", hex("3100000003eda080"));
    add_invalid("DICT key with invalid UTF-8", "InvalidUtf8", hex("41000000013100000001ff00"));
    for (int t : {0x14, 0x15, 0x16, 0x17, 0x20}) {
        Bytes w = {static_cast<std::uint8_t>(t)};
        w.resize(9, 0);
        add_invalid("tag " + to_hex(ByteView(w).first(1)) + " declared upstream but not decodable", "UnsupportedTag", w);
    }
    for (int t : {0x03, 0x18, 0x22, 0x32, 0x42, 0xff}) {
        add_invalid("unknown tag " + to_hex(Bytes{static_cast<std::uint8_t>(t)}), "UnknownTag",
                    Bytes{static_cast<std::uint8_t>(t)});
    }
    add_invalid("unknown tag inside a LIST", "UnknownTag", hex("400000000100" "03"));
    add_invalid("LISTs nested one past the depth bound", "Oversize", nested_lists(TlvLimits{}.max_depth + 1));
    add_invalid("LISTs nested 1000 deep", "Oversize", nested_lists(1000));
    add_invalid("LIST count 1025 (over the bound)", "HugeCount", [] {
        Bytes b = {0x40, 0x00, 0x00, 0x04, 0x01};
        b.resize(b.size() + 1025, 0x00);
        return b;
    }());
    add_invalid("DICT count 2^32-1 in 5 bytes", "HugeCount", hex("41ffffffff"));
    add_invalid("LIST count 2^32-1 in 5 bytes", "HugeCount", hex("40ffffffff"));
    add_invalid("input over 64 KiB", "Oversize", [] {
        Bytes b = {0x30, 0x00, 0x01, 0x00, 0x00};
        b.resize(b.size() + 65536, 0xaa);
        return b;
    }());

    Json lenient = Json::array();
    auto add_lenient = [&](const std::string& comment, const char* knob, const Bytes& w) {
        auto strict = decode(w);
        auto lax = decode(w, {}, leniency_named(knob));
        if (strict.ok() || !lax.ok()) {
            throw VectorError("generator: lenient TLV case is not strict-invalid and lenient-valid: " + comment);
        }
        lenient.push_back(Json{{"tcId", ids.next()}, {"comment", comment}, {"flags", Json::array({"UpstreamLenient"})},
                               {"wire", hexj(w)}, {"result", "invalid"}, {"error", error_name(strict.error())},
                               {"offset", offset_json(strict.failure().offset)}, {"knob", knob},
                               {"lenient_value", value_json(*lax)}});
    };
    add_lenient("trailing bytes ignored", "tlv-accept-trailing-bytes", hex("1001ffff"));
    add_lenient("BYTES length 9 with 2 bytes: truncated silently", "tlv-truncate-short-fields", hex("3000000009aabb"));
    add_lenient("duplicate key overwrites", "tlv-duplicate-keys-overwrite",
                hex("41000000023100000001611001310000000161" "1002"));
    add_lenient("unsorted keys accepted", "tlv-duplicate-keys-overwrite", hex("41000000023100000001620031000000016100"));
    add_lenient("nesting past the bound accepted", "tlv-no-limits", nested_lists(20));

    Json groups = Json::array();
    groups.push_back(Json{{"type", "SttTlv"}, {"comment", "canonical encodings: decode to `value`, re-encode to `wire`"},
                          {"tests", valid}});
    groups.push_back(Json{{"type", "SttTlv"}, {"comment", "rejected by the strict decoder at `offset`"}, {"tests", invalid}});
    groups.push_back(Json{{"type", "SttTlv"},
                          {"comment", "rejected strictly; accepted by the upstream decoder (bug knob `knob`) as `lenient_value`"},
                          {"tests", lenient}});
    Json notes = Json::object();
    notes["Valid"] = note("BASIC", "A canonical encoding.", "Must decode to the value and re-encode identically.");
    notes["SpecExample"] = note("BASIC", "The worked example of the protocol notes, byte for byte.", "Must decode and re-encode.");
    notes["EdgeCaseValid"] = note("EDGE_CASE", "At a bound (depth 8, count 1024) or an unusual float.", "Must decode.");
    notes["Truncated"] = note("DECODING", "The input ends inside a value, or a length points past the end.", "Must be rejected (truncated).");
    notes["TrailingBytes"] = note("DECODING", "Bytes after the outermost value.", "Must be rejected; upstream ignores them.");
    notes["NonCanonical"] = note("MALLEABILITY", "An integer wider than needed, or dict keys out of code point order.", "Must be rejected: one value, one encoding.");
    notes["DuplicateKey"] = note("MALLEABILITY", "A dict key twice.", "Must be rejected; upstream keeps the last.");
    notes["BadKey"] = note("DECODING", "A dict key that is not a STRING.", "Must be rejected.");
    notes["InvalidUtf8"] = note("DECODING", "A STRING or key that is not UTF-8.", "Must be rejected.");
    notes["UnsupportedTag"] = note("DECODING", "UINT8..UINT64 or FLOAT32: declared upstream, never decodable.", "Must be rejected (unknown_type).");
    notes["UnknownTag"] = note("DECODING", "A tag outside the table.", "Must be rejected (unknown_type).");
    notes["Oversize"] = note("RESOURCE", "Nesting over 8, or an input over 64 KiB.", "Must be rejected before resources grow.");
    notes["HugeCount"] = note("RESOURCE", "A LIST or DICT count over 1024.", "Must be rejected at the count, without allocating for it.");
    notes["UpstreamLenient"] = note("DECODING", "Accepted by the upstream decoder's leniency (a bug knob).", "The strict reference rejects; the knob accepts.");
    return file_json("stt_tlv.schema.json",
                     Json::array({"STT TLV codec: canonical encodings, strict rejections, upstream leniencies.",
                                  "Values: t = null|bool|int (decimal string)|float64 (bits, big-endian hex)|bytes|string "
                                  "(UTF-8 hex)|list|dict ([key hex, value] in wire order). Offsets count from the start of wire."}),
                     notes, groups);
}

// ---------------------------------------------------------------- transcripts

struct SideInputs {
    Bytes node_seed;
    Bytes shared_seed;
    Bytes random;
    std::uint64_t now = kNow;
    std::int64_t send_skew_ms = 0;
    std::uint32_t window_ms = kDefaultTimestampWindowMs;
};

Json side_json(const SideInputs& s) {
    return Json{{"node_seed", hexj(s.node_seed)}, {"shared_seed", hexj(s.shared_seed)}, {"random", hexj(s.random)},
                {"now", s.now}, {"send_skew_ms", s.send_skew_ms}, {"timestamp_window_ms", s.window_ms}};
}

SideInputs side_from(StrictObject o) {
    SideInputs s;
    s.node_seed = o.hex("node_seed");
    s.shared_seed = o.hex("shared_seed");
    s.random = o.hex("random");
    s.now = static_cast<std::uint64_t>(o.integer("now", 0, INT64_MAX / 1000));
    s.send_skew_ms = o.integer("send_skew_ms", -(std::int64_t{1} << 40), std::int64_t{1} << 40);
    s.window_ms = static_cast<std::uint32_t>(o.integer("timestamp_window_ms", 0, UINT32_MAX));
    o.finish();
    return s;
}

Config config_from(const SideInputs& s, Role role) {
    Config c;
    c.role = role;
    c.node_seed = SecretBytes(s.node_seed);
    c.shared_seed = SecretBytes(s.shared_seed);
    c.timestamp_window_ms = s.window_ms;
    c.send_skew_ms = s.send_skew_ms;
    return c;
}

std::string type_of(ByteView datagram) {
    auto f = parse_frame(datagram);
    if (!f) {
        return "?";
    }
    auto m = parse_message(f->payload);
    return m ? std::string(message_name(*m)) : "?";
}

Json keys_json(const Machine& m) {
    Json k = Json::object();
    for (const DerivedKey& d : m.derived_keys()) {
        k[d.name] = hexj(d.value);
    }
    return k;
}

Json outcome_json(const Handshake& m) {
    Json o = Json::object();
    o["state"] = m.authenticated() ? "authenticated" : (m.closure() ? "rejected" : "pending");
    if (m.closure()) {
        o["error"] = error_name(m.closure()->failure.code);
        o["at_message"] = m.closure()->at_message;
        o["offset"] = offset_json(m.closure()->failure.offset);
    }
    o["keys"] = keys_json(m);
    return o;
}

}  // namespace

namespace {
Json run_impl(const Json& inputs, bool exact, std::size_t& unused_i, std::size_t& unused_r) {
    StrictObject in(inputs, "inputs");
    const SideInputs si = side_from(in.object("initiator"));
    const SideInputs sr = side_from(in.object("responder"));
    ScriptedRng rng_i(si.random);
    ScriptedRng rng_r(sr.random);
    FixedClock clock_i(si.now);
    FixedClock clock_r(sr.now);
    Config ci = config_from(si, Role::initiator);
    Config cr = config_from(sr, Role::acceptor);
    cr.replay_cache = std::make_shared<NonceCache>();

    Json expected = Json::object();
    Json events = Json::array();
    if (const Json* prior = in.opt("prior_hellos")) {
        // Earlier sessions of the same responder (same cache, same clock); their randomness is
        // not part of the vector.
        Json accepted = Json::array();
        for (const Json& h : *prior) {
            SeededRng throwaway(ByteArray<32>{});
            Handshake earlier(cr, throwaway, clock_r);
            earlier.start();
            earlier.receive(shakedown::vectors::hex_value(h, "inputs.prior_hellos[]"));
            accepted.push_back(!earlier.closure().has_value());
        }
        expected["prior_accepted"] = accepted;
    }
    std::map<std::size_t, StrictObject> mutations;
    if (const Json* muts = in.opt("mutations")) {
        for (const Json& mj : *muts) {
            StrictObject m(mj, "inputs.mutations[]");
            const auto index = static_cast<std::size_t>(m.integer("index", 0, 64));
            (void)m.str("op");
            mutations.emplace(index, std::move(m));
        }
    }

    Handshake hi(std::move(ci), rng_i, clock_i);
    Handshake hr(std::move(cr), rng_r, clock_r);
    const std::array<Handshake*, 2> sides = {&hi, &hr};
    const std::array<const char*, 2> names = {"initiator", "responder"};
    hi.start();
    hr.start();
    Json messages = Json::array();
    std::size_t k = 0;
    auto deliver = [&](std::size_t to, ByteView d) {
        const bool was_closed = sides[to]->closure().has_value();
        sides[to]->receive(d);
        if (!was_closed && sides[to]->closure()) {
            const Closure c = *sides[to]->closure();
            events.push_back(Json{{"error", error_name(c.failure.code)},
                                  {"where", std::string(names[to]) + " at message " + std::to_string(c.at_message)}});
        }
    };
    for (int round = 0; round < 16; ++round) {
        bool moved = false;
        for (std::size_t s = 0; s < 2; ++s) {
            for (const Bytes& d : sides[s]->take_output()) {
                const std::size_t index = k++;
                moved = true;
                messages.push_back(Json{{"from", names[s]}, {"type", type_of(d)}, {"wire", hexj(d)}});
                std::size_t to = 1 - s;
                Bytes wire = d;
                int times = 1;
                if (auto it = mutations.find(index); it != mutations.end()) {
                    StrictObject& m = it->second;
                    const std::string op = m.str("op");
                    if (op == "drop") {
                        times = 0;
                    } else if (op == "duplicate") {
                        times = 2;
                    } else if (op == "reflect") {
                        to = s;
                    } else if (op == "replace") {
                        wire = m.hex("wire");
                    } else {
                        throw VectorError("inputs.mutations[]: unknown op '" + op + "'");
                    }
                    m.finish();
                }
                for (int t = 0; t < times; ++t) {
                    deliver(to, wire);
                }
            }
        }
        if (!moved) {
            break;
        }
    }
    expected["messages"] = messages;

    if (const Json* data = in.opt("data")) {
        Json results = Json::array();
        std::vector<Bytes> frames;
        std::size_t op_index = 0;
        for (const Json& oj : *data) {
            StrictObject o(oj, "inputs.data[]");
            const std::string op = o.str("op");
            const std::string side_name = op == "seal" ? o.str("from") : o.str("to");
            const std::size_t side = side_name == "initiator" ? 0 : 1;
            Handshake& h = *sides[side];
            Rng& rng = side == 0 ? static_cast<Rng&>(rng_i) : static_cast<Rng&>(rng_r);
            const FixedClock& clock = side == 0 ? clock_i : clock_r;
            Json r = Json::object();
            if (op == "seal") {
                const auto stream = static_cast<std::uint32_t>(o.integer("stream", 0, UINT32_MAX));
                const Bytes payload = o.hex("payload");
                Result<Bytes> sealed = h.session() ? h.session()->seal(payload, stream, clock.unix_seconds() * 1000, rng)
                                                   : Result<Bytes>(fail(Error::unexpected_message, "no session"));
                if (sealed) {
                    r["wire"] = hexj(*sealed);
                    frames.push_back(*sealed);
                } else {
                    r["error"] = error_name(sealed.error());
                    frames.emplace_back();
                }
            } else if (op == "deliver") {
                const auto j = static_cast<std::size_t>(o.integer("frame", 0, 1000));
                if (j >= frames.size()) {
                    throw VectorError("inputs.data[].frame: no such frame");
                }
                Bytes wire = frames[j];
                if (const Json* flip = o.opt("flip_byte")) {
                    const auto at = flip->get<std::size_t>();
                    if (at >= wire.size()) {
                        throw VectorError("inputs.data[].flip_byte: past the frame");
                    }
                    wire[at] ^= 0x01;
                }
                auto opened = h.session() ? h.session()->open(wire)
                                          : Result<OpenedFrame>(fail(Error::unexpected_message, "no session"));
                if (opened) {
                    r["payload"] = hexj(opened->payload);
                    r["stream"] = opened->header.stream_id;
                } else {
                    r["error"] = error_name(opened.error());
                    r["offset"] = offset_json(opened.failure().offset);
                    events.push_back(Json{{"error", error_name(opened.error())},
                                          {"where", "data operation " + std::to_string(op_index)}});
                }
            } else {
                throw VectorError("inputs.data[].op: unknown op '" + op + "'");
            }
            o.finish();
            results.push_back(r);
            ++op_index;
        }
        expected["data"] = results;
    }
    in.finish();
    if (rng_i.exhausted() || rng_r.exhausted()) {
        throw VectorError("inputs: a random script ran out");
    }
    unused_i = rng_i.unused();
    unused_r = rng_r.unused();
    if (exact && (unused_i != 0 || unused_r != 0)) {
        throw VectorError("inputs: a random script has unused bytes");
    }
    expected["initiator"] = outcome_json(hi);
    expected["responder"] = outcome_json(hr);
    expected["first_failure"] = events.empty() ? Json(nullptr) : events[0];
    return expected;
}
}  // namespace

Json run_transcript(const Json& inputs) {
    std::size_t ui = 0;
    std::size_t ur = 0;
    return run_impl(inputs, true, ui, ur);
}

namespace {
struct ManagerRun {
    Json expected;
    std::size_t unused = 0;
    std::vector<std::size_t> unused_clients;
};

ManagerRun run_manager_impl(const Json& inputs) {
    StrictObject in(inputs, "inputs");
    StrictObject server = in.object("server");
    const Bytes node_seed = server.hex("node_seed");
    const Bytes shared = server.hex("shared_seed");
    const Bytes random = server.hex("random");
    const auto now = static_cast<std::uint64_t>(server.integer("now", 0, INT64_MAX / 1000));
    const auto max_pending = static_cast<std::size_t>(server.integer("max_pending", 1, 1 << 20));
    const auto max_sessions = static_cast<std::size_t>(server.integer("max_sessions", 1, 1 << 20));
    server.finish();
    ScriptedRng rng(random);
    FixedClock clock(now);
    ManagerConfig mc;
    mc.base.role = Role::acceptor;
    mc.base.node_seed = SecretBytes(node_seed);
    mc.base.shared_seed = SecretBytes(shared);
    mc.max_pending = max_pending;
    mc.max_sessions = max_sessions;
    HandshakeManager mgr(std::move(mc), rng, clock);

    std::vector<std::unique_ptr<ScriptedRng>> client_rngs;
    std::vector<std::unique_ptr<FixedClock>> client_clocks;
    std::vector<std::unique_ptr<Handshake>> clients;
    std::vector<std::vector<Bytes>> sent;
    for (const Json& cj : in.req("clients")) {
        const SideInputs si = side_from(StrictObject(cj, "inputs.clients[]"));
        client_rngs.push_back(std::make_unique<ScriptedRng>(si.random));
        client_clocks.push_back(std::make_unique<FixedClock>(si.now));
        clients.push_back(std::make_unique<Handshake>(config_from(si, Role::initiator), *client_rngs.back(),
                                                      *client_clocks.back()));
        sent.emplace_back();
    }
    auto client_at = [&](StrictObject& o) {
        const auto c = static_cast<std::size_t>(o.integer("client", 0, 1000));
        if (c >= clients.size()) {
            throw VectorError("inputs.events[].client: no such client");
        }
        return c;
    };
    auto event_json = [](const ManagerEvent& ev) {
        Json j = Json{{"created", ev.created}, {"evicted", ev.evicted}, {"completed", ev.completed}};
        j["failure"] = ev.failure ? Json{{"error", error_name(ev.failure->code)}, {"offset", offset_json(ev.failure->offset)}}
                                  : Json(nullptr);
        Json replies = Json::array();
        for (const Bytes& d : ev.output) {
            replies.push_back(hexj(d));
        }
        j["replies"] = replies;
        return j;
    };
    Json results = Json::array();
    for (const Json& ej : in.req("events")) {
        StrictObject e(ej, "inputs.events[]");
        const std::string op = e.str("op");
        Json r = Json::array();
        if (op == "start") {
            const std::size_t c = client_at(e);
            clients[c]->start();
            results.push_back(Json::object());
        } else if (op == "deliver" || op == "resend") {
            const std::size_t c = client_at(e);
            const std::string from = e.str("from");
            std::vector<Bytes> datagrams;
            if (op == "deliver") {
                datagrams = clients[c]->take_output();
                sent[c].insert(sent[c].end(), datagrams.begin(), datagrams.end());
            } else {
                const auto k = static_cast<std::size_t>(e.integer("index", 0, 1000));
                if (k >= sent[c].size()) {
                    throw VectorError("inputs.events[].index: the client has not sent that datagram");
                }
                datagrams.push_back(sent[c][k]);
            }
            for (const Bytes& d : datagrams) {
                const ManagerEvent ev = mgr.receive(from, d);
                r.push_back(event_json(ev));
                for (const Bytes& reply : ev.output) {
                    clients[c]->receive(reply);
                }
            }
            results.push_back(Json{{"datagrams", r}});
        } else if (op == "send") {
            const ManagerEvent ev = mgr.receive(e.str("from"), e.hex("wire"));
            results.push_back(Json{{"datagrams", Json::array({event_json(ev)})}});
        } else if (op == "advance") {
            clock.advance(static_cast<std::uint64_t>(e.integer("seconds", 0, 1 << 20)));
            results.push_back(Json{{"expired", mgr.expire()}});
        } else if (op == "query") {
            const std::string a = e.str("address");
            const auto sid = mgr.session_id(a);
            results.push_back(Json{{"complete", mgr.is_complete(a)}, {"session_id", sid ? Json(hexj(*sid)) : Json(nullptr)}});
        } else {
            throw VectorError("inputs.events[].op: unknown op '" + op + "'");
        }
        e.finish();
    }
    in.finish();
    ManagerRun run;
    run.expected["events"] = results;
    run.expected["pending"] = mgr.pending();
    run.expected["size"] = mgr.size();
    Json client_states = Json::array();
    for (const auto& c : clients) {
        client_states.push_back(outcome_json(*c));
    }
    run.expected["clients"] = client_states;
    if (rng.exhausted()) {
        throw VectorError("inputs.server.random: ran out");
    }
    run.unused = rng.unused();
    for (const auto& cr : client_rngs) {
        if (cr->exhausted()) {
            throw VectorError("inputs.clients[].random: ran out");
        }
        run.unused_clients.push_back(cr->unused());
    }
    return run;
}
}  // namespace

Json run_manager(const Json& inputs) {
    ManagerRun run = run_manager_impl(inputs);
    if (run.unused != 0 || std::any_of(run.unused_clients.begin(), run.unused_clients.end(), [](std::size_t u) { return u != 0; })) {
        throw VectorError("inputs: a random script has unused bytes");
    }
    return run.expected;
}

namespace {

// ---------------------------------------------------------------- handshake file

struct Case {
    std::string comment;
    std::string flag;
    SideInputs initiator;
    SideInputs responder;
    Json mutations = Json::array();
    Json prior = Json::array();
    Json data = Json::array();
};

Json inputs_json(const Case& c) {
    Json in = Json::object();
    in["initiator"] = side_json(c.initiator);
    in["responder"] = side_json(c.responder);
    if (!c.prior.empty()) {
        in["prior_hellos"] = c.prior;
    }
    if (!c.mutations.empty()) {
        in["mutations"] = c.mutations;
    }
    if (!c.data.empty()) {
        in["data"] = c.data;
    }
    return in;
}

// Sizes each side's random script to exactly what the run consumes.
Json finish_inputs(Case c, std::uint8_t seed_i, std::uint8_t seed_r) {
    ByteArray<32> si{};
    ByteArray<32> sr{};
    si.fill(seed_i);
    sr.fill(seed_r);
    c.initiator.random.assign(1024, 0);
    c.responder.random.assign(1024, 0);
    SeededRng(si).fill(c.initiator.random);
    SeededRng(sr).fill(c.responder.random);
    std::size_t ui = 0;
    std::size_t ur = 0;
    (void)run_impl(inputs_json(c), false, ui, ur);
    c.initiator.random.resize(c.initiator.random.size() - ui);
    c.responder.random.resize(c.responder.random.size() - ur);
    return inputs_json(c);
}

Bytes seed_bytes(std::uint8_t b, std::size_t n = 32) {
    Bytes out(n);
    ByteArray<32> seed{};
    seed.fill(b);
    SeededRng(seed).fill(out);
    return out;
}

Case base_case(std::string comment, std::string flag) {
    Case c;
    c.comment = std::move(comment);
    c.flag = std::move(flag);
    c.initiator.node_seed = seed_bytes(0x01);
    c.responder.node_seed = seed_bytes(0x02);
    c.initiator.shared_seed = Bytes(as_bytes(kSharedSeed).begin(), as_bytes(kSharedSeed).end());
    c.responder.shared_seed = c.initiator.shared_seed;
    return c;
}

// The datagrams of the honest run of `c` (without mutations), in order.
std::vector<Bytes> honest_wire(Case c, std::uint8_t ri = 0xa1, std::uint8_t rr = 0xb2) {
    c.mutations = Json::array();
    c.data = Json::array();
    c.prior = Json::array();
    const Json expected = run_transcript(finish_inputs(c, ri, rr));
    std::vector<Bytes> out;
    for (const Json& m : expected["messages"]) {
        out.push_back(*from_hex(m["wire"].get<std::string>()));
    }
    return out;
}

Frame frame_of(const Bytes& datagram) {
    auto f = parse_frame(datagram);
    if (!f) {
        throw VectorError("generator: honest datagram does not parse");
    }
    return *f;
}

Bytes reframe(const Bytes& datagram, Bytes payload) {
    Frame f = frame_of(datagram);
    f.payload = std::move(payload);
    return serialize_frame(f);
}

template <class M>
Bytes modify(const Bytes& datagram, const std::function<void(M&)>& change) {
    auto m = parse_message(frame_of(datagram).payload);
    if (!m || !std::holds_alternative<M>(*m)) {
        throw VectorError("generator: unexpected honest message");
    }
    M msg = std::get<M>(*m);
    change(msg);
    return reframe(datagram, serialize(Message{msg}));
}

Json replace(std::size_t index, const Bytes& wire) {
    return Json{{"index", index}, {"op", "replace"}, {"wire", hexj(wire)}};
}

Json handshake_file() {
    Ids ids;
    Json tests = Json::array();
    auto add = [&](const Case& c, std::uint8_t ri = 0xa1, std::uint8_t rr = 0xb2) {
        const Json inputs = finish_inputs(c, ri, rr);
        const Json expected = run_transcript(inputs);
        Json t = Json{{"tcId", ids.next()}, {"comment", c.comment}, {"flags", Json::array({c.flag})},
                      {"inputs", inputs}, {"expected", expected}};
        const bool ok = expected["initiator"]["state"] == "authenticated" &&
                        expected["responder"]["state"] == "authenticated" && expected["first_failure"].is_null();
        if (ok) {
            t["result"] = "valid";
        } else {
            if (expected["first_failure"].is_null()) {
                throw VectorError("generator: a failing case without a failure: " + c.comment);
            }
            t["result"] = "invalid";
            t["error"] = expected["first_failure"]["error"];
            t["where"] = expected["first_failure"]["where"];
        }
        tests.push_back(t);
    };
    const auto window = static_cast<std::int64_t>(kDefaultTimestampWindowMs);
    const Case honest = base_case("honest handshake, then one data frame each way", "Valid");
    const std::vector<Bytes> wire = honest_wire(honest);
    const std::vector<Bytes> other_session = honest_wire(honest, 0xc3, 0xd4);
    {
        Case c = honest;
        c.data = Json::array({Json{{"op", "seal"}, {"from", "initiator"}, {"stream", 1}, {"payload", "68656c6c6f"}},
                              Json{{"op", "deliver"}, {"frame", 0}, {"to", "responder"}},
                              Json{{"op", "seal"}, {"from", "responder"}, {"stream", 1}, {"payload", "776f726c64"}},
                              Json{{"op", "deliver"}, {"frame", 1}, {"to", "initiator"}}});
        add(c);
    }
    {
        Case c = base_case("passive observer: session_id is the XOR of the nonces in HELLO and RESPONSE, the session key is not recoverable", "PassiveSessionId");
        add(c, 0x31, 0x32);
    }
    {
        Case c = base_case("clocks 29 s apart, inside the 30 s window", "Valid");
        c.responder.now = kNow + 29;
        add(c);
    }
    for (const auto& [who, skew, flag] : std::vector<std::tuple<std::string, std::int64_t, std::string>>{
             {"initiator", -window, "ClockSkewValid"}, {"initiator", -window - 1, "StaleTimestamp"},
             {"initiator", window, "ClockSkewValid"}, {"initiator", window + 1, "FutureTimestamp"},
             {"responder", -window, "ClockSkewValid"}, {"responder", -window - 1, "StaleTimestamp"},
             {"responder", window, "ClockSkewValid"}, {"responder", window + 1, "FutureTimestamp"}}) {
        Case c = base_case(who + " timestamps " + std::to_string(skew) + " ms from the peer's clock", flag);
        (who == "initiator" ? c.initiator : c.responder).send_skew_ms = skew;
        add(c);
    }
    {
        Case c = base_case("a 1 s window: HELLO 1001 ms old", "StaleTimestamp");
        c.responder.window_ms = 1000;
        c.initiator.send_skew_ms = -1001;
        add(c);
    }
    {
        Case c = base_case("AUTH_PROOF timestamp set to now - window - 1", "StaleTimestamp");
        c.mutations.push_back(replace(2, modify<AuthProof>(wire[2], [&](AuthProof& a) {
                                          a.timestamp_ms = static_cast<std::int64_t>(kNow) * 1000 - window - 1;
                                      })));
        add(c);
    }
    {
        Case c = base_case("responder holds another shared seed", "WrongSharedSeed");
        c.responder.shared_seed = Bytes(32, 0x5a);
        add(c);
    }
    {
        Case c = base_case("HELLO timestamp moved by 1 ms in transit: bound into the challenge", "ModifiedTimestamp");
        c.mutations.push_back(replace(0, modify<Hello>(wire[0], [](Hello& h) { h.timestamp_ms += 1; })));
        add(c);
    }
    {
        Case c = base_case("AUTH_PROOF timestamp moved by 1 ms in transit: bound into the proof", "ModifiedTimestamp");
        c.mutations.push_back(replace(2, modify<AuthProof>(wire[2], [](AuthProof& a) { a.timestamp_ms += 1; })));
        add(c);
    }
    {
        Case c = base_case("HELLO commitment with one bit flipped", "ModifiedCommitment");
        c.mutations.push_back(replace(0, modify<Hello>(wire[0], [](Hello& h) { h.commitment[0] ^= 0x01; })));
        add(c);
    }
    {
        Case c = base_case("HELLO nonce changed, commitment left as it was", "ModifiedCommitment");
        c.mutations.push_back(replace(0, modify<Hello>(wire[0], [](Hello& h) { h.nonce[31] ^= 0x80; })));
        add(c);
    }
    for (const std::size_t n : {std::size_t{31}, std::size_t{1}, std::size_t{33}}) {
        Case c = base_case("HELLO nonce of " + std::to_string(n) + " bytes, commitment recomputed", "ShortField");
        c.mutations.push_back(replace(0, modify<Hello>(wire[0], [n](Hello& h) {
                                          h.nonce.resize(n, 0x42);
                                          const auto d = crypto::sha256(concat({h.node_id, h.nonce}));
                                          h.commitment.assign(d.begin(), d.end());
                                      })));
        add(c);
    }
    {
        Case c = base_case("HELLO node_id of 31 bytes, commitment recomputed", "ShortField");
        c.mutations.push_back(replace(0, modify<Hello>(wire[0], [](Hello& h) {
                                          h.node_id.resize(31);
                                          const auto d = crypto::sha256(concat({h.node_id, h.nonce}));
                                          h.commitment.assign(d.begin(), d.end());
                                      })));
        add(c);
    }
    {
        Case c = base_case("AUTH_PROOF session_id of 2 bytes", "ShortField");
        c.mutations.push_back(replace(2, modify<AuthProof>(wire[2], [](AuthProof& a) { a.session_id.resize(2); })));
        add(c);
    }
    {
        Case c = base_case("HELLO replayed into a later session of the same responder", "ReplayedHello");
        c.prior.push_back(hexj(wire[0]));
        add(c);
    }
    {
        Case c = base_case("the HELLO of an earlier session (other nonce) was seen: no false replay", "Valid");
        c.prior.push_back(hexj(other_session[0]));
        add(c);
    }
    for (std::size_t i = 0; i < 4; ++i) {
        Case c = base_case("datagram " + std::to_string(i) + " duplicated: answered again, state kept", "DuplicatedDatagram");
        c.mutations.push_back(Json{{"index", i}, {"op", "duplicate"}});
        add(c);
    }
    {
        Case c = base_case("HELLO reflected to the initiator", "Reflected");
        c.mutations.push_back(Json{{"index", 0}, {"op", "reflect"}});
        add(c);
    }
    {
        Case c = base_case("RESPONSE reflected to the responder that sent it", "Reflected");
        c.mutations.push_back(Json{{"index", 1}, {"op", "reflect"}});
        add(c);
    }
    {
        Case c = base_case("AUTH_PROOF reflected to the initiator", "Reflected");
        c.mutations.push_back(Json{{"index", 2}, {"op", "reflect"}});
        add(c);
    }
    {
        Case c = base_case("HELLO answered by an AUTH_PROOF (out of order)", "OutOfOrder");
        c.mutations.push_back(replace(0, wire[2]));
        add(c);
    }
    {
        Case c = base_case("RESPONSE replaced by a FINAL (out of order)", "OutOfOrder");
        c.mutations.push_back(replace(1, wire[3]));
        add(c);
    }
    {
        Case c = base_case("RESPONSE of another session", "ForeignMessage");
        c.mutations.push_back(replace(1, other_session[1]));
        add(c);
    }
    {
        Case c = base_case("AUTH_PROOF of another session", "ForeignMessage");
        c.mutations.push_back(replace(2, other_session[2]));
        add(c);
    }
    {
        Case c = base_case("FINAL of another session", "ForeignMessage");
        c.mutations.push_back(replace(3, other_session[3]));
        add(c);
    }
    {
        Case c = base_case("challenge with one bit flipped", "TamperedCiphertext");
        c.mutations.push_back(replace(1, modify<Response>(wire[1], [](Response& r) { r.challenge[0] ^= 0x01; })));
        add(c);
    }
    {
        Case c = base_case("challenge metadata (nonce) with one bit flipped", "TamperedCiphertext");
        c.mutations.push_back(replace(1, modify<Response>(wire[1], [](Response& r) { r.challenge_metadata[0] ^= 0x01; })));
        add(c);
    }
    {
        Case c = base_case("proof with one bit flipped", "TamperedCiphertext");
        c.mutations.push_back(replace(2, modify<AuthProof>(wire[2], [](AuthProof& a) { a.proof[0] ^= 0x01; })));
        add(c);
    }
    {
        Case c = base_case("RESPONSE node_id changed in transit: bound by the proof", "ModifiedIdentity");
        c.mutations.push_back(replace(1, modify<Response>(wire[1], [](Response& r) { r.node_id[0] ^= 0x01; })));
        add(c);
    }
    {
        Case c = base_case("FINAL with another session_id", "TamperedConfirmation");
        c.mutations.push_back(replace(3, modify<Final>(wire[3], [](Final& f) { f.session_id[0] ^= 0x01; })));
        add(c);
    }
    {
        const Bytes tlv = frame_of(wire[0]).payload;
        Case c = base_case("HELLO TLV cut by one byte inside its frame", "MalformedTlv");
        c.mutations.push_back(replace(0, reframe(wire[0], Bytes(tlv.begin(), tlv.end() - 1))));
        add(c);
        Case d = base_case("HELLO TLV followed by a byte inside its frame", "MalformedTlv");
        Bytes longer = tlv;
        longer.push_back(0x00);
        d.mutations.push_back(replace(0, reframe(wire[0], longer)));
        add(d);
        Case e = base_case("HELLO datagram cut by one byte (frame length past the end)", "MalformedFrame");
        e.mutations.push_back(replace(0, Bytes(wire[0].begin(), wire[0].end() - 1)));
        add(e);
        Case f = base_case("HELLO timestamp tagged UINT64 (declared upstream, unsupported)", "MalformedTlv");
        Bytes retag = tlv;
        // The timestamp is the last-but-one entry; its INT64 tag sits 9 bytes before "type".
        const std::size_t type_key = tlv.size() - 19;
        retag[type_key - 9] = 0x17;
        f.mutations.push_back(replace(0, reframe(wire[0], retag)));
        add(f);
        Case g = base_case("HELLO with an extra key holding LISTs nested 9 deep", "MalformedTlv");
        Value hv = *decode(tlv);
        Value deep = Value::null();
        for (int i = 0; i < 9; ++i) {
            deep = Value::list({deep});
        }
        deep.key = "zz";
        hv.items.push_back(deep);
        g.mutations.push_back(replace(0, reframe(wire[0], enc(hv))));
        add(g);
        Case h = base_case("HELLO dict count 2^32-1", "MalformedTlv");
        Bytes huge = tlv;
        huge[1] = huge[2] = huge[3] = huge[4] = 0xff;
        h.mutations.push_back(replace(0, reframe(wire[0], huge)));
        add(h);
        Case u = base_case("HELLO with an unknown key", "MalformedTlv");
        Value uv = *decode(tlv);
        Value extra = Value::bytes_value(Bytes{1});
        extra.key = "padding";
        uv.items.push_back(extra);
        u.mutations.push_back(replace(0, reframe(wire[0], enc(uv))));
        add(u);
        Case o = base_case("HELLO datagram padded to 1473 bytes", "OversizeDatagram");
        Bytes padded = tlv;
        padded.resize(tlv.size() + (1473 - wire[0].size()) - 1, 0x00);
        Bytes big = reframe(wire[0], padded);
        while (big.size() < 1473) {
            padded.push_back(0x00);
            big = reframe(wire[0], padded);
        }
        o.mutations.push_back(replace(0, big));
        add(o);
        Case r = base_case("HELLO sent unframed (raw TLV, as upstream sends it)", "Unframed");
        r.mutations.push_back(replace(0, tlv));
        add(r);
        Case fl = base_case("HELLO frame header flags = 1", "TamperedFrameHeader");
        Frame ff = frame_of(wire[0]);
        ff.header.flags = 1;
        fl.mutations.push_back(replace(0, serialize_frame(ff)));
        add(fl);
        Case ty = base_case("HELLO frame header type = data (0x01)", "TamperedFrameHeader");
        Frame ft = frame_of(wire[0]);
        ft.header.type = kFrameData;
        ty.mutations.push_back(replace(0, serialize_frame(ft)));
        add(ty);
        Case sq = base_case("HELLO frame header sequence and timestamp changed: not part of the handshake", "IgnoredHeaderField");
        Frame fs = frame_of(wire[0]);
        fs.header.sequence = 77;
        fs.header.timestamp_ms = 1;
        sq.mutations.push_back(replace(0, serialize_frame(fs)));
        add(sq);
    }
    const Json seal_i0 = Json{{"op", "seal"}, {"from", "initiator"}, {"stream", 1}, {"payload", "6f6e65"}};
    const Json seal_i1 = Json{{"op", "seal"}, {"from", "initiator"}, {"stream", 1}, {"payload", "74776f"}};
    auto deliver = [](int frame, const char* to) { return Json{{"op", "deliver"}, {"frame", frame}, {"to", to}}; };
    {
        Case c = base_case("data frame with its stream id changed in transit", "DataTamperedHeader");
        const std::size_t stream_byte = 2 + 1 + kHeaderSize - 1;
        c.data = Json::array({seal_i0, Json{{"op", "deliver"}, {"frame", 0}, {"to", "responder"}, {"flip_byte", stream_byte}}});
        add(c);
        Case p = base_case("data frame with its payload changed in transit", "DataTamperedPayload");
        p.data = Json::array({seal_i0, Json{{"op", "deliver"}, {"frame", 0}, {"to", "responder"}, {"flip_byte", 60}}});
        add(p);
        Case r = base_case("data frame delivered twice", "DataReplay");
        r.data = Json::array({seal_i0, deliver(0, "responder"), deliver(0, "responder")});
        add(r);
        Case o = base_case("data frames delivered in reverse order", "DataReorder");
        o.data = Json::array({seal_i0, seal_i1, deliver(1, "responder"), deliver(0, "responder")});
        add(o);
        Case l = base_case("first data frame lost: the second is accepted", "DataLoss");
        l.data = Json::array({seal_i0, seal_i1, deliver(1, "responder")});
        add(l);
        Case x = base_case("data frame reflected to its sender", "DataReflect");
        x.data = Json::array({seal_i0, deliver(0, "initiator")});
        add(x);
    }
    Json notes = Json::object();
    notes["Valid"] = note("BASIC", "An honest run.", "Both sides authenticate with equal keys.");
    notes["PassiveSessionId"] = note("KNOWN_WEAKNESS", "session_id is the XOR of two nonces sent in clear: any observer computes it.", "Harmless in the reference because the session key comes from HKDF over the shared seed and both transcripts; a target whose key is computable from the wire is a finding.");
    notes["ClockSkewValid"] = note("EDGE_CASE", "A timestamp exactly at the window edge.", "Accepted.");
    notes["StaleTimestamp"] = note("FRESHNESS", "A timestamp older than the window (default 30 s) by 1 ms or more.", "Rejected (stale_timestamp).");
    notes["FutureTimestamp"] = note("FRESHNESS", "A timestamp further ahead than the window by 1 ms or more.", "Rejected (future_timestamp).");
    notes["WrongSharedSeed"] = note("AUTHENTICATION", "The peers hold different shared seeds.", "The challenge does not open (bad_credentials).");
    notes["ModifiedTimestamp"] = note("INTEGRITY", "A timestamp changed in transit within the window.", "Detected through the associated data of the challenge or proof.");
    notes["ModifiedCommitment"] = note("INTEGRITY", "The HELLO commitment does not match node_id || nonce.", "Rejected (bad_mac); upstream never checks it.");
    notes["ModifiedIdentity"] = note("INTEGRITY", "A node_id changed in transit.", "Detected: the proof's associated data covers RESPONSE.");
    notes["ShortField"] = note("DECODING", "node_id, nonce or session_id of the wrong length.", "Rejected (bad_length); upstream accepts (a 1-byte nonce gives a 1-byte session id).");
    notes["ReplayedHello"] = note("REPLAY", "A HELLO the responder already answered in an earlier session.", "Rejected (replay) by the bounded nonce cache.");
    notes["DuplicatedDatagram"] = note("IDEMPOTENCE", "A datagram delivered twice.", "The duplicate is answered with the same reply (at most 3 times); the state is not reset.");
    notes["Reflected"] = note("REFLECTION", "A message delivered back to its sender.", "Rejected (unexpected_message, or bad_mac for data frames).");
    notes["OutOfOrder"] = note("STATE_MACHINE", "A message of another step.", "Rejected (unexpected_message).");
    notes["ForeignMessage"] = note("CROSS_SESSION", "A message of another session with other nonces.", "Rejected.");
    notes["TamperedCiphertext"] = note("INTEGRITY", "Challenge or proof ciphertext or nonce altered.", "Rejected (bad_credentials).");
    notes["TamperedConfirmation"] = note("INTEGRITY", "FINAL echoing another session_id.", "Rejected (bad_mac).");
    notes["MalformedTlv"] = note("DECODING", "Truncated, trailing, unsupported tag, deep nesting, huge count, unknown key.", "Rejected with the TLV error at its datagram offset.");
    notes["MalformedFrame"] = note("FRAMING", "The frame length runs past the datagram.", "Rejected (truncated).");
    notes["OversizeDatagram"] = note("RESOURCE", "A datagram over 1472 bytes.", "Rejected (oversize) before parsing.");
    notes["Unframed"] = note("FRAMING", "Handshake TLV without the \"ST\" frame, as upstream sends it.", "Rejected by the reference (the framed form is normative); the unframed-handshake knob accepts it.");
    notes["TamperedFrameHeader"] = note("FRAMING", "Handshake frame with non-zero flags or a non-handshake type.", "Rejected.");
    notes["IgnoredHeaderField"] = note("FRAMING", "Handshake frame sequence/timestamp are informational.", "Accepted: the message's own timestamp is the one checked and authenticated.");
    notes["DataTamperedHeader"] = note("INTEGRITY", "A data frame header byte changed in transit.", "Rejected (bad_mac): the header is associated data. Upstream does not authenticate it.");
    notes["DataTamperedPayload"] = note("INTEGRITY", "A data frame ciphertext byte changed.", "Rejected (bad_mac).");
    notes["DataReplay"] = note("REPLAY", "A data frame delivered twice.", "The second is rejected (bad_sequence).");
    notes["DataReorder"] = note("REPLAY", "An older data frame after a newer one.", "Rejected (bad_sequence).");
    notes["DataLoss"] = note("EDGE_CASE", "A gap in data sequence numbers.", "Accepted: loss is not an attack.");
    notes["DataReflect"] = note("REFLECTION", "A data frame delivered to its sender.", "Rejected (bad_mac): each direction has its own key.");
    Json groups = Json::array({Json{{"type", "SttHandshake"},
                                     {"comment", "initiator and responder run in step; mutations apply to the k-th datagram sent"},
                                     {"tests", tests}}});
    return file_json("stt_handshake.schema.json",
                     Json::array({"STT handshake transcripts with the reference suite (XChaCha20-Poly1305, HKDF-SHA256, SHA-256).",
                                  "Randomness is scripted per side (nonce, then AEAD nonces, in draw order); clocks are fixed (unix seconds).",
                                  "No Diffie-Hellman keys exist in STT, so there are no weak-key cases."}),
                     notes, groups);
}

// ---------------------------------------------------------------- messages and frames file

std::string i64s(std::int64_t v) { return std::to_string(v); }

Json fields_json(const Message& m) {
    struct V {
        Json operator()(const Hello& h) const {
            return Json{{"commitment", hexj(h.commitment)}, {"node_id", hexj(h.node_id)}, {"nonce", hexj(h.nonce)},
                        {"timestamp", i64s(h.timestamp_ms)}};
        }
        Json operator()(const Response& r) const {
            return Json{{"challenge", hexj(r.challenge)}, {"challenge_metadata", hexj(r.challenge_metadata)},
                        {"node_id", hexj(r.node_id)}, {"nonce", hexj(r.nonce)}, {"timestamp", i64s(r.timestamp_ms)}};
        }
        Json operator()(const AuthProof& a) const {
            return Json{{"proof", hexj(a.proof)}, {"proof_metadata", hexj(a.proof_metadata)},
                        {"session_id", hexj(a.session_id)}, {"timestamp", i64s(a.timestamp_ms)}};
        }
        Json operator()(const Final& f) const {
            return Json{{"session_id", hexj(f.session_id)}, {"timestamp", i64s(f.timestamp_ms)}};
        }
    };
    return std::visit(V{}, m);
}

Json frame_json(const Frame& f) {
    return Json{{"type", f.header.type},
                {"flags", f.header.flags},
                {"session_id", hexj(f.header.session_id)},
                {"sequence", std::to_string(f.header.sequence)},
                {"timestamp_ms", std::to_string(f.header.timestamp_ms)},
                {"stream_id", f.header.stream_id},
                {"metadata", hexj(f.metadata)},
                {"payload", hexj(f.payload)}};
}

Value with_entry(const Bytes& tlv, const std::string& key, Value v) {
    Value d = *decode(tlv);
    v.key = key;
    for (Value& item : d.items) {
        if (item.key == key) {
            item = v;
            return d;
        }
    }
    d.items.push_back(v);
    return d;
}

Value without_entry(const Bytes& tlv, const std::string& key) {
    Value d = *decode(tlv);
    d.items.erase(std::remove_if(d.items.begin(), d.items.end(), [&](const Value& i) { return i.key == key; }),
                  d.items.end());
    return d;
}

Json messages_file() {
    Ids ids;
    const std::vector<Bytes> wire = honest_wire(base_case("", ""));
    std::vector<Bytes> tlv;
    for (const Bytes& d : wire) {
        tlv.push_back(frame_of(d).payload);
    }
    Json groups = Json::array();
    const std::array<const char*, 4> names = {"HELLO", "RESPONSE", "AUTH_PROOF", "FINAL"};
    auto invalid_case = [&](Json& tests, const std::string& comment, const char* flag, const Bytes& w) {
        auto r = parse_message(w);
        if (r.ok()) {
            throw VectorError("generator: invalid message case parses: " + comment);
        }
        tests.push_back(Json{{"tcId", ids.next()}, {"comment", comment}, {"flags", Json::array({flag})},
                             {"wire", hexj(w)}, {"result", "invalid"}, {"error", error_name(r.error())},
                             {"offset", offset_json(r.failure().offset)}});
    };
    for (std::size_t i = 0; i < 4; ++i) {
        Json tests = Json::array();
        const Message m = *parse_message(tlv[i]);
        std::string comment = std::string(names[i]) + " from the honest transcript";
        if (i == 0) {
            comment += " (195 bytes, as the protocol notes give)";
        }
        tests.push_back(Json{{"tcId", ids.next()}, {"comment", comment}, {"flags", Json::array({"Valid"})},
                             {"wire", hexj(tlv[i])}, {"fields", fields_json(m)}, {"result", "valid"}});
        if (i == 0) {
            invalid_case(tests, "nonce of 31 bytes", "BadFieldLength", enc(with_entry(tlv[0], "nonce", Value::bytes_value(Bytes(31, 7)))));
            invalid_case(tests, "nonce of 33 bytes", "BadFieldLength", enc(with_entry(tlv[0], "nonce", Value::bytes_value(Bytes(33, 7)))));
            invalid_case(tests, "node_id of 1 byte", "BadFieldLength", enc(with_entry(tlv[0], "node_id", Value::bytes_value(Bytes(1, 7)))));
            invalid_case(tests, "timestamp as a STRING", "WrongType", enc(with_entry(tlv[0], "timestamp", Value::string_value("1"))));
            invalid_case(tests, "timestamp as a FLOAT64", "WrongType", enc(with_entry(tlv[0], "timestamp", Value::float_value(1.0))));
            invalid_case(tests, "nonce as a STRING", "WrongType", enc(with_entry(tlv[0], "nonce", Value::string_value("n"))));
            invalid_case(tests, "type as BYTES", "WrongType", enc(with_entry(tlv[0], "type", Value::bytes_value(as_bytes("HELLO")))));
            invalid_case(tests, "commitment missing", "MissingField", enc(without_entry(tlv[0], "commitment")));
            invalid_case(tests, "type missing", "MissingField", enc(without_entry(tlv[0], "type")));
            invalid_case(tests, "an extra key", "UnknownField", enc(with_entry(tlv[0], "extra", Value::null())));
            invalid_case(tests, "type SUCCESS (the design document's name, not the wire's)", "UnknownMessage",
                         enc(with_entry(tlv[0], "type", Value::string_value("SUCCESS"))));
            invalid_case(tests, "type in lower case", "UnknownMessage", enc(with_entry(tlv[0], "type", Value::string_value("hello"))));
            invalid_case(tests, "a LIST, not a DICT", "NotADict", enc(Value::list({})));
            Bytes trailing = tlv[0];
            trailing.push_back(0);
            invalid_case(tests, "trailing byte", "TrailingBytes", trailing);
            invalid_case(tests, "cut by one byte", "Truncated", Bytes(tlv[0].begin(), tlv[0].end() - 1));
        }
        if (i == 2) {
            invalid_case(tests, "session_id of 7 bytes", "BadFieldLength", enc(with_entry(tlv[2], "session_id", Value::bytes_value(Bytes(7, 7)))));
            invalid_case(tests, "proof missing", "MissingField", enc(without_entry(tlv[2], "proof")));
        }
        if (i == 3) {
            invalid_case(tests, "session_id of 9 bytes", "BadFieldLength", enc(with_entry(tlv[3], "session_id", Value::bytes_value(Bytes(9, 7)))));
            invalid_case(tests, "timestamp missing", "MissingField", enc(without_entry(tlv[3], "timestamp")));
        }
        if (i == 1) {
            invalid_case(tests, "challenge_metadata as an INT", "WrongType", enc(with_entry(tlv[1], "challenge_metadata", Value::int_value(0))));
        }
        groups.push_back(Json{{"type", "SttMessage"}, {"message", names[i]}, {"comment", "TLV payload of one message"}, {"tests", tests}});
    }

    Json frames = Json::array();
    auto valid_frame = [&](const std::string& comment, const Bytes& w) {
        frames.push_back(Json{{"tcId", ids.next()}, {"comment", comment}, {"flags", Json::array({"Valid"})},
                              {"wire", hexj(w)}, {"frame", frame_json(frame_of(w))}, {"result", "valid"}});
    };
    auto invalid_frame = [&](const std::string& comment, const char* flag, const Bytes& w) {
        auto r = parse_frame(w);
        if (r.ok()) {
            throw VectorError("generator: invalid frame case parses: " + comment);
        }
        frames.push_back(Json{{"tcId", ids.next()}, {"comment", comment}, {"flags", Json::array({flag})},
                              {"wire", hexj(w)}, {"result", "invalid"}, {"error", error_name(r.error())},
                              {"offset", offset_json(r.failure().offset)}});
    };
    for (std::size_t i = 0; i < 4; ++i) {
        valid_frame(std::string(names[i]) + " datagram of the honest transcript", wire[i]);
    }
    {
        Frame f;
        f.header = {kFrameData, 0, {1, 2, 3, 4, 5, 6, 7, 8}, 9, 10, 11};
        f.metadata = {0xaa};
        f.payload = {0xbb, 0xcc};
        valid_frame("a data frame with all header fields set", serialize_frame(f));
        Frame e;
        valid_frame("an empty data frame (no metadata, no payload)", serialize_frame(e));
        Frame big;
        big.header.type = kFrameData;
        big.payload.assign(kMaxDatagram - 2 - 2 - kHeaderSize - 1, 0x5a);
        valid_frame("a frame of exactly 1472 bytes", serialize_frame(big));
        Bytes over = serialize_frame(big);
        big.payload.push_back(0x5a);
        invalid_frame("a frame of 1473 bytes", "OversizeDatagram", serialize_frame(big));
        Bytes w = serialize_frame(f);
        Bytes bad_magic = w;
        bad_magic[1] = 'X';
        invalid_frame("magic \"SX\"", "BadMagic", bad_magic);
        invalid_frame("empty datagram", "Truncated", {});
        invalid_frame("magic only", "Truncated", hex("5354"));
        Bytes cut = w;
        cut.pop_back();
        invalid_frame("one byte short of its length", "Truncated", cut);
        Bytes trailing = w;
        trailing.push_back(0);
        invalid_frame("one byte after the frame", "TrailingBytes", trailing);
        invalid_frame("header of 3 bytes", "Truncated", hex("5354030500aa"));
        Bytes meta = w;
        meta[2 + 1 + kHeaderSize] = 0x05;
        invalid_frame("metadata length past the end of the frame", "BadLength", meta);
        invalid_frame("length varint with a redundant zero group", "BadVarint", hex("53548000"));
        Bytes endless = hex("5354");
        endless.resize(64, 0xff);
        invalid_frame("a length varint that never ends", "BadVarint", endless);
        Writer claim;
        claim.put_u8('S');
        claim.put_u8('T');
        put_varint(claim, kMaxFrame + 1);
        Bytes claimed = claim.bytes();
        claimed.resize(kMaxDatagram, 0);
        invalid_frame("a 2 MiB + 1 frame claimed in a 1472-byte datagram", "FrameOversize", claimed);
        Writer claim2;
        claim2.put_u8('S');
        claim2.put_u8('T');
        put_varint(claim2, kMaxFrame);
        Bytes claimed2 = claim2.bytes();
        claimed2.resize(kMaxDatagram, 0);
        invalid_frame("a 2 MiB frame claimed in a 1472-byte datagram", "Truncated", claimed2);
        (void)over;
    }
    groups.push_back(Json{{"type", "SttFrame"}, {"comment", "one UDP datagram, one frame"}, {"tests", frames}});

    Json notes = Json::object();
    notes["Valid"] = note("BASIC", "As the reference sends it.", "Must parse to the fields and re-encode to the wire.");
    notes["BadFieldLength"] = note("DECODING", "node_id/nonce not 32 bytes, session_id not 8.", "Rejected (bad_length) at the value's tag; upstream accepts.");
    notes["WrongType"] = note("DECODING", "A field of another TLV type.", "Rejected (decode_error) at the value's tag.");
    notes["MissingField"] = note("DECODING", "A required key is absent.", "Rejected (decode_error) at the dict's tag.");
    notes["UnknownField"] = note("DECODING", "A key the message does not define.", "Rejected (decode_error); upstream ignores it.");
    notes["UnknownMessage"] = note("DECODING", "A type string outside HELLO, RESPONSE, AUTH_PROOF, FINAL.", "Rejected (unknown_type).");
    notes["NotADict"] = note("DECODING", "A message that is not a DICT.", "Rejected (decode_error).");
    notes["TrailingBytes"] = note("DECODING", "Bytes after the value or frame.", "Rejected (trailing_bytes).");
    notes["Truncated"] = note("DECODING", "Input ends early.", "Rejected (truncated).");
    notes["OversizeDatagram"] = note("RESOURCE", "A datagram over 1472 bytes.", "Rejected (oversize).");
    notes["BadMagic"] = note("FRAMING", "Not starting with \"ST\".", "Rejected (decode_error).");
    notes["BadLength"] = note("FRAMING", "Metadata length past the frame.", "Rejected (bad_length).");
    notes["BadVarint"] = note("FRAMING", "A non-minimal or endless LEB128 length.", "Rejected (non_canonical or bad_length).");
    notes["FrameOversize"] = note("RESOURCE", "A frame length over 2 MiB.", "Rejected (oversize) at the length, before anything is buffered.");
    return file_json("stt_messages.schema.json",
                     Json::array({"STT handshake messages (TLV payloads) and UDP frames: wire and fields, valid and invalid.",
                                  "Integers that may exceed 2^53 are decimal strings; offsets count from the start of wire."}),
                     notes, groups);
}

void expect_equal(const Json& got, const Json& want, const std::string& field);

// ---------------------------------------------------------------- manager file

struct ManagerCase {
    std::string comment;
    std::string flag;
    std::size_t clients = 1;
    std::size_t max_pending = 4;
    Json events = Json::array();
};

Json manager_inputs(const ManagerCase& c, std::size_t server_random, const std::vector<std::size_t>& client_random) {
    Json in = Json::object();
    Bytes srand(server_random);
    ByteArray<32> seed{};
    seed.fill(0xb2);
    SeededRng(seed).fill(srand);
    in["server"] = Json{{"node_seed", hexj(seed_bytes(0x02))}, {"shared_seed", hexj(as_bytes(kSharedSeed))},
                        {"random", hexj(srand)}, {"now", kNow}, {"max_pending", c.max_pending}, {"max_sessions", 8}};
    Json clients = Json::array();
    for (std::size_t k = 0; k < c.clients; ++k) {
        SideInputs s;
        s.node_seed = seed_bytes(static_cast<std::uint8_t>(0x10 + k));
        s.shared_seed = Bytes(as_bytes(kSharedSeed).begin(), as_bytes(kSharedSeed).end());
        s.random.resize(client_random[k]);
        ByteArray<32> cs{};
        cs.fill(static_cast<std::uint8_t>(0x40 + k));
        SeededRng(cs).fill(s.random);
        clients.push_back(side_json(s));
    }
    in["clients"] = clients;
    in["events"] = c.events;
    return in;
}

Json finish_manager(const ManagerCase& c) {
    const std::vector<std::size_t> big(c.clients, 512);
    const ManagerRun probe = run_manager_impl(manager_inputs(c, 4096, big));
    std::vector<std::size_t> used;
    for (std::size_t u : probe.unused_clients) {
        used.push_back(512 - u);
    }
    return manager_inputs(c, 4096 - probe.unused, used);
}

Json ev(const char* op, std::size_t client, const std::string& from = "") {
    Json j = Json{{"op", op}, {"client", client}};
    if (!from.empty()) {
        j["from"] = from;
    }
    return j;
}

Json query(const std::string& a) { return Json{{"op", "query"}, {"address", a}}; }

Json manager_file() {
    Ids ids;
    Json tests = Json::array();
    auto add = [&](const ManagerCase& c) {
        const Json inputs = finish_manager(c);
        tests.push_back(Json{{"tcId", ids.next()}, {"comment", c.comment}, {"flags", Json::array({c.flag})},
                             {"inputs", inputs}, {"expected", run_manager(inputs)}, {"result", "valid"}});
    };
    const std::string a = "192.0.2.1:4000";
    const std::string b = "192.0.2.2:4000";
    {
        ManagerCase c{"one client completes; another address knows nothing", "PerAddress"};
        c.events = Json::array({ev("start", 0), ev("deliver", 0, a), ev("deliver", 0, a), query(a), query(b)});
        add(c);
    }
    {
        ManagerCase c{"a completed and a pending handshake: no state leaks between them", "PerAddress", 2};
        c.events = Json::array({ev("start", 0), ev("deliver", 0, a), ev("deliver", 0, a), ev("start", 1),
                                ev("deliver", 1, b), query(a), query(b)});
        add(c);
    }
    {
        ManagerCase c{"AUTH_PROOF from another source address than its HELLO", "AddressChange"};
        c.events = Json::array({ev("start", 0), ev("deliver", 0, a), ev("deliver", 0, b), query(a), query(b)});
        add(c);
    }
    {
        ManagerCase c{"five half-open handshakes against a bound of three: the oldest go first", "HalfOpenFlood", 5, 3};
        for (std::size_t k = 0; k < 5; ++k) {
            c.events.push_back(ev("start", k));
            c.events.push_back(ev("deliver", k, "198.51.100." + std::to_string(k) + ":5000"));
        }
        c.events.push_back(ev("deliver", 0, "198.51.100.0:5000"));
        c.events.push_back(ev("deliver", 4, "198.51.100.4:5000"));
        add(c);
    }
    {
        ManagerCase c{"a HELLO replayed from a second address", "ReplayedHello"};
        Json resend = ev("resend", 0, b);
        resend["index"] = 0;
        c.events = Json::array({ev("start", 0), ev("deliver", 0, a), resend, query(b)});
        add(c);
    }
    {
        ManagerCase c{"a HELLO duplicated from the same address is answered again", "DuplicatedDatagram"};
        Json resend = ev("resend", 0, a);
        resend["index"] = 0;
        c.events = Json::array({ev("start", 0), ev("deliver", 0, a), resend, ev("deliver", 0, a), query(a)});
        add(c);
    }
    {
        ManagerCase c{"a pending handshake expires after 10 s", "Timeout"};
        c.events = Json::array({ev("start", 0), ev("deliver", 0, a), Json{{"op", "advance"}, {"seconds", 9}},
                                Json{{"op", "advance"}, {"seconds", 1}}, ev("deliver", 0, a), query(a)});
        add(c);
    }
    {
        ManagerCase c{"garbage and a forged HELLO from new addresses create no state", "NoStateFromJunk"};
        const std::vector<Bytes> w = honest_wire(base_case("", ""));
        const Bytes forged = modify<Hello>(w[0], [](Hello& h) { h.commitment[5] ^= 0x10; });
        c.events = Json::array({Json{{"op", "send"}, {"from", b}, {"wire", "00"}},
                                Json{{"op", "send"}, {"from", b}, {"wire", hexj(forged)}},
                                Json{{"op", "send"}, {"from", b}, {"wire", hexj(w[2])}}, ev("start", 0),
                                ev("deliver", 0, a), ev("deliver", 0, a), query(a), query(b)});
        add(c);
    }
    Json notes = Json::object();
    notes["PerAddress"] = note("STATE_LEAK", "Several peer addresses.", "complete and session id are answered per address only; upstream answers for any address once one session exists.");
    notes["AddressChange"] = note("STATE_MACHINE", "A handshake message from another address than the HELLO.", "Rejected without creating state; the original handshake stays pending.");
    notes["HalfOpenFlood"] = note("RESOURCE", "More half-open handshakes than the bound.", "The oldest pending handshake is evicted first.");
    notes["ReplayedHello"] = note("REPLAY", "The same HELLO from another address.", "Rejected (replay): the responders share one nonce cache.");
    notes["DuplicatedDatagram"] = note("IDEMPOTENCE", "A HELLO delivered twice from the same address.", "Answered with the same RESPONSE; the handshake continues.");
    notes["Timeout"] = note("RESOURCE", "A pending handshake older than the timeout.", "Expired; later messages for it are rejected.");
    notes["NoStateFromJunk"] = note("RESOURCE", "Garbage, a forged HELLO or a stray AUTH_PROOF from a new address.", "Rejected without creating state or polluting the replay cache.");
    Json groups = Json::array({Json{{"type", "SttManager"},
                                     {"comment", "a HandshakeManager (responders) and initiator clients; events in order"},
                                     {"tests", tests}}});
    return file_json("stt_manager.schema.json",
                     Json::array({"STT HandshakeManager: concurrent handshakes keyed by peer address.",
                                  "Server randomness is drawn by responders in creation order; each client has its own script."}),
                     notes, groups);
}

void check_manager(const Json& group, const Json& test) {
    (void)group;
    StrictObject t(test, "test");
    (void)t.req("tcId");
    (void)t.str("comment");
    (void)t.req("flags");
    const Json expected = run_manager(t.req("inputs"));
    const Json& want = t.req("expected");
    for (auto it = expected.begin(); it != expected.end(); ++it) {
        if (!want.contains(it.key())) {
            throw VectorError("expected." + it.key() + ": missing");
        }
        expect_equal(*it, want.at(it.key()), "expected." + it.key());
    }
    if (want.size() != expected.size()) {
        throw VectorError("expected: keys the run does not produce");
    }
    if (t.str("result") != "valid") {
        throw VectorError("result: manager cases are valid runs");
    }
    t.finish();
}

// ---------------------------------------------------------------- checkers

void expect_equal(const Json& got, const Json& want, const std::string& field) {
    if (got != want) {
        throw VectorError(field + ": expected " + want.dump() + ", computed " + got.dump());
    }
}

void check_failure(const Failure& f, StrictObject& t) {
    expect_equal(Json(error_name(f.code)), Json(t.str("error")), "error");
    expect_equal(offset_json(f.offset), t.req("offset"), "offset");
}

void check_tlv(const Json& group, const Json& test) {
    (void)group;
    StrictObject t(test, "test");
    (void)t.req("tcId");
    (void)t.str("comment");
    (void)t.req("flags");
    const Bytes wire = t.hex("wire");
    const std::string result = t.str("result");
    auto r = decode(wire);
    if (result == "valid") {
        if (!r) {
            throw VectorError("wire: rejected with " + r.failure().describe());
        }
        expect_equal(value_json(*r), t.req("value"), "value");
        expect_equal(Json(to_hex(enc(*r))), Json(to_hex(wire)), "wire (re-encoded)");
    } else if (const Json* knob = t.opt("knob")) {
        if (r) {
            throw VectorError("wire: accepted by the strict decoder");
        }
        check_failure(r.failure(), t);
        auto lax = decode(wire, {}, leniency_named(knob->get<std::string>()));
        if (!lax) {
            throw VectorError("knob: rejected with " + lax.failure().describe());
        }
        expect_equal(value_json(*lax), t.req("lenient_value"), "lenient_value");
    } else {
        if (r) {
            throw VectorError("wire: accepted");
        }
        check_failure(r.failure(), t);
    }
    t.finish();
}

void check_message(const Json& group, const Json& test) {
    StrictObject t(test, "test");
    (void)t.req("tcId");
    (void)t.str("comment");
    (void)t.req("flags");
    const Bytes wire = t.hex("wire");
    const std::string result = t.str("result");
    if (group.value("type", "") == "SttFrame") {
        auto r = parse_frame(wire);
        if (result == "valid") {
            if (!r) {
                throw VectorError("wire: rejected with " + r.failure().describe());
            }
            expect_equal(frame_json(*r), t.req("frame"), "frame");
            expect_equal(Json(to_hex(serialize_frame(*r))), Json(to_hex(wire)), "wire (re-encoded)");
        } else {
            if (r) {
                throw VectorError("wire: accepted");
            }
            check_failure(r.failure(), t);
        }
        t.finish();
        return;
    }
    auto r = parse_message(wire);
    if (result == "valid") {
        if (!r) {
            throw VectorError("wire: rejected with " + r.failure().describe());
        }
        expect_equal(Json(std::string(message_name(*r))), group.at("message"), "message");
        expect_equal(fields_json(*r), t.req("fields"), "fields");
        expect_equal(Json(to_hex(serialize(*r))), Json(to_hex(wire)), "wire (re-encoded)");
    } else {
        if (r) {
            throw VectorError("wire: accepted");
        }
        check_failure(r.failure(), t);
    }
    t.finish();
}

void check_handshake(const Json& group, const Json& test) {
    (void)group;
    StrictObject t(test, "test");
    (void)t.req("tcId");
    (void)t.str("comment");
    (void)t.req("flags");
    const Json expected = run_transcript(t.req("inputs"));
    const Json& want = t.req("expected");
    for (auto it = want.begin(); it != want.end(); ++it) {
        if (!expected.contains(it.key())) {
            throw VectorError("expected." + it.key() + ": not produced by the run");
        }
    }
    for (auto it = expected.begin(); it != expected.end(); ++it) {
        if (!want.contains(it.key())) {
            throw VectorError("expected." + it.key() + ": missing");
        }
        expect_equal(*it, want.at(it.key()), "expected." + it.key());
    }
    const std::string result = t.str("result");
    if (result == "invalid") {
        expect_equal(expected["first_failure"]["error"], Json(t.str("error")), "error");
        expect_equal(expected["first_failure"]["where"], Json(t.str("where")), "where");
    } else if (result != "valid" || !expected["first_failure"].is_null()) {
        throw VectorError("result: '" + result + "' does not match the run");
    }
    t.finish();
}

}  // namespace

std::vector<GeneratedFile> generate(const GenerateOptions& options) {
    (void)options;  // STT has no Diffie-Hellman keys: no Wycheproof input
    return {{"stt/tlv_test.json", shakedown::vectors::dump_canonical(tlv_file())},
            {"stt/messages_test.json", shakedown::vectors::dump_canonical(messages_file())},
            {"stt/handshake_test.json", shakedown::vectors::dump_canonical(handshake_file())},
            {"stt/manager_test.json", shakedown::vectors::dump_canonical(manager_file())}};
}

shakedown::vectors::CaseChecker checker(const std::string& schema) {
    if (schema == "stt_tlv.schema.json") {
        return check_tlv;
    }
    if (schema == "stt_messages.schema.json") {
        return check_message;
    }
    if (schema == "stt_handshake.schema.json") {
        return check_handshake;
    }
    if (schema == "stt_manager.schema.json") {
        return check_manager;
    }
    return nullptr;
}

}  // namespace shakedown::stt::vectors
