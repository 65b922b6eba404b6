"""Findings: every number quoted in a notebook summary, a figure caption or the gallery,
computed from the built tables (compute only).

A *fact* is one quoted value with its key, a one-line description and the tables it
comes from.  :func:`compute` reads the tables of a data folder and returns every fact;
the build writes them to the ``findings`` table (so a finding is citable and a changed
finding changes ``data/``), the gallery fills its captions from them, and the notebooks'
question-and-answer summaries (:func:`summary`) are written from them at run time.
Nothing here is typed by hand but the wording around the numbers.
"""
from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pandas as pd
from scipy.stats import spearmanr
from sklearn.metrics import adjusted_rand_score

from .. import paths, schema, store
from ..vocab import CONTENT_ROLES

CND, CHAIR, AMENDED, EXPERT, UK = ("ahc4-cnd", "ahc6-chair-draft", "ahc6-amended-draft", "expert-2023-proposal",
                                   "ahc3-uk-submission")


@dataclass(frozen=True)
class Fact:
    key: str
    value: str  # as quoted in text ("1,442", "0.81", "Art. 18 (child sexual abuse material)")
    description: str
    tables: tuple[str, ...]


class Tables:
    """The built tables of one data folder, read once each (NA-safe, schema dtypes)."""

    def __init__(self, data_dir: Path | None = None):
        self.data_dir = Path(data_dir or paths.DATA)
        self._cache: dict[str, pd.DataFrame] = {}

    def __getitem__(self, name: str) -> pd.DataFrame:
        if name not in self._cache:
            self._cache[name] = store.read_table(name, self.data_dir)
        return self._cache[name]

    def has(self, *names: str) -> bool:
        return all((self.data_dir / f"{n}.csv").exists() for n in names)


def count(n) -> str:
    """An integer as quoted: thousands separated (``1,442``)."""
    return f"{int(n):,}"


def pct(x: float, digits: int = 0) -> str:
    """A share as a percentage (``38%``)."""
    return f"{100 * x:.{digits}f}%"


def dec(x: float, digits: int = 2) -> str:
    return "n/a" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def and_list(items: list[str]) -> str:
    items = list(items)
    if not items:
        return ""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


class _Collector:
    def __init__(self):
        self.facts: dict[str, Fact] = {}

    def add(self, key: str, value, description: str, *tables: str) -> None:
        if key in self.facts:
            raise ValueError(f"fact {key!r} computed twice")
        self.facts[key] = Fact(key, str(value), description, tables)


# ---------------------------------------------------------------- the corpus (notebook 00)


def overview_facts(t: Tables, c: _Collector) -> None:
    counts = t["corpus_counts"].set_index("doc_id")
    c.add("corpus_n_documents", count(len(counts)), "Documents in the corpus.", "corpus_counts")
    c.add("corpus_n_lines", count(counts["n_lines"].sum()), "Lines of the five source files.", "corpus_counts")
    c.add("corpus_n_articles", count(counts["n_articles"].sum()), "Articles in all documents.", "corpus_counts")
    c.add("corpus_n_paragraphs", count(counts["n_paragraphs"].sum()), "Paragraphs in all documents.", "corpus_counts")
    share = counts["share_lines_parsed"]
    c.add("corpus_share_parsed_min", pct(share.min()), "Lowest share of non-blank lines that carry draft text.",
          "corpus_counts")
    c.add("corpus_share_parsed_min_doc", share.idxmin(), "Document with that lowest share.", "corpus_counts")
    c.add("corpus_share_parsed_max", pct(share.max()), "Highest share of non-blank lines that carry draft text.",
          "corpus_counts")
    for doc, short in ((CND, "cnd"), (AMENDED, "amended")):
        r = counts.loc[doc]
        c.add(f"{short}_n_proposals", count(r["n_proposals"]), f"Proposals in {doc}.", "corpus_counts", "proposals")
        c.add(f"{short}_n_positions", count(r["n_positions"]), f"Delegation positions in {doc}.", "corpus_counts",
              "positions")
        c.add(f"{short}_n_brackets", count(r["n_brackets"]), f"Bracket spans found in {doc}.", "corpus_counts",
              "brackets")
        c.add(f"{short}_n_delegations", count(r["n_delegations"]),
              f"Distinct resolved delegations with a position in {doc}.", "corpus_counts", "positions")
        c.add(f"{short}_n_diagnostics", count(r["n_diagnostics"]), f"Diagnostics of {doc}.", "corpus_counts",
              "diagnostics")
    c.add("corpus_n_diagnostics", count(counts["n_diagnostics"].sum()), "Diagnostics in all documents.",
          "corpus_counts", "diagnostics")
    lines = t["lines"]
    by_doc = lines.groupby("doc_id")["role"]
    blank = by_doc.apply(lambda s: (s == "blank").mean())
    clean = blank.drop(AMENDED)
    c.add("clean_blank_share_min", pct(clean.min()), "Lowest share of blank lines among the four clean files.",
          "lines")
    c.add("clean_blank_share_max", pct(clean.max()), "Highest share of blank lines among the four clean files.",
          "lines")
    c.add("amended_blank_share", pct(blank[AMENDED], 1), "Share of blank lines in the amended draft.", "lines")
    c.add("amended_paragraph_share", pct(by_doc.apply(lambda s: (s == "paragraph").mean())[AMENDED]),
          "Share of paragraph lines in the amended draft.", "lines")
    content = by_doc.apply(lambda s: s.isin(CONTENT_ROLES).sum())
    c.add("corpus_n_content_lines", count(content.sum()), "Lines that carry headings or draft text.", "lines")
    diags = t["diagnostics"]
    am = diags[diags["doc_id"] == AMENDED]
    c.add("amended_unmatched_closers", count((am["kind"] == "unmatched_closer").sum()),
          "Closing brackets of the amended draft whose opener was lost.", "diagnostics")
    c.add("amended_undecoded_glyphs", count((am["kind"] == "unresolved_glyph").sum()),
          "Glyphs of the amended draft that could not be decoded.", "diagnostics")


