"""Segmenter for ``ahc6-amended-draft`` (6th-session draft with Member States' amendments).

The file is glyph-encoded (decoded by :mod:`treatydrafts.parse.decode`) and ~39% of
the body characters are lost, but the structural skeleton survives: article
and chapter headings, page numbers and the footnote separator are plain
ASCII in the raw file, and list labels (``1.``, ``a)``, ``(f)``, ``ii)``) are
mostly intact (the ``(`` of ``(a)`` is usually lost).

Rules
- cover: every line before the ``Preamble`` heading.
- preamble: the ``Preamble`` heading up to ``Chapter I``; ``(N)``, ``N)`` or
  ``N Word`` start preambular paragraphs (role ``preamble``).
- chapter_heading: ``Chapter <roman>`` and the title lines up to the first
  article heading (at most three).
- article_heading: a line whose raw text starts with ASCII ``Article`` or
  ``Art.``, plus continuation lines of the heading: lines holding an intact
  (ASCII) run of three or more letters, or lines inside a parenthesis the
  heading opened (a sponsor list), up to the first label line.  The title is
  the intact ASCII part of the heading (the amendment lists around it are
  damaged private-use text), whitespace collapsed.
- paragraph: a block starting at a label line and running over the
  following lines (hard-wrapped) until the next label or heading; text before
  the first label of an article is an unlabelled paragraph (``""``).  Letter
  labels must move forward by 1–3 letters from the previous letter label of
  the same paragraph group (``n)`` after ``e)`` is the end of ``(Yemen)`` on a
  wrapped line, not a label); ``i``/``v``/``x`` after ``h``/``u``/``w`` are
  letters, otherwise roman numerals.
- page_number: ``N/77`` lines; they can interrupt a paragraph, which then
  skips them in ``line_numbers``.
- footnote: the ``____`` separator and the lines after it up to the next
  page number; note: a lone footnote-reference digit, and ``[agreed ad
  referendum]`` markers standing on their own line (recognised as a
  subsequence of that phrase, since letters are lost).
- is_proposed: an article is proposed as a whole by delegations when its
  label carries a suffix (``bis``, ``ter``, ``alt`` …), is written ``Art.``
  or has no number.  The Chair's draft (``ahc6-chair-draft``) numbers its
  articles 1–67 with no suffixes, so every suffixed article here is an
  amendment.

Cost: linear time and memory in the length of the source (one pass over the
lines; each line is matched a bounded number of times).
"""
from __future__ import annotations

import re

from ...models import Article, Chapter, Diagnostic, LineRole, Paragraph, Segmentation, Source

DOC_ID = "ahc6-amended-draft"
STAGE = "segment"

_SUFFIXES = (
    "bis|ter|quater|quinquies|sexies|septies|octies|novies|decies|undecies|duodecies|"
    "terdecies|alt"
)
# "Article 1. Statement of purpose", "Article 15 sexies: Denial…", "Article 16 ter.",
# "Art. 24 bis. Retention…", "Article ©ter." (number lost), "Article 58General  Secretariat"
ARTICLE_RE = re.compile(
    r"^(?P<kw>Article|Art\.)[ \t]{0,3}(?P<num>\d{1,3})?[ \t]{0,3}"
    rf"(?P<suf>[^\sA-Za-z0-9.:]?(?:{_SUFFIXES})\b)?[ \t]{{0,3}}[.:]?[ \t]*(?P<rest>.*)$"
)
# "Chapter IV"
CHAPTER_RE = re.compile(r"^Chapter[ \t]+(?P<num>[IVXLC]{1,6})[ \t]*$")
# "Preamble"
PREAMBLE_RE = re.compile(r"^Preamble[ \t]*$")
# "2/77", "20/77"
PAGE_RE = re.compile(r"^[ \t]*\d{1,3}/\d{1,3}[ \t]*$")
# "__________________"
FOOTNOTE_SEP_RE = re.compile(r"^[ \t]*_{5,}[ \t]*$")
# "1" (a footnote reference or footnote number alone on its line)
LONE_DIGIT_RE = re.compile(r"^[ \t]*\d{1,2}[ \t]*$")
# "1.", "1. Each", "4 alt. States", "1 is. States" (bis with b lost), "5 is A child",
# "4 alt 3. States", "2 bis." — number, optional suffix, optional second number
NUM_LABEL_RE = re.compile(
    r"^(?P<num>\d{1,2})(?:(?:\.?[ \t]?(?P<suf>bis|ter|quater|alt|is|er)\b\.?)(?:[ \t](?P<sub>\d{1,2})\.)?|\.)"
    r"(?=\s|$|[^\d/])"
)
# "a) text", "(f) text", "ii) text", "(bs) text" (bis), ") text" (letter lost), "a)If", "d)y" (space lost)
LETTER_LABEL_RE = re.compile(r"^(?P<open>\()?(?P<lab>[a-z][ \t]?(?:alt|lt|ter|bis|abi)|[a-z]{1,4}|bs|bis)?\)(?=[ \t\u00a0]|$|[A-Za-z])")
# Preamble: "(1) Bearing", "5) Determined", "14 Taking"
PREAMBLE_LABEL_RE = re.compile(r"^\(?(?P<num>\d{1,2})(?:\)|[ \t](?=[A-Z]))")
# An intact run of letters in a heading continuation line: "of traffic data"
ASCII_WORD_RE = re.compile(r"[A-Za-z]{3,}")
# "balt", "b ter", "abi" (a bis) inside a letter label
LETTER_SUFFIX_RE = re.compile(r"^([a-z])[ \t]?(alt|lt|ter|bis|bi)$")
ROMAN = ("i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x", "xi", "xii")
REFERENDUM = "[agreed ad referendum]"


