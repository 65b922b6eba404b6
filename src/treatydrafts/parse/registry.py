"""Delegation registry: codes and names as written → ``delegation_id``.

Two package resources back it:

- ``resources/delegations.csv`` — one row per delegation (193 UN Member
  States, the observer States Holy See and State of Palestine, the European
  Union, CARICOM); ``delegation_id`` is ISO 3166-1 alpha-3 for States, ``EU``
  and ``CARICOM`` for the organisations.
- ``resources/delegation_aliases.csv`` — every code (``alias_kind`` ``code``)
  and name form (``alias_kind`` ``name``) with its resolution: ``exact``,
  ``alias``, ``flagged`` (resolved but worth a look), ``doubtful`` (empty
  ``delegation_id``, candidate in the note) or ``not_a_code``.

Both files are read with ``keep_default_na=False``: Namibia's ISO alpha-2 code
is ``NA``, which a default ``pd.read_csv`` silently turns into a missing value.

Codes are matched case-sensitively (``e`` is a stray letter, not Spain's
``ES``); names are matched ignoring case, accents, punctuation and spacing.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import pandas as pd

from .. import paths
from ..schema import read_text_csv

# Footnote marks and spacing around a code as written: "JM*" → "JM", " * NZ" → "NZ"
_CODE_MARKS = re.compile(r"[\s*]+")
# Runs of anything but ASCII letters/digits in a folded name: "Rep. of Korea" → "rep of korea"
_NAME_PUNCT = re.compile(r"[^0-9a-z]+")

DELEGATION_COLUMNS = ("delegation_id", "name", "iso2", "iso3", "un_regional_group", "kind", "notes")
ALIAS_COLUMNS = ("alias", "alias_kind", "delegation_id", "resolution", "note")


@dataclass(frozen=True)
class CodeResolution:
    code: str  # the code or name as given
    delegation_id: str  # "" when doubtful, not a code or unknown
    resolution: str  # exact / alias / flagged / doubtful / not_a_code / unknown
    note: str


def read_registry_csv(path) -> pd.DataFrame:
    """Read a registry CSV NA-safely (see :func:`treatydrafts.schema.read_text_csv`)."""
    return read_text_csv(path)


@lru_cache(maxsize=1)
def _delegations() -> pd.DataFrame:
    frame = read_registry_csv(paths.REGISTRY)
    return frame.loc[:, list(DELEGATION_COLUMNS)].sort_values("delegation_id", kind="stable").reset_index(drop=True)


@lru_cache(maxsize=1)
def _aliases() -> pd.DataFrame:
    frame = read_registry_csv(paths.ALIASES)
    return frame.loc[:, list(ALIAS_COLUMNS)].sort_values(["alias_kind", "alias"], kind="stable").reset_index(drop=True)


def load_delegations() -> pd.DataFrame:
    """All delegations, sorted by ``delegation_id``; every column ``str``."""
    return _delegations().copy()


def load_aliases() -> pd.DataFrame:
    """All code and name aliases; every column ``str``."""
    return _aliases().copy()


def normalize_name(name: str) -> str:
    """Fold a name form for lookup: no accents, case, punctuation; ``&`` → ``and``.

    ``"Côte d’Ivoire"`` → ``"cote d ivoire"``; ``"EU & its mS"`` → ``"eu and its ms"``.
    """
    decomposed = unicodedata.normalize("NFKD", name)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    folded = stripped.casefold().replace("&", " and ")
    return " ".join(_NAME_PUNCT.sub(" ", folded).split())


def clean_code(code: str) -> str:
    """Strip footnote asterisks and whitespace from a code as written: ``"JM*"`` → ``"JM"``."""
    return _CODE_MARKS.sub("", code)


@lru_cache(maxsize=1)
def _code_table() -> dict[str, tuple[str, str, str]]:
    rows = _aliases()
    codes = rows[rows["alias_kind"] == "code"]
    return {r.alias: (r.delegation_id, r.resolution, r.note) for r in codes.itertuples(index=False)}


@lru_cache(maxsize=1)
def _name_table() -> dict[str, tuple[str, str, str]]:
    rows = _aliases()
    names = rows[rows["alias_kind"] == "name"]
    table: dict[str, tuple[str, str, str]] = {}
    # exact rows first so that a UN short name wins over an alias with the same fold
    for r in sorted(names.itertuples(index=False), key=lambda r: (r.resolution != "exact", r.alias)):
        table.setdefault(normalize_name(r.alias), (r.delegation_id, r.resolution, r.note))
    return table


def resolve_code(code: str) -> CodeResolution:
    """Resolve a delegation code as written in ``ahc4-cnd`` (case-sensitive)."""
    cleaned = clean_code(code)
    marked = "*" in code
    hit = _code_table().get(cleaned)
    if hit is None:
        note = "not in the registry"
        if marked:
            note += "; footnote asterisk stripped"
        return CodeResolution(cleaned, "", "unknown", note)
    delegation_id, resolution, note = hit
    if marked:
        note = f"{note} (written {code.strip()!r}: footnote asterisk stripped)".strip()
    return CodeResolution(cleaned, delegation_id, resolution, note)


def resolve_name(name: str) -> CodeResolution:
    """Resolve a full name form (case-, accent- and punctuation-insensitive)."""
    hit = _name_table().get(normalize_name(name))
    if hit is None:
        return CodeResolution(name, "", "unknown", "name form not in the registry")
    delegation_id, resolution, note = hit
    return CodeResolution(name, delegation_id, resolution, note)


def name_forms() -> dict[str, str]:
    """Every name form as listed in the aliases (UN short names included) → ``delegation_id``."""
    rows = _aliases()
    names = rows[(rows["alias_kind"] == "name") & (rows["delegation_id"] != "")]
    return dict(zip(names["alias"], names["delegation_id"]))