# ---------------------------------------------------------------- bracket density (notebook 03)


def contest_correlation(density: pd.DataFrame, docs=(CND, AMENDED)) -> pd.DataFrame:
    """Spearman correlation, over the articles of each document with at least one delegation
    position, between the number of delegations and (a) brackets per 1,000 words, (b) brackets."""
    rows = []
    for doc in docs:
        g = density[(density["doc_id"] == doc) & (density["n_delegations"] > 0)]
        ok = len(g) > 2
        rows.append({"doc_id": doc, "n_articles": len(g),
                     "rho_density": float(spearmanr(g["n_delegations"], g["brackets_per_1000_words"]).statistic)
                     if ok else float("nan"),
                     "rho_brackets": float(spearmanr(g["n_delegations"], g["n_brackets"]).statistic)
                     if ok else float("nan")})
    return pd.DataFrame(rows)


def density_facts(t: Tables, c: _Collector) -> None:
    drafts = t["bracket_density_drafts"].set_index("doc_id")
    density = t["bracket_density"]
    for doc, short in ((CND, "cnd"), (CHAIR, "chair"), (AMENDED, "amended"), (UK, "uk")):
        r = drafts.loc[doc]
        c.add(f"{short}_density_brackets", count(r["n_brackets"]), f"Brackets in the articles of {doc}.",
              "bracket_density_drafts")
        c.add(f"{short}_density_per_1000", dec(r["brackets_per_1000_words"], 1),
              f"Brackets per 1,000 words in {doc}.", "bracket_density_drafts")
        c.add(f"{short}_density_attributed", count(r["n_attributed"]),
              f"Brackets of {doc} carrying a delegation tail or list.", "bracket_density_drafts")
        c.add(f"{short}_density_placeholders", count(r["n_placeholders"]), f"Placeholder brackets in {doc}.",
              "bracket_density_drafts")
        c.add(f"{short}_density_articles", count(r["n_articles"]), f"Articles of {doc}.", "bracket_density_drafts")
    am = drafts.loc[AMENDED]
    c.add("amended_density_low", count(am["n_brackets_low"]), "Lower end of the 90% interval of the amended draft's "
          "estimated brackets.", "bracket_density_drafts")
    c.add("amended_density_high", count(am["n_brackets_high"]), "Upper end of that interval.",
          "bracket_density_drafts")
    surv = t["bracket_survival"]
    for ch, name in (("[", "open"), ("]", "close")):
        s = surv[(surv["char"] == ch) & surv["is_unamended"]]
        c.add(f"survival_{name}", pct(s["survived"].mean()) if len(s) else "n/a",
              f"Share of `{ch}` of the Chair's unamended wording that survived in the amended draft.",
              "bracket_survival")
    # most contested per draft
    top = density.assign(n_contested=density["n_brackets"] - density["n_placeholders"])
    top = top.sort_values(["doc_id", "n_contested", "brackets_per_1000_words", "article_seq"],
                          ascending=[True, False, False, True], kind="mergesort")
    for doc, short in ((CND, "cnd"), (CHAIR, "chair"), (AMENDED, "amended")):
        r = top[top["doc_id"] == doc].iloc[0]
        title = str(r["display_title"] if "display_title" in r.index else r["title"])
        c.add(f"{short}_most_contested", f"art. {r['article']} ({title.lower()})",
              f"Most contested article of {doc} (brackets other than placeholders).", "bracket_density")
        c.add(f"{short}_most_contested_n", count(r["n_contested"]), "Its contested brackets.", "bracket_density")
        if doc == AMENDED:
            c.add("amended_most_contested_low", count(r["n_brackets_low"]), "Lower end of its 90% interval.",
                  "bracket_density")
            c.add("amended_most_contested_high", count(r["n_brackets_high"]), "Upper end of its 90% interval.",
                  "bracket_density")
    # chapters
    chap = density[density["doc_id"] == CND].groupby("chapter")[["n_brackets", "n_words"]].sum()
    per = 1000 * chap["n_brackets"] / chap["n_words"]
    c.add("cnd_chapter2_per_1000", dec(per.get("II", float("nan")), 1),
          "Brackets per 1,000 words in the CND's criminalization chapter (II).", "bracket_density")
    c.add("cnd_chapter3_per_1000", dec(per.get("III", float("nan")), 1),
          "Brackets per 1,000 words in the CND's chapter III.", "bracket_density")
    achap = density[density["doc_id"] == AMENDED].groupby("chapter")[["n_brackets", "n_words"]].sum()
    aper = 1000 * achap["n_brackets"] / achap["n_words"].where(achap["n_words"] > 0)
    c.add("amended_chapter_per_1000_min", dec(aper.min(), 0), "Lowest chapter density of the amended draft "
          "(estimated brackets per 1,000 words).", "bracket_density")
    c.add("amended_chapter_per_1000_max", dec(aper.max(), 0), "Highest chapter density of the amended draft.",
          "bracket_density")
    titles = _titles(t)
    for doc, short in ((CND, "cnd"), (CHAIR, "chair")):
        g = density[(density["doc_id"] == doc) & (density["n_brackets"] - density["n_placeholders"] > 0)]
        g = g.sort_values(["brackets_per_1000_words", "article_seq"], ascending=[False, True]).head(3)
        c.add(f"{short}_densest_articles", and_list([f"art. {a} ({titles.get((doc, a), '').lower()}, "
                                                      f"{dec(v, 0)} per 1,000 words)"
                                                      for a, v in zip(g["article"], g["brackets_per_1000_words"])]),
              f"The three articles of {doc} with most brackets per 1,000 words.", "bracket_density", "articles")
    am_chaps = aper.dropna()
    c.add("amended_chapters_bracketed", f"{int((am_chaps > 0).sum())} of {len(am_chaps)}", "Chapters of the amended "
          "draft with estimated brackets.", "bracket_density")
    corr = contest_correlation(density).set_index("doc_id")
    for doc, short in ((CND, "cnd"), (AMENDED, "amended")):
        c.add(f"{short}_rho_brackets", dec(corr.loc[doc, "rho_brackets"]), f"Spearman ρ between delegations and "
              f"brackets over the articles of {doc} with positions.", "bracket_density")
        c.add(f"{short}_rho_density", dec(corr.loc[doc, "rho_density"]), "Spearman ρ between delegations and "
              "brackets per 1,000 words over the same articles.", "bracket_density")
        c.add(f"{short}_rho_articles", count(corr.loc[doc, "n_articles"]), f"Articles of {doc} with positions.",
              "bracket_density")



