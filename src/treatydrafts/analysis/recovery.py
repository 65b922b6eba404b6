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
from ..parse.recover.document import Reading, document_forms, read_document, read_texts
from ..parse.recover.loss import LossModel, loss_model_for
from ..parse.recover.names import LABELS
from ..parse.recover.evidence import eu_members
from ..parse.registry import load_delegations
from . import networks
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
    (readings with a top candidate, not on an uncertain true name, and not an EU member State: their
    odds get a fixed prior, :data:`calibrate.EU_MEMBER_ODDS`); coefficients rounded to 4 places."""
    from sklearn.linear_model import LogisticRegression

    d = judged[(judged["half"] == "dev") & (judged["judgement"] != "uncertain") & (judged["top_candidate"] != "")
               & ~judged["top_candidate"].isin(eu_members())]
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
    """(name as written, delegation id): one form per delegation as the document writes names (its
    own forms where it has them, else the registry's UN short name when the reader knows it, else
    the longest form of the reader's inventory)."""
    d = load_delegations()
    forms = document_forms()
    by_id: dict[str, list[str]] = {}
    for f, i in forms.items():
        by_id.setdefault(i, []).append(f)
    swapped = set(BENCH_DOC_FORMS.values())
    pool = []
    for name, i in zip(d["name"], d["delegation_id"]):
        if i in swapped or i not in by_id:
            continue
        pool.append((name if name in forms else max(by_id[i], key=lambda f: (len(f), f)), i))
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


def run_benchmark(seeds=DEV_SEEDS, sampling: str = "uniform", loss: LossModel | None = None,
                  lists_per_config: int = BENCH_LISTS_PER_CONFIG, corpus=None):
    """Damage known lists, read them back with the document's reader
    (:func:`treatydrafts.parse.recover.document.read_texts`: prose model, joint evidence,
    calibrated confidence); one row per list and one per name read.

    The lists of one seed are read together (the joint evidence uses that batch only).  A list
    without a free-text prefix is read as if it followed ``(``.  ``loss`` defaults to the
    document's own loss model (:func:`document_loss_model`)."""
    corpus = corpus or _corpus.DEFAULT
    loss = loss or document_loss_model(corpus)
    base_text = corpus.segmented(_corpus.BASE_OF[DOC_ID]).source.text
    pool = bench_pool()
    weights = bench_weights(pool, sampling, corpus)
    rows, cal = [], []
    for seed in seeds:
        rng = np.random.default_rng(seed)
        batch = [(k, sep, *bench_list(rng, pool, weights, k, sep, loss))
                 for k in BENCH_LENGTHS for sep in BENCH_SEPARATORS for _ in range(lists_per_config)]
        readings = read_texts([b[4] for b in batch], [b[2] == "" for b in batch], loss, base_text)
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

    parts = [{"group": "all", "group_value": "all", **pr(df)}]
    for col in ("list_length", "separator", "prefix"):
        for v, g in df.groupby(col, sort=True):
            parts.append({"group": col, "group_value": str(v), **pr(g)})
    summary = pd.DataFrame(parts)
    b = pd.cut(cal["confidence"], list(CALIBRATION_BINS), right=False)
    calib = cal.assign(bin=b).groupby("bin", observed=True).agg(
        n=("top_correct", "size"), mean_confidence=("confidence", "mean"),
        accuracy=("top_correct", "mean")).reset_index()
    calib["bin"] = [f"[{iv.left:.2f}, {min(iv.right, 1.0):.2f}{')' if iv.right < 1 else ']'}" for iv in calib["bin"]]
    return summary, calib


def benchmark_tables(seeds=HELDOUT_SEEDS, samplings=("uniform", "activity"), corpus=None):
    """The ``recovery_benchmark`` and ``recovery_calibration`` tables (held-out seeds by default)."""
    sums, cals = [], []
    for sampling in samplings:
        df, cal = run_benchmark(seeds, sampling, corpus=corpus)
        summary, calib = summarise_benchmark(df, cal)
        sums.append(summary.assign(sampling=sampling))
        cals.append(calib.assign(sampling=sampling))
    bench = pd.concat(sums, ignore_index=True)
    calib = pd.concat(cals, ignore_index=True)
    seeds_s = " ".join(map(str, seeds))
    bench.insert(0, "seeds", seeds_s)
    calib.insert(0, "seeds", seeds_s)
    lead = ["seeds", "sampling"]
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


# ---------------------------------------------------------------- the findings at other thresholds

SENSITIVITY_THRESHOLDS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99)
N_BOOT_LISTS = 100  # bootstrap resamples of the lists (each ~0.15 s)
BOOT_SEED = 20231
TOP_REPROPOSERS = 5


