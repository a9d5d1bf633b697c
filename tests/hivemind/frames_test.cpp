#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "hivemind/auth.hpp"
#include "hivemind/binarize.hpp"
#include "hivemind/channel.hpp"
#include "tests/hivemind/support.hpp"

namespace shakedown::hivemind {
namespace {

TEST(HiveMindBinarize, EveryTypeRoundTripsWithAndWithoutVersionAndCompression) {
    for (std::uint8_t t = 0; t < kFrameTypeCount; ++t) {
        for (int variant = 0; variant < 4; ++variant) {
            BinFrame f;
            f.type = static_cast<FrameType>(t);
            f.compressed = (variant & 1) != 0;
            if ((variant & 2) != 0) {
                f.version = 1;
            }
            f.metadata = "{\"k\": 1}";
            f.binary_type = f.type == FrameType::binary ? 3 : 0;
            f.payload = Bytes{'{', '"', 'a', '"', ':', '1', '}'};
            const auto w = serialize_frame(f);
            ASSERT_TRUE(w.ok());
            const auto back = parse_frame(*w);
            ASSERT_TRUE(back.ok()) << int(t) << " " << variant << " " << back.failure().describe();
            EXPECT_EQ(*back, f);
        }
    }
}

TEST(HiveMindBinarize, StrictErrors) {
    EXPECT_EQ(parse_frame(Bytes{}).error(), Error::truncated);
    EXPECT_EQ(parse_frame(Bytes{0x00, 0x82}).error(), Error::decode_error);
    // Type 13 (bits 01101): 1 0 01101 0 = 0x9a.
    auto r = parse_frame(Bytes{0x9a, 0x02, '{', '}'});
    EXPECT_EQ(r.error(), Error::unknown_type);
    // Metadata length past the end.
    EXPECT_EQ(parse_frame(Bytes{0x82, 0x09, '{', '}'}).error(), Error::truncated);
    // Leading zero bits that do not match the header's padding: BUS needs none.
    EXPECT_EQ(parse_frame(Bytes{0x41, 0x01, 0x3d, 0xbe, 0x80}).error(), Error::bad_padding);
    // Metadata that is not a JSON object.
    r = parse_frame(Bytes{0x82, 0x02, '[', ']'});
    EXPECT_EQ(r.error(), Error::wrong_type);
    EXPECT_EQ(r.failure().offset, 2U);
}

TEST(HiveMindBinarize, ZlibBombIsOversize) {
    BinFrame f;
    f.compressed = true;
    f.payload.assign(kMaxInflated + 1, 'a');
    const auto w = serialize_frame(f);
    ASSERT_TRUE(w.ok());
    EXPECT_LT(w->size(), 4096U);
    EXPECT_EQ(parse_frame(*w).error(), Error::oversize);
    // A stream cut short, and bytes after a complete stream.
    f.payload.assign(100, 'b');
    auto ok_frame = serialize_frame(f).value();
    Bytes cut(ok_frame.begin(), ok_frame.end() - 3);
    EXPECT_EQ(parse_frame(cut).error(), Error::truncated);
    ok_frame.push_back(0);
    EXPECT_EQ(parse_frame(ok_frame).error(), Error::trailing_bytes);
}

TEST(HiveMindChannel, JsonFrameMissingTagTakesItFromTheCiphertext) {
    const Bytes key(32, 7);
    const Bytes nonce(16, 9);
    const auto s = seal(Cipher::aes_gcm, key, nonce, as_bytes("hello")).value();
    const std::string with_tag = write_json_frame(s, Encoding::hex);
    const std::string no_tag = "{\"ciphertext\": \"" + to_hex(concat({s.ciphertext, s.tag})) +
                               "\", \"nonce\": \"" + to_hex(s.nonce) + "\"}";
    for (const auto& text : {with_tag, no_tag}) {
        const auto parsed = parse_json_frame(as_bytes(text), Encoding::hex);
        ASSERT_TRUE(parsed.ok());
        EXPECT_EQ(*parsed, s);
        EXPECT_EQ(open(Cipher::aes_gcm, key, *parsed).value(), Bytes(as_bytes("hello").begin(), as_bytes("hello").end()));
    }
}

TEST(HiveMindChannel, WrongSizesAndTamperAreTyped) {
    const Bytes key(32, 7);
    auto s = seal(Cipher::chacha20_poly1305, key, Bytes(12, 1), as_bytes("x")).value();
    auto bad = s;
    bad.nonce.resize(16);
    EXPECT_EQ(open(Cipher::chacha20_poly1305, key, bad).error(), Error::bad_length);
    bad = s;
    bad.tag.pop_back();
    EXPECT_EQ(open(Cipher::chacha20_poly1305, key, bad).error(), Error::bad_length);
    bad = s;
    bad.ciphertext[0] ^= 1;
    EXPECT_EQ(open(Cipher::chacha20_poly1305, key, bad).error(), Error::bad_mac);
    // A 12-byte nonce with AES-GCM: the protocol's nonce is 16 bytes.
    auto g = seal(Cipher::aes_gcm, key, Bytes(16, 1), as_bytes("x")).value();
    g.nonce.resize(12);
    EXPECT_EQ(open(Cipher::aes_gcm, key, g).error(), Error::bad_length);
    EXPECT_EQ(parse_binary_frame(Bytes(27, 0), Cipher::aes_gcm).error(), Error::truncated);
    EXPECT_EQ(parse_json_frame(as_bytes(R"({"ciphertext": "00", "nonce": "00"})"), Encoding::hex).error(),
              Error::truncated);
    EXPECT_EQ(parse_json_frame(as_bytes(R"({"ciphertext": "00", "nonce": "00", "x": "1"})"), Encoding::hex).error(),
              Error::unknown_type);
    const auto r = parse_json_frame(as_bytes(R"({"ciphertext": "0G", "nonce": "00"})"), Encoding::hex);
    EXPECT_EQ(r.error(), Error::decode_error);
    EXPECT_EQ(r.failure().offset, 15U);
}

RC_GTEST_PROP(HiveMindChannelProps, AnyBitFlipOfAnEncryptedFrameIsRejected, (const std::vector<std::uint8_t>& pt)) {
    const bool chacha = *rc::gen::arbitrary<bool>();
    const Cipher c = chacha ? Cipher::chacha20_poly1305 : Cipher::aes_gcm;
    const Bytes key(32, 3);
    const auto s = seal(c, key, Bytes(nonce_size(c), 5), pt).value();
    Bytes wire = write_binary_frame(s);
    const auto bit = *rc::gen::inRange<std::size_t>(0, wire.size() * 8);
    wire[bit / 8] = static_cast<std::uint8_t>(wire[bit / 8] ^ (1u << (bit % 8)));
    const auto parsed = parse_binary_frame(wire, c);
    RC_ASSERT(parsed.ok());
    RC_ASSERT(open(c, key, *parsed).error() == Error::bad_mac);
}

TEST(HiveMindPassword, StrictEnvelopeRules) {
    const Iv iv = {0, 1, 2, 3, 4, 5, 6, 7};
    const std::string env = password_envelope("pw", iv);
    EXPECT_EQ(verify_password_envelope(env, "pw").value(), iv);
    EXPECT_EQ(verify_password_envelope(env, "other").error(), Error::bad_credentials);
    EXPECT_EQ(verify_password_envelope(env.substr(0, 47), "pw").error(), Error::bad_length);
    EXPECT_EQ(verify_password_envelope(env + "00", "pw").error(), Error::bad_length);
    std::string upper = env;
    upper[20] = static_cast<char>(std::toupper(static_cast<unsigned char>(upper[20])));
    if (upper != env) {
        EXPECT_EQ(verify_password_envelope(upper, "pw").error(), Error::non_canonical);
    }
    std::string nonhex = env;
    nonhex[3] = 'x';
    EXPECT_EQ(verify_password_envelope(nonhex, "pw").error(), Error::decode_error);
    EXPECT_EQ(verify_password_envelope(nonhex, "pw").failure().offset, 3U);
    // Upstream rules: junk after 48 characters, up to 80 in all.
    EXPECT_TRUE(verify_password_envelope(env + std::string(32, 'z'), "pw", {true}).ok());
    EXPECT_EQ(verify_password_envelope(env + std::string(33, 'z'), "pw", {true}).error(), Error::bad_length);
}

class HiveMindRsa : public ::testing::Test {
protected:
    static crypto::RsaKey load(const std::string& name) { return crypto::RsaKey::from_pem(test::key_pem(name)).value(); }
};

TEST_F(HiveMindRsa, EnvelopeRoundTripsAndSignatureTamperIsRejected) {
    const auto server = load("server_rsa2048");
    const auto client = load("client_rsa2048");
    const auto client_pub = crypto::RsaKey::from_pem(public_pem(client)).value();
    const auto server_pub = crypto::RsaKey::from_pem(public_pem(server)).value();
    SeededRng rng(ByteArray<32>{1});
    const Bytes secret(32, 0x42);
    const std::string env = rsa_envelope(server, client_pub, secret, rng).value();
    EXPECT_EQ(env.size(), 1024U);
    const auto opened = open_rsa_envelope(env, server_pub, client);
    ASSERT_TRUE(opened.ok());
    EXPECT_TRUE(ct_equal(opened->view(), secret));
    std::string tampered = env;
    tampered[10] = tampered[10] == '0' ? '1' : '0';
    EXPECT_EQ(open_rsa_envelope(tampered, server_pub, client).error(), Error::bad_signature);
    EXPECT_TRUE(open_rsa_envelope(tampered, server_pub, client, {true}).ok());
    std::string bad_ct = env;
    bad_ct[600] = bad_ct[600] == '0' ? '1' : '0';
    EXPECT_EQ(open_rsa_envelope(bad_ct, server_pub, client).error(), Error::bad_signature);
    EXPECT_EQ(open_rsa_envelope(env.substr(2), server_pub, client).error(), Error::bad_length);
    // The signature is over the ciphertext: our PSS verifies with the facade (OpenSSL).
    const Bytes raw = from_hex(env).value();
    EXPECT_TRUE(crypto::rsa_pss_verify(server_pub, crypto::Hash::sha256, crypto::Hash::sha256, 32,
                                       ByteView(raw).subspan(256), ByteView(raw).first(256)));
}

TEST_F(HiveMindRsa, WeakKeysAreNamed) {
    EXPECT_TRUE(check_rsa_strength(load("server_rsa2048")).ok());
    for (const char* name : {"weak_rsa1024", "weak_e3", "weak_e1_public", "weak_small_factor_public"}) {
        auto k = crypto::RsaKey::from_pem(test::key_pem(name));
        ASSERT_TRUE(k.ok()) << name;
        EXPECT_EQ(check_rsa_strength(*k).error(), Error::weak_key) << name;
    }
}

}  // namespace
}  // namespace shakedown::hivemind
