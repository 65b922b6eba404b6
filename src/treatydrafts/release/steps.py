"""The build steps: each computes through an analysis, writes its tables through
:mod:`treatydrafts.store` and its figures through :mod:`treatydrafts.plots`.

A step is ``fn(ctx) -> [written paths]``; :data:`STEPS` lists them in the order
they run (the orchestrator imports the analyses, never the reverse).  Phases:
0 parses (everything else reads its tables), 1 holds the analyses (independent
of one another: they may run in parallel worker processes, so a phase-1 step
never reads what another one writes), 2 describes what 0 and 1 wrote.
"""
from __future__ import annotations

import functools
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pandas as pd

from .. import schema, store
from ..analysis import density as density_analysis
from ..analysis import findings
from ..analysis import lineage as lineage_analysis
from ..analysis import networks as networks_analysis
from ..analysis import overview as overview_analysis
from ..analysis import recovery as recovery_analysis
from ..analysis import recovery_validation
from ..analysis import scope as scope_analysis
from ..corpus import Corpus
from ..plots import density as density_plots
from ..plots import lineage as lineage_plots
from ..plots import networks as networks_plots
from ..plots import overview as overview_plots
from ..plots import recovery as recovery_plots
from ..plots import scope as scope_plots
from ..plots.style import save_figure
from ..store import write_table
from . import datapackage, gallery, profiles


def progress(msg: str) -> None:
    print(f"[treatydrafts] {msg}", file=sys.stderr, flush=True)


@dataclass
class Context:
    """What every step gets: the output folders and the corpus to compute from (the build always
    parses: ``Corpus(read_built=False)``); results shared by several steps are computed once."""

    data_dir: Path
    figures_dir: Path
    docs_dir: Path
    corpus: Corpus = field(default_factory=lambda: Corpus(read_built=False))

    @functools.cached_property
    def scope(self) -> scope_analysis.Scope:
        """The criminalization-scope result (its lineage also aligns the bracket-density heatmap)."""
        return scope_analysis.compute(corpus=self.corpus)


@dataclass(frozen=True)
class Step:
    name: str
    fn: Callable[[Context], list[Path]]
    phase: int  # 0: parse; 1: analyses (may run in parallel); 2: describes the outputs of 0 and 1
    cost: float = 1.0  # rough seconds on a 2-core VM: the parallel phase starts the longest first
    uses_scope: bool = False  # reads Context.scope (computed once, before the workers fork)


# ---------------------------------------------------------------- phase 0


def draft_tables(ctx: Context) -> list[Path]:
    written = write_table(ctx.corpus.documents(), "documents", ctx.data_dir)
    written += write_table(ctx.corpus.delegations(), "delegations", ctx.data_dir)
    for name, df in ctx.corpus.load_all().tables().items():
        written += write_table(df, name, ctx.data_dir)
    return written


def data_dictionary(ctx: Context) -> list[Path]:
    return [store.write_text_atomic(ctx.docs_dir / "data-dictionary.md", schema.data_dictionary_markdown() + "\n")]


# ---------------------------------------------------------------- phase 1
#
# Each analysis step computes, writes its tables, then saves the static figures listed by its
# ``*_figures`` function: ``FigureSpec(name, make, doc_ids)``, ``make()`` drawing the figure from the
# step's result.  ``tests/test_figures.py`` renders the same list to check every figure the build makes.


@dataclass(frozen=True)
class FigureSpec:
    name: str  # figures/<name>.png|svg|pdf
    make: Callable[[], object]  # draws the figure (a matplotlib Figure)
    doc_ids: tuple[str, ...]  # the source line


def save_specs(specs: list[FigureSpec], figures_dir: Path) -> list[Path]:
    written: list[Path] = []
    for f in specs:
        written += save_figure(f.make(), f.name, list(f.doc_ids), figures_dir)
    return written


def overview_figures(ov: overview_analysis.Overview) -> list[FigureSpec]:
    ids = tuple(ov.counts.doc_id)
    return [FigureSpec("corpus-overview-counts", lambda: overview_plots.plot_counts(ov.counts), ids),
            FigureSpec("corpus-overview-line-roles", lambda: overview_plots.plot_line_roles(ov.line_roles), ids)]


