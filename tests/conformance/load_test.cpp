// shakedown load: honest load against the in-process reference, a half-open peer held until the
// reference's idle deadline, refused wrong credentials, the connection bound counted at a
// listener, the JSON figures, and the command's usage errors.
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "conformance/registry/variant.hpp"
#include "conformance/runner/load.hpp"
#include "tests/conformance/timeout_scale.hpp"

namespace {

namespace cf = shakedown::conformance;
namespace reg = shakedown::registry;
using shakedown::Role;
using std::chrono::milliseconds;

cf::Millis scaled(std::int64_t ms) {
    return cf::Millis(static_cast<std::int64_t>(static_cast<double>(ms) * shakedown::test::timeout_scale()));
}

// The reference of a variant in process, and our initiators for it, as `shakedown load --reference`
// builds them.
struct Reference {
    const reg::Variant* v = nullptr;
    std::shared_ptr<cf::LocalPeer> peer;
    cf::Endpoint at;
    std::vector<std::string> initiator_flags;

    explicit Reference(const std::string& name, bool wrong_credential = false) {
        v = reg::find(name);
        if (v == nullptr) {
            ADD_FAILURE() << "no variant " << name;
            return;
        }
        const std::string profile = v->profiles.front().name;
        const auto setup = v->load ? v->load(profile) : reg::LoadSetup{};
        reg::Settings settings;
        std::vector<std::string> unknown;
        std::string why;
        EXPECT_TRUE(reg::parse_settings(v->shim_flags, setup.acceptor, settings, unknown, why)) << why;
        peer = reg::reference_peer(*v, profile, settings, {}, why);
        EXPECT_TRUE(peer) << why;
        if (peer) {
            const auto ep = peer->acceptor(why);
            EXPECT_TRUE(ep) << why;
            at = ep.value_or(cf::Endpoint{});
        }
        initiator_flags = setup.initiator;
        if (wrong_credential) {
            EXPECT_FALSE(setup.wrong_credential.empty()) << name << " declares no wrong credential";
            initiator_flags.insert(initiator_flags.end(), setup.wrong_credential.begin(), setup.wrong_credential.end());
        }
    }

