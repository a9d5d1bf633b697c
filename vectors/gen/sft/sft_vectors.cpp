#include "vectors/gen/sft/sft_vectors.hpp"

#include "sft/record.hpp"
#include "vectors/gen/json_strict.hpp"
#include "vectors/gen/sft/catalogue.hpp"

namespace shakedown::sft::vectors {

namespace {

using shakedown::vectors::GeneratedFile;
using shakedown::vectors::Json;
using shakedown::vectors::StrictObject;
using shakedown::vectors::VectorError;

constexpr const char* kGeneratedBy = "shakedown vectors generate --variant sft (do not edit)";
constexpr const char* kKatSchema = "sft/kat.schema.json";
constexpr const char* kTranscriptSchema = "sft/transcript.schema.json";
constexpr const char* kCodecSchema = "sft/codec.schema.json";

Json note(const char* bug, const char* desc, const char* effect) {
    return Json{{"bugType", bug}, {"description", desc}, {"effect", effect}};
}

std::string hex(ByteView b) { return to_hex(b); }

Json file_top(const char* schema, std::vector<std::string> header, Json notes) {
    Json j;
    j["generatedBy"] = kGeneratedBy;
    j["schema"] = schema;
    j["variant"] = "sft";
    j["header"] = header;
    j["notes"] = std::move(notes);
    return j;
}

void finish_file(Json& j) {
    std::size_t n = 0;
    std::int64_t id = 1;
    for (auto& g : j["testGroups"]) {
        for (auto& t : g["tests"]) {
            t["tcId"] = id++;
            ++n;
        }
    }
    j["numberOfTests"] = n;
    // Put numberOfTests before testGroups, as the other variants' files do.
    Json groups = j["testGroups"];
    j.erase("testGroups");
    j["testGroups"] = groups;
}

// Orders keys tcId, comment, flags first.
Json test_obj(const std::string& comment, const std::vector<std::string>& flags) {
    Json t;
    t["tcId"] = 0;
    t["comment"] = comment;
    t["flags"] = flags;
    return t;
}

// ------------------------------------------------------------------------------------------
// Known answers (docs/protocols/sft.md §10).

Json kat_case(Profile p) {
    const KnownKeys& k = known_keys();
    Json t = test_obj(std::string("known answers, ") + std::string(to_string(p)), {"KnownAnswer"});
    t["profile"] = std::string(to_string(p));
    Json in;
    in["client_eph_secret"] = hex(k.client_eph_secret);
    in["server_eph_secret"] = hex(k.server_eph_secret);
    in["server_id_seed"] = hex(k.server_id_seed);
    if (p == Profile::described) {
        in["client_id_seed"] = hex(k.client_id_seed);
    }
    t["inputs"] = in;
    Json out;
    auto ss = shared_secret(Secret<32>(k.client_eph_secret), k.server_eph);
    out["client_eph"] = hex(k.client_eph);
    out["server_eph"] = hex(k.server_eph);
    out["server_id"] = hex(k.server_id);
    out["shared_secret"] = hex(ss->view());
    const auto signer = crypto::ed25519_from_seed(p == Profile::described ? k.client_id_seed : k.server_id_seed);
    if (p == Profile::described) {
        out["client_id"] = hex(k.client_id);
    }
    out["salt"] = hex(kdf_salt(p, k.server_eph, k.client_eph));
    out["signed_transcript"] = hex(signed_transcript(p, k.client_eph, k.server_eph, k.server_id));
    out["sig"] = hex(crypto::ed25519_sign(signer, signed_transcript(p, k.client_eph, k.server_eph, k.server_id)));
    auto keys = derive_session_keys(p, *ss, k.server_eph, k.client_eph, CachingDeriver::shared());
    out["hmac_key"] = hex(keys->hmac_key.view());
    out["aes_key"] = hex(keys->aes_key.view());
    out["key_id"] = hex(keys->key_id);
    if (p == Profile::upstream_v2) {
        ByteArray<12> n{};
        for (std::uint8_t i = 0; i < 12; ++i) {
            n[i] = i;
        }
        out["h3_nonce"] = hex(n);
        out["h3"] = hex(serialize(seal_confirm(keys->aes_key, n)));
    }
    Message m;
    m.type = MsgType::ping;
    m.timestamp = "2026-01-01T00:00:00";
    sign(m, keys->hmac_key.view());
    out["ping_hmac_input"] = hmac_input(m);
    out["ping_signature"] = *m.signature;
    const std::string wire = wire_json(m);
    out["ping_json"] = wire;
    ByteArray<12> rn{};
    for (std::uint8_t i = 0; i < 12; ++i) {
        rn[i] = static_cast<std::uint8_t>(0x10 + i);
    }
    out["record_nonce"] = hex(rn);
    RecordKey rk{p, keys->aes_key, keys->key_id};
    const Bytes rec = seal_record(rk, PayloadType::json, 0, rn, as_bytes(wire));
    out["record"] = hex(rec);
    out["record_sha256"] = hex(crypto::sha256(rec));
    out["receiver_now"] = 1767225660;
    t["result"] = "valid";
    t["expected"] = out;
    return t;
}

Json kat_file() {
    Json j = file_top(kKatSchema,
                      {"SFT known answers of docs/protocols/sft.md §10, both profiles.",
                       "Inputs: RFC 7748 §6.1 X25519 pair, RFC 8032 tests 1 and 2 Ed25519 keys; PBKDF2-HMAC-SHA256 600,000 "
                       "iterations. The ping record is accepted by a receiver whose clock reads receiver_now."},
                      Json{{"KnownAnswer", note("BASIC", "Values computed with the deployed Python code (upstream-v2) "
                                                         "and its described-profile reading.",
                                                "Every value must match exactly.")}});
    Json g;
    g["type"] = "SftKnownAnswers";
    g["tests"] = Json::array({kat_case(Profile::upstream_v2), kat_case(Profile::described)});
    j["testGroups"] = Json::array({g});
    finish_file(j);
    return j;
}

// ------------------------------------------------------------------------------------------
// Transcripts.

Json side_inputs_json(const SideInputs& s) {
    Json j;
    j["eph_secret"] = hex(s.eph_secret);
    j["identity_seed"] = hex(s.identity_seed);
    j["peer_identity"] = s.peer_identity ? Json(hex(*s.peer_identity)) : Json(nullptr);
    j["nonce_seed"] = hex(s.nonce_seed);
    j["now"] = s.now;
    Json files = Json::object();
    for (const auto& [name, content] : s.files) {
        files[name] = hex(content);
    }
    j["files"] = files;
    j["knobs"] = s.knobs;
    return j;
}

SideInputs side_inputs_from(const Json& j, const std::string& path) {
    StrictObject o(j, path);
    SideInputs s;
    s.eph_secret = o.hex_array<32>("eph_secret");
    s.identity_seed = o.hex_array<32>("identity_seed");
    if (!o.req("peer_identity").is_null()) {
        s.peer_identity = o.hex_array<32>("peer_identity");
    }
    s.nonce_seed = o.hex_array<32>("nonce_seed");
    s.now = static_cast<std::uint64_t>(o.integer("now", 0, INT64_MAX));
    for (const auto& [name, content] : o.req("files").items()) {
        s.files[name] = shakedown::vectors::hex_value(content, path + ".files." + name);
    }
    for (const auto& kn : o.req("knobs")) {
        s.knobs.push_back(kn.get<std::string>());
    }
    o.finish();
    return s;
}

Json inputs_json(const TranscriptInputs& in) {
    Json j;
    j["profile"] = std::string(to_string(in.profile));
    j["client"] = side_inputs_json(in.client);
    j["server"] = side_inputs_json(in.server);
    Json steps = Json::array();
    for (const auto& s : in.steps) {
        steps.push_back(Json{{"op", s.op}, {"arg", s.arg}});
    }
    j["steps"] = steps;
    Json muts = Json::array();
    for (const auto& m : in.mutations) {
        Json x;
        x["message"] = m.message;
        x["op"] = std::string(to_string(m.op));
        x["arg"] = std::to_string(m.arg);
        x["bytes"] = hex(m.bytes);
        x["text"] = m.text;
        x["nonce"] = hex(m.nonce);
        muts.push_back(x);
    }
    j["mutations"] = muts;
    return j;
}

TranscriptInputs inputs_from(const Json& j) {
    StrictObject o(j, "inputs");
    TranscriptInputs in;
    const auto p = profile_from_string(o.str("profile"));
    if (!p) {
        throw VectorError("inputs.profile: unknown");
    }
    in.profile = *p;
    in.client = side_inputs_from(o.req("client"), "inputs.client");
    in.server = side_inputs_from(o.req("server"), "inputs.server");
    for (const auto& s : o.req("steps")) {
        StrictObject so(s, "inputs.steps[]");
        in.steps.push_back(Step{so.str("op"), so.str("arg")});
        so.finish();
    }
    for (const auto& m : o.req("mutations")) {
        StrictObject mo(m, "inputs.mutations[]");
        Mutation x;
        x.message = static_cast<std::size_t>(mo.integer("message", 0, 1 << 20));
        const auto op = mutation_op_from_string(mo.str("op"));
        if (!op) {
            throw VectorError("inputs.mutations[].op: unknown");
        }
        x.op = *op;
        x.arg = mo.u64("arg");
        x.bytes = mo.hex("bytes");
        x.text = mo.str("text");
        x.nonce = mo.hex_array<12>("nonce");
        mo.finish();
        in.mutations.push_back(std::move(x));
    }
    o.finish();
    return in;
}

Json outcome_json(const SideOutcome& s) {
    Json j;
    j["authenticated"] = s.authenticated;
    j["state"] = s.state;
    j["error"] = s.error ? Json(std::string(to_string(*s.error))) : Json(nullptr);
    j["at_message"] = s.at_message ? Json(*s.at_message) : Json(nullptr);
    j["sent"] = s.sent;
    Json ev = Json::array();
    for (const auto& e : s.events) {
        ev.push_back(Json{{"what", e.what}, {"filename", e.filename}, {"ok", e.ok}, {"detail", e.detail}});
    }
    j["events"] = ev;
    Json files = Json::object();
    for (const auto& [name, content] : s.files) {
        files[name] = hex(content);
    }
    j["files"] = files;
    Json keys = Json::object();
    for (const auto& k : s.keys) {
        keys[k.name] = hex(k.value);
    }
    j["keys"] = keys;
    return j;
}

Json expected_json(const Transcript& t) {
    Json j;
    Json msgs = Json::array();
    for (const auto& m : t.messages) {
        msgs.push_back(Json{{"from", std::string(to_string(m.from))}, {"kind", m.kind}, {"wire", hex(m.wire)},
                            {"delivered", m.delivered}});
    }
    j["messages"] = msgs;
    j["client"] = outcome_json(t.client);
    j["server"] = outcome_json(t.server);
    return j;
}

Json transcript_case(const CatalogueCase& c) {
    auto r = run_transcript(c.inputs, CachingDeriver::shared());
    if (!r) {
        throw VectorError("case " + c.id + " (" + c.comment + "): " + r.failure().describe());
    }
    // The generator refuses to write a case whose run contradicts its written-down expectation.
    const Expectation& e = c.expect;
    const SideOutcome* failing = e.failing ? (*e.failing == Role::initiator ? &r->client : &r->server) : nullptr;
    const bool matches = failing ? (failing->error == e.error && failing->at_message == e.at_message)
                                 : (!r->client.error && !r->server.error);
    if (!matches) {
        throw VectorError("case " + c.id + " (" + c.comment + ") does not reach its expected outcome");
    }
    Json t = test_obj(c.id + ": " + c.comment, c.flags);
    t["case"] = c.id;
    t["inputs"] = inputs_json(c.inputs);
    if (failing) {
        t["result"] = "invalid";
        t["error"] = std::string(to_string(*e.error));
        t["role"] = std::string(to_string(*e.failing));
        t["at_message"] = *e.at_message;
    } else {
        t["result"] = "valid";
    }
    t["expected"] = expected_json(*r);
    return t;
}

Json transcript_file(Profile p, const std::vector<ByteArray<32>>& zero_keys) {
    const std::string prof(to_string(p));
    Json notes;
    notes["Valid"] = note("BASIC", "An honest run: handshake, JSON messages, transfers.", "Both sides complete; every value matches.");
    notes["LowOrderKey"] = note("EDGE_CASE", "A1: one of the 14 X25519 public keys with an all-zero shared secret (Wycheproof ZeroSharedSecret).",
                                "The receiver closes (weak_key) and sends nothing more.");
    notes["NonCanonicalKey"] = note("EDGE_CASE", "A2: bit 255 set on a valid key.", "The key is accepted (masked).");
    notes["BadLength"] = note("FRAMING", "A3/A4: a handshake length prefix other than the field size, or a fixed-size message of another size.",
                              "upstream-v2: closed at the prefix, before buffering; described: the stream desynchronises.");
    notes["Deadline"] = note("DOS", "A5: the handshake is not finished 30 s after it started.", "Closed (timeout).");
    notes["BadSignature"] = note("AUTH", "A6/A8: an Ed25519 signature that does not verify, or over another transcript, or with S >= L.", "Closed (bad_signature).");
    notes["Mitm"] = note("AUTH", "A7: the server identity is an attacker's key, validly signed.", "A client with a pinned key closes (untrusted_identity).");
    notes["BadConfirmation"] = note("AUTH", "A9: H3 that is not AUTH_OK under the session key.", "The server closes without H4.");
    notes["Reflection"] = note("AUTH", "A10/A26: a party's own message played back to it (both directions share key and nonce space).",
                               "Refused (replay): the reference remembers the nonces it drew.");
    notes["RecordHeader"] = note("DECODING", "A11-A14, A16: magic, payload_len, version, key_id, payload_type.", "Closed in the V-rule order.");
    notes["Tampering"] = note("AUTH", "A15: one bit flipped in the AAD, nonce, tag or ciphertext.", "Closed (bad_mac).");
    notes["Replay"] = note("REPLAY", "A17/A24: the same JSON or DATA record twice.", "Closed (replay).");
    notes["Sequence"] = note("REPLAY", "A18: duplicate, lower, too far ahead, float or boolean seq.", "Closed; within (last, last+100] accepted.");
    notes["Hmac"] = note("AUTH", "A19/A20: signature field missing, wrong, or not hex.", "Closed (the reference requires the HMAC).");
    notes["Timestamp"] = note("REPLAY", "A21: timestamp 300 s off (accepted), 301 s off, or with a zone.", "Accepted at 300 s exactly; closed otherwise.");
    notes["Flood"] = note("DOS", "A22: 101 JSON records within 60 s.", "Closed (rate_limited) at the 101st.");
    notes["Schema"] = note("DECODING", "A23: seq missing, unknown type, payload a list.", "Closed.");
    notes["DataBounds"] = note("FILE", "A25: DATA not at the next byte of the file, or past total_size.", "Closed.");
    notes["Transfer"] = note("FILE", "A27, hash mismatch: oversize file, wrong hash.", "file_ack with an error (A27: then closed).");
    notes["PathTraversal"] = note("FILE", "A28: a download name that is not one plain path component, or missing.",
                                  "file_ack \"File not found or access denied\"; the connection stays open.");
    notes["Knob"] = note("KNOB", "The same inputs with one bug knob on (inputs.*.knobs): the deployed code's defect.",
                         "The outcome the deployed code gives; the strict reference's differs.");
    Json j = file_top(kTranscriptSchema,
                      {"SFT transcripts, profile " + prof + ": client and server run in step from explicit inputs.",
                       "Randomness: each side's X25519 secret is eph_secret; its nonces are the successive 12-byte draws of "
                       "ChaCha20-IETF under nonce_seed, draw k using nonce = k (u64 little-endian, zero-padded). "
                       "Clocks read 'now' (2026-01-01T00:00:00Z) unless a set_clock mutation changes the receiver's.",
                       "Message indices count every wire message in the order sent; mutations apply to that index.",
                       "Invalid cases name the error value, the side that closes and the message that caused it."},
                      notes);
    Json groups = Json::array();
    Json adv;
    adv["type"] = "SftTranscript";
    adv["profile"] = prof;
    adv["comment"] = "honest runs and the adversarial catalogue A1-A28";
    adv["tests"] = Json::array();
    for (const auto& c : catalogue(p, zero_keys)) {
        adv["tests"].push_back(transcript_case(c));
    }
    groups.push_back(adv);
    Json kn;
    kn["type"] = "SftTranscript";
    kn["profile"] = prof;
    kn["comment"] = "bug knobs: the deployed defects";
    kn["tests"] = Json::array();
    for (const auto& c : knob_cases(p)) {
        kn["tests"].push_back(transcript_case(c));
    }
    groups.push_back(kn);
    j["testGroups"] = groups;
    finish_file(j);
    return j;
}

// ------------------------------------------------------------------------------------------
// Codec.

struct CodecInput {
    std::string message;  // group message name
    std::string comment;
    std::vector<std::string> flags;
    Bytes wire;
    Json context = nullptr;  // e.g. the record key
};

Json fields_json(const std::string& message, ByteView wire, const Json& context, Failure* failure);

Json parse_record_fields(ByteView wire, const Json& ctx, Failure* failure) {
    RecordKey rk;
    rk.profile = *profile_from_string(ctx.at("profile").get<std::string>());
    const Bytes key = *from_hex(ctx.at("aes_key").get<std::string>());
    std::copy(key.begin(), key.end(), rk.aes_key.mut().begin());
    const Bytes kid = *from_hex(ctx.at("key_id").get<std::string>());
    std::copy(kid.begin(), kid.end(), rk.key_id.begin());
    auto r = open_record(rk, wire);
    if (!r) {
        *failure = r.failure();
        return nullptr;
    }
    return Json{{"payload_type", static_cast<int>(r->type)},
                {"offset", std::to_string(r->header.offset)},
                {"nonce", hex(r->header.nonce)},
                {"plaintext", hex(r->plaintext)}};
}

Json fields_json(const std::string& message, ByteView wire, const Json& context, Failure* failure) {
    auto take = [&](auto r, auto f) -> Json {
        if (!r) {
            *failure = r.failure();
            return nullptr;
        }
        return f(*r);
    };
    if (message == "H1") {
        return take(parse_h1(wire), [](const H1& m) { return Json{{"client_eph", hex(m.client_eph)}}; });
    }
    if (message == "H2") {
        return take(parse_h2(wire), [](const H2& m) {
            return Json{{"server_eph", hex(m.server_eph)}, {"server_id", hex(m.server_id)}, {"sig", hex(m.sig)}};
        });
    }
    if (message == "Confirm") {
        return take(parse_confirm(wire), [](const Confirm& m) {
            return Json{{"nonce", hex(m.nonce)}, {"tag", hex(m.tag)}, {"ciphertext", hex(m.ciphertext)}};
        });
    }
    if (message == "D1") {
        return take(parse_d1(wire),
                    [](const D1& m) { return Json{{"server_eph", hex(m.server_eph)}, {"server_id", hex(m.server_id)}}; });
    }
    if (message == "D2") {
        return take(parse_d2(wire), [](const D2& m) { return Json{{"client_eph", hex(m.client_eph)}, {"sig", hex(m.sig)}}; });
    }
    if (message == "RecordHeader") {
        return take(parse_record_header(wire), [](const RecordHeader& h) {
            return Json{{"version", h.version},        {"payload_type", h.payload_type}, {"offset", std::to_string(h.offset)},
                        {"payload_len", h.payload_len}, {"key_id", hex(h.key_id)},        {"nonce", hex(h.nonce)},
                        {"tag", hex(h.tag)}};
        });
    }
    if (message == "Record") {
        return parse_record_fields(wire, context, failure);
    }
    if (message == "JsonMessage") {
        return take(parse_message(wire), [](const Message& m) {
            return Json{{"type", std::string(to_string(m.type))},
                        {"seq", m.seq},
                        {"timestamp", m.timestamp},
                        {"signature", m.signature ? Json(*m.signature) : Json(nullptr)},
                        {"wire_json", wire_json(m)},
                        {"hmac_input", hmac_input(m)}};
        });
    }
    if (message == "Payload") {
        auto v = json::parse(wire);
        if (!v) {
            *failure = v.failure();
            return nullptr;
        }
        const auto t = msg_type_from_string(context.at("type").get<std::string>());
        auto r = check_payload(*t, *v);
        if (!r) {
            *failure = r.failure();
            return nullptr;
        }
        return Json{{"dumps", json::dumps(*v)}};
    }
    if (message == "CanonicalJson") {
        return take(json::parse(wire), [](const json::Value& v) {
            return Json{{"dumps", json::dumps(v)}, {"dumps_sorted", json::dumps(v, true)}};
        });
    }
    throw VectorError("unknown codec message " + message);
}

Json codec_case(const CodecInput& c) {
    Json t = test_obj(c.comment, c.flags);
    t["wire"] = hex(c.wire);
    if (!c.context.is_null()) {
        t["context"] = c.context;
    }
    Failure f;
    const Json fields = fields_json(c.message, c.wire, c.context, &f);
    if (fields.is_null()) {
        t["result"] = "invalid";
        t["error"] = std::string(to_string(f.code));
        t["offset"] = f.offset == kNoOffset ? Json(nullptr) : Json(f.offset);
    } else {
        t["result"] = "valid";
        t["fields"] = fields;
    }
    return t;
}

Bytes with(Bytes b, std::size_t at, std::initializer_list<std::uint8_t> v) {
    std::size_t i = at;
    for (auto x : v) {
        b[i++] = x;
    }
    return b;
}
Bytes cut(const Bytes& b, std::size_t n) { return Bytes(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(n)); }
Bytes plus(Bytes b, std::uint8_t x) {
    b.push_back(x);
    return b;
}
Bytes text(std::string_view s) { return Bytes(s.begin(), s.end()); }

Json codec_file() {
    const KnownKeys& k = known_keys();
    const auto server = crypto::ed25519_from_seed(k.server_id_seed);
    const auto client = crypto::ed25519_from_seed(k.client_id_seed);
    std::vector<std::pair<std::pair<std::string, std::string>, std::vector<CodecInput>>> groups;

    const Bytes h1 = serialize(H1{k.client_eph});
    const Bytes h2 = serialize(H2{k.server_eph, k.server_id,
                                  crypto::ed25519_sign(server, signed_transcript(Profile::upstream_v2, k.client_eph, k.server_eph, {}))});
    groups.push_back({{"H1", "upstream-v2 client hello: u32be 32 || client_eph"},
                      {{"H1", "client_eph of RFC 7748", {"Valid"}, h1},
                       {"H1", "35 bytes", {"Truncated"}, cut(h1, 35)},
                       {"H1", "prefix only", {"Truncated"}, cut(h1, 4)},
                       {"H1", "37 bytes", {"TrailingBytes"}, plus(h1, 0)},
                       {"H1", "prefix 31", {"BadPrefix"}, with(h1, 3, {31})},
                       {"H1", "prefix 33", {"BadPrefix"}, with(h1, 3, {33})},
                       {"H1", "prefix 0", {"BadPrefix"}, Bytes{0, 0, 0, 0}},
                       {"H1", "prefix FFFFFFFF", {"BadPrefix"}, with(h1, 0, {0xff, 0xff, 0xff, 0xff})}}});
    groups.push_back({{"H2", "upstream-v2 server hello: three u32be-prefixed fields"},
                      {{"H2", "known-answer H2", {"Valid"}, h2},
                       {"H2", "139 bytes", {"Truncated"}, cut(h2, 139)},
                       {"H2", "141 bytes", {"TrailingBytes"}, plus(h2, 0)},
                       {"H2", "server_id prefix 31", {"BadPrefix"}, with(h2, 36, {0, 0, 0, 31})},
                       {"H2", "sig prefix 65", {"BadPrefix"}, with(h2, 72, {0, 0, 0, 65})}}});
    auto keys = derive_session_keys(Profile::upstream_v2, *shared_secret(Secret<32>(k.client_eph_secret), k.server_eph),
                                    k.server_eph, k.client_eph, CachingDeriver::shared());
    ByteArray<12> n{};
    for (std::uint8_t i = 0; i < 12; ++i) {
        n[i] = i;
    }
    const Bytes h3 = serialize(seal_confirm(keys->aes_key, n));
    groups.push_back({{"Confirm", "upstream-v2 H3/H4: u32be 35 || nonce || tag || ciphertext"},
                      {{"Confirm", "known-answer H3", {"Valid"}, h3},
                       {"Confirm", "38 bytes", {"Truncated"}, cut(h3, 38)},
                       {"Confirm", "40 bytes", {"TrailingBytes"}, plus(h3, 0)},
                       {"Confirm", "prefix 34", {"BadPrefix"}, with(cut(h3, 38), 3, {34})},
                       {"Confirm", "prefix 36", {"BadPrefix"}, with(plus(h3, 0), 3, {36})}}});
    const Bytes d1 = serialize(D1{k.server_eph, k.server_id});
    const Bytes d2 = serialize(D2{k.client_eph, crypto::ed25519_sign(client, signed_transcript(Profile::described, k.client_eph, k.server_eph, k.server_id))});
    groups.push_back({{"D1", "described server hello: server_eph || server_id"},
                      {{"D1", "known-answer D1", {"Valid"}, d1},
                       {"D1", "63 bytes", {"Truncated"}, cut(d1, 63)},
                       {"D1", "65 bytes", {"TrailingBytes"}, plus(d1, 0)}}});
    groups.push_back({{"D2", "described client hello: client_eph || sig"},
                      {{"D2", "known-answer D2", {"Valid"}, d2},
                       {"D2", "95 bytes", {"Truncated"}, cut(d2, 95)},
                       {"D2", "97 bytes", {"TrailingBytes"}, plus(d2, 0)}}});

    // Records, under the upstream-v2 known-answer key.
    Message ping;
    ping.type = MsgType::ping;
    ping.timestamp = "2026-01-01T00:00:00";
    sign(ping, keys->hmac_key.view());
    ByteArray<12> rn{};
    for (std::uint8_t i = 0; i < 12; ++i) {
        rn[i] = static_cast<std::uint8_t>(0x10 + i);
    }
    RecordKey rk{Profile::upstream_v2, keys->aes_key, keys->key_id};
    const Bytes rec = seal_record(rk, PayloadType::json, 0, rn, as_bytes(wire_json(ping)));
    const Bytes hdr = cut(rec, kHeaderLen);
    groups.push_back({{"RecordHeader", "65-byte header: V8 magic and V9 payload_len are checked on the header alone"},
                      {{"RecordHeader", "known-answer header", {"Valid"}, hdr},
                       {"RecordHeader", "version 3 (checked after the payload)", {"Valid"}, with(hdr, 7, {3})},
                       {"RecordHeader", "payload_len 10,485,760", {"Valid"}, with(hdr, 17, {0x00, 0xa0, 0x00, 0x00})},
                       {"RecordHeader", "magic SFTX", {"BadHeader"}, with(hdr, 3, {'X'})},
                       {"RecordHeader", "payload_len 0", {"BadHeader"}, with(hdr, 17, {0, 0, 0, 0})},
                       {"RecordHeader", "payload_len 10,485,761", {"BadHeader"}, with(hdr, 17, {0x00, 0xa0, 0x00, 0x01})},
                       {"RecordHeader", "64 bytes", {"Truncated"}, cut(hdr, 64)},
                       {"RecordHeader", "66 bytes", {"TrailingBytes"}, plus(hdr, 0)}}});
    const Json ctx = Json{{"profile", "upstream-v2"}, {"aes_key", hex(keys->aes_key.view())}, {"key_id", hex(keys->key_id)}};
    const Bytes data_rec = seal_record(rk, PayloadType::data, 4096, rn, Bytes(100, 0x5a));
    const Bytes type3 = seal_record(rk, static_cast<PayloadType>(3), 0, rn, text("{}"));
    groups.push_back({{"Record", "a whole record opened with a key (V10 version, V11 key_id, V12 tag, V13 type)"},
                      {{"Record", "known-answer ping record", {"Valid"}, rec, ctx},
                       {"Record", "DATA record at offset 4096", {"Valid"}, data_rec, ctx},
                       {"Record", "version 3", {"BadHeader"}, with(rec, 7, {3}), ctx},
                       {"Record", "unknown key_id", {"BadHeader"}, with(rec, 21, {'0'}), ctx},
                       {"Record", "key_id not UTF-8", {"BadHeader"}, with(rec, 21, {0xff}), ctx},
                       {"Record", "tag bit flipped", {"Tampering"}, with(rec, 49, {static_cast<std::uint8_t>(rec[49] ^ 1)}), ctx},
                       {"Record", "offset byte changed (AAD)", {"Tampering"}, with(rec, 16, {1}), ctx},
                       {"Record", "payload_type 3 with a valid tag", {"BadHeader"}, type3, ctx},
                       {"Record", "one byte short", {"Truncated"}, cut(rec, rec.size() - 1), ctx},
                       {"Record", "one byte extra", {"TrailingBytes"}, plus(rec, 0), ctx}}});

    const std::string good = wire_json(ping);
    auto edit = [&](std::string_view from, std::string_view to) {
        std::string s = good;
        s.replace(s.find(from), from.size(), to);
        return text(s);
    };
    groups.push_back({{"JsonMessage", "record plaintext: the envelope (J3); HMAC input and wire re-encoding for valid ones"},
                      {{"JsonMessage", "known-answer ping", {"Valid"}, text(good)},
                       {"JsonMessage", "without signature (parses; J5 decides)", {"Valid"}, edit(good.substr(good.find(", \"signature\"")), "}")},
                       {"JsonMessage", "non-ASCII in version, escaped", {"Valid"}, edit("\"2.0.1\"", "\"2.0.1\\u00e9\\ud83d\\ude00\"")},
                       {"JsonMessage", "seq 1.0", {"BadSchema"}, edit("\"seq\": 0", "\"seq\": 1.0")},
                       {"JsonMessage", "seq true", {"BadSchema"}, edit("\"seq\": 0", "\"seq\": true")},
                       {"JsonMessage", "seq missing", {"BadSchema"}, edit("\"seq\": 0, ", "")},
                       {"JsonMessage", "unknown type", {"BadSchema"}, edit("\"ping\"", "\"pong2\"")},
                       {"JsonMessage", "payload a list", {"BadSchema"}, edit("{}", "[]")},
                       {"JsonMessage", "extra key", {"BadSchema"}, edit("\"seq\": 0", "\"seq\": 0, \"x\": 1")},
                       {"JsonMessage", "duplicate key", {"BadJson"}, edit("\"seq\": 0", "\"seq\": 0, \"seq\": 1")},
                       {"JsonMessage", "lone surrogate", {"BadJson"}, edit("\"2.0.1\"", "\"\\ud800\"")},
                       {"JsonMessage", "not UTF-8", {"BadJson"}, with(text(good), 10, {0xc3})},
                       {"JsonMessage", "data after the object", {"BadJson"}, text(good + " x")},
                       {"JsonMessage", "top level is a list", {"BadSchema"}, text("[]")}}});
    auto payload = [](std::string type, std::string comment, std::vector<std::string> flags, std::string body) {
        return CodecInput{"Payload", std::move(comment), std::move(flags), text(body), Json{{"type", std::move(type)}}};
    };
    const std::string h64(64, 'a');
    groups.push_back({{"Payload", "payloads of the types the reference acts on (context.type)"},
                      {payload("file_header", "file_header", {"Valid"}, R"({"filename": "a.txt", "total_size": 5, "hash": ")" + h64 + R"(", "timestamp": "2026-01-01T00:00:00Z"})"),
                       payload("file_header", "hash upper-case", {"BadSchema"}, R"({"filename": "a.txt", "total_size": 5, "hash": ")" + std::string(64, 'A') + R"(", "timestamp": "x"})"),
                       payload("file_header", "total_size negative", {"BadSchema"}, R"({"filename": "a", "total_size": -1, "hash": ")" + h64 + R"(", "timestamp": "x"})"),
                       payload("file_header", "total_size a string", {"BadSchema"}, R"({"filename": "a", "total_size": "5", "hash": ")" + h64 + R"(", "timestamp": "x"})"),
                       payload("file_resume_ack", "file_resume_ack", {"Valid"}, R"({"filename": "a", "offset": 1500})"),
                       payload("file_resume_ack", "offset missing", {"BadSchema"}, R"({"filename": "a"})"),
                       payload("file_complete", "file_complete with total_size", {"Valid"}, R"({"filename": "a", "total_size": 5})"),
                       payload("file_complete", "file_complete with error", {"Valid"}, R"({"filename": "a", "error": "x"})"),
                       payload("file_complete", "both total_size and error", {"BadSchema"}, R"({"filename": "a", "total_size": 5, "error": "x"})"),
                       payload("file_ack", "file_ack filename", {"Valid"}, R"({"filename": "a"})"),
                       payload("file_ack", "file_ack error only", {"Valid"}, R"({"error": "File too large"})"),
                       payload("file_ack", "file_ack empty", {"BadSchema"}, R"({})"),
                       payload("list_files_request", "empty", {"Valid"}, R"({})"),
                       payload("list_files_request", "not empty", {"BadSchema"}, R"({"a": 1})"),
                       payload("list_files_response", "two files", {"Valid"}, R"({"files": [{"name": "a", "size": 1}, {"name": "b", "size": 2}]})"),
                       payload("list_files_response", "entry without size", {"BadSchema"}, R"({"files": [{"name": "a"}]})"),
                       payload("download_file_request", "download_file_request", {"Valid"}, R"({"filename": "../x"})"),
                       payload("download_file_request", "filename a number", {"BadSchema"}, R"({"filename": 1})"),
                       payload("ping", "ping {}", {"Valid"}, R"({})"),
                       payload("key_rotation", "key_rotation, anything", {"Valid"}, R"({"new_key": [1, 2]})")}});
    auto canon = [](std::string comment, std::string body) {
        return CodecInput{"CanonicalJson", std::move(comment), {"Valid"}, text(body), nullptr};
    };
    groups.push_back({{"CanonicalJson", "json.dumps(v) and json.dumps(v, sort_keys=True) of the parsed value"},
                      {canon("key order kept, then sorted", R"({"b":1,"a":{"d":[],"c":null},"B":true})"),
                       canon("escapes", R"(["\"\\\/\b\f\n\r\t\u0001\u001f\u007f"])"),
                       canon("non-ASCII raw and escaped", "[\"\xc3\xa9\", \"\\u00E9\", \"\xf0\x9f\x98\x80\", \"\xe2\x80\xa8\"]"),
                       canon("keys sorted by code point", "{\"\xc3\xa9\":1,\"z\":2,\"Z\":3,\"\xf0\x9f\x98\x80\":4,\"\\uffff\":5}"),
                       canon("integers", R"([0, -0, 9223372036854775807, -9223372036854775808, 10])"),
                       canon("whitespace", " {\n\t\"a\" :\r[ 1 ,2 ] } "),
                       canon("floats as Python's repr writes them",
                             "[1.5, 1E16, 1e15, 0.0001, 0.00001, -0.0, 123456789012345678.0, 2.5e-300, 0.1]"),
                       CodecInput{"CanonicalJson", "integer beyond int64", {"BadJson"}, text("[9223372036854775808]"), nullptr},
                       CodecInput{"CanonicalJson", "NaN", {"BadJson"}, text("[NaN]"), nullptr},
                       CodecInput{"CanonicalJson", "raw tab in a string", {"BadJson"}, text("[\"a\tb\"]"), nullptr},
                       CodecInput{"CanonicalJson", "unclosed", {"BadJson"}, text("{\"a\": [1"), nullptr}}});

