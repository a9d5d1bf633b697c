#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "common/crypto.hpp"
#include "tests/shadowmesh/kat.hpp"

namespace shakedown::shadowmesh::test {
namespace {

constexpr std::size_t kTsReq = 56;   // timestamp offset in REQUEST/COMPLETE frames
constexpr std::size_t kTsResp = 88;  // in RESPONSE frames

struct One {
    FixedMillisClock clock{kT1};
    ScriptedRng rng;
    Rehandshake m;
    One(Role role, Profile p, Quirks q = {}, std::shared_ptr<ChallengeCache> cache = nullptr,
        SessionKeys keys = SessionKeys{}, std::uint64_t now = kT1)
        : clock(now),
          rng(role == Role::initiator ? bytes_of(kat_c_i()) : bytes_of(kat_c_r())),
          m(Config{role, p,
                   keys.session_id == SessionId{} ? (role == Role::initiator ? initiator_keys() : responder_keys())
                                                  : keys,
                   std::move(cache), q},
            rng, clock) {
        m.start();
    }
    std::vector<Bytes> out() { return m.take_output(); }
    Error error() const { return m.closure() ? m.closure()->failure.code : Error::invalid_argument; }
    std::size_t offset() const { return m.closure() ? m.closure()->failure.offset : kNoOffset; }
};

Bytes request(std::uint64_t ts, SessionId sid = kat_sid(), Challenge c = kat_c_i()) {
    return encode_frame(RehandshakeRequest{sid, c, ts});
}
Bytes response(std::uint64_t ts, Mac mac, SessionId sid = kat_sid()) {
    return encode_frame(RehandshakeResponse{sid, mac, kat_c_r(), ts});
}
Bytes complete(std::uint64_t ts, Mac mac, SessionId sid = kat_sid()) {
    return encode_frame(RehandshakeComplete{sid, mac, ts});
}
Mac good_response_mac() {
    return challenge_mac(responder_keys().tx, kat_c_i());
}

// A responder that has answered the KAT REQUEST and waits in R1.
std::unique_ptr<One> responder_in_r1(Profile p, Quirks q = {}) {
    auto r = std::make_unique<One>(Role::acceptor, p, q);
    r->m.receive(hex(kReqHex));
    (void)r->out();
    return r;
}

TEST(ShadowMeshMachine, HonestExchangeUnderBothProfilesAgreesOnEveryValue) {
    for (const Profile p : {Profile::strict, Profile::upstream}) {
        Pair pair(p, kat_c_i(), kat_c_r());
        pair.responder->start();
        pair.initiator->start();
        for (int step = 0; step < 4; ++step) {
            for (auto& u : pair.initiator->take_output()) {
                pair.responder->receive(u);
            }
            for (auto& u : pair.responder->take_output()) {
                pair.initiator->receive(u);
            }
        }
        EXPECT_TRUE(pair.initiator->authenticated());
        EXPECT_TRUE(pair.responder->authenticated());
        EXPECT_FALSE(pair.initiator->closure());
        const auto ki = pair.initiator->derived_keys();
        const auto kr = pair.responder->derived_keys();
        ASSERT_EQ(ki.size(), 4U);
        ASSERT_EQ(kr.size(), 4U);
        for (std::size_t i = 0; i < ki.size(); ++i) {
            EXPECT_EQ(ki[i].name, kr[i].name);
            EXPECT_EQ(ki[i].value, kr[i].value) << ki[i].name;
        }
    }
}

TEST(ShadowMeshMachine, SessionIdOffByOneBitX2) {
    for (const Profile p : {Profile::strict, Profile::upstream}) {
        One r(Role::acceptor, p);
        SessionId sid = kat_sid();
        sid[15] ^= 1;
        r.m.receive(request(kT1, sid));
        EXPECT_EQ(r.error(), Error::unknown_session);
        EXPECT_EQ(r.offset(), 8U);
        const auto sent = r.out();
        // No RESPONSE; strict says CLOSE(protocol violation).
        if (p == Profile::strict) {
            ASSERT_EQ(sent.size(), 1U);
            EXPECT_EQ(to_hex(sent[0]), "010f0000000000020003");
        } else {
            EXPECT_TRUE(sent.empty());
        }
    }
}

TEST(ShadowMeshMachine, SkewWindowEdgesX3) {
    struct Case {
        std::int64_t delta;
        std::optional<Error> error;
    };
    const Case cases[] = {{-30001, Error::stale_timestamp}, {-29999, std::nullopt}, {29999, std::nullopt},
                          {30001, Error::future_timestamp}, {-30000, std::nullopt}, {30000, std::nullopt}};
    for (const auto& c : cases) {
        One r(Role::acceptor, Profile::strict);
        r.m.receive(request(static_cast<std::uint64_t>(static_cast<std::int64_t>(kT1) + c.delta)));
        if (c.error) {
            EXPECT_EQ(r.error(), *c.error) << c.delta;
            EXPECT_EQ(r.offset(), kTsReq);
        } else {
            EXPECT_EQ(r.m.state(), State::r1_awaiting_complete) << c.delta;
        }
    }
    // The initiator applies the same rule to RESPONSE.
    One i(Role::initiator, Profile::upstream);
    (void)i.out();
    i.m.receive(response(kT1 + 30001, good_response_mac()));
    EXPECT_EQ(i.error(), Error::future_timestamp);
    EXPECT_EQ(i.offset(), kTsResp);
}

TEST(ShadowMeshMachine, ExtremeAndMisunitTimestampsX4X5) {
    const std::uint64_t bad[] = {0, UINT64_MAX, kT1 / 1000, kT1 * 1000000};
    for (const auto ts : bad) {
        for (const Profile p : {Profile::strict, Profile::upstream}) {
            One r(Role::acceptor, p);
            r.m.receive(request(ts));
            EXPECT_EQ(r.m.state(), State::closed) << ts;
            EXPECT_TRUE(r.error() == Error::stale_timestamp || r.error() == Error::future_timestamp);
        }
    }
}

TEST(ShadowMeshMachine, MacFlipsAndHalfMacsX6) {
    Mac flipped = good_response_mac();
    flipped[31] ^= 0x80;
    Mac half = good_response_mac();
    std::fill(half.begin() + 16, half.end(), 0);
    for (const Mac& m : {flipped, half}) {
        One i(Role::initiator, Profile::strict);
        (void)i.out();
        i.m.receive(response(kT1 + 1, m));
        EXPECT_EQ(i.error(), Error::bad_mac);
        EXPECT_EQ(i.offset(), 24U);
        const auto sent = i.out();
        ASSERT_EQ(sent.size(), 1U);  // CLOSE, no COMPLETE
        EXPECT_EQ(sent[0][1], 0x0f);
    }
    Quirks q;
    q.mac_compare_16 = true;
    One buggy(Role::initiator, Profile::strict, q);
    (void)buggy.out();
    buggy.m.receive(response(kT1 + 1, half));
    EXPECT_TRUE(buggy.m.authenticated());
}

TEST(ShadowMeshMachine, WrongKeyOrWrongInputMacsX7X8) {
    const auto a = responder_keys();
    const auto b = initiator_keys();
    const Mac x7_key = challenge_mac(a.rx, kat_c_i());
    const Mac x7_input = crypto::hmac_sha256(a.tx.view(), {ByteView(kat_sid()), ByteView(kat_c_i())});
    for (const Mac& m : {x7_key, x7_input}) {
        One i(Role::initiator, Profile::upstream);
        (void)i.out();
        i.m.receive(response(kT1 + 1, m));
        EXPECT_EQ(i.error(), Error::bad_mac);
    }
    const Mac x8_input = challenge_mac(b.tx, kat_c_i());
    const Mac x8_key = challenge_mac(a.tx, kat_c_r());
    for (const Mac& m : {x8_input, x8_key}) {
        auto r_holder = responder_in_r1(Profile::strict);
        One& r = *r_holder;
        r.m.receive(complete(kT1 + 2, m));
        EXPECT_EQ(r.error(), Error::bad_mac);
        EXPECT_FALSE(r.m.authenticated());
    }
    // The field comment's reading accepts exactly the X8 key value.
    Quirks q;
    q.complete_mac_rx_key = true;
    auto r_holder = responder_in_r1(Profile::strict, q);
    One& r = *r_holder;
    r.m.receive(complete(kT1 + 2, x8_key));
    EXPECT_TRUE(r.m.authenticated());
}

TEST(ShadowMeshMachine, ReplayedRequestX9AndSharedCacheAcrossConnections) {
    auto cache = std::make_shared<ChallengeCache>(kMaxSkewMs);
    One first(Role::acceptor, Profile::strict, {}, cache);
    first.m.receive(hex(kReqHex));
    EXPECT_EQ(first.m.state(), State::r1_awaiting_complete);
    One second(Role::acceptor, Profile::strict, {}, cache, {}, kT1 + 29999);
    second.m.receive(hex(kReqHex));
    EXPECT_EQ(second.error(), Error::replay);
    EXPECT_EQ(second.offset(), 24U);
    // Past the window the skew check rejects it anyway, and the entry expires.
    One third(Role::acceptor, Profile::strict, {}, cache, {}, kT1 + 30001);
    third.m.receive(hex(kReqHex));
    EXPECT_EQ(third.error(), Error::stale_timestamp);
    // upstream keeps no cache: the replay is answered.
    auto ucache = std::make_shared<ChallengeCache>(kMaxSkewMs);
    One u1(Role::acceptor, Profile::upstream, {}, ucache);
    u1.m.receive(hex(kReqHex));
    One u2(Role::acceptor, Profile::upstream, {}, ucache);
    u2.m.receive(hex(kReqHex));
    EXPECT_EQ(u2.m.state(), State::r1_awaiting_complete);
    EXPECT_EQ(u2.out().size(), 1U);
    // The knob removes the cache in strict.
    Quirks q;
    q.no_replay_cache = true;
    One k(Role::acceptor, Profile::strict, q, cache);
    k.m.receive(hex(kReqHex));
    EXPECT_EQ(k.m.state(), State::r1_awaiting_complete);
}

TEST(ShadowMeshReplayCache, WindowCapacityAndExpiry) {
    ChallengeCache cache(kMaxSkewMs, 2);
    const Challenge a = counting_bytes<32>(0x00);
    const Challenge b = counting_bytes<32>(0x40);
    const Challenge c = counting_bytes<32>(0x80);
    EXPECT_EQ(cache.check_and_insert(a, kT1, kT1), ChallengeCache::Verdict::fresh);
    EXPECT_EQ(cache.check_and_insert(b, kT1, kT1 + 10), ChallengeCache::Verdict::fresh);
    // Full of live entries: a new challenge is refused rather than an old one forgotten.
    EXPECT_EQ(cache.check_and_insert(c, kT1, kT1 + 20), ChallengeCache::Verdict::full);
    EXPECT_EQ(cache.check_and_insert(a, kT1, kT1 + 30000), ChallengeCache::Verdict::replay);
    // A REQUEST stamped in the future stays live until its own timestamp + window.
    EXPECT_EQ(cache.check_and_insert(c, kT1 + 60000, kT1 + 30011), ChallengeCache::Verdict::fresh);
    EXPECT_EQ(cache.size(), 1U);
    EXPECT_EQ(cache.check_and_insert(c, kT1 + 60000, kT1 + 90000), ChallengeCache::Verdict::replay);
    EXPECT_EQ(cache.check_and_insert(c, kT1 + 60000, kT1 + 90001), ChallengeCache::Verdict::fresh);
    EXPECT_EQ(cache.check_and_insert(a, kT1, kT1 + 90001), ChallengeCache::Verdict::fresh);
    EXPECT_EQ(cache.size(), 2U);
}

TEST(ShadowMeshReplayCache, ManyLiveEntriesStayCheap) {
    // Each insert expires only what is due: 70,000 inserts with about 30,000 live at a time stay fast.
    ChallengeCache cache(kMaxSkewMs);
    Challenge ch{};
    for (std::uint32_t i = 0; i < 70000; ++i) {
        ch[0] = static_cast<std::uint8_t>(i);
        ch[1] = static_cast<std::uint8_t>(i >> 8);
        ch[2] = static_cast<std::uint8_t>(i >> 16);
        const auto v = cache.check_and_insert(ch, kT1 + i, kT1 + i);
        ASSERT_EQ(v, ChallengeCache::Verdict::fresh) << i;
    }
    EXPECT_LE(cache.size(), 30001U + 1);
}

TEST(ShadowMeshMachine, CodecLeniencyPerProfileX10ToX16) {
    Bytes x10 = serialize_header(Header{1, 0x30, 0, 57});
    const Bytes req = hex(kReqHex);
    x10.insert(x10.end(), req.begin() + 8, req.end());
    x10.push_back(0xee);
    Bytes x12 = req;
    x12.insert(x12.end(), 10, 0);
    Bytes x15 = req;
    x15[3] = 0x01;
    Bytes x11 = serialize_header(Header{1, 0x30, 0, 55});
    x11.insert(x11.end(), req.begin() + 8, req.end() - 1);
    Bytes x13 = serialize_header(Header{1, 0x30, 0, 65536});
    Bytes x14 = req;
    x14[0] = 2;
    Bytes x16 = req;
    x16[1] = 0x33;
    for (const Bytes& accepted : {x10, x12, x15}) {
        One s(Role::acceptor, Profile::strict);
        s.m.receive(accepted);
        EXPECT_EQ(s.m.state(), State::closed);
        One u(Role::acceptor, Profile::upstream);
        u.m.receive(accepted);
        EXPECT_EQ(u.m.state(), State::r1_awaiting_complete);
    }
    for (const Bytes& dropped : {x11, x13, x14, x16}) {
        One s(Role::acceptor, Profile::strict);
        s.m.receive(dropped);
        EXPECT_EQ(s.m.state(), State::closed);
        One u(Role::acceptor, Profile::upstream);
        u.m.receive(dropped);
        EXPECT_EQ(u.m.state(), State::r0_awaiting_request);
        EXPECT_EQ(u.m.dropped(), std::vector<std::size_t>{0});
        // The connection is kept: the genuine REQUEST still works.
        u.m.receive(req);
        EXPECT_EQ(u.m.state(), State::r1_awaiting_complete);
    }
}

TEST(ShadowMeshMachine, WrongMessageNowX17) {
    const Bytes heartbeat = encode_frame(OtherMsg{MessageType::heartbeat, {}});
    for (const Profile p : {Profile::strict, Profile::upstream}) {
        One r(Role::acceptor, p);
        r.m.receive(hex(kCompHex));
        EXPECT_EQ(r.error(), Error::unexpected_message);
        One r2(Role::acceptor, p);
        r2.m.receive(hex(kRespHex));
        EXPECT_EQ(r2.error(), Error::unexpected_message);
        auto r3_holder = responder_in_r1(p);
        One& r3 = *r3_holder;
        r3.m.receive(heartbeat);
        EXPECT_EQ(r3.error(), Error::unexpected_message);
        One i(Role::initiator, p);
        i.m.receive(heartbeat);
        EXPECT_EQ(i.error(), Error::unexpected_message);
        // Two re-handshakes interleaved: a second REQUEST while in R1.
        auto r4_holder = responder_in_r1(p);
        One& r4 = *r4_holder;
        r4.m.receive(request(kT1 + 3, kat_sid(), kat_c_r()));
        EXPECT_EQ(r4.error(), Error::unexpected_message);
    }
}

TEST(ShadowMeshMachine, TextMessagesX18) {
    One s(Role::acceptor, Profile::strict);
    s.m.receive_text(hex(kReqHex));
    EXPECT_EQ(s.error(), Error::decode_error);
    One u(Role::acceptor, Profile::upstream);
    u.m.receive_text(hex(kReqHex));
    EXPECT_EQ(u.m.state(), State::r0_awaiting_request);
    EXPECT_EQ(u.m.dropped().size(), 1U);
}

TEST(ShadowMeshMachine, DeadlineX19) {
    for (const Profile p : {Profile::strict, Profile::upstream}) {
        One i(Role::initiator, p);
        EXPECT_EQ(i.m.idle_timeout_ms(), std::optional<std::uint32_t>(5000));
        i.clock.set(kT1 + 5001);
        i.m.receive(response(kT1 + 5001, good_response_mac()));
        EXPECT_EQ(i.error(), Error::timeout);
        One i2(Role::initiator, p);
        i2.clock.set(kT1 + 5000);
        i2.m.receive(response(kT1 + 1, good_response_mac()));
        EXPECT_TRUE(i2.m.authenticated());
        auto r_holder = responder_in_r1(p);
        One& r = *r_holder;
        r.m.idle_timeout();
        EXPECT_EQ(r.error(), Error::timeout);
    }
    Quirks q;
    q.no_deadline = true;
    One i(Role::initiator, Profile::strict, q);
    EXPECT_FALSE(i.m.idle_timeout_ms());
    i.m.idle_timeout();
    i.clock.set(kT1 + 9000);
    i.m.receive(response(kT1 + 9000, good_response_mac()));
    EXPECT_TRUE(i.m.authenticated());
}

// drain_output() gives the frames take_output() gives, in order (a CLOSE too), appends them after
// what the caller's buffer holds, and leaves nothing queued.
TEST(ShadowMeshMachine, DrainOutputMatchesTakeOutput) {
    for (const Profile p : {Profile::strict, Profile::upstream}) {
        std::vector<std::vector<Bytes>> sent(2);
        for (int way = 0; way < 2; ++way) {
            Pair pair(p, kat_c_i(), kat_c_r());
            OutputUnits units;
            const auto out = [&](Rehandshake& m) {
                if (way == 0) {
                    return m.take_output();
                }
                units.clear();
                units.add(Bytes{0xee});  // what the caller's buffer already holds is kept before
                m.drain_output(units);
                std::vector<Bytes> v = units.to_vector();
                EXPECT_EQ(v.front(), Bytes{0xee});
                v.erase(v.begin());
                return v;
            };
            pair.responder->start();
            pair.initiator->start();
            for (int step = 0; step < 3; ++step) {
                for (auto& u : out(*pair.initiator)) {
                    sent[way].push_back(u);
                    pair.responder->receive(u);
                }
                for (auto& u : out(*pair.responder)) {
                    sent[way].push_back(u);
                    pair.initiator->receive(u);
                }
            }
            EXPECT_TRUE(pair.initiator->authenticated() && pair.responder->authenticated());
            // A REQUEST after DONE: strict answers with CLOSE, upstream closes silently.
            pair.responder->receive(sent[way].front());
            for (auto& u : out(*pair.responder)) {
                sent[way].push_back(u);
            }
            EXPECT_NE(pair.responder->next_action(), Action::send);
        }
        EXPECT_EQ(sent[0], sent[1]);
        EXPECT_EQ(sent[0].size(), p == Profile::strict ? 4U : 3U);
    }
}

TEST(ShadowMeshMachine, SecondCompleteAfterDoneX20) {
    auto r_holder = responder_in_r1(Profile::strict);
    One& r = *r_holder;
    r.m.receive(hex(kCompHex));
    ASSERT_TRUE(r.m.authenticated());
    r.m.receive(encode_frame(OtherMsg{MessageType::heartbeat, {}}));
    EXPECT_EQ(r.m.next_action(), Action::done);
    r.m.receive(hex(kCompHex));
    EXPECT_EQ(r.error(), Error::unexpected_message);
    EXPECT_TRUE(r.m.authenticated());
    EXPECT_EQ(r.m.closure()->at_message, 3U);
}

// One exchange between machines holding `ini` and `res`, at the §9 challenges and clock; the
// initiator's and the responder's closure errors (invalid_argument: none).
struct Outcome {
    bool initiator_done = false;
    bool responder_done = false;
    Error initiator_error = Error::invalid_argument;
    Error responder_error = Error::invalid_argument;
    std::size_t complete_sent = 0;
};
Outcome exchange(SessionKeys ini, SessionKeys res) {
    FixedMillisClock clock(kT1);
    ScriptedRng ri(bytes_of(kat_c_i()));
    ScriptedRng rr(bytes_of(kat_c_r()));
    Rehandshake i(Config{Role::initiator, Profile::strict, std::move(ini), nullptr, {}}, ri, clock);
    Rehandshake r(Config{Role::acceptor, Profile::strict, std::move(res), nullptr, {}}, rr, clock);
    i.start();
    r.start();
    Outcome o;
    for (int step = 0; step < 3; ++step) {
        for (auto& u : i.take_output()) {
            o.complete_sent += u.size() > 1 && u[1] == static_cast<std::uint8_t>(MessageType::rehandshake_complete);
            r.receive(u);
        }
        for (auto& u : r.take_output()) {
            i.receive(u);
        }
    }
    o.initiator_done = i.authenticated();
    o.responder_done = r.authenticated();
    if (i.closure()) {
        o.initiator_error = i.closure()->failure.code;
    }
    if (r.closure()) {
        o.responder_error = r.closure()->failure.code;
    }
    return o;
}

TEST(ShadowMeshMachine, IndependentRelaySessionsX22) {
    // Each peer holds keys from its own relay session (code form): TX_R != RX_I.
    const Secret<32> master_a(counting_bytes<32>(0x40));
    const Secret<32> master_b(counting_bytes<32>(0x60));
    NodeId a{};
    NodeId b{};
    NodeId relay{};
    a.fill(0xaa);
    b.fill(0xbb);
    relay.fill(0x22);
    const Outcome o = exchange(session_keys_code(master_b, kat_sid(), b, relay),
                               session_keys_code(master_a, kat_sid(), a, relay));
    EXPECT_FALSE(o.initiator_done);
    EXPECT_FALSE(o.responder_done);
    EXPECT_EQ(o.initiator_error, Error::bad_mac);
}

// Two peers of one relay session, the §9 HKDF inputs: a client and the relay (which plays the other
// peer here), each keyed by either derivation (§4.1). Keyed the deployed way, the client's TX is the
// relay's RX and the exchange completes; a peer keyed the document's way (whose tx/rx pair does not
// depend on the role) fails the first MAC check it meets: bad_mac, a finding, never a crash.
TEST(ShadowMeshMachine, DocumentKeyScheduleAgainstDeployedOneIsBadMac) {
    ByteArray<32> kem{};
    ByteArray<32> ecdh{};
    kem.fill(0x33);
    ecdh.fill(0x44);
    NodeId client{};
    NodeId relay{};
    client.fill(0x11);
    relay.fill(0x22);
    const auto code_master = master_secret_code(kem, ecdh);
    const auto doc_master = master_secret_document(kem, ecdh);
    const auto code_client = [&] { return session_keys_code(code_master, kat_sid(), client, relay); };
    const auto code_relay = [&] { return session_keys_code(code_master, kat_sid(), relay, client); };
    const auto doc_keys = [&] { return session_keys_document(doc_master, kat_sid(), client, relay); };
    ASSERT_EQ(code_client().tx.array(), code_relay().rx.array());
    ASSERT_NE(doc_keys().tx.array(), doc_keys().rx.array());

    // Control: both keyed the deployed way.
    const auto both_code = exchange(code_client(), code_relay());
    EXPECT_TRUE(both_code.initiator_done);
    EXPECT_TRUE(both_code.responder_done);

    // A document-keyed responder: its RESPONSE MAC fails the deployed initiator's check, and no
    // COMPLETE is sent.
    const auto doc_responder = exchange(code_client(), doc_keys());
    EXPECT_FALSE(doc_responder.initiator_done);
    EXPECT_FALSE(doc_responder.responder_done);
    EXPECT_EQ(doc_responder.initiator_error, Error::bad_mac);
    EXPECT_EQ(doc_responder.complete_sent, 0U);

    // A document-keyed initiator: it refuses the deployed responder's RESPONSE itself.
    const auto doc_initiator = exchange(doc_keys(), code_relay());
    EXPECT_FALSE(doc_initiator.initiator_done);
    EXPECT_FALSE(doc_initiator.responder_done);
    EXPECT_EQ(doc_initiator.initiator_error, Error::bad_mac);

    // Two document-keyed peers fail too: both hold the same (tx, rx), so the responder MACs with
    // tx and the initiator checks with rx.
    const auto both_doc = exchange(doc_keys(), doc_keys());
    EXPECT_FALSE(both_doc.initiator_done);
    EXPECT_EQ(both_doc.initiator_error, Error::bad_mac);
}

TEST(ShadowMeshMachine, CloseInTheMiddleAndPeerClosed) {
    auto r_holder = responder_in_r1(Profile::strict);
    One& r = *r_holder;
    r.m.receive(encode_frame(CloseMsg{kCloseNormal, {}}));
    EXPECT_EQ(r.error(), Error::peer_error);
    EXPECT_TRUE(r.out().empty());
    One i(Role::initiator, Profile::upstream);
    (void)i.out();
    i.m.peer_closed();
    EXPECT_TRUE(i.m.closure()->by_peer);
    // Nothing after close.
    i.m.receive(hex(kRespHex));
    EXPECT_TRUE(i.out().empty());
    EXPECT_FALSE(i.m.authenticated());
}

TEST(ShadowMeshMachine, KnobsChangeObservableBehaviour) {
    {
        Quirks q;
        q.no_session_id_check = true;
        One r(Role::acceptor, Profile::strict, q);
        SessionId sid = kat_sid();
        sid[0] ^= 0x80;
        r.m.receive(request(kT1, sid));
        EXPECT_EQ(r.m.state(), State::r1_awaiting_complete);
    }
    {
        Quirks q;
        q.timestamps_in_seconds = true;
        One i(Role::initiator, Profile::strict, q);
        const auto out = i.out();
        ASSERT_EQ(out.size(), 1U);
        auto f = decode_frame(out[0], Profile::strict);
        ASSERT_TRUE(f.ok());
        EXPECT_EQ(std::get<RehandshakeRequest>(f->message).timestamp_ms, kT1 / 1000);
    }
    {
        Quirks q;
        q.mac_wrong_key = true;
        One r(Role::acceptor, Profile::strict, q);
        r.m.receive(hex(kReqHex));
        const auto out = r.out();
        ASSERT_EQ(out.size(), 1U);
        EXPECT_NE(to_hex(out[0]), kRespHex);
    }
    {
        Quirks q;
        q.lenient_codec = true;
        One r(Role::acceptor, Profile::strict, q);
        Bytes x12 = hex(kReqHex);
        x12.push_back(0);
        r.m.receive(x12);
        EXPECT_EQ(r.m.state(), State::r1_awaiting_complete);
    }
    {
        Quirks q;
        q.accept_after_done = true;
        auto r_holder = responder_in_r1(Profile::strict, q);
        One& r = *r_holder;
        r.m.receive(hex(kCompHex));
        r.m.receive(hex(kCompHex));
        EXPECT_FALSE(r.m.closure());
    }
    {
        Quirks q;
        q.ignore_wrong_message = true;
        auto r_holder = responder_in_r1(Profile::strict, q);
        One& r = *r_holder;
        r.m.receive(encode_frame(OtherMsg{MessageType::heartbeat, {}}));
        EXPECT_FALSE(r.m.closure());
        r.m.receive(hex(kCompHex));
        EXPECT_TRUE(r.m.authenticated());
    }
    for (const auto& info : quirk_table()) {
        Quirks q;
        EXPECT_TRUE(set_quirk(q, info.name));
        EXPECT_TRUE(q.*info.flag);
    }
    Quirks q;
    EXPECT_FALSE(set_quirk(q, "no-such-knob"));
}

// Both roles agree for arbitrary keys, session ids, challenges and clocks within the window.
RC_GTEST_PROP(ShadowMeshMachineProps, BothRolesAgreeForArbitraryInputs,
              (std::uint64_t t0, std::uint16_t skew_i, std::uint16_t skew_r)) {
    const auto seed = *rc::gen::container<std::vector<std::uint8_t>>(16 + 64 + 64, rc::gen::arbitrary<std::uint8_t>());
    const bool upstream = *rc::gen::arbitrary<bool>();
    SessionId sid{};
    ByteArray<32> k1{};
    ByteArray<32> k2{};
    std::copy(seed.begin(), seed.begin() + 16, sid.begin());
    std::copy(seed.begin() + 16, seed.begin() + 48, k1.begin());
    std::copy(seed.begin() + 48, seed.begin() + 80, k2.begin());
    const Bytes challenges(seed.begin() + 80, seed.end());
    const std::uint64_t now = t0 % (std::uint64_t{1} << 62) + 100000;
    FixedMillisClock ci(now);
    FixedMillisClock cr(now + skew_r % 30000);
    ScriptedRng ri(Bytes(challenges.begin(), challenges.begin() + 32));
    ScriptedRng rr(Bytes(challenges.begin() + 32, challenges.end()));
    const Profile p = upstream ? Profile::upstream : Profile::strict;
    Rehandshake ini(Config{Role::initiator, p, SessionKeys{sid, Secret<32>(k1), Secret<32>(k2)}, nullptr, {}}, ri, ci);
    Rehandshake res(Config{Role::acceptor, p, SessionKeys{sid, Secret<32>(k2), Secret<32>(k1)}, nullptr, {}}, rr, cr);
    ini.start();
    res.start();
    for (auto& u : ini.take_output()) {
        res.receive(u);
    }
    ci.advance(skew_i % 5000);
    for (auto& u : res.take_output()) {
        ini.receive(u);
    }
    for (auto& u : ini.take_output()) {
        res.receive(u);
    }
    RC_ASSERT(ini.authenticated());
    RC_ASSERT(res.authenticated());
    const auto a = ini.derived_keys();
    const auto b = res.derived_keys();
    RC_ASSERT(a.size() == 4U);
    for (std::size_t i = 0; i < a.size(); ++i) {
        RC_ASSERT(a[i].value == b[i].value);
    }
}

// Any single bit flip in RESPONSE or COMPLETE keeps the responder from DONE, except a flip in a
// timestamp that stays within the window (timestamps are not authenticated) or, under upstream, in
// the ignored Flags.
RC_GTEST_PROP(ShadowMeshMachineProps, AnyBitFlipIsRejectedUnlessInAnUncheckedField, ()) {
    const bool flip_response = *rc::gen::arbitrary<bool>();
    const bool upstream = *rc::gen::arbitrary<bool>();
    const Profile p = upstream ? Profile::upstream : Profile::strict;
    const std::size_t size = flip_response ? 96 : 64;
    const std::size_t bit = *rc::gen::inRange<std::size_t>(0, size * 8);
    Pair pair(p, kat_c_i(), kat_c_r());
    pair.initiator->start();
    pair.responder->start();
    for (auto& u : pair.initiator->take_output()) {
        pair.responder->receive(u);
    }
    for (auto& u : pair.responder->take_output()) {
        if (flip_response) {
            u[bit / 8] ^= static_cast<std::uint8_t>(1U << (bit % 8));
        }
        pair.initiator->receive(u);
    }
    for (auto& u : pair.initiator->take_output()) {
        if (!flip_response) {
            u[bit / 8] ^= static_cast<std::uint8_t>(1U << (bit % 8));
        }
        pair.responder->receive(u);
    }
    const std::size_t byte = bit / 8;
    const std::size_t ts_start = size - 8;
    const bool in_timestamp = byte >= ts_start;
    const bool in_flags = byte == 2 || byte == 3;
    if (pair.responder->authenticated()) {
        RC_ASSERT(in_timestamp || (upstream && in_flags));
    }
    if (!in_timestamp && !(upstream && in_flags)) {
        RC_ASSERT(!pair.responder->authenticated());
    }
}

}  // namespace
}  // namespace shakedown::shadowmesh::test
