// The generic length-prefix framing and connection limits of the runner
// (conformance/runner/framing.hpp, machine_peer.hpp): every bound judged on the header alone, and
// a server that refuses excess connections at once, counted per source address.
#include "conformance/runner/framing.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <thread>

#include "conformance/runner/machine_peer.hpp"
#include "tests/conformance/live_clients.hpp"

namespace cf = shakedown::conformance;
using shakedown::Bytes;
using shakedown::ByteView;
using shakedown::test_support::BoundClient;
using shakedown::test_support::Lines;
using shakedown::test_support::wait_for;
using Kind = cf::StreamFraming::Step::Kind;
using std::chrono::milliseconds;

namespace {

cf::LengthPrefixFraming framing(std::size_t width, cf::LengthPrefixFraming::Endian endian, bool counts_prefix = false,
                                std::size_t max_payload = 1024, bool allow_empty = true) {
    cf::LengthPrefixFraming::Options o;
    o.width = width;
    o.endian = endian;
    o.counts_prefix = counts_prefix;
    o.max_payload = max_payload;
    o.allow_empty = allow_empty;
    return cf::LengthPrefixFraming(o);
}

}  // namespace

TEST(LengthPrefixFraming, EveryWidthAndByteOrderRoundTrips) {
    const Bytes payload = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13};
    for (const std::size_t w : {1U, 2U, 4U, 8U}) {
        for (const auto e : {cf::LengthPrefixFraming::Endian::big, cf::LengthPrefixFraming::Endian::little}) {
            for (const bool counts : {false, true}) {
                SCOPED_TRACE(std::to_string(w) + (e == cf::LengthPrefixFraming::Endian::big ? " big" : " little") +
                             (counts ? " counting the prefix" : ""));
                const auto f = framing(w, e, counts);
                Bytes wire = f.frame(payload);
                ASSERT_EQ(wire.size(), w + payload.size());
                const std::size_t value = payload.size() + (counts ? w : 0);
                EXPECT_EQ(e == cf::LengthPrefixFraming::Endian::big ? wire[w - 1] : wire[0], value);
                wire.push_back(0xEE);  // the start of the next message stays unread
                const auto s = f.step(wire, 1 << 20);
                ASSERT_EQ(s.kind, Kind::message) << s.error;
                EXPECT_EQ(s.total, w + payload.size());
                EXPECT_EQ(s.payload_offset, w);
                EXPECT_EQ(s.payload_size, payload.size());
            }
        }
    }
}

TEST(LengthPrefixFraming, KnownEncodings) {
    const Bytes p(0x0102, 0xAB);
    EXPECT_EQ(Bytes(framing(2, cf::LengthPrefixFraming::Endian::big).frame(p)).at(0), 0x01);
    EXPECT_EQ(Bytes(framing(2, cf::LengthPrefixFraming::Endian::big).frame(p)).at(1), 0x02);
    EXPECT_EQ(Bytes(framing(2, cf::LengthPrefixFraming::Endian::little).frame(p)).at(0), 0x02);
    EXPECT_EQ(Bytes(framing(2, cf::LengthPrefixFraming::Endian::little).frame(p)).at(1), 0x01);
    EXPECT_THROW((void)framing(1, cf::LengthPrefixFraming::Endian::big).frame(Bytes(256)), std::length_error);
    EXPECT_THROW(framing(3, cf::LengthPrefixFraming::Endian::big), std::invalid_argument);
}

TEST(LengthPrefixFraming, PartialHeaderAndPartialPayloadNeedMore) {
    const auto f = framing(4, cf::LengthPrefixFraming::Endian::big);
    EXPECT_EQ(f.step(Bytes{}, 1024).kind, Kind::need_more);
    EXPECT_EQ(f.step(Bytes{0, 0, 0}, 1024).kind, Kind::need_more);
    EXPECT_EQ(f.step(Bytes{0, 0, 0, 5, 1, 2, 3, 4}, 1024).kind, Kind::need_more);
    EXPECT_EQ(f.step(Bytes{0, 0, 0, 5, 1, 2, 3, 4, 5}, 1024).kind, Kind::message);
}

