// The STT conformance catalogue (conformance/scenarios/stt/catalogue.cpp): its ids are unique and
// follow "<role>.<class>.<name>", every knob the registry offers names scenarios that exist, and
// against the in-process reference a planted bug fails the scenarios that exist to catch it while
// the strict reference passes them. (tests/conformance/bug_knobs.sh checks every knob end to end.)
#include <gtest/gtest.h>

#include <cstdlib>
#include <regex>
#include <set>

#include "conformance/registry/variant.hpp"
#include "conformance/runner/machine_peer.hpp"
#include "conformance/scenarios/stt/session_machine.hpp"
#include "conformance/scenarios/stt/variant.hpp"
#include "stt/session.hpp"

namespace {

namespace cf = shakedown::conformance;
namespace reg = shakedown::registry;

double scale() {
    const char* s = std::getenv("SHAKEDOWN_TIMEOUT_SCALE");
    return s != nullptr ? std::atof(s) : 1.0;
}

bool matches(const std::string& pattern, const std::string& id) {
    std::string re;
    for (const char c : pattern) {
        if (c == '*') {
            re += ".*";
        } else if (std::string("\\^$.|?+()[]{}").find(c) != std::string::npos) {
            re += std::string("\\") + c;
        } else {
            re += c;
        }
    }
    return std::regex_match(id, std::regex(re));
}

cf::Catalogue catalogue(const std::string& target_suite = "") {
    reg::CatalogueOptions o;
    o.profile = "strict";
    if (!target_suite.empty()) {
        o.settings["target-suite"] = {target_suite};
    }
    return shakedown::stt::variant().catalogue(o);
}

cf::RunReport run(const std::vector<std::string>& knobs, const std::vector<std::string>& only,
                  const std::string& target_suite = "") {
    const auto& v = shakedown::stt::variant();
    std::string error;
    auto peer = reg::reference_peer(v, "strict", {}, knobs, error);
    EXPECT_TRUE(peer) << error;
    cf::LocalPeerTarget target(v.transport("strict", {}), peer);
    cf::RunOptions options;
    options.timeout_scale = scale();
    options.only = only;
    return cf::run_catalogue(catalogue(target_suite), target, "stt", options);
}

TEST(SttCatalogue, IdsAreUniqueAndNamed) {
    const auto c = catalogue();
    std::set<std::string> ids;
    for (const auto& s : c.scenarios) {
        const auto& info = s->info();
        EXPECT_TRUE(ids.insert(info.id).second) << "duplicate " << info.id;
        const std::string role(shakedown::to_string(info.target_role));
        EXPECT_EQ(info.id.rfind(role + "." + info.cls + ".", 0), 0U) << info.id;
    }
    EXPECT_GT(ids.size(), 60U);
}

TEST(SttCatalogue, EveryKnobNamesExistingScenarios) {
    const auto c = catalogue();
    const auto& v = shakedown::stt::variant();
    EXPECT_FALSE(v.knobs.empty());
    for (const auto& k : v.knobs) {
        // Either scenarios to fail, or the reason none can see it (and its unit test): not both.
        EXPECT_NE(k.must_fail.empty(), k.off_the_wire.empty()) << k.name;
        for (const auto& p : k.must_fail) {
            bool hit = false;
            for (const auto& s : c.scenarios) {
                hit = hit || matches(p, s->info().id);
            }
            EXPECT_TRUE(hit) << k.name << ": " << p << " matches no scenario";
        }
    }
}

// A target with another cipher suite: what needs the harness to seal or open is UNIMPLEMENTED
// without running, the HELLO-only acceptor scenarios and their control still run (and pass against
// the reference, whose HELLO handling does not depend on the suite), and a planted HELLO bug is
// still caught.
TEST(SttCatalogue, AnotherSuiteRunsTheHelloScenariosOnly) {
    const std::vector<std::string> only = {"acceptor.*.u0.*", "acceptor.suite.*", "acceptor.happy.*",
                                           "initiator.tlv.*"};
    auto r = run({}, only, "stc");
    std::size_t ran = 0;
    std::size_t unimplemented = 0;
    bool control = false;
    for (const auto& x : r.results) {
        if (x.verdict == cf::Verdict::unimplemented) {
            ++unimplemented;
            EXPECT_NE(x.reason.find("stc"), std::string::npos) << x.info.id;
            continue;
        }
        ++ran;
        control = control || x.info.id == "acceptor.suite.hello_answered";
        EXPECT_EQ(x.info.target_role, shakedown::Role::acceptor) << x.info.id;
        EXPECT_EQ(x.verdict, cf::Verdict::pass) << x.info.id << ": " << x.reason;
    }
    EXPECT_TRUE(control);
    EXPECT_GE(ran, 15U);
    EXPECT_GE(unimplemented, 5U);  // the honest handshake, the duplicate, the replay, initiator.tlv.*
    r = run({"skip-commitment-check"}, {"acceptor.commitment.u0.flipped"}, "stc");
    ASSERT_EQ(r.results.size(), 1U);
    EXPECT_EQ(r.results[0].verdict, cf::Verdict::fail) << r.results[0].reason;
}

TEST(SttCatalogue, PlantedBugIsCaughtAndReferencePasses) {
    const std::vector<std::string> only = {"*.tlv.u*.duplicate_key", "acceptor.commitment.u0.flipped"};
    auto r = run({}, only);
    ASSERT_EQ(r.results.size(), 5U);
    for (const auto& x : r.results) {
        EXPECT_EQ(x.verdict, cf::Verdict::pass) << x.info.id << ": " << x.reason;
    }
    r = run({"tlv-duplicate-keys-overwrite"}, only);
    ASSERT_EQ(r.results.size(), 5U);
    for (const auto& x : r.results) {
        const bool declared = x.info.id.ends_with("duplicate_key");
        EXPECT_EQ(x.verdict, declared ? cf::Verdict::fail : cf::Verdict::pass) << x.info.id << ": " << x.reason;
    }
}

// A UDP initiator that keeps one socket: when the harness's unit makes it give a handshake up, it
// silently opens a new one from the same address (as a node with a fixed port does, or as any
// initiator does when the kernel hands its next attempt the port just freed). It prints nothing, as
// a running target would not per connection, so the wire alone is graded.
class StartsOverFromItsPort final : public cf::LocalPeer {
public:
    explicit StartsOverFromItsPort(std::shared_ptr<cf::LocalPeer> reference)
        : m_reference(std::move(reference)),
          m_make(reg::flagged_machine_factory(shakedown::stt::variant(), "strict", {}, {})),
          m_transport(shakedown::stt::variant().transport("strict", {})) {}
    [[nodiscard]] std::string describe() const override { return "an initiator that starts over from its port"; }
    [[nodiscard]] std::optional<cf::Endpoint> acceptor(std::string& error) override {
        return m_reference->acceptor(error);
    }
    [[nodiscard]] std::unique_ptr<cf::LocalRun> start_initiator(const cf::Endpoint& to,
                                                                const std::vector<std::string>& flags,
                                                                std::string& error) override {
        if (!m_make(shakedown::Role::initiator, flags, error)) {
            return nullptr;
        }
        return std::make_unique<cf::ThreadedRun>([this, to, flags](const std::atomic<bool>& stop, const cf::LineSink&) {
            std::string why;
            auto socket = m_transport->connect(to, cf::after(cf::Millis(5000)), why);
            if (!socket) {
                return false;
            }
            KeepOpen t(*socket);
            for (int attempt = 0; attempt < 2 && !stop.load(); ++attempt) {
                auto m = m_make(shakedown::Role::initiator, flags, why);
                m->start();
                if (cf::drive_machine(*m, t, stop, {}, [](const std::string&) {}).authenticated) {
                    return true;
                }
            }
            return false;
        });
    }

private:
    // The socket outlives each attempt's drive_machine, which closes its transport at the end.
    class KeepOpen final : public cf::Transport {
    public:
        explicit KeepOpen(cf::Transport& inner) : m_inner(inner) {}
        [[nodiscard]] std::error_code send(shakedown::ByteView b, cf::Deadline d) override { return m_inner.send(b, d); }
        [[nodiscard]] cf::Incoming receive(cf::Deadline d) override { return m_inner.receive(d); }
        void shutdown_send() override {}
        void close() override {}
        void abort() override {}
        [[nodiscard]] std::size_t bytes_received() const override { return m_inner.bytes_received(); }
        [[nodiscard]] bool reports_peer_close() const override { return m_inner.reports_peer_close(); }
        void attach(cf::Transcript* transcript, std::uint8_t index) override { m_inner.attach(transcript, index); }

