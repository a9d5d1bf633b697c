// A target that hangs, resets, floods, announces a 2 GiB record, trickles, or never closes must
// not hang, crash or exhaust the runner: every scenario ends by its deadline with a verdict, and
// the runner's memory stays bounded over the whole catalogue. Hostile peers play both roles,
// in process, on loopback.
#include <gtest/gtest.h>

#include "tests/conformance/timeout_scale.hpp"

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <list>
#include <string>
#include <thread>

#include "conformance/runner/runner.hpp"
#include "conformance/scenarios/stellar/catalogue.hpp"

namespace cf = shakedown::conformance;
namespace sc = shakedown::conformance::stellar_scenarios;
using shakedown::Bytes;
using shakedown::ByteView;
using std::chrono::milliseconds;

namespace {

using shakedown::test::scale;

std::size_t rss_kib() {
    std::ifstream status("/proc/self/status");
    std::string key;
    while (status >> key) {
        if (key == "VmRSS:") {
            std::size_t kib = 0;
            status >> kib;
            return kib;
        }
        std::getline(status, key);
    }
    return 0;
}

enum class Behaviour { hang, reset, flood, huge_header, trickle, never_close, record_flood, mixed };

const char* name(Behaviour b) {
    switch (b) {
        case Behaviour::hang: return "hang";
        case Behaviour::reset: return "reset";
        case Behaviour::flood: return "flood";
        case Behaviour::huge_header: return "huge_header";
        case Behaviour::trickle: return "trickle";
        case Behaviour::never_close: return "never_close";
        case Behaviour::record_flood: return "record_flood";
        case Behaviour::mixed: return "mixed";
    }
    return "?";
}

// Reads and throws away whatever arrives until `stop`, ignoring the end of the stream (a peer
// that never closes its side).
void drain(cf::TcpStream& s, const std::atomic<bool>& stop, bool close_on_eof) {
    std::array<std::uint8_t, 4096> buf{};
    while (!stop.load()) {
        std::error_code ec;
        (void)s.read_some(buf, cf::after(milliseconds(50)), ec);
        if (ec && ec != std::errc::timed_out) {
            if (close_on_eof) {
                return;
            }
            std::this_thread::sleep_for(milliseconds(50));
        }
    }
}

// Writes `chunk` over and over until `stop`. When a write fails (the runner stopped reading, or
// left), waits `pause` and peeks once: a runner that has closed the connection ends the flood.
void flood(cf::TcpStream& s, const std::atomic<bool>& stop, ByteView chunk, milliseconds pause) {
    while (!stop.load()) {
        if (s.write_all(chunk, cf::after(milliseconds(100)))) {
            std::this_thread::sleep_for(pause);
            std::error_code ec;
            std::array<std::uint8_t, 1> one{};
            (void)s.read_some(one, cf::after(milliseconds(1)), ec);
            if (ec && ec != std::errc::timed_out) {
                return;
            }
        }
    }
}

void misbehave(cf::TcpStream& s, Behaviour b, const std::atomic<bool>& stop) {
    switch (b) {
        case Behaviour::hang:
            drain(s, stop, true);
            return;
        case Behaviour::reset:
            s.abort();
            return;
        case Behaviour::flood: {
            Bytes junk(16 * 1024);
            for (std::size_t i = 0; i < junk.size(); ++i) {
                junk[i] = static_cast<std::uint8_t>(i * 131 + 7);
            }
            flood(s, stop, junk, milliseconds(5));
            return;
        }
        case Behaviour::huge_header:
            (void)s.write_all(Bytes{0xff, 0xff, 0xff, 0xff}, cf::after(milliseconds(100)));
            drain(s, stop, true);
            return;
        case Behaviour::trickle: {
            // A record mark announcing 256 bytes, then one byte every 100 ms, forever.
            const Bytes head{0x80, 0x00, 0x01, 0x00};
            for (std::size_t i = 0; !stop.load(); ++i) {
                const std::uint8_t byte = i < head.size() ? head[i] : 0;
                if (s.write_all(ByteView(&byte, 1), cf::after(milliseconds(100)))) {
                    return;
                }
                std::this_thread::sleep_for(milliseconds(100));
            }
            return;
        }
        case Behaviour::never_close:
            drain(s, stop, false);
            return;
        case Behaviour::record_flood: {
            // Well-formed records (SEND_MORE_EXTENDED, zero MAC) as fast as the socket takes them.
            Bytes rec{0x80, 0, 0, 0x38, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 20, 0, 0, 0, 1, 0, 0, 0, 1};
            rec.resize(4 + 0x38, 0);
            Bytes batch;
            for (int i = 0; i < 256; ++i) {
                batch.insert(batch.end(), rec.begin(), rec.end());
            }
            flood(s, stop, batch, milliseconds(0));
            return;
        }
        case Behaviour::mixed:
            return;
    }
}

// A hostile peer for both roles. With Behaviour::mixed each connection gets the next behaviour.
class HostilePeer final : public cf::LocalPeer {
public:
    explicit HostilePeer(Behaviour b) : m_behaviour(b) {}
    ~HostilePeer() override {
        m_stop.store(true);
        if (m_server.joinable()) {
            m_server.join();
        }
        for (auto& t : m_threads) {
            t.join();
        }
    }
    [[nodiscard]] std::string describe() const override { return std::string("hostile peer: ") + name(m_behaviour); }

