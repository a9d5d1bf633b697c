#!/usr/bin/env python3
"""Per-target and per-variant coverage figures from the lcov exports ci/coverage.sh writes, for
the sources each variant's fuzz/<variant>/coverage.txt maps to its targets; checks the floors.

usage: coverage_report.py [--check] --root ROOT --profiles DIR coverage.txt...
"""
import argparse
import os
import re
import sys

FLOORS = {"parser": 90.0, "state_machine": 85.0}  # % of lines, over the union of a kind's targets
ERROR_RE = re.compile(r"\bError::(\w+)")


def read_map(path):
    variant = os.path.basename(os.path.dirname(path))
    rows = []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            line = line.split("#", 1)[0].split()
            if not line:
                continue
            if len(line) < 3 or line[1] not in FLOORS:
                sys.exit(f"{path}:{n}: want 'target kind source...', kind one of {sorted(FLOORS)}")
            rows.append((variant, line[0], line[1], line[2:]))
    return rows


def read_lcov(path, root):
    """{source relative to root: (lines {n: count}, branches {(line, block, branch): taken},
    functions {name: [first line, count]})}"""
    files, cur = {}, None
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line.startswith("SF:"):
                name = os.path.relpath(os.path.realpath(line[3:]), root)
                cur = files.setdefault(name, ({}, {}, {}))
            elif line.startswith("FN:") and cur is not None:
                n, fn = line[3:].split(",", 1)
                cur[2].setdefault(fn, [int(n), 0])
            elif line.startswith("FNDA:") and cur is not None:
                count, fn = line[5:].split(",", 1)
                entry = cur[2].setdefault(fn, [0, 0])
                entry[1] = max(entry[1], int(count))
            elif line.startswith("DA:") and cur is not None:
                n, count = line[3:].split(",")[:2]
                cur[0][int(n)] = max(cur[0].get(int(n), 0), int(count))
            elif line.startswith("BRDA:") and cur is not None:
                n, block, branch, taken = line[5:].split(",")
                key = (int(n), block, branch)
                cur[1][key] = max(cur[1].get(key, 0), 0 if taken == "-" else int(taken))
            elif line == "end_of_record":
                cur = None
    return files


def union(into, files):
    for name, (lines, branches, functions) in files.items():
        tl, tb, tf = into.setdefault(name, ({}, {}, {}))
        for k, v in lines.items():
            tl[k] = max(tl.get(k, 0), v)
        for k, v in branches.items():
            tb[k] = max(tb.get(k, 0), v)
        for k, (start, count) in functions.items():
            tf[k] = [start, max(tf.get(k, [start, 0])[1], count)]


def called_only(data):
    """A shared source (~path in coverage.txt) restricted to the functions that ran: the rest of a
    shared file is other variants' code. A function spans from its first line to the next one's."""
    lines, branches, functions = data
    starts = sorted({start for start, _ in functions.values()})
    live = sorted({start for start, count in functions.values() if count > 0})
    def owner(n):
        best = None
        for st in starts:
            if st <= n:
                best = st
        return best
    keep = lambda n: owner(n) in live
    return ({n: c for n, c in lines.items() if keep(n)}, {k: c for k, c in branches.items() if keep(k[0])},
            functions)


def figures(files, sources):
    lf = lh = bf = bh = 0
    for s in sources:
        lines, branches = files.get(s, ({}, {}, {}))[:2]
        lf += len(lines)
        lh += sum(1 for c in lines.values() if c > 0)
        bf += len(branches)
        bh += sum(1 for c in branches.values() if c > 0)
    pct = lambda h, f: 100.0 * h / f if f else 100.0
    return pct(lh, lf), lh, lf, pct(bh, bf), bh, bf


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", action="store_true")
    ap.add_argument("--root", required=True)
    ap.add_argument("--profiles", required=True)
    ap.add_argument("maps", nargs="+")
    a = ap.parse_args()
    root = os.path.realpath(a.root)

    rows = [r for m in a.maps for r in read_map(m)]
    groups = {}
    print(f"{'target':36} {'kind':14} {'lines':>16} {'branches':>16}  sources")
    for variant, target, kind, sources in rows:
        lcov = os.path.join(a.profiles, target + ".lcov")
        if not os.path.isfile(lcov):
            sys.exit(f"coverage_report: no profile for {target}")
        files = read_lcov(lcov, root)
        shared = {s[1:] for s in sources if s.startswith("~")}
        sources = [s.lstrip("~") for s in sources]
        for s in sources:
            if s not in files:
                sys.exit(f"coverage_report: {target} does not contain {s} (mapped in fuzz/{variant}/coverage.txt)")
        lp, lh, lf, bp, bh, bf = figures({s: called_only(files[s]) if s in shared else files[s] for s in sources},
                                         sources)
        sources = [("~" if s in shared else "") + s for s in sources]
        print(f"{target:36} {kind:14} {lp:6.1f}% {lh:4}/{lf:<4} {bp:6.1f}% {bh:4}/{bf:<4}  {' '.join(sources)}")
        g = groups.setdefault((variant, kind), ({}, set(), set()))
        union(g[0], {s.lstrip("~"): files[s.lstrip("~")] for s in sources})
        g[1].update(s.lstrip("~") for s in sources)
        g[2].update(shared)

    failures = []
    print()
    for (variant, kind), (files, sources, shared) in sorted(groups.items()):
        files = {s: called_only(d) if s in shared else d for s, d in files.items()}
        lp, lh, lf, bp, bh, bf = figures(files, sorted(sources))
        floor = FLOORS[kind]
        ok = lp >= floor
        print(f"{variant} {kind}: lines {lp:.1f}% ({lh}/{lf}), branches {bp:.1f}% ({bh}/{bf}); "
              f"floor {floor:.0f}% lines: {'met' if ok else 'NOT MET'}")
        if not ok:
            failures.append(f"{variant} {kind} lines {lp:.1f}% < {floor:.0f}%")
        if kind != "parser":
            continue
        # Every error value the parser code can return is reached: each line naming one ran.
        reached, missed = set(), []
        for s in sorted(sources):
            with open(os.path.join(root, s), encoding="utf-8") as f:
                for n, text in enumerate(f, 1):
                    for err in ERROR_RE.findall(text):
                        if n not in files[s][0]:
                            continue  # not code of this variant's (a shared file's uncalled function)
                        if files[s][0][n] > 0:
                            reached.add(err)
                        else:
                            missed.append(f"{s}:{n} Error::{err}")
        print(f"{variant} parser errors reached: {', '.join(sorted(reached)) or 'none'}"
              + (f"; NOT reached: {', '.join(missed)}" if missed else " (every error line)"))
        if missed:
            failures.append(f"{variant} parser error lines not reached: {', '.join(missed)}")

    if failures and a.check:
        for f in failures:
            print("coverage floor:", f, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
