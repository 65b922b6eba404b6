"""What became of every CND proposal in the Chair's draft: the outcome classifier.

A *unit* is one 4th-session proposal and one group of delegations on it (the unit of the
hand-judged validation sample, ``data/validation/``): group ``sponsor`` for every ``ahc4-cnd``
proposal with at least one sponsor position (the delegations propose its wording), group
``delete`` for every proposal with at least one delete position (they propose deleting the
wording it covers).  Each unit gets one outcome:

==========================  =========  ==================================================================
outcome                     group      the automatic rule
==========================  =========  ==================================================================
``article_dropped``         both       the CND article has no counterpart in the Chair's draft
                                       (reviewed crosswalk, :mod:`.crosswalk`)
``verbatim``                sponsor    the normalised wording occurs word for word in the counterpart
                                       (anchored: see below)
``substance``               sponsor    not verbatim, but coverage ≥ :data:`SUBSTANCE` (below)
``not_taken_up``            sponsor    neither
``deletion_achieved``       delete     the targeted wording is neither verbatim there nor covered
``deletion_not_achieved``   delete     the targeted wording (or ≥ :data:`SUBSTANCE` of it) is still there
``unclear``                 both       nothing comparable: empty wording after normalisation
==========================  =========  ==================================================================

**Normalisation** (:func:`tokens`): words (letters and digits) lower-cased; the articles
*a / an / the* dropped; plural ``-s`` / ``-ies`` folded; the competing data and system terms
folded into one token each (``computer data`` / ``electronic data`` / ``digital information`` /
``electronic/digital information`` → ``<data>``; ``computer system`` / ``information and
communications technology system/device`` → ``<system>``; a run of the same folded term, as in
``[a computer system] [an ICT device]``, counts once) — the judging guidelines'
equivalences.  Struck text (``~~…~~``) and the other delegations' bracketed proposals nested in
a wording are not part of it; a replacement keeps its new words only (``~~criminal~~ dishonest``,
``unlawfully: without right``, ``criminal dishonest`` → ``dishonest``).

**Where to look** (paragraph-level alignment): the counterpart is the Chair's article the reviewed
crosswalk links the CND article to (its title included).  The CND *host paragraph* — the
paragraph holding the proposal, without any delegation's proposal — is located in the counterpart
by the best-matching window of its length (rapidfuzz ``partial_ratio_alignment`` over word tokens);
its *coverage* (share of the paragraph's words found in order in that window, ±:data:`SLACK`
words) tells whether the paragraph survived (≥ :data:`PARAGRAPH_FOUND`).

**Similarity** (:func:`coverage`): the share of the wording's *content* words (not in
:data:`FUNCTION_WORDS`) found in order in the best-matching window of the counterpart (longest
common subsequence over word tokens, window = wording length ± :data:`SLACK` × its length), each
word weighted by its inverse document frequency over the Chair's paragraphs (:func:`idf`), so that
the boilerplate every article repeats weighs little.

**Verbatim**: the whole normalised wording occurs contiguously in the counterpart.  A short
wording (fewer than :data:`SPECIFIC` content words: ``serious``, ``or``, ``and without right``) is
common enough to occur by chance, so it must be found in the Chair's paragraph where the host
paragraph was located (or the chapeau governing it), next to one of its CND neighbours, or — when
it has a content word — more often there than the CND paragraph's own words explain.
**Substance**: not verbatim, and similarity ≥ :data:`SUBSTANCE` (specific wordings, anywhere in
the article) or every content word present in the corresponding paragraph (short wordings of two
or more content words).  A wording wholly struck (``[~~or reproducing~~: EU]``) proposes deleting
those words: it counts as taken up (``verbatim``) when they are gone from the article.

**Delete units** target: the wording of a ``position`` proposal (``[… : delete – IR]``); for a bare
position (``[delete – MX]``) its paragraph, or the whole article when it stands alone under the
heading (``[delete – CO]``) or in it; for a codes-only bracket (``[IN]``, kind ``delete``) the
struck words right before it (``~~non-public~~ [IN]``) or else the words before it back to the
previous bracket or punctuation mark (at most :data:`MAX_PRECEDING` words).  A targeted article
that survives as such (same / renamed) is ``deletion_not_achieved``; one merged or absorbed into
another is judged by the similarity of its text.  The same rules as for sponsor wordings decide
whether the targeted words are still there.

The parameters were fixed before the hand judgements were read (commit "Proposal-outcome
classifier …"), then revised once after reading them (chapeau, verb agreement, weighted similarity,
merged articles, :data:`SUBSTANCE` 0.75 → 0.5); ``outcome_agreement`` reports the agreement, and a
cross-validated estimate for the threshold (``docs/outcomes.md``).

Every outcome carries both ends: the CND wording's line and offsets, and the Chair's window
(line and offsets, empty for ``article_dropped``) with the similarity.
"""
from __future__ import annotations

import math

import re
from types import SimpleNamespace
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd
from rapidfuzz import fuzz
from rapidfuzz.distance import LCSseq
from scipy.stats import binomtest

from .. import corpus as _corpus
from .. import schema
from ..models import Source
from ..parse.sponsors import REPLACE_PAIRS

CND, CHAIR = "ahc4-cnd", "ahc6-chair-draft"
GROUPS = ("sponsor", "delete")
OUTCOMES = schema.PROPOSAL_OUTCOMES
TAKEN_UP = ("verbatim", "substance")
MERGED = ("merged", "absorbed")  # crosswalk relations where only part of the CND article lives on

# ---------------------------------------------------------------- parameters (see the module docstring)

NAN = float("nan")  # a value that does not apply (a missing value in the tables)

