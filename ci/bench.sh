#!/usr/bin/env bash
# Benchmarks, not part of the tests:
# - handshake_bench: each variant's handshake against the sum of its primitives, in the same run
#   (ratio), and each throughput case (SFT's record layer) against the bare primitive (MB/s, ratio);
# - conformance_bench: the whole Stellar catalogue against the reference peer over loopback (scenarios/s).
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/install-deps.sh
cmake --preset default >/dev/null
cmake --build --preset default -j"$(nproc)" --target handshake_bench conformance_bench
# Ten repetitions of each, in random order (a slow stretch of the machine falls on both sides of a
# ratio alike); each ratio is taken between medians, and again paired (alternating batches, the
# median of the pairs' ratios: the figure the goal is read against).
./build/default/bench/handshake_bench --benchmark_repetitions=10 --benchmark_enable_random_interleaving=true \
  --benchmark_report_aggregates_only=true
./build/default/conformance/conformance_bench --rounds 5
