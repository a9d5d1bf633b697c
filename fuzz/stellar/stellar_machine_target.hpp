// Stellar's part of the generic state-machine driver (fuzz/machine_driver.hpp): both machines
// built from the inputs of transcript vector tcId 1 (vectors/stellar/handshake_test.json: node
// seeds, X25519 secrets, nonces, clock), so the honest peer's records equal the vectors' byte for
// byte; records framed with a record mark; and the records and states every Stellar handshake
// must keep to.
//
// Variant op (script op 13), one input byte of operand, a signed sequence shift:
//   arg even: the honest peer's next record re-sequenced by the shift with its MAC recomputed under
//     the honest sender's key (MAC'd types only): a sequence error with a valid MAC
//   arg odd: the last honest record again, re-sequenced and MAC'd whatever its type: authentic
//     but never sent (a second HELLO, or an AUTH after authentication)
#pragma once

#include <algorithm>
#include <memory>
#include <optional>
#include <vector>

#include "fuzz/machine_driver.hpp"
#include "stellar/codec.hpp"
#include "stellar/handshake.hpp"
#include "stellar/machine.hpp"

namespace shakedown::fuzz {

using stellar::Handshake;
using stellar::MessageType;

inline constexpr std::uint64_t kNow = 1767225600;  // tcId 1: both clocks

struct SideSecrets {
    const char* node_seed;
    const char* ecdh_secret;
    const char* nonce;
};
// tcId 1 ("honest handshake") inputs; fuzz/make_corpus.cpp refuses to write seeds if they drift.
inline constexpr SideSecrets kInitiatorSecrets = {
    "782550f70eda487eafb0380ead8fe3b7e051c03999c4794f60ae60a729567ca2",
    "60db9be1602eb52c22768c26048b8ee424538ffd347a1be1cae17a015b45c043",
    "591c263b22ec04fdabd85feae83e55fb70006cf98359ade72bcc59c12218b3d1",
};
inline constexpr SideSecrets kAcceptorSecrets = {
    "fcf83eeeea8d3e19ffc54b48cd71416c199e5eed71958305c1e54d370d56c6e4",
    "470b5ea63c5bfdfc9428f77a6917ab02c67ba0ea76cf894fb65b6737cbba335b",
    "511aae4a4471cbcb6d3230849f3dd0343fc363e1360c9456cbc51d437c82ed1b",
};

[[nodiscard]] inline const SideSecrets& secrets_for(Role role) {
    return role == Role::initiator ? kInitiatorSecrets : kAcceptorSecrets;
}

template <std::size_t N>
[[nodiscard]] ByteArray<N> hex_array(const char* hex) {
    const auto b = from_hex(hex);
    FUZZ_CHECK(b.has_value() && b->size() == N);
    ByteArray<N> out{};
    std::copy(b->begin(), b->end(), out.begin());
    return out;
}

// A reference machine with its own deterministic randomness and clock, which it holds by reference.

[[nodiscard]] inline bool is_closure_error(Error e) {
    switch (e) {
        case Error::oversize:
        case Error::unexpected_message:
        case Error::bad_mac:
        case Error::bad_signature:
        case Error::bad_sequence:
        case Error::weak_key:
        case Error::expired:
        case Error::wrong_network:
        case Error::wrong_version:
        case Error::self_connection:
        case Error::bad_flags:
        case Error::bad_address:
        case Error::already_connected:
        case Error::peer_error:
        case Error::peer_closed:
        case Error::timeout: return true;
        default: return is_codec_error(e);
    }
}

// What the closing ERROR says must match why the machine closed (vectors/README.md, "Processing of
// one delivered record"): a peer that reads ERR_AUTH must be able to trust it was a MAC or sequence
// problem, and so on.
[[nodiscard]] inline bool error_code_matches(stellar::ErrorCode code, Error why) {
    switch (code) {
        case stellar::ErrorCode::data: return is_codec_error(why);
        case stellar::ErrorCode::auth: return why == Error::bad_mac || why == Error::bad_sequence;
        case stellar::ErrorCode::conf:
            return why == Error::wrong_version || why == Error::self_connection || why == Error::wrong_network ||
                   why == Error::bad_address || why == Error::already_connected || why == Error::bad_flags;
        case stellar::ErrorCode::misc: return why == Error::unexpected_message;
        case stellar::ErrorCode::load: return false;
    }
    return false;
}

// Watches one machine (under test or the honest peer) across steps. Everything it asserts holds for the reference
// without quirks whatever bytes it is fed.
class RecordChecks {
public:
    explicit RecordChecks(const Handshake& machine) : m_machine(machine) {}