# ---------------------------------------------------------------- coalitions (notebook 01)

SESSIONS = {"ahc4": CND, "ahc6": AMENDED}


def _leaders(nd: pd.DataFrame, bloc: int, n: int) -> list[str]:
    sub = nd[nd["bloc"] == bloc].sort_values(["weighted_degree", "delegation_id"], ascending=[False, True])
    return list(sub["delegation_id"].head(n))


def coalition_facts(t: Tables, c: _Collector) -> None:
    nodes, edges = t["coalition_nodes"], t["coalition_edges"]
    for short, doc in SESSIONS.items():
        nd = nodes[nodes["doc_id"] == doc]
        ed = edges[edges["doc_id"] == doc]
        if nd.empty:
            continue
        src = ("coalition_nodes", "coalition_edges")
        blocs = sorted(b for b in set(nd["bloc"]) if b > 0)
        c.add(f"{short}_nodes", count(len(nd)), f"Delegations with a usable position in {doc}.", *src)
        for layer in ("agreement", "cosponsorship", "opposition"):
            c.add(f"{short}_{layer}_ties", count((ed["network"] == layer).sum()), f"{layer.capitalize()} ties in {doc}.",
                  *src)
        c.add(f"{short}_nblocs", count(len(blocs)), f"Louvain blocs of three or more delegations in {doc}.", *src)
        c.add(f"{short}_blocs", "; ".join(f"bloc {b} ({int((nd['bloc'] == b).sum())}: {', '.join(_leaders(nd, b, 3))} …)"
                                          for b in blocs),
              f"The blocs of {doc}, their sizes and their three members of highest weighted degree.", *src)
        c.add(f"{short}_unaligned", count((nd["bloc"] == 0).sum()), f"Unaligned delegations in {doc}.", *src)
        stab = nd[nd["bloc"] > 0].groupby("bloc")["bloc_stability"].mean()
        if len(stab):
            c.add(f"{short}_least_stable", f"{stab.min():.2f} (bloc {int(stab.idxmin())})",
                  f"Lowest mean co-assignment within a bloc of {doc} (consensus runs).", *src)
            c.add(f"{short}_most_stable", f"{stab.max():.2f} (bloc {int(stab.idxmax())})",
                  f"Highest mean co-assignment within a bloc of {doc}.", *src)
        top = nd.sort_values(["betweenness", "delegation_id"], ascending=[False, True]).head(3)
        c.add(f"{short}_brokers", and_list([f"{r.name} ({r.betweenness:.2f})" for r in top.itertuples()]),
              f"The three delegations of highest betweenness in {doc}.", *src)
        spon = nd.sort_values(["n_sponsored", "delegation_id"], ascending=[False, True]).head(4)
        c.add(f"{short}_top_sponsors", and_list([f"{r.name} ({r.n_sponsored})" for r in spon.itertuples()]),
              f"The four delegations that sponsored most proposals in {doc}.", *src)
        bloc_of = dict(zip(nd["delegation_id"], nd["bloc"]))
        opp = ed[ed["network"] == "opposition"]
        pairs: dict[tuple[int, int], float] = {}
        for s_, t_, w in zip(opp["source"], opp["target"], opp["weight"]):
            a, b = bloc_of.get(s_, 0), bloc_of.get(t_, 0)
            if a > 0 and b > 0 and a != b:
                key = (min(a, b), max(a, b))
                pairs[key] = pairs.get(key, 0.0) + float(w)
        if pairs:
            (a, b), w = max(sorted(pairs.items()), key=lambda kv: kv[1])
            lead = {k: ", ".join(_leaders(nd, k, 2)) for k in (a, b)}
            c.add(f"{short}_top_opposition", f"between bloc {a} ({lead[a]} …) and bloc {b} ({lead[b]} …), "
                  f"{w:.1f} in Newman weights", f"The pair of blocs of {doc} with most opposition weight.", *src)
    if t.has("coalition_summary"):
        summ = t["coalition_summary"].set_index("doc_id")
        for short, doc in SESSIONS.items():
            if doc not in summ.index:
                continue
            r = summ.loc[doc]
            src = ("coalition_summary",)
            c.add(f"{short}_position_rows", count(r["n_position_rows"]), f"Position rows of {doc}.", *src)
            c.add(f"{short}_used", count(r["n_used"]), f"Position rows of {doc} used in the network.", *src)
            c.add(f"{short}_unresolved", count(r["n_unresolved"]), f"Position rows of {doc} with no delegation id.",
                  *src)
            c.add(f"{short}_low_confidence", count(r["n_low_confidence"]), f"Resolved rows of {doc} below the "
                  "confidence threshold.", *src)
            c.add(f"{short}_min_confidence", dec(r["min_confidence"]), "Confidence threshold of the network.", *src)
            c.add(f"{short}_modularity", dec(r["modularity"]), f"Mean modularity of the Louvain partitions of {doc}.",
                  *src)
            c.add(f"{short}_consensus_ari_mean", dec(r["consensus_ari_mean"]), f"Mean ARI of the Louvain runs of "
                  f"{doc} against its blocs.", *src)
            c.add(f"{short}_consensus_ari", dec(r["consensus_ari"]), f"ARI of the consensus partition of {doc} "
                  "against its blocs.", *src)
            c.add(f"{short}_regional_ari", dec(r["regional_ari"]), f"ARI of the blocs of {doc} against the UN "
                  "regional groups.", *src)
            c.add(f"{short}_regional_nmi", dec(r["regional_nmi"]), f"NMI of the blocs of {doc} and the UN regional "
                  "groups.", *src)
            c.add(f"{short}_regional_states", count(r["n_regional_states"]), "States in that comparison.", *src)
    if t.has("coalition_sessions") and len(t["coalition_sessions"]):
        r = t["coalition_sessions"].iloc[0]
        c.add("sessions_nmi", dec(r["nmi"]), "NMI of the blocs of the two sessions (shared delegations).",
              "coalition_sessions")
        c.add("sessions_moved", count(r["n_moved"]), "Shared delegations whose 6th-session bloc best matches a "
              "different 4th-session bloc.", "coalition_sessions")
    a = nodes[(nodes["doc_id"] == CND) & (nodes["bloc"] > 0)].set_index("delegation_id")
    b = nodes[(nodes["doc_id"] == AMENDED) & (nodes["bloc"] > 0)].set_index("delegation_id")
    shared = a.index.intersection(b.index)
    if len(a) and len(b) and len(shared):
        kept = []
        for bloc in sorted(set(a["bloc"])):
            members = a[a["bloc"] == bloc].sort_values(["weighted_degree"], ascending=False, kind="mergesort")
            later = b.loc[b.index.intersection(members.index), "bloc"]
            best = int(later.value_counts().max()) if len(later) else 0
            kept.append(f"{best} of {len(members)} (bloc {bloc}: {', '.join(members.index[:2])} …)")
        c.add("sessions_ari", dec(adjusted_rand_score(a.loc[shared, "bloc"], b.loc[shared, "bloc"])),
              "Adjusted Rand index of the blocs of the delegations aligned in both sessions.", "coalition_nodes")
        c.add("sessions_shared", count(len(shared)), "Delegations in a bloc in both sessions.", "coalition_nodes")
        c.add("sessions_kept", and_list(kept), "For each 4th-session bloc, the most members found together in one "
              "6th-session bloc.", "coalition_nodes")


