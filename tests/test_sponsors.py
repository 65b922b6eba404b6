"""Sponsor tails of ``ahc4-cnd`` → proposals and positions.

One unit test per notation form of ``docs/source-notes.md`` (section 000), run on
small hand-made strings through ``brackets.find_brackets`` and
``sponsors.extract_proposals``; offset round trips; the reconciliation on the real
file; a golden sample of positions checked by hand; and the bad-input bounds
(a 10 MB line, 10,000 nested brackets).
"""
from __future__ import annotations

import csv
from collections import Counter
from pathlib import Path

import pytest

from treatydrafts.parse.brackets import UnitLine, find_brackets
from treatydrafts.parse.clean import read_source, source_from_text
from treatydrafts.parse.sponsors import (
    code_occurrences,
    extract_proposals,
    parse_tail,
    reconcile,
)

GOLDEN = Path(__file__).parent / "golden" / "ahc4-cnd_positions_sample.csv"


# ----------------------------------------------------------------- helpers


def units_of(source):
    """Blank-line separated units (the tests do not need the segmenter)."""
    units, cur = [], []
    for line, off, text in source.lines():
        if text.strip():
            cur.append(UnitLine(line, off, text))
        elif cur:
            units.append(cur)
            cur = []
    if cur:
        units.append(cur)
    return units


def spans_of(source):
    spans = []
    for unit in units_of(source):
        got, _ = find_brackets(source.doc_id, source.text, unit, first_id=len(spans) + 1)
        spans.extend(got)
    return spans


def run(text: str):
    source, _ = source_from_text("t", text)
    props, poss, diags = extract_proposals(source, spans_of(source))
    for p in poss:  # every position points at its code
        assert source.text[p.offset:p.offset + len(p.code_as_written)] == p.code_as_written
        assert source.line_of(p.offset) == p.line
    return source, props, poss, diags


def stances(poss, pid=None):
    return [(p.code_as_written, p.stance) for p in poss if pid is None or p.proposal_id == pid]


def kinds(diags):
    return Counter(d.kind for d in diags)


# ----------------------------------------------------------------- notation forms


def test_main_form_insert():
    _, props, poss, diags = run("committed [and unlawfully: JM, EG] here")
    (p,) = props
    assert (p.kind, p.text, p.sponsors, p.tail) == ("insert", "and unlawfully", "JM, EG", ": JM, EG")
    assert stances(poss) == [("JM", "sponsor"), ("EG", "sponsor")]
    assert [q.delegation_id for q in poss] == ["CARICOM", "EGY"]
    assert p.proposal_id == "t:P0001" and p.bracket_id == 1
    assert diags == []


def test_full_stop_before_colon_is_stripped():
    _, props, poss, diags = run("[2. bis A State Party may include it.: GT]")
    assert props[0].text == "2. bis A State Party may include it"
    assert stances(poss) == [("GT", "sponsor")]
    assert diags == []


def test_replace_old_new_with_colon_and_known_pair():
    _, props, _, _ = run("procuring [unlawfully: without right: EU, UK] for [child person: DO] x [legal person: IN]")
    assert [(p.text, p.kind) for p in props] == [
        ("unlawfully: without right", "replace"), ("child person", "replace"), ("legal person", "insert")]


def test_replace_after_struck_word():
    _, props, poss, _ = run("The production, ~~sale~~ [supply or offer to supply: UK; original – BR], import")
    (p,) = props
    assert p.kind == "replace" and p.text == "supply or offer to supply"
    assert stances(poss) == [("UK", "sponsor"), ("BR", "original")]


def test_delete_par_and_retain_groups():
    _, props, poss, _ = run("where: [delete par. – EU, NZ, PL; retain – YE, SG]")
    (p,) = props
    assert (p.kind, p.text, p.sponsors) == ("position", "", "")
    assert stances(poss) == [("EU", "delete"), ("NZ", "delete"), ("PL", "delete"), ("YE", "retain"), ("SG", "retain")]
    assert "delete par." in p.tail


