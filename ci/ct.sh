#!/usr/bin/env bash
# Constant-time check of the reference under valgrind (ctgrind). Builds shakedown_ct
# (tests/ct/ct_main.cpp) with SHAKEDOWN_CT, in which the reference marks its secrets undefined
# for memcheck (impl/common/ct.hpp: long-term keys, ephemeral secrets, passwords, derived keys)
# and declassifies what the protocol makes public (public keys, MACs and ciphertexts it sends,
# the verdict of a comparison). One handshake of every variant, profile and loopback pair in
# the registry runs under memcheck, one valgrind process each; any branch or memory index that
# depends on a secret is a report. Library internals are suppressed by ci/ct.supp (each entry
# says why); ci/ct_report.py counts the rest per variant and role from the error stacks.
#
# Then the check is shown to work: a second build with SHAKEDOWN_CT_PLANTED compares Stellar's
# AUTH-phase MAC with memcmp, and memcheck must report it.
#
#   bash ci/ct.sh [--only VARIANT/PROFILE/PAIR]
#
# Exit 0: no report inside the project for any variant, and the planted comparison reported.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
only=""
if [ "${1:-}" = "--only" ]; then
  only=${2:?--only needs VARIANT/PROFILE/PAIR}
fi
command -v valgrind >/dev/null || bash ci/install-deps.sh
jobs=${JOBS:-$(nproc)}
# ccache keys on paths relative to the checkout; the two build trees share every object but one.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1

build() {  # build DIR PLANTED
  local gen=()
  [ -f "$1/CMakeCache.txt" ] || { command -v ninja >/dev/null && gen=(-G Ninja); }
  cmake -S . -B "$1" "${gen[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_COMPILER=g++ -DCMAKE_C_COMPILER=gcc \
    -DSHAKEDOWN_CT=ON -DSHAKEDOWN_CT_PLANTED="$2" -DSHAKEDOWN_BENCH=OFF >/dev/null
  cmake --build "$1" -j"$jobs" --target shakedown_ct
}

# One valgrind run: exit status 0 (no error) or 42 (memcheck errors) both produce the XML file.
memcheck() {  # memcheck BINARY ID XML
  local rc=0
  valgrind --tool=memcheck --error-exitcode=42 --track-origins=yes --leak-check=no --num-callers=50 \
    --suppressions="$root/ci/ct.supp" --xml=yes --xml-file="$3" --fullpath-after= \
    "$1" --only "$2" >"${3%.xml}.log" 2>&1 || rc=$?
  if [ "$rc" -ne 0 ] && [ "$rc" -ne 42 ]; then
    echo "ct: $2 did not complete under valgrind (exit $rc):" >&2
    cat "${3%.xml}.log" >&2
    return 1
  fi
  grep -q '^OK ' "${3%.xml}.log" || { echo "ct: $2: handshake did not complete" >&2; cat "${3%.xml}.log" >&2; return 1; }
}

echo "== ct: build (build/ct)"
build build/ct OFF
out=build/ct/reports
rm -rf "$out"
mkdir -p "$out"
if [ -n "$only" ]; then ids=("$only"); else mapfile -t ids < <(build/ct/tests/ct/shakedown_ct --list); fi
start=$SECONDS
for id in "${ids[@]}"; do
  echo "== ct: $id"
  memcheck build/ct/tests/ct/shakedown_ct "$id" "$out/${id//\//__}.xml"
done
echo "== ct: ${#ids[@]} handshakes under memcheck in $((SECONDS - start)) s; reports inside the project:"
status=0
python3 ci/ct_report.py --root "$root" "$out"/*.xml || status=1

echo "== ct: planted variable-time MAC comparison (build/ct-planted)"
build build/ct-planted ON
planted=build/ct-planted/reports
rm -rf "$planted"
mkdir -p "$planted"
memcheck build/ct-planted/tests/ct/shakedown_ct stellar/stellar-core/default "$planted/stellar__stellar-core__default.xml"
if python3 ci/ct_report.py --root "$root" --expect-reports "$planted"/*.xml; then
  echo "== ct: the planted comparison is reported"
else
  echo "== ct: FAIL: the planted memcmp was not reported; the check does not see secrets" >&2
  status=1
fi
[ "$status" -eq 0 ] && echo "== ct: PASS" || echo "== ct: FAIL"
exit "$status"
