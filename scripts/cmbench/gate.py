# SPDX-License-Identifier: GPL-2.0
"""gate: the verdict of the A/B regression gate (make bench-check).

  python3 -m cmbench gate BOOT [BOOT2] [--threshold PCT] [--noise K]
                          [--ticks N] [--lost PCT] [--side-routes R,..] [--all]

Each BOOT is one guest boot of scripts/bench-check.sh: a folder holding
a1/, b/ and a2/, three cmheap-bench runs of one sweep made one after the
other in that boot, by the accepted revision (A), by HEAD (B) and by the
accepted revision again, each with its own module and program; or, when
its order.txt says "B A B", by HEAD, A and HEAD again (the confirming
boot: an effect of running in the middle then counts against A).  Both sides
share the kernel, the emulator and the boot, so what differs between A and
B is cmheap; A1 against A2 is what the boot itself moves.

For a point with times a1, b, a2 (p50_ns) of A, B, A, base = (a1 + a2) / 2
and noise = |a2 - a1|; B moved when |b - base| exceeds

    limit = max(PCT% of base, K x noise, N ticks of the guest clock)

(defaults 2%, 3, 2); in a B A B boot, the same with the roles swapped.
Then:

- controls (points that run no cmheap code: the raw DMA API path,
  udmabuf and the upstream system heap, with 5 samples or more) that
  moved void the boot when there are --void-controls of them (default 3):
  the conditions changed under the comparison, so it says nothing.  One
  or two alone are those points' own state (swiotlb's rotating slot
  search, the direct map's page splits), listed but not voiding;
- a cmheap point slower by more than the limit is a regression (one of
  fewer than 5 samples, a first allocation, is listed, not judged: its
  time follows the page allocator's state and its place in the boot);
- a cmheap point that does work a bug could drop, faster by more than the
  limit and by more than --lost percent (default 25), is lost work:
  cache maintenance (a cached buffer mapped, unmapped or synced for a
  non-coherent device without skip-sync) or zeroing (an allocation that
  must zero: pools off, or the first allocation of its size);
- a point of A missing from B, or of B only, is listed, not failed (the
  sweep is HEAD's to change);
- a cmheap point through the exporter whose raw twin (the same op on the
  same buffer, device and attributes through the DMA API alone, measured
  beside it) moved too is judged by what it moved beyond its twin: the
  two moved together by what the memory did, not by cmheap.  Measured on
  arm64's SMMUv3: a 4 MiB map of 1 MiB pieces cost 2192 instructions raw
  when the page allocator happened to hand out pieces an IOMMU block
  could map, 29344 when not, in boots of identical code; the exporter
  cost 416 more in both.  Such a twin, moved by as much as its exporter
  point, voids nothing;
- the rows of a DMA route measured in a boot per side (--side-routes,
  bench-check's SIDE_BOOTS: A1, B and A2 each booted on their own) say
  nothing about one boot's conditions: a control of such a route that
  moved is listed, never voids (its cmheap points are still judged, and
  beyond their raw twins).  Measured on arm64's SMMUv3, identical code in
  three boots: udmabuf's raw 1 MiB map cost 44464, 68112 and 170976
  instructions, by where the IOVA allocator and the page allocator put
  things in each boot.

- the line: HEAD's cached system heap (cmheap-system) costs no more per
  map, unmap and DMA_BUF_IOCTL_SYNC than the upstream system heap (the
  point "system" beside it in the same run: same device, route, size,
  entries, direction and attributes), beyond the points' noise and a tick
  of the guest clock.  Like with like: the two heaps' buffers are
  different memory, which an IOMMU or a bounce slot search costs
  differently, so a map or unmap is above the line only when it is so
  both as measured and beyond its raw twin (the same buffer through the
  DMA API alone): an exporter's own cost shows in both, the memory's luck
  in one (measured: cmheap's and upstream's 1 MiB maps through x86's
  IOMMU, 6515 and 6516 instructions, whose raw twins took 6259 and
  6267); a DMA_BUF_IOCTL_SYNC
  only for a device the DMA API does not sync (coherent, direct or behind
  an IOMMU), where upstream's walk finds nothing to do: for any other,
  cmheap's sync takes the reservation lock that keeps an unmap from
  tearing down the mapping it syncs, which upstream's omits.  A point
  above the line fails as "above upstream", whatever A did.

With two boots, a regression, lost work or a point above upstream fails
only when both boots show it on the same point.  Under -icount (shift=0) one guest nanosecond is one
guest instruction, and the report says instructions.

Exit status: 0 pass, 1 regression, lost work or a point above upstream (in
every boot given), 2 usage or input error, 3 void (a control moved in a
boot).
"""

