# SPDX-License-Identifier: GPL-2.0
"""report.md of a run: where it was measured and what that place can show,
the run's metadata, the design question's answers (cmbench.answers), every
figure with a reading computed from its data, and a table of key points
chosen row by row."""

import os
import re

from . import answers as A
from . import figures as F
from .data import (accel_label, fmt_n, fmt_size, fmt_times, number, stat)

FIRST_LINE = {
    "tcg": "> Measured in QEMU TCG (emulated): work executed, not silicon timings.",
    "tcg-icount": ("> Measured in QEMU TCG with -icount (emulated, deterministic: guest time "
                   "counts instructions): work executed, not silicon timings."),
    "kvm": ("> Measured in QEMU KVM (virtualized): host CPU timings through a hypervisor; the "
            "DMA test devices are software, not silicon."),
}

# What each platform can and cannot show, said once per report.
SCOPE = {
    "tcg": [
        "QEMU TCG executes every instruction the kernel runs, cache-maintenance instructions "
        "included, but models no caches, no stalls and no barriers: a `dc civac` or a `dsb` costs "
        "about what any other instruction costs. So these figures measure the work each path does "
        "(instructions executed: page allocator, zeroing, page-table and memory-type changes, the "
        "DMA API's walks, cache-maintenance loops), not the time silicon would take.",
        "What it cannot show: cache write-back and invalidation traffic, the cost of a barrier per "
        "scatterlist entry (what batched cache sync removes on hardware), write-combining against "
        "cached CPU access, or any coherent device's sync (those maintain nothing).",
        "Wall-clock times also include the emulator's own overhead and the host's load; "
        "compare shapes and ratios within this run, not absolute times across machines.",
    ],
    "tcg-icount": [
        "QEMU TCG with -icount: guest time advances with instructions executed, so a run is "
        "repeatable to a fraction of a percent and measures work (instructions), deterministically.",
        "What it cannot show: caches, stalls, barriers and memory types are not modelled, so cache "
        "traffic, per-entry barrier costs and write-combining costs are absent, as under plain TCG.",
    ],
    "kvm": [
        "QEMU KVM: the CPU work runs on the host's silicon, so cache maintenance and memory types "
        "cost what they cost there (x86: all DMA is coherent); the DMA test devices are software.",
    ],
    "hardware": [
        "Hardware: timings are the silicon's, for this board and kernel.",
    ],
}

KEY_OPS = ("map", "unmap", "map_unmap", "sync_dev", "sync_cpu", "dmabuf_sync", "range_sync_64th",
           "range_sync_8th", "range_sync_all", "alloc", "alloc_free_cold", "alloc_free_warm",
           "pool_shrink", "mmap_touch", "cpu_write", "cpu_read")


def cost(v, run):
    """A cost in the run's own unit: time, or under -icount instructions
    ('65.8k instr'), which a reader must not take for time (#23, claim 6);
    – where there is none."""
    return "–" if v is None else A.amount(v, A.units(run))


def first_line(meta):
    accel = meta.accel
    if accel in FIRST_LINE:
        return FIRST_LINE[accel]
    if accel == "hardware":
        cpu = meta.get("cpu_model")
        return f"> Measured on hardware{f' ({cpu})' if cpu else ''}, kernel {meta.get('kernel_release')}."
    if accel == "unknown":
        return ("> Measured on a virtual machine whose emulator or hypervisor was not recorded "
                "(cmheap-bench found one, and no cmheap_accel= on the kernel command line): not "
                "silicon timings; treat the numbers as relative only.")
    return ("> Measured on an unknown platform (meta.json has no accelerator): treat the numbers "
            "as relative only.")


def scope(meta):
    return SCOPE.get(meta.accel, ["The platform is unknown: treat the numbers as relative only."])


# -- the metadata table

def devices_text(meta, measured_only=False):
    out = []
    for d in meta.raw("devices", []) or []:
        if not isinstance(d, dict):
            continue
        if measured_only and d.get("measured") is not True:
            continue
        if d.get("present") is False:
            continue
        t = f"{d.get('device')} ({d.get('name')}; {'coherent' if d.get('coherent') else 'non-coherent'}"
        if d.get("dma"):
            t += f", {d.get('dma')}, {d.get('dma_mask_bits')}-bit mask"
        if d.get("measured") is False:
            t += ", not measured"
        out.append(t + ")")
    return ", ".join(out)


