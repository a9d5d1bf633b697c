#include "conformance/runner/net.hpp"

#include <charconv>

#include <boost/asio/connect.hpp>
#include <boost/asio/write.hpp>

namespace shakedown::conformance {

namespace asio = boost::asio;
using asio::ip::tcp;

std::string Endpoint::to_string() const {
    const bool v6 = host.find(':') != std::string::npos;
    return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::optional<Endpoint> parse_endpoint(std::string_view text, std::string& why) {
    std::string_view host;
    std::string_view port;
    if (!text.empty() && text.front() == '[') {
        const auto close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
            why = "expected [V6]:PORT";
            return std::nullopt;
        }
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
    } else {
        const auto colon = text.rfind(':');
        if (colon == std::string_view::npos) {
            why = "expected HOST:PORT";
            return std::nullopt;
        }
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
    }
    unsigned value = 0;
    const auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc{} || ptr != port.data() + port.size() || value > 65535) {
        why = "bad port '" + std::string(port) + "'";
        return std::nullopt;
    }
    Endpoint e;
    e.port = static_cast<std::uint16_t>(value);
    if (host == "localhost") {
        e.host = "127.0.0.1";
        return e;
    }
    boost::system::error_code bec;
    const auto addr = asio::ip::make_address(std::string(host), bec);
    if (bec) {
        why = "'" + std::string(host) + "' is not an IP address (names other than localhost are not resolved)";
        return std::nullopt;
    }
    if (!addr.is_loopback()) {
        why = std::string(host) + " is not a loopback address";
        return std::nullopt;
    }
    e.host = addr.to_string();
    return e;
}

namespace {
std::error_code to_std(const boost::system::error_code& ec) {
    if (!ec) {
        return {};
    }
    if (ec == asio::error::eof) {
        return std::make_error_code(std::errc::connection_aborted);
    }
    return std::error_code(ec.value(), std::system_category());
}

tcp::endpoint to_asio(const Endpoint& e) { return {asio::ip::make_address(e.host), e.port}; }
}  // namespace

TcpStream::TcpStream() : m_socket(m_io) {}

TcpStream::~TcpStream() { close(); }

bool TcpStream::run_until(Deadline deadline, const bool& done, const boost::system::error_code& result) {
    m_io.restart();
    m_io.run_until(deadline);
    if (done) {
        return true;
    }
    boost::system::error_code ignored;
    m_socket.cancel(ignored);
    // Let the cancelled handler run so nothing refers to this frame afterwards. The operation may
    // have completed between the deadline and the cancel: then it counts (a read's bytes are
    // already in the caller's buffer, and dropping them would lose them).
    m_io.restart();
    m_io.run();
    return done && result != asio::error::operation_aborted;
}

std::error_code TcpStream::connect(const Endpoint& to, Deadline deadline) {
    boost::system::error_code result = asio::error::would_block;
    bool done = false;
    m_socket.async_connect(to_asio(to), [&](const boost::system::error_code& ec) {
        result = ec;
        done = true;
    });
    if (!run_until(deadline, done, result)) {
        close();
        return std::make_error_code(std::errc::timed_out);
    }
    if (!result) {
        boost::system::error_code ignored;
        m_socket.set_option(tcp::no_delay(true), ignored);
    }
    return to_std(result);
}

std::error_code TcpStream::adopt(tcp protocol, int native) {
    boost::system::error_code ec;
    m_socket.assign(protocol, native, ec);
    if (!ec) {
        m_socket.set_option(tcp::no_delay(true), ec);
    }
    return to_std(ec);
}

std::size_t TcpStream::read_some(std::span<std::uint8_t> out, Deadline deadline, std::error_code& ec) {
    if (!m_socket.is_open()) {
        ec = std::make_error_code(std::errc::not_connected);
        return 0;
    }
    boost::system::error_code result;
    std::size_t n = 0;
    bool done = false;
    m_socket.async_read_some(asio::buffer(out.data(), out.size()),
                             [&](const boost::system::error_code& e, std::size_t count) {
                                 result = e;
                                 n = count;
                                 done = true;
                             });
    if (!run_until(deadline, done, result)) {
        ec = std::make_error_code(std::errc::timed_out);
        return 0;
    }
    if (result == asio::error::eof) {
        ec = std::make_error_code(std::errc::connection_aborted);
        return n;
    }
    if (result == asio::error::connection_reset) {
        ec = std::make_error_code(std::errc::connection_reset);
        return n;
    }
    ec = to_std(result);
    return n;
}

