#include "shadowmesh/messages.hpp"

#include <array>
#include <cstring>

#include "common/reader.hpp"
#include "common/writer.hpp"

namespace shakedown::shadowmesh {

std::string_view to_string(Profile p) noexcept { return p == Profile::strict ? "strict" : "upstream"; }

std::optional<Profile> profile_from_string(std::string_view s) noexcept {
    if (s == "strict") {
        return Profile::strict;
    }
    if (s == "upstream") {
        return Profile::upstream;
    }
    return std::nullopt;
}

namespace {

// docs/protocols/shadowmesh.md §3.1. Minimum payloads are the deployed decoder's.
constexpr std::array<TypeInfo, 16> kRegistry = {{
    {MessageType::hello, "HELLO", true, 6299, true},
    {MessageType::challenge, "CHALLENGE", true, 6339, true},
    {MessageType::response, "RESPONSE", true, 52, true},
    {MessageType::established, "ESTABLISHED", true, 57, true},
    {MessageType::heartbeat, "HEARTBEAT", true, 0, true},
    {MessageType::heartbeat_ack, "HEARTBEAT_ACK", true, 0, true},
    {MessageType::error, "ERROR", true, 2, true},
    {MessageType::close, "CLOSE", true, 2, true},
    {MessageType::data_frame, "DATA_FRAME", true, 8, true},
    {MessageType::multi_hop, "MULTI_HOP", false, 0, true},
    {MessageType::config_update, "CONFIG_UPDATE", false, 0, true},
    {MessageType::stats_request, "STATS_REQUEST", false, 0, true},
    {MessageType::stats_response, "STATS_RESPONSE", false, 0, true},
    {MessageType::rehandshake_request, "REHANDSHAKE_REQUEST", true, kRequestSize, false},
    {MessageType::rehandshake_response, "REHANDSHAKE_RESPONSE", true, kResponseSize, false},
    {MessageType::rehandshake_complete, "REHANDSHAKE_COMPLETE", true, kCompleteSize, false},
}};

// Position of each type ID in kRegistry, or -1: one load per lookup instead of a scan.
constexpr std::array<std::int8_t, 256> kRegistryIndex = [] {
    std::array<std::int8_t, 256> index{};
    index.fill(-1);
    for (std::size_t i = 0; i < kRegistry.size(); ++i) {
        index[static_cast<std::uint8_t>(kRegistry[i].type)] = static_cast<std::int8_t>(i);
    }
    return index;
}();

std::uint64_t load_be(const std::uint8_t* p, std::size_t width) noexcept {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < width; ++i) {
        v = (v << 8) | p[i];
    }
    return v;
}

std::uint8_t* store_be(std::uint8_t* p, std::uint64_t v, std::size_t width) noexcept {
    for (std::size_t i = width; i > 0; --i) {
        p[i - 1] = static_cast<std::uint8_t>(v);
        v >>= 8;
    }
    return p + width;
}

template <std::size_t N>
std::uint8_t* store_array(std::uint8_t* p, const ByteArray<N>& a) noexcept {
    std::memcpy(p, a.data(), N);
    return p + N;
}

template <std::size_t N>
const std::uint8_t* load_array(const std::uint8_t* p, ByteArray<N>& a) noexcept {
    std::memcpy(a.data(), p, N);
    return p + N;
}

// A payload of fixed fields: too short is truncated where it ends; strict refuses anything after
// the fields (upstream ignores it).
Result<void> check_fixed(ByteView payload, std::size_t size, Profile p, std::size_t base) {
    if (payload.size() < size) {
        return Failure{Error::truncated, base + payload.size(), "input ends inside a field"};
    }
    if (p == Profile::strict && payload.size() > size) {
        return Failure{Error::trailing_bytes, base + size, "bytes left after the message"};
    }
    return ok();
}

std::optional<std::uint32_t> exact_size(std::uint8_t type) {
    switch (static_cast<MessageType>(type)) {
        case MessageType::rehandshake_request: return kRequestSize;
        case MessageType::rehandshake_response: return kResponseSize;
        case MessageType::rehandshake_complete: return kCompleteSize;
        default: return std::nullopt;
    }
}

// The payload of a message other than the three rehandshake messages, which decode_frame reads
// itself (their Length is checked against their size first).
Result<Message> parse_other_payload(std::uint8_t type, ByteView payload) {
    switch (static_cast<MessageType>(type)) {
        case MessageType::close: {
            SK_TRY(auto m, parse_close(payload));
            return Message{std::move(m)};
        }
        case MessageType::error: {
            SK_TRY(auto m, parse_error(payload));
            return Message{std::move(m)};
        }
        default: break;
    }
    const auto info = type_info(type);
    if (!info || !info->has_codec) {
        return fail(Error::unknown_type, "message type without a codec", 1);
    }
    if (payload.size() < info->min_payload) {
        // The deployed decoder reads its fixed fields and runs out here.
        return fail(Error::truncated, "payload shorter than the type's fixed fields", kHeaderSize + payload.size());
    }
    return Message{OtherMsg{info->type, Bytes(payload.begin(), payload.end())}};
}

}  // namespace

