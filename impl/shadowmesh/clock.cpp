#include "shadowmesh/clock.hpp"

#include <chrono>
#include <limits>

namespace shakedown::shadowmesh {

std::uint64_t SystemMillisClock::unix_millis() const {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(now).count());
}

std::uint64_t unix_millis_of(const Clock& clock) {
    if (const auto* ms = dynamic_cast<const MillisClock*>(&clock)) {
        return ms->unix_millis();
    }
    const std::uint64_t s = clock.unix_seconds();
    constexpr std::uint64_t kMax = std::numeric_limits<std::uint64_t>::max() / 1000;
    return s > kMax ? std::numeric_limits<std::uint64_t>::max() : s * 1000;
}

}  // namespace shakedown::shadowmesh
