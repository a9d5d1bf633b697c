#!/usr/bin/env bash
# The main job on the built-in default: build; regenerate every vector and compare it byte for byte
# with the checked-in files; verify every vector with the C++ reference and with the independent
# JavaScript checker; replay every fuzz corpus; run the full conformance catalogue against the
# built-in reference peer in both roles and write the reports; print a summary.
set -uo pipefail
cd "$(dirname "$0")/.."
bash ci/install-deps.sh || exit 1
jobs=$(nproc)
cmake --preset default >/dev/null && cmake --build --preset default -j"$jobs" || exit 1

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
  "$bin" vectors generate --out "$scratch/vectors" >/dev/null &&
    diff -r "$scratch/vectors/stellar" vectors/stellar && echo "vectors reproduce byte for byte"
}
replay_corpora() {
  ctest --test-dir build/default -R '^fuzz' -j"$jobs" --output-on-failure | tail -n 3
  return "${PIPESTATUS[0]}"
}

step "vectors reproduce" regenerate
step "vectors verify (C++)" "$bin" vectors verify
step "vectors verify (independent JavaScript)" node vectors/check/check.mjs
step "fuzz corpora replay" replay_corpora
step "conformance: reference peer, both roles" "$bin" conform --reference --quiet \
  --html reports/stellar-reference.html --report-json reports/stellar-reference.json \
  --junit reports/stellar-reference.junit.xml
echo "reports: reports/stellar-reference.html (also .json, .junit.xml)"

echo
echo "summary"
failed=0
for i in "${!names[@]}"; do
  printf '  %-45s %s\n' "${names[$i]}" "${results[$i]}"
  [ "${results[$i]}" = ok ] || failed=$((failed + 1))
done
echo "$(( ${#names[@]} - failed )) passed, $failed failed"
[ "$failed" -eq 0 ]
