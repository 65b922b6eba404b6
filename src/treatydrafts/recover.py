"""Recover delegation names from the damaged lists of ``ahc6-amended-draft`` (issue 3).

Three steps, each a pure function:

1. **Loss model** (:func:`measure_loss`).  Lines of the amended draft that
   carry no amendment (no ``(``, ``)``, ``:``, ``[``) are aligned against the
   same article in the Chair's draft: the damaged line must be a subsequence
   of the Chair's text, so the tightest window that contains it as a
   subsequence is found (vectorised over the article text), and a Viterbi
   alignment inside that window marks every Chair character as kept or
   lost.  Keep rates are estimated per character class and position in the
   word (first / middle / last / single), with add-k smoothing towards the
   class-level rate; the conditional rate after a lost character is reported
   too (the scorer itself assumes independence).

2. **List segmentation** (:func:`recover_list`).  A damaged span is parsed by
   a hidden-Markov model whose items are registry name forms
   (``registry.name_forms()``) and group labels (``delete``, ``retain``,
   ``retain original``, ``keep``, ``against``, ``alt`` …).  Each character of
   an item is kept with the measured probability (so an item is possible only
   if the damaged token is a subsequence of it), separators (``,`` space,
   newline, ``.``) may be kept or lost, free text may precede the list, and an
   ``unknown`` item absorbs what fits nothing.  Viterbi gives the segmentation;
   for each name segment the posterior over delegations (forward probabilities
   of all forms, summed by delegation, times a prior) gives a confidence and
   the candidates.  Names below :data:`ACCEPT` confidence are reported as
   ``ambiguous`` with an empty ``delegation_id``: never a silent guess.

3. **Extraction** (:func:`extract_proposals`).  Every span between the
   delimiters ``( ) [ ] }`` of the document's content lines (page numbers,
   footnotes and blanks removed, so lists cross page breaks) is parsed; spans
   with at least one name become a :class:`Proposal` and one
   :class:`Position` per name with stance, confidence and the damaged string.
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from .decode import _ENGLISH_FREQ
from .models import Diagnostic, Position, Proposal, Segmentation, Source

DOC_ID = "ahc6-amended-draft"
STAGE = "recover"
ACCEPT = 0.80  # minimum posterior for a resolved name (calibrated in benchmarks/recovery_benchmark.py)

# Group labels: written form → stance
LABELS = {
    "delete": "delete",
    "Delete": "delete",
    "retain": "retain",
    "Retain": "retain",
    "retain original": "retain original",
    "Retain original": "retain original",
    "keep": "keep",
    "keep original": "retain original",
    "against": "against",
    "Against": "against",
    "alt": "alt",
}
SEPARATORS = {",": 0.5, " ": 0.6, "\n": 0.9, ".": 0.15, ";": 0.1, ":": 0.2, "-": 0.05, "–": 0.05}
# Delimiters that close or open a list / proposal: "(", ")", "[", "]", "}"
DELIM_RE = re.compile(r"[()\[\]}]")
# A line of an amendment-free passage: no list or bracket characters
CLEAN_LINE_RE = re.compile(r"^[^()\[\]:{}\ufffd]{25,}$")
# "Article 12." / "*Article 12. Title*" in the Chair's draft
CHAIR_ARTICLE_RE = re.compile(r"^[#*\s]{0,6}Article[ \t]+(\d{1,3})\b", re.M)


def _norm_char(c: str) -> str:
    return "'" if c in "’‘" else c


def norm_text(s: str) -> str:
    """Apostrophes unified (the damaged text and the registry use both)."""
    return "".join(_norm_char(c) for c in s)


# ---------------------------------------------------------------------------
# 1. Loss model


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


def _min_window(d: str, t: np.ndarray, codes: dict[str, int]) -> tuple[int, int] | None:
    """Tightest window ``t[a:b]`` holding ``d`` as a subsequence (vectorised)."""
    n = len(t)
    idx = np.arange(n)
    first = codes.get(d[0], -1)
    start = np.where(t == first, idx, -1)
    for c in d[1:]:
        code = codes.get(c, -1)
        cm = np.maximum.accumulate(start)
        prev = np.empty(n, dtype=np.int64)
        prev[0] = -1
        prev[1:] = cm[:-1]
        start = np.where(t == code, prev, -1)
        if start.max() < 0:
            return None
    valid = start >= 0
    if not valid.any():
        return None
    length = np.where(valid, idx - start, n + 1)
    b = int(np.argmin(length))
    return int(start[b]), b + 1


def _viterbi_align(d: str, w: str, p_keep: np.ndarray) -> list[bool] | None:
    """Which characters of ``w`` are kept so that the kept ones spell ``d`` (most likely)."""
    m, n = len(d), len(w)
    lk, ll = np.log(p_keep), np.log1p(-p_keep)
    NEG = -1e18
    # dp[i][j]: best score with d[:i] emitted using w[:j]
    dp = np.full((m + 1, n + 1), NEG)
    dp[0, 0] = 0.0
    dp[0, 1:] = np.cumsum(ll)
    for i in range(1, m + 1):
        for j in range(i, n + 1):
            best = dp[i, j - 1] + ll[j - 1]
            if w[j - 1] == d[i - 1]:
                cand = dp[i - 1, j - 1] + lk[j - 1]
                if cand > best:
                    best = cand
            dp[i, j] = best
    if dp[m, n] <= NEG / 2:
        return None
    kept = [False] * n
    i, j = m, n
    while j > 0:
        if i > 0 and w[j - 1] == d[i - 1] and abs(dp[i, j] - (dp[i - 1, j - 1] + lk[j - 1])) < 1e-9:
            kept[j - 1] = True
            i -= 1
        j -= 1
    return kept if i == 0 else None


@dataclass(frozen=True)
class Alignment:
    line: int
    damaged: str
    original: str
    kept: tuple[bool, ...]


def chair_articles(chair_text: str) -> dict[int, str]:
    """Article number → its text in the Chair's draft (markdown marks stripped)."""
    out: dict[int, str] = {}
    ms = list(CHAIR_ARTICLE_RE.finditer(chair_text))
    for k, m in enumerate(ms):
        end = ms[k + 1].start() if k + 1 < len(ms) else len(chair_text)
        body = re.sub(r"[*#]", "", chair_text[m.start():end])
        out.setdefault(int(m.group(1)), " ".join(body.split()))
    return out


