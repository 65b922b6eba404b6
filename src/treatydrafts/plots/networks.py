"""Figures of the coalition analysis (:mod:`treatydrafts.analysis.networks`): each takes a
:class:`~treatydrafts.analysis.networks.Coalitions` (or a session comparison)."""
from __future__ import annotations

import math
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import plotly.graph_objects as go
from matplotlib.collections import LineCollection

from ..analysis.networks import SEED, Coalitions, SessionComparison, axis_label, brokers
from .style import DIVERGING_CMAP, GREY, PALETTE, SEQUENTIAL_CMAP, figure, save_html


def _bloc_colour(b: int) -> str:

    if b <= 0:
        return GREY
    return PALETTE[(b - 1) % (len(PALETTE) - 1)] if b <= len(PALETTE) - 1 else GREY


def layout(G: nx.Graph, seed: int = SEED) -> dict[str, tuple[float, float]]:
    """Deterministic force-directed layout (nodes and edges in sorted order, fixed seed);
    isolates are placed on a ring outside."""
    H = nx.Graph()
    H.add_nodes_from(sorted(n for n in G.nodes if G.degree(n) > 0))
    H.add_weighted_edges_from(sorted((min(a, b), max(a, b), d["weight"]) for a, b, d in G.edges(data=True)))
    pos = nx.spring_layout(H, weight="weight", seed=seed, iterations=200, k=1.5 / math.sqrt(max(len(H), 1))) if len(H) else {}
    out = {n: (float(x), float(y)) for n, (x, y) in pos.items()}
    if len(out) > 4:  # pull far outliers (one weak tie) in to 1.1 × the 90th-percentile radius
        cx = float(np.median([x for x, _ in out.values()]))
        cy = float(np.median([y for _, y in out.values()]))
        radii = {n: math.hypot(x - cx, y - cy) for n, (x, y) in out.items()}
        cap = 1.1 * float(np.quantile(sorted(radii.values()), 0.9))
        for n, (x, y) in list(out.items()):
            if radii[n] > cap:
                f = cap / radii[n]
                out[n] = (cx + (x - cx) * f, cy + (y - cy) * f)
    iso = sorted(n for n in G.nodes if G.degree(n) == 0)
    # the ring of isolates just outside the connected nodes (not at a fixed radius: when far
    # outliers were pulled in, the rest of the layout is much smaller than the unit circle)
    cx, cy, ring = 0.0, 0.0, 1.25
    if len(out) > 4:
        cx = float(np.median([x for x, _ in out.values()]))
        cy = float(np.median([y for _, y in out.values()]))
        ring = 1.15 * max(math.hypot(x - cx, y - cy) for x, y in out.values())
    for i, n in enumerate(iso):
        a = 2 * math.pi * i / max(len(iso), 1)
        out[n] = (cx + ring * math.cos(a), cy + ring * math.sin(a))
    return out


def plot_network(c: Coalitions, label_top: int = 40, min_weight: float = 0.0,
                 pos: dict[str, tuple[float, float]] | None = None):
    """The agreement network: nodes coloured by bloc, sized by weighted degree, opposition not drawn.

    ``pos``: node positions when already computed (``layout(c.bloc_graph)``)."""

    G = c.bloc_graph
    pos = layout(G) if pos is None else pos
    fig, ax = figure(height=6.0)
    ws = [d["weight"] for _, _, d in G.edges(data=True)]
    wmax = max(ws) if ws else 1.0
    edges = [(a, b, d["weight"]) for a, b, d in sorted(G.edges(data=True)) if d["weight"] >= min_weight]
    # one LineCollection instead of a Line2D per edge: same picture, far faster to draw and save
    ax.add_collection(LineCollection([[pos[a], pos[b]] for a, b, _ in edges], colors=GREY, alpha=0.35, zorder=1,
                                     linewidths=[0.2 + 1.8 * w / wmax for _, _, w in edges]))
    nd = c.nodes.set_index("delegation_id")
    kmax = max(nd["weighted_degree"].max(), 1e-9)
    blocs = sorted(set(nd["bloc"]))
    for b in blocs:
        sub = nd[nd["bloc"] == b]
        xs = [pos[n][0] for n in sub.index]
        ys = [pos[n][1] for n in sub.index]
        sizes = 12 + 180 * np.sqrt(sub["weighted_degree"] / kmax)
        label = f"bloc {b} ({len(sub)})" if b else f"unaligned ({len(sub)})"
        ax.scatter(xs, ys, s=sizes, color=_bloc_colour(b), edgecolor="white", linewidth=0.5, zorder=2, label=label)
    top = nd.sort_values(["weighted_degree"], ascending=False, kind="mergesort").head(label_top).index
    for n in sorted(top):
        ax.annotate(n, pos[n], fontsize=6, ha="center", va="bottom", xytext=(0, 3), textcoords="offset points", zorder=3)
    ax.set_axis_off()
    ax.set_title(f"Agreement network, {c.doc_id}: {G.number_of_nodes()} delegations, {G.number_of_edges()} ties; "
                 f"colour = Louvain bloc")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False, title="bloc (members)")
    ax.text(0, -0.02, "Node size ~ weighted degree (Newman weights); labels: top delegations by weighted degree "
                      "(ISO 3166 alpha-3; EU = European Union)", transform=ax.transAxes, fontsize=7, va="top")
    return fig


