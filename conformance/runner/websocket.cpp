#include "conformance/runner/websocket.hpp"

#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <limits>
#include <random>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "common/crypto.hpp"

namespace shakedown::conformance {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using boost::system::error_code;

// Counts every byte read from the socket (TLS records and WebSocket headers included), so
// TransportLimits::max_total bounds what the peer put on the wire, not only its messages. Reads
// are never throttled. Writes are, when trickle() was called (WebSocketOptions::segment_size):
// every write to the socket takes at most `segment` bytes and starts no sooner than a gap after
// the previous one. The connection's own thread sleeps out the gap (it drives nothing else), so
// a gap overshoots the caller's deadline by one gap at most. Being a type of this namespace, it
// also makes the teardown below the one Beast finds for the streams built on it.
class CountingPolicy {
public:
    [[nodiscard]] std::size_t total() const { return m_total; }
    void trickle(std::size_t segment, Millis gap, Millis jitter, std::uint32_t seed) {
        m_segment = segment;
        m_gap = gap;
        m_jitter = jitter;
        m_random.seed(seed);
    }

private:
    friend class beast::rate_policy_access;
    static constexpr std::size_t kAll = std::numeric_limits<std::size_t>::max();
    [[nodiscard]] std::size_t available_read_bytes() const noexcept { return kAll; }
    [[nodiscard]] std::size_t available_write_bytes() noexcept {
        if (m_segment == 0) {
            return kAll;
        }
        if (m_next) {
            std::this_thread::sleep_until(*m_next);
        }
        return m_segment;
    }
    void transfer_read_bytes(std::size_t n) noexcept { m_total += n; }
    void transfer_write_bytes(std::size_t n) noexcept {
        if (m_segment == 0 || n == 0) {
            return;
        }
        const auto spread = static_cast<std::uint32_t>(m_jitter.count() + 1);
        m_next = SteadyClock::now() + m_gap + Millis(m_jitter.count() > 0 ? m_random() % spread : 0);
    }
    void on_timer() noexcept {}

