#!/usr/bin/env bash
# Every bug knob of every variant with a catalogue must make exactly the scenarios it declares
# (registry Knob::must_fail, `shakedown list --json`) FAIL against the in-process reference: each
# declared pattern matches at least one scenario, and every scenario it matches FAILs. A knob that
# declares nothing is itself a failure. Each run is limited to the declared scenarios (--only).
#   bug_knobs.sh SHAKEDOWN SCALE OUT_DIR [VARIANT...]
set -euo pipefail
shakedown=$1 scale=$2 out=$3
shift 3
mkdir -p "$out"
list=$("$shakedown" list --json)
variants=("$@")
if ((${#variants[@]} == 0)); then
  mapfile -t variants < <(echo "$list" | node -e '
    for (const v of JSON.parse(require("fs").readFileSync(0, "utf8"))) if (v.conformance && v.reference_peer) console.log(v.name);')
fi
missed=0
count=0
for v in "${variants[@]}"; do
  # One line per knob and profile it applies to: "KNOB PROFILE" (every profile when it names none).
  mapfile -t runs < <(echo "$list" | node -e '
    const v = JSON.parse(require("fs").readFileSync(0, "utf8")).find((x) => x.name === process.argv[1]);
    for (const k of v.knobs)
      for (const p of (k.profiles.length ? k.profiles : v.profiles.map((x) => x.name))) console.log(k.name + " " + p);' "$v")
  for run in "${runs[@]}"; do
    knob=${run% *} profile=${run#* }
    count=$((count + 1))
    report="$out/bug-$v-$profile-$knob.json"
    # Only the scenarios the knob declares: whether they FAIL is the whole question.
    mapfile -t only < <(echo "$list" | node -e '
      const [variant, knob] = process.argv.slice(1);
      const v = JSON.parse(require("fs").readFileSync(0, "utf8")).find((x) => x.name === variant);
      for (const p of v.knobs.find((x) => x.name === knob).must_fail) console.log(p);' "$v" "$knob")
    only_args=()
    ((${#only[@]})) && only_args=(--only "${only[@]}")
    set +e
    "$shakedown" conform --variant "$v" --profile "$profile" --reference --bug "$knob" --quiet --timeout-scale "$scale" \
      --report-json "$report" "${only_args[@]}" >/dev/null 2>&1
    set -e
    verdict=$(echo "$list" | node -e '
      const [variant, knob, path] = process.argv.slice(1);
      const v = JSON.parse(require("fs").readFileSync(0, "utf8")).find((x) => x.name === variant);
      const k = v.knobs.find((x) => x.name === knob);
      let r;
      try { r = JSON.parse(require("fs").readFileSync(path, "utf8")); } catch (e) { console.log("MISSED no report: " + e.message); process.exit(0); }
      const re = (p) => new RegExp("^" + p.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*") + "$");
      const problems = [];
      if (k.must_fail.length === 0) problems.push("declares no scenario");
      let matched = 0;
      for (const p of k.must_fail) {
        const hits = r.scenarios.filter((s) => re(p).test(s.id));
        if (hits.length === 0) problems.push(p + " matches no scenario");
        for (const s of hits) { matched++; if (s.outcome !== "FAIL") problems.push(s.id + " is " + s.outcome); }
      }
      const fails = r.scenarios.filter((s) => s.outcome === "FAIL").length;
      console.log(problems.length ? "MISSED " + problems.slice(0, 4).join("; ") : `caught ${matched} declared (${fails} FAIL in all)`);
    ' "$v" "$knob" "$report")
    case "$verdict" in
      caught*) echo "caught  $v/$profile/$knob: ${verdict#caught }" ;;
      *) echo "MISSED  $v/$profile/$knob: ${verdict#MISSED }"; missed=$((missed + 1)) ;;
    esac
  done
done
echo "$((count - missed)) of $count bug knobs caught by the scenarios they declare"
[ "$count" -gt 0 ] && [ "$missed" -eq 0 ]
