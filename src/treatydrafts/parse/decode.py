"""Stage 1b, decode: private-use glyph ids → characters, inferred from the document.

Some PDF-to-text conversions (here ``ahc6-amended-draft``) emit the *glyph ids*
of an embedded TrueType font as private-use code points ``U+E000 + g``.  The
mapping is not hard-coded; it is inferred in two steps:

1. **Offset** (:func:`infer_offset`).  For the low glyph ids the character is
   ``chr(g + k)`` for an unknown constant ``k``.  Every ``k`` that maps most
   glyph occurrences into printable ASCII is tried and the decoded text is
   scored against English character frequencies (a unigram model over
   space, letters, digits and punctuation) plus a small list of very common
   English words; the best-scoring ``k`` wins.  The score only needs to pick
   the right shift out of ~100, so a damaged text (characters missing) still
   gives a decisive margin.

2. **Glyphs beyond ASCII.**  TrueType fonts with a Macintosh ``post`` table
   order their glyphs like the standard 258-glyph Mac order (``.notdef``,
   ``.null``, ``nonmarkingreturn``, ``space``, ``exclam`` …).  Since the Mac
   index of an ASCII character ``c`` is ``ord(c) - 29`` (``space`` is index 3),
   the inferred offset gives the base relation ``mac_index = g + k - 29``.
   Subset fonts may *omit* glyphs of that order, which shifts every later
   glyph down by one: the relation becomes ``mac_index = g + base + step(g)``
   with ``step`` non-decreasing.  ``step`` is fitted from the document: each
   candidate character is checked against the contexts in which the glyph
   occurs (a closing quote follows a word, a dash sits between digits or
   spaces, a letter touches letters …), and the non-decreasing step function
   with the best total context score is kept.  Characters that do not fit
   any candidate (or are implausible in running treaty text, such as ``©``
   or ``¤``), and glyphs whose candidates tie, become U+FFFD with a
   :class:`~treatydrafts.models.Diagnostic`.

Decoding is length-preserving: one code point in, one character out, so
offsets into ``Source.raw`` and ``Source.text`` agree.  Characters outside
the private-use area pass through unchanged.

Cost: linear time and memory in the length ``n`` of the text, whatever the
number ``G`` of distinct glyphs (at most 6,400): counting, the first
occurrence of every glyph and the contexts of the glyphs beyond ASCII (at
most 200 each) take one pass each over the text, never one pass per glyph
(which was ``O(n G)``); the offset search and the step fit cost ``O(G)`` per
candidate offset with prefix sums, independent of ``n``.
"""
from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from ..models import Diagnostic

PUA_START = 0xE000
PUA_END = 0xF900  # exclusive
REPLACEMENT = "\ufffd"

# The standard Macintosh glyph order (TrueType 'post' table format 1/2): the
# character of each of the 258 glyph names, "\x00" for glyphs without one
# (.notdef, .null, nonmarkingreturn, apple).
MAC_GLYPH_CHARS: str = (
    "\x00\x00\x00 !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`abcdefghijklmnopqrstuvwxyz{|}~"
    "ÄÅÇÉÑÖÜáàâäãåçéèêëíìîïñóòôöõúùûü†°¢£§•¶ß®©™´¨≠ÆØ∞±≤≥¥µ∂∑∏π∫ªºΩæø¿¡¬√ƒ≈∆«»…\xa0ÀÃÕŒœ–—“”‘’÷◊ÿŸ⁄¤‹›"
    "\ufb01\ufb02‡·‚„‰ÂÊÁËÈÍÎÏÌÓÔ\x00ÒÚÛÙıˆ˜¯˘˙˚¸˝˛ˇŁłŠšŽž¦ÐðÝýÞþ−×¹²³½¼¾₣ĞğİŞşĆćČčđ"
)
assert len(MAC_GLYPH_CHARS) == 258
MAC_SPACE_INDEX = MAC_GLYPH_CHARS.index(" ")  # 3

# English character frequencies (per 1000 characters of running text,
# rounded; space included).  Used only to rank candidate offsets.
_ENGLISH_FREQ = {
    " ": 180, "e": 100, "t": 72, "a": 65, "o": 62, "i": 60, "n": 58, "s": 52, "r": 50,
    "h": 35, "l": 33, "d": 31, "c": 25, "u": 22, "m": 20, "f": 18, "p": 17, "g": 15,
    "w": 12, "y": 13, "b": 12, "v": 8, "k": 5, "x": 1.5, "j": 1, "q": 0.8, "z": 0.6,
    ",": 10, ".": 9, "(": 2, ")": 2, "[": 1, "]": 1, ";": 1, ":": 1, "-": 1, "'": 0.5,
}
for _d in "0123456789":
    _ENGLISH_FREQ[_d] = 1.5
