#include "sft/channel.hpp"

namespace shakedown::sft {

Channel::Channel(Profile profile, const SessionKeys& keys, const Quirks& quirks, std::int64_t utc_offset_seconds)
    : m_hmac_key(keys.hmac_key),
      m_quirks(quirks),
      m_utc_offset(utc_offset_seconds),
      m_recent_hashes(kMessageHashCache),
      m_sent_nonces(kReplayWindow),
      m_data_nonces(kReplayWindow) {
    m_key.profile = profile;
    m_key.aes_key = keys.aes_key;
    m_key.key_id = keys.key_id;
}

Bytes Channel::seal_message(Message m, Rng& rng, const Clock& clock) {
    m.version = std::string(kJsonVersion);
    m.timestamp = format_local_timestamp(static_cast<std::int64_t>(clock.unix_seconds()), m_utc_offset);
    m.seq = m_send_seq++;
    m.seq_is_float = false;
    sign(m, m_hmac_key.view());
    // The plaintext lives only until it is sealed: a buffer kept per thread holds it.
    thread_local std::string text;
    wire_json_into(text, m);
    const auto nonce = rng.array<12>();
    m_sent_nonces.insert(nonce);
    m_last_sent = std::move(m);
    return seal_record(m_key, PayloadType::json, 0, nonce, as_bytes(text));
}

Bytes Channel::seal_data(std::uint64_t offset, ByteView chunk, Rng& rng) {
    const auto nonce = rng.array<12>();
    m_sent_nonces.insert(nonce);
    return seal_record(m_key, PayloadType::data, offset, nonce, chunk);
}

Result<Inbound> Channel::open(const RecordHeader& h, ByteView header_bytes, ByteView ciphertext, const Clock& clock) {
    SK_TRY(OpenedRecord rec, open_payload(m_key, h, header_bytes, ciphertext));
    // Both directions share one key and nonce space (§4): a record carrying a nonce this end
    // drew itself is its own record coming back.
    if (!m_quirks.accept_reflected_record && m_sent_nonces.contains(h.nonce)) {
        return Failure{Error::replay, 37, "reflected record (nonce drawn by this end)"};
    }
    Inbound in;
    in.type = rec.type;
    in.header = h;
    if (rec.type == PayloadType::data) {
        if (!m_quirks.accept_data_replay) {
            if (m_data_nonces.contains(h.nonce)) {
                return Failure{Error::replay, 37, "DATA record replayed (nonce seen before)"};
            }
            m_data_nonces.insert(h.nonce);
        }
        in.data = std::move(rec.plaintext);
        return in;
    }
    const std::uint64_t now = clock.unix_seconds();
    // J1: at most 100 JSON records in any 60 s.
    while (!m_json_times.empty() && m_json_times.front() + kJsonRateWindowSeconds <= now) {
        m_json_times.pop_front();
    }
    m_json_times.push_back(now);
    if (m_json_times.size() > kJsonRateLimit) {
        return Failure{Error::rate_limited, kHeaderLen, "J1: more than 100 JSON records in 60 s"};
    }
    // J2: the plaintext hash must not be among the last 1,000.
    const crypto::Digest digest = crypto::sha256(rec.plaintext);
    if (m_recent_hashes.contains(digest)) {
        return Failure{Error::replay, kHeaderLen, "J2: plaintext seen among the last 1,000"};
    }
    m_recent_hashes.insert(digest);
    // J3
    EnvelopeOptions opts;
    opts.accept_float_seq = m_quirks.accept_float_seq;
    auto parsed = parse_message(rec.plaintext, opts);
    if (!parsed) {
        Failure f = parsed.failure();
        f.offset = f.offset == kNoOffset ? kHeaderLen : kHeaderLen + f.offset;
        return f;
    }
    Message m = std::move(*parsed);
    // J4: last < seq <= last + 100, never seen before.
    if (m_seen_seq.count(m.seq) != 0) {
        return Failure{Error::replay, kHeaderLen, "J4: seq seen before"};
    }
    if (m.seq <= m_last_seq || m.seq > m_last_seq + kMaxSeqJump) {
        return Failure{Error::bad_sequence, kHeaderLen, "J4: seq outside (last, last + 100]"};
    }
    // J5
    auto sig = check_signature(m, m_hmac_key.view(), m_quirks.hmac_optional);
    if (!sig) {
        Failure f = sig.failure();
        f.offset = kHeaderLen;
        return f;
    }
    // J6
    auto ts = check_timestamp(m.timestamp, static_cast<std::int64_t>(now), m_utc_offset);
    if (!ts) {
        Failure f = ts.failure();
        f.offset = kHeaderLen;
        return f;
    }
    m_seen_seq.insert(m.seq);
    if (!m_quirks.replay_set_never_evicts && m_seen_seq.size() > kReplayWindow) {
        // Bounded at 10,000; the smallest seq goes (docs/protocols/sft.md §1).
        m_seen_seq.erase(m_seen_seq.begin());
    }
    m_last_seq = m.seq;
    in.message = std::move(m);
    return in;
}

}  // namespace shakedown::sft
