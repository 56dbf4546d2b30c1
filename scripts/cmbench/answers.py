# SPDX-License-Identifier: GPL-2.0
"""The design question's answers for one run, computed from its rows: what
cache maintenance costs per MiB and per scatterlist entry, what skip-sync
saves, what an IOMMU and bouncing add, what allocation costs, and CPU
access per caching model, each with the fit and the sample counts it rests
on.  cmbench boards puts several runs' answers side by side.

Each answer comes from cmheap's cached page-allocator heap (cmheap-system;
its uncached twin for the uncached model) on the non-coherent test device
where the run has one (there the models differ), through the exporter,
the cache state the platform shows.  A cost "per MiB" is the slope of a
least-squares line through every size of the size sweep (p50 against size),
"per entry" the slope through every entry count of the scatterlist sweep;
each is given with the line's intercept (the fixed cost), the number of
points, the samples behind them and the largest residual, so that a line
that does not fit says so.  Differences (skip-sync saving, IOMMU, bounce)
are taken point by point between rows that differ only in that dimension,
then fitted.

Units: ns, or instructions where the run was measured under -icount (one
guest nanosecond is one instruction there: work, not time, and not
comparable across architectures).  Emulated runs have no caches, stalls or
memory types: their maintenance figures are the instructions or time the
maintenance loops take, not silicon's; CPU access per model is "needs
hardware" there.
"""

from .data import fmt_n, fmt_ns, number, stat

MiB = 1 << 20
EXPORTER = "cmheap-system"
UNCACHED = "cmheap-system-uncached"


class Fit:
    """A least-squares line y = slope * x + intercept through points."""

    def __init__(self, points):
        self.points = sorted(points)
        n = len(self.points)
        mx = sum(x for x, _ in self.points) / n
        my = sum(y for _, y in self.points) / n
        sxx = sum((x - mx) ** 2 for x, _ in self.points)
        self.slope = (sum((x - mx) * (y - my) for x, y in self.points) / sxx) if sxx else 0.0
        self.intercept = my - self.slope * mx
        self.residual = max(abs(y - (self.slope * x + self.intercept)) for x, y in self.points)
        # a line through its points leaves only rounding error (1e-13)
        if self.residual <= 1e-9 * max(abs(y) for _, y in self.points):
            self.residual = 0.0

    @property
    def n(self):
        return len(self.points)

    @property
    def far_off(self):
        """The points are far off the line, so its slope says little: the
        largest residual is over a quarter of the points' spread, or the
        slope moves by over half when any one point is left out (one point
        far from the others carries it, as the IOMMU's per-entry points do,
        which hang on how many entries the IOMMU merges into one mapping
        and not on the count alone)."""
        ys = [y for _, y in self.points]
        if not self.residual:
            return False
        if self.residual > 0.25 * (max(ys) - min(ys)):
            return True
        for i in range(self.n):
            rest = fit(self.points[:i] + self.points[i + 1:])
            if rest is not None and abs(rest.slope - self.slope) > 0.5 * abs(self.slope):
                return True
        return False


def fit(points):
    """The line through points [(x, y)], or None where two different x are
    not there to draw one."""
    if len({x for x, _ in points}) < 2:
        return None
    return Fit(points)


FAR_OFF = ("the points are far off a line (residual over a quarter of their spread, or a "
           "slope that moves by over half without one of them): the slope says little")


class Answer:
    """One answer: a Fit (value per x unit), a value, or why there is none."""

    def __init__(self, key, question, per=None, fit=None, value=None, samples=(), missing="",
                 note=""):
        self.key = key
        self.question = question
        self.per = per            # "MiB", "entry" for a fit
        self.fit = fit
        self.value = value        # a single figure (MB/s, or a median difference)
        self.samples = list(samples)
        self.missing = missing
        self.note = note

    @property
    def found(self):
        return self.fit is not None or self.value is not None

    def text(self, units):
        """The answer in words and numbers: '65.9k instr/MiB + 167 instr (8
        points, n=6–200, residual ≤ 3.26k instr)', or why there is none."""
        samples = fmt_n(min(self.samples), max(self.samples)) if self.samples else ""
        if self.fit is not None:
            f = self.fit
            sign = "+" if f.intercept >= 0 else "−"
            text = (f"{amount(f.slope, units)}/{self.per} {sign} "
                    f"{amount(abs(f.intercept), units)} ({f.n} points, {samples}, "
                    f"residual ≤ {amount(f.residual, units)})")
            if f.far_off:
                text += f" — {FAR_OFF}"
        elif self.value is not None:
            text = f"{self.value:.0f} MB/s ({samples})"
        else:
            return f"– {self.missing}"
        return text + (f"; {self.note}" if self.note else "")