@pytest.mark.parametrize("text, expected", [
    ("x [delete par – IR, PS, KR]", [("IR", "delete"), ("PS", "delete"), ("KR", "delete")]),
    ("x [delete par. – AO; retain - CL]", [("AO", "delete"), ("CL", "retain")]),
    ("x [delete article: JM, CO; retain – RU]", [("JM", "delete"), ("CO", "delete"), ("RU", "retain")]),
    ("x [delete : article: JM, AU; retain – RU]", [("JM", "delete"), ("AU", "delete"), ("RU", "retain")]),
    ("x [retain original – BF]", [("BF", "retain_original")]),
    ("x [integrate into par. 1 – JP, MX]", [("JP", "integrate"), ("MX", "integrate")]),
    ("x [move to chapter 3 – PY]", [("PY", "move")]),
])
def test_position_only_brackets(text, expected):
    _, props, poss, _ = run(text)
    assert [p.kind for p in props] == ["position"]
    assert stances(poss) == expected


def test_bare_code_then_named_group():
    _, props, poss, _ = run("the unlawful [GT; retain: RU, BY] access")
    (p,) = props
    assert (p.kind, p.text, p.sponsors) == ("delete", "", "GT")
    assert stances(poss) == [("GT", "delete"), ("RU", "retain"), ("BY", "retain")]


def test_codes_only_bracket_proposes_deletion():
    _, props, poss, _ = run("by infringing [IN] systems, inputting [EU, JP, AU, KR, TH, US], downloading")
    assert [(p.kind, p.text) for p in props] == [("delete", ""), ("delete", "")]
    assert [s for _, s in stances(poss)] == ["delete"] * 7


def test_delete_tail_closing_a_proposal():
    _, props, poss, _ = run("[A State Party may require by law that items be possessed.: delete – IR]")
    (p,) = props
    assert p.kind == "position" and p.text == "A State Party may require by law that items be possessed"
    assert stances(poss) == [("IR", "delete")]


def test_capital_delete_article_label():
    _, props, poss, _ = run("[2. For the purpose, shall apply.: EU]. Delete article – CU, KE, VE]")
    assert ("CU", "delete") in stances(poss) and ("EU", "sponsor") in stances(poss)


def test_against_group_after_sponsors():
    _, props, poss, _ = run("online child [pornography.: BR, HS: against – ZA, UY] sexual")
    (p,) = props
    assert p.text == "pornography" and p.sponsors == "BR, HS"
    assert stances(poss) == [("BR", "sponsor"), ("HS", "sponsor"), ("ZA", "against"), ("UY", "against")]


def test_reversed_move_label():
    _, props, poss, _ = run("[5. Each State Party shall ensure sanctions. : SN, VE – move to art. 39]")
    (p,) = props
    assert p.kind == "position" and p.text == "5. Each State Party shall ensure sanctions"
    assert stances(poss) == [("SN", "move"), ("VE", "move")]


def test_nested_parenthesised_proposals():
    _, props, poss, _ = run("[impose an aggravation of (enhanced: JM, PH) penalty (or: GT) x.: BR]")
    host, enh, orr = props
    assert (host.text, host.sponsors) == ("impose an aggravation of (enhanced: JM, PH) penalty (or: GT) x", "BR")
    assert (enh.text, enh.kind, enh.bracket_id) == ("enhanced", "insert", host.bracket_id)
    assert (orr.text, orr.sponsors) == ("or", "GT")
    assert stances(poss, host.proposal_id) == [("BR", "sponsor")]
    assert stances(poss, enh.proposal_id) == [("JM", "sponsor"), ("PH", "sponsor")]
    src, props2, _, _ = run("[x (enhanced: JM, PH) y: BR]")
    assert src.text[props2[1].start_offset:props2[1].end_offset] == "(enhanced: JM, PH)"


