"""Extraction: every damaged name list of the document as proposals and positions.

Every span between the delimiters ``( ) [ ] }`` of the document's content
lines (page numbers, footnotes and blanks removed, so lists cross page
breaks) is parsed (:mod:`.names`); spans with at least one name become a
:class:`~treatydrafts.models.Proposal` and one
:class:`~treatydrafts.models.Position` per name with stance, confidence and
the damaged string.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from ...models import Diagnostic, Position, Proposal, Segmentation, Source
from ...vocab import CONTENT_ROLES
from .loss import loss_model_for
from .names import DOCUMENT_PRIOR, Inventory, Item, inventory_for, recover_lists

STAGE = "recover"
# Delimiters that close or open a list / proposal: "(", ")", "[", "]", "}"
DELIM_RE = re.compile(r"[()\[\]}]")



def content_stream(source: Source, seg: Segmentation) -> tuple[str, list[int]]:
    """Content lines joined with "\\n" (page numbers, footnotes, blanks, cover removed),
    with the source offset of every stream character."""
    parts: list[str] = []
    offs: list[int] = []
    for lr in seg.lines:
        if lr.role not in CONTENT_ROLES:
            continue
        start = source.line_starts[lr.line - 1]
        text = source.line_text(lr.line)
        parts.append(text + "\n")
        offs.extend(range(start, start + len(text)))
        offs.append(start + len(text))
    return "".join(parts), offs


@dataclass(frozen=True)
class SpanReading:
    start: int  # stream offset of the span
    end: int
    opener: str
    closer: str
    items: tuple[Item, ...]


def list_spans(stream: str, max_len: int = 700) -> list[tuple[int, int, str, str]]:
    """(start, end, opener, closer) of every span between delimiters that could hold a list."""
    out = []
    cuts = [m.start() for m in DELIM_RE.finditer(stream)]
    prev = -1
    for pos in cuts + [len(stream)]:
        a, b = prev + 1, pos
        opener = stream[prev] if prev >= 0 else ""
        closer = stream[pos] if pos < len(stream) else ""
        prev = pos
        if closer not in (")", "]") or b - a < 2:
            continue
        if b - a > max_len:
            a = b - max_len
            opener = ""
        out.append((a, b, opener, closer))
    return out


def read_spans(stream: str, inv: Inventory, max_len: int = 700,
               prior: str | dict[str, float] = "uniform") -> list[SpanReading]:
    """Parse every span between delimiters that could hold a list (all spans in one batch)."""
    spans = list_spans(stream, max_len)
    readings = recover_lists([stream[a:b] for a, b, _, _ in spans], inv, [o == "(" for _, _, o, _ in spans],
                             prior=prior)
    out = []
    for (a, b, opener, closer), items in zip(spans, readings):
        if any(it.kind == "name" for it in items):
            shifted = tuple(Item(it.kind, it.start + a, it.end + a, it.damaged, it.form, it.delegation_id,
                                 it.confidence, it.candidates, it.stance) for it in items)
            out.append(SpanReading(a, b, opener, closer, shifted))
    return out


_KIND = {"sponsor": "insert", "delete": "delete", "retain": "position", "retain_original": "position",
         "keep": "position", "against": "position", "alt": "replace"}


def extract_proposals(source: Source, segmentation: Segmentation, base: tuple[Source, Segmentation] | None,
                      inv: Inventory | None = None) -> tuple[list[Proposal], list[Position], list[Diagnostic]]:
    """Proposals and positions of a damaged draft (``ahc6-amended-draft``) from its name lists.

    ``base``: the clean draft it amends (source and segmentation of the Chair's draft), against which
    the loss model is measured; without it (and without ``inv``) nothing can be read, which is
    reported as a ``recover_unavailable`` diagnostic."""
    doc_id = source.doc_id
    diags: list[Diagnostic] = []
    if inv is None:
        if base is None:
            return [], [], [Diagnostic(doc_id, 0, "recover_unavailable",
                                       "no base draft given to measure the loss model against", STAGE)]
        inv = inventory_for(loss_model_for(source, segmentation, *base))
    stream, offs = content_stream(source, segmentation)
    readings = read_spans(stream, inv, prior=DOCUMENT_PRIOR)
    proposals: list[Proposal] = []
    positions: list[Position] = []
    for k, r in enumerate(readings, 1):
        pid = f"{doc_id}:R{k:04d}"
        first = next(it for it in r.items if it.kind in ("name", "label"))
        list_start = first.start
        # proposed wording: the span before the list
        wording = stream[r.start:list_start].strip()
        src_start = offs[r.start] if r.start < len(offs) else len(source.text)
        src_end = offs[r.end - 1] + 1 if r.end - 1 < len(offs) else len(source.text)
        tail_start = offs[list_start]
        names = [it for it in r.items if it.kind == "name"]
        groups: dict[str, list[str]] = {}
        for it in names:
            groups.setdefault(it.stance, []).append(it.delegation_id or f"?{it.damaged.strip()}")
        sponsors = "; ".join(f"{s}: {', '.join(v)}" if s != "sponsor" else ", ".join(v) for s, v in groups.items())
        first_stance = names[0].stance if names else "sponsor"
        conf = float(np.mean([it.confidence for it in names])) if names else 0.0
        proposals.append(Proposal(doc_id, pid, 0, source.line_of(src_start), src_start, src_end,
                                  wording, _KIND.get(first_stance, "other"), sponsors,
                                  source.text[tail_start:src_end], False, round(conf, 4)))
        for it in r.items:
            if it.kind == "label":
                continue
            off = offs[it.start]
            if it.kind == "unknown":
                diags.append(Diagnostic(doc_id, source.line_of(off), "unrecovered_token",
                                        f"{it.damaged!r} fits no delegation name", STAGE))
                positions.append(Position(doc_id, pid, source.line_of(off), off, it.damaged, "", it.stance,
                                          "unknown", 0.0, it.damaged, ""))
                continue
            resolution = "recovered" if it.delegation_id else "ambiguous"
            cand = "|".join(f"{d}:{p:.2f}" for d, p in it.candidates)
            positions.append(Position(doc_id, pid, source.line_of(off), off, it.form, it.delegation_id,
                                      it.stance, resolution, round(it.confidence, 4), it.damaged, cand))
    return proposals, positions, diags


