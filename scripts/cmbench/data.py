# SPDX-License-Identifier: GPL-2.0
"""A cmheap-bench results folder: results.csv, meta.json, and what they say.

Everything the figures, the report, the index and compare need to know
about one run lives here: reading it, formatting its numbers, and the
rules that decide which rows answer which question (the size sweep against
the scatterlist sweep, the cache state an emulator can show, the raw DMA
API point that does the same work as an exporter's).
"""

import csv
import json
import math
import os

# The columns that name a point; the rest are what was measured.
DIMS = ("exporter", "caching", "device", "coherent", "dma", "op", "path",
        "size", "max_order", "pool", "nents", "direction", "attrs",
        "cache_state", "threads", "sharing")

# Ops timed in the kernel on a device, and the ones that do CPU cache
# maintenance for a cached buffer on a non-coherent device.
DEVICE_OPS = ("map", "unmap", "map_unmap", "sync_dev", "sync_cpu",
              "dmabuf_sync", "range_sync_64th", "range_sync_8th",
              "range_sync_all")
MAINTAINING_OPS = DEVICE_OPS

EMULATED = ("tcg", "tcg-icount")

# Below these sample counts a percentile is the maximum, or nearly: it is
# not shown as that percentile.
MIN_SAMPLES = {"p90_ns": 10, "p99_ns": 100}
# Points with fewer samples are marked as such in figures.
FEW_SAMPLES = 10


class ResultsError(Exception):
    """A results folder or file that cannot be read as one."""


def number(value):
    """The float in a CSV cell, or None for '-', 'n/a' and the like."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def read_csv(path):
    """The rows of a results.csv as dicts of strings.

    A results.csv from before the dma column mapped every device directly;
    one from before the pool column had no pools.
    """
    try:
        with open(path, newline="", encoding="utf-8") as f:
            reader = csv.DictReader(f)
            if reader.fieldnames is None:
                raise ResultsError(f"{path}: empty file")
            rows = []
            for row in reader:
                if not any((v or "").strip() for v in row.values()):
                    continue
                if "dma" not in row or row["dma"] is None:
                    row["dma"] = "-" if row.get("device") == "none" else "direct"
                if "pool" not in row or row["pool"] is None:
                    row["pool"] = "-"
                # from before the concurrency sweep: every point one thread
                for col in ("threads", "sharing", "ops_per_s"):
                    if row.get(col) is None:
                        row[col] = "-"
                rows.append(row)
            return reader.fieldnames, rows
    except OSError as e:
        raise ResultsError(f"cannot read {path}: {e.strerror}") from e


class Meta:
    """meta.json, read with the names of both its layouts."""

    ALIASES = {
        "arch": ("arch", "architecture"),
        "cache_line": ("cache_line", "cache_line_size"),
        "date": ("date", "date_utc"),
        "iterations": ("iterations", "method.iterations"),
        "warmup": ("warmup", "method.warmup"),
        "command_line": ("command_line", "sweep.command_line"),
    }

    def __init__(self, data=None, path=None):
        self.data = data or {}
        self.path = path

    @classmethod
    def load(cls, path):
        if not os.path.exists(path):
            return cls({}, path)
        try:
            with open(path, encoding="utf-8") as f:
                return cls(json.load(f), path)
        except (OSError, ValueError) as e:
            raise ResultsError(f"{path}: not valid JSON: {e}") from e

    def raw(self, key, default=None):
        node = self.data
        for part in key.split("."):
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                return default
        return node

    def get(self, key, default=""):
        """A value as text: lists joined with spaces, absent as default."""
        for alt in self.ALIASES.get(key, (key,)):
            v = self.raw(alt)
            if v is None:
                continue
            if isinstance(v, list):
                return " ".join(str(x) for x in v)
            if isinstance(v, bool):
                return "true" if v else "false"
            return str(v)
        return default

    @property
    def accel(self):
        return self.get("accelerator")

    @property
    def emulated(self):
        return self.accel in EMULATED

    @property
    def arch(self):
        return self.get("arch")


class Run:
    """One results folder: its rows, its meta.json, the DMA routes' metas."""

    def __init__(self, rows, meta, path=".", fieldnames=None, route_metas=None):
        self.rows = rows
        self.meta = meta
        self.path = path
        self.fieldnames = fieldnames or list(rows[0].keys()) if rows else []
        self.route_metas = route_metas or {}

    @classmethod
    def load(cls, path):
        csv_path = os.path.join(path, "results.csv") if os.path.isdir(path) else path
        folder = os.path.dirname(csv_path) or "."
        fieldnames, rows = read_csv(csv_path)
        meta = Meta.load(os.path.join(folder, "meta.json"))
        routes = {}
        for name in sorted(os.listdir(folder)):
            if name.startswith("meta-") and name.endswith(".json"):
                routes[name[5:-5]] = Meta.load(os.path.join(folder, name))
        return cls(rows, meta, folder, fieldnames, routes)

    def devices_present(self):
        return sorted({r["device"] for r in self.rows} & {"coherent", "noncoherent"})

    def has(self, **match):
        return any(all(r.get(k) == v for k, v in match.items()) for r in self.rows)

    # -- which rows answer which question

    def sweep_sizes(self):
        """The sizes of the size sweep (meta.json), else every size seen."""
        sizes = self.meta.raw("sweep.sizes")
        if isinstance(sizes, list) and sizes:
            return {int(s) for s in sizes}
        return {int(r["size"]) for r in self.rows if r["size"].isdigit()}

    def default_max_order(self):
        """The max_order the size sweep allocated with, as text ('-': none)."""
        v = self.meta.raw("max_order_at_start")
        if isinstance(v, int):
            return str(v)
        # without meta.json: the most common numeric value
        counts = {}
        for r in self.rows:
            if r["max_order"].isdigit():
                counts[r["max_order"]] = counts.get(r["max_order"], 0) + 1
        return max(counts, key=counts.get) if counts else "-"

    def in_size_sweep(self, row):
        """A row of the size sweep, not of the scatterlist sweep (whose size
        is not a sweep size, or whose max_order is not the default one) nor
        of the concurrency sweep."""
        if in_threads_sweep(row) or int(row["size"]) not in self.sweep_sizes():
            return False
        mo = row["max_order"]
        return mo == "-" or mo == self.default_max_order() or row["path"] == "user"

    def in_sg_sweep(self, row):
        sg = self.meta.raw("sweep.sg_size")
        return (not in_threads_sweep(row) and row["max_order"].isdigit() and
                (sg is None or int(row["size"]) == int(sg)))

    def cache_states(self):
        """The cache states to show, best first.

        An emulator models no caches: a dirty buffer has nothing more to
        write back there, and the memset that dirties it only perturbs the
        next timed call.  So emulated runs show clean buffers; hardware
        shows dirty ones, where the write-back is the cost being measured.
        """
        return ("clean", "dirty") if self.meta.emulated else ("dirty", "clean")

    def cache_state(self, rows=None):
        """The one cache state the figures use for rows (None: no rows with
        a cache state)."""
        have = {r["cache_state"] for r in (self.rows if rows is None else rows)}
        for c in self.cache_states():
            if c in have:
                return c
        return None


