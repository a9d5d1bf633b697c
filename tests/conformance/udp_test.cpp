// The UDP datagram transport (conformance/runner/udp.hpp): one message per datagram, bounds on
// what is sent and delivered, deadlines, a listener that sorts sources into bounded per-peer
// queues and survives a flood from many ports, the datagram mutator, and STT's machines served
// over it by the generic machine peer.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "tests/conformance/timeout_scale.hpp"

#include <deque>
#include <mutex>

#include "common/rng.hpp"
#include "common/writer.hpp"
#include "conformance/runner/machine_peer.hpp"
#include "conformance/runner/udp.hpp"
#include "conformance/scenarios/stt/variant.hpp"
#include "stt/frame.hpp"
#include "stt/handshake.hpp"

namespace {

namespace cf = shakedown::conformance;
namespace reg = shakedown::registry;
using shakedown::Bytes;
using shakedown::ByteView;
using shakedown::Role;

using shakedown::test::scale;
using shakedown::test::in_ms;

Bytes text(std::string_view s) { return {s.begin(), s.end()}; }

const cf::Endpoint kLoopback{"127.0.0.1", 0};

std::unique_ptr<cf::UdpListener> listen(const cf::UdpTransportFactory& f) {
    std::string error;
    auto l = f.listen_udp(kLoopback, error);
    EXPECT_TRUE(l) << error;
    return l;
}

std::unique_ptr<cf::DatagramTransport> connect(const cf::UdpTransportFactory& f, std::uint16_t port) {
    std::string error;
    auto t = f.connect(cf::Endpoint{"127.0.0.1", port}, in_ms(1000), error);
    EXPECT_TRUE(t) << error;
    return std::unique_ptr<cf::DatagramTransport>(dynamic_cast<cf::DatagramTransport*>(t.release()));
}

// A plain socket on its own ephemeral port: a source the listener has not seen.
class RawSocket {
public:
    RawSocket() : m_fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        (void)::bind(m_fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    }
    RawSocket(const RawSocket&) = delete;
    RawSocket& operator=(const RawSocket&) = delete;
    ~RawSocket() { ::close(m_fd); }
    bool send_to(std::uint16_t port, ByteView bytes) const {
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        a.sin_port = htons(port);
        return ::sendto(m_fd, bytes.data(), bytes.size(), 0, reinterpret_cast<sockaddr*>(&a), sizeof a) ==
               static_cast<ssize_t>(bytes.size());
    }
    [[nodiscard]] std::uint16_t port() const {
        sockaddr_in a{};
        socklen_t len = sizeof a;
        (void)::getsockname(m_fd, reinterpret_cast<sockaddr*>(&a), &len);
        return ntohs(a.sin_port);
    }

private:
    int m_fd;
};

// Fresh source ports. The last kOpen stay open, so the kernel cannot hand out again a port whose
// peer the listener may still hold (it holds fewer than kOpen): each new socket is a new peer.
class PortPool {
public:
    static constexpr std::size_t kOpen = 128;
    const RawSocket& fresh() {
        m_open.push_back(std::make_unique<RawSocket>());
        if (m_open.size() > kOpen) {
            m_open.pop_front();
        }
        return *m_open.back();
    }

private:
    std::deque<std::unique_ptr<RawSocket>> m_open;
};

// Waits (with a deadline) until the listener has read `count` datagrams: floods are sent in
// batches the kernel's socket buffer holds, so none is lost before the reader gets to it.
bool wait_read(const cf::UdpListener& l, std::size_t count) {
    const auto deadline = in_ms(5000);
    while (l.stats().datagrams < count) {
        if (cf::SteadyClock::now() >= deadline) {
            return false;
        }
        std::this_thread::sleep_for(cf::Millis(1));
    }
    return true;
}

TEST(Udp, RoundTripOneDatagramPerMessage) {
    const cf::UdpTransportFactory f;
    EXPECT_EQ(f.name(), "udp");
    auto l = listen(f);
    ASSERT_NE(l->port(), 0);
    auto c = connect(f, l->port());
    ASSERT_FALSE(c->reports_peer_close());
    ASSERT_FALSE(c->send(text("one"), in_ms(1000)));
    ASSERT_FALSE(c->send(text("two"), in_ms(1000)));
    std::string error;
    auto s = l->accept(in_ms(2000), error);
    ASSERT_TRUE(s) << error;
    auto* ds = dynamic_cast<cf::DatagramTransport*>(s.get());
    ASSERT_NE(ds, nullptr);
    EXPECT_EQ(ds->remote().port, c->local().port);
    // Two sends, two messages: datagram boundaries are kept.
    auto in = s->receive(in_ms(2000));
    ASSERT_EQ(in.kind, cf::Incoming::Kind::message);
    EXPECT_EQ(in.wire, text("one"));
    EXPECT_EQ(in.payload, text("one"));
    in = s->receive(in_ms(2000));
    ASSERT_EQ(in.kind, cf::Incoming::Kind::message);
    EXPECT_EQ(in.wire, text("two"));
    ASSERT_FALSE(s->send(text("back"), in_ms(1000)));
    in = c->receive(in_ms(2000));
    ASSERT_EQ(in.kind, cf::Incoming::Kind::message);
    EXPECT_EQ(in.wire, text("back"));
    EXPECT_EQ(s->bytes_received(), 6U);
    EXPECT_EQ(c->bytes_received(), 4U);

    // A second client is a second peer with its own transport; the first sees none of its data.
    auto c2 = connect(f, l->port());
    ASSERT_FALSE(c2->send(text("other"), in_ms(1000)));
    auto s2 = l->accept(in_ms(2000), error);
    ASSERT_TRUE(s2) << error;
    in = s2->receive(in_ms(2000));
    ASSERT_EQ(in.kind, cf::Incoming::Kind::message);
    EXPECT_EQ(in.wire, text("other"));
    EXPECT_EQ(s->receive(in_ms(100)).kind, cf::Incoming::Kind::timeout);

    // The transcript records sends and receives.
    cf::Transcript transcript;
    s->attach(&transcript, 1);
    ASSERT_FALSE(c->send(text("t"), in_ms(1000)));
    ASSERT_EQ(s->receive(in_ms(2000)).kind, cf::Incoming::Kind::message);
    ASSERT_FALSE(s->send(text("u"), in_ms(1000)));
    ASSERT_EQ(transcript.entries().size(), 2U);
    EXPECT_EQ(transcript.entries()[0].direction, cf::Direction::received);
    EXPECT_EQ(transcript.entries()[1].direction, cf::Direction::sent);
    EXPECT_EQ(transcript.entries()[1].connection, 1);
}

TEST(Udp, OversizeSendIsRefused) {
    const cf::UdpTransportFactory f;
    auto l = listen(f);
    auto c = connect(f, l->port());
    EXPECT_EQ(c->send(Bytes(1473, 0x41), in_ms(1000)), std::make_error_code(std::errc::message_size));
    ASSERT_FALSE(c->send(Bytes(1472, 0x42), in_ms(1000)));
    std::string error;
    auto s = l->accept(in_ms(2000), error);
    ASSERT_TRUE(s) << error;
    const auto in = s->receive(in_ms(2000));
    ASSERT_EQ(in.kind, cf::Incoming::Kind::message);
    EXPECT_EQ(in.wire, Bytes(1472, 0x42));  // only the one within the bound went out
    EXPECT_EQ(s->send(Bytes(2000, 0x43), in_ms(1000)), std::make_error_code(std::errc::message_size));
    EXPECT_EQ(c->receive(in_ms(100)).kind, cf::Incoming::Kind::timeout);
}

TEST(Udp, OversizeReceiveIsALimitWithItsSize) {
    // The listener's end: a 5000-byte datagram from a raw socket.
    cf::UdpLimits small;
    small.receive_buffer = 2048;  // smaller than the datagram: MSG_TRUNC still gives its size
    const cf::UdpTransportFactory f(small);
    auto l = listen(f);
    RawSocket raw;
    ASSERT_TRUE(raw.send_to(l->port(), Bytes(5000, 0x44)));
    ASSERT_TRUE(raw.send_to(l->port(), text("after")));
    std::string error;
    auto s = l->accept(in_ms(2000), error);
    ASSERT_TRUE(s) << error;
    auto in = s->receive(in_ms(2000));
    ASSERT_EQ(in.kind, cf::Incoming::Kind::limit);
    EXPECT_NE(in.detail.find("5000"), std::string::npos) << in.detail;
    EXPECT_EQ(in.wire.size(), 2048U);
    // A datagram transport goes on: the next datagram is whole.
    in = s->receive(in_ms(2000));
    ASSERT_EQ(in.kind, cf::Incoming::Kind::message);
    EXPECT_EQ(in.wire, text("after"));

    // The client's end: a listener allowed larger datagrams answers with 3000 bytes.
    cf::UdpLimits big;
    big.max_datagram = 65507;
    const cf::UdpTransportFactory server(big);
    auto l2 = listen(server);
    auto c = connect(cf::UdpTransportFactory{}, l2->port());
    ASSERT_FALSE(c->send(text("hi"), in_ms(1000)));
    auto s2 = l2->accept(in_ms(2000), error);
    ASSERT_TRUE(s2) << error;
    ASSERT_FALSE(s2->send(Bytes(3000, 0x45), in_ms(1000)));
    in = c->receive(in_ms(2000));
    ASSERT_EQ(in.kind, cf::Incoming::Kind::limit);
    EXPECT_NE(in.detail.find("3000"), std::string::npos) << in.detail;
    EXPECT_EQ(in.wire, Bytes(3000, 0x45));
}

TEST(Udp, EveryWaitHasADeadline) {
    const cf::UdpTransportFactory f;
    auto l = listen(f);
    std::string error;
    auto start = cf::SteadyClock::now();
    EXPECT_FALSE(l->accept(cf::after(cf::Millis(150)), error));
    EXPECT_FALSE(error.empty());
    EXPECT_GE(cf::SteadyClock::now() - start, cf::Millis(150));

    auto c = connect(f, l->port());
    start = cf::SteadyClock::now();
    EXPECT_EQ(c->receive(cf::after(cf::Millis(150))).kind, cf::Incoming::Kind::timeout);
    EXPECT_GE(cf::SteadyClock::now() - start, cf::Millis(150));

    ASSERT_FALSE(c->send(text("x"), in_ms(1000)));
    auto s = l->accept(in_ms(2000), error);
    ASSERT_TRUE(s) << error;
    ASSERT_EQ(s->receive(in_ms(2000)).kind, cf::Incoming::Kind::message);
    start = cf::SteadyClock::now();
    EXPECT_EQ(s->receive(cf::after(cf::Millis(150))).kind, cf::Incoming::Kind::timeout);
    EXPECT_GE(cf::SteadyClock::now() - start, cf::Millis(150));
}

TEST(Udp, ClosedOnlyAfterCloseAndThePeerIsForgotten) {
    const cf::UdpTransportFactory f;
    auto l = listen(f);
    auto c = connect(f, l->port());
    ASSERT_FALSE(c->send(text("a"), in_ms(1000)));
    std::string error;
    auto s = l->accept(in_ms(2000), error);
    ASSERT_TRUE(s) << error;
    ASSERT_EQ(s->receive(in_ms(2000)).kind, cf::Incoming::Kind::message);
    s->close();
    EXPECT_EQ(s->receive(in_ms(100)).kind, cf::Incoming::Kind::closed);
    EXPECT_TRUE(s->send(text("late"), in_ms(100)));
    // The same address again is a new peer.
    ASSERT_FALSE(c->send(text("b"), in_ms(1000)));
    auto again = l->accept(in_ms(2000), error);
    ASSERT_TRUE(again) << error;
    const auto in = again->receive(in_ms(2000));
    ASSERT_EQ(in.kind, cf::Incoming::Kind::message);
    EXPECT_EQ(in.wire, text("b"));
    c->close();
    EXPECT_EQ(c->receive(in_ms(100)).kind, cf::Incoming::Kind::closed);
}

TEST(Udp, NothingListeningIsAReset) {
    std::uint16_t port = 0;
    {
        RawSocket gone;
        port = gone.port();
    }
    const cf::UdpTransportFactory f;
    auto c = connect(f, port);
    ASSERT_FALSE(c->send(text("anyone?"), in_ms(1000)));
    const auto in = c->receive(in_ms(2000));
    EXPECT_EQ(in.kind, cf::Incoming::Kind::reset) << in.detail;
}

TEST(Udp, FloodFromManyPortsStaysBoundedAndAnHonestPeerGetsThrough) {
    cf::UdpLimits limits;
    limits.max_peers = 32;
    limits.queue_datagrams = 4;
    limits.queue_bytes = 4000;
    const cf::UdpTransportFactory f(limits);
    auto l = listen(f);
    constexpr std::size_t kPorts = 2000;
    constexpr std::size_t kPerPort = 3;
    constexpr std::size_t kBatch = 16;
    std::size_t sent = 0;
    PortPool ports;
    for (std::size_t i = 0; i < kPorts; i += kBatch) {
        for (std::size_t j = i; j < std::min(kPorts, i + kBatch); ++j) {
            const RawSocket& s = ports.fresh();
            for (std::size_t k = 0; k < kPerPort; ++k) {
                ASSERT_TRUE(s.send_to(l->port(), Bytes(1000, static_cast<std::uint8_t>(j))));
                ++sent;
            }
        }
        ASSERT_TRUE(wait_read(*l, sent)) << "read " << l->stats().datagrams << " of " << sent;
    }
    // One port floods alone: its queue is bounded, the rest dropped.
    {
        const RawSocket& heavy = ports.fresh();
        for (int k = 0; k < 40; ++k) {
            ASSERT_TRUE(heavy.send_to(l->port(), Bytes(900, 0x99)));
            ++sent;
        }
        ASSERT_TRUE(wait_read(*l, sent));
    }
    auto st = l->stats();
    EXPECT_EQ(st.datagrams, sent);
    EXPECT_EQ(st.peers_seen, kPorts + 1);
    EXPECT_LE(st.peers_high, limits.max_peers);
    EXPECT_EQ(st.peers, limits.max_peers);
    EXPECT_EQ(st.evicted, st.peers_seen - limits.max_peers);
    EXPECT_LE(st.queued_bytes_high, limits.max_peers * limits.queue_bytes);
    EXPECT_EQ(st.dropped, 40U - limits.queue_datagrams);  // only the heavy port's overflow
    std::cout << "flood: " << st.datagrams << " datagrams from " << st.peers_seen << " ports; peers at most "
              << st.peers_high << ", evicted " << st.evicted << ", dropped " << st.dropped << ", queued at most "
              << st.queued_bytes_high << " bytes\n";

    // An honest peer arriving into the full table still gets in (the least recently heard from
    // makes room) and is served.
    auto honest = connect(f, l->port());
    ASSERT_FALSE(honest->send(text("hello"), in_ms(1000)));
    std::unique_ptr<cf::Transport> mine;
    for (std::size_t n = 0; n <= limits.max_peers && !mine; ++n) {
        std::string error;
        auto t = l->accept(in_ms(2000), error);
        ASSERT_TRUE(t) << error;
        if (dynamic_cast<cf::DatagramTransport&>(*t).remote().port == honest->local().port) {
            mine = std::move(t);
        }
    }
    ASSERT_TRUE(mine);
    const auto in = mine->receive(in_ms(2000));
    ASSERT_EQ(in.kind, cf::Incoming::Kind::message);
    EXPECT_EQ(in.wire, text("hello"));
    ASSERT_FALSE(mine->send(text("welcome"), in_ms(1000)));
    EXPECT_EQ(honest->receive(in_ms(2000)).wire, text("welcome"));
    EXPECT_LE(l->stats().peers_high, limits.max_peers);
}

TEST(Udp, EvictedPeerIsReset) {
    cf::UdpLimits limits;
    limits.max_peers = 2;
    const cf::UdpTransportFactory f(limits);
    auto l = listen(f);
    auto a = connect(f, l->port());
    ASSERT_FALSE(a->send(text("a"), in_ms(1000)));
    std::string error;
    auto sa = l->accept(in_ms(2000), error);
    ASSERT_TRUE(sa) << error;
    RawSocket b;
    RawSocket c;
    ASSERT_TRUE(b.send_to(l->port(), text("b")));
    ASSERT_TRUE(wait_read(*l, 2));
    ASSERT_TRUE(c.send_to(l->port(), text("c")));  // a is the least recently heard from
    ASSERT_TRUE(wait_read(*l, 3));
    const auto in = sa->receive(in_ms(2000));
    EXPECT_EQ(in.kind, cf::Incoming::Kind::reset);
    EXPECT_NE(in.detail.find("evicted"), std::string::npos);
    EXPECT_EQ(l->stats().evicted, 1U);
}

// A sender that timed out and started over from another port: its first address, still waiting,
// is dropped once a newer one came superseded_after later; addresses close together all wait.
TEST(Udp, WaitingAddressSupersededByALaterOneIsDropped) {
    cf::UdpLimits limits;
    limits.superseded_after = cf::Millis(100);
    const cf::UdpTransportFactory f(limits);
    auto l = listen(f);
    RawSocket first;
    RawSocket again;
    RawSocket beside;
    ASSERT_TRUE(first.send_to(l->port(), text("first")));
    ASSERT_TRUE(wait_read(*l, 1));
    std::this_thread::sleep_for(cf::Millis(300));
    ASSERT_TRUE(again.send_to(l->port(), text("again")));
    ASSERT_TRUE(beside.send_to(l->port(), text("beside")));
    ASSERT_TRUE(wait_read(*l, 3));
    std::string error;
    auto s = l->accept(in_ms(2000), error);
    ASSERT_TRUE(s) << error;
    EXPECT_EQ(s->receive(in_ms(2000)).wire, text("again"));
    auto t = l->accept(in_ms(2000), error);
    ASSERT_TRUE(t) << error;
    EXPECT_EQ(t->receive(in_ms(2000)).wire, text("beside"));
    EXPECT_EQ(l->stats().superseded, 1U);
}

// --- the mutator ---------------------------------------------------------------------------

struct MutationRig {
    explicit MutationRig(cf::DatagramMutator m) : listener(listen(factory)) {
        client = std::make_unique<cf::MutatingTransport>(connect(factory, listener->port()), std::move(m));
    }
    std::unique_ptr<cf::Transport> accept() {
        std::string error;
        auto t = listener->accept(in_ms(2000), error);
        EXPECT_TRUE(t) << error;
        return t;
    }
    // Every datagram the server end gets until `ms` of silence.
    static std::vector<Bytes> drain(cf::Transport& t, int ms) {
        std::vector<Bytes> got;
        for (;;) {
            auto in = t.receive(cf::after(cf::Millis(ms)));
            if (in.kind != cf::Incoming::Kind::message) {
                return got;
            }
            got.push_back(in.wire);
        }
    }

