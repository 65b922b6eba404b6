"""Linear time and memory on untrusted text, asserted by structure, never by the clock.

Each pass that was quadratic is pinned down here by what makes it linear: the
number of operations it does (struck shares from one forward sweep, tails parsed
over a bounded multiple of the input), the total size of what it stores (span and
proposal text under the depth rule of :mod:`treatydrafts.parse.brackets`), or the
equality of a one-pass index with the scan it replaced.  Timings and peak memory
for doubling inputs are in ``benchmarks/bench_linear.py``.
"""
from __future__ import annotations

import random
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import treatydrafts as td
from treatydrafts.errors import SourceTooLargeError
from treatydrafts.parse import brackets, clean, decode, frames, sponsors
from treatydrafts.parse.brackets import CUT_TEXT_CHARS, MAX_TEXT_DEPTH, find_brackets, strike_runs
from treatydrafts.parse.brackets import unit_of as unit
from treatydrafts.parse.recover import document, reader
from treatydrafts.parse.segment import SEGMENTERS

PARSERS = sorted(SEGMENTERS)


def text_bound(n_chars: int, n_rows: int) -> int:
    """The most text the depth rule lets a unit of ``n_chars`` characters store in ``n_rows`` rows."""
    return MAX_TEXT_DEPTH * n_chars + CUT_TEXT_CHARS * n_rows


# The patterns of the issue (and their relatives), a few thousand repetitions each.
PATHOLOGICAL = {
    "strikes": "[~~x~~ " * 3000,
    "unclosed": "[x " * 3000,
    "nested": "[" * 3000 + "x: EU" + "]" * 3000,
    "nested tails": "[w " * 2000 + "x" + ": EU]" * 2000,
    "stray closers": "w: EU] " * 3000,
    "colons": "[" + ":" * 30_000 + "]",
    "codes": "[x: " + "EU, " * 5000 + "US]",
    "orphan tails": "w: EU " * 3000,
    "parentheses": "[" + "(w: EU) " * 3000 + "x: US]",
    "struck proposals": "[" + "~~w: EU~~ " * 3000 + "x: US]",
    "alternatives": "[" + "a: EU; " * 3000 + "]",
    "strikes across lines": "[~~a\n~~ b] " * 2000,
}


# ---------------------------------------------------------------- brackets


@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_stored_span_text_follows_the_depth_rule(name):
    text = PATHOLOGICAL[name]
    spans, _ = find_brackets("t", text, unit(text))
    assert sum(len(s.text) for s in spans) <= text_bound(len(text), len(spans))
    for s in spans:
        full = text[s.start_offset:s.end_offset]
        assert s.text == (full if s.depth <= MAX_TEXT_DEPTH else full[:CUT_TEXT_CHARS])
        assert brackets.is_text_cut(s) == (s.text != full)


def test_cut_texts_are_reported_once_per_unit():
    text = "[" * 20 + "x" * 200 + "]" * 20
    spans, diags = find_brackets("t", text, unit(text))
    cut = [s for s in spans if brackets.is_text_cut(s)]
    assert len(cut) == 12 and all(s.depth > MAX_TEXT_DEPTH for s in cut)
    assert [d.kind for d in diags] == ["span_text_cut"]
    assert diags[0].message.startswith("12 span(s) nested deeper than 8 levels (openers at offsets 8 to 19)")
    assert brackets.inner_text(cut[-1]) == cut[-1].text[1:]  # a cut text has no closer to drop


def test_ten_thousand_unclosed_openers_store_eight_copies_not_ten_thousand():
    text = "[x " * 10_000
    spans, diags = find_brackets("t", text, unit(text))
    assert len(spans) == 10_000 and not any(s.is_closed for s in spans)
    # 8 whole copies of the line and 100 characters per deeper opener (was 150 million characters)
    assert sum(len(s.text) for s in spans) == sum(min(len(text) - 3 * i, 100 if i >= 8 else len(text))
                                                  for i in range(10_000))
    assert sum(d.kind == "unclosed_bracket" for d in diags) == 10_000