SI = ((1e9, "G"), (1e6, "M"), (1e3, "k"))


def si(v):
    """v in 3 significant figures with k, M, G."""
    for scale, prefix in SI:
        if abs(v) >= scale:
            return f"{v / scale:.3g}{prefix}"
    return f"{v:.3g}"


def amount(v, units):
    """A cost in the run's units: '65.9k instr', '4.21 ms'; a fit's
    rounding error (a residual of 1e-13) as 0."""
    if abs(v) < 1e-6:
        v = 0.0
    return f"{si(v)} instr" if units == "instructions" else fmt_ns(v)


def units(run):
    return "instructions" if run.meta.accel == "tcg-icount" else "ns"


def unit_label(run):
    """The unit of a run's answers, as a table heads its column."""
    return ("instructions (1 guest ns = 1 instruction)" if units(run) == "instructions"
            else "ns")


def device(run):
    return "noncoherent" if "noncoherent" in run.devices_present() else "coherent"


def select(run, **match):
    return [r for r in run.rows if all(r.get(k) == v for k, v in match.items())]


def by_size(rows, run):
    """{size: row} of the size sweep's rows, the chosen cache state."""
    rows = [r for r in rows if run.in_size_sweep(r)]
    state = run.cache_state(rows)
    return {int(r["size"]): r for r in rows if r["cache_state"] in (state, "-")}


def by_nents(rows, run):
    rows = [r for r in rows if run.in_sg_sweep(r) and r["nents"].isdigit()]
    state = run.cache_state(rows)
    return {int(r["nents"]): r for r in rows if r["cache_state"] in (state, "-")}


def p50(row):
    return stat(row, "p50_ns")


def samples_of(rows):
    return [int(number(r["samples"]) or 0) for r in rows]


def size_fit(run, key, question, note="", **match):
    pts = by_size(select(run, **match), run)
    pairs = [(s / MiB, p50(r)) for s, r in pts.items() if p50(r) is not None]
    f = fit(pairs)
    missing = "" if f else "not measured at two sizes"
    if not f and match.get("device") == "coherent":
        missing = "no non-coherent device: nothing to maintain"
    return Answer(key, question, "MiB", f, samples=samples_of(pts.values()), note=note,
                  missing=missing)


def difference_fit(run, key, question, per, base, other, note=""):
    """The fit of other − base, point by point: base and other are the
    matches of two row sets that differ in one dimension."""
    pick = by_size if per == "MiB" else by_nents
    scale = MiB if per == "MiB" else 1
    a, b = pick(select(run, **base), run), pick(select(run, **other), run)
    pairs, rows = [], []
    for x in sorted(set(a) & set(b)):
        if p50(a[x]) is not None and p50(b[x]) is not None:
            pairs.append((x / scale, p50(b[x]) - p50(a[x])))
            rows += [a[x], b[x]]
    f = fit(pairs)
    return Answer(key, question, per, f, samples=samples_of(rows), note=note,
                  missing="" if f else "not measured on both sides at two points")


def maintenance(run):
    dev = device(run)
    common = dict(exporter=EXPORTER, caching="cached", device=dev, dma="direct", attrs="none")
    return [
        size_fit(run, "clean", "clean: map, to the device", op="map", path="exporter",
                 direction="to_device", **common),
        size_fit(run, "invalidate", "invalidate: unmap, from the device", op="unmap",
                 path="exporter", direction="from_device", **common),
        size_fit(run, "both", "both: map + unmap, bidirectional", op="map_unmap",
                 path="exporter", direction="bidirectional", **common),
        size_fit(run, "dmabuf_sync", "DMA_BUF_IOCTL_SYNC, START + END", op="dmabuf_sync",
                 path="user", **common),
    ]


