// The runner's side of a Stellar connection: builds honest and tampered records with the
// reference codec, auth and framing (impl/stellar), and parses and grades every record the target
// sends against what stellar-core produces (docs/protocols/stellar.md).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/crypto.hpp"
#include "common/rng.hpp"
#include "conformance/runner/findings.hpp"
#include "conformance/runner/pacing.hpp"
#include "conformance/runner/runner.hpp"
#include "stellar/auth.hpp"
#include "stellar/codec.hpp"
#include "stellar/framing.hpp"
#include "stellar/handshake.hpp"

namespace shakedown::conformance::stellar_scenarios {

namespace ss = shakedown::stellar;

// What a graded finding is about (Findings, conformance/runner/findings.hpp): NON-STRICT findings
// count only in the scenarios that grade their category (the output.* scenarios).
enum class Category : std::uint8_t { interop, framing, hello, cert, after_auth, error_form, nonce };
[[nodiscard]] std::string_view to_string(Category c);

struct Env {
    std::string network_passphrase{ss::kTestNetworkPassphrase};
    ByteArray<32> network_id = ss::network_id(ss::kTestNetworkPassphrase);
    // The target's node ID when it does not take --seed (a running acceptor or initiator).
    std::optional<ByteArray<32>> target_peer_id;
    NonceRegistry nonces;  // the nonces the target sent, across every connection of a run
};

// Our node: identity key, one X25519 key per scenario (stellar-core keeps one per process), and a
// fresh nonce per connection.
struct Identity {
    ByteArray<32> seed{};
    crypto::Ed25519KeyPair key;
    Secret<32> ecdh_secret;
    ByteArray<32> ecdh_public{};
};
[[nodiscard]] Identity make_identity(Rng& rng);

struct Observation {
    enum class Kind : std::uint8_t { message, malformed, timeout, closed, reset, framing_error, limit };
    Kind kind = Kind::timeout;
    ss::MessageType type = ss::MessageType::error_msg;
    std::optional<ss::AuthenticatedMessage> msg;
    Bytes wire;
    std::string detail;
    [[nodiscard]] bool is(ss::MessageType t) const { return kind == Kind::message && type == t; }
    [[nodiscard]] bool ended() const { return kind != Kind::message && kind != Kind::timeout; }
};
[[nodiscard]] std::string describe(const Observation& o);

enum class MacMode : std::uint8_t {
    good,
    zero,
    flipped,          // one bit of the right MAC flipped
    other_direction,  // keyed with the key of the opposite direction
    sender_view,      // the seed document's misreading of the key derivation
    without_sequence  // HMAC over the message alone
};

class Conn {
public:
    Conn(ScenarioContext& ctx, Env& env, Findings& findings, ss::Role target_role, const Identity& ours,
         std::optional<ByteArray<32>> expected_target_id, std::unique_ptr<Transport> transport, std::uint8_t index);
    Conn(const Conn&) = delete;
    Conn& operator=(const Conn&) = delete;
    ~Conn();

    [[nodiscard]] ss::Role target_role() const { return m_target_role; }
    [[nodiscard]] ss::Role our_role() const;
    [[nodiscard]] std::uint64_t now() const;
    [[nodiscard]] ScenarioContext& ctx() { return m_ctx; }
    [[nodiscard]] const Env& env() const { return m_env; }
    [[nodiscard]] const Identity& ours() const { return m_ours; }
    [[nodiscard]] const ByteArray<32>& nonce() const { return m_nonce; }
    void set_nonce(const ByteArray<32>& n) { m_nonce = n; }

    // Our messages.
    [[nodiscard]] ss::Hello honest_hello() const;
    // Re-signs h.cert over its pubkey and expiration with our key, for `passphrase`'s network.
    void sign(ss::Hello& h, std::optional<std::string> passphrase = std::nullopt) const;
    [[nodiscard]] Bytes unauthenticated(const ss::StellarMessage& m, bool bit31 = true) const;
    // A MACed record; takes the next send sequence unless `sequence` is given.
    [[nodiscard]] Bytes authenticated(const ss::StellarMessage& m, MacMode mode = MacMode::good,
                                      std::optional<std::uint64_t> sequence = std::nullopt, bool bit31 = true);
    [[nodiscard]] Bytes hello_record(const ss::Hello& h, bool bit31 = true) const { return unauthenticated(h, bit31); }
    [[nodiscard]] bool has_keys() const { return m_keys.has_value(); }
    [[nodiscard]] std::uint64_t send_sequence() const { return m_send_seq; }

    // Sending. A record that decodes as a HELLO is remembered as the HELLO we sent (its key and
    // nonce decide the MAC keys).
    bool send(ByteView bytes);
    bool send_paced(ByteView bytes, const std::vector<std::size_t>& sizes, Millis gap);
    bool send_hello(const ss::Hello& h, bool bit31 = true);
    void note_sent(ByteView record);
    void shutdown_send();
    void close();

    // Receiving: every record is parsed strictly and graded before it is returned.
    [[nodiscard]] Observation next(Deadline deadline);

    [[nodiscard]] const std::optional<ss::Hello>& their_hello() const { return m_their_hello; }
    [[nodiscard]] const Bytes& their_hello_wire() const { return m_their_hello_wire; }
    [[nodiscard]] const Bytes& their_auth_wire() const { return m_their_auth_wire; }
    [[nodiscard]] const std::optional<ss::Hello>& sent_hello() const { return m_sent_hello; }
    [[nodiscard]] const Bytes& sent_auth_wire() const { return m_sent_auth_wire; }
    [[nodiscard]] const Bytes& sent_hello_wire() const { return m_sent_hello_wire; }
    [[nodiscard]] bool their_auth_seen() const { return m_their_auth_seen; }
    [[nodiscard]] bool our_auth_sent() const { return m_our_auth_sent; }
    [[nodiscard]] bool ended() const { return m_ended; }
    // A finding about this connection, from outside the record grading (message order).
    void report(Verdict severity, Category category, std::string text) {
        m_findings.add(severity, to_string(category), std::move(text));
    }

private:
    bool write(ByteView bytes);
    void derive_keys();
    void grade(const Observation& o, ByteView payload);
    void grade_hello(const ss::AuthenticatedMessage& am, const ss::Hello& h);
    void check_authenticated(const ss::AuthenticatedMessage& am, ByteView payload);
    void fail(Category c, std::string text) { report(Verdict::fail, c, std::move(text)); }
    void non_strict(Category c, std::string text) { report(Verdict::non_strict, c, std::move(text)); }
    void note(Category c, std::string text) { report(Verdict::pass, c, std::move(text)); }

    ScenarioContext& m_ctx;
    Env& m_env;
    Findings& m_findings;
    ss::Role m_target_role;
    const Identity& m_ours;
    std::optional<ByteArray<32>> m_expected_target_id;
    std::unique_ptr<Transport> m_transport;
    std::uint8_t m_index;
    ByteArray<32> m_nonce{};

    std::optional<ss::Hello> m_sent_hello;
    std::optional<ss::Hello> m_their_hello;
    Bytes m_their_hello_wire;
    Bytes m_their_auth_wire;
    Bytes m_sent_auth_wire;
    Bytes m_sent_hello_wire;
    std::optional<Secret<32>> m_shared;
    std::optional<ss::MacKeys> m_keys;
    std::uint64_t m_send_seq = 0;
    std::uint64_t m_recv_seq = 0;
    bool m_their_auth_seen = false;
    bool m_our_auth_sent = false;
    bool m_ended = false;
};

}  // namespace shakedown::conformance::stellar_scenarios
