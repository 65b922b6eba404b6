"""Every filesystem location the project uses, defined once.

Two ways to run the package:

- **from a repository checkout** (``make build``, an editable install or
  ``PYTHONPATH=src``): the root is the checkout, found from this file's
  location (``src/treatydrafts/paths.py`` → the folder holding
  ``pyproject.toml`` and ``seeds/catalog.csv``); sources, tables and figures
  are the checkout's ``seeds/``, ``data/`` and ``figures/``;
- **installed** (``pip install treatydrafts-….whl``): the wheel carries the
  sources (``seeds/``), the built tables and the reviewed hand-made inputs
  (``data/``) and ``requirements.lock`` as package data under
  ``treatydrafts/_bundled/`` (copied there by ``setup.py`` when the wheel is
  built); the library reads them from there.  They are read-only: a build run
  from an installed package writes into the current directory
  (:data:`OUTPUT`), never into ``site-packages``.

``TREATYDRAFTS_ROOT`` overrides the root (useful for tests and benchmarks
that build into a temporary directory); it is treated as a checkout.
"""
from __future__ import annotations

import os
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
PACKAGE_DATA = PACKAGE / "resources"
REGISTRY = PACKAGE_DATA / "delegations.csv"
ALIASES = PACKAGE_DATA / "delegation_aliases.csv"
# what an installed wheel carries beside the code (see setup.py)
BUNDLE = PACKAGE / "_bundled"


def is_checkout(root: Path) -> bool:
    """``root`` is a repository checkout (it has ``pyproject.toml`` and ``seeds/catalog.csv``)."""
    return (root / "pyproject.toml").is_file() and (root / "seeds" / "catalog.csv").is_file()


_CHECKOUT = PACKAGE.parents[1]
if os.environ.get("TREATYDRAFTS_ROOT"):
    ROOT = Path(os.environ["TREATYDRAFTS_ROOT"])
    INSTALLED = False
elif is_checkout(_CHECKOUT) or not BUNDLE.is_dir():
    ROOT = _CHECKOUT
    INSTALLED = False
else:
    ROOT = BUNDLE
    INSTALLED = True

SEEDS = ROOT / "seeds"
CATALOG = SEEDS / "catalog.csv"
DATA = ROOT / "data"
LOCK = ROOT / "requirements.lock"
NOTEBOOKS = ROOT / "notebooks"
# where outputs go by default: the checkout, or the current directory for an installed package
OUTPUT = Path.cwd() if INSTALLED else ROOT
FIGURES = OUTPUT / "figures"
DOCS = OUTPUT / "docs"
