#!/bin/bash -eu
# ClusterFuzzLite / OSS-Fuzz build: every fuzz target of every registered variant into $OUT, each
# with its seed corpus (<target>_seed_corpus.zip: the committed corpus and regressions), dictionary
# (<target>.dict) and libFuzzer options (<target>.options).
#
# Follows the OSS-Fuzz conventions: the compilers, instrumentation and sanitizers come from $CC,
# $CXX, $CFLAGS and $CXXFLAGS, the engine from $LIB_FUZZING_ENGINE (libFuzzer, AFL++, honggfuzz or
# centipede); $SRC holds the checkout, $OUT receives the targets, $WORK the intermediate build.
# The target list is the build's own (fuzz_targets.txt, from each variant's fuzz/<variant>/), so a
# new variant's targets arrive here without edits.
#
# Negative controls (targets named *negative*: a planted bug the harness must catch) are left out:
# a service fuzzing them would report their planted bug as a crash on every run. ci/fuzz.sh and the
# fuzz_flow tests exercise them. SHAKEDOWN_CFL_NEGATIVE=1 puts them in too.
#
# Run locally with the OSS-Fuzz-style environment, e.g. (what ci/tests/clusterfuzzlite_build.sh does):
#   CC=clang-14 CXX=clang++-14 CFLAGS="-fsanitize=address,fuzzer-no-link" CXXFLAGS="$CFLAGS" \
#   LIB_FUZZING_ENGINE=-fsanitize=fuzzer SRC=/tmp OUT=/tmp/out WORK=/tmp/work bash .clusterfuzzlite/build.sh

# The checkout: this script's parent when run in place; the working directory (the Dockerfile's
# WORKDIR) when the service runs the copy in $SRC/build.sh.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [[ -f "$here/../variants.cmake" ]]; then
  root=$(cd "$here/.." && pwd)
elif [[ -f "$PWD/variants.cmake" ]]; then
  root=$PWD
else
  root="$SRC/shakedown"
fi
work=${WORK:-$root/build}/shakedown-oss-fuzz
jobs=${SHAKEDOWN_BUILD_JOBS:-$(nproc)}
mkdir -p "$OUT" "$work"

# Third-party libraries (libsodium, OpenSSL's libcrypto) are linked statically: the runner image
# that executes the targets has only the base system. FindOpenSSL has a switch for it; for the
# pkg-config result, the cache entry it would fill is set to the static archive.
static=(-DOPENSSL_USE_STATIC_LIBS=ON)
sodium_a="$(pkg-config --variable=libdir libsodium)/libsodium.a"
[[ -f "$sodium_a" ]] && static+=(-Dpkgcfg_lib_SODIUM_sodium="$sodium_a")
cmake -S "$root" -B "$work" -G "Unix Makefiles" "${static[@]}" \
  -DCMAKE_BUILD_TYPE= \
  -DCMAKE_C_COMPILER="$CC" -DCMAKE_CXX_COMPILER="$CXX" \
  -DCMAKE_C_FLAGS="$CFLAGS" -DCMAKE_CXX_FLAGS="$CXXFLAGS" \
  -DSHAKEDOWN_FUZZ=ON -DSHAKEDOWN_FUZZ_ENGINE="$LIB_FUZZING_ENGINE" \
  -DSHAKEDOWN_TESTS=OFF -DSHAKEDOWN_BENCH=OFF >"$work/configure.log" || { cat "$work/configure.log"; exit 1; }

mapfile -t all_targets < <(grep -v '^$' "$work/fuzz_targets.txt")
targets=()
for t in "${all_targets[@]}"; do
  if [[ "$t" == *negative* && "${SHAKEDOWN_CFL_NEGATIVE:-0}" != 1 ]]; then continue; fi
  targets+=("$t")
done
cmake --build "$work" -j"$jobs" --target "${targets[@]/#/fuzz_}"

# Zips a folder's files, flat, without the zip tool (the base image has python3, not always zip).
zip_flat() {
  python3 - "$@" <<'PY'
import os, sys, zipfile
out, folders = sys.argv[1], sys.argv[2:]
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    for folder in folders:
        for name in sorted(os.listdir(folder)):
            path = os.path.join(folder, name)
            if os.path.isfile(path) and not name.startswith("."):
                z.write(path, arcname=name)
PY
}

for t in "${targets[@]}"; do
  variant=${t%%_*}
  bin=$(find "$work/fuzz" -name "fuzz_$t" -type f -perm -u+x | head -n1)
  [[ -n "$bin" ]] || { echo "build.sh: fuzz_$t was not built" >&2; exit 1; }
  cp "$bin" "$OUT/$t"

  seeds=()
  for d in "$root/fuzz/corpus/$t" "$root/fuzz/regressions/$t"; do
    [[ -d "$d" ]] && seeds+=("$d")
  done
  rm -f "$OUT/${t}_seed_corpus.zip"
  ((${#seeds[@]})) && zip_flat "$OUT/${t}_seed_corpus.zip" "${seeds[@]}"

  # A target's own dictionary wins over its variant's.
  dict=
  for d in "$root/fuzz/$variant/$t.dict" "$root/fuzz/$variant/$variant.dict"; do
    if [[ -f "$d" ]]; then dict=$d; break; fi
  done
  [[ -n "$dict" ]] && cp "$dict" "$OUT/$t.dict"

  # The same limits ci/fuzz.sh uses; a variant may ship fuzz/<variant>/<target>.options instead.
  if [[ -f "$root/fuzz/$variant/$t.options" ]]; then
    cp "$root/fuzz/$variant/$t.options" "$OUT/$t.options"
  else
    {
      echo "[libfuzzer]"
      echo "max_len = 8192"
      echo "timeout = 25"
      echo "entropic_scale_per_exec_time = 1"
      [[ -n "$dict" ]] && echo "dict = $t.dict"
    } >"$OUT/$t.options"
  fi
done
echo "build.sh: ${#targets[@]} target(s) in $OUT"
