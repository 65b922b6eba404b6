"""Read delegation names out of a damaged span: a sparse hidden-Markov model.

A damaged span is parsed by a hidden-Markov model whose items are registry
name forms (``registry.name_forms()``, which includes the forms this
document uses) and group labels (``delete``, ``retain``, ``retain
original``, ``keep``, ``against``, ``alt`` …).  Each character of an item is
kept with the measured probability (:mod:`.loss`; so an item is possible
only if the damaged token is a subsequence of it), separators (``,`` space,
newline, ``.``) may be kept or lost, free text may precede the list, and an
``unknown`` item absorbs what fits nothing.  Viterbi gives the segmentation;
for each name segment the posterior over delegations (forward probabilities
of all forms, summed by delegation, times a prior) gives a confidence and the
candidates.  Names below :data:`ACCEPT` confidence are reported as
``ambiguous`` with an empty ``delegation_id``: never a silent guess.

Cost.  The flat HMM state is (form, character position); at each time step
only the positions holding the damaged character are live (CSR lists per
character), and all spans of a document are advanced together, one numpy
pass per time step (:func:`_viterbi_batch`, :func:`forward_batch`).  Work
grows with total span length × live positions per character (≈ inventory
characters / alphabet size), i.e. linearly in both list length and registry
size.

Prior.  ``prior="em"`` (used for the document, :data:`DOCUMENT_PRIOR`) fits
the delegation prior by EM to the names read in the same batch
(:func:`em_prior`; Dirichlet pseudo-count 1): a delegation read often and
confidently becomes the likelier reading of an ambiguous remnant.  It uses
the damaged text only.  The segmentation itself uses the uniform prior.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from ..decode import _ENGLISH_FREQ
from ..registry import name_forms
from .loss import LossModel, word_positions

ACCEPT = 0.80  # minimum posterior for a resolved name (calibrated in benchmarks/recovery_benchmark.py)
DOCUMENT_PRIOR = "em"  # delegation prior of the document's readings: fitted by EM to its own damaged names

# Group labels: written form → stance
LABELS = {
    "delete": "delete",
    "Delete": "delete",
    "retain": "retain",
    "Retain": "retain",
    "retain original": "retain_original",
    "Retain original": "retain_original",
    "keep": "keep",
    "keep original": "retain_original",
    "against": "against",
    "Against": "against",
    "alt": "alt",
}
SEPARATORS = {",": 0.5, " ": 0.6, "\n": 0.9, ".": 0.15, ";": 0.1, ":": 0.2, "-": 0.05, "–": 0.05}


def _norm_char(c: str) -> str:
    return "'" if c in "’‘" else c


def norm_text(s: str) -> str:
    """Apostrophes unified (the damaged text and the registry use both)."""
    return "".join(_norm_char(c) for c in s)


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
    is_label: np.ndarray = field(default=None, repr=False)  # per form
    # for code c and flat position p (flat index c * P + p): rank, among the positions of c,
    # of the last position r < p in the same form (-1: none), and of the first one in that form
    last_rank: np.ndarray = field(default=None, repr=False)
    run_rank: np.ndarray = field(default=None, repr=False)
    # the same, packed for one gather (reader.py): run_rank | (last_rank + 1) << 20 | adjacent << 40,
    # "adjacent": the form position right before p holds code c (p - 1 is a live predecessor)
    packed: np.ndarray = field(default=None, repr=False)


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
    last = np.full((nc + 1, P), -1, dtype=np.int32)
    run = np.zeros((nc + 1, P), dtype=np.int32)
    allp = np.arange(P)
    for c in range(nc):
        L = order[ptr[c]:ptr[c + 1]]
        fl = inv.form_of[L]
        i = np.searchsorted(L, allp, side="left") - 1
        ok = (i >= 0) & (fl[np.maximum(i, 0)] == inv.form_of)
        last[c] = np.where(ok, i, -1)
        run[c] = np.where(ok, np.searchsorted(fl, inv.form_of, side="left"), 0)
    inv.last_rank, inv.run_rank = last.ravel(), run.ravel()
    prev_char = np.where(inv.is_first, -1, np.roll(inv.chars, 1))
    adjacent = (prev_char[None, :] == np.arange(nc + 1)[:, None]) & (last >= 0)
    inv.packed = (run.astype(np.int64) | ((last.astype(np.int64) + 1) << 20) | (adjacent.astype(np.int64) << 40)).ravel()
    inv.is_label = np.array([i.startswith("LABEL:") for i in inv.ids])
    return inv


def build_inventory(names: dict[str, str], loss: LossModel, id_prior: dict[str, float] | None = None,
                    label_weight: float = 1.0, labels: dict[str, str] | None = None) -> Inventory:
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
    for lab, stance in (LABELS if labels is None else labels).items():
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
        p = _form_keep_probs(loss, f)
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


def _form_keep_probs(loss: LossModel, f: str) -> list[float]:
    return [loss.p_keep(c, p) for c, p in zip(f, word_positions(f))]


def document_name_forms() -> dict[str, str]:
    """Every registry name form (``registry.name_forms()``: UN short names and the
    forms this document uses, kept in ``resources/delegation_aliases.csv``)."""
    return dict(name_forms())


_INV_CACHE: dict[int, tuple[LossModel, Inventory]] = {}


def inventory_for(loss: LossModel) -> Inventory:
    """Registry name forms and labels scored with ``loss`` (cached per loss model)."""
    hit = _INV_CACHE.get(id(loss))
    if hit is None or hit[0] is not loss:
        hit = (loss, build_inventory(document_name_forms(), loss))
        _INV_CACHE[id(loss)] = hit
    return hit[1]


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


def _range_reduce(ufunc, x: np.ndarray, lo: np.ndarray, hi: np.ndarray, empty: float) -> np.ndarray:
    """``ufunc.reduce(x[lo[i]:hi[i]])`` for every i (``empty`` where ``lo >= hi``), vectorised.

    Non-empty ranges must be increasing and disjoint-ordered (as here) so the
    gaps reduced in between stay short."""
    out = np.full(len(lo), empty)
    ok = np.flatnonzero(lo < hi)
    if len(ok):
        idx = np.empty(2 * len(ok), dtype=np.int64)
        idx[0::2] = lo[ok]
        idx[1::2] = hi[ok]
        out[ok] = ufunc.reduceat(np.append(x, empty), idx)[0::2]
    return out


def _cont_ranges(inv: Inventory, prev_codes: np.ndarray, owner: np.ndarray, pos: np.ndarray,
                 poffs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each live position, the range of previous-step elements of the same span and form
    that lie before it (indices into the previous step's arrays; empty when there is none)."""
    flat = prev_codes[owner] * len(inv.chars) + pos
    last = inv.last_rank[flat]
    lo = poffs[owner] + inv.run_rank[flat]
    hi = np.where(last >= 0, lo - inv.run_rank[flat] + last + 1, lo)
    return lo, hi


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
    steps: list  # per emission step t: (pos, val, offs, start score per span)
    codes: np.ndarray


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
    neg_ts = -Ts
    steps: list = []
    prev = None  # (owner, pos, val, offs) of the previous emission step
    for t in range(Tmax + 1):
        if t > 0:  # completions: a name ends with the character emitted at t - 1
            n_c = int(np.searchsorted(neg_ts, -t, side="right"))  # spans with T >= t (sorted)
            pos, val, offs = prev
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
        if prev is not None and len(pos):
            ppos, pval, poffs = prev
            lo, hi = _cont_ranges(inv, codes[:n_e, t - 1], owner, pos, poffs)
            cont = _range_reduce(np.maximum, pval - inv.S_next[ppos], lo, hi, -np.inf)
            val = np.maximum(val, cont)  # entering the form wins ties (see _traceback_one)
        val = val + inv.emit_const[pos]
        steps.append((pos, val, offs, ss))
        prev = (pos, val, offs)
        lj = junk[:n_e, t]
        Pre[:n_e, t + 1] = Pre[:n_e, t] + lj
        sep = issep[:n_e, t]
        Bs[:n_e, t + 1] = np.where(sep, Bs[:n_e, t] + np.nan_to_num(seplog[:n_e, t]), NEG)
        backB[:n_e, t + 1] = np.where(sep, _B_SEP, _B_START)
        ustart = ss + LOG_UNK_START
        ucont = Us[:n_e, t]
        Us[:n_e, t + 1] = np.where(sep, NEG, np.maximum(ustart, ucont) + lj + LOG_UNK_CHAR)
        backU[:n_e, t + 1] = ~sep & (ustart < ucont)
    return _Lattice(Bs, Pre, Us, backB, backBp, backU, steps, codes)


