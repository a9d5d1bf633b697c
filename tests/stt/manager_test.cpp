#include <gtest/gtest.h>

#include "stt/frame.hpp"
#include "stt/manager.hpp"
#include "tests/stt/driver.hpp"

namespace shakedown::stt {
namespace {

using test::config;
using test::kNow;
using test::seed_of;

struct Net {
    explicit Net(Quirks q = {}, std::size_t max_pending = 4)
        : clock(kNow), rng_server(seed_of(1)), rng_client(seed_of(2)),
          server(make(Role::acceptor, q, max_pending), rng_server, clock),
          client(make(Role::initiator, q, max_pending), rng_client, clock) {}

    static ManagerConfig make(Role role, Quirks q, std::size_t max_pending) {
        ManagerConfig m;
        m.base = config(role);
        m.base.quirks = q;
        m.max_pending = max_pending;
        return m;
    }

    // Runs a full handshake from client address `from` to the server.
    void handshake(const std::string& from) {
        std::vector<Bytes> to_server = client.connect("server");
        for (int i = 0; i < 4 && !to_server.empty(); ++i) {
            std::vector<Bytes> to_client;
            for (const Bytes& d : to_server) {
                auto ev = server.receive(from, d);
                to_client.insert(to_client.end(), ev.output.begin(), ev.output.end());
            }
            to_server.clear();
            for (const Bytes& d : to_client) {
                auto ev = client.receive("server", d);
                to_server.insert(to_server.end(), ev.output.begin(), ev.output.end());
            }
        }
    }

