// STT TLV: the self-describing, big-endian value encoding every STT handshake message uses
// (docs/protocols/stt.md, "TLV encoding"). The encoder is canonical (smallest integer width, dict
// keys sorted by code point); the strict decoder accepts exactly the canonical encoding within
// stated bounds. The upstream decoder's leniencies are opt-in through TlvLeniency, for bug knobs.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/bytes.hpp"
#include "common/result.hpp"

namespace shakedown::stt {

namespace tag {
inline constexpr std::uint8_t kNull = 0x00;
inline constexpr std::uint8_t kFalse = 0x01;
inline constexpr std::uint8_t kTrue = 0x02;
inline constexpr std::uint8_t kInt8 = 0x10;
inline constexpr std::uint8_t kInt16 = 0x11;
inline constexpr std::uint8_t kInt32 = 0x12;
inline constexpr std::uint8_t kInt64 = 0x13;
// 0x14..0x17 (UINT8..UINT64) and 0x20 (FLOAT32) are declared upstream but never decodable.
inline constexpr std::uint8_t kUint8 = 0x14;
inline constexpr std::uint8_t kUint64 = 0x17;
inline constexpr std::uint8_t kFloat32 = 0x20;
inline constexpr std::uint8_t kFloat64 = 0x21;
inline constexpr std::uint8_t kBytes = 0x30;
inline constexpr std::uint8_t kString = 0x31;
inline constexpr std::uint8_t kList = 0x40;
inline constexpr std::uint8_t kDict = 0x41;
}  // namespace tag

struct Value;
struct Value {
    enum class Kind : std::uint8_t { null, boolean, integer, float64, bytes, string, list, dict };

    Kind kind = Kind::null;
    bool boolean = false;
    std::int64_t integer = 0;
    std::uint64_t float_bits = 0;  // IEEE-754 bits, so NaN payloads round-trip and compare
    Bytes data;                    // BYTES payload, or STRING as UTF-8
    std::vector<Value> items;      // LIST items, or DICT values (each with its key)
    std::string key;               // the DICT key of this value when it is a dict entry
    // Offset of this value's tag in the decoded input (kNoOffset for built values).
    std::size_t offset = kNoOffset;

    [[nodiscard]] static Value null();
    [[nodiscard]] static Value boolean_value(bool b);
    [[nodiscard]] static Value int_value(std::int64_t v);
    [[nodiscard]] static Value float_value(double v);
    [[nodiscard]] static Value bytes_value(ByteView b);
    [[nodiscard]] static Value string_value(std::string_view s);
    [[nodiscard]] static Value list(std::vector<Value> items);
    // Entries in any order; encode() sorts them.
    [[nodiscard]] static Value dict(std::vector<std::pair<std::string, Value>> entries);

    [[nodiscard]] std::string_view str() const {
        return {reinterpret_cast<const char*>(data.data()), data.size()};
    }
    // Dict lookup (first match); nullptr when absent or not a dict.
    [[nodiscard]] const Value* find(std::string_view k) const;

    // Structural equality, ignoring offsets.
    friend bool operator==(const Value& a, const Value& b);
};

// Canonical encoding. Fails with invalid_argument for a STRING or key that is not valid UTF-8,
// duplicate dict keys, or a container with more than 2^32-1 entries.
[[nodiscard]] Result<Bytes> encode(const Value& v);

struct TlvLimits {
    std::size_t max_depth = 8;       // containers nested inside the outermost value
    std::size_t max_count = 1024;    // entries of one LIST or DICT
    std::size_t max_size = 65536;    // whole input
};

// The upstream decoder's leniencies (docs/protocols/stt.md, "Bug knobs"). All off in the reference.
struct TlvLeniency {
    bool ignore_trailing_bytes = false;  // bytes after the outermost value are dropped
    bool truncate_short_fields = false;  // a BYTES/STRING length past the end takes what is there
    bool duplicate_keys_overwrite = false;  // a repeated key replaces the earlier value
    bool no_limits = false;              // no depth, count or size bound
};

// Strict decoder. Errors, each at the offset of the offending tag or field:
//   truncated       the input ends inside a value, or a length points past the end
//   trailing_bytes  bytes after the outermost value
//   non_canonical   an integer wider than needed, or dict keys not in code point order
//   decode_error    duplicate dict key, non-STRING key, invalid UTF-8
//   unknown_type    an undefined tag, or a declared-but-unsupported one (UINT*, FLOAT32)
//   bad_length      a LIST or DICT count over max_count
//   oversize        nesting over max_depth, or an input over max_size
[[nodiscard]] Result<Value> decode(ByteView input, const TlvLimits& limits = {}, const TlvLeniency& leniency = {});

// The decoder allocates at most this many bytes in total for an input of `input_size` bytes:
// every value consumes at least one input byte, containers grow geometrically (their successive
// buffers add up to less than four times the final item count), and copied BYTES/STRING/key data
// is at most the input itself (plus a terminator per key). A declared count never reserves
// anything. The TLV fuzz target asserts it.
[[nodiscard]] std::size_t decode_allocation_bound(std::size_t input_size);

// One value seen in place: scalars decoded, BYTES/STRING a view into the input, containers only
// their entry count (their entries are checked, not kept).
struct ValueView {
    Value::Kind kind = Value::Kind::null;
    bool boolean = false;
    std::int64_t integer = 0;
    std::uint64_t float_bits = 0;
    ByteView data;            // BYTES payload, or STRING as UTF-8
    std::uint32_t count = 0;  // LIST or DICT entries
    std::size_t offset = 0;   // the value's tag in the input
};

// Receives the entries of the outermost value when it is a DICT, in input order, each once its
// key has passed the order and duplicate checks. Under TlvLeniency::duplicate_keys_overwrite a
// repeated key is reported again with its later value (decode() keeps the first one's position
// and the later value).
class TlvEntryVisitor {
public:
    virtual void entry(std::size_t index, std::string_view key, const ValueView& value) = 0;

protected:
    ~TlvEntryVisitor() = default;
};

// Checks `input` as decode() does, with the same errors at the same offsets, without building a
// value tree or allocating.
[[nodiscard]] Result<ValueView> scan(ByteView input, const TlvLimits& limits, const TlvLeniency& leniency,
                                     TlvEntryVisitor* outer_entries);

[[nodiscard]] bool valid_utf8(ByteView s) noexcept;

}  // namespace shakedown::stt
