# SPDX-License-Identifier: GPL-2.0
"""report.md: scope, metadata, readings and the key-points table."""

import contextlib
import io
import os
import shutil
import unittest

from cmbench import figures as F
from cmbench import report
from cmbench.data import Run

from .fixtures import MiB, RunDir, meta, row, run_of, user_row


class KeyPoints(unittest.TestCase):
    """Defect 2: every exporter of every op, chosen explicitly."""

    def rows(self):
        out = []
        for size in (MiB, 4 * MiB):
            for exp, caching, mo in (("cmheap-system", "cached", "8"),
                                     ("cmheap-carveout", "cached", "-"),
                                     ("udmabuf", "cached", "-")):
                out.append(row(exporter=exp, caching=caching, max_order=mo, size=size))
                out.append(user_row("alloc_free_warm", exporter=exp, caching=caching, size=size,
                                    max_order=mo, samples=5))
        # the sg sweep's 10 MiB point at other max_orders must not win "largest"
        out.append(row(size=10 * MiB, max_order=0, nents=2560))
        out.append(row(size=10 * MiB, max_order=8, nents=40))
        # dirty rows and raw rows are not key points on an emulator
        out.append(row(size=4 * MiB, cache_state="dirty"))
        out.append(row(size=4 * MiB, path="raw"))
        # the coherent device's rows: the non-coherent one is where the models differ
        out.append(row(size=4 * MiB, device="coherent", exporter="cmheap-carveout"))
        return out

    def test_every_exporter_every_op(self):
        rows, state, device = report.key_rows(run_of(self.rows()))
        self.assertEqual((state, device), ("clean", "noncoherent"))
        got = [(r["op"], r["exporter"], int(r["size"])) for r in rows]
        self.assertEqual(got, [
            ("map", "cmheap-carveout", 4 * MiB), ("map", "cmheap-system", 4 * MiB),
            ("map", "udmabuf", 4 * MiB),
            ("alloc_free_warm", "cmheap-carveout", 4 * MiB),
            ("alloc_free_warm", "cmheap-system", 4 * MiB),
            ("alloc_free_warm", "udmabuf", 4 * MiB)])

    def test_table_hides_unsupported_percentiles(self):
        table = report.key_points(run_of(self.rows()))
        warm = [line for line in table if line.startswith("| alloc_free_warm |")]
        self.assertEqual(len(warm), 3)
        cells = [c.strip() for c in warm[0].split("|")]
        # ... | samples | min | p50 | p90 | p99 | ...
        self.assertEqual(cells[8], "5")
        self.assertEqual(cells[11:13], ["–", "–"])
        mapped = [line for line in table if line.startswith("| map |")][0]
        self.assertIn("1.2 µs", mapped)     # p99 of 200 samples is shown


