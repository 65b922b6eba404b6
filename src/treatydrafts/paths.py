"""Every filesystem location the project uses, defined once.

The repository root is found from this file's location, so the package works
from an editable install or with ``PYTHONPATH=src``.  ``TREATYDRAFTS_ROOT``
overrides it (useful for tests that build into a temporary directory).
"""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(os.environ.get("TREATYDRAFTS_ROOT", Path(__file__).resolve().parents[2]))
SEEDS = ROOT / "seeds"
CATALOG = SEEDS / "catalog.csv"
DATA = ROOT / "data"
FIGURES = ROOT / "figures"
NOTEBOOKS = ROOT / "notebooks"
DOCS = ROOT / "docs"
PACKAGE = Path(__file__).resolve().parent
PACKAGE_DATA = PACKAGE / "resources"
REGISTRY = PACKAGE_DATA / "delegations.csv"
ALIASES = PACKAGE_DATA / "delegation_aliases.csv"
