"""Tests for treatydrafts.networks on tiny hand-made positions tables where the answer is known."""
from __future__ import annotations

import math

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from treatydrafts.analysis import networks as nw
from treatydrafts.plots import networks as nwp
from treatydrafts import schema

DOC = "test-doc"


def pos(rows, doc=DOC):
    """positions rows from (proposal, delegation_id, stance[, confidence[, resolution]])."""
    out = []
    for i, r in enumerate(rows):
        pid, d, stance = r[:3]
        conf = r[3] if len(r) > 3 else 1.0
        res = r[4] if len(r) > 4 else ("exact" if d else "doubtful")
        n = int(pid[1:])
        out.append({"doc_id": doc, "proposal_id": f"{doc}:{pid}", "article_seq": n, "article": str(n), "line": 10 * n,
                    "offset": 1000 * n + i, "code_as_written": d[:2] or "??", "delegation_id": d, "stance": stance,
                    "resolution": res, "confidence": conf, "damaged": "", "candidates": ""})
    return schema.validate(pd.DataFrame(out), "positions")


def props(ids_kinds, doc=DOC):
    rows = []
    for pid, kind in ids_kinds:
        n = int(pid[1:])
        rows.append({"doc_id": doc, "proposal_id": f"{doc}:{pid}", "article_seq": n, "article": str(n),
                     "paragraph_seq": 0, "paragraph": "", "bracket_id": n, "line": 10 * n, "start_offset": 1000 * n,
                     "end_offset": 1000 * n + 50, "text": f"wording {pid}", "kind": kind, "sponsors": "",
                     "tail": f"tail {pid}", "is_struck": False, "confidence": 1.0})
    if not rows:
        return schema.empty_frame("proposals")
    return schema.validate(pd.DataFrame(rows), "proposals")


def delegs(ids_groups):
    rows = [{"delegation_id": d, "name": f"Name {d}", "iso2": "", "iso3": "", "un_regional_group": g,
             "kind": "state" if g else "regional organization", "notes": ""} for d, g in ids_groups]
    if not rows:
        return schema.empty_frame("delegations")
    return schema.validate(pd.DataFrame(rows), "delegations")


# P1: A, B, C co-sponsor; P2: A, B sponsor, D, E against; P3: D, E delete, C retains;
# P4: an unresolved code and A alone; P5: F, G move, H integrates.
SMALL = [
    ("P1", "AAA", "sponsor"), ("P1", "BBB", "sponsor"), ("P1", "CCC", "sponsor"),
    ("P2", "AAA", "sponsor"), ("P2", "BBB", "sponsor"), ("P2", "DDD", "against"), ("P2", "EEE", "against"),
    ("P3", "DDD", "delete"), ("P3", "EEE", "delete"), ("P3", "CCC", "retain"),
    ("P4", "", "sponsor"), ("P4", "AAA", "sponsor"),
    ("P5", "FFF", "move"), ("P5", "GGG", "move"), ("P5", "HHH", "integrate"),
]


def edges_of(rows, proposals=None):
    p, _ = nw.usable_positions(pos(rows), DOC)
    return nw.aggregate_edges(nw.proposal_ties(p, proposals))


def w(edges, network, a, b):
    s, t = sorted((a, b))
    sel = edges[(edges["network"] == network) & (edges["source"] == s) & (edges["target"] == t)]
    return None if sel.empty else (float(sel["weight"].iloc[0]), int(sel["n_proposals"].iloc[0]), int(sel["sign"].iloc[0]))


def test_stance_sides():
    assert nw.stance_side("sponsor") == 1
    assert nw.stance_side("retain") == 1
    assert nw.stance_side("delete") == -1
    assert nw.stance_side("against") == -1
    assert nw.stance_side("original") == -1
    assert nw.stance_side("move") == 0
    # sponsors of a deletion stand against the wording
    assert nw.stance_side("sponsor", "delete") == -1
    assert set(nw.STANCES) == {"sponsor", "retain", "delete", "against", "original", "retain_original",
                               "integrate", "move", "alt", "keep"}


