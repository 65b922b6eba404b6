"""Every static figure the build makes, rendered and checked as a journal editor would:
one or two journal columns wide at its saved size, no text under 7 pt, no text box
overlapping another or reaching into a panel it does not belong to (a colour bar, a
neighbouring plot), no text leaving the canvas.

The figures are drawn by the build's own lists (``release.steps.*_figures``: the same plot
functions on the same results), one analysis per group computed once (module fixture); the
corpus reads the built tables when ``data/`` is fresh.  Extents are matplotlib's
(``Text.get_window_extent`` on the renderer that draws the figure, at 300 dpi and the saved
size: :func:`treatydrafts.plots.style.text_problems`).
"""
from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pytest  # noqa: E402

from treatydrafts import paths, store  # noqa: E402
from treatydrafts.corpus import Corpus  # noqa: E402
from treatydrafts.plots import style  # noqa: E402
from treatydrafts.release import steps  # noqa: E402

pytestmark = pytest.mark.slow  # renders every figure of the build

GROUPS = ("overview", "networks", "scope", "density", "recovery", "lineage")


@pytest.fixture(scope="module")
def specs():
    """``group -> [FigureSpec]``, each group's analysis computed once, on first use."""
    from treatydrafts.analysis import density, lineage, networks, overview, recovery, scope
    from treatydrafts.plots import lineage as lineage_plots

    corpus = Corpus()
    cache: dict[str, list] = {}

    def get(group: str):
        if group not in cache:
            if group == "overview":
                cache[group] = steps.overview_figures(overview.compute(corpus))
            elif group == "networks":
                results, _ = networks.analyse_sessions(corpus=corpus)
                cache[group] = steps.network_figures(results, steps.session_comparison(results))
            elif group in ("scope", "density"):
                sc = scope.compute(corpus=corpus)
                cache["scope"] = steps.scope_figures(sc)
                cache["density"] = steps.density_figures(density.compute(lineage=sc.article_lineage, corpus=corpus))
            elif group == "recovery":  # the validation and sensitivity tables as the build wrote them (slow to redo)
                _, calib = recovery.benchmark_tables(corpus=corpus)
                cache[group] = steps.recovery_figures(recovery.document_loss_model(corpus), calib,
                                                      store.read_table("recovery_reliability"),
                                                      store.read_table("recovery_sensitivity"))
            elif group == "lineage":
                cache[group] = steps.lineage_figures(lineage.result(corpus), lineage_plots.display_titles(corpus))
        return cache[group]

    return get


def check(fig, doc_ids) -> list[str]:
    """Size rules and text problems of ``fig`` as saved (source line added)."""
    w, h = fig.get_size_inches()
    problems = []
    if not any(abs(w - c) < 0.01 for c in (style.SINGLE, style.DOUBLE)):
        problems.append(f"width {w:.2f} in is neither one ({style.SINGLE} in) nor two ({style.DOUBLE} in) columns")
    if h > style.MAX_HEIGHT + 0.01:
        problems.append(f"height {h:.2f} in > {style.MAX_HEIGHT} in")
    style.add_source_line(fig, doc_ids)
    return problems + style.text_problems(fig)


@pytest.mark.parametrize("group", GROUPS)
def test_every_figure_fits_a_column_with_readable_text_that_overlaps_nothing(specs, group):
    failures = {}
    for spec in specs(group):
        fig = spec.make()
        try:
            got = check(fig, spec.doc_ids)
        finally:
            plt.close(fig)
        if got:
            failures[spec.name] = got
    assert failures == {}, "\n".join(f"{name}:\n  " + "\n  ".join(p) for name, p in failures.items())


def test_the_checked_figures_are_every_figure_the_build_makes(specs):
    checked = {s.name for g in GROUPS for s in specs(g)}
    built = {p.stem for p in paths.FIGURES.glob("*.png")}
    assert checked == built


