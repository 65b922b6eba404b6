"""What the 6th-session amendments tried to restore of the CND text the Chair's draft left out.

The amended draft (``ahc6-amended-draft``) lost about 39% of its characters in extraction, so its
proposals cannot be compared word for word.  They are read instead with a loss-aware alignment
(:func:`align`): the damaged wording, reduced to lower-case letters and digits, is aligned as a
whole against a stretch of clean text, +2 per matched character, −1 per clean character lost,
−2 per damaged character left over (the scoring of :func:`.density.bracket_survival`, with the
roles of the two texts swapped), and the best score is divided by the number of damaged
characters: a faithful copy at the measured loss scores about 1.4, unrelated text well below 0.5.

For each 6th-session proposal in a provision that had CND text the Chair left out
(:mod:`.crosswalk`), the candidates are that text: the wordings of the provision's CND proposals
the Chair did not take up (``proposal_outcomes``: not_taken_up, article_dropped), the CND words
whose deletion was achieved, and every paragraph of a CND article the Chair dropped.  The proposal
*restores CND text* when its best candidate scores at least :data:`THRESHOLD` and at least
:data:`MARGIN` more than the Chair's counterpart article (else it is more likely the Chair's own
words, or new wording); with fewer than :data:`MIN_LETTERS` surviving letters the text does not
allow a reading.  Only sponsors read with a recovered name at or above ``min_confidence`` count
(``positions.resolution == "recovered"``; the 6th-session readings may change: the threshold is a
parameter).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .. import corpus as _corpus
from .. import schema
from .crosswalk import AMENDED, CHAIR, CND, Crosswalk

THRESHOLD = 0.75  # score per damaged character for a reading as restored CND text
MARGIN = 0.2  # … and this much above the Chair's article
MIN_LETTERS = 15  # fewer surviving letters: too damaged to read
MIN_CONFIDENCE = 0.8  # recovered sponsor names at or above this confidence count (recover.ACCEPT)
SPONSOR_KINDS = ("insert", "replace")
SEPARATOR = "\x00" * 8  # between candidate passages: never matches

# Anything but a letter or a digit
NOT_ALNUM_RE = re.compile(r"[^0-9a-z]+")


@dataclass(frozen=True)
class Passage:
    proposal_id: str  # "" for a base-text paragraph
    start: int
    end: int


def squeeze(text: str) -> tuple[str, np.ndarray]:
    """Lower-case letters and digits of ``text`` and, for each, its offset in ``text``."""
    low = text.lower()
    idx = [i for i, ch in enumerate(low) if ch.isascii() and ch.isalnum()]
    return "".join(low[i] for i in idx), np.asarray(idx, dtype=np.int64)


def _scores(damaged: str, clean: str) -> np.ndarray:
    """Best score of ``damaged`` aligned wholly, ending at each position of ``clean`` (free start)."""
    t = np.frombuffer(clean.encode("utf-32-le"), dtype=np.uint32)
    n = len(t)
    j = np.arange(n + 1, dtype=np.int64)
    prev = np.zeros(n + 1, dtype=np.int64)
    neg = np.int64(-(10 ** 9))
    for i, ch in enumerate(damaged, 1):
        cand = np.full(n + 1, neg, dtype=np.int64)
        cand[1:] = np.where(t == ord(ch), prev[:-1] + 2, neg)
        cand = np.maximum(cand, prev - 2)  # a damaged character with no counterpart
        cand[0] = -2 * i
        prev = np.maximum.accumulate(cand + j) - j  # clean characters lost: -1 each
    return prev


def align(damaged: str, clean: str) -> tuple[float, int, int]:
    """``(score per damaged character, start, end)`` of the best stretch ``clean[start:end]``."""
    if not damaged or not clean:
        return 0.0, 0, 0
    s = _scores(damaged, clean)
    end = int(np.argmax(s))
    best = int(s[end])
    r = _scores(damaged[::-1], clean[:end][::-1])
    start = end - int(np.argmax(r))
    return best / len(damaged), start, end


def candidates(outcomes: pd.DataFrame, cnd_articles: list[int], dropped: set[int], cnd) -> list[Passage]:
    """The CND text of ``cnd_articles`` the Chair left out (see the module docstring)."""
    o = outcomes[outcomes["article_seq"].isin(cnd_articles)]
    out = [Passage(r.proposal_id, int(r.start_offset), int(r.end_offset)) for r in o.itertuples(index=False)
           if (r.unit_group == "sponsor" and r.outcome in ("not_taken_up", "article_dropped"))
           or (r.unit_group == "delete" and r.outcome == "deletion_achieved" and r.target_scope != "article")]
    pars = cnd.paragraphs[cnd.paragraphs["article_seq"].isin(sorted(dropped))]
    out += [Passage("", int(p.start_offset), int(p.end_offset)) for p in pars.itertuples(index=False)]
    return [p for p in out if p.end > p.start]


def _joined(text: str, passages: list[Passage]) -> tuple[str, list[tuple[int, int, Passage, np.ndarray]]]:
    """The squeezed passages joined by :data:`SEPARATOR`, with each one's range and offset map."""
    parts, where, pos = [], [], 0
    for p in passages:
        sq, idx = squeeze(text[p.start:p.end])
        if not sq:
            continue
        where.append((pos, pos + len(sq), p, idx + p.start))
        parts.append(sq)
        pos += len(sq) + len(SEPARATOR)
    return SEPARATOR.join(parts), where