    std::size_t m_total = 0;
    std::size_t m_segment = 0;
    Millis m_gap{0};
    Millis m_jitter{0};
    std::minstd_rand m_random;
    std::optional<SteadyClock::time_point> m_next;
};

using CountingStream = beast::basic_stream<tcp, asio::any_io_executor, CountingPolicy>;
using TlsStream = ssl::stream<CountingStream>;

// Teardown after the close frames, or after a protocol error. Beast's own reads until the peer
// closes TCP (or answers close_notify), which a hostile or stalled peer never does; the runner has
// said what it had to and closes at once. (Found by argument-dependent lookup through
// CountingPolicy, and preferred over Beast's as the more specialized overload.)
template <class Handler>
void async_teardown(beast::role_type /*role*/, CountingStream& stream, Handler&& handler) {
    error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream.socket().close(ignored);
    asio::post(stream.get_executor(), [h = std::forward<Handler>(handler)]() mutable { h(error_code{}); });
}

template <class Handler>
void async_teardown(beast::role_type /*role*/, TlsStream& stream, Handler&& handler) {
    // Send our close_notify without waiting for the peer's: marking it as already received makes
    // SSL_shutdown complete after writing.
    SSL* native = stream.native_handle();
    SSL_set_shutdown(native, SSL_get_shutdown(native) | SSL_RECEIVED_SHUTDOWN);
    stream.async_shutdown([&stream, h = std::forward<Handler>(handler)](const error_code&) mutable {
        error_code ignored;
        stream.next_layer().socket().shutdown(tcp::socket::shutdown_send, ignored);
        stream.next_layer().socket().close(ignored);
        h(error_code{});
    });
}

namespace {

constexpr std::uint8_t kOpText = 0x01;
constexpr std::uint8_t kOpBinary = 0x02;
constexpr std::size_t kMaxRequestHeader = 8 * 1024;
constexpr std::size_t kMaxFailuresKept = 16;
// Pending operations complete (aborted) promptly once the socket is closed; this only bounds it.
constexpr Millis kDrain{500};

std::string target_of(const WebSocketOptions& o) { return o.query.empty() ? o.path : o.path + "?" + o.query; }

std::string normalized_pin(std::string_view pin) {
    std::string out;
    for (const char c : pin) {
        if (c != ':') {
            out.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
        }
    }
    return out;
}

struct X509Free {
    void operator()(X509* x) const { X509_free(x); }
};
struct PkeyFree {
    void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct BioFree {
    void operator()(BIO* b) const { BIO_free(b); }
};
struct BnFree {
    void operator()(BIGNUM* b) const { BN_free(b); }
};

std::string sha256_hex(const Bytes& der) { return to_hex(crypto::sha256(der)); }

std::optional<CertificatePins> pins_of(X509* cert) {
    if (cert == nullptr) {
        return std::nullopt;
    }
    CertificatePins pins;
    const int cert_len = i2d_X509(cert, nullptr);
    EVP_PKEY* key = X509_get0_pubkey(cert);
    const int spki_len = key == nullptr ? -1 : i2d_PUBKEY(key, nullptr);
    if (cert_len <= 0 || spki_len <= 0) {
        return std::nullopt;
    }
    Bytes der(static_cast<std::size_t>(cert_len));
    unsigned char* p = der.data();
    i2d_X509(cert, &p);
    pins.certificate_sha256 = sha256_hex(der);
    der.assign(static_cast<std::size_t>(spki_len), 0);
    p = der.data();
    i2d_PUBKEY(key, &p);
    pins.spki_sha256 = sha256_hex(der);
    return pins;
}

std::string bio_text(BIO* bio) {
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    return n > 0 ? std::string(data, static_cast<std::size_t>(n)) : std::string();
}

// A context for one role: TLS 1.3 only (unless asked otherwise), and no session resumption (no
// tickets, no cache), so every connection runs a full handshake.
// The one ticket key of this process's listeners that issue tickets (WebSocketOptions::issue_tickets).
const unsigned char* process_ticket_keys() {
    static const auto keys = [] {
        std::array<unsigned char, 80> k{};
        if (RAND_bytes(k.data(), static_cast<int>(k.size())) != 1) {
            std::abort();  // no randomness: nothing in TLS could work
        }
        return k;
    }();
    return keys.data();
}

// Where a client context keeps its TlsResumption (Asio keeps its own pointer in the app data).
int resumption_index() {
    static const int index = SSL_CTX_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
    return index;
}

// Client with TlsResumption: every ticket received replaces the one kept.
int keep_ticket(SSL* ssl, SSL_SESSION* session) {
    auto* r = static_cast<TlsResumption*>(SSL_CTX_get_ex_data(SSL_get_SSL_CTX(ssl), resumption_index()));
    if (r == nullptr) {
        return 0;
    }
    // A copy: the connection's own session is marked unusable when the connection ends without a
    // close_notify, which the runner's abrupt ends never send.
    SSL_SESSION* copy = SSL_SESSION_dup(session);
    if (copy == nullptr) {
        return 0;
    }
    std::lock_guard<std::mutex> lock(r->mutex);
    r->session = std::shared_ptr<void>(copy, [](void* s) { SSL_SESSION_free(static_cast<SSL_SESSION*>(s)); });
    ++r->tickets;
    return 0;  // OpenSSL keeps its own reference
}

// Server with TlsClientHellos: counts what the ClientHello offers, and lets the handshake go on.
int watch_client_hello(SSL* ssl, int* /*alert*/, void* arg) {
    auto* h = static_cast<TlsClientHellos*>(arg);
    const unsigned char* data = nullptr;
    std::size_t len = 0;
    const bool psk = SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_psk, &data, &len) == 1;
    const bool ticket = SSL_client_hello_get0_ext(ssl, TLSEXT_TYPE_session_ticket, &data, &len) == 1 && len > 0;
    std::lock_guard<std::mutex> lock(h->mutex);
    ++h->seen;
    h->offered_psk += psk ? 1 : 0;
    h->offered_ticket += ticket ? 1 : 0;
    return SSL_CLIENT_HELLO_SUCCESS;
}

std::shared_ptr<ssl::context> tls_context(bool server, const std::string& cert_pem, const std::string& key_pem,
                                          const WebSocketOptions& o, std::string& error) {
    const TlsVersions versions = o.tls_versions;
    auto ctx = std::make_shared<ssl::context>(server ? ssl::context::tls_server : ssl::context::tls_client);
    SSL_CTX* native = ctx->native_handle();
    const int lowest = versions == TlsVersions::tls13 ? TLS1_3_VERSION : TLS1_2_VERSION;
    const int highest = versions == TlsVersions::tls12 ? TLS1_2_VERSION : TLS1_3_VERSION;
    if (SSL_CTX_set_min_proto_version(native, lowest) != 1 || SSL_CTX_set_max_proto_version(native, highest) != 1) {
        error = versions == TlsVersions::tls12 ? "TLS 1.2 is not available" : "TLS 1.3 is not available";
        return nullptr;
    }
    if (server && o.issue_tickets) {
        SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_SERVER);
        SSL_CTX_clear_options(native, SSL_OP_NO_TICKET);
        SSL_CTX_set_num_tickets(native, 2);
        SSL_CTX_set_tlsext_ticket_keys(native, const_cast<unsigned char*>(process_ticket_keys()), 80);
    } else if (!server && o.resumption) {
        SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
        if (resumption_index() < 0 || SSL_CTX_set_ex_data(native, resumption_index(), o.resumption.get()) != 1) {
            error = "cannot attach the session store";
            return nullptr;
        }
        SSL_CTX_sess_set_new_cb(native, keep_ticket);
    } else {
        SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_OFF);
        SSL_CTX_set_options(native, SSL_OP_NO_TICKET);
        SSL_CTX_set_num_tickets(native, 0);
    }
    if (server && o.client_hellos) {
        SSL_CTX_set_client_hello_cb(native, watch_client_hello, o.client_hellos.get());
    }
    if (server) {
        error_code ec;
        ctx->use_certificate_chain(asio::buffer(cert_pem), ec);
        if (!ec) {
            ctx->use_private_key(asio::buffer(key_pem), ssl::context::pem, ec);
        }
        if (ec || SSL_CTX_check_private_key(native) != 1) {
            error = "TLS certificate or key unusable" + (ec ? ": " + ec.message() : std::string());
            return nullptr;
        }
    }
    return ctx;
}

