#include "conformance/scenarios/stt/node.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "conformance/scenarios/stt/session_machine.hpp"
#include "stt/frame.hpp"

namespace shakedown::stt {

namespace {

// A datagram over the frame bound is still read whole enough to be judged (MSG_TRUNC): the first
// bytes, and its real size, which makes it `oversize`.
constexpr std::size_t kReadBuffer = 64 * 1024;
// Addresses tracked for their lines, beyond the manager's own bounds: the oldest ended ones go.
constexpr std::size_t kMaxTracked = 8192;

std::string address_of(const sockaddr_storage& a) {
    char text[INET6_ADDRSTRLEN] = {};
    std::uint16_t port = 0;
    if (a.ss_family == AF_INET) {
        const auto* v4 = reinterpret_cast<const sockaddr_in*>(&a);
        inet_ntop(AF_INET, &v4->sin_addr, text, sizeof text);
        port = ntohs(v4->sin_port);
        return std::string(text) + ":" + std::to_string(port);
    }
    const auto* v6 = reinterpret_cast<const sockaddr_in6*>(&a);
    inet_ntop(AF_INET6, &v6->sin6_addr, text, sizeof text);
    port = ntohs(v6->sin6_port);
    return "[" + std::string(text) + "]:" + std::to_string(port);
}

std::string describe(const Failure& f) {
    std::string s(to_string(f.code));
    if (f.detail != nullptr && *f.detail != '\0') {
        s += ": ";
        s += f.detail;
    }
    return s;
}

}  // namespace

struct Node::Peer {
    sockaddr_storage address{};
    socklen_t length = 0;
    bool pending = false;    // a handshake the manager holds, not complete
    bool completed = false;  // reported HANDSHAKE_OK
    bool ended = false;
    conformance::SteadyClock::time_point last_heard{};
    DataStats data;
};

Node::Node(ManagerConfig config, Rng& rng, const Clock& clock, Emit emit, std::mutex* cache_lock)
    : m_manager(std::move(config), rng, clock), m_rng(rng), m_clock(clock), m_emit(std::move(emit)),
      m_cache_lock(cache_lock) {}

Node::~Node() {
    if (m_fd >= 0) {
        ::close(m_fd);
    }
}

bool Node::listen(const conformance::Endpoint& at, std::string& error) {
    sockaddr_storage addr{};
    socklen_t length = 0;
    auto* v4 = reinterpret_cast<sockaddr_in*>(&addr);
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&addr);
    const std::string host = at.host == "localhost" ? "127.0.0.1" : at.host;
    if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(at.port);
        length = sizeof(sockaddr_in);
    } else if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(at.port);
        length = sizeof(sockaddr_in6);
    } else {
        error = "'" + at.host + "' is not an IP address";
        return false;
    }
    m_fd = ::socket(addr.ss_family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (m_fd < 0 || ::bind(m_fd, reinterpret_cast<const sockaddr*>(&addr), length) != 0) {
        error = "bind " + at.to_string() + ": " + std::system_category().message(errno);
        return false;
    }
    sockaddr_storage bound{};
    socklen_t bound_length = sizeof bound;
    if (::getsockname(m_fd, reinterpret_cast<sockaddr*>(&bound), &bound_length) != 0) {
        error = "getsockname: " + std::system_category().message(errno);
        return false;
    }
    m_port = bound.ss_family == AF_INET ? ntohs(reinterpret_cast<const sockaddr_in*>(&bound)->sin_port)
                                        : ntohs(reinterpret_cast<const sockaddr_in6*>(&bound)->sin6_port);
    return true;
}

void Node::end(const std::string& address, const std::string& line) {
    auto it = m_peers.find(address);
    if (it == m_peers.end() || it->second->ended) {
        return;
    }
    it->second->ended = true;
    it->second->pending = false;
    ++m_ended;
    m_emit(line);
}

