#include "hivemind/handshake.hpp"

#include <algorithm>

#include "common/ct.hpp"

namespace shakedown::hivemind {

namespace {

Result<BinFrame> to_frame(const HiveMessage& m) {
    const auto type = frame_type_from_msg_type(m.msg_type);
    if (!type) {
        return fail(Error::invalid_argument, "msg_type has no binarized type");
    }
    BinFrame f;
    f.type = *type;
    f.metadata = dump_json(m.metadata);
    const std::string payload = dump_json(m.payload);
    f.payload.assign(payload.begin(), payload.end());
    return f;
}

Result<HiveMessage> from_frame(const BinFrame& f) {
    HiveMessage m;
    m.msg_type = std::string(msg_type_name(f.type));
    SK_TRY(m.metadata, parse_json(f.metadata));
    if (f.type != FrameType::binary) {
        SK_TRY(m.payload, parse_json(ByteView(f.payload)));
        if (!m.payload.is_object()) {
            return fail(Error::wrong_type, "binarized payload is not a JSON object", 0);
        }
    }
    return m;
}

bool contains(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
}

// First of `offer` (the client's order) that `allowed` also lists.
std::optional<std::string> first_common(const std::vector<std::string>& offer, const std::vector<std::string>& allowed) {
    for (const auto& s : offer) {
        if (contains(allowed, s)) {
            return s;
        }
    }
    return std::nullopt;
}

}  // namespace

namespace {

Bytes opcode_unit(std::uint8_t opcode, ByteView data) {
    Bytes out;
    out.reserve(1 + data.size());
    out.push_back(opcode);
    out.insert(out.end(), data.begin(), data.end());
    return out;
}

}  // namespace

Bytes text_unit(std::string_view text) { return opcode_unit(kOpText, as_bytes(text)); }
Bytes binary_unit(ByteView data) { return opcode_unit(kOpBinary, data); }

std::string_view to_string(Mode m) noexcept {
    switch (m) {
        case Mode::password: return "password";
        case Mode::rsa: return "rsa";
        case Mode::preshared: return "preshared";
    }
    return "?";
}

std::optional<Mode> mode_from_string(std::string_view s) noexcept {
    for (const Mode m : {Mode::password, Mode::rsa, Mode::preshared}) {
        if (to_string(m) == s) {
            return m;
        }
    }
    return std::nullopt;
}

HiveMachine::HiveMachine(Config config, Rng& rng, const Clock& /*clock: the protocol has no timestamps*/)
    : m_config(std::move(config)), m_rng(rng) {
    // The password and the pre-shared key. The RSA private key is not marked: it lives in
    // OpenSSL's bignums once parsed, and its arithmetic is OpenSSL's (ci/ct.supp).
    ct::classify(m_config.password.data(), m_config.password.size());
    ct::classify(m_config.crypto_key.data(), m_config.crypto_key.size());
}

HiveMachine::~HiveMachine() {
    for (std::string* s : {&m_config.password, &m_config.crypto_key, &m_config.own_key_pem}) {
        secure_wipe({reinterpret_cast<std::uint8_t*>(s->data()), s->size()});
    }
}

void HiveMachine::close(Failure f, std::string sent) {
    if (m_state == State::closed) {
        return;
    }
    m_state = State::closed;
    m_closure = Closure{f, std::move(sent), m_units == 0 ? 0 : m_units - 1, false};
}

void HiveMachine::send_text(const HiveMessage& m) {
    // The unit is written once, behind its opcode, into the output queue.
    const std::string text = serialize_message(m);
    const std::span<std::uint8_t> unit = m_out.add(1 + text.size());
    unit[0] = kOpText;
    std::copy(text.begin(), text.end(), unit.begin() + 1);
}

void HiveMachine::start() {
    if (m_state != State::idle) {
        return;
    }
    const bool server = m_config.role == Role::acceptor;
    if (m_config.mode == Mode::password && m_config.password.empty() && !m_config.quirks.accept_empty_password) {
        close(fail(Error::bad_credentials, "empty password refused"));
        return;
    }
    if (m_config.mode == Mode::preshared) {
        const auto n = m_config.crypto_key.size();
        if (n != 16 && n != 24 && n != 32) {
            close(fail(Error::invalid_argument, "crypto_key must be 16, 24 or 32 characters"));
            return;
        }
    }
    if (!m_config.own_key_pem.empty()) {
        auto k = crypto::RsaKey::from_pem(m_config.own_key_pem);
        if (!k || !k->has_private()) {
            close(fail(Error::invalid_argument, "own RSA key is not a private key PEM"));
            return;
        }
        m_own_key = std::move(*k);
        m_own_pem = public_pem(*m_own_key);
    } else if (m_config.mode == Mode::rsa) {
        close(fail(Error::invalid_argument, "RSA mode needs an own key"));
        return;
    }
    if (!server) {
        m_state = State::wait_hello;
        return;
    }
    m_iv = m_rng.array<8>();
    HiveMessage hello;
    hello.msg_type = "hello";
    hello.payload = to_json(ServerHello{m_own_pem, m_config.peer,
                                        m_config.node_id});
    send_text(hello);
    ServerParams p;
    p.handshake = m_config.mode != Mode::preshared;
    p.min_protocol_version = (m_config.mode != Mode::preshared && m_config.crypto_required) ? 1 : 0;
    p.max_protocol_version = 1;
    p.binarize = m_config.binarize;
    p.preshared_key = m_config.mode == Mode::preshared;
    p.password = m_config.mode == Mode::password;
    p.crypto_required = m_config.crypto_required;
    p.encodings = m_config.encodings;
    p.ciphers = m_config.ciphers;
    HiveMessage shake;
    shake.msg_type = "shake";
    shake.payload = to_json(p);
    send_text(shake);
    if (m_config.mode == Mode::preshared) {
        m_key = SecretBytes(as_bytes(m_config.crypto_key));
        m_have_key = true;
        m_encoding = Encoding::hex;
        m_cipher = Cipher::aes_gcm;
        m_state = State::wait_client_hello;
    } else {
        m_state = State::wait_offer;
    }
}

void HiveMachine::receive(ByteView input) {
    if (m_state == State::closed || m_state == State::idle) {
        return;
    }
    ++m_units;
    on_unit(input);
}

void HiveMachine::on_unit(ByteView unit) {
    if (unit.empty()) {
        close(fail(Error::truncated, "empty transport unit", 0));
        return;
    }
    Result<void> r = ok();
    if (m_state == State::done || m_state == State::wait_client_hello) {
        r = after_handshake(unit);
    } else {
        if (unit[0] != kOpText) {
            close(fail(Error::unexpected_message, "handshake messages are text frames", 0));
            return;
        }
        auto m = parse_message(unit.subspan(1));
        if (!m) {
            close(m.failure(), "abort");
            return;
        }
        switch (m_state) {
            case State::wait_hello: r = client_hello_msg(*m); break;
            case State::wait_params: r = client_params_msg(*m); break;
            case State::wait_choice: r = client_choice_msg(*m); break;
            case State::wait_offer: r = server_offer_msg(*m); break;
            default: r = fail(Error::unexpected_message, "no message expected now", 0);
        }
    }
    if (!r) {
        close(r.failure(), r.error() == Error::unknown_type ? "abort" : "close");
    }
}

Result<void> HiveMachine::client_hello_msg(const HiveMessage& m) {
    if (m.msg_type != "hello") {
        return fail(Error::unexpected_message, "expected HELLO", 0);
    }
    SK_TRY(ServerHello h, server_hello_from(m.payload));
    if (m_config.mode == Mode::rsa) {
        auto key = crypto::RsaKey::from_pem(h.pubkey);
        if (!key || key->has_private()) {
            return fail(Error::decode_error, "server pubkey is not an RSA public key", m.payload.offset);
        }
        if (!m_config.quirks.accept_weak_rsa_keys) {
            SK_CHECK(check_rsa_strength(*key));
        }
        const std::string pem = public_pem(*key);
        if (!m_config.pinned_server_pem.empty() && !m_config.quirks.trust_every_key) {
            auto pinned = crypto::RsaKey::from_pem(m_config.pinned_server_pem);
            if (!pinned || public_pem(*pinned) != pem) {
                return fail(Error::bad_credentials, "server key differs from the pinned one", m.payload.offset);
            }
        }
        if (m_config.known_servers && !m_config.quirks.trust_every_key) {
            SK_CHECK(m_config.known_servers->check(*key));
        }
        m_server_pem = pem;
        m_peer_key = std::move(*key);
    }
    m_state = State::wait_params;
    return ok();
}

Result<void> HiveMachine::client_params_msg(const HiveMessage& m) {
    if (m.msg_type != "shake") {
        return fail(Error::unexpected_message, "expected HANDSHAKE", 0);
    }
    SK_TRY(ServerParams p, server_params_from(m.payload));
    if (p.min_protocol_version > p.max_protocol_version) {
        return fail(Error::wrong_version, "min_protocol_version above max", m.payload.offset);
    }
    m_params = std::move(p);
    const ServerParams& params = *m_params;
    if (m_config.mode == Mode::preshared) {
        if (params.min_protocol_version > 0) {
            return fail(Error::wrong_version, "server requires a handshake, we have only a pre-shared key", 0);
        }
        m_key = SecretBytes(as_bytes(m_config.crypto_key));
        m_have_key = true;
        m_encoding = Encoding::hex;
        m_cipher = Cipher::aes_gcm;
        return send_client_hello();
    }
    if (params.max_protocol_version < 1 || !params.handshake) {
        return fail(Error::wrong_version, "server offers no handshake", m.payload.offset);
    }
    if (m_config.mode == Mode::password && !params.password) {
        return fail(Error::negotiation_failed, "server offers no password handshake", m.payload.offset);
    }
    ClientOffer o;
    o.binarize = m_config.binarize;
    o.encodings = m_config.encodings;
    o.ciphers = m_config.ciphers;
    if (m_config.mode == Mode::password) {
        m_iv = m_rng.array<8>();
        m_own_envelope = password_envelope(m_config.password, m_iv);
        // The envelope is sent: SHA-256 over the IV and the password, public like a hash.
        ct::declassify(m_own_envelope.data(), m_own_envelope.size());
        o.envelope = m_config.envelope_override.value_or(m_own_envelope);
    } else {
        o.pubkey = m_own_pem;
    }
    HiveMessage out;
    out.msg_type = "shake";
    out.payload = to_json(o);
    send_text(out);
    m_state = State::wait_choice;
    return ok();
}

Result<void> HiveMachine::set_password_key(const Iv& peer_iv) {
    m_peer_iv = peer_iv;
    m_salt = xor_salt(m_iv, peer_iv);
    if (is_all_zero(*m_salt) && !m_config.quirks.accept_reflection) {
        return fail(Error::replay, "reflected envelope (salt 0)", 0);
    }
    auto key = m_config.kdf ? m_config.kdf(m_config.password, *m_salt, m_config.pbkdf2_iterations)
                            : password_key(m_config.password, *m_salt, m_config.pbkdf2_iterations);
    if (!key) {
        return key.failure();
    }
    m_key = std::move(*key);
    ct::classify(m_key.view().data(), m_key.size());
    m_have_key = true;
    return ok();
}

Result<void> HiveMachine::client_choice_msg(const HiveMessage& m) {
    if (m.msg_type != "shake") {
        return fail(Error::unexpected_message, "expected HANDSHAKE", 0);
    }
    SK_TRY(ServerChoice c, server_choice_from(m.payload));
    const std::string enc_name = c.encoding.value_or("JSON-HEX");
    const std::string cipher_name = c.cipher.value_or("AES-GCM");
    m_encoding = encoding_from_wire(enc_name);
    m_cipher = cipher_from_wire(cipher_name);
    if (!m_encoding || !m_cipher) {
        return fail(Error::unknown_type, "unknown encoding or cipher chosen", m.payload.offset);
    }
    if (!m_config.quirks.accept_any_choice) {
        // The choice must be the one the advertised lists determine (docs/protocols/hivemind.md,
        // "Negotiation"): the first of our list that the server's HANDSHAKE also listed.
        if (first_common(m_config.encodings, m_params->encodings) != enc_name ||
            first_common(m_config.ciphers, m_params->ciphers) != cipher_name) {
            return fail(Error::negotiation_failed, "server's choice is not the negotiated one", m.payload.offset);
        }
    }
    m_binarize = m_config.binarize && m_params->binarize;
    if (m_config.mode == Mode::password) {
        SK_TRY(Iv peer_iv, verify_password_envelope(c.envelope, m_config.password, {m_config.quirks.lax_envelope}));
        SK_CHECK(set_password_key(peer_iv));
    } else {
        SK_TRY(SecretBytes secret, open_rsa_envelope(c.envelope, *m_peer_key, *m_own_key,
                                                     {m_config.quirks.ignore_bad_signature}));
        m_rsa_secret = secret;
        m_key = std::move(secret);
        m_have_key = true;
        if (m_config.known_servers && !m_config.quirks.trust_every_key) {
            SK_CHECK(m_config.known_servers->record(*m_peer_key));
        }
    }
    return send_client_hello();
}

Result<void> HiveMachine::send_client_hello() {
    HiveMessage hello;
    hello.msg_type = "hello";
    ClientHello h;
    h.pubkey = m_own_pem;
    h.session = m_config.session;
    h.site_id = m_config.site_id;
    hello.payload = to_json(h);
    SK_TRY(Bytes unit, seal_message(hello));
    m_out.add(unit);
    m_authenticated = true;
    m_state = State::done;
    return ok();
}

Result<void> HiveMachine::server_offer_msg(const HiveMessage& m) {
    if (m.msg_type != "shake") {
        return fail(Error::unexpected_message, "expected HANDSHAKE", 0);
    }
    SK_TRY(ClientOffer o, client_offer_from(m.payload));
    for (const auto& e : o.encodings) {
        if (!encoding_from_wire(e)) {
            return fail(Error::unknown_type, "unknown encoding offered", m.payload.offset);
        }
    }
    for (const auto& c : o.ciphers) {
        if (!cipher_from_wire(c)) {
            return fail(Error::unknown_type, "unknown cipher offered", m.payload.offset);
        }
    }
    const auto enc = first_common(o.encodings, m_config.encodings);
    const auto cipher = first_common(o.ciphers, m_config.ciphers);
    if (!enc || !cipher) {
        return fail(Error::negotiation_failed, "no common encoding or cipher", m.payload.offset);
    }
    m_encoding = encoding_from_wire(*enc);
    m_cipher = cipher_from_wire(*cipher);
    m_binarize = m_config.binarize && o.binarize;
    ServerChoice choice;
    choice.encoding = *enc;
    choice.cipher = *cipher;
    if (m_config.mode == Mode::password) {
        if (!o.envelope) {
            return fail(Error::negotiation_failed, "password handshake needs an envelope", m.payload.offset);
        }
        Iv peer_iv{};
        if (m_config.quirks.skip_envelope_check) {
            // Upstream only reads the IV from the first 16 characters.
            CodecQuirks upper;
            upper.hex_accepts_uppercase = true;
            auto iv = decode(Encoding::hex, o.envelope->substr(0, std::min<std::size_t>(16, o.envelope->size())), upper);
            if (!iv || iv->size() != 8) {
                return fail(Error::decode_error, "envelope IV is not 16 hex digits", m.payload.offset);
            }
            std::copy(iv->begin(), iv->end(), peer_iv.begin());
        } else {
            SK_TRY(peer_iv, verify_password_envelope(*o.envelope, m_config.password, {m_config.quirks.lax_envelope}));
        }
        SK_CHECK(set_password_key(peer_iv));
        m_own_envelope = password_envelope(m_config.password, m_iv);
        // The envelope is sent: SHA-256 over the IV and the password, public like a hash.
        ct::declassify(m_own_envelope.data(), m_own_envelope.size());
        choice.envelope = m_config.envelope_override.value_or(m_own_envelope);
    } else if (m_config.mode == Mode::rsa) {
        if (!o.pubkey) {
            return fail(Error::negotiation_failed, "RSA handshake needs a pubkey", m.payload.offset);
        }
        auto key = crypto::RsaKey::from_pem(*o.pubkey);
        if (!key || key->has_private()) {
            return fail(Error::decode_error, "client pubkey is not an RSA public key", m.payload.offset);
        }
        if (!m_config.quirks.accept_weak_rsa_keys) {
            SK_CHECK(check_rsa_strength(*key));
        }
        m_peer_key = std::move(*key);
        Bytes secret(kRsaSecretSize);
        m_rng.fill(secret);
        // The session secret, sent only under RSA-OAEP.
        ct::classify(secret.data(), secret.size());
        m_rsa_secret = SecretBytes(secret);
        m_key = SecretBytes(secret);
        m_have_key = true;
        auto env = rsa_envelope(*m_own_key, *m_peer_key, secret, m_rng);
        secure_wipe(secret);
        if (!env) {
            return env.failure();
        }
        choice.envelope = m_config.envelope_override.value_or(*env);
    } else {
        return fail(Error::unexpected_message, "pre-shared key server runs no handshake", 0);
    }
    HiveMessage out;
    out.msg_type = "shake";
    out.payload = to_json(choice);
    send_text(out);
    m_state = State::wait_client_hello;
    return ok();
}

Result<Received> HiveMachine::open_text(ByteView text) const {
    bool encrypted = false;
    // The parsed text, when the strict check parsed it (reused for the frame or the message).
    std::optional<Json> parsed;
    if (m_config.quirks.ciphertext_substring) {
        const std::string_view sv(reinterpret_cast<const char*>(text.data()), text.size());
        encrypted = sv.find("ciphertext") != std::string_view::npos;
    } else {
        SK_TRY(parsed, parse_json(text));
        encrypted = parsed->is_object() && parsed->find("ciphertext") != nullptr;
    }
    if (!encrypted) {
        SK_TRY(HiveMessage m, parsed ? message_from_json(std::move(*parsed)) : parse_message(text));
        if (m_config.crypto_required && !m_config.quirks.plaintext_after_handshake) {
            return fail(Error::unexpected_message, "plaintext message while crypto is required", 0);
        }
        return Received{std::move(m), false};
    }
    SK_TRY(Sealed s, parsed ? sealed_from_json(*parsed, text.size(), *m_encoding, m_config.quirks.codec())
                            : parse_json_frame(text, *m_encoding, m_config.quirks.codec()));
    SK_TRY(Bytes plain, open(*m_cipher, m_key.view(), s));
    SK_TRY(HiveMessage m, parse_message(plain));
    return Received{std::move(m), true};
}

Result<Received> HiveMachine::open_unit(ByteView unit) const {
    if (!m_have_key || !m_cipher || !m_encoding) {
        return fail(Error::unexpected_message, "no channel yet", 0);
    }
    if (unit.empty()) {
        return fail(Error::truncated, "empty transport unit", 0);
    }
    if (unit[0] == kOpText) {
        return open_text(unit.subspan(1));
    }
    if (unit[0] != kOpBinary) {
        return fail(Error::unknown_type, "unknown opcode", 0);
    }
    if (!m_binarize) {
        return fail(Error::unexpected_message, "binary frame without binarize", 0);
    }
    SK_TRY(Sealed s, parse_binary_frame(unit.subspan(1), *m_cipher));
    SK_TRY(Bytes plain, open(*m_cipher, m_key.view(), s));
    SK_TRY(BinFrame f, parse_frame(plain));
    SK_TRY(HiveMessage m, from_frame(f));
    return Received{std::move(m), true};
}

Result<void> HiveMachine::after_handshake(ByteView unit) {
    auto r = open_unit(unit);
    if (!r) {
        return r.failure();
    }
    if (m_state == State::wait_client_hello) {
        if (r->message.msg_type != "hello") {
            return fail(Error::unexpected_message, "expected the client's HELLO", 0);
        }
        SK_TRY(ClientHello h, client_hello_from(r->message.payload));
        (void)h;
        m_authenticated = true;
        m_state = State::done;
    }
    m_received.push_back(std::move(*r));
    return ok();
}

Result<Bytes> HiveMachine::seal_message(const HiveMessage& m) {
    if (!m_have_key || !m_cipher || !m_encoding) {
        return fail(Error::unexpected_message, "no channel yet");
    }
    Bytes nonce(nonce_size(*m_cipher));
    m_rng.fill(nonce);
    if (m_binarize) {
        SK_TRY(BinFrame f, to_frame(m));
        SK_TRY(Bytes plain, serialize_frame(f));
        SK_TRY(Sealed s, seal(*m_cipher, m_key.view(), nonce, plain));
        return binary_unit(write_binary_frame(s));
    }
    const std::string plain = serialize_message(m);
    SK_TRY(Sealed s, seal(*m_cipher, m_key.view(), nonce, as_bytes(plain)));
    return text_unit(write_json_frame(s, *m_encoding, m_config.quirks.codec()));
}

Result<Bytes> HiveMachine::seal_raw(ByteView plaintext, bool binary) {
    if (!m_have_key || !m_cipher || !m_encoding) {
        return fail(Error::unexpected_message, "no channel yet");
    }
    Bytes nonce(nonce_size(*m_cipher));
    m_rng.fill(nonce);
    SK_TRY(Sealed s, seal(*m_cipher, m_key.view(), nonce, plaintext));
    return binary ? binary_unit(write_binary_frame(s)) : text_unit(write_json_frame(s, *m_encoding, m_config.quirks.codec()));
}

void HiveMachine::peer_closed() {
    if (m_state == State::closed) {
        return;
    }
    if (m_state == State::done) {
        m_state = State::closed;
        m_closure = Closure{fail(Error::peer_closed, "peer closed after the handshake"), "", m_units, true};
        return;
    }
    close(fail(Error::truncated, "peer closed during the handshake"), "");
    m_closure->by_peer = true;
}

void HiveMachine::idle_timeout() {
    if (m_state != State::done && m_state != State::closed) {
        close(fail(Error::timeout, "handshake stalled"));
    }
}

std::optional<std::uint32_t> HiveMachine::idle_timeout_ms() const {
    if (m_state == State::done || m_state == State::closed) {
        return std::nullopt;
    }
    return kIdleTimeoutMs;
}

Action HiveMachine::next_action() const {
    if (!m_out.empty()) {
        return Action::send;
    }
    if (m_state == State::closed) {
        return Action::closed;
    }
    if (m_state == State::done) {
        return Action::done;
    }
    return Action::receive;
}

std::vector<Bytes> HiveMachine::take_output() { return m_out.take(); }

void HiveMachine::drain_output(OutputUnits& out) { m_out.drain_into(out); }

std::vector<DerivedKey> HiveMachine::derived_keys() const {
    std::vector<DerivedKey> out;
    if (m_salt) {
        out.push_back({"salt", Bytes(m_salt->begin(), m_salt->end())});
    }
    if (m_rsa_secret.size() != 0) {
        out.push_back({"rsa_secret", Bytes(m_rsa_secret.view().begin(), m_rsa_secret.view().end())});
    }
    if (m_have_key) {
        out.push_back({"key", Bytes(m_key.view().begin(), m_key.view().end())});
    }
    return out;
}

}  // namespace shakedown::hivemind