def exporters_text(meta, which):
    out = []
    for e in meta.raw(f"exporters.{which}", []) or []:
        if isinstance(e, str):
            out.append(e)
        elif isinstance(e, dict):
            t = e.get("name", "?")
            extra = [x for x in (e.get("caching"), e.get("memory"), e.get("reason")) if x]
            out.append(f"{t} ({'; '.join(extra)})" if extra else t)
    return ", ".join(out)


def clock_text(meta):
    """The clocks' tick and the cost of timing nothing (meta.json clock)."""
    parts = []
    for side, name in (("kernel", "kernel clock (in-kernel loop)"), ("user", "user clock")):
        c = meta.raw(f"clock.{side}")
        if not isinstance(c, dict):
            continue
        if not c.get("measured"):
            parts.append(f"{name}: not measured ({c.get('why', '?')})")
            continue
        tick = c.get("tick_ns")
        parts.append(f"{name}: tick {tick} ns, timing nothing costs {c.get('empty_p50_ns')} ns at "
                     f"p50 (min {c.get('empty_min_ns')}, n={c.get('samples')})"
                     if tick else
                     f"{name}: every back-to-back difference was 0 ns, timing nothing costs "
                     f"{c.get('empty_p50_ns')} ns at p50 (n={c.get('samples')})")
    if not parts:
        return "not recorded (a cmheap-bench from before the clock probe)"
    text = "; ".join(parts)
    if meta.accel == "tcg-icount":
        # guest time is instructions: reading the clock itself moves it
        return (text.replace(": tick ", ": smallest step ") +
                ". Under -icount one ns is one instruction: the smallest step is the instructions "
                "between two clock reads, not a resolution of the clock, and every sample "
                "includes the cost of timing nothing.")
    return text + (". Differences of a tick or two are below what the clock can resolve, and "
                   "every sample includes the cost of timing nothing.")


def pinning_text(meta):
    cpu = meta.get("method.cpu")
    if cpu == "" or cpu == "-1":
        return ""
    text = f"the sweep runs on CPU {cpu} (sched_setaffinity), so its samples do not migrate"
    if meta.accel in ("tcg", "tcg-icount", "kvm"):
        text += ("; it does not keep other work off them: in a guest, CPU 0 takes the "
                 "interrupts, and x86 TCG runs every vCPU on one host thread")
    return text


def host_text(path):
    try:
        with open(os.path.join(path, "logs", "host.txt"), encoding="utf-8") as f:
            v = dict(line.rstrip("\n").split("=", 1) for line in f if "=" in line)
    except OSError:
        return ""
    s = v.get("host_cpu", "")
    if v.get("host_cpus"):
        s += f", {v['host_cpus']} CPUs"
    if v.get("load_before"):
        s += f"; load average {v['load_before']} before, {v.get('load_after', '?')} after"
    return s


def read_first_line(path):
    try:
        with open(path, encoding="utf-8") as f:
            return f.readline().strip()
    except OSError:
        return ""