import argparse
import math
import os
import sys

from .compare import gcd_resolution, key, label, nonneg, pair
from .data import ResultsError, fmt_size, maintains, number, read_csv, Meta

STEPS = ("a1", "b", "a2")
SIDE_MOVED = "side-boot control moved (not voiding)"
ABOVE_UPSTREAM = "above upstream"
# The exporter's hot path, held to the upstream system heap's (the line).
LINE_OPS = ("map", "unmap", "dmabuf_sync")
ZEROING_OPS = ("alloc", "alloc_free_cold", "alloc_free_warm")


# A point of fewer samples (the first allocation of a size is one) says
# more about the page allocator's state than about the boot's conditions
# or the code: such a control voids nothing, and such a point fails only
# as lost work (far faster), never as a regression.  Measured on arm64
# with identical sources: first allocations 2.6-17.6% slower in one run of
# a boot, by their position in it.
MIN_SAMPLES = 5


def control(row):
    """A point that runs no cmheap code: its time says whether the boot's
    conditions held between the three runs."""
    return row["path"] == "raw" or not row["exporter"].startswith("cmheap-")


def twin_key(row):
    """The key of the raw twin of a point through the exporter, or None."""
    if row["path"] != "exporter":
        return None
    return key(dict(row, path="raw"), ("nents",))


def upstream_key(row):
    """The key of the upstream system heap's point that a cached
    cmheap-system point of the line is held to, or None."""
    if (row["exporter"] != "cmheap-system" or row["caching"] != "cached"
            or row["op"] not in LINE_OPS or row["path"] == "raw"):
        return None
    if row["op"] == "dmabuf_sync" and (row["coherent"] != "1"
                                       or row["dma"] not in ("direct", "iommu")):
        return None
    return key(dict(row, exporter="system", max_order="-", pool="-"))


def few_samples(row):
    return (number(row.get("samples")) or 0) < MIN_SAMPLES


def judged_as_control(row):
    return control(row) and not few_samples(row)


def zeroes(row):
    """An allocation of a cmheap heap that must zero its pages: with the
    pools off (or a heap without pools), or the first of its size."""
    if not row["exporter"].startswith("cmheap-") or row["op"] not in ZEROING_OPS:
        return False
    return row["op"] == "alloc_free_cold" or row["pool"] != "on"


def work_of(row):
    if maintains(row):
        return "maintenance"
    if zeroes(row):
        return "zeroing"
    return ""


class Point:
    """One point's three times, in the order they ran; swapped: the boot
    ran B, A, B (the outer runs are HEAD's)."""

    def __init__(self, row, first, middle, last, swapped=False):
        self.row = row
        self.outer = (first, last)
        self.middle = middle
        self.swapped = swapped
        self.base = (first + last) / 2
        self.noise = abs(last - first)
        # B - A, whichever side ran outside; percentages are of A's time
        self.delta = (self.base - middle) if swapped else (middle - self.base)
        self.a_time = middle if swapped else self.base
        self.kind = "ok"
        self.limit = 0.0
        self.twin = None    # the raw twin it moved with, judged against
        self.upstream = None    # the upstream point it is above (the line)
        self.line = None        # (HEAD's cost, upstream's, beyond raw twins)

    @property
    def b_time(self):
        """HEAD's time: the middle run's, or the outer runs' mean when swapped."""
        return self.base if self.swapped else self.middle

    @property
    def own_delta(self):
        """What HEAD moved it by beyond its raw twin, when judged so."""
        return self.delta - self.twin.delta if self.twin else self.delta

    def times(self):
        outer = f"{self.outer[0]:g}/{self.outer[1]:g}"
        if self.swapped:
            return f"A {self.middle:g}, B {outer}"
        return f"A {outer}, B {self.middle:g}"

    @property
    def key(self):
        return key(self.row, ("nents",))


