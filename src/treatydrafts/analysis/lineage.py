"""Who wrote the treaty: the study of notebook 04, one result object over four analyses.

- :mod:`.crosswalk` — stable provision ids and the renumbering crosswalk CND → Chair's draft →
  amended draft → adopted convention;
- :mod:`.outcomes` — what became of every CND proposal in the Chair's draft, and the agreement of
  that classifier with the hand judgements of ``data/validation/``;
- :mod:`.restoration` — what the 6th-session amendments tried to restore of the CND text the Chair
  left out;
- :mod:`.influence` — per delegation, bloc and regional group: proposals made, taken up, deletions
  achieved, raw and adjusted for contestation, and each delegation's partners.

:func:`compute` runs them all (the build); :func:`result` reads the build's tables when ``data/``
is fresh (notebooks, profiles).
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .. import corpus as _corpus
from .. import paths, store
from . import crosswalk as crosswalk_analysis
from . import influence as influence_analysis
from . import outcomes as outcomes_analysis
from . import restoration as restoration_analysis
from .crosswalk import CHAIR, CND, Crosswalk
from .influence import Influence

TABLES = ("article_crosswalk", "provisions", "provision_articles", "adopted_articles", "proposal_outcomes",
          "outcome_validation", "outcome_agreement", "restoration_attempts", "delegation_influence",
          "group_influence", "influence_model", "delegation_partners")


@dataclass(frozen=True)
class Lineage:
    """Everything the study computes (validated DataFrames)."""

    crosswalk: Crosswalk
    outcomes: pd.DataFrame  # proposal_outcomes
    validation: pd.DataFrame  # outcome_validation
    agreement: pd.DataFrame  # outcome_agreement
    restorations: pd.DataFrame  # restoration_attempts
    influence: Influence
    partners: pd.DataFrame  # delegation_partners

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every exported table, by name."""
        return {"article_crosswalk": self.crosswalk.links, "provisions": self.crosswalk.provisions,
                "provision_articles": self.crosswalk.provision_articles,
                "adopted_articles": self.crosswalk.adopted_articles, "proposal_outcomes": self.outcomes,
                "outcome_validation": self.validation, "outcome_agreement": self.agreement,
                "restoration_attempts": self.restorations, "delegation_influence": self.influence.delegations,
                "group_influence": self.influence.groups, "influence_model": self.influence.model,
                "delegation_partners": self.partners}


def compute(lineage: pd.DataFrame | None = None, corpus=None, data_dir: Path | None = None) -> Lineage:
    """The whole study from the drafts of ``corpus`` (default: the public API's) and the reviewed
    inputs of ``data_dir`` (default ``data/``); ``lineage`` is the scope analysis's ``article_lineage``."""
    corpus = corpus or _corpus.DEFAULT
    data_dir = Path(data_dir or paths.DATA)
    cw = crosswalk_analysis.compute(lineage=lineage, corpus=corpus, data_dir=data_dir)
    counterparts, relations = cw.counterparts(CND, CHAIR), cw.relations(CND, CHAIR)
    outcomes = outcomes_analysis.compute(counterparts, relations, corpus=corpus)
    sample, judged = outcomes_analysis.read_validation(data_dir)
    validation = outcomes_analysis.validation_table(outcomes, sample, judged)
    cv = outcomes_analysis.cross_validated_from(corpus, counterparts, relations, validation)
    agreement = outcomes_analysis.agreement_table(validation, cv)
    restorations = restoration_analysis.restoration_attempts(outcomes, cw, corpus=corpus)
    influence = influence_analysis.compute(outcomes, corpus=corpus, restorations=restorations)
    partners = influence_analysis.partners_table(corpus)
    return Lineage(cw, outcomes, validation, agreement, restorations, influence, partners)


