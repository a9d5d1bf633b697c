#include "sft/message.hpp"

#include <array>
#include <cstdio>

#include "common/crypto.hpp"
#include "common/ct.hpp"
#include "sft/profile.hpp"

namespace shakedown::sft {

namespace {

constexpr std::array<std::string_view, kMsgTypeCount> kTypeNames = {
    "key_rotation",  "ping",     "pong",         "auth",         "file_header", "file_resume_ack", "file_complete",
    "file_ack", "list_files_request", "list_files_response", "download_file_request"};

using json::Value;

// Howard Hinnant's civil-date conversions (proleptic Gregorian).
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
    y -= m <= 2 ? 1 : 0;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const auto yoe = static_cast<unsigned>(y - era * 400);
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

void civil_from_days(std::int64_t z, std::int64_t& y, unsigned& m, unsigned& d) {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const auto doe = static_cast<unsigned>(z - era * 146097);
    const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = static_cast<std::int64_t>(yoe) + era * 400;
    const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const unsigned mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2 ? 1 : 0;
}

std::string format_civil(std::int64_t secs) {
    std::int64_t days = secs / 86400;
    std::int64_t rem = secs % 86400;
    if (rem < 0) {
        rem += 86400;
        --days;
    }
    std::int64_t y = 0;
    unsigned m = 0;
    unsigned d = 0;
    civil_from_days(days, y, m, d);
    if (y < 0 || y > 9999) {
        char buf[48];
        std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld", static_cast<long long>(y), m, d,
                      static_cast<long long>(rem / 3600), static_cast<long long>((rem / 60) % 60),
                      static_cast<long long>(rem % 60));
        return buf;
    }
    // YYYY-MM-DDTHH:MM:SS, digit by digit (every message carries one).
    std::string out = "0000-00-00T00:00:00";
    const auto put = [&out](std::size_t at, std::size_t width, std::int64_t v) {
        for (std::size_t k = width; k-- > 0; v /= 10) {
            out[at + k] = static_cast<char>('0' + v % 10);
        }
    };
    put(0, 4, y);
    put(5, 2, m);
    put(8, 2, d);
    put(11, 2, rem / 3600);
    put(14, 2, (rem / 60) % 60);
    put(17, 2, rem % 60);
    return out;
}

Failure schema(const char* what) { return Failure{Error::decode_error, kNoOffset, what}; }

Result<std::string> get_string(const Value& obj, std::string_view key) {
    const Value* v = obj.find(key);
    if (v == nullptr || v->kind != Value::Kind::string) {
        return schema("payload string field missing or not a string");
    }
    return v->string;
}

Result<std::int64_t> get_size(const Value& obj, std::string_view key) {
    const Value* v = obj.find(key);
    if (v == nullptr || v->kind != Value::Kind::integer) {
        return schema("payload integer field missing or not an integer");
    }
    if (v->integer < 0) {
        return Failure{Error::bad_length, kNoOffset, "negative size or offset"};
    }
    return v->integer;
}

// Only the listed keys may appear.
Result<void> only_keys(const Value& obj, std::initializer_list<std::string_view> allowed) {
    if (!obj.is_object()) {
        return schema("payload is not an object");
    }
    for (const auto& m : obj.object) {
        bool known = false;
        for (const auto k : allowed) {
            known = known || m.key == k;
        }
        if (!known) {
            return schema("unknown payload key");
        }
    }
    return ok();
}

bool lower_hex64(std::string_view s) {
    if (s.size() != 64) {
        return false;
    }
    for (const char c : s) {
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return false;
        }
    }
    return true;
}

}  // namespace

std::string_view to_string(MsgType t) noexcept {
    const auto i = static_cast<std::size_t>(t);
    return i < kTypeNames.size() ? kTypeNames[i] : std::string_view{"unknown"};
}

std::optional<MsgType> msg_type_from_string(std::string_view s) noexcept {
    for (std::size_t i = 0; i < kTypeNames.size(); ++i) {
        if (kTypeNames[i] == s) {
            return static_cast<MsgType>(i);
        }
    }
    return std::nullopt;
}

