#include "stt/tlv.hpp"

#include <algorithm>
#include <bit>
#include <cstring>

#include "common/reader.hpp"
#include "common/writer.hpp"

namespace shakedown::stt {

namespace {
bool key_less(const std::string& a, const std::string& b) {
    // UTF-8 byte order is code point order.
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return static_cast<unsigned char>(x) < static_cast<unsigned char>(y);
    });
}

// Byte order of two keys: negative, zero or positive as a sorts before, equal to or after b. A
// loop rather than memcmp: keys are short, and this runs for every entry of every dict scanned.
int key_order(ByteView a, ByteView b) noexcept {
    const std::size_t n = std::min(a.size(), b.size());
    for (std::size_t i = 0; i < n; ++i) {
        if (a[i] != b[i]) {
            return a[i] < b[i] ? -1 : 1;
        }
    }
    return a.size() == b.size() ? 0 : a.size() < b.size() ? -1 : 1;
}

}  // namespace

Value Value::null() { return Value{}; }

Value Value::boolean_value(bool b) {
    Value v;
    v.kind = Kind::boolean;
    v.boolean = b;
    return v;
}

Value Value::int_value(std::int64_t i) {
    Value v;
    v.kind = Kind::integer;
    v.integer = i;
    return v;
}

Value Value::float_value(double d) {
    Value v;
    v.kind = Kind::float64;
    v.float_bits = std::bit_cast<std::uint64_t>(d);
    return v;
}

Value Value::bytes_value(ByteView b) {
    Value v;
    v.kind = Kind::bytes;
    v.data.assign(b.begin(), b.end());
    return v;
}

Value Value::string_value(std::string_view s) {
    Value v;
    v.kind = Kind::string;
    const ByteView b = as_bytes(s);
    v.data.assign(b.begin(), b.end());
    return v;
}

Value Value::list(std::vector<Value> items) {
    Value v;
    v.kind = Kind::list;
    v.items = std::move(items);
    return v;
}

Value Value::dict(std::vector<std::pair<std::string, Value>> entries) {
    Value v;
    v.kind = Kind::dict;
    v.items.reserve(entries.size());
    for (auto& [k, val] : entries) {
        val.key = k;
        v.items.push_back(std::move(val));
    }
    // Canonical order, so built and decoded dicts compare equal.
    std::stable_sort(v.items.begin(), v.items.end(), [](const Value& a, const Value& b) { return key_less(a.key, b.key); });
    return v;
}

const Value* Value::find(std::string_view k) const {
    if (kind != Kind::dict) {
        return nullptr;
    }
    for (const Value& item : items) {
        if (item.key == k) {
            return &item;
        }
    }
    return nullptr;
}

bool operator==(const Value& a, const Value& b) {
    if (a.kind != b.kind || a.key != b.key) {
        return false;
    }
    switch (a.kind) {
        case Value::Kind::null:
            return true;
        case Value::Kind::boolean:
            return a.boolean == b.boolean;
        case Value::Kind::integer:
            return a.integer == b.integer;
        case Value::Kind::float64:
            return a.float_bits == b.float_bits;
        case Value::Kind::bytes:
        case Value::Kind::string:
            return a.data == b.data;
        case Value::Kind::list:
        case Value::Kind::dict:
            return a.items == b.items;
    }
    return false;
}

