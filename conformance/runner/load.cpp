#include "conformance/runner/load.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "conformance/runner/machine_peer.hpp"

namespace shakedown::conformance {

std::string_view to_string(LoadMode m) {
    switch (m) {
        case LoadMode::honest: return "honest";
        case LoadMode::half_open: return "half-open";
        case LoadMode::first_message_flood: return "first-message-flood";
        case LoadMode::wrong_credential: return "wrong-credential";
    }
    return "?";
}

std::optional<LoadMode> load_mode_from_string(std::string_view s) {
    for (const LoadMode m : {LoadMode::honest, LoadMode::half_open, LoadMode::first_message_flood,
                             LoadMode::wrong_credential}) {
        if (to_string(m) == s) {
            return m;
        }
    }
    return std::nullopt;
}

namespace {

template <class T>
bool decimal(const std::string& s, T& out) {
    const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && p == s.data() + s.size() && !s.empty();
}

struct ProcStat {
    pid_t pgrp = 0;
    unsigned long long ticks = 0;           // utime + stime
    unsigned long long children_ticks = 0;  // cutime + cstime: children it reaped
};

// /proc/<pid>/stat (proc(5)): the fields after the command name, which may hold spaces and
// parentheses, start after its last ')'.
std::optional<ProcStat> read_stat(const std::string& pid) {
    std::ifstream in("/proc/" + pid + "/stat");
    std::string line;
    if (!std::getline(in, line)) {
        return std::nullopt;
    }
    const auto close = line.rfind(')');
    if (close == std::string::npos || close + 2 > line.size()) {
        return std::nullopt;
    }
    std::istringstream rest(line.substr(close + 2));
    ProcStat s;
    std::string field;
    // Field 3 is the state; 5 pgrp, 14 utime, 15 stime, 16 cutime, 17 cstime.
    for (int i = 3; i <= 17 && rest >> field; ++i) {
        unsigned long long n = 0;
        if (i == 3 || i == 4) {
            continue;
        }
        if (i == 5) {
            long long g = 0;
            if (!decimal(field, g)) {
                return std::nullopt;
            }
            s.pgrp = static_cast<pid_t>(g);
        } else if (i >= 14) {
            if (!decimal(field, n)) {
                return std::nullopt;
            }
            (i <= 15 ? s.ticks : s.children_ticks) += n;
        }
    }
    return s;
}

double ticks_to_ms(unsigned long long ticks) {
    const long hz = sysconf(_SC_CLK_TCK);
    return hz > 0 ? static_cast<double>(ticks) * 1000.0 / static_cast<double>(hz) : 0.0;
}

}  // namespace

std::optional<double> process_cpu_ms(pid_t pid) {
    const auto s = read_stat(std::to_string(pid));
    if (!s) {
        return std::nullopt;
    }
    return ticks_to_ms(s->ticks + s->children_ticks);
}

std::optional<double> process_group_cpu_ms(pid_t pgid) {
    constexpr std::size_t kMaxEntries = 1 << 20;  // a bound on the walk, far above any pid_max
    unsigned long long ticks = 0;
    bool found = false;
    std::error_code ec;
    std::size_t seen = 0;
    for (std::filesystem::directory_iterator it("/proc", ec), end; !ec && it != end && seen < kMaxEntries;
         it.increment(ec), ++seen) {
        const std::string name = it->path().filename().string();
        if (name.empty() || !std::all_of(name.begin(), name.end(), [](char c) { return c >= '0' && c <= '9'; })) {
            continue;
        }
        const auto s = read_stat(name);  // the process may have left since the listing
        if (s && s->pgrp == pgid) {
            found = true;
            ticks += s->ticks + s->children_ticks;
        }
    }
    return found ? std::optional<double>(ticks_to_ms(ticks)) : std::nullopt;
}

namespace {

struct Attempt {
    bool ok = false;
    std::string reason;
    double latency_ms = 0;
};

double since_ms(SteadyClock::time_point t0) {
    return std::chrono::duration<double, std::milli>(SteadyClock::now() - t0).count();
}

std::string closure_reason(const Machine& m) {
    const auto c = m.closure();
    if (!c) {
        return "no outcome";
    }
    if (c->by_peer) {
        return "target closed";
    }
    return "our initiator: " + std::string(to_string(c->failure.code));
}

// Connections open at once, for the bound and its report.
class OpenCount {
public:
    void opened() {
        const std::size_t now = ++m_open;
        std::size_t seen = m_max.load();
        while (now > seen && !m_max.compare_exchange_weak(seen, now)) {
        }
    }
    void closed() { --m_open; }
    [[nodiscard]] std::size_t max() const { return m_max.load(); }

private:
    std::atomic<std::size_t> m_open{0};
    std::atomic<std::size_t> m_max{0};
};

// Feeds one incoming unit to the machine as the generic reference peer does (drive_machine);
// returns whether the connection is over.
bool deliver(Machine& m, const Incoming& in, bool hears_close) {
    switch (in.kind) {
        case Incoming::Kind::message:
            m.receive(in.wire);
            return false;
        case Incoming::Kind::framing_error:
        case Incoming::Kind::limit:
            if (!in.wire.empty()) {
                m.receive(in.wire);
            }
            if (hears_close && m.next_action() != Action::closed) {
                m.peer_closed();
            }
            return hears_close || in.kind == Incoming::Kind::framing_error;
        case Incoming::Kind::closed:
        case Incoming::Kind::reset:
            if (!in.wire.empty()) {
                m.receive(in.wire);
            }
            if (m.next_action() != Action::closed) {
                m.peer_closed();
            }
            return true;
        case Incoming::Kind::timeout:
            return false;
    }
    return true;
}

// The attempt's first message: what the initiator sends first, after the acceptor's first message
// when the acceptor speaks first. Empty when there is none by the deadline.
Bytes first_message(Machine& m, Transport& t, Deadline end, std::string& why) {
    m.start();
    auto out = m.take_output();
    while (out.empty() && m.next_action() != Action::closed && SteadyClock::now() < end) {
        const Incoming in = t.receive_any(end);
        if (in.kind == Incoming::Kind::timeout) {
            why = "nothing from the target to answer";
            return {};
        }
        if (deliver(m, in, t.reports_peer_close())) {
            why = "target closed before our first message";
            return {};
        }
        out = m.take_output();
    }
    if (out.empty()) {
        why = m.next_action() == Action::closed ? closure_reason(m) : "nothing to send";
        return {};
    }
    return std::move(out.front());
}

// One attempt of the mode on a fresh connection.
Attempt attempt(const TransportFactory& transport, const InitiatorFactory& make, const LoadOptions& o,
                const std::atomic<bool>& stop, OpenCount& open) {
    Attempt a;
    std::string error;
    auto machine = make(error);
    if (!machine) {
        a.reason = "configuration: " + error;
        return a;
    }
    Machine& m = *machine;
    const auto t0 = SteadyClock::now();
    const Deadline end = after(o.attempt_timeout);
    auto t = transport.connect(o.to, end, error);
    if (!t) {
        a.reason = "connect: " + error;
        a.latency_ms = since_ms(t0);
        return a;
    }
    open.opened();
    struct Closer {
        Transport& t;
        OpenCount& open;
        ~Closer() {
            t.abort();
            open.closed();
        }
    } closer{*t, open};
    const bool hears_close = t->reports_peer_close();

    if (o.mode == LoadMode::first_message_flood || o.mode == LoadMode::half_open) {
        const Bytes first = first_message(m, *t, end, a.reason);
        if (first.empty()) {
            a.latency_ms = since_ms(t0);
            return a;
        }
        if (t->send(first, end)) {
            a.reason = "send failed";
            a.latency_ms = since_ms(t0);
            return a;
        }
        a.ok = true;
        if (o.mode == LoadMode::first_message_flood) {
            // An orderly close: the message is delivered before our leaving (a reset could discard
            // it unread, and the flood would cost the target nothing it would cost it in the wild).
            t->shutdown_send();
            t->close();
            a.reason = "sent and left";
            a.latency_ms = since_ms(t0);
            return a;
        }
        // Half-open: hold until the target gives up (how long it keeps us is the figure), the
        // stall passes or the run stops; whatever the target sends is read and dropped.
        const Deadline hold = t0 + o.stall;
        a.reason = "still open when released";
        while (SteadyClock::now() < hold && !stop.load()) {
            const Incoming in = t->receive_any(std::min(hold, after(Millis(100))));
            if (in.kind == Incoming::Kind::closed || in.kind == Incoming::Kind::reset ||
                in.kind == Incoming::Kind::framing_error || (in.kind == Incoming::Kind::limit && hears_close)) {
                a.reason = "target closed";
                break;
            }
        }
        a.latency_ms = since_ms(t0);
        return a;
    }

    // Honest and wrong-credential: the whole handshake, until authenticated or closed.
    m.start();
    bool transport_ok = flush_output(m, *t, end);
    while (transport_ok && !m.authenticated() && m.next_action() != Action::closed) {
        const auto idle = m.idle_timeout_ms();
        const Deadline wait = idle ? std::min(end, after(Millis(*idle))) : end;
        const Incoming in = t->receive_any(wait);
        if (in.kind == Incoming::Kind::timeout) {
            if (SteadyClock::now() >= wait) {
                m.idle_timeout();
                if (SteadyClock::now() >= end && m.next_action() != Action::closed) {
                    break;  // the machine keeps waiting; the attempt's deadline does not
                }
            }
            continue;
        }
        const bool over = deliver(m, in, hears_close);
        transport_ok = flush_output(m, *t, end);
        if (over) {
            break;
        }
    }
    bool authenticated = m.authenticated();
    if (authenticated && o.mode == LoadMode::wrong_credential && transport_ok) {
        // Our initiator may be done before the target has checked its proof (ShadowMesh's
        // COMPLETE, for one): the target accepted only if it keeps the connection for the grace.
        const Deadline grace = std::min(end, after(o.refusal_grace));
        while (SteadyClock::now() < grace) {
            const Incoming in = t->receive_any(grace);
            if (in.kind == Incoming::Kind::timeout) {
                break;
            }
            if (deliver(m, in, hears_close) || m.next_action() == Action::closed) {
                authenticated = false;
                break;
            }
            transport_ok = flush_output(m, *t, end);
        }
    }
    a.latency_ms = since_ms(t0);
    if (o.mode == LoadMode::honest) {
        a.ok = authenticated;
        if (!a.ok) {
            a.reason = !transport_ok                      ? "send failed"
                       : m.next_action() != Action::closed ? "attempt deadline"
                                                           : closure_reason(m);
        }
    } else if (authenticated) {
        a.reason = "accepted a wrong credential (kept the connection " +
                   std::to_string(o.refusal_grace.count()) + " ms after our proof)";
    } else if (!transport_ok) {
        a.ok = true;
        a.reason = "target closed under our send";
    } else if (m.next_action() != Action::closed) {
        a.reason = "attempt deadline";
    } else {
        a.ok = true;
        a.reason = (m.authenticated() ? "after our proof, " : "") + closure_reason(m);
    }
    if (authenticated) {
        // Let the last messages reach the target before we leave (abort would drop them).
        t->shutdown_send();
        t->close();
    }
    return a;
}

// The p-quantile by nearest rank.
double percentile(std::vector<double>& v, double p) {
    if (v.empty()) {
        return 0;
    }
    const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(v.size())));
    const std::size_t k = std::min(rank == 0 ? 0 : rank - 1, v.size() - 1);
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(k), v.end());
    return v[k];
}

}  // namespace