def metadata_table(run):
    m = run.meta
    rows = [
        ("kernel", m.get("kernel_release")),
        ("architecture", m.arch),
        ("CPU", m.get("cpu_model")),
        ("cache line / page", f"{m.get('cache_line')} B / {m.get('page_size')} B"),
        ("accelerator", accel_label(m.accel, m.get("cpu_model"))),
        ("QEMU", m.get("qemu_version")),
        ("git revision", m.get("git_rev")),
        ("date", m.get("date")),
        ("iterations (warmup)", f"{m.get('iterations')} ({m.get('warmup')})"),
        ("devices", devices_text(m)),
    ]
    for route, rm in run.route_metas.items():
        cmd = read_first_line(os.path.join(run.path, "logs", route, "cmdline.txt"))
        rows.append((f"{route} DMA sweep", devices_text(rm, True) +
                     (f"; guest kernel command line: {cmd}" if cmd else "")))
    rows += [
        ("exporters found", exporters_text(m, "found")),
        ("exporters skipped", exporters_text(m, "skipped")),
    ]
    registration = m.raw("heaps_registration")
    if registration:
        rows.append(("heap nodes", {
            "framework": "the kernel's dma-heap framework's (dma_heap_add): its "
                         "DMA_HEAP_IOCTL_ALLOC runs before cmheap's allocation",
            "misc": "cmheap's own misc devices under /dev/dma_heap/",
        }.get(registration, registration)))
    method = m.get("method.kernel_clock")
    if m.get("method.min_samples"):
        method += (f"; samples per point: up to {m.get('iterations')}, at least "
                   f"{m.get('method.min_samples')}, within {m.get('method.time_budget_ms') or '?'} ms")
    pin = pinning_text(m)
    if pin:
        method += "; " + pin
    rows += [
        ("method", method),
        ("clocks", clock_text(m)),
        ("sample counts", "every figure's legend gives each line's n (samples per point); "
                          f"points with fewer than {F.FEW_SAMPLES} are circled; p90 needs 10 "
                          "samples and p99 100, else the table shows –"),
    ]
    skipped = m.raw("points.skipped")
    if skipped:
        reasons = {}
        for s in m.raw("points.skips", []) or []:
            if isinstance(s, dict):
                reasons[s.get("reason", "?")] = reasons.get(s.get("reason", "?"), 0) + 1
        rows.append(("points skipped", f"{skipped}" + (
            " (" + "; ".join(f"{n} {r}" for r, n in reasons.items()) + ")" if reasons else "")))
    rows += [
        ("host", host_text(run.path)),
        ("guest kernel command line", read_first_line(os.path.join(run.path, "logs", "cmdline.txt"))),
        ("command line", m.get("command_line")),
        ("label", m.get("label")),
        ("points", f"{len(run.rows)} rows in results.csv"),
    ]
    out = ["| | |", "|---|---|"]
    for k, v in rows:
        if v and str(v).strip(" /()B"):
            out.append(f"| {k} | {str(v).replace('|', chr(92) + '|')} |")
    return out


# -- readings: each returns markdown lines computed from the figure's data

def read_at_largest(fig, run):
    """Per panel, every series at the largest x they all share."""
    out = []
    for panel in fig.panels:
        common = set.intersection(*({p.x for p in s.points} for s in panel.series))
        if not common:
            continue
        x = max(common)
        vals = "; ".join(f"{strip_n(s.label)} {cost(s.at(x).y, run)}" for s in panel.series)
        out.append(f"- {panel.title}, p50 at {fmt_size(int(x))}: {vals}.")
    return out


def strip_n(label):
    i = label.rfind(" (n=")
    return label[:i] if i > 0 else label


def read_skip_sync_saving(fig, run):
    """The saving per MiB (a fit over every size) and at the ends: not a
    ratio, which grows without limit with size."""
    out = []
    for panel in fig.panels:
        for s in panel.series:
            f = A.fit([(p.x / (1 << 20), p.y) for p in s.points])
            line = (f"- {panel.title}, {strip_n(s.label)}: skip-sync saves "
                    f"{cost(s.first.y, run)} at {fmt_size(int(s.first.x))}, {cost(s.last.y, run)} at "
                    f"{fmt_size(int(s.last.x))}")
            if f is not None:
                line += (f"; {cost(f.slope, run)} per MiB and {cost(f.intercept, run)} fixed "
                         f"(least-squares over {f.n} sizes, largest residual {cost(f.residual, run)})")
            out.append(line + ".")
    return emulated_note(run, out, "the saving is the cache-maintenance instructions skipped, "
                         "executed but not modelled as cache traffic; on hardware it also "
                         "includes the write-back and invalidation the instructions cause.")


def emulated_note(run, lines, text):
    """lines, and a last one saying what an emulator's numbers mean there."""
    if lines and run.meta.emulated:
        lines.append(f"- Emulated: {text}")
    return lines