def map_facts(t: Tables, c: _Collector) -> None:
    """What the first axis of each positions map opposes, and which blocs sit at its ends."""
    axes, points, nodes = t["coalition_map_axes"], t["coalition_map_points"], t["coalition_nodes"]
    titles = _titles(t)
    for short, doc in SESSIONS.items():
        ax = axes[(axes["doc_id"] == doc) & (axes["dim"] == 1)]
        if ax.empty:
            continue
        src = ("coalition_map_axes", "coalition_map_points", "coalition_nodes")
        c.add(f"{short}_map_inertia1", pct(ax["inertia_share"].iloc[0], 1), f"Share of inertia on the first axis of "
              f"the positions map of {doc}.", *src)
        for pole, name in (("+", "pos"), ("-", "neg")):
            part = ax[ax["pole"] == pole].sort_values("rank")
            seen, items = set(), []
            for r in part.itertuples():
                key = (r.article, r.side)
                if key in seen or not r.article:
                    continue
                seen.add(key)
                title = titles.get((doc, r.article), "")
                verb = {"for": "backing", "against": "opposing"}.get(r.side, f"offering ({r.side})")
                items.append(f"{verb} proposals in art. {r.article}"
                             + (f" ({title.lower()})" if title else ""))
                if len(items) == 2:
                    break
            c.add(f"{short}_map_pole_{name}", and_list(items) or "—", f"The proposal sides that load most on the "
                  f"{'positive' if pole == '+' else 'negative'} end of the first axis of {doc}.", *src)
        nd = nodes[(nodes["doc_id"] == doc) & (nodes["bloc"] > 0)]
        pts = points[points["doc_id"] == doc].merge(nd[["delegation_id", "bloc"]], on="delegation_id")
        if len(pts):
            mean = pts.groupby("bloc")["dim1"].mean()
            for name, bloc in (("pos", int(mean.idxmax())), ("neg", int(mean.idxmin()))):
                c.add(f"{short}_map_bloc_{name}", f"bloc {bloc} ({', '.join(_leaders(nd, bloc, 3))} …)",
                      f"The bloc of {doc} whose members lie furthest towards the "
                      f"{'positive' if name == 'pos' else 'negative'} end of the first axis (mean coordinate).", *src)


def _titles(t: Tables) -> dict[tuple[str, str], str]:
    """``(doc_id, article) -> display title`` (the article table's clean title where it has one)."""
    a = t["articles"]
    col = "display_title" if "display_title" in a.columns else "title"
    return {(d, art): str(x) for d, art, x in zip(a["doc_id"], a["article"], a[col])}


# ---------------------------------------------------------------- criminalization scope (notebook 02)


