"""Full-pipeline benchmark: README command 1 (the build) by stage and the nbval
run (command 2's notebook part) by notebook, from a cold start, each beside
the bare start-up costs measured in the same run.

Every measurement is a fresh process.  Baselines (medians over ``--repeat``):

- ``python``: ``python -c pass`` (interpreter start-up);
- ``imports``: a process that imports everything the build imports
  (``treatydrafts`` and every analysis module: pandas, matplotlib, plotly,
  networkx, scikit-learn, …) and exits;
- ``kernel``: start a Jupyter kernel with jupyter_client, run
  ``import treatydrafts`` in it, shut it down;
- ``nbval floor``: ``pytest --nbval`` on a one-cell notebook (``import
  treatydrafts``): pytest + nbval + kernel + import, no work.

Then:

- ``build``: ``treatydrafts build`` in a fresh process, with the time of each
  build step and, inside the steps, of reading + decoding, segmenting,
  brackets, sponsor tails, damaged-text recovery, DataFrames, writing tables
  and saving figures (the library's functions are wrapped with timers; the
  build itself is unchanged);
- ``nbval <notebook>``: ``pytest --nbval`` on each notebook, one process each.

Everything runs in a temporary copy of the project root
(``TREATYDRAFTS_ROOT``): seeds are linked, ``data/`` is copied (the notebooks
read non-schema inputs from it), notebooks are copied.  Nothing is written to
the repository's ``data/``, ``figures/`` or ``docs/``, and nothing is written
anywhere else: the numbers are machine-specific and are only printed.

Run: ``make benchmark-pipeline`` or ``.venv/bin/python benchmarks/bench_pipeline.py``
(``--no-notebooks``, ``--only-notebooks 01,03``, ``--repeat N``).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PY = sys.executable
REPO = Path(__file__).resolve().parents[1]

IMPORTS = "import treatydrafts.release.build"

# Runs the build in-process with timers around the stage functions; prints JSON.
BUILD = r"""
import json, sys, time
T0 = time.perf_counter()
import functools
from treatydrafts import corpus, paths, store
from treatydrafts.parse import pipeline
from treatydrafts.plots import style
from treatydrafts.release import steps
acc = {}
def timed(key, fn):
    @functools.wraps(fn)
    def w(*a, **k):
        t = time.perf_counter()
        try:
            return fn(*a, **k)
        finally:
            acc[key] = acc.get(key, 0.0) + time.perf_counter() - t
    return w
orig_extract = pipeline.extract_proposals
def extract(source, parser, seg, spans, base=None):
    key = {"cnd": "sponsor tails (ahc4-cnd)", "amended_draft": "damaged-text recovery (ahc6-amended-draft)"}.get(parser, "proposals (other)")
    return timed(key, orig_extract)(source, parser, seg, spans, base)
pipeline.extract_proposals = extract
pipeline.find_all_brackets = timed("brackets", pipeline.find_all_brackets)
corpus.read_source = timed("read + decode", corpus.read_source)
corpus.segment_source = timed("segment", corpus.segment_source)
corpus.to_frames = timed("DataFrames (to_frames)", corpus.to_frames)
# the steps call the names they imported: time those
steps.write_table = timed("write tables", store.write_table)
steps.save_figure = timed("save figures (PNG+SVG+PDF)", style.save_figure)
import plotly.basedatatypes as pb
pb.BaseFigure.write_html = timed("save interactive HTML", pb.BaseFigure.write_html)
T1 = time.perf_counter()
ctx = steps.Context(paths.DATA, paths.FIGURES, paths.DOCS)  # parses (read_built=False)
out = {}
for s in steps.STEPS:
    t = time.perf_counter()
    s.fn(ctx)
    out[s.name] = time.perf_counter() - t