Value to_json(const Message& m, bool with_signature) {
    Value v = Value::make_object({});
    v.set("type", Value::make_string(std::string(to_string(m.type))));
    v.set("version", Value::make_string(m.version));
    v.set("timestamp", Value::make_string(m.timestamp));
    v.set("payload", m.payload);
    Value seq = Value::make_int(m.seq);
    if (m.seq_is_float) {
        seq.kind = Value::Kind::floating;
        seq.floating = static_cast<double>(m.seq);
    }
    v.set("seq", seq);
    if (with_signature && m.signature) {
        v.set("signature", Value::make_string(*m.signature));
    }
    return v;
}

namespace {

// The envelope's seq as to_json() holds it.
void dump_seq(std::string& out, const Message& m) {
    Value seq = Value::make_int(m.seq);
    if (m.seq_is_float) {
        seq.kind = Value::Kind::floating;
        seq.floating = static_cast<double>(m.seq);
    }
    json::dump_into(out, seq, false);
}

std::size_t envelope_room(const Message& m) {
    constexpr std::size_t kKeysAndSeparators = 96;
    constexpr std::size_t kPayloadGuess = 256;
    return kKeysAndSeparators + m.version.size() + m.timestamp.size() + kPayloadGuess +
           (m.signature ? m.signature->size() : 0);
}

}  // namespace

// Both are json::dumps of to_json(m), written without building the envelope's Value.
std::string wire_json(const Message& m) {
    std::string out;
    wire_json_into(out, m);
    return out;
}

void wire_json_into(std::string& out, const Message& m) {
    out.clear();
    out.reserve(envelope_room(m));
    out += "{\"type\": ";
    json::quote_into(out, to_string(m.type));
    out += ", \"version\": ";
    json::quote_into(out, m.version);
    out += ", \"timestamp\": ";
    json::quote_into(out, m.timestamp);
    out += ", \"payload\": ";
    json::dump_into(out, m.payload, false);
    out += ", \"seq\": ";
    dump_seq(out, m);
    if (m.signature) {
        out += ", \"signature\": ";
        json::quote_into(out, *m.signature);
    }
    out.push_back('}');
}

std::string hmac_input(const Message& m) {
    std::string out;
    hmac_input_into(out, m);
    return out;
}

void hmac_input_into(std::string& out, const Message& m) {
    // sort_keys=True: payload < seq < timestamp < type < version.
    out.clear();
    out.reserve(envelope_room(m));
    out += "{\"payload\": ";
    json::dump_into(out, m.payload, true);
    out += ", \"seq\": ";
    dump_seq(out, m);
    out += ", \"timestamp\": ";
    json::quote_into(out, m.timestamp);
    out += ", \"type\": ";
    json::quote_into(out, to_string(m.type));
    out += ", \"version\": ";
    json::quote_into(out, m.version);
    out.push_back('}');
}

namespace {
// The tag over J, written into a buffer each thread keeps (a message's text, nothing secret), so
// signing and checking allocate nothing for it once the buffer has grown to the messages' size.
crypto::Digest message_tag(const Message& m, ByteView hmac_key) {
    thread_local std::string text;
    hmac_input_into(text, m);
    return crypto::hmac_sha256(hmac_key, as_bytes(text));
}
}  // namespace

std::string compute_signature(const Message& m, ByteView hmac_key) {
    return to_hex(message_tag(m, hmac_key));
}

void sign(Message& m, ByteView hmac_key) {
    m.signature = compute_signature(m, hmac_key);
    // The signature is sent (and JSON-escaped on the way, which branches on every character).
    ct::declassify(m.signature->data(), m.signature->size());
}