    // A record the machine sent.
    void check_record(ByteView record) {
        m_bytes_sent += record.size();
        // Everything the reference sends during a handshake is small: at most a HELLO, an AUTH, a
        // PEERS, a SEND_MORE_EXTENDED and an ERROR, each once.
        FUZZ_CHECK(m_bytes_sent <= 2048);
        // One whole record (parse_frame's checks, without copying the body).
        FUZZ_CHECK(record.size() >= 4);
        const auto header = stellar::check_frame_header(record.first(4), false);
        FUZZ_CHECK(header.ok() && header->length == record.size() - 4);
        FUZZ_CHECK(header->last_fragment_bit);
        const ByteView frame_body = record.subspan(4);
        const auto am = stellar::parse_authenticated_message(frame_body);
        FUZZ_CHECK(am.ok());
        const MessageType type = stellar::type_of(am->message);
        const ByteArray<32> zero{};
        switch (type) {
            case MessageType::hello:
                FUZZ_CHECK(++m_hellos == 1);
                FUZZ_CHECK(std::get<stellar::Hello>(am->message) == m_machine.local_hello());
                // The initiator speaks first; the acceptor answers a HELLO it has received.
                FUZZ_CHECK(m_machine.config().role == Role::initiator ? m_bytes_sent == record.size()
                                                                      : m_machine.records_received() > 0);
                FUZZ_CHECK(am->sequence == 0 && am->mac == zero);
                return;
            case MessageType::error_msg: {
                FUZZ_CHECK(++m_errors == 1);
                FUZZ_CHECK(am->sequence == 0 && am->mac == zero);
                const auto& err = std::get<stellar::ErrorMsg>(am->message);
                FUZZ_CHECK(err.code == stellar::ErrorCode::misc || err.code == stellar::ErrorCode::data ||
                           err.code == stellar::ErrorCode::conf || err.code == stellar::ErrorCode::auth);
                // An ERROR is the last word: the machine closed with it, and says why consistently.
                FUZZ_CHECK(m_machine.state() == stellar::HandshakeState::closed);
                FUZZ_CHECK(m_machine.closure().has_value() && m_machine.closure()->sent_error.has_value());
                FUZZ_CHECK(*m_machine.closure()->sent_error == err);
                FUZZ_CHECK(error_code_matches(err.code, m_machine.closure()->failure.code));
                return;
            }
            case MessageType::auth:
                FUZZ_CHECK(++m_auths == 1);
                FUZZ_CHECK(std::get<stellar::Auth>(am->message).flags == stellar::kAuthFlagFlowControlBytes);
                break;
            case MessageType::peers:
                FUZZ_CHECK(++m_peers == 1);
                FUZZ_CHECK(m_machine.config().role == Role::acceptor);
                FUZZ_CHECK(std::get<stellar::Peers>(am->message).peers.empty());
                break;
            case MessageType::send_more_extended:
                FUZZ_CHECK(++m_send_mores == 1);
                FUZZ_CHECK(m_machine.authenticated());
                FUZZ_CHECK(std::get<stellar::SendMoreExtended>(am->message) == m_machine.config().flow_control);
                break;
            default: FUZZ_CHECK(false && "the handshake sent a message type it never sends");
        }
        // MAC'd messages: consecutive sequence numbers from 0 and a MAC under the send key, which
        // the machine can only have once it accepted a HELLO.
        FUZZ_CHECK(m_machine.keys().has_value());
        FUZZ_CHECK(am->sequence == m_next_send_seq);
        ++m_next_send_seq;
        FUZZ_CHECK(am->mac == stellar::message_mac(m_machine.keys()->send, am->sequence,
                                                   stellar::mac_covered_bytes(frame_body)));
    }

