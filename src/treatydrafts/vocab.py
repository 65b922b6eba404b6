"""Shared vocabulary: line roles, Latin label suffixes, short document labels.

A leaf module (it imports nothing from the package): the parsing stages, the
schema, the analyses and the plots all take these words from here, so a role
or a suffix is spelled once.
"""
from __future__ import annotations

import re

# ---------------------------------------------------------------- line roles
# Every source line gets exactly one role (schema column ``lines.role``).
LINE_ROLES = (
    "blank", "cover", "separator", "chapter_heading", "cluster_heading", "article_heading",
    "paragraph", "preamble", "note", "footnote", "footer", "page_number",
)
# Roles whose lines never hold draft text (bracket units and text measures skip them).
NON_TEXT_ROLES = frozenset({"blank", "footnote", "footer", "page_number", "separator"})
# Roles whose lines hold the document's own content (headings and text; not layout).
CONTENT_ROLES = frozenset({"chapter_heading", "cluster_heading", "article_heading", "paragraph", "preamble", "note"})

# ---------------------------------------------------------------- label suffixes
# Latin ordinals added to article and paragraph labels: "10 bis", "2 ter", "(g) quat", "15 octies".
LATIN_SUFFIXES = ("bis", "ter", "quater", "quat", "quinquies", "sexies", "septies", "octies", "novies",
                  "decies", "undecies", "duodecies", "terdecies")
# "alt" marks an alternative wording: "18 alt", "(a) alt".
ALT_SUFFIX = "alt"


def suffix_alternation(suffixes: tuple[str, ...] = LATIN_SUFFIXES + (ALT_SUFFIX,)) -> str:
    """A regex alternation of ``suffixes``, longest first so that a prefix never wins
    (``quater`` is tried before ``quat``, ``terdecies`` before ``ter``):
    ``"terdecies|duodecies|…|quat|alt|bis|ter"``."""
    return "|".join(sorted(suffixes, key=lambda s: (-len(s), s)))


# ---------------------------------------------------------------- document labels
# Short names of the documents for figure axes and legends, by style:
# one line with the session ("CND (AHC4)"), two lines with the date, and the offence-flow columns.
DOC_LABEL = {"ahc3-uk-submission": "UK submission (AHC3)", "ahc4-cnd": "CND (AHC4)",
             "expert-2023-proposal": "Expert proposal", "ahc6-chair-draft": "Chair's draft (AHC6)",
             "ahc6-amended-draft": "Amended draft (AHC6, est.)"}
DOC_LABEL_TWO_LINES = {"ahc3-uk-submission": "UK subm.\n3rd sess.", "ahc4-cnd": "CND\nJan 2023",
                       "expert-2023-proposal": "Expert\n(not negot.)", "ahc6-chair-draft": "Chair\nMay 2023",
                       "ahc6-amended-draft": "Amended\nSep 2023"}
DOC_LABEL_FLOWS = {"ahc4-cnd": "CND (4th)", "expert-2023-proposal": "Expert", "ahc6-chair-draft": "Chair (May 2023)",
                   "ahc6-amended-draft": "6th session"}

# ---------------------------------------------------------------- words
# A word for the n_words measures: a run of letters or digits, e.g. "criminal", "18", "bis"
WORD_RE = re.compile(r"[^\W_]+")


def count_words(text: str) -> int:
    """Words in ``text`` (runs of letters or digits; the rule of every ``n_words`` column)."""
    return len(WORD_RE.findall(text))
