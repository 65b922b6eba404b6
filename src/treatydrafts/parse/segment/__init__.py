"""Segment stage: one module per document family; :data:`SEGMENTERS` names them.

``SEGMENTERS[parser](source) -> Segmentation`` (chapters, articles,
paragraphs, a role for every line, diagnostics); ``parser`` is the
``parser`` column of ``seeds/catalog.csv``.
"""
from __future__ import annotations

from typing import Callable

from ...models import Segmentation, Source
from . import amended_draft, cnd, plain, uk_submission

SEGMENTERS: dict[str, Callable[[Source], Segmentation]] = {
    "cnd": cnd.segment,
    "expert": plain.segment_expert,
    "chair_draft": plain.segment_chair_draft,
    "uk_submission": uk_submission.segment,
    "amended_draft": amended_draft.segment,
}
