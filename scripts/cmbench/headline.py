# SPDX-License-Identifier: GPL-2.0
"""headline: a run's headline points, one line each, for a board farm to
record as measurements.

  python3 -m cmbench headline DIR

prints, for each key point of the run's report (report.md's "Key points":
every exporter's point of every op at the largest size of the size sweep,
through the exporter or from user space, on the non-coherent test device
where there is one), a line "NAME VALUE UNITS": NAME is op.exporter.device.size
(and .attrs, .pool-on or .pool-off where the point has them), VALUE the
point's p50, UNITS "instructions" when the run was measured under -icount
(one guest nanosecond is one instruction there), else "ns".  A LAVA test
definition hands each line to lava-test-case --measurement; cmbench lava
checks a job's measurements against the same lines of the results folder
it rebuilds from the job's log.

Exit status: 0, 1 when the run has no key point, 2 usage or unreadable folder.
"""

import argparse
import re
import sys

from . import answers, report
from .data import ResultsError, Run, fmt_size, stat

# LAVA's test case names: letters, digits and -_. only
UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def name(row):
    parts = [row["op"], row["exporter"], row["device"], fmt_size(row["size"]).replace(" ", "")]
    if row["attrs"] not in ("none", "-", ""):
        parts.append(row["attrs"])
    if row["pool"] not in ("-", ""):
        parts.append("pool-" + row["pool"])
    return UNSAFE.sub("_", ".".join(parts))


def points(run):
    """The headline points: [(name, p50, units)], in the key points' order.
    Points without a p50 are left out; two points of one name are an error
    (the name would not say which is which)."""
    rows, _, _ = report.key_rows(run)
    out, seen = [], set()
    for r in rows:
        value = stat(r, "p50_ns")
        if value is None:
            continue
        n = name(r)
        if n in seen:
            raise ResultsError(f"{run.path}: two headline points named {n}")
        seen.add(n)
        out.append((n, value, answers.units(run)))
    return out


def fmt_value(v):
    return str(int(v)) if float(v).is_integer() else f"{v:g}"


def main(argv=None, out=sys.stdout, err=sys.stderr):
    p = argparse.ArgumentParser(prog="cmbench headline", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog="Exit status: 0, 1 no key point, 2 usage or unreadable folder.")
    p.add_argument("dir", help="a results folder (results.csv, meta.json)")
    try:
        args = p.parse_args(argv)
    except SystemExit as e:
        return 2 if e.code else 0
    try:
        got = points(Run.load(args.dir))
    except ResultsError as e:
        print(f"headline: {e}", file=err)
        return 2
    for n, v, u in got:
        print(f"{n} {fmt_value(v)} {u}", file=out)
    return 0 if got else 1
