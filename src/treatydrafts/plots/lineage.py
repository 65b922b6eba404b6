"""Figures of the who-wrote-the-treaty study (:mod:`treatydrafts.analysis.lineage`).

Each function takes the :class:`~treatydrafts.analysis.lineage.Lineage` result and returns a
matplotlib figure at most 7 inches wide, every text at 7 pt or more.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
from matplotlib.lines import Line2D

from ..analysis.crosswalk import DANGLING_RE, clean_title
from ..analysis.lineage import Lineage
from .style import GREY, PALETTE, figure

WIDTH = 6.9  # inches: fits a 7-inch text width
MIN_FONT = 7
OUTCOME_ORDER = ("verbatim", "substance", "not_taken_up", "article_dropped")
OUTCOME_COLOUR = {"verbatim": PALETTE[2], "substance": PALETTE[5], "not_taken_up": PALETTE[1],
                  "article_dropped": GREY, "deletion_achieved": PALETTE[2], "deletion_not_achieved": PALETTE[1]}
OUTCOME_LABEL = {"verbatim": "taken up word for word", "substance": "near match (substance)",
                 "not_taken_up": "not taken up", "article_dropped": "article dropped"}
ADOPTED_SOURCE = "A/RES/79/243 (numbers from public sources: docs/crosswalk.md)"
MIN_UNITS = 10  # delegations with at least this many sponsor units get a row in the influence figure


def short(text: str, n: int) -> str:
    """``text`` cut at a word boundary to at most ``n`` characters (``…`` when cut)."""
    if len(text) <= n:
        return text
    cut = text[:n - 1].rsplit(" ", 1)[0].rstrip(" ,;:")
    return cut + "…"


def cnd_title(title: str, provision_title: str) -> str:
    """A CND article's title for a label: its own (cleaned), or its provision's when the CND's is
    struck out or cut short (``Participation and ~~[attempt: attack: RU]~~``)."""
    t = clean_title(title)
    if t == "(untitled)" or DANGLING_RE.search(t):
        return provision_title
    return t


def ict(title: str) -> str:
    """``information and communications technology`` → ``ICT`` (a label's length)."""
    return re.sub(r"information and communications technology", "ICT", title, flags=re.I)


def _shares(units: pd.DataFrame, by: str) -> pd.DataFrame:
    """Share of each outcome of ``units`` per value of ``by`` (columns: OUTCOME_ORDER, plus n)."""
    ct = pd.crosstab(units[by], units["outcome"]).reindex(columns=list(OUTCOME_ORDER), fill_value=0)
    n = ct.sum(axis=1)
    out = ct.div(n, axis=0)
    out["n"] = n
    return out


def _stacked(ax, shares: pd.DataFrame, labels: list[str], legend: bool = True) -> None:
    y = np.arange(len(shares))
    left = np.zeros(len(shares))
    for o in OUTCOME_ORDER:
        ax.barh(y, shares[o].to_numpy(), left=left, color=OUTCOME_COLOUR[o], height=0.75,
                label=OUTCOME_LABEL[o] if legend else None, edgecolor="white", linewidth=0.3)
        left += shares[o].to_numpy()
    ax.set_yticks(y, labels, fontsize=MIN_FONT)
    ax.invert_yaxis()
    ax.set_xlim(0, 1)
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1], ["0", "25%", "50%", "75%", "100%"], fontsize=MIN_FONT)


def plot_outcomes_by_article(r: Lineage):
    """Outcome shares of the sponsor units per CND article (articles with at least one), in document order."""
    u = r.outcomes[(r.outcomes["unit_group"] == "sponsor") & (r.outcomes["outcome"] != "unclear")]
    sh = _shares(u, "article_seq").sort_index()
    titles = r.crosswalk.provision_articles
    titles = titles[titles["doc_id"] == "ahc4-cnd"].set_index("article_seq")
    ptitle = dict(zip(r.crosswalk.provisions["provision_id"], r.crosswalk.provisions["title"]))
    labels = [f"art. {titles.loc[s, 'article']} "
              f"{short(cnd_title(titles.loc[s, 'title'], ptitle[titles.loc[s, 'provision_id']]), 36)} (n={int(sh.loc[s, 'n'])})"
              for s in sh.index]
    fig, ax = figure(width=WIDTH, height=0.16 * len(sh) + 1.5)
    _stacked(ax, sh, labels)
    ax.set_xlabel("share of the article's sponsored proposals (n = proposals with sponsors)", fontsize=MIN_FONT + 1)
    ax.set_title("What became of the CND proposals in the Chair's draft, by CND article", fontsize=9)
    ax.legend(ncol=4, fontsize=MIN_FONT, frameon=False, loc="upper center", bbox_to_anchor=(0.35, -0.75 / fig.get_figheight()))
    fig.tight_layout()
    return fig


