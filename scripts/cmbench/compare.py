# SPDX-License-Identifier: GPL-2.0
"""compare: regression comparison of two cmheap-bench runs.

  scripts/compare OLD NEW [--threshold PCT] [--metric COL] [--min-ns NS]
                          [--resolution NS|auto] [--lost PCT] [--allow-missing] [--quiet]

OLD and NEW are results folders (holding results.csv) or results.csv files.
Points are joined on the dimension columns; a point whose only difference
is nents (the page allocator handed out different chunks) is still paired,
and the change is shown.  For each point the ratio new/old of the metric
(default p50_ns; every metric is a time, so above 1 is slower) is printed
in a markdown table.

A point of OLD that NEW lacks (not measured, or skipped) fails, unless
--allow-missing; points only in NEW are listed.  A point that does CPU
cache maintenance (a cached buffer mapped, unmapped or synced for a
non-coherent device, attrs none) and became more than --lost percent
faster fails too: maintenance lost is a bug, not a win.  Both sides zero
is a tie; zero before and non-zero after is a regression (ratio inf).
The summary gives the spread, max |new/old - 1| over the points, which is
how repeatability is measured (two runs of the same build).

Exit status: 0 no regression, 1 at least one regression, lost maintenance
or missing point, 2 usage or input error.
"""

import argparse
import math
import os
import statistics
import sys

from .data import DIMS, ResultsError, fmt_size, maintains, number, read_csv

LABEL_DIMS = [d for d in DIMS if d not in ("coherent", "nents")]


def gcd_resolution(rows):
    """The clock's tick as seen in a run: the gcd of its integral min and
    p50 times, when it is above 1 (arm64's QEMU counter: 16 ns)."""
    g = 0
    for r in rows:
        for col in ("min_ns", "p50_ns"):
            v = r.get(col, "")
            if v.isdigit() and int(v) > 0:
                g = math.gcd(g, int(v))
    return g if g > 1 else 0


def label(row):
    return " | ".join(fmt_size(row[d]) if d == "size" else row[d] for d in LABEL_DIMS)


def key(row, skip=()):
    return tuple(row[d] for d in DIMS if d not in skip)


def pair(old, new):
    """new index -> old index: on every dimension, else on all but nents
    when that is unambiguous on both sides."""
    full = {key(r): i for i, r in enumerate(old)}
    pairs, used = {}, set()
    for j, r in enumerate(new):
        i = full.get(key(r))
        if i is not None:
            pairs[j] = i
            used.add(i)
    count_old, count_new, part_old = {}, {}, {}
    for i, r in enumerate(old):
        k = key(r, ("nents",))
        count_old[k] = count_old.get(k, 0) + 1
        part_old[k] = i
    for r in new:
        k = key(r, ("nents",))
        count_new[k] = count_new.get(k, 0) + 1
    for j, r in enumerate(new):
        if j in pairs:
            continue
        k = key(r, ("nents",))
        if count_old.get(k) == 1 and count_new.get(k) == 1 and part_old[k] not in used:
            pairs[j] = part_old[k]
            used.add(part_old[k])
    return pairs, used


class Verdicts:
    def __init__(self):
        self.lines = []
        self.failing = []
        self.compared = self.slower = self.faster = self.lost = self.na = self.ties = 0
        self.spread = None
        self.worst = None


