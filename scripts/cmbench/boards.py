# SPDX-License-Identifier: GPL-2.0
"""boards: runs from different boards or kernels side by side.

  python3 -m cmbench boards DIR... [--out FILE]

For each results folder, the design question's answers (cmbench.answers:
maintenance per MiB, cost per scatterlist entry and the exporter's own,
skip-sync saving per MiB, what an IOMMU and bouncing add, allocation, CPU
access per caching model), one column per run, each column headed with
where it was measured: architecture, board and SoC where the machine
names them, CPU, kernel, and whether it is silicon, virtualized or
emulated; a table per architecture.  Each cell is in the units its platform allows: ns, or
instructions under QEMU's -icount (not comparable across architectures);
an answer a platform cannot give says why instead of a number.  Markdown
on stdout, or into FILE.

Exit status: 0, 2 usage or an unreadable folder.
"""

import argparse
import os
import sys

from . import answers as A
from .data import ResultsError, Run, accel_label


def platform(meta):
    accel = meta.accel
    if accel == "hardware":
        return "silicon"
    if accel == "kvm":
        return "virtualized: " + accel_label(accel)
    if accel in ("tcg", "tcg-icount"):
        return "emulated: " + accel_label(accel)
    return accel_label(accel)


def where(run):
    m = run.meta
    parts = [m.arch or "unknown arch"]
    for key in ("board", "soc"):
        if m.get(key):
            parts.append(m.get(key))
    if m.get("cpu_model"):
        parts.append(m.get("cpu_model"))
    return " · ".join(parts)


def table(runs, names):
    out = ["| | " + " | ".join(names) + " |", "|---|" + "---|" * len(runs)]
    out.append("| where | " + " | ".join(where(r) for r in runs) + " |")
    out.append("| kernel | " + " | ".join(r.meta.get("kernel_release") or "unknown"
                                          for r in runs) + " |")
    out.append("| measured | " + " | ".join(platform(r.meta) for r in runs) + " |")
    out.append("| unit | " + " | ".join(A.unit_label(r) for r in runs) + " |")
    out.append("| device | " + " | ".join(
        "non-coherent test device" if A.device(r) == "noncoherent" else "coherent test device"
        for r in runs) + " |")
    per_run = [A.grouped(r) for r in runs]
    for g, (title, _) in enumerate(per_run[0]):
        out.append(f"| **{title}** |" + " |" * len(runs))
        for i, a in enumerate(per_run[0][g][1]):
            cells = [pr[g][1][i].text(A.units(r)) for pr, r in zip(per_run, runs)]
            out.append(f"| {a.question} | " + " | ".join(cells) + " |")
    return out


def write(runs, names):
    return "\n".join(["# cmheap: boards and kernels side by side", ""] + body(runs, names) + [""])


def body(runs, names):
    """The page below its title: what the columns are, then the tables."""
    lines = []
    emulated = [n for n, r in zip(names, runs) if r.meta.emulated]
    lines.append("Each column is one run's own answers, computed from its results.csv "
                 "(python3 -m cmbench boards). A cost per MiB or per entry is the slope of a "
                 "least-squares line through the p50s of every size (or entry count) of its "
                 "sweep, after it the line's intercept (the fixed cost), how many points and "
                 "samples it rests on and its largest residual; differences are taken point by "
                 "point first. cmheap-system (and its uncached twin) through the exporter.")
    lines.append("")
    if emulated:
        lines.append(f"Emulated ({', '.join(emulated)}): QEMU executes the cache-maintenance "
                     "instructions but models no caches, stalls or memory types, so those "
                     "columns show the work the paths do, not what silicon takes; -icount "
                     "columns count instructions, which do not compare across architectures.")
        lines.append("")
    # one table per architecture: -icount's instructions and the DMA
    # API's paths differ between them
    arches = []
    for r in runs:
        if r.meta.arch not in arches:
            arches.append(r.meta.arch)
    for arch in arches:
        mine = [(n, r) for n, r in zip(names, runs) if r.meta.arch == arch]
        if len(arches) > 1:
            lines += [f"## {arch or 'unknown architecture'}", ""]
        lines += table([r for _, r in mine], [n for n, _ in mine]) + [""]
    return lines[:-1]


def main(argv=None, out=sys.stdout, err=sys.stderr):
    p = argparse.ArgumentParser(prog="cmbench boards", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog="Exit status: 0, 2 usage or an unreadable folder.")
    p.add_argument("dirs", nargs="+", metavar="DIR", help="results folders (results.csv, meta.json)")
    p.add_argument("--out", metavar="FILE", help="write the Markdown here instead of stdout")
    try:
        args = p.parse_args(argv)
    except SystemExit as e:
        return 2 if e.code else 0
    try:
        runs = [Run.load(d) for d in args.dirs]
    except ResultsError as e:
        print(f"boards: {e}", file=err)
        return 2
    text = write(runs, [os.path.basename(os.path.normpath(d)) for d in args.dirs])
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text)
        print(f"boards: {args.out}", file=err)
    else:
        out.write(text)
    return 0
