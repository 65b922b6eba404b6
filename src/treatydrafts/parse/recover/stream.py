"""The damaged draft as the recovery reads it: content text, with the extractor's spaces as evidence.

In ``source.raw`` the document's own spaces are the glyph U+E003 while the
spaces the PDF extractor inserted are plain ASCII ``' '``; both decode to
``' '`` in ``source.text``.  An inserted space is not a character of the
document: it marks a gap where characters were lost (``itd  ats`` = United
States, with ``St`` lost after the inserted space), often a lost word
boundary.  So the model text drops inserted spaces and flags the next
character with ``gap`` ("a character was probably lost right before this
one"): on aligned base lines, characters were lost at 88% of the inserted
spaces standing between two glyphs and at 81% of those right after a
document space (justified lines stretch their spaces), against 61% at a
document space alone.  A space between glyphs is inserted, a space beside
plain ASCII text (the intact headings, ``Article 6. Illegal access``) is the
document's.

The model text also: joins the content lines (page numbers, footers,
footnotes and blanks left out, so lists run across page breaks); reads a line
break as a space unless a space already stands beside it (``Rsin \\nedraio``
is one name); straightens curly apostrophes.  Every model character keeps its
source offset, line and article.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ...models import Segmentation, Source
from ...vocab import CONTENT_ROLES

DOC_SPACE = "\ue003"  # the glyph of the document's own space in source.raw
_APOSTROPHES = {"’": "'", "‘": "'"}


def _is_glyph(c: str) -> bool:
    return "\ue000" <= c <= "\uf8ff"


@dataclass(frozen=True)
class ModelStream:
    """The recovery's view of a damaged document (see the module docstring)."""

    text: str
    offset: np.ndarray  # source offset of every character
    gap: np.ndarray  # int8: 0, or an inserted space stood right before this character: 1 between
    # two glyphs, 2 right after a document space (wide justified spacing, weaker evidence)
    line: np.ndarray  # 1-based source line
    article_seq: np.ndarray  # 0 outside articles
    n_inserted: int  # inserted spaces dropped

    def source_span(self, a: int, b: int) -> tuple[int, int]:
        """Source offsets ``[start, end)`` of model characters ``a .. b-1``."""
        return int(self.offset[a]), int(self.offset[b - 1]) + 1


def inserted_spaces(source: Source) -> np.ndarray:
    """Mask over ``source.text``: the extractor-inserted spaces (ASCII spaces in ``source.raw`` whose
    nearest non-space characters on the same line are glyph-encoded; one side may be the line's end)."""
    raw = np.frombuffer(source.raw.encode("utf-32-le"), dtype=np.uint32)
    n = len(raw)
    idx = np.arange(n)
    ascii_space = raw == 0x20
    blank = ascii_space | (raw == 0xE003) | (raw == 0x0A)
    line = np.searchsorted(np.asarray(source.line_starts), idx, side="right")
    solid = np.where(~blank, idx, -1)
    left = np.maximum.accumulate(solid)
    right = np.minimum.accumulate(np.where(~blank, idx, n)[::-1])[::-1]
    glyph = (raw >= 0xE000) & (raw <= 0xF8FF)
    has_l = (left >= 0) & (line[np.maximum(left, 0)] == line)
    has_r = (right < n) & (line[np.minimum(right, n - 1)] == line)
    ok_l = ~has_l | glyph[np.maximum(left, 0)]
    ok_r = ~has_r | glyph[np.minimum(right, n - 1)]
    return ascii_space & ok_l & ok_r & (has_l | has_r)


def model_stream(source: Source, seg: Segmentation) -> ModelStream:
    """The model text of ``source`` (see the module docstring)."""
    text = source.text
    n = len(text)
    starts = np.asarray(source.line_starts, dtype=np.int64)
    ends = np.append(starts[1:] - 1, n)  # exclusive, the newline left out
    content = [lr for lr in seg.lines if lr.role in CONTENT_ROLES]
    if not content:
        z = np.zeros(0, dtype=np.int64)
        return ModelStream("", z, z.astype(np.int8), z, z, 0)
    lines = np.array([lr.line for lr in content], dtype=np.int64)
    arts = np.array([lr.article_seq for lr in content], dtype=np.int64)
    ins = inserted_spaces(source)
    in_content = np.zeros(n + 1, dtype=np.int64)
    np.add.at(in_content, starts[lines - 1], 1)
    np.add.at(in_content, ends[lines - 1], -1)
    content_mask = np.cumsum(in_content)[:n] > 0
    kept = content_mask & ~ins
    kept_idx = np.flatnonzero(kept)
    chars = np.array(list(text), dtype=object)
    # line breaks: a space between two content lines unless a space stands beside it
    first_kept = np.searchsorted(kept_idx, starts[lines - 1])
    last_kept = np.searchsorted(kept_idx, ends[lines - 1]) - 1
    has_any = first_kept <= last_kept
    br_pos = []
    prev_last = -1
    for k in range(len(lines)):
        if not has_any[k]:
            continue
        if prev_last >= 0:
            fc = text[kept_idx[first_kept[k]]]
            if text[kept_idx[prev_last]] != " " and fc != " ":
                br_pos.append(k)
        prev_last = last_kept[k]
    br_lines = lines[br_pos]
    br_off = starts[br_lines - 1] - 1  # the newline before the line
    # model order: kept characters and breaks, by source offset (a break sits on the newline before its line)
    offs = np.concatenate([kept_idx, br_off])
    order = np.argsort(offs, kind="stable")
    offs = offs[order]
    is_break = np.concatenate([np.zeros(len(kept_idx), bool), np.ones(len(br_off), bool)])[order]
    model_chars = np.where(is_break, " ", chars[np.minimum(offs, n - 1)])
    out_text = "".join(model_chars.tolist())
    for a_, b_ in _APOSTROPHES.items():
        out_text = out_text.replace(a_, b_)
    # line and article of every model character (a break takes the previous content line's)
    li = np.searchsorted(starts, offs, side="right")  # 1-based line of the offset
    pos_in_content = np.searchsorted(lines, li, side="right") - 1
    line_of = lines[np.maximum(pos_in_content, 0)]
    art_of = arts[np.maximum(pos_in_content, 0)]
    # gaps: inserted spaces between the previous model character and this one
    cum = np.concatenate([[0], np.cumsum(ins)])
    prev_off = np.concatenate([[-1], offs[:-1]])
    n_between = cum[offs] - cum[prev_off + 1]
    gap = np.zeros(len(offs), dtype=np.int8)
    has_gap = n_between > 0
    if has_gap.any():
        ins_idx = np.flatnonzero(ins)
        first_ins = ins_idx[np.searchsorted(ins_idx, prev_off[has_gap] + 1)]
        before = first_ins - 1
        at_line_start = np.isin(first_ins, starts)
        kept_space_before = (before >= 0) & kept[np.maximum(before, 0)] & (np.asarray(chars[np.maximum(before, 0)]) == " ")
        gap[has_gap] = np.where(kept_space_before & ~at_line_start, 2, 1)
    return ModelStream(out_text, offs.astype(np.int64), gap, line_of.astype(np.int64), art_of.astype(np.int64),
                       int((ins & content_mask).sum()))
