#include "conformance/runner/udp.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <condition_variable>
#include <cstring>
#include <map>
#include <mutex>

namespace shakedown::conformance {

namespace {

std::error_code errno_code() { return {errno, std::system_category()}; }

struct SockAddr {
    sockaddr_storage storage{};
    socklen_t length = 0;
    [[nodiscard]] const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&storage); }
    [[nodiscard]] sockaddr* get() { return reinterpret_cast<sockaddr*>(&storage); }
};

bool to_sockaddr(const Endpoint& e, SockAddr& out) {
    out = SockAddr{};
    auto* v4 = reinterpret_cast<sockaddr_in*>(&out.storage);
    if (inet_pton(AF_INET, e.host.c_str(), &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(e.port);
        out.length = sizeof(sockaddr_in);
        return true;
    }
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&out.storage);
    if (inet_pton(AF_INET6, e.host.c_str(), &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(e.port);
        out.length = sizeof(sockaddr_in6);
        return true;
    }
    return false;
}

Endpoint from_sockaddr(const SockAddr& a) {
    Endpoint e;
    char text[INET6_ADDRSTRLEN] = {};
    if (a.storage.ss_family == AF_INET) {
        const auto* v4 = reinterpret_cast<const sockaddr_in*>(&a.storage);
        inet_ntop(AF_INET, &v4->sin_addr, text, sizeof text);
        e.port = ntohs(v4->sin_port);
    } else if (a.storage.ss_family == AF_INET6) {
        const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&a.storage);
        inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof text);
        e.port = ntohs(v6->sin6_port);
    }
    e.host = text;
    return e;
}

// The identity of a source: family, address and port (not the padding the kernel may leave).
std::string key_of(const SockAddr& a) {
    std::string key(1, static_cast<char>(a.storage.ss_family));
    if (a.storage.ss_family == AF_INET) {
        const auto* v4 = reinterpret_cast<const sockaddr_in*>(&a.storage);
        key.append(reinterpret_cast<const char*>(&v4->sin_addr), sizeof v4->sin_addr);
        key.append(reinterpret_cast<const char*>(&v4->sin_port), sizeof v4->sin_port);
    } else if (a.storage.ss_family == AF_INET6) {
        const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&a.storage);
        key.append(reinterpret_cast<const char*>(&v6->sin6_addr), sizeof v6->sin6_addr);
        key.append(reinterpret_cast<const char*>(&v6->sin6_port), sizeof v6->sin6_port);
    }
    return key;
}

SockAddr local_address(int fd) {
    SockAddr a;
    a.length = sizeof a.storage;
    if (getsockname(fd, a.get(), &a.length) != 0) {
        a = SockAddr{};
    }
    return a;
}

// poll()'s timeout for a deadline, rounded up so a wait never ends before it.
int poll_timeout(Deadline deadline) {
    if (deadline == Deadline::max()) {
        return -1;
    }
    const auto now = SteadyClock::now();
    if (deadline <= now) {
        return 0;
    }
    const auto ms = std::chrono::ceil<Millis>(deadline - now).count();
    return ms > INT_MAX ? INT_MAX : static_cast<int>(ms);
}

// True when `fd` is ready for `events` before the deadline.
bool wait_fd(int fd, short events, Deadline deadline) {
    for (;;) {
        pollfd p{fd, events, 0};
        const int r = ::poll(&p, 1, poll_timeout(deadline));
        if (r > 0) {
            return true;
        }
        if (r == 0) {
            if (SteadyClock::now() >= deadline) {
                return false;
            }
            continue;  // poll rounds; never report a timeout early
        }
        if (errno != EINTR) {
            return true;  // let the following call report the error
        }
    }
}

// condition_variable::wait_until with a bounded step, so Deadline::max() cannot overflow a
// conversion inside the library.
template <typename Pred>
bool wait_until(std::condition_variable& cv, std::unique_lock<std::mutex>& lock, Deadline deadline, Pred pred) {
    while (!pred()) {
        const auto now = SteadyClock::now();
        if (now >= deadline) {
            return false;
        }
        const Deadline step = deadline - now > std::chrono::hours(1) ? now + std::chrono::hours(1) : deadline;
        cv.wait_until(lock, step);
    }
    return true;
}

