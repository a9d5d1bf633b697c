// Every registered variant's handshake benchmark cases (registry BenchCase): the handshake, both
// roles in memory, against the sum of the primitive operations it performs, measured in the same
// run. Prints one ratio per case; no timing is asserted. A case whose handshake runs over a
// connection that needs its own set-up (TLS, say) also prints that set-up's share of the whole.
// Every registered throughput case (registry ThroughputCase): a variant's layer (a record layer's
// seal and open) against the bare primitive it is built on, in the same sizes and the same run;
// prints both in MB/s (10^6 bytes per second) and their ratio.
//   handshake_bench [--benchmark_filter=stellar] [google-benchmark flags]
#include <benchmark/benchmark.h>

#include <cstdint>
#include <iomanip>
#include <iostream>
#include <map>
#include <utility>

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

}  // namespace

int main(int argc, char** argv) {
    std::vector<shakedown::registry::BenchCase> cases;
    std::vector<shakedown::registry::ThroughputCase> throughput;
    for (const auto* v : shakedown::registry::variants()) {
        cases.insert(cases.end(), v->bench.begin(), v->bench.end());
        throughput.insert(throughput.end(), v->throughput.begin(), v->throughput.end());
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
    for (const auto& c : cases) {
        const double hs = reporter.get(c.name + "/handshake");
        const double prim = reporter.get(c.name + "/primitive_sum");
        if (hs > 0 && prim > 0) {
            std::cout << std::fixed << std::setprecision(3) << c.name << ": handshake / primitive sum = " << hs / prim
                      << " (goal <= 1.10)\n";
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
