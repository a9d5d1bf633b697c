#include "common/rng.hpp"

#include <sodium.h>

#include <chrono>

namespace shakedown {

void SystemRng::fill(std::span<std::uint8_t> out) {
    if (!out.empty()) {
        randombytes_buf(out.data(), out.size());
    }
}

void SeededRng::fill(std::span<std::uint8_t> out) {
    // Each call draws a fresh block stream: nonce = counter, so successive calls never overlap.
    if (out.empty()) {
        return;
    }
    ByteArray<crypto_stream_chacha20_ietf_NONCEBYTES> nonce{};
    std::uint64_t c = m_counter++;
    for (std::size_t i = 0; i < 8; ++i) {
        nonce[i] = static_cast<std::uint8_t>(c >> (8 * i));
    }
    secure_wipe(out);
    crypto_stream_chacha20_ietf_xor(out.data(), out.data(), out.size(), nonce.data(), m_seed.view().data());
}

void ScriptedRng::fill(std::span<std::uint8_t> out) {
    for (auto& b : out) {
        if (m_pos < m_script.size()) {
            b = m_script[m_pos++];
        } else {
            b = 0;
            m_overrun = true;
        }
    }
}

std::uint64_t SystemClock::unix_seconds() const {
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(now).count());
}

}  // namespace shakedown
