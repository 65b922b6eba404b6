"""Criminalization scope: offence classifier, article lineage, offence inventory.

Verbs (pure functions) in three groups:

- **classify** — :func:`classify_article` decides from an article's title and
  text lines whether it establishes a criminal offence, belongs to the general
  part (liability of legal persons, participation and attempt, intent, statute
  of limitations, sanctions / prosecution, jurisdiction), is a bridging clause
  (offences under other international treaties) or is something else; it
  returns the matched wording and its line as evidence.
  :func:`categorise_offence` codes an offence as cyber-dependent,
  cyber-enabled, content-related or other (codebook: notebook 02).
- **match** — :func:`similarity` scores article pairs of two drafts (TF-IDF
  cosine of titles and texts), :func:`auto_links` proposes a crosswalk, and
  :func:`apply_review` overlays the hand-reviewed crosswalk
  (``data/article_lineage_reviewed.csv``) to give the ``article_lineage`` table.
- **measure** — :func:`offence_inventory`, :func:`scope_measures`,
  :func:`offence_reproposals` and the figures.

Tables are read through the API (``td.load``); nothing here re-parses sources.
The text of ``ahc6-amended-draft`` lost ~39% of its characters, so its articles
are classified and matched on their (intact ASCII) headings, and classes that
cannot be read from a damaged heading are inherited through a reviewed lineage
link (``evidence_source == "lineage"``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import networkx as nx
import numpy as np
import pandas as pd
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics.pairwise import cosine_similarity

from .. import corpus as _corpus
from .. import paths, schema
from ..vocab import DOC_LABEL_FLOWS

# ---------------------------------------------------------------- regexes

# Operative criminalizing wording, e.g. "establish as criminal offences",
# "establish as a criminal offence", "establish as [a] criminal offence", "to criminalize"
OPERATIVE_RE = re.compile(
    r"establish(?:es|ing)?\s+as\s+(?:\[?an?\]?\s+)?(?:criminal\s+)?offen[cs]es?\b"
    r"|\bcriminali[sz]e\b"
    r"|\bestablish(?:es|ing)?\s+as\s+criminal\b"
)
# Bridging clause in the text, e.g. "offences established in accordance with applicable
# international conventions", "offences under other international treaties"
BRIDGING_TEXT_RE = re.compile(
    r"offen[cs]es\s+(?:established\s+)?(?:in\s+accordance\s+with|under)\s+(?:the\s+)?(?:applicable\s+)?"
    r"(?:other\s+)?(?:relevant\s+)?international\s+(?:conventions|treaties|instruments)"
)
# Bridging clause in a title, e.g. "Offences relating to other international treaties"
BRIDGING_TITLE_RE = re.compile(r"other\s+international\s+(?:treaties|conventions|instruments)")
# General-part titles, in order, e.g. "Liability of legal persons", "Corporate liability",
# "Participation and attempt", "Knowledge, intent and purpose as elements of an offence",
# "Statute of limitations", "Prosecution, adjudication and sanctions", "Jurisdiction"
GENERAL_PART_TITLES: tuple[tuple[str, re.Pattern], ...] = (
    ("legal_persons", re.compile(r"liability\s+of\s+legal\s+persons|corporate\s+liability")),
    ("participation_attempt", re.compile(r"participation\s+and\b|\battempt\b")),
    ("intent", re.compile(r"knowledge,?\s+intent|elements\s+of\s+an\s+offen[cs]e")),
    ("limitations", re.compile(r"statute\s+of\s+limitations?")),
    ("sanctions", re.compile(r"prosecution|adjudication|\bsanctions\b")),
    ("jurisdiction", re.compile(r"^\W*jurisdiction\b")),
)
# Offence wording in a title (fallback when the text is damaged), e.g. "Illegal access",
# "Misuse of devices", "Computer-related forgery", "Terrorism-related offences"
OFFENCE_TITLE_RE = re.compile(
    r"\boffen[cs]es?\b|\billegal\b|\billicit\b|\bunlawful\b|\bmisuse\b|\bforgery\b|\bforged\b|\bfraud\b"
    r"|\btheft\b|\binterference\b|\binterception\b|\binfringement\b|\blaundering\b|\bgrooming\b"
    r"|\bsolicitation\b|\bextortion\b|\bdissemination\b|\bcyberstalking\b|\btrafficking\b|\bincitement\b"
    r"|\bviolation\b|\bencouragement\b|\binvolvement\s+of\s+minors\b|\bobstruction\b|\bdenial\b"
    r"|\bfacilitation\b|\bsabotage\b|\bacts\s+threatening\b|\bunlawful\s+acts\b"
)
# Category rules on the normalised title, first match wins (codebook in notebook 02).
CATEGORY_RULES: tuple[tuple[str, re.Pattern], ...] = (
    # "Illegal access", "Interference with [computer data]", "Misuse of devices",
    # "Unlawful interference with critical information infrastructure", "Unlawful provision of service"
    ("cyber-dependent", re.compile(r"illegal\s+access|interception|interference|misuse\s+of|sabotage"
                                   r"|critical\s+information\s+infrastructure|website\s+design|provision\s+of\s+services?")),
    # crimes against a person committed through ICT: "Sexual extortion", "Cyberstalking of a child",
    # "Solicitation of a child for sexual purposes", "Involvement of minors ..."
    ("cyber-enabled", re.compile(r"extortion|stalking|grooming|solicitation|luring|preparatory\s+acts"
                                 r"|procuring\s+of\s+a\s+child|involvement\s+of\s+minors")),
    # defined by the content of information: "child sexual abuse ... material", "child pornography",
    # "intimate images", "Extremism-related offences", "Terrorism-related offences", "false information"
    ("content-related", re.compile(r"child\s+(?:sexual|pornograph|abuse)|pornograph|intimate\s+images?"
                                   r"|extremis|terroris|genocide|subversive|false\s+information"
                                   r"|incitement|suicide|child\s+abuse")),
    # traditional property / identity crimes scaled up by ICT: "Computer-related forgery", "fraud",
    # "theft", "Illicit use of electronic payment instruments", "Identity-related offences", "copyright"
    ("cyber-enabled", re.compile(r"forg|fraud|theft|payment|personal\s+(?:information|data)|identity|copyright")),
    # not ICT-specific: "Money-laundering", "Obstruction of justice", "narcotic drugs", "arms trafficking",
    # "counterfeit medicines", "Acts threatening public safety", "Other unlawful acts", "trafficking of drugs"
    ("other", re.compile(r"launder|obstruction|narcotic|drugs|arms|counterfeit|public\s+safety"
                         r"|other\s+unlawful|trafficking")),
)
# Strikethrough markers "~~", markdown emphasis "*", and bracket characters in titles
TITLE_NOISE_RE = re.compile(r"~~|[*\[\]{}]")
# Delegation codes in CND titles, e.g. ": HS", "IO", "EU, UK"
CODE_RE = re.compile(r"\b[A-Z]{2}\b")
# A suffixed article label inserted into the base numbering, e.g. "10 bis", "18 alt", "15 octies"
SUFFIX_LABEL_RE = re.compile(r"^\d+\s*\S")
# A chapter title on criminalization, e.g. "Criminalization", "Criminalisation"
CRIM_CHAPTER_RE = re.compile(r"criminali[sz]ation", re.I)
# A plain subparagraph label, e.g. "(a)", "(b)" (not "(a) bis", not "(ii)")
PLAIN_SUBPAR_RE = re.compile(r"^\(?[a-h]\)$")
# A paragraph that is itself a delegation proposal or struck text, e.g. "[2. bis …", "~~(a) …", "{4. …"
PROPOSED_PAR_RE = re.compile(r"^\W{0,3}[\[{~]")
# Whitespace run
WS_RE = re.compile(r"\s+")

# ---------------------------------------------------------------- documents

NEGOTIATING = ("ahc4-cnd", "ahc6-chair-draft", "ahc6-amended-draft")
WITH_EXPERT = ("ahc4-cnd", "expert-2023-proposal", "ahc6-chair-draft", "ahc6-amended-draft")
EXPERT = "expert-2023-proposal"
AMENDED = "ahc6-amended-draft"
DAMAGED_DOCS = frozenset({AMENDED})  # text ~39% lost: match on headings
# Document pairs the matcher links (earlier → later).  ahc4-cnd → ahc6-amended-draft holds
# only re-proposals (articles dropped in the Chair's draft and proposed again).
PAIRS = (
    ("ahc4-cnd", "ahc6-chair-draft"),
    ("ahc4-cnd", "ahc6-amended-draft"),
    ("ahc6-chair-draft", "ahc6-amended-draft"),
    ("ahc4-cnd", "expert-2023-proposal"),
    ("expert-2023-proposal", "ahc6-chair-draft"),
)
REVIEWED_FILE = "article_lineage_reviewed.csv"
# Whose title names a family in the inventory figure (cleanest headings first)
TITLE_PREFERENCE = ("ahc6-chair-draft", "expert-2023-proposal", "ahc4-cnd", "ahc6-amended-draft")
THRESHOLD = 0.35  # automatic link when the combined score reaches this
KEPT = ("same", "renamed")
MERGED = ("merged", "absorbed")


# ---------------------------------------------------------------- classify


@dataclass(frozen=True)
class Classification:
    article_class: str  # offence / general_part / bridging / other
    general_part_kind: str
    evidence: str
    evidence_line: int
    evidence_source: str  # text / title / none


def normalise_title(title: str) -> str:
    """Lower-case title without strike markers, brackets, emphasis or delegation codes."""
    t = CODE_RE.sub(" ", TITLE_NOISE_RE.sub(" ", title))
    return WS_RE.sub(" ", t).strip(" .:;,-–").lower()


def _find_in_lines(pattern: re.Pattern, lines: Sequence[tuple[int, str]]) -> tuple[str, int] | None:
    """First match of ``pattern`` in the joined lines (lower-cased), with its line."""
    if not lines:
        return None
    text = "\n".join(t for _, t in lines).lower()
    m = pattern.search(text)
    if not m:
        return None
    k = text.count("\n", 0, m.start())
    return WS_RE.sub(" ", m.group(0)), lines[k][0]


def classify_article(title: str, lines: Sequence[tuple[int, str]] = (), heading_line: int = 0,
                     text_intact: bool = True) -> Classification:
    """Class of one article, with evidence.

    ``lines`` are the article's own text lines as ``(line_number, text)``.
    Order of the rules: a general-part title; a bridging title or text; the
    operative criminalizing wording in the text ("establish as criminal
    offences"); offence wording in the title (the only evidence when the text
    is damaged: ``text_intact=False`` skips the text rules); otherwise `other`.
    """
    t = normalise_title(title)
    for kind, rx in GENERAL_PART_TITLES:
        m = rx.search(t)
        if m:
            return Classification("general_part", kind, m.group(0).strip(), heading_line, "title")
    m = BRIDGING_TITLE_RE.search(t)
    if m:
        return Classification("bridging", "", m.group(0), heading_line, "title")
    if text_intact:
        hit = _find_in_lines(BRIDGING_TEXT_RE, lines)
        op = _find_in_lines(OPERATIVE_RE, lines)
        if hit and not OFFENCE_TITLE_RE.search(t):
            return Classification("bridging", "", hit[0], hit[1], "text")
        if op:
            return Classification("offence", "", op[0], op[1], "text")
    m = OFFENCE_TITLE_RE.search(t)
    if m:
        return Classification("offence", "", m.group(0), heading_line, "title")
    return Classification("other", "", "", 0, "none")


def categorise_offence(title: str) -> tuple[str, str]:
    """``(category, matched wording)`` of an offence from its title; ``("", "")`` when no rule fits."""
    t = normalise_title(title)
    for cat, rx in CATEGORY_RULES:
        m = rx.search(t)
        if m:
            return cat, m.group(0)
    return "", ""


def article_lines(draft) -> dict[int, list[tuple[int, str]]]:
    """``article_seq -> [(line, text), ...]`` of the paragraph lines of a draft (from its tables)."""
    lines = draft.lines
    out: dict[int, list[tuple[int, str]]] = {}
    par_lines = lines[lines["paragraph_seq"] > 0].sort_values("line")
    by_par = {k: list(g["line"]) for k, g in par_lines.groupby("paragraph_seq", sort=True)}
    for row in draft.paragraphs.sort_values("paragraph_seq").itertuples(index=False):
        if not row.article_seq:
            continue
        texts = row.text.split("\n")
        nums = by_par.get(row.paragraph_seq, [])
        if len(nums) != len(texts):
            nums = [row.start_line + i for i in range(len(texts))]
        out.setdefault(row.article_seq, []).extend(zip(nums, texts))
    return out


def classify_articles(draft) -> pd.DataFrame:
    """The ``article_classes`` table of one draft (every article)."""
    lines_of = article_lines(draft)
    rows = []
    for a in draft.articles.itertuples(index=False):
        c = classify_article(a.title, lines_of.get(a.article_seq, []), a.heading_line,
                             text_intact=a.doc_id not in DAMAGED_DOCS)
        rows.append({"doc_id": a.doc_id, "article_seq": a.article_seq, "article": a.article, "chapter": a.chapter,
                     "title": a.title, "article_class": c.article_class, "general_part_kind": c.general_part_kind,
                     "is_offence": c.article_class == "offence", "evidence": c.evidence,
                     "evidence_line": c.evidence_line, "evidence_source": c.evidence_source})
    df = pd.DataFrame(rows) if rows else schema.empty_frame("article_classes")
    return schema.validate(df, "article_classes")


def criminalization_chapter(draft) -> str | None:
    """Label of the criminalization chapter of a draft, or None when it has none."""
    ch = draft.chapters
    hit = ch[ch["title"].map(lambda s: bool(CRIM_CHAPTER_RE.search(s)))]
    if len(hit):
        return str(hit.iloc[0]["chapter"])
    return None


def count_conducts(paragraphs: pd.DataFrame) -> int:
    """Prohibited conducts in one offence article (see ``offence_inventory.n_conducts``)."""
    n_sub = n_oper = 0
    under_operative = False
    for row in paragraphs.sort_values("paragraph_seq").itertuples(index=False):
        label = row.paragraph.strip()
        proposed = bool(PROPOSED_PAR_RE.match(row.text))
        if PLAIN_SUBPAR_RE.match(label):
            if under_operative and not proposed:
                n_sub += 1
            continue
        operative = bool(OPERATIVE_RE.search(row.text.lower())) and not proposed
        under_operative = operative
        n_oper += operative
    return n_sub if n_sub else max(1, n_oper)


def offence_inventory_of(draft, session_order: int, classes: pd.DataFrame | None = None) -> pd.DataFrame:
    """Inventory rows of one draft (articles of its criminalization chapter); empty when it has none."""
    chapter = criminalization_chapter(draft)
    if chapter is None:
        return schema.empty_frame("offence_inventory")
    classes = classify_articles(draft) if classes is None else classes
    arts = draft.articles[draft.articles["chapter"] == chapter]
    cls = classes.set_index("article_seq")
    damaged = draft.doc_id in DAMAGED_DOCS if len(draft.doc_ids) == 1 else False
    rows = []
    for a in arts.itertuples(index=False):
        c = cls.loc[a.article_seq]
        suffixed = bool(SUFFIX_LABEL_RE.match(a.article)) and not a.article.isdigit()
        is_prop = bool(a.is_proposed) or suffixed
        rule = "segmenter" if a.is_proposed else ("label suffix" if suffixed else "")
        cat, cat_rule = categorise_offence(a.title) if c["is_offence"] else ("", "")
        if c["is_offence"]:
            pars = draft.paragraphs[draft.paragraphs["article_seq"] == a.article_seq]
            n_conducts = None if damaged else count_conducts(pars)  # not measurable in damaged text
        else:
            n_conducts = 0
        rows.append({"doc_id": a.doc_id, "article_seq": a.article_seq, "article": a.article,
                     "session_order": session_order, "chapter": a.chapter, "title": a.title,
                     "is_offence": bool(c["is_offence"]), "is_proposed": is_prop, "proposed_rule": rule,
                     "article_class": c["article_class"], "general_part_kind": c["general_part_kind"],
                     "category": cat, "category_rule": cat_rule, "evidence": c["evidence"],
                     "evidence_line": int(c["evidence_line"]), "evidence_source": c["evidence_source"],
                     "start_line": a.start_line, "end_line": a.end_line, "n_words": a.n_words,
                     "n_conducts": n_conducts})
    df = pd.DataFrame(rows) if rows else schema.empty_frame("offence_inventory")
    return schema.validate(df, "offence_inventory")


# ---------------------------------------------------------------- match


def article_texts(draft, seqs: Iterable[int]) -> dict[int, str]:
    """Text of each article (its paragraphs joined), for similarity."""
    pars = draft.paragraphs.sort_values("paragraph_seq")
    out = {s: "" for s in seqs}
    for seq, g in pars.groupby("article_seq", sort=True):
        if seq in out:
            out[seq] = "\n".join(g["text"])
    return out


def similarity(from_titles: Sequence[str], to_titles: Sequence[str], from_texts: Sequence[str] = (),
               to_texts: Sequence[str] = (), use_text: bool = True) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(score, title_score, text_score)`` matrices (from × to).

    Titles: TF-IDF cosine on character 3–5-grams of the normalised titles
    (robust to renaming by a word and to damaged letters).  Texts: TF-IDF
    cosine on words.  ``score`` = mean of both when ``use_text``, else the title
    score alone.  Deterministic (no randomness in TF-IDF).
    """
    nf, nt = len(from_titles), len(to_titles)
    if nf == 0 or nt == 0:
        z = np.zeros((nf, nt))
        return z, z.copy(), z.copy()
    ft = [normalise_title(t) or "-" for t in from_titles]
    tt = [normalise_title(t) or "-" for t in to_titles]
    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5)).fit(ft + tt)
    ts = cosine_similarity(vec.transform(ft), vec.transform(tt))
    xs = np.zeros((nf, nt))
    if use_text and len(from_texts) == nf and len(to_texts) == nt:
        fx = [CODE_RE.sub(" ", t).lower() for t in from_texts]
        tx = [CODE_RE.sub(" ", t).lower() for t in to_texts]
        if any(w.strip() for w in fx + tx):
            v2 = TfidfVectorizer(analyzer="word", stop_words="english", sublinear_tf=True).fit(fx + tx)
            xs = cosine_similarity(v2.transform(fx), v2.transform(tx))
    score = (ts + xs) / 2 if use_text else ts
    return np.round(score, 4), np.round(ts, 4), np.round(xs, 4)