    // vectors/README.md rule H, from the HELLO alone: a cert valid now for this network and
    // signed by the claimed peer ID, another node, compatible versions, a usable port.
private:
    [[nodiscard]] bool hello_acceptable(const stellar::Hello& h) const {
        const auto& c = m_machine.config();
        const auto network = stellar::network_id(c.network_passphrase);
        return stellar::verify_cert(h.cert, h.peer_id, network, kNow).ok() && h.peer_id != m_machine.node_id() &&
               h.network_id == network && h.overlay_min_version <= h.overlay_version &&
               h.overlay_version >= c.overlay_min_version && h.overlay_min_version <= c.overlay_version &&
               h.listening_port > 0 && h.listening_port <= 65535;
    }

public:
    // The machine's state after a step.
    void check_state() {
        const auto state = m_machine.state();
        // Every state the machine reaches has a name (logs and reports print it).
        FUZZ_CHECK(stellar::to_string(state) != "unknown");
        const auto& closure = m_machine.closure();
        FUZZ_CHECK(closure.has_value() == (state == stellar::HandshakeState::closed));
        if (closure) {
            FUZZ_CHECK(is_closure_error(closure->failure.code));
            if (closure->by_peer) {
                FUZZ_CHECK(closure->failure.code == Error::peer_closed && !closure->sent_error);
            }
        }
        // Authentication only ever follows a HELLO that passes every check, re-done here
        // independently of recv_hello.
        if (m_machine.authenticated()) {
            FUZZ_CHECK(m_machine.remote_hello().has_value());
            if (!m_authenticated) {
                // Once, when it happens (a signature check per step would dominate the run); the
                // HELLO it was checked on must then stay the one the machine holds.
                FUZZ_CHECK(hello_acceptable(*m_machine.remote_hello()));
                m_authenticated_with = m_machine.remote_hello();
            }
            FUZZ_CHECK(m_machine.remote_hello() == m_authenticated_with);
            FUZZ_CHECK(m_machine.keys().has_value());
            FUZZ_CHECK(state == stellar::HandshakeState::authenticated || state == stellar::HandshakeState::closed);
        }
        // Keys, once derived, never change: a second HELLO must not re-key the connection.
        if (m_keys) {
            FUZZ_CHECK(m_machine.keys().has_value() && m_machine.shared().has_value());
            FUZZ_CHECK(m_machine.keys()->send == m_keys->send);
            FUZZ_CHECK(m_machine.keys()->recv == m_keys->recv);
            FUZZ_CHECK(*m_machine.shared() == *m_shared);
        } else if (m_machine.keys()) {
            FUZZ_CHECK(m_machine.shared().has_value());
            m_keys = m_machine.keys();
            m_shared = m_machine.shared();
        }
        m_authenticated = m_machine.authenticated();
    }

private:
    const Handshake& m_machine;
    bool m_authenticated = false;
    std::optional<stellar::Hello> m_authenticated_with;
    std::optional<stellar::MacKeys> m_keys;
    std::optional<Secret<32>> m_shared;
    std::uint64_t m_next_send_seq = 0;
    std::size_t m_bytes_sent = 0;
    int m_hellos = 0;
    int m_errors = 0;
    int m_auths = 0;
    int m_peers = 0;
    int m_send_mores = 0;
};

// The machine under test, the honest peer, and the records in flight from the peer to the machine.
// An honest record (framed) with its sequence shifted by `shift` and its MAC recomputed under the
// honest sender's send key: for MAC'd types only, or for every type but ERROR_MSG with `mac_all`.
[[nodiscard]] inline Bytes resequenced(const Handshake& sender, ByteView framed, int shift, bool mac_all) {
    // An honest record: the record mark, then AuthenticatedMessage v0 (version, sequence,
    // StellarMessage, MAC). The sequence and the MAC are rewritten in place; the record mark and
    // the message stay as sent, so nothing is parsed again.
    constexpr std::size_t kMark = 4;
    constexpr std::size_t kSeqAt = 4;
    constexpr std::size_t kMac = 32;
    Bytes out(framed.begin(), framed.end());
    FUZZ_CHECK(out.size() >= kMark + kSeqAt + 8 + 4 + kMac);
    std::uint8_t* const seq_at = out.data() + kMark + kSeqAt;
    std::uint64_t sequence = 0;
    for (std::size_t k = 0; k < 8; ++k) {
        sequence = (sequence << 8) | seq_at[k];
    }
    sequence += static_cast<std::uint64_t>(static_cast<std::int64_t>(shift));
    for (std::size_t k = 0; k < 8; ++k) {
        seq_at[k] = static_cast<std::uint8_t>(sequence >> (56 - 8 * k));
    }
    const ByteView message = stellar::mac_covered_bytes(ByteView(out).subspan(kMark));
    const auto type = static_cast<MessageType>(static_cast<std::int32_t>(
        (std::uint32_t{message[0]} << 24) | (std::uint32_t{message[1]} << 16) | (std::uint32_t{message[2]} << 8) | message[3]));
    // HELLO and ERROR_MSG carry a zero MAC; the rest are MAC'd by the sender.
    const bool macd = type != MessageType::error_msg && (mac_all || type != MessageType::hello);
    if (macd && sender.keys()) {
        const auto mac = stellar::message_mac(sender.keys()->send, sequence, message);
        std::copy(mac.begin(), mac.end(), out.end() - kMac);
    }
    return out;
}

// A reference machine's deterministic randomness (tcId 1's X25519 secret, then nonce) and clock.
// The hex of tcId 1 decoded once per process, not per input.
struct DecodedSecrets {
    ByteArray<32> node_seed;
    Bytes rng_bytes;  // X25519 secret, then nonce: the draw order
};
[[nodiscard]] inline const DecodedSecrets& decoded_secrets(Role role) {
    static const auto decode = [](const SideSecrets& s) {
        return DecodedSecrets{hex_array<32>(s.node_seed), concat({hex_array<32>(s.ecdh_secret), hex_array<32>(s.nonce)})};
    };
    static const DecodedSecrets initiator = decode(kInitiatorSecrets);
    static const DecodedSecrets acceptor = decode(kAcceptorSecrets);
    return role == Role::initiator ? initiator : acceptor;
}

struct FixedSide {
    explicit FixedSide(Role role) : rng(decoded_secrets(role).rng_bytes), clock(kNow) {}
    ScriptedRng rng;
    FixedClock clock;
};

[[nodiscard]] inline stellar::HandshakeConfig config_for(Role role, const stellar::Quirks& planted = {}) {
    stellar::HandshakeConfig c;
    c.role = role;
    c.quirks = planted;
    c.node_seed = decoded_secrets(role).node_seed;
    return c;
}

// Stellar's fixture and observer. `planted`: bugs of the machine under test, for the negative
// controls only; the invariants must catch each one.
class StellarTarget final : public MachineTarget {
public:
    explicit StellarTarget(const stellar::Quirks& planted = {}) : m_planted(planted) {}