SUBSTANCE = 0.5  # coverage of the content words for `substance` / `deletion_not_achieved` (chosen on the judged sample: see `docs/outcomes.md`)
PARAGRAPH_FOUND = 0.5  # coverage of the host paragraph for it to count as surviving
SPECIFIC = 3  # content words from which a wording is specific enough to be looked up anywhere in the article
SLACK = 1.0  # the window may be this share of the wording longer on each side (inserted words)
MAX_PRECEDING = 6  # words a codes-only deletion bracket reaches back

# ---------------------------------------------------------------- regexes

# A word: letters or digits with an inner apostrophe, e.g. "child’s", "24", "non" and "public" in "non-public"
WORD_RE = re.compile(r"[A-Za-z0-9]+(?:[’'][A-Za-z]+)?")
# A strikethrough run, e.g. "~~non-public~~" (no "~" inside)
STRUCK_RE = re.compile(r"~~[^~\n]*~~")
# Punctuation that ends the reach of a codes-only deletion bracket: , ; : . ( )
BOUNDARY_RE = re.compile(r"[,;:.()\]]")
# A paragraph label opening a wording, e.g. "3. ", "(ii) ", "*(d)alt* ", "2. bis ", "— (c) ", "[(c) bis "
LABEL_RE = re.compile(r"[\W_]{0,4}(?:\d{1,2}\.?|\([a-z]{1,4}\)|\d{1,2}\)|[a-z]\))\*?\s*(?:(?:bis|ter|quater|alt)\b\.?)?\*?\s")
# A roman subparagraph label, e.g. "(ii)", "(iv)"
ROMAN_RE = re.compile(r"^\((?:i{1,3}|iv|v|vi{1,3}|ix|x)\)")
# A position label naming a paragraph, e.g. "delete par. – AO", "delete paragraph"
PAR_LABEL_RE = re.compile(r"\bpar(?:agraph|\.|\b)", re.I)
# A position label naming the article, e.g. "delete article"
ARTICLE_LABEL_RE = re.compile(r"\barticle\b", re.I)

ARTICLES = frozenset({"a", "an", "the"})
BE = {"is": "be", "are": "be"}  # number agreement of the verb ("the data is / are")
FUNCTION_WORDS = frozenset(
    "of to and or in on at for with by as that which its it be is are from into such this these those their "
    "his her any other whether not shall may".split())
# Folded terms: (token sequence, folded token), longest first
FOLDS: tuple[tuple[tuple[str, ...], str], ...] = tuple(sorted((
    (("computer", "data"), "<data>"), (("electronic", "data"), "<data>"), (("digital", "data"), "<data>"),
    (("digital", "information"), "<data>"), (("electronic", "information"), "<data>"),
    (("electronic", "digital", "information"), "<data>"), (("digital", "electronic", "information"), "<data>"),
    (("computer", "system"), "<system>"), (("information", "system"), "<system>"),
    (("information", "and", "communication", "technology", "system"), "<system>"),
    (("information", "and", "communication", "technology", "device"), "<system>"),
    (("information", "and", "communication", "technology", "system", "device"), "<system>"),
    (("information", "and", "communication", "technology", "device", "system"), "<system>"),
    (("ict", "system"), "<system>"), (("ict", "device"), "<system>"),
), key=lambda f: -len(f[0])))
FOLDED = frozenset(f for _, f in FOLDS)


# ---------------------------------------------------------------- tokens


@dataclass(frozen=True)
class Tokens:
    """Normalised word tokens of a stretch of source text, with their character offsets."""

    words: tuple[str, ...]
    starts: tuple[int, ...]
    ends: tuple[int, ...]
    groups: tuple[int, ...] = ()  # paragraph of each token (Chair's draft; 0 = heading), else empty
    parents: dict = field(default_factory=dict, compare=False)  # paragraph -> its chapeau paragraphs

    def __len__(self) -> int:
        return len(self.words)

    def span(self, i: int, j: int) -> tuple[int, int]:
        """Character offsets covering tokens ``i..j-1`` (``(0, 0)`` when empty)."""
        if j <= i or not self.words:
            return 0, 0
        return self.starts[i], self.ends[j - 1]

    def slice(self, i: int, j: int) -> "Tokens":
        return Tokens(self.words[i:j], self.starts[i:j], self.ends[i:j], self.groups[i:j])

    def region(self, lo: int, hi: int, pad: int) -> tuple[int, int]:
        """The paragraphs overlapping tokens ``[lo, hi)`` (``[lo - pad, hi + pad)`` without paragraphs)."""
        if not self.groups or hi <= lo:
            return max(0, lo - pad), min(len(self), hi + pad)
        keep = set(self.groups[lo:hi])
        keep |= {c for g in list(keep) for c in self.parents.get(g, ())}  # the chapeau governs its subparagraphs
        idx = [i for i, g in enumerate(self.groups) if g in keep]
        return idx[0], idx[-1] + 1

    def __add__(self, other: "Tokens") -> "Tokens":
        return Tokens(self.words + other.words, self.starts + other.starts, self.ends + other.ends)


EMPTY = Tokens((), (), ())


def _stem(w: str) -> str:
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def tokens(text: str, start: int = 0, end: int | None = None, masks: Sequence[tuple[int, int]] = ()) -> Tokens:
    """Normalised tokens of ``text[start:end]`` outside the ``masks`` (offset intervals)."""
    end = len(text) if end is None else end
    raw: list[tuple[str, int, int]] = []
    masks = sorted(masks)
    k = 0
    for m in WORD_RE.finditer(text, start, end):
        s, e = m.start(), m.end()
        while k < len(masks) and masks[k][1] <= s:
            k += 1
        if any(a < e and s < b for a, b in masks[k:k + 3]) or any(a < e and s < b for a, b in masks[:k][-2:]):
            continue
        w = m.group(0).lower()
        w = re.sub(r"[’'](?:s)?$", "", w)
        if w in ARTICLES:
            continue
        raw.append((BE.get(w) or _stem(w), s, e))
    words, starts, ends = [], [], []
    i = 0
    while i < len(raw):
        for seq, folded in FOLDS:
            n = len(seq)
            if tuple(r[0] for r in raw[i:i + n]) == seq:
                if not (words and words[-1] == folded):
                    words.append(folded), starts.append(raw[i][1]), ends.append(raw[i + n - 1][2])
                else:
                    ends[-1] = raw[i + n - 1][2]
                i += n
                break
        else:
            words.append(raw[i][0]), starts.append(raw[i][1]), ends.append(raw[i][2])
            i += 1
    return Tokens(tuple(words), tuple(starts), tuple(ends))