def auto_links(from_arts: pd.DataFrame, to_arts: pd.DataFrame, score: np.ndarray, title_score: np.ndarray,
               text_score: np.ndarray, threshold: float = THRESHOLD, earlier: pd.DataFrame | None = None,
               earlier_score: np.ndarray | None = None) -> pd.DataFrame:
    """Automatic crosswalk between two drafts (rows of ``article_lineage``, method ``auto``).

    ``from_arts`` / ``to_arts``: articles (doc_id, article_seq, article, title)
    in the order of the score matrices.  Each from-article goes to its best
    to-article when the score reaches ``threshold`` (`same` when the
    normalised titles are equal, else `renamed`; `merged` when several
    from-articles land on one to-article), else it is `dropped`.  To-articles
    nobody reached are `new`, or `re-proposed` when ``earlier`` (articles of an
    older draft, with ``earlier_score`` = earlier × to) holds a match.
    """
    rows = []
    fa = from_arts.reset_index(drop=True)
    ta = to_arts.reset_index(drop=True)
    from_doc = str(fa["doc_id"].iloc[0]) if len(fa) else ""
    to_doc = str(ta["doc_id"].iloc[0]) if len(ta) else ""
    best_to: dict[int, int] = {}
    for i in range(len(fa)):
        if len(ta) and score[i].max() >= threshold:
            best_to[i] = int(np.argmax(score[i]))  # first maximum: deterministic
    targets: dict[int, list[int]] = {}
    for i, j in best_to.items():
        targets.setdefault(j, []).append(i)
    for i in range(len(fa)):
        f = fa.iloc[i]
        if i in best_to:
            j = best_to[i]
            t = ta.iloc[j]
            if len(targets[j]) > 1:
                rel = "merged"
            elif normalise_title(f["title"]) == normalise_title(t["title"]):
                rel = "same"
            else:
                rel = "renamed"
            rows.append(_link(f, t, rel, score[i, j], title_score[i, j], text_score[i, j], "best match"))
        else:
            best = float(score[i].max()) if len(ta) else 0.0
            rows.append(_link(f, None, "dropped", best, 0.0, 0.0, f"no match >= {threshold}", to_doc=to_doc))
    reached = set(best_to.values())
    for j in range(len(ta)):
        if j in reached:
            continue
        t = ta.iloc[j]
        best = float(score[:, j].max()) if len(fa) else 0.0
        if earlier is not None and earlier_score is not None and len(earlier) and earlier_score[:, j].max() >= threshold:
            k = int(np.argmax(earlier_score[:, j]))
            e = earlier.reset_index(drop=True).iloc[k]
            rows.append(_link(e, t, "re-proposed", earlier_score[k, j], earlier_score[k, j], 0.0,
                              "no match in the previous draft; matches an earlier article"))
        else:
            rows.append(_link(None, t, "new", best, 0.0, 0.0, "no predecessor", from_doc=from_doc))
    df = pd.DataFrame(rows) if rows else schema.empty_frame("article_lineage")
    return schema.validate(df, "article_lineage")


