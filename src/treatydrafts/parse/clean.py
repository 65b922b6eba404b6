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

from .. import catalog, paths
from ..errors import (BinarySourceError, ChecksumError, EmptySourceError, EncodingSourceError, SourceError,
                      SourceNotFoundError, SourceTooLargeError)
from ..models import Diagnostic, Source
from .decode import decode_private_use

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
        utf16 = utf16_without_bom(data)
        if utf16:
            raise EncodingSourceError(path, f"file looks like {utf16} without a byte-order mark "
                                            "(NUL bytes in every other byte); convert it to UTF-8", line=1)
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


def utf16_without_bom(data: bytes) -> str | None:
    """``"UTF-16-LE"``/``"UTF-16-BE"`` when ``data`` reads as UTF-16 text without a byte-order
    mark, else None.  Judged on the first 64 KB: NUL bytes only in the high byte of code units
    and in at least a tenth of them (the spaces, digits and line ends of any script), and the
    decoded text printable (a binary file with NULs fails one of the three)."""
    head = data[:1 << 16]
    head = head[:len(head) - len(head) % 2]
    units = len(head) // 2
    if not units:
        return None
    for enc, high in (("UTF-16-LE", 1), ("UTF-16-BE", 0)):
        if head[1 - high::2].count(0) or head[high::2].count(0) < units / 10:
            continue
        text = head.decode(enc.lower(), errors="replace")
        printable = sum(c.isprintable() or c in "\t\n\r\f" for c in text)
        if "\ufffd" not in text[:-1] and printable >= 0.95 * len(text):
            return enc
    return None


def _read_bytes(path: Path, shown: str, missing: str) -> bytes:
    """The bytes of ``path`` (shown as ``shown``), refused unread when over the size guard."""
    try:
        check_size(path.stat().st_size, shown)  # before reading a byte of it
        return path.read_bytes()
    except FileNotFoundError:
        raise SourceNotFoundError(shown, missing) from None
    except OSError as exc:
        raise SourceError(shown, f"cannot read the file: {exc.strerror or exc}") from None


def source_from_text(doc_id: str, raw: str, path: str = "<memory>") -> tuple[Source, list[Diagnostic]]:
    """Build a :class:`Source` from already-read text (decoding private-use glyphs)."""
    if 4 * len(raw) > MAX_SOURCE_BYTES:  # a character is at most 4 bytes in UTF-8: shorter texts pass unmeasured
        check_size(len(raw) if raw.isascii() else len(raw.encode("utf-8", "surrogatepass")), path)
    diagnostics: list[Diagnostic] = []
    text = raw
    if PRIVATE_USE_RE.search(raw):
        text, diags = decode_private_use(raw, doc_id)
        diagnostics.extend(diags)
        assert len(text) == len(raw), "decoding must preserve length"
    return Source(doc_id=doc_id, path=path, raw=raw, text=text, line_starts=line_starts(raw)), diagnostics


def read_path(path: Path | str, doc_id: str = "external") -> tuple[Source, list[Diagnostic]]:
    """Read any file as a draft (used for the vendored seeds and for outside files)."""
    path = Path(path)
    shown = _display_path(path)
    data = _read_bytes(path, shown, "file not found")
    return source_from_text(doc_id, decode_bytes(data, shown), shown)


def read_source(doc_id: str, verify: bool = True) -> tuple[Source, list[Diagnostic]]:
    """Read the vendored source of ``doc_id`` (checked against its SHA-256)."""
    row = catalog.entry(doc_id)
    path = paths.SEEDS / row["file"]
    data = _read_bytes(path, _display_path(path), f"file not found (the source of {doc_id} in seeds/catalog.csv); "
                                                  "restore it, e.g. `git checkout -- seeds/`")
    if verify and hashlib.sha256(data).hexdigest() != row["sha256"]:
        raise ChecksumError(_display_path(path), "SHA-256 differs from seeds/catalog.csv; the vendored file was changed")
    shown = _display_path(path)
    return source_from_text(doc_id, decode_bytes(data, shown), shown)


def _display_path(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(paths.ROOT))
    except ValueError:
        return str(path)