def read_sg_entries(fig, run):
    """The cost per entry of each line: the slope of a least-squares fit
    through all its points (two endpoints of noisy points say little), with
    the fit's largest residual, and where the points are far off the line."""
    out = []
    for panel in fig.panels:
        for s in panel.series:
            f = A.fit([(p.x, p.y) for p in s.points])
            if f is None:
                continue
            line = (f"- {panel.title}, {strip_n(s.label)}: {f.n} points, {s.first.x:g} to "
                    f"{s.last.x:g} entries ({cost(s.first.y, run)} to {cost(s.last.y, run)}); "
                    f"least-squares fit over all of them: {cost(f.slope, run)} per entry and "
                    f"{cost(f.intercept, run)} fixed, largest residual {cost(f.residual, run)}")
            if f.far_off:
                line += f" — {A.FAR_OFF}"
            out.append(line + ".")
    if out:
        if run.meta.emulated:
            measure = ("counted in instructions" if run.meta.accel == "tcg-icount" else
                       "as the time the emulator takes to execute them")
            out.append("- What this shows: the cost per scatterlist entry of walking the "
                       f"table (DMA API calls and cache-maintenance loops, {measure}). It "
                       "does not reproduce the batched-cache-sync evaluation's shape: the "
                       "barrier per entry that batching removes costs almost nothing here, "
                       "because the emulator models no barriers.")
        else:
            out.append("- The per-entry cost includes a barrier per entry where the "
                       "architecture issues one per maintained range.")
    return out


def read_exporter_overhead(fig, run):
    out = []
    for panel in fig.panels:
        for s in panel.series:
            ys = [p.y for p in s.points]
            out.append(f"- {panel.title}, {strip_n(s.label)}: the exporter path adds "
                       f"{cost(min(ys), run)} to {cost(max(ys), run)} over the raw DMA API "
                       f"({fmt_size(int(s.first.x))}: {cost(s.first.y, run)}, "
                       f"{fmt_size(int(s.last.x))}: {cost(s.last.y, run)}).")
    return out


def against(panel, base):
    """(label, point, ratio to base) of every other series of panel at
    base's largest x."""
    x = base.last.x
    for s in panel.series:
        p = s.at(x)
        if s is not base and p is not None:
            yield strip_n(s.label), p, p.y / base.last.y


def read_peers_alloc(fig, run):
    out = []
    for panel in fig.panels:
        base = panel.get("cmheap-system")
        if base is None:
            continue
        x = base.last.x
        line = (f"- {panel.title} at {fmt_size(int(x))}: cmheap-system {cost(base.last.y, run)} "
                f"(n={base.last.n})")
        for label, p, ratio in against(panel, base):
            line += f"; {label} {cost(p.y, run)} ({fmt_times(ratio)}, n={p.n})"
        out.append(line + ".")
    faults = {}
    for r in run.rows:
        if r["op"] == "mmap_touch" and number(r.get("minflt_per_op")) is not None:
            if int(r["size"]) >= faults.get(r["exporter"], (0, 0))[0]:
                faults[r["exporter"]] = (int(r["size"]), number(r["minflt_per_op"]))
    if faults:
        out.append("- page faults per mmap+touch at each exporter's largest size: " +
                   ", ".join(f"{e} {v:g}" for e, (_, v) in sorted(faults.items())) + ".")
    return out


def pool_table(run):
    """(exporter, op, pool, size) -> row, for the allocation ops."""
    t = {}
    for r in run.rows:
        if r["op"] in ("alloc", "alloc_free_warm", "pool_shrink") and run.in_size_sweep(r):
            t[(r["exporter"], r["op"], r["pool"], int(r["size"]))] = r
    return t


def conclusive(run, a, b):
    """Whether two rows' p50s can carry a verdict: under -icount (repeatable
    to a fraction of a percent), or where their samples' ranges (min to
    max) do not overlap; plain TCG's p50s move by a quarter between runs."""
    if run.meta.accel == "tcg-icount":
        return True
    lo_a, hi_a = number(a["min_ns"]), number(a["max_ns"])
    lo_b, hi_b = number(b["min_ns"]), number(b["max_ns"])
    if None in (lo_a, hi_a, lo_b, hi_b):
        return False
    return hi_a < lo_b or hi_b < lo_a


def verdict(target, miss, unclear, judged):
    """' Target …: met …' for the sizes that could carry a verdict (judged
    of them in the target's range)."""
    text = f" Target {target}: "
    if miss:
        text += "not met at " + ", ".join(miss) + "."
    elif len(unclear) == judged:
        text += "no verdict."
    elif unclear:
        text += "met at every size that can say."
    else:
        text += "met at every size measured."
    if unclear:
        text += (" No verdict at " + ", ".join(unclear) + ": the two points' sample ranges "
                 "overlap, and a p50 ratio under plain TCG moves by a quarter between runs "
                 "(-icount, or ranges apart, carries one).")
    return text


