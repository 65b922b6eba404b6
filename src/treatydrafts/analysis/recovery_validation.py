"""The hand-judged validation set of the 6th-session recovery, and the scorer (compute only).

The set (``data/validation/``, see its README): 56 *units* (paragraphs or
article-heading blocks of ``ahc6-amended-draft``) drawn uniformly at random
(seed 20231, :func:`draw_units`) from the whole document, whether or not
they hold a list, and judged by hand, blind to the package's recovery: one
row per delegation-name occurrence (offsets into the decoded text,
delegation, certainty ``sure`` / ``probable`` / ``uncertain``, stance) and
per stance label.  A unit without rows is prose.  Odd draw ranks form the
development half (used while tuning), even ranks the held-out half.

Scoring (:func:`judge`, :func:`score`) works on *readings*: one row per name
the reader read, with its source span (``start_offset``, ``end_offset``),
``delegation_id`` (empty = abstained), ``confidence``, ``stance`` and the top
candidate.  A reading inside a unit is

- ``right``: it overlaps a true name (sure or probable) of the same delegation;
- ``wrong``: it overlaps true names, none of its delegation;
- ``prose``: it overlaps no true name (prose, a label, punctuation);
- ``uncertain``: its best-overlapping true name is one the annotators could not
  identify (excluded from precision, reported apart).

Recall counts the true names (sure + probable; sure only too) overlapped by a
right claim.  Intervals: Wilson for proportions, and a bootstrap over units
(the sampling unit of the draw) for precision and recall.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .. import corpus as _corpus
from .. import paths

DOC_ID = "ahc6-amended-draft"
SEED = 20231
N_UNITS = 56
VALIDATION_DIR = paths.DATA / "validation"
UNITS_FILE = "units.csv"
TRUTH_FILE = "truth.csv"
CHANGES_FILE = "truth_changes.csv"
ANNOTATIONS = "annotations"
ANNOTATORS = ("A", "B", "C", "D")  # one annotator per unit (units.csv, column annotator)
SECOND_ANNOTATOR = "E"  # an independent second annotation of 8 units: agreement only, never tuning
HALVES = ("dev", "heldout")
# Confidence bands of the reliability diagram (lower bounds; the last band is closed at 1)
BANDS = (0.0, 0.5, 0.8, 0.9, 0.95, 0.99)
TRUTH_COLUMNS = ("unit_id", "list_no", "kind", "start_offset", "end_offset", "damaged", "delegation_id",
                 "certainty", "candidates", "stance", "note")
JUDGEMENTS = ("right", "wrong", "prose", "uncertain")
# Stances of the guidelines; `other` (a label whose word was lost) is left out of stance accuracy
TRUTH_STANCES = ("sponsor", "delete", "retain_original", "retain", "alt", "against", "keep", "original", "other")


# ---------------------------------------------------------------- the draw


def draw_units(corpus=None, seed: int = SEED, n: int = N_UNITS) -> pd.DataFrame:
    """The seeded draw of validation units (what ``data/validation/units.csv`` holds, without the
    annotator column).

    A unit is one paragraph (lines sharing ``paragraph_seq``; a preamble or note line without
    one is a unit of its own) or one article heading block (the ``article_heading`` lines of an
    article).  Every unit is eligible; ``n`` are drawn without replacement by a permutation of
    ``numpy.random.default_rng(seed)``; odd draw ranks are the development half."""
    corpus = corpus or _corpus.DEFAULT
    s = corpus.segmented(DOC_ID)
    src, seg = s.source, s.segmentation
    units: dict[tuple[str, int], list[int]] = {}
    for r in seg.lines:
        if r.role in ("paragraph", "preamble", "note"):
            key = ("p", r.paragraph_seq) if r.paragraph_seq else ("l", r.line)
        elif r.role == "article_heading":
            key = ("h", r.article_seq)
        else:
            continue
        units.setdefault(key, []).append(r.line)
    rows = []
    for (kind, _), lines in units.items():
        lines = sorted(lines)
        rows.append({"kind": {"p": "paragraph", "h": "heading", "l": "line"}[kind],
                     "article_seq": seg.lines[lines[0] - 1].article_seq, "start_line": lines[0],
                     "end_line": lines[-1], "n_lines": len(lines),
                     "start_offset": src.line_starts[lines[0] - 1],
                     "end_offset": src.line_starts[lines[-1] - 1] + len(src.line_text(lines[-1]))})
    frame = pd.DataFrame(rows).sort_values("start_line", kind="mergesort").reset_index(drop=True)
    order = np.random.default_rng(seed).permutation(len(frame))
    sample = frame.iloc[order[:n]].copy()
    sample.insert(0, "draw_rank", range(1, n + 1))
    sample["half"] = np.where(sample["draw_rank"] % 2 == 1, "dev", "heldout")
    arts = {a.article_seq: a.article for a in seg.articles}
    sample["article"] = sample["article_seq"].map(lambda a: arts.get(a, ""))
    sample["unit_id"] = [f"U{r:02d}" for r in sample["draw_rank"]]
    cols = ["unit_id", "draw_rank", "half", "kind", "article_seq", "article", "start_line", "end_line", "n_lines",
            "start_offset", "end_offset"]
    return sample[cols].reset_index(drop=True)


def _read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[])


def read_units(directory: Path | None = None) -> pd.DataFrame:
    """``data/validation/units.csv`` (offsets and ranks as integers)."""
    df = _read_csv(Path(directory or VALIDATION_DIR) / UNITS_FILE)
    for c in ("draw_rank", "article_seq", "start_line", "end_line", "n_lines", "start_offset", "end_offset"):
        df[c] = df[c].astype(int)
    return df


def assemble_truth(directory: Path | None = None) -> pd.DataFrame:
    """``truth.csv`` from the annotators' files as delivered (``annotations/truth_<A-D>.csv``)
    with the documented reconciliations of ``truth_changes.csv`` applied, rows in unit and
    offset order, plus an ``annotator`` column (what ``truth.csv`` holds, as strings)."""
    directory = Path(directory or VALIDATION_DIR)
    parts = [_read_csv(directory / ANNOTATIONS / f"truth_{a}.csv").assign(annotator=a) for a in ANNOTATORS]
    t = pd.concat(parts, ignore_index=True)
    for ch in _read_csv(directory / CHANGES_FILE).itertuples(index=False):
        sel = ((t["annotator"] == ch.annotator) & (t["unit_id"] == ch.unit_id)
               & (t["start_offset"] == ch.start_offset))
        if sel.sum() != 1 or t.loc[sel, ch.field].iloc[0] != ch.before:
            raise ValueError(f"truth change does not apply: {ch}")
        t.loc[sel, ch.field] = ch.after
    t["_s"] = t["start_offset"].astype(int)
    t = t.sort_values(["unit_id", "_s"], kind="mergesort").drop(columns="_s").reset_index(drop=True)
    return t[list(TRUTH_COLUMNS) + ["annotator"]]


def check_truth(truth: pd.DataFrame, units: pd.DataFrame, text: str, ids: set[str]) -> list[str]:
    """What is wrong with a truth table (the annotators' ``check.py``): spans outside their unit,
    ``damaged`` not equal to ``text[start:end]``, unknown ids, bad kinds / certainties / stances,
    overlapping spans.  Empty when all is well."""
    errs = []
    u = units.set_index("unit_id")
    for r in truth.itertuples(index=False):
        s, e = int(r.start_offset), int(r.end_offset)
        where = f"{r.unit_id} {s}"
        if not (u.at[r.unit_id, "start_offset"] <= s < e <= u.at[r.unit_id, "end_offset"]):
            errs.append(f"{where}: span outside its unit")
        if text[s:e] != str(r.damaged).replace("\\n", "\n"):
            errs.append(f"{where}: damaged != text[s:e]")
        if r.kind not in ("name", "label"):
            errs.append(f"{where}: kind {r.kind!r}")
        if r.kind == "name":
            if r.certainty not in ("sure", "probable", "uncertain"):
                errs.append(f"{where}: certainty {r.certainty!r}")
            elif r.certainty == "uncertain" and r.delegation_id:
                errs.append(f"{where}: uncertain rows leave delegation_id empty")
            elif r.certainty != "uncertain" and r.delegation_id not in ids:
                errs.append(f"{where}: unknown id {r.delegation_id!r}")
        if r.stance not in TRUTH_STANCES:
            errs.append(f"{where}: stance {r.stance!r}")
    s = truth.assign(s=truth["start_offset"].astype(int), e=truth["end_offset"].astype(int)).sort_values("s")
    n_over = int((s["s"].to_numpy()[1:] < s["e"].to_numpy()[:-1]).sum())
    if n_over:
        errs.append(f"{n_over} overlapping spans")
    return errs


def read_truth(directory: Path | None = None, name: str = TRUTH_FILE) -> pd.DataFrame:
    """The hand-judged rows (``data/validation/truth.csv``): offsets as integers, ``damaged``
    with its newlines restored (the file writes them as ``\\n``), and the unit's half."""
    directory = Path(directory or VALIDATION_DIR)
    df = _read_csv(directory / name)
    df["start_offset"] = df["start_offset"].astype(int)
    df["end_offset"] = df["end_offset"].astype(int)
    df["list_no"] = df["list_no"].astype(int)
    df["damaged"] = df["damaged"].str.replace("\\n", "\n", regex=False)
    units = read_units(directory)
    df["half"] = df["unit_id"].map(dict(zip(units["unit_id"], units["half"])))
    return df


# ---------------------------------------------------------------- intervals


def wilson(k: float, n: float, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval of a proportion ``k / n`` (``(nan, nan)`` when ``n == 0``)."""
    if n <= 0:
        return float("nan"), float("nan")
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return max(0.0, c - h), min(1.0, c + h)


# ---------------------------------------------------------------- judging readings


def readings_from_positions(positions: pd.DataFrame) -> pd.DataFrame:
    """Readings (see the module docstring) from ``positions`` rows of the damaged draft: the span
    is ``offset`` + the length of the damaged string as read (a name never crosses a page break
    in the validation units), the top candidate is the first of ``candidates``."""
    df = positions[positions["doc_id"] == DOC_ID] if "doc_id" in positions else positions
    dam = df["damaged"].astype(str)
    top = df["candidates"].astype(str).str.split("|").str[0].str.split(":").str[0]
    return pd.DataFrame({"start_offset": df["offset"].astype(int).to_numpy(),
                         "end_offset": (df["offset"].astype(int) + dam.str.len().clip(lower=1)).to_numpy(),
                         "damaged": dam.to_numpy(), "delegation_id": df["delegation_id"].astype(str).to_numpy(),
                         "top_candidate": np.where(df["delegation_id"] != "", df["delegation_id"], top),
                         "confidence": df["confidence"].astype(float).to_numpy(),
                         "stance": df["stance"].astype(str).to_numpy()})


def _unit_of(offsets: np.ndarray, units: pd.DataFrame) -> np.ndarray:
    u = units.sort_values("start_offset")
    starts, ends, ids = u["start_offset"].to_numpy(), u["end_offset"].to_numpy(), u["unit_id"].to_numpy()
    i = np.searchsorted(starts, offsets, side="right") - 1
    ok = (i >= 0) & (offsets < ends[np.maximum(i, 0)])
    return np.where(ok, ids[np.maximum(i, 0)], "")


def judge(readings: pd.DataFrame, truth: pd.DataFrame, units: pd.DataFrame) -> pd.DataFrame:
    """One row per reading inside a validation unit, judged against the truth.

    Columns: the reading's own, ``unit_id``, ``half``, ``claimed`` (a delegation was named),
    ``judgement`` of the claim or, for an abstention, of its top candidate (right / wrong /
    prose / uncertain), ``true_id``, ``true_certainty``, ``true_stance``, ``true_list``,
    ``truth_start`` (offset of the matched true name, -1 = none) and ``stance_ok``."""
    names = truth[truth["kind"] == "name"].sort_values("start_offset")
    ts, te = names["start_offset"].to_numpy(), names["end_offset"].to_numpy()
    r = readings.copy().reset_index(drop=True)
    # a reading belongs to the unit that holds its first character
    r["unit_id"] = _unit_of(r["start_offset"].to_numpy(), units)
    r = r[r["unit_id"] != ""].copy()
    half = dict(zip(units["unit_id"], units["half"]))
    r["half"] = r["unit_id"].map(half)
    rows = []
    for x in r.itertuples(index=False):
        lo = np.searchsorted(te, x.start_offset, side="right")  # true names ending after the reading starts
        cand = [j for j in range(max(lo - 3, 0), len(ts)) if ts[j] < x.end_offset and te[j] > x.start_offset]
        guess = x.delegation_id or x.top_candidate
        best, best_key = None, None
        for j in cand:
            t = names.iloc[j]
            ov = min(te[j], x.end_offset) - max(ts[j], x.start_offset)
            key = (t["delegation_id"] == guess and t["certainty"] != "uncertain", ov)
            if best_key is None or key > best_key:
                best, best_key = t, key
        if best is None:
            j_, tid, cert, tst, tl, tstart = "prose", "", "", "", -1, -1
        else:
            tid, cert, tst, tl, tstart = (best["delegation_id"], best["certainty"], best["stance"],
                                         int(best["list_no"]), int(best["start_offset"]))
            if cert != "uncertain" and tid == guess:
                j_ = "right"
            elif cert == "uncertain":
                j_ = "uncertain"
            else:
                j_ = "wrong"
        rows.append((j_, tid, cert, tst, tl, tstart))
    extra = pd.DataFrame(rows, columns=["judgement", "true_id", "true_certainty", "true_stance", "true_list",
                                        "truth_start"], index=r.index)
    out = pd.concat([r, extra], axis=1)
    out["claimed"] = out["delegation_id"] != ""
    out["stance_ok"] = (out["judgement"] == "right") & (out["stance"] == out["true_stance"])
    return out.sort_values(["start_offset", "end_offset"], kind="mergesort").reset_index(drop=True)


# ---------------------------------------------------------------- scores


@dataclass(frozen=True)
class Scores:
    """Precision, recall, stance accuracy and calibration of one set of judged readings on one half."""

    half: str
    summary: pd.DataFrame  # measure, k, n, value, lo, hi (Wilson), boot_lo, boot_hi (units bootstrap)
    calibration: pd.DataFrame  # band, n, mean_confidence, accuracy, lo, hi, gap
    judged: pd.DataFrame

    def value(self, measure: str) -> float:
        return float(self.summary.set_index("measure").at[measure, "value"])


def _true_names(truth: pd.DataFrame, half: str | None) -> pd.DataFrame:
    t = truth[(truth["kind"] == "name")]
    return t if half is None else t[t["half"] == half]


def _counts(judged: pd.DataFrame, truth_names: pd.DataFrame) -> dict[str, tuple[int, int]]:
    """(k, n) of every proportion the scorer reports."""
    claims = judged[judged["claimed"]]
    decided = claims[claims["judgement"] != "uncertain"]
    right = decided[decided["judgement"] == "right"]
    found = set(right["truth_start"])
    known = truth_names[truth_names["certainty"] != "uncertain"]
    sure = truth_names[truth_names["certainty"] == "sure"]
    return {
        "precision": (len(right), len(decided)),
        "recall": (int(known["start_offset"].isin(found).sum()), len(known)),
        "recall_sure": (int(sure["start_offset"].isin(found).sum()), len(sure)),
        "stance_accuracy": (int(right["stance_ok"].sum()), int((right["true_stance"] != "other").sum())),
        "wrong_share": (int((decided["judgement"] == "wrong").sum()), len(decided)),
        "prose_share": (int((decided["judgement"] == "prose").sum()), len(decided)),
        "claims_on_uncertain": (int((claims["judgement"] == "uncertain").sum()), len(claims)),
    }


def calibration_table(judged: pd.DataFrame, bands=BANDS) -> pd.DataFrame:
    """Reliability by confidence band over every reading with a top candidate (claims and
    abstentions; readings on uncertain true names left out): n, mean confidence, share right
    (Wilson interval) and the gap accuracy − confidence."""
    d = judged[(judged["judgement"] != "uncertain") & (judged["top_candidate"] != "")]
    edges = list(bands) + [1.0 + 1e-9]
    rows = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        g = d[(d["confidence"] >= lo) & (d["confidence"] < hi)]
        k = int((g["judgement"] == "right").sum())
        n = len(g)
        a, b = wilson(k, n)
        label = f"[{lo:.2f}, {min(hi, 1.0):.2f}{']' if hi > 1 else ')'}"
        mc = float(g["confidence"].mean()) if n else float("nan")
        acc = k / n if n else float("nan")
        rows.append({"band": label, "n": n, "n_right": k, "mean_confidence": mc, "accuracy": acc, "lo": a, "hi": b,
                     "gap": acc - mc if n else float("nan")})
    return pd.DataFrame(rows)


def score(judged: pd.DataFrame, truth: pd.DataFrame, half: str | None = None, n_boot: int = 2000,
          seed: int = SEED) -> Scores:
    """Scores of judged readings (:func:`judge`) on ``half`` (``dev``, ``heldout`` or None = both),
    with Wilson intervals and a bootstrap over units (percentile, ``n_boot`` resamples)."""
    j = judged if half is None else judged[judged["half"] == half]
    tn = _true_names(truth, half)
    counts = _counts(j, tn)
    units = sorted(set(tn["unit_id"]) | set(j["unit_id"]))
    per_unit = {u: _counts(j[j["unit_id"] == u], tn[tn["unit_id"] == u]) for u in units}
    rng = np.random.default_rng(seed)
    boot = {m: [] for m in counts}
    if units and n_boot:
        arr = {m: np.array([per_unit[u][m] for u in units], dtype=float) for m in counts}
        idx = rng.integers(0, len(units), size=(n_boot, len(units)))
        for m in counts:
            k = arr[m][idx, 0].sum(axis=1)
            n = arr[m][idx, 1].sum(axis=1)
            with np.errstate(invalid="ignore", divide="ignore"):
                boot[m] = k / n
    rows = []
    for m, (k, n) in counts.items():
        lo, hi = wilson(k, n)
        b = np.asarray(boot[m], dtype=float)
        b = b[np.isfinite(b)]
        rows.append({"measure": m, "k": k, "n": n, "value": k / n if n else float("nan"), "lo": lo, "hi": hi,
                     "boot_lo": float(np.quantile(b, 0.025)) if len(b) else float("nan"),
                     "boot_hi": float(np.quantile(b, 0.975)) if len(b) else float("nan")})
    return Scores(half or "all", pd.DataFrame(rows), calibration_table(j), j)


# ---------------------------------------------------------------- inter-annotator agreement


def read_second(directory: Path | None = None) -> pd.DataFrame:
    """The independent second annotation (``annotations/truth_E.csv``) in :func:`read_truth` form
    (empty when absent)."""
    directory = Path(directory or VALIDATION_DIR)
    name = f"{ANNOTATIONS}/truth_{SECOND_ANNOTATOR}.csv"
    if not (directory / name).exists():
        return pd.DataFrame(columns=list(TRUTH_COLUMNS) + ["half"])
    return read_truth(directory, name)


def _pairs(a: pd.DataFrame, b: pd.DataFrame) -> list[tuple[int, int]]:
    """Index pairs (i in a, j in b) of overlapping name spans, each row paired at most once
    (largest overlap first)."""
    cand = []
    for i, x in a.iterrows():
        for j, y in b[(b["start_offset"] < x["end_offset"]) & (b["end_offset"] > x["start_offset"])].iterrows():
            ov = min(x["end_offset"], y["end_offset"]) - max(x["start_offset"], y["start_offset"])
            cand.append((-ov, i, j))
    used_a, used_b, out = set(), set(), []
    for _, i, j in sorted(cand):
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            out.append((i, j))
    return out


def agreement(first: pd.DataFrame, second: pd.DataFrame) -> pd.DataFrame:
    """Agreement of two annotations of the same units (names only), one row per measure with
    k, n, value and a Wilson interval:

    - ``names_found_by_both``: name occurrences marked by both / marked by either;
    - ``same_delegation``: of the pairs both identified (sure or probable), the same id;
    - ``same_delegation_sure``: the same, pairs both marked sure;
    - ``same_certainty_class``: of the pairs, both identified or both uncertain;
    - ``same_stance``: of the pairs, the same stance."""
    units = sorted(set(second["unit_id"]))
    a = first[(first["kind"] == "name") & first["unit_id"].isin(units)].reset_index(drop=True)
    b = second[(second["kind"] == "name")].reset_index(drop=True)
    pairs = _pairs(a, b)
    ident = [(i, j) for i, j in pairs if a.at[i, "certainty"] != "uncertain" and b.at[j, "certainty"] != "uncertain"]
    sure = [(i, j) for i, j in ident if a.at[i, "certainty"] == "sure" and b.at[j, "certainty"] == "sure"]
    rows = {
        "names_found_by_both": (len(pairs), len(a) + len(b) - len(pairs)),
        "same_delegation": (sum(a.at[i, "delegation_id"] == b.at[j, "delegation_id"] for i, j in ident), len(ident)),
        "same_delegation_sure": (sum(a.at[i, "delegation_id"] == b.at[j, "delegation_id"] for i, j in sure), len(sure)),
        "same_certainty_class": (sum((a.at[i, "certainty"] == "uncertain") == (b.at[j, "certainty"] == "uncertain")
                                     for i, j in pairs), len(pairs)),
        "same_stance": (sum(a.at[i, "stance"] == b.at[j, "stance"] for i, j in pairs), len(pairs)),
    }
    out = []
    for m, (k, n) in rows.items():
        lo, hi = wilson(k, n)
        out.append({"measure": m, "k": int(k), "n": int(n), "value": k / n if n else float("nan"), "lo": lo, "hi": hi})
    return pd.DataFrame(out)


# ---------------------------------------------------------------- the tables the build writes

BASELINE_FILE = "baseline_readings.csv"


def read_baseline(directory: Path | None = None) -> pd.DataFrame:
    """The readings of the recovery before issue 12 inside the validation units (``positions`` rows
    of ``ahc6-amended-draft`` as built at commit f267ac7), as readings."""
    df = _read_csv(Path(directory or VALIDATION_DIR) / BASELINE_FILE)
    df["offset"] = df["offset"].astype(int)
    df["confidence"] = df["confidence"].astype(float)
    return readings_from_positions(df)


def validation_tables(final_readings: pd.DataFrame, directory: Path | None = None, n_boot: int = 2000
                      ) -> dict[str, pd.DataFrame]:
    """``recovery_validation``, ``recovery_reliability``, ``recovery_judgements`` and
    ``recovery_agreement`` for the final readings (:func:`treatydrafts.analysis.recovery.readings_frame`)
    and the baseline's."""
    truth, units = read_truth(directory), read_units(directory)
    scores, rel = [], []
    judged = {}
    for reader, readings in (("final", final_readings), ("baseline", read_baseline(directory))):
        j = judge(readings, truth, units)
        judged[reader] = j
        for half in ("dev", "heldout", "all"):
            sc = score(j, truth, None if half == "all" else half, n_boot=n_boot)
            scores.append(sc.summary.assign(reader=reader, half=half))
            rel.append(sc.calibration.assign(reader=reader, half=half))
    j = judged["final"]
    cols = ["unit_id", "half", "start_offset", "end_offset", "damaged", "delegation_id", "top_candidate", "confidence",
            "stance", "claimed", "judgement", "true_id", "true_certainty", "true_stance", "stance_ok"]
    out = j[cols].copy()
    out["true_id"] = out["true_id"].fillna("")
    return {"recovery_validation": pd.concat(scores, ignore_index=True),
            "recovery_reliability": pd.concat(rel, ignore_index=True),
            "recovery_judgements": out,
            "recovery_agreement": agreement(truth, read_second(directory))}