def content(words: Sequence[str]) -> list[str]:
    """The words that carry meaning (not :data:`FUNCTION_WORDS`)."""
    return [w for w in words if w not in FUNCTION_WORDS]


def find_run(needle: Sequence[str], hay: Sequence[str], lo: int = 0, hi: int | None = None) -> list[int]:
    """Start indices of every contiguous occurrence of ``needle`` in ``hay[lo:hi]``."""
    hi = len(hay) if hi is None else hi
    n = len(needle)
    if n == 0:
        return []
    first = needle[0]
    return [i for i in range(lo, max(lo, hi - n + 1)) if hay[i] == first and tuple(hay[i:i + n]) == tuple(needle)]


def locate(needle: Sequence[str], hay: Sequence[str]) -> tuple[int, int]:
    """Token window ``[i, j)`` of ``hay`` best matching ``needle`` (rapidfuzz partial alignment over
    word tokens; the window has the needle's length, shorter at the ends)."""
    if not needle or not hay:
        return 0, 0
    if len(needle) >= len(hay):
        return 0, len(hay)
    al = fuzz.partial_ratio_alignment(list(needle), list(hay), processor=None)
    return al.dest_start, al.dest_end


def coverage(needle: Sequence[str], hay: Sequence[str], lo: int = 0, hi: int | None = None,
             slack: float = SLACK, weights: dict[str, float] | None = None) -> tuple[float, int, int]:
    """``(share of needle's content words found in order, window start, window end)`` in the best
    window of ``hay[lo:hi]`` widened by ``slack`` × the needle's length on each side.

    The needle's function words do not count (an empty content needle uses all its words).  With
    ``weights`` (:func:`idf`), each word counts by its weight, so that the boilerplate every article
    repeats ("each State Party shall adopt such legislative and other measures") weighs little."""
    hi = len(hay) if hi is None else hi
    region = list(hay[lo:hi])
    need = content(needle) or list(needle)
    if not need or not region:
        return 0.0, lo, lo
    i, j = locate(needle, region)
    pad = int(np.ceil(slack * len(needle)))
    a, b = max(0, i - pad), min(len(region), j + pad)
    keep = set(need)
    window = [w for w in region[a:b] if w in keep]
    top = max(weights.values(), default=1.0) if weights else 1.0
    wt = [weights.get(w, top) for w in need] if weights else []
    if not weights or sum(wt) <= 0:  # unweighted (or every word in every paragraph)
        return LCSseq.similarity(need, window) / len(need), lo + a, lo + b
    found = sum(wt[k] for op in LCSseq.opcodes(need, window) if op.tag == "equal"
                for k in range(op.src_start, op.src_end))
    return found / sum(wt), lo + a, lo + b


def idf(chair: dict[int, "Tokens"]) -> dict[str, float]:
    """Inverse document frequency of every word over the Chair's draft paragraphs: ``log(N / df)``."""
    docs: dict[tuple[int, int], set[str]] = {}
    for art, t in chair.items():
        for w, g in zip(t.words, t.groups or (0,) * len(t)):
            docs.setdefault((art, g), set()).add(w)
    n = len(docs)
    df: dict[str, int] = {}
    for words in docs.values():
        for w in words:
            df[w] = df.get(w, 0) + 1
    return {w: float(np.log(n / k)) for w, k in df.items()}


# ---------------------------------------------------------------- units


@dataclass(frozen=True)
class Unit:
    """One (proposal, group) unit with the wording it is judged on."""

    proposal_id: str
    group: str  # sponsor / delete
    delegations: tuple[str, ...]
    article_seq: int
    article: str
    paragraph_seq: int
    paragraph: str
    kind: str
    line: int
    start_offset: int  # the compared wording's span in the CND (the target, for deletions)
    end_offset: int
    wording: Tokens
    target: str  # wording / paragraph / article
    struck: bool = False  # a sponsor wording wholly struck: a proposal to delete those words
    left: Tokens = EMPTY  # the host paragraph's words before the proposal (other proposals removed)
    right: Tokens = EMPTY  # … and after it
    note: str = ""


def units_frame(positions: pd.DataFrame) -> pd.DataFrame:
    """``proposal_id, group, delegations`` for every unit (as ``data/validation``'s draw): the
    resolved delegation ids of the group, sorted and ``, ``-joined (the codes as written when none
    resolved)."""
    rows = []
    pos = positions[positions["stance"].isin(GROUPS)]
    for (pid, stance), g in pos.groupby(["proposal_id", "stance"], sort=True):
        ids = sorted(set(g["delegation_id"]) - {""})
        rows.append({"proposal_id": pid, "group": stance,
                     "delegations": ", ".join(ids) if ids else ", ".join(g["code_as_written"])})
    return pd.DataFrame(rows, columns=["proposal_id", "group", "delegations"])


