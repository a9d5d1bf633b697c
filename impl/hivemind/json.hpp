// HiveMessage JSON: a strict reader and a writer byte-exact with Python's json.dumps defaults
// (separators ", " and ": ", ensure_ascii=False), the pinned upstream's serializer
// (docs/protocols/hivemind.md, "JSON text").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.hpp"
#include "common/result.hpp"

namespace shakedown::hivemind {

struct JsonMember;

// One JSON value. Numbers are integers only (the handshake carries no other kind; a fraction or
// exponent is Error::wrong_type). Objects keep their members in input order.
struct Json {
    enum class Kind : std::uint8_t { null, boolean, integer, string, array, object };
    Kind kind = Kind::null;
    bool b = false;
    std::int64_t i = 0;
    std::string s;                  // UTF-8
    std::vector<Json> items;        // array
    std::vector<JsonMember> members;  // object
    std::size_t offset = 0;         // where the value started in the parsed input

    static Json null_value();
    static Json boolean(bool v);
    static Json integer(std::int64_t v);
    static Json string(std::string v);
    // Out of line, without default arguments: JsonMember is incomplete inside this class.
    static Json array();
    static Json array(std::vector<Json> v);
    static Json object();
    static Json object(std::vector<JsonMember> v);

    [[nodiscard]] bool is_null() const noexcept { return kind == Kind::null; }
    [[nodiscard]] bool is_string() const noexcept { return kind == Kind::string; }
    [[nodiscard]] bool is_object() const noexcept { return kind == Kind::object; }
    [[nodiscard]] bool is_array() const noexcept { return kind == Kind::array; }
    [[nodiscard]] const Json* find(std::string_view key) const;
    void set(std::string key, Json value);  // replaces or appends, keeping order
};

struct JsonMember {
    std::string key;
    Json value;
    std::size_t key_offset = 0;
};

// Semantic equality (offsets ignored).
[[nodiscard]] bool operator==(const Json& a, const Json& b);

struct JsonLimits {
    std::size_t max_size = 1u << 20;  // bytes of text
    std::size_t max_depth = 32;       // nested arrays/objects
};

// RFC 8259 with these rules, each a typed error at the offending byte: invalid UTF-8 (raw or an
// escaped lone surrogate) bad_utf8; a repeated key duplicate_key; a fraction or exponent
// wrong_type; an integer outside int64 oversize; depth or size past the limits oversize;
// anything after the value trailing_bytes; end of input truncated; any other syntax decode_error.
[[nodiscard]] Result<Json> parse_json(ByteView text, const JsonLimits& limits = {});
[[nodiscard]] inline Result<Json> parse_json(std::string_view text, const JsonLimits& limits = {}) {
    return parse_json(as_bytes(text), limits);
}
// Python json.dumps(value, ensure_ascii=False) with default separators.
[[nodiscard]] std::string dump_json(const Json& value);
// dump_json(value) appended to `out`.
void append_json(std::string& out, const Json& value);
// A JSON string holding `s` (UTF-8), escaped as json.dumps escapes it, appended to `out`.
void append_json_string(std::string& out, std::string_view s);
// Validates UTF-8 (no surrogates, no overlongs, <= U+10FFFF); the offset of the first bad byte.
[[nodiscard]] Result<void> check_utf8(ByteView text, std::size_t base_offset = 0);

}  // namespace shakedown::hivemind
