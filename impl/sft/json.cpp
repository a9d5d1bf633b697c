#include "sft/json.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <utility>

#include "common/json_text.hpp"

namespace shakedown::sft::json {

Value::Value() = default;
Value::~Value() = default;
Value::Value(const Value&) = default;
Value::Value(Value&&) noexcept = default;
Value& Value::operator=(const Value&) = default;
Value& Value::operator=(Value&&) noexcept = default;

Value Value::make_null() { return Value{}; }
Value Value::make_bool(bool b) {
    Value v;
    v.kind = Kind::boolean;
    v.boolean = b;
    return v;
}
Value Value::make_int(std::int64_t i) {
    Value v;
    v.kind = Kind::integer;
    v.integer = i;
    return v;
}
Value Value::make_string(std::string s) {
    Value v;
    v.kind = Kind::string;
    v.string = std::move(s);
    return v;
}
Value Value::make_array(std::vector<Value> a) {
    Value v;
    v.kind = Kind::array;
    v.array = std::move(a);
    return v;
}
Value Value::make_object(std::vector<Member> members) {
    Value v;
    v.kind = Kind::object;
    v.object = std::move(members);
    return v;
}

const Value* Value::find(std::string_view key) const {
    for (const auto& m : object) {
        if (m.key == key) {
            return &m.value;
        }
    }
    return nullptr;
}

Value* Value::find(std::string_view key) {
    return const_cast<Value*>(std::as_const(*this).find(key));
}

Value& Value::set(std::string key, Value v) {
    if (object.empty()) {
        // Room for a payload's few members at once, not a doubling series from one.
        object.reserve(4);
    }
    object.push_back(Member{std::move(key), std::move(v)});
    return object.back().value;
}

bool Value::erase(std::string_view key) {
    const auto it = std::find_if(object.begin(), object.end(), [&](const Member& m) { return m.key == key; });
    if (it == object.end()) {
        return false;
    }
    object.erase(it);
    return true;
}

bool operator==(const Value& a, const Value& b) {
    if (a.kind != b.kind) {
        return false;
    }
    switch (a.kind) {
        case Value::Kind::null: return true;
        case Value::Kind::boolean: return a.boolean == b.boolean;
        case Value::Kind::integer: return a.integer == b.integer;
        case Value::Kind::floating: return a.floating == b.floating;
        case Value::Kind::string: return a.string == b.string;
        case Value::Kind::array: return a.array == b.array;
        case Value::Kind::object: return a.object == b.object;
    }
    return false;
}

namespace {

// Decodes one UTF-8 sequence at s[i]; returns the code point and advances i, or -1 when invalid
// (overlong, surrogate, above U+10FFFF, truncated).
std::int32_t decode_utf8(ByteView s, std::size_t& i) noexcept {
    const std::uint8_t c = s[i];
    if (c < 0x80) {
        ++i;
        return c;
    }
    std::size_t n = 0;
    std::uint32_t cp = 0;
    std::uint32_t min = 0;
    if ((c & 0xe0) == 0xc0) {
        n = 1;
        cp = c & 0x1fU;
        min = 0x80;
    } else if ((c & 0xf0) == 0xe0) {
        n = 2;
        cp = c & 0x0fU;
        min = 0x800;
    } else if ((c & 0xf8) == 0xf0) {
        n = 3;
        cp = c & 0x07U;
        min = 0x10000;
    } else {
        return -1;
    }
    if (s.size() - i <= n) {
        return -1;
    }
    for (std::size_t k = 1; k <= n; ++k) {
        const std::uint8_t cc = s[i + k];
        if ((cc & 0xc0) != 0x80) {
            return -1;
        }
        cp = (cp << 6) | (cc & 0x3fU);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
        return -1;
    }
    i += n + 1;
    return static_cast<std::int32_t>(cp);
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

void append_u_escape(std::string& out, std::uint32_t unit) {
    static constexpr char kHex[] = "0123456789abcdef";
    out += "\\u";
    out.push_back(kHex[(unit >> 12) & 0xf]);
    out.push_back(kHex[(unit >> 8) & 0xf]);
    out.push_back(kHex[(unit >> 4) & 0xf]);
    out.push_back(kHex[unit & 0xf]);
}

// Python's repr(float): the shortest round-trip digits, in positional form when the decimal
// exponent is in [-4, 16) (with ".0" when integral), else as d.ddde+XX.
std::string python_float_repr(double d) {
    if (d == 0) {
        return std::signbit(d) ? "-0.0" : "0.0";
    }
    char buf[64];
    const auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::scientific);
    std::string s(buf, r.ptr);
    const bool neg = s[0] == '-';
    if (neg) {
        s.erase(0, 1);
    }
    const auto epos = s.find('e');
    const int exp = std::stoi(s.substr(epos + 1));
    std::string digits;
    for (const char c : s.substr(0, epos)) {
        if (c != '.') {
            digits.push_back(c);
        }
    }
    std::string out;
    if (exp < -4 || exp >= 16) {
        out = digits.substr(0, 1);
        if (digits.size() > 1) {
            out += "." + digits.substr(1);
        }
        std::string e = std::to_string(exp < 0 ? -exp : exp);
        if (e.size() < 2) {
            e = "0" + e;
        }
        out += std::string("e") + (exp < 0 ? "-" : "+") + e;
    } else if (exp >= 0) {
        const auto int_len = static_cast<std::size_t>(exp) + 1;
        std::string ip = digits.substr(0, std::min(digits.size(), int_len));
        ip.resize(int_len, '0');
        out = ip + "." + (digits.size() > int_len ? digits.substr(int_len) : "0");
    } else {
        out = "0." + std::string(static_cast<std::size_t>(-exp - 1), '0') + digits;
    }
    return neg ? "-" + out : out;
}

}  // namespace

void dump_into(std::string& out, const Value& v, bool sort_keys) {
    switch (v.kind) {
        case Value::Kind::null: out += "null"; return;
        case Value::Kind::boolean: out += v.boolean ? "true" : "false"; return;
        case Value::Kind::integer: out += std::to_string(v.integer); return;
        case Value::Kind::floating: out += python_float_repr(v.floating); return;
        case Value::Kind::string: quote_into(out, v.string); return;
        case Value::Kind::array: {
            out.push_back('[');
            for (std::size_t i = 0; i < v.array.size(); ++i) {
                if (i != 0) {
                    out += ", ";
                }
                dump_into(out, v.array[i], sort_keys);
            }
            out.push_back(']');
            return;
        }
        case Value::Kind::object: {
            // Members in the order they are written. Messages have a handful, so the order is
            // kept on the stack and sorted by insertion (stable, as Python's sort is); larger
            // objects go to the heap.
            constexpr std::size_t kOnStack = 16;
            std::array<const Member*, kOnStack> small{};
            std::vector<const Member*> large;
            const Member** members = small.data();
            const std::size_t n = v.object.size();
            if (n > kOnStack) {
                large.resize(n);
                members = large.data();
            }
            for (std::size_t i = 0; i < n; ++i) {
                members[i] = &v.object[i];
            }
            if (sort_keys) {
                // UTF-8 byte order equals code-point order; Python sorts str by code point.
                const auto by_key = [](const Member* a, const Member* b) { return a->key < b->key; };
                if (n > kOnStack) {
                    std::stable_sort(members, members + n, by_key);
                } else {
                    for (std::size_t i = 1; i < n; ++i) {
                        const Member* m = members[i];
                        std::size_t j = i;
                        for (; j > 0 && by_key(m, members[j - 1]); --j) {
                            members[j] = members[j - 1];
                        }
                        members[j] = m;
                    }
                }
            }
            out.push_back('{');
            for (std::size_t i = 0; i < n; ++i) {
                if (i != 0) {
                    out += ", ";
                }
                quote_into(out, members[i]->key);
                out += ": ";
                dump_into(out, members[i]->value, sort_keys);
            }
            out.push_back('}');
            return;
        }
    }
}

namespace {

// Room reserved for an object's members when the first one is read: an SFT envelope has six.
constexpr std::size_t kObjectReserve = 8;

class Parser {
public:
    explicit Parser(ByteView s) : m_s(s) {}

