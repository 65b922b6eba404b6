"""Coalition networks: who proposes with whom, who opposes whom, and the blocs.

Reads the ``positions`` table (one row per delegation per proposal per stance)
and never re-parses a source.  The verbs, in pipeline order:

:func:`usable_positions`
    keep rows with a resolved ``delegation_id`` (and, for damaged text,
    ``confidence >= min_confidence``); the rows left out are counted by
    resolution in an :class:`Exclusions` record, never dropped silently.
:func:`proposal_ties`
    one row per pair of delegations per proposal per relation — the trace of
    every edge back to its proposal and source line.  Relations:

    ``cosponsor``  both are sponsors of the proposal (the same wording);
    ``agree``      both stand in the same stance group on the proposal;
    ``oppose``     they stand on opposite sides of the proposed wording.

    Sides (:func:`stance_side`): ``sponsor`` / ``retain`` / ``keep`` are *for*
    the bracketed wording, ``delete`` / ``against`` / ``original`` /
    ``retain_original`` are *against* it (``original`` prefers the text the
    proposal would replace); on a proposal whose ``kind`` is ``delete`` the
    sponsors propose the deletion, so they stand *against* the wording and a
    ``retain`` group opposes them.  ``integrate`` / ``move`` / ``alt`` are
    neutral: they tie only to delegations of the same stance.

    Weights follow Newman's collaboration weighting (Newman 2001, *Phys. Rev.
    E* 64, 016132): on a proposal with n participants every participant shares
    one unit of tie among its n − 1 partners, so each pair gets 1/(n − 1)
    (``n`` = sponsors for ``cosponsor``; distinct delegations with any
    position for ``agree``/``oppose``).  A 23-delegation deletion group thus
    adds 1/22 per pair, a two-delegation amendment adds 1.  For damaged
    6th-session text each tie is further multiplied by the two positions'
    confidences.
:func:`aggregate_edges`
    the ``coalition_edges`` layers: sum of tie weights, sign (+1 / −1) and
    the number of distinct proposals behind each edge.
:func:`detect_blocs`, :func:`consensus`
    Louvain communities (networkx, fixed seed, nodes and edges inserted in
    sorted order) on the agreement layer, and a co-assignment matrix over many
    seeds and resolutions showing how robust they are.
:func:`positions_map`
    correspondence analysis of the delegation × (proposal, side) incidence
    matrix: a two-dimensional map in the spirit of roll-call ideal points.
:func:`centrality`, :func:`top_sponsors`, :func:`compare_sessions`
:func:`analyse`
    all of the above for one document, as a :class:`Coalitions` record;
    :func:`coalition_tables` turns several into the exported tables.
:func:`edge_proposals`
    the proposals (with their source lines and text) behind one edge.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from itertools import combinations
from typing import Callable, Iterable

import networkx as nx
import numpy as np
import pandas as pd
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from .. import corpus as _corpus
from .. import schema

SESSIONS = ("ahc4-cnd", "ahc6-amended-draft")

# Stance → side of the bracketed wording: +1 for it, −1 against it, 0 neutral.
FOR_STANCES = ("sponsor", "retain", "keep")
AGAINST_STANCES = ("delete", "against", "original", "retain_original")
NEUTRAL_STANCES = ("integrate", "move", "alt")
STANCES = FOR_STANCES + AGAINST_STANCES + NEUTRAL_STANCES
assert set(STANCES) == set(schema.STANCES), "every schema stance needs a side"
RELATIONS = ("cosponsor", "agree", "oppose")
# network layer name in coalition_edges for each relation, and its sign
LAYER = {"cosponsor": "cosponsorship", "agree": "agreement", "oppose": "opposition"}
SIGN = {"cosponsor": 1, "agree": 1, "oppose": -1}

# Damaged 6th-session positions below this recovery confidence are left out;
# the rest weigh in proportionally to their confidence (see proposal_ties).
DEFAULT_MIN_CONFIDENCE = 0.5
SEED = 20231
RESOLUTION = 1.0
CONSENSUS_SEEDS = tuple(range(30))
CONSENSUS_RESOLUTIONS = (0.8, 1.0, 1.2)
MIN_BLOC_SIZE = 3  # smaller communities are reported as bloc 0 (unaligned)
MIN_MAP_POSITIONS = 3  # delegations with fewer usable positions stay off the map
# proposal sides shared by fewer delegations stay off the map: with 2, the first CA axis of
# ahc4-cnd is nothing but the four proposals only Russia and Belarus stand on
MIN_MAP_COLUMN = 3
BLOC_LAYER = "agreement"
ORGANIZATION_GROUP = "(organization)"


# ---------------------------------------------------------------- records


@dataclass(frozen=True)
class Exclusions:
    """Position rows left out of a network, and why."""

    doc_id: str
    n_rows: int  # position rows of the document
    n_used: int  # rows that entered the network
    by_resolution: tuple[tuple[str, int], ...]  # rows without delegation_id, by resolution
    n_low_confidence: int  # resolved rows below min_confidence
    min_confidence: float

    @property
    def n_unresolved(self) -> int:
        return sum(n for _, n in self.by_resolution)

    def summary(self) -> str:
        parts = ", ".join(f"{k} {n}" for k, n in self.by_resolution) or "none"
        return (f"{self.doc_id}: {self.n_rows} position rows, {self.n_used} used; "
                f"{self.n_unresolved} without delegation_id ({parts}); "
                f"{self.n_low_confidence} below confidence {self.min_confidence:g}")


@dataclass(frozen=True)
class Consensus:
    """Co-assignment of delegations over Louvain runs (seeds × resolutions)."""

    nodes: tuple[str, ...]
    matrix: np.ndarray  # share of runs in which i and j fall in the same community
    runs: pd.DataFrame  # seed, resolution, n_communities, modularity, ari_vs_reference
    consensus_blocs: dict[str, int]  # Louvain on the co-assignment graph (edges ≥ 0.5)
    ari_consensus_vs_reference: float


@dataclass(frozen=True)
class PositionsMap:
    """Correspondence analysis of the delegation × (proposal, side) matrix."""

    coords: pd.DataFrame  # delegation_id, dim1, dim2, n_positions
    loadings: pd.DataFrame  # column, proposal_id, side, article, dim, coordinate, contribution[, title of the article]
    inertia: tuple[float, float]  # share of total inertia on dims 1 and 2
    n_columns: int


@dataclass(frozen=True)
class Coalitions:
    """Everything :func:`analyse` computed for one document."""

    doc_id: str
    exclusions: Exclusions
    positions: pd.DataFrame  # usable positions
    ties: pd.DataFrame
    edges: pd.DataFrame  # coalition_edges rows of this document
    graphs: dict[str, nx.Graph]  # layer → graph (all usable delegations as nodes)
    blocs: dict[str, int]
    nodes: pd.DataFrame  # coalition_nodes rows of this document
    consensus: Consensus | None
    map: PositionsMap | None
    regional: dict[str, float] = field(default_factory=dict)  # ari, nmi, n

    @property
    def bloc_graph(self) -> nx.Graph:
        return self.graphs[BLOC_LAYER]

    def bloc_sizes(self) -> pd.DataFrame:
        """Bloc × UN regional group counts (bloc 0 = unaligned)."""
        t = pd.crosstab(self.nodes["bloc"], self.nodes["regional_group"])
        t["total"] = t.sum(axis=1)
        return t

    def bloc_members(self) -> pd.DataFrame:
        """One row per bloc: size, members, dominant regional group."""
        rows = []
        for b, g in self.nodes.groupby("bloc", sort=True):
            groups = g["regional_group"].value_counts()
            top = groups.sort_index().sort_values(ascending=False, kind="mergesort")
            rows.append({"bloc": int(b), "size": len(g),
                         "main_group": top.index[0], "main_group_share": round(top.iloc[0] / len(g), 2),
                         "members": " ".join(sorted(g["delegation_id"]))})
        return pd.DataFrame(rows)

    def brokers(self, n: int = 10) -> pd.DataFrame:
        return brokers(self.nodes, n)

    def conflict_matrix(self) -> pd.DataFrame:
        return bloc_conflict(self.edges, self.blocs)


# ---------------------------------------------------------------- positions


def stance_side(stance: str, kind: str = "") -> int:
    """+1 when the stance supports the bracketed wording, −1 when it opposes it, 0 neutral.

    Sponsors of a ``delete`` proposal propose removing the wording, so they are −1.
    """
    if stance == "sponsor":
        return -1 if kind == "delete" else 1
    if stance in FOR_STANCES:
        return 1
    if stance in AGAINST_STANCES:
        return -1
    return 0


def usable_positions(positions: pd.DataFrame, doc_id: str | None = None,
                     min_confidence: float = DEFAULT_MIN_CONFIDENCE) -> tuple[pd.DataFrame, Exclusions]:
    """Rows of ``positions`` (of ``doc_id``) that can enter a network, and what was left out.

    A row is usable when it has a ``delegation_id`` and ``confidence >= min_confidence``.
    """
    df = positions if doc_id is None else positions[positions["doc_id"] == doc_id]
    if doc_id is None:
        ids = sorted(set(df["doc_id"]))
        doc_id = ids[0] if len(ids) == 1 else ",".join(ids)
    unresolved = df["delegation_id"] == ""
    low = ~unresolved & (df["confidence"] < min_confidence)
    by_res = df.loc[unresolved, "resolution"].replace("", "(none)").value_counts()
    ex = Exclusions(doc_id=doc_id, n_rows=len(df), n_used=int((~unresolved & ~low).sum()),
                    by_resolution=tuple(sorted((str(k), int(v)) for k, v in by_res.items())),
                    n_low_confidence=int(low.sum()), min_confidence=float(min_confidence))
    keep = df[~unresolved & ~low]
    keep = keep.sort_values(["doc_id", "proposal_id", "offset", "stance"], kind="mergesort").reset_index(drop=True)
    return keep, ex


def _participants(rows: Iterable[tuple], kind: str = "") -> list[tuple[str, str, int, float, int]]:
    """(delegation, stance, side, confidence, line) per delegation and stance on one proposal,
    from its position rows ``(delegation_id, stance, confidence, line, ...)`` in table order.

    A delegation listed twice with one stance keeps its highest confidence."""
    best: dict[tuple[str, str], tuple[float, int]] = {}
    for d, s, conf, line, *_ in rows:
        key = (d, s)
        if key not in best or conf > best[key][0]:
            best[key] = (float(conf), int(line))
    out = []
    for (d, s), (c, line) in sorted(best.items()):
        out.append((d, s, stance_side(s, kind), c, line))
    return out


TIE_COLUMNS = ["doc_id", "proposal_id", "relation", "source", "target", "weight",
               "stance_source", "stance_target", "line", "article", "n_participants"]


def proposal_ties(positions: pd.DataFrame, proposals: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every pairwise tie created by a proposal (see the module docstring).

    ``positions`` must already be usable (:func:`usable_positions`).  ``proposals``
    (optional) supplies each proposal's ``kind``.  ``source < target``.  A pair
    gets at most one tie per relation per proposal.
    """
    kinds: dict[str, str] = {}
    if proposals is not None and len(proposals):
        kinds = dict(zip(proposals["proposal_id"], proposals["kind"]))
    # group the rows by proposal as groupby(["doc_id", "proposal_id"], sort=True) would (keys
    # sorted, rows in table order, missing keys left out), from plain column lists: a pandas
    # group per proposal cost more than the ties themselves
    groups: dict[tuple[str, str], list[tuple]] = {}
    keyed = positions[["doc_id", "proposal_id"]].notna().all(axis=1).tolist()
    columns = [positions[c].tolist() for c in ("doc_id", "proposal_id", "delegation_id", "stance", "confidence",
                                               "line", "article")]
    for ok, doc, pid, *row in zip(keyed, *columns):
        if ok:
            groups.setdefault((doc, pid), []).append(tuple(row))
    rows = []
    for doc, pid in sorted(groups):
        g = groups[(doc, pid)]
        parts = _participants(g, kinds.get(pid, ""))
        article = str(g[0][4])
        sponsors = sorted({d for d, s, *_ in parts if s == "sponsor"})
        n_all = len({d for d, *_ in parts})
        conf = {}
        for d, s, side, c, line in parts:
            conf[d] = max(conf.get(d, 0.0), c)
        line_of = {}
        for d, s, side, c, line in parts:
            line_of.setdefault(d, line)
        pair_rel: dict[tuple[str, str, str], tuple[str, str]] = {}
        if len(sponsors) >= 2:
            for a, b in combinations(sponsors, 2):
                pair_rel[(a, b, "cosponsor")] = ("sponsor", "sponsor")
        for (a, sa, pa, _, _), (b, sb, pb, _, _) in combinations(parts, 2):
            if a == b:
                continue
            if a > b:
                a, sa, pa, b, sb, pb = b, sb, pb, a, sa, pa
            same_group = (pa != 0 and pa == pb) or (pa == 0 and pb == 0 and sa == sb)
            if same_group:
                pair_rel.setdefault((a, b, "agree"), (sa, sb))
            elif pa * pb == -1:
                pair_rel.setdefault((a, b, "oppose"), (sa, sb))
        for (a, b, rel), (sa, sb) in sorted(pair_rel.items()):
            n = len(sponsors) if rel == "cosponsor" else n_all
            w = conf[a] * conf[b] / (n - 1)
            rows.append({"doc_id": doc, "proposal_id": pid, "relation": rel, "source": a, "target": b,
                         "weight": w, "stance_source": sa, "stance_target": sb,
                         "line": min(line_of[a], line_of[b]), "article": article, "n_participants": n})
    if not rows:
        return pd.DataFrame({c: pd.Series([], dtype=object if c not in ("weight", "line", "n_participants")
                                          else ("float64" if c == "weight" else "int64")) for c in TIE_COLUMNS})
    return pd.DataFrame(rows, columns=TIE_COLUMNS)


