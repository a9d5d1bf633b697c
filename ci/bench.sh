#!/usr/bin/env bash
# Benchmarks: each prints a ratio against a baseline measured in the same run. Not part of the tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/install-deps.sh
cmake --preset default >/dev/null
cmake --build --preset default -j"$(nproc)" --target handshake_bench
./build/default/bench/handshake_bench --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
