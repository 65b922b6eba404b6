"""One figure style for every static figure, and the one way to save figures.

- Okabe–Ito colour-blind-safe palette; readable at A4 width (default 6.3 in).
- :func:`save_figure` writes PNG (300 dpi), SVG and PDF to ``figures/`` with a
  source line ("Source: treatydrafts, <document ids>") and no timestamps or
  random ids, so two builds give identical bytes.
- :func:`save_html` writes an interactive plotly view that opens offline
  (``plotly.min.js`` once beside it, no CDN) with a fixed div id.
"""
from __future__ import annotations

from pathlib import Path
from typing import Iterable

import matplotlib
import matplotlib.pyplot as plt  # headless runs fall back to Agg; notebooks keep the inline backend

from .. import paths, store

# Okabe & Ito (2008) colour-blind-safe palette
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
GREY = "#999999"
A4_WIDTH_IN = 6.3  # text width of an A4 page with 2.5 cm margins
SEQUENTIAL_CMAP = "viridis"
DIVERGING_CMAP = "PuOr"

RC = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 10,
    "axes.labelsize": 9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
    "figure.dpi": 100,
    "savefig.dpi": 300,
    "savefig.bbox": "tight",
    "svg.hashsalt": "treatydrafts",  # deterministic SVG ids
    "svg.fonttype": "none",  # keep text as text in SVG
    "pdf.fonttype": 42,
}


def apply() -> None:
    """Apply the project style to matplotlib (idempotent)."""
    plt.rcParams.update(RC)


def figure(width: float = A4_WIDTH_IN, height: float = 3.8, **kwargs):
    """A new figure of the given size (inches) in the project style."""
    apply()
    return plt.subplots(figsize=(width, height), **kwargs)


def source_line(doc_ids: Iterable[str]) -> str:
    return "Source: treatydrafts, " + ", ".join(doc_ids)


def save_figure(fig, name: str, doc_ids: Iterable[str], directory: Path | None = None,
                close: bool = True) -> list[Path]:
    """Save ``fig`` as ``<name>.png/.svg/.pdf`` with a source line; return the paths."""
    directory = Path(directory or paths.FIGURES)
    directory.mkdir(parents=True, exist_ok=True)
    # Put the source line below everything already drawn (tick labels, axis labels, legends),
    # so it never overlaps them; bbox_inches="tight" then includes it.
    bbox = fig.get_tightbbox(fig.canvas.get_renderer())
    y = (bbox.y0 / fig.get_figheight()) - 0.012
    x = min(0.0, bbox.x0 / fig.get_figwidth())
    fig.text(x, y, source_line(doc_ids), ha="left", va="top", fontsize=7, color="#555555",
             transform=fig.transFigure)
    # One tight bounding box for the three formats (``savefig(bbox_inches="tight")`` would
    # lay the figure out again for each of them): the same crop in PNG, SVG and PDF.
    tight = fig.get_tightbbox(fig.canvas.get_renderer()).padded(plt.rcParams["savefig.pad_inches"])
    out = []
    for ext, meta in (("png", {"Software": None}), ("svg", {"Date": None, "Creator": None}),
                      ("pdf", {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None})):
        path = directory / f"{name}.{ext}"
        with store.atomic_path(path) as tmp:  # temporary file beside it, renamed into place
            fig.savefig(tmp, format=ext, metadata=meta, bbox_inches=tight)
        out.append(path)
    if close:
        plt.close(fig)
    return out


def plotly_bundle(directory: Path | None = None) -> Path:
    """``plotly.min.js`` beside the HTML views, written once (atomically) if absent or different."""
    from plotly.offline import get_plotlyjs

    directory = Path(directory or paths.FIGURES)
    path = directory / "plotly.min.js"
    js = get_plotlyjs().encode("utf-8")
    if path.is_symlink() or not path.is_file() or path.read_bytes() != js:
        store.write_bytes_atomic(path, js)
    return path


def save_html(fig, path: Path, div_id: str) -> Path:
    """Write a plotly figure as a self-standing HTML page that works offline.

    ``plotly.min.js`` is written once beside the page (no CDN); ``div_id`` is fixed so
    that two builds give identical bytes.
    """
    path = Path(path)
    plotly_bundle(path.parent)
    with store.atomic_path(path) as tmp:  # temporary file beside it, renamed into place
        fig.write_html(tmp, include_plotlyjs="directory", full_html=True, div_id=div_id)
    return path
