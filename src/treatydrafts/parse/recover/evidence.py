"""Joint evidence for the names of a damaged document.

A damaged remnant such as ``ra`` fits Iran, Iraq, Nicaragua … equally well on
its own; the document says more.  :func:`score_names` turns the likelihood of
every name token under every delegation (:func:`.names.forward_batch`) into a
posterior that also uses:

- **frequency**: a delegation prior fitted by EM to the document's own tokens
  (:func:`.names.em_prior`);
- **the "EU and its member States" convention**: the EU speaks for its
  member States, so an EU member read on its own needs strong evidence (prior
  × :data:`EU_MEMBER_WEIGHT`; members from the registry notes);
- **who stands together**: lists are repeated across the document (the same
  coalition behind several amendments, in other layouts), so the delegations
  read confidently in the other lists of the document (*anchors*) tell which
  delegations go together: ``P(d in list | d' in list)`` against ``P(d in
  list)`` (leave-this-list-out counts), averaged over the anchors of the list;
- **order**: repeated lists keep their order, so an anchor's neighbour in other
  lists (``Pakistan, Namibia``) is likelier next to it here;
- **no repeats**: a delegation already read as an anchor in the same list is an
  unlikely reading of another token of it.

It returns the candidates and the features the calibration uses
(:mod:`.calibrate`).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..registry import load_delegations
from .names import Inventory, _id_likelihoods, em_prior, forward_batch

LABEL_WEIGHT = 30.0  # prior weight of each stance label, in delegations' worth
# Lists per block when a (list x delegation) array is updated in place (bounds the temporaries).
_ROWS = 4096


@dataclass(frozen=True)
class EvidenceParams:
    """Weights of the joint evidence (set on the development half of the validation set)."""

    eu_member_weight: float = 0.02
    anchor_posterior: float = 0.95  # an anchor: posterior at least this ...
    anchor_letters: int = 4  # ... and at least this many surviving letters
    cooc_power: float = 1.0
    cooc_floor: float = 0.02
    adjacency: float = 1.0
    repeat: float = 0.2


def eu_members() -> frozenset[str]:
    """EU member States (registry notes: "EU member State (represented by EU …)")."""
    d = load_delegations()
    return frozenset(d.loc[d["notes"].str.contains("EU member State", regex=False), "delegation_id"])


def _letters(tok: str) -> int:
    return sum(c.isalpha() for c in tok)


def score_names(tokens: list[str], list_nos: list[int], neighbours: list[tuple[int, int]], inv: Inventory,
                prm: EvidenceParams = EvidenceParams()):
    """``[(candidates, features)]`` per token: candidates ``(delegation_id, posterior)`` best first
    (posterior ≥ 0.02, at most 5), features a dict of floats.

    ``neighbours[i]``: indices of the previous and next name token of the same list (-1: none)."""
    ids = list(inv.id_index)
    if not tokens:
        return []
    n_tok, n_id = len(tokens), len(ids)
    uniq, inv_idx = np.unique(np.array(tokens, dtype=object), return_inverse=True)
    inv_idx = inv_idx.ravel()
    lik_u = _id_likelihoods(forward_batch(list(uniq), inv), inv)
    is_label = np.array([d.startswith("LABEL:") for d in ids])
    eu = eu_members()
    mult = np.array([prm.eu_member_weight if d in eu else 1.0 for d in ids])
    pw = em_prior(lik_u * mult, np.bincount(inv_idx, minlength=len(uniq)).astype(float), is_label=is_label)
    base_u = lik_u * (pw * mult)
    tot_u = base_u.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        post_u = np.nan_to_num(base_u / tot_u[:, None])
    letters = np.array([_letters(t) for t in tokens])
    top0 = post_u.argmax(axis=1)[inv_idx]
    anchor = (post_u.max(axis=1)[inv_idx] >= prm.anchor_posterior) & (letters >= prm.anchor_letters)
    # incidence of anchors in lists, co-occurrence and adjacency counts
    lid, lpos = np.unique(np.asarray(list_nos), return_inverse=True)
    lpos = lpos.ravel()
    M = np.zeros((len(lid), n_id))
    M[lpos[anchor], top0[anchor]] = 1.0
    N = M.T @ M
    Nd = np.diag(N).copy()
    n_lists = max(int((M.sum(axis=1) > 0).sum()), 1)
    nb = np.array(neighbours, dtype=np.int64).reshape(-1, 2)
    left, right = nb[:, 0], nb[:, 1]
    pair = (right >= 0) & anchor & anchor[np.maximum(right, 0)]  # i and its right neighbour both anchors
    adj = np.zeros((n_id, n_id))
    np.add.at(adj, (top0[pair], top0[right[pair]]), 1.0)
    # co-occurrence, leave-this-list-out: with A the anchor counts per list and w_a = 1 / max(N_aa - 1, 1),
    # S_L(d) = sum_a A_La w_a (N_da - M_Ld) is the sum over the list's anchors of P(d | a) in the other lists
    A = np.zeros((len(lid), n_id))
    np.add.at(A, (lpos[anchor], top0[anchor]), 1.0)
    w = 1.0 / np.maximum(Nd - 1.0, 1.0)
    Aw = A * w
    S = Aw @ N
    aw_sum = Aw.sum(axis=1)
    del Aw
    for r0 in range(0, len(S), _ROWS):  # S -= M * aw_sum[:, None], a block of lists at a time (no temporary)
        S[r0:r0 + _ROWS] -= M[r0:r0 + _ROWS] * aw_sum[r0:r0 + _ROWS, None]
    # from here on only the (token, delegation) pairs the token fits (likelihood > 0): sparse
    Lr = lpos  # list row of every token
    ur, uc = np.nonzero(base_u > 0)
    row_len = np.bincount(ur, minlength=len(uniq))
    row_ptr = np.concatenate([[0], np.cumsum(row_len)])
    cnt = row_len[inv_idx]
    ti = np.repeat(np.arange(n_tok), cnt)  # token of every pair
    col = uc[np.repeat(row_ptr[inv_idx], cnt) + np.arange(cnt.sum()) - np.repeat(np.cumsum(cnt) - cnt, cnt)]
    val = base_u[inv_idx[ti], col]
    L = Lr[ti]
    n_anc = A.sum(axis=1)
    k = n_anc[Lr] - anchor
    o = top0[ti]
    own = np.where(anchor[ti], (N[col, o] - M[L, col]) * w[o], 0.0)
    lists_l = np.where(n_anc[L] > 0, max(n_lists - 1, 1), n_lists)
    base = (np.maximum(Nd[col] - M[L, col], 0.0) + prm.cooc_floor) / (lists_l + 1.0)
    kk = k[ti]
    ok = kk > 0
    cond = (S[L, col] - own) / np.maximum(kk, 1)
    ratio = (cond + prm.cooc_floor) / (base + prm.cooc_floor)
    m = np.where(ok, ratio if prm.cooc_power == 1.0 else ratio ** prm.cooc_power, 1.0)
    rep = A[L, col] - (anchor[ti] & (col == o))
    m = np.where(ok & (rep > 0), m * prm.repeat, m)
    if prm.adjacency:  # order: the neighbours' anchors next to this delegation in the other lists
        lt, rt = left[ti], right[ti]
        lt0, rt0 = np.maximum(lt, 0), np.maximum(rt, 0)
        hl = (lt >= 0) & anchor[lt0]
        lcount = adj[top0[lt0], col] - (pair[lt0] & anchor[ti] & (col == o))
        m = np.where(hl, m * (1.0 + prm.adjacency * np.maximum(lcount, 0.0)), m)
        hr = (rt >= 0) & anchor[rt0]
        rcount = adj[col, top0[rt0]] - (pair[ti] & (col == o))
        m = np.where(hr, m * (1.0 + prm.adjacency * np.maximum(rcount, 0.0)), m)
    post = val * m
    tot = np.bincount(ti, weights=post, minlength=n_tok)
    post = post / np.where(tot[ti] > 0, tot[ti], 1.0)
    order = np.lexsort((col, -post, ti))  # per token: by posterior, ties by id order
    ti_s, col_s, post_s = ti[order], col[order], post[order]
    first = np.searchsorted(ti_s, np.arange(n_tok))
    rank = np.arange(len(ti_s)) - first[ti_s]
    top = rank == 0
    top_col = np.full(n_tok, -1)
    top_col[ti_s[top]] = col_s[top]
    top_p = np.zeros(n_tok)
    top_p[ti_s[top]] = post_s[top]
    sel = (rank < 5) & (post_s >= 0.02)
    cand_lists: list[list] = [[] for _ in range(n_tok)]
    for t_, c_, p_ in zip(ti_s[sel].tolist(), col_s[sel].tolist(), post_s[sel].tolist()):
        cand_lists[t_].append((ids[c_], p_))
    n_anch = (M.sum(axis=1)[lpos] - anchor).tolist()  # row sums of 0/1: exact, without a (token x id) copy
    post0_top = np.where(top_col >= 0, post_u[inv_idx, np.maximum(top_col, 0)], 0.0).tolist()
    log_lik = np.where(tot_u > 0, np.log(np.maximum(tot_u, 1e-300)), -50.0)[inv_idx].tolist()
    letters_l, top_p_l = letters.tolist(), top_p.tolist()
    out = []
    for r in range(n_tok):
        feats = {"letters": float(letters_l[r]), "n_anchors": float(n_anch[r]), "posterior": top_p_l[r],
                 "posterior0": post0_top[r], "log_lik": log_lik[r]}
        out.append((tuple(cand_lists[r]), feats))
    return out
