#include "conformance/scenarios/stellar/session.hpp"

#include <ctime>
#include <thread>

namespace shakedown::conformance::stellar_scenarios {

using ss::MessageType;

std::string_view to_string(Category c) {
    switch (c) {
        case Category::interop: return "interop";
        case Category::framing: return "framing";
        case Category::hello: return "hello";
        case Category::cert: return "cert";
        case Category::after_auth: return "after-auth";
        case Category::error_form: return "error-form";
        case Category::nonce: return "nonce";
    }
    return "interop";
}

Identity make_identity(Rng& rng) {
    Identity id;
    rng.fill(id.seed);
    id.key = crypto::ed25519_from_seed(id.seed);
    rng.fill(id.ecdh_secret.mut());
    id.ecdh_public = crypto::x25519_public(id.ecdh_secret);
    return id;
}

namespace {

std::string type_name(MessageType t) { return std::string(ss::to_string(t)); }

std::string error_text(const ss::ErrorMsg& e) {
    std::string msg;
    for (const char c : e.msg) {
        msg.push_back(static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f ? c : '?');
    }
    return "ERROR " + std::string(ss::to_string(e.code)) + " '" + msg + "'";
}

bool all_zero(const ByteArray<32>& a) { return is_all_zero(a); }

}  // namespace

std::string describe(const Observation& o) {
    switch (o.kind) {
        case Observation::Kind::message:
            if (o.type == MessageType::error_msg && o.msg) {
                return error_text(std::get<ss::ErrorMsg>(o.msg->message));
            }
            return type_name(o.type);
        case Observation::Kind::malformed: return "a malformed record (" + o.detail + ")";
        case Observation::Kind::timeout: return "nothing";
        case Observation::Kind::closed: return o.detail.empty() ? "a close" : "a close (" + o.detail + ")";
        case Observation::Kind::reset: return "a reset";
        case Observation::Kind::framing_error: return "an invalid record mark (" + o.detail + ")";
        case Observation::Kind::limit: return "a flood (" + o.detail + ")";
    }
    return "nothing";
}

Conn::Conn(ScenarioContext& ctx, Env& env, Findings& findings, ss::Role target_role, const Identity& ours,
           std::optional<ByteArray<32>> expected_target_id, std::unique_ptr<Transport> transport, std::uint8_t index)
    : m_ctx(ctx),
      m_env(env),
      m_findings(findings),
      m_target_role(target_role),
      m_ours(ours),
      m_expected_target_id(expected_target_id),
      m_transport(std::move(transport)),
      m_index(index) {
    SystemRng rng;
    rng.fill(m_nonce);
}

Conn::~Conn() { close(); }

ss::Role Conn::our_role() const {
    return m_target_role == ss::Role::acceptor ? ss::Role::initiator : ss::Role::acceptor;
}

std::uint64_t Conn::now() const { return static_cast<std::uint64_t>(std::time(nullptr)); }

ss::Hello Conn::honest_hello() const {
    ss::Hello h;
    h.ledger_version = ss::kLedgerVersion;
    h.overlay_version = ss::kOverlayVersion;
    h.overlay_min_version = ss::kOverlayMinVersion;
    h.network_id = m_env.network_id;
    h.version_str = "shakedown-conform/0.1";
    h.listening_port = 11625;
    h.peer_id = m_ours.key.public_key;
    h.cert = ss::make_cert(m_ours.key, m_env.network_id, m_ours.ecdh_public, now() + ss::kCertLifetimeSeconds);
    h.nonce = m_nonce;
    return h;
}

void Conn::sign(ss::Hello& h, std::optional<std::string> passphrase) const {
    const ByteArray<32> network = passphrase ? ss::network_id(*passphrase) : m_env.network_id;
    h.cert = ss::make_cert(m_ours.key, network, h.cert.pubkey, h.cert.expiration);
}

Bytes Conn::unauthenticated(const ss::StellarMessage& m, bool bit31) const {
    return ss::frame_record(ss::serialize(ss::AuthenticatedMessage{0, m, {}}), bit31);
}

Bytes Conn::authenticated(const ss::StellarMessage& m, MacMode mode, std::optional<std::uint64_t> sequence,
                          bool bit31) {
    const std::uint64_t seq = sequence.value_or(m_send_seq);
    if (!sequence) {
        ++m_send_seq;
    }
    ByteArray<32> mac{};
    if (m_keys) {
        const Bytes body = ss::serialize(m);
        const Secret<32>* key = &m_keys->send;
        std::optional<ss::MacKeys> seed_view;
        if (mode == MacMode::other_direction) {
            key = &m_keys->recv;
        } else if (mode == MacMode::sender_view && m_their_hello && m_sent_hello) {
            seed_view = ss::mac_keys(our_role(), *m_shared, m_sent_hello->nonce, m_their_hello->nonce, true);
            key = &seed_view->send;
        }
        if (mode == MacMode::without_sequence) {
            mac = crypto::hmac_sha256(key->view(), body);
        } else if (mode != MacMode::zero) {
            mac = ss::message_mac(*key, seq, body);
        }
        if (mode == MacMode::flipped) {
            mac[31] ^= 0x01;
        }
    }
    return ss::frame_record(ss::serialize(ss::AuthenticatedMessage{seq, m, mac}), bit31);
}

void Conn::note_sent(ByteView record) {
    auto frame = ss::parse_frame(record, true);
    if (!frame) {
        return;
    }
    auto am = ss::parse_authenticated_message(frame->body);
    if (!am) {
        return;
    }
    const auto t = ss::type_of(am->message);
    if (t == MessageType::hello && !m_sent_hello) {
        m_sent_hello = std::get<ss::Hello>(am->message);
        m_sent_hello_wire.assign(record.begin(), record.end());
        derive_keys();
    } else if (t == MessageType::auth && !m_our_auth_sent) {
        m_our_auth_sent = true;
        m_sent_auth_wire.assign(record.begin(), record.end());
    }
}

namespace {
// Calls `each` for every complete record at the start of `bytes` (several may be sent at once).
template <class F>
void for_each_record(ByteView bytes, F each) {
    std::size_t off = 0;
    while (off + 4 <= bytes.size()) {
        const std::size_t len = ((std::size_t{bytes[off]} << 24) | (std::size_t{bytes[off + 1]} << 16) |
                                 (std::size_t{bytes[off + 2]} << 8) | std::size_t{bytes[off + 3]}) &
                                0x7fffffffU;
        if (len == 0 || off + 4 + len > bytes.size()) {
            return;
        }
        each(bytes.subspan(off, 4 + len));
        off += 4 + len;
    }
}
}  // namespace

bool Conn::write(ByteView bytes) {
    if (m_ended) {
        return false;
    }
    const auto ec = m_transport->send(bytes, after(m_ctx.scaled(Millis(2000))));
    if (ec) {
        m_ctx.transcript().event(m_index, "send failed: " + ec.message());
        return false;
    }
    return true;
}

bool Conn::send(ByteView bytes) {
    for_each_record(bytes, [this](ByteView r) { note_sent(r); });
    return write(bytes);
}

bool Conn::send_paced(ByteView bytes, const std::vector<std::size_t>& sizes, Millis gap) {
    for_each_record(bytes, [this](ByteView r) { note_sent(r); });
    return conformance::send_paced(
        bytes, sizes, [this](ByteView chunk) { return write(chunk); },
        [gap] {
            std::this_thread::sleep_for(gap);
            return true;
        });
}

bool Conn::send_hello(const ss::Hello& h, bool bit31) { return send(hello_record(h, bit31)); }

void Conn::shutdown_send() { m_transport->shutdown_send(); }

void Conn::close() {
    if (m_transport) {
        m_transport->close();
    }
    m_ended = true;
}

void Conn::derive_keys() {
    if (m_keys || !m_sent_hello || !m_their_hello) {
        return;
    }
    const ByteArray<32>& advertised = m_sent_hello->cert.pubkey;
    const ByteArray<32>& theirs = m_their_hello->cert.pubkey;
    if (advertised == m_ours.ecdh_public) {
        auto k = ss::shared_key(our_role(), m_ours.ecdh_secret, advertised, theirs);
        if (!k) {
            return;  // their key is low-order: graded in grade_hello
        }
        m_shared = *k;
    } else {
        // A key we have no secret for. If it is a low-order point the target's X25519 gives the
        // all-zero secret, which we can reproduce; otherwise (a reflected HELLO) nothing can be
        // checked.
        Secret<32> probe;
        SystemRng().fill(probe.mut());
        if (crypto::x25519(probe, advertised).ok()) {
            return;
        }
        m_shared = ss::shared_key_from_dh(our_role(), Secret<32>(), advertised, theirs);
    }
    m_keys = ss::mac_keys(our_role(), *m_shared, m_sent_hello->nonce, m_their_hello->nonce);
}

Observation Conn::next(Deadline deadline) {
    Observation o;
    if (m_ended) {
        o.kind = Observation::Kind::closed;
        o.detail = "connection already ended";
        return o;
    }
    Incoming in = m_transport->receive(deadline);
    o.wire = in.wire;
    o.detail = in.detail;
    switch (in.kind) {
        case Incoming::Kind::timeout: o.kind = Observation::Kind::timeout; return o;
        case Incoming::Kind::closed: o.kind = Observation::Kind::closed; break;
        case Incoming::Kind::reset: o.kind = Observation::Kind::reset; break;
        case Incoming::Kind::framing_error: o.kind = Observation::Kind::framing_error; break;
        case Incoming::Kind::limit: o.kind = Observation::Kind::limit; break;
        case Incoming::Kind::message: o.kind = Observation::Kind::message; break;
    }
    if (o.kind != Observation::Kind::message) {
        m_ended = true;
        if (o.kind == Observation::Kind::framing_error) {
            fail(Category::interop, "sent an invalid record mark: " + in.detail +
                                        " (stellar-core drops records of length 0, over 4096 bytes before "
                                        "authentication, or over 16 MiB)");
        } else if (o.kind == Observation::Kind::limit) {
            fail(Category::interop, "kept sending: " + in.detail);
        } else if (!in.wire.empty()) {
            note(Category::framing, "the connection ended inside a record (" + std::to_string(in.wire.size()) +
                                        " bytes of an incomplete record)");
        }
        return o;
    }
    // Framing.
    const bool bit31 = (in.wire[0] & 0x80) != 0;
    if (!bit31) {
        non_strict(Category::framing,
                   "record mark without bit 31 (stellar-core sets it on every record; it ignores it when reading)");
    }
    if (in.payload.size() > ss::kMaxUnauthRecord && !m_their_auth_seen) {
        fail(Category::interop, "sent a " + std::to_string(in.payload.size()) +
                                    "-byte record before authentication (stellar-core drops records over 4096 bytes)");
    }
    auto am = ss::parse_authenticated_message(in.payload);
    if (!am) {
        o.kind = Observation::Kind::malformed;
        o.detail = std::string(to_string(am.error())) +
                   (am.failure().offset != kNoOffset ? " at offset " + std::to_string(am.failure().offset) : "");
        fail(Category::interop, "sent a record that is not a valid AuthenticatedMessage: " + o.detail +
                                    " (stellar-core answers ERR_DATA and drops)");
        m_ctx.transcript().annotate_last_received(m_index, "malformed: " + o.detail);
        return o;
    }
    o.type = ss::type_of(am->message);
    o.msg = *am;
    grade(o, in.payload);
    std::string note_text = type_name(o.type) + " seq=" + std::to_string(am->sequence);
    if (o.type == MessageType::error_msg) {
        note_text = error_text(std::get<ss::ErrorMsg>(am->message)) + " seq=" + std::to_string(am->sequence);
    } else if (o.type == MessageType::auth) {
        note_text += " flags=" + std::to_string(std::get<ss::Auth>(am->message).flags);
    }
    m_ctx.transcript().annotate_last_received(m_index, note_text);
    return o;
}

void Conn::grade(const Observation& o, ByteView payload) {
    const auto& am = *o.msg;
    switch (o.type) {
        case MessageType::hello:
            if (!m_their_hello) {
                m_their_hello_wire = o.wire;
                grade_hello(am, std::get<ss::Hello>(am.message));
                return;
            }
            note(Category::interop, "sent a second HELLO");
            check_authenticated(am, payload);
            return;
        case MessageType::error_msg:
            // Peer::sendMessage: ERROR_MSG goes out like HELLO, sequence 0 and zero MAC.
            if (am.sequence != 0 || !all_zero(am.mac)) {
                non_strict(Category::error_form,
                           "ERROR sent with sequence " + std::to_string(am.sequence) +
                               (all_zero(am.mac) ? "" : " and a non-zero MAC") +
                               " (stellar-core sends ERROR with sequence 0 and a zero MAC)");
            }
            return;
        case MessageType::auth: {
            check_authenticated(am, payload);
            const auto flags = std::get<ss::Auth>(am.message).flags;
            if (flags != ss::kAuthFlagFlowControlBytes) {
                fail(Category::interop, "AUTH with flags " + std::to_string(flags) +
                                            " (stellar-core requires 200, AUTH_MSG_FLAG_FLOW_CONTROL_BYTES_REQUESTED, "
                                            "and answers ERR_CONF)");
            }
            if (!m_their_auth_seen) {
                m_their_auth_seen = true;
                m_their_auth_wire = o.wire;
            } else {
                note(Category::interop, "sent a second AUTH");
            }
            return;
        }
        default:
            break;
    }
    check_authenticated(am, payload);
    if (!m_their_auth_seen) {
        fail(Category::interop, "sent " + type_name(o.type) +
                                    " before its AUTH (stellar-core sends only HELLO, AUTH and ERROR before "
                                    "authentication, and drops anything else it receives then)");
    }
    if (o.type == MessageType::send_more_extended) {
        const auto& sme = std::get<ss::SendMoreExtended>(am.message);
        if (sme.num_messages == 0 || sme.num_bytes == 0) {
            non_strict(Category::after_auth, "SEND_MORE_EXTENDED grants {" + std::to_string(sme.num_messages) + ", " +
                                                 std::to_string(sme.num_bytes) +
                                                 "}: no capacity (stellar-core grants {" + std::to_string(ss::kFlowControlMessages) + ", " +
                                                 std::to_string(ss::kFlowControlBytes) + "} by default)");
        }
    }
}

void Conn::check_authenticated(const ss::AuthenticatedMessage& am, ByteView payload) {
    const std::string what = type_name(ss::type_of(am.message));
    if (!m_their_hello) {
        note(Category::interop, what + " arrived before any HELLO: its MAC cannot be checked");
        return;
    }
    if (!m_keys) {
        // No HELLO of ours yet, or we advertised a key we do not hold (a reflected HELLO):
        // there is nothing to check the MAC against.
        return;
    }
    // Peer::recvAuthenticatedMessage: sequence must equal the receive counter, then the MAC over
    // (sequence || StellarMessage) must verify.
    if (am.sequence != m_recv_seq) {
        fail(Category::interop, what + " with sequence " + std::to_string(am.sequence) + " where " +
                                    std::to_string(m_recv_seq) + " was due");
    } else {
        const auto expected = ss::message_mac(m_keys->recv, am.sequence, ss::mac_covered_bytes(payload));
        if (!ct_equal(expected, am.mac)) {
            fail(Category::interop, what + " carries a MAC that does not verify under the " +
                                        std::string(m_target_role == ss::Role::acceptor ? "K_BA" : "K_AB") +
                                        " key derived from both HELLOs");
        }
    }
    m_recv_seq = am.sequence + 1;
}

void Conn::grade_hello(const ss::AuthenticatedMessage& am, const ss::Hello& h) {
    m_their_hello = h;
    // Envelope: stellar-core sends HELLO with sequence 0 and a zero MAC (receivers ignore both).
    if (am.sequence != 0) {
        non_strict(Category::hello, "HELLO sent with sequence " + std::to_string(am.sequence) +
                                        " (stellar-core sends 0; receivers ignore it)");
    }
    if (!all_zero(am.mac)) {
        non_strict(Category::hello,
                   "HELLO carries a non-zero MAC (stellar-core sends an all-zero MAC; receivers ignore it)");
    }
    // Versions: stellar-core at the pinned commit announces min 41, max 42, and rejects a peer
    // whose range does not overlap its own with ERR_CONF "wrong protocol version".
    if (h.overlay_min_version > h.overlay_version) {
        fail(Category::interop, "overlayMinVersion " + std::to_string(h.overlay_min_version) + " > overlayVersion " +
                                    std::to_string(h.overlay_version) + " (stellar-core: ERR_CONF)");
    } else if (h.overlay_version < ss::kOverlayMinVersion || h.overlay_min_version > ss::kOverlayVersion) {
        fail(Category::interop, "overlay versions [" + std::to_string(h.overlay_min_version) + ", " +
                                    std::to_string(h.overlay_version) +
                                    "] do not overlap stellar-core's [41, 42] (ERR_CONF)");
    } else if (h.overlay_version != ss::kOverlayVersion || h.overlay_min_version != ss::kOverlayMinVersion) {
        note(Category::hello, "overlay versions [" + std::to_string(h.overlay_min_version) + ", " +
                                  std::to_string(h.overlay_version) + "]; stellar-core announces [41, 42]");
    }
    if (h.ledger_version != ss::kLedgerVersion) {
        note(Category::hello, "ledgerVersion " + std::to_string(h.ledger_version) + " (stellar-core: 28; unchecked)");
    }
    if (h.network_id != m_env.network_id) {
        fail(Category::interop, "networkID is not SHA-256 of '" + m_env.network_passphrase +
                                    "' (stellar-core: ERR_CONF 'wrong network passphrase')");
    }
    if (h.listening_port <= 0 || h.listening_port > 65535) {
        fail(Category::interop,
             "listeningPort " + std::to_string(h.listening_port) + " (stellar-core: ERR_CONF 'bad address')");
    }
    if (m_expected_target_id && h.peer_id != *m_expected_target_id) {
        fail(Category::interop, "peerID " + to_hex(h.peer_id) + " is not the node ID it was given (" +
                                    to_hex(*m_expected_target_id) + ")");
    }
    // AuthCert (PeerAuth::verifyRemoteAuthCert).
    const auto verified = ss::verify_cert(h.cert, h.peer_id, m_env.network_id, now());
    if (!verified) {
        if (verified.error() == Error::expired) {
            fail(Category::interop, "AuthCert expired (expiration " + std::to_string(h.cert.expiration) +
                                        " < now " + std::to_string(now()) + "; stellar-core drops)");
        } else {
            fail(Category::interop, std::string("AuthCert: ") + verified.failure().detail +
                                        " (signature over SHA-256(networkID || 3 || expiration || pubkey); "
                                        "stellar-core drops)");
        }
    } else {
        const std::uint64_t t = now();
        const std::uint64_t slack = 120;
        if (h.cert.expiration > t + ss::kCertLifetimeSeconds + slack) {
            std::string text = "AuthCert expires " + std::to_string(h.cert.expiration - t) +
                               " s from now; stellar-core issues now + 3600 (accepted: no upper bound)";
            const std::uint64_t ms_now = t * 1000;
            if (h.cert.expiration > ms_now && h.cert.expiration < ms_now + 7 * 24 * 3600 * 1000ULL) {
                text += "; the value is a time in milliseconds (" +
                        std::to_string((h.cert.expiration - ms_now) / 1000) + " s ahead when read so)";
            }
            non_strict(Category::cert, std::move(text));
        } else if (h.cert.expiration + slack < t + ss::kCertLifetimeSeconds / 2) {
            non_strict(Category::cert, "AuthCert expires in " + std::to_string(h.cert.expiration - t) +
                                           " s; stellar-core re-signs when less than 1800 s remain");
        }
    }
    Secret<32> probe;
    SystemRng().fill(probe.mut());
    if (!crypto::x25519(probe, h.cert.pubkey).ok()) {
        fail(Category::interop, "AuthCert key is a zero or low-order X25519 point (all-zero shared secret)");
    }
    // Nonce: 32 random bytes, fresh per connection.
    if (all_zero(h.nonce)) {
        fail(Category::nonce, "nonce is all zero");
    }
    if (!m_env.nonces.insert(h.nonce)) {
        fail(Category::nonce, "nonce " + to_hex(h.nonce) +
                                  " repeats one it sent on an earlier connection (stellar-core draws 32 random "
                                  "bytes per connection: a repeat lets recorded sessions be replayed)");
    }
    derive_keys();
}

}  // namespace shakedown::conformance::stellar_scenarios
