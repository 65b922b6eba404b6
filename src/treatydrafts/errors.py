"""Typed errors.  Every error names the file (and line, where there is one)."""
from __future__ import annotations


class TreatyDraftsError(Exception):
    """Base class for every error this package raises on purpose."""


class UnknownDocumentError(TreatyDraftsError, KeyError):
    """A document id that is not in the catalogue."""

    def __init__(self, doc_id: str, valid: list[str]):
        self.doc_id = doc_id
        self.valid = list(valid)
        super().__init__(f"unknown document id {doc_id!r}; valid ids are: {', '.join(self.valid)}")

    def __str__(self) -> str:  # KeyError would otherwise repr() the message
        return self.args[0]


class SourceError(TreatyDraftsError, ValueError):
    """A source file that cannot be read as a draft."""

    def __init__(self, path: str, message: str, line: int | None = None):
        self.path = str(path)
        self.line = line
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")


class EmptySourceError(SourceError):
    """The file has no content (or only whitespace)."""


class BinarySourceError(SourceError):
    """The file holds NUL bytes or other binary content."""


class EncodingSourceError(SourceError):
    """The file is not valid UTF-8."""


class SourceTooLargeError(SourceError):
    """The file is over the size limit (:data:`treatydrafts.clean.MAX_SOURCE_BYTES`, 50 MB);
    refused before it is read or parsed."""


class ChecksumError(SourceError):
    """The vendored file does not match the SHA-256 in the catalogue."""


class SchemaError(TreatyDraftsError, ValueError):
    """A table does not match its definition in :mod:`treatydrafts.schema`."""
