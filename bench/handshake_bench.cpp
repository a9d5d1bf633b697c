// Every registered variant's handshake benchmark cases (registry BenchCase): the handshake, both
// roles in memory, against the sum of the primitive operations it performs, measured in the same
// run. Prints one ratio per case; no timing is asserted. A case whose handshake runs over a
// connection that needs its own set-up (TLS, say) also prints that set-up's share of the whole.
//   handshake_bench [--benchmark_filter=stellar] [google-benchmark flags]
#include <benchmark/benchmark.h>

#include <iomanip>
#include <iostream>
#include <map>

#include "conformance/registry/variant.hpp"

namespace {

class RatioReporter final : public benchmark::ConsoleReporter {
public:
    RatioReporter() : ConsoleReporter(OO_Tabular) {}
    void ReportRuns(const std::vector<Run>& runs) override {
        // With repetitions, the mean aggregate stands for the benchmark; otherwise the single run.
        for (const auto& r : runs) {
            if (r.error_occurred) {
                continue;
            }
            if (r.run_type == Run::RT_Aggregate && r.aggregate_name == "mean") {
                m_ns[r.run_name.function_name] = r.GetAdjustedRealTime();
            } else if (r.run_type == Run::RT_Iteration && m_ns.count(r.run_name.function_name) == 0) {
                m_ns[r.run_name.function_name] = r.GetAdjustedRealTime();
            }
        }
        ConsoleReporter::ReportRuns(runs);
    }
    [[nodiscard]] double get(const std::string& name) const {
        auto it = m_ns.find(name);
        return it == m_ns.end() ? 0.0 : it->second;
    }

private:
    std::map<std::string, double> m_ns;
};

}  // namespace

int main(int argc, char** argv) {
    std::vector<shakedown::registry::BenchCase> cases;
    for (const auto* v : shakedown::registry::variants()) {
        cases.insert(cases.end(), v->bench.begin(), v->bench.end());
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
    benchmark::Shutdown();
    return 0;
}