for _u in "ABCDEFGHIJKLMNOPRSTUVW":
    _ENGLISH_FREQ[_u] = 1.5
_FLOOR = 0.05  # per-mille probability for any other printable character
_TOTAL = sum(_ENGLISH_FREQ.values())

# A small built-in list of frequent English (and treaty) words.
COMMON_WORDS = frozenset(
    "the of and to in a is that for on as with by be or any shall state states party parties "
    "article paragraph this其 其 its which from are an not such other have may data information "
    "convention measures offence offences computer system law national international".replace("其", "").split()
)

# Runs of letters, for the common-word bonus:  "the", "States"
WORD_RE = re.compile(r"[A-Za-z]+")
# Runs of characters outside the private-use area:  "\n", " (a) "
NON_PUA_RE = re.compile("[^\ue000-\uf8ff]+")


def _is_pua(ch: str) -> bool:
    return PUA_START <= ord(ch) < PUA_END


def glyph_counts(raw: str) -> Counter:
    """Occurrences of each glyph id (``ord(ch) - 0xE000``) in ``raw``."""
    return Counter({ord(ch) - PUA_START: n for ch, n in sorted(Counter(raw).items()) if _is_pua(ch)})


def _offset_score(counts: Counter, k: int, sample: str) -> float:
    """Mean log-probability per glyph under the English unigram model, plus a
    bonus for common words in a decoded sample."""
    total = sum(counts.values())
    ll = 0.0
    for g, n in counts.items():
        cp = g + k
        if 32 <= cp < 127:
            p = _ENGLISH_FREQ.get(chr(cp), _FLOOR) / _TOTAL
        else:
            p = _FLOOR / _TOTAL / 10
        ll += n * math.log(p)
    score = ll / max(total, 1)
    if sample:
        table = {PUA_START + g: (chr(g + k) if 32 <= g + k < 127 else " ") for g in counts}
        text = sample.translate(table)
        words = WORD_RE.findall(text.lower())
        if words:
            score += 0.5 * sum(w in COMMON_WORDS for w in words) / len(words)
    return score


def infer_offset(raw: str, counts: Counter | None = None) -> int:
    """The ``k`` such that glyph id ``g`` is ``chr(g + k)`` for the ASCII glyphs.

    Tries every ``k`` that maps at least half the glyph occurrences into
    printable ASCII and returns the most English-like.  Raises ``ValueError``
    if ``raw`` holds no private-use characters.
    """
    counts = glyph_counts(raw) if counts is None else counts
    if not counts:
        raise ValueError("no private-use characters to infer an offset from")
    total = sum(counts.values())
    sample = NON_PUA_RE.sub("", raw[:200_000])[:20_000]
    best_k, best = None, -math.inf
    lo, hi = min(counts), max(counts)
    # occurrences of glyph ids below g: prefix[g - lo]; glyph g + k is printable ASCII for
    # 32 - k <= g < 127 - k, so the occurrences that k maps into ASCII are one difference
    prefix = [0] * (hi - lo + 2)
    for g, n in counts.items():
        prefix[g - lo + 1] += n
    for i in range(1, len(prefix)):
        prefix[i] += prefix[i - 1]

    def mapped_to_ascii(k: int) -> int:
        a, b = max(32 - k, lo), min(127 - k, hi + 1)
        return prefix[b - lo] - prefix[a - lo] if a < b else 0

    # unigram score for every admissible k; the common-word bonus (costlier) only for the
    # leading candidates: it is at most 0.5, far below the gap to a wrong shift
    ranked = []
    for k in range(32 - hi, 127 - lo):
        inside = mapped_to_ascii(k)
        if inside < 0.5 * total:
            continue
        ranked.append((_offset_score(counts, k, ""), k))
    ranked.sort(key=lambda x: (-x[0], x[1]))
    for _, k in ranked[:8]:
        s = _offset_score(counts, k, sample)
        if s > best:
            best_k, best = k, s
    if best_k is None:  # pragma: no cover - needs a pathological glyph spread
        best_k = 32 - lo
    return best_k


