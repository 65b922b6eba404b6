"""Hardening (issue 13): what a careless or hostile user can do to the build and the API.

Each test here failed before the change it guards (see docs/reliability.md):
- atomic writes: every output goes through a temporary file in its own folder and a rename,
  and a failed write (read-only folder, full disk) leaves the previous bytes, no 0-byte
  file, no temporary file, and a typed error naming the path;
- the build never writes through a symlink or outside its output folders, and refuses
  before writing anything;
- two builds in one tree queue on a lock (or the second stops with a clear message);
- ``figures/plotly.min.js`` is in the manifest, so a deleted or edited copy is rewritten;
- the smaller points: ``Draft.source_line`` bounds and external drafts, the amended-draft
  diagnostic, UTF-16 without BOM, a deleted seed, ``--data-dir`` elsewhere, the exports.

Kills and signals (workers dying with their parent, an interrupted build) are in
``tests/test_interrupt.py``.  No test here asserts a wall-clock time.
"""
from __future__ import annotations

import builtins
import errno
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

import treatydrafts as td  # noqa: E402
from treatydrafts import catalog, corpus, errors, paths, schema, store  # noqa: E402
from treatydrafts.parse import clean  # noqa: E402
from treatydrafts.release import build, cli, datapackage, gallery, steps  # noqa: E402

LOCK_NAME = ".treatydrafts-build.lock"  # the documented lock file, in every output folder


def small_documents() -> pd.DataFrame:
    """The real ``documents`` table (five rows): a valid table to write."""
    return td.Corpus(read_built=False).documents()


def temporaries(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if p.name.startswith(".") and p.name != LOCK_NAME]


# ---------------------------------------------------------------- item 3: atomic writes


def test_every_writer_renames_a_temporary_file_into_place(tmp_path, monkeypatch):
    """Tables (CSV + Parquet), manifest, figures (PNG/SVG/PDF), HTML views, plotly.min.js,
    gallery, data package and data dictionary: each lands by ``os.replace`` from a temporary
    file in the same folder (so a reader or a kill never sees a partial file)."""
    import plotly.graph_objects as go

    from treatydrafts.plots import style

    renamed: dict[Path, Path] = {}
    real_replace = os.replace

    def spy(src, dst, *a, **k):
        renamed[Path(dst)] = Path(src)
        return real_replace(src, dst, *a, **k)

    monkeypatch.setattr(os, "replace", spy)
    data, figs, docs = tmp_path / "data", tmp_path / "figures", tmp_path / "docs"
    out = store.write_table(small_documents(), "documents", data)
    out.append(store.write_manifest(data, "0" * 64, {}, {}, {}, complete=False))
    fig, ax = style.figure()
    ax.plot([0, 1], [0, 1])
    out += style.save_figure(fig, "corpus-overview-counts", ["ahc4-cnd"], figs)
    out.append(style.save_html(go.Figure(go.Scatter(x=[0, 1], y=[1, 0])), figs / "corpus-overview-counts.html", div_id="view"))
    out.append(figs / "plotly.min.js")
    out.append(datapackage.write_package(data))
    out.append(gallery.write_gallery(figs, paths.DATA))
    out += steps.data_dictionary(steps.Context(data, figs, docs))
    assert len(out) == 11
    for p in out:
        assert p in renamed, f"{p.name} was written in place, not renamed into place"
        assert renamed[p].parent == p.parent and renamed[p] != p
        assert p.is_file() and p.stat().st_size > 0
    for folder in (data, figs, docs):
        assert temporaries(folder) == []


