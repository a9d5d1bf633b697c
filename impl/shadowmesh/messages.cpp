#include "shadowmesh/messages.hpp"

#include <array>

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

std::optional<std::uint32_t> exact_size(std::uint8_t type) {
    switch (static_cast<MessageType>(type)) {
        case MessageType::rehandshake_request: return kRequestSize;
        case MessageType::rehandshake_response: return kResponseSize;
        case MessageType::rehandshake_complete: return kCompleteSize;
        default: return std::nullopt;
    }
}

// strict: nothing may follow the fixed fields; upstream ignores whatever does.
Result<void> finish(const Reader& r, Profile p) {
    if (p == Profile::strict) {
        return r.expect_done();
    }
    return ok();
}

Result<Message> parse_payload(std::uint8_t type, ByteView payload, Profile p) {
    switch (static_cast<MessageType>(type)) {
        case MessageType::rehandshake_request: {
            SK_TRY(auto m, parse_request(payload, p));
            return Message{m};
        }
        case MessageType::rehandshake_response: {
            SK_TRY(auto m, parse_response(payload, p));
            return Message{m};
        }
        case MessageType::rehandshake_complete: {
            SK_TRY(auto m, parse_complete(payload, p));
            return Message{m};
        }
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
    for (const auto& info : kRegistry) {
        if (static_cast<std::uint8_t>(info.type) == id) {
            return info;
        }
    }
    return std::nullopt;
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
    Reader r(payload, base);
    RehandshakeRequest m;
    SK_TRY(m.session_id, r.read_array<kSessionIdSize>());
    SK_TRY(m.challenge, r.read_array<kChallengeSize>());
    SK_TRY(m.timestamp_ms, r.read_u64be());
    SK_CHECK(finish(r, p));
    return m;
}

Result<RehandshakeResponse> parse_response(ByteView payload, Profile p, std::size_t base) {
    Reader r(payload, base);
    RehandshakeResponse m;
    SK_TRY(m.session_id, r.read_array<kSessionIdSize>());
    SK_TRY(m.challenge_response, r.read_array<kMacSize>());
    SK_TRY(m.challenge, r.read_array<kChallengeSize>());
    SK_TRY(m.timestamp_ms, r.read_u64be());
    SK_CHECK(finish(r, p));
    return m;
}

Result<RehandshakeComplete> parse_complete(ByteView payload, Profile p, std::size_t base) {
    Reader r(payload, base);
    RehandshakeComplete m;
    SK_TRY(m.session_id, r.read_array<kSessionIdSize>());
    SK_TRY(m.challenge_response, r.read_array<kMacSize>());
    SK_TRY(m.timestamp_ms, r.read_u64be());
    SK_CHECK(finish(r, p));
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

Bytes encode_frame(const Message& m, std::uint16_t flags) {
    // EncodeMessage: Length is always the real payload length.
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
    Reader r(wire);
    Header h;
    SK_TRY(h.version, r.read_u8());
    SK_TRY(h.type, r.read_u8());
    SK_TRY(h.flags, r.read_u16be());
    SK_TRY(h.length, r.read_u32be());
    if (h.version != kProtocolVersion) {
        return fail(Error::wrong_version, "version is not 1", 0);
    }
    if (h.length > kMaxMessageSize) {
        return fail(Error::oversize, "Length over MaxMessageSize", 4);
    }
    if (p == Profile::strict) {
        // Strict checks every header field before touching the payload (§2, V3-V5).
        if (const auto info = type_info(h.type); !info || !info->has_codec) {
            return fail(Error::unknown_type, "message type without a codec", 1);
        }
        if (h.flags != 0) {
            return fail(Error::bad_flags, "flags must be 0", 2);
        }
        if (const auto exact = exact_size(h.type); exact && h.length != *exact) {
            return fail(Error::bad_length, "Length is not the message's size", 4);
        }
    }
    SK_TRY(auto payload, r.read_bytes(h.length));
    if (p == Profile::strict) {
        SK_CHECK(r.expect_done());
    }
    // upstream: bytes after 8 + Length are ignored; Flags are never read.
    SK_TRY(auto message, parse_payload(h.type, payload, p));
    return Frame{h, std::move(message)};
}

}  // namespace shakedown::shadowmesh
