// Loopback clients and line capture for the live server tests of tests/conformance/.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "conformance/runner/machine_peer.hpp"

namespace shakedown::test_support {

// A client socket bound to a chosen loopback source address (127.0.0.0/8 is all local on Linux),
// so that limits counted per address can be exercised from one process.
class BoundClient {
public:
    BoundClient(const std::string& source, std::uint16_t port) {
        m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in local{};
        local.sin_family = AF_INET;
        ::inet_pton(AF_INET, source.c_str(), &local.sin_addr);
        sockaddr_in remote{};
        remote.sin_family = AF_INET;
        remote.sin_port = htons(port);
        ::inet_pton(AF_INET, "127.0.0.1", &remote.sin_addr);
        m_ok = m_fd >= 0 && ::bind(m_fd, reinterpret_cast<sockaddr*>(&local), sizeof local) == 0 &&
               ::connect(m_fd, reinterpret_cast<sockaddr*>(&remote), sizeof remote) == 0;
        timeval tv{5, 0};
        ::setsockopt(m_fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    }
    BoundClient(const BoundClient&) = delete;
    BoundClient& operator=(const BoundClient&) = delete;
    ~BoundClient() {
        if (m_fd >= 0) {
            ::close(m_fd);
        }
    }
    [[nodiscard]] bool connected() const { return m_ok; }
    [[nodiscard]] bool send(ByteView bytes) const {
        return ::send(m_fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size());
    }
    // Reads until `n` bytes arrived, the stream ended or 5 s passed without a byte; the count read.
    [[nodiscard]] std::size_t read_up_to(std::size_t n) const {
        std::vector<std::uint8_t> buf(n);
        std::size_t got = 0;
        while (got < n) {
            const auto r = ::recv(m_fd, buf.data() + got, n - got, 0);
            if (r <= 0) {
                break;
            }
            got += static_cast<std::size_t>(r);
        }
        return got;
    }
    // True when the server ended the connection (EOF or reset) within `limit`; bytes that arrive
    // meanwhile are read and dropped.
    [[nodiscard]] bool ended_within(std::chrono::milliseconds limit) const {
        const auto end = conformance::after(limit);
        std::uint8_t buf[256];
        for (;;) {
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(end - conformance::SteadyClock::now());
            if (left.count() <= 0) {
                return false;
            }
            pollfd p{m_fd, POLLIN, 0};
            if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
                return false;
            }
            const auto n = ::recv(m_fd, buf, sizeof buf, MSG_DONTWAIT);
            if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
                return true;
            }
        }
    }
    // True when the server ended the connection (EOF or reset) within the receive timeout.
    [[nodiscard]] bool ended_by_server() const {
        std::uint8_t b = 0;
        const auto n = ::recv(m_fd, &b, 1, 0);
        return n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
    }

private:
    int m_fd = -1;
    bool m_ok = false;
};

struct Lines {
    std::mutex mutex;
    std::vector<std::string> all;
    conformance::LineSink sink() {
        return [this](const std::string& l) {
            std::lock_guard<std::mutex> lock(mutex);
            all.push_back(l);
        };
    }
    // The first line that starts with `prefix`, without it.
    std::optional<std::string> first(const std::string& prefix) {
        std::lock_guard<std::mutex> lock(mutex);
        for (const auto& l : all) {
            if (l.rfind(prefix, 0) == 0) {
                return l.substr(prefix.size());
            }
        }
        return std::nullopt;
    }
    std::size_t count(const std::string& prefix) {
        std::lock_guard<std::mutex> lock(mutex);
        return static_cast<std::size_t>(
            std::count_if(all.begin(), all.end(), [&](const std::string& l) { return l.rfind(prefix, 0) == 0; }));
    }
};

inline bool wait_for(const std::function<bool()>& done, std::chrono::milliseconds limit) {
    const auto end = conformance::after(limit);
    while (!done()) {
        if (conformance::SteadyClock::now() >= end) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
}

}  // namespace shakedown::test_support
