#!/usr/bin/env bash
# Every bug knob of every variant with a catalogue must make exactly the scenarios it declares
# (registry Knob::must_fail, `shakedown list --json`) FAIL against the in-process reference: each
# declared pattern matches at least one scenario, and every scenario it matches FAILs. A knob that
# declares nothing is itself a failure, unless it says why no scenario can see it and which unit
# test catches it instead (off_the_wire). Each run is limited to the declared scenarios (--only);
# KNOB_JOBS runs (default 6) go at once, since most of a run is spent waiting for a deadline (load
# can only make a run later, never turn a declared FAIL into a PASS).
#   bug_knobs.sh SHAKEDOWN SCALE OUT_DIR [VARIANT...]
set -euo pipefail
shakedown=$1 scale=$2 out=$3
shift 3
jobs=${KNOB_JOBS:-6}
mkdir -p "$out"
list=$("$shakedown" list --json)
echo "$list" >"$out/knobs-list.json"
# One line per knob and profile it applies to (every profile when it names none):
#   VARIANT US PROFILE US KNOB US OFF_THE_WIRE US PATTERN...   (US: the unit separator, 0x1f, which
# unlike a tab keeps empty fields apart)
mapfile -t plan < <(node -e '
  const list = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  const wanted = process.argv.slice(2);
  for (const v of list) {
    if (!(wanted.length ? wanted.includes(v.name) : v.conformance && v.reference_peer)) continue;
    for (const k of v.knobs)
      for (const p of (k.profiles.length ? k.profiles : v.profiles.map((x) => x.name)))
        console.log([v.name, p, k.name, k.must_fail.length ? "" : (k.off_the_wire || ""), ...k.must_fail].join("\x1f"));
  }' "$out/knobs-list.json" "$@")

src=$(cd "$(dirname "$0")/../.." && pwd)
run_one() {
  local variant=$1 profile=$2 knob=$3
  shift 3
  local only=() extra=()
  (($#)) && only=(--only "$@")
  # The variant's self-test conform flags (see self_test.sh).
  local flags_file="$src/conformance/expectations/$variant/self-test-flags"
  [[ -f $flags_file ]] && read -r -a extra < <(grep -v '^#' "$flags_file" | tr '\n' ' '; echo)
  rm -f "$out/bug-$variant-$profile-$knob.json"
  "$shakedown" conform --variant "$variant" --profile "$profile" --reference --bug "$knob" --quiet \
    --timeout-scale "$scale" --report-json "$out/bug-$variant-$profile-$knob.json" "${only[@]}" "${extra[@]}" >/dev/null 2>&1 || true
}

running=0
for line in "${plan[@]}"; do
  IFS=$'\x1f' read -r -a f <<<"$line"
  [[ -n "${f[3]}" ]] && continue  # off the wire: nothing to run
  ((${#f[@]} > 4)) || continue     # declares nothing: judged below
  run_one "${f[0]}" "${f[1]}" "${f[2]}" "${f[@]:4}" &
  running=$((running + 1))
  if ((running >= jobs)); then
    wait -n || true
    running=$((running - 1))
  fi
done
wait || true

missed=0 count=0 offwire=0
for line in "${plan[@]}"; do
  IFS=$'\x1f' read -r -a f <<<"$line"
  v=${f[0]} profile=${f[1]} knob=${f[2]}
  count=$((count + 1))
  if [[ -n "${f[3]}" ]]; then
    echo "offwire $v/$profile/$knob: ${f[3]}"
    offwire=$((offwire + 1))
    continue
  fi
  verdict=$(node -e '
    const [path, ...patterns] = process.argv.slice(1);
    if (patterns.length === 0) { console.log("MISSED declares no scenario"); process.exit(0); }
    let r;
    try { r = JSON.parse(require("fs").readFileSync(path, "utf8")); } catch (e) { console.log("MISSED no report: " + e.message); process.exit(0); }
    const re = (p) => new RegExp("^" + p.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*") + "$");
    const problems = [];
    let matched = 0;
    for (const p of patterns) {
      const hits = r.scenarios.filter((s) => re(p).test(s.id));
      if (hits.length === 0) problems.push(p + " matches no scenario");
      for (const s of hits) { matched++; if (s.outcome !== "FAIL") problems.push(s.id + " is " + s.outcome); }
    }
    console.log(problems.length ? "MISSED " + problems.slice(0, 4).join("; ") : `caught ${matched} declared`);
  ' "$out/bug-$v-$profile-$knob.json" "${f[@]:4}")
  case "$verdict" in
    caught*) echo "caught  $v/$profile/$knob: ${verdict#caught }" ;;
    *) echo "MISSED  $v/$profile/$knob: ${verdict#MISSED }"; missed=$((missed + 1)) ;;
  esac
done
echo "$((count - missed - offwire)) of $count bug knobs caught by the scenarios they declare; $offwire off the wire (a unit test catches each)"
[ "$count" -gt "$offwire" ] && [ "$missed" -eq 0 ]