struct Completion {
    bool done = false;
    error_code ec;
};

std::string close_detail(const websocket::close_reason& r) {
    if (r.code == websocket::close_code::none) {
        return "close frame without a status code (1005)";
    }
    std::string s = "close code " + std::to_string(static_cast<unsigned>(r.code));
    if (!r.reason.empty()) {
        s += ": " + std::string(r.reason.data(), r.reason.size());
    }
    return s;
}

bool is_websocket_error(const error_code& ec) {
    return ec.category() == websocket::make_error_code(websocket::error::closed).category();
}

bool is_tls_error(const error_code& ec) {
    return ec.category() == asio::error::get_ssl_category() ||
           ec.category() == ssl::error::make_error_code(ssl::error::stream_truncated).category();
}

// One WebSocket connection over `Next` (a counting TCP stream, or TLS over one).
template <class Next>
class WsConnection final : public Transport {
    static constexpr bool kTls = std::is_same_v<Next, TlsStream>;

public:
    WsConnection(const WebSocketOptions& options, TransportLimits limits, std::shared_ptr<ssl::context> tls)
        : m_opcode_prefix(options.opcode_prefix),
          m_close_timeout(options.close_timeout),
          m_fragment_size(options.fragment_size),
          m_fragment_gap(options.fragment_gap),
          m_limits(limits),
          m_tls(std::move(tls)),
          m_rx(limits.max_message) {
        if constexpr (kTls) {
            m_ws.emplace(m_io, *m_tls);
        } else {
            m_ws.emplace(m_io);
        }
        m_ws->read_message_max(limits.max_message);
        if (options.segment_size > 0) {
            static std::atomic<std::uint32_t> connections{0};
            beast::get_lowest_layer(*m_ws).rate_policy().trickle(options.segment_size, options.segment_gap,
                                                                 options.segment_jitter, ++connections);
        }
        m_ws->auto_fragment(false);
        m_ws->binary(true);
        // Beast's own timeouts stay off (its default): every wait here has the caller's deadline.
    }
    WsConnection(const WsConnection&) = delete;
    WsConnection& operator=(const WsConnection&) = delete;
    ~WsConnection() override { drop(false); }