def _full_disk(monkeypatch, under: Path):
    """Files opened for writing below ``under`` are created (or truncated) but every write
    fails with ENOSPC, as on a full disk."""
    real_open = builtins.open

    class Full:
        def __init__(self, fh):
            self._fh = fh

        def write(self, *_):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

        writelines = write

        def __getattr__(self, name):
            return getattr(self._fh, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self._fh.close()

        def __iter__(self):
            return iter(self._fh)

    def full_open(file, mode="r", *args, **kwargs):
        fh = real_open(file, mode, *args, **kwargs)
        if isinstance(file, (str, os.PathLike)) and any(c in mode for c in "wax+") \
                and str(under) in os.fspath(file):
            return Full(fh)
        return fh

    monkeypatch.setattr(builtins, "open", full_open)
    monkeypatch.setattr(io, "open", full_open)


def test_full_disk_gives_a_typed_error_and_keeps_the_previous_table(tmp_path, monkeypatch):
    df = small_documents()
    store.write_table(df, "documents", tmp_path)
    before = (tmp_path / "documents.csv").read_bytes()
    _full_disk(monkeypatch, tmp_path)
    with pytest.raises(td.TreatyDraftsError, match=r"documents\.csv.*No space left") as exc:
        store.write_table(df.iloc[:2], "documents", tmp_path)
    assert isinstance(exc.value, OSError) and exc.value.errno == errno.ENOSPC
    assert (tmp_path / "documents.csv").read_bytes() == before  # not truncated, not half-written
    assert temporaries(tmp_path) == []


def test_full_disk_during_a_build_is_one_line_and_leaves_no_empty_file(tmp_path, monkeypatch, capsys):
    """``treatydrafts build`` on a full disk: exit status 2, one ``treatydrafts: error:`` line naming
    the file, no traceback, no 0-byte data dictionary."""
    _full_disk(monkeypatch, tmp_path)
    rc = cli.main(["build", "--data-dir", str(tmp_path / "data"), "--only", "data dictionary"])
    err = capsys.readouterr().err
    assert rc == 1  # errors exit 1 (release.cli)
    assert "data-dictionary.md" in err and "No space left on device" in err
    assert not (tmp_path / "docs" / "data-dictionary.md").exists()
    assert temporaries(tmp_path / "docs") == []


def _unprivileged(fn) -> tuple[str, str]:
    """Run ``fn()`` where a read-only folder is read-only: directly, or as root in a forked child
    that drops to ``nobody`` (root ignores file modes).  Returns (exception class, message)."""
    if os.geteuid() != 0:
        try:
            fn()
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            return type(exc).__name__ + ("/TreatyDraftsError" if isinstance(exc, td.TreatyDraftsError) else ""), str(exc)
        return "", ""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.close(r)
        try:
            os.setgid(65534)
            os.setuid(65534)
            try:
                fn()
                msg = ["", ""]
            except BaseException as exc:  # noqa: BLE001
                kind = type(exc).__name__ + ("/TreatyDraftsError" if isinstance(exc, td.TreatyDraftsError) else "")
                msg = [kind, str(exc)]
            os.write(w, json.dumps(msg).encode())
        finally:
            os._exit(0)
    os.close(w)
    with os.fdopen(r, "rb") as fh:
        data = fh.read()
    os.waitpid(pid, 0)
    return tuple(json.loads(data.decode()))


def test_read_only_folder_gives_a_typed_error_and_no_file(tmp_path):
    df = small_documents()
    store.write_table(df, "documents", tmp_path / "warm")  # lazy imports done before dropping privileges
    base = Path(tempfile.mkdtemp(prefix="td-ro-"))
    try:
        base.chmod(0o755)
        ro = base / "data"
        ro.mkdir()
        ro.chmod(0o555)
        kind, msg = _unprivileged(lambda: store.write_table(df, "documents", ro))
        assert kind.endswith("/TreatyDraftsError"), (kind, msg)
        assert "documents.csv" in msg and "Permission denied" in msg
        assert list(ro.iterdir()) == []  # no 0-byte file, no temporary file
    finally:
        (base / "data").chmod(0o755)
        shutil.rmtree(base)


# ---------------------------------------------------------------- item 4: symlinks, outside the folders


def _output_tree(tmp_path: Path) -> tuple[Path, Path, Path, Path]:
    data, figs, docs = tmp_path / "data", tmp_path / "figures", tmp_path / "docs"
    for d in (data, figs, docs):
        d.mkdir()
    outside = tmp_path / "outside.txt"
    outside.write_text("precious\n", encoding="utf-8")
    return data, figs, docs, outside


def test_build_refuses_a_symlinked_table_before_writing_anything(tmp_path):
    data, figs, docs, outside = _output_tree(tmp_path)
    (data / "documents.csv").symlink_to(outside)
    with pytest.raises(td.TreatyDraftsError, match=r"documents\.csv.*symlink"):
        build.run(data, figs, only="parse and write", docs_dir=docs, jobs=1)
    assert outside.read_text(encoding="utf-8") == "precious\n"
    assert [p.name for p in data.iterdir()] == ["documents.csv"]  # refused before writing anything
    assert list(figs.iterdir()) == [] and list(docs.iterdir()) == []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs")
def test_build_refuses_an_output_that_is_not_a_regular_file(tmp_path):
    """A FIFO (or device) planted as an output or as the manifest is refused, never opened (opening a
    FIFO would block the build)."""
    data, figs, docs, _ = _output_tree(tmp_path)
    os.mkfifo(data / "documents.csv")
    with pytest.raises(td.TreatyDraftsError, match=r"documents\.csv.*not a regular file"):
        build.run(data, figs, only="data dictionary", docs_dir=docs, jobs=1)
    (data / "documents.csv").unlink()
    os.mkfifo(data / "build-manifest.json")
    with pytest.raises(td.TreatyDraftsError, match=r"build-manifest\.json.*not a regular file"):
        build.run(data, figs, only="data dictionary", docs_dir=docs, jobs=1)
    assert store.read_manifest(data) == {} and not store.is_fresh(data)


def test_build_refuses_a_symlinked_output_folder(tmp_path):
    data, figs, docs, _ = _output_tree(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    docs.rmdir()
    docs.symlink_to(elsewhere, target_is_directory=True)
    with pytest.raises(td.TreatyDraftsError, match=r"docs.*symlink"):
        build.run(data, figs, only="data dictionary", docs_dir=docs, jobs=1)
    assert list(elsewhere.iterdir()) == [] and list(data.iterdir()) == []


def test_write_table_never_writes_through_a_symlink(tmp_path):
    outside = tmp_path / "outside.csv"
    outside.write_text("precious\n", encoding="utf-8")
    data = tmp_path / "data"
    data.mkdir()
    (data / "documents.csv").symlink_to(outside)
    with pytest.raises(td.TreatyDraftsError, match=r"documents\.csv.*symlink"):
        store.write_table(small_documents(), "documents", data)
    assert outside.read_text(encoding="utf-8") == "precious\n"


def test_cli_refuses_a_symlink_with_one_line(tmp_path, capsys):
    data, figs, docs, outside = _output_tree(tmp_path)
    (data / "build-manifest.json").symlink_to(outside)
    rc = cli.main(["build", "--data-dir", str(data), "--figures-dir", str(figs), "--only", "data dictionary"])
    err = capsys.readouterr().err.strip().splitlines()
    assert rc == 1 and err[-1].startswith("treatydrafts: error:") and "build-manifest.json" in err[-1]
    assert outside.read_text(encoding="utf-8") == "precious\n"


# ---------------------------------------------------------------- item 3: the lock


HOLD_LOCK = textwrap.dedent("""
    import fcntl, os, sys
    fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(fd, fcntl.LOCK_EX)
    print("locked", flush=True)
    sys.stdin.readline()
""")


@pytest.fixture
def lock_holder(tmp_path):
    """A process holding the build lock of ``tmp_path/data`` until its stdin is closed."""
    data = tmp_path / "data"
    data.mkdir()
    p = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(data / LOCK_NAME)], stdin=subprocess.PIPE,
                         stdout=subprocess.PIPE, text=True)
    assert p.stdout.readline().strip() == "locked"
    yield p
    p.stdin.close()
    p.wait(timeout=30)


