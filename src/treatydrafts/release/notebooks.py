"""Re-execute the notebooks in place so their committed outputs match the library.

``python -m treatydrafts.release.notebooks [NAME ...]`` (``make notebooks``) runs each
notebook in ``notebooks/`` top to bottom in a fresh kernel (working directory
``notebooks/``), then strips volatile metadata (execution timings) so that
re-running without a library change produces identical files.  nbval then
checks these outputs in CI.

The notebook metadata is what JupyterLab itself writes when it opens a
notebook with the ``python3`` kernel of ``.venv`` (``make lab``): the kernel
spec as installed by ipykernel (``"display_name": "Python 3 (ipykernel)"``)
and the kernel's own ``language_info``; stream outputs come merged (one
per stream and cell, as JupyterLab shows them); the file is serialised as
``nbformat`` (and so JupyterLab's server) writes it.  Opening a committed
notebook in JupyterLab therefore changes nothing, and autosave leaves it as
it is.
"""
from __future__ import annotations

import sys
import time

import nbformat
from nbclient import NotebookClient

from .. import paths

KERNEL = "python3"


def kernelspec(name: str = KERNEL) -> dict:
    """The ``kernelspec`` metadata JupyterLab writes for kernel ``name`` (from the installed spec)."""
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec(name)
    return {"display_name": spec.display_name, "language": spec.language, "name": name}


def strip_volatile(nb) -> None:
    nb.metadata.pop("widgets", None)
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("ExecuteTime", None)


def execute(path, timeout: int = 600) -> None:
    nb = nbformat.read(path, as_version=4)
    # coalesce_streams: one stream output per name and cell, however the kernel flushed it (nbval
    # compares them merged; JupyterLab would merge split ones on opening, changing the file)
    client = NotebookClient(nb, timeout=timeout, kernel_name=KERNEL, coalesce_streams=True,
                            resources={"metadata": {"path": str(paths.NOTEBOOKS)}})
    client.execute()  # also sets metadata.language_info from the kernel, as JupyterLab does
    strip_volatile(nb)
    nb.metadata["kernelspec"] = kernelspec()
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
