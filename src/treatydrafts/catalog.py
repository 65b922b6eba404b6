"""The catalogue of source documents (``seeds/catalog.csv``)."""
from __future__ import annotations

import csv
import functools

from . import paths
from .errors import SourceNotFoundError, UnknownDocumentError


@functools.lru_cache(maxsize=1)
def _rows() -> tuple[dict, ...]:
    try:
        with open(paths.CATALOG, encoding="utf-8", newline="") as fh:
            rows = list(csv.DictReader(fh))
    except FileNotFoundError:
        raise SourceNotFoundError(paths.CATALOG, "catalogue not found; restore it, e.g. `git checkout -- seeds/`") \
            from None
    for r in rows:
        r["session_order"] = int(r["session_order"])
    return tuple(sorted(rows, key=lambda r: r["session_order"]))


def doc_ids() -> list[str]:
    """Document ids in session order."""
    return [r["doc_id"] for r in _rows()]


def entry(doc_id: str) -> dict:
    """The catalogue row of ``doc_id``; raises :class:`UnknownDocumentError`."""
    for r in _rows():
        if r["doc_id"] == doc_id:
            return dict(r)
    raise UnknownDocumentError(doc_id, doc_ids())


def check_doc_id(doc_id) -> str:
    if not isinstance(doc_id, str) or doc_id not in doc_ids():
        raise UnknownDocumentError(str(doc_id), doc_ids())
    return doc_id