    // Client: TCP connect, TLS handshake (with the pin check), upgrade; all by `deadline`.
    bool connect(const Endpoint& to, const WebSocketOptions& o, Deadline deadline, std::string& error) {
        m_ws->set_option(websocket::stream_base::decorator(
            [](websocket::request_type& r) { r.set(http::field::user_agent, "shakedown"); }));
        auto& lowest = beast::get_lowest_layer(*m_ws);
        {
            auto c = std::make_shared<Completion>();
            lowest.socket().async_connect(tcp::endpoint(asio::ip::make_address(to.host), to.port),
                                          [c](const error_code& ec) {
                                              c->ec = ec;
                                              c->done = true;
                                          });
            if (!run_until(deadline, c->done, nullptr) || c->ec) {
                error = "connect " + to.to_string() + ": " + (c->done ? c->ec.message() : "timed out");
                drop(false);
                return false;
            }
            error_code ignored;
            lowest.socket().set_option(tcp::no_delay(true), ignored);
        }
        if constexpr (kTls) {
            const std::string pin = normalized_pin(o.pin_sha256);
            auto& tls = m_ws->next_layer();
            tls.set_verify_mode(ssl::verify_peer);
            // Chain errors are ignored (run-time certificates are self-signed); the pin, when
            // there is one, is the whole check.
            tls.set_verify_callback([this, pin](bool /*preverified*/, ssl::verify_context& vc) {
                X509_STORE_CTX* store = vc.native_handle();
                if (X509_STORE_CTX_get_error_depth(store) != 0) {
                    return true;
                }
                const auto pins = pins_of(X509_STORE_CTX_get_current_cert(store));
                if (!pins) {
                    m_pin_mismatch = "peer certificate unreadable";
                    return false;
                }
                if (pin.empty() || pin == pins->certificate_sha256 || pin == pins->spki_sha256) {
                    return true;
                }
                m_pin_mismatch = "certificate pin mismatch: expected " + pin + ", peer certificate SHA-256 " +
                                 pins->certificate_sha256 + ", SubjectPublicKeyInfo SHA-256 " + pins->spki_sha256;
                return false;
            });
            if (o.resumption) {
                std::lock_guard<std::mutex> lock(o.resumption->mutex);
                o.resumption->offered =
                    o.resumption->session &&
                    SSL_set_session(tls.native_handle(), static_cast<SSL_SESSION*>(o.resumption->session.get())) == 1;
                o.resumption->resumed = false;
            }
            auto c = std::make_shared<Completion>();
            tls.async_handshake(ssl::stream_base::client, [c](const error_code& ec) {
                c->ec = ec;
                c->done = true;
            });
            if (!run_until(deadline, c->done, nullptr) || c->ec) {
                error = !m_pin_mismatch.empty() ? m_pin_mismatch
                                                : "TLS handshake: " + (c->done ? c->ec.message() : "timed out");
                drop(false);
                return false;
            }
            if (o.resumption) {
                std::lock_guard<std::mutex> lock(o.resumption->mutex);
                o.resumption->resumed = SSL_session_reused(tls.native_handle()) == 1;
                std::unique_ptr<X509, X509Free> cert(SSL_get1_peer_certificate(tls.native_handle()));
                if (const auto pins = pins_of(cert.get()); pins && !o.resumption->resumed) {
                    o.resumption->certificate_sha256 = pins->certificate_sha256;
                }
            }
        }
        auto c = std::make_shared<Completion>();
        auto response = std::make_shared<websocket::response_type>();
        m_ws->async_handshake(*response, to.to_string(), target_of(o), [c, response](const error_code& ec) {
            c->ec = ec;
            c->done = true;
        });
        if (!run_until(deadline, c->done, nullptr) || c->ec) {
            if (c->done && c->ec == websocket::error::upgrade_declined) {
                error = "upgrade refused: HTTP " + std::to_string(response->result_int()) + " " +
                        std::string(response->reason()) +
                        (response->body().empty() ? "" : ": " + response->body().substr(0, 200));
            } else {
                error = "upgrade: " + (c->done ? c->ec.message() : "timed out");
            }
            drop(false);
            return false;
        }
        return true;
    }

    // Server: takes over an accepted socket, runs the TLS handshake and the upgrade by `deadline`.
    bool accept(int native, bool v6, const WebSocketOptions& o, Deadline deadline, const std::atomic<bool>& stop,
                std::string& error) {
        auto& lowest = beast::get_lowest_layer(*m_ws);
        error_code ec;
        lowest.socket().assign(v6 ? tcp::v6() : tcp::v4(), native, ec);
        if (ec) {
            ::close(native);
            error = "accept: " + ec.message();
            return false;
        }
        lowest.socket().set_option(tcp::no_delay(true), ec);
        const auto waited = [&](const Completion& c) {
            return stop.load() ? "listener closed" : c.done ? c.ec.message() : std::string("timed out");
        };
        if constexpr (kTls) {
            auto c = std::make_shared<Completion>();
            m_ws->next_layer().async_handshake(ssl::stream_base::server, [c](const error_code& e) {
                c->ec = e;
                c->done = true;
            });
            if (!run_until(deadline, c->done, &stop) || c->ec) {
                error = "TLS handshake: " + waited(*c);
                drop(true);
                return false;
            }
            if (o.client_hellos && SSL_session_reused(m_ws->next_layer().native_handle()) == 1) {
                std::lock_guard<std::mutex> lock(o.client_hellos->mutex);
                ++o.client_hellos->resumed;
            }
        }
        // The request is read here rather than by Beast's accept, so its target can be judged.
        auto c = std::make_shared<Completion>();
        auto parser = std::make_shared<http::request_parser<http::empty_body>>();
        parser->header_limit(kMaxRequestHeader);
        auto buffer = std::make_shared<beast::flat_buffer>(kMaxRequestHeader);
        http::async_read(m_ws->next_layer(), *buffer, *parser, [c, parser, buffer](const error_code& e, std::size_t) {
            c->ec = e;
            c->done = true;
        });
        if (!run_until(deadline, c->done, &stop) || c->ec) {
            error = "upgrade request: " + waited(*c);
            drop(true);
            return false;
        }
        const auto& request = parser->get();
        if (!websocket::is_upgrade(request)) {
            refuse(http::status::bad_request, "not a WebSocket upgrade request", deadline);
            error = "upgrade refused (400): not a WebSocket upgrade request";
            return false;
        }
        if (buffer->size() != 0) {
            refuse(http::status::bad_request, "data sent before the upgrade response", deadline);
            error = "upgrade refused (400): " + std::to_string(buffer->size()) + " bytes sent before the upgrade response";
            return false;
        }
        const std::string_view target(request.target().data(), request.target().size());
        std::string why;
        if (o.accept_target && !o.accept_target(target, why)) {
            refuse(http::status::unauthorized, why, deadline);
            error = "upgrade refused (401): " + why;
            return false;
        }
        m_ws->set_option(websocket::stream_base::decorator(
            [](websocket::response_type& r) { r.set(http::field::server, "shakedown"); }));
        auto done = std::make_shared<Completion>();
        m_ws->async_accept(request, [done, parser](const error_code& e) {
            done->ec = e;
            done->done = true;
        });
        if (!run_until(deadline, done->done, &stop) || done->ec) {
            error = "upgrade: " + waited(*done);
            drop(true);
            return false;
        }
        return true;
    }