    cf::UdpTransportFactory factory;
    std::unique_ptr<cf::UdpListener> listener;
    std::unique_ptr<cf::MutatingTransport> client;
};

TEST(UdpMutator, DropsTheKth) {
    MutationRig rig(cf::mutate_at(1, {cf::DatagramMutation::Kind::drop, {}}));
    cf::Transcript transcript;
    rig.client->attach(&transcript, 0);
    for (const char* d : {"d0", "d1", "d2"}) {
        ASSERT_FALSE(rig.client->send(text(d), in_ms(1000)));
    }
    auto s = rig.accept();
    ASSERT_TRUE(s);
    EXPECT_EQ(MutationRig::drain(*s, 200), (std::vector<Bytes>{text("d0"), text("d2")}));
    std::size_t sent = 0;
    bool noted = false;
    for (const auto& e : transcript.entries()) {
        sent += e.direction == cf::Direction::sent ? 1 : 0;
        noted = noted || e.note.find("dropped datagram 1") != std::string::npos;
    }
    EXPECT_EQ(sent, 2U);
    EXPECT_TRUE(noted);
}

TEST(UdpMutator, Duplicates) {
    MutationRig rig(cf::mutate_at(0, {cf::DatagramMutation::Kind::duplicate, {}}));
    ASSERT_FALSE(rig.client->send(text("d0"), in_ms(1000)));
    ASSERT_FALSE(rig.client->send(text("d1"), in_ms(1000)));
    auto s = rig.accept();
    ASSERT_TRUE(s);
    EXPECT_EQ(MutationRig::drain(*s, 200), (std::vector<Bytes>{text("d0"), text("d0"), text("d1")}));
}

TEST(UdpMutator, ReordersHoldingOneUntilAfterTheNext) {
    MutationRig rig(cf::mutate_at(0, {cf::DatagramMutation::Kind::reorder, {}}));
    ASSERT_FALSE(rig.client->send(text("d0"), in_ms(1000)));
    EXPECT_EQ(rig.client->pending(), 1U);
    std::string error;
    EXPECT_FALSE(rig.listener->accept(cf::after(cf::Millis(100)), error));  // nothing on the wire yet
    ASSERT_FALSE(rig.client->send(text("d1"), in_ms(1000)));
    ASSERT_FALSE(rig.client->send(text("d2"), in_ms(1000)));
    EXPECT_EQ(rig.client->pending(), 0U);
    auto s = rig.accept();
    ASSERT_TRUE(s);
    EXPECT_EQ(MutationRig::drain(*s, 200), (std::vector<Bytes>{text("d1"), text("d0"), text("d2")}));
}

TEST(UdpMutator, DelaysWhileOthersOvertake) {
    constexpr int kDelay = 300;
    MutationRig rig(cf::mutate_at(0, {cf::DatagramMutation::Kind::delay, cf::Millis(kDelay)}));
    const auto start = cf::SteadyClock::now();
    ASSERT_FALSE(rig.client->send(text("d0"), in_ms(1000)));
    ASSERT_FALSE(rig.client->send(text("d1"), in_ms(1000)));
    auto s = rig.accept();
    ASSERT_TRUE(s);
    auto in = s->receive(in_ms(2000));
    ASSERT_EQ(in.kind, cf::Incoming::Kind::message);
    EXPECT_EQ(in.wire, text("d1"));
    EXPECT_EQ(rig.client->pending(), 1U);
    // The delayed datagram goes out while the runner waits for input.
    EXPECT_EQ(rig.client->receive(cf::after(cf::Millis(kDelay + 200))).kind, cf::Incoming::Kind::timeout);
    EXPECT_EQ(rig.client->pending(), 0U);
    in = s->receive(in_ms(2000));
    ASSERT_EQ(in.kind, cf::Incoming::Kind::message);
    EXPECT_EQ(in.wire, text("d0"));
    EXPECT_GE(cf::SteadyClock::now() - start, cf::Millis(kDelay));
}

TEST(UdpMutator, SendsFromASecondSource) {
    MutationRig rig(cf::mutate_at(1, {cf::DatagramMutation::Kind::second_source, {}}));
    ASSERT_FALSE(rig.client->send(text("d0"), in_ms(1000)));
    ASSERT_FALSE(rig.client->send(text("d1"), in_ms(1000)));
    const std::uint16_t second = rig.client->second_source_port();
    ASSERT_NE(second, 0);
    EXPECT_NE(second, rig.client->local().port);
    auto first = rig.accept();
    auto other = rig.accept();
    ASSERT_TRUE(first && other);
    EXPECT_EQ(dynamic_cast<cf::DatagramTransport&>(*first).remote().port, rig.client->local().port);
    EXPECT_EQ(dynamic_cast<cf::DatagramTransport&>(*other).remote().port, second);
    EXPECT_EQ(MutationRig::drain(*first, 100), (std::vector<Bytes>{text("d0")}));
    EXPECT_EQ(MutationRig::drain(*other, 100), (std::vector<Bytes>{text("d1")}));
    // Answers to the second source are read from it, not from the main transport.
    ASSERT_FALSE(other->send(text("to second"), in_ms(1000)));
    const auto in = rig.client->receive_second_source(in_ms(2000));
    ASSERT_EQ(in.kind, cf::Incoming::Kind::message);
    EXPECT_EQ(in.wire, text("to second"));
    EXPECT_EQ(rig.client->receive(cf::after(cf::Millis(100))).kind, cf::Incoming::Kind::timeout);
}

// --- STT over UDP through the generic machine peer -----------------------------------------

// Builds STT reference machines that own their randomness and clock.
class SttMachines {
public:
    std::unique_ptr<shakedown::Machine> make(Role role, std::string& error) {
        std::lock_guard<std::mutex> lock(m_mutex);
        reg::MachineRequest request;
        request.role = role;
        request.profile = "strict";
        return shakedown::stt::variant().make_machine(request, m_rng, m_clock, error);
    }

private:
    std::mutex m_mutex;
    shakedown::SystemRng m_rng;
    shakedown::SystemClock m_clock;
};

// The STT variant's transport, keeping hold of the listener it makes so the test can read its
// stats.
class ObservedUdp final : public cf::TransportFactory {
public:
    explicit ObservedUdp(cf::UdpLimits limits) : m_inner(limits) {}
    [[nodiscard]] std::string name() const override { return m_inner.name(); }
    [[nodiscard]] std::unique_ptr<cf::Transport> connect(const cf::Endpoint& to, cf::Deadline deadline,
                                                         std::string& error) const override {
        return m_inner.connect(to, deadline, error);
    }
    [[nodiscard]] std::unique_ptr<cf::Listener> listen(const cf::Endpoint& at, std::string& error) const override {
        auto l = m_inner.listen_udp(at, error);
        last = l.get();
        return l;
    }
    mutable cf::UdpListener* last = nullptr;

private:
    cf::UdpTransportFactory m_inner;
};

struct Lines {
    std::mutex mutex;
    std::vector<std::string> lines;
    cf::LineSink sink() {
        return [this](const std::string& line) {
            std::lock_guard<std::mutex> lock(mutex);
            lines.push_back(line);
        };
    }
    std::size_t count(std::string_view prefix) {
        std::lock_guard<std::mutex> lock(mutex);
        return static_cast<std::size_t>(std::count_if(lines.begin(), lines.end(), [&](const std::string& l) {
            return l.rfind(prefix, 0) == 0;
        }));
    }
    bool has(std::string_view needle) {
        std::lock_guard<std::mutex> lock(mutex);
        return std::any_of(lines.begin(), lines.end(),
                           [&](const std::string& l) { return l.find(needle) != std::string::npos; });
    }
};

struct SttServer {
    explicit SttServer(cf::UdpLimits limits = sttLimits())
        : factory(std::make_shared<ObservedUdp>(limits)),
          server(factory, [this](Role role, std::string& error) { return machines.make(role, error); }, drive_limits(),
                 lines.sink()) {
        std::string error;
        EXPECT_TRUE(server.listen(kLoopback, error)) << error;
        server.start_background();
    }
    static cf::UdpLimits sttLimits() {
        cf::UdpLimits l;
        l.max_datagram = shakedown::stt::kMaxDatagram;
        return l;
    }
    static cf::DriveLimits drive_limits() {
        cf::DriveLimits d;
        d.datagram_linger = cf::Millis(200);
        return d;
    }
    // One honest STT initiator against the server over `transport`.
    cf::DriveOutcome initiate(cf::Transport& transport) {
        std::string error;
        auto m = machines.make(Role::initiator, error);
        EXPECT_TRUE(m) << error;
        m->start();
        const std::atomic<bool> stop{false};
        Lines mine;
        return cf::drive_machine(*m, transport, stop, drive_limits(), mine.sink());
    }

