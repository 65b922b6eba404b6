"""Loss model of the damaged draft: which characters survived the extraction.

Lines of the amended draft that carry no amendment (no ``(``, ``)``, ``:``,
``[``) are aligned against the same article in the Chair's draft (the
*base*): the damaged line must be a subsequence of the Chair's text, so the
tightest window that contains it as a subsequence is found (vectorised over
the article text), and a Viterbi alignment inside that window marks every
Chair character as kept or lost.  Keep rates are estimated per character
class and position in the word (first / middle / last / single), with add-k
smoothing towards the class-level rate; the conditional rate after a lost
character is reported too (the scorer itself assumes independence).
"""
from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np

from ...models import Segmentation, Source

# A line of an amendment-free passage: no list or bracket characters
CLEAN_LINE_RE = re.compile(r"^[^()\[\]:{}\ufffd]{25,}$")


def char_key(c: str) -> str:
    if c.isalpha():
        return "UPPER" if c.isupper() else unicodedata.normalize("NFKD", c)[0].lower()
    if c.isdigit():
        return "DIGIT"
    if c in " \n\t":
        return "SPACE"
    return c


def word_positions(s: str) -> list[str]:
    """first / middle / last / single for letters and digits, 'na' otherwise."""
    out = []
    n = len(s)
    for i, c in enumerate(s):
        if not c.isalnum():
            out.append("na")
            continue
        left = i > 0 and s[i - 1].isalnum()
        right = i + 1 < n and s[i + 1].isalnum()
        out.append("middle" if left and right else "last" if left else "first" if right else "single")
    return out


_POSITIONS = ("first", "middle", "last", "single", "na")


def _alnum_array(s: str) -> np.ndarray:
    """``[c.isalnum() for c in s]`` as an array, one test per distinct character."""
    cps = np.frombuffer(s.encode("utf-32-le"), dtype=np.uint32)
    uniq, inv = np.unique(cps, return_inverse=True)
    return np.array([chr(int(u)).isalnum() for u in uniq], dtype=bool)[inv.ravel()]


def position_codes(s: str) -> np.ndarray:
    """:func:`word_positions` as indices into ``_POSITIONS``, vectorised."""
    alnum = _alnum_array(s)
    left = np.concatenate([[False], alnum[:-1]])
    right = np.concatenate([alnum[1:], [False]])
    return np.where(~alnum, 4, np.where(left & right, 1, np.where(left, 2, np.where(right, 0, 3))))


def keep_prob_array(loss: "LossModel", s: str) -> np.ndarray:
    """``loss.keep_probs(s)`` vectorised (one :meth:`LossModel.p_keep` per distinct character)."""
    if not s:
        return np.zeros(0)
    codes = np.frombuffer(s.encode("utf-32-le"), dtype=np.uint32)
    uniq, inv = np.unique(codes, return_inverse=True)
    table = np.array([[loss.p_keep(chr(int(u)), p) for p in _POSITIONS] for u in uniq])
    return table[inv.ravel(), position_codes(s)]


@dataclass
class LossModel:
    """Keep probabilities by (character key, position in word)."""

    table: dict[tuple[str, str], float]
    by_key: dict[str, float]
    by_pos: dict[str, float]
    overall: float
    after_lost: float = float("nan")  # P(keep | previous character lost)
    after_kept: float = float("nan")
    n_chars: int = 0
    n_lines: int = 0
    counts: dict = field(default_factory=dict)  # (key, pos) -> (kept, total)

    def p_keep(self, c: str, pos: str) -> float:
        k = char_key(c)
        p = self.table.get((k, pos))
        if p is None:
            p = self.by_key.get(k, self.by_pos.get(pos, self.overall))
        return min(max(p, 0.02), 0.98)

    def keep_probs(self, s: str) -> np.ndarray:
        return np.array([self.p_keep(c, p) for c, p in zip(s, word_positions(s))])

    def damage(self, s: str, rng: np.random.Generator) -> str:
        """Apply the loss model to ``s`` (independent losses)."""
        p = self.keep_probs(s)
        keep = rng.random(len(s)) < p
        return "".join(c for c, k in zip(s, keep) if k)


