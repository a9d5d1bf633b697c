// Shared set-up of the STT fuzz targets and their corpus generator: a fixed identity pair (seeds,
// randomness, clock), so a datagram from the honest run of that pair is meaningful to a freshly
// built machine, and helpers that re-check output independently of the machine that made it.
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

// Splits a fuzz input into datagrams: u16be length, then that many bytes, repeated.
inline std::vector<ByteView> split(ByteView in) {
    shakedown::fuzz::InputCursor c(in);
    std::vector<ByteView> out;
    while (!c.empty() && out.size() < 16) {
        const std::uint16_t n = c.u16be();
        out.push_back(c.bytes(n));
    }
    return out;
}

inline Bytes join(const std::vector<Bytes>& datagrams) {
    Bytes out;
    for (const Bytes& d : datagrams) {
        out.push_back(static_cast<std::uint8_t>(d.size() >> 8));
        out.push_back(static_cast<std::uint8_t>(d.size()));
        out.insert(out.end(), d.begin(), d.end());
    }
    return out;
}

// The message a handshake datagram carries, decoded afresh by the strict parsers.
inline std::optional<std::pair<Message, Bytes>> decode_datagram(ByteView d) {
    auto f = parse_frame(d);
    if (!f || f->header.type != kFrameHandshake) {
        return std::nullopt;
    }
    auto m = parse_message(f->payload);
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

// Feeds datagrams to one machine and checks, after every step: well-formed output of the kind this
// role sends, nothing after close, and, once authenticated, a session key equal to HKDF over the
// shared seed and the HELLO/RESPONSE it actually used (re-derived here from the datagrams).
inline void drive(Handshake& m, const std::vector<ByteView>& inputs) {
    const bool initiator = m.role() == Role::initiator;
    Bytes hello_tlv;
    Bytes response_tlv;
    auto check_output = [&](const std::vector<Bytes>& out) {
        for (const Bytes& d : out) {
            FUZZ_CHECK(d.size() <= kMaxDatagram);
            const auto dm = decode_datagram(d);
            FUZZ_CHECK(dm.has_value());
            const auto& msg = dm->first;
            if (initiator) {
                FUZZ_CHECK(std::holds_alternative<Hello>(msg) || std::holds_alternative<AuthProof>(msg));
                if (std::holds_alternative<Hello>(msg)) {
                    hello_tlv = dm->second;
                }
            } else {
                FUZZ_CHECK(std::holds_alternative<Response>(msg) || std::holds_alternative<Final>(msg));
                if (std::holds_alternative<Response>(msg)) {
                    response_tlv = dm->second;
                }
            }
        }
    };
    m.start();
    check_output(m.take_output());
    for (ByteView d : inputs) {
        const HandshakeState before = m.state();
        const bool was_closed = m.closure().has_value();
        m.receive(d);
        const auto out = m.take_output();
        if (was_closed) {
            FUZZ_CHECK(out.empty());
        }
        if (initiator && before == HandshakeState::awaiting_response && m.state() == HandshakeState::awaiting_final) {
            const auto dm = decode_datagram(d);
            FUZZ_CHECK(dm.has_value() && std::holds_alternative<Response>(dm->first));
            response_tlv = dm->second;
        }
        if (!initiator && before == HandshakeState::awaiting_hello && m.state() == HandshakeState::awaiting_auth_proof) {
            const auto dm = decode_datagram(d);
            FUZZ_CHECK(dm.has_value() && std::holds_alternative<Hello>(dm->first));
            hello_tlv = dm->second;
        }
        check_output(out);
        FUZZ_CHECK((m.next_action() == Action::closed) == m.closure().has_value());
        if (m.next_action() == Action::done) {
            FUZZ_CHECK(m.authenticated());
        }
    }
    if (m.authenticated()) {
        const Secret<32> expected = derive_session_key(as_bytes(kShared), transcript_hash(hello_tlv, response_tlv));
        const Bytes got = key_named(m, "session_key");
        FUZZ_CHECK(ct_equal(got, expected.view()));
        FUZZ_CHECK(m.session_id().size() == kSessionIdSize);
    }
}

}  // namespace shakedown::stt::fuzz