def _link(f, t, relation: str, score: float, title_score: float, text_score: float, note: str,
          from_doc: str = "", to_doc: str = "", method: str = "auto", confirmed: bool = False) -> dict:
    return {
        "from_doc": str(f["doc_id"]) if f is not None else from_doc,
        "from_article_seq": int(f["article_seq"]) if f is not None else 0,
        "from_article": str(f["article"]) if f is not None else "",
        "from_title": str(f["title"]) if f is not None else "",
        "to_doc": str(t["doc_id"]) if t is not None else to_doc,
        "to_article_seq": int(t["article_seq"]) if t is not None else 0,
        "to_article": str(t["article"]) if t is not None else "",
        "to_title": str(t["title"]) if t is not None else "",
        "relation": relation, "score": round(float(score), 4), "title_score": round(float(title_score), 4),
        "text_score": round(float(text_score), 4), "method": method, "confirmed": confirmed, "note": note,
    }


def read_reviewed(path: Path | None = None) -> pd.DataFrame:
    """The hand-reviewed crosswalk (labels, relation, confirmed, note), NA-safe."""
    path = Path(path or paths.DATA / REVIEWED_FILE)
    df = schema.read_text_csv(path)
    df["confirmed"] = df["confirmed"].str.lower().isin(["true", "1", "yes"])
    return df


