"""The public API: documents, drafts and the delegation registry as DataFrames.

A :class:`Corpus` reads the vendored sources.  Its ``load``/``load_all``
parse them, unless the corpus was made with ``read_built=True`` (the
default of the module-level functions) and ``data/`` holds tables that the
current library built from the current sources (:func:`treatydrafts.store.is_fresh`,
checked by fingerprint and SHA-256): then they read those tables, which are
the same rows (a test asserts it), in a fraction of the time.  The build and
the tests that exercise the parser use ``Corpus(read_built=False)``.

The module-level functions (``td.load``, ``td.load_all`` …) are the methods
of :data:`DEFAULT`, so a module and a corpus can be passed wherever an
analysis takes a ``corpus``.

Parsing is memoised per process (the stages are pure), whatever the corpus.
The damaged ``ahc6-amended-draft`` is read against the Chair's draft it
amends (:data:`BASE_OF`): the corpus hands that draft to the recovery stage.
"""
from __future__ import annotations

import functools
import operator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from . import catalog, paths, schema, store
from .errors import LineNumberError
from .models import Diagnostic, Segmentation, Source
from .parse.clean import read_path, read_source
from .parse.frames import document_row, to_frames
from .parse.pipeline import Parsed, parse_source, segment_source
from .parse.registry import load_delegations
from .parse.segment import SEGMENTERS

DRAFT_TABLES = ("lines", "chapters", "articles", "paragraphs", "brackets", "proposals", "positions", "diagnostics")
# The clean draft each damaged draft amends (the recovery's loss model is measured against it).
BASE_OF = {"ahc6-amended-draft": "ahc6-chair-draft"}