bool valid_utf8(ByteView s) noexcept {
    // RFC 3629: shortest form only, no surrogates, nothing above U+10FFFF (what Python's strict
    // UTF-8 codec accepts).
    std::size_t i = 0;
    while (i < s.size()) {
        // ASCII, eight bytes at a time.
        while (s.size() - i >= 8) {
            std::uint64_t word = 0;
            std::memcpy(&word, s.data() + i, sizeof word);
            if ((word & 0x8080808080808080u) != 0) {
                break;
            }
            i += 8;
        }
        while (i < s.size() && s[i] < 0x80) {
            ++i;
        }
        if (i == s.size()) {
            break;
        }
        const std::uint8_t c = s[i];
        std::size_t n = 0;
        std::uint32_t cp = 0;
        std::uint32_t min = 0;
        if (c < 0x80) {
            ++i;
            continue;
        }
        if ((c & 0xe0) == 0xc0) {
            n = 1;
            cp = c & 0x1fu;
            min = 0x80;
        } else if ((c & 0xf0) == 0xe0) {
            n = 2;
            cp = c & 0x0fu;
            min = 0x800;
        } else if ((c & 0xf8) == 0xf0) {
            n = 3;
            cp = c & 0x07u;
            min = 0x10000;
        } else {
            return false;
        }
        if (i + n >= s.size()) {
            return false;
        }
        for (std::size_t k = 1; k <= n; ++k) {
            const std::uint8_t d = s[i + k];
            if ((d & 0xc0) != 0x80) {
                return false;
            }
            cp = (cp << 6) | (d & 0x3fu);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
            return false;
        }
        i += n + 1;
    }
    return true;
}

namespace {

void put_int(Writer& w, std::int64_t v) {
    if (v >= INT8_MIN && v <= INT8_MAX) {
        w.put_u8(tag::kInt8);
        w.put_u8(static_cast<std::uint8_t>(v));
    } else if (v >= INT16_MIN && v <= INT16_MAX) {
        w.put_u8(tag::kInt16);
        w.put_u16be(static_cast<std::uint16_t>(v));
    } else if (v >= INT32_MIN && v <= INT32_MAX) {
        w.put_u8(tag::kInt32);
        w.put_u32be(static_cast<std::uint32_t>(v));
    } else {
        w.put_u8(tag::kInt64);
        w.put_u64be(static_cast<std::uint64_t>(v));
    }
}

Result<void> put_string(Writer& w, ByteView s) {
    if (!valid_utf8(s) || s.size() > UINT32_MAX) {
        return fail(Error::invalid_argument, "STRING is not valid UTF-8");
    }
    w.put_u8(tag::kString);
    w.put_u32be(static_cast<std::uint32_t>(s.size()));
    w.put_bytes(s);
    return ok();
}

Result<void> put_value(Writer& w, const Value& v) {
    switch (v.kind) {
        case Value::Kind::null:
            w.put_u8(tag::kNull);
            return ok();
        case Value::Kind::boolean:
            w.put_u8(v.boolean ? tag::kTrue : tag::kFalse);
            return ok();
        case Value::Kind::integer:
            put_int(w, v.integer);
            return ok();
        case Value::Kind::float64:
            w.put_u8(tag::kFloat64);
            w.put_u64be(v.float_bits);
            return ok();
        case Value::Kind::bytes:
            if (v.data.size() > UINT32_MAX) {
                return fail(Error::invalid_argument, "BYTES longer than 2^32-1");
            }
            w.put_u8(tag::kBytes);
            w.put_u32be(static_cast<std::uint32_t>(v.data.size()));
            w.put_bytes(v.data);
            return ok();
        case Value::Kind::string:
            return put_string(w, v.data);
        case Value::Kind::list:
            if (v.items.size() > UINT32_MAX) {
                return fail(Error::invalid_argument, "LIST longer than 2^32-1");
            }
            w.put_u8(tag::kList);
            w.put_u32be(static_cast<std::uint32_t>(v.items.size()));
            for (const Value& item : v.items) {
                SK_CHECK(put_value(w, item));
            }
            return ok();
        case Value::Kind::dict: {
            if (v.items.size() > UINT32_MAX) {
                return fail(Error::invalid_argument, "DICT longer than 2^32-1");
            }
            std::vector<const Value*> sorted;
            sorted.reserve(v.items.size());
            for (const Value& item : v.items) {
                sorted.push_back(&item);
            }
            std::sort(sorted.begin(), sorted.end(), [](const Value* a, const Value* b) { return key_less(a->key, b->key); });
            for (std::size_t i = 1; i < sorted.size(); ++i) {
                if (sorted[i - 1]->key == sorted[i]->key) {
                    return fail(Error::invalid_argument, "duplicate DICT key");
                }
            }
            w.put_u8(tag::kDict);
            w.put_u32be(static_cast<std::uint32_t>(sorted.size()));
            for (const Value* item : sorted) {
                SK_CHECK(put_string(w, as_bytes(item->key)));
                SK_CHECK(put_value(w, *item));
            }
            return ok();
        }
    }
    return fail(Error::invalid_argument, "unknown value kind");
}

// Even with TlvLeniency::no_limits the recursion stays bounded, so a hostile input cannot exhaust
// the stack (upstream hits Python's recursion limit instead).
constexpr std::size_t kHardMaxDepth = 256;
// Items a container makes room for before its first one decodes.
constexpr std::size_t kFirstItems = 8;

// Each value is decoded straight into its place (the caller's, or a new last item of its
// container): no value is built and then moved, which for a tree of small values was most of the
// decoder's work.
class Decoder {
public:
    Decoder(const TlvLimits& limits, const TlvLeniency& leniency) : m_limits(limits), m_len(leniency) {}

