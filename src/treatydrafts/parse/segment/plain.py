"""Segmenters for the two plain drafts: the Chair's draft and the expert proposal.

Both are read by :func:`treatydrafts.parse.segment.common.scan_document`; they
differ only in the titles of their introductory note and preamble.  Line
roles: see :mod:`treatydrafts.vocab`.

``ahc6-chair-draft`` (seeds/002: the Chair's draft text, markdown, Articles 1-67)
--------------------------------------------------------------------------------
* Cover block (``# General Assembly``, distribution, session, ``## Annex``,
  ``### Draft text of the convention``) → role ``cover``; ``---`` → ``separator``.
* ``#### **Note by the Chair**`` and its numbered paragraphs (before the Annex)
  → role ``note``; Paragraph rows with ``article_seq`` 0 and the labels as
  written (``"1"``, ``"2"``).
* ``#### Preamble`` and its paragraphs (``*The States Parties ...*``,
  ``(1) *Bearing in mind* ...`` ... ``*Have agreed* as follows:``) → role
  ``preamble``; Paragraph rows with ``article_seq`` 0, ``article`` ``""`` and
  labels ``"(1)"`` ... ``"(14)"`` (``""`` for the unnumbered opening/closing lines).
* Chapter headings with any markup (``## **Chapter I General provisions**``,
  ``### **Chapter III Jurisdiction**``); ``## **Chapter IV**`` has its title on
  the next heading line (``### **Procedural measures and law enforcement**``):
  both lines get ``chapter_heading``.  Chapter label is the Roman numeral.
* Article headings with any markup (``### *Article 1. ...*``, ``#### *Article 38. ...*``,
  bare ``*Article 3. ...*``); headings broken with a two-space hard break
  (``*Article 9. Interference with [a computer system]  `` + ``[an information
  and communications technology device]*``) are joined with one space; all their
  lines get ``article_heading``.  Titles drop ``#``, ``*`` and the footnote
  marker ``<sup>1</sup>`` (Article 2, ``footnote_marker`` diagnostic) and keep
  bracketed alternative terms as written.
* The footnote body (``<sup>1</sup> The terms contained ...``, inside Article 2
  between sub-paragraphs (ii) and (iii)) → role ``footnote``.
* ``IN WITNESS WHEREOF ...`` after Article 67 → a ``note`` paragraph outside
  the article (``closing_clause`` diagnostic); Article 67 ends before it.
* Sentences broken at page boundaries (``... when committed`` / blank /
  ``intentionally and without right ...``) are joined into one paragraph
  (``paragraph_continued``).  Labels normalised: ``"1"``, ``"(a)"``, ``"(i)"``;
  ``3.`` alone on its line (Article 23) is a paragraph of its own.

``expert-2023-proposal`` (seeds/001: plain text, Chapters I-III, Articles 1-56)
--------------------------------------------------------------------------------
* Cover block (title, "By", author, date) → role ``cover``; the "Introduction"
  title and its "Recognizing ... / Noting ..." text up to Chapter I → role
  ``note`` (Paragraph rows with ``article_seq`` 0, label ``""``).
* Chapter headings ``Chapter I General provisions``; ``Chapter III`` has its
  title on a later line (``Procedural measures and law enforcement``): both
  lines get ``chapter_heading``.  Chapter label is the Roman numeral.
* Article headings ``Article 1. Statement of purpose`` (title kept as written,
  including the final full stop of Article 19's title).
* Mixed paragraph numbering: ``- 1.Each``, ``- 1. Each``, ``3.A Party``,
  ``- a."computer system"``, ``- i. a device``, `` - a) producing``, ``- (a)``,
  ``- (a) (i)``, and list-numbering leftovers `` - 1. (a)`` / `` - 2. (b)``
  (Articles 35, 39 and 40), which are labelled by their letter with a
  ``compound_label`` diagnostic.  Labels are normalised: ``"1"``, ``"(a)"``, ``"(i)"``.
* Sentences split at page breaks (a blank line in the middle of a sentence,
  e.g. lines 143/145) are joined into one paragraph with non-contiguous
  ``line_numbers`` and a ``paragraph_continued`` diagnostic.
* Article 39 repeats its paragraphs 6-9 (lines 312-315 = lines 308-311): both
  copies are kept, with ``duplicated_block`` and ``paragraph_numbering`` diagnostics.

Cost (both drafts): linear time and memory in the length of the source (the
shared skeleton of :mod:`treatydrafts.parse.segment.common`).
"""
from __future__ import annotations

import re

from ...models import Segmentation, Source
from .common import scan_document

# Title of the Chair's note (markup stripped): "Note by the Chair"
CHAIR_NOTE_TITLE_RE = re.compile(r"^Note by the (?:Chair|Secretariat)$")
# Title of the expert proposal's introduction: "Introduction", "Explanatory note"
EXPERT_NOTE_TITLE_RE = re.compile(r"^(?:Introduction|Note by the [A-Z][a-z]{1,20}|Explanatory note)$")
# Title of a preamble: "Preamble"
PREAMBLE_TITLE_RE = re.compile(r"^Preamble$")


def segment_chair_draft(source: Source) -> Segmentation:
    """Chapters, articles, paragraphs and line roles of the Chair's draft (never raises on odd text)."""
    b, _ = scan_document(source, CHAIR_NOTE_TITLE_RE, PREAMBLE_TITLE_RE, next_line_title=False)
    return b.finish()


def segment_expert(source: Source) -> Segmentation:
    """Chapters, articles, paragraphs and line roles of the expert proposal (never raises on odd text)."""
    b, _ = scan_document(source, EXPERT_NOTE_TITLE_RE, PREAMBLE_TITLE_RE, next_line_title=False)
    return b.finish()
