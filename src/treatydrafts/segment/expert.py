"""Segmenter for ``expert-2023-proposal`` (seeds/001: plain text, Chapters I-III, Articles 1-56).

Layout of the source
--------------------
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

Cost: linear time and memory in the length of the source (the shared
skeleton of :mod:`treatydrafts.segment.common`).

Line roles: see :mod:`treatydrafts.segment.common` (``blank``, ``cover``,
``chapter_heading``, ``article_heading``, ``paragraph``, ``preamble``, ``note``,
``footnote``, ``footer``, ``page_number``, ``separator``).
"""
from __future__ import annotations

import re

from ..models import Segmentation, Source
from .common import scan_document

DOC_ID = "expert-2023-proposal"

# Title of the introductory text: "Introduction"
NOTE_TITLE_RE = re.compile(r"^(?:Introduction|Note by the [A-Z][a-z]{1,20}|Explanatory note)$")
# Title of a preamble: "Preamble"
PREAMBLE_TITLE_RE = re.compile(r"^Preamble$")


def segment(source: Source) -> Segmentation:
    """Chapters, articles, paragraphs and line roles of the expert proposal (never raises on odd text)."""
    b, _ = scan_document(source, NOTE_TITLE_RE, PREAMBLE_TITLE_RE, next_line_title=False)
    return b.finish()
