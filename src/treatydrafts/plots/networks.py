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

from ..analysis.networks import SEED, Coalitions, SessionComparison, brokers
import matplotlib.pyplot as plt
from matplotlib.colors import Normalize

from .style import (DIVERGING_CMAP, DOUBLE, FONT, GREY, PALETTE, SEQUENTIAL_CMAP, SINGLE, figure, html_layout,
                    note, place_labels, save_html, text_colour, title, wrap)


SESSION_NAME = {"ahc4-cnd": "4th session (CND)", "ahc6-amended-draft": "6th session (amended draft)"}


def _session(doc_id: str) -> str:
    return SESSION_NAME.get(doc_id, doc_id)


def _bloc_colour(b: int) -> str:

    if b <= 0:
        return GREY
    return PALETTE[(b - 1) % (len(PALETTE) - 1)] if b <= len(PALETTE) - 1 else GREY


def _bloc_name(b: int) -> str:
    return f"bloc {b}" if b else "unaligned"


def layout(G: nx.Graph, seed: int = SEED) -> dict[str, tuple[float, float]]:
    """Deterministic force-directed layout (nodes and edges in sorted order, fixed seed);
    far outliers pulled in; isolates (no tie at all) in a row under the graph, so that they
    never stretch the picture."""
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
    if out:
        xs = [x for x, _ in out.values()]
        ys = [y for _, y in out.values()]
        x0, x1, y0 = min(xs), max(xs), min(ys)
        step = (x1 - x0) / max(len(iso), 8)
        for i, n in enumerate(iso):
            out[n] = (x0 + step * i, y0 - 0.12 * (max(ys) - y0 or 1.0))
    else:
        for i, n in enumerate(iso):
            a = 2 * math.pi * i / max(len(iso), 1)
            out[n] = (math.cos(a), math.sin(a))
    return out


def _marker_area(weighted_degree, kmax: float):
    return 10 + 110 * np.sqrt(np.asarray(weighted_degree, dtype=float) / kmax)


def plot_network(c: Coalitions, label_top: int = 30, min_weight: float = 0.0,
                 pos: dict[str, tuple[float, float]] | None = None):
    """The agreement network: nodes coloured by bloc, sized by weighted degree, opposition not drawn;
    the ``label_top`` delegations by weighted degree labelled where they overlap nothing
    (:func:`~treatydrafts.plots.style.place_labels`, leader lines in the crowded centre).

    ``pos``: node positions when already computed (``layout(c.bloc_graph)``)."""

    G = c.bloc_graph
    pos = layout(G) if pos is None else pos
    fig, ax = figure(DOUBLE, height=5.8)
    ws = [d["weight"] for _, _, d in G.edges(data=True)]
    wmax = max(ws) if ws else 1.0
    edges = [(a, b, d["weight"]) for a, b, d in sorted(G.edges(data=True)) if d["weight"] >= min_weight]
    # one LineCollection instead of a Line2D per edge: same picture, far faster to draw and save
    ax.add_collection(LineCollection([[pos[a], pos[b]] for a, b, _ in edges], colors=GREY, alpha=0.25, zorder=1,
                                     linewidths=[0.15 + 1.2 * w / wmax for _, _, w in edges]))
    nd = c.nodes.set_index("delegation_id")
    kmax = max(nd["weighted_degree"].max(), 1e-9)
    for b in sorted(set(nd["bloc"])):
        sub = nd[nd["bloc"] == b]
        ax.scatter([pos[n][0] for n in sub.index], [pos[n][1] for n in sub.index],
                   s=_marker_area(sub["weighted_degree"], kmax), color=_bloc_colour(b), edgecolor="white",
                   linewidth=0.5, zorder=2, label=f"{_bloc_name(b)} ({len(sub)})")
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    mx, my = 0.06 * (max(xs) - min(xs) or 1), 0.06 * (max(ys) - min(ys) or 1)
    ax.set_xlim(min(xs) - mx, max(xs) + mx)
    ax.set_ylim(min(ys) - my, max(ys) + my)
    ax.set_axis_off()
    title(fig, f"Agreement network, {_session(c.doc_id)}: {G.number_of_nodes()} delegations, "
               f"{G.number_of_edges():,} ties")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=6, frameon=False,
              title="colour: Louvain bloc (members)",
              markerscale=0.8, handletextpad=0.3, columnspacing=1.2)
    note(fig, "Node area ~ weighted degree (Newman weights); labelled: the "
              f"{min(label_top, len(nd))} delegations with the highest weighted degree "
              "(ISO 3166 alpha-3; EU = European Union)."
              + (" Delegations with no tie sit in a row at the bottom." if nx.number_of_isolates(G) else ""))
    top = nd.sort_values(["weighted_degree"], ascending=False, kind="mergesort").head(label_top).index
    names = list(nd.index)
    radii = np.sqrt(_marker_area(nd["weighted_degree"], kmax)) / 2 + 0.5
    r_of = dict(zip(names, radii))
    others = [n for n in names if n not in set(top)]
    place_labels(ax, [pos[n][0] for n in top], [pos[n][1] for n in top], list(top),
                 radii_pt=[r_of[n] for n in top], fontsize=FONT["small"], max_shift_pt=70,
                 obstacles_pt=[(pos[n][0], pos[n][1], r_of[n]) for n in others],
                 bbox=dict(boxstyle="square,pad=0.05", facecolor="white", alpha=0.75, lw=0))
    return fig


