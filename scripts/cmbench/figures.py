# SPDX-License-Identifier: GPL-2.0
"""The figures of a run, as data: which rows each one shows, and how.

A figure is chosen row by row, explicitly: one cache state (the one the
platform can show), one direction, the size sweep or the scatterlist sweep
but never both, and every dimension that still varies named in the legend
(exporter, attrs, cache state, DMA route, sample counts).  Drawing is
gnuplot.py's business.
"""

from dataclasses import dataclass, field

from . import answers
from .data import (DIMS, FEW_SAMPLES, fmt_n, fmt_size, in_threads_sweep, maintains, number,
                   raw_attrs_for)

TEST_DEVICES = ("coherent", "noncoherent")
# the most lines one panel draws
MAX_LINES = 8
DIRECTIONS = ("bidirectional", "to_device", "from_device")

OP_NAMES = {
    "alloc_free_warm": "alloc+free (warm)",
    "alloc_free_cold": "alloc+free (cold, first allocation)",
    "mmap_touch": "mmap+touch",
    "map_unmap": "map+unmap",
    "sync_dev": "sync for device",
    "sync_cpu": "sync for CPU",
    "dmabuf_sync": "DMA_BUF_IOCTL_SYNC",
    "range_sync_64th": "range sync, 1/64",
    "range_sync_8th": "range sync, 1/8",
    "range_sync_all": "range sync, all",
    "alloc": "alloc alone",
    "pool_shrink": "pool shrink",
    "cpu_read": "CPU read",
    "cpu_write": "CPU write",
}


def pretty(col, v):
    if col == "attrs":
        return {"none": "sync", "skip_cpu_sync": "skip-sync"}.get(v, v)
    if col == "device":
        return {"noncoherent": "non-coherent device", "coherent": "coherent device",
                "edu": "edu device"}.get(v, v)
    if col == "dma":
        return {"iommu": "through the IOMMU", "bounce": "bounced (swiotlb)"}.get(v, v)
    if col == "op":
        return OP_NAMES.get(v, v)
    if col == "pool":
        return {"on": "pools on", "off": "pools off"}.get(v, "no pools")
    if col == "cache_state":
        return f"{v} buffer" if v in ("clean", "dirty") else v
    if col == "sharing":
        return {"own": "a buffer per thread", "shared": "one buffer, all threads"}.get(v, v)
    if col == "max_order":
        return f"max_order {v}"
    return v


@dataclass
class Point:
    x: float
    y: float
    n: int
    nents: str = "-"


@dataclass
class Series:
    label: str
    points: list

    @property
    def counts(self):
        return [p.n for p in self.points]

    def at(self, x):
        for p in self.points:
            if p.x == x:
                return p
        return None

    @property
    def last(self):
        return self.points[-1]

    @property
    def first(self):
        return self.points[0]


@dataclass
class Panel:
    title: str
    series: list

    def get(self, label):
        for s in self.series:
            if s.label == label or s.label.startswith(label + " (n="):
                return s
        return None


@dataclass
class Figure:
    id: str
    title: str
    xlabel: str = "buffer size (bytes)"
    ylabel: str = "p50 latency (ns)"
    panels: list = field(default_factory=list)
    logx: bool = True
    logy: bool = True
    xbytes: bool = True
    ysi: bool = True
    xtics: str = ""             # gnuplot's xtics increment, "" its own choice
    ytime: bool = False         # y in ns, drawn in s with SI prefixes (µs, ms)
    yone: bool = False
    yzero: bool = False
    nents_labels: bool = False
    note: str = ""
    skipped: str = ""           # why it is not drawn; "" when it is
    chosen: dict = field(default_factory=dict)

    @property
    def drawn(self):
        return not self.skipped and bool(self.panels)

    def panel(self, title):
        for p in self.panels:
            if p.title == title:
                return p
        return None


def label_of(row, cols, run=None):
    parts = []
    for c in cols:
        if c == "device" and run is not None:
            parts.append(device_label(row, run))
        elif c == "attrs" and row["caching"] == "uncached" and row["exporter"].startswith("cmheap-") \
                and row["path"] == "exporter":
            # an uncached heap of ours skips the CPU sync whatever it is asked
            parts.append("always skip-sync")
        else:
            parts.append(pretty(c, row[c]))
    return ", ".join(parts)


