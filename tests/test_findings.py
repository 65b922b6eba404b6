"""Findings are computed, not typed (issue 11): the notebook summaries and the captions hold no number of
their own; every quoted number is a finding computed from the built tables, written to the `findings` table,
and checked here against an independent computation for a sample of them."""
from __future__ import annotations

import re

import pandas as pd
import pytest

from treatydrafts import paths, schema
from treatydrafts.analysis import findings
from treatydrafts.store import read_table

# Digits a template may hold outside its {fields}: fixed expressions, not findings
# ("4th session", "May 2023", "90% interval", "per 1,000 words", "resolution 1", "notebook 05").
FIXED = re.compile(r"\b\d(?:st|nd|rd|th)\b|\b20\d\d\b|1,000|\b9[05]% (?:Wilson )?interval|resolution 1\b"
                   r"|notebook 0\d")


@pytest.fixture(scope="module")
def facts():
    return findings.compute(paths.DATA)


@pytest.mark.parametrize("notebook", sorted(findings.SUMMARIES))
def test_summary_templates_type_no_numbers(notebook):
    bare = FIXED.sub("", re.sub(r"\{[a-z0-9_]+\}", "", findings.SUMMARIES[notebook]))
    assert not re.search(r"\d", bare), f"notebook {notebook}: typed number in {bare!r}"


@pytest.mark.parametrize("notebook", sorted(findings.SUMMARIES))
def test_every_summary_field_is_a_finding(notebook, facts):
    fields = set(re.findall(r"\{([a-z0-9_]+)\}", findings.SUMMARIES[notebook]))
    assert fields and fields <= set(facts), fields - set(facts)
    text = findings.summary(notebook, paths.DATA)
    assert "{" not in text and text.count("**") % 2 == 0


def test_findings_table_is_what_is_quoted(facts):
    table = read_table("findings").set_index("finding")
    assert table["quoted_value"].to_dict() == findings.values(facts), "data/findings.csv is stale: run `make build`"
    assert set(table["source_tables"].str.split().explode()) <= set(schema.TABLES)


def test_findings_against_an_independent_computation(facts):
    counts = read_table("corpus_counts").set_index("doc_id")
    assert facts["cnd_n_proposals"].value == f"{counts.loc['ahc4-cnd', 'n_proposals']:,}"
    assert facts["corpus_n_lines"].value == f"{counts['n_lines'].sum():,}"
    density = read_table("bracket_density")
    g = density[(density["doc_id"] == "ahc4-cnd") & (density["n_delegations"] > 0)]
    rho = g["n_delegations"].rank().corr(g["n_brackets"].rank())  # Spearman = Pearson on ranks
    assert facts["cnd_rho_brackets"].value == f"{rho:.2f}"
    m = read_table("scope_measures")
    m = m[(m["series"] == "negotiating")].set_index("doc_id")
    assert facts["chair_n_dropped"].value == str(int(m.loc["ahc6-chair-draft", "n_dropped"]))


def test_a_study_without_its_tables_is_left_out(tmp_path):
    """Facts need their tables: a data folder holding only some tables yields only those studies' facts."""
    for name in ("corpus_counts", "lines", "diagnostics"):
        for ext in ("csv",):
            (tmp_path / f"{name}.{ext}").write_bytes((paths.DATA / f"{name}.{ext}").read_bytes())
    got = findings.compute(tmp_path)
    assert "corpus_n_lines" in got and "cnd_rho_brackets" not in got


def test_contest_correlation_on_a_known_case():
    d = pd.DataFrame({"doc_id": ["x"] * 4, "n_delegations": [1, 2, 3, 4], "n_brackets": [2, 4, 6, 8],
                      "brackets_per_1000_words": [4.0, 3.0, 2.0, 1.0]})
    out = findings.contest_correlation(d, docs=("x",)).iloc[0]
    assert out["rho_brackets"] == pytest.approx(1.0) and out["rho_density"] == pytest.approx(-1.0)
    assert out["n_articles"] == 4