def aggregate_edges(ties: pd.DataFrame) -> pd.DataFrame:
    """``coalition_edges`` rows from ties: one per document, layer and pair."""
    if not len(ties):
        return schema.empty_frame("coalition_edges")
    g = ties.groupby(["doc_id", "relation", "source", "target"], sort=True)
    e = g.agg(weight=("weight", "sum"), n_proposals=("proposal_id", "nunique")).reset_index()
    e["network"] = e["relation"].map(LAYER)
    e["sign"] = e["relation"].map(SIGN).astype("int64")
    e["weight"] = e["weight"].round(6)
    e = e.drop(columns="relation")
    return schema.validate(e, "coalition_edges")


def build_graph(nodes: Iterable[str], edges: pd.DataFrame, network: str) -> nx.Graph:
    """An undirected weighted graph of one layer; nodes and edges inserted in sorted order
    (so Louvain with a fixed seed gives the same communities every run)."""
    G = nx.Graph()
    G.add_nodes_from(sorted(set(nodes)))
    sub = edges[edges["network"] == network].sort_values(["source", "target"], kind="mergesort")
    for r in sub.itertuples(index=False):
        G.add_edge(r.source, r.target, weight=float(r.weight), n_proposals=int(r.n_proposals))
    return G


def signed_graph(nodes: Iterable[str], edges: pd.DataFrame) -> nx.Graph:
    """Net signed ties: agreement weight minus opposition weight (edges with net 0 dropped)."""
    net: dict[tuple[str, str], float] = {}
    for r in edges[edges["network"].isin(["agreement", "opposition"])].itertuples(index=False):
        net[(r.source, r.target)] = net.get((r.source, r.target), 0.0) + r.sign * r.weight
    G = nx.Graph()
    G.add_nodes_from(sorted(set(nodes)))
    for (a, b), w in sorted(net.items()):
        if abs(w) > 1e-12:
            G.add_edge(a, b, weight=w, sign=1 if w > 0 else -1)
    return G