TEST(LengthPrefixFraming, ALengthPastTheBoundIsRefusedOnTheHeaderAlone) {
    const auto f = framing(4, cf::LengthPrefixFraming::Endian::big, false, 1024);
    // 2 GiB, with nothing after the prefix: an error at once, not a wait for the payload.
    auto s = f.step(Bytes{0x80, 0, 0, 0}, 1 << 20);
    EXPECT_EQ(s.kind, Kind::error);
    EXPECT_NE(s.error.find("2147483648"), std::string::npos) << s.error;
    // One past the framing's own bound, and one past the transport's.
    EXPECT_EQ(f.step(Bytes{0, 0, 4, 1}, 1 << 20).kind, Kind::error);
    EXPECT_EQ(f.step(Bytes{0, 0, 4, 0}, 1 << 20).kind, Kind::need_more);
    EXPECT_EQ(f.step(Bytes{0, 0, 0, 101}, 100).kind, Kind::error);
    EXPECT_EQ(f.step(Bytes{0, 0, 0, 100}, 100).kind, Kind::need_more);
    // An 8-byte prefix with the top bit set must not wrap into a small length.
    const auto wide = framing(8, cf::LengthPrefixFraming::Endian::big, true);
    EXPECT_EQ(wide.step(Bytes{0x80, 0, 0, 0, 0, 0, 0, 8}, 1 << 20).kind, Kind::error);
    // A length that counts the prefix yet is shorter than it.
    const auto counted = framing(2, cf::LengthPrefixFraming::Endian::little, true);
    EXPECT_EQ(counted.step(Bytes{1, 0}, 1024).kind, Kind::error);
}

TEST(LengthPrefixFraming, ZeroLength) {
    const auto empty_ok = framing(2, cf::LengthPrefixFraming::Endian::big);
    const auto s = empty_ok.step(Bytes{0, 0, 9}, 1024);
    ASSERT_EQ(s.kind, Kind::message);
    EXPECT_EQ(s.total, 2U);
    EXPECT_EQ(s.payload_size, 0U);
    EXPECT_EQ(framing(2, cf::LengthPrefixFraming::Endian::big, false, 1024, false).step(Bytes{0, 0}, 1024).kind,
              Kind::error);
    // Counting the prefix, a length equal to the prefix is the empty message.
    const auto counted = framing(2, cf::LengthPrefixFraming::Endian::big, true);
    const auto c = counted.step(Bytes{0, 2}, 1024);
    ASSERT_EQ(c.kind, Kind::message);
    EXPECT_EQ(c.payload_size, 0U);
}

TEST(LengthPrefixFraming, OverALiveConnectionTheHugeHeaderEndsTheReceiveAtOnce) {
    auto factory = std::make_shared<cf::TcpTransportFactory>(
        std::make_shared<cf::LengthPrefixFraming>(cf::LengthPrefixFraming::Options{}), cf::TransportLimits{});
    std::string error;
    auto listener = factory->listen(cf::Endpoint{"127.0.0.1", 0}, error);
    ASSERT_TRUE(listener) << error;
    cf::TcpStream peer;
    ASSERT_FALSE(peer.connect(cf::Endpoint{"127.0.0.1", listener->port()}, cf::after(milliseconds(2000))));
    auto t = listener->accept(cf::after(milliseconds(2000)), error);
    ASSERT_TRUE(t) << error;
    EXPECT_EQ(t->peer_address(), "127.0.0.1");
    ASSERT_FALSE(peer.write_all(Bytes{0x7F, 0xFF, 0xFF, 0xFF}, cf::after(milliseconds(2000))));
    // The peer keeps the connection open and sends nothing more: only the header decides.
    const auto start = cf::SteadyClock::now();
    const auto in = t->receive(cf::after(milliseconds(10000)));
    EXPECT_EQ(in.kind, cf::Incoming::Kind::framing_error) << in.detail;
    EXPECT_LT(cf::SteadyClock::now() - start, milliseconds(5000));
    EXPECT_EQ(t->bytes_received(), 4U);
}

