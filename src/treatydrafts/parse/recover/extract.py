"""Extraction: every damaged name list of the document as proposals and positions.

:func:`.document.read_document` reads every name and stance label of the
damaged draft; each list (a run of names and labels) becomes a
:class:`~treatydrafts.models.Proposal` and each name a
:class:`~treatydrafts.models.Position` with its stance, calibrated confidence,
candidates and the damaged source string.  A name whose confidence is below
the calibrated threshold (:data:`.calibrate.ACCEPT`) is ``ambiguous``: no
``delegation_id``, candidates listed.  Unknown items inside a list are
positions with resolution ``unknown`` and an ``unrecovered_token``
diagnostic.
"""
from __future__ import annotations

from ...models import Diagnostic, Position, Proposal, Segmentation, Source
from .document import Reading, read_document

STAGE = "recover"

_KIND = {"sponsor": "insert", "delete": "delete", "retain": "position", "retain_original": "position",
         "keep": "position", "against": "position", "alt": "replace"}
WORDING_CHARS = 200  # the proposed wording kept for a proposal: at most this much text before its list


def _candidates(r: Reading) -> str:
    return "|".join(f"{d}:{p:.2f}" for d, p in r.candidates)


def extract_proposals(source: Source, segmentation: Segmentation, base: tuple[Source, Segmentation] | None,
                      ) -> tuple[list[Proposal], list[Position], list[Diagnostic]]:
    """Proposals and positions of a damaged draft (``ahc6-amended-draft``) from its name lists.

    ``base``: the clean draft it amends (source and segmentation of the Chair's draft): the loss
    model is measured against it, its text trains the prose model and is aligned to the damaged
    text.  Without it nothing can be read, which is reported as a ``recover_unavailable``
    diagnostic."""
    doc_id = source.doc_id
    if base is None:
        return [], [], [Diagnostic(doc_id, 0, "recover_unavailable",
                                   "no base draft given to measure the loss model against", STAGE)]
    readings = read_document(source, segmentation, base)
    return proposals_from_readings(source, readings)


def proposals_from_readings(source: Source, readings: list[Reading]
                            ) -> tuple[list[Proposal], list[Position], list[Diagnostic]]:
    """One proposal per list holding at least one name; one position per name (see the module
    docstring)."""
    doc_id = source.doc_id
    by_list: dict[int, list[Reading]] = {}
    for r in readings:
        by_list.setdefault(r.list_no, []).append(r)
    proposals: list[Proposal] = []
    positions: list[Position] = []
    diags: list[Diagnostic] = []
    text = source.text
    k = 0
    prev_end = 0
    for list_no in sorted(by_list):
        items = by_list[list_no]
        names = [r for r in items if r.kind in ("name", "unknown")]
        if not any(r.kind == "name" for r in names):
            prev_end = items[-1].end_offset
            continue
        k += 1
        pid = f"{doc_id}:R{k:04d}"
        start, end = items[0].start_offset, items[-1].end_offset
        w0 = max(prev_end, start - WORDING_CHARS)
        wording = " ".join(text[w0:start].split()).strip(" ([")
        groups: dict[str, list[str]] = {}
        for r in names:
            groups.setdefault(r.stance, []).append(r.delegation_id or f"?{r.damaged.strip()}")
        sponsors = "; ".join(f"{s}: {', '.join(v)}" if s != "sponsor" else ", ".join(v) for s, v in groups.items())
        first_stance = next(r.stance for r in names)
        claimed = [r.confidence for r in names if r.kind == "name"]
        conf = sum(claimed) / len(claimed)
        proposals.append(Proposal(doc_id, pid, 0, source.line_of(start), start, end, wording,
                                  _KIND.get(first_stance, "other"), sponsors, text[start:end], False, round(conf, 4)))
        for r in names:
            damaged = text[r.start_offset:r.end_offset].replace("\n", " ")
            line = source.line_of(r.start_offset)
            if r.kind == "unknown":
                diags.append(Diagnostic(doc_id, line, "unrecovered_token", f"{damaged!r} fits no delegation name", STAGE))
                positions.append(Position(doc_id, pid, line, r.start_offset, damaged, "", r.stance, "unknown", 0.0,
                                          damaged, ""))
                continue
            resolution = "recovered" if r.delegation_id else "ambiguous"
            positions.append(Position(doc_id, pid, line, r.start_offset, r.form, r.delegation_id, r.stance, resolution,
                                      round(r.confidence, 4), damaged, _candidates(r)))
        prev_end = end
    return proposals, positions, diags
