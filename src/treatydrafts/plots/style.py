"""One figure style for every static figure, and the one way to save figures.

Sizes and type (the journal rules, set here once):

- every figure is one journal column wide (:data:`SINGLE` = 3.5 in) or two
  (:data:`DOUBLE` = 7.0 in), at most :data:`MAX_HEIGHT` tall, and is saved at
  exactly that size (no tight crop: the size you ask for is the size you get);
- every text is at least :data:`MIN_FONT_PT` (7 pt) at that size: tick labels,
  legends, annotations and the source line 7 pt, axis labels 8 pt, titles 9 pt;
- Okabe–Ito colour-blind-safe palette; viridis for sequential scales; text on a
  coloured cell takes black or white by contrast (:func:`text_colour`);
- the layout is matplotlib's constrained layout, with a strip at the bottom kept
  free for the source line that :func:`save_figure` writes.

Saving: :func:`save_figure` writes PNG (300 dpi), SVG and PDF to ``figures/`` with
a source line ("Source: treatydrafts, <document ids>") and no timestamps or
random ids, so two builds give identical bytes; :func:`save_html` writes an
interactive plotly view that opens offline (``plotly.min.js`` once beside it, no
CDN), follows the window's width, carries the same source line and shows a plain
message when ``plotly.min.js`` is missing.

Checking: :func:`text_problems` lists texts that overlap, leave the canvas or
are smaller than 7 pt, from matplotlib's own extents at the saved size
(``tests/test_figures.py`` runs it on every figure the build makes);
:func:`place_labels` puts point labels where they overlap nothing.
"""
from __future__ import annotations

import contextlib
import html as _html
import math
import re
import textwrap
from pathlib import Path
from typing import Iterable, Sequence

import matplotlib
import matplotlib.pyplot as plt  # headless runs fall back to Agg; notebooks keep the inline backend
import numpy as np
from matplotlib.colors import to_rgb
from matplotlib.layout_engine import ConstrainedLayoutEngine
from matplotlib.text import Text

from .. import paths, store

# Okabe & Ito (2008) colour-blind-safe palette
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"]
GREY = "#999999"
SEQUENTIAL_CMAP = "viridis"
DIVERGING_CMAP = "PuOr"

# ---------------------------------------------------------------- sizes and type
SINGLE = 3.5  # one journal column, inches (≈ 89 mm)
DOUBLE = 7.0  # two columns / full text width, inches (≈ 178 mm)
MAX_HEIGHT = 9.0  # a full page less the caption, inches
A4_WIDTH_IN = DOUBLE  # former name of the full width, kept for callers
MIN_FONT_PT = 7.0  # no text smaller than this at the saved size
FONT = {"tiny": 7.0, "small": 7.0, "label": 8.0, "title": 9.0}
SOURCE_PT = 7.0  # the source line
SOURCE_STRIP_IN = 0.2  # height kept free at the bottom for the source line
DPI = 300

RC = {
    "font.family": "DejaVu Sans",
    "font.size": FONT["label"],
    "axes.titlesize": FONT["title"],
    "axes.labelsize": FONT["label"],
    "xtick.labelsize": FONT["small"],
    "ytick.labelsize": FONT["small"],
    "legend.fontsize": FONT["small"],
    "legend.title_fontsize": FONT["small"],
    "figure.titlesize": FONT["title"],
    "axes.linewidth": 0.6,
    "xtick.major.width": 0.6,
    "ytick.major.width": 0.6,
    "xtick.major.size": 2.5,
    "ytick.major.size": 2.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": matplotlib.cycler(color=PALETTE),
    "figure.dpi": 100,
    "savefig.dpi": DPI,
    "savefig.bbox": None,  # saved at exactly the figure's size
    "svg.hashsalt": "treatydrafts",  # deterministic SVG ids
    "svg.fonttype": "none",  # keep text as text in SVG
    "pdf.fonttype": 42,
}


def apply() -> None:
    """Apply the project style to matplotlib (idempotent)."""
    plt.rcParams.update(RC)


def column_width(width: float | str) -> float:
    """``"single"`` / ``"double"`` or inches → inches."""
    if isinstance(width, str):
        return {"single": SINGLE, "double": DOUBLE}[width]
    return float(width)


