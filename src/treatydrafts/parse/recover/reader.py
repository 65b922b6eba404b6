"""Segment the damaged text into prose, delegation names and stance labels.

The model text (:mod:`.stream`) is cut into *chunks* at the delimiters
``( ) [ ] { }`` and at every stretch aligned to the base text (:mod:`.align`:
prose, never a list).  Each chunk is read by one hidden-Markov model with
four kinds of state, the chunks of a batch advanced together (one numpy pass
per character position; batches of at most :data:`BATCH_CHARS` characters,
longest chunks first):

``P``  ordinary text: each character costs its log probability under the
       damaged-prose character model (:mod:`.prose`);
``B``  a boundary inside a list (after an item or a separator ``,`` `` ``
       ``;`` ``.`` ``&`` …);
name   a registry name form or a stance label, character by character: each
       character of the form is kept with the measured probability
       (:mod:`.loss`), so a fragment is possible only if it is a subsequence of
       the form; an extractor-inserted space before a character (``gap``)
       makes it likely that a character of the form was lost right there
       (keeping the form's previous character right before costs the
       likelihood ratio measured in :mod:`.stream`);
``U``  an unknown item inside a list (prose cost plus a penalty).

A list begins where ``P`` hands over to ``B`` (cheaper right after ``(``)
and ends where ``B`` hands back to ``P`` (cheaper at ``)`` ``]`` ``}``), so a
fragment is read as a name only where "name" beats "prose" over the whole
chunk.  Viterbi gives the segmentation; :func:`read_chunks` returns, per
chunk, its segments ``(kind, start, end, form)``.

Cost: linear time in the length of the text (each chunk is at most
:data:`MAX_CHUNK` characters; per character, the live positions of the
inventory's forms).  Memory: the lattice of one batch at a time (about 60 MB
for :data:`BATCH_CHARS` characters), whatever the document's length; the
chunks of a batch are independent rows, so the batching changes no reading
(the whole document in one batch, as before, gives the same segments).
"""
from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass

import numpy as np

from .names import Inventory, _gather, _range_reduce

NEG = -1e9
# Delimiters that cut chunks: "(", ")", "[", "]", "{", "}"
DELIM_RE = re.compile(r"[()\[\]{}]")
MAX_CHUNK = 600  # longer unaligned stretches are cut at a space (rare: prose the alignment missed)
# Chunks read together in one Viterbi batch: at most this many characters (a longer chunk alone).
# The lattice of a batch (scores, back-pointers and the live form positions of every character)
# takes about 1.2 KB per character, so a batch holds about 60 MB whatever the document's length;
# chunks are independent rows of the batch, so batching changes no reading.
BATCH_CHARS = 50_000


@dataclass(frozen=True)
class Params:
    """Transition log probabilities of the segmentation model (set on the development half)."""

    start_open: float = math.log(0.5)  # P -> B at the first character after "("
    start_first: float = math.log(0.05)  # P -> B at the first character after another cut
    start_mid: float = math.log(0.02)  # P -> B elsewhere
    end_mid: float = math.log(0.02)  # B -> P inside a chunk
    end_close: float = math.log(0.9)  # list still open at a closing ")" "]" "}"
    end_other: float = math.log(0.2)  # list still open at another cut
    unk_start: float = math.log(2e-4)
    unk_char: float = math.log(0.3)
    beam: float = 12.0  # name hypotheses this far (nats) below ordinary text are dropped
    # a form character kept right after the previous one although an inserted space stands between
    # them: log of the likelihood ratio (no loss vs loss) of an inserted space, from aligned base lines
    gap_glyphs: float = math.log((0.12 / 0.39) / (0.88 / 0.61))
    gap_after_space: float = math.log((0.19 / 0.39) / (0.81 / 0.61))