// One datagram as the runner sees it: a message, or `limit` when it is over the bound.
Incoming deliver(Bytes data, std::size_t size, const UdpLimits& limits, Transcript* transcript, std::uint8_t index) {
    Incoming in;
    if (size > limits.max_datagram) {
        in.kind = Incoming::Kind::limit;
        in.detail = "datagram of " + std::to_string(size) + " bytes, over the " + std::to_string(limits.max_datagram) +
                    "-byte bound";
        in.wire = std::move(data);
        if (transcript != nullptr) {
            transcript->received(index, in.wire, in.detail);
        }
        return in;
    }
    in.kind = Incoming::Kind::message;
    in.wire = std::move(data);
    in.payload = in.wire;
    if (transcript != nullptr) {
        transcript->received(index, in.wire);
    }
    return in;
}

Incoming ended(Incoming::Kind kind, std::string detail) {
    Incoming in;
    in.kind = kind;
    in.detail = std::move(detail);
    return in;
}

// Sends one datagram on a socket (connected when `to` is nullptr), waiting for room until the
// deadline.
std::error_code send_datagram(int fd, ByteView bytes, const SockAddr* to, Deadline deadline) {
    for (;;) {
        const ssize_t n = to == nullptr ? ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL)
                                        : ::sendto(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL, to->get(), to->length);
        if (n >= 0) {
            return {};
        }
        if (errno == EINTR) {
            continue;
        }
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS) {
            if (!wait_fd(fd, POLLOUT, deadline)) {
                return std::make_error_code(std::errc::timed_out);
            }
            continue;
        }
        if (errno == ECONNREFUSED) {
            // An ICMP port unreachable for an earlier datagram, reported on this call.
            return std::make_error_code(std::errc::connection_reset);
        }
        return errno_code();
    }
}

// Reads one datagram from a connected socket until the deadline.
Incoming receive_connected(int fd, const UdpLimits& limits, const Endpoint& remote, Transcript* transcript,
                           std::uint8_t index, std::size_t& total, Deadline deadline) {
    Bytes buffer(std::max<std::size_t>(limits.receive_buffer, 1));
    for (;;) {
        if (!wait_fd(fd, POLLIN, deadline)) {
            return ended(Incoming::Kind::timeout, "");
        }
        const ssize_t n = ::recv(fd, buffer.data(), buffer.size(), MSG_TRUNC | MSG_DONTWAIT);
        if (n >= 0) {
            const auto size = static_cast<std::size_t>(n);
            buffer.resize(std::min(size, buffer.size()));
            total += size;
            return deliver(std::move(buffer), size, limits, transcript, index);
        }
        if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) {
            continue;
        }
        if (errno == ECONNREFUSED) {
            std::string detail = "ICMP port unreachable: nothing listens at " + remote.to_string();
            if (transcript != nullptr) {
                transcript->event(index, "reset: " + detail);
            }
            return ended(Incoming::Kind::reset, std::move(detail));
        }
        return ended(Incoming::Kind::reset, errno_code().message());
    }
}

int open_socket(int family, std::error_code& ec) {
    const int fd = ::socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        ec = errno_code();
    }
    return fd;
}

// The client end: a connected socket, so the kernel drops datagrams from other sources and
// reports an ICMP port unreachable from the remote.
class UdpClientTransport final : public DatagramTransport {
public:
    UdpClientTransport(int fd, SockAddr remote, UdpLimits limits)
        : m_fd(fd), m_remote(remote), m_remote_endpoint(from_sockaddr(remote)), m_limits(limits) {}
    ~UdpClientTransport() override { close(); }