def apply_review(auto: pd.DataFrame, reviewed: pd.DataFrame, articles: pd.DataFrame,
                 scores: dict[tuple[str, str], tuple[np.ndarray, np.ndarray, np.ndarray, pd.DataFrame, pd.DataFrame]]) -> pd.DataFrame:
    """The ``article_lineage`` table: reviewed links replace the automatic ones.

    A reviewed row covers a from-article in a document pair (or a to-article,
    for `new` / `re-proposed` rows); every automatic row of a covered article
    is replaced by the reviewed rows.  Automatic rows nobody reviewed stay with
    ``confirmed`` false.  Reviewed rows whose articles cannot be found are
    kept unconfirmed with a note (never dropped silently).
    """
    key = articles.set_index(["doc_id", "article"])
    rows = []
    covered_from: set[tuple[str, str, str]] = set()
    covered_to: set[tuple[str, str, str]] = set()
    for r in reviewed.itertuples(index=False):
        f = key.loc[(r.from_doc, r.from_article)] if r.from_article and (r.from_doc, r.from_article) in key.index else None
        t = key.loc[(r.to_doc, r.to_article)] if r.to_article and (r.to_doc, r.to_article) in key.index else None
        note = r.note
        confirmed = bool(r.confirmed)
        if (r.from_article and f is None) or (r.to_article and t is None):
            note = f"unresolved: article label not found in the tables; {note}".strip("; ")
            confirmed = False
        sc = ts = xs = 0.0
        pair = scores.get((r.from_doc, r.to_doc))
        if pair is not None:
            s, tsm, xsm, fa, ta = pair
            fi = _index_of(fa, f)
            ti = _index_of(ta, t)
            if fi is not None and ti is not None:
                sc, ts, xs = s[fi, ti], tsm[fi, ti], xsm[fi, ti]
            elif fi is not None and len(ta):
                sc = s[fi].max()
            elif ti is not None and len(fa):
                sc = s[:, ti].max()
        fr = None if f is None else {"doc_id": r.from_doc, "article_seq": int(f["article_seq"]), "article": r.from_article,
                                     "title": f["title"]}
        to = None if t is None else {"doc_id": r.to_doc, "article_seq": int(t["article_seq"]), "article": r.to_article,
                                     "title": t["title"]}
        row = _link(fr, to, r.relation, sc, ts, xs, note, from_doc=r.from_doc, to_doc=r.to_doc,
                    method="reviewed", confirmed=confirmed)
        if fr is None and r.from_article:
            row["from_article"] = r.from_article
        if to is None and r.to_article:
            row["to_article"] = r.to_article
        rows.append(row)
        if r.from_article:
            covered_from.add((r.from_doc, r.to_doc, r.from_article))
        if r.to_article:
            covered_to.add((r.from_doc, r.to_doc, r.to_article))
            if r.relation == "re-proposed":
                covered_to.add(("ahc6-chair-draft", r.to_doc, r.to_article))
    for r in auto.to_dict("records"):
        if r["from_article"] and (r["from_doc"], r["to_doc"], r["from_article"]) in covered_from:
            continue
        if r["to_article"] and (r["from_doc"], r["to_doc"], r["to_article"]) in covered_to:
            continue
        if r["relation"] == "re-proposed" and (r["from_doc"] == "ahc4-cnd"
                                               and ("ahc6-chair-draft", r["to_doc"], r["to_article"]) in covered_to):
            continue
        rows.append(r)
    df = pd.DataFrame(rows) if rows else schema.empty_frame("article_lineage")
    dup = df.duplicated(["from_doc", "from_article_seq", "to_doc", "to_article_seq"], keep="first")
    return schema.validate(df[~dup], "article_lineage")