def per_entry(run):
    dev = device(run)
    common = dict(exporter=EXPORTER, caching="cached", device=dev, dma="direct", attrs="none",
                  direction="bidirectional")
    out = []
    for op in ("map", "unmap"):
        pts = by_nents(select(run, op=op, path="exporter", **common), run)
        pairs = [(n, p50(r)) for n, r in pts.items() if p50(r) is not None]
        f = fit(pairs)
        out.append(Answer(f"{op}_per_entry", f"{op}, per scatterlist entry", "entry", f,
                          samples=samples_of(pts.values()),
                          missing="" if f else "no scatterlist sweep"))
    out.append(difference_fit(run, "exporter_overhead", "the exporter's map over the raw DMA API",
                              "MiB", dict(op="map", path="raw", **common),
                              dict(op="map", path="exporter", **common),
                              note="the intercept is the fixed cost per map"))
    return out


def skip_sync(run):
    dev = device(run)
    common = dict(exporter=EXPORTER, caching="cached", device=dev, dma="direct", op="map",
                  path="exporter", direction="bidirectional")
    a = difference_fit(run, "skip_sync_saving", "skip-sync saving: map with sync − without",
                       "MiB", dict(attrs="skip_cpu_sync", **common), dict(attrs="none", **common))
    if not a.found and dev == "coherent":
        a.missing = "no non-coherent device: nothing to skip"
    return [a]


POLICY = {"DMA": "strict", "DMA-FQ": "lazy", "identity": "passthrough"}


def iommu_policy(run, device_label):
    """The IOMMU's invalidation policy for the routes' device, as its meta
    recorded the domain type (cmheap-bench's devices[].iommu_domain)."""
    for meta in [run.meta, *run.route_metas.values()]:
        for d in meta.raw("devices") or []:
            if (isinstance(d, dict) and d.get("device") == device_label and
                    "iommu" in str(d.get("dma", "")) and d.get("iommu_domain")):
                t = d["iommu_domain"]
                return f"{POLICY.get(t, t)} invalidation ({t} domain)"
    return "invalidation policy not recorded"


def routes(run):
    """What an IOMMU and bouncing add to a map, against the same device
    mapped directly (the routes' device: QEMU's edu, or any)."""
    out = []
    for route, what in (("iommu", "the IOMMU adds"), ("bounce", "bouncing adds")):
        rows = select(run, dma=route, op="map", path="exporter", exporter=EXPORTER)
        dev = rows[0]["device"] if rows else ""
        common = dict(exporter=EXPORTER, caching="cached", device=dev, op="map",
                      path="exporter", attrs="none")
        note = iommu_policy(run, dev) if route == "iommu" else ""
        for per in ("MiB", "entry"):
            if route == "bounce" and per == "entry":
                continue
            a = difference_fit(run, f"{route}_per_{per.lower()}", f"{what}, per {per}", per,
                               dict(dma="direct", **common), dict(dma=route, **common), note)
            if not rows:
                a.missing = f"no {route} route in this run"
            out.append(a)
    return out


def allocation(run):
    common = dict(exporter=EXPORTER, caching="cached", device="none", path="user")
    return [
        size_fit(run, "alloc_cold", "alloc + free, cold", op="alloc_free_cold", **common),
        size_fit(run, "alloc_warm", "alloc + free, warm, pools off", op="alloc_free_warm",
                 pool="off" if run.has(op="alloc_free_warm", pool="off") else "-", **common),
        size_fit(run, "alloc_pool", "alloc + free, warm, from the pool", op="alloc_free_warm",
                 pool="on", note="latency on the calling thread: the pool's zeroing runs on a "
                 "worker, outside the timed call", **common),
    ]


