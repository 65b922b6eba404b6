"""The parse pipeline: run the stages on one cleaned source.

:func:`parse_source` runs segment → brackets → sponsors (``ahc4-cnd``) or
recover (``ahc6-amended-draft``) and returns a :class:`Parsed` record of
dataclasses; :mod:`treatydrafts.parse.frames` turns it into tables.  What a
stage needs from outside (the Chair's draft that the damaged draft amends) is
passed in, never fetched.
"""
from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field, replace

from ..models import BracketSpan, Diagnostic, Position, Proposal, Segmentation, Source
from ..vocab import NON_TEXT_ROLES
from . import recover, sponsors
from .brackets import UnitLine, find_brackets, strike_runs
from .segment import SEGMENTERS

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
    # (article label, title) of the base draft a damaged draft amends (its display titles come from there)
    base_titles: tuple[tuple[str, str], ...] = ()


def segment_source(source: Source, parser: str) -> Segmentation:
    return SEGMENTERS[parser](source)


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
    # renumber in document order; a span whose ids do not change is kept as it is (no copy)
    renumbered = [s if new_id[s.bracket_id] == s.bracket_id and new_id.get(s.parent_id, 0) == s.parent_id
                  else replace(s, bracket_id=new_id[s.bracket_id], parent_id=new_id.get(s.parent_id, 0))
                  for s in spans]
    return renumbered, sorted(runs_all), diags


def extract_proposals(source: Source, parser: str, seg: Segmentation, spans: list[BracketSpan],
                      base: tuple[Source, Segmentation] | None = None):
    """Proposals and positions: sponsor tails (CND) or recovered name lists (6th session,
    read against ``base``, the clean draft it amends)."""
    if parser == "cnd":
        return sponsors.extract_proposals(source, spans)
    if parser == "amended_draft":
        return recover.extract_proposals(source, seg, base)
    return [], [], []


def parse_source(source: Source, parser: str, diagnostics: list[Diagnostic] | tuple = (),
                 segmentation: Segmentation | None = None,
                 base: tuple[Source, Segmentation] | None = None) -> Parsed:
    """Run segment → brackets → sponsors/recover on a cleaned source (from ``segmentation``
    when the source was already segmented).  ``base``: source and segmentation of the clean
    draft a damaged draft amends (the recovery stage measures its loss model against it)."""
    t0 = time.process_time()
    seg = segment_source(source, parser) if segmentation is None else segmentation
    t1 = time.process_time()
    spans, runs, bdiags = find_all_brackets(source, seg)
    t2 = time.process_time()
    proposals, positions, pdiags = extract_proposals(source, parser, seg, spans, base)
    t3 = time.process_time()
    diags = [*diagnostics, *seg.diagnostics, *bdiags, *pdiags]
    stage = "recover" if parser == "amended_draft" else "sponsors"
    return Parsed(source, parser, seg, tuple(spans), tuple(runs), tuple(proposals), tuple(positions), tuple(diags),
                  (("segment", t1 - t0), ("brackets", t2 - t1), (stage, t3 - t2)),
                  tuple((a.article, a.title) for a in base[1].articles) if base is not None else ())


