"""Read every delegation name of a damaged draft: the recovery's driver.

:func:`read_document` runs, in order: the model text (:mod:`.stream`), the
damaged-prose model trained on the base (:mod:`.prose`), the alignment to
the base (:mod:`.align`), the segmentation into prose / names / labels
(:mod:`.reader`), the reading of each name (posterior over delegations,
:mod:`.names`, with the document's joint evidence, :mod:`.evidence`), the
stances (:func:`assign_stances`) and the calibrated confidence
(:mod:`.calibrate`).  The result is one :class:`Reading` per name and per
label, with its source span.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from ...models import Segmentation, Source
from . import align, calibrate, evidence, prose, reader
from .loss import LossModel, chair_articles, loss_model_for
from .names import Inventory, build_inventory, document_name_forms, norm_text
from .stream import ModelStream, model_stream

# Stance labels: written form (with its colon) -> stance.  "keep original" is "retain original".
LABEL_WORDS = (("delete", "delete"), ("retain", "retain"), ("retain original", "retain_original"),
               ("keep original", "retain_original"), ("keep", "keep"), ("against", "against"), ("alt", "alt"),
               ("delete paragraph", "delete"), ("delete article", "delete"), ("keep article", "keep"))
LABELS = {f"{w}:": s for w, s in LABEL_WORDS} | {f"{w[0].upper()}{w[1:]}:": s for w, s in LABEL_WORDS}
MIN_LABEL_LETTERS = 3  # without its colon, a label needs this many surviving letters to set a stance
MAX_FORM_LEN = 36  # longer registry forms (official long names) are not written in the document
# Registry forms this document does not write: colloquial or former names and abbreviations other
# documents use, and official long forms it shortens (it writes UN short names and its own forms:
# "United States", "UK", "Rep. of Korea", "Dem. People's Rep. of Korea", "EU & its mS" ...).  The
# reader would otherwise find them in prose ("this Convention" read as "Swiss Confederation").
EXCLUDED_FORMS = frozenset({
    "Swiss Confederation", "Great Britain", "Ivory Coast", "Burma", "East Timor", "Swaziland", "Congo-Brazzaville",
    "North Korea", "South Korea", "Laos", "Lao PDR", "Kingdom of Saudi Arabia", "Kingdom of the Netherlands",
    "Islamic Republic of Iran", "Federated States of Micronesia", "DR Congo", "DRC", "D.P.R.K.", "U.S.A.",
    "U.S.", "U.K.", "Vatican", "United States of America", "Republic of North Macedonia", "St Vincent and the Grenadines",
    "St. Vincent and the Grenadines", "St Kitts and Nevis", "St. Kitts and Nevis", "St Lucia", "St. Lucia",
    "Democratic Republic of the Congo", "Lao People's Democratic Republic", "European Union and its member States",
    "Cote d'Ivoire", "Sao Tome and Principe"})


@dataclass(frozen=True)
class Reading:
    """One name or label read from the damaged text."""

    kind: str  # name / label / unknown (an item of a list that fits no name)
    start: int  # model-text offsets (end exclusive)
    end: int
    start_offset: int  # source offsets (end exclusive)
    end_offset: int
    damaged: str  # the model text read (inserted spaces dropped)
    form: str  # best name form / label form
    delegation_id: str  # "" when the reading abstains (or for labels)
    confidence: float  # calibrated probability that the top candidate is right
    candidates: tuple[tuple[str, float], ...]  # (delegation_id, posterior among delegations)
    stance: str
    list_no: int  # 1.. per list (a run of items between prose, in document order)
    features: tuple[tuple[str, float], ...] = ()


def document_forms() -> dict[str, str]:
    """Registry name forms the damaged draft can contain: no parentheses or commas (chunks are cut
    at delimiters; commas separate names) and not longer than :data:`MAX_FORM_LEN`."""
    return {f: d for f, d in document_name_forms().items() if not any(c in f for c in "(),")
            and len(f) <= MAX_FORM_LEN and norm_text(f) not in EXCLUDED_FORMS}


_INV: dict[int, tuple[LossModel, Inventory]] = {}


def inventory(loss: LossModel) -> Inventory:
    """Name forms and labels scored with ``loss`` (cached per loss model)."""
    hit = _INV.get(id(loss))
    if hit is None or hit[0] is not loss:
        hit = (loss, build_inventory(document_forms(), loss, labels=LABELS, label_weight=evidence.LABEL_WEIGHT))
        _INV[id(loss)] = hit
    return hit[1]


def aligned_to_base(ms: ModelStream, seg: Segmentation, base: tuple[Source, Segmentation]) -> np.ndarray:
    """Mask of model characters aligned to the same article of the base (:func:`align.aligned_mask`)."""
    arts = {k: prose.normalise(v) for k, v in chair_articles(*base).items()}
    by_seq = {a.article_seq: a for a in seg.articles}
    mask = np.zeros(len(ms.text), dtype=bool)
    seqs = ms.article_seq
    if not len(seqs):
        return mask
    bounds = np.flatnonzero(np.diff(seqs)) + 1
    for a, b in zip(np.concatenate([[0], bounds]).tolist(), np.concatenate([bounds, [len(seqs)]]).tolist()):
        art = by_seq.get(int(seqs[a]))
        if art is None or art.is_proposed or art.article_num not in arts:
            continue
        mask[a:b] = align.aligned_mask(ms.text[a:b], arts[art.article_num])
    return mask


def heading_prose(ms: ModelStream, source: Source, seg: Segmentation) -> np.ndarray:
    """Mask of the ``Article <label>.`` words opening every article heading line (intact text)."""
    mask = np.zeros(len(ms.text), dtype=bool)
    heads = {a.heading_line for a in seg.articles}
    starts = {source.line_starts[h - 1]: h for h in heads}
    for i in np.flatnonzero(np.isin(ms.offset, list(starts))):
        j = ms.text.find(".", int(i), int(i) + 40)
        if ms.text.startswith("Article", int(i)) and j > 0:
            mask[int(i):j + 1] = True
    return mask


MAX_WORDING = 200  # a label passes its stance over at most this much wording to the list after it
MIN_BREAK = 12  # prose this long after names read under a label ends the label's reach
SOLID_NAME = 0.9  # a name counts as read (for the reach of a label) from this posterior


def assign_stances(events: list[tuple[str, str, int]]) -> list[str]:
    """The stance of every event, from the sequence of ``(kind, value, length)`` events in text
    order: ``("label", stance, n)``, ``("name", "", n)``, ``("prose", "", n)`` and
    ``("cut", delimiter, 0)`` (``=`` for aligned base text).

    A label sets the stance of the names after it.  Once names were read under it, the stance
    ends at the next label, at prose (:data:`MIN_BREAK` characters), at any cut but ``(`` ``[``
    (any item read under the label, even a doubtful one, lets a closing ``)`` ``]`` ``}`` end it):
    the next list is a sponsor list.  A label followed by wording (``alt: wording (names)``) passes its stance on to the
    next names if the wording is short (:data:`MAX_WORDING`) and no base text intervenes."""
    out = []
    stance, named, items, wording = "sponsor", False, False, 0
    for kind, value, n in events:
        if kind == "label":
            stance, named, items, wording = value, False, False, 0
        elif kind == "name":
            named = items = True
        elif kind in ("weak", "unknown"):  # a doubtful name or an unknown item: the label's group goes on
            items = True
        elif kind == "prose":
            if named and n >= MIN_BREAK:
                stance, named, items = "sponsor", False, False
            else:
                wording += n
                if wording > MAX_WORDING:
                    stance = "sponsor"
        elif kind == "cut":
            if value == "=" or (items and value not in "(["):
                stance, named, items, wording = "sponsor", False, False, 0
        out.append(stance)
    return out


_PROSE: dict[tuple, prose.ProseModel] = {}


def prose_model_for(base_text: str, loss: LossModel) -> prose.ProseModel:
    """:func:`prose.train_prose_model` on the base text, cached per base text and loss model."""
    key = (hash(base_text), id(loss))
    hit = _PROSE.get(key)
    if hit is None:
        hit = _PROSE[key] = prose.train_prose_model([base_text], loss)
    return hit


def read_document(source: Source, seg: Segmentation, base: tuple[Source, Segmentation],
                  params: reader.Params = reader.Params(), calibration: calibrate.Calibration | None = None,
                  evidence_params: evidence.EvidenceParams = evidence.EvidenceParams()) -> list[Reading]:
    """Every name, label and unknown list item of the damaged ``source`` (see the module docstring)."""
    loss = loss_model_for(source, seg, *base)
    ms = model_stream(source, seg)
    fixed = aligned_to_base(ms, seg, base) | heading_prose(ms, source, seg)
    lm = prose_model_for(base[0].text, loss).logprob(ms.text, ~fixed)  # aligned text is never scored
    return _read(ms, lm, fixed, loss, params, calibration, evidence_params)


# joins independent texts in read_texts: a cut that is neither a bracket nor an aligned stretch
_JOIN = "\x00"


def read_texts(texts: list[str], list_open: list[bool], loss: LossModel, base_text: str,
               params: reader.Params = reader.Params(), calibration: calibrate.Calibration | None = None,
               evidence_params: evidence.EvidenceParams = evidence.EvidenceParams()) -> list[list[Reading]]:
    """Read independent damaged texts (synthetic lists, examples) as :func:`read_document` reads the
    document, all in one batch: ``list_open[i]`` means text ``i`` follows a ``(`` (and is closed by
    ``)``).  No inserted spaces, no base alignment; the prose model is trained on ``base_text``.
    Returns the readings of each text, offsets relative to that text."""
    parts, starts = [], []
    pos = 0
    for t, o in zip(texts, list_open):
        t = prose.SPACES_RE.sub(" ", norm_text(t))
        head, tail = ("(", ")") if o else (_JOIN, _JOIN)
        parts.append(head)
        starts.append(pos + 1)
        parts.append(t)
        parts.append(tail)
        pos += len(t) + 2
    text = "".join(parts)
    n = len(text)
    ms = ModelStream(text, np.arange(n, dtype=np.int64), np.zeros(n, dtype=np.int8), np.ones(n, dtype=np.int64),
                     np.zeros(n, dtype=np.int64), 0)
    lm = prose_model_for(base_text, loss).logprob(text)
    fixed = np.array([c == _JOIN for c in text], dtype=bool)
    readings = _read(ms, lm, fixed, loss, params, calibration, evidence_params)
    out: list[list[Reading]] = [[] for _ in texts]
    bounds = np.array(starts)
    for r in readings:
        i = int(np.searchsorted(bounds, r.start, side="right")) - 1
        off = starts[i]
        out[i].append(dataclasses.replace(r, start=r.start - off, end=r.end - off, start_offset=r.start - off,
                                          end_offset=r.end - off))
    return out


def _read(ms: ModelStream, lm: np.ndarray, fixed: np.ndarray, loss: LossModel, params: reader.Params,
          calibration: calibrate.Calibration | None, evidence_params: evidence.EvidenceParams) -> list[Reading]:
    inv = inventory(loss)
    chunks = reader.cut_chunks(ms.text, fixed)
    segs = reader.read_chunks([ms.text[c.start:c.end] for c in chunks], [lm[c.start:c.end] for c in chunks],
                              [ms.gap[c.start:c.end] for c in chunks], [c.opener for c in chunks],
                              [c.closer for c in chunks], inv, params,
                              reader.Separators.from_keep(loss.p_keep(",", "na"), loss.p_keep(" ", "na")))
    # events in text order
    events: list[tuple] = []  # (kind, model start, model end, form index, chunk index)
    for ci, (c, sg) in enumerate(zip(chunks, segs)):
        for kind, a, b, f in sg:
            if kind == "name" and inv.is_label[f]:
                tok = ms.text[c.start + a:c.start + b]
                letters = sum(ch.isalpha() for ch in tok)
                kind = "label" if ":" in tok or letters >= MIN_LABEL_LETTERS else "unknown"
            events.append((kind, c.start + a, c.start + b, f, ci))
        events.append(("cut", c.end, c.end, -1, ci))
    # lists: runs of items (names, labels, unknown items) not interrupted by prose or a cut
    list_no, k_list, prev_item = [], 0, False
    for k, a, b, f, ci in events:
        item = k in ("name", "label", "unknown")
        if item and not prev_item:
            k_list += 1
        list_no.append(k_list)
        prev_item = item
    names = [(i, e) for i, e in enumerate(events) if e[0] == "name"]
    name_row = {i: r for r, (i, _) in enumerate(names)}
    tokens = [norm_text(ms.text[a:b]) for _, (k, a, b, f, ci) in names]
    # neighbours: the previous / next name of the same list (a label in between breaks the order)
    neighbours = [[-1, -1] for _ in names]
    prev_name, prev_list = -1, -1
    for i, (k, a, b, f, ci) in enumerate(events):
        if k == "name":
            r = name_row[i]
            if prev_name >= 0 and prev_list == list_no[i]:
                neighbours[r][0] = prev_name
                neighbours[prev_name][1] = r
            prev_name, prev_list = r, list_no[i]
        elif k != "unknown":
            prev_name = -1
    scored = evidence.score_names(tokens, [list_no[i] for i, _ in names], [tuple(x) for x in neighbours], inv,
                                  evidence_params)
    # stances: a name counts as read (for where a label's reach ends) when its posterior is not low
    solid = {i: bool(cands) and cands[0][1] >= SOLID_NAME for (i, _), (cands, _) in zip(names, scored)}
    stances = assign_stances([(k if k != "name" or solid[i] else "weak", inv.ids[f][6:] if k == "label" else
                               (ms.text[a] if a < len(ms.text) and k == "cut" and not fixed[a] else "=" if k == "cut"
                                else ""), b - a) for i, (k, a, b, f, _) in enumerate(events)])
    cum_lm = np.concatenate([[0.0], np.cumsum(lm)])
    for (i, (k, a, b, f, ci)), (cands, feats) in zip(names, scored):
        feats["prose_loglik"] = float(cum_lm[b] - cum_lm[a])
    confs = iter(calibrate.confidences([feats for _, feats in scored], calibration,
                                       [c[0][0] if c else "" for c, _ in scored]).tolist())
    accept = calibrate.threshold(calibration)
    out: list[Reading] = []
    name_iter = iter(scored)
    for i, (k, a, b, f, ci) in enumerate(events):
        if k not in ("name", "label", "unknown"):
            continue
        s_off, e_off = ms.source_span(a, b)
        if k == "unknown":
            out.append(Reading("unknown", a, b, s_off, e_off, ms.text[a:b], "", "", 0.0, (), stances[i], list_no[i]))
            continue
        if k == "label":
            out.append(Reading("label", a, b, s_off, e_off, ms.text[a:b], inv.forms[f], "", 1.0, (), stances[i],
                               list_no[i]))
            continue
        cands, feats = next(name_iter)
        conf = next(confs)
        top = cands[0][0] if cands else ""
        did = top if conf >= accept else ""
        out.append(Reading("name", a, b, s_off, e_off, ms.text[a:b], inv.forms[f], did, conf, cands, stances[i],
                           list_no[i], tuple(feats.items())))
    return out
