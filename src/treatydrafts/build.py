"""The build: every table to ``data/`` (CSV + Parquet), the data dictionary to
``docs/``, every figure to ``figures/``.  Progress goes to stderr.

Analyses register a step with :func:`step`; ``treatydrafts build`` runs them.
Same inputs, same bytes: tables are sorted by their keys, CSVs use ``\\n``
line ends, figures carry no timestamps.

**Incremental.**  ``data/build-manifest.json`` records the *fingerprint* of
the inputs the outputs were built from (SHA-256 of every source file of the
package and its resources, of every file in ``seeds/`` and of the reviewed
crosswalk, plus the Python minor version and the versions of the libraries
that shape the outputs) and the SHA-256 of every file each step wrote.  A
step is skipped when the fingerprint is unchanged and every file it wrote is
still there with the recorded bytes; otherwise it runs again (``--force``
runs everything).  The manifest has no timestamps, so it is as reproducible
as the outputs; :func:`is_fresh` tells the library whether ``data/`` can be
read instead of recomputed.

**Parallel.**  Steps run in three phases: 0 (parse, data dictionary), 1 (the
analyses: independent of one another) and 2 (data package and gallery, which
describe what the others wrote).  Phase-1 steps that must run are spread over
worker processes forked after phase 0 (they inherit the parsed corpus); the
outputs do not depend on the order in which they finish.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Callable

import pandas as pd

from . import paths, schema

StepFn = Callable[[Path, Path], list[Path]]


@dataclass(frozen=True)
class Step:
    name: str
    fn: StepFn
    phase: int  # 0: parse; 1: analyses (may run in parallel); 2: describes the outputs of 0 and 1


STEPS: list[Step] = []

MANIFEST = "build-manifest.json"
# Libraries whose versions can change the bytes of a table or figure.
FINGERPRINT_PACKAGES = ("numpy", "pandas", "pyarrow", "matplotlib", "networkx", "scipy", "scikit-learn",
                        "plotly", "fonttools", "pillow")
# Non-package inputs kept under data/ (hand-reviewed, not regenerated).
DATA_INPUTS = ("article_lineage_reviewed.csv",)


def step(name: str, phase: int = 1):
    """Decorator registering a build step ``fn(data_dir, figures_dir) -> [written paths]``."""
    def deco(fn: StepFn) -> StepFn:
        STEPS.append(Step(name, fn, phase))
        return fn
    return deco


def progress(msg: str) -> None:
    print(f"[treatydrafts] {msg}", file=sys.stderr, flush=True)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# ---------------------------------------------------------------------------
# fingerprint and manifest
# ---------------------------------------------------------------------------

def input_files() -> dict[str, Path]:
    """Every input of the build, by a stable label (``treatydrafts/clean.py``, ``seeds/…``)."""
    pkg = Path(__file__).resolve().parent
    files = {f"treatydrafts/{p.relative_to(pkg).as_posix()}": p
             for p in pkg.rglob("*") if p.is_file() and (p.suffix == ".py" or "resources" in p.relative_to(pkg).parts)
             and "__pycache__" not in p.parts}
    files.update({f"seeds/{p.name}": p for p in paths.SEEDS.iterdir() if p.is_file() and not p.name.startswith(".")})
    files.update({f"data/{n}": paths.DATA / n for n in DATA_INPUTS if (paths.DATA / n).exists()})
    return dict(sorted(files.items()))


def environment() -> dict[str, str]:
    """Python minor version and the versions of :data:`FINGERPRINT_PACKAGES` (``-`` when absent)."""
    env = {"python": "%d.%d" % sys.version_info[:2]}
    for name in FINGERPRINT_PACKAGES:
        try:
            env[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            env[name] = "-"
    return env


def fingerprint() -> tuple[str, dict[str, str], dict[str, str]]:
    """``(digest, {input label: sha256}, environment)`` of the current inputs."""
    inputs = {label: sha256_file(p) for label, p in input_files().items()}
    env = environment()
    digest = hashlib.sha256(json.dumps({"inputs": inputs, "environment": env}, sort_keys=True).encode()).hexdigest()
    return digest, inputs, env


def _roots(data_dir: Path, figures_dir: Path) -> dict[str, Path]:
    return {"data": Path(data_dir), "figures": Path(figures_dir), "docs": paths.DOCS}


def _label(path: Path, roots: dict[str, Path]) -> str:
    path = Path(path).resolve()
    for name, root in roots.items():
        try:
            return f"{name}/{path.relative_to(root.resolve()).as_posix()}"
        except ValueError:
            continue
    raise ValueError(f"{path} is outside data/, figures/ and docs/")


def _resolve(label: str, roots: dict[str, Path]) -> Path:
    name, _, rest = label.partition("/")
    return roots[name] / rest


def read_manifest(data_dir: Path | None = None) -> dict:
    """The build manifest of ``data_dir`` (``{}`` when absent or unreadable)."""
    path = Path(data_dir or paths.DATA) / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def _outputs_unchanged(record: dict[str, str], roots: dict[str, Path]) -> bool:
    for label, sha in record.items():
        p = _resolve(label, roots)
        if not p.is_file() or sha256_file(p) != sha:
            return False
    return bool(record)


def is_fresh(data_dir: Path | None = None) -> bool:
    """True when ``data_dir`` (default ``data/``) was built from the current inputs by the
    current library and its tables are unchanged since: the library may then read them
    instead of recomputing."""
    data_dir = Path(data_dir or paths.DATA)
    manifest = read_manifest(data_dir)
    if not manifest or not manifest.get("complete") or manifest.get("fingerprint") != fingerprint()[0]:
        return False
    tables = {label: sha for rec in manifest.get("steps", {}).values() for label, sha in rec.items()
              if label.startswith("data/")}
    return _outputs_unchanged(tables, {"data": data_dir})


# The library reads data/ instead of recomputing when data/ is fresh; False: always recompute
# (:func:`run` sets it while building; the test suite sets it, to exercise the parser).
READ_BUILT_TABLES = True


def reads_built_tables(data_dir: Path | None = None) -> bool:
    """Whether the library reads the tables of ``data_dir`` instead of recomputing them:
    :data:`READ_BUILT_TABLES` and :func:`is_fresh`."""
    return READ_BUILT_TABLES and is_fresh(data_dir)


def write_manifest(data_dir: Path, digest: str, inputs: dict, env: dict, steps: dict[str, dict[str, str]]) -> Path:
    path = Path(data_dir) / MANIFEST
    doc = {
        "about": "Written by `treatydrafts build`: the fingerprint of the inputs these outputs were built from "
                 "and the SHA-256 of every output, by build step. Used to skip steps whose inputs and outputs "
                 "are unchanged, and by the library to read data/ instead of recomputing.",
        "fingerprint": digest,
        "complete": all(s.name in steps for s in STEPS),  # every registered step is recorded
        "environment": env,
        "inputs": inputs,
        "steps": {name: dict(sorted(rec.items())) for name, rec in steps.items()},
    }
    path.write_text(json.dumps(doc, indent=1, sort_keys=False) + "\n", encoding="utf-8")
    return path


# ---------------------------------------------------------------------------
# tables
# ---------------------------------------------------------------------------

def write_table(df: pd.DataFrame, name: str, data_dir: Path) -> list[Path]:
    """Validate ``df`` against ``schema.TABLES[name]`` and write CSV + Parquet."""
    df = schema.validate(df, name)
    data_dir.mkdir(parents=True, exist_ok=True)
    csv_path = data_dir / f"{name}.csv"
    pq_path = data_dir / f"{name}.parquet"
    df.to_csv(csv_path, index=False, lineterminator="\n")
    df.to_parquet(pq_path, index=False, engine="pyarrow", compression="zstd")
    return [csv_path, pq_path]


def read_table(name: str, data_dir: Path | None = None) -> pd.DataFrame:
    """Read ``data/<name>.csv`` NA-safely (Namibia's ``NA`` stays a string) with schema dtypes."""
    path = Path(data_dir or paths.DATA) / f"{name}.csv"
    t = schema.TABLES[name]
    dtypes = {c.name: (str if c.dtype == "str" else schema.DTYPES[c.dtype]) for c in t.columns}
    df = pd.read_csv(path, dtype=dtypes, keep_default_na=False, na_values=[])
    return schema.validate(df, name)


# ---------------------------------------------------------------------------
# steps of this module
# ---------------------------------------------------------------------------

@step("parse and write draft tables", phase=0)
def build_draft_tables(data_dir: Path, figures_dir: Path) -> list[Path]:
    from . import corpus

    written = []
    written += write_table(corpus.documents(), "documents", data_dir)
    written += write_table(corpus.delegations(), "delegations", data_dir)
    allr = corpus.load_all()
    for name, df in allr.tables().items():
        written += write_table(df, name, data_dir)
    return written


@step("write the data dictionary", phase=0)
def build_data_dictionary(data_dir: Path, figures_dir: Path) -> list[Path]:
    path = paths.DOCS / "data-dictionary.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(schema.data_dictionary_markdown() + "\n", encoding="utf-8")
    return [path]


def _load_analysis_steps() -> None:
    """Import the modules that register analysis steps (tables and figures)."""
    import importlib

    for mod in ("overview", "networks", "scope", "density", "recover", "datapackage"):
        try:
            importlib.import_module(f"treatydrafts.{mod}")
        except ModuleNotFoundError as exc:
            if exc.name != f"treatydrafts.{mod}":
                raise


# ---------------------------------------------------------------------------
# running
# ---------------------------------------------------------------------------

# Rough relative cost of the slow steps (seconds on a 2-core VM), so that the
# parallel phase starts the longest first; unknown steps count 1.
COST_HINT = {"coalition networks": 27, "bracket density": 10, "damaged-text recovery": 6,
             "criminalization scope": 4, "corpus overview": 2}


def _cost(s: Step) -> float:
    return next((v for k, v in COST_HINT.items() if k in s.name), 1.0)


def _run_one(s: Step, data_dir: Path, figures_dir: Path, label: str) -> list[Path]:
    t0 = time.perf_counter()
    progress(f"{label} {s.name} ...")
    out = s.fn(data_dir, figures_dir)
    progress(f"{label} {s.name}: {len(out)} files in {time.perf_counter() - t0:.2f} s")
    return out


def _run_forked(args: tuple[int, Path, Path, str]) -> list[Path]:
    i, data_dir, figures_dir, label = args
    return _run_one(STEPS[i], data_dir, figures_dir, label)


def _run_phase(steps: list[Step], data_dir: Path, figures_dir: Path, jobs: int, labels: dict[str, str]) -> dict[str, list[Path]]:
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    # workers are forked (they inherit the parsed corpus); where fork does not exist
    # (Windows), the steps run one after the other
    if jobs < 2 or len(steps) < 2 or "fork" not in mp.get_all_start_methods():
        return {s.name: _run_one(s, data_dir, figures_dir, labels[s.name]) for s in steps}

    order = sorted(steps, key=lambda s: -_cost(s))
    # fork: the workers inherit the parsed corpus (memoised in the parent) and the registered steps
    with ProcessPoolExecutor(max_workers=min(jobs, len(order)), mp_context=mp.get_context("fork")) as ex:
        futures = {s.name: ex.submit(_run_forked, (STEPS.index(s), data_dir, figures_dir, labels[s.name]))
                   for s in order}
        return {name: f.result() for name, f in futures.items()}


def run(data_dir: Path | None = None, figures_dir: Path | None = None, only: str | None = None,
        force: bool = False, jobs: int | None = None) -> list[Path]:
    """Run the registered steps (or those whose name contains ``only``) and return the files
    written.  Steps whose inputs and outputs are unchanged since the last build are skipped
    unless ``force``; phase-1 steps run in ``jobs`` worker processes (default: up to 2 cores)."""
    from . import corpus, style

    _load_analysis_steps()
    data_dir = Path(data_dir or paths.DATA)
    figures_dir = Path(figures_dir or paths.FIGURES)
    roots = _roots(data_dir, figures_dir)
    jobs = jobs or min(2, os.cpu_count() or 1)
    t_all = time.perf_counter()
    digest, inputs, env = fingerprint()
    manifest = read_manifest(data_dir)
    recorded = manifest.get("steps", {}) if manifest.get("fingerprint") == digest else {}
    todo = [s for s in STEPS if not only or only in s.name]
    labels = {s.name: f"[{i}/{len(todo)}]" for i, s in enumerate(todo, 1)}
    record: dict[str, dict[str, str]] = {}
    written: list[Path] = []
    ran = False
    global READ_BUILT_TABLES
    saved, READ_BUILT_TABLES = READ_BUILT_TABLES, False  # the build always parses: it is what makes data/
    try:
        for phase in (0, 1, 2):
            runnable = []
            for s in (s for s in todo if s.phase == phase):
                rec = recorded.get(s.name)
                if not force and rec and not (phase == 2 and ran) and _outputs_unchanged(rec, roots):
                    progress(f"{labels[s.name]} {s.name}: up to date ({len(rec)} files)")
                    record[s.name] = rec
                else:
                    runnable.append(s)
            if not runnable:
                continue
            ran = True
            if phase == 1 and jobs > 1 and len(runnable) > 1:
                corpus.load_all()  # parse once, before forking
                style.plotly_bundle(figures_dir)  # written once, not raced for by the workers
            outs = _run_phase(runnable, data_dir, figures_dir, jobs if phase == 1 else 1, labels)
            for s in runnable:
                record[s.name] = {_label(p, roots): sha256_file(p) for p in outs[s.name]}
                written += outs[s.name]
    finally:
        READ_BUILT_TABLES = saved
    if ran or not manifest:
        # keep the records of steps not run this time (``only``) when the inputs are the same
        steps = {s.name: record.get(s.name) or recorded.get(s.name) for s in STEPS}
        written.append(write_manifest(data_dir, digest, inputs, env, {k: v for k, v in steps.items() if v}))
    progress(f"done: {len(written)} files written in {time.perf_counter() - t_all:.2f} s"
             + ("" if ran else " (everything up to date: inputs unchanged, outputs verified by SHA-256; "
                               "--force rebuilds)"))
    return written
