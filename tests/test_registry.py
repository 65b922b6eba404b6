"""Tests for the delegation registry (resources + treatydrafts.registry)."""
from __future__ import annotations

import re

import pandas as pd
import pytest

from treatydrafts import paths
from treatydrafts.parse import registry

SEED_000 = paths.SEEDS / "000_e2bc6bdea9b64fcc.txt"

# A code inside a sponsor tail: after "[", ":", "–", "-", ",", ";" or "(" (optionally
# a space and a footnote "*"), before ",", "]", ";", ")" or "–".
#   "[and without right: EU, * NZ, LI]" → EU, NZ, LI;  "[delete par. – A, B; retain – C]"
TAIL_CODE = re.compile(
    r"(?:(?<=[\[:–,;(\-])|(?<=[\[:–,;(\-] )|(?<=[\[:–,;(\-] \*)|(?<=[\[:–,;(\-] \* ))"
    r"([A-Z]{2})\*?(?=\s*[,\];)–])"
)

UN_GROUPS = {
    "African",
    "Asia-Pacific",
    "Eastern European",
    "Latin American and Caribbean",
    "Western European and Others",
}


@pytest.fixture(scope="module")
def delegations() -> pd.DataFrame:
    return registry.load_delegations()


@pytest.fixture(scope="module")
def aliases() -> pd.DataFrame:
    return registry.load_aliases()


@pytest.fixture(scope="module")
def seed_lines() -> list[str]:
    return SEED_000.read_text(encoding="utf-8").split("\n")


def tail_codes(lines: list[str]) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for number, line in enumerate(lines, 1):
        for match in TAIL_CODE.finditer(line):
            found.setdefault(match.group(1), []).append(number)
    return found


# ------------------------------------------------------------------ delegations


def test_columns_and_dtypes(delegations):
    assert tuple(delegations.columns) == registry.DELEGATION_COLUMNS
    assert all(delegations[c].map(type).eq(str).all() for c in delegations.columns)
    assert list(delegations["delegation_id"]) == sorted(delegations["delegation_id"])


def test_member_and_observer_counts(delegations):
    kinds = delegations["kind"].value_counts().to_dict()
    assert kinds == {"state": 193, "observer state": 2, "regional organization": 2}
    observers = set(delegations.loc[delegations["kind"] == "observer state", "delegation_id"])
    assert observers == {"VAT", "PSE"}
    orgs = delegations.loc[delegations["kind"] == "regional organization"]
    assert set(orgs["delegation_id"]) == {"EU", "CARICOM"}
    assert (orgs[["iso2", "iso3", "un_regional_group"]] == "").all().all()


def test_states_have_unique_wellformed_iso_codes(delegations):
    states = delegations[delegations["kind"] != "regional organization"]
    assert states["iso2"].str.fullmatch(r"[A-Z]{2}").all()
    assert states["iso3"].str.fullmatch(r"[A-Z]{3}").all()
    assert states["iso2"].is_unique and states["iso3"].is_unique and states["name"].is_unique
    assert (states["delegation_id"] == states["iso3"]).all()


def test_regional_groups(delegations):
    members = delegations[delegations["kind"] == "state"]
    assert set(members["un_regional_group"]) == UN_GROUPS
    sizes = members["un_regional_group"].value_counts().to_dict()
    assert sizes == {
        "African": 54,
        "Asia-Pacific": 54,  # incl. Kiribati (since 2010) and Cyprus
        "Eastern European": 23,
        "Latin American and Caribbean": 33,
        "Western European and Others": 29,  # 28 members + the United States
    }
    group = dict(zip(delegations["delegation_id"], delegations["un_regional_group"]))
    assert group["USA"] == group["TUR"] == group["ISR"] == "Western European and Others"
    assert group["KIR"] == "Asia-Pacific"
    note = dict(zip(delegations["delegation_id"], delegations["notes"]))
    assert "observer" in note["USA"] and "WEOG" in note["TUR"]
    assert note["VAT"] and note["PSE"]


@pytest.mark.parametrize(
    "iso3, name",
    [
        ("KOR", "Republic of Korea"),
        ("VNM", "Viet Nam"),
        ("TUR", "Türkiye"),
        ("CIV", "Côte d'Ivoire"),
        ("GBR", "United Kingdom of Great Britain and Northern Ireland"),
        ("IRN", "Iran (Islamic Republic of)"),
        ("BOL", "Bolivia (Plurinational State of)"),
        ("VEN", "Venezuela (Bolivarian Republic of)"),
        ("TZA", "United Republic of Tanzania"),
        ("PRK", "Democratic People's Republic of Korea"),
        ("LAO", "Lao People's Democratic Republic"),
        ("FSM", "Micronesia (Federated States of)"),
        ("NLD", "Netherlands (Kingdom of the)"),
        ("NAM", "Namibia"),
        ("VAT", "Holy See"),
        ("PSE", "State of Palestine"),
    ],
)
def test_un_short_names(delegations, iso3, name):
    row = delegations.set_index("delegation_id").loc[iso3]
    assert row["name"] == name