def _index_of(arts: pd.DataFrame, row) -> int | None:
    if row is None:
        return None
    hit = np.flatnonzero(arts["article_seq"].to_numpy() == int(row["article_seq"]))
    return int(hit[0]) if len(hit) else None


# ---------------------------------------------------------------- corpus-level builders


@dataclass(frozen=True)
class Scope:
    """Everything this analysis computes (tables are validated DataFrames)."""

    documents: pd.DataFrame
    article_classes: pd.DataFrame
    offence_inventory: pd.DataFrame
    auto_lineage: pd.DataFrame
    article_lineage: pd.DataFrame
    scope_measures: pd.DataFrame
    offence_reproposals: pd.DataFrame
    offence_families: pd.DataFrame  # :func:`offence_families`
    flows: pd.DataFrame  # :func:`flow_links`


def compute(reviewed_path: Path | None = None, corpus=None) -> Scope:
    """Classify, inventory, match, review and measure every draft of ``corpus`` (default: the
    public API's)."""
    corpus = corpus or _corpus.DEFAULT
    docs = corpus.documents()
    order = dict(zip(docs["doc_id"], docs["session_order"]))
    drafts = corpus.load_each(docs["doc_id"])
    classes = {d: classify_articles(x) for d, x in drafts.items()}
    inv = {d: offence_inventory_of(x, int(order[d]), classes[d]) for d, x in drafts.items()}
    # lineage over the criminalization chapters
    arts_all = pd.concat([x.articles for x in drafts.values()], ignore_index=True) if drafts else schema.empty_frame("articles")
    chap = {d: inv[d] for d in drafts if len(inv[d])}
    scores = {}
    autos = []
    for a, b in PAIRS:
        if a not in chap or b not in chap:
            continue
        fa, ta = chap[a], chap[b]
        use_text = a not in DAMAGED_DOCS and b not in DAMAGED_DOCS
        ftx = article_texts(drafts[a], fa["article_seq"])
        ttx = article_texts(drafts[b], ta["article_seq"])
        s, ts, xs = similarity(list(fa["title"]), list(ta["title"]), [ftx[k] for k in fa["article_seq"]],
                               [ttx[k] for k in ta["article_seq"]], use_text=use_text)
        scores[(a, b)] = (s, ts, xs, fa.reset_index(drop=True), ta.reset_index(drop=True))
        if (a, b) == ("ahc4-cnd", AMENDED):
            continue  # only re-proposals: produced with the chair → amended pair
        earlier = earlier_score = None
        if b == AMENDED and ("ahc4-cnd", AMENDED) in scores:
            earlier, earlier_score = chap["ahc4-cnd"], scores[("ahc4-cnd", AMENDED)][0]
        autos.append(auto_links(fa, ta, s, ts, xs, earlier=earlier, earlier_score=earlier_score))
    auto = pd.concat(autos, ignore_index=True) if autos else schema.empty_frame("article_lineage")
    auto = schema.validate(auto, "article_lineage")
    path = Path(reviewed_path or paths.DATA / REVIEWED_FILE)
    reviewed = read_reviewed(path) if path.exists() else pd.DataFrame(
        columns=["from_doc", "from_article", "to_doc", "to_article", "relation", "confirmed", "note"])
    reviewed = reviewed[reviewed["from_doc"].isin(drafts) & reviewed["to_doc"].isin(drafts)]
    lineage = apply_review(auto, reviewed, arts_all, scores)
    inventory = inherit_through_lineage(pd.concat(list(inv.values()), ignore_index=True) if inv
                                        else schema.empty_frame("offence_inventory"), lineage)
    measures = scope_measures(docs, inventory, lineage)
    repro = offence_reproposals(drafts.get(AMENDED), lineage)
    cls_all = pd.concat(list(classes.values()), ignore_index=True) if classes else schema.empty_frame("article_classes")
    return Scope(docs, schema.validate(cls_all, "article_classes"), inventory, auto, lineage, measures, repro,
                 offence_families(inventory, lineage, display_titles(arts_all)), flow_links(inventory, lineage))


