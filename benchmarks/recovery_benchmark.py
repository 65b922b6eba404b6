"""Benchmark of the 6th-session name recovery: the hand-judged validation set, the synthetic
lists, and the CPU time of reading the whole document.

Validation (what to trust).  The recovery's readings of ``ahc6-amended-draft`` scored against the
hand-judged validation set (``data/validation``: 56 units drawn at random from the whole document,
judged blind by hand; ``treatydrafts.analysis.recovery_validation``): precision, recall, stance
accuracy, prose read as names and the reliability diagram by confidence band, on the **held-out
half** (never used while tuning) beside the development half, for the recovery before issue 12
(``baseline``) and now (``final``).  The build writes the same figures to
``data/recovery_validation.csv`` and ``data/recovery_reliability.csv``.

Synthetic lists (a development aid).  Known name lists (one form per delegation as the document
writes names) joined with varied separators and group labels, damaged with the loss model measured
on the real document and read back by the document's reader (``recovery.run_benchmark``); names
drawn ``uniform``ly over the registry or by ``activity`` in ``ahc4-cnd``; development seeds and
held-out seeds.  They never meet prose, so their precision says little about the document.

Timing.  Each measurement runs in a fresh Python process (cold: nothing cached), CPU time
(``time.process_time``): the recovery of the whole document (loss model + reading =
``extract_proposals``) and its parts, and the growth with text length (the document's content cut
to a quarter, a half and all of it: CPU time per character should stay flat).  Not written to
``data/`` (timings are not deterministic).

Run: ``python benchmarks/recovery_benchmark.py [--quick]``
"""
from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd

from treatydrafts.analysis import recovery as R
from treatydrafts.analysis import recovery_validation as V

COLD_PARTS = r"""
import json, sys, time
from dataclasses import replace
from treatydrafts.parse import clean
from treatydrafts.parse.recover import extract_proposals
from treatydrafts.parse.recover.loss import loss_model_for
from treatydrafts.parse.segment.amended_draft import segment
from treatydrafts.parse.segment.plain import segment_chair_draft
share = float(sys.argv[1])
src, _ = clean.read_source("ahc6-amended-draft")
seg = segment(src)
if share < 1.0:  # the first share of the lines (the loss model is still measured on the whole document)
    last = int(len(seg.lines) * share)
    seg_cut = replace(seg, lines=tuple(l if l.line <= last else replace(l, role="blank") for l in seg.lines))
else:
    seg_cut = seg
chair, _ = clean.read_source("ahc6-chair-draft")
chair_seg = segment_chair_draft(chair)
t0 = time.process_time()
loss = loss_model_for(src, seg, chair, chair_seg)
t1 = time.process_time()
props, pos, _ = extract_proposals(src, seg_cut, (chair, chair_seg))
t2 = time.process_time()
chars = sum(len(src.line_text(l.line)) for l in seg_cut.lines if l.role not in ("blank", "page_number", "footer", "footnote", "separator", "cover"))
print(json.dumps({"share": share, "content_chars": chars, "loss_model_cpu_s": t1 - t0, "reading_cpu_s": t2 - t1,
                  "recovery_cpu_s": t2 - t0, "proposals": len(props), "positions": len(pos),
                  "recovered": sum(p.resolution == "recovered" for p in pos)}))
"""


def cold(code: str, *args) -> dict:
    out = subprocess.run([sys.executable, "-c", code, *map(str, args)], check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def validation() -> tuple[pd.DataFrame, pd.DataFrame]:
    tables = V.validation_tables(R.readings_frame(R.document_readings()))
    scores = tables["recovery_validation"]
    wide = scores.pivot_table(index="measure", columns=["reader", "half"], values="value")
    wide = wide.reindex(columns=[(r, h) for r in ("baseline", "final") for h in ("heldout", "dev")])
    return wide, tables["recovery_reliability"]


def synthetic(seeds) -> pd.DataFrame:
    rows = []
    for sampling in ("uniform", "activity"):
        df, cal = R.run_benchmark(seeds, sampling)
        top = R.summarise_benchmark(df, cal)[0].iloc[0]
        rows.append({"sampling": sampling, "precision": top["precision"], "recall": top["recall"],
                     "stance_recall": top["stance_recall"], "ambiguous": top["ambiguous"],
                     "recall_if_all_accepted": cal["top_correct"].sum() / df["true_names"].sum()})
    return pd.DataFrame(rows)


def main(argv: list[str]) -> None:
    quick = "--quick" in argv
    pd.set_option("display.width", 160)
    wide, rel = validation()
    print("== hand-judged validation set (data/validation): held-out half beside the development half")
    print(wide.round(3).to_string())
    print("== reliability diagram, final reader (share right by confidence band; Wilson 95%)")
    for half in ("heldout", "dev"):
        g = rel[(rel["reader"] == "final") & (rel["half"] == half)]
        print(f"-- {half}")
        print(g[["band", "n", "n_right", "mean_confidence", "accuracy", "lo", "hi", "gap"]].round(3).to_string(index=False))
    for label, seeds in (("development seeds", R.DEV_SEEDS), ("held-out seeds", R.HELDOUT_SEEDS)):
        print(f"== synthetic lists, {label} {seeds} (never meet prose)")
        print(synthetic(seeds[:2] if quick else seeds).round(3).to_string(index=False))
    if quick:
        return
    print("== timing: whole-document recovery in a fresh process (CPU seconds), and growth with text length")
    runs = 3
    full = pd.DataFrame([cold(COLD_PARTS, 1.0) for _ in range(runs)])
    print(full.round(3).to_string(index=False))
    growth = pd.DataFrame([cold(COLD_PARTS, s) for s in (0.25, 0.5, 1.0)])
    growth["reading_us_per_char"] = 1e6 * growth["reading_cpu_s"] / growth["content_chars"]
    print(growth.round(3).to_string(index=False))
    print("median recovery CPU:", round(full["recovery_cpu_s"].median(), 2), "s (loss model",
          round(full["loss_model_cpu_s"].median(), 2), "s + reading", round(full["reading_cpu_s"].median(), 2), "s)")


if __name__ == "__main__":
    main(sys.argv[1:])
