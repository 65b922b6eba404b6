"""Display titles: an article's base wording, with bracket notation and proposals resolved.

``articles.title`` keeps a heading as written, proposals and all (``Misuse of [access:
US] devices [and (or: ID) programs: delete – EU, SG; retain – ID]``).  Figures and
tables for readers need the wording the proposals were made *to*:
``articles.display_title`` (``Misuse of devices and programs``), from
:func:`display_title`, a pure function of the title (and, for a draft that amends a
base draft, the base's title of the same article).

Rules, applied in this order:

1. A draft that amends a base draft (the damaged ``ahc6-amended-draft`` amends
   the Chair's draft, ``corpus.BASE_OF``) writes delegations' proposals inline,
   their brackets mostly lost (``Interference with Alteration of [computer data]
   … Deliberate abuse of data stored in the system``): an article whose label
   is in the base takes the base's display title.
2. ``~~struck~~`` wording is base text that someone proposes to delete: the
   markers go, the wording stays; a replacement written right after it with its
   sponsors outside any bracket (``~~[sexual abuse …]~~ pornography: HS``) goes.
3. Top-level brackets, one by one (their sponsor tail read by
   :func:`treatydrafts.parse.sponsors.parse_tail`):
   - a tail of positions only (``[and programs: delete – EU; retain – ID]``): the
     wording is base text under dispute: kept;
   - a tail with sponsors (``[access: US]``, ``[Data interference: EU]``): a
     proposal: dropped, except an old/new replacement (``[child person: DO]``,
     ``[attempt: attack: RU]``), whose old word is kept;
   - a bracket naming its sponsor in parentheses (``[to a computer system (Yemen)]``): dropped;
   - no tail: alternative wordings (``[computer data] [digital information]``):
     the first of adjacent alternatives is kept.
4. What is left loses parenthesised proposals (``(or: GT)``), sponsor tails
   outside brackets (``: HS``), footnote marks (``⁴``), dangling punctuation, a
   leading ``or``/``and`` (left when the proposed first word went), and starts
   with a capital.

The result never cuts a word: wrapping for a figure is the figure's business.
"""
from __future__ import annotations

import re

from .sponsors import ORPHAN_COLON_RE, PAREN_RE, REPLACE_PAIRS, parse_tail

# A struck run and a replacement written after it with its sponsors, outside brackets:
# "~~[sexual abuse or exploitation material]~~ pornography: HS"
STRUCK_REPLACED_RE = re.compile(r"~~([^~\n]*)~~[ \t]*[^~\[\]:\n]*?:[ \t]*[A-Z]{2}(?![A-Za-z0-9])(?:[ \t]*,[ \t]*[A-Z]{2}(?![A-Za-z0-9]))*")
# A strikethrough marker: "~~"
STRIKE_RE = re.compile(r"~~")
# Superscript footnote marks: "⁴" in "system⁴"
FOOTNOTE_RE = re.compile(r"[⁰¹²³⁴⁵⁶⁷⁸⁹]+")
# A sponsor named in parentheses at the end of a bracket: "(Yemen)", "(system/device Russian Federation)"
NAMED_SPONSOR_RE = re.compile(r"\((?:[^()]*\s)?[A-Z][a-z]+(?:\s[A-Z][a-z]+)*\)\s*$")
# Space before punctuation: " ," in "witnesses , denouncers"
SPACE_PUNCT_RE = re.compile(r"\s+([,.;:])")
# A connector left at the start when the proposed first word went: "or " in "or procuring of …"
LEADING_CONNECTOR_RE = re.compile(r"^(?:or|and|,|;)\s+", re.I)
# Punctuation left at either end: "theft." → "theft", ", …"
EDGE_PUNCT_RE = re.compile(r"^[\s,.;:–-]+|[\s,.;:–-]+$")
MAX_DEPTH = 8  # nested brackets resolved at most this deep (real titles: 2)


def _groups(text: str) -> list[tuple[str, str]]:
    """Split ``text`` into ``("text", s)`` and ``("bracket", inner)`` pieces at top-level brackets
    (an opener never closed runs to the end; a closer with no opener is dropped)."""
    out: list[tuple[str, str]] = []
    depth, start, buf = 0, 0, []
    for i, ch in enumerate(text):
        if ch == "[":
            if depth == 0:
                out.append(("text", "".join(buf)))
                buf, start = [], i + 1
            depth += 1
        elif ch == "]":
            if depth == 0:
                continue
            depth -= 1
            if depth == 0:
                out.append(("bracket", text[start:i]))
        elif depth == 0:
            buf.append(ch)
    if depth:
        out.append(("bracket", text[start:]))
    else:
        out.append(("text", "".join(buf)))
    return [(k, s) for k, s in out if k == "bracket" or s]


def _kept_wording(inner: str) -> str | None:
    """What a bracket contributes to the base wording (None: it is an alternative, decided by the caller)."""
    tail = parse_tail(inner)
    if tail.found:
        wording = inner[:tail.start].strip()
        if all(g.label for g in tail.groups):  # positions only: base text under dispute
            return wording
        if ":" in wording:  # "attempt: attack: RU": old form, new form, sponsors
            return wording.split(":", 1)[0]
        words = wording.lower().split()
        if len(words) >= 2 and (words[0], words[1]) in REPLACE_PAIRS:  # "child person: DO"
            return wording.split()[0]
        return ""  # a proposal
    if NAMED_SPONSOR_RE.search(inner):
        return ""
    return None


def _resolve(text: str, depth: int = 0) -> str:
    parts = []
    after_alternative = False  # only blanks and dropped proposals since the last alternative kept
    for kind, s in _groups(text):
        if kind == "text":
            parts.append(s)
            if s.strip():
                after_alternative = False
            continue
        kept = _kept_wording(s)
        if kept is None:  # an alternative wording: the first of a run is kept
            if not after_alternative:
                parts.append(_resolve(s, depth + 1) if depth < MAX_DEPTH else s)
            after_alternative = True
        elif kept:
            parts.append(_resolve(kept, depth + 1) if depth < MAX_DEPTH else kept)
            after_alternative = False
    return "".join(parts)


def _drop_paren_proposals(text: str) -> str:
    def repl(m: re.Match) -> str:
        return "" if parse_tail(m.group(1)).found else m.group(0)
    return PAREN_RE.sub(repl, text)


def display_title(title: str, base_title: str | None = None) -> str:
    """The base wording of an article title, bracket notation and proposals resolved.

    >>> display_title("Misuse of [access: US] devices [and (or: ID) programs: delete – EU, SG; retain – ID]")
    'Misuse of devices and programs'
    >>> display_title("Interference with [computer data] [digital information]")
    'Interference with computer data'
    >>> display_title("Illegal interception or capture of computer data ,", base_title="Illegal interception")
    'Illegal interception'
    """
    if base_title:
        return display_title(base_title)
    s = str(title)
    s = STRUCK_REPLACED_RE.sub(lambda m: m.group(1), s)
    s = STRIKE_RE.sub("", s)
    s = _resolve(s)
    s = _drop_paren_proposals(s)
    s = ORPHAN_COLON_RE.sub("", s)
    s = FOOTNOTE_RE.sub("", s)
    s = s.replace("[", " ").replace("]", " ")
    s = " ".join(s.split())
    s = SPACE_PUNCT_RE.sub(r"\1", s)
    for _ in range(3):
        s = EDGE_PUNCT_RE.sub("", LEADING_CONNECTOR_RE.sub("", s))
    return s[:1].upper() + s[1:]
