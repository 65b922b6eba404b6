"""Figures of the damaged-text recovery (:mod:`treatydrafts.analysis.recovery`)."""
from __future__ import annotations

import numpy as np

from ..parse.recover.loss import LossModel
from ..parse.recover.calibrate import ACCEPT
from . import style

LOSS_CHAR_KEYS = tuple("abcdefghijklmnopqrstuvwxyz") + ("UPPER", "DIGIT", "SPACE", ",", ".", ")", "[", "]")
_SHOWN = {"UPPER": "A–Z", "DIGIT": "0–9", "SPACE": "space"}


def plot_loss_profile(loss: LossModel):
    """Keep rate by position in word and by character (bars), overall rate dashed."""
    fig, (a1, a2) = style.figure(style.DOUBLE, 3.0, ncols=2, gridspec_kw={"width_ratios": [1, 3.2]})
    pos = ["first", "middle", "last", "single", "na"]
    shown = {"single": "one-letter\nword", "na": "not a\nletter"}  # "na": spaces and punctuation
    a1.bar([shown.get(p, p) for p in pos], [loss.by_pos.get(p, np.nan) for p in pos], color=style.PALETTE[0])
    a1.set_ylim(0, 1)
    a1.set_ylabel("share of characters kept")
    a1.set_title("by position in word")
    a1.tick_params(axis="x", rotation=90)
    keys = [k for k in LOSS_CHAR_KEYS if k in loss.by_key]
    a2.bar([_SHOWN.get(k, k) for k in keys], [loss.by_key[k] for k in keys], color=style.PALETTE[2])
    a2.axhline(loss.overall, color=style.GREY, lw=1, ls="--", label=f"all characters ({loss.overall:.2f})")
    a2.set_ylim(0, 1)
    a2.set_title(f"by character ({loss.n_chars:,} aligned characters, {loss.n_lines} lines)")
    a2.tick_params(axis="x", rotation=90)
    a2.legend(loc="upper left", frameon=False)
    style.title(fig, "Which characters survived in the damaged amended draft: share kept, from its lines "
                     "aligned to the Chair's draft")
    return fig


SAMPLING_LABELS = {"activity": "names drawn as active\nas in the 4th session",
                   "uniform": "names drawn uniformly"}


def plot_calibration(calib):
    """Reliability diagram from a ``recovery_calibration`` table (one series per prior/sampling)."""
    fig, ax = style.figure(style.SINGLE, 3.6)
    ax.plot([0, 1], [0, 1], color=style.GREY, lw=1, ls="--")
    for i, (sampling, g) in enumerate(calib.groupby("sampling", sort=True)):
        ax.plot(g["mean_confidence"], g["accuracy"], marker="o", ms=4, lw=1, color=style.PALETTE[i % 8],
                label=SAMPLING_LABELS.get(sampling, f"{sampling} names"))
    ax.axvline(ACCEPT, color=style.GREY, lw=1, ls=":")
    ax.text(ACCEPT, 0.02, " accept", color="#555555", fontsize=style.FONT["small"])
    ax.set_xlabel("calibrated confidence")
    ax.set_ylabel("share correct")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.legend(loc="upper left", frameon=False)
    style.title(fig, "Development benchmark: synthetic damaged name lists (held-out seeds), share of "
                     "names read right by confidence; the evidence on real text is the reliability figure")
    return fig


