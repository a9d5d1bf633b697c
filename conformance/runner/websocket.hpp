// WebSocket (RFC 6455) as a runner transport, plain or over TLS 1.3, on Boost.Beast and Asio.
// Messages are delimited by the WebSocket framing, so receive() returns whole messages (Beast
// reassembles fragments up to TransportLimits::max_message) and receive_any() is receive().
//
// Each connection owns its io_context and is driven by the thread that calls it: an operation runs
// the context until it completes or its deadline passes. A receive that reaches its deadline is
// not cancelled (cancelling a Beast WebSocket read ends the stream): the read stays pending and the
// next receive picks it up, and while it is pending Beast answers pings. A send that misses its
// deadline ends the connection.
//
// The listener accepts TCP on a thread of its own and runs each connection's TLS handshake and
// upgrade on a worker, each under `handshake_timeout`, so a client that stalls or sends garbage
// delays no one else; accept() hands out the connections whose upgrade succeeded and, when there
// are none, the error of one that failed.
//
// Nothing here knows a variant: the options (path, query, target check, opcode prefix, TLS pin)
// are what a variant configures.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "conformance/runner/machine_peer.hpp"
#include "conformance/runner/net.hpp"
#include "conformance/runner/transport.hpp"

namespace shakedown::conformance {

// The TLS versions a side offers or accepts. TLS 1.3 alone is what every side of the project speaks;
// the others exist to probe a peer that must refuse TLS 1.2, and for a peer misbehaving on purpose.
enum class TlsVersions : std::uint8_t { tls13, tls12, tls12_and_13 };

// TLS 1.3 session resumption on the client's side, for probing a peer that must not resume: the
// latest session ticket received on any connection made with it is kept and offered by the next.
struct TlsResumption {
    std::mutex mutex;
    std::shared_ptr<void> session;   // an SSL_SESSION, or empty
    std::size_t tickets = 0;         // tickets received, over every connection
    bool offered = false;            // the last connection offered a ticket
    bool resumed = false;            // and the peer resumed it (no certificate was presented)
    std::string certificate_sha256;  // the last full handshake's peer certificate
};

// What the ClientHellos reaching a server offered, for grading a client that must not resume a
// session where it should not: counted over every connection of the listeners that share it.
struct TlsClientHellos {
    std::mutex mutex;
    std::size_t seen = 0;
    std::size_t offered_psk = 0;     // a pre_shared_key extension (41): a TLS 1.3 resumption offer
    std::size_t offered_ticket = 0;  // a non-empty session_ticket extension (35): a TLS 1.2 one
    std::size_t resumed = 0;         // handshakes the server completed as resumptions
};

struct WebSocketOptions {
    // Client: the upgrade request's target is path + ("?" + query when query is not empty).
    std::string path = "/";
    std::string query;
    // true: every message handed to send() and returned by receive() starts with one byte naming
    // its opcode (0x01 text, 0x02 binary) followed by the payload. false: every message sent is a
    // binary frame and the bytes are its payload (a text message received is delivered the same
    // way, with `detail` saying "text").
    bool opcode_prefix = false;
    // Server: decides on the upgrade request's target (path and query, as sent); false refuses
    // the upgrade with HTTP 401 and `why` as the body. Empty: every target is accepted.
    std::function<bool(std::string_view target, std::string& why)> accept_target;

    // No session resumption (no tickets, no session cache), TLS 1.3 only unless `tls_versions`
    // says otherwise.
    bool tls = false;
    TlsVersions tls_versions = TlsVersions::tls13;
    // Client: take session tickets and offer them (probing a peer that must not resume).
    std::shared_ptr<TlsResumption> resumption;
    // Server: issue session tickets, under a key shared by every listener of this process, and
    // resume the sessions they name (a peer misbehaving on purpose).
    bool issue_tickets = false;
    // Server: record what every ClientHello offers (and which handshakes resumed).
    std::shared_ptr<TlsClientHellos> client_hellos;
    // Server: certificate and private key (PEM). Empty: a fresh self-signed P-256 certificate is
    // made when the listener starts.
    std::string certificate_pem;
    std::string private_key_pem;
    // Client: hex SHA-256 of the peer certificate (DER) or of its SubjectPublicKeyInfo (DER);
    // case and ':' separators are ignored. Empty: any certificate is taken (the harness tests the
    // handshake carried inside, not a PKI).
    std::string pin_sha256;

