// The known answers of docs/protocols/sft.md §10, for both profiles, exactly as given. Their
// inputs are the RFC 7748 §6.1 X25519 pair and the RFC 8032 test 1 and 2 Ed25519 keys.
#include <gtest/gtest.h>

#include "common/crypto.hpp"
#include "sft/handshake_messages.hpp"
#include "sft/keys.hpp"
#include "sft/message.hpp"
#include "sft/record.hpp"

namespace shakedown::sft {
namespace {

template <std::size_t N>
ByteArray<N> hex_array(std::string_view h) {
    const auto b = from_hex(h);
    ByteArray<N> a{};
    if (b && b->size() == N) {
        std::copy(b->begin(), b->end(), a.begin());
    } else {
        ADD_FAILURE() << "bad test hex " << h;
    }
    return a;
}

const auto kClientEphSecret = hex_array<32>("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
const auto kClientEph = hex_array<32>("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
const auto kServerEphSecret = hex_array<32>("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
const auto kServerEph = hex_array<32>("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
const auto kSharedSecret = hex_array<32>("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
const auto kServerIdSeed = hex_array<32>("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
const auto kServerId = hex_array<32>("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
const auto kClientIdSeed = hex_array<32>("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb");
const auto kClientId = hex_array<32>("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c");

TEST(SftKnownAnswers, Rfc7748AndRfc8032Inputs) {
    EXPECT_EQ(crypto::x25519_public(Secret<32>(kClientEphSecret)), kClientEph);
    EXPECT_EQ(crypto::x25519_public(Secret<32>(kServerEphSecret)), kServerEph);
    auto a = shared_secret(Secret<32>(kClientEphSecret), kServerEph);
    auto b = shared_secret(Secret<32>(kServerEphSecret), kClientEph);
    ASSERT_TRUE(a.ok());
    ASSERT_TRUE(b.ok());
    EXPECT_EQ(a->array(), kSharedSecret);
    EXPECT_EQ(b->array(), kSharedSecret);
    EXPECT_EQ(crypto::ed25519_from_seed(kServerIdSeed).public_key, kServerId);
    EXPECT_EQ(crypto::ed25519_from_seed(kClientIdSeed).public_key, kClientId);
}

TEST(SftKnownAnswers, UpstreamV2) {
    const auto server = crypto::ed25519_from_seed(kServerIdSeed);
    const auto sig = crypto::ed25519_sign(server, signed_transcript(Profile::upstream_v2, kClientEph, kServerEph, kServerId));
    EXPECT_EQ(to_hex(sig),
              "21e1fd6899395fcddad2e8c47c1559d360962fd6aea958a705e887a3063acf94507d3b284813b1a8a2b5e7e570dd44686941f768604fa72ea6b10d5c369a6703");
    auto keys = derive_session_keys(Profile::upstream_v2, Secret<32>(kSharedSecret), kServerEph, kClientEph,
                                    CachingDeriver::shared());
    ASSERT_TRUE(keys.ok());
    EXPECT_EQ(to_hex(keys->hmac_key.view()), "80dfe0b7a27b53eac84b910f681ef2a3ab799e8268c3080897fc82b778b64e2a");
    EXPECT_EQ(to_hex(keys->aes_key.view()), "a4970d6179306f1f31f7b4769255860a16e3da9f2bd94e6a9d60ea33fd11a706");
    EXPECT_EQ(std::string(keys->key_id.begin(), keys->key_id.end()), "c5e4e713869f6f26");

    const auto nonce = hex_array<12>("000102030405060708090a0b");
    EXPECT_EQ(to_hex(serialize(seal_confirm(keys->aes_key, nonce))),
              "00000023000102030405060708090a0bb2c428387c856e074dbbdd0d1d777b083e103127d37fad");

    Message m;
    m.type = MsgType::ping;
    m.timestamp = "2026-01-01T00:00:00";
    m.seq = 0;
    sign(m, keys->hmac_key.view());
    EXPECT_EQ(*m.signature, "12501e6d4782cd86cbca6cc6e92a48e323ccc11e44a90b49d265ac25a3e99feb");
    const std::string wire = wire_json(m);
    EXPECT_EQ(wire.size(), 178U);

    RecordKey rk{Profile::upstream_v2, keys->aes_key, keys->key_id};
    const Bytes record = seal_record(rk, PayloadType::json, 0, hex_array<12>("101112131415161718191a1b"), as_bytes(wire));
    ASSERT_EQ(record.size(), 243U);
    EXPECT_EQ(to_hex(ByteView(record).first(kHeaderLen)),
              "5346545000000002010000000000000000000000b263356534653731333836396636663236101112131415161718191a1b70f7c6c3ce7fdbafe2761ce6f0d9988b");
    EXPECT_EQ(to_hex(crypto::sha256(record)), "89a87797efd40a2869314f210f9f25b1a3c4a997460c740060e2f2f7073f632c");

    // The receiver accepts it with the clock at 2026-01-01T00:01:00.
    auto opened = open_record(rk, record);
    ASSERT_TRUE(opened.ok()) << opened.failure().describe();
    auto parsed = parse_message(opened->plaintext);
    ASSERT_TRUE(parsed.ok());
    EXPECT_EQ(*parsed, m);
    EXPECT_TRUE(check_signature(*parsed, keys->hmac_key.view(), false).ok());
    EXPECT_TRUE(check_timestamp(parsed->timestamp, 1767225660, 0).ok());
}

TEST(SftKnownAnswers, Described) {
    const auto client = crypto::ed25519_from_seed(kClientIdSeed);
    const auto sig = crypto::ed25519_sign(client, signed_transcript(Profile::described, kClientEph, kServerEph, kServerId));
    EXPECT_EQ(to_hex(sig),
              "b0d6360a4a88de5729564faaa68b1544641b745bce1c7af3e73931c4919d31892f474bf5e610c3ff7279f96791f2700c5a6e547cf2877fd4389283c2a3cb9604");
    auto keys = derive_session_keys(Profile::described, Secret<32>(kSharedSecret), kServerEph, kClientEph,
                                    CachingDeriver::shared());
    ASSERT_TRUE(keys.ok());
    EXPECT_EQ(to_hex(keys->hmac_key.view()), "48bb8c9e8dc23d8598ccced09f802e61f4fe097b7f5f11b31d11dd665557bfac");
    EXPECT_EQ(to_hex(keys->aes_key.view()), "a438e9b0cfd1e75861ba7a1b0eb7ddca171e1f51f0a8d91eb6bafa2e51d9e5b1");
    EXPECT_EQ(to_hex(keys->key_id), "fa186315e77a2a15a5ba88691b9f7a66");
}

}  // namespace
}  // namespace shakedown::sft