def _occurrences(text: str) -> dict[str, np.ndarray]:
    """Sorted positions of every character of ``text``."""
    arr = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    order = np.argsort(arr, kind="stable")
    vals, starts = np.unique(arr[order], return_index=True)
    bounds = list(starts) + [len(arr)]
    return {chr(v): order[bounds[i]:bounds[i + 1]] for i, v in enumerate(vals)}


def _min_window(d: str, occ: dict[str, np.ndarray]) -> tuple[int, int] | None:
    """Tightest window ``text[a:b]`` holding ``d`` as a subsequence.

    Works on the occurrence lists of each character: the latest possible start
    of a match ending at each occurrence of ``d[i]`` is carried forward.
    """
    pos = occ.get(d[0])
    if pos is None:
        return None
    start = pos
    for c in d[1:]:
        nxt = occ.get(c)
        if nxt is None:
            return None
        j = np.searchsorted(pos, nxt, side="left") - 1  # last occurrence of the previous char before
        ok = j >= 0
        if not ok.any():
            return None
        pos, start = nxt[ok], start[j[ok]]
    length = pos - start
    b = int(np.argmin(length))
    return int(start[b]), int(pos[b]) + 1


class _NextTable:
    """For a text: for every character and position, the next position holding that character
    (``n`` = none), so a greedy leftmost embedding is one look-up per character."""

    def __init__(self, text: str):
        self.n = len(text)
        self.occ = _occurrences(text)
        self.next = {c: np.append(pos, self.n)[np.searchsorted(pos, np.arange(self.n + 1))]
                     for c, pos in self.occ.items()}

    def min_window(self, d: str) -> tuple[int, int] | None:
        """:func:`_min_window` by greedy embedding from every start: for each occurrence of ``d[0]``
        the earliest end; the tightest window (ties: the earliest end, as :func:`_min_window`)."""
        starts = self.occ.get(d[0])
        if starts is None or any(c not in self.next for c in d[1:]):
            return None
        p = starts + 1
        for c in d[1:]:
            q = self.next[c][np.minimum(p, self.n)]
            ok = q < self.n
            if not ok.all():
                starts, q = starts[ok], q[ok]
                if not len(starts):
                    return None
            p = q + 1
        length = p - starts
        best = np.flatnonzero(length == length.min())
        b = best[np.argmin(p[best])]
        return int(starts[b]), int(p[b])


def _viterbi_align(d: str, w: str, p_keep: float = 0.61) -> list[bool] | None:
    """Which characters of ``w`` are kept so that the kept ones spell ``d``.

    Every character of ``w`` is kept with the same probability, so every embedding of ``d`` in
    ``w`` is equally likely; ties go to the latest match (reading from the end, a character is
    kept where it matches and the rest of ``d`` still fits before it).  ``L[i]`` is the end of the
    leftmost embedding of ``d[:i]``, so "still fits" is ``L[i - 1] <= j - 1``.  Linear time."""
    m, n = len(d), len(w)
    L = [0] * (m + 1)
    j = 0
    for i, c in enumerate(d):
        j = w.find(c, j)
        if j < 0:
            return None
        j += 1
        L[i + 1] = j
    kept = [False] * n
    i = m
    for j in range(n, 0, -1):
        if i > 0 and w[j - 1] == d[i - 1] and L[i - 1] <= j - 1:
            kept[j - 1] = True
            i -= 1
    return kept if i == 0 else None


@dataclass(frozen=True)
class Alignment:
    line: int
    damaged: str
    original: str
    kept: tuple[bool, ...]


def chair_articles(chair: Source, chair_seg: Segmentation) -> dict[int, str]:
    """Article number → its text in the Chair's draft (from its heading to the next article's
    heading, as segmented by :mod:`treatydrafts.parse.segment.plain`; markdown marks stripped)."""
    out: dict[int, str] = {}
    arts = sorted(chair_seg.articles, key=lambda a: a.heading_line)
    for k, a in enumerate(arts):
        start = chair.line_starts[a.heading_line - 1]
        end = chair.line_starts[arts[k + 1].heading_line - 1] if k + 1 < len(arts) else len(chair.text)
        body = re.sub(r"[*#]", "", chair.text[start:end])
        out.setdefault(a.article_num, " ".join(body.split()))
    return out