    cf::LoadResult run(cf::LoadOptions o) const {
        o.to = at;
        const std::string profile = v->profiles.front().name;
        const auto make = reg::flagged_machine_factory(*v, profile, {}, {});
        const auto flags = initiator_flags;
        const auto transport = v->transport(profile, {});
        return cf::run_load(*transport, [make, flags](std::string& e) { return make(Role::initiator, flags, e); }, o);
    }
};

TEST(Load, HonestHandshakesAgainstTheInProcessReference) {
    const Reference ref("stellar");
    ASSERT_TRUE(ref.peer);
    cf::LoadOptions o;
    o.concurrency = 2;
    o.attempts = 20;
    o.duration = scaled(20000);
    const auto r = ref.run(o);
    EXPECT_EQ(r.attempts, 20U);
    EXPECT_EQ(r.completed, 20U);
    EXPECT_TRUE(r.failures.empty()) << r.failures.begin()->first;
    EXPECT_GT(r.p50_ms, 0.0);
    EXPECT_LE(r.p50_ms, r.p90_ms);
    EXPECT_LE(r.p90_ms, r.p99_ms);
    EXPECT_LE(r.p99_ms, r.max_ms);
    EXPECT_LT(r.max_ms, static_cast<double>(scaled(5000).count()));
    EXPECT_GT(r.per_second, 0.0);
    EXPECT_GE(r.max_open, 1U);
    EXPECT_LE(r.max_open, 2U);
    EXPECT_FALSE(r.target_cpu_ms);  // in process: no process of its own to read
    EXPECT_TRUE(r.stopped.empty());
}

// The Stellar reference drops a handshake idle for 2 s: a stalled peer is held about that long.
TEST(Load, HalfOpenPeersAreHeldUntilTheIdleDeadline) {
    const Reference ref("stellar");
    ASSERT_TRUE(ref.peer);
    cf::LoadOptions o;
    o.mode = cf::LoadMode::half_open;
    o.concurrency = 2;
    o.attempts = 2;
    o.stall = scaled(8000);
    o.duration = scaled(10000);
    const auto r = ref.run(o);
    EXPECT_EQ(r.attempts, 2U);
    EXPECT_EQ(r.completed, 2U);
    EXPECT_EQ(r.outcomes.count("target closed"), 1U);
    EXPECT_EQ(r.outcomes.count("still open when released"), 0U);
    EXPECT_GE(r.p50_ms, 1900.0);
    EXPECT_LT(r.max_ms, static_cast<double>(scaled(4500).count()));
}

TEST(Load, WrongCredentialsAreRefused) {
    const Reference ref("shadowmesh", true);
    ASSERT_TRUE(ref.peer);
    cf::LoadOptions o;
    o.mode = cf::LoadMode::wrong_credential;
    o.concurrency = 2;
    o.attempts = 6;
    o.duration = scaled(20000);
    const auto r = ref.run(o);
    EXPECT_EQ(r.attempts, 6U);
    EXPECT_EQ(r.completed, 6U);
    EXPECT_TRUE(r.failures.empty()) << r.failures.begin()->first;
    // ShadowMesh's initiator is done before the responder checks its proof (COMPLETE): the refusal
    // is the responder's close after it.
    ASSERT_EQ(r.outcomes.size(), 1U);
    EXPECT_EQ(r.outcomes.begin()->first, "after our proof, target closed");
}

// A listener that counts the connections open at once. One poll loop handles closes before
// accepts, so a connection the client closed before opening the next is never counted with it.
class CountingListener {
public:
    CountingListener() {
        m_fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        EXPECT_EQ(::bind(m_fd, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
        EXPECT_EQ(::listen(m_fd, 64), 0);
        socklen_t len = sizeof a;
        EXPECT_EQ(::getsockname(m_fd, reinterpret_cast<sockaddr*>(&a), &len), 0);
        m_port = ntohs(a.sin_port);
        m_thread = std::thread([this] { loop(); });
    }
    ~CountingListener() {
        m_stop = true;
        m_thread.join();
        for (const int c : m_open) {
            ::close(c);
        }
        ::close(m_fd);
    }
    CountingListener(const CountingListener&) = delete;
    CountingListener& operator=(const CountingListener&) = delete;
    [[nodiscard]] std::uint16_t port() const { return m_port; }
    [[nodiscard]] std::size_t max_open() const { return m_max.load(); }
    [[nodiscard]] std::size_t accepted() const { return m_accepted.load(); }

private:
    void loop() {
        while (!m_stop) {
            std::vector<pollfd> fds;
            for (const int c : m_open) {
                fds.push_back(pollfd{c, POLLIN, 0});
            }
            fds.push_back(pollfd{m_fd, POLLIN, 0});
            if (::poll(fds.data(), fds.size(), 20) <= 0) {
                continue;
            }
            for (std::size_t i = 0; i + 1 < fds.size(); ++i) {
                if (fds[i].revents == 0) {
                    continue;
                }
                std::array<char, 4096> buf{};
                const ssize_t n = ::read(fds[i].fd, buf.data(), buf.size());
                if (n <= 0) {
                    ::close(fds[i].fd);
                    m_open.erase(std::find(m_open.begin(), m_open.end(), fds[i].fd));
                }
            }
            if (fds.back().revents != 0) {
                const int c = ::accept(m_fd, nullptr, nullptr);
                if (c >= 0) {
                    m_open.push_back(c);
                    ++m_accepted;
                    m_max = std::max(m_max.load(), m_open.size());
                }
            }
        }
    }
    int m_fd = -1;
    std::uint16_t m_port = 0;
    std::vector<int> m_open;  // the loop's thread only
    std::atomic<bool> m_stop{false};
    std::atomic<std::size_t> m_max{0};
    std::atomic<std::size_t> m_accepted{0};
    std::thread m_thread;
};

TEST(Load, NeverMoreConnectionsThanTheConcurrencyOrTheAttempts) {
    CountingListener listener;
    const auto* v = reg::find("stellar");
    ASSERT_NE(v, nullptr);
    const auto make = reg::flagged_machine_factory(*v, v->profiles.front().name, {}, {});
    cf::LoadOptions o;
    o.to = cf::Endpoint{"127.0.0.1", listener.port()};
    o.mode = cf::LoadMode::half_open;  // the listener never answers: every client holds its connection
    o.concurrency = 3;
    o.attempts = 12;
    o.stall = cf::Millis(150);
    o.duration = scaled(10000);
    const auto r = cf::run_load(*v->transport("", {}),
                                [&make](std::string& e) { return make(Role::initiator, {}, e); }, o);
    EXPECT_EQ(r.attempts, 12U);
    EXPECT_EQ(r.outcomes.count("still open when released"), 1U);
    EXPECT_LE(r.max_open, 3U);
    std::this_thread::sleep_for(milliseconds(100));
    EXPECT_EQ(listener.accepted(), 12U);
    EXPECT_LE(listener.max_open(), 3U);
    EXPECT_GE(listener.max_open(), 2U);  // the clients did run side by side
}

TEST(Load, JsonHasEveryFigure) {
    cf::LoadResult r;
    r.mode = "honest";
    r.attempts = 3;
    r.completed = 2;
    r.failures["target closed"] = 1;
    r.target_cpu_ms = 12.5;
    r.target_cpu_ms_per_attempt = 12.5 / 3;
    const auto j = nlohmann::json::parse(cf::to_json(cf::LoadContext{"stellar", "stellar-core", "x"}, r));
    EXPECT_EQ(j.at("variant"), "stellar");
    EXPECT_EQ(j.at("attempts"), 3);
    EXPECT_EQ(j.at("failures").at("target closed"), 1);
    for (const char* k : {"p50", "p90", "p99", "max"}) {
        EXPECT_TRUE(j.at("latency_ms").contains(k)) << k;
    }
    EXPECT_DOUBLE_EQ(j.at("target_cpu_ms").get<double>(), 12.5);
    EXPECT_TRUE(j.at("stopped").is_null());
}

TEST(Load, ProcessCpuTimeIsReadFromProc) {
    const auto self = cf::process_cpu_ms(::getpid());
    ASSERT_TRUE(self);
    volatile double x = 0;
    for (int i = 0; i < 20000000; ++i) {
        x = x + 1.0;
    }
    const auto later = cf::process_cpu_ms(::getpid());
    ASSERT_TRUE(later);
    EXPECT_GT(*later, *self);
    const auto group = cf::process_group_cpu_ms(::getpgrp());
    ASSERT_TRUE(group);
    EXPECT_GE(*group, *later - 20.0);  // our process is one of its group's
    EXPECT_FALSE(cf::process_cpu_ms(-1));
}

// SFT: a server without a derivation budget has no per-address gate either (a load from one
// address would otherwise stop at 10 connections a minute); the default keeps both.
TEST(Load, SftPerAddressGateFollowsTheDerivationBudget) {
    const auto* v = reg::find("sft");
    if (v == nullptr) {
        GTEST_SKIP() << "no sft variant";
    }
    EXPECT_EQ(v->connection_limits("upstream-v2", {})->per_address_per_window, 10U);
    EXPECT_EQ(v->connection_limits("upstream-v2", {{"kdf-budget", {"unlimited"}}})->per_address_per_window, 0U);
    EXPECT_EQ(v->connection_limits("upstream-v2", {{"kdf-budget", {"25"}}})->per_address_per_window, 25U);
    EXPECT_EQ(v->load("upstream-v2").wrong_credential.size(), 0U);
    EXPECT_FALSE(v->load("upstream-v2").no_credential.empty());
}

// The command itself: its figures as JSON, and usage errors as exit 2 with a message.
struct CommandRun {
    int status = -1;
    std::string output;
};

CommandRun shakedown_load(const std::string& args) {
    const std::string cmd = std::string(SHAKEDOWN_BIN) + " load " + args + " 2>&1";
    CommandRun r;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (p == nullptr) {
        return r;
    }
    std::array<char, 4096> buf{};
    while (r.output.size() < 65536) {
        const std::size_t n = std::fread(buf.data(), 1, buf.size(), p);
        if (n == 0) {
            break;
        }
        r.output.append(buf.data(), n);
    }
    const int st = ::pclose(p);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
}

TEST(LoadCommand, WritesItsFiguresAsJson) {
    const auto path = std::filesystem::temp_directory_path() / ("load_test_" + std::to_string(::getpid()) + ".json");
    const CommandRun r = shakedown_load("--variant shadowmesh --reference --handshakes 10 --concurrency 2 --quiet --json " +
                                 path.string());
    EXPECT_EQ(r.status, 0) << r.output;
    std::ifstream in(path);
    const auto j = nlohmann::json::parse(in, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << r.output;
    EXPECT_EQ(j.at("variant"), "shadowmesh");
    EXPECT_EQ(j.at("mode"), "honest");
    EXPECT_EQ(j.at("attempts"), 10);
    EXPECT_EQ(j.at("completed"), 10);
    EXPECT_TRUE(j.at("failures").empty());
    EXPECT_LE(j.at("max_open_connections").get<int>(), 2);
    EXPECT_NE(r.output.find("handshakes completed 10"), std::string::npos) << r.output;
    std::filesystem::remove(path);
}

TEST(LoadCommand, BadArgumentsExitTwoWithAMessage) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"--variant stellar", "give exactly one target"},
        {"--variant stellar --reference --shim x", "give exactly one target"},
        {"--variant stellar --reference --concurrency 0", "--concurrency must be"},
        {"--variant stellar --reference --concurrency 257", "--concurrency must be"},
        {"--variant stellar --reference --mode sideways", "--mode must be"},
        {"--variant stellar --reference --duration 0", "--duration must be"},
        {"--variant stellar --reference --timeout-ms 0", "--timeout-ms"},
        {"--variant stellar --connect 192.0.2.1:11625", "--connect"},
        {"--variant stellar --reference --pid 1", "--pid"},
        {"--variant stellar --reference --bug no-such-bug", "no bug named"},
        {"--variant stellar --reference --no-such-flag 1", "no-such-flag"},
        {"--variant stellar --reference --mode wrong-credential", "not applicable"},
        {"--variant sft --profile upstream-v2 --reference --mode wrong-credential", "not applicable"},
        {"--variant stellar --reference --target-flags=--no-such-flag", "--target-flags"},
    };
    for (const auto& [args, message] : cases) {
        const CommandRun r = shakedown_load(args);
        EXPECT_EQ(r.status, 2) << args << "\n" << r.output;
        EXPECT_NE(r.output.find(message), std::string::npos) << args << "\n" << r.output;
    }
}

}  // namespace
