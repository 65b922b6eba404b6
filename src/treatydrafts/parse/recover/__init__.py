"""Recover delegation names from the damaged lists of ``ahc6-amended-draft``.

Three steps, each a pure function in a module of its own:

1. **Loss model** (:mod:`.loss`): which characters survived, measured by
   aligning amendment-free lines with the Chair's draft.
2. **List segmentation** (:mod:`.names`): a damaged span read as a list of
   registry name forms and group labels by a sparse hidden-Markov model, with
   a posterior over delegations for every name (below :data:`ACCEPT`: no id,
   candidates listed).
3. **Extraction** (:mod:`.extract`): every span between ``( ) [ ] }`` of the
   document's content lines read in one batch; spans with names become
   proposals and positions.

The Chair's draft that the damaged draft amends (its *base*) is passed in by
the caller (:mod:`treatydrafts.corpus`); nothing here fetches a document.
The synthetic benchmark is in :mod:`treatydrafts.analysis.recovery`.
"""
from __future__ import annotations

from .extract import STAGE, extract_proposals
from .loss import LossModel, measure_loss
from .names import ACCEPT, DOCUMENT_PRIOR, Inventory, Item, inventory_for, recover_list, recover_lists

__all__ = ["ACCEPT", "DOCUMENT_PRIOR", "STAGE", "Inventory", "Item", "LossModel", "extract_proposals",
           "inventory_for", "measure_loss", "recover_list", "recover_lists"]
