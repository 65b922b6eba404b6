"""The release: ``data/datapackage.json`` (a Frictionless Data Package).

The package is generated from :mod:`treatydrafts.schema` (the one column
dictionary) and ``seeds/catalog.csv`` (the source documents and their
SHA-256); it is never written by hand.  Same inputs, same bytes: keys are in
a fixed order, there is no timestamp, and each resource carries the SHA-256
of its CSV, so the package pins the exact tables it describes.

Every table is two resources with the same Table Schema: ``<table>`` (the
CSV) and ``<table>-parquet`` (its Parquet copy).  Only tables whose CSV
exists in the data directory are listed (:func:`missing_tables` names the
exported tables that are not there yet).  Fields carry their types (dates as
``date``), the primary key, foreign keys (``doc_id`` → ``documents``,
delegation ids → ``delegations``) and, per field, what counts as missing:
nothing for text (Namibia's ``NA`` and ``""`` are values), the empty cell
for the nullable counts and for a delegation id left unresolved (``""``, so
the foreign key does not apply).  Tables and figures are CC-BY-4.0, the code
MIT.
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
    "as Parquet (resource `<table>-parquet`, same schema). The tables and figures are licensed under CC-BY-4.0 "
    "(LICENSE-DATA); the code that produced them, the treatydrafts Python package, under MIT (LICENSE). Neither "
    "licence covers the source documents (official UN documents and one expert proposal): cite them as listed in "
    "seeds/SOURCES.md."
)
LICENSES = [{"name": "CC-BY-4.0", "path": "https://creativecommons.org/licenses/by/4.0/",
             "title": "Creative Commons Attribution 4.0 International"}]
FIELD_TYPES = {"str": "string", "int": "integer", "float": "number", "bool": "boolean"}
PARQUET_SUFFIX = "-parquet"
# pandas writes booleans as True/False
BOOL_TRUE, BOOL_FALSE = ["True"], ["False"]


def exported_tables() -> list[schema.Table]:
    """Every table the build writes to ``data/``, in schema order."""
    return [t for t in schema.TABLES.values() if t.exported]


def missing_tables(data_dir: Path | None = None) -> list[str]:
    """Exported tables whose CSV is not (yet) in ``data_dir``."""
    data_dir = Path(data_dir or paths.DATA)
    return [t.name for t in exported_tables() if not (data_dir / f"{t.name}.csv").exists()]


def field_type(c: schema.Column) -> str:
    return "date" if schema.FIELDS[c.name].is_date else FIELD_TYPES[c.dtype]


def foreign_keys(t: schema.Table, present: set[str]) -> list[dict]:
    """Foreign keys of ``t`` to the tables in ``present`` (from :attr:`schema.Field.references`)."""
    out = []
    for c in t.columns:
        table, _, column = schema.FIELDS[c.name].references.partition(".")
        if table and table != t.name and table in present:
            out.append({"fields": c.name, "reference": {"resource": table, "fields": column}})
    return out


def table_schema(t: schema.Table, present: set[str] | None = None) -> dict:
    """The Table Schema of one table (fields, types, descriptions, missing values, primary and
    foreign keys to the tables in ``present``, default: every exported table)."""
    present = {x.name for x in exported_tables()} if present is None else present
    keys = foreign_keys(t, present)
    fields = []
    for c in t.columns:
        f = {"name": c.name, "type": field_type(c), "description": c.meaning}
        if c.dtype == "bool":
            f["trueValues"], f["falseValues"] = BOOL_TRUE, BOOL_FALSE
        if c.name in t.primary_key:
            f["constraints"] = {"required": True}
        if c.nullable or (c.name not in t.primary_key and any(k["fields"] == c.name for k in keys)
                          and c.dtype == "str"):
            # an empty cell is missing here: a count that does not apply, or a reference left empty
            f["missingValues"] = [""]
        fields.append(f)
    out = {
        "fields": fields,
        # elsewhere nothing is a missing value: empty text is "" and Namibia's ``NA`` stays a string
        "missingValues": [],
    }
    if t.primary_key:
        out["primaryKey"] = list(t.primary_key)
    if keys:
        out["foreignKeys"] = keys
    return out


def resource(t: schema.Table, csv_path: Path, present: set[str] | None = None) -> dict:
    """The CSV resource of ``t``."""
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
        "schema": table_schema(t, present),
    }


def parquet_resource(t: schema.Table, pq_path: Path, present: set[str] | None = None) -> dict:
    """The Parquet copy of ``t`` (same rows and Table Schema as the CSV)."""
    return {
        "name": t.name + PARQUET_SUFFIX,
        "path": pq_path.name,
        "profile": "tabular-data-resource",
        "title": t.name.replace("_", " ") + " (Parquet)",
        "description": f"Parquet copy of `{t.name}` (same rows, typed columns, nulls for missing counts). "
                       + t.description,
        "format": "parquet",
        "mediatype": "application/vnd.apache.parquet",
        # no "bytes": frictionless reads Parquet through pyarrow and cannot count them (it would
        # report a byte-count error); the hash is kept for other tools (tests check it)
        "hash": "sha256:" + sha256_file(pq_path),
        "schema": table_schema(t, present),
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
    tables = [t for t in exported_tables() if (data_dir / f"{t.name}.csv").exists()]
    present = {t.name for t in tables}  # foreign keys only to tables that are there
    resources = [resource(t, data_dir / f"{t.name}.csv", present) for t in tables]
    resources += [parquet_resource(t, data_dir / f"{t.name}.parquet", present) for t in tables
                  if (data_dir / f"{t.name}.parquet").exists()]
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
