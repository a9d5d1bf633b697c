#include "stt/messages.hpp"

#include <algorithm>
#include <array>

#include "common/writer.hpp"

namespace shakedown::stt {

namespace {

Value bytes(ByteView b) { return Value::bytes_value(b); }

struct Visitor {
    Value operator()(const Hello& m) const {
        return Value::dict({{"type", Value::string_value(kHello)},
                            {"node_id", bytes(m.node_id)},
                            {"nonce", bytes(m.nonce)},
                            {"timestamp", Value::int_value(m.timestamp_ms)},
                            {"commitment", bytes(m.commitment)}});
    }
    Value operator()(const Response& m) const {
        return Value::dict({{"type", Value::string_value(kResponse)},
                            {"node_id", bytes(m.node_id)},
                            {"nonce", bytes(m.nonce)},
                            {"challenge", bytes(m.challenge)},
                            {"challenge_metadata", bytes(m.challenge_metadata)},
                            {"timestamp", Value::int_value(m.timestamp_ms)}});
    }
    Value operator()(const AuthProof& m) const {
        return Value::dict({{"type", Value::string_value(kAuthProof)},
                            {"session_id", bytes(m.session_id)},
                            {"proof", bytes(m.proof)},
                            {"proof_metadata", bytes(m.proof_metadata)},
                            {"timestamp", Value::int_value(m.timestamp_ms)}});
    }
    Value operator()(const Final& m) const {
        return Value::dict({{"type", Value::string_value(kFinal)},
                            {"session_id", bytes(m.session_id)},
                            {"timestamp", Value::int_value(m.timestamp_ms)}});
    }
};

// Reads the fields of one message dict; every key read is remembered so unknown ones can be
// reported afterwards.
class Fields {
public:
    Fields(const Value& dict, const MessageOptions& o) : m_dict(dict), m_o(o) {}