def judge(old, new, metric, threshold, min_ns, resolution, lost):
    lim = 1 + threshold / 100
    pairs, used = pair(old, new)
    v = Verdicts()
    for j, r in enumerate(new):
        if j not in pairs:
            continue
        o = old[pairs[j]]
        a_s, b_s = o.get(metric, ""), r.get(metric, "")
        a, b = number(a_s), number(b_s)
        if a is None or b is None:
            ratio_s, verdict = "n/a", "not comparable"
            v.na += 1
        else:
            v.compared += 1
            tie = (a == 0 and b == 0) or (a < min_ns and b < min_ns) or abs(b - a) <= resolution
            ratio = 1.0 if a == 0 and b == 0 else (math.inf if a == 0 else b / a)
            if tie:
                verdict = "ok"
                if a != b:
                    v.ties += 1
            elif ratio > lim:
                verdict = "**REGRESSION**"
                v.slower += 1
            elif ratio < 1 - lost / 100 and maintains(o):
                verdict = "**MAINTENANCE LOST?**"
                v.lost += 1
            elif ratio < 1 / lim:
                verdict = "faster"
                v.faster += 1
            else:
                verdict = "ok"
            if not tie:
                d = math.inf if ratio == math.inf else abs(ratio - 1)
                if v.spread is None or d > v.spread[0]:
                    v.spread = (d, label(r), ratio)
                if ratio != math.inf and (v.worst is None or ratio > v.worst[0]):
                    v.worst = (ratio, label(r))
            ratio_s = "inf" if ratio == math.inf else f"{ratio:.3f}"
        if o["nents"] != r["nents"]:
            verdict += f" (nents {o['nents']} -> {r['nents']})"
        line = f"| {label(r)} | {a_s} | {b_s} | {ratio_s} | {verdict} |"
        v.lines.append(line)
        if "REGRESSION" in verdict or "MAINTENANCE" in verdict:
            v.failing.append(line)
    v.only_old = [i for i in range(len(old)) if i not in used]
    v.only_new = [j for j in range(len(new)) if j not in pairs]
    return v


def by_op(old, new, metric):
    """op -> (median of new/old - 1 over its paired points, how many), in
    the order the ops first appear in NEW: what a kernel's own change did
    to each operation, in one line (the trend of make bench-check)."""
    pairs, _ = pair(old, new)
    changes = {}
    for j in sorted(pairs):
        o, n = number(old[pairs[j]].get(metric)), number(new[j].get(metric))
        if o and o > 0 and n is not None:
            changes.setdefault(new[j]["op"], []).append(n / o - 1)
    return {op: (statistics.median(v), len(v)) for op, v in changes.items()}


def duplicates(rows):
    seen, dup = set(), 0
    for r in rows:
        k = key(r)
        dup += k in seen
        seen.add(k)
    return dup


def csv_of(path):
    return os.path.join(path, "results.csv") if os.path.isdir(path) else path


def nonneg(text):
    try:
        v = float(text)
    except ValueError:
        v = -1
    if v < 0 or not math.isfinite(v):
        raise argparse.ArgumentTypeError(f"not a non-negative number: '{text}'")
    return v