def test_unresolved_rows_are_counted_not_used():
    p, ex = nw.usable_positions(pos(SMALL), DOC)
    assert ex.n_rows == 15 and ex.n_used == 14
    assert ex.by_resolution == (("doubtful", 1),)
    assert ex.n_unresolved == 1 and ex.n_low_confidence == 0
    assert (p["delegation_id"] != "").all()
    assert "1 without delegation_id (doubtful 1)" in ex.summary()


def test_cosponsorship_newman_weights():
    e = edges_of(SMALL)
    # AB: P1 (3 sponsors → 1/2) + P2 (2 sponsors → 1)
    assert w(e, "cosponsorship", "AAA", "BBB") == (1.5, 2, 1)
    assert w(e, "cosponsorship", "AAA", "CCC") == (0.5, 1, 1)
    assert w(e, "cosponsorship", "BBB", "CCC") == (0.5, 1, 1)
    # against / delete groups do not co-sponsor
    assert w(e, "cosponsorship", "DDD", "EEE") is None
    assert set(e.loc[e["network"] == "cosponsorship", "source"] + e.loc[e["network"] == "cosponsorship", "target"]) == {
        "AAABBB", "AAACCC", "BBBCCC"}


def test_agreement_and_opposition():
    e = edges_of(SMALL)
    # P2 has 4 participants → 1/3 per pair; P3 has 3 → 1/2
    assert w(e, "agreement", "AAA", "BBB") == (pytest.approx(0.5 + 1 / 3), 2, 1)
    assert w(e, "agreement", "DDD", "EEE") == (pytest.approx(1 / 3 + 1 / 2), 2, 1)
    assert w(e, "opposition", "AAA", "DDD") == (pytest.approx(1 / 3), 1, -1)
    assert w(e, "opposition", "BBB", "EEE") == (pytest.approx(1 / 3), 1, -1)
    assert w(e, "opposition", "CCC", "DDD") == (0.5, 1, -1)
    # retain and sponsor are on the same side, but C and A never meet on one proposal except P1
    assert w(e, "opposition", "AAA", "CCC") is None
    # neutral stances: same stance agrees, different neutral stances are neither
    assert w(e, "agreement", "FFF", "GGG") == (0.5, 1, 1)
    assert w(e, "agreement", "FFF", "HHH") is None
    assert w(e, "opposition", "FFF", "HHH") is None
    assert (e["source"] < e["target"]).all()
    schema.validate(e, "coalition_edges")


def test_delete_proposal_sponsors_oppose_retain():
    rows = [("P1", "AAA", "sponsor"), ("P1", "BBB", "sponsor"), ("P1", "CCC", "retain")]
    e = edges_of(rows, props([("P1", "delete")]))
    assert w(e, "opposition", "AAA", "CCC") == (0.5, 1, -1)
    assert w(e, "agreement", "AAA", "BBB") == (0.5, 1, 1)
    e2 = edges_of(rows, props([("P1", "insert")]))
    assert w(e2, "opposition", "AAA", "CCC") is None
    assert w(e2, "agreement", "AAA", "CCC") == (0.5, 1, 1)


def test_duplicate_listing_counts_once():
    rows = [("P1", "AAA", "sponsor"), ("P1", "AAA", "sponsor"), ("P1", "BBB", "sponsor")]
    e = edges_of(rows)
    assert w(e, "cosponsorship", "AAA", "BBB") == (1.0, 1, 1)


def test_confidence_threshold_and_weighting():
    rows = [("P1", "AAA", "sponsor", 1.0, "recovered"), ("P1", "BBB", "sponsor", 0.8, "recovered"),
            ("P1", "CCC", "sponsor", 0.3, "recovered")]
    p, ex = nw.usable_positions(pos(rows), DOC, min_confidence=0.5)
    assert ex.n_low_confidence == 1 and ex.n_used == 2
    e = nw.aggregate_edges(nw.proposal_ties(p))
    assert w(e, "cosponsorship", "AAA", "BBB") == (0.8, 1, 1)
    p0, _ = nw.usable_positions(pos(rows), DOC, min_confidence=0.0)
    e0 = nw.aggregate_edges(nw.proposal_ties(p0))
    assert w(e0, "cosponsorship", "AAA", "CCC") == (pytest.approx(0.15), 1, 1)


