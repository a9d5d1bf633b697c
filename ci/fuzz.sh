#!/usr/bin/env bash
# Builds the libFuzzer targets (CMake preset 'fuzz': clang-14, ASan + UBSan) and runs each one for
# FUZZ_SECONDS, starting from a scratch copy of its committed seed corpus. Prints executions per
# second per target and exits non-zero on any finding; crashing inputs are saved under
# fuzz/findings/<target>/. Negative controls (targets named *negative*) run last, must produce a finding, and report
# their time to find it.
#
# usage: ci/fuzz.sh [--merge] [--no-build] [--variant V] [TARGET...]
#   --merge       afterwards, merge inputs that add coverage into fuzz/corpus/<target> (otherwise
#                 the committed corpus is never modified)
#   --no-build    use the binaries already in build/fuzz
#   --variant V   only that variant's targets
#   TARGET        a target the build lists (build/fuzz/fuzz_targets.txt; default: all of them)
# environment:
#   FUZZ_SECONDS (60)   time per target        FUZZ_JOBS (1)        targets run at once
#   FUZZ_MAX_LEN (8192) libFuzzer -max_len     FUZZ_TIMEOUT (25)    seconds per input
#   FUZZ_NEGATIVE_SECONDS (min(FUZZ_SECONDS, 120))  time the negative control has to find its bug
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

merge=0
build=1
variant=
targets=()
while (($#)); do
  case "$1" in
    --merge) merge=1 ;;
    --no-build) build=0 ;;
    --variant) variant=${2:?--variant needs a name}; shift ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1") ;;
  esac
  shift
done

