"""Bracket density per document × article (issue 6): where the text was still contested.

Reads the ``articles``, ``lines``, ``paragraphs``, ``brackets``, ``proposals``,
``positions`` and ``diagnostics`` tables through the API (never the sources)
and the decoded source text (``td.source``) only to count characters of the
lines those tables point to.

What counts as one bracket (as in :mod:`treatydrafts.parse.brackets`)
- One span = one opener (``[``, or the CND's single ``{``) with its closer.
  Nested spans are spans of their own (``[a [b] c]`` is 2 brackets, 1 top
  level, depth 2); adjacent spans are separate (``[a] [b]`` is 2).
- An opener with no closer in its article is still one span (``is_closed``
  false).  For the character share it is cut at the end of the paragraph that
  holds its opener (not at the end of the article), so one stray ``[``
  cannot mark a whole article as bracketed.
- A closer with no opener is not a span; it is counted apart
  (``n_unmatched_closers``) from the ``unmatched_closer`` diagnostics.
- Struck spans (``~~…~~``) count like any other; ``n_struck`` says how many.
- A span belongs to the article whose line range holds its opener (the
  article heading included: bracketed titles count).

The damaged ``ahc6-amended-draft`` (most ``[`` lost in extraction) gets an
estimate instead of a count: see :func:`measure_survival` and
:func:`estimate_damaged`.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import pandas as pd
from scipy.stats import binom

from .. import corpus as _corpus
from .. import schema, store
from ..vocab import NON_TEXT_ROLES, count_words
from . import scope

DAMAGED_DOC = "ahc6-amended-draft"
REFERENCE_DOC = "ahc6-chair-draft"  # the clean draft the damaged one amends (same article numbers)
SEED = 20230901
N_DRAWS = 400  # Monte Carlo draws of the survival rates for the estimate's interval
INTERVAL = 0.90  # central credible interval of the estimate
WINDOW = 24  # characters of reference context on each side of a bracket when measuring survival

# Roles whose lines hold no draft text (same set as tables.NON_TEXT_ROLES)

# A Latin ordinal suffix of a paragraph or article label: "2 bis", "(c) quater", "(g) quat", "bis"
ADDED_LABEL_RE = re.compile(r"\b(?:bis|ter|quater|quat|quinquies|sexies|septies|octies)\b", re.IGNORECASE)
# An alternative label: "3 alt", "(a) alt", "18 alt"
ALT_LABEL_RE = re.compile(r"\balt\b", re.IGNORECASE)
# What may stand between two adjacent alternative terms: " ", " / ", " or ", ", "
TERM_SEPARATOR_RE = re.compile(r"\s*(?:/|or|,)?\s*")
# A placeholder to be filled in, not contested wording: "[date]", "[city]", "[place]", "[country]", "[number]"
PLACEHOLDER_RE = re.compile(r"[\[{]\s*(?:date|city|place|country|year|number|name|\.\.\.|…|_+)\s*[\]}]", re.IGNORECASE)
# A leading article number: "18" in "18 alt", "10" in "10 bis"
ARTICLE_NUM_RE = re.compile(r"^\s*(\d+)")
# Bracketed words, emphasis and punctuation dropped from a title before matching: "[computer data]", "*", ":"
TITLE_NOISE_RE = re.compile(r"\[[^\]]*\]|[^a-z ]")


# ---------------------------------------------------------------- measures


@dataclass(frozen=True)
class ArticleDensity:
    """The measures of one article of one document (one row of ``bracket_density``)."""

    doc_id: str
    article_seq: int
    article: str
    chapter: str
    title: str
    display_title: str
    start_line: int
    end_line: int
    n_words: int
    n_chars: int
    n_brackets: int
    n_top_level: int | None  # None: not observable (damaged draft)
    n_attributed: int
    n_unattributed: int
    n_placeholders: int
    n_struck: int
    n_unclosed: int | None
    n_unmatched_closers: int
    max_depth: int | None
    bracketed_char_share: float | None
    brackets_per_1000_words: float
    n_options: int
    n_alt_paragraphs: int
    n_added_paragraphs: int
    n_alternative_terms: int
    n_proposals: int
    n_delegations: int
    is_estimate: bool = False
    n_brackets_low: int = 0
    n_brackets_high: int = 0
    brackets_per_1000_words_low: float = 0.0
    brackets_per_1000_words_high: float = 0.0
    n_open_observed: int = 0
    n_close_observed: int = 0


def count_chars(text: str) -> int:
    """Characters that count for the share: not whitespace, not a ``~`` strikethrough marker."""
    return sum(1 for ch in text if not ch.isspace() and ch != "~")


def merge_intervals(intervals: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Union of half-open ``(start, end)`` intervals, sorted and disjoint."""
    out: list[list[int]] = []
    for a, b in sorted(intervals):
        if b <= a:
            continue
        if out and a <= out[-1][1]:
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def span_intervals(brackets: pd.DataFrame, paragraphs: pd.DataFrame, lines: pd.DataFrame) -> list[tuple[int, int]]:
    """Character ranges of the spans, unclosed spans cut at the end of their opener's paragraph
    (or of the opener's line outside paragraphs)."""
    par_end = dict(zip(paragraphs["paragraph_seq"], paragraphs["end_offset"])) if len(paragraphs) else {}
    line_end = dict(zip(lines["line"], lines["end_offset"])) if len(lines) else {}
    out = []
    for b in brackets.itertuples(index=False):
        end = int(b.end_offset)
        if not b.is_closed:
            cap = par_end.get(b.paragraph_seq) if b.paragraph_seq else None
            if cap is None or cap <= b.start_offset:
                cap = line_end.get(b.line, end)
            end = min(end, max(int(cap), int(b.start_offset) + 1))
        out.append((int(b.start_offset), end))
    return out


