"""The validation set of the 6th-session recovery and its scorer (issue 12).

- the committed draw (``data/validation/units.csv``) is what the library draws;
- ``truth.csv`` is the delivered annotations with the documented changes, and passes the
  annotators' checks against the decoded text;
- the scorer on a tiny hand-made truth where every judgement is known (worked by hand in
  the test's comments).
"""
from __future__ import annotations

import math

import pandas as pd
import pytest

import treatydrafts as td
from treatydrafts.analysis import recovery_validation as V


def test_draw_is_reproduced_by_the_library():
    drawn = V.draw_units()
    committed = V.read_units()
    assert len(drawn) == V.N_UNITS
    pd.testing.assert_frame_equal(drawn, committed[drawn.columns], check_dtype=False)
    assert set(committed["half"]) == set(V.HALVES)
    assert (committed["half"] == ["dev" if r % 2 else "heldout" for r in committed["draw_rank"]]).all()


def test_truth_is_the_annotations_with_the_documented_changes():
    assembled = V.assemble_truth()
    committed = pd.read_csv(V.VALIDATION_DIR / V.TRUTH_FILE, dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(assembled, committed)
    changes = pd.read_csv(V.VALIDATION_DIR / V.CHANGES_FILE, dtype=str, keep_default_na=False)
    assert len(changes) and changes["reason"].str.len().min() > 20


def test_truth_passes_the_annotators_checks():
    text = td.source(V.DOC_ID).text
    ids = set(td.delegations()["delegation_id"])
    units = V.read_units()
    assert V.check_truth(V.read_truth(), units, text, ids) == []
    assert V.check_truth(V.read_second(), units, text, ids) == []
    t = V.read_truth()
    names = t[t["kind"] == "name"]
    assert len(names) >= 300 and names.groupby(["unit_id", "list_no"]).ngroups >= 60


def test_check_truth_reports_a_bad_row():
    text = "xx (Canada, Peru) yy"
    units = pd.DataFrame({"unit_id": ["U1"], "start_offset": [0], "end_offset": [len(text)]})
    bad = pd.DataFrame([{"unit_id": "U1", "list_no": 1, "kind": "name", "start_offset": 4, "end_offset": 10,
                         "damaged": "Canad", "delegation_id": "CAN", "certainty": "sure", "candidates": "",
                         "stance": "sponsor", "note": ""}])
    errs = V.check_truth(bad, units, text, {"CAN"})
    assert errs == ["U1 4: damaged != text[s:e]"]


def test_wilson_interval():
    lo, hi = V.wilson(8, 10)
    assert math.isclose(lo, 0.4902, abs_tol=1e-4) and math.isclose(hi, 0.9433, abs_tol=1e-4)
    assert all(math.isnan(x) for x in V.wilson(0, 0))


def _toy():
    """Two units. U1 (dev) = offsets 0-40 holds the list ``(Canada, Peru, ra, Chile)``:
    Canada 1-7 CAN sure, Peru 9-13 PER probable, ``ra`` 15-17 uncertain, Chile 19-24 CHL sure
    (stance delete).  U2 (heldout) = 50-90 is prose."""
    units = pd.DataFrame({"unit_id": ["U1", "U2"], "half": ["dev", "heldout"], "start_offset": [0, 50],
                          "end_offset": [40, 90]})
    rows = [("U1", "name", 1, 7, "CAN", "sure"), ("U1", "name", 9, 13, "PER", "probable"),
            ("U1", "name", 15, 17, "", "uncertain"), ("U1", "name", 19, 24, "CHL", "sure")]
    truth = pd.DataFrame([{"unit_id": u, "list_no": 1, "kind": k, "start_offset": s, "end_offset": e,
                           "damaged": "", "delegation_id": d, "certainty": c, "candidates": "", "stance": "delete",
                           "note": ""} for u, k, s, e, d, c in rows])
    truth["half"] = truth["unit_id"].map({"U1": "dev", "U2": "heldout"})
    return units, truth


def _readings(rows):
    return pd.DataFrame([{"start_offset": s, "end_offset": e, "damaged": "", "delegation_id": d,
                          "top_candidate": t, "confidence": c, "stance": st} for s, e, d, t, c, st in rows])


def test_judge_and_score_on_a_known_answer():
    units, truth = _toy()
    readings = _readings([
        (1, 7, "CAN", "CAN", 0.99, "delete"),    # right, stance right
        (9, 12, "PRY", "PRY", 0.90, "delete"),   # wrong: overlaps Peru
        (15, 17, "IRQ", "IRQ", 0.85, "delete"),  # on an uncertain true name: apart
        (19, 24, "CHL", "CHL", 0.97, "sponsor"),  # right, stance wrong
        (60, 63, "EGY", "EGY", 0.95, "sponsor"),  # prose (unit U2)
        (30, 33, "", "LBY", 0.40, "delete"),     # abstention over prose: not a claim
        (200, 205, "USA", "USA", 1.0, "sponsor"),  # outside every unit: ignored
    ])
    j = V.judge(readings, truth, units)
    assert list(j["judgement"]) == ["right", "wrong", "uncertain", "right", "prose", "prose"]
    assert list(j["claimed"]) == [True, True, True, True, False, True]
    dev = V.score(j, truth, "dev", n_boot=0)
    # dev claims: CAN right, PRY wrong, CHL right (IRQ apart) -> precision 2/3;
    # true names sure+probable: CAN, PER, CHL -> recall 2/3; sure only: CAN, CHL -> 2/2
    assert (dev.summary.set_index("measure").loc["precision", ["k", "n"]] == [2, 3]).all()
    assert dev.value("recall") == pytest.approx(2 / 3)
    assert dev.value("recall_sure") == 1.0
    assert dev.value("stance_accuracy") == 0.5
    assert dev.value("claims_on_uncertain") == 0.25  # 1 of the 4 dev claims
    both = V.score(j, truth, None, n_boot=200)
    assert both.value("precision") == 0.5 and both.value("prose_share") == 0.25
    cal = both.calibration.set_index("band")
    # bands hold every reading with a top candidate except the uncertain one
    assert cal["n"].sum() == 5
    assert cal.loc["[0.00, 0.50)", "n"] == 1 and cal.loc["[0.00, 0.50)", "accuracy"] == 0.0
    assert cal.loc["[0.99, 1.00]", "n_right"] == 1


def test_readings_from_positions():
    pos = pd.DataFrame({"doc_id": [V.DOC_ID, V.DOC_ID], "offset": [10, 20], "damaged": ["Cota Rca", "ra"],
                        "delegation_id": ["CRI", ""], "candidates": ["CRI:1.00", "IRQ:0.25|MMR:0.10"],
                        "confidence": [1.0, 0.25], "stance": ["delete", "delete"]})
    r = V.readings_from_positions(pos)
    assert list(r["end_offset"]) == [18, 22]
    assert list(r["top_candidate"]) == ["CRI", "IRQ"]


def test_agreement_counts_pairs():
    _, a = _toy()
    b = a.copy()
    b.loc[1, "delegation_id"] = "PRY"  # disagree on Peru
    b = b.drop(index=3)  # second annotator missed Chile
    ag = V.agreement(a, b).set_index("measure")
    assert (ag.loc["names_found_by_both", ["k", "n"]] == [3, 4]).all()
    assert (ag.loc["same_delegation", ["k", "n"]] == [1, 2]).all()


def test_committed_validation_tables_are_what_the_library_computes():
    """``data/recovery_validation``, ``recovery_reliability``, ``recovery_judgements`` and
    ``recovery_agreement`` (written by the build) equal a fresh computation from the readings."""
    from treatydrafts import Corpus, schema, store
    from treatydrafts.analysis import recovery as RA

    tables = V.validation_tables(RA.readings_frame(RA.document_readings(Corpus(read_built=False))))
    for name, df in tables.items():
        fresh = schema.validate(df.round(4), name)
        committed = store.read_table(name)
        pd.testing.assert_frame_equal(fresh.reset_index(drop=True), committed.reset_index(drop=True),
                                      check_dtype=False, atol=1e-9)