def align_unamended(source: Source, seg: Segmentation, chair: Source, chair_seg: Segmentation,
                    max_lines: int = 400, max_ratio: float = 2.3) -> list[Alignment]:
    """Alignments of amendment-free damaged lines against the Chair's draft (the first
    ``max_lines`` lines, in document order, whose tightest window is plausible)."""
    arts = chair_articles(chair, chair_seg)
    roles = {l.line: l for l in seg.lines}
    by_seq = {a.article_seq: a for a in seg.articles}
    cands: list[tuple[int, int, str]] = []  # (line, article number, damaged line)
    for ln in range(1, source.n_lines + 1):
        lr = roles[ln]
        if lr.role != "paragraph" or not lr.article_seq:
            continue
        art = by_seq[lr.article_seq]
        if art.is_proposed or art.article_num not in arts:
            continue
        d = " ".join(source.line_text(ln).split())
        if not CLEAN_LINE_RE.match(d) or "\ufffd" in d:
            continue
        # drop a leading label ("1. ", "a) ") that the Chair's draft numbers differently
        d = re.sub(r"^(\(?[a-z0-9]{1,3}[.)]\s)", "", d)
        cands.append((ln, art.article_num, d))
    tables: dict[int, _NextTable] = {}
    out: list[Alignment] = []
    for ln, num, d in cands:
        if num not in tables:
            tables[num] = _NextTable(arts[num])
        win = tables[num].min_window(d)
        if win is None:
            continue
        a, b = win
        if b - a > max_ratio * len(d) or b - a < len(d):
            continue
        w = arts[num][a:b]
        kept = _viterbi_align(d, w, 0.61)
        if kept is None:
            continue
        out.append(Alignment(ln, d, w, tuple(kept)))
        if len(out) >= max_lines:
            break
    return out


def estimate_loss(alignments: list[Alignment], k: float = 4.0) -> LossModel:
    """Keep rates from alignments, smoothed towards the key- and position-level rates."""
    cell: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    key: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    pos_c: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    trans = {True: [0, 0], False: [0, 0]}
    total = [0, 0]
    for al in alignments:
        poss = word_positions(al.original)
        prev = None
        for c, p, kept in zip(al.original, poss, al.kept):
            kk = char_key(c)
            for tab, idx in ((cell, (kk, p)), (key, kk), (pos_c, p)):
                tab[idx][0] += kept
                tab[idx][1] += 1
            total[0] += kept
            total[1] += 1
            if prev is not None and c != " ":
                trans[prev][0] += kept
                trans[prev][1] += 1
            if c != " ":
                prev = kept
    overall = total[0] / max(total[1], 1)
    by_pos = {p: (v[0] + k * overall) / (v[1] + k) for p, v in pos_c.items()}
    by_key = {kk: (v[0] + k * overall) / (v[1] + k) for kk, v in key.items()}
    table = {}
    for (kk, p), v in cell.items():
        prior = by_key.get(kk, overall) * by_pos.get(p, overall) / overall if p != "na" else by_key.get(kk, overall)
        prior = min(max(prior, 0.02), 0.98)
        table[(kk, p)] = (v[0] + k * prior) / (v[1] + k)
    return LossModel(
        table=table, by_key=by_key, by_pos=by_pos, overall=overall,
        after_lost=trans[False][0] / max(trans[False][1], 1),
        after_kept=trans[True][0] / max(trans[True][1], 1),
        n_chars=total[1], n_lines=len(alignments),
        counts={kk: tuple(v) for kk, v in cell.items()},
    )


def measure_loss(source: Source, seg: Segmentation, base: Source, base_seg: Segmentation) -> LossModel:
    """The loss model of the damaged ``source`` measured against its clean ``base`` (the Chair's draft)."""
    return estimate_loss(align_unamended(source, seg, base, base_seg))


_LOSS_CACHE: dict[tuple, LossModel] = {}


def loss_model_for(source: Source, seg: Segmentation, base: Source, base_seg: Segmentation) -> LossModel:
    """:func:`measure_loss`, cached per pair of texts (a document read once is aligned once)."""
    key = (source.doc_id, hash(source.text), base.doc_id, hash(base.text))
    if key not in _LOSS_CACHE:
        _LOSS_CACHE[key] = measure_loss(source, seg, base, base_seg)
    return _LOSS_CACHE[key]