def chars_inside(text: str, lines: pd.DataFrame, intervals: Sequence[tuple[int, int]]) -> tuple[int, int]:
    """``(counted characters of the lines, of which inside the intervals)``."""
    merged = merge_intervals(intervals)
    total = inside = 0
    for ln in lines.itertuples(index=False):
        s, e = int(ln.start_offset), int(ln.end_offset)
        total += count_chars(text[s:e])
        for a, b in merged:
            if b <= s:
                continue
            if a >= e:
                break
            inside += count_chars(text[max(a, s):min(b, e)])
    return total, inside


def alternative_term_options(brackets: pd.DataFrame, text: str) -> int:
    """Extra wordings offered by adjacent unattributed alternative terms.

    Closed, unattributed, non-placeholder spans with the same parent, separated
    only by whitespace, ``/``, ``or`` or ``,``, form one choice; a choice of
    ``k`` terms offers ``k - 1`` options beyond the first
    (``[computer data] [digital information]`` → 1).
    """
    is_placeholder = brackets["text"].map(lambda t: bool(PLACEHOLDER_RE.fullmatch(t))).astype(bool)
    cand = brackets.loc[brackets["is_closed"].astype(bool) & ~brackets["is_attributed"].astype(bool) & ~is_placeholder]
    extra = 0
    for _, grp in cand.sort_values("start_offset").groupby("parent_id", sort=True):
        prev_end = None
        for b in grp.itertuples(index=False):
            if prev_end is not None and prev_end <= b.start_offset and \
                    TERM_SEPARATOR_RE.fullmatch(text[prev_end:b.start_offset]):
                extra += 1
            prev_end = int(b.end_offset)
    return extra


def paragraph_options(paragraphs: pd.DataFrame) -> tuple[int, int]:
    """``(alt paragraphs, bis/ter/… paragraphs)`` of an article, by label."""
    labels = paragraphs["paragraph"].astype(str)
    alt = labels.map(lambda s: bool(ALT_LABEL_RE.search(s)))
    added = labels.map(lambda s: bool(ADDED_LABEL_RE.search(s))) & ~alt
    return int(alt.sum()), int(added.sum())


def per_1000(n: float, words: int) -> float:
    return round(1000.0 * n / words, 3) if words else 0.0