    [[nodiscard]] std::error_code send(ByteView bytes, Deadline deadline) override {
        if (m_transcript != nullptr) {
            m_transcript->sent(m_index, bytes);
        }
        if (m_ended || m_send_shut) {
            return std::make_error_code(std::errc::not_connected);
        }
        bool text = false;
        ByteView payload = bytes;
        if (m_opcode_prefix) {
            if (bytes.empty() || (bytes[0] != kOpText && bytes[0] != kOpBinary)) {
                return std::make_error_code(std::errc::invalid_argument);
            }
            text = bytes[0] == kOpText;
            payload = bytes.subspan(1);
        }
        m_ws->text(text);
        if (m_fragment_size == 0 || payload.size() <= m_fragment_size) {
            return write_frame(payload, true, deadline, false);
        }
        // Slow and partial delivery: frames of at most m_fragment_size bytes, m_fragment_gap apart.
        for (std::size_t at = 0; at < payload.size(); at += m_fragment_size) {
            const std::size_t n = std::min(m_fragment_size, payload.size() - at);
            const bool fin = at + n == payload.size();
            if (const auto ec = write_frame(payload.subspan(at, n), fin, deadline, true)) {
                return ec;
            }
            if (!fin) {
                std::this_thread::sleep_until(std::min(deadline, SteadyClock::now() + m_fragment_gap));
            }
        }
        return {};
    }

    [[nodiscard]] Incoming receive(Deadline deadline) override {
        if (m_limit_hit && !m_limit_reported) {
            m_limit_reported = true;
            return finish(Incoming::Kind::limit, over_total());
        }
        if (m_ended) {
            Incoming in;
            in.kind = Incoming::Kind::closed;
            in.detail = "connection already ended";
            return in;
        }
        if (!m_read_pending) {
            m_read_pending = true;
            m_read_done = false;
            m_ws->async_read(m_rx, [this](const error_code& ec, std::size_t) {
                m_read_ec = ec;
                m_read_done = true;
            });
        }
        if (!run_until(deadline, m_read_done, nullptr)) {
            if (m_limit_hit) {
                m_limit_reported = true;
                return finish(Incoming::Kind::limit, over_total());
            }
            return Incoming{};  // timeout; the read stays pending for the next call
        }
        m_read_pending = false;
        m_read_done = false;
        if (!m_read_ec) {
            Incoming in;
            in.kind = Incoming::Kind::message;
            const auto data = m_rx.data();
            const auto* p = static_cast<const std::uint8_t*>(data.data());
            in.payload.assign(p, p + data.size());
            m_rx.consume(m_rx.size());
            const bool text = m_ws->got_text();
            if (m_opcode_prefix) {
                in.wire.reserve(in.payload.size() + 1);
                in.wire.push_back(text ? kOpText : kOpBinary);
                in.wire.insert(in.wire.end(), in.payload.begin(), in.payload.end());
            } else {
                in.wire = in.payload;
                if (text) {
                    in.detail = "text";
                }
            }
            if (m_transcript != nullptr) {
                m_transcript->received(m_index, in.wire, in.detail);
            }
            return in;
        }
        return finish_with(m_read_ec);
    }

    // A WebSocket has no half-close that keeps the stream readable in Beast (after our close
    // frame it discards what arrives), so this only ends sending; the close frame goes with close().
    void shutdown_send() override { m_send_shut = true; }

    void close() override {
        if (!m_ended && m_ws->is_open()) {
            m_ended = true;
            auto c = std::make_shared<Completion>();
            m_ws->async_close(websocket::close_code::normal, [c](const error_code& ec) {
                c->ec = ec;
                c->done = true;
            });
            (void)run_until(after(m_close_timeout), c->done, nullptr);
        }
        drop(false);
    }

    void abort() override { drop(true); }

    [[nodiscard]] std::size_t bytes_received() const override {
        return beast::get_lowest_layer(*m_ws).rate_policy().total();
    }

    void attach(Transcript* transcript, std::uint8_t index) override {
        m_transcript = transcript;
        m_index = index;
    }

private:
    std::string over_total() const {
        return "more than " + std::to_string(m_limits.max_total) + " bytes received on one connection";
    }