def encode_private_use(text: str, offset: int, missing: tuple[int, ...] = ()) -> str:
    """Encode ``text`` the way a glyph-id dump would (for tests and benchmarks).

    Printable ASCII ``c`` → ``U+E000 + ord(c) - offset``; other characters of
    the Mac glyph order → ``U+E000 + mac_index - base - step`` where ``base =
    offset - 29`` and ``step`` counts the indices in ``missing`` (Mac indices
    omitted from the font, simulating a subset) below the character's index.
    Newlines and characters outside the Mac order pass through unchanged.
    """
    base = offset - (32 - MAC_SPACE_INDEX)
    out = []
    for ch in text:
        if 32 <= ord(ch) < 127:
            g = ord(ch) - offset
        elif ch != "\n" and ch in MAC_GLYPH_CHARS[MAC_SPACE_INDEX:]:
            m = MAC_GLYPH_CHARS.index(ch, MAC_SPACE_INDEX)
            g = m - base - sum(1 for x in missing if x < m)
        else:
            out.append(ch)
            continue
        if g < 0 or PUA_START + g >= PUA_END:
            raise ValueError(f"offset {offset} puts {ch!r} outside the private-use area")
        out.append(chr(PUA_START + g))
    return "".join(out)


# ---------------------------------------------------------------------------
# Context checks for glyphs beyond ASCII


def _kind(ch: str) -> str:
    """Coarse class of a neighbouring (decoded) character."""
    if ch == "":
        return "edge"
    if ch.isalpha():
        return "L"
    if ch.isdigit():
        return "D"
    if ch.isspace():
        return "S"
    if ch in "([{":
        return "O"
    if ch in ")]}":
        return "C"
    if ch in ",.;:!?":
        return "P"
    return "X"


# Characters that can plausibly occur in running English treaty text.
_PLAUSIBLE_SYMBOLS = set("“”‘’–—…\xa0•§°«»‹›·")


def _plausible(ch: str) -> bool:
    if not ch or ch == "\x00":
        return False
    if ch.isalpha():
        # Latin letters with diacritics occur in names (Côte d'Ivoire, Türkiye);
        # ligatures (œ, æ, ﬁ) and Greek/math letters do not in this corpus.
        return unicodedata.name(ch, "").startswith("LATIN") and ch not in "œŒæÆıß" and len(unicodedata.normalize("NFKD", ch)) > 1
    return ch in _PLAUSIBLE_SYMBOLS


def _context_fit(ch: str, prev: str, nxt: str) -> float:
    """How well ``ch`` fits between ``prev`` and ``nxt`` (0..1)."""
    return _kinds_fit(ch, _kind(prev), _kind(nxt))


@functools.lru_cache(maxsize=None)
def _kinds_fit(ch: str, p: str, n: str) -> float:
    """:func:`_context_fit` given the classes of the neighbours (at most 258 x 8 x 8 values)."""
    if not _plausible(ch):
        return 0.0
    if ch.isalpha():
        return 1.0 if "L" in (p, n) else 0.2
    if ch in "“‘«‹":  # opening: starts a word
        return 1.0 if p in ("S", "O", "edge", "P") and n in ("L", "D", "O") else 0.1
    if ch in "”»›":  # closing: ends a word
        return 1.0 if p in ("L", "D", "C", "P") and n in ("S", "P", "C", "edge") else 0.1
    if ch == "’":  # apostrophe or closing single quote
        if p == "L" and n in ("L", "S", "P", "C", "edge"):
            return 1.0
        return 0.3 if p in ("L", "D", "C") else 0.1
    if ch in "–—":  # dashes: between digits (ranges) or between spaces
        if p == "D" and n == "D":
            return 1.0
        if "S" in (p, n) or "edge" in (p, n):
            return 0.8
        return 0.3
    if ch in "…\xa0•·§°":
        return 0.5
    return 0.2


@dataclass(frozen=True)
class GlyphResolution:
    glyph: int
    char: str  # resolved character, or REPLACEMENT
    mac_index: int  # -1 when unresolved
    step: int
    score: float
    count: int
    first_line: int
    note: str = ""


def _contexts(raw: str, k: int, glyph: int, limit: int = 200) -> list[tuple[str, str]]:
    """The decoded neighbours ``(prev, next)`` of the first ``limit`` occurrences of ``glyph``."""
    return _all_contexts(raw, k, [glyph], limit)[glyph]


