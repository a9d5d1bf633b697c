#!/usr/bin/env python3
"""Reads the memcheck XML files of ci/ct.sh (one per variant/profile/pair) and counts the reports
("Conditional jump or move depends on uninitialised value(s)", "Use of uninitialised value")
whose error stack has a frame in the project's reference (impl/) or its registry glue
(conformance/). Library internals are suppressed by ci/ct.supp before they get here.

The role is read from the stack: every call into a machine goes through ct_frame_initiator or
ct_frame_acceptor (tests/ct/ct_main.cpp).

  ct_report.py --root REPO [--expect-reports] FILE.xml...

Prints one line per file and role, then every counted report with its stack. Exit 0 when no
report was counted (or, with --expect-reports, when every file has at least one), 1 otherwise.
"""
import argparse
import os
import sys
import xml.etree.ElementTree as ET

KINDS = {"UninitCondition", "UninitValue"}
PROJECT_DIRS = ("impl", "conformance")


def frames(stack):
    out = []
    for f in stack.findall("frame"):
        d = f.findtext("dir") or ""
        name = f.findtext("file") or ""
        out.append({
            "fn": f.findtext("fn") or "?",
            "obj": f.findtext("obj") or "",
            "path": os.path.join(d, name) if name else "",
            "line": f.findtext("line") or "",
        })
    return out


def in_project(frame, root):
    path = frame["path"]
    if not path.startswith(root + os.sep):
        return False
    rel = os.path.relpath(path, root)
    return rel.split(os.sep, 1)[0] in PROJECT_DIRS


def role_of(fs):
    for f in fs:
        if "ct_frame_initiator" in f["fn"]:
            return "initiator"
        if "ct_frame_acceptor" in f["fn"]:
            return "acceptor"
    return "driver"


def parse(path, root):
    """(counted reports, other reports) of one XML file; each report: (kind, role, frames)."""
    try:
        tree = ET.parse(path)
    except ET.ParseError as e:
        sys.exit(f"{path}: not a complete memcheck XML file ({e})")
    counted, other = [], []
    for err in tree.getroot().findall("error"):
        kind = err.findtext("kind") or ""
        if kind not in KINDS:
            other.append((kind, "?", []))
            continue
        stack = err.find("stack")
        fs = frames(stack) if stack is not None else []
        report = (kind, role_of(fs), fs)
        (counted if any(in_project(f, root) for f in fs) else other).append(report)
    return counted, other


def show(report, root):
    kind, role, fs = report
    print(f"    {kind} ({role})")
    for f in fs:
        where = os.path.relpath(f["path"], root) if f["path"].startswith(root) else (f["path"] or f["obj"])
        print(f"      {f['fn']}  {where}:{f['line']}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--expect-reports", action="store_true")
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()
    root = os.path.realpath(args.root)
    bad = 0
    print(f"{'variant/profile/pair':40} {'initiator':>9} {'acceptor':>9} {'driver':>7} {'outside':>8}")
    details = []
    for path in args.files:
        name = os.path.basename(path)[:-len(".xml")].replace("__", "/")
        counted, other = parse(path, root)
        by_role = {r: sum(1 for c in counted if c[1] == r) for r in ("initiator", "acceptor", "driver")}
        print(f"{name:40} {by_role['initiator']:>9} {by_role['acceptor']:>9} {by_role['driver']:>7} {len(other):>8}")
        if args.expect_reports:
            bad += 0 if counted else 1
        else:
            bad += 1 if counted or other else 0
            details.extend((name, r) for r in counted + other)
    for name, r in details:
        print(f"  {name}:")
        show(r, root)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
