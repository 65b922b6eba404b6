"""Stable provision ids and the renumbering crosswalk CND → Chair's draft → amended draft → adopted convention.

Three reviewed inputs, all under ``data/``, hold what a person checked:

- ``article_lineage_reviewed.csv`` (the criminalization chapter; read by :mod:`.scope`, whose
  ``article_lineage`` table is passed in here);
- ``article_crosswalk_reviewed.csv`` (this module): the other chapters — CND chapters I and III
  to the Chair's draft (titles and text compared), the Chair's draft to the amended draft outside
  chapter II (same label; the amended draft's new articles marked ``new``, its re-proposal of a
  dropped CND article ``re-proposed``);
- ``adopted_crosswalk_reviewed.csv`` and ``adopted_articles_reviewed.csv``: the Chair's draft to
  the adopted convention (General Assembly resolution 79/243), with the evidence, the sources and
  a confidence (``high`` / ``medium`` / ``low``) per article; see ``docs/crosswalk.md``.

Verbs:

:func:`crosswalk_links`
    the ``article_crosswalk`` table: every link between consecutive drafts of the negotiating
    chain, all chapters (chapter II from ``article_lineage``, the rest from the reviewed file, with
    the same title/text similarity scores as :func:`.scope.similarity`).
:func:`provision_components`
    stable provision ids: the articles joined by kept / renamed / merged / absorbed / split /
    re-proposed links form one provision (a re-proposal bundling several old articles stays a
    provision of its own, as in :func:`.scope.offence_families`).  The id names the provision by
    its anchor article: ``chair-06`` (the Chair's draft article 6, present in every draft that has
    it), else ``cnd-10-bis`` (a CND article the Chair dropped), else ``amended-15-ter`` (proposed at
    the 6th session), else ``adopted-62`` (only in the adopted text).  Ids are derived from the
    vendored drafts' article labels, which never change.
:func:`provisions_table`, :func:`provision_articles_table`, :func:`adopted_articles_table`
    the exported tables.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .. import corpus as _corpus
from .. import paths, schema
from ..parse.titles import display_title
from . import scope as scope_analysis

CND, CHAIR, AMENDED = "ahc4-cnd", "ahc6-chair-draft", "ahc6-amended-draft"
CHAIN = (CND, CHAIR, AMENDED)
PAIRS = ((CND, CHAIR), (CHAIR, AMENDED), (CND, AMENDED))
ADOPTED = "A/RES/79/243"  # the adopted convention: not a vendored document, numbers from public sources
REVIEWED_FILE = "article_crosswalk_reviewed.csv"
ADOPTED_ARTICLES_FILE = "adopted_articles_reviewed.csv"
ADOPTED_CROSSWALK_FILE = "adopted_crosswalk_reviewed.csv"
JOINING = ("same", "renamed", "merged", "absorbed", "split", "re-proposed")
CONFIDENCES = ("high", "medium", "low")
FATES = schema.FATES
ID_PREFIX = {CHAIR: "chair", CND: "cnd", AMENDED: "amended", ADOPTED: "adopted"}
# Anything but a lowercase letter or digit, e.g. the space in "10 bis", the "©" of a damaged label
SLUG_RE = re.compile(r"[^0-9a-z]+")
# A leading article number, e.g. "15" in "15 ter"
NUM_RE = re.compile(r"^(\d+)")
WS_RE = re.compile(r"\s+")


@dataclass(frozen=True)
class Crosswalk:
    """The crosswalk result (tables are validated DataFrames)."""

    links: pd.DataFrame  # article_crosswalk
    provisions: pd.DataFrame  # provisions
    provision_articles: pd.DataFrame  # provision_articles
    adopted_articles: pd.DataFrame  # adopted_articles

    def provision_of(self, doc_id: str, article: str) -> str:
        """The provision id of article ``article`` of ``doc_id`` ("" when unknown)."""
        pa = self.provision_articles
        hit = pa[(pa["doc_id"] == doc_id) & (pa["article"] == article)]
        return str(hit["provision_id"].iloc[0]) if len(hit) else ""

    def relations(self, from_doc: str, to_doc: str) -> dict[tuple[int, int], str]:
        """``(from article_seq, to article_seq) -> relation`` of the links between two drafts."""
        ln = self.links[(self.links["from_doc"] == from_doc) & (self.links["to_doc"] == to_doc)]
        return {(int(a), int(b)): str(r) for a, b, r in zip(ln["from_article_seq"], ln["to_article_seq"], ln["relation"])}

    def counterparts(self, from_doc: str, to_doc: str) -> dict[int, list[int]]:
        """``from article_seq -> [to article_seq, ...]`` (empty list: dropped) along the links."""
        ln = self.links[(self.links["from_doc"] == from_doc) & (self.links["to_doc"] == to_doc)
                        & (self.links["from_article_seq"] > 0)]
        out: dict[int, list[int]] = {}
        for r in ln.sort_values(["from_article_seq", "to_article_seq"]).itertuples(index=False):
            lst = out.setdefault(int(r.from_article_seq), [])
            if r.to_article_seq > 0 and r.relation in JOINING:
                lst.append(int(r.to_article_seq))
        return out


# ---------------------------------------------------------------- reviewed inputs


def read_reviewed(path: Path | None = None) -> pd.DataFrame:
    """The reviewed crosswalk of chapters other than II (same columns as ``article_lineage_reviewed.csv``)."""
    return scope_analysis.read_reviewed(Path(path or paths.DATA / REVIEWED_FILE))


def read_adopted(data_dir: Path | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(adopted articles, Chair's draft → adopted rows)`` as reviewed (text columns, NA-safe)."""
    d = Path(data_dir or paths.DATA)
    return schema.read_text_csv(d / ADOPTED_ARTICLES_FILE), schema.read_text_csv(d / ADOPTED_CROSSWALK_FILE)


