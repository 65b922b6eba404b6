"""Figures of the criminalization-scope analysis (:mod:`treatydrafts.analysis.scope`)."""
from __future__ import annotations

from pathlib import Path

import matplotlib.patches as mpatches
import numpy as np
import pandas as pd
import plotly.graph_objects as go
from matplotlib.patches import PathPatch
from matplotlib.path import Path as MPath

from ..analysis.scope import EXPERT
from ..vocab import DOC_LABEL_TWO_LINES
from .style import DOUBLE, FONT, GREY, PALETTE, figure, html_layout, save_html, text_colour, title, wrap

_CAT_COLOUR = {"cyber-dependent": 0, "cyber-enabled": 2, "content-related": 3, "other": 1}
_REL_COLOUR = {"kept": 2, "merged": 0, "dropped": 3, "re-proposed": 4, "new": 1}
DOC_SHORT = DOC_LABEL_TWO_LINES


def _num(s: pd.Series) -> np.ndarray:
    """A count column as floats, "not applicable" (missing or −1) as 0."""
    v = pd.to_numeric(s, errors="coerce").astype(float).fillna(0).to_numpy()
    return np.where(v < 0, 0, v)


def figure_shrinkage(measures: pd.DataFrame):
    """Shrinkage curve: offence articles per draft (base / proposed), with and without the expert proposal."""

    fig, (ax, ax2) = figure(DOUBLE, height=3.5, ncols=2, gridspec_kw={"width_ratios": [3, 2]})
    m = measures[measures["series"] == "with_expert"].sort_values("session_order").reset_index(drop=True)
    x = np.arange(len(m))
    ok = m["has_criminalization_chapter"].astype(bool).to_numpy()
    base = np.where(ok, _num(m["n_offences_base"]), 0).astype(int)
    prop = np.where(ok, _num(m["n_offences_proposed"]), 0).astype(int)
    is_exp = (m["doc_id"] == EXPERT).to_numpy()
    labels = [DOC_SHORT.get(d, d) for d in m["doc_id"]]
    first = int(np.flatnonzero(ok & ~is_exp)[0]) if (ok & ~is_exp).any() else -1
    for i in np.flatnonzero(ok):
        hatch = "///" if is_exp[i] else None
        ax.bar(x[i], base[i], color=PALETTE[0], alpha=0.45 if is_exp[i] else 1, hatch=hatch, width=0.6,
               label="base text" if i == first else None, lw=0)
        ax.bar(x[i], prop[i], bottom=base[i], color=PALETTE[1], alpha=0.45 if is_exp[i] else 1, hatch=hatch,
               width=0.6, label="proposed by delegations" if i == first else None, lw=0)
        ax.text(x[i] + 0.33, base[i] + prop[i] + 0.4, f"{base[i] + prop[i]}", ha="left", va="bottom",
                fontsize=FONT["small"])
    for i in np.flatnonzero(~ok):
        ax.text(x[i], 1, "no crim.\nchapter", ha="center", va="bottom", fontsize=FONT["small"], color="#555555")
    neg = [i for i in np.flatnonzero(ok) if not is_exp[i]]
    tot = base + prop
    ax.plot(x[neg], tot[neg], "-o", color="black", lw=1.0, ms=3, label="negotiating texts")
    wexp = list(np.flatnonzero(ok))
    ax.plot(x[wexp], tot[wexp], "--", color=GREY, lw=1, label="series incl. the expert proposal (hatched)")
    ax.set_xticks(x, labels)
    ax.set_xlim(-0.6, len(x) - 0.4)
    ax.set_ylabel("offence articles in the\ncriminalization chapter")
    ax.set_title("Offence articles per draft", loc="left")
    ax.set_ylim(0, max(int(tot.max()) + 5, 10))
    w = np.where(ok, _num(m["n_words_chapter"]), 0)
    for i in np.flatnonzero(ok):
        ax2.bar(x[i], w[i] / 1000, color=PALETTE[5], alpha=0.45 if is_exp[i] else 1, hatch="///" if is_exp[i] else None,
                width=0.6, lw=0)
        ax2.text(x[i], w[i] / 1000 + 0.15, f"{w[i] / 1000:.1f}k", ha="center", va="bottom", fontsize=FONT["small"])
    ax2.set_xticks(x, [lab.split("\n")[0] for lab in labels])
    ax2.set_xlim(-0.6, len(x) - 0.4)
    ax2.set_ylabel("words in the chapter (thousands)")
    ax2.set_title("Length of the criminalization chapter", loc="left")
    ax2.set_ylim(0, max(w.max() / 1000 * 1.12, 1))
    fig.legend(*ax.get_legend_handles_labels(), loc="outside upper center", ncol=4, frameon=False)
    return fig


