"""Shared machinery of the structure segmenters (``segment/*.py``).

A document-specific module recognises *where* things are (cover block,
notes, preamble, chapter and article headings, running footers); the
:class:`Builder` here turns that into the :class:`~treatydrafts.models.Segmentation`
every segmenter returns: article and chapter ranges, paragraphs, exactly one
:class:`~treatydrafts.models.LineRole` per source line, and diagnostics.

Line roles (the shared vocabulary, ``ROLES``)
---------------------------------------------
``blank``            empty or whitespace-only line
``cover``            title/cover block, distribution info, table of contents,
                     section titles of the front matter ("## Annex")
``chapter_heading``  a chapter heading line (also the second line of a split heading)
``article_heading``  an article heading line (also the title line of a split heading,
                     and the title line of an article whose ``Article N`` line is missing)
``paragraph``        a line of a paragraph inside an article
``preamble``         the "Preamble" title and preamble paragraphs (Paragraph rows with
                     ``article_seq`` 0, ``article`` "")
``note``             explanatory text outside the convention articles (Note by the Chair,
                     the expert proposal's Introduction, the closing "IN WITNESS
                     WHEREOF" clause, text that fits nowhere else) and its title line;
                     the text becomes Paragraph rows with ``article_seq`` 0
``footnote``         a footnote body (``<sup>1</sup> The terms ...``)
``footer``           a running footer (``V.22-10956 3/16``)
``page_number``      a page number on its own line (``3/77``)
``separator``        a horizontal rule (``---``)

Title lines of notes and preambles ("Introduction", "#### Preamble") carry the
``note`` / ``preamble`` role with ``paragraph_seq`` 0.  A line's
``article_seq`` is the article whose line range holds it (blank lines and
footers inside an article included), 0 elsewhere.

Paragraphs
----------
A paragraph starts at a labelled line (``1.``, ``- 1.``, ``1.Each``, ``(a)``,
``- (a)``, ``a)``, ``- a.``, ``- i.``, ``(i)``, ``(1)``), at a bulleted line
without a label (``- with intent that ...``), or at the first line of an
unlabelled block (chapeau or closing text).  Following lines of the same block
(no blank line between) continue it.  A block after a gap (blank lines, a
footer, a page number, a footnote) continues the previous paragraph when that
paragraph's last line ends without sentence punctuation (``.``, ``;``, ``:``,
``!``, ``?``; in a preamble also ``,``, which ends each preamble clause) and the
block has no label or bullet: a sentence broken at a page boundary.  Each such join is reported as a ``paragraph_continued`` diagnostic.

Labels are normalised: ``1.`` → ``"1"``; ``(a)``, ``a)``, ``a.`` → ``"(a)"``;
``(i)``, ``i.`` → ``"(i)"``; unlabelled text → ``""``.  A compound label
``1. (a)`` keeps its first label (``"1"``) except where the number merely
counts the letters of an indented list (`` - 1. (a)``, `` - 2. (b)`` in the
expert proposal: list numbering left over from conversion); then the letter is
kept and a ``compound_label`` diagnostic records it.

Articles and chapters
---------------------
``start_line`` is the (first) heading line; ``end_line`` is the line before the
next chapter or article heading or closing note (the last line of the file for
the last one).  Chapters likewise end before the next chapter heading.

Cost
----
Linear time and memory in the length of the source: each line is classified a
bounded number of times by regexes with bounded quantifiers, an article's
chapter is found by bisection (not by scanning every chapter: 50,000 chapters
and articles were quadratic), and each paragraph is built from its own lines.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from ...models import Article, Chapter, Diagnostic, LineRole, Paragraph, Segmentation, Source

STAGE = "segment"

ROLES = (
    "blank",
    "cover",
    "chapter_heading",
    "article_heading",
    "paragraph",
    "preamble",
    "note",
    "footnote",
    "footer",
    "page_number",
    "separator",
)

# --- regexes (compiled once; bounded quantifiers only) ----------------------

# Leading markdown heading markup: "### " in "### *Article 1. Statement of purpose*"
MD_HEADING_RE = re.compile(r"^\s{0,3}#{1,6}\s{0,4}")
# A footnote marker: "<sup>1</sup>" in "Use of terms<sup>1</sup>"
SUP_RE = re.compile(r"<sup>\s{0,2}[0-9a-z*]{1,4}\s{0,2}</sup>")
# A footnote body line: "<sup>1</sup> The terms contained in paragraphs (a) and (b) ..."
FOOTNOTE_RE = re.compile(r"^\s{0,4}<sup>\s{0,2}[0-9a-z*]{1,4}\s{0,2}</sup>\s{0,4}\S")
# A running footer: "V.22-10956 3/16", "V.22-10956 3/**16** "
FOOTER_RE = re.compile(r"^\s{0,4}V\.\d{2}-\d{4,6}\s{1,4}\**\d{1,3}\**/\**\d{1,3}\**\s{0,4}$")
# A page number alone on its line: "3/77", "**12**/77"
PAGE_NUMBER_RE = re.compile(r"^\s{0,4}\**\d{1,3}\**\s{0,2}/\s{0,2}\**\d{1,3}\**\s{0,4}$")
# A horizontal rule: "---", "***", "___"
SEPARATOR_RE = re.compile(r"^\s{0,3}(?:-{3,80}|\*{3,80}|_{3,80})\s{0,4}$")
# An article heading, after markup is stripped: "Article 1. Statement of purpose",
# "Article 15 Training", "Article 3", "Article 10 bis. Title"
ARTICLE_RE = re.compile(
    r"^Article\s{1,3}(?P<num>\d{1,3})"
    r"(?:\s{1,3}(?P<suffix>bis|ter|quater|quinquies|sexies|septies|octies|alt)\b)?"
    r"(?P<sep>\s{0,3}[.:\u2013\u2014-]\s{0,3}|\s{1,3}|$)"
    r"(?P<title>.*)$"
)
# Roman-numbered chapter heading, after markup is stripped: "Chapter I General provisions", "Chapter IV"
CHAPTER_ROMAN_RE = re.compile(r"^Chapter\s{1,3}(?P<label>[IVXLC]{1,8})\b\.?\s{0,3}(?P<title>.*)$")
# Dash-titled chapter heading: "Chapter - International cooperation", "Chapter – Final measures"
CHAPTER_DASH_RE = re.compile(r"^Chapter\s{0,3}[-\u2013\u2014:]\s{0,3}(?P<title>\S.*)$")
# A closing clause: "IN WITNESS WHEREOF, the undersigned plenipotentiaries ..."
TESTIMONIUM_RE = re.compile(r"^\s{0,4}\**IN WITNESS WHEREOF")

# Optional indentation and list bullet before a label: "- ", " - ", "  * "
_BULLET = r"(?P<indent>\s{0,8})(?P<bullet>[-*+\u2022]\s{1,4})?"
# Numbered paragraph: "1. Each", "- 1.Each", "3.A Party", "10 bis. ", "3." (alone)
NUM_LABEL_RE = re.compile(
    _BULLET + r"(?P<num>\d{1,3}(?:\s(?:bis|ter|quater))?)\.(?!\d)(?P<gap>\s{0,4})"
)
# Parenthesised label: "(a) ", "- (ii) ", "(1) " (preamble), "(a)(i)"
PAREN_LABEL_RE = re.compile(_BULLET + r"\((?P<lab>[a-z]{1,2}|[ivxl]{1,6}|\d{1,3})\)(?P<gap>\s{0,4})")
# Closing-parenthesis label, only after a bullet: "- a) producing", " - b) offering"
RPAREN_LABEL_RE = re.compile(
    r"(?P<indent>\s{0,8})(?P<bullet>[-*+\u2022]\s{1,4})(?P<lab>[a-z]|[ivxl]{1,6})\)(?P<gap>\s{0,4})"
)
# Letter/roman-dot label, only after a bullet: "- a.\"computer system\"", "- b. ", "- ii. a computer"
DOT_LABEL_RE = re.compile(
    r"(?P<indent>\s{0,8})(?P<bullet>[-*+\u2022]\s{1,4})(?P<lab>[a-z]|[ivx]{1,5})\.(?P<gap>\s{0,4})(?=\S)"
)
# A second label right after the first: "(a)" in "1. (a) A power of representation"
SECOND_LABEL_RE = re.compile(r"\((?P<lab>[a-z]{1,2}|[ivxl]{1,6})\)")
# A list bullet with no label: "- with intent that it be used ..."
BULLET_RE = re.compile(r"^\s{0,8}[-+\u2022]\s{1,4}\S|^\s{0,8}\*\s{1,4}\S")
# Line-final sentence punctuation (after trailing markup/quotes): "... committed.", "...; or", "as:"
TERMINAL_RE = re.compile(r"[.;:!?][\s*_\"'\u201d\u2019)\]]{0,6}$")
# Line-final comma (after trailing markup): "... Charter of the United Nations,", "*... Convention,*"
COMMA_END_RE = re.compile(r",[\s*_\"'\u201d\u2019)\]]{0,6}$")


def strip_markup(text: str) -> str:
    """Heading text without markdown: ``"### *Article 1. Purpose*  "`` → ``"Article 1. Purpose"``."""
    t = MD_HEADING_RE.sub("", text)
    t = SUP_RE.sub("", t)
    t = t.replace("*", "")
    return " ".join(t.split())


def has_hard_break(text: str) -> bool:
    """Markdown two-space hard break at the end of ``text``."""
    return text.endswith("  ") and text.strip() != ""


def is_blank(text: str) -> bool:
    return text.strip() == ""


def ends_sentence(text: str, comma: bool = False) -> bool:
    """True when ``text`` ends with sentence punctuation (``.``, ``;``, ``:``, ``!``, ``?``).

    With ``comma`` a final ``,`` counts too (preamble clauses end with commas).
    """
    if TERMINAL_RE.search(text.rstrip()):
        return True
    return comma and bool(COMMA_END_RE.search(text.rstrip()))


def layout_role(text: str) -> str | None:
    """Role of a layout line (blank, footer, page number, footnote, separator), or None."""
    if is_blank(text):
        return "blank"
    if FOOTER_RE.match(text):
        return "footer"
    if PAGE_NUMBER_RE.match(text):
        return "page_number"
    if FOOTNOTE_RE.match(text):
        return "footnote"
    if SEPARATOR_RE.match(text):
        return "separator"
    return None


@dataclass(frozen=True)
class Label:
    label: str  # normalised: "1", "(a)", "(i)"
    as_written: str  # the matched prefix, e.g. " - 1. (a) "
    number: int | None  # numeric value of a numbered label
    second: str  # a second label right after it ("(a)" in "1. (a)"), else ""
    indented: bool  # line starts with whitespace


def parse_label(text: str) -> Label | None:
    """The paragraph label opening ``text``, or None.

    ``"- 1.Each Party"`` → ``"1"``; ``" - a) producing"`` → ``"(a)"``;
    ``"- ii. a computer password"`` → ``"(ii)"``; ``"(1) *Bearing in mind*"`` → ``"(1)"``.
    """
    if not text.strip():
        return None
    head = text[:40]
    m = NUM_LABEL_RE.match(head)
    if m:
        rest = text[m.end():]
        # "3.A Party" / "1.Each" / "3." alone / "1. This" are labels; "2.2 through" is not (handled by (?!\d)).
        if m.group("gap") or rest == "" or rest[:1].isupper() or rest[:1] in "\"\u201c([":
            num_txt = m.group("num")
            digits = num_txt.split()[0]
            sec = SECOND_LABEL_RE.match(rest)
            return Label(
                label=num_txt,
                as_written=text[: m.end()],
                number=int(digits),
                second=f"({sec.group('lab')})" if sec else "",
                indented=m.group("indent") != "",
            )
    for regex in (PAREN_LABEL_RE, RPAREN_LABEL_RE, DOT_LABEL_RE):
        m = regex.match(head)
        if m:
            rest = text[m.end():]
            sec = SECOND_LABEL_RE.match(rest)
            return Label(
                label=f"({m.group('lab')})",
                as_written=text[: m.end()],
                number=None,
                second=f"({sec.group('lab')})" if sec else "",
                indented=m.group("indent") != "",
            )
    return None


def is_bulleted(text: str) -> bool:
    return bool(BULLET_RE.match(text)) and not SEPARATOR_RE.match(text)


def letter_index(label: str) -> int:
    """1 for "(a)", 2 for "(b)" ...; 0 when not a single letter."""
    inner = label.strip("()")
    if len(inner) == 1 and "a" <= inner <= "z":
        return ord(inner) - ord("a") + 1
    return 0


# --- builder ----------------------------------------------------------------


@dataclass
class _ArticleDraft:
    label: str
    num: int
    title: str
    heading_lines: list[int]
    inferred: bool = False


@dataclass
class _ChapterDraft:
    label: str
    title: str
    heading_lines: list[int]


@dataclass
class _Region:
    role: str  # "note" / "preamble"
    start: int
    end: int  # inclusive; may be 0 = "until next boundary"
    title_lines: list[int] = field(default_factory=list)
    closes_article: bool = False  # a closing clause after the last article


class Builder:
    """Collects what a document module recognised; :meth:`finish` builds the Segmentation."""

    def __init__(self, source: Source):
        self.source = source
        self.doc_id = source.doc_id
        self.n = source.n_lines
        self.texts = [""] + [source.line_text(i) for i in range(1, self.n + 1)]
        self.roles: dict[int, str] = {}
        self.diagnostics: list[Diagnostic] = []
        self.chapters: list[_ChapterDraft] = []
        self.articles: list[_ArticleDraft] = []
        self.regions: list[_Region] = []

    # -- recording ---------------------------------------------------------
    def diag(self, line: int, kind: str, message: str) -> None:
        self.diagnostics.append(Diagnostic(self.doc_id, line, kind, message, stage=STAGE))

    def set_role(self, line: int, role: str) -> None:
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}")  # programming error, not content
        self.roles[line] = role

    def add_layout_roles(self) -> None:
        """Give blank/footer/page-number/footnote/separator lines their role."""
        for i in range(1, self.n + 1):
            role = layout_role(self.texts[i])
            if role is not None:
                self.roles[i] = role

    def add_chapter(self, label: str, title: str, heading_lines: list[int]) -> None:
        for ln in heading_lines:
            self.roles[ln] = "chapter_heading"
        self.chapters.append(_ChapterDraft(label, title, list(heading_lines)))

    def add_article(self, label: str, num: int, title: str, heading_lines: list[int], inferred: bool = False) -> None:
        for ln in heading_lines:
            self.roles[ln] = "article_heading"
        self.articles.append(_ArticleDraft(label, num, title, list(heading_lines), inferred))

    def add_region(self, role: str, start: int, end: int, title_lines=(), closes_article: bool = False) -> None:
        for ln in title_lines:
            self.roles[ln] = role
        self.regions.append(_Region(role, start, end, list(title_lines), closes_article))

    # -- heading helpers ---------------------------------------------------
    def next_nonblank(self, line: int, limit: int = 3) -> int:
        """First line after ``line`` that is not blank (looking at most ``limit`` lines ahead), or 0."""
        j = line + 1
        while j <= self.n and j <= line + limit + 1:
            if not is_blank(self.texts[j]):
                return j
            j += 1
        return 0

    # -- building ----------------------------------------------------------
    def finish(self) -> Segmentation:
        n = self.n
        articles = sorted(self.articles, key=lambda a: a.heading_lines[0])
        chapters = sorted(self.chapters, key=lambda c: c.heading_lines[0])
        closing = sorted(r.start for r in self.regions if r.closes_article)
        boundaries = sorted(
            {a.heading_lines[0] for a in articles} | {c.heading_lines[0] for c in chapters} | set(closing)
        )

        def end_of(start: int, among: list[int]) -> int:
            k = bisect.bisect_right(among, start)  # ``among`` is sorted
            return among[k] - 1 if k < len(among) else n

        chapter_rows: list[Chapter] = []
        chapter_starts = [c.heading_lines[0] for c in chapters]
        for k, c in enumerate(chapters, start=1):
            chapter_rows.append(
                Chapter(self.doc_id, k, c.label, c.title, c.heading_lines[0], end_of(c.heading_lines[0], chapter_starts))
            )

        def chapter_at(line: int) -> str:
            """Label of the (last) chapter whose range holds ``line``: ranges run from one
            chapter start to the next, so it is the last chapter starting at or before it."""
            k = bisect.bisect_right(chapter_starts, line) - 1
            return chapter_rows[k].chapter if k >= 0 and line <= chapter_rows[k].end_line else ""

        article_rows: list[Article] = []
        owner = [0] * (n + 1)  # article_seq owning each line
        for k, a in enumerate(articles, start=1):
            start = a.heading_lines[0]
            end = end_of(start, boundaries)
            article_rows.append(
                Article(
                    doc_id=self.doc_id,
                    article_seq=k,
                    chapter=chapter_at(start),
                    article=a.label,
                    article_num=a.num,
                    title=a.title,
                    is_proposed=False,
                    start_line=start,
                    end_line=end,
                    heading_line=start,
                )
            )
            for ln in range(start, end + 1):
                owner[ln] = k

        # Regions for paragraphs: article bodies, notes, preambles, leftovers.
        region_of = [""] * (n + 1)
        for r in self.regions:
            end = r.end if r.end else end_of(r.start, boundaries)
            for ln in range(r.start, min(end, n) + 1):
                if owner[ln] == 0:
                    region_of[ln] = r.role
        for ln in range(1, n + 1):
            if owner[ln]:
                region_of[ln] = "paragraph"

        # Unassigned text lines (outside articles, notes, preambles, cover): keep as notes.
        ln = 1
        while ln <= n:
            if ln not in self.roles and not region_of[ln]:
                start = ln
                while ln <= n and ln not in self.roles and not region_of[ln]:
                    region_of[ln] = "note"
                    ln += 1
                self.diag(
                    start,
                    "unassigned_text",
                    f"lines {start}-{ln - 1} lie outside any article, note, preamble or cover block; kept as a note",
                )
            else:
                ln += 1

        # Paragraphs: group text lines by (region role, article) in document order.
        paragraphs: list[Paragraph] = []
        line_para = [0] * (n + 1)
        current: list[int] = []
        current_label = ""
        current_key = None
        last_label: Label | None = None
        seq = 0

        def flush():
            nonlocal current, seq
            if not current:
                return
            seq += 1
            key_role, art_seq = current_key
            art = article_rows[art_seq - 1].article if art_seq else ""
            paragraphs.append(make_paragraph(self.source, seq, art_seq, art, current_label, current))
            for x in current:
                line_para[x] = seq
            current = []

        gap_only_layout = True  # since the last text line, only blank/footer/page/footnote lines
        gap_had_lines = False
        for ln in range(1, n + 1):
            role = self.roles.get(ln)
            if role is not None:
                if role not in ("blank", "footer", "page_number", "footnote"):
                    gap_only_layout = False
                gap_had_lines = True
                continue
            kind = region_of[ln]
            key = (kind, owner[ln])
            text = self.texts[ln]
            lab = parse_label(text)
            if key != current_key:
                flush()
                current_key = key
                last_label = None
                current_label = self._label_for(lab, last_label, ln)
                current = [ln]
                last_label = lab
            elif lab is not None:
                flush()
                current_label = self._label_for(lab, last_label, ln)
                current = [ln]
                last_label = lab
            elif is_bulleted(text):
                flush()
                current_label = ""
                current = [ln]
                last_label = None
            elif not gap_had_lines and current:
                current.append(ln)  # same block
            elif current and gap_only_layout and not ends_sentence(self.texts[current[-1]], comma=kind == "preamble"):
                self.diag(
                    ln,
                    "paragraph_continued",
                    f"line {ln} continues the sentence of line {current[-1]} across a page break; joined into one paragraph",
                )
                current.append(ln)
            else:
                flush()
                current_label = ""
                current = [ln]
                last_label = None
            gap_only_layout = True
            gap_had_lines = False
        flush()

        # Line roles.
        rows: list[LineRole] = []
        for ln in range(1, n + 1):
            role = self.roles.get(ln)
            if role is None:
                role = region_of[ln] or "note"
            rows.append(LineRole(self.doc_id, ln, role, owner[ln], line_para[ln]))

        self._check_article_numbers(article_rows, articles)
        self._check_paragraphs(article_rows, paragraphs)
        diags = tuple(sorted(self.diagnostics, key=lambda d: (d.line, d.kind, d.message)))
        return Segmentation(self.doc_id, tuple(chapter_rows), tuple(article_rows), tuple(paragraphs), tuple(rows), diags)

    def _label_for(self, lab: Label | None, previous: Label | None, line: int) -> str:
        if lab is None:
            return ""
        if lab.number is not None and lab.second and letter_index(lab.second) == lab.number:
            artifact = lab.indented or (
                previous is not None
                and previous.number is not None
                and previous.second != ""
                and letter_index(previous.second) == previous.number
                and lab.number == previous.number + 1
            )
            if artifact:
                self.diag(
                    line,
                    "compound_label",
                    f"label '{lab.as_written.strip()} {lab.second}': the number {lab.number} only counts list items; "
                    f"paragraph labelled {lab.second}",
                )
                return lab.second
        return lab.label

    def _check_article_numbers(self, rows: list[Article], drafts: list[_ArticleDraft]) -> None:
        prev = None
        for row in rows:
            if prev is not None and row.article_num not in (prev.article_num, prev.article_num + 1):
                self.diag(
                    row.heading_line,
                    "article_numbering",
                    f"Article {row.article} follows Article {prev.article} (line {prev.heading_line}): numbering gap or disorder",
                )
            prev = row

    def _check_paragraphs(self, articles: list[Article], paragraphs: list[Paragraph]) -> None:
        by_article: dict[int, list[Paragraph]] = {}
        for p in paragraphs:
            if p.article_seq:
                by_article.setdefault(p.article_seq, []).append(p)
        for art_seq, paras in by_article.items():
            art = articles[art_seq - 1]
            # numbered paragraphs should run 1, 2, 3 ...
            expected = 1
            for p in paras:
                head = p.paragraph.split()[0] if p.paragraph else ""
                if head.isdigit():
                    num = int(head)
                    if num != expected and not (p.paragraph != head and num == expected - 1):
                        self.diag(
                            p.start_line,
                            "paragraph_numbering",
                            f"Article {art.article}: paragraph {p.paragraph} where {expected} was expected",
                        )
                    expected = num + 1
            # duplicated blocks: a paragraph repeating an earlier one of the same article word for word
            first_seen: dict[str, int] = {}
            dup_pairs: list[tuple[int, int]] = []
            for idx, p in enumerate(paras):
                key = _body(p.text)
                if len(key) < 20:
                    continue
                if key in first_seen:
                    dup_pairs.append((first_seen[key], idx))
                else:
                    first_seen[key] = idx
            groups: list[list[tuple[int, int]]] = []
            for pair in dup_pairs:
                if groups and pair[0] == groups[-1][-1][0] + 1 and pair[1] == groups[-1][-1][1] + 1:
                    groups[-1].append(pair)
                else:
                    groups.append([pair])
            for g in groups:
                orig = [paras[i] for i, _ in g]
                copy = [paras[j] for _, j in g]
                labels = ", ".join(p.paragraph or '""' for p in copy)
                self.diag(
                    copy[0].start_line,
                    "duplicated_block",
                    f"Article {art.article}: lines {copy[0].start_line}-{copy[-1].end_line} (paragraphs {labels}) "
                    f"repeat lines {orig[0].start_line}-{orig[-1].end_line} word for word; both copies kept",
                )


def _body(text: str) -> str:
    return " ".join(text.split())


def make_paragraph(source: Source, seq: int, article_seq: int, article: str, label: str, lines: list[int]) -> Paragraph:
    """A Paragraph from its lines (possibly non-contiguous)."""
    texts = [source.line_text(x) for x in lines]
    start = source.line_starts[lines[0] - 1]
    end = source.line_starts[lines[-1] - 1] + len(texts[-1])
    return Paragraph(
        doc_id=source.doc_id,
        paragraph_seq=seq,
        article_seq=article_seq,
        article=article,
        paragraph=label,
        text="\n".join(texts),
        start_line=lines[0],
        end_line=lines[-1],
        start_offset=start,
        end_offset=end,
        line_numbers=tuple(lines),
    )


def article_label(num: str, suffix: str | None) -> str:
    """``("10", "bis")`` → ``"10 bis"``."""
    return f"{int(num)} {suffix}" if suffix else str(int(num))


def scan_document(source: Source, note_re: re.Pattern, preamble_re: re.Pattern, next_line_title: bool,
                  cover_heading=None) -> tuple[Builder, int]:
    """The common skeleton of the markdown/plain-text segmenters: layout roles, headings and
    paragraphs, then the front matter before the first heading.

    Returns the builder (call ``finish()`` on it) and the first heading line (0 = none found,
    reported as a ``no_headings`` diagnostic).
    """
    b = Builder(source)
    b.add_layout_roles()
    first = scan_structure(b, next_line_title=next_line_title)
    if first == 0:
        b.diag(1, "no_headings", "no chapter or article heading found; the text is kept as notes")
    elif first > 1:
        front_matter(b, 1, first - 1, note_re, preamble_re, cover_heading=cover_heading)
    return b, first


def front_matter(b: Builder, first: int, last: int, note_re: re.Pattern, preamble_re: re.Pattern, cover_heading=None) -> None:
    """Assign roles to the front matter (lines ``first``..``last``).

    A state machine over title lines: a line matching ``note_re`` opens a note,
    ``preamble_re`` a preamble; any other markdown heading (or a line matching
    ``cover_heading``) returns to the cover block.  Text lines in the cover state
    get role ``cover``; text in a note/preamble becomes its paragraphs.
    """
    state = "cover"
    region_start = 0
    title_line = 0

    def close(upto: int):
        if state in ("note", "preamble") and region_start:
            b.add_region(state, region_start, upto, title_lines=[title_line])

    for ln in range(first, last + 1):
        if ln in b.roles:
            continue
        text = b.texts[ln]
        plain = strip_markup(text)
        if note_re.match(plain):
            close(ln - 1)
            state, region_start, title_line = "note", ln + 1, ln
            b.set_role(ln, "note")
            continue
        if preamble_re.match(plain):
            close(ln - 1)
            state, region_start, title_line = "preamble", ln + 1, ln
            b.set_role(ln, "preamble")
            continue
        if MD_HEADING_RE.match(text) or (cover_heading is not None and cover_heading.match(plain)):
            close(ln - 1)
            state, region_start = "cover", 0
        if state == "cover":
            b.set_role(ln, "cover")
    close(last)


# --- heading recognition shared by the document modules -----------------------


def looks_like_title(text: str) -> bool:
    """A short heading-like line: ``"Extradition"``, ``"## Transfer of criminal proceedings"``.

    Not blank, not a layout line, no paragraph label or bullet, no sentence
    punctuation at its end, starts with a capital letter or ``[``, at most 200
    characters once markup is stripped, and not itself an article/chapter heading.
    """
    if layout_role(text) is not None or parse_label(text) is not None or is_bulleted(text):
        return False
    plain = strip_markup(text)
    if not plain or len(plain) > 200:
        return False
    if plain[-1] in ".;:,":
        return False
    if not (plain[0].isupper() or plain[0] == "["):
        return False
    if ARTICLE_RE.match(plain) or CHAPTER_ROMAN_RE.match(plain) or CHAPTER_DASH_RE.match(plain):
        return False
    return True


def _unclosed_emphasis(text: str) -> bool:
    """``*Article 9. Interference with [a computer system]`` opens ``*`` without closing it."""
    body = MD_HEADING_RE.sub("", text).strip()
    return body.startswith("*") and body.count("*") % 2 == 1


def match_article(b: Builder, ln: int, *, next_line_title: bool) -> tuple[str, int, str, list[int]] | None:
    """An article heading starting at line ``ln``: ``(label, num, title, heading_lines)`` or None.

    Handles inline titles (``Article 1. Statement of purpose``, ``Article 15 Training``),
    titles continued after a markdown hard break or an unclosed ``*``
    (``*Article 9. Interference with [a computer system]  `` + next line), and,
    when ``next_line_title``, a title on the next non-blank line (``Article 3`` / ``Extradition``).
    """
    text = b.texts[ln]
    plain = strip_markup(text)
    m = ARTICLE_RE.match(plain)
    if not m:
        return None
    title = m.group("title").strip()
    sep = m.group("sep")
    if title and sep.strip() == "" and not looks_like_title(title):
        return None  # "Article 5 of this Convention shall ..." is a sentence, not a heading
    if sep == "." and title[:1].isdigit():
        return None  # "Article 2.2 through 2.5 ..." is a cross-reference, not a heading
    lines = [ln]
    cur = ln
    while (
        (has_hard_break(b.texts[cur]) or _unclosed_emphasis(b.texts[cur]))
        and cur + 1 <= b.n
        and not is_blank(b.texts[cur + 1])
        and cur + 1 not in b.roles
        and len(lines) < 4
    ):
        cur += 1
        lines.append(cur)
        more = strip_markup(b.texts[cur])
        title = f"{title} {more}".strip()
    if not title and next_line_title:
        j = b.next_nonblank(ln, limit=2)
        if j and j not in b.roles and looks_like_title(b.texts[j]):
            lines.append(j)
            title = strip_markup(b.texts[j])
    if SUP_RE.search(text):
        b.diag(ln, "footnote_marker", f"Article {article_label(m['num'], m['suffix'])}: footnote marker removed from the title")
    if not title:
        b.diag(ln, "missing_article_title", f"Article {article_label(m['num'], m['suffix'])} has no title")
    return article_label(m.group("num"), m.group("suffix")), int(m.group("num")), title, lines


def match_chapter(b: Builder, ln: int) -> tuple[str, str, list[int]] | None:
    """A chapter heading at ``ln``: ``(label, title, heading_lines)`` or None.

    ``Chapter I General provisions`` → ``("I", "General provisions")``; ``Chapter IV`` with
    its title on the next non-blank line; ``Chapter - International cooperation`` →
    ``("International cooperation", "International cooperation")``.
    """
    plain = strip_markup(b.texts[ln])
    m = CHAPTER_ROMAN_RE.match(plain)
    if m:
        title = m.group("title").strip()
        lines = [ln]
        if not title:
            j = b.next_nonblank(ln, limit=2)
            if j and j not in b.roles and looks_like_title(b.texts[j]):
                lines.append(j)
                title = strip_markup(b.texts[j])
            else:
                b.diag(ln, "missing_chapter_title", f"Chapter {m.group('label')} has no title")
        return m.group("label"), title, lines
    m = CHAPTER_DASH_RE.match(plain)
    if m:
        title = m.group("title").strip()
        return title, title, [ln]
    return None


def scan_structure(b: Builder, *, next_line_title: bool) -> int:
    """Find chapter and article headings and closing clauses; return the first heading line (0 if none)."""
    first = 0
    ln = 1
    while ln <= b.n:
        if ln in b.roles:
            ln += 1
            continue
        ch = match_chapter(b, ln)
        if ch is not None:
            b.add_chapter(*ch)
            first = first or ln
            ln = ch[2][-1] + 1
            continue
        art = match_article(b, ln, next_line_title=next_line_title)
        if art is not None:
            b.add_article(*art)
            first = first or ln
            ln = art[3][-1] + 1
            continue
        if first and TESTIMONIUM_RE.match(b.texts[ln]):
            b.add_region("note", ln, 0, closes_article=True)
            b.diag(ln, "closing_clause", f"line {ln}: closing clause kept as a note outside the last article")
        ln += 1
    return first
