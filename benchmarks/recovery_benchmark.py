"""Benchmark: recover delegation names from synthetically damaged lists, and time
the recovery of the whole document.

Accuracy.  Known name lists (registry UN short names plus the forms
``ahc6-amended-draft`` uses) are joined with varied separators and group
labels, damaged with the loss model measured on the real document, and read
back with ``recover.recover_lists`` (``recover.run_benchmark``).  Two ways of
drawing names (``uniform`` over the registry; ``activity``: weighted by the
delegations' positions in ``ahc4-cnd``) × two priors (``uniform``; ``em``:
fitted to the damaged lists themselves, no ground truth).  Reported on the
development seeds (``recover.DEV_SEEDS``, used while tuning) and on held-out
seeds (``recover.HELDOUT_SEEDS``).  The build writes the held-out tables to
``data/recovery_benchmark.csv`` and ``data/recovery_calibration.csv`` (build
step "damaged-text recovery"); this script only prints.

Timing.  Each measurement runs in a fresh Python process (cold: nothing
cached), CPU time (``time.process_time``) and wall time:
``td.load("ahc6-amended-draft")`` end to end, and its parts (read + segment,
loss model, extraction).  Not written to ``data/`` (timings are not
deterministic).

Run: ``python benchmarks/recovery_benchmark.py [--quick]``
"""
from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd

from treatydrafts.analysis import recovery as R

COLD_LOAD = r"""
import json, time
t0, w0 = time.process_time(), time.perf_counter()
import treatydrafts as td
t1 = time.process_time()
frames = td.load("ahc6-amended-draft")
t2, w2 = time.process_time(), time.perf_counter()
print(json.dumps({"import_cpu_s": t1 - t0, "load_cpu_s": t2 - t1, "wall_s": w2 - w0}))
"""

COLD_PARTS = r"""
import json, time
from collections import Counter
from treatydrafts.parse import clean, recover as R
from treatydrafts.parse.recover.loss import loss_model_for
from treatydrafts.parse.segment.amended_draft import segment
from treatydrafts.parse.segment.plain import segment_chair_draft
t0 = time.process_time()
src, _ = clean.read_source("ahc6-amended-draft")
seg = segment(src)
chair, _ = clean.read_source("ahc6-chair-draft")
chair_seg = segment_chair_draft(chair)
t1 = time.process_time()
loss = loss_model_for(src, seg, chair, chair_seg)
inv = R.inventory_for(loss)
t2 = time.process_time()
props, pos, _ = R.extract_proposals(src, seg, (chair, chair_seg), inv)
t3 = time.process_time()
res = Counter(p.resolution for p in pos)
print(json.dumps({"read_segment_cpu_s": t1 - t0, "loss_model_cpu_s": t2 - t1, "extract_cpu_s": t3 - t2,
                  "recovery_cpu_s": t3 - t1, "proposals": len(props), "positions": len(pos),
                  **{f"n_{k}": v for k, v in sorted(res.items())},
                  "inventory_forms": len(inv.forms), "inventory_chars": len(inv.chars)}))
"""


def cold(code: str) -> dict:
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def accuracy(seeds) -> pd.DataFrame:
    rows = []
    for sampling in ("uniform", "activity"):
        for prior in ("uniform", "em"):
            df, cal = R.run_benchmark(seeds, sampling, prior)
            summary, _ = R.summarise_benchmark(df, cal)
            top = summary.iloc[0]
            n = df["true_names"].sum()
            rows.append({"sampling": sampling, "prior": prior, "precision": top["precision"],
                         "recall": top["recall"], "stance_recall": top["stance_recall"],
                         "ambiguous": top["ambiguous"],
                         # the ceiling: every name's top candidate accepted, whatever its confidence
                         "recall_if_all_accepted": cal["top_correct"].sum() / n})
    return pd.DataFrame(rows)


def main(argv: list[str]) -> None:
    quick = "--quick" in argv
    pd.set_option("display.width", 160)
    for label, seeds in (("development seeds", R.DEV_SEEDS), ("held-out seeds", R.HELDOUT_SEEDS)):
        print(f"== accuracy, {label} {seeds}")
        print(accuracy(seeds[:2] if quick else seeds).round(3).to_string(index=False))
    bench, calib = R.benchmark_tables()
    print("== calibration, held-out seeds")
    print(calib.round(3).to_string(index=False))
    if quick:
        return
    print("== timing (fresh process each, CPU seconds)")
    runs = 3
    loads = pd.DataFrame([cold(COLD_LOAD) for _ in range(runs)])
    parts = pd.DataFrame([cold(COLD_PARTS) for _ in range(runs)])
    print(loads.round(2).to_string(index=False))
    print(parts.round(2).to_string(index=False))
    print("median td.load CPU:", round(loads["load_cpu_s"].median(), 2), "s; median recovery CPU:",
          round(parts["recovery_cpu_s"].median(), 2), "s")


if __name__ == "__main__":
    main(sys.argv[1:])
