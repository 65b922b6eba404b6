"""Typed errors.  Every error names the file (and line, where there is one), or the output
path it refused or could not write."""
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
    """The file is over the size limit (:data:`treatydrafts.parse.clean.MAX_SOURCE_BYTES`, 50 MB);
    refused before it is read or parsed."""


class ChecksumError(SourceError):
    """The vendored file does not match the SHA-256 in the catalogue."""


class SourceNotFoundError(SourceError, FileNotFoundError):
    """A source file (a vendored seed, the catalogue, a file given to ``parse_file``) is missing.
    Also a :class:`FileNotFoundError`, so code catching that keeps working."""


class LineNumberError(TreatyDraftsError, IndexError):
    """A line number outside ``1..n_lines`` of a document (also an :class:`IndexError`)."""

    def __init__(self, doc_id: str, line: int, n_lines: int):
        self.doc_id, self.line, self.n_lines = doc_id, line, n_lines
        super().__init__(f"{doc_id} has no line {line}: its lines are numbered 1..{n_lines}")


class OutputPathError(TreatyDraftsError, ValueError):
    """An output path the build refuses to write: a symlink, not a regular file or folder, or
    outside the output folders.  Raised before anything is written."""

    def __init__(self, path, message: str):
        self.path = str(path)
        super().__init__(f"refusing to write {self.path}: {message}")


class OutputWriteError(TreatyDraftsError, OSError):
    """An output could not be written (read-only folder, full disk, …).  The file keeps its
    previous bytes (or stays absent): writes go through a temporary file that is removed.
    Also an :class:`OSError` with the original ``errno``."""

    def __init__(self, path, cause: OSError):
        super().__init__(cause.errno, cause.strerror or str(cause))
        self.path = str(path)
        self.filename = self.path

    def __str__(self) -> str:
        return f"cannot write {self.path}: [Errno {self.errno}] {self.strerror}"


class BuildLockedError(TreatyDraftsError):
    """Another build holds the lock of an output folder (and this one was told not to wait)."""


class BuildInterruptedError(TreatyDraftsError):
    """The build stopped on a signal (Ctrl-C, SIGTERM): workers stopped, no partial file left."""

    def __init__(self, signum: int, signame: str):
        self.signum, self.signame = signum, signame
        super().__init__(f"build interrupted ({signame}): workers stopped; finished outputs are whole, "
                         f"the rest is rebuilt by the next `treatydrafts build`")


class SchemaError(TreatyDraftsError, ValueError):
    """A table does not match its definition in :mod:`treatydrafts.schema`."""
