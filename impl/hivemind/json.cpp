#include "hivemind/json.hpp"

#include <charconv>
#include <cstring>
#include <iterator>
#include <optional>

#include "common/json_text.hpp"

namespace shakedown::hivemind {

Json Json::null_value() { return Json{}; }

Json Json::boolean(bool v) {
    Json j;
    j.kind = Kind::boolean;
    j.b = v;
    return j;
}
Json Json::integer(std::int64_t v) {
    Json j;
    j.kind = Kind::integer;
    j.i = v;
    return j;
}
Json Json::string(std::string v) {
    Json j;
    j.kind = Kind::string;
    j.s = std::move(v);
    return j;
}
Json Json::array() { return array(std::vector<Json>{}); }

Json Json::array(std::vector<Json> v) {
    Json j;
    j.kind = Kind::array;
    j.items = std::move(v);
    return j;
}
Json Json::object() { return object(std::vector<JsonMember>{}); }

Json Json::object(std::vector<JsonMember> v) {
    Json j;
    j.kind = Kind::object;
    j.members = std::move(v);
    return j;
}

const Json* Json::find(std::string_view key) const {
    for (const auto& m : members) {
        if (m.key == key) {
            return &m.value;
        }
    }
    return nullptr;
}

void Json::set(std::string key, Json value) {
    for (auto& m : members) {
        if (m.key == key) {
            m.value = std::move(value);
            return;
        }
    }
    members.push_back(JsonMember{std::move(key), std::move(value), 0});
}

bool operator==(const Json& a, const Json& b) {
    if (a.kind != b.kind) {
        return false;
    }
    switch (a.kind) {
        case Json::Kind::null: return true;
        case Json::Kind::boolean: return a.b == b.b;
        case Json::Kind::integer: return a.i == b.i;
        case Json::Kind::string: return a.s == b.s;
        case Json::Kind::array: return a.items == b.items;
        case Json::Kind::object:
            if (a.members.size() != b.members.size()) {
                return false;
            }
            for (std::size_t k = 0; k < a.members.size(); ++k) {
                if (a.members[k].key != b.members[k].key || !(a.members[k].value == b.members[k].value)) {
                    return false;
                }
            }
            return true;
    }
    return false;
}

namespace {

// Length of the UTF-8 sequence starting at text[pos], or a failure at the first bad byte.
Result<std::size_t> utf8_sequence(ByteView text, std::size_t pos, std::size_t base) {
    const std::uint8_t c = text[pos];
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
        return std::size_t{1};
    }
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        cp = c & 0x1fu;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        cp = c & 0x0fu;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        cp = c & 0x07u;
    } else {
        return fail(Error::bad_utf8, "invalid UTF-8 lead byte", base + pos);
    }
    for (std::size_t k = 1; k < len; ++k) {
        if (pos + k >= text.size()) {
            return fail(Error::bad_utf8, "UTF-8 sequence cut short", base + pos + k);
        }
        const std::uint8_t cc = text[pos + k];
        if ((cc & 0xc0u) != 0x80u) {
            return fail(Error::bad_utf8, "invalid UTF-8 continuation byte", base + pos + k);
        }
        cp = (cp << 6) | (cc & 0x3fu);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10ffff) {
        return fail(Error::bad_utf8, "overlong or out-of-range UTF-8", base + pos);
    }
    if (cp >= 0xd800 && cp <= 0xdfff) {
        return fail(Error::bad_utf8, "UTF-8 encoded surrogate", base + pos);
    }
    return len;
}