    Result<void> value(Reader& r, std::size_t depth, Value& v) {
        const std::size_t at = r.offset();
        SK_TRY(const std::uint8_t t, r.read_u8());
        v.offset = at;
        switch (t) {
            case tag::kNull:
                return ok();
            case tag::kFalse:
            case tag::kTrue:
                v.kind = Value::Kind::boolean;
                v.boolean = t == tag::kTrue;
                return ok();
            case tag::kInt8: {
                SK_TRY(const std::uint8_t x, r.read_u8());
                v.kind = Value::Kind::integer;
                v.integer = static_cast<std::int8_t>(x);
                return ok();
            }
            case tag::kInt16: {
                SK_TRY(const std::uint16_t x, r.read_u16be());
                v.kind = Value::Kind::integer;
                v.integer = static_cast<std::int16_t>(x);
                if (v.integer >= INT8_MIN && v.integer <= INT8_MAX) {
                    return Failure{Error::non_canonical, at, "INT16 holding a value that fits INT8"};
                }
                return ok();
            }
            case tag::kInt32: {
                SK_TRY(const std::uint32_t x, r.read_u32be());
                v.kind = Value::Kind::integer;
                v.integer = static_cast<std::int32_t>(x);
                if (v.integer >= INT16_MIN && v.integer <= INT16_MAX) {
                    return Failure{Error::non_canonical, at, "INT32 holding a value that fits INT16"};
                }
                return ok();
            }
            case tag::kInt64: {
                SK_TRY(const std::uint64_t x, r.read_u64be());
                v.kind = Value::Kind::integer;
                v.integer = static_cast<std::int64_t>(x);
                if (v.integer >= INT32_MIN && v.integer <= INT32_MAX) {
                    return Failure{Error::non_canonical, at, "INT64 holding a value that fits INT32"};
                }
                return ok();
            }
            case tag::kFloat64: {
                SK_TRY(const std::uint64_t x, r.read_u64be());
                v.kind = Value::Kind::float64;
                v.float_bits = x;
                return ok();
            }
            case tag::kBytes:
            case tag::kString: {
                SK_TRY(const ByteView body, length_prefixed(r));
                v.kind = t == tag::kBytes ? Value::Kind::bytes : Value::Kind::string;
                if (t == tag::kString && !valid_utf8(body)) {
                    return Failure{Error::decode_error, at, "STRING is not valid UTF-8"};
                }
                v.data.assign(body.begin(), body.end());
                return ok();
            }
            case tag::kList:
            case tag::kDict:
                return container(r, t, depth, v);
            default:
                if ((t >= tag::kUint8 && t <= tag::kUint64) || t == tag::kFloat32) {
                    return Failure{Error::unknown_type, at, "tag declared upstream but not decodable"};
                }
                return Failure{Error::unknown_type, at, "unknown tag"};
        }
    }

private:
    Result<ByteView> length_prefixed(Reader& r) {
        SK_TRY(const std::uint32_t n, r.read_u32be());
        if (n > r.remaining() && m_len.truncate_short_fields) {
            return r.read_rest();
        }
        if (n > r.remaining()) {
            return Failure{Error::truncated, r.offset() - 4, "length past the end of the input"};
        }
        return r.read_bytes(n);
    }