def test_second_build_stops_with_a_clear_message_when_told_not_to_wait(tmp_path, lock_holder):
    with pytest.raises(td.TreatyDraftsError, match=r"another build .*\.treatydrafts-build\.lock"):
        build.run(tmp_path / "data", tmp_path / "figures", only="data dictionary", docs_dir=tmp_path / "docs",
                  jobs=1, lock_timeout=0)
    assert not (tmp_path / "docs" / "data-dictionary.md").exists()


def test_second_build_queues_until_the_first_releases_the_lock(tmp_path, lock_holder):
    """A second ``treatydrafts build`` waits (saying so) and writes nothing until the lock is
    released, then runs.  Ordered by events (the waiting line, the release), not by time."""
    err_path = tmp_path / "second.err"
    with open(err_path, "w") as err:
        second = subprocess.Popen([sys.executable, "-m", "treatydrafts.release.cli", "build", "--data-dir",
                                   str(tmp_path / "data"), "--only", "data dictionary"],
                                  stderr=err, stdout=subprocess.DEVNULL)
    try:
        while "waiting" not in err_path.read_text() and second.poll() is None:
            time.sleep(0.05)
        assert "waiting" in err_path.read_text(), err_path.read_text()
        assert second.poll() is None
        assert not (tmp_path / "docs" / "data-dictionary.md").exists()
        lock_holder.stdin.close()
        assert second.wait(timeout=120) == 0, err_path.read_text()
        assert (tmp_path / "docs" / "data-dictionary.md").exists()
    finally:
        if second.poll() is None:
            second.kill()
            second.wait()