std::optional<TypeInfo> type_info(std::uint8_t id) noexcept {
    const std::int8_t i = kRegistryIndex[id];
    if (i < 0) {
        return std::nullopt;
    }
    return kRegistry[static_cast<std::size_t>(i)];
}

std::string_view type_name(std::uint8_t id) noexcept {
    const auto info = type_info(id);
    return info ? info->name : std::string_view{"UNKNOWN"};
}

Result<void> validate_message_type_upstream(std::uint8_t id) {
    const auto info = type_info(id);
    if (!info || !info->validate_listed) {
        return fail(Error::unknown_type, "type not listed by ValidateMessageType", 1);
    }
    return ok();
}

Result<void> validate_message_type_strict(std::uint8_t id) {
    const auto info = type_info(id);
    if (!info || !info->has_codec) {
        return fail(Error::unknown_type, "type without a defined layout", 1);
    }
    return ok();
}

MessageType type_of(const Message& m) noexcept {
    struct Visitor {
        MessageType operator()(const RehandshakeRequest&) const { return MessageType::rehandshake_request; }
        MessageType operator()(const RehandshakeResponse&) const { return MessageType::rehandshake_response; }
        MessageType operator()(const RehandshakeComplete&) const { return MessageType::rehandshake_complete; }
        MessageType operator()(const CloseMsg&) const { return MessageType::close; }
        MessageType operator()(const ErrorMsg&) const { return MessageType::error; }
        MessageType operator()(const OtherMsg& o) const { return o.type; }
    };
    return std::visit(Visitor{}, m);
}

Result<Header> parse_header(ByteView bytes) {
    Reader r(bytes);
    Header h;
    SK_TRY(h.version, r.read_u8());
    SK_TRY(h.type, r.read_u8());
    SK_TRY(h.flags, r.read_u16be());
    SK_TRY(h.length, r.read_u32be());
    SK_CHECK(r.expect_done());
    return h;
}

Bytes serialize_header(const Header& h) {
    Writer w;
    w.put_u8(h.version);
    w.put_u8(h.type);
    w.put_u16be(h.flags);
    w.put_u32be(h.length);
    return std::move(w).take();
}

Result<RehandshakeRequest> parse_request(ByteView payload, Profile p, std::size_t base) {
    SK_CHECK(check_fixed(payload, kRequestSize, p, base));
    RehandshakeRequest m;
    const std::uint8_t* in = load_array(payload.data(), m.session_id);
    in = load_array(in, m.challenge);
    m.timestamp_ms = load_be(in, 8);
    return m;
}

