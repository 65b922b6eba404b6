"""Hardening: property-based fuzzing of every public parsing entry point, and a
named list of hostile inputs.

Every input must end in a typed error (:class:`treatydrafts.SourceError`) or
in tables and diagnostics — never an unhandled exception or a hang.  The
fuzzing generates more than 10,000 inputs in total (each test checks how many
it ran), derandomized so a failure reproduces.  Marked ``slow``; CI runs it
(``make test`` runs everything).

``tests/test_clean.py`` already covers, through ``td.parse_file`` and every
parser: empty and whitespace-only files, a binary file, a UTF-16 file with a
byte-order mark, Latin-1, a 2 MB line and 10,000 nested brackets.  The
hostile list here adds what it does not: the same hostile content through the
other entry points, and further hostile files (UTF-16 without byte-order mark,
UTF-8 byte-order mark, random private-use text through every parser, 10,000
unclosed openers and unmatched closers, carriage-return-only line ends, runs
of strikethrough markers).

Long pathological runs: the fragments above are at most a few hundred
characters long, which is how quadratic bracket spans went unnoticed.  The
``long runs`` strategy repeats one notation thousands of times (at least
100 KB in all: brackets, strikes, delegation codes, colons, nested brackets,
unclosed openers, stray closers, sponsor tails) and every input is checked for
linearity by structure: the stored span and proposal text stays within the
depth rule's bound and the sponsor-tail parser reads a bounded multiple of the
input.  Wall-clock time is never asserted (the hang detector aside).
"""
from __future__ import annotations

import random
import signal
from contextlib import contextmanager

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import treatydrafts as td
from treatydrafts.parse import brackets, clean, registry, sponsors
from treatydrafts.parse.segment import SEGMENTERS

pytestmark = pytest.mark.slow

PARSERS = sorted(SEGMENTERS)
RESOLUTIONS = {"exact", "alias", "flagged", "doubtful", "not_a_code", "unknown"}
HANG_LIMIT_S = 120  # a hang detector, not a speed test (speed lives in benchmarks/)

# Fragments of the notations the parsers read, mixed with arbitrary text, so
# that generated inputs reach the interesting branches.
FRAGMENTS = [
    "\n", "\n\n", " ", "Article 1. Purpose", "Article 10 bis", "[Article 18 alt. Offences: MX]", "Chapter II",
    "CHAPTER III. Procedural measures", "Cluster 3", "1.", "2 bis.", "(a)", "(c) ter", "a)", "(ii)", "[", "]", "{",
    "}", "[[", "]]", "~~", ": EU, US", ": JM*, EG", "; delete: RU", "; retain – YE", " – AU, IL", "delete par.",
    "(Russian Federation, China)", "(Frnce, Germny)", "2/77", "___", "# ", "## Article 5", "**Article 6**",
    "Footnote 1", "\ue04b\ue051\ue044", "\uf000", "NA", "HS", "UK", "CARICOM", "\t", "\r\n", "\u00a0", "é", "—",
]
TEXT = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=12)), max_size=60).map("".join)
DAMAGED = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.characters(min_codepoint=0xE000, max_codepoint=0xE0FF)),
                   max_size=80).map("".join)


@contextmanager
def no_hang(seconds: int = HANG_LIMIT_S):
    def fail(*_):
        raise AssertionError(f"no result within {seconds} s: a parser hangs")

    old = signal.signal(signal.SIGALRM, fail)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