# ---------------------------------------------------------------- blocs


def _number_blocs(communities: Iterable[Iterable[str]], min_size: int = MIN_BLOC_SIZE) -> dict[str, int]:
    """Blocs 1..k by size (largest first, ties by first member); smaller than ``min_size`` → 0."""
    comms = sorted((sorted(c) for c in communities), key=lambda c: (-len(c), c[0]))
    out: dict[str, int] = {}
    k = 0
    for c in comms:
        if len(c) >= min_size:
            k += 1
            out.update({d: k for d in c})
        else:
            out.update({d: 0 for d in c})
    return dict(sorted(out.items()))


def sorted_copy(G: nx.Graph) -> nx.Graph:
    """A plain copy of ``G`` with nodes and (weighted) edges inserted in sorted order."""
    H = nx.Graph()
    H.add_nodes_from(sorted(G.nodes))
    H.add_weighted_edges_from(sorted((min(a, b), max(a, b), d.get("weight", 1.0)) for a, b, d in G.edges(data=True)))
    return H


def louvain(G: nx.Graph, seed: int = SEED, resolution: float = RESOLUTION, presorted: bool = False) -> list[list[str]]:
    """Louvain communities on a copy of ``G`` rebuilt in sorted order (sorted member lists)."""
    H = G if presorted else sorted_copy(G)
    if H.number_of_edges() == 0:
        return [[n] for n in H.nodes]
    comms = nx.community.louvain_communities(H, weight="weight", resolution=resolution, seed=seed)
    return sorted((sorted(c) for c in comms), key=lambda c: (-len(c), c[0]))


def detect_blocs(G: nx.Graph, seed: int = SEED, resolution: float = RESOLUTION,
                 min_size: int = MIN_BLOC_SIZE) -> dict[str, int]:
    """Reproducible blocs: delegation → bloc number (1 = largest; 0 = unaligned)."""
    return _number_blocs(louvain(G, seed, resolution), min_size)


def partition_scores(a: dict[str, object], b: dict[str, object]) -> dict[str, float]:
    """Adjusted Rand index and normalised mutual information on the shared keys."""
    keys = sorted(set(a) & set(b))
    if len(keys) < 2:
        return {"ari": float("nan"), "nmi": float("nan"), "n": len(keys)}
    la = [str(a[k]) for k in keys]
    lb = [str(b[k]) for k in keys]
    return {"ari": round(float(adjusted_rand_score(la, lb)), 4),
            "nmi": round(float(normalized_mutual_info_score(la, lb)), 4), "n": len(keys)}


