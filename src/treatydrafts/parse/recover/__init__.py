"""Recover delegation names from the damaged lists of ``ahc6-amended-draft``.

Each step is a module of its own:

1. **Loss model** (:mod:`.loss`): which characters survived, measured by
   aligning amendment-free lines with the Chair's draft (the *base*).
2. **Model text** (:mod:`.stream`): the content lines joined, the extractor's
   inserted spaces dropped and kept as evidence of lost characters.
3. **Prose model** (:mod:`.prose`): a character n-gram model of the base's
   English passed through the loss model (the alternative to "a name").
4. **Base alignment** (:mod:`.align`): stretches aligned to the base are prose.
5. **Segmentation** (:mod:`.reader`): prose / names / labels / unknown items,
   the chunks of the document in batched Viterbi passes (one batch's lattice
   held at a time); names scored by the name model (:mod:`.names`).
6. **Joint evidence** (:mod:`.evidence`): frequency, the EU convention,
   co-occurrence, order, repeats → posterior over delegations.
7. **Calibration** (:mod:`.calibrate`): probability that the reading is right,
   fitted on the development half of the hand-judged validation set; below
   :data:`ACCEPT` the reading abstains (no id, candidates listed).
8. **Driver and extraction** (:mod:`.document`, :mod:`.extract`): readings,
   stances, proposals and positions.

The base is passed in by the caller (:mod:`treatydrafts.corpus`); nothing here
fetches a document.  The synthetic benchmark and the validation are in
:mod:`treatydrafts.analysis.recovery`.
"""
from __future__ import annotations

from .calibrate import ACCEPT, CALIBRATION, Calibration
from .document import LABELS, Reading, read_document, read_texts
from .extract import STAGE, extract_proposals
from .loss import LossModel, measure_loss
from .names import Inventory, build_inventory, forward_batch

__all__ = ["ACCEPT", "CALIBRATION", "Calibration", "Inventory", "LABELS", "LossModel", "Reading", "STAGE",
           "build_inventory", "extract_proposals", "forward_batch", "measure_loss", "read_document", "read_texts"]