@dataclass(frozen=True)
class Chunk:
    start: int  # model-text offsets, end exclusive
    end: int
    opener: str  # delimiter before the chunk, "=" after aligned base text, "" at the start
    closer: str  # delimiter after it, "=" before aligned base text, "" at the end


def cut_chunks(text: str, aligned: np.ndarray, max_len: int = MAX_CHUNK) -> list[Chunk]:
    """Chunks of the model text between delimiters and aligned stretches."""
    cut = aligned.copy()
    for m in DELIM_RE.finditer(text):
        cut[m.start()] = True
    edges = np.flatnonzero(np.diff(np.concatenate([[0], (~cut).astype(np.int8), [0]])))
    out = []
    for a, b in zip(edges[0::2].tolist(), edges[1::2].tolist()):
        opener = "" if a == 0 else ("=" if aligned[a - 1] else text[a - 1])
        closer = "" if b == len(text) else ("=" if aligned[b] else text[b])
        while b - a > max_len:
            k = text.rfind(" ", a + max_len // 2, a + max_len)
            k = k if k > a else a + max_len
            out.append(Chunk(a, k, opener, " "))
            a, opener = k, " "
        if text[a:b].strip():
            out.append(Chunk(a, b, opener, closer))
    return out


def _cont_ranges_gap(inv: Inventory, prev_codes: np.ndarray, owner: np.ndarray, pos: np.ndarray,
                     poffs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Like ``names._cont_ranges``, plus ``hi_skip``: the end of the range of predecessors at
    least two positions before (``hi_skip < hi`` when the form position right before ``pos`` is
    live: element ``hi - 1``).  One gather of ``inv.packed``."""
    packed = inv.packed[prev_codes[owner] * len(inv.chars) + pos]
    base = poffs[owner]
    lo = base + (packed & 0xFFFFF)
    hi = base + ((packed >> 20) & 0xFFFFF)
    hi = np.maximum(hi, lo)
    return lo, hi, hi - (packed >> 40)


@dataclass
class _Lattice:
    """Viterbi scores and back-pointers per boundary t (lists of arrays over the chunks with T >= t)."""

    P: list  # ordinary text
    A: list  # right after an item
    C: list  # after an item and a comma-like mark
    B: list  # ready for the next item
    U: list  # inside an unknown item
    backP: list  # 0 emitted, 1 from A, 2 from C, 3 from B (the list ended here)
    backA: list  # 0 none, 1 name, 2 unknown
    backB: list  # 0 from P (list start), 1 from A (separator lost), 2 from C (space lost),
    #              3 space after A, 4 space after C, 5 space after B
    backU: list
    steps: list
    codes: tuple  # (time-major character codes, offsets per t)
    gpen: tuple  # (time-major inserted-space penalties, offsets per t)
    final: np.ndarray  # state at the chunk's end: "P", "A", "B" or "C"


_P_EMIT, _P_FROM_A, _P_FROM_C, _P_FROM_B = 0, 1, 2, 3
_B_START, _B_FROM_A, _B_FROM_C, _B_SPACE_A, _B_SPACE_C, _B_SPACE_B = 0, 1, 2, 3, 4, 5


@dataclass(frozen=True)
class Separators:
    """Log costs of what survives of the ", " between two items (keep rates from the loss model)."""

    comma: float  # log P(comma kept)
    no_comma: float
    space: float
    no_space: float
    mark: dict  # comma-like mark -> extra log weight (the comma itself 0)
    double_space: float = math.log(0.05)

    @staticmethod
    def from_keep(p_comma: float, p_space: float) -> "Separators":
        return Separators(math.log(p_comma), math.log1p(-p_comma), math.log(p_space), math.log1p(-p_space),
                          {",": 0.0, ".": math.log(0.3), ";": math.log(0.2), "–": math.log(0.1),
                           "-": math.log(0.05), ":": math.log(0.05)})


def _ragged(arrays, Ts: np.ndarray, tofs: np.ndarray, dtype) -> np.ndarray:
    """Chunk-major values (a list of per-chunk arrays, or one array of them concatenated; chunks
    longest first) laid out time-major: element ``t`` of chunk ``i`` at ``tofs[t] + i``."""
    total = int(Ts.sum())
    out = np.zeros(total, dtype=dtype)
    if not total:
        return out
    i_of = np.repeat(np.arange(len(Ts)), Ts)
    t_of = np.arange(total) - np.repeat(np.cumsum(Ts) - Ts, Ts)
    flat = arrays if isinstance(arrays, np.ndarray) else np.concatenate([np.asarray(a, dtype=dtype) for a in arrays])
    out[tofs[t_of] + i_of] = flat
    return out


def _lookup(cps: np.ndarray, table: dict[str, float], default: float) -> np.ndarray:
    """``[table.get(chr(c), default) for c in cps]`` vectorised (one look-up per distinct character)."""
    uniq, inv = np.unique(cps, return_inverse=True)
    return np.array([table.get(chr(int(u)), default) for u in uniq], dtype=float)[inv.ravel()]


def _viterbi(texts: list[str], lms: list[np.ndarray], gaps: list[np.ndarray], openers: list[str],
             closers: list[str], inv: Inventory, prm: Params, sep: Separators) -> _Lattice:
    """Viterbi over all chunks at once (chunks sorted longest first; per time step only the
    chunks still running, contiguous at the front)."""
    n = len(texts)
    Ts = np.array([len(d) for d in texts], dtype=np.int64)
    Tmax = int(Ts.max()) if n else 0
    n_run = np.searchsorted(-Ts, -np.arange(1, Tmax + 1), side="right")  # chunks with T > t, per t
    tofs = np.concatenate([[0], np.cumsum(n_run)])
    unseen = len(inv.codes)
    code_of = inv.codes
    cps = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32)
    codes = _ragged(_lookup(cps, code_of, unseen).astype(np.int64), Ts, tofs, np.int64)
    lm = _ragged(lms, Ts, tofs, float)
    gap_t = _ragged(gaps, Ts, tofs, np.int8)
    gpen = np.array([0.0, prm.gap_glyphs, prm.gap_after_space])[gap_t]
    has_gap = [bool(gpen[tofs[t]:tofs[t + 1]].any()) for t in range(Tmax)]
    mark = _ragged(_lookup(cps, sep.mark, np.nan), Ts, tofs, float)
    is_mark = ~np.isnan(mark)
    mark = np.nan_to_num(mark)
    is_space = codes == code_of.get(" ", -1)
    # a list may start (from ordinary text) only at a word boundary: after a space or a mark, or
    # where an inserted space stood
    boundary = _lookup(cps, {c: 1.0 for c in " ,.;:"}, 0.0) > 0
    after = np.concatenate([[True], boundary[:-1]])
    after[np.cumsum(Ts)[:-1]] = True  # every chunk's first character
    can_start = _ragged(after, Ts, tofs, bool) | (gap_t > 0)
    eff_codes = codes.copy()
    alive = np.zeros(n, dtype=bool)
    start0 = np.array([prm.start_open if o == "(" else prm.start_first for o in openers])
    endT = np.array([prm.end_close if c in ")]}" else prm.end_other for c in closers])
    both_lost = sep.no_comma + sep.no_space
    # per boundary t (0..Tmax): arrays over the chunks with T >= t
    Ps, As, Cs, Bs, Us = [np.zeros(n)], [np.full(n, NEG)], [np.full(n, NEG)], [np.full(n, NEG)], [np.full(n, NEG)]
    backP, backA = [np.zeros(n, np.int8)], [np.zeros(n, np.int8)]
    backB, backU = [np.zeros(n, np.int8)], [np.zeros(n, bool)]
    steps: list = []
    prev = None
    for t in range(Tmax + 1):
        m = len(Ps[t])  # chunks with T >= t
        P, A, C, B, U = Ps[t], As[t], Cs[t], Bs[t], Us[t]
        bP, bA, bB = backP[t], backA[t], backB[t]
        if t > 0:
            # an item ends at t: a name (its last character emitted at t - 1) or an unknown run
            pos, val, offs = prev
            best = np.full(m, NEG)
            if len(pos):  # the form position that completes is found again in the traceback
                ne = np.diff(offs[:m + 1]) > 0
                best[ne] = np.maximum.reduceat(val + inv.end_complete[pos], offs[:m][ne])
            name_win = (best > NEG / 2) & (best >= U)
            A[:] = np.where(name_win, best, U)
            bA[:] = np.where(name_win, 1, np.where(U > NEG / 2, 2, 0))
            # separators lost entirely: A -> B, C -> B
            fa, fc = A + both_lost, C + sep.no_space
            nb = np.maximum(B, np.maximum(fa, fc))
            bB[:] = np.where(nb == B, bB, np.where(fa >= fc, _B_FROM_A, _B_FROM_C))
            B[:] = nb
            # the list ends at t
            ea, ec, eb = A + prm.end_mid, C + prm.end_mid, B + prm.end_mid
            e = np.maximum(ea, np.maximum(ec, eb))
            take = e > P
            bP[:] = np.where(take, np.where(e == ea, _P_FROM_A, np.where(e == ec, _P_FROM_C, _P_FROM_B)), _P_EMIT)
            P[:] = np.where(take, e, P)
        if t == Tmax:
            break
        e_n = int(n_run[t])  # chunks with T > t: the first e_n
        sl = slice(tofs[t], tofs[t + 1])
        if t == 0:
            started = P[:e_n] + start0[:e_n]
        else:
            started = np.where(can_start[sl], P[:e_n] + prm.start_mid, NEG)
        take = started > B[:e_n]
        B[:e_n] = np.where(take, started, B[:e_n])
        bB[:e_n] = np.where(take, _B_START, bB[:e_n])
        ss = B[:e_n].copy()
        # chunks with no name hypothesis within the beam and no list boundary here read no name
        # character at this step (their code is set to "unseen": no live form positions)
        live = (ss >= P[:e_n] - prm.beam) | alive[:e_n]
        ct = np.where(live, codes[sl], unseen)
        eff_codes[sl] = ct
        owner, pos, offs = _gather(inv, ct)
        val = ss[owner] + inv.start_const[pos]
        if prev is not None and len(pos):
            ppos, pval, poffs = prev
            lo, hi, hi_skip = _cont_ranges_gap(inv, eff_codes[tofs[t - 1]:tofs[t]], owner, pos, poffs)
            pv = pval - inv.S_next[ppos]
            gp = gpen[sl]
            if has_gap[t]:  # after an inserted space the adjacent predecessor pays the penalty
                g_own = gp[owner]
                hi_eff = np.where(g_own != 0.0, hi_skip, hi)
                cont = _range_reduce(np.maximum, pv, lo, hi_eff, -np.inf)
                adj = hi_eff < hi
                if adj.any():
                    cont[adj] = np.maximum(cont[adj], pv[hi[adj] - 1] + g_own[adj])
            else:
                cont = _range_reduce(np.maximum, pv, lo, hi, -np.inf)
            val = np.maximum(val, cont)
        val = val + inv.emit_const[pos]
        steps.append((pos, val, offs, ss))
        prev = (pos, val, offs)
        lj = lm[sl]
        alive = np.zeros(e_n, dtype=bool)
        if len(pos):
            cnt_e = np.diff(offs)
            ne = cnt_e > 0
            best_val = np.full(e_n, NEG)
            best_val[ne] = np.maximum.reduceat(val, offs[:-1][ne])
            alive = best_val >= P[:e_n] + lj - prm.beam
        mk = is_mark[sl]
        spc = is_space[sl]
        a_, c_, b_ = A[:e_n], C[:e_n], B[:e_n]
        s_a = a_ + sep.no_comma + sep.space
        s_c = c_ + sep.space
        s_b = b_ + sep.double_space
        nb = np.maximum(s_a, np.maximum(s_c, s_b))
        ustart = b_ + prm.unk_start
        ucont = U[:e_n]
        not_sep = ~(mk | spc)
        Ps.append(P[:e_n] + lj)
        Cs.append(np.where(mk, a_ + sep.comma + mark[sl], NEG))
        Bs.append(np.where(spc, nb, NEG))
        Us.append(np.where(not_sep, np.maximum(ustart, ucont) + lj + prm.unk_char, NEG))
        As.append(np.full(e_n, NEG))
        backP.append(np.zeros(e_n, np.int8))
        backA.append(np.zeros(e_n, np.int8))
        backB.append(np.where(nb == s_a, _B_SPACE_A, np.where(nb == s_c, _B_SPACE_C, _B_SPACE_B)).astype(np.int8))
        backU.append(not_sep & (ustart < ucont))
    final = []
    for k in range(n):
        T = int(Ts[k])
        ends = [Ps[T][k], As[T][k] + endT[k], Cs[T][k] + endT[k], Bs[T][k] + endT[k]]
        final.append("PACB"[int(np.argmax(ends))])
    return _Lattice(Ps, As, Cs, Bs, Us, backP, backA, backB, backU, steps, (eff_codes, tofs), (gpen, tofs),
                    np.array(final))


def _list_ends(lat: _Lattice) -> dict[int, list[int]]:
    """Per chunk row, the boundaries t where ordinary text took over from a list (sorted)."""
    sizes = [len(b) for b in lat.backP]
    flat = np.concatenate(lat.backP) != 0
    t_all = np.repeat(np.arange(len(sizes)), sizes)[flat]
    k_all = (np.arange(len(flat)) - np.repeat(np.cumsum(sizes) - sizes, sizes))[flat]
    order = np.lexsort((t_all, k_all))
    k_s, t_s = k_all[order], t_all[order]
    cut = np.flatnonzero(np.diff(k_s)) + 1
    return {int(ks[0]): ts.tolist() for ks, ts in zip(np.split(k_s, cut), np.split(t_s, cut)) if len(ks)}


class _Tables:
    """Inventory arrays as Python lists, for the scalar look-ups of the traceback."""

    def __init__(self, inv: Inventory):
        self.P = len(inv.chars)
        self.last = inv.last_rank.tolist()
        self.run = inv.run_rank.tolist()
        self.start_const = inv.start_const.tolist()
        self.S_next = inv.S_next.tolist()
        self.form_of = inv.form_of.tolist()


def _trace(k: int, T: int, lat: _Lattice, inv: Inventory, ends: list[int], tab: _Tables
           ) -> list[tuple[str, int, int, int]]:
    """Segments (kind, start, end, form index; -1 for prose/unknown) of chunk row ``k``; ``ends``:
    its boundaries where ordinary text took over from a list (:func:`_list_ends`)."""
    out: list[tuple[str, int, int, int]] = []
    codes, tofs = lat.codes
    gpen, gofs = lat.gpen
    state = str(lat.final[k])
    prose_end = T
    t = T
    while True:
        if state == "P":
            # jump to the last boundary at or before t where ordinary text began (a list ended there)
            i = bisect.bisect_right(ends, t) - 1
            t = ends[i] if i >= 0 else 0
            if t == 0:
                if prose_end > 0:
                    out.append(("prose", 0, prose_end, -1))
                break
            if prose_end > t:
                out.append(("prose", t, prose_end, -1))
            state = {_P_FROM_A: "A", _P_FROM_C: "C", _P_FROM_B: "B"}[int(lat.backP[t][k])]
            continue
        if state == "C":  # a comma-like mark emitted at t - 1 after an item
            t -= 1
            state = "A"
            continue
        if state == "B":
            if t == 0:
                break
            code = int(lat.backB[t][k])
            if code == _B_START:
                state, prose_end = "P", t
            elif code == _B_FROM_A:
                state = "A"
            elif code == _B_FROM_C:
                state = "C"
            else:
                t -= 1
                state = {_B_SPACE_A: "A", _B_SPACE_C: "C", _B_SPACE_B: "B"}[code]
            continue
        # state A: an item ends at t
        code = int(lat.backA[t][k])
        if code == 2:
            end = t
            while t > 0 and lat.backU[t][k]:
                t -= 1
            t -= 1
            out.append(("unknown", t, end, -1))
            state = "B"
            continue
        pos_s, val_s, offs_s, _ = lat.steps[t - 1]
        a_, b_ = int(offs_s[k]), int(offs_s[k + 1])
        p = int(pos_s[a_ + int(np.argmax(val_s[a_:b_] + inv.end_complete[pos_s[a_:b_]]))])
        end = t
        s = t - 1  # emission step of its last character
        while s > 0:
            start_score = float(lat.steps[s][3][k]) + tab.start_const[p]
            ppos, pval, poffs, _ = lat.steps[s - 1]
            flat = int(codes[tofs[s - 1] + k]) * tab.P + p
            last = tab.last[flat]
            if last < 0:
                break
            base = int(poffs[k])
            lo, hi = base + tab.run[flat], base + last + 1
            best, arg = -math.inf, -1
            for j in range(lo, hi):
                r = int(ppos[j])
                c = float(pval[j]) - tab.S_next[r]
                if r == p - 1:  # adjacent predecessor: the inserted-space penalty
                    c += float(gpen[gofs[s] + k])
                if c > best:  # the first maximum, as numpy's argmax
                    best, arg = c, r
            if not best > start_score:  # entering the form here wins ties (as in the forward pass)
                break
            p = arg
            s -= 1
        out.append(("name", s, end, tab.form_of[p]))
        t = s
        state = "B"
    out.reverse()
    return out


def batches(lengths: list[int], max_chars: int) -> list[tuple[int, int]]:
    """``(start, end)`` of consecutive runs of ``lengths`` (chunks sorted longest first) holding at
    most ``max_chars`` characters each (a longer chunk is a batch of its own)."""
    out, a, total = [], 0, 0
    for i, n in enumerate(lengths):
        if total and total + n > max_chars:
            out.append((a, i))
            a, total = i, 0
        total += n
    if a < len(lengths):
        out.append((a, len(lengths)))
    return out


def read_chunks(texts: list[str], lms: list[np.ndarray], gaps: list[np.ndarray], openers: list[str],
                closers: list[str], inv: Inventory, prm: Params = Params(),
                sep: Separators = Separators.from_keep(0.78, 0.73)) -> list[list[tuple[str, int, int, int]]]:
    """Segments of every chunk, longest first, in batches of at most :data:`BATCH_CHARS`
    characters: the chunks of a batch are advanced together; one batch's lattice is held at a
    time (see :data:`BATCH_CHARS`)."""
    order = sorted((i for i in range(len(texts)) if texts[i]), key=lambda i: (-len(texts[i]), i))
    out: list[list] = [[] for _ in texts]
    if not order:
        return out
    tab = _Tables(inv)
    for a, b in batches([len(texts[i]) for i in order], BATCH_CHARS):
        batch = order[a:b]
        lat = _viterbi([texts[i] for i in batch], [lms[i] for i in batch], [gaps[i] for i in batch],
                       [openers[i] for i in batch], [closers[i] for i in batch], inv, prm, sep)
        ends = _list_ends(lat)
        for k, i in enumerate(batch):
            out[i] = _trace(k, len(texts[i]), lat, inv, ends.get(k, []), tab)
        del lat, ends
    return out