POOL_LATENCY = ("latency on the calling thread: a pool refills and zeroes its pages on a worker, "
                "which the bench waits for outside the timed call")


def read_pool_alloc(fig, run):
    t = pool_table(run)
    sizes = sorted({k[3] for k in t})
    p50 = lambda k: number(t[k]["p50_ns"]) if k in t else None  # noqa: E731
    out = []
    parts, miss, unclear, inrange = [], [], [], 0
    for s in sizes:
        a, b = ("cmheap-system", "alloc", "on", s), ("system", "alloc", "-", s)
        if p50(a) is None or p50(b) is None:
            continue
        r = p50(b) / p50(a)
        parts.append(f"{fmt_size(s)} {r:.2f}× ({cost(p50(a), run)} vs {cost(p50(b), run)}, "
                     f"n={t[a]['samples']}/{t[b]['samples']})")
        if 1 << 20 <= s <= 64 << 20:
            inrange += 1
            if not conclusive(run, t[a], t[b]):
                unclear.append(fmt_size(s))
            elif r < 3:
                miss.append(fmt_size(s))
    if parts:
        line = ("- Allocation alone from a warm pool (cmheap-system, pools on) against the upstream "
                "system heap, how many times faster at p50 (" + POOL_LATENCY + "): " +
                "; ".join(parts) + ".")
        if inrange:
            line += verdict("at least 3× at 1–64 MiB", miss, unclear, inrange)
        out.append(line)
    parts, miss, unclear, inrange = [], [], [], 0
    for s in sizes:
        a, b = ("cmheap-system", "alloc", "on", s), ("cmheap-system-uncached", "alloc", "on", s)
        if p50(a) is None or p50(b) is None:
            continue
        r = p50(b) / p50(a)
        parts.append(f"{fmt_size(s)} {r:.2f}×")
        if 1 << 20 <= s <= 64 << 20:
            inrange += 1
            if not conclusive(run, t[a], t[b]):
                unclear.append(fmt_size(s))
            elif r > 1.2:
                miss.append(fmt_size(s))
    if parts:
        line = ("- Uncached allocation from its pool over cached from its pool (p50 ratio): " +
                "; ".join(parts) + ".")
        if inrange:
            line += verdict("within 1.2×", miss, unclear, inrange)
        out.append(line)
    for e in ("cmheap-system", "cmheap-system-uncached"):
        parts = []
        for s in sizes:
            on, off = (e, "alloc", "on", s), (e, "alloc", "off", s)
            if p50(on) is None or p50(off) is None:
                continue
            parts.append(f"{fmt_size(s)} {cost(p50(on), run)} on, {cost(p50(off), run)} off "
                         f"({p50(off) / p50(on):.2f}×)")
        if parts:
            out.append(f"- {e}, allocation alone with pools on and off ({POOL_LATENCY}): " +
                       "; ".join(parts) + ".")
    parts = []
    for s in sizes:
        for e in ("cmheap-system", "cmheap-system-uncached"):
            k = (e, "pool_shrink", "on", s)
            if p50(k) is not None:
                parts.append(f"{e} {fmt_size(s)} {cost(p50(k), run)} (n={t[k]['samples']})")
    if parts:
        out.append("- The shrinker giving back a pool that holds a freed buffer (drop_caches=2, "
                   "which runs every shrinker; p50): " + "; ".join(parts) + ".")
    return emulated_note(run, out, "these times count the work each allocation does (the page "
                         "allocator, zeroing, page-table and memory-type changes), not silicon "
                         "time; the ratios say how much of that work a pool avoids.")


def read_range_sync(fig, run):
    out = []
    for panel in fig.panels:
        full = next((s for s in panel.series if s.label.startswith("DMA_BUF_IOCTL_SYNC")), None)
        if full is None:
            continue
        x = full.last.x
        line = (f"- {panel.title}, {fmt_size(int(x))}, p50 START + END: DMA_BUF_IOCTL_SYNC "
                f"{cost(full.last.y, run)}")
        for label, p, ratio in against(panel, full):
            line += f"; {re.sub(r', (clean|dirty) buffer$', '', label)} {cost(p.y, run)} " \
                f"({fmt_times(ratio)} the full sync)"
        out.append(line + ".")
    return emulated_note(run, out, "a range sync saves the maintenance instructions of the "
                         "entries it skips, not the cache traffic it would save on hardware.")


