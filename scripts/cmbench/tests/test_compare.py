# SPDX-License-Identifier: GPL-2.0
"""compare: the gate's verdicts on hand-made runs."""

import io
import os
import unittest

from cmbench import compare

from .fixtures import MiB, RunDir, row, user_row


def run(old_rows, new_rows, *args):
    out, err = io.StringIO(), io.StringIO()
    with RunDir(old_rows) as a, RunDir(new_rows) as b:
        rc = compare.main([a, b, *args], out=out, err=err)
    return rc, out.getvalue() + err.getvalue()


def base():
    return [row(), row(attrs="skip_cpu_sync", p50_ns=100),
            row(device="coherent", p50_ns=500),
            user_row("alloc_free_warm", p50_ns=2000)]


class Compare(unittest.TestCase):
    def test_identical_passes(self):
        rc, out = run(base(), base())
        self.assertEqual(rc, 0, out)
        self.assertIn("4 points compared", out)
        self.assertIn("spread max |new/old - 1| = 0.00%", out)

    def test_twenty_percent_slower_fails(self):
        new = base()
        new[3] = user_row("alloc_free_warm", p50_ns=2400)
        rc, out = run(base(), new)
        self.assertEqual(rc, 1)
        self.assertIn("**REGRESSION**", out)
        self.assertEqual(run(base(), new, "--threshold", "25")[0], 0)

    def test_threshold_from_environment(self):
        new = base()
        new[3] = user_row("alloc_free_warm", p50_ns=2400)
        os.environ["THRESHOLD"] = "25"
        try:
            self.assertEqual(run(base(), new)[0], 0)
        finally:
            del os.environ["THRESHOLD"]

    def test_by_op_gives_each_op_its_median_change(self):
        new = base()
        new[0] = row(p50_ns=1030)                       # map: +3%
        new[1] = row(attrs="skip_cpu_sync", p50_ns=99)  # map: -1%
        new[2] = row(device="coherent", p50_ns=550)     # map: +10%
        rc, out = run(base(), new, "--by-op", "--quiet")
        self.assertEqual(rc, 0, out)
        self.assertIn("compare: by op, median change of p50_ns (points): "
                      "map +3.0% (3), alloc_free_warm +0.0% (1)", out)
        self.assertNotIn("by op", run(base(), new, "--quiet")[1])

    def test_lost_maintenance_fails(self):
        new = base()
        new[0] = row(p50_ns=300)           # cached, non-coherent, attrs none
        rc, out = run(base(), new)
        self.assertEqual(rc, 1)
        self.assertIn("MAINTENANCE LOST?", out)
        self.assertEqual(run(base(), new, "--lost", "80")[0], 0)

    def test_coherent_faster_is_only_faster(self):
        new = base()
        new[2] = row(device="coherent", p50_ns=200)
        rc, out = run(base(), new)
        self.assertEqual(rc, 0, out)
        self.assertIn("| faster |", out)

    def test_missing_point_fails(self):
        rc, out = run(base(), base()[:3])
        self.assertEqual(rc, 1)
        self.assertIn("(**MISSING**)", out)
        self.assertEqual(run(base(), base()[:3], "--allow-missing")[0], 0)

    def test_nents_change_still_pairs(self):
        new = base()
        new[0] = row(nents=8)
        rc, out = run(base(), new)
        self.assertEqual(rc, 0, out)
        self.assertIn("(nents 4 -> 8)", out)

    def test_resolution_auto_makes_a_tick_a_tie(self):
        old = [row(p50_ns=144, min_ns=128), row(size=4 * MiB, p50_ns=320, min_ns=304)]
        new = [row(p50_ns=160, min_ns=128), row(size=4 * MiB, p50_ns=320, min_ns=304)]
        self.assertEqual(run(old, new)[0], 1)
        rc, out = run(old, new, "--resolution", "auto")
        self.assertEqual(rc, 0, out)
        self.assertIn("at most 16 ns", out)

    def test_zero_then_nonzero_is_a_regression(self):
        rc, out = run([row(p50_ns=0)], [row(p50_ns=5)])
        self.assertEqual(rc, 1)
        self.assertIn("| inf |", out)

    def test_bad_input(self):
        with RunDir(base()) as a:
            self.assertEqual(compare.main([a, os.path.join(a, "nope.csv")],
                                          out=io.StringIO(), err=io.StringIO()), 2)
            self.assertEqual(compare.main([a, a, "--threshold", "-1"],
                                          out=io.StringIO(), err=io.StringIO()), 2)

    def test_quiet_prints_only_failures(self):
        new = base()
        new[3] = user_row("alloc_free_warm", p50_ns=2400)
        rc, out = run(base(), new, "--quiet")
        table = [line for line in out.splitlines() if line.startswith("| cmheap")]
        self.assertEqual(len(table), 1)
        self.assertIn("alloc_free_warm", table[0])


if __name__ == "__main__":
    unittest.main()
