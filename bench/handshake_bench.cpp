// One complete Stellar handshake (both roles, in memory) against the sum of the primitive
// operations it performs, measured in the same run. Prints the ratio; no timing is asserted.
#include <benchmark/benchmark.h>

#include <iostream>
#include <map>

#include "common/crypto.hpp"
#include "stellar/handshake.hpp"

namespace {

using namespace shakedown;
using namespace shakedown::stellar;

constexpr std::uint64_t kNow = 1767225600;

HandshakeConfig config(Role role, std::uint8_t tag) {
    HandshakeConfig c;
    c.role = role;
    c.node_seed.fill(tag);
    return c;
}

void BM_Handshake(benchmark::State& state) {
    const FixedClock clock(kNow);
    const HandshakeConfig ci = config(Role::initiator, 1);
    const HandshakeConfig ca = config(Role::acceptor, 2);
    for (auto _ : state) {
        ScriptedRng ri(Bytes(64, 3));
        ScriptedRng ra(Bytes(64, 4));
        Handshake a(ci, ri, clock);
        Handshake b(ca, ra, clock);
        a.start();
        while (a.next_action() == Action::send || b.next_action() == Action::send) {
            b.receive(a.take_output());
            a.receive(b.take_output());
        }
        if (!a.authenticated() || !b.authenticated()) {
            state.SkipWithError("handshake did not complete");
            return;
        }
        benchmark::DoNotOptimize(a.keys());
    }
}
BENCHMARK(BM_Handshake);

// Exactly the primitive calls of one handshake, both roles: per side a node key pair from its
// seed, the networkID hash, an X25519 public key, a cert signature (hash + sign), the remote
// cert's verification (hash + verify), one X25519, the shared key HMAC and two MAC-key HMACs;
// and the 5 MACs sent and 5 verified across both sides (AUTH x2, PEERS, SEND_MORE_EXTENDED x2).
void BM_PrimitiveSum(benchmark::State& state) {
    ByteArray<32> seed_a{};
    seed_a.fill(1);
    ByteArray<32> seed_b{};
    seed_b.fill(2);
    Secret<32> x_a(ByteArray<32>{3});
    Secret<32> x_b(ByteArray<32>{4});
    const ByteArray<32> zero{};
    const Bytes cert_payload(76, 5);
    const Bytes mac_input(8 + 8, 6);
    for (auto _ : state) {
        for (int side = 0; side < 2; ++side) {
            const auto node = crypto::ed25519_from_seed(side == 0 ? seed_a : seed_b);
            benchmark::DoNotOptimize(crypto::sha256(as_bytes(kTestNetworkPassphrase)));
            const auto pub = crypto::x25519_public(side == 0 ? x_a : x_b);
            const auto hash = crypto::sha256(cert_payload);
            const auto sig = crypto::ed25519_sign(node, hash);
            const auto verify_hash = crypto::sha256(cert_payload);
            benchmark::DoNotOptimize(crypto::ed25519_verify(node.public_key, verify_hash, sig));
            auto shared = crypto::x25519(side == 0 ? x_a : x_b, pub);
            const auto k = crypto::hmac_sha256(zero, {shared->view(), pub, pub});
            benchmark::DoNotOptimize(crypto::hmac_sha256(k, {ByteView(zero), ByteView(pub)}));
            benchmark::DoNotOptimize(crypto::hmac_sha256(k, {ByteView(zero), ByteView(pub)}));
        }
        for (int m = 0; m < 10; ++m) {
            benchmark::DoNotOptimize(crypto::hmac_sha256(zero, mac_input));
        }
    }
}
BENCHMARK(BM_PrimitiveSum);

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
    benchmark::Initialize(&argc, argv);
    RatioReporter reporter;
    benchmark::RunSpecifiedBenchmarks(&reporter);
    const double hs = reporter.get("BM_Handshake");
    const double prim = reporter.get("BM_PrimitiveSum");
    if (hs > 0 && prim > 0) {
        std::cout << "handshake / primitive sum = " << hs / prim << " (goal <= 1.10)\n";
    }
    benchmark::Shutdown();
    return 0;
}
