"""Hardening (issue 13, item 2): killing the build's parent leaves no worker running or
writing, and an interrupted build says so in one line.

Each test runs a small fake build in a subprocess: the real runner
(:func:`treatydrafts.release.build.run` through the command line) with its step list replaced
by two phase-1 steps that never finish (each records its worker's pid, then appends to a file
every 50 ms), so the parallel phase forks two workers in about a second.  The test then
kills or signals the parent and checks that the workers are gone and the files stopped
growing.  Waits are bounded (a hang fails instead of blocking) but no duration is asserted.

Also here: a table rewritten in a loop and killed with SIGKILL at arbitrary moments is
always whole (atomic rename), never truncated.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pandas as pd
import pytest

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="signals and /proc: Linux")

FAKE_BUILD = textwrap.dedent("""
    import os, signal, sys, time
    from pathlib import Path
    from treatydrafts.release import build, cli, steps

    # as launched from a terminal, where Ctrl-C works: a background job of a non-interactive
    # shell (a CI runner, `cmd &` in a script) starts with SIGINT ignored, and so would this
    signal.signal(signal.SIGINT, signal.default_int_handler)

    out = Path(sys.argv[1])

    def forever(ctx):
        (out / f"worker-{os.getpid()}.pid").write_text(str(os.getpid()))
        while True:
            with open(out / f"tick-{os.getpid()}", "a") as fh:
                fh.write("x")
            time.sleep(0.05)

    class NoCorpus:  # nothing to parse before forking
        def load_all(self):
            return None

    build.STEPS = (steps.Step("fake one", forever, 1), steps.Step("fake two", forever, 1))
    build.Context = lambda data, figures, docs: steps.Context(data, figures, docs, corpus=NoCorpus())
    build.style.plotly_bundle = lambda directory=None: None
    sys.exit(cli.main(["build", "--data-dir", str(out / "data"), "--figures-dir", str(out / "figures"),
                       "--only", "fake", "--jobs", "2"]))
""")

BOUND_S = 60  # a hang detector, not a speed test


def alive(pid: int) -> bool:
    """Running (a zombie waiting to be reaped is not running)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            state = fh.read().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in ("Z", "X")


def wait_for(cond, what: str) -> None:
    deadline = time.monotonic() + BOUND_S
    while not cond():
        if time.monotonic() > deadline:
            pytest.fail(f"still waiting after {BOUND_S} s: {what}")
        time.sleep(0.05)


@pytest.fixture
def fake_build(tmp_path):
    """Start the fake build (in its own session); yield ``(process, workers(), stderr path)``.
    Whatever is left is killed at the end."""
    err = tmp_path / "stderr"
    with open(err, "w") as fh:
        p = subprocess.Popen([sys.executable, "-c", FAKE_BUILD, str(tmp_path)], stderr=fh,
                             stdout=subprocess.DEVNULL, start_new_session=True)

    def workers() -> list[int]:
        return sorted(int(f.read_text()) for f in tmp_path.glob("worker-*.pid") if f.read_text())

    try:
        wait_for(lambda: len(workers()) == 2 or p.poll() is not None, "two workers started")
        assert len(workers()) == 2, err.read_text()
        yield p, workers, err
    finally:
        for pid in [p.pid, *workers()]:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        p.wait()


def assert_workers_stopped(tmp_path: Path, workers) -> None:
    for pid in workers():
        wait_for(lambda pid=pid: not alive(pid), f"worker {pid} exits after its parent")
    sizes = {f: f.stat().st_size for f in tmp_path.glob("tick-*")}
    time.sleep(0.3)  # six ticks of a live worker
    assert {f: f.stat().st_size for f in tmp_path.glob("tick-*")} == sizes, "a worker is still writing"


def interrupt(tmp_path: Path, fake_build, send) -> tuple[int, str]:
    """Signal the fake build with ``send(pid)``; once it has exited and its workers have stopped,
    return its exit status and its standard error."""
    p, workers, err = fake_build
    send(p.pid)
    rc = p.wait(timeout=BOUND_S)
    assert_workers_stopped(tmp_path, workers)
    return rc, err.read_text()


def test_sigkill_of_the_parent_kills_the_workers(tmp_path, fake_build):
    """``kill -9`` (and the OOM killer) of the parent: the workers die too."""
    p, workers, _ = fake_build
    os.kill(p.pid, signal.SIGKILL)
    p.wait(timeout=BOUND_S)
    assert_workers_stopped(tmp_path, workers)