    [[nodiscard]] UnitTransport transport() const override { return UnitTransport::stream; }

    [[nodiscard]] std::unique_ptr<Machine> make(Role role, bool under_test) override {
        auto& side = m_sides.emplace_back(std::make_unique<FixedSide>(role));
        auto m = std::make_unique<stellar::StellarMachine>(config_for(role, under_test ? m_planted : stellar::Quirks{}),
                                                           side->rng, side->clock);
        (under_test ? m_machine : m_peer) = &m->handshake();
        (under_test ? m_machine_checks : m_peer_checks) = std::make_unique<RecordChecks>(m->handshake());
        return m;
    }

    [[nodiscard]] Bytes wrap(ByteView body) override { return stellar::frame_record(body); }

    void variant_op(MachineDriver& d, std::uint8_t arg, InputCursor& in) override {
        const int shift = static_cast<std::int8_t>(in.u8());
        if ((arg & 1) == 0) {
            if (auto r = d.take_honest()) {
                d.deliver(resequenced(*m_peer, r->bytes, shift, false), Delivery::changed, &*r);
            }
        } else if (d.last_honest()) {
            d.deliver(resequenced(*m_peer, d.last_honest()->bytes, shift, true), Delivery::injected);
        }
    }

    void on_output(const Machine& from, ByteView unit) override { checks_of(from).check_record(unit); }

    // Decodes the delivered stream as the machine should, keeping every AUTH. The limits after
    // authentication apply: before it, an oversized record closes the machine anyway.
    void on_delivered(const Machine& m, ByteView stream) override {
        (void)m;
        m_shadow.feed(stream);
        for (;;) {
            auto next = m_shadow.next(true);
            if (!next || !next->has_value()) {
                return;
            }
            const ByteView body = **next;
            // Only a record whose StellarMessage type (after the version and the sequence) says
            // AUTH can parse as one; the others are not decoded twice.
            const ByteView covered = stellar::mac_covered_bytes(body);
            if (covered.size() < 4 || covered[0] != 0 || covered[1] != 0 || covered[2] != 0 ||
                covered[3] != static_cast<std::uint8_t>(MessageType::auth)) {
                continue;
            }
            const auto am = stellar::parse_authenticated_message(body);
            if (am && stellar::type_of(am->message) == MessageType::auth) {
                m_auths_seen.push_back(AuthSeen{am->sequence, Bytes(covered.begin(), covered.end()), am->mac});
            }
        }
    }

    void after_step(const Machine& m, const Machine& peer) override {
        (void)m;
        (void)peer;
        m_machine_checks->check_state();
        m_peer_checks->check_state();
    }