def scope_facts(t: Tables, c: _Collector) -> None:
    m = t["scope_measures"]
    m = m[(m["series"] == "negotiating") & m["has_criminalization_chapter"].astype(bool)].set_index("doc_id")
    for doc, short in ((CND, "cnd"), (CHAIR, "chair"), (AMENDED, "amended")):
        r = m.loc[doc]
        for col, what in (("n_offences", "Offence articles"), ("n_offences_base", "Offence articles of the base text"),
                          ("n_offences_proposed", "Offence articles proposed by delegations"),
                          ("n_words_chapter", "Words in the criminalization chapter")):
            c.add(f"{short}_{col}", count(r[col]), f"{what} in {doc}.", "scope_measures")
        if not pd.isna(r["n_conducts"]) and r["n_conducts"] >= 0:
            c.add(f"{short}_n_conducts", count(r["n_conducts"]), f"Prohibited conducts in {doc}.", "scope_measures")
    chair = m.loc[CHAIR]
    for col in ("n_kept", "n_merged", "n_dropped"):
        c.add(f"chair_{col}", count(chair[col]), f"CND offence articles {col[2:]} in the Chair's draft.",
              "scope_measures", "article_lineage")
    am = m.loc[AMENDED]
    c.add("amended_n_new", count(am["n_new"]), "New offence articles proposed at the 6th session.", "scope_measures")
    c.add("amended_n_reproposing", count(am["n_reproposed"]), "6th-session articles re-proposing dropped CND "
          "offences.", "scope_measures", "article_lineage")
    lin = t["article_lineage"]
    rp = lin[(lin["to_doc"] == AMENDED) & (lin["relation"] == "re-proposed") & (lin["from_doc"] == CND)]
    c.add("amended_n_reproposed_cnd", count(rp["from_article_seq"].nunique()), "Dropped CND offence articles that "
          "6th-session articles re-propose.", "article_lineage")
    shrink = 1 - m.loc[CHAIR, "n_words_chapter"] / m.loc[CND, "n_words_chapter"]
    c.add("chapter_shrink", pct(shrink), "How much shorter the criminalization chapter is in the Chair's draft than "
          "in the CND.", "scope_measures")
    ex = t["scope_measures"]
    ex = ex[(ex["series"] == "with_expert") & (ex["doc_id"] == EXPERT)]
    if len(ex):
        c.add("expert_n_offences", count(ex["n_offences"].iloc[0]), "Offence articles in the expert proposal.",
              "scope_measures")
    rep = t["offence_reproposals"]
    spon = rep[(rep["stance"] == "sponsor") & (rep["delegation_id"] != "")]
    per = spon.groupby("delegation_id")["article_seq"].nunique().sort_values(ascending=False, kind="mergesort")
    per = per.groupby(per).apply(lambda s: s.sort_index()).droplevel(0) if len(per) else per
    top = per.sort_values(ascending=False, kind="mergesort").head(5)
    c.add("reproposal_articles_with_positions", count(rep["article_seq"].nunique()), "Re-proposing articles with "
          "recovered positions.", "offence_reproposals")
    c.add("reproposal_top_sponsors", and_list([f"{d} ({n})" for d, n in top.items()]), "Delegations sponsoring "
          "the most re-proposing articles (recovered positions).", "offence_reproposals")
    titles = _titles(t)
    inv = t["offence_inventory"]
    chair_off = inv[(inv["doc_id"] == CHAIR) & inv["is_offence"]].sort_values("article_seq")
    c.add("chair_offence_titles", and_list([titles.get((CHAIR, a), "").lower() for a in chair_off["article"]]),
          "The offences of the Chair's draft.", "offence_inventory", "articles")
    back = lin[(lin["to_doc"] == AMENDED) & (lin["relation"] == "re-proposed") & (lin["from_doc"] == CND)]
    back = back.drop_duplicates("from_article_seq").sort_values("from_article_seq")
    c.add("reproposed_titles", and_list([titles.get((CND, a), "").lower() for a in back["from_article"]]),
          "Dropped CND offences that come back as 6th-session proposals.", "article_lineage", "articles")
    dele = rep[(rep["stance"] == "delete") & (rep["delegation_id"] != "")]
    dper = dele.groupby("delegation_id")["article_seq"].nunique().sort_values(ascending=False, kind="mergesort")
    c.add("reproposal_top_deleters", and_list([f"{d} ({n})" for d, n in dper.head(5).items()]), "Delegations "
          "asking to delete the most re-proposing articles (recovered positions).", "offence_reproposals")


# ---------------------------------------------------------------- who wrote the treaty (notebook 04)

LINEAGE_TABLES = ("proposal_outcomes", "group_influence", "delegation_influence", "influence_model", "provisions",
                  "provision_articles")


def _ranges(pairs: list[tuple[int, int]]) -> list[str]:
    """``[(6, 7), (7, 8), (17, 4)]`` → ``["6–7 became 7–8", "17 became 4"]``: runs of a constant shift."""
    out, run = [], []
    for a, b in sorted(pairs):
        if run and a == run[-1][0] + 1 and b - a == run[-1][1] - run[-1][0]:
            run.append((a, b))
            continue
        if run:
            out.append(run)
        run = [(a, b)]
    if run:
        out.append(run)
    text = []
    for r in out:
        if len(r) == 1:
            text.append(f"{r[0][0]} became {r[0][1]}")
        elif r[0][1] == r[0][0]:
            text.append(f"{r[0][0]}–{r[-1][0]} kept their numbers")
        else:
            text.append(f"{r[0][0]}–{r[-1][0]} became {r[0][1]}–{r[-1][1]}")
    return text


