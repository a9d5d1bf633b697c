// Every registered variant's handshake benchmark cases (registry BenchCase): the handshake, both
// roles in memory, against the sum of the primitive operations it performs, measured in the same
// run. Prints one ratio per case; no timing is asserted. A case whose handshake runs over a
// connection that needs its own set-up (TLS, say) also prints that set-up's share of the whole.
// Every registered throughput case (registry ThroughputCase): a variant's layer (a record layer's
// seal and open) against the bare primitive it is built on, in the same sizes and the same run;
// prints both in MB/s (10^6 bytes per second) and their ratio.
// Each handshake ratio is also measured paired: the handshake and its primitives alternate in
// batches of a few milliseconds, so that whatever slows the machine for a while (a neighbouring
// process, a frequency change) falls on both sides of every pair alike; the paired ratio is the
// median of the pairs' ratios, and is the one the goal is read against.
//   handshake_bench [--benchmark_filter=stellar] [--paired_seconds=S (3; 0: skip)] [google-benchmark flags]
// With --calls=N it times nothing: each selected case runs its handshake N times in
// count_handshakes() and its primitives N times in count_primitives() (after one call of each, so
// that one-time set-up stays outside), for an instruction count of both under callgrind:
//   valgrind --tool=callgrind handshake_bench --calls=2000 --benchmark_filter=stt
//   callgrind_annotate --inclusive=yes callgrind.out.<pid> | grep count_
#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <iomanip>
#include <iostream>
#include <map>
#include <regex>
#include <string>
#include <utility>
#include <vector>

#include "conformance/registry/variant.hpp"

namespace {

class RatioReporter final : public benchmark::ConsoleReporter {
public:
    RatioReporter() : ConsoleReporter(OO_Tabular) {}
    void ReportRuns(const std::vector<Run>& runs) override {
        // With repetitions, the median aggregate stands for the benchmark (a repetition that a
        // neighbouring process slowed moves a mean, not a median); otherwise the single run.
        for (const auto& r : runs) {
            if (r.error_occurred) {
                continue;
            }
            if (r.run_type == Run::RT_Aggregate && r.aggregate_name == "median") {
                m_ns[r.run_name.function_name] = r.GetAdjustedRealTime();
                m_cpu_ns[r.run_name.function_name] = r.GetAdjustedCPUTime();
            } else if (r.run_type == Run::RT_Iteration && m_ns.count(r.run_name.function_name) == 0) {
                m_ns[r.run_name.function_name] = r.GetAdjustedRealTime();
                m_cpu_ns[r.run_name.function_name] = r.GetAdjustedCPUTime();
            }
        }
        ConsoleReporter::ReportRuns(runs);
    }
    [[nodiscard]] double get(const std::string& name) const { return find(m_ns, name); }
    [[nodiscard]] double get_cpu(const std::string& name) const { return find(m_cpu_ns, name); }

private:
    static double find(const std::map<std::string, double>& m, const std::string& name) {
        auto it = m.find(name);
        return it == m.end() ? 0.0 : it->second;
    }
    std::map<std::string, double> m_ns;      // wall time
    std::map<std::string, double> m_cpu_ns;  // CPU time of the benchmark's thread
};

struct Paired {
    double ratio = 0;     // median of the pairs' ratios
    double low = 0;       // first and third quartile of the pairs' ratios
    double high = 0;
    double handshake_ns = 0;  // per call, over every pair
    double primitives_ns = 0;
    std::size_t pairs = 0;
};

double time_batch(const std::function<void()>& f, std::size_t n) {
    const auto t0 = std::chrono::steady_clock::now();
    for (std::size_t i = 0; i < n; ++i) {
        f();
    }
    return std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - t0).count();
}

