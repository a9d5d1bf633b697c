// Drives one reference Stellar handshake machine (the role under test) against fuzz input, next to
// an honest reference peer of the other role, and checks the machine's invariants after every step.
//
// Both machines take the inputs of transcript vector tcId 1 (vectors/stellar/handshake_test.json:
// node seeds, X25519 secrets, nonces, clock), so the records of any transcript vector are valid
// input here and the honest peer's records equal the vectors' byte for byte.
//
// Input: the first byte selects a mode (byte % 3), the rest is read as that mode says.
//   0 stream: the rest is transport bytes, fed whole (byte / 3 == 0) or in chunks of byte / 3.
//   1 records: repeated { u16be n; n bytes }: each body is framed and delivered (bit 15 of n clear:
//     record mark with bit 31; set: without it). Spares the fuzzer the record marks.
//   2 script: repeated op bytes (op = byte & 7, arg = byte >> 3), mixing the honest peer's records
//     with mutations of them and with raw input, so that deep states are reached:
//       0 deliver the honest peer's next record
//       1 deliver it with one byte changed: u16be position (mod size), u8 xor mask (0 means 1)
//       2 deliver input bytes as a record: u16be n (mod 8192), n bytes
//       3 deliver input bytes as raw stream: u16be n (mod 8192), n bytes
//       4 deliver the last honest record again: as it was (arg 0, a replay), or otherwise
//         re-sequenced by arg - 16 and MAC'd under the honest sender's key whatever its type
//         (an authentic second HELLO, or AUTH after authentication)
//       5 drop the honest peer's next record
//       6 deliver the honest next record re-sequenced by arg - 16 with its MAC recomputed under the
//         honest sender's key (a sequence error with a valid MAC)
//       7 transport event: arg odd, the peer closed the connection; even, idle timeout
#pragma once

#include <algorithm>
#include <deque>
#include <memory>
#include <optional>
#include <vector>

#include "fuzz/fuzz_target.hpp"
#include "stellar/codec.hpp"
#include "stellar/handshake.hpp"

namespace shakedown::fuzz {

using stellar::Handshake;
using stellar::MessageType;
using stellar::Role;

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
class FixedPeer {
public:
    explicit FixedPeer(Role role, const stellar::Quirks& planted = {})
        : m_rng(concat({hex_array<32>(secrets_for(role).ecdh_secret), hex_array<32>(secrets_for(role).nonce)})),
          m_clock(kNow),
          m_machine(config_for(role, planted), m_rng, m_clock) {}

    [[nodiscard]] Handshake& machine() { return m_machine; }

    [[nodiscard]] static stellar::HandshakeConfig config_for(Role role, const stellar::Quirks& planted = {}) {
        stellar::HandshakeConfig c;
        c.role = role;
        c.quirks = planted;
        c.node_seed = hex_array<32>(secrets_for(role).node_seed);
        return c;
    }

private:
    ScriptedRng m_rng;
    FixedClock m_clock;
    Handshake m_machine;
};

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

// Watches one machine across steps. Everything it asserts holds for the reference without quirks
// whatever bytes it is fed.
class Observer {
public:
    explicit Observer(Handshake& machine) : m_machine(machine) {}

    // Takes the records the machine emitted since the last call, checks them and the machine's
    // state, and returns them for delivery.
    std::vector<Bytes> step() {
        const bool announced = m_machine.next_action() == stellar::Action::send;
        std::vector<Bytes> out = m_machine.take_records();
        FUZZ_CHECK(announced == !out.empty());  // next_action() says send exactly when records wait
        FUZZ_CHECK(m_machine.next_action() != stellar::Action::send);
        if (m_closed) {
            // After closing: silent, frozen, and still exactly as authenticated as it was.
            FUZZ_CHECK(out.empty());
            FUZZ_CHECK(m_machine.state() == stellar::HandshakeState::closed);
            FUZZ_CHECK(m_machine.authenticated() == m_authenticated);
        }
        for (const Bytes& record : out) {
            check_record(record);
        }
        check_state();
        return out;
    }

private:
    void check_record(const Bytes& record) {
        m_bytes_sent += record.size();
        // Everything the reference sends during a handshake is small: at most a HELLO, an AUTH, a
        // PEERS, a SEND_MORE_EXTENDED and an ERROR, each once.
        FUZZ_CHECK(m_bytes_sent <= 2048);
        const auto frame = stellar::parse_frame(record, false);
        FUZZ_CHECK(frame.ok());
        FUZZ_CHECK(frame->header.last_fragment_bit);
        const auto am = stellar::parse_authenticated_message(frame->body);
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
        const Bytes body = stellar::serialize(am->message);
        FUZZ_CHECK(am->mac == stellar::message_mac(m_machine.keys()->send, am->sequence, body));
    }

