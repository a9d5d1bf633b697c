// SFT over TCP (conformance/scenarios/sft/framing.hpp) and its server limits: the framing
// delimits exactly the units the reference sends, a record header announcing too much is refused
// on the header by both the framing and the reference machine, a trickling peer meets a deadline,
// and the reference server refuses connections past its limits (50 at once, 10 per address per
// 60 s).
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "common/crypto.hpp"
#include "conformance/registry/variant.hpp"
#include "conformance/scenarios/sft/framing.hpp"
#include "conformance/scenarios/sft/variant.hpp"
#include "sft/machine.hpp"
#include "sft/record.hpp"
#include "tests/conformance/live_clients.hpp"

namespace cf = shakedown::conformance;
namespace reg = shakedown::registry;
namespace sft = shakedown::sft;
namespace ss = shakedown::conformance::sft_scenarios;
using shakedown::Bytes;
using shakedown::ByteView;
using shakedown::Role;
using shakedown::test_support::BoundClient;
using shakedown::test_support::Lines;
using shakedown::test_support::wait_for;
using Kind = cf::StreamFraming::Step::Kind;
using std::chrono::milliseconds;

namespace {

template <std::size_t N>
shakedown::ByteArray<N> hx(std::string_view h) {
    const auto b = shakedown::from_hex(h);
    shakedown::ByteArray<N> a{};
    std::copy(b->begin(), b->end(), a.begin());
    return a;
}
// RFC 8032 tests 1 and 2: the server's identity, and the described client's.
const auto kServerSeed = hx<32>("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
const auto kClientSeed = hx<32>("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb");
const auto kServerId = shakedown::crypto::ed25519_from_seed(kServerSeed).public_key;
const auto kClientId = shakedown::crypto::ed25519_from_seed(kClientSeed).public_key;

constexpr std::uint32_t kTwoGiB = 0x80000000U;
constexpr std::uint32_t kOverMax = sft::kMaxPacketSize + 1;

Bytes header(std::uint32_t payload_len) {
    sft::RecordHeader h;
    h.payload_len = payload_len;
    return sft::serialize(h);
}

Bytes filled(std::size_t n, std::uint8_t v) {
    return Bytes(n, v);
}

reg::Settings server_settings(sft::Profile p) {
    reg::Settings s{{"identity-seed", {shakedown::to_hex(kServerSeed)}}};
    if (p == sft::Profile::described) {
        s["peer-identity"] = {shakedown::to_hex(kClientId)};
    }
    return s;
}

sft::Config client_config(sft::Profile p) {
    sft::Config c;
    c.role = Role::initiator;
    c.profile = p;
    c.identity_seed = kClientSeed;
    c.peer_identity = kServerId;
    return c;
}

const reg::Variant& variant() {
    return sft::variant();
}

std::string profile_name(sft::Profile p) {
    return std::string(sft::to_string(p));
}

}  // namespace

TEST(SftFraming, DescribedMessagesHaveTheSizeOfTheirSender) {
    const ss::SftFraming from_server(sft::Profile::described, ss::Sender::server);
    const ss::SftFraming from_client(sft::Profile::described, ss::Sender::client);
    EXPECT_EQ(from_server.step(filled(63, 1), 1 << 20).kind, Kind::need_more);
    auto s = from_server.step(filled(64, 1), 1 << 20);
    ASSERT_EQ(s.kind, Kind::message);
    EXPECT_EQ(s.total, 64U);
    EXPECT_EQ(from_client.step(filled(95, 1), 1 << 20).kind, Kind::need_more);
    EXPECT_EQ(from_client.step(filled(96, 1), 1 << 20).total, 96U);
    // D1 and the first record in one read: D1 first.
    Bytes both = filled(64, 1);
    const Bytes h = header(5);
    both.insert(both.end(), h.begin(), h.end());
    EXPECT_EQ(from_server.step(both, 1 << 20).total, 64U);
    // A first byte that is not the start of the magic is a handshake unit even if it is 'S'.
    Bytes s_not_magic = filled(64, 2);
    s_not_magic[0] = 'S';
    s_not_magic[1] = 'X';
    EXPECT_EQ(from_server.step(s_not_magic, 1 << 20).total, 64U);
    EXPECT_EQ(from_server.frame(filled(64, 3)), filled(64, 3));
}

TEST(SftFraming, UpstreamHandshakeFieldsAreU32bePrefixed) {
    const ss::SftFraming f(sft::Profile::upstream_v2, ss::Sender::server);
    const Bytes field = f.frame(filled(32, 7));
    ASSERT_EQ(field.size(), 36U);
    EXPECT_EQ(field[3], 32);
    auto s = f.step(field, 1 << 20);
    ASSERT_EQ(s.kind, Kind::message);
    EXPECT_EQ(s.payload_offset, 4U);
    EXPECT_EQ(s.payload_size, 32U);
    EXPECT_EQ(f.step(ByteView(field).first(35), 1 << 20).kind, Kind::need_more);
    EXPECT_EQ(f.step(Bytes{0, 0, 0}, 1 << 20).kind, Kind::need_more);
    // A zero prefix (V2) and prefixes far past any field are refused on the prefix alone.
    EXPECT_EQ(f.step(Bytes{0, 0, 0, 0}, 1 << 20).kind, Kind::error);
    EXPECT_EQ(f.step(Bytes{0xFF, 0xFF, 0xFF, 0xFF}, 1 << 20).kind, Kind::error);
    EXPECT_EQ(f.step(Bytes{0, 1, 0, 1}, 1 << 20).kind, Kind::error);
    // 'S' then not the magic: a prefix of more than 1 GiB.
    EXPECT_EQ(f.step(Bytes{'S', 'X', 0, 0}, 1 << 20).kind, Kind::error);
}

TEST(SftFraming, RecordsAreJudgedOnTheHeaderBeforeAnyPayload) {
    const auto limits = ss::transport_limits();
    EXPECT_GE(limits.max_message, sft::kHeaderLen + sft::kMaxPacketSize);
    EXPECT_GE(limits.max_total, limits.max_message);
    for (const auto p : {sft::Profile::described, sft::Profile::upstream_v2}) {
        for (const auto from : {ss::Sender::client, ss::Sender::server}) {
            SCOPED_TRACE(profile_name(p) + (from == ss::Sender::client ? " from client" : " from server"));
            const ss::SftFraming f(p, from);
            for (const std::uint32_t bad : {kTwoGiB, kOverMax, 0U}) {
                const Bytes h = header(bad);
                // Judged as soon as payload_len is in (21 bytes), and on the whole header.
                EXPECT_EQ(f.step(ByteView(h).first(20), limits.max_message).kind, Kind::need_more);
                const auto early = f.step(ByteView(h).first(21), limits.max_message);
                EXPECT_EQ(early.kind, Kind::error) << bad;
                EXPECT_EQ(f.step(h, limits.max_message).kind, Kind::error) << bad;
            }
            // The largest record is waited for; a smaller runner bound refuses it at once.
            EXPECT_EQ(f.step(header(sft::kMaxPacketSize), limits.max_message).kind, Kind::need_more);
            EXPECT_EQ(f.step(header(1000), 1000).kind, Kind::error);
            EXPECT_EQ(f.step(Bytes{'S', 'F', 'T'}, limits.max_message).kind, Kind::need_more);
            Bytes record = header(5);
            record.resize(record.size() + 5, 9);
            EXPECT_EQ(f.step(ByteView(record).first(69), limits.max_message).kind, Kind::need_more);
            record.push_back(0xEE);  // the next unit stays unread
            const auto s = f.step(record, limits.max_message);
            ASSERT_EQ(s.kind, Kind::message);
            EXPECT_EQ(s.total, 70U);
            EXPECT_EQ(s.payload_offset, 65U);
            EXPECT_EQ(s.payload_size, 5U);
        }
    }
}

namespace {

// Both ends in memory, established with a real PBKDF2 (CachingDeriver: once per profile).
struct Pair {
    shakedown::SeededRng crng{hx<32>("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")};
    shakedown::SeededRng srng{hx<32>("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb")};
    shakedown::FixedClock clock{1767225600};
    std::unique_ptr<sft::Endpoint> client;
    std::unique_ptr<sft::Endpoint> server;