def matrix_modularity(A: np.ndarray, labels: np.ndarray, resolution: float = RESOLUTION) -> float:
    """Modularity (networkx's definition) of the partition ``labels`` (0..k−1 per node) of
    the weighted undirected graph with symmetric weight matrix ``A`` (self-loops on the diagonal).

    Q = Σ_c [L_c / m − γ (k_c / 2m)²]: L_c the weight inside community c, k_c the
    summed weighted degree of its members, m the total weight, γ the resolution.
    A self-loop adds its weight twice to a degree and once to L_c, as in networkx.
    Equal to ``nx.community.modularity`` up to rounding in the last bits (sums in
    another order)."""
    loops = np.diag(A)
    k = A.sum(axis=1) + loops
    two_m = k.sum()
    same = labels[:, None] == labels[None, :]
    inside = (A[same].sum() + loops.sum()) / 2  # off-diagonal pairs come twice, loops once
    k_c = np.bincount(labels, weights=k)
    return float(inside / (two_m / 2) - resolution * np.dot(k_c, k_c) / two_m**2)


def consensus(G: nx.Graph, reference: dict[str, int] | None = None,
              seeds: Iterable[int] = CONSENSUS_SEEDS,
              resolutions: Iterable[float] = CONSENSUS_RESOLUTIONS) -> Consensus:
    """Run Louvain for every seed × resolution; co-assignment matrix and agreement with ``reference``.

    Only non-isolated nodes take part (an isolate is trivially alone in every run)."""
    nodes = tuple(sorted(n for n in G.nodes if G.degree(n) > 0))
    idx = {n: i for i, n in enumerate(nodes)}
    Gs = sorted_copy(G.subgraph(nodes))
    M = np.zeros((len(nodes), len(nodes)))
    runs = []
    if reference is None:
        reference = detect_blocs(Gs)
    ref_full = {n: reference[n] for n in nodes}
    ref_raw = _raw_labels(ref_full, G)
    ref_labels = [ref_raw[n] for n in nodes]  # what partition_scores compared: all nodes, sorted
    # the weight matrix, built once, for the modularity of every run
    has_edges = Gs.number_of_edges() > 0
    A = nx.to_numpy_array(Gs, nodelist=list(nodes), weight="weight") if has_edges else None
    n_runs = 0
    for r in resolutions:
        for s in seeds:
            comms = louvain(Gs, s, r, presorted=True)
            labels = np.empty(len(nodes), dtype=np.int64)
            for i, c in enumerate(comms):
                labels[[idx[n] for n in c]] = i
            M += labels[:, None] == labels[None, :]  # whole counts: exact in any order
            n_runs += 1
            q = matrix_modularity(A, labels, r) if has_edges else 0.0
            # compare community memberships (unaligned = own label per small community)
            ari = round(float(adjusted_rand_score(ref_labels, labels)), 4) if len(nodes) >= 2 else float("nan")
            runs.append({"seed": s, "resolution": r, "n_communities": len(comms), "modularity": round(q, 4),
                         "ari_vs_reference": ari})
    if n_runs:
        M /= n_runs
    # consensus partition: Louvain on the co-assignment graph (pairs together in ≥ half the runs)
    C = nx.Graph()
    C.add_nodes_from(nodes)
    iu, ju = np.triu_indices(len(nodes), 1)
    keep = M[iu, ju] >= 0.5
    C.add_weighted_edges_from((nodes[i], nodes[j], float(M[i, j])) for i, j in zip(iu[keep], ju[keep]))
    cons = detect_blocs(C, seed=SEED) if len(nodes) else {}
    ari = partition_scores(_raw_labels(ref_full, G), cons)["ari"] if len(nodes) else float("nan")
    return Consensus(nodes, M, pd.DataFrame(runs), cons, ari)


def _raw_labels(blocs: dict[str, int], G: nx.Graph) -> dict[str, str]:
    """Bloc labels with each unaligned (bloc 0) node in a label of its own connected piece.

    Bloc 0 collects all small communities; for partition comparisons each keeps its own label."""
    out = {}
    for n, b in blocs.items():
        out[n] = str(b) if b else f"0:{n}"
    return out


def bloc_stability(blocs: dict[str, int], cons: Consensus) -> dict[str, float]:
    """Mean co-assignment of each delegation with the other members of its bloc (1 = always together)."""
    idx = {n: i for i, n in enumerate(cons.nodes)}
    out = {}
    for n, b in blocs.items():
        if n not in idx or b == 0:
            out[n] = 0.0
            continue
        mates = [idx[m] for m, bm in blocs.items() if bm == b and m != n and m in idx]
        out[n] = round(float(cons.matrix[idx[n], mates].mean()), 4) if mates else 0.0
    return out


def regional_groups(delegations: pd.DataFrame) -> dict[str, str]:
    """delegation_id → UN regional group ('(organization)' for the EU and CARICOM)."""
    return {r.delegation_id: (r.un_regional_group or ORGANIZATION_GROUP)
            for r in delegations.itertuples(index=False)}


def compare_regional(blocs: dict[str, int], delegations: pd.DataFrame) -> dict[str, float]:
    """ARI / NMI of the blocs against the UN regional groups (States in a bloc ≥ 1 only)."""
    groups = regional_groups(delegations)
    b = {d: k for d, k in blocs.items() if k > 0 and groups.get(d, ORGANIZATION_GROUP) != ORGANIZATION_GROUP}
    return partition_scores(b, {d: groups[d] for d in b})


