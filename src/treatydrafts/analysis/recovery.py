"""Recovery of the damaged 6th-session draft, measured (compute only).

- :func:`document_loss_model`: the loss model of ``ahc6-amended-draft``
  measured against the Chair's draft, and :func:`loss_profile_table`.
- The synthetic benchmark: known name lists (registry names, some in the
  document's own forms) damaged with the measured loss model and read back
  (:func:`run_benchmark`, :func:`summarise_benchmark`, :func:`benchmark_tables`;
  development seeds 0-4, held-out seeds 101-105).  A development aid: it
  never meets prose.
"""
from __future__ import annotations

from collections import Counter, defaultdict

import numpy as np
import pandas as pd

from .. import corpus as _corpus
from ..parse.recover import calibrate
from ..parse.recover.document import Reading, read_document, read_texts
from ..parse.recover.loss import LossModel, loss_model_for
from ..parse.recover.names import LABELS
from ..parse.registry import load_delegations
from . import recovery_validation as validation

DOC_ID = "ahc6-amended-draft"


def document_readings(corpus=None, **kwargs) -> list[Reading]:
    """Every name, label and unknown item read from ``ahc6-amended-draft``
    (:func:`treatydrafts.parse.recover.document.read_document`; keyword arguments passed on)."""
    corpus = corpus or _corpus.DEFAULT
    doc = corpus.segmented(DOC_ID)
    base = corpus.segmented(_corpus.BASE_OF[DOC_ID])
    return read_document(doc.source, doc.segmentation, (base.source, base.segmentation), **kwargs)


def readings_frame(readings: list[Reading]) -> pd.DataFrame:
    """The name readings as a frame for :func:`recovery_validation.judge`: span, delegation (empty =
    abstained), top candidate, confidence, stance, the damaged string, the form, the candidates
    and every feature of the calibration."""
    names = [r for r in readings if r.kind == "name"]
    rows = []
    for r in names:
        f = dict(r.features)
        rows.append({"start_offset": r.start_offset, "end_offset": r.end_offset, "damaged": r.damaged,
                     "form": r.form, "delegation_id": r.delegation_id,
                     "top_candidate": r.candidates[0][0] if r.candidates else "", "confidence": r.confidence,
                     "stance": r.stance, "candidates": "|".join(f"{d}:{p:.2f}" for d, p in r.candidates),
                     **{k: f.get(k, np.nan) for k in ("posterior", "posterior0", "letters", "n_anchors", "log_lik",
                                                      "prose_loglik")}})
    cols = ["start_offset", "end_offset", "damaged", "form", "delegation_id", "top_candidate", "confidence", "stance",
            "candidates", "posterior", "posterior0", "letters", "n_anchors", "log_lik", "prose_loglik"]
    return pd.DataFrame(rows, columns=cols)


def judge_document(corpus=None, readings: list[Reading] | None = None, **kwargs) -> pd.DataFrame:
    """The document's name readings judged against the validation set (both halves)."""
    readings = readings if readings is not None else document_readings(corpus, **kwargs)
    return validation.judge(readings_frame(readings), validation.read_truth(), validation.read_units())


def fit_calibration(judged: pd.DataFrame, accept: float = calibrate.ACCEPT, C: float = 1.0) -> calibrate.Calibration:
    """Logistic regression of "the top candidate is right" on the calibration features
    (:func:`calibrate.feature_vector`), fitted on the **development half** of ``judged`` only
    (readings with a top candidate, not on an uncertain true name); coefficients rounded to 4 places."""
    from sklearn.linear_model import LogisticRegression

    d = judged[(judged["half"] == "dev") & (judged["judgement"] != "uncertain") & (judged["top_candidate"] != "")]
    X = np.array([calibrate.feature_vector(r) for r in d.to_dict("records")])
    y = (d["judgement"] == "right").to_numpy()
    m = LogisticRegression(C=C, max_iter=2000).fit(X, y)
    return calibrate.Calibration(tuple(round(float(c), 4) for c in m.coef_[0]), round(float(m.intercept_[0]), 4),
                                 accept)


def document_loss_model(corpus=None) -> LossModel:
    """The loss model of ``ahc6-amended-draft`` against the Chair's draft it amends."""
    corpus = corpus or _corpus.DEFAULT
    doc = corpus.segmented(DOC_ID)
    base = corpus.segmented(_corpus.BASE_OF[DOC_ID])
    return loss_model_for(doc.source, doc.segmentation, base.source, base.segmentation)


