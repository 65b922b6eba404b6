"""treatydrafts: UN cybercrime convention negotiation drafts as traceable data.

>>> import treatydrafts as td
>>> td.documents()                 # the catalogue
>>> d = td.load("ahc4-cnd")        # one parsed draft
>>> d.articles, d.paragraphs, d.brackets, d.proposals, d.positions, d.diagnostics
>>> td.load_all()                  # every document, tables concatenated
>>> td.delegations()               # the delegation registry
"""
from .corpus import (Corpus, Draft, delegations, documents, load, load_all, load_each, parse_file, parsed, segmented,
                     source)
from .errors import (BinarySourceError, BuildInterruptedError, BuildLockedError, ChecksumError, EmptySourceError,
                     EncodingSourceError, LineNumberError, OutputPathError, OutputWriteError, SchemaError, SourceError,
                     SourceNotFoundError, SourceTooLargeError, TreatyDraftsError, UnknownDocumentError)

__version__ = "0.1.0"

__all__ = [
    "Corpus", "Draft", "documents", "load_each", "load", "load_all", "delegations", "parse_file", "parsed", "segmented", "source",
    "TreatyDraftsError", "UnknownDocumentError", "SourceError", "EmptySourceError", "BinarySourceError",
    "EncodingSourceError", "ChecksumError", "SourceNotFoundError", "SourceTooLargeError", "LineNumberError", "SchemaError",
    "OutputPathError", "OutputWriteError", "BuildLockedError", "BuildInterruptedError", "__version__",
]