def bloc_conflict(edges: pd.DataFrame, blocs: dict[str, int]) -> pd.DataFrame:
    """Bloc × bloc sums of agreement and opposition weight (long form: bloc_a ≤ bloc_b)."""
    rows = {}
    for r in edges[edges["network"].isin(["agreement", "opposition"])].itertuples(index=False):
        a, b = sorted((blocs.get(r.source, 0), blocs.get(r.target, 0)))
        d = rows.setdefault((a, b), {"bloc_a": a, "bloc_b": b, "agreement": 0.0, "opposition": 0.0,
                                      "n_agree_pairs": 0, "n_oppose_pairs": 0})
        if r.network == "agreement":
            d["agreement"] += r.weight
            d["n_agree_pairs"] += 1
        else:
            d["opposition"] += r.weight
            d["n_oppose_pairs"] += 1
    df = pd.DataFrame(sorted(rows.values(), key=lambda d: (d["bloc_a"], d["bloc_b"])),
                      columns=["bloc_a", "bloc_b", "agreement", "opposition", "n_agree_pairs", "n_oppose_pairs"])
    df["agreement"] = df["agreement"].round(3)
    df["opposition"] = df["opposition"].round(3)
    df["net"] = (df["agreement"] - df["opposition"]).round(3)
    return df


# ---------------------------------------------------------------- centrality


def centrality(G: nx.Graph, blocs: dict[str, int]) -> pd.DataFrame:
    """Weighted degree (strength), betweenness and participation coefficient per node.

    Betweenness treats 1/weight as the length of an edge (strong ties are short)
    and is normalised to [0, 1].  The participation coefficient (Guimerà &
    Amaral 2005) is 1 − Σ_s (k_is / k_i)², k_is = strength towards bloc s
    (each unaligned node counts as a bloc of its own): 0 when all ties stay in
    one bloc, higher when they spread across blocs.
    """
    H = nx.Graph()
    H.add_nodes_from(sorted(G.nodes))
    for a, b, d in sorted((min(a, b), max(a, b), d) for a, b, d in G.edges(data=True)):
        H.add_edge(a, b, weight=d["weight"], distance=1.0 / d["weight"])
    bt = nx.betweenness_centrality(H, weight="distance", normalized=True) if H.number_of_nodes() > 2 else {n: 0.0 for n in H}
    rows = []
    for n in H.nodes:
        k = H.degree(n, weight="weight")
        toward: dict[str, float] = {}
        for m, d in H[n].items():
            key = str(blocs.get(m, 0)) if blocs.get(m, 0) else f"0:{m}"
            toward[key] = toward.get(key, 0.0) + d["weight"]
        part = 1.0 - sum((v / k) ** 2 for v in toward.values()) if k > 0 else 0.0
        rows.append({"delegation_id": n, "weighted_degree": round(k, 6), "degree": H.degree(n),
                     "betweenness": round(bt[n], 6), "participation": round(part, 6)})
    return pd.DataFrame(rows, columns=["delegation_id", "weighted_degree", "degree", "betweenness", "participation"])


def brokers(nodes: pd.DataFrame, n: int = 10) -> pd.DataFrame:
    """Delegations that bridge blocs: ranked by betweenness, among those whose ties
    reach beyond their own bloc (participation > 0)."""
    cols = ["delegation_id", "name", "bloc", "regional_group", "betweenness", "participation", "weighted_degree"]
    b = nodes[(nodes["participation"] > 0) & (nodes["betweenness"] > 0)]
    b = b.sort_values(["betweenness", "participation", "delegation_id"], ascending=[False, False, True], kind="mergesort")
    return b[cols].head(n).reset_index(drop=True)


def top_sponsors(positions: pd.DataFrame, names: dict[str, str] | None = None, n: int = 10) -> pd.DataFrame:
    """Most prolific sponsors: proposals sponsored, of which alone, and with co-sponsors."""
    sp = positions[positions["stance"] == "sponsor"].drop_duplicates(["proposal_id", "delegation_id"])
    size = sp.groupby("proposal_id")["delegation_id"].nunique()
    sp = sp.assign(n_sponsors=sp["proposal_id"].map(size))
    g = sp.groupby("delegation_id")
    df = pd.DataFrame({"n_sponsored": g["proposal_id"].nunique(),
                       "n_alone": g["n_sponsors"].apply(lambda s: int((s == 1).sum())),
                       "n_articles": g["article"].nunique()}).reset_index()
    df["n_with_others"] = df["n_sponsored"] - df["n_alone"]
    if names is not None:
        df.insert(1, "name", df["delegation_id"].map(names).fillna(""))
    df = df.sort_values(["n_sponsored", "delegation_id"], ascending=[False, True], kind="mergesort")
    return df.head(n).reset_index(drop=True)


# ---------------------------------------------------------------- positions map