def device_label(row, run):
    """The device a row's work was done for.

    udmabuf's begin/end_cpu_access sync for udmabuf's own misc device, not
    for the importer's attachment: its DMA_BUF_IOCTL_SYNC rows name that
    device, which is non-coherent on arm64 and coherent on x86.
    """
    if row["exporter"] == "udmabuf" and row["op"] == "dmabuf_sync":
        arch = run.meta.arch
        kind = {"aarch64": "non-coherent", "arm64": "non-coherent",
                "x86_64": "coherent"}.get(arch, "coherence per architecture")
        return f"udmabuf's own device ({kind})"
    return pretty("device", row["device"])


def udmabuf_own_sync(row):
    return row["exporter"] == "udmabuf" and row["op"] == "dmabuf_sync"


def build(rows, panel_cols, series_cols, run, x="size", y="p50_ns",
          minpts=2, yfun=None):
    """Panels of series from rows: one panel per value of panel_cols, one
    line per value of series_cols, each labelled with its sample counts."""
    panels = {}
    for r in rows:
        xv = number(r[x])
        yv = yfun(r) if yfun else number(r[y])
        if xv is None or yv is None:
            continue
        pk = label_of(r, panel_cols, run)
        sk = label_of(r, series_cols, run)
        panels.setdefault(pk, {}).setdefault(sk, []).append(
            Point(xv, yv, int(number(r["samples"]) or 0), r.get("nents", "-")))
    out = []
    for pk in sorted(panels):
        series = []
        for sk in sorted(panels[pk]):
            pts = sorted(panels[pk][sk], key=lambda p: p.x)
            if len(pts) < minpts:
                continue
            n = [p.n for p in pts]
            series.append(Series(f"{sk} ({fmt_n(min(n), max(n))})" if sk else fmt_n(min(n), max(n)), pts))
        # no more lines in a panel than a reader can tell apart by colour
        # and mark: more are split over panels of their own
        parts = [series[i:i + MAX_LINES] for i in range(0, len(series), MAX_LINES)]
        for i, part in enumerate(parts):
            out.append(Panel(pk if len(parts) == 1 else f"{pk} ({i + 1}/{len(parts)})", part))
    return out


def one_direction(rows):
    """Rows of the first direction of DIRECTIONS present in each line's
    combination (a coherent device is measured bidirectionally only)."""
    have = {r["direction"] for r in rows}
    for d in DIRECTIONS:
        if d in have:
            return [r for r in rows if r["direction"] in (d, "-")]
    return rows


def device_rows(run, ops, devices=TEST_DEVICES, path="exporter", ours=True,
                sweep="size"):
    """Rows of device ops, chosen explicitly: the sweep asked for, one
    direction, the cache state this platform shows."""
    rows = [r for r in run.rows
            if r["op"] in ops and r["device"] in devices and
            (path is None or r["path"] == path) and
            (not ours or r["exporter"].startswith("cmheap-"))]
    if sweep == "size":
        rows = [r for r in rows if run.in_size_sweep(r)]
    elif sweep == "sg":
        rows = [r for r in rows if run.in_sg_sweep(r)]
    rows = one_direction(rows)
    state = run.cache_state(rows)
    return [r for r in rows if r["cache_state"] in (state, "-")], state


def emulated_devices(run, devices=TEST_DEVICES):
    """On an emulator only a non-coherent device has maintenance to show
    (instructions executed); a coherent device's sync is a no-op there and
    its timing is noise."""
    if run.meta.emulated:
        return tuple(d for d in devices if d != "coherent")
    return devices


def cache_note(run, state):
    if state == "clean" and run.meta.emulated:
        return ("clean buffers: an emulator models no caches, so a dirty buffer has "
                "nothing more to write back, and the memset that dirties it only "
                "perturbs the next timed call")
    return f"{state} buffers" if state else ""


def nents_vary(panels):
    return any(len({p.nents for p in s.points}) > 1 for pan in panels for s in pan.series)


# -- the figures

def map_latency(run):
    rows, state = device_rows(run, ("map", "unmap"))
    fig = Figure("map-latency", f"map and unmap latency vs size ({state} buffers)")
    fig.panels = build(rows, ("op", "device"), ("exporter", "attrs", "cache_state"), run)
    fig.nents_labels = nents_vary(fig.panels)
    fig.note = cache_note(run, state)
    if fig.nents_labels:
        fig.note += "; the number by each point is its scatterlist entries (nents)"
    fig.skipped = "" if fig.panels else "no map/unmap rows for the cmheap heaps"
    return fig