def measure_article(text: str, article: dict, lines: pd.DataFrame, paragraphs: pd.DataFrame,
                    brackets: pd.DataFrame, proposals: pd.DataFrame, positions: pd.DataFrame,
                    n_unmatched_closers: int = 0) -> ArticleDensity:
    """The measures of one article.  Every frame holds only that article's rows
    (``lines``: its text lines, heading included)."""
    n_chars, inside = chars_inside(text, lines, span_intervals(brackets, paragraphs, lines))
    n_words = sum(count_words(text[int(r.start_offset):int(r.end_offset)]) for r in lines.itertuples(index=False))
    n_br = len(brackets)
    n_attr = int(brackets["is_attributed"].sum()) if n_br else 0
    n_alt_par, n_added_par = paragraph_options(paragraphs)
    n_terms = alternative_term_options(brackets, text) if n_br else 0
    own_alt = int(bool(ALT_LABEL_RE.search(str(article["article"]))))
    delegs = positions.loc[positions["delegation_id"] != "", "delegation_id"] if len(positions) else []
    return ArticleDensity(
        doc_id=article["doc_id"], article_seq=int(article["article_seq"]), article=str(article["article"]),
        chapter=str(article["chapter"]), title=str(article["title"]),
        display_title=str(article.get("display_title", "")),
        start_line=int(article["start_line"]), end_line=int(article["end_line"]),
        n_words=n_words, n_chars=n_chars,
        n_brackets=n_br,
        n_top_level=int((brackets["depth"] == 1).sum()) if n_br else 0,
        n_attributed=n_attr, n_unattributed=n_br - n_attr,
        n_placeholders=int(brackets["text"].map(lambda t: bool(PLACEHOLDER_RE.fullmatch(t))).sum()) if n_br else 0,
        n_struck=int(brackets["is_struck"].sum()) if n_br else 0,
        n_unclosed=int((~brackets["is_closed"]).sum()) if n_br else 0,
        n_unmatched_closers=int(n_unmatched_closers),
        max_depth=int(brackets["depth"].max()) if n_br else 0,
        bracketed_char_share=round(inside / n_chars, 4) if n_chars else 0.0,
        brackets_per_1000_words=per_1000(n_br, n_words),
        n_options=n_alt_par + n_added_par + n_terms + own_alt,
        n_alt_paragraphs=n_alt_par, n_added_paragraphs=n_added_par, n_alternative_terms=n_terms,
        n_proposals=len(proposals),
        n_delegations=int(pd.Series(delegs, dtype=object).nunique()),
        n_brackets_low=n_br, n_brackets_high=n_br,
        brackets_per_1000_words_low=per_1000(n_br, n_words), brackets_per_1000_words_high=per_1000(n_br, n_words),
        n_open_observed=n_br,
        n_close_observed=int(brackets["is_closed"].sum()) + int(n_unmatched_closers) if n_br else int(n_unmatched_closers),
    )


def _by_article(df: pd.DataFrame) -> dict[int, pd.DataFrame]:
    return {int(k): g for k, g in df.groupby("article_seq", sort=True)} if len(df) else {}


def measure_tables(doc_id: str, text: str, tables: dict[str, pd.DataFrame]) -> list[ArticleDensity]:
    """Measures of every article of one document from its tables (as in a :class:`~treatydrafts.Draft`)."""
    arts = tables["articles"]
    lines = tables["lines"]
    lines = lines[(lines["article_seq"] > 0) & ~lines["role"].isin(NON_TEXT_ROLES)]
    diags = tables["diagnostics"]
    closers = diags[(diags["stage"] == "brackets") & (diags["kind"] == "unmatched_closer")] if len(diags) else diags
    line_art = dict(zip(tables["lines"]["line"], tables["lines"]["article_seq"]))
    unmatched: dict[int, int] = {}
    for ln in (closers["line"] if len(closers) else []):
        a = int(line_art.get(int(ln), 0))
        unmatched[a] = unmatched.get(a, 0) + 1
    groups = {name: _by_article(tables[name]) for name in ("paragraphs", "brackets", "proposals", "positions")}
    groups["lines"] = _by_article(lines)
    out = []
    for a in arts.to_dict("records"):
        seq = int(a["article_seq"])
        part = {name: g.get(seq, tables[name].iloc[0:0] if name != "lines" else lines.iloc[0:0])
                for name, g in groups.items()}
        out.append(measure_article(text, a, part["lines"], part["paragraphs"], part["brackets"],
                                   part["proposals"], part["positions"], unmatched.get(seq, 0)))
    return out


def measure_draft(draft, text: str) -> list[ArticleDensity]:
    """Measures of every article of a one-document :class:`~treatydrafts.Draft` whose source text is
    ``text`` (counted, not estimated)."""
    return measure_tables(draft.doc_id, text, draft.tables())


def to_frame(rows: Sequence[ArticleDensity]) -> pd.DataFrame:
    """``bracket_density`` rows → validated DataFrame."""
    if not rows:
        return schema.empty_frame("bracket_density")
    return schema.validate(pd.DataFrame([asdict(r) for r in rows]), "bracket_density")


# ---------------------------------------------------------------- damaged document: survival of [ and ]


def _align_scores(pattern: str, text: str) -> np.ndarray:
    """Semi-global alignment of ``pattern`` (wholly) against a substring of ``text``
    when ``text`` lost characters of the true text: score at each end position.

    +2 per matched character, -1 per pattern character missing from ``text``
    (lost in extraction), -2 per ``text`` character not in ``pattern``.  Row by
    row, vectorised over ``text`` (the gap along ``text`` is a running maximum).
    """
    t = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    n = len(t)
    j2 = 2 * np.arange(n + 1, dtype=np.int64)
    prev = np.zeros(n + 1, dtype=np.int64)  # row 0: free start anywhere in text
    neg = np.int64(-(10 ** 9))
    for i, ch in enumerate(pattern, 1):
        match = np.full(n + 1, neg, dtype=np.int64)
        match[1:] = np.where(t == ord(ch), prev[:-1] + 2, neg)
        e = np.maximum(match, prev - 1)
        e[0] = -i
        prev = np.maximum.accumulate(e + j2) - j2
    return prev


