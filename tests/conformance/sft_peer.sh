#!/usr/bin/env bash
# Two shakedown processes complete an SFT handshake over TCP in each profile: one
# `peer --listen` (the server), one `peer --connect` (the client). Each side must print
# HANDSHAKE_OK and exit 0 (an established session lasts until the client's --timeout-ms
# ends it; the server then sees the close). The client's lifetime covers its whole handshake: in
# upstream-v2 that is two PBKDF2 derivations of 600,000 iterations in turn (the server's, then its
# own) before H4 can arrive, which a loaded 2-core machine running other tests beside this one can
# stretch past several seconds; so that profile's client gets a generous lifetime.
#   sft_peer.sh SHAKEDOWN
set -euo pipefail
shakedown=$1
lib_name=sft_peer
source "$(dirname "$0")/peer_lib.sh"

# RFC 8032 tests 1 (server) and 2 (described client): seeds and public keys.
server_seed=9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60
server_id=d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a
client_seed=4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb
client_id=3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c


for profile in described upstream-v2; do
  server_flags=(--identity-seed "$server_seed")
  client_flags=(--identity-seed "$client_seed" --peer-identity "$server_id")
  client_lifetime=15000
  if [ "$profile" = described ]; then
    server_flags+=(--peer-identity "$client_id")
    # The described client derives its keys after its last message and needs nothing more.
    client_lifetime=4000
  fi
  out="$work/$profile"
  "$shakedown" peer --variant sft --profile "$profile" --listen 127.0.0.1:0 --max-connections 1 \
    --timeout-ms 40000 "${server_flags[@]}" >"$out.server" 2>"$out.server.err" &
  server=$!
  pids+=("$server")
  wait_for_line "$out.server" '^LISTENING '
  port=$(awk '/^LISTENING /{print $2; exit}' "$out.server")
  client_status=0
  timeout 30 "$shakedown" peer --variant sft --profile "$profile" --connect "127.0.0.1:$port" \
    --timeout-ms "$client_lifetime" \
    "${client_flags[@]}" >"$out.client" 2>"$out.client.err" || client_status=$?
  server_status=0
  wait "$server" || server_status=$?
  echo "== $profile: server exit $server_status, client exit $client_status"
  cat "$out.server" "$out.client"
  for err in "$out.server.err" "$out.client.err"; do
    if [ -s "$err" ]; then
      echo "-- $(basename "$err"):"
      cat "$err"
    fi
  done
  [ "$server_status" -eq 0 ] && [ "$client_status" -eq 0 ]
  grep -qx 'LISTENING [0-9]*' "$out.server"
  grep -q '^HANDSHAKE_OK' "$out.server"
  grep -q '^HANDSHAKE_OK' "$out.client"
  if grep -q '^HANDSHAKE_FAILED\|^REFUSED' "$out.server" "$out.client"; then
    echo "sft_peer: $profile: a side reported a failure" >&2
    exit 1
  fi
done
echo "sft_peer: both profiles completed"
