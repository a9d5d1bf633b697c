#!/usr/bin/env bash
# Builds the libFuzzer targets (CMake preset 'fuzz': clang-14, ASan + UBSan) and runs each one for
# FUZZ_SECONDS, starting from a scratch copy of its committed seed corpus. Negative controls
# (targets named *negative*) run last, must produce a finding, and report their time to find it.
#
# A finding goes from crash to regression: the crashing input is minimised (-minimize_crash=1),
# stored as fuzz/regressions/<target>/crash-<sha1>, replayed once to prove it still fails, and the
# one-line command that reproduces it is printed. The replay tests (fuzz_replay.<target>) pick the
# file up from then on. Exits non-zero on any finding in a real target.
#
# usage: ci/fuzz.sh [--engine libfuzzer|afl] [--merge] [--no-build] [--variant V] [--target T]... [TARGET...]
#   --engine E         libfuzzer (default; build/fuzz) or afl: the same targets built with
#                      afl-clang-fast++ and AFL++'s libFuzzer-compatible driver (build/afl, ASan +
#                      UBSan), run by afl-fuzz; findings take the same path to fuzz/regressions/
#   --merge            afterwards, merge inputs that add coverage into fuzz/corpus/<target>
#                      (-merge=1: only inputs that add coverage, each minimised against the corpus;
#                      otherwise the committed corpus is never modified)
#   --no-build         use the binaries already built
#   --variant V        only that variant's targets
#   --target T, T      a target the build lists (<build>/fuzz_targets.txt; default: all of them)
#   --build-dir D      the fuzz build to use (default build/fuzz, configured with the 'fuzz' preset;
#                      with --engine afl, build/afl)
#   --regressions D    store minimised findings under D/<target>/ (default fuzz/regressions; the
#                      negative controls' findings go to <build>/negative-findings/ unless D is given)
# environment:
#   FUZZ_SECONDS (60)   time per target        FUZZ_JOBS (1)        targets run at once
#   FUZZ_MAX_LEN (8192) libFuzzer -max_len     FUZZ_TIMEOUT (25)    seconds per input
#   FUZZ_SCALE_PER_EXEC_TIME (1)  libFuzzer -entropic_scale_per_exec_time: the entropic schedule
#                                 gives inputs that run faster than the corpus average more energy
#                                 (0: libFuzzer's default, energy by coverage alone)
#   FUZZ_NEGATIVE_SECONDS (min(FUZZ_SECONDS, 120))  time a negative control has to find its bug
#   FUZZ_MINIMIZE_SECONDS (30)  time spent minimising one finding
#   FUZZ_BASELINE_SECONDS (5)   time for the empty target whose exec/s is printed as the baseline (0: skip)
# budget: (targets x FUZZ_SECONDS) / FUZZ_JOBS + negative controls' time to find + minimisation;
# with the defaults, about one minute per target.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

merge=0
build=1
engine=${FUZZ_ENGINE:-libfuzzer}
build_dir=
variant=
targets=()
regressions="$root/fuzz/regressions"
negative_regressions=
while (($#)); do
  case "$1" in
    --merge) merge=1 ;;
    --engine) engine=${2:?--engine needs libfuzzer or afl}; shift ;;
    --no-build) build=0 ;;
    --variant) variant=${2:?--variant needs a name}; shift ;;
    --target) targets+=("${2:?--target needs a name}"); shift ;;
    --build-dir) build_dir=$(cd "${2:?--build-dir needs a folder}" && pwd); shift ;;
    --regressions) mkdir -p "${2:?--regressions needs a folder}"
      regressions=$(cd "$2" && pwd); negative_regressions=$regressions; shift ;;
    -h|--help) sed -n '2,35p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "fuzz.sh: unknown option $1" >&2; exit 2 ;;
    *) targets+=("$1") ;;
  esac
  shift
done
case "$engine" in
  libfuzzer) build_dir=${build_dir:-$root/build/fuzz} ;;
  afl) build_dir=${build_dir:-$root/build/afl}
    command -v afl-fuzz >/dev/null || { echo "fuzz.sh: afl-fuzz not installed (ci/install-deps.sh)" >&2; exit 2; }
    ((merge)) && { echo "fuzz.sh: --merge is for libFuzzer runs" >&2; exit 2; } ;;
  *) echo "fuzz.sh: unknown engine $engine" >&2; exit 2 ;;
esac
negative_regressions=${negative_regressions:-$build_dir/negative-findings}

seconds=${FUZZ_SECONDS:-60}
jobs=${FUZZ_JOBS:-1}
max_len=${FUZZ_MAX_LEN:-8192}
timeout=${FUZZ_TIMEOUT:-25}
scale_per_exec_time=${FUZZ_SCALE_PER_EXEC_TIME:-1}
negative_seconds=${FUZZ_NEGATIVE_SECONDS:-$((seconds < 120 ? seconds : 120))}
minimize_seconds=${FUZZ_MINIMIZE_SECONDS:-30}
logs="$build_dir/fuzz-logs"