def bracket_survival(pattern: str, pos: int, text: str) -> tuple[float, bool, int]:
    """Did the bracket at ``pattern[pos]`` survive in ``text``?

    Aligns the pattern without the bracket (where it fits best in ``text``:
    ``score``), then the pattern with it at the same place: +2 more if the
    bracket matched, -1 if it was lost.  Returns ``(score per pattern character,
    survived, end offset in text)``.
    """
    without = pattern[:pos] + pattern[pos + 1:]
    s0 = _align_scores(without, text)
    j = int(np.argmax(s0))
    s1 = _align_scores(pattern, text)
    lo, hi = max(j - 1, 0), min(j + 2, len(s1))
    gain = int(s1[lo:hi].max()) - int(s0[j])
    return float(s0[j]) / max(len(without), 1), gain > 0, j


@dataclass(frozen=True)
class SurvivalObservation:
    """One bracket character of the reference draft looked for in the damaged text."""

    ref_doc: str
    ref_line: int
    ref_offset: int
    char: str
    article: str
    doc_id: str
    start_line: int  # lines of the damaged article searched
    end_line: int
    match_offset: int  # where the context matched best in the damaged text (end, exclusive)
    match_score: float  # alignment score per context character (2 = intact, about 0.8 = typical loss)
    is_unamended: bool  # the context matched well enough to count as the same, unamended passage
    survived: bool


def measure_survival(ref_text: str, ref_brackets: pd.DataFrame, damaged_text: str, ref_articles: pd.DataFrame,
                     damaged_articles: pd.DataFrame, ref_doc: str = REFERENCE_DOC, doc_id: str = DAMAGED_DOC,
                     min_score: float = 0.5, window: int = WINDOW) -> list[SurvivalObservation]:
    """Measure how often ``[`` and ``]`` survived extraction of the damaged draft.

    For every closed top-level span of the clean reference draft inside an
    article, the ``window`` characters of reference text around its opener (and
    around its closer) are aligned against the damaged text of the article with
    the same label (both drafts number articles alike).  Where the context
    matches well (``match_score >= min_score``) the passage counts as unamended
    and the bracket as observed: survived or lost.  Repeated phrases are looked
    for only inside their own article, so one damaged occurrence is not read
    for several reference brackets of other articles.
    """
    ref_art = {int(r.article_seq): str(r.article) for r in ref_articles.itertuples(index=False)}
    dam = {str(r.article): r for r in damaged_articles.itertuples(index=False)}
    out: list[SurvivalObservation] = []
    spans = ref_brackets[(ref_brackets["depth"] == 1) & ref_brackets["is_closed"] & (ref_brackets["article_seq"] > 0)]
    for b in spans.itertuples(index=False):
        label = ref_art.get(int(b.article_seq), "")
        d = dam.get(label)
        if d is None:
            continue
        region = damaged_text[int(d.start_offset):int(d.end_offset)]
        for char, off in (("[", int(b.start_offset)), ("]", int(b.end_offset) - 1)):
            ls = ref_text.rfind("\n", 0, off) + 1
            le = ref_text.find("\n", off)
            le = len(ref_text) if le < 0 else le
            a, z = max(ls, off - window), min(le, off + window + 1)
            pattern = ref_text[a:z].replace("*", "").replace("#", "")
            pos = ref_text[a:off].replace("*", "").replace("#", "").__len__()
            score, survived, j = bracket_survival(pattern, pos, region)
            out.append(SurvivalObservation(ref_doc, int(b.line), off, char, label, doc_id, int(d.start_line),
                                           int(d.end_line), int(d.start_offset) + j, round(score, 4),
                                           score >= min_score, bool(survived and score >= min_score)))
    return out


def survival_rates(obs: pd.DataFrame) -> dict[str, tuple[int, int]]:
    """``{char: (survived, observed)}`` over unamended passages."""
    ok = obs[obs["is_unamended"]]
    return {ch: (int(ok.loc[ok["char"] == ch, "survived"].sum()), int((ok["char"] == ch).sum())) for ch in "[]"}


# The rates when the damaged draft was not measured (it or its reference draft is missing)
NO_RATES = {"[": (0, 0), "]": (0, 0), "chars": 0.0}


def summarise_survival(obs: pd.DataFrame) -> dict:
    """``Density.rates`` from the ``bracket_survival`` rows: ``{"[": (survived, observed), "]": (...),
    "chars": character survival}`` (see :func:`survival_rates`, :func:`char_survival`)."""
    return {**survival_rates(obs), "chars": char_survival(obs, "", "")}


# ---------------------------------------------------------------- damaged document: the estimate


