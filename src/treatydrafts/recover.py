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
    """Flattened name forms and labels for the vectorised HMM."""

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


def build_inventory(names: dict[str, str], loss: LossModel, id_prior: dict[str, float] | None = None,
                    label_weight: float = 1.0) -> Inventory:
    """Name forms (``form → delegation_id``) plus group labels, with log priors.

    The prior is uniform over delegations (or ``id_prior``), split evenly over
    each delegation's forms; labels get ``label_weight`` delegations' worth each.
    """
    items: dict[str, str] = {}
    for form, did in names.items():
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
        p = loss.keep_probs(f)
        for j, c in enumerate(f):
            chars.append(codes[c])
            form_of.append(fi)
            lk.append(math.log(p[j]))
            ll.append(math.log1p(-p[j]))
            first.append(j == 0)
        ends.append(len(chars))
    log_lose = np.array(ll)
    id_index = {d: i for i, d in enumerate(ids)}
    return Inventory(forms, [items[f] for f in forms], log_prior, np.array(chars), np.array(form_of),
                     np.array(starts), np.array(ends), np.array(lk), log_lose,
                     np.concatenate([[0.0], np.cumsum(log_lose)]), codes, np.array(first), id_index,
                     np.array([id_index[items[f]] for f in forms]))


# Name forms this document uses that the registry lacks (UN short-name style).
EXTRA_FORMS = {"Dem. People's Rep. of Korea": "PRK", "Dem. Rep. of the Congo": "COD"}


def document_name_forms() -> dict[str, str]:
    """Registry name forms plus :data:`EXTRA_FORMS`."""
    from . import registry

    forms = dict(registry.name_forms())
    for f, d in EXTRA_FORMS.items():
        forms.setdefault(f, d)
    return forms


@lru_cache(maxsize=1)
def default_inventory() -> Inventory:
    return build_inventory(document_name_forms(), default_loss_model())


# Junk (free text) character model: English unigram frequencies
_JUNK_TOTAL = sum(_ENGLISH_FREQ.values())


def _log_junk(c: str) -> float:
    return math.log(_ENGLISH_FREQ.get(c.lower(), 0.3) / _JUNK_TOTAL)


NEG = -1e5
BIG = 1e7
LOG_LIST_START = math.log(0.05)  # free text → first item
LOG_NO_LIST = math.log(0.2)
LOG_UNK_START = math.log(2e-4)
LOG_UNK_CHAR = math.log(0.2)  # on top of the junk character model


def _seg_cummax(x: np.ndarray, form_of: np.ndarray) -> np.ndarray:
    off = form_of * BIG
    return np.maximum.accumulate(x + off) - off


def recover_list(span: str, inv: Inventory | None = None, loss: LossModel | None = None,
                 list_open: bool = False) -> list[Item]:
    """Parse one damaged span into items (names, labels, unknown tokens).

    ``list_open``: the span starts right after ``(``, so no free text precedes
    the list.  Returns [] when the best reading is free text with no list.
    """
    inv = inv or default_inventory()
    d = norm_text(span).replace("\n", " ")  # a line break stands for a (kept) space
    T = len(d)
    if T == 0:
        return []
    P = len(inv.chars)
    S = inv.S
    Sp = S[:-1]  # S[p]
    end_complete = S[inv.end_of[inv.form_of]] - S[1:]  # lose everything after p (S[end] - S[p+1])
    prior_flat = inv.log_prior[inv.form_of]
    # Stored per time step for traceback
    Ds = np.full((T + 1, P), NEG)
    Bs = np.full(T + 1, NEG)  # boundary (between items)
    Pre = np.full(T + 1, NEG)
    Us = np.full(T + 1, NEG)
    Pre[0] = NEG if list_open else 0.0
    Bs[0] = 0.0 if list_open else NEG
    back_B: list[tuple] = [("start",)] * (T + 1)
    back_U: list[str] = ["start"] * (T + 1)
    for t in range(T + 1):
        # completions at time t
        if t > 0:
            comp = Ds[t] + end_complete
            pbest = int(np.argmax(comp))
            cands = [(comp[pbest], ("name", pbest)), (Us[t], ("unk",)), (Bs[t], back_B[t])]
            best = max(cands, key=lambda x: x[0])
            Bs[t], back_B[t] = best[0], best[1]
        if t == T:
            break
        c = d[t]
        start_score = max(Bs[t], Pre[t] + LOG_LIST_START)
        # pointer scores at time t: entry at form starts, or after position p-1 in same form
        ptr = np.full(P, NEG)
        ptr[1:] = np.where(inv.is_first[1:], NEG, Ds[t][:-1])
        ptr = np.where(inv.is_first, start_score + prior_flat, ptr)
        code = inv.codes.get(c, -1)
        best_before = _seg_cummax(ptr - Sp, inv.form_of) + Sp
        Ds[t + 1] = np.where(inv.chars == code, best_before + inv.log_keep, NEG)
        # free text, unknown item, separators
        lj = _log_junk(c)
        Pre[t + 1] = Pre[t] + lj
        if c in SEPARATORS:
            Us[t + 1] = NEG
            sep = Bs[t] + math.log(SEPARATORS[c])
            back_B[t + 1] = ("sep",)
            Bs[t + 1] = sep
        else:
            u_from_start = start_score + LOG_UNK_START
            u_cont = Us[t]
            Us[t + 1] = max(u_from_start, u_cont) + lj + LOG_UNK_CHAR
            back_U[t + 1] = "start" if u_from_start >= u_cont else "cont"
            Bs[t + 1] = NEG
    final_list = Bs[T]
    final_none = Pre[T] + LOG_NO_LIST
    if final_none >= final_list or final_list <= NEG / 2:
        return []
    return _traceback(d, inv, Ds, Bs, Pre, Us, back_B, back_U)


