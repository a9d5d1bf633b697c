// Result<T>: a value or a Failure. impl/ throws nothing; every fallible call returns one of these.
#pragma once

#include <cstddef>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include "common/error.hpp"

namespace shakedown {

inline constexpr std::size_t kNoOffset = static_cast<std::size_t>(-1);

struct Failure {
    Error code = Error::decode_error;
    // Byte offset into the input where the problem was found, or kNoOffset.
    std::size_t offset = kNoOffset;
    // Static, human-readable context (which field or rule). Never compared by tests.
    const char* detail = "";

    [[nodiscard]] std::string describe() const;
    friend bool operator==(const Failure& a, const Failure& b) noexcept {
        return a.code == b.code && a.offset == b.offset;
    }
};

[[nodiscard]] inline Failure fail(Error code, const char* detail = "", std::size_t offset = kNoOffset) {
    return Failure{code, offset, detail};
}

template <class T>
class [[nodiscard]] Result {
public:
    // Implicit by design; a value is moved (or copied) into place once.
    Result(T&& value) : m_v(std::in_place_index<0>, std::move(value)) {}  // NOLINT
    Result(const T& value) : m_v(std::in_place_index<0>, value) {}        // NOLINT
    Result(Failure f) : m_v(std::in_place_index<1>, f) {}                 // NOLINT

    [[nodiscard]] bool ok() const noexcept { return m_v.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }

    [[nodiscard]] T& value() & { return std::get<0>(m_v); }
    [[nodiscard]] const T& value() const& { return std::get<0>(m_v); }
    [[nodiscard]] T&& value() && { return std::get<0>(std::move(m_v)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T&& operator*() && { return std::move(*this).value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    [[nodiscard]] const Failure& failure() const { return std::get<1>(m_v); }
    [[nodiscard]] Error error() const { return failure().code; }

private:
    std::variant<T, Failure> m_v;
};

template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Failure f) : m_failure(f), m_ok(false) {}  // NOLINT

    [[nodiscard]] bool ok() const noexcept { return m_ok; }
    explicit operator bool() const noexcept { return m_ok; }
    [[nodiscard]] const Failure& failure() const { return m_failure; }
    [[nodiscard]] Error error() const { return m_failure.code; }

private:
    Failure m_failure{};
    bool m_ok = true;
};

[[nodiscard]] inline Result<void> ok() { return Result<void>{}; }

#define SK_CONCAT_INNER(a, b) a##b
#define SK_CONCAT(a, b) SK_CONCAT_INNER(a, b)

// SK_TRY(auto x, expr): evaluate expr (a Result); on failure return its Failure, else bind.
// Failure is the unlikely branch: the compiler lays the error returns out of the hot path, so
// a parser's straight-line success path stays small in the instruction cache.
#define SK_TRY(decl, expr)                                           \
    auto SK_CONCAT(sk_try_, __LINE__) = (expr);                      \
    if (!SK_CONCAT(sk_try_, __LINE__)) [[unlikely]] {                \
        return SK_CONCAT(sk_try_, __LINE__).failure();               \
    }                                                                \
    decl = std::move(*SK_CONCAT(sk_try_, __LINE__))

// SK_CHECK(expr): expr is a Result<void>; on failure return its Failure.
#define SK_CHECK(expr)                                               \
    do {                                                             \
        auto sk_check_r = (expr);                                    \
        if (!sk_check_r) [[unlikely]] {                              \
            return sk_check_r.failure();                             \
        }                                                            \
    } while (false)

}  // namespace shakedown