def _traceback_one(k: int, T: int, lat: _Lattice, inv: Inventory, codes: np.ndarray) -> list[tuple[str, int, int, int]]:
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
            s = t - 1  # emission step of the name's last character
            P = len(inv.chars)
            while s > 0:
                # came from the previous step (same form, earlier position) or entered the form here
                start = lat.steps[s][3][k] + inv.start_const[p]
                ppos, pval, poffs, _ = lat.steps[s - 1]
                flat = int(codes[k, s - 1]) * P + p
                last = int(inv.last_rank[flat])
                if last < 0:
                    break
                base = int(poffs[k])
                lo, hi = base + int(inv.run_rank[flat]), base + last + 1
                cand = pval[lo:hi] - inv.S_next[ppos[lo:hi]]
                i = int(np.argmax(cand))
                if not cand[i] > start:
                    break
                p = int(ppos[lo + i])
                s -= 1
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
    out = np.zeros((n, len(inv.forms)))
    if n == 0:
        return out
    order = sorted(range(n), key=lambda i: (-len(tokens[i]), i))
    toks = [tokens[i] for i in order]
    Ts = np.array([len(d) for d in toks], dtype=np.int64)
    unseen = len(inv.codes)
    codes = np.full((n, int(Ts.max())), unseen, dtype=np.int64)
    for i, d in enumerate(toks):
        codes[i, :len(d)] = [inv.codes.get(c, unseen) for c in d]
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
            ppos, pF, poffs = prev
            lo, hi = _cont_ranges(inv, codes[:n_e, t - 1], owner, pos, poffs)
            F = _range_reduce(np.add, pF * np.exp(-inv.Sl[np.minimum(ppos + 1, len(inv.chars) - 1)]), lo, hi, 0.0) * emit
        prev = (pos, F, offs)
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