# ---------------------------------------------------------------- links


def _scores(drafts: dict, reviewed: pd.DataFrame) -> dict:
    """Similarity matrices (as :func:`.scope.apply_review` takes them) for the reviewed pairs."""
    out = {}
    for a, b in {(r.from_doc, r.to_doc) for r in reviewed.itertuples(index=False)}:
        fa = drafts[a].articles.reset_index(drop=True)
        ta = drafts[b].articles.reset_index(drop=True)
        use_text = a not in scope_analysis.DAMAGED_DOCS and b not in scope_analysis.DAMAGED_DOCS
        ftx = scope_analysis.article_texts(drafts[a], fa["article_seq"])
        ttx = scope_analysis.article_texts(drafts[b], ta["article_seq"])
        s, ts, xs = scope_analysis.similarity(list(fa["title"]), list(ta["title"]), [ftx[k] for k in fa["article_seq"]],
                                              [ttx[k] for k in ta["article_seq"]], use_text=use_text)
        out[(a, b)] = (s, ts, xs, fa, ta)
    return out


def crosswalk_links(lineage: pd.DataFrame, reviewed: pd.DataFrame, drafts: dict) -> pd.DataFrame:
    """The ``article_crosswalk`` table: the chain's links over every chapter.

    ``lineage`` is the scope analysis's ``article_lineage`` (chapter II, reviewed); ``reviewed``
    the reviewed rows of the other chapters; ``drafts`` the parsed drafts of :data:`CHAIN`.
    Rows of pairs outside the chain (the expert proposal) are left out.
    """
    chain = lineage[[(a, b) in PAIRS for a, b in zip(lineage["from_doc"], lineage["to_doc"])]]
    arts = pd.concat([drafts[d].articles for d in CHAIN], ignore_index=True)
    rev = reviewed[reviewed["from_doc"].isin(CHAIN) & reviewed["to_doc"].isin(CHAIN)]
    other = scope_analysis.apply_review(schema.empty_frame("article_lineage"), rev, arts, _scores(drafts, rev))
    df = pd.concat([chain, other], ignore_index=True)
    return schema.validate(df, "article_crosswalk")


# ---------------------------------------------------------------- provisions


def slug(label: str, seq: int) -> str:
    """``"10 bis"`` → ``"10-bis"``; a label not starting with a number keeps its ordinal
    (``"©ter"``, seq 56 → ``"ter-seq56"``); numbers are zero-padded to two digits."""
    s = SLUG_RE.sub("-", label.lower()).strip("-")
    m = NUM_RE.match(s)
    if m:
        return f"{int(m.group(1)):02d}{s[m.end():]}"
    return f"{s}-seq{seq}" if s else f"seq{seq}"