    [[nodiscard]] std::error_code send(ByteView bytes, Deadline deadline) override {
        if (m_fd < 0) {
            return std::make_error_code(std::errc::not_connected);
        }
        if (bytes.size() > m_limits.max_datagram) {
            if (m_transcript != nullptr) {
                m_transcript->event(m_index, "refused to send " + std::to_string(bytes.size()) + " bytes (over the " +
                                                 std::to_string(m_limits.max_datagram) + "-byte datagram bound)");
            }
            return std::make_error_code(std::errc::message_size);
        }
        if (m_transcript != nullptr) {
            m_transcript->sent(m_index, bytes);
        }
        return send_datagram(m_fd, bytes, nullptr, deadline);
    }
    [[nodiscard]] Incoming receive(Deadline deadline) override {
        if (m_fd < 0) {
            return ended(Incoming::Kind::closed, "transport closed");
        }
        return receive_connected(m_fd, m_limits, m_remote_endpoint, m_transcript, m_index, m_total, deadline);
    }
    void shutdown_send() override {}
    void close() override {
        if (m_fd >= 0) {
            ::close(m_fd);
            m_fd = -1;
        }
    }
    void abort() override { close(); }
    [[nodiscard]] std::size_t bytes_received() const override { return m_total; }
    void attach(Transcript* transcript, std::uint8_t index) override {
        m_transcript = transcript;
        m_index = index;
    }
    [[nodiscard]] Endpoint remote() const override { return m_remote_endpoint; }
    [[nodiscard]] std::size_t max_datagram() const override { return m_limits.max_datagram; }
    [[nodiscard]] Endpoint local() const override { return from_sockaddr(local_address(m_fd)); }

private:
    int m_fd;
    SockAddr m_remote;
    Endpoint m_remote_endpoint;
    UdpLimits m_limits;
    std::size_t m_total = 0;
    Transcript* m_transcript = nullptr;
    std::uint8_t m_index = 0;
};

struct Datagram {
    Bytes bytes;       // at most receive_buffer of them
    std::size_t size;  // on the wire
};

struct Peer {
    enum class State : std::uint8_t { waiting, accepted, evicted, closed };
    SockAddr address;
    std::string key;
    State state = State::waiting;
    std::deque<Datagram> queue;
    std::size_t queued_bytes = 0;
    std::uint64_t last_heard = 0;  // the listener's datagram count when it last sent
    SteadyClock::time_point first_heard{};
    std::condition_variable cv;
};

}  // namespace

struct UdpListener::Hub {
    Hub() = default;
    Hub(const Hub&) = delete;
    Hub& operator=(const Hub&) = delete;
    ~Hub() {
        if (fd >= 0) {
            ::close(fd);
        }
        for (const int w : wake) {
            if (w >= 0) {
                ::close(w);
            }
        }
    }

    // Forgets `p` (under the lock): its queue is freed and any wait on it ends.
    void forget(const std::shared_ptr<Peer>& p, Peer::State why) {
        p->state = why;
        stats.queued_bytes -= p->queued_bytes;
        p->queued_bytes = 0;
        p->queue.clear();
        if (const auto it = peers.find(p->key); it != peers.end() && it->second == p) {
            peers.erase(it);
        }
        if (const auto it = std::find(pending.begin(), pending.end(), p); it != pending.end()) {
            pending.erase(it);
        }
        stats.peers = peers.size();
        p->cv.notify_all();
    }

    void dispatch(const SockAddr& from, Bytes bytes, std::size_t size) {
        std::lock_guard<std::mutex> lock(mutex);
        ++stats.datagrams;
        const std::string key = key_of(from);
        auto it = peers.find(key);
        if (it == peers.end()) {
            if (peers.size() >= std::max<std::size_t>(limits.max_peers, 1)) {
                // Room for the newcomer: the peer heard from least recently goes. A flood of new
                // addresses thus recycles its own entries while a peer in an active exchange,
                // heard from a moment ago, stays.
                auto oldest = std::min_element(peers.begin(), peers.end(), [](const auto& a, const auto& b) {
                    return a.second->last_heard < b.second->last_heard;
                });
                const auto victim = oldest->second;
                forget(victim, Peer::State::evicted);
                ++stats.evicted;
            }
            auto p = std::make_shared<Peer>();
            p->address = from;
            p->key = key;
            p->first_heard = SteadyClock::now();
            it = peers.emplace(key, p).first;
            pending.push_back(p);
            ++stats.peers_seen;
            stats.peers = peers.size();
            stats.peers_high = std::max(stats.peers_high, stats.peers);
            accept_cv.notify_one();
        }
        Peer& p = *it->second;
        p.last_heard = stats.datagrams;
        if (p.queue.size() >= limits.queue_datagrams || p.queued_bytes + bytes.size() > limits.queue_bytes) {
            ++stats.dropped;
            return;
        }
        p.queued_bytes += bytes.size();
        stats.queued_bytes += bytes.size();
        stats.queued_bytes_high = std::max(stats.queued_bytes_high, stats.queued_bytes);
        p.queue.push_back(Datagram{std::move(bytes), size});
        p.cv.notify_all();
    }