std::error_code TcpStream::write_all(ByteView data, Deadline deadline) {
    if (!m_socket.is_open()) {
        return std::make_error_code(std::errc::not_connected);
    }
    boost::system::error_code result;
    bool done = false;
    asio::async_write(m_socket, asio::buffer(data.data(), data.size()),
                      [&](const boost::system::error_code& e, std::size_t) {
                          result = e;
                          done = true;
                      });
    if (!run_until(deadline, done, result)) {
        return std::make_error_code(std::errc::timed_out);
    }
    return to_std(result);
}

void TcpStream::shutdown_send() {
    boost::system::error_code ignored;
    m_socket.shutdown(tcp::socket::shutdown_send, ignored);
}

void TcpStream::close() {
    boost::system::error_code ignored;
    if (m_socket.is_open()) {
        m_socket.close(ignored);
    }
}

void TcpStream::abort() {
    boost::system::error_code ignored;
    if (m_socket.is_open()) {
        m_socket.set_option(asio::socket_base::linger(true, 0), ignored);
        m_socket.close(ignored);
    }
}

std::uint16_t TcpStream::local_port() const {
    boost::system::error_code ec;
    const auto ep = m_socket.local_endpoint(ec);
    return ec ? 0 : ep.port();
}

std::string TcpStream::remote_address() const {
    boost::system::error_code ec;
    const auto ep = m_socket.remote_endpoint(ec);
    return ec ? std::string() : ep.address().to_string();
}

TcpListener::TcpListener() : m_acceptor(m_io) {}

TcpListener::~TcpListener() { close(); }

std::error_code TcpListener::listen(const Endpoint& at) {
    boost::system::error_code ec;
    const tcp::endpoint ep = to_asio(at);
    m_acceptor.open(ep.protocol(), ec);
    if (!ec) {
        m_acceptor.set_option(asio::socket_base::reuse_address(true), ec);
    }
    if (!ec) {
        m_acceptor.bind(ep, ec);
    }
    if (!ec) {
        m_acceptor.listen(asio::socket_base::max_listen_connections, ec);
    }
    if (!ec) {
        m_port = m_acceptor.local_endpoint(ec).port();
    }
    return to_std(ec);
}

std::unique_ptr<TcpStream> TcpListener::accept(Deadline deadline, std::error_code& ec) {
    std::unique_lock<std::timed_mutex> lock(m_mutex, std::defer_lock);
    if (!lock.try_lock_until(deadline)) {
        ec = std::make_error_code(std::errc::timed_out);
        return nullptr;
    }
    if (!m_acceptor.is_open()) {
        ec = std::make_error_code(std::errc::not_connected);
        return nullptr;
    }
    tcp::socket peer(m_io);
    boost::system::error_code result;
    bool done = false;
    m_acceptor.async_accept(peer, [&](const boost::system::error_code& e) {
        result = e;
        done = true;
    });
    m_io.restart();
    m_io.run_until(deadline);
    if (!done) {
        boost::system::error_code ignored;
        m_acceptor.cancel(ignored);
        m_io.restart();
        m_io.run();
        // The accept may have completed between the deadline and the cancel: then the connection
        // is ours, and dropping it would reset a peer that did nothing wrong.
        if (!done || result) {
            ec = std::make_error_code(std::errc::timed_out);
            return nullptr;
        }
    }
    if (result) {
        ec = to_std(result);
        return nullptr;
    }
    const auto protocol = peer.local_endpoint(result).protocol();
    auto stream = std::make_unique<TcpStream>();
    ec = stream->adopt(protocol, peer.release());
    if (ec) {
        return nullptr;
    }
    return stream;
}

void TcpListener::close() {
    boost::system::error_code ignored;
    if (m_acceptor.is_open()) {
        m_acceptor.close(ignored);
    }
}

}  // namespace shakedown::conformance
