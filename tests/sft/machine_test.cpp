// Both machines in step through the transcript runner: honest runs, transfers, the adversarial
// catalogue (docs/protocols/sft.md §9) against its written-down expectations, and every bug knob.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "vectors/gen/sft/catalogue.hpp"

namespace shakedown::sft::vectors {
namespace {

const std::vector<ByteArray<32>>& zero_keys() {
    static const auto keys = load_zero_keys(std::string(SHAKEDOWN_SOURCE_DIR) + "/third_party/wycheproof");
    return keys;
}

const SideOutcome& side(const Transcript& t, Role r) { return r == Role::initiator ? t.client : t.server; }

void check_expectation(const CatalogueCase& c) {
    SCOPED_TRACE(c.id + ": " + c.comment);
    auto r = run_transcript(c.inputs, CachingDeriver::shared());
    ASSERT_TRUE(r.ok()) << r.failure().describe();
    const Expectation& e = c.expect;
    if (e.failing) {
        const SideOutcome& f = side(*r, *e.failing);
        const SideOutcome& o = side(*r, other(*e.failing));
        EXPECT_EQ(f.state, "closed");
        ASSERT_TRUE(f.error.has_value());
        EXPECT_EQ(to_string(*f.error), to_string(*e.error));
        EXPECT_EQ(f.at_message, e.at_message);
        EXPECT_EQ(f.sent, e.sent);
        EXPECT_FALSE(o.error.has_value()) << to_string(*o.error);
        // A failing side sends nothing after the message that made it fail, except what it says
        // on the way out.
        std::size_t after = 0;
        for (std::size_t i = *e.at_message + 1; i < r->messages.size(); ++i) {
            after += r->messages[i].from == *e.failing ? 1 : 0;
        }
        EXPECT_EQ(after, (e.sent.empty() ? 0U : 1U) + e.answers_after);
    } else {
        EXPECT_FALSE(r->client.error.has_value()) << to_string(*r->client.error);
        EXPECT_FALSE(r->server.error.has_value()) << to_string(*r->server.error);
    }
    if (e.both_authenticated) {
        EXPECT_TRUE(r->client.authenticated);
        EXPECT_TRUE(r->server.authenticated);
    }
    if (e.client_event) {
        bool found = false;
        for (const auto& ev : r->client.events) {
            found = found || ev == *e.client_event;
        }
        EXPECT_TRUE(found) << "client event " << e.client_event->what << " " << e.client_event->filename;
    }
}

class SftCatalogue : public ::testing::TestWithParam<Profile> {};

TEST_P(SftCatalogue, EveryCaseMeetsItsExpectation) {
    ASSERT_EQ(zero_keys().size(), 14U);
    for (const auto& c : catalogue(GetParam(), zero_keys())) {
        check_expectation(c);
    }
}

TEST_P(SftCatalogue, EveryKnobGivesTheDeployedOutcome) {
    for (const auto& c : knob_cases(GetParam())) {
        check_expectation(c);
        // The same inputs without the knob do not give that outcome.
        auto strict = c.inputs;
        strict.client.knobs.clear();
        strict.server.knobs.clear();
        auto a = run_transcript(c.inputs, CachingDeriver::shared());
        auto b = run_transcript(strict, CachingDeriver::shared());
        ASSERT_TRUE(a.ok() && b.ok());
        EXPECT_TRUE(a->client.error != b->client.error || a->server.error != b->server.error ||
                    a->client.state != b->client.state || a->server.state != b->server.state ||
                    a->client.events != b->client.events)
            << c.id << ": knob changes nothing";
    }
}

TEST_P(SftCatalogue, HonestRunAgreesOnKeysAndSizes) {
    const Profile p = GetParam();
    auto in = honest_inputs(p);
    in.steps = {{"ping", ""}};
    auto r = run_transcript(in, CachingDeriver::shared());
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->client.keys.size(), 4U);
    for (std::size_t i = 0; i < 4; ++i) {
        EXPECT_EQ(r->client.keys[i].name, r->server.keys[i].name);
        EXPECT_EQ(r->client.keys[i].value, r->server.keys[i].value);
    }
    if (p == Profile::upstream_v2) {
        ASSERT_GE(r->messages.size(), 6U);
        EXPECT_EQ(r->messages[0].kind, "H1");
        EXPECT_EQ(r->messages[0].wire.size(), kH1Len);
        EXPECT_EQ(r->messages[1].wire.size(), kH2Len);
        EXPECT_EQ(r->messages[2].wire.size(), kConfirmLen);
        EXPECT_EQ(r->messages[3].wire.size(), kConfirmLen);
        // The known-answer signature of docs/protocols/sft.md §10 sits at H2[76:140].
        EXPECT_EQ(to_hex(ByteView(r->messages[1].wire).subspan(76)),
                  "21e1fd6899395fcddad2e8c47c1559d360962fd6aea958a705e887a3063acf94507d3b284813b1a8a2b5e7e570dd44686941f768604fa72ea6b10d5c369a6703");
        EXPECT_EQ(to_hex(r->client.keys[2].value), "a4970d6179306f1f31f7b4769255860a16e3da9f2bd94e6a9d60ea33fd11a706");
        EXPECT_EQ(r->messages[4].kind, "JSON:ping");
        EXPECT_EQ(r->messages[5].kind, "JSON:pong");
    } else {
        ASSERT_GE(r->messages.size(), 4U);
        EXPECT_EQ(r->messages[0].kind, "D1");
        EXPECT_EQ(r->messages[0].wire.size(), kD1Len);
        EXPECT_EQ(r->messages[1].wire.size(), kD2Len);
        EXPECT_EQ(to_hex(ByteView(r->messages[1].wire).subspan(32)),
                  "b0d6360a4a88de5729564faaa68b1544641b745bce1c7af3e73931c4919d31892f474bf5e610c3ff7279f96791f2700c5a6e547cf2877fd4389283c2a3cb9604");
        EXPECT_EQ(to_hex(r->client.keys[2].value), "a438e9b0cfd1e75861ba7a1b0eb7ddca171e1f51f0a8d91eb6bafa2e51d9e5b1");
        EXPECT_EQ(r->messages[2].kind, "JSON:ping");
    }
}

TEST_P(SftCatalogue, TransferMovesTheBytes) {
    auto in = honest_inputs(GetParam());
    Bytes content(9000);
    for (std::size_t i = 0; i < content.size(); ++i) {
        content[i] = static_cast<std::uint8_t>(i * 7);
    }
    in.client.files["a.bin"] = content;
    in.server.files["b.bin"] = Bytes(4096, 0x61);
    in.steps = {{"upload", "a.bin"}, {"download", "b.bin"}};
    auto r = run_transcript(in, CachingDeriver::shared());
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r->server.files.at("a.bin"), content);
    EXPECT_EQ(r->client.files.at("b.bin"), Bytes(4096, 0x61));
    ASSERT_EQ(r->client.events.size(), 2U);
    EXPECT_TRUE(r->client.events[0].ok);
    EXPECT_TRUE(r->client.events[1].ok);
}