class Boot:
    """One boot's three runs, paired and judged."""

    def __init__(self, path):
        self.path = path
        self.rows = {}
        for step in STEPS:
            csv_path = os.path.join(path, step, "results.csv")
            _, self.rows[step] = read_csv(csv_path)
            if not self.rows[step]:
                raise ResultsError(f"no data rows in {csv_path}")
        self.meta = Meta.load(os.path.join(path, "b", "meta.json"))
        # order.txt: "A B A" (default) or "B A B", what ran in the three
        # runs; the confirming boot swaps them, so that an effect of the
        # position (the middle run of a boot) cannot confirm itself.
        self.swapped = False
        order_path = os.path.join(path, "order.txt")
        if os.path.exists(order_path):
            with open(order_path, encoding="utf-8") as f:
                order = f.read().split()
            if order not in (["A", "B", "A"], ["B", "A", "B"]):
                raise ResultsError(f"{order_path}: 'A B A' or 'B A B', not {' '.join(order)!r}")
            self.swapped = order[0] == "B"
        self.points = []
        self.only_a = []
        self.only_b = []
        self.unsteady = []

    def judge(self, threshold, noise_k, ticks, lost, void_controls=3, side_routes=()):
        self.void_controls = void_controls
        a1, b, a2 = (self.rows[s] for s in STEPS)
        b_from_a1, used_a1 = pair(a1, b)
        b_from_a2, used_a2 = pair(a2, b)
        tick = gcd_resolution(a1 + a2 + b) or 1
        self.tick = tick
        for j, r in enumerate(b):
            if j not in b_from_a1 or j not in b_from_a2:
                if j in b_from_a1 or j in b_from_a2:
                    self.unsteady.append(r)
                else:
                    self.only_b.append(r)
                continue
            v = [number(x.get("p50_ns")) for x in (a1[b_from_a1[j]], r, a2[b_from_a2[j]])]
            if None in v:
                self.unsteady.append(r)
                continue
            p = Point(a1[b_from_a1[j]], *v, swapped=self.swapped)
            p.limit = max(threshold / 100 * p.a_time, noise_k * p.noise, ticks * tick)
            if abs(p.delta) > p.limit and judged_as_control(r) and r["dma"] in side_routes:
                p.kind = SIDE_MOVED
            elif abs(p.delta) > p.limit and judged_as_control(r):
                p.kind = "control moved"
            elif abs(p.delta) > p.limit and control(r):
                p.kind = "few-sample control moved (not judged)"
            self.points.append(p)
        # The raw twins first (above), then every cmheap point, judged
        # beyond its twin where that moved.
        by_key = {p.key: p for p in self.points}
        for p in self.points:
            if control(p.row):
                continue
            twin = by_key.get(twin_key(p.row))
            if twin and twin.kind in ("control moved", SIDE_MOVED) and abs(p.delta) > p.limit:
                p.twin = twin
                p.limit = max(threshold / 100 * p.a_time, noise_k * (p.noise + twin.noise),
                              ticks * tick)
                if abs(p.own_delta) <= p.limit:
                    twin.kind = p.kind = "moved with its raw twin"
                    continue
            if abs(p.own_delta) <= p.limit:
                continue
            if p.own_delta > 0 and few_samples(p.row):
                p.kind = "few-sample point slower (not judged)"
            elif p.own_delta > 0:
                p.kind = "regression"
            elif work_of(p.row) and -p.own_delta > lost / 100 * p.a_time:
                p.kind = work_of(p.row) + " lost"
            else:
                p.kind = "faster"
        self.hold_the_line(noise_k, tick)
        self.only_a = [r for i, r in enumerate(a1) if i not in used_a1 and
                       not any(key(r, ("nents",)) == key(x, ("nents",)) for x in self.unsteady)]
        return self

    def hold_the_line(self, noise_k, tick):
        """Marks the points of the line that cost HEAD more than the
        upstream system heap's beside them (in the same runs) by more than
        the two points' noise and a tick."""
        by_full_key = {key(p.row): p for p in self.points}
        by_key = {p.key: p for p in self.points}

        def above(mine, theirs, noise):
            return mine - theirs > max(noise_k * noise, tick)

        for p in self.points:
            up = by_full_key.get(upstream_key(p.row))
            if up is None or not above(p.b_time, up.b_time, p.noise + up.noise):
                continue
            twin, up_twin = by_key.get(twin_key(p.row)), by_key.get(twin_key(up.row))
            if twin and up_twin:
                mine, theirs = p.b_time - twin.b_time, up.b_time - up_twin.b_time
                if not above(mine, theirs, p.noise + twin.noise + up.noise + up_twin.noise):
                    continue
                p.line = (mine, theirs, True)
            else:
                p.line = (p.b_time, up.b_time, False)
            p.upstream = up
            # a regression stays one (and says the line too)
            if p.kind != "regression" and not p.kind.endswith(" lost"):
                p.kind = ABOVE_UPSTREAM

    def moved_controls(self):
        return sum(p.kind == "control moved" for p in self.points)

    @property
    def void(self):
        return self.moved_controls() >= self.void_controls

    def failing(self):
        return {p.key: p for p in self.points
                if p.kind in ("regression", ABOVE_UPSTREAM) or p.kind.endswith(" lost")}

    def unit(self):
        accel = self.meta.get("accelerator") or self.meta.get("accel")
        return "instructions" if accel == "tcg-icount" else "ns"