def _id_likelihoods(fwd: np.ndarray, inv: Inventory) -> np.ndarray:
    """P(token | delegation) × the inventory's prior, from :func:`forward_batch` (tokens × ids; labels 0)."""
    lik = fwd * np.exp(inv.log_prior)
    lik[:, inv.is_label] = 0.0
    out = np.zeros((len(fwd), len(inv.id_index)))
    np.add.at(out.T, inv.form_id_idx, lik.T)
    return out


def em_prior(lik: np.ndarray, weights: np.ndarray, alpha: float = 1.0, iters: int = 50,
             is_label: np.ndarray | None = None) -> np.ndarray:
    """Delegation prior fitted by EM to the damaged tokens alone (no ground truth).

    ``lik``: P(token | delegation) per unique token (rows) and delegation
    (columns); ``weights``: how often each token was read.  The prior is the
    expected share of each delegation among the tokens, smoothed by a
    Dirichlet pseudo-count ``alpha`` per delegation.  Returns relative weights
    (mean 1 over delegations; labels keep weight 1).
    """
    k = lik.shape[1]
    real = np.ones(k, dtype=bool) if is_label is None else ~is_label
    pi = np.where(real, 1.0, 0.0)
    pi /= pi.sum()
    usable = lik.sum(axis=1) > 0
    L, w = lik[usable], weights[usable]
    for _ in range(iters):
        post = L * pi
        post /= post.sum(axis=1, keepdims=True)
        counts = w @ post
        new = np.where(real, counts + alpha, 0.0)
        new /= new.sum()
        done = np.abs(new - pi).max() < 1e-6
        pi = new
        if done:
            break
    rel = pi / pi[real].mean()
    return np.where(real, rel, 1.0)


