"""The build: every table to ``data/`` (CSV + Parquet), the data dictionary to
``docs/``, every figure to ``figures/``.  Progress goes to stderr.

The steps are listed in :data:`treatydrafts.release.steps.STEPS` (plus
:data:`BUNDLE`, the script the interactive views load); this module runs them.
Same inputs, same bytes (see :mod:`treatydrafts.store`).

**Incremental.**  A step is skipped when the inputs' fingerprint is unchanged
since the last build (``data/build-manifest.json``) and every file it wrote
is still there with the recorded bytes; otherwise it runs again (``force``
runs everything).

**Parallel.**  Phase-1 steps that must run are spread over worker processes
forked after phase 0 (they inherit the parsed corpus and the results shared
by several steps); the outputs do not depend on the order in which they
finish.  The workers die with the build: each asks the kernel to kill it when
its parent dies (``prctl(PR_SET_PDEATHSIG, SIGKILL)`` on Linux) and also
watches its parent's pid (other systems); Ctrl-C and SIGTERM are the
parent's to handle (workers ignore SIGINT): it kills the workers and stops
with :class:`~treatydrafts.errors.BuildInterruptedError`.

**Safe to run anywhere.**  Before writing anything the build checks every
path it knows it will write (every table of the schema, every figure of the
gallery, the manifest, the data package, the data dictionary, the script of
the interactive views, whatever the last manifest recorded): a symlink, a
non-regular file or a symlinked output folder stops it with
:class:`~treatydrafts.errors.OutputPathError`; while it runs, every write is
confined to the output folders (:func:`treatydrafts.store.output_guard`) and
atomic.  It then takes a lock (``.treatydrafts-build.lock``, ``flock``) in
each output folder: a second build in the same folders waits for the first
(saying so), or stops with :class:`~treatydrafts.errors.BuildLockedError` when
``lock_timeout`` runs out.
"""
from __future__ import annotations

import contextlib
import ctypes
import multiprocessing as mp
import os
import signal
import sys
import threading
import time
from concurrent.futures import FIRST_EXCEPTION, ProcessPoolExecutor, wait
from pathlib import Path
from typing import Iterable, Iterator

from .. import paths, schema, store
from ..errors import BuildInterruptedError, BuildLockedError, OutputPathError, OutputWriteError
from ..plots import style
from . import gallery
from .steps import STEPS, Context, Step, progress

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

LOCK_NAME = ".treatydrafts-build.lock"  # in every output folder; held (flock) while a build runs
LOCK_POLL_S = 0.1
PARENT_POLL_S = 0.5  # how often a worker checks that its parent is alive (besides PR_SET_PDEATHSIG)


def docs_dir_for(data_dir: Path) -> Path:
    """Where the data dictionary goes: ``docs/`` of the repository for the repository's ``data/``,
    else a ``docs`` folder beside ``data_dir`` (a build elsewhere never writes into the repository)."""
    data_dir = Path(data_dir)
    return paths.DOCS if data_dir.resolve() == paths.DATA.resolve() else data_dir.parent / "docs"


def figures_dir_for(data_dir: Path) -> Path:
    """Where the figures go by default: ``figures/`` of the repository for the repository's
    ``data/``, else a ``figures`` folder beside ``data_dir``."""
    data_dir = Path(data_dir)
    return paths.FIGURES if data_dir.resolve() == paths.DATA.resolve() else data_dir.parent / "figures"


# ---------------------------------------------------------------- the script of the interactive views


def plotly_bundle(ctx: Context) -> list[Path]:
    """``figures/plotly.min.js``, which every HTML view loads: a step of its own, so the manifest
    records it and a deleted or edited copy is rewritten (alone)."""
    return [style.plotly_bundle(ctx.figures_dir)]


BUNDLE = Step("write plotly.min.js for the interactive views", plotly_bundle, 0)


def all_steps() -> tuple[Step, ...]:
    """:data:`STEPS` with :data:`BUNDLE` after the other phase-0 steps, in the order they run."""
    return (*[s for s in STEPS if s.phase == 0], BUNDLE, *[s for s in STEPS if s.phase != 0])


# ---------------------------------------------------------------- output paths and the lock