LoadResult run_load(const TransportFactory& transport, const InitiatorFactory& make, const LoadOptions& options) {
    LoadOptions o = options;
    o.concurrency = std::clamp<std::size_t>(o.concurrency, 1, LoadOptions::kMaxConcurrency);
    std::mutex mutex;
    std::vector<double> latencies;  // a uniform sample (Algorithm R) once past the bound
    latencies.reserve(std::min<std::size_t>(LoadOptions::kMaxLatencies, 4096));
    std::minstd_rand sampler(12345);
    double max_latency = 0;
    LoadResult r;
    std::atomic<std::size_t> started{0};
    std::atomic<bool> stop{false};
    OpenCount open;
    const auto cpu0 = o.target_cpu_ms ? o.target_cpu_ms() : std::nullopt;
    const auto t0 = SteadyClock::now();
    const Deadline end = t0 + o.duration;

    std::vector<std::thread> workers;
    workers.reserve(o.concurrency);
    for (std::size_t i = 0; i < o.concurrency; ++i) {
        workers.emplace_back([&] {
            while (!stop.load() && SteadyClock::now() < end) {
                if (o.attempts > 0 && started.fetch_add(1) >= o.attempts) {
                    break;
                }
                const Attempt a = attempt(transport, make, o, stop, open);
                const std::lock_guard<std::mutex> lock(mutex);
                ++r.attempts;
                if (latencies.size() < LoadOptions::kMaxLatencies) {
                    latencies.push_back(a.latency_ms);
                } else {
                    const std::size_t j = static_cast<std::size_t>(sampler()) % r.attempts;
                    if (j < latencies.size()) {
                        latencies[j] = a.latency_ms;
                    }
                }
                max_latency = std::max(max_latency, a.latency_ms);
                if (a.ok) {
                    ++r.completed;
                    if (!a.reason.empty()) {
                        ++r.outcomes[a.reason];
                    }
                } else {
                    ++r.failures[a.reason];
                }
                if (a.reason.rfind("configuration: ", 0) == 0) {
                    stop.store(true);  // every attempt would fail the same way
                }
            }
        });
    }
    std::size_t last_second = 0;
    for (;;) {
        if (o.tick) {
            if (auto why = o.tick()) {
                r.stopped = *why;
                stop.store(true);
            }
        }
        std::this_thread::sleep_for(Millis(o.tick ? 20 : 200));
        std::size_t done = 0;
        std::size_t completed = 0;
        {
            const std::lock_guard<std::mutex> lock(mutex);
            done = r.attempts;
            completed = r.completed;
        }
        const bool finished = stop.load() || SteadyClock::now() >= end || (o.attempts > 0 && done >= o.attempts);
        const double secs = since_ms(t0) / 1000.0;
        if (o.progress && (static_cast<std::size_t>(secs) != last_second || finished)) {
            last_second = static_cast<std::size_t>(secs);
            std::ostringstream line;
            line.precision(1);
            line << std::fixed << secs << " s  attempts " << done << "  as intended " << completed << "  failed "
                 << done - completed << "  " << (secs > 0 ? static_cast<double>(completed) / secs : 0.0) << "/s";
            o.progress(line.str());
        }
        if (finished) {
            break;
        }
    }
    // Attempts in flight end by their own deadlines; half-open holds are released at once.
    stop.store(true);
    for (auto& w : workers) {
        w.join();
    }
    r.mode = std::string(to_string(o.mode));
    r.concurrency = o.concurrency;
    r.elapsed_ms = static_cast<std::uint64_t>(since_ms(t0));
    r.per_second =
        r.elapsed_ms > 0 ? static_cast<double>(r.completed) * 1000.0 / static_cast<double>(r.elapsed_ms) : 0;
    r.p50_ms = percentile(latencies, 0.50);
    r.p90_ms = percentile(latencies, 0.90);
    r.p99_ms = percentile(latencies, 0.99);
    r.max_ms = max_latency;
    r.max_open = open.max();
    if (cpu0) {
        // The target may still be working through what the run left it (a flood's queued key
        // derivations): its CPU time is read once it has settled, quiet for two intervals in a row,
        // or at `settle` after the run.
        const Deadline settle_end = after(o.settle);
        std::optional<double> previous = o.target_cpu_ms();
        int quiet = 0;
        while (previous && quiet < 2 && SteadyClock::now() < settle_end) {
            std::this_thread::sleep_for(Millis(250));
            if (o.tick) {
                (void)o.tick();
            }
            const auto now = o.target_cpu_ms();
            quiet = now && *now - *previous <= 10.0 ? quiet + 1 : 0;
            previous = now;
        }
        r.settle_ms = static_cast<std::uint64_t>(since_ms(t0)) - r.elapsed_ms;
        if (const auto cpu1 = o.target_cpu_ms()) {
            r.target_cpu_ms = *cpu1 - *cpu0;
            if (r.attempts > 0) {
                r.target_cpu_ms_per_attempt = *r.target_cpu_ms / static_cast<double>(r.attempts);
            }
        }
    }
    return r;
}

