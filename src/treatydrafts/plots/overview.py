"""Figures of the corpus overview (:mod:`treatydrafts.analysis.overview`)."""
from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.ticker import MaxNLocator

from . import style


def plot_counts(counts: pd.DataFrame):
    """Small multiples: one panel per count, documents in session order (``Overview.counts``)."""
    labels = counts.doc_id.tolist()
    panels = [("n_articles", "Articles"), ("n_paragraphs", "Paragraphs"), ("n_brackets", "Bracket spans"),
              ("n_proposals", "Proposals"), ("n_positions", "Delegation positions"), ("n_diagnostics", "Diagnostics")]
    fig, axes = style.figure(style.DOUBLE, height=4.6, nrows=2, ncols=3, sharey=True)
    y = np.arange(len(labels))
    for ax, (col, title) in zip(axes.flat, panels):
        vals = counts[col].to_numpy()
        ax.barh(y, vals, color=style.PALETTE[0])
        for yi, v in zip(y, vals):
            ax.text(v, yi, f" {v:,}", va="center", fontsize=style.FONT["small"])
        ax.set_xlim(0, max(vals.max(), 1) * 1.35)
        ax.set_yticks(y, labels)
        ax.set_title(title, loc="left", fontsize=style.FONT["label"])
        ax.xaxis.set_major_locator(MaxNLocator(3))
    axes.flat[0].invert_yaxis()  # shared y axis: inverted once, earliest document on top
    style.title(fig, "What each draft holds (documents in session order)")
    return fig


def plot_line_roles(roles: pd.DataFrame):
    """Stacked horizontal bars: share of each document's lines by role (``Overview.line_roles``)."""
    share = roles.div(roles.sum(axis=1), axis=0)
    fig, ax = style.figure(style.DOUBLE, height=3.0)
    left = np.zeros(len(share))
    colours = style.PALETTE + [style.GREY, "#332288", "#88CCEE", "#44AA99", "#AA4499"]
    for i, role in enumerate(share.columns):
        ax.barh(share.index, share[role], left=left, label=role, color=colours[i % len(colours)])
        left += share[role].to_numpy()
    ax.invert_yaxis()
    ax.set_xlabel("share of the file's lines")
    ax.set_xlim(0, 1)
    ax.legend(ncols=6, loc="upper center", bbox_to_anchor=(0.45, -0.2), frameon=False, handlelength=1.2,
              columnspacing=1.0)
    style.title(fig, "Every line accounted for: what each line of each file is")
    return fig