# ------------------------------------------------------------------ NA (Namibia)


def test_namibia_na_survives_library_round_trip(delegations, tmp_path):
    assert delegations.set_index("delegation_id").loc["NAM", "iso2"] == "NA"
    out = tmp_path / "delegations.csv"
    delegations.to_csv(out, index=False)
    again = registry.read_registry_csv(out)
    assert again.set_index("delegation_id").loc["NAM", "iso2"] == "NA"
    assert again.equals(delegations)
    assert registry.resolve_code("NA").delegation_id == "NAM"


def test_careless_read_csv_loses_namibia():
    # Why the library insists on keep_default_na=False: pandas' default NA
    # sentinels include the string "NA", so Namibia's code becomes NaN.
    careless = pd.read_csv(paths.REGISTRY)
    assert pd.isna(careless.set_index("delegation_id").loc["NAM", "iso2"])
    careless_aliases = pd.read_csv(paths.ALIASES)
    assert careless_aliases["alias"].isna().any()


def test_raw_file_holds_literal_na():
    text = paths.REGISTRY.read_text(encoding="utf-8")
    assert "\nNAM,Namibia,NA,NAM," in text


# ------------------------------------------------------------------ aliases


def test_alias_table_shape(aliases, delegations):
    assert tuple(aliases.columns) == registry.ALIAS_COLUMNS
    assert set(aliases["alias_kind"]) == {"code", "name"}
    codes = aliases[aliases["alias_kind"] == "code"]
    assert codes["alias"].is_unique
    known = set(delegations["delegation_id"])
    resolved = aliases[aliases["delegation_id"] != ""]
    assert set(resolved["delegation_id"]) <= known
    assert set(aliases["resolution"]) <= {"exact", "alias", "flagged", "doubtful", "not_a_code"}
    unresolved = aliases[aliases["delegation_id"] == ""]
    assert set(unresolved["resolution"]) <= {"doubtful", "not_a_code"}


def test_every_state_iso2_has_a_code_row(aliases, delegations):
    codes = aliases[aliases["alias_kind"] == "code"].set_index("alias")
    states = delegations[delegations["iso2"] != ""]
    for row in states.itertuples(index=False):
        assert row.iso2 in codes.index, row.iso2
        if row.iso2 != "JM":  # JM speaks for CARICOM in ahc4-cnd (footnote, line 72)
            assert codes.loc[row.iso2, "delegation_id"] == row.delegation_id


def test_every_state_name_has_an_exact_name_row(aliases, delegations):
    names = aliases[(aliases["alias_kind"] == "name") & (aliases["resolution"] == "exact")]
    assert dict(zip(names["alias"], names["delegation_id"])) == dict(
        zip(delegations["name"], delegations["delegation_id"])
    )


def test_name_forms_do_not_collide(aliases):
    names = aliases[aliases["alias_kind"] == "name"]
    folded = names.assign(key=names["alias"].map(registry.normalize_name))
    per_key = folded.groupby("key")["delegation_id"].nunique()
    assert (per_key == 1).all(), per_key[per_key > 1]


# ------------------------------------------------------------------ resolve_code


@pytest.mark.parametrize(
    "code, delegation_id, resolution",
    [
        ("UK", "GBR", "alias"),
        ("EU", "EU", "alias"),
        ("HS", "VAT", "alias"),
        ("JM", "CARICOM", "alias"),
        ("PS", "PSE", "exact"),
        ("PL", "POL", "flagged"),
        ("AT", "AUT", "flagged"),
        ("NA", "NAM", "exact"),
        ("NE", "NER", "exact"),
        ("NG", "NGA", "exact"),
        ("US", "USA", "exact"),
        ("GB", "GBR", "exact"),
        ("MO", "", "doubtful"),
        ("IO", "", "doubtful"),
        ("e", "", "doubtful"),
        ("II", "", "not_a_code"),
        ("OP", "", "not_a_code"),
        ("XX", "", "unknown"),
        ("es", "", "unknown"),
    ],
)
def test_resolve_code(code, delegation_id, resolution):
    got = registry.resolve_code(code)
    assert (got.delegation_id, got.resolution) == (delegation_id, resolution)


def test_resolve_code_is_case_sensitive():
    assert registry.resolve_code("e").delegation_id == ""
    assert registry.resolve_code("ES").delegation_id == "ESP"
    assert registry.resolve_code("uk").resolution == "unknown"


def test_resolve_code_strips_asterisk_and_space():
    got = registry.resolve_code("JM*")
    assert got.code == "JM" and got.delegation_id == "CARICOM"
    assert "asterisk" in got.note
    assert registry.resolve_code(" * NZ").delegation_id == "NZL"
    assert "asterisk" not in registry.resolve_code("JM").note


def test_doubtful_codes_name_their_candidate(aliases):
    codes = aliases[aliases["alias_kind"] == "code"].set_index("alias")
    assert "MAR" in codes.loc["MO", "note"] and "Macao" in codes.loc["MO", "note"]
    assert "426" in codes.loc["IO", "note"]
    assert "120" in codes.loc["e", "note"]
    doubtful = aliases[aliases["resolution"] == "doubtful"]
    assert set(doubtful["alias"]) == {"MO", "IO", "e"}
    assert (doubtful["delegation_id"] == "").all()
    assert (doubtful["note"] != "").all()


