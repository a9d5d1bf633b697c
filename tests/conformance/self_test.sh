#!/usr/bin/env bash
# The catalogue against the reference peer must PASS everywhere (NON-STRICT counts as a failure
# here: the reference is never deliberately non-strict).
#   self_test.sh MODE SHAKEDOWN SCALE OUT_DIR SOURCE_DIR
# MODE: in-process | acceptor (shakedown peer --listen, conform --connect)
#       | initiator (conform --listen, shakedown peer --connect reconnecting) | shim
set -euo pipefail
mode=$1 shakedown=$2 scale=$3 out=$4 src=$5
mkdir -p "$out"
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
common=(--quiet --timeout-scale "$scale" --fail-on-non-strict --expectations "$src/conformance/expectations/stellar/reference.json"
        --report-json "$out/reference-$mode.json" --junit "$out/reference-$mode.xml" --html "$out/reference-$mode.html")

wait_for_line() {  # FILE PATTERN
  for _ in $(seq 200); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 0.05
  done
  echo "self_test: no '$2' in $1" >&2
  return 1
}

case "$mode" in
  in-process)
    "$shakedown" conform --variant stellar --reference "${common[@]}"
    ;;
  acceptor)
    "$shakedown" peer --variant stellar --listen 127.0.0.1:0 >"$work/peer.out" 2>"$work/peer.err" &
    pids+=($!)
    wait_for_line "$work/peer.out" '^LISTENING '
    port=$(awk '/^LISTENING /{print $2; exit}' "$work/peer.out")
    "$shakedown" conform --variant stellar --connect "127.0.0.1:$port" "${common[@]}"
    ;;
  initiator)
    "$shakedown" conform --variant stellar --listen 127.0.0.1:0 --port-file "$work/port" "${common[@]}" >"$work/conform.out" 2>&1 &
    conform=$!
    wait_for_line "$work/port" '[0-9]'
    "$shakedown" peer --variant stellar --connect "127.0.0.1:$(cat "$work/port")" --max-connections 0 >"$work/peer.out" 2>&1 &
    pids+=($!)
    status=0
    wait "$conform" || status=$?
    cat "$work/conform.out"
    exit "$status"
    ;;
  shim)
    "$shakedown" conform --variant stellar --shim "$shakedown peer --variant stellar --max-connections 1" "${common[@]}"
    ;;
  *)
    echo "self_test: unknown mode $mode" >&2
    exit 2
    ;;
esac