def from_tables(data_dir: Path | None = None) -> Lineage:
    """The :func:`compute` result read from the build's tables (parses nothing; current only when
    ``data_dir`` is fresh: see :func:`result`)."""
    t = {name: store.read_table(name, data_dir) for name in TABLES}
    cw = Crosswalk(t["article_crosswalk"], t["provisions"], t["provision_articles"], t["adopted_articles"])
    inf = Influence(t["delegation_influence"], t["group_influence"], t["influence_model"], pd.DataFrame())
    return Lineage(cw, t["proposal_outcomes"], t["outcome_validation"], t["outcome_agreement"],
                   t["restoration_attempts"], inf, t["delegation_partners"])


def result(corpus=None) -> Lineage:
    """:func:`from_tables` when ``corpus`` reads its built tables, else :func:`compute`."""
    corpus = corpus or _corpus.DEFAULT
    return from_tables(corpus.data_dir) if corpus.reads_built_tables() else compute(corpus=corpus)


# ---------------------------------------------------------------- the findings in words (notebook 04)


def _pct(share: float, lo: float, hi: float) -> str:
    return f"{share:.0%} (95% CI {lo:.0%}–{min(hi, 1.0):.0%})"


def _names(rows) -> str:
    return "; ".join(f"{r.delegation_id} {r.n_taken_up}/{r.n_sponsor_units} = {_pct(r.share_taken_up, r.share_low, r.share_high)}"
                     for r in rows.itertuples(index=False))