seconds=${FUZZ_SECONDS:-60}
jobs=${FUZZ_JOBS:-1}
max_len=${FUZZ_MAX_LEN:-8192}
timeout=${FUZZ_TIMEOUT:-25}
negative_seconds=${FUZZ_NEGATIVE_SECONDS:-$((seconds < 120 ? seconds : 120))}
build_dir="$root/build/fuzz"
bin_dir="$build_dir/fuzz"
findings="$root/fuzz/findings"
logs="$build_dir/fuzz-logs"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# Every target of every registered variant, as the build lists them (fuzz/CMakeLists.txt).
cmake --preset fuzz >/dev/null
mapfile -t registered < <(grep -v '^$' "$build_dir/fuzz_targets.txt")
chosen=()
if ((${#targets[@]})); then
  for t in "${targets[@]}"; do
    printf '%s\n' "${registered[@]}" | grep -qx "$t" || { echo "fuzz.sh: no target named $t" >&2; exit 2; }
  done
  chosen=("${targets[@]}")
else
  for t in "${registered[@]}"; do
    [[ -z "$variant" || "$t" == "${variant}_"* ]] && chosen+=("$t")
  done
fi
# Negative controls (a planted bug the harness must find) run after the real targets.
targets=()
negatives=()
for t in "${chosen[@]+"${chosen[@]}"}"; do
  if [[ "$t" == *negative* ]]; then negatives+=("$t"); else targets+=("$t"); fi
done
((${#targets[@]} + ${#negatives[@]})) || { echo "fuzz.sh: no targets selected" >&2; exit 2; }

if ((build)); then
  build_targets=()
  for t in "${targets[@]+"${targets[@]}"}" "${negatives[@]+"${negatives[@]}"}"; do build_targets+=("fuzz_$t"); done
  cmake --build "$build_dir" -j"$(nproc)" --target "${build_targets[@]}"
fi

scratch=$(mktemp -d "${TMPDIR:-/tmp}/shakedown-fuzz.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$logs"

# The value of one libFuzzer final statistic (-print_final_stats=1) from a log, or "?".
stat() {
  local v
  v=$(grep -a "^stat::$2:" "$1" | tail -n1 | awk '{print $2}' || true)
  echo "${v:-?}"
}

# Runs one target; writes "target execs exec/s new_units cov status" to $scratch/<target>.result.
run_target() {
  local t=$1 secs=$2 expect_finding=$3
  local bin
  bin=$(find "$bin_dir" -name "fuzz_$t" -type f -perm -u+x | head -n1)
  local dict="$root/fuzz/${t%%_*}/${t%%_*}.dict"
  local dict_arg=()
  [[ -f "$dict" ]] && dict_arg=(-dict="$dict")
  local corpus="$scratch/$t/corpus"
  local artifacts="$findings/$t"
  ((expect_finding)) && artifacts="$scratch/$t/artifacts"
  mkdir -p "$corpus" "$artifacts"
  if [[ -d "$root/fuzz/corpus/$t" ]]; then
    cp -a "$root/fuzz/corpus/$t/." "$corpus/"
  fi
  local log="$logs/$t.log"
  local rc=0
  "$bin" -max_total_time="$secs" "${dict_arg[@]}" -print_final_stats=1 -max_len="$max_len" \
    -timeout="$timeout" -artifact_prefix="$artifacts/" "$corpus" >"$log" 2>&1 || rc=$?
  local cov
  cov=$(grep -aoE 'cov: [0-9]+' "$log" | tail -n1 | awk '{print $2}' || true)
  local status
  if ((expect_finding)); then
    if ((rc != 0)) && compgen -G "$artifacts/*" >/dev/null; then
      status="caught"
    else
      status="NOT-CAUGHT"
    fi
  elif ((rc == 0)); then
    status="ok"
    if ((merge)); then
      "$bin" -merge=1 -max_len="$max_len" "$root/fuzz/corpus/$t" "$corpus" >>"$log" 2>&1 || status="MERGE-FAILED"
    fi
  else
    status="FINDING(rc=$rc)"
    # A sanitizer abort may leave no artifact only if the process died hard; say so.
    compgen -G "$artifacts/*" >/dev/null || status="FAILED(rc=$rc,no-artifact)"
  fi
  # Leave no empty findings directory behind a clean run.
  rmdir "$artifacts" 2>/dev/null || true
  echo "$t $(stat "$log" number_of_executed_units) $(stat "$log" average_exec_per_sec)" \
    "$(stat "$log" new_units_added) ${cov:-?} $status" >"$scratch/$t.result"
}

echo "fuzzing ${#targets[@]} target(s) for ${seconds}s each, ${jobs} at a time (logs: $logs)"
running=0
for t in "${targets[@]+"${targets[@]}"}"; do
  if ((running >= jobs)); then
    wait -n || true
    running=$((running - 1))
  fi
  run_target "$t" "$seconds" 0 &
  running=$((running + 1))
done
wait || true
for t in "${negatives[@]+"${negatives[@]}"}"; do
  start=$(date +%s)
  run_target "$t" "$negative_seconds" 1
  echo "$(( $(date +%s) - start ))" >"$scratch/$t.seconds"
done

failed=0
printf '\n%-32s %12s %9s %9s %7s  %s\n' target executions exec/s new_units cov result
for t in "${targets[@]+"${targets[@]}"}" "${negatives[@]+"${negatives[@]}"}"; do
  if [[ ! -f "$scratch/$t.result" ]]; then
    printf '%-32s %s\n' "$t" "did not run"
    failed=1
    continue
  fi
  read -r name execs rate units cov status <"$scratch/$t.result"
  extra=
  [[ -f "$scratch/$t.seconds" ]] && extra=" (time to find: $(cat "$scratch/$t.seconds") s)"
  printf '%-32s %12s %9s %9s %7s  %s%s\n' "$name" "$execs" "$rate" "$units" "$cov" "$status" "$extra"
  [[ "$status" == ok || "$status" == caught ]] || failed=1
done
if ((failed)); then
  echo "fuzz.sh: findings or failures above; crashing inputs are in fuzz/findings/, logs in $logs" >&2
  exit 1
fi
