// Millisecond time for the re-handshake timestamps (u64 Unix milliseconds, docs/protocols/
// shadowmesh.md §4.3). The common Clock reads whole seconds; a MillisClock is a Clock that also
// reads milliseconds, and the machines read milliseconds from any Clock through unix_millis_of().
#pragma once

#include <cstdint>

#include "common/rng.hpp"

namespace shakedown::shadowmesh {

class MillisClock : public Clock {
public:
    [[nodiscard]] virtual std::uint64_t unix_millis() const = 0;
    [[nodiscard]] std::uint64_t unix_seconds() const override { return unix_millis() / 1000; }
};

class FixedMillisClock final : public MillisClock {
public:
    explicit FixedMillisClock(std::uint64_t now_ms) : m_now(now_ms) {}
    [[nodiscard]] std::uint64_t unix_millis() const override { return m_now; }
    void set(std::uint64_t now_ms) noexcept { m_now = now_ms; }
    void advance(std::uint64_t ms) noexcept { m_now += ms; }

private:
    std::uint64_t m_now;
};

class SystemMillisClock final : public MillisClock {
public:
    [[nodiscard]] std::uint64_t unix_millis() const override;
};

// Milliseconds from a MillisClock, or seconds * 1000 from any other Clock (saturating).
[[nodiscard]] std::uint64_t unix_millis_of(const Clock& clock);

}  // namespace shakedown::shadowmesh