    std::optional<cf::Endpoint> acceptor(std::string& error) override {
        std::lock_guard<std::mutex> lock(m_mutex);
        if (!m_server.joinable()) {
            if (const auto ec = m_listener.listen(cf::Endpoint{"127.0.0.1", 0})) {
                error = ec.message();
                return std::nullopt;
            }
            m_server = std::thread([this] {
                while (!m_stop.load()) {
                    std::error_code ec;
                    auto s = m_listener.accept(cf::after(milliseconds(50)), ec);
                    if (s) {
                        spawn(std::move(s));
                    }
                }
            });
        }
        return cf::Endpoint{"127.0.0.1", m_listener.port()};
    }

    std::unique_ptr<cf::LocalRun> start_initiator(const cf::Endpoint& to, const std::vector<std::string>&,
                                                  std::string& error) override {
        auto s = std::make_unique<cf::TcpStream>();
        if (const auto ec = s->connect(to, cf::after(milliseconds(2000)))) {
            error = ec.message();
            return nullptr;
        }
        spawn(std::move(s));
        return std::make_unique<Run>();
    }

    [[nodiscard]] std::size_t connections() const { return m_count.load(); }

private:
    struct Run final : cf::LocalRun {
        cf::PeerReport finish(cf::Deadline) override { return cf::PeerReport{}; }
    };

    void spawn(std::unique_ptr<cf::TcpStream> s) {
        const std::size_t n = m_count.fetch_add(1);
        Behaviour b = m_behaviour;
        if (b == Behaviour::mixed) {
            b = static_cast<Behaviour>(n % static_cast<std::size_t>(Behaviour::mixed));
        }
        std::lock_guard<std::mutex> lock(m_thread_mutex);
        m_threads.emplace_back([this, b, stream = std::move(s)]() mutable {
            misbehave(*stream, b, m_stop);
            // Until the runner is done with the whole run: never close first.
            while (!m_stop.load() && b == Behaviour::never_close) {
                std::this_thread::sleep_for(milliseconds(20));
            }
        });
    }

    Behaviour m_behaviour;
    std::atomic<bool> m_stop{false};
    std::atomic<std::size_t> m_count{0};
    std::mutex m_mutex;
    std::mutex m_thread_mutex;
    cf::TcpListener m_listener;
    std::thread m_server;
    std::list<std::thread> m_threads;
};

struct Run {
    cf::RunReport report;
    double seconds = 0;
    std::size_t rss_growth_kib = 0;
};

Run run_against(Behaviour b, std::vector<std::string> only, std::size_t jobs) {
    auto env = std::make_shared<sc::Env>();
    const auto catalogue = sc::make_catalogue(env);
    const auto factory = sc::make_transport_factory();
    auto peer = std::make_shared<HostilePeer>(b);
    cf::LocalPeerTarget target(factory, peer);
    cf::RunOptions options;
    options.jobs = jobs;
    options.timeout_scale = scale();
    options.only = std::move(only);
    const std::size_t before = rss_kib();
    const auto start = std::chrono::steady_clock::now();
    Run r;
    r.report = cf::run_catalogue(catalogue, target, factory->name(), options);
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    const std::size_t after = rss_kib();
    r.rss_growth_kib = after > before ? after - before : 0;
    return r;
}

const cf::ScenarioResult& find(const cf::RunReport& r, const std::string& id) {
    for (const auto& x : r.results) {
        if (x.info.id == id) {
            return x;
        }
    }
    static const cf::ScenarioResult none{};
    ADD_FAILURE() << "no result for " << id;
    return none;
}

}  // namespace

class HostileTarget : public ::testing::TestWithParam<Behaviour> {};

// The happy path and a rejection scenario, in both roles, against each hostile behaviour: each
// ends with a FAIL (or a PASS where the behaviour happens to be a correct rejection), inside a
// bounded time.
TEST_P(HostileTarget, EveryScenarioEndsByItsDeadline) {
    const auto run = run_against(GetParam(), {"*.happy.path", "*.cert.expired", "*.oversize.length-2gib"}, 6);
    ASSERT_EQ(run.report.results.size(), 6U);
    for (const auto& r : run.report.results) {
        EXPECT_TRUE(r.ran()) << r.info.id << ": " << r.reason;
        // Honest waits are 2 s, reactions 1 s (plus up to three 250 ms probes), connect 5 s.
        EXPECT_LT(r.duration_ms, 9000 * scale()) << r.info.id;
        EXPECT_LT(r.transcript.entries().size(), cf::Transcript::kMaxEntries + 1);
    }
    EXPECT_EQ(find(run.report, "acceptor.happy.path").verdict, cf::Verdict::fail);
    EXPECT_EQ(find(run.report, "initiator.happy.path").verdict, cf::Verdict::fail);
    EXPECT_LT(run.seconds, 12 * scale());
}