def summary(r: Lineage, min_units: int = 10) -> str:
    """The question-and-answer summary that opens notebook 04, every number computed from ``r``."""
    o, g, d = r.outcomes, r.influence.groups, r.influence.delegations
    spon = o[(o["unit_group"] == "sponsor") & (o["outcome"] != "unclear")]
    dele = o[o["unit_group"] == "delete"]
    alls = g[g["grouping"] == "all"].iloc[0]
    vc = spon["outcome"].value_counts()
    ag = r.agreement.set_index(["scheme", "outcome"])
    fine_all, merged_all = ag.loc[("fine", "all")], ag.loc[("merged", "all")]
    cv_all = ag.loc[("merged_cv", "all")] if ("merged_cv", "all") in ag.index else merged_all
    cats = [f"{c} {int(x.n_agree)}/{int(x.n_judged)}" for (s, c), x in ag.iterrows() if s == "fine" and c != "all"]
    low = [c for (s, c), x in ag.iterrows() if s == "fine" and c != "all" and x.n_judged and x.agreement < 0.9]
    merged_low = [c for (s, c), x in ag.iterrows() if s == "merged" and c != "all" and x.n_judged and x.agreement < 0.9]
    big = d[d["n_sponsor_units"] >= min_units].sort_values(["share_taken_up", "delegation_id"], ascending=[False, True])
    blocs = g[(g["grouping"] == "bloc_ahc4") & (g["group_value"] != "none")].sort_values("share_taken_up", ascending=False)
    regions = g[g["grouping"] == "regional_group"].sort_values("share_taken_up", ascending=False)
    lead = {str(b): ", ".join(x.sort_values(["n_sponsor_units", "delegation_id"], ascending=[False, True])["delegation_id"].head(3))
            for b, x in d.groupby("bloc_ahc4")}
    model = r.influence.model.set_index("term").loc["log1p_article_proposals"]
    shift = (big["adjusted_share"] - big["share_taken_up"]).abs()
    moved = big.loc[shift.idxmax()] if len(big) else None
    dl = alls
    prov = r.crosswalk.provisions
    chair_rows = prov[prov["chair_article"] != ""]
    conf = chair_rows["adopted_confidence"].value_counts()
    ra = r.restorations
    rvc = ra["restoration"].value_counts()
    lines = [
        "Q: What became of the CND proposals in the Chair's draft?",
        f"A: Of {len(spon)} proposals with sponsors (units), {int(vc.get('verbatim', 0))} were taken up word for word "
        f"({_pct(alls['share_taken_up'], alls['share_low'], alls['share_high'])}), {int(vc.get('substance', 0))} more "
        f"are near matches, {int(vc.get('not_taken_up', 0))} were not taken up and {int(vc.get('article_dropped', 0))} "
        f"sat in articles the Chair dropped.",
        "",
        "Q: How far can the automatic outcomes be trusted?",
        f"A: Against {int(fine_all.n_judged)} hand-judged units, the seven categories agree on {int(fine_all.n_agree)} "
        f"({_pct(fine_all.agreement, fine_all.agreement_low, fine_all.agreement_high)}): {', '.join(cats)}. "
        f"Below 90%: {', '.join(low) or 'none'} — so substance is merged with not_taken_up ('wording not taken up "
        f"verbatim'); merged, {int(merged_all.n_agree)}/{int(merged_all.n_judged)} agree "
        f"({_pct(merged_all.agreement, merged_all.agreement_low, merged_all.agreement_high)}; threshold chosen on "
        f"the other folds: {int(cv_all.n_agree)}/{int(cv_all.n_judged)}), categories below 90%: {', '.join(merged_low) or 'none'}.",
        "",
        f"Q: Whose proposals were taken up (delegations with {min_units} or more)?",
        f"A: Most: {_names(big.head(3))}. Fewest: {_names(big.tail(3))}.",
        "",
        "Q: By bloc and by regional group?",
        "A: 4th-session Louvain blocs: " + "; ".join(
            f"bloc {x.group_value} ({lead.get(x.group_value, '')} …) {x.n_taken_up}/{x.n_sponsor_units} = "
            f"{_pct(x.share_taken_up, x.share_low, x.share_high)}" for x in blocs.itertuples(index=False)) + ".",
        "   UN regional groups: " + "; ".join(
            f"{x.group_value} {x.n_taken_up}/{x.n_sponsor_units} = {_pct(x.share_taken_up, x.share_low, x.share_high)}"
            for x in regions.itertuples(index=False)) + ".",
        "",
        "Q: Is that just because some proposals sat on contested articles?",
        ("A: No clear sign of it" if model.odds_ratio_low <= 1 <= model.odds_ratio_high else "A: In part")
        + f": the odds of take-up change by a factor of {model.odds_ratio:.2f} (95% CI "
        f"{model.odds_ratio_low:.2f}–{model.odds_ratio_high:.2f}) per unit of log(1 + proposals in the article); "
        f"raw and adjusted rates side by side in `delegation_influence`"
        + (f" (largest change: {moved['delegation_id']}, {moved['share_taken_up']:.0%} raw vs "
           f"{moved['adjusted_share']:.0%} adjusted)." if moved is not None else "."),
        "",
        "Q: Did deletion requests work?",
        f"A: Of {len(dele)} deletion units, {int(dl['n_deletion_achieved'])} achieved and "
        f"{int(dl['n_deletion_not_achieved'])} not achieved ({_pct(dl['share_deletion_achieved'], dl['deletion_low'], dl['deletion_high'])} "
        f"achieved; {int((dele['outcome'] == 'article_dropped').sum())} more in articles the Chair dropped).",
        "",
        "Q: Where did the Chair's articles end up in the adopted convention?",
        f"A: All {len(chair_rows)} Chair's-draft articles are mapped to an adopted number: {int(conf.get('high', 0))} with "
        f"high, {int(conf.get('medium', 0))} medium and {int(conf.get('low', 0))} low confidence; "
        f"{int((prov['fate'] == 'new_in_convention').sum())} adopted article has no Chair counterpart and "
        f"{int((prov['fate'] == 'dropped_by_chair').sum()) + int((prov['fate'] == 're_proposed').sum())} CND articles have none "
        f"in the Chair's draft ({int((prov['fate'] == 're_proposed').sum())} re-proposed at the 6th session).",
        "",
        "Q: What did the 6th-session amendments try to restore?",
        f"A: Of {len(ra)} 6th-session proposals (recovered sponsors) in provisions that lost CND text, "
        f"{int(rvc.get('restores_cnd', 0))} read as restoring dropped CND text, {int(rvc.get('other_text', 0))} do not, "
        f"and {int(rvc.get('too_damaged', 0))} are too damaged to read.",
    ]
    return "\n".join(lines)