def align_unamended(source: Source, seg: Segmentation, chair_text: str, max_lines: int = 400,
                    max_ratio: float = 2.3) -> list[Alignment]:
    """Alignments of amendment-free damaged lines against the Chair's draft."""
    arts = chair_articles(chair_text)
    roles = {l.line: l for l in seg.lines}
    by_seq = {a.article_seq: a for a in seg.articles}
    out: list[Alignment] = []
    cache: dict[int, tuple[np.ndarray, dict[str, int], str]] = {}
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
        if art.article_num not in cache:
            text = arts[art.article_num]
            alphabet = {c: i for i, c in enumerate(sorted(set(text)))}
            cache[art.article_num] = (np.array([alphabet[c] for c in text]), alphabet, text)
        arr, alphabet, text = cache[art.article_num]
        win = _min_window(d, arr, alphabet)
        if win is None:
            continue
        a, b = win
        if b - a > max_ratio * len(d) or b - a < len(d):
            continue
        w = text[a:b]
        kept = _viterbi_align(d, w, np.full(len(w), 0.61))
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


def measure_loss(source: Source | None = None, seg: Segmentation | None = None,
                 chair_text: str | None = None) -> LossModel:
    """The loss model measured on ``ahc6-amended-draft`` vs ``ahc6-chair-draft``."""
    if source is None and seg is None and chair_text is None:
        return default_loss_model()
    return estimate_loss(align_unamended(source, seg, chair_text))


@lru_cache(maxsize=1)
def default_loss_model() -> LossModel:
    from . import clean
    from .segment.amended_draft import segment

    src, _ = clean.read_source(DOC_ID)
    chair, _ = clean.read_source("ahc6-chair-draft")
    return estimate_loss(align_unamended(src, segment(src), chair.text))


# ---------------------------------------------------------------------------
# 2. List segmentation


@dataclass(frozen=True)
class Item:
    """One item read from a damaged span."""

    kind: str  # name / label / unknown
    start: int  # offsets into the span (end exclusive), of the damaged token
    end: int
    damaged: str
    form: str = ""  # best name form / label
    delegation_id: str = ""  # "" when ambiguous / unknown
    confidence: float = 0.0
    candidates: tuple[tuple[str, float], ...] = ()  # (delegation_id, posterior)
    stance: str = ""


