"""Stage 3, brackets: square-bracket spans with their nesting kept.

Tokens first, spans second (as in mistune): :func:`tokenize` finds bracket and
strikethrough tokens in a piece of text; :func:`find_brackets` pairs them into
:class:`~treatydrafts.models.BracketSpan` records over a *unit* (a sequence of
lines that belong together, e.g. the paragraphs of one article).

What counts as one bracket
- A span opens at ``[`` (or at ``{``, which the CND uses once to open a
  paragraph that ``]`` closes) and closes at the next unmatched ``]`` or ``}``.
- Nested spans are spans of their own; ``depth`` is 1 at top level and
  ``parent_id`` names the enclosing span (0 at top level).
- A closer with no opener in its unit is not a span: it becomes an
  ``unmatched_closer`` diagnostic.
- An opener still open at the end of its unit becomes a span ending at the
  end of the unit's text with ``is_closed = False`` and an
  ``unclosed_bracket`` diagnostic.  Recovery is local: nothing propagates
  past the unit.
- ``struck_share`` is the share of the span's characters inside
  ``~~strikethrough~~`` runs (runs pair up within a line; an odd ``~~`` is a
  diagnostic); ``is_struck`` is true when the opener itself is struck or more
  than half the span is.

Stored text (the one rule that keeps the table linear)
- ``start_offset``/``end_offset`` always give a span's full extent.
- ``text`` is ``source[start_offset:end_offset]`` for every span at most
  :data:`MAX_TEXT_DEPTH` (8) levels deep.  A deeper span keeps only the first
  :data:`CUT_TEXT_CHARS` (100) characters of it: ``text`` is then a prefix,
  ``len(text) < end_offset - start_offset`` tells a cut text, and each unit
  with cut texts gets one ``span_text_cut`` diagnostic.  Every character lies
  inside at most one span per depth, so a unit of ``n`` characters stores at
  most ``8 n + 100 k`` characters of ``text`` for its ``k`` openers (``k <= n``)
  instead of ``O(n^2)`` (10,000 nested brackets: about 1 MB, not 100 MB; 10,000
  unclosed openers on one line: 8 copies of the line and 100 characters per
  opener, not 10,000 copies).  The real drafts nest at most 5 deep, so their
  texts are never cut.

Cost: linear in the unit's length (one pass for tokens and strikethrough runs,
one stack pass for pairing, one sweep over the sorted runs for every span's
struck share: O(n + spans + runs) time) and, with the rule above, linear
memory.  Nothing here can hang.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import Iterable, Sequence

from ..models import BracketSpan, Diagnostic

OPENERS = "[{"
CLOSERS = "]}"

# A bracket or brace: "[" in "[and without right: EU]", "{" in "{4. States Parties"
BRACKET_RE = re.compile(r"[\[\]{}]")
# A strikethrough marker: "~~" in "~~non-public~~"
STRIKE_RE = re.compile(r"~~")

# Spans at most this deep store their whole text; deeper ones keep CUT_TEXT_CHARS (module docstring).
MAX_TEXT_DEPTH = 8
CUT_TEXT_CHARS = 100


@dataclass(frozen=True, slots=True)
class Token:
    kind: str  # "open" | "close"
    char: str
    offset: int  # absolute offset into the source
    line: int


@dataclass(frozen=True, slots=True)
class UnitLine:
    """One line of a unit: its number, the offset of its first character, its text."""

    line: int
    offset: int
    text: str


def unit_of(text: str, first_line: int = 1) -> list[UnitLine]:
    """The lines of ``text`` as one unit (offsets from 0, lines from ``first_line``), to run
    :func:`find_brackets` on a string: ``find_brackets("x", text, unit_of(text))``."""
    out, off = [], 0
    for i, line in enumerate(text.split("\n")):
        out.append(UnitLine(first_line + i, off, line))
        off += len(line) + 1
    return out


def tokenize(lines: Iterable[UnitLine]) -> list[Token]:
    """Bracket tokens of ``lines`` in order, with absolute offsets."""
    tokens: list[Token] = []
    for ul in lines:
        for m in BRACKET_RE.finditer(ul.text):
            ch = m.group()
            tokens.append(Token("open" if ch in OPENERS else "close", ch, ul.offset + m.start(), ul.line))
    return tokens


def strike_runs(lines: Iterable[UnitLine], doc_id: str = "") -> tuple[list[tuple[int, int]], list[Diagnostic]]:
    """``~~…~~`` runs as absolute ``(start, end)`` ranges (markers included).

    Runs never cross a line break in the sources, so markers pair within a line;
    a line with an odd number of markers yields a diagnostic and its last marker
    is ignored.
    """
    runs: list[tuple[int, int]] = []
    diags: list[Diagnostic] = []
    for ul in lines:
        marks = [m.start() for m in STRIKE_RE.finditer(ul.text)]
        if len(marks) % 2:
            diags.append(Diagnostic(doc_id, ul.line, "unpaired_strikethrough",
                                    f"odd number of '~~' markers ({len(marks)}); the last one is ignored", "brackets"))
            marks = marks[:-1]
        for a, b in zip(marks[0::2], marks[1::2]):
            runs.append((ul.offset + a, ul.offset + b + 2))
    return runs, diags


def _struck_chars(start: int, end: int, runs: Sequence[tuple[int, int]]) -> int:
    """Characters of ``[start, end)`` inside the sorted, disjoint ``runs`` (O(runs overlapped))."""
    total = 0
    first = max(bisect.bisect_left(runs, (start, -1)) - 1, 0)
    for a, b in runs[first:]:
        if b <= start:
            continue
        if a >= end:
            break
        total += min(b, end) - max(a, start)
    return total


def _inside(offset: int, runs: Sequence[tuple[int, int]]) -> bool:
    """Is ``offset`` inside one of the sorted, disjoint ``runs``?"""
    i = bisect.bisect_right(runs, (offset, float("inf"))) - 1
    return i >= 0 and runs[i][0] <= offset < runs[i][1]


class _StruckSweep:
    """Struck characters before an offset, for offsets asked in non-decreasing order.

    ``before(p)`` is the number of characters of the sorted, disjoint ``runs``
    that lie before ``p``; ``inside(p)`` says whether ``p`` is in a run.  The
    pointer only moves forward, so a whole unit costs O(runs + queries).
    """

    def __init__(self, runs: Sequence[tuple[int, int]]):
        self.runs = runs
        self.i = 0  # first run not wholly before the last offset asked
        self.done = 0  # characters of the runs before ``i``

    def _advance(self, p: int) -> None:
        runs, i, done = self.runs, self.i, self.done
        while i < len(runs) and runs[i][1] <= p:
            done += runs[i][1] - runs[i][0]
            i += 1
        self.i, self.done = i, done

    def before(self, p: int) -> int:
        self._advance(p)
        if self.i < len(self.runs) and self.runs[self.i][0] < p:
            return self.done + p - self.runs[self.i][0]
        return self.done

    def inside(self, p: int) -> bool:
        self._advance(p)
        return self.i < len(self.runs) and self.runs[self.i][0] <= p


def find_brackets(
    doc_id: str,
    text: str,
    lines: Sequence[UnitLine],
    first_id: int = 1,
    runs: Sequence[tuple[int, int]] | None = None,
) -> tuple[list[BracketSpan], list[Diagnostic]]:
    """Pair the bracket tokens of one unit into spans.

    ``text`` is the whole source text (spans take their ``text`` from it, cut
    below depth :data:`MAX_TEXT_DEPTH`: see the module docstring); ``lines``
    the unit's lines in order.  Ids are ``first_id, first_id+1, …`` in order
    of the openers.  Linear time and memory in the unit's length.
    """
    diags: list[Diagnostic] = []
    if runs is None:
        runs, sdiags = strike_runs(lines, doc_id)
        diags.extend(sdiags)
    runs = sorted(runs)
    unit_end = (lines[-1].offset + len(lines[-1].text)) if lines else 0

    sweep = _StruckSweep(runs)  # brackets come in offset order: one forward sweep over the runs
    spans: list[BracketSpan | None] = []  # in order of the openers; a span is made when it closes
    # the open spans: [index, offset, line, char, parent index, depth, struck chars before it, struck?]
    stack: list[list] = []
    cut = [0, 0, 0, 0]  # spans whose text was cut: count, first line, first and last opener offset

    def make(op: list, end: int, closed: bool, struck_end: int) -> None:
        index, start, line, ch, parent, depth, struck_before, struck_at = op
        share = (struck_end - struck_before) / max(end - start, 1)
        stop = end
        if depth > MAX_TEXT_DEPTH and end - start > CUT_TEXT_CHARS:
            stop = start + CUT_TEXT_CHARS
            if not cut[0] or start < cut[2]:
                cut[1], cut[2] = line, start
            cut[0], cut[3] = cut[0] + 1, max(cut[3], start)
        spans[index] = BracketSpan(
            doc_id=doc_id,
            bracket_id=first_id + index,
            parent_id=(first_id + parent) if parent >= 0 else 0,
            depth=depth,
            line=line,
            start_offset=start,
            end_offset=end,
            text=text[start:stop],
            is_closed=closed,
            is_struck=struck_at or share > 0.5,
            opener=ch,
        )

    for ul in lines:
        for m in BRACKET_RE.finditer(ul.text):
            ch = m.group()
            off = ul.offset + m.start()
            if ch in OPENERS:
                stack.append([len(spans), off, ul.line, ch, stack[-1][0] if stack else -1, len(stack) + 1,
                              sweep.before(off), sweep.inside(off)])
                spans.append(None)
            elif stack:
                make(stack.pop(), off + 1, True, sweep.before(off + 1))
            else:
                diags.append(Diagnostic(doc_id, ul.line, "unmatched_closer",
                                        f"'{ch}' at offset {off} has no opener in its unit", "brackets"))
    if stack:
        struck_at_end = sweep.before(unit_end)
        for op in stack:
            off = op[1]
            end = max(unit_end, off + 1)
            make(op, end, False, struck_at_end if end == unit_end else op[6] + _struck_chars(off, end, runs))
            diags.append(Diagnostic(doc_id, op[2], "unclosed_bracket",
                                    f"'{op[3]}' at offset {off} is not closed before the end of its unit "
                                    f"(line {lines[-1].line}); span cut there", "brackets"))
    if cut[0]:
        diags.append(Diagnostic(doc_id, cut[1], "span_text_cut",
                                f"{cut[0]} span(s) nested deeper than {MAX_TEXT_DEPTH} levels (openers at offsets "
                                f"{cut[2]} to {cut[3]}) keep the first {CUT_TEXT_CHARS} characters of "
                                f"their text; their offsets give the full extent", "brackets"))
    return spans, diags


def struck_share(span: BracketSpan, runs: Sequence[tuple[int, int]]) -> float:
    """Share of ``span``'s characters inside strikethrough runs."""
    return _struck_chars(span.start_offset, span.end_offset, sorted(runs)) / max(span.end_offset - span.start_offset, 1)


def is_text_cut(span: BracketSpan) -> bool:
    """Does ``span.text`` hold only the first characters of the span (a span nested deeper than
    :data:`MAX_TEXT_DEPTH`)?"""
    return len(span.text) < span.end_offset - span.start_offset


def inner_text(span: BracketSpan) -> str:
    """The span's text without its opener and (if closed) its closer (of a cut text: without its opener)."""
    return span.text[1:-1] if span.is_closed and not is_text_cut(span) else span.text[1:]
