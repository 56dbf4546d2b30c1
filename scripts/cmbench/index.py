# SPDX-License-Identifier: GPL-2.0
"""index.md: several runs side by side (make bench's host and arm64 runs).

Each column is one results folder; each row one question the caching
models answer differently, read from that run's results.csv with the same
choices as its report (the cache state its platform can show, the size
sweep, one direction).  A cell that run did not measure says so.
"""

import os

from . import answers as A
from . import boards
from .data import fmt_size, fmt_times, number
from .report import conclusive, cost, first_line

# (title, exporter, op, attrs, pools) per question; device: the run's
# non-coherent test device if it has one, else its coherent one.
QUESTIONS = (
    ("map, cached, with sync", "cmheap-system", "map", "none"),
    ("map, cached, skip-sync", "cmheap-system", "map", "skip_cpu_sync"),
    ("map, uncached", "cmheap-system-uncached", "map", "none"),
    ("sync for device, cached", "cmheap-system", "sync_dev", "none"),
    ("DMA_BUF_IOCTL_SYNC, cached", "cmheap-system", "dmabuf_sync", "none"),
    ("DMA_BUF_IOCTL_SYNC, uncached", "cmheap-system-uncached", "dmabuf_sync", "none"),
)


def device_of(run):
    devs = run.devices_present()
    return "noncoherent" if "noncoherent" in devs else (devs[0] if devs else None)


def cell(run, exporter, op, attrs, size, device):
    state = run.cache_state([r for r in run.rows if r["device"] == device]) if device else None
    for r in run.rows:
        if (r["exporter"] == exporter and r["op"] == op and r["attrs"] == attrs and
                r["device"] == device and int(r["size"]) == size and
                r["path"] in ("exporter", "user") and r["cache_state"] in (state, "-") and
                r["direction"] in ("bidirectional", "-") and run.in_size_sweep(r)):
            return number(r["p50_ns"]), r["samples"]
    return None, None


def alloc_row(run, exporter, size):
    for r in run.rows:
        if (r["exporter"] == exporter and r["op"] == "alloc_free_warm" and
                r["pool"] in ("off", "-") and int(r["size"]) == size and run.in_size_sweep(r)):
            return r
    return None


def alloc_text(run, size):
    """cached / uncached warm alloc+free, and their ratio where the two
    points can carry one (report.conclusive)."""
    c, u = alloc_row(run, "cmheap-system", size), alloc_row(run, "cmheap-system-uncached", size)
    if c is None and u is None:
        return "not measured"
    pc, pu = (number(r["p50_ns"]) if r else None for r in (c, u))
    n = f"n={c['samples'] if c else 0} / {u['samples'] if u else 0}"
    both = f"{cost(pc, run)} / {cost(pu, run)}"
    if pc and pu and conclusive(run, c, u):
        return f"{both} ({fmt_times(pu / pc)}; {n})"
    if pc and pu:
        return (f"{both} ({n}; no ratio: the samples' ranges overlap, "
                "and plain TCG's p50s move by a quarter between runs)")
    return f"{both} ({n})"


def skip_saving_text(run):
    return A.skip_sync(run)[0].text(A.units(run))


def fmt_cell(run, v, n):
    return "not measured" if v is None else f"{cost(v, run)} (n={n})"


def write(runs, path, names=None):
    """Writes path (index.md) for runs, each linked by its folder relative
    to path's folder."""
    base = os.path.dirname(os.path.abspath(path))
    names = names or [os.path.relpath(os.path.abspath(r.path), base) for r in runs]
    sizes = sorted(set.intersection(*(r.sweep_sizes() for r in runs))) if runs else []
    size = 1 << 20 if (1 << 20) in sizes else (sizes[-1] if sizes else None)
    big = sizes[-1] if sizes else None
    out = ["# cmheap bench: the runs side by side", ""]
    out.append("Each run's own report says what its platform can and cannot show; in short:")
    out.append("")
    for name, run in zip(names, runs):
        out.append(f"- [{name}]({name}/report.md): {first_line(run.meta)[2:]}")
    out.append("")
    hdr = "| p50 | " + " | ".join(f"[{n}]({n}/report.md)" for n in names) + " |"
    out += [hdr, "|---|" + "---:|" * len(runs)]
    out.append("| device | " + " | ".join(
        {"noncoherent": "non-coherent test device", "coherent": "coherent test device"}.get(
            device_of(r), "none") + f", {r.cache_state() or '-'} buffers" for r in runs) + " |")
    for s in (size, big):
        if s is None:
            continue
        for title, exporter, op, attrs in QUESTIONS:
            cells = [fmt_cell(r, *cell(r, exporter, op, attrs, s, device_of(r))) for r in runs]
            out.append(f"| {title}, {fmt_size(s)} | " + " | ".join(cells) + " |")
        out.append(f"| alloc+free warm, pools off, cached / uncached, {fmt_size(s)} | " +
                   " | ".join(alloc_text(r, s) for r in runs) + " |")
        if s == big:
            break
    # what skip-sync saves grows with size: as a ratio it grows without
    # limit, so it is given per MiB, with its fixed part
    out.append("| skip-sync saving per MiB (map, cached; fit over every size) | " +
               " | ".join(skip_saving_text(r) for r in runs) + " |")
    out += ["", "Every cell is a p50 from that run's results.csv (n: its samples), in time, or in "
            "instructions (instr) for a run under -icount, whose guest time counts them: "
            "instructions do not compare with time, nor across architectures. The reports have "
            "the figures, the sample counts of every point and the readings. On a coherent "
            "device skip-sync changes nothing, so the default sweep does not measure it there "
            "(cmheap-bench --full does). \"sync for device\" is the importer's own "
            "dma_sync_sgtable_for_device, which maintains caches whatever the exporter's model; "
            "DMA_BUF_IOCTL_SYNC is the exporter's, which an uncached heap skips."]
    out += ["", "## The answers side by side", ""]
    out += boards.body(runs, names)
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(out) + "\n")
    return path
