#!/usr/bin/env bash
# A variant's catalogue against its reference peer must PASS everywhere, in every profile
# (NON-STRICT counts as a failure here: the reference is never deliberately non-strict).
#   self_test.sh MODE VARIANT SHAKEDOWN SCALE OUT_DIR SOURCE_DIR
# MODE: in-process | acceptor (shakedown peer --listen, conform --connect)
#       | initiator (conform --listen, shakedown peer --connect reconnecting) | shim
# A running target (acceptor, initiator) is started once per configuration the catalogue lists for
# its role (conform --list-target-configs), with that configuration's flags, and graded on the
# scenarios that need it (--target-config): together, every scenario of the role.
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

# SHAKEDOWN_SELF_TEST_PROFILES=N: the variant's first N profiles only (self-test-modes'
# `first-profile`).
if [[ -n "${SHAKEDOWN_SELF_TEST_PROFILES:-}" ]]; then
  profiles=("${profiles[@]:0:$SHAKEDOWN_SELF_TEST_PROFILES}")
fi

# Conform flags of the variant's self-test (conformance/expectations/<variant>/self-test-flags,
# whitespace-separated: e.g. shortening the deadlines the deadline scenarios wait out).
extra=()
flags_file="$src/conformance/expectations/$variant/self-test-flags"
[[ -f $flags_file ]] && read -r -a extra < <(grep -v '^#' "$flags_file" | tr '\n' ' '; echo)
# A shim scenario mostly waits for the target's reaction: twice the runner's default at once.
shim_jobs=$((6 * $(nproc)))

status=0
for profile in "${profiles[@]}"; do
  expect="$src/conformance/expectations/$variant/reference-$profile.json"
  [[ -f $expect ]] || expect="$src/conformance/expectations/$variant/reference.json"
  tag="$variant-$profile-$mode"
  common=(--variant "$variant" --profile "$profile" --quiet --timeout-scale "$scale" --fail-on-non-strict
          --expectations "$expect" "${extra[@]}")
  reports=(--report-json "$out/reference-$tag.json" --junit "$out/reference-$tag.xml" --html "$out/reference-$tag.html")
  peer=(peer --variant "$variant" --profile "$profile")
  echo "== $variant / $profile / $mode"
  rc=0
  case "$mode" in
    in-process)
      "$shakedown" conform --reference "${common[@]}" "${reports[@]}" || rc=$?
      ;;
    acceptor|initiator)
      # Each configuration for this role: its index, then its flags one per line.
      "$shakedown" conform --variant "$variant" --profile "$profile" --list-target-configs --json "${extra[@]}" \
        >"$work/configs-$profile.json"
      mapfile -t indices < <(node -e '
        const c = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
        for (const x of c) if (x[process.argv[2]] > 0) console.log(x.index);' "$work/configs-$profile.json" "$mode")
      for k in "${indices[@]}"; do
        mapfile -t flags < <(node -e '
          const c = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
          for (const f of c[Number(process.argv[2])].flags) console.log(f);' "$work/configs-$profile.json" "$k")
        echo "-- configuration $k: ${flags[*]}"
        run=(--target-config "$k" --report-json "$out/reference-$tag-config$k.json"
             --junit "$out/reference-$tag-config$k.xml" --html "$out/reference-$tag-config$k.html")
        krc=0
        if [[ $mode == acceptor ]]; then
          "$shakedown" "${peer[@]}" "${flags[@]}" --listen 127.0.0.1:0 >"$work/peer-$profile-$k.out" \
            2>"$work/peer-$profile-$k.err" &
          peer_pid=$!
          pids+=("$peer_pid")
          wait_for_line "$work/peer-$profile-$k.out" '^LISTENING '
          port=$(awk '/^LISTENING /{print $2; exit}' "$work/peer-$profile-$k.out")
          "$shakedown" conform --connect "127.0.0.1:$port" "${common[@]}" "${run[@]}" || krc=$?
        else
          "$shakedown" conform --listen 127.0.0.1:0 --port-file "$work/port-$profile-$k" "${common[@]}" "${run[@]}" \
            >"$work/conform-$profile-$k.out" 2>&1 &
          conform=$!
          wait_for_line "$work/port-$profile-$k" '[0-9]'
          "$shakedown" "${peer[@]}" "${flags[@]}" --connect "127.0.0.1:$(cat "$work/port-$profile-$k")" \
            --max-connections 0 >"$work/peer-$profile-$k.out" 2>&1 &
          peer_pid=$!
          pids+=("$peer_pid")
          wait "$conform" || krc=$?
          cat "$work/conform-$profile-$k.out"
        fi
        kill "$peer_pid" 2>/dev/null || true
        wait "$peer_pid" 2>/dev/null || true
        if ((krc != 0)); then
          echo "self_test: $variant / $profile / $mode, configuration $k exited $krc" >&2
          tail -n 20 "$work/peer-$profile-$k.err" 2>/dev/null >&2 || true
          rc=$krc
        fi
      done
      ;;
    shim)
      "$shakedown" conform --shim "$shakedown ${peer[*]} --max-connections 1" --jobs "$shim_jobs" "${common[@]}" "${reports[@]}" || rc=$?
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