CONCURRENCY_SCOPE = {
    "tcg-icount": "under -icount QEMU runs the vCPUs one at a time, in turns (no multi-threaded "
                  "TCG): threads interleave rather than run at once, so guest time cannot show "
                  "throughput growing with threads, and a lock shows only where a thread is "
                  "switched out holding it",
    "tcg": "QEMU TCG runs x86's vCPUs on one host thread and arm64's on one each: what it shows "
           "is the locking and the work of the paths, not the cache-line traffic of silicon",
}


def read_concurrency(fig, run):
    """Per op, exporter and sharing: at each thread count, the throughput
    (all threads' calls per second, and against one thread's) and the p99
    of a call; then where the workers ran (meta.json's
    sweep.threads_cpus)."""
    lines = {}
    for r in F.threads_rows(run):
        key = (r["op"], r["device"], r["exporter"], r["sharing"])
        lines.setdefault(key, {})[int(r["threads"])] = r
    out = []
    for (op, device, exporter, sharing), by_threads in lines.items():
        if len(by_threads) < 2:
            continue
        counts = sorted(by_threads)
        rows = [by_threads[t] for t in counts]
        line = (f"- {F.pretty('op', op)}"
                f"{'' if device == 'none' else ', ' + F.pretty('device', device)}, {exporter}, "
                f"{F.pretty('sharing', sharing)}: {', '.join(map(str, counts))} threads")
        tput = [number(r["ops_per_s"]) for r in rows]
        if all(tput):
            line += (f", throughput {', '.join(f'{t:,.0f}' for t in tput)} calls/s "
                     f"({', '.join(fmt_times(t / tput[0]) for t in tput[1:])} "
                     f"{'one thread' if counts[0] == 1 else f'{counts[0]} threads'}'s)")
        p99 = [stat(r, "p99_ns") for r in rows]
        if all(p is not None for p in p99):
            line += f", p99 {', '.join(cost(p, run) for p in p99)}"
        out.append(line + f" (n={', '.join(r['samples'] for r in rows)}).")
    if out:
        out += where_threads_ran(run)
    scope = CONCURRENCY_SCOPE.get(run.meta.accel)
    if out and scope:
        out.append(f"- Emulated: {scope}.")
    return out


def where_threads_ran(run):
    """The CPUs each thread count's workers ran on, as cmheap-bench saw
    them (sched_getcpu() once released), and whether any count that had
    more CPUs to use ran on one only: then its threads took turns."""
    seen = run.meta.raw("sweep.threads_cpus")
    if not isinstance(seen, dict) or not seen:
        return []
    online = number(run.meta.get("cpus_online")) or 0
    parts, alone = [], []
    for count in sorted(seen, key=int):
        cpus = seen[count]
        parts.append(f"{count} on CPU{'s' if len(cpus) > 1 else ''} "
                     f"{', '.join(map(str, cpus)) or '?'}")
        if int(count) > 1 and len(cpus) == 1 and online > 1:
            alone.append(count)
    line = f"- Where the workers ran (meta.json sweep.threads_cpus): {'; '.join(parts)}"
    if alone:
        line += (f" — {', '.join(alone)} thread{'s' if alone != ['1'] else ''} all on one CPU "
                 f"of {online:.0f}: they took turns, and throughput could not grow")
    return [line + "."]


def fmt_bytes(b):
    for unit, n in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if b >= n:
            return f"{b / n:.3g} {unit}"
    return f"{b:.3g} B"