class _CountingSweep(brackets._StruckSweep):
    made: list[_CountingSweep] = []

    def __init__(self, runs):
        super().__init__(runs)
        self.queries = 0
        self.last = -1
        _CountingSweep.made.append(self)

    def before(self, p):
        assert p >= self.last, "struck characters asked out of order: the sweep would go back"
        self.last, self.queries = p, self.queries + 1
        return super().before(p)

    def inside(self, p):
        assert p >= self.last
        self.last, self.queries = p, self.queries + 1
        return super().inside(p)


@pytest.mark.parametrize("name", ["strikes", "struck proposals", "strikes across lines", "nested"])
def test_struck_shares_come_from_one_forward_sweep(monkeypatch, name):
    """The quadratic cost was one scan of the runs per span: now every span asks the sweep
    a constant number of questions, in offset order, and the per-span scan is never used."""
    _CountingSweep.made.clear()
    monkeypatch.setattr(brackets, "_StruckSweep", _CountingSweep)

    def no_scan(*_):
        raise AssertionError("per-span scan of the strikethrough runs")

    monkeypatch.setattr(brackets, "_struck_chars", no_scan)
    text = PATHOLOGICAL[name]
    spans, _ = find_brackets("t", text, unit(text))
    (sweep,) = _CountingSweep.made
    assert sweep.queries <= 3 * len(spans) + 1
    assert sweep.i <= len(sweep.runs)  # the pointer only moves forward, at most once per run


@st.composite
def bracket_text(draw):
    return "".join(draw(st.lists(st.sampled_from(["[", "]", "{", "}", "~~", "a", " ", "\n", "~"]), max_size=80)))


@given(bracket_text())
@settings(max_examples=300, deadline=None, derandomize=True, database=None)
def test_struck_shares_equal_a_character_count(text):
    """is_struck from the sweep equals counting the struck characters of each span one by one."""
    lines = unit(text)
    runs, _ = strike_runs(lines)
    struck = [False] * len(text)
    for a, b in runs:
        for i in range(a, b):
            struck[i] = True
    spans, _ = find_brackets("t", text, lines, runs=runs)
    for s in spans:
        share = sum(struck[s.start_offset:s.end_offset]) / max(s.end_offset - s.start_offset, 1)
        assert s.is_struck == (struck[s.start_offset] or share > 0.5)


# ---------------------------------------------------------------- sponsor tails

# parse_tail costs O(len(text)) + O(1); a span's own characters are parsed at most
# 2 * MAX_ALTERNATIVES + a few times (alternatives, bare positions), everything else once.
TAIL_PASSES = 2 * sponsors.MAX_ALTERNATIVES + 5


@pytest.mark.parametrize("name", sorted(PATHOLOGICAL))
def test_tails_parse_a_bounded_multiple_of_the_text(tmp_path, monkeypatch, name):
    text = "Article 1. X\n\n1. " + PATHOLOGICAL[name] + "\n"
    parsed = [0]
    parse_tail = sponsors.parse_tail

    def counting(s):
        parsed[0] += len(s)
        return parse_tail(s)

    monkeypatch.setattr(sponsors, "parse_tail", counting)
    f = tmp_path / "input.txt"
    f.write_text(text, encoding="utf-8")
    draft = td.parse_file(f, parser="cnd")
    assert parsed[0] <= TAIL_PASSES * len(text)
    assert int(draft.proposals.text.str.len().sum()) <= text_bound(len(text), len(draft.proposals))
    assert int(draft.brackets.text.str.len().sum()) <= text_bound(len(text), len(draft.brackets))


def test_orphan_tails_of_one_line_do_not_overlap(tmp_path):
    """Each orphan tail's wording stops at the previous tail (it ran back to the line start)."""
    f = tmp_path / "orphans.txt"
    f.write_text("Article 1. X\n\n1. " + "word: EU " * 2000 + "\n", encoding="utf-8")
    props = td.parse_file(f, parser="cnd").proposals.sort_values("start_offset")
    assert len(props) == 2000 and set(props.text[1:]) == {"word"}  # the first one runs back to "1. "
    assert (props.start_offset.to_numpy()[1:] >= props.end_offset.to_numpy()[:-1]).all()