@dataclass
class CndContext:
    """The CND's source and tables, indexed for building units."""

    source: Source
    proposals: pd.DataFrame
    paragraphs: pd.DataFrame
    articles: pd.DataFrame
    lines: pd.DataFrame
    struck: list[tuple[int, int]] = field(default_factory=list)

    def __post_init__(self):
        self.struck = [(m.start(), m.end()) for m in STRUCK_RE.finditer(self.source.text)]
        self.props = self.proposals.sort_values("start_offset").reset_index(drop=True)
        self.pars = self.paragraphs.set_index("paragraph_seq")
        self.arts = self.articles.set_index("article_seq")
        ln = self.lines
        self._line_par = dict(zip(ln["line"], ln["paragraph_seq"]))

    def foreign_lines(self, paragraph_seq: int, lo: int, hi: int) -> list[tuple[int, int]]:
        """Lines inside ``[lo, hi)`` that are not the paragraph's own (footnotes, page numbers)."""
        src = self.source
        out = []
        for n in range(src.line_of(lo), src.line_of(max(lo, hi - 1)) + 1):
            if self._line_par.get(n, 0) != paragraph_seq:
                a = src.line_starts[n - 1]
                out.append((a, a + len(src.line_text(n)) + 1))
        return out

    def label_mask(self, a: int, b: int) -> list[tuple[int, int]]:
        """The paragraph label opening ``text[a:b]`` (``(ii) ``, ``3. ``), as a mask."""
        m = LABEL_RE.match(self.source.text, a, b)
        return [(a, m.end())] if m else []

    def wording_span(self, p) -> tuple[int, int]:
        """Offsets of a proposal's wording (its ``text``) inside its span."""
        text = self.source.text
        if p.text:
            i = text.find(p.text, p.start_offset, p.end_offset)
            if i >= 0:
                return i, i + len(p.text)
        return p.start_offset, p.start_offset

    def nested(self, p, lo: int, hi: int) -> list[tuple[int, int]]:
        """Spans of the other proposals inside ``[lo, hi)`` and the struck runs there."""
        pr = self.props
        inside = pr[(pr["start_offset"] >= lo) & (pr["end_offset"] <= hi) & (pr["proposal_id"] != p.proposal_id)]
        spans = list(zip(inside["start_offset"], inside["end_offset"]))
        # struck runs inside the wording (a run holding the whole proposal, tail included, is a
        # struck proposal: its words are still its wording)
        return spans + [(a, b) for a, b in self.struck if lo <= a and b <= hi]

    def tails(self, p, lo: int, hi: int) -> list[tuple[int, int]]:
        """The sponsor tails and openers of the other proposals inside ``[lo, hi)``."""
        pr = self.props
        inside = pr[(pr["start_offset"] >= lo) & (pr["end_offset"] <= hi) & (pr["proposal_id"] != p.proposal_id)]
        out = []
        for r in inside.itertuples(index=False):
            a, b = self.wording_span(r)
            out += [(int(r.start_offset), a), (b, int(r.end_offset))]
        return out

    def base_masks(self, lo: int, hi: int, keep: tuple[int, int] | None = None) -> list[tuple[int, int]]:
        """What is not base text in ``[lo, hi)``: every proposal's span (a position's own wording is
        base text: only its tail goes) and struck runs."""
        out = []
        pr = self.props
        for r in pr[(pr["start_offset"] < hi) & (pr["end_offset"] > lo)].itertuples(index=False):
            if keep and r.start_offset <= keep[0] and keep[1] <= r.end_offset and r.kind == "position":
                a, b = self.wording_span(r)
                out += [(r.start_offset, a), (b, r.end_offset)]
            elif r.kind == "position" and r.text:
                a, b = self.wording_span(r)
                out += [(r.start_offset, a), (b, r.end_offset)]
            else:
                out.append((int(r.start_offset), int(r.end_offset)))
        return out + [(a, b) for a, b in self.struck if a < hi and lo < b]


def _new_words(p, ctx: CndContext) -> tuple[int, int, list[tuple[int, int]], bool, str]:
    """``(start, end, masks, wholly_struck, note)`` of the wording a sponsor proposes."""
    a, b = ctx.wording_span(p)
    text = ctx.source.text
    masks = ctx.nested(p, a, b)
    visible = tokens(text, a, b, masks)
    if not len(visible):
        struck = set(ctx.struck)
        unstruck = [m for m in masks if m not in struck]
        if len(tokens(text, a, b, unstruck)):
            return a, b, unstruck, True, "wholly struck: a proposal to delete these words"
    if p.kind == "replace" and len(visible):
        raw = text[a:b]
        if STRUCK_RE.search(raw):
            return a, b, masks, False, "replacement: struck words left out"
        plain = STRUCK_RE.sub(lambda m: " " * len(m.group(0)), raw)
        if ":" in plain and not plain.lower().startswith("article"):
            k = a + plain.rindex(":") + 1
            return k, b, masks, False, "replacement: the words after the colon"
        words = WORD_RE.findall(plain.replace("/", " "))
        if len(words) >= 2 and (words[0].lower(), plain.split()[1].lower()) in REPLACE_PAIRS:
            first = WORD_RE.search(text, a, b)
            return first.end(), b, masks, False, "replacement: the first word is the one replaced"
    return a, b, masks, False, ""


def _preceding(p, ctx: CndContext, par) -> tuple[int, int, str]:
    """The words a codes-only deletion bracket (``[IN]``) targets: the struck run right before it,
    else the base words back to the previous bracket or punctuation mark (≤ :data:`MAX_PRECEDING`)."""
    text = ctx.source.text
    before = text[par.start_offset:p.start_offset] if par is not None else text[max(0, p.start_offset - 300):p.start_offset]
    stripped = before.rstrip()
    gap = len(before) - len(stripped)
    for a, b in ctx.struck:  # a struck run ending right before (or at the start of) the bracket
        if a < p.start_offset and p.start_offset - gap - 1 <= b <= p.start_offset + 3:
            return a, b, "the struck words before the bracket"
    base = p.start_offset - len(before)
    stripped = stripped.rstrip(" ,;:.\n")
    cut = 0
    for m in BOUNDARY_RE.finditer(stripped):
        cut = m.end()
    words = list(WORD_RE.finditer(stripped, cut))[-MAX_PRECEDING:]
    if not words:
        return p.start_offset, p.start_offset, "no words before the bracket"
    return base + words[0].start(), base + words[-1].end(), "the words before the bracket"


