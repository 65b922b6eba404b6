"""Stage 5, tables: run the stages on one document and build its DataFrames.

This is the edge where dataclasses become validated DataFrames (see
:mod:`treatydrafts.schema`).  :func:`parse_source` runs clean → segment →
brackets → sponsors/recover; :func:`to_frames` turns the result into tables.
"""
from __future__ import annotations

import importlib
import re
import time
from collections import defaultdict
from dataclasses import dataclass, field

import pandas as pd

from . import catalog, schema
from .brackets import UnitLine, find_brackets, strike_runs
from .models import (Article, BracketSpan, Diagnostic, LineRole, Paragraph, Position, Proposal, Segmentation,
                     Source)

# A word for n_words: a run of letters or digits, e.g. "criminal", "18", "bis"
WORD_RE = re.compile(r"[^\W_]+")

SEGMENTERS = {
    "cnd": "treatydrafts.segment.cnd",
    "expert": "treatydrafts.segment.expert",
    "chair_draft": "treatydrafts.segment.chair_draft",
    "uk_submission": "treatydrafts.segment.uk_submission",
    "amended_draft": "treatydrafts.segment.amended_draft",
}

# Roles whose lines are never part of a bracket unit (they cannot hold draft text).
NON_TEXT_ROLES = {"blank", "footnote", "footer", "page_number", "separator"}


@dataclass(frozen=True)
class Parsed:
    """Everything the stages produced for one document."""

    source: Source
    parser: str
    segmentation: Segmentation
    brackets: tuple[BracketSpan, ...]
    strike_runs: tuple[tuple[int, int], ...]
    proposals: tuple[Proposal, ...]
    positions: tuple[Position, ...]
    diagnostics: tuple[Diagnostic, ...]
    # CPU seconds per stage (segment, brackets, proposals); for benchmarks only, never exported
    stage_seconds: tuple[tuple[str, float], ...] = field(default=(), compare=False)


def count_words(text: str) -> int:
    return len(WORD_RE.findall(text))


def segment_source(source: Source, parser: str) -> Segmentation:
    module = importlib.import_module(SEGMENTERS[parser])
    return module.segment(source)


def bracket_units(source: Source, seg: Segmentation) -> list[list[UnitLine]]:
    """Group the lines that may hold brackets into units.

    A unit is every text line of one article (heading included), in order;
    outside articles, each paragraph is a unit and every other text line is a
    unit of its own.  Brackets pair only within a unit, so a stray opener
    cannot disturb the rest of the document.
    """
    by_article: dict[int, list[UnitLine]] = defaultdict(list)
    by_paragraph: dict[int, list[UnitLine]] = defaultdict(list)
    singles: list[list[UnitLine]] = []
    order: list[tuple[str, int]] = []
    for role in seg.lines:
        if role.role in NON_TEXT_ROLES:
            continue
        ul = UnitLine(role.line, source.line_starts[role.line - 1], source.line_text(role.line))
        if role.article_seq:
            if role.article_seq not in by_article:
                order.append(("a", role.article_seq))
            by_article[role.article_seq].append(ul)
        elif role.paragraph_seq:
            if role.paragraph_seq not in by_paragraph:
                order.append(("p", role.paragraph_seq))
            by_paragraph[role.paragraph_seq].append(ul)
        else:
            order.append(("s", len(singles)))
            singles.append([ul])
    units = []
    for kind, key in order:
        units.append(by_article[key] if kind == "a" else by_paragraph[key] if kind == "p" else singles[key])
    return units


def find_all_brackets(source: Source, seg: Segmentation) -> tuple[list[BracketSpan], list[tuple[int, int]], list[Diagnostic]]:
    """Bracket spans of the whole document, numbered in order of their openers."""
    spans: list[BracketSpan] = []
    runs_all: list[tuple[int, int]] = []
    diags: list[Diagnostic] = []
    for unit in bracket_units(source, seg):
        runs, rdiags = strike_runs(unit, source.doc_id)
        got, bdiags = find_brackets(source.doc_id, source.text, unit, first_id=len(spans) + 1, runs=runs)
        spans.extend(got)
        runs_all.extend(runs)
        diags.extend(rdiags)
        diags.extend(bdiags)
    spans.sort(key=lambda s: s.start_offset)
    new_id = {s.bracket_id: i for i, s in enumerate(spans, 1)}
    renumbered = [BracketSpan(**{**s.__dict__, "bracket_id": new_id[s.bracket_id],
                                 "parent_id": new_id.get(s.parent_id, 0)}) for s in spans]
    return renumbered, sorted(runs_all), diags


def extract_proposals(source: Source, parser: str, seg: Segmentation, spans: list[BracketSpan]):
    """Proposals and positions: sponsor tails (CND) or recovered name lists (6th session)."""
    if parser == "cnd":
        from .sponsors import extract_proposals as run
        return run(source, spans)
    if parser == "amended_draft":
        from .recover import extract_proposals as run
        return run(source, seg)
    return [], [], []


def parse_source(source: Source, parser: str, diagnostics: list[Diagnostic] | tuple = (),
                 segmentation: Segmentation | None = None) -> Parsed:
    """Run segment → brackets → sponsors/recover on a cleaned source (from ``segmentation``
    when the source was already segmented)."""
    t0 = time.process_time()
    seg = segment_source(source, parser) if segmentation is None else segmentation
    t1 = time.process_time()
    spans, runs, bdiags = find_all_brackets(source, seg)
    t2 = time.process_time()
    proposals, positions, pdiags = extract_proposals(source, parser, seg, spans)
    t3 = time.process_time()
    diags = [*diagnostics, *seg.diagnostics, *bdiags, *pdiags]
    stage = "recover" if parser == "amended_draft" else "sponsors"
    return Parsed(source, parser, seg, tuple(spans), tuple(runs), tuple(proposals), tuple(positions), tuple(diags),
                  (("segment", t1 - t0), ("brackets", t2 - t1), (stage, t3 - t2)))


# ---------------------------------------------------------------- frames


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
    for a in seg.articles:
        end_line = min(a.end_line, src.n_lines)
        arow.append({**a.__dict__,
                     "start_offset": src.line_starts[a.start_line - 1],
                     "end_offset": src.line_starts[end_line - 1] + len(src.line_text(end_line)),
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