@dataclass
class Inventory:
    """Flattened name forms and labels for the sparse, batched HMM.

    Every character of every form is one *flat position* ``p``; positions are
    ordered form by form, so a form is a contiguous run ``start_of[f]:end_of[f]``.
    For each character code the flat positions holding it are kept in CSR form
    (``pos_ptr`` / ``pos_idx``): at each time step only the positions that match
    the damaged character are live, which is what makes the HMM cheap.
    """

    forms: list[str]
    ids: list[str]  # delegation id, or "LABEL:<stance>"
    log_prior: np.ndarray  # per form
    chars: np.ndarray  # flat char codes
    form_of: np.ndarray  # flat → form index
    start_of: np.ndarray  # per form: flat start
    end_of: np.ndarray  # per form: flat end (exclusive)
    log_keep: np.ndarray
    log_lose: np.ndarray
    S: np.ndarray  # cumulative log_lose, len = P + 1
    codes: dict[str, int]
    is_first: np.ndarray  # flat position is a form start
    id_index: dict[str, int]
    form_id_idx: np.ndarray  # per form: index into id list
    # derived (set by _prepare)
    pos_ptr: np.ndarray = field(default=None, repr=False)  # CSR over codes; code len(codes) = unseen char
    pos_cnt: np.ndarray = field(default=None, repr=False)
    pos_idx: np.ndarray = field(default=None, repr=False)
    emit_const: np.ndarray = field(default=None, repr=False)  # log_keep[p] + S[p]
    start_const: np.ndarray = field(default=None, repr=False)  # prior[form] - S[start of form]
    end_complete: np.ndarray = field(default=None, repr=False)  # S[end] - S[p + 1]
    cont_ok: np.ndarray = field(default=None, repr=False)  # p + 1 is inside the same form
    S_next: np.ndarray = field(default=None, repr=False)  # S[p + 1]
    Sl: np.ndarray = field(default=None, repr=False)  # S[p] - S[start of form] (forward pass)
    keep: np.ndarray = field(default=None, repr=False)
    tail: np.ndarray = field(default=None, repr=False)  # exp(S[end] - S[p + 1])
    max_mult: int = 1  # most repeats of one character inside one form
    is_label: np.ndarray = field(default=None, repr=False)  # per form


def _prepare(inv: Inventory) -> Inventory:
    P = len(inv.chars)
    nc = len(inv.codes)
    order = np.argsort(inv.chars, kind="stable")
    cnt = np.bincount(inv.chars, minlength=nc + 1)
    ptr = np.zeros(nc + 2, dtype=np.int64)
    np.cumsum(cnt, out=ptr[1:])
    inv.pos_ptr, inv.pos_cnt, inv.pos_idx = ptr[:-1], cnt, order
    S = inv.S
    first_of = inv.start_of[inv.form_of]
    inv.emit_const = inv.log_keep + S[:-1]
    inv.start_const = inv.log_prior[inv.form_of] - S[first_of]
    inv.end_complete = S[inv.end_of[inv.form_of]] - S[1:]
    nxt = np.arange(1, P + 1)
    inv.cont_ok = np.append(~inv.is_first[1:], False)
    inv.S_next = S[nxt]
    inv.Sl = S[:-1] - S[first_of]
    inv.keep = np.exp(inv.log_keep)
    inv.tail = np.exp(inv.end_complete)
    inv.max_mult = max((max(Counter(f).values()) for f in inv.forms), default=1)
    inv.is_label = np.array([i.startswith("LABEL:") for i in inv.ids])
    return inv


def build_inventory(names: dict[str, str], loss: LossModel, id_prior: dict[str, float] | None = None,
                    label_weight: float = 1.0) -> Inventory:
    """Name forms (``form → delegation_id``) plus group labels, with log priors.

    The prior is uniform over delegations (or ``id_prior``, relative weights),
    split evenly over each delegation's forms; labels get ``label_weight``
    delegations' worth each.
    """
    items: dict[str, str] = {}
    for form, did in sorted(names.items()):
        f = norm_text(form.strip())
        if f and did:
            items.setdefault(f, did)
    for lab, stance in LABELS.items():
        items[lab] = f"LABEL:{stance}"
    ids = sorted(set(items.values()))
    per_id = Counter(items.values())
    forms = sorted(items)
    weights = []
    for f in forms:
        did = items[f]
        base = label_weight if did.startswith("LABEL:") else (id_prior or {}).get(did, 1.0)
        weights.append(base / per_id[did])
    w = np.array(weights)
    log_prior = np.log(w / w.sum())
    alphabet = sorted({c for f in forms for c in f})
    codes = {c: i for i, c in enumerate(alphabet)}
    chars, form_of, lk, ll, first = [], [], [], [], []
    starts, ends = [], []
    for fi, f in enumerate(forms):
        starts.append(len(chars))
        p = _keep_probs_cached(loss, f)
        for j, c in enumerate(f):
            chars.append(codes[c])
            form_of.append(fi)
            lk.append(math.log(p[j]))
            ll.append(math.log1p(-p[j]))
            first.append(j == 0)
        ends.append(len(chars))
    log_lose = np.array(ll)
    id_index = {d: i for i, d in enumerate(ids)}
    return _prepare(Inventory(forms, [items[f] for f in forms], log_prior, np.array(chars, dtype=np.int64),
                              np.array(form_of, dtype=np.int64), np.array(starts, dtype=np.int64),
                              np.array(ends, dtype=np.int64), np.array(lk), log_lose,
                              np.concatenate([[0.0], np.cumsum(log_lose)]), codes, np.array(first, dtype=bool),
                              id_index, np.array([id_index[items[f]] for f in forms])))