    int fd = -1;
    int wake[2] = {-1, -1};  // a pipe: writing to it ends the reader
    UdpLimits limits;
    std::uint16_t port = 0;
    std::mutex mutex;
    std::condition_variable accept_cv;
    std::map<std::string, std::shared_ptr<Peer>> peers;
    std::deque<std::shared_ptr<Peer>> pending;  // waiting for accept(), in arrival order
    bool stopped = false;
    UdpListenerStats stats;
};

namespace {

// The listener's end for one source address: reads that peer's queue, answers with sendto on the
// shared socket.
class UdpPeerTransport final : public DatagramTransport {
public:
    UdpPeerTransport(std::shared_ptr<UdpListener::Hub> hub, std::shared_ptr<Peer> peer)
        : m_hub(std::move(hub)), m_peer(std::move(peer)), m_remote(from_sockaddr(m_peer->address)) {}
    ~UdpPeerTransport() override { close(); }

    [[nodiscard]] std::error_code send(ByteView bytes, Deadline deadline) override {
        {
            std::lock_guard<std::mutex> lock(m_hub->mutex);
            if (m_peer->state == Peer::State::closed) {
                return std::make_error_code(std::errc::not_connected);
            }
        }
        if (bytes.size() > m_hub->limits.max_datagram) {
            if (m_transcript != nullptr) {
                m_transcript->event(m_index, "refused to send " + std::to_string(bytes.size()) + " bytes (over the " +
                                                 std::to_string(m_hub->limits.max_datagram) + "-byte datagram bound)");
            }
            return std::make_error_code(std::errc::message_size);
        }
        if (m_transcript != nullptr) {
            m_transcript->sent(m_index, bytes);
        }
        return send_datagram(m_hub->fd, bytes, &m_peer->address, deadline);
    }

    [[nodiscard]] Incoming receive(Deadline deadline) override {
        std::unique_lock<std::mutex> lock(m_hub->mutex);
        const bool ready = wait_until(m_peer->cv, lock, deadline, [&] {
            return !m_peer->queue.empty() || m_peer->state != Peer::State::accepted || m_hub->stopped;
        });
        if (!m_peer->queue.empty()) {
            Datagram d = std::move(m_peer->queue.front());
            m_peer->queue.pop_front();
            m_peer->queued_bytes -= d.bytes.size();
            m_hub->stats.queued_bytes -= d.bytes.size();
            lock.unlock();
            m_total += d.size;
            return deliver(std::move(d.bytes), d.size, m_hub->limits, m_transcript, m_index);
        }
        if (m_peer->state == Peer::State::evicted) {
            return end(Incoming::Kind::reset,
                       "evicted: the listener's peer table was full and this peer the least recently heard from");
        }
        if (m_peer->state == Peer::State::closed) {
            return ended(Incoming::Kind::closed, "transport closed");
        }
        if (m_hub->stopped) {
            return end(Incoming::Kind::closed, "listener closed");
        }
        (void)ready;
        return ended(Incoming::Kind::timeout, "");
    }

    void shutdown_send() override {}
    void close() override {
        std::lock_guard<std::mutex> lock(m_hub->mutex);
        if (m_peer->state == Peer::State::accepted) {
            m_hub->forget(m_peer, Peer::State::closed);
        }
        m_peer->state = Peer::State::closed;
    }
    void abort() override { close(); }
    [[nodiscard]] std::size_t bytes_received() const override { return m_total; }
    void attach(Transcript* transcript, std::uint8_t index) override {
        m_transcript = transcript;
        m_index = index;
    }
    [[nodiscard]] Endpoint remote() const override { return m_remote; }
    [[nodiscard]] Endpoint local() const override { return from_sockaddr(local_address(m_hub->fd)); }
    [[nodiscard]] std::size_t max_datagram() const override { return m_hub->limits.max_datagram; }

private:
    Incoming end(Incoming::Kind kind, std::string detail) {
        if (m_transcript != nullptr) {
            m_transcript->event(m_index, std::string(to_string(kind)) + ": " + detail);
        }
        return ended(kind, std::move(detail));
    }

    std::shared_ptr<UdpListener::Hub> m_hub;
    std::shared_ptr<Peer> m_peer;
    Endpoint m_remote;
    std::size_t m_total = 0;
    Transcript* m_transcript = nullptr;
    std::uint8_t m_index = 0;
};

}  // namespace