void Node::on_datagram(const std::string& address, const void* from, unsigned from_len, ByteView datagram) {
    auto& slot = m_peers[address];
    if (!slot) {
        slot = std::make_unique<Peer>();
        std::memcpy(&slot->address, from, from_len);
        slot->length = static_cast<socklen_t>(from_len);
    }
    Peer& peer = *slot;
    peer.last_heard = conformance::SteadyClock::now();
    std::vector<Bytes> out;
    // A data frame goes to the session the manager names for this address (its own; an upstream
    // manager names one for any address), never to the handshake table.
    if (is_data_frame(datagram)) {
        Handshake* s = m_manager.is_complete(address) ? m_manager.session_for(address) : nullptr;
        // A session whose handshake machine was closed after completion (CLOSED) is over.
        if (s != nullptr && s->session() != nullptr && s->state() != HandshakeState::closed) {
            if (auto echo = answer_data(*s->session(), datagram, peer.data, m_rng, m_clock)) {
                out.push_back(std::move(*echo));
            }
        } else if (!peer.completed) {
            end(address, "HANDSHAKE_FAILED unexpected_message: a data frame from an address with no session");
        }
    } else {
        ManagerEvent ev = m_manager.receive(address, datagram);
        out = std::move(ev.output);
        if (ev.created) {
            peer.pending = true;
        }
        if (ev.completed) {
            peer.pending = false;
            peer.completed = true;
            ++m_completed;
            const Handshake* h = m_manager.get(address);
            m_emit("HANDSHAKE_OK " + to_hex(h != nullptr ? h->peer_identity() : Bytes{}));
        }
        if (ev.failure && !peer.completed) {
            end(address, "HANDSHAKE_FAILED " + describe(*ev.failure));
        } else if (ev.failure && peer.completed) {
            end(address, "CLOSED " + describe(*ev.failure));
        }
        if (ev.evicted) {
            settle(false);
        }
    }
    for (const Bytes& d : out) {
        (void)::sendto(m_fd, d.data(), d.size(), MSG_NOSIGNAL, reinterpret_cast<const sockaddr*>(&peer.address),
                       peer.length);
    }
}

// Pending addresses the manager no longer holds were expired (or evicted by a newer one).
void Node::settle(bool expire) {
    if (expire) {
        (void)m_manager.expire();
    }
    for (auto& [address, peer] : m_peers) {
        if (peer->pending && !peer->ended && m_manager.get(address) == nullptr) {
            end(address, expire ? "HANDSHAKE_FAILED timeout: the pending handshake expired"
                                : "HANDSHAKE_FAILED evicted: the oldest pending handshake, to make room");
        }
    }
    // Bounded: once too many addresses are tracked, ended ones are forgotten (in address order).
    for (auto it = m_peers.begin(); m_peers.size() > kMaxTracked && it != m_peers.end();) {
        it = it->second->ended ? m_peers.erase(it) : std::next(it);
    }
}

std::size_t Node::serve(std::size_t ends, std::optional<conformance::Deadline> until, const std::atomic<bool>& stop,
                        conformance::Millis linger) {
    Bytes buffer(kReadBuffer);
    auto last_expiry = conformance::SteadyClock::now();
    while (m_fd >= 0 && !stop.load()) {
        const auto now = conformance::SteadyClock::now();
        if (until && now >= *until) {
            break;
        }
        if (now - last_expiry >= conformance::Millis(100)) {
            if (m_cache_lock != nullptr) {
                const std::lock_guard<std::mutex> lock(*m_cache_lock);
                settle(true);
            } else {
                settle(true);
            }
            last_expiry = now;
        }
        // Completed sessions quiet for the linger have ended.
        for (auto& [address, peer] : m_peers) {
            if (peer->completed && !peer->ended && now - peer->last_heard >= linger) {
                end(address, "CLOSED quiet for " + std::to_string(linger.count()) + " ms after the handshake");
            }
        }
        if (ends > 0 && m_ended >= ends) {
            bool busy = false;
            for (const auto& [address, peer] : m_peers) {
                busy = busy || !peer->ended;
            }
            if (!busy) {
                break;
            }
        }
        pollfd p{m_fd, POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0) {
            continue;
        }
        for (int k = 0; k < 64; ++k) {
            sockaddr_storage from{};
            socklen_t from_len = sizeof from;
            const ssize_t n = ::recvfrom(m_fd, buffer.data(), buffer.size(), MSG_TRUNC | MSG_DONTWAIT,
                                         reinterpret_cast<sockaddr*>(&from), &from_len);
            if (n < 0) {
                break;
            }
            const auto size = static_cast<std::size_t>(n);
            // Over the read buffer: what was read plus the size it had (the frame parser refuses it
            // as oversize on the size alone).
            Bytes d(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(std::min(size, buffer.size())));
            if (size > buffer.size()) {
                d.resize(kMaxDatagram + 1, 0);
            }
            if (m_cache_lock != nullptr) {
                const std::lock_guard<std::mutex> lock(*m_cache_lock);
                on_datagram(address_of(from), &from, from_len, d);
            } else {
                on_datagram(address_of(from), &from, from_len, d);
            }
        }
    }
    // Whatever is still open ends with the node.
    for (auto& [address, peer] : m_peers) {
        if (!peer->ended) {
            end(address, peer->completed ? "CLOSED node stopped" : "HANDSHAKE_FAILED unknown");
        }
    }
    return m_completed;
}

}  // namespace shakedown::stt
