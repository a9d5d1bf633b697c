#!/usr/bin/env bash
# Every bug knob of `shakedown peer` must make at least one scenario FAIL: the knobs are the
# runner's own test. Each knob runs as a real peer process: first as acceptor (shakedown peer
# --listen --bug NAME, conform --connect); knobs not caught there run as initiator shims.
#   bug_knobs.sh SHAKEDOWN SCALE OUT_DIR
set -euo pipefail
shakedown=$1 scale=$2 out=$3
mkdir -p "$out"
work=$(mktemp -d)
peer=
cleanup() {
  [ -n "$peer" ] && kill "$peer" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

failures_of() {  # the FAIL lines of a conform summary (no colour: stdout is a file)
  awk '/^  FAIL /{print $2}' "$1"
}

knobs=$("$shakedown" peer --list-bugs | awk '{print $1}')
[ -n "$knobs" ] || { echo "bug_knobs: no knobs listed" >&2; exit 1; }
missed=0
count=0
for knob in $knobs; do
  count=$((count + 1))
  # A file per knob: the previous peer's output must never be read as this one's.
  "$shakedown" peer --listen 127.0.0.1:0 --bug "$knob" >"$work/peer-$knob.out" 2>/dev/null &
  peer=$!
  for _ in $(seq 200); do grep -q '^LISTENING ' "$work/peer-$knob.out" && break; sleep 0.05; done
  port=$(awk '/^LISTENING /{print $2; exit}' "$work/peer-$knob.out")
  [ -n "$port" ] || { echo "bug_knobs: peer with --bug $knob did not listen" >&2; exit 1; }
  set +e
  "$shakedown" conform --connect "127.0.0.1:$port" --quiet --timeout-scale "$scale" \
    --report-json "$out/bug-$knob-acceptor.json" >"$work/summary-$knob-acceptor" 2>/dev/null
  status=$?
  set -e
  kill "$peer" 2>/dev/null || true
  wait "$peer" 2>/dev/null || true
  peer=
  summary="$work/summary-$knob-acceptor"
  role=acceptor
  if [ -z "$(failures_of "$summary")" ]; then
    set +e
    "$shakedown" conform --shim "$shakedown peer --max-connections 1 --bug $knob" --role initiator --quiet \
      --timeout-scale "$scale" --report-json "$out/bug-$knob-initiator.json" >"$work/summary-$knob-initiator" \
      2>/dev/null
    status=$?
    set -e
    summary="$work/summary-$knob-initiator"
    role=initiator
  fi
  if grep -q 'could not reach the target' "$summary"; then
    echo "bug_knobs: the runner could not reach the peer with --bug $knob" >&2
    exit 1
  fi
  caught=$(failures_of "$summary")
  if [ -z "$caught" ] || [ "$status" -ne 1 ]; then
    echo "MISSED  $knob: no scenario FAILs (exit $status)"
    missed=$((missed + 1))
  else
    n=$(echo "$caught" | wc -l)
    echo "caught  $knob ($role, $n FAIL): $(echo "$caught" | head -3 | paste -sd' ' -)$([ "$n" -gt 3 ] && echo ' ...')"
  fi
done
echo "$((count - missed)) of $count bug knobs caught"
[ "$missed" -eq 0 ]