def test_nested_retain_parenthesis():
    _, props, poss, _ = run("[shall include all persons under 18 (retain – US, MY, MZ).: delete – MX]")
    host, par = props
    assert par.kind == "position" and stances(poss, par.proposal_id) == [("US", "retain"), ("MY", "retain"), ("MZ", "retain")]
    assert stances(poss, host.proposal_id) == [("MX", "delete")]


def test_footnote_marks_are_stripped_and_noted():
    _, props, poss, diags = run("[and unlawfully: JM*, EG] [and without right: EU, * NZ, LI]")
    assert [p.code_as_written for p in poss] == ["JM", "EG", "EU", "NZ", "LI"]
    assert kinds(diags)["footnote_mark"] == 2
    assert props[0].tail == ": JM*, EG"


def test_missing_colon():
    _, props, poss, diags = run("damaging, [disruption EU, JP, KZ], critical [and data IR].")
    assert [(p.text, p.sponsors) for p in props] == [("disruption", "EU, JP, KZ"), ("and data", "IR")]
    assert all(p.confidence < 1 for p in props)
    assert kinds(diags)["malformed_tail"] == 2


def test_colon_dash_and_dash_comma():
    _, props, poss, diags = run("an [entity:- UK, US, JP] x [earlier: CU, SY; retain –, CA, EG]")
    assert props[0].text == "entity" and props[0].sponsors == "UK, US, JP"
    assert stances(poss, props[1].proposal_id) == [("CU", "sponsor"), ("SY", "sponsor"), ("CA", "retain"), ("EG", "retain")]
    assert kinds(diags)["malformed_tail"] == 2


def test_missing_semicolon_between_groups():
    _, _, poss, diags = run("[2. (Each State Party may impose.: delete – NZ, SN retain – NG) more: delete – KR]")
    assert ("NG", "retain") in stances(poss) and ("SN", "delete") in stances(poss)
    assert any("no ';'" in d.message for d in diags)


def test_duplicate_code_kept_once():
    _, _, poss, diags = run("[(c) Fraud.: delete – AR, EU, US, US; retain – UK]")
    assert stances(poss) == [("AR", "delete"), ("EU", "delete"), ("US", "delete"), ("UK", "retain")]
    assert kinds(diags)["duplicate_code"] == 1


def test_stray_letter_and_doubtful_codes():
    _, _, poss, diags = run("[and without right: EU, NZ, LI, e, SN] [delete – KE, MO] [Electronic: IO]")
    e = next(p for p in poss if p.code_as_written == "e")
    assert (e.delegation_id, e.resolution) == ("", "doubtful")
    mo = next(p for p in poss if p.code_as_written == "MO")
    assert (mo.delegation_id, mo.resolution) == ("", "doubtful")
    assert kinds(diags)["doubtful_code"] == 3


def test_words_that_look_like_codes_are_not_positions():
    _, props, poss, diags = run("Chapter II Criminalization\n\n[*the acts and activities as defined in CRC OP2*: CN]")
    assert [p.code_as_written for p in poss] == ["CN"]
    assert "unread_code" not in kinds(diags)


def test_codes_in_struck_text_are_positions_of_struck_proposals():
    _, props, poss, _ = run("x ~~[when committed intentionally: UK, MX]~~, the threat")
    (p,) = props
    assert p.is_struck and stances(poss) == [("UK", "sponsor"), ("MX", "sponsor")]


def test_struck_sub_proposals_inside_a_bracket():
    _, props, poss, _ = run("[~~Distributing: PH~~, ~~disseminating: PE~~ or transmitting material;: ~~delete – IL, MX~~]")
    host, a, b = props
    assert host.kind == "position" and stances(poss, host.proposal_id) == [("IL", "delete"), ("MX", "delete")]
    assert (a.text, a.is_struck, a.bracket_id) == ("Distributing", True, host.bracket_id)
    assert b.text == "disseminating"


