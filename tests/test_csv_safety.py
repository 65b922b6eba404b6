"""The CSVs read right (issue 14): Namibia's ``NA``, empty text and missing counts.

Checked on the committed files in ``data/``:
- the hazard is real: plain ``pandas.read_csv`` turns Namibia's ``NA`` into a missing value;
- the pandas recipes of the README and the data dictionary (``schema.PANDAS_RECIPE``, run here as
  written) read every table right: Namibia stays ``"NA"``, the only missing values are the empty
  cells, every other value equals the Parquet copy;
- the CSV dialect: text quoted, numbers not, a missing number an empty *unquoted* cell, so a
  quote-aware reader (pyarrow, with aggressive NA settings) keeps ``NA`` and ``""`` as text;
- "not applicable" is a real missing value, never ``-1``/``0``, and only where the schema says so.
R is not installed here: the R recipes follow the documentation of ``read.csv``/``scan`` and
readr (see the data dictionary, "Reading the CSV files").
"""
from __future__ import annotations

import csv
import io

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

from treatydrafts import paths, schema, store
from treatydrafts.release import datapackage

TABLES = [t.name for t in schema.TABLES.values() if t.exported]
NAMIBIA_CODES = 7  # positions.code_as_written == "NA" (the 4th-session CND)


def csv_path(name):
    return paths.DATA / f"{name}.csv"


def test_plain_pandas_loses_namibia():
    """Why the recipes exist: the default reader makes Namibia's code a missing value."""
    naive = pd.read_csv(csv_path("delegations"))
    assert pd.isna(naive.loc[naive["delegation_id"] == "NAM", "iso2"]).all()
    naive = pd.read_csv(csv_path("positions"))
    assert (naive["code_as_written"] == "NA").sum() == 0


def run_recipe(name: str) -> dict:
    """Run ``schema.PANDAS_RECIPE`` as written, for table ``name`` instead of ``positions``."""
    code = schema.PANDAS_RECIPE.replace("positions", name).replace('"data/', f'"{paths.DATA.as_posix()}/')
    scope: dict = {}
    exec(compile(code, "PANDAS_RECIPE", "exec"), scope)  # noqa: S102 - our own documented snippet
    return scope


def test_the_documented_pandas_recipe_is_the_readme_one():
    readme = paths.ROOT.joinpath("README.md").read_text(encoding="utf-8")
    assert schema.PANDAS_RECIPE in readme and schema.R_RECIPE in readme
    dictionary = paths.DOCS.joinpath("data-dictionary.md").read_text(encoding="utf-8")
    assert schema.READING_CSV in dictionary


@pytest.mark.parametrize("name", TABLES)
def test_pandas_recipe_reads_every_table_right(name):
    """The CSV recipe gives the Parquet values, except that empty text becomes missing (the only
    missing marker is the empty cell), and the Parquet recipe gives the library's frame."""
    t = schema.TABLES[name]
    got = run_recipe(name)[name]
    exact = pd.read_parquet(paths.DATA / f"{name}.parquet")
    pd.testing.assert_frame_equal(exact, store.read_table(name), check_dtype=True)
    assert list(got.columns) == t.names and len(got) == len(exact)
    for c in t.columns:
        want, have = exact[c.name], got[c.name]
        if c.dtype == "str":
            missing = want == ""
            assert have.isna().tolist() == missing.tolist(), f"{name}.{c.name}: missing only where empty"
            if have.dtype == object:
                assert (have[~missing] == want[~missing]).all(), f"{name}.{c.name}"
            else:  # labels that all look like numbers (`cluster` 1..11): pandas still infers a number
                assert (have[~missing].astype(float) == pd.to_numeric(want[~missing])).all(), f"{name}.{c.name}"
        elif c.dtype == "bool":
            assert have.astype(bool).tolist() == want.tolist(), f"{name}.{c.name}"
        else:
            assert have.isna().tolist() == want.isna().tolist(), f"{name}.{c.name}: missing where the Parquet is null"
            np.testing.assert_allclose(have[want.notna()].astype(float), want[want.notna()].astype(float),
                                       rtol=0, atol=0, err_msg=f"{name}.{c.name}")


def test_pandas_recipe_keeps_namibia():
    dele = run_recipe("delegations")["delegations"]
    assert dele.loc[dele["delegation_id"] == "NAM", "iso2"].item() == "NA"
    pos = run_recipe("positions")["positions"]
    assert (pos["code_as_written"] == "NA").sum() == NAMIBIA_CODES
    assert pos["delegation_id"].isna().sum() == (store.read_table("positions")["delegation_id"] == "").sum() > 0


def quoting_of(path):
    """``(header, rows)`` of a CSV file with each cell as ``(text, quoted)``."""
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        cells, i = [], 0
        while i <= len(line):
            if i < len(line) and line[i] == '"':
                j, buf = i + 1, []
                while True:
                    k = line.index('"', j)
                    buf.append(line[j:k])
                    if line[k + 1:k + 2] == '"':
                        buf.append('"')
                        j = k + 2
                        continue
                    break
                cells.append(("".join(buf), True))
                i = k + 2
            else:
                k = line.find(",", i)
                k = len(line) if k < 0 else k
                cells.append((line[i:k], False))
                i = k + 1
        out.append(cells)
    return out[0], out[1:]