def _group_panel(ax, r: Lineage, grouping: str, labels: dict[str, str], title: str, legend: bool) -> None:
    g = r.influence.groups
    g = g[(g["grouping"] == grouping) & (g["n_sponsor_units"] > 0) & (g["group_value"] != "-1")]
    u = r.outcomes[(r.outcomes["unit_group"] == "sponsor") & (r.outcomes["outcome"] != "unclear")]
    mem = u.assign(d=u["delegation_ids"].str.split(", ")).explode("d")
    key = dict(zip(r.influence.delegations["delegation_id"], r.influence.delegations[grouping].astype(str)))
    mem["group_value"] = mem["d"].map(key)
    mem = mem.dropna(subset=["group_value"]).drop_duplicates(["proposal_id", "group_value"])
    sh = _shares(mem, "group_value").reindex(list(g["group_value"]))
    _stacked(ax, sh, [f"{labels.get(v, v)} (n={int(n)})" for v, n in zip(g["group_value"], g["n_sponsor_units"])],
             legend=legend)
    y = np.arange(len(g))
    ax.errorbar(g["share_taken_up"], y, xerr=[g["share_taken_up"] - g["share_low"], g["share_high"] - g["share_taken_up"]],
                fmt="o", color="black", ms=3, capsize=2, lw=0.9, label="taken up word for word, 95% Wilson" if legend else None)
    ax.set_title(title, fontsize=8)


def plot_outcomes_by_group(r: Lineage):
    """Outcome shares of the sponsor units per 4th-session Louvain bloc and per UN regional group,
    with the take-up share's 95% Wilson interval (a unit counts for every group of its sponsors)."""
    d = r.influence.delegations
    bloc_labels = {}
    for b, g in d[d["bloc_ahc4"] >= 0].groupby("bloc_ahc4"):
        top = g.sort_values(["n_sponsor_units", "delegation_id"], ascending=[False, True])["delegation_id"].head(3)
        bloc_labels[str(b)] = (f"bloc {b}: " if b else "unaligned: ") + ", ".join(top)
    fig, (a1, a2) = figure(width=WIDTH, height=3.4, ncols=2)
    _group_panel(a1, r, "bloc_ahc4", bloc_labels, "Louvain blocs, 4th session", legend=True)
    _group_panel(a2, r, "regional_group", {"Western European and Others": "WEOG", "Latin American and Caribbean": "GRULAC",
                                           "(organization)": "organizations"}, "UN regional groups", legend=False)
    a1.set_xlabel("share of sponsored proposals", fontsize=MIN_FONT + 1)
    a2.set_xlabel("share of sponsored proposals", fontsize=MIN_FONT + 1)
    h, lab = a1.get_legend_handles_labels()
    fig.legend(h, lab, ncol=3, fontsize=MIN_FONT, frameon=False, loc="upper center", bbox_to_anchor=(0.5, 1.08))
    fig.tight_layout()
    return fig


def plot_influence(r: Lineage, min_units: int = MIN_UNITS):
    """Take-up share per delegation (at least ``min_units`` sponsor units), raw and adjusted for
    contestation side by side, with 95% intervals, coloured by 4th-session bloc."""
    d = r.influence.delegations
    d = d[d["n_sponsor_units"] >= min_units].sort_values(["share_taken_up", "delegation_id"], ascending=[False, True])
    overall = r.influence.groups.query("grouping == 'all'")["share_taken_up"].iloc[0]
    fig, axes = figure(width=WIDTH, height=0.17 * len(d) + 1.4, ncols=2, sharey=True)
    y = np.arange(len(d))
    colours = [PALETTE[(b - 1) % len(PALETTE)] if b > 0 else GREY for b in d["bloc_ahc4"]]
    for ax, (col, lo, hi, title) in zip(axes, (("share_taken_up", "share_low", "share_high", "raw (95% Wilson)"),
                                               ("adjusted_share", "adjusted_low", "adjusted_high",
                                                "adjusted for contestation (95% exact Poisson)"))):
        v = d[col].to_numpy()
        ax.hlines(y, d[lo], np.minimum(d[hi], 1.0), color=colours, lw=1.2)
        ax.scatter(v, y, c=colours, s=14, zorder=3)
        ax.axvline(overall, color="black", lw=0.6, ls=":")
        ax.set_xlim(0, 1)
        ax.set_xticks([0, 0.25, 0.5, 0.75, 1], ["0", "25%", "50%", "75%", "100%"], fontsize=MIN_FONT)
        ax.set_title(title, fontsize=8)
        ax.set_xlabel("share of sponsored proposals taken up word for word", fontsize=MIN_FONT)
    axes[0].set_yticks(y, [f"{a} ({n})" for a, n in zip(d["delegation_id"], d["n_sponsor_units"])], fontsize=MIN_FONT)
    axes[0].invert_yaxis()
    blocs = sorted(b for b in d["bloc_ahc4"].unique() if b > 0)
    handles = [Line2D([], [], marker="o", ls="", color=PALETTE[(b - 1) % len(PALETTE)], label=f"bloc {b}") for b in blocs]
    handles.append(Line2D([], [], ls=":", color="black", label="all proposals"))
    fig.legend(handles=handles, ncol=len(handles), fontsize=MIN_FONT, frameon=False, loc="upper center",
               bbox_to_anchor=(0.55, 1.0 + 0.35 / fig.get_figheight()))
    fig.tight_layout()
    return fig