INSTANTIATE_TEST_SUITE_P(Profiles, SftCatalogue, ::testing::Values(Profile::upstream_v2, Profile::described),
                         [](const auto& p) { return p.param == Profile::described ? "described" : "upstream_v2"; });

// Properties: one record of an honest run with any bit flipped never passes.
RC_GTEST_PROP(SftMachineProps, AnyBitFlipInARecordIsRejected, ()) {
    const Profile p = *rc::gen::element(Profile::upstream_v2, Profile::described);
    auto in = honest_inputs(p);
    in.steps = {{"ping", ""}};
    const std::size_t rec = p == Profile::upstream_v2 ? 4 : 2;
    auto base = run_transcript(in, CachingDeriver::shared());
    RC_ASSERT(base.ok());
    const auto bit = *rc::gen::inRange<std::size_t>(0, base->messages[rec].wire.size() * 8);
    in.mutations.push_back(Mutation{rec, MutationOp::flip_bit, bit, {}, {}, {}});
    auto r = run_transcript(in, CachingDeriver::shared());
    RC_ASSERT(r.ok());
    // Either the server closes on it, or (a flipped length) still waits for bytes.
    RC_ASSERT(r->server.error.has_value() || r->server.state == "established");
    RC_ASSERT(r->messages.size() == rec + 1);  // never answered
}