def _traceback(d, inv, Ds, Bs, Pre, Us, back_B, back_U) -> list[Item]:
    T = len(d)
    S = inv.S
    prior_flat = inv.log_prior[inv.form_of]
    items: list[tuple[str, int, int, int]] = []  # kind, start, end, form
    t = T
    state = "B"
    while t > 0:
        if state == "B":
            b = back_B[t]
            if b[0] == "sep":
                t -= 1
                continue
            if b[0] == "unk":
                end = t
                while t > 0 and back_U[t] == "cont":
                    t -= 1
                start = t - 1
                items.append(("unknown", start, end, -1))
                t = start
                state = "S"  # at a start point
                continue
            if b[0] == "name":
                p = b[1]
                fi = int(inv.form_of[p])
                end = t
                # walk emitted chars back through the form
                while True:
                    # Ds[t][p] came from best pointer q <= p at time t-1
                    t -= 1
                    s0 = int(inv.start_of[fi])
                    ptr_vals = []
                    for q in range(s0, p + 1):
                        if q == s0:
                            start_score = max(Bs[t], Pre[t] + LOG_LIST_START)
                            v = start_score + prior_flat[q]
                        else:
                            v = Ds[t][q - 1]
                        ptr_vals.append(v - S[q])
                    qi = int(np.argmax(ptr_vals))
                    q = s0 + qi
                    if q == s0:
                        break
                    p = q - 1
                items.append(("name", t, end, fi))
                state = "S"
                continue
            if b[0] == "start":
                break
        if state == "S":
            # at time t we entered an item from the start score: boundary or free text
            if Bs[t] >= Pre[t] + LOG_LIST_START:
                state = "B"
                continue
            break  # free text before the list
    items.reverse()
    out = []
    for kind, a, b, fi in items:
        token = d[a:b]
        if kind == "unknown":
            out.append(Item("unknown", a, b, token))
        elif inv.ids[fi].startswith("LABEL:"):
            out.append(Item("label", a, b, token, inv.forms[fi], "", 1.0, (), inv.ids[fi][6:]))
        else:
            out.append(_score_name(token, a, b, inv, fi))
    return _assign_stances(out)


def forward_loglik(token: str, inv: Inventory) -> np.ndarray:
    """log P(token | form) for every form (sum over embeddings), vectorised over forms.

    Cumulative loss is taken relative to each form's start so nothing overflows.
    """
    P = len(inv.chars)
    keep = np.exp(inv.log_keep)
    seg_first = inv.start_of[inv.form_of]
    Sl = inv.S[:-1] - inv.S[seg_first]  # log P(lose all of form[start:p])
    F = np.zeros(P)
    for t, c in enumerate(token):
        match = inv.chars == inv.codes.get(c, -1)
        if t == 0:
            F = np.where(match, np.exp(Sl) * keep, 0.0)
            continue
        # pointer after p-1: F[p-1] · exp(-Sl[p]); then lose q..p-1 → · exp(Sl[p])
        prevF = np.zeros(P)
        prevF[1:] = np.where(inv.is_first[1:], 0.0, F[:-1] * np.exp(-Sl[1:]))
        cs = np.cumsum(prevF)
        base = cs - np.concatenate([[0.0], cs])[seg_first]
        F = np.where(match, base * np.exp(Sl) * keep, 0.0)
    tail = np.exp(inv.S[inv.end_of[inv.form_of]] - inv.S[1:])
    per_form = np.zeros(len(inv.forms))
    np.add.at(per_form, inv.form_of, F * tail)
    with np.errstate(divide="ignore"):
        return np.log(per_form)


def _score_name(token: str, a: int, b: int, inv: Inventory, fi: int) -> Item:
    ll = forward_loglik(token, inv) + inv.log_prior
    is_label = np.array([i.startswith("LABEL:") for i in inv.ids])
    ll = np.where(is_label, -np.inf, ll)
    m = ll.max()
    w = np.exp(ll - m)
    post = np.zeros(len(inv.id_index))
    np.add.at(post, inv.form_id_idx, w)
    post /= post.sum()
    ids = list(inv.id_index)
    order = np.argsort(-post)
    cands = tuple((ids[i], float(post[i])) for i in order[:5] if post[i] >= 0.02)
    top_id, top_p = cands[0] if cands else (inv.ids[fi], 0.0)
    best_form = inv.forms[int(np.argmax(np.where(inv.form_id_idx == inv.id_index[top_id], ll, -np.inf)))]
    did = top_id if top_p >= ACCEPT else ""
    return Item("name", a, b, token, best_form, did, float(top_p), cands)


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


def read_spans(stream: str, inv: Inventory | None = None, max_len: int = 700) -> list[SpanReading]:
    """Parse every span between delimiters that could hold a list."""
    inv = inv or default_inventory()
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
        span = stream[a:b]
        items = recover_list(span, inv, list_open=(opener == "("))
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
