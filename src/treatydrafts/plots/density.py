"""Figures of the bracket-density analysis (:mod:`treatydrafts.analysis.density`).

Article titles are the articles' display titles (``articles.display_title``: bracket notation and
proposals resolved), whole; panels and columns run in session order (CND → Chair's draft →
amended draft)."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ..analysis.density import SEED
from ..vocab import DOC_LABEL
from .style import (DOUBLE, FONT, PALETTE, SEQUENTIAL_CMAP, figure, html_layout, place_labels, save_html,
                    title, wrap)

# Documents in session order (the order of the vocabulary's labels): panels and columns follow it.
SESSION_ORDER = tuple(DOC_LABEL)
ESTIMATE_DOCS = frozenset({"ahc6-amended-draft"})
ROW_PITCH_IN = 0.105  # one heatmap row: a 7 pt label and a little air


def _chronological(docs) -> list[str]:
    docs = list(dict.fromkeys(docs))
    return sorted(docs, key=lambda d: (SESSION_ORDER.index(d) if d in SESSION_ORDER else len(SESSION_ORDER), d))


def _short(short: dict[str, str], d: str) -> str:
    return short.get(d, d)


def _doc_colour(d: str) -> str:
    """One colour per document, the same in every density figure."""
    return PALETTE[SESSION_ORDER.index(d) % len(PALETTE)] if d in SESSION_ORDER else PALETTE[-1]


def _wrapped_doc(label: str) -> str:
    """``Amended draft (AHC6, est.)`` → ``Amended draft\n(AHC6, est.)``."""
    return label.replace(" (", "\n(", 1)


def plot_heatmap(matrix: pd.DataFrame, short: dict[str, str]):
    """Brackets per 1,000 words: articles of the Chair's draft (rows, whole display titles) × drafts."""

    n = len(matrix)
    fig, ax = figure(DOUBLE, height=ROW_PITCH_IN * n + 1.6)
    vals = np.ma.masked_invalid(matrix.to_numpy(dtype=float))
    im = ax.imshow(vals, aspect="auto", cmap=SEQUENTIAL_CMAP, interpolation="nearest")
    ax.set_facecolor("#e4e4e4")
    ax.xaxis.tick_top()  # drafts named above the columns, as in the interactive view
    ax.set_xticks(range(matrix.shape[1]), [_wrapped_doc(_short(short, c)) for c in matrix.columns], rotation=90)
    ax.set_yticks(range(n), list(matrix.index))
    ax.tick_params(length=0)
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    title(fig, "Brackets per 1,000 words: articles of the Chair's draft × drafts (grey: no aligned article)")
    fig.colorbar(im, ax=ax, location="bottom", fraction=0.015, pad=0.01, aspect=25, shrink=0.6,
                 label="brackets per 1,000 words")
    return fig


def _panel_title(short: dict[str, str], d: str, estimate: bool) -> str:
    label = _short(short, d)
    if estimate:  # the label already says "est."; say what the error bars are once
        return label.replace(", est.)", ")") + ": estimates with 90% intervals"
    return label


def plot_most_contested(top: pd.DataFrame, short: dict[str, str]):
    """The most contested articles of each draft (panels in session order), titles wrapped, whole."""

    docs = _chronological(top["doc_id"])
    label_col = "display_title" if "display_title" in top else "title"
    line_in = 0.12  # one line of a 7 pt label
    panels = {}
    for d in docs:
        g = top[top["doc_id"] == d].iloc[::-1]
        labels = [wrap(f"Art. {a}. {t}", 3.4, FONT["small"]) for a, t in zip(g["article"], g[label_col])]
        lines = np.array([lab.count("\n") + 1 for lab in labels], dtype=float)
        # bars stacked by their labels' heights: a two-line label gets two lines of room
        y = np.concatenate([[0.0], np.cumsum((lines[:-1] + lines[1:]) / 2)]) if len(lines) else lines
        panels[d] = (g, labels, y, float(lines.sum()))
    heights = [panels[d][3] * line_in + 0.3 for d in docs]
    fig, axes = figure(DOUBLE, height=sum(heights) + 0.25 * len(docs) + 0.6, nrows=len(docs), ncols=1,
                       squeeze=False, gridspec_kw={"height_ratios": heights})
    for ax, d in zip(axes[:, 0], docs):
        g, labels, y, _ = panels[d]
        ax.barh(y, g["n_contested"], color=_doc_colour(d), height=0.8)
        est = bool(g["is_estimate"].any())
        if est:
            ax.errorbar(g["n_contested"], y, xerr=[g["n_contested"] - g["n_brackets_low"],
                                                   g["n_brackets_high"] - g["n_contested"]],
                        fmt="none", ecolor="black", capsize=2, lw=0.7)
        ax.set_yticks(y, labels)
        ax.set_ylim(y[0] - 0.7, y[-1] + 0.7)
        ax.tick_params(axis="y", length=0)
        ax.set_title(_panel_title(short, d, est), loc="left", fontsize=FONT["label"])
    axes[-1, 0].set_xlabel("contested brackets (placeholders excluded)")
    return fig


