"""The installed package works on its own (issue 14): build the wheel from a copy of the
checkout, install it into a fresh venv and use the library and the CLI from outside the repository.

Offline and quick: the wheel is built by pip (its build backend, setuptools, comes from the
configured package index, as for ``make build``); the fresh venv gets only the wheel
(``--no-deps``) and borrows the pinned dependencies of ``.venv`` read-only through a ``.pth``
line (a path added that way does not run ``.venv``'s own ``.pth`` files, so ``.venv``'s editable
install of the checkout is invisible there).  The test checks that ``treatydrafts`` is imported
from the new venv and that ``treatydrafts.paths`` says it is installed.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

import treatydrafts
from treatydrafts import catalog, paths, store

pytestmark = pytest.mark.slow

TOP_FILES = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "LICENSE", "LICENSE-DATA",
             "CITATION.cff", "requirements.lock")


def clean_env() -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "TREATYDRAFTS_ROOT", "VIRTUAL_ENV")}
    env["PYTHONNOUSERSITE"] = "1"
    return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """``(python of the fresh venv, its bin folder, a working folder outside the repository, wheel)``."""
    root = tmp_path_factory.mktemp("install")
    tree = root / "checkout"
    tree.mkdir()
    for name in TOP_FILES:
        shutil.copy2(paths.ROOT / name, tree / name)
    skip = shutil.ignore_patterns("__pycache__", "*.egg-info", store.LOCAL_MANIFEST, ".*")
    for folder in ("src", "seeds", "data"):
        shutil.copytree(paths.ROOT / folder, tree / folder, ignore=skip)
    dist = root / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(dist), str(tree)],
                   check=True, capture_output=True, text=True, env=clean_env())
    (wheel,) = dist.glob("treatydrafts-*.whl")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps",
                    "--no-index", str(wheel)], check=True, capture_output=True, text=True, env=clean_env())
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    Path(purelib, "_borrowed_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    work = root / "elsewhere"
    work.mkdir()
    return python, venv / "bin", work, wheel


def run(args, cwd, check=True):
    out = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True, env=clean_env(), timeout=600)
    if check and out.returncode != 0:
        raise AssertionError(f"{args} exited {out.returncode}:\n{out.stderr[-3000:]}")
    return out


def test_wheel_carries_sources_tables_and_reviewed_inputs(installed):
    *_, wheel = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    bundle = "treatydrafts/_bundled/"
    for doc_id in catalog.doc_ids():
        assert bundle + "seeds/" + catalog.entry(doc_id)["file"] in names
    assert bundle + "seeds/catalog.csv" in names and bundle + "requirements.lock" in names
    assert bundle + "data/article_lineage_reviewed.csv" in names
    for p in sorted((paths.DATA / "validation").glob("*.csv")):
        assert bundle + "data/validation/" + p.name in names
    for p in paths.DATA.glob("*.parquet"):
        assert bundle + "data/" + p.name in names and bundle + "data/" + p.stem + ".csv" in names
    assert bundle + "data/build-manifest.json" in names and bundle + "data/datapackage.json" in names
    assert not any(n.endswith(store.LOCAL_MANIFEST) for n in names)
    assert {"LICENSE", "LICENSE-DATA"} <= {Path(n).name for n in names if ".dist-info/licenses/" in n}


PROBE = """
import json, treatydrafts as td
from treatydrafts import Corpus, paths, store
from treatydrafts.analysis import scope
everything = td.load_all()
parsed = Corpus(read_built=False).load("ahc4-cnd")
print(json.dumps({
    "file": td.__file__, "installed": paths.INSTALLED, "root": str(paths.ROOT), "data": str(paths.DATA),
    "fresh": store.is_fresh(), "counts": everything.counts(), "cnd": parsed.counts(),
    "namibia": td.delegations().set_index("delegation_id").loc["NAM", "iso2"],
    "reviewed": scope.read_reviewed().shape[0], "version": td.__version__,
}))
"""


def test_library_works_from_outside_the_repository(installed):
    python, _, work, _ = installed
    got = json.loads(run([python, "-c", PROBE], cwd=work).stdout)
    venv = python.parent.parent
    assert Path(got["file"]).is_relative_to(venv), "treatydrafts was not imported from the wheel"
    assert got["installed"] and Path(got["root"]).is_relative_to(venv) and Path(got["data"]).is_dir()
    assert got["fresh"] == store.is_fresh(), "the bundled tables should be as fresh as the checkout's"
    assert got["counts"] == treatydrafts.load_all().counts()  # the checkout's (test_build: = parsing)
    assert got["cnd"] == treatydrafts.load("ahc4-cnd").counts()
    assert got["namibia"] == "NA" and got["reviewed"] > 0 and got["version"] == treatydrafts.__version__


def test_cli_works_from_outside_the_repository(installed):
    _, bin_dir, work, _ = installed
    exe = bin_dir / "treatydrafts"
    assert run([exe, "--version"], work).stdout.strip() == f"treatydrafts {treatydrafts.__version__}"
    docs = run([exe, "documents"], work).stdout
    assert all(d in docs for d in catalog.doc_ids())
    counts = run([exe, "counts"], work).stdout.splitlines()
    assert counts[0].split()[0] == "chapters" and len(counts) == 2 + len(catalog.doc_ids())
    assert run([exe, "show", "ahc4-cnd", "1"], work).stdout.startswith("ahc4-cnd:1 [")
    bad = run([exe, "show", "ahc4-cnd", "999999"], work, check=False)
    assert bad.returncode == 1 and bad.stderr.startswith("treatydrafts: error:")


def test_build_from_an_installed_package_writes_into_the_current_folder(installed):
    python, bin_dir, work, _ = installed
    out = run([bin_dir / "treatydrafts", "build", "--only", "data dictionary"], work)
    assert (work / "docs" / "data-dictionary.md").exists(), out.stderr
    assert (work / "data" / store.MANIFEST).exists() or (work / "data" / store.LOCAL_MANIFEST).exists()
    site = Path(run([python, "-c", "import treatydrafts.paths as p; print(p.BUNDLE)"], work).stdout.strip())
    assert not (site / "docs").exists()