def test_nested_parentheses_are_masked_in_one_copy(monkeypatch):
    """The host's text was copied once per nested proposal; now once per pass."""
    copied = [0]
    fill = sponsors._fill

    def counting(m, ranges):
        copied[0] += len(m)
        return fill(m, ranges)

    monkeypatch.setattr(sponsors, "_fill", counting)
    text = "[" + "(w: EU) " * 3000 + "x: US]"
    spans, _ = find_brackets("x", text, unit(text))
    src, _ = clean.source_from_text("x", text)
    proposals, _, _ = sponsors.extract_proposals(src, spans)
    assert len(proposals) == 3001
    assert copied[0] <= 2 * len(text)


@given(st.text(alphabet="~a \n", max_size=60), st.data())
@settings(max_examples=300, deadline=None, derandomize=True, database=None)
def test_tilde_index_counts_like_str_count(text, data):
    idx = sponsors._Tildes(text)
    a = data.draw(st.integers(0, len(text)))
    b = data.draw(st.integers(a, len(text)))
    assert idx.count(a, b) == text.count("~~", a, b)


@given(st.text(alphabet="~a \n", min_size=2, max_size=60), st.data())
@settings(max_examples=300, deadline=None, derandomize=True, database=None)
def test_marker_index_pairs_like_a_scan_from_the_line_start(m, data):
    """The opening '~~' of a run, as the old code found it by re-reading the line."""
    ks = [k for k in range(len(m) - 1) if m.startswith("~~", k)]
    if not ks:
        return
    k = data.draw(st.sampled_from(ks))
    line_start = m.rfind("\n", 0, k) + 1
    marks = [x.start() for x in re.finditer("~~", m[line_start:k + 2])]
    opening = [line_start + x for x in marks[0::2]]
    assert sponsors._Lines(m).opening_marker(k) == (opening[-1] if opening else k)


# ---------------------------------------------------------------- whole parsers

MIXED = ("] } " * 500 + " w: EU] " * 500 + "[" * 300 + "y: EU" + "]" * 300 + "[" + ":" * 2000 + "] [x: "
         + "EU, " * 500 + "US] " + "(w: EU) " * 500 + "[~~x~~ " * 500 + "[x " * 500)


@pytest.mark.parametrize("parser", PARSERS)
def test_every_parser_stores_linear_text_on_pathological_lines(tmp_path, parser):
    text = "Article 1. Mixed\n\n1. " + MIXED + "\n" + MIXED.replace(" ", "\n", 300) + "\n"
    f = tmp_path / "mixed.txt"
    f.write_text(text, encoding="utf-8")
    draft = td.parse_file(f, parser=parser)
    for table in (draft.brackets, draft.proposals):
        assert int(table.text.str.len().sum()) <= text_bound(len(text), len(table))
    assert len(draft.brackets) == text.count("[") + text.count("{")
    assert {"unclosed_bracket", "unmatched_closer", "span_text_cut"} <= set(draft.diagnostics.kind)


def test_chapter_of_an_article_by_bisection(tmp_path):
    """2,000 chapters and articles (was: every chapter scanned for every article)."""
    f = tmp_path / "chapters.txt"
    f.write_text("".join(f"Chapter {'IVX'[i % 3]} C{i}\nArticle {i % 999 + 1}. T\n1. x\n" for i in range(2000)),
                 encoding="utf-8")
    draft = td.parse_file(f, parser="expert")
    assert len(draft.articles) == 2000 and len(draft.chapters) == 2000
    assert draft.articles.chapter.tolist() == ["IVX"[i % 3] for i in range(2000)]


def test_repeated_cnd_labels_point_at_the_first(tmp_path):
    f = tmp_path / "labels.txt"
    f.write_text("Article 5. A\nArticle 5. B\nArticle 6. C\nArticle 5. D\n", encoding="utf-8")
    diags = td.parse_file(f, parser="cnd").diagnostics
    dup = diags[diags.kind == "duplicate_article_label"]
    assert dup.line.tolist() == [2, 4] and dup.message.str.contains("first at line 1").all()


# ---------------------------------------------------------------- tables


