// Byte containers, hex, and secret handling (constant-time compare, wipe on destruction).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace shakedown {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;
template <std::size_t N>
using ByteArray = std::array<std::uint8_t, N>;

namespace detail {
// The compiler must assume `v` is read and changed here (it cannot reason about its value after).
inline void value_barrier(std::uint64_t& v) noexcept { __asm__ volatile("" : "+r"(v)); }
// The compiler must assume the memory at `p` is read here.
inline void memory_barrier(const void* p) noexcept { __asm__ volatile("" : : "r"(p) : "memory"); }
}  // namespace detail

[[nodiscard]] std::string to_hex(ByteView data);
// Lower- or upper-case hex, even length, nothing else; nullopt otherwise.
[[nodiscard]] std::optional<Bytes> from_hex(std::string_view hex);
// Hex (either case) of exactly 2 * out.size() digits into `out`, without allocating; false if the
// length or a digit is wrong (out is then partly written).
[[nodiscard]] bool from_hex_into(std::string_view hex, std::span<std::uint8_t> out);
[[nodiscard]] inline ByteView as_bytes(std::string_view s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
[[nodiscard]] Bytes concat(std::initializer_list<ByteView> parts);

// Constant-time equality; different lengths compare unequal (length is not secret). The OR of
// every word's difference, with no early exit; the barrier keeps the compiler from turning the
// accumulation into a search for the first difference. Inline, so that a fixed-size comparison
// (a MAC, a session ID) compiles to a few loads.
[[nodiscard]] inline bool ct_equal(ByteView a, ByteView b) noexcept {
    if (a.size() != b.size()) {
        return false;
    }
    const std::size_t n = a.size();
    std::uint64_t diff = 0;
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        std::uint64_t x = 0;
        std::uint64_t y = 0;
        std::memcpy(&x, a.data() + i, 8);
        std::memcpy(&y, b.data() + i, 8);
        diff |= x ^ y;
    }
    for (; i < n; ++i) {
        diff |= static_cast<std::uint64_t>(a[i] ^ b[i]);
    }
    detail::value_barrier(diff);
    return diff == 0;
}

// Wipe memory in a way the compiler may not elide: the barrier tells it the zeroed bytes are read
// afterwards, so the memset is not removed as a dead store before the memory is freed.
inline void secure_wipe(std::span<std::uint8_t> data) noexcept {
    if (data.empty()) {
        return;
    }
    std::memset(data.data(), 0, data.size());
    detail::memory_barrier(data.data());
}

// Whether every byte is zero, in constant time (the same shape as ct_equal).
[[nodiscard]] inline bool is_all_zero(ByteView data) noexcept {
    const std::size_t n = data.size();
    std::uint64_t acc = 0;
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        std::uint64_t x = 0;
        std::memcpy(&x, data.data() + i, 8);
        acc |= x;
    }
    for (; i < n; ++i) {
        acc |= data[i];
    }
    detail::value_barrier(acc);
    return acc == 0;
}

// A fixed-size secret that is wiped when destroyed and compares in constant time.
template <std::size_t N>
class Secret {
public:
    Secret() { m_bytes.fill(0); }
    explicit Secret(const ByteArray<N>& b) : m_bytes(b) {}
    Secret(const Secret& o) = default;
    Secret& operator=(const Secret& o) = default;
    ~Secret() { secure_wipe(m_bytes); }

    [[nodiscard]] ByteView view() const { return m_bytes; }
    [[nodiscard]] std::span<std::uint8_t> mut() { return m_bytes; }
    [[nodiscard]] const ByteArray<N>& array() const { return m_bytes; }
    [[nodiscard]] static constexpr std::size_t size() { return N; }
    friend bool operator==(const Secret& a, const Secret& b) noexcept { return ct_equal(a.m_bytes, b.m_bytes); }

private:
    ByteArray<N> m_bytes;
};

// A variable-length secret buffer, wiped on destruction. Up to kInline bytes (a 32-byte seed or
// key, the common case) live inside the object, so copying a configuration that holds one does not
// allocate; longer secrets are on the heap.
class SecretBytes {
public:
    static constexpr std::size_t kInline = 32;

    SecretBytes() = default;
    explicit SecretBytes(ByteView b) { assign(b); }
    SecretBytes(const SecretBytes& o) { assign(o.view()); }
    SecretBytes(SecretBytes&& o) noexcept : m_size(o.m_size), m_heap(std::move(o.m_heap)) {
        std::memcpy(m_inline.data(), o.m_inline.data(), m_inline.size());
        o.clear();
    }
    // Assignment wipes what was held before its buffer is reused or freed.
    SecretBytes& operator=(const SecretBytes& o) {
        if (this != &o) {
            clear();
            assign(o.view());
        }
        return *this;
    }
    SecretBytes& operator=(SecretBytes&& o) noexcept {
        if (this != &o) {
            clear();
            m_size = o.m_size;
            m_heap = std::move(o.m_heap);
            std::memcpy(m_inline.data(), o.m_inline.data(), m_inline.size());
            o.clear();
        }
        return *this;
    }
    ~SecretBytes() { clear(); }
    [[nodiscard]] ByteView view() const {
        return m_size <= kInline ? ByteView(m_inline).first(m_size) : ByteView(m_heap);
    }
    [[nodiscard]] std::size_t size() const { return m_size; }

private:
    void assign(ByteView b) {
        m_size = b.size();
        if (b.size() <= kInline) {
            if (!b.empty()) {
                std::memcpy(m_inline.data(), b.data(), b.size());
            }
        } else {
            m_heap.assign(b.begin(), b.end());
        }
    }
    // Wipes both stores (a moved-from heap buffer is empty) and leaves the secret empty.
    void clear() noexcept {
        secure_wipe(m_inline);
        secure_wipe(m_heap);
        m_heap.clear();
        m_size = 0;
    }

    ByteArray<kInline> m_inline{};
    std::size_t m_size = 0;
    Bytes m_heap;
};

}  // namespace shakedown
