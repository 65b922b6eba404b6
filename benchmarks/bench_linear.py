"""Linearity benchmark: every pass over untrusted text must cost O(n) time and memory.

For each pathological pattern the input is built at size ``n`` and ``2n`` (``--steps``
doublings) and parsed with ``td.parse_file(path, parser=...)`` in a *fresh* process, so
nothing is cached and the peak is the process's own.  Reported per size:

- ``cpu s``: CPU time of the ``parse_file`` call only (not start-up, imports or writing
  the input);
- ``rss MB``: growth of the process's peak resident set (``ru_maxrss``) during the call;
- ``traced MB``: the ``tracemalloc`` peak during the call (a second fresh process, since
  tracing slows Python down), i.e. the Python-level allocations;

and, from the second size on, the ratio to the previous size.  Linear work doubles
(ratio ~2); quadratic work quadruples (~4).  Ratios under 1.5 or over 2.8 are flagged.

Run: ``.venv/bin/python benchmarks/bench_linear.py`` (``--quick`` for the small sizes,
``--only PATTERN`` for one pattern, ``--src DIR`` to measure another checkout's
``src/``, e.g. the code before a change).  Each child process is limited to
``--mem-limit-gb`` of address space and ``--timeout`` seconds; a run that hits a limit
is reported as ``OOM`` / ``timeout``.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile

PY = sys.executable

# name -> (parser, python expression of the file content in terms of n, base n, quick n)
PATTERNS: dict[str, tuple[str, str, int, int]] = {
    # struck share: a struck run inside every span, every span unclosed
    "strikes '[~~x~~ ' * n": ("cnd", "'Article 1. S\\n\\n1. ' + '[~~x~~ ' * n + '\\n'", 40_000, 5_000),
    # unclosed openers: every span runs to the end of its unit
    "unclosed '[x ' * n": ("cnd", "'Article 1. U\\n\\n1. ' + '[x ' * n + '\\n'", 100_000, 10_000),
    # nested: '[' * n + ']' * n
    "nested '['*n + ']'*n": ("cnd", "'Article 1. N\\n\\n1. ' + '[' * n + 'x: EU' + ']' * n + '\\n'", 100_000, 10_000),
    # nested spans that each carry a sponsor tail
    "nested tails '[w '*n + ': EU]'*n": ("cnd", "'Article 1. T\\n\\n1. ' + '[w ' * n + 'x' + ': EU]' * n + '\\n'",
                                         50_000, 5_000),
    # stray closers, each after an orphan tail
    "stray closers 'w: EU] ' * n": ("cnd", "'Article 1. C\\n\\n1. ' + 'w: EU] ' * n + '\\n'", 50_000, 5_000),
    # colon runs and code runs (sponsor tails)
    "colons '[' + ':'*n + ']'": ("cnd", "'Article 1. K\\n\\n1. [' + ':' * n + ']\\n'", 4_000_000, 400_000),
    "codes '[x: ' + 'EU, '*n + 'US]'": ("cnd", "'Article 1. K\\n\\n1. [x: ' + 'EU, ' * n + 'US]\\n'", 1_000_000, 100_000),
    "orphan tails 'w: EU ' * n": ("cnd", "'Article 1. O\\n\\n1. ' + 'w: EU ' * n + '\\n'", 100_000, 10_000),
    "parentheses '[' + '(w: EU) '*n + ']'": ("cnd", "'Article 1. P\\n\\n1. [' + '(w: EU) ' * n + 'x: US]\\n'",
                                             50_000, 5_000),
    "struck proposals '[' + '~~w: EU~~ '*n + ']'": ("cnd", "'Article 1. R\\n\\n1. [' + '~~w: EU~~ ' * n + 'x: US]\\n'",
                                                    50_000, 5_000),
    # many lines: chapters and articles (segmenter), CND article headings
    "chapters + articles (lines)": ("expert", "''.join(f'Chapter I C\\nArticle {i % 999 + 1}. T\\n1. x\\n' for i in range(n))",
                                    20_000, 4_000),
    "CND article headings (lines)": ("cnd", "''.join(f'Article {i % 999 + 1} {(\"bis\", \"ter\", \"alt\")[i % 3]}. T\\n' for i in range(n))",
                                     40_000, 8_000),
    # private-use glyphs: a body of 20 glyphs, then 6,400 distinct glyphs once each (decoder)
    "private use, 6,400 rare glyphs": ("amended_draft", "'Article 1. D\\n' + ''.join(chr(0xE000 + 0x45 + i % 20) for i in range(n)) + '\\n' + ''.join(chr(0xE000 + g) for g in range(0x1900)) + '\\n'",
                                       4_000_000, 400_000),
    # a paragraph line of brackets in the damaged-draft parser (name recovery)
    "recovery: paragraph of brackets": ("amended_draft", "'Preamble\\nChapter I\\nArticle 1. X\\n1. ' + ('[and without right: EU, US] word ' * (n // 33 + 1))[:n] + '\\n'",
                                        400_000, 100_000),
}
TEN_MB = "'Article 1. Long\\n' + ('[and without right: EU, US] word ' * (n // 33 + 1))[:n] + '\\n'"
PARSERS = ("cnd", "expert", "chair_draft", "uk_submission", "amended_draft")
for _p in PARSERS:
    PATTERNS[f"long line [{_p}]"] = (_p, TEN_MB, 5_000_000, 500_000)

CHILD = r"""
import gc, json, resource, sys, time, tracemalloc
parser, expr, n, path, traced = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4], sys.argv[5] == "1"
import treatydrafts as td
content = eval(expr, {"n": n})
with open(path, "w", encoding="utf-8") as f:
    f.write(content)
