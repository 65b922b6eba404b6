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
from .names import Inventory, _id_likelihoods, em_prior

LABEL_WEIGHT = 30.0  # prior weight of each stance label, in delegations' worth


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


def score_names(tokens: list[str], list_nos: list[int], neighbours: list[tuple[int, int]], fwd: np.ndarray,
                inv: Inventory, prm: EvidenceParams = EvidenceParams()):
    """``[(candidates, features)]`` per token: candidates ``(delegation_id, posterior)`` best first
    (posterior ≥ 0.02, at most 5), features a dict of floats.

    ``neighbours[i]``: indices of the previous and next name token of the same list (-1: none)."""
    ids = list(inv.id_index)
    if not tokens:
        return []
    n_tok, n_id = len(tokens), len(ids)
    lik = _id_likelihoods(fwd, inv)
    is_label = np.array([d.startswith("LABEL:") for d in ids])
    uniq, inv_idx = np.unique(np.array(tokens, dtype=object), return_inverse=True)
    inv_idx = inv_idx.ravel()
    first = {t: i for i, t in enumerate(tokens)}
    rows = np.array([first[t] for t in uniq])
    eu = eu_members()
    mult = np.array([prm.eu_member_weight if d in eu else 1.0 for d in ids])
    pw = em_prior(lik[rows] * mult, np.bincount(inv_idx, minlength=len(uniq)).astype(float), is_label=is_label)
    base_lik = lik * (pw * mult)
    tot0 = base_lik.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        post0 = base_lik / tot0[:, None]
    post0 = np.nan_to_num(post0)
    top0 = post0.argmax(axis=1)
    letters = np.array([_letters(t) for t in tokens])
    anchor = (post0.max(axis=1) >= prm.anchor_posterior) & (letters >= prm.anchor_letters)
    lists = np.asarray(list_nos)
    # incidence of anchors in lists, co-occurrence and adjacency counts
    lid, lpos = np.unique(lists, return_inverse=True)
    lpos = lpos.ravel()
    M = np.zeros((len(lid), n_id))
    M[lpos[anchor], top0[anchor]] = 1.0
    N = M.T @ M
    Nd = np.diag(N).copy()
    n_lists = max(int((M.sum(axis=1) > 0).sum()), 1)
    adj = np.zeros((n_id, n_id))
    adj_by_list: dict[int, list[tuple[int, int]]] = {}
    for i, (a, b) in enumerate(neighbours):
        if b >= 0 and anchor[i] and anchor[b]:
            adj[top0[i], top0[b]] += 1
            adj_by_list.setdefault(int(lpos[i]), []).append((int(top0[i]), int(top0[b])))
    mult_ctx = np.ones((n_tok, n_id))
    for L in np.unique(lpos):
        members = np.flatnonzero(lpos == L)
        mL = M[L]
        n_l = N - np.outer(mL, mL)  # leave this list out
        nd_l = np.maximum(Nd - mL, 0.0)
        lists_l = max(n_lists - (1 if mL.any() else 0), 1)
        base = (nd_l + prm.cooc_floor) / (lists_l + 1.0)
        anc = [int(top0[j]) for j in members if anchor[j]]
        m = np.ones((len(members), n_id))
        if anc:
            terms = n_l[:, anc] / np.maximum(nd_l[anc], 1.0)  # (ids, anchors)
            total = terms.sum(axis=1)
            counts = np.bincount(anc, minlength=n_id).astype(float)
            for r, i in enumerate(members):
                own = int(top0[i]) if anchor[i] else -1
                k = len(anc) - (own >= 0)
                if k <= 0:
                    continue
                cond = (total - (n_l[:, own] / max(nd_l[own], 1.0) if own >= 0 else 0.0)) / k
                m[r] = ((cond + prm.cooc_floor) / (base + prm.cooc_floor)) ** prm.cooc_power
                rep = counts.copy()
                if own >= 0:
                    rep[own] -= 1
                m[r, rep > 0] *= prm.repeat
        if prm.adjacency:
            adj_l = adj.copy()
            for a_, b_ in adj_by_list.get(int(L), []):
                adj_l[a_, b_] -= 1
            for r, i in enumerate(members):
                a_, b_ = neighbours[i]
                if a_ >= 0 and anchor[a_]:
                    m[r] *= 1.0 + prm.adjacency * adj_l[top0[a_], :]
                if b_ >= 0 and anchor[b_]:
                    m[r] *= 1.0 + prm.adjacency * adj_l[:, top0[b_]]
        mult_ctx[members] = m
    post_lik = base_lik * mult_ctx
    tot = post_lik.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        post = np.nan_to_num(post_lik / tot[:, None])
    out = []
    for r, tok in enumerate(tokens):
        feats = {"letters": float(letters[r]), "n_anchors": float(M[lpos[r]].sum() - (1.0 if anchor[r] else 0.0))}
        if not tot[r] > 0:
            out.append(((), {**feats, "posterior": 0.0, "posterior0": 0.0}))
            continue
        top = np.argsort(-post[r], kind="stable")[:5]
        cands = tuple((ids[i], float(post[r, i])) for i in top if post[r, i] >= 0.02)
        feats.update({"posterior": float(post[r, top[0]]), "posterior0": float(post0[r, top[0]]),
                      "log_lik": float(np.log(tot0[r])) if tot0[r] > 0 else -50.0})
        out.append((cands, feats))
    return out