Result<RehandshakeResponse> parse_response(ByteView payload, Profile p, std::size_t base) {
    SK_CHECK(check_fixed(payload, kResponseSize, p, base));
    RehandshakeResponse m;
    const std::uint8_t* in = load_array(payload.data(), m.session_id);
    in = load_array(in, m.challenge_response);
    in = load_array(in, m.challenge);
    m.timestamp_ms = load_be(in, 8);
    return m;
}

Result<RehandshakeComplete> parse_complete(ByteView payload, Profile p, std::size_t base) {
    SK_CHECK(check_fixed(payload, kCompleteSize, p, base));
    RehandshakeComplete m;
    const std::uint8_t* in = load_array(payload.data(), m.session_id);
    in = load_array(in, m.challenge_response);
    m.timestamp_ms = load_be(in, 8);
    return m;
}

Result<CloseMsg> parse_close(ByteView payload, std::size_t base) {
    Reader r(payload, base);
    CloseMsg m;
    SK_TRY(m.reason, r.read_u16be());
    SK_TRY(auto text, r.read_rest());
    m.text.assign(text.begin(), text.end());
    SK_CHECK(r.expect_done());
    return m;
}

Result<ErrorMsg> parse_error(ByteView payload, std::size_t base) {
    Reader r(payload, base);
    ErrorMsg m;
    SK_TRY(m.code, r.read_u16be());
    SK_TRY(auto text, r.read_rest());
    m.text.assign(text.begin(), text.end());
    SK_CHECK(r.expect_done());
    return m;
}

namespace {

void write_payload(Writer& w, const Message& m) {
    struct Visitor {
        Writer& w;
        void operator()(const RehandshakeRequest& x) const {
            w.put_bytes(x.session_id);
            w.put_bytes(x.challenge);
            w.put_u64be(x.timestamp_ms);
        }
        void operator()(const RehandshakeResponse& x) const {
            w.put_bytes(x.session_id);
            w.put_bytes(x.challenge_response);
            w.put_bytes(x.challenge);
            w.put_u64be(x.timestamp_ms);
        }
        void operator()(const RehandshakeComplete& x) const {
            w.put_bytes(x.session_id);
            w.put_bytes(x.challenge_response);
            w.put_u64be(x.timestamp_ms);
        }
        void operator()(const CloseMsg& x) const {
            w.put_u16be(x.reason);
            w.put_bytes(x.text);
        }
        void operator()(const ErrorMsg& x) const {
            w.put_u16be(x.code);
            w.put_bytes(x.text);
        }
        void operator()(const OtherMsg& x) const { w.put_bytes(x.payload); }
    };
    std::visit(Visitor{w}, m);
}

}  // namespace

Bytes serialize_payload(const Message& m) {
    Writer w;
    write_payload(w, m);
    return std::move(w).take();
}

namespace {

std::uint8_t* put_header(std::uint8_t* o, MessageType type, std::uint16_t flags, std::uint32_t length) {
    *o++ = kProtocolVersion;
    *o++ = static_cast<std::uint8_t>(type);
    o = store_be(o, flags, 2);
    return store_be(o, length, 4);
}

}  // namespace

void encode_frame_into(const RehandshakeRequest& m, std::span<std::uint8_t, kRequestFrameSize> out,
                       std::uint16_t flags) {
    std::uint8_t* o = put_header(out.data(), MessageType::rehandshake_request, flags, kRequestSize);
    o = store_array(o, m.session_id);
    o = store_array(o, m.challenge);
    store_be(o, m.timestamp_ms, 8);
}

void encode_frame_into(const RehandshakeResponse& m, std::span<std::uint8_t, kResponseFrameSize> out,
                       std::uint16_t flags) {
    std::uint8_t* o = put_header(out.data(), MessageType::rehandshake_response, flags, kResponseSize);
    o = store_array(o, m.session_id);
    o = store_array(o, m.challenge_response);
    o = store_array(o, m.challenge);
    store_be(o, m.timestamp_ms, 8);
}