def test_tables_validated_in_slices_equal_one_validation(monkeypatch):
    """Slices of the key-sorted table, each validated, are the rows schema.validate gives."""
    from treatydrafts import corpus

    parsed = corpus.parsed("ahc4-cnd")
    whole = frames.to_frames(parsed)
    monkeypatch.setattr(frames, "VALIDATE_ROWS", 97)
    sliced = frames.to_frames(parsed)
    for name, df in whole.items():
        pd.testing.assert_frame_equal(sliced[name], df, check_exact=True)


def test_slices_still_catch_a_key_repeated_across_them(monkeypatch):
    from treatydrafts.errors import SchemaError

    monkeypatch.setattr(frames, "VALIDATE_ROWS", 2)
    # a lines table whose key (doc_id, line) repeats across the border of slices [1, 2] and [2, 3]
    cols = {"doc_id": ["x"] * 4, "line": [1, 2, 2, 3], "role": ["blank"] * 4, "article_seq": [0] * 4,
            "paragraph_seq": [0] * 4, "start_offset": [0, 1, 2, 3], "end_offset": [0, 1, 2, 3]}
    with pytest.raises(SchemaError, match="not unique"):
        frames._frame(cols, "lines")


# ---------------------------------------------------------------- decoder


@given(st.lists(st.integers(0, 40), max_size=300), st.integers(0, 5))
@settings(max_examples=200, deadline=None, derandomize=True, database=None)
def test_one_pass_glyph_index_equals_a_find_per_glyph(ids, block_shift):
    raw = "".join("\n" if g == 40 else chr(decode.PUA_START + g) for g in ids)
    glyphs = set(range(40))
    old_block = decode.FIRST_BLOCK
    decode.FIRST_BLOCK = 1 << block_shift  # tiny blocks: many block borders
    try:
        firsts = decode._first_offsets(raw, glyphs)
    finally:
        decode.FIRST_BLOCK = old_block
    assert firsts == {g: raw.find(chr(decode.PUA_START + g)) for g in glyphs if chr(decode.PUA_START + g) in raw}
    contexts = decode._all_contexts(raw, 29, sorted(glyphs), limit=3)
    for g in glyphs:
        assert contexts[g] == _contexts_by_find(raw, 29, g, 3)


def _contexts_by_find(raw: str, k: int, glyph: int, limit: int) -> list[tuple[str, str]]:
    """The old implementation: a find per occurrence, from the start of the text."""
    def dec(c):
        if decode._is_pua(c):
            cp = ord(c) - decode.PUA_START + k
            return chr(cp) if 32 <= cp < 127 else "\x00"
        return c

    out, target = [], chr(decode.PUA_START + glyph)
    i = raw.find(target)
    while i != -1 and len(out) < limit:
        prev = dec(raw[i - 1]) if i > 0 else ""
        nxt = dec(raw[i + 1]) if i + 1 < len(raw) else ""
        out.append(("" if prev == "\n" else prev, "" if nxt == "\n" else nxt))
        i = raw.find(target, i + 1)
    return out


def _offset_by_sums(raw: str) -> int:
    """The old offset search: the glyphs mapped into ASCII summed afresh for every offset."""
    counts = decode.glyph_counts(raw)
    total = sum(counts.values())
    ranked = []
    for k in range(32 - max(counts), 127 - min(counts)):
        if sum(n for g, n in counts.items() if 32 <= g + k < 127) >= 0.5 * total:
            ranked.append((decode._offset_score(counts, k, ""), k))
    ranked.sort(key=lambda x: (-x[0], x[1]))
    sample = decode.NON_PUA_RE.sub("", raw[:200_000])[:20_000]
    best_k, best = None, float("-inf")
    for _, k in ranked[:8]:
        s = decode._offset_score(counts, k, sample)
        if s > best:
            best_k, best = k, s
    return 32 - min(counts) if best_k is None else best_k


def test_offset_search_with_prefix_sums_matches_the_old_sums():
    rng = random.Random(3)
    for _ in range(12):
        raw = decode.encode_private_use("The States Parties shall adopt measures (a) and (b). " * 20, rng.randrange(20, 33))
        raw += "".join(chr(decode.PUA_START + rng.randrange(rng.choice([200, 600]))) for _ in range(rng.randrange(1000)))
        assert decode.infer_offset(raw) == _offset_by_sums(raw)


# ---------------------------------------------------------------- recovery