    FixedClock clock;
    SeededRng rng_server;
    SeededRng rng_client;
    HandshakeManager server;
    HandshakeManager client;
};

// The TLV bounds cost nothing a peer can see (docs/protocols/stt.md, "Knobs"): the hostile values
// that fit in one datagram are refused with tlv-no-limits as without it, without state, and an
// honest handshake from the same address right after completes either way.
TEST(SttManager, HostileTlvLeavesNoTraceWithOrWithoutBounds) {
    // A DICT claiming 2^32-1 entries, then as many LISTs nested as the datagram holds, then a DICT
    // of 1025 NULLs claimed and given.
    Bytes deep = {0x41, 0x00, 0x00, 0x00, 0x01, 0x31, 0x00, 0x00, 0x00, 0x01, 'a'};
    while (deep.size() + 5 + 40 < kMaxDatagram) {
        deep.insert(deep.end(), {0x40, 0x00, 0x00, 0x00, 0x01});
    }
    deep.push_back(0x00);
    Bytes wide = {0x40, 0x00, 0x00, 0x04, 0x01};
    wide.insert(wide.end(), 1025, 0x00);
    const Bytes claimed = {0x41, 0xff, 0xff, 0xff, 0xff, 0x31, 0x00, 0x00, 0x00, 0x01, 'a', 0x00};
    FrameHeader h;
    h.type = kFrameHandshake;
    for (const bool knob : {false, true}) {
        Quirks q;
        q.tlv_no_limits = knob;
        Net n(q);
        for (const Bytes& tlv : {deep, wide, claimed}) {
            const Bytes d = serialize_frame(h, {}, tlv);
            ASSERT_LE(d.size(), kMaxDatagram);
            const auto ev = n.server.receive("10.0.0.1:4000", d);
            EXPECT_TRUE(ev.failure) << knob;
            EXPECT_TRUE(ev.output.empty());
            EXPECT_EQ(n.server.size(), 0u);
        }
        n.handshake("10.0.0.1:4000");
        EXPECT_TRUE(n.server.is_complete("10.0.0.1:4000")) << knob;
        EXPECT_TRUE(n.client.is_complete("server")) << knob;
    }
}

TEST(SttManager, CompletesAndIsolatesAddresses) {
    Net n;
    n.handshake("10.0.0.1:4000");
    EXPECT_TRUE(n.server.is_complete("10.0.0.1:4000"));
    EXPECT_TRUE(n.client.is_complete("server"));
    EXPECT_EQ(n.server.session_id("10.0.0.1:4000"), n.client.session_id("server"));
    // Another address knows nothing.
    EXPECT_FALSE(n.server.is_complete("10.0.0.2:4000"));
    EXPECT_FALSE(n.server.session_id("10.0.0.2:4000"));
}

TEST(SttManager, UpstreamLeakKnob) {
    Quirks q;
    q.manager_any_address = true;
    Net n(q);
    n.handshake("10.0.0.1:4000");
    EXPECT_TRUE(n.server.is_complete("10.0.0.2:4000"));
    EXPECT_TRUE(n.server.session_id("10.0.0.2:4000"));
    // And the session the node routes another address's data frames to is the first one's.
    ASSERT_NE(n.server.session_for("10.0.0.2:4000"), nullptr);
    EXPECT_EQ(n.server.session_for("10.0.0.2:4000"), n.server.session_for("10.0.0.1:4000"));
}

TEST(SttManager, SessionForIsPerAddress) {
    Net n;
    n.handshake("10.0.0.1:4000");
    ASSERT_NE(n.server.session_for("10.0.0.1:4000"), nullptr);
    EXPECT_NE(n.server.session_for("10.0.0.1:4000")->session(), nullptr);
    EXPECT_EQ(n.server.session_for("10.0.0.2:4000"), nullptr);
}

TEST(SttManager, OnlyAHelloCreatesState) {
    Net n;

    test::Pair p;
    const auto wire = p.run();
    auto ev = n.server.receive("10.0.0.9:1", wire[2]);  // AUTH_PROOF from nowhere
    EXPECT_FALSE(ev.created);
    ASSERT_TRUE(ev.failure);
    EXPECT_EQ(ev.failure->code, Error::unexpected_message);
    EXPECT_EQ(n.server.size(), 0u);
    auto garbage = n.server.receive("10.0.0.9:1", Bytes{1, 2, 3});
    EXPECT_TRUE(garbage.failure);
    EXPECT_EQ(n.server.size(), 0u);
}

TEST(SttManager, AuthProofFromAnotherAddressDoesNotComplete) {
    Net n;
    std::vector<Bytes> hello = n.client.connect("server");
    auto r = n.server.receive("10.0.0.1:4000", hello.at(0));
    ASSERT_EQ(r.output.size(), 1u);
    auto proof = n.client.receive("server", r.output.at(0));
    ASSERT_EQ(proof.output.size(), 1u);
    auto moved = n.server.receive("10.0.0.2:4000", proof.output.at(0));
    EXPECT_TRUE(moved.failure);
    EXPECT_FALSE(n.server.is_complete("10.0.0.1:4000"));
    EXPECT_FALSE(n.server.is_complete("10.0.0.2:4000"));
    // The original address still completes.
    auto done = n.server.receive("10.0.0.1:4000", proof.output.at(0));
    EXPECT_TRUE(done.completed);
}

TEST(SttManager, PendingHandshakesAreBoundedOldestFirstAndExpire) {
    Net n;
    std::vector<Bytes> hellos;
    for (int i = 0; i < 6; ++i) {
        Config c = config(Role::initiator);
        SeededRng rng(seed_of(static_cast<std::uint8_t>(0x40 + i)));
        FixedClock clock(kNow);
        Handshake h(std::move(c), rng, clock);
        h.start();
        hellos.push_back(h.take_output().at(0));
    }
    for (int i = 0; i < 6; ++i) {
        auto ev = n.server.receive("10.0.1." + std::to_string(i) + ":1", hellos[static_cast<std::size_t>(i)]);
        EXPECT_TRUE(ev.created);
        EXPECT_EQ(ev.evicted, i >= 4) << i;
    }
    EXPECT_EQ(n.server.pending(), 4u);
    EXPECT_EQ(n.server.get("10.0.1.0:1"), nullptr);
    EXPECT_EQ(n.server.get("10.0.1.1:1"), nullptr);
    EXPECT_NE(n.server.get("10.0.1.5:1"), nullptr);
    n.clock.advance(kDefaultHandshakeTimeoutMs / 1000 - 1);
    EXPECT_EQ(n.server.expire(), 0u);
    n.clock.advance(1);
    EXPECT_EQ(n.server.expire(), 4u);
    EXPECT_EQ(n.server.size(), 0u);
}

TEST(SttManager, KnobsRemoveBoundAndTimeouts) {
    Quirks q;
    q.manager_unbounded = true;
    q.manager_no_timeouts = true;
    Net n(q, 2);
    for (int i = 0; i < 5; ++i) {
        SeededRng rng(seed_of(static_cast<std::uint8_t>(0x60 + i)));
        FixedClock clock(kNow);
        Handshake h(config(Role::initiator), rng, clock);
        h.start();
        auto ev = n.server.receive("a" + std::to_string(i), h.take_output().at(0));
        EXPECT_FALSE(ev.evicted);
    }
    EXPECT_EQ(n.server.pending(), 5u);
    n.clock.advance(3600);
    EXPECT_EQ(n.server.expire(), 0u);
}

TEST(SttManager, ReplayedHelloFromAnotherAddressIsCaught) {
    Net n;
    std::vector<Bytes> hello = n.client.connect("server");
    EXPECT_TRUE(n.server.receive("10.0.0.1:1", hello.at(0)).created);
    auto again = n.server.receive("10.0.0.2:1", hello.at(0));
    ASSERT_TRUE(again.failure);
    EXPECT_EQ(again.failure->code, Error::replay);
}

}  // namespace
}  // namespace shakedown::stt