def plot_reliability(reliability, reader: str = "final"):
    """Reliability diagram on the hand-judged validation set, from a ``recovery_reliability`` table:
    share right by confidence band for the development and held-out halves (Wilson 95% intervals,
    n beside each point), the baseline's held-out half in grey; right panel: the accepted readings
    (confidence ≥ recover.ACCEPT) enlarged."""
    fig, (a1, a2) = style.figure(style.DOUBLE, 3.8, ncols=2, gridspec_kw={"width_ratios": [1.25, 1]})
    series = [("baseline", "heldout", style.GREY, "before (held-out)", 0.0),
              (reader, "dev", style.PALETTE[0], "development half", -0.004),
              (reader, "heldout", style.PALETTE[3], "held-out half", 0.004)]
    for ax, zoom in ((a1, False), (a2, True)):
        lo = ACCEPT if zoom else 0.0
        ax.plot([lo, 1], [lo, 1], color=style.GREY, lw=1, ls="--")
        for r, half, color, label, dx in series:
            g = reliability[(reliability["reader"] == r) & (reliability["half"] == half) & (reliability["n"] > 0)]
            if zoom:
                g = g[g["mean_confidence"] >= ACCEPT]
            if not len(g):
                continue
            x = g["mean_confidence"].to_numpy() + (dx * (0.2 if zoom else 1))
            y = g["accuracy"].to_numpy()
            err = np.vstack([y - g["lo"].to_numpy(), g["hi"].to_numpy() - y])
            ax.errorbar(x, y, yerr=err, marker="o", ms=4, lw=1, capsize=2, color=color, label=label,
                        alpha=0.6 if r == "baseline" else 1.0)
            if r == "baseline":
                continue
            for xi, yi, n, conf in zip(x, y, g["n"], g["mean_confidence"]):
                if zoom or conf < ACCEPT:
                    ax.annotate(f"n={n}", (xi, yi), textcoords="offset points",
                                xytext=(5, -10) if half == "heldout" else (-32, 4), fontsize=style.FONT["small"],
                                color=color)
        ax.set_xlim(lo - (0.01 if zoom else 0), 1.01 if zoom else 1.03)
        ax.set_ylim(0.5 if zoom else 0, 1.03)
    a1.axvline(ACCEPT, color=style.GREY, lw=1, ls=":")
    a1.text(ACCEPT, 0.02, " accept", color="#555555", fontsize=style.FONT["small"])
    a1.set_xlabel("confidence (mean in band)")
    a1.set_ylabel("share right (hand-judged)")
    a1.set_title("all readings", loc="left")
    a2.set_xlabel("confidence (mean in band)")
    a2.set_title("accepted readings", loc="left")
    a1.legend(loc="upper left", frameon=False)
    style.title(fig, "6th-session names: confidence against a hand judgement (Wilson 95% intervals)")
    return fig


def plot_sensitivity(sensitivity):
    """Network size and bloc agreement with the 4th session against the confidence threshold, from a
    ``recovery_sensitivity`` table; the bootstrap over lists at the calibrated threshold as a range."""
    th = sensitivity[sensitivity["analysis"] == "threshold"].sort_values("threshold")
    bs = sensitivity[sensitivity["analysis"] == "bootstrap"].set_index("statistic")
    fig, (a1, a2) = style.figure(style.DOUBLE, 3.0, ncols=2)
    a1.plot(th["threshold"], th["n_nodes"], marker="o", ms=4, lw=1, color=style.PALETTE[0], label="delegations")
    a1.plot(th["threshold"], th["n_eu_members"], marker="s", ms=3, lw=1, color=style.PALETTE[1],
            label="of which EU members")
    a2.plot(th["threshold"], th["ari_vs_ahc4"], marker="o", ms=4, lw=1, color=style.PALETTE[2],
            label="at each threshold")
    if len(bs):
        t = float(bs["threshold"].iloc[0])
        for ax, col, color in ((a1, "n_nodes", style.PALETTE[0]), (a2, "ari_vs_ahc4", style.PALETTE[2])):
            ax.errorbar([t], [bs.at["median", col]], yerr=[[bs.at["median", col] - bs.at["p2.5", col]],
                                                            [bs.at["p97.5", col] - bs.at["median", col]]],
                        fmt="D", ms=4, capsize=3, color="#333333", label="bootstrap over lists (95%)")
    for ax in (a1, a2):
        ax.axvline(ACCEPT, color=style.GREY, lw=1, ls=":")
        ax.set_xlabel("confidence threshold")
    a1.set_ylabel("network nodes")
    a1.set_ylim(bottom=0)
    a2.set_ylabel("ARI of blocs vs 4th session")
    a2.set_ylim(0, max(0.3, float(th["ari_vs_ahc4"].max()) * 1.3))
    a1.legend(frameon=False, loc="lower left")
    a2.legend(frameon=False, loc="lower left")
    style.title(fig, "6th-session findings against the recovery's confidence threshold")
    return fig
