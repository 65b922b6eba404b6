"""The build, run once for this module: into a temporary folder, one step after the other
(``jobs=1``), in fresh caches.

What is checked against what:
- every file it writes equals, byte for byte, the file committed at the same place in
  ``data/``, ``figures/`` and ``docs/`` (the manifest aside).  The committed files were
  written by ``make build`` in another process, with other hash seeds and with the analyses
  on two forked workers, so this one comparison shows that the build is deterministic across
  processes, that sequential and parallel builds agree, and that the committed outputs are
  current (else: run ``make build``);
- the built Parquet tables read back give exactly the parser's frames (what ``td.load``
  relies on when ``data/`` is fresh);
- the incremental build skips unchanged steps and reruns exactly those whose outputs changed;
- ``density.from_tables`` rebuilds the density result field by field.
"""
from __future__ import annotations

import dataclasses
import shutil

import pandas as pd
import pytest

from treatydrafts import Corpus, catalog, corpus, paths, store
from treatydrafts.analysis import density as D
from treatydrafts.release import build

pytestmark = pytest.mark.slow  # a full build (about a minute)

DOC_IDS = catalog.doc_ids()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """``(root, written files)`` of one full build into ``root/{data,figures,docs}``."""
    root = tmp_path_factory.mktemp("build")
    corpus.clear_caches()
    files = build.run(root / "data", root / "figures", force=True, jobs=1)
    return root, files


def test_build_writes_only_into_its_own_folders(built):
    root, files = built
    assert files and all(root in p.resolve().parents for p in files)
    assert (root / "docs" / "data-dictionary.md").exists()  # not into the repository's docs/


def test_build_equals_the_committed_outputs(built):
    root, files = built
    repo = {"data": paths.DATA, "figures": paths.FIGURES, "docs": paths.DOCS}
    compared = 0
    for p in files:
        rel = p.relative_to(root)
        if rel.name == store.MANIFEST:
            continue
        committed = repo[rel.parts[0]].joinpath(*rel.parts[1:])
        assert committed.exists(), f"{rel} is not committed: run `make build`"
        assert committed.read_bytes() == p.read_bytes(), f"{rel} differs from the committed file: run `make build`"
        compared += 1
    assert compared > 100
    committed_tables = {p.name for p in paths.DATA.glob("*.csv")}
    produced = {p.name for p in files if p.suffix == ".csv"}
    assert committed_tables - produced <= set(store.DATA_INPUTS), committed_tables - produced


@pytest.mark.parametrize("doc_id", DOC_IDS)
def test_built_tables_give_the_parsed_rows(built, doc_id):
    """When data/ is fresh, ``td.load`` reads the built tables instead of parsing: for every
    document and every draft table, the rows read back from the build's Parquet files equal the
    parser's frames (values, dtypes, row order, column order)."""
    root, _ = built
    got = corpus.built_frames(doc_id, root / "data")
    parsed = corpus._parsed_frames(doc_id)
    assert set(got) == set(corpus.DRAFT_TABLES)
    for name in corpus.DRAFT_TABLES:
        pd.testing.assert_frame_equal(got[name], parsed[name], obj=f"{doc_id}.{name}")
    assert len(got["lines"]) == corpus.source(doc_id).n_lines > 0


def test_build_skips_unchanged_steps_and_reruns_changed_ones(built, tmp_path):
    """The manifest makes a second build a no-op; deleting one output reruns only its step
    (and the data package step after it), restoring the same bytes."""
    root, _ = built
    data, figures = tmp_path / "data", tmp_path / "figures"
    shutil.copytree(root / "data", data)
    shutil.copytree(root / "figures", figures)
    shutil.copytree(root / "docs", tmp_path / "docs")
    manifest = store.read_manifest(data)
    assert manifest["complete"] and manifest["fingerprint"] == store.fingerprint()[0]
    assert store.is_fresh(data)
    assert build.run(data, figures) == []  # everything up to date
    victim = figures / "offence-flows.svg"
    before = victim.read_bytes()
    victim.unlink()
    assert store.is_fresh(data)  # a missing figure does not make the tables stale
    rerun = build.run(data, figures)
    assert victim.read_bytes() == before
    names = {p.name for p in rerun}
    assert "offence-flows.svg" in names and "datapackage.json" in names
    assert "coalition-network-ahc4.png" not in names and "articles.csv" not in names
    # a changed table makes data/ stale for the library until it is rebuilt
    (data / "articles.csv").write_text("changed\n", encoding="utf-8")
    assert not store.is_fresh(data)
    assert not Corpus(data_dir=data).reads_built_tables()
    build.run(data, figures, only="parse and write")
    assert store.is_fresh(data) and Corpus(data_dir=data).reads_built_tables()
    assert not Corpus(read_built=False, data_dir=data).reads_built_tables()


def test_density_from_tables_equals_compute(built):
    """``from_tables`` rebuilds every field of ``Density`` from the written tables exactly as ``compute()``
    returns it: each DataFrame field (bracket_density, bracket_survival, drafts, alignment) equal in values,
    dtypes, column order and row order (``assert_frame_equal``), the ``rates`` dict equal key by key (the
    survival counts of ``[`` and ``]`` and the character survival, recomputed from ``bracket_survival``).
    Fields are taken from the dataclass, so a field added to ``Density`` but not rebuilt fails here."""
    root, _ = built
    data_dir = root / "data"
    computed = D.compute(corpus=Corpus(read_built=False))
    rebuilt = D.from_tables(data_dir)
    for f in dataclasses.fields(D.Density):
        got, want = getattr(rebuilt, f.name), getattr(computed, f.name)
        if isinstance(want, pd.DataFrame):
            assert len(want), f.name  # not a vacuous comparison of two empty frames
            pd.testing.assert_frame_equal(got, want, obj=f"Density.{f.name}")
        else:
            assert got == want, f.name
    assert computed.rates["]"][1] > 0  # the damaged draft was measured, so rates are not the defaults


def test_density_from_tables_reads_the_tables_it_is_given(built, tmp_path):
    """A changed table in the data directory shows up in ``from_tables`` (it does not recompute)."""
    root, _ = built
    data_dir = root / "data"
    computed = D.from_tables(data_dir)
    for p in data_dir.glob("*.csv"):
        shutil.copy(p, tmp_path / p.name)
    survival = store.read_table("bracket_survival", tmp_path)
    survival.loc[survival["is_unamended"] & (survival["char"] == "]"), "survived"] = False
    store.write_table(survival, "bracket_survival", tmp_path)
    rebuilt = D.from_tables(tmp_path)
    assert rebuilt.rates["]"] == (0, computed.rates["]"][1])
    pd.testing.assert_frame_equal(rebuilt.alignment, computed.alignment)


def test_density_result_reads_tables_only_when_the_corpus_does(built, monkeypatch):
    """``result(corpus)`` returns ``from_tables(corpus.data_dir)`` when the corpus reads its built
    tables (fresh and ``read_built``), else ``compute(corpus=corpus)``."""
    root, _ = built
    calls = []
    monkeypatch.setattr(D, "from_tables", lambda data_dir=None: calls.append(("tables", data_dir)) or "tables")
    monkeypatch.setattr(D, "compute", lambda corpus=None: calls.append(("compute", corpus)) or "computed")
    fresh = Corpus(data_dir=root / "data")
    assert D.result(fresh) == "tables"
    parsing = Corpus(read_built=False, data_dir=root / "data")
    assert D.result(parsing) == "computed"
    assert calls == [("tables", root / "data"), ("compute", parsing)]