def _spy_viterbi(monkeypatch) -> list[list[int]]:
    """The chunk lengths of every Viterbi batch the reader runs."""
    calls: list[list[int]] = []
    viterbi = reader._viterbi

    def spy(texts, *rest):
        calls.append([len(t) for t in texts])
        return viterbi(texts, *rest)

    monkeypatch.setattr(reader, "_viterbi", spy)
    return calls


def test_recovery_holds_one_bounded_batch_at_a_time(tmp_path, monkeypatch):
    """A long paragraph of lists is read in batches of at most BATCH_CHARS characters of chunks
    (each chunk at most MAX_CHUNK): the lattice held at once does not grow with the document."""
    calls = _spy_viterbi(monkeypatch)
    monkeypatch.setattr(reader, "BATCH_CHARS", 5_000)
    n = 60_000
    f = tmp_path / "lists.txt"
    f.write_text("Preamble\nChapter I\nArticle 1. X\n1. " + ("[and without right: EU, US] word " * (n // 33 + 1))[:n]
                 + "\n", encoding="utf-8")
    draft = td.parse_file(f, parser="amended_draft")
    assert len(draft.positions) > 1000
    assert len(calls) > 10
    assert all(max(c) <= reader.MAX_CHUNK and (sum(c) <= 5_000 or len(c) == 1) for c in calls)
    assert sum(map(sum, calls)) <= n + 100  # every character of the model text read once


def test_batches_cut_longest_first_runs():
    assert reader.batches([5, 4, 3, 3, 1], 7) == [(0, 1), (1, 3), (3, 5)]
    assert reader.batches([9, 2], 7) == [(0, 1), (1, 2)]  # a chunk longer than a batch: alone
    assert reader.batches([], 7) == []


def test_recovery_in_small_batches_reads_the_same(monkeypatch):
    """Chunks are independent rows of a batch: the real document read in batches of 4,000
    characters gives the same readings as in one batch (and as the default batches)."""
    seg, base = td.segmented("ahc6-amended-draft"), td.segmented("ahc6-chair-draft")

    def read(batch_chars):
        monkeypatch.setattr(reader, "BATCH_CHARS", batch_chars)
        calls = _spy_viterbi(monkeypatch)
        got = document.read_document(seg.source, seg.segmentation, (base.source, base.segmentation))
        monkeypatch.undo()
        return got, len(calls)

    whole, n_whole = read(10 ** 9)
    small, n_small = read(4_000)
    assert n_whole == 1 and n_small > 20
    assert small == whole and any(r.kind == "name" and r.delegation_id for r in whole)


# ---------------------------------------------------------------- size guard


def test_source_over_fifty_megabytes_is_refused_before_reading(tmp_path, monkeypatch):
    f = tmp_path / "huge.txt"
    with open(f, "wb") as fh:  # sparse: 50 MB + 1 byte on paper, nothing on disk
        fh.truncate(clean.MAX_SOURCE_BYTES + 1)

    def no_read(*_):
        raise AssertionError("the file was read")

    monkeypatch.setattr(Path, "read_bytes", no_read)
    for parser in PARSERS:
        with pytest.raises(SourceTooLargeError, match=r"huge\.txt: file is 50,000,001 bytes, over the 50,000,000"):
            td.parse_file(f, parser=parser)
    assert issubclass(SourceTooLargeError, td.SourceError) and td.SourceTooLargeError is SourceTooLargeError


def test_size_guard_is_a_limit_not_a_filter(tmp_path, monkeypatch):
    monkeypatch.setattr(clean, "MAX_SOURCE_BYTES", 64)
    f = tmp_path / "edge.txt"
    f.write_bytes(b"Article 1. X\n" + b"a" * (64 - 14) + b"\n")  # exactly at the limit: parsed
    assert len(td.parse_file(f).lines) == 2
    f.write_bytes(b"Article 1. X\n" + b"a" * (65 - 14) + b"\n")
    with pytest.raises(SourceTooLargeError, match="edge.txt"):
        td.parse_file(f)
    with pytest.raises(SourceTooLargeError, match="<bytes>"):
        clean.decode_bytes(b"x" * 65, "<bytes>")
    with pytest.raises(SourceTooLargeError):
        clean.source_from_text("x", "y" * 65)
