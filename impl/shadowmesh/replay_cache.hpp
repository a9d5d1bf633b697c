// The responder's challenge replay cache (docs/protocols/shadowmesh.md §5, rule V11): a REQUEST
// challenge seen within the skew window is refused the second time. One cache may serve every
// connection of a responder (the same REQUEST on two connections is a replay), so it is shared
// through a shared_ptr and locks internally; the machines themselves stay single-threaded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>

#include "shadowmesh/messages.hpp"

namespace shakedown::shadowmesh {

class ChallengeCache {
public:
    // `window_ms`: how long after its timestamp a challenge could still pass the skew check.
    // `capacity`: live entries at most; when full of live entries new challenges are refused
    // (fail closed) rather than forgetting one that could still be replayed.
    explicit ChallengeCache(std::uint64_t window_ms, std::size_t capacity = 1u << 16)
        : m_window(window_ms), m_capacity(capacity) {}

    enum class Verdict : std::uint8_t { fresh, replay, full };
    // Records the challenge unless it is already live. Entries expire once `now_ms` passes
    // timestamp + window (after that the skew check rejects the REQUEST anyway).
    [[nodiscard]] Verdict check_and_insert(const Challenge& challenge, std::uint64_t timestamp_ms,
                                           std::uint64_t now_ms);
    [[nodiscard]] std::size_t size() const;

private:
    void expire(std::uint64_t now_ms);

    mutable std::mutex m_mutex;
    std::uint64_t m_window;
    std::size_t m_capacity;
    std::map<Challenge, std::uint64_t> m_expiry;       // challenge -> last millisecond it is live
    std::multimap<std::uint64_t, Challenge> m_by_time;  // the same entries ordered by expiry
};

}  // namespace shakedown::shadowmesh