def positions_map(positions: pd.DataFrame, proposals: pd.DataFrame | None = None,
                  min_positions: int = MIN_MAP_POSITIONS, min_column: int = MIN_MAP_COLUMN) -> PositionsMap | None:
    """Correspondence analysis of the delegation × (proposal, side) incidence matrix.

    A column is one side of one proposal (``for`` / ``against`` / a neutral
    stance), a cell is 1 when the delegation stands there.  Columns shared by
    fewer than ``min_column`` delegations and delegations with fewer than
    ``min_positions`` cells are dropped (iteratively), since CA throws rare
    profiles to the edges of the map.  Row principal coordinates are the map;
    a column's contribution to an axis is its squared standard coordinate times
    its mass.  Axis signs are fixed so the largest-contribution column is positive.
    Returns ``None`` when fewer than 3 delegations or columns remain.
    """
    kinds = dict(zip(proposals["proposal_id"], proposals["kind"])) if proposals is not None and len(proposals) else {}
    side_name = {1: "for", -1: "against"}
    cells = set()
    arts = {}
    for r in positions.itertuples(index=False):
        s = stance_side(r.stance, kinds.get(r.proposal_id, ""))
        col = f"{r.proposal_id}|{side_name.get(s, r.stance)}"
        cells.add((r.delegation_id, col))
        arts[col] = r.article
    if not cells:
        return None
    df = pd.DataFrame(sorted(cells), columns=["row", "col"])
    while True:
        cc = df["col"].value_counts()
        df = df[df["col"].map(cc) >= min_column]
        rc = df["row"].value_counts()
        df2 = df[df["row"].map(rc) >= min_positions]
        if len(df2) == len(df):
            break
        df = df2
    rows = sorted(df["row"].unique())
    cols = sorted(df["col"].unique())
    if len(rows) < 3 or len(cols) < 3:
        return None
    ri = {r: i for i, r in enumerate(rows)}
    ci = {c: j for j, c in enumerate(cols)}
    N = np.zeros((len(rows), len(cols)))
    for r, c in df.itertuples(index=False):
        N[ri[r], ci[c]] = 1.0
    P = N / N.sum()
    rm, cm = P.sum(axis=1), P.sum(axis=0)
    S = (P - np.outer(rm, cm)) / np.sqrt(np.outer(rm, cm))
    U, sv, Vt = np.linalg.svd(S, full_matrices=False)
    V = Vt.T
    for k in range(min(2, len(sv))):
        j = int(np.argmax(V[:, k] ** 2))
        if V[j, k] < 0:
            U[:, k] *= -1
            V[:, k] *= -1
    eig = sv ** 2
    F = (U[:, :2] * sv[:2]) / np.sqrt(rm)[:, None]
    G = V[:, :2] / np.sqrt(cm)[:, None]
    coords = pd.DataFrame({"delegation_id": rows, "dim1": F[:, 0].round(6), "dim2": F[:, 1].round(6),
                           "n_positions": N.sum(axis=1).astype(int)})
    lrows = []
    for k in range(2):
        contrib = V[:, k] ** 2
        for j, c in enumerate(cols):
            pid, side = c.split("|", 1)
            lrows.append({"column": c, "proposal_id": pid, "side": side, "article": arts[c], "dim": k + 1,
                          "coordinate": round(float(G[j, k]), 6), "contribution": round(float(contrib[j]), 6),
                          "n_delegations": int(N[:, j].sum())})
    loadings = pd.DataFrame(lrows).sort_values(["dim", "contribution", "column"], ascending=[True, False, True],
                                                kind="mergesort").reset_index(drop=True)
    total = eig.sum()
    return PositionsMap(coords, loadings, (round(float(eig[0] / total), 4), round(float(eig[1] / total), 4)), len(cols))


def axis_label(pm: PositionsMap, dim: int, proposals: pd.DataFrame | None = None, n: int = 2) -> str:
    """``Dim 1 (12.3 %): + art. 14 P0123 against, … / − …`` from the top-contributing columns."""
    sub = pm.loadings[pm.loadings["dim"] == dim]
    pos = sub[sub["coordinate"] > 0].head(n)
    neg = sub[sub["coordinate"] < 0].head(n)

    def fmt(df):
        return ", ".join(f"art. {r.article or '–'} {r.proposal_id.rsplit(':', 1)[-1]} {r.side}" for r in df.itertuples())

    return f"Dim {dim} ({100 * pm.inertia[dim - 1]:.1f}% inertia): + {fmt(pos)} / − {fmt(neg)}"


# ---------------------------------------------------------------- one document


def analyse(doc_id: str, positions: pd.DataFrame | None = None, proposals: pd.DataFrame | None = None,
            delegations: pd.DataFrame | None = None, min_confidence: float = DEFAULT_MIN_CONFIDENCE,
            seed: int = SEED, resolution: float = RESOLUTION, robust: bool = True, corpus=None,
            articles: pd.DataFrame | None = None) -> Coalitions:
    """The coalition analysis of one document (positions read through ``corpus`` unless given;
    default: the public API's corpus).  ``articles``: the document's articles, whose display titles
    name the positions map's columns (read with the positions when those are read)."""
    corpus = corpus or _corpus.DEFAULT
    if positions is None or proposals is None:
        d = corpus.load(doc_id)
        positions = d.positions if positions is None else positions
        proposals = d.proposals if proposals is None else proposals
        articles = d.articles if articles is None else articles
    titles: dict[str, str] = {}  # article label → display title, for naming the map's axes
    if articles is not None and "display_title" in articles:
        titles = dict(zip(articles["article"].astype(str), articles["display_title"].astype(str)))
    if delegations is None:
        delegations = corpus.delegations()
    pos, ex = usable_positions(positions, doc_id, min_confidence)
    props = proposals[proposals["doc_id"] == doc_id] if len(proposals) else proposals
    ties = proposal_ties(pos, props)
    edges = aggregate_edges(ties)
    members = sorted(set(pos["delegation_id"]))
    graphs = {layer: build_graph(members, edges, layer) for layer in ("cosponsorship", "agreement", "opposition")}
    graphs["signed"] = signed_graph(members, edges)
    G = graphs[BLOC_LAYER]
    blocs = detect_blocs(G, seed, resolution)
    cons = consensus(G, blocs) if robust and G.number_of_edges() else None
    stab = bloc_stability(blocs, cons) if cons is not None else {n: 0.0 for n in blocs}
    cen = centrality(G, blocs).set_index("delegation_id")
    names = dict(zip(delegations["delegation_id"], delegations["name"]))
    groups = regional_groups(delegations)
    n_prop = pos.groupby("delegation_id")["proposal_id"].nunique()
    n_spon = pos[pos["stance"] == "sponsor"].groupby("delegation_id")["proposal_id"].nunique()
    n_opp = pos.assign(side=[stance_side(s, "") for s in pos["stance"]])
    rows = []
    for m in members:
        rows.append({"doc_id": doc_id, "delegation_id": m, "name": names.get(m, m),
                     "regional_group": groups.get(m, ORGANIZATION_GROUP), "bloc": blocs.get(m, 0),
                     "bloc_stability": stab.get(m, 0.0),
                     "n_proposals": int(n_prop.get(m, 0)), "n_sponsored": int(n_spon.get(m, 0)),
                     "degree": int(cen.loc[m, "degree"]),
                     "weighted_degree": float(cen.loc[m, "weighted_degree"]),
                     "betweenness": float(cen.loc[m, "betweenness"]),
                     "participation": float(cen.loc[m, "participation"])})
    del n_opp
    nodes = schema.validate(pd.DataFrame(rows, columns=schema.TABLES["coalition_nodes"].names), "coalition_nodes")
    pm = positions_map(pos, props)
    if pm is not None:  # the display title of each column's article (empty when not known)
        pm = replace(pm, loadings=pm.loadings.assign(title=[titles.get(str(a), "") for a in pm.loadings["article"]]))
    regional = compare_regional(blocs, delegations)
    return Coalitions(doc_id, ex, pos, ties, edges, graphs, blocs, nodes, cons, pm, regional)