void encode_frame_into(const RehandshakeComplete& m, std::span<std::uint8_t, kCompleteFrameSize> out,
                       std::uint16_t flags) {
    std::uint8_t* o = put_header(out.data(), MessageType::rehandshake_complete, flags, kCompleteSize);
    o = store_array(o, m.session_id);
    o = store_array(o, m.challenge_response);
    store_be(o, m.timestamp_ms, 8);
}

Bytes encode_frame(const Message& m, std::uint16_t flags) {
    // EncodeMessage: Length is always the real payload length. The re-handshake messages are
    // written in place into one buffer of their exact size.
    if (const auto* x = std::get_if<RehandshakeRequest>(&m)) {
        Bytes out(kRequestFrameSize);
        encode_frame_into(*x, std::span<std::uint8_t, kRequestFrameSize>(out), flags);
        return out;
    }
    if (const auto* x = std::get_if<RehandshakeResponse>(&m)) {
        Bytes out(kResponseFrameSize);
        encode_frame_into(*x, std::span<std::uint8_t, kResponseFrameSize>(out), flags);
        return out;
    }
    if (const auto* x = std::get_if<RehandshakeComplete>(&m)) {
        Bytes out(kCompleteFrameSize);
        encode_frame_into(*x, std::span<std::uint8_t, kCompleteFrameSize>(out), flags);
        return out;
    }
    Writer w;
    w.put_u8(kProtocolVersion);
    w.put_u8(static_cast<std::uint8_t>(type_of(m)));
    w.put_u16be(flags);
    const std::size_t length = w.begin_length(4);
    write_payload(w, m);
    w.end_length(length, 4);
    return std::move(w).take();
}

Result<Frame> decode_frame(ByteView wire, Profile p) {
    if (wire.size() < kHeaderSize) {
        return Failure{Error::truncated, wire.size(), "input ends inside a field"};
    }
    Header h;
    h.version = wire[0];
    h.type = wire[1];
    h.flags = static_cast<std::uint16_t>(load_be(wire.data() + 2, 2));
    h.length = static_cast<std::uint32_t>(load_be(wire.data() + 4, 4));
    if (h.version != kProtocolVersion) {
        return fail(Error::wrong_version, "version is not 1", 0);
    }
    if (h.length > kMaxMessageSize) {
        return fail(Error::oversize, "Length over MaxMessageSize", 4);
    }
    if (p == Profile::strict) {
        // Strict checks every header field before touching the payload (§2, V3-V5).
        if (const std::int8_t i = kRegistryIndex[h.type]; i < 0 || !kRegistry[static_cast<std::size_t>(i)].has_codec) {
            return fail(Error::unknown_type, "message type without a codec", 1);
        }
        if (h.flags != 0) {
            return fail(Error::bad_flags, "flags must be 0", 2);
        }
        if (const auto exact = exact_size(h.type); exact && h.length != *exact) {
            return fail(Error::bad_length, "Length is not the message's size", 4);
        }
    }
    const ByteView rest = wire.subspan(kHeaderSize);
    if (h.length > rest.size()) {
        return Failure{Error::truncated, wire.size(), "input ends inside a field"};
    }
    if (p == Profile::strict && rest.size() > h.length) {
        return Failure{Error::trailing_bytes, kHeaderSize + h.length, "bytes left after the message"};
    }
    // upstream: bytes after 8 + Length are ignored; Flags are never read.
    const ByteView payload = rest.first(h.length);
    switch (static_cast<MessageType>(h.type)) {
        case MessageType::rehandshake_request: {
            SK_TRY(const auto m, parse_request(payload, p));
            return Frame{h, Message{m}};
        }
        case MessageType::rehandshake_response: {
            SK_TRY(const auto m, parse_response(payload, p));
            return Frame{h, Message{m}};
        }
        case MessageType::rehandshake_complete: {
            SK_TRY(const auto m, parse_complete(payload, p));
            return Frame{h, Message{m}};
        }
        default: break;
    }
    SK_TRY(auto message, parse_other_payload(h.type, payload));
    return Frame{h, std::move(message)};
}

}  // namespace shakedown::shadowmesh