def plot_consensus(c: Coalitions):
    """Co-assignment matrix ordered by bloc: how often two delegations share a community
    across seeds and resolutions."""

    cons = c.consensus
    order = sorted(cons.nodes, key=lambda n: (c.blocs[n] == 0, c.blocs[n], n))
    idx = [cons.nodes.index(n) for n in order]
    M = cons.matrix[np.ix_(idx, idx)]
    fig, ax = figure(height=6.0)
    im = ax.imshow(M, cmap=SEQUENTIAL_CMAP, vmin=0, vmax=1, interpolation="nearest")
    bl = [c.blocs[n] for n in order]
    edges_at = [i for i in range(1, len(bl)) if bl[i] != bl[i - 1]]
    for e in edges_at:
        ax.axhline(e - 0.5, color="white", lw=0.6)
        ax.axvline(e - 0.5, color="white", lw=0.6)
    fs = 4 if len(order) > 60 else 6
    ax.set_xticks(range(len(order)), order, rotation=90, fontsize=fs)
    ax.set_yticks(range(len(order)), order, fontsize=fs)
    nres = len(set(cons.runs["resolution"]))
    ax.set_title(f"Bloc robustness, {c.doc_id}: share of {len(cons.runs)} Louvain runs "
                 f"({len(cons.runs) // max(nres, 1)} seeds × {nres} resolutions) placing two delegations together")
    fig.colorbar(im, ax=ax, fraction=0.04, label="co-assignment share")
    ax.set_xlabel("delegation (ordered by bloc; white lines separate blocs)")
    return fig


def plot_positions_map(c: Coalitions, label_all: bool = True):
    """Delegations on the first two correspondence-analysis axes, coloured by bloc."""

    pm = c.map
    fig, ax = figure(height=5.2)
    co = pm.coords.merge(c.nodes[["delegation_id", "bloc"]], on="delegation_id", how="left")
    co["bloc"] = co["bloc"].fillna(0).astype(int)
    for b in sorted(set(co["bloc"])):
        sub = co[co["bloc"] == b]
        ax.scatter(sub["dim1"], sub["dim2"], s=18, color=_bloc_colour(b), edgecolor="white", linewidth=0.4,
                   label=f"bloc {b}" if b else "unaligned", zorder=2)
    if label_all:
        for r in co.itertuples():
            ax.annotate(r.delegation_id, (r.dim1, r.dim2), fontsize=5, xytext=(2, 2), textcoords="offset points")
    ax.axhline(0, color="#cccccc", lw=0.5, zorder=1)
    ax.axvline(0, color="#cccccc", lw=0.5, zorder=1)
    ax.set_xlabel(axis_label(pm, 1).replace(": + ", ":\n+ ", 1), fontsize=7)
    ax.set_ylabel(axis_label(pm, 2).replace(": + ", ":\n+ ", 1), fontsize=7)
    ax.set_title(f"Positions map, {c.doc_id}: correspondence analysis of {len(pm.coords)} delegations × "
                 f"{pm.n_columns} proposal sides")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    return fig


def plot_brokers(c: Coalitions, n: int = 15):
    """Betweenness of the top brokers, coloured by bloc."""

    b = brokers(c.nodes, n).iloc[::-1]
    fig, ax = figure(height=0.25 * max(len(b), 4) + 1.0)
    ax.barh([f"{r.delegation_id} ({r.name})" for r in b.itertuples()], b["betweenness"],
            color=[_bloc_colour(int(x)) for x in b["bloc"]])
    for i, r in enumerate(b.itertuples()):
        ax.text(r.betweenness, i, f"  bloc {r.bloc}, P={r.participation:.2f}", va="center", fontsize=6)
    ax.set_xlabel("betweenness centrality (normalised; edge length = 1 / agreement weight)")
    ax.set_title(f"Brokers, {c.doc_id}: delegations on the most shortest paths between others\n"
                 f"(colour = bloc; P = participation coefficient: share of ties reaching other blocs)")
    return fig