    // Runs the context until `done`, the deadline, `stop`, or the peer passing the byte budget
    // (which ends the connection); true when `done`.
    bool run_until(Deadline deadline, const bool& done, const std::atomic<bool>* stop) {
        while (!done) {
            if (!m_limit_hit && bytes_received() > m_limits.max_total) {
                m_limit_hit = true;
                drop(true);
                return done;
            }
            const auto now = SteadyClock::now();
            if (now >= deadline || (stop != nullptr && stop->load())) {
                return false;
            }
            if (m_io.stopped()) {
                m_io.restart();
            }
            const Deadline slice = stop != nullptr ? std::min(deadline, now + Millis(100)) : deadline;
            if (m_io.run_one_until(slice) == 0 && m_io.stopped()) {
                return done;  // nothing left to run: the operation cannot complete
            }
        }
        return true;
    }

    // One write: the whole message (`fragment` false), or one frame of it ending it when `fin`.
    std::error_code write_frame(ByteView payload, bool fin, Deadline deadline, bool fragment) {
        auto c = std::make_shared<Completion>();
        const auto done = [c](const error_code& ec, std::size_t) {
            c->ec = ec;
            c->done = true;
        };
        if (fragment) {
            m_ws->async_write_some(fin, asio::buffer(payload.data(), payload.size()), done);
        } else {
            m_ws->async_write(asio::buffer(payload.data(), payload.size()), done);
        }
        if (!run_until(deadline, c->done, nullptr)) {
            // A frame cannot be taken back halfway: a write that misses its deadline ends the
            // connection.
            drop(true);
            return std::make_error_code(m_limit_hit ? std::errc::connection_aborted : std::errc::timed_out);
        }
        if (c->ec == asio::error::connection_reset || c->ec == asio::error::broken_pipe) {
            return std::make_error_code(std::errc::connection_reset);
        }
        if (c->ec) {
            return std::make_error_code(std::errc::connection_aborted);
        }
        return {};
    }

    // Closes the socket (abortive: a reset) and lets every pending handler run.
    void drop(bool abortive) {
        auto& socket = beast::get_lowest_layer(*m_ws).socket();
        error_code ignored;
        if (socket.is_open()) {
            if (abortive) {
                socket.set_option(asio::socket_base::linger(true, 0), ignored);
            }
            socket.close(ignored);
        }
        m_ended = true;
        m_io.restart();
        m_io.run_for(kDrain);
    }

    void refuse(http::status status, const std::string& why, Deadline deadline) {
        auto response = std::make_shared<http::response<http::string_body>>(status, 11);
        response->set(http::field::server, "shakedown");
        response->set(http::field::content_type, "text/plain");
        response->set(http::field::connection, "close");
        response->body() = why;
        response->prepare_payload();
        auto c = std::make_shared<Completion>();
        http::async_write(m_ws->next_layer(), *response, [c, response](const error_code& ec, std::size_t) {
            c->ec = ec;
            c->done = true;
        });
        (void)run_until(deadline, c->done, nullptr);
        drop(false);
    }

    Incoming finish(Incoming::Kind kind, std::string detail) {
        Incoming in;
        in.kind = kind;
        in.detail = std::move(detail);
        if (m_transcript != nullptr) {
            m_transcript->event(m_index, std::string(to_string(kind)) + (in.detail.empty() ? "" : ": " + in.detail));
        }
        drop(kind == Incoming::Kind::reset);
        return in;
    }

    Incoming finish_with(const error_code& ec) {
        if (m_limit_hit) {
            m_limit_reported = true;
            return finish(Incoming::Kind::limit, over_total());
        }
        if (ec == websocket::error::closed) {
            return finish(Incoming::Kind::closed, close_detail(m_ws->reason()));
        }
        if (ec == websocket::error::message_too_big || ec == websocket::error::buffer_overflow) {
            return finish(Incoming::Kind::limit,
                          "message larger than the runner's bound of " + std::to_string(m_limits.max_message) +
                              " bytes (" + ec.message() + ")");
        }
        if (ec == asio::error::eof) {
            return finish(Incoming::Kind::closed, "connection closed without a close frame");
        }
        if (ec == ssl::error::stream_truncated) {
            return finish(Incoming::Kind::closed, "TLS stream truncated (no close frame, no close_notify)");
        }
        if (ec == asio::error::connection_reset || ec == asio::error::broken_pipe) {
            return finish(Incoming::Kind::reset, "");
        }
        if (is_websocket_error(ec)) {
            return finish(Incoming::Kind::framing_error, ec.message());
        }
        if (is_tls_error(ec)) {
            return finish(Incoming::Kind::framing_error, "TLS: " + ec.message());
        }
        return finish(Incoming::Kind::reset, ec.message());
    }

