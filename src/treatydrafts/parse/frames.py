"""The edge of the parse layer: a :class:`~.pipeline.Parsed` document as validated DataFrames.

:func:`to_frames` builds the draft tables (lines, chapters, articles,
paragraphs, brackets, proposals, positions, diagnostics) and validates each
against :mod:`treatydrafts.schema`.

Cost: linear time and memory in the number of rows.  Frames are built from
column lists (no dict per row) and validated one table at a time, the largest
first; a table of more than :data:`VALIDATE_ROWS` rows is validated in sorted
slices (same rows, a fraction of the peak memory).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import fields
from operator import attrgetter

import numpy as np
import pandas as pd

from .. import catalog, schema
from ..errors import SchemaError
from ..models import Article, Chapter, LineRole, Paragraph, Position, Proposal, Segmentation, Source
from ..vocab import count_words
from .pipeline import Parsed
from .titles import display_title

# Tables longer than this are validated in slices of this many rows (see _frame).
VALIDATE_ROWS = 100_000


def _columns(items, names) -> dict[str, list]:
    """Column lists of the dataclass fields ``names`` of ``items`` (no dict per row)."""
    return {name: list(map(attrgetter(name), items)) for name in names}


def _field_names(cls, *, without: tuple[str, ...] = ()) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls) if f.name not in without)


def _frame(cols: dict[str, list], name: str) -> pd.DataFrame:
    """Table ``name`` from column lists (``schema.empty_frame`` when there are no rows),
    validated; ``cols`` is emptied on the way so that each list is freed once converted.

    Built column-wise and validated one table at a time: a dict per row would cost about
    a kilobyte per row, more than the parsed items themselves on a source with hundreds
    of thousands of spans."""
    if not cols or not len(next(iter(cols.values()))):
        cols.clear()
        return schema.validate(schema.empty_frame(name), name)
    strings = {c.name for c in schema.TABLES[name].columns if c.dtype == "str"}
    arrays = {}
    for k in list(cols):  # one list at a time becomes an array (str columns stay Python strings)
        arrays[k] = np.array(cols.pop(k), dtype=object if k in strings else None)
    df = pd.DataFrame(arrays, copy=False)
    del arrays
    if name == "diagnostics":
        df = df.drop_duplicates()
    return _validate(df, name)


def _validate(df: pd.DataFrame, name: str) -> pd.DataFrame:
    """``schema.validate(df, name)``; a table of more than :data:`VALIDATE_ROWS` rows is
    validated in slices with the same result."""
    key = list(schema.TABLES[name].primary_key)
    if len(df) <= VALIDATE_ROWS or not key:
        return schema.validate(df, name)
    # A large table is sorted by its key first (the stable sort schema.validate does) and
    # validated in slices: validation briefly holds about five copies of what it checks.
    # Each slice is already in key order, so the slices joined are the rows schema.validate
    # returns for the whole table; a key repeated across two slices would sit at their border.
    missing = [c for c in key if c not in df.columns]
    if missing:  # let schema.validate name every missing column
        return schema.validate(df, name)
    df = df.sort_values(key, kind="mergesort", ignore_index=True)
    parts = []
    for i in range(0, len(df), VALIDATE_ROWS):
        parts.append(schema.validate(df.iloc[i:i + VALIDATE_ROWS], name))
        if len(parts) > 1 and parts[-2].iloc[-1][key].tolist() == parts[-1].iloc[0][key].tolist():
            raise SchemaError(f"table {name!r}: primary key {tuple(key)} not unique, "
                              f"e.g. {parts[-1].iloc[0][key].to_dict()}")
    del df
    return pd.concat(parts, ignore_index=True)


def _line_index(seg: Segmentation) -> dict[int, LineRole]:
    return {r.line: r for r in seg.lines}


def to_frames(p: Parsed) -> dict[str, pd.DataFrame]:
    """Validated DataFrames for one parsed document (memory linear in the number of rows)."""
    src, seg = p.source, p.segmentation
    doc = src.doc_id
    roles = _line_index(seg)
    art_by_seq: dict[int, Article] = {a.article_seq: a for a in seg.articles}
    par_by_seq: dict[int, Paragraph] = {q.paragraph_seq: q for q in seg.paragraphs}

    located: dict[int, tuple[int, str, int, str]] = {}

    def locate(line: int) -> tuple[int, str, int, str]:
        got = located.get(line)
        if got is None:
            r = roles.get(line)
            if r is None:
                got = (0, "", 0, "")
            else:
                a = art_by_seq.get(r.article_seq)
                q = par_by_seq.get(r.paragraph_seq)
                got = (r.article_seq, a.article if a else "", r.paragraph_seq, q.paragraph if q else "")
            located[line] = got
        return got

    def line_end(line: int) -> int:
        """Offset just past the last character of ``line`` (without copying it)."""
        start = src.line_starts[line - 1]
        if line < src.n_lines:
            return src.line_starts[line] - 1
        end = src.text.find("\n", start)
        return len(src.text) if end == -1 else end

    # lines
    lines = _frame({
        "doc_id": [doc] * len(seg.lines), "line": [r.line for r in seg.lines], "role": [r.role for r in seg.lines],
        "article_seq": [r.article_seq for r in seg.lines], "paragraph_seq": [r.paragraph_seq for r in seg.lines],
        "start_offset": [src.line_starts[r.line - 1] for r in seg.lines],
        "end_offset": [line_end(r.line) for r in seg.lines],
    }, "lines")

    chapters = _frame(_columns(seg.chapters, _field_names(Chapter)), "chapters")

    # paragraphs
    pcols = _columns(seg.paragraphs, _field_names(Paragraph, without=("line_numbers",)))
    pcols["n_lines"] = [len(q.line_numbers) or (q.end_line - q.start_line + 1) for q in seg.paragraphs]
    words = [count_words(q.text) for q in seg.paragraphs]
    pcols["n_words"] = list(words)  # _frame consumes its lists; the articles need the counts too
    paragraphs = _frame(pcols, "paragraphs")

    # articles
    n_par: dict[int, int] = defaultdict(int)
    n_words: dict[int, int] = defaultdict(int)
    for q, w in zip(seg.paragraphs, words):
        n_par[q.article_seq] += 1
        n_words[q.article_seq] += w
    del words
    base_titles = dict(p.base_titles)
    acols = _columns(seg.articles, _field_names(Article))
    acols["start_offset"] = [src.line_starts[a.start_line - 1] for a in seg.articles]
    acols["end_offset"] = [line_end(min(a.end_line, src.n_lines)) for a in seg.articles]
    acols["display_title"] = [display_title(a.title, base_titles.get(a.article)) for a in seg.articles]
    acols["n_paragraphs"] = [n_par[a.article_seq] for a in seg.articles]
    acols["n_words"] = [n_words[a.article_seq] for a in seg.articles]
    articles = _frame(acols, "articles")

    # positions, then proposals and brackets: the largest table is validated first, while no
    # other large frame is held yet (validation briefly needs a few copies of its table)
    prop_loc: dict[str, tuple[int, str]] = {}
    attributed: set[int] = set()
    with_positions = {ps.proposal_id for ps in p.positions}
    for pr in p.proposals:
        a_seq, a_lab, _, _ = locate(pr.line)
        prop_loc[pr.proposal_id] = (a_seq, a_lab)
        if pr.bracket_id and pr.proposal_id in with_positions:
            attributed.add(pr.bracket_id)
    del with_positions
    pscols = _columns(p.positions, _field_names(Position))
    loc = [prop_loc.get(pid, (0, "")) for pid in pscols["proposal_id"]]
    pscols["article_seq"] = [x[0] for x in loc]
    pscols["article"] = [x[1] for x in loc]
    del prop_loc, loc
    positions = _frame(pscols, "positions")
    prcols = _columns(p.proposals, _field_names(Proposal))
    where = [locate(pr.line) for pr in p.proposals]
    for k, col in enumerate(("article_seq", "article", "paragraph_seq", "paragraph")):
        prcols[col] = [w[k] for w in where]
    del where
    proposals = _frame(prcols, "proposals")

    # brackets
    where = [locate(s.line) for s in p.brackets]
    bcols = {"doc_id": [doc] * len(p.brackets)}
    bcols.update(_columns(p.brackets, ("bracket_id", "parent_id", "depth")))
    for k, col in enumerate(("article_seq", "article", "paragraph_seq", "paragraph")):
        bcols[col] = [w[k] for w in where]
    del where
    bcols.update(_columns(p.brackets, ("line",)))
    bcols["end_line"] = [src.line_of(max(s.end_offset - 1, s.start_offset)) for s in p.brackets]
    bcols.update(_columns(p.brackets, ("start_offset", "end_offset", "text", "opener", "is_closed")))
    bcols["is_attributed"] = [s.bracket_id in attributed for s in p.brackets]
    bcols["is_struck"] = [s.is_struck for s in p.brackets]
    brackets = _frame(bcols, "brackets")

    diagnostics = _frame({"doc_id": [d.doc_id or doc for d in p.diagnostics],
                          "line": [d.line for d in p.diagnostics], "stage": [d.stage for d in p.diagnostics],
                          "kind": [d.kind for d in p.diagnostics], "message": [d.message for d in p.diagnostics]},
                         "diagnostics")
    return {"lines": lines, "chapters": chapters, "articles": articles, "paragraphs": paragraphs,
            "brackets": brackets, "proposals": proposals, "positions": positions, "diagnostics": diagnostics}


def document_row(source: Source) -> dict:
    row = catalog.entry(source.doc_id)
    row.update(n_lines=source.n_lines, n_chars=len(source.text))
    return row