def skip_sync_saving(run):
    devices = ("noncoherent",) if "noncoherent" in run.devices_present() else ()
    # the saving as what it is, time (or instructions) per call: as a ratio
    # it grows without limit with size, and says nothing across exporters
    fig = Figure("skip-sync-saving",
                 "skip-sync saving vs size (p50 with sync − p50 with DMA_ATTR_SKIP_CPU_SYNC)",
                 ylabel="saving per call (ns)")
    if not devices:
        fig.skipped = (f"{run.meta.arch or 'this system'} has no non-coherent device, and on "
                       "a coherent one skip-sync changes nothing")
        return fig
    rows, state = device_rows(run, ("map", "unmap"), devices)
    skip = {key_without(r, "attrs"): number(r["p50_ns"]) for r in rows
            if r["attrs"] == "skip_cpu_sync"}

    def saving(r):
        d = skip.get(key_without(r, "attrs"))
        v = number(r["p50_ns"])
        # a log axis shows no saving of 0 or less: the reading says those
        return v - d if d is not None and v is not None and v > d else None

    sync_rows = [r for r in rows if r["attrs"] == "none"]
    fig.panels = build(sync_rows, ("op",), ("exporter", "device", "cache_state"), run, yfun=saving)
    fig.note = cache_note(run, state)
    fig.skipped = "" if fig.panels else "no map/unmap rows with both attrs none and skip_cpu_sync"
    return fig


def key_without(row, *cols):
    return tuple(row[d] for d in DIMS if d not in cols and d != "nents")


def sg_entries(run):
    rows, state = device_rows(run, ("map", "unmap"), sweep="sg")
    rows = [r for r in rows if r["attrs"] == "none"]
    size = rows[0]["size"] if rows else ""
    fig = Figure("sg-entries",
                 f"map and unmap latency vs scatterlist entries{' at ' + fmt_size(size) if size else ''}"
                 f" ({state} buffers)",
                 xlabel="scatterlist entries (max_order sweep)", xbytes=False)
    fig.panels = build(rows, ("device",), ("exporter", "op", "attrs", "cache_state"), run, x="nents")
    fig.chosen["size"] = size
    fig.note = cache_note(run, state)
    fig.skipped = "" if fig.panels else "no max_order sweep (rows with a numeric max_order at the sg size)"
    return fig


def peers_alloc(run):
    rows = [r for r in run.rows if r["op"] in ("alloc_free_warm", "alloc_free_cold", "mmap_touch")
            and r["pool"] != "on" and run.in_size_sweep(r)]
    fig = Figure("peers-alloc", "alloc+free and mmap+touch vs the peers (page pools off)",
                 ylabel="p50 latency (ns; cold: its one sample)")
    fig.panels = build(rows, ("op",), ("exporter",), run)
    fig.note = ("cold: the first allocation of each size from each exporter, one sample, "
                "measured before anything else with the exporters taking turns and guest "
                "memory preallocated by QEMU")
    fig.skipped = "" if fig.panels else "no alloc_free/mmap_touch rows"
    return fig


def pool_alloc(run):
    # the cold allocation is one sample per point (the first allocation of
    # a size): a line of single samples says little; the report's first
    # table fits it over the sizes instead
    rows = [r for r in run.rows if r["op"] in ("alloc", "alloc_free_warm")
            and r["exporter"] in ("cmheap-system", "cmheap-system-uncached", "system")
            and run.in_size_sweep(r)]
    upstream = any(r["exporter"] == "system" for r in rows)
    fig = Figure("pool-alloc", "allocation with page pools on and off" +
                 (" vs the upstream system heap" if upstream else
                  " (this kernel has no upstream system heap)"))
    fig.panels = build(rows, ("op",), ("exporter", "pool"), run)
    fig.skipped = "" if fig.panels else \
        "no alloc rows for the system heaps (cmheap-bench --ops alloc,alloc_free)"
    return fig


def range_sync(run):
    devices = emulated_devices(run)
    fig = Figure("range-sync",
                 "CPU-access sync of part of a buffer (CMHEAP_HEAP_IOC_SYNC_RANGE) vs DMA_BUF_IOCTL_SYNC",
                 ylabel="p50 START + END (ns)")
    rows, state = device_rows(run, ("dmabuf_sync", "range_sync_64th", "range_sync_8th", "range_sync_all"),
                              devices, path=None)
    rows = [r for r in rows if r["exporter"] in ("cmheap-system", "cmheap-system-uncached")]
    fig.panels = build(rows, ("exporter", "device"), ("op", "cache_state"), run)
    fig.note = cache_note(run, state)
    if not fig.panels:
        fig.skipped = (EMULATED_COHERENT_WHY if run.meta.emulated and
                       "noncoherent" not in run.devices_present() else
                       "no range_sync rows (cmheap-bench --ops range_sync,dmabuf_sync)")
    return fig