def build_units(positions: pd.DataFrame, ctx: CndContext) -> list[Unit]:
    """Every unit of the CND, with its wording or deletion target and the host paragraph's context."""
    uf = units_frame(positions)
    props = ctx.proposals.set_index("proposal_id")
    text = ctx.source.text
    out = []
    for u in uf.itertuples(index=False):
        p = SimpleNamespace(proposal_id=u.proposal_id, **props.loc[u.proposal_id].to_dict())
        par = ctx.pars.loc[p.paragraph_seq] if p.paragraph_seq in ctx.pars.index else None
        struck, note, target = False, "", "wording"
        art_row = ctx.arts.loc[p.article_seq] if p.article_seq in ctx.arts.index else None
        heading = art_row is not None and int(p.line) == int(art_row.heading_line)
        if u.group == "sponsor":
            if p.kind == "new_article" and not p.text:
                art = ctx.arts.loc[p.article_seq]
                a, b = int(art.start_offset), int(art.end_offset)
                masks = ctx.base_masks(a, b)
                masks = [m for m in masks if not (m[0] <= p.start_offset < m[1])]
                wording = tokens(text, a, b, [(p.start_offset, p.end_offset)] + [(s, e) for s, e in ctx.struck])
                target, note = "article", "the proposed article as a whole"
            else:
                a, b, masks, struck, note = _new_words(p, ctx)
                wording = tokens(text, a, b, masks + ctx.label_mask(a, b))
        else:
            if p.kind == "delete":
                a, b, note = _preceding(p, ctx, par)
                wording = tokens(text, a, b, [(s, e) for s, e in ctx.struck if not (s >= a and e <= b)])
            elif p.text:
                a, b = ctx.wording_span(p)
                wording = tokens(text, a, b, ctx.nested(p, a, b) + ctx.label_mask(a, b))
                note = "the bracketed wording"
                if not len(wording):  # the wording is another delegation's proposal: its words, not its tail
                    wording = tokens(text, a, b, ctx.tails(p, a, b))
                    note = "the bracketed wording (a nested proposal)"
            elif (ARTICLE_LABEL_RE.search(p.tail) or heading or par is None
                  or not len(tokens(text, int(par.start_offset), int(par.end_offset),
                                    ctx.base_masks(int(par.start_offset), int(par.end_offset))))):
                art = ctx.arts.loc[p.article_seq]
                a, b = int(art.start_offset), int(art.end_offset)
                wording = tokens(text, a, b, ctx.base_masks(a, b))
                target, note = "article", "a bare deletion under the heading: the article"
            else:
                a, b = int(par.start_offset), int(par.end_offset)
                wording = tokens(text, a, b, ctx.base_masks(a, b) + ctx.label_mask(a, b)
                                 + ctx.foreign_lines(int(p.paragraph_seq), a, b))
                target = "paragraph"
                note = "a bare deletion at the end of a paragraph: the paragraph"
        left = right = EMPTY
        host = None
        if par is not None:
            host = (int(par.start_offset), int(par.end_offset))
        elif heading:
            ls = ctx.source.line_starts[int(p.line) - 1]
            host = (ls, ls + len(ctx.source.line_text(int(p.line))))
        if host is not None and target == "wording":
            pa, pb = host
            bm = ctx.base_masks(pa, pb, keep=(a, b)) + ctx.label_mask(pa, pb)
            if par is not None:
                bm += ctx.foreign_lines(int(p.paragraph_seq), pa, pb)
            left = tokens(text, pa, min(a, pb), bm)
            right = tokens(text, max(b, p.end_offset if u.group == "sponsor" else b), pb, bm)
        out.append(Unit(u.proposal_id, u.group, tuple(u.delegations.split(", ")), int(p.article_seq), p.article,
                        int(p.paragraph_seq), p.paragraph, p.kind, ctx.source.line_of(a) if b > a else int(p.line),
                        int(a), int(b), wording, target, struck, left, right, note))
    return out


# ---------------------------------------------------------------- judge


@dataclass(frozen=True)
class Outcome:
    outcome: str
    score: float  # coverage of the wording's content words (1.0 for verbatim)
    paragraph_score: float  # coverage of the host paragraph (NaN when not measured)
    to_start: int  # offsets of the Chair's window (0, 0 when none)
    to_end: int
    method: str  # which rule decided


