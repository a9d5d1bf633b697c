#!/usr/bin/env bash
# The test command. Installs whatever is missing, then builds and runs every test twice: in the
# default build and in the AddressSanitizer + UndefinedBehaviorSanitizer build.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/install-deps.sh
jobs=$(nproc)
for preset in default asan; do
  echo "== $preset: configure and build"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j"$jobs"
  echo "== $preset: tests"
  ctest --preset "$preset" -j"$jobs" --timeout 900
done