@pytest.mark.parametrize("name", ["delegations", "positions", "scope_measures", "bracket_density", "documents"])
def test_csv_dialect_quotes_text_and_leaves_missing_numbers_bare(name):
    """Text cells are quoted, numbers and booleans are not, a missing number is an empty unquoted
    cell (no embedded newlines in these tables, so one line is one row)."""
    t = schema.TABLES[name]
    header, rows = quoting_of(csv_path(name))
    assert [h for h, quoted in header] == t.names and all(q for _, q in header)
    exact = store.read_table(name)
    assert len(rows) == len(exact)
    for r, (_, row) in zip(rows, exact.iterrows()):
        for (text, quoted), c in zip(r, t.columns):
            if c.dtype == "str":
                assert quoted and text == row[c.name]
            elif pd.isna(row[c.name]):
                assert c.nullable and (text, quoted) == ("", False)
            else:
                assert not quoted and text != ""
    # the parser above agrees with the csv module
    assert [[x for x, _ in r] for r in rows] == list(csv.reader(io.StringIO(csv_path(name).read_text("utf-8"))))[1:]


@pytest.mark.parametrize("name", ["delegations", "positions", "scope_measures", "bracket_density"])
def test_quote_aware_reader_needs_no_options(name):
    """pyarrow told to take "", "NA" for missing everywhere except in quoted cells still keeps
    Namibia and empty text as text, and reads exactly the nullable counts as missing."""
    t = schema.TABLES[name]
    types = {"str": pa.string(), "int": pa.int64(), "float": pa.float64(), "bool": pa.bool_()}
    table = pacsv.read_csv(csv_path(name), convert_options=pacsv.ConvertOptions(
        column_types={c.name: types[c.dtype] for c in t.columns}, null_values=["", "NA"],
        strings_can_be_null=True, quoted_strings_can_be_null=False))
    got = table.to_pandas()
    exact = store.read_table(name)
    for c in t.columns:
        assert got[c.name].isna().tolist() == exact[c.name].isna().tolist(), f"{name}.{c.name}"
    if name == "delegations":
        assert got.loc[got["delegation_id"] == "NAM", "iso2"].item() == "NA"


def test_not_applicable_is_missing_not_a_code():
    sm = store.read_table("scope_measures")
    uk = sm[~sm["has_criminalization_chapter"]]
    assert len(uk) and uk[schema.TABLES["scope_measures"].nullable].isna().all().all()
    assert str(sm["n_offences"].dtype) == "Int64"
    # a naive mean no longer averages a -1 in
    assert sm["n_offences"].mean() == sm.loc[sm["has_criminalization_chapter"], "n_offences"].astype(float).mean()
    first = sm[sm["previous_doc"] == ""]
    assert first[["n_kept", "n_merged", "n_split", "n_dropped", "n_reproposed", "n_new"]].isna().all().all()
    for name in ("scope_measures", "offence_inventory", "bracket_density"):
        df = store.read_table(name)
        numeric = [c.name for c in schema.TABLES[name].columns if c.dtype in ("int", "float")]
        assert not (df[schema.TABLES[name].nullable] == -1).any().any(), name
        assert set(df.columns[df.isna().any()]) <= set(schema.TABLES[name].nullable) <= set(numeric)
    bd = store.read_table("bracket_density")
    damaged = bd["is_estimate"]
    assert bd.loc[damaged, ["n_top_level", "n_unclosed", "max_depth", "bracketed_char_share"]].isna().all().all()
    assert bd.loc[~damaged, ["n_top_level", "n_unclosed", "max_depth", "bracketed_char_share"]].notna().all().all()
    inv = store.read_table("offence_inventory")
    assert inv["n_conducts"].isna().any() and (inv.loc[inv["n_conducts"].isna(), "doc_id"] == "ahc6-amended-draft").all()


def test_validation_allows_missing_values_only_where_declared():
    sm = store.read_table("scope_measures")
    bad = sm.copy()
    bad.loc[0, "session_order"] = None
    with pytest.raises(schema.SchemaError, match="session_order"):
        schema.validate(bad, "scope_measures")
    bad = store.read_table("positions")
    bad["delegation_id"] = bad["delegation_id"].where(bad["delegation_id"] != "", None)
    with pytest.raises(schema.SchemaError, match="delegation_id"):
        schema.validate(bad, "positions")
    ok = sm.copy()
    ok["n_offences"] = ok["n_offences"].astype(object).where(ok["n_offences"].notna(), None)
    assert str(schema.validate(ok, "scope_measures")["n_offences"].dtype) == "Int64"
    frac = sm.copy()
    frac["n_offences"] = frac["n_offences"].astype(float) + 0.5
    with pytest.raises(schema.SchemaError, match="n_offences"):
        schema.validate(frac, "scope_measures")
    with pytest.raises(schema.SchemaError, match="nullable"):
        schema._table("bad", "", ("doc_id", "title"), ("doc_id",), nullable=("title",))
    assert "bad" not in schema.TABLES


def test_nullable_columns_round_trip(tmp_path):
    for name in ("scope_measures", "offence_inventory", "bracket_density"):
        df = store.read_table(name)
        store.write_table(df, name, tmp_path)
        assert csv_path(name).read_bytes() == (tmp_path / f"{name}.csv").read_bytes()
        pd.testing.assert_frame_equal(store.read_table(name, tmp_path), df)
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / f"{name}.parquet"), df)


def test_data_package_declares_the_missing_values():
    """Frictionless readers get the same rules: nothing is missing but the empty cells of the
    nullable counts and of an unresolved delegation id."""
    for t in datapackage.exported_tables():
        s = datapackage.table_schema(t)
        assert s["missingValues"] == []
        flagged = {f["name"] for f in s["fields"] if f.get("missingValues") == [""]}
        assert set(t.nullable) <= flagged
        assert all(schema.FIELDS[n].references or n in t.nullable for n in flagged)
        assert "iso2" not in flagged and "code_as_written" not in flagged
