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

from .. import schema
from ..analysis import density as density_analysis
from ..analysis import networks as networks_analysis
from ..analysis import overview as overview_analysis
from ..analysis import recovery as recovery_analysis
from ..analysis import recovery_validation
from ..analysis import scope as scope_analysis
from ..corpus import Corpus
from ..plots import density as density_plots
from ..plots import networks as networks_plots
from ..plots import overview as overview_plots
from ..plots import recovery as recovery_plots
from ..plots import scope as scope_plots
from ..plots.style import save_figure
from ..store import write_table
from . import datapackage, gallery


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
    path = ctx.docs_dir / "data-dictionary.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(schema.data_dictionary_markdown() + "\n", encoding="utf-8")
    return [path]


# ---------------------------------------------------------------- phase 1


def overview(ctx: Context) -> list[Path]:
    ov = overview_analysis.compute(ctx.corpus)
    written = write_table(ov.counts, "corpus_counts", ctx.data_dir)
    ids = ov.counts.doc_id.tolist()
    written += save_figure(overview_plots.plot_counts(ov.counts), "corpus-overview-counts", ids, ctx.figures_dir)
    written += save_figure(overview_plots.plot_line_roles(ov.line_roles), "corpus-overview-line-roles", ids,
                           ctx.figures_dir)
    return written


def _network_figures(c: networks_analysis.Coalitions, figures_dir: Path) -> list[Path]:
    short = c.doc_id.split("-")[0]
    pos = networks_plots.layout(c.bloc_graph)  # one force-directed layout for the static and the interactive view
    written = save_figure(networks_plots.plot_network(c, pos=pos), f"coalition-network-{short}", [c.doc_id],
                          figures_dir)
    if c.consensus is not None:
        written += save_figure(networks_plots.plot_consensus(c), f"coalition-consensus-{short}", [c.doc_id],
                               figures_dir)
        written += save_figure(networks_plots.plot_conflict(c), f"coalition-conflict-{short}", [c.doc_id],
                               figures_dir)
    if c.map is not None:
        written += save_figure(networks_plots.plot_positions_map(c), f"coalition-map-{short}", [c.doc_id],
                               figures_dir)
    if len(networks_analysis.brokers(c.nodes)):
        written += save_figure(networks_plots.plot_brokers(c), f"coalition-brokers-{short}", [c.doc_id],
                               figures_dir)
    written.append(networks_plots.network_html(c, figures_dir / f"coalition-network-{short}.html", pos=pos))
    return written


def networks(ctx: Context) -> list[Path]:
    results, why = networks_analysis.analyse_sessions(corpus=ctx.corpus)
    for reason in why.values():
        progress(f"coalition networks: {reason}")
    nodes, edges = networks_analysis.coalition_tables(results.values())
    written = write_table(nodes, "coalition_nodes", ctx.data_dir)
    written += write_table(edges, "coalition_edges", ctx.data_dir)
    written += write_table(networks_analysis.ties_table(results.values()), "coalition_ties", ctx.data_dir)
    for c in results.values():
        written += _network_figures(c, ctx.figures_dir)
    sessions = networks_analysis.SESSIONS
    if len(results) == 2:
        cmp = networks_analysis.compare_sessions(*[results[d] for d in sessions])
        if cmp.available:
            written += save_figure(networks_plots.plot_sessions(cmp), "coalition-sessions", list(sessions),
                                   ctx.figures_dir)
    return written


def scope(ctx: Context) -> list[Path]:
    sc = ctx.scope
    written = []
    for name in ("article_classes", "offence_inventory", "article_lineage", "scope_measures", "offence_reproposals"):
        written += write_table(getattr(sc, name), name, ctx.data_dir)
    drafts = [d for d in sc.documents["doc_id"] if d in sc.offence_inventory["doc_id"].unique()]
    written += save_figure(scope_plots.figure_shrinkage(sc.scope_measures), "scope-shrinkage",
                           list(sc.documents["doc_id"]), ctx.figures_dir)
    links = sc.flows
    if len(links):
        written += save_figure(scope_plots.figure_flows_static(links, scope_plots.flow_columns(links)), "offence-flows",
                               [d for d in scope_analysis.NEGOTIATING if d in drafts], ctx.figures_dir)
        written.append(scope_plots.figure_flows_html(links, ctx.figures_dir / "offence-flows.html"))
    written += save_figure(scope_plots.figure_inventory(sc.offence_families), "offence-inventory", drafts,
                           ctx.figures_dir)
    return written