T2 = time.perf_counter()
print(json.dumps({"imports": T1 - T0, "steps": out, "inner": acc, "total": T2 - T0}))
"""

KERNEL = r"""
import json, time
from jupyter_client.manager import start_new_kernel
t0 = time.perf_counter()
km, kc = start_new_kernel(kernel_name="python3")
t1 = time.perf_counter()
kc.execute_interactive("import treatydrafts", timeout=120)
t2 = time.perf_counter()
kc.stop_channels()
km.shutdown_kernel(now=False)
t3 = time.perf_counter()
print(json.dumps({"start": t1 - t0, "import": t2 - t1, "shutdown": t3 - t2, "total": t3 - t0}))
"""

FLOOR_NB = {
    "cells": [{"cell_type": "code", "execution_count": 1, "id": "c1", "metadata": {}, "outputs": [],
               "source": "import treatydrafts"}],
    "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
    "nbformat": 4, "nbformat_minor": 5,
}


def wall(args: list[str], env: dict | None = None, cwd: Path | None = None) -> tuple[float, subprocess.CompletedProcess]:
    t = time.perf_counter()
    res = subprocess.run(args, capture_output=True, text=True, env=env, cwd=cwd)
    return time.perf_counter() - t, res


def median_wall(args: list[str], n: int, env: dict | None = None) -> float:
    out = []
    for _ in range(n):
        t, res = wall(args, env)
        if res.returncode:
            raise SystemExit(f"{' '.join(args[:3])} failed:\n{res.stderr[-2000:]}")
        out.append(t)
    return statistics.median(out)


def make_root(tmp: Path) -> Path:
    """A throw-away project root: linked seeds, copied data/, notebooks/ and the lock (it declares
    the environment the build fingerprint covers)."""
    root = tmp / "root"
    root.mkdir()
    (root / "seeds").symlink_to(REPO / "seeds")
    shutil.copy2(REPO / "requirements.lock", root / "requirements.lock")
    shutil.copytree(REPO / "data", root / "data")
    shutil.copytree(REPO / "notebooks", root / "notebooks")
    (root / "figures").mkdir()
    (root / "docs").mkdir()
    return root


def nbval(path: Path, root: Path, env: dict) -> tuple[float, str, list[tuple[float, str]]]:
    args = [PY, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval", "--nbval-sanitize-with",
            str(root / "notebooks" / "sanitize.cfg"), "--durations=3", "--rootdir", str(root), str(path)]
    t, res = wall(args, env, cwd=root)
    summary = (res.stdout.strip().splitlines() or ["?"])[-1].strip("= ")
    slow = [(float(m.group(1)), m.group(2)) for m in re.finditer(r"^([\d.]+)s call\s+\S+::(Cell \d+)", res.stdout, re.M)]
    return t, summary, slow


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=3, help="runs per baseline (median)")
    ap.add_argument("--no-notebooks", action="store_true")
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--only-notebooks", default="", help="comma-separated notebook prefixes, e.g. 01,03")
    a = ap.parse_args()

    import treatydrafts

    print(f"# treatydrafts {treatydrafts.__version__}; machine: {platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, {platform.system()} {platform.release()}")
    with tempfile.TemporaryDirectory(prefix="td-bench-") as tmp:
        root = make_root(Path(tmp))
        # no MPLBACKEND here: under Agg the notebooks' kernels would not display figures
        env = {**os.environ, "TREATYDRAFTS_ROOT": str(root), "PYTHONHASHSEED": "0"}
        env.pop("MPLBACKEND", None)
        benv = {**env, "MPLBACKEND": "Agg"}

        py = median_wall([PY, "-c", "pass"], a.repeat, env)
        imp = median_wall([PY, "-c", IMPORTS], a.repeat, env)
        kern = []
        for _ in range(a.repeat):
            _, res = wall([PY, "-c", KERNEL], env, cwd=root / "notebooks")
            kern.append(json.loads(res.stdout.strip().splitlines()[-1]))
        k_total = statistics.median(k["total"] for k in kern)
        k_start = statistics.median(k["start"] for k in kern)
        k_imp = statistics.median(k["import"] for k in kern)
        print("\n## start-up baselines (median of %d fresh processes)" % a.repeat)
        print(f"{'':<46}{'s':>8}{'x python':>10}")
        print(f"{'python -c pass':<46}{py:>8.2f}{1:>10.1f}")
        print(f"{'python + every import the build does':<46}{imp:>8.2f}{imp / py:>10.1f}")
        print(f"{'kernel start + import treatydrafts + shutdown':<46}{k_total:>8.2f}{k_total / py:>10.1f}"
              f"   (start {k_start:.2f}, import {k_imp:.2f})")

        if not a.no_build:
            t, res = wall([PY, "-c", BUILD], benv, cwd=root)
            if res.returncode:
                raise SystemExit(f"build failed:\n{res.stderr[-3000:]}")
            b = json.loads(res.stdout.strip().splitlines()[-1])
            print("\n## README command 1: treatydrafts build (one cold process)")
            print(f"{'':<52}{'s':>8}{'share':>8}")
            print(f"{'process wall time':<52}{t:>8.2f}{'':>8}")
            print(f"{'  of which imports':<52}{b['imports']:>8.2f}{b['imports'] / t:>8.0%}")
            for name, s in b["steps"].items():
                print(f"{'  step: ' + name:<52}{s:>8.2f}{s / t:>8.0%}")
            print("  inside the steps:")
            for name, s in sorted(b["inner"].items(), key=lambda kv: -kv[1]):
                print(f"{'    ' + name:<52}{s:>8.2f}{s / t:>8.0%}")
            rest = sum(b["steps"].values()) - sum(b["inner"].values())
            print(f"{'    analysis computations (rest of the steps)':<52}{rest:>8.2f}{rest / t:>8.0%}")
            print(f"sequential full build / (python + imports) = {t / imp:.1f}x")
            cli = [PY, "-m", "treatydrafts.release.cli", "build"]
            t_force, res = wall(cli + ["--force"], benv, cwd=root)
            if res.returncode:
                raise SystemExit(f"build --force failed:\n{res.stderr[-3000:]}")
            t_noop = median_wall(cli, a.repeat, benv)
            figs = sorted((root / "figures").glob("scope-shrinkage.*"))
            for f in figs:
                f.unlink()
            t_one, _ = wall(cli, benv, cwd=root)
            print("\n## README command 1 as run: `treatydrafts build` (cold process each)")
            print(f"{'':<52}{'s':>8}{'x imports':>10}")
            print(f"{'full rebuild (--force, analyses on 2 workers)':<52}{t_force:>8.2f}{t_force / imp:>10.1f}")
            print(f"{'one figure deleted (its step + data package rerun)':<52}{t_one:>8.2f}{t_one / imp:>10.1f}")
            print(f"{'nothing changed (outputs verified, all steps skipped)':<52}{t_noop:>8.2f}{t_noop / imp:>10.1f}")
            print("aim: build <= 3x (python + imports)")

        if not a.no_notebooks:
            floor_nb = root / "notebooks" / "zz-floor.ipynb"
            floor_nb.write_text(json.dumps(FLOOR_NB), encoding="utf-8")
            floor = statistics.median(nbval(floor_nb, root, env)[0] for _ in range(a.repeat))
            floor_nb.unlink()
            wanted = [p for p in a.only_notebooks.split(",") if p]
            nbs = sorted(p for p in (root / "notebooks").glob("*.ipynb")
                         if not wanted or any(p.name.startswith(w) for w in wanted))
            print("\n## README command 2, notebook part: pytest --nbval, one cold process per notebook")
            print(f"{'':<40}{'s':>8}{'x kernel':>9}{'x floor':>9}  result; slowest cells")
            print(f"{'nbval floor (one cell: import)':<40}{floor:>8.2f}{floor / k_total:>9.1f}{1:>9.1f}")
            total = 0.0
            for p in nbs:
                t, summary, slow = nbval(p, root, env)
                total += t
                cells = ", ".join(f"{c} {s:.1f}s" for s, c in slow[:3])
                print(f"{p.name:<40}{t:>8.2f}{t / k_total:>9.1f}{t / floor:>9.1f}  {summary}; {cells}")
            print(f"{'sum of the one-process runs':<40}{total:>8.2f}{total / k_total:>9.1f}{total / floor:>9.1f}")
            n = len(nbs)
            t_one, res = wall([PY, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--nbval", "--nbval-sanitize-with",
                               str(root / "notebooks" / "sanitize.cfg"), "--rootdir", str(root), *map(str, nbs)],
                              env, cwd=root)
            summary = (res.stdout.strip().splitlines() or ["?"])[-1].strip("= ")
            t_x, res_x = wall([PY, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-n", "2", "--dist", "loadfile",
                               "--nbval", "--nbval-sanitize-with", str(root / "notebooks" / "sanitize.cfg"),
                               "--rootdir", str(root), *map(str, nbs)], env, cwd=root)
            summary_x = (res_x.stdout.strip().splitlines() or ["?"])[-1].strip("= ")
            print(f"{'all %d in one pytest process' % n:<40}{t_one:>8.2f}{t_one / (n * k_total):>9.1f}{'':>9}  "
                  f"{summary}  (x kernel here: / {n} kernels)")
            print(f"{'all %d, -n 2 --dist loadfile (make test)' % n:<40}{t_x:>8.2f}{t_x / (n * k_total):>9.1f}{'':>9}  "
                  f"{summary_x}  (wall on 2 cores / {n} kernels)")
            print("x kernel = nbval time / (kernel start + import + shutdown) per notebook; aim: <= 1.5x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