def cpu_bandwidth(run):
    fig = Figure("cpu-bandwidth", "CPU read/write bandwidth per caching model",
                 ylabel="bandwidth (MB/s, 10^6 bytes/s)", ysi=False)
    if run.meta.emulated:
        fig.skipped = ("emulated: QEMU TCG models no caches and no memory types, so write-combined "
                       "and cached mappings run at the same speed; the numbers would be the "
                       "emulator's, not the buffers'")
        return fig
    rows = [r for r in run.rows if r["op"] in ("cpu_read", "cpu_write") and run.in_size_sweep(r)]
    fig.panels = build(rows, ("op",), ("exporter", "caching"), run, y="mb_per_s")
    fig.skipped = "" if fig.panels else "no cpu_read/cpu_write rows"
    return fig


def exporter_overhead(run):
    """What the exporter path adds to the raw DMA API for the same work, in
    ns: the raw point has the attrs that do what the exporter does
    (raw_attrs_for), and was measured right next to it."""
    fig = Figure("exporter-overhead",
                 "exporter path overhead vs size (p50 exporter path - p50 raw DMA API, same work)",
                 ylabel="p50 exporter - p50 raw dma_map_sgtable (ns)", logy=False, ysi=False,
                 yzero=True)
    rows, state = device_rows(run, ("map", "unmap"), path=None)
    raw = {key_without(r, "path", "attrs") + (r["attrs"],): number(r["p50_ns"])
           for r in rows if r["path"] == "raw"}

    def overhead(r):
        base = raw.get(key_without(r, "path", "attrs") + (raw_attrs_for(r),))
        v = number(r["p50_ns"])
        return v - base if base is not None and v is not None else None

    # Where the CPU caches are maintained, the overhead (hundreds of ns) is
    # far below the maintenance's own run-to-run spread (ms at 64 MiB): a
    # difference of two such medians is noise, so those points are left out.
    exp_rows = [r for r in rows if r["path"] == "exporter" and not maintains(r)]
    fig.panels = build(exp_rows, ("op", "device"), ("exporter", "attrs", "cache_state"), run,
                       yfun=overhead)
    fig.nents_labels = nents_vary(fig.panels)
    fig.note = ("each exporter point against the raw point that does the same work (an uncached "
                "heap always skips the CPU sync, so its raw partner is a skip-sync map); points "
                "that maintain the CPU caches are left out, their overhead being far below the "
                "maintenance's own spread; " + cache_note(run, state))
    # An exporter line lost for want of a partner is said, not dropped
    # silently: page-less memory has nothing to map raw, and runs measured
    # before the uncached heap's skip-sync partner on coherent devices
    # lack that partner.
    raw_exporters = {r["exporter"] for r in rows if r["path"] == "raw"}
    memory = {e.get("name"): e.get("memory") for e in run.meta.raw("exporters.found", None) or []
              if isinstance(e, dict)}  # a name alone, as exporters_text reads too
    lost = [f"{e}, which has no raw DMA API points" + (f" ({memory[e]})" if memory.get(e) else "")
            for e in sorted({r["exporter"] for r in exp_rows} - raw_exporters)]
    unpaired = sorted({f"{r['exporter']} {r['op']} on the {pretty('device', r['device'])}"
                       for r in exp_rows if r["exporter"] in raw_exporters and overhead(r) is None})
    if unpaired:
        lost.append("this run measured no raw point with the same attributes for " +
                    ", ".join(unpaired))
    if lost:
        fig.note += "; not drawn: " + "; ".join(lost)
    fig.skipped = ("" if fig.panels else "; ".join(lost) if lost
                   else "no map/unmap rows with both the exporter and the raw path")
    return fig