def posterior_brackets(n_open: int, n_close: int, rate_close: np.ndarray,
                       interval: float = INTERVAL, n_max: int | None = None) -> tuple[int, int, int]:
    """Point estimate and interval of the true number of brackets ``N`` of a damaged text.

    Model: each of the ``N`` brackets has one closer, which survived
    extraction with probability ``p_close``, independently, so
    ``n_close ~ Bin(N, p_close)``.  Prior: flat on ``N >= max(n_open,
    n_close)`` (every surviving opener is a bracket too, so ``n_open`` is a
    lower bound).  ``rate_close`` holds draws of ``p_close`` from its measured
    Beta posterior; the posterior of ``N`` is averaged over them.  Openers do
    not enter the likelihood: their survival in amendment text is far below
    the rate measured on unamended passages (the ratio of openers to closers
    in the whole damaged draft is 0.29, against 0.7 on unamended passages), so
    they would bias the estimate down.  Returns ``(median, low, high)`` of the
    central ``interval``.
    """
    post, grid = _posterior(n_open, n_close, rate_close, n_max)
    if post.sum() <= 0:
        lo_n = max(n_open, n_close)
        return lo_n, lo_n, lo_n
    cdf = np.cumsum(post) / post.sum()
    q = (1 - interval) / 2
    pick = lambda p: int(grid[min(np.searchsorted(cdf, p), len(grid) - 1)])  # noqa: E731
    return pick(0.5), pick(q), pick(1 - q)


def _posterior(n_open: int, n_close: int, rate_close: np.ndarray, n_max: int | None = None,
               per_draw: bool = False):
    lo_n = max(n_open, n_close)
    n_max = n_max or int(max(lo_n * 3, lo_n + 30))
    grid = np.arange(lo_n, n_max + 1)
    like = binom.pmf(n_close, grid[:, None], rate_close[None, :])  # grid × draws
    if per_draw:
        return like / np.maximum(like.sum(axis=0, keepdims=True), 1e-300), grid
    return like.mean(axis=1), grid


def posterior_total(counts: Sequence[tuple[int, int]], rate_close: np.ndarray, seed: int = SEED,
                    interval: float = INTERVAL) -> tuple[int, int, int]:
    """Median and interval of the sum of ``N`` over articles (``counts`` = ``(n_open, n_close)`` each).

    The articles share the survival rate, so for every draw of ``p_close`` one
    ``N`` per article is drawn from its posterior given that rate and summed.
    """
    rng = np.random.default_rng(seed)
    totals = np.zeros(len(rate_close), dtype=np.int64)
    for n_open, n_close in counts:
        post, grid = _posterior(n_open, n_close, rate_close, per_draw=True)
        cdf = np.cumsum(post, axis=0)
        u = rng.random(len(rate_close))
        idx = np.minimum((cdf < u[None, :]).sum(axis=0), len(grid) - 1)
        totals += grid[idx]
    q = (1 - interval) / 2
    lo, med, hi = np.quantile(totals, [q, 0.5, 1 - q], method="inverted_cdf")
    return int(med), int(lo), int(hi)


def rate_draws(survived: int, observed: int, n: int = N_DRAWS, seed: int = SEED) -> np.ndarray:
    """Draws from the Beta(survived + 1, lost + 1) posterior of a survival rate (fixed seed)."""
    rng = np.random.default_rng(seed)
    return rng.beta(survived + 1, observed - survived + 1, size=n)


def estimate_damaged(counted: Sequence[ArticleDensity], rates: dict[str, tuple[int, int]],
                     char_survival: float, ref_chars_per_word: float,
                     attributed: dict[int, int] | None = None) -> list[ArticleDensity]:
    """Turn the raw counts of the damaged draft into estimates (``is_estimate``).

    - ``n_brackets``: posterior median of ``N`` from the observed closers
      (closed spans + unmatched closers; the openers found are a lower bound), see
      :func:`posterior_brackets`; ``n_brackets_low`` / ``_high`` its interval.
    - ``n_words``: the damaged article's counted characters divided by the
      character survival rate and by the reference draft's characters per word
      (word boundaries are unreliable in the damaged text).
    - Nesting, top level, unclosed spans and the character share are not
      observable: missing (``None``).
    - ``n_attributed``: ``attributed[article_seq]`` (recovered amendment
      lists with at least one position: each is one attributed bracket), at
      most ``n_brackets``.
    """
    attributed = attributed or {}
    p_close = rate_draws(*rates["]"], seed=SEED)
    out = []
    for r in counted:
        med, lo, hi = posterior_brackets(r.n_open_observed, r.n_close_observed, p_close)
        words = int(round(r.n_chars / char_survival / ref_chars_per_word)) if r.n_chars else 0
        n_attr = min(int(attributed.get(r.article_seq, 0)), med)
        out.append(ArticleDensity(**{
            **asdict(r),
            "n_words": words,
            "n_brackets": med, "n_brackets_low": lo, "n_brackets_high": hi,
            "n_top_level": None, "max_depth": None, "bracketed_char_share": None,
            "n_attributed": n_attr, "n_unattributed": med - n_attr,
            "n_unclosed": None, "n_struck": 0,
            "brackets_per_1000_words": per_1000(med, words),
            "brackets_per_1000_words_low": per_1000(lo, words),
            "brackets_per_1000_words_high": per_1000(hi, words),
            "is_estimate": True,
        }))
    return out


