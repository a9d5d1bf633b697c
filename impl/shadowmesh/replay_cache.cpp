#include "shadowmesh/replay_cache.hpp"

#include <limits>

namespace shakedown::shadowmesh {

void ChallengeCache::expire(std::uint64_t now_ms) {
    // Oldest first, so each insert only touches the entries that actually expire (no scan).
    while (!m_by_time.empty() && m_by_time.begin()->first < now_ms) {
        const auto oldest = m_by_time.begin();
        if (const auto it = m_expiry.find(oldest->second); it != m_expiry.end() && it->second == oldest->first) {
            m_expiry.erase(it);
        }
        m_by_time.erase(oldest);
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
    if (auto it = m_expiry.find(challenge); it != m_expiry.end() && it->second >= now_ms) {
        return Verdict::replay;
    }
    expire(now_ms);
    if (m_expiry.size() >= m_capacity) {
        return Verdict::full;
    }
    m_expiry[challenge] = until;
    m_by_time.emplace(until, challenge);
    return Verdict::fresh;
}

std::size_t ChallengeCache::size() const {
    const std::lock_guard lock(m_mutex);
    return m_expiry.size();
}

}  // namespace shakedown::shadowmesh
