// Scenarios per second: the whole Stellar catalogue against the reference peer (in process, both
// roles, loopback TCP), run a few times. The catalogue's goal is under 10 s; most of a round is
// spent in scenarios that wait for the target's 2 s idle timeout, so the figure measures the
// runner's concurrency and deadlines more than its CPU cost, which is printed separately.
//
//   conformance_bench [--rounds N] [--jobs N]
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <iomanip>
#include <iostream>

#include "common/rng.hpp"
#include "conformance/scenarios/stellar/peer.hpp"
#include "conformance/scenarios/stellar/catalogue.hpp"

namespace cf = shakedown::conformance;
namespace sc = shakedown::conformance::stellar_scenarios;

int main(int argc, char** argv) {
    std::size_t rounds = 3;
    std::size_t jobs = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::strcmp(argv[i], "--rounds") == 0) {
            rounds = static_cast<std::size_t>(std::strtoul(argv[i + 1], nullptr, 10));
        } else if (std::strcmp(argv[i], "--jobs") == 0) {
            jobs = static_cast<std::size_t>(std::strtoul(argv[i + 1], nullptr, 10));
        }
    }
    auto env = std::make_shared<sc::Env>();
    const auto catalogue = sc::make_catalogue(env);
    const auto factory = sc::make_transport_factory();
    double best = 1e9;
    double total = 0;
    std::size_t ran = 0;
    bool all_pass = true;
    const std::clock_t cpu_start = std::clock();
    for (std::size_t r = 0; r < rounds; ++r) {
        cf::reference::PeerOptions options;
        shakedown::SystemRng().fill(options.config.node_seed);
        auto peer = std::make_shared<cf::reference::ReferencePeer>(options);
        env->target_peer_id = peer->acceptor_node_id();
        cf::LocalPeerTarget target(factory, peer);
        cf::RunOptions run;
        run.jobs = jobs;
        const auto report = cf::run_catalogue(catalogue, target, factory->name(), run);
        const double s = static_cast<double>(report.duration_ms) / 1000.0;
        best = std::min(best, s);
        total += s;
        ran += report.ran();
        all_pass = all_pass && report.count(cf::Verdict::pass) == report.results.size();
        std::cout << "round " << r + 1 << ": " << report.ran() << " scenarios in " << std::fixed << std::setprecision(3)
                  << s << " s (" << report.jobs << " at a time), " << report.count(cf::Verdict::pass) << " PASS\n";
    }
    const double cpu = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
    std::cout << std::fixed << std::setprecision(1) << "catalogue: " << catalogue.scenarios.size()
              << " scenarios; best round " << std::setprecision(3) << best << " s; " << std::setprecision(1)
              << static_cast<double>(ran) / total << " scenarios/s over " << rounds << " rounds; process CPU "
              << std::setprecision(2) << cpu << " s (" << std::setprecision(2) << cpu * 1000.0 / static_cast<double>(ran)
              << " ms per scenario)\n";
    return all_pass && best < 10.0 ? 0 : 1;
}