def figure(width: float | str = DOUBLE, height: float = 3.8, **kwargs):
    """A new figure of the given size (width: ``"single"``, ``"double"`` or inches) in the project
    style, laid out by constrained layout with the bottom strip kept for the source line."""
    apply()
    w = column_width(width)
    h = min(float(height), MAX_HEIGHT)
    fig, axes = plt.subplots(figsize=(w, h), **kwargs)
    strip = SOURCE_STRIP_IN / h
    fig.set_layout_engine(ConstrainedLayoutEngine(h_pad=0.03, w_pad=0.03, rect=(0, strip, 1, 1 - strip)))
    return fig, axes


def wrap(text: str, width_in: float, fontsize: float = FONT["label"]) -> str:
    """Wrap ``text`` at word boundaries to lines that fit ``width_in`` inches at ``fontsize``
    (DejaVu Sans averages ≈ 0.58 em per character); never cuts a word."""
    chars = max(int(width_in * 72 / (0.58 * fontsize)), 8)
    return "\n".join(textwrap.fill(p, chars, break_long_words=False, break_on_hyphens=False)
                     for p in str(text).split("\n"))


def title(fig, text: str, fontsize: float = FONT["title"]):
    """The figure's title: left-aligned over the whole width, wrapped to it (constrained layout
    keeps room for it)."""
    return fig.suptitle(wrap(text, fig.get_figwidth() - 0.15, fontsize), x=0.01, ha="left", fontsize=fontsize)


def note(fig, text: str, fontsize: float = FONT["small"]):
    """A note under the plot, above the source line (wrapped to the figure's width, one paragraph per
    line of ``text``); the layout keeps room for it."""
    body = "\n".join(wrap(p, fig.get_figwidth() - 0.15, fontsize) for p in text.split("\n"))
    h = fig.get_figheight()
    y = SOURCE_STRIP_IN + 0.02
    t = fig.text(0.04 / fig.get_figwidth(), y / h, body, ha="left", va="bottom", fontsize=fontsize,
                 color="#333333", linespacing=1.15)
    height = (body.count("\n") + 1) * fontsize * 1.15 * 1.05 / 72  # lines × line spacing, inches
    bottom = (y + height + 0.08) / h
    fig.get_layout_engine().set(rect=(0, bottom, 1, 1 - bottom))
    return t


