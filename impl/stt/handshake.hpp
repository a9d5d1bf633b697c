// Sans-IO STT handshake, initiator or responder, on the common Machine interface
// (docs/protocols/stt.md, "Handshake"). One unit in or out is one UDP datagram carrying one
// handshake frame (type 0x05) whose payload is the message's TLV. Randomness from the injected
// Rng (initiator: nonce at start, proof nonce at RESPONSE; responder: nonce then challenge nonce
// at HELLO), time from the injected Clock (milliseconds = unix_seconds * 1000).
#pragma once

#include <algorithm>
#include <memory>
#include <optional>
#include <set>
#include <vector>

#include "common/machine.hpp"
#include "common/rng.hpp"
#include "stt/messages.hpp"
#include "stt/quirks.hpp"
#include "stt/session.hpp"
#include "stt/suite.hpp"

namespace shakedown::stt {

// Timestamps more than this far from the receiver's clock, either way, are rejected.
inline constexpr std::uint32_t kDefaultTimestampWindowMs = 30'000;
inline constexpr std::uint32_t kDefaultHandshakeTimeoutMs = 10'000;
inline constexpr std::size_t kDefaultReplayCacheSize = 4096;
// An identical duplicate of the last datagram is answered with our last datagram again, at most
// this many times (a lost reply is retransmitted by the peer; more is amplification).
inline constexpr std::size_t kMaxResends = 3;
// An initiator whose HELLO or AUTH_PROOF got no answer sends it again after this long, then after
// twice that, and so on, at most kMaxRetransmits times, all within the handshake timeout (with the
// defaults: at 1 s, 3 s and 7 s, then `timeout` at 10 s). The responder never retransmits: a
// retransmitted HELLO or AUTH_PROOF is a duplicate, which it answers ("Duplicates").
inline constexpr std::uint32_t kDefaultRetransmitMs = 1'000;
inline constexpr std::size_t kMaxRetransmits = 3;

// Bounded record of accepted HELLO nonces. Entries whose HELLO timestamp has left the window are
// dropped first (a replay of them fails the timestamp check anyway), then the oldest while full.
class NonceCache {
public:
    explicit NonceCache(std::size_t capacity = kDefaultReplayCacheSize) : m_capacity(capacity == 0 ? 1 : capacity) {}
    [[nodiscard]] bool contains(ByteView nonce) const { return m_set.find(nonce) != m_set.end(); }
    void insert(ByteView nonce, std::int64_t timestamp_ms, std::int64_t now_ms, std::uint32_t window_ms);
    [[nodiscard]] std::size_t size() const noexcept { return m_set.size(); }
    [[nodiscard]] std::size_t capacity() const noexcept { return m_capacity; }
    [[nodiscard]] std::size_t evictions() const noexcept { return m_evictions; }

private:
    // Byte order over stored nonces and looked-up views alike.
    struct Less {
        using is_transparent = void;
        bool operator()(ByteView a, ByteView b) const {
            return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
        }
    };
    using Set = std::set<Bytes, Less>;

    void evict_oldest();

    std::size_t m_capacity;
    std::size_t m_evictions = 0;
    Set m_set;
    // Insertion order: each stored nonce with its HELLO timestamp, oldest at m_head (the entries
    // before it are evicted; they are dropped in one move once they are half of the vector). A
    // vector allocates nothing until the first insert, where a deque allocates on construction.
    std::vector<std::pair<Set::iterator, std::int64_t>> m_order;
    std::size_t m_head = 0;
};

struct Config {
    Role role = Role::initiator;
    // node_id = SHA-256(node_seed) unless node_id is given.
    SecretBytes node_seed;
    std::optional<Bytes> node_id;
    SecretBytes shared_seed;
    // nullptr: the reference suite keyed from shared_seed.
    std::shared_ptr<const CipherSuite> suite;
    std::uint32_t timestamp_window_ms = kDefaultTimestampWindowMs;
    std::uint32_t handshake_timeout_ms = kDefaultHandshakeTimeoutMs;
    // The first retransmission's delay (doubling after each); 0: never retransmit.
    std::uint32_t retransmit_ms = kDefaultRetransmitMs;
    // Added to the clock for the timestamps this side sends (a skewed sender); 0 in the reference.
    std::int64_t send_skew_ms = 0;
    // Responder: shared across handshakes so a HELLO replayed into a new session is caught.
    // nullptr: a private cache of kDefaultReplayCacheSize.
    std::shared_ptr<NonceCache> replay_cache;
    Quirks quirks;
};

[[nodiscard]] ByteArray<32> node_id_from_seed(ByteView node_seed);
[[nodiscard]] MessageOptions message_options(const Quirks& q);

enum class HandshakeState : std::uint8_t {
    idle,
    awaiting_hello,
    awaiting_response,
    awaiting_auth_proof,
    awaiting_final,
    done,
    closed
};
[[nodiscard]] std::string_view to_string(HandshakeState s) noexcept;

class Handshake final : public Machine {
public:
    // A configuration passed as an lvalue is copied once, straight into the machine.
    Handshake(const Config& config, Rng& rng, const Clock& clock);
    Handshake(Config&& config, Rng& rng, const Clock& clock);
    // The suite and the replay cache may live inside the machine: it stays where it was made.
    Handshake(const Handshake&) = delete;
    Handshake& operator=(const Handshake&) = delete;