void append_utf8(std::string& out, std::uint32_t cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xc0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xe0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else {
        out.push_back(static_cast<char>(0xf0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    }
}

class Parser {
public:
    Parser(ByteView text, const JsonLimits& limits) : m_text(text), m_limits(limits) {}

    Result<Json> document() {
        if (m_text.size() > m_limits.max_size) {
            return fail(Error::oversize, "JSON text larger than the limit", m_limits.max_size);
        }
        skip_ws();
        Json v;
        SK_CHECK(value(v, 0));
        skip_ws();
        if (m_pos != m_text.size()) {
            return fail(Error::trailing_bytes, "data after the JSON value", m_pos);
        }
        return v;
    }

private:
    // The first few non-empty containers of a document reserve room for this many members or
    // items (a HiveMessage has eight keys, a handshake payload up to nine, an encoding list seven);
    // later ones grow as they fill, so the memory reserved stays bounded whatever the input.
    static constexpr std::size_t kReserve = 10;
    static constexpr int kReservedContainers = 8;

    template <typename T>
    void reserve(std::vector<T>& v) {
        if (m_reserves_left > 0) {
            --m_reserves_left;
            v.reserve(kReserve);
        }
    }

    [[nodiscard]] bool at_end() const { return m_pos >= m_text.size(); }
    [[nodiscard]] int peek() const { return at_end() ? -1 : m_text[m_pos]; }
    void skip_ws() {
        if (m_pos < m_text.size()) {
            m_pos += whitespace_run(m_text.data() + m_pos, m_text.size() - m_pos);
        }
    }
    Failure unexpected(const char* what) const {
        return at_end() ? fail(Error::truncated, what, m_pos) : fail(Error::decode_error, what, m_pos);
    }

    // Parses one value into `out` (a default Json), in place.
    Result<void> value(Json& out, std::size_t depth) {
        out.offset = m_pos;
        const int c = peek();
        if (c == '{' || c == '[') {
            if (depth >= m_limits.max_depth) {
                return fail(Error::oversize, "JSON nesting deeper than the limit", m_pos);
            }
            return c == '{' ? object(out, depth + 1) : array(out, depth + 1);
        }
        if (c == '"') {
            out.kind = Json::Kind::string;
            return string(out.s);
        }
        if (c == '-' || (c >= '0' && c <= '9')) {
            return number(out);
        }
        if (c == 't') {
            SK_CHECK(literal("true"));
            out.kind = Json::Kind::boolean;
            out.b = true;
            return ok();
        }
        if (c == 'f') {
            SK_CHECK(literal("false"));
            out.kind = Json::Kind::boolean;
            return ok();
        }
        if (c == 'n') {
            return literal("null");
        }
        return unexpected("expected a JSON value");
    }

    Result<void> literal(std::string_view word) {
        for (const char ch : word) {
            if (peek() != static_cast<unsigned char>(ch)) {
                return unexpected("bad literal");
            }
            ++m_pos;
        }
        return ok();
    }

    Result<void> number(Json& out) {
        const std::size_t start = m_pos;
        if (peek() == '-') {
            ++m_pos;
        }
        if (peek() == '0') {
            ++m_pos;
        } else if (peek() >= '1' && peek() <= '9') {
            while (peek() >= '0' && peek() <= '9') {
                ++m_pos;
            }
        } else {
            return unexpected("expected a digit");
        }
        if (peek() == '.' || peek() == 'e' || peek() == 'E') {
            return fail(Error::wrong_type, "only integers are allowed", start);
        }
        std::int64_t v = 0;
        const auto* first = reinterpret_cast<const char*>(m_text.data()) + start;
        const auto* last = reinterpret_cast<const char*>(m_text.data()) + m_pos;
        const auto [p, ec] = std::from_chars(first, last, v);
        if (ec != std::errc{} || p != last) {
            return fail(Error::oversize, "integer outside int64", start);
        }
        out.kind = Json::Kind::integer;
        out.i = v;
        return ok();
    }

    Result<std::uint32_t> hex4() {
        std::uint32_t v = 0;
        for (int k = 0; k < 4; ++k) {
            const int c = peek();
            std::uint32_t d = 0;
            if (c >= '0' && c <= '9') {
                d = static_cast<std::uint32_t>(c - '0');
            } else if (c >= 'a' && c <= 'f') {
                d = static_cast<std::uint32_t>(c - 'a' + 10);
            } else if (c >= 'A' && c <= 'F') {
                d = static_cast<std::uint32_t>(c - 'A' + 10);
            } else {
                return unexpected("bad \\u escape");
            }
            v = (v << 4) | d;
            ++m_pos;
        }
        return v;
    }

    // Where the string whose escape starts at `from` ends (its closing quote), if it does.
    [[nodiscard]] std::optional<std::size_t> closing_quote(std::size_t from) const {
        const auto* base = reinterpret_cast<const char*>(m_text.data());
        std::size_t at = from;
        while (at < m_text.size()) {
            const void* q = std::memchr(base + at, '"', m_text.size() - at);
            if (q == nullptr) {
                return std::nullopt;
            }
            const auto pos = static_cast<std::size_t>(static_cast<const char*>(q) - base);
            std::size_t backslashes = 0;
            while (pos - backslashes > from && base[pos - backslashes - 1] == '\\') {
                ++backslashes;
            }
            if (backslashes % 2 == 0) {
                return pos;
            }
            at = pos + 1;
        }
        return std::nullopt;
    }

    // Appends the string's content to `out` (empty on entry).
    Result<void> string(std::string& out) {
        ++m_pos;  // opening quote
        bool sized = false;
        for (;;) {
            // A run of printable ASCII other than '"' and '\\' is copied as it stands.
            const std::size_t run = m_pos;
            m_pos += plain_run<PlainRun::ascii>(m_text.data() + m_pos, m_text.size() - m_pos);
            out.append(reinterpret_cast<const char*>(m_text.data()) + run, m_pos - run);
            if (at_end()) {
                return fail(Error::truncated, "unterminated string", m_pos);
            }
            const std::uint8_t c = m_text[m_pos];
            if (c == '"') {
                ++m_pos;
                return ok();
            }
            if (c < 0x20) {
                return fail(Error::decode_error, "control character in string", m_pos);
            }
            if (c == '\\') {
                // A string with escapes (a PEM's newlines) would grow piece by piece: room for the
                // rest at once, which its text up to the closing quote bounds.
                if (!sized) {
                    sized = true;
                    if (const auto end = closing_quote(m_pos)) {
                        out.reserve(out.size() + (*end - m_pos));
                    }
                }
                const std::size_t esc = m_pos;
                ++m_pos;
                const int e = peek();
                ++m_pos;
                switch (e) {
                    case '"': out.push_back('"'); break;
                    case '\\': out.push_back('\\'); break;
                    case '/': out.push_back('/'); break;
                    case 'b': out.push_back('\b'); break;
                    case 'f': out.push_back('\f'); break;
                    case 'n': out.push_back('\n'); break;
                    case 'r': out.push_back('\r'); break;
                    case 't': out.push_back('\t'); break;
                    case 'u': {
                        SK_TRY(std::uint32_t cp, hex4());
                        if (cp >= 0xdc00 && cp <= 0xdfff) {
                            return fail(Error::bad_utf8, "lone low surrogate", esc);
                        }
                        if (cp >= 0xd800 && cp <= 0xdbff) {
                            if (peek() != '\\' || m_pos + 1 >= m_text.size() || m_text[m_pos + 1] != 'u') {
                                return fail(Error::bad_utf8, "lone high surrogate", esc);
                            }
                            m_pos += 2;
                            SK_TRY(std::uint32_t lo, hex4());
                            if (lo < 0xdc00 || lo > 0xdfff) {
                                return fail(Error::bad_utf8, "lone high surrogate", esc);
                            }
                            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                        }
                        append_utf8(out, cp);
                        break;
                    }
                    case -1: return fail(Error::truncated, "string ends inside an escape", m_pos - 1);
                    default: return fail(Error::decode_error, "unknown escape", esc);
                }
                continue;
            }
            SK_TRY(std::size_t len, utf8_sequence(m_text, m_pos, 0));
            for (std::size_t k = 0; k < len; ++k) {
                out.push_back(static_cast<char>(m_text[m_pos + k]));
            }
            m_pos += len;
        }
    }

    Result<void> array(Json& out, std::size_t depth) {
        ++m_pos;
        out.kind = Json::Kind::array;
        skip_ws();
        if (peek() == ']') {
            ++m_pos;
            return ok();
        }
        reserve(out.items);
        for (;;) {
            skip_ws();
            SK_CHECK(value(out.items.emplace_back(), depth));
            skip_ws();
            if (peek() == ',') {
                ++m_pos;
                continue;
            }
            if (peek() == ']') {
                ++m_pos;
                return ok();
            }
            return unexpected("expected ',' or ']'");
        }
    }

    Result<void> object(Json& out, std::size_t depth) {
        ++m_pos;
        out.kind = Json::Kind::object;
        skip_ws();
        if (peek() == '}') {
            ++m_pos;
            return ok();
        }
        reserve(out.members);
        for (;;) {
            skip_ws();
            if (peek() != '"') {
                return unexpected("expected a key");
            }
            const std::size_t key_at = m_pos;
            JsonMember& member = out.members.emplace_back();
            member.key_offset = key_at;
            SK_CHECK(string(member.key));
            for (std::size_t k = 0; k + 1 < out.members.size(); ++k) {
                if (out.members[k].key == member.key) {
                    return fail(Error::duplicate_key, "duplicate key", key_at);
                }
            }
            skip_ws();
            if (peek() != ':') {
                return unexpected("expected ':'");
            }
            ++m_pos;
            skip_ws();
            SK_CHECK(value(member.value, depth));
            skip_ws();
            if (peek() == ',') {
                ++m_pos;
                continue;
            }
            if (peek() == '}') {
                ++m_pos;
                return ok();
            }
            return unexpected("expected ',' or '}'");
        }
    }

    ByteView m_text;
    JsonLimits m_limits;
    std::size_t m_pos = 0;
    int m_reserves_left = kReservedContainers;
};

// Python's json.dumps (ensure_ascii=False) writes every byte but the specials of
// plain_run<PlainRun::any_byte> as it stands.
void dump_string(std::string& out, std::string_view s) {
    static constexpr char kHex[] = "0123456789abcdef";
    out.push_back('"');
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(s.data());
    std::size_t run = 0;  // start of the pending run of plain bytes
    for (std::size_t k = 0; k < s.size(); ++k) {
        k += plain_run<PlainRun::any_byte>(bytes + k, s.size() - k);
        if (k == s.size()) {
            break;
        }
        const auto c = static_cast<unsigned char>(s[k]);
        out.append(s.substr(run, k - run));
        run = k + 1;
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            default:
                out += "\\u00";
                out.push_back(kHex[c >> 4]);
                out.push_back(kHex[c & 15]);
        }
    }
    out.append(s.substr(run));
    out.push_back('"');
}

void dump(std::string& out, const Json& v) {
    switch (v.kind) {
        case Json::Kind::null: out += "null"; return;
        case Json::Kind::boolean: out += v.b ? "true" : "false"; return;
        case Json::Kind::integer: {
            char digits[24];
            const auto r = std::to_chars(std::begin(digits), std::end(digits), v.i);
            out.append(digits, r.ptr);
            return;
        }
        case Json::Kind::string: dump_string(out, v.s); return;
        case Json::Kind::array:
            out.push_back('[');
            for (std::size_t k = 0; k < v.items.size(); ++k) {
                if (k != 0) {
                    out += ", ";
                }
                dump(out, v.items[k]);
            }
            out.push_back(']');
            return;
        case Json::Kind::object:
            out.push_back('{');
            for (std::size_t k = 0; k < v.members.size(); ++k) {
                if (k != 0) {
                    out += ", ";
                }
                dump_string(out, v.members[k].key);
                out += ": ";
                dump(out, v.members[k].value);
            }
            out.push_back('}');
            return;
    }
}

}  // namespace

Result<Json> parse_json(ByteView text, const JsonLimits& limits) { return Parser(text, limits).document(); }

std::string dump_json(const Json& value) {
    std::string out;
    dump(out, value);
    return out;
}

void append_json(std::string& out, const Json& value) { dump(out, value); }

void append_json_string(std::string& out, std::string_view s) { dump_string(out, s); }

Result<void> check_utf8(ByteView text, std::size_t base_offset) {
    std::size_t pos = 0;
    while (pos < text.size()) {
        SK_TRY(std::size_t len, utf8_sequence(text, pos, base_offset));
        pos += len;
    }
    return ok();
}

}  // namespace shakedown::hivemind