    // vectors/README.md rule H, from the HELLO alone: a cert valid now for this network and
    // signed by the claimed peer ID, another node, compatible versions, a usable port.
    [[nodiscard]] bool hello_acceptable(const stellar::Hello& h) const {
        const auto& c = m_machine.config();
        const auto network = stellar::network_id(c.network_passphrase);
        return stellar::verify_cert(h.cert, h.peer_id, network, kNow).ok() && h.peer_id != m_machine.node_id() &&
               h.network_id == network && h.overlay_min_version <= h.overlay_version &&
               h.overlay_version >= c.overlay_min_version && h.overlay_min_version <= c.overlay_version &&
               h.listening_port > 0 && h.listening_port <= 65535;
    }

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
        // Authentication is forever (the closure does not undo it) and only ever follows a HELLO
        // that passes every check, re-done here independently of recv_hello.
        if (m_authenticated) {
            FUZZ_CHECK(m_machine.authenticated());
        }
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
        m_closed = state == stellar::HandshakeState::closed;
    }

    Handshake& m_machine;
    bool m_closed = false;
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
class HandshakeDriver {
public:
    // `planted`: bugs of the machine under test, for the negative controls only; the invariants
    // below must catch each one.
    explicit HandshakeDriver(Role role, const stellar::Quirks& planted = {})
        : m_machine(role, planted),
          m_peer(role == Role::initiator ? Role::acceptor : Role::initiator),
          m_machine_obs(m_machine.machine()),
          m_peer_obs(m_peer.machine()) {
        m_machine.machine().start();
        m_peer.machine().start();
        settle();
    }

    // Transport bytes from the (possibly adversarial) peer to the machine under test.
    void deliver(ByteView stream, bool genuine) {
        m_genuine = m_genuine && genuine;
        m_in_order = m_in_order && genuine;
        const bool was_authenticated = machine().authenticated();
        machine().receive(stream);
        shadow(stream);
        settle();
        if (!was_authenticated && machine().authenticated()) {
            // The AUTH that completed the handshake is the first MAC'd message after HELLO
            // (anything else in between closes the connection), so it carries sequence 0 and a
            // MAC under the receive key. Checked on our own decoding of the bytes delivered: a
            // machine that skipped its MAC or sequence check fails here.
            FUZZ_CHECK(std::any_of(m_auths_seen.begin(), m_auths_seen.end(), [&](const AuthSeen& a) {
                return a.sequence == 0 && a.mac == stellar::message_mac(machine().keys()->recv, 0, a.message);
            }));
        }
    }

    [[nodiscard]] bool has_honest() const noexcept { return !m_pending.empty(); }
    // The honest peer's next record, removed from the queue (empty if there is none).
    Bytes take_honest() {
        if (m_pending.empty()) {
            return {};
        }
        Bytes r = std::move(m_pending.front());
        m_pending.pop_front();
        m_last_honest = r;
        return r;
    }
    void deliver_honest() {
        if (has_honest()) {
            deliver(take_honest(), true);
        }
    }
    [[nodiscard]] const Bytes& last_honest() const noexcept { return m_last_honest; }
    void note_out_of_order() { m_in_order = false; }

    void peer_closed() {
        m_in_order = false;
        m_machine.machine().peer_closed();
        settle();
    }
    void idle_timeout() {
        m_in_order = false;
        m_machine.machine().idle_timeout();
        settle();
    }

    [[nodiscard]] Handshake& machine() { return m_machine.machine(); }
    [[nodiscard]] Handshake& peer() { return m_peer.machine(); }

    // End-of-run checks. With nothing but the honest peer's records, delivered in order, the
    // handshake must complete on both sides. Keys are a function of the two HELLOs: whenever each
    // side holds the other's HELLO (always so if only genuine records were delivered and the
    // machine authenticated), their keys must mirror each other.
    void finish() {
        if (m_in_order) {
            while (has_honest()) {
                deliver_honest();
            }
            FUZZ_CHECK(machine().authenticated() && !machine().closure());
            FUZZ_CHECK(peer().authenticated() && !peer().closure());
        }
        if (machine().authenticated() && m_genuine) {
            FUZZ_CHECK(peer().keys().has_value());
            FUZZ_CHECK(*machine().remote_hello() == peer().local_hello());
        }
        if (machine().keys() && peer().keys() && machine().remote_hello() == peer().local_hello() &&
            peer().remote_hello() == machine().local_hello()) {
            FUZZ_CHECK(machine().keys()->send == peer().keys()->recv);
            FUZZ_CHECK(machine().keys()->recv == peer().keys()->send);
            FUZZ_CHECK(*machine().shared() == *peer().shared());
        }
    }

private:
    struct AuthSeen {
        std::uint64_t sequence = 0;
        Bytes message;  // the StellarMessage bytes the MAC covers
        ByteArray<32> mac{};
    };