    Result<Value> document() {
        skip_ws();
        Value v;
        SK_CHECK(value(v, 0));
        skip_ws();
        if (m_i != m_s.size()) {
            return Failure{Error::trailing_bytes, m_i, "data after the JSON value"};
        }
        return v;
    }

private:
    Failure bad(const char* what) const { return Failure{Error::decode_error, m_i, what}; }

    void skip_ws() {
        if (m_i < m_s.size()) {
            m_i += whitespace_run(m_s.data() + m_i, m_s.size() - m_i);
        }
    }

    bool literal(std::string_view word) {
        if (m_s.size() - m_i < word.size()) {
            return false;
        }
        for (std::size_t k = 0; k < word.size(); ++k) {
            if (m_s[m_i + k] != static_cast<std::uint8_t>(word[k])) {
                return false;
            }
        }
        m_i += word.size();
        return true;
    }

    // Each value is parsed into `out` (a default Value) where it will stay: no value is built
    // and then moved into its parent.
    Result<void> value(Value& out, std::size_t depth) {
        if (depth > kMaxDepth) {
            return Failure{Error::bad_length, m_i, "JSON nested too deeply"};
        }
        if (m_i >= m_s.size()) {
            return Failure{Error::truncated, m_i, "JSON ends before a value"};
        }
        const std::uint8_t c = m_s[m_i];
        if (c == '{') {
            return object(out, depth);
        }
        if (c == '[') {
            return array(out, depth);
        }
        if (c == '"') {
            out.kind = Value::Kind::string;
            return string(out.string);
        }
        if (c == '-' || (c >= '0' && c <= '9')) {
            return number(out);
        }
        if (literal("true")) {
            out.kind = Value::Kind::boolean;
            out.boolean = true;
            return ok();
        }
        if (literal("false")) {
            out.kind = Value::Kind::boolean;
            out.boolean = false;
            return ok();
        }
        if (literal("null")) {
            out.kind = Value::Kind::null;
            return ok();
        }
        // Python also reads NaN, Infinity and -Infinity; SFT never sends them.
        return bad("not a JSON value");
    }

