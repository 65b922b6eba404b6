"""Whole-corpus checks: every source line accounted for exactly once, offsets
round-trip to the source, every bracket character of the CND belongs to a
bracket row or a diagnostic, tables match the schema, builds are byte-identical."""
from __future__ import annotations

import hashlib
import re

import pandas as pd
import pytest

import treatydrafts
from treatydrafts import catalog, paths, schema, store

# These checks exercise the parser, not the committed data/: a corpus that always parses.
td = treatydrafts.Corpus(read_built=False)

DOC_IDS = catalog.doc_ids()


@pytest.fixture(scope="module")
def everything():
    return td.load_all()


def test_documents_catalogue():
    docs = td.documents()
    assert docs.doc_id.tolist() == ["ahc3-uk-submission", "ahc4-cnd", "expert-2023-proposal",
                                    "ahc6-chair-draft", "ahc6-amended-draft"]
    for row in docs.itertuples():
        data = (paths.SEEDS / row.file).read_bytes()
        assert hashlib.sha256(data).hexdigest() == row.sha256
        assert row.n_lines == len(data.decode("utf-8").splitlines())


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_every_line_has_exactly_one_role(doc_id):
    d = td.load(doc_id)
    n = td.source(doc_id).n_lines
    assert d.lines.line.tolist() == list(range(1, n + 1))
    assert set(d.lines.role) <= set(schema.LINE_ROLES)
    # blank role <=> blank line
    text = td.source(doc_id).text.split("\n")
    for row in d.lines.itertuples():
        assert (row.role == "blank") == (text[row.line - 1].strip() == ""), (doc_id, row.line, row.role)


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_paragraph_lines_point_back(doc_id):
    d = td.load(doc_id)
    src = td.source(doc_id)
    owned = d.lines[d.lines.paragraph_seq > 0].groupby("paragraph_seq").line.apply(list)
    for p in d.paragraphs.itertuples():
        lines = owned.get(p.paragraph_seq, [])
        assert lines, (doc_id, p.paragraph_seq)
        assert p.text == "\n".join(src.line_text(n) for n in lines)
        assert (p.start_line, p.end_line) == (lines[0], lines[-1])
        assert src.text[p.start_offset:p.end_offset].startswith(src.line_text(lines[0]))
    # every article's lines lie within its range
    for a in d.articles.itertuples():
        rows = d.lines[d.lines.article_seq == a.article_seq]
        assert rows.line.min() >= a.start_line and rows.line.max() <= a.end_line


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_bracket_offsets_round_trip(doc_id):
    d = td.load(doc_id)
    src = td.source(doc_id)
    for b in d.brackets.itertuples():
        assert src.text[b.start_offset:b.end_offset] == b.text
        assert src.line_of(b.start_offset) == b.line
        assert b.text[0] in "[{"


def test_cnd_every_bracket_character_is_accounted_for():
    d = td.load("ahc4-cnd")
    src = td.source("ahc4-cnd")
    openers = {m.start() for m in re.finditer(r"[\[{]", src.text)}
    closers = {m.start() for m in re.finditer(r"[\]}]", src.text)}
    span_openers = set(d.brackets.start_offset)
    span_closers = {e - 1 for e in d.brackets[d.brackets.is_closed].end_offset}
    assert openers == span_openers
    diag = d.diagnostics
    unmatched_lines = diag[diag.kind == "unmatched_closer"].groupby("line").size()
    leftover = sorted(closers - span_closers)
    left_lines = pd.Series([src.line_of(o) for o in leftover], dtype="int64").value_counts()
    # every closer that closes no span is reported on its line (as many times as it occurs)
    assert left_lines.sort_index().to_dict() == unmatched_lines.sort_index().to_dict()
    unclosed = d.brackets[~d.brackets.is_closed]
    assert len(unclosed) == (diag.kind == "unclosed_bracket").sum()


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_positions_point_at_what_was_written(doc_id):
    d = td.load(doc_id)
    src = td.source(doc_id)
    for p in d.positions.itertuples():
        assert src.line_of(p.offset) == p.line
        if not p.damaged:
            assert src.text[p.offset:p.offset + len(p.code_as_written)] == p.code_as_written
    assert set(d.positions.proposal_id) <= set(d.proposals.proposal_id)
    reg = set(td.delegations().delegation_id)
    assert set(d.positions.delegation_id) - {""} <= reg


def test_load_all_concatenates(everything):
    for name, df in everything.tables().items():
        assert sorted(df.doc_id.unique()) == sorted(d for d in DOC_IDS if len(td.load(d).tables()[name]))
        assert len(df) == sum(len(td.load(d).tables()[name]) for d in DOC_IDS)


def test_tables_validate_against_schema(everything):
    for name, df in everything.tables().items():
        pd.testing.assert_frame_equal(df, schema.validate(df, name))


def test_load_returns_copies():
    a = td.load("ahc4-cnd")
    a.articles.drop(a.articles.index, inplace=True)
    assert len(td.load("ahc4-cnd").articles) > 0


def test_namibia_survives_csv_round_trip(tmp_path):
    reg = td.delegations()
    store.write_table(reg, "delegations", tmp_path)
    back = store.read_table("delegations", tmp_path)
    assert back.loc[back.delegation_id == "NAM", "iso2"].item() == "NA"
    pd.testing.assert_frame_equal(back, reg)
    # and NA as a written code in positions survives as well
    pos = td.load("ahc4-cnd").positions
    store.write_table(pos, "positions", tmp_path)
    back = store.read_table("positions", tmp_path)
    assert (back.code_as_written == "NA").sum() == (pos.code_as_written == "NA").sum() > 0


def test_committed_manifest_matches_the_current_inputs():
    """data/build-manifest.json was written from the current sources, library, seeds and lock
    (else: run `make build`), by the reference environment the lock declares, and every output it
    lists is in the repository unchanged.  This holds on any Python: the fingerprint covers the
    declared environment, not the running one (another environment reads the same tables)."""
    manifest = store._load_manifest(paths.DATA / store.MANIFEST)
    assert manifest, "data/build-manifest.json missing: run `make build`"
    digest, inputs, _ = store.fingerprint()
    changed = sorted(k for k in set(inputs) | set(manifest["inputs"]) if inputs.get(k) != manifest["inputs"].get(k))
    assert not changed, f"inputs changed since the last build: {changed[:10]}: run `make build`"
    assert manifest["declared_environment"] == store.declared_environment(), "requirements.lock changed: run `make build`"
    assert manifest["fingerprint"] == digest
    assert manifest["environment"] == manifest["declared_environment"], "committed manifest not written by the reference environment"
    assert manifest["complete"]
    assert store.is_fresh()