    SttMachines machines;
    Lines lines;
    std::shared_ptr<ObservedUdp> factory;
    cf::MachineServer server;
};

TEST(UdpStt, HandshakeThroughTheGenericMachinePeer) {
    SttServer srv;
    auto t = connect(cf::UdpTransportFactory(SttServer::sttLimits()), srv.server.port());
    const auto outcome = srv.initiate(*t);
    EXPECT_TRUE(outcome.authenticated) << outcome.line;
    // The datagram transport never says the peer left: the driver ends after the linger.
    EXPECT_NE(outcome.line.find("quiet for 200 ms"), std::string::npos) << outcome.line;
    const auto deadline = in_ms(3000);
    while (srv.lines.count("CLOSED") == 0 && cf::SteadyClock::now() < deadline) {
        std::this_thread::sleep_for(cf::Millis(5));
    }
    EXPECT_EQ(srv.lines.count("HANDSHAKE_OK "), 1U);
    EXPECT_EQ(srv.lines.count("CLOSED"), 1U);
}

TEST(UdpStt, HandshakeSurvivesEveryDatagramDuplicated) {
    SttServer srv;
    auto inner = connect(cf::UdpTransportFactory(SttServer::sttLimits()), srv.server.port());
    cf::MutatingTransport t(std::move(inner), [](std::size_t, ByteView) {
        return cf::DatagramMutation{cf::DatagramMutation::Kind::duplicate, {}};
    });
    const auto outcome = srv.initiate(t);
    EXPECT_TRUE(outcome.authenticated) << outcome.line;
}

TEST(UdpStt, HostileFramesAreDeliveredAndTheMachineRejectsThemWithoutGrowth) {
    using namespace shakedown::stt;
    // "ST", a length claiming 2 MiB (+1: over the frame bound), then filler up to 1472 bytes.
    auto claim = [](std::uint64_t length) {
        shakedown::Writer w;
        w.put_bytes(shakedown::as_bytes("ST"));
        put_varint(w, length);
        Bytes d = std::move(w).take();
        d.resize(kMaxDatagram, 0x00);
        return d;
    };
    const Bytes two_mib = claim(kMaxFrame);
    const Bytes over = claim(kMaxFrame + 1);
    // A varint whose continuation bit never ends, to the end of the datagram.
    Bytes endless = text("ST");
    endless.resize(kMaxDatagram, 0x80);

    struct Case {
        const Bytes* datagram;
        shakedown::Error error;
    };
    const Case cases[] = {{&two_mib, shakedown::Error::truncated},
                          {&over, shakedown::Error::oversize},
                          {&endless, shakedown::Error::bad_length}};

    // The transport does not look inside: each arrives as one whole message.
    {
        const cf::UdpTransportFactory f(SttServer::sttLimits());
        auto l = listen(f);
        auto c = connect(f, l->port());
        std::string error;
        std::unique_ptr<cf::Transport> s;
        for (const auto& k : cases) {
            ASSERT_FALSE(c->send(*k.datagram, in_ms(1000)));
            if (!s) {
                s = l->accept(in_ms(2000), error);
                ASSERT_TRUE(s) << error;
            }
            const auto in = s->receive(in_ms(2000));
            ASSERT_EQ(in.kind, cf::Incoming::Kind::message);
            EXPECT_EQ(in.wire, *k.datagram);
        }
    }

    // The machine alone: closed with the error, nothing buffered.
    for (const auto& c : cases) {
        SttMachines machines;
        std::string error;
        auto m = machines.make(Role::acceptor, error);
        ASSERT_TRUE(m) << error;
        m->start();
        m->receive(*c.datagram);
        EXPECT_EQ(m->next_action(), shakedown::Action::closed);
        ASSERT_TRUE(m->closure());
        EXPECT_EQ(m->closure()->failure.code, c.error) << shakedown::to_string(m->closure()->failure.code);
        EXPECT_EQ(m->pending_bytes(), 0U);
        EXPECT_TRUE(m->take_output().empty());
    }

    // Over the wire: the transport delivers each datagram whole; the served machine rejects it and
    // answers nothing.
    SttServer srv;
    const std::size_t before = srv.factory->last->stats().queued_bytes_high;
    for (const auto& c : cases) {
        auto t = connect(cf::UdpTransportFactory(SttServer::sttLimits()), srv.server.port());
        ASSERT_FALSE(t->send(*c.datagram, in_ms(1000)));
        EXPECT_EQ(t->receive(cf::after(cf::Millis(200))).kind, cf::Incoming::Kind::timeout);
        const std::string name(shakedown::to_string(c.error));
        const auto deadline = in_ms(3000);
        while (!srv.lines.has("HANDSHAKE_FAILED " + name) && cf::SteadyClock::now() < deadline) {
            std::this_thread::sleep_for(cf::Millis(5));
        }
        EXPECT_TRUE(srv.lines.has("HANDSHAKE_FAILED " + name)) << name;
    }
    // Each peer is forgotten once its machine closed.
    const auto deadline = in_ms(3000);
    while (srv.factory->last->stats().peers != 0 && cf::SteadyClock::now() < deadline) {
        std::this_thread::sleep_for(cf::Millis(5));
    }
    const auto st = srv.factory->last->stats();
    EXPECT_EQ(st.peers, 0U);
    EXPECT_LE(st.queued_bytes_high, std::max<std::size_t>(before, kMaxDatagram));
}

TEST(UdpStt, FloodOfHellosFromManyPortsIsBoundedAndAnHonestPeerCompletes) {
    cf::UdpLimits limits = SttServer::sttLimits();
    limits.max_peers = 32;
    SttServer srv(limits);
    cf::UdpListener& listener = *srv.factory->last;
    // Real HELLOs (each opens a machine waiting for AUTH_PROOF) and junk, from 2,000 ports.
    constexpr std::size_t kPorts = 2000;
    constexpr std::size_t kBatch = 16;
    std::size_t sent = 0;
    const Bytes junk = text("not an STT frame");
    PortPool ports;
    for (std::size_t i = 0; i < kPorts; i += kBatch) {
        for (std::size_t j = i; j < std::min(kPorts, i + kBatch); ++j) {
            const RawSocket& s = ports.fresh();
            if (j % 2 == 0) {
                std::string error;
                auto m = srv.machines.make(Role::initiator, error);
                ASSERT_TRUE(m) << error;
                m->start();
                for (const auto& d : m->take_output()) {
                    ASSERT_TRUE(s.send_to(srv.server.port(), d));
                    ++sent;
                }
            } else {
                ASSERT_TRUE(s.send_to(srv.server.port(), junk));
                ++sent;
            }
        }
        ASSERT_TRUE(wait_read(listener, sent)) << "read " << listener.stats().datagrams << " of " << sent;
    }
    auto st = listener.stats();
    EXPECT_LE(st.peers_high, limits.max_peers);
    EXPECT_EQ(st.peers_seen, kPorts);

    auto t = connect(cf::UdpTransportFactory(SttServer::sttLimits()), srv.server.port());
    const auto outcome = srv.initiate(*t);
    EXPECT_TRUE(outcome.authenticated) << outcome.line;
    st = listener.stats();
    EXPECT_LE(st.peers_high, limits.max_peers);
    EXPECT_LE(st.queued_bytes_high, limits.max_peers * limits.queue_bytes);
    std::cout << "STT flood: " << st.datagrams << " datagrams from " << st.peers_seen << " ports, "
              << srv.server.connections_accepted() << " accepted, peers at most " << st.peers_high << ", evicted "
              << st.evicted << ", queued at most " << st.queued_bytes_high << " bytes\n";
}

}  // namespace
