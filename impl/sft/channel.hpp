// The established session's record layer, one per connection end (docs/protocols/sft.md §5, §6):
// seals outgoing JSON and DATA records, and checks incoming ones against every V-rule and J-rule
// in the deployed order, plus the reference's own rules (reflected records, DATA replay).
#pragma once

#include <deque>
#include <optional>
#include <set>
#include <vector>

#include "common/rng.hpp"
#include "sft/message.hpp"
#include "sft/quirks.hpp"
#include "sft/record.hpp"

namespace shakedown::sft {

struct Inbound {
    PayloadType type = PayloadType::json;
    RecordHeader header;
    std::optional<Message> message;  // JSON
    Bytes data;                      // DATA plaintext
};

// A FIFO set of fixed-size values with a bound; the oldest entry goes first.
template <class T>
class BoundedSet {
public:
    explicit BoundedSet(std::size_t bound) : m_bound(bound) {}
    [[nodiscard]] bool contains(const T& v) const { return m_set.count(v) != 0; }
    void insert(const T& v) {
        if (!m_set.insert(v).second || m_bound == 0) {
            return;
        }
        if (m_order.size() < m_bound) {
            m_order.push_back(v);
            return;
        }
        // Full: the oldest value leaves, and the new one takes its slot in the ring.
        m_set.erase(m_order[m_oldest]);
        m_order[m_oldest] = v;
        m_oldest = (m_oldest + 1) % m_bound;
    }
    [[nodiscard]] std::size_t size() const { return m_set.size(); }

private:
    std::size_t m_bound;  // 0: unbounded
    std::set<T> m_set;
    std::vector<T> m_order;  // insertion order, a ring once it holds m_bound values
    std::size_t m_oldest = 0;
};

class Channel {
public:
    Channel(Profile profile, const SessionKeys& keys, const Quirks& quirks, std::int64_t utc_offset_seconds);

    // Fills version, timestamp (from the clock), seq (next in this direction) and signature.
    [[nodiscard]] Bytes seal_message(Message m, Rng& rng, const Clock& clock);
    [[nodiscard]] Bytes seal_data(std::uint64_t offset, ByteView chunk, Rng& rng);
    // The last message sealed, as sent (for transcripts).
    [[nodiscard]] const Message& last_sent() const noexcept { return m_last_sent; }

    // One record whose header passed parse_record_header (V8, V9); runs V10..V13, the
    // reference's reflection and DATA-replay checks, then J1..J6 for JSON.
    [[nodiscard]] Result<Inbound> open(const RecordHeader& h, ByteView header_bytes, ByteView ciphertext,
                                       const Clock& clock);

    [[nodiscard]] std::int64_t next_send_seq() const noexcept { return m_send_seq; }
    [[nodiscard]] std::int64_t last_recv_seq() const noexcept { return m_last_seq; }
    [[nodiscard]] std::size_t replay_set_size() const { return m_seen_seq.size(); }
    [[nodiscard]] const RecordKey& key() const noexcept { return m_key; }
    [[nodiscard]] ByteView hmac_key() const { return m_hmac_key.view(); }

private:
    Profile m_profile;
    RecordKey m_key;
    Secret<32> m_hmac_key;
    Quirks m_quirks;
    std::int64_t m_utc_offset;
    std::int64_t m_send_seq = 0;
    std::int64_t m_last_seq = -1;
    Message m_last_sent;
    std::deque<std::uint64_t> m_json_times;   // J1
    BoundedSet<crypto::Digest> m_recent_hashes;  // J2
    std::set<std::int64_t> m_seen_seq;          // J4
    BoundedSet<ByteArray<12>> m_sent_nonces;    // reflected records
    BoundedSet<ByteArray<12>> m_data_nonces;    // DATA replay
};

}  // namespace shakedown::sft
