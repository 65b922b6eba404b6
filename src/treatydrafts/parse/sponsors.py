"""Stage 4, sponsors: sponsor tails of ``ahc4-cnd`` → proposals and positions.

The 4th-session consolidated negotiating document writes who proposes or
opposes what as a *tail* at the end of a bracket: ``[and unlawfully: JM*, EG]``.
This module reads those tails from the bracket spans (and, for tails whose
opener was lost, from the text between the spans).  It never needs the
segmentation: it takes the spans and the source text only.

What it reads
-------------
* ``[text: XX, YY]`` – a proposal; ``XX``/``YY`` get stance ``sponsor``.
  ``kind`` is ``insert``; ``replace`` when the wording carries an old and a new
  form (``[unlawfully: without right: EU, UK]``, ``[child person: DO]`` – the
  second only through :data:`REPLACE_PAIRS`, see there), or when the bracket
  directly follows ``~~struck~~`` words (``~~sale~~ [supply …: UK]``).
* Position groups, ``;``-separated, label and codes joined by ``–``, ``-`` or
  ``:`` (``delete par. – A, B; retain – C``, ``retain: RU, BY``, ``delete
  article:``, ``: against – …``, ``original – BR``, ``retain original – BF``,
  ``integrate into par. 1 – JP``, ``move to chapter 3 – PY``) and the reversed
  ``SN, VE – move to art. 39``.  Stances: ``delete`` / ``retain`` /
  ``retain_original`` / ``original`` / ``against`` / ``integrate`` / ``move``.
  The label as written stays in ``Proposal.tail``.
* A bracket of codes only (``[IN]``, ``[GT; retain: RU, BY]``) proposes deleting
  the preceding word(s): ``kind="delete"``, ``text=""`` (the scope is not
  written), the bare codes get stance ``delete``.  Standing alone on its line
  (``[EG]`` 142, ``[AU]`` 365, ``[CN]`` 509) it sponsors the proposed article
  above it: ``kind="new_article"``, stance ``sponsor``, ``text=""`` (the table
  stage links it to its article).  ``[Article 18 alt. …: MX]`` (a span whose
  wording starts with ``Article`` and whose sponsor closes it on the same line)
  proposes an alternative *title*, not a new article (the base text of
  article 18 follows it, amended by others): ``kind="replace"``, in line with
  the segmenter, which keeps it inside article 18.
* A bracket whose tail has position groups only (``[… .: delete – IR]``,
  ``[delete – EU]``) is ``kind="position"`` (``text`` is the bracketed wording,
  empty for a bare position statement).
* One level down: parenthesised proposals ``(enhanced: JM, PH)``, ``(or: GT)``,
  ``(retain – US, MY, MZ)`` and ``~~struck proposals: XX~~`` inside a bracket
  become proposals of their own (``bracket_id`` = the host span, offsets of the
  parenthesis / strikethrough run).
* Tails whose opener was swallowed (``~~criminal~~ dishonest: AU, …]`` 148,
  ``without right: AU, … UK]`` 145, ``pornography: HS`` 366) are read from the
  text outside every span: ``bracket_id=0``, ``confidence`` 0.6 and an
  ``unbracketed_tail`` diagnostic.  Their wording runs back to the start of
  the line, but never past the previous tail or closer of that line, the last
  ``~~`` run or a child bracket, so the wordings of one line never overlap.

Repairs (each with a diagnostic naming line and offset): footnote marks
``JM*``/``* NZ`` stripped (``footnote_mark``); a missing colon (``[disruption EU,
JP, KZ]``), ``:-``, ``retain –, CA`` and a missing ``;`` (``SN retain – NG``)
are ``malformed_tail``; a second copy of a code in the same group is dropped
(``duplicate_code``); ``not_a_code`` registry hits are dropped; doubtful and
unknown codes are kept with ``delegation_id=""`` (``doubtful_code`` /
``unknown_code``).  ``.: XX`` is the ordinary form: the full stop is stripped
from the text without a diagnostic.

:func:`reconcile` checks the result: every code-like token in tail context in
the whole file must be a position offset or named (by offset) in a diagnostic.

Cost: linear time and memory in the length of the source.  Every regex is
linear (no nested unbounded quantifiers); each span is scanned over its own
characters only (children are collapsed to one filler character), so 10,000
nested brackets cost O(n); tails are read from the right and capped at
:data:`MAX_TAIL` characters; every backward search for a line start or a
``~~`` marker stops at the previous tail (or uses an index built once), and
the nested proposals of a region are masked in one copy, so a 10 MB line of
tails, closers, colons or codes costs O(n).  Stored text follows the rule of
:mod:`treatydrafts.parse.brackets`: a proposal's ``text`` holds its whole wording
(child spans included) when its span is at most ``MAX_TEXT_DEPTH`` (8) levels
deep; deeper, only the first ``CUT_TEXT_CHARS`` (100) characters, with one
``proposal_text_cut`` diagnostic per document, so nested proposals store
``O(n)`` characters, not ``O(n^2)``.  (The real drafts nest at most 5 deep.)
"""
from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass, field, replace
from typing import Iterable, Sequence

from ..models import BracketSpan, Diagnostic, Position, Proposal, Source
from .brackets import CUT_TEXT_CHARS, MAX_TEXT_DEPTH, UnitLine, strike_runs
from .registry import resolve_code

STAGE = "sponsors"
FILL = "\x00"  # stands for a masked child span / nested proposal
MAX_PIECE = 1_000  # a colon-separated piece of a tail is never longer (longest real: ~150)
MAX_TAIL = 4_000  # nor a whole tail (longest real: ~330)
# At most this many ':'-separated pieces in one tail (the longest real one, `old: new: XX`, has 3);
# bounds the right-to-left search so that a run of colons stays linear.
MAX_PIECES = 8
MAX_ALTERNATIVES = 20
MAX_UNREAD_PER_LINE = 20  # further unread codes on a line are summarised as one offset range  # ";"-separated alternatives tried in one bracket
ORPHAN_CONFIDENCE = 0.6
MISSING_COLON_CONFIDENCE = 0.8

