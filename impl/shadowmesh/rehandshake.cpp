#include "shadowmesh/rehandshake.hpp"

#include <utility>

#include "common/crypto.hpp"
#include "common/ct.hpp"
#include "shadowmesh/clock.hpp"

namespace shakedown::shadowmesh {

namespace {

// Offsets of the checked fields in a frame (header 8 + payload offset, §3.2-3.4).
constexpr std::size_t kSessionIdOffset = kHeaderSize;
constexpr std::size_t kMacOffset = kHeaderSize + 16;
constexpr std::size_t kRequestChallengeOffset = kHeaderSize + 16;
constexpr std::size_t kRequestTimestampOffset = kHeaderSize + 48;
constexpr std::size_t kResponseTimestampOffset = kHeaderSize + 80;
constexpr std::size_t kCompleteTimestampOffset = kHeaderSize + 48;

bool is_rehandshake(MessageType t) {
    return t == MessageType::rehandshake_request || t == MessageType::rehandshake_response ||
           t == MessageType::rehandshake_complete;
}

std::string close_description(std::uint16_t reason) {
    switch (reason) {
        case kCloseNormal: return "CLOSE normal";
        case kCloseIdleTimeout: return "CLOSE idle_timeout";
        case kCloseAdministrative: return "CLOSE administrative_shutdown";
        default: return "CLOSE protocol_violation";
    }
}

}  // namespace

std::string_view to_string(State s) noexcept {
    switch (s) {
        case State::i0_start: return "I0";
        case State::i1_awaiting_response: return "I1";
        case State::i2_done: return "I2";
        case State::r0_awaiting_request: return "R0";
        case State::r1_awaiting_complete: return "R1";
        case State::r2_done: return "R2";
        case State::closed: return "closed";
    }
    return "unknown";
}

Result<void> check_timestamp(std::uint64_t ts, std::uint64_t now, std::uint64_t window, std::size_t offset) {
    if (ts < now && now - ts > window) {
        return fail(Error::stale_timestamp, "timestamp older than the skew window", offset);
    }
    if (ts > now && ts - now > window) {
        return fail(Error::future_timestamp, "timestamp ahead of the skew window", offset);
    }
    return ok();
}

Rehandshake::Rehandshake(Config config, Rng& rng, const Clock& clock)
    : Rehandshake(std::move(config), rng, clock, dynamic_cast<const MillisClock*>(&clock)) {}

Rehandshake::Rehandshake(Config config, Rng& rng, const MillisClock& clock)
    : Rehandshake(std::move(config), rng, clock, &clock) {}

Rehandshake::Rehandshake(Config&& config, Rng& rng, const Clock& clock, const MillisClock* millis)
    : m_config(std::move(config)),
      m_rng(rng),
      m_clock(clock),
      m_millis(millis),
      m_state(m_config.role == Role::initiator ? State::i0_start : State::r0_awaiting_request) {
    if (m_config.role == Role::acceptor && m_config.profile == Profile::strict && !m_config.replay_cache) {
        m_config.replay_cache = std::make_shared<ChallengeCache>(kMaxSkewMs);
    }
    // The provisioned session keys (§4.1); the session ID and the challenges are sent in the clear.
    ct::classify(m_config.keys.tx.mut());
    ct::classify(m_config.keys.rx.mut());
}

bool Rehandshake::has_deadline() const noexcept {
    switch (m_state) {
        case State::i1_awaiting_response:
        case State::r0_awaiting_request:
        case State::r1_awaiting_complete: return !m_config.quirks.no_deadline;
        default: return false;
    }
}

bool Rehandshake::deadline_passed(std::uint64_t now) const {
    // A clock that went backwards counts as no time elapsed.
    return has_deadline() && now > m_entered_ms && now - m_entered_ms > kDeadlineMs;
}

void Rehandshake::enter(State s, std::uint64_t now) {
    m_state = s;
    m_entered_ms = now;
}

std::uint64_t Rehandshake::now_ms() const { return m_millis != nullptr ? m_millis->unix_millis() : unix_millis_of(m_clock); }

std::uint64_t Rehandshake::stamp(std::uint64_t now) const {
    return m_config.quirks.timestamps_in_seconds ? now / 1000 : now;
}

void Rehandshake::start() {
    const std::uint64_t now = now_ms();
    if (m_started || m_state == State::closed) {
        return;
    }
    m_started = true;
    if (m_config.role == Role::acceptor) {
        // R0 waits for REQUEST under the same per-state deadline.
        enter(State::r0_awaiting_request, now);
        return;
    }
    // I0: draw c_I, send REQUEST(sid, c_I, now), start the deadline.
    Challenge c{};
    m_rng.fill(c);
    m_challenge_i = c;
    queue<RehandshakeRequest, kRequestFrameSize>(RehandshakeRequest{m_config.keys.session_id, c, stamp(now)});
    enter(State::i1_awaiting_response, now);
}

Mac Rehandshake::make_mac(const Secret<32>& key, const Challenge& c) const {
    if (m_config.quirks.mac_over_session_id) {
        return crypto::hmac_sha256(key.view(), {ByteView(m_config.keys.session_id), ByteView(c)});
    }
    return challenge_mac(key, c);
}

bool Rehandshake::mac_ok(const Secret<32>& key, const Challenge& c, const Mac& received) const {
    if (m_config.quirks.no_mac_check) {
        return true;
    }
    const std::size_t compared = m_config.quirks.mac_compare_16 ? 16 : kMacSize;
    Mac expected = make_mac(key, c);
    // Accept or reject is public (the peer sees the CLOSE); the comparison itself is not.
    const bool equal =
        ct::declassified(ct_equal(ByteView(expected).first(compared), ByteView(received).first(compared)));
    secure_wipe(expected);
    return equal;
}

Result<void> Rehandshake::check_common(const SessionId& sid, std::uint64_t ts, std::size_t ts_offset,
                                       std::uint64_t now) const {
    const auto& q = m_config.quirks;
    // V7 then V8: SessionID, then Timestamp (§5 check order).
    if (!q.no_session_id_check && !ct_equal(sid, m_config.keys.session_id)) {
        return fail(Error::unknown_session, "SessionID is not ours", kSessionIdOffset);
    }
    if (!q.no_timestamp_check) {
        if (q.timestamps_in_seconds) {
            SK_CHECK(check_timestamp(ts, now / 1000, kMaxSkewMs / 1000, ts_offset));
        } else {
            SK_CHECK(check_timestamp(ts, now, kMaxSkewMs, ts_offset));
        }
    }
    return ok();
}

void Rehandshake::receive(ByteView input) {
    if (m_state == State::closed) {
        return;
    }
    const std::size_t index = m_received++;
    const std::uint64_t now = now_ms();
    if (deadline_passed(now)) {
        abort(fail(Error::timeout, "re-handshake deadline passed"), index, kCloseIdleTimeout);
        return;
    }
    const bool lenient = m_config.profile == Profile::upstream || m_config.quirks.lenient_codec;
    auto frame = decode_frame(input, lenient ? Profile::upstream : Profile::strict);
    if (!frame) {
        if (m_config.profile == Profile::upstream) {
            // The deployed reader loops: an undecodable message is dropped, the connection stays.
            m_dropped.push_back(index);
            return;
        }
        abort(frame.failure(), index);
        return;
    }
    handle(index, *frame);
}

void Rehandshake::receive_text(ByteView /*input*/) {
    if (m_state == State::closed) {
        return;
    }
    const std::size_t index = m_received++;
    if (m_config.profile == Profile::upstream) {
        m_dropped.push_back(index);
        return;
    }
    abort(fail(Error::decode_error, "text WebSocket message", 0), index);
}

void Rehandshake::handle(std::size_t index, const Frame& frame) {
    const MessageType type = type_of(frame.message);
    if (type == MessageType::close || type == MessageType::error) {
        // The peer gave up (or closed after DONE): nothing more to say.
        close_silently(fail(Error::peer_error, type == MessageType::close ? "peer sent CLOSE" : "peer sent ERROR", 1),
                       index, false);
        return;
    }
    if (m_state == State::i2_done || m_state == State::r2_done) {
        if (is_rehandshake(type) && !m_config.quirks.accept_after_done) {
            abort(fail(Error::unexpected_message, "re-handshake message after DONE", 1), index);
        }
        // Other traffic after DONE belongs to the migrated tunnel, not to this machine.
        return;
    }
    const bool expected = (m_state == State::i1_awaiting_response && type == MessageType::rehandshake_response) ||
                          (m_state == State::r0_awaiting_request && type == MessageType::rehandshake_request) ||
                          (m_state == State::r1_awaiting_complete && type == MessageType::rehandshake_complete);
    if (!expected) {
        if (m_config.quirks.ignore_wrong_message && m_state != State::i0_start) {
            m_dropped.push_back(index);
            return;
        }
        // V6: strict aborts; the deployed test treats a wrong type as an error too.
        abort(fail(Error::unexpected_message, "message not accepted in this state", 1), index);
        return;
    }
    switch (type) {
        case MessageType::rehandshake_request: on_request(index, std::get<RehandshakeRequest>(frame.message)); return;
        case MessageType::rehandshake_response:
            on_response(index, std::get<RehandshakeResponse>(frame.message));
            return;
        default: on_complete(index, std::get<RehandshakeComplete>(frame.message)); return;
    }
}

void Rehandshake::on_request(std::size_t index, const RehandshakeRequest& m) {
    const std::uint64_t now = now_ms();
    if (auto r = check_common(m.session_id, m.timestamp_ms, kRequestTimestampOffset, now); !r) {
        abort(r.failure(), index);
        return;
    }
    if (m_config.profile == Profile::strict && !m_config.quirks.no_replay_cache && m_config.replay_cache) {
        // V11: only a REQUEST that passed the skew check is remembered, so the cache holds live
        // challenges only.
        const auto verdict = m_config.replay_cache->check_and_insert(m.challenge, m.timestamp_ms, now);
        if (verdict != ChallengeCache::Verdict::fresh) {
            abort(fail(Error::replay,
                       verdict == ChallengeCache::Verdict::replay ? "challenge seen within the window"
                                                                  : "replay cache full",
                       kRequestChallengeOffset),
                  index);
            return;
        }
    }
    Challenge c{};
    m_rng.fill(c);
    m_challenge_i = m.challenge;
    m_challenge_r = c;
    // RESPONSE.ChallengeResponse = HMAC(TX_R, c_I).
    const Secret<32>& key = m_config.quirks.mac_wrong_key ? m_config.keys.rx : m_config.keys.tx;
    m_response_mac = make_mac(key, m.challenge);
    // The MAC is sent in RESPONSE.
    ct::declassify(m_response_mac->data(), m_response_mac->size());
    queue<RehandshakeResponse, kResponseFrameSize>(
        RehandshakeResponse{m_config.keys.session_id, *m_response_mac, c, stamp(now)});
    enter(State::r1_awaiting_complete, now);
}

void Rehandshake::on_response(std::size_t index, const RehandshakeResponse& m) {
    const std::uint64_t now = now_ms();
    if (auto r = check_common(m.session_id, m.timestamp_ms, kResponseTimestampOffset, now); !r) {
        abort(r.failure(), index);
        return;
    }
    // I verifies HMAC(RX_I, c_I), constant time over all 32 bytes (V9).
    const Secret<32>& verify_key = m_config.quirks.mac_wrong_key ? m_config.keys.tx : m_config.keys.rx;
    if (!mac_ok(verify_key, *m_challenge_i, m.challenge_response)) {
        abort(fail(Error::bad_mac, "RESPONSE ChallengeResponse does not verify", kMacOffset), index);
        return;
    }
    m_response_mac = m.challenge_response;
    m_challenge_r = m.challenge;
    // COMPLETE.ChallengeResponse = HMAC(TX_I, c_R) (the flow, not the field comment).
    const bool rx_reading = m_config.quirks.mac_wrong_key || m_config.quirks.complete_mac_rx_key;
    m_complete_mac = make_mac(rx_reading ? m_config.keys.rx : m_config.keys.tx, m.challenge);
    // The MAC is sent in COMPLETE.
    ct::declassify(m_complete_mac->data(), m_complete_mac->size());
    queue<RehandshakeComplete, kCompleteFrameSize>(
        RehandshakeComplete{m_config.keys.session_id, *m_complete_mac, stamp(now)});
    m_authenticated = true;
    enter(State::i2_done, now);
}

void Rehandshake::on_complete(std::size_t index, const RehandshakeComplete& m) {
    const std::uint64_t now = now_ms();
    if (auto r = check_common(m.session_id, m.timestamp_ms, kCompleteTimestampOffset, now); !r) {
        abort(r.failure(), index);
        return;
    }
    // R verifies HMAC(RX_R, c_R).
    const bool tx_reading = m_config.quirks.mac_wrong_key || m_config.quirks.complete_mac_rx_key;
    if (!mac_ok(tx_reading ? m_config.keys.tx : m_config.keys.rx, *m_challenge_r, m.challenge_response)) {
        abort(fail(Error::bad_mac, "COMPLETE ChallengeResponse does not verify", kMacOffset), index);
        return;
    }
    m_complete_mac = m.challenge_response;
    m_authenticated = true;
    enter(State::r2_done, now);
}

void Rehandshake::peer_closed() {
    if (m_state == State::closed) {
        return;
    }
    close_silently(fail(Error::peer_closed, "connection closed by peer"), m_received, true);
}

void Rehandshake::idle_timeout() {
    // Only a state with a running deadline gives up (V10); DONE and no-deadline ignore it.
    if (m_state == State::closed || !has_deadline()) {
        return;
    }
    abort(fail(Error::timeout, "re-handshake deadline passed"), m_received, kCloseIdleTimeout);
}

std::optional<std::uint32_t> Rehandshake::idle_timeout_ms() const {
    if (!has_deadline()) {
        return std::nullopt;
    }
    const std::uint64_t now = now_ms();
    const std::uint64_t elapsed = now > m_entered_ms ? now - m_entered_ms : 0;
    return elapsed >= kDeadlineMs ? 0u : static_cast<std::uint32_t>(kDeadlineMs - elapsed);
}

Action Rehandshake::next_action() const {
    if (!m_out.empty()) {
        return Action::send;
    }
    if (m_state == State::closed) {
        return Action::closed;
    }
    return m_authenticated ? Action::done : Action::receive;
}

std::vector<Bytes> Rehandshake::take_output() { return m_out.take(); }

void Rehandshake::drain_output(OutputUnits& out) { m_out.drain_into(out); }

std::vector<DerivedKey> Rehandshake::derived_keys() const {
    std::vector<DerivedKey> out;
    const auto add = [&out](const char* name, const auto& v) {
        if (v) {
            out.push_back(DerivedKey{name, Bytes(v->begin(), v->end())});
        }
    };
    add("challenge_initiator", m_challenge_i);
    add("challenge_responder", m_challenge_r);
    add("response_mac", m_response_mac);
    add("complete_mac", m_complete_mac);
    return out;
}

void Rehandshake::abort(Failure f, std::size_t at, std::uint16_t reason) {
    // Abort (§5): nothing further of the re-handshake. strict says why with CLOSE; the deployed
    // code's abort path is not published, so upstream closes silently.
    std::string sent;
    if (m_config.profile == Profile::strict) {
        m_out.add(encode_frame(CloseMsg{reason, {}}));
        sent = close_description(reason);
    }
    m_state = State::closed;
    m_closure = Closure{f, std::move(sent), at, false};
}

void Rehandshake::close_silently(Failure f, std::size_t at, bool by_peer) {
    m_state = State::closed;
    m_closure = Closure{f, "", at, by_peer};
}

}  // namespace shakedown::shadowmesh
