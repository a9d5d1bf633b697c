#include "shadowmesh/replay_cache.hpp"

#include <algorithm>
#include <cstring>
#include <limits>

#include "common/rng.hpp"

namespace shakedown::shadowmesh {

namespace {

constexpr std::size_t kCacheInitialSlots = 16;

// std::push_heap and std::pop_heap keep the greatest element on top; this order puts the
// soonest expiry there.
constexpr auto kExpiresLater = [](const auto& a, const auto& b) noexcept { return a.until > b.until; };

}  // namespace

ChallengeCache::ChallengeCache(std::uint64_t window_ms, std::size_t capacity)
    : m_window(window_ms), m_capacity(capacity), m_slots(kCacheInitialSlots) {
    ByteArray<sizeof m_key> key{};
    SystemRng().fill(key);
    std::memcpy(m_key.data(), key.data(), key.size());
}

std::size_t ChallengeCache::home(const Challenge& c) const noexcept {
    // NH (as in UMAC) over the eight 32-bit words of the challenge: almost universal under a
    // secret key.
    std::array<std::uint32_t, 8> w{};
    std::memcpy(w.data(), c.data(), c.size());
    std::uint64_t h = 0;
    for (std::size_t i = 0; i < w.size(); i += 2) {
        h += std::uint64_t{static_cast<std::uint32_t>(w[i] + m_key[i])} *
             std::uint64_t{static_cast<std::uint32_t>(w[i + 1] + m_key[i + 1])};
    }
    return static_cast<std::size_t>(h ^ (h >> 32)) & (m_slots.size() - 1);
}

std::size_t ChallengeCache::find(const Challenge& c) const noexcept {
    const std::size_t mask = m_slots.size() - 1;
    std::size_t i = home(c);
    while (m_slots[i].used && m_slots[i].challenge != c) {
        i = (i + 1) & mask;
    }
    return i;
}

void ChallengeCache::erase_slot(std::size_t i) noexcept {
    // Backward shift: move later members of the probe run into the hole, so lookups never need
    // tombstones.
    const std::size_t mask = m_slots.size() - 1;
    std::size_t hole = i;
    for (std::size_t j = (i + 1) & mask; m_slots[j].used; j = (j + 1) & mask) {
        const std::size_t want = home(m_slots[j].challenge);
        // j may fill the hole unless its home lies cyclically in (hole, j].
        if (((j - want) & mask) >= ((j - hole) & mask)) {
            m_slots[hole] = m_slots[j];
            hole = j;
        }
    }
    m_slots[hole] = Slot{};
    --m_count;
}

void ChallengeCache::grow() {
    std::vector<Slot> old(m_slots.size() * 2);
    old.swap(m_slots);
    for (const Slot& s : old) {
        if (s.used) {
            m_slots[find(s.challenge)] = s;
        }
    }
}

void ChallengeCache::expire(std::uint64_t now_ms) {
    // Soonest expiry first, so each insert only touches the entries that actually expire (no scan).
    while (!m_by_time.empty() && m_by_time.front().until < now_ms) {
        std::pop_heap(m_by_time.begin(), m_by_time.end(), kExpiresLater);
        const Expiry& oldest = m_by_time.back();
        if (const std::size_t i = find(oldest.challenge); m_slots[i].used && m_slots[i].until == oldest.until) {
            erase_slot(i);
        }
        m_by_time.pop_back();
    }
}

ChallengeCache::Verdict ChallengeCache::check_and_insert(const Challenge& challenge, std::uint64_t timestamp_ms,
                                                         std::uint64_t now_ms) {
    const std::lock_guard lock(m_mutex);
    // Live until both the REQUEST's own timestamp and the moment we saw it are out of the window
    // (a REQUEST stamped in the future stays acceptable longer).
    const std::uint64_t base = timestamp_ms > now_ms ? timestamp_ms : now_ms;
    const std::uint64_t until =
        base > std::numeric_limits<std::uint64_t>::max() - m_window ? std::numeric_limits<std::uint64_t>::max()
                                                                    : base + m_window;
    if (const Slot& s = m_slots[find(challenge)]; s.used && s.until >= now_ms) {
        return Verdict::replay;
    }
    expire(now_ms);
    if (m_count >= m_capacity) {
        return Verdict::full;
    }
    if (2 * (m_count + 1) > m_slots.size()) {
        grow();
    }
    // A stale entry of the same challenge is replaced; its heap entry no longer matches and is
    // dropped when it comes up.
    Slot& slot = m_slots[find(challenge)];
    if (!slot.used) {
        ++m_count;
    }
    slot = Slot{challenge, until, true};
    m_by_time.push_back(Expiry{until, challenge});
    std::push_heap(m_by_time.begin(), m_by_time.end(), kExpiresLater);
    return Verdict::fresh;
}

std::size_t ChallengeCache::size() const {
    const std::lock_guard lock(m_mutex);
    return m_count;
}

}  // namespace shakedown::shadowmesh
