"""Storage: tables to and from ``data/``, the build manifest and the freshness of ``data/``.

Same inputs, same bytes: tables are validated against :mod:`treatydrafts.schema`
and sorted by their keys, CSVs use ``\\n`` line ends.

**CSV dialect.**  UTF-8, comma-separated, a header row, ``\\n`` line ends;
every text cell is quoted (``"NA"``, ``""``), numbers and booleans
(``True``/``False``) are not, and a missing number (only in the columns a
table declares nullable) is an empty *unquoted* cell: the convention of the
readers that look at quotes (PostgreSQL ``COPY``, ``data.table::fread``,
Arrow with ``quoted_strings_can_be_null=False``), which read Namibia's
``NA`` and empty text as text and only the unquoted empty cells as missing.
Readers that ignore quotes (``pandas.read_csv``, R's ``read.csv``, readr)
need the recipes in the README and the data dictionary
(:data:`treatydrafts.schema.READING_CSV`).

**Manifest.**  ``data/build-manifest.json`` records the *fingerprint* of the
inputs the outputs were built from (SHA-256 of every source file of the
package and its resources, of every file in ``seeds/`` and of the reviewed
hand-made inputs under ``data/``, plus the *declared* environment: the Python
minor version named in ``requirements.lock`` and the versions it pins for the
libraries that shape the outputs) and the SHA-256 of every file each build
step wrote, with the environment that actually ran the build as provenance.
It has no timestamps, so it is as reproducible as the outputs.
:func:`is_fresh` tells the library whether ``data/`` can be read instead of
recomputed.

**Other environments.**  The fingerprint depends on the inputs and the
lock, not on the Python that computes it: a user on another Python (or
other library versions) who has not changed an input gets the committed
tables as they are (the build skips every step, the library reads them).
Only a build in the *reference environment* (the lock's Python and pins,
:func:`is_reference_environment`) writes ``data/build-manifest.json``; a
build elsewhere that has to run steps (a changed input, ``--force``)
records them in ``data/build-manifest.local.json`` (kept out of git), so the
committed manifest is never rewritten by another environment.

**Writing.**  Every output is written to a temporary file in its own folder
(``.~td-<name>.<pid>-<n>.tmp``, created exclusively, so never through a planted
symlink), flushed to disk and renamed over the target (:func:`atomic_path`,
:func:`write_bytes_atomic`, :func:`write_text_atomic`): a reader, a kill or a
full disk never leaves a truncated or 0-byte output, only the previous bytes
(or none).  A target that is a symlink or not a regular file is refused with
:class:`~treatydrafts.errors.OutputPathError`; inside :func:`output_guard`
(the build), so is any path outside the output folders or below a symlinked
folder.  A failed write raises :class:`~treatydrafts.errors.OutputWriteError`
naming the path.

This module sits below the public API and the build: it knows files, not
parsing or analyses.
"""
from __future__ import annotations

import contextlib
import csv
import hashlib
import itertools
import json
import os
import re
import stat
import sys
from importlib import metadata
from pathlib import Path
from typing import Iterable, Iterator

import pandas as pd

from . import paths, schema
from .errors import OutputPathError, OutputWriteError

MANIFEST = "build-manifest.json"
# written instead of MANIFEST by a build outside the reference environment (git-ignored)
LOCAL_MANIFEST = "build-manifest.local.json"
# Libraries whose versions can change the bytes of a table or figure.
FINGERPRINT_PACKAGES = ("numpy", "pandas", "pyarrow", "matplotlib", "networkx", "scipy", "scikit-learn",
                        "plotly", "fonttools", "pillow", "rapidfuzz")
# Non-package inputs kept under data/ (hand-reviewed, not regenerated).
DATA_INPUTS = ("article_lineage_reviewed.csv", "article_crosswalk_reviewed.csv", "adopted_articles_reviewed.csv",
               "adopted_crosswalk_reviewed.csv", "validation/outcomes_sample.csv", "validation/outcomes_judged.csv",
               "validation/units.csv", "validation/truth.csv", "validation/annotations/truth_E.csv",
               "validation/baseline_readings.csv")


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# ---------------------------------------------------------------------------
# atomic writing, inside the output folders only
# ---------------------------------------------------------------------------