    Result<void> object(Value& v, std::size_t depth) {
        ++m_i;
        v.kind = Value::Kind::object;
        skip_ws();
        if (m_i < m_s.size() && m_s[m_i] == '}') {
            ++m_i;
            return ok();
        }
        for (;;) {
            skip_ws();
            if (m_i >= m_s.size() || m_s[m_i] != '"') {
                return m_i >= m_s.size() ? Failure{Error::truncated, m_i, "JSON object not closed"}
                                         : bad("object key is not a string");
            }
            const std::size_t key_at = m_i;
            if (v.object.empty()) {
                // One allocation for a message-sized object instead of a doubling series.
                v.object.reserve(kObjectReserve);
            }
            Member& member = v.object.emplace_back();
            SK_CHECK(string(member.key));
            const auto earlier = v.object.end() - 1;
            if (std::any_of(v.object.begin(), earlier, [&](const Member& m) { return m.key == member.key; })) {
                // Python keeps the last duplicate; the message HMAC would then not cover what was
                // sent, so the reference refuses duplicates (docs/protocols/sft.md §4.3).
                return Failure{Error::decode_error, key_at, "duplicate object key"};
            }
            skip_ws();
            if (m_i >= m_s.size() || m_s[m_i] != ':') {
                return bad("expected ':'");
            }
            ++m_i;
            skip_ws();
            SK_CHECK(value(member.value, depth + 1));
            skip_ws();
            if (m_i >= m_s.size()) {
                return Failure{Error::truncated, m_i, "JSON object not closed"};
            }
            if (m_s[m_i] == ',') {
                ++m_i;
                continue;
            }
            if (m_s[m_i] == '}') {
                ++m_i;
                return ok();
            }
            return bad("expected ',' or '}'");
        }
    }