def relative_luminance(colour) -> float:
    def lin(c):
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (lin(c) for c in to_rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def text_colour(background) -> str:
    """Black or white, whichever contrasts more with ``background`` (WCAG contrast ratio)."""
    lum = relative_luminance(background)
    return "black" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "white"


# ---------------------------------------------------------------- saving


def source_line(doc_ids: Iterable[str]) -> str:
    return "Source: treatydrafts, " + ", ".join(doc_ids)


def add_source_line(fig, doc_ids: Iterable[str]) -> Text:
    """The source line in the strip at the bottom that :func:`figure` keeps free."""
    h = fig.get_figheight()
    return fig.text(0.04 / fig.get_figwidth(), 0.05 / h, wrap(source_line(doc_ids), fig.get_figwidth() - 0.1,
                                                             SOURCE_PT),
                    ha="left", va="bottom", fontsize=SOURCE_PT, color="#555555", transform=fig.transFigure)


def save_figure(fig, name: str, doc_ids: Iterable[str], directory: Path | None = None,
                close: bool = True) -> list[Path]:
    """Save ``fig`` as ``<name>.png/.svg/.pdf`` at exactly its size, with a source line; return the paths."""
    directory = Path(directory or paths.FIGURES)
    directory.mkdir(parents=True, exist_ok=True)
    add_source_line(fig, doc_ids)
    out = []
    for ext, meta in (("png", {"Software": None}), ("svg", {"Date": None, "Creator": None}),
                      ("pdf", {"CreationDate": None, "ModDate": None, "Creator": None, "Producer": None})):
        path = directory / f"{name}.{ext}"
        with store.atomic_path(path) as tmp:  # temporary file beside it, renamed into place
            fig.savefig(tmp, format=ext, metadata=meta, dpi=DPI, bbox_inches=None)
        out.append(path)
    if close:
        plt.close(fig)
    return out


# ---------------------------------------------------------------- checking text


@contextlib.contextmanager
def _recording_text():
    """Record every :class:`~matplotlib.text.Text` that is actually drawn (ticks outside the
    view, empty strings and hidden texts are not) with its extent on the drawing renderer."""
    drawn: list[tuple[Text, object]] = []
    original = Text.draw

    def draw(self, renderer):
        original(self, renderer)
        if self.get_visible() and self.get_text().strip():
            drawn.append((self, self.get_window_extent(renderer)))

    Text.draw = draw
    try:
        yield drawn
    finally:
        Text.draw = original


def drawn_texts(fig, dpi: float = DPI):
    """``[(text, extent in pixels)]`` of every text drawn when ``fig`` is rendered at ``dpi``."""
    return _draw_and_measure(fig, dpi)[0]


def _draw_and_measure(fig, dpi: float = DPI):
    """Render ``fig`` at ``dpi``: the drawn texts with their extents (as :func:`drawn_texts`) and
    ``[(axes, extent in pixels)]`` of every visible axes (panels, colour bars)."""
    old = fig.dpi
    fig.set_dpi(dpi)
    try:
        with _recording_text() as drawn:
            fig.canvas.draw()
        panels = [(a, a.get_window_extent().frozen()) for a in fig.axes if a.get_visible() and a.axison]
        return list(drawn), panels
    finally:
        fig.set_dpi(old)


def _describe(t: Text) -> str:
    s = t.get_text().replace("\n", " ")
    return repr(s if len(s) <= 40 else s[:37] + "...")


def text_problems(fig, min_pt: float = MIN_FONT_PT, tolerance_px: float = 1.0) -> list[str]:
    """Texts that overlap one another, leave the canvas, reach into a panel they do not belong to
    (another axes or a colour bar) or are smaller than ``min_pt``, measured
    with matplotlib's extents (``get_window_extent`` on the renderer) at the saved size and dpi.

    Overlap means the boxes share more than ``tolerance_px`` pixels in both directions (at 300 dpi,
    1 px = 0.24 pt): touching boxes pass."""
    drawn, panels = _draw_and_measure(fig)
    W, H = fig.bbox.width * DPI / fig.dpi, fig.bbox.height * DPI / fig.dpi
    problems = []
    for t, e in drawn:
        if t.get_fontsize() < min_pt - 1e-6:
            problems.append(f"too small ({t.get_fontsize():.1f} pt < {min_pt:g} pt): {_describe(t)}")
        if e.x0 < -tolerance_px or e.y0 < -tolerance_px or e.x1 > W + tolerance_px or e.y1 > H + tolerance_px:
            problems.append(f"outside the canvas: {_describe(t)} at ({e.x0:.0f}, {e.y0:.0f}, {e.x1:.0f}, {e.y1:.0f}) "
                            f"of {W:.0f} × {H:.0f} px")
    boxes = np.array([[e.x0, e.y0, e.x1, e.y1] for _, e in drawn]) if drawn else np.zeros((0, 4))
    for i in range(len(drawn)):
        if not len(boxes):
            break
        ox = np.minimum(boxes[i, 2], boxes[i + 1:, 2]) - np.maximum(boxes[i, 0], boxes[i + 1:, 0])
        oy = np.minimum(boxes[i, 3], boxes[i + 1:, 3]) - np.maximum(boxes[i, 1], boxes[i + 1:, 1])
        for j in np.flatnonzero((ox > tolerance_px) & (oy > tolerance_px)):
            a, b = drawn[i][0], drawn[i + 1 + j][0]
            problems.append(f"overlap: {_describe(a)} and {_describe(b)} ({ox[j]:.0f} × {oy[j]:.0f} px)")
    for t, e in drawn:  # a text reaching into a panel it does not belong to (e.g. tick labels under a colour bar)
        own = next((p for a, p in panels if a is t.axes), None)
        for a, p in panels:
            if a is t.axes or (own is not None and own.bounds == p.bounds):  # its own panel, or a twin of it
                continue
            ox = min(e.x1, p.x1) - max(e.x0, p.x0)
            oy = min(e.y1, p.y1) - max(e.y0, p.y0)
            if ox > tolerance_px and oy > tolerance_px:
                problems.append(f"inside another panel: {_describe(t)} reaches {ox:.0f} × {oy:.0f} px into "
                                f"{a.get_label() or type(a).__name__}")
    return problems


# ---------------------------------------------------------------- point labels


def place_labels(ax, xs: Sequence[float], ys: Sequence[float], labels: Sequence[str],
                 radii_pt: Sequence[float] | float = 3.0, fontsize: float = FONT["small"],
                 obstacles_pt: Sequence[tuple[float, float, float]] = (), max_shift_pt: float = 60.0,
                 pad_pt: float = 1.0, leader_colour: str = "#666666", **text_kw) -> list:
    """Label points so that no label overlaps another label, leaves the axes or covers a point.

    Deterministic greedy placement (no randomness, no iteration limit): labels are placed in the
    order given (put the most important first); each tries positions around its point on rings
    of growing distance (12 directions, right/above first) and takes the nearest one that overlaps
    no label already placed and stays inside the axes, preferring positions that cover no point
    (``radii_pt``: the points' marker radii; ``obstacles_pt``: further ``(x, y, r)`` discs in data
    coordinates and points).  A label moved off its point gets a thin leader line.  A label with no
    free place within ``max_shift_pt`` is left out: the returned list holds ``None`` there.

    The figure is laid out first (constrained layout), so placement is done at the final size."""
    fig = ax.figure
    fig.draw_without_rendering()
    ax.set_autoscale_on(False)  # the view is final: labels and leaders must not move it
    renderer = fig.canvas.get_renderer()
    pt = fig.dpi / 72.0  # pixels per point
    n = len(labels)
    radii = np.broadcast_to(np.asarray(radii_pt, dtype=float), (n,)) if n else np.zeros(0)
    xy = ax.transData.transform(np.column_stack([xs, ys])) / pt if n else np.zeros((0, 2))
    disc_xy = list(map(tuple, xy)) + [tuple(ax.transData.transform((x, y)) / pt) for x, y, _ in obstacles_pt]
    disc_r = list(radii) + [r for _, _, r in obstacles_pt]
    discs = np.array([[x, y, r] for (x, y), r in zip(disc_xy, disc_r)]) if disc_r else np.zeros((0, 3))
    axb = ax.get_window_extent(renderer)
    lim = np.array([axb.x0, axb.y0, axb.x1, axb.y1]) / pt
    angles = np.deg2rad([0, 90, 180, 270, 45, 135, 225, 315, 22.5, 157.5, 202.5, 337.5])
    cos, sin = np.cos(angles), np.sin(angles)
    placed = np.zeros((0, 4))
    out = []
    for i, lab in enumerate(labels):
        probe = ax.text(0, 0, lab, fontsize=fontsize, transform=None)
        e = probe.get_window_extent(renderer)
        probe.remove()
        w, h = e.width / pt + 2 * pad_pt, e.height / pt + 2 * pad_pt
        rings = np.arange(0.0, max_shift_pt + 1e-9, 3.0)
        d = radii[i] + 0.5 + rings[:, None]  # (R, 1) gap between the point's edge and the label box
        cx = xy[i, 0] + cos[None, :] * (d + w / 2)
        cy = xy[i, 1] + sin[None, :] * (d + h / 2)
        cx, cy = cx.ravel(), cy.ravel()
        dist = np.repeat(rings, len(angles))
        boxes = np.column_stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2])
        ok = (boxes[:, 0] >= lim[0]) & (boxes[:, 1] >= lim[1]) & (boxes[:, 2] <= lim[2]) & (boxes[:, 3] <= lim[3])
        if len(placed):
            ox = np.minimum(boxes[:, None, 2], placed[None, :, 2]) - np.maximum(boxes[:, None, 0], placed[None, :, 0])
            oy = np.minimum(boxes[:, None, 3], placed[None, :, 3]) - np.maximum(boxes[:, None, 1], placed[None, :, 1])
            ok &= ~((ox > 0) & (oy > 0)).any(axis=1)
        if not ok.any():
            out.append(None)
            continue
        # points covered: nearest point of each box to each disc centre
        nx_ = np.clip(discs[None, :, 0], boxes[:, None, 0], boxes[:, None, 2])
        ny_ = np.clip(discs[None, :, 1], boxes[:, None, 1], boxes[:, None, 3])
        covered = ((nx_ - discs[None, :, 0]) ** 2 + (ny_ - discs[None, :, 1]) ** 2 < discs[None, :, 2] ** 2).sum(axis=1)
        cost = np.where(ok, dist + 12.0 * covered + np.tile(np.arange(len(angles)) * 0.01, len(rings)), np.inf)
        k = int(np.argmin(cost))
        placed = np.vstack([placed, boxes[k]])
        dx, dy = cx[k] - xy[i, 0], cy[k] - xy[i, 1]
        if dist[k] > 4.0:  # moved off its point: a leader from the point's edge to the label's box
            bx = float(np.clip(xy[i, 0], boxes[k, 0], boxes[k, 2]))
            by = float(np.clip(xy[i, 1], boxes[k, 1], boxes[k, 3]))
            vx, vy = bx - xy[i, 0], by - xy[i, 1]
            norm = math.hypot(vx, vy) or 1.0
            start = (xy[i, 0] + vx / norm * radii[i], xy[i, 1] + vy / norm * radii[i])
            (x0, y0), (x1, y1) = ax.transData.inverted().transform(np.array([start, (bx, by)]) * pt)
            ax.plot([x0, x1], [y0, y1], color=leader_colour, lw=0.4, zorder=4, solid_capstyle="butt",
                    scalex=False, scaley=False)
        t = ax.annotate(lab, (xs[i], ys[i]), xytext=(dx, dy), textcoords="offset points", ha="center",
                        va="center", fontsize=fontsize, annotation_clip=False, zorder=5, **text_kw)
        t.set_in_layout(False)
        out.append(t)
    return out