TEST(ConnectionGate, AtMostMaxConcurrentAtOnce) {
    cf::ConnectionGate gate({3, 0, milliseconds(1000)});
    const auto now = cf::SteadyClock::now();
    EXPECT_FALSE(gate.admit("127.0.0.1", 0, now));
    EXPECT_FALSE(gate.admit("127.0.0.1", 2, now));
    const auto why = gate.admit("127.0.0.1", 3, now);
    ASSERT_TRUE(why);
    EXPECT_NE(why->find("at once"), std::string::npos);
    EXPECT_TRUE(gate.admit("", 3, now));  // an address-less transport is still bounded at once
}

TEST(ConnectionGate, PerAddressInASlidingWindow) {
    cf::ConnectionGate gate({0, 3, milliseconds(1000)});
    const auto t0 = cf::SteadyClock::now();
    for (int i = 0; i < 3; ++i) {
        EXPECT_FALSE(gate.admit("127.0.0.2", 0, t0 + milliseconds(100 * i))) << i;
    }
    const auto why = gate.admit("127.0.0.2", 0, t0 + milliseconds(300));
    ASSERT_TRUE(why);
    EXPECT_NE(why->find("127.0.0.2"), std::string::npos);
    // Another address has its own count; an empty one (no address known) is not counted.
    EXPECT_FALSE(gate.admit("127.0.0.3", 0, t0 + milliseconds(300)));
    for (int i = 0; i < 10; ++i) {
        EXPECT_FALSE(gate.admit("", 0, t0 + milliseconds(300)));
    }
    // Refusals do not count: once the first admission leaves the window, one more is admitted.
    EXPECT_TRUE(gate.admit("127.0.0.2", 0, t0 + milliseconds(999)));
    EXPECT_FALSE(gate.admit("127.0.0.2", 0, t0 + milliseconds(1000)));
    EXPECT_TRUE(gate.admit("127.0.0.2", 0, t0 + milliseconds(1050)));
    EXPECT_FALSE(gate.admit("127.0.0.2", 0, t0 + milliseconds(1100)));
    // Addresses with nothing left in the window are forgotten.
    EXPECT_EQ(gate.tracked_addresses(), 2U);
    EXPECT_FALSE(gate.admit("127.0.0.4", 0, t0 + milliseconds(5000)));
    EXPECT_EQ(gate.tracked_addresses(), 1U);
}

namespace {

// An acceptor that says nothing and waits for its peer to leave: a connection it serves stays
// open as long as the client keeps it.
class SilentMachine final : public shakedown::Machine {
public:
    [[nodiscard]] shakedown::Role role() const noexcept override { return shakedown::Role::acceptor; }
    void start() override {}
    void receive(ByteView) override {}
    void peer_closed() override { m_closed = true; }
    void idle_timeout() override { m_closed = true; }
    [[nodiscard]] std::optional<std::uint32_t> idle_timeout_ms() const override { return 20000; }
    [[nodiscard]] shakedown::Action next_action() const override {
        return m_closed ? shakedown::Action::closed : shakedown::Action::receive;
    }
    [[nodiscard]] std::vector<Bytes> take_output() override { return {}; }
    [[nodiscard]] bool authenticated() const noexcept override { return false; }
    [[nodiscard]] std::optional<shakedown::Closure> closure() const override { return std::nullopt; }
    [[nodiscard]] std::vector<shakedown::DerivedKey> derived_keys() const override { return {}; }

private:
    bool m_closed = false;
};

std::shared_ptr<const cf::TransportFactory> tcp() {
    return std::make_shared<cf::TcpTransportFactory>(
        std::make_shared<cf::LengthPrefixFraming>(cf::LengthPrefixFraming::Options{}), cf::TransportLimits{});
}

}  // namespace