def _keep_probs_cached(loss: LossModel, f: str) -> list[float]:
    return [loss.p_keep(c, p) for c, p in zip(f, word_positions(f))]


def document_name_forms() -> dict[str, str]:
    """Every registry name form (``registry.name_forms()``: UN short names and the
    forms this document uses, kept in ``resources/delegation_aliases.csv``)."""
    from . import registry

    return dict(registry.name_forms())


@lru_cache(maxsize=1)
def uniform_inventory() -> Inventory:
    """Inventory with a uniform prior over delegations."""
    return build_inventory(document_name_forms(), default_loss_model())


def default_inventory() -> Inventory:
    """Inventory used for the document: uniform prior (see :func:`estimate_prior` for the EM prior)."""
    return uniform_inventory()


# Junk (free text) character model: English unigram frequencies
_JUNK_TOTAL = sum(_ENGLISH_FREQ.values())


def _log_junk(c: str) -> float:
    return math.log(_ENGLISH_FREQ.get(c.lower(), 0.3) / _JUNK_TOTAL)


NEG = -1e5
LOG_LIST_START = math.log(0.05)  # free text → first item
LOG_NO_LIST = math.log(0.2)
LOG_UNK_START = math.log(2e-4)
LOG_UNK_CHAR = math.log(0.2)  # on top of the junk character model
_LOG_SEP = {c: math.log(p) for c, p in SEPARATORS.items()}

# back-pointer codes of the boundary state
_B_START, _B_SEP, _B_UNK, _B_NAME = 0, 1, 2, 3


def _gather(inv: Inventory, codes: np.ndarray):
    """Flat positions matching each code, concatenated: (owner index, position, offsets)."""
    counts = inv.pos_cnt[codes]
    offs = np.zeros(len(codes) + 1, dtype=np.int64)
    np.cumsum(counts, out=offs[1:])
    total = int(offs[-1])
    owner = np.repeat(np.arange(len(codes)), counts)
    pos = inv.pos_idx[np.repeat(inv.pos_ptr[codes] - offs[:-1], counts) + np.arange(total)]
    return owner, pos, offs


def _seg_scan(v: np.ndarray, gid: np.ndarray, width: int, op: str):
    """Inclusive scan of ``v`` within runs of equal ``gid`` (runs at most ``width`` long).

    ``op="max"`` also returns the index of the (first) maximum; ``op="sum"`` the sums.
    Hillis–Steele doubling: exact, a few vectorised passes.
    """
    cm = v.copy()
    ci = np.arange(len(v))
    k = 1
    while k < width:
        same = gid[k:] == gid[:-k]
        if op == "max":
            take = same & (cm[:-k] >= cm[k:])  # the earlier one wins ties
            new = cm.copy()
            new[k:] = np.where(take, cm[:-k], cm[k:])
            newi = ci.copy()
            newi[k:] = np.where(take, ci[:-k], ci[k:])
            cm, ci = new, newi
        else:
            new = cm.copy()
            new[k:] = np.where(same, cm[k:] + cm[:-k], cm[k:])
            cm = new
        k *= 2
    return cm, ci


def _span_arrays(texts: list[str], inv: Inventory):
    n = len(texts)
    Tmax = max((len(t) for t in texts), default=0)
    unseen = len(inv.codes)
    codes = np.full((n, Tmax), unseen, dtype=np.int64)
    junk = np.zeros((n, Tmax))
    seplog = np.full((n, Tmax), np.nan)
    for i, d in enumerate(texts):
        codes[i, :len(d)] = [inv.codes.get(c, unseen) for c in d]
        junk[i, :len(d)] = [_junk_cached(c) for c in d]
        seplog[i, :len(d)] = [_LOG_SEP.get(c, np.nan) for c in d]
    return codes, junk, seplog


