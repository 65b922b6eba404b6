"""A character model of the document's own English, as it reads after the damage.

The alternative to "this fragment is a delegation name" is "this fragment is
ordinary text".  :func:`train_prose_model` takes clean text of the same
negotiation (the Chair's draft the damaged draft amends: its articles, the
same legal English as the amendment wording), passes it through the measured
loss model (:meth:`LossModel.damage`, a few seeds) and counts character
n-grams of the damaged copies.  :meth:`ProseModel.logprob` then gives, for
every character of a damaged text, ``log P(c | the previous order - 1
characters)`` under interpolated Witten–Bell smoothing (Witten & Bell 1991):

    P_k(c | h) = (C(h c) + T(h) P_{k-1}(c | h')) / (C(h) + T(h))

with ``T(h)`` the number of distinct characters seen after ``h`` and ``h'``
the context one character shorter; ``P_0`` is the add-one unigram.  All
counting and scoring is vectorised (n-grams packed into one integer each,
looked up by binary search): training on ~270,000 damaged characters and
scoring the whole document take a few hundredths of a second each.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from .loss import LossModel, keep_prob_array

ORDER = 5  # characters of context + 1
DAMAGE_SEEDS = (0, 1)
# Markdown emphasis / heading marks of the Chair's draft: "*Article 6*", "## Chapter II"
MARKDOWN_RE = re.compile(r"[*#]")
# Runs of whitespace (spaces, newlines) collapse to one space: "a \n  b" -> "a b"
SPACES_RE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Whitespace collapsed to single spaces, curly apostrophes straightened, markdown marks dropped."""
    text = MARKDOWN_RE.sub("", text).replace("’", "'").replace("‘", "'")
    return SPACES_RE.sub(" ", text)


@dataclass(frozen=True)
class ProseModel:
    """Character n-gram model of damaged prose (see the module docstring)."""

    order: int
    alphabet: str  # characters with their own code (code = index + 1; 0 = start, len + 1 = unseen)
    log_unigram: np.ndarray  # per code
    hc_keys: tuple[np.ndarray, ...]  # per context length k = 1..order-1: sorted packed (h, c)
    hc_counts: tuple[np.ndarray, ...]
    h_keys: tuple[np.ndarray, ...]  # sorted packed h
    h_counts: tuple[np.ndarray, ...]  # C(h)
    h_types: tuple[np.ndarray, ...]  # T(h)
    n_chars: int

    @property
    def base(self) -> int:
        return len(self.alphabet) + 2

    def encode(self, text: str) -> np.ndarray:
        """Codes of ``text`` (1.. for the alphabet, ``len(alphabet) + 1`` for unseen characters)."""
        return _encode(text, self.alphabet)

    def logprob_codes(self, x: np.ndarray, at: np.ndarray | None = None) -> np.ndarray:
        """log P(x[t] | x[t-order+1 .. t-1]) for every t (the text starts after a boundary); with
        ``at`` (indices) only for those t, in that order (NaN elsewhere when returned in full)."""
        A = self.base
        idx = np.arange(len(x)) if at is None else np.asarray(at, dtype=np.int64)
        xc = x[idx]
        p = np.exp(self.log_unigram[xc])
        padded = np.concatenate([np.zeros(self.order - 1, dtype=np.int64), x])
        off = self.order - 1
        h = np.zeros(len(idx), dtype=np.int64)
        for k in range(1, self.order):
            h = h + padded[off - k + idx] * A ** (k - 1)  # context of length k
            hc = h * A + xc
            i = np.searchsorted(self.h_keys[k - 1], h)
            i = np.minimum(i, len(self.h_keys[k - 1]) - 1)
            seen = self.h_keys[k - 1][i] == h
            ch = np.where(seen, self.h_counts[k - 1][i], 0)
            th = np.where(seen, self.h_types[k - 1][i], 0)
            j = np.minimum(np.searchsorted(self.hc_keys[k - 1], hc), len(self.hc_keys[k - 1]) - 1)
            chc = np.where(self.hc_keys[k - 1][j] == hc, self.hc_counts[k - 1][j], 0)
            with np.errstate(invalid="ignore", divide="ignore"):
                p = np.where(seen, (chc + th * p) / np.maximum(ch + th, 1), p)
        return np.log(p)

    def logprob(self, text: str, mask: np.ndarray | None = None) -> np.ndarray:
        """Per-character log probability of ``text`` (already normalised like the training text);
        with ``mask``, computed only where it is True (0 elsewhere)."""
        x = self.encode(text)
        if mask is None:
            return self.logprob_codes(x)
        out = np.zeros(len(x))
        at = np.flatnonzero(mask)
        out[at] = self.logprob_codes(x, at)
        return out


def _encode(text: str, alphabet: str) -> np.ndarray:
    cps = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    alpha = np.frombuffer(alphabet.encode("utf-32-le"), dtype=np.uint32)
    i = np.searchsorted(alpha, cps)  # the alphabet is sorted
    hit = (i < len(alpha)) & (alpha[np.minimum(i, len(alpha) - 1)] == cps)
    return np.where(hit, i + 1, len(alpha) + 1).astype(np.int64)


def _pack_counts(x: np.ndarray, A: int, order: int):
    hc_keys, hc_counts, h_keys, h_counts, h_types = [], [], [], [], []
    padded = np.concatenate([np.zeros(order - 1, dtype=np.int64), x])
    off = order - 1
    h = np.zeros(len(x), dtype=np.int64)
    for k in range(1, order):
        h = h + padded[off - k:off - k + len(x)] * A ** (k - 1)
        keys, counts = np.unique(h * A + x, return_counts=True)
        hk, first = np.unique(keys // A, return_index=True)
        sums = np.add.reduceat(counts, first)
        types = np.diff(np.append(first, len(keys)))
        hc_keys.append(keys)
        hc_counts.append(counts)
        h_keys.append(hk)
        h_counts.append(sums)
        h_types.append(types)
    return tuple(hc_keys), tuple(hc_counts), tuple(h_keys), tuple(h_counts), tuple(h_types)


def damage_array(text: str, loss: LossModel, rng: np.random.Generator) -> str:
    """``loss.damage(text)`` vectorised (independent losses, the measured keep rates)."""
    p = keep_prob_array(loss, text)
    keep = rng.random(len(text)) < p
    cps = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    return cps[keep].tobytes().decode("utf-32-le")


def train_prose_model(texts: list[str], loss: LossModel, order: int = ORDER,
                      seeds: tuple[int, ...] = DAMAGE_SEEDS) -> ProseModel:
    """The damaged-prose model of ``texts`` (each normalised, then damaged once per seed)."""
    damaged = []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        for t in texts:
            damaged.append(SPACES_RE.sub(" ", damage_array(normalise(t), loss, rng)))
    joined = "\n".join(damaged)  # "\n" marks a boundary: it never occurs inside a text
    alphabet = "".join(sorted(set(joined) - {"\n"}))
    A = len(alphabet) + 2
    if A ** order >= 2 ** 62:
        raise ValueError(f"order {order} too high for an alphabet of {A - 2} characters")
    x = _encode(joined, alphabet)
    x[x == A - 1] = 0  # the boundary "\n" (not in the alphabet) -> 0 (start)
    uni = np.bincount(x, minlength=A).astype(float)[:A]
    uni[0] = 0.0
    log_uni = np.log((uni + 1.0) / (uni.sum() + A))
    return ProseModel(order, alphabet, log_uni, *_pack_counts(x, A, order), n_chars=int((x > 0).sum()))
