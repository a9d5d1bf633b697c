#!/usr/bin/env bash
# A variant's catalogue against its reference peer must PASS everywhere, in every profile
# (NON-STRICT counts as a failure here: the reference is never deliberately non-strict).
#   self_test.sh MODE VARIANT SHAKEDOWN SCALE OUT_DIR SOURCE_DIR
# MODE: in-process | acceptor (shakedown peer --listen, conform --connect)
#       | initiator (conform --listen, shakedown peer --connect reconnecting) | shim
# Expectations: conformance/expectations/<variant>/reference-<profile>.json when present, else
# reference.json.
set -euo pipefail
mode=$1 variant=$2 shakedown=$3 scale=$4 out=$5 src=$6
mkdir -p "$out"
lib_name=self_test
source "$(dirname "$0")/peer_lib.sh"

mapfile -t profiles < <("$shakedown" list --json | node -e '
  const v = JSON.parse(require("fs").readFileSync(0, "utf8")).find((x) => x.name === process.argv[1]);
  if (!v) { console.error("self_test: no variant " + process.argv[1]); process.exit(2); }
  if (!v.conformance) { console.error("self_test: " + v.name + " has no catalogue"); process.exit(2); }
  for (const p of v.profiles) console.log(p.name);' "$variant")

status=0
for profile in "${profiles[@]}"; do
  expect="$src/conformance/expectations/$variant/reference-$profile.json"
  [[ -f $expect ]] || expect="$src/conformance/expectations/$variant/reference.json"
  tag="$variant-$profile-$mode"
  common=(--variant "$variant" --profile "$profile" --quiet --timeout-scale "$scale" --fail-on-non-strict
          --expectations "$expect" --report-json "$out/reference-$tag.json" --junit "$out/reference-$tag.xml"
          --html "$out/reference-$tag.html")
  peer=(peer --variant "$variant" --profile "$profile")
  echo "== $variant / $profile / $mode"
  rc=0
  case "$mode" in
    in-process)
      "$shakedown" conform --reference "${common[@]}" || rc=$?
      ;;
    acceptor)
      "$shakedown" "${peer[@]}" --listen 127.0.0.1:0 >"$work/peer-$profile.out" 2>"$work/peer-$profile.err" &
      pids+=($!)
      wait_for_line "$work/peer-$profile.out" '^LISTENING '
      port=$(awk '/^LISTENING /{print $2; exit}' "$work/peer-$profile.out")
      "$shakedown" conform --connect "127.0.0.1:$port" "${common[@]}" || rc=$?
      ;;
    initiator)
      "$shakedown" conform --listen 127.0.0.1:0 --port-file "$work/port-$profile" "${common[@]}" \
        >"$work/conform-$profile.out" 2>&1 &
      conform=$!
      wait_for_line "$work/port-$profile" '[0-9]'
      "$shakedown" "${peer[@]}" --connect "127.0.0.1:$(cat "$work/port-$profile")" --max-connections 0 \
        >"$work/peer-$profile.out" 2>&1 &
      pids+=($!)
      wait "$conform" || rc=$?
      cat "$work/conform-$profile.out"
      ;;
    shim)
      "$shakedown" conform --shim "$shakedown ${peer[*]} --max-connections 1" "${common[@]}" || rc=$?
      ;;
    *)
      echo "self_test: unknown mode $mode" >&2
      exit 2
      ;;
  esac
  if ((rc != 0)); then
    echo "self_test: $variant / $profile / $mode exited $rc" >&2
    status=1
  fi
done
exit "$status"