# ------------------------------------------------------------------ the 000 source


def test_every_tail_code_in_000_has_an_alias_row(seed_lines):
    found = tail_codes(seed_lines)
    assert len(found) >= 70  # ~71 distinct codes
    codes = set(registry.load_aliases().query("alias_kind == 'code'")["alias"])
    assert set(found) - codes == set()
    for code in found:
        assert registry.resolve_code(code).resolution in {"exact", "alias", "flagged", "doubtful"}, code


def test_000_claims_about_doubtful_codes(seed_lines):
    found = tail_codes(seed_lines)
    assert found["IO"] == [426]
    assert found["MO"] == [631, 637]
    assert found["AT"] == [130, 132]
    assert len(found["PL"]) == 8
    # the stray lower-case "e" sits in a code list on line 120
    assert re.search(r"LI, e, SN", seed_lines[119])
    # the footnote giving JM and EU their meaning
    assert seed_lines[71].startswith("* JM: On behalf of the Caribbean Community")
    # II and OP occur, but not as sponsor codes
    assert "II" not in found and "OP" not in found
    assert "Chapter II" in seed_lines[58] and "CRC OP2" in seed_lines[251]


# ------------------------------------------------------------------ resolve_name


@pytest.mark.parametrize(
    "name, delegation_id",
    [
        ("Niger", "NER"),
        ("Nigeria", "NGA"),
        ("Dominica", "DMA"),
        ("Dominican Republic", "DOM"),
        ("Sudan", "SDN"),
        ("South Sudan", "SSD"),
        ("Guinea", "GIN"),
        ("Guinea-Bissau", "GNB"),
        ("Equatorial Guinea", "GNQ"),
        ("Papua New Guinea", "PNG"),
        ("Congo", "COG"),
        ("Democratic Republic of the Congo", "COD"),
        ("Rep. of Korea", "KOR"),
        ("Republic of Korea", "KOR"),
        ("DPRK", "PRK"),
        ("Viet Nam", "VNM"),
        ("Türkiye", "TUR"),
        ("Turkey", "TUR"),
        ("Cote d'Ivoire", "CIV"),
        ("CÔTE D’IVOIRE", "CIV"),
        ("UK", "GBR"),
        ("United Kingdom", "GBR"),
        ("United States", "USA"),
        ("Russia", "RUS"),
        ("Iran", "IRN"),
        ("Syria", "SYR"),
        ("Tanzania", "TZA"),
        ("EU and its member States", "EU"),
        ("EU & its mS", "EU"),
        ("European Union", "EU"),
        ("CARICOM", "CARICOM"),
        ("Holy See", "VAT"),
        ("Palestine", "PSE"),
        ("Lao PDR", "LAO"),
        ("Micronesia", "FSM"),
        ("Netherlands", "NLD"),
        ("Sao Tome and Principe", "STP"),
        ("São Tomé and Príncipe", "STP"),
        ("Republic of Moldova", "MDA"),
        ("North Macedonia", "MKD"),
        ("Saudi Arabia", "SAU"),
    ],
)
def test_resolve_name(name, delegation_id):
    assert registry.resolve_name(name).delegation_id == delegation_id


def test_resolve_name_resolution_kinds():
    assert registry.resolve_name("Viet Nam").resolution == "exact"
    assert registry.resolve_name("Vietnam").resolution == "alias"
    unknown = registry.resolve_name("Korea")  # ambiguous: deliberately not a name form
    assert (unknown.delegation_id, unknown.resolution) == ("", "unknown")


def test_confusable_names_resolve_distinctly():
    groups = [
        ["Niger", "Nigeria"],
        ["Dominica", "Dominican Republic"],
        ["Sudan", "South Sudan"],
        ["Guinea", "Guinea-Bissau", "Equatorial Guinea", "Papua New Guinea"],
        ["Congo", "Democratic Republic of the Congo"],
    ]
    for group in groups:
        ids = [registry.resolve_name(n).delegation_id for n in group]
        assert "" not in ids and len(set(ids)) == len(ids), group


def test_name_forms(delegations):
    forms = registry.name_forms()
    assert forms["EU & its mS"] == "EU"
    assert forms["Rep. of Korea"] == "KOR"
    assert set(delegations["name"]) <= set(forms)
    assert set(forms.values()) <= set(delegations["delegation_id"])


def test_loaders_return_copies():
    first = registry.load_delegations()
    first.loc[0, "name"] = "changed"
    assert registry.load_delegations().loc[0, "name"] != "changed"


def test_normalize_name():
    assert registry.normalize_name("Côte d’Ivoire") == "cote d ivoire"
    assert registry.normalize_name("EU & its mS") == "eu and its ms"
    assert registry.normalize_name("  Rep.  of Korea ") == "rep of korea"
