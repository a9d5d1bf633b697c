// Shared set-up of the STT fuzz targets and their corpus generator: a fixed identity pair (seeds,
// randomness, clock), so a datagram from the honest run of that pair is meaningful to a freshly
// built machine, and helpers that re-check output independently of the machine that made it.
// The machine targets' part of the generic driver is stt_machine_target.hpp.
#pragma once

#include <memory>
#include <optional>

#include "common/rng.hpp"
#include "fuzz/fuzz_target.hpp"
#include "stt/frame.hpp"
#include "stt/handshake.hpp"
#include "stt/manager.hpp"
#include "stt/messages.hpp"

namespace shakedown::stt::fuzz {

inline constexpr std::uint64_t kNow = 1767225600;
inline constexpr std::string_view kShared = "Shakedown STT fuzz network seed!";

inline ByteArray<32> filled(std::uint8_t b) {
    ByteArray<32> a{};
    a.fill(b);
    return a;
}

inline Config config(Role role) {
    Config c;
    c.role = role;
    c.node_seed = SecretBytes(filled(role == Role::initiator ? 0x01 : 0x02));
    c.shared_seed = SecretBytes(as_bytes(kShared));
    return c;
}

inline ByteArray<32> rng_seed(Role role) { return filled(role == Role::initiator ? 0xa1 : 0xb2); }

// The four datagrams of the honest run of the fixed pair.
inline std::vector<Bytes> honest_run() {
    FixedClock clock(kNow);
    SeededRng ri(rng_seed(Role::initiator));
    SeededRng rr(rng_seed(Role::acceptor));
    Handshake i(config(Role::initiator), ri, clock);
    Handshake r(config(Role::acceptor), rr, clock);
    i.start();
    r.start();
    std::vector<Bytes> wire;
    for (int round = 0; round < 4; ++round) {
        for (Bytes& d : i.take_output()) {
            wire.push_back(d);
            r.receive(d);
        }
        for (Bytes& d : r.take_output()) {
            wire.push_back(d);
            i.receive(d);
        }
    }
    return wire;
}

// Datagrams as the manager target reads them: u16be length, then that many bytes, each.
inline Bytes join(const std::vector<Bytes>& datagrams) {
    Bytes out;
    for (const Bytes& d : datagrams) {
        out.push_back(static_cast<std::uint8_t>(d.size() >> 8));
        out.push_back(static_cast<std::uint8_t>(d.size()));
        out.insert(out.end(), d.begin(), d.end());
    }
    return out;
}

// The message a handshake datagram carries, decoded afresh by the strict parsers, as views into
// the datagram (valid while it lives): the message and its TLV bytes.
inline std::optional<std::pair<MessageView, ByteView>> decode_datagram(ByteView d) {
    const auto f = parse_frame_view(d);
    if (!f || f->header.type != kFrameHandshake) {
        return std::nullopt;
    }
    const auto m = parse_message_view(f->payload);
    if (!m) {
        return std::nullopt;
    }
    return std::make_pair(*m, f->payload);
}

inline Bytes key_named(const Machine& m, std::string_view name) {
    for (const DerivedKey& k : m.derived_keys()) {
        if (k.name == name) {
            return k.value;
        }
    }
    return {};
}

}  // namespace shakedown::stt::fuzz
