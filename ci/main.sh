#!/usr/bin/env bash
# The main job on the built-in default: build; regenerate every vector and compare it byte for byte
# with the checked-in files; verify every vector with the C++ reference and with the independent
# JavaScript checker; replay every fuzz corpus; run the full conformance catalogue against the
# built-in reference peer in both roles and write the reports; run it again in every profile and
# every target mode (in process, connect, listen, shim; a running peer once per target
# configuration); print a summary.
set -uo pipefail
cd "$(dirname "$0")/.."
bash ci/install-deps.sh || exit 1
jobs=$(nproc)
# ccache (when installed) keys on paths relative to the checkout, and not on the checkout's own
# folder (which debug information would otherwise add), so a clone anywhere reuses the cache.
export CCACHE_BASEDIR="$PWD" CCACHE_NOHASHDIR=1
# With the fuzz replay programs, which the default preset leaves to the sanitizer build.
cmake --preset default -DSHAKEDOWN_FUZZ_REPLAY=ON >/dev/null && cmake --build --preset default -j"$jobs" || exit 1

bin=build/default/cli/shakedown
mkdir -p reports
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

names=()
results=()
step() {
  local name=$1
  shift
  echo "== $name"
  if "$@"; then
    results+=("ok")
  else
    results+=("FAILED")
  fi
  names+=("$name")
}

regenerate() {
  "$bin" vectors generate --out "$scratch/vectors" >/dev/null || return 1
  local f rc=0 n=0
  while IFS= read -r f; do
    n=$((n + 1))
    cmp -s "$scratch/vectors/$f" "vectors/$f" || { echo "differs from a fresh generation: vectors/$f"; rc=1; }
  done < <(cd "$scratch/vectors" && find . -type f -name '*.json' | sed 's#^\./##' | sort)
  [ "$n" -gt 0 ] && [ "$rc" -eq 0 ] && echo "$n vector files reproduce byte for byte"
}
independent_checks() {
  local d rc=0 n=0
  for d in vectors/check/*/; do
    [ -f "$d/check.mjs" ] || continue
    n=$((n + 1))
    node "$d/check.mjs" | tail -n 1 || rc=1
  done
  [ "$n" -gt 0 ] && [ "$rc" -eq 0 ]
}
replay_corpora() {
  # Every target's corpus and regressions, and every negative control's planted input.
  local n
  n=$(ctest --test-dir build/default -N -R '^fuzz_replay\.' | grep -c 'Test *#') || true
  [ "$n" -gt 0 ] || { echo "no fuzz_replay tests in build/default"; return 1; }
  ctest --test-dir build/default -R '^fuzz' -j"$jobs" --output-on-failure | tail -n 3
  return "${PIPESTATUS[0]}"
}

step "vectors reproduce" regenerate
step "vectors verify (C++)" "$bin" vectors verify --quiet
step "vectors verify (independent JavaScript)" independent_checks
step "fuzz corpora replay" replay_corpora
# The reference peer of a variant in every profile and target mode (tests/conformance/self_test.sh),
# each mode's log kept under reports/self-test/.
every_mode() {  # VARIANT
  local mode rc=0
  mkdir -p reports/self-test
  for mode in in-process acceptor initiator shim; do
    local log="reports/self-test/$1-$mode.log"
    if bash tests/conformance/self_test.sh "$mode" "$1" "$bin" 1 reports/self-test "$PWD" >"$log" 2>&1; then
      echo "$1 / $mode: every profile passes"
    else
      echo "$1 / $mode: FAILED ($log)"
      grep -E '^  (FAIL|XPASS|NON-STRICT) |^self_test:' "$log" | head -n 20
      rc=1
    fi
  done
  return "$rc"
}

# Every variant with a conformance catalogue, against its built-in reference peer, both roles.
for v in $("$bin" list --names); do
  if "$bin" list --json | node -e '
      const v = JSON.parse(require("fs").readFileSync(0, "utf8")).find((x) => x.name === process.argv[1]);
      process.exit(v && v.conformance && v.reference_peer ? 0 : 1);' "$v"; then
    step "conformance: $v reference peer, both roles" "$bin" conform --variant "$v" --reference --quiet \
      --html "reports/$v-reference.html" --report-json "reports/$v-reference.json" \
      --junit "reports/$v-reference.junit.xml"
    echo "reports: reports/$v-reference.html (also .json, .junit.xml)"
    step "conformance: $v reference peer, every profile and target mode" every_mode "$v"
  else
    echo "== conformance: $v has no catalogue yet (shakedown list)"
  fi
done

# A third-party implementation beside the reference: the Stellar catalogue against
# @stellarbeat/js-stellar-node-connector (as a shim), with its expectations file.
connector=conformance/peers/js-stellar-node-connector
step "conformance: js-stellar-node-connector (third party), both roles" "$bin" conform --variant stellar \
  --shim "node $connector/peer.mjs" --jobs 4 --quiet \
  --expectations conformance/expectations/stellar/js-stellar-node-connector.json \
  --html reports/js-stellar-node-connector.html --report-json reports/js-stellar-node-connector.json \
  --junit reports/js-stellar-node-connector.junit.xml
# One compatibility matrix: every variant's reference, and the connector next to Stellar's.
matrix_inputs=()
for f in reports/*-reference.json reports/js-stellar-node-connector.json; do
  [ -f "$f" ] && matrix_inputs+=("$f")
done
step "compatibility matrix" "$bin" report merge "${matrix_inputs[@]}" --html reports/matrix.html \
  --json reports/matrix.json --junit reports/matrix.junit.xml
echo "matrix: reports/matrix.html"

echo
echo "summary"
failed=0
for i in "${!names[@]}"; do
  printf '  %-45s %s\n' "${names[$i]}" "${results[$i]}"
  [ "${results[$i]}" = ok ] || failed=$((failed + 1))
done
echo "$(( ${#names[@]} - failed )) passed, $failed failed"
[ "$failed" -eq 0 ]
