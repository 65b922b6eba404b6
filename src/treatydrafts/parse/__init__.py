"""The parse layer: source text → stage dataclasses → validated draft tables.

Stages, each a module of pure functions (verbs) producing frozen dataclasses
from :mod:`treatydrafts.models`:

``clean`` → ``decode`` → ``segment/`` → ``brackets`` → ``sponsors`` (CND) |
``recover/`` (damaged 6th-session draft), with ``registry`` resolving codes
and names; :mod:`.pipeline` runs them, :mod:`.frames` builds the tables.

This layer imports only the leaves (models, errors, paths, schema, catalog,
vocab); whatever a stage needs from another document is passed in.
"""
