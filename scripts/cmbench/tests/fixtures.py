# SPDX-License-Identifier: GPL-2.0
"""Small hand-made runs whose right answers are known."""

import csv
import json
import os
import tempfile

HEADER = ("exporter,caching,device,coherent,dma,op,path,size,max_order,pool,nents,direction,"
          "attrs,cache_state,samples,min_ns,p50_ns,p90_ns,p99_ns,max_ns,mean_ns,stddev_ns,"
          "mb_per_s,minflt_per_op,cycles_per_op,instructions_per_op,cache_misses_per_op,"
          "threads,sharing,ops_per_s").split(",")

MiB = 1 << 20


def row(**kw):
    """A results.csv row: a cached cmheap-system map on the non-coherent
    device, 1 MiB, 200 samples, p50 1000 ns, unless told otherwise."""
    r = {
        "exporter": "cmheap-system", "caching": "cached", "device": "noncoherent",
        "coherent": "0", "dma": "direct", "op": "map", "path": "exporter", "size": str(MiB),
        "max_order": "8", "pool": "-", "nents": "4", "direction": "bidirectional",
        "attrs": "none", "cache_state": "clean", "threads": "-", "sharing": "-",
        "ops_per_s": "-", "samples": "200", "min_ns": None,
        "p50_ns": "1000", "p90_ns": None, "p99_ns": None, "max_ns": None, "mean_ns": None,
        "stddev_ns": "1.0", "mb_per_s": "-", "minflt_per_op": "-", "cycles_per_op": "n/a",
        "instructions_per_op": "n/a", "cache_misses_per_op": "n/a",
    }
    for k, v in kw.items():
        r[k] = str(v)
    if r["device"] == "coherent":
        r["coherent"] = kw.get("coherent", "1")
    if r["device"] == "none":
        r["coherent"] = "-"
        r["dma"] = "-"
    p50 = float(r["p50_ns"])
    for col, f in (("min_ns", 0.9), ("p90_ns", 1.1), ("p99_ns", 1.2), ("max_ns", 1.3),
                   ("mean_ns", 1.0)):
        if r[col] is None:
            r[col] = f"{p50 * f:g}"
    return r


def user_row(op, exporter="cmheap-system", caching="cached", **kw):
    base = dict(exporter=exporter, caching=caching, device="none", op=op, path="user",
                nents="-", direction="-", cache_state="-", max_order="8")
    if not exporter.startswith("cmheap-system"):
        base["max_order"] = "-"
    base.update(kw)
    return row(**base)


def meta(accel="tcg", arch="aarch64", sizes=(MiB, 4 * MiB), sg_size=10 * MiB, **extra):
    m = {
        "tool": "cmheap-bench", "accelerator": accel, "kernel_release": "6.12.0-test",
        "architecture": arch, "cpu_model": "test CPU", "cache_line_size": 64, "page_size": 4096,
        "max_order_at_start": 8, "git_rev": "abc", "date_utc": "2026-01-01T00:00:00Z",
        "label": "test", "qemu_version": "7.2",
        "devices": [{"device": "coherent", "name": "c", "coherent": True, "dma": "direct",
                     "dma_mask_bits": 64, "measured": True}],
        "method": {"iterations": 200, "warmup": 3, "min_samples": 5, "time_budget_ms": 100,
                   "cpu": 0, "kernel_clock": "ktime_get_raw_ns (CMHEAP_IOC_BENCH)"},
        "sweep": {"sizes": list(sizes), "sg_size": sg_size, "command_line": ["./cmheap-bench"]},
        "points": {"skipped": 0},
    }
    m.update(extra)
    return m


class RunDir:
    """A temporary results folder; use as a context manager."""

    def __init__(self, rows, meta_data=None):
        self.tmp = tempfile.TemporaryDirectory()
        self.path = self.tmp.name
        write_csv(os.path.join(self.path, "results.csv"), rows)
        if meta_data is not None:
            with open(os.path.join(self.path, "meta.json"), "w", encoding="utf-8") as f:
                json.dump(meta_data, f)

    def __enter__(self):
        return self.path

    def __exit__(self, *exc):
        self.tmp.cleanup()


def write_csv(path, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=HEADER, lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow(r)


def run_of(rows, meta_data=None):
    """A Run in memory (no files)."""
    from cmbench.data import Meta, Run
    return Run(rows, Meta(meta_data if meta_data is not None else meta()), path=".")