# ---------------------------------------------------------------- traceability


def edge_proposals(doc_id: str, a: str, b: str, network: str | None = None, *,
                   ties: pd.DataFrame | None = None, proposals: pd.DataFrame | None = None,
                   line_text: Callable[[int], str] | None = None,
                   min_confidence: float = DEFAULT_MIN_CONFIDENCE, corpus=None) -> pd.DataFrame:
    """The proposals behind the edge ``a``–``b`` of ``doc_id`` (all layers, or one ``network``).

    One row per proposal and relation: proposal_id, relation, each side's stance,
    the tie's weight, the line and its source text, the proposal's text and tail.
    ``ties`` / ``proposals`` / ``line_text`` default to ``corpus`` (default: the public API's).
    """
    corpus = corpus or _corpus.DEFAULT
    if ties is None or proposals is None:
        d = corpus.load(doc_id)
        proposals = d.proposals if proposals is None else proposals
        if ties is None:
            pos, _ = usable_positions(d.positions, doc_id, min_confidence)
            ties = proposal_ties(pos, proposals)
    if line_text is None:
        src = corpus.source(doc_id)
        line_text = src.line_text
    s, t = sorted((a, b))
    sel = ties[(ties["doc_id"] == doc_id) & (ties["source"] == s) & (ties["target"] == t)]
    if network is not None:
        rel = {v: k for k, v in LAYER.items()}.get(network, network)
        sel = sel[sel["relation"] == rel]
    out = sel.copy()
    out["network"] = out["relation"].map(LAYER)
    out = out.rename(columns={"stance_source": f"stance_{s}", "stance_target": f"stance_{t}"})
    prop = proposals.set_index("proposal_id") if len(proposals) else None
    out["text"] = [str(prop.at[p, "text"]) if prop is not None and p in prop.index else "" for p in out["proposal_id"]]
    out["tail"] = [str(prop.at[p, "tail"]) if prop is not None and p in prop.index else "" for p in out["proposal_id"]]
    out["source_line"] = [line_text(int(n)) for n in out["line"]]
    cols = ["proposal_id", "network", "article", "line", f"stance_{s}", f"stance_{t}", "weight", "n_participants",
            "text", "tail", "source_line"]
    return out[cols].sort_values(["proposal_id", "network"], kind="mergesort").reset_index(drop=True)


# ---------------------------------------------------------------- two sessions


@dataclass(frozen=True)
class SessionComparison:
    """Blocs of two sessions compared on the delegations present in both."""

    doc_a: str
    doc_b: str
    available: bool
    reason: str  # why not available, or "" when it is
    n_a: int
    n_b: int
    shared: tuple[str, ...]
    ari: float
    nmi: float
    mapping: dict[int, int]  # bloc in b → best-matching bloc in a (Hungarian on the overlap table)
    table: pd.DataFrame  # delegation_id, bloc_a, bloc_b, bloc_b_as_a, moved, stability_a, stability_b
    crosstab: pd.DataFrame

    def movers(self) -> pd.DataFrame:
        return self.table[self.table["moved"]].reset_index(drop=True)

    def summary(self) -> str:
        if not self.available:
            return f"{self.doc_a} vs {self.doc_b}: not available ({self.reason})"
        return (f"{self.doc_a} vs {self.doc_b}: {len(self.shared)} delegations in blocs of both sessions "
                f"({self.n_a} / {self.n_b} nodes); ARI {self.ari:.3f}, NMI {self.nmi:.3f}; "
                f"{int(self.table['moved'].sum())} moved")


def compare_sessions(a: Coalitions, b: Coalitions | None, reason: str = "") -> SessionComparison:
    """Bloc membership of ``a`` vs ``b`` for delegations aligned (bloc > 0) in both.

    Blocs of ``b`` are matched to blocs of ``a`` by maximum overlap (Hungarian
    assignment on the cross-table); a delegation *moved* when its ``b`` bloc
    maps to a different ``a`` bloc (or to none)."""
    empty = pd.DataFrame(columns=["delegation_id", "bloc_a", "bloc_b", "bloc_b_as_a", "moved"])
    if b is None or not len(b.nodes) or not any(v > 0 for v in b.blocs.values()):
        why = reason or (f"{b.doc_id} has no usable positions" if b is not None else "no second session")
        return SessionComparison(a.doc_id, b.doc_id if b is not None else "", False, why, len(a.nodes),
                                 len(b.nodes) if b is not None else 0, (), float("nan"), float("nan"), {}, empty,
                                 pd.DataFrame())
    shared = tuple(sorted(d for d in set(a.blocs) & set(b.blocs) if a.blocs[d] > 0 and b.blocs[d] > 0))
    if len(shared) < 2:
        return SessionComparison(a.doc_id, b.doc_id, False, f"only {len(shared)} delegations aligned in both",
                                 len(a.nodes), len(b.nodes), shared, float("nan"), float("nan"), {}, empty,
                                 pd.DataFrame())
    la = {d: a.blocs[d] for d in shared}
    lb = {d: b.blocs[d] for d in shared}
    sc = partition_scores(la, lb)
    ct = pd.crosstab(pd.Series(lb, name=f"bloc_{b.doc_id}"), pd.Series(la, name=f"bloc_{a.doc_id}"))
    r, c = linear_sum_assignment(-ct.to_numpy())
    mapping = {int(ct.index[i]): int(ct.columns[j]) for i, j in zip(r, c)}
    sa = a.nodes.set_index("delegation_id")["bloc_stability"]
    sb = b.nodes.set_index("delegation_id")["bloc_stability"]
    rows = [{"delegation_id": d, "bloc_a": la[d], "bloc_b": lb[d], "bloc_b_as_a": mapping.get(lb[d], 0),
             "moved": mapping.get(lb[d], 0) != la[d], "stability_a": float(sa.get(d, 0.0)),
             "stability_b": float(sb.get(d, 0.0))} for d in shared]
    return SessionComparison(a.doc_id, b.doc_id, True, "", len(a.nodes), len(b.nodes), shared, sc["ari"], sc["nmi"],
                             mapping, pd.DataFrame(rows), ct)