class Text(unittest.TestCase):
    def test_first_lines(self):
        from cmbench.data import Meta
        self.assertTrue(report.first_line(Meta({"accelerator": "tcg"})).startswith(
            "> Measured in QEMU TCG (emulated)"))
        self.assertTrue(report.first_line(Meta({"accelerator": "tcg-icount"})).startswith(
            "> Measured in QEMU TCG with -icount"))
        self.assertTrue(report.first_line(Meta({"accelerator": "hardware"})).startswith(
            "> Measured on hardware"))
        # cmheap-bench --accelerator auto on a machine that shows a hypervisor
        unknown = report.first_line(Meta({"accelerator": "unknown"}))
        self.assertTrue(unknown.startswith("> Measured on a virtual machine"))
        self.assertIn("not silicon", unknown)

    def test_pinning_is_not_oversold(self):
        """Defect 7."""
        from cmbench.data import Meta
        text = report.pinning_text(Meta(meta(accel="tcg")))
        self.assertIn("does not keep other work off", text)
        self.assertNotIn("stays off", text)
        self.assertNotIn("does not keep", report.pinning_text(Meta(meta(accel="hardware"))))

    def test_clock_row(self):
        """Defect 9: the clock's tick and the cost of timing nothing."""
        from cmbench.data import Meta
        clock = {"user_getres_ns": 1,
                 "kernel": {"measured": True, "samples": 1001, "tick_ns": 16,
                            "empty_min_ns": 96, "empty_p50_ns": 112},
                 "user": {"measured": False, "why": "test"}}
        text = report.clock_text(Meta(meta(clock=clock)))
        self.assertIn("tick 16 ns", text)
        self.assertIn("112 ns at p50", text)
        self.assertIn("not measured (test)", text)
        self.assertIn("not recorded", report.clock_text(Meta(meta())))

    def test_heap_nodes_row(self):
        """Who made the heap nodes the allocations went through, when meta says."""
        def row_of(m):
            return [r for r in report.metadata_table(run_of([row()], m))
                    if r.startswith("| heap nodes |")]
        self.assertIn("dma-heap framework", row_of(meta(heaps_registration="framework"))[0])
        self.assertIn("misc devices", row_of(meta(heaps_registration="misc"))[0])
        self.assertEqual([], row_of(meta()))

    def test_sg_reading_does_not_claim_the_shape(self):
        rows = [row(size=10 * MiB, max_order=o, nents=n, p50_ns=p)
                for o, n, p in ((8, 40, 1000), (0, 2560, 3520))]
        run = run_of(rows, meta(accel="tcg"))
        lines = report.read_sg_entries(F.sg_entries(run), run)
        self.assertIn("1 ns per entry and 960 ns fixed, largest residual 0 ns", lines[0])
        self.assertIn("does not reproduce", lines[-1])

    def test_sg_cost_per_entry_is_fitted_over_every_point(self):
        # #23, claim 3: arm64's "102 ns per extra entry" came from two
        # endpoints, with the 160-entry point below the 10-entry one
        rows = [row(size=10 * MiB, max_order=o, nents=n, p50_ns=p)
                for o, n, p in ((8, 10, 100000), (4, 160, 90000), (0, 2560, 361000))]
        run = run_of(rows, meta(accel="tcg"))
        line = report.read_sg_entries(F.sg_entries(run), run)[0]
        self.assertNotIn("per extra entry", line)
        self.assertIn("3 points, 10 to 2560 entries", line)
        # slope of the least-squares line through the three points
        self.assertIn("107 ns per entry", line)
        self.assertIn("largest residual 13.4 µs", line)
        rows[1]["p50_ns"] = "300000"
        line = report.read_sg_entries(F.sg_entries(run_of(rows, meta(accel="tcg"))), run)[0]
        self.assertIn("the points are far off a line", line)

    def test_range_sync_reading_says_which_range(self):
        # #23, claim 8: "range sync 294 µs; range sync 3.36 ms; ..."
        rows = [row(size=s, op=op, path="user", p50_ns=p * s // MiB)
                for op, p in (("dmabuf_sync", 64000), ("range_sync_64th", 1000),
                              ("range_sync_8th", 8000), ("range_sync_all", 64000))
                for s in (MiB // 2, MiB)]
        run = run_of(rows, meta(accel="tcg", sizes=(MiB // 2, MiB)))
        line = report.read_range_sync(F.range_sync(run), run)[0]
        self.assertIn("range sync, 1/64 1 µs (0.016× the full sync)", line)
        self.assertIn("range sync, 1/8 8 µs", line)
        self.assertIn("range sync, all 64 µs", line)


class Claims(unittest.TestCase):
    """#23's other claims, each pinned where the old reading said otherwise."""

    def test_an_icount_clock_has_steps_of_instructions_not_a_resolution(self):
        # claim 6
        from cmbench.data import Meta
        clock = {"kernel": {"measured": True, "samples": 1001, "tick_ns": 42,
                            "empty_min_ns": 42, "empty_p50_ns": 42}}
        text = report.clock_text(Meta(meta(accel="tcg-icount", clock=clock)))
        self.assertIn("smallest step 42 ns", text)
        self.assertIn("one ns is one instruction", text)
        self.assertNotIn("resolve", text)
        self.assertIn("below what the clock can resolve",
                      report.clock_text(Meta(meta(accel="hardware", clock=clock))))

    def test_plain_tcg_per_entry_costs_are_time(self):
        # claim 12: "as instructions" where plain TCG measures time
        rows = [row(size=10 * MiB, max_order=o, nents=n, p50_ns=p)
                for o, n, p in ((8, 40, 1000), (0, 2560, 3520))]
        for accel, want in (("tcg", "as the time the emulator takes"),
                            ("tcg-icount", "counted in instructions")):
            run = run_of(rows, meta(accel=accel))
            self.assertIn(want, report.read_sg_entries(F.sg_entries(run), run)[-1])

    def test_routes_show_what_they_add_and_leave_udmabuf_out(self):
        # claim 9, and the routes figure as route − direct
        rows = [row(size=s, exporter=e, max_order="8" if e == "cmheap-system" else "-",
                    device="edu", coherent="1", dma=dma, p50_ns=p * s // MiB + add * s // MiB)
                for s in (MiB, 4 * MiB) for e, p in (("cmheap-system", 1000), ("udmabuf", 10))
                for dma, add in (("direct", 0), ("iommu", 30))]
        fig = F.dma_map_latency(run_of(rows, meta(accel="tcg")))
        self.assertEqual([p.title for p in fig.panels], ["cmheap-system"])
        (series,) = fig.panels[0].series
        self.assertIn("through the IOMMU", series.label)
        self.assertEqual([p.y for p in series.points], [30, 120])
        self.assertIn("udmabuf left out: its map and unmap are the dma-buf core handing back the "
                      "mapping it cached", fig.note)

    def test_a_route_no_dearer_than_direct_is_named_where_the_log_axis_drops_it(self):
        # #23: arm64 -icount's unmap through the SMMUv3 at 640 and 2560
        # entries is cheaper than the direct walk of every entry
        order = {10: 8, 40: 6, 640: 2, 2560: 0}
        rows = [row(size=10 * MiB, op="unmap", nents=n, max_order=order[n], device="edu",
                    coherent="1", dma=dma, p50_ns=p)
                for n, direct, iommu in ((10, 500, 2500), (40, 1500, 9000),
                                         (640, 21000, 11000), (2560, 85000, 11000))
                for dma, p in (("direct", direct), ("iommu", iommu))]
        fig = F.dma_sg_entries(run_of(rows, meta(accel="tcg-icount")))
        (series,) = fig.panels[0].series
        self.assertEqual([(p.x, p.y) for p in series.points], [(10, 2000), (40, 7500)])
        self.assertIn("not drawn, the route having measured no more than the direct map (a log "
                      "axis has no place for it): unmap of cmheap-system through the IOMMU at "
                      "640, 2560 entries", fig.note)

    def test_points_not_measured_are_reported_with_why(self):
        # claim 10: 132 of 398 bounce points EIO, unreported
        from cmbench.data import Meta
        skips = [{"point": f"map cmheap-carveout edu {s} bidirectional none clean raw",
                  "reason": "CMHEAP_IOC_BENCH: Input/output error"} for s in ("1M", "4M")]
        run = run_of([row()], meta(points={"planned": 10, "measured": 10, "skipped": 0}))
        run.route_metas["bounce"] = Meta(meta(points={"planned": 398, "measured": 266,
                                                      "skipped": 132, "skips": skips}))
        lines = report.skipped_points(run)
        self.assertEqual(lines[0], "- the main sweep (meta.json): 10 of 10 points measured, "
                                   "none skipped.")
        self.assertEqual(lines[1], "- the bounce route (meta-bounce.json): 266 of 398 points "
                                   "measured, 132 skipped: 2 × CMHEAP_IOC_BENCH: Input/output "
                                   "error (first: map cmheap-carveout edu 1M bidirectional none "
                                   "clean raw); 130 more whose reasons meta.json does not list.")

    def test_key_points_take_udmabufs_sync_where_the_figure_does(self):
        # claim 12: 28 ms in the sync reading, 18.5 ms in the key points
        rows = [row(size=MiB, exporter="udmabuf", op="dmabuf_sync", path="user",
                    max_order="-", device=d, p50_ns=p)
                for d, p in (("coherent", 28000000), ("noncoherent", 18500000))]
        rows += [user_row("cpu_write", size=MiB, mb_per_s="2835.8")]
        for accel in ("tcg", "hardware"):
            run = run_of(rows, meta(accel=accel, sizes=(MiB,)))
            table = "\n".join(report.key_points(run))
            self.assertIn("| dmabuf_sync | udmabuf | - | udmabuf's own | none | 1 MiB | 4 | 200 "
                          "| 25.2 ms | 28 ms |", table)
            self.assertNotIn("18.5 ms", table)
            # an emulator's CPU bandwidth, which its report calls meaningless
            self.assertEqual("2835.8" in table, accel == "hardware", accel)

    def test_the_pool_figure_names_the_upstream_heap_only_where_it_ran(self):
        # claim 12: arm64's title named a heap its kernel does not have
        rows = [user_row("alloc", size=s, pool=p, p50_ns=1000) for s in (MiB, 4 * MiB)
                for p in ("on", "off")]
        self.assertIn("no upstream system heap", F.pool_alloc(run_of(rows)).title)
        rows += [user_row("alloc", exporter="system", size=s, pool="-") for s in (MiB, 4 * MiB)]
        self.assertIn("vs the upstream system heap", F.pool_alloc(run_of(rows)).title)


class PoolVerdicts(unittest.TestCase):
    """#23, claims 1 and 5: a target's verdict only where the numbers carry
    one, and what the pool's speedup is."""

    def rows(self, spread):
        out = []
        for s in (MiB, 4 * MiB):
            for exporter, pool, p50 in (("cmheap-system", "on", 1000), ("system", "-", 1500),
                                        ("cmheap-system-uncached", "on", 1100)):
                out.append(user_row("alloc", exporter=exporter, pool=pool, size=s, p50_ns=p50,
                                    samples=5, min_ns=p50 - spread, max_ns=p50 + spread,
                                    max_order="8" if pool == "on" else "-",
                                    caching="uncached" if "uncached" in exporter else "cached"))
        return out

    def reading(self, accel, spread):
        run = run_of(self.rows(spread), meta(accel=accel, sizes=(MiB, 4 * MiB)))
        return " ".join(report.read_pool_alloc(None, run))

    def test_overlapping_tcg_samples_give_no_verdict(self):
        text = self.reading("tcg", 600)
        self.assertNotIn("not met", text)
        self.assertNotIn("met at every", text)
        self.assertIn("Target at least 3× at 1–64 MiB: no verdict. No verdict at 1 MiB, 4 MiB: "
                      "the two points' sample ranges overlap", text)

    def test_icount_and_separate_ranges_give_one(self):
        self.assertIn("Target at least 3× at 1–64 MiB: not met at 1 MiB, 4 MiB.",
                      self.reading("tcg-icount", 600))
        self.assertIn("Target at least 3× at 1–64 MiB: not met at 1 MiB, 4 MiB.",
                      self.reading("tcg", 100))
        self.assertIn("Target within 1.2×: met at every size measured.",
                      self.reading("tcg-icount", 600))

    def test_the_speedup_is_said_to_be_the_calling_threads(self):
        self.assertIn("latency on the calling thread: a pool refills and zeroes its pages on a "
                      "worker", self.reading("tcg-icount", 0))


class WholeReport(unittest.TestCase):
    @unittest.skipUnless(shutil.which("gnuplot"), "gnuplot not installed")
    def test_report_written(self):
        from cmbench.__main__ import main
        rows = [row(size=s, p50_ns=s // 1000) for s in (MiB, 4 * MiB)]
        rows += [row(size=s, attrs="skip_cpu_sync", p50_ns=10) for s in (MiB, 4 * MiB)]
        with RunDir(rows, meta(accel="tcg")) as d:
            with contextlib.redirect_stderr(io.StringIO()):
                self.assertEqual(main(["report", d]), 0)
            with open(os.path.join(d, "report.md"), encoding="utf-8") as f:
                text = f.read()
            self.assertTrue(text.startswith("> Measured in QEMU TCG (emulated)"))
            self.assertIn("## What this run can and cannot show", text)
            self.assertIn("no barriers", text)
            self.assertIn("![map and unmap latency vs size (clean buffers)]", text)
            self.assertIn("_Not drawn: emulated: QEMU TCG models no caches", text)
            self.assertIn("skip-sync saves 1.04 µs at 1 MiB, 4.18 µs at 4 MiB; 1.05 µs per MiB "
                          "and -10.7 ns fixed (least-squares over 2 sizes, largest residual 0 ns)",
                          text)
            self.assertNotIn("×", text.split("## skip-sync saving")[1].split("##")[0])
            # the answers come before any figure
            self.assertLess(text.index("## What the caching models cost here"),
                            text.index("![map and unmap latency"))
            self.assertIn("| skip-sync saving: map with sync − without | 1.05 µs/MiB − 10.7 ns "
                          "(2 points, n=200, residual ≤ 0 ns) |", text)
            self.assertIn("| CPU writes, cached | – needs hardware |", text)
            with open(os.path.join(d, "plots", "map-latency.png"), "rb") as f:
                self.assertEqual(f.read(4), b"\x89PNG")
            run = Run.load(d)
            self.assertEqual(len(run.rows), 4)


if __name__ == "__main__":
    unittest.main()