Result<Message> parse_message(ByteView plaintext, const EnvelopeOptions& opts) {
    if (!json::valid_utf8(plaintext)) {
        return Failure{Error::decode_error, 0, "J3: plaintext is not UTF-8"};
    }
    SK_TRY(Value v, json::parse(plaintext));
    if (!v.is_object()) {
        return Failure{Error::decode_error, 0, "J3: message is not an object"};
    }
    for (const auto& mem : v.object) {
        if (mem.key != "type" && mem.key != "version" && mem.key != "timestamp" && mem.key != "payload" &&
            mem.key != "seq" && mem.key != "signature") {
            return schema("J3: unknown envelope key");
        }
    }
    Message m;
    const Value* type = v.find("type");
    if (type == nullptr || type->kind != Value::Kind::string) {
        return schema("J3: type missing or not a string");
    }
    const auto t = msg_type_from_string(type->string);
    if (!t) {
        return Failure{Error::unknown_type, kNoOffset, "J3: type not one of the eleven"};
    }
    m.type = *t;
    // The parsed document is dropped afterwards, so its strings and payload move out of it.
    Value* version = v.find("version");
    if (version == nullptr || version->kind != Value::Kind::string) {
        return schema("J3: version missing or not a string");
    }
    m.version = std::move(version->string);
    Value* ts = v.find("timestamp");
    if (ts == nullptr || ts->kind != Value::Kind::string) {
        return schema("J3: timestamp missing or not a string");
    }
    m.timestamp = std::move(ts->string);
    Value* payload = v.find("payload");
    if (payload == nullptr || !payload->is_object()) {
        return schema("J3: payload missing or not an object");
    }
    m.payload = std::move(*payload);
    const Value* seq = v.find("seq");
    if (seq == nullptr) {
        return schema("J3: seq missing");
    }
    if (seq->kind == Value::Kind::integer) {
        m.seq = seq->integer;
    } else if (seq->kind == Value::Kind::floating && seq->floating > -1e15 && seq->floating < 1e15 &&
               seq->floating == static_cast<double>(static_cast<std::int64_t>(seq->floating))) {
        // jsonschema's "integer" admits 1.0; the reference does not (docs/protocols/sft.md §6).
        if (!opts.accept_float_seq) {
            return Failure{Error::bad_sequence, kNoOffset, "J3: seq is a float"};
        }
        m.seq = static_cast<std::int64_t>(seq->floating);
        m.seq_is_float = true;
    } else {
        return schema("J3: seq is not an integer");
    }
    if (Value* sig = v.find("signature"); sig != nullptr) {
        if (sig->kind != Value::Kind::string) {
            return schema("J3: signature is not a string");
        }
        m.signature = std::move(sig->string);
    }
    return m;
}

Result<void> check_signature(const Message& m, ByteView hmac_key, bool allow_absent) {
    if (!m.signature) {
        if (allow_absent) {
            return ok();
        }
        return Failure{Error::bad_mac, kNoOffset, "J5: signature missing"};
    }
    if (!lower_hex64(*m.signature)) {
        return Failure{Error::decode_error, kNoOffset, "J5: signature is not 64 lowercase hex digits"};
    }
    // The tag against the signature's bytes (64 lowercase hex digits, checked above).
    const crypto::Digest expected = message_tag(m, hmac_key);
    crypto::Digest claimed{};
    (void)from_hex_into(*m.signature, claimed);  // 64 lowercase hex digits: cannot fail
    // Accept or reject is public (the message is dropped); the comparison itself is not.
    if (!ct::declassified(ct_equal(ByteView(expected), ByteView(claimed)))) {
        return Failure{Error::bad_mac, kNoOffset, "J5: HMAC mismatch"};
    }
    return ok();
}

std::string format_local_timestamp(std::int64_t unix_seconds, std::int64_t utc_offset_seconds) {
    // Whole seconds: Python's isoformat() leaves the microseconds out when they are 0.
    return format_civil(unix_seconds + utc_offset_seconds);
}

std::string format_utc_timestamp(std::int64_t unix_seconds) { return format_civil(unix_seconds) + "Z"; }

