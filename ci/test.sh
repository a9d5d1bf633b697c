#!/usr/bin/env bash
# The test command. Installs whatever is missing, then builds and runs every test twice: in the
# default build and in the AddressSanitizer + UndefinedBehaviorSanitizer build.
set -euo pipefail
cd "$(dirname "$0")/.."
bash ci/install-deps.sh
jobs=$(nproc)
# ccache (when installed) keys on paths relative to the checkout, and not on the checkout's own
# folder (which debug information would otherwise add), so a clone anywhere reuses the cache.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
for preset in default asan; do
  start=$SECONDS
  echo "== $preset: configure and build"
  cmake --preset "$preset" >/dev/null
  cmake --build --preset "$preset" -j"$jobs"
  built=$SECONDS
  echo "== $preset: tests (built in $((built - start)) s)"
  ctest --preset "$preset" -j"$jobs" --timeout 900
  echo "== $preset: tests ran in $((SECONDS - built)) s"
done
