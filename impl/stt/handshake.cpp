#include "stt/handshake.hpp"

#include <algorithm>
#include <array>
#include <cstdlib>
#include <iterator>

#include "common/crypto.hpp"
#include "common/ct.hpp"
#include "stt/frame.hpp"

namespace shakedown::stt {

void NonceCache::evict_oldest() {
    m_set.erase(m_order[m_head].first);
    ++m_head;
    ++m_evictions;
    if (m_head == m_order.size()) {
        m_order.clear();
        m_head = 0;
    } else if (m_head >= 64 && 2 * m_head >= m_order.size()) {
        m_order.erase(m_order.begin(), m_order.begin() + static_cast<std::ptrdiff_t>(m_head));
        m_head = 0;
    }
}

void NonceCache::insert(ByteView nonce, std::int64_t timestamp_ms, std::int64_t now_ms, std::uint32_t window_ms) {
    while (m_head < m_order.size() && m_order[m_head].second < now_ms - static_cast<std::int64_t>(window_ms)) {
        evict_oldest();
    }
    while (m_order.size() - m_head >= m_capacity) {
        evict_oldest();
    }
    if (const auto [it, inserted] = m_set.emplace(nonce.begin(), nonce.end()); inserted) {
        m_order.emplace_back(it, timestamp_ms);
    }
}

ByteArray<32> node_id_from_seed(ByteView node_seed) { return crypto::sha256(node_seed); }

MessageOptions message_options(const Quirks& q) {
    MessageOptions o;
    o.leniency.ignore_trailing_bytes = q.tlv_accept_trailing_bytes;
    o.leniency.truncate_short_fields = q.tlv_truncate_short_fields;
    o.leniency.duplicate_keys_overwrite = q.tlv_duplicate_keys_overwrite;
    o.leniency.no_limits = q.tlv_no_limits;
    o.check_lengths = !q.skip_length_checks;
    return o;
}

std::string_view to_string(HandshakeState s) noexcept {
    switch (s) {
        case HandshakeState::idle:
            return "idle";
        case HandshakeState::awaiting_hello:
            return "awaiting_hello";
        case HandshakeState::awaiting_response:
            return "awaiting_response";
        case HandshakeState::awaiting_auth_proof:
            return "awaiting_auth_proof";
        case HandshakeState::awaiting_final:
            return "awaiting_final";
        case HandshakeState::done:
            return "done";
        case HandshakeState::closed:
            return "closed";
    }
    return "unknown";
}

namespace {
Failure shifted(Failure f, std::size_t base) {
    if (f.offset != kNoOffset) {
        f.offset += base;
    }
    return f;
}
}  // namespace

Handshake::Handshake(const Config& config, Rng& rng, const Clock& clock)
    : m_config(config), m_rng(rng), m_clock(clock) {
    init();
}

Handshake::Handshake(Config&& config, Rng& rng, const Clock& clock)
    : m_config(std::move(config)), m_rng(rng), m_clock(clock) {
    init();
}

void Handshake::init() {
    // The provisioned seeds: the shared one keys the suite and the session key, the node seed
    // gives the node ID.
    ct::classify(m_config.shared_seed.view().data(), m_config.shared_seed.size());
    ct::classify(m_config.node_seed.view().data(), m_config.node_seed.size());
    if (m_config.suite) {
        m_suite = m_config.suite.get();
    } else {
        m_suite = &m_own_suite.emplace(m_config.shared_seed.view());
    }
    // Only a responder checks HELLO nonces.
    if (m_config.role == Role::acceptor) {
        m_cache = m_config.replay_cache ? m_config.replay_cache.get() : &m_own_cache.emplace();
    }
    if (m_config.node_id) {
        m_node_id = *m_config.node_id;
    } else {
        m_node_id_hash = node_id_from_seed(m_config.node_seed.view());
        m_node_id = m_node_id_hash;
    }
    // The node ID is sent in HELLO: a hash of the seed, public like a public key.
    ct::declassify(m_node_id.data(), m_node_id.size());
}

std::int64_t Handshake::now_ms() const { return static_cast<std::int64_t>(m_clock.unix_seconds()) * 1000; }

Result<void> Handshake::check_timestamp(std::int64_t ts, std::size_t offset) const {
    if (m_config.quirks.skip_timestamp_check) {
        return ok();
    }
    const std::int64_t now = now_ms();
    const auto window = static_cast<std::int64_t>(m_config.timestamp_window_ms);
    if (ts < now - window) {
        return Failure{Error::stale_timestamp, offset, "timestamp older than the window"};
    }
    if (ts > now + window) {
        return Failure{Error::future_timestamp, offset, "timestamp further ahead than the window"};
    }
    return ok();
}

Bytes Handshake::wrap(const Message& m, std::uint64_t index) const {
    const std::int64_t ts = std::visit([](const auto& x) { return x.timestamp_ms; }, m);
    return wrap_tlv(serialize(m), ts, index);
}

Bytes Handshake::wrap_tlv(ByteView tlv, std::int64_t timestamp_ms, std::uint64_t index) const {
    if (m_config.quirks.unframed_handshake) {
        return Bytes(tlv.begin(), tlv.end());
    }
    FrameHeader h;
    h.type = kFrameHandshake;
    h.sequence = index;
    h.timestamp_ms = static_cast<std::uint64_t>(timestamp_ms);
    return serialize_frame(h, {}, tlv);
}

void Handshake::send(const MessageView& m, std::uint64_t index) {
    // The datagram is written once, in place: the frame's head, then the TLV after it.
    const std::size_t tlv_size = serialized_size(m);
    const bool framed = !m_config.quirks.unframed_handshake;
    m_last_sent.resize(framed ? frame_size(0, tlv_size) : tlv_size);
    std::size_t at = 0;
    if (framed) {
        FrameHeader h;
        h.type = kFrameHandshake;
        h.sequence = index;
        h.timestamp_ms = static_cast<std::uint64_t>(std::visit([](const auto& x) { return x.timestamp_ms; }, m));
        at = write_frame_head(m_last_sent, h, {}, tlv_size);
    }
    const std::span<std::uint8_t> tlv = std::span<std::uint8_t>(m_last_sent).subspan(at, tlv_size);
    serialize_into(m, tlv);
    m_own_tlv_at = at;
    m_own_tlv_size = tlv_size;
    m_resends = 0;
    // A step was taken: the wait (and its retransmissions) starts again.
    m_waited_ms = 0;
    m_retransmits = 0;
    m_out.add(m_last_sent);
}

void Handshake::close(Failure f) {
    m_state = HandshakeState::closed;
    m_closure = Closure{f, "", m_received == 0 ? 0 : m_received - 1, false};
}

void Handshake::start() {
    if (m_state != HandshakeState::idle) {
        return;
    }
    if (m_config.role == Role::acceptor) {
        m_state = HandshakeState::awaiting_hello;
        return;
    }
    m_rng.fill(m_nonce);
    const ByteArray<32> commitment = m_suite->digest({m_node_id, m_nonce});
    HelloView h;
    h.node_id = m_node_id;
    h.nonce = m_nonce;
    h.timestamp_ms = now_ms() + m_config.send_skew_ms;
    h.commitment = commitment;
    send(h, 0);
    m_state = HandshakeState::awaiting_response;
}

Result<ByteView> Handshake::unwrap(ByteView datagram, std::size_t& base) const {
    base = 0;
    if (datagram.size() > kMaxDatagram) {
        return Failure{Error::oversize, kMaxDatagram, "datagram over the size limit"};
    }
    const bool framed = datagram.size() >= 2 && datagram[0] == 'S' && datagram[1] == 'T';
    if (m_config.quirks.unframed_handshake && !framed) {
        return datagram;
    }
    FrameView f;
    SK_CHECK(parse_frame_view(datagram, f));
    const std::size_t h = f.header_offset;
    if (f.header.type != kFrameHandshake) {
        return Failure{Error::unexpected_message, h, "not a handshake frame"};
    }
    if (f.header.flags != 0) {
        return Failure{Error::bad_flags, h + 1, "handshake frame flags must be zero"};
    }
    if (!is_all_zero(f.header.session_id)) {
        return Failure{Error::decode_error, h + 2, "handshake frame session id must be zero"};
    }
    if (f.header.stream_id != 0) {
        return Failure{Error::decode_error, h + 26, "handshake frame stream id must be zero"};
    }
    if (!f.metadata.empty()) {
        return Failure{Error::decode_error, h + kHeaderSize, "handshake frame carries no metadata"};
    }
    base = f.payload_offset;
    return datagram.subspan(f.payload_offset);
}

void Handshake::receive(ByteView datagram) {
    if (m_state == HandshakeState::closed) {
        return;  // nothing after close
    }
    ++m_received;
    if (m_state == HandshakeState::idle) {
        close(fail(Error::unexpected_message, "input before start"));
        return;
    }
    if (const ByteView last = last_received();
        !last.empty() && std::equal(datagram.begin(), datagram.end(), last.begin(), last.end())) {
        // A duplicate (the peer retransmitted, or the network duplicated): answer it again, a
        // bounded number of times, and never re-run the step (docs/protocols/stt.md, "Duplicates").
        if (!m_last_sent.empty() && m_resends < kMaxResends) {
            ++m_resends;
            m_out.add(m_last_sent);
        }
        return;
    }
    if (m_state == HandshakeState::done) {
        // A copy of the peer's first message (HELLO at a responder, RESPONSE at an initiator) is a
        // retransmission that the rest of the handshake overtook on the way: it changes nothing
        // and is not answered, since its sender has moved on (docs/protocols/stt.md, "Duplicates").
        if (!m_config.quirks.stale_duplicate_ends_session && stale_copy(datagram)) {
            return;
        }
        close(fail(Error::unexpected_message, "handshake message after completion", 0));
        return;
    }
    std::size_t base = 0;
    auto payload = unwrap(datagram, base);
    if (!payload) {
        close(payload.failure());
        return;
    }
    MessageView m;
    if (auto parsed = parse_message_view(*payload, m, message_options(m_config.quirks)); !parsed) {
        close(shifted(parsed.failure(), base));
        return;
    }
    // The peer's first message is kept whole (its TLV goes into the transcript); any other is
    // kept only to recognise a duplicate of it.
    if ((m_state == HandshakeState::awaiting_hello && std::holds_alternative<HelloView>(m)) ||
        (m_state == HandshakeState::awaiting_response && std::holds_alternative<ResponseView>(m))) {
        m_peer_datagram.assign(datagram.begin(), datagram.end());
        m_peer_tlv = {base, payload->size()};
        m_last_is_peer_first = true;
    } else {
        m_last_received.assign(datagram.begin(), datagram.end());
        m_last_is_peer_first = false;
    }
    switch (m_state) {
        case HandshakeState::awaiting_hello:
            if (const auto* h = std::get_if<HelloView>(&m)) {
                on_hello(*h, *payload);
                return;
            }
            break;
        case HandshakeState::awaiting_response:
            if (const auto* r = std::get_if<ResponseView>(&m)) {
                on_response(*r, *payload);
                return;
            }
            break;
        case HandshakeState::awaiting_auth_proof:
            if (const auto* a = std::get_if<AuthProofView>(&m)) {
                on_auth_proof(*a);
                return;
            }
            break;
        case HandshakeState::awaiting_final:
            if (const auto* f = std::get_if<FinalView>(&m)) {
                on_final(*f);
                return;
            }
            break;
        default:
            break;
    }
    close(Failure{Error::unexpected_message, base, "message not expected in this state"});
}

Handshake::Part Handshake::part_of(ByteView whole, ByteView field) {
    if (field.empty()) {
        return {};
    }
    // parse_message_view's fields are views into the TLV it was given.
    const auto at = static_cast<std::size_t>(field.data() - whole.data());
    if (field.data() < whole.data() || at > whole.size() || field.size() > whole.size() - at) {
        std::abort();
    }
    return {at, field.size()};
}

void Handshake::keep_peer(ByteView tlv, ByteView node_id, ByteView nonce) {
    Part id = part_of(tlv, node_id);
    id.at += m_peer_tlv.at;
    m_peer_node_id = id;
    m_peer_nonce = part_of(tlv, nonce);
    m_peer_nonce.at += m_peer_tlv.at;
}

bool Handshake::stale_copy(ByteView datagram) const {
    std::size_t base = 0;
    const auto payload = unwrap(datagram, base);
    const ByteView first = peer_tlv();
    return payload && !first.empty() && std::equal(payload->begin(), payload->end(), first.begin(), first.end());
}

void Handshake::on_hello(const HelloView& m, ByteView tlv) {
    if (auto t = check_timestamp(m.timestamp_ms, kNoOffset); !t) {
        close(t.failure());
        return;
    }
    if (!m_config.quirks.skip_commitment_check &&
        !ct_equal(m.commitment, m_suite->digest({m.node_id, m.nonce}))) {
        close(fail(Error::bad_mac, "commitment does not match node_id || nonce"));
        return;
    }
    if (!m_config.quirks.no_replay_cache) {
        if (m_cache->contains(m.nonce)) {
            close(fail(Error::replay, "HELLO nonce already seen"));
            return;
        }
        m_cache->insert(m.nonce, m.timestamp_ms, now_ms(), m_config.timestamp_window_ms);
    }
    keep_peer(tlv, m.node_id, m.nonce);
    const ByteView peer_nonce = peer_part(m_peer_nonce);
    m_rng.fill(m_nonce);
    m_session_id = compute_session_id(peer_nonce, m_nonce);

    // The challenge holds the peer's nonce and ours (on the stack unless a knob let a long one in).
    std::array<std::uint8_t, 2 * kNonceSize> both{};
    Bytes long_both;
    ByteView plaintext;
    if (peer_nonce.size() <= kNonceSize) {
        std::copy(peer_nonce.begin(), peer_nonce.end(), both.begin());
        std::copy(m_nonce.begin(), m_nonce.end(), both.begin() + static_cast<std::ptrdiff_t>(peer_nonce.size()));
        plaintext = ByteView(both).first(peer_nonce.size() + m_nonce.size());
    } else {
        long_both = concat({peer_nonce, m_nonce});
        plaintext = long_both;
    }
    // The proof's associated data, which also holds our RESPONSE (not made yet), is longer:
    // m_aad grows to it when AUTH_PROOF arrives.
    challenge_aad(m_aad, peer_tlv());
    auto sealed = m_suite->encrypt(plaintext, m_aad, m_rng);
    if (!sealed) {
        close(sealed.failure());
        return;
    }
    ResponseView r;
    r.node_id = m_node_id;
    r.nonce = m_nonce;
    r.challenge = sealed->ciphertext;
    r.challenge_metadata = sealed->metadata;
    r.timestamp_ms = now_ms() + m_config.send_skew_ms;
    send(r, 1);
    m_state = HandshakeState::awaiting_auth_proof;
}

void Handshake::on_response(const ResponseView& m, ByteView tlv) {
    if (auto t = check_timestamp(m.timestamp_ms, kNoOffset); !t) {
        close(t.failure());
        return;
    }
    // Room for the proof's associated data too, which holds both TLVs: one allocation, of the
    // size it needs (a buffer sized for two whole datagrams would come from the allocator's slow
    // path on every handshake).
    m_aad.reserve(proof_aad_size(hello_tlv().size(), tlv.size()));
    challenge_aad(m_aad, hello_tlv());
    auto plain = m_suite->decrypt(m.challenge, m.challenge_metadata, m_aad);
    if (!plain) {
        close(plain.failure());
        return;
    }
    // The plaintext is our nonce followed by the peer's. Accept or reject is public (the handshake
    // stops), and so are the lengths; the comparison itself is not (both halves are compared).
    const ByteView p(*plain);
    const bool matches =
        p.size() == m_nonce.size() + m.nonce.size() &&
        ct::declassified((static_cast<unsigned>(ct_equal(p.first(m_nonce.size()), m_nonce)) &
                          static_cast<unsigned>(ct_equal(p.subspan(m_nonce.size()), m.nonce))) != 0);
    secure_wipe(*plain);
    if (!matches) {
        close(fail(Error::bad_credentials, "challenge does not hold our nonce and the peer's"));
        return;
    }
    keep_peer(tlv, m.node_id, m.nonce);
    m_session_id = compute_session_id(m_nonce, peer_part(m_peer_nonce));
    const std::int64_t timestamp = now_ms() + m_config.send_skew_ms;
    proof_aad(m_aad, hello_tlv(), response_tlv(), timestamp);
    auto sealed = m_suite->encrypt(m_session_id.view(), m_aad, m_rng);
    if (!sealed) {
        close(sealed.failure());
        return;
    }
    establish();  // before AUTH_PROOF replaces our HELLO in m_last_sent
    AuthProofView a;
    a.session_id = m_session_id.view();
    a.proof = sealed->ciphertext;
    a.proof_metadata = sealed->metadata;
    a.timestamp_ms = timestamp;
    send(a, 2);
    m_state = HandshakeState::awaiting_final;
}

void Handshake::on_auth_proof(const AuthProofView& m) {
    if (auto t = check_timestamp(m.timestamp_ms, kNoOffset); !t) {
        close(t.failure());
        return;
    }
    if (!ct_equal(m.session_id, m_session_id.view())) {
        close(fail(Error::bad_mac, "AUTH_PROOF session_id is not the XOR of the nonces"));
        return;
    }
    proof_aad(m_aad, hello_tlv(), response_tlv(), m.timestamp_ms);
    auto plain = m_suite->decrypt(m.proof, m.proof_metadata, m_aad);
    if (!plain) {
        close(plain.failure());
        return;
    }
    // Accept or reject is public; the comparison itself is not.
    if (!ct::declassified(ct_equal(*plain, m_session_id.view()))) {
        close(fail(Error::bad_credentials, "proof does not hold the session id"));
        return;
    }
    establish();  // before FINAL replaces our RESPONSE in m_last_sent
    FinalView f;
    f.session_id = m_session_id.view();
    f.timestamp_ms = now_ms() + m_config.send_skew_ms;
    send(f, 3);
    m_authenticated = true;
    m_state = HandshakeState::done;
}

void Handshake::on_final(const FinalView& m) {
    if (auto t = check_timestamp(m.timestamp_ms, kNoOffset); !t) {
        close(t.failure());
        return;
    }
    if (!ct_equal(m.session_id, m_session_id.view())) {
        close(fail(Error::bad_mac, "FINAL session_id does not match"));
        return;
    }
    // Nothing answers FINAL: a duplicate of it is not met with AUTH_PROOF again.
    m_last_sent.clear();
    m_authenticated = true;
    m_state = HandshakeState::done;
}

void Handshake::establish() {
    const bool initiator = m_config.role == Role::initiator;
    const ByteView peer_nonce = peer_part(m_peer_nonce);
    const ByteView peer_id = peer_part(*m_peer_node_id);
    const ByteView nonce_i = initiator ? ByteView{m_nonce} : peer_nonce;
    const ByteView nonce_r = initiator ? peer_nonce : ByteView{m_nonce};
    const ByteView id_i = initiator ? m_node_id : peer_id;
    const ByteView id_r = initiator ? peer_id : m_node_id;
    m_transcript = transcript_hash(hello_tlv(), response_tlv());
    m_session_key = m_config.quirks.xor_session_key
                        ? xor_session_key(nonce_i, nonce_r, id_i, id_r)
                        : derive_session_key(m_config.shared_seed.view(), *m_transcript);
    ct::classify(m_session_key->mut());
    m_channel.emplace(m_config.role, *m_session_key, m_session_id.view(), m_config.quirks);
}

void Handshake::peer_closed() {
    if (m_state == HandshakeState::closed || m_state == HandshakeState::done) {
        return;
    }
    m_state = HandshakeState::closed;
    m_closure = Closure{fail(Error::peer_closed, "transport closed"), "", m_received, true};
}

bool Handshake::may_retransmit() const noexcept {
    return m_config.role == Role::initiator && !m_config.quirks.no_retransmit && m_config.retransmit_ms > 0 &&
           (m_state == HandshakeState::awaiting_response || m_state == HandshakeState::awaiting_final) &&
           !m_last_sent.empty() && m_retransmits < kMaxRetransmits;
}

void Handshake::idle_timeout() {
    const auto waited = idle_timeout_ms();
    if (!waited) {
        return;  // closed, done, or a knob that never gives up
    }
    // The interval idle_timeout_ms() named has passed without input.
    m_waited_ms += *waited;
    if (m_waited_ms >= m_config.handshake_timeout_ms || !may_retransmit()) {
        m_state = HandshakeState::closed;
        m_closure = Closure{fail(Error::timeout, "handshake timed out"), "", m_received, false};
        return;
    }
    // No answer yet: the datagram (or its answer) was lost. Send it again, unchanged, so that the
    // peer sees a duplicate and answers it without running the step twice.
    ++m_retransmits;
    m_out.add(m_last_sent);
}

std::optional<std::uint32_t> Handshake::idle_timeout_ms() const {
    if (m_config.quirks.no_idle_timeout || m_state == HandshakeState::done || m_state == HandshakeState::closed) {
        return std::nullopt;
    }
    const std::uint64_t timeout = m_config.handshake_timeout_ms;
    const std::uint64_t left = timeout > m_waited_ms ? timeout - m_waited_ms : 0;
    if (!may_retransmit()) {
        return static_cast<std::uint32_t>(left);
    }
    // 1, 2, 4, ... times the first delay, never past the handshake timeout.
    const std::uint64_t gap = static_cast<std::uint64_t>(m_config.retransmit_ms) << m_retransmits;
    return static_cast<std::uint32_t>(std::min(gap, left));
}

Action Handshake::next_action() const {
    if (!m_out.empty()) {
        return Action::send;
    }
    if (m_state == HandshakeState::closed) {
        return Action::closed;
    }
    if (m_state == HandshakeState::done) {
        return Action::done;
    }
    return Action::receive;
}

std::vector<Bytes> Handshake::take_output() { return m_out.take(); }

void Handshake::drain_output(OutputUnits& out) { m_out.drain_into(out); }

std::vector<DerivedKey> Handshake::derived_keys() const {
    std::vector<DerivedKey> keys;
    if (const Bytes k = m_suite->key_for_vectors(); !k.empty()) {
        keys.push_back({"handshake_key", k});
    }
    if (m_session_id.size != 0) {
        keys.push_back({"session_id", Bytes(m_session_id.view().begin(), m_session_id.view().end())});
    }
    if (m_transcript) {
        keys.push_back({"transcript_hash", Bytes(m_transcript->begin(), m_transcript->end())});
    }
    if (m_session_key) {
        keys.push_back({"session_key", Bytes(m_session_key->view().begin(), m_session_key->view().end())});
        const DataKeys d = derive_data_keys(*m_session_key);
        keys.push_back({"data_key_i2r", Bytes(d.initiator_to_responder.view().begin(), d.initiator_to_responder.view().end())});
        keys.push_back({"data_key_r2i", Bytes(d.responder_to_initiator.view().begin(), d.responder_to_initiator.view().end())});
    }
    return keys;
}

}  // namespace shakedown::stt