def plot_chapters(density: pd.DataFrame, short: dict[str, str], doc_order: Sequence[str]):
    """Brackets per 1,000 words by chapter, one panel per draft (session order), one dot per article.

    Long chapter names (the UK submission names its chapters) are wrapped to the column's width."""

    docs = [d for d in doc_order if d in set(density["doc_id"]) and density.loc[density["doc_id"] == d, "n_brackets"].sum()]
    fig, axes = figure(DOUBLE, height=1.55 * len(docs) + 0.9, nrows=len(docs), ncols=1, squeeze=False)
    for ax, d in zip(axes[:, 0], docs):
        g = density[density["doc_id"] == d]
        chaps = list(dict.fromkeys(g.sort_values("article_seq")["chapter"]))
        data = [g.loc[g["chapter"] == c, "brackets_per_1000_words"].to_numpy() for c in chaps]
        ax.boxplot(data, orientation="vertical", widths=0.5, showfliers=False,
                   medianprops={"color": "black", "lw": 0.8}, boxprops={"lw": 0.6}, whiskerprops={"lw": 0.6},
                   capprops={"lw": 0.6})
        rng = np.random.default_rng(SEED)
        for i, v in enumerate(data, 1):
            ax.scatter(i + rng.uniform(-0.15, 0.15, len(v)), v, s=8, color=_doc_colour(d), alpha=0.75, zorder=3,
                       lw=0)
        col_in = (DOUBLE - 0.8) / max(len(chaps), 1)
        ax.set_xticks(range(1, len(chaps) + 1), [wrap(c or "(none)", col_in, FONT["small"]) for c in chaps])
        ax.set_ylabel("per 1,000 words")
        ax.set_title(_short(short, d), loc="left", fontsize=FONT["label"])
    axes[-1, 0].set_xlabel("chapter (one dot per article)")
    return fig


def plot_contest_profile(density: pd.DataFrame, short: dict[str, str]):
    """Density against the number of delegations taking a position, per article; the densest labelled."""

    fig, ax = figure(DOUBLE, height=3.8)
    df = density[(density["n_delegations"] > 0) | (density["n_proposals"] > 0)]
    xs, ys, labels, radii = [], [], [], []
    for d in _chronological(df["doc_id"]):
        g = df[df["doc_id"] == d]
        size = 8 + 2 * g["n_proposals"]
        ax.scatter(g["n_delegations"], g["brackets_per_1000_words"], s=size, color=_doc_colour(d), alpha=0.7,
                   lw=0, label=_short(short, d))
        for r in g.nlargest(4, "brackets_per_1000_words").itertuples(index=False):
            xs.append(r.n_delegations)
            ys.append(r.brackets_per_1000_words)
            labels.append(f"Art. {r.article}")
            radii.append(np.sqrt(8 + 2 * r.n_proposals) / 2)
    ax.set_xlabel("distinct delegations with a position on the article")
    ax.set_ylabel("brackets per 1,000 words")
    title(fig, "Article contest profile (marker area ~ proposals on the article)")
    ax.legend(frameon=False, loc="upper right")
    ax.set_ylim(bottom=-5)
    order = np.argsort(-np.asarray(ys), kind="mergesort")
    place_labels(ax, [xs[i] for i in order], [ys[i] for i in order], [labels[i] for i in order],
                 radii_pt=[radii[i] for i in order], fontsize=FONT["small"], max_shift_pt=30,
                 obstacles_pt=[(x, y, 2.0) for x, y in zip(df["n_delegations"], df["brackets_per_1000_words"])])
    return fig


def plotly_heatmap(matrix: pd.DataFrame, short: dict[str, str], path: Path) -> Path:
    """The heatmap as an interactive view: same rows (whole display titles), columns and colour scale as
    the static figure; hover for the value; colour bar titled; follows the window's width."""

    fig = go.Figure(go.Heatmap(
        z=matrix.to_numpy(dtype=float), x=[_short(short, c) for c in matrix.columns], y=list(matrix.index),
        colorscale="Viridis", colorbar={"title": {"text": "brackets per<br>1,000 words"}},
        hovertemplate="%{y}<br>%{x}: %{z} brackets per 1,000 words<extra></extra>", xgap=1))
    docs = list(matrix.columns)
    html_layout(fig, "Brackets per 1,000 words: articles of the Chair's draft × drafts", docs,
                height=max(500, 15 * len(matrix) + 220),
                subtitle="grey / empty: no aligned article; hover a cell for its value")
    fig.update_layout(yaxis={"autorange": "reversed", "automargin": True, "tickfont": {"size": 11}},
                      xaxis={"side": "top", "automargin": True}, plot_bgcolor="#e4e4e4")
    return save_html(fig, path, "bracket-density-heatmap", source="Source: treatydrafts, " + ", ".join(docs))


SHORT = DOC_LABEL