def plot_conflict(c: Coalitions):
    """Bloc × bloc net agreement (agreement − opposition weight)."""

    cm = c.conflict_matrix()
    bl = sorted(set(cm["bloc_a"]) | set(cm["bloc_b"]))
    M = pd.DataFrame(0.0, index=bl, columns=bl)
    for r in cm.itertuples():
        M.loc[r.bloc_a, r.bloc_b] = r.net
        M.loc[r.bloc_b, r.bloc_a] = r.net
    fig, ax = figure(height=4.2)
    v = max(float(np.abs(M.to_numpy()).max()), 1e-9)
    im = ax.imshow(M.to_numpy(), cmap=DIVERGING_CMAP, vmin=-v, vmax=v)
    lab = [f"bloc {b}" if b else "unaligned" for b in bl]
    ax.set_xticks(range(len(bl)), lab, rotation=45, ha="right")
    ax.set_yticks(range(len(bl)), lab)
    for i in range(len(bl)):
        for j in range(len(bl)):
            ax.text(j, i, f"{M.iloc[i, j]:.1f}", ha="center", va="center", fontsize=7)
    fig.colorbar(im, ax=ax, fraction=0.05, label="agreement − opposition (Newman weights)")
    ax.set_title(f"Lines of conflict, {c.doc_id}: net agreement within and between blocs")
    return fig


def plot_sessions(cmp: SessionComparison):
    """Cross-table of bloc membership, 4th vs 6th session (shared delegations)."""

    ct = cmp.crosstab
    fig, ax = figure(height=3.6)
    im = ax.imshow(ct.to_numpy(), cmap=SEQUENTIAL_CMAP)
    ax.set_xticks(range(ct.shape[1]), [f"{cmp.doc_a} bloc {b}" for b in ct.columns], rotation=30, ha="right")
    ax.set_yticks(range(ct.shape[0]), [f"{cmp.doc_b} bloc {b}" for b in ct.index])
    for i in range(ct.shape[0]):
        for j in range(ct.shape[1]):
            ax.text(j, i, str(int(ct.iloc[i, j])), ha="center", va="center", color="white", fontsize=7)
    fig.colorbar(im, ax=ax, fraction=0.05, label="delegations")
    ax.set_title(f"Did the blocs hold? {len(cmp.shared)} delegations aligned in both sessions; "
                 f"ARI {cmp.ari:.2f}")
    return fig


def network_html(c: Coalitions, path: Path, div_id: str | None = None,
                 pos: dict[str, tuple[float, float]] | None = None) -> Path:
    """Interactive plotly view of the agreement network: hover for name, bloc, group,
    degree and betweenness; click legend entries to show or hide a bloc.

    ``pos``: node positions when already computed (``layout(c.bloc_graph)``)."""

    G = c.bloc_graph
    pos = layout(G) if pos is None else pos
    ex, ey = [], []
    for a, b in sorted(G.edges()):
        ex += [pos[a][0], pos[b][0], None]
        ey += [pos[a][1], pos[b][1], None]
    traces = [go.Scatter(x=ex, y=ey, mode="lines", line=dict(width=0.5, color="#bbbbbb"), hoverinfo="skip",
                         name="agreement ties", showlegend=True)]
    nd = c.nodes
    kmax = max(float(nd["weighted_degree"].max()), 1e-9) if len(nd) else 1.0
    for b in sorted(set(nd["bloc"])):
        sub = nd[nd["bloc"] == b]
        text = [f"<b>{r.name}</b> ({r.delegation_id})<br>bloc {r.bloc} · {r.regional_group}<br>"
                f"weighted degree {r.weighted_degree:.2f} · ties {r.degree}<br>betweenness {r.betweenness:.3f} · "
                f"participation {r.participation:.2f}<br>proposals {r.n_proposals} · sponsored {r.n_sponsored}"
                for r in sub.itertuples()]
        traces.append(go.Scatter(
            x=[pos[n][0] for n in sub["delegation_id"]], y=[pos[n][1] for n in sub["delegation_id"]],
            mode="markers+text", text=list(sub["delegation_id"]), textposition="top center", textfont=dict(size=8),
            hovertext=text, hoverinfo="text",
            marker=dict(size=list(6 + 22 * np.sqrt(sub["weighted_degree"] / kmax)), color=_bloc_colour(int(b)),
                        line=dict(width=0.5, color="white")),
            name=f"bloc {b} ({len(sub)})" if b else f"unaligned ({len(sub)})"))
    fig = go.Figure(traces)
    fig.update_layout(title=f"Agreement network, {c.doc_id} — hover a delegation; click a legend entry to hide/show a bloc "
                            f"(double-click to isolate it)",
                      xaxis=dict(visible=False), yaxis=dict(visible=False), plot_bgcolor="white",
                      width=1000, height=800, legend=dict(title="bloc (members)"), template="simple_white")
    return save_html(fig, path, div_id or f"coalition-network-{c.doc_id}")