# One token of a tail: "JM" / "delete" / "par." / "39" / ":" / ";" / "," / "–" / "*" / "." / "  "
TOKEN_RE = re.compile(
    r"(?P<code>(?<![A-Za-z0-9])[A-Z]{2}(?![A-Za-z0-9]))"
    r"|(?P<word>[A-Za-z]+\.?)"
    r"|(?P<num>\d+)"
    r"|(?P<colon>:)|(?P<semi>;)|(?P<comma>,)|(?P<dash>[–—-])|(?P<star>\*)|(?P<dot>\.)"
    r"|(?P<ws>\s+)"
    r"|(?P<other>.)",
    re.S,
)
# A whole position label, words lower-cased and single-spaced: "delete par.", "integrate into par. 1",
# "move to art. 39", "retain original"
LABEL_RE = re.compile(
    r"(?:delete|retain)(?: (?:par\.?|paragraph|article))?"
    r"|retain original|original|against"
    r"|integrate into (?:par\.?|paragraph|article) \d+"
    r"|move to (?:chapter|art\.?|article) \d+"
)
# Words allowed in a label (any case): "Delete", "par.", "into" …
LABEL_WORDS = frozenset(
    "delete retain against original integrate into par par. paragraph article move to chapter art art.".split()
)
# Words that open a label: "delete" in "; delete – AU"
STANCE_WORDS = frozenset("delete retain against original integrate move".split())
# Words a number may follow inside a label: "par. 1", "chapter 3", "art. 39"
NUMBERED_WORDS = frozenset("par par. paragraph chapter art art. article".split())
# A parenthesis with no parenthesis inside: "(enhanced: JM, PH)", "(retain – US, MY, MZ)"
PAREN_RE = re.compile(r"\(([^()\n]*)\)")
# A strikethrough run within one line: "~~Distributing: PH~~"
RUN_RE = re.compile(r"~~([^~\n]*)~~")
# A colon followed by codes, outside any bracket: ": HS" in "pornography: HS through".  At most
# 1,000 codes (a tail is read from its last MAX_TAIL characters anyway): the regex engine keeps
# state for every repetition, so an unbounded run of 250,000 codes cost 65 MB.
ORPHAN_COLON_RE = re.compile(
    r":[ \t]*(?:[–-][ \t]*)?[A-Z]{2}(?![A-Za-z0-9])(?:[ \t]*,[ \t]*[A-Z]{2}(?![A-Za-z0-9])){0,999}")
# A code-like token anywhere (for reconcile): "EU", "JM" (not "OP" in "OP2", not "USA")
CODE_LIKE_RE = re.compile(r"(?<![A-Za-z0-9])(?:[A-Z]{2}|e)(?![A-Za-z0-9])")
# A paragraph label alone: "2." in "[2.:KR]", "2.alt", "(a)bis"
LABEL_ONLY_RE = re.compile(r"(?:\d{1,2}|\([a-z]{1,4}\))\.? ?(?:bis|ter|alt|quater)?\.?")
# A closer: "]" in "without right: AU, UK]", "}"
CLOSER_RE = re.compile(r"[\]}]")
# A run of two or more tildes: "~~" in "~~sale~~", "~~~~"
TILDES_RE = re.compile(r"~{2,}")
# A character that is wording, not decoration: "a" in " *~a" (has_text and the label test)
WORDING_CHAR_RE = re.compile(r"[^ *~.;,:]")
# A character other than emphasis/strikethrough/space: "2" in "** 2.~~"
NOT_DECOR_RE = re.compile(r"[^ *~]")
# Offset named in a diagnostic message: "offset 1234"
OFFSET_IN_MESSAGE_RE = re.compile(r"offset (\d+)")
# Offset range named in a diagnostic message: "offsets 1234 to 5678"
RANGE_IN_MESSAGE_RE = re.compile(r"offsets (\d+) to (\d+)")

# Old/new word pairs written without strikethrough ("[child person: DO]", 406).  A
# plain "[legal person: IN]" is an insert, so only pairs checked by hand in
# ahc4-cnd count as replacements: (first word, second word) of the wording.
REPLACE_PAIRS = frozenset({
    ("child", "person"),  # 402, 406: "Cyberstalking of a [child person: DO]"
    ("loss", "harm"),  # 164: "[loss harm: PY]"
    ("less", "harm"),  # 154: "causing a [less harm: PY]" (sic)
    ("conduct", "activity"),  # 304, 306
    ("include", "mean"),  # 292: "~~[include mean: US]~~"
    ("posting", "dissemination"),  # 491
    ("criminal", "dishonest"),  # 164
    ("shall", "may"),  # 600: "(shall may: IR)"
    ("may", "shall"),  # 78: "[may shall consider adopting …: BR]"
    ("and", "or"),  # 627: "[and or: CO]"
    ("property", "digital"),  # 551…: "[property digital assets: MX]"
    ("purpose", "ground/reason"),  # 627
    ("appearing", "who"),  # 304: "[appearing who is depicted: CA]"
    ("person", "user"),  # 164: "(person user: GT)"
    ("victim", "person"),  # 434, 436: "[victim person: AU]"
})


# ----------------------------------------------------------------- tails


@dataclass(frozen=True, slots=True)
class TailCode:
    code: str  # as written, footnote mark excluded: "JM"
    offset: int  # offset in the parsed string
    starred: bool = False  # a footnote "*" was attached


@dataclass(frozen=True, slots=True)
class TailGroup:
    label: str  # label as written ("delete par.", "retain"), "" for bare codes
    stance: str  # stance of the label; "" for bare codes (the caller decides)
    codes: tuple[TailCode, ...]
    reversed: bool = False  # "SN, VE – move to art. 39"


@dataclass(frozen=True, slots=True)
class Tail:
    """A sponsor tail found at the end of a string.

    ``start`` is where the tail begins (its ``:`` marker, or its first code or
    label when there is no colon); ``text[:start]`` is the wording.  With no
    tail, ``start == len(text)`` and ``groups == ()``.
    """

    start: int
    groups: tuple[TailGroup, ...]
    issues: tuple[tuple[str, int, str], ...] = ()  # (kind, offset in string, message)
    colon: bool = True  # False: no colon between wording and codes
    confidence: float = 1.0

    @property
    def found(self) -> bool:
        return bool(self.groups)

    @property
    def codes(self) -> list[TailCode]:
        return [c for g in self.groups for c in g.codes]


@dataclass(frozen=True, slots=True)
class _Tok:
    kind: str
    start: int
    end: int
    value: str


def _stance(label: str) -> str:
    words = label.split()
    head = words[0]
    if head == "retain" and len(words) > 1 and words[1] == "original":
        return "retain_original"
    return head  # delete / retain / original / against / integrate / move