# ---------------------------------------------------------------- alignment across drafts


def normalise_title(title: str) -> str:
    return " ".join(TITLE_NOISE_RE.sub(" ", str(title).lower()).split())


def align_articles(density: pd.DataFrame, reference: str = REFERENCE_DOC,
                   lineage: pd.DataFrame | None = None, min_ratio: float = 0.6) -> pd.DataFrame:
    """Map every (doc_id, article_seq) of ``density`` to an article of the ``reference`` draft.

    1. ``lineage`` (the ``article_lineage`` table of :mod:`treatydrafts.scope`,
       criminalization chapters) where it links the article to the reference
       directly (relations other than ``dropped`` / ``new``): method ``lineage``.
    2. The damaged draft and the reference share their numbering: same label,
       method ``label``.
    3. Otherwise the most similar reference title (bracketed words and
       punctuation removed, difflib ratio ``>= min_ratio``; ties broken by equal
       article number): method ``title``; below the threshold: ``none``.
    Returns the validated ``bracket_density_alignment`` table
    (``doc_id, article_seq, ref_article_seq, ref_article, method, ratio``).
    """
    ref = density[density["doc_id"] == reference]
    ref_seq = dict(zip(ref["article"].astype(str), ref["article_seq"]))
    ref_titles = [(int(q), str(a), normalise_title(t), ARTICLE_NUM_RE.match(str(a)))
                  for q, a, t in zip(ref["article_seq"], ref["article"], ref["title"])]
    links: dict[tuple[str, int], int] = {}
    if lineage is not None and len(lineage):
        ok = lineage[~lineage["relation"].isin(["dropped", "new"])]
        for r in ok.itertuples(index=False):
            if r.to_doc == reference and r.from_article_seq:
                links.setdefault((r.from_doc, int(r.from_article_seq)), int(r.to_article_seq))
            elif r.from_doc == reference and r.to_article_seq:
                links.setdefault((r.to_doc, int(r.to_article_seq)), int(r.from_article_seq))
    ref_label = {int(q): str(a) for q, a in zip(ref["article_seq"], ref["article"])}
    rows = []
    for r in density.itertuples(index=False):
        art, seq = str(r.article), int(r.article_seq)
        if r.doc_id == reference:
            rows.append((r.doc_id, seq, seq, art, "self", 1.0))
        elif (r.doc_id, seq) in links:
            q = links[(r.doc_id, seq)]
            rows.append((r.doc_id, seq, q, ref_label.get(q, ""), "lineage", 1.0))
        elif r.doc_id == DAMAGED_DOC and art in ref_seq:
            rows.append((r.doc_id, seq, int(ref_seq[art]), art, "label", 1.0))
        else:
            t = normalise_title(r.title)
            best, best_key = (0, ""), (0.0, False)
            num = ARTICLE_NUM_RE.match(art)
            for q, lab, rt, rnum in ref_titles:
                ratio = difflib.SequenceMatcher(None, t, rt).ratio() if t and rt else 0.0
                same = bool(num and rnum and num.group(1) == rnum.group(1))
                if (ratio, same) > best_key:
                    best, best_key = (q, lab), (ratio, same)
            if best_key[0] >= min_ratio:
                rows.append((r.doc_id, seq, best[0], best[1], "title", round(best_key[0], 3)))
            else:
                rows.append((r.doc_id, seq, 0, "", "none", round(best_key[0], 3)))
    return schema.validate(pd.DataFrame(rows, columns=schema.TABLES["bracket_density_alignment"].names),
                           "bracket_density_alignment")


# ---------------------------------------------------------------- the whole corpus


@dataclass(frozen=True)
class Density:
    """Everything this analysis computes (validated DataFrames where a table is defined)."""

    bracket_density: pd.DataFrame
    bracket_survival: pd.DataFrame
    drafts: pd.DataFrame  # bracket_density_drafts
    alignment: pd.DataFrame  # bracket_density_alignment
    rates: dict  # {"[": (survived, observed), "]": (...), "chars": share}