def lineage_facts(t: Tables, c: _Collector) -> None:
    """The numbers of the who-wrote-the-treaty captions."""
    o, g = t["proposal_outcomes"], t["group_influence"]
    d, m = t["delegation_influence"], t["influence_model"]
    prov, pa = t["provisions"], t["provision_articles"]
    spon = o[(o["unit_group"] == "sponsor") & (o["outcome"] != "unclear")]
    alls = g[g["grouping"] == "all"].iloc[0]
    src = ("proposal_outcomes", "group_influence")
    c.add("lin_units", count(len(spon)), "CND proposals with sponsors (outcome units).", *src)
    c.add("lin_taken", count(alls["n_taken_up"]), "Of them, taken up word for word in the Chair's draft.", *src)
    c.add("lin_share", f"{alls['share_taken_up']:.0%}, 95% CI {alls['share_low']:.0%}–{alls['share_high']:.0%}",
          "The share taken up word for word, with its Wilson interval.", *src)
    c.add("lin_dropped", count((spon["outcome"] == "article_dropped").sum()), "Sponsored proposals in articles the "
          "Chair dropped.", *src)
    kept = spon[spon["outcome"] != "article_dropped"]
    per = kept.groupby("article").agg(n=("outcome", "size"), k=("outcome", lambda s_: int((s_ == "verbatim").sum())))
    per = per[per["n"] >= 10].assign(share=lambda x: x["k"] / x["n"]).sort_values(["share", "n"], ascending=[False, False])
    c.add("lin_best", f"art. {per.index[0]} ({per['k'].iloc[0]} of {per['n'].iloc[0]})", "Kept article with ten or "
          "more proposals whose proposals fared best.", *src)
    c.add("lin_worst", f"art. {per.index[-1]} ({per['k'].iloc[-1]} of {per['n'].iloc[-1]})", "Kept article with "
          "ten or more proposals whose proposals fared worst.", *src)
    for key, grouping in (("lin_bloc_range", "bloc_ahc4"), ("lin_region_range", "regional_group")):
        x = g[(g["grouping"] == grouping) & (g["n_sponsor_units"] >= 10) & (g["group_value"] != "none")]
        x = x.sort_values("share_taken_up")
        lo, hi = x.iloc[0], x.iloc[-1]
        label = (lambda v: f"bloc {v}") if grouping == "bloc_ahc4" else (lambda v: v)
        c.add(key, f"{lo['share_taken_up']:.0%} ({label(lo['group_value'])}, {lo['share_low']:.0%}–"
                   f"{lo['share_high']:.0%}) to {hi['share_taken_up']:.0%} ({label(hi['group_value'])}, "
                   f"{hi['share_low']:.0%}–{hi['share_high']:.0%})",
              f"Range of the share taken up word for word across {grouping.replace('_', ' ')}s (Wilson intervals).",
              "group_influence")
    big = d[d["n_sponsor_units"] >= 10].sort_values(["share_taken_up", "delegation_id"], ascending=[False, True])
    c.add("lin_n_delegations", count(len(big)), "Delegations with ten or more sponsored proposals.",
          "delegation_influence")
    c.add("lin_top", and_list([f"{r.name} ({r.n_taken_up} of {r.n_sponsor_units})" for r in big.head(3).itertuples()]),
          "The three of them with the highest share taken up.", "delegation_influence")
    c.add("lin_bottom", and_list([f"{r.name} ({r.n_taken_up} of {r.n_sponsor_units})"
                                  for r in big.tail(3).itertuples()]),
          "The three of them with the lowest share taken up.", "delegation_influence")
    term = m[m["term"] == "log1p_article_proposals"].iloc[0]
    c.add("lin_or", f"{term['odds_ratio']:.2f}, 95% CI {term['odds_ratio_low']:.2f}–{term['odds_ratio_high']:.2f}",
          "Odds ratio of being taken up per unit of log(1 + proposals in the article).", "influence_model")
    c.add("lin_adjust", "changes little" if term["odds_ratio_low"] <= 1 <= term["odds_ratio_high"]
          else "matters: see the adjusted panel", "Whether adjusting for contestation changes the ranking.",
          "influence_model")
    cnd2 = pa[(pa["doc_id"] == CND) & (pa["chapter"] == "II")]
    chair2 = pa[(pa["doc_id"] == CHAIR) & (pa["chapter"] == "II")]
    fates = prov.set_index("provision_id").loc[cnd2["provision_id"].unique(), "fate"]
    c.add("lin_cnd_articles", count(len(cnd2)), "Articles of the CND's chapter II.", "provision_articles")
    c.add("lin_chair_articles", count(len(chair2)), "Articles of the Chair's chapter II.", "provision_articles")
    gone = cnd2[~cnd2["provision_id"].isin(set(chair2["provision_id"]))]
    c.add("lin_cnd_dropped", count(len(gone)), "CND chapter-II articles with no counterpart in the Chair's draft.",
          "provision_articles")
    c.add("lin_repro", count((fates.loc[gone["provision_id"].unique()] == "re_proposed").sum()),
          "Of them, re-proposed at the 6th session.", "provisions")
    p2 = prov[prov["provision_id"].isin(set(chair2["provision_id"]))]
    c.add("lin_renumbering", and_list(_ranges([(int(a), int(b)) for a, b in zip(p2["chair_article"],
                                                                               p2["adopted_article"])])),
          "How the Chair's chapter-II articles were renumbered in the adopted convention.", "provisions")


# ---------------------------------------------------------------- damaged-text recovery (notebook 05)


def recovery_facts(t: Tables, c: _Collector) -> None:
    lp = t["loss_profile"]
    overall = lp[lp["level"] == "overall"].iloc[0]
    pos = lp[lp["level"] == "position"].set_index("position")["keep_rate"]
    c.add("loss_share", pct(1 - overall["keep_rate"]), "Share of characters lost in the damaged draft (aligned "
          "amendment-free lines).", "loss_profile")
    c.add("loss_first_kept", pct(pos.get("first", float("nan"))), "Share of first letters of words kept.",
          "loss_profile")
    c.add("loss_last_kept", pct(pos.get("last", float("nan"))), "Share of last letters of words kept.",
          "loss_profile")
    if t.has("recovery_calibration"):
        cal = t["recovery_calibration"]
        cal = cal[cal["sampling"] == "activity"].sort_values("bin")
        if len(cal):
            top = cal.iloc[-1]
            c.add("rec_syn_band", str(top["bin"]), "Highest confidence band of the synthetic benchmark.",
                  "recovery_calibration")
            c.add("rec_syn_acc", pct(top["accuracy"], 1), "Share right in that band (synthetic lists).",
                  "recovery_calibration")
    if t.has("recovery_validation"):
        v = t["recovery_validation"].set_index(["reader", "half", "measure"])
        src = ("recovery_validation",)
        for reader, suffix in (("final", ""), ("baseline", "_before")):
            for measure in ("precision", "recall", "recall_sure", "stance_accuracy", "prose_share"):
                key = (reader, "heldout", measure)
                if key not in v.index:
                    continue
                r = v.loc[key]
                c.add(f"rec_{measure}{suffix}", pct(r["value"], 1), f"{measure.replace('_', ' ').capitalize()} of the "
                      f"{reader} reader on the held-out half of the hand-judged validation set.", *src)
                c.add(f"rec_{measure}{suffix}_n", f"{int(r['k'])} of {int(r['n'])}", "Its numerator and denominator.",
                      *src)
                if not pd.isna(r["lo"]):
                    c.add(f"rec_{measure}{suffix}_ci", f"{pct(r['lo'], 1)}–{pct(r['hi'], 1)}", "Its Wilson 95% "
                          "interval.", *src)
    if t.has("recovery_sensitivity"):
        sens = t["recovery_sensitivity"]
        th = sens[sens["analysis"] == "threshold"].sort_values("threshold")
        if len(th):
            src = ("recovery_sensitivity",)
            c.add("rec_lo", f"{th['threshold'].iloc[0]:g}", "Lowest confidence threshold tried.", *src)
            c.add("rec_hi", f"{th['threshold'].iloc[-1]:g}", "Highest confidence threshold tried.", *src)
            c.add("rec_nodes_lo", count(th["n_nodes"].iloc[0]), "6th-session network size at the lowest threshold.",
                  *src)
            c.add("rec_nodes_hi", count(th["n_nodes"].iloc[-1]), "6th-session network size at the highest threshold.",
                  *src)
            c.add("rec_ari_range", f"{th['ari_vs_ahc4'].min():.2f}–{th['ari_vs_ahc4'].max():.2f}", "Range of the ARI of "
                  "the 6th-session blocs against the 4th session's across thresholds.", *src)
        bs = sens[sens["analysis"] == "bootstrap"].set_index("statistic")
        if len(bs):
            c.add("rec_boot_ari", f"{bs.loc['p2.5', 'ari_vs_ahc4']:.2f}–{bs.loc['p97.5', 'ari_vs_ahc4']:.2f}",
                  "95% bootstrap interval (over lists) of that ARI at the calibrated threshold.", "recovery_sensitivity")
            c.add("rec_boot_nodes", f"{int(bs.loc['p2.5', 'n_nodes'])}–{int(bs.loc['p97.5', 'n_nodes'])}",
                  "95% bootstrap interval of the network size.", "recovery_sensitivity")
            c.add("rec_boot_reproposers", str(bs.loc["median", "top_reproposers"]), "Delegations in the top five "
                  "re-proposers in at least half the resamples.", "recovery_sensitivity")
    if t.has("recovery_agreement"):
        ag = t["recovery_agreement"].set_index("measure")
        for m in ag.index:
            c.add(f"rec_agreement_{m}", f"{int(ag.loc[m, 'k'])} of {int(ag.loc[m, 'n'])}", f"Inter-annotator "
                  f"agreement: {m.replace('_', ' ')}.", "recovery_agreement")


