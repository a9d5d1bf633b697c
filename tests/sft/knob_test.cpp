// The knobs a transcript cannot show: the KDF budget and the replay set's bound; and key
// agreement for arbitrary inputs.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/Check.hpp>
#include <rapidcheck/gtest.h>

#include "sft/channel.hpp"
#include "sft/machine.hpp"

namespace shakedown::sft {
namespace {

struct Pair {
    FixedClock clock{1767225600};
    SeededRng crng;
    SeededRng srng;
    Endpoint client;
    Endpoint server;
    Pair(Profile p, const ByteArray<32>& cseed, const ByteArray<32>& sseed, const ByteArray<32>& cid,
         const ByteArray<32>& sid, std::shared_ptr<KdfThrottle> throttle, Quirks server_quirks)
        : crng(cseed),
          srng(sseed),
          client(make(Role::initiator, p, cid, crypto::ed25519_from_seed(sid).public_key, nullptr, {}), crng, clock),
          server(make(Role::acceptor, p, sid, crypto::ed25519_from_seed(cid).public_key, std::move(throttle), server_quirks),
                 srng, clock) {}
    static Config make(Role r, Profile p, const ByteArray<32>& seed, const ByteArray<32>& peer,
                       std::shared_ptr<KdfThrottle> t, Quirks q) {
        Config c;
        c.role = r;
        c.profile = p;
        c.identity_seed = seed;
        c.peer_identity = peer;
        c.deriver = &CachingDeriver::shared();
        c.kdf_throttle = std::move(t);
        c.quirks = q;
        return c;
    }
    void run() {
        server.start();
        client.start();
        for (int i = 0; i < 6; ++i) {
            for (auto& u : client.take_output()) {
                server.receive(u);
            }
            for (auto& u : server.take_output()) {
                client.receive(u);
            }
        }
    }
};

ByteArray<32> filled(std::uint8_t v) {
    ByteArray<32> a{};
    a.fill(v);
    return a;
}

TEST(SftKnobs, KdfBudgetClosesBeforePbkdf2UnlessUnthrottled) {
    for (const bool knob : {false, true}) {
        auto throttle = std::make_shared<KdfThrottle>(1, 60);
        Quirks q;
        q.unthrottled_kdf = knob;
        Pair first(Profile::upstream_v2, filled(1), filled(2), filled(3), filled(4), throttle, q);
        first.run();
        EXPECT_TRUE(first.server.authenticated());
        Pair second(Profile::upstream_v2, filled(1), filled(2), filled(3), filled(4), throttle, q);
        second.run();
        if (knob) {
            EXPECT_TRUE(second.server.authenticated());
        } else {
            ASSERT_TRUE(second.server.closure().has_value());
            EXPECT_EQ(second.server.closure()->failure.code, Error::rate_limited);
            EXPECT_FALSE(second.server.keys().has_value());  // no derivation happened
        }
    }
    // The window slides on the injected clock.
    KdfThrottle t(2, 60);
    EXPECT_TRUE(t.admit(100));
    EXPECT_TRUE(t.admit(130));
    EXPECT_FALSE(t.admit(159));
    EXPECT_TRUE(t.admit(160));
}

TEST(SftKnobs, ReplaySetIsBoundedUnlessNeverEvicts) {
    SessionKeys keys;
    keys.hmac_key = Secret<32>(filled(7));
    keys.aes_key = Secret<32>(filled(8));
    keys.key_id = ByteArray<16>{};
    for (const bool knob : {false, true}) {
        Quirks q;
        q.replay_set_never_evicts = knob;
        FixedClock clock(1767225600);
        SeededRng rng(filled(9));
        Channel sender(Profile::described, keys, Quirks{}, 0);
        Channel receiver(Profile::described, keys, q, 0);
        const std::size_t n = kReplayWindow + 50;
        for (std::size_t i = 0; i < n; ++i) {
            Message m;
            m.type = MsgType::ping;
            const Bytes rec = sender.seal_message(m, rng, clock);
            auto h = parse_record_header(ByteView(rec).first(kHeaderLen));
            ASSERT_TRUE(h.ok());
            auto in = receiver.open(*h, ByteView(rec).first(kHeaderLen), ByteView(rec).subspan(kHeaderLen), clock);
            ASSERT_TRUE(in.ok()) << i << " " << in.failure().describe();
            clock.advance(1);  // 60 per minute, under J1's 100
        }
        EXPECT_EQ(receiver.replay_set_size(), knob ? n : kReplayWindow);
    }
}

// Both roles derive the same keys for arbitrary ephemeral secrets and identities, in both
// profiles. Each case costs a real PBKDF2, so this property runs 8 cases, not RC_PARAMS' count.
TEST(SftKeyProps, BothRolesAgreeForArbitraryInputs) {
    rc::detail::TestParams params;
    params.maxSuccess = 8;
    const auto result = rc::detail::checkTestable(
        [](const ByteArray<32>& cseed, const ByteArray<32>& sseed, const ByteArray<32>& cid, const ByteArray<32>& sid) {
            // Two ends drawing from the same stream would send identical H3 and H4, which the
            // client rightly refuses as a reflection.
            RC_PRE(cseed != sseed);
            const Profile p = *rc::gen::element(Profile::upstream_v2, Profile::described);
            Pair pair(p, cseed, sseed, cid, sid, nullptr, {});
            pair.run();
            RC_ASSERT(pair.client.authenticated());
            RC_ASSERT(pair.server.authenticated());
            const auto a = pair.client.derived_keys();
            const auto b = pair.server.derived_keys();
            RC_ASSERT(a.size() == 4U);
            for (std::size_t i = 0; i < a.size(); ++i) {
                RC_ASSERT(a[i].name == b[i].name);
                RC_ASSERT(a[i].value == b[i].value);
            }
        },
        rc::detail::TestMetadata{}, params);
    rc::detail::SuccessResult success;
    rc::detail::FailureResult failure;
    if (result.match(failure)) {
        std::string why = failure.description;
        for (const auto& [type, value] : failure.counterExample) {
            why += "\n  " + type + ": " + value;
        }
        FAIL() << why;
    }
    ASSERT_TRUE(result.match(success)) << "the property gave up";
    EXPECT_EQ(success.numSuccess, 8);
}

}  // namespace
}  // namespace shakedown::sft