def load_lineage(corpus=None) -> pd.DataFrame | None:
    """The ``article_lineage`` table of :mod:`treatydrafts.analysis.scope`, or None when it cannot be
    built (no reviewed crosswalk: the alignment falls back to article number and title)."""
    try:
        return scope.compute(corpus=corpus).article_lineage
    except FileNotFoundError:
        return None


def char_survival(obs: pd.DataFrame, ref_text: str, damaged_text: str) -> float:
    """Share of reference characters (counted as in :func:`count_chars`) kept in the damaged text,
    from the unamended contexts: each matched context of ``WINDOW`` characters on each side."""
    ok = obs[obs["is_unamended"]]
    if not len(ok):
        return 0.61
    # score per char s = (2 m - 1 (n - m)) / n for m matched out of n (no extra damaged characters):
    # m / n = (s + 1) / 3
    return float(np.clip(((ok["match_score"] + 1) / 3).mean(), 0.05, 1.0))


def chars_per_word(rows: Sequence[ArticleDensity]) -> float:
    words = sum(r.n_words for r in rows)
    return sum(r.n_chars for r in rows) / words if words else 5.5


def compute(lineage: pd.DataFrame | None = None, use_lineage: bool = True, corpus=None) -> Density:
    """Measure every draft; estimate the damaged one; summarise per draft.  ``lineage``: the
    ``article_lineage`` table of the scope analysis (computed here when not given and
    ``use_lineage``); ``corpus``: default the public API's."""
    corpus = corpus or _corpus.DEFAULT
    docs = corpus.documents()
    drafts = corpus.load_each(docs["doc_id"])
    rows: list[ArticleDensity] = []
    survival = schema.empty_frame("bracket_survival")
    rates = dict(NO_RATES)
    for d, draft in drafts.items():
        counted = measure_draft(draft, corpus.source(d).text)
        if d != DAMAGED_DOC:
            rows += counted
            continue
        if REFERENCE_DOC not in drafts:
            continue
        ref = drafts[REFERENCE_DOC]
        obs = measure_survival(corpus.source(REFERENCE_DOC).text, ref.brackets, corpus.source(d).text,
                               ref.articles, draft.articles)
        survival = schema.validate(pd.DataFrame([asdict(o) for o in obs]), "bracket_survival") if obs else survival
        rates = summarise_survival(survival)
        ref_rows = [r for r in rows if r.doc_id == REFERENCE_DOC] or measure_draft(ref, corpus.source(REFERENCE_DOC).text)
        attributed = {}
        if len(draft.proposals):
            with_pos = set(draft.positions["proposal_id"])
            pr = draft.proposals[draft.proposals["proposal_id"].isin(with_pos)]
            attributed = pr.groupby("article_seq").size().to_dict()
        rows += estimate_damaged(counted, rates, rates["chars"], chars_per_word(ref_rows), attributed)
    density = to_frame(rows)
    if lineage is None and use_lineage:
        lineage = load_lineage(corpus)
    alignment = align_articles(density, lineage=lineage)
    summary = add_delegation_totals(draft_summary(density, docs, rates), drafts)
    return Density(density, survival, summary, alignment, rates)


def from_tables(data_dir: Path | None = None) -> Density:
    """The :func:`compute` result rebuilt from the build's tables in ``data_dir`` (default ``data/``).

    Reads ``bracket_density``, ``bracket_survival``, ``bracket_density_drafts``
    and ``bracket_density_alignment`` (NA-safe, schema dtypes); ``rates`` are
    recomputed from ``bracket_survival`` (:func:`summarise_survival`), as
    :func:`compute` does, when the damaged draft was estimated, else
    :data:`NO_RATES`.  Parses nothing: for the current result only when
    ``data_dir`` is fresh (see :func:`result`).
    """
    density = store.read_table("bracket_density", data_dir)
    survival = store.read_table("bracket_survival", data_dir)
    summary = store.read_table("bracket_density_drafts", data_dir)
    alignment = store.read_table("bracket_density_alignment", data_dir)
    estimated = bool((density["doc_id"] == DAMAGED_DOC).any())
    rates = summarise_survival(survival) if estimated else dict(NO_RATES)
    return Density(density, survival, summary, alignment, rates)


def result(corpus=None) -> Density:
    """The result, cheaply: :func:`from_tables` when ``corpus`` reads its built tables (``data/``
    built by this library from the current inputs), else :func:`compute` (parses every draft, ~8 s)."""
    corpus = corpus or _corpus.DEFAULT
    return from_tables(corpus.data_dir) if corpus.reads_built_tables() else compute(corpus=corpus)