def display_titles(articles: pd.DataFrame) -> dict[tuple[str, int], str]:
    """``(doc_id, article_seq)`` → the article's display title (``articles.display_title``)."""
    if "display_title" not in articles:
        return {}
    return {(d, int(q)): str(t) for d, q, t in zip(articles["doc_id"], articles["article_seq"], articles["display_title"])}


def inherit_through_lineage(inventory: pd.DataFrame, lineage: pd.DataFrame) -> pd.DataFrame:
    """Fill class and category of damaged-text articles from a confirmed predecessor.

    Only rows whose evidence is `none` (class not readable) or whose category is
    empty take over the predecessor's values, with evidence `inherited from
    <doc> art. <n>` and evidence_source `lineage`.
    """
    inv = inventory.copy()
    links = lineage[lineage["confirmed"] & lineage["relation"].isin(KEPT + MERGED + ("split", "re-proposed"))
                    & (lineage["from_article_seq"] > 0) & (lineage["to_article_seq"] > 0)]
    idx = {(r.doc_id, r.article_seq): i for i, r in enumerate(inv.itertuples(index=False))}
    for _ in range(3):  # chains: cnd → chair → amended
        for l in links.itertuples(index=False):
            i, j = idx.get((l.to_doc, l.to_article_seq)), idx.get((l.from_doc, l.from_article_seq))
            if i is None or j is None:
                continue
            src = inv.iloc[j]
            ref = f"inherited from {l.from_doc} art. {l.from_article}"
            if inv.at[i, "evidence_source"] == "none" and src["article_class"] != "other":
                for col in ("article_class", "general_part_kind", "is_offence"):
                    inv.at[i, col] = src[col]
                inv.at[i, "evidence"], inv.at[i, "evidence_line"], inv.at[i, "evidence_source"] = ref, 0, "lineage"
                if src["is_offence"] and not pd.isna(inv.at[i, "n_conducts"]) and inv.at[i, "n_conducts"] == 0:
                    inv.at[i, "n_conducts"] = pd.NA if l.to_doc in DAMAGED_DOCS else 1
            if inv.at[i, "is_offence"] and not inv.at[i, "category"] and src["category"]:
                inv.at[i, "category"], inv.at[i, "category_rule"] = src["category"], ref
    return schema.validate(inv, "offence_inventory")