    bool m_opcode_prefix;
    Millis m_close_timeout;
    std::size_t m_fragment_size = 0;
    Millis m_fragment_gap{0};
    TransportLimits m_limits;
    std::shared_ptr<ssl::context> m_tls;
    asio::io_context m_io;
    std::optional<websocket::stream<Next>> m_ws;
    beast::flat_buffer m_rx;
    bool m_read_pending = false;
    bool m_read_done = false;
    error_code m_read_ec;
    bool m_ended = false;
    bool m_send_shut = false;
    bool m_limit_hit = false;
    bool m_limit_reported = false;
    std::string m_pin_mismatch;
    Transcript* m_transcript = nullptr;
    std::uint8_t m_index = 0;
};

}  // namespace

std::optional<GeneratedCertificate> generate_self_signed_certificate(std::string& error) {
    std::unique_ptr<EVP_PKEY, PkeyFree> key(EVP_EC_gen("P-256"));
    std::unique_ptr<X509, X509Free> cert(X509_new());
    std::unique_ptr<BIGNUM, BnFree> serial(BN_new());
    if (!key || !cert || !serial) {
        error = "cannot make a key or certificate";
        return std::nullopt;
    }
    // A random positive 127-bit serial.
    if (BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
        BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) == nullptr ||
        X509_set_version(cert.get(), 2) != 1 ||
        X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600) == nullptr ||
        X509_gmtime_adj(X509_getm_notAfter(cert.get()), 7L * 24 * 3600) == nullptr ||
        X509_set_pubkey(cert.get(), key.get()) != 1) {
        error = "cannot fill the certificate";
        return std::nullopt;
    }
    X509_NAME* name = X509_get_subject_name(cert.get());
    if (X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("shakedown"), -1,
                                   -1, 0) != 1 ||
        X509_set_issuer_name(cert.get(), name) != 1 || X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0) {
        error = "cannot sign the certificate";
        return std::nullopt;
    }
    std::unique_ptr<BIO, BioFree> cert_bio(BIO_new(BIO_s_mem()));
    std::unique_ptr<BIO, BioFree> key_bio(BIO_new(BIO_s_mem()));
    if (!cert_bio || !key_bio || PEM_write_bio_X509(cert_bio.get(), cert.get()) != 1 ||
        PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
        error = "cannot write the certificate";
        return std::nullopt;
    }
    return GeneratedCertificate{bio_text(cert_bio.get()), bio_text(key_bio.get())};
}

std::optional<CertificatePins> certificate_pins(std::string_view certificate_pem) {
    std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(certificate_pem.data(), static_cast<int>(certificate_pem.size())));
    if (!bio) {
        return std::nullopt;
    }
    std::unique_ptr<X509, X509Free> cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    return pins_of(cert.get());
}

struct WebSocketListener::State {
    asio::io_context io;
    tcp::acceptor acceptor{io};
    asio::steady_timer retry{io};
    std::shared_ptr<ssl::context> tls;
};

WebSocketListener::WebSocketListener(WebSocketOptions options, TransportLimits limits)
    : m_options(std::move(options)),
      m_limits(limits),
      m_state(std::make_unique<State>()),
      m_workers(std::max<std::size_t>(1, m_options.max_pending)) {}

WebSocketListener::~WebSocketListener() {
    m_stop.store(true);
    m_state->io.stop();
    if (m_acceptor_thread.joinable()) {
        m_acceptor_thread.join();
    }
    error_code ignored;
    m_state->acceptor.close(ignored);
    // Handshakes in progress see m_stop within 100 ms.
    m_workers.reap(true);
    m_ready_cv.notify_all();
}

