// The responder's challenge replay cache (docs/protocols/shadowmesh.md §5, rule V11): a REQUEST
// challenge seen within the skew window is refused the second time. One cache may serve every
// connection of a responder (the same REQUEST on two connections is a replay), so it is shared
// through a shared_ptr and locks internally; the machines themselves stay single-threaded.
//
// Flat storage: an open-addressed table of the live challenges (linear probing, backward-shift
// deletion) and a binary min-heap of the same entries by expiry, both in vectors that only grow
// (up to the capacity), so a steady state allocates nothing. The table's hash is keyed with a
// random key drawn when the cache is made, so that chosen challenges cannot be made to collide;
// no verdict depends on the key.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <vector>

#include "shadowmesh/messages.hpp"

namespace shakedown::shadowmesh {

class ChallengeCache {
public:
    // `window_ms`: how long after its timestamp a challenge could still pass the skew check.
    // `capacity`: live entries at most; when full of live entries new challenges are refused
    // (fail closed) rather than forgetting one that could still be replayed.
    explicit ChallengeCache(std::uint64_t window_ms, std::size_t capacity = 1u << 16);

    enum class Verdict : std::uint8_t { fresh, replay, full };
    // Records the challenge unless it is already live. Entries expire once `now_ms` passes
    // timestamp + window (after that the skew check rejects the REQUEST anyway).
    [[nodiscard]] Verdict check_and_insert(const Challenge& challenge, std::uint64_t timestamp_ms,
                                           std::uint64_t now_ms);
    [[nodiscard]] std::size_t size() const;

private:
    struct Slot {
        Challenge challenge{};
        std::uint64_t until = 0;  // last millisecond the challenge is live
        bool used = false;
    };
    struct Expiry {
        std::uint64_t until;
        Challenge challenge;
    };

    [[nodiscard]] std::size_t home(const Challenge& c) const noexcept;
    // The slot holding `c`, or the empty slot where it would go.
    [[nodiscard]] std::size_t find(const Challenge& c) const noexcept;
    void erase_slot(std::size_t i) noexcept;
    void grow();
    void expire(std::uint64_t now_ms);

    mutable std::mutex m_mutex;
    std::uint64_t m_window;
    std::size_t m_capacity;
    std::array<std::uint32_t, 8> m_key{};
    std::vector<Slot> m_slots;      // a power of two, at most half full
    std::size_t m_count = 0;        // used slots
    std::vector<Expiry> m_by_time;  // min-heap on `until`: the same entries, soonest expiry first
};

}  // namespace shakedown::shadowmesh