# The order the moved points are listed in, what decides the verdict last.
KIND_ORDER = {SIDE_MOVED: 1, "control moved": 1, "regression": 2, "maintenance lost": 2,
              "zeroing lost": 2, ABOVE_UPSTREAM: 2}


def what(row):
    """The point in words: the op, its size and what it ran on."""
    parts = [row["exporter"]]
    if row["device"] != "none":
        parts.append(f"{row['device']} {row['dma']}")
    for d in ("direction", "attrs", "pool", "path"):
        if row.get(d) not in ("-", "none", "", None):
            parts.append(f"pool {row[d]}" if d == "pool" else row[d])
    if row["max_order"] not in ("-", ""):
        parts.append(f"max_order {row['max_order']}")
    if row.get("threads") not in ("-", "", None):
        parts.append(f"{row['threads']} threads, {row['sharing']} buffers")
    return f"{row['op']} at {fmt_size(row['size'])} ({', '.join(parts)})"


def line_sentence(p, unit):
    mine, theirs, beyond = p.line
    return (f"costs {mine:g} {unit}" + (" beyond its raw twin" if beyond else "")
            + f", the upstream system heap's {theirs:g}: {mine - theirs:+g} above the line")


def sentence(p, unit):
    if p.kind == ABOVE_UPSTREAM:
        return f"HEAD's {what(p.row)} {line_sentence(p, unit)}"
    out = sentence_of_move(p, unit)
    if p.upstream:
        out += f"; it {line_sentence(p, unit)}"
    return out


def sentence_of_move(p, unit):
    verb = "adds" if p.delta > 0 else "saves"
    pct = p.delta / p.a_time * 100 if p.a_time else math.inf
    out = (f"HEAD {verb} {abs(p.delta):.0f} {unit} per {what(p.row)}: "
           f"{p.times()} ({pct:+.1f}%, limit {p.limit:.0f})")
    if p.twin:
        out += f"; its raw twin moved {p.twin.delta:+.0f}, {p.own_delta:+.0f} of it beyond"
    return out


def series_key(row):
    return tuple(row[d] for d in ("exporter", "caching", "device", "dma", "op", "path",
                                  "max_order", "pool", "direction", "attrs", "cache_state"))


def per_mib(points):
    """Least-squares slope (per MiB) and intercept of B - base over size,
    for a series of one op measured at three sizes or more."""
    xs = [int(p.row["size"]) / (1 << 20) for p in points]
    ys = [p.own_delta for p in points]
    n = len(xs)
    if n < 3 or len(set(xs)) < 3:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    return slope, my - slope * mx


def slopes(boot, keys):
    """For each series with a failing point: the delta per MiB over sizes."""
    by_series = {}
    for p in boot.points:
        by_series.setdefault(series_key(p.row), []).append(p)
    out = []
    for sk, pts in sorted(by_series.items()):
        if not any(p.key in keys for p in pts):
            continue
        fit = per_mib(sorted(pts, key=lambda p: int(p.row["size"])))
        if fit:
            out.append((pts[0], fit, len(pts)))
    return out


def report(boots, args, out):
    w = out.write
    unit = boots[0].unit()
    for n, boot in enumerate(boots, 1):
        counts = {}
        for p in boot.points:
            counts[p.kind] = counts.get(p.kind, 0) + 1
        controls = sum(judged_as_control(p.row) for p in boot.points)
        w(f"gate: boot {n} ({boot.path}): {len(boot.points)} points, {controls} of them controls "
          f"({boot.void_controls} moved void it); "
          + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())) + f"; tick {boot.tick} ns\n")
        # What was not compared first, what moved last: the end of the
        # output (all a CI page may show) names the points behind the verdict.
        for r in boot.only_a:
            w(f"  [only in A: removed or skipped by HEAD] {what(r)}\n")
        for r in boot.only_b:
            w(f"  [only in B: new in HEAD] {what(r)}\n")
        for r in boot.unsteady:
            w(f"  [not measured in every run, not judged] {what(r)}\n")
        shown = [p for p in boot.points if args.all or p.kind != "ok"]
        for p in sorted(shown, key=lambda p: (KIND_ORDER.get(p.kind, 0), p.kind, label(p.row))):
            w(f"  [{p.kind}] {sentence(p, unit)}\n")
        fail = boot.failing()
        for p0, (slope, icpt), npts in slopes(boot, fail):
            r = p0.row
            w(f"  per MiB: {r['op']} ({r['exporter']}, {r['device']} {r['dma']}, {r['direction']}, "
              f"{r['attrs']}): HEAD {slope:+.0f} {unit} per MiB, {icpt:+.0f} fixed "
              f"(least squares over {npts} sizes)\n")