Result<std::int64_t> parse_naive_timestamp(std::string_view s) {
    const auto bad = [](const char* what) { return Failure{Error::decode_error, kNoOffset, what}; };
    if (s.size() != 19 && s.size() != 26) {
        return bad("J6: timestamp is not YYYY-MM-DDTHH:MM:SS[.ffffff] (a zone is refused)");
    }
    auto digits = [&](std::size_t at, std::size_t n, std::int64_t& out) {
        out = 0;
        for (std::size_t k = 0; k < n; ++k) {
            const char c = s[at + k];
            if (c < '0' || c > '9') {
                return false;
            }
            out = out * 10 + (c - '0');
        }
        return true;
    };
    std::int64_t y = 0, mo = 0, d = 0, h = 0, mi = 0, se = 0, us = 0;
    if (!digits(0, 4, y) || s[4] != '-' || !digits(5, 2, mo) || s[7] != '-' || !digits(8, 2, d) || s[10] != 'T' ||
        !digits(11, 2, h) || s[13] != ':' || !digits(14, 2, mi) || s[16] != ':' || !digits(17, 2, se)) {
        return bad("J6: timestamp is not YYYY-MM-DDTHH:MM:SS");
    }
    if (s.size() == 26 && (s[19] != '.' || !digits(20, 6, us))) {
        return bad("J6: fraction is not .ffffff");
    }
    static constexpr std::array<int, 12> kDays = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (y < 1 || mo < 1 || mo > 12 || d < 1 || d > kDays[static_cast<std::size_t>(mo - 1)] ||
        (mo == 2 && d == 29 && !leap) || h > 23 || mi > 59 || se > 59) {
        return bad("J6: date or time out of range");
    }
    const std::int64_t days = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
    return ((days * 86400 + h * 3600 + mi * 60 + se) * 1000000) + us;
}

Result<void> check_timestamp(std::string_view ts, std::int64_t now_unix, std::int64_t utc_offset_seconds) {
    SK_TRY(const std::int64_t t, parse_naive_timestamp(ts));
    const std::int64_t now = (now_unix + utc_offset_seconds) * 1000000;
    const std::int64_t window = kTimestampSkewSeconds * 1000000;
    if (t < now - window) {
        return Failure{Error::stale_timestamp, kNoOffset, "J6: timestamp more than 300 s in the past"};
    }
    if (t > now + window) {
        return Failure{Error::future_timestamp, kNoOffset, "J6: timestamp more than 300 s in the future"};
    }
    return ok();
}

Value to_json(const FileHeader& p) {
    Value v = Value::make_object({});
    v.set("filename", Value::make_string(p.filename));
    v.set("total_size", Value::make_int(p.total_size));
    v.set("hash", Value::make_string(p.hash));
    v.set("timestamp", Value::make_string(p.timestamp));
    return v;
}

Value to_json(const FileResumeAck& p) {
    Value v = Value::make_object({});
    v.set("filename", Value::make_string(p.filename));
    v.set("offset", Value::make_int(p.offset));
    return v;
}

Value to_json(const FileComplete& p) {
    Value v = Value::make_object({});
    v.set("filename", Value::make_string(p.filename));
    if (p.total_size) {
        v.set("total_size", Value::make_int(*p.total_size));
    }
    if (p.error) {
        v.set("error", Value::make_string(*p.error));
    }
    return v;
}

Value to_json(const FileAck& p) {
    Value v = Value::make_object({});
    if (p.filename) {
        v.set("filename", Value::make_string(*p.filename));
    }
    if (p.error) {
        v.set("error", Value::make_string(*p.error));
    }
    return v;
}

Value to_json(const ListFilesResponse& p) {
    Value v = Value::make_object({});
    std::vector<Value> files;
    for (const auto& f : p.files) {
        Value e = Value::make_object({});
        e.set("name", Value::make_string(f.name));
        e.set("size", Value::make_int(f.size));
        files.push_back(std::move(e));
    }
    v.set("files", Value::make_array(std::move(files)));
    if (p.error) {
        v.set("error", Value::make_string(*p.error));
    }
    return v;
}

Value to_json(const DownloadFileRequest& p) {
    Value v = Value::make_object({});
    v.set("filename", Value::make_string(p.filename));
    return v;
}