std::unique_ptr<UdpListener> UdpListener::open(const Endpoint& at, UdpLimits limits, std::string& error) {
    SockAddr addr;
    if (!to_sockaddr(at, addr)) {
        error = "'" + at.host + "' is not an IP address";
        return nullptr;
    }
    auto hub = std::make_shared<Hub>();
    hub->limits = limits;
    std::error_code ec;
    hub->fd = open_socket(addr.storage.ss_family, ec);
    if (hub->fd < 0) {
        error = "socket: " + ec.message();
        return nullptr;
    }
    if (::bind(hub->fd, addr.get(), addr.length) != 0) {
        error = "bind " + at.to_string() + ": " + errno_code().message();
        return nullptr;
    }
    // A larger kernel buffer absorbs bursts while the reader sorts; the kernel caps it.
    const int rcvbuf = 1 << 20;
    (void)::setsockopt(hub->fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf);
    hub->port = from_sockaddr(local_address(hub->fd)).port;
    if (::pipe2(hub->wake, O_CLOEXEC | O_NONBLOCK) != 0) {
        error = "pipe: " + errno_code().message();
        return nullptr;
    }
    return std::unique_ptr<UdpListener>(new UdpListener(std::move(hub)));
}

UdpListener::UdpListener(std::shared_ptr<Hub> hub) : m_hub(std::move(hub)) {
    m_reader = std::thread([this] { read_loop(); });
}

UdpListener::~UdpListener() {
    const char byte = 0;
    while (::write(m_hub->wake[1], &byte, 1) < 0 && errno == EINTR) {
    }
    if (m_reader.joinable()) {
        m_reader.join();
    }
    std::lock_guard<std::mutex> lock(m_hub->mutex);
    m_hub->stopped = true;
    m_hub->accept_cv.notify_all();
    for (const auto& [key, p] : m_hub->peers) {
        p->cv.notify_all();
    }
}

void UdpListener::read_loop() {
    Hub& hub = *m_hub;
    const std::size_t cap = std::max<std::size_t>(hub.limits.receive_buffer, 1);
    Bytes buffer(cap);
    for (;;) {
        pollfd fds[2] = {{hub.fd, POLLIN, 0}, {hub.wake[0], POLLIN, 0}};
        if (::poll(fds, 2, -1) < 0) {
            if (errno == EINTR) {
                continue;
            }
            return;
        }
        if (fds[1].revents != 0) {
            return;
        }
        // Drain what is there before polling again.
        for (;;) {
            SockAddr from;
            from.length = sizeof from.storage;
            const ssize_t n = ::recvfrom(hub.fd, buffer.data(), buffer.size(), MSG_TRUNC | MSG_DONTWAIT, from.get(),
                                         &from.length);
            if (n < 0) {
                if (errno == EINTR) {
                    continue;
                }
                // EAGAIN: drained. Anything else (an ICMP error for an earlier send) belongs to
                // no one in particular; go back to polling.
                break;
            }
            const auto size = static_cast<std::size_t>(n);
            Bytes copy(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(std::min(size, cap)));
            hub.dispatch(from, std::move(copy), size);
        }
    }
}

std::uint16_t UdpListener::port() const { return m_hub->port; }

std::unique_ptr<Transport> UdpListener::accept(Deadline deadline, std::string& error) {
    std::unique_lock<std::mutex> lock(m_hub->mutex);
    wait_until(m_hub->accept_cv, lock, deadline, [&] { return !m_hub->pending.empty() || m_hub->stopped; });
    if (m_hub->pending.empty()) {
        error = m_hub->stopped ? "listener closed" : "no datagram from a new address arrived in time";
        return nullptr;
    }
    // A waiting address that a newer one followed after superseded_after is an exchange its sender
    // gave up on (a datagram peer that timed out and started again from a new port): forgotten.
    const auto& limits = m_hub->limits;
    while (limits.superseded_after.count() > 0 && m_hub->pending.size() > 1 &&
           m_hub->pending[1]->first_heard - m_hub->pending.front()->first_heard > limits.superseded_after) {
        m_hub->forget(m_hub->pending.front(), Peer::State::evicted);
        ++m_hub->stats.superseded;
    }
    auto p = m_hub->pending.front();
    m_hub->pending.pop_front();
    p->state = Peer::State::accepted;
    return std::make_unique<UdpPeerTransport>(m_hub, std::move(p));
}