    Json notes;
    notes["Valid"] = note("BASIC", "A well-formed input.", "Must decode to the fields.");
    notes["Truncated"] = note("DECODING", "The input ends inside a field.", "Rejected (truncated) at the end of the input.");
    notes["TrailingBytes"] = note("DECODING", "Bytes after a complete message.", "Rejected (trailing_bytes) at the first extra byte.");
    notes["BadPrefix"] = note("FRAMING", "An upstream-v2 length prefix other than its field's size.", "Rejected (bad_length) at the prefix.");
    notes["BadHeader"] = note("DECODING", "A record header field out of its rule.", "Rejected with the V-rule's error and offset.");
    notes["Tampering"] = note("AUTH", "An authenticated byte changed.", "Rejected (bad_mac).");
    notes["BadSchema"] = note("DECODING", "Valid JSON, wrong shape.", "Rejected (decode_error, unknown_type, bad_sequence or bad_length).");
    notes["BadJson"] = note("DECODING", "Not strict JSON (duplicate keys, lone surrogates, invalid UTF-8, NaN, ...).", "Rejected at its offset.");
    Json j = file_top(kCodecSchema,
                      {"SFT codecs: handshake messages of both profiles, the record header and record, the JSON envelope, payloads and the Python-canonical JSON encoder.",
                       "Offsets count from the start of wire; null where the rule concerns a parsed value. Record cases carry the key in context."},
                      notes);
    Json gs = Json::array();
    for (const auto& [meta, cases] : groups) {
        Json g;
        g["type"] = "SftCodec";
        g["message"] = meta.first;
        g["comment"] = meta.second;
        g["tests"] = Json::array();
        for (const auto& c : cases) {
            g["tests"].push_back(codec_case(c));
        }
        gs.push_back(g);
    }
    j["testGroups"] = gs;
    finish_file(j);
    return j;
}

}  // namespace

