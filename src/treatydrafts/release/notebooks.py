"""Re-execute the notebooks in place so their committed outputs match the library.

``python -m treatydrafts.release.notebooks [NAME ...]`` (``make notebooks``) runs each
notebook in ``notebooks/`` top to bottom in a fresh kernel (working directory
``notebooks/``), then strips volatile metadata (execution timings) so that
re-running without a library change produces identical files.  nbval then
checks these outputs in CI.
"""
from __future__ import annotations

import sys
import time

import nbformat
from nbclient import NotebookClient

from .. import paths


def strip_volatile(nb) -> None:
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("ExecuteTime", None)


def execute(path, timeout: int = 600) -> None:
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(paths.NOTEBOOKS)}})
    client.execute()
    strip_volatile(nb)
    nbformat.write(nb, path)


def main(argv: list[str] | None = None) -> int:
    names = (argv if argv is not None else sys.argv[1:])
    targets = sorted(paths.NOTEBOOKS.glob("*.ipynb"))
    if names:
        targets = [p for p in targets if any(n in p.name for n in names)]
    for p in targets:
        t0 = time.perf_counter()
        print(f"[treatydrafts] executing {p.name} ...", file=sys.stderr, flush=True)
        execute(p)
        print(f"[treatydrafts] {p.name}: {time.perf_counter() - t0:.1f} s", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