def sync_latency(run):
    devices = emulated_devices(run)
    fig = Figure("sync-latency", "CPU/device sync latency vs size")
    rows, state = device_rows(run, ("sync_dev", "sync_cpu", "dmabuf_sync"), TEST_DEVICES,
                              path=None, ours=False)
    keep = []
    for r in rows:
        if udmabuf_own_sync(r):
            # one line for udmabuf's own device, whatever the attachment
            if r["device"] != "coherent":
                continue
            if run.meta.emulated and run.meta.arch == "x86_64":
                continue
        elif r["device"] not in devices:
            continue
        keep.append(r)
    fig.panels = build(keep, ("op",), ("exporter", "device", "cache_state"), run)
    fig.note = ("sync for device and for CPU are the importer's own dma_sync_sgtable_* calls, "
                "which maintain the caches whatever the exporter's model; DMA_BUF_IOCTL_SYNC is "
                "the exporter's, which an uncached heap skips; " + cache_note(run, state))
    if run.meta.emulated:
        fig.note += ("; coherent devices left out: their syncs maintain nothing, and an emulator "
                     "shows only noise")
    if not fig.panels:
        fig.skipped = (EMULATED_COHERENT_WHY if run.meta.emulated
                       else "no sync_dev/sync_cpu/dmabuf_sync rows")
    return fig


EMULATED_COHERENT_WHY = ("emulated, and no non-coherent device: a coherent device's sync "
                         "maintains nothing, and an emulator cannot show more")
DMA_WHY = 'no rows for the edu device (make bench DMA_CONFIGS="direct iommu bounce")'


UDMABUF_ROUTES = ("udmabuf left out: its map and unmap are the dma-buf core handing back "
                  "the mapping it cached at the first map, through no route")


def route_minus_direct(rows):
    """For each row of a route, its p50 less the direct map's of the same
    point (None where either is missing, and for the direct rows)."""
    direct = {key_without(r, "dma"): number(r["p50_ns"]) for r in rows if r["dma"] == "direct"}

    def minus(r):
        d, v = direct.get(key_without(r, "dma")), number(r["p50_ns"])
        return None if r["dma"] == "direct" or d is None or v is None else v - d
    return minus


def over_direct(rows):
    """A yfun for build(): what a row's route adds to the same point mapped
    directly (route − direct), or None for the direct rows themselves and
    for a route that adds nothing a log axis can show."""
    minus = route_minus_direct(rows)

    def added(r):
        v = minus(r)
        return v if v is not None and v > 0 else None
    return added


def not_over_direct(rows, x):
    """The route points a figure of over_direct() leaves out, against @x
    (size or nents), the route having measured no more than the direct map
    of the same point: '; not drawn (...): unmap of cmheap-system through
    the IOMMU at 640, 2560 entries', or ''."""
    minus = route_minus_direct(rows)
    left = {}
    for r in rows:
        v = minus(r)
        if v is not None and v <= 0:
            left.setdefault((pretty("op", r["op"]), r["exporter"], pretty("dma", r["dma"])),
                            set()).add(int(r[x]))
    if not left:
        return ""
    said = [f"{op} of {exporter} {dma} at "
            + (", ".join(fmt_size(v) for v in sorted(xs)) if x == "size" else
               f"{', '.join(str(v) for v in sorted(xs))} entries")
            for (op, exporter, dma), xs in sorted(left.items())]
    return ("; not drawn, the route having measured no more than the direct map (a log axis "
            "has no place for it): " + "; ".join(said))


def dma_map_latency(run):
    rows, state = device_rows(run, ("map", "unmap"), ("edu",), ours=False)
    rows = [r for r in rows if r["exporter"] != "udmabuf"]
    fig = Figure("dma-map-latency",
                 "what each DMA route adds to map and unmap vs size (route − direct, edu device)",
                 ylabel="added per call (ns)")
    fig.panels = build(rows, ("exporter",), ("op", "dma", "cache_state"), run,
                       yfun=over_direct(rows))
    fig.note = ("each route measured in a guest of its own, against the direct map of the same "
                f"point; {UDMABUF_ROUTES}; " + cache_note(run, state) +
                not_over_direct(rows, "size"))
    fig.skipped = "" if fig.panels else DMA_WHY
    return fig


def dma_sg_entries(run):
    rows, state = device_rows(run, ("map", "unmap"), ("edu",), sweep="sg")
    rows = [r for r in rows if r["attrs"] == "none"]
    size = rows[0]["size"] if rows else ""
    fig = Figure("dma-sg-entries",
                 "what each DMA route adds to map and unmap vs scatterlist entries"
                 f"{' at ' + fmt_size(size) if size else ''} (route − direct, edu device)",
                 xlabel="scatterlist entries (max_order sweep)", xbytes=False,
                 ylabel="added per call (ns)")
    fig.panels = build(rows, ("op",), ("exporter", "dma", "cache_state"), run, x="nents",
                       yfun=over_direct(rows))
    fig.chosen["size"] = size
    fig.note = ("each route measured in a guest of its own, against the direct map of the same "
                "point" + not_over_direct(rows, "nents"))
    fig.skipped = "" if fig.panels else DMA_WHY + ", or no max_order sweep"
    return fig