def restoration_attempts(outcomes: pd.DataFrame, crosswalk: Crosswalk, corpus=None,
                         min_confidence: float = MIN_CONFIDENCE, threshold: float = THRESHOLD,
                         margin: float = MARGIN) -> pd.DataFrame:
    """The ``restoration_attempts`` table (see the module docstring)."""
    corpus = corpus or _corpus.DEFAULT
    amended, cnd, chair = corpus.load(AMENDED), corpus.load(CND), corpus.load(CHAIR)
    cnd_text, ch_text = corpus.source(CND).text, corpus.source(CHAIR).text
    pa = crosswalk.provision_articles
    prov = dict(zip(zip(pa["doc_id"], pa["article_seq"]), pa["provision_id"]))
    by_prov: dict[str, dict[str, list[int]]] = {}
    for r in pa.itertuples(index=False):
        by_prov.setdefault(r.provision_id, {}).setdefault(r.doc_id, []).append(int(r.article_seq))
    links = crosswalk.links
    repro = links[(links["from_doc"] == CND) & (links["to_doc"] == AMENDED) & (links["relation"] == "re-proposed")]
    extra: dict[int, list[int]] = {}
    for r in repro.itertuples(index=False):
        extra.setdefault(int(r.to_article_seq), []).append(int(r.from_article_seq))
    kept = crosswalk.counterparts(CND, CHAIR)
    dropped_cnd = {a for a, t in kept.items() if not t}
    pos = amended.positions
    spon = pos[(pos["stance"] == "sponsor") & (pos["resolution"] == "recovered") & (pos["confidence"] >= min_confidence)
               & (pos["delegation_id"] != "")]
    sponsors = spon.groupby("proposal_id")["delegation_id"].agg(lambda s: sorted(set(s))).to_dict()
    props = amended.proposals[amended.proposals["kind"].isin(SPONSOR_KINDS)
                              & amended.proposals["proposal_id"].isin(list(sponsors))]
    ch_art = chair.articles.set_index("article_seq")
    cache: dict[int, tuple] = {}
    rows = []
    for p in props.sort_values("proposal_id").itertuples(index=False):
        pid = prov.get((AMENDED, int(p.article_seq)), "")
        group = by_prov.get(pid, {})
        cnd_arts = sorted(set(group.get(CND, [])) | set(extra.get(int(p.article_seq), [])))
        if not cnd_arts:
            continue
        if p.article_seq not in cache:
            passages = candidates(outcomes, cnd_arts, dropped_cnd & set(cnd_arts), cnd)
            joined, where = _joined(cnd_text, passages)
            chair_sq = ""
            for seq in group.get(CHAIR, []):
                a = ch_art.loc[seq]
                chair_sq += squeeze(ch_text[int(a.start_offset):int(a.end_offset)])[0] + SEPARATOR
            cache[p.article_seq] = (joined, where, chair_sq)
        joined, where, chair_sq = cache[p.article_seq]
        if not where:
            continue
        d, _ = squeeze(p.text)
        row = {"doc_id": AMENDED, "proposal_id": p.proposal_id, "article_seq": int(p.article_seq), "article": p.article,
               "provision_id": pid, "line": int(p.line), "start_offset": int(p.start_offset),
               "end_offset": int(p.end_offset), "text": p.text, "n_letters": len(d),
               "delegation_ids": ", ".join(sponsors[p.proposal_id]), "n_delegations": len(sponsors[p.proposal_id]),
               "restoration": "too_damaged", "score": 0.0, "chair_score": 0.0, "from_doc": "", "from_proposal_id": "",
               "from_line": 0, "from_start_offset": 0, "from_end_offset": 0, "from_text": ""}
        if len(d) >= MIN_LETTERS:
            sc, a, b = align(d, joined)
            ch_sc = align(d, chair_sq)[0] if chair_sq else 0.0
            row.update(score=round(sc, 4), chair_score=round(ch_sc, 4))
            hit = next((w for w in where if w[0] <= a < w[1]), None)
            if hit is not None:
                lo, hi, passage, offsets = hit
                s0 = int(offsets[max(0, a - lo)])
                s1 = int(offsets[min(len(offsets) - 1, max(0, min(b, hi) - lo - 1))]) + 1
                row.update(from_doc=CND, from_proposal_id=passage.proposal_id,
                           from_line=corpus.source(CND).line_of(s0), from_start_offset=s0, from_end_offset=s1,
                           from_text=cnd_text[s0:s1])
            ok = sc >= threshold and sc >= ch_sc + margin
            row["restoration"] = "restores_cnd" if ok else "other_text"
        rows.append(row)
    df = pd.DataFrame(rows) if rows else schema.empty_frame("restoration_attempts")
    return schema.validate(df, "restoration_attempts")
