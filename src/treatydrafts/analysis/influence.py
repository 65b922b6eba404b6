"""Delegation influence: whose CND proposals the Chair's draft took up, raw and adjusted for contestation.

Reads the ``proposal_outcomes`` table (:mod:`.outcomes`) and the positions; never re-parses.

- **Raw rates** (:func:`delegation_table`, :func:`group_table`): per delegation, the share of the
  sponsor units whose wording the Chair's draft took up word for word (outcome ``verbatim``: the
  category the hand judgements validate, ``data/validation``), with 95% Wilson intervals (scipy),
  and the share of its deletions achieved (deletions in articles the Chair dropped as a whole are
  not counted: the article went, not the words).  Per bloc and per UN regional group, a unit counts
  for a group when at least one of its delegations belongs to it.
- **Adjusted rates**: proposals on heavily contested articles fare worse.  A logistic regression
  (scikit-learn, no penalty) of take-up on ``log(1 + proposals in the unit's CND article)``
  (:func:`fit_contestation`) gives each unit its expected chance; a delegation's adjusted rate is
  its observed take-ups over the expected ones, times the overall rate (indirect standardisation,
  as a standardised mortality ratio), with an exact Poisson interval for the observed count.  An
  adjusted rate above the raw one means the delegation's proposals sat on harder articles.
- **Blocs** (:func:`session_blocs`): the Louvain blocs of the coalition analysis
  (:mod:`.networks`: same positions, ties, graph, seed), recomputed here without the robustness
  runs so that this step does not wait for the networks step; a test checks that they equal
  ``coalition_nodes.bloc``.
- **Partners** (:func:`partners_table`): each delegation's most frequent co-sponsors and opponents
  per session, from the same ties as ``coalition_ties``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import chi2
from sklearn.linear_model import LogisticRegression

from .. import corpus as _corpus
from .. import schema
from . import networks
from .outcomes import wilson

SEED = 20241224
N_BOOT = 500
N_PARTNERS = 10
TAKEN = "verbatim"  # the validated category (see the module docstring)
NO_BLOC = pd.NA  # the delegation took no usable position in that session (a missing bloc)
NAN = float("nan")  # a rate with nothing to count


@dataclass(frozen=True)
class Influence:
    delegations: pd.DataFrame  # delegation_influence
    groups: pd.DataFrame  # group_influence
    model: pd.DataFrame  # influence_model
    units: pd.DataFrame  # sponsor units with their expected take-up (not exported)


# ---------------------------------------------------------------- blocs and partners


def session_blocs(corpus=None) -> dict[str, dict[str, int]]:
    """``doc_id -> {delegation_id: bloc}`` for both sessions (as ``coalition_nodes.bloc``)."""
    corpus = corpus or _corpus.DEFAULT
    out = {}
    for doc in networks.SESSIONS:
        d = corpus.load(doc)
        pos, _ = networks.usable_positions(d.positions, doc, networks.DEFAULT_MIN_CONFIDENCE)
        edges = networks.aggregate_edges(networks.proposal_ties(pos, d.proposals))
        G = networks.build_graph(sorted(set(pos["delegation_id"])), edges, networks.BLOC_LAYER)
        out[doc] = networks.detect_blocs(G)
    return out


def partners_table(corpus=None, n: int = N_PARTNERS) -> pd.DataFrame:
    """The ``delegation_partners`` table: top ``n`` co-sponsors and opponents per delegation and session."""
    corpus = corpus or _corpus.DEFAULT
    rows = []
    for doc in networks.SESSIONS:
        d = corpus.load(doc)
        pos, _ = networks.usable_positions(d.positions, doc, networks.DEFAULT_MIN_CONFIDENCE)
        ties = networks.proposal_ties(pos, d.proposals)
        ties = ties[ties["relation"].isin(["cosponsor", "oppose"])]
        both = pd.concat([ties.rename(columns={"source": "a", "target": "b"}),
                          ties.rename(columns={"source": "b", "target": "a"})], ignore_index=True)
        agg = (both.groupby(["a", "relation", "b"]).agg(n_proposals=("proposal_id", "nunique"), weight=("weight", "sum"))
               .reset_index())
        for (a, rel), g in agg.groupby(["a", "relation"], sort=True):
            g = g.sort_values(["n_proposals", "weight", "b"], ascending=[False, False, True]).head(n)
            for k, r in enumerate(g.itertuples(index=False), 1):
                rows.append({"doc_id": doc, "delegation_id": a, "relation_kind": rel, "rank": k, "partner": r.b,
                             "n_proposals": int(r.n_proposals), "weight": round(float(r.weight), 6)})
    df = pd.DataFrame(rows) if rows else schema.empty_frame("delegation_partners")
    return schema.validate(df, "delegation_partners")


# ---------------------------------------------------------------- units


def members(outcomes: pd.DataFrame) -> pd.DataFrame:
    """One row per unit and delegation: ``proposal_id, unit_group, delegation_id, outcome``."""
    rows = []
    for r in outcomes.itertuples(index=False):
        for d in (x for x in r.delegation_ids.split(", ") if x):
            rows.append((r.proposal_id, r.unit_group, d, r.outcome))
    return pd.DataFrame(rows, columns=["proposal_id", "unit_group", "delegation_id", "outcome"])


def sponsor_units(outcomes: pd.DataFrame) -> pd.DataFrame:
    """The sponsor units the rates count (``unclear`` left out), with ``taken`` (0/1) and ``x``
    (log(1 + proposals in the article))."""
    u = outcomes[(outcomes["unit_group"] == "sponsor") & (outcomes["outcome"] != "unclear")].copy()
    u["taken"] = (u["outcome"] == TAKEN).astype(int)
    u["x"] = np.log1p(u["n_article_proposals"].astype(float))
    return u.reset_index(drop=True)


def fit_contestation(units: pd.DataFrame, n_boot: int = N_BOOT, seed: int = SEED) -> tuple[pd.DataFrame, np.ndarray]:
    """``(influence_model table, expected take-up per unit)``: logistic regression of ``taken`` on
    ``x``, odds-ratio intervals from a seeded bootstrap over units (percentile, 95%)."""
    X, y = units[["x"]].to_numpy(), units["taken"].to_numpy()
    model = LogisticRegression(C=np.inf, solver="newton-cholesky", tol=1e-10, max_iter=100).fit(X, y)
    coef = np.array([model.intercept_[0], model.coef_[0][0]])
    rng = np.random.default_rng(seed)
    boots = []
    for _ in range(n_boot):
        idx = rng.integers(0, len(y), len(y))
        if y[idx].min() == y[idx].max():
            continue
        m = LogisticRegression(C=np.inf, solver="newton-cholesky", tol=1e-10, max_iter=100).fit(X[idx], y[idx])
        boots.append([m.intercept_[0], m.coef_[0][0]])
    b = np.exp(np.array(boots))
    lo, hi = np.percentile(b, [2.5, 97.5], axis=0)
    table = pd.DataFrame({"term": ["intercept", "log1p_article_proposals"], "coefficient": np.round(coef, 6),
                          "odds_ratio": np.round(np.exp(coef), 6), "odds_ratio_low": np.round(lo, 6),
                          "odds_ratio_high": np.round(hi, 6), "n": len(y)})
    return schema.validate(table, "influence_model"), model.predict_proba(X)[:, 1]


def adjusted(observed: int, expected: float, overall: float, level: float = 0.95) -> tuple[float, float, float]:
    """``(rate, low, high)``: observed / expected × overall, exact Poisson interval on ``observed``."""
    if expected <= 0:
        return NAN, NAN, NAN
    a = 1 - level
    lo = chi2.ppf(a / 2, 2 * observed) / 2 if observed > 0 else 0.0
    hi = chi2.ppf(1 - a / 2, 2 * observed + 2) / 2
    f = overall / expected
    return round(observed * f, 4), round(lo * f, 4), round(hi * f, 4)


def _measures(spon: pd.DataFrame, dele: pd.DataFrame, overall: float) -> dict:
    """The rate columns for one delegation or group (its sponsor and delete units)."""
    n = len(spon)
    k = int(spon["taken"].sum()) if n else 0
    share, lo, hi = wilson(k, n)
    exp = float(spon["expected"].sum()) if n else 0.0
    adj, alo, ahi = adjusted(k, exp, overall) if n else (NAN, NAN, NAN)
    ach = int((dele["outcome"] == "deletion_achieved").sum())
    nach = int((dele["outcome"] == "deletion_not_achieved").sum())
    dsh, dlo, dhi = wilson(ach, ach + nach)
    return {"n_sponsor_units": n, "n_taken_up": k,
            "share_taken_up": share, "share_low": lo, "share_high": hi, "expected_taken_up": round(exp, 4),
            "adjusted_share": adj, "adjusted_low": alo, "adjusted_high": ahi, "n_delete_units": len(dele),
            "n_deletion_achieved": ach, "n_deletion_not_achieved": nach, "share_deletion_achieved": dsh,
            "deletion_low": dlo, "deletion_high": dhi}


def delegation_table(outcomes: pd.DataFrame, units: pd.DataFrame, delegations: pd.DataFrame,
                     blocs: dict[str, dict[str, int]], restorations: pd.DataFrame | None = None) -> pd.DataFrame:
    """The ``delegation_influence`` table (registry delegations with at least one unit; a unit whose
    only codes are unresolved, e.g. the doubtful ``IO``, counts for no delegation)."""
    mem = members(outcomes)
    mem = mem[mem["delegation_id"].isin(set(delegations["delegation_id"]))]
    exp = dict(zip(units["proposal_id"], units["expected"]))
    taken = dict(zip(units["proposal_id"], units["taken"]))
    overall = float(units["taken"].mean()) if len(units) else 0.0
    reg = delegations.set_index("delegation_id")
    b4, b6 = blocs.get(networks.SESSIONS[0], {}), blocs.get(networks.SESSIONS[1], {})
    restore = {}
    if restorations is not None and len(restorations):
        hit = restorations[restorations["restoration"] == "restores_cnd"]
        for ids in hit["delegation_ids"]:
            for d in (x for x in ids.split(", ") if x):
                restore[d] = restore.get(d, 0) + 1
    rows = []
    for d, g in mem.groupby("delegation_id", sort=True):
        spon = g[(g["unit_group"] == "sponsor") & (g["outcome"] != "unclear")].copy()
        spon["expected"] = spon["proposal_id"].map(exp)
        spon["taken"] = spon["proposal_id"].map(taken)
        dele = g[g["unit_group"] == "delete"]
        row = {"delegation_id": d, "name": reg["name"].get(d, d),
               "regional_group": reg["un_regional_group"].get(d, "") or networks.ORGANIZATION_GROUP,
               "bloc_ahc4": b4.get(d, NO_BLOC), "bloc_ahc6": b6.get(d, NO_BLOC),
               "n_substance": int((spon["outcome"] == "substance").sum()),
               "n_not_taken_up": int((spon["outcome"] == "not_taken_up").sum()),
               "n_article_dropped": int((spon["outcome"] == "article_dropped").sum()),
               "n_restore_attempts": int(restore.get(d, 0)), **_measures(spon, dele, overall)}
        rows.append(row)
    return schema.validate(pd.DataFrame(rows), "delegation_influence")


def group_table(outcomes: pd.DataFrame, units: pd.DataFrame, influence: pd.DataFrame) -> pd.DataFrame:
    """The ``group_influence`` table: all units, per 4th-session bloc, per regional group."""
    mem = members(outcomes)
    overall = float(units["taken"].mean()) if len(units) else 0.0
    exp = dict(zip(units["proposal_id"], units["expected"]))
    taken = dict(zip(units["proposal_id"], units["taken"]))
    key = ["proposal_id", "unit_group"]
    rows = []
    groupings = {"all": {d: "all" for d in influence["delegation_id"]},
                 "bloc_ahc4": {d: "none" if pd.isna(b) else str(b)
                               for d, b in zip(influence["delegation_id"], influence["bloc_ahc4"])},
                 "regional_group": dict(zip(influence["delegation_id"], influence["regional_group"]))}
    for grouping, of in groupings.items():
        # "all" counts every unit, also those whose only codes are unresolved (no registry delegation)
        m = mem.assign(group_value="all") if grouping == "all" else mem.assign(group_value=mem["delegation_id"].map(of))
        for value, g in m.groupby("group_value", sort=True):
            u = g.drop_duplicates(key)
            spon = u[(u["unit_group"] == "sponsor") & (u["outcome"] != "unclear")].copy()
            spon["expected"] = spon["proposal_id"].map(exp)
            spon["taken"] = spon["proposal_id"].map(taken)
            dele = u[u["unit_group"] == "delete"]
            n_deleg = int(g["delegation_id"].isin(set(influence["delegation_id"])).groupby(g["delegation_id"]).first().sum())
            rows.append({"grouping": grouping, "group_value": value, "n_delegations": n_deleg,
                         **_measures(spon, dele, overall)})
    return schema.validate(pd.DataFrame(rows), "group_influence")


def compute(outcomes: pd.DataFrame, corpus=None, blocs: dict[str, dict[str, int]] | None = None,
            restorations: pd.DataFrame | None = None) -> Influence:
    """Raw and adjusted influence of every delegation and group (``corpus`` for the registry and blocs)."""
    corpus = corpus or _corpus.DEFAULT
    blocs = session_blocs(corpus) if blocs is None else blocs
    units = sponsor_units(outcomes)
    model, expected = fit_contestation(units)
    units["expected"] = expected
    dele = delegation_table(outcomes, units, corpus.delegations(), blocs, restorations)
    return Influence(dele, group_table(outcomes, units, dele), model, units)