def dma_sync_latency(run):
    rows, state = device_rows(run, ("sync_dev", "sync_cpu"), ("edu",), ours=False)
    fig = Figure("dma-sync-latency", "sync latency vs size per DMA route (edu device)")
    fig.panels = build(rows, ("exporter",), ("op", "dma", "cache_state"), run)
    fig.note = ("edu is coherent on both QEMU machines: direct and IOMMU syncs maintain nothing; "
                "a bounced sync copies between the buffer and its bounce buffer")
    fig.skipped = "" if fig.panels else DMA_WHY
    return fig


def break_even(run):
    """How many bytes of CPU access per hand-over to the non-coherent device
    make the cached model the cheaper one (answers.break_even), against
    the buffer's size."""
    fig = Figure("break-even", "break-even between the cached and the write-combined model",
                 ylabel="CPU bytes per hand-over (bytes)")
    points, why = answers.break_even(run)
    if not points:
        fig.skipped = why
        return fig
    series = []
    for label, of in (("reads", lambda b: b.reads), ("writes", lambda b: b.writes)):
        pts = [Point(b.size, of(b), min(b.samples)) for b in points if of(b) is not None]
        if pts:
            series.append(Series(f"CPU {label} that pay back the maintenance "
                                 f"({fmt_n(min(p.n for p in pts), max(p.n for p in pts))})",
                                 pts))
    if not series:
        fig.skipped = "write-combined access was not slower than cached at any size measured"
        return fig
    series.append(Series("the buffer's own size (each byte once)",
                         [Point(b.size, b.size, min(b.samples)) for b in points]))
    fig.panels = [Panel("cmheap-system against cmheap-system-uncached, non-coherent device, "
                        "map + unmap bidirectional", series)]
    fig.note = ("above a line, the cached model (cache maintenance, fast CPU access) costs less "
                "per hand-over than the write-combined one (none, slow CPU access)")
    return fig


def threads_rows(run):
    return [r for r in run.rows if in_threads_sweep(r)]


def concurrency(run, y="ops_per_s"):
    """The concurrency sweep (cmheap-bench --threads): throughput (all
    threads' calls per second) or the p99 of a call, against threads, per
    op, a line per exporter and sharing."""
    rows = threads_rows(run)
    size = f"{fmt_size(rows[0]['size'])} buffers, " if rows else ""
    if y == "ops_per_s":
        fig = Figure("concurrency", f"throughput vs threads ({size}concurrency sweep)",
                     xlabel="threads", ylabel="calls per second, all threads together",
                     logx=False, xbytes=False)
    else:
        fig = Figure("concurrency-p99", f"p99 latency of a call vs threads ({size}"
                     "concurrency sweep)", xlabel="threads", ylabel="p99 latency (ns)",
                     logx=False, xbytes=False)
    fig.panels = build(rows, ("op",), ("exporter", "sharing"), run, x="threads", y=y)
    fig.xtics = "1"
    device = next((r["device"] for r in rows if r["device"] != "none"), None)
    fig.note = ((f"map, unmap and DMA_BUF_IOCTL_SYNC for the {pretty('device', device)}; "
                 if device else "") +
                "each thread pinned to an online CPU in turn, all started together; "
                f"{run.meta.get('cpus_online') or '?'} CPUs online")
    if not fig.panels:
        fig.skipped = "no concurrency sweep (cmheap-bench --threads 1,2,4,nproc)"
    return fig


def concurrency_p99(run):
    return concurrency(run, "p99_ns")


ALL = (map_latency, skip_sync_saving, sg_entries, peers_alloc, pool_alloc, range_sync,
       cpu_bandwidth, break_even, exporter_overhead, sync_latency, dma_map_latency,
       dma_sg_entries, dma_sync_latency, concurrency, concurrency_p99)


def all_figures(run):
    figs = [f(run) for f in ALL]
    for fig in figs:
        # a latency axis in time units (µs, ms), or under -icount in
        # instructions, which its nanoseconds are
        if fig.ylabel.endswith("(ns)"):
            if run.meta.accel == "tcg-icount":
                fig.ylabel = fig.ylabel[:-4] + "(instructions: 1 guest ns = 1 instruction)"
            else:
                fig.ylabel = fig.ylabel[:-5]
                fig.ytime = True
    return figs


def few_samples(point):
    return point.n < FEW_SAMPLES