def planned_outputs(roots: dict[str, Path], recorded: dict[str, dict[str, str]]) -> list[Path]:
    """Every path the build may write that is known before it runs: the tables of the schema
    (CSV + Parquet), the manifest, the data package, the data dictionary, the gallery, the
    interactive views' script, every figure format of every captioned figure, the lock files,
    and every output the last manifest recorded."""
    data, figures, docs = roots["data"], roots["figures"], roots["docs"]
    out = [data / f"{t}.{ext}" for t in schema.TABLES if f"{t}.csv" not in store.DATA_INPUTS
           for ext in ("csv", "parquet")]
    out += [data / store.MANIFEST, data / "datapackage.json", docs / "data-dictionary.md",
            figures / "README.md", figures / "plotly.min.js"]
    out += [figures / f"{stem}.{ext}" for stem in gallery.CAPTIONS for ext in gallery.FORMATS]
    out += [root / LOCK_NAME for root in roots.values()]
    for label in (label for rec in recorded.values() for label in rec):
        name, _, rest = label.partition("/")
        if name in roots and rest and ".." not in Path(rest).parts and not Path(rest).is_absolute():
            out.append(roots[name] / rest)  # (a label pointing elsewhere is never written: not checked)
    return list(dict.fromkeys(out))


def check_outputs(roots: dict[str, Path], recorded: dict[str, dict[str, str]]) -> None:
    """Refuse (:class:`OutputPathError`) before writing anything when an output folder or a
    planned output is a symlink or not what it should be."""
    for root in roots.values():
        if root.is_symlink():
            raise OutputPathError(root, f"the output folder is a symlink (to {os.readlink(root)}); the build never "
                                        "writes through symlinks: make it a real folder")
        if root.exists() and not root.is_dir():
            raise OutputPathError(root, "the output folder exists and is not a folder")
    with store.output_guard(roots.values()):
        for p in planned_outputs(roots, recorded):
            store.check_output_path(p)


def _lock_holder(fd: int) -> str:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        pid = os.read(fd, 32).decode("ascii", "replace").strip()
    except OSError:
        pid = ""
    return f"pid {pid}" if pid.isdigit() else "pid unknown"


def _try_lock(fd: int) -> bool:
    try:
        if fcntl is not None:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        else:  # pragma: no cover - Windows
            import msvcrt

            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    except (BlockingIOError, PermissionError):
        return False
    except OSError as exc:
        if exc.errno in (11, 13, 35):  # EAGAIN / EACCES / EWOULDBLOCK (BSD)
            return False
        raise
    return True


def _lock_folder(folder: Path, timeout: float | None) -> int:
    path = folder / LOCK_NAME
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0),
                     0o644)
    except OSError as exc:
        if path.is_symlink():
            raise OutputPathError(path, "the lock file is a symlink; remove it") from None
        raise OutputWriteError(path, exc) from None
    deadline = None if timeout is None else time.monotonic() + timeout
    said = False
    try:
        while not _try_lock(fd):
            holder = _lock_holder(fd)
            if deadline is not None and time.monotonic() >= deadline:
                raise BuildLockedError(f"another build ({holder}) is writing into {folder}: it holds {path}; "
                                       "wait for it to finish (or stop it) and run the build again")
            if not said:
                progress(f"waiting for another build ({holder}) that holds {path} ...")
                said = True
            time.sleep(LOCK_POLL_S)
        os.ftruncate(fd, 0)  # the holder's pid, for the message of a build that waits
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, f"{os.getpid()}\n".encode("ascii"))
    except BaseException:
        os.close(fd)
        raise
    return fd


@contextlib.contextmanager
def build_lock(folders: Iterable[Path], timeout: float | None = None) -> Iterator[None]:
    """Hold the build lock of every folder of ``folders`` (taken in a fixed order, so two builds
    never deadlock).  ``timeout``: seconds to wait for another build (``None``: as long as it
    takes, ``0``: not at all) before :class:`BuildLockedError`."""
    fds: list[int] = []
    try:
        for folder in sorted({Path(os.path.abspath(f)) for f in folders}, key=str):
            fds.append(_lock_folder(folder, timeout))
        yield
    finally:
        for fd in reversed(fds):
            os.close(fd)  # closing the last descriptor releases the lock


# ---------------------------------------------------------------- interruption, workers


