// Byte containers, hex, and secret handling (constant-time compare, wipe on destruction).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
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

[[nodiscard]] std::string to_hex(ByteView data);
// Lower- or upper-case hex, even length, nothing else; nullopt otherwise.
[[nodiscard]] std::optional<Bytes> from_hex(std::string_view hex);
[[nodiscard]] inline ByteView as_bytes(std::string_view s) {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}
[[nodiscard]] Bytes concat(std::initializer_list<ByteView> parts);

// Constant-time equality; different lengths compare unequal (length is not secret).
[[nodiscard]] bool ct_equal(ByteView a, ByteView b) noexcept;
// Wipe memory in a way the compiler may not elide.
void secure_wipe(std::span<std::uint8_t> data) noexcept;
[[nodiscard]] bool is_all_zero(ByteView data) noexcept;

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

// A variable-length secret buffer, wiped on destruction.
class SecretBytes {
public:
    SecretBytes() = default;
    explicit SecretBytes(ByteView b) : m_bytes(b.begin(), b.end()) {}
    SecretBytes(const SecretBytes&) = default;
    SecretBytes(SecretBytes&&) noexcept = default;
    // Assignment wipes what was held before its buffer is reused or freed.
    SecretBytes& operator=(const SecretBytes& o) {
        if (this != &o) {
            secure_wipe(m_bytes);
            m_bytes = o.m_bytes;
        }
        return *this;
    }
    SecretBytes& operator=(SecretBytes&& o) noexcept {
        if (this != &o) {
            secure_wipe(m_bytes);
            m_bytes = std::move(o.m_bytes);
        }
        return *this;
    }
    ~SecretBytes() { secure_wipe(m_bytes); }
    [[nodiscard]] ByteView view() const { return m_bytes; }
    [[nodiscard]] std::size_t size() const { return m_bytes.size(); }

private:
    Bytes m_bytes;
};

}  // namespace shakedown