# ---------------------------------------------------------------- item 5: plotly.min.js in the manifest


def _fresh_copy(tmp_path: Path) -> tuple[Path, Path, Path]:
    manifest = store.read_manifest(paths.DATA)
    if manifest.get("fingerprint") != store.fingerprint()[0] or not manifest.get("complete"):
        pytest.skip("data/ is not current: run `make build`")
    data, figs, docs = tmp_path / "data", tmp_path / "figures", tmp_path / "docs"
    shutil.copytree(paths.DATA, data, ignore=shutil.ignore_patterns(".*"))
    shutil.copytree(paths.FIGURES, figs, ignore=shutil.ignore_patterns(".*"))
    docs.mkdir()
    # every docs/ output of the manifest (data dictionary, delegation profiles), so a build over
    # the copy finds all its steps up to date but the one whose output the test damages
    for label in sorted({label for rec in manifest["steps"].values() for label in rec}):
        if label.startswith("docs/"):
            target = docs / label.removeprefix("docs/")
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(paths.DOCS / label.removeprefix("docs/"), target)
    return data, figs, docs


def test_plotly_bundle_is_in_the_manifest():
    labels = {label for rec in store.read_manifest(paths.DATA).get("steps", {}).values() for label in rec}
    assert "figures/plotly.min.js" in labels


@pytest.mark.parametrize("damage", ["delete", "edit"])
def test_build_rewrites_a_deleted_or_edited_plotly_bundle(tmp_path, damage):
    from plotly.offline import get_plotlyjs

    data, figs, docs = _fresh_copy(tmp_path)
    js = figs / "plotly.min.js"
    if damage == "delete":
        js.unlink()
    else:
        js.write_text("/* edited */", encoding="utf-8")
    written = build.run(data, figs, docs_dir=docs, jobs=1)
    assert js.read_bytes() == get_plotlyjs().encode("utf-8")
    # only what changed: every step up to date but the bundle's and the last phase (findings, data
    # package, gallery: rerun whenever anything ran), and the manifest
    last = {s.name for s in build.all_steps() if s.phase == 2}
    rerun = {Path(label).name for name, rec in store.read_manifest(data)["steps"].items() if name in last for label in rec}
    assert "plotly.min.js" in {p.name for p in written}
    assert {p.name for p in written} - rerun == {"plotly.min.js", "build-manifest.json"}


