#!/usr/bin/env bash
# Runs .clusterfuzzlite/build.sh as OSS-Fuzz would (clang-14, ASan, -fsanitize=fuzzer as
# $LIB_FUZZING_ENGINE) into a scratch $OUT, then checks what it produced: every target the build
# lists (negative controls excepted) is there, linked without third-party shared libraries, with a
# valid seed-corpus zip holding the committed corpus and regressions, the variant's dictionary and
# an options file; and each target fuzzes FUZZ_SECONDS (2) on its unpacked seeds without a finding.
#
# usage: ci/tests/clusterfuzzlite_build.sh WORK_DIR   (kept between runs, so ccache serves rebuilds)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
work=${1:?work dir}
seconds=${FUZZ_SECONDS:-2}
mkdir -p "$work"
scratch=$(mktemp -d "${TMPDIR:-/tmp}/shakedown-cfl.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
fail() { echo "clusterfuzzlite_build: $*" >&2; exit 1; }

# The flags OSS-Fuzz's base-clang sets for sanitizer=address, engine=libfuzzer (less -stdlib=libc++:
# the local toolchain has libstdc++ only).
flags="-O1 -fno-omit-frame-pointer -gline-tables-only -fsanitize=address -fsanitize-address-use-after-scope -fsanitize=fuzzer-no-link"
export CC=clang-14 CXX=clang++-14 CFLAGS="$flags" CXXFLAGS="$flags" LIB_FUZZING_ENGINE=-fsanitize=fuzzer
export SRC="$scratch/src" OUT="$scratch/out" WORK="$work"
export SANITIZER=address FUZZING_ENGINE=libfuzzer ARCHITECTURE=x86_64
export CCACHE_BASEDIR=${CCACHE_BASEDIR:-$root}
mkdir -p "$SRC" "$OUT"
# As the service runs it: the copy in $SRC (the Dockerfile's COPY), from the checkout (WORKDIR).
cp "$root/.clusterfuzzlite/build.sh" "$SRC/build.sh"
(cd "$root" && bash -eu "$SRC/build.sh") >"$scratch/build.log" 2>&1 || { tail -n 60 "$scratch/build.log"; fail "build.sh failed"; }

mapfile -t expected < <(grep -v '^$' "$work/shakedown-oss-fuzz/fuzz_targets.txt" | grep -v negative)
((${#expected[@]})) || fail "the build lists no targets"
for t in $(grep -v '^$' "$work/shakedown-oss-fuzz/fuzz_targets.txt" | grep negative); do
  [[ ! -e "$OUT/$t" ]] || fail "negative control $t was put into \$OUT"
done

export ASAN_OPTIONS=detect_leaks=1
printf '%-36s %6s %9s %6s\n' target seeds exec/s result
# One target: its files checked, then fuzzed on its seeds. CFL_JOBS targets at once (default 2).
check_target() {
  local t=$1
  local variant=${t%%_*}
  [[ -x "$OUT/$t" ]] || fail "$t missing from \$OUT"
  if ldd "$OUT/$t" | grep -Eq 'libsodium|libcrypto|libssl'; then
    fail "$t links a third-party library dynamically: $(ldd "$OUT/$t" | grep -E 'sodium|crypto|ssl')"
  fi

  # The zip holds exactly the committed corpus and regressions, byte for byte.
  zip="$OUT/${t}_seed_corpus.zip"
  [[ -f "$zip" ]] || fail "$t: no seed corpus zip"
  seeds="$scratch/seeds/$t"
  mkdir -p "$seeds"
  python3 - "$zip" "$seeds" "$root/fuzz/corpus/$t" "$root/fuzz/regressions/$t" <<'PY' || fail "$t: bad seed corpus zip"
import filecmp, os, sys, zipfile
zip_path, dest, *folders = sys.argv[1:]
with zipfile.ZipFile(zip_path) as z:
    bad = z.testzip()
    assert bad is None, f"corrupt member {bad}"
    z.extractall(dest)
    names = set(z.namelist())
want = {n for f in folders if os.path.isdir(f) for n in os.listdir(f) if not n.startswith(".")}
assert names == want, f"zip has {sorted(names ^ want)[:5]} wrong"
for f in folders:
    for n in os.listdir(f) if os.path.isdir(f) else []:
        if not n.startswith("."):
            assert filecmp.cmp(os.path.join(f, n), os.path.join(dest, n), shallow=False), n
PY

  dict_arg=()
  if [[ -f "$root/fuzz/$variant/$t.dict" || -f "$root/fuzz/$variant/$variant.dict" ]]; then
    [[ -f "$OUT/$t.dict" ]] || fail "$t: dictionary not copied"
    dict_arg=(-dict="$OUT/$t.dict")
  fi
  [[ -f "$OUT/$t.options" ]] || fail "$t: no options file"
  python3 - "$OUT/$t.options" "$OUT" <<'PY' || fail "$t: bad options file"
import configparser, os, sys
c = configparser.ConfigParser()
c.read(sys.argv[1])
assert c.has_section("libfuzzer"), "no [libfuzzer] section"
for k, v in c["libfuzzer"].items():
    if k == "dict":
        assert os.path.isfile(os.path.join(sys.argv[2], v)), f"dict {v} missing"
    else:
        int(v)
PY

  # Fuzz on the unpacked seeds with the options the service would pass.
  mapfile -t opts < <(python3 -c 'import configparser,sys; c=configparser.ConfigParser(); c.read(sys.argv[1]); [print(f"-{k}={v}") for k,v in c["libfuzzer"].items() if k != "dict"]' "$OUT/$t.options")
  log="$scratch/$t.log"
  run_dir="$scratch/run/$t"
  mkdir -p "$run_dir"
  cp -a "$seeds/." "$run_dir/"
  # A finding is kept beside the work tree (the scratch folder goes), with the command that replays it.
  local findings="$work/findings/$t"
  mkdir -p "$findings"
  if ! (cd "$scratch" && "$OUT/$t" "${opts[@]}" "${dict_arg[@]}" -max_total_time="$seconds" \
        -print_final_stats=1 -artifact_prefix="$findings/" "$run_dir") >"$log" 2>&1; then
    tail -n 40 "$log"
    for f in "$findings"/*; do
      [[ -f "$f" ]] && echo "clusterfuzzlite_build: finding kept: $f; replay:" \
        "$(find "$work/shakedown-oss-fuzz/fuzz" -name "fuzz_$t" -type f | head -n1) $f"
    done
    fail "$t failed while fuzzing its seed corpus"
  fi
  rmdir "$findings" 2>/dev/null || true
  rate=$(grep -a '^stat::average_exec_per_sec:' "$log" | awk '{print $2}')
  printf '%-36s %6s %9s %6s\n' "$t" "$(ls "$seeds" | wc -l)" "${rate:-?}" ok
}
export -f check_target fail
export root scratch seconds work
printf '%s\n' "${expected[@]}" | xargs -P "${CFL_JOBS:-2}" -n 1 bash -c 'set -euo pipefail; check_target "$0"' ||
  fail "a target failed (its lines above)"
echo "clusterfuzzlite_build: ${#expected[@]} target(s) built, packaged and fuzzed"
