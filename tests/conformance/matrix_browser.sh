#!/usr/bin/env bash
# The reports as a browser shows them: two small runs of the in-process reference (one with a bug
# knob, so that some scenarios FAIL) are merged with `shakedown report merge`, then headless
# Chromium loads the matrix and the per-target page with a verdict filter in the address and dumps
# the DOM the page's own script left. The checks: the filter hid exactly the rows without a FAIL,
# and the headlines count what the JSON reports hold. Also: malformed inputs are refused with exit 2
# and the file named. A screenshot of the matrix is left in OUT_DIR (a CI artifact).
# Without Chromium this FAILS (CI installs it with ci/install-deps.sh): a skipped browser test would
# let a broken page through unnoticed.
#   matrix_browser.sh SHAKEDOWN SCALE OUT_DIR
set -euo pipefail
shakedown=$1 scale=$2 out=$3
browser=""
for b in chromium chromium-browser google-chrome; do
  if command -v "$b" >/dev/null 2>&1; then browser=$b; break; fi
done
if [ -z "$browser" ]; then
  echo "matrix_browser: FAIL: no Chromium on PATH (tried chromium, chromium-browser, google-chrome);" \
       "ci/install-deps.sh installs the Debian package chromium" >&2
  exit 1
fi

mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

fail() { echo "matrix_browser: FAIL: $*" >&2; exit 1; }

# Two targets of one variant: the reference, and the reference with a MAC check switched off.
subset=(--only '*.happy.*' --only '*.mac.*')
"$shakedown" conform --variant stellar --reference --quiet --timeout-scale "$scale" "${subset[@]}" \
  --report-json "$out/reference.json" --html "$out/reference.html" >"$work/conform-1.out" 2>&1 ||
  { cat "$work/conform-1.out"; fail "the reference run did not pass"; }
set +e
"$shakedown" conform --variant stellar --reference --quiet --timeout-scale "$scale" "${subset[@]}" \
  --bug skip-mac-check --report-json "$out/skip-mac-check.json" --html "$out/skip-mac-check.html" \
  >"$work/conform-2.out" 2>&1
status=$?
set -e
[ "$status" -eq 1 ] || { cat "$work/conform-2.out"; fail "the run with a bug knob exited $status, not 1"; }

"$shakedown" report merge "$out/reference.json" "$out/skip-mac-check.json" --html "$out/matrix.html" \
  --junit "$out/matrix.xml" --json "$out/matrix.json" >"$work/merge.out" 2>&1 ||
  { cat "$work/merge.out"; fail "report merge failed"; }

# Malformed inputs: exit 2 and a message that names the file (and the JSON path).
expect_refused() {  # WHAT PATTERN FILE...
  local what=$1 pattern=$2
  shift 2
  set +e
  "$shakedown" report merge "$@" --html "$work/never.html" >"$work/refused.out" 2>&1
  local s=$?
  set -e
  [ "$s" -eq 2 ] || { cat "$work/refused.out"; fail "$what: exit $s, not 2"; }
  grep -qF -- "$pattern" "$work/refused.out" || { cat "$work/refused.out"; fail "$what: no '$pattern' in the message"; }
  [ ! -e "$work/never.html" ] || fail "$what: an output was written anyway"
}
expect_refused "missing file" "$work/absent.json: no such file" "$out/reference.json" "$work/absent.json"
printf '{"tool": "shakedown conform", ' >"$work/truncated.json"
expect_refused "invalid JSON" "$work/truncated.json: invalid JSON" "$work/truncated.json"
node -e '
  const fs = require("fs");
  const r = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  r.scenarios[2].verdict = "great";
  fs.writeFileSync(process.argv[2], JSON.stringify(r));' "$out/reference.json" "$work/schema.json"
expect_refused "wrong schema" "$work/schema.json: \$.scenarios[2].verdict: 'great' is not one of" \
  "$out/reference.json" "$work/schema.json"

run_browser() {  # URL DOM_OUT [more flags]
  local url=$1 dom=$2
  shift 2
  timeout 90 "$browser" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
    --user-data-dir="$work/profile" "$@" --dump-dom "$url" >"$dom" 2>"$work/browser.err" ||
    { tail -20 "$work/browser.err"; fail "$browser could not load $url"; }
  [ -s "$dom" ] || { tail -20 "$work/browser.err"; fail "$browser dumped no DOM for $url"; }
}

run_browser "file://$out/matrix.html#filter=FAIL" "$out/matrix-fail.dom.html"
run_browser "file://$out/matrix.html" "$out/matrix-all.dom.html"
run_browser "file://$out/skip-mac-check.html#filter=FAIL" "$out/skip-mac-check-fail.dom.html"

# The DOM against the JSON reports: which rows the filter leaves, and what the headlines say.
node - "$out/reference.json" "$out/skip-mac-check.json" "$out/matrix-fail.dom.html" "$out/matrix-all.dom.html" \
  "$out/skip-mac-check-fail.dom.html" <<'EOF'
const fs = require("fs");
const [refPath, bugPath, failDom, allDom, reportDom] = process.argv.slice(2);
const reports = [refPath, bugPath].map((p) => JSON.parse(fs.readFileSync(p, "utf8")));
const problems = [];
const check = (ok, what) => { if (!ok) problems.push(what); };

