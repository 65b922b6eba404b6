"""Structure segmenter for ``ahc4-cnd``, the 4th-session consolidated negotiating
document (``seeds/000_e2bc6bdea9b64fcc.txt``, markdown-ish text, 875 lines).

``segment(source)`` returns a :class:`~treatydrafts.models.Segmentation`:
chapters, articles, paragraphs, one :class:`LineRole` per source line, and
diagnostics.  It never raises on odd content: what it cannot interpret becomes a
``Diagnostic(stage="segment")``.

Line roles (``LINE_ROLES``)
---------------------------
``blank``            empty or whitespace-only line.
``cover``            non-blank line before the first chapter / cluster / article
                     heading (the UN title block).
``note``             editorial flag standing alone on a line: ``[Under informal
                     consultations]`` (bold or plain), and the italic
                     ``*Clusters, articles … plenary.*`` block before Chapter I.
``chapter_heading``  ``Chapter II Criminalization``; a bold heading split over
                     lines (``**Chapter I`` / ``General provisions**``) gives
                     this role to every line of it.
``cluster_heading``  ``CLUSTER 1¹``, ``CLUSTER 3 **[Under informal consultations]**``.
``article_heading``  every line of an article heading, including its
                     continuation lines (see below).
``footnote``         footnote text: ``¹ The organization …`` and ``* JM: On behalf …``.
``paragraph``        a line that belongs to a paragraph (see below).

``LineRole.article_seq`` is the article whose line range holds the line (also for
blank, note and footnote lines inside an article); ``paragraph_seq`` is set only
for ``paragraph`` lines.

Articles
--------
* ``Article 6. Illegal access``, ``Article 28: …``, ``Article 7. *Illegal
  interception*``, ``*Article 18. alt …``, ``Article 24. alt …``,
  ``[Article 35 alt. …]``.  The label is normalised to ``"<num>[ <suffix>]"``
  (``"18 alt"``), ``article_num`` is the number.
* Proposed new articles without the word "Article": a line that is one bracket
  ``[10 bis. Title]`` / ``[25. bis Title]`` (number + suffix, a short title
  without ``.``/``:``/brackets) whose number is not below the current article's.
* Heading continuation lines (role ``article_heading``, joined to the title with
  one space): (1) an italic heading opened with ``*`` before ``Article`` runs
  until a line ending in ``*`` (at most 4 more lines); (2) a title ending in a
  dangling word (``to``, ``of``, ``and`` …) continues on the next non-blank line
  (at most one blank line between: 246 → 248, 448 → 449); (3) a bracketed line
  directly under the heading (no blank line), one bracket span from its first to its
  last character, that is not a paragraph label, a
  position (``[delete …``/``[retain …``) or a flag is an alternative-title
  proposal (427 ``[Distribution … : YE]``).
* Title: as written (brackets, strikethrough, superscripts kept) except that a
  single ``*…*`` emphasis wrapping the title is removed, and for a whole-bracket
  heading (``[10 bis. …]``) the outer bracket and a sponsor tail are removed.
* ``[Article 18 alt. Cyber offences affecting the child: MX]`` (250) is NOT an
  article: the bracket opened at the heading closes on the same line with its
  sponsor, so the proposal covers that line only (an alternative *title*), and the
  text after it is the base Article 18 (other delegations amend it, MX itself
  proposes deleting parts of it).  Such a line (whole-bracket ``Article N …: XX]``
  with N equal to the current article's number) stays in the current article as
  an unlabelled paragraph and gets an ``alt_title_proposal`` diagnostic.
* ``start_line`` = ``heading_line`` = first heading line; ``end_line`` = the line
  before the next chapter / cluster / article heading (or the last line), so
  trailing blank lines are inside the article.

``is_proposed`` (a delegation proposes the whole article) is True when
  (a) the heading is inside a bracket opened at the start of the heading line
      (``[10 bis. …]``, ``[Article 35 alt. …]``), or
  (b) the last non-blank content line of the article is a sponsor-only bracket
      (``[EG]``, ``[AU]``, ``[CN]``), or
  (c) the label carries a suffix (``bis``/``ter``/``alt`` …): an added or
      alternative article is not base text.  When (c) holds without (a) or (b)
      (``Article 24. alt``: no bracket, no sponsor) a
      ``proposed_article_without_sponsor`` diagnostic is emitted.

Paragraphs
----------
* Inside an article, after its heading lines, every non-blank line that is not a
  footnote or a standalone flag is a ``paragraph`` line.
* A line that starts with a label (after leading decoration ``-``, ``—``, ``–``,
  ``_____``, ``[``, ``{``, ``*``, ``~~``, spaces) starts a new paragraph, even
  without a blank line before it.  Labels: ``1.`` ``2. bis`` ``2.ter`` ``5.
  quater`` ``1.alt`` ``2.:KR]`` ``bis.`` ``(a)`` ``(a)alt`` ``(g) quat`` ``(iii)``;
  one nested sub-label is kept (``3. (a) …`` → ``"3 (a)"``, ``(a) (i) …`` →
  ``"(a) (i)"``).  Normalised label: ``"2 bis"``, ``"(c) ter"``, ``""`` for none.
  Every labelled block (subparagraphs included) is its own Paragraph row; a
  subparagraph is not merged into its parent.
* A list bullet or tab leader without a recognised label (``- text``), or a line
  that looks like a label we do not know (``a)``, ``(A)``, ``1)``), starts a new
  unlabelled paragraph and gets an ``unrecognised_label`` diagnostic.
* An unlabelled line directly under a paragraph line (no blank line between)
  continues that paragraph.  After a blank line (or footnote lines) an unlabelled
  line starts a new unlabelled paragraph (intro text, chapeau tails, ``[delete
  article: …]``, ``[EG]``) -- unless it starts with a lower-case letter and the
  previous paragraph of the article ends mid-sentence (last character a letter,
  digit or an opening bracket): then it continues the previous paragraph (page
  and footnote breaks: 68 → 74, 238 → 240, 712 → 714, 850 → 852, 166 → 168).
  ``line_numbers`` may therefore be non-contiguous; ``text`` joins only the
  paragraph's own lines with ``"\\n"``; ``start_offset``/``end_offset`` are the
  offsets of the first line's start and just past the last line's last
  character.
* Text after the first heading but outside any article becomes an unlabelled
  paragraph with ``article_seq`` 0 and a ``text_outside_article`` diagnostic.

Cost
----
Linear time and memory in the length of the source: one pass over the lines,
look-ahead bounded to a few lines, regexes with bounded quantifiers, and a
repeated article label found in a dict (not by scanning every earlier article).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ...models import Article, Chapter, Diagnostic, LineRole, Paragraph, Segmentation, Source

STAGE = "segment"

LINE_ROLES = (
    "blank",
    "cover",
    "note",
    "chapter_heading",
    "cluster_heading",
    "article_heading",
    "footnote",
    "paragraph",
)

_SUFFIXES = r"quinquies|quater|quat|bis|ter|alt"

# ---------------------------------------------------------------- regexes
# "Chapter II Criminalization", "**Chapter I" (bold heading split over lines)
_CHAPTER_RE = re.compile(r"^\s{0,3}(?P<bold>\*\*)?Chapter\s{1,3}(?P<label>[IVXLC]{1,6}|\d{1,2})\b\s{0,3}(?P<rest>.*)$")
# anything that starts like a chapter heading: "Chapter - International cooperation"
_CHAPTERISH_RE = re.compile(r"^\s{0,3}(?:\*\*)?Chapter\b")
# "CLUSTER 1¹", "CLUSTER 3 **[Under informal consultations]**"
_CLUSTER_RE = re.compile(r"^\s{0,3}(?:\*\*)?(?:CLUSTER|Cluster)\s{1,3}(?P<label>\d{1,3})(?P<rest>.*)$")
# anything that starts like a cluster heading: "CLUSTER X"
_CLUSTERISH_RE = re.compile(r"^\s{0,3}(?:\*\*)?CLUSTER\b")
# "Article 6. Illegal access", "Article 28: Denial …", "*Article 18. alt Offences …",
# "[Article 35 alt. Liability of legal persons]", "Article 24. alt Sexual extortion and"
_ARTICLE_RE = re.compile(
    r"^(?P<open>[\[*{~]{0,4})\s{0,3}Article\s{1,3}(?P<num>\d{1,3})"
    r"(?:\s{0,3}(?P<sfx1>" + _SUFFIXES + r")(?![A-Za-z]))?"
    r"\s{0,3}(?P<punct>[.:])?"
    r"(?:\s{0,3}(?P<sfx2>" + _SUFFIXES + r")(?![A-Za-z])\.?)?"
    r"(?P<rest>.*)$"
)
# anything that starts like an article heading: "Article 5 shall apply"
_ARTICLEISH_RE = re.compile(r"^[\[*{~]{0,4}\s{0,3}Article\s{1,3}\d")
# proposed article without the word "Article": "[10 bis. Infringement of website design]",
# "[25. bis Dissemination of false information]"
_HEADLESS_RE = re.compile(
    r"^\[(?P<num>\d{1,3})\s{0,3}\.?\s{0,3}(?P<sfx>" + _SUFFIXES + r")(?![A-Za-z])\.?\s{1,3}"
    r"(?P<title>[^\[\]:.]{1,150})\]\s*$"
)
# sponsor tail closing a bracket at line end: ": MX]", ": SG, RU, US]"
_SPONSOR_TAIL_RE = re.compile(r":\s{0,3}[A-Z]{2}(?:\s{0,3},\s{0,3}[A-Z]{2}){0,60}\s*\]\s*$")
# a bracket holding only delegation codes: "[EG]", "[EU, JP, AU]"
_SPONSOR_ONLY_RE = re.compile(r"^\s{0,3}\[\s{0,3}[A-Z]{2}(?:\s{0,3},\s{0,3}[A-Z]{2}){0,60}\s{0,3}\]\s*$")
# footnote text: "¹ The organization by clusters …", "* JM: On behalf of …"
_FOOTNOTE_RE = re.compile(r"^\s{0,3}(?:[¹²³⁴⁵⁶⁷⁸⁹⁰]{1,3}\s|\*\s{1,3}[A-Z]{2}\s{0,2}:)")
# standalone flag: "[Under informal consultations]", "**[Under informal consultations]**"
_FLAG_RE = re.compile(r"^\s{0,3}(?:\*\*)?\[Under informal consultations\](?:\*\*)?\s*$", re.IGNORECASE)
# one leading decoration before a label: "- ", "— ", "_____ ", "[", "{", "*", "~~", spaces
_DECOR_RE = re.compile(r"^(?:\s{1,40}|~~|\[|\{|\*|[-—–](?=\s)|_{2,40})")
# numeric label: "1.", "2. bis", "2.ter", "5. quater", "1.alt~~", "2.:KR]", "1. bis."
_NUM_LABEL_RE = re.compile(
    r"^(?P<num>\d{1,3})\.(?!\d)(?:~~|\*){0,2}\s{0,3}(?:(?P<sfx>" + _SUFFIXES + r")(?![a-z])\.?)?"
)
# subparagraph label: "(a)", "(a)altThe", "(g) quat", "(c)bis", "(iii)", "(h) bis."
_SUB_LABEL_RE = re.compile(
    r"^\((?P<sub>[a-z]{1,2}|[ivxl]{1,6})\)(?:~~|\*){0,2}\s{0,3}(?:(?P<sfx>" + _SUFFIXES + r")(?![a-z])\.?)?"
)
# suffix-only label: "bis. Each State Party …" (after "[")
_SFX_LABEL_RE = re.compile(r"^(?P<sfx>bis|ter|quater)\.\s")
# separator between a label and a nested sub-label: " ", "~~ ", "* ", " _____ "
_GAP_RE = re.compile(r"^(?:\s|~~|\*|_){0,12}")
# looks like a label but is not one we know: "a)", "(A)", "1)", "(10)"
_LABELISH_RE = re.compile(r"^(?:\([A-Za-z0-9]{1,4}\)|\d{1,3}\)|[a-z]{1,2}[.)]\s)")
# a position line: "[delete article: …]", "[delete – BR, …]", "~~[retain – …]~~"
_POSITION_RE = re.compile(r"^\s{0,3}(?:~~)?\[\s{0,3}(?:delete|retain|keep)\b", re.IGNORECASE)
# title ending in a dangling function word: "Offences related to", "Sexual extortion and"
_DANGLING_RE = re.compile(r"\b(?:to|of|and|or|with|for|the|a|an|in|on|by|from|against)\s*$", re.IGNORECASE)
# trailing emphasis / strikethrough / spaces, stripped before testing a line ending
_TRAIL_DECOR_RE = re.compile(r"(?:~~|\*|\s){1,12}$")
# lower-case start after spaces / emphasis / strikethrough: "system] [information …"
_LOWER_START_RE = re.compile(r"^(?:\s|~~|\*){0,8}[a-z]")


# ---------------------------------------------------------------- helpers
def _norm_label(base: str, sfx: str | None) -> str:
    return f"{base} {sfx}" if sfx else base


def parse_label(text: str) -> tuple[str | None, bool]:
    """Paragraph label of a line, normalised (``"2 bis"``, ``"(a) alt"``, ``"3 (a)"``).

    Returns ``(label or None, decorated)`` where ``decorated`` says a list
    bullet or tab leader (``-``, ``—``, ``_____``) preceded the text, i.e. a
    label was expected.
    """
    rest = text
    decorated = False
    for _ in range(16):
        m = _DECOR_RE.match(rest)
        if not m or not m.group(0):
            break
        tok = m.group(0)
        if tok[0] in "-—–_":
            decorated = True
        rest = rest[m.end():]
    label = None
    m = _NUM_LABEL_RE.match(rest)
    if m:
        label = _norm_label(m.group("num"), m.group("sfx"))
    else:
        m = _SUB_LABEL_RE.match(rest)
        if m:
            label = _norm_label(f"({m.group('sub')})", m.group("sfx"))
        else:
            m = _SFX_LABEL_RE.match(rest)
            if m and text.lstrip().startswith("["):
                label = m.group("sfx")
    if label is None:
        return None, decorated
    after = rest[m.end():]
    g = _GAP_RE.match(after)
    after = after[g.end():] if g else after
    m2 = _SUB_LABEL_RE.match(after)
    if m2:
        label = f"{label} " + _norm_label(f"({m2.group('sub')})", m2.group("sfx"))
    return label, decorated


def _strip_decor(text: str) -> str:
    rest = text
    for _ in range(16):
        m = _DECOR_RE.match(rest)
        if not m or not m.group(0):
            break
        rest = rest[m.end():]
    return rest


def _ends_mid_sentence(text: str) -> bool:
    t = _TRAIL_DECOR_RE.sub("", text)
    if not t:
        return False
    c = t[-1]
    return c.isalnum() or c in "[({-–/"


def _one_bracket(text: str) -> bool:
    """True for a line that is one bracket span, e.g. ``[Distribution … : YE]`` (its first ``[``
    closes at its last ``]``), not a line of several spans and words: ``[a: EU] word [b: US]``."""
    t = text.strip()
    if not (t.startswith("[") and t.endswith("]")):
        return False
    depth = 0
    for k, ch in enumerate(t):
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth == 0:
                return k == len(t) - 1
    return False


def _strip_emphasis(title: str) -> str:
    t = title.strip()
    if len(t) >= 2 and t.startswith("*") and not t.startswith("**") and t.endswith("*") and not t.endswith("**"):
        t = t[1:-1].strip()
    return t


@dataclass
class _Par:
    seq: int
    article_seq: int
    article: str
    label: str
    lines: list[int] = field(default_factory=list)


@dataclass
class _Art:
    seq: int
    chapter: str
    cluster: str
    label: str
    num: int
    title: str
    heading_line: int
    bracketed: bool
    has_suffix: bool
    end_line: int = 0


@dataclass
class _Head:
    """A parsed article heading (before continuation lines)."""

    num: int
    label: str
    title: str
    bracketed: bool
    has_suffix: bool
    italic_open: bool


class _Segmenter:
    def __init__(self, source: Source) -> None:
        self.src = source
        self.doc = source.doc_id
        self.n = source.n_lines
        self.texts = [""] + [source.line_text(i) for i in range(1, self.n + 1)]
        self.role: list[str] = [""] * (self.n + 1)
        self.par_of: list[int] = [0] * (self.n + 1)
        self.diags: list[Diagnostic] = []
        self.chapters: list[list] = []  # [seq, label, title, start, end]
        self.articles: list[_Art] = []
        self.first_with_label: dict[str, int] = {}  # article label -> heading line of its first article
        self.pars: list[_Par] = []
        self.chapter = ""
        self.cluster = ""
        self.started = False
        self.art: _Art | None = None
        self.par: _Par | None = None
        self.pre_italic = False  # inside an italic note block before the first heading

    # ------------------------------------------------------------ utilities
    def diag(self, line: int, kind: str, message: str) -> None:
        self.diags.append(Diagnostic(self.doc, line, kind, message, STAGE))

    def blank(self, i: int) -> bool:
        return i < 1 or i > self.n or not self.texts[i].strip()

    def close_article(self, before: int) -> None:
        if self.art is not None:
            self.art.end_line = before - 1
        self.art = None
        self.par = None

    def close_chapter(self, before: int) -> None:
        if self.chapters and self.chapters[-1][4] == 0:
            self.chapters[-1][4] = before - 1

    # ------------------------------------------------------------ headings
    def parse_article_heading(self, i: int) -> _Head | None:
        text = self.texts[i]
        m = _ARTICLE_RE.match(text)
        if m:
            sfx = m.group("sfx1") or m.group("sfx2")
            rest = m.group("rest")
            if not (m.group("punct") or sfx or not rest.strip() or rest.lstrip().startswith("*")):
                return None
            opener = m.group("open")
            return _Head(
                num=int(m.group("num")),
                label=_norm_label(m.group("num"), sfx),
                title=rest.strip(),
                bracketed=opener.startswith("["),
                has_suffix=bool(sfx),
                italic_open="*" in opener,
            )
        m = _HEADLESS_RE.match(text)
        if m:
            num = int(m.group("num"))
            if self.art is not None and num < self.art.num:
                return None
            return _Head(num, _norm_label(m.group("num"), m.group("sfx")), m.group("title").strip() + "]", True, True, False)
        return None

    def is_heading_line(self, i: int) -> bool:
        t = self.texts[i]
        return bool(_CHAPTER_RE.match(t) or _CLUSTER_RE.match(t)) or self.parse_article_heading(i) is not None

    def start_article(self, i: int, head: _Head) -> int:
        """Open an article at line ``i``; return the last line its heading uses."""
        self.close_article(i)
        used = [i]
        parts = [head.title]
        # (1) italic heading split over lines
        if head.italic_open and not self.texts[i].rstrip().endswith("*"):
            closed = False
            j = i + 1
            while j <= min(self.n, i + 4) and not self.blank(j) and not self.is_heading_line(j):
                used.append(j)
                parts.append(self.texts[j].strip())
                if self.texts[j].rstrip().endswith("*"):
                    closed = True
                    break
                j += 1
            if not closed:
                self.diag(i, "unclosed_heading_emphasis", "italic article heading not closed with '*' within 4 lines")
        # (2) title ending in a dangling word continues on the next non-blank line
        for _ in range(2):
            if not _DANGLING_RE.search(_TRAIL_DECOR_RE.sub("", parts[-1])):
                break
            j = used[-1] + 1
            if self.blank(j):
                j += 1
            if j > self.n or self.blank(j) or not self.is_title_continuation(j):
                self.diag(i, "dangling_heading", "article title ends in a dangling word but no continuation line follows")
                break
            used.append(j)
            parts.append(self.texts[j].strip())
        # (3) bracketed alternative-title line directly under the heading
        j = used[-1] + 1
        if j <= self.n and not self.blank(j) and _one_bracket(self.texts[j]) and self.is_title_continuation(j):
            used.append(j)
            parts.append(self.texts[j].strip())
        title = " ".join(p for p in parts if p)
        if head.italic_open and title.endswith("*") and not title.endswith("**"):
            title = title[:-1].rstrip()
        title = _strip_emphasis(title)
        if head.bracketed and title.endswith("]"):
            tail = _SPONSOR_TAIL_RE.search(title)
            title = (title[: tail.start()] if tail else title[:-1]).rstrip()
        if title.startswith("~~") and title.endswith("~~") and title.count("~~") == 2:
            self.diag(i, "struck_heading", "article title is struck through entirely")
        seq = len(self.articles) + 1
        first = self.first_with_label.setdefault(head.label, i)
        if first != i:
            self.diag(i, "duplicate_article_label", f"article label {head.label!r} repeats (first at line {first})")
        if self.articles and head.num < self.articles[-1].num:
            self.diag(i, "article_out_of_order", f"article {head.label} follows article {self.articles[-1].label}")
        self.art = _Art(seq, self.chapter, self.cluster, head.label, head.num, title, i, head.bracketed, head.has_suffix)
        self.articles.append(self.art)
        for j in range(i, used[-1] + 1):
            self.role[j] = "article_heading" if j in used else "blank"
        return used[-1]

    def is_title_continuation(self, j: int) -> bool:
        t = self.texts[j]
        if self.is_heading_line(j) or _FOOTNOTE_RE.match(t) or _FLAG_RE.match(t) or _POSITION_RE.match(t):
            return False
        if _SPONSOR_ONLY_RE.match(t):
            return False
        label, _ = parse_label(t)
        return label is None

    def start_chapter(self, i: int, m: re.Match) -> int:
        self.close_article(i)
        self.close_chapter(i)
        used = [i]
        rest = m.group("rest").strip()
        parts = [rest]
        if m.group("bold") and "**" not in rest:
            closed = False
            j = i + 1
            while j <= min(self.n, i + 3) and not self.blank(j):
                used.append(j)
                parts.append(self.texts[j].strip())
                if "**" in self.texts[j]:
                    closed = True
                    break
                j += 1
            if not closed:
                self.diag(i, "unclosed_heading_emphasis", "bold chapter heading not closed with '**' within 3 lines")
        title = " ".join(p for p in parts if p).replace("**", "").strip()
        self.chapter = m.group("label")
        self.cluster = ""
        self.chapters.append([len(self.chapters) + 1, self.chapter, title, i, 0])
        for j in used:
            self.role[j] = "chapter_heading"
        return used[-1]

    # ------------------------------------------------------------ paragraphs
    def new_par(self, i: int, label: str) -> None:
        art_seq = self.art.seq if self.art else 0
        art_label = self.art.label if self.art else ""
        self.par = _Par(len(self.pars) + 1, art_seq, art_label, label, [i])
        self.pars.append(self.par)

    def paragraph_line(self, i: int) -> None:
        text = self.texts[i]
        self.role[i] = "paragraph"
        label, decorated = parse_label(text)
        if label is not None:
            self.new_par(i, label)
        elif decorated or _LABELISH_RE.match(_strip_decor(text)):
            what = "list item without a recognised label" if decorated else "line starts like a label that is not recognised"
            self.diag(i, "unrecognised_label", f"{what}: {text[:40]!r}")
            self.new_par(i, "")
        elif self.par is not None and self.par.lines[-1] == i - 1:
            self.par.lines.append(i)
        elif (
            self.par is not None
            and _LOWER_START_RE.match(text)
            and _ends_mid_sentence(self.texts[self.par.lines[-1]])
        ):
            self.par.lines.append(i)
        else:
            self.new_par(i, "")
        self.par_of[i] = self.par.seq

    # ------------------------------------------------------------ main loop
    def run(self) -> Segmentation:
        i = 1
        while i <= self.n:
            text = self.texts[i]
            if not text.strip():
                self.role[i] = "blank"
                i += 1
                continue
            m = _CHAPTER_RE.match(text)
            if m:
                self.started = True
                i = self.start_chapter(i, m) + 1
                continue
            m = _CLUSTER_RE.match(text)
            if m:
                self.started = True
                self.close_article(i)
                self.cluster = m.group("label")
                self.role[i] = "cluster_heading"
                i += 1
                continue
            head = self.parse_article_heading(i)
            if head is not None:
                if (
                    head.bracketed
                    and self.art is not None
                    and head.num == self.art.num
                    and _SPONSOR_TAIL_RE.search(text)
                ):
                    self.diag(
                        i,
                        "alt_title_proposal",
                        f"whole-bracket heading {head.label!r} closes with its sponsor on the same line: "
                        f"read as an alternative title inside article {self.art.label}, not a new article",
                    )
                else:
                    self.started = True
                    i = self.start_article(i, head) + 1
                    continue
            elif _ARTICLEISH_RE.match(text) or _CHAPTERISH_RE.match(text) or _CLUSTERISH_RE.match(text):
                self.diag(i, "unparsed_heading", f"line looks like a heading but does not parse: {text[:60]!r}")
            if _FOOTNOTE_RE.match(text):
                self.role[i] = "footnote"
            elif _FLAG_RE.match(text):
                self.role[i] = "note"
            elif not self.started:
                stripped = text.strip()
                if stripped.startswith("*") and not stripped.startswith("**"):
                    self.pre_italic = True
                self.role[i] = "note" if self.pre_italic else "cover"
                if self.pre_italic and stripped.endswith("*") and not stripped.endswith("**"):
                    self.pre_italic = False
            else:
                if self.art is None:
                    self.diag(i, "text_outside_article", "text after a heading but outside any article")
                self.paragraph_line(i)
            i += 1
        self.close_article(self.n + 1)
        self.close_chapter(self.n + 1)
        if not self.started:
            self.diag(1, "no_structure", "no chapter, cluster or article heading found")
        return self.build()

    def build(self) -> Segmentation:
        doc = self.doc
        line_art = [0] * (self.n + 1)
        articles = []
        for a in self.articles:
            for j in range(a.heading_line, a.end_line + 1):
                line_art[j] = a.seq
            sponsor_last = False
            for j in range(a.end_line, a.heading_line, -1):
                if self.role[j] in ("blank", "footnote", "note"):
                    continue
                sponsor_last = self.role[j] == "paragraph" and bool(_SPONSOR_ONLY_RE.match(self.texts[j]))
                break
            proposed = a.bracketed or sponsor_last or a.has_suffix
            if a.has_suffix and not (a.bracketed or sponsor_last):
                self.diag(
                    a.heading_line,
                    "proposed_article_without_sponsor",
                    f"article {a.label} is an added/alternative article but names no sponsor and has no bracket",
                )
            articles.append(
                Article(
                    doc_id=doc,
                    article_seq=a.seq,
                    chapter=a.chapter,
                    article=a.label,
                    article_num=a.num,
                    title=a.title,
                    is_proposed=proposed,
                    start_line=a.heading_line,
                    end_line=a.end_line,
                    heading_line=a.heading_line,
                    cluster=a.cluster,
                )
            )
        starts = self.src.line_starts
        paragraphs = []
        for p in self.pars:
            first, last = p.lines[0], p.lines[-1]
            paragraphs.append(
                Paragraph(
                    doc_id=doc,
                    paragraph_seq=p.seq,
                    article_seq=p.article_seq,
                    article=p.article,
                    paragraph=p.label,
                    text="\n".join(self.texts[j] for j in p.lines),
                    start_line=first,
                    end_line=last,
                    start_offset=starts[first - 1],
                    end_offset=starts[last - 1] + len(self.texts[last]),
                    line_numbers=tuple(p.lines),
                )
            )
        lines = tuple(
            LineRole(doc, j, self.role[j] or "blank", line_art[j], self.par_of[j]) for j in range(1, self.n + 1)
        )
        chapters = tuple(Chapter(doc, s, lab, title, st, en) for s, lab, title, st, en in self.chapters)
        diags = tuple(sorted(self.diags, key=lambda d: (d.line, d.kind, d.message)))
        return Segmentation(doc, chapters, tuple(articles), tuple(paragraphs), lines, diags)


def segment(source: Source) -> Segmentation:
    """Segment ``ahc4-cnd`` (or any text in its layout) into chapters, articles,
    paragraphs and line roles.  Never raises on odd content."""
    return _Segmenter(source).run()
