// HiveMind's part of the generic state-machine driver (fuzz/machine_driver.hpp). The input starts
// with the configuration both sides share:
//   byte 0  bits 0-1 mode (0 password, 1 RSA, 2 pre-shared, 3 password), bit 2 binarize,
//           bit 3 the client offers every default encoding (else only byte 1's), bit 4 the
//           randomness of the machine under test is expanded from a seed
//   byte 1  the client's single encoding (index mod 7); byte 2 bit 0: the client offers ChaCha20
//   then, without bit 4, 128 bytes: the draws of the machine under test, in order (then zeros);
//   with it, 1 byte: the seed its draws are expanded from
// then the driver's script. Spelled-out draws let the vectors' transcripts (make_corpus.cpp) be
// valid input. A seed byte keeps the randomness to 256 runs per configuration, whose RSA
// signatures and encryptions the fuzz build's crypto memo soon holds: a mutation of the draws
// otherwise signs afresh with the private key, and most mutations of a short input touch them. The
// honest peer draws from a fixed seed. One WebSocket message per unit: an opcode byte (0x01 text,
// 0x02 binary), then the message.
// Invariants: what must hold whatever the peer sends (docs/protocols/hivemind.md, "State
// machines").
#pragma once

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <set>

#include "common/crypto.hpp"
#include "fuzz/exact_memo.hpp"
#include "fuzz/hivemind/hivemind_fuzz.hpp"
#include "fuzz/machine_driver.hpp"
#include "hivemind/handshake.hpp"
#include "vectors/gen/hivemind/test_keys.hpp"

namespace shakedown::hivemind::hmfuzz {

using shakedown::fuzz::InputCursor;
using shakedown::fuzz::Unit;
using shakedown::fuzz::UnitTransport;

// The draws spelled out in the input, in order, then zeros; read in place (the input outlives the
// run).
class PrefixRng final : public Rng {
public:
    explicit PrefixRng(ByteView prefix) : m_bytes(prefix) {}
    void fill(std::span<std::uint8_t> out) override {
        for (auto& b : out) {
            b = m_pos < m_bytes.size() ? m_bytes[m_pos] : 0;
            ++m_pos;
        }
    }

private:
    ByteView m_bytes;
    std::size_t m_pos = 0;
};

// PBKDF2 at the spec's 100000 iterations (cached) for the salts the vector transcripts use, so
// seeds reach the encrypted HELLO with the right key; one iteration for any other salt, which a
// mutated IV produces and whose key no seed's ciphertext matches anyway. Deterministic per input.
inline PasswordKdf fuzz_kdf() {
    return [](std::string_view password, const Iv& salt, std::uint32_t iterations) -> Result<SecretBytes> {
        // Compared as bytes: this runs on every input that reaches the key.
        static const std::vector<Iv> vector_salts = [] {
            std::vector<Iv> out;
            for (const char* hex : {
#include "fuzz/hivemind/vector_salts.inc"
                 }) {
                const auto b = from_hex(hex);
                FUZZ_CHECK(b && b->size() == sizeof(Iv));
                Iv iv{};
                std::copy(b->begin(), b->end(), iv.begin());
                out.push_back(iv);
            }
            return out;
        }();
        if (std::find(vector_salts.begin(), vector_salts.end(), salt) == vector_salts.end()) {
            // PBKDF2-HMAC-SHA256 with one iteration and a 32-byte key is its first block alone,
            // HMAC(password, salt || INT(1)) (RFC 8018 §5.2), without the KDF's set-up in OpenSSL.
            // Checked against password_key() on the first call of each process.
            static constexpr std::array<std::uint8_t, 4> kBlockOne{0, 0, 0, 1};
            const auto block = crypto::hmac_sha256(as_bytes(password), {ByteView(salt), ByteView(kBlockOne)});
            static const bool same_as_pbkdf2 = [&] {
                const auto reference = password_key(password, salt, 1);
                return reference.ok() && reference->view().size() == block.size() &&
                       std::equal(block.begin(), block.end(), reference->view().begin());
            }();
            FUZZ_CHECK(same_as_pbkdf2);
            return SecretBytes(ByteView(block));
        }
        static std::map<std::pair<std::string, Iv>, Bytes> cache;
        auto id = std::make_pair(std::string(password), salt);
        auto it = cache.find(id);
        if (it == cache.end()) {
            SK_TRY(SecretBytes k, password_key(password, salt, iterations));
            it = cache.emplace(std::move(id), Bytes(k.view().begin(), k.view().end())).first;
        }
        return SecretBytes(it->second);
    };
}

inline Config fuzz_config(Role role, std::uint8_t flags, std::uint8_t enc, std::uint8_t cipher) {
    static const std::string server_key = vectors::test_key_pem("server_rsa2048");
    static const std::string client_key = vectors::test_key_pem("client_rsa2048");
    Config c;
    c.role = role;
    const std::uint8_t mode = flags & 3;
    c.mode = mode == 1 ? Mode::rsa : mode == 2 ? Mode::preshared : Mode::password;
    c.password = "test-password-123";
    c.crypto_key = "0123456789abcdef";
    c.binarize = (flags & 4) != 0;
    c.kdf = fuzz_kdf();
    if (role == Role::acceptor) {
        c.own_key_pem = server_key;
        c.ciphers = {"AES-GCM", "CHACHA20-POLY1305"};
    } else {
        if (c.mode == Mode::rsa) {
            c.own_key_pem = client_key;
        }
        if ((flags & 8) == 0) {
            c.encodings = {std::string(wire_name(all_encodings()[enc % kEncodingCount]))};
        }
        c.ciphers = {(cipher & 1) != 0 ? "CHACHA20-POLY1305" : "AES-GCM"};
    }
    return c;
}

// A unit a machine writes is well formed: a text unit is a HiveMessage or an encrypted frame
// in JSON, a binary unit holds at least a nonce and a tag.
inline void check_output(const HiveMachine& m, ByteView u) {
    FUZZ_CHECK(!u.empty());
    if (u[0] == kOpText) {
#if defined(SHAKEDOWN_FUZZ_MEMO_CRYPTO)
        // The text check reads the unit alone: a unit already found well formed (the server's
        // HELLO and HANDSHAKE come out the same on every input of a configuration) is not parsed
        // again (fuzz/exact_memo.hpp).
        thread_local shakedown::fuzz::ExactMemo<bool> well_formed;
        if (well_formed.key().add(u).find() != nullptr) {
            return;
        }
#endif
        // Parsed once: an encrypted frame, or a message (parse_message is message_from_json after
        // parse_json with the same limits).
        auto j = parse_json(u.subspan(1));
        FUZZ_CHECK(j.ok() && j->is_object());
        FUZZ_CHECK(j->find("ciphertext") != nullptr || message_from_json(std::move(*j)).ok());
#if defined(SHAKEDOWN_FUZZ_MEMO_CRYPTO)
        well_formed.put(true);
#endif
    } else {
        FUZZ_CHECK(u[0] == kOpBinary);
        FUZZ_CHECK(m.cipher().has_value() && u.size() >= 1 + nonce_size(*m.cipher()) + kTagSize);
    }
}

class HiveMindTarget final : public shakedown::fuzz::MachineTarget {
public:
    [[nodiscard]] UnitTransport transport() const override { return UnitTransport::message; }

