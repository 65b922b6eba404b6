"""Storage: tables to and from ``data/``, the build manifest and the freshness of ``data/``.

Same inputs, same bytes: tables are validated against :mod:`treatydrafts.schema`
and sorted by their keys, CSVs use ``\\n`` line ends.

**Manifest.**  ``data/build-manifest.json`` records the *fingerprint* of the
inputs the outputs were built from (SHA-256 of every source file of the
package and its resources, of every file in ``seeds/`` and of the reviewed
hand-made inputs under ``data/``, plus the Python minor version and the
versions of the libraries that shape the outputs) and the SHA-256 of every
file each build step wrote.  It has no timestamps, so it is as reproducible
as the outputs.  :func:`is_fresh` tells the library whether ``data/`` can be
read instead of recomputed.

This module sits below the public API and the build: it knows files, not
parsing or analyses.
"""
from __future__ import annotations

import hashlib
import json
import sys
from importlib import metadata
from pathlib import Path

import pandas as pd

from . import paths, schema

MANIFEST = "build-manifest.json"
# Libraries whose versions can change the bytes of a table or figure.
FINGERPRINT_PACKAGES = ("numpy", "pandas", "pyarrow", "matplotlib", "networkx", "scipy", "scikit-learn",
                        "plotly", "fonttools", "pillow")
# Non-package inputs kept under data/ (hand-reviewed, not regenerated).
DATA_INPUTS = ("article_lineage_reviewed.csv", "validation/units.csv", "validation/truth.csv",
               "validation/annotations/truth_E.csv", "validation/baseline_readings.csv")


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
    """Every input of the build, by a stable label (``treatydrafts/parse/clean.py``, ``seeds/…``)."""
    pkg = paths.PACKAGE
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


def output_roots(data_dir: Path | None = None, figures_dir: Path | None = None,
                 docs_dir: Path | None = None) -> dict[str, Path]:
    """The output folders by label (``data``, ``figures``, ``docs``); defaults from :mod:`paths`."""
    return {"data": Path(data_dir or paths.DATA), "figures": Path(figures_dir or paths.FIGURES),
            "docs": Path(docs_dir or paths.DOCS)}


def label_of(path: Path, roots: dict[str, Path]) -> str:
    """``data/x.csv`` for a file under one of ``roots``."""
    path = Path(path).resolve()
    for name, root in roots.items():
        try:
            return f"{name}/{path.relative_to(root.resolve()).as_posix()}"
        except ValueError:
            continue
    raise ValueError(f"{path} is outside the output folders {', '.join(str(r) for r in roots.values())}")


def path_of(label: str, roots: dict[str, Path]) -> Path:
    name, _, rest = label.partition("/")
    return roots[name] / rest


def read_manifest(data_dir: Path | None = None) -> dict:
    """The build manifest of ``data_dir`` (``{}`` when absent or unreadable)."""
    path = Path(data_dir or paths.DATA) / MANIFEST
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def outputs_unchanged(record: dict[str, str], roots: dict[str, Path]) -> bool:
    """Every file of ``record`` (label → SHA-256) is there with the recorded bytes."""
    for label, sha in record.items():
        p = path_of(label, roots)
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
    return outputs_unchanged(tables, {"data": data_dir})


def write_manifest(data_dir: Path, digest: str, inputs: dict, env: dict, steps: dict[str, dict[str, str]],
                   complete: bool) -> Path:
    """Write the manifest: ``steps`` maps each step's name to its outputs (label → SHA-256);
    ``complete`` says whether every step of the build is recorded."""
    path = Path(data_dir) / MANIFEST
    doc = {
        "about": "Written by `treatydrafts build`: the fingerprint of the inputs these outputs were built from "
                 "and the SHA-256 of every output, by build step. Used to skip steps whose inputs and outputs "
                 "are unchanged, and by the library to read data/ instead of recomputing.",
        "fingerprint": digest,
        "complete": complete,
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
    data_dir = Path(data_dir)
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


def read_parquet_table(name: str, data_dir: Path | None = None) -> pd.DataFrame:
    """Read ``data/<name>.parquet`` as written (schema dtypes; no validation)."""
    return pd.read_parquet(Path(data_dir or paths.DATA) / f"{name}.parquet", engine="pyarrow")