// The headline the pages must show for one report.
function headline(scenarios) {
  const n = {};
  for (const s of scenarios) n[s.outcome] = (n[s.outcome] || 0) + 1;
  const total = scenarios.length;
  if (total === 0) return "no scenarios";
  if (n.PASS === total) return `all ${total} scenario${total === 1 ? "" : "s"} PASS`;
  const order = [["FAIL", "unexpected FAIL"], ["XPASS", "XPASS"], ["NON-STRICT", "NON-STRICT"], ["XFAIL", "XFAIL"],
                 ["UNIMPLEMENTED", "UNIMPLEMENTED"], ["SKIPPED", "SKIPPED"], ["PASS", "PASS"]];
  return order.filter(([l]) => n[l]).map(([l, t]) => `${n[l]} ${t}`).join(", ");
}
const text = (html) => html.replace(/<[^>]*>/g, "").replace(/&amp;/g, "&").trim();

// Rows of the matrix: <tr class="fr" id=... data-v="..." [style="display: none;"]>.
function rows(dom) {
  const out = [];
  for (const m of dom.matchAll(/<tr class="fr"([^>]*)>/g)) {
    const attrs = m[1];
    out.push({
      v: (/data-v="([^"]*)"/.exec(attrs) || [])[1] || "",
      hidden: /style="[^"]*display:\s*none/.test(attrs),
    });
  }
  return out;
}

const failIds = new Set(reports.flatMap((r) => r.scenarios.filter((s) => s.outcome === "FAIL").map((s) => s.id)));
const allIds = new Set(reports.flatMap((r) => r.scenarios.map((s) => s.id)));
check(failIds.size > 0, "the bug knob made nothing FAIL: the filter check would prove nothing");
check(failIds.size < allIds.size, "every scenario FAILs: the filter check would prove nothing");

const fail = fs.readFileSync(failDom, "utf8");
const filtered = rows(fail);
check(filtered.length === allIds.size, `matrix#filter=FAIL: ${filtered.length} rows, expected ${allIds.size}`);
const shown = filtered.filter((r) => !r.hidden);
check(shown.length === failIds.size, `matrix#filter=FAIL: ${shown.length} rows shown, expected the ${failIds.size} with a FAIL`);
check(shown.every((r) => r.v.split(" ").includes("FAIL")), "matrix#filter=FAIL: a row without FAIL is shown");
check(filtered.filter((r) => r.hidden).every((r) => !r.v.split(" ").includes("FAIL")), "matrix#filter=FAIL: a FAIL row is hidden");
check(filtered.some((r) => r.hidden && r.v === "PASS"), "matrix#filter=FAIL: no all-PASS row was hidden");
check(/<body[^>]*data-filter="FAIL"/.test(fail), "matrix#filter=FAIL: the body does not record the filter");
check(/data-v="PASS" aria-pressed="false"/.test(fail) && /data-v="FAIL" aria-pressed="true"/.test(fail),
      "matrix#filter=FAIL: the buttons do not show the filter");

const all = rows(fs.readFileSync(allDom, "utf8"));
check(all.length === allIds.size && all.every((r) => !r.hidden), "matrix without a filter: some rows are hidden");

// Headlines: the page's, and one per target.
const failing = reports.filter((r) => r.summary.unexpected_failures > 0).length;
const failures = reports.reduce((n, r) => n + r.summary.unexpected_failures, 0);
const page = (/<p class="headline" id="headline">(.*?)<\/p>/.exec(fail) || [])[1];
const pageWant = `2 reports, 1 variant: ${failures} unexpected FAIL in ${failing} of 2`;
check(page === pageWant, `matrix headline '${page}', expected '${pageWant}'`);
reports.forEach((r, i) => {
  const got = (new RegExp(`<li id="headline-0-${i}">.*?<span class="hl">(.*?)</span>`).exec(fail) || [])[1];
  const want = headline(r.scenarios);
  check(got === want, `matrix headline of ${r.target}: '${got}', expected '${want}'`);
});

// The per-target page of the run with the bug knob.
const report = fs.readFileSync(reportDom, "utf8");
const got = text((/<p class="headline" id="headline">(.*?)<\/p>/.exec(report) || [])[1] || "");
check(got === headline(reports[1].scenarios), `report headline '${got}', expected '${headline(reports[1].scenarios)}'`);
const details = [...report.matchAll(/<details class="sc fr"([^>]*)>/g)].map((m) => ({
  v: (/data-v="([^"]*)"/.exec(m[1]) || [])[1],
  hidden: /style="[^"]*display:\s*none/.test(m[1]),
}));
check(details.length === reports[1].scenarios.length, `report: ${details.length} scenarios, expected ${reports[1].scenarios.length}`);
check(details.every((d) => d.hidden === (d.v !== "FAIL")), "report#filter=FAIL: shows a non-FAIL or hides a FAIL");
const firstOther = details.findIndex((d) => d.v !== "FAIL");
check(firstOther > 0 && details.slice(firstOther).every((d) => d.v !== "FAIL"),
      "report: the unexpected FAILs do not come first");

if (problems.length) {
  for (const p of problems) console.error("matrix_browser: FAIL: " + p);
  process.exit(1);
}
console.log(`matrix: ${shown.length} of ${filtered.length} rows shown with #filter=FAIL; headlines: ${page}; ` +
            reports.map((r) => headline(r.scenarios)).join(" | "));
EOF

# The screenshot artifact: the whole matrix, unfiltered.
rm -f "$out/matrix.png"
timeout 90 "$browser" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
  --user-data-dir="$work/profile" --hide-scrollbars --window-size=1280,2000 --screenshot="$out/matrix.png" \
  "file://$out/matrix.html" >/dev/null 2>"$work/browser.err" || { tail -20 "$work/browser.err"; fail "no screenshot"; }
[ "$(head -c 8 "$out/matrix.png" | od -An -tx1 | tr -d ' \n')" = "89504e470d0a1a0a" ] || fail "$out/matrix.png is not a PNG"
echo "matrix_browser: screenshot $out/matrix.png ($(stat -c %s "$out/matrix.png") bytes)"
