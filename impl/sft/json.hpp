// The JSON subset SFT messages use, with Python's json module as the reference for the bytes
// (docs/protocols/sft.md §4.3): dumps() reproduces json.dumps(obj) and json.dumps(obj,
// sort_keys=True) exactly (separators ", " and ": ", ensure_ascii escaping), and parse() is a
// strict reader: valid UTF-8, no duplicate keys, no lone surrogates, no NaN/Infinity, integers
// within int64, bounded nesting, nothing after the value.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.hpp"
#include "common/result.hpp"

namespace shakedown::sft::json {

struct Member;

struct Value {
    enum class Kind : std::uint8_t { null, boolean, integer, floating, string, array, object };
    Kind kind = Kind::null;
    bool boolean = false;
    std::int64_t integer = 0;
    double floating = 0.0;
    std::string string;          // UTF-8
    std::vector<Value> array;
    std::vector<Member> object;  // insertion (wire) order

    // Out of line: Member is incomplete here, and vector<Member>'s members must not be
    // instantiated before it is complete.
    Value();
    ~Value();
    Value(const Value&);
    Value(Value&&) noexcept;
    Value& operator=(const Value&);
    Value& operator=(Value&&) noexcept;

    [[nodiscard]] static Value make_null();
    [[nodiscard]] static Value make_bool(bool b);
    [[nodiscard]] static Value make_int(std::int64_t i);
    [[nodiscard]] static Value make_string(std::string s);
    [[nodiscard]] static Value make_array(std::vector<Value> a);
    [[nodiscard]] static Value make_object(std::vector<Member> members);

    [[nodiscard]] bool is_object() const noexcept { return kind == Kind::object; }
    // The member's value, or nullptr.
    [[nodiscard]] const Value* find(std::string_view key) const;
    [[nodiscard]] Value* find(std::string_view key);
    // Appends (no duplicate check; the parser refuses duplicates on input).
    Value& set(std::string key, Value v);
    bool erase(std::string_view key);

    friend bool operator==(const Value& a, const Value& b);
};

struct Member {
    std::string key;
    Value value;
    friend bool operator==(const Member& a, const Member& b) { return a.key == b.key && a.value == b.value; }
};

inline constexpr std::size_t kMaxDepth = 32;

// Python json.dumps(v) (sort_keys=false) or json.dumps(v, sort_keys=True). Keys sort by code
// point, which is the byte order of their UTF-8.
[[nodiscard]] std::string dumps(const Value& v, bool sort_keys = false);
// dumps(), appended to out.
void dump_into(std::string& out, const Value& v, bool sort_keys);
// Python's ensure_ascii string escaping of one string, quotes included.
[[nodiscard]] std::string quote(std::string_view utf8);
// quote(), appended to out.
void quote_into(std::string& out, std::string_view utf8);
[[nodiscard]] bool valid_utf8(ByteView b) noexcept;

// Failures are decode_error (or trailing_bytes, bad_length for depth) at the byte offset.
[[nodiscard]] Result<Value> parse(ByteView text);

}  // namespace shakedown::sft::json