def _bloc_ticks(ax, bl: list[int], axis: str = "both") -> None:
    """Ticks at the middle of each bloc's run of rows/columns, labelled with the bloc."""
    runs, start = [], 0
    for i in range(1, len(bl) + 1):
        if i == len(bl) or bl[i] != bl[start]:
            runs.append((bl[start], start, i))
            start = i
    centres = [(a + b - 1) / 2 for _, a, b in runs]
    labels = [f"{_bloc_name(b)} ({b_ - a})" for b, a, b_ in runs]
    if axis in ("both", "x"):
        ax.set_xticks(centres, labels)
    if axis in ("both", "y"):
        ax.set_yticks(centres, labels)


def plot_consensus(c: Coalitions):
    """Co-assignment matrix ordered by bloc: how often two delegations share a community
    across seeds and resolutions (one row and column per delegation; blocs named on the axes)."""

    cons = c.consensus
    order = sorted(cons.nodes, key=lambda n: (c.blocs[n] == 0, c.blocs[n], n))
    idx = [cons.nodes.index(n) for n in order]
    M = cons.matrix[np.ix_(idx, idx)]
    fig, ax = figure(SINGLE, height=4.1)
    im = ax.imshow(M, cmap=SEQUENTIAL_CMAP, vmin=0, vmax=1, interpolation="nearest")
    bl = [c.blocs[n] for n in order]
    for e in [i for i in range(1, len(bl)) if bl[i] != bl[i - 1]]:
        ax.axhline(e - 0.5, color="white", lw=0.6)
        ax.axvline(e - 0.5, color="white", lw=0.6)
    _bloc_ticks(ax, bl)
    ax.tick_params(axis="x", labelrotation=90)
    ax.tick_params(length=0)
    nres = len(set(cons.runs["resolution"]))
    title(fig, f"Bloc robustness, {_session(c.doc_id)}: share of {len(cons.runs)} Louvain runs "
                      f"({len(cons.runs) // max(nres, 1)} seeds × {nres} resolutions) placing two delegations "
                      "together (one row and one column per delegation, ordered by bloc)")
    fig.colorbar(im, ax=ax, orientation="horizontal", fraction=0.05, pad=0.02, aspect=30,
                 label="co-assignment share")
    return fig


SIDE_WORDS = {"alt": "an alternative wording on"}