# ---------------------------------------------------------------- interactive views


def plotly_bundle(directory: Path | None = None) -> Path:
    """``plotly.min.js`` beside the HTML views, written once (atomically) if absent or different."""
    from plotly.offline import get_plotlyjs

    directory = Path(directory or paths.FIGURES)
    path = directory / "plotly.min.js"
    js = get_plotlyjs().encode("utf-8")
    if path.is_symlink() or not path.is_file() or path.read_bytes() != js:
        store.write_bytes_atomic(path, js)
    return path


HTML_FONT = "DejaVu Sans, Arial, sans-serif"

# Shown until plotly draws; the inline script below the plot hides it once plotly.js has loaded.
_FALLBACK = (
    '<div id="{div_id}-fallback" style="font-family: sans-serif; max-width: 44em; margin: 2em auto; '
    'padding: 1em 1.2em; border: 1px solid #d55e00; color: #222;">'
    "<p><strong>This interactive figure needs <code>plotly.min.js</code> in the same folder.</strong></p>"
    "<p>It was not found beside this page (or JavaScript is off). Copy <code>plotly.min.js</code> "
    "from the <code>figures/</code> folder of treatydrafts next to this file, or open the static "
    "figure <code>{png}</code> instead.</p><p>{source}</p></div>"
)
_HIDE = ('<script>if (typeof Plotly !== "undefined") {{ var f = document.getElementById("{div_id}-fallback"); '
         'if (f) {{ f.style.display = "none"; }} }}</script>')


