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


def inserted_spaces(source: Source, start: int, end: int) -> list[bool]:
    """For ``source.text[start:end]``: is each character an extractor-inserted space?"""
    raw = source.raw
    out = []
    for i in range(start, end):
        if raw[i] != " ":
            out.append(False)
            continue
        left = next((raw[k] for k in range(i - 1, start - 1, -1) if raw[k] not in " \ue003"), "")
        right = next((raw[k] for k in range(i + 1, end) if raw[k] not in " \ue003"), "")
        out.append((not left or _is_glyph(left)) and (not right or _is_glyph(right)) and bool(left or right))
    return out


def model_stream(source: Source, seg: Segmentation) -> ModelStream:
    """The model text of ``source`` (see the module docstring)."""
    chars: list[str] = []
    offs: list[int] = []
    gaps: list[bool] = []
    lines: list[int] = []
    arts: list[int] = []
    n_ins = 0
    pending_gap = 0
    for lr in seg.lines:
        if lr.role not in CONTENT_ROLES:
            continue
        start = source.line_starts[lr.line - 1]
        text = source.line_text(lr.line)
        ins = inserted_spaces(source, start, start + len(text)) if " " in text else [False] * len(text)
        if chars:  # the line break: a space unless one stands beside it
            nxt = next((c for c, f in zip(text, ins) if not f), "")
            if chars[-1] != " " and nxt != " " and nxt:
                chars.append(" ")
                offs.append(start - 1)
                gaps.append(pending_gap)
                lines.append(lines[-1])
                arts.append(arts[-1])
                pending_gap = 0
        for k, c in enumerate(text):
            if ins[k]:
                n_ins += 1
                if not pending_gap:
                    pending_gap = 2 if chars and chars[-1] == " " and k and not ins[k - 1] else 1
                continue
            chars.append(_APOSTROPHES.get(c, c))
            offs.append(start + k)
            gaps.append(pending_gap)
            lines.append(lr.line)
            arts.append(lr.article_seq)
            pending_gap = 0
    return ModelStream("".join(chars), np.array(offs, dtype=np.int64), np.array(gaps, dtype=np.int8),
                       np.array(lines, dtype=np.int64), np.array(arts, dtype=np.int64), n_ins)