# ---------------------------------------------------------------- registry of fact functions

FACTS: tuple[tuple[tuple[str, ...], Callable[[Tables, _Collector], None]], ...] = (
    (("corpus_counts", "lines", "diagnostics"), overview_facts),
    (("bracket_density", "bracket_density_drafts", "bracket_survival", "articles"), density_facts),
    (("coalition_nodes", "coalition_edges"), coalition_facts),
    (("coalition_map_axes", "coalition_map_points", "coalition_nodes", "articles"), map_facts),
    (("scope_measures", "article_lineage", "offence_reproposals", "offence_inventory", "articles"), scope_facts),
    (LINEAGE_TABLES, lineage_facts),
    (("loss_profile",), recovery_facts),
)


def compute(data_dir: Path | None = None) -> dict[str, Fact]:
    """Every fact computable from the tables in ``data_dir`` (default ``data/``); a study whose
    tables are not there yet is left out."""
    t = Tables(data_dir)
    c = _Collector()
    for needs, fn in FACTS:
        if t.has(*needs):
            fn(t, c)
    return c.facts


def values(facts: dict[str, Fact]) -> dict[str, str]:
    """``key -> quoted value``, for ``str.format_map``."""
    return {k: f.value for k, f in facts.items()}


def findings_table(facts: dict[str, Fact]) -> pd.DataFrame:
    """The ``findings`` table."""
    rows = [{"finding": f.key, "quoted_value": f.value, "finding_description": f.description,
             "source_tables": " ".join(f.tables)}
            for f in facts.values()]
    return schema.validate(pd.DataFrame(rows, columns=["finding", "quoted_value", "finding_description", "source_tables"])
                           if rows else schema.empty_frame("findings"), "findings")


# ---------------------------------------------------------------- notebook summaries

