// ShadowMesh's part of the generic state-machine driver (fuzz/machine_driver.hpp): both machines
// keyed with the section 9 keys of docs/protocols/shadowmesh.md, one millisecond clock shared by
// both, one WebSocket message per unit, and the rules of §5.
//
// Variant op (script op 13), by arg % 2:
//   0 a text WebSocket message: u16be n (mod 512), n bytes
//   1 the clock moves on by u16be milliseconds
// Invariants: every unit sent is a strict frame of a type its role may send, in the order of §5
// and at most once each; nothing is sent after the CLOSE; a strict machine closes with a CLOSE and
// drops nothing; upstream never closes over an undecodable unit; when authenticated, the MACs the
// machine accepted equal the ones computed here independently (when it authenticates, and at the
// end).
#pragma once

#include <array>
#include <optional>

#include "common/crypto.hpp"
#include "fuzz/machine_driver.hpp"
#include "shadowmesh/clock.hpp"
#include "shadowmesh/keys.hpp"
#include "shadowmesh/rehandshake.hpp"

namespace shakedown::fuzz {

namespace sm = shakedown::shadowmesh;

inline constexpr std::uint64_t kScriptT1 = 1762230765000;

class ShadowMeshTarget final : public MachineTarget {
public:
    explicit ShadowMeshTarget(sm::Profile profile) : m_profile(profile) {}

    [[nodiscard]] UnitTransport transport() const override { return UnitTransport::message; }

    [[nodiscard]] std::unique_ptr<Machine> make(Role role, bool under_test) override {
        const bool ini = role == Role::initiator;
        auto& rng = m_rngs[ini ? 0 : 1];
        rng.emplace(ini ? Bytes(m_ci.begin(), m_ci.end()) : Bytes(m_cr.begin(), m_cr.end()));
        sm::Config cfg{role,
                       m_profile,
                       sm::SessionKeys{m_sid, Secret<32>(ini ? m_arx : m_atx), Secret<32>(ini ? m_atx : m_arx)},
                       nullptr,
                       {}};
        auto m = std::make_unique<sm::Rehandshake>(std::move(cfg), *rng, m_clock);
        (under_test ? m_machine : m_peer) = m.get();
        return m;
    }

    void variant_op(MachineDriver& d, std::uint8_t arg, InputCursor& in) override {
        if ((arg & 1) == 0) {
            const ByteView text = in.bytes(in.u16be() % 512);
            d.act([&](Machine& m) { static_cast<sm::Rehandshake&>(m).receive_text(text); }, false);
        } else {
            const std::uint16_t ms = in.u16be();
            d.act([&](Machine&) { m_clock.advance(ms); }, true);
        }
    }

    void on_delivered(const Machine& m, ByteView bytes) override {
        (void)m;
        (void)bytes;
        m_received_binary = true;
    }

    void on_output(const Machine& from, ByteView unit) override {
        const bool ini = from.role() == Role::initiator;
        Sent& s = sent_of(from);
        FUZZ_CHECK(!s.close);  // nothing after the CLOSE
        const auto f = sm::decode_frame(unit, sm::Profile::strict);
        FUZZ_CHECK(f.ok());
        switch (sm::type_of(f->message)) {
            case sm::MessageType::rehandshake_request: {
                FUZZ_CHECK(ini && ++s.requests == 1);
                const auto& r = std::get<sm::RehandshakeRequest>(f->message);
                FUZZ_CHECK(r.session_id == m_sid && r.challenge == m_ci && r.timestamp_ms == m_clock.unix_millis());
                break;
            }
            case sm::MessageType::rehandshake_response: {
                FUZZ_CHECK(!ini && ++s.responses == 1);
                const auto& r = std::get<sm::RehandshakeResponse>(f->message);
                FUZZ_CHECK(r.challenge == m_cr && r.timestamp_ms == m_clock.unix_millis());
                break;
            }
            case sm::MessageType::rehandshake_complete:
                FUZZ_CHECK(ini && s.requests == 1 && ++s.completes == 1);
                FUZZ_CHECK(std::get<sm::RehandshakeComplete>(f->message).timestamp_ms == m_clock.unix_millis());
                break;
            case sm::MessageType::close:
                // Only strict says CLOSE, only when closing, and only once.
                FUZZ_CHECK(m_profile == sm::Profile::strict && from.closure().has_value());
                s.close = true;
                break;
            default: FUZZ_CHECK(false && "a frame type the re-handshake never sends");
        }
    }

    void after_step(const Machine& m, const Machine& peer) override {
        (void)m;
        (void)peer;
        const auto& closure = m_machine->closure();
        if (closure && !m_closed) {
            if (m_profile == sm::Profile::strict && !closure->by_peer && closure->failure.code != Error::peer_error) {
                FUZZ_INVARIANT(m_sent[0].close, "a strict abort sends its CLOSE");
            }
            if (m_profile == sm::Profile::upstream && m_received_binary) {
                // Upstream drops undecodable units: a close here is never a codec error.
                FUZZ_CHECK(!is_codec_error(closure->failure.code));
                FUZZ_CHECK(closure->failure.code != Error::wrong_version && closure->failure.code != Error::oversize);
            }
        }
        m_closed = closure.has_value();
        m_received_binary = false;
        if (m_profile == sm::Profile::strict) {
            FUZZ_CHECK(m_machine->dropped().empty());
        }
    }

