"""Stage 1, clean: read a source file byte-exactly, refuse bad input with a
typed error, and decode glyph-encoded text (length-preserving).

Nothing is stripped or rewritten here: later stages work on ``Source.text``
and report offsets that are valid in the file as read.

Size guard: a source over :data:`MAX_SOURCE_BYTES` (50 MB, 50,000,000 bytes;
the largest real draft is under 0.5 MB) is refused with a
:class:`~treatydrafts.errors.SourceTooLargeError` naming the file, before it is
read or parsed.  Every stage after this one is linear in time and memory in the
length of the text (each module states its bound), so the guard caps the cost
of any one source; a 10 MB single line parses in seconds with every parser.
Cost here: O(n) (one pass each for the checks, decoding and line starts).
"""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

from . import catalog, paths
from .errors import BinarySourceError, ChecksumError, EmptySourceError, EncodingSourceError, SourceTooLargeError
from .models import Diagnostic, Source

# Largest source accepted, in bytes (50 MB); larger files raise SourceTooLargeError unread.
MAX_SOURCE_BYTES = 50_000_000

# Any private-use code point, e.g. "\ue04b" in the 6th-session file's body text
PRIVATE_USE_RE = re.compile("[\ue000-\uf8ff]")


def line_starts(text: str) -> tuple[int, ...]:
    """Offsets at which each line starts (a final newline opens no new line)."""
    starts = [0]
    find = text.find
    i = find("\n")
    while i != -1:
        if i + 1 < len(text):
            starts.append(i + 1)
        i = find("\n", i + 1)
    return tuple(starts)


def check_size(n_bytes: int, path: str) -> None:
    """Refuse a source of ``n_bytes`` over :data:`MAX_SOURCE_BYTES` (typed error naming the file)."""
    if n_bytes > MAX_SOURCE_BYTES:
        raise SourceTooLargeError(
            path, f"file is {n_bytes:,} bytes, over the {MAX_SOURCE_BYTES:,}-byte (50 MB) limit for one source; "
                  "split it into smaller files")


def decode_bytes(data: bytes, path: str) -> str:
    """Bytes → str, or a typed error naming the file and line."""
    check_size(len(data), path)
    if not data.strip():
        raise EmptySourceError(path, "file is empty (no text to parse)")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise EncodingSourceError(path, "file is UTF-16 (byte-order mark found); convert it to UTF-8", line=1)
    nul = data.find(b"\x00")
    if nul != -1:
        line = data.count(b"\n", 0, nul) + 1
        raise BinarySourceError(path, f"binary content (NUL byte at byte {nul})", line=line)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise EncodingSourceError(
            path, f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at byte {exc.start})", line=line
        ) from None
    if text.startswith("\ufeff"):
        # A UTF-8 BOM is legal but would shift offsets silently: refuse it loudly.
        raise EncodingSourceError(path, "UTF-8 byte-order mark at start of file; remove it", line=1)
    return text


def source_from_text(doc_id: str, raw: str, path: str = "<memory>") -> tuple[Source, list[Diagnostic]]:
    """Build a :class:`Source` from already-read text (decoding private-use glyphs)."""
    if len(raw) > MAX_SOURCE_BYTES:  # more characters than the limit: more bytes too
        check_size(len(raw.encode("utf-8", "surrogatepass")), path)
    diagnostics: list[Diagnostic] = []
    text = raw
    if PRIVATE_USE_RE.search(raw):
        from .decode import decode_private_use

        text, diags = decode_private_use(raw, doc_id)
        diagnostics.extend(diags)
        assert len(text) == len(raw), "decoding must preserve length"
    return Source(doc_id=doc_id, path=path, raw=raw, text=text, line_starts=line_starts(raw)), diagnostics


def read_path(path: Path | str, doc_id: str = "external") -> tuple[Source, list[Diagnostic]]:
    """Read any file as a draft (used for the vendored seeds and for outside files)."""
    path = Path(path)
    shown = _display_path(path)
    check_size(path.stat().st_size, shown)  # before reading a byte of it
    data = path.read_bytes()
    return source_from_text(doc_id, decode_bytes(data, shown), shown)


def read_source(doc_id: str, verify: bool = True) -> tuple[Source, list[Diagnostic]]:
    """Read the vendored source of ``doc_id`` (checked against its SHA-256)."""
    row = catalog.entry(doc_id)
    path = paths.SEEDS / row["file"]
    check_size(path.stat().st_size, _display_path(path))
    data = path.read_bytes()
    if verify and hashlib.sha256(data).hexdigest() != row["sha256"]:
        raise ChecksumError(_display_path(path), "SHA-256 differs from seeds/catalog.csv; the vendored file was changed")
    shown = _display_path(path)
    return source_from_text(doc_id, decode_bytes(data, shown), shown)


def _display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(paths.ROOT))
    except ValueError:
        return str(path)
