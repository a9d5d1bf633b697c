// In-memory drivers for STT tests: two machines in step, and small helpers.
#pragma once

#include <memory>

#include "common/rng.hpp"
#include "stt/handshake.hpp"

namespace shakedown::stt::test {

inline constexpr std::uint64_t kNow = 1767225600;  // 2026-01-01T00:00:00Z

inline ByteArray<32> seed_of(std::uint8_t b) {
    ByteArray<32> s{};
    s.fill(b);
    return s;
}

inline Config config(Role role, std::string_view shared = "shared seed of the test network!!") {
    Config c;
    c.role = role;
    const ByteArray<32> node = seed_of(role == Role::initiator ? 0x11 : 0x22);
    c.node_seed = SecretBytes(node);
    c.shared_seed = SecretBytes(as_bytes(shared));
    return c;
}

struct Pair {
    explicit Pair(Config ci, Config cr, std::uint64_t now_i = kNow, std::uint64_t now_r = kNow)
        : clock_i(now_i), clock_r(now_r), rng_i(seed_of(0xa1)), rng_r(seed_of(0xb2)),
          initiator(std::move(ci), rng_i, clock_i), responder(std::move(cr), rng_r, clock_r) {}
    Pair() : Pair(config(Role::initiator), config(Role::acceptor)) {}

    // Delivers every queued datagram to the other side until neither has anything to send.
    // Returns the datagrams in the order they were sent.
    std::vector<Bytes> run() {
        std::vector<Bytes> wire;
        initiator.start();
        responder.start();
        for (int rounds = 0; rounds < 16; ++rounds) {
            bool moved = false;
            for (Bytes& d : initiator.take_output()) {
                wire.push_back(d);
                responder.receive(d);
                moved = true;
            }
            for (Bytes& d : responder.take_output()) {
                wire.push_back(d);
                initiator.receive(d);
                moved = true;
            }
            if (!moved) {
                break;
            }
        }
        return wire;
    }

    FixedClock clock_i;
    FixedClock clock_r;
    SeededRng rng_i;
    SeededRng rng_r;
    Handshake initiator;
    Handshake responder;
};

}  // namespace shakedown::stt::test