def in_threads_sweep(row):
    """A row of the concurrency sweep (cmheap-bench --threads)."""
    return row.get("threads", "-") not in ("-", "")


def raw_attrs_for(row):
    """The attrs of the raw DMA API point that does the same work as an
    exporter path point.

    An uncached cmheap heap maps with DMA_ATTR_SKIP_CPU_SYNC whatever it is
    asked (there is nothing in the CPU caches to maintain), so its exporter
    point compares with a raw skip-sync map, on every device: even on a
    coherent one, dma-direct's unmap without skip-sync walks a sync for the
    CPU per entry (no cache maintenance, but work), which a raw point with
    attrs none would count against the exporter.  A run without that raw
    point (older runs, on coherent devices) has no partner for it.  On a
    coherent, non-bouncing device skip-sync is not measured for anyone
    else, and for them the raw point with attrs none is the same work.
    """
    if row["caching"] == "uncached" and row["exporter"].startswith("cmheap-"):
        return "skip_cpu_sync"
    if row["coherent"] == "1" and "bounce" not in row["dma"]:
        return "none"
    return row["attrs"]


def maintains(row):
    """A point that does CPU cache maintenance: a cached buffer mapped,
    unmapped or synced for a non-coherent device without skip-sync."""
    return (row["coherent"] == "0" and row["caching"] == "cached" and
            row["attrs"] == "none" and row["op"] in MAINTAINING_OPS)


def stat(row, col):
    """A statistic of a row, or None where its sample count cannot carry it."""
    v = number(row.get(col))
    if v is None:
        return None
    need = MIN_SAMPLES.get(col)
    if need and (number(row.get("samples")) or 0) < need:
        return None
    return v


# -- formatting

def fmt_size(b):
    try:
        b = int(b)
    except (TypeError, ValueError):
        return str(b)
    for unit, n in (("GiB", 1 << 30), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if b >= n and b % n == 0:
            return f"{b // n} {unit}"
    return f"{b} B"


def fmt_ns(v):
    if v is None:
        return "–"
    a = abs(v)
    if a >= 1e9:
        return f"{v / 1e9:.3g} s"
    if a >= 1e6:
        return f"{v / 1e6:.3g} ms"
    if a >= 1e3:
        return f"{v / 1e3:.3g} µs"
    return f"{v:.3g} ns"


def fmt_times(v):
    if v is None:
        return "–"
    if v >= 10:
        return f"{v:.0f}×"
    if v >= 0.1:
        return f"{v:.2f}×"
    return f"{v:.2g}×"


def fmt_n(lo, hi):
    return f"n={lo}" if lo == hi else f"n={lo}–{hi}"


def accel_label(accel, cpu=""):
    return {
        "tcg": "QEMU TCG (emulated)",
        "tcg-icount": "QEMU TCG -icount (emulated, deterministic)",
        "kvm": "QEMU KVM (virtualized)",
        "hardware": f"hardware ({cpu})" if cpu else "hardware",
        "unknown": "a virtual machine (which, not recorded)",
        "": "unknown platform",
    }.get(accel, accel)


def subtitle(meta):
    krel = meta.get("kernel_release") or "unknown kernel"
    arch = meta.arch or "unknown arch"
    return f"{krel} {arch}, {accel_label(meta.accel, meta.get('cpu_model'))}"