class _Signalled(BaseException):
    """SIGTERM/SIGHUP in the build's process, raised like Ctrl-C's KeyboardInterrupt."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


@contextlib.contextmanager
def _signals_raise() -> Iterator[None]:
    """While the build runs in the main thread, SIGTERM and SIGHUP raise :class:`_Signalled`,
    so the workers are stopped and temporary files removed, as on Ctrl-C."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        raise _Signalled(signum)

    # a signal ignored by whoever started the build (``nohup`` ignores SIGHUP) stays ignored
    names = [n for n in ("SIGTERM", "SIGHUP")
             if hasattr(signal, n) and signal.getsignal(getattr(signal, n)) is signal.SIG_DFL]
    before = {n: signal.signal(getattr(signal, n), handler) for n in names}
    try:
        yield
    finally:
        for n, h in before.items():
            signal.signal(getattr(signal, n), h)


def _die_with_parent(parent: int) -> None:
    """Make this worker die when ``parent`` does (SIGKILL, the OOM killer, ``timeout``): the kernel's
    parent-death signal on Linux, and a thread polling the parent's pid everywhere."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            PR_SET_PDEATHSIG = 1
            ulong = ctypes.c_ulong
            ctypes.CDLL(None, use_errno=True).prctl(ctypes.c_int(PR_SET_PDEATHSIG), ulong(signal.SIGKILL), ulong(0),
                                                    ulong(0), ulong(0))
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)

    def watch() -> None:
        while True:
            time.sleep(PARENT_POLL_S)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="treatydrafts-parent-watch", daemon=True).start()


def _worker_init(parent: int) -> None:
    """Run first in each forked worker."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group: the parent handles it
    for name in ("SIGTERM", "SIGHUP"):  # the parent's handlers came with the fork (ignored stays ignored)
        if hasattr(signal, name) and callable(signal.getsignal(getattr(signal, name))):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    _die_with_parent(parent)


def _stop_workers(ex: ProcessPoolExecutor) -> None:
    """Kill the pool's workers now (``shutdown`` alone would wait for the running steps)."""
    procs = list((getattr(ex, "_processes", None) or {}).values())  # Python 3.14: ex.kill_workers()
    for p in procs:
        with contextlib.suppress(Exception):
            p.kill()
    ex.shutdown(wait=False, cancel_futures=True)
    for p in procs:
        with contextlib.suppress(Exception):
            p.join(timeout=10)


# ---------------------------------------------------------------- running the steps


def _run_one(s: Step, ctx: Context, label: str) -> list[Path]:
    t0 = time.perf_counter()
    progress(f"{label} {s.name} ...")
    out = s.fn(ctx)
    progress(f"{label} {s.name}: {len(out)} files in {time.perf_counter() - t0:.2f} s")
    return out


# The context of the forked workers: set in the parent just before the pool forks.
_FORK_CONTEXT: Context | None = None


def _run_forked(args: tuple[int, str]) -> list[Path]:
    i, label = args
    return _run_one(STEPS[i], _FORK_CONTEXT, label)


def _run_phase(steps: list[Step], ctx: Context, jobs: int, labels: dict[str, str]) -> dict[str, list[Path]]:
    global _FORK_CONTEXT
    # workers are forked (they inherit the parsed corpus); where fork does not exist
    # (Windows), the steps run one after the other
    if jobs < 2 or len(steps) < 2 or "fork" not in mp.get_all_start_methods():
        return {s.name: _run_one(s, ctx, labels[s.name]) for s in steps}
    order = sorted(steps, key=lambda s: -s.cost)
    _FORK_CONTEXT = ctx
    # forked by this (main) thread at the first submit: PR_SET_PDEATHSIG follows the forking thread
    ex = ProcessPoolExecutor(max_workers=min(jobs, len(order)), mp_context=mp.get_context("fork"),
                             initializer=_worker_init, initargs=(os.getpid(),))
    try:
        futures = {s.name: ex.submit(_run_forked, (STEPS.index(s), labels[s.name])) for s in order}
        wait(futures.values(), return_when=FIRST_EXCEPTION)  # a failed step stops the build at once
        failed = next((f for f in futures.values() if f.done() and f.exception() is not None), None)
        if failed is not None:
            raise failed.exception()
        results = {name: f.result() for name, f in futures.items()}
    except BaseException:  # a failed step, Ctrl-C, SIGTERM: stop the others now
        _stop_workers(ex)
        raise
    finally:
        _FORK_CONTEXT = None
    ex.shutdown(wait=True)
    return results