    Result<void> array(Value& v, std::size_t depth) {
        ++m_i;
        v.kind = Value::Kind::array;
        skip_ws();
        if (m_i < m_s.size() && m_s[m_i] == ']') {
            ++m_i;
            return ok();
        }
        for (;;) {
            skip_ws();
            SK_CHECK(value(v.array.emplace_back(), depth + 1));
            skip_ws();
            if (m_i >= m_s.size()) {
                return Failure{Error::truncated, m_i, "JSON array not closed"};
            }
            if (m_s[m_i] == ',') {
                ++m_i;
                continue;
            }
            if (m_s[m_i] == ']') {
                ++m_i;
                return ok();
            }
            return bad("expected ',' or ']'");
        }
    }

    Result<std::uint32_t> hex4() {
        if (m_s.size() - m_i < 4) {
            return Failure{Error::truncated, m_i, "\\u escape cut short"};
        }
        std::uint32_t u = 0;
        for (std::size_t k = 0; k < 4; ++k) {
            const std::uint8_t h = m_s[m_i + k];
            std::uint32_t d = 0;
            if (h >= '0' && h <= '9') {
                d = h - '0';
            } else if (h >= 'a' && h <= 'f') {
                d = h - 'a' + 10U;
            } else if (h >= 'A' && h <= 'F') {
                d = h - 'A' + 10U;
            } else {
                return Failure{Error::decode_error, m_i + k, "bad hex digit in \\u escape"};
            }
            u = (u << 4) | d;
        }
        m_i += 4;
        return u;
    }

    // Appends the string's content to `out` (empty on entry).
    Result<void> string(std::string& out) {
        ++m_i;  // opening quote
        for (;;) {
            if (m_i >= m_s.size()) {
                return Failure{Error::truncated, m_i, "JSON string not closed"};
            }
            const std::uint8_t c = m_s[m_i];
            if (c == '"') {
                ++m_i;
                return ok();
            }
            if (c < 0x20) {
                return bad("raw control character in a string");
            }
            if (c == '\\') {
                ++m_i;
                if (m_i >= m_s.size()) {
                    return Failure{Error::truncated, m_i, "escape cut short"};
                }
                const std::uint8_t e = m_s[m_i];
                ++m_i;
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
                        const std::size_t at = m_i - 2;
                        SK_TRY(std::uint32_t u, hex4());
                        if (u >= 0xdc00 && u <= 0xdfff) {
                            return Failure{Error::decode_error, at, "lone low surrogate"};
                        }
                        if (u >= 0xd800 && u <= 0xdbff) {
                            if (m_s.size() - m_i < 2 || m_s[m_i] != '\\' || m_s[m_i + 1] != 'u') {
                                return Failure{Error::decode_error, at, "lone high surrogate"};
                            }
                            m_i += 2;
                            SK_TRY(const std::uint32_t lo, hex4());
                            if (lo < 0xdc00 || lo > 0xdfff) {
                                return Failure{Error::decode_error, at, "high surrogate without a low one"};
                            }
                            u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
                        }
                        append_utf8(out, u);
                        break;
                    }
                    default: return Failure{Error::decode_error, m_i - 2, "unknown escape"};
                }
                continue;
            }
            const std::size_t start = m_i;
            if (c < 0x80) {
                // A run of ASCII other than '"', '\\' and control characters is copied whole.
                m_i += plain_run<PlainRun::ascii>(m_s.data() + m_i, m_s.size() - m_i);
            } else if (decode_utf8(m_s, m_i) < 0) {
                return Failure{Error::decode_error, start, "invalid UTF-8"};
            }
            out.append(reinterpret_cast<const char*>(m_s.data()) + start, m_i - start);
        }
    }