    private:
        cf::Transport& m_inner;
    };

    std::shared_ptr<cf::LocalPeer> m_reference;
    cf::FlaggedMachineFactory m_make;
    std::shared_ptr<const cf::TransportFactory> m_transport;
};

TEST(SttCatalogue, AnInitiatorStartingOverFromItsPortIsRefusingNotAnswering) {
    const auto& v = shakedown::stt::variant();
    std::string error;
    auto reference = reg::reference_peer(v, "strict", {}, {}, error);
    ASSERT_TRUE(reference) << error;
    cf::LocalPeerTarget target(v.transport("strict", {}), std::make_shared<StartsOverFromItsPort>(reference));
    cf::RunOptions options;
    options.timeout_scale = scale();
    options.only = {"initiator.framing.u0.session_id", "initiator.bitflip.u0.last_bit", "initiator.happy.honest"};
    const auto r = cf::run_catalogue(catalogue(), target, "stt", options);
    ASSERT_EQ(r.results.size(), 3U);
    std::size_t started_over = 0;
    for (const auto& x : r.results) {
        EXPECT_EQ(x.verdict, cf::Verdict::pass) << x.info.id << ": " << x.reason;
        started_over += x.reason.find("opened a new one from the same address") != std::string::npos ? 1 : 0;
    }
    // Both refused units: the new HELLO came on the same address, and is no answer.
    EXPECT_EQ(started_over, 2U);
}

}  // namespace

