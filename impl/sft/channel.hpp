// The established session's record layer, one per connection end (docs/protocols/sft.md §5, §6):
// seals outgoing JSON and DATA records, and checks incoming ones against every V-rule and J-rule
// in the deployed order, plus the reference's own rules (reflected records, DATA replay).
#pragma once

#include <sodium.h>

#include <array>
#include <cstring>
#include <deque>
#include <optional>
#include <set>
#include <type_traits>
#include <vector>

#include "common/crypto.hpp"
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

// A FIFO set of fixed-size values with a bound; the oldest entry goes first. The values sit in
// insertion order in a ring; an open-addressing table (linear probing, at most half full) indexes
// the ring, probed by a keyed hash (SipHash, one random key per process), so a peer that picks the
// values (nonces) cannot pick where they collide. Inserting allocates only when the ring or the
// table grows.
template <class T>
class BoundedSet {
    static_assert(std::is_trivially_copyable_v<T>, "values are hashed by their bytes");

public:
    explicit BoundedSet(std::size_t bound) : m_bound(bound) {}
    [[nodiscard]] bool contains(const T& v) const { return find(v) != kNone; }
    void insert(const T& v) {
        if (contains(v) || m_order.size() >= kMaxIndex) {
            return;  // known, or (unbounded) as many as a table entry can index
        }
        if (m_bound != 0 && m_order.size() == m_bound) {
            // Full: the oldest value leaves, and the new one takes its slot in the ring.
            erase_slot(find(m_order[m_oldest]));
            m_order[m_oldest] = v;
            place(static_cast<std::uint32_t>(m_oldest));
            m_oldest = (m_oldest + 1) % m_bound;
            return;
        }
        if (2 * (m_order.size() + 1) > m_table.size()) {
            grow();
        }
        m_order.push_back(v);
        place(static_cast<std::uint32_t>(m_order.size() - 1));
    }
    [[nodiscard]] std::size_t size() const { return m_order.size(); }

private:
    static constexpr std::size_t kNone = static_cast<std::size_t>(-1);
    static constexpr std::uint32_t kEmpty = 0;  // table entries hold ring index + 1
    static constexpr std::size_t kMaxIndex = 0xffffffffU - 1;
    static constexpr std::size_t kFirstTable = 16;

    [[nodiscard]] std::size_t home(const T& v) const {
        static const auto key = [] {
            crypto::ensure_initialized();
            std::array<unsigned char, crypto_shorthash_KEYBYTES> k{};
            randombytes_buf(k.data(), k.size());
            return k;
        }();
        std::array<unsigned char, crypto_shorthash_BYTES> h{};
        crypto_shorthash(h.data(), reinterpret_cast<const unsigned char*>(&v), sizeof(T), key.data());
        std::uint64_t x = 0;
        for (const unsigned char b : h) {
            x = (x << 8) | b;
        }
        return static_cast<std::size_t>(x) & (m_table.size() - 1);
    }
    // The table slot holding v, or kNone.
    [[nodiscard]] std::size_t find(const T& v) const {
        if (m_table.empty()) {
            return kNone;
        }
        const std::size_t mask = m_table.size() - 1;
        for (std::size_t i = home(v);; i = (i + 1) & mask) {
            const std::uint32_t e = m_table[i];
            if (e == kEmpty) {
                return kNone;
            }
            if (std::memcmp(&m_order[e - 1], &v, sizeof(T)) == 0) {
                return i;
            }
        }
    }
    void place(std::uint32_t index) {
        const std::size_t mask = m_table.size() - 1;
        std::size_t i = home(m_order[index]);
        while (m_table[i] != kEmpty) {
            i = (i + 1) & mask;
        }
        m_table[i] = index + 1;
    }
    // Empties slot `at` and moves back every later entry of its run that may sit earlier
    // (backward-shift deletion: no tombstones, every probe still ends at its first empty slot).
    void erase_slot(std::size_t at) {
        const std::size_t mask = m_table.size() - 1;
        std::size_t hole = at;
        for (std::size_t i = (at + 1) & mask; m_table[i] != kEmpty; i = (i + 1) & mask) {
            const std::size_t want = home(m_order[m_table[i] - 1]);
            // The entry may fill the hole unless its home lies cyclically in (hole, i].
            const bool home_after_hole = hole <= i ? (hole < want && want <= i) : (hole < want || want <= i);
            if (!home_after_hole) {
                m_table[hole] = m_table[i];
                hole = i;
            }
        }
        m_table[hole] = kEmpty;
    }
    void grow() {
        m_table.assign(m_table.empty() ? kFirstTable : 2 * m_table.size(), kEmpty);
        for (std::size_t i = 0; i < m_order.size(); ++i) {
            place(static_cast<std::uint32_t>(i));
        }
    }

    std::size_t m_bound;     // 0: unbounded
    std::vector<T> m_order;  // insertion order, a ring once it holds m_bound values
    std::size_t m_oldest = 0;
    std::vector<std::uint32_t> m_table;  // a power of two in size; ring index + 1, or kEmpty
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