std::string to_json(const LoadContext& c, const LoadResult& r) {
    nlohmann::ordered_json j;
    j["variant"] = c.variant;
    j["profile"] = c.profile;
    j["target"] = c.target;
    j["mode"] = r.mode;
    j["concurrency"] = r.concurrency;
    j["elapsed_ms"] = r.elapsed_ms;
    j["attempts"] = r.attempts;
    j["completed"] = r.completed;
    j["per_second"] = r.per_second;
    j["latency_ms"] = {{"p50", r.p50_ms}, {"p90", r.p90_ms}, {"p99", r.p99_ms}, {"max", r.max_ms}};
    j["max_open_connections"] = r.max_open;
    j["outcomes"] = r.outcomes;
    j["failures"] = r.failures;
    j["target_cpu_ms"] = r.target_cpu_ms ? nlohmann::ordered_json(*r.target_cpu_ms) : nullptr;
    j["target_cpu_ms_per_attempt"] =
        r.target_cpu_ms_per_attempt ? nlohmann::ordered_json(*r.target_cpu_ms_per_attempt) : nullptr;
    j["target_settle_ms"] = r.settle_ms;
    j["stopped"] = r.stopped.empty() ? nullptr : nlohmann::ordered_json(r.stopped);
    return j.dump(2) + "\n";
}

