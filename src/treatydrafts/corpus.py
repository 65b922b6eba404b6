"""The public API: documents, drafts and the delegation registry as DataFrames.

:func:`load` and :func:`load_all` parse the sources, unless ``data/`` holds
tables that the current library built from the current sources
(:func:`treatydrafts.build.is_fresh`, checked by fingerprint and SHA-256):
then they read those tables, which are the same rows (a test asserts it), in
a fraction of the time.  Set ``treatydrafts.build.READ_BUILT_TABLES`` to
``False`` to always parse (the build and the test suite do).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, fields

import pandas as pd

from . import catalog, schema
from .clean import read_source
from .models import Diagnostic, Segmentation, Source
from .tables import Parsed, document_row, parse_source, segment_source, to_frames

DRAFT_TABLES = ("lines", "chapters", "articles", "paragraphs", "brackets", "proposals", "positions", "diagnostics")


@dataclass(frozen=True)
class Draft:
    """One parsed draft (or, from :func:`load_all`, all of them).

    Every table carries ``doc_id`` and line numbers (and offsets for spans);
    ``source_line(doc_id, n)`` shows the line a row points to.
    """

    doc_ids: tuple[str, ...]
    lines: pd.DataFrame
    chapters: pd.DataFrame
    articles: pd.DataFrame
    paragraphs: pd.DataFrame
    brackets: pd.DataFrame
    proposals: pd.DataFrame
    positions: pd.DataFrame
    diagnostics: pd.DataFrame

    @property
    def doc_id(self) -> str:
        if len(self.doc_ids) != 1:
            raise AttributeError("this Draft holds several documents; use .doc_ids")
        return self.doc_ids[0]

    def tables(self) -> dict[str, pd.DataFrame]:
        return {name: getattr(self, name) for name in DRAFT_TABLES}

    def counts(self) -> dict[str, int]:
        return {name: len(getattr(self, name)) for name in DRAFT_TABLES if name != "lines"}

    def source_line(self, line: int, doc_id: str | None = None) -> str:
        """The text (decoded) of source ``line`` of ``doc_id``."""
        return source(doc_id or self.doc_id).line_text(line)

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v}" for k, v in self.counts().items())
        return f"Draft({', '.join(self.doc_ids)}: {inner})"


@functools.lru_cache(maxsize=None)
def _source(doc_id: str):
    return read_source(doc_id)


@functools.lru_cache(maxsize=None)
def _parsed(doc_id: str) -> Parsed:
    src, diags = _source(doc_id)
    return parse_source(src, catalog.entry(doc_id)["parser"], diags, _segmented(doc_id).segmentation)


@functools.lru_cache(maxsize=None)
def _built_table(name: str, data_dir: str) -> pd.DataFrame:
    return pd.read_parquet(f"{data_dir}/{name}.parquet", engine="pyarrow")


@functools.lru_cache(maxsize=None)
def _fresh() -> bool:
    from . import build

    return build.is_fresh()


def _read_built() -> bool:
    """``build.reads_built_tables()``, with the freshness of ``data/`` checked once per process."""
    from . import build

    return build.READ_BUILT_TABLES and _fresh()


def built_frames(doc_id: str, data_dir=None) -> dict[str, pd.DataFrame]:
    """The rows of ``doc_id`` in the built tables of ``data_dir`` (default ``data/``), table
    by table, as parsing gives them (whether ``data_dir`` is fresh is not checked here)."""
    from . import paths

    data_dir = str(data_dir or paths.DATA)
    out = {}
    for name in DRAFT_TABLES:
        df = _built_table(name, data_dir)
        df = df[df["doc_id"] == doc_id].reset_index(drop=True)
        out[name] = schema.validate(df, name)
    return out


def _frames(doc_id: str) -> dict[str, pd.DataFrame]:
    return built_frames(doc_id) if _read_built() else _parsed_frames(doc_id)


@functools.lru_cache(maxsize=None)
def _parsed_frames(doc_id: str) -> dict[str, pd.DataFrame]:
    return to_frames(_parsed(doc_id))


def clear_caches() -> None:
    """Forget parsed documents, read tables and the freshness of ``data/`` (e.g. after a build)."""
    for f in (_source, _segmented, _parsed, _parsed_frames, _built_table, _fresh):
        f.cache_clear()


@dataclass(frozen=True)
class Segmented:
    """A document read, decoded and segmented, without the bracket, sponsor and recovery stages."""

    source: Source
    segmentation: Segmentation
    diagnostics: tuple[Diagnostic, ...]  # reading/decoding, then segmenting


@functools.lru_cache(maxsize=None)
def _segmented(doc_id: str) -> Segmented:
    src, diags = _source(doc_id)
    seg = segment_source(src, catalog.entry(doc_id)["parser"])
    return Segmented(src, seg, (*diags, *seg.diagnostics))


def segmented(doc_id: str) -> Segmented:
    """Source, segmentation (lines, chapters, articles, paragraphs) and their diagnostics of one
    document: the first stages only, so cheap even for the damaged 6th-session draft."""
    return _segmented(catalog.check_doc_id(doc_id))


def parsed(doc_id: str) -> Parsed:
    """The stage outputs (dataclasses) of one document."""
    return _parsed(catalog.check_doc_id(doc_id))


def source(doc_id: str) -> Source:
    """The (decoded) source text of one document, for tracing rows back to lines."""
    return _source(catalog.check_doc_id(doc_id))[0]


def documents() -> pd.DataFrame:
    """The catalogue of source documents, in session order."""
    rows = [document_row(_source(d)[0]) for d in catalog.doc_ids()]
    df = schema.validate(pd.DataFrame(rows), "documents", sort=False)
    return df.sort_values("session_order", kind="mergesort").reset_index(drop=True)


def load(doc_id: str) -> Draft:
    """One document's tables: parsed, or read from ``data/`` when it is fresh (same rows; see
    the module docstring).  Raises :class:`~treatydrafts.errors.UnknownDocumentError`
    (listing the valid ids) for an unknown id."""
    catalog.check_doc_id(doc_id)
    frames = _frames(doc_id)
    return Draft((doc_id,), **{k: frames[k].copy() for k in DRAFT_TABLES})


def load_each(doc_ids=None) -> dict[str, Draft]:
    """``doc_id -> Draft`` for ``doc_ids`` (default: every document, in session order)."""
    return {d: load(d) for d in (catalog.doc_ids() if doc_ids is None else doc_ids)}


def load_all() -> Draft:
    """All documents, each table concatenated (in session order, then by key)."""
    ids = tuple(catalog.doc_ids())
    out = {}
    for name in DRAFT_TABLES:
        parts = [_frames(d)[name] for d in ids]
        df = pd.concat(parts, ignore_index=True) if parts else schema.empty_frame(name)
        out[name] = schema.validate(df, name)
    return Draft(ids, **out)


def parse_file(path, parser: str = "cnd", doc_id: str = "external") -> Draft:
    """Parse any text file with one of the segmenters (``cnd``, ``expert``,
    ``chair_draft``, ``uk_submission``, ``amended_draft``).

    Bad input raises a typed :class:`~treatydrafts.errors.SourceError` naming
    the file and line (empty, binary, UTF-16, invalid UTF-8); odd content
    becomes rows of ``diagnostics``.
    """
    from .clean import read_path
    from .tables import SEGMENTERS

    if parser not in SEGMENTERS:
        raise ValueError(f"unknown parser {parser!r}; choose one of {', '.join(SEGMENTERS)}")
    src, diags = read_path(path, doc_id)
    frames = to_frames(parse_source(src, parser, diags))
    return Draft((doc_id,), **{k: frames[k] for k in DRAFT_TABLES})


def delegations() -> pd.DataFrame:
    """The delegation registry (NA-safe: Namibia's ``NA`` stays a string)."""
    from .registry import load_delegations

    return schema.validate(load_delegations(), "delegations")
