// The WebSocket transport: messages both ways (opcode prefix or plain binary), fragments, pings,
// close codes, TLS with run-time certificates and pins; and its robustness against hostile peers
// written here with raw sockets: stalled or garbage upgrades, a 2 GiB frame header, unmasked
// frames, ping and fragment floods, a peer that never speaks, non-TLS and TLS 1.2 clients, garbage
// in place of a ClientHello or a ServerHello, a server that never answers, and a TLS 1.3 peer
// flooding KeyUpdate requests; session tickets only where asked for. The client side against
// hostile servers: an upgrade response that trickles past the deadline, garbage or a refusal in
// its place, a 2 GiB frame header, and a peer that never answers the close; slow and partial
// delivery (a message in small frames) as it goes out on the wire.
// Verdicts never depend on timing: every wait has a deadline, and the checks are on what came back.
#include <gtest/gtest.h>

#include "tests/conformance/timeout_scale.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>
#include <openssl/evp.h>
#include <openssl/ssl.h>

#include "conformance/runner/websocket.hpp"

namespace cf = shakedown::conformance;
namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = beast::websocket;
using shakedown::Bytes;
using shakedown::ByteView;
using std::chrono::milliseconds;

namespace {

using shakedown::test::scale;
using shakedown::test::in_ms;

Bytes bytes(std::string_view s) { return Bytes(s.begin(), s.end()); }
Bytes prefixed(std::uint8_t op, std::string_view s) {
    Bytes b(s.size() + 1, op);
    std::copy(s.begin(), s.end(), b.begin() + 1);
    return b;
}

cf::WebSocketOptions options(bool tls = false, bool prefix = false) {
    cf::WebSocketOptions o;
    o.tls = tls;
    o.opcode_prefix = prefix;
    o.handshake_timeout = milliseconds(static_cast<long>(400 * scale()));
    return o;
}

struct Server {
    explicit Server(cf::WebSocketOptions o, cf::TransportLimits limits = {}) : factory(std::move(o), limits) {
        std::string error;
        listener = factory.listen_websocket(cf::Endpoint{"127.0.0.1", 0}, error);
        EXPECT_TRUE(listener) << error;
    }
    [[nodiscard]] cf::Endpoint endpoint() const { return cf::Endpoint{"127.0.0.1", listener->port()}; }
    std::unique_ptr<cf::Transport> accept(int ms = 3000) {
        std::string error;
        auto t = listener->accept(in_ms(ms), error);
        EXPECT_TRUE(t) << error;
        return t;
    }
    // The error of the next connection that failed (or of the wait).
    std::string accept_error(int ms = 3000) {
        std::string error;
        auto t = listener->accept(in_ms(ms), error);
        EXPECT_FALSE(t);
        return error;
    }
    cf::WebSocketTransportFactory factory;
    std::unique_ptr<cf::WebSocketListener> listener;
};

// A blocking loopback socket whose every wait has a deadline (poll), for playing hostile peers.
class Raw {
public:
    explicit Raw(std::uint16_t port) {
        m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_port = htons(port);
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        m_connected = ::connect(m_fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
        const int one = 1;
        ::setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    Raw(const Raw&) = delete;
    Raw& operator=(const Raw&) = delete;
    ~Raw() { ::close(m_fd); }
    [[nodiscard]] bool connected() const { return m_connected; }
    [[nodiscard]] int fd() const { return m_fd; }

    bool send(ByteView b, int ms = 2000) {
        std::size_t off = 0;
        while (off < b.size()) {
            pollfd p{m_fd, POLLOUT, 0};
            if (::poll(&p, 1, ms) <= 0) {
                return false;
            }
            const auto n = ::send(m_fd, b.data() + off, b.size() - off, MSG_NOSIGNAL);
            if (n <= 0) {
                return false;
            }
            off += static_cast<std::size_t>(n);
        }
        return true;
    }
    bool send(std::string_view s) { return send(ByteView(reinterpret_cast<const std::uint8_t*>(s.data()), s.size())); }

    // Reads until `until` appears, EOF, an error or the deadline.
    std::string read_until(std::string_view until, int ms = 2000) {
        std::string got;
        const auto deadline = in_ms(ms);
        while (got.find(until) == std::string::npos) {
            const auto left = std::chrono::duration_cast<milliseconds>(deadline - cf::SteadyClock::now()).count();
            pollfd p{m_fd, POLLIN, 0};
            if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0) {
                break;
            }
            char buf[4096];
            const auto n = ::recv(m_fd, buf, sizeof buf, 0);
            if (n <= 0) {
                break;
            }
            got.append(buf, static_cast<std::size_t>(n));
        }
        return got;
    }

    // A client upgrade done by hand; true on "101".
    bool upgrade(const std::string& target = "/") {
        send("GET " + target +
             " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
             "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        const auto response = read_until("\r\n\r\n");
        return response.rfind("HTTP/1.1 101", 0) == 0;
    }

private:
    int m_fd = -1;
    bool m_connected = false;
};

// One frame as a client would send it (masked unless told otherwise).
Bytes frame(std::uint8_t first, ByteView payload, bool masked = true) {
    Bytes f{first};
    const std::uint8_t mask_bit = masked ? 0x80 : 0x00;
    if (payload.size() < 126) {
        f.push_back(static_cast<std::uint8_t>(mask_bit | payload.size()));
    } else {
        f.push_back(mask_bit | 126);
        f.push_back(static_cast<std::uint8_t>(payload.size() >> 8));
        f.push_back(static_cast<std::uint8_t>(payload.size()));
    }
    const std::uint8_t key[4] = {0x11, 0x22, 0x33, 0x44};
    if (masked) {
        f.insert(f.end(), key, key + 4);
    }
    for (std::size_t i = 0; i < payload.size(); ++i) {
        f.push_back(masked ? static_cast<std::uint8_t>(payload[i] ^ key[i % 4]) : payload[i]);
    }
    return f;
}

// A Beast client with no deadlines of its own, for the well-behaved peer cases.
struct BeastClient {
    explicit BeastClient(std::uint16_t port) : ws(io) {
        ws.next_layer().connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
        ws.handshake("127.0.0.1", "/");
    }
    asio::io_context io;
    websocket::stream<asio::ip::tcp::socket> ws;
};

// ---------------------------------------------------------------------------------------------
// Messages

TEST(WebSocketTransport, RoundTripWithOpcodePrefix) {
    Server server(options(false, true));
    std::string error;
    auto client = server.factory.connect(server.endpoint(), in_ms(3000), error);
    ASSERT_TRUE(client) << error;
    auto peer = server.accept();
    ASSERT_TRUE(peer);

    ASSERT_FALSE(client->send(prefixed(0x01, "{\"hello\": 1}"), in_ms(2000)));
    ASSERT_FALSE(client->send(prefixed(0x02, std::string("\x00\x01\xff", 3)), in_ms(2000)));
    auto in = peer->receive(in_ms(2000));
    ASSERT_EQ(in.kind, cf::Incoming::Kind::message) << in.detail;
    EXPECT_EQ(in.wire, prefixed(0x01, "{\"hello\": 1}"));
    EXPECT_EQ(in.payload, bytes("{\"hello\": 1}"));
    in = peer->receive_any(in_ms(2000));
    ASSERT_EQ(in.kind, cf::Incoming::Kind::message) << in.detail;
    EXPECT_EQ(in.wire, prefixed(0x02, std::string("\x00\x01\xff", 3)));

    ASSERT_FALSE(peer->send(prefixed(0x02, "back"), in_ms(2000)));
    in = client->receive(in_ms(2000));
    ASSERT_EQ(in.kind, cf::Incoming::Kind::message) << in.detail;
    EXPECT_EQ(in.wire, prefixed(0x02, "back"));
    // A unit without a known opcode byte is refused, not sent.
    EXPECT_EQ(client->send(Bytes{0x07, 'x'}, in_ms(2000)), std::errc::invalid_argument);
    EXPECT_EQ(client->send(Bytes{}, in_ms(2000)), std::errc::invalid_argument);
    EXPECT_GT(peer->bytes_received(), 0U);
}

TEST(WebSocketTransport, PlainBinaryFramesAndTranscript) {
    Server server(options());
    std::string error;
    auto client = server.factory.connect(server.endpoint(), in_ms(3000), error);
    ASSERT_TRUE(client) << error;
    auto peer = server.accept();
    ASSERT_TRUE(peer);
    cf::Transcript transcript;
    peer->attach(&transcript, 3);
    ASSERT_FALSE(client->send(bytes("\x01payload"), in_ms(2000)));
    const auto in = peer->receive(in_ms(2000));
    ASSERT_EQ(in.kind, cf::Incoming::Kind::message);
    EXPECT_EQ(in.wire, bytes("\x01payload"));
    EXPECT_EQ(in.payload, in.wire);
    ASSERT_FALSE(peer->send(bytes("reply"), in_ms(2000)));
    ASSERT_EQ(transcript.entries().size(), 2U);
    EXPECT_EQ(transcript.entries()[0].direction, cf::Direction::received);
    EXPECT_EQ(transcript.entries()[0].connection, 3);
    EXPECT_EQ(transcript.entries()[1].direction, cf::Direction::sent);
    EXPECT_EQ(transcript.entries()[1].bytes, bytes("reply"));
}

TEST(WebSocketTransport, FragmentedMessageFromBeastPeerIsReassembled) {
    Server server(options(false, true));
    BeastClient c(server.listener->port());
    auto peer = server.accept();
    ASSERT_TRUE(peer);
    c.ws.text(true);
    c.ws.write_some(false, asio::buffer(std::string("frag")));
    c.ws.write_some(false, asio::buffer(std::string("men")));
    c.ws.write_some(true, asio::buffer(std::string("ted")));
    const auto in = peer->receive(in_ms(2000));
    ASSERT_EQ(in.kind, cf::Incoming::Kind::message) << in.detail;
    EXPECT_EQ(in.wire, prefixed(0x01, "fragmented"));
}

TEST(WebSocketTransport, PingIsAnsweredWhileReceiving) {
    Server server(options());
    BeastClient c(server.listener->port());
    auto peer = server.accept();
    ASSERT_TRUE(peer);
    std::string pong;
    c.ws.control_callback([&pong](websocket::frame_type kind, beast::string_view payload) {
        if (kind == websocket::frame_type::pong) {
            pong.assign(payload.data(), payload.size());
        }
    });
    std::thread server_side([&peer] {
        const auto in = peer->receive(in_ms(3000));
        EXPECT_EQ(in.kind, cf::Incoming::Kind::message);
        EXPECT_FALSE(peer->send(bytes("reply"), in_ms(2000)));
    });
    c.ws.ping("are-you-there");
    c.ws.binary(true);
    c.ws.write(asio::buffer(std::string("after ping")));
    beast::flat_buffer b;
    c.ws.read(b);  // processes the pong on the way to the reply
    server_side.join();
    EXPECT_EQ(pong, "are-you-there");
    EXPECT_EQ(beast::buffers_to_string(b.data()), "reply");
}

TEST(WebSocketTransport, CloseCodesBothWays) {
    Server server(options());
    {
        BeastClient c(server.listener->port());
        auto peer = server.accept();
        ASSERT_TRUE(peer);
        cf::Incoming in;
        // Beast's close waits for the answer, which the transport gives while it receives.
        std::thread receiver([&] { in = peer->receive(in_ms(2000)); });
        c.ws.close(websocket::close_reason(websocket::close_code::going_away, "bye"));
        receiver.join();
        EXPECT_EQ(in.kind, cf::Incoming::Kind::closed);
        EXPECT_NE(in.detail.find("1001"), std::string::npos) << in.detail;
        EXPECT_NE(in.detail.find("bye"), std::string::npos) << in.detail;
        EXPECT_EQ(peer->receive(in_ms(200)).kind, cf::Incoming::Kind::closed);  // stays ended
    }
    {
        BeastClient c(server.listener->port());
        auto peer = server.accept();
        ASSERT_TRUE(peer);
        std::thread closer([&peer] { peer->close(); });
        beast::flat_buffer b;
        beast::error_code ec;
        c.ws.read(b, ec);
        closer.join();
        EXPECT_EQ(ec, websocket::error::closed);
        EXPECT_EQ(c.ws.reason().code, websocket::close_code::normal);
    }
    {
        // A close frame with no status code.
        Raw raw(server.listener->port());
        ASSERT_TRUE(raw.upgrade());
        auto peer = server.accept();
        ASSERT_TRUE(peer);
        ASSERT_TRUE(raw.send(frame(0x88, {})));
        const auto in = peer->receive(in_ms(2000));
        EXPECT_EQ(in.kind, cf::Incoming::Kind::closed);
        EXPECT_NE(in.detail.find("1005"), std::string::npos) << in.detail;
    }
}

TEST(WebSocketTransport, ReceiveTimesOutAndTheReadCarriesOn) {
    Server server(options());
    std::string error;
    auto client = server.factory.connect(server.endpoint(), in_ms(3000), error);
    ASSERT_TRUE(client) << error;
    auto peer = server.accept();
    ASSERT_TRUE(peer);
    // A peer that never speaks nor closes: every receive ends by its deadline.
    for (int i = 0; i < 3; ++i) {
        const auto start = cf::SteadyClock::now();
        const auto in = peer->receive(in_ms(100));
        EXPECT_EQ(in.kind, cf::Incoming::Kind::timeout);
        EXPECT_LT(cf::SteadyClock::now() - start, milliseconds(static_cast<long>(2000 * scale())));
    }
    // The timed-out read was not cancelled: the stream is intact and delivers what comes next.
    ASSERT_FALSE(client->send(bytes("late"), in_ms(2000)));
    const auto in = peer->receive(in_ms(2000));
    ASSERT_EQ(in.kind, cf::Incoming::Kind::message) << in.detail;
    EXPECT_EQ(in.wire, bytes("late"));
    // The client ends abruptly: a reset, not a close.
    client->abort();
    const auto end = peer->receive(in_ms(2000));
    EXPECT_TRUE(end.kind == cf::Incoming::Kind::reset || end.kind == cf::Incoming::Kind::closed)
        << cf::to_string(end.kind);
}

// ---------------------------------------------------------------------------------------------
// Upgrades

TEST(WebSocketUpgrade, TargetCheckAndPathQuery) {
    auto o = options();
    std::string seen;
    o.accept_target = [&seen](std::string_view target, std::string& why) {
        seen = std::string(target);
        why = "no such key";
        return target.find("key=good") != std::string_view::npos;
    };
    Server server(o);
    auto good = options();
    good.path = "/ws";
    good.query = "key=good";
    std::string error;
    auto client = cf::WebSocketTransportFactory(good).connect(server.endpoint(), in_ms(3000), error);
    ASSERT_TRUE(client) << error;
    EXPECT_TRUE(server.accept());
    EXPECT_EQ(seen, "/ws?key=good");

    auto bad = good;
    bad.query = "key=bad";
    client = cf::WebSocketTransportFactory(bad).connect(server.endpoint(), in_ms(3000), error);
    EXPECT_FALSE(client);
    EXPECT_NE(error.find("401"), std::string::npos) << error;
    EXPECT_NE(error.find("no such key"), std::string::npos) << error;
    EXPECT_NE(server.accept_error().find("401"), std::string::npos);
}

TEST(WebSocketUpgrade, StalledUpgradeFailsByItsDeadlineWhileOthersAreServed) {
    Server server(options());
    Raw slow(server.listener->port());
    ASSERT_TRUE(slow.send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n"));  // and never the rest
    std::string error;
    auto client = server.factory.connect(server.endpoint(), in_ms(3000), error);
    ASSERT_TRUE(client) << error;
    EXPECT_TRUE(server.accept());  // the honest one, while the slow one is still pending
    // The slow one fails by the handshake deadline (400 ms), well before this accept's own.
    const auto failure = server.accept_error(5000);
    EXPECT_NE(failure.find("upgrade request: timed out"), std::string::npos) << failure;
}

TEST(WebSocketUpgrade, GarbageAndNonUpgradeRequestsAreRefused) {
    Server server(options());
    {
        Raw raw(server.listener->port());
        ASSERT_TRUE(raw.send("\x16\x03\x01 garbage garbage\r\n\r\n"));
        EXPECT_NE(server.accept_error().find("upgrade request"), std::string::npos);
    }
    {
        Raw raw(server.listener->port());
        ASSERT_TRUE(raw.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
        EXPECT_EQ(raw.read_until("\r\n\r\n").rfind("HTTP/1.1 400", 0), 0U);
        EXPECT_NE(server.accept_error().find("400"), std::string::npos);
    }
    {
        // An endless header line is cut at the header limit.
        Raw raw(server.listener->port());
        (void)raw.send("GET / HTTP/1.1\r\nX: " + std::string(64 * 1024, 'a'));
        EXPECT_NE(server.accept_error().find("upgrade request"), std::string::npos);
    }
    // The listener still serves.
    std::string error;
    EXPECT_TRUE(server.factory.connect(server.endpoint(), in_ms(3000), error)) << error;
    EXPECT_TRUE(server.accept());
}

// ---------------------------------------------------------------------------------------------
// Hostile frames

TEST(WebSocketHostile, HugeFrameHeaderIsALimitAtOnce) {
    Server server(options());
    Raw raw(server.listener->port());
    ASSERT_TRUE(raw.upgrade());
    auto peer = server.accept();
    ASSERT_TRUE(peer);
    // FIN + binary, masked, 64-bit length 2^31, mask key; no payload follows.
    const Bytes header{0x82, 0xff, 0, 0, 0, 0, 0x80, 0, 0, 0, 1, 2, 3, 4};
    ASSERT_TRUE(raw.send(header));
    const auto in = peer->receive(in_ms(3000));
    EXPECT_EQ(in.kind, cf::Incoming::Kind::limit) << cf::to_string(in.kind) << " " << in.detail;
    EXPECT_LE(peer->bytes_received(), 1024U);
}

TEST(WebSocketHostile, ProtocolViolationsAreFramingErrors) {
    Server server(options());
    const Bytes unmasked = frame(0x82, bytes("abc"), false);
    const Bytes reserved_opcode = frame(0x83, bytes("abc"));
    const Bytes rsv_bits = frame(0xc2, bytes("abc"));
    const Bytes long_ping = frame(0x89, Bytes(126, 'p'));
    for (const auto& bad : {unmasked, reserved_opcode, rsv_bits, long_ping}) {
        Raw raw(server.listener->port());
        ASSERT_TRUE(raw.upgrade());
        auto peer = server.accept();
        ASSERT_TRUE(peer);
        ASSERT_TRUE(raw.send(bad));
        const auto in = peer->receive(in_ms(3000));
        EXPECT_EQ(in.kind, cf::Incoming::Kind::framing_error) << cf::to_string(in.kind) << " " << in.detail;
        EXPECT_FALSE(in.detail.empty());
    }
}

TEST(WebSocketHostile, InvalidUtf8TextIsAFramingError) {
    Server server(options());
    Raw raw(server.listener->port());
    ASSERT_TRUE(raw.upgrade());
    auto peer = server.accept();
    ASSERT_TRUE(peer);
    ASSERT_TRUE(raw.send(frame(0x81, Bytes{0xc3, 0x28})));
    EXPECT_EQ(peer->receive(in_ms(3000)).kind, cf::Incoming::Kind::framing_error);
}

// Sends `f` over and over until the server side ends the connection or `stop`.
void flood(Raw& raw, const Bytes& f, const std::atomic<bool>& stop) {
    Bytes batch;
    for (int i = 0; i < 64; ++i) {
        batch.insert(batch.end(), f.begin(), f.end());
    }
    while (!stop.load() && raw.send(batch, 200)) {
    }
}

TEST(WebSocketHostile, PingFloodEndsByTheByteBudget) {
    cf::TransportLimits limits;
    limits.max_total = 64 * 1024;
    Server server(options(), limits);
    Raw raw(server.listener->port());
    ASSERT_TRUE(raw.upgrade());
    auto peer = server.accept();
    ASSERT_TRUE(peer);
    std::atomic<bool> stop{false};
    std::thread flooder([&] { flood(raw, frame(0x89, Bytes(125, 'p')), stop); });
    const auto in = peer->receive(in_ms(5000));
    stop.store(true);
    flooder.join();
    EXPECT_EQ(in.kind, cf::Incoming::Kind::limit) << cf::to_string(in.kind) << " " << in.detail;
    // Read in chunks: the budget is passed by at most one read.
    EXPECT_LT(peer->bytes_received(), limits.max_total + 64 * 1024);
}

TEST(WebSocketHostile, FragmentFloodsEndByTheMessageBoundOrTheByteBudget) {
    cf::TransportLimits limits;
    limits.max_message = 1024;
    limits.max_total = 64 * 1024;
    {
        // One-byte fragments: the message passes its bound.
        Server server(options(), limits);
        Raw raw(server.listener->port());
        ASSERT_TRUE(raw.upgrade());
        auto peer = server.accept();
        ASSERT_TRUE(peer);
        ASSERT_TRUE(raw.send(frame(0x02, bytes("x"))));
        std::atomic<bool> stop{false};
        std::thread flooder([&] { flood(raw, frame(0x00, bytes("x")), stop); });
        const auto in = peer->receive(in_ms(5000));
        stop.store(true);
        flooder.join();
        EXPECT_EQ(in.kind, cf::Incoming::Kind::limit) << cf::to_string(in.kind) << " " << in.detail;
    }
    {
        // Empty fragments never grow the message: the connection's byte budget ends it.
        Server server(options(), limits);
        Raw raw(server.listener->port());
        ASSERT_TRUE(raw.upgrade());
        auto peer = server.accept();
        ASSERT_TRUE(peer);
        ASSERT_TRUE(raw.send(frame(0x02, {})));
        std::atomic<bool> stop{false};
        std::thread flooder([&] { flood(raw, frame(0x00, {}), stop); });
        const auto in = peer->receive(in_ms(5000));
        stop.store(true);
        flooder.join();
        EXPECT_EQ(in.kind, cf::Incoming::Kind::limit) << cf::to_string(in.kind) << " " << in.detail;
    }
}

// ---------------------------------------------------------------------------------------------
// TLS

TEST(WebSocketTls, RunTimeCertificateAndPins) {
    Server server(options(true, true));
    const auto& cert = server.listener->certificate_sha256();
    const auto& spki = server.listener->spki_sha256();
    EXPECT_EQ(cert.size(), 64U);
    EXPECT_EQ(spki.size(), 64U);
    EXPECT_NE(cert, spki);
    EXPECT_EQ(server.listener->describe(), "CERT_SHA256 " + cert + " SPKI_SHA256 " + spki);

    for (const std::string& pin : {std::string(), cert, spki}) {
        auto o = options(true, true);
        o.pin_sha256 = pin;
        std::string error;
        auto client = cf::WebSocketTransportFactory(o).connect(server.endpoint(), in_ms(3000), error);
        ASSERT_TRUE(client) << error;
        auto peer = server.accept();
        ASSERT_TRUE(peer);
        ASSERT_FALSE(client->send(prefixed(0x01, "over tls"), in_ms(2000)));
        const auto in = peer->receive(in_ms(2000));
        ASSERT_EQ(in.kind, cf::Incoming::Kind::message) << in.detail;
        EXPECT_EQ(in.wire, prefixed(0x01, "over tls"));
        std::thread closer([&client] { client->close(); });
        const auto end = peer->receive(in_ms(2000));
        closer.join();
        EXPECT_EQ(end.kind, cf::Incoming::Kind::closed) << end.detail;
        EXPECT_NE(end.detail.find("1000"), std::string::npos) << end.detail;
    }
    // Another listener, another certificate.
    Server other(options(true));
    EXPECT_NE(other.listener->certificate_sha256(), cert);
}

TEST(WebSocketTls, PinMismatchFailsTheConnect) {
    Server server(options(true));
    auto o = options(true);
    o.pin_sha256 = std::string(64, '0');
    std::string error;
    EXPECT_FALSE(cf::WebSocketTransportFactory(o).connect(server.endpoint(), in_ms(3000), error));
    EXPECT_NE(error.find("pin mismatch"), std::string::npos) << error;
    EXPECT_NE(error.find(std::string(64, '0')), std::string::npos) << error;
    EXPECT_NE(error.find(server.listener->certificate_sha256()), std::string::npos) << error;
    EXPECT_NE(error.find(server.listener->spki_sha256()), std::string::npos) << error;
    EXPECT_NE(server.accept_error().find("TLS handshake"), std::string::npos);
}

TEST(WebSocketTls, GeneratedCertificateMatchesItsPins) {
    std::string error;
    const auto made = cf::generate_self_signed_certificate(error);
    ASSERT_TRUE(made) << error;
    EXPECT_NE(made->certificate_pem.find("BEGIN CERTIFICATE"), std::string::npos);
    const auto pins = cf::certificate_pins(made->certificate_pem);
    ASSERT_TRUE(pins);
    auto o = options(true);
    o.certificate_pem = made->certificate_pem;
    o.private_key_pem = made->private_key_pem;
    Server server(o);
    EXPECT_EQ(server.listener->certificate_sha256(), pins->certificate_sha256);
    EXPECT_FALSE(cf::certificate_pins("not a certificate"));
}

TEST(WebSocketTls, NonTlsAndStalledClientsFailTheirHandshake) {
    Server server(options(true));
    {
        Raw raw(server.listener->port());
        ASSERT_TRUE(raw.send("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
        EXPECT_NE(server.accept_error().find("TLS handshake"), std::string::npos);
    }
    {
        Raw raw(server.listener->port());  // connects, never says hello
        const auto failure = server.accept_error(5000);
        EXPECT_NE(failure.find("TLS handshake: timed out"), std::string::npos) << failure;
    }
    std::string error;
    EXPECT_TRUE(server.factory.connect(server.endpoint(), in_ms(3000), error)) << error;
    EXPECT_TRUE(server.accept());
}

TEST(WebSocketTls, Tls12ClientIsRefused) {
    Server server(options(true));
    asio::io_context io;
    asio::ssl::context ctx(asio::ssl::context::tls_client);
    SSL_CTX_set_max_proto_version(ctx.native_handle(), TLS1_2_VERSION);
    ctx.set_verify_mode(asio::ssl::verify_none);
    asio::ssl::stream<asio::ip::tcp::socket> tls(io, ctx);
    tls.next_layer().connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), server.listener->port()));
    beast::error_code ec;
    tls.handshake(asio::ssl::stream_base::client, ec);
    EXPECT_TRUE(ec);
    EXPECT_NE(server.accept_error().find("TLS handshake"), std::string::npos);
}

TEST(WebSocketTls, GarbageInPlaceOfAClientHelloFailsTheHandshake) {
    Server server(options(true));
    // Binary noise, and a TLS record header that announces a 16 KiB handshake record and never
    // sends it (cut by the handshake deadline).
    Bytes noise(512);
    for (std::size_t i = 0; i < noise.size(); ++i) {
        noise[i] = static_cast<std::uint8_t>(i * 37 + 11);
    }
    {
        Raw raw(server.listener->port());
        ASSERT_TRUE(raw.send(noise));
        EXPECT_NE(server.accept_error().find("TLS handshake"), std::string::npos);
    }
    {
        Raw raw(server.listener->port());
        ASSERT_TRUE(raw.send(Bytes{0x16, 0x03, 0x01, 0x40, 0x00, 0x01}));
        const auto failure = server.accept_error(5000);
        EXPECT_NE(failure.find("TLS handshake"), std::string::npos) << failure;
    }
    std::string error;
    EXPECT_TRUE(server.factory.connect(server.endpoint(), in_ms(3000), error)) << error;
    EXPECT_TRUE(server.accept());
}

// A TCP server on loopback that accepts one connection and hands its socket to `serve`.
class RawServer {
public:
    explicit RawServer(std::function<void(int)> serve) {
        m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t len = sizeof a;
        if (::bind(m_fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 && ::listen(m_fd, 4) == 0 &&
            ::getsockname(m_fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
            m_port = ntohs(a.sin_port);
        }
        m_thread = std::thread([this, serve = std::move(serve)] {
            pollfd p{m_fd, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(3000 * scale())) == 1) {
                const int c = ::accept(m_fd, nullptr, nullptr);
                if (c >= 0) {
                    serve(c);
                    ::close(c);
                }
            }
        });
    }
    RawServer(const RawServer&) = delete;
    RawServer& operator=(const RawServer&) = delete;
    ~RawServer() {
        m_thread.join();
        ::close(m_fd);
    }
    [[nodiscard]] cf::Endpoint endpoint() const { return cf::Endpoint{"127.0.0.1", m_port}; }

private:
    int m_fd = -1;
    std::uint16_t m_port = 0;
    std::thread m_thread;
};

TEST(WebSocketTls, ClientFailsByItsDeadlineAgainstSilentOrGarbageServers) {
    cf::WebSocketTransportFactory client(options(true));
    {
        // Accepts TCP and never answers the ClientHello: connect() ends at its deadline.
        RawServer silent([](int c) {
            char buf[4096];
            pollfd p{c, POLLIN, 0};
            while (::poll(&p, 1, static_cast<int>(1500 * scale())) == 1 && ::recv(c, buf, sizeof buf, 0) > 0) {
            }
        });
        std::string error;
        const auto start = cf::SteadyClock::now();
        EXPECT_FALSE(client.connect(silent.endpoint(), in_ms(300), error));
        EXPECT_LT(cf::SteadyClock::now() - start, milliseconds(static_cast<long>(1200 * scale())));
        EXPECT_NE(error.find("TLS handshake: timed out"), std::string::npos) << error;
    }
    {
        // Answers the ClientHello with noise.
        RawServer noisy([](int c) {
            char buf[4096];
            pollfd p{c, POLLIN, 0};
            if (::poll(&p, 1, 2000) == 1 && ::recv(c, buf, sizeof buf, 0) > 0) {
                const std::string noise(300, '\x7f');
                (void)::send(c, noise.data(), noise.size(), MSG_NOSIGNAL);
            }
        });
        std::string error;
        EXPECT_FALSE(client.connect(noisy.endpoint(), in_ms(2000), error));
        EXPECT_NE(error.find("TLS handshake"), std::string::npos) << error;
        EXPECT_EQ(error.find("timed out"), std::string::npos) << error;
    }
}

// A TLS 1.3 client written with OpenSSL directly on a blocking socket whose every call has a
// timeout, that upgrades to WebSocket and then asks for key updates.
class HostileTlsClient {
public:
    explicit HostileTlsClient(std::uint16_t port) : m_raw(port) {
        timeval tv{0, 200 * 1000};
        ::setsockopt(m_raw.fd(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        ::setsockopt(m_raw.fd(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        m_ctx = SSL_CTX_new(TLS_client_method());
        SSL_CTX_set_min_proto_version(m_ctx, TLS1_3_VERSION);
        m_ssl = SSL_new(m_ctx);
        SSL_set_fd(m_ssl, m_raw.fd());
    }
    HostileTlsClient(const HostileTlsClient&) = delete;
    HostileTlsClient& operator=(const HostileTlsClient&) = delete;
    ~HostileTlsClient() {
        SSL_free(m_ssl);
        SSL_CTX_free(m_ctx);
    }
    bool upgrade() {
        if (SSL_connect(m_ssl) != 1) {
            return false;
        }
        const std::string request =
            "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";
        if (!write(bytes(request))) {
            return false;
        }
        std::string got;
        char buf[1024];
        while (got.find("\r\n\r\n") == std::string::npos) {
            const int n = SSL_read(m_ssl, buf, sizeof buf);
            if (n <= 0) {
                return false;
            }
            got.append(buf, static_cast<std::size_t>(n));
        }
        return got.rfind("HTTP/1.1 101", 0) == 0;
    }
    bool write(ByteView b) {
        return SSL_write(m_ssl, b.data(), static_cast<int>(b.size())) == static_cast<int>(b.size());
    }
    // One KeyUpdate that asks the peer to update its keys too; false once the connection fails.
    bool key_update() { return SSL_key_update(m_ssl, SSL_KEY_UPDATE_REQUESTED) == 1 && SSL_do_handshake(m_ssl) == 1; }

private:
    Raw m_raw;
    SSL_CTX* m_ctx = nullptr;
    SSL* m_ssl = nullptr;
};

TEST(WebSocketTls, KeyUpdateFloodEitherKeepsWorkingOrEndsByTheByteBudget) {
    // A few thousand KeyUpdate requests (each answered by a KeyUpdate of ours, which this client
    // never reads), then a message: the transport keeps working.
    {
        Server server(options(true));
        HostileTlsClient c(server.listener->port());
        ASSERT_TRUE(c.upgrade());
        auto peer = server.accept();
        ASSERT_TRUE(peer);
        int sent = 0;
        while (sent < 2000 && c.key_update()) {
            ++sent;
        }
        EXPECT_EQ(sent, 2000);
        ASSERT_TRUE(c.write(frame(0x82, bytes("after the flood"))));
        const auto start = cf::SteadyClock::now();
        const auto in = peer->receive(in_ms(3000));
        EXPECT_LT(cf::SteadyClock::now() - start, milliseconds(static_cast<long>(3500 * scale())));
        ASSERT_EQ(in.kind, cf::Incoming::Kind::message) << cf::to_string(in.kind) << " " << in.detail;
        EXPECT_EQ(in.wire, bytes("after the flood"));
    }
    // An endless flood while we wait for a message: the wait ends by the connection's byte budget
    // (every TLS record counts), with a typed error and well before its deadline.
    {
        cf::TransportLimits limits;
        limits.max_total = 64 * 1024;
        Server server(options(true), limits);
        HostileTlsClient c(server.listener->port());
        ASSERT_TRUE(c.upgrade());
        auto peer = server.accept();
        ASSERT_TRUE(peer);
        std::atomic<bool> stop{false};
        std::atomic<int> sent{0};
        std::thread flooder([&] {
            while (!stop.load() && c.key_update()) {
                ++sent;
            }
        });
        const auto start = cf::SteadyClock::now();
        const auto in = peer->receive(in_ms(5000));
        const auto took = cf::SteadyClock::now() - start;
        stop.store(true);
        flooder.join();
        EXPECT_TRUE(in.kind == cf::Incoming::Kind::limit || in.kind == cf::Incoming::Kind::framing_error)
            << cf::to_string(in.kind) << " " << in.detail << " after " << sent.load() << " key updates";
        EXPECT_LT(took, milliseconds(static_cast<long>(5000 * scale())));
        EXPECT_LT(peer->bytes_received(), limits.max_total + 64 * 1024);
        EXPECT_EQ(peer->receive(in_ms(100)).kind, cf::Incoming::Kind::closed);  // stays ended
    }
}

// The transport never resumes, and never issues tickets, unless asked to: a probing client keeps
// the tickets it is given and offers them; a listener asked to issue them shares one key with the
// process's other listeners, so it resumes a session another listener (another certificate) began.
TEST(WebSocketTls, SessionTicketsOnlyWhenAskedFor) {
    auto probe = options(true);
    probe.resumption = std::make_shared<cf::TlsResumption>();
    cf::WebSocketTransportFactory client(probe);
    const auto connect = [&client](Server& s) {
        std::string error;
        auto c = client.connect(s.endpoint(), in_ms(3000), error);
        EXPECT_TRUE(c) << error;
        auto p = s.accept();
        if (c) {
            (void)c->receive(in_ms(100));  // tickets come after the handshake
            c->abort();
        }
    };
    Server plain(options(true));
    connect(plain);
    connect(plain);
    {
        std::lock_guard<std::mutex> lock(probe.resumption->mutex);
        EXPECT_EQ(probe.resumption->tickets, 0U);
        EXPECT_FALSE(probe.resumption->offered);
        EXPECT_FALSE(probe.resumption->resumed);
    }
    auto issuing = options(true);
    issuing.issue_tickets = true;
    Server a(issuing);
    Server b(issuing);
    connect(a);
    {
        std::lock_guard<std::mutex> lock(probe.resumption->mutex);
        EXPECT_GT(probe.resumption->tickets, 0U);
        EXPECT_FALSE(probe.resumption->resumed);
        EXPECT_EQ(probe.resumption->certificate_sha256, a.listener->certificate_sha256());
    }
    connect(b);
    {
        std::lock_guard<std::mutex> lock(probe.resumption->mutex);
        EXPECT_TRUE(probe.resumption->offered);
        EXPECT_TRUE(probe.resumption->resumed);
    }
    // A client that does not ask offers nothing, and gets a full handshake.
    std::string error;
    auto fresh = cf::WebSocketTransportFactory(options(true)).connect(b.endpoint(), in_ms(3000), error);
    EXPECT_TRUE(fresh) << error;
    EXPECT_TRUE(b.accept());
}

// A listener can read what each ClientHello offers: nothing from a client that keeps no session, a
// pre_shared_key (41) from one offering a ticket; a resumption counts only where the listener
// takes it (the same ticket key), not where it runs a full handshake instead.
TEST(WebSocketTls, ClientHelloOffersAreRecorded) {
    auto probe = options(true);
    probe.resumption = std::make_shared<cf::TlsResumption>();
    cf::WebSocketTransportFactory client(probe);
    const auto connect = [](const cf::WebSocketTransportFactory& f, Server& s) {
        std::string error;
        auto c = f.connect(s.endpoint(), in_ms(3000), error);
        EXPECT_TRUE(c) << error;
        auto p = s.accept();
        EXPECT_TRUE(p);
        if (c) {
            (void)c->receive(in_ms(100));  // tickets come after the handshake
            c->abort();
        }
    };
    auto issuing = options(true);
    issuing.issue_tickets = true;
    Server a(issuing);
    auto watching = options(true);
    watching.client_hellos = std::make_shared<cf::TlsClientHellos>();
    Server other(watching);
    auto resuming = issuing;
    resuming.client_hellos = std::make_shared<cf::TlsClientHellos>();
    Server same_key(resuming);

    connect(cf::WebSocketTransportFactory(options(true)), other);
    {
        std::lock_guard<std::mutex> lock(watching.client_hellos->mutex);
        EXPECT_EQ(watching.client_hellos->seen, 1U);
        EXPECT_EQ(watching.client_hellos->offered_psk, 0U);
        EXPECT_EQ(watching.client_hellos->offered_ticket, 0U);
    }
    connect(client, a);  // the probe now holds a ticket of a's
    connect(client, other);
    {
        std::lock_guard<std::mutex> lock(watching.client_hellos->mutex);
        EXPECT_EQ(watching.client_hellos->seen, 2U);
        EXPECT_EQ(watching.client_hellos->offered_psk, 1U);
        EXPECT_EQ(watching.client_hellos->resumed, 0U);  // no tickets here: a full handshake
    }
    connect(client, a);  // a fresh ticket (the last full handshake replaced the one kept)
    connect(client, same_key);
    {
        std::lock_guard<std::mutex> lock(resuming.client_hellos->mutex);
        EXPECT_EQ(resuming.client_hellos->seen, 1U);
        EXPECT_EQ(resuming.client_hellos->offered_psk, 1U);
        EXPECT_EQ(resuming.client_hellos->resumed, 1U);
    }
}

// ---------------------------------------------------------------------------------------------
// The client side against hostile servers (plain WebSocket)

// Reads one HTTP request head (to the blank line) from `c`, within `ms`.
std::string read_head(int c, int ms) {
    std::string got;
    char buf[1024];
    pollfd p{c, POLLIN, 0};
    while (got.find("\r\n\r\n") == std::string::npos && ::poll(&p, 1, ms) == 1) {
        const auto n = ::recv(c, buf, sizeof buf, 0);
        if (n <= 0) {
            break;
        }
        got.append(buf, static_cast<std::size_t>(n));
    }
    return got;
}

// The 101 response a server owes the request `head` (RFC 6455 section 4.2.2).
std::string switching_protocols(const std::string& head) {
    const std::string name = "Sec-WebSocket-Key: ";
    const auto at = head.find(name);
    const std::string key = at == std::string::npos ? "" : head.substr(at + name.size(), 24);
    const std::string joined = key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    unsigned char digest[20];
    unsigned int len = 0;
    EVP_Digest(joined.data(), joined.size(), digest, &len, EVP_sha1(), nullptr);
    unsigned char accept[32] = {};
    EVP_EncodeBlock(accept, digest, 20);
    return "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " +
           std::string(reinterpret_cast<const char*>(accept)) + "\r\n\r\n";
}

// Keeps the connection open, reading, until the peer goes or `ms` pass without input.
void drain(int c, int ms) {
    char buf[4096];
    pollfd p{c, POLLIN, 0};
    while (::poll(&p, 1, ms) == 1 && ::recv(c, buf, sizeof buf, 0) > 0) {
    }
}

TEST(WebSocketClientHostile, SlowUpgradeResponseFailsByTheDeadline) {
    cf::WebSocketTransportFactory client(options());
    // The response trickles in one byte every 50 ms and would take seconds to finish.
    RawServer slow([](int c) {
        const std::string response = switching_protocols(read_head(c, static_cast<int>(2000 * scale())));
        for (const char ch : response) {
            if (::send(c, &ch, 1, MSG_NOSIGNAL) != 1) {
                return;
            }
            std::this_thread::sleep_for(milliseconds(50));
        }
    });
    std::string error;
    const auto start = cf::SteadyClock::now();
    EXPECT_FALSE(client.connect(slow.endpoint(), in_ms(300), error));
    EXPECT_LT(cf::SteadyClock::now() - start, milliseconds(static_cast<long>(1200 * scale())));
    EXPECT_NE(error.find("upgrade: timed out"), std::string::npos) << error;
}

TEST(WebSocketClientHostile, GarbageUpgradeResponseFailsAtOnce) {
    cf::WebSocketTransportFactory client(options());
    for (const std::string& garbage : {std::string(300, '\x7f'), std::string("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"),
                                      std::string("HTTP/1.1 101 Switching Protocols\r\n\r\n")}) {
        RawServer noisy([garbage](int c) {
            if (!read_head(c, static_cast<int>(2000 * scale())).empty()) {
                (void)::send(c, garbage.data(), garbage.size(), MSG_NOSIGNAL);
                drain(c, static_cast<int>(500 * scale()));
            }
        });
        std::string error;
        EXPECT_FALSE(client.connect(noisy.endpoint(), in_ms(2000), error));
        EXPECT_EQ(error.rfind("upgrade", 0), 0U) << error;
        EXPECT_EQ(error.find("timed out"), std::string::npos) << error;
    }
}

TEST(WebSocketClientHostile, HugeFrameLengthFromTheServerIsALimitAtOnce) {
    cf::WebSocketTransportFactory client(options());
    RawServer huge([](int c) {
        const std::string response = switching_protocols(read_head(c, static_cast<int>(2000 * scale())));
        (void)::send(c, response.data(), response.size(), MSG_NOSIGNAL);
        // FIN + binary, unmasked (a server's), 64-bit length 2^31; no payload follows.
        const std::uint8_t header[] = {0x82, 0x7f, 0, 0, 0, 0, 0x80, 0, 0, 0};
        (void)::send(c, header, sizeof header, MSG_NOSIGNAL);
        drain(c, static_cast<int>(1000 * scale()));
    });
    std::string error;
    auto t = client.connect(huge.endpoint(), in_ms(2000), error);
    ASSERT_TRUE(t) << error;
    const auto in = t->receive(in_ms(3000));
    EXPECT_EQ(in.kind, cf::Incoming::Kind::limit) << cf::to_string(in.kind) << " " << in.detail;
    EXPECT_LE(t->bytes_received(), 1024U);
    t->abort();
}

TEST(WebSocketClientHostile, CloseEndsByItsTimeoutWhenThePeerNeverAnswers) {
    auto o = options();
    o.close_timeout = milliseconds(static_cast<long>(300 * scale()));
    cf::WebSocketTransportFactory client(o);
    // Completes the upgrade, then reads everything (the close frame too) and never answers.
    RawServer mute([](int c) {
        const std::string response = switching_protocols(read_head(c, static_cast<int>(2000 * scale())));
        (void)::send(c, response.data(), response.size(), MSG_NOSIGNAL);
        drain(c, static_cast<int>(1500 * scale()));
    });
    std::string error;
    auto t = client.connect(mute.endpoint(), in_ms(2000), error);
    ASSERT_TRUE(t) << error;
    const auto start = cf::SteadyClock::now();
    t->shutdown_send();
    t->close();
    EXPECT_LT(cf::SteadyClock::now() - start, milliseconds(static_cast<long>(1200 * scale())));
    EXPECT_NE(t->receive(in_ms(200)).kind, cf::Incoming::Kind::message);
}

TEST(WebSocketClientHostile, FragmentedSendGoesOutInSmallFramesAndArrivesWhole) {
    auto o = options();
    o.fragment_size = 4;
    o.fragment_gap = milliseconds(5);
    cf::WebSocketTransportFactory client(o);
    const Bytes message = bytes("twenty bytes of data");
    // What a server sees on the wire: five masked frames (2 + 4 + 4 bytes each), the first binary
    // without FIN, then continuations, the last with FIN.
    std::string wire;
    {
        RawServer raw([&wire](int c) {
            const std::string response = switching_protocols(read_head(c, static_cast<int>(2000 * scale())));
            (void)::send(c, response.data(), response.size(), MSG_NOSIGNAL);
            char buf[256];
            pollfd p{c, POLLIN, 0};
            while (wire.size() < 50 && ::poll(&p, 1, static_cast<int>(1000 * scale())) == 1) {
                const auto n = ::recv(c, buf, sizeof buf, 0);
                if (n <= 0) {
                    break;
                }
                wire.append(buf, static_cast<std::size_t>(n));
            }
        });
        std::string error;
        auto t = client.connect(raw.endpoint(), in_ms(2000), error);
        ASSERT_TRUE(t) << error;
        EXPECT_FALSE(t->send(message, in_ms(2000)));
        t->abort();
    }  // the server's thread has read everything once it is joined here
    ASSERT_EQ(wire.size(), 50U);
    const std::uint8_t firsts[] = {0x02, 0x00, 0x00, 0x00, 0x80};
    for (std::size_t k = 0; k < 5; ++k) {
        EXPECT_EQ(static_cast<std::uint8_t>(wire[10 * k]), firsts[k]) << "frame " << k;
        EXPECT_EQ(static_cast<std::uint8_t>(wire[10 * k + 1]), 0x84) << "frame " << k;  // masked, 4 bytes
    }
    // Reassembled by the transport's own server side.
    Server server(options());
    std::string error;
    auto t = client.connect(server.endpoint(), in_ms(2000), error);
    ASSERT_TRUE(t) << error;
    auto peer = server.accept();
    ASSERT_TRUE(peer);
    EXPECT_FALSE(t->send(message, in_ms(2000)));
    const auto in = peer->receive(in_ms(2000));
    EXPECT_EQ(in.kind, cf::Incoming::Kind::message);
    EXPECT_EQ(in.wire, message);
}

TEST(WebSocketClientHostile, SegmentedWritesTrickleTheUpgradeAndEveryFrameInSmallTcpSegments) {
    auto o = options();
    o.segment_size = 7;
    o.segment_gap = milliseconds(5);
    cf::WebSocketTransportFactory client(o);
    const Bytes message = bytes("twenty bytes of data");
    // What a server's reads see: the request head and the frame (2 + 4 + 20 bytes) in many small
    // pieces, over at least the gaps between the segments.
    std::vector<std::size_t> pieces;
    std::size_t head_size = 0;
    std::string frame_wire;
    cf::SteadyClock::duration head_took{};
    {
        RawServer raw([&](int c) {
            std::string head;
            char buf[256];
            pollfd p{c, POLLIN, 0};
            cf::SteadyClock::time_point first{};
            while (head.find("\r\n\r\n") == std::string::npos && ::poll(&p, 1, static_cast<int>(2000 * scale())) == 1) {
                const auto n = ::recv(c, buf, sizeof buf, 0);
                if (n <= 0) {
                    return;
                }
                if (head.empty()) {
                    first = cf::SteadyClock::now();
                }
                head.append(buf, static_cast<std::size_t>(n));
                pieces.push_back(static_cast<std::size_t>(n));
            }
            head_took = cf::SteadyClock::now() - first;
            head_size = head.size();
            const std::string response = switching_protocols(head);
            (void)::send(c, response.data(), response.size(), MSG_NOSIGNAL);
            while (frame_wire.size() < 26 && ::poll(&p, 1, static_cast<int>(1000 * scale())) == 1) {
                const auto n = ::recv(c, buf, sizeof buf, 0);
                if (n <= 0) {
                    break;
                }
                frame_wire.append(buf, static_cast<std::size_t>(n));
            }
        });
        std::string error;
        auto t = client.connect(raw.endpoint(), in_ms(4000), error);
        ASSERT_TRUE(t) << error;
        EXPECT_FALSE(t->send(message, in_ms(2000)));
        t->abort();
    }
    ASSERT_GT(head_size, 100U);
    const std::size_t segments = (head_size + 6) / 7;
    // The clock starts at the first read, which may come late: it may hold several segments, and
    // may fall anywhere in the gap after the last of them. Only the gaps after that one count.
    ASSERT_FALSE(pieces.empty());
    const std::size_t first_read_segments = (pieces.front() + 6) / 7;
    ASSERT_LT(first_read_segments + 1, segments);
    EXPECT_GE(head_took, milliseconds(5 * (segments - first_read_segments - 1)));
    // Each read takes what has arrived: one segment, or a few when the reader was late.
    EXPECT_GE(pieces.size(), segments / 4);
    ASSERT_EQ(frame_wire.size(), 26U);
    EXPECT_EQ(static_cast<std::uint8_t>(frame_wire[0]), 0x82);  // one binary frame, FIN
    EXPECT_EQ(static_cast<std::uint8_t>(frame_wire[1]), 0x80 | 20);
}

TEST(WebSocketTransport, SegmentedWritesOnBothSidesStillCompleteTheUpgradeAndTheMessages) {
    auto o = options(false, true);
    o.segment_size = 7;
    o.segment_gap = milliseconds(1);
    o.segment_jitter = milliseconds(2);
    o.handshake_timeout = milliseconds(static_cast<long>(3000 * scale()));
    Server server(o);
    cf::WebSocketTransportFactory client(o);
    std::string error;
    auto t = client.connect(server.endpoint(), in_ms(4000), error);
    ASSERT_TRUE(t) << error;
    auto peer = server.accept(4000);
    ASSERT_TRUE(peer);
    const Bytes text = prefixed(0x01, std::string(300, 'x'));
    const Bytes binary = prefixed(0x02, "segmented");
    EXPECT_FALSE(t->send(text, in_ms(4000)));
    auto in = peer->receive(in_ms(4000));
    ASSERT_EQ(in.kind, cf::Incoming::Kind::message);
    EXPECT_EQ(in.wire, text);
    EXPECT_FALSE(peer->send(binary, in_ms(4000)));
    in = t->receive(in_ms(4000));
    ASSERT_EQ(in.kind, cf::Incoming::Kind::message);
    EXPECT_EQ(in.wire, binary);
    // A send whose deadline comes first ends by it (one gap late at most).
    const auto start = cf::SteadyClock::now();
    EXPECT_TRUE(t->send(prefixed(0x02, std::string(4000, 'y')), in_ms(50)));
    EXPECT_LT(cf::SteadyClock::now() - start, milliseconds(static_cast<long>(1000 * scale())));
}

}  // namespace