def provision_components(links: pd.DataFrame, articles: pd.DataFrame) -> dict[tuple[str, int], str]:
    """``(doc_id, article_seq) -> provision_id`` for every article of the chain's drafts."""
    arts = articles[articles["doc_id"].isin(CHAIN)]
    order = {d: i for i, d in enumerate(CHAIN)}
    nodes = sorted(zip(arts["doc_id"], arts["article_seq"]), key=lambda n: (order[n[0]], n[1]))
    joined = links[links["relation"].isin(JOINING) & (links["from_article_seq"] > 0) & (links["to_article_seq"] > 0)]
    rp = joined[joined["relation"] == "re-proposed"].groupby(["to_doc", "to_article_seq"]).size()
    bundles = set(rp[rp > 1].index)
    joined = joined.sort_values(["from_doc", "from_article_seq", "to_doc", "to_article_seq"])
    root = scope_analysis.components_by_first(
        nodes, (((r.from_doc, int(r.from_article_seq)), (r.to_doc, int(r.to_article_seq)))
                for r in joined.itertuples(index=False) if (r.to_doc, r.to_article_seq) not in bundles))
    label = dict(zip(zip(arts["doc_id"], arts["article_seq"]), arts["article"]))
    members: dict[tuple, list] = {}
    for n in nodes:
        members.setdefault(root[n], []).append(n)
    out = {}
    for comp in members.values():
        anchor = next((n for d in (CHAIR, CND, AMENDED) for n in comp if n[0] == d))
        pid = f"{ID_PREFIX[anchor[0]]}-{slug(label[anchor], anchor[1])}"
        out.update({n: pid for n in comp})
    return out


def _first_relation(links: pd.DataFrame, doc: str, seq: int) -> tuple[str, bool, str]:
    """How article ``seq`` of ``doc`` relates to the draft before it: (relation, confirmed, note)."""
    if doc == CND:
        return "origin", True, ""
    prev = CND if doc == CHAIR else CHAIR
    ln = links[(links["to_doc"] == doc) & (links["to_article_seq"] == seq)]
    if not len(ln):
        return "new", False, "no link recorded"
    pref = ln[ln["from_doc"] == prev]
    r = (pref if len(pref) else ln).sort_values(["from_article_seq"]).iloc[0]
    rel = str(r["relation"])
    note = str(r["note"])
    if rel == "re-proposed":
        srcs = ", ".join(ln.loc[ln["relation"] == "re-proposed", "from_article"])
        note = f"re-proposes ahc4-cnd art. {srcs}" + (f"; {note}" if note else "")
    return rel, bool(r["confirmed"]), note


def provision_articles_table(links: pd.DataFrame, articles: pd.DataFrame,
                             ids: dict[tuple[str, int], str]) -> pd.DataFrame:
    """The ``provision_articles`` table: one row per article of the chain's drafts."""
    rows = []
    for a in articles[articles["doc_id"].isin(CHAIN)].itertuples(index=False):
        rel, conf, note = _first_relation(links, a.doc_id, int(a.article_seq))
        rows.append({"provision_id": ids[(a.doc_id, int(a.article_seq))], "doc_id": a.doc_id,
                     "article_seq": int(a.article_seq), "article": a.article, "chapter": a.chapter, "title": a.title,
                     "start_line": int(a.start_line), "end_line": int(a.end_line), "relation": rel,
                     "confirmed": conf, "note": note})
    return schema.validate(pd.DataFrame(rows), "provision_articles")


def adopted_articles_table(adopted: pd.DataFrame) -> pd.DataFrame:
    """The ``adopted_articles`` table from the reviewed file."""
    df = pd.DataFrame({
        "adopted_article": adopted["adopted_article"].astype(int), "adopted_title": adopted["adopted_title"],
        "adopted_chapter": adopted["adopted_chapter"], "chapter_title": adopted["chapter_title"],
        "adopted_verified": adopted["verified"], "citation": adopted["source"]})
    return schema.validate(df, "adopted_articles")


def clean_title(title: str) -> str:
    """A title as a reader would quote it: the article's display title (:func:`treatydrafts.parse.titles.
    display_title`: struck runs and delegation proposals removed, the first of adjacent alternative terms
    kept, markdown removed), ``(untitled)`` when nothing is left."""
    return display_title(title) or "(untitled)"