def plot_chapter_lineage(r: Lineage):
    """The criminalization chapter from the CND to the adopted convention: every CND article of
    chapter II (left), its Chair's-draft article (middle) and its adopted article (right)."""
    pa = r.crosswalk.provision_articles
    prov = r.crosswalk.provisions.set_index("provision_id")
    cnd = pa[(pa["doc_id"] == "ahc4-cnd") & (pa["chapter"] == "II")].sort_values("article_seq")
    chair = pa[(pa["doc_id"] == "ahc6-chair-draft") & (pa["chapter"] == "II")].sort_values("article_seq")
    n = len(cnd)
    fig, ax = figure(width=WIDTH, height=0.16 * n + 1.2)
    yc = {s: i for i, s in enumerate(cnd["article_seq"])}
    chair_pid = dict(zip(chair["provision_id"], chair["article_seq"]))
    ych = {s: (i + 0.5) * n / len(chair) - 0.5 for i, s in enumerate(chair["article_seq"])}
    X0, X1, X2 = 0.0, 1.0, 1.45
    fate_colour = {"re_proposed": PALETTE[4], "dropped_by_chair": PALETTE[3]}
    for s, row in cnd.set_index("article_seq").iterrows():
        p = prov.loc[row["provision_id"]]
        colour = "black" if row["provision_id"] in chair_pid else fate_colour.get(p["fate"], GREY)
        ax.text(X0 - 0.03, yc[s], f"{row['article']}  {short(cnd_title(row['title'], p['title']), 42)}", ha="right",
                va="center", fontsize=MIN_FONT, color=colour)
        if row["provision_id"] in chair_pid:
            ax.plot([X0, X1], [yc[s], ych[chair_pid[row['provision_id']]]], color=PALETTE[0], lw=0.8)
        else:
            ax.plot([X0 + 0.04], [yc[s]], marker="x" if p["fate"] != "re_proposed" else ">", color=colour, ms=4)
    for s, row in chair.set_index("article_seq").iterrows():
        p = prov.loc[row["provision_id"]]
        ax.plot([X1], [ych[s]], "o", color="black", ms=2.5)
        ax.text(X1 + 0.03, ych[s], row["article"], va="center", fontsize=MIN_FONT)
        colour = {"high": PALETTE[2], "medium": PALETTE[1], "low": PALETTE[3]}.get(p["adopted_confidence"], GREY)
        ax.plot([X1 + 0.16, X2 - 0.03], [ych[s], ych[s]], color=colour, lw=1.0,
                ls="--" if p["adopted_relation"] == "moved" else "-")
        ax.text(X2, ych[s], f"art. {int(p['adopted_article'])}  {short(ict(clean_title(p['adopted_title'])), 38)}",
                va="center", fontsize=MIN_FONT)
    for x, ha, lab in ((X0 - 0.03, "right", "CND, chapter II\n(January 2023)"), (X1, "center", "Chair's draft\n(May 2023)"),
                       (X2, "left", "Adopted convention\n(A/RES/79/243)")):
        ax.text(x, -1.2, lab, ha=ha, va="bottom", fontsize=MIN_FONT + 1, fontweight="bold")
    handles = [Line2D([], [], color=PALETTE[0], label="kept, renamed or merged"),
               Line2D([], [], color=PALETTE[3], marker="x", ls="", label="dropped by the Chair"),
               Line2D([], [], color=PALETTE[4], marker=">", ls="", label="dropped; re-proposed at the 6th session"),
               Line2D([], [], color=PALETTE[2], label="adopted number: high confidence"),
               Line2D([], [], color=PALETTE[1], label="adopted number: medium confidence"),
               Line2D([], [], color="black", ls="--", label="moved to chapter I (art. 4)")]
    ax.legend(handles=handles, ncol=2, fontsize=MIN_FONT, frameon=False, loc="upper center",
              bbox_to_anchor=(0.45, 0.0))
    ax.set_xlim(-1.75, 2.75)
    ax.set_ylim(n - 0.4, -1.4)
    ax.axis("off")
    fig.tight_layout()
    return fig
