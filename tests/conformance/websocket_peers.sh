#!/usr/bin/env bash
# Two shakedown processes complete a handshake over a variant's real WebSocket transport: the
# acceptor (`shakedown peer --listen`) and the initiator (`shakedown peer --connect`) must both
# print HANDSHAKE_OK. For a TLS transport the initiator pins the SubjectPublicKeyInfo hash the
# acceptor printed on its TRANSPORT line. For HiveMind, then, the RSA client's known-servers file:
# the first run records the server's key, a second run against another key on the same port is
# refused (untrusted_identity, the file and line named), and a malformed file is a usage error.
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
[ "$status" = 0 ] || exit "$status"
[ "$variant" = hivemind ] || exit 0

# Trust on first use: one RSA server on a port (KEY given: that key), one client run against it.
keys="$(cd "$(dirname "$0")/../.." && pwd)/vectors/hivemind/keys"
known="$work/known_servers"
rsa_run() {  # NAME PORT [KEY]: sets $port, and $code (the client's exit status; 0 once it completed)
  local name=$1 at=$2 key=()
  [ $# -lt 3 ] || key=(--key "$3")
  "$shakedown" peer --variant hivemind --mode rsa "${key[@]}" --listen "127.0.0.1:$at" --max-connections 1 \
    --timeout-ms 20000 >"$work/$name.acceptor.out" 2>&1 &
  local server=$!
  pids+=("$server")
  wait_for_line "$work/$name.acceptor.out" '^LISTENING ' || return 1
  port=$(awk '/^LISTENING /{print $2; exit}' "$work/$name.acceptor.out")
  # A completed connection stays open (each side waits for the other to close): the client's
  # first line decides, and a refused client exits by itself.
  "$shakedown" peer --variant hivemind --mode rsa --known-servers "$known" --connect "127.0.0.1:$port" \
    --timeout-ms 20000 >"$work/$name.out" 2>&1 &
  local client=$!
  pids+=("$client")
  wait_for_line "$work/$name.out" '^HANDSHAKE_' || return 1
  if grep -q '^HANDSHAKE_OK' "$work/$name.out"; then
    code=0
    kill "$client" 2>/dev/null || true
  else
    set +e
    wait "$client"
    code=$?
    set -e
  fi
  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  echo "== $name (exit $code)"; cat "$work/$name.out"
}
fail() { echo "websocket_peers: $*" >&2; exit 1; }
rsa_run first 0
[ "$code" = 0 ] || fail "the first RSA run with an empty known-servers file failed"
grep -Eq "^127\.0\.0\.1:$port SHA256:[0-9a-f]{64}\$" "$known" || fail "the server's key was not recorded: $(cat "$known")"
recorded=$(cat "$known")
rsa_run changed "$port" "$keys/other_rsa2048.pem"
[ "$code" = 1 ] || fail "a changed server key was not refused (exit $code)"
grep -q '^HANDSHAKE_FAILED untrusted_identity' "$work/changed.out" || fail "no untrusted_identity refusal"
grep -q "known servers: $known:1: 127.0.0.1:$port is known with SHA256:" "$work/changed.out" ||
  fail "the refusal does not name the file and the line"
[ "$(cat "$known")" = "$recorded" ] || fail "the known-servers file changed on a refusal"
printf '# servers\n127.0.0.1:%s SHA256:beef\n' "$port" >"$known"
set +e
"$shakedown" peer --variant hivemind --mode rsa --known-servers "$known" --connect "127.0.0.1:$port" \
  --timeout-ms 5000 >"$work/malformed.out" 2>&1
code=$?
set -e
echo "== malformed (exit $code)"; cat "$work/malformed.out"
[ "$code" = 2 ] || fail "a malformed known-servers file was not a configuration error (exit $code)"
grep -q "$known:2: the key fingerprint" "$work/malformed.out" || fail "the malformed line is not named"
exit 0
