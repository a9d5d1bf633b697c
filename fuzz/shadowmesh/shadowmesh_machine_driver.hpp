// State-machine driver for the ShadowMesh targets: the fuzz input is a script of peer actions
// against one reference machine (initiator or responder, strict or upstream), keyed with the
// section 9 keys of docs/protocols/shadowmesh.md. Ops (one byte, then operands):
//   0 binary  u16be length, bytes      1 text  u16be length, bytes
//   2 idle_timeout                     3 peer_closed
//   4 advance the clock by u16be ms    5 the honest peer's next frame (so deep states are reachable)
//   6 the honest peer's next frame with one byte XORed (u8 index, u8 mask)
// Invariants after every step: every unit sent is a strict frame of a type this role may send, in
// the order of §5 and at most once each; nothing is sent after closing except the CLOSE itself;
// authentication never goes back; when authenticated, the MAC the machine accepted equals the one
// computed here independently; upstream never closes over an undecodable unit.
#pragma once

#include <optional>

#include "common/crypto.hpp"
#include "fuzz/fuzz_target.hpp"
#include "shadowmesh/clock.hpp"
#include "shadowmesh/rehandshake.hpp"

namespace shakedown::fuzz {

namespace sm = shakedown::shadowmesh;

inline constexpr std::uint64_t kScriptT1 = 1762230765000;

template <std::size_t N>
ByteArray<N> counting_bytes(std::uint8_t first) {
    ByteArray<N> a{};
    for (std::size_t i = 0; i < N; ++i) {
        a[i] = static_cast<std::uint8_t>(first + i);
    }
    return a;
}

inline void run_machine_script(ByteView input, Role role, sm::Profile profile) {
    const sm::SessionId sid = counting_bytes<16>(0x01);
    const ByteArray<32> a_tx = counting_bytes<32>(0x01);  // responder
    const ByteArray<32> a_rx = counting_bytes<32>(0x21);  // initiator's TX
    const sm::Challenge c_i = counting_bytes<32>(0xa0);
    const sm::Challenge c_r = counting_bytes<32>(0xc0);
    const bool ini = role == Role::initiator;
    sm::FixedMillisClock clock(kScriptT1);
    ScriptedRng rng(ini ? Bytes(c_i.begin(), c_i.end()) : Bytes(c_r.begin(), c_r.end()));
    sm::Config cfg{role, profile,
                   sm::SessionKeys{sid, Secret<32>(ini ? a_rx : a_tx), Secret<32>(ini ? a_tx : a_rx)}, nullptr, {}};
    sm::Rehandshake m(std::move(cfg), rng, clock);
    m.start();

    // What the honest peer sends next: initiator-under-test gets RESPONSE, responder REQUEST then
    // COMPLETE.
    std::size_t honest_step = 0;
    const auto honest = [&]() -> Bytes {
        const std::uint64_t now = clock.unix_millis();
        if (ini) {
            return sm::encode_frame(sm::RehandshakeResponse{sid, crypto::hmac_sha256(a_tx, c_i), c_r, now});
        }
        return honest_step++ == 0 ? sm::encode_frame(sm::RehandshakeRequest{sid, c_i, now})
                                  : sm::encode_frame(sm::RehandshakeComplete{sid, crypto::hmac_sha256(a_rx, c_r), now});
    };

    bool was_authenticated = false;
    bool closed_seen = false;
    std::size_t requests = 0;
    std::size_t responses = 0;
    std::size_t completes = 0;
    // Takes and checks what the machine sends now, stamped with the clock as it reads now.
    const auto drain = [&]() {
        const auto out = m.take_output();
        for (const auto& u : out) {
            FUZZ_CHECK(!closed_seen);
            const auto f = sm::decode_frame(u, sm::Profile::strict);
            FUZZ_CHECK(f.ok());
            switch (sm::type_of(f->message)) {
                case sm::MessageType::rehandshake_request: {
                    FUZZ_CHECK(ini && ++requests == 1);
                    const auto& r = std::get<sm::RehandshakeRequest>(f->message);
                    FUZZ_CHECK(r.session_id == sid && r.challenge == c_i && r.timestamp_ms == clock.unix_millis());
                    break;
                }
                case sm::MessageType::rehandshake_response: {
                    FUZZ_CHECK(!ini && ++responses == 1);
                    const auto& r = std::get<sm::RehandshakeResponse>(f->message);
                    FUZZ_CHECK(r.challenge == c_r && r.timestamp_ms == clock.unix_millis());
                    break;
                }
                case sm::MessageType::rehandshake_complete:
                    FUZZ_CHECK(ini && requests == 1 && ++completes == 1);
                    FUZZ_CHECK(std::get<sm::RehandshakeComplete>(f->message).timestamp_ms == clock.unix_millis());
                    break;
                case sm::MessageType::close:
                    // Only strict says CLOSE, only when closing, and only once.
                    FUZZ_CHECK(profile == sm::Profile::strict && m.closure().has_value());
                    closed_seen = true;
                    break;
                default: FUZZ_CHECK(false);
            }
        }
        return out;
    };
    (void)drain();
    InputCursor in(input);
    for (int steps = 0; !in.empty() && steps < 64; ++steps) {
        const std::size_t dropped_before = m.dropped().size();
        const bool was_closed = m.closure().has_value();
        const std::uint8_t op = in.u8() % 7;
        bool received_binary = false;
        switch (op) {
            case 0: {
                const ByteView b = in.bytes(in.u16be() % 512);
                m.receive(b);
                received_binary = true;
                break;
            }
            case 1: m.receive_text(in.bytes(in.u16be() % 512)); break;
            case 2: m.idle_timeout(); break;
            case 3: m.peer_closed(); break;
            case 4: clock.advance(in.u16be()); break;
            case 5:
                m.receive(honest());
                received_binary = true;
                break;
            default: {
                Bytes b = honest();
                const std::uint8_t at = in.u8();
                b[at % b.size()] ^= in.u8();
                m.receive(b);
                received_binary = true;
                break;
            }
        }
        const auto out = drain();
        if (was_closed) {
            FUZZ_CHECK(out.empty());
        }
        if (m.closure() && !closed_seen && profile == sm::Profile::strict && !m.closure()->by_peer &&
            m.closure()->failure.code != Error::peer_error) {
            FUZZ_CHECK(false);  // a strict abort without its CLOSE
        }
        if (m.closure()) {
            closed_seen = true;
        }
        if (profile == sm::Profile::upstream && received_binary && !was_closed && m.closure()) {
            // Upstream drops undecodable units: a close here is never a codec error.
            FUZZ_CHECK(!is_codec_error(m.closure()->failure.code));
            FUZZ_CHECK(m.closure()->failure.code != Error::wrong_version &&
                       m.closure()->failure.code != Error::oversize);
        }
        if (profile == sm::Profile::strict) {
            FUZZ_CHECK(m.dropped().size() == dropped_before);
        }
        FUZZ_CHECK(!was_authenticated || m.authenticated());
        was_authenticated = m.authenticated();
        if (m.authenticated()) {
            // The MACs behind DONE, recomputed here from the challenges the machine used: the
            // local one must be the injected draw, and only the right keys give these values.
            std::optional<Bytes> ci;
            std::optional<Bytes> cr;
            std::optional<Bytes> response_mac;
            std::optional<Bytes> complete_mac;
            for (const auto& k : m.derived_keys()) {
                if (k.name == "challenge_initiator") {
                    ci = k.value;
                } else if (k.name == "challenge_responder") {
                    cr = k.value;
                } else if (k.name == "response_mac") {
                    response_mac = k.value;
                } else if (k.name == "complete_mac") {
                    complete_mac = k.value;
                }
            }
            FUZZ_CHECK(ci && cr && response_mac && complete_mac);
            FUZZ_CHECK(ct_equal(ini ? *ci : *cr, ini ? ByteView(c_i) : ByteView(c_r)));
            FUZZ_CHECK(ct_equal(*response_mac, crypto::hmac_sha256(a_tx, *ci)));
            FUZZ_CHECK(ct_equal(*complete_mac, crypto::hmac_sha256(a_rx, *cr)));
        }
    }
}

}  // namespace shakedown::fuzz
