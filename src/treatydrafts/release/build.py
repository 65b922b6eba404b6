"""The build: every table to ``data/`` (CSV + Parquet), the data dictionary to
``docs/``, every figure to ``figures/``.  Progress goes to stderr.

The steps are listed in :data:`treatydrafts.release.steps.STEPS`; this module
runs them.  Same inputs, same bytes (see :mod:`treatydrafts.store`).

**Incremental.**  A step is skipped when the inputs' fingerprint is unchanged
since the last build (``data/build-manifest.json``) and every file it wrote
is still there with the recorded bytes; otherwise it runs again (``force``
runs everything).

**Parallel.**  Phase-1 steps that must run are spread over worker processes
forked after phase 0 (they inherit the parsed corpus and the results shared
by several steps); the outputs do not depend on the order in which they
finish.
"""
from __future__ import annotations

import multiprocessing as mp
import os
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from .. import paths, store
from ..plots import style
from .steps import STEPS, Context, Step, progress


def docs_dir_for(data_dir: Path) -> Path:
    """Where the data dictionary goes: ``docs/`` of the repository for the repository's ``data/``,
    else a ``docs`` folder beside ``data_dir`` (a build elsewhere never writes into the repository)."""
    data_dir = Path(data_dir)
    return paths.DOCS if data_dir.resolve() == paths.DATA.resolve() else data_dir.parent / "docs"


def _run_one(s: Step, ctx: Context, label: str) -> list[Path]:
    t0 = time.perf_counter()
    progress(f"{label} {s.name} ...")
    out = s.fn(ctx)
    progress(f"{label} {s.name}: {len(out)} files in {time.perf_counter() - t0:.2f} s")
    return out


# The context of the forked workers: set in the parent just before the pool forks.
_FORK_CONTEXT: Context | None = None


def _run_forked(args: tuple[int, str]) -> list[Path]:
    i, label = args
    return _run_one(STEPS[i], _FORK_CONTEXT, label)


def _run_phase(steps: list[Step], ctx: Context, jobs: int, labels: dict[str, str]) -> dict[str, list[Path]]:
    global _FORK_CONTEXT
    # workers are forked (they inherit the parsed corpus); where fork does not exist
    # (Windows), the steps run one after the other
    if jobs < 2 or len(steps) < 2 or "fork" not in mp.get_all_start_methods():
        return {s.name: _run_one(s, ctx, labels[s.name]) for s in steps}
    order = sorted(steps, key=lambda s: -s.cost)
    _FORK_CONTEXT = ctx
    try:
        with ProcessPoolExecutor(max_workers=min(jobs, len(order)), mp_context=mp.get_context("fork")) as ex:
            futures = {s.name: ex.submit(_run_forked, (STEPS.index(s), labels[s.name])) for s in order}
            return {name: f.result() for name, f in futures.items()}
    finally:
        _FORK_CONTEXT = None


def run(data_dir: Path | None = None, figures_dir: Path | None = None, only: str | None = None,
        force: bool = False, jobs: int | None = None, docs_dir: Path | None = None) -> list[Path]:
    """Run the steps (or those whose name contains ``only``) and return the files written.
    Steps whose inputs and outputs are unchanged since the last build are skipped unless
    ``force``; phase-1 steps run in ``jobs`` worker processes (default: up to 2 cores)."""
    data_dir = Path(data_dir or paths.DATA)
    figures_dir = Path(figures_dir or paths.FIGURES)
    docs_dir = Path(docs_dir or docs_dir_for(data_dir))
    ctx = Context(data_dir, figures_dir, docs_dir)
    roots = store.output_roots(data_dir, figures_dir, docs_dir)
    jobs = jobs or min(2, os.cpu_count() or 1)
    t_all = time.perf_counter()
    digest, inputs, env = store.fingerprint()
    manifest = store.read_manifest(data_dir)
    recorded = manifest.get("steps", {}) if manifest.get("fingerprint") == digest else {}
    todo = [s for s in STEPS if not only or only in s.name]
    labels = {s.name: f"[{i}/{len(todo)}]" for i, s in enumerate(todo, 1)}
    record: dict[str, dict[str, str]] = {}
    written: list[Path] = []
    ran = False
    for phase in (0, 1, 2):
        runnable = []
        for s in (s for s in todo if s.phase == phase):
            rec = recorded.get(s.name)
            if not force and rec and not (phase == 2 and ran) and store.outputs_unchanged(rec, roots):
                progress(f"{labels[s.name]} {s.name}: up to date ({len(rec)} files)")
                record[s.name] = rec
            else:
                runnable.append(s)
        if not runnable:
            continue
        ran = True
        if phase == 1 and jobs > 1 and len(runnable) > 1:
            ctx.corpus.load_all()  # parse once, before forking
            if any(s.uses_scope for s in runnable):
                ctx.scope  # noqa: B018  (computed once, before forking: two steps use it)
            style.plotly_bundle(figures_dir)  # written once, not raced for by the workers
        outs = _run_phase(runnable, ctx, jobs if phase == 1 else 1, labels)
        for s in runnable:
            record[s.name] = {store.label_of(p, roots): store.sha256_file(p) for p in outs[s.name]}
            written += outs[s.name]
    if ran or not manifest:
        # keep the records of steps not run this time (``only``) when the inputs are the same
        steps = {s.name: record.get(s.name) or recorded.get(s.name) for s in STEPS}
        steps = {k: v for k, v in steps.items() if v}
        written.append(store.write_manifest(data_dir, digest, inputs, env, steps,
                                            complete=all(s.name in steps for s in STEPS)))
    progress(f"done: {len(written)} files written in {time.perf_counter() - t_all:.2f} s"
             + ("" if ran else " (everything up to date: inputs unchanged, outputs verified by SHA-256; "
                               "--force rebuilds)"))
    return written