    [[nodiscard]] Role role() const noexcept override { return m_config.role; }
    void start() override;
    void receive(ByteView datagram) override;
    void peer_closed() override;
    void idle_timeout() override;
    [[nodiscard]] std::optional<std::uint32_t> idle_timeout_ms() const override;
    [[nodiscard]] Action next_action() const override;
    [[nodiscard]] std::vector<Bytes> take_output() override;
    void drain_output(OutputUnits& out) override;
    [[nodiscard]] bool authenticated() const noexcept override { return m_authenticated; }
    [[nodiscard]] std::optional<Closure> closure() const override { return m_closure; }
    // The peer's node_id, once the handshake proved the peer holds the shared seed.
    [[nodiscard]] Bytes peer_identity() const override {
        if (!m_authenticated || !m_peer_node_id) {
            return {};
        }
        const ByteView id = peer_part(*m_peer_node_id);
        return {id.begin(), id.end()};
    }
    // handshake_key (when the suite shows it), session_id, transcript_hash, session_key,
    // data_key_i2r, data_key_r2i: each once derived.
    [[nodiscard]] std::vector<DerivedKey> derived_keys() const override;

    [[nodiscard]] HandshakeState state() const noexcept { return m_state; }
    [[nodiscard]] ByteView node_id() const noexcept { return m_node_id; }
    [[nodiscard]] ByteView session_id() const noexcept { return m_session_id.view(); }
    [[nodiscard]] const std::optional<Secret<32>>& session_key() const noexcept { return m_session_key; }
    // The node_id the peer's HELLO or RESPONSE carried, once one was accepted.
    [[nodiscard]] std::optional<Bytes> peer_node_id() const {
        if (!m_peer_node_id) {
            return std::nullopt;
        }
        const ByteView id = peer_part(*m_peer_node_id);
        return Bytes(id.begin(), id.end());
    }
    [[nodiscard]] std::size_t datagrams_received() const noexcept { return m_received; }
    // Datagrams sent again because no answer came (initiator only).
    [[nodiscard]] std::size_t retransmits() const noexcept { return m_retransmits; }
    // Session data frames, once authenticated.
    [[nodiscard]] SessionChannel* session() noexcept { return m_channel ? &*m_channel : nullptr; }
    // The handshake datagram this machine would send for `m` (framed unless unframed-handshake).
    [[nodiscard]] Bytes wrap(const Message& m, std::uint64_t index) const;
    // The same for a message already encoded as `tlv`.
    [[nodiscard]] Bytes wrap_tlv(ByteView tlv, std::int64_t timestamp_ms, std::uint64_t index) const;

private:
    void on_hello(const HelloView& m, ByteView tlv);
    void on_response(const ResponseView& m, ByteView tlv);
    void on_auth_proof(const AuthProofView& m);
    void on_final(const FinalView& m);
    Result<ByteView> unwrap(ByteView datagram, std::size_t& base) const;
    // Whether `datagram` carries the peer's first message of this handshake again (its frame
    // header aside, which the receiver ignores).
    [[nodiscard]] bool stale_copy(ByteView datagram) const;
    [[nodiscard]] Result<void> check_timestamp(std::int64_t ts, std::size_t offset) const;
    [[nodiscard]] std::int64_t now_ms() const;
    // Queues `m`; its TLV encoding stays in m_last_sent (own_tlv()) until the next send.
    void send(const MessageView& m, std::uint64_t index);
    // The TLV of our last message, inside m_last_sent: our own HELLO or RESPONSE is needed only
    // until our next message (its associated data and the transcript are made before it is sent).
    [[nodiscard]] ByteView own_tlv() const noexcept {
        if (m_own_tlv_at + m_own_tlv_size > m_last_sent.size()) {
            return {};  // nothing sent, or the last datagram dropped (after FINAL)
        }
        return ByteView(m_last_sent).subspan(m_own_tlv_at, m_own_tlv_size);
    }
    // Where a part of the peer's first datagram (HELLO or RESPONSE) lies in m_peer_datagram: its
    // TLV, and the node_id and nonce in the TLV (the parsed views point into the datagram, so the
    // fields are not copied apart from it).
    struct Part {
        std::size_t at = 0;
        std::size_t size = 0;
    };
    [[nodiscard]] static Part part_of(ByteView whole, ByteView field);
    [[nodiscard]] ByteView peer_part(Part p) const noexcept {
        return ByteView(m_peer_datagram).subspan(p.at, p.size);
    }
    [[nodiscard]] ByteView peer_tlv() const noexcept { return peer_part(m_peer_tlv); }
    // The peer's first message was accepted: where its node_id and nonce are (views into `tlv`,
    // the TLV of m_peer_datagram as received).
    void keep_peer(ByteView tlv, ByteView node_id, ByteView nonce);
    // The last datagram that parsed (the peer's first one, or a later one).
    [[nodiscard]] ByteView last_received() const noexcept {
        return m_last_is_peer_first ? ByteView(m_peer_datagram) : ByteView(m_last_received);
    }
    [[nodiscard]] ByteView hello_tlv() const noexcept {
        return m_config.role == Role::initiator ? own_tlv() : peer_tlv();
    }
    [[nodiscard]] ByteView response_tlv() const noexcept {
        return m_config.role == Role::initiator ? peer_tlv() : own_tlv();
    }
    void establish();
    // The constructors' common part, once m_config is set.
    void init();
    // Whether an unanswered datagram is still to be sent again (initiator, waiting, tries left).
    [[nodiscard]] bool may_retransmit() const noexcept;
    void close(Failure f);

