#!/usr/bin/env python3
"""Parses the ClusterFuzzLite project file and the workflow files with a YAML parser (PyYAML,
Debian python3-yaml) and checks what they must say: a C++ project with the address and undefined
sanitizers; PR fuzzing in code-change mode for both sanitizers; nightly batch fuzzing, corpus
pruning and a coverage report, each through the ClusterFuzzLite actions with a time budget.

usage: check_cflite_yaml.py REPO_ROOT
"""
import glob
import os
import sys

import yaml

BUILD = "google/clusterfuzzlite/actions/build_fuzzers@"
RUN = "google/clusterfuzzlite/actions/run_fuzzers@"
errors = []


def check(cond, what):
    if not cond:
        errors.append(what)


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            return yaml.safe_load(f)
    except (OSError, yaml.YAMLError) as e:
        errors.append(f"{path}: {e}")
        return None


def run_steps(workflow):
    """(job name, sanitizer values, run_fuzzers 'with') for every run_fuzzers step."""
    out = []
    for name, job in (workflow.get("jobs") or {}).items():
        matrix = ((job.get("strategy") or {}).get("matrix") or {}).get("sanitizer")
        steps = job.get("steps") or []
        builds = [s for s in steps if str(s.get("uses", "")).startswith(BUILD)]
        for step in steps:
            if str(step.get("uses", "")).startswith(RUN):
                check(builds, f"job {name}: run_fuzzers without build_fuzzers")
                w = step.get("with") or {}
                san = w.get("sanitizer", "address")
                sanitizers = matrix if (matrix and "matrix.sanitizer" in str(san)) else [san]
                for b in builds:
                    bsan = (b.get("with") or {}).get("sanitizer", "address")
                    check(str(bsan) == str(san), f"job {name}: build and run sanitizers differ")
                    check((b.get("with") or {}).get("language") == "c++", f"job {name}: language not c++")
                out.append((name, list(sanitizers), w))
    return out


def main():
    root = sys.argv[1]
    project = load(os.path.join(root, ".clusterfuzzlite/project.yaml"))
    if project is not None:
        check(project.get("language") == "c++", "project.yaml: language must be c++")
        check({"address", "undefined"} <= set(project.get("sanitizers") or []),
              "project.yaml: sanitizers must include address and undefined")

    modes = {}
    files = sorted(glob.glob(os.path.join(root, ".github/workflows/*.yml")))
    check(files, "no workflow files")
    for path in files:
        wf = load(path)
        if wf is None:
            continue
        # YAML 1.1 reads the bare key `on` as true.
        triggers = wf.get("on", wf.get(True))
        check(triggers, f"{path}: no trigger")
        for job, sanitizers, w in run_steps(wf):
            mode = w.get("mode")
            check(mode in ("code-change", "batch", "prune", "coverage"), f"{path}:{job}: mode {mode!r}")
            secs = w.get("fuzz-seconds")
            check(isinstance(secs, int) and secs > 0, f"{path}:{job}: no fuzz-seconds budget")
            modes.setdefault(mode, []).append((os.path.basename(path), triggers, sanitizers))

    pr = modes.get("code-change", [])
    check(any("pull_request" in t for _, t, _ in pr), "no code-change run on pull_request")
    pr_sans = {s for _, _, sans in pr for s in sans}
    check({"address", "undefined"} <= pr_sans, f"PR fuzzing sanitizers {sorted(pr_sans)}")
    for mode in ("batch", "prune", "coverage"):
        check(any("schedule" in t for _, t, _ in modes.get(mode, [])), f"no scheduled {mode} run")
    check(any(s == ["coverage"] for _, _, s in modes.get("coverage", [])),
          "the coverage run must use the coverage sanitizer")

    if errors:
        for e in errors:
            print("check_cflite_yaml:", e, file=sys.stderr)
        return 1
    print(f"check_cflite_yaml: project.yaml and {len(files)} workflow(s) parse; modes",
          ", ".join(f"{m} ({len(v)})" for m, v in sorted(modes.items())))
    return 0


if __name__ == "__main__":
    sys.exit(main())
