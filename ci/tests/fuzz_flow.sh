#!/usr/bin/env bash
# Proves the crash-to-regression path of ci/fuzz.sh on a negative control (a target with a planted
# bug): fuzzing finds it, the finding is minimised and stored under a scratch regressions folder,
# the printed reproduce command is run exactly as printed, and the target's binary fails on the
# stored file with the planted invariant's message.
#
# usage: ci/tests/fuzz_flow.sh BUILD_DIR TARGET MESSAGE_REGEX   (BUILD_DIR: a SHAKEDOWN_FUZZ build)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build_dir=${1:?build dir}
target=${2:?target}
message=${3:?message regex}

scratch=$(mktemp -d "${TMPDIR:-/tmp}/shakedown-fuzz-flow.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
fail() { echo "fuzz_flow: $*" >&2; exit 1; }

out="$scratch/fuzz.out"
FUZZ_NEGATIVE_SECONDS=${FUZZ_NEGATIVE_SECONDS:-60} FUZZ_MINIMIZE_SECONDS=${FUZZ_MINIMIZE_SECONDS:-10} FUZZ_BASELINE_SECONDS=0 \
  "$root/ci/fuzz.sh" --no-build --build-dir "$build_dir" --regressions "$scratch/regressions" \
  --target "$target" >"$out" 2>&1 || { cat "$out"; fail "fuzz.sh failed"; }
cat "$out"
grep -Eq "^$target .* caught" "$out" || fail "the negative control was not caught"

mapfile -t stored < <(find "$scratch/regressions/$target" -type f -name 'crash-*' 2>/dev/null)
((${#stored[@]})) || fail "no regression file under $scratch/regressions/$target"
[[ -z "$(find "$root/fuzz/regressions" -path "*/$target/*" -newer "$out" 2>/dev/null)" ]] ||
  fail "a negative control's finding was written into fuzz/regressions"

# The line after "reproduce with:" is the command; run it as printed, from the repository root.
command=$(grep -A1 'reproduce with:' "$out" | sed -n 2p)
[[ -n "$command" ]] || fail "no reproduce command printed"
log="$scratch/replay.log"
if (cd "$root" && eval "$command") >"$log" 2>&1; then
  cat "$log"; fail "the reproduce command passed: $command"
fi
grep -Eq "$message" "$log" || { cat "$log"; fail "the replay failed, but not with /$message/"; }

# The replay test's own form (libFuzzer -runs=0 over the regressions folder) fails the same way.
bin=$(find "$build_dir/fuzz" -name "fuzz_$target" -type f -perm -u+x | head -n1)
if "$bin" -runs=0 "$scratch/regressions/$target" >"$log" 2>&1; then
  cat "$log"; fail "replaying the regressions folder passed"
fi
grep -Eq "$message" "$log" || { cat "$log"; fail "the folder replay failed, but not with /$message/"; }
echo "fuzz_flow: $target: found, minimised to $(stat -c %s "${stored[0]}") bytes, stored, replay fails with /$message/"