def density(ctx: Context) -> list[Path]:
    result = density_analysis.compute(lineage=ctx.scope.article_lineage, corpus=ctx.corpus)
    written = []
    written += write_table(result.bracket_density, "bracket_density", ctx.data_dir)
    written += write_table(result.bracket_survival, "bracket_survival", ctx.data_dir)
    written += write_table(result.drafts, "bracket_density_drafts", ctx.data_dir)
    written += write_table(result.alignment, "bracket_density_alignment", ctx.data_dir)
    short, fd = density_plots.SHORT, ctx.figures_dir
    order = list(result.drafts.sort_values("session_order")["doc_id"])
    d = result.bracket_density
    matrix = density_analysis.heatmap_matrix(d, result.alignment, order)
    written += save_figure(density_plots.plot_heatmap(matrix, short), "bracket-density-heatmap", order, fd)
    written.append(density_plots.plotly_heatmap(matrix, short, fd / "bracket-density-heatmap.html"))
    top = density_analysis.most_contested(
        d[d["doc_id"].isin(["ahc4-cnd", "ahc6-chair-draft", density_analysis.DAMAGED_DOC])], n=8)
    written += save_figure(density_plots.plot_most_contested(top, short), "bracket-density-most-contested",
                           sorted(set(top["doc_id"])), fd)
    written += save_figure(density_plots.plot_chapters(d, short, order), "bracket-density-chapters", order, fd)
    written += save_figure(density_plots.plot_contest_profile(d, short), "bracket-density-contest-profile",
                           sorted(set(d.loc[d["n_delegations"] > 0, "doc_id"])) or order, fd)
    return written


def recovery(ctx: Context) -> list[Path]:
    """Loss profile, synthetic benchmark (held-out seeds), the validation against the hand-judged set
    (scores, reliability, per-reading judgements, inter-annotator agreement), the sensitivity of the
    6th-session findings to the confidence threshold and to the lists, and their figures."""
    loss = recovery_analysis.document_loss_model(ctx.corpus)
    bench, calib = recovery_analysis.benchmark_tables(corpus=ctx.corpus)
    doc = recovery_analysis.DOC_ID
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
    written += save_figure(recovery_plots.plot_loss_profile(loss), "recovery-loss-profile",
                           [doc, "ahc6-chair-draft"], ctx.figures_dir)
    written += save_figure(recovery_plots.plot_calibration(calib), "recovery-calibration", [doc, "ahc4-cnd"],
                           ctx.figures_dir)
    written += save_figure(recovery_plots.plot_reliability(tables["recovery_reliability"]), "recovery-reliability",
                           [doc], ctx.figures_dir)
    written += save_figure(recovery_plots.plot_sensitivity(sens), "recovery-sensitivity", [doc, "ahc4-cnd"],
                           ctx.figures_dir)
    return written


# ---------------------------------------------------------------- phase 2


def release(ctx: Context) -> list[Path]:
    missing = datapackage.missing_tables(ctx.data_dir)
    if missing:
        progress(f"data package: no CSV yet for {', '.join(missing)} (left out; run the full build)")
    return [datapackage.write_package(ctx.data_dir), gallery.write_gallery(ctx.figures_dir, ctx.data_dir)]


STEPS: tuple[Step, ...] = (
    Step("parse and write draft tables", draft_tables, 0),
    Step("write the data dictionary", data_dictionary, 0),
    Step("corpus overview: table and figures", overview, 1, cost=2),
    Step("coalition networks: tables and figures", networks, 1, cost=27),
    Step("criminalization scope: tables and figures", scope, 1, cost=4, uses_scope=True),
    Step("bracket density: tables and figures", density, 1, cost=10, uses_scope=True),
    Step("damaged-text recovery: tables and figures", recovery, 1, cost=35, uses_scope=True),
    Step("data package and figure gallery", release, 2),
)