    Result<void> number(Value& v) {
        const std::size_t start = m_i;
        if (m_s[m_i] == '-') {
            ++m_i;
        }
        auto digit = [&](std::size_t k) { return k < m_s.size() && m_s[k] >= '0' && m_s[k] <= '9'; };
        if (!digit(m_i)) {
            return bad("digit expected");
        }
        if (m_s[m_i] == '0') {
            ++m_i;
        } else {
            while (digit(m_i)) {
                ++m_i;
            }
        }
        bool is_float = false;
        if (m_i < m_s.size() && m_s[m_i] == '.') {
            ++m_i;
            if (!digit(m_i)) {
                return bad("digit expected after '.'");
            }
            while (digit(m_i)) {
                ++m_i;
            }
            is_float = true;
        }
        if (m_i < m_s.size() && (m_s[m_i] == 'e' || m_s[m_i] == 'E')) {
            ++m_i;
            if (m_i < m_s.size() && (m_s[m_i] == '+' || m_s[m_i] == '-')) {
                ++m_i;
            }
            if (!digit(m_i)) {
                return bad("digit expected in exponent");
            }
            while (digit(m_i)) {
                ++m_i;
            }
            is_float = true;
        }
        const char* first = reinterpret_cast<const char*>(m_s.data()) + start;
        const char* last = reinterpret_cast<const char*>(m_s.data()) + m_i;
        if (is_float) {
            v.kind = Value::Kind::floating;
            const auto r = std::from_chars(first, last, v.floating);
            if (r.ec != std::errc{} || !std::isfinite(v.floating)) {
                return Failure{Error::decode_error, start, "number out of range"};
            }
            return ok();
        }
        v.kind = Value::Kind::integer;
        const auto r = std::from_chars(first, last, v.integer);
        if (r.ec != std::errc{}) {
            return Failure{Error::decode_error, start, "integer outside int64"};
        }
        return ok();
    }

    ByteView m_s;
    std::size_t m_i = 0;
};

}  // namespace

std::string quote(std::string_view utf8) {
    std::string out;
    out.reserve(utf8.size() + 2);
    quote_into(out, utf8);
    return out;
}

void quote_into(std::string& out, std::string_view utf8) {
    out.push_back('"');
    const ByteView s = as_bytes(utf8);
    std::size_t i = 0;
    while (i < s.size()) {
        // A run of printable ASCII other than '"' and '\\' is copied as it stands.
        const std::size_t run = i + plain_run<PlainRun::printable>(s.data() + i, s.size() - i);
        if (run > i) {
            out.append(reinterpret_cast<const char*>(s.data()) + i, run - i);
            i = run;
            continue;
        }
        const std::size_t at = i;
        std::int32_t cp = decode_utf8(s, i);
        if (cp < 0) {
            // Only reachable for strings the parser did not produce; escape the byte as Latin-1.
            cp = s[at];
            i = at + 1;
        }
        const auto u = static_cast<std::uint32_t>(cp);
        switch (u) {
            case '"': out += "\\\""; continue;
            case '\\': out += "\\\\"; continue;
            case '\n': out += "\\n"; continue;
            case '\r': out += "\\r"; continue;
            case '\t': out += "\\t"; continue;
            case '\b': out += "\\b"; continue;
            case '\f': out += "\\f"; continue;
            default: break;
        }
        if (u >= 0x20 && u <= 0x7e) {
            out.push_back(static_cast<char>(u));
        } else if (u < 0x10000) {
            append_u_escape(out, u);
        } else {
            const std::uint32_t v = u - 0x10000;
            append_u_escape(out, 0xd800 | (v >> 10));
            append_u_escape(out, 0xdc00 | (v & 0x3ff));
        }
    }
    out.push_back('"');
}

std::string dumps(const Value& v, bool sort_keys) {
    std::string out;
    dump_into(out, v, sort_keys);
    return out;
}

bool valid_utf8(ByteView b) noexcept {
    std::size_t i = 0;
    while (i < b.size()) {
        i += ascii_run(b.data() + i, b.size() - i);
        if (i < b.size() && decode_utf8(b, i) < 0) {
            return false;
        }
    }
    return true;
}

Result<Value> parse(ByteView text) {
    Parser p(text);
    return p.document();
}

}  // namespace shakedown::sft::json
