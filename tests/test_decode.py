"""Decoding private-use glyph ids without a magic offset (issue 3, part 1)."""
from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from treatydrafts import paths
from treatydrafts.parse.decode import (
    REPLACEMENT,
    decode_private_use,
    encode_private_use,
    infer_mapping,
    infer_offset,
)

ENGLISH = (
    "Each State Party shall adopt such legislative and other measures as may be necessary "
    "to establish as criminal offences under its domestic law, when committed intentionally, "
    "the access to the whole or any part of an information and communications technology system "
    "without right. A State Party may require that the offence be committed by infringing "
    "security measures, with the intent of obtaining electronic data or other dishonest intent. "
    "The Conference of the States Parties shall agree upon activities, procedures and methods of "
    "work to achieve the objectives set forth in paragraph 1 of this article (Côte d’Ivoire, "
    "Türkiye, Egypt), including the “review” of the implementation of this Convention; "
    "see articles 21–24 of the People’s proposal.\n"
)


def _text(n: int = 4) -> str:
    return ENGLISH * n


@pytest.mark.parametrize("offset", [0, 10, 20, 29, 31, 32])
def test_synthetic_text_round_trips_with_any_offset(offset):
    text = _text()
    raw = encode_private_use(text, offset)
    assert infer_offset(raw) == offset
    decoded, diags = decode_private_use(raw, "synthetic")
    assert decoded == text
    assert not [d for d in diags if d.kind == "unresolved_glyph"]


@pytest.mark.parametrize("offset", [15, 29])
def test_glyphs_omitted_from_the_font_order_are_found_from_context(offset):
    # Mac index 150 (yen) missing from the font: every glyph after it shifts down by one,
    # so the dashes and quotes come out one id lower, as in ahc6-amended-draft.
    text = _text()
    raw = encode_private_use(text, offset, missing=(150,))
    decoded, diags = decode_private_use(raw, "synthetic")
    assert decoded == text
    assert any(d.kind == "glyph_order_step" for d in diags)


def test_damaged_text_still_gives_the_offset():
    rng = random.Random(3)
    text = "".join(c for c in _text(8) if c == "\n" or rng.random() > 0.4)  # 40% loss
    for offset in (12, 29):
        assert infer_offset(encode_private_use(text, offset)) == offset


def test_length_preserved_and_non_pua_passes_through():
    raw = "Article 1. Statement of purpose\n" + encode_private_use("The purposes of this", 29) + " 2/77\n"
    decoded, _ = decode_private_use(raw + encode_private_use(_text(2), 29), "x")
    assert len(decoded) == len(raw + encode_private_use(_text(2), 29))
    assert decoded.startswith("Article 1. Statement of purpose\nThe purposes of this 2/77\n")


def test_unresolvable_glyph_ids_become_replacement_with_diagnostic():
    text = _text()
    raw = encode_private_use(text, 29)
    odd = chr(0xE000 + 0x8B)  # Mac index 139 = ©, implausible in running text
    far = chr(0xE000 + 0x400)  # beyond the 258-glyph Mac order
    raw = raw + "\n" + odd + "x" + far + "\n" + far
    decoded, diags = decode_private_use(raw, "x")
    assert len(decoded) == len(raw)
    assert decoded.endswith(f"\n{REPLACEMENT}x{REPLACEMENT}\n{REPLACEMENT}")
    unresolved = [d for d in diags if d.kind == "unresolved_glyph"]
    assert len(unresolved) == 2  # one per distinct glyph, not per occurrence
    far_diag = next(d for d in unresolved if "0x400" in d.message)
    assert "×2" in far_diag.message
    assert far_diag.line == text.count("\n") + 2


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=0, max_value=32), st.text(alphabet="abc XYZ.,()", max_size=40))
def test_encode_decode_round_trip_property(offset, extra):
    text = _text(2) + extra
    decoded, _ = decode_private_use(encode_private_use(text, offset), "p")
    assert decoded == text


def test_no_private_use_raises_for_offset():
    with pytest.raises(ValueError):
        infer_offset("plain ascii")


# ---- the real file -------------------------------------------------------------


@pytest.fixture(scope="module")
def amended():
    raw = (paths.SEEDS / "003_49a34773545545c9.txt").read_text(encoding="utf-8")
    text, diags = decode_private_use(raw, "ahc6-amended-draft")
    return raw, text, diags


def test_real_file_offset_and_unresolved(amended):
    raw, text, diags = amended
    assert infer_offset(raw) == 29
    assert len(text) == len(raw)
    # Hand-checked: three glyph ids stay unresolved (0x8b at line 1330, 0xab at 2155, 0xbc at 2949).
    unresolved = {d.line for d in diags if d.kind == "unresolved_glyph"}
    assert unresolved == {1330, 2155, 2949}


def test_real_file_hand_checked_lines(amended):
    raw, text, _ = amended
    lines = text.split("\n")
    # ASCII heading lines pass through untouched.
    assert lines[0] == "de"
    assert lines[1] == "Ad Hoc Committee to Elaborate a"
    assert lines[74] == "Article 1. Statement of purpose"
    assert lines[1706] == "Article ©ter."  # a real © in the file, not a glyph
    # Line 8: "New York, 21 August–1 September 2023" with letters lost; glyph 0xb1 is the en dash.
    assert lines[7] == "New Yrk, 21ugst–1 Septembr 202"
    # Line 194: "Côte d’Ivoire" — ô is Mac index 123 (no step), ’ is glyph 0xb6 → Mac 183 (step 1).
    assert "Cô" in lines[193] and "’Iir" in lines[193]
    # Line 211: "Türkiye"; line 3861 "référendum" (ad referendum).
    assert "Tü" in lines[210]
    assert lines[3860] == "efrédu"
    # Line 118: closing double quote after "device".
    assert lines[117] == "evce”;"


def test_mapping_high_glyphs(amended):
    raw, _, _ = amended
    m = infer_mapping(raw)
    assert m.table[0x03] == " "
    assert m.table[0x60] == "}"
    assert {g: m.table[g] for g in (0x70, 0x7B, 0x81, 0xB1, 0xB3, 0xB4, 0xB6)} == {
        0x70: "é", 0x7B: "ô", 0x81: "ü", 0xB1: "–", 0xB3: "“", 0xB4: "”", 0xB6: "’",
    }
