#!/usr/bin/env bash
# The catalogue against @stellarbeat/js-stellar-node-connector, both roles, with its expectations
# file: no unexpected FAIL, every expected failure still fails, and at least one handshake
# completed. Exit 77 (skipped) when Node or the package is not available, except in CI (CI set):
# there a missing peer is a failure, never a silent skip.
#   js_connector.sh SHAKEDOWN SCALE OUT_DIR SOURCE_DIR
set -euo pipefail
shakedown=$1 scale=$2 out=$3 src=$4
dir="$src/conformance/peers/js-stellar-node-connector"
unavailable() {
  if [ -n "${CI:-}" ]; then echo "$1: failing (CI must run the third-party peer)"; exit 1; fi
  echo "$1: skipped"; exit 77
}
command -v node >/dev/null 2>&1 || unavailable "node not found"
if [ ! -d "$dir/node_modules" ]; then
  command -v npm >/dev/null 2>&1 || unavailable "npm not found"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) || unavailable "npm ci failed"
fi
mkdir -p "$out"
"$shakedown" conform --variant stellar --shim "node $dir/peer.mjs" --jobs 4 --quiet --timeout-scale "$scale" \
  --expectations "$src/conformance/expectations/stellar/js-stellar-node-connector.json" --strict-expectations \
  --report-json "$out/js-stellar-node-connector.json" --junit "$out/js-stellar-node-connector.xml" \
  --html "$out/js-stellar-node-connector.html"
node -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const done = r.scenarios.filter((s) => s.handshake_completed).map((s) => s.id);
  const roles = new Set(done.map((id) => id.split(".")[0]));
  console.log(`handshakes completed: ${done.length} (roles: ${[...roles].join(", ")}); ` +
              `expected failures: ${r.summary.expected_failures}; non-strict: ${r.summary.non_strict}`);
  if (!roles.has("acceptor") || !roles.has("initiator")) process.exit(1);
' "$out/js-stellar-node-connector.json"
