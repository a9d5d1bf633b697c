#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "hivemind/handshake.hpp"
#include "tests/hivemind/support.hpp"

namespace shakedown::hivemind {
namespace {

using test::base_config;
using test::pump;

struct Pair {
    SeededRng client_rng{ByteArray<32>{1}};
    SeededRng server_rng{ByteArray<32>{2}};
    FixedClock clock{0};
    std::unique_ptr<HiveMachine> client;
    std::unique_ptr<HiveMachine> server;
    std::vector<Bytes> wire;

    Pair(const Config& c, const Config& s) {
        client = std::make_unique<HiveMachine>(c, client_rng, clock);
        server = std::make_unique<HiveMachine>(s, server_rng, clock);
        server->start();
        client->start();
        pump(*client, *server, &wire);
    }
};

std::string key_of(const Machine& m) {
    for (const auto& k : m.derived_keys()) {
        if (k.name == "key") {
            return to_hex(k.value);
        }
    }
    return "";
}

struct Case {
    Mode mode;
    std::string cipher;
    std::string encoding;
    bool binarize;
};

void PrintTo(const Case& c, std::ostream* os) {
    *os << to_string(c.mode) << " " << c.cipher << " " << c.encoding << (c.binarize ? " binarized" : "");
}

class HiveMindHandshake : public ::testing::TestWithParam<Case> {};

TEST_P(HiveMindHandshake, BothSidesAgreeAndTheServerReadsTheEncryptedHello) {
    const auto& p = GetParam();
    auto c = base_config(Role::initiator, p.mode);
    auto s = base_config(Role::acceptor, p.mode);
    c.ciphers = {p.cipher};
    c.encodings = {p.encoding};
    s.ciphers = {"AES-GCM", "CHACHA20-POLY1305"};
    c.binarize = s.binarize = p.binarize;
    Pair pair(c, s);
    ASSERT_TRUE(pair.client->authenticated()) << (pair.client->closure() ? pair.client->closure()->failure.describe() : "");
    ASSERT_TRUE(pair.server->authenticated()) << (pair.server->closure() ? pair.server->closure()->failure.describe() : "");
    EXPECT_EQ(pair.client->next_action(), Action::done);
    EXPECT_EQ(pair.server->next_action(), Action::done);
    EXPECT_EQ(key_of(*pair.client), key_of(*pair.server));
    EXPECT_FALSE(key_of(*pair.client).empty());
    ASSERT_EQ(pair.server->received().size(), 1U);
    EXPECT_TRUE(pair.server->received()[0].encrypted);
    EXPECT_EQ(pair.server->received()[0].message.msg_type, "hello");
    if (p.mode != Mode::preshared) {
        EXPECT_EQ(wire_name(*pair.server->cipher()), p.cipher);
        EXPECT_EQ(wire_name(*pair.server->encoding()), p.encoding);
        EXPECT_EQ(pair.server->binarized(), p.binarize);
        EXPECT_EQ(pair.wire.size(), 5U);
        EXPECT_EQ(pair.wire.back()[0], p.binarize ? kOpBinary : kOpText);
    } else {
        EXPECT_EQ(pair.wire.size(), 3U);
    }
    // After the handshake: a BUS message each way.
    HiveMessage bus;
    bus.msg_type = "bus";
    bus.payload.set("type", Json::string("speak"));
    auto unit = pair.client->seal_message(bus);
    ASSERT_TRUE(unit.ok());
    pair.server->receive(*unit);
    ASSERT_EQ(pair.server->received().size(), 2U);
    EXPECT_EQ(pair.server->received()[1].message, bus);
    // No sequence numbers: the same unit replayed is accepted again (a protocol finding).
    pair.server->receive(*unit);
    EXPECT_EQ(pair.server->received().size(), 3U);
}

std::vector<Case> all_cases() {
    std::vector<Case> out;
    for (const Mode m : {Mode::password, Mode::rsa}) {
        for (const char* cipher : {"AES-GCM", "CHACHA20-POLY1305"}) {
            for (const auto e : all_encodings()) {
                for (const bool bin : {false, true}) {
                    if (m == Mode::rsa && e != Encoding::hex && e != Encoding::b64) {
                        continue;  // RSA's envelope cost; the channel is the same code
                    }
                    out.push_back({m, cipher, std::string(wire_name(e)), bin});
                }
            }
        }
    }
    out.push_back({Mode::preshared, "AES-GCM", "JSON-HEX", false});
    return out;
}

INSTANTIATE_TEST_SUITE_P(Modes, HiveMindHandshake, ::testing::ValuesIn(all_cases()),
                         [](const auto& tc) {
                             std::string n = std::string(to_string(tc.param.mode)) + "_" + tc.param.cipher + "_" +
                                             tc.param.encoding + (tc.param.binarize ? "_bin" : "_json");
                             for (auto& ch : n) {
                                 if (!std::isalnum(static_cast<unsigned char>(ch))) {
                                     ch = '_';
                                 }
                             }
                             return n;
                         });

Failure closure_of(const HiveMachine& m) {
    EXPECT_TRUE(m.closure().has_value());
    return m.closure() ? m.closure()->failure : Failure{};
}

TEST(HiveMindAdversarial, WrongPasswordIsRejectedByTheStrictServer) {
    auto c = base_config(Role::initiator, Mode::password);
    c.password = "wrong";
    Pair pair(c, base_config(Role::acceptor, Mode::password));
    EXPECT_EQ(closure_of(*pair.server).code, Error::bad_credentials);
    EXPECT_FALSE(pair.server->authenticated());
    EXPECT_EQ(pair.wire.size(), 3U);  // HELLO, HANDSHAKE, the client's HANDSHAKE; no answer
}

TEST(HiveMindAdversarial, WrongPasswordWithTheUpstreamServerFailsOnlyAtTheClient) {
    auto c = base_config(Role::initiator, Mode::password);
    c.password = "wrong";
    auto s = base_config(Role::acceptor, Mode::password);
    s.quirks.skip_envelope_check = true;
    Pair pair(c, s);
    EXPECT_FALSE(pair.server->closure().has_value());
    EXPECT_EQ(closure_of(*pair.client).code, Error::bad_credentials);
}

TEST(HiveMindAdversarial, ReflectedEnvelopeIsRefused) {
    // The server answers with the client's own envelope: salt 0.
    auto c = base_config(Role::initiator, Mode::password);
    ScriptedRng crng(concat({Bytes(8, 0x5a), Bytes(64, 1)}));
    ScriptedRng srng(concat({Bytes(8, 0x5a), Bytes(64, 2)}));
    FixedClock clock(0);
    for (const bool knob : {false, true}) {
        crng = ScriptedRng(concat({Bytes(8, 0x5a), Bytes(64, 1)}));
        srng = ScriptedRng(concat({Bytes(8, 0x5a), Bytes(64, 2)}));
        auto s = base_config(Role::acceptor, Mode::password);
        s.quirks.accept_reflection = knob;
        c.quirks.accept_reflection = knob;
        HiveMachine client(c, crng, clock);
        HiveMachine server(s, srng, clock);
        server.start();
        client.start();
        pump(client, server);
        if (knob) {
            EXPECT_TRUE(client.authenticated());
            EXPECT_EQ(to_hex(client.derived_keys()[0].value), "0000000000000000");
        } else {
            EXPECT_EQ(closure_of(server).code, Error::replay);
        }
    }
}

TEST(HiveMindAdversarial, EmptyPasswordRefusedUnlessKnob) {
    auto c = base_config(Role::initiator, Mode::password);
    auto s = base_config(Role::acceptor, Mode::password);
    c.password = s.password = "";
    {
        Pair pair(c, s);
        EXPECT_EQ(closure_of(*pair.server).code, Error::bad_credentials);
        EXPECT_TRUE(pair.wire.empty());
    }
    c.quirks.accept_empty_password = s.quirks.accept_empty_password = true;
    Pair pair(c, s);
    EXPECT_TRUE(pair.client->authenticated());
}

TEST(HiveMindAdversarial, NegotiationFailuresAreTyped) {
    auto c = base_config(Role::initiator, Mode::password);
    auto s = base_config(Role::acceptor, Mode::password);
    c.ciphers = {"CHACHA20-POLY1305"};
    {
        Pair pair(c, s);
        EXPECT_EQ(closure_of(*pair.server).code, Error::negotiation_failed);
        EXPECT_EQ(pair.server->closure()->sent, "close");
    }
    c.ciphers = {"AES-CBC"};
    {
        Pair pair(c, s);
        EXPECT_EQ(closure_of(*pair.server).code, Error::unknown_type);
        EXPECT_EQ(pair.server->closure()->sent, "abort");
    }
}

TEST(HiveMindAdversarial, DowngradedChoiceIsNoticedByTheStrictClient) {
    // A man in the middle rewrites the server's choice to JSON-HEX.
    auto c = base_config(Role::initiator, Mode::password);
    auto s = base_config(Role::acceptor, Mode::password);
    for (const bool knob : {false, true}) {
        c.quirks.accept_any_choice = knob;
        SeededRng cr(ByteArray<32>{3});
        SeededRng sr(ByteArray<32>{4});
        FixedClock clock(0);
        HiveMachine client(c, cr, clock);
        HiveMachine server(s, sr, clock);
        server.start();
        client.start();
        for (auto& u : server.take_output()) {
            client.receive(u);
        }
        for (auto& u : client.take_output()) {
            server.receive(u);
        }
        auto units = server.take_output();
        ASSERT_EQ(units.size(), 1U);
        auto msg = parse_message(ByteView(units[0]).subspan(1)).value();
        msg.payload.set("encoding", Json::string("JSON-HEX"));
        client.receive(text_unit(serialize_message(msg)));
        if (knob) {
            EXPECT_TRUE(client.authenticated());
            EXPECT_EQ(client.encoding(), Encoding::hex);
        } else {
            EXPECT_EQ(closure_of(client).code, Error::negotiation_failed);
        }
    }
}

TEST(HiveMindAdversarial, MinAboveMaxIsWrongVersion) {
    auto c = base_config(Role::initiator, Mode::password);
    SeededRng rng(ByteArray<32>{5});
    FixedClock clock(0);
    HiveMachine client(c, rng, clock);
    client.start();
    HiveMessage hello;
    hello.msg_type = "hello";
    hello.payload = to_json(ServerHello{"", std::nullopt, "master:0.0.0.0"});
    client.receive(text_unit(serialize_message(hello)));
    ServerParams p;
    p.min_protocol_version = 2;
    HiveMessage shake;
    shake.msg_type = "shake";
    shake.payload = to_json(p);
    client.receive(text_unit(serialize_message(shake)));
    EXPECT_EQ(closure_of(client).code, Error::wrong_version);
    EXPECT_EQ(client.closure()->at_message, 1U);
}

TEST(HiveMindAdversarial, PlaintextAfterHandshakeAndTheCiphertextSubstring) {
    for (const int knob : {0, 1, 2}) {
        auto c = base_config(Role::initiator, Mode::password);
        auto s = base_config(Role::acceptor, Mode::password);
        s.quirks.plaintext_after_handshake = knob == 1;
        s.quirks.ciphertext_substring = knob == 2;
        Pair pair(c, s);
        ASSERT_TRUE(pair.server->authenticated());
        HiveMessage bus;
        bus.msg_type = "bus";
        bus.payload.set("utterance", Json::string("say ciphertext"));
        pair.server->receive(text_unit(serialize_message(bus)));
        if (knob == 0) {
            EXPECT_EQ(closure_of(*pair.server).code, Error::unexpected_message);
        } else if (knob == 1) {
            EXPECT_FALSE(pair.server->closure().has_value());
            EXPECT_FALSE(pair.server->received().back().encrypted);
        } else {
            // The substring test sends a plaintext message down the decryption path.
            EXPECT_EQ(closure_of(*pair.server).code, Error::unknown_type);
        }
    }
}

TEST(HiveMindAdversarial, RsaPinningAndWeakKeys) {
    auto c = base_config(Role::initiator, Mode::rsa);
    auto s = base_config(Role::acceptor, Mode::rsa);
    std::string first_key;
    {
        Pair pair(c, s);
        ASSERT_TRUE(pair.client->authenticated());
        first_key = pair.client->server_pubkey();
    }
    c.pinned_server_pem = first_key;
    {
        Pair pair(c, s);
        EXPECT_TRUE(pair.client->authenticated());
    }
    auto changed = s;
    changed.own_key_pem = test::key_pem("other_rsa2048");
    {
        Pair pair(c, changed);
        EXPECT_EQ(closure_of(*pair.client).code, Error::bad_credentials);
    }
    c.quirks.trust_every_key = true;
    {
        Pair pair(c, changed);
        EXPECT_TRUE(pair.client->authenticated());
    }
    auto weak = s;
    weak.own_key_pem = test::key_pem("weak_rsa1024");
    c = base_config(Role::initiator, Mode::rsa);
    {
        Pair pair(c, weak);
        EXPECT_EQ(closure_of(*pair.client).code, Error::weak_key);
    }
    c.quirks.accept_weak_rsa_keys = true;
    {
        Pair pair(c, weak);
        EXPECT_TRUE(pair.client->authenticated());
    }
}

TEST(HiveMindMachine, NothingHappensAfterClose) {
    auto c = base_config(Role::initiator, Mode::password);
    SeededRng rng(ByteArray<32>{6});
    FixedClock clock(0);
    HiveMachine client(c, rng, clock);
    client.start();
    client.receive(text_unit("not json"));
    EXPECT_EQ(client.next_action(), Action::closed);
    EXPECT_EQ(client.closure()->failure.code, Error::decode_error);
    client.receive(text_unit("{}"));
    client.idle_timeout();
    EXPECT_EQ(client.closure()->failure.code, Error::decode_error);
    EXPECT_TRUE(client.take_output().empty());
}

TEST(HiveMindMachine, IdleTimeoutClosesAStalledHandshake) {
    SeededRng rng(ByteArray<32>{7});
    FixedClock clock(0);
    HiveMachine server(base_config(Role::acceptor, Mode::password), rng, clock);
    server.start();
    EXPECT_EQ(server.idle_timeout_ms(), kIdleTimeoutMs);
    (void)server.take_output();
    server.idle_timeout();
    EXPECT_EQ(server.closure()->failure.code, Error::timeout);
}

RC_GTEST_PROP(HiveMindMachineProps, BothRolesAgreeForArbitraryPasswordsListsAndRandomness, ()) {
    // The property is about the machines, not PBKDF2's cost: 1000 iterations here (the spec's
    // 100000 are exercised by the known answer and the vectors).
    const auto pw_raw = *rc::gen::nonEmpty(rc::gen::arbitrary<std::string>());
    std::string password;
    for (const char ch : pw_raw) {
        password.push_back(static_cast<char>((static_cast<unsigned char>(ch) % 94) + 33));
    }
    const auto subset = [](std::uint8_t mask) {
        std::vector<std::string> out;
        for (std::size_t k = 0; k < kEncodingCount; ++k) {
            if ((mask >> k) & 1u) {
                out.emplace_back(wire_name(all_encodings()[k]));
            }
        }
        return out;
    };
    auto c = base_config(Role::initiator, Mode::password);
    auto s = base_config(Role::acceptor, Mode::password);
    c.password = s.password = password;
    c.pbkdf2_iterations = s.pbkdf2_iterations = 1000;
    c.kdf = s.kdf = nullptr;
    c.encodings = subset(*rc::gen::inRange<std::uint8_t>(1, 128));
    s.encodings = subset(*rc::gen::inRange<std::uint8_t>(1, 128));
    c.ciphers = *rc::gen::elementOf(std::vector<std::vector<std::string>>{
        {"AES-GCM"}, {"CHACHA20-POLY1305"}, {"CHACHA20-POLY1305", "AES-GCM"}});
    s.ciphers = {"AES-GCM", "CHACHA20-POLY1305"};
    c.binarize = *rc::gen::arbitrary<bool>();
    s.binarize = *rc::gen::arbitrary<bool>();
    const auto cseed = *rc::gen::arbitrary<std::array<std::uint8_t, 32>>();
    const auto sseed = *rc::gen::arbitrary<std::array<std::uint8_t, 32>>();
    SeededRng cr(cseed);
    SeededRng sr(sseed);
    FixedClock clock(0);
    HiveMachine client(c, cr, clock);
    HiveMachine server(s, sr, clock);
    server.start();
    client.start();
    pump(client, server);
    if (cseed == sseed && server.closure().has_value()) {
        // Same seed, same IV: salt 0, which the strict server refuses as a reflection.
        RC_ASSERT(server.closure()->failure.code == Error::replay ||
                  server.closure()->failure.code == Error::negotiation_failed);
        return;
    }
    const bool common = std::any_of(c.encodings.begin(), c.encodings.end(), [&](const std::string& e) {
        return std::find(s.encodings.begin(), s.encodings.end(), e) != s.encodings.end();
    });
    if (!common) {
        RC_ASSERT(server.closure().has_value() && server.closure()->failure.code == Error::negotiation_failed);
        return;
    }
    RC_ASSERT(client.authenticated() && server.authenticated());
    RC_ASSERT(key_of(client) == key_of(server));
    RC_ASSERT(client.encoding() == server.encoding() && client.cipher() == server.cipher());
    RC_ASSERT(wire_name(*client.encoding()) == *std::find_first_of(c.encodings.begin(), c.encodings.end(),
                                                                   s.encodings.begin(), s.encodings.end()));
    RC_ASSERT(client.binarized() == (c.binarize && s.binarize));
}

RC_GTEST_PROP(HiveMindMachineProps, AnyTamperedHandshakeUnitIsRejectedOrHarmless, ()) {
    // Flip one byte of one unit on the wire; whatever happens, both sides never end authenticated
    // with different keys.
    const auto which = *rc::gen::inRange<std::size_t>(0, 5);
    auto c = base_config(Role::initiator, Mode::password);
    auto s = base_config(Role::acceptor, Mode::password);
    SeededRng cr(ByteArray<32>{8});
    SeededRng sr(ByteArray<32>{9});
    FixedClock clock(0);
    HiveMachine client(c, cr, clock);
    HiveMachine server(s, sr, clock);
    server.start();
    client.start();
    std::size_t index = 0;
    for (int round = 0; round < 8; ++round) {
        for (auto* from : {static_cast<HiveMachine*>(&server), static_cast<HiveMachine*>(&client)}) {
            HiveMachine* to = from == &server ? &client : &server;
            for (auto& u : from->take_output()) {
                if (index++ == which) {
                    const auto at = *rc::gen::inRange<std::size_t>(1, u.size());
                    u[at] = static_cast<std::uint8_t>(u[at] ^ *rc::gen::inRange<int>(1, 256));
                }
                to->receive(u);
            }
        }
    }
    if (client.authenticated() && server.authenticated()) {
        RC_ASSERT(key_of(client) == key_of(server));
    }
}

}  // namespace
}  // namespace shakedown::hivemind