DEV_SEEDS = (0, 1, 2, 3, 4)  # used while developing the model
HELDOUT_SEEDS = (101, 102, 103, 104, 105)  # reported; never looked at while tuning
BENCH_LENGTHS = (1, 3, 6, 12)
BENCH_SEPARATORS = (", ", ",", " ", ",\n")
BENCH_LISTS_PER_CONFIG = 6
BENCH_PREFIXES = ("", "to a computer system ", "shall adopt such measures ")
# Forms this document uses for some delegations (they replace the UN short name in the pool)
BENCH_DOC_FORMS = {"EU and its member States": "EU", "EU & its mS": "EU", "Rep. of Korea": "KOR", "UK": "GBR",
                   "CARICOM": "CARICOM", "Dem. People's Rep. of Korea": "PRK"}


def bench_pool() -> list[tuple[str, str]]:
    """(name as written, delegation id): UN short names, with the document's own forms for some."""
    d = load_delegations()
    swapped = set(BENCH_DOC_FORMS.values())
    pool = [(n, i) for n, i in zip(d["name"], d["delegation_id"]) if i not in swapped]
    pool += list(BENCH_DOC_FORMS.items())
    return sorted(pool)


def bench_weights(pool: list[tuple[str, str]], sampling: str, corpus=None) -> np.ndarray:
    """Sampling weights over the pool: ``uniform``, or ``activity`` — proportional to
    1 + the delegation's positions in ``ahc4-cnd`` (clean codes of another session,
    so the skew is realistic and independent of the damaged document)."""
    w = np.ones(len(pool))
    if sampling == "activity":
        corpus = corpus or _corpus.DEFAULT
        n = corpus.load("ahc4-cnd").positions["delegation_id"].value_counts()
        w = np.array([1.0 + float(n.get(i, 0)) for _, i in pool])
    return w / w.sum()


def bench_list(rng: np.random.Generator, pool, weights, k: int, sep: str, loss: LossModel):
    """One synthetic list: (prefix, clean text, damaged text, [(delegation_id, stance)])."""
    idx = rng.choice(len(pool), size=k, replace=False, p=weights)
    parts, truth = [], []
    stance = "sponsor"
    for j, i in enumerate(idx):
        form, did = pool[int(i)]
        if j and k >= 6 and j == k // 2:
            label = ["Delete", "Retain", "Retain original"][int(rng.integers(3))]
            parts.append(f". {label}: ")
            stance = LABELS[label]
        elif j:
            parts.append(sep)
        parts.append(form)
        truth.append((did, stance))
    clean = "".join(parts)
    prefix = BENCH_PREFIXES[int(rng.integers(len(BENCH_PREFIXES)))]
    return prefix, clean, loss.damage(prefix + clean, rng), truth


def run_benchmark(seeds=DEV_SEEDS, sampling: str = "uniform", prior: str = "uniform",
                  inv: Inventory | None = None, loss: LossModel | None = None,
                  lists_per_config: int = BENCH_LISTS_PER_CONFIG, corpus=None):
    """Damage known lists, read them back; one row per list and one per name read.

    The lists of one seed are read together (``recover_lists``), and with
    ``prior="em"`` the prior is fitted to that batch's damaged text only.
    ``loss`` defaults to the document's own loss model (:func:`document_loss_model`).
    """
    loss = loss or document_loss_model(corpus)
    inv = inv or inventory_for(loss)
    pool = bench_pool()
    weights = bench_weights(pool, sampling, corpus)
    rows, cal = [], []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        batch = [(k, sep, *bench_list(rng, pool, weights, k, sep, loss))
                 for k in BENCH_LENGTHS for sep in BENCH_SEPARATORS for _ in range(lists_per_config)]
        readings = recover_lists([b[4] for b in batch], inv, [b[2] == "" for b in batch], prior=prior)
        for (k, sep, prefix, clean, damaged, truth), items in zip(batch, readings):
            names = [it for it in items if it.kind == "name"]
            want = Counter(d for d, _ in truth)
            got = Counter(it.delegation_id for it in names if it.delegation_id)
            stance_ok = sum((Counter(truth) & Counter((it.delegation_id, it.stance) for it in names
                                                       if it.delegation_id)).values())
            rows.append({"seed": seed, "list_length": k, "separator": repr(sep), "prefix": bool(prefix),
                         "true_names": sum(want.values()), "resolved": sum(got.values()),
                         "ambiguous": sum(1 for it in names if not it.delegation_id),
                         "correct": sum((want & got).values()), "correct_stance": stance_ok,
                         "damaged_chars": len(damaged)})
            avail = Counter(want)
            for it in names:
                top = it.candidates[0][0] if it.candidates else ""
                ok = avail[top] > 0
                if ok:
                    avail[top] -= 1
                cal.append({"seed": seed, "confidence": it.confidence, "top_correct": ok,
                            "resolved": bool(it.delegation_id), "damaged_len": len(it.damaged.strip())})
    return pd.DataFrame(rows), pd.DataFrame(cal)


