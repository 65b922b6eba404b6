"""Opening a committed notebook in JupyterLab changes nothing (issue 14).

JupyterLab, on opening a notebook with a kernel, writes the kernel's spec into
``metadata.kernelspec`` (display name, language, name, as installed by ipykernel: "Python 3
(ipykernel)") and the kernel's ``kernel_info`` reply into ``metadata.language_info``; its server
saves with ``nbformat`` (nbformat 4.5, cell ids, one-space indent, sorted keys).  The committed
notebooks must already be exactly that, so autosave has nothing to rewrite.  JupyterLab itself is
part of the pinned environment (``make lab``).
"""
from __future__ import annotations

from importlib import metadata

import nbformat
import pytest

from treatydrafts import paths
from treatydrafts.release import notebooks

NOTEBOOKS = sorted(paths.NOTEBOOKS.glob("*.ipynb"))


@pytest.fixture(scope="module")
def kernel_language_info() -> dict:
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name=notebooks.KERNEL)
    try:
        reply = kc.kernel_info(reply=True, timeout=60)
        return dict(reply["content"]["language_info"])
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


def test_jupyterlab_is_pinned_and_installed():
    pins = dict(line.split("==", 1) for line in paths.LOCK.read_text(encoding="utf-8").splitlines()
                if "==" in line and not line.startswith("#"))
    assert "jupyterlab" in pins, "JupyterLab is not in requirements.lock"
    assert metadata.version("jupyterlab") == pins["jupyterlab"]


def test_kernelspec_is_the_installed_ipykernel_spec():
    spec = notebooks.kernelspec()
    assert spec == {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_metadata_is_what_jupyterlab_writes(path, kernel_language_info):
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata.kernelspec == notebooks.kernelspec()
    assert dict(nb.metadata.language_info) == kernel_language_info
    assert set(nb.metadata) <= {"kernelspec", "language_info"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_saved_as_jupyter_saves_it(path):
    text = path.read_text(encoding="utf-8")
    nb = nbformat.reads(text, as_version=4)
    assert (nb.nbformat, nb.nbformat_minor) == (4, 5)
    assert all("id" in cell for cell in nb.cells)
    assert text == nbformat.writes(nb) + "\n"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_stream_outputs_are_merged(path):
    """JupyterLab merges consecutive outputs of one stream when it loads a notebook: split ones would
    change the file on save."""
    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        names = [o.name for o in cell.get("outputs", []) if o.output_type == "stream"]
        assert len(names) == len(set(names)), f"cell {cell.id}: split stream outputs"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_jupyter_server_saves_the_file_unchanged(path, tmp_path):
    """What JupyterLab's autosave does on the server side: load the notebook through the contents
    manager and save the same model back (on a copy); the bytes stay the same."""
    from jupyter_server.services.contents.filemanager import FileContentsManager

    copy = tmp_path / path.name
    copy.write_bytes(path.read_bytes())
    cm = FileContentsManager(root_dir=str(tmp_path))
    model = cm.get(path.name, content=True, type="notebook")
    cm.save({"type": "notebook", "format": "json", "content": model["content"]}, path.name)
    assert copy.read_bytes() == path.read_bytes()