def cpu_access(run):
    """MB/s of CPU writes and reads through each model's mapping, at the
    largest size: only hardware shows what a memory type costs."""
    out = []
    for op in ("cpu_write", "cpu_read"):
        for exporter, model in ((EXPORTER, "cached"), (UNCACHED, "write-combined")):
            key = f"{op}_{model.replace('-', '_')}"
            question = f"CPU {op[4:]}s, {model}"
            if run.meta.emulated:
                out.append(Answer(key, question, missing="needs hardware"))
                continue
            rows = by_size(select(run, op=op, exporter=exporter, path="user"), run)
            if not rows:
                out.append(Answer(key, question, missing="not measured"))
                continue
            r = rows[max(rows)]
            out.append(Answer(key, question, value=number(r["mb_per_s"]),
                              samples=samples_of([r]),
                              note=f"at {max(rows) // MiB} MiB"))
    return out


GROUPS = (
    ("Cache maintenance on the non-coherent device, cached buffer", maintenance),
    ("Per scatterlist entry, and the exporter's own cost", per_entry),
    ("What skipping the CPU sync saves", skip_sync),
    ("DMA routes: IOMMU and bounce buffers, over the direct map", routes),
    ("Allocation", allocation),
    ("CPU access per caching model", cpu_access),
)


def grouped(run):
    """[(group title, [Answer])] in the order a reader asks."""
    return [(title, of(run)) for title, of in GROUPS]


def answers(run):
    """Every answer of the run, in the order a reader asks."""
    return [a for _, group in grouped(run) for a in group]


# -- the break-even between the models

class BreakEven:
    """For a buffer of size handed to the non-coherent device and back
    (map + unmap, bidirectional): what the cached model's maintenance costs
    over the uncached model's hand-over, and how many bytes of CPU reads
    (and, apart, of writes) per hand-over make the cached model the cheaper
    one, the uncached (write-combined) mapping being slower to read and
    write.  reads/writes: bytes, or None where the write-combined mapping
    is not slower (the cached model never wins back its maintenance)."""

    def __init__(self, size, maintenance, reads, writes, samples):
        self.size = size
        self.maintenance = maintenance
        self.reads = reads
        self.writes = writes
        self.samples = samples


def cpu_ns_per_byte(row):
    """ns per byte of CPU access from a cpu_read/cpu_write row's p50."""
    v = p50(row)
    return v / int(row["size"]) if v else None


def break_even(run):
    """([BreakEven] over the sizes measured, why-not text).  Needs silicon:
    an emulator's CPU access costs what the emulator takes, whatever the
    memory type; and a non-coherent device, where the models differ."""
    if run.meta.emulated:
        return [], "needs hardware: an emulator models no caches or memory types"
    if device(run) != "noncoherent":
        return [], "needs a non-coherent device: on a coherent one the models cost the same"
    common = dict(device="noncoherent", dma="direct", op="map_unmap", path="exporter",
                  direction="bidirectional", attrs="none")
    cached = by_size(select(run, exporter=EXPORTER, caching="cached", **common), run)
    uncached = by_size(select(run, exporter=UNCACHED, **common), run)
    access = {}
    for op in ("cpu_read", "cpu_write"):
        for exporter in (EXPORTER, UNCACHED):
            access[op, exporter] = by_size(select(run, op=op, exporter=exporter, path="user"),
                                           run)
    out = []
    for size in sorted(set(cached) & set(uncached)):
        mc, mu = p50(cached[size]), p50(uncached[size])
        if mc is None or mu is None:
            continue
        got, rows = {}, [cached[size], uncached[size]]
        for op in ("cpu_read", "cpu_write"):
            c, w = access[op, EXPORTER].get(size), access[op, UNCACHED].get(size)
            if c is None or w is None:
                break
            rows += [c, w]
            per_c, per_w = cpu_ns_per_byte(c), cpu_ns_per_byte(w)
            extra = (per_w - per_c) if per_c is not None and per_w is not None else None
            got[op] = (mc - mu) / extra if extra and extra > 0 else None
        else:
            out.append(BreakEven(size, mc - mu, got["cpu_read"], got["cpu_write"],
                                 samples_of(rows)))
    if not out:
        return [], "not measured: needs map_unmap of both models and cpu_read/cpu_write at a size"
    return out, ""