def break_even_table(run):
    """The break-even over sizes (answers.break_even), or why there is none."""
    points, why = A.break_even(run)
    if not points:
        return [f"_No break-even: {why}._"]

    def pays(b, v):
        if b.maintenance <= 0:
            return "0 B: the cached model is never dearer"
        if v is None:
            return "never: write-combined access is not slower here"
        return f"{fmt_bytes(v)} ({v / b.size:.2g}× the buffer)"
    out = ["| buffer | cached model's maintenance per hand-over, over the uncached one's | "
           "CPU reads that pay it back | CPU writes that pay it back | samples |",
           "|---:|---:|---:|---:|---:|"]
    for b in points:
        out.append(f"| {fmt_size(b.size)} | {cost(b.maintenance, run)} | {pays(b, b.reads)} | "
                   f"{pays(b, b.writes)} | {fmt_n(min(b.samples), max(b.samples))} |")
    out += ["", "A hand-over is a map and an unmap for the non-coherent device, bidirectional "
            "(cmheap-system's cache maintenance against cmheap-system-uncached's none). With "
            "more bytes of CPU access than shown per hand-over, the cached model's faster CPU "
            "access (cpu_read/cpu_write at the same size) wins back its maintenance; with "
            "fewer, the write-combined model is cheaper. Reads and writes are each alone: a mix "
            "pays back in proportion."]
    return out


def skipped_points(run):
    """What each sweep planned and did not measure, and why: the reasons
    cmheap-bench recorded (meta.json points), grouped, with their counts."""
    out = []
    metas = [("the main sweep", "meta.json", run.meta)]
    metas += [(f"the {route} route", f"meta-{route}.json", m)
              for route, m in sorted(run.route_metas.items())]
    for what, name, m in metas:
        planned, measured = m.raw("points.planned"), m.raw("points.measured")
        skipped = m.raw("points.skipped")
        if not isinstance(planned, int):
            continue
        line = f"- {what} ({name}): {measured} of {planned} points measured"
        if not skipped:
            out.append(line + ", none skipped.")
            continue
        reasons = {}
        for skip in m.raw("points.skips") or []:
            if isinstance(skip, dict):
                reasons.setdefault(skip.get("reason", "?"), []).append(skip.get("point", "?"))
        parts = [f"{len(points)} × {reason} (first: {points[0]})"
                 for reason, points in sorted(reasons.items(), key=lambda kv: -len(kv[1]))]
        listed = sum(len(v) for v in reasons.values())
        if listed < skipped:
            parts.append(f"{skipped - listed} more whose reasons meta.json does not list")
        out.append(f"{line}, {skipped} skipped: " + "; ".join(parts) + ".")
    return out


READINGS = {
    "map-latency": read_at_largest,
    "skip-sync-saving": read_skip_sync_saving,
    "sg-entries": read_sg_entries,
    "peers-alloc": read_peers_alloc,
    "pool-alloc": read_pool_alloc,
    "range-sync": read_range_sync,
    "exporter-overhead": read_exporter_overhead,
    "sync-latency": read_at_largest,
    "dma-map-latency": read_at_largest,
    "dma-sg-entries": read_sg_entries,
    "dma-sync-latency": read_at_largest,
    "concurrency": read_concurrency,
}


# -- key points

def key_rows(run):
    """The key points, chosen explicitly: every exporter's point of every op
    at the largest size of the size sweep, through the exporter (or from
    user space), for the test devices (or none), one direction, the cache
    state this platform shows, the default max_order, pools on and off."""
    state = run.cache_state([r for r in run.rows if r["cache_state"] != "-"])
    devices = run.devices_present()
    device = "noncoherent" if "noncoherent" in devices else "coherent"
    # udmabuf syncs for its own device whatever the attachment: its point
    # is the one the sync figure shows (taken with the coherent attachment)
    rows = [r for r in run.rows
            if r["path"] in ("exporter", "user") and run.in_size_sweep(r) and
            (r["device"] == "coherent" if F.udmabuf_own_sync(r) else
             r["device"] in ("none", device)) and
            r["direction"] in ("bidirectional", "-") and
            r["cache_state"] in (state, "-")]
    largest = {}
    for r in rows:
        largest[r["op"]] = max(largest.get(r["op"], 0), int(r["size"]))
    chosen = [r for r in rows if int(r["size"]) == largest[r["op"]]]
    order = {op: i for i, op in enumerate(KEY_OPS)}
    chosen.sort(key=lambda r: (order.get(r["op"], len(order)), r["op"], r["exporter"],
                               r["device"], r["attrs"], r["pool"]))
    return chosen, state, device