def flow_layout(links: pd.DataFrame, columns: dict[str, int], gap: float = 1.6):
    """One layout for the static and the interactive alluvial: node order within each column (first
    appearance in ``links``), node sizes (articles), top of each node (same units, downwards) and the
    column height.  Returns ``(nodes, size, ypos, height)``."""
    nodes = list(dict.fromkeys(list(links["source"]) + list(links["target"])))
    inflow = links.groupby("target")["value"].sum()
    outflow = links.groupby("source")["value"].sum()
    size = {n: float(max(inflow.get(n, 0), outflow.get(n, 0))) for n in nodes}
    ypos: dict[str, float] = {}
    height = 0.0
    for c in sorted(set(columns.values())):
        y = 0.0
        for n in [n for n in nodes if columns[n] == c]:
            ypos[n] = y
            y += size[n] + gap
        height = max(height, y - gap)
    return nodes, size, ypos, height


def _node_label(n: str, size: float, two_lines: bool) -> str:
    """The node's name without its draft (the column header names it) and its count."""
    name = n.split(": ", 1)[1] if ": " in n else n
    return f"{name}\n({int(size)})" if two_lines else f"{name} ({int(size)})"


def _node_colour(n: str) -> str:
    cat = n.split(": ")[-1]
    return PALETTE[_CAT_COLOUR[cat]] if cat in _CAT_COLOUR else GREY


def _column_names(nodes, columns) -> dict[int, str]:
    out = {}
    for n in nodes:
        if ": " in n:
            out.setdefault(columns[n], n.split(": ", 1)[0])
    return out


def _link_offsets(links: pd.DataFrame, ypos: dict[str, float]):
    """Where each link leaves its source and enters its target: outgoing links stacked in the
    order of their targets, incoming in the order of their sources (fewest crossings)."""
    out_off, in_off = {}, {}
    idx = list(range(len(links)))
    src, tgt, val = list(links["source"]), list(links["target"]), list(links["value"])
    acc: dict[str, float] = {}
    for i in sorted(idx, key=lambda i: (src[i], ypos[tgt[i]], i)):
        out_off[i] = acc.get(src[i], 0.0)
        acc[src[i]] = out_off[i] + val[i]
    acc = {}
    for i in sorted(idx, key=lambda i: (tgt[i], ypos[src[i]], i)):
        in_off[i] = acc.get(tgt[i], 0.0)
        acc[tgt[i]] = in_off[i] + val[i]
    return out_off, in_off


