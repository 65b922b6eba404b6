"""Another Python (or other library versions) than the lock's gets the committed tables and never
rewrites the committed manifest (issue 14).

The fingerprint covers the inputs and the environment ``requirements.lock`` declares, not the
running one; only a build in that reference environment writes ``build-manifest.json``, a build
elsewhere that has to run steps writes the git-ignored ``build-manifest.local.json``.  Another
environment is simulated by patching :func:`treatydrafts.store.environment` (the only place the
running interpreter and library versions are read).
"""
from __future__ import annotations

import shutil

import pytest

from treatydrafts import Corpus, paths, store
from treatydrafts.release import build


def other_environment(monkeypatch, **changes):
    env = {**store.environment(), "python": "3.12", **changes}
    monkeypatch.setattr(store, "environment", lambda: dict(env))
    return env


@pytest.fixture()
def committed_copy(tmp_path):
    """A copy of the committed data/, figures/ and docs/ (the build compares against the copy)."""
    if not store.is_fresh():
        pytest.skip("data/ is not current: run `make build`")
    for name, src in (("data", paths.DATA), ("figures", paths.FIGURES), ("docs", paths.DOCS)):
        shutil.copytree(src, tmp_path / name, ignore=shutil.ignore_patterns(store.LOCAL_MANIFEST))
    return tmp_path


def test_the_lock_declares_the_reference_environment():
    declared = store.declared_environment()
    assert declared["python"] != "-", "requirements.lock lacks its '# python X.Y' first line: run `make lock`"
    assert all(v != "-" for v in declared.values()), declared
    assert set(declared) == set(store.environment())


def test_fingerprint_ignores_the_running_environment_but_follows_the_lock(monkeypatch, tmp_path):
    digest = store.fingerprint()[0]
    other_environment(monkeypatch, numpy="0.0.1")
    assert not store.is_reference_environment()
    assert store.fingerprint()[0] == digest  # same inputs, same lock: same fingerprint
    lock = tmp_path / "requirements.lock"
    text = paths.LOCK.read_text(encoding="utf-8")
    lock.write_text(text.replace(f"numpy=={store.declared_environment()['numpy']}", "numpy==0.0.1"), encoding="utf-8")
    monkeypatch.setattr(paths, "LOCK", lock)
    assert store.fingerprint()[0] != digest  # a new pin is a new reference: everything rebuilds


def test_another_python_reads_the_committed_tables_and_builds_nothing(monkeypatch, committed_copy):
    root = committed_copy
    data, figures = root / "data", root / "figures"
    manifest = (data / store.MANIFEST).read_bytes()
    other_environment(monkeypatch)
    assert store.is_fresh(data) and Corpus(data_dir=data).reads_built_tables()
    assert build.run(data, figures) == []  # every step verified and skipped
    assert (data / store.MANIFEST).read_bytes() == manifest
    assert not (data / store.LOCAL_MANIFEST).exists()


def test_a_build_elsewhere_records_its_steps_out_of_git(monkeypatch, committed_copy):
    root = committed_copy
    data, figures = root / "data", root / "figures"
    manifest = (data / store.MANIFEST).read_bytes()
    env = other_environment(monkeypatch)
    (figures / "README.md").unlink()  # the gallery: its step (the last, no parsing) has to run again
    rerun = {p.name for p in build.run(data, figures)}
    assert "README.md" in rerun and "articles.csv" not in rerun
    assert (data / store.MANIFEST).read_bytes() == manifest  # the committed manifest is untouched
    local = store.read_manifest(data)
    assert local == store._load_manifest(data / store.LOCAL_MANIFEST)
    assert local["environment"] == env and local["complete"]
    assert local["declared_environment"] == store.declared_environment()
    assert store.is_fresh(data)
    assert build.run(data, figures) == []  # and the next build there goes by the local record
    # back in the reference environment: the local record is not trusted, the committed one is
    monkeypatch.undo()
    assert store.read_manifest(data) == store._load_manifest(data / store.MANIFEST)


def test_the_local_manifest_is_ignored_by_git():
    ignored = paths.ROOT.joinpath(".gitignore").read_text(encoding="utf-8").splitlines()
    assert f"data/{store.LOCAL_MANIFEST}" in ignored