def _flows(lineage: pd.DataFrame, inventory: pd.DataFrame, prev: str, doc: str) -> dict[str, int]:
    """Counts of what happened to the previous draft's offences in ``doc`` (and what is new)."""
    offences = set(inventory.loc[inventory["is_offence"], ["doc_id", "article_seq"]].itertuples(index=False, name=None))
    fr = lineage[(lineage["from_doc"] == prev) & (lineage["to_doc"] == doc)]
    fr = fr.loc[np.array([(prev, s) in offences for s in fr["from_article_seq"]], dtype=bool)]
    per_from = fr.groupby("from_article_seq")["relation"].agg(lambda s: sorted(set(s)))
    out = {"n_kept": 0, "n_merged": 0, "n_split": 0, "n_dropped": 0}
    for rels in per_from:
        if "split" in rels:
            out["n_split"] += 1
        elif any(r in KEPT for r in rels):
            out["n_kept"] += 1
        elif any(r in MERGED for r in rels):
            out["n_merged"] += 1
        elif "dropped" in rels:
            out["n_dropped"] += 1
    to = lineage[(lineage["to_doc"] == doc) & lineage["relation"].isin(["new", "re-proposed"])]
    to = to.loc[np.array([(doc, s) in offences for s in to["to_article_seq"]], dtype=bool)]
    repro = to[to["relation"] == "re-proposed"]["to_article_seq"].nunique()
    new = to[(to["relation"] == "new") & (to["from_doc"] == prev)]["to_article_seq"].nunique()
    out["n_reproposed"] = int(repro) if doc == AMENDED else 0
    out["n_new"] = int(new)
    return out


def scope_measures(docs: pd.DataFrame, inventory: pd.DataFrame, lineage: pd.DataFrame) -> pd.DataFrame:
    """The ``scope_measures`` table (series `negotiating` and `with_expert`).

    Each series walks the documents in session order; drafts outside the
    series' chain are skipped, documents without a criminalization chapter get
    a row of missing counts (not applicable) with a note.  Flows compare each
    draft with the previous draft of the chain (missing for the first draft:
    there is nothing to compare with).
    """
    rows = []
    for series, chain in (("negotiating", NEGOTIATING), ("with_expert", WITH_EXPERT)):
        prev = ""
        for meta in docs.sort_values("session_order").itertuples(index=False):
            d = meta.doc_id
            if d in NEGOTIATING + (EXPERT,) and d not in chain:
                continue
            inv = inventory[inventory["doc_id"] == d]
            base = {"series": series, "doc_id": d, "session_order": int(meta.session_order), "kind": meta.kind}
            if not len(inv):
                rows.append({**base, "has_criminalization_chapter": False, "previous_doc": "",
                             **{c: None for c in _COUNT_COLS}, "note": "no criminalization chapter"})
                continue
            off = inv[inv["is_offence"]]
            n_conducts = None if off["n_conducts"].isna().any() else int(off["n_conducts"].sum())
            flows = _flows(lineage, inventory, prev, d) if prev else {k: None for k in _FLOW_COLS}
            rows.append({**base, "has_criminalization_chapter": True, "previous_doc": prev,
                         "n_articles": len(inv), "n_offences": len(off),
                         "n_offences_base": int((~off["is_proposed"]).sum()),
                         "n_offences_proposed": int(off["is_proposed"].sum()),
                         "n_general_part": int((inv["article_class"] == "general_part").sum()),
                         "n_bridging": int((inv["article_class"] == "bridging").sum()),
                         "n_words_chapter": int(inv["n_words"].sum()), "n_conducts": n_conducts,
                         "n_cyber_dependent": int((off["category"] == "cyber-dependent").sum()),
                         "n_cyber_enabled": int((off["category"] == "cyber-enabled").sum()),
                         "n_content_related": int((off["category"] == "content-related").sum()),
                         "n_other_category": int((off["category"] == "other").sum()),
                         **flows, "note": ""})
            prev = d
    df = pd.DataFrame(rows) if rows else schema.empty_frame("scope_measures")
    return schema.validate(df, "scope_measures", sort=False)


_FLOW_COLS = ("n_kept", "n_merged", "n_split", "n_dropped", "n_reproposed", "n_new")
_COUNT_COLS = ("n_articles", "n_offences", "n_offences_base", "n_offences_proposed", "n_general_part", "n_bridging",
               "n_words_chapter", "n_conducts", "n_cyber_dependent", "n_cyber_enabled", "n_content_related",
               "n_other_category") + _FLOW_COLS


def offence_reproposals(amended, lineage: pd.DataFrame) -> pd.DataFrame:
    """Positions on the re-proposed articles of the 6th-session draft (empty until recovery lands)."""
    if amended is None or not len(amended.positions):
        return schema.empty_frame("offence_reproposals")
    rp = lineage[(lineage["to_doc"] == AMENDED) & (lineage["relation"] == "re-proposed")]
    src = rp.sort_values("from_article_seq").groupby("to_article_seq")["from_article"].agg(", ".join).to_dict()
    titles = dict(zip(amended.articles["article_seq"], amended.articles["title"]))
    pos = amended.positions[amended.positions["article_seq"].isin(list(src))]
    rows = [{"doc_id": AMENDED, "article_seq": p.article_seq, "article": p.article, "title": titles.get(p.article_seq, ""),
             "from_article": src[p.article_seq], "proposal_id": p.proposal_id, "offset": p.offset,
             "code_as_written": p.code_as_written, "delegation_id": p.delegation_id, "stance": p.stance,
             "confidence": p.confidence} for p in pos.itertuples(index=False)]
    df = pd.DataFrame(rows) if rows else schema.empty_frame("offence_reproposals")
    return schema.validate(df, "offence_reproposals")