CALIBRATION_BINS = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0001)


def summarise_benchmark(df, cal):
    """(summary by group, calibration table) from :func:`run_benchmark` rows."""
    def pr(g):
        return {"lists": len(g), "true_names": int(g["true_names"].sum()), "resolved": int(g["resolved"].sum()),
                "ambiguous": int(g["ambiguous"].sum()),
                "precision": g["correct"].sum() / max(g["resolved"].sum(), 1),
                "recall": g["correct"].sum() / max(g["true_names"].sum(), 1),
                "stance_recall": g["correct_stance"].sum() / max(g["true_names"].sum(), 1)}

    parts = [{"group": "all", "value": "all", **pr(df)}]
    for col in ("list_length", "separator", "prefix"):
        for v, g in df.groupby(col, sort=True):
            parts.append({"group": col, "value": str(v), **pr(g)})
    summary = pd.DataFrame(parts)
    b = pd.cut(cal["confidence"], list(CALIBRATION_BINS), right=False)
    calib = cal.assign(bin=b).groupby("bin", observed=True).agg(
        n=("top_correct", "size"), mean_confidence=("confidence", "mean"),
        accuracy=("top_correct", "mean")).reset_index()
    calib["bin"] = [f"[{iv.left:.2f}, {min(iv.right, 1.0):.2f}{')' if iv.right < 1 else ']'}" for iv in calib["bin"]]
    return summary, calib


def benchmark_tables(seeds=HELDOUT_SEEDS, configs=(("uniform", "uniform"), ("uniform", "em"),
                                                  ("activity", "uniform"), ("activity", "em")), corpus=None):
    """The ``recovery_benchmark`` and ``recovery_calibration`` tables (held-out seeds by default)."""
    sums, cals = [], []
    for sampling, prior in configs:
        df, cal = run_benchmark(seeds, sampling, prior, corpus=corpus)
        summary, calib = summarise_benchmark(df, cal)
        sums.append(summary.assign(sampling=sampling, prior=prior))
        cals.append(calib.assign(sampling=sampling, prior=prior))
    bench = pd.concat(sums, ignore_index=True)
    calib = pd.concat(cals, ignore_index=True)
    seeds_s = " ".join(map(str, seeds))
    bench.insert(0, "seeds", seeds_s)
    calib.insert(0, "seeds", seeds_s)
    lead = ["seeds", "sampling", "prior"]
    bench = bench[lead + [c for c in bench.columns if c not in lead]]
    calib = calib[lead + [c for c in calib.columns if c not in lead]]
    return bench, calib


def loss_profile_table(loss: LossModel):
    """The ``loss_profile`` table: counts and keep rates by cell, character, position, overall."""
    rows = []
    key_n: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    pos_n: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for (k, p), (kept, total) in loss.counts.items():
        rows.append({"level": "cell", "char_key": k, "position": p, "kept": kept, "total": total,
                     "keep_rate": loss.table[(k, p)]})
        for tab, idx in ((key_n, k), (pos_n, p)):
            tab[idx][0] += kept
            tab[idx][1] += total
    rows += [{"level": "character", "char_key": k, "position": "", "kept": v[0], "total": v[1],
              "keep_rate": loss.by_key[k]} for k, v in key_n.items()]
    rows += [{"level": "position", "char_key": "", "position": p, "kept": v[0], "total": v[1],
              "keep_rate": loss.by_pos[p]} for p, v in pos_n.items()]
    kept = sum(v[0] for v in key_n.values())
    rows.append({"level": "overall", "char_key": "", "position": "", "kept": kept, "total": loss.n_chars,
                 "keep_rate": loss.overall})
    df = pd.DataFrame(rows)
    df["keep_rate"] = df["keep_rate"].round(4)
    return df