def figure_flows_static(links: pd.DataFrame, columns: dict[str, int]):
    """Static alluvial (matplotlib) of :func:`flow_links`; ``columns`` maps node name → column.

    Each node is a box holding its label (category and articles), so no label sits on a ribbon;
    the drafts head the columns."""

    nodes, size, ypos, height = flow_layout(links, columns)
    fig, ax = figure(DOUBLE, height=4.6)
    ncol = max(columns.values()) + 1
    w = 0.36  # half the width of a node box, in column units (columns 1 apart)
    out_off, in_off = _link_offsets(links, ypos)
    for i, r in enumerate(links.itertuples(index=False)):
        x0, x1 = columns[r.source] + w, columns[r.target] - w
        y0 = ypos[r.source] + out_off[i]
        y1 = ypos[r.target] + in_off[i]
        xm = (x0 + x1) / 2
        verts = [(x0, y0), (xm, y0), (xm, y1), (x1, y1), (x1, y1 + r.value), (xm, y1 + r.value),
                 (xm, y0 + r.value), (x0, y0 + r.value), (x0, y0)]
        codes = [MPath.MOVETO, MPath.CURVE4, MPath.CURVE4, MPath.CURVE4, MPath.LINETO, MPath.CURVE4, MPath.CURVE4,
                 MPath.CURVE4, MPath.CLOSEPOLY]
        ax.add_patch(PathPatch(MPath(verts, codes), facecolor=PALETTE[_REL_COLOUR[r.relation]], alpha=0.45, lw=0))
    for n in nodes:
        colour = _node_colour(n)
        ax.add_patch(mpatches.Rectangle((columns[n] - w, ypos[n]), 2 * w, size[n], facecolor=colour, lw=0))
        ax.text(columns[n], ypos[n] + size[n] / 2, _node_label(n, size[n], size[n] >= 2.6), ha="center",
                va="center", fontsize=FONT["small"], color=text_colour(colour), linespacing=1.0)
    for c, name in _column_names(nodes, columns).items():
        ax.text(c, -0.9, name, ha="center", va="bottom", fontsize=FONT["label"], fontweight="bold")
    handles = [mpatches.Patch(color=PALETTE[v], alpha=0.45, label=k) for k, v in _REL_COLOUR.items()]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=5, frameon=False,
              title="ribbons: what happened to the articles")
    ax.set_xlim(-w - 0.02, ncol - 1 + w + 0.02)
    ax.set_ylim(height + 0.3, -0.9)
    ax.axis("off")
    title(fig, "Offence articles from draft to draft (negotiating texts; one unit = one article)")
    return fig


def figure_flows_html(links: pd.DataFrame, path: Path, doc_ids: list[str] | None = None) -> Path:
    """Interactive Sankey (plotly) in the static figure's layout: same columns, same node order and
    heights (``arrangement="fixed"`` with the static positions), same colours; legend of the ribbon
    colours, source line; follows the window's width.  Written to ``path`` (offline plotly.js beside
    it, fixed div id)."""

    columns = flow_columns(links)
    nodes, size, ypos, height = flow_layout(links, columns)
    idx = {n: i for i, n in enumerate(nodes)}
    ncol = max(columns.values())

    def rgba(hexcol: str, a: float) -> str:
        h = hexcol.lstrip("#")
        return f"rgba({int(h[0:2], 16)},{int(h[2:4], 16)},{int(h[4:6], 16)},{a})"

    span = height + 1.0
    fig = go.Figure(go.Sankey(
        arrangement="fixed",
        node={"label": nodes, "color": [_node_colour(n) for n in nodes], "pad": 10, "thickness": 40,
              "x": [0.001 + 0.998 * columns[n] / max(ncol, 1) for n in nodes],
              "y": [0.001 + 0.998 * (ypos[n] + size[n] / 2) / span for n in nodes],
              "customdata": [_node_label(n, size[n], False) for n in nodes],
              "hovertemplate": "%{label}: %{value} articles<extra></extra>"},
        link={"source": [idx[s] for s in links["source"]], "target": [idx[t] for t in links["target"]],
              "value": list(links["value"]), "label": list(links["relation"]),
              "color": [rgba(PALETTE[_REL_COLOUR[r]], 0.45) for r in links["relation"]],
              "hovertemplate": "%{label}: %{value} articles<br>%{source.label} → %{target.label}<extra></extra>"}))
    # legend of the ribbon colours (a Sankey has none of its own): one empty marker trace per relation
    for rel, v in _REL_COLOUR.items():
        fig.add_trace(go.Scatter(x=[None], y=[None], mode="markers", name=rel, showlegend=True, hoverinfo="skip",
                                 marker={"symbol": "square", "size": 12, "color": rgba(PALETTE[v], 0.45)}))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    docs = doc_ids or []
    html_layout(fig, "Offence articles from draft to draft (negotiating texts; one unit = one article)", docs,
                height=650, legend_title="ribbons: what happened",
                subtitle="columns: " + " → ".join(_column_names(nodes, columns).values())
                         + "; node colour = category; hover a ribbon or a node for its articles")
    fig.update_layout(legend={"orientation": "h", "x": 0.5, "xanchor": "center", "y": 1.03, "yanchor": "bottom"},
                      margin={"t": 125})
    return save_html(fig, path, "offence-flows", source="Source: treatydrafts, " + ", ".join(docs))


