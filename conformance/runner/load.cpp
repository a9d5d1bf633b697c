#include "conformance/runner/load.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

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

std::optional<double> process_cpu_ms(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(in, line)) {
        return std::nullopt;
    }
    // Fields after the command (which may hold spaces) start after the last ')'.
    const auto close = line.rfind(')');
    if (close == std::string::npos) {
        return std::nullopt;
    }
    std::istringstream rest(line.substr(close + 2));
    std::string field;
    unsigned long long utime = 0;
    unsigned long long stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
        if (i == 14) {
            utime = std::stoull(field);
        } else if (i == 15) {
            stime = std::stoull(field);
        }
    }
    const long ticks = sysconf(_SC_CLK_TCK);
    return ticks > 0 ? static_cast<double>(utime + stime) * 1000.0 / static_cast<double>(ticks) : 0.0;
}

namespace {

struct Attempt {
    bool ok = false;
    std::string reason;
    double latency_ms = 0;
    double held_ms = 0;
};

double since_ms(SteadyClock::time_point t0) {
    return std::chrono::duration<double, std::milli>(SteadyClock::now() - t0).count();
}

// One attempt of `mode` on a fresh connection.
Attempt attempt(const TransportFactory& transport, const InitiatorFactory& make, const LoadOptions& o,
                const std::atomic<bool>& stop) {
    Attempt a;
    std::string error;
    auto machine = make(error);
    if (!machine) {
        a.reason = "configuration: " + error;
        return a;
    }
    const auto t0 = SteadyClock::now();
    const Deadline end = after(o.attempt_timeout);
    auto t = transport.connect(o.to, end, error);
    if (!t) {
        a.reason = "connect: " + error;
        return a;
    }
    machine->start();
    const auto flush = [&]() {
        for (const auto& u : machine->take_output()) {
            if (t->send(u, end)) {
                return false;
            }
        }
        return true;
    };
    if (o.mode == LoadMode::first_message_flood || o.mode == LoadMode::half_open) {
        // The first message only (an acceptor that speaks first gets nothing from us).
        auto first = machine->take_output();
        if (first.empty()) {
            const Incoming in = t->receive_any(end);
            if (in.kind == Incoming::Kind::message) {
                machine->receive(in.wire);
            }
            first = machine->take_output();
        }
        if (!first.empty() && t->send(first.front(), end)) {
            a.reason = "send failed";
            t->abort();
            return a;
        }
        if (o.mode == LoadMode::first_message_flood) {
            t->abort();
            a.ok = true;
            a.latency_ms = since_ms(t0);
            return a;
        }
        // Half-open: hold until the target gives up (that is the figure) or `stall` passes.
        const Deadline hold = after(o.stall);
        for (;;) {
            const Incoming in = t->receive_any(std::min(hold, after(Millis(100))));
            if (in.kind == Incoming::Kind::closed || in.kind == Incoming::Kind::reset) {
                a.ok = true;
                a.reason = "target closed";
                break;
            }
            if (SteadyClock::now() >= hold || stop.load()) {
                a.ok = true;
                a.reason = "still open when released";
                break;
            }
        }
        a.held_ms = since_ms(t0);
        a.latency_ms = a.held_ms;
        t->abort();
        return a;
    }
    bool ok = flush();
    while (ok && !machine->authenticated() && machine->next_action() != Action::closed) {
        if (SteadyClock::now() >= end) {
            machine->idle_timeout();
            break;
        }
        const Incoming in = t->receive_any(end);
        if (!in.wire.empty()) {
            machine->receive(in.wire);
        }
        if (in.kind == Incoming::Kind::closed || in.kind == Incoming::Kind::reset ||
            in.kind == Incoming::Kind::framing_error || in.kind == Incoming::Kind::limit) {
            if (machine->next_action() != Action::closed && !machine->authenticated()) {
                machine->peer_closed();
            }
            break;
        }
        ok = flush();
    }
    a.latency_ms = since_ms(t0);
    const bool authenticated = machine->authenticated();
    if (o.mode == LoadMode::honest) {
        a.ok = authenticated;
    } else {
        a.ok = !authenticated;  // a wrong credential must be refused
        if (authenticated) {
            a.reason = "accepted a wrong credential";
        }
    }
    if (!a.ok && a.reason.empty()) {
        const auto c = machine->closure();
        a.reason = !c ? "no outcome" : c->by_peer ? "target closed" : std::string(to_string(c->failure.code));
    } else if (a.ok && o.mode == LoadMode::wrong_credential) {
        const auto c = machine->closure();
        a.reason = !c ? "refused" : c->by_peer ? "target closed" : std::string(to_string(c->failure.code));
    }
    t->close();
    return a;
}

double percentile(std::vector<double>& v, double p) {
    if (v.empty()) {
        return 0;
    }
    const auto k = static_cast<std::size_t>(std::ceil(p * static_cast<double>(v.size()))) - 1;
    std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(std::min(k, v.size() - 1)), v.end());
    return v[std::min(k, v.size() - 1)];
}

}  // namespace