def two_cliques(bridge=True):
    """Two 5-cliques L0..L4 and R0..R4 (co-sponsoring within), optionally one bridge proposal L0+R0."""
    rows = []
    k = 1
    for side in "LR":
        members = [f"{side}{i}" for i in range(5)]
        for a in range(5):
            for b in range(a + 1, 5):
                rows += [(f"P{k}", members[a], "sponsor"), (f"P{k}", members[b], "sponsor")]
                k += 1
    if bridge:
        rows += [(f"P{k}", "L0", "sponsor"), (f"P{k}", "R0", "sponsor")]
    return rows


def test_blocs_recover_planted_partition_and_are_reproducible():
    p, _ = nw.usable_positions(pos(two_cliques()), DOC)
    e = nw.aggregate_edges(nw.proposal_ties(p))
    G = nw.build_graph(sorted(set(p["delegation_id"])), e, "agreement")
    b1 = nw.detect_blocs(G)
    assert b1 == {**{f"L{i}": 1 for i in range(5)}, **{f"R{i}": 2 for i in range(5)}}
    # same answer whatever order the rows come in
    shuffled = pos(two_cliques()).sample(frac=1.0, random_state=3)
    p2, _ = nw.usable_positions(shuffled, DOC)
    e2 = nw.aggregate_edges(nw.proposal_ties(p2))
    G2 = nx.Graph()
    G2.add_nodes_from(reversed(sorted(set(p2["delegation_id"]))))
    for r in e2[e2["network"] == "agreement"].iloc[::-1].itertuples():
        G2.add_edge(r.target, r.source, weight=r.weight)
    assert nw.detect_blocs(G2) == b1


def test_small_communities_are_unaligned():
    blocs = nw._number_blocs([["A", "B", "C"], ["D", "E"], ["F"], ["G", "H", "I", "J"]])
    assert blocs == {"A": 2, "B": 2, "C": 2, "D": 0, "E": 0, "F": 0, "G": 1, "H": 1, "I": 1, "J": 1}


def test_consensus_matrix_on_clear_blocs():
    p, _ = nw.usable_positions(pos(two_cliques()), DOC)
    e = nw.aggregate_edges(nw.proposal_ties(p))
    G = nw.build_graph(sorted(set(p["delegation_id"])), e, "agreement")
    blocs = nw.detect_blocs(G)
    cons = nw.consensus(G, blocs, seeds=range(5), resolutions=(0.8, 1.0))
    i, j, k = cons.nodes.index("L1"), cons.nodes.index("L2"), cons.nodes.index("R1")
    assert cons.matrix[i, j] == 1.0 and cons.matrix[i, k] == 0.0
    assert np.allclose(np.diag(cons.matrix), 1.0)
    assert len(cons.runs) == 10 and (cons.runs["ari_vs_reference"] == 1.0).all()
    assert cons.ari_consensus_vs_reference == 1.0
    assert set(nw.bloc_stability(blocs, cons).values()) == {1.0}


def test_centrality_bridge_is_the_broker():
    p, _ = nw.usable_positions(pos(two_cliques()), DOC)
    e = nw.aggregate_edges(nw.proposal_ties(p))
    G = nw.build_graph(sorted(set(p["delegation_id"])), e, "agreement")
    blocs = nw.detect_blocs(G)
    c = nw.centrality(G, blocs).set_index("delegation_id")
    assert c["betweenness"].idxmax() in {"L0", "R0"}
    assert c.loc["L0", "betweenness"] == c.loc["R0", "betweenness"] > 0
    assert c.loc["L1", "betweenness"] == 0.0
    # L0: 4 ties of weight 1 inside, 1 outside → 1 − (4/5)² − (1/5)² = 0.32
    assert c.loc["L0", "participation"] == pytest.approx(0.32)
    assert c.loc["L1", "participation"] == 0.0
    assert c.loc["L0", "weighted_degree"] == 5.0 and c.loc["L0", "degree"] == 5