def judge_unit(u: Unit, chair: Tokens | None, substance: float = SUBSTANCE,
               paragraph_found: float = PARAGRAPH_FOUND, specific: int = SPECIFIC, relation: str = "same",
               weights: dict[str, float] | None = None) -> Outcome:
    """The outcome of one unit against the counterpart's tokens (``None``: article dropped);
    ``relation`` is the crosswalk's link from the CND article to the counterpart."""
    if chair is None:
        return Outcome("article_dropped", 0.0, NAN, 0, 0, "crosswalk: no counterpart article")
    w = u.wording.words
    hay = chair.words
    if not w:
        return Outcome("unclear", 0.0, NAN, 0, 0, "nothing to compare: empty wording")
    present = u.group == "sponsor"
    if u.target == "article":
        if u.group == "delete":
            if relation not in MERGED:
                return Outcome("deletion_not_achieved", 1.0, NAN, *chair.span(0, len(chair)),
                               f"the targeted article survives ({relation})")
            cov, i, j = coverage(w, hay, weights=weights)
            ok = cov >= substance
            return Outcome("deletion_not_achieved" if ok else "deletion_achieved", round(cov, 4), NAN,
                           *chair.span(i, j), f"targeted article {relation} into the counterpart: coverage {cov:.2f}")
        cov, i, j = coverage(w, hay, slack=0.0, weights=weights)
        if cov >= 1.0 and find_run(w, hay):
            return Outcome("verbatim", 1.0, NAN, *chair.span(*_run_span(w, hay)), "proposed article found word for word")
        return Outcome("substance" if cov >= substance else "not_taken_up", round(cov, 4), NAN, *chair.span(i, j),
                       f"proposed article: coverage {cov:.2f}")
    host = u.left.words + u.right.words
    par_cov, lo, hi = (coverage(host, hay, slack=SLACK) if len(host) >= 3 else (NAN, 0, len(hay)))
    par_alive = math.isnan(par_cov) or par_cov >= paragraph_found
    n_content = len(content(w))
    if u.struck:
        runs = find_run(w, hay)
        if runs:
            return Outcome(_neg(present), 0.0, round(par_cov, 4), *chair.span(runs[0], runs[0] + len(w)),
                           "struck wording (a proposal to delete it) still in the article")
        return Outcome(_pos(present, "verbatim"), 1.0, round(par_cov, 4), *chair.span(lo, hi),
                       "struck wording (a proposal to delete it) gone from the article")
    if n_content >= specific:
        runs = find_run(w, hay)
        if runs:
            return Outcome(_pos(present, "verbatim"), 1.0, round(par_cov, 4), *chair.span(runs[0], runs[0] + len(w)),
                           "specific wording found word for word in the article")
        cov, i, j = coverage(w, hay, weights=weights)
        ok = cov >= substance
        return Outcome(_pos(present, "substance") if ok else _neg(present), round(cov, 4), round(par_cov, 4),
                       *chair.span(i, j), f"specific wording: coverage {cov:.2f} in the article")
    # short wording: must sit in the paragraph where the host paragraph survives
    if not par_alive:
        return Outcome(_neg(present), 0.0, round(par_cov, 4), *chair.span(lo, hi),
                       f"host paragraph not found (coverage {par_cov:.2f})")
    a, b = chair.region(lo, hi, pad=len(w) + 2) if not math.isnan(par_cov) else (0, len(hay))
    before = u.left.words[-1:] if len(u.left) else ()
    after = u.right.words[:1] if len(u.right) else ()
    runs = find_run(w, hay, a, b)
    # occurrences the CND paragraph's own text already explains (e.g. "article" in "articles 6 to 9")
    in_base = len(find_run(w, host))
    for i in runs:
        prev_ok = bool(before) and i > 0 and hay[i - 1] in before
        next_ok = bool(after) and i + len(w) < len(hay) and hay[i + len(w)] in after
        if prev_ok or next_ok or (n_content and len(runs) > in_base):
            how = "next to its CND neighbour" if (prev_ok or next_ok) else "in the corresponding paragraph"
            return Outcome(_pos(present, "verbatim"), 1.0, round(par_cov, 4), *chair.span(i, i + len(w)),
                           f"short wording found word for word {how}")
    if n_content >= 2:
        # a short wording survives in substance only with every one of its content words (a competing
        # term such as "unlawfully" for "without right" keeps the rest of the phrase)
        cov, i, j = coverage(w, hay, a, b)
        if cov >= 1.0:
            return Outcome(_pos(present, "substance"), round(cov, 4), round(par_cov, 4), *chair.span(i, j),
                           "short wording: all its content words in the corresponding paragraph")
        return Outcome(_neg(present), round(cov, 4), round(par_cov, 4), *chair.span(a, b),
                       f"short wording not in the corresponding paragraph (coverage {cov:.2f})")
    return Outcome(_neg(present), 0.0, round(par_cov, 4), *chair.span(a, b),
                   "short wording not in the corresponding paragraph")


def _run_span(w, hay) -> tuple[int, int]:
    r = find_run(w, hay)
    return (r[0], r[0] + len(w)) if r else (0, 0)


def _pos(present: bool, kind: str) -> str:
    """Found in the Chair's draft: taken up (sponsor) or not deleted (delete)."""
    return kind if present else "deletion_not_achieved"


def _neg(present: bool) -> str:
    """Not found: not taken up (sponsor) or deleted (delete)."""
    return "not_taken_up" if present else "deletion_achieved"


# ---------------------------------------------------------------- the table


def chair_tokens(chair_source: Source, chair_articles: pd.DataFrame, chair_paragraphs: pd.DataFrame) -> dict[int, Tokens]:
    """``article_seq -> tokens`` of every article of the Chair's draft (heading included), each token
    with its paragraph (``paragraph_seq``; 0 for the heading)."""
    pars = chair_paragraphs.sort_values("start_offset")
    starts = pars["start_offset"].to_numpy()
    ends = pars["end_offset"].to_numpy()
    seqs = pars["paragraph_seq"].to_numpy()
    out = {}
    for a in chair_articles.itertuples(index=False):
        t = tokens(chair_source.text, int(a.start_offset), int(a.end_offset))
        k = np.searchsorted(starts, np.asarray(t.starts, dtype=np.int64), side="right") - 1
        groups = tuple(int(seqs[i]) if i >= 0 and t.starts[n] < ends[i] else 0 for n, i in enumerate(k))
        mine = pars[pars["article_seq"] == a.article_seq]
        out[int(a.article_seq)] = Tokens(t.words, t.starts, t.ends, groups,
                                         chapeaux(list(zip(mine["paragraph_seq"], mine["paragraph"]))))
    return out