def _pole(sub: pd.DataFrame) -> str:
    """``for “Title” (art. 15 octies); against …`` for the top columns of one end of an axis."""
    parts = []
    for r in sub.itertuples():
        title = getattr(r, "title", "") or ""
        art = f"art. {r.article}" if r.article else "an unplaced proposal"
        side = SIDE_WORDS.get(r.side, r.side)
        parts.append(f"{side} “{title}” ({art})" if title else f"{side} {art}")
    return "; ".join(dict.fromkeys(parts))


def axis_title(pm, dim: int, n: int = 2) -> tuple[str, str, str]:
    """``(name, low end, high end)`` of a map axis, named by meaning: the articles (display titles)
    and the side taken on the proposals that pull delegations to each end."""
    sub = pm.loadings[pm.loadings["dim"] == dim]
    hi = _pole(sub[sub["coordinate"] > 0].head(n))
    lo = _pole(sub[sub["coordinate"] < 0].head(n))
    return f"Dimension {dim} ({100 * pm.inertia[dim - 1]:.1f}% of inertia)", lo, hi


def plot_positions_map(c: Coalitions, label_all: bool = True):
    """Delegations on the first two correspondence-analysis axes, coloured by bloc; each axis named
    by the proposals (article and side taken) that pull delegations to its two ends.  Labels go where
    they overlap nothing; in a cluster too dense for that, the rest are left out (counted in the note)."""

    pm = c.map
    fig, ax = figure(DOUBLE, height=6.2)
    co = pm.coords.merge(c.nodes[["delegation_id", "bloc", "weighted_degree"]], on="delegation_id", how="left")
    co["bloc"] = co["bloc"].fillna(0).astype(int)
    for b in sorted(set(co["bloc"])):
        sub = co[co["bloc"] == b]
        ax.scatter(sub["dim1"], sub["dim2"], s=14, color=_bloc_colour(b), edgecolor="white", linewidth=0.4,
                   label=_bloc_name(b), zorder=2)
    ax.axhline(0, color="#cccccc", lw=0.5, zorder=1)
    ax.axvline(0, color="#cccccc", lw=0.5, zorder=1)
    name1, lo1, hi1 = axis_title(pm, 1)
    name2, lo2, hi2 = axis_title(pm, 2)
    ax.set_xlabel(name1)
    ax.set_ylabel(name2)
    dx = 0.05 * (co["dim1"].max() - co["dim1"].min())
    dy = 0.05 * (co["dim2"].max() - co["dim2"].min())
    ax.set_xlim(co["dim1"].min() - dx, co["dim1"].max() + dx)
    ax.set_ylim(co["dim2"].min() - dy, co["dim2"].max() + dy)
    title(fig, f"Positions map, {_session(c.doc_id)}: correspondence analysis of {len(pm.coords)} "
                      f"delegations × {pm.n_columns} proposal sides (for / against)")
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.07), ncol=6, frameon=False, handletextpad=0.2)
    note_text = (f"Right (+) on dimension 1: {hi1}. Left (−): {lo1}.\n"
                 f"Up (+) on dimension 2: {hi2}. Down (−): {lo2}.")
    note(fig, note_text)
    if label_all:
        order = co.sort_values(["n_positions", "delegation_id"], ascending=[False, True], kind="mergesort")
        radius = math.sqrt(14) / 2 + 0.4
        got = place_labels(ax, list(order["dim1"]), list(order["dim2"]), list(order["delegation_id"]),
                           radii_pt=radius, fontsize=FONT["small"], max_shift_pt=40,
                           bbox=dict(boxstyle="square,pad=0.05", facecolor="white", alpha=0.7, lw=0))
        missing = sum(t is None for t in got)
        if missing:
            ax.text(1.0, 1.0, f"{missing} delegations in dense clusters left unlabelled",
                    transform=ax.transAxes, ha="right", va="top", fontsize=FONT["small"], color="#555555")
    return fig