# ---------------------------------------------------------------- item 6: the smaller points


@pytest.fixture(scope="module")
def cnd():
    return td.Corpus(read_built=False).load("ahc4-cnd")


@pytest.mark.parametrize("line", [0, -1, 10**6])
def test_source_line_out_of_range_is_a_typed_error(cnd, line):
    n = td.source("ahc4-cnd").n_lines
    with pytest.raises(td.TreatyDraftsError, match=rf"ahc4-cnd has no line {line}.*1\.\.{n}"):
        cnd.source_line(line)


def test_source_line_in_range(cnd):
    src = td.source("ahc4-cnd")
    assert cnd.source_line(1) == src.line_text(1)
    assert cnd.source_line(src.n_lines) == src.line_text(src.n_lines)


def test_source_line_on_a_parsed_file(tmp_path):
    f = tmp_path / "draft.txt"
    f.write_text("Article 1. Purpose\n\n1. The purpose [is: EU, US] this.\n", encoding="utf-8")
    d = td.parse_file(f)
    assert d.source_line(1) == "Article 1. Purpose"
    assert d.source_line(3) == "1. The purpose [is: EU, US] this."
    with pytest.raises(td.TreatyDraftsError, match="no line 4"):
        d.source_line(4)


def test_amended_draft_parser_says_why_it_found_no_articles(tmp_path):
    f = tmp_path / "plain.txt"
    f.write_text("Article 1. Purpose\n\n1. The purpose of this Convention.\n\nArticle 2. Scope\n\n1. Text.\n",
                 encoding="utf-8")
    d = td.parse_file(f, parser="amended_draft")
    if len(d.articles) == 0:
        why = d.diagnostics[d.diagnostics.kind == "no_articles"]
        assert len(why) == 1, d.diagnostics
        assert "Preamble" in why.message.iloc[0] and "Article 1." in why.message.iloc[0]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_is_called_utf16(tmp_path, encoding):
    f = tmp_path / "nobom.txt"
    f.write_bytes("Article 1. Purpose\n1. Text of the article.\n".encode(encoding))
    with pytest.raises(td.EncodingSourceError, match=rf"nobom\.txt:1: .*{encoding.upper()}.*without"):
        td.parse_file(f)


def test_real_binary_is_still_binary(tmp_path):
    f = tmp_path / "blob.bin"
    f.write_bytes(bytes(range(256)) * 8)
    with pytest.raises(td.BinarySourceError):
        td.parse_file(f)


@pytest.fixture
def seeds_without(tmp_path, monkeypatch):
    """``paths.SEEDS`` pointing at a copy of ``seeds/`` from which a file is deleted."""
    def make(name: str) -> Path:
        copy = tmp_path / "seeds"
        shutil.copytree(paths.SEEDS, copy)
        (copy / name).unlink()
        monkeypatch.setattr(paths, "SEEDS", copy)
        monkeypatch.setattr(paths, "CATALOG", copy / "catalog.csv")
        corpus.clear_caches()
        catalog._rows.cache_clear()
        return copy / name
    yield make
    monkeypatch.undo()
    corpus.clear_caches()
    catalog._rows.cache_clear()


def test_deleted_seed_is_a_typed_error_naming_the_file(seeds_without):
    gone = seeds_without(catalog.entry("ahc4-cnd")["file"])
    with pytest.raises(td.SourceError, match=rf"{gone.name}.*not found") as exc:
        clean.read_source("ahc4-cnd")
    assert isinstance(exc.value, FileNotFoundError)  # still caught by ``except FileNotFoundError``
    with pytest.raises(td.SourceError, match=gone.name):
        td.Corpus(read_built=False).load("ahc4-cnd")


def test_deleted_catalogue_is_a_typed_error_naming_the_file(seeds_without):
    seeds_without("catalog.csv")
    with pytest.raises(td.SourceError, match=r"catalog\.csv.*not found"):
        catalog.doc_ids()