INSTANTIATE_TEST_SUITE_P(Behaviours, HostileTarget,
                         ::testing::Values(Behaviour::hang, Behaviour::reset, Behaviour::flood, Behaviour::huge_header,
                                           Behaviour::trickle, Behaviour::never_close, Behaviour::record_flood),
                         [](const auto& p) { return std::string(name(p.param)); });

TEST(HostileTarget, ReasonsNameWhatTheTargetDid) {
    const auto huge = run_against(Behaviour::huge_header, {"acceptor.happy.path"}, 1);
    EXPECT_NE(find(huge.report, "acceptor.happy.path").reason.find("invalid record mark"), std::string::npos)
        << find(huge.report, "acceptor.happy.path").reason;
    const auto hang = run_against(Behaviour::hang, {"acceptor.happy.path"}, 1);
    EXPECT_NE(find(hang.report, "acceptor.happy.path").reason.find("sent nothing within"), std::string::npos)
        << find(hang.report, "acceptor.happy.path").reason;
    const auto flood = run_against(Behaviour::record_flood, {"initiator.happy.path"}, 1);
    const auto& f = find(flood.report, "initiator.happy.path");
    EXPECT_EQ(f.verdict, cf::Verdict::fail);
    // The transcript keeps its byte budget however much arrived.
    std::size_t kept = 0;
    for (const auto& e : f.transcript.entries()) {
        kept += e.bytes.size();
    }
    EXPECT_LE(kept, cf::Transcript::kMaxBytes);
}

// The whole catalogue, both roles, every connection a different hostile behaviour: the run ends
// in bounded time and the runner's memory stays bounded.
TEST(HostileTarget, WholeCatalogueStaysBounded) {
    const auto run = run_against(Behaviour::mixed, {}, 64);
    std::size_t failed = 0;
    for (const auto& r : run.report.results) {
        EXPECT_TRUE(r.ran() || r.verdict == cf::Verdict::skipped) << r.info.id << ": " << r.reason;
        EXPECT_LT(r.duration_ms, 15000 * scale()) << r.info.id;
        failed += r.verdict == cf::Verdict::fail ? 1 : 0;
    }
    EXPECT_GT(failed, run.report.results.size() / 2);
    EXPECT_LT(run.seconds, 60 * scale());
    // Transcripts are bounded to 64 KiB each, buffers to one 64 KiB record per connection: about
    // 17 MiB of results at most. AddressSanitizer keeps up to 256 MiB of freed memory in
    // quarantine and adds shadow memory, so there the bound only catches runaway growth.
#if defined(__SANITIZE_ADDRESS__)
    const std::size_t bound_kib = 1024U * 1024U;
#else
    const std::size_t bound_kib = 64U * 1024U;
#endif
    EXPECT_LT(run.rss_growth_kib, bound_kib) << "runner RSS grew by " << run.rss_growth_kib << " KiB";
    std::cout << "whole catalogue against mixed hostile peers: " << run.report.results.size() << " scenarios in "
              << run.seconds << " s, " << failed << " FAIL, runner RSS growth " << run.rss_growth_kib << " KiB\n";
}

// Hostile shims: one that never prints LISTENING and floods stdout, one that hangs, one that
// exits 89, one whose child keeps the pipes open.
TEST(HostileShim, KilledAtTheDeadlineAndReported) {
    auto env = std::make_shared<sc::Env>();
    const auto catalogue = sc::make_catalogue(env);
    const auto factory = sc::make_transport_factory();
    struct Case {
        const char* command;
        cf::Verdict verdict;
    };
    for (const Case c : {Case{"yes garbage", cf::Verdict::fail}, Case{"sleep 30", cf::Verdict::fail},
                         Case{"exit 89", cf::Verdict::unimplemented},
                         Case{"(sleep 30 &) ; yes LISTENING", cf::Verdict::fail}}) {
        cf::ShimTarget target(factory, c.command, milliseconds(static_cast<long>(1000 * scale())));
        cf::RunOptions options;
        options.jobs = 2;
        options.timeout_scale = scale();
        options.only = {"*.happy.path"};
        const auto start = std::chrono::steady_clock::now();
        const auto report = cf::run_catalogue(catalogue, target, factory->name(), options);
        const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        ASSERT_EQ(report.results.size(), 2U);
        for (const auto& r : report.results) {
            EXPECT_EQ(r.verdict, c.verdict) << c.command << " " << r.info.id << ": " << r.reason;
            ASSERT_FALSE(r.peers.empty()) << c.command;
            EXPECT_LE(r.peers[0].lines.size(), cf::ChildProcess::kMaxLines);
            EXPECT_LE(r.peers[0].stderr_tail.size(), cf::ChildProcess::kMaxStderr);
        }
        EXPECT_LT(seconds, 8 * scale()) << c.command;
    }
}