def plot_brokers(c: Coalitions, n: int = 15):
    """Betweenness of the top brokers, coloured by bloc."""

    b = brokers(c.nodes, n).iloc[::-1]
    fig, ax = figure(DOUBLE, height=0.22 * max(len(b), 4) + 1.3)
    y = np.arange(len(b))
    ax.barh(y, b["betweenness"], color=[_bloc_colour(int(x)) for x in b["bloc"]], height=0.7)
    ax.set_yticks(y, [wrap(f"{r.delegation_id} ({r.name})", 2.6, FONT["small"]).replace("\n", "\n   ")
                      if len(r.name) > 34 else f"{r.delegation_id} ({r.name})" for r in b.itertuples()])
    for i, r in enumerate(b.itertuples()):
        ax.text(r.betweenness, i, f"  bloc {r.bloc}, P = {r.participation:.2f}", va="center", fontsize=FONT["small"])
    ax.set_xlim(0, float(b["betweenness"].max()) * 1.28 if len(b) else 1)
    ax.set_xlabel("betweenness centrality (normalised; edge length = 1 / agreement weight)")
    title(fig, f"Brokers, {_session(c.doc_id)}: delegations lying on the largest share of shortest paths between others "
                      "(colour = bloc; P = participation coefficient: share of ties reaching other blocs)")
    return fig


def plot_conflict(c: Coalitions):
    """Bloc × bloc net agreement (agreement − opposition weight): a sequential scale when no pair
    of blocs is net-opposed, a diverging one centred on 0 otherwise; cell text by contrast."""

    cm = c.conflict_matrix()
    bl = sorted(set(cm["bloc_a"]) | set(cm["bloc_b"]))
    M = pd.DataFrame(0.0, index=bl, columns=bl)
    for r in cm.itertuples():
        M.loc[r.bloc_a, r.bloc_b] = r.net
        M.loc[r.bloc_b, r.bloc_a] = r.net
    fig, ax = figure(SINGLE, height=3.6)
    vals = M.to_numpy()
    # a diverging scale only when some pair of blocs opposes on balance by a visible amount (5% of the
    # largest value); otherwise one sequential scale from the smallest value up
    negative = bool(vals.min() < -0.05 * max(float(np.abs(vals).max()), 1e-9))
    if negative:
        v = max(float(np.abs(vals).max()), 1e-9)
        cmap, norm = plt.get_cmap(DIVERGING_CMAP), Normalize(-v, v)
        what = "Lines of conflict"
    else:
        cmap, norm = plt.get_cmap(SEQUENTIAL_CMAP), Normalize(min(0.0, float(vals.min())), max(float(vals.max()), 1e-9))
        what = "Net agreement"
    im = ax.imshow(vals, cmap=cmap, norm=norm)
    lab = [_bloc_name(b) for b in bl]
    ax.set_xticks(range(len(bl)), lab, rotation=90)
    ax.set_yticks(range(len(bl)), lab)
    ax.tick_params(length=0)
    for i in range(len(bl)):
        for j in range(len(bl)):
            v_ = vals[i, j]
            ax.text(j, i, f"{v_:.0f}" if abs(v_) >= 10 else f"{v_:.1f}".replace("-0.0", "0.0"), ha="center",
                    va="center", fontsize=FONT["small"], color=text_colour(cmap(norm(v_))))
    fig.colorbar(im, ax=ax, fraction=0.05, pad=0.03, label="agreement − opposition\n(Newman weights)")
    suffix = "" if negative else (" (every pair agrees on balance)" if vals.min() >= 0 else
                                " (no pair opposes on balance by a visible amount)")
    title(fig, f"{what} within and between blocs, {_session(c.doc_id)}{suffix}")
    return fig


