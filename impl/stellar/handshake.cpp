#include "stellar/handshake.hpp"

#include <algorithm>
#if defined(SHAKEDOWN_CT_PLANTED)
#include <cstring>
#endif

#include "common/ct.hpp"
#include "stellar/codec.hpp"

namespace shakedown::stellar {

std::string_view to_string(HandshakeState s) {
    switch (s) {
        case HandshakeState::idle: return "idle";
        case HandshakeState::awaiting_hello: return "awaiting_hello";
        case HandshakeState::awaiting_auth: return "awaiting_auth";
        case HandshakeState::authenticated: return "authenticated";
        case HandshakeState::closed: return "closed";
    }
    return "unknown";
}

Handshake::Handshake(HandshakeConfig config, Rng& rng, const Clock& clock)
    : m_config(std::move(config)),
      m_clock(clock),
      m_node(crypto::ed25519_from_seed(m_config.node_seed)),
      m_network_id(network_id(m_config.network_passphrase)) {
    // The long-term identity: the seed and the Ed25519 secret key derived from it.
    ct::classify(m_config.node_seed.data(), m_config.node_seed.size());
    ct::classify(m_node.secret_key.mut());
    // Draw order is part of the vector format: X25519 secret first, then the nonce.
    rng.fill(m_ecdh_secret.mut());
    rng.fill(m_nonce);
    if (m_config.quirks.reuse_nonce) {
        // The bug: "randomness" derived from the identity, identical on every connection.
        m_ecdh_secret = Secret<32>(crypto::sha256({as_bytes("shakedown reuse-nonce ecdh"), m_config.node_seed}));
        m_nonce = crypto::sha256({as_bytes("shakedown reuse-nonce nonce"), m_config.node_seed});
        // Sent in HELLO like a drawn nonce.
        ct::declassify(m_nonce.data(), m_nonce.size());
    }
    // The ephemeral X25519 secret; the nonce is sent in the clear.
    ct::classify(m_ecdh_secret.mut());
    m_ecdh_public = crypto::x25519_public(m_ecdh_secret);
    m_local_hello = build_hello();
    m_state = HandshakeState::awaiting_hello;
}

Handshake::~Handshake() { secure_wipe(m_config.node_seed); }

Hello Handshake::build_hello() const {
    Hello h;
    h.ledger_version = m_config.ledger_version;
    h.overlay_version = m_config.overlay_version;
    h.overlay_min_version = m_config.overlay_min_version;
    h.network_id = m_network_id;
    h.version_str = m_config.version_str;
    h.listening_port = m_config.listening_port;
    h.peer_id = m_config.peer_id.value_or(m_node.public_key);
    const ByteArray<32> advertised = m_config.cert_pubkey.value_or(m_ecdh_public);
    const std::uint64_t expiration = m_config.cert_expiration.value_or(m_clock.unix_seconds() + kCertLifetimeSeconds);
    const ByteArray<32> cert_network = m_config.cert_network_passphrase
                                           ? network_id(*m_config.cert_network_passphrase)
                                           : m_network_id;
    h.cert = make_cert(m_node, cert_network, advertised, expiration);
    if (m_config.cert_sig) {
        h.cert.sig = *m_config.cert_sig;
    }
    h.nonce = m_nonce;
    return h;
}

void Handshake::start() {
    if (m_config.role == Role::initiator && !m_hello_sent && m_state == HandshakeState::awaiting_hello) {
        send_unauthenticated(m_local_hello);
        m_hello_sent = true;
    }
}

void Handshake::receive(ByteView stream) {
    if (m_state == HandshakeState::closed) {
        return;
    }
    m_decoder.feed(stream);
    while (m_state != HandshakeState::closed) {
        const bool lift_limit = m_authenticated || m_config.quirks.no_unauth_size_limit;
        auto next = m_decoder.next(lift_limit);
        if (!next) {
            // stellar-core TCPPeer::getIncomingMsgLength: bad lengths drop the connection silently.
            close(next.failure());
            return;
        }
        if (!next->has_value()) {
            return;
        }
        if (m_decoder.last_header() && !m_decoder.last_header()->last_fragment_bit) {
            m_saw_missing_bit31 = true;
        }
        if (m_config.quirks.omit_last_fragment_bit && m_decoder.last_header() &&
            m_decoder.last_header()->last_fragment_bit) {
            // The bug reads the mark as a plain length, so bit 31 makes every record look over 2 GiB.
            close(fail(Error::oversize, "record mark read as a plain length"));
            return;
        }
        receive_record(**next);
    }
}

void Handshake::receive_record(ByteView record) {
    if (m_state == HandshakeState::closed) {
        return;
    }
    ++m_records_received;
    auto parsed = parse_authenticated_message(record);
    if (!parsed && parsed.error() == Error::trailing_bytes && m_config.quirks.accept_trailing_bytes &&
        parsed.failure().offset != kNoOffset && parsed.failure().offset <= record.size()) {
        record = record.first(parsed.failure().offset);
        parsed = parse_authenticated_message(record);
    }
    if (!parsed) {
        close(parsed.failure(), ErrorMsg{ErrorCode::data, "received corrupt XDR"});
        return;
    }
    const AuthenticatedMessage& am = *parsed;
    const MessageType type = type_of(am.message);

    // Peer::recvAuthenticatedMessage: once HELLO is processed every message but ERROR_MSG carries
    // the expected sequence and a MAC over (sequence || StellarMessage).
    if (m_keys && type != MessageType::error_msg) {
        if (!m_config.quirks.ignore_sequence && am.sequence != m_recv_seq) {
            close_with_error(Error::bad_sequence, ErrorCode::auth, "unexpected auth sequence");
            return;
        }
        if (!m_config.quirks.skip_mac_check) {
            const auto expected = message_mac(m_keys->recv, am.sequence, mac_covered_bytes(record));
#if defined(SHAKEDOWN_CT_PLANTED)
            // Test only (ci/ct.sh): a variable-time comparison the constant-time check must report.
            const bool mac_ok = std::memcmp(expected.data(), am.mac.data(), expected.size()) == 0;
#else
            // Accept or reject is public (the peer sees the ERROR); the comparison itself is not.
            const bool mac_ok = ct::declassified(ct_equal(expected, am.mac));
#endif
            if (!mac_ok) {
                close_with_error(Error::bad_mac, ErrorCode::auth, "unexpected MAC");
                return;
            }
        }
        ++m_recv_seq;
    }

    switch (type) {
        case MessageType::error_msg:
            close(fail(Error::peer_error, "peer sent ERROR_MSG"));
            return;
        case MessageType::hello:
            recv_hello(std::get<Hello>(am.message));
            return;
        case MessageType::auth:
            recv_auth(std::get<Auth>(am.message));
            return;
        default:
            if (!m_authenticated && !m_config.quirks.accept_messages_before_auth) {
                // Peer::recvMessage: anything else before the handshake completes is dropped.
                close(fail(Error::unexpected_message, "non-handshake message before authentication"));
            }
            return;
    }
}

void Handshake::recv_hello(const Hello& hello) {
    if (m_keys && !m_config.quirks.accept_second_hello) {
        close(fail(Error::unexpected_message, "received unexpected HELLO"));
        return;
    }
    const auto& q = m_config.quirks;
    const bool early_answer = q.answer_before_validating;
    if (early_answer && m_config.role == Role::acceptor && !m_hello_sent) {
        send_unauthenticated(m_local_hello);
        m_hello_sent = true;
    }
    auto cert_ok = verify_cert(hello.cert, hello.peer_id, m_network_id, m_clock.unix_seconds(),
                               CertPolicy{!q.accept_expired_cert, !q.skip_cert_signature});
    if (!cert_ok && !early_answer) {
        close(cert_ok.failure());
        return;
    }
    // The node's own X25519 key, whatever its cert advertises (PeerAuth uses mECDHPublicKey).
    auto shared = shared_key(m_config.role, m_ecdh_secret, m_ecdh_public, hello.cert.pubkey,
                             q.accept_low_order_keys);
    if (!shared) {
        close(shared.failure());
        return;
    }
    m_shared = *shared;
    m_keys = mac_keys(m_config.role, *m_shared, m_nonce, hello.nonce, q.sender_view_mac_keys);
    // Derived keys: secret (already, by what they came from; marked where they live).
    ct::classify(m_shared->mut());
    ct::classify(m_keys->send.mut());
    ct::classify(m_keys->recv.mut());
    m_remote_hello = hello;
    m_send_seq = 0;
    m_recv_seq = 0;
    m_state = HandshakeState::awaiting_auth;

    if (early_answer && m_config.role == Role::initiator) {
        send_authenticated(Auth{q.send_legacy_auth_flags ? 100 : m_config.auth_flags});
    }
    if (!cert_ok) {
        close(cert_ok.failure());
        return;
    }
    // stellar-core answers HELLO before validating it, so that a following ERROR reaches an
    // initiator that is still waiting for HELLO.
    if (m_config.role == Role::acceptor && !m_hello_sent) {
        send_unauthenticated(m_local_hello);
        m_hello_sent = true;
    }
    if (!q.skip_version_check &&
        (hello.overlay_min_version > hello.overlay_version || hello.overlay_version < m_config.overlay_min_version ||
         hello.overlay_min_version > m_config.overlay_version)) {
        close_with_error(Error::wrong_version, ErrorCode::conf, "wrong protocol version");
        return;
    }
    if (!q.allow_self_connection && hello.peer_id == m_node.public_key) {
        close_with_error(Error::self_connection, ErrorCode::conf, "connecting to self");
        return;
    }
    if (!q.ignore_network_id && hello.network_id != m_network_id) {
        close_with_error(Error::wrong_network, ErrorCode::conf, "wrong network passphrase");
        return;
    }
    if (hello.listening_port <= 0 || hello.listening_port > 65535) {
        close_with_error(Error::bad_address, ErrorCode::conf, "bad address");
        return;
    }
    if (std::find(m_config.connected_peers.begin(), m_config.connected_peers.end(), hello.peer_id) !=
        m_config.connected_peers.end()) {
        close_with_error(Error::already_connected, ErrorCode::conf, "already-connected peer");
        return;
    }
    if (m_config.role == Role::initiator && !early_answer) {
        send_authenticated(Auth{q.send_legacy_auth_flags ? 100 : m_config.auth_flags});
    }
}

void Handshake::recv_auth(const Auth& auth) {
    if (m_state != HandshakeState::awaiting_auth) {
        close_with_error(Error::unexpected_message, ErrorCode::misc, "out-of-order AUTH message");
        return;
    }
    if (m_config.role == Role::acceptor) {
        send_authenticated(Auth{m_config.quirks.send_legacy_auth_flags ? 100 : m_config.auth_flags});
        send_authenticated(Peers{});
    }
    if (auth.flags != kAuthFlagFlowControlBytes && !m_config.quirks.accept_any_auth_flags) {
        close_with_error(Error::bad_flags, ErrorCode::conf, "flow control bytes disabled");
        return;
    }
    m_state = HandshakeState::authenticated;
    m_authenticated = true;
    send_authenticated(m_config.flow_control);
}

void Handshake::peer_closed() {
    if (m_state != HandshakeState::closed) {
        close(fail(Error::peer_closed, "connection closed by peer"));
        m_closure->by_peer = true;
    }
}

void Handshake::idle_timeout() {
    if (m_config.quirks.no_idle_timeout) {
        return;
    }
    if (m_state != HandshakeState::closed && !m_authenticated) {
        close(fail(Error::timeout, "no traffic during the handshake"));
    }
}

Action Handshake::next_action() const {
    if (!m_out.empty()) {
        return Action::send;
    }
    if (m_state == HandshakeState::closed) {
        return Action::closed;
    }
    return m_authenticated ? Action::done : Action::receive;
}

std::vector<Bytes> Handshake::take_records() {
    std::vector<Bytes> out(std::make_move_iterator(m_out.begin()), std::make_move_iterator(m_out.end()));
    m_out.clear();
    return out;
}

Bytes Handshake::take_output() {
    Bytes out;
    for (auto& r : m_out) {
        out.insert(out.end(), r.begin(), r.end());
    }
    m_out.clear();
    return out;
}

Bytes Handshake::frame_unauthenticated(const StellarMessage& m) const { return write_record(m, 0, nullptr); }

// One record written in place: the record mark, then AuthenticatedMessage v0 (v, sequence, the
// message, and the MAC over the sequence and the message as written, or 32 zero bytes).
Bytes Handshake::write_record(const StellarMessage& m, std::uint64_t sequence, const Secret<32>* mac_key) const {
    Writer w;
    w.put_u32be(0);  // record mark, filled below
    w.put_u32be(0);  // v
    w.put_u64be(sequence);
    const std::size_t message_at = w.size();
    detail::write_stellar_message(w, m);
    if (mac_key != nullptr) {
        const ByteArray<32> mac = message_mac(*mac_key, sequence, ByteView(w.bytes()).subspan(message_at));
        // The MAC is sent.
        ct::declassify(mac.data(), mac.size());
        w.put_bytes(mac);
    } else {
        w.put_zeros(32);
    }
    const auto len = static_cast<std::uint32_t>(w.size() - 4);
    w.patch_u32be(0, m_config.quirks.omit_last_fragment_bit ? len : (len | kLastFragmentBit));
    return std::move(w).take();
}

void Handshake::send_unauthenticated(const StellarMessage& m) { m_out.push_back(frame_unauthenticated(m)); }

void Handshake::send_authenticated(const StellarMessage& m) {
    if (!m_keys) {
        // Callers run only once recv_hello has derived the keys; never send a record unMACed.
        close(fail(Error::invalid_argument, "MACed message before the MAC keys exist"));
        return;
    }
    m_out.push_back(write_record(m, m_send_seq, &m_keys->send));
    ++m_send_seq;
}

void Handshake::close(Failure f, std::optional<ErrorMsg> error) {
    if (error) {
        // ERROR_MSG is sent like HELLO: sequence 0, zero MAC (Peer::sendMessage).
        send_unauthenticated(*error);
    }
    m_closure = Closure{f, std::move(error), m_records_received == 0 ? 0 : m_records_received - 1, false};
    m_state = HandshakeState::closed;
}

void Handshake::close_with_error(Error e, ErrorCode code, const char* text) {
    close(fail(e, text), ErrorMsg{code, text});
}

}  // namespace shakedown::stellar
