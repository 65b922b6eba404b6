"""The command line (``treatydrafts …``): every command, its output, its errors and exit status.

Commands run in-process through ``cli.main`` (fast; stdout/stderr captured by pytest), plus one
run of the installed console script to check the entry point and that no error prints a traceback.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import treatydrafts
from treatydrafts import catalog, paths, store
from treatydrafts.release import cli
from treatydrafts.release.steps import STEPS


def run(capsys, *argv):
    """``(exit status, stdout, stderr)`` of ``treatydrafts argv``."""
    try:
        code = cli.main(list(argv))
    except SystemExit as exc:  # argparse: --help, --version, usage errors
        code = exc.code
    out = capsys.readouterr()
    return code, out.out, out.err


def test_help_lists_every_command(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0
    for command in ("build", "documents", "counts", "show"):
        assert command in out
    assert "--version" in out


@pytest.mark.parametrize("command", ["build", "documents", "counts", "show"])
def test_each_command_has_help(capsys, command):
    code, out, _ = run(capsys, command, "--help")
    assert code == 0 and out.startswith("usage: treatydrafts " + command)


def test_build_help_names_its_options(capsys):
    _, out, _ = run(capsys, "build", "--help")
    for option in ("--data-dir", "--figures-dir", "--only", "--force", "--jobs"):
        assert option in out


def test_version(capsys):
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.strip() == f"treatydrafts {treatydrafts.__version__}"


def test_no_command_is_a_usage_error(capsys):
    code, _, err = run(capsys)
    assert code == 2 and "error:" in err


def test_documents_lists_the_catalogue(capsys):
    code, out, err = run(capsys, "documents")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].split() == ["doc_id", "file", "session", "date", "kind"]
    assert [ln.split()[0] for ln in lines[1:]] == catalog.doc_ids()


def test_counts_prints_a_table(capsys):
    code, out, err = run(capsys, "counts")
    assert code == 0 and err == ""
    assert "{" not in out and "'" not in out  # not Python dicts
    lines = out.splitlines()
    header = lines[0].split()
    assert header == ["chapters", "articles", "paragraphs", "brackets", "proposals", "positions", "diagnostics"]
    assert lines[1].split() == ["doc_id"]
    rows = {ln.split()[0]: ln.split()[1:] for ln in lines[2:]}
    assert list(rows) == catalog.doc_ids()
    cnd = treatydrafts.load("ahc4-cnd").counts()
    assert rows["ahc4-cnd"] == [str(cnd[h]) for h in header]


def test_show_prints_the_line_with_its_role(capsys):
    code, out, err = run(capsys, "show", "ahc4-cnd", "1")
    assert code == 0 and err == ""
    assert out.startswith("ahc4-cnd:1 [")


def test_show_a_line_that_does_not_exist(capsys):
    code, out, err = run(capsys, "show", "ahc4-cnd", "999999")
    assert code == 1 and out == ""
    assert err.startswith("treatydrafts: error: ahc4-cnd has no line 999999")
    assert "Traceback" not in err


def test_show_an_unknown_document(capsys):
    code, _, err = run(capsys, "show", "nope", "1")
    assert code == 1 and err.startswith("treatydrafts: error:")
    assert "ahc4-cnd" in err  # lists the valid ids


def test_show_a_line_that_is_not_a_number(capsys):
    code, _, err = run(capsys, "show", "ahc4-cnd", "x")
    assert code == 2 and "invalid int value" in err


def test_build_only_matching_nothing_is_an_error(capsys, tmp_path):
    code, out, err = run(capsys, "build", "--only", "zzz", "--data-dir", str(tmp_path / "data"),
                         "--figures-dir", str(tmp_path / "figures"))
    assert code == 1
    assert err.startswith("treatydrafts: error: no build step matches --only 'zzz'")
    assert STEPS[0].name in err  # names the steps there are
    assert "up to date" not in out + err
    assert not (tmp_path / "data").exists()  # nothing was written


@pytest.mark.parametrize("jobs", ["0", "-3", "two"])
def test_build_rejects_jobs_below_one(capsys, jobs):
    code, _, err = run(capsys, "build", "--jobs", jobs)
    assert code == 2 and "argument --jobs" in err


@pytest.mark.parametrize("option", ["--data-dir", "--figures-dir"])
def test_build_into_a_folder_that_cannot_be_created(capsys, option):
    code, out, err = run(capsys, "build", option, "/proc/nope")
    assert code == 1
    assert err.startswith("treatydrafts: error: cannot create the") and "/proc/nope" in err
    assert "Traceback" not in err


def test_build_into_a_file(capsys, tmp_path):
    f = tmp_path / "file"
    f.write_text("x", encoding="utf-8")
    code, _, err = run(capsys, "build", "--data-dir", str(f / "data"))
    assert code == 1 and err.startswith("treatydrafts: error: cannot create the data folder")


def test_build_only_runs_the_matching_steps(capsys, tmp_path):
    """``--only`` with a match runs that step (the data dictionary: no parsing) into the folders given."""
    data, figures = tmp_path / "data", tmp_path / "figures"
    code, _, err = run(capsys, "build", "--only", "data dictionary", "--data-dir", str(data),
                       "--figures-dir", str(figures), "--jobs", "1")
    assert code == 0, err
    assert (tmp_path / "docs" / "data-dictionary.md").exists()
    assert store.read_manifest(data)["complete"] is False


def test_console_script_reports_errors_without_traceback(tmp_path):
    """The installed entry point: exit status and one error line, from outside the repository."""
    exe = Path(sys.executable).with_name("treatydrafts")
    if not exe.exists():
        exe = shutil.which("treatydrafts")
    assert exe, "the treatydrafts console script is not installed (pip install -e .)"
    env = {**os.environ, "PYTHONPATH": ""}
    bad = subprocess.run([str(exe), "show", "ahc4-cnd", "999999"], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert bad.returncode == 1 and bad.stderr.startswith("treatydrafts: error:") and "Traceback" not in bad.stderr
    ok = subprocess.run([str(exe), "--version"], capture_output=True, text=True, cwd=tmp_path, env=env)
    assert ok.returncode == 0 and ok.stdout.strip() == f"treatydrafts {treatydrafts.__version__}"
    assert not paths.INSTALLED  # the tests run from the checkout (an editable install)
