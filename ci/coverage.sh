#!/usr/bin/env bash
# Clang source-based coverage of the fuzz targets: builds every target's replay binary with
# -fprofile-instr-generate -fcoverage-mapping (clang-14), replays its corpus and regressions, and
# reports, per target, line and branch coverage of the code that target exists to exercise, as
# each variant's fuzz/<variant>/coverage.txt maps it. Then, per variant and kind, over the union of
# that kind's targets: the floors (parser >= 90% lines, state_machine >= 85% lines) and, for
# parser code, that every line naming an error value (Error::...) is reached. HTML report in
# <build>/html/index.html.
#
# usage: ci/coverage.sh [--check] [--no-build] [--build-dir D] [--variant V]
#   --check        exit non-zero when a floor is not met (the coverage.floors test)
#   --no-build     use the binaries already built
#   --build-dir D  build tree (default build/coverage)
#   --variant V    only that variant's targets
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

check=0
build=1
build_dir="$root/build/coverage"
variant=
while (($#)); do
  case "$1" in
    --check) check=1 ;;
    --no-build) build=0 ;;
    --build-dir) build_dir=${2:?--build-dir needs a folder}; shift ;;
    --variant) variant=${2:?--variant needs a name}; shift ;;
    -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "coverage.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
mkdir -p "$build_dir"
build_dir=$(cd "$build_dir" && pwd)
profdata=${LLVM_PROFDATA:-llvm-profdata-14}
llvm_cov=${LLVM_COV:-llvm-cov-14}

flags="-fprofile-instr-generate -fcoverage-mapping"
cmake -S "$root" -B "$build_dir" -G "Unix Makefiles" -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 \
  -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="$flags" \
  -DSHAKEDOWN_TESTS=OFF -DSHAKEDOWN_BENCH=OFF >"$build_dir/configure.log" ||
  { cat "$build_dir/configure.log"; exit 1; }

# The targets some variant maps (negative controls are not there: their code is a planted copy).
maps=()
for v in $(grep -v '^$' "$build_dir/fuzz_targets.txt" | sed 's/_.*//' | sort -u); do
  [[ -z "$variant" || "$v" == "$variant" ]] || continue
  if [[ -f "$root/fuzz/$v/coverage.txt" ]]; then
    maps+=("$root/fuzz/$v/coverage.txt")
  else
    echo "coverage.sh: variant $v has no fuzz/$v/coverage.txt; its targets are not measured" >&2
  fi
done
((${#maps[@]})) || { echo "coverage.sh: nothing to measure" >&2; exit 2; }
mapfile -t targets < <(grep -hvE '^\s*(#|$)' "${maps[@]}" | awk '{print $1}')
for t in "${targets[@]}"; do
  grep -qx "$t" "$build_dir/fuzz_targets.txt" || { echo "coverage.sh: $t is mapped but the build has no such target" >&2; exit 2; }
done

if ((build)); then
  build_targets=()
  for t in "${targets[@]}"; do build_targets+=("fuzz_${t}_replay"); done
  cmake --build "$build_dir" -j"$(nproc)" --target "${build_targets[@]}"
fi

profiles="$build_dir/profiles"
rm -rf "$profiles"
mkdir -p "$profiles"
for t in "${targets[@]}"; do
  bin=$(find "$build_dir/fuzz" -name "fuzz_${t}_replay" -type f -perm -u+x | head -n1)
  [[ -n "$bin" ]] || { echo "coverage.sh: fuzz_${t}_replay not built" >&2; exit 1; }
  inputs=("$root/fuzz/corpus/$t")
  [[ -d "$root/fuzz/regressions/$t" ]] && inputs+=("$root/fuzz/regressions/$t")
  # In-process: a forked child leaves with _exit() and would write no profile. Regressions of
  # unfixed bugs may fail; coverage still counts what ran.
  LLVM_PROFILE_FILE="$profiles/$t.profraw" "$bin" --no-fork "${inputs[@]}" >"$profiles/$t.log" 2>&1 || true
  "$profdata" merge -sparse "$profiles/$t.profraw" -o "$profiles/$t.profdata"
  "$llvm_cov" export -format=lcov "$bin" -instr-profile="$profiles/$t.profdata" >"$profiles/$t.lcov"
  echo "$bin" >"$profiles/$t.bin"
done

# HTML over every measured target.
objects=()
for t in "${targets[@]}"; do
  if ((${#objects[@]})); then objects+=(-object "$(cat "$profiles/$t.bin")"); else objects+=("$(cat "$profiles/$t.bin")"); fi
done
all=()
for t in "${targets[@]}"; do all+=("$profiles/$t.profdata"); done
"$profdata" merge -sparse "${all[@]}" -o "$profiles/all.profdata"
# Every source the targets run except the fuzz glue and system headers (the mapped sources are
# named as the compiler saw them, which ccache may have made relative, so no source filter here).
"$llvm_cov" show -format=html -show-branches=count -output-dir="$build_dir/html" "${objects[@]}" \
  -instr-profile="$profiles/all.profdata" -ignore-filename-regex='(^/usr/|/fuzz/)' >/dev/null 2>"$profiles/show.log" ||
  { cat "$profiles/show.log" >&2; exit 1; }

args=()
((check)) && args+=(--check)
python3 "$root/ci/coverage_report.py" "${args[@]}" --root "$root" --profiles "$profiles" "${maps[@]}"
echo "HTML report: ${build_dir#"$root/"}/html/index.html"
