"""The release: ``data/datapackage.json`` (a Frictionless Data Package).

The package is generated from :mod:`treatydrafts.schema` (the one column
dictionary) and ``seeds/catalog.csv`` (the source documents and their
SHA-256); it is never written by hand.  Same inputs, same bytes: keys are in
a fixed order, there is no timestamp, and each resource carries the SHA-256
of its CSV, so the package pins the exact tables it describes.

Only tables whose CSV exists in the data directory are listed
(:func:`missing_tables` names the exported tables that are not there yet);
Parquet copies sit beside each CSV but are not resources of the package.
"""
from __future__ import annotations

import json
from pathlib import Path

from .. import __version__, catalog, paths, schema, store
from ..store import sha256_file

PACKAGE_NAME = "treatydrafts"
PACKAGE_TITLE = "treatydrafts: the UN cybercrime convention negotiation drafts as traceable data"
PACKAGE_DESCRIPTION = (
    "Tables parsed from five drafts of the UN Ad Hoc Committee's negotiation of a cybercrime convention "
    "(2022-2023): chapters, articles, paragraphs, square-bracket spans, proposals and delegation positions, "
    "plus the coalition, criminalization-scope, bracket-density and damaged-text-recovery analyses. Every row carries its document id "
    "and line numbers into the vendored source file (see `sources`, with SHA-256). Each table is also available "
    "as Parquet beside its CSV. The MIT licence covers the code and the derived tables and figures; it does not "
    "cover the source documents (official UN documents and one expert proposal): cite them as listed in "
    "seeds/SOURCES.md."
)
LICENSES = [{"name": "MIT", "path": "https://opensource.org/licenses/MIT", "title": "MIT License"}]
FIELD_TYPES = {"str": "string", "int": "integer", "float": "number", "bool": "boolean"}
# pandas writes booleans as True/False
BOOL_TRUE, BOOL_FALSE = ["True"], ["False"]


def exported_tables() -> list[schema.Table]:
    """Every table the build writes to ``data/``, in schema order."""
    return [t for t in schema.TABLES.values() if t.exported]


def missing_tables(data_dir: Path | None = None) -> list[str]:
    """Exported tables whose CSV is not (yet) in ``data_dir``."""
    data_dir = Path(data_dir or paths.DATA)
    return [t.name for t in exported_tables() if not (data_dir / f"{t.name}.csv").exists()]


def table_schema(t: schema.Table) -> dict:
    """The Table Schema of one table (fields, types, descriptions, primary key)."""
    fields = []
    for c in t.columns:
        f = {"name": c.name, "type": FIELD_TYPES[c.dtype], "description": c.meaning}
        if c.dtype == "bool":
            f["trueValues"], f["falseValues"] = BOOL_TRUE, BOOL_FALSE
        if c.name in t.primary_key:
            f["constraints"] = {"required": True}
        fields.append(f)
    out = {
        "fields": fields,
        # missing text is the empty string, never NaN: nothing is a missing value
        # (and Namibia's ``NA`` stays a string)
        "missingValues": [],
    }
    if t.primary_key:
        out["primaryKey"] = list(t.primary_key)
    if t.name != "documents" and "doc_id" in t.names:
        out["foreignKeys"] = [{"fields": "doc_id", "reference": {"resource": "documents", "fields": "doc_id"}}]
    return out


def resource(t: schema.Table, csv_path: Path) -> dict:
    return {
        "name": t.name,
        "path": csv_path.name,
        "profile": "tabular-data-resource",
        "title": t.name.replace("_", " "),
        "description": t.description,
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "bytes": csv_path.stat().st_size,
        "hash": "sha256:" + sha256_file(csv_path),
        "schema": table_schema(t),
    }


def sources() -> list[dict]:
    """The source documents, from ``seeds/catalog.csv`` (with SHA-256)."""
    out = []
    for doc_id in catalog.doc_ids():
        row = catalog.entry(doc_id)
        src = {"title": row["title"], "path": f"../seeds/{row['file']}", "doc_id": doc_id,
               "sha256": row["sha256"], "date": row["date"], "kind": row["kind"], "session": row["session"]}
        if row.get("un_symbol"):
            src["un_symbol"] = row["un_symbol"]
        out.append(src)
    return out


def package_descriptor(data_dir: Path | None = None) -> dict:
    """The Data Package descriptor for the tables present in ``data_dir``."""
    data_dir = Path(data_dir or paths.DATA)
    resources = [resource(t, data_dir / f"{t.name}.csv") for t in exported_tables()
                 if (data_dir / f"{t.name}.csv").exists()]
    names = {r["name"] for r in resources}
    if "documents" not in names:  # foreign keys point at it
        for r in resources:
            r["schema"].pop("foreignKeys", None)
    return {
        "profile": "tabular-data-package",
        "name": PACKAGE_NAME,
        "title": PACKAGE_TITLE,
        "description": PACKAGE_DESCRIPTION,
        "version": __version__,
        "licenses": LICENSES,
        "contributors": [{"title": "The treatydrafts contributors", "role": "author"}],
        "keywords": ["United Nations", "cybercrime convention", "treaty negotiation", "text as data"],
        "sources": sources(),
        "resources": resources,
    }


def dumps(descriptor: dict) -> str:
    return json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n"


def write_package(data_dir: Path | None = None) -> Path:
    data_dir = Path(data_dir or paths.DATA)
    return store.write_text_atomic(data_dir / "datapackage.json", dumps(package_descriptor(data_dir)))
