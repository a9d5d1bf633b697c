// STT's part of the generic state-machine driver (fuzz/machine_driver.hpp): the fixed identity
// pair of stt_driver.hpp, one datagram per unit. Invariants: every datagram sent is a well-formed
// handshake frame of a message its role sends; the HELLO and RESPONSE a machine used are the ones
// on the wire; once authenticated, the session key equals HKDF over the shared seed and those
// two messages, re-derived here from the datagrams.
#pragma once

#include <algorithm>
#include <array>
#include <optional>
#include <variant>

#include "fuzz/machine_driver.hpp"
#include "fuzz/stt/stt_driver.hpp"

namespace shakedown::stt::fuzz {

using shakedown::fuzz::MachineDriver;
using shakedown::fuzz::Unit;
using shakedown::fuzz::UnitTransport;

class SttTarget final : public shakedown::fuzz::MachineTarget {
public:
    [[nodiscard]] UnitTransport transport() const override { return UnitTransport::message; }

    [[nodiscard]] std::unique_ptr<Machine> make(Role role, bool under_test) override {
        auto& rng = m_rngs[role == Role::initiator ? 0 : 1];
        rng.emplace(rng_seed(role));
        auto m = std::make_unique<Handshake>(config(role), *rng, m_clock);
        (under_test ? m_machine : m_peer) = m.get();
        return m;
    }

    void on_output(const Machine& from, ByteView d) override {
        FUZZ_CHECK(d.size() <= kMaxDatagram);
        const auto dm = decode_datagram(d);
        FUZZ_CHECK(dm.has_value());
        const auto& msg = dm->first;
        if (from.role() == Role::initiator) {
            FUZZ_CHECK(std::holds_alternative<HelloView>(msg) || std::holds_alternative<AuthProofView>(msg));
            if (&from == m_machine && std::holds_alternative<HelloView>(msg)) {
                m_hello_tlv.assign(dm->second.begin(), dm->second.end());
            }
        } else {
            FUZZ_CHECK(std::holds_alternative<ResponseView>(msg) || std::holds_alternative<FinalView>(msg));
            if (&from == m_machine && std::holds_alternative<ResponseView>(msg)) {
                m_response_tlv.assign(dm->second.begin(), dm->second.end());
            }
        }
    }

    void on_delivered(const Machine& m, ByteView bytes) override {
        (void)m;
        m_delivered.assign(bytes.begin(), bytes.end());
        m_has_delivered = true;
        m_state_before = m_machine->state();
    }

    // The step that moved the machine past HELLO (responder) or RESPONSE (initiator) delivered
    // exactly that message, which is what the session key covers.
    void after_step(const Machine& m, const Machine& peer) override {
        (void)m;
        (void)peer;
        if (!m_has_delivered) {
            return;
        }
        const bool initiator = m_machine->role() == Role::initiator;
        if (initiator && m_state_before == HandshakeState::awaiting_response &&
            m_machine->state() == HandshakeState::awaiting_final) {
            const auto dm = decode_datagram(m_delivered);
            FUZZ_CHECK(dm.has_value() && std::holds_alternative<ResponseView>(dm->first));
            m_response_tlv.assign(dm->second.begin(), dm->second.end());
        }
        if (!initiator && m_state_before == HandshakeState::awaiting_hello &&
            m_machine->state() == HandshakeState::awaiting_auth_proof) {
            const auto dm = decode_datagram(m_delivered);
            FUZZ_CHECK(dm.has_value() && std::holds_alternative<HelloView>(dm->first));
            m_hello_tlv.assign(dm->second.begin(), dm->second.end());
        }
        m_has_delivered = false;
    }

    // The frame header around a handshake message is outside the transcript: only the message
    // itself is authenticated.
    [[nodiscard]] bool tamper_must_be_rejected(const Unit& original, const Bytes& delivered) override {
        const auto a = decode_datagram(original.bytes);
        const auto b = decode_datagram(delivered);
        if (!a || !b || std::ranges::equal(a->second, b->second)) {
            return !a || !b;
        }
        // FINAL is an unauthenticated confirmation (docs/protocols/stt.md): with the same session
        // id, another timestamp inside the window is a FINAL like any other.
        const auto* fa = std::get_if<FinalView>(&a->first);
        const auto* fb = std::get_if<FinalView>(&b->first);
        if (fa != nullptr && fb != nullptr) {
            return !std::ranges::equal(fa->session_id, fb->session_id);
        }
        return true;
    }

    void finish(const Machine& m, const Machine& peer, bool genuine) override {
        (void)m;
        (void)peer;
        (void)genuine;
        if (m_machine->authenticated()) {
            const Secret<32> expected =
                derive_session_key(as_bytes(kShared), transcript_hash(m_hello_tlv, m_response_tlv));
            FUZZ_INVARIANT(ct_equal(key_named(*m_machine, "session_key"), expected.view()),
                           "the session key is HKDF over the HELLO and RESPONSE on the wire");
            FUZZ_CHECK(m_machine->session_id().size() == kSessionIdSize);
        }
    }

private:
    FixedClock m_clock{kNow};
    std::array<std::optional<SeededRng>, 2> m_rngs;
    const Handshake* m_machine = nullptr;
    const Handshake* m_peer = nullptr;
    Bytes m_hello_tlv;
    Bytes m_response_tlv;
    Bytes m_delivered;  // the last delivery, while m_has_delivered
    bool m_has_delivered = false;
    HandshakeState m_state_before = HandshakeState::idle;
};

inline void run_stt_target(Role role, ByteView input) {
    SttTarget t;
    t.run(role, input);
}

}  // namespace shakedown::stt::fuzz