    // Decodes the delivered stream as the machine should, keeping every AUTH. The limits after
    // authentication apply: before it, an oversized record closes the machine anyway.
    void shadow(ByteView stream) {
        m_shadow.feed(stream);
        for (;;) {
            auto next = m_shadow.next(true);
            if (!next || !next->has_value()) {
                return;
            }
            const Bytes& body = **next;
            const auto am = stellar::parse_authenticated_message(body);
            if (am && stellar::type_of(am->message) == MessageType::auth) {
                const ByteView message = stellar::mac_covered_bytes(body);
                m_auths_seen.push_back(AuthSeen{am->sequence, Bytes(message.begin(), message.end()), am->mac});
            }
        }
    }

    // Hands the machine's output to the honest peer, and queues the peer's answers.
    void settle() {
        for (const Bytes& r : m_machine_obs.step()) {
            m_peer.machine().receive(r);
        }
        for (Bytes& r : m_peer_obs.step()) {
            m_pending.push_back(std::move(r));
        }
    }

    FixedPeer m_machine;
    FixedPeer m_peer;
    Observer m_machine_obs;
    Observer m_peer_obs;
    std::deque<Bytes> m_pending;
    stellar::FrameDecoder m_shadow;
    std::vector<AuthSeen> m_auths_seen;
    Bytes m_last_honest;
    bool m_genuine = true;
    bool m_in_order = true;
};

// An honest record (framed) with its sequence shifted by `shift` and its MAC recomputed under the
// honest sender's send key: for MAC'd types only, or for every type but ERROR_MSG with `mac_all`.
[[nodiscard]] inline Bytes resequenced(HandshakeDriver& d, ByteView framed, int shift, bool mac_all) {
    auto am = stellar::parse_authenticated_message(framed.subspan(4));
    FUZZ_CHECK(am.ok());
    am->sequence += static_cast<std::uint64_t>(static_cast<std::int64_t>(shift));
    const MessageType type = stellar::type_of(am->message);
    // HELLO and ERROR_MSG carry a zero MAC; the rest are MAC'd by the sender.
    const bool macd = type != MessageType::error_msg && (mac_all || type != MessageType::hello);
    if (macd && d.peer().keys()) {
        am->mac = stellar::message_mac(d.peer().keys()->send, am->sequence, stellar::serialize(am->message));
    }
    return stellar::frame_record(stellar::serialize(*am));
}

// The whole target: see the input format at the top of this file.
inline void run_handshake_target(Role role, ByteView input, const stellar::Quirks& planted = {}) {
    HandshakeDriver d(role, planted);
    InputCursor in(input);
    const std::uint8_t mode = in.u8();
    switch (mode % 3) {
        case 0: {
            const std::size_t chunk = mode / 3;
            while (!in.empty()) {
                d.deliver(in.bytes(chunk == 0 ? in.remaining() : chunk), false);
            }
            break;
        }
        case 1:
            while (!in.empty()) {
                const std::uint16_t n = in.u16be();
                const ByteView body = in.bytes(n & 0x7fff);
                d.deliver(stellar::frame_record(body, (n & 0x8000) == 0), false);
            }
            break;
        default:
            while (!in.empty()) {
                const std::uint8_t b = in.u8();
                const int arg = b >> 3;
                switch (b & 7) {
                    case 0: d.deliver_honest(); break;
                    case 1: {
                        const std::uint16_t pos = in.u16be();
                        const std::uint8_t mask = in.u8();
                        Bytes r = d.take_honest();
                        if (!r.empty()) {
                            r[pos % r.size()] ^= mask == 0 ? 1 : mask;
                            d.deliver(r, false);
                        }
                        break;
                    }
                    case 2: {
                        const ByteView body = in.bytes(in.u16be() % 8192);
                        d.deliver(stellar::frame_record(body), false);
                        break;
                    }
                    case 3: d.deliver(in.bytes(in.u16be() % 8192), false); break;
                    case 4:
                        if (d.last_honest().empty()) {
                            break;
                        }
                        d.note_out_of_order();
                        if (arg == 0) {
                            const Bytes again = d.last_honest();
                            d.deliver(again, true);
                        } else {
                            // Authentic but never sent: the honest sender's MAC over its last
                            // record at another sequence, HELLO included (a second HELLO, or an
                            // AUTH after authentication, that passes the MAC and sequence checks).
                            d.deliver(resequenced(d, d.last_honest(), arg - 16, true), false);
                        }
                        break;
                    case 5:
                        if (d.has_honest()) {
                            d.note_out_of_order();
                            (void)d.take_honest();
                        }
                        break;
                    case 6: {
                        Bytes r = d.take_honest();
                        if (r.empty()) {
                            break;
                        }
                        // A shift of zero re-encodes the honest record byte for byte (the encoding
                        // is canonical), so it still counts as the honest record.
                        d.deliver(resequenced(d, r, arg - 16, false), arg == 16);
                        break;
                    }
                    default:
                        if ((arg & 1) != 0) {
                            d.peer_closed();
                        } else {
                            d.idle_timeout();
                        }
                        break;
                }
            }
            break;
    }
    d.finish();
}

}  // namespace shakedown::fuzz
