"""Figures of the damaged-text recovery (:mod:`treatydrafts.analysis.recovery`)."""
from __future__ import annotations

import numpy as np

from ..parse.recover.loss import LossModel
from ..parse.recover.names import ACCEPT
from . import style

LOSS_CHAR_KEYS = tuple("abcdefghijklmnopqrstuvwxyz") + ("UPPER", "DIGIT", "SPACE", ",", ".", ")", "[", "]")
_SHOWN = {"UPPER": "A–Z", "DIGIT": "0–9", "SPACE": "space"}


def plot_loss_profile(loss: LossModel):
    """Keep rate by position in word and by character (bars), overall rate dashed."""
    fig, (a1, a2) = style.figure(style.DOUBLE, 3.0, ncols=2, gridspec_kw={"width_ratios": [1, 3.2]})
    pos = ["first", "middle", "last", "single", "na"]
    a1.bar(pos, [loss.by_pos.get(p, np.nan) for p in pos], color=style.PALETTE[0])
    a1.set_ylim(0, 1)
    a1.set_ylabel("share of characters kept")
    a1.set_title("by position in word")
    a1.tick_params(axis="x", rotation=90)
    keys = [k for k in LOSS_CHAR_KEYS if k in loss.by_key]
    a2.bar([_SHOWN.get(k, k) for k in keys], [loss.by_key[k] for k in keys], color=style.PALETTE[2])
    a2.axhline(loss.overall, color=style.GREY, lw=1, ls="--")
    a2.set_ylim(0, 1)
    a2.set_title(f"by character ({loss.n_chars:,} aligned characters, {loss.n_lines} lines)")
    a2.tick_params(axis="x", rotation=90)
    return fig


def plot_calibration(calib):
    """Reliability diagram from a ``recovery_calibration`` table (one series per prior/sampling)."""
    fig, ax = style.figure(style.SINGLE, 3.6)
    ax.plot([0, 1], [0, 1], color=style.GREY, lw=1, ls="--")
    groups = list(calib.groupby(["sampling", "prior"], sort=True))
    for i, ((sampling, prior), g) in enumerate(groups):
        ax.plot(g["mean_confidence"], g["accuracy"], marker="o", ms=4, lw=1, color=style.PALETTE[i % 8],
                label=f"{sampling} names, {prior} prior")
    ax.axvline(ACCEPT, color=style.GREY, lw=1, ls=":")
    ax.text(ACCEPT, 0.02, " accept", color="#555555", fontsize=7)
    ax.set_xlabel("confidence of the top candidate")
    ax.set_ylabel("share correct")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.legend(loc="upper left", frameon=False)
    ax.set_title("calibration on synthetic damage (held-out seeds)")
    return fig