def test_the_check_catches_a_bad_figure():
    """A deliberately bad figure: two labels on top of each other, a label off the canvas, a 5 pt note,
    and a width that is no journal column."""
    style.apply()
    fig, ax = plt.subplots(figsize=(5.0, 3.0))
    ax.text(0.5, 0.5, "Interference with computer data")
    ax.text(0.52, 0.51, "Illegal interception")
    ax.text(1.3, 0.5, "cut off at the edge", transform=ax.transAxes)
    ax.text(0.1, 0.1, "tiny note", fontsize=5)
    got = check(fig, ["test-doc"])
    plt.close(fig)
    assert any(p.startswith("width 5.00 in") for p in got)
    assert any(p.startswith("overlap:") and "Illegal interception" in p for p in got)
    assert any(p.startswith("outside the canvas:") and "cut off" in p for p in got)
    assert any(p.startswith("too small (5.0 pt") for p in got)


def test_the_check_catches_text_reaching_into_another_panel():
    """Tick labels of one panel running under a colour bar, and a figure note written over a panel."""
    import numpy as np

    style.apply()
    fig, ax = plt.subplots(figsize=(style.SINGLE, 3.0))
    im = ax.imshow(np.eye(3))
    ax.set_xticks([0, 1, 2], ["a long tick label"] * 3, rotation=90)
    fig.subplots_adjust(bottom=0.3)
    cax = fig.add_axes((0.1, 0.12, 0.8, 0.05))
    fig.colorbar(im, cax=cax)
    fig.text(0.5, 0.6, "note")
    got = style.text_problems(fig)
    plt.close(fig)
    assert any(p.startswith("inside another panel: 'a long tick label'") for p in got)
    assert any(p.startswith("inside another panel: 'note'") for p in got)


def test_a_clean_figure_passes():
    fig, ax = style.figure(style.SINGLE, 2.5)
    ax.plot([0, 1], [0, 1])
    ax.set_xlabel("share of characters kept")
    style.title(fig, "A title long enough to be wrapped over two lines at one column")
    assert check(fig, ["test-doc"]) == []
    plt.close(fig)


def test_place_labels_never_overlaps_and_is_deterministic():
    """Forty labels on a crowded cluster: none overlaps another; the same input gives the same positions."""
    import numpy as np

    rng = np.random.default_rng(7)
    xs, ys = rng.normal(0, 0.05, 40), rng.normal(0, 0.05, 40)
    labels = [f"D{i:02d}" for i in range(40)]

    def run():
        fig, ax = style.figure(style.SINGLE, 3.0)
        ax.scatter(xs, ys, s=10)
        ax.set_xlim(-1, 1)
        ax.set_ylim(-1, 1)
        got = style.place_labels(ax, xs, ys, labels, radii_pt=2.0, max_shift_pt=80)
        out = [t.xyann if t is not None else None for t in got]
        problems = style.text_problems(fig)
        plt.close(fig)
        return out, problems

    a, problems = run()
    b, _ = run()
    assert problems == []
    assert a == b
    assert sum(p is not None for p in a) >= 30


def test_text_colour_contrasts_with_the_cell():
    assert style.text_colour("#fde725") == "black"  # viridis yellow
    assert style.text_colour("#440154") == "white"  # viridis purple
    assert style.text_colour("#F0E442") == "black"  # Okabe-Ito yellow


def test_wrap_never_cuts_a_word():
    text = "Offences related to the distribution of narcotic drugs and psychotropic substances"
    out = style.wrap(text, 1.5, 7)
    assert out.replace("\n", " ") == text
    assert max(len(line) for line in out.split("\n")) <= 30


@pytest.mark.parametrize("page", sorted(paths.FIGURES.glob("*.html")), ids=lambda p: p.stem)
def test_html_view_says_what_is_missing_without_plotly(page):
    """A view copied alone shows a message naming plotly.min.js (hidden by an inline script once
    plotly has loaded), carries the source line, follows the window's width and has no random ids."""
    text = page.read_text(encoding="utf-8")
    assert re.search(r'<div id="[^"]+-fallback"[^>]*>.*plotly\.min\.js', text, re.S)
    assert 'typeof Plotly !== "undefined"' in text
    assert "Source: treatydrafts" in text
    assert '"responsive": true' in text or '"responsive":true' in text
    assert '"autosize":true' in text.replace(" ", "")
    assert not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", text)