# A 4 MiB quarantine and no allocation stacks while fuzzing. A use after free in one run is still
# caught: the quarantine holds at least eight times what any machine target's input freed in one
# run (475 KB at most, hivemind_server; the others under 120 KB), and a freed block leaves it only
# once 4 MiB more has been freed. A larger one hands back blocks long out of the cache: ASan's
# default 256 MiB kept touching fresh pages (three times the page faults), and hivemind_server ran
# a fifth faster with 4 MiB than with 32 (fuzz/README.md). No allocation stacks: ASan's default
# records 30 frames on every allocation. A finding's report then names where it failed but not
# where the block was allocated or freed: the printed reproduce command runs with ASan's defaults,
# full allocation and free stacks included.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:quarantine_size_mb=4:malloc_context_size=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# Every target of every registered variant, as the build lists them (fuzz/CMakeLists.txt). With
# --no-build the build is used as it is, not configured again: runs side by side (the fuzz_flow
# tests under ctest -j) would otherwise configure one build folder at the same time.
if ((!build)); then
  :
elif [[ "$engine" == libfuzzer && "$build_dir" == "$root/build/fuzz" ]]; then
  cmake --preset fuzz >/dev/null
elif [[ "$engine" == afl && "$build_dir" == "$root/build/afl" ]]; then
  # The targets as they are, linked with AFL++'s driver (afl-cc turns -fsanitize=fuzzer into
  # libAFLDriver); ASan + UBSan as in the libFuzzer build.
  afl_flags="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer -g"
  cmake -S "$root" -B "$build_dir" -G "Unix Makefiles" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_C_COMPILER=afl-clang-fast -DCMAKE_CXX_COMPILER=afl-clang-fast++ \
    -DCMAKE_C_FLAGS="$afl_flags" -DCMAKE_CXX_FLAGS="$afl_flags" \
    -DSHAKEDOWN_FUZZ=ON -DSHAKEDOWN_FUZZ_ENGINE=-fsanitize=fuzzer \
    -DSHAKEDOWN_TESTS=OFF -DSHAKEDOWN_BENCH=OFF >/dev/null
fi
[[ -f "$build_dir/fuzz_targets.txt" ]] || { echo "fuzz.sh: $build_dir/fuzz_targets.txt missing (not a fuzz build?)" >&2; exit 2; }
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

baseline_seconds=${FUZZ_BASELINE_SECONDS:-5}
if ((build)); then
  build_targets=()
  ((baseline_seconds > 0)) && [[ "$engine" == libfuzzer ]] && build_targets+=(fuzz_empty_baseline)
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

