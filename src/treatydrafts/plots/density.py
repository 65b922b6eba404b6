"""Figures of the bracket-density analysis (:mod:`treatydrafts.analysis.density`)."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from ..analysis.density import SEED
from ..vocab import DOC_LABEL
from .style import PALETTE, SEQUENTIAL_CMAP, figure, save_html


def plot_heatmap(matrix: pd.DataFrame, short: dict[str, str]):

    fig, ax = figure(height=max(4.0, 0.13 * len(matrix) + 1.2))
    vals = np.ma.masked_invalid(matrix.to_numpy(dtype=float))
    im = ax.imshow(vals, aspect="auto", cmap=SEQUENTIAL_CMAP, interpolation="nearest")
    ax.set_facecolor("#eeeeee")
    ax.set_xticks(range(matrix.shape[1]), [short.get(c, c) for c in matrix.columns], rotation=30, ha="right")
    ax.set_yticks(range(len(matrix)), matrix.index, fontsize=5)
    ax.set_title("Brackets per 1,000 words, articles of the Chair's draft × drafts (grey: no aligned article)")
    fig.colorbar(im, ax=ax, shrink=0.5, label="brackets per 1,000 words")
    return fig


def plot_most_contested(top: pd.DataFrame, short: dict[str, str]):

    docs = list(dict.fromkeys(top["doc_id"]))
    fig, axes = figure(height=1.3 + 0.9 * len(docs), nrows=len(docs), ncols=1, squeeze=False)
    for ax, d, colour in zip(axes[:, 0], docs, PALETTE):
        g = top[top["doc_id"] == d].iloc[::-1]
        y = np.arange(len(g))
        ax.barh(y, g["n_contested"], color=colour)
        if g["is_estimate"].any():
            ax.errorbar(g["n_contested"], y, xerr=[g["n_contested"] - g["n_brackets_low"],
                                                   g["n_brackets_high"] - g["n_contested"]],
                        fmt="none", ecolor="black", capsize=2, lw=0.8)
        ax.set_yticks(y, [f"Art. {a}. {t[:34]}" for a, t in zip(g["article"], g["title"])], fontsize=6)
        ax.set_title(short.get(d, d) + (" (estimate, 90% interval)" if g["is_estimate"].any() else ""), fontsize=8)
    axes[-1, 0].set_xlabel("contested brackets (placeholders excluded)")
    fig.tight_layout()
    return fig


def plot_chapters(density: pd.DataFrame, short: dict[str, str], doc_order: Sequence[str]):

    docs = [d for d in doc_order if d in set(density["doc_id"]) and density.loc[density["doc_id"] == d, "n_brackets"].sum()]
    fig, axes = figure(height=1.4 * len(docs) + 0.6, nrows=len(docs), ncols=1, squeeze=False)
    for ax, d, colour in zip(axes[:, 0], docs, PALETTE):
        g = density[density["doc_id"] == d]
        chaps = list(dict.fromkeys(g.sort_values("article_seq")["chapter"]))
        data = [g.loc[g["chapter"] == c, "brackets_per_1000_words"].to_numpy() for c in chaps]
        ax.boxplot(data, orientation="vertical", widths=0.5, showfliers=False)
        rng = np.random.default_rng(SEED)
        for i, v in enumerate(data, 1):
            ax.scatter(i + rng.uniform(-0.15, 0.15, len(v)), v, s=6, color=colour, alpha=0.7, zorder=3)
        ax.set_xticks(range(1, len(chaps) + 1), [c or "(none)" for c in chaps], fontsize=7)
        ax.set_ylabel("per 1,000 words", fontsize=7)
        ax.set_title(short.get(d, d), fontsize=8)
    axes[-1, 0].set_xlabel("chapter (one dot per article)")
    fig.tight_layout()
    return fig


def plot_contest_profile(density: pd.DataFrame, short: dict[str, str]):

    fig, ax = figure(height=3.8)
    df = density[(density["n_delegations"] > 0) | (density["n_proposals"] > 0)]
    for (d, g), colour in zip(df.groupby("doc_id", sort=True), PALETTE):
        ax.scatter(g["n_delegations"], g["brackets_per_1000_words"], s=12 + 2 * g["n_proposals"], color=colour,
                   alpha=0.75, label=short.get(d, d) + " (size: proposals)")
        for r in g.nlargest(4, "brackets_per_1000_words").itertuples(index=False):
            ax.annotate(f"Art. {r.article}", (r.n_delegations, r.brackets_per_1000_words), fontsize=6,
                        xytext=(3, 2), textcoords="offset points")
    ax.set_xlabel("distinct delegations with a position on the article")
    ax.set_ylabel("brackets per 1,000 words")
    ax.set_title("Article contest profile")
    ax.legend(frameon=False)
    return fig


def plotly_heatmap(matrix: pd.DataFrame, short: dict[str, str], path: Path) -> Path:

    fig = go.Figure(go.Heatmap(
        z=matrix.to_numpy(dtype=float), x=[short.get(c, c) for c in matrix.columns], y=list(matrix.index),
        colorscale="Viridis", colorbar={"title": "brackets / 1,000 words"},
        hovertemplate="%{y}<br>%{x}: %{z} brackets per 1,000 words<extra></extra>"))
    fig.update_layout(title="Bracket density: articles of the Chair's draft × drafts", height=max(500, 14 * len(matrix)),
                      yaxis={"autorange": "reversed"}, template="plotly_white")
    return save_html(fig, path, "bracket-density-heatmap")


SHORT = DOC_LABEL
