"""The public API: documents, drafts and the delegation registry as DataFrames."""
from __future__ import annotations

import functools
from dataclasses import dataclass, fields

import pandas as pd

from . import catalog, schema
from .clean import read_source
from .models import Source
from .tables import Parsed, document_row, parse_source, to_frames

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
def _parsed(doc_id: str) -> Parsed:
    src, diags = read_source(doc_id)
    return parse_source(src, catalog.entry(doc_id)["parser"], diags)


@functools.lru_cache(maxsize=None)
def _frames(doc_id: str) -> dict[str, pd.DataFrame]:
    return to_frames(_parsed(doc_id))


def parsed(doc_id: str) -> Parsed:
    """The stage outputs (dataclasses) of one document."""
    return _parsed(catalog.check_doc_id(doc_id))


def source(doc_id: str) -> Source:
    """The (decoded) source text of one document, for tracing rows back to lines."""
    return _parsed(catalog.check_doc_id(doc_id)).source


def documents() -> pd.DataFrame:
    """The catalogue of source documents, in session order."""
    rows = [document_row(_parsed(d).source) for d in catalog.doc_ids()]
    df = schema.validate(pd.DataFrame(rows), "documents", sort=False)
    return df.sort_values("session_order", kind="mergesort").reset_index(drop=True)


def load(doc_id: str) -> Draft:
    """Parse one document.  Raises :class:`~treatydrafts.errors.UnknownDocumentError`
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