def test_sigterm_of_the_parent_stops_the_build_with_one_line(tmp_path, fake_build):
    """``kill`` or ``timeout`` (SIGTERM to the parent only): non-zero exit, one clear line, no
    traceback, no worker left."""
    rc, text = interrupt(tmp_path, fake_build, lambda pid: os.kill(pid, signal.SIGTERM))
    assert rc == 128 + signal.SIGTERM, text
    assert "Traceback" not in text, text
    last = text.strip().splitlines()[-1]
    assert last.startswith("treatydrafts: build interrupted") and "SIGTERM" in last, text


def test_ctrl_c_to_the_group_stops_the_build_with_one_line(tmp_path, fake_build):
    """Ctrl-C in a terminal (SIGINT to the parent and its workers): one line, no traceback
    from the parent or the workers."""
    rc, text = interrupt(tmp_path, fake_build, lambda pid: os.killpg(pid, signal.SIGINT))
    assert rc == 128 + signal.SIGINT, text
    assert "Traceback" not in text and "KeyboardInterrupt" not in text, text
    assert text.strip().splitlines()[-1].startswith("treatydrafts: build interrupted"), text


FAILING_BUILD = FAKE_BUILD.replace(
    'build.STEPS = (steps.Step("fake one", forever, 1), steps.Step("fake two", forever, 1))',
    'def fail(ctx):  # once the other worker is busy\n'
    '    while not list(out.glob("worker-*.pid")):\n'
    '        time.sleep(0.05)\n'
    '    raise RuntimeError("this step fails")\n'
    'build.STEPS = (steps.Step("fake one", forever, 1), steps.Step("fake two", fail, 1))')


def test_a_failed_step_stops_the_other_workers(tmp_path):
    """A step that fails in one worker: the build reports it and the other worker, still running its
    step, is killed instead of being waited for."""
    assert "this step fails" in FAILING_BUILD
    err = tmp_path / "stderr"
    with open(err, "w") as fh:
        p = subprocess.Popen([sys.executable, "-c", FAILING_BUILD, str(tmp_path)], stderr=fh,
                             stdout=subprocess.DEVNULL, start_new_session=True)
    try:
        rc = p.wait(timeout=BOUND_S)
        assert rc != 0 and "this step fails" in err.read_text(), err.read_text()
        workers = [int(f.read_text()) for f in tmp_path.glob("worker-*.pid")]
        assert len(workers) == 1
        for pid in workers:
            wait_for(lambda pid=pid: not alive(pid), f"worker {pid} is stopped")
    finally:
        if p.poll() is None:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()


REWRITE_TABLE = textwrap.dedent("""
    import sys
    from pathlib import Path
    import pandas as pd
    from treatydrafts import store
    df = pd.read_parquet(sys.argv[1])
    out = Path(sys.argv[2])
    print("ready", flush=True)
    while True:
        store.write_table(df, "coalition_ties", out)
""")


@pytest.mark.slow  # five processes writing a 4 MB table (about 10 s)
def test_a_kill_during_a_write_never_leaves_a_partial_table(tmp_path):
    """A table of a few MB rewritten in a loop, killed with SIGKILL at arbitrary moments: the
    CSV and Parquet on disk are always absent or whole (the full row count)."""
    from treatydrafts import paths, store

    src = paths.DATA / "coalition_ties.parquet"
    if not src.exists():
        pytest.skip("data/ is not built")
    full = len(pd.read_parquet(src))
    out = tmp_path / "data"
    for delay in (0.05, 0.15, 0.3, 0.45, 0.6):
        p = subprocess.Popen([sys.executable, "-c", REWRITE_TABLE, str(src), str(out)], stdout=subprocess.PIPE,
                             text=True)
        try:
            assert p.stdout.readline().strip() == "ready"
            time.sleep(delay)  # an arbitrary moment inside the loop (not a timing assertion)
        finally:
            p.kill()
            p.wait()
        if (out / "coalition_ties.csv").exists():
            assert len(store.read_table("coalition_ties", out)) == full
        if (out / "coalition_ties.parquet").exists():
            assert len(pd.read_parquet(out / "coalition_ties.parquet")) == full