// Batches of n calls each (n sized for about 2 ms of handshakes), alternating which side goes
// first, for `seconds` and at least 21 pairs.
Paired measure_paired(const std::function<void()>& handshake, const std::function<void()>& primitives,
                      double seconds) {
    handshake();
    primitives();
    std::size_t n = 1;
    while (n < (std::size_t{1} << 20) && time_batch(handshake, n) < 2e6) {
        n *= 2;
    }
    Paired p;
    std::vector<double> ratios;
    double hs_total = 0;
    double prim_total = 0;
    const auto start = std::chrono::steady_clock::now();
    const auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
    for (std::size_t k = 0; k < 21 || elapsed() < seconds; ++k) {
        double hs = 0;
        double prim = 0;
        if (k % 2 == 0) {
            hs = time_batch(handshake, n);
            prim = time_batch(primitives, n);
        } else {
            prim = time_batch(primitives, n);
            hs = time_batch(handshake, n);
        }
        ratios.push_back(hs / prim);
        hs_total += hs;
        prim_total += prim;
    }
    std::sort(ratios.begin(), ratios.end());
    p.pairs = ratios.size();
    p.ratio = ratios[ratios.size() / 2];
    p.low = ratios[ratios.size() / 4];
    p.high = ratios[(ratios.size() * 3) / 4];
    p.handshake_ns = hs_total / static_cast<double>(p.pairs * n);
    p.primitives_ns = prim_total / static_cast<double>(p.pairs * n);
    return p;
}

// N calls of one side of a case, in functions of their own so that an instruction profile shows
// each side's total apart.
[[gnu::noinline]] void count_handshakes(const std::function<void()>& f, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) {
        f();
    }
}
// (Counting down: a body of its own, which the compiler cannot fold into count_handshakes.)
[[gnu::noinline]] void count_primitives(const std::function<void()>& f, std::size_t n) {
    for (std::size_t i = n; i > 0; --i) {
        f();
    }
}

// --paired_seconds=S and --calls=N, taken out of the arguments google-benchmark sees; and its
// filter, if any.
double take_paired_seconds(int& argc, char** argv, std::string& filter, std::size_t& calls) {
    double seconds = 3;
    int out = 1;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        if (a.rfind("--calls=", 0) == 0) {
            char* end = nullptr;
            const unsigned long long n = std::strtoull(a.c_str() + 8, &end, 10);
            if (end == a.c_str() + 8 || *end != '\0' || n == 0 || n > 10'000'000) {
                std::cerr << "handshake_bench: --calls takes a number of calls from 1 to 10000000\n";
                std::exit(2);
            }
            calls = static_cast<std::size_t>(n);
            continue;
        }
        if (a.rfind("--paired_seconds=", 0) == 0) {
            char* end = nullptr;
            seconds = std::strtod(a.c_str() + 17, &end);
            if (end == a.c_str() + 17 || *end != '\0' || seconds < 0 || seconds > 600) {
                std::cerr << "handshake_bench: --paired_seconds takes a number of seconds from 0 to 600\n";
                std::exit(2);
            }
            continue;
        }
        if (a.rfind("--benchmark_filter=", 0) == 0) {
            filter = a.substr(19);
        }
        argv[out++] = argv[i];
    }
    argc = out;
    return seconds;
}

}  // namespace

