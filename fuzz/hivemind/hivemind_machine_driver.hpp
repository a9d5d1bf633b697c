// Drives one HiveMind machine (client or server) from a fuzz input:
//   byte 0  config: bits 0-1 mode (0 password, 1 RSA, 2 pre-shared, 3 password), bit 2 binarize,
//           bit 3 the client offers every default encoding (else only byte 1's)
//   byte 1  the client's single encoding (index mod 7); byte 2 bit 0: the client offers ChaCha20
//   bytes 3..130  the machine's randomness (then zeros)
//   then units: u16be length, bytes (opcode 0x01 text / 0x02 binary, message)
// and asserts what must hold whatever the peer sends (docs/protocols/hivemind.md, "State machines").
#pragma once

#include <map>
#include <set>

#include "fuzz/hivemind/hivemind_fuzz.hpp"
#include "hivemind/handshake.hpp"
#include "vectors/gen/hivemind/hivemind_vectors.hpp"

namespace shakedown::hivemind::hmfuzz {

inline constexpr std::size_t kRngBytes = 128;

class PrefixRng final : public Rng {
public:
    explicit PrefixRng(ByteView prefix) : m_bytes(prefix.begin(), prefix.end()) {}
    void fill(std::span<std::uint8_t> out) override {
        for (auto& b : out) {
            b = m_pos < m_bytes.size() ? m_bytes[m_pos] : 0;
            ++m_pos;
        }
    }

private:
    Bytes m_bytes;
    std::size_t m_pos = 0;
};

// PBKDF2 at the spec's 100000 iterations (cached) for the salts the vector transcripts use, so
// seeds reach the encrypted HELLO with the right key; one iteration for any other salt, which a
// mutated IV produces and whose key no seed's ciphertext matches anyway. Deterministic per input.
inline PasswordKdf fuzz_kdf() {
    return [](std::string_view password, const Iv& salt, std::uint32_t iterations) -> Result<SecretBytes> {
        static const std::set<std::string> vector_salts = {
#include "fuzz/hivemind/vector_salts.inc"
        };
        static std::map<std::string, Bytes> cache;
        const std::string salt_hex = to_hex(salt);
        if (vector_salts.count(salt_hex) == 0) {
            return password_key(password, salt, 1);
        }
        const std::string id = std::string(password) + "|" + salt_hex;
        auto it = cache.find(id);
        if (it == cache.end()) {
            SK_TRY(SecretBytes k, password_key(password, salt, iterations));
            it = cache.emplace(id, Bytes(k.view().begin(), k.view().end())).first;
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

// Every unit a machine writes is well formed: a text unit is a HiveMessage or an encrypted frame
// in JSON, a binary unit holds at least a nonce and a tag.
inline void check_output(const HiveMachine& m, const std::vector<Bytes>& units) {
    for (const auto& u : units) {
        FUZZ_CHECK(!u.empty());
        if (u[0] == kOpText) {
            const auto j = parse_json(ByteView(u).subspan(1));
            FUZZ_CHECK(j.ok() && j->is_object());
            FUZZ_CHECK(j->find("ciphertext") != nullptr || parse_message(ByteView(u).subspan(1)).ok());
        } else {
            FUZZ_CHECK(u[0] == kOpBinary);
            FUZZ_CHECK(m.cipher().has_value() && u.size() >= 1 + nonce_size(*m.cipher()) + kTagSize);
        }
    }
}

inline void drive(Role role, ByteView in) {
    shakedown::fuzz::InputCursor cur(in);
    const std::uint8_t flags = cur.u8();
    const std::uint8_t enc = cur.u8();
    const std::uint8_t cipher = cur.u8();
    PrefixRng rng(cur.bytes(kRngBytes));
    FixedClock clock(0);
    HiveMachine m(fuzz_config(role, flags, enc, cipher), rng, clock);
    m.start();
    check_output(m, m.take_output());
    while (!cur.empty()) {
        const std::size_t len = cur.u16be();
        const ByteView unit = cur.bytes(len);
        const bool was_closed = m.next_action() == Action::closed;
        const auto before = m.closure();
        m.receive(unit);
        const auto out = m.take_output();
        if (was_closed) {
            // Nothing after close: no output, the closure stays what it was.
            FUZZ_CHECK(out.empty());
            FUZZ_CHECK(m.closure().has_value() && before.has_value() && m.closure()->failure == before->failure);
            continue;
        }
        check_output(m, out);
        if (const auto c = m.closure()) {
            FUZZ_CHECK(c->failure.offset == kNoOffset || c->failure.offset <= unit.size());
            FUZZ_CHECK(c->sent == "close" || c->sent == "abort");
        }
    }
    if (m.authenticated()) {
        const auto keys = m.derived_keys();
        FUZZ_CHECK(!keys.empty() && keys.back().name == "key");
        const auto n = keys.back().value.size();
        FUZZ_CHECK(n == 16 || n == 24 || n == 32);
        if (role == Role::acceptor) {
            FUZZ_CHECK(!m.received().empty() && m.received().front().message.msg_type == "hello");
        }
    }
    if (m.next_action() == Action::done) {
        FUZZ_CHECK(m.authenticated());
    }
}

}  // namespace shakedown::hivemind::hmfuzz