def html_layout(fig, title: str, doc_ids: Iterable[str], height: int, legend_title: str | None = None,
                subtitle: str = "") -> None:
    """The common look of every interactive view: title (and a smaller subtitle line), source line
    under the plot, width that follows the window (``autosize``; no fixed width), fixed height,
    white template."""
    text = _html.escape(title) + (f"<br><span style='font-size:12px'>{_html.escape(subtitle)}</span>"
                                  if subtitle else "")
    fig.update_layout(
        title={"text": text, "x": 0.01, "xanchor": "left", "font": {"size": 15}},
        autosize=True, height=height, template="plotly_white", font={"family": HTML_FONT, "size": 12},
        margin={"l": 10, "r": 10, "t": 80 if subtitle else 60, "b": 60},
    )
    if legend_title is not None:
        fig.update_layout(legend={"title": {"text": legend_title}})
    fig.add_annotation(text=_html.escape(source_line(doc_ids)), xref="paper", yref="paper", x=0, y=0,
                       xanchor="left", yanchor="top", yshift=-30, showarrow=False, font={"size": 11, "color": "#555555"})


def save_html(fig, path: Path, div_id: str, source: str = "") -> Path:
    """Write a plotly figure as a self-standing HTML page that works offline.

    ``plotly.min.js`` is written once beside the page (no CDN); ``div_id`` is fixed so that two
    builds give identical bytes; the plot is responsive (follows the window's width); a page copied
    without ``plotly.min.js`` shows a message saying what is missing instead of a blank page.
    """
    path = Path(path)
    plotly_bundle(path.parent)
    text = fig.to_html(include_plotlyjs="directory", full_html=True, div_id=div_id,
                       config={"responsive": True, "displaylogo": False})
    fallback = _FALLBACK.format(div_id=div_id, png=_html.escape(path.with_suffix(".png").name),
                                source=_html.escape(source))
    text = re.sub(r"<body>\s*", "<body>\n" + fallback + "\n", text, count=1)
    text = text.replace("</body>", _HIDE.format(div_id=div_id) + "\n</body>", 1)
    store.write_text_atomic(path, text)  # temporary file beside it, renamed into place
    return path