TMP_PREFIX = ".~td-"  # temporary files: ``.~td-<target name>.<pid>-<n>.tmp`` beside the target
_tmp_counter = itertools.count(1)
# The output folders while a build runs (set by :func:`output_guard`; inherited by forked workers).
_GUARD: tuple[Path, ...] | None = None


@contextlib.contextmanager
def output_guard(roots: Iterable[Path]) -> Iterator[None]:
    """While active, :func:`check_output_path` (so every atomic write) also refuses paths outside
    ``roots`` and paths below a symlinked folder (the root itself included)."""
    global _GUARD
    before = _GUARD
    _GUARD = tuple(Path(os.path.abspath(r)) for r in roots)
    try:
        yield
    finally:
        _GUARD = before


def _lstat(path: Path) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise OutputWriteError(path, exc) from None


def check_output_path(path: Path) -> Path:
    """``path`` if an output may be written there, else :class:`OutputPathError` naming it: the
    target must not be a symlink or anything but a regular file; inside :func:`output_guard` it
    must also lie in an output folder with no symlink from that folder down."""
    path = Path(os.path.abspath(path))
    st = _lstat(path)
    if st is not None and stat.S_ISLNK(st.st_mode):
        raise OutputPathError(path, f"it is a symlink (to {os.readlink(path)}); the build never writes through "
                                    "symlinks: remove it")
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise OutputPathError(path, "it exists and is not a regular file")
    if _GUARD is not None:
        root = next((r for r in _GUARD if r == path.parent or r in path.parents), None)
        if root is None:
            raise OutputPathError(path, f"it is outside the output folders ({', '.join(map(str, _GUARD))})")
        for folder in [root, *[p for p in path.parents if root in p.parents]]:
            st = _lstat(folder)
            if st is not None and stat.S_ISLNK(st.st_mode):
                raise OutputPathError(path, f"folder {folder} is a symlink (to {os.readlink(folder)}); the build "
                                            "never writes through symlinks: make it a real folder")
            if st is not None and not stat.S_ISDIR(st.st_mode):
                raise OutputPathError(path, f"{folder} is not a folder")
    return path