def draft_summary(density: pd.DataFrame, docs: pd.DataFrame, rates: dict) -> pd.DataFrame:
    """The per-draft tracker table (``bracket_density_drafts``)."""
    order = dict(zip(docs["doc_id"], docs["session_order"]))
    out = []
    for d, g in density.groupby("doc_id", sort=False):
        est = bool(g["is_estimate"].any())
        n_br = int(g["n_brackets"].sum())
        lo = hi = n_br
        if est and rates.get("]", (0, 0))[1]:
            n_br, lo, hi = posterior_total(list(zip(g["n_open_observed"], g["n_close_observed"])),
                                           rate_draws(*rates["]"], seed=SEED))
        words = int(g["n_words"].sum())
        contested = (g["n_brackets_low"] > 0) if est else (g["n_brackets"] - g["n_placeholders"] > 0)
        out.append({"doc_id": d, "session_order": int(order.get(d, 0)), "n_articles": len(g), "n_words": words,
                    "n_brackets": n_br, "n_brackets_low": lo, "n_brackets_high": hi,
                    "n_attributed": int(g["n_attributed"].sum()), "n_placeholders": int(g["n_placeholders"].sum()),
                    "brackets_per_1000_words": per_1000(n_br, words),
                    "n_bracketed_articles": int(contested.sum()),
                    "n_options": int(g["n_options"].sum()), "n_proposals": int(g["n_proposals"].sum()),
                    "n_delegations": 0, "is_estimate": est})
    df = pd.DataFrame(out) if out else schema.empty_frame("bracket_density_drafts")
    return schema.validate(df, "bracket_density_drafts")


def add_delegation_totals(summary: pd.DataFrame, drafts: dict) -> pd.DataFrame:
    """Fill ``n_delegations`` (distinct delegation ids with a position on an article of the document)."""
    out = summary.copy()
    for i, d in enumerate(out["doc_id"]):
        x = drafts.get(d)
        if x is None or not len(x.positions):
            continue
        p = x.positions
        out.loc[i, "n_delegations"] = int(p.loc[(p["delegation_id"] != "") & (p["article_seq"] > 0), "delegation_id"].nunique())
    return schema.validate(out, "bracket_density_drafts")


# ---------------------------------------------------------------- views


def contested(density: pd.DataFrame) -> pd.Series:
    """Brackets that mark contested wording: every span except placeholders."""
    return density["n_brackets"] - density["n_placeholders"]


def most_contested(density: pd.DataFrame, n: int = 5) -> pd.DataFrame:
    """The ``n`` articles of each draft with most contested brackets (ties: density, then article order)."""
    df = density.assign(n_contested=contested(density))
    df = df[df["n_contested"] > 0]
    df = df.sort_values(["doc_id", "n_contested", "brackets_per_1000_words", "article_seq"],
                        ascending=[True, False, False, True], kind="mergesort")
    cols = ["doc_id", "article", "title", "display_title", "n_contested", "n_brackets_low", "n_brackets_high", "n_words",
            "brackets_per_1000_words", "bracketed_char_share", "n_delegations", "is_estimate", "start_line", "end_line"]
    return df.groupby("doc_id", sort=True).head(n)[cols].reset_index(drop=True)


def heatmap_matrix(density: pd.DataFrame, alignment: pd.DataFrame, doc_order: Sequence[str]) -> pd.DataFrame:
    """Brackets per 1,000 words, reference articles (rows, reference order) × drafts (columns).

    Articles of one draft aligned to the same reference article are pooled
    (brackets and words summed); NaN where the draft has no aligned article.
    """
    df = density.merge(alignment, on=["doc_id", "article_seq"])
    df = df[df["ref_article_seq"] > 0]
    ref = density[density["doc_id"] == REFERENCE_DOC].sort_values("article_seq")
    pooled = df.groupby(["ref_article_seq", "doc_id"])[["n_brackets", "n_words"]].sum()
    val = (1000.0 * pooled["n_brackets"] / pooled["n_words"].where(pooled["n_words"] > 0)).unstack("doc_id")
    val = val.reindex(index=ref["article_seq"], columns=[d for d in doc_order if d in set(density["doc_id"])])
    val.index = [f"{a}. {t}" for a, t in zip(ref["article"], ref["display_title"])]
    return val.round(1)


def chapter_table(density: pd.DataFrame) -> pd.DataFrame:
    """Per draft × chapter: articles, brackets, words, brackets per 1,000 words, median article density."""
    g = density.groupby(["doc_id", "chapter"], sort=False)
    out = g.agg(n_articles=("article_seq", "size"), n_brackets=("n_brackets", "sum"), n_words=("n_words", "sum"),
                median_article_density=("brackets_per_1000_words", "median"), first_seq=("article_seq", "min"))
    out["brackets_per_1000_words"] = (1000.0 * out["n_brackets"] / out["n_words"].where(out["n_words"] > 0)).round(1)
    return out.sort_values(["doc_id", "first_seq"]).drop(columns="first_seq").reset_index()