def _norm_label(words: list[str]) -> str:
    return " ".join(w.lower() for w in words)


def _piece_tokens(m: str, a: int, b: int) -> list[_Tok] | None:
    """Tokens of ``m[a:b]`` if every one may stand in a tail, else ``None``."""
    toks: list[_Tok] = []
    last_word = ""
    for mt in TOKEN_RE.finditer(m, a, b):
        kind = mt.lastgroup
        val = mt.group()
        if kind == "other":
            return None
        if kind == "word":
            low = val.lower()
            if val != "e" and low not in LABEL_WORDS:
                return None
            last_word = low
        elif kind == "num":
            if last_word not in NUMBERED_WORDS:
                return None
            last_word = ""
        elif kind == "code":
            last_word = ""
        toks.append(_Tok(kind, mt.start(), mt.end(), val))
    return toks


def split_groups(tokens: Sequence[_Tok]) -> tuple[list[TailGroup], list[tuple[str, int, str]]] | None:
    """Tail tokens (colons included) → stance groups, or ``None`` if not a tail.

    ``;`` closes a group; ``:`` separates a label from its codes, or closes a
    group of codes when a label follows (``SN: against – ZA``); a label right
    after codes opens a new group (``SN retain – NG``, reported) unless it ends
    the tail, where it is a reversed label (``SN, VE – move to art. 39``).
    """
    issues: list[tuple[str, int, str]] = []
    sig = [t for t in tokens if t.kind != "ws"]
    raw: list[dict] = []
    cur: dict = {"label": [], "codes": [], "closed_by": "start", "label_after_codes": False}

    def close(by: str) -> None:
        nonlocal cur
        if cur["label"] or cur["codes"]:
            raw.append(cur)
        cur = {"label": [], "codes": [], "closed_by": by, "label_after_codes": False}

    prev = None
    for i, t in enumerate(sig):
        k = t.kind
        if k == "semi":
            close("semi")
        elif k == "colon":
            nxt = sig[i + 1] if i + 1 < len(sig) else None
            if cur["codes"] and nxt is not None and nxt.kind == "word" and nxt.value.lower() in STANCE_WORDS:
                close("colon")
        elif k == "dash":
            if prev is not None and prev.kind == "colon" and not cur["label"] and not cur["codes"] and prev.end == t.start:
                issues.append(("malformed_tail", t.start, "':' directly followed by a dash (':-')"))
        elif k == "comma":
            if prev is not None and prev.kind in ("dash", "colon") and not cur["codes"]:
                issues.append(("malformed_tail", t.start, "comma before the first code of a group ('–, XX')"))
        elif k == "star":
            if prev is not None and prev.kind == "code" and prev.end == t.start and cur["codes"]:
                c = cur["codes"][-1]
                cur["codes"][-1] = replace(c, starred=True)
            else:
                cur["pending_star"] = True
        elif k == "dot":
            pass
        elif k == "word" and t.value == "e":
            cur["codes"].append(TailCode("e", t.start, cur.pop("pending_star", False)))
        elif k in ("word", "num"):
            if cur["codes"]:
                close("label")
            cur["label"].append(t.value)
        elif k == "code":
            cur["codes"].append(TailCode(t.value, t.start, cur.pop("pending_star", False)))
        prev = t
    close("end")

    groups: list[TailGroup] = []
    for j, g in enumerate(raw):
        label_words = g["label"]
        if label_words and not g["codes"]:
            # a trailing label after a bare code group: reversed form
            if groups and not groups[-1].label and groups[-1].codes and g["closed_by"] == "label" and j == len(raw) - 1:
                label = " ".join(label_words)
                norm = _norm_label(label_words)
                if not LABEL_RE.fullmatch(norm):
                    return None
                last = groups[-1]
                groups[-1] = TailGroup(label, _stance(norm), last.codes, True)
                continue
            return None  # a label with nobody behind it
        if label_words:
            norm = _norm_label(label_words)
            if not LABEL_RE.fullmatch(norm):
                return None
            if g["closed_by"] == "label":
                issues.append(("malformed_tail", g["codes"][0].offset,
                               f"no ';' before the group '{' '.join(label_words)}'"))
            groups.append(TailGroup(" ".join(label_words), _stance(norm), tuple(g["codes"])))
        else:
            groups.append(TailGroup("", "", tuple(g["codes"])))
    if not any(g.codes for g in groups):
        return None
    return groups, issues


@functools.lru_cache(maxsize=8192)
def _resolve(code: str):
    """:func:`~.registry.resolve_code`, remembered (a tail names the same few codes again and again)."""
    return resolve_code(code)


def _plausible(groups: Sequence[TailGroup]) -> bool:
    """A tail without a colon must name at least one real delegation and no non-code."""
    res = [_resolve(c.code).resolution for g in groups for c in g.codes]
    return "not_a_code" not in res and any(r in ("exact", "alias", "flagged") for r in res)


def _some_code(groups: Sequence[TailGroup]) -> bool:
    """At least one token that is not a known non-code (``II``, ``OP``)."""
    return any(_resolve(c.code).resolution != "not_a_code" for g in groups for c in g.codes)


def parse_tail(text: str) -> Tail:
    """Find the sponsor tail at the end of ``text`` (a bracket's inner text).

    ``"and unlawfully: JM*, EG"`` → ``Tail(start=13, groups=(sponsor JM*, EG))``;
    ``"delete par. – EU; retain – YE"`` → ``Tail(start=0, …)``;
    ``"disruption EU, JP, KZ"`` → missing colon, ``colon=False``.
    ``~~`` markers are ignored; :data:`FILL` characters (masked children) end a tail.
    """
    m = text.replace("~~", "  ")
    n = len(m)
    pieces: list[tuple[int, list[_Tok]]] = []  # (start of piece, tokens), right to left
    pos = n
    while True:
        c = m.rfind(":", max(0, pos - MAX_PIECE - 1), pos)
        pstart = c + 1 if c >= 0 else 0
        if c < 0 and pos > MAX_PIECE:
            break  # piece too long to be a tail piece
        toks = _piece_tokens(m, pstart, pos)
        if toks is None:
            break
        pieces.append((pstart, toks))
        if c < 0 or n - c > MAX_TAIL or len(pieces) >= MAX_PIECES:
            break
        pos = c
    # the longest run of pieces that forms a valid tail
    for j in range(len(pieces) - 1, -1, -1):
        toks: list[_Tok] = []
        for idx in range(j, -1, -1):
            pstart, ptoks = pieces[idx]
            if pstart > 0:
                toks.append(_Tok("colon", pstart - 1, pstart, ":"))
            toks.extend(ptoks)
        got = split_groups(toks)
        if got is None:
            continue
        groups, issues = got
        pstart = pieces[j][0]
        start = pstart - 1 if pstart > 0 else 0
        whole = pstart == 0
        if whole and not _plausible(groups):
            continue
        if not whole and not _some_code(groups):
            continue  # "with the intent: II"
        return Tail(start, tuple(groups), tuple(issues))
    return _missing_colon_tail(m)