def positions_at(positions: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """The positions of ``ahc6-amended-draft`` read at another confidence ``threshold``: a row takes
    its top candidate as ``delegation_id`` when its calibrated confidence reaches the threshold,
    else none (rows of other documents unchanged)."""
    df = positions.copy()
    sel = df["doc_id"] == DOC_ID
    top = df.loc[sel, "candidates"].astype(str).str.split("|").str[0].str.split(":").str[0]
    ok = df.loc[sel, "confidence"].astype(float) >= threshold
    df.loc[sel, "delegation_id"] = np.where(ok & (top != ""), top, "")
    return df


def reproposed_articles(lineage: pd.DataFrame) -> set[int]:
    """``article_seq`` of the articles of the amended draft that re-propose dropped offences."""
    rp = lineage[(lineage["to_doc"] == DOC_ID) & (lineage["relation"] == "re-proposed")]
    return {int(a) for a in rp["to_article_seq"]}


def session_findings(positions: pd.DataFrame, proposals: pd.DataFrame, blocs4: dict[str, int],
                     reproposed: set[int], min_confidence: float = 0.0) -> dict:
    """The key 6th-session findings from ``positions`` (rows with a ``delegation_id`` and
    ``confidence ≥ min_confidence``): network size and ties by layer, Louvain blocs of the
    agreement layer against the 4th session's (``blocs4``), top re-proposers."""
    pos, _ = networks.usable_positions(positions, DOC_ID, min_confidence)
    props = proposals[proposals["doc_id"] == DOC_ID]
    edges = networks.aggregate_edges(networks.proposal_ties(pos, props))
    members = sorted(set(pos["delegation_id"]))
    blocs = networks.detect_blocs(networks.build_graph(members, edges, networks.BLOC_LAYER), networks.SEED,
                                  networks.RESOLUTION) if members else {}
    shared = sorted(d for d, b in blocs.items() if b > 0 and blocs4.get(d, 0) > 0)
    ari = (networks.partition_scores({d: blocs4[d] for d in shared}, {d: blocs[d] for d in shared})["ari"]
           if len(shared) >= 2 else float("nan"))
    layers = edges.groupby("network").size() if len(edges) else pd.Series(dtype=int)
    sp = pos[(pos["stance"] == "sponsor") & pos["article_seq"].isin(reproposed)]
    n_art = sp.groupby("delegation_id")["article_seq"].nunique()
    top = sorted(n_art.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_REPROPOSERS]
    eu = eu_members()
    return {"n_positions": len(pos), "n_nodes": len(members), "n_eu_members": sum(m in eu for m in members),
            "n_cosponsorship": int(layers.get("cosponsorship", 0)), "n_agreement": int(layers.get("agreement", 0)),
            "n_opposition": int(layers.get("opposition", 0)), "n_blocs": len({b for b in blocs.values() if b > 0}),
            "n_shared": len(shared), "ari_vs_ahc4": float(ari), "top_reproposers": [(d, int(n)) for d, n in top]}


def _ahc4_blocs(corpus) -> dict[str, int]:
    return networks.analyse("ahc4-cnd", robust=False, corpus=corpus).blocs


def threshold_sensitivity(lineage: pd.DataFrame, thresholds=SENSITIVITY_THRESHOLDS, corpus=None) -> pd.DataFrame:
    """:func:`session_findings` at each confidence threshold (``recovery_sensitivity`` rows)."""
    corpus = corpus or _corpus.DEFAULT
    d = corpus.load(DOC_ID)
    blocs4 = _ahc4_blocs(corpus)
    rp = reproposed_articles(lineage)
    rows = []
    for t in thresholds:
        f = session_findings(positions_at(d.positions, t), d.proposals, blocs4, rp, min_confidence=t)
        f["top_reproposers"] = ", ".join(f"{i} {n}" for i, n in f["top_reproposers"])
        rows.append({"analysis": "threshold", "threshold": float(t), "statistic": "value", **f})
    return pd.DataFrame(rows)


def bootstrap_findings(lineage: pd.DataFrame, n: int = N_BOOT_LISTS, seed: int = BOOT_SEED,
                       threshold: float = calibrate.ACCEPT, corpus=None) -> pd.DataFrame:
    """:func:`session_findings` over ``n`` resamples of the document's lists (proposals drawn with
    replacement; a list drawn twice counts as two proposals) at ``threshold``: the 2.5th, 50th and
    97.5th percentiles of every count, and the delegations in the top re-proposers of at least half
    the resamples (``recovery_sensitivity`` rows)."""
    corpus = corpus or _corpus.DEFAULT
    d = corpus.load(DOC_ID)
    blocs4 = _ahc4_blocs(corpus)
    rp = reproposed_articles(lineage)
    pos = positions_at(d.positions, threshold)
    pos = pos[pos["doc_id"] == DOC_ID].reset_index(drop=True)
    props = d.proposals[d.proposals["doc_id"] == DOC_ID].reset_index(drop=True)
    pids = props["proposal_id"].to_numpy()
    rows_of = pos.groupby("proposal_id").indices
    rng = np.random.default_rng(seed)
    results = []
    for _ in range(n):
        pick = rng.integers(0, len(pids), size=len(pids))
        tags = [f"{pids[i]}#{k}" for k, i in enumerate(pick)]
        idx = [rows_of.get(pids[i], np.zeros(0, dtype=int)) for i in pick]
        bp = pos.iloc[np.concatenate(idx)].copy() if idx else pos.iloc[:0].copy()
        bp["proposal_id"] = np.repeat(tags, [len(x) for x in idx])
        bprops = props.iloc[pick].copy()
        bprops["proposal_id"] = tags
        results.append(session_findings(bp, bprops, blocs4, rp, min_confidence=threshold))
    top_share: Counter = Counter(i for r in results for i, _ in r["top_reproposers"])
    common = ", ".join(f"{i} {c / n:.2f}" for i, c in sorted(top_share.items(), key=lambda kv: (-kv[1], kv[0]))
                       if c / n >= 0.5)
    num = [k for k in results[0] if k != "top_reproposers"]
    rows = []
    for stat, q in (("p2.5", 2.5), ("median", 50.0), ("p97.5", 97.5)):
        row = {"analysis": "bootstrap", "threshold": float(threshold), "statistic": stat}
        for k in num:
            vals = np.array([r[k] for r in results], dtype=float)
            v = float(np.nanpercentile(vals, q)) if np.isfinite(vals).any() else float("nan")
            row[k] = v if k == "ari_vs_ahc4" else int(round(v))
        row["top_reproposers"] = common
        rows.append(row)
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- the findings in words


# The targets of issue 12, on the held-out half of the validation set
TARGETS = {"precision": ">= 0.95", "names read from prose": "0", "calibration": "each band within 5 points",
           "recall": ">= 0.85", "stance_accuracy": ">= 0.95", "recovery CPU": "<= 1.5 s (benchmarks/)"}


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%" if x == x else "n/a"


def summary_lines(validation_scores: pd.DataFrame, reliability: pd.DataFrame, sensitivity: pd.DataFrame,
                  agreement: pd.DataFrame | None = None, accept: float = calibrate.ACCEPT) -> list[str]:
    """The key findings of the recovery in sentences, every number computed from the tables
    (``recovery_validation``, ``recovery_reliability``, ``recovery_sensitivity``,
    ``recovery_agreement``): what notebook 05 prints under its summary."""
    v = validation_scores.set_index(["reader", "half", "measure"])

    def val(reader, half, m):
        r = v.loc[(reader, half, m)]
        return r["value"], r["boot_lo"], r["boot_hi"], int(r["k"]), int(r["n"])

    out = []
    for half, label in (("heldout", "held-out half"), ("dev", "development half")):
        p, plo, phi, pk, pn = val("final", half, "precision")
        r, rlo, rhi, rk, rn = val("final", half, "recall")
        s, _, _, sk, sn = val("final", half, "stance_accuracy")
        pr = val("final", half, "prose_share")
        bp = val("baseline", half, "precision")[0]
        br = val("baseline", half, "recall")[0]
        out.append(f"{label}: precision {p:.3f} ({pk}/{pn}; 95% bootstrap over units {plo:.2f}-{phi:.2f}), "
                   f"recall {r:.3f} ({rk}/{rn}; {rlo:.2f}-{rhi:.2f}), stance right for {_pct(s)} of the right "
                   f"names ({sk}/{sn}), {pr[3]} name(s) claimed from prose; before: precision {bp:.3f}, "
                   f"recall {br:.3f}.")
    rel = reliability[(reliability["reader"] == "final") & (reliability["half"] == "heldout") & (reliability["n"] > 0)]
    gaps = ", ".join(f"{b} n={n}: {a:.2f} vs {c:.2f}" for b, n, a, c in
                     zip(rel["band"], rel["n"], rel["accuracy"], rel["mean_confidence"]))
    worst = rel.loc[rel["gap"].abs().idxmax()] if len(rel) else None
    if worst is not None:
        out.append(f"held-out calibration (share right vs mean confidence by band): {gaps}; largest gap "
                   f"{100 * worst['gap']:+.0f} points in band {worst['band']} (n={int(worst['n'])}).")
    th = sensitivity[sensitivity["analysis"] == "threshold"].set_index("threshold")
    if accept in th.index:
        row = th.loc[accept]
        out.append(f"6th-session network at the calibrated threshold {accept:g}: {int(row['n_nodes'])} delegations "
                   f"({int(row['n_eu_members'])} EU member States), {int(row['n_agreement'])} agreement, "
                   f"{int(row['n_cosponsorship'])} co-sponsorship and {int(row['n_opposition'])} opposition ties, "
                   f"blocs vs the 4th session ARI {row['ari_vs_ahc4']:.2f} ({int(row['n_shared'])} delegations in "
                   f"blocs of both); top re-proposers {row['top_reproposers']}.")
        lo, hi = th.index.min(), th.index.max()
        out.append(f"from threshold {lo:g} to {hi:g}: {int(th.at[lo, 'n_nodes'])} to {int(th.at[hi, 'n_nodes'])} "
                   f"delegations, ARI {th['ari_vs_ahc4'].min():.2f}-{th['ari_vs_ahc4'].max():.2f}.")
    bs = sensitivity[sensitivity["analysis"] == "bootstrap"].set_index("statistic")
    if len(bs):
        out.append(f"bootstrap over lists ({N_BOOT_LISTS} resamples): delegations {int(bs.at['p2.5', 'n_nodes'])}-"
                   f"{int(bs.at['p97.5', 'n_nodes'])}, ARI {bs.at['p2.5', 'ari_vs_ahc4']:.2f}-"
                   f"{bs.at['p97.5', 'ari_vs_ahc4']:.2f}; in the top re-proposers of at least half the resamples: "
                   f"{bs.at['median', 'top_reproposers']}.")
    if agreement is not None and len(agreement):
        a = agreement.set_index("measure")
        out.append(f"inter-annotator agreement (second annotation of 8 units): {int(a.at['names_found_by_both', 'k'])} "
                   f"of {int(a.at['names_found_by_both', 'n'])} names marked by both, same delegation for "
                   f"{int(a.at['same_delegation', 'k'])} of {int(a.at['same_delegation', 'n'])} names both identified, "
                   f"same stance for {int(a.at['same_stance', 'k'])} of {int(a.at['same_stance', 'n'])}.")
    return out