def verdict(boots):
    """0 pass, 1 fail, 3 void: the exit status for these judged boots."""
    if any(b.void for b in boots):
        return 3
    common = set(boots[0].failing())
    for b in boots[1:]:
        common &= set(b.failing())
    return 1 if common else 0


def parser():
    p = argparse.ArgumentParser(prog="cmbench gate", description=__doc__.split("\n\n")[0],
                                epilog="Exit status: 0 pass, 1 regression, lost work or a "
                                       "point above upstream in every boot given, 2 usage or "
                                       "input error, 3 void (a control moved).",
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("boots", nargs="+", metavar="BOOT",
                   help="a boot's folder with a1/, b/ and a2/ results (one or two boots)")
    p.add_argument("--threshold", type=nonneg, default=2.0,
                   help="percent of the A time that B may move by (default 2)")
    p.add_argument("--noise", type=nonneg, default=3.0,
                   help="times |A2 - A1| that B may move by (default 3)")
    p.add_argument("--ticks", type=nonneg, default=2.0,
                   help="ticks of the guest clock that B may move by (default 2)")
    p.add_argument("--lost", type=nonneg, default=25.0,
                   help="percent faster that a maintaining or zeroing point must be, beyond the "
                        "limit, to fail as lost work (default 25)")
    p.add_argument("--void-controls", type=int, default=3, metavar="N",
                   help="this many moved controls void a boot (default 3)")
    p.add_argument("--side-routes", default="", metavar="R,..",
                   help="DMA routes (the dma column: iommu, bounce...) measured in a boot per "
                        "side: their moved controls void nothing (comma or space separated)")
    p.add_argument("--all", action="store_true", help="list every point, not only those that moved")
    return p


def main(argv=None, out=sys.stdout, err=sys.stderr):
    try:
        args = parser().parse_args(argv)
    except SystemExit as e:
        return 2 if e.code else 0
    if len(args.boots) > 2:
        print("gate: one or two boots", file=err)
        return 2
    try:
        side_routes = tuple(args.side_routes.replace(",", " ").split())
        boots = [Boot(b).judge(args.threshold, args.noise, args.ticks, args.lost, args.void_controls,
                               side_routes)
                 for b in args.boots]
    except ResultsError as e:
        print(f"gate: {e}", file=err)
        return 2
    report(boots, args, out)
    rc = verdict(boots)
    unit = boots[0].unit()
    if rc == 3:
        out.write("gate: VOID: controls (points without cmheap code) moved between A and B in boot "
                  + ", ".join(f"{i} ({b.moved_controls()})" for i, b in enumerate(boots, 1) if b.void)
                  + "\n")
    elif rc == 1:
        common = set(boots[0].failing())
        for b in boots[1:]:
            common &= set(b.failing())
        last = boots[-1].failing()
        where = "every boot" if len(boots) > 1 else "this boot"
        out.write(f"gate: FAIL: {len(common)} point(s) regressed, lost work or cost more than "
                  f"upstream in {where}:\n")
        by_op = {}
        for k in common:
            by_op.setdefault((last[k].row["op"], last[k].kind), []).append(last[k].own_delta)
        for (op, kind), deltas in sorted(by_op.items()):
            if kind == ABOVE_UPSTREAM:
                out.write(f"gate:   {op}: above upstream's system heap on {len(deltas)} point(s)\n")
                continue
            deltas.sort()
            out.write(f"gate:   {op}: {kind} on {len(deltas)} point(s), {deltas[len(deltas) // 2]:+.0f} "
                      f"{unit} on the median one ({deltas[0]:+.0f} to {deltas[-1]:+.0f})\n")
        for k in sorted(common):
            out.write(f"gate:   {sentence(last[k], unit)}\n")
    else:
        out.write("gate: PASS: no point regressed, lost work or cost more than upstream"
                  + (" in both boots\n" if len(boots) > 1 else "\n"))
    return rc
