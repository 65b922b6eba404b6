"""Parsing benchmark: fresh processes, start-up separated from work.

For each measurement a new Python process is started, so nothing is cached.
We report, as medians over ``--repeat`` runs:

- ``interpreter``: ``python -c pass`` (bare interpreter start-up);
- ``imports``: ``import treatydrafts`` plus pandas/numpy (what every run pays);
- ``parse <doc>``: CPU and wall time of ``td.load(doc)`` *inside* the process,
  i.e. the work itself, excluding start-up and imports; for the damaged
  6th-session document the CPU time of the name recovery (issue 3) is shown
  apart from the parsing itself;
- ``parse all``: the five documents in one process;
- ``build``: ``treatydrafts build`` into a temporary directory (whole process).

Run: ``make benchmark`` or ``.venv/bin/python benchmarks/bench_parse.py``.
Report figures as ratios or with the machine context printed at the top.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time

PY = sys.executable

WORK = r"""
import json, sys, time
t0 = time.perf_counter(); c0 = time.process_time()
import treatydrafts as td
from treatydrafts import catalog
t1 = time.perf_counter(); c1 = time.process_time()
ids = sys.argv[1:] or catalog.doc_ids()
corpus = td.Corpus(read_built=False)  # time the parse, not the reading of data/
for d in ids:
    corpus.load(d)
t2 = time.perf_counter(); c2 = time.process_time()
recover = sum(s for d in ids for name, s in corpus.parsed(d).stage_seconds if name == "recover")
print(json.dumps({"import_wall": t1 - t0, "import_cpu": c1 - c0, "work_wall": t2 - t1, "work_cpu": c2 - c1,
                  "recover_cpu": recover}))
"""


def run(args: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


def inner(doc_ids: list[str]) -> dict:
    out = subprocess.run([PY, "-c", WORK, *doc_ids], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--no-build", action="store_true", help="skip the whole-build measurement")
    a = ap.parse_args()
    from treatydrafts import catalog

    print(f"# machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, {platform.system()} {platform.release()}")
    med = statistics.median
    interp = med(run([PY, "-c", "pass"]) for _ in range(a.repeat))
    imports = med(run([PY, "-c", "import pandas, numpy, treatydrafts"]) for _ in range(a.repeat))
    print(f"{'measurement':<34}{'wall s':>9}{'cpu s':>9}{'x interpreter':>15}")
    print(f"{'interpreter start (python -c pass)':<34}{interp:>9.3f}{'':>9}{1:>15.1f}")
    print(f"{'start + imports':<34}{imports:>9.3f}{'':>9}{imports / interp:>15.1f}")
    rows = []
    for d in catalog.doc_ids() + ["ALL"]:
        ids = [] if d == "ALL" else [d]
        res = [inner(ids) for _ in range(a.repeat)]
        wall, cpu = med(r["work_wall"] for r in res), med(r["work_cpu"] for r in res)
        rec = med(r["recover_cpu"] for r in res)
        rows.append((d, wall, cpu))
        label = "parse all five documents" if d == "ALL" else f"parse {d}"
        print(f"{label:<34}{wall:>9.3f}{cpu:>9.3f}{wall / interp:>15.1f}")
        if rec:
            print(f"{'  of which name recovery (cpu)':<34}{'':>9}{rec:>9.3f}")
            print(f"{'  parsing without recovery (cpu)':<34}{'':>9}{cpu - rec:>9.3f}")
    if not a.no_build:
        with tempfile.TemporaryDirectory() as tmp:
            exe = os.path.join(os.path.dirname(PY), "treatydrafts")
            b = med(run([exe, "build", "--data-dir", f"{tmp}/data", "--figures-dir", f"{tmp}/fig"])
                    for _ in range(max(1, a.repeat // 2)))
        print(f"{'whole build (process)':<34}{b:>9.3f}{'':>9}{b / interp:>15.1f}")
        print(f"build / (start + imports) = {b / imports:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