    // Server: the TLS handshake and the upgrade together, from the TCP accept.
    Millis handshake_timeout{5000};
    // close(): how long to wait for the peer's close frame.
    Millis close_timeout{1000};
    // Slow and partial delivery (probing a peer's reassembly and deadlines): every message longer
    // than `fragment_size` bytes goes out as frames of at most that many, `fragment_gap` apart,
    // all within the send's deadline. 0: one frame per message.
    std::size_t fragment_size = 0;
    Millis fragment_gap{0};
    // Slow delivery below the framing (probing a peer's stream reassembly): every write to the
    // socket, of the upgrade request or response, of each frame's header and payload, and of TLS
    // records, goes out in segments of at most `segment_size` bytes (TCP_NODELAY is on), each
    // `segment_gap` plus up to `segment_jitter` after the previous one. Each wait is bounded by
    // its own deadline as before (an operation overshoots it by one gap at most). 0: as it comes.
    std::size_t segment_size = 0;
    Millis segment_gap{0};
    Millis segment_jitter{0};
    // Server: connections in their TLS handshake or upgrade at once, and finished ones waiting for
    // accept(); more are refused at once.
    std::size_t max_pending = 64;
};

// SHA-256 pins of a certificate, as lowercase hex.
struct CertificatePins {
    std::string certificate_sha256;
    std::string spki_sha256;
};

// A self-signed certificate and its key, made at run time (EC P-256; never stored).
struct GeneratedCertificate {
    std::string certificate_pem;
    std::string private_key_pem;
};
[[nodiscard]] std::optional<GeneratedCertificate> generate_self_signed_certificate(std::string& error);
// The pins of a PEM certificate; nullopt when it cannot be read.
[[nodiscard]] std::optional<CertificatePins> certificate_pins(std::string_view certificate_pem);

class WebSocketTransportFactory;

class WebSocketListener final : public Listener {
public:
    ~WebSocketListener() override;
    WebSocketListener(const WebSocketListener&) = delete;
    WebSocketListener& operator=(const WebSocketListener&) = delete;

    [[nodiscard]] std::uint16_t port() const override { return m_port; }
    [[nodiscard]] std::unique_ptr<Transport> accept(Deadline deadline, std::string& error) override;
    // "CERT_SHA256 <hex> SPKI_SHA256 <hex>" with TLS, empty without.
    [[nodiscard]] std::string describe() const override;
    // Empty without TLS.
    [[nodiscard]] const std::string& certificate_sha256() const { return m_pins.certificate_sha256; }
    [[nodiscard]] const std::string& spki_sha256() const { return m_pins.spki_sha256; }

private:
    friend class WebSocketTransportFactory;
    struct State;
    WebSocketListener(WebSocketOptions options, TransportLimits limits);
    [[nodiscard]] bool start(const Endpoint& at, std::string& error);
    void handshake(int native, bool v6);

    WebSocketOptions m_options;
    TransportLimits m_limits;
    CertificatePins m_pins;
    std::uint16_t m_port = 0;
    std::unique_ptr<State> m_state;  // Asio and TLS state, kept out of this header

    std::mutex m_mutex;
    std::condition_variable m_ready_cv;
    std::deque<std::unique_ptr<Transport>> m_ready;
    std::deque<std::string> m_failures;  // the latest few handshake failures
    std::atomic<bool> m_stop{false};
    WorkerPool m_workers;
    std::thread m_acceptor_thread;
};

class WebSocketTransportFactory final : public TransportFactory {
public:
    explicit WebSocketTransportFactory(WebSocketOptions options, TransportLimits limits = {})
        : m_options(std::move(options)), m_limits(limits) {}
    [[nodiscard]] std::string name() const override { return m_options.tls ? "websocket+tls" : "websocket"; }
    [[nodiscard]] std::unique_ptr<Transport> connect(const Endpoint& to, Deadline deadline,
                                                     std::string& error) const override;
    [[nodiscard]] std::unique_ptr<Listener> listen(const Endpoint& at, std::string& error) const override;
    // The concrete listener, for callers that want its certificate pins.
    [[nodiscard]] std::unique_ptr<WebSocketListener> listen_websocket(const Endpoint& at, std::string& error) const;
    [[nodiscard]] const WebSocketOptions& options() const { return m_options; }

private:
    WebSocketOptions m_options;
    TransportLimits m_limits;
};

}  // namespace shakedown::conformance
