"""Figures of the who-wrote-the-treaty study (:mod:`treatydrafts.analysis.lineage`).

Each function takes the :class:`~treatydrafts.analysis.lineage.Lineage` result and returns a figure in
the project style (:mod:`.style`): two journal columns wide, every text 7 pt or more, a title, a legend
for every colour and line style that means something.  Article titles are the articles' display titles
(``articles.display_title``: bracket notation and proposals resolved), whole and wrapped, never cut;
``titles`` (``(doc_id, article_seq) -> display title``, :func:`display_titles`) is read from the
public API's corpus when not given.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from .. import corpus as _corpus
from ..analysis.crosswalk import CHAIR, CND, clean_title
from ..analysis.lineage import Lineage
from ..analysis.scope import display_titles as _display_titles
from .networks import _bloc_colour
from .style import DOUBLE, FONT, GREY, PALETTE, figure, note, title, wrap

OUTCOME_ORDER = ("verbatim", "substance", "not_taken_up", "article_dropped")
OUTCOME_COLOUR = {"verbatim": PALETTE[2], "substance": PALETTE[5], "not_taken_up": PALETTE[1],
                  "article_dropped": GREY, "deletion_achieved": PALETTE[2], "deletion_not_achieved": PALETTE[1]}
OUTCOME_LABEL = {"verbatim": "taken up word for word", "substance": "near match (substance)",
                 "not_taken_up": "not taken up", "article_dropped": "article dropped"}
ADOPTED_SOURCE = "A/RES/79/243 (numbers from public sources: docs/crosswalk.md)"
MIN_UNITS = 10  # delegations with at least this many sponsor units get a row in the influence figure
LINE_IN = 0.13  # one line of a 7 pt label and a little air, inches
PCT_TICKS = ([0, 0.25, 0.5, 0.75, 1], ["0", "25%", "50%", "75%", "100%"])
REGION_SHORT = {"Western European and Others": "WEOG", "Latin American and Caribbean": "GRULAC",
                "(organization)": "organizations"}


def display_titles(corpus=None) -> dict[tuple[str, int], str]:
    """``(doc_id, article_seq)`` → display title of every article of the CND and the Chair's draft
    (``articles.display_title``), from ``corpus`` (default: the public API's)."""
    corpus = corpus or _corpus.DEFAULT
    return _display_titles(pd.concat([corpus.load(d).articles for d in (CND, CHAIR)], ignore_index=True))


def _article_title(titles: dict, doc_id: str, seq: int, raw: str) -> str:
    """The article's display title; its cleaned raw title when it has none."""
    return (titles.get((doc_id, int(seq))) or "").strip() or clean_title(raw)


def _lines(label: str) -> int:
    return label.count("\n") + 1


def _stack_rows(labels: list[str], gap: float = 0.0) -> tuple[np.ndarray, float]:
    """Row centres in lines (downwards) so that each label gets as many lines as it has, plus
    ``gap``; and the total height in lines."""
    n = np.array([_lines(lab) + gap for lab in labels], dtype=float)
    y = np.concatenate([[0.0], np.cumsum((n[:-1] + n[1:]) / 2)]) if len(n) else n
    return y, float(n.sum())


def _legend_below(fig, handles, labels=None, **kw):
    """A figure legend across the whole width under the plot (above any :func:`~.style.note` and the
    source line: call it after ``note``); the layout keeps room for it, as ``note`` does."""
    engine = fig.get_layout_engine()
    left, bottom, width, height = engine.get()["rect"]
    labels = [h.get_label() for h in handles] if labels is None else labels
    leg = fig.legend(handles, labels, loc="lower center", bbox_to_anchor=(0.5, bottom), frameon=False, **kw)
    leg.set_in_layout(False)
    top = leg.get_window_extent(fig.canvas.get_renderer()).y1 / fig.bbox.height + 0.03 / fig.get_figheight()
    engine.set(rect=(left, top, width, height - (top - bottom)))
    return leg


def _shares(units: pd.DataFrame, by: str) -> pd.DataFrame:
    """Share of each outcome of ``units`` per value of ``by`` (columns: OUTCOME_ORDER, plus n)."""
    ct = pd.crosstab(units[by], units["outcome"]).reindex(columns=list(OUTCOME_ORDER), fill_value=0)
    n = ct.sum(axis=1)
    out = ct.div(n, axis=0)
    out["n"] = n
    return out


def _stacked(ax, shares: pd.DataFrame, labels: list[str], y=None, legend: bool = True) -> np.ndarray:
    y = np.arange(len(shares), dtype=float) if y is None else np.asarray(y, dtype=float)
    left = np.zeros(len(shares))
    for o in OUTCOME_ORDER:
        ax.barh(y, shares[o].to_numpy(), left=left, color=OUTCOME_COLOUR[o], height=0.8,
                label=OUTCOME_LABEL[o] if legend else None, edgecolor="white", linewidth=0.3)
        left += shares[o].to_numpy()
    ax.set_yticks(y, labels)
    ax.tick_params(axis="y", length=0)
    if len(y):
        ax.set_ylim(y[-1] + 0.7, y[0] - 0.7)
    ax.set_xlim(0, 1)
    ax.set_xticks(*PCT_TICKS)
    return y


def _sponsor_units(r: Lineage) -> pd.DataFrame:
    return r.outcomes[(r.outcomes["unit_group"] == "sponsor") & (r.outcomes["outcome"] != "unclear")]


def plot_outcomes_by_article(r: Lineage, titles: dict | None = None):
    """Outcome shares of the sponsor units per CND article (articles with at least one), in document
    order; each article named by its display title, wrapped."""
    titles = display_titles() if titles is None else titles
    sh = _shares(_sponsor_units(r), "article_seq").sort_index()
    pa = r.crosswalk.provision_articles
    pa = pa[pa["doc_id"] == CND].set_index("article_seq")
    labels = [wrap(f"art. {pa.loc[s, 'article']} {_article_title(titles, CND, s, pa.loc[s, 'title'])} "
                   f"(n={int(sh.loc[s, 'n'])})", 3.0, FONT["small"]) for s in sh.index]
    y, total = _stack_rows(labels)
    fig, ax = figure(DOUBLE, height=(total + 1.4) * LINE_IN + 1.55)
    _stacked(ax, sh, labels, y)
    ax.set_xlabel("share of the article's proposals with sponsors (n: proposals)")
    title(fig, "What became of the CND proposals in the Chair's draft, by CND article")
    _legend_below(fig, *ax.get_legend_handles_labels(), ncol=4)
    return fig


def _bloc_labels(r: Lineage) -> dict[int, str]:
    """``bloc -> "bloc 1: JPN, MEX, EU"`` (its three members with the most sponsor units)."""
    d = r.influence.delegations
    out = {}
    for b, g in d[d["bloc_ahc4"].notna()].groupby("bloc_ahc4"):
        top = g.sort_values(["n_sponsor_units", "delegation_id"], ascending=[False, True])["delegation_id"].head(3)
        out[int(b)] = (f"bloc {b}: " if b else "unaligned: ") + ", ".join(top)
    return out


def _group_panel(ax, r: Lineage, grouping: str, labels: dict[str, str], panel_title: str, legend: bool) -> None:
    g = r.influence.groups
    g = g[(g["grouping"] == grouping) & (g["n_sponsor_units"] > 0) & (g["group_value"] != "none")]
    u = _sponsor_units(r)
    mem = u.assign(d=u["delegation_ids"].str.split(", ")).explode("d")
    key = dict(zip(r.influence.delegations["delegation_id"], r.influence.delegations[grouping].astype(str)))
    mem["group_value"] = mem["d"].map(key)
    mem = mem.dropna(subset=["group_value"]).drop_duplicates(["proposal_id", "group_value"])
    sh = _shares(mem, "group_value").reindex(list(g["group_value"]))
    y = _stacked(ax, sh, [f"{labels.get(v, v)} (n={int(n)})" for v, n in zip(g["group_value"], g["n_sponsor_units"])],
                 legend=legend)
    ax.errorbar(g["share_taken_up"], y, xerr=[g["share_taken_up"] - g["share_low"], g["share_high"] - g["share_taken_up"]],
                fmt="o", color="black", ms=3, capsize=2, lw=0.9,
                label="share taken up word for word, 95% Wilson interval" if legend else None)
    ax.set_title(panel_title, loc="left", fontsize=FONT["label"])
    ax.set_xlabel("share of sponsored proposals")


def plot_outcomes_by_group(r: Lineage):
    """Outcome shares of the sponsor units per 4th-session Louvain bloc and per UN regional group,
    with the take-up share's 95% Wilson interval (a unit counts for every group of its sponsors)."""
    blocs = {str(b): lab for b, lab in _bloc_labels(r).items()}
    fig, (a1, a2) = figure(DOUBLE, height=3.9, ncols=2)
    _group_panel(a1, r, "bloc_ahc4", blocs, "Louvain blocs, 4th session", legend=True)
    _group_panel(a2, r, "regional_group", REGION_SHORT, "UN regional groups", legend=False)
    title(fig, "What became of the CND proposals in the Chair's draft, by bloc and by regional group")
    note(fig, "n: proposals with sponsors; a proposal counts for every group of its sponsors. Blocs are named by "
              "their three members with the most sponsored proposals.")
    _legend_below(fig, *a1.get_legend_handles_labels(), ncol=3)
    return fig


def plot_influence(r: Lineage, min_units: int = MIN_UNITS):
    """Take-up share per delegation (at least ``min_units`` sponsor units), raw and adjusted for
    contestation side by side, with 95% intervals, coloured by 4th-session bloc (the colours of the
    coalition figures), the share over all proposals dotted."""
    d = r.influence.delegations
    d = d[d["n_sponsor_units"] >= min_units].sort_values(["share_taken_up", "delegation_id"], ascending=[False, True])
    overall = r.influence.groups.query("grouping == 'all'")["share_taken_up"].iloc[0]
    fig, axes = figure(DOUBLE, height=len(d) * LINE_IN + 2.3, ncols=2, sharey=True)
    fig.get_layout_engine().set(wspace=0.08)  # air between the panels' "100%" and "0"
    y = np.arange(len(d))
    colours = [_bloc_colour(-1 if pd.isna(b) else int(b)) for b in d["bloc_ahc4"]]
    for ax, (col, lo, hi, panel) in zip(axes, (("share_taken_up", "share_low", "share_high",
                                                "Raw (95% Wilson interval)"),
                                               ("adjusted_share", "adjusted_low", "adjusted_high",
                                                "Adjusted for contestation (95% exact Poisson interval)"))):
        ax.hlines(y, d[lo], np.minimum(d[hi], 1.0), color=colours, lw=1.2)
        ax.scatter(d[col], y, c=colours, s=14, zorder=3)
        ax.axvline(overall, color="black", lw=0.6, ls=":")
        ax.set_xlim(0, 1)
        ax.set_xticks(*PCT_TICKS)
        ax.set_title(wrap(panel, 3.2, FONT["label"]), loc="left", fontsize=FONT["label"])
        ax.set_xlabel("share taken up word for word")
    axes[0].set_yticks(y, [f"{a} ({n})" for a, n in zip(d["delegation_id"], d["n_sponsor_units"])])
    axes[0].tick_params(axis="y", length=0)
    axes[0].set_ylim(len(d) - 0.4, -0.6)
    names = _bloc_labels(r)
    blocs = sorted({-1 if pd.isna(b) else int(b) for b in d["bloc_ahc4"]}, key=lambda b: (b <= 0, b))
    handles = [Line2D([], [], marker="o", ms=4, lw=1.2, color=_bloc_colour(b),
                      label=names.get(b, "in no 4th-session bloc") if b > 0 else "unaligned or absent")
               for b in blocs]
    handles.append(Line2D([], [], ls=":", lw=0.8, color="black", label=f"all sponsored proposals ({overall:.0%})"))
    title(fig, f"Whose CND proposals the Chair's draft took up word for word: the {len(d)} delegations with "
               f"{min_units} or more sponsored proposals")
    note(fig, "In brackets: sponsored proposals. Adjusted: take-ups observed over those expected from how "
              "contested each proposal's article was, times the overall share; intervals capped at 100%.")
    _legend_below(fig, handles, ncol=3, title="colour: 4th-session Louvain bloc (its three members with the most "
                                              "sponsored proposals)")
    return fig


def _spread(targets: np.ndarray, need: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Row centres as near ``targets`` as the order allows, rows ``need`` lines tall, within [lo, hi]."""
    y = np.array(targets, dtype=float)
    for i in range(len(y)):
        floor = lo + need[0] / 2 if i == 0 else y[i - 1] + (need[i - 1] + need[i]) / 2
        y[i] = max(y[i], floor)
    for i in reversed(range(len(y))):
        ceil = hi - need[-1] / 2 if i == len(y) - 1 else y[i + 1] - (need[i] + need[i + 1]) / 2
        y[i] = min(y[i], ceil)
    return y


def plot_chapter_lineage(r: Lineage, titles: dict | None = None):
    """The criminalization chapter from the CND to the adopted convention: every CND article of
    chapter II (left), its Chair's-draft article (middle) and its adopted article (right); titles
    whole, wrapped."""
    titles = display_titles() if titles is None else titles
    pa = r.crosswalk.provision_articles
    prov = r.crosswalk.provisions.set_index("provision_id")
    cnd = pa[(pa["doc_id"] == CND) & (pa["chapter"] == "II")].sort_values("article_seq")
    chair = pa[(pa["doc_id"] == CHAIR) & (pa["chapter"] == "II")].sort_values("article_seq")
    # columns, inches from the left edge of the axes (which spans the figure's width)
    X0, X1, X2, XMAX = 3.0, 3.9, 4.4, DOUBLE - 0.1  # CND labels end; Chair's dots; adopted labels start
    cnd_labels = [wrap(f"{a}  {_article_title(titles, CND, s, t)}", X0 - 0.1, FONT["small"])
                  for a, s, t in zip(cnd["article"], cnd["article_seq"], cnd["title"])]
    yc_list, total = _stack_rows(cnd_labels, gap=0.1)
    yc = dict(zip(cnd["article_seq"], yc_list))
    adopted_labels = []
    for pid in chair["provision_id"]:
        p = prov.loc[pid]
        adopted_labels.append(wrap(f"art. {int(p['adopted_article'])}  {clean_title(p['adopted_title'])}",
                                   XMAX - X2, FONT["small"]))
    need = np.array([_lines(lab) + 0.3 for lab in adopted_labels])
    total = max(total, float(need.sum()))
    sources = {pid: [yc[s] for s, q in zip(cnd["article_seq"], cnd["provision_id"]) if q == pid]
               for pid in chair["provision_id"]}
    idx = np.arange(len(chair))
    known = np.array([bool(sources[p]) for p in chair["provision_id"]])
    targets = np.array([np.mean(sources[p]) if sources[p] else np.nan for p in chair["provision_id"]])
    if known.any():
        targets = np.interp(idx, idx[known], targets[known])
    else:
        targets = (idx + 0.5) * total / max(len(chair), 1)
    ych = dict(zip(chair["provision_id"], _spread(targets, need, -0.5, total - 0.5)))

    header = 3.0  # lines above the first row for the column heads
    fig, ax = figure(DOUBLE, height=(total + header + 0.5) * LINE_IN + 1.0)  # + title, legend, source line
    fate_colour = {"re_proposed": PALETTE[4], "dropped_by_chair": PALETTE[3]}
    for (s, row), lab in zip(cnd.set_index("article_seq").iterrows(), cnd_labels):
        p = prov.loc[row["provision_id"]]
        kept = row["provision_id"] in ych
        colour = "black" if kept else fate_colour.get(p["fate"], GREY)
        ax.text(X0, yc[s], lab, ha="right", va="center", fontsize=FONT["small"], color=colour)
        if kept:
            ax.plot([X0 + 0.06, X1], [yc[s], ych[row["provision_id"]]], color=PALETTE[0], lw=0.8)
        else:
            ax.plot([X0 + 0.1], [yc[s]], marker=">" if p["fate"] == "re_proposed" else "x", color=colour, ms=4)
    confidence = {"high": PALETTE[2], "medium": PALETTE[1], "low": PALETTE[3]}
    for (s, row), lab in zip(chair.set_index("article_seq").iterrows(), adopted_labels):
        p = prov.loc[row["provision_id"]]
        yy = ych[row["provision_id"]]
        ax.plot([X1], [yy], "o", color="black", ms=2.5)
        ax.text(X1 + 0.05, yy, row["article"], va="center", fontsize=FONT["small"])
        ax.plot([X1 + 0.22, X2 - 0.05], [yy, yy], color=confidence.get(p["adopted_confidence"], GREY), lw=1.0,
                ls="--" if p["adopted_relation"] == "moved" else "-")
        ax.text(X2, yy, lab, va="center", fontsize=FONT["small"])
    for x, ha, lab in ((X0, "right", "CND, chapter II\n(January 2023)"), (X1, "center", "Chair's draft\n(May 2023)"),
                       (X2, "left", "Adopted convention\n(A/RES/79/243)")):
        ax.text(x, -0.9, lab, ha=ha, va="bottom", fontsize=FONT["label"], fontweight="bold")
    fates = {prov.loc[q, "fate"] for q in cnd["provision_id"] if q not in ych}
    confs = [c for c in confidence if c in set(prov.loc[list(ych), "adopted_confidence"])]
    handles = [Line2D([], [], color=PALETTE[0], label="kept, renamed or merged by the Chair")]
    if "dropped_by_chair" in fates:
        handles.append(Line2D([], [], color=PALETTE[3], marker="x", ls="", label="dropped by the Chair"))
    if "re_proposed" in fates:
        handles.append(Line2D([], [], color=PALETTE[4], marker=">", ls="",
                              label="dropped by the Chair; re-proposed at the 6th session"))
    if not known.all():
        handles.append(Line2D([], [], color="black", marker="o", ms=2.5, ls="",
                              label="Chair's article with no CND article: new in the Chair's draft"))
    handles += [Line2D([], [], color=confidence[c], label=f"adopted number: {c} confidence") for c in confs]
    if (prov.loc[list(ych), "adopted_relation"] == "moved").any():
        handles.append(Line2D([], [], color="black", ls="--", label="moved to another chapter"))
    ax.legend(handles=handles, ncol=2, frameon=False, loc="upper center", bbox_to_anchor=(0.5, 0.0))
    ax.set_xlim(0, XMAX)
    ax.set_ylim(total - 0.5, -header)
    ax.axis("off")
    title(fig, "The criminalization chapter from the CND to the Chair's draft and the adopted convention")
    return fig