def _is_pua(ch: str) -> bool:
    return 0xE000 <= ord(ch) < 0xF900


def _ascii_part(raw_line: str) -> str:
    """The characters of a raw line that were not glyph-encoded (PUA → space)."""
    return "".join(" " if _is_pua(c) else c for c in raw_line)


def _is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(c in it for c in short)


def _raw_line(source: Source, line: int) -> str:
    start = source.line_starts[line - 1]
    end = source.line_starts[line] - 1 if line < source.n_lines else len(source.raw)
    return source.raw[start:end].rstrip("\r")


def _is_referendum(text: str) -> bool:
    t = text.strip()
    return len(t) >= 6 and _is_subsequence(t.replace(" ", ""), REFERENDUM.replace(" ", ""))


def _roman_index(s: str) -> int:
    return ROMAN.index(s) if s in ROMAN else -1


class _State:
    def __init__(self) -> None:
        self.prev_letter = ""  # last letter label in the current group
        self.prev_roman = -1


def _letter_label(lab: str, st: _State, intact: bool = False) -> str | None:
    """Classify letter label ``lab``; returns the normalised label or None if rejected.

    ``intact``: the label was written in plain ASCII with its ``(`` (an inserted
    subparagraph); it is accepted without moving the sequence on.
    """
    if lab in ("bs", "bis"):
        return "(bis)"
    m = LETTER_SUFFIX_RE.match(lab)
    if m:  # "(b alt)", "(b ter)", "(abi)" = "(a bis)": a variant of a subparagraph
        suf = {"lt": "alt", "abi": "bis", "bi": "bis"}.get(m.group(2), m.group(2))
        return f"({m.group(1)} {suf})"
    rom = _roman_index(lab)
    if len(lab) == 1:
        # i / v / x are letters only right after their predecessor letter
        letter_pred = {"i": "h", "v": "u", "x": "w"}.get(lab)
        if letter_pred is None or st.prev_letter == letter_pred:
            prev = st.prev_letter
            ok = lab == "a" or (not prev and lab <= "c") or (prev and 0 < ord(lab) - ord(prev) <= 3)
            if intact and not ok:
                return f"({lab})"  # inserted label: accepted, sequence unchanged
            if ok:
                st.prev_letter = lab
                st.prev_roman = -1
                return f"({lab})"
            return None
    if rom >= 0 and (rom == 0 or (st.prev_roman >= 0 and 0 < rom - st.prev_roman <= 2) or (st.prev_roman < 0 and rom <= 2)):
        st.prev_roman = rom
        return f"({lab})"
    return None


def _article_label(m: re.Match) -> tuple[str, int, str]:
    num = m.group("num")
    suf = (m.group("suf") or "").strip()
    label = " ".join(x for x in (num, suf) if x)
    return label, int(num) if num else -1, suf


