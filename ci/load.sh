#!/usr/bin/env bash
# Load figures (not part of the tests): `shakedown load` against the reference of every variant and
# profile, in process and as a shim (`shakedown peer`, a process of its own whose CPU time is read
# from /proc); what an unauthenticated peer costs SFT's upstream-v2 server with and without its
# derivation budget, and what wrong credentials cost each variant that has them; and our Stellar
# reference against @stellarbeat/js-stellar-node-connector, one client, same machine, as a ratio.
# Every figure is measured in this run; JSON for each run goes to reports/load/.
#   LOAD_SECONDS=3 bash ci/load.sh [--no-build] [--concurrency C]
set -uo pipefail
cd "$(dirname "$0")/.."
seconds=${LOAD_SECONDS:-3}
concurrency=4
build=1
while [ $# -gt 0 ]; do
  case $1 in
    --no-build) build=0 ;;
    --concurrency) concurrency=$2; shift ;;
    *) echo "load.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
command -v node >/dev/null 2>&1 || { echo "load.sh: node is needed (ci/install-deps.sh installs it)" >&2; exit 2; }
if [ "$build" = 1 ]; then
  export CCACHE_BASEDIR="$PWD"
  cmake --preset default >/dev/null && cmake --build --preset default -j"$(nproc)" --target shakedown || exit 1
fi
bin=$PWD/build/default/cli/shakedown
out=reports/load
mkdir -p "$out"
summary=()
failed=0

# field FILE EXPR: one value of a run's JSON (EXPR over `r`), "-" when null.
field() {
  node -e 'const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
           const v = eval(process.argv[2]); console.log(v === null || v === undefined ? "-" :
             typeof v === "number" ? (Number.isInteger(v) ? v : v.toFixed(2)) : v);' "$1" "$2"
}

# run NAME ARGS...: one `shakedown load`. Attempts that did not go as intended are figures (the
# summary's last column); a run that could not be made at all (exit 2 and more) fails the script.
run() {
  local name=$1
  shift
  echo "== $name"
  rm -f "$out/$name.json"
  "$bin" load --quiet --json "$out/$name.json" "$@"
  local rc=$?
  if [ "$rc" -ge 2 ] || [ ! -f "$out/$name.json" ]; then
    echo "load.sh: $name exited $rc"
    failed=1
  fi
  if [ -f "$out/$name.json" ]; then
    summary+=("$(printf '%-40s %8s/s  p50 %7s  p99 %7s  max %8s ms  cpu %8s ms, %7s ms/attempt  failed %s' \
      "$name" "$(field "$out/$name.json" r.per_second)" "$(field "$out/$name.json" r.latency_ms.p50)" \
      "$(field "$out/$name.json" r.latency_ms.p99)" "$(field "$out/$name.json" r.latency_ms.max)" \
      "$(field "$out/$name.json" r.target_cpu_ms)" "$(field "$out/$name.json" r.target_cpu_ms_per_attempt)" \
      "$(field "$out/$name.json" 'r.attempts - r.completed')")")
  fi
}

# Every variant and profile, honest, in process and as a shim. A server with a derivation budget
# (the kdf-budget flag) runs without it here: from one address it would admit 10 a minute.
variants=$("$bin" list --json | node -e '
  const vs = JSON.parse(require("fs").readFileSync(0, "utf8"));
  for (const v of vs) for (const p of v.profiles)
    console.log(v.name, p.name, v.shim_flags.some((f) => f.name === "kdf-budget") ? "budget" : "-");')
while read -r v p budget; do
  target=()
  [ "$budget" = budget ] && target=("--target-flags=--kdf-budget unlimited")
  run "$v-$p-in-process" --variant "$v" --profile "$p" --reference --duration "$seconds" \
    --concurrency "$concurrency" "${target[@]}"
  run "$v-$p-shim" --variant "$v" --profile "$p" --shim "$bin peer --variant $v --profile $p" \
    --duration "$seconds" --concurrency "$concurrency" "${target[@]}"
done <<< "$variants"

# Wrong credentials, where a variant has them: each attempt must be refused.
while read -r v p; do
  run "$v-$p-wrong-credential" --variant "$v" --profile "$p" --mode wrong-credential \
    --shim "$bin peer --variant $v --profile $p" --duration "$seconds" --concurrency "$concurrency"
done < <("$bin" list --json | node -e '
  const vs = JSON.parse(require("fs").readFileSync(0, "utf8"));
  for (const v of vs) for (const l of v.load) if (l.wrong_credential.length) console.log(v.name, l.profile);')

# SFT upstream-v2: 600,000 PBKDF2 iterations before any authentication. Against the server with its
# budget (10 derivations and 10 connections per address a minute) and without one.
sft=(--variant sft --profile upstream-v2)
sft_peer="$bin peer --variant sft --profile upstream-v2"
for mode in first-message-flood half-open; do
  run "sft-upstream-v2-$mode-budget" "${sft[@]}" --mode "$mode" --shim "$sft_peer" --duration "$seconds" \
    --concurrency "$concurrency" --stall-ms 1000
  run "sft-upstream-v2-$mode-unlimited" "${sft[@]}" --mode "$mode" --shim "$sft_peer" --duration "$seconds" \
    --concurrency "$concurrency" --stall-ms 1000 "--target-flags=--kdf-budget unlimited"
done
run "sft-upstream-v2-honest-budget" "${sft[@]}" --shim "$sft_peer" --duration "$seconds" --concurrency "$concurrency"

# Our Stellar reference against the JS connector: one client, each target a process of its own.
connector=conformance/peers/js-stellar-node-connector
if [ ! -d "$connector/node_modules" ]; then
  (cd "$connector" && npm ci --no-audit --no-fund --loglevel=error) || echo "load.sh: npm ci failed"
fi
if [ -d "$connector/node_modules" ]; then
  run stellar-reference-one-client --variant stellar --shim "$bin peer --variant stellar" \
    --duration "$seconds" --concurrency 1
  run stellar-js-connector-one-client --variant stellar --shim "node $connector/serve.mjs" \
    --duration "$seconds" --concurrency 1
else
  echo "load.sh: the connector is not installed; no comparison"
  failed=1
fi

echo
echo "== summary (${seconds} s per run, concurrency $concurrency unless named one-client)"
printf '%s\n' "${summary[@]}"
if [ -f "$out/stellar-reference-one-client.json" ] && [ -f "$out/stellar-js-connector-one-client.json" ]; then
  node -e '
    const fs = require("fs");
    const a = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
    const b = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
    console.log(`stellar, one client: reference ${a.per_second.toFixed(1)}/s, js-stellar-node-connector ` +
      `${b.per_second.toFixed(1)}/s: ratio ${(b.per_second > 0 ? a.per_second / b.per_second : Infinity).toFixed(2)}`);
  ' "$out/stellar-reference-one-client.json" "$out/stellar-js-connector-one-client.json"
fi
exit $failed
