#!/usr/bin/env bash
# Two shakedown processes complete a handshake over a variant's real WebSocket transport: the
# acceptor (`shakedown peer --listen`) and the initiator (`shakedown peer --connect`) must both
# print HANDSHAKE_OK. For a TLS transport the initiator pins the SubjectPublicKeyInfo hash the
# acceptor printed on its TRANSPORT line.
#   websocket_peers.sh VARIANT SHAKEDOWN SCALE
set -euo pipefail
variant=$1 shakedown=$2 scale=$3
lib_name=websocket_peers
source "$(dirname "$0")/peer_lib.sh"


acceptor_flags=() initiator_flags=()
case "$variant" in
  hivemind)
    acceptor_flags=(--access-key shakedown-access-key)
    initiator_flags=(--useragent websocket-peers --access-key shakedown-access-key)
    ;;
  shadowmesh)
    sid=000102030405060708090a0b0c0d0e0f
    a=0101010101010101010101010101010101010101010101010101010101010101
    b=2121212121212121212121212121212121212121212121212121212121212121
    acceptor_flags=(--session-id "$sid" --tx-key "$a" --rx-key "$b")
    initiator_flags=(--session-id "$sid" --tx-key "$b" --rx-key "$a")
    ;;
  *)
    echo "websocket_peers: unknown variant $variant" >&2
    exit 2
    ;;
esac

"$shakedown" peer --variant "$variant" --listen 127.0.0.1:0 --max-connections 1 --timeout-ms 20000 \
  "${acceptor_flags[@]}" >"$work/acceptor.out" 2>"$work/acceptor.err" &
pids+=($!)
wait_for_line "$work/acceptor.out" '^LISTENING '
port=$(awk '/^LISTENING /{print $2; exit}' "$work/acceptor.out")
spki=$(awk '/^TRANSPORT /{for (i = 2; i < NF; i++) if ($i == "SPKI_SHA256") print $(i + 1); exit}' "$work/acceptor.out")
if [ "$variant" = shadowmesh ]; then
  if [ -z "$spki" ]; then
    echo "websocket_peers: the TLS acceptor printed no SPKI_SHA256 pin" >&2
    cat "$work/acceptor.out" >&2
    exit 1
  fi
  initiator_flags+=(--pinned-cert "$spki")
fi

"$shakedown" peer --variant "$variant" --connect "127.0.0.1:$port" --timeout-ms 20000 \
  "${initiator_flags[@]}" >"$work/initiator.out" 2>"$work/initiator.err" &
pids+=($!)
status=0
wait_for_line "$work/initiator.out" '^HANDSHAKE_OK ' || status=1
wait_for_line "$work/acceptor.out" '^HANDSHAKE_OK ' || status=1
echo "== acceptor"; cat "$work/acceptor.out" "$work/acceptor.err"
echo "== initiator"; cat "$work/initiator.out" "$work/initiator.err"
exit "$status"