def chapeaux(paragraphs: Sequence[tuple[int, str]]) -> dict[int, tuple[int, ...]]:
    """``paragraph_seq -> the paragraphs whose chapeau governs it``: a lettered subparagraph
    (``(b)``) hangs from the numbered paragraph before it, a roman one (``(ii)``) also from the
    lettered one before it."""
    out: dict[int, tuple[int, ...]] = {}
    numbered = lettered = None
    for seq, label in paragraphs:
        lab = label.strip()
        if ROMAN_RE.match(lab) and lettered is not None:
            out[int(seq)] = tuple(x for x in (numbered, lettered) if x is not None)
        elif lab.startswith("("):
            lettered = int(seq)
            out[int(seq)] = (numbered,) if numbered is not None else ()
        else:
            numbered, lettered = int(seq), None
    return out


def judge_units(units: Sequence[Unit], counterparts: dict[int, list[int]], chair: dict[int, Tokens],
                relations: dict[tuple[int, int], str] | None = None, **params) -> list[tuple[Unit, int, Outcome]]:
    """``(unit, Chair article_seq (0 = none), outcome)`` for every unit.  ``counterparts`` maps a CND
    article_seq to its Chair article(s) (empty: dropped); with several, the best outcome's is kept."""
    out = []
    weights = idf(chair)
    rank = {o: i for i, o in enumerate(("verbatim", "substance", "deletion_not_achieved", "not_taken_up",
                                         "deletion_achieved", "unclear", "article_dropped"))}
    for u in units:
        targets = counterparts.get(u.article_seq, [])
        if not targets:
            out.append((u, 0, judge_unit(u, None, **params)))
            continue
        best = None
        for t in targets:
            o = judge_unit(u, chair[t], relation=(relations or {}).get((u.article_seq, t), "same"), weights=weights,
                           **params)
            if best is None or (rank[o.outcome], -o.score) < (rank[best[1].outcome], -best[1].score):
                best = (t, o)
        out.append((u, best[0], best[1]))
    return out


def contestation(proposals: pd.DataFrame) -> dict[int, int]:
    """Proposals per CND article (``article_seq -> n``): how contested the article was."""
    return proposals.groupby("article_seq")["proposal_id"].nunique().astype(int).to_dict()


def outcomes_table(judged: Sequence[tuple[Unit, int, Outcome]], cnd_source: Source, chair_source: Source,
                   chair_articles: pd.DataFrame, n_proposals: dict[int, int]) -> pd.DataFrame:
    """The ``proposal_outcomes`` table (one row per unit)."""
    labels = dict(zip(chair_articles["article_seq"], chair_articles["article"]))
    rows = []
    for u, t, o in judged:
        to_line = chair_source.line_of(o.to_start) if o.to_end > o.to_start else 0
        rows.append({
            "doc_id": CND, "proposal_id": u.proposal_id, "unit_group": u.group,
            "delegation_ids": ", ".join(u.delegations), "n_delegations": len([d for d in u.delegations if d]),
            "article_seq": u.article_seq, "article": u.article, "paragraph": u.paragraph, "kind": u.kind,
            "target_scope": u.target, "line": u.line, "start_offset": u.start_offset, "end_offset": u.end_offset,
            "text": cnd_source.text[u.start_offset:u.end_offset], "outcome": o.outcome,
            "to_doc": CHAIR if t else "", "to_article_seq": int(t), "to_article": labels.get(t, ""),
            "to_line": to_line, "to_start_offset": o.to_start, "to_end_offset": o.to_end,
            "to_text": chair_source.text[o.to_start:o.to_end], "score": float(o.score),
            "paragraph_score": float(o.paragraph_score), "method": o.method,
            "n_article_proposals": int(n_proposals.get(u.article_seq, 0)), "note": u.note})
    df = pd.DataFrame(rows) if rows else schema.empty_frame("proposal_outcomes")
    return schema.validate(df, "proposal_outcomes")


def compute(counterparts: dict[int, list[int]], relations: dict[tuple[int, int], str] | None = None, corpus=None,
            **params) -> pd.DataFrame:
    """The ``proposal_outcomes`` table of ``corpus`` (default: the public API's), given the CND →
    Chair's draft counterparts (:meth:`.crosswalk.Crosswalk.counterparts`); ``params`` override
    :data:`SUBSTANCE`, :data:`PARAGRAPH_FOUND`, :data:`SPECIFIC`."""
    corpus = corpus or _corpus.DEFAULT
    cnd, chair = corpus.load(CND), corpus.load(CHAIR)
    ctx = CndContext(corpus.source(CND), cnd.proposals, cnd.paragraphs, cnd.articles, cnd.lines)
    units = build_units(cnd.positions, ctx)
    ch_tokens = chair_tokens(corpus.source(CHAIR), chair.articles, chair.paragraphs)
    judged = judge_units(units, counterparts, ch_tokens, relations, **params)
    return outcomes_table(judged, corpus.source(CND), corpus.source(CHAIR), chair.articles,
                          contestation(cnd.proposals))


# ---------------------------------------------------------------- validation against the hand judgements

VALIDATION_DIR = "validation"
SAMPLE_FILE = "outcomes_sample.csv"
JUDGED_FILE = "outcomes_judged.csv"
# The merged scheme: the judged `substance` (same legal effect, often paraphrase) is out of reach of a
# wording measure (see docs/outcomes.md), so verbatim stands alone and the rest of the sponsor
# outcomes become "wording not taken up".
MERGE = {"substance": "not_verbatim", "not_taken_up": "not_verbatim"}
SCHEMES = ("fine", "merged", "merged_cv")
CV_FOLDS = 5
CV_SEED = 20241224
CV_GRID = (0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8)


def wilson(k: int, n: int, level: float = 0.95) -> tuple[float, float, float]:
    """``(k / n, low, high)`` with the Wilson score interval (scipy); all missing (NaN) when ``n`` is 0."""
    if n <= 0:
        return NAN, NAN, NAN
    ci = binomtest(int(k), int(n)).proportion_ci(confidence_level=level, method="wilson")
    return round(k / n, 4), round(float(ci.low), 4), round(float(ci.high), 4)