namespace {

using shakedown::Bytes;
using shakedown::Role;
namespace stt = shakedown::stt;

// The reference peers' machine (session_machine.hpp): the handshake, then the initiator's ping on
// stream 1 and the responder's echo on stream 2; a frame that does not open is dropped and the
// session goes on.
struct Pair {
    shakedown::FixedClock clock{1767225600};
    shakedown::SeededRng ri{shakedown::ByteArray<32>{1}};
    shakedown::SeededRng rr{shakedown::ByteArray<32>{2}};
    std::unique_ptr<stt::SessionMachine> i;
    std::unique_ptr<stt::SessionMachine> r;
    std::vector<Bytes> to_initiator;  // the responder's datagrams after the handshake

    explicit Pair(const stt::Quirks& responder_quirks = {}) {
        stt::Config ci;
        ci.role = Role::initiator;
        ci.node_seed = shakedown::SecretBytes(stt::default_node_seed(Role::initiator));
        ci.shared_seed = shakedown::SecretBytes(shakedown::as_bytes(stt::kDefaultSharedSeed));
        stt::Config cr = ci;
        cr.role = Role::acceptor;
        cr.node_seed = shakedown::SecretBytes(stt::default_node_seed(Role::acceptor));
        cr.quirks = responder_quirks;
        i = std::make_unique<stt::SessionMachine>(std::make_unique<stt::Handshake>(std::move(ci), ri, clock), ri, clock);
        r = std::make_unique<stt::SessionMachine>(std::make_unique<stt::Handshake>(std::move(cr), rr, clock), rr, clock);
        i->start();
        r->start();
    }
    // Both ways until neither sends; returns the initiator's datagrams the responder got.
    std::vector<Bytes> run() {
        std::vector<Bytes> from_initiator;
        for (int round = 0; round < 8; ++round) {
            bool moved = false;
            for (auto& d : i->take_output()) {
                from_initiator.push_back(d);
                r->receive(d);
                moved = true;
            }
            for (auto& d : r->take_output()) {
                if (r->authenticated()) {
                    to_initiator.push_back(d);
                }
                i->receive(d);
                moved = true;
            }
            if (!moved) {
                break;
            }
        }
        return from_initiator;
    }
};

std::optional<stt::OpenedFrame> open_as_initiator(Pair& p, const Bytes& d) {
    auto f = p.i->handshake().session()->open(d);
    if (!f) {
        return std::nullopt;
    }
    return std::move(f).value();
}

}  // namespace

TEST(SttSessionMachine, PingIsEchoedAndRefusedFramesAreDropped) {
    Pair p;
    const auto sent = p.run();
    ASSERT_TRUE(p.i->authenticated());
    ASSERT_TRUE(p.r->authenticated());
    // HELLO, AUTH_PROOF, the ping; the responder's RESPONSE, FINAL, the echo.
    ASSERT_EQ(sent.size(), 3U);
    EXPECT_TRUE(stt::is_data_frame(sent[2]));
    EXPECT_EQ(p.r->frames_accepted(), 1U);
    EXPECT_EQ(p.i->frames_accepted(), 1U);
    ASSERT_EQ(p.to_initiator.size(), 2U);  // FINAL, the echo
    // The ping again (a replay) and a changed header: dropped, nothing answered, the session stays.
    p.r->receive(sent[2]);
    EXPECT_TRUE(p.r->take_output().empty());
    Bytes changed = sent[2];
    changed[2 + 1 + 18] ^= 0x01U;  // "ST", a one-byte length, then the header's timestamp
    p.r->receive(changed);
    EXPECT_TRUE(p.r->take_output().empty());
    EXPECT_EQ(p.r->frames_refused(), 2U);
    EXPECT_EQ(p.r->next_action(), shakedown::Action::done);
    // A fresh frame on stream 1 is echoed on stream 2 with the same payload.
    auto frame = p.i->handshake().session()->seal(shakedown::as_bytes(std::string_view("again")), stt::kPingStream,
                                                   1767225600000, p.ri);
    ASSERT_TRUE(frame);
    p.r->receive(*frame);
    const auto out = p.r->take_output();
    ASSERT_EQ(out.size(), 1U);
    const auto echo = open_as_initiator(p, out[0]);
    ASSERT_TRUE(echo);
    EXPECT_EQ(echo->header.stream_id, stt::kEchoStream);
    EXPECT_EQ(Bytes(echo->payload), Bytes(shakedown::as_bytes(std::string_view("again")).begin(),
                                          shakedown::as_bytes(std::string_view("again")).end()));
}

TEST(SttSessionMachine, XorSessionKeyCannotOpenThePing) {
    stt::Quirks q;
    q.xor_session_key = true;
    Pair p(q);
    (void)p.run();
    ASSERT_TRUE(p.r->authenticated());
    EXPECT_EQ(p.r->frames_accepted(), 0U);
    EXPECT_EQ(p.r->frames_refused(), 1U);
    EXPECT_EQ(p.to_initiator.size(), 1U);  // FINAL only: no echo
}
