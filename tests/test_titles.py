"""Display titles (``treatydrafts.parse.titles``): article headings as written in the drafts →
their base wording.  The expected strings were checked by hand against the headings of
``ahc4-cnd``, ``ahc6-chair-draft`` and ``ahc6-amended-draft`` (the input strings are copied
from ``data/articles.csv``)."""
from __future__ import annotations

import pytest

from treatydrafts.parse.titles import display_title

CASES = [
    # alternatives: the first is kept; proposals with sponsors dropped
    ("Interference with [computer data] [or: GT] [electronic: delete – GT/digital information] "
     "[Data interference: EU]", "Interference with computer data"),
    ("Interference with a [computer system] [information and communications technology system⁴ (or: GT) device] "
     "[Intentional attack on electronic processing systems: YE]", "Interference with a computer system"),
    # a bracket of positions only is base text under dispute: kept, its parenthesised proposal dropped
    ("Misuse of [access: US] devices [and (or: ID) programs: delete – EU, SG, IL, NE, US; retain – ID]",
     "Misuse of devices and programs"),
    ("[Computer-related] [Information and communications technology-related] theft. "
     "[Theft with the use of information and communications technologies: RU]", "Computer-related theft"),
    ("Offences related to [the content of child sexual abuse, including: YE] [trafficking in persons, especially "
     "of children and: PH, BY, MZ] online child [pornography.: BR, HS, NA, NE, SN: against – ZA, UY, PE, CL, US, "
     "EU, NZ, NO, GH, CO, LI, UK, PK, CI, NG, EC, BF] sexual abuse or [child sexual: EU] exploitation material",
     "Offences related to online child sexual abuse or exploitation material"),
    # struck base text stays; the replacement written after it with its sponsor goes
    ("Facilitation of child ~~[sexual abuse or exploitation material]~~ pornography: HS through [a computer system] "
     "[an information and communications technology system/device]",
     "Facilitation of child sexual abuse or exploitation material through a computer system"),
    # old/new replacements keep the old word
    ("Cyberstalking of a [child person: DO]", "Cyberstalking of a child"),
    ("Participation and ~~[attempt: attack: RU]~~", "Participation and attempt"),
    ("Knowledge, intent [and or: CO] [purpose ground/reason: NE] as elements of an offence",
     "Knowledge, intent and purpose as elements of an offence"),
    # struck proposals and bare position brackets leave nothing behind
    ("~~[Cyber-: MX]~~Money-laundering ~~[Laundering of proceeds of crime: IR, CU, MY, PK]~~ ~~[delete – TR, SN; "
     "retain – IL, IR]~~", "Money-laundering"),
    ("[Electronic: IO] Sexual extortion [Distribution or manipulation of intimate images: YE]", "Sexual extortion"),
    # a sponsor named in parentheses (6th session)
    ("Illegal access [to a computer system (Yemen)]", "Illegal access"),
    # clean titles are unchanged
    ("Statement of purpose", "Statement of purpose"),
    ("24/7 network", "24/7 network"),
    ("", ""),
]


@pytest.mark.parametrize("title, expected", CASES)
def test_display_title(title, expected):
    assert display_title(title) == expected


def test_a_draft_that_amends_a_base_takes_the_base_wording():
    damaged = "Interference with Alteration of [computer data] [digital electronic information] Deliberate abuse"
    assert display_title(damaged, base_title="Interference with [computer data] [digital information]") == (
        "Interference with computer data")
    assert display_title("Corporate liability", base_title=None) == "Corporate liability"


@pytest.mark.parametrize("junk", ["[[[[", "]]]]", "~~", "[a: ]", "[" * 2000 + "x", ": XX, YY", "(or: GT)"])
def test_odd_input_never_raises(junk):
    out = display_title(junk)
    assert "[" not in out and "]" not in out and "~~" not in out


def test_articles_table_has_display_titles():
    from treatydrafts import Corpus

    a = Corpus(read_built=False).load("ahc6-chair-draft").articles
    row = a[a["article"] == "8"].iloc[0]
    assert row["title"] == "Interference with [computer data] [digital information]"
    assert row["display_title"] == "Interference with computer data"
