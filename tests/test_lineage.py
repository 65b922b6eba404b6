"""Who wrote the treaty: the outcome classifier on small hand-made cases, the crosswalk's integrity,
the influence measures, the 6th-session alignment, the profile generator, and the committed
hand-judged sample against what the build computes.

The hand-made cases were written for this file (the right answer is obvious from the text); the
crosswalk tests read the committed tables (``test_build`` checks they are what the build writes).
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from treatydrafts import Corpus, paths, store
from treatydrafts.analysis import crosswalk as X
from treatydrafts.analysis import influence as I
from treatydrafts.analysis import lineage as L
from treatydrafts.analysis import outcomes as O
from treatydrafts.analysis import restoration as R
from treatydrafts.release import profiles as P


# ---------------------------------------------------------------- tokens


def words(text: str) -> tuple[str, ...]:
    return O.tokens(text).words


def test_tokens_fold_terms_articles_plurals_and_agreement():
    assert words("the [computer data] [digital information] is") == ("<data>", "be")
    assert words("an information and communications technology system/device") == ("<system>",)
    assert words("Offences, the systems") == ("offence", "system")
    assert words("electronic/digital information are") == ("<data>", "be")
    t = O.tokens("abc [computer data] def")
    assert t.words == ("abc", "<data>", "def")
    assert "abc [computer data] def"[t.starts[1]:t.ends[1]] == "computer data"  # offsets into the text


def test_tokens_masks_drop_words():
    text = "keep [drop: XX] keep"
    assert O.tokens(text, masks=[(5, 15)]).words == ("keep", "keep")


# ---------------------------------------------------------------- the classifier, hand-made cases

CHAIR = ("Article 6. Illegal access\n"
         "1. Each State Party shall adopt such legislative and other measures as may be necessary to establish as "
         "criminal offences under its domestic law, when committed intentionally and without right, the access to "
         "the whole or any part of a computer system.\n"
         "2. A State Party may require that the offence be committed by infringing security measures.")


def chair_tokens(text: str = CHAIR) -> O.Tokens:
    return O.tokens(text)


def unit(wording: str, left: str = "", right: str = "", group: str = "sponsor", target: str = "wording",
         struck: bool = False) -> O.Unit:
    return O.Unit("t:P0001", group, ("AAA",), 1, "6", 1, "1", "insert", 1, 0, len(wording), O.tokens(wording), target,
                  struck, O.tokens(left), O.tokens(right))


HOST_LEFT = "Each State Party shall adopt such legislative and other measures as may be necessary to establish as " \
            "criminal offences, when committed intentionally"
HOST_RIGHT = "the access to the whole or any part of a computer system"


def judge(u, chair=None, **kw):
    return O.judge_unit(u, chair_tokens() if chair is None else chair, weights=O.idf({1: chair_tokens()}), **kw).outcome


def test_short_wording_next_to_its_neighbour_is_verbatim():
    assert judge(unit("and without right", HOST_LEFT, HOST_RIGHT)) == "verbatim"
    assert judge(unit("under its domestic law", "establish as criminal offences", HOST_RIGHT)) == "verbatim"


def test_competing_term_is_not_taken_up():
    assert judge(unit("and unlawfully", HOST_LEFT, HOST_RIGHT)) == "not_taken_up"
    assert judge(unit("unauthorized", HOST_LEFT, HOST_RIGHT)) == "not_taken_up"


def test_function_word_elsewhere_in_the_article_is_not_taken_up():
    # "or" occurs in the Chair's article, but not next to the proposal's neighbours
    assert judge(unit("or", "to users and", "beneficiaries")) == "not_taken_up"


def test_specific_wording_verbatim_substance_and_absent():
    assert judge(unit("by infringing security measures")) == "verbatim"
    assert judge(unit("by infringing protected security measures of the system")) == "substance"
    assert judge(unit("with the intent of obtaining confidential government information")) == "not_taken_up"


def test_dropped_article_and_empty_wording():
    assert O.judge_unit(unit("anything"), None).outcome == "article_dropped"
    assert judge(unit("")) == "unclear"


def test_deletions():
    assert judge(unit("by infringing", HOST_LEFT, "systems", group="delete")) == "deletion_not_achieved"
    assert judge(unit("the unlawful", HOST_LEFT, HOST_RIGHT, group="delete")) == "deletion_achieved"
    assert judge(unit("Illegal access anything", group="delete", target="article")) == "deletion_not_achieved"
    assert O.judge_unit(unit("facilitation of child pornography through websites", group="delete", target="article"),
                        chair_tokens(), relation="absorbed").outcome == "deletion_achieved"


def test_struck_wording_is_a_deletion_proposal():
    assert judge(unit("for the purpose of its distribution", struck=True)) == "verbatim"  # gone: taken up
    assert judge(unit("security measures", struck=True)) == "not_taken_up"  # still there


def test_coverage_weights_boilerplate_down():
    hay = chair_tokens().words
    need = O.tokens("Each State Party shall adopt such legislative and other measures to impose aggravated penalties").words
    plain, _, _ = O.coverage(need, hay)
    boiler = {w: 0.1 for w in hay}  # words every article repeats weigh little; the rest keep weight 1
    weighted, _, _ = O.coverage(need, hay, weights={**boiler, "aggravated": 1.0, "penalty": 1.0, "impose": 1.0})
    assert weighted < 0.2 < plain
    pars = {1: O.Tokens(("a", "b"), (0, 2), (1, 3), (1, 1)), 2: O.Tokens(("a", "c"), (0, 2), (1, 3), (5, 5))}
    idf = O.idf(pars)
    assert idf["a"] == 0.0 and idf["b"] == idf["c"] == pytest.approx(np.log(2))


def test_chapeaux():
    pars = [(1, "1"), (2, "(a)"), (3, "(i)"), (4, "(ii)"), (5, "(b)"), (6, "2")]
    ch = O.chapeaux(pars)
    assert ch[2] == (1,) and ch[3] == (1, 2) and ch[5] == (1,) and 6 not in ch


# ---------------------------------------------------------------- crosswalk integrity (committed tables)


@pytest.fixture(scope="module")
def tables():
    return {n: store.read_table(n) for n in L.TABLES}


def test_every_chair_article_is_mapped_to_the_adopted_text(tables):
    prov, pa = tables["provisions"], tables["provision_articles"]
    chair = pa[pa["doc_id"] == "ahc6-chair-draft"]
    assert chair["provision_id"].is_unique
    mapped = prov.set_index("provision_id").loc[chair["provision_id"]]
    assert (mapped["adopted_article"] > 0).all() and (mapped["fate"] == "in_convention").all()
    assert set(mapped["adopted_confidence"]) <= {"high", "medium", "low"}
    adopted = sorted(prov.loc[prov["adopted_article"] > 0, "adopted_article"])
    assert adopted == list(range(1, 69))  # 68 articles, each exactly once


def test_reported_renumbering_holds(tables):
    prov = tables["provisions"].set_index("chair_article")
    for chair in range(6, 17):  # offences 6-16 -> 7-17
        assert prov.loc[str(chair), "adopted_article"] == chair + 1
    assert prov.loc["17", "adopted_article"] == 4 and prov.loc["17", "adopted_relation"] == "moved"


def test_every_cnd_article_is_linked_or_dropped(tables):
    pa, links = tables["provision_articles"], tables["article_crosswalk"]
    cnd = pa[pa["doc_id"] == "ahc4-cnd"]
    to_chair = links[(links["from_doc"] == "ahc4-cnd") & (links["to_doc"] == "ahc6-chair-draft")
                     & (links["from_article_seq"] > 0)]
    assert set(cnd["article_seq"]) == set(to_chair["from_article_seq"])
    assert to_chair["confirmed"].all()
    # every article of the three drafts has exactly one provision id
    assert not pa.duplicated(["doc_id", "article_seq"]).any()
    assert pa.groupby("doc_id").size().to_dict() == {"ahc4-cnd": 60, "ahc6-chair-draft": 67, "ahc6-amended-draft": 99}


def test_slug_and_clean_title():
    assert X.slug("10 bis", 11) == "10-bis" and X.slug("6", 6) == "06" and X.slug("©ter", 56) == "ter-seq56"
    assert X.clean_title("Interference with [computer data] [digital information]") == "Interference with computer data"
    assert X.clean_title("Cyberstalking of a [child person: DO]") == "Cyberstalking of a child"


# ---------------------------------------------------------------- influence


def test_wilson_and_adjusted():
    share, lo, hi = O.wilson(5, 10)
    assert share == 0.5 and 0.23 < lo < 0.24 and 0.76 < hi < 0.77
    assert all(math.isnan(v) for v in O.wilson(0, 0))  # nothing to count: missing, not -1
    assert all(math.isnan(v) for v in I.adjusted(0, 0.0, 0.2))
    rate, lo, hi = I.adjusted(10, 10.0, 0.2)
    assert rate == 0.2 and lo < 0.2 < hi


def test_contestation_model_recovers_a_known_effect():
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 4, 400)
    y = (rng.uniform(size=400) < 1 / (1 + np.exp(-(1 - 1.0 * x)))).astype(int)
    model, expected = I.fit_contestation(pd.DataFrame({"x": x, "taken": y}), n_boot=50)
    slope = model.set_index("term").loc["log1p_article_proposals"]
    assert slope["odds_ratio_low"] < np.exp(-1.0) < slope["odds_ratio_high"]
    assert abs(expected.sum() - y.sum()) < 1e-6 * len(y) + 1e-3  # logistic MLE: expected = observed


def test_blocs_equal_the_coalition_analysis(tables):
    blocs = I.session_blocs(Corpus(read_built=False))
    nodes = store.read_table("coalition_nodes")
    for doc, g in nodes.groupby("doc_id"):
        assert blocs[doc] == dict(zip(g["delegation_id"], g["bloc"]))


def test_group_rates_count_each_unit_once_per_group(tables):
    g = tables["group_influence"]
    o = tables["proposal_outcomes"]
    alls = g[g["grouping"] == "all"].iloc[0]
    spon = o[(o["unit_group"] == "sponsor") & (o["outcome"] != "unclear")]
    assert alls["n_sponsor_units"] == len(spon)
    assert alls["n_taken_up"] == int((spon["outcome"] == "verbatim").sum())


# ---------------------------------------------------------------- 6th session


def test_loss_aware_alignment_reads_a_damaged_copy():
    clean = "each state party shall adopt measures against the illicit use of electronic payment instruments"
    damaged = "ilicit us f elcronic pymnt instrmnts"  # letters lost, as in the amended draft
    d, _ = R.squeeze(damaged)
    c, _ = R.squeeze(clean)
    score, a, b = R.align(d, c)
    assert score > 1.0 and c[a:b].startswith("illicit") and c[a:b].endswith("instruments")
    other, _ = R.squeeze("the conference of the states parties shall meet annually in vienna")
    assert R.align(d, other)[0] < 0.5


# ---------------------------------------------------------------- profiles


def test_profile_helpers():
    assert P.cell("a | b\nc") == "`a b c`" and P.cell("") == "—"
    assert P.pct(float("nan"), float("nan"), float("nan")) == "—" and P.pct(0.5, 0.25, 0.75) == "50% (95% CI 25%–75%)"
    assert P.anchor("CND art. 6: Illegal access → Chair's draft art. 6") == "cnd-art-6-illegal-access--chairs-draft-art-6"


def test_profiles_render_every_delegation(tmp_path, tables):
    r = L.from_tables()
    corpus = Corpus()
    written = P.write_profiles(r, corpus.documents(), corpus.delegations(), tmp_path)
    assert len(written) == len(r.influence.delegations) + 1
    page = (tmp_path / "GBR.md").read_text(encoding="utf-8")
    assert page.startswith("# United Kingdom") and "## Influence" in page
    assert "(../../seeds/000_e2bc6bdea9b64fcc.txt#L67)" in page  # CND line of art. 6 para. 1
    assert "### CND art. 6: Illegal access" in page
    index = (tmp_path / "README.md").read_text(encoding="utf-8")
    assert index.count("](") >= len(r.influence.delegations)
    # the committed profiles are these pages
    for p in written:
        assert p.read_bytes() == (paths.DOCS / "delegations" / p.name).read_bytes(), p.name


# ---------------------------------------------------------------- the hand-judged sample


def test_sample_is_the_documented_draw():
    """The committed sample's units are units of the classifier (same definition as draw.py)."""
    sample, judged = O.read_validation(paths.DATA)
    cnd = Corpus(read_built=False).load("ahc4-cnd")
    units = O.units_frame(cnd.positions).set_index(["proposal_id", "group"])
    assert len(sample) == len(judged) == 130 and sample["unit_id"].tolist() == judged["unit_id"].tolist()
    for r in sample.itertuples(index=False):
        assert units.loc[(r.proposal_id, r.group), "delegations"] == r.delegations
    assert set(judged["outcome"]) <= set(O.OUTCOMES)