# The question-and-answer summaries that open the notebooks: wording only, every number a {field}
# (a test checks that no digit is typed outside fixed expressions such as "4th session").
SUMMARIES: dict[str, str] = {
    "00": """\
**What is in the corpus?** {corpus_n_documents} documents from the UN Ad Hoc Committee's negotiation of a
cybercrime convention: one Member State's submission (3rd session), the consolidated negotiating document
(CND) of the 4th session, an expert's proposal (not a negotiating text), the Chair's draft of May 2023 and the
draft with Member States' amendments of the 6th session.

**How much could be parsed?** All of it, line by line: each of the {corpus_n_lines} lines has exactly one
role (heading, paragraph line or layout row). Between {corpus_share_parsed_min} ({corpus_share_parsed_min_doc})
and {corpus_share_parsed_max} of the non-blank lines of a file carry draft text. The documents hold
{corpus_n_articles} articles and {corpus_n_paragraphs} paragraphs.

**Where are the proposals?** Only the CND and the 6th-session amended draft attribute wording to delegations.
The CND yields {cnd_n_proposals} proposals and {cnd_n_positions} positions of {cnd_n_delegations} delegations,
read from clean codes. The damaged 6th-session document yields {amended_n_proposals} delegation lists and
{amended_n_positions} name readings ({amended_n_delegations} distinct delegations read with enough confidence),
*recovered* from text that lost about {loss_share} of its characters: see notebook 05 for how far they can be
trusted.

**What could not be interpreted?** {corpus_n_diagnostics} diagnostics, each with its line: {cnd_n_diagnostics}
in the CND, {amended_n_diagnostics} in the amended draft (among them {amended_unmatched_closers} closing
brackets whose opener was lost and {amended_undecoded_glyphs} glyphs that could not be decoded).
""",
    "01": """\
**How big is the network?** In the 4th session {ahc4_nodes} delegations hold {ahc4_used} usable positions
({ahc4_unresolved} doubtful codes left out). They form {ahc4_cosponsorship_ties} co-sponsorship ties,
{ahc4_agreement_ties} agreement ties and {ahc4_opposition_ties} opposition ties.

**Which blocs?** Louvain on the agreement network finds {ahc4_nblocs} blocs: {ahc4_blocs}.

**Are they robust?** Moderately: runs at resolution 1 agree with these blocs at mean ARI
{ahc4_consensus_ari_mean}, the consensus partition at ARI {ahc4_consensus_ari}; mean co-assignment within a
bloc ranges from {ahc4_least_stable} to {ahc4_most_stable}. Modularity is low ({ahc4_modularity}): loose
blocs, not closed camps.

**Do they follow the UN regional groups?** Hardly: ARI {ahc4_regional_ari}, NMI {ahc4_regional_nmi}
({ahc4_regional_states} States).

**Where do the lines of conflict run?** The most opposition weight lies {ahc4_top_opposition}. On the positions
map the first axis ({ahc4_map_inertia1} of inertia) runs from {ahc4_map_pole_neg}, where {ahc4_map_bloc_neg}
sits, to {ahc4_map_pole_pos}, towards which {ahc4_map_bloc_pos} spreads.

**Brokers and leaders.** The top brokers (betweenness) are {ahc4_brokers}; the most prolific sponsors
{ahc4_top_sponsors}.

**The 6th session.** Of {ahc6_position_rows} recovered name readings, {ahc6_used} enter the network (the rest
have no delegation id or a confidence below {ahc6_min_confidence}): {ahc6_nodes} delegations, {ahc6_nblocs}
blocs ({ahc6_blocs}); brokers {ahc6_brokers}.

**Did the blocs hold?** Partly. {sessions_shared} delegations belong to a bloc in both sessions; the adjusted
Rand index between the two memberships is {sessions_ari} (NMI {sessions_nmi}), and {sessions_moved} of them sit
in a 6th-session bloc that best matches a different 4th-session bloc. The most members of each 4th-session bloc
found together in one 6th-session bloc: {sessions_kept}.
""",
    "02": """\
**How many offence articles does each draft hold?** The 4th-session CND: {cnd_n_offences}
({cnd_n_offences_base} base text, {cnd_n_offences_proposed} proposed by delegations as whole articles). The
Chair's draft (May 2023): {chair_n_offences}. The 6th-session amended draft: {amended_n_offences}
({amended_n_offences_base} base, {amended_n_offences_proposed} proposed by delegations). The expert proposal
(not a negotiating text) has {expert_n_offences}; the UK submission has no criminalization chapter, so no count
(not zero).

**How much did the chapter shrink?** From {cnd_n_words_chapter} words in the CND to {chair_n_words_chapter} in
the Chair's draft ({chapter_shrink} shorter); measurable prohibited conducts from {cnd_n_conducts} to
{chair_n_conducts}. The 6th-session chapter is back to {amended_n_words_chapter} words (damaged text: its
conducts cannot be counted).

**What happened to the CND's offences in the Chair's draft?** {chair_n_kept} kept (same or renamed),
{chair_n_merged} merged or absorbed, {chair_n_dropped} dropped. The Chair's draft keeps {chair_offence_titles}.

**What was re-proposed at the 6th session?** {amended_n_reproposing} amended-draft articles re-propose
{amended_n_reproposed_cnd} of the dropped CND offences ({reproposed_titles}); {amended_n_new} more are new.

**Who proposed re-adding them?** From the recovered 6th-session positions on the
{reproposal_articles_with_positions} re-proposing articles that carry any: sponsors of the most of these
articles are {reproposal_top_sponsors}; the delete lists are led by {reproposal_top_deleters} (delegation ids;
articles counted once per delegation). These rest on names recovered from damaged text: see notebook 05 and the
sensitivity of these counts to the confidence threshold below.
""",
    "03": """\
**Which draft was most bracketed?** The 4th-session CND: {cnd_density_brackets} brackets in its
{cnd_density_articles} articles, {cnd_density_per_1000} per 1,000 words, {cnd_density_attributed} of them
attributed to delegations. The Chair's draft: {chair_density_brackets} ({chair_density_per_1000} per 1,000
words; {chair_density_placeholders} placeholders, none attributed). The UK submission: {uk_density_brackets}
({uk_density_placeholders} of them placeholders).

**Most contested articles?** CND: {cnd_most_contested} ({cnd_most_contested_n} brackets); Chair's draft:
{chair_most_contested} ({chair_most_contested_n}); amended draft (estimate): {amended_most_contested}
({amended_most_contested_n}, 90% interval {amended_most_contested_low}–{amended_most_contested_high}).

**The damaged 6th-session draft?** Measured on the Chair's unamended wording, `]` survived {survival_close} of
the time and `[` {survival_open}. From the closers: about {amended_density_brackets} brackets (90% interval
{amended_density_low}–{amended_density_high}), {amended_density_per_1000} per 1,000 estimated words.

**Where in the text?** CND chapter II (criminalization) {cnd_chapter2_per_1000} per 1,000 words against
{cnd_chapter3_per_1000} in chapter III; in the amended draft brackets spread over
{amended_chapters_bracketed} chapters ({amended_chapter_per_1000_min}–{amended_chapter_per_1000_max} per 1,000
words).

**Density versus delegations?** Articles where more delegations take positions carry more brackets (Spearman ρ
{cnd_rho_brackets} in the CND over {cnd_rho_articles} articles with positions, {amended_rho_brackets} in the
amended draft over {amended_rho_articles}) and, less strongly, more brackets per word (ρ {cnd_rho_density} and
{amended_rho_density}): long articles attract many delegations.
""",
}


def summary(notebook: str, data_dir: Path | None = None, width: int = 110) -> str:
    """The question-and-answer summary of a notebook (``"00"`` … ``"03"``), its numbers computed from the
    tables of ``data_dir`` (default ``data/``) now, as paragraphs wrapped at ``width`` characters.
    Raises ``KeyError`` naming a missing finding."""
    text = SUMMARIES[notebook].format_map(values(compute(data_dir))).strip()
    paragraphs = [" ".join(p.split()) for p in text.split("\n\n")]
    return "\n\n".join(textwrap.fill(p, width=width, break_on_hyphens=False) for p in paragraphs)