def test_standalone_sponsor_line_sponsors_new_article():
    _, props, poss, _ = run("[10 bis. Infringement of website design]\n\nEach State party shall adopt.\n\n[EG]\n")
    (p,) = props
    assert (p.kind, p.text, p.sponsors, p.line) == ("new_article", "", "EG", 5)
    assert stances(poss) == [("EG", "sponsor")]


def test_article_heading_with_inline_sponsor_is_an_alternative_title():
    """Line 250 of the CND: MX proposes a title; the base article 18 follows (see segment/cnd.py)."""
    _, props, _, _ = run("[Article 18 alt. Cyber offences affecting the child: MX]")
    assert props[0].kind == "replace"


def test_label_only_wording_is_other():
    _, props, _, _ = run("[2.:KR] Each State Party shall adopt")
    assert (props[0].kind, props[0].text) == ("other", "2")


def test_tail_whose_opener_was_lost():
    _, props, poss, diags = run("or similar ~~criminal~~ dishonest: AU, EU, JP] intent [to use: KR]")
    orphan = props[0]
    assert (orphan.bracket_id, orphan.kind, orphan.text) == (0, "replace", "~~criminal~~ dishonest")
    assert orphan.confidence < 1 and kinds(diags)["unbracketed_tail"] == 1
    assert stances(poss, orphan.proposal_id) == [("AU", "sponsor"), ("EU", "sponsor"), ("JP", "sponsor")]


def test_colon_tail_with_no_bracket_at_all():
    _, props, poss, _ = run("Article 19. Facilitation of child ~~[sexual abuse material]~~ pornography: HS through x")
    (p,) = props
    assert (p.text, p.kind, p.bracket_id) == ("pornography", "replace", 0)
    assert stances(poss) == [("HS", "sponsor")]


def test_alternatives_in_one_parenthesis():
    _, props, poss, _ = run("[(rights of defence: GT, IR; the right of defence: GT)].")
    assert [(p.text, p.sponsors) for p in props] == [("rights of defence", "GT, IR"), ("the right of defence", "GT")]


def test_brackets_without_tail_are_not_proposals():
    _, props, poss, diags = run("[a computer system] [an information and communications technology system/device]")
    assert props == [] and poss == [] and diags == []


def test_proposal_ids_follow_start_offsets():
    _, props, _, _ = run("[a: US] [b (c: UK) d: EU] [e: JP]")
    assert [p.proposal_id for p in props] == [f"t:P{i:04d}" for i in range(1, 5)]
    assert [p.start_offset for p in props] == sorted(p.start_offset for p in props)


# ----------------------------------------------------------------- parse_tail (pure)


@pytest.mark.parametrize("text, start, codes", [
    ("and unlawfully: JM*, EG", 14, ["JM", "EG"]),
    ("IN", 0, ["IN"]),
    ("article: UK", 7, ["UK"]),  # "article" is wording here, not a label
    ("with the intent: II", 19, []),  # not a code: no tail
    ("a computer system", 17, []),
])
def test_parse_tail(text, start, codes):
    t = parse_tail(text)
    assert t.start == start
    assert [c.code for c in t.codes] == codes


# ----------------------------------------------------------------- bad input stays fast


@pytest.mark.slow
def test_ten_megabyte_line_is_read():
    text = "[" + ("word: and " * 1_000_000) + ": US]\n"
    _, props, poss, _ = run(text)
    assert stances(poss) == [("US", "sponsor")]


@pytest.mark.slow
def test_ten_megabyte_of_codes_is_read():
    text = "[x: " + "US, " * 2_500_000 + "UK]\n"
    _, props, poss, _ = run(text)
    assert {p.code_as_written for p in poss} == {"US", "UK"}


def test_ten_thousand_nested_brackets_are_read():
    text = "[" * 10_000 + "x: EU" + "]" * 10_000 + "\n"
    _, props, poss, _ = run(text)
    assert len(props) == 1 and stances(poss) == [("EU", "sponsor")]


