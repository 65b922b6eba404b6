"""Whole-corpus checks: every source line accounted for exactly once, offsets
round-trip to the source, every bracket character of the CND belongs to a
bracket row or a diagnostic, tables match the schema, builds are byte-identical."""
from __future__ import annotations

import hashlib
import re

import pandas as pd
import pytest

import treatydrafts as td
from treatydrafts import build, catalog, paths, schema

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
    build.write_table(reg, "delegations", tmp_path)
    back = build.read_table("delegations", tmp_path)
    assert back.loc[back.delegation_id == "NAM", "iso2"].item() == "NA"
    pd.testing.assert_frame_equal(back, reg)
    # and NA as a written code in positions survives as well
    pos = td.load("ahc4-cnd").positions
    build.write_table(pos, "positions", tmp_path)
    back = build.read_table("positions", tmp_path)
    assert (back.code_as_written == "NA").sum() == (pos.code_as_written == "NA").sum() > 0


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory):
    """Run the whole build twice, in fresh caches, into two temporary directories."""
    root = tmp_path_factory.mktemp("builds")
    out = []
    for name in ("a", "b"):
        td.corpus.clear_caches()
        files = build.run(root / name / "data", root / name / "figures", force=True)
        out.append((root / name, [p for p in files if str(p).startswith(str(root / name))]))
    return out


def test_two_builds_are_byte_identical(two_builds):
    (a, fa), (b, fb) = two_builds
    rel = lambda root, files: sorted(str(p.relative_to(root)) for p in files)
    assert rel(a, fa) == rel(b, fb) and fa
    for pa in fa:
        pb = b / pa.relative_to(a)
        assert pa.read_bytes() == pb.read_bytes(), f"{pa.relative_to(a)} differs between two builds"


def test_committed_data_is_fresh(two_builds):
    """Every table in data/ equals what the library produces now (else: run `make build`)."""
    (a, fa), _ = two_builds
    fresh = sorted(p for p in fa if p.suffix == ".csv")
    assert fresh
    for p in fresh:
        committed = paths.DATA / p.name
        assert committed.exists(), f"data/{p.name} missing: run `make build`"
        assert committed.read_bytes() == p.read_bytes(), f"data/{p.name} is stale: run `make build`"
    committed_tables = {p.name for p in paths.DATA.glob("*.csv")}
    produced = {p.name for p in fresh}
    assert committed_tables - produced <= {"article_lineage_reviewed.csv"}, committed_tables - produced


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_built_tables_give_the_parsed_rows(two_builds, doc_id):
    """When data/ is fresh, td.load reads the built tables instead of parsing: for every
    document and every draft table, the rows read back from a fresh build's Parquet files
    equal the parser's frames (values, dtypes, row order, column order)."""
    (a, _), _ = two_builds
    built = td.corpus.built_frames(doc_id, a / "data")
    parsed = td.corpus._parsed_frames(doc_id)
    assert set(built) == set(td.corpus.DRAFT_TABLES)
    for name in td.corpus.DRAFT_TABLES:
        pd.testing.assert_frame_equal(built[name], parsed[name], obj=f"{doc_id}.{name}")
    assert len(built["lines"]) == td.source(doc_id).n_lines > 0


def test_build_skips_unchanged_steps_and_reruns_changed_ones(two_builds, tmp_path):
    """The manifest makes a second build a no-op; deleting one output reruns only its step
    (and the data package step after it), restoring the same bytes."""
    import shutil

    (a, _), _ = two_builds
    data, figures = tmp_path / "data", tmp_path / "figures"
    shutil.copytree(a / "data", data)
    shutil.copytree(a / "figures", figures)
    manifest = build.read_manifest(data)
    assert manifest["complete"] and manifest["fingerprint"] == build.fingerprint()[0]
    assert build.is_fresh(data)
    assert build.run(data, figures) == []  # everything up to date
    victim = figures / "offence-flows.svg"
    before = victim.read_bytes()
    victim.unlink()
    assert build.is_fresh(data)  # a missing figure does not make the tables stale
    rerun = build.run(data, figures)
    assert victim.read_bytes() == before
    names = {p.name for p in rerun}
    assert "offence-flows.svg" in names and "datapackage.json" in names
    assert "coalition-network-ahc4.png" not in names and "articles.csv" not in names
    # a changed table makes data/ stale for the library until it is rebuilt
    (data / "articles.csv").write_text("changed\n", encoding="utf-8")
    assert not build.is_fresh(data)
    build.run(data, figures, only="parse and write")
    assert build.is_fresh(data)


def test_committed_manifest_matches_the_current_inputs():
    """data/build-manifest.json was written from the current sources, library and seeds
    (else: run `make build`), and every output it lists is in the repository unchanged."""
    manifest = build.read_manifest()
    assert manifest, "data/build-manifest.json missing: run `make build`"
    digest, inputs, env = build.fingerprint()
    if manifest["environment"] != env:
        # another Python or library set than requirements.lock (e.g. a conda user on 3.12): the
        # committed outputs are still checked byte for byte by test_committed_data_is_fresh
        diff = {k: (manifest["environment"].get(k), v) for k, v in env.items() if manifest["environment"].get(k) != v}
        pytest.skip(f"data/ was built with other versions (built, here): {diff}")
    changed = sorted(k for k in set(inputs) | set(manifest["inputs"]) if inputs.get(k) != manifest["inputs"].get(k))
    assert not changed, f"inputs changed since the last build: {changed[:10]}: run `make build`"
    assert manifest["complete"]
    assert build.is_fresh()


def test_sequential_and_parallel_builds_agree(two_builds, tmp_path):
    """The analysis steps give the same bytes whether they run on forked workers (the
    default, as in ``two_builds``) or one after the other (``jobs=1``)."""
    (a, files), _ = two_builds
    seq = [p for p in build.run(tmp_path / "data", tmp_path / "figures", force=True, jobs=1)
           if str(p).startswith(str(tmp_path))]  # docs/data-dictionary.md is written to docs/
    assert {p.relative_to(tmp_path) for p in seq} == {p.relative_to(a) for p in files}
    for p in seq:
        assert p.read_bytes() == (a / p.relative_to(tmp_path)).read_bytes(), f"{p.relative_to(tmp_path)} differs"
