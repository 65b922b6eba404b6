"""Segmenter for ``ahc6-chair-draft`` (seeds/002: the Chair's draft text, markdown, Articles 1-67).

Layout of the source
--------------------
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

Cost: linear time and memory in the length of the source (the shared
skeleton of :mod:`treatydrafts.segment.common`).

Line roles: see :mod:`treatydrafts.segment.common`.
"""
from __future__ import annotations

import re

from ..models import Segmentation, Source
from .common import scan_document

DOC_ID = "ahc6-chair-draft"

# Title of the Chair's note (markup stripped): "Note by the Chair"
NOTE_TITLE_RE = re.compile(r"^Note by the (?:Chair|Secretariat)$")
# Title of the preamble (markup stripped): "Preamble"
PREAMBLE_TITLE_RE = re.compile(r"^Preamble$")


def segment(source: Source) -> Segmentation:
    """Chapters, articles, paragraphs and line roles of the Chair's draft (never raises on odd text)."""
    b, _ = scan_document(source, NOTE_TITLE_RE, PREAMBLE_TITLE_RE, next_line_title=False)
    return b.finish()
