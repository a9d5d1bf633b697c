// Known answers that come from outside this project: the password handshake values obtained by
// running the pinned upstream (docs/protocols/hivemind.md, "Known answers"), the basE91 and
// binarized-frame examples of the same document, RFC 4648 section 10 and ZeroMQ RFC 32 (Z85).
#include <gtest/gtest.h>

#include "hivemind/auth.hpp"
#include "hivemind/binarize.hpp"
#include "hivemind/codecs.hpp"
#include "hivemind/handshake.hpp"
#include "tests/hivemind/support.hpp"

namespace shakedown::hivemind {
namespace {

Iv iv_of(const char* hex) {
    const auto b = from_hex(hex);
    Iv iv{};
    std::copy(b->begin(), b->end(), iv.begin());
    return iv;
}

TEST(HiveMindKnownAnswer, PasswordHandshakeFromPinnedUpstream) {
    const std::string password = "test-password-123";
    const Iv client = iv_of("0001020304050607");
    const Iv server = iv_of("f0e1d2c3b4a59687");
    EXPECT_EQ(password_envelope(password, client), "0001020304050607f57310a6886b8a00615c0edbcf66e656");
    EXPECT_EQ(password_envelope(password, server), "f0e1d2c3b4a59687cf9f5dafb30fd11e884a7a1196918bbc");
    const Iv salt = xor_salt(client, server);
    EXPECT_EQ(to_hex(salt), "f0e0d0c0b0a09080");
    const auto key = password_key(password, salt);
    ASSERT_TRUE(key.ok());
    EXPECT_EQ(to_hex(key->view()), "7f181f0918187bdd4061e697c49eb6f8363e80f6c5b9f68ff1a9c87730c32b34");
}

TEST(HiveMindKnownAnswer, PasswordHandshakeThroughTheMachines) {
    // The same answer, reached by the two machines with the upstream IVs scripted as randomness.
    auto client_cfg = test::base_config(Role::initiator, Mode::password);
    auto server_cfg = test::base_config(Role::acceptor, Mode::password);
    client_cfg.encodings = {"JSON-HEX"};
    ScriptedRng client_rng(concat({*from_hex("0001020304050607"), Bytes(64, 0x11)}));
    ScriptedRng server_rng(concat({*from_hex("f0e1d2c3b4a59687"), Bytes(64, 0x22)}));
    FixedClock clock(0);
    HiveMachine client(client_cfg, client_rng, clock);
    HiveMachine server(server_cfg, server_rng, clock);
    server.start();
    client.start();
    test::pump(client, server);
    ASSERT_TRUE(client.authenticated());
    ASSERT_TRUE(server.authenticated());
    for (const auto* m : {&client, &server}) {
        const auto keys = m->derived_keys();
        ASSERT_EQ(keys.back().name, "key");
        EXPECT_EQ(to_hex(keys.back().value), "7f181f0918187bdd4061e697c49eb6f8363e80f6c5b9f68ff1a9c87730c32b34");
    }
}

TEST(HiveMindKnownAnswer, Base91OfTest) { EXPECT_EQ(encode(Encoding::b91, as_bytes("test")), "fPNKd"); }

TEST(HiveMindKnownAnswer, BusFrameStartsWith82027b7d) {
    BinFrame f;
    f.type = FrameType::bus;
    f.payload = Bytes{'{', '}'};
    const auto w = serialize_frame(f);
    ASSERT_TRUE(w.ok());
    EXPECT_EQ(to_hex(ByteView(*w).first(4)), "82027b7d");
}

TEST(HiveMindKnownAnswer, Rfc4648Section10) {
    const char* in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    const char* b64[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    const char* b32[] = {"", "MY======", "MZXQ====", "MZXW6===", "MZXW6YQ=", "MZXW6YTB", "MZXW6YTBOI======"};
    const char* hex[] = {"", "66", "666f", "666f6f", "666f6f62", "666f6f6261", "666f6f626172"};
    for (std::size_t k = 0; k < 7; ++k) {
        EXPECT_EQ(encode(Encoding::b64, as_bytes(in[k])), b64[k]);
        EXPECT_EQ(encode(Encoding::b32, as_bytes(in[k])), b32[k]);
        EXPECT_EQ(encode(Encoding::hex, as_bytes(in[k])), hex[k]);
        for (auto [e, t] : {std::pair{Encoding::b64, b64[k]}, {Encoding::b32, b32[k]}, {Encoding::hex, hex[k]}}) {
            const auto d = decode(e, t);
            ASSERT_TRUE(d.ok()) << t;
            EXPECT_EQ(std::string(d->begin(), d->end()), in[k]);
        }
    }
}

TEST(HiveMindKnownAnswer, Z85HelloWorldIsTheJSONZ85PBody) {
    const Bytes in = *from_hex("864fd26fb559f75b");
    EXPECT_EQ(encode(Encoding::z85p, in), std::string(1, '\0') + "HelloWorld");
}

}  // namespace
}  // namespace shakedown::hivemind