def overview(ctx: Context) -> list[Path]:
    ov = overview_analysis.compute(ctx.corpus)
    written = write_table(ov.counts, "corpus_counts", ctx.data_dir)
    return written + save_specs(overview_figures(ov), ctx.figures_dir)


def _session_short(doc_id: str) -> str:
    return doc_id.split("-")[0]


def network_figures(results: dict[str, networks_analysis.Coalitions],
                    cmp: networks_analysis.SessionComparison | None,
                    layouts: dict[str, dict] | None = None) -> list[FigureSpec]:
    """Static figures of the coalition step; ``layouts``: one force-directed layout per session,
    shared by the static and the interactive network (computed here when not given)."""
    specs = []
    for c in results.values():
        short, ids = _session_short(c.doc_id), (c.doc_id,)
        pos = (layouts or {}).get(c.doc_id) or networks_plots.layout(c.bloc_graph)
        specs.append(FigureSpec(f"coalition-network-{short}", functools.partial(networks_plots.plot_network, c, pos=pos),
                                ids))
        if c.consensus is not None:
            specs.append(FigureSpec(f"coalition-consensus-{short}", functools.partial(networks_plots.plot_consensus, c),
                                    ids))
            specs.append(FigureSpec(f"coalition-conflict-{short}", functools.partial(networks_plots.plot_conflict, c),
                                    ids))
        if c.map is not None:
            specs.append(FigureSpec(f"coalition-map-{short}", functools.partial(networks_plots.plot_positions_map, c),
                                    ids))
        if len(networks_analysis.brokers(c.nodes)):
            specs.append(FigureSpec(f"coalition-brokers-{short}", functools.partial(networks_plots.plot_brokers, c),
                                    ids))
    if cmp is not None and cmp.available:
        specs.append(FigureSpec("coalition-sessions", functools.partial(networks_plots.plot_sessions, cmp),
                                tuple(networks_analysis.SESSIONS)))
    return specs


def session_comparison(results: dict[str, networks_analysis.Coalitions]):
    sessions = networks_analysis.SESSIONS
    return networks_analysis.compare_sessions(*[results[d] for d in sessions]) if len(results) == 2 else None


def networks(ctx: Context) -> list[Path]:
    results, why = networks_analysis.analyse_sessions(corpus=ctx.corpus)
    for reason in why.values():
        progress(f"coalition networks: {reason}")
    nodes, edges = networks_analysis.coalition_tables(results.values())
    written = write_table(nodes, "coalition_nodes", ctx.data_dir)
    written += write_table(edges, "coalition_edges", ctx.data_dir)
    written += write_table(networks_analysis.ties_table(results.values()), "coalition_ties", ctx.data_dir)
    written += write_table(networks_analysis.summary_table(results.values()), "coalition_summary", ctx.data_dir)
    points, axes = networks_analysis.map_tables(results.values())
    written += write_table(points, "coalition_map_points", ctx.data_dir)
    written += write_table(axes, "coalition_map_axes", ctx.data_dir)
    cmp = session_comparison(results)
    written += write_table(networks_analysis.sessions_table(cmp) if cmp is not None
                           else schema.empty_frame("coalition_sessions"), "coalition_sessions", ctx.data_dir)
    # one force-directed layout per session for the static and the interactive view
    layouts = {d: networks_plots.layout(c.bloc_graph) for d, c in results.items()}
    written += save_specs(network_figures(results, cmp, layouts), ctx.figures_dir)
    for d, c in results.items():
        written.append(networks_plots.network_html(c, ctx.figures_dir / f"coalition-network-{_session_short(d)}.html",
                                                   pos=layouts[d]))
    return written


def scope_figures(sc: scope_analysis.Scope) -> list[FigureSpec]:
    drafts = [d for d in sc.documents["doc_id"] if d in sc.offence_inventory["doc_id"].unique()]
    specs = [FigureSpec("scope-shrinkage", functools.partial(scope_plots.figure_shrinkage, sc.scope_measures),
                        tuple(sc.documents["doc_id"]))]
    links = sc.flows
    if len(links):
        specs.append(FigureSpec("offence-flows",
                                functools.partial(scope_plots.figure_flows_static, links, scope_plots.flow_columns(links)),
                                tuple(d for d in scope_analysis.NEGOTIATING if d in drafts)))
    specs.append(FigureSpec("offence-inventory", functools.partial(scope_plots.figure_inventory, sc.offence_families),
                            tuple(drafts)))
    return specs


