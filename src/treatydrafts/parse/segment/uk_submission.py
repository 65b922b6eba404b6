"""Segmenter for ``ahc3-uk-submission`` (seeds/004: A/AC.291/12/Add.2, the United
Kingdom's submission to the third session; Articles 1-30 numbered afresh).

Layout of the source
--------------------
* UN cover block (symbol, distribution, committee, session), ``## Addendum``,
  the table of contents (``# Contents``, ``\\tPage``, ``Additional submission\\t2``)
  and the submission title (``# United Kingdom of Great Britain and Northern
  Ireland``, ``[Original: English] [9 August 2022]``) → role ``cover``.
* ``# Additional submission`` and its explanatory sentence → role ``note``
  (Paragraph row, ``article_seq`` 0).
* ``#### Preamble`` and the United Kingdom's comment on the preamble → role
  ``preamble`` (Paragraph row, ``article_seq`` 0, label ``""``).
* Chapters are written ``Chapter - International cooperation`` /
  ``Chapter – Technical assistance and capacity-building`` at any markdown depth
  (``#`` to ``###``, sometimes bold); they have no number, so the chapter label
  *is* its title (``"International cooperation"``).
* Article headings are split (``Article 3`` / ``Extradition``, with or without a
  blank line between, any markdown depth) or inline (``# Article 15 Training``,
  ``## Article 22 Secretariat``, ``Article 28 Amendment``).  All heading lines
  get ``article_heading``.
* Four articles have lost their ``Article N`` line: only the title line is left,
  between the last paragraph of the previous article and the first paragraph
  of the next.  They are found where the explicit numbering jumps (3 → 5, 6 → 8,
  8 → 10, 17 → 19): a short title-like line (capital first letter, no final
  punctuation, no label, at most 200 characters, after a blank line, the
  previous paragraph ending a sentence).  Each becomes an Article with the
  inferred number (``article`` "4", ``article_num`` 4), its ``title`` from that
  line, ``start_line``/``heading_line`` = the title line (role
  ``article_heading``), plus a ``missing_article_heading`` diagnostic saying
  how the number was inferred.  A title-like line found where the numbering has
  no gap is only reported (``possible_missing_heading``), not turned into an article.
* Running footers ``V.22-10956 3/16`` (also ``3/**16**``) on odd pages →
  role ``footer``; a sentence continuing across one (lines 77 → 81, 229 → 232,
  278 → 281) stays one paragraph with non-contiguous ``line_numbers``
  (``paragraph_continued``).
* ``IN WITNESS WHEREOF ...`` after Article 30 → a ``note`` paragraph outside
  the article (``closing_clause``).

Cost: linear time and memory in the length of the source: the shared skeleton
of :mod:`treatydrafts.parse.segment.common`, and the search for lost headings scans
the lines between two explicit headings once.

Line roles: see :mod:`treatydrafts.parse.segment.common`.  Paragraph labels are
normalised (``"1"``, ``"(a)"``, ``"(i)"``); ``1. (a) This article ...`` is
labelled ``"1"``.
"""
from __future__ import annotations

import bisect
import re

from ...models import Segmentation, Source
from .common import Builder, ends_sentence, looks_like_title, scan_document, strip_markup

DOC_ID = "ahc3-uk-submission"

# Title of the explanatory note (markup stripped): "Additional submission"
NOTE_TITLE_RE = re.compile(r"^(?:Additional submission|Note by the [A-Z][a-z]{1,20})$")
# Title of the preamble (markup stripped): "Preamble"
PREAMBLE_TITLE_RE = re.compile(r"^Preamble$")
# Submission title / origin line that returns to the cover block:
# "United Kingdom of Great Britain and Northern Ireland", "[Original: English] [9 August 2022]"
COVER_LINE_RE = re.compile(r"^(?:\[Original:|Contents$|Addendum$)")


def segment(source: Source) -> Segmentation:
    """Chapters, articles, paragraphs and line roles of the UK submission (never raises on odd text)."""
    b, first = scan_document(source, NOTE_TITLE_RE, PREAMBLE_TITLE_RE, next_line_title=True,
                             cover_heading=COVER_LINE_RE)
    if first:
        _infer_missing_headings(b)
    return b.finish()


def _candidate_titles(b: Builder, lo: int, hi: int) -> list[int]:
    """Title-like lines in ``lo``..``hi`` standing alone between paragraphs."""
    found = []
    last_text = 0  # last text line seen (no role yet)
    for ln in range(lo, hi + 1):
        if ln in b.roles:
            continue
        text = b.texts[ln]
        prev_role = b.roles.get(ln - 1)
        after_gap = prev_role in ("blank", "footer", "page_number", "article_heading", "chapter_heading")
        if (
            after_gap
            and looks_like_title(text)
            and (last_text == 0 or ends_sentence(b.texts[last_text]))
            and b.next_nonblank(ln, limit=3)
        ):
            found.append(ln)
        last_text = ln
    return found


def _infer_missing_headings(b: Builder) -> None:
    explicit = sorted(b.articles, key=lambda a: a.heading_lines[0])
    if not explicit:
        return
    boundaries = sorted({a.heading_lines[0] for a in explicit} | {c.heading_lines[0] for c in b.chapters})
    for k, art in enumerate(explicit):
        lo = art.heading_lines[-1] + 1
        i_later = bisect.bisect_right(boundaries, art.heading_lines[0])  # first boundary after the heading
        hi = boundaries[i_later] - 1 if i_later < len(boundaries) else b.n
        nxt = explicit[k + 1] if k + 1 < len(explicit) else None
        # the range may hold a chapter heading: scan up to the next article instead
        if nxt is not None:
            hi = nxt.heading_lines[0] - 1
        candidates = [ln for ln in _candidate_titles(b, lo, hi) if ln not in b.roles]
        gap = (nxt.num - art.num - 1) if nxt is not None else 0
        if not candidates:
            if gap > 0:
                b.diag(
                    nxt.heading_lines[0],
                    "article_numbering",
                    f"Articles {art.num + 1}-{nxt.num - 1} missing between Article {art.label} and Article {nxt.label}; "
                    "no title line found for them",
                )
            continue
        if gap <= 0:
            for ln in candidates:
                b.diag(
                    ln,
                    "possible_missing_heading",
                    f"line {ln} {strip_markup(b.texts[ln])!r} looks like an article title but the numbering "
                    f"has no gap (Article {art.label} → {nxt.label if nxt else 'end'}); kept as text",
                )
            continue
        for i, ln in enumerate(candidates[:gap], start=1):
            num = art.num + i
            title = strip_markup(b.texts[ln])
            b.add_article(str(num), num, title, [ln], inferred=True)
            b.diag(
                ln,
                "missing_article_heading",
                f"line {ln} {title!r} is an article title without its 'Article N' line; numbered {num} "
                f"from the gap between Article {art.label} (line {art.heading_lines[0]}) and "
                f"Article {nxt.label} (line {nxt.heading_lines[0]})",
            )
        for ln in candidates[gap:]:
            b.diag(
                ln,
                "possible_missing_heading",
                f"line {ln} {strip_markup(b.texts[ln])!r} looks like an article title but the numbering gap "
                f"between Article {art.label} and Article {nxt.label} is already filled; kept as text",
            )
        if len(candidates) < gap:
            b.diag(
                nxt.heading_lines[0],
                "article_numbering",
                f"{gap - len(candidates)} article(s) before Article {nxt.label} have neither heading nor title line",
            )
