"""Bracket density measures on hand-made one-article snippets with known answers
(nested, adjacent, unbalanced, struck brackets), the damaged-text estimate and
the survival measurement.  The tiny tables are built with the project's own
bracket tokenizer, so the tests check the measures, not the parser.  The result
rebuilt from the build's tables is checked in ``test_build.py``."""
from __future__ import annotations


import numpy as np
import pandas as pd
import pytest

from treatydrafts import schema
from treatydrafts.analysis import density as D
from treatydrafts.parse.brackets import find_brackets, unit_of


def tables_for(body: list[str], heading: str = "Article 6. Illegal access", attributed: set[int] = frozenset(),
               labels: list[str] | None = None, positions: list[str] = ()) -> tuple[str, dict]:
    """One article: line 1 is its heading, every body line is one paragraph."""
    lines_text = [heading, *body]
    text = "\n".join(lines_text)
    units = unit_of(text)
    spans, diags = find_brackets("t", text, units)
    labels = labels or [str(i) for i in range(1, len(body) + 1)]
    lines = pd.DataFrame([{"doc_id": "t", "line": u.line, "role": "article_heading" if u.line == 1 else "paragraph",
                           "article_seq": 1, "paragraph_seq": max(u.line - 1, 0), "start_offset": u.offset,
                           "end_offset": u.offset + len(u.text)} for u in units])
    paragraphs = pd.DataFrame([{"doc_id": "t", "paragraph_seq": i, "article_seq": 1, "article": "6",
                                "paragraph": labels[i - 1], "text": u.text, "start_line": u.line,
                                "end_line": u.line, "start_offset": u.offset, "end_offset": u.offset + len(u.text)}
                               for i, u in enumerate(units[1:], 1)])
    line_par = dict(zip(lines["line"], lines["paragraph_seq"]))
    brackets = pd.DataFrame([{"doc_id": "t", "bracket_id": s.bracket_id, "parent_id": s.parent_id, "depth": s.depth,
                              "article_seq": 1, "article": "6", "paragraph_seq": line_par[s.line],
                              "line": s.line, "start_offset": s.start_offset, "end_offset": s.end_offset,
                              "text": s.text, "is_closed": s.is_closed, "is_struck": s.is_struck,
                              "is_attributed": s.bracket_id in attributed} for s in spans],
                            columns=["doc_id", "bracket_id", "parent_id", "depth", "article_seq", "article",
                                     "paragraph_seq", "line", "start_offset", "end_offset", "text", "is_closed",
                                     "is_struck", "is_attributed"])
    articles = pd.DataFrame([{"doc_id": "t", "article_seq": 1, "article": "6", "chapter": "II",
                              "title": "Illegal access", "start_line": 1, "end_line": len(lines_text)}])
    pos = pd.DataFrame({"doc_id": "t", "proposal_id": "t:P0001", "article_seq": 1, "delegation_id": list(positions)},
                       columns=["doc_id", "proposal_id", "article_seq", "delegation_id"])
    props = pd.DataFrame({"doc_id": ["t"] if positions else [], "proposal_id": ["t:P0001"] if positions else [],
                          "article_seq": [1] if positions else []})
    diag = pd.DataFrame([{"doc_id": "t", "line": d.line, "stage": d.stage, "kind": d.kind, "message": d.message}
                         for d in diags], columns=["doc_id", "line", "stage", "kind", "message"])
    return text, {"articles": articles, "lines": lines, "paragraphs": paragraphs, "brackets": brackets,
                  "proposals": props, "positions": pos, "diagnostics": diag}


def measure(body, **kw) -> D.ArticleDensity:
    text, t = tables_for(body, **kw)
    (row,) = D.measure_tables("t", text, t)
    return row


def test_no_brackets():
    r = measure(["Each State Party shall adopt measures."])
    assert (r.n_brackets, r.n_top_level, r.max_depth, r.bracketed_char_share, r.n_options) == (0, 0, 0, 0.0, 0)
    assert r.n_words == 4 + 6  # heading words ("Article", "6", "Illegal", "access") + body words
    assert r.brackets_per_1000_words == 0.0


def test_nested_spans_count_each_and_share_uses_the_union():
    # 20 counted chars; "[b[c]d]" = 7 chars bracketed
    r = measure(["aaaa[b[c]d]eeeeeeeee"], heading="")
    assert (r.n_brackets, r.n_top_level, r.max_depth) == (2, 1, 2)
    assert r.n_chars == 20
    assert r.bracketed_char_share == pytest.approx(7 / 20, abs=1e-4)


def test_adjacent_alternative_terms_are_separate_spans_and_one_option():
    r = measure(["[computer data] [digital information] and [x] or [y] / [z]"], heading="")
    assert (r.n_brackets, r.n_top_level, r.max_depth) == (5, 5, 1)
    # "[computer data] [digital information] and [x]": "and" breaks the choice -> 1 option;
    # "[x] or [y] / [z]": one choice of 3 terms -> 2 options
    assert r.n_alternative_terms == 3
    assert r.n_options == 3
    assert r.n_unattributed == 5 and r.n_attributed == 0