def _is_regular_file(path: Path) -> bool:
    """A regular file, not a symlink (nor a device, a FIFO, a folder)."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def _unlink_quietly(path: Path) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


@contextlib.contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path`` to write the whole output to; on success it is
    flushed to disk and renamed over ``path`` (atomic: readers see the old bytes or the new,
    never a mix); on any error or interruption it is removed and ``path`` is untouched.
    ``OSError`` becomes :class:`OutputWriteError` naming ``path``."""
    path = check_output_path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.parent / f"{TMP_PREFIX}{path.name}.{os.getpid()}-{next(_tmp_counter)}.tmp"
        open(tmp, "xb").close()  # O_CREAT | O_EXCL: never follows a symlink; mode from the umask
    except OSError as exc:
        raise OutputWriteError(path, exc) from None
    try:
        yield tmp
        if os.name == "posix":
            fd = os.open(tmp, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
        check_output_path(path)  # nothing was swapped in meanwhile
        os.replace(tmp, path)
    except OutputWriteError:
        _unlink_quietly(tmp)
        raise
    except OSError as exc:
        _unlink_quietly(tmp)
        raise OutputWriteError(path, exc) from None
    except BaseException:
        _unlink_quietly(tmp)
        raise


def write_bytes_atomic(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_path`); return ``path``."""
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:
            fh.write(data)
    return Path(path)


def write_text_atomic(path: Path, text: str) -> Path:
    """Write ``text`` as UTF-8 with the line ends as given (``\\n``) atomically; return ``path``."""
    return write_bytes_atomic(path, text.encode("utf-8"))


def remove_stale_temporaries(folder: Path) -> list[Path]:
    """Remove the temporary files a killed writer left in ``folder`` (those whose process is
    gone); return them.  The build calls it under its lock."""
    removed = []
    if os.name != "posix" or not Path(folder).is_dir():
        return removed
    for p in Path(folder).glob(f"{TMP_PREFIX}*.tmp"):
        try:
            pid = int(p.name.rsplit(".", 2)[-2].split("-")[0])
            os.kill(pid, 0)
        except ProcessLookupError:
            _unlink_quietly(p)
            removed.append(p)
        except (ValueError, IndexError, OSError):
            continue
    return removed


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


# "# python 3.11" in the header of requirements.lock
LOCK_PYTHON_RE = re.compile(r"^#\s*python\s+(\d+\.\d+)\b", re.IGNORECASE)
# "scikit-learn==1.9.1"
LOCK_PIN_RE = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;#]+)")


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared_environment(lock: Path | None = None) -> dict[str, str]:
    """The environment ``requirements.lock`` declares, in the shape of :func:`environment`: the
    Python minor version of its ``# python X.Y`` header and its pins of :data:`FINGERPRINT_PACKAGES`
    (``-`` when not pinned); ``{}`` when there is no lock."""
    try:
        lines = Path(lock or paths.LOCK).read_text(encoding="utf-8").splitlines()
    except OSError:
        return {}
    python, pins = "-", {}
    for line in lines:
        if m := LOCK_PYTHON_RE.match(line.strip()):
            python = m.group(1)
        elif m := LOCK_PIN_RE.match(line.strip()):
            pins[_normalise(m.group(1))] = m.group(2)
    return {"python": python, **{name: pins.get(_normalise(name), "-") for name in FINGERPRINT_PACKAGES}}


def is_reference_environment(env: dict[str, str] | None = None) -> bool:
    """Whether ``env`` (default: this one) is the one ``requirements.lock`` declares: the only
    environment whose build writes the committed manifest."""
    declared = declared_environment()
    return bool(declared) and (env or environment()) == declared


def fingerprint() -> tuple[str, dict[str, str], dict[str, str]]:
    """``(digest, {input label: sha256}, environment)``: the digest covers the inputs and the
    declared environment (:func:`declared_environment`), never the running one, which is
    returned as provenance."""
    inputs = {label: sha256_file(p) for label, p in input_files().items()}
    digest = hashlib.sha256(json.dumps({"inputs": inputs, "environment": declared_environment()},
                                       sort_keys=True).encode()).hexdigest()
    return digest, inputs, environment()


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


def _load_manifest(path: Path) -> dict:
    """A manifest file's content (``{}`` when absent, unreadable, a symlink or not a regular file: a
    manifest planted as a link to ``/dev/zero`` must not hang the build)."""
    if not _is_regular_file(path):
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def manifest_path(data_dir: Path | None = None) -> Path:
    """Where a build in this environment records its outputs: ``build-manifest.json`` in the
    reference environment, ``build-manifest.local.json`` (git-ignored) elsewhere."""
    return Path(data_dir or paths.DATA) / (MANIFEST if is_reference_environment() else LOCAL_MANIFEST)


def read_manifest(data_dir: Path | None = None) -> dict:
    """The build manifest of ``data_dir`` that this environment goes by (``{}`` when absent or
    unreadable): the committed ``build-manifest.json``, except outside the reference environment
    where a ``build-manifest.local.json`` built from the current inputs comes first."""
    data_dir = Path(data_dir or paths.DATA)
    if not is_reference_environment():
        local = _load_manifest(data_dir / LOCAL_MANIFEST)
        if local and local.get("fingerprint") == fingerprint()[0]:
            return local
    return _load_manifest(data_dir / MANIFEST)


def outputs_unchanged(record: dict[str, str], roots: dict[str, Path]) -> bool:
    """Every file of ``record`` (label → SHA-256) is there with the recorded bytes."""
    for label, sha in record.items():
        p = path_of(label, roots)
        if not _is_regular_file(p) or sha256_file(p) != sha:
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
    """Write the manifest (:func:`manifest_path`): ``steps`` maps each step's name to its outputs
    (label → SHA-256); ``complete`` says whether every step of the build is recorded."""
    path = manifest_path(data_dir)
    doc = {
        "about": "Written by `treatydrafts build`: the fingerprint of the inputs these outputs were built from "
                 "and the SHA-256 of every output, by build step. Used to skip steps whose inputs and outputs "
                 "are unchanged, and by the library to read data/ instead of recomputing.",
        "fingerprint": digest,
        "complete": complete,
        "declared_environment": declared_environment(),
        "environment": env,
        "inputs": inputs,
        "steps": {name: dict(sorted(rec.items())) for name, rec in steps.items()},
    }
    written = write_text_atomic(path, json.dumps(doc, indent=1, sort_keys=False) + "\n")
    if path.name == MANIFEST:  # the reference build supersedes any local record
        (Path(data_dir) / LOCAL_MANIFEST).unlink(missing_ok=True)
    return written


# ---------------------------------------------------------------------------
# tables
# ---------------------------------------------------------------------------

# The CSV dialect (see the module docstring): every non-number quoted.
CSV_FORMAT = {"index": False, "lineterminator": "\n", "encoding": "utf-8", "quoting": csv.QUOTE_NONNUMERIC}


class _Blank(float):
    """A missing number as the csv module writes it under ``QUOTE_NONNUMERIC``: a float (so it is
    not quoted) whose text is empty, i.e. an empty unquoted cell.  (``None`` or NaN would become
    ``""``, which quote-aware readers take for an empty string.)"""

    def __repr__(self) -> str:
        return ""

    __str__ = __repr__


BLANK = _Blank(0.0)


def csv_ready(df: pd.DataFrame, name: str) -> pd.DataFrame:
    """``df`` with the missing values of the table's nullable columns as :data:`BLANK`."""
    nullable = [c for c in schema.TABLES[name].nullable if df[c].isna().any()]
    if not nullable:
        return df
    df = df.copy()
    for c in nullable:
        df[c] = pd.Series([BLANK if pd.isna(v) else v for v in df[c].astype(object)], index=df.index, dtype=object)
    return df


def write_table(df: pd.DataFrame, name: str, data_dir: Path) -> list[Path]:
    """Validate ``df`` against ``schema.TABLES[name]`` and write CSV + Parquet (each atomically)."""
    df = schema.validate(df, name)
    data_dir = Path(data_dir)
    csv_path = data_dir / f"{name}.csv"
    pq_path = data_dir / f"{name}.parquet"
    with atomic_path(csv_path) as tmp:
        csv_ready(df, name).to_csv(tmp, **CSV_FORMAT)
    with atomic_path(pq_path) as tmp:
        df.to_parquet(tmp, index=False, engine="pyarrow", compression="zstd")
    return [csv_path, pq_path]


def csv_read_options(name: str) -> dict:
    """``pandas.read_csv`` arguments that read table ``name`` exactly as written: schema dtypes, no
    NA guessing (Namibia's ``NA`` and empty text stay strings), empty cells missing only in the
    table's nullable columns."""
    t = schema.TABLES[name]
    return {"dtype": {c.name: (str if c.dtype == "str" else c.pandas_dtype) for c in t.columns},
            "keep_default_na": False, "na_values": {c: [""] for c in t.nullable}, "encoding": "utf-8"}


def read_table(name: str, data_dir: Path | None = None) -> pd.DataFrame:
    """Read ``data/<name>.csv`` NA-safely (Namibia's ``NA`` stays a string) with schema dtypes."""
    path = Path(data_dir or paths.DATA) / f"{name}.csv"
    df = pd.read_csv(path, **csv_read_options(name))
    return schema.validate(df, name)


def read_parquet_table(name: str, data_dir: Path | None = None) -> pd.DataFrame:
    """Read ``data/<name>.parquet`` as written (schema dtypes; no validation)."""
    return pd.read_parquet(Path(data_dir or paths.DATA) / f"{name}.parquet", engine="pyarrow")