    Config m_config;
    Rng& m_rng;
    const Clock& m_clock;
    // The configured suite, or the reference suite keyed from the shared seed, held here.
    std::optional<ReferenceSuite> m_own_suite;
    const CipherSuite* m_suite = nullptr;
    // The node's replay cache (Config::replay_cache), or a private one held here (responder only).
    std::optional<NonceCache> m_own_cache;
    NonceCache* m_cache = nullptr;
    // SHA-256(node_seed), unless the configuration names the node_id.
    ByteArray<32> m_node_id_hash{};
    ByteView m_node_id;  // into m_node_id_hash or m_config.node_id

    HandshakeState m_state = HandshakeState::idle;
    bool m_authenticated = false;
    ByteArray<kNonceSize> m_nonce{};
    // The peer's HELLO (responder) or RESPONSE (initiator) datagram, and the parts of it the
    // handshake reads later; our own is in m_last_sent until our next message (own_tlv()).
    Bytes m_peer_datagram;
    Part m_peer_tlv;
    Part m_peer_nonce;
    std::optional<Part> m_peer_node_id;
    Bytes m_aad;  // the challenge's, then the proof's associated data (one buffer, reused)
    SessionId m_session_id;
    std::optional<ByteArray<32>> m_transcript;
    std::optional<Secret<32>> m_session_key;
    std::optional<SessionChannel> m_channel;

    // The last datagram received after the peer's first (m_last_is_peer_first: that one is).
    Bytes m_last_received;
    bool m_last_is_peer_first = false;
    Bytes m_last_sent;
    std::size_t m_own_tlv_at = 0;
    std::size_t m_own_tlv_size = 0;
    std::size_t m_resends = 0;
    // Time waited without progress (the idle intervals that passed), and the retransmissions in it.
    std::uint64_t m_waited_ms = 0;
    std::size_t m_retransmits = 0;
    std::size_t m_received = 0;
    OutputUnits m_out;
    std::optional<Closure> m_closure;
};

}  // namespace shakedown::stt