def _all_contexts(raw: str, k: int, glyphs, limit: int = 200) -> dict[int, list[tuple[str, str]]]:
    """:func:`_contexts` of every glyph in ``glyphs``, in one pass over ``raw``."""

    def dec(c: str) -> str:
        if _is_pua(c):
            cp = ord(c) - PUA_START + k
            return chr(cp) if 32 <= cp < 127 else "\x00"
        return c

    out: dict[int, list[tuple[str, str]]] = {g: [] for g in glyphs}
    if not out:
        return out
    # one character class of all the glyphs: each occurrence is visited once, in order
    pattern = re.compile("[" + "".join(chr(PUA_START + g) for g in sorted(out)) + "]")
    open_glyphs = len(out)
    n = len(raw)
    for mt in pattern.finditer(raw):
        i = mt.start()
        got = out[ord(raw[i]) - PUA_START]
        if len(got) >= limit:
            continue
        prev = dec(raw[i - 1]) if i > 0 else ""
        nxt = dec(raw[i + 1]) if i + 1 < n else ""
        got.append(("" if prev == "\n" else prev, "" if nxt == "\n" else nxt))
        if len(got) == limit:
            open_glyphs -= 1
            if not open_glyphs:
                break
    return out


def resolve_high_glyphs(raw: str, k: int, max_step: int = 3,
                        counts: Counter | None = None) -> dict[int, GlyphResolution]:
    """Resolve glyph ids beyond the ASCII range (see module docstring)."""
    counts = glyph_counts(raw) if counts is None else counts
    base = k - (32 - MAC_SPACE_INDEX)
    all_high = sorted(g for g in counts if g + k >= 127)
    if not all_high:
        return {}
    # fit[g][s] = mean context fit of the candidate with step s
    fit: dict[int, list[float]] = {}
    ctx = _all_contexts(raw, k, all_high)
    for g in all_high:
        kinds = [(_kind(a), _kind(b)) for a, b in ctx[g]]
        row = []
        for s in range(max_step + 1):
            m = g + base + s
            ch = MAC_GLYPH_CHARS[m] if 0 <= m < len(MAC_GLYPH_CHARS) else "\x00"
            row.append(sum(_kinds_fit(ch, p, q) for p, q in kinds) / max(len(kinds), 1))
        fit[g] = row
    # Glyphs that fit no candidate carry no evidence about the step function:
    # fit it on the others, then give each of these the step of its left neighbour.
    high = [g for g in all_high if max(fit[g]) >= 0.5] or all_high
    # Best non-decreasing step function (dynamic programming over sorted ids);
    # a tiny penalty per step prefers the plain relation when nothing is gained.
    penalty = 0.01
    n = len(high)
    best = [[-math.inf] * (max_step + 1) for _ in range(n)]
    back = [[0] * (max_step + 1) for _ in range(n)]
    for s in range(max_step + 1):
        best[0][s] = fit[high[0]][s] - penalty * s
    for i in range(1, n):
        for s in range(max_step + 1):
            prev_s = max(range(s + 1), key=lambda t: best[i - 1][t] - penalty * (s - t))
            best[i][s] = best[i - 1][prev_s] - penalty * (s - prev_s) + fit[high[i]][s]
            back[i][s] = prev_s
    s = max(range(max_step + 1), key=lambda t: best[n - 1][t])
    steps = [0] * n
    for i in range(n - 1, -1, -1):
        steps[i] = s
        s = back[i][s]
    first_line = _first_lines(raw, set(all_high))
    step_of = dict(zip(high, steps))
    out: dict[int, GlyphResolution] = {}
    last = 0
    for g in all_high:
        if g in step_of:
            last = step_of[g]
            continue
        s = last
        m = g + base + s
        ch = MAC_GLYPH_CHARS[m] if 0 <= m < len(MAC_GLYPH_CHARS) else "\x00"
        out[g] = GlyphResolution(g, REPLACEMENT, -1, s, fit[g][s], counts[g], first_line.get(g, 0),
                                 f"no candidate fits its contexts (nearest {ch!r}, fit {max(fit[g]):.2f})")
    for i, g in enumerate(high):
        s = steps[i]
        m = g + base + s
        ch = MAC_GLYPH_CHARS[m] if 0 <= m < len(MAC_GLYPH_CHARS) else "\x00"
        score = fit[g][s]
        # Steps allowed by monotonicity for this glyph: between neighbours' steps.
        lo = steps[i - 1] if i > 0 else 0
        hi = steps[i + 1] if i + 1 < n else s
        rivals = []
        for t in range(lo, hi + 1):
            if t == s:
                continue
            mt = g + base + t
            ct = MAC_GLYPH_CHARS[mt] if 0 <= mt < len(MAC_GLYPH_CHARS) else "\x00"
            if ct != ch and _plausible(ct) and fit[g][t] >= score - 1e-9:
                rivals.append(ct)
        note = ""
        if score < 0.5 or not _plausible(ch):
            note = f"no candidate fits its contexts (best {ch!r}, fit {score:.2f})"
            ch_out, m_out = REPLACEMENT, -1
        elif rivals:
            note = f"ambiguous between {ch!r} and {', '.join(map(repr, rivals))} (fit {score:.2f})"
            ch_out, m_out = REPLACEMENT, -1
        else:
            ch_out, m_out = ch, m
        out[g] = GlyphResolution(g, ch_out, m_out, s, score, counts[g], first_line.get(g, 0), note)
    return out