def key_points(run):
    rows, state, device = key_rows(run)
    out = ["| op | exporter | pools | device | attrs | size | nents | samples | min | p50 | p90 | p99 "
           "| MB/s | faults/op |",
           "|---|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        cpu_access = r["op"] in ("cpu_read", "cpu_write")
        out.append("| " + " | ".join([
            r["op"], r["exporter"], r["pool"],
            "udmabuf's own" if F.udmabuf_own_sync(r) else r["device"], r["attrs"],
            fmt_size(r["size"]), r["nents"], r["samples"], cost(stat(r, "min_ns"), run),
            cost(stat(r, "p50_ns"), run), cost(stat(r, "p90_ns"), run), cost(stat(r, "p99_ns"), run),
            "–" if cpu_access and run.meta.emulated else r["mb_per_s"],
            r["minflt_per_op"]]) + " |")
    out.append("")
    out.append(f"Every op at the largest size of the size sweep, every exporter, through the "
               f"exporter (or from user space); the {device} test device (the non-coherent one "
               f"where there is one: there the models differ); bidirectional; {state or 'no'} "
               f"buffers; the default "
               f"max_order; – where a percentile needs more samples than the point has"
               + ("; no CPU bandwidth (an emulator models no caches or memory types, so it "
                  "would be the emulator's)" if run.meta.emulated else "") +
               ". udmabuf's DMA_BUF_IOCTL_SYNC syncs for udmabuf's own device whatever the "
               "attachment: its point is the one the sync figure shows. Every point is in "
               "results.csv.")
    return out


def first_screen(run):
    """The answers before any figure: what maintenance, entries, skip-sync,
    routes, allocation and CPU access cost on this platform, each with its
    fit and samples."""
    if not run.has(exporter=A.EXPORTER):
        return [f"_This run measured no {A.EXPORTER}, whose points the answers come from "
                "(its sweep named other exporters)._"]
    units = A.units(run)
    out = [f"| | {A.unit_label(run)} |", "|---|---|"]
    for title, group in A.grouped(run):
        out.append(f"| **{title}** | |")
        out += [f"| {a.question} | {a.text(units)} |" for a in group]
    device = ("the non-coherent test device" if A.device(run) == "noncoherent"
              else "the coherent test device (this run has no non-coherent one)")
    out += ["", f"cmheap-system (and its uncached twin) through the exporter, on {device}. A "
            "cost per MiB or per entry is the slope of a least-squares line through the p50s "
            "of every size (or entry count) of its sweep, then the line's intercept (the fixed "
            "cost), its points, their samples and its largest residual; differences are taken "
            "point by point first (python3 -m cmbench boards puts runs side by side)."]
    return out


def write(run, figs, path=None):
    """Writes report.md for run with figs (already drawn); returns its path."""
    m = run.meta
    lines = [first_line(m), ""]
    lines.append(f"# cmheap bench: {m.get('kernel_release')} {m.arch}"
                 f"{', ' + accel_label(m.accel, m.get('cpu_model')) if m.accel else ''}")
    lines.append("")
    lines += metadata_table(run)
    lines += ["", "## What this run can and cannot show", ""]
    lines += [f"- {s}" for s in scope(m)]
    lines += ["", "## What the caching models cost here", ""]
    lines += first_screen(run)
    lines += ["", "### The break-even between the models", ""]
    lines += break_even_table(run)
    lines.append("")
    for fig in figs:
        lines += [f"## {fig.title}", ""]
        if not fig.drawn:
            lines += [f"_Not drawn: {fig.skipped or 'no data'}._", ""]
            continue
        lines += [f"![{fig.title}](plots/{fig.id}.png)", ""]
        lines += [f"([SVG](plots/{fig.id}.svg))" + (f" _{fig.note}._" if fig.note else ""), ""]
        reading = READINGS.get(fig.id)
        if reading:
            got = reading(fig, run)
            if got:
                lines += got + [""]
    skips = skipped_points(run)
    if skips:
        lines += ["## Points not measured", ""] + skips + [""]
    lines += ["## Key points", ""]
    lines += key_points(run)
    path = path or os.path.join(run.path, "report.md")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    return path


def sample_range(rows):
    n = [int(number(r["samples"]) or 0) for r in rows]
    return fmt_n(min(n), max(n)) if n else ""
