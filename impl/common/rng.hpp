// Injected randomness and time. impl/ never reads a global RNG or clock for anything that reaches the
// wire, a key or a verdict; the one global draw is the key of the ShadowMesh replay cache's hash
// table (impl/shadowmesh/replay_cache.hpp), which decides only where a challenge is stored.
#pragma once

#include <cstdint>

#include "common/bytes.hpp"

namespace shakedown {

class Rng {
public:
    virtual ~Rng() = default;
    virtual void fill(std::span<std::uint8_t> out) = 0;
    template <std::size_t N>
    ByteArray<N> array() {
        ByteArray<N> out{};
        fill(out);
        return out;
    }
};

// Operating-system randomness (libsodium randombytes_buf).
class SystemRng final : public Rng {
public:
    void fill(std::span<std::uint8_t> out) override;
};

// Deterministic stream: ChaCha20 keystream under a 32-byte seed (libsodium randombytes_buf_deterministic
// semantics, continued across calls). Same seed, same bytes, on every platform.
class SeededRng final : public Rng {
public:
    explicit SeededRng(const ByteArray<32>& seed) : m_seed(seed) {}
    void fill(std::span<std::uint8_t> out) override;

private:
    Secret<32> m_seed;
    std::uint64_t m_counter = 0;
};

// Replays fixed bytes in order (vectors give every random value explicitly); running out is a
// programming error reported by exhausted().
class ScriptedRng final : public Rng {
public:
    explicit ScriptedRng(Bytes script) : m_script(std::move(script)) {}
    void fill(std::span<std::uint8_t> out) override;
    [[nodiscard]] bool exhausted() const noexcept { return m_overrun; }
    [[nodiscard]] std::size_t unused() const noexcept { return m_script.size() - m_pos; }

private:
    Bytes m_script;
    std::size_t m_pos = 0;
    bool m_overrun = false;
};

class Clock {
public:
    virtual ~Clock() = default;
    // Wall-clock time in whole seconds since the Unix epoch.
    [[nodiscard]] virtual std::uint64_t unix_seconds() const = 0;
};

class SystemClock final : public Clock {
public:
    [[nodiscard]] std::uint64_t unix_seconds() const override;
};

class FixedClock final : public Clock {
public:
    explicit FixedClock(std::uint64_t now) : m_now(now) {}
    [[nodiscard]] std::uint64_t unix_seconds() const override { return m_now; }
    void set(std::uint64_t now) noexcept { m_now = now; }
    void advance(std::uint64_t seconds) noexcept { m_now += seconds; }

private:
    std::uint64_t m_now;
};

}  // namespace shakedown