# ---------------------------------------------------------------- families and flows


def components_by_first(nodes: Sequence, pairs: Iterable[tuple]) -> dict:
    """Connected components (networkx) of the graph of ``pairs`` over ``nodes``: every node mapped to the
    first node of its component in ``nodes`` order.  Pairs with an end outside ``nodes`` are left out."""
    G = nx.Graph()
    G.add_nodes_from(nodes)
    G.add_edges_from((a, b) for a, b in pairs if a in G and b in G)
    index = {n: i for i, n in enumerate(nodes)}
    out = {}
    for comp in nx.connected_components(G):
        first = min(comp, key=index.__getitem__)
        out.update(dict.fromkeys(comp, first))
    return out


def offence_families(inventory: pd.DataFrame, lineage: pd.DataFrame,
                     titles: dict[tuple[str, int], str] | None = None) -> pd.DataFrame:
    """Offence articles grouped into lineage families (connected by confirmed links).

    One row per family: ``family`` (the display title of its article in the draft first in
    :data:`TITLE_PREFERENCE`, whole; ``titles``: ``(doc_id, article_seq)`` → display title, by
    default the normalised title), ``category``
    and one column per draft holding the labels of the family's articles
    (`, `-separated; empty when absent).  Rows in order of first appearance.
    """
    off = inventory[inventory["is_offence"]].sort_values(["session_order", "article_seq"])
    nodes = list(zip(off["doc_id"], off["article_seq"]))
    links = lineage[lineage["confirmed"] & (lineage["from_article_seq"] > 0) & (lineage["to_article_seq"] > 0)]
    rp = links[links["relation"] == "re-proposed"].groupby(["to_doc", "to_article_seq"]).size()
    bundles = set(rp[rp > 1].index)  # a re-proposal bundling several old articles stays a family of its own
    links = links[[(d, s) not in bundles for d, s in zip(links["to_doc"], links["to_article_seq"])]]
    root = components_by_first(nodes, (((l.from_doc, l.from_article_seq), (l.to_doc, l.to_article_seq))
                                       for l in links.itertuples(index=False)))
    docs = list(dict.fromkeys(off["doc_id"]))
    fam: dict[tuple, dict] = {}
    info = off.set_index(["doc_id", "article_seq"])
    for n in nodes:
        r = root[n]
        row = fam.setdefault(r, {"family": "", "category": info.loc[r, "category"], **{d: [] for d in docs}})
        row[n[0]].append(info.loc[n, "article"])
        title = (titles.get(n) if titles else normalise_title(info.loc[n, "title"])) \
            or f"(untitled, art. {info.loc[n, 'article']})"
        rank = TITLE_PREFERENCE.index(n[0]) if n[0] in TITLE_PREFERENCE else len(TITLE_PREFERENCE)
        if not row["family"] or rank < row.get("_rank", 99):
            row["family"], row["_rank"], row["category"] = title, rank, info.loc[n, "category"]
    rows = [{"family": r["family"], "category": r["category"], **{d: ", ".join(r[d]) for d in docs}} for r in fam.values()]
    return pd.DataFrame(rows, columns=["family", "category", *docs])


def flow_links(inventory: pd.DataFrame, lineage: pd.DataFrame, chain: Sequence[str] = NEGOTIATING) -> pd.DataFrame:
    """Links of the alluvial view: ``source``, ``target``, ``value``, ``relation`` (node names carry the draft).

    Offence articles of each draft grouped by category; `kept` (same / renamed)
    and `merged` (merged / absorbed / split) count articles of the earlier draft;
    `dropped` go to a `dropped` node; `re-proposed` and `new` count articles of
    the later draft.
    """
    off = inventory[inventory["is_offence"]]
    cat = {(r.doc_id, r.article_seq): r.category or "uncategorised" for r in off.itertuples(index=False)}
    short = DOC_LABEL_FLOWS
    rows = []
    for prev, doc in zip(chain, chain[1:]):
        ln = lineage[(lineage["from_doc"] == prev) & (lineage["to_doc"] == doc)]
        seen = set()
        for l in ln.sort_values(["from_article_seq", "to_article_seq"]).itertuples(index=False):
            f = (prev, l.from_article_seq)
            if f not in cat or f in seen:
                continue
            if l.relation == "dropped":
                rows.append((f"{short[prev]}: {cat[f]}", f"dropped after {short[prev]}", "dropped"))
            elif (doc, l.to_article_seq) in cat:
                rel = "kept" if l.relation in KEPT else "merged"
                rows.append((f"{short[prev]}: {cat[f]}", f"{short[doc]}: {cat[(doc, l.to_article_seq)]}", rel))
            seen.add(f)
        new = lineage[(lineage["to_doc"] == doc) & lineage["relation"].isin(["new", "re-proposed"])]
        done = set()
        for l in new.sort_values(["to_article_seq", "from_article_seq"]).itertuples(index=False):
            t = (doc, l.to_article_seq)
            if t not in cat or t in done:
                continue
            if l.relation == "re-proposed":
                rows.append((f"dropped after {short[chain[0]]}", f"{short[doc]}: {cat[t]}", "re-proposed"))
            elif l.from_doc == prev:
                rows.append((f"new in {short[doc]}", f"{short[doc]}: {cat[t]}", "new"))
            done.add(t)
    df = pd.DataFrame(rows, columns=["source", "target", "relation"])
    return (df.groupby(["source", "target", "relation"], sort=False).size().rename("value").reset_index())