def test_analyse_end_to_end_and_regional_comparison():
    groups = [(f"L{i}", "African") for i in range(5)] + [(f"R{i}", "Asia-Pacific") for i in range(5)]
    c = nw.analyse(DOC, pos(two_cliques()), props([]), delegs(groups))
    assert len(c.nodes) == 10 and c.bloc_graph.number_of_edges() == 21
    assert c.regional == {"ari": 1.0, "nmi": 1.0, "n": 10}
    assert list(c.bloc_members()["size"]) == [5, 5]
    b = c.brokers()
    assert list(b["delegation_id"]) == ["L0", "R0"]
    schema.validate(c.nodes, "coalition_nodes")
    n, e = nw.coalition_tables([c])
    assert len(n) == 10 and set(e["network"]) == {"cosponsorship", "agreement"}
    t = nw.ties_table([c])
    assert len(t) == 2 * 21  # every pair shares exactly one proposal, in two layers


def test_top_sponsors():
    p, _ = nw.usable_positions(pos(SMALL), DOC)
    t = nw.top_sponsors(p, {"AAA": "Name A"}, n=3)
    assert list(t["delegation_id"]) == ["AAA", "BBB", "CCC"]
    assert t.loc[0, ["n_sponsored", "n_alone", "n_with_others"]].tolist() == [3, 1, 2]
    assert t.loc[0, "name"] == "Name A"


def test_positions_map_separates_opposed_groups():
    rows = []
    for k in range(1, 7):
        rows += [(f"P{k}", d, "sponsor") for d in ("AAA", "BBB", "CCC")]
        rows += [(f"P{k}", d, "against") for d in ("XXX", "YYY", "ZZZ")]
    rows += [("P7", "AAA", "sponsor"), ("P7", "XXX", "sponsor"), ("P8", "BBB", "retain"), ("P8", "YYY", "retain")]
    pm = nw.positions_map(pos(rows).pipe(lambda d: nw.usable_positions(d, DOC)[0]))
    co = pm.coords.set_index("delegation_id")
    left = co.loc[["AAA", "BBB", "CCC"], "dim1"]
    right = co.loc[["XXX", "YYY", "ZZZ"], "dim1"]
    assert (np.sign(left) == np.sign(left.iloc[0])).all()
    assert (np.sign(right) == -np.sign(left.iloc[0])).all()
    assert pm.inertia[0] > pm.inertia[1]
    assert set(pm.loadings["dim"]) == {1, 2}
    assert nw.axis_label(pm, 1).startswith("Dim 1 (")
    assert nw.positions_map(pos(SMALL[:3])) is None  # too little to map


def test_edge_proposals_traces_back_to_lines():
    p, _ = nw.usable_positions(pos(SMALL), DOC)
    ties = nw.proposal_ties(p)
    t = nw.edge_proposals(DOC, "BBB", "AAA", ties=ties, proposals=props([(f"P{i}", "insert") for i in range(1, 6)]),
                          line_text=lambda n: f"source line {n}")
    assert list(zip(t["proposal_id"], t["network"])) == [
        (f"{DOC}:P1", "agreement"), (f"{DOC}:P1", "cosponsorship"),
        (f"{DOC}:P2", "agreement"), (f"{DOC}:P2", "cosponsorship")]
    assert list(t["line"]) == [10, 10, 20, 20]
    assert t.loc[2, "source_line"] == "source line 20" and t.loc[2, "text"] == "wording P2"
    assert t.loc[0, "stance_AAA"] == "sponsor"
    o = nw.edge_proposals(DOC, "AAA", "DDD", "opposition", ties=ties, proposals=props([]), line_text=str)
    assert list(o["proposal_id"]) == [f"{DOC}:P2"] and o.loc[0, "stance_DDD"] == "against"
    # the edge weight is the sum of its ties
    e = nw.aggregate_edges(ties)
    assert w(e, "agreement", "AAA", "BBB")[0] == pytest.approx(t.loc[t["network"] == "agreement", "weight"].sum())


