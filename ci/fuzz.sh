#!/usr/bin/env bash
# Builds the libFuzzer targets (CMake preset 'fuzz': clang-14, ASan + UBSan) and runs each one for
# FUZZ_SECONDS, starting from a scratch copy of its committed seed corpus. Prints executions per
# second per target and exits non-zero on any finding; crashing inputs are saved under
# fuzz/findings/<target>/. The negative control is run last and must produce a finding.
#
# usage: ci/fuzz.sh [--merge] [--no-build] [TARGET...]
#   --merge     afterwards, merge inputs that add coverage into fuzz/corpus/<target> (otherwise the
#               committed corpus is never modified)
#   --no-build  use the binaries already in build/fuzz
#   TARGET      stellar_frame, stellar_initiator, ... (default: all)
# environment:
#   FUZZ_SECONDS (60)   time per target        FUZZ_JOBS (1)        targets run at once
#   FUZZ_MAX_LEN (8192) libFuzzer -max_len     FUZZ_TIMEOUT (25)    seconds per input
#   FUZZ_NEGATIVE_SECONDS (min(FUZZ_SECONDS, 120))  time the negative control has to find its bug
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

all_targets=(stellar_frame stellar_authenticated_message stellar_stellar_message stellar_hello stellar_auth
  stellar_auth_cert stellar_error stellar_initiator stellar_acceptor)
negative_target=stellar_negative_control

merge=0
build=1
targets=()
for arg in "$@"; do
  case "$arg" in
    --merge) merge=1 ;;
    --no-build) build=0 ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $arg" >&2; exit 2 ;;
    *) targets+=("$arg") ;;
  esac
done
run_negative=1
if ((${#targets[@]} == 0)); then
  targets=("${all_targets[@]}")
else
  # Named explicitly, the negative control runs only if it is named.
  run_negative=0
  filtered=()
  for t in "${targets[@]}"; do
    if [[ "$t" == "$negative_target" ]]; then
      run_negative=1
    else
      filtered+=("$t")
    fi
  done
  targets=("${filtered[@]+"${filtered[@]}"}")
fi

seconds=${FUZZ_SECONDS:-60}
jobs=${FUZZ_JOBS:-1}
max_len=${FUZZ_MAX_LEN:-8192}
timeout=${FUZZ_TIMEOUT:-25}
negative_seconds=${FUZZ_NEGATIVE_SECONDS:-$((seconds < 120 ? seconds : 120))}
build_dir="$root/build/fuzz"
bin_dir="$build_dir/fuzz"
dict="$root/fuzz/dict/stellar.dict"
findings="$root/fuzz/findings"
logs="$build_dir/fuzz-logs"

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

if ((build)); then
  cmake --preset fuzz >/dev/null
  build_targets=()
  for t in "${targets[@]+"${targets[@]}"}"; do build_targets+=("fuzz_$t"); done
  ((run_negative)) && build_targets+=("fuzz_$negative_target")
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
  local bin="$bin_dir/fuzz_$t"
  local corpus="$scratch/$t/corpus"
  local artifacts="$findings/$t"
  ((expect_finding)) && artifacts="$scratch/$t/artifacts"
  mkdir -p "$corpus" "$artifacts"
  if [[ -d "$root/fuzz/corpus/$t" ]]; then
    cp -a "$root/fuzz/corpus/$t/." "$corpus/"
  fi
  local log="$logs/$t.log"
  local rc=0
  "$bin" -max_total_time="$secs" -dict="$dict" -print_final_stats=1 -max_len="$max_len" \
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
if ((run_negative)); then
  run_target "$negative_target" "$negative_seconds" 1
fi

failed=0
printf '\n%-32s %12s %9s %9s %7s  %s\n' target executions exec/s new_units cov result
for t in "${targets[@]+"${targets[@]}"}" $( ((run_negative)) && echo "$negative_target"); do
  if [[ ! -f "$scratch/$t.result" ]]; then
    printf '%-32s %s\n' "$t" "did not run"
    failed=1
    continue
  fi
  read -r name execs rate units cov status <"$scratch/$t.result"
  printf '%-32s %12s %9s %9s %7s  %s\n' "$name" "$execs" "$rate" "$units" "$cov" "$status"
  [[ "$status" == ok || "$status" == caught ]] || failed=1
done
if ((failed)); then
  echo "fuzz.sh: findings or failures above; crashing inputs are in fuzz/findings/, logs in $logs" >&2
  exit 1
fi