TEST(MachineServerLimits, ExcessConcurrentConnectionsAreRefusedAtOnce) {
    Lines lines;
    cf::MachineServer server(
        tcp(), [](shakedown::Role, std::string&) { return std::make_unique<SilentMachine>(); }, cf::DriveLimits{},
        lines.sink(), cf::ConnectionLimits{3, 0, milliseconds(60000)});
    std::string error;
    ASSERT_TRUE(server.listen(cf::Endpoint{"127.0.0.1", 0}, error)) << error;
    server.start_background();
    std::vector<std::unique_ptr<BoundClient>> clients;
    for (int i = 0; i < 5; ++i) {
        clients.push_back(std::make_unique<BoundClient>("127.0.0.1", server.port()));
        ASSERT_TRUE(clients.back()->connected());
        // One at a time, so that which ones are served does not depend on accept order.
        ASSERT_TRUE(wait_for(
            [&] {
                return server.connections_accepted() + server.connections_refused() == static_cast<std::size_t>(i + 1);
            },
            milliseconds(5000)));
    }
    EXPECT_EQ(server.connections_accepted(), 3U);
    EXPECT_EQ(server.connections_refused(), 2U);
    EXPECT_EQ(lines.count("REFUSED 127.0.0.1 more than 3 connections at once"), 2U);
    EXPECT_TRUE(clients[3]->ended_by_server());
    EXPECT_TRUE(clients[4]->ended_by_server());
    // Once a served client leaves, its place is free again (as soon as its worker has finished:
    // until then a new client may still be refused, and tries again).
    clients[0].reset();
    bool admitted = false;
    for (int attempt = 0; attempt < 100 && !admitted; ++attempt) {
        const std::size_t before = server.connections_accepted() + server.connections_refused();
        clients.push_back(std::make_unique<BoundClient>("127.0.0.1", server.port()));
        ASSERT_TRUE(wait_for([&] { return server.connections_accepted() + server.connections_refused() == before + 1; },
                             milliseconds(5000)));
        admitted = server.connections_accepted() == 4;
        if (!admitted) {
            std::this_thread::sleep_for(milliseconds(20));
        }
    }
    EXPECT_TRUE(admitted);
    server.stop();
}

TEST(MachineServerLimits, PerAddressWithinTheWindow) {
    Lines lines;
    cf::MachineServer server(
        tcp(), [](shakedown::Role, std::string&) { return std::make_unique<SilentMachine>(); }, cf::DriveLimits{},
        lines.sink(), cf::ConnectionLimits{0, 2, milliseconds(60000)});
    std::string error;
    ASSERT_TRUE(server.listen(cf::Endpoint{"127.0.0.1", 0}, error)) << error;
    server.start_background();
    std::vector<std::unique_ptr<BoundClient>> clients;
    const auto open = [&](const std::string& source) {
        const std::size_t before = server.connections_accepted() + server.connections_refused();
        clients.push_back(std::make_unique<BoundClient>(source, server.port()));
        return clients.back()->connected() &&
               wait_for([&] { return server.connections_accepted() + server.connections_refused() == before + 1; },
                        milliseconds(5000));
    };
    ASSERT_TRUE(open("127.0.0.7"));
    clients.back().reset();  // leaving does not give the address its admission back
    ASSERT_TRUE(open("127.0.0.7"));
    ASSERT_TRUE(open("127.0.0.7"));
    ASSERT_TRUE(open("127.0.0.8"));
    EXPECT_EQ(server.connections_accepted(), 3U);
    EXPECT_EQ(server.connections_refused(), 1U);
    EXPECT_EQ(lines.count("REFUSED 127.0.0.7 more than 2 connections from 127.0.0.7 in 60000 ms"), 1U);
    EXPECT_TRUE(clients[2]->ended_by_server());
    server.stop();
}

namespace {

// A connection that completes as the accept's deadline passes is still accepted: dropping it
// would reset a peer that did nothing wrong (under load the race is common).
TEST(TcpListenerDeadline, AConnectionAlreadyWaitingIsAcceptedEvenPastTheDeadline) {
    cf::TcpListener listener;
    ASSERT_FALSE(listener.listen(cf::Endpoint{"127.0.0.1", 0}));
    cf::TcpStream client;
    ASSERT_FALSE(client.connect(cf::Endpoint{"127.0.0.1", listener.port()}, cf::after(milliseconds(2000))));
    ASSERT_FALSE(client.write_all(Bytes{1, 2, 3}, cf::after(milliseconds(2000))));
    std::this_thread::sleep_for(milliseconds(50));  // the connection is in the backlog
    std::error_code ec;
    auto accepted = listener.accept(cf::SteadyClock::now() - milliseconds(1), ec);
    ASSERT_TRUE(accepted) << ec.message();
    std::uint8_t buf[3] = {};
    EXPECT_EQ(accepted->read_some(buf, cf::after(milliseconds(2000)), ec), 3U) << ec.message();
    EXPECT_EQ(buf[2], 3);
}

}  // namespace