def _coal(doc, blocs):
    d = [(k, "African") for k in blocs]
    rows = []
    by = {}
    for k, b in blocs.items():
        by.setdefault(b, []).append(k)
    n = 1
    for b, members in sorted(by.items()):
        for i in range(len(members)):
            for j in range(i + 1, len(members)):
                rows += [(f"P{n}", members[i], "sponsor"), (f"P{n}", members[j], "sponsor")]
                n += 1
    return nw.analyse(doc, pos(rows, doc), props([], doc), delegs(d), robust=False)


def test_compare_sessions_relabelled_and_movers():
    a = _coal("s4", {**{f"A{i}": 1 for i in range(4)}, **{f"B{i}": 2 for i in range(4)}})
    b = _coal("s6", {**{f"A{i}": 1 for i in range(4)}, **{f"B{i}": 2 for i in range(4)}})
    cmp = nw.compare_sessions(a, b)
    assert cmp.available and cmp.ari == 1.0 and cmp.movers().empty
    # A3 moves to the B bloc
    b2 = _coal("s6", {**{f"A{i}": 1 for i in range(3)}, "A3": 2, **{f"B{i}": 2 for i in range(4)}, "NEW": 2})
    cmp2 = nw.compare_sessions(a, b2)
    assert list(cmp2.movers()["delegation_id"]) == ["A3"]
    assert cmp2.shared == tuple(sorted([f"A{i}" for i in range(4)] + [f"B{i}" for i in range(4)]))
    assert 0 < cmp2.ari < 1
    assert "1 moved" in cmp2.summary()


def test_compare_sessions_not_available():
    a = _coal("s4", {**{f"A{i}": 1 for i in range(4)}})
    cmp = nw.compare_sessions(a, None, "positions of s6 not available")
    assert not cmp.available and math.isnan(cmp.ari)
    assert "not available" in cmp.summary()
    empty = nw.analyse("s6", schema.empty_frame("positions"), schema.empty_frame("proposals"), delegs([]))
    assert len(empty.nodes) == 0 and empty.consensus is None and empty.map is None
    assert not nw.compare_sessions(a, empty).available


def test_figures_and_html_are_deterministic(tmp_path):
    groups = [(f"L{i}", "African") for i in range(5)] + [(f"R{i}", "Asia-Pacific") for i in range(5)]
    c = nw.analyse(DOC, pos(two_cliques()), props([]), delegs(groups))
    p1 = nwp.network_html(c, tmp_path / "a" / "coalition-test.html")
    p2 = nwp.network_html(c, tmp_path / "b" / "coalition-test.html")
    assert p1.read_bytes() == p2.read_bytes()
    assert b'id="coalition-network-test-doc"' in p1.read_bytes()
    # figures_for hands one layout to both views: the same page as computing it inside
    p3 = nwp.network_html(c, tmp_path / "c" / "coalition-test.html", pos=nwp.layout(c.bloc_graph))
    assert p3.read_bytes() == p1.read_bytes()
    assert (tmp_path / "a" / "plotly.min.js").exists()
    from treatydrafts.plots.style import save_figure
    out = save_figure(nwp.plot_network(c), "coalition-test", [DOC], tmp_path)
    assert [p.suffix for p in out] == [".png", ".svg", ".pdf"]


# ---- fast paths that must give networkx's numbers