def load_session(doc_id: str, corpus=None, **kwargs) -> tuple[Coalitions | None, str]:
    """:func:`analyse` for ``doc_id``, or ``(None, reason)`` when it has no positions."""
    corpus = corpus or _corpus.DEFAULT
    d = corpus.load(doc_id)
    if not len(d.positions):
        return None, f"{doc_id} has no positions rows"
    return analyse(doc_id, d.positions, d.proposals, corpus=corpus, articles=d.articles, **kwargs), ""


def coalition_tables(results: Iterable[Coalitions]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``coalition_nodes`` and ``coalition_edges`` of several documents."""
    results = list(results)
    nodes = [r.nodes for r in results if len(r.nodes)]
    edges = [r.edges for r in results if len(r.edges)]
    n = schema.validate(pd.concat(nodes, ignore_index=True), "coalition_nodes") if nodes else schema.empty_frame("coalition_nodes")
    e = schema.validate(pd.concat(edges, ignore_index=True), "coalition_edges") if edges else schema.empty_frame("coalition_edges")
    return n, e


def summary_table(results: Iterable[Coalitions]) -> pd.DataFrame:
    """``coalition_summary``: per document, the rows left out, the network's size, the blocs'
    modularity and robustness, and their agreement with the UN regional groups."""
    rows = []
    for r in results:
        ex = r.exclusions
        runs = r.consensus.runs if r.consensus is not None else pd.DataFrame()
        at1 = runs[runs["resolution"] == RESOLUTION] if len(runs) else runs
        nan = float("nan")
        rows.append({"doc_id": r.doc_id, "n_position_rows": ex.n_rows, "n_used": ex.n_used,
                     "n_unresolved": ex.n_unresolved, "n_low_confidence": ex.n_low_confidence,
                     "min_confidence": ex.min_confidence, "n_nodes": len(r.nodes),
                     "n_blocs": len({b for b in r.blocs.values() if b > 0}),
                     "n_unaligned": sum(1 for b in r.blocs.values() if b == 0),
                     "modularity": round(float(at1["modularity"].mean()), 4) if len(at1) else nan,
                     "consensus_ari_mean": round(float(at1["ari_vs_reference"].mean()), 4) if len(at1) else nan,
                     "consensus_ari": round(float(r.consensus.ari_consensus_vs_reference), 4)
                     if r.consensus is not None else nan,
                     "n_regional_states": int(r.regional.get("n", 0)),
                     "regional_ari": round(float(r.regional.get("ari", nan)), 4),
                     "regional_nmi": round(float(r.regional.get("nmi", nan)), 4)})
    return schema.validate(pd.DataFrame(rows), "coalition_summary") if rows else schema.empty_frame("coalition_summary")


def sessions_table(cmp: SessionComparison) -> pd.DataFrame:
    """``coalition_sessions``: the two sessions' blocs compared (one row; empty when not available)."""
    if not cmp.available:
        return schema.empty_frame("coalition_sessions")
    row = {"doc_a": cmp.doc_a, "doc_b": cmp.doc_b, "n_shared": len(cmp.shared), "ari": round(float(cmp.ari), 4),
           "nmi": round(float(cmp.nmi), 4), "n_moved": int(cmp.table["moved"].sum())}
    return schema.validate(pd.DataFrame([row]), "coalition_sessions")


MAP_AXIS_TOP = 10  # columns kept per pole of each axis in ``coalition_map_axes``


def map_tables(results: Iterable[Coalitions]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``coalition_map_points`` (every delegation's coordinates on the positions map) and
    ``coalition_map_axes`` (share of inertia of each axis and the proposal sides that load most
    on each of its poles) of several documents."""
    points, axes = [], []
    for r in results:
        if r.map is None:
            continue
        pts = r.map.coords.assign(doc_id=r.doc_id)
        points.append(pts)
        for dim in (1, 2):
            sub = r.map.loadings[r.map.loadings["dim"] == dim]
            for pole, part in (("+", sub[sub["coordinate"] > 0]), ("-", sub[sub["coordinate"] < 0])):
                part = part.sort_values(["contribution", "column"], ascending=[False, True]).head(MAP_AXIS_TOP)
                for rank, row in enumerate(part.itertuples(index=False), 1):
                    axes.append({"doc_id": r.doc_id, "dim": dim, "inertia_share": round(float(r.map.inertia[dim - 1]), 4),
                                 "pole": pole, "rank": rank, "proposal_id": row.proposal_id, "side": row.side,
                                 "article": row.article, "coordinate": round(float(row.coordinate), 6),
                                 "contribution": round(float(row.contribution), 6)})
    p = (schema.validate(pd.concat(points, ignore_index=True).round({"dim1": 6, "dim2": 6}), "coalition_map_points")
         if points else schema.empty_frame("coalition_map_points"))
    a = schema.validate(pd.DataFrame(axes), "coalition_map_axes") if axes else schema.empty_frame("coalition_map_axes")
    return p, a


def ties_table(results: Iterable[Coalitions]) -> pd.DataFrame:
    """``coalition_ties``: every edge's proposals, as data."""
    parts = []
    for r in results:
        if len(r.ties):
            t = r.ties.copy()
            t["network"] = t["relation"].map(LAYER)
            t["weight"] = t["weight"].round(6)
            parts.append(t)
    if not parts:
        return schema.empty_frame("coalition_ties")
    df = pd.concat(parts, ignore_index=True)
    return schema.validate(df[schema.TABLES["coalition_ties"].names], "coalition_ties")


def analyse_sessions(corpus=None, **kwargs) -> tuple[dict[str, Coalitions], dict[str, str]]:
    """:func:`analyse` for both sessions; reasons for any session that is not available."""
    out, why = {}, {}
    for doc in SESSIONS:
        c, reason = load_session(doc, corpus=corpus, **kwargs)
        if c is None:
            why[doc] = reason
        else:
            out[doc] = c
    return out, why
