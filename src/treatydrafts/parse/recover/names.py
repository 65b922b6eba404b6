"""The name model: how likely a damaged fragment is under each delegation name.

Every registry name form and stance label of the inventory (:func:`build_inventory`)
is a chain of characters, each kept with the probability the loss model measured
(:mod:`.loss`) for its character and position in the word, so a fragment is
possible under a form only if it is a subsequence of it.  :func:`forward_batch`
sums over every way a fragment embeds in every form (the likelihood of the
fragment under each form), vectorised over fragments and over the form positions
holding each character (CSR lists per character code: at each step only the
positions matching the fragment's character are live).  :func:`em_prior` fits a
delegation prior to the fragments of a document.  The segmentation of the
document into prose, names and labels is :mod:`.reader`'s; the posterior with the
document's joint evidence is :mod:`.evidence`'s.
"""
from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from ..registry import name_forms
from .loss import LossModel, word_positions

# Stance labels of the synthetic benchmark's lists: written form → stance (the document's
# labels, with their colons, are in .document.LABELS)
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
def _norm_char(c: str) -> str:
    return "'" if c in "’‘" else c


def norm_text(s: str) -> str:
    """Apostrophes unified (the damaged text and the registry use both)."""
    return "".join(_norm_char(c) for c in s)


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