FIRST_BLOCK = 1 << 14  # characters looked at together when finding first occurrences


def _first_offsets(raw: str, glyphs: set[int]) -> dict[int, int]:
    """Offset of the first occurrence of each glyph id found in ``raw``, in one pass: block by
    block, the glyphs not yet seen that the block holds are looked up in that block only."""
    remaining = {chr(PUA_START + g) for g in glyphs}
    found: dict[int, int] = {}
    for a in range(0, len(raw), FIRST_BLOCK):
        if not remaining:
            break
        b = a + FIRST_BLOCK
        new = remaining.intersection(raw[a:b])
        for ch in new:
            found[ord(ch) - PUA_START] = raw.find(ch, a, b)
        remaining -= new
    return found


def _first_lines(raw: str, glyphs: set[int]) -> dict[int, int]:
    """1-based line of the first occurrence of each glyph id."""
    firsts = sorted((i, g) for g, i in _first_offsets(raw, glyphs).items())
    found: dict[int, int] = {}
    line, at = 1, 0
    for i, g in firsts:
        line += raw.count("\n", at, i)
        at = i
        found[g] = line
    return found


@dataclass(frozen=True)
class GlyphMapping:
    offset: int
    table: dict[int, str]  # glyph id → character (REPLACEMENT when unresolved)
    high: dict[int, GlyphResolution]


def infer_mapping(raw: str, counts: Counter | None = None) -> GlyphMapping:
    """Full glyph-id → character table inferred from ``raw``."""
    counts = glyph_counts(raw) if counts is None else counts
    k = infer_offset(raw, counts)
    table: dict[int, str] = {}
    for g in counts:
        cp = g + k
        if 32 <= cp < 127:
            table[g] = chr(cp)
        elif cp < 32:
            table[g] = REPLACEMENT
    high = resolve_high_glyphs(raw, k, counts=counts)
    for g, r in high.items():
        table[g] = r.char
    return GlyphMapping(k, table, high)


def decode_private_use(raw: str, doc_id: str) -> tuple[str, list[Diagnostic]]:
    """Decode private-use glyph ids in ``raw`` (length-preserving).

    Returns the decoded text and diagnostics: one ``decode_offset`` note, one
    ``glyph_order_step`` note per step found in the glyph order, and one
    ``unresolved_glyph`` diagnostic per distinct glyph that stays U+FFFD
    (first line, count, candidates).
    """
    diags: list[Diagnostic] = []
    counts = glyph_counts(raw)
    if not counts:
        return raw, diags
    mapping = infer_mapping(raw, counts)
    table = mapping.table
    out = raw.translate({PUA_START + g: table.get(g, REPLACEMENT) for g in counts})
    assert len(out) == len(raw)
    first = _first_lines(raw, set(counts))
    diags.append(
        Diagnostic(doc_id, first[min(counts)], "decode_offset",
                   f"glyph id g decodes as chr(g + {mapping.offset}) for the ASCII range; "
                   f"{len(counts)} distinct glyph ids, {sum(counts.values())} occurrences", "decode")
    )
    prev_step = 0
    for g in sorted(mapping.high):
        r = mapping.high[g]
        if r.char != REPLACEMENT and r.step != prev_step:
            diags.append(Diagnostic(doc_id, r.first_line, "glyph_order_step",
                                    f"glyph order shifts by {r.step - prev_step} before glyph 0x{g:02x} "
                                    f"(glyphs omitted from the font's Mac order)", "decode"))
            prev_step = r.step
    for g in sorted(counts):
        if table.get(g, REPLACEMENT) != REPLACEMENT:
            continue
        r = mapping.high.get(g)
        why = r.note if r else "maps outside printable ASCII and the Mac glyph order"
        diags.append(Diagnostic(doc_id, first.get(g, 0), "unresolved_glyph",
                                f"glyph 0x{g:02x} (U+{PUA_START + g:04X}) ×{counts[g]}: {why}", "decode"))
    return out, diags