    explicit Pair(sft::Profile p) {
        sft::Config c = client_config(p);
        c.deriver = &sft::CachingDeriver::shared();
        sft::Config s;
        s.role = Role::acceptor;
        s.profile = p;
        s.identity_seed = kServerSeed;
        s.peer_identity = kClientId;
        s.deriver = &sft::CachingDeriver::shared();
        client = std::make_unique<sft::Endpoint>(c, crng, clock);
        server = std::make_unique<sft::Endpoint>(s, srng, clock);
        server->start();
        client->start();
        for (int round = 0; round < 4; ++round) {
            for (auto& u : client->take_output()) {
                server->receive(u);
            }
            for (auto& u : server->take_output()) {
                client->receive(u);
            }
        }
    }
};

}  // namespace

TEST(SftReferenceMachine, RefusesAnOversizedHeaderBeforeItsPayload) {
    for (const auto p : {sft::Profile::described, sft::Profile::upstream_v2}) {
        for (const bool to_server : {true, false}) {
            for (const std::uint32_t bad : {kTwoGiB, kOverMax}) {
                SCOPED_TRACE(profile_name(p) + (to_server ? " server " : " client ") + std::to_string(bad));
                Pair pair(p);
                ASSERT_TRUE(pair.client->authenticated() && pair.server->authenticated());
                sft::Endpoint& m = to_server ? *pair.server : *pair.client;
                // The header alone, nothing of the 2 GiB after it.
                m.receive(header(bad));
                EXPECT_EQ(m.next_action(), shakedown::Action::closed);
                ASSERT_TRUE(m.closure());
                EXPECT_EQ(m.closure()->failure.code, shakedown::Error::oversize);
                EXPECT_EQ(m.closure()->failure.offset, 17U);
                EXPECT_LE(m.pending_bytes(), sft::kHeaderLen);
                EXPECT_TRUE(m.take_output().empty());
            }
        }
    }
}

namespace {

// The runner as the client of the in-process reference server: every unit receive() delivers is
// one the reference sent, whole.
void handshake_framed_by_the_runner(sft::Profile p, const std::vector<std::size_t>& expected_units) {
    const auto& v = variant();
    std::string error;
    auto peer = reg::reference_peer(v, profile_name(p), server_settings(p), {}, error);
    ASSERT_TRUE(peer) << error;
    const auto at = peer->acceptor(error);
    ASSERT_TRUE(at) << error;
    auto t = v.transport(profile_name(p), {})->connect(*at, cf::after(milliseconds(5000)), error);
    ASSERT_TRUE(t) << error;
    shakedown::SystemRng rng;
    shakedown::SystemClock clock;
    sft::Endpoint client(client_config(p), rng, clock);
    client.start();
    std::vector<std::size_t> units;
    const auto deadline = cf::after(milliseconds(20000));
    while (!client.authenticated() && client.next_action() != shakedown::Action::closed &&
           cf::SteadyClock::now() < deadline) {
        for (const auto& u : client.take_output()) {
            ASSERT_FALSE(t->send(u, cf::after(milliseconds(2000))));
        }
        if (client.authenticated()) {
            break;
        }
        const auto in = t->receive(deadline);
        ASSERT_EQ(in.kind, cf::Incoming::Kind::message) << cf::to_string(in.kind) << ": " << in.detail;
        units.push_back(in.wire.size());
        client.receive(in.wire);
    }
    ASSERT_TRUE(client.authenticated()) << (client.closure() ? client.closure()->failure.detail : "no closure");
    for (const auto& u : client.take_output()) {
        ASSERT_FALSE(t->send(u, cf::after(milliseconds(2000))));
    }
    EXPECT_EQ(units, expected_units);

    // After the handshake: a record each way, delimited by its header.
    ASSERT_TRUE(client.ping().ok());
    for (const auto& u : client.take_output()) {
        ASSERT_FALSE(t->send(u, cf::after(milliseconds(2000))));
    }
    const auto pong = t->receive(cf::after(milliseconds(5000)));
    ASSERT_EQ(pong.kind, cf::Incoming::Kind::message) << pong.detail;
    ASSERT_GT(pong.wire.size(), sft::kHeaderLen);
    EXPECT_TRUE(std::equal(sft::kMagic.begin(), sft::kMagic.end(), pong.wire.begin()));
    EXPECT_EQ(pong.payload.size(), pong.wire.size() - sft::kHeaderLen);
    client.receive(pong.wire);
    ASSERT_FALSE(client.events().empty());
    EXPECT_EQ(client.events().back().what, "pong");

    // A header announcing 2 GiB: the reference server closes on the header, without waiting for
    // (or buffering) the payload that never comes.
    ASSERT_FALSE(t->send(header(kTwoGiB), cf::after(milliseconds(2000))));
    const auto start = cf::SteadyClock::now();
    const auto end = t->receive(cf::after(milliseconds(10000)));
    EXPECT_TRUE(end.kind == cf::Incoming::Kind::closed || end.kind == cf::Incoming::Kind::reset)
        << cf::to_string(end.kind);
    EXPECT_LT(cf::SteadyClock::now() - start, milliseconds(5000));
}

}  // namespace

TEST(SftLive, DescribedHandshakeFramedByTheRunner) {
    handshake_framed_by_the_runner(sft::Profile::described, {sft::kD1Len});
}

TEST(SftLive, UpstreamHandshakeFramedByTheRunner) {
    // H2 as its three fields, then H4.
    handshake_framed_by_the_runner(sft::Profile::upstream_v2, {36, 36, 68, sft::kConfirmLen});
}

TEST(SftLive, TheRunnerMeetsItsDeadlineAgainstATricklingServer) {
    const auto factory = variant().transport("described", {});
    cf::TcpListener listener;
    ASSERT_FALSE(listener.listen(cf::Endpoint{"127.0.0.1", 0}));
    std::atomic<bool> stop{false};
    std::thread trickler([&] {
        std::error_code ec;
        auto s = listener.accept(cf::after(milliseconds(5000)), ec);
        if (!s) {
            return;
        }
        const Bytes h = header(100);
        for (std::size_t i = 0; i < h.size() && !stop.load(); ++i) {
            if (s->write_all(ByteView(h).subspan(i, 1), cf::after(milliseconds(1000)))) {
                return;
            }
            std::this_thread::sleep_for(milliseconds(100));
        }
    });
    std::string error;
    auto t = factory->connect(cf::Endpoint{"127.0.0.1", listener.port()}, cf::after(milliseconds(5000)), error);
    ASSERT_TRUE(t) << error;
    // Bytes keep arriving, but no unit completes: each receive ends at its deadline.
    for (int i = 0; i < 2; ++i) {
        const auto start = cf::SteadyClock::now();
        const auto in = t->receive(cf::after(milliseconds(400)));
        EXPECT_EQ(in.kind, cf::Incoming::Kind::timeout) << cf::to_string(in.kind);
        EXPECT_LT(cf::SteadyClock::now() - start, milliseconds(2000));
    }
    EXPECT_GT(t->bytes_received(), 0U);
    EXPECT_LT(t->bytes_received(), sft::kHeaderLen);
    stop.store(true);
    t->abort();
    trickler.join();
}

TEST(SftLive, TheReferenceServerEndsATricklingClientAtItsDeadline) {
    std::string error;
    auto settings = server_settings(sft::Profile::described);
    settings["timeout-ms"] = {"1000"};  // the connection's bound (shakedown peer --timeout-ms)
    auto peer = reg::reference_peer(variant(), "described", settings, {}, error);
    ASSERT_TRUE(peer) << error;
    const auto at = peer->acceptor(error);
    ASSERT_TRUE(at) << error;
    BoundClient client("127.0.0.1", at->port);
    ASSERT_TRUE(client.connected());
    ASSERT_EQ(client.read_up_to(sft::kD1Len), sft::kD1Len);
    // D2 one byte per 100 ms would take 9.6 s; the server ends the connection long before.
    const auto start = cf::SteadyClock::now();
    std::size_t sent = 0;
    bool ended = false;
    while (sent < sft::kD2Len && !ended) {
        if (!client.send(Bytes{0x42})) {
            ended = true;
            break;
        }
        ++sent;
        ended = client.ended_within(milliseconds(100));
    }
    EXPECT_TRUE(ended);
    EXPECT_LT(sent, sft::kD2Len);
    EXPECT_LT(cf::SteadyClock::now() - start, milliseconds(6000));
}

namespace {

// The SFT reference server with the variant's declared limits, reporting its lines.
struct LimitedServer {
    Lines lines;
    shakedown::SystemRng rng;
    shakedown::SystemClock clock;
    std::unique_ptr<cf::MachineServer> server;