@lru_cache(maxsize=512)
def _junk_cached(c: str) -> float:
    return _log_junk(c)


@dataclass
class _Lattice:
    """Forward (Viterbi) results of a batch of spans, kept for the traceback."""

    Bs: np.ndarray
    Pre: np.ndarray
    Us: np.ndarray
    backB: np.ndarray
    backBp: np.ndarray
    backU: np.ndarray
    steps: list  # per emission step t: (pos, val, back, offs)


def _viterbi_batch(texts: list[str], list_open: list[bool], inv: Inventory) -> _Lattice:
    """Viterbi over all spans at once (rows of the arrays = spans, longest first)."""
    n = len(texts)
    Ts = np.array([len(d) for d in texts], dtype=np.int64)
    Tmax = int(Ts.max()) if n else 0
    codes, junk, seplog = _span_arrays(texts, inv)
    issep = ~np.isnan(seplog)
    Bs = np.full((n, Tmax + 1), NEG)
    Pre = np.full((n, Tmax + 1), NEG)
    Us = np.full((n, Tmax + 1), NEG)
    backB = np.zeros((n, Tmax + 1), dtype=np.int8)
    backBp = np.full((n, Tmax + 1), -1, dtype=np.int64)
    backU = np.zeros((n, Tmax + 1), dtype=bool)
    is_open = np.array(list_open, dtype=bool)
    Pre[:, 0] = np.where(is_open, NEG, 0.0)
    Bs[:, 0] = np.where(is_open, 0.0, NEG)
    nforms = len(inv.forms)
    P1 = len(inv.chars) + 1
    neg_ts = -Ts
    steps: list = []
    prev = None  # (owner, pos, val, offs) of the previous emission step
    for t in range(Tmax + 1):
        if t > 0:  # completions: a name ends with the character emitted at t - 1
            n_c = int(np.searchsorted(neg_ts, -t, side="right"))  # spans with T >= t (sorted)
            owner, pos, val, offs = prev
            cnt = np.diff(offs[:n_c + 1])
            best = np.full(n_c, NEG)
            arg = np.full(n_c, -1, dtype=np.int64)
            if len(pos):
                comp = val + inv.end_complete[pos]
                ne = cnt > 0
                starts = offs[:n_c][ne]
                mx = np.maximum.reduceat(comp, starts)
                best[ne] = mx
                idx = np.where(comp == np.repeat(mx, cnt[ne]), np.arange(len(comp)), len(comp))
                arg[ne] = pos[np.minimum.reduceat(idx, starts)]
            u, b = Us[:n_c, t], Bs[:n_c, t]
            name_win = (arg >= 0) & (best >= u) & (best >= b)
            unk_win = ~name_win & (u >= b)
            Bs[:n_c, t] = np.where(name_win, best, np.where(unk_win, u, b))
            backB[:n_c, t] = np.where(name_win, _B_NAME, np.where(unk_win, _B_UNK, backB[:n_c, t]))
            backBp[:n_c, t] = np.where(name_win, arg, -1)
        if t == Tmax:
            break
        n_e = int(np.searchsorted(neg_ts, -(t + 1), side="right"))  # spans with T > t
        ss = np.maximum(Bs[:n_e, t], Pre[:n_e, t] + LOG_LIST_START)
        owner, pos, offs = _gather(inv, codes[:n_e, t])
        val = ss[owner] + inv.start_const[pos]
        back = np.full(len(pos), -1, dtype=np.int64)
        if prev is not None and len(pos):
            powner, ppos, pval, poffs = prev
            k = int(poffs[n_e])
            pidx = np.flatnonzero(inv.cont_ok[ppos[:k]])
            if len(pidx):
                r = ppos[pidx]
                sp = powner[pidx]
                gid = sp * nforms + inv.form_of[r]
                cm, ci = _seg_scan(pval[pidx] - inv.S_next[r], gid, inv.max_mult, "max")
                j = np.searchsorted(sp * P1 + r + 1, owner * P1 + pos, side="right") - 1
                jj = np.maximum(j, 0)
                okq = (j >= 0) & (gid[jj] == owner * nforms + inv.form_of[pos])
                cont = np.where(okq, cm[jj], -np.inf)
                use = cont > val  # entering the form wins ties (as the first pointer)
                val = np.where(use, cont, val)
                back = np.where(use, pidx[ci[jj]], -1)
        val = val + inv.emit_const[pos]
        steps.append((pos, val, back, offs))
        prev = (owner, pos, val, offs)
        lj = junk[:n_e, t]
        Pre[:n_e, t + 1] = Pre[:n_e, t] + lj
        sep = issep[:n_e, t]
        Bs[:n_e, t + 1] = np.where(sep, Bs[:n_e, t] + np.nan_to_num(seplog[:n_e, t]), NEG)
        backB[:n_e, t + 1] = np.where(sep, _B_SEP, _B_START)
        ustart = ss + LOG_UNK_START
        ucont = Us[:n_e, t]
        Us[:n_e, t + 1] = np.where(sep, NEG, np.maximum(ustart, ucont) + lj + LOG_UNK_CHAR)
        backU[:n_e, t + 1] = ~sep & (ustart < ucont)
    return _Lattice(Bs, Pre, Us, backB, backBp, backU, steps)