    void on_authenticated(const Machine& m, const Machine& peer, bool genuine) override {
        (void)m;
        (void)peer;
        (void)genuine;
        // The AUTH that completed the handshake is the first MAC'd message after HELLO (anything
        // else in between closes the connection), so it carries sequence 0 and a MAC under the
        // receive key. Checked on our own decoding of the bytes delivered: a machine that skipped
        // its MAC or sequence check fails here.
        FUZZ_INVARIANT(std::any_of(m_auths_seen.begin(), m_auths_seen.end(),
                                   [&](const AuthSeen& a) {
                                       return a.sequence == 0 && m_machine->keys() &&
                                              a.mac == stellar::message_mac(m_machine->keys()->recv, 0, a.message);
                                   }),
                       "the AUTH that authenticated carries sequence 0 and a MAC under the receive key");
    }

    // What a Stellar record does not authenticate: bit 31 of the record mark, and the HELLO fields
    // outside the cert, the node ID and the nonce (versions, network, version string, port; a
    // HELLO's sequence and MAC are not checked). Any other change must be refused.
    [[nodiscard]] bool tamper_must_be_rejected(const Unit& original, const Bytes& delivered) override {
        const auto a = stellar::parse_frame(original.bytes, true);
        const auto b = stellar::parse_frame(delivered, true);
        if (!a || !b) {
            return true;
        }
        if (a->body == b->body) {
            return false;
        }
        const auto ma = stellar::parse_authenticated_message(a->body);
        const auto mb = stellar::parse_authenticated_message(b->body);
        if (!ma || !mb || stellar::type_of(ma->message) != MessageType::hello ||
            stellar::type_of(mb->message) != MessageType::hello) {
            return true;
        }
        const auto& ha = std::get<stellar::Hello>(ma->message);
        const auto& hb = std::get<stellar::Hello>(mb->message);
        return !(ha.cert == hb.cert && ha.peer_id == hb.peer_id && ha.nonce == hb.nonce);
    }

    // The HELLO the machine holds names another identity, or another nonce, than the honest
    // peer's: a handshake the script injected. RecordChecks has checked that HELLO on its own
    // (cert, network, versions) when the machine authenticated, and on_authenticated the MAC of
    // the AUTH that completed it, so a changed honest HELLO the machine should have refused still
    // fails there.
    [[nodiscard]] bool authenticated_foreign_peer(const Machine& m, const Machine& peer) override {
        (void)m;
        (void)peer;
        const auto& remote = m_machine->remote_hello();
        const auto& honest = m_peer->local_hello();
        return remote && !(remote->cert == honest.cert && remote->peer_id == honest.peer_id &&
                           remote->nonce == honest.nonce);
    }

    // Keys are a function of the two HELLOs: whenever each side holds the other's HELLO (always so
    // if only genuine records were delivered and the machine authenticated), their keys mirror
    // each other.
    void finish(const Machine& m, const Machine& peer, bool genuine) override {
        (void)m;
        (void)peer;
        const Handshake& mine = *m_machine;
        const Handshake& theirs = *m_peer;
        if (mine.authenticated() && genuine) {
            FUZZ_CHECK(theirs.keys().has_value());
            FUZZ_CHECK(*mine.remote_hello() == theirs.local_hello());
        }
        if (mine.keys() && theirs.keys() && mine.remote_hello() == theirs.local_hello() &&
            theirs.remote_hello() == mine.local_hello()) {
            FUZZ_INVARIANT(mine.keys()->send == theirs.keys()->recv && mine.keys()->recv == theirs.keys()->send &&
                               *mine.shared() == *theirs.shared(),
                           "keys agree with the peer's");
        }
    }

private:
    struct AuthSeen {
        std::uint64_t sequence = 0;
        Bytes message;  // the StellarMessage bytes the MAC covers
        ByteArray<32> mac{};
    };

    [[nodiscard]] RecordChecks& checks_of(const Machine& m) {
        return &static_cast<const stellar::StellarMachine&>(m).handshake() == m_machine ? *m_machine_checks
                                                                                        : *m_peer_checks;
    }

    stellar::Quirks m_planted;
    std::vector<std::unique_ptr<FixedSide>> m_sides;
    const Handshake* m_machine = nullptr;
    const Handshake* m_peer = nullptr;
    std::unique_ptr<RecordChecks> m_machine_checks;
    std::unique_ptr<RecordChecks> m_peer_checks;
    stellar::FrameDecoder m_shadow;
    std::vector<AuthSeen> m_auths_seen;
};

// The whole target: see the script format in fuzz/machine_driver.hpp and the variant op above.
inline void run_stellar_target(Role role, ByteView input, const stellar::Quirks& planted = {}) {
    StellarTarget t(planted);
    t.run(role, input);
}

}  // namespace shakedown::fuzz