def scope(ctx: Context) -> list[Path]:
    sc = ctx.scope
    written = []
    for name in ("article_classes", "offence_inventory", "article_lineage", "scope_measures", "offence_reproposals"):
        written += write_table(getattr(sc, name), name, ctx.data_dir)
    written += save_specs(scope_figures(sc), ctx.figures_dir)
    if len(sc.flows):
        drafts = [d for d in scope_analysis.NEGOTIATING if d in set(sc.offence_inventory["doc_id"])]
        written.append(scope_plots.figure_flows_html(sc.flows, ctx.figures_dir / "offence-flows.html", drafts))
    return written


def _density_inputs(result: density_analysis.Density):
    order = list(result.drafts.sort_values("session_order")["doc_id"])
    d = result.bracket_density
    matrix = density_analysis.heatmap_matrix(d, result.alignment, order)
    return order, d, matrix


def density_figures(result: density_analysis.Density) -> list[FigureSpec]:
    short = density_plots.SHORT
    order, d, matrix = _density_inputs(result)
    top = density_analysis.most_contested(
        d[d["doc_id"].isin(["ahc4-cnd", "ahc6-chair-draft", density_analysis.DAMAGED_DOC])], n=8)
    contested_docs = tuple(x for x in order if x in set(top["doc_id"]))
    return [
        FigureSpec("bracket-density-heatmap", functools.partial(density_plots.plot_heatmap, matrix, short), tuple(order)),
        FigureSpec("bracket-density-most-contested", functools.partial(density_plots.plot_most_contested, top, short),
                   contested_docs),
        FigureSpec("bracket-density-chapters", functools.partial(density_plots.plot_chapters, d, short, order),
                   tuple(order)),
        FigureSpec("bracket-density-contest-profile", functools.partial(density_plots.plot_contest_profile, d, short),
                   tuple(x for x in order if x in set(d.loc[d["n_delegations"] > 0, "doc_id"])) or tuple(order)),
    ]


def density(ctx: Context) -> list[Path]:
    result = density_analysis.compute(lineage=ctx.scope.article_lineage, corpus=ctx.corpus)
    written = []
    written += write_table(result.bracket_density, "bracket_density", ctx.data_dir)
    written += write_table(result.bracket_survival, "bracket_survival", ctx.data_dir)
    written += write_table(result.drafts, "bracket_density_drafts", ctx.data_dir)
    written += write_table(result.alignment, "bracket_density_alignment", ctx.data_dir)
    written += save_specs(density_figures(result), ctx.figures_dir)
    _, _, matrix = _density_inputs(result)
    written.append(density_plots.plotly_heatmap(matrix, density_plots.SHORT,
                                                ctx.figures_dir / "bracket-density-heatmap.html"))
    return written


def recovery_figures(loss, calib, reliability, sensitivity) -> list[FigureSpec]:
    doc = recovery_analysis.DOC_ID
    return [FigureSpec("recovery-loss-profile", functools.partial(recovery_plots.plot_loss_profile, loss),
                       (doc, "ahc6-chair-draft")),
            FigureSpec("recovery-calibration", functools.partial(recovery_plots.plot_calibration, calib),
                       (doc, "ahc4-cnd")),
            FigureSpec("recovery-reliability", functools.partial(recovery_plots.plot_reliability, reliability),
                       (doc,)),
            FigureSpec("recovery-sensitivity", functools.partial(recovery_plots.plot_sensitivity, sensitivity),
                       (doc, "ahc4-cnd"))]


