# SPDX-License-Identifier: GPL-2.0
"""headline: the points a board farm records, from hand-made runs."""

import io
import unittest

from cmbench import headline
from cmbench.data import ResultsError

from .fixtures import MiB, RunDir, meta, row, run_of, user_row


def rows():
    """Maps at 1 and 4 MiB (the size sweep), on both test devices, with
    and without skip-sync, and an allocation from user space, pools on and
    off."""
    out = []
    for size, p50 in ((MiB, 1000), (4 * MiB, 4000)):
        out.append(row(size=size, p50_ns=p50))
        out.append(row(size=size, p50_ns=p50 // 10, attrs="skip_cpu_sync"))
        out.append(row(size=size, p50_ns=7, device="coherent"))
        for pool, ns in (("on", 300), ("off", 900)):
            out.append(user_row("alloc_free_warm", size=size, pool=pool, p50_ns=ns * size // MiB))
    return out


class Headline(unittest.TestCase):
    def test_key_points_at_the_largest_size_named_by_what_differs(self):
        got = headline.points(run_of(rows(), meta(accel="tcg")))
        self.assertEqual(got, [
            ("map.cmheap-system.noncoherent.4MiB", 4000.0, "ns"),
            ("map.cmheap-system.noncoherent.4MiB.skip_cpu_sync", 400.0, "ns"),
            ("alloc_free_warm.cmheap-system.none.4MiB.pool-off", 3600.0, "ns"),
            ("alloc_free_warm.cmheap-system.none.4MiB.pool-on", 1200.0, "ns"),
        ])

    def test_icount_runs_measure_instructions(self):
        got = headline.points(run_of(rows(), meta(accel="tcg-icount")))
        self.assertEqual({u for _, _, u in got}, {"instructions"})

    def test_points_without_p50_are_left_out_and_twins_refused(self):
        no_p50 = row(size=4 * MiB, exporter="udmabuf", max_order="-")
        no_p50["p50_ns"] = "-"
        self.assertEqual(len(headline.points(run_of(rows() + [no_p50]))), 4)
        twin = row(size=4 * MiB, p50_ns=5000, dma="iommu")
        with self.assertRaisesRegex(ResultsError, "two headline points named "
                                    "map.cmheap-system.noncoherent.4MiB"):
            headline.points(run_of(rows() + [twin]))

    def test_main_prints_name_value_units(self):
        out, err = io.StringIO(), io.StringIO()
        with RunDir(rows(), meta(accel="hardware")) as d:
            self.assertEqual(headline.main([d], out=out, err=err), 0, err.getvalue())
        self.assertEqual(out.getvalue().splitlines()[0], "map.cmheap-system.noncoherent.4MiB 4000 ns")
        self.assertEqual(headline.main(["/nonexistent"], out=out, err=err), 2)
        self.assertIn("headline: cannot read", err.getvalue())
        with RunDir([], meta()) as d:
            self.assertEqual(headline.main([d], out=out, err=err), 1)