LoadResult run_load(const TransportFactory& transport, const InitiatorFactory& make, const LoadOptions& options) {
    LoadOptions o = options;
    o.concurrency = std::clamp<std::size_t>(o.concurrency, 1, LoadOptions::kMaxConcurrency);
    std::mutex mutex;
    std::vector<double> latencies;
    std::map<std::string, std::size_t> failures;
    std::map<std::string, std::size_t> outcomes;
    std::size_t done = 0;
    std::size_t completed = 0;
    double held_total = 0;
    std::atomic<std::size_t> started{0};
    std::atomic<bool> stop{false};
    const auto cpu0 = o.target_pid ? process_cpu_ms(*o.target_pid) : std::nullopt;
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
                const Attempt a = attempt(transport, make, o, stop);
                std::lock_guard<std::mutex> lock(mutex);
                ++done;
                if (latencies.size() < LoadOptions::kMaxLatencies) {
                    latencies.push_back(a.latency_ms);
                }
                held_total += a.held_ms;
                if (a.ok) {
                    ++completed;
                    if (!a.reason.empty()) {
                        ++outcomes[a.reason];
                    }
                } else {
                    ++failures[a.reason];
                }
            }
        });
    }
    std::size_t last = 0;
    while (true) {
        std::this_thread::sleep_for(Millis(200));
        std::size_t now_done = 0;
        std::size_t now_completed = 0;
        {
            std::lock_guard<std::mutex> lock(mutex);
            now_done = done;
            now_completed = completed;
        }
        const bool finished = SteadyClock::now() >= end || (o.attempts > 0 && now_done >= o.attempts);
        const double secs = since_ms(t0) / 1000.0;
        if (o.progress && (static_cast<std::size_t>(secs) != last || finished)) {
            last = static_cast<std::size_t>(secs);
            std::ostringstream line;
            line.precision(1);
            line << std::fixed << secs << " s  attempts " << now_done << "  ok " << now_completed << "  failed "
                 << now_done - now_completed << "  " << (secs > 0 ? static_cast<double>(now_done) / secs : 0.0)
                 << "/s";
            o.progress(line.str());
        }
        if (finished) {
            break;
        }
    }
    stop.store(true);
    for (auto& w : workers) {
        w.join();
    }
    LoadResult r;
    r.mode = std::string(to_string(o.mode));
    r.concurrency = o.concurrency;
    r.elapsed_ms = static_cast<std::uint64_t>(since_ms(t0));
    r.attempts = done;
    r.completed = completed;
    r.failures = failures;
    for (const auto& [why, n] : outcomes) {
        r.failures["(ok) " + why] = n;
    }
    r.per_second = r.elapsed_ms > 0 ? static_cast<double>(completed) * 1000.0 / static_cast<double>(r.elapsed_ms) : 0;
    r.p50_ms = percentile(latencies, 0.50);
    r.p90_ms = percentile(latencies, 0.90);
    r.p99_ms = percentile(latencies, 0.99);
    r.max_ms = latencies.empty() ? 0 : *std::max_element(latencies.begin(), latencies.end());
    r.held_ms_mean = done > 0 ? held_total / static_cast<double>(done) : 0;
    if (cpu0) {
        if (const auto cpu1 = process_cpu_ms(*o.target_pid)) {
            r.target_cpu_ms = *cpu1 - *cpu0;
            r.target_cpu_ms_per_attempt = done > 0 ? *r.target_cpu_ms / static_cast<double>(done) : 0;
        }
    }
    return r;
}

std::string to_json(const LoadResult& r) {
    nlohmann::ordered_json j;
    j["mode"] = r.mode;
    j["concurrency"] = r.concurrency;
    j["elapsed_ms"] = r.elapsed_ms;
    j["attempts"] = r.attempts;
    j["completed"] = r.completed;
    j["per_second"] = r.per_second;
    j["latency_ms"] = {{"p50", r.p50_ms}, {"p90", r.p90_ms}, {"p99", r.p99_ms}, {"max", r.max_ms}};
    j["outcomes"] = r.failures;
    if (r.target_cpu_ms) {
        j["target_cpu_ms"] = *r.target_cpu_ms;
        j["target_cpu_ms_per_attempt"] = *r.target_cpu_ms_per_attempt;
    }
    if (r.mode == "half-open") {
        j["held_ms_mean"] = r.held_ms_mean;
    }
    return j.dump(2) + "\n";
}

std::string to_text(const LoadResult& r) {
    std::ostringstream s;
    s.precision(2);
    s << std::fixed;
    s << "mode " << r.mode << ", concurrency " << r.concurrency << ", " << r.elapsed_ms << " ms\n";
    s << "attempts " << r.attempts << ", " << (r.mode == "honest" ? "handshakes completed " : "as expected ")
      << r.completed << " (" << r.per_second << "/s)\n";
    s << "latency ms: p50 " << r.p50_ms << "  p90 " << r.p90_ms << "  p99 " << r.p99_ms << "  max " << r.max_ms
      << "\n";
    if (r.mode == "half-open") {
        s << "target held a stalled connection for " << r.held_ms_mean << " ms on average\n";
    }
    if (r.target_cpu_ms) {
        s << "target CPU: " << *r.target_cpu_ms << " ms in all, " << *r.target_cpu_ms_per_attempt
          << " ms per attempt\n";
    }
    for (const auto& [why, n] : r.failures) {
        s << "  " << n << "  " << why << "\n";
    }
    return s.str();
}

}  // namespace shakedown::conformance