bool WebSocketListener::start(const Endpoint& at, std::string& error) {
    if (m_options.tls) {
        std::string cert = m_options.certificate_pem;
        std::string key = m_options.private_key_pem;
        if (cert.empty()) {
            auto made = generate_self_signed_certificate(error);
            if (!made) {
                return false;
            }
            cert = std::move(made->certificate_pem);
            key = std::move(made->private_key_pem);
        }
        const auto pins = certificate_pins(cert);
        if (!pins) {
            error = "the TLS certificate cannot be read";
            return false;
        }
        m_pins = *pins;
        m_state->tls = tls_context(true, cert, key, m_options, error);
        if (!m_state->tls) {
            return false;
        }
    }
    error_code ec;
    const tcp::endpoint ep(asio::ip::make_address(at.host, ec), at.port);
    auto& acceptor = m_state->acceptor;
    if (!ec) {
        acceptor.open(ep.protocol(), ec);
    }
    if (!ec) {
        acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    }
    if (!ec) {
        acceptor.bind(ep, ec);
    }
    if (!ec) {
        acceptor.listen(asio::socket_base::max_listen_connections, ec);
    }
    if (!ec) {
        m_port = acceptor.local_endpoint(ec).port();
    }
    if (ec) {
        error = "listen on " + at.to_string() + ": " + ec.message();
        return false;
    }
    const bool v6 = ep.protocol() == tcp::v6();
    // The accept loop: each connection goes to a worker for its handshake at once.
    auto loop = std::make_shared<std::function<void()>>();
    *loop = [this, v6, weak = std::weak_ptr<std::function<void()>>(loop)] {
        m_state->acceptor.async_accept([this, v6, weak](const error_code& e, tcp::socket socket) {
            if (m_stop.load() || e == asio::error::operation_aborted) {
                return;
            }
            auto next = weak.lock();
            if (e) {
                // Out of descriptors and the like: try again shortly rather than spin.
                m_state->retry.expires_after(Millis(20));
                m_state->retry.async_wait([next](const error_code& te) {
                    if (!te && next) {
                        (*next)();
                    }
                });
                return;
            }
            m_workers.reap(false);
            error_code ignored;
            const int native = socket.release(ignored);
            if (native >= 0 && !m_workers.spawn([this, native, v6] { handshake(native, v6); })) {
                ::close(native);
            }
            if (next) {
                (*next)();
            }
        });
    };
    (*loop)();
    m_acceptor_thread = std::thread([this, loop] {
        m_state->io.run();
        // Break the loop's self-reference once nothing runs it any more.
        *loop = nullptr;
    });
    return true;
}

void WebSocketListener::handshake(int native, bool v6) {
    std::unique_ptr<Transport> transport;
    std::string error;
    const Deadline deadline = after(m_options.handshake_timeout);
    if (m_options.tls) {
        auto c = std::make_unique<WsConnection<TlsStream>>(m_options, m_limits, m_state->tls);
        if (c->accept(native, v6, m_options, deadline, m_stop, error)) {
            transport = std::move(c);
        }
    } else {
        auto c = std::make_unique<WsConnection<CountingStream>>(m_options, m_limits, nullptr);
        if (c->accept(native, v6, m_options, deadline, m_stop, error)) {
            transport = std::move(c);
        }
    }
    std::lock_guard<std::mutex> lock(m_mutex);
    if (transport) {
        if (m_ready.size() >= m_options.max_pending) {
            transport->abort();
            error = "too many connections waiting to be accepted";
            transport.reset();
        } else {
            m_ready.push_back(std::move(transport));
        }
    }
    if (!transport && !error.empty()) {
        if (m_failures.size() >= kMaxFailuresKept) {
            m_failures.pop_front();
        }
        m_failures.push_back(std::move(error));
    }
    m_ready_cv.notify_all();
}

std::unique_ptr<Transport> WebSocketListener::accept(Deadline deadline, std::string& error) {
    std::unique_lock<std::mutex> lock(m_mutex);
    for (;;) {
        if (!m_ready.empty()) {
            auto t = std::move(m_ready.front());
            m_ready.pop_front();
            return t;
        }
        if (!m_failures.empty()) {
            error = "handshake failed: " + m_failures.front();
            m_failures.pop_front();
            return nullptr;
        }
        if (m_stop.load()) {
            error = "listener closed";
            return nullptr;
        }
        if (m_ready_cv.wait_until(lock, deadline) == std::cv_status::timeout && m_ready.empty() &&
            m_failures.empty()) {
            error = "no connection arrived in time";
            return nullptr;
        }
    }
}

std::string WebSocketListener::describe() const {
    if (!m_options.tls) {
        return {};
    }
    return "CERT_SHA256 " + m_pins.certificate_sha256 + " SPKI_SHA256 " + m_pins.spki_sha256;
}

std::unique_ptr<Transport> WebSocketTransportFactory::connect(const Endpoint& to, Deadline deadline,
                                                              std::string& error) const {
    if (m_options.tls) {
        auto ctx = tls_context(false, {}, {}, m_options, error);
        if (!ctx) {
            return nullptr;
        }
        auto c = std::make_unique<WsConnection<TlsStream>>(m_options, m_limits, std::move(ctx));
        if (!c->connect(to, m_options, deadline, error)) {
            return nullptr;
        }
        return c;
    }
    auto c = std::make_unique<WsConnection<CountingStream>>(m_options, m_limits, nullptr);
    if (!c->connect(to, m_options, deadline, error)) {
        return nullptr;
    }
    return c;
}

std::unique_ptr<WebSocketListener> WebSocketTransportFactory::listen_websocket(const Endpoint& at,
                                                                               std::string& error) const {
    std::unique_ptr<WebSocketListener> l(new WebSocketListener(m_options, m_limits));
    if (!l->start(at, error)) {
        return nullptr;
    }
    return l;
}

std::unique_ptr<Listener> WebSocketTransportFactory::listen(const Endpoint& at, std::string& error) const {
    return listen_websocket(at, error);
}

}  // namespace shakedown::conformance