UdpListenerStats UdpListener::stats() const {
    std::lock_guard<std::mutex> lock(m_hub->mutex);
    return m_hub->stats;
}

std::unique_ptr<Transport> UdpTransportFactory::connect(const Endpoint& to, Deadline deadline,
                                                        std::string& error) const {
    (void)deadline;  // a UDP connect only sets the default destination: it never waits
    SockAddr addr;
    if (!to_sockaddr(to, addr)) {
        error = "'" + to.host + "' is not an IP address";
        return nullptr;
    }
    std::error_code ec;
    const int fd = open_socket(addr.storage.ss_family, ec);
    if (fd < 0) {
        error = "socket: " + ec.message();
        return nullptr;
    }
    if (::connect(fd, addr.get(), addr.length) != 0) {
        error = "connect " + to.to_string() + ": " + errno_code().message();
        ::close(fd);
        return nullptr;
    }
    return std::make_unique<UdpClientTransport>(fd, addr, m_limits);
}

std::unique_ptr<Listener> UdpTransportFactory::listen(const Endpoint& at, std::string& error) const {
    auto l = UdpListener::open(at, m_limits, error);
    if (!l) {
        error = "listen on " + at.to_string() + ": " + error;
    }
    return l;
}

std::string_view to_string(DatagramMutation::Kind k) {
    switch (k) {
        case DatagramMutation::Kind::none: return "none";
        case DatagramMutation::Kind::drop: return "drop";
        case DatagramMutation::Kind::duplicate: return "duplicate";
        case DatagramMutation::Kind::reorder: return "reorder";
        case DatagramMutation::Kind::delay: return "delay";
        case DatagramMutation::Kind::second_source: return "second_source";
    }
    return "none";
}

DatagramMutator mutate_at(std::size_t index, DatagramMutation m) {
    return [index, m](std::size_t i, ByteView) { return i == index ? m : DatagramMutation{}; };
}

MutatingTransport::MutatingTransport(std::unique_ptr<DatagramTransport> inner, DatagramMutator mutator)
    : m_inner(std::move(inner)), m_mutator(std::move(mutator)) {}

MutatingTransport::~MutatingTransport() {
    if (m_second >= 0) {
        ::close(m_second);
    }
}

void MutatingTransport::note(const std::string& text) {
    if (m_transcript != nullptr) {
        m_transcript->event(m_transcript_index, "mutator: " + text);
    }
}

void MutatingTransport::attach(Transcript* transcript, std::uint8_t index) {
    m_transcript = transcript;
    m_transcript_index = index;
    m_inner->attach(transcript, index);
}

std::error_code MutatingTransport::put(ByteView bytes, Deadline deadline) { return m_inner->send(bytes, deadline); }

std::error_code MutatingTransport::put_second(ByteView bytes, Deadline deadline) {
    if (m_second < 0) {
        SockAddr remote;
        SockAddr local;
        const Endpoint here = m_inner->local();
        if (!to_sockaddr(m_inner->remote(), remote) || !to_sockaddr(Endpoint{here.host, 0}, local)) {
            return std::make_error_code(std::errc::address_not_available);
        }
        std::error_code ec;
        m_second = open_socket(remote.storage.ss_family, ec);
        if (m_second < 0) {
            return ec;
        }
        // Bound to its own ephemeral port on the same host, and connected to the remote, so only
        // its answers are read back.
        if (::bind(m_second, local.get(), local.length) != 0 || ::connect(m_second, remote.get(), remote.length) != 0) {
            ec = errno_code();
            ::close(m_second);
            m_second = -1;
            return ec;
        }
    }
    if (bytes.size() > m_inner->max_datagram()) {
        note("refused to send " + std::to_string(bytes.size()) + " bytes from the second source (over the bound)");
        return std::make_error_code(std::errc::message_size);
    }
    if (m_transcript != nullptr) {
        m_transcript->sent(m_transcript_index, bytes, "from the second source, port " + std::to_string(second_source_port()));
    }
    return send_datagram(m_second, bytes, nullptr, deadline);
}

std::uint16_t MutatingTransport::second_source_port() const {
    return m_second < 0 ? 0 : from_sockaddr(local_address(m_second)).port;
}

