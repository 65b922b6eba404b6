"""The build: every table to ``data/`` (CSV + Parquet), the data dictionary to
``docs/``, every figure to ``figures/``.  Progress goes to stderr.

Analyses register a step with :func:`step`; ``treatydrafts build`` runs them
in order.  Same inputs, same bytes: tables are sorted by their keys, CSVs use
``\\n`` line ends, figures carry no timestamps.
"""
from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Callable

import pandas as pd

from . import paths, schema

Step = Callable[[Path, Path], list[Path]]
STEPS: list[tuple[str, Step]] = []


def step(name: str):
    """Decorator registering a build step ``fn(data_dir, figures_dir) -> [written paths]``."""
    def deco(fn: Step) -> Step:
        STEPS.append((name, fn))
        return fn
    return deco


def progress(msg: str) -> None:
    print(f"[treatydrafts] {msg}", file=sys.stderr, flush=True)


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


@step("parse and write draft tables")
def build_draft_tables(data_dir: Path, figures_dir: Path) -> list[Path]:
    from . import corpus

    written = []
    written += write_table(corpus.documents(), "documents", data_dir)
    written += write_table(corpus.delegations(), "delegations", data_dir)
    allr = corpus.load_all()
    for name, df in allr.tables().items():
        written += write_table(df, name, data_dir)
    return written


@step("write the data dictionary")
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


def run(data_dir: Path | None = None, figures_dir: Path | None = None, only: str | None = None) -> list[Path]:
    """Run every registered step (or those whose name contains ``only``)."""
    _load_analysis_steps()
    data_dir = Path(data_dir or paths.DATA)
    figures_dir = Path(figures_dir or paths.FIGURES)
    written: list[Path] = []
    todo = [(n, f) for n, f in STEPS if not only or only in n]
    t_all = time.perf_counter()
    for i, (name, fn) in enumerate(todo, 1):
        t0 = time.perf_counter()
        progress(f"[{i}/{len(todo)}] {name} ...")
        out = fn(data_dir, figures_dir)
        written += out
        progress(f"[{i}/{len(todo)}] {name}: {len(out)} files in {time.perf_counter() - t0:.2f} s")
    progress(f"done: {len(written)} files in {time.perf_counter() - t_all:.2f} s")
    return written