std::vector<GeneratedFile> generate(const shakedown::vectors::GenerateOptions& opts) {
    const std::string dir = opts.wycheproof_dir.empty() ? std::string("third_party/wycheproof") : opts.wycheproof_dir;
    const auto zero = load_zero_keys(dir);
    if (zero.size() != 14) {
        throw VectorError("expected 14 zero-shared-secret keys in " + dir + "/x25519_test.json");
    }
    return {
        {"sft/kat_test.json", shakedown::vectors::dump_canonical(kat_file())},
        {"sft/codec_test.json", shakedown::vectors::dump_canonical(codec_file())},
        {"sft/upstream-v2_transcript_test.json",
         shakedown::vectors::dump_canonical(transcript_file(Profile::upstream_v2, zero))},
        {"sft/described_transcript_test.json", shakedown::vectors::dump_canonical(transcript_file(Profile::described, zero))},
    };
}

shakedown::vectors::CaseChecker checker(const std::string& schema) {
    if (schema == kKatSchema) {
        return [](const Json& group, const Json& test) {
            (void)group;
            const auto p = profile_from_string(test.at("profile").get<std::string>());
            if (!p) {
                throw VectorError("profile: unknown");
            }
            Json fresh = kat_case(*p);
            if (fresh.at("inputs") != test.at("inputs")) {
                throw VectorError("inputs: not the known-answer inputs");
            }
            for (const auto& [key, value] : fresh.at("expected").items()) {
                if (!test.at("expected").contains(key) || test.at("expected").at(key) != value) {
                    throw VectorError("expected." + key + ": differs from the reference");
                }
            }
            if (test.at("expected").size() != fresh.at("expected").size()) {
                throw VectorError("expected: unknown keys");
            }
        };
    }
    if (schema == kTranscriptSchema) {
        return [](const Json& group, const Json& test) {
            (void)group;
            const TranscriptInputs in = inputs_from(test.at("inputs"));
            auto r = run_transcript(in, CachingDeriver::shared());
            if (!r) {
                throw VectorError(std::string("inputs: cannot run: ") + r.failure().describe());
            }
            const Json fresh = expected_json(*r);
            for (const auto& key : {"messages", "client", "server"}) {
                if (fresh.at(key) != test.at("expected").at(key)) {
                    throw VectorError(std::string("expected.") + key + ": differs from the reference run");
                }
            }
            if (test.at("result") == "invalid") {
                const Json& side = test.at("role") == "initiator" ? fresh.at("client") : fresh.at("server");
                if (side.at("error") != test.at("error") || side.at("at_message") != test.at("at_message")) {
                    throw VectorError("error/at_message: the reference does not fail that way");
                }
            } else if (!fresh.at("client").at("error").is_null() || !fresh.at("server").at("error").is_null()) {
                throw VectorError("result: valid, but a side fails");
            }
        };
    }
    if (schema == kCodecSchema) {
        return [](const Json& group, const Json& test) {
            const std::string message = group.at("message").get<std::string>();
            CodecInput c;
            c.message = message;
            c.comment = test.at("comment").get<std::string>();
            c.flags = test.at("flags").get<std::vector<std::string>>();
            c.wire = shakedown::vectors::hex_value(test.at("wire"), "wire");
            if (test.contains("context")) {
                c.context = test.at("context");
            }
            Json fresh = codec_case(c);
            fresh["tcId"] = test.at("tcId");
            if (fresh != test) {
                throw VectorError("result/error/offset/fields: differ from the reference's parse");
            }
        };
    }
    return nullptr;
}

}  // namespace shakedown::sft::vectors