    Result<void> container(Reader& r, std::uint8_t t, std::size_t depth, Value& v) {
        const std::size_t at = v.offset;
        if ((!m_len.no_limits && depth + 1 > m_limits.max_depth) || depth + 1 > kHardMaxDepth) {
            return Failure{Error::oversize, at, "containers nested too deep"};
        }
        const std::size_t count_at = r.offset();
        SK_TRY(const std::uint32_t count, r.read_u32be());
        if (!m_len.no_limits && count > m_limits.max_count) {
            return Failure{Error::bad_length, count_at, "LIST or DICT count over the limit"};
        }
        v.kind = t == tag::kList ? Value::Kind::list : Value::Kind::dict;
        // Not reserve(count): the count is attacker-controlled; items are appended as they decode.
        // Room for the first few is taken at once (a message's DICT has a handful of keys), which
        // spares the first reallocations; with every container costing at least 5 input bytes this
        // stays within decode_allocation_bound().
        if (count > 0) {
            v.items.reserve(std::min<std::size_t>(count, kFirstItems));
        }
        for (std::uint32_t i = 0; i < count; ++i) {
            if (t == tag::kList) {
                SK_CHECK(value(r, depth + 1, v.items.emplace_back()));
                continue;
            }
            const std::size_t key_at = r.offset();
            SK_TRY(const std::uint8_t key_tag, r.read_u8());
            if (key_tag != tag::kString) {
                return Failure{Error::decode_error, key_at, "DICT key is not a STRING"};
            }
            SK_TRY(const ByteView key, length_prefixed(r));
            if (!valid_utf8(key)) {
                return Failure{Error::decode_error, key_at, "DICT key is not valid UTF-8"};
            }
            Value& item = v.items.emplace_back();
            item.key.assign(reinterpret_cast<const char*>(key.data()), key.size());
            SK_CHECK(value(r, depth + 1, item));
            // The order checks follow the value, as they always have: an input with both defects
            // reports the value's.
            if (v.items.size() < 2) {
                continue;
            }
            Value& last = v.items.back();
            if (m_len.duplicate_keys_overwrite) {
                // Upstream builds a Python dict: any order, a repeated key replaces the first.
                auto same = std::find_if(v.items.begin(), v.items.end() - 1,
                                         [&](const Value& e) { return e.key == last.key; });
                if (same != v.items.end() - 1) {
                    *same = std::move(last);
                    v.items.pop_back();
                }
                continue;
            }
            const std::string& prev = v.items[v.items.size() - 2].key;
            if (prev == last.key) {
                return Failure{Error::decode_error, key_at, "duplicate DICT key"};
            }
            if (key_less(last.key, prev)) {
                return Failure{Error::non_canonical, key_at, "DICT keys not sorted by code point"};
            }
        }
        return ok();
    }

    const TlvLimits& m_limits;
    const TlvLeniency& m_len;
};

// The decoder's checks in the same order, over a cursor into the input: nothing is copied or
// allocated, and BYTES/STRING come back as views. Each step returns false after recording the
// failure.
class Scanner {
public:
    Scanner(ByteView input, const TlvLimits& limits, const TlvLeniency& leniency)
        : m_in(input), m_limits(limits), m_len(leniency) {}