    // The MACs are checked in the step that authenticated and again at the end: whatever the
    // steps between did, the values the machine holds must still be the ones computed here.
    void on_authenticated(const Machine& m, const Machine& peer, bool genuine) override {
        (void)m;
        (void)peer;
        (void)genuine;
        check_macs();
    }

    void finish(const Machine& m, const Machine& peer, bool genuine) override {
        (void)m;
        (void)peer;
        (void)genuine;
        if (m_machine->authenticated()) {
            check_macs();
        }
    }

    // Timestamps are outside every MAC, and so is the responder's challenge as the initiator sees
    // it (it authenticates on the MAC over its own challenge; the responder then refuses the
    // COMPLETE); header fields beyond the type are not covered either.
    // A genuine unit in the place of another is no forgery either: the harness fixes both challenges,
    // so the COMPLETE an honest initiator sends in one run is valid in every run (with fresh
    // challenges it could not exist before the RESPONSE it answers). E.g. a foreign REQUEST, then
    // the seed corpus's genuine COMPLETE in the place of the honest REQUEST: the responder rightly
    // authenticates, as the MAC over its own challenge is right.
    [[nodiscard]] bool tamper_must_be_rejected(const Unit& original, const Bytes& delivered) override {
        auto a = sm::decode_frame(original.bytes, m_profile);
        auto b = sm::decode_frame(delivered, m_profile);
        if (!a || !b) {
            return true;
        }
        const sm::Message got = unauthenticated_cleared(b->message);
        if (got == unauthenticated_cleared(a->message)) {
            return false;
        }
        return !is_genuine(got);
    }

private:
    struct Sent {
        std::size_t requests = 0;
        std::size_t responses = 0;
        std::size_t completes = 0;
        bool close = false;
    };

    [[nodiscard]] Sent& sent_of(const Machine& m) { return &m == m_machine ? m_sent[0] : m_sent[1]; }

    [[nodiscard]] static sm::Message unauthenticated_cleared(sm::Message m) {
        if (auto* r = std::get_if<sm::RehandshakeRequest>(&m)) {
            r->timestamp_ms = 0;
        } else if (auto* s = std::get_if<sm::RehandshakeResponse>(&m)) {
            s->timestamp_ms = 0;
            s->challenge = {};
        } else if (auto* c = std::get_if<sm::RehandshakeComplete>(&m)) {
            c->timestamp_ms = 0;
        }
        return m;
    }

    // One of the three units of an honest exchange under the harness's keys and challenges, with
    // its unauthenticated fields cleared.
    [[nodiscard]] bool is_genuine(const sm::Message& cleared) const {
        const sm::Message genuine[] = {
            sm::RehandshakeRequest{m_sid, m_ci, 0},
            unauthenticated_cleared(sm::RehandshakeResponse{m_sid, crypto::hmac_sha256(m_atx, m_ci), m_cr, 0}),
            sm::RehandshakeComplete{m_sid, crypto::hmac_sha256(m_arx, m_cr), 0},
        };
        for (const auto& g : genuine) {
            if (cleared == g) {
                return true;
            }
        }
        return false;
    }

    // The MACs behind DONE, recomputed here from the challenges the machine used: the local one
    // must be the injected draw, and only the right keys give these values.
    void check_macs() const {
        const bool ini = m_machine->role() == Role::initiator;
        std::optional<Bytes> ci;
        std::optional<Bytes> cr;
        std::optional<Bytes> response_mac;
        std::optional<Bytes> complete_mac;
        for (const auto& k : m_machine->derived_keys()) {
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
        FUZZ_CHECK(ct_equal(ini ? *ci : *cr, ini ? ByteView(m_ci) : ByteView(m_cr)));
        FUZZ_CHECK(ct_equal(*response_mac, crypto::hmac_sha256(m_atx, *ci)));
        FUZZ_CHECK(ct_equal(*complete_mac, crypto::hmac_sha256(m_arx, *cr)));
    }

    sm::Profile m_profile;
    const sm::SessionId m_sid = sm::counting_bytes<16>(0x01);
    const ByteArray<32> m_atx = sm::counting_bytes<32>(0x01);  // responder's TX
    const ByteArray<32> m_arx = sm::counting_bytes<32>(0x21);  // initiator's TX
    const sm::Challenge m_ci = sm::counting_bytes<32>(0xa0);
    const sm::Challenge m_cr = sm::counting_bytes<32>(0xc0);
    sm::FixedMillisClock m_clock{kScriptT1};
    std::array<std::optional<ScriptedRng>, 2> m_rngs;
    const sm::Rehandshake* m_machine = nullptr;
    const sm::Rehandshake* m_peer = nullptr;
    std::array<Sent, 2> m_sent{};
    bool m_closed = false;
    bool m_received_binary = false;
};

inline void run_shadowmesh_target(Role role, sm::Profile profile, ByteView input) {
    ShadowMeshTarget t(profile);
    t.run(role, input);
}

}  // namespace shakedown::fuzz