def parser():
    p = argparse.ArgumentParser(prog="compare", description=__doc__.split("\n\n")[0],
                                epilog=[t for t in __doc__.split("\n\n") if t.startswith("Exit status")][0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("old", help="the earlier run: a results folder or its results.csv")
    p.add_argument("new", help="the later run, the same way")
    p.add_argument("--threshold", type=nonneg, default=None,
                   help="percent slower that fails (default 10, or $THRESHOLD)")
    p.add_argument("--metric", default="p50_ns", help="another *_ns column, e.g. min_ns")
    p.add_argument("--min-ns", type=nonneg, default=0.0,
                   help="points where both sides are below NS are ties")
    p.add_argument("--resolution", default="0",
                   help="the clock's tick: points at most NS apart are ties; auto: the gcd of "
                        "OLD's min and p50 times")
    p.add_argument("--lost", type=nonneg, default=50.0,
                   help="a point that maintains caches and got more than PCT%% faster fails")
    p.add_argument("--allow-missing", action="store_true",
                   help="points of OLD missing from NEW are listed, not failed")
    p.add_argument("--quiet", action="store_true", help="only the summary and the regressions")
    p.add_argument("--by-op", action="store_true",
                   help="add a line of each op's median change over its points "
                        "(\"map -0.2%% (120)\"): a kernel's own change at a glance")
    return p


def fmt_pct(x):
    return f"{x:g}"


def main(argv=None, out=sys.stdout, err=sys.stderr):
    try:
        args = parser().parse_args(argv)
    except SystemExit as e:
        return 2 if e.code else 0
    threshold = args.threshold
    if threshold is None:
        try:
            threshold = nonneg(os.environ.get("THRESHOLD", "10"))
        except argparse.ArgumentTypeError as e:
            print(f"compare: {e}", file=err)
            return 2
    try:
        fields_old, old = read_csv(csv_of(args.old))
        fields_new, new = read_csv(csv_of(args.new))
    except ResultsError as e:
        print(f"compare: {e}", file=err)
        return 2
    missing = []
    for side, fields in (("old", fields_old), ("new", fields_new)):
        for d in DIMS + (args.metric,):
            if d not in fields and d not in ("dma", "pool"):
                missing.append(f"{side}:{d}")
    if missing:
        print(f"compare: missing columns: {' '.join(missing)}", file=err)
        return 2
    for name, rows in ((args.old, old), (args.new, new)):
        if not rows:
            print(f"compare: no data rows in {name}", file=err)
            return 2
    if args.resolution == "auto":
        resolution = gcd_resolution(old)
    else:
        try:
            resolution = nonneg(args.resolution)
        except argparse.ArgumentTypeError as e:
            print(f"compare: {e}", file=err)
            return 2
    for side, rows in (("old", old), ("new", new)):
        dup = duplicates(rows)
        if dup:
            print(f"compare: warning: {dup} duplicate points in {side} (last one kept)", file=err)

    v = judge(old, new, args.metric, threshold, args.min_ns, resolution, args.lost)
    hdr = (f"| {' | '.join(LABEL_DIMS)} | old {args.metric} | new {args.metric} | new/old | verdict |")
    sep = "|" + "---|" * (len(LABEL_DIMS) - 1) + "---:|---:|---:|---:|---|"
    w = out.write
    if not args.quiet:
        w(hdr + "\n" + sep + "\n")
        for line in v.lines:
            w(line + "\n")
    elif v.failing:
        w(hdr + "\n" + sep + "\n")
        for line in v.failing:
            w(line + "\n")
    if v.only_old or v.only_new:
        w("\n")
        w("Points on one side only (those only in old fail: missing or skipped in new):\n"
          if v.only_old and not args.allow_missing else "Points on one side only (not failed):\n")
        w("\n")
        for i in v.only_old:
            tag = "" if args.allow_missing else " (**MISSING**)"
            w(f"- only in old{tag}: {label(old[i])} (nents {old[i]['nents']})\n")
        for j in v.only_new:
            w(f"- only in new: {label(new[j])} (nents {new[j]['nents']})\n")
    w("\n")
    line = (f"compare: {v.compared} points compared on {args.metric} (threshold "
            f"+{fmt_pct(threshold)}%): {v.slower} slower, {v.faster} faster")
    if v.lost:
        line += f", {v.lost} maintenance lost"
    if v.na:
        line += f", {v.na} not comparable"
    if v.only_old or v.only_new:
        line += f", {len(v.only_old)} only in old, {len(v.only_new)} only in new"
    w(line + "\n")
    if v.ties:
        w(f"compare: {v.ties} points differ by at most {fmt_pct(resolution or args.min_ns)} ns "
          f"(min-ns/resolution): ties\n")
    if v.spread is None and v.compared:
        w("compare: spread max |new/old - 1| = 0.00% (every point a tie)\n")
    elif v.spread is not None:
        if v.spread[2] == math.inf:
            w(f"compare: spread max |new/old - 1| = inf at {v.spread[1]}\n")
        else:
            w(f"compare: spread max |new/old - 1| = {v.spread[0] * 100:.2f}% at {v.spread[1]}\n")
    if v.worst is not None:
        w(f"compare: slowest point new/old = {v.worst[0]:.3f} at {v.worst[1]}\n")
    if args.by_op:
        ops = by_op(old, new, args.metric)
        w("compare: by op, median change of " + args.metric + " (points): "
          + ", ".join(f"{op} {m * 100:+.1f}% ({n})" for op, (m, n) in ops.items()) + "\n")
    if v.lost:
        w(f"compare: {v.lost} point(s) that maintain caches got more than {fmt_pct(args.lost)}% "
          f"faster: maintenance lost?\n")
    if v.only_old and not args.allow_missing:
        w(f"compare: {len(v.only_old)} point(s) of old missing from new\n")
    return 1 if (v.slower or v.lost or (v.only_old and not args.allow_missing)) else 0
