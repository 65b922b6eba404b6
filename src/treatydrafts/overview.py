"""Corpus overview: what each document holds and how much of it was parsed."""
from __future__ import annotations

import numpy as np
import pandas as pd

from . import schema, style
from .build import step, write_table
from .corpus import documents, load

CONTENT_ROLES = {"chapter_heading", "cluster_heading", "article_heading", "paragraph", "preamble", "note"}
COUNTED = ["n_articles", "n_paragraphs", "n_brackets", "n_proposals", "n_positions", "n_delegations", "n_diagnostics"]


def count_rows() -> pd.DataFrame:
    """Rows per table per document (table ``corpus_counts``), in session order."""
    rows = []
    for doc in documents().itertuples():
        d = load(doc.doc_id)
        nonblank = d.lines[d.lines.role != "blank"]
        rows.append({
            "doc_id": doc.doc_id, "session_order": doc.session_order, "n_lines": doc.n_lines,
            "n_chapters": len(d.chapters), "n_articles": len(d.articles),
            "n_proposed_articles": int(d.articles.is_proposed.sum()),
            "n_paragraphs": len(d.paragraphs), "n_words": int(d.paragraphs.n_words.sum()),
            "n_brackets": len(d.brackets), "n_proposals": len(d.proposals), "n_positions": len(d.positions),
            "n_delegations": d.positions.loc[d.positions.delegation_id != "", "delegation_id"].nunique(),
            "n_diagnostics": len(d.diagnostics),
            "share_lines_parsed": round(float(nonblank.role.isin(CONTENT_ROLES).mean()) if len(nonblank) else 0.0, 4),
        })
    df = schema.validate(pd.DataFrame(rows), "corpus_counts", sort=False)
    return df.sort_values("session_order", kind="mergesort").reset_index(drop=True)


def line_roles() -> pd.DataFrame:
    """Lines per role per document (wide), in session order."""
    frames = []
    for doc in documents().itertuples():
        lines = load(doc.doc_id).lines
        frames.append(lines.groupby("role").size().rename(doc.doc_id))
    out = pd.concat(frames, axis=1).fillna(0).astype(int).T
    return out[[r for r in schema.LINE_ROLES if r in out.columns]]


def diagnostics_by_kind() -> pd.DataFrame:
    """Diagnostics per stage and kind per document (long)."""
    frames = [load(d).diagnostics for d in documents().doc_id]
    diag = pd.concat(frames, ignore_index=True)
    return (diag.groupby(["doc_id", "stage", "kind"]).size().rename("n").reset_index()
            .sort_values(["doc_id", "n", "kind"], ascending=[True, False, True], kind="mergesort")
            .reset_index(drop=True))


def plot_counts(counts: pd.DataFrame):
    """Small multiples: one panel per count, documents in session order."""
    labels = counts.doc_id.tolist()
    panels = [("n_articles", "Articles"), ("n_paragraphs", "Paragraphs"), ("n_brackets", "Bracket spans"),
              ("n_proposals", "Proposals"), ("n_positions", "Delegation positions"), ("n_diagnostics", "Diagnostics")]
    fig, axes = style.figure(height=5.2, nrows=2, ncols=3, sharey=True)
    y = np.arange(len(labels))
    for ax, (col, title) in zip(axes.flat, panels):
        vals = counts[col].to_numpy()
        ax.barh(y, vals, color=style.PALETTE[0])
        for yi, v in zip(y, vals):
            ax.text(v, yi, f" {v:,}", va="center", fontsize=7)
        ax.set_title(title)
        ax.set_xlim(0, max(vals.max(), 1) * 1.35)
        ax.set_yticks(y, labels)
        ax.invert_yaxis()
        ax.tick_params(axis="x", labelsize=7)
    fig.suptitle("What each draft holds (documents in session order)", x=0.01, ha="left", fontsize=10)
    fig.tight_layout()
    return fig


def plot_line_roles(roles: pd.DataFrame):
    """Stacked horizontal bars: share of each document's lines by role."""
    share = roles.div(roles.sum(axis=1), axis=0)
    fig, ax = style.figure(height=2.8)
    left = np.zeros(len(share))
    colours = style.PALETTE + [style.GREY, "#332288", "#88CCEE", "#44AA99", "#AA4499"]
    for i, role in enumerate(share.columns):
        ax.barh(share.index, share[role], left=left, label=role, color=colours[i % len(colours)])
        left += share[role].to_numpy()
    ax.invert_yaxis()
    ax.set_xlabel("share of the file's lines")
    ax.set_xlim(0, 1)
    ax.legend(ncols=4, fontsize=7, loc="upper center", bbox_to_anchor=(0.45, -0.25), frameon=False)
    ax.set_title("Every line accounted for: what each line of each file is", loc="left")
    return fig


@step("corpus overview: table and figures")
def build_overview(data_dir, figures_dir):
    counts = count_rows()
    written = write_table(counts, "corpus_counts", data_dir)
    ids = counts.doc_id.tolist()
    written += style.save_figure(plot_counts(counts), "corpus-overview-counts", ids, figures_dir)
    written += style.save_figure(plot_line_roles(line_roles()), "corpus-overview-line-roles", ids, figures_dir)
    return written
