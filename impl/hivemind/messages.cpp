#include "hivemind/messages.hpp"

#include <array>
#include <iterator>

#include "hivemind/codecs.hpp"

namespace shakedown::hivemind {

namespace {

constexpr std::array<std::string_view, 8> kKeys = {"msg_type", "payload", "metadata", "route",
                                                   "node", "target_site_id", "target_pubkey", "source_peer"};

Failure wrong(const Json& v, const char* what) { return fail(Error::wrong_type, what, v.offset); }

Result<void> need_object(const Json& payload) {
    if (!payload.is_object()) {
        return wrong(payload, "payload is not an object");
    }
    return ok();
}

Result<std::optional<std::string>> opt_string(const Json& o, std::string_view key) {
    const Json* v = o.find(key);
    if (v == nullptr) {
        return std::optional<std::string>{};
    }
    if (!v->is_string()) {
        return wrong(*v, "field is not a string");
    }
    return std::optional<std::string>{v->s};
}

Result<std::string> req_string(const Json& o, std::string_view key, std::size_t end) {
    SK_TRY(auto v, opt_string(o, key));
    if (!v) {
        return fail(Error::decode_error, "required field missing", end);
    }
    return std::move(*v);
}

Result<bool> opt_bool(const Json& o, std::string_view key, bool def) {
    const Json* v = o.find(key);
    if (v == nullptr) {
        return def;
    }
    if (v->kind != Json::Kind::boolean) {
        return wrong(*v, "field is not a boolean");
    }
    return v->b;
}

Result<std::int64_t> opt_int(const Json& o, std::string_view key, std::int64_t def) {
    const Json* v = o.find(key);
    if (v == nullptr) {
        return def;
    }
    if (v->kind != Json::Kind::integer) {
        return wrong(*v, "field is not an integer");
    }
    return v->i;
}

Result<std::vector<std::string>> opt_list(const Json& o, std::string_view key, std::vector<std::string> def) {
    const Json* v = o.find(key);
    if (v == nullptr) {
        return def;
    }
    if (!v->is_array()) {
        return wrong(*v, "field is not a list");
    }
    std::vector<std::string> out;
    out.reserve(v->items.size());
    for (const auto& item : v->items) {
        if (!item.is_string()) {
            return wrong(item, "list item is not a string");
        }
        out.push_back(item.s);
    }
    return out;
}

Json str_list(const std::vector<std::string>& v) {
    Json j = Json::array();
    j.items.reserve(v.size());
    for (const auto& s : v) {
        j.items.push_back(Json::string(s));
    }
    return j;
}

std::size_t end_of(const Json& v) { return v.offset; }

// Appends a member whose key the object does not hold yet (what Json::set does for a new key).
void add_member(Json& object, std::string_view key, Json value) {
    object.members.push_back(JsonMember{std::string(key), std::move(value), 0});
}

}  // namespace

bool operator==(const HiveMessage& a, const HiveMessage& b) {
    return a.msg_type == b.msg_type && a.payload == b.payload && a.metadata == b.metadata && a.route == b.route &&
           a.node == b.node && a.target_site_id == b.target_site_id && a.target_pubkey == b.target_pubkey &&
           a.source_peer == b.source_peer;
}

bool operator==(const ClientHello& a, const ClientHello& b) {
    return a.pubkey == b.pubkey && a.session == b.session && a.site_id == b.site_id;
}

std::string serialize_message(const HiveMessage& m) {
    // As dump_json of the object {kKeys[0]: msg_type, kKeys[1]: payload, ...}, written directly.
    const Json* const fields[] = {&m.payload, &m.metadata, &m.route, &m.node,
                                  &m.target_site_id, &m.target_pubkey, &m.source_peer};
    std::string out;
    out.reserve(1024);
    out += "{\"msg_type\": ";
    append_json_string(out, m.msg_type);
    for (std::size_t k = 0; k < std::size(fields); ++k) {
        out += ", \"";
        out += kKeys[k + 1];
        out += "\": ";
        append_json(out, *fields[k]);
    }
    out.push_back('}');
    return out;
}

Result<HiveMessage> message_from_json(Json&& j) {
    if (!j.is_object()) {
        return wrong(j, "a HiveMessage is a JSON object");
    }
    HiveMessage m;
    bool have_type = false;
    for (auto& mem : j.members) {
        Json& v = mem.value;
        if (mem.key == "msg_type") {
            if (!v.is_string()) {
                return wrong(v, "msg_type is not a string");
            }
            m.msg_type = std::move(v.s);
            have_type = true;
        } else if (mem.key == "payload" || mem.key == "metadata") {
            if (!v.is_object()) {
                return wrong(v, "payload/metadata is not an object");
            }
            (mem.key == "payload" ? m.payload : m.metadata) = std::move(v);
        } else if (mem.key == "route") {
            if (!v.is_array()) {
                return wrong(v, "route is not a list");
            }
            m.route = std::move(v);
        } else if (mem.key == kKeys[4] || mem.key == kKeys[5] || mem.key == kKeys[6] || mem.key == kKeys[7]) {
            if (!v.is_string() && !v.is_null()) {
                return wrong(v, "field is neither a string nor null");
            }
            Json& dst = mem.key == kKeys[4]   ? m.node
                        : mem.key == kKeys[5] ? m.target_site_id
                        : mem.key == kKeys[6] ? m.target_pubkey
                                              : m.source_peer;
            dst = std::move(v);
        } else {
            return fail(Error::unknown_type, "unknown key in a HiveMessage", mem.key_offset);
        }
    }
    if (!have_type) {
        return fail(Error::decode_error, "HiveMessage without msg_type", j.offset);
    }
    return m;
}

Result<HiveMessage> message_from_json(const Json& j) { return message_from_json(Json(j)); }

Result<HiveMessage> parse_message(ByteView text, const JsonLimits& limits) {
    SK_TRY(Json j, parse_json(text, limits));
    return message_from_json(std::move(j));
}

Json to_json(const ServerHello& p) {
    Json j = Json::object();
    j.members.reserve(3);
    add_member(j, "pubkey", Json::string(p.pubkey));
    if (p.peer) {
        add_member(j, "peer", Json::string(*p.peer));
    }
    add_member(j, "node_id", Json::string(p.node_id));
    return j;
}

Json to_json(const ServerParams& p) {
    Json j = Json::object();
    j.members.reserve(9);
    add_member(j, "handshake", Json::boolean(p.handshake));
    add_member(j, "min_protocol_version", Json::integer(p.min_protocol_version));
    add_member(j, "max_protocol_version", Json::integer(p.max_protocol_version));
    add_member(j, "binarize", Json::boolean(p.binarize));
    add_member(j, "preshared_key", Json::boolean(p.preshared_key));
    add_member(j, "password", Json::boolean(p.password));
    add_member(j, "crypto_required", Json::boolean(p.crypto_required));
    add_member(j, "encodings", str_list(p.encodings));
    add_member(j, "ciphers", str_list(p.ciphers));
    return j;
}

Json to_json(const ClientOffer& p) {
    Json j = Json::object();
    j.members.reserve(4);
    add_member(j, "binarize", Json::boolean(p.binarize));
    add_member(j, "encodings", str_list(p.encodings));
    add_member(j, "ciphers", str_list(p.ciphers));
    if (p.envelope) {
        add_member(j, "envelope", Json::string(*p.envelope));
    }
    if (p.pubkey) {
        add_member(j, "pubkey", Json::string(*p.pubkey));
    }
    return j;
}

Json to_json(const ServerChoice& p) {
    Json j = Json::object();
    j.members.reserve(3);
    add_member(j, "envelope", Json::string(p.envelope));
    if (p.encoding) {
        add_member(j, "encoding", Json::string(*p.encoding));
    }
    if (p.cipher) {
        add_member(j, "cipher", Json::string(*p.cipher));
    }
    return j;
}

Json to_json(const ClientHello& p) {
    Json j = Json::object();
    j.members.reserve(3);
    add_member(j, "pubkey", Json::string(p.pubkey));
    add_member(j, "session", p.session);
    add_member(j, "site_id", Json::string(p.site_id));
    return j;
}

Result<ServerHello> server_hello_from(const Json& payload) {
    SK_CHECK(need_object(payload));
    ServerHello h;
    SK_TRY(h.pubkey, req_string(payload, "pubkey", end_of(payload)));
    SK_TRY(h.peer, opt_string(payload, "peer"));
    SK_TRY(h.node_id, req_string(payload, "node_id", end_of(payload)));
    return h;
}

Result<ServerParams> server_params_from(const Json& payload) {
    SK_CHECK(need_object(payload));
    ServerParams p;
    SK_TRY(p.handshake, opt_bool(payload, "handshake", false));
    SK_TRY(p.min_protocol_version, opt_int(payload, "min_protocol_version", 0));
    SK_TRY(p.max_protocol_version, opt_int(payload, "max_protocol_version", 0));
    SK_TRY(p.binarize, opt_bool(payload, "binarize", false));
    SK_TRY(p.preshared_key, opt_bool(payload, "preshared_key", false));
    SK_TRY(p.password, opt_bool(payload, "password", false));
    SK_TRY(p.crypto_required, opt_bool(payload, "crypto_required", false));
    SK_TRY(p.encodings, opt_list(payload, "encodings", {"JSON-HEX"}));
    SK_TRY(p.ciphers, opt_list(payload, "ciphers", {"AES-GCM"}));
    return p;
}

Result<ClientOffer> client_offer_from(const Json& payload) {
    SK_CHECK(need_object(payload));
    ClientOffer o;
    SK_TRY(o.binarize, opt_bool(payload, "binarize", false));
    SK_TRY(o.encodings, opt_list(payload, "encodings", {"JSON-HEX"}));
    SK_TRY(o.ciphers, opt_list(payload, "ciphers", {"AES-GCM"}));
    SK_TRY(o.envelope, opt_string(payload, "envelope"));
    SK_TRY(o.pubkey, opt_string(payload, "pubkey"));
    if (o.envelope.has_value() == o.pubkey.has_value()) {
        return fail(Error::decode_error, "exactly one of envelope and pubkey", payload.offset);
    }
    return o;
}

Result<ServerChoice> server_choice_from(const Json& payload) {
    SK_CHECK(need_object(payload));
    ServerChoice c;
    SK_TRY(c.envelope, req_string(payload, "envelope", end_of(payload)));
    SK_TRY(c.encoding, opt_string(payload, "encoding"));
    SK_TRY(c.cipher, opt_string(payload, "cipher"));
    return c;
}

Result<ClientHello> client_hello_from(const Json& payload) {
    SK_CHECK(need_object(payload));
    ClientHello h;
    SK_TRY(h.pubkey, req_string(payload, "pubkey", end_of(payload)));
    if (const Json* s = payload.find("session")) {
        if (!s->is_object()) {
            return wrong(*s, "session is not an object");
        }
        h.session = *s;
    }
    SK_TRY(h.site_id, req_string(payload, "site_id", end_of(payload)));
    return h;
}

std::string write_authorization(const Authorization& a) {
    return encode(Encoding::b64, as_bytes(a.useragent + ":" + a.access_key));
}

Result<Authorization> parse_authorization(std::string_view value) {
    SK_TRY(Bytes raw, decode(Encoding::b64, value));
    SK_CHECK(check_utf8(raw));
    const std::string text(raw.begin(), raw.end());
    const auto colon = text.find(':');
    if (colon == std::string::npos) {
        return fail(Error::decode_error, "authorization without ':'", value.size());
    }
    return Authorization{text.substr(0, colon), text.substr(colon + 1)};
}

}  // namespace shakedown::hivemind
