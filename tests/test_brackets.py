"""Bracket tokenizer: unit tests per form (hand-made snippets with known answers)
and hypothesis property tests (offsets in bounds, spans nest, text reconstructable,
every bracket character accounted for)."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from treatydrafts.parse.brackets import find_brackets, inner_text, strike_runs
from treatydrafts.parse.brackets import unit_of as unit


def spans_of(text: str):
    return find_brackets("t", text, unit(text))


def test_nested_spans_keep_parent_and_depth():
    text = "a [b [c: EU] d: US] e"
    spans, diags = spans_of(text)
    assert diags == []
    outer, inner = spans
    assert (outer.depth, outer.parent_id) == (1, 0)
    assert (inner.depth, inner.parent_id) == (2, outer.bracket_id)
    assert outer.text == "[b [c: EU] d: US]"
    assert inner.text == "[c: EU]"
    assert inner_text(inner) == "c: EU"


def test_adjacent_spans_are_siblings():
    spans, diags = spans_of("[computer data] [electronic/digital information]")
    assert diags == []
    assert [s.text for s in spans] == ["[computer data]", "[electronic/digital information]"]
    assert all(s.depth == 1 and s.parent_id == 0 for s in spans)


def test_unmatched_closer_is_a_diagnostic_not_a_span():
    spans, diags = spans_of("intentionally and [unlawfully: SG] without right: AU, LB]")
    assert [s.text for s in spans] == ["[unlawfully: SG]"]
    assert [d.kind for d in diags] == ["unmatched_closer"]
    assert diags[0].line == 1


def test_unclosed_opener_is_cut_at_unit_end():
    text = "[3. bis For purpose\n(a) sexual intercourse"
    spans, diags = spans_of(text)
    assert len(spans) == 1 and not spans[0].is_closed
    assert spans[0].end_offset == len(text)
    assert [d.kind for d in diags] == ["unclosed_bracket"]


def test_multiline_span_pairs_across_lines():
    text = "[the use of information\nand communications technologies: RU]"
    spans, diags = spans_of(text)
    assert diags == [] and spans[0].is_closed and spans[0].text == text


def test_brace_opener_closed_by_square_bracket():
    spans, diags = spans_of("{4. States Parties shall take due account: delete – PK, TZ]")
    assert diags == [] and spans[0].opener == "{" and spans[0].is_closed


def test_struck_spans():
    text = "~~[paragraph 1 this article: US]~~ and [keep ~~x~~ text]"
    spans, diags = spans_of(text)
    assert diags == []
    assert spans[0].is_struck is True  # opener inside the strike run
    assert spans[1].is_struck is False  # only a small part is struck
    runs, _ = strike_runs(unit(text))
    assert runs == [(0, 34), (45, 50)]


def test_unpaired_strike_marker_is_reported():
    runs, diags = strike_runs(unit("~~non-public~~ and ~~dangling"))
    assert runs == [(0, 14)]
    assert [d.kind for d in diags] == ["unpaired_strikethrough"]


def test_deep_nesting_is_linear_and_exact():
    depth = 10_000
    text = "[" * depth + "x" + "]" * depth
    spans, diags = spans_of(text)
    assert len(spans) == depth
    assert [d.kind for d in diags] == ["span_text_cut"]  # texts below depth 8 keep their first 100 characters
    assert max(s.depth for s in spans) == depth
    assert spans[-1].text == "[x]"


# ------------------------------------------------------------------ properties

PIECES = st.sampled_from(list("ab :,-[]{}~\n") + ["EU", "~~", "[", "]"])


@st.composite
def balanced(draw, depth=0):
    parts = draw(st.lists(st.sampled_from(["a", " ", "EU", ": ", "x"]), max_size=4))
    if depth < 4 and draw(st.booleans()):
        parts.append("[" + draw(balanced(depth + 1)) + "]")
        parts.extend(draw(st.lists(st.sampled_from(["a", " ", "b"]), max_size=3)))
    return "".join(parts)


@given(st.lists(PIECES, max_size=150).map("".join))
@settings(max_examples=300, deadline=None)
def test_properties_on_arbitrary_text(text):
    spans, diags = spans_of(text)
    n_open = sum(text.count(c) for c in "[{")
    n_close = sum(text.count(c) for c in "]}")
    # every opener is a span; every closer closes a span or is a diagnostic
    assert len(spans) == n_open
    assert sum(s.is_closed for s in spans) + sum(d.kind == "unmatched_closer" for d in diags) == n_close
    by_id = {s.bracket_id: s for s in spans}
    for s in spans:
        assert 0 <= s.start_offset < s.end_offset <= len(text)  # offsets in bounds
        full = text[s.start_offset:s.end_offset]
        # text reconstructable (below depth 8, its first 100 characters: brackets.MAX_TEXT_DEPTH)
        assert s.text == full if s.depth <= 8 else s.text == full[:100]
        assert s.text[0] in "[{"
        if s.is_closed and s.text == full:
            assert s.text[-1] in "]}"
        if s.parent_id:
            p = by_id[s.parent_id]
            assert s.depth == p.depth + 1
            assert p.start_offset < s.start_offset and s.end_offset <= p.end_offset  # spans nest
        else:
            assert s.depth == 1
    # any two spans are disjoint or nested
    ordered = sorted(spans, key=lambda s: s.start_offset)
    for a, b in zip(ordered, ordered[1:]):
        assert b.start_offset >= a.end_offset or b.end_offset <= a.end_offset or not a.is_closed


@given(balanced())
@settings(max_examples=300, deadline=None)
def test_balanced_text_gives_closed_spans_and_no_diagnostics(text):
    spans, diags = spans_of(text)
    assert diags == []
    assert all(s.is_closed for s in spans)
    assert len(spans) == text.count("[")