    // Reads one value into `v` (which the caller passes default-constructed).
    bool value(std::size_t depth, TlvEntryVisitor* entries, ValueView& v) {
        v.offset = m_pos;
        if (!have(1)) {
            return truncated();
        }
        const std::uint8_t t = m_in[m_pos++];
        switch (t) {
            case tag::kNull:
                return true;
            case tag::kFalse:
            case tag::kTrue:
                v.kind = Value::Kind::boolean;
                v.boolean = t == tag::kTrue;
                return true;
            case tag::kInt8:
                if (!have(1)) {
                    return truncated();
                }
                v.kind = Value::Kind::integer;
                v.integer = static_cast<std::int8_t>(m_in[m_pos++]);
                return true;
            case tag::kInt16:
                if (!have(2)) {
                    return truncated();
                }
                v.kind = Value::Kind::integer;
                v.integer = static_cast<std::int16_t>(take_be(2));
                if (v.integer >= INT8_MIN && v.integer <= INT8_MAX) {
                    return fail_at(Error::non_canonical, v.offset, "INT16 holding a value that fits INT8");
                }
                return true;
            case tag::kInt32:
                if (!have(4)) {
                    return truncated();
                }
                v.kind = Value::Kind::integer;
                v.integer = static_cast<std::int32_t>(take_be(4));
                if (v.integer >= INT16_MIN && v.integer <= INT16_MAX) {
                    return fail_at(Error::non_canonical, v.offset, "INT32 holding a value that fits INT16");
                }
                return true;
            case tag::kInt64:
                if (!have(8)) {
                    return truncated();
                }
                v.kind = Value::Kind::integer;
                v.integer = static_cast<std::int64_t>(take_be(8));
                if (v.integer >= INT32_MIN && v.integer <= INT32_MAX) {
                    return fail_at(Error::non_canonical, v.offset, "INT64 holding a value that fits INT32");
                }
                return true;
            case tag::kFloat64:
                if (!have(8)) {
                    return truncated();
                }
                v.kind = Value::Kind::float64;
                v.float_bits = take_be(8);
                return true;
            case tag::kBytes:
                v.kind = Value::Kind::bytes;
                return length_prefixed(v.data);
            case tag::kString:
                v.kind = Value::Kind::string;
                if (!length_prefixed(v.data)) {
                    return false;
                }
                if (!valid_utf8(v.data)) {
                    return fail_at(Error::decode_error, v.offset, "STRING is not valid UTF-8");
                }
                return true;
            case tag::kList:
            case tag::kDict:
                return container(t, depth, entries, v);
            default:
                if ((t >= tag::kUint8 && t <= tag::kUint64) || t == tag::kFloat32) {
                    return fail_at(Error::unknown_type, v.offset, "tag declared upstream but not decodable");
                }
                return fail_at(Error::unknown_type, v.offset, "unknown tag");
        }
    }

    [[nodiscard]] std::size_t offset() const noexcept { return m_pos; }
    [[nodiscard]] const Failure& failure() const noexcept { return m_failure; }

private:
    [[nodiscard]] bool have(std::size_t n) const noexcept { return n <= m_in.size() - m_pos; }
    // Errors are cold: their calls leave the scanner's hot path.
    [[gnu::cold]] bool fail_at(Error code, std::size_t offset, const char* detail) noexcept {
        m_failure = Failure{code, offset, detail};
        return false;
    }
    [[gnu::cold]] bool truncated() noexcept { return fail_at(Error::truncated, m_in.size(), "input ends inside a field"); }
    // Reads n (at most 8, already checked present) bytes big-endian.
    std::uint64_t take_be(std::size_t n) noexcept {
        // n is 1, 2, 4 or 8: one load and one byte swap.
        std::uint64_t x = 0;
        // The bytes go to the top of x: read big-endian, they are the number itself.
        std::memcpy(reinterpret_cast<std::uint8_t*>(&x) + (8 - n), m_in.data() + m_pos, n);
        if constexpr (std::endian::native == std::endian::little) {
            x = __builtin_bswap64(x);
        }
        m_pos += n;
        return x;
    }

    bool length_prefixed(ByteView& out) {
        if (!have(4)) {
            return truncated();
        }
        const std::size_t at = m_pos;
        const auto n = static_cast<std::size_t>(take_be(4));
        if (!have(n)) {
            if (m_len.truncate_short_fields) {
                out = m_in.subspan(m_pos);
                m_pos = m_in.size();
                return true;
            }
            return fail_at(Error::truncated, at, "length past the end of the input");
        }
        out = m_in.subspan(m_pos, n);
        m_pos += n;
        return true;
    }