def read_validation(data_dir) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(sample, judgements)`` of ``data_dir/validation`` (text columns, NA-safe)."""
    d = data_dir / VALIDATION_DIR
    return schema.read_text_csv(d / SAMPLE_FILE), schema.read_text_csv(d / JUDGED_FILE)


def validation_table(outcomes: pd.DataFrame, sample: pd.DataFrame, judged: pd.DataFrame) -> pd.DataFrame:
    """The ``outcome_validation`` table: every judged unit, automatic and judged outcome side by side."""
    m = sample.merge(judged, on="unit_id", suffixes=("", "_judged"))
    auto = outcomes.set_index(["proposal_id", "unit_group"])
    rows = []
    for r in m.itertuples(index=False):
        a = auto.loc[(r.proposal_id, r.group)]
        rows.append({"unit_id": r.unit_id, "proposal_id": r.proposal_id, "unit_group": r.group, "article": r.article,
                     "line": int(r.line), "outcome": a["outcome"], "judged_outcome": r.outcome,
                     "judged_confidence": r.confidence, "is_agreement": a["outcome"] == r.outcome,
                     "to_article": a["to_article"], "judged_note": r.note})
    return schema.validate(pd.DataFrame(rows), "outcome_validation")


def _agreement_rows(pairs: Sequence[tuple[str, str]], scheme: str) -> list[dict]:
    cats = [c for c in dict.fromkeys([j for j, _ in pairs] + [a for _, a in pairs])]
    order = {c: i for i, c in enumerate(OUTCOMES + ("not_verbatim",))}
    rows = []
    for c in sorted(cats, key=lambda c: order.get(c, 99)):
        nj = sum(j == c for j, _ in pairs)
        na = sum(a == c for _, a in pairs)
        k = sum(j == c and a == c for j, a in pairs)
        ag, lo, hi = wilson(k, nj)
        pr, plo, phi = wilson(k, na)
        rows.append({"scheme": scheme, "outcome": c, "n_judged": nj, "n_auto": na, "n_agree": k, "agreement": ag,
                     "agreement_low": lo, "agreement_high": hi, "precision": pr, "precision_low": plo,
                     "precision_high": phi})
    k = sum(j == a for j, a in pairs)
    ag, lo, hi = wilson(k, len(pairs))
    rows.append({"scheme": scheme, "outcome": "all", "n_judged": len(pairs), "n_auto": len(pairs), "n_agree": k,
                 "agreement": ag, "agreement_low": lo, "agreement_high": hi, "precision": ag, "precision_low": lo,
                 "precision_high": hi})
    return rows


def merged(outcome: str) -> str:
    return MERGE.get(outcome, outcome)


def cross_validated(units: Sequence[Unit], counterparts, chair, relations, judged: dict[tuple[str, str], str],
                    grid: Sequence[float] = CV_GRID, folds: int = CV_FOLDS, seed: int = CV_SEED) -> list[tuple[str, str]]:
    """``(judged, automatic)`` pairs (merged scheme) where each fold's units are classified with the
    :data:`SUBSTANCE` threshold that agrees best with the judgements of the *other* folds (ties: the
    higher threshold): an honest estimate of the agreement of a threshold tuned on the sample."""
    sample_units = [u for u in units if (u.proposal_id, u.group) in judged]
    by_th = {th: {(u.proposal_id, u.group): o.outcome
                  for u, _, o in judge_units(sample_units, counterparts, chair, relations, substance=th)}
             for th in grid}
    keys = sorted(judged)
    fold = dict(zip(keys, np.random.default_rng(seed).permutation(len(keys)) % folds))
    pairs = []
    for f in range(folds):
        train = [k for k in keys if fold[k] != f]
        best = max(grid, key=lambda th: (sum(merged(by_th[th][k]) == merged(judged[k]) for k in train), th))
        pairs += [(merged(judged[k]), merged(by_th[best][k])) for k in keys if fold[k] == f]
    return pairs


def agreement_table(validation: pd.DataFrame, cv_pairs: Sequence[tuple[str, str]] = ()) -> pd.DataFrame:
    """The ``outcome_agreement`` table: per category, the share of the judged units the method placed
    there (with Wilson intervals) and the reverse (precision), for the seven categories (``fine``),
    with verbatim against the rest of the sponsor outcomes (``merged``) and, for the merged scheme,
    cross-validated over the threshold (``merged_cv``)."""
    pairs = list(zip(validation["judged_outcome"], validation["outcome"]))
    rows = _agreement_rows(pairs, "fine") + _agreement_rows([(merged(j), merged(a)) for j, a in pairs], "merged")
    if cv_pairs:
        rows += _agreement_rows(list(cv_pairs), "merged_cv")
    return schema.validate(pd.DataFrame(rows), "outcome_agreement")


def cross_validated_from(corpus, counterparts: dict[int, list[int]], relations: dict[tuple[int, int], str],
                         validation: pd.DataFrame) -> list[tuple[str, str]]:
    """:func:`cross_validated` for the units of ``corpus`` judged in ``validation``."""
    corpus = corpus or _corpus.DEFAULT
    cnd, chair = corpus.load(CND), corpus.load(CHAIR)
    ctx = CndContext(corpus.source(CND), cnd.proposals, cnd.paragraphs, cnd.articles, cnd.lines)
    units = build_units(cnd.positions, ctx)
    ch_tokens = chair_tokens(corpus.source(CHAIR), chair.articles, chair.paragraphs)
    judged = dict(zip(zip(validation["proposal_id"], validation["unit_group"]), validation["judged_outcome"]))
    return cross_validated(units, counterparts, ch_tokens, relations, judged)