def figure_inventory(families: pd.DataFrame):
    """Table figure: offence families (rows, whole display titles, wrapped) × drafts (columns), cells =
    article labels, colour = category."""

    docs = [c for c in families.columns if c not in ("family", "category")]
    name_w, col_w, line, pad = 3.1, (DOUBLE - 3.1 - 0.1) / max(len(docs), 1), 0.118, 0.05
    rows = []
    for _, r in families.iterrows():
        name = wrap(r["family"], name_w - 0.1, FONT["small"])
        cells = [wrap(r[d], col_w - 0.08, FONT["small"]) if r[d] else "—" for d in docs]
        n_lines = max([name.count("\n") + 1] + [c.count("\n") + 1 for c in cells])
        rows.append((name, cells, r["category"], n_lines * line + 2 * pad))
    head = 2 * line + 2 * pad
    total = head + sum(h for *_, h in rows)
    fig, ax = figure(DOUBLE, height=total + 0.75)
    ax.set_xlim(0, name_w + col_w * len(docs))
    ax.set_ylim(total, 0)
    ax.axis("off")
    for j, d in enumerate(docs):
        ax.text(name_w + col_w * (j + 0.5), head / 2, DOC_SHORT.get(d, d), ha="center", va="center",
                fontsize=FONT["small"], fontweight="bold")
    ax.text(0.05, head / 2, "offence family (display title)", ha="left", va="center", fontsize=FONT["small"],
            fontweight="bold")
    y = head
    for name, cells, cat, h in rows:
        colour = PALETTE[_CAT_COLOUR[cat]] if cat in _CAT_COLOUR else "#dddddd"
        ax.text(0.05, y + h / 2, name, ha="left", va="center", fontsize=FONT["small"], linespacing=1.1)
        for j, (cell, d) in enumerate(zip(cells, docs)):
            if cell != "—":
                ax.add_patch(mpatches.Rectangle((name_w + col_w * j + 0.02, y + 0.015), col_w - 0.04, h - 0.03,
                                                facecolor=colour, alpha=0.35, lw=0))
            ax.text(name_w + col_w * (j + 0.5), y + h / 2, cell, ha="center", va="center", fontsize=FONT["small"],
                    linespacing=1.1, color="black" if cell != "—" else "#777777")
        ax.axhline(y, color="#dddddd", lw=0.4)
        y += h
    handles = [mpatches.Patch(color=PALETTE[v], alpha=0.35, label=k) for k, v in _CAT_COLOUR.items()]
    fig.legend(handles=handles, loc="outside upper center", ncol=4, frameon=False)
    return fig


FLOW_COLUMNS = {"CND (4th)": 0, "dropped after CND (4th)": 1, "Chair (May 2023)": 1, "new in 6th session": 1,
                "6th session": 2}


def flow_columns(links: pd.DataFrame) -> dict[str, int]:
    nodes = list(dict.fromkeys(list(links["source"]) + list(links["target"])))
    out = {}
    for n in nodes:
        key = n if n in FLOW_COLUMNS else n.split(": ")[0]
        out[n] = FLOW_COLUMNS.get(key, 1)
    return out