    bool container(std::uint8_t t, std::size_t depth, TlvEntryVisitor* entries, ValueView& v) {
        if ((!m_len.no_limits && depth + 1 > m_limits.max_depth) || depth + 1 > kHardMaxDepth) {
            return fail_at(Error::oversize, v.offset, "containers nested too deep");
        }
        const std::size_t count_at = m_pos;
        if (!have(4)) {
            return truncated();
        }
        const auto count = static_cast<std::uint32_t>(take_be(4));
        if (!m_len.no_limits && count > m_limits.max_count) {
            return fail_at(Error::bad_length, count_at, "LIST or DICT count over the limit");
        }
        v.kind = t == tag::kList ? Value::Kind::list : Value::Kind::dict;
        v.count = count;
        ByteView prev;
        for (std::uint32_t i = 0; i < count; ++i) {
            ValueView item;
            if (t == tag::kList) {
                if (!value(depth + 1, nullptr, item)) {
                    return false;
                }
                continue;
            }
            const std::size_t key_at = m_pos;
            if (!have(1)) {
                return truncated();
            }
            if (m_in[m_pos++] != tag::kString) {
                return fail_at(Error::decode_error, key_at, "DICT key is not a STRING");
            }
            ByteView key;
            if (!length_prefixed(key)) {
                return false;
            }
            if (!valid_utf8(key)) {
                return fail_at(Error::decode_error, key_at, "DICT key is not valid UTF-8");
            }
            if (!value(depth + 1, nullptr, item)) {
                return false;
            }
            if (i > 0 && !m_len.duplicate_keys_overwrite) {
                const int order = key_order(key, prev);
                if (order == 0) {
                    return fail_at(Error::decode_error, key_at, "duplicate DICT key");
                }
                if (order < 0) {
                    return fail_at(Error::non_canonical, key_at, "DICT keys not sorted by code point");
                }
            }
            if (entries != nullptr) {
                entries->entry(i, {reinterpret_cast<const char*>(key.data()), key.size()}, item);
            }
            prev = key;
        }
        return true;
    }

    ByteView m_in;
    std::size_t m_pos = 0;
    const TlvLimits& m_limits;
    const TlvLeniency& m_len;
    Failure m_failure;
};

}  // namespace

Result<ValueView> scan(ByteView input, const TlvLimits& limits, const TlvLeniency& leniency,
                       TlvEntryVisitor* outer_entries) {
    if (!leniency.no_limits && input.size() > limits.max_size) {
        return Failure{Error::oversize, limits.max_size, "input larger than the TLV size limit"};
    }
    Scanner s(input, limits, leniency);
    ValueView v;
    if (!s.value(0, outer_entries, v)) {
        return s.failure();
    }
    if (!leniency.ignore_trailing_bytes && s.offset() != input.size()) {
        return Failure{Error::trailing_bytes, s.offset(), "bytes left after the message"};
    }
    return v;
}

Result<Bytes> encode(const Value& v) {
    Writer w;
    SK_CHECK(put_value(w, v));
    return std::move(w).take();
}

Result<Value> decode(ByteView input, const TlvLimits& limits, const TlvLeniency& leniency) {
    if (!leniency.no_limits && input.size() > limits.max_size) {
        return Failure{Error::oversize, limits.max_size, "input larger than the TLV size limit"};
    }
    Reader r(input);
    Decoder d(limits, leniency);
    Value v;
    SK_CHECK(d.value(r, 0, v));
    if (!leniency.ignore_trailing_bytes) {
        SK_CHECK(r.expect_done());
    }
    return v;
}

std::size_t decode_allocation_bound(std::size_t input_size) {
    return (4 * sizeof(Value) + 4) * input_size + 1024;
}

}  // namespace shakedown::stt
