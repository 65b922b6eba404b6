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
from .style import GREY, PALETTE, figure, save_html

_CAT_COLOUR = {"cyber-dependent": 0, "cyber-enabled": 2, "content-related": 3, "other": 1}
_REL_COLOUR = {"kept": 2, "merged": 0, "dropped": 3, "re-proposed": 4, "new": 1}
DOC_SHORT = DOC_LABEL_TWO_LINES


def figure_shrinkage(measures: pd.DataFrame):
    """Shrinkage curve: offence articles per draft (base / proposed), with and without the expert proposal."""

    fig, (ax, ax2) = figure(height=3.6, ncols=2, gridspec_kw={"width_ratios": [3, 2]})
    m = measures[measures["series"] == "with_expert"].sort_values("session_order").reset_index(drop=True)
    x = np.arange(len(m))
    ok = m["has_criminalization_chapter"].to_numpy()
    base = np.where(ok, m["n_offences_base"].fillna(0).astype(int), 0)
    prop = np.where(ok, m["n_offences_proposed"].fillna(0).astype(int), 0)
    is_exp = (m["doc_id"] == EXPERT).to_numpy()
    for i in np.flatnonzero(ok):
        hatch = "///" if is_exp[i] else None
        ax.bar(x[i], base[i], color=PALETTE[0], alpha=0.45 if is_exp[i] else 1, hatch=hatch, width=0.6,
               label="base text" if i == 1 else None)
        ax.bar(x[i], prop[i], bottom=base[i], color=PALETTE[1], alpha=0.45 if is_exp[i] else 1, hatch=hatch,
               width=0.6, label="proposed by delegations" if i == 1 else None)
        ax.text(x[i], base[i] + prop[i] + 0.6, f"{base[i] + prop[i]}", ha="center", fontsize=8)
    for i in np.flatnonzero(~ok):
        ax.text(x[i], 1, "no crim.\nchapter", ha="center", va="bottom", fontsize=6, color=GREY)
    neg = [i for i in np.flatnonzero(ok) if not is_exp[i]]
    tot = base + prop
    ax.plot(x[neg], tot[neg], "-o", color="black", lw=1.2, ms=3, label="negotiating texts")
    wexp = list(np.flatnonzero(ok))
    ax.plot(x[wexp], tot[wexp], "--", color=GREY, lw=1, label="series incl. expert proposal")
    ax.set_xticks(x, [DOC_SHORT.get(d, d) for d in m["doc_id"]], fontsize=6.5)
    ax.set_ylabel("offence articles in the criminalization chapter")
    ax.set_title("Offence articles per draft")
    ax.set_ylim(0, 44)
    ax.legend(fontsize=6.5, loc="upper center", ncol=2, frameon=False)
    w = np.where(ok, m["n_words_chapter"].fillna(0).astype(int), 0)
    for i in np.flatnonzero(ok):
        ax2.bar(x[i], w[i] / 1000, color=PALETTE[5], alpha=0.45 if is_exp[i] else 1, hatch="///" if is_exp[i] else None,
                width=0.6)
        ax2.text(x[i], w[i] / 1000 + 0.15, f"{w[i] / 1000:.1f}k", ha="center", fontsize=7)
    ax2.set_xticks(x, [DOC_SHORT.get(d, d).split("\n")[0] for d in m["doc_id"]], fontsize=6.5, rotation=30, ha="right")
    ax2.set_ylabel("words in the chapter (thousands)")
    ax2.set_title("Length of the criminalization chapter")
    fig.tight_layout()
    return fig


def _sankey_layout(links: pd.DataFrame, columns: dict[str, int]):
    nodes = list(dict.fromkeys(list(links["source"]) + list(links["target"])))
    inflow = links.groupby("target")["value"].sum()
    outflow = links.groupby("source")["value"].sum()
    size = {n: max(inflow.get(n, 0), outflow.get(n, 0)) for n in nodes}
    return nodes, size