def _score_names(tokens: list[tuple[str, int, int, int]], inv: Inventory,
                 prior: str | dict[str, float] = "uniform") -> list[Item]:
    """Posterior over delegations for each name token (kind, start, end, Viterbi form).

    ``prior``: ``"uniform"`` (the inventory's prior), ``"em"`` (fitted by
    :func:`em_prior` to these tokens) or relative weights per delegation id.
    """
    if not tokens:
        return []
    uniq = sorted({tok for tok, _, _, _ in tokens})
    row = {tok: i for i, tok in enumerate(uniq)}
    ids = list(inv.id_index)
    fwd = forward_batch(uniq, inv)
    lik = _id_likelihoods(fwd, inv)
    id_is_label = np.array([d.startswith("LABEL:") for d in ids])
    if isinstance(prior, dict):
        pw = np.array([prior.get(d, 1.0) for d in ids])
    elif prior == "em":
        pw = em_prior(lik, np.bincount([row[t[0]] for t in tokens], minlength=len(uniq)).astype(float),
                      is_label=id_is_label)
    else:
        pw = np.ones(len(ids))
    post_all = lik * pw
    totals = post_all.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        post_all = post_all / totals[:, None]
        LLf = np.log(fwd)
    top5 = np.argsort(-post_all, axis=1, kind="stable")[:, :5]
    top_p = np.take_along_axis(post_all, top5, axis=1)
    best_form = np.where(inv.form_id_idx[None, :] == top5[:, :1], LLf, -np.inf).argmax(axis=1)
    per_row = []
    for r in range(len(uniq)):
        if not totals[r] > 0:
            per_row.append(None)
            continue
        cands = tuple((ids[i], float(p)) for i, p in zip(top5[r], top_p[r]) if p >= 0.02)
        per_row.append((cands, inv.forms[int(best_form[r])]))
    out = []
    for tok, a, b, fi in tokens:
        hit = per_row[row[tok]]
        if hit is None or not hit[0]:
            out.append(Item("name", a, b, tok, inv.forms[fi], "", 0.0, hit[0] if hit else ()))
            continue
        cands, form = hit
        top_id, conf = cands[0]
        out.append(Item("name", a, b, tok, form, top_id if conf >= ACCEPT else "", conf, cands))
    return out


def recover_lists(spans: list[str], inv: Inventory,
                  list_open: list[bool] | None = None, prior: str | dict[str, float] = "uniform") -> list[list[Item]]:
    """:func:`recover_list` for many spans at once (one vectorised pass).

    ``prior="em"`` fits the delegation prior to the names read in these spans
    (:func:`em_prior`) before scoring them: a delegation read confidently and
    often makes it the likelier reading of an ambiguous remnant.
    """
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
        raw.append((i, _traceback_one(k, T, lat, inv, lat.codes)))
    names = [(texts[i][a:b], a, b, fi) for i, items in raw for kind, a, b, fi in items
             if kind == "name" and not inv.is_label[fi]]
    scored = iter(_score_names(names, inv, prior))
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


def recover_list(span: str, inv: Inventory, list_open: bool = False) -> list[Item]:
    """Parse one damaged span into items (names, labels, unknown tokens).

    ``list_open``: the span starts right after ``(``, so no free text precedes
    the list.  Returns [] when the best reading is free text with no list.
    """
    return recover_lists([span], inv, [list_open])[0]


def _assign_stances(items: list[Item]) -> list[Item]:
    out = []
    stance = "sponsor"
    for it in items:
        if it.kind == "label":
            stance = it.stance
            out.append(it)
            continue
        out.append(Item(it.kind, it.start, it.end, it.damaged, it.form, it.delegation_id, it.confidence,
                        it.candidates, stance))
    return out