@dataclass(frozen=True)
class Draft:
    """One parsed draft (or, from :meth:`Corpus.load_all`, all of them).

    Every table carries ``doc_id`` and line numbers (and offsets for spans);
    ``source_line(n, doc_id)`` shows the line a row points to.  ``sources`` holds the
    :class:`Source` of a draft read with :func:`parse_file` (a vendored draft's source is
    read from the catalogue).
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
    sources: tuple[Source, ...] = field(default=(), repr=False, compare=False)

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
        """The text (decoded) of source ``line`` (1-based) of ``doc_id``; a line outside
        ``1..n_lines`` raises :class:`~treatydrafts.errors.LineNumberError`."""
        doc_id = doc_id or self.doc_id
        src = next((s for s in self.sources if s.doc_id == doc_id), None) or source(doc_id)
        try:
            n = operator.index(line)  # int, numpy integer (a table's ``line`` column)
        except TypeError:
            raise LineNumberError(doc_id, line, src.n_lines) from None
        if not 1 <= n <= src.n_lines:
            raise LineNumberError(doc_id, n, src.n_lines)
        return src.line_text(n)

    def __repr__(self) -> str:
        inner = ", ".join(f"{k}={v}" for k, v in self.counts().items())
        return f"Draft({', '.join(self.doc_ids)}: {inner})"


@dataclass(frozen=True)
class Segmented:
    """A document read, decoded and segmented, without the bracket, sponsor and recovery stages."""

    source: Source
    segmentation: Segmentation
    diagnostics: tuple[Diagnostic, ...]  # reading/decoding, then segmenting


# ---------------------------------------------------------------- memoised stages (pure, per process)


@functools.lru_cache(maxsize=None)
def _source(doc_id: str) -> tuple[Source, list[Diagnostic]]:
    return read_source(doc_id)


@functools.lru_cache(maxsize=None)
def _segmented(doc_id: str) -> Segmented:
    src, diags = _source(doc_id)
    seg = segment_source(src, catalog.entry(doc_id)["parser"])
    return Segmented(src, seg, (*diags, *seg.diagnostics))


def _base(doc_id: str) -> tuple[Source, Segmentation] | None:
    base = BASE_OF.get(doc_id)
    if base is None:
        return None
    s = _segmented(base)
    return s.source, s.segmentation


@functools.lru_cache(maxsize=None)
def _parsed(doc_id: str) -> Parsed:
    src, diags = _source(doc_id)
    return parse_source(src, catalog.entry(doc_id)["parser"], diags, _segmented(doc_id).segmentation,
                        base=_base(doc_id))


@functools.lru_cache(maxsize=None)
def _parsed_frames(doc_id: str) -> dict[str, pd.DataFrame]:
    return to_frames(_parsed(doc_id))


@functools.lru_cache(maxsize=None)
def _built_table(name: str, data_dir: str) -> pd.DataFrame:
    return store.read_parquet_table(name, Path(data_dir))


def built_frames(doc_id: str, data_dir: Path | None = None) -> dict[str, pd.DataFrame]:
    """The rows of ``doc_id`` in the built tables of ``data_dir`` (default ``data/``), table
    by table, as parsing gives them (whether ``data_dir`` is fresh is not checked here)."""
    data_dir = str(data_dir or paths.DATA)
    out = {}
    for name in DRAFT_TABLES:
        df = _built_table(name, data_dir)
        df = df[df["doc_id"] == doc_id].reset_index(drop=True)
        out[name] = schema.validate(df, name)
    return out


# ---------------------------------------------------------------- the corpus


class Corpus:
    """The vendored documents.  ``read_built``: read ``data_dir``'s tables when they are fresh
    (checked once per corpus); ``False`` always parses."""

    def __init__(self, read_built: bool = True, data_dir: Path | None = None):
        self.read_built = read_built
        self.data_dir = Path(data_dir or paths.DATA)
        self._fresh: bool | None = None

    def __repr__(self) -> str:
        return f"Corpus(read_built={self.read_built}, data_dir={str(self.data_dir)!r})"

    def reads_built_tables(self) -> bool:
        """Whether this corpus reads ``data_dir`` instead of parsing: ``read_built`` and fresh."""
        if not self.read_built:
            return False
        if self._fresh is None:
            self._fresh = store.is_fresh(self.data_dir)
        return self._fresh

    def forget_freshness(self) -> None:
        self._fresh = None

    def _frames(self, doc_id: str) -> dict[str, pd.DataFrame]:
        return built_frames(doc_id, self.data_dir) if self.reads_built_tables() else _parsed_frames(doc_id)

    def documents(self) -> pd.DataFrame:
        """The catalogue of source documents, in session order."""
        rows = [document_row(_source(d)[0]) for d in catalog.doc_ids()]
        df = schema.validate(pd.DataFrame(rows), "documents", sort=False)
        return df.sort_values("session_order", kind="mergesort").reset_index(drop=True)

    def delegations(self) -> pd.DataFrame:
        """The delegation registry (NA-safe: Namibia's ``NA`` stays a string)."""
        return schema.validate(load_delegations(), "delegations")

    def source(self, doc_id: str) -> Source:
        """The (decoded) source text of one document, for tracing rows back to lines."""
        return _source(catalog.check_doc_id(doc_id))[0]

    def segmented(self, doc_id: str) -> Segmented:
        """Source, segmentation (lines, chapters, articles, paragraphs) and their diagnostics of one
        document: the first stages only, so cheap even for the damaged 6th-session draft."""
        return _segmented(catalog.check_doc_id(doc_id))

    def parsed(self, doc_id: str) -> Parsed:
        """The stage outputs (dataclasses) of one document."""
        return _parsed(catalog.check_doc_id(doc_id))

    def load(self, doc_id: str) -> Draft:
        """One document's tables: parsed, or read from ``data/`` when it is fresh (same rows; see
        the module docstring).  Raises :class:`~treatydrafts.errors.UnknownDocumentError`
        (listing the valid ids) for an unknown id."""
        catalog.check_doc_id(doc_id)
        frames = self._frames(doc_id)
        return Draft((doc_id,), **{k: frames[k].copy() for k in DRAFT_TABLES})

    def load_each(self, doc_ids=None) -> dict[str, Draft]:
        """``doc_id -> Draft`` for ``doc_ids`` (default: every document, in session order)."""
        return {d: self.load(d) for d in (catalog.doc_ids() if doc_ids is None else doc_ids)}

    def load_all(self) -> Draft:
        """All documents, each table concatenated (in session order, then by key)."""
        ids = tuple(catalog.doc_ids())
        out = {}
        for name in DRAFT_TABLES:
            parts = [self._frames(d)[name] for d in ids]
            df = pd.concat(parts, ignore_index=True) if parts else schema.empty_frame(name)
            out[name] = schema.validate(df, name)
        return Draft(ids, **out)


DEFAULT = Corpus()

documents = DEFAULT.documents
delegations = DEFAULT.delegations
source = DEFAULT.source
segmented = DEFAULT.segmented
parsed = DEFAULT.parsed
load = DEFAULT.load
load_each = DEFAULT.load_each
load_all = DEFAULT.load_all


def parse_file(path, parser: str = "cnd", doc_id: str = "external", base_doc: str | None = None) -> Draft:
    """Parse any text file with one of the segmenters (``cnd``, ``expert``,
    ``chair_draft``, ``uk_submission``, ``amended_draft``).

    Bad input raises a typed :class:`~treatydrafts.errors.SourceError` naming
    the file and line (empty, binary, UTF-16, invalid UTF-8); odd content
    becomes rows of ``diagnostics``.  An ``amended_draft`` file is read against
    the vendored Chair's draft unless ``base_doc`` names another document.
    """
    if parser not in SEGMENTERS:
        raise ValueError(f"unknown parser {parser!r}; choose one of {', '.join(SEGMENTERS)}")
    src, diags = read_path(path, doc_id)
    base_id = base_doc or (BASE_OF["ahc6-amended-draft"] if parser == "amended_draft" else None)
    base = None
    if base_id is not None:
        s = _segmented(catalog.check_doc_id(base_id))
        base = (s.source, s.segmentation)
    frames = to_frames(parse_source(src, parser, diags, base=base))
    return Draft((doc_id,), **{k: frames[k] for k in DRAFT_TABLES}, sources=(src,))


def clear_caches() -> None:
    """Forget parsed documents, read tables and the freshness of ``data/`` (e.g. after a build)."""
    for f in (_source, _segmented, _parsed, _parsed_frames, _built_table):
        f.cache_clear()
    DEFAULT.forget_freshness()