size = len(content.encode("utf-8"))
del content
gc.collect()
rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
if traced:
    tracemalloc.start()
c0 = time.process_time(); w0 = time.perf_counter()
draft = td.parse_file(path, parser=parser)
c1 = time.process_time(); w1 = time.perf_counter()
peak = tracemalloc.get_traced_memory()[1] if traced else 0
rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"bytes": size, "cpu": c1 - c0, "wall": w1 - w0, "rss_kb": rss1 - rss0, "traced": peak,
                  "brackets": len(draft.brackets), "proposals": len(draft.proposals)}))
"""


def child(parser: str, expr: str, n: int, traced: bool, a) -> dict | str:
    env = dict(os.environ)
    if a.src:
        env["PYTHONPATH"] = os.path.abspath(a.src) + os.pathsep + env.get("PYTHONPATH", "")
    limit = int(a.mem_limit_gb * 2**30)

    def limits():
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    with tempfile.TemporaryDirectory() as tmp:
        try:
            out = subprocess.run([PY, "-c", CHILD, parser, expr, str(n), f"{tmp}/input.txt", "1" if traced else "0"],
                                 capture_output=True, text=True, timeout=a.timeout, env=env, preexec_fn=limits)
        except subprocess.TimeoutExpired:
            return "timeout"
    if out.returncode != 0:
        return "OOM" if "MemoryError" in out.stderr or out.returncode < 0 else f"error: {out.stderr.strip()[-200:]}"
    return json.loads(out.stdout.strip().splitlines()[-1])


def fmt_ratio(x: float) -> str:
    flag = "" if 1.5 <= x <= 2.8 else " !"
    return f"{x:5.2f}{flag}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="small sizes (a smoke run; ratios are noisier)")
    ap.add_argument("--steps", type=int, default=2, help="sizes n, 2n, ... (default 2: n and 2n)")
    ap.add_argument("--repeat", type=int, default=1, help="runs per size; the minimum is reported")
    ap.add_argument("--only", default="", help="run the patterns whose name contains this")
    ap.add_argument("--scale", type=float, default=1.0, help="multiply every base size")
    ap.add_argument("--src", default="", help="measure the package under this src/ directory instead")
    ap.add_argument("--no-traced", action="store_true", help="skip the tracemalloc runs")
    ap.add_argument("--mem-limit-gb", type=float, default=8.0)
    ap.add_argument("--timeout", type=float, default=600.0)
    a = ap.parse_args()

    print(f"# machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
          + (f"; package from {a.src}" if a.src else ""))
    print("# each cell: a fresh process; cpu = parse_file only; rss = peak RSS growth during the call; "
          "traced = tracemalloc peak (separate process); ratio = this size / previous size")
    head = f"{'pattern':<44}{'parser':<14}{'input MB':>9}{'rows':>9}{'cpu s':>9}{'x':>7}{'rss MB':>9}{'x':>7}{'traced MB':>10}{'x':>7}"
    print(head)
    print("-" * len(head))
    worst = 0.0
    for name, (parser, expr, base, quick) in PATTERNS.items():
        if a.only and a.only not in name:
            continue
        n0 = int((quick if a.quick else base) * a.scale)
        prev = None
        for k in range(a.steps):
            n = n0 * 2 ** k
            runs = [child(parser, expr, n, False, a) for _ in range(a.repeat)]
            ok = [r for r in runs if isinstance(r, dict)]
            if not ok:
                print(f"{name:<44}{parser:<14}{'':>9}{'':>9}{runs[0]:>9}")
                break
            r = min(ok, key=lambda x: x["cpu"])
            traced = None if a.no_traced else child(parser, expr, n, True, a)
            tr = traced["traced"] / 2**20 if isinstance(traced, dict) else None
            cells = [f"{r['bytes'] / 1e6:>9.2f}", f"{r['brackets'] + r['proposals']:>9}", f"{r['cpu']:>9.2f}"]
            rss = r["rss_kb"] / 1024
            if prev:
                x_cpu = r["cpu"] / max(prev["cpu"], 1e-9)
                x_rss = rss / max(prev["rss"], 1e-9)
                cells += [fmt_ratio(x_cpu), f"{rss:>9.1f}", fmt_ratio(x_rss)]
                worst = max(worst, x_cpu)
            else:
                cells += [f"{'':>7}", f"{rss:>9.1f}", f"{'':>7}"]
            if tr is not None:
                cells.append(f"{tr:>10.1f}")
                cells.append(fmt_ratio(tr / max(prev["traced"], 1e-9)) if prev and prev["traced"] else f"{'':>7}")
            elif traced is not None:
                cells.append(f"{traced:>10}")
            print(f"{name if k == 0 else '':<44}{parser if k == 0 else '':<14}" + "".join(cells), flush=True)
            prev = {"cpu": r["cpu"], "rss": rss, "traced": tr}
    print(f"# largest cpu ratio per doubling: {worst:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
