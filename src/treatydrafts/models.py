"""Parsed items: small frozen dataclasses produced by the parsing stages.

Stages pass these along; :mod:`treatydrafts.parse.frames` turns them into
DataFrames at the edge.  Lines are 1-based; offsets are 0-based character
offsets into the source file's text (end exclusive), so
``source.text[start_offset:end_offset]`` is the span as written.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass


@dataclass(frozen=True)
class Source:
    """One source file, read and (for glyph-encoded files) decoded.

    ``text`` has the same length as ``raw`` (decoding maps one code point to
    one character), so offsets are valid for both.
    """

    doc_id: str
    path: str  # relative to the repository root, e.g. "seeds/000_....txt"
    raw: str
    text: str
    line_starts: tuple[int, ...]

    @property
    def n_lines(self) -> int:
        return len(self.line_starts)

    def line_text(self, line: int) -> str:
        """Text of 1-based ``line`` without its newline."""
        start = self.line_starts[line - 1]
        end = self.text.find("\n", start)
        return self.text[start:end if end != -1 else len(self.text)]

    def line_of(self, offset: int) -> int:
        """1-based line holding character ``offset``."""
        return bisect.bisect_right(self.line_starts, offset)

    def lines(self):
        """Yield ``(line_number, start_offset, text)`` for every line."""
        for i in range(1, self.n_lines + 1):
            yield i, self.line_starts[i - 1], self.line_text(i)


@dataclass(frozen=True)
class Diagnostic:
    doc_id: str
    line: int
    kind: str
    message: str
    stage: str = ""


@dataclass(frozen=True)
class LineRole:
    """What one source line is.  Every line of every source gets exactly one."""

    doc_id: str
    line: int
    role: str  # see schema.LINE_ROLES
    article_seq: int = 0  # 0 = outside any article
    paragraph_seq: int = 0  # 0 = not part of a paragraph


@dataclass(frozen=True)
class Chapter:
    doc_id: str
    chapter_seq: int
    chapter: str  # label as written: "I", "II", "International cooperation"
    title: str
    start_line: int
    end_line: int


@dataclass(frozen=True)
class Article:
    doc_id: str
    article_seq: int  # 1..n in document order; unique within a document
    chapter: str
    article: str  # label as written, normalised spacing: "6", "10 bis", "18 alt"
    article_num: int  # leading number (-1 where the article has none)
    title: str
    is_proposed: bool  # a delegation proposes the whole article
    start_line: int
    end_line: int
    heading_line: int
    cluster: str = ""


@dataclass(frozen=True)
class Paragraph:
    doc_id: str
    paragraph_seq: int  # 1..n in document order; unique within a document
    article_seq: int  # 0 = outside any article (preamble, notes)
    article: str
    paragraph: str  # label as written ("1", "2 bis", "(a)", "" for unlabelled text)
    text: str  # the paragraph's lines joined with "\n", as written
    start_line: int
    end_line: int
    start_offset: int
    end_offset: int
    line_numbers: tuple[int, ...] = ()  # the lines that make it up (footnotes may interrupt)


@dataclass(frozen=True)
class Segmentation:
    """Structure of one document: the output of a ``segment`` stage."""

    doc_id: str
    chapters: tuple[Chapter, ...]
    articles: tuple[Article, ...]
    paragraphs: tuple[Paragraph, ...]
    lines: tuple[LineRole, ...]
    diagnostics: tuple[Diagnostic, ...] = ()


@dataclass(frozen=True)
class BracketSpan:
    """One square-bracket span (or a ``{``-opened one closed by ``]``)."""

    doc_id: str
    bracket_id: int  # 1..n in document order of the opener
    parent_id: int  # 0 = top level
    depth: int  # 1 = top level
    line: int  # line of the opener
    start_offset: int  # offset of the opener
    end_offset: int  # offset just past the closer (or end of the unit if unclosed)
    text: str  # source[start_offset:end_offset] (its first 100 characters below depth 8: parse.brackets)
    is_closed: bool
    is_struck: bool  # overlaps a ~~strikethrough~~ run
    opener: str = "["


@dataclass(frozen=True)
class Proposal:
    doc_id: str
    proposal_id: str  # "<doc_id>:P0001"
    bracket_id: int  # 0 = not a bracket (e.g. a parenthesised nested proposal uses its host's id)
    line: int
    start_offset: int
    end_offset: int
    text: str  # proposed wording without its sponsor tail
    kind: str  # insert / replace / delete / position / new_article / other
    sponsors: str  # codes/names as written, "; "-separated groups
    tail: str  # the sponsor tail as written
    is_struck: bool = False
    confidence: float = 1.0


@dataclass(frozen=True)
class Position:
    doc_id: str
    proposal_id: str
    line: int
    offset: int  # offset of the code/name in the source
    code_as_written: str
    delegation_id: str  # "" when unresolved or doubtful
    stance: str
    resolution: str  # exact / alias / doubtful / unknown / recovered / ambiguous
    confidence: float = 1.0
    damaged: str = ""  # damaged source string read (ahc6-amended-draft)
    candidates: str = ""  # other candidates, "|"-separated