    void configure(InputCursor& in) override {
        m_flags = in.u8();
        m_enc = in.u8();
        m_cipher = in.u8();
        if ((m_flags & kSeededRng) != 0) {
            ByteArray<32> seed{};
            const ByteView b = in.bytes(kRngSeedBytes);
            std::copy(b.begin(), b.end(), seed.begin());
            m_machine_rng = &m_seeded_rng.emplace(seed);
        } else {
            m_machine_rng = &m_prefix_rng.emplace(in.bytes(kRngBytes));
        }
    }

    [[nodiscard]] std::unique_ptr<Machine> make(Role role, bool under_test) override {
        Rng& rng = under_test ? static_cast<Rng&>(*m_machine_rng) : m_peer_rng;
        // One configuration per combination the input can choose, built once and copied: a
        // Config built afresh fills in its defaults before they are replaced.
        // (A table, not a map: the fixture's own branches would count as coverage.)
        thread_local std::array<std::optional<Config>, 2 * 16 * kEncodingCount * 2> configs;
        const std::size_t id = (((role == Role::acceptor ? 16U : 0U) + (m_flags & 15U)) * kEncodingCount +
                                m_enc % kEncodingCount) * 2 + (m_cipher & 1U);
        if (!configs[id]) {
            configs[id] = fuzz_config(role, m_flags, m_enc, m_cipher);
        }
        auto m = std::make_unique<HiveMachine>(*configs[id], rng, m_clock);
        (under_test ? m_machine : m_peer) = m.get();
        return m;
    }

    // Input bytes as a text unit.
    [[nodiscard]] Bytes wrap(ByteView body) override {
        Bytes u(1 + body.size());
        u[0] = kOpText;
        std::copy(body.begin(), body.end(), u.begin() + 1);
        return u;
    }

    // The units of the machine under test. The honest peer's are parsed by that machine when
    // delivered (an honest run that refuses one fails the driver's checks), and the peer's role is
    // the machine under test of the sibling target.
    void on_output(const Machine& from, ByteView unit) override {
        if (&from == m_machine) {
            check_output(*m_machine, unit);
        }
    }

    void on_delivered(const Machine& m, ByteView bytes) override {
        (void)m;
        m_delivered_size = bytes.size();
        m_delivered = true;
    }