def plot_sessions(cmp: SessionComparison):
    """Cross-table of bloc membership, 4th vs 6th session (shared delegations); cell text by contrast."""

    ct = cmp.crosstab
    fig, ax = figure(SINGLE, height=3.3)
    cmap = plt.get_cmap(SEQUENTIAL_CMAP)
    norm = Normalize(0, max(float(ct.to_numpy().max()), 1))
    im = ax.imshow(ct.to_numpy(), cmap=cmap, norm=norm)
    ax.set_xticks(range(ct.shape[1]), [str(b) for b in ct.columns])
    ax.set_yticks(range(ct.shape[0]), [str(b) for b in ct.index])
    ax.set_xlabel(f"bloc in the {_session(cmp.doc_a)}")
    ax.set_ylabel(wrap(f"bloc in the {_session(cmp.doc_b)}", 2.2, FONT["label"]))
    ax.tick_params(length=0)
    for i in range(ct.shape[0]):
        for j in range(ct.shape[1]):
            v = int(ct.iloc[i, j])
            ax.text(j, i, str(v), ha="center", va="center", fontsize=FONT["small"], color=text_colour(cmap(norm(v))))
    fig.colorbar(im, ax=ax, fraction=0.05, pad=0.03, label="delegations")
    title(fig, f"Did the blocs hold? {len(cmp.shared)} delegations aligned in both sessions; "
                      f"adjusted Rand index {cmp.ari:.2f}")
    return fig


def network_html(c: Coalitions, path: Path, div_id: str | None = None,
                 pos: dict[str, tuple[float, float]] | None = None) -> Path:
    """Interactive plotly view of the agreement network, laid out as the static figure (same
    positions, colours and bloc legend): hover for name, bloc, group, degree and betweenness; click
    legend entries to show or hide a bloc.  Follows the window's width; source line under the plot.

    ``pos``: node positions when already computed (``layout(c.bloc_graph)``)."""

    G = c.bloc_graph
    pos = layout(G) if pos is None else pos
    ex, ey = [], []
    for a, b in sorted(G.edges()):
        ex += [pos[a][0], pos[b][0], None]
        ey += [pos[a][1], pos[b][1], None]
    traces = [go.Scatter(x=ex, y=ey, mode="lines", line=dict(width=0.5, color="#cccccc"), hoverinfo="skip",
                         name="agreement tie", showlegend=True)]
    nd = c.nodes
    kmax = max(float(nd["weighted_degree"].max()), 1e-9) if len(nd) else 1.0
    for b in sorted(set(nd["bloc"])):
        sub = nd[nd["bloc"] == b]
        text = [f"<b>{r.name}</b> ({r.delegation_id})<br>{_bloc_name(r.bloc)} · {r.regional_group}<br>"
                f"weighted degree {r.weighted_degree:.2f} · ties {r.degree}<br>betweenness {r.betweenness:.3f} · "
                f"participation {r.participation:.2f}<br>proposals {r.n_proposals} · sponsored {r.n_sponsored}"
                for r in sub.itertuples()]
        traces.append(go.Scatter(
            x=[pos[n][0] for n in sub["delegation_id"]], y=[pos[n][1] for n in sub["delegation_id"]],
            mode="markers+text", text=list(sub["delegation_id"]), textposition="top center", textfont=dict(size=9),
            hovertext=text, hoverinfo="text",
            marker=dict(size=list(np.sqrt(_marker_area(sub["weighted_degree"], kmax)) * 1.3),
                        color=_bloc_colour(int(b)), line=dict(width=0.5, color="white")),
            name=f"{_bloc_name(int(b))} ({len(sub)})"))
    fig = go.Figure(traces)
    html_layout(fig, f"Agreement network, {_session(c.doc_id)}: {G.number_of_nodes()} delegations, "
                     f"{G.number_of_edges()} ties",
                [c.doc_id], height=780, legend_title="bloc (members)",
                subtitle="colour = Louvain bloc, node size = weighted degree; hover a delegation, click a legend "
                         "entry to hide or show a bloc (double-click to isolate it)")
    fig.update_layout(xaxis=dict(visible=False), yaxis=dict(visible=False))
    return save_html(fig, path, div_id or f"coalition-network-{c.doc_id}", source=f"Source: treatydrafts, {c.doc_id}")