RC_GTEST_PROP(SftMachineProps, HandshakeMessagesInAnyChunkingGiveTheSameRun, ()) {
    const Profile p = *rc::gen::element(Profile::upstream_v2, Profile::described);
    auto in = honest_inputs(p);
    in.steps = {{"ping", ""}};
    auto base = run_transcript(in, CachingDeriver::shared());
    RC_ASSERT(base.ok());
    // Feed the server everything the client sent, in arbitrary chunks, after its own start().
    FixedClock clock(kNow);
    struct Fixed final : Rng {
        ByteArray<32> eph;
        SeededRng rest{ByteArray<32>{}};
        bool drawn = false;
        void fill(std::span<std::uint8_t> out) override {
            if (!drawn && out.size() == 32) {
                std::copy(eph.begin(), eph.end(), out.begin());
                drawn = true;
            } else {
                rest.fill(out);
            }
        }
    } rng;
    rng.eph = in.server.eph_secret;
    Config cfg;
    cfg.role = Role::acceptor;
    cfg.profile = p;
    cfg.identity_seed = in.server.identity_seed;
    cfg.peer_identity = in.server.peer_identity;
    cfg.deriver = &CachingDeriver::shared();
    Endpoint server(cfg, rng, clock);
    server.start();
    Bytes stream;
    for (const auto& m : base->messages) {
        if (m.from == Role::initiator && m.kind.rfind("JSON", 0) != 0) {
            stream.insert(stream.end(), m.wire.begin(), m.wire.end());
        }
    }
    std::size_t pos = 0;
    while (pos < stream.size()) {
        const auto n = *rc::gen::inRange<std::size_t>(1, stream.size() - pos + 1);
        server.receive(ByteView(stream).subspan(pos, n));
        pos += n;
    }
    RC_ASSERT(server.authenticated());
    RC_ASSERT(!server.closure().has_value());
}

// A5 on the injected clock: the server refuses input past its deadline (the spec's 30 s, or a
// shorter one the deployment configures), and not one second before.
TEST(SftDeadline, InputPastTheConfiguredDeadlineIsRefused) {
    for (const std::uint32_t deadline : {kHandshakeDeadlineSeconds, 5U}) {
        SCOPED_TRACE(deadline);
        const auto in = honest_inputs(Profile::upstream_v2);
        Config cfg;
        cfg.role = Role::acceptor;
        cfg.profile = Profile::upstream_v2;
        cfg.identity_seed = in.server.identity_seed;
        cfg.deriver = &CachingDeriver::shared();
        cfg.handshake_deadline_seconds = deadline;
        FixedClock clock(kNow);
        SeededRng rng{ByteArray<32>{}};
        Endpoint on_time(cfg, rng, clock);
        on_time.start();
        clock.advance(deadline);
        on_time.receive(Bytes{0x00});
        EXPECT_FALSE(on_time.closure().has_value());
        EXPECT_EQ(on_time.idle_timeout_ms(), std::optional<std::uint32_t>(deadline * 1000));

        clock.set(kNow);
        Endpoint late(cfg, rng, clock);
        late.start();
        clock.advance(deadline + 1);
        late.receive(Bytes{0x00});
        ASSERT_TRUE(late.closure().has_value());
        EXPECT_EQ(late.closure()->failure.code, Error::timeout);
    }
}

}  // namespace
}  // namespace shakedown::sft::vectors
