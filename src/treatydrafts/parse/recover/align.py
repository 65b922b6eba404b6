"""Which characters of the damaged draft are its base text (prose), not amendments.

The amended draft is the Chair's draft (its *base*) with amendments inserted:
proposed wording and the lists of delegations behind it.  What survives of a
base passage is a subsequence of the base text, so long stretches of the
damaged text can be aligned to the same article of the base; those
stretches are prose, and a list can only begin after the last aligned
character.

Method (per article, vectorised): every damaged ``K``-gram that occurs at
most :data:`MAX_HITS` times in the base article is an *anchor* ``(i, j)``
(damaged offset, base offset).  An anchor is paired with the nearest later anchor within
:data:`SUPPORT_WINDOW` anchors lies on a plausible path through the base:
``K ≤ di ≤`` :data:`MAX_GAP` and ``di ≤ dj ≤`` :data:`MAX_RATIO` ``× di +``
:data:`SLACK` (the base stretch is at least as long as what survived of it,
and not implausibly longer at the measured keep rate).  Between two
consecutive kept anchors the damaged text is aligned when it is also a
subsequence of the base stretch between them (an inserted amendment, such as
``(Yemen)``, is not).
An anchor without such a verified neighbour marks nothing: a chance anchor
inside a list is almost never consistent with a neighbour,
because the base has no text where an amendment was inserted.
"""
from __future__ import annotations

import numpy as np

K = 4  # anchor length
MAX_HITS = 8
SUPPORT_WINDOW = 12
MAX_GAP = 80
MAX_RATIO = 2.6
SLACK = 6


def _pack(codes: np.ndarray, k: int) -> np.ndarray:
    """Every k-gram of ``codes`` packed into one int64 (12 bits per character code)."""
    n = len(codes) - k + 1
    if n <= 0:
        return np.zeros(0, dtype=np.int64)
    out = np.zeros(n, dtype=np.int64)
    for j in range(k):
        out = (out << 12) | codes[j:j + n]
    return out


def _codes(a: str, b: str) -> tuple[np.ndarray, np.ndarray]:
    """Dense character codes (1..) shared by two texts."""
    ca = np.frombuffer(a.encode("utf-32-le"), dtype=np.uint32)
    cb = np.frombuffer(b.encode("utf-32-le"), dtype=np.uint32)
    _, inv = np.unique(np.concatenate([ca, cb]), return_inverse=True)
    inv = inv.ravel().astype(np.int64) + 1
    return inv[:len(ca)], inv[len(ca):]


def _is_subsequence(d: str, b: str) -> bool:
    it = iter(b)
    return all(c in it for c in d)


def aligned_mask(damaged: str, base: str, k: int = K) -> np.ndarray:
    """Boolean mask over ``damaged``: True where the character belongs to a stretch aligned to
    ``base`` (both normalised the same way)."""
    mask = np.zeros(len(damaged), dtype=bool)
    if len(damaged) < k or len(base) < k:
        return mask
    cb, cd = _codes(base, damaged)
    bk = _pack(cb, k)
    dk = _pack(cd, k)
    order = np.argsort(bk, kind="stable")
    sk = bk[order]
    lo = np.searchsorted(sk, dk, side="left")
    hi = np.searchsorted(sk, dk, side="right")
    hits = hi - lo
    ok = (hits > 0) & (hits <= MAX_HITS)
    di = np.flatnonzero(ok)
    if not len(di):
        return mask
    reps = hits[di]
    I = np.repeat(di, reps)
    starts = np.repeat(lo[di], reps) + (np.arange(reps.sum()) - np.repeat(np.cumsum(reps) - reps, reps))
    J = order[starts]
    # a k-gram made only of spaces and punctuation is no evidence
    alpha = np.frombuffer(damaged.encode("utf-32-le"), dtype=np.uint32)
    is_letter = np.array([chr(int(c)).isalpha() for c in np.unique(alpha)])[np.unique(alpha, return_inverse=True)[1]]
    n_letters = np.concatenate([[0], np.cumsum(is_letter)])
    letters = (n_letters[I + k] - n_letters[I]) > 0
    I, J = I[letters], J[letters]
    nxt = np.full(len(I), -1, dtype=np.int64)  # nearest consistent later anchor
    for s in range(SUPPORT_WINDOW, 0, -1):
        a = np.arange(len(I) - s)
        dI = I[a + s] - I[a]
        dJ = J[a + s] - J[a]
        good = (dI >= k) & (dI <= MAX_GAP) & (dI <= dJ) & (dJ <= MAX_RATIO * dI + SLACK)
        nxt[a[good]] = a[good] + s  # smaller shifts overwrite: the nearest one wins
    for a in np.flatnonzero(nxt >= 0):
        i, j = int(I[a]), int(J[a])
        b = int(nxt[a])
        i2, j2 = int(I[b]), int(J[b])
        if _is_subsequence(damaged[i + k:i2], base[j + k:j2]):
            mask[i:i2 + k] = True
    return mask