    LimitedServer() {
        const auto& v = variant();
        const auto limits = v.connection_limits("described", {});
        EXPECT_TRUE(limits);
        EXPECT_EQ(limits->max_concurrent, 50U);
        EXPECT_EQ(limits->per_address_per_window, 10U);
        EXPECT_EQ(limits->window, milliseconds(60000));
        server = std::make_unique<cf::MachineServer>(
            v.transport("described", {}),
            [this, &v](Role role, std::string& why) {
                return v.make_machine(
                    reg::MachineRequest{role, "described", server_settings(sft::Profile::described), {}}, rng, clock,
                    why);
            },
            cf::DriveLimits{}, lines.sink(), limits);
        std::string error;
        EXPECT_TRUE(server->listen(cf::Endpoint{"127.0.0.1", 0}, error)) << error;
        server->start_background();
    }
    ~LimitedServer() { server->stop(); }
    [[nodiscard]] std::size_t decided() const { return server->connections_accepted() + server->connections_refused(); }
};

}  // namespace

TEST(SftServerLimits, SixtyAtOnceFiftyServedTheRestRefused) {
    LimitedServer s;
    std::vector<std::unique_ptr<BoundClient>> clients;
    // Sixty addresses, so that only the limit on connections at once applies.
    for (int i = 0; i < 60; ++i) {
        clients.push_back(std::make_unique<BoundClient>("127.0.0." + std::to_string(2 + i), s.server->port()));
        ASSERT_TRUE(clients.back()->connected()) << i;
    }
    ASSERT_TRUE(wait_for([&] { return s.decided() == 60; }, milliseconds(10000))) << s.decided();
    EXPECT_EQ(s.server->connections_accepted(), 50U);
    EXPECT_EQ(s.server->connections_refused(), 10U);
    EXPECT_EQ(s.lines.count("REFUSED "), 10U);
    // Served: D1 arrives. Refused: the connection ends with nothing.
    std::size_t served = 0;
    std::size_t refused = 0;
    for (const auto& c : clients) {
        const std::size_t got = c->read_up_to(sft::kD1Len);
        served += got == sft::kD1Len ? 1 : 0;
        refused += got == 0 ? 1 : 0;
    }
    EXPECT_EQ(served, 50U);
    EXPECT_EQ(refused, 10U);
}

TEST(SftServerLimits, TheEleventhFromOneAddressInTheWindowIsRefused) {
    LimitedServer s;
    std::vector<std::unique_ptr<BoundClient>> clients;
    for (std::size_t i = 0; i < 11; ++i) {
        clients.push_back(std::make_unique<BoundClient>("127.0.0.9", s.server->port()));
        ASSERT_TRUE(clients.back()->connected());
        ASSERT_TRUE(wait_for([&] { return s.decided() == i + 1; }, milliseconds(5000)));
        if (i < 10) {
            // Leaving early does not give an admission back.
            EXPECT_EQ(clients.back()->read_up_to(sft::kD1Len), sft::kD1Len) << i;
            clients.back().reset();
        }
    }
    EXPECT_EQ(s.server->connections_accepted(), 10U);
    EXPECT_EQ(s.server->connections_refused(), 1U);
    EXPECT_EQ(s.lines.count("REFUSED 127.0.0.9 more than 10 connections from 127.0.0.9 in 60000 ms"), 1U);
    EXPECT_EQ(clients.back()->read_up_to(sft::kD1Len), 0U);
    // Another address is still served.
    BoundClient other("127.0.0.10", s.server->port());
    ASSERT_TRUE(other.connected());
    EXPECT_EQ(other.read_up_to(sft::kD1Len), sft::kD1Len);
}

TEST(SftServerLimits, ThePeerCommandAppliesTheDeclaredLimits) {
    // registry::serve is `shakedown peer --listen`: the descriptor's limits reach its server.
    Lines lines;
    reg::PeerRun run;
    run.role = Role::acceptor;
    run.endpoint = cf::Endpoint{"127.0.0.1", 0};
    run.profile = "described";
    run.settings = server_settings(sft::Profile::described);
    run.timeout_ms = 3000;
    run.emit = lines.sink();
    std::thread server([&run] { (void)reg::serve(variant(), run); });
    ASSERT_TRUE(wait_for([&] { return lines.first("LISTENING ").has_value(); }, milliseconds(5000)));
    const auto port = static_cast<std::uint16_t>(std::stoi(*lines.first("LISTENING ")));
    std::size_t served = 0;
    for (int i = 0; i < 11; ++i) {
        BoundClient c("127.0.0.11", port);
        ASSERT_TRUE(c.connected());
        served += c.read_up_to(sft::kD1Len) == sft::kD1Len ? 1 : 0;
    }
    EXPECT_EQ(served, 10U);
    EXPECT_EQ(lines.count("REFUSED 127.0.0.11 "), 1U);
    server.join();
}

namespace {

// --handshake-deadline (the reference) and --deadline-scenarios-at (conform) take whole seconds
// from 1 to the spec's 30, checked as they are parsed; the catalogue then configures the deadline
// scenarios, and only those, to the shorter deadline.
TEST(SftDeadlineFlags, ValuesAreCheckedAndOnlyTheDeadlineScenariosAreShortened) {
    const auto& v = variant();
    for (const auto* table : {&v.shim_flags, &v.conform_flags}) {
        const std::string flag = table == &v.shim_flags ? "--handshake-deadline" : "--deadline-scenarios-at";
        for (const std::string bad : {"0", "31", "-1", "5s", ""}) {
            reg::Settings s;
            std::vector<std::string> unknown;
            std::string error;
            EXPECT_FALSE(reg::parse_settings(*table, {flag, bad}, s, unknown, error)) << flag << " " << bad;
            EXPECT_NE(error.find(flag), std::string::npos) << error;
        }
        reg::Settings s;
        std::vector<std::string> unknown;
        std::string error;
        ASSERT_TRUE(reg::parse_settings(*table, {flag, "5"}, s, unknown, error)) << error;
        EXPECT_TRUE(unknown.empty());
    }
    reg::CatalogueOptions o;
    o.profile = "upstream-v2";
    o.settings["deadline-scenarios-at"] = {"5"};
    const auto shortened = v.catalogue(o);
    const auto full = v.catalogue({"upstream-v2", {}, nullptr});
    ASSERT_EQ(shortened.scenarios.size(), full.scenarios.size());
    std::size_t changed = 0;
    for (std::size_t i = 0; i < full.scenarios.size(); ++i) {
        const auto& a = full.scenarios[i]->info();
        const auto& b = shortened.scenarios[i]->info();
        ASSERT_EQ(a.id, b.id);
        const bool waits = a.cls == "deadline" || a.cls == "idle";
        EXPECT_EQ(a.rule != b.rule, waits) << a.id;
        changed += a.rule != b.rule ? 1 : 0;
    }
    EXPECT_EQ(changed, 4U);  // idle and trickled, each role
}

// The record layer's throughput cases (handshake_bench): a transfer chunk's DATA record and a ping,
// each side of each case running once (a record the layer refused, or a raw open that failed,
// would abort).
TEST(SftThroughput, RecordCasesDeclareTheirSizesAndRun) {
    const auto& cases = variant().throughput;
    ASSERT_EQ(cases.size(), 2U);
    EXPECT_EQ(cases[0].name, "sft/record/data-" + std::to_string(sft::kChunkSize));
    EXPECT_EQ(cases[0].bytes_per_op, sft::kChunkSize);
    EXPECT_EQ(cases[1].name, "sft/record/json-ping-" + std::to_string(cases[1].bytes_per_op));
    for (const auto& t : cases) {
        ASSERT_TRUE(t.layer && t.raw) << t.name;
        t.layer();
        t.raw();
    }
}

}  // namespace