int main(int argc, char** argv) {
    std::string filter;
    std::size_t calls = 0;
    const double paired_seconds = take_paired_seconds(argc, argv, filter, calls);
    std::regex selected;
    try {
        selected = std::regex(filter.empty() ? "." : filter);
    } catch (const std::regex_error& e) {
        std::cerr << "handshake_bench: --benchmark_filter is not a regular expression: " << e.what() << "\n";
        return 2;
    }
    std::vector<shakedown::registry::BenchCase> cases;
    std::vector<shakedown::registry::ThroughputCase> throughput;
    for (const auto* v : shakedown::registry::variants()) {
        cases.insert(cases.end(), v->bench.begin(), v->bench.end());
        throughput.insert(throughput.end(), v->throughput.begin(), v->throughput.end());
    }
    if (calls > 0) {
        for (const auto& c : cases) {
            if (std::regex_search(c.name + "/handshake", selected) || std::regex_search(c.name + "/primitive_sum", selected)) {
                c.handshake();
                c.primitives();
                count_handshakes(c.handshake, calls);
                count_primitives(c.primitives, calls);
                std::cout << c.name << ": " << calls << " handshakes and " << calls << " primitive sums\n";
            }
        }
        return 0;
    }
    for (const auto& c : cases) {
        benchmark::RegisterBenchmark((c.name + "/handshake").c_str(), [f = c.handshake](benchmark::State& s) {
            for (auto _ : s) {
                f();
            }
        });
        benchmark::RegisterBenchmark((c.name + "/primitive_sum").c_str(), [f = c.primitives](benchmark::State& s) {
            for (auto _ : s) {
                f();
            }
        });
        if (c.connection) {
            // Wall time: the set-up spans two threads (the listener's handshake workers).
            benchmark::RegisterBenchmark((c.name + "/connection").c_str(), [f = c.connection](benchmark::State& s) {
                for (auto _ : s) {
                    f();
                }
            })->UseRealTime();
        }
    }
    for (const auto& t : throughput) {
        for (const auto& [side, f] : {std::pair{"/layer", t.layer}, std::pair{"/raw", t.raw}}) {
            benchmark::RegisterBenchmark((t.name + side).c_str(), [f = f, n = t.bytes_per_op](benchmark::State& s) {
                for (auto _ : s) {
                    f();
                }
                s.SetBytesProcessed(static_cast<std::int64_t>(s.iterations()) * static_cast<std::int64_t>(n));
            });
        }
    }
    benchmark::Initialize(&argc, argv);
    RatioReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    std::vector<std::pair<std::string, Paired>> paired;
    if (paired_seconds > 0) {
        for (const auto& c : cases) {
            if (std::regex_search(c.name + "/handshake", selected) || std::regex_search(c.name + "/primitive_sum", selected)) {
                paired.emplace_back(c.name, measure_paired(c.handshake, c.primitives, paired_seconds));
            }
        }
    }
    for (const auto& c : cases) {
        const double hs = reporter.get(c.name + "/handshake");
        const double prim = reporter.get(c.name + "/primitive_sum");
        if (hs > 0 && prim > 0) {
            std::cout << std::fixed << std::setprecision(3) << c.name << ": handshake / primitive sum = " << hs / prim
                      << " (separate runs)\n";
        }
        for (const auto& [name, p] : paired) {
            if (name == c.name) {
                std::cout << std::fixed << std::setprecision(3) << c.name << ": handshake / primitive sum = " << p.ratio
                          << " paired (quartiles " << p.low << "-" << p.high << ", " << p.pairs << " pairs; "
                          << std::setprecision(2) << p.handshake_ns / 1000 << " us against " << p.primitives_ns / 1000
                          << " us) (goal <= 1.10)\n";
            }
        }
        const double conn = reporter.get(c.name + "/connection");
        if (hs > 0 && conn > 0) {
            std::cout << std::fixed << std::setprecision(3) << c.name
                      << ": connection set-up / (set-up + handshake) = " << conn / (conn + hs) << std::setprecision(1)
                      << " (set-up " << conn / 1000 << " us, handshake " << hs / 1000 << " us)\n";
        }
    }
    for (const auto& t : throughput) {
        // CPU time, as google-benchmark's own bytes_per_second: one thread of pure computation,
        // not what other processes take of the machine.
        const double layer = reporter.get_cpu(t.name + "/layer");
        const double raw = reporter.get_cpu(t.name + "/raw");
        if (layer > 0 && raw > 0) {
            // bytes per nanosecond * 1000 = 10^6 bytes per second
            const double layer_mbs = static_cast<double>(t.bytes_per_op) * 1000 / layer;
            const double raw_mbs = static_cast<double>(t.bytes_per_op) * 1000 / raw;
            std::cout << std::fixed << std::setprecision(1) << t.name << ": " << layer_mbs << " MB/s against raw "
                      << raw_mbs << " MB/s = " << std::setprecision(3) << layer_mbs / raw_mbs << " (goal >= 0.80)\n";
        }
    }
    benchmark::Shutdown();
    return 0;
}
