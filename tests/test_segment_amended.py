"""Segmentation of ahc6-amended-draft.

Golden file ``tests/golden/ahc6-amended-draft_articles.csv`` was checked by hand
against the seed: the 99 heading lines are exactly the raw lines starting with
ASCII ``Article`` (97) or ``Art.`` (2: 24 bis at 1481, 39 bis at 2257); the
titles were compared with the ASCII part of each heading (continuations at
922, 949, 968, 1494, 1556, 2830, 2850, 2887, 2923, 3042, 3278, 3696); 16 ter
(1093) and 30 ter (1699) have no title; ``Article ©ter.`` (1707) follows 30 ter;
the chapter column follows the nine ``Chapter I``…``Chapter IX`` lines (73, 253,
1294, 1378, 1868, 3321, 3524, 3763, 3886).
"""
from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from treatydrafts.parse import clean
from treatydrafts.parse.clean import source_from_text
from treatydrafts.parse.segment.amended_draft import segment

GOLDEN = Path(__file__).parent / "golden" / "ahc6-amended-draft_articles.csv"
ROLES = {"blank", "cover", "chapter_heading", "article_heading", "paragraph", "preamble",
         "page_number", "note", "footnote"}


@pytest.fixture(scope="module")
def seg():
    src, _ = clean.read_source("ahc6-amended-draft")
    return src, segment(src)


def test_one_role_per_line(seg):
    src, s = seg
    assert [l.line for l in s.lines] == list(range(1, src.n_lines + 1))
    assert {l.role for l in s.lines} <= ROLES


def test_articles_match_golden(seg):
    _, s = seg
    with GOLDEN.open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(s.articles) == 99
    for row, a in zip(rows, s.articles):
        got = {k: str(getattr(a, k)) for k in row}
        assert got == row


def test_chapters(seg):
    _, s = seg
    assert [c.chapter for c in s.chapters] == ["I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX"]
    assert [c.start_line for c in s.chapters] == [73, 253, 1294, 1378, 1868, 3321, 3524, 3763, 3886]
    assert s.chapters[0].title == "General provisions"
    assert s.chapters[8].title == "Final provisions"


def test_special_headings(seg):
    _, s = seg
    by_line = {a.heading_line: a for a in s.articles}
    assert by_line[1093].article == "16 ter" and by_line[1093].title == "" and by_line[1093].is_proposed
    assert by_line[1699].article == "30 ter" and by_line[1699].article_num == 30
    assert by_line[1707].article == "©ter" and by_line[1707].article_num == -1
    assert by_line[1481].article == "24 bis" and by_line[1481].is_proposed
    assert by_line[3864].article == "58" and by_line[3864].title == "General Secretariat"
    assert not by_line[75].is_proposed
    assert any(d.kind == "garbled_article_label" and d.line == 1707 for d in s.diagnostics)


def test_paragraphs_do_not_overlap_and_skip_page_numbers(seg):
    src, s = seg
    seen: set[int] = set()
    roles = {l.line: l for l in s.lines}
    for p in s.paragraphs:
        assert not seen & set(p.line_numbers)
        seen |= set(p.line_numbers)
        assert p.text == "\n".join(src.line_text(i) for i in p.line_numbers)
        assert p.start_line == p.line_numbers[0] and p.end_line == p.line_numbers[-1]
        assert src.text[p.start_offset:p.end_offset].startswith(src.line_text(p.start_line))
        for i in p.line_numbers:
            assert roles[i].paragraph_seq == p.paragraph_seq
            assert roles[i].role in ("paragraph", "preamble")
    for l in s.lines:
        if l.role == "page_number":
            assert l.line not in seen


def test_hand_checked_paragraphs(seg):
    _, s = seg
    by_start = {p.start_line: p for p in s.paragraphs}
    # Preamble (7) runs 44-49 across the page number 2/77 at line 47.
    p7 = by_start[44]
    assert p7.paragraph == "(7)" and p7.article_seq == 0
    assert p7.line_numbers == (44, 45, 46, 48, 49)
    # Article 1: unlabelled chapeau at 76, then a) at 77 (the "(" lost) normalised to "(a)".
    assert by_start[76].paragraph == "" and by_start[77].paragraph == "(a)"
    # Article 2 (f) at 156, then roman (i) 160, (ii) 162, (iii) 165, then (g) 167.
    assert [by_start[i].paragraph for i in (156, 160, 162, 165, 167)] == ["(f)", "(i)", "(ii)", "(iii)", "(g)"]
    # Article 24 "1 is." (bis, b lost) at 1431.
    assert by_start[1431].paragraph == "1 bis"
    # Line 1075 "n) (elte Cad)]" is the end of a name list, not subparagraph (n).
    assert 1075 not in by_start
    # Footnote block 146-151 and its reference "1" at 115.
    roles = {l.line: l.role for l in s.lines}
    assert [roles[i] for i in range(146, 152)] == ["footnote"] * 6
    assert roles[152] == "page_number" and roles[115] == "note"
    assert roles[214] == "note"  # "[agreed ad referendum]" with letters lost


def test_counts(seg):
    _, s = seg
    assert len(s.articles) == 99
    assert sum(a.is_proposed for a in s.articles) == 32  # 10 bis…quinquies, 11 bis, 12 bis, 15 bis…terdecies, …
    assert 600 <= len(s.paragraphs) <= 660


ODD = [
    "",
    "\n\n\n",
    "Article\n",
    "Article 5\n1.\n(a)\n)\n2/77\n",
    "Chapter I\nChapter II\nArticle ©ter.\n",
    "____________\n1\nfootnote text\n",
    "Preamble\n(1)\n(2) x\nArticle 1. A\n" + "n) " * 500 + "\n",
]


@pytest.mark.parametrize("text", ODD)
def test_never_raises_on_odd_content(text):
    src, _ = source_from_text("odd", text or " ")
    s = segment(src)
    assert len(s.lines) == src.n_lines


@settings(max_examples=50, deadline=None)
@given(st.lists(st.sampled_from(["Article 3. X", "Chapter II", "1.", "a)", "(ii) y", "2/77", "", "____",
                                  "Preamble", "(3) Z", "text (Yemen)", "n) x", "Art. 4 bis.", "12 alt 3."]),
                max_size=40))
def test_property_one_role_per_line(lines):
    text = "\n".join(lines) + "\n"
    src, _ = source_from_text("p", text if text.strip() else "x\n")
    s = segment(src)
    assert len(s.lines) == src.n_lines
    used = [i for p in s.paragraphs for i in p.line_numbers]
    assert len(used) == len(set(used))


def test_hostile_lines_are_segmented_whole():
    """Long runs of digits, suffixes and parentheses: every line still gets one role (no backtracking
    blow-up either: the patterns are screened in test_regex_safety, the speed measured in benchmarks/)."""
    hostile = "Article " + "1" * 5000 + " bis" * 2000 + "\n" + "(" * 10000 + "a" * 10000 + ")\n" + "1 " * 20000
    src, _ = source_from_text("h", hostile)
    s = segment(src)
    assert [r.line for r in s.lines] == list(range(1, src.n_lines + 1))
