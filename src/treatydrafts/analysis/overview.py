"""Corpus overview: what each document holds and how much of it was parsed (compute only)."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .. import corpus as _corpus
from .. import schema
from ..vocab import CONTENT_ROLES, LINE_ROLES

COUNTED = ["n_articles", "n_paragraphs", "n_brackets", "n_proposals", "n_positions", "n_delegations", "n_diagnostics"]


@dataclass(frozen=True)
class Overview:
    counts: pd.DataFrame  # table corpus_counts, in session order
    line_roles: pd.DataFrame  # lines per role (columns) per document (rows), in session order
    diagnostics: pd.DataFrame  # diagnostics per document, stage and kind (long)


def count_rows(corpus=None) -> pd.DataFrame:
    """Rows per table per document (table ``corpus_counts``), in session order."""
    corpus = corpus or _corpus.DEFAULT
    rows = []
    for doc in corpus.documents().itertuples():
        d = corpus.load(doc.doc_id)
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


def line_roles(corpus=None) -> pd.DataFrame:
    """Lines per role per document (wide), in session order."""
    corpus = corpus or _corpus.DEFAULT
    frames = []
    for doc in corpus.documents().itertuples():
        lines = corpus.load(doc.doc_id).lines
        frames.append(lines.groupby("role").size().rename(doc.doc_id))
    out = pd.concat(frames, axis=1).fillna(0).astype(int).T
    return out[[r for r in LINE_ROLES if r in out.columns]]


def diagnostics_by_kind(corpus=None) -> pd.DataFrame:
    """Diagnostics per stage and kind per document (long)."""
    corpus = corpus or _corpus.DEFAULT
    frames = [corpus.load(d).diagnostics for d in corpus.documents().doc_id]
    diag = pd.concat(frames, ignore_index=True)
    return (diag.groupby(["doc_id", "stage", "kind"]).size().rename("n").reset_index()
            .sort_values(["doc_id", "n", "kind"], ascending=[True, False, True], kind="mergesort")
            .reset_index(drop=True))


def compute(corpus=None) -> Overview:
    """The overview of every document of ``corpus`` (default: the public API's)."""
    return Overview(count_rows(corpus), line_roles(corpus), diagnostics_by_kind(corpus))