def _missing_colon_tail(m: str) -> Tail:
    """``"disruption EU, JP, KZ"`` / ``"… do; delete – AU, IL"``: codes with no colon."""
    n = len(m)
    a = max(m.rfind(":") + 1, n - MAX_PIECE, 0)
    toks = list(TOKEN_RE.finditer(m, a, n))
    keep: list[_Tok] = []
    for mt in reversed(toks):
        kind, val = mt.lastgroup, mt.group()
        if kind == "other" or (kind == "word" and val != "e" and val.lower() not in LABEL_WORDS):
            break
        keep.append(_Tok(kind, mt.start(), mt.end(), val))
    keep.reverse()
    # the tail opens at its first code or stance word
    while keep and not (keep[0].kind == "code" or (keep[0].kind == "word" and keep[0].value.lower() in STANCE_WORDS)):
        keep.pop(0)
    if not keep or keep[0].start == 0:
        return Tail(n, ())
    got = split_groups(keep)
    if got is None:
        return Tail(n, ())
    groups, issues = got
    if not _plausible(groups):
        return Tail(n, ())
    start = keep[0].start
    issues = [("malformed_tail", start, "no ':' between the wording and the sponsor codes"), *issues]
    return Tail(start, tuple(groups), tuple(issues), colon=False, confidence=MISSING_COLON_CONFIDENCE)


# ----------------------------------------------------------------- regions


@dataclass(slots=True)
class _Region:
    """A stretch of the source with children collapsed to one :data:`FILL` each.

    ``m`` is the working string; ``segs`` maps it back: ``(m_start, src_start,
    length, is_fill)``.
    """

    m: str
    segs: list[tuple[int, int, int, bool]]
    m_starts: list[int] = field(default_factory=list)

    def __post_init__(self):
        self.m_starts = [s[0] for s in self.segs]

    def src(self, i: int) -> int:
        """Source offset of working offset ``i`` (``i == len(m)`` maps past the end)."""
        if not self.segs:
            return 0
        k = bisect.bisect_right(self.m_starts, i) - 1
        k = max(k, 0)
        m0, s0, ln, fill = self.segs[k]
        if fill:
            return s0 if i == m0 else s0 + ln
        return s0 + (i - m0)

    def src_end(self, i: int) -> int:
        """Source offset just past working character ``i - 1``."""
        if i <= 0:
            return self.src(0)
        return self.src(i - 1) + 1 if not self._is_fill(i - 1) else self._fill_end(i - 1)

    def _is_fill(self, i: int) -> bool:
        k = bisect.bisect_right(self.m_starts, i) - 1
        return self.segs[k][3]

    def _fill_end(self, i: int) -> int:
        k = bisect.bisect_right(self.m_starts, i) - 1
        _, s0, ln, _ = self.segs[k]
        return s0 + ln


def _region(text: str, start: int, end: int, holes: Sequence[tuple[int, int]]) -> _Region:
    """``text[start:end]`` with each of ``holes`` (sorted, disjoint) collapsed to one FILL."""
    parts: list[str] = []
    segs: list[tuple[int, int, int, bool]] = []
    mpos = 0
    cur = start
    for a, b in holes:
        a, b = max(a, start), min(b, end)
        if b <= a or a < cur:
            continue
        if a > cur:
            parts.append(text[cur:a])
            segs.append((mpos, cur, a - cur, False))
            mpos += a - cur
        parts.append(FILL)
        segs.append((mpos, a, b - a, True))
        mpos += 1
        cur = b
    if end > cur:
        parts.append(text[cur:end])
        segs.append((mpos, cur, end - cur, False))
    return _Region("".join(parts), segs)


def _fill(m: str, ranges: Sequence[tuple[int, int]]) -> str:
    """``m`` with each of the sorted, disjoint ``ranges`` overwritten by FILL (one copy of ``m``)."""
    if not ranges:
        return m
    parts, cur = [], 0
    for a, b in ranges:
        parts.append(m[cur:a])
        parts.append(FILL * (b - a))
        cur = b
    parts.append(m[cur:])
    return "".join(parts)