def fuzz(strategy, n: int, check) -> int:
    """Run ``check`` on ``n`` generated inputs; return how many ran."""
    ran = []

    @settings(max_examples=n, deadline=None, derandomize=True, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
    @given(strategy)
    def inner(x):
        ran.append(1)
        check(x)

    inner()
    assert len(ran) >= n, f"only {len(ran)} of {n} inputs generated"
    return len(ran)


# ---------------------------------------------------------------- invariants


def span_text_ok(stored: str, source: str, start: int, end: int, depth: int) -> bool:
    """A span's stored text: ``source[start:end]`` down to depth 8, below that its first 100
    characters (checked without slicing the source: nested spans would make that quadratic)."""
    want = end - start if depth <= brackets.MAX_TEXT_DEPTH else min(end - start, brackets.CUT_TEXT_CHARS)
    return len(stored) == want and source.startswith(stored, start)


def text_bound(n_chars: int, n_rows: int) -> int:
    """The most text the depth rule lets ``n_rows`` rows over ``n_chars`` characters store."""
    return brackets.MAX_TEXT_DEPTH * n_chars + brackets.CUT_TEXT_CHARS * n_rows


def check_draft(draft: td.Draft, raw: str) -> None:
    """Lossless and traceable: every line once, spans inside the file and equal to its text
    (cut below depth 8), stored span text linear in the file."""
    src, _ = clean.source_from_text("x", raw)
    n_lines = len(src.line_starts)
    assert draft.lines["line"].tolist() == list(range(1, n_lines + 1))
    for row in draft.brackets.itertuples():
        assert 0 <= row.start_offset < row.end_offset <= len(raw)
        assert span_text_ok(row.text, src.text, row.start_offset, row.end_offset, row.depth)
        assert 1 <= row.line <= row.end_line <= n_lines
    for table in (draft.brackets, draft.proposals):
        stored = int(table.text.str.len().sum()) if len(table) else 0
        assert stored <= text_bound(len(raw), len(table))
    for t in (draft.articles, draft.paragraphs):
        assert ((t["start_line"] >= 1) & (t["start_line"] <= t["end_line"]) & (t["end_line"] <= n_lines)).all()
    assert (draft.diagnostics["line"].between(0, n_lines)).all()


def parse_or_typed_error(tmp_path, data: bytes, parser: str):
    f = tmp_path / "input.txt"
    f.write_bytes(data)
    try:
        draft = td.parse_file(f, parser=parser)
    except td.SourceError as exc:
        assert "input.txt" in str(exc)  # the error names the file
        return None
    check_draft(draft, data.decode("utf-8"))
    return draft


unit_lines = brackets.unit_of


def check_brackets(text: str) -> None:
    lines = unit_lines(text)
    spans, diags = brackets.find_brackets("x", text, lines)
    n_open = sum(text.count(c) for c in "[{")
    n_close = sum(text.count(c) for c in "]}")
    assert len(spans) == n_open
    closed = sum(s.is_closed for s in spans)
    unmatched = sum(d.kind == "unmatched_closer" for d in diags)
    assert closed + unmatched == n_close
    assert sum(d.kind == "unclosed_bracket" for d in diags) == n_open - closed
    by_id = {s.bracket_id: s for s in spans}
    for s in spans:
        assert 0 <= s.start_offset < s.end_offset <= len(text)
        assert span_text_ok(s.text, text, s.start_offset, s.end_offset, s.depth) and s.text[0] in "[{"
        if s.parent_id:
            p = by_id[s.parent_id]
            assert p.depth == s.depth - 1 and p.start_offset < s.start_offset and s.end_offset <= p.end_offset
        else:
            assert s.depth == 1
    assert sum(len(s.text) for s in spans) <= text_bound(len(text), len(spans))


def check_tail(text: str) -> None:
    tail = sponsors.parse_tail(text)
    assert 0 <= tail.start <= len(text)
    assert (not tail.found) == (tail.groups == ())
    for c in tail.codes:
        assert 0 <= c.offset < len(text) and c.code


def check_resolution(s: str) -> None:
    for r in (registry.resolve_code(s), registry.resolve_name(s)):
        assert r.resolution in RESOLUTIONS
        assert (r.delegation_id == "") == (r.resolution in {"doubtful", "not_a_code", "unknown"})


def check_source(raw: str) -> None:
    src, diags = clean.source_from_text("x", raw)
    assert len(src.text) == len(raw) and src.raw == raw
    assert src.line_starts[0] == 0 and all(raw[i - 1] == "\n" for i in src.line_starts[1:])
    assert all(d.line >= 0 for d in diags)


def check_bytes(data: bytes) -> None:
    try:
        text = clean.decode_bytes(data, "fuzz.bin")
    except td.SourceError as exc:
        assert exc.path == "fuzz.bin"
        return
    assert text.encode("utf-8") == data


# ---------------------------------------------------------------- fuzzing (> 10,000 inputs in total)
# 5 parsers x 80 + 2,000 + 400 + 1,500 + 2,500 + 2,500 + 2,000 = 11,300 inputs, plus the long runs;
# each test asserts that it ran its own number (`fuzz`).

N_PARSE = 80  # per parser: td.parse_file builds every table (~30 ms per input, ~100 ms with the recovery)
N_SOURCE = 2000
N_DAMAGED = 400
N_BYTES = 1500
N_BRACKETS = 2500
N_TAIL = 2500
N_REGISTRY = 2000


@pytest.mark.parametrize("parser", PARSERS)
def test_fuzz_parse_file(tmp_path, parser):
    data = st.one_of(TEXT.map(lambda s: s.encode("utf-8")), DAMAGED.map(lambda s: s.encode("utf-8")),
                     st.binary(max_size=200))
    with no_hang():
        fuzz(data, N_PARSE, lambda b: parse_or_typed_error(tmp_path, b, parser))


def test_fuzz_source_from_text():
    with no_hang():
        fuzz(TEXT, N_SOURCE, check_source)


def test_fuzz_source_from_damaged_text():
    with no_hang():
        fuzz(DAMAGED, N_DAMAGED, check_source)


def test_fuzz_decode_bytes():
    data = st.one_of(st.binary(max_size=300), TEXT.map(lambda s: s.encode("utf-8")),
                     TEXT.map(lambda s: s.encode("utf-16")))
    with no_hang():
        fuzz(data, N_BYTES, check_bytes)


def test_fuzz_find_brackets():
    with no_hang():
        fuzz(TEXT, N_BRACKETS, check_brackets)


def test_fuzz_parse_tail():
    with no_hang():
        fuzz(TEXT, N_TAIL, check_tail)


def test_fuzz_registry():
    codes = st.one_of(st.text(max_size=8), st.sampled_from(["NA", "UK", "EU", "HS", "JM*", " * NZ", "e", "II", "OP"]),
                      st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ* ", max_size=4), TEXT)
    with no_hang():
        fuzz(codes, N_REGISTRY, check_resolution)


# ---------------------------------------------------------------- long pathological runs (>= 100 KB)

LONG_MIN, LONG_MAX = 100_000, 150_000
# One notation each, repeated thousands of times: brackets, strikes, codes, colons, nesting,
# unclosed openers, stray closers, sponsor tails, alternatives, and line breaks between them.
RUN_FRAGMENTS = [
    "[", "]", "{", "}", "[[", "]]", "~~", "~", ":", ";", ",", " ", "\n", "[~~x~~ ", "[x ", "] ", "EU, ", "JM*, ",
    ": EU", "w: EU] ", "w: EU ", "(w: EU) ", "~~w: EU~~ ", "[w ", ": EU]", "delete – AU, ", "; retain – YE",
    "a: EU; ", "[a [b] ~~delete - MX~~;", "(", ")", "Article 1. X\n", "1. ", "~~[", "]~~",
]
N_LONG = 8  # long texts through find_brackets and the tail parser
N_LONG_PARSE = 2  # per parser, through td.parse_file


@st.composite
def long_runs(draw) -> str:
    """A few runs of one fragment each (up to 30,000 repetitions), LONG_MIN to LONG_MAX characters."""
    runs = draw(st.lists(st.tuples(st.sampled_from(RUN_FRAGMENTS), st.integers(1, 30_000)), min_size=1, max_size=6))
    text = "".join(f * k for f, k in runs)
    if len(text) < LONG_MIN:
        f = draw(st.sampled_from(RUN_FRAGMENTS))
        text += f * ((LONG_MIN - len(text)) // len(f) + 1)
    return text[:LONG_MAX]


@contextmanager
def counted_tail_parsing():
    """Count the characters handed to ``sponsors.parse_tail`` (its cost is linear in them)."""
    parse_tail, read = sponsors.parse_tail, [0]

    def counting(text):
        read[0] += len(text)
        return parse_tail(text)

    sponsors.parse_tail = counting
    try:
        yield read
    finally:
        sponsors.parse_tail = parse_tail


# A span's own characters go through the tail parser at most 2 * MAX_ALTERNATIVES + a few times.
TAIL_PASSES = 2 * sponsors.MAX_ALTERNATIVES + 5


def check_long(text: str) -> None:
    assert len(text) >= LONG_MIN
    check_brackets(text)
    with counted_tail_parsing() as read:
        src, _ = clean.source_from_text("x", text)
        spans, _ = brackets.find_brackets("x", src.text, unit_lines(src.text))
        proposals, positions, _ = sponsors.extract_proposals(src, spans)
    assert read[0] <= TAIL_PASSES * len(text)
    assert sum(len(p.text) for p in proposals) <= text_bound(len(text), len(proposals))
    assert all(0 <= p.offset < len(text) for p in positions)


def test_fuzz_long_runs_through_brackets_and_tails():
    with no_hang():
        fuzz(long_runs(), N_LONG, check_long)


@pytest.mark.parametrize("parser", PARSERS)
def test_fuzz_long_runs_through_parse_file(tmp_path, parser):
    with no_hang():
        fuzz(long_runs().map(lambda s: s.encode("utf-8")), N_LONG_PARSE,
             lambda b: parse_or_typed_error(tmp_path, b, parser))


# ---------------------------------------------------------------- named hostile inputs

_rng = random.Random(7)
PRIVATE_USE = "".join(chr(_rng.randrange(0xE000, 0xF900)) for _ in range(10_000))

HOSTILE_FILES = {
    "utf16-le-no-bom": "Article 1. Purpose\n1. Text\n".encode("utf-16-le"),
    "utf16-be-no-bom": "Article 1. Purpose\n1. Text\n".encode("utf-16-be"),
    "utf8-bom": "\ufeffArticle 1. Purpose\n".encode("utf-8"),
    "nul-late-in-file": b"Article 1. Purpose\n" * 1000 + b"\x00",
    "random-private-use": ("Article 1. Purpose\n" + PRIVATE_USE + "\n").encode("utf-8"),
    "private-use-lines": "\n".join(PRIVATE_USE[i:i + 80] for i in range(0, 10_000, 80)).encode("utf-8"),
    "10k-unclosed-openers": ("Article 1. Open\n\n1. " + "[x " * 10_000 + "\n").encode("utf-8"),
    "10k-unmatched-closers": ("Article 1. Close\n\n1. " + "] " * 10_000 + "\n").encode("utf-8"),
    "10k-sibling-tails": ("Article 1. Tails\n\n1. " + "[word: EU, US] " * 10_000 + "\n").encode("utf-8"),
    "cr-only-line-ends": ("Article 1. Purpose\r1. [text: EU]\r" * 2000).encode("utf-8"),
    "strike-markers": ("Article 1. Struck\n\n1. " + "~~[a" * 5000 + "\n").encode("utf-8"),
    "50k-headings": ("Article 1. X\n" * 50_000).encode("utf-8"),
    # the patterns of the quadratic-bracket issue, ~100 KB each
    "15k-struck-unclosed": ("Article 1. Struck\n\n1. " + "[~~x~~ " * 15_000 + "\n").encode("utf-8"),
    "35k-unclosed-openers": ("Article 1. Open\n\n1. " + "[x " * 35_000 + "\n").encode("utf-8"),
    "20k-nested-tails": ("Article 1. Nest\n\n1. " + "[w " * 10_000 + "x" + ": EU]" * 10_000 + "\n").encode("utf-8"),
    "control-characters": ("".join(chr(c) for c in range(1, 32)) * 500).encode("utf-8"),
}


# A parser known to hang on a hostile file is listed here with the reason (an expected
# failure, reported, not hidden).  Empty: the one this list once held, the UK-submission
# segmenter's quadratic heading inference (50,000 headings: over a minute), was fixed
# (now about 2 s) and "50k-headings" runs like every other case.
KNOWN_HANGS: dict[tuple[str, str], str] = {}  # (hostile file, parser) -> reason; empty: nothing known to hang


def _hostile_cases():
    for name in sorted(HOSTILE_FILES):
        for parser in PARSERS:
            why = KNOWN_HANGS.get((name, parser))
            marks = [pytest.mark.xfail(run=False, strict=True, reason=why)] if why else []
            yield pytest.param(name, parser, marks=marks, id=f"{name}-{parser}")


@pytest.mark.parametrize(("name", "parser"), list(_hostile_cases()))
def test_hostile_file(tmp_path, name, parser):
    with no_hang():
        draft = parse_or_typed_error(tmp_path, HOSTILE_FILES[name], parser)
    if draft is not None and name.startswith(("10k-un", "35k-un")):
        assert len(draft.diagnostics) >= 1  # reported, not skipped


@pytest.mark.parametrize("parser", ["utf16-le-no-bom", "utf16-be-no-bom", "utf8-bom", "nul-late-in-file"])
def test_hostile_encodings_are_typed_errors(tmp_path, parser):
    f = tmp_path / "bad.txt"
    f.write_bytes(HOSTILE_FILES[parser])
    with pytest.raises(td.SourceError, match=r"bad\.txt:\d+"):
        td.parse_file(f)


TEN_MB = ("[and without right: EU, US] word " * 330_000)[:10_000_000]
DEEP = "[" * 10_000 + "x: EU" + "]" * 10_000
HOSTILE_STRINGS = {
    "empty": "",
    "10MB-line": TEN_MB,
    "10k-deep-brackets": DEEP,
    "random-private-use": PRIVATE_USE,
    "control-characters": "".join(chr(c) for c in range(32)) * 100,
    "colons": ":" * 100_000,
    "codes": ", ".join(["EU"] * 50_000),
    "100k-unclosed-openers": "[x " * 100_000,  # 300 KB: ran out of memory at 5.7 GB
    "20k-struck-spans": "[~~x~~ " * 20_000,  # 88 s
    "50k-stray-closers": "w: EU] " * 50_000,
    "30k-nested": "[" * 30_000 + "x: EU" + "]" * 30_000,
}


@pytest.mark.parametrize("name", sorted(HOSTILE_STRINGS))
def test_hostile_strings_through_every_entry_point(name):
    s = HOSTILE_STRINGS[name]
    with no_hang():
        check_source(s)
        check_tail(s)
        check_resolution(s)
        if len(s) <= 1_000_000:  # long lines go through find_brackets in test_clean (2 MB) and bench_linear (10 MB)
            check_brackets(s)
        check_bytes(s.encode("utf-8"))
        check_bytes(s.encode("utf-16"))