    Result<const Value*> get(std::string_view key, Value::Kind kind) {
        const Value* v = m_dict.find(key);
        if (v == nullptr) {
            return Failure{Error::decode_error, m_dict.offset, "a required key is missing"};
        }
        if (v->kind != kind) {
            return Failure{Error::decode_error, v->offset, "a value has the wrong type"};
        }
        m_seen.push_back(key);
        return v;
    }
    Result<Bytes> bytes_field(std::string_view key, std::size_t exact = 0) {
        SK_TRY(const Value* v, get(key, Value::Kind::bytes));
        if (exact != 0 && m_o.check_lengths && v->data.size() != exact) {
            return Failure{Error::bad_length, v->offset, "a fixed-size field has the wrong length"};
        }
        return v->data;
    }
    Result<std::int64_t> int_field(std::string_view key) {
        SK_TRY(const Value* v, get(key, Value::Kind::integer));
        return v->integer;
    }
    Result<void> finish() {
        if (!m_o.reject_unknown_keys) {
            return ok();
        }
        for (const Value& item : m_dict.items) {
            if (item.key != "type" && std::find(m_seen.begin(), m_seen.end(), item.key) == m_seen.end()) {
                return Failure{Error::decode_error, item.offset, "unknown key"};
            }
        }
        return ok();
    }

private:
    const Value& m_dict;
    const MessageOptions& m_o;
    std::vector<std::string_view> m_seen;
};

}  // namespace

std::string_view message_name(const Message& m) noexcept {
    static constexpr std::array<std::string_view, 4> kNames = {kHello, kResponse, kAuthProof, kFinal};
    return kNames[m.index()];
}

Value to_value(const Message& m) { return std::visit(Visitor{}, m); }

namespace {
// Direct canonical encoding of the four messages (keys written in code point order), equal to
// encode(to_value(m)) without building a value tree; a test and the message fuzz target hold
// the two together.
void put_key(Writer& w, std::string_view k) {
    w.put_u8(tag::kString);
    w.put_u32be(static_cast<std::uint32_t>(k.size()));
    w.put_bytes(as_bytes(k));
}
void put_bytes_field(Writer& w, std::string_view k, ByteView b) {
    put_key(w, k);
    w.put_u8(tag::kBytes);
    w.put_u32be(static_cast<std::uint32_t>(b.size()));
    w.put_bytes(b);
}
void put_int_field(Writer& w, std::string_view k, std::int64_t v) {
    put_key(w, k);
    Bytes one = *encode(Value::int_value(v));
    w.put_bytes(one);
}
void put_type_field(Writer& w, std::string_view type) {
    put_key(w, "type");
    put_key(w, type);
}
void put_dict_header(Writer& w, std::uint32_t n) {
    w.put_u8(tag::kDict);
    w.put_u32be(n);
}
}  // namespace

Bytes serialize(const Message& m) {
    Writer w;
    if (const auto* h = std::get_if<Hello>(&m)) {
        put_dict_header(w, 5);
        put_bytes_field(w, "commitment", h->commitment);
        put_bytes_field(w, "node_id", h->node_id);
        put_bytes_field(w, "nonce", h->nonce);
        put_int_field(w, "timestamp", h->timestamp_ms);
        put_type_field(w, kHello);
    } else if (const auto* r = std::get_if<Response>(&m)) {
        put_dict_header(w, 6);
        put_bytes_field(w, "challenge", r->challenge);
        put_bytes_field(w, "challenge_metadata", r->challenge_metadata);
        put_bytes_field(w, "node_id", r->node_id);
        put_bytes_field(w, "nonce", r->nonce);
        put_int_field(w, "timestamp", r->timestamp_ms);
        put_type_field(w, kResponse);
    } else if (const auto* a = std::get_if<AuthProof>(&m)) {
        put_dict_header(w, 5);
        put_bytes_field(w, "proof", a->proof);
        put_bytes_field(w, "proof_metadata", a->proof_metadata);
        put_bytes_field(w, "session_id", a->session_id);
        put_int_field(w, "timestamp", a->timestamp_ms);
        put_type_field(w, kAuthProof);
    } else if (const auto* f = std::get_if<Final>(&m)) {
        put_dict_header(w, 3);
        put_bytes_field(w, "session_id", f->session_id);
        put_int_field(w, "timestamp", f->timestamp_ms);
        put_type_field(w, kFinal);
    }
    return std::move(w).take();
}

Result<Message> message_from_value(const Value& v, const MessageOptions& o) {
    if (v.kind != Value::Kind::dict) {
        return Failure{Error::decode_error, v.offset, "a message is a DICT"};
    }
    Fields f(v, o);
    SK_TRY(const Value* type, f.get("type", Value::Kind::string));
    const std::string_view t = type->str();
    if (t == kHello) {
        Hello m;
        SK_TRY(m.commitment, f.bytes_field("commitment"));
        SK_TRY(m.node_id, f.bytes_field("node_id", kNodeIdSize));
        SK_TRY(m.nonce, f.bytes_field("nonce", kNonceSize));
        SK_TRY(m.timestamp_ms, f.int_field("timestamp"));
        SK_CHECK(f.finish());
        return Message{std::move(m)};
    }
    if (t == kResponse) {
        Response m;
        SK_TRY(m.challenge, f.bytes_field("challenge"));
        SK_TRY(m.challenge_metadata, f.bytes_field("challenge_metadata"));
        SK_TRY(m.node_id, f.bytes_field("node_id", kNodeIdSize));
        SK_TRY(m.nonce, f.bytes_field("nonce", kNonceSize));
        SK_TRY(m.timestamp_ms, f.int_field("timestamp"));
        SK_CHECK(f.finish());
        return Message{std::move(m)};
    }
    if (t == kAuthProof) {
        AuthProof m;
        SK_TRY(m.proof, f.bytes_field("proof"));
        SK_TRY(m.proof_metadata, f.bytes_field("proof_metadata"));
        SK_TRY(m.session_id, f.bytes_field("session_id", kSessionIdSize));
        SK_TRY(m.timestamp_ms, f.int_field("timestamp"));
        SK_CHECK(f.finish());
        return Message{std::move(m)};
    }
    if (t == kFinal) {
        Final m;
        SK_TRY(m.session_id, f.bytes_field("session_id", kSessionIdSize));
        SK_TRY(m.timestamp_ms, f.int_field("timestamp"));
        SK_CHECK(f.finish());
        return Message{std::move(m)};
    }
    return Failure{Error::unknown_type, type->offset, "unknown message type"};
}

Result<Message> parse_message(ByteView tlv, const MessageOptions& o) {
    SK_TRY(const Value v, decode(tlv, o.limits, o.leniency));
    return message_from_value(v, o);
}

}  // namespace shakedown::stt