def _traceback_one(k: int, T: int, lat: _Lattice, inv: Inventory) -> list[tuple[str, int, int, int]]:
    """Items (kind, start, end, form) of span row ``k`` from the lattice."""
    Bs, Pre, backB, backBp, backU = lat.Bs[k], lat.Pre[k], lat.backB[k], lat.backBp[k], lat.backU[k]
    items: list[tuple[str, int, int, int]] = []
    t = T
    while t > 0:
        code = backB[t]
        if code == _B_SEP:
            t -= 1
            continue
        if code == _B_UNK:
            end = t
            while t > 0 and backU[t]:
                t -= 1
            t -= 1
            items.append(("unknown", t, end, -1))
        elif code == _B_NAME:
            p = int(backBp[t])
            end = t
            pos, val, back, offs = lat.steps[t - 1]
            lo, hi = int(offs[k]), int(offs[k + 1])
            e = lo + int(np.searchsorted(pos[lo:hi], p))
            s = t - 1
            while back[e] >= 0:
                e = int(back[e])
                s -= 1
                back = lat.steps[s][2]
            t = s
            items.append(("name", s, end, int(inv.form_of[p])))
        else:
            break
        if not Bs[t] >= Pre[t] + LOG_LIST_START:  # entered from free text: the list starts here
            break
    items.reverse()
    return items


def forward_batch(tokens: list[str], inv: Inventory) -> np.ndarray:
    """P(token | form) for every token and form (sum over embeddings): array (tokens × forms).

    Vectorised over tokens and over the live positions of each character; the
    cumulative loss is taken relative to each form's start so nothing overflows.
    """
    n = len(tokens)
    nforms = len(inv.forms)
    out = np.zeros((n, nforms))
    if n == 0:
        return out
    order = sorted(range(n), key=lambda i: (-len(tokens[i]), i))
    toks = [tokens[i] for i in order]
    Ts = np.array([len(d) for d in toks], dtype=np.int64)
    unseen = len(inv.codes)
    codes = np.full((n, int(Ts.max())), unseen, dtype=np.int64)
    for i, d in enumerate(toks):
        codes[i, :len(d)] = [inv.codes.get(c, unseen) for c in d]
    P1 = len(inv.chars) + 1
    prev = None
    rows = np.empty(n, dtype=np.int64)
    rows[:] = order
    for t in range(int(Ts.max())):
        n_e = int(np.searchsorted(-Ts, -(t + 1), side="right"))
        owner, pos, offs = _gather(inv, codes[:n_e, t])
        emit = inv.keep[pos] * np.exp(inv.Sl[pos])
        if t == 0:
            F = emit
        else:
            powner, ppos, pF, poffs = prev
            k = int(poffs[n_e])
            pidx = np.flatnonzero(inv.cont_ok[ppos[:k]])
            F = np.zeros(len(pos))
            if len(pidx) and len(pos):
                r = ppos[pidx]
                sp = powner[pidx]
                gid = sp * nforms + inv.form_of[r]
                cs, _ = _seg_scan(pF[pidx] * np.exp(-inv.Sl[r + 1]), gid, inv.max_mult, "sum")
                j = np.searchsorted(sp * P1 + r + 1, owner * P1 + pos, side="right") - 1
                jj = np.maximum(j, 0)
                okq = (j >= 0) & (gid[jj] == owner * nforms + inv.form_of[pos])
                F = np.where(okq, cs[jj], 0.0) * emit
        prev = (owner, pos, F, offs)
        # tokens that end here: add their completions
        ending = np.flatnonzero(Ts[:n_e] == t + 1)
        if len(ending):
            sel = np.isin(owner, ending)
            np.add.at(out, (rows[owner[sel]], inv.form_of[pos[sel]]), F[sel] * inv.tail[pos[sel]])
    return out