def test_agreement_table_is_what_the_committed_judgements_give(tables):
    sample, judged = O.read_validation(paths.DATA)
    validation = O.validation_table(tables["proposal_outcomes"], sample, judged)
    pd.testing.assert_frame_equal(validation, tables["outcome_validation"])
    fine_merged = O.agreement_table(validation)
    committed = tables["outcome_agreement"]
    pd.testing.assert_frame_equal(fine_merged, committed[committed["scheme"] != "merged_cv"].reset_index(drop=True))
    merged = committed[(committed["scheme"] == "merged") & (committed["outcome"] != "all")]
    assert (merged.loc[merged["n_judged"] > 0, "agreement"] >= 0.9).all()  # the headline categories hold


def test_both_ends_of_every_outcome_point_into_the_sources(tables):
    """``text`` and ``to_text`` are exactly the source slices the offsets name, on the lines named."""
    corpus = Corpus()
    cnd, chair = corpus.source("ahc4-cnd"), corpus.source("ahc6-chair-draft")
    o = tables["proposal_outcomes"]
    for r in o.itertuples(index=False):
        assert cnd.text[r.start_offset:r.end_offset] == r.text
        assert r.end_offset == r.start_offset or cnd.line_of(r.start_offset) == r.line
        assert chair.text[r.to_start_offset:r.to_end_offset] == r.to_text
        if r.to_end_offset > r.to_start_offset:
            assert chair.line_of(r.to_start_offset) == r.to_line
        assert (r.outcome == "article_dropped") == (r.to_article_seq == 0)