def _join(values) -> str:
    return "; ".join(dict.fromkeys(v for v in values if v))


def provisions_table(pa: pd.DataFrame, chair_to_adopted: pd.DataFrame, adopted: pd.DataFrame) -> pd.DataFrame:
    """The ``provisions`` table: one row per provision, its article in each draft and in the adopted text."""
    c2a = chair_to_adopted.set_index("chair_article")
    adopted_titles = dict(zip(adopted["adopted_article"].astype(int), adopted["adopted_title"]))
    verified = dict(zip(adopted["adopted_article"].astype(int), adopted["verified"]))
    rows = []
    used_adopted: set[int] = set()
    order = {d: i for i, d in enumerate(CHAIN)}
    pa = pa.assign(_o=pa["doc_id"].map(order)).sort_values(["_o", "article_seq"])
    for pid, g in pa.groupby("provision_id", sort=False):
        by = {d: g[g["doc_id"] == d] for d in CHAIN}
        chair = by[CHAIR]
        chair_article = _join(chair["article"])
        row = {"provision_id": pid, "cnd_article": _join(by[CND]["article"]), "chair_article": chair_article,
               "amended_article": _join(by[AMENDED]["article"]), "adopted_article": 0, "adopted_title": "",
               "adopted_relation": "", "adopted_confidence": "", "adopted_verified": "", "citation": ""}
        row["title"] = clean_title(str((chair if len(chair) else g).iloc[0]["title"]))
        row["chapter"] = str((chair if len(chair) else g).iloc[0]["chapter"])
        if len(chair) and chair_article in c2a.index:
            r = c2a.loc[chair_article]
            n = int(r["adopted_article"])
            used_adopted.add(n)
            row.update({"adopted_article": n, "adopted_title": adopted_titles.get(n, r["adopted_title"]),
                        "adopted_relation": r["relation"], "adopted_confidence": r["confidence"],
                        "adopted_verified": verified.get(n, ""), "citation": r["source"]})
            row["fate"] = "in_convention"
        elif len(chair):
            row["fate"] = "not_mapped"  # never: every Chair article is in the reviewed file (tested)
        elif len(by[CND]) and len(by[AMENDED]):
            row["fate"] = "re_proposed"
        elif len(by[CND]):
            row["fate"] = "dropped_by_chair"
        else:
            row["fate"] = "proposed_at_ahc6"
        rows.append(row)
    for a in adopted.itertuples(index=False):
        n = int(a.adopted_article)
        if n in used_adopted:
            continue
        rows.append({"provision_id": f"{ID_PREFIX[ADOPTED]}-{n:02d}", "chapter": a.adopted_chapter,
                     "title": a.adopted_title, "cnd_article": "", "chair_article": "", "amended_article": "",
                     "adopted_article": n, "adopted_title": a.adopted_title, "adopted_relation": "new",
                     "adopted_confidence": "low" if a.verified == "inferred" else "medium",
                     "adopted_verified": a.verified, "citation": a.source, "fate": "new_in_convention"})
    return schema.validate(pd.DataFrame(rows), "provisions")


def compute(lineage: pd.DataFrame | None = None, corpus=None, data_dir: Path | None = None) -> Crosswalk:
    """The crosswalk of ``corpus`` (default: the public API's); ``lineage`` is the scope analysis's
    ``article_lineage`` (computed when not given); reviewed inputs from ``data_dir`` (default ``data/``)."""
    corpus = corpus or _corpus.DEFAULT
    if lineage is None:
        lineage = scope_analysis.compute(corpus=corpus).article_lineage
    data_dir = Path(data_dir or paths.DATA)
    drafts = corpus.load_each(CHAIN)
    links = crosswalk_links(lineage, read_reviewed(data_dir / REVIEWED_FILE), drafts)
    articles = pd.concat([drafts[d].articles for d in CHAIN], ignore_index=True)
    ids = provision_components(links, articles)
    pa = provision_articles_table(links, articles, ids)
    adopted, c2a = read_adopted(data_dir)
    return Crosswalk(links, provisions_table(pa, c2a, adopted), pa, adopted_articles_table(adopted))
