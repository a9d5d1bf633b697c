// Constant-time checking and secret tracking. The reference tells where its secrets live
// (classify, right after a long-term key is loaded, an ephemeral secret drawn or a key derived)
// and where the protocol makes a value derived from them public (declassify: a public key, a MAC
// or ciphertext that goes on the wire, the verdict of a comparison).
//
// In a SHAKEDOWN_CT build (ci/ct.sh) classify marks the bytes undefined for valgrind's memcheck,
// so every branch or memory index that depends on them is reported (ctgrind); declassify marks
// them defined again. In every other build the valgrind requests compile to nothing.
//
// Independently of valgrind, a test may install an observer that is told about every classified
// region (tests/common/wipe_test.cpp checks that each of them is zero once the machine holding it
// is destroyed). Without an observer a call costs one relaxed atomic load.
#pragma once

#include <atomic>
#include <cstddef>
#include <span>

#if defined(SHAKEDOWN_CT)
#include <valgrind/memcheck.h>
#endif

namespace shakedown::ct {

// Told about each classified region; installed by tests only.
using Observer = void (*)(const void* data, std::size_t size);

namespace detail {
inline std::atomic<Observer>& observer() noexcept {
    static std::atomic<Observer> o{nullptr};
    return o;
}
}  // namespace detail

// Install (or, with nullptr, remove) the observer; returns the previous one.
inline Observer set_observer(Observer o) noexcept { return detail::observer().exchange(o); }

// `data` holds a secret from here on.
inline void classify(const void* data, std::size_t size) noexcept {
    if (size == 0) {
        return;
    }
#if defined(SHAKEDOWN_CT)
    (void)VALGRIND_MAKE_MEM_UNDEFINED(data, size);
#endif
    if (const Observer o = detail::observer().load(std::memory_order_relaxed)) {
        o(data, size);
    }
}

// `data` is public from here on (the caller's comment says why).
inline void declassify(const void* data, std::size_t size) noexcept {
    if (size == 0) {
        return;
    }
#if defined(SHAKEDOWN_CT)
    (void)VALGRIND_MAKE_MEM_DEFINED(data, size);
#else
    (void)data;
#endif
}

template <class T, std::size_t E>
void classify(std::span<T, E> s) noexcept {
    classify(s.data(), s.size_bytes());
}
template <class T, std::size_t E>
void declassify(std::span<T, E> s) noexcept {
    declassify(s.data(), s.size_bytes());
}

// A value computed from secrets that the protocol reveals anyway (accept or reject, the length
// of a message); returned so that it can be used in a condition.
template <class T>
[[nodiscard]] T declassified(T value) noexcept {
    declassify(&value, sizeof value);
    return value;
}

// Whether this build reports to valgrind (ci/ct.sh checks that it runs the right build).
[[nodiscard]] constexpr bool enabled() noexcept {
#if defined(SHAKEDOWN_CT)
    return true;
#else
    return false;
#endif
}

}  // namespace shakedown::ct
