// Loopback TCP with a deadline on every operation, over Boost.Asio. Each stream owns its io_context
// and is used from one thread at a time; an operation runs the context until it completes or its
// deadline passes, then cancels (the pattern of Asio's timeouts/blocking_tcp_client example).
// Nothing here can block past the deadline it was given.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <system_error>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "common/bytes.hpp"

namespace shakedown::conformance {

using SteadyClock = std::chrono::steady_clock;
using Deadline = SteadyClock::time_point;
using Millis = std::chrono::milliseconds;

[[nodiscard]] inline Deadline after(Millis d) { return SteadyClock::now() + d; }

// A loopback endpoint. Only 127.0.0.0/8, ::1 and "localhost" are accepted: the harness never
// reaches beyond the machine it runs on.
struct Endpoint {
    std::string host = "127.0.0.1";
    std::uint16_t port = 0;
    [[nodiscard]] std::string to_string() const;
};
// "HOST:PORT" or "[V6]:PORT"; nullopt (with a reason) for anything else or a non-loopback host.
[[nodiscard]] std::optional<Endpoint> parse_endpoint(std::string_view text, std::string& why);

class TcpStream {
public:
    TcpStream();
    TcpStream(const TcpStream&) = delete;
    TcpStream& operator=(const TcpStream&) = delete;
    ~TcpStream();

    [[nodiscard]] std::error_code connect(const Endpoint& to, Deadline deadline);
    // Takes over an accepted native socket.
    [[nodiscard]] std::error_code adopt(boost::asio::ip::tcp protocol, int native);

    // Up to out.size() bytes. ec: errc::timed_out at the deadline (nothing read),
    // errc::connection_aborted when the peer closed (EOF), errc::connection_reset for a reset.
    [[nodiscard]] std::size_t read_some(std::span<std::uint8_t> out, Deadline deadline, std::error_code& ec);
    [[nodiscard]] std::error_code write_all(ByteView data, Deadline deadline);

    void shutdown_send();
    void close();
    // Abortive close: SO_LINGER 0, so the peer sees a reset.
    void abort();
    [[nodiscard]] bool is_open() const { return m_socket.is_open(); }
    [[nodiscard]] std::uint16_t local_port() const;
    // The remote address without the port; empty when not connected.
    [[nodiscard]] std::string remote_address() const;

private:
    // Runs the context until the pending operation completes or the deadline passes; returns
    // false if it had to be cancelled.
    bool run_until(Deadline deadline, const bool& done, const boost::system::error_code& result);

    boost::asio::io_context m_io;
    boost::asio::ip::tcp::socket m_socket;
};

// A listening socket shared by threads: accept() is serialized, and each accepted connection is
// handed over as a TcpStream with its own context.
class TcpListener {
public:
    TcpListener();
    TcpListener(const TcpListener&) = delete;
    TcpListener& operator=(const TcpListener&) = delete;
    ~TcpListener();

    [[nodiscard]] std::error_code listen(const Endpoint& at);
    [[nodiscard]] std::uint16_t port() const { return m_port; }
    [[nodiscard]] std::unique_ptr<TcpStream> accept(Deadline deadline, std::error_code& ec);
    void close();

private:
    std::timed_mutex m_mutex;
    boost::asio::io_context m_io;
    boost::asio::ip::tcp::acceptor m_acceptor;
    std::uint16_t m_port = 0;
};

}  // namespace shakedown::conformance