def weighted_graphs():
    """Small weighted graphs with string nodes: planted blocs, equal weights, an isolate,
    a self-loop, shuffled insertion order."""
    rng = np.random.default_rng(7)
    out = []
    for k, (sizes, p_in, p_out) in enumerate([((8, 8, 8), 0.7, 0.05), ((5, 12, 20), 0.5, 0.1), ((30,), 0.2, 0.0),
                                             ((6, 6, 6, 6, 6), 0.9, 0.15)]):
        G0 = nx.random_partition_graph(list(sizes), p_in, p_out, seed=k)
        G = nx.Graph()
        order = rng.permutation(len(G0))
        G.add_nodes_from(f"D{int(i):02d}" for i in order)
        for a, b in G0.edges:
            w = float(rng.choice([0.5, 1.0, 1 / 3])) if k % 2 else float(rng.uniform(0.05, 2.0))
            G.add_edge(f"D{b:02d}", f"D{a:02d}", weight=w)
        out.append(G)
    G = out[0].copy()
    G.add_node("ZZZ")  # isolate
    G.add_edge("D00", "D00", weight=0.75)  # self-loop
    out.append(G)
    return out


def test_matrix_modularity_is_networkx_modularity():
    for G in weighted_graphs():
        nodes = list(G)
        A = nx.to_numpy_array(G, nodelist=nodes, weight="weight")
        for seed, res in ((0, 1.0), (1, 0.8), (2, 1.7)):
            comms = nx.community.louvain_communities(G, weight="weight", resolution=res, seed=seed)
            comms.append(set())  # an empty community changes nothing
            labels = np.array([next(i for i, c in enumerate(comms) if n in c) for n in nodes])
            expected = nx.community.modularity(G, [c for c in comms if c], weight="weight", resolution=res)
            assert nw.matrix_modularity(A, labels, res) == pytest.approx(expected, abs=1e-12)
        # a poor partition (two halves by name) is scored too, negative values included
        halves = np.array([int(n > nodes[len(nodes) // 2]) for n in nodes])
        expected = nx.community.modularity(G, [{n for n, h in zip(nodes, halves) if h == k} for k in (0, 1)],
                                           weight="weight", resolution=1.3)
        assert nw.matrix_modularity(A, halves, 1.3) == pytest.approx(expected, abs=1e-12)
    # a hand-checked case: triangle a-b-c (weights 1) plus a pendant d (weight 2) on c
    G = nx.Graph()
    G.add_weighted_edges_from([("a", "b", 1.0), ("b", "c", 1.0), ("a", "c", 1.0), ("c", "d", 2.0)])
    A = nx.to_numpy_array(G, nodelist=["a", "b", "c", "d"])
    # m = 5; {a,b,c}: L = 3, k = 2+2+4 = 8; {d}: L = 0, k = 2 → 3/5 − (8/10)² − (2/10)² = −0.08
    assert nw.matrix_modularity(A, np.array([0, 0, 0, 1]), 1.0) == pytest.approx(-0.08, abs=1e-15)


def test_proposal_ties_do_not_depend_on_row_order():
    rows = pos(SMALL).iloc[::-1]
    other = pos([("P9", "AAA", "sponsor"), ("P9", "BBB", "sponsor", 0.7), ("P9", "BBB", "sponsor", 0.9)], doc="a-doc")
    both = pd.concat([rows, other], ignore_index=True)
    p, _ = nw.usable_positions(pd.concat([pos(SMALL), other]), None)
    t_sorted = nw.proposal_ties(p)
    t = nw.proposal_ties(both[both["delegation_id"] != ""])
    keys = list(zip(t["doc_id"], t["proposal_id"]))
    assert keys == sorted(keys) and keys[0][0] == "a-doc"
    # a delegation listed twice keeps its highest confidence
    assert t.loc[t["doc_id"] == "a-doc", "weight"].tolist() == [pytest.approx(0.9)] * 2  # cosponsor, agree
    by = ["doc_id", "proposal_id", "relation", "source", "target"]
    pd.testing.assert_frame_equal(t.sort_values(by).reset_index(drop=True), t_sorted.sort_values(by).reset_index(drop=True))