def figure_flows_static(links: pd.DataFrame, columns: dict[str, int]):
    """Static alluvial (matplotlib) of :func:`flow_links`; ``columns`` maps node name → column."""

    nodes, size = _sankey_layout(links, columns)
    fig, ax = figure(height=5.2)
    gap = 1.2
    ypos: dict[str, float] = {}
    for c in sorted(set(columns.values())):
        y = 0.0
        for n in [n for n in nodes if columns[n] == c]:
            ypos[n] = y
            y += size[n] + gap
    out_off = {n: 0.0 for n in nodes}
    in_off = {n: 0.0 for n in nodes}
    w = 0.06
    for r in links.itertuples(index=False):
        x0, x1 = columns[r.source] + w, columns[r.target] - w
        y0 = ypos[r.source] + out_off[r.source]
        y1 = ypos[r.target] + in_off[r.target]
        out_off[r.source] += r.value
        in_off[r.target] += r.value
        xm = (x0 + x1) / 2
        verts = [(x0, y0), (xm, y0), (xm, y1), (x1, y1), (x1, y1 + r.value), (xm, y1 + r.value),
                 (xm, y0 + r.value), (x0, y0 + r.value), (x0, y0)]
        codes = [MPath.MOVETO, MPath.CURVE4, MPath.CURVE4, MPath.CURVE4, MPath.LINETO, MPath.CURVE4, MPath.CURVE4,
                 MPath.CURVE4, MPath.CLOSEPOLY]
        ax.add_patch(PathPatch(MPath(verts, codes), facecolor=PALETTE[_REL_COLOUR[r.relation]], alpha=0.45, lw=0))
    for n in nodes:
        cat = n.split(": ")[-1]
        colour = PALETTE[_CAT_COLOUR[cat]] if cat in _CAT_COLOUR else GREY
        ax.add_patch(mpatches.Rectangle((columns[n] - w, ypos[n]), 2 * w, size[n], color=colour))
        ax.text(columns[n] + w + 0.02, ypos[n] + size[n] / 2, f"{n} ({int(size[n])})", va="center", ha="left",
                fontsize=6, bbox={"facecolor": "white", "alpha": 0.7, "lw": 0, "pad": 0.5})
    handles = [mpatches.Patch(color=PALETTE[v], alpha=0.45, label=k) for k, v in _REL_COLOUR.items()]
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.02), ncol=5, frameon=False, fontsize=7)
    ax.set_xlim(-0.1, max(columns.values()) + 0.75)
    ax.set_ylim(max(ypos[n] + size[n] for n in nodes) + 0.5, -0.5)
    ax.axis("off")
    ax.set_title("Offence articles from draft to draft (negotiating texts; one unit = one article)")
    return fig


def figure_flows_html(links: pd.DataFrame, path: Path) -> Path:
    """Interactive Sankey (plotly) written to ``path`` (offline plotly.js beside it, fixed div id)."""

    nodes = list(dict.fromkeys(list(links["source"]) + list(links["target"])))
    idx = {n: i for i, n in enumerate(nodes)}

    def rgba(hexcol: str, a: float) -> str:
        h = hexcol.lstrip("#")
        return f"rgba({int(h[0:2], 16)},{int(h[2:4], 16)},{int(h[4:6], 16)},{a})"

    ncol = [PALETTE[_CAT_COLOUR[n.split(': ')[-1]]] if n.split(": ")[-1] in _CAT_COLOUR else GREY for n in nodes]
    fig = go.Figure(go.Sankey(
        arrangement="fixed",
        node={"label": nodes, "color": ncol, "pad": 12, "thickness": 14},
        link={"source": [idx[s] for s in links["source"]], "target": [idx[t] for t in links["target"]],
              "value": list(links["value"]), "label": list(links["relation"]),
              "color": [rgba(PALETTE[_REL_COLOUR[r]], 0.4) for r in links["relation"]]}))
    fig.update_layout(title="Offence articles from draft to draft (ahc4-cnd → ahc6-chair-draft → ahc6-amended-draft)",
                      font_size=11, width=1000, height=650)
    return save_html(fig, path, "offence-flows")


def figure_inventory(families: pd.DataFrame):
    """Table figure: offence families (rows) × drafts (columns), cells = article labels, colour = category."""

    docs = [c for c in families.columns if c not in ("family", "category")]
    n = len(families)
    fig, ax = figure(height=0.16 * n + 1.0)
    ax.axis("off")
    cell = [[r[d] if r[d] else "—" for d in docs] for _, r in families.iterrows()]
    colours = []
    for _, r in families.iterrows():
        c = PALETTE[_CAT_COLOUR.get(r["category"], 7)] if r["category"] in _CAT_COLOUR else "#dddddd"
        colours.append([(c + "55") if r[d] else "#ffffff" for d in docs])
    tab = ax.table(cellText=cell, rowLabels=list(families["family"]), colLabels=[DOC_SHORT.get(d, d).replace("\n", " ") for d in docs],
                   cellColours=colours, loc="upper right", cellLoc="center", colWidths=[0.16] * len(docs))
    tab.auto_set_font_size(False)
    tab.set_fontsize(5.5)
    tab.scale(1, 0.9)
    handles = [mpatches.Patch(color=PALETTE[v], alpha=0.35, label=k) for k, v in _CAT_COLOUR.items()]
    ax.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=4, frameon=False, fontsize=6.5)
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