def test_unmatched_closer_is_counted_apart_not_as_a_span():
    r = measure(["intentionally and [unlawfully: SG] without right: AU, LB]"], heading="")
    assert r.n_brackets == 1
    assert r.n_unmatched_closers == 1
    assert r.n_close_observed == 2


def test_unclosed_span_is_cut_at_the_end_of_its_paragraph():
    # the opener in paragraph 1 is never closed; paragraph 2 stays unbracketed
    r = measure(["ab[cd", "efgh"], heading="")
    assert (r.n_brackets, r.n_unclosed) == (1, 1)
    assert r.n_chars == 9
    assert r.bracketed_char_share == pytest.approx(3 / 9, abs=1e-4)


def test_struck_spans_count_and_strike_markers_are_not_characters():
    r = measure(["~~[old: EU]~~ new"], heading="")
    assert (r.n_brackets, r.n_struck) == (1, 1)
    assert r.n_chars == len("[old:EU]new")
    assert r.bracketed_char_share == pytest.approx(len("[old:EU]") / len("[old:EU]new"), abs=1e-4)


def test_attributed_placeholders_options_and_delegations():
    r = measure(["[text: EU] at [date]", "alternative", "more"], attributed={1}, labels=["1", "1 alt", "2 bis"],
                positions=["EU", "EU", "USA", ""])
    assert (r.n_attributed, r.n_unattributed, r.n_placeholders) == (1, 1, 1)
    assert (r.n_alt_paragraphs, r.n_added_paragraphs) == (1, 1)
    assert r.n_alternative_terms == 0  # the placeholder is no alternative term
    assert r.n_options == 2
    assert (r.n_proposals, r.n_delegations) == (1, 2)


def test_brackets_in_the_heading_belong_to_the_article():
    r = measure(["Each Party shall."], heading="Article 8. Interference with [computer data] [digital information]")
    assert r.n_brackets == 2 and r.n_alternative_terms == 1


def test_rows_validate_against_the_schema():
    df = D.to_frame([measure(["a [b] c"], heading="")])
    assert list(df.columns) == schema.TABLES["bracket_density"].names
    assert not df["is_estimate"].any()
    assert df.loc[0, "n_brackets"] == df.loc[0, "n_brackets_low"] == df.loc[0, "n_brackets_high"] == 1


# ---------------------------------------------------------------- damaged document


def test_posterior_from_closers_brackets_the_truth():
    rate = np.full(200, 0.75)
    med, lo, hi = D.posterior_brackets(n_open=3, n_close=30, rate_close=rate)
    assert lo <= 40 <= hi
    assert 37 <= med <= 43
    assert D.posterior_brackets(0, 0, rate)[0] == 0
    # surviving openers are a lower bound
    assert D.posterior_brackets(12, 3, rate)[1] >= 12


def test_posterior_total_covers_the_sum():
    rate = D.rate_draws(150, 200)
    med, lo, hi = D.posterior_total([(1, 15)] * 10, rate)
    assert lo < med < hi
    assert lo <= 200 <= hi


def test_estimate_marks_unobservable_measures():
    r = measure(["x]"] * 3 + ["[y]"], heading="")
    (e,) = D.estimate_damaged([r], {"[": (3, 10), "]": (75, 100)}, char_survival=0.6, ref_chars_per_word=5.0,
                              attributed={1: 2})
    assert e.is_estimate  # not observable in damaged text: missing, never a -1 code
    assert e.n_top_level is None and e.max_depth is None and e.n_unclosed is None and e.bracketed_char_share is None
    assert e.n_brackets_low <= e.n_brackets <= e.n_brackets_high
    assert e.n_brackets >= 4  # 4 closers observed
    assert e.n_attributed == 2


def test_bracket_survival_alignment_detects_kept_and_lost_brackets():
    ref = "shall adopt [computer data] measures"
    kept = "xx shl adt [cmptr dat] masres yy"
    lost = "xx shl adt cmptr dat] masres yy"
    pos = ref.index("[")
    s_kept = D.bracket_survival(ref[pos - 12:pos + 13], 12, kept)
    s_lost = D.bracket_survival(ref[pos - 12:pos + 13], 12, lost)
    assert s_kept[1] and not s_lost[1]
    assert s_kept[0] > 0.5 and s_lost[0] > 0.5
    # unrelated text does not count as an unamended passage
    assert D.bracket_survival(ref[pos - 12:pos + 13], 12, "zzzz qqqq [ wwww")[0] < 0.5


def test_merge_intervals():
    assert D.merge_intervals([(5, 8), (0, 2), (1, 3), (8, 9), (4, 4)]) == [(0, 3), (5, 9)]