    void after_step(const Machine& m, const Machine& peer) override {
        (void)m;
        (void)peer;
        // A unit that closes the machine is answered with a close or an abort, and the failure
        // points inside it.
        const auto c = m_machine->closure();
        if (c && !m_closed && m_delivered) {
            FUZZ_CHECK(c->failure.offset == kNoOffset || c->failure.offset <= m_delivered_size);
            FUZZ_CHECK(c->sent == "close" || c->sent == "abort");
        }
        m_closed = c.has_value();
        m_delivered = false;
    }

    // Units that parse to the same HiveMessage carry the same content (JSON spacing and key order
    // are not part of it), and the routing fields (metadata, route, node, target and source) are
    // outside the handshake; anything else must be refused.
    [[nodiscard]] bool tamper_must_be_rejected(const Unit& original, const Bytes& delivered) override {
        if (original.bytes.empty() || delivered.empty() || original.bytes[0] != kOpText || delivered[0] != kOpText) {
            return true;
        }
        // An encrypted frame carries its nonce, ciphertext and tag, which the AEAD authenticates;
        // the JSON text around them (spacing, key order) is not part of it. A frame that decodes to
        // the same three, in the channel's encoding, is the same frame.
        if (const auto e = m_machine->encoding()) {
            const auto fa = parse_json_frame(ByteView(original.bytes).subspan(1), *e);
            const auto fb = parse_json_frame(ByteView(delivered).subspan(1), *e);
            if (fa && fb) {
                return !(*fa == *fb);
            }
        }
        const auto a = parse_message(ByteView(original.bytes).subspan(1));
        const auto b = parse_message(ByteView(delivered).subspan(1));
        if (!a || !b || a->msg_type != b->msg_type) {
            return true;
        }
        // Plaintext HELLO and HANDSHAKE carry two kinds of field (docs/protocols/hivemind.md,
        // Messages and Negotiation): names, versions, flags and lists that nothing binds (the
        // protocol's downgrade finding; the strict client checks only the server's final choice
        // against its own computation), and the authenticated material, which must come through
        // unchanged: `envelope`, and in the RSA handshake (no other mode reads it) the key that
        // `pubkey` holds. The key, not its text: PEM armour and DER have other spellings of the
        // same key, and the handshake rightly completes with any of them that the reference
        // decodes (the handshake encrypts to the key, so a different key cannot complete it).
        if ((a->msg_type == "hello" || a->msg_type == "shake") && a->payload.is_object() && b->payload.is_object()) {
            const bool rsa = (m_flags & 3) == 1;
            const auto bound = [rsa](const Json& p) {
                Json out = Json::object();
                for (const JsonMember& m : p.members) {
                    if (m.key == "envelope") {
                        out.members.push_back(m);
                    } else if (rsa && m.key == "pubkey") {
                        JsonMember key = m;
                        if (m.value.is_string()) {
                            if (const auto k = crypto::RsaKey::from_pem(m.value.s); k && !k->has_private()) {
                                key.value = Json::string("der:" + to_hex(crypto::rsa_public_der(*k)));
                            }
                        }
                        out.members.push_back(std::move(key));
                    }
                }
                return out;
            };
            return !(bound(a->payload) == bound(b->payload));
        }
        return !(a->payload == b->payload);
    }

    // In password mode each side draws an 8-byte IV and the key's salt is their XOR; a server
    // refuses a salt of zero, its own IV reflected back (Error::replay, the only rule with that
    // error). The input chooses the IV of the machine under test, and the fuzzer finds the honest
    // peer's fixed one.
    [[nodiscard]] bool refused_for_randomness(const Machine& m, const Machine& peer) override {
        const auto replay = [](const Machine& x) {
            const auto c = x.closure();
            return c && c->failure.code == Error::replay;
        };
        return replay(m) || replay(peer);
    }

    void finish(const Machine& m, const Machine& peer, bool genuine) override {
        (void)m;
        (void)peer;
        (void)genuine;
        if (m_machine->authenticated()) {
            const auto keys = m_machine->derived_keys();
            FUZZ_CHECK(!keys.empty() && keys.back().name == "key");
            const auto n = keys.back().value.size();
            FUZZ_CHECK(n == 16 || n == 24 || n == 32);
            if (m_machine->role() == Role::acceptor) {
                FUZZ_CHECK(!m_machine->received().empty() && m_machine->received().front().message.msg_type == "hello");
            }
        }
    }

private:
    std::uint8_t m_flags = 0;
    std::uint8_t m_enc = 0;
    std::uint8_t m_cipher = 0;
    std::optional<PrefixRng> m_prefix_rng;
    std::optional<SeededRng> m_seeded_rng;
    Rng* m_machine_rng = nullptr;
    SeededRng m_peer_rng{ByteArray<32>{0x5e}};
    FixedClock m_clock{0};
    const HiveMachine* m_machine = nullptr;
    const HiveMachine* m_peer = nullptr;
    std::size_t m_delivered_size = 0;
    bool m_delivered = false;
    bool m_closed = false;
};

inline void run_hivemind_target(Role role, ByteView input) {
    HiveMindTarget t;
    t.run(role, input);
}

}  // namespace shakedown::hivemind::hmfuzz