def _why_no_articles(doc_id: str, region: str, raws: list[str]) -> Diagnostic:
    """The diagnostic of a file in which no article was found, saying why."""
    heads = [(i, r) for i, r in enumerate(raws, 1) if r[:3] == "Art" and ARTICLE_RE.match(r)]
    seen = (f"{len(heads)} line(s) look like article headings, the first at line {heads[0][0]}: "
            f"{heads[0][1].strip()[:60]!r}") if heads else "no line starts with 'Article' or 'Art.'"
    if region == "cover":
        why = ("no 'Preamble' heading, so every line was read as the cover page (this parser reads the "
               "6th-session amended draft: cover, 'Preamble', then chapters and articles; for an ordinary "
               "draft use parser 'chair_draft' or 'cnd')")
    else:
        why = "no article heading after the 'Preamble' heading"
    return Diagnostic(doc_id, heads[0][0] if heads else 1, "no_articles", f"0 articles: {why}; {seen}", STAGE)


def segment(source: Source) -> Segmentation:  # noqa: C901 - one linear pass, kept together
    doc_id = source.doc_id or DOC_ID
    diags: list[Diagnostic] = []
    n = source.n_lines
    texts = [source.line_text(i) for i in range(1, n + 1)]
    raws = [_raw_line(source, i) for i in range(1, n + 1)]

    roles: list[str] = [""] * (n + 1)
    art_of = [0] * (n + 1)
    par_of = [0] * (n + 1)

    chapters: list[Chapter] = []
    articles: list[dict] = []
    paragraphs: list[dict] = []

    region = "cover"
    chapter_label = ""
    cur_article: dict | None = None
    cur_par: dict | None = None
    in_footnote = False
    st = _State()
    heading_open: dict | None = None  # {"depth": int, "lines": int}
    chapter_title_lines = 0

    def close_par() -> None:
        nonlocal cur_par
        cur_par = None

    def open_par(line: int, label: str) -> dict:
        nonlocal cur_par
        p = {"seq": len(paragraphs) + 1, "article_seq": cur_article["seq"] if cur_article else 0,
             "article": cur_article["label"] if cur_article else "", "label": label, "lines": [line]}
        paragraphs.append(p)
        cur_par = p
        return p

    def add_to_par(line: int, role: str) -> None:
        if cur_par is None:
            open_par(line, "")
        else:
            cur_par["lines"].append(line)
        roles[line] = role
        par_of[line] = cur_par["seq"]

    for i in range(1, n + 1):
        text, raw = texts[i - 1], raws[i - 1]
        stripped = text.strip()
        art_of[i] = cur_article["seq"] if cur_article else 0
        if not stripped:
            roles[i] = "blank"
            continue
        if PAGE_RE.match(text):
            roles[i] = "page_number"
            in_footnote = False
            continue
        if FOOTNOTE_SEP_RE.match(text):
            roles[i] = "footnote"
            in_footnote = True
            heading_open = None
            continue
        if in_footnote:
            roles[i] = "footnote"
            continue
        if region == "cover":
            if PREAMBLE_RE.match(text):
                region = "preamble"
                roles[i] = "preamble"
            else:
                roles[i] = "cover"
            continue
        mc = CHAPTER_RE.match(text)
        if mc and not _is_pua(raw[:1] or "x"):
            region = "body"
            close_par()
            heading_open = None
            if cur_article:
                cur_article["end"] = i - 1
            cur_article = None
            art_of[i] = 0
            chapter_label = mc.group("num")
            if chapters:
                chapters[-1]["end"] = i - 1
            chapters.append({"label": chapter_label, "title": "", "start": i, "end": n})
            roles[i] = "chapter_heading"
            chapter_title_lines = 3
            continue
        ma = ARTICLE_RE.match(text) if raw[:3] in ("Art",) else None
        if ma and region != "cover":
            region = "body"
            close_par()
            chapter_title_lines = 0
            label, num, suf = _article_label(ma)
            if num < 0:
                diags.append(Diagnostic(doc_id, i, "garbled_article_label",
                                        f"article heading without a number: {text.strip()!r}", STAGE))
            if cur_article:
                cur_article["end"] = i - 1
            title = " ".join(_ascii_part(raw[ma.start("rest"):]).split()) if ma.group("rest") else ""
            cur_article = {"seq": len(articles) + 1, "chapter": chapter_label, "label": label or text.strip(),
                           "num": num, "title": title,
                           "proposed": bool(suf) or ma.group("kw") == "Art." or num < 0,
                           "start": i, "end": n, "heading": i}
            articles.append(cur_article)
            art_of[i] = cur_article["seq"]
            roles[i] = "article_heading"
            heading_open = {"depth": text.count("(") - text.count(")"), "lines": 0}
            st = _State()
            continue
        if chapter_title_lines and region == "body" and cur_article is None:
            roles[i] = "chapter_heading"
            chapter_title_lines -= 1
            ch = chapters[-1]
            part = " ".join(_ascii_part(raw).split())
            ch["title"] = (ch["title"] + " " + part).strip() if part else ch["title"]
            continue

        # --- labels ---------------------------------------------------------------
        label = None
        if region == "preamble":
            mp = PREAMBLE_LABEL_RE.match(text)
            if mp:
                label = f"({int(mp.group('num'))})"
        else:
            mn = NUM_LABEL_RE.match(text.lstrip())
            if mn:
                suf = mn.group("suf")
                suf = {"is": "bis", "er": "ter"}.get(suf, suf)
                label = " ".join(x for x in (mn.group("num"), suf, mn.group("sub")) if x)
                st = _State()
            else:
                lead = len(text) - len(text.lstrip())
                ml = LETTER_LABEL_RE.match(text[lead:])
                if ml:
                    lab = ml.group("lab")
                    intact = bool(ml.group("open")) and not any(_is_pua(c) for c in raw[lead:lead + ml.end()])
                    if lab is None:
                        label = "()"
                        diags.append(Diagnostic(doc_id, i, "damaged_label",
                                                "label letter lost: line starts with ')'", STAGE))
                    else:
                        label = _letter_label(lab, st, intact)
                        if label is None and (len(lab) == 1 or _roman_index(lab) >= 0):
                            diags.append(Diagnostic(doc_id, i, "label_rejected",
                                                    f"{ml.group(0)!r} out of sequence; read as wrapped text", STAGE))

        if heading_open is not None:
            depth_open = heading_open["depth"] > 0
            has_words = bool(ASCII_WORD_RE.search(_ascii_part(raw)))
            if label is None and heading_open["lines"] < 6 and (depth_open or has_words) \
                    and not _is_referendum(text):
                roles[i] = "article_heading"
                heading_open["lines"] += 1
                heading_open["depth"] += text.count("(") - text.count(")")
                if has_words and cur_article is not None:
                    extra = " ".join(_ascii_part(raw).split())
                    cur_article["title"] = (cur_article["title"] + " " + extra).strip()
                continue
            heading_open = None

        if label is None and LONE_DIGIT_RE.match(text):
            roles[i] = "note"  # footnote reference standing alone
            continue
        if label is None and _is_referendum(text) and cur_par is None:
            roles[i] = "note"
            continue

        role = "preamble" if region == "preamble" else "paragraph"
        if label is not None:
            open_par(i, label)
            roles[i] = role
            par_of[i] = cur_par["seq"]
        elif region == "preamble" and cur_par is None:
            roles[i] = "preamble"  # chapeau: "The States Parties to the present Convention"
        else:
            add_to_par(i, role)

    if cur_article:
        cur_article["end"] = n
    if not articles:
        diags.append(_why_no_articles(doc_id, region, raws))

    # ---- build dataclasses ----------------------------------------------------------
    chap_objs = tuple(
        Chapter(doc_id, k, c["label"], c["title"], c["start"], c["end"]) for k, c in enumerate(chapters, 1)
    )
    art_objs = tuple(
        Article(doc_id, a["seq"], a["chapter"], a["label"], a["num"], a["title"], a["proposed"],
                a["start"], a["end"], a["heading"])
        for a in articles
    )
    par_objs = []
    for p in paragraphs:
        ls = tuple(p["lines"])
        start = source.line_starts[ls[0] - 1]
        end = start + len(texts[ls[-1] - 1]) if len(ls) == 1 else source.line_starts[ls[-1] - 1] + len(texts[ls[-1] - 1])
        par_objs.append(Paragraph(doc_id, p["seq"], p["article_seq"], p["article"], p["label"],
                                  "\n".join(texts[j - 1] for j in ls), ls[0], ls[-1], start, end, ls))
    line_objs = []
    for i in range(1, n + 1):
        role = roles[i] or "paragraph"
        if not roles[i]:  # pragma: no cover - every branch above sets a role
            diags.append(Diagnostic(doc_id, i, "unclassified_line", "no rule matched", STAGE))
        line_objs.append(LineRole(doc_id, i, role, art_of[i], par_of[i]))
    # sanity: article numbers should not decrease
    last = -1
    for a in art_objs:
        if a.article_num >= 0:
            if a.article_num < last:
                diags.append(Diagnostic(doc_id, a.heading_line, "article_order",
                                        f"article {a.article} after article {last}", STAGE))
            last = a.article_num
    return Segmentation(doc_id, chap_objs, art_objs, tuple(par_objs), tuple(line_objs), tuple(diags))