# A path as the reader would type it from the repository root.
rel() {
  local p=$1
  [[ "$p" == "$root/"* ]] && p=${p#"$root/"}
  printf '%s' "$p"
}

# Minimises one crashing input of target $1 (binary $2, input $3) and stores it under $4/<target>/
# as crash-<sha1 of the minimised bytes>. Prints the stored path; fails if the stored file does
# not make the binary fail again (a flaky finding is reported, never stored as a regression).
store_regression() {
  local t=$1 bin=$2 crash=$3 dest=$4 log=$5
  local minimized="$scratch/$t/minimized"
  # -minimize_crash keeps shrinking while the input still crashes; if it cannot (a timeout or an
  # input that needs its full length), the original is stored.
  if [[ "$engine" == afl ]]; then
    timeout "$minimize_seconds" afl-tmin -i "$crash" -o "$minimized" -m none -t $((timeout * 1000)) \
      -- "$bin" >>"$log" 2>&1 || true
  elif ! "$bin" -minimize_crash=1 -max_total_time="$minimize_seconds" -timeout="$timeout" \
        -exact_artifact_path="$minimized" "$crash" >>"$log" 2>&1; then
    true
  fi
  [[ -s "$minimized" ]] || cp "$crash" "$minimized"
  # A run on the minimised input must fail, or nothing is stored.
  if "$bin" "$minimized" >>"$log" 2>&1; then
    cp "$crash" "$minimized"
    "$bin" "$minimized" >>"$log" 2>&1 && return 1
  fi
  local sum
  sum=$(sha1sum "$minimized" | awk '{print $1}')
  mkdir -p "$dest/$t"
  cp "$minimized" "$dest/$t/crash-$sum"
  echo "$dest/$t/crash-$sum"
}

# One field of AFL++'s fuzzer_stats, or "?".
afl_stat() {
  local v
  v=$(awk -F: -v k="$2" '{gsub(/ /, "", $1)} $1 == k {gsub(/ /, "", $2); print $2}' "$1" 2>/dev/null || true)
  echo "${v:-?}"
}

# The AFL++ run of one target: same seeds, dictionary and timeout; a negative control stops at its
# first crash (AFL_BENCH_UNTIL_CRASH). Crashes take the same path as libFuzzer's findings.
run_afl() {
  local t=$1 bin=$2 secs=$3 expect_finding=$4 corpus=$5 artifacts=$6 log=$7
  shift 7
  local dict_arg=()
  (($#)) && dict_arg=(-x "${1#-dict=}")
  compgen -G "$corpus/*" >/dev/null || printf '0' >"$corpus/empty"
  local out="$scratch/$t/afl" rc=0 start
  start=$(date +%s)
  # afl-fuzz insists on sanitizers that abort (it reads the signal) and do not symbolize.
  local env=(AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_NO_AFFINITY=1
    "ASAN_OPTIONS=abort_on_error=1:symbolize=0:detect_leaks=1"
    "UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:symbolize=0")
  ((expect_finding)) && env+=(AFL_BENCH_UNTIL_CRASH=1)
  env "${env[@]}" afl-fuzz -i "$corpus" -o "$out" -V "$secs" -t $((timeout * 1000)) -m none "${dict_arg[@]}" \
    -- "$bin" >"$log" 2>&1 || rc=$?
  ((expect_finding)) && echo "$(( $(date +%s) - start ))" >"$scratch/$t.seconds"
  local stats="$out/default/fuzzer_stats"
  for f in "$out"/default/crashes/id:*; do
    [[ -f "$f" ]] && cp "$f" "$artifacts/crash-$(sha1sum "$f" | awk '{print $1}')"
  done
  local seeds found=0 status stored
  seeds=$(find "$corpus" -type f | wc -l)
  local new_files="?"
  [[ -f "$stats" ]] && new_files=$(( $(afl_stat "$stats" corpus_count) - seeds ))
  local dest=$regressions
  ((expect_finding)) && dest=$negative_regressions
  : >"$scratch/$t.regressions"
  for crash in "$artifacts"/*; do
    [[ -f "$crash" ]] || continue
    found=$((found + 1))
    if stored=$(store_regression "$t" "$bin" "$crash" "$dest" "$log"); then
      echo "$stored" >>"$scratch/$t.regressions"
    else
      echo "$crash (did not fail again; not stored)" >>"$scratch/$t.regressions"
    fi
  done
  if [[ ! -f "$stats" ]]; then
    status="FAILED(afl-fuzz rc=$rc)"
  elif ((expect_finding)); then
    if ((found > 0)); then status="caught"; else status="NOT-CAUGHT"; fi
  elif ((found > 0)); then
    status="FINDING"
  else
    status="ok"
  fi
  echo "$t $(afl_stat "$stats" execs_done) $(afl_stat "$stats" execs_per_sec)" \
    "$new_files $(afl_stat "$stats" bitmap_cvg) $found $status" >"$scratch/$t.result"
}

# Runs one target; writes "target execs exec/s new_units cov findings status" to
# $scratch/<target>.result and the stored regression files to $scratch/<target>.regressions.
run_target() {
  local t=$1 secs=$2 expect_finding=$3
  local bin
  bin=$(find "$build_dir/fuzz" -name "fuzz_$t" -type f -perm -u+x | head -n1)
  local dict="$root/fuzz/${t%%_*}/${t%%_*}.dict"
  local dict_arg=()
  [[ -f "$dict" ]] && dict_arg=(-dict="$dict")
  local corpus="$scratch/$t/corpus"
  local artifacts="$scratch/$t/artifacts"
  mkdir -p "$corpus" "$artifacts"
  if [[ -d "$root/fuzz/corpus/$t" ]]; then
    cp -a "$root/fuzz/corpus/$t/." "$corpus/"
  fi
  local seeds
  seeds=$(find "$corpus" -type f | wc -l)
  local log="$logs/$t.log"
  local rc=0 start
  start=$(date +%s)
  if [[ "$engine" == afl ]]; then
    run_afl "$t" "$bin" "$secs" "$expect_finding" "$corpus" "$artifacts" "$log" "${dict_arg[@]}"
    return
  fi
  "$bin" -max_total_time="$secs" "${dict_arg[@]}" -print_final_stats=1 -max_len="$max_len" \
    -timeout="$timeout" -entropic_scale_per_exec_time="$scale_per_exec_time" -artifact_prefix="$artifacts/" \
    "$corpus" >"$log" 2>&1 || rc=$?
  # Time to find (negative controls): wall clock of the fuzzing run alone, before minimisation.
  ((expect_finding)) && echo "$(( $(date +%s) - start ))" >"$scratch/$t.seconds"
  local cov
  cov=$(grep -aoE 'cov: [0-9]+' "$log" | tail -n1 | awk '{print $2}' || true)
  local new_files
  new_files=$(( $(find "$corpus" -type f | wc -l) - seeds ))
  local found=0 status stored
  local dest=$regressions
  ((expect_finding)) && dest=$negative_regressions
  : >"$scratch/$t.regressions"
  for crash in "$artifacts"/*; do
    [[ -f "$crash" ]] || continue
    found=$((found + 1))
    if stored=$(store_regression "$t" "$bin" "$crash" "$dest" "$log"); then
      echo "$stored" >>"$scratch/$t.regressions"
    else
      echo "$crash (did not fail again; not stored)" >>"$scratch/$t.regressions"
      mkdir -p "$root/fuzz/findings/$t"
      cp "$crash" "$root/fuzz/findings/$t/"
    fi
  done
  if ((expect_finding)); then
    if ((rc != 0 && found > 0)); then status="caught"; else status="NOT-CAUGHT"; fi
  elif ((rc == 0)); then
    status="ok"
    if ((merge)); then
      # -merge=1 keeps only the inputs that add coverage to the committed corpus.
      local before
      before=$(find "$root/fuzz/corpus/$t" -type f 2>/dev/null | wc -l)
      mkdir -p "$root/fuzz/corpus/$t"
      "$bin" -merge=1 -max_len="$max_len" "$root/fuzz/corpus/$t" "$corpus" >>"$log" 2>&1 || status="MERGE-FAILED"
      new_files="$new_files(+$(( $(find "$root/fuzz/corpus/$t" -type f | wc -l) - before )))"
    fi
  elif ((found)); then
    status="FINDING(rc=$rc)"
  else
    # A sanitizer abort may leave no artifact only if the process died hard; say so.
    status="FAILED(rc=$rc,no-artifact)"
  fi
  echo "$t $(stat "$log" number_of_executed_units) $(stat "$log" average_exec_per_sec)" \
    "$new_files ${cov:-?} $found $status" >"$scratch/$t.result"
}

# The empty target first: the engine's own ceiling on this machine, in this run.
baseline=
if ((baseline_seconds > 0)) && [[ -x "$build_dir/fuzz/fuzz_empty_baseline" ]]; then
  mkdir -p "$scratch/baseline"
  "$build_dir/fuzz/fuzz_empty_baseline" -max_total_time="$baseline_seconds" -print_final_stats=1 \
    "$scratch/baseline" >"$logs/empty_baseline.log" 2>&1 || true
  baseline=$(stat "$logs/empty_baseline.log" average_exec_per_sec)
fi

echo "fuzzing ${#targets[@]} target(s) for ${seconds}s each, ${jobs} at a time (logs: $(rel "$logs"))"
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
  run_target "$t" "$negative_seconds" 1
done

# Findings first, each with the command that reproduces it.
failed=0
for t in "${targets[@]+"${targets[@]}"}" "${negatives[@]+"${negatives[@]}"}"; do
  [[ -s "$scratch/$t.regressions" ]] || continue
  bin=$(find "$build_dir/fuzz" -name "fuzz_$t" -type f -perm -u+x | head -n1)
  while IFS= read -r f; do
    case "$f" in
      *"not stored)") echo "finding in $t: $(rel "$f")" ;;
      *) echo "finding in $t stored as $(rel "$f"); reproduce with:"
         echo "  $(rel "$bin") $(rel "$f")" ;;
    esac
  done <"$scratch/$t.regressions"
done

echo
if [[ "$baseline" == "?" ]]; then
  echo "empty target: no figure; the engine did not run it (log: $(rel "$logs/empty_baseline.log"))"
elif [[ -n "$baseline" ]]; then
  echo "empty target (the engine alone, ${baseline_seconds}s, same run): $baseline exec/s"
fi
printf '%-36s %12s %9s %11s %7s %8s  %s\n' target executions exec/s new_files cov findings result
for t in "${targets[@]+"${targets[@]}"}" "${negatives[@]+"${negatives[@]}"}"; do
  if [[ ! -f "$scratch/$t.result" ]]; then
    printf '%-36s %s\n' "$t" "did not run"
    failed=1
    continue
  fi
  read -r name execs rate new_files cov found status <"$scratch/$t.result"
  extra=
  [[ -f "$scratch/$t.seconds" ]] && extra=" (time to find: $(cat "$scratch/$t.seconds") s)"
  printf '%-36s %12s %9s %11s %7s %8s  %s%s\n' "$name" "$execs" "$rate" "$new_files" "$cov" "$found" "$status" "$extra"
  [[ "$status" == ok || "$status" == caught ]] || failed=1
done
if ((failed)); then
  echo "fuzz.sh: findings or failures above; regressions in $(rel "$regressions"), logs in $(rel "$logs")" >&2
  exit 1
fi
