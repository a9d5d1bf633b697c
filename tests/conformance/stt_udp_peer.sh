#!/usr/bin/env bash
# Two shakedown processes complete an STT handshake over UDP: `peer --listen` (the reference node:
# one HandshakeManager behind one socket) and `peer --connect` (an initiator on a connected socket).
# Each prints HANDSHAKE_OK with the other's node id and exits 0.
#   stt_udp_peer.sh SHAKEDOWN SCALE
set -euo pipefail
shakedown=$1 scale=$2
lib_name=stt_udp_peer
source "$(dirname "$0")/peer_lib.sh"
timeout_ms=$(awk -v s="$scale" 'BEGIN { printf "%d", 10000 * s }')

# node_id = SHA-256(node seed); both are given here so the test knows them.
initiator_seed=$(printf '11%.0s' $(seq 32))
acceptor_seed=$(printf '22%.0s' $(seq 32))
initiator_id=$(printf '\x11%.0s' $(seq 32) | sha256sum | cut -d' ' -f1)
acceptor_id=$(printf '\x22%.0s' $(seq 32) | sha256sum | cut -d' ' -f1)

"$shakedown" peer --variant stt --listen 127.0.0.1:0 --max-connections 1 --timeout-ms "$timeout_ms" \
  --node-seed "$acceptor_seed" >"$work/acceptor.out" 2>"$work/acceptor.err" &
acceptor=$!
pids+=("$acceptor")
for _ in $(seq 200); do
  grep -q '^LISTENING ' "$work/acceptor.out" 2>/dev/null && break
  sleep 0.05
done
port=$(awk '/^LISTENING /{print $2; exit}' "$work/acceptor.out")
if [ -z "$port" ]; then
  echo "stt_udp_peer: the acceptor printed no LISTENING line" >&2
  cat "$work/acceptor.out" "$work/acceptor.err" >&2
  exit 1
fi

status=0
"$shakedown" peer --variant stt --connect "127.0.0.1:$port" --timeout-ms "$timeout_ms" \
  --node-seed "$initiator_seed" >"$work/initiator.out" 2>"$work/initiator.err" || status=$?
acceptor_status=0
wait "$acceptor" || acceptor_status=$?
pids=()
echo "== initiator (exit $status)"; cat "$work/initiator.out" "$work/initiator.err"
echo "== acceptor (exit $acceptor_status)"; cat "$work/acceptor.out" "$work/acceptor.err"
[ "$status" -eq 0 ] || { echo "stt_udp_peer: initiator exit $status" >&2; exit 1; }
[ "$acceptor_status" -eq 0 ] || { echo "stt_udp_peer: acceptor exit $acceptor_status" >&2; exit 1; }
grep -qx "HANDSHAKE_OK $acceptor_id" "$work/initiator.out" || { echo "stt_udp_peer: initiator did not authenticate the acceptor" >&2; exit 1; }
grep -qx "HANDSHAKE_OK $initiator_id" "$work/acceptor.out" || { echo "stt_udp_peer: acceptor did not authenticate the initiator" >&2; exit 1; }
grep -q '^CLOSED ' "$work/initiator.out" || { echo "stt_udp_peer: initiator printed no CLOSED line" >&2; exit 1; }
echo "stt_udp_peer: handshake completed between two processes over UDP"