def forward_loglik(token: str, inv: Inventory) -> np.ndarray:
    """log P(token | form) for every form (sum over embeddings); -inf where impossible."""
    with np.errstate(divide="ignore"):
        return np.log(forward_batch([token], inv)[0])


def _score_names(tokens: list[tuple[str, int, int, int]], inv: Inventory) -> list[Item]:
    """Posterior over delegations for each name token (kind, start, end, Viterbi form)."""
    if not tokens:
        return []
    uniq = sorted({tok for tok, _, _, _ in tokens})
    lik = forward_batch(uniq, inv)
    row = {tok: i for i, tok in enumerate(uniq)}
    ids = list(inv.id_index)
    out = []
    with np.errstate(divide="ignore"):
        LL = np.log(lik) + inv.log_prior
    LL[:, inv.is_label] = -np.inf
    for tok, a, b, fi in tokens:
        ll = LL[row[tok]]
        m = ll.max()
        if not np.isfinite(m):
            out.append(Item("name", a, b, tok, inv.forms[fi], "", 0.0, ()))
            continue
        w = np.exp(ll - m)
        post = np.bincount(inv.form_id_idx, weights=w, minlength=len(ids))
        post /= post.sum()
        order = np.argsort(-post, kind="stable")
        cands = tuple((ids[i], float(post[i])) for i in order[:5] if post[i] >= 0.02)
        top_id, top_p = cands[0] if cands else (inv.ids[fi], 0.0)
        best_form = inv.forms[int(np.argmax(np.where(inv.form_id_idx == inv.id_index[top_id], ll, -np.inf)))]
        did = top_id if top_p >= ACCEPT else ""
        out.append(Item("name", a, b, tok, best_form, did, float(top_p), cands))
    return out


def recover_lists(spans: list[str], inv: Inventory | None = None,
                  list_open: list[bool] | None = None) -> list[list[Item]]:
    """:func:`recover_list` for many spans at once (one vectorised pass; same results)."""
    inv = inv or default_inventory()
    list_open = list(list_open) if list_open is not None else [False] * len(spans)
    texts = [norm_text(s).replace("\n", " ") for s in spans]  # a line break stands for a (kept) space
    order = sorted((i for i in range(len(texts)) if texts[i]), key=lambda i: (-len(texts[i]), i))
    results: list[list[Item]] = [[] for _ in spans]
    if not order:
        return results
    lat = _viterbi_batch([texts[i] for i in order], [list_open[i] for i in order], inv)
    raw: list[tuple[int, list]] = []
    for k, i in enumerate(order):
        T = len(texts[i])
        final_list = lat.Bs[k, T]
        if lat.Pre[k, T] + LOG_NO_LIST >= final_list or final_list <= NEG / 2:
            continue
        raw.append((i, _traceback_one(k, T, lat, inv)))
    names = [(texts[i][a:b], a, b, fi) for i, items in raw for kind, a, b, fi in items
             if kind == "name" and not inv.is_label[fi]]
    scored = iter(_score_names(names, inv))
    for i, items in raw:
        d = texts[i]
        out = []
        for kind, a, b, fi in items:
            token = d[a:b]
            if kind == "unknown":
                out.append(Item("unknown", a, b, token))
            elif inv.is_label[fi]:
                out.append(Item("label", a, b, token, inv.forms[fi], "", 1.0, (), inv.ids[fi][6:]))
            else:
                out.append(next(scored))
        results[i] = _assign_stances(out)
    return results


def recover_list(span: str, inv: Inventory | None = None, loss: LossModel | None = None,
                 list_open: bool = False) -> list[Item]:
    """Parse one damaged span into items (names, labels, unknown tokens).

    ``list_open``: the span starts right after ``(``, so no free text precedes
    the list.  Returns [] when the best reading is free text with no list.
    """
    return recover_lists([span], inv, [list_open])[0]


def _assign_stances(items: list[Item]) -> list[Item]:
    out = []
    stance = "propose"
    for it in items:
        if it.kind == "label":
            stance = it.stance
            out.append(it)
            continue
        out.append(Item(it.kind, it.start, it.end, it.damaged, it.form, it.delegation_id, it.confidence,
                        it.candidates, stance))
    return out