def run(data_dir: Path | None = None, figures_dir: Path | None = None, only: str | None = None,
        force: bool = False, jobs: int | None = None, docs_dir: Path | None = None,
        lock_timeout: float | None = None) -> list[Path]:
    """Run the steps (or those whose name contains ``only``) and return the files written.
    Steps whose inputs and outputs are unchanged since the last build are skipped unless
    ``force``; phase-1 steps run in ``jobs`` worker processes (default: up to 2 cores).
    ``figures_dir`` and ``docs_dir`` default to the repository's for its ``data/``, else to
    folders beside ``data_dir``.  Another build writing into the same folders is waited for
    (``lock_timeout`` seconds, default: as long as it takes).  Ctrl-C or SIGTERM stops the build
    with :class:`BuildInterruptedError`."""
    data_dir = Path(data_dir or paths.DATA)
    figures_dir = Path(figures_dir or figures_dir_for(data_dir))
    docs_dir = Path(docs_dir or docs_dir_for(data_dir))
    roots = store.output_roots(data_dir, figures_dir, docs_dir)
    try:
        with _signals_raise():
            check_outputs(roots, store.read_manifest(data_dir).get("steps", {}))  # before writing anything
            with build_lock(roots.values(), lock_timeout), store.output_guard(roots.values()):
                for root in roots.values():
                    store.remove_stale_temporaries(root)
                return _run_locked(roots, only, force, jobs)
    except KeyboardInterrupt:
        raise BuildInterruptedError(signal.SIGINT, "SIGINT, Ctrl-C") from None
    except _Signalled as sig:
        raise BuildInterruptedError(sig.signum, signal.Signals(sig.signum).name) from None


def _run_locked(roots: dict[str, Path], only: str | None, force: bool, jobs: int | None) -> list[Path]:
    data_dir, figures_dir = roots["data"], roots["figures"]
    ctx = Context(data_dir, figures_dir, roots["docs"])
    jobs = jobs or min(2, os.cpu_count() or 1)
    t_all = time.perf_counter()
    digest, inputs, env = store.fingerprint()
    manifest = store.read_manifest(data_dir)
    check_outputs(roots, manifest.get("steps", {}))  # the manifest another build may have just written
    recorded = manifest.get("steps", {}) if manifest.get("fingerprint") == digest else {}
    every = all_steps()
    todo = [s for s in every if not only or only in s.name]
    labels = {s.name: f"[{i}/{len(todo)}]" for i, s in enumerate(todo, 1)}
    record: dict[str, dict[str, str]] = {}
    written: list[Path] = []
    ran = False
    for phase in (0, 1, 2):
        runnable = []
        for s in (s for s in todo if s.phase == phase):
            rec = recorded.get(s.name)
            if not force and rec and not (phase == 2 and ran) and store.outputs_unchanged(rec, roots):
                progress(f"{labels[s.name]} {s.name}: up to date ({len(rec)} files)")
                record[s.name] = rec
            else:
                runnable.append(s)
        if not runnable:
            continue
        ran = True
        if phase == 1 and jobs > 1 and len(runnable) > 1:
            ctx.corpus.load_all()  # parse once, before forking
            if any(s.uses_scope for s in runnable):
                ctx.scope  # noqa: B018  (computed once, before forking: two steps use it)
            style.plotly_bundle(figures_dir)  # written once, not raced for by the workers
        outs = _run_phase(runnable, ctx, jobs if phase == 1 else 1, labels)
        for s in runnable:
            record[s.name] = {store.label_of(p, roots): store.sha256_file(p) for p in outs[s.name]}
            written += outs[s.name]
    if ran or not manifest:
        # keep the records of steps not run this time (``only``) when the inputs are the same
        steps = {s.name: record.get(s.name) or recorded.get(s.name) for s in every}
        steps = {k: v for k, v in steps.items() if v}
        written.append(store.write_manifest(data_dir, digest, inputs, env, steps,
                                            complete=all(s.name in steps for s in every)))
    progress(f"done: {len(written)} files written in {time.perf_counter() - t_all:.2f} s"
             + ("" if ran else " (everything up to date: inputs unchanged, outputs verified by SHA-256; "
                               "--force rebuilds)"))
    return written