def recovery(ctx: Context) -> list[Path]:
    """Loss profile, synthetic benchmark (held-out seeds), the validation against the hand-judged set
    (scores, reliability, per-reading judgements, inter-annotator agreement), the sensitivity of the
    6th-session findings to the confidence threshold and to the lists, and their figures."""
    loss = recovery_analysis.document_loss_model(ctx.corpus)
    bench, calib = recovery_analysis.benchmark_tables(corpus=ctx.corpus)
    written = write_table(recovery_analysis.loss_profile_table(loss), "loss_profile", ctx.data_dir)
    written += write_table(bench.round(4), "recovery_benchmark", ctx.data_dir)
    written += write_table(calib.round(4), "recovery_calibration", ctx.data_dir)
    tables = recovery_validation.validation_tables(
        recovery_analysis.readings_frame(recovery_analysis.document_readings(ctx.corpus)))
    for name, df in tables.items():
        written += write_table(df.round(4), name, ctx.data_dir)
    lineage = ctx.scope.article_lineage
    sens = pd.concat([recovery_analysis.threshold_sensitivity(lineage, corpus=ctx.corpus),
                      recovery_analysis.bootstrap_findings(lineage, corpus=ctx.corpus)], ignore_index=True)
    written += write_table(sens.round(4), "recovery_sensitivity", ctx.data_dir)
    return written + save_specs(recovery_figures(loss, calib, tables["recovery_reliability"], sens), ctx.figures_dir)


def lineage_figures(r: lineage_analysis.Lineage, titles: dict[tuple[str, int], str]) -> list[FigureSpec]:
    """The study's four figures; ``titles``: the articles' display titles (``lineage_plots.display_titles``)."""
    cnd_chair = ("ahc4-cnd", "ahc6-chair-draft")
    return [
        FigureSpec("lineage-outcomes-by-article", functools.partial(lineage_plots.plot_outcomes_by_article, r, titles),
                   cnd_chair),
        FigureSpec("lineage-outcomes-by-group", functools.partial(lineage_plots.plot_outcomes_by_group, r),
                   cnd_chair + ("ahc6-amended-draft",)),
        FigureSpec("lineage-influence", functools.partial(lineage_plots.plot_influence, r), cnd_chair),
        FigureSpec("lineage-criminalization-chapter", functools.partial(lineage_plots.plot_chapter_lineage, r, titles),
                   cnd_chair + (lineage_plots.ADOPTED_SOURCE,)),
    ]


def lineage(ctx: Context) -> list[Path]:
    """Who wrote the treaty: crosswalk, proposal outcomes and their validation, 6th-session
    restorations, influence; four figures; a Markdown profile per delegation."""
    r = lineage_analysis.compute(lineage=ctx.scope.article_lineage, corpus=ctx.corpus)
    written = []
    for name, df in r.tables().items():
        written += write_table(df, name, ctx.data_dir)
    written += save_specs(lineage_figures(r, lineage_plots.display_titles(ctx.corpus)), ctx.figures_dir)
    written += profiles.write_profiles(r, ctx.corpus.documents(), ctx.corpus.delegations(),
                                       ctx.docs_dir / "delegations")
    return written


# ---------------------------------------------------------------- phase 2


def release(ctx: Context) -> list[Path]:
    """The findings quoted in texts, the data package and the figure gallery (they describe the other steps'
    outputs)."""
    written = write_table(findings.findings_table(findings.compute(ctx.data_dir)), "findings", ctx.data_dir)
    missing = datapackage.missing_tables(ctx.data_dir)
    if missing:
        progress(f"data package: no CSV yet for {', '.join(missing)} (left out; run the full build)")
    return written + [datapackage.write_package(ctx.data_dir), gallery.write_gallery(ctx.figures_dir, ctx.data_dir)]


STEPS: tuple[Step, ...] = (
    Step("parse and write draft tables", draft_tables, 0),
    Step("write the data dictionary", data_dictionary, 0),
    Step("corpus overview: table and figures", overview, 1, cost=2),
    Step("coalition networks: tables and figures", networks, 1, cost=27),
    Step("criminalization scope: tables and figures", scope, 1, cost=4, uses_scope=True),
    Step("bracket density: tables and figures", density, 1, cost=10, uses_scope=True),
    Step("damaged-text recovery: tables and figures", recovery, 1, cost=35, uses_scope=True),
    Step("who wrote the treaty: outcomes, influence, crosswalk, profiles", lineage, 1, cost=30, uses_scope=True),
    Step("findings, data package and figure gallery", release, 2),
)
