"""Stage 3, brackets: square-bracket spans with their nesting kept.

Tokens first, spans second (as in mistune): :func:`tokenize` finds bracket and
strikethrough tokens in a piece of text; :func:`find_brackets` pairs them into
:class:`~treatydrafts.models.BracketSpan` records over a *unit* (a sequence of
lines that belong together, e.g. the paragraphs of one article).  Pairing is a
plain stack, so it is linear in the input and cannot hang.

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


@dataclass(frozen=True)
class Token:
    kind: str  # "open" | "close"
    char: str
    offset: int  # absolute offset into the source
    line: int


@dataclass(frozen=True)
class UnitLine:
    """One line of a unit: its number, the offset of its first character, its text."""

    line: int
    offset: int
    text: str


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


@dataclass(frozen=True)
class _Open:
    index: int
    token: Token
    parent_index: int
    depth: int


def find_brackets(
    doc_id: str,
    text: str,
    lines: Sequence[UnitLine],
    first_id: int = 1,
    runs: Sequence[tuple[int, int]] | None = None,
) -> tuple[list[BracketSpan], list[Diagnostic]]:
    """Pair the bracket tokens of one unit into spans.

    ``text`` is the whole source text (spans take their ``text`` from it);
    ``lines`` the unit's lines in order.  Ids are ``first_id, first_id+1, …``
    in order of the openers.
    """
    diags: list[Diagnostic] = []
    if runs is None:
        runs, sdiags = strike_runs(lines, doc_id)
        diags.extend(sdiags)
    runs = sorted(runs)
    unit_end = (lines[-1].offset + len(lines[-1].text)) if lines else 0

    opened: list[_Open] = []  # every opener, in order
    ends: dict[int, tuple[int, bool]] = {}  # opener index -> (end offset, closed?)
    stack: list[int] = []
    for tok in tokenize(lines):
        if tok.kind == "open":
            parent = stack[-1] if stack else -1
            opened.append(_Open(len(opened), tok, parent, len(stack) + 1))
            stack.append(len(opened) - 1)
        elif stack:
            ends[stack.pop()] = (tok.offset + 1, True)
        else:
            diags.append(Diagnostic(doc_id, tok.line, "unmatched_closer",
                                    f"'{tok.char}' at offset {tok.offset} has no opener in its unit", "brackets"))
    for idx in stack:
        tok = opened[idx].token
        ends[idx] = (max(unit_end, tok.offset + 1), False)
        diags.append(Diagnostic(doc_id, tok.line, "unclosed_bracket",
                                f"'{tok.char}' at offset {tok.offset} is not closed before the end of its unit "
                                f"(line {lines[-1].line}); span cut there", "brackets"))

    spans: list[BracketSpan] = []
    for op in opened:
        start = op.token.offset
        end, closed = ends[op.index]
        length = max(end - start, 1)
        share = _struck_chars(start, end, runs) / length
        spans.append(BracketSpan(
            doc_id=doc_id,
            bracket_id=first_id + op.index,
            parent_id=(first_id + op.parent_index) if op.parent_index >= 0 else 0,
            depth=op.depth,
            line=op.token.line,
            start_offset=start,
            end_offset=end,
            text=text[start:end],
            is_closed=closed,
            is_struck=_inside(start, runs) or share > 0.5,
            opener=op.token.char,
        ))
    return spans, diags


def struck_share(span: BracketSpan, runs: Sequence[tuple[int, int]]) -> float:
    """Share of ``span``'s characters inside strikethrough runs."""
    return _struck_chars(span.start_offset, span.end_offset, sorted(runs)) / max(span.end_offset - span.start_offset, 1)


def inner_text(span: BracketSpan) -> str:
    """The span's text without its opener and (if closed) its closer."""
    return span.text[1:-1] if span.is_closed else span.text[1:]