def test_deleted_seed_in_the_cli_is_one_line(seeds_without, capsys):
    gone = seeds_without(catalog.entry("ahc4-cnd")["file"])
    assert cli.main(["show", "ahc4-cnd", "1"]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("treatydrafts: error:") and gone.name in err[0]


def test_parse_file_of_a_missing_file_is_a_typed_error(tmp_path):
    with pytest.raises(td.SourceError, match=r"nothing\.txt.*not found"):
        td.parse_file(tmp_path / "nothing.txt")


REPO_SKIP = {".git", ".venv", "__pycache__", ".pytest_cache", ".hypothesis", ".ipynb_checkpoints", "build"}


def repository_state() -> dict[str, tuple[int, int]]:
    out = {}
    for dirpath, dirnames, filenames in os.walk(paths.ROOT):
        dirnames[:] = [d for d in dirnames if d not in REPO_SKIP and not d.endswith(".egg-info")]
        for f in filenames:
            p = Path(dirpath) / f
            st = p.lstat()
            out[str(p.relative_to(paths.ROOT))] = (st.st_mtime_ns, st.st_size)
    return out


@pytest.mark.slow  # parses the corpus for the overview step (about 10 s)
def test_data_dir_elsewhere_writes_nothing_into_the_repository(tmp_path):
    """``treatydrafts build --data-dir elsewhere``: tables, figures, data dictionary and lock all
    go beside ``elsewhere``; no file of the repository is created or touched."""
    before = repository_state()
    data = tmp_path / "out" / "data"
    assert cli.main(["build", "--data-dir", str(data), "--only", "overview"]) == 0
    assert cli.main(["build", "--data-dir", str(data), "--only", "data dictionary"]) == 0
    assert repository_state() == before
    assert (data / "corpus_counts.csv").exists()
    assert (tmp_path / "out" / "figures" / "corpus-overview-counts.png").exists()
    assert (tmp_path / "out" / "docs" / "data-dictionary.md").exists()


def test_checksum_error_and_the_other_errors_are_exported():
    assert td.ChecksumError is errors.ChecksumError and "ChecksumError" in td.__all__
    public = [n for n in dir(errors) if n.endswith("Error") and isinstance(getattr(errors, n), type)]
    for name in public:
        assert getattr(td, name, None) is getattr(errors, name) and name in td.__all__, name


def test_every_error_class_is_a_treatydrafts_error():
    for name in dir(errors):
        obj = getattr(errors, name)
        if isinstance(obj, type) and issubclass(obj, Exception) and obj.__module__ == errors.__name__:
            assert issubclass(obj, errors.TreatyDraftsError), name


def test_schema_tables_are_all_planned_outputs():
    """The build's pre-flight check covers every table the schema defines (CSV and Parquet)."""
    roots = store.output_roots(Path("d"), Path("f"), Path("o"))
    planned = {store.label_of(p, roots) for p in build.planned_outputs(roots, {})}
    for name in schema.TABLES:
        assert {f"data/{name}.csv", f"data/{name}.parquet"} <= planned, name
    assert {"data/build-manifest.json", "data/datapackage.json", "figures/plotly.min.js", "figures/README.md",
            "docs/data-dictionary.md"} <= planned


def test_next_build_removes_the_temporary_files_of_a_killed_one(tmp_path):
    """A worker killed mid-write leaves its temporary file; the next build removes it (its process is
    gone) and keeps a live process's."""
    data = tmp_path / "data"
    data.mkdir()
    dead = data / f"{store.TMP_PREFIX}documents.csv.999999999-1.tmp"  # above any pid_max: no such process
    live = data / f"{store.TMP_PREFIX}documents.csv.{os.getpid()}-1.tmp"
    dead.write_text("half a table", encoding="utf-8")
    live.write_text("being written", encoding="utf-8")
    build.run(data, tmp_path / "figures", only="data dictionary", docs_dir=tmp_path / "docs", jobs=1)
    assert not dead.exists() and live.exists()
