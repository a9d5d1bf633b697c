#include "stt/messages.hpp"

#include <algorithm>
#include <array>
#include <cassert>
#include <cstring>
#include <memory>
#include <type_traits>

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
        if (v->kind != kind) [[unlikely]] {
            return Failure{Error::decode_error, v->offset, "a value has the wrong type"};
        }
        m_seen.push_back(key);
        return v;
    }
    Result<Bytes> bytes_field(std::string_view key, std::size_t exact = 0) {
        SK_TRY(const Value* v, get(key, Value::Kind::bytes));
        if (exact != 0 && m_o.check_lengths && v->data.size() != exact) [[unlikely]] {
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
// A STRING key's whole encoding (tag, u32be length, UTF-8), made at compile time.
template <std::size_t N>
struct EncodedKey {
    static_assert(N - 1 < 256);
    std::array<std::uint8_t, 5 + N - 1> bytes{};
    constexpr explicit EncodedKey(const char (&k)[N]) {
        bytes[0] = tag::kString;
        bytes[4] = static_cast<std::uint8_t>(N - 1);
        for (std::size_t i = 0; i + 1 < N; ++i) {
            bytes[5 + i] = static_cast<std::uint8_t>(k[i]);
        }
    }
    [[nodiscard]] ByteView view() const { return bytes; }
    [[nodiscard]] static constexpr std::size_t size() { return 5 + N - 1; }
};
constexpr EncodedKey kEncType("type");
constexpr EncodedKey kEncCommitment("commitment");
constexpr EncodedKey kEncNodeId("node_id");
constexpr EncodedKey kEncNonce("nonce");
constexpr EncodedKey kEncTimestamp("timestamp");
constexpr EncodedKey kEncChallenge("challenge");
constexpr EncodedKey kEncChallengeMetadata("challenge_metadata");
constexpr EncodedKey kEncProof("proof");
constexpr EncodedKey kEncProofMetadata("proof_metadata");
constexpr EncodedKey kEncSessionId("session_id");
constexpr EncodedKey kEncHello("HELLO");
constexpr EncodedKey kEncResponse("RESPONSE");
constexpr EncodedKey kEncAuthProof("AUTH_PROOF");
constexpr EncodedKey kEncFinal("FINAL");

template <typename W, std::size_t N>
void put_bytes_field(W& w, const EncodedKey<N>& k, ByteView b) {
    w.put_bytes(k.view());
    w.put_u8(tag::kBytes);
    w.put_u32be(static_cast<std::uint32_t>(b.size()));
    w.put_bytes(b);
}
// The smallest width that holds v, as encode() picks it.
std::size_t int_width(std::int64_t v) {
    if (v >= INT8_MIN && v <= INT8_MAX) {
        return 1;
    }
    if (v >= INT16_MIN && v <= INT16_MAX) {
        return 2;
    }
    if (v >= INT32_MIN && v <= INT32_MAX) {
        return 4;
    }
    return 8;
}
template <typename W, std::size_t N>
void put_int_field(W& w, const EncodedKey<N>& k, std::int64_t v) {
    w.put_bytes(k.view());
    switch (int_width(v)) {
        case 1:
            w.put_u8(tag::kInt8);
            w.put_u8(static_cast<std::uint8_t>(v));
            break;
        case 2:
            w.put_u8(tag::kInt16);
            w.put_u16be(static_cast<std::uint16_t>(v));
            break;
        case 4:
            w.put_u8(tag::kInt32);
            w.put_u32be(static_cast<std::uint32_t>(v));
            break;
        default:
            w.put_u8(tag::kInt64);
            w.put_u64be(static_cast<std::uint64_t>(v));
            break;
    }
}
template <typename W, std::size_t N>
void put_type_field(W& w, const EncodedKey<N>& type) {
    w.put_bytes(kEncType.view());
    w.put_bytes(type.view());
}
template <typename W>
void put_dict_header(W& w, std::uint32_t n) {
    w.put_u8(tag::kDict);
    w.put_u32be(n);
}

// Encoded sizes, so the output is written once into room of its size.
constexpr std::size_t kDictHeaderSize = 5;
template <std::size_t N>
std::size_t bytes_field_size(const EncodedKey<N>& k, ByteView b) {
    return k.size() + 5 + b.size();
}
template <std::size_t N>
std::size_t int_field_size(const EncodedKey<N>& k, std::int64_t v) {
    return k.size() + 1 + int_width(v);
}
template <std::size_t N>
constexpr std::size_t type_field_size(const EncodedKey<N>& type) {
    return kEncType.size() + type.size();
}

struct SizeVisitor {
    std::size_t operator()(const HelloView& m) const {
        return kDictHeaderSize + bytes_field_size(kEncCommitment, m.commitment) + bytes_field_size(kEncNodeId, m.node_id) +
               bytes_field_size(kEncNonce, m.nonce) + int_field_size(kEncTimestamp, m.timestamp_ms) +
               type_field_size(kEncHello);
    }
    std::size_t operator()(const ResponseView& m) const {
        return kDictHeaderSize + bytes_field_size(kEncChallenge, m.challenge) +
               bytes_field_size(kEncChallengeMetadata, m.challenge_metadata) + bytes_field_size(kEncNodeId, m.node_id) +
               bytes_field_size(kEncNonce, m.nonce) + int_field_size(kEncTimestamp, m.timestamp_ms) +
               type_field_size(kEncResponse);
    }
    std::size_t operator()(const AuthProofView& m) const {
        return kDictHeaderSize + bytes_field_size(kEncProof, m.proof) +
               bytes_field_size(kEncProofMetadata, m.proof_metadata) + bytes_field_size(kEncSessionId, m.session_id) +
               int_field_size(kEncTimestamp, m.timestamp_ms) + type_field_size(kEncAuthProof);
    }
    std::size_t operator()(const FinalView& m) const {
        return kDictHeaderSize + bytes_field_size(kEncSessionId, m.session_id) +
               int_field_size(kEncTimestamp, m.timestamp_ms) + type_field_size(kEncFinal);
    }
};

struct WriteVisitor {
    SpanWriter& w;
    void operator()(const HelloView& m) const {
        put_dict_header(w, 5);
        put_bytes_field(w, kEncCommitment, m.commitment);
        put_bytes_field(w, kEncNodeId, m.node_id);
        put_bytes_field(w, kEncNonce, m.nonce);
        put_int_field(w, kEncTimestamp, m.timestamp_ms);
        put_type_field(w, kEncHello);
    }
    void operator()(const ResponseView& m) const {
        put_dict_header(w, 6);
        put_bytes_field(w, kEncChallenge, m.challenge);
        put_bytes_field(w, kEncChallengeMetadata, m.challenge_metadata);
        put_bytes_field(w, kEncNodeId, m.node_id);
        put_bytes_field(w, kEncNonce, m.nonce);
        put_int_field(w, kEncTimestamp, m.timestamp_ms);
        put_type_field(w, kEncResponse);
    }
    void operator()(const AuthProofView& m) const {
        put_dict_header(w, 5);
        put_bytes_field(w, kEncProof, m.proof);
        put_bytes_field(w, kEncProofMetadata, m.proof_metadata);
        put_bytes_field(w, kEncSessionId, m.session_id);
        put_int_field(w, kEncTimestamp, m.timestamp_ms);
        put_type_field(w, kEncAuthProof);
    }
    void operator()(const FinalView& m) const {
        put_dict_header(w, 3);
        put_bytes_field(w, kEncSessionId, m.session_id);
        put_int_field(w, kEncTimestamp, m.timestamp_ms);
        put_type_field(w, kEncFinal);
    }
};

struct ViewVisitor {
    MessageView operator()(const Hello& m) const { return HelloView{m.node_id, m.nonce, m.timestamp_ms, m.commitment}; }
    MessageView operator()(const Response& m) const {
        return ResponseView{m.node_id, m.nonce, m.challenge, m.challenge_metadata, m.timestamp_ms};
    }
    MessageView operator()(const AuthProof& m) const {
        return AuthProofView{m.session_id, m.proof, m.proof_metadata, m.timestamp_ms};
    }
    MessageView operator()(const Final& m) const { return FinalView{m.session_id, m.timestamp_ms}; }
};
}  // namespace

MessageView view_of(const Message& m) { return std::visit(ViewVisitor{}, m); }

std::size_t serialized_size(const MessageView& m) { return std::visit(SizeVisitor{}, m); }

void serialize_into(const MessageView& m, std::span<std::uint8_t> out) {
    SpanWriter w(out);
    std::visit(WriteVisitor{w}, m);
    assert(w.size() == out.size());
}

Bytes serialize(const MessageView& m) {
    Bytes out(serialized_size(m));
    serialize_into(m, out);
    return out;
}

Bytes serialize(const Message& m) { return serialize(view_of(m)); }

Result<Message> message_from_value(const Value& v, const MessageOptions& o) {
    if (v.kind != Value::Kind::dict) [[unlikely]] {
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

namespace {

// The keys any message reads. Each message type reads a subset; the others are unknown to it.
enum MessageKey : std::uint8_t {
    k_type,
    k_commitment,
    k_node_id,
    k_nonce,
    k_timestamp,
    k_challenge,
    k_challenge_metadata,
    k_proof,
    k_proof_metadata,
    k_session_id,
    k_count
};
constexpr std::array<std::string_view, k_count> kKeyNames = {
    "type", "commitment", "node_id", "nonce", "timestamp", "challenge", "challenge_metadata", "proof",
    "proof_metadata", "session_id"};
constexpr std::size_t kNoEntry = static_cast<std::size_t>(-1);

// The known key spelled `key`, or k_count. Candidates by length first: entries are matched on
// every message received.
// `key` (of the same length as `name`) spelled `name`: a comparison of a constant number of
// bytes once inlined, a load or two rather than a call.
template <std::size_t N>
constexpr bool spelled(std::string_view key, const char (&name)[N]) {
    if (std::is_constant_evaluated()) {
        return key == std::string_view(name, N - 1);
    }
    return std::memcmp(key.data(), name, N - 1) == 0;
}

constexpr std::size_t known_key(std::string_view key) {
    switch (key.size()) {
        case 4:
            return spelled(key, "type") ? k_type : k_count;
        case 5:
            return spelled(key, "nonce") ? k_nonce : spelled(key, "proof") ? k_proof : k_count;
        case 7:
            return spelled(key, "node_id") ? k_node_id : k_count;
        case 9:
            return spelled(key, "timestamp") ? k_timestamp : spelled(key, "challenge") ? k_challenge : k_count;
        case 10:
            return spelled(key, "commitment") ? k_commitment : spelled(key, "session_id") ? k_session_id : k_count;
        case 14:
            return spelled(key, "proof_metadata") ? k_proof_metadata : k_count;
        case 18:
            return spelled(key, "challenge_metadata") ? k_challenge_metadata : k_count;
        default:
            return k_count;
    }
}

static_assert([] {
    for (std::size_t k = 0; k < k_count; ++k) {
        if (known_key(kKeyNames[k]) != k) {
            return false;
        }
    }
    return known_key("extra") == k_count;
}());

// The outermost dict's entries, as scan() reports them: where each known key is (the strict
// decoder admits no repeated key) and the first entry whose key no message reads.
class MessageEntries final : public TlvEntryVisitor {
public:
    void entry(std::size_t index, std::string_view key, const ValueView& value) override {
        if (const std::size_t k = known_key(key); k != k_count) {
            // A repeated key (duplicate_keys_overwrite) keeps its first position, its last value.
            if (m_index[k] == kNoEntry) {
                m_index[k] = index;
            }
            std::construct_at(&m_value[k].value, value);
            return;
        }
        if (m_other_index == kNoEntry) {
            m_other_index = index;
            m_other_key = key;
            m_other_offset = value.offset;
        } else if (key == m_other_key) {
            m_other_offset = value.offset;
        }
    }

    [[nodiscard]] const ValueView* find(MessageKey k) const {
        return m_index[k] == kNoEntry ? nullptr : &m_value[k].value;
    }
    [[nodiscard]] std::size_t index(MessageKey k) const { return m_index[k]; }
    [[nodiscard]] std::size_t other_index() const { return m_other_index; }
    [[nodiscard]] std::size_t other_offset() const { return m_other_offset; }

private:
    std::array<std::size_t, k_count> m_index = [] {
        std::array<std::size_t, k_count> a{};
        a.fill(kNoEntry);
        return a;
    }();
    // A key's value, written when its entry is reported and read only then (find()): the slots
    // of absent keys are never made, so a parse does not clear ten of them first.
    union Slot {
        Slot() {}
        ValueView value;
    };
    static_assert(std::is_trivially_copyable_v<ValueView> && std::is_trivially_destructible_v<ValueView>);
    std::array<Slot, k_count> m_value;
    std::size_t m_other_index = kNoEntry;
    std::string_view m_other_key;
    std::size_t m_other_offset = 0;
};

// Fields over the scanned entries, with message_from_value's checks in its order.
class ViewFields {
public:
    ViewFields(const MessageEntries& e, std::size_t dict_offset, const MessageOptions& o)
        : m_e(e), m_dict_offset(dict_offset), m_o(o) {}

    Result<const ValueView*> get(MessageKey key, Value::Kind kind) {
        const ValueView* v = m_e.find(key);
        if (v == nullptr) [[unlikely]] {
            return Failure{Error::decode_error, m_dict_offset, "a required key is missing"};
        }
        if (v->kind != kind) [[unlikely]] {
            return Failure{Error::decode_error, v->offset, "a value has the wrong type"};
        }
        m_read[key] = true;
        return v;
    }
    Result<ByteView> bytes_field(MessageKey key, std::size_t exact = 0) {
        SK_TRY(const ValueView* v, get(key, Value::Kind::bytes));
        if (exact != 0 && m_o.check_lengths && v->data.size() != exact) [[unlikely]] {
            return Failure{Error::bad_length, v->offset, "a fixed-size field has the wrong length"};
        }
        return v->data;
    }
    Result<std::int64_t> int_field(MessageKey key) {
        SK_TRY(const ValueView* v, get(key, Value::Kind::integer));
        return v->integer;
    }
    // The first entry, in input order, that this message does not read.
    Result<void> finish() {
        if (!m_o.reject_unknown_keys) {
            return ok();
        }
        std::size_t first = m_e.other_index();
        std::size_t offset = m_e.other_offset();
        for (std::size_t k = k_type + 1; k < k_count; ++k) {
            const auto key = static_cast<MessageKey>(k);
            if (!m_read[k] && m_e.index(key) < first) {
                first = m_e.index(key);
                offset = m_e.find(key)->offset;
            }
        }
        if (first != kNoEntry) [[unlikely]] {
            return Failure{Error::decode_error, offset, "unknown key"};
        }
        return ok();
    }

private:
    const MessageEntries& m_e;
    std::size_t m_dict_offset;
    const MessageOptions& m_o;
    std::array<bool, k_count> m_read{};
};

}  // namespace

Result<MessageView> parse_message_view(ByteView tlv, const MessageOptions& o) {
    MessageView m;
    SK_CHECK(parse_message_view(tlv, m, o));
    return m;
}

Result<void> parse_message_view(ByteView tlv, MessageView& out, const MessageOptions& o) {
    // The same checks and errors as message_from_value(decode(tlv)), read in place.
    MessageEntries entries;
    SK_TRY(const ValueView v, scan(tlv, o.limits, o.leniency, &entries));
    if (v.kind != Value::Kind::dict) [[unlikely]] {
        return Failure{Error::decode_error, v.offset, "a message is a DICT"};
    }
    ViewFields f(entries, v.offset, o);
    SK_TRY(const ValueView* type, f.get(k_type, Value::Kind::string));
    const std::string_view t(reinterpret_cast<const char*>(type->data.data()), type->data.size());
    if (t == kHello) {
        auto& m = out.emplace<HelloView>();
        SK_TRY(m.commitment, f.bytes_field(k_commitment));
        SK_TRY(m.node_id, f.bytes_field(k_node_id, kNodeIdSize));
        SK_TRY(m.nonce, f.bytes_field(k_nonce, kNonceSize));
        SK_TRY(m.timestamp_ms, f.int_field(k_timestamp));
        SK_CHECK(f.finish());
        return ok();
    }
    if (t == kResponse) {
        auto& m = out.emplace<ResponseView>();
        SK_TRY(m.challenge, f.bytes_field(k_challenge));
        SK_TRY(m.challenge_metadata, f.bytes_field(k_challenge_metadata));
        SK_TRY(m.node_id, f.bytes_field(k_node_id, kNodeIdSize));
        SK_TRY(m.nonce, f.bytes_field(k_nonce, kNonceSize));
        SK_TRY(m.timestamp_ms, f.int_field(k_timestamp));
        SK_CHECK(f.finish());
        return ok();
    }
    if (t == kAuthProof) {
        auto& m = out.emplace<AuthProofView>();
        SK_TRY(m.proof, f.bytes_field(k_proof));
        SK_TRY(m.proof_metadata, f.bytes_field(k_proof_metadata));
        SK_TRY(m.session_id, f.bytes_field(k_session_id, kSessionIdSize));
        SK_TRY(m.timestamp_ms, f.int_field(k_timestamp));
        SK_CHECK(f.finish());
        return ok();
    }
    if (t == kFinal) {
        auto& m = out.emplace<FinalView>();
        SK_TRY(m.session_id, f.bytes_field(k_session_id, kSessionIdSize));
        SK_TRY(m.timestamp_ms, f.int_field(k_timestamp));
        SK_CHECK(f.finish());
        return ok();
    }
    return Failure{Error::unknown_type, type->offset, "unknown message type"};
}

namespace {
Bytes owned(ByteView b) { return {b.begin(), b.end()}; }

struct CopyVisitor {
    Message operator()(const HelloView& m) const {
        return Hello{owned(m.node_id), owned(m.nonce), m.timestamp_ms, owned(m.commitment)};
    }
    Message operator()(const ResponseView& m) const {
        return Response{owned(m.node_id), owned(m.nonce), owned(m.challenge), owned(m.challenge_metadata), m.timestamp_ms};
    }
    Message operator()(const AuthProofView& m) const {
        return AuthProof{owned(m.session_id), owned(m.proof), owned(m.proof_metadata), m.timestamp_ms};
    }
    Message operator()(const FinalView& m) const { return Final{owned(m.session_id), m.timestamp_ms}; }
};
}  // namespace

Result<Message> parse_message(ByteView tlv, const MessageOptions& o) {
    SK_TRY(const MessageView v, parse_message_view(tlv, o));
    return std::visit(CopyVisitor{}, v);
}

}  // namespace shakedown::stt
