"""The edge of the parse layer: a :class:`~.pipeline.Parsed` document as validated DataFrames.

:func:`to_frames` builds the draft tables (lines, chapters, articles,
paragraphs, brackets, proposals, positions, diagnostics) and validates each
against :mod:`treatydrafts.schema`.
"""
from __future__ import annotations

from collections import defaultdict

import pandas as pd

from .. import catalog, schema
from ..models import Article, LineRole, Paragraph, Segmentation, Source
from ..vocab import count_words
from .pipeline import Parsed
from .titles import display_title


def _records(items) -> list[dict]:
    return [dict(it.__dict__) for it in items]


def _line_index(seg: Segmentation) -> dict[int, LineRole]:
    return {r.line: r for r in seg.lines}


def to_frames(p: Parsed) -> dict[str, pd.DataFrame]:
    """Validated DataFrames for one parsed document."""
    src, seg = p.source, p.segmentation
    doc = src.doc_id
    roles = _line_index(seg)
    art_by_seq: dict[int, Article] = {a.article_seq: a for a in seg.articles}
    par_by_seq: dict[int, Paragraph] = {q.paragraph_seq: q for q in seg.paragraphs}

    def locate(line: int) -> tuple[int, str, int, str]:
        r = roles.get(line)
        if r is None:
            return 0, "", 0, ""
        a = art_by_seq.get(r.article_seq)
        q = par_by_seq.get(r.paragraph_seq)
        return r.article_seq, a.article if a else "", r.paragraph_seq, q.paragraph if q else ""

    # lines
    lines = pd.DataFrame([{
        "doc_id": doc, "line": r.line, "role": r.role, "article_seq": r.article_seq, "paragraph_seq": r.paragraph_seq,
        "start_offset": src.line_starts[r.line - 1], "end_offset": src.line_starts[r.line - 1] + len(src.line_text(r.line)),
    } for r in seg.lines]) if seg.lines else schema.empty_frame("lines")

    chapters = pd.DataFrame(_records(seg.chapters)) if seg.chapters else schema.empty_frame("chapters")

    # paragraphs
    prow = []
    for q in seg.paragraphs:
        prow.append({**{k: v for k, v in q.__dict__.items() if k != "line_numbers"},
                     "n_lines": len(q.line_numbers) or (q.end_line - q.start_line + 1),
                     "n_words": count_words(q.text)})
    paragraphs = pd.DataFrame(prow) if prow else schema.empty_frame("paragraphs")

    # articles
    n_par: dict[int, int] = defaultdict(int)
    n_words: dict[int, int] = defaultdict(int)
    for q in seg.paragraphs:
        n_par[q.article_seq] += 1
        n_words[q.article_seq] += count_words(q.text)
    arow = []
    base_titles = dict(p.base_titles)
    for a in seg.articles:
        end_line = min(a.end_line, src.n_lines)
        arow.append({**a.__dict__,
                     "start_offset": src.line_starts[a.start_line - 1],
                     "end_offset": src.line_starts[end_line - 1] + len(src.line_text(end_line)),
                     "display_title": display_title(a.title, base_titles.get(a.article)),
                     "n_paragraphs": n_par[a.article_seq], "n_words": n_words[a.article_seq]})
    articles = pd.DataFrame(arow) if arow else schema.empty_frame("articles")

    # proposals / positions
    prop_rows = []
    prop_loc: dict[str, tuple[int, str]] = {}
    attributed: set[int] = set()
    with_positions = {ps.proposal_id for ps in p.positions}
    for pr in p.proposals:
        a_seq, a_lab, q_seq, q_lab = locate(pr.line)
        prop_loc[pr.proposal_id] = (a_seq, a_lab)
        prop_rows.append({**pr.__dict__, "article_seq": a_seq, "article": a_lab, "paragraph_seq": q_seq, "paragraph": q_lab})
        if pr.bracket_id and pr.proposal_id in with_positions:
            attributed.add(pr.bracket_id)
    proposals = pd.DataFrame(prop_rows) if prop_rows else schema.empty_frame("proposals")
    pos_rows = []
    for ps in p.positions:
        a_seq, a_lab = prop_loc.get(ps.proposal_id, (0, ""))
        pos_rows.append({**ps.__dict__, "article_seq": a_seq, "article": a_lab})
    positions = pd.DataFrame(pos_rows) if pos_rows else schema.empty_frame("positions")

    # brackets
    brow = []
    for s in p.brackets:
        a_seq, a_lab, q_seq, q_lab = locate(s.line)
        brow.append({"doc_id": doc, "bracket_id": s.bracket_id, "parent_id": s.parent_id, "depth": s.depth,
                     "article_seq": a_seq, "article": a_lab, "paragraph_seq": q_seq, "paragraph": q_lab,
                     "line": s.line, "end_line": src.line_of(max(s.end_offset - 1, s.start_offset)),
                     "start_offset": s.start_offset, "end_offset": s.end_offset, "text": s.text, "opener": s.opener,
                     "is_closed": s.is_closed, "is_attributed": s.bracket_id in attributed, "is_struck": s.is_struck})
    brackets = pd.DataFrame(brow) if brow else schema.empty_frame("brackets")

    diagnostics = pd.DataFrame([{"doc_id": d.doc_id or doc, "line": d.line, "stage": d.stage, "kind": d.kind,
                                 "message": d.message} for d in p.diagnostics]) if p.diagnostics else schema.empty_frame("diagnostics")
    if len(diagnostics):
        diagnostics = diagnostics.drop_duplicates()

    frames = {"lines": lines, "chapters": chapters, "articles": articles, "paragraphs": paragraphs,
              "brackets": brackets, "proposals": proposals, "positions": positions, "diagnostics": diagnostics}
    return {name: schema.validate(df, name) for name, df in frames.items()}


def document_row(source: Source) -> dict:
    row = catalog.entry(source.doc_id)
    row.update(n_lines=source.n_lines, n_chars=len(source.text))
    return row