Result<FileHeader> parse_file_header(const Value& v) {
    SK_CHECK(only_keys(v, {"filename", "total_size", "hash", "timestamp"}));
    FileHeader p;
    SK_TRY(p.filename, get_string(v, "filename"));
    SK_TRY(p.total_size, get_size(v, "total_size"));
    SK_TRY(p.hash, get_string(v, "hash"));
    SK_TRY(p.timestamp, get_string(v, "timestamp"));
    if (!lower_hex64(p.hash)) {
        return schema("file_header hash is not 64 lowercase hex digits");
    }
    return p;
}

Result<FileResumeAck> parse_file_resume_ack(const Value& v) {
    SK_CHECK(only_keys(v, {"filename", "offset"}));
    FileResumeAck p;
    SK_TRY(p.filename, get_string(v, "filename"));
    SK_TRY(p.offset, get_size(v, "offset"));
    return p;
}

Result<FileComplete> parse_file_complete(const Value& v) {
    SK_CHECK(only_keys(v, {"filename", "total_size", "error"}));
    FileComplete p;
    SK_TRY(p.filename, get_string(v, "filename"));
    const bool has_size = v.find("total_size") != nullptr;
    const bool has_error = v.find("error") != nullptr;
    if (has_size == has_error) {
        return schema("file_complete needs exactly one of total_size and error");
    }
    if (has_size) {
        SK_TRY(const std::int64_t n, get_size(v, "total_size"));
        p.total_size = n;
    } else {
        SK_TRY(std::string e, get_string(v, "error"));
        p.error = std::move(e);
    }
    return p;
}

Result<FileAck> parse_file_ack(const Value& v) {
    SK_CHECK(only_keys(v, {"filename", "error"}));
    FileAck p;
    if (v.find("filename") != nullptr) {
        SK_TRY(std::string f, get_string(v, "filename"));
        p.filename = std::move(f);
    }
    if (v.find("error") != nullptr) {
        SK_TRY(std::string e, get_string(v, "error"));
        p.error = std::move(e);
    }
    if (!p.filename && !p.error) {
        return schema("file_ack without filename or error");
    }
    return p;
}

Result<ListFilesResponse> parse_list_files_response(const Value& v) {
    SK_CHECK(only_keys(v, {"files", "error"}));
    ListFilesResponse p;
    const Value* files = v.find("files");
    if (files == nullptr || files->kind != Value::Kind::array) {
        return schema("list_files_response files missing or not a list");
    }
    for (const auto& f : files->array) {
        SK_CHECK(only_keys(f, {"name", "size"}));
        FileEntry e;
        SK_TRY(e.name, get_string(f, "name"));
        SK_TRY(e.size, get_size(f, "size"));
        p.files.push_back(std::move(e));
    }
    if (v.find("error") != nullptr) {
        SK_TRY(std::string e, get_string(v, "error"));
        p.error = std::move(e);
    }
    return p;
}

Result<DownloadFileRequest> parse_download_file_request(const Value& v) {
    SK_CHECK(only_keys(v, {"filename"}));
    DownloadFileRequest p;
    SK_TRY(p.filename, get_string(v, "filename"));
    return p;
}

Result<void> parse_empty_payload(const Value& v) { return only_keys(v, {}); }

Result<void> check_payload(MsgType t, const Value& v) {
    switch (t) {
        case MsgType::key_rotation:
        case MsgType::auth: return v.is_object() ? ok() : Result<void>(schema("payload is not an object"));
        case MsgType::ping:
        case MsgType::pong:
        case MsgType::list_files_request: return parse_empty_payload(v);
        case MsgType::file_header: SK_CHECK(parse_file_header(v)); return ok();
        case MsgType::file_resume_ack: SK_CHECK(parse_file_resume_ack(v)); return ok();
        case MsgType::file_complete: SK_CHECK(parse_file_complete(v)); return ok();
        case MsgType::file_ack: SK_CHECK(parse_file_ack(v)); return ok();
        case MsgType::list_files_response: SK_CHECK(parse_list_files_response(v)); return ok();
        case MsgType::download_file_request: SK_CHECK(parse_download_file_request(v)); return ok();
    }
    return schema("unknown type");
}

}  // namespace shakedown::sft