std::string to_text(const LoadContext& c, const LoadResult& r) {
    std::ostringstream s;
    s.precision(2);
    s << std::fixed;
    s << c.variant << " / " << c.profile << " against " << c.target << ": " << r.mode << ", concurrency "
      << r.concurrency << ", " << r.elapsed_ms << " ms\n";
    const char* what = r.mode == "honest" ? "handshakes completed" : r.mode == "wrong-credential" ? "refused" : "sent";
    s << "attempts " << r.attempts << ", " << what << " " << r.completed << " (" << r.per_second << "/s)\n";
    s << "latency ms: p50 " << r.p50_ms << "  p90 " << r.p90_ms << "  p99 " << r.p99_ms << "  max " << r.max_ms
      << (r.mode == "half-open" ? "  (how long the target held a stalled connection)" : "") << "\n";
    s << "connections open at once: at most " << r.max_open << "\n";
    if (r.target_cpu_ms) {
        s << "target CPU: " << *r.target_cpu_ms << " ms in all (read " << r.settle_ms << " ms after the run)";
        if (r.target_cpu_ms_per_attempt) {
            s << ", " << *r.target_cpu_ms_per_attempt << " ms per attempt";
        }
        s << "\n";
    }
    for (const auto& [why, n] : r.outcomes) {
        s << "  " << n << "  " << why << "\n";
    }
    for (const auto& [why, n] : r.failures) {
        s << "  " << n << "  FAILED " << why << "\n";
    }
    if (!r.stopped.empty()) {
        s << "stopped early: " << r.stopped << "\n";
    }
    return s.str();
}

}  // namespace shakedown::conformance
