# SPDX-License-Identifier: GPL-2.0
"""index.md: runs side by side."""

import contextlib
import os
import shutil
import tempfile
import unittest

from cmbench import gnuplot, index
from cmbench.data import Run
from cmbench.figures import Figure, Panel, Point, Series

from .fixtures import MiB, RunDir, meta, row, user_row


def rows(sync):
    out = []
    for s in (MiB, 4 * MiB):
        out += [row(size=s, p50_ns=sync), row(size=s, attrs="skip_cpu_sync", p50_ns=10),
                user_row("alloc_free_warm", size=s, pool="off", p50_ns=100),
                user_row("alloc_free_warm", exporter="cmheap-system-uncached",
                         caching="uncached", size=s, pool="off", p50_ns=300)]
    return out


def index_text(runs):
    """index.md for runs [(rows, accel, name)], as cmbench index writes it."""
    with contextlib.ExitStack() as stack:
        dirs = [stack.enter_context(RunDir(r, meta(accel=accel))) for r, accel, _ in runs]
        t = stack.enter_context(tempfile.TemporaryDirectory())
        path = index.write([Run.load(d) for d in dirs], os.path.join(t, "index.md"),
                           names=[name for _, _, name in runs])
        with open(path, encoding="utf-8") as f:
            return f.read()


class Index(unittest.TestCase):
    def test_side_by_side(self):
        text = index_text([(rows(5000), "tcg", "arm64-tcg"),
                           (rows(1000), "hardware", "arm64-board")])
        self.assertIn("[arm64-tcg](arm64-tcg/report.md)", text)
        self.assertIn("| map, cached, with sync, 1 MiB | 5 µs (n=200) | 1 µs (n=200) |", text)
        # #23, claim 4: the saving per MiB, not a ratio that grows with size
        self.assertNotIn("sync / skip-sync", text)
        self.assertIn("| skip-sync saving per MiB (map, cached; fit over every size) | "
                      "0 ns/MiB + 4.99 µs (2 points, n=200, residual ≤ 0 ns) |", text)
        self.assertIn("100 ns / 300 ns (3.00×; n=200 / 200)", text)
        self.assertIn("| device | non-coherent test device, clean buffers |", text)
        # the first screens side by side
        self.assertIn("## The answers side by side", text)
        self.assertIn("| measured | emulated: QEMU TCG (emulated) | silicon |", text)

    def test_icount_cells_count_instructions(self):
        # #23, claim 6: -icount's guest time is instructions, not time
        text = index_text([(rows(5000), "tcg-icount", "arm64-icount"),
                           (rows(1000), "tcg", "arm64-tcg")])
        self.assertIn("| map, cached, with sync, 1 MiB | 5k instr (n=200) | 1 µs (n=200) |", text)
        self.assertIn("100 instr / 300 instr (3.00×; n=200 / 200)", text)

    def test_a_ratio_only_where_the_samples_can_carry_it(self):
        # #23, claim 2: "0.90×" from n=5 with overlapping ranges
        r = rows(5000)
        for x in r:
            if x["op"] == "alloc_free_warm":
                x.update(samples="5", min_ns="50", max_ns="400")
        text = index_text([(r, "tcg", "x86-tcg")])
        self.assertNotIn("3.00×", text)
        self.assertIn("100 ns / 300 ns (n=5 / 5; no ratio: the samples' ranges overlap", text)


class Gnuplot(unittest.TestCase):
    def fig(self):
        return Figure("t", "test", panels=[Panel("p", [Series("a (n=1–200)", [
            Point(1024, 5, 200, "1"), Point(4096, 7, 1, "4")])])], nents_labels=True)

    def test_few_samples_are_circled(self):
        text = gnuplot.script(self.fig(), ["/x.dat"], "/x.png", "png", "title")
        self.assertIn("fewer than 10 samples", text)
        self.assertIn("($3 < 10 ? $2 : 1/0)", text)
        self.assertIn("using 1:2:4 with labels", text)

    def test_a_latency_axis_in_time_units(self):
        # #23: "100M ns" on the axes; µs and ms instead (gnuplot's %c prefix)
        fig = self.fig()
        fig.ytime = True
        text = gnuplot.script(fig, ["/x.dat"], "/x.png", "png", "title")
        self.assertIn('set format y "%.0s %cs"', text)
        self.assertIn("using 1:($2*1e-9) with linespoints", text)
        self.assertIn("($3 < 10 ? ($2*1e-9) : 1/0)", text)

    def test_title_on_two_lines(self):
        # the figure's title and where it ran: one line was cut off at the
        # edges of two panels; a double-quoted string breaks at \\n
        text = gnuplot.script(self.fig(), ["/x.dat"], "/x.png", "png", 'map "x"\narm64, TCG')
        self.assertIn('set multiplot layout 1, 1 title "map \\"x\\"\\narm64, TCG"', text)

    @unittest.skipUnless(shutil.which("gnuplot"), "gnuplot not installed")
    def test_draws_png_and_svg(self):
        with tempfile.TemporaryDirectory() as t:
            gnuplot.draw(self.fig(), t, "sub")
            with open(os.path.join(t, "t.png"), "rb") as f:
                self.assertEqual(f.read(4), b"\x89PNG")
            with open(os.path.join(t, "t.svg"), encoding="utf-8") as f:
                self.assertIn("<svg", f.read())
            with open(os.path.join(t, "data", "t-1.dat"), encoding="utf-8") as f:
                self.assertIn("4096 7 1 4", f.read())


if __name__ == "__main__":
    unittest.main()
