"""Benchmark: recover delegation names from synthetically damaged lists.

Known name lists are drawn from the registry (the UN short names plus the
forms ``ahc6-amended-draft`` uses), joined with varied separators and group
labels, damaged with the loss model measured on the real document
(``recover.default_loss_model()``: keep rate by character and position in the
word), and parsed back with ``recover.recover_list``.  Name-level precision
and recall (multiset match of delegation ids within each list) and a
confidence-vs-accuracy calibration table are written to
``data/recovery_benchmark.csv`` and ``data/recovery_calibration.csv``; the
whole-document timing to ``data/recovery_timing.csv``.

Run: ``python benchmarks/recovery_benchmark.py [--quick]``
"""
from __future__ import annotations

import sys
import time
from collections import Counter

import numpy as np
import pandas as pd

from treatydrafts import paths
from treatydrafts import recover as R
from treatydrafts.registry import load_delegations

SEEDS = (0, 1, 2, 3, 4)
LENGTHS = (1, 3, 6, 12)
SEPARATORS = (", ", ",", " ", ",\n")
LISTS_PER_CONFIG = 6
DOC_FORMS = {"EU and its member States": "EU", "EU & its mS": "EU", "Rep. of Korea": "KOR", "UK": "GBR",
             "CARICOM": "CARICOM", "Dem. People's Rep. of Korea": "PRK"}
PREFIXES = ("", "to a computer system ", "shall adopt such measures ")


def name_pool() -> list[tuple[str, str]]:
    d = load_delegations()
    pool = [(n, i) for n, i in zip(d["name"], d["delegation_id"]) if i not in ("EU", "CARICOM", "GBR", "KOR", "PRK")]
    pool += [(f, i) for f, i in DOC_FORMS.items()]
    return sorted(pool)


def make_list(rng: np.random.Generator, pool, k: int, sep: str, loss: R.LossModel):
    idx = rng.choice(len(pool), size=k, replace=False)
    names = [pool[i] for i in idx]
    truth = []
    parts = []
    stance = "propose"
    for j, (form, did) in enumerate(names):
        if j and k >= 6 and j == k // 2:
            label = ["Delete", "Retain", "Retain original"][int(rng.integers(3))]
            parts.append(f". {label}: ")
            stance = R.LABELS[label]
        elif j:
            parts.append(sep)
        parts.append(form)
        truth.append((did, stance))
    clean = "".join(parts)
    prefix = PREFIXES[int(rng.integers(len(PREFIXES)))]
    damaged = loss.damage(prefix + clean, rng)
    return prefix, clean, damaged, truth


def run(quick: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    loss = R.default_loss_model()
    inv = R.default_inventory()
    pool = name_pool()
    rows, cal = [], []
    seeds = SEEDS[:2] if quick else SEEDS
    for seed in seeds:
        rng = np.random.default_rng(seed)
        for k in LENGTHS:
            for sep in SEPARATORS:
                for _ in range(LISTS_PER_CONFIG):
                    prefix, clean, damaged, truth = make_list(rng, pool, k, sep, loss)
                    t = time.perf_counter()
                    items = R.recover_list(damaged, inv, list_open=(prefix == ""))
                    dt = time.perf_counter() - t
                    names = [it for it in items if it.kind == "name"]
                    want = Counter(d for d, _ in truth)
                    got = Counter(it.delegation_id for it in names if it.delegation_id)
                    tp = sum((want & got).values())
                    stance_ok = sum((Counter(truth) & Counter((it.delegation_id, it.stance) for it in names
                                                               if it.delegation_id)).values())
                    rows.append({"seed": seed, "list_length": k, "separator": repr(sep), "prefix": bool(prefix),
                                 "true_names": sum(want.values()), "resolved": sum(got.values()),
                                 "ambiguous": sum(1 for it in names if not it.delegation_id),
                                 "correct": tp, "correct_stance": stance_ok,
                                 "damaged_chars": len(damaged), "seconds": round(dt, 4)})
                    avail = Counter(want)
                    for it in names:
                        top = it.candidates[0][0] if it.candidates else ""
                        ok = avail[top] > 0
                        if ok:
                            avail[top] -= 1
                        cal.append({"confidence": it.confidence, "top_correct": ok,
                                    "resolved": bool(it.delegation_id)})
    return pd.DataFrame(rows), pd.DataFrame(cal)


def summarise(df: pd.DataFrame, cal: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    def pr(g):
        return pd.Series({"lists": len(g), "true_names": g["true_names"].sum(), "resolved": g["resolved"].sum(),
                          "ambiguous": g["ambiguous"].sum(),
                          "precision": g["correct"].sum() / max(g["resolved"].sum(), 1),
                          "recall": g["correct"].sum() / max(g["true_names"].sum(), 1),
                          "stance_recall": g["correct_stance"].sum() / max(g["true_names"].sum(), 1),
                          "mean_seconds": g["seconds"].mean()})

    parts = [pr(df).to_frame().T.assign(group="all", value="all")]
    for col in ("list_length", "separator", "seed", "prefix"):
        for v, g in df.groupby(col):
            parts.append(pr(g).to_frame().T.assign(group=col, value=str(v)))
    summary = pd.concat(parts, ignore_index=True)[["group", "value", "lists", "true_names", "resolved", "ambiguous",
                                                    "precision", "recall", "stance_recall", "mean_seconds"]]
    bins = [0, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0001]
    cal = cal.assign(bin=pd.cut(cal["confidence"], bins, right=False))
    calib = cal.groupby("bin", observed=True).agg(n=("top_correct", "size"), mean_confidence=("confidence", "mean"),
                                                  accuracy=("top_correct", "mean")).reset_index()
    calib["bin"] = calib["bin"].astype(str)
    return summary, calib


def time_document() -> pd.DataFrame:
    from treatydrafts import clean
    from treatydrafts.segment.amended_draft import segment

    R.default_loss_model.cache_clear()
    R.default_inventory.cache_clear()
    t0 = time.perf_counter()
    src, _ = clean.read_source("ahc6-amended-draft")
    seg = segment(src)
    t1 = time.perf_counter()
    inv = R.default_inventory()  # loss model + inventory, cold
    t2 = time.perf_counter()
    props, pos, _ = R.extract_proposals(src, seg, inv)
    t3 = time.perf_counter()
    res = Counter(p.resolution for p in pos)
    return pd.DataFrame([{"read_segment_s": round(t1 - t0, 2), "loss_model_s": round(t2 - t1, 2),
                          "extract_s": round(t3 - t2, 2), "total_s": round(t3 - t0, 2),
                          "proposals": len(props), "positions": len(pos), **{f"n_{k}": v for k, v in sorted(res.items())},
                          "inventory_forms": len(inv.forms), "inventory_chars": len(inv.chars)}])


def main(argv: list[str]) -> None:
    quick = "--quick" in argv
    df, cal = run(quick)
    summary, calib = summarise(df, cal)
    paths.DATA.mkdir(exist_ok=True)
    summary.round(4).to_csv(paths.DATA / "recovery_benchmark.csv", index=False)
    calib.round(4).to_csv(paths.DATA / "recovery_calibration.csv", index=False)
    print(summary.round(3).to_string())
    print(calib.round(3).to_string())
    if not quick:
        timing = time_document()
        timing.to_csv(paths.DATA / "recovery_timing.csv", index=False)
        print(timing.to_string())


if __name__ == "__main__":
    main(sys.argv[1:])