# ----------------------------------------------------------------- the real file


@pytest.fixture(scope="module")
def cnd():
    source, _ = read_source("ahc4-cnd")
    spans = spans_of(source)
    props, poss, diags = extract_proposals(source, spans)
    return source, spans, props, poss, diags


def test_real_file_offsets_round_trip(cnd):
    source, _, props, poss, _ = cnd
    for p in poss:
        assert source.text[p.offset:p.offset + len(p.code_as_written)] == p.code_as_written
        assert source.line_of(p.offset) == p.line
    for p in props:
        assert 0 <= p.start_offset < p.end_offset <= len(source.text)
        assert p.line == source.line_of(p.start_offset)
    ids = [p.proposal_id for p in props]
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    assert {p.proposal_id for p in poss} <= set(ids)


def test_real_file_reconciliation(cnd):
    """Every code-like token placed like a code is a position or named in a diagnostic."""
    source, spans, _, poss, diags = cnd
    assert reconcile(source, poss, diags, spans) == []
    occ = code_occurrences(source)
    # measured: 1,444 occurrences of 72 distinct tokens (71 codes + the stray "e");
    # the notes say ~1,445 and ~71
    assert len(occ) == 1444
    assert len({o.code for o in occ}) == 72
    accounted = {p.offset for p in poss}
    # only one token is not read into a position: "[electronic: delete – GT/digital information]" (98)
    unread = [d for d in diags if d.kind == "unread_code"]
    assert [d.line for d in unread] == [98]
    dup = [d for d in diags if d.kind == "duplicate_code"]
    assert len(poss) + len(dup) + len(unread) == len(occ)
    assert len(accounted) == len(poss)


def test_real_file_does_not_read_chapter_ii_or_footnote(cnd):
    source, _, _, poss, _ = cnd
    lines = {p.line for p in poss}
    assert 59 not in lines  # "Chapter II Criminalization"
    assert 72 not in lines  # "* JM: On behalf of the Caribbean Community …"


def test_real_file_known_forms(cnd):
    source, _, props, poss, _ = cnd
    by_line = {}
    for p in props:
        by_line.setdefault(p.line, []).append(p)
    assert any(p.kind == "new_article" and p.text == "" for line in (142, 365, 509) for p in by_line[line])
    st = Counter(p.stance for p in poss)
    assert st["against"] == 17  # the only "against" group, line 248
    assert {p.line for p in poss if p.stance == "against"} == {248}
    assert st["original"] == 1 and st["retain_original"] == 1 and st["move"] == 3


def test_golden_positions_sample(cnd):
    """Positions of lines 78, 122 and 248, checked by hand against the source.

    Checked: each code and its order as printed; stance of each group (78: the
    "delete par." list of 16 codes incl. PL and the "retain" list of 8, BR sponsoring
    the "may shall consider …" replacement, PH sponsoring "in accordance with domestic
    law", JM and PH sponsoring the nested "(enhanced: …)"; 122: UK sponsor and BR
    "original" of the same proposal, GT ", export", US "facilitation"; 248: YE, PH/BY/MZ,
    the five sponsors of "pornography" and its 17 "against" codes, EU "child sexual");
    JM → CARICOM, UK → GBR, EU → EU, HS → VAT, NA → NAM (not a missing value),
    PL → POL flagged; line and offset of every row (offsets checked by the round trip).
    """
    source, _, _, poss, _ = cnd
    got = [p for p in poss if p.line in (78, 122, 248)]
    with GOLDEN.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(got)
    for row, p in zip(rows, got):
        assert (int(row["line"]), int(row["offset"]), row["code_as_written"], row["delegation_id"],
                row["stance"], row["resolution"]) == (p.line, p.offset, p.code_as_written, p.delegation_id,
                                                       p.stance, p.resolution)
        assert source.text[int(row["offset"]):int(row["offset"]) + 2] == row["code_as_written"]
