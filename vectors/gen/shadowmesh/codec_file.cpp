// vectors/shadowmesh/codec_test.json: frames valid and invalid per profile. The same bytes appear
// in the strict and the upstream group, each with that profile's verdict
// (docs/protocols/shadowmesh.md §2, §6).
#include "shadowmesh/keys.hpp"
#include "vectors/gen/shadowmesh/support.hpp"

namespace shakedown::shadowmesh::vectors {

namespace {

struct CodecCase {
    std::string comment;
    std::vector<std::string> flags;  // profile-independent flags; the verdict adds its own
    Bytes wire;
};

Bytes frame_with(std::uint8_t version, std::uint8_t type, std::uint16_t flags, std::uint32_t length, ByteView payload) {
    Bytes out = serialize_header(Header{version, type, flags, length});
    out.insert(out.end(), payload.begin(), payload.end());
    return out;
}

// The three section 9 frames.
std::vector<std::pair<std::string, Bytes>> kat_frames() {
    const SessionId sid = counting_bytes<16>(0x01);
    const Secret<32> a_tx(counting_bytes<32>(0x01));
    const Secret<32> b_tx(counting_bytes<32>(0x21));
    const Challenge c_i = counting_bytes<32>(0xa0);
    const Challenge c_r = counting_bytes<32>(0xc0);
    return {
        {"REHANDSHAKE_REQUEST", encode_frame(RehandshakeRequest{sid, c_i, kT1})},
        {"REHANDSHAKE_RESPONSE", encode_frame(RehandshakeResponse{sid, challenge_mac(a_tx, c_i), c_r, kT1 + 1})},
        {"REHANDSHAKE_COMPLETE", encode_frame(RehandshakeComplete{sid, challenge_mac(b_tx, c_r), kT1 + 2})},
    };
}

std::vector<CodecCase> cases_for(const std::string& name, const Bytes& kat) {
    std::vector<CodecCase> out;
    const ByteView payload = ByteView(kat).subspan(kHeaderSize);
    const auto len = static_cast<std::uint32_t>(payload.size());
    const std::uint8_t type = kat[1];
    out.push_back({"section 9 frame", {"KnownAnswer"}, kat});
    for (const std::size_t n : {std::size_t{0}, std::size_t{7}, std::size_t{8}, kHeaderSize + 16, kat.size() - 1}) {
        out.push_back({"truncated to " + std::to_string(n) + " bytes",
                       {"Truncated"},
                       Bytes(kat.begin(), kat.begin() + static_cast<std::ptrdiff_t>(n))});
    }
    {
        Bytes w = kat;
        w.push_back(0x00);
        out.push_back({"one byte after the payload", {"TrailingBytes"}, w});
        w = kat;
        w.insert(w.end(), 10, 0x5a);
        out.push_back({"X12: ten bytes after the payload", {"TrailingBytes"}, w});
    }
    {
        Bytes p(payload.begin(), payload.end());
        p.push_back(0xee);
        out.push_back({"X10: Length " + std::to_string(len + 1) + " with one extra byte",
                       {"LongerLength"},
                       frame_with(1, type, 0, len + 1, p)});
        out.push_back({"X11: Length " + std::to_string(len - 1) + ", payload one byte short",
                       {"ShorterLength"},
                       frame_with(1, type, 0, len - 1, payload.first(len - 1))});
        out.push_back({"Length " + std::to_string(len - 1) + " followed by the full payload",
                       {"ShorterLength"},
                       frame_with(1, type, 0, len - 1, payload)});
        out.push_back({"X13: Length 65536", {"Oversize"}, frame_with(1, type, 0, 65536, payload)});
        out.push_back({"Length 65535 with the payload only", {"Truncated"}, frame_with(1, type, 0, 65535, payload)});
    }
    for (const std::uint8_t v : {std::uint8_t{0x00}, std::uint8_t{0x02}, std::uint8_t{0xff}}) {
        out.push_back({"version " + std::to_string(v) + (v == 2 ? " (X14)" : ""),
                       {"WrongVersion"},
                       frame_with(v, type, 0, len, payload)});
    }
    for (const std::uint16_t fl : {std::uint16_t{0x0001}, std::uint16_t{0xffff}, std::uint16_t{0x8000}}) {
        out.push_back({"X15: flags " + to_hex(serialize_header(Header{1, 0, fl, 0})).substr(4, 4),
                       {"NonZeroFlags"},
                       frame_with(1, type, fl, len, payload)});
    }
    for (const std::uint8_t t : {std::uint8_t{0x33}, std::uint8_t{0x11}, std::uint8_t{0x20}, std::uint8_t{0x00}}) {
        out.push_back({"X16: " + name + " payload under type " + to_hex(Bytes{t}),
                       {"UnknownType"},
                       frame_with(1, t, 0, len, payload)});
    }
    return out;
}

std::vector<CodecCase> other_cases() {
    std::vector<CodecCase> out;
    out.push_back(
        {"CLOSE protocol violation, no text", {"Valid"}, encode_frame(CloseMsg{kCloseProtocolViolation, {}})});
    out.push_back({"CLOSE normal with text", {"Valid"}, encode_frame(CloseMsg{kCloseNormal, Bytes{'b', 'y', 'e'}})});
    out.push_back({"CLOSE with a one-byte payload", {"Truncated"}, frame_with(1, 0x0f, 0, 1, Bytes{0x00})});
    out.push_back({"ERROR ReplayAttack with text", {"Valid"}, encode_frame(ErrorMsg{0x0006, Bytes{'r'}})});
    out.push_back({"HEARTBEAT, empty", {"Valid"}, frame_with(1, 0x05, 0, 0, {})});
    out.push_back({"HEARTBEAT with a payload (ignored by the deployed decoder)",
                   {"Valid"},
                   frame_with(1, 0x05, 0, 4, Bytes{1, 2, 3, 4})});
    out.push_back({"HEARTBEAT_ACK, empty", {"Valid"}, frame_with(1, 0x06, 0, 0, {})});
    out.push_back({"DATA_FRAME counter only", {"Valid"}, frame_with(1, 0x10, 0, 8, Bytes(8, 0))});
    out.push_back({"DATA_FRAME shorter than its counter", {"Truncated"}, frame_with(1, 0x10, 0, 7, Bytes(7, 0))});
    out.push_back(
        {"relay HELLO far shorter than its fixed fields", {"Truncated"}, frame_with(1, 0x01, 0, 3, Bytes{1, 2, 3})});
    out.push_back({"HEARTBEAT with flags 0x0001", {"NonZeroFlags"}, frame_with(1, 0x05, 1, 0, {})});
    out.push_back({"empty WebSocket message", {"Truncated"}, Bytes{}});
    return out;
}

Json verdict(const CodecCase& c, Profile p) {
    Json t = Json::object();
    t["comment"] = c.comment;
    Json flags = c.flags;
    t["wire"] = to_hex(c.wire);
    auto r = decode_frame(c.wire, p);
    const auto strict = decode_frame(c.wire, Profile::strict);
    if (p == Profile::upstream && r.ok() && !strict.ok()) {
        flags.push_back("UpstreamLenient");
    }
    t["flags"] = flags;
    if (r.ok()) {
        t["result"] = "valid";
        t["fields"] = frame_fields(*r);
    } else {
        t["result"] = "invalid";
        t["error"] = std::string(to_string(r.error()));
        t["offset"] = r.failure().offset;
    }
    return t;
}

Json codec_group(Profile p, const std::string& message, const std::vector<CodecCase>& cases) {
    Json g = Json::object();
    g["type"] = "ShadowMeshCodec";
    g["profile"] = std::string(to_string(p));
    g["message"] = message;
    g["tests"] = Json::array();
    for (const auto& c : cases) {
        g["tests"].push_back(verdict(c, p));
    }
    return g;
}

Json header_case(const std::string& comment, std::vector<std::string> flags, const Bytes& bytes) {
    Json t = Json::object();
    t["comment"] = comment;
    t["flags"] = std::move(flags);
    t["bytes"] = to_hex(bytes);
    auto h = parse_header(bytes);
    if (h.ok()) {
        t["result"] = "valid";
        t["fields"] = {{"version", h->version}, {"type", h->type}, {"flags", h->flags}, {"length", h->length}};
    } else {
        t["result"] = "invalid";
        t["error"] = std::string(to_string(h.error()));
        t["offset"] = h.failure().offset;
    }
    return t;
}

Json validate_case(Profile p, std::uint8_t id) {
    Json t = Json::object();
    t["comment"] = "ValidateMessageType(" + to_hex(Bytes{id}) + ")";
    const bool rh = id >= 0x30 && id <= 0x32;
    t["flags"] = rh ? Json::array({"RegistryGap"}) : Json::array({"Valid"});
    t["type_id"] = id;
    auto r = p == Profile::strict ? validate_message_type_strict(id) : validate_message_type_upstream(id);
    t["result"] = r.ok() ? "valid" : "invalid";
    if (!r.ok()) {
        t["error"] = std::string(to_string(r.error()));
    }
    return t;
}

}  // namespace

Json generate_codec_file() {
    Json notes = Json::object();
    const auto note = [&notes](const char* name, const char* bug, const char* desc, const char* effect) {
        notes[name] = {{"bugType", bug}, {"description", desc}, {"effect", effect}};
    };
    note("KnownAnswer", "BASIC", "A frame of the known-answer exchange (section 9).", "Must decode to its fields.");
    note("Valid", "BASIC", "A well-formed frame of another registered type.", "Must decode.");
    note("Truncated", "DECODING", "The message ends inside the header or the payload.",
         "Must be rejected at the end of the input.");
    note("TrailingBytes", "DECODING", "Bytes after 8 + Length in the same WebSocket message (V4, X12).",
         "strict rejects; the deployed decoder ignores them.");
    note("LongerLength", "DECODING", "Length larger than the message's size, the payload extended to match (V3, X10).",
         "strict rejects; the deployed decoder reads its fields and ignores the rest.");
    note("ShorterLength", "DECODING", "Length smaller than the message's size (X11).",
         "Must be rejected (strict: bad_length; deployed: runs out of payload).");
    note("Oversize", "DECODING", "Length over MaxMessageSize 65,535 (V2, X13).", "Must be rejected.");
    note("WrongVersion", "DECODING", "Version other than 1 (V1, X14).", "Must be rejected.");
    note("NonZeroFlags", "MALLEABILITY", "Flags other than 0 on a message that defines none (V5, X15).",
         "strict rejects; the deployed decoder never reads Flags.");
    note("UnknownType", "DECODING", "A type ID without a codec: unregistered, or registered without a layout (X16).",
         "Must be rejected; the deployed reader drops it and keeps the connection.");
    note("UpstreamLenient", "MALLEABILITY", "Accepted by the upstream profile although strict rejects it.",
         "Reference behaviour of upstream; conformance grades it per profile.");
    note("RegistryGap", "SPEC_DIVERGENCE", "ValidateMessageType does not list 0x30-0x32 (X21).",
         "The deployed check would refuse the re-handshake types; it is never called.");
    Json f = file_skeleton(
        kCodecSchema,
        {"ShadowMesh frame codec per profile: 8-byte header (version, type, flags u16be, Length u32be) and payload.",
         "One WebSocket binary message per test; error offsets count from the start of the message.",
         "strict: exact sizes, version 1, flags 0, nothing after the payload; upstream: the deployed DecodeMessage."},
        notes);
    for (const Profile p : {Profile::strict, Profile::upstream}) {
        for (const auto& [name, kat] : kat_frames()) {
            f["testGroups"].push_back(codec_group(p, name, cases_for(name, kat)));
        }
        f["testGroups"].push_back(codec_group(p, "Other", other_cases()));
    }
    {
        Json g = Json::object();
        g["type"] = "ShadowMeshHeader";
        g["tests"] = Json::array();
        g["tests"].push_back(header_case("REQUEST header", {"KnownAnswer"}, from_hex("0130000000000038").value()));
        g["tests"].push_back(header_case("every bit set", {"Valid"}, Bytes(8, 0xff)));
        g["tests"].push_back(header_case("seven bytes", {"Truncated"}, Bytes(7, 0x01)));
        g["tests"].push_back(header_case("nine bytes", {"TrailingBytes"}, Bytes(9, 0x01)));
        f["testGroups"].push_back(std::move(g));
    }
    for (const Profile p : {Profile::strict, Profile::upstream}) {
        Json g = Json::object();
        g["type"] = "ShadowMeshValidateMessageType";
        g["profile"] = std::string(to_string(p));
        g["tests"] = Json::array();
        for (const int id : {0x01, 0x05, 0x0f, 0x11, 0x22, 0x30, 0x31, 0x32, 0x33, 0x00}) {
            g["tests"].push_back(validate_case(p, static_cast<std::uint8_t>(id)));
        }
        f["testGroups"].push_back(std::move(g));
    }
    number_tests(f);
    return f;
}

void check_codec_case(const Json& group, const Json& test) {
    const std::string type = group.at("type").get<std::string>();
    Json recomputed;
    if (type == "ShadowMeshCodec") {
        const auto p = profile_from_string(group.at("profile").get<std::string>());
        if (!p) {
            throw VectorError("group.profile: unknown");
        }
        check_keys(test, {"tcId", "comment", "flags", "wire", "result"}, {"fields", "error", "offset"}, "test");
        CodecCase c{test.at("comment").get<std::string>(), {}, shakedown::vectors::hex_value(test.at("wire"), "wire")};
        for (const auto& fl : test.at("flags")) {
            if (fl != "UpstreamLenient") {
                c.flags.push_back(fl.get<std::string>());
            }
        }
        recomputed = verdict(c, *p);
    } else if (type == "ShadowMeshHeader") {
        check_keys(test, {"tcId", "comment", "flags", "bytes", "result"}, {"fields", "error", "offset"}, "test");
        recomputed = header_case(test.at("comment").get<std::string>(), test.at("flags"),
                                 shakedown::vectors::hex_value(test.at("bytes"), "bytes"));
    } else if (type == "ShadowMeshValidateMessageType") {
        const auto p = profile_from_string(group.at("profile").get<std::string>());
        if (!p) {
            throw VectorError("group.profile: unknown");
        }
        check_keys(test, {"tcId", "comment", "flags", "type_id", "result"}, {"error"}, "test");
        const auto id = test.at("type_id").get<std::int64_t>();
        if (id < 0 || id > 255) {
            throw VectorError("test.type_id: not a byte");
        }
        recomputed = validate_case(*p, static_cast<std::uint8_t>(id));
        recomputed["comment"] = test.at("comment");
        recomputed["flags"] = test.at("flags");
    } else {
        throw VectorError("group.type: unknown '" + type + "'");
    }
    recomputed["tcId"] = test.at("tcId");
    compare_json(test, recomputed, "test");
}

}  // namespace shakedown::shadowmesh::vectors
