#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "common/crypto.hpp"
#include "stt/frame.hpp"
#include "tests/stt/driver.hpp"

namespace shakedown::stt {
namespace {

using test::config;
using test::kNow;
using test::Pair;

Bytes key_named(const Machine& m, const std::string& name) {
    for (const DerivedKey& k : m.derived_keys()) {
        if (k.name == name) {
            return k.value;
        }
    }
    return {};
}

TEST(SttHandshake, HonestHandshakeAgreesOnEveryKey) {
    Pair p;
    const auto wire = p.run();
    ASSERT_EQ(wire.size(), 4u);
    EXPECT_TRUE(p.initiator.authenticated());
    EXPECT_TRUE(p.responder.authenticated());
    EXPECT_EQ(p.initiator.next_action(), Action::done);
    EXPECT_EQ(p.responder.next_action(), Action::done);
    for (const char* name : {"handshake_key", "session_id", "transcript_hash", "session_key", "data_key_i2r",
                             "data_key_r2i"}) {
        EXPECT_FALSE(key_named(p.initiator, name).empty()) << name;
        EXPECT_EQ(key_named(p.initiator, name), key_named(p.responder, name)) << name;
    }
    EXPECT_EQ(p.initiator.session_id().size(), kSessionIdSize);
    const auto bytes = [](ByteView v) { return Bytes(v.begin(), v.end()); };
    EXPECT_EQ(*p.initiator.peer_node_id(), bytes(p.responder.node_id()));
    EXPECT_EQ(*p.responder.peer_node_id(), bytes(p.initiator.node_id()));
    EXPECT_EQ(p.initiator.peer_identity(), bytes(p.responder.node_id()));
    EXPECT_EQ(bytes(p.initiator.session_id()), key_named(p.initiator, "session_id"));
    // The HELLO datagram: frame header, then a 195-byte TLV payload.
    EXPECT_EQ(wire[0].size(), 2u + 2u + 30u + 1u + 195u);
}

// drain_output() gives the datagrams take_output() gives, in order, and so does a resend of the
// last one for a duplicate.
TEST(SttHandshake, DrainOutputMatchesTakeOutput) {
    Pair taken;
    const std::vector<Bytes> wire = taken.run();
    ASSERT_EQ(wire.size(), 4U);
    Pair drained;
    OutputUnits units;
    std::vector<Bytes> got;
    drained.initiator.start();
    drained.responder.start();
    for (int round = 0; round < 4; ++round) {
        units.clear();
        drained.initiator.drain_output(units);
        for (const ByteView d : units) {
            got.emplace_back(d.begin(), d.end());
            drained.responder.receive(d);
        }
        units.clear();
        drained.responder.drain_output(units);
        for (const ByteView d : units) {
            got.emplace_back(d.begin(), d.end());
            drained.initiator.receive(d);
        }
    }
    EXPECT_EQ(got, wire);
    EXPECT_TRUE(drained.initiator.authenticated() && drained.responder.authenticated());
    // The AUTH_PROOF again: the responder answers it with its FINAL again, through either call.
    drained.responder.receive(wire[2]);
    taken.responder.receive(wire[2]);
    units.clear();
    drained.responder.drain_output(units);
    ASSERT_EQ(units.size(), 1U);
    EXPECT_EQ(Bytes(units[0].begin(), units[0].end()), wire[3]);
    EXPECT_EQ(taken.responder.take_output(), std::vector<Bytes>{wire[3]});
    EXPECT_EQ(drained.responder.next_action(), Action::done);
}

TEST(SttHandshake, SessionKeyIsNotTheObservableXor) {
    Pair p;
    const auto wire = p.run();
    Config ci = config(Role::initiator);
    Config cr = config(Role::acceptor);
    ci.quirks.xor_session_key = true;
    cr.quirks.xor_session_key = true;
    Pair x(std::move(ci), std::move(cr));
    const auto xwire = x.run();
    ASSERT_TRUE(x.initiator.authenticated());
    // Anyone who saw HELLO and RESPONSE computes the XOR key: all four inputs travel in clear.
    const auto hello = std::get<Hello>(*parse_message(parse_frame(xwire[0])->payload));
    const auto response = std::get<Response>(*parse_message(parse_frame(xwire[1])->payload));
    const Secret<32> observer = xor_session_key(hello.nonce, response.nonce, hello.node_id, response.node_id);
    EXPECT_EQ(key_named(x.initiator, "session_key"), Bytes(observer.view().begin(), observer.view().end()));
    // The reference's key is not the observer's.
    const auto h2 = std::get<Hello>(*parse_message(parse_frame(wire[0])->payload));
    const auto r2 = std::get<Response>(*parse_message(parse_frame(wire[1])->payload));
    const Secret<32> observer2 = xor_session_key(h2.nonce, r2.nonce, h2.node_id, r2.node_id);
    EXPECT_NE(key_named(p.initiator, "session_key"), Bytes(observer2.view().begin(), observer2.view().end()));
    // The key matches HKDF over the shared seed and both transcripts.
    const Bytes th = key_named(p.initiator, "transcript_hash");
    const Secret<32> expected = derive_session_key(as_bytes("shared seed of the test network!!"), th);
    EXPECT_EQ(key_named(p.initiator, "session_key"), Bytes(expected.view().begin(), expected.view().end()));
}

TEST(SttHandshake, WrongSharedSeedFailsAtTheChallenge) {
    Pair p(config(Role::initiator), config(Role::acceptor, "another network's shared seed!!!"));
    p.run();
    EXPECT_FALSE(p.initiator.authenticated());
    EXPECT_FALSE(p.responder.authenticated());
    ASSERT_TRUE(p.initiator.closure());
    EXPECT_EQ(p.initiator.closure()->failure.code, Error::bad_credentials);
    EXPECT_EQ(p.initiator.closure()->at_message, 0u);
}

TEST(SttHandshake, TimestampWindowEdges) {
    const std::int64_t w = kDefaultTimestampWindowMs;
    for (const auto& [skew, expected] : std::vector<std::pair<std::int64_t, std::optional<Error>>>{
             {-w, std::nullopt}, {-w - 1, Error::stale_timestamp}, {w, std::nullopt},
             {w + 1, Error::future_timestamp}}) {
        Config ci = config(Role::initiator);
        ci.send_skew_ms = skew;
        Pair p(std::move(ci), config(Role::acceptor));
        p.run();
        if (expected) {
            ASSERT_TRUE(p.responder.closure()) << skew;
            EXPECT_EQ(p.responder.closure()->failure.code, *expected) << skew;
        } else {
            EXPECT_TRUE(p.responder.authenticated()) << skew;
        }
    }
    // The initiator checks the responder's timestamps the same way.
    Config cr = config(Role::acceptor);
    cr.send_skew_ms = -w - 1;
    Pair p(config(Role::initiator), std::move(cr));
    p.run();
    ASSERT_TRUE(p.initiator.closure());
    EXPECT_EQ(p.initiator.closure()->failure.code, Error::stale_timestamp);
}

TEST(SttHandshake, ReplayedHelloIsCaughtAcrossSessions) {
    auto cache = std::make_shared<NonceCache>(16);
    Config cr = config(Role::acceptor);
    cr.replay_cache = cache;
    Pair p(config(Role::initiator), cr);
    const auto wire = p.run();
    ASSERT_TRUE(p.responder.authenticated());
    // The same HELLO into a second responder sharing the cache.
    FixedClock clock(kNow);
    SeededRng rng(test::seed_of(7));
    Handshake second(cr, rng, clock);
    second.start();
    second.receive(wire[0]);
    ASSERT_TRUE(second.closure());
    EXPECT_EQ(second.closure()->failure.code, Error::replay);
    // With the knob, the replay is answered.
    cr.quirks.no_replay_cache = true;
    Handshake lax(cr, rng, clock);
    lax.start();
    lax.receive(wire[0]);
    EXPECT_FALSE(lax.closure());
    EXPECT_EQ(lax.take_output().size(), 1u);
}

TEST(SttHandshake, NonceCacheIsBoundedAndEvictsOldest) {
    NonceCache c(2);
    const std::int64_t now = 1000000;
    c.insert(Bytes{1}, now, now, 10);
    c.insert(Bytes{2}, now, now, 10);
    c.insert(Bytes{3}, now, now, 10);
    EXPECT_EQ(c.size(), 2u);
    EXPECT_FALSE(c.contains(Bytes{1}));
    EXPECT_TRUE(c.contains(Bytes{3}));
    // Entries whose timestamp left the window go first.
    c.insert(Bytes{4}, now + 100, now + 100, 10);
    EXPECT_EQ(c.size(), 1u);
    EXPECT_EQ(c.evictions(), 3u);
}

// Many more inserts than the bound, by capacity and then by the window: always the newest kept,
// in insertion order, however often the order is compacted.
TEST(SttHandshake, NonceCacheKeepsTheNewestThroughManyEvictions) {
    NonceCache c(100);
    const std::int64_t now = 1000000;
    const auto nonce = [](std::size_t i) { return Bytes{static_cast<std::uint8_t>(i >> 8), static_cast<std::uint8_t>(i)}; };
    for (std::size_t i = 0; i < 1000; ++i) {
        c.insert(nonce(i), now, now, 10);
        ASSERT_LE(c.size(), 100u) << i;
    }
    for (std::size_t i = 0; i < 1000; ++i) {
        EXPECT_EQ(c.contains(nonce(i)), i >= 900) << i;
    }
    EXPECT_EQ(c.evictions(), 900u);
    // Once the window has passed, every older entry goes at the next insert.
    for (std::size_t i = 1000; i < 1050; ++i) {
        c.insert(nonce(i), now + 100, now + 100, 10);
    }
    EXPECT_EQ(c.size(), 50u);
    EXPECT_TRUE(c.contains(nonce(1049)));
    EXPECT_FALSE(c.contains(nonce(999)));
}

TEST(SttHandshake, DuplicatesAreAnsweredNotReprocessed) {
    Pair p;
    p.initiator.start();
    p.responder.start();
    const Bytes hello = p.initiator.take_output().at(0);
    p.responder.receive(hello);
    const Bytes response = p.responder.take_output().at(0);
    for (std::size_t i = 0; i < kMaxResends + 2; ++i) {
        p.responder.receive(hello);
        const auto again = p.responder.take_output();
        if (i < kMaxResends) {
            ASSERT_EQ(again.size(), 1u);
            EXPECT_EQ(again[0], response);
        } else {
            EXPECT_TRUE(again.empty());
        }
    }
    EXPECT_EQ(p.responder.state(), HandshakeState::awaiting_auth_proof);
    p.initiator.receive(response);
    const Bytes proof = p.initiator.take_output().at(0);
    p.initiator.receive(response);  // duplicate RESPONSE: same AUTH_PROOF, no new nonce
    EXPECT_EQ(p.initiator.take_output().at(0), proof);
    p.responder.receive(proof);
    p.initiator.receive(p.responder.take_output().at(0));
    EXPECT_TRUE(p.initiator.authenticated());
    EXPECT_TRUE(p.responder.authenticated());
}

// Reordering: a retransmitted HELLO (or the RESPONSE that answered it again) overtaken by the rest
// of the handshake arrives after completion. It is a copy of the peer's first message: nothing
// changes, nothing is answered, and the session goes on under the same keys. Anything else after
// completion still ends it; with stale-duplicate-ends-session the copy ends it too.
TEST(SttHandshake, StaleCopyAfterCompletionChangesNothing) {
    for (const bool knob : {false, true}) {
        Config ci = config(Role::initiator);
        Config cr = config(Role::acceptor);
        ci.quirks.stale_duplicate_ends_session = knob;
        cr.quirks.stale_duplicate_ends_session = knob;
        Pair p(std::move(ci), std::move(cr));
        const auto wire = p.run();
        ASSERT_EQ(wire.size(), 4u);
        ASSERT_TRUE(p.initiator.authenticated() && p.responder.authenticated());
        const Bytes key_i = key_named(p.initiator, "session_key");
        const Bytes key_r = key_named(p.responder, "session_key");
        ASSERT_FALSE(key_i.empty());
        ASSERT_EQ(key_i, key_r);
        // The HELLO again at the responder, the RESPONSE again at the initiator; a frame header
        // that differs (the sender's sequence and timestamp are not read) is still a copy.
        Bytes hello = wire[0];
        const auto head = parse_frame_view(wire[0]);
        ASSERT_TRUE(head);
        hello[head->header_offset + 17] ^= 0x01;  // the sequence's last byte (after type, flags, session id)
        for (const Bytes& stale : {wire[0], hello}) {
            p.responder.receive(stale);
        }
        p.initiator.receive(wire[1]);
        if (knob) {
            ASSERT_TRUE(p.responder.closure());
            EXPECT_EQ(p.responder.closure()->failure.code, Error::unexpected_message);
            ASSERT_TRUE(p.initiator.closure());
            EXPECT_EQ(p.initiator.closure()->failure.code, Error::unexpected_message);
            continue;
        }
        EXPECT_TRUE(p.responder.take_output().empty());
        EXPECT_TRUE(p.initiator.take_output().empty());
        EXPECT_EQ(p.responder.state(), HandshakeState::done);
        EXPECT_EQ(p.initiator.state(), HandshakeState::done);
        EXPECT_EQ(key_named(p.initiator, "session_key"), key_i);
        EXPECT_EQ(key_named(p.responder, "session_key"), key_r);
        // The session still works both ways.
        SeededRng rng(test::seed_of(0x33));
        auto frame = p.initiator.session()->seal(as_bytes(std::string_view("after the copy")), 1, kNow * 1000, rng);
        ASSERT_TRUE(frame);
        ASSERT_TRUE(p.responder.session()->open(*frame));
        // A duplicate AUTH_PROOF is still answered with FINAL.
        p.responder.receive(wire[2]);
        const auto again = p.responder.take_output();
        ASSERT_EQ(again.size(), 1u);
        EXPECT_EQ(again[0], wire[3]);
        // Anything else after completion ends the handshake: our own first message reflected.
        p.responder.receive(wire[1]);
        ASSERT_TRUE(p.responder.closure());
        EXPECT_EQ(p.responder.closure()->failure.code, Error::unexpected_message);
        p.initiator.receive(wire[0]);
        ASSERT_TRUE(p.initiator.closure());
        EXPECT_EQ(p.initiator.closure()->failure.code, Error::unexpected_message);
    }
}

TEST(SttHandshake, OutOfOrderAndReflectedMessagesAreUnexpected) {
    const auto wire = Pair().run();
    {
        // RESPONSE reflected to the responder that sent it.
        Pair q;
        q.initiator.start();
        q.responder.start();
        q.responder.receive(q.initiator.take_output().at(0));
        const Bytes response = q.responder.take_output().at(0);
        q.responder.receive(response);
        ASSERT_TRUE(q.responder.closure());
        EXPECT_EQ(q.responder.closure()->failure.code, Error::unexpected_message);
    }
    {
        // HELLO reflected to its initiator.
        Pair q;
        q.initiator.start();
        const Bytes hello = q.initiator.take_output().at(0);
        q.initiator.receive(hello);
        ASSERT_TRUE(q.initiator.closure());
        EXPECT_EQ(q.initiator.closure()->failure.code, Error::unexpected_message);
    }
    {
        // AUTH_PROOF before HELLO.
        Pair q;
        q.responder.start();
        q.responder.receive(wire[2]);
        ASSERT_TRUE(q.responder.closure());
        EXPECT_EQ(q.responder.closure()->failure.code, Error::unexpected_message);
        // Nothing after close.
        q.responder.receive(wire[0]);
        EXPECT_TRUE(q.responder.take_output().empty());
        EXPECT_EQ(q.responder.next_action(), Action::closed);
    }
}

TEST(SttHandshake, TamperedCommitmentIsRejected) {
    Pair p;
    p.initiator.start();
    p.responder.start();
    Bytes hello = p.initiator.take_output().at(0);
    auto f = parse_frame(hello);
    ASSERT_TRUE(f.ok());
    auto m = parse_message(f->payload);
    auto h = std::get<Hello>(*m);
    h.commitment[0] ^= 1;
    p.responder.receive(p.initiator.wrap(h, 0));
    ASSERT_TRUE(p.responder.closure());
    EXPECT_EQ(p.responder.closure()->failure.code, Error::bad_mac);
}

TEST(SttHandshake, IdleTimeout) {
    // A responder waits the whole handshake timeout, then gives up.
    Pair p;
    p.responder.start();
    EXPECT_EQ(p.responder.idle_timeout_ms(), kDefaultHandshakeTimeoutMs);
    p.responder.idle_timeout();
    ASSERT_TRUE(p.responder.closure());
    EXPECT_EQ(p.responder.closure()->failure.code, Error::timeout);
}

// An unanswered HELLO goes out again, unchanged, after 1 s, 2 s and 4 s; then the handshake gives up
// at 10 s in all, with `timeout`.
TEST(SttHandshake, UnansweredHelloIsRetransmittedThenTimesOut) {
    Pair p;
    p.initiator.start();
    const std::vector<Bytes> first = p.initiator.take_output();
    ASSERT_EQ(first.size(), 1u);
    std::uint64_t total = 0;
    for (const std::uint32_t gap : {1000u, 2000u, 4000u}) {
        ASSERT_EQ(p.initiator.idle_timeout_ms(), gap);
        total += gap;
        p.initiator.idle_timeout();
        EXPECT_FALSE(p.initiator.closure()) << total;
        const auto again = p.initiator.take_output();
        ASSERT_EQ(again.size(), 1u) << total;
        EXPECT_EQ(again[0], first[0]) << total;
    }
    EXPECT_EQ(p.initiator.retransmits(), kMaxRetransmits);
    ASSERT_EQ(p.initiator.idle_timeout_ms(), kDefaultHandshakeTimeoutMs - total);
    p.initiator.idle_timeout();
    ASSERT_TRUE(p.initiator.closure());
    EXPECT_EQ(p.initiator.closure()->failure.code, Error::timeout);
    EXPECT_TRUE(p.initiator.take_output().empty());
}

// Each datagram of the handshake lost once: the initiator's retransmission (or the responder's
// answer to it, a duplicate) completes the handshake with the same keys as a clean run.
TEST(SttHandshake, EachLostDatagramIsHealedByRetransmission) {
    Pair clean;
    const auto wire = clean.run();
    ASSERT_EQ(wire.size(), 4u);
    for (std::size_t lost = 0; lost < wire.size(); ++lost) {
        Pair p;
        p.initiator.start();
        p.responder.start();
        std::size_t sent = 0;
        for (int step = 0; step < 32 && !(p.initiator.authenticated() && p.responder.authenticated()); ++step) {
            bool moved = false;
            for (Bytes& d : p.initiator.take_output()) {
                moved = true;
                if (sent++ != lost) {
                    p.responder.receive(d);
                }
            }
            for (Bytes& d : p.responder.take_output()) {
                moved = true;
                if (sent++ != lost) {
                    p.initiator.receive(d);
                }
            }
            if (!moved) {
                p.initiator.idle_timeout();  // the first retransmission interval passes
            }
        }
        EXPECT_TRUE(p.initiator.authenticated()) << "lost datagram " << lost;
        EXPECT_TRUE(p.responder.authenticated()) << "lost datagram " << lost;
        EXPECT_EQ(key_named(p.initiator, "session_key"), key_named(clean.initiator, "session_key")) << lost;
        EXPECT_EQ(key_named(p.responder, "session_key"), key_named(clean.responder, "session_key")) << lost;
        // One retransmission healed it; sending AUTH_PROOF (a step) starts the count again, FINAL ends it.
        EXPECT_EQ(p.initiator.retransmits(), lost < 2 ? 0u : 1u) << "lost datagram " << lost;
    }
}

// The knob, and retransmit_ms = 0: a lost datagram ends the handshake at the first idle interval.
TEST(SttHandshake, WithoutRetransmissionTheFirstIdleIntervalEndsIt) {
    for (const bool knob : {true, false}) {
        Config ci = config(Role::initiator);
        if (knob) {
            ci.quirks.no_retransmit = true;
        } else {
            ci.retransmit_ms = 0;
        }
        Pair p(std::move(ci), config(Role::acceptor));
        p.initiator.start();
        (void)p.initiator.take_output();
        EXPECT_EQ(p.initiator.idle_timeout_ms(), kDefaultHandshakeTimeoutMs);
        p.initiator.idle_timeout();
        ASSERT_TRUE(p.initiator.closure()) << knob;
        EXPECT_EQ(p.initiator.closure()->failure.code, Error::timeout);
        EXPECT_TRUE(p.initiator.take_output().empty());
    }
}

TEST(SttSession, DataFramesAuthenticateHeaderAndSequence) {
    Pair p;
    p.run();
    SeededRng rng(test::seed_of(3));
    SessionChannel* si = p.initiator.session();
    SessionChannel* sr = p.responder.session();
    ASSERT_NE(si, nullptr);
    ASSERT_NE(sr, nullptr);
    const Bytes f0 = *si->seal(as_bytes("hello"), 7, kNow * 1000, rng);
    const Bytes f1 = *si->seal(as_bytes("world"), 7, kNow * 1000, rng);
    // Tampered header (stream id): rejected.
    Bytes tampered = f1;
    auto parsed = parse_frame(tampered);
    tampered[parsed->header_offset + 29] ^= 1;
    EXPECT_EQ(sr->open(tampered).error(), Error::bad_mac);
    // A frame reflected to its sender does not open under the other direction's key.
    EXPECT_EQ(si->open(f0).error(), Error::bad_mac);
    auto o1 = sr->open(f1);
    ASSERT_TRUE(o1.ok());
    EXPECT_EQ(o1->payload, Bytes(as_bytes("world").begin(), as_bytes("world").end()));
    EXPECT_EQ(o1->header.stream_id, 7u);
    // Reordered (older) and replayed frames.
    EXPECT_EQ(sr->open(f0).error(), Error::bad_sequence);
    EXPECT_EQ(sr->open(f1).error(), Error::bad_sequence);
    const Bytes back = *sr->seal(as_bytes("reply"), 1, kNow * 1000, rng);
    EXPECT_TRUE(si->open(back).ok());
}

TEST(SttSession, KnobsLetTamperingThrough) {
    Config ci = config(Role::initiator);
    Config cr = config(Role::acceptor);
    cr.quirks.unauthenticated_header = true;
    cr.quirks.ignore_data_sequence = true;
    ci.quirks = cr.quirks;
    Pair p(ci, cr);
    p.run();
    SeededRng rng(test::seed_of(3));
    const Bytes f0 = *p.initiator.session()->seal(as_bytes("x"), 1, 0, rng);
    Bytes tampered = f0;
    tampered[parse_frame(f0)->header_offset + 29] ^= 1;
    EXPECT_TRUE(p.responder.session()->open(tampered).ok());
    EXPECT_TRUE(p.responder.session()->open(f0).ok());
}

// Any single bit flip in any handshake datagram makes the handshake fail (or is answered as a
// duplicate), and never authenticates with different keys.
RC_GTEST_PROP(SttHandshakeProps, AnyBitFlipIsRejected, ()) {
    const auto wire = Pair().run();
    const auto which = *rc::gen::inRange<std::size_t>(0, wire.size());
    const auto bit = *rc::gen::inRange<std::size_t>(0, wire[which].size() * 8);
    Pair p;
    p.initiator.start();
    p.responder.start();
    bool flipped = false;
    std::size_t index = 0;
    for (int round = 0; round < 8; ++round) {
        bool moved = false;
        for (Machine* from : {static_cast<Machine*>(&p.initiator), static_cast<Machine*>(&p.responder)}) {
            Machine* to = from == &p.initiator ? static_cast<Machine*>(&p.responder) : &p.initiator;
            for (Bytes d : from->take_output()) {
                if (index++ == which && !flipped) {
                    d[bit / 8] ^= static_cast<std::uint8_t>(1u << (bit % 8));
                    flipped = true;
                }
                to->receive(d);
                moved = true;
            }
        }
        if (!moved) {
            break;
        }
    }
    RC_ASSERT(flipped);
    // The frame header's sequence and timestamp are not part of the message (docs/protocols/stt.md,
    // "Frames"); every other bit matters.
    const std::size_t header_at = parse_frame(wire[which])->header_offset;
    const bool ignored_field = bit / 8 >= header_at + 10 && bit / 8 < header_at + 26;
    if (ignored_field) {
        RC_ASSERT(p.initiator.authenticated() && p.responder.authenticated());
    } else if (which == 3) {
        // FINAL is an unauthenticated confirmation (docs/protocols/stt.md, "Handshake"): a flip in
        // its timestamp may pass, but the initiator never ends with keys other than the responder's.
        if (p.initiator.authenticated()) {
            RC_ASSERT(key_named(p.initiator, "session_key") == key_named(p.responder, "session_key"));
        }
    } else {
        RC_ASSERT(!p.initiator.authenticated());
        RC_ASSERT(!p.responder.authenticated());
    }
}

RC_GTEST_PROP(SttHandshakeProps, BothRolesAgreeForArbitraryInputs,
              (const std::string& shared, std::uint8_t a, std::uint8_t b, std::uint32_t now)) {
    RC_PRE(!shared.empty());
    Config ci = config(Role::initiator, shared);
    Config cr = config(Role::acceptor, shared);
    ci.node_seed = SecretBytes(test::seed_of(a));
    cr.node_seed = SecretBytes(test::seed_of(b));
    Pair p(std::move(ci), std::move(cr), now, now);
    p.run();
    RC_ASSERT(p.initiator.authenticated());
    RC_ASSERT(p.responder.authenticated());
    RC_ASSERT(key_named(p.initiator, "session_key") == key_named(p.responder, "session_key"));
    RC_ASSERT(std::ranges::equal(p.initiator.session_id(), p.responder.session_id()));
}

}  // namespace
}  // namespace shakedown::stt