std::error_code MutatingTransport::send_due(Deadline deadline) {
    const auto now = SteadyClock::now();
    while (!m_delayed.empty() && m_delayed.front().first <= now) {
        Bytes bytes = std::move(m_delayed.front().second);
        m_delayed.pop_front();
        if (const auto ec = put(bytes, deadline)) {
            return ec;
        }
    }
    return {};
}

std::error_code MutatingTransport::send(ByteView bytes, Deadline deadline) {
    if (const auto ec = send_due(deadline)) {
        return ec;
    }
    const std::size_t index = m_index++;
    const DatagramMutation m = m_mutator ? m_mutator(index, bytes) : DatagramMutation{};
    std::error_code ec;
    switch (m.kind) {
        case DatagramMutation::Kind::none:
            ec = put(bytes, deadline);
            break;
        case DatagramMutation::Kind::drop:
            note("dropped datagram " + std::to_string(index) + " (" + std::to_string(bytes.size()) + " bytes)");
            break;
        case DatagramMutation::Kind::duplicate:
            note("duplicated datagram " + std::to_string(index));
            ec = put(bytes, deadline);
            if (!ec) {
                ec = put(bytes, deadline);
            }
            break;
        case DatagramMutation::Kind::reorder:
            if (m_held) {
                // Two holds in a row: the earlier one has waited for its "next" datagram already.
                Bytes earlier = std::move(*m_held);
                m_held.reset();
                if ((ec = put(earlier, deadline))) {
                    return ec;
                }
            }
            note("holding datagram " + std::to_string(index) + " until the next is sent");
            m_held = Bytes(bytes.begin(), bytes.end());
            return {};
        case DatagramMutation::Kind::delay: {
            note("delaying datagram " + std::to_string(index) + " by " + std::to_string(m.delay.count()) + " ms");
            const Deadline due = SteadyClock::now() + m.delay;
            auto at = std::find_if(m_delayed.begin(), m_delayed.end(), [&](const auto& d) { return d.first > due; });
            m_delayed.emplace(at, due, Bytes(bytes.begin(), bytes.end()));
            break;
        }
        case DatagramMutation::Kind::second_source:
            ec = put_second(bytes, deadline);
            if (!ec) {
                note("sent datagram " + std::to_string(index) + " from the second source");
            }
            break;
    }
    if (m_held && !ec) {
        Bytes held = std::move(*m_held);
        m_held.reset();
        ec = put(held, deadline);
    }
    return ec;
}

std::error_code MutatingTransport::flush(Deadline deadline) {
    while (!m_delayed.empty()) {
        Bytes bytes = std::move(m_delayed.front().second);
        m_delayed.pop_front();
        if (const auto ec = put(bytes, deadline)) {
            return ec;
        }
    }
    if (m_held) {
        Bytes held = std::move(*m_held);
        m_held.reset();
        return put(held, deadline);
    }
    return {};
}

Incoming MutatingTransport::receive(Deadline deadline) {
    for (;;) {
        if (const auto ec = send_due(deadline)) {
            return ended(Incoming::Kind::reset, "sending a delayed datagram: " + ec.message());
        }
        const Deadline slice = m_delayed.empty() ? deadline : std::min(deadline, m_delayed.front().first);
        Incoming in = m_inner->receive(slice);
        if (in.kind != Incoming::Kind::timeout || SteadyClock::now() >= deadline) {
            return in;
        }
    }
}

Incoming MutatingTransport::receive_second_source(Deadline deadline) {
    if (m_second < 0) {
        return ended(Incoming::Kind::closed, "the second source was never used");
    }
    UdpLimits limits;
    limits.max_datagram = m_inner->max_datagram();
    std::size_t total = 0;
    return receive_connected(m_second, limits, m_inner->remote(), m_transcript, m_transcript_index, total, deadline);
}

void MutatingTransport::close() {
    if (pending() > 0) {
        note("discarded " + std::to_string(pending()) + " held or delayed datagram(s) at close");
    }
    m_delayed.clear();
    m_held.reset();
    if (m_second >= 0) {
        ::close(m_second);
        m_second = -1;
    }
    m_inner->close();
}

void MutatingTransport::abort() {
    m_delayed.clear();
    m_held.reset();
    if (m_second >= 0) {
        ::close(m_second);
        m_second = -1;
    }
    m_inner->abort();
}

}  // namespace shakedown::conformance
