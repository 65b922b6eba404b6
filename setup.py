"""Packaging hook: a wheel carries the data the library reads.

Metadata lives in ``pyproject.toml``; this file only adds one step to
``build_py``: copy the vendored sources (``seeds/``), the built tables and the
reviewed hand-made inputs (``data/``) and ``requirements.lock`` into
``treatydrafts/_bundled/`` of the wheel, where an installed package finds them
(``treatydrafts.paths``).  An editable install reads the checkout instead and
gets no copy.
"""
from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

HERE = Path(__file__).resolve().parent
# folder of the checkout -> glob patterns of the files a wheel carries from it
BUNDLED = {
    "seeds": ("*",),
    "data": ("*.csv", "*.parquet", "datapackage.json", "build-manifest.json", "validation/**/*.csv"),
    ".": ("requirements.lock",),
}


def bundled_files(root: Path = HERE) -> list[Path]:
    """The files of ``root`` that go into ``treatydrafts/_bundled/`` (relative paths, sorted)."""
    out = set()
    for folder, patterns in BUNDLED.items():
        for pattern in patterns:
            out.update(p.relative_to(root) for p in (root / folder).glob(pattern)
                       if p.is_file() and not p.name.startswith("."))
    return sorted(out)


class build_py_with_data(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "treatydrafts" / "_bundled"
        shutil.rmtree(target, ignore_errors=True)  # no leftovers of an earlier build
        for rel in bundled_files():
            dest = target / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(HERE / rel, dest)


setup(cmdclass={"build_py": build_py_with_data})