class _Tildes:
    """``text.count("~~", a, b)`` in O(log n): the maximal runs of two or more ``~`` with the
    prefix sums of their ``len // 2`` (``str.count`` restarts its non-overlapping count at
    every run, so a run cut to ``L`` characters holds ``L // 2`` markers)."""

    def __init__(self, text: str):
        self.starts: list[int] = []
        self.ends: list[int] = []
        self.prefix = [0]
        for mt in TILDES_RE.finditer(text):
            self.starts.append(mt.start())
            self.ends.append(mt.end())
            self.prefix.append(self.prefix[-1] + (mt.end() - mt.start()) // 2)

    def count(self, a: int, b: int) -> int:
        if b - a < 2:
            return 0
        i = bisect.bisect_right(self.ends, a)  # first run ending after a
        j = bisect.bisect_left(self.starts, b)  # runs i..j-1 start before b
        if i >= j:
            return 0
        total = self.prefix[j] - self.prefix[i]
        for k in {i, j - 1}:  # the runs cut by a or b: count their part inside [a, b)
            s0, e0 = self.starts[k], self.ends[k]
            total += (min(e0, b) - max(s0, a)) // 2 - (e0 - s0) // 2
        return total


class _Lines:
    """Line starts and ``~~`` markers of a working string, for the orphan-wording rules in O(log n)."""

    def __init__(self, m: str):
        self.marks = [mt.start() for mt in re.finditer("~~", m)]  # as re.finditer pairs them from a line start
        self.newlines = [mt.start() for mt in re.finditer("\n", m)]

    def line_start(self, i: int) -> int:
        """Start of the line holding offset ``i`` of ``m``."""
        k = bisect.bisect_left(self.newlines, i)  # newlines before i
        return self.newlines[k - 1] + 1 if k else 0

    def opening_marker(self, k: int) -> int:
        """The last opening ``~~`` of ``k``'s line at or before ``k`` (markers pair from the line start),
        or ``k`` when there is none."""
        line_start = self.line_start(k)
        first = bisect.bisect_left(self.marks, line_start)
        last = bisect.bisect_right(self.marks, k) - 1  # markers of the line at or before k: first..last
        if last < first:
            return k
        return self.marks[last - (last - first) % 2]


# ----------------------------------------------------------------- extraction


@dataclass(slots=True)
class _Found:
    """A proposal before numbering."""

    bracket_id: int
    start: int
    end: int
    text: str
    kind: str
    tail_text: str
    groups: tuple[TailGroup, ...]
    code_offsets: tuple[int, ...]  # absolute offset of each code, in group order
    issues: tuple[tuple[str, int, str], ...]  # absolute offsets
    is_struck: bool
    confidence: float
    bare_stance: str


class _Extractor:
    def __init__(self, source: Source, spans: Sequence[BracketSpan]):
        self.resolve = _resolve
        self.source = source
        self.text = source.text
        self.spans = sorted(spans, key=lambda s: (s.start_offset, -s.end_offset))
        self.found: list[_Found] = []
        self.diags: list[Diagnostic] = []
        runs, _ = strike_runs((UnitLine(i, off, t) for i, off, t in source.lines()), source.doc_id)
        self.runs = sorted(runs)
        self.run_starts = [a for a, _ in self.runs]
        self.run_ends = {b for _, b in self.runs}
        self.tildes = _Tildes(self.text)
        self.depth_of = {s.bracket_id: s.depth for s in spans}
        self.line_bounds: dict[int, tuple[int, int]] = {}  # line -> its stripped extent (standalone test)
        self.cut_texts: list[int] = []  # start offsets of proposals whose text was cut

    # -- helpers
    def struck(self, offset: int) -> bool:
        k = bisect.bisect_right(self.run_starts, offset) - 1
        return k >= 0 and self.runs[k][0] <= offset < self.runs[k][1]

    def diag(self, offset: int, kind: str, message: str) -> None:
        self.diags.append(Diagnostic(self.source.doc_id, self.source.line_of(offset), kind, message, STAGE))

    def _clean_text(self, a: int, b: int) -> tuple[int, int]:
        """Trim whitespace and trailing ``.``/``;``/``,``/``:`` of the wording ``text[a:b]``."""
        t = self.text
        while a < b and t[a].isspace():
            a += 1
        while b > a and (t[b - 1].isspace() or t[b - 1] in ".;,:"):
            b -= 1
        return a, b

    def stripped_line(self, line: int) -> tuple[int, int]:
        """Offsets of ``line`` without its leading and trailing `` \t*_-—`` (computed once per line)."""
        got = self.line_bounds.get(line)
        if got is None:
            t = self.text
            a = self.source.line_starts[line - 1]
            b = t.find("\n", a)
            b = len(t) if b < 0 else b
            while a < b and t[a] in " \t*_-—":
                a += 1
            while b > a and t[b - 1] in " \t*_-—":
                b -= 1
            got = self.line_bounds[line] = (a, b)
        return got

    # -- one region (a span's inner text, a parenthesis, a run, a gap segment)
    def nested(self, reg: _Region, host_id: int, host_struck: bool, orphan: bool) -> str:
        """Extract parenthesised and struck proposals of ``reg``; return ``reg.m`` with them filled.

        The proposals of a pass are disjoint, so each pass fills ``m`` once (linear)."""
        m = reg.m
        filled: list[tuple[int, int]] = []
        for pm in PAREN_RE.finditer(m):
            tail = parse_tail(pm.group(1))
            if not tail.found:
                continue
            a, b = pm.start(), pm.end()
            self.emit(reg, a + 1, b - 1, a, b, tail, host_id,
                      host_struck or self.struck(reg.src(a + 1)), orphan, m=m, nested=True)
            filled.append((a, b))
        m = _fill(m, filled)
        filled = []
        for rm in RUN_RE.finditer(m):
            inner = rm.group(1)
            tail = parse_tail(inner)
            if not tail.found:
                continue
            if not inner[: tail.start].strip(" .;,:" + FILL):
                continue  # "~~delete – MX~~": the host's own tail, struck
            a, b = rm.start(), rm.end()
            self.emit(reg, a + 2, b - 2, a, b, tail, host_id, True, orphan, m=m, nested=True)
            filled.append((a, b))
        return _fill(m, filled)

    def emit(self, reg: _Region, ia: int, ib: int, oa: int, ob: int, tail: Tail, bracket_id: int,
             is_struck: bool, orphan: bool, span: BracketSpan | None = None,
             m: str | None = None, nested: bool = False) -> list[_Found]:
        """Record the proposal whose inner text is ``reg.m[ia:ib]`` (outer extent ``oa:ob``)."""
        m = reg.m if m is None else m
        inner = m[ia:ib]
        # ";"-separated alternatives, each with its own tail: "(rights of defence: GT, IR; the right of defence: GT)"
        cuts = self._alternatives(inner, tail)
        out = []
        for k, (ca, cb, ctail) in enumerate(cuts):
            out.append(self._emit_one(reg, ia + ca, ia + cb, oa if k == 0 else ia + ca,
                                      ob if k == len(cuts) - 1 else ia + cb,
                                      ctail, bracket_id, is_struck, orphan, span, m, nested))
        return out

    def _alternatives(self, inner: str, tail: Tail) -> list[tuple[int, int, Tail]]:
        out: list[tuple[int, int, Tail]] = []
        end, cur_tail = len(inner), tail
        for _ in range(MAX_ALTERNATIVES):
            wording = inner[: cur_tail.start]
            semi = wording.rfind(";")
            if semi < 0 or not cur_tail.colon:
                break
            left = parse_tail(wording[:semi])
            if not left.found or not wording[: left.start].strip(" .;,:" + FILL):
                break
            after = wording[semi + 1:].strip()
            if not after or _piece_tokens(after, 0, len(after)) is not None:
                break
            out.append((semi + 1, end, cur_tail))
            end, cur_tail = semi, left
        out.append((0, end, cur_tail))
        out.reverse()
        # tails were read relative to the start of ``inner``: make them relative to their cut
        return [(a, b, _shift_tail(t, -a)) for a, b, t in out]

    def _emit_one(self, reg: _Region, ia: int, ib: int, oa: int, ob: int, tail: Tail, bracket_id: int,
                  is_struck: bool, orphan: bool, span: BracketSpan | None, m: str, nested: bool = False) -> _Found:
        tstart = ia + tail.start
        wa, wb = reg.src(ia), reg.src(tstart)
        wa, wb = self._clean_text(wa, wb)
        after_struck = False
        t = self.text
        if self.tildes.count(wa, wb) % 2:  # half of a run that began outside: "~~ pornography"
            if t.startswith("~~", wa):
                after_struck = (wa + 2) in self.run_ends  # a closing marker: struck words just before
                wa, wb = self._clean_text(wa + 2, wb)
            elif t.endswith("~~", wa, wb):
                wa, wb = self._clean_text(wa, wb - 2)
        # The wording [wa, wb) holds the child spans: it is tested in place (scans stop at the
        # first wording character) and copied in full only for hosts at most MAX_TEXT_DEPTH deep.
        if wb - wa > CUT_TEXT_CHARS and self.depth_of.get(bracket_id, 0) > MAX_TEXT_DEPTH:
            wording = t[wa:wa + CUT_TEXT_CHARS]
            self.cut_texts.append(wa)
        else:
            wording = t[wa:wb]
        own = m[ia:tstart]  # the wording with child brackets and nested proposals masked
        tail_src = t[reg.src(tstart):reg.src_end(ib)].strip().lstrip(";,. ")
        has_text = WORDING_CHAR_RE.search(t, wa, wb) is not None  # wording.strip(" *~.;,:") != ""
        bare_groups = [g for g in tail.groups if not g.stance]
        standalone = False
        if span is not None and not has_text and span.is_closed:
            # the span's (closed, bracket-delimited) text is its whole line stripped of " \t*_-—"
            standalone = (self.stripped_line(span.line) == (span.start_offset, span.end_offset)
                          and all(not g.stance for g in tail.groups))
        confidence = min(tail.confidence, ORPHAN_CONFIDENCE if orphan else 1.0)
        # kind
        if not has_text:
            wording = ""
            if standalone:
                kind, bare = "new_article", "sponsor"
            elif bare_groups:
                kind, bare = "delete", "delete"
            else:
                kind, bare = "position", "delete"
        else:
            bare = "sponsor"
            # the wording without leading/trailing " *~": t[ha:hb]
            ha = NOT_DECOR_RE.search(t, wa, wb).start()
            hb = wb
            while hb > ha and t[hb - 1] in " *~":
                hb -= 1
            if not bare_groups:
                kind = "position"
            elif span is not None and span.depth == 1 and t.startswith("Article", ha, wb):
                kind = "replace"  # an alternative article title, e.g. [Article 18 alt. …: MX]
            elif after_struck or self._is_replace(own, span.start_offset if span is not None else reg.src(oa),
                                                  not nested):
                kind = "replace"
            elif hb - ha <= 40 and LABEL_ONLY_RE.fullmatch(t, ha, hb):  # a label is at most 15 characters
                kind = "other"
            else:
                kind = "insert"
        offsets = tuple(reg.src(ia + c.offset) for g in tail.groups for c in g.codes)
        issues = tuple((kind_, reg.src(ia + off), msg) for kind_, off, msg in tail.issues)
        f = _Found(bracket_id, reg.src(oa), reg.src_end(ob), wording, kind, tail_src,
                   tail.groups, offsets, issues, is_struck, confidence, bare)
        self.found.append(f)
        return f

    def _is_replace(self, wording: str, outer_start: int, look_behind: bool) -> bool:
        """``wording`` is the proposal's own text (children masked)."""
        if "\n" not in wording and ":" in wording.replace("~~", ""):
            return True  # "unlawfully: without right"
        words = wording.replace("~~", " ").replace("*", " ").split()
        if len(words) >= 2 and (words[0].lower(), words[1].lower()) in REPLACE_PAIRS:
            return True
        # "~~sale~~ [supply or offer to supply: UK]": the bracket follows struck words
        if not look_behind:
            return False
        j = outer_start
        while j > 0 and self.text[j - 1] in " \t":
            j -= 1
        return j in self.run_ends  # a run closes right before: "~~sale~~ [" (not "~~[" opening one)

    # -- drivers
    def run(self) -> None:
        children: dict[int, list[BracketSpan]] = {}
        for s in self.spans:
            children.setdefault(s.parent_id, []).append(s)
        for s in self.spans:
            self.do_span(s, children.get(s.bracket_id, []))
        self.do_gaps([s for s in self.spans if s.parent_id == 0] or [])
        if self.cut_texts:
            first = min(self.cut_texts)
            self.diags.append(Diagnostic(
                self.source.doc_id, self.source.line_of(first), "proposal_text_cut",
                f"{len(self.cut_texts)} proposal(s) in spans nested deeper than {MAX_TEXT_DEPTH} levels keep the "
                f"first {CUT_TEXT_CHARS} characters of their wording as text (the first at character {first}); "
                f"their offsets give the full extent", STAGE))

    def do_span(self, span: BracketSpan, kids: list[BracketSpan]) -> None:
        a = span.start_offset + 1
        b = span.end_offset - 1 if span.is_closed else span.end_offset
        if b <= a:
            return
        holes = sorted((k.start_offset, k.end_offset) for k in kids)
        reg = _region(self.text, a, b, holes)
        m = self.nested(reg, span.bracket_id, span.is_struck, False)
        tail = parse_tail(m)
        end = len(m)
        if tail.found:
            got = self.emit(reg, 0, len(m), 0, len(m), tail, span.bracket_id, span.is_struck, False, span=span, m=m)
            # the proposal covers the whole span, brackets included
            got[0].start = span.start_offset
            got[-1].end = span.end_offset
            end = tail.start
            # a bare position right after a child bracket, before the tail:
            # "[… [through …]] ~~delete - MX~~;: ~~delete – AR, …~~]" (270)
            for _ in range(MAX_ALTERNATIVES):
                if m.find(FILL, 0, end) < 0:
                    break  # no child bracket before the tail (the test below needs one)
                t2 = parse_tail(m[:end])
                if not t2.found or t2.colon or not m[:t2.start].rstrip(" ~").endswith(FILL):
                    break
                f = self._emit_one(reg, t2.start, end, t2.start, end, _shift_tail(t2, -t2.start),
                                   span.bracket_id, span.is_struck or self.struck(reg.src(t2.start)), False, None, m)
                f.kind, f.text = "position", ""
                end = t2.start
        self.mid_tails(reg, m, 0, end, span.bracket_id, span.is_struck, ())

    def mid_tails(self, reg: _Region, m: str, lo: int, hi: int, host_id: int, host_struck: bool,
                  covered: Sequence[tuple[int, int]]) -> None:
        """Colon tails inside wording whose own brackets were lost: "~~shall~~ may: IL take" (589),
        "pornography: HS through" (366).

        The wording runs back to the line start, but never past the end of the previous tail
        (orphan or ``covered``), so the wordings of one line are disjoint and the scan is linear.
        ``covered`` is sorted and disjoint."""
        floor = lo
        ci = 0
        lines = None
        for om in ORPHAN_COLON_RE.finditer(m, lo, hi):
            oa, ob = om.start(), om.end()
            while ci < len(covered) and covered[ci][1] <= oa:
                floor = max(floor, covered[ci][1] + 1)
                ci += 1
            if ci < len(covered) and covered[ci][0] <= oa:
                continue
            tail = parse_tail(m[oa:ob])
            if not tail.found:
                continue
            line_start = max(m.rfind("\n", floor, oa) + 1, floor)
            lines = lines or _Lines(m)
            wa = self._orphan_wording_start(m, line_start, oa, lines)
            self._emit_one(reg, wa, ob, wa, ob, _shift_tail(tail, oa - wa), host_id,
                           host_struck or self.struck(reg.src(oa)), True, None, m)
            floor = ob
            self.diag(reg.src(oa), "unbracketed_tail",
                      f"sponsor tail with no bracket of its own (offset {reg.src(oa)}): "
                      f"read with confidence {ORPHAN_CONFIDENCE}")

    def do_gaps(self, tops: list[BracketSpan]) -> None:
        """Tails outside every span: unmatched closers and colon tails whose opener was lost."""
        tops = sorted(tops, key=lambda s: s.start_offset)

        def gaps():  # one at a time: a long line holds as many gaps as spans
            cur = 0
            for s in tops:
                if s.start_offset > cur:
                    yield cur, s.start_offset
                cur = max(cur, s.end_offset)
            if cur < len(self.text):
                yield cur, len(self.text)

        for ga, gb in gaps():
            if self.text.find(":", ga, gb) < 0 and self.text.find("]", ga, gb) < 0 \
                    and self.text.find("}", ga, gb) < 0 and self.text.find(")", ga, gb) < 0:
                continue
            self.do_gap(ga, gb)

    def do_gap(self, ga: int, gb: int) -> None:
        reg = _region(self.text, ga, gb, ())
        n_before = len(self.found)
        m = self.nested(reg, 0, False, True)
        for f in self.found[n_before:]:
            self.diag(f.start, "unbracketed_tail",
                      f"nested proposal outside any bracket (offset {f.start}): read with confidence {ORPHAN_CONFIDENCE}")
        covered: list[tuple[int, int]] = []
        lines = None
        # unmatched closers: the wording runs back to the line start or the previous closer
        pos = 0
        for cm in CLOSER_RE.finditer(m):
            c = cm.start()
            seg_a = max(m.rfind("\n", pos, c) + 1, pos)  # the line start, or just past the previous closer
            tail = parse_tail(m[seg_a:c])
            if tail.found:
                ta = seg_a + tail.start
                lines = lines or _Lines(m)
                wa = self._orphan_wording_start(m, seg_a, ta, lines)
                sub = _Region(m[wa:c], [(0, reg.src(wa), c - wa, False)])
                t2 = replace(tail, start=ta - wa, groups=_shift_groups(tail.groups, seg_a - wa),
                             issues=tuple((k, o + seg_a - wa, s) for k, o, s in tail.issues))
                f = self._emit_one(sub, 0, c - wa, 0, c - wa, t2, 0, self.struck(reg.src(ta)), True, None, sub.m)
                f.end = reg.src(c) + 1
                self.diag(reg.src(ta), "unbracketed_tail",
                          f"sponsor tail before a closer with no opener (offset {reg.src(c)}): read with confidence {ORPHAN_CONFIDENCE}")
                covered.append((seg_a, c))
            pos = c + 1
        # colon tails with neither opener nor closer: "pornography: HS through"
        self.mid_tails(reg, m, 0, len(m), 0, False, covered)

    def _orphan_wording_start(self, m: str, seg_a: int, ta: int, lines: _Lines) -> int:
        """Where the wording of an orphan tail begins: the last ``~~`` run (or filler) before it."""
        k = m.rfind("~~", seg_a, ta)
        if k >= 0:
            # the opening marker of that run: markers pair from the line start
            return max(seg_a, lines.opening_marker(k))
        f = m.rfind(FILL, seg_a, ta)
        return f + 1 if f >= 0 else seg_a


def _shift_tail(tail: Tail, d: int) -> Tail:
    if not d:
        return tail
    return replace(tail, start=tail.start + d, groups=_shift_groups(tail.groups, d),
                   issues=tuple((k, o + d, msg) for k, o, msg in tail.issues))


def _shift_groups(groups: tuple[TailGroup, ...], d: int) -> tuple[TailGroup, ...]:
    return tuple(replace(g, codes=tuple(replace(c, offset=c.offset + d) for c in g.codes)) for g in groups)


# ----------------------------------------------------------------- public API


def extract_proposals(source: Source, spans: list[BracketSpan]
                      ) -> tuple[list[Proposal], list[Position], list[Diagnostic]]:
    """Proposals, positions and diagnostics of ``source`` from its bracket spans."""
    ex = _Extractor(source, spans)
    ex.run()
    found = sorted(ex.found, key=lambda f: (f.start, -f.end, f.bracket_id))
    ex.found = []
    doc = source.doc_id
    proposals: list[Proposal] = []
    positions: list[Position] = []
    diags = list(ex.diags)
    codes: dict[str, str] = {}  # one string object per distinct code / tail / sponsor list
    for n in range(1, len(found) + 1):
        f, found[n - 1] = found[n - 1], None  # each found proposal is freed once turned into rows
        pid = f"{doc}:P{n:04d}"
        sponsors = "; ".join(", ".join(c.code for c in g.codes) for g in f.groups if not g.stance)
        if f.kind == "position":
            sponsors = ""
        proposals.append(Proposal(doc, pid, f.bracket_id, source.line_of(f.start), f.start, f.end, f.text,
                                  f.kind, codes.setdefault(sponsors, sponsors),
                                  codes.setdefault(f.tail_text, f.tail_text), f.is_struck, f.confidence))
        for kind, off, msg in f.issues:
            diags.append(Diagnostic(doc, source.line_of(off), kind, f"{pid}: {msg} (offset {off})", STAGE))
        seen: set[tuple[str, str]] = set()
        code_offsets = iter(f.code_offsets)
        for g in f.groups:
            stance = g.stance or f.bare_stance
            for c in g.codes:
                off = next(code_offsets)
                line = source.line_of(off)
                res = ex.resolve(c.code)
                if c.starred:
                    diags.append(Diagnostic(doc, line, "footnote_mark",
                                            f"{pid}: footnote mark '*' on {c.code} stripped (offset {off})", STAGE))
                if res.resolution == "not_a_code":
                    diags.append(Diagnostic(doc, line, "not_a_code",
                                            f"{pid}: {c.code!r} in a tail is not a delegation: {res.note} (offset {off})", STAGE))
                    continue
                key = (res.delegation_id or res.code, stance)
                if key in seen:
                    diags.append(Diagnostic(doc, line, "duplicate_code",
                                            f"{pid}: {c.code} repeated in the '{stance}' group; one position kept (offset {off})", STAGE))
                    continue
                seen.add(key)
                if res.resolution == "doubtful":
                    diags.append(Diagnostic(doc, line, "doubtful_code",
                                            f"{pid}: {c.code!r} kept unresolved: {res.note} (offset {off})", STAGE))
                elif res.resolution == "unknown":
                    diags.append(Diagnostic(doc, line, "unknown_code",
                                            f"{pid}: {c.code!r} is not in the registry (offset {off})", STAGE))
                positions.append(Position(doc, pid, line, off, codes.setdefault(c.code, c.code), res.delegation_id, stance,
                                          res.resolution, f.confidence))
    # code-like tokens placed like codes that no tail above consumed: report, never drop
    consumed = [p.offset for p in positions]  # a sorted list: an eighth of a set's memory
    for d in diags:
        consumed.extend(int(x) for x in OFFSET_IN_MESSAGE_RE.findall(d.message))
    consumed.sort()
    diags.extend(_unread(source, _SortedOffsets(consumed)))
    diags.sort(key=lambda d: (d.line, d.kind, d.message))
    return proposals, positions, diags


# ----------------------------------------------------------------- reconciliation


@dataclass(frozen=True)
class Occurrence:
    line: int
    offset: int
    code: str
    context: str


def tail_context(text: str, start: int, end: int) -> bool:
    """Is the code-like token ``text[start:end]`` placed like a delegation code?

    Independent of the parser: the nearest significant character before it
    (skipping spaces, ``*``, ``~``) is one of ``: , – - [ ( ;``, or the one
    after it (skipping spaces, ``*``, ``~``, ``.``) is one of ``, ; ] ) – -``.
    ``Chapter II Criminalization`` and the footnote ``* JM: On behalf`` are not.
    A lower-case ``e`` counts only between commas (``LI, e, SN``).
    """
    i = start - 1
    while i >= 0 and text[i] in " \t*~":
        i -= 1
    before = text[i] if i >= 0 else "\n"
    j = end
    while j < len(text) and text[j] in " \t*~.":
        j += 1
    after = text[j] if j < len(text) else "\n"
    if text[start:end] == "e":
        return before == "," and after == ","
    return before in ":,–-[(;" or after in ",;])–-"


def reconcile(source: Source, positions: Iterable[Position], diagnostics: Iterable[Diagnostic],
              spans: Sequence[BracketSpan] = ()) -> list[Occurrence]:
    """Code-like tokens in tail context that are neither a position nor named in a diagnostic."""
    covered = {p.offset for p in positions}
    ranges: list[tuple[int, int]] = []
    for d in diagnostics:
        if d.stage == STAGE:
            covered.update(int(x) for x in OFFSET_IN_MESSAGE_RE.findall(d.message))
            ranges.extend((int(a), int(b)) for a, b in RANGE_IN_MESSAGE_RE.findall(d.message))
    text = source.text
    out: list[Occurrence] = []
    for mt in CODE_LIKE_RE.finditer(text):
        if not tail_context(text, mt.start(), mt.end()):
            continue
        if mt.start() in covered or any(a <= mt.start() <= b for a, b in ranges):
            continue
        line = source.line_of(mt.start())
        out.append(Occurrence(line, mt.start(), mt.group(), text[max(0, mt.start() - 40):mt.end() + 20]))
    return out


class _SortedOffsets:
    """Membership in a sorted list of offsets (``in`` by bisection)."""

    def __init__(self, offsets: list[int]):
        self.offsets = offsets

    def __contains__(self, off: int) -> bool:
        i = bisect.bisect_left(self.offsets, off)
        return i < len(self.offsets) and self.offsets[i] == off


def _unread(source: Source, consumed) -> list[Diagnostic]:
    """``unread_code`` diagnostics; past :data:`MAX_UNREAD_PER_LINE` on a line, one range to the line end."""
    text, doc = source.text, source.doc_id
    out: list[Diagnostic] = []
    counts: dict[int, int] = {}
    pos = 0
    while True:
        mt = CODE_LIKE_RE.search(text, pos)
        if mt is None:
            break
        pos = mt.end()
        off = mt.start()
        if off in consumed or not tail_context(text, off, mt.end()):
            continue
        line = source.line_of(off)
        n = counts.get(line, 0)
        counts[line] = n + 1
        if n < MAX_UNREAD_PER_LINE:
            out.append(Diagnostic(doc, line, "unread_code",
                                  f"code-like {mt.group()!r} in tail context but in no readable tail: "
                                  f"{text[max(0, off - 30):off + 25]!r} (offset {off})", STAGE))
            continue
        end = source.line_starts[line] - 1 if line < source.n_lines else len(text)
        out.append(Diagnostic(doc, line, "unread_code",
                              f"more code-like tokens in no readable tail on this line "
                              f"(offsets {off} to {end})", STAGE))
        pos = end
    return out


def code_occurrences(source: Source) -> list[Occurrence]:
    """Every code-like token in tail context (the reconciliation's universe)."""
    text = source.text
    return [Occurrence(source.line_of(m.start()), m.start(), m.group(), "")
            for m in CODE_LIKE_RE.finditer(text) if tail_context(text, m.start(), m.end())]