# ---------------------------------------------------------------------------
# 3. Extraction over the document

CONTENT_ROLES = {"paragraph", "preamble", "article_heading", "chapter_heading", "note"}


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


def read_spans(stream: str, inv: Inventory | None = None, max_len: int = 700) -> list[SpanReading]:
    """Parse every span between delimiters that could hold a list (all spans in one batch)."""
    inv = inv or default_inventory()
    spans = list_spans(stream, max_len)
    readings = recover_lists([stream[a:b] for a, b, _, _ in spans], inv, [o == "(" for _, _, o, _ in spans])
    out = []
    for (a, b, opener, closer), items in zip(spans, readings):
        if any(it.kind == "name" for it in items):
            shifted = tuple(Item(it.kind, it.start + a, it.end + a, it.damaged, it.form, it.delegation_id,
                                 it.confidence, it.candidates, it.stance) for it in items)
            out.append(SpanReading(a, b, opener, closer, shifted))
    return out


_KIND = {"propose": "insert", "delete": "delete", "retain": "position", "retain original": "position",
         "keep": "position", "against": "position", "alt": "replace"}


def extract_proposals(source: Source, segmentation: Segmentation,
                      inv: Inventory | None = None) -> tuple[list[Proposal], list[Position], list[Diagnostic]]:
    """Proposals and positions of ``ahc6-amended-draft`` from its damaged name lists."""
    doc_id = source.doc_id
    diags: list[Diagnostic] = []
    try:
        inv = inv or default_inventory()
    except Exception as exc:  # registry or Chair's draft unavailable: report, do not raise
        return [], [], [Diagnostic(doc_id, 0, "recover_unavailable", repr(exc), STAGE)]
    stream, offs = content_stream(source, segmentation)
    readings = read_spans(stream, inv)
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
        sponsors = "; ".join(f"{s}: {', '.join(v)}" if s != "propose" else ", ".join(v) for s, v in groups.items())
        first_stance = names[0].stance if names else "propose"
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


# ---------------------------------------------------------------------------
# Figures (written to figures/ as PNG, SVG and PDF)


def save_figure(fig, stem: str) -> list[str]:
    """Write ``fig`` to ``figures/<stem>.{png,svg,pdf}``; returns the paths written."""
    from . import paths

    paths.FIGURES.mkdir(parents=True, exist_ok=True)
    out = []
    for ext in ("png", "svg", "pdf"):
        p = paths.FIGURES / f"{stem}.{ext}"
        fig.savefig(p, dpi=150, bbox_inches="tight", metadata={"Date": None} if ext != "png" else None)
        out.append(str(p))
    return out


def figure_loss_profile(loss: LossModel):
    """Bar charts: keep rate by position in word and by character."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (a1, a2) = plt.subplots(1, 2, figsize=(11, 3.6), gridspec_kw={"width_ratios": [1, 3]})
    pos = ["first", "middle", "last", "single", "na"]
    a1.bar(pos, [loss.by_pos.get(p, np.nan) for p in pos], color="#4c72b0")
    a1.set_ylim(0, 1)
    a1.set_ylabel("share of characters kept")
    a1.set_title("by position in word")
    keys = sorted(k for k in loss.by_key if len(k) == 1 and k.isalpha()) + ["UPPER", "DIGIT", "SPACE", ",", ".", ")", "[", "]"]
    keys = [k for k in keys if k in loss.by_key]
    shown = {"UPPER": "A-Z", "DIGIT": "0-9", "SPACE": "space"}
    a2.bar([shown.get(k, k) for k in keys], [loss.by_key[k] for k in keys], color="#55a868")
    a2.axhline(loss.overall, color="grey", lw=1, ls="--")
    a2.set_ylim(0, 1)
    a2.set_title(f"by character ({loss.n_chars:,} aligned characters, {loss.n_lines} lines)")
    a2.tick_params(axis="x", labelsize=8)
    fig.tight_layout()
    return fig


def figure_calibration(calib):
    """Reliability diagram from the benchmark's calibration table."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(4.5, 4.2))
    ax.plot([0, 1], [0, 1], color="grey", lw=1, ls="--")
    ax.scatter(calib["mean_confidence"], calib["accuracy"], s=np.sqrt(calib["n"]) * 6, color="#c44e52")
    ax.set_xlabel("confidence (top candidate)")
    ax.set_ylabel("share correct")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.axvline(ACCEPT, color="#4c72b0", lw=1)
    ax.set_title("calibration on synthetic damage")
    fig.tight_layout()
    return fig
