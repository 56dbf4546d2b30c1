# SPDX-License-Identifier: GPL-2.0
"""gate: the A/B verdicts on hand-made boots whose right answers are known.

A boot is a folder of three runs (a1, b, a2); every test plants one change
in B (or in one boot of two) and checks what the gate makes of it.
"""

import io
import json
import os
import tempfile
import unittest

from cmbench import gate

from .fixtures import MiB, meta, row, user_row, write_csv


def sweep(**p50):
    """A small sweep under -icount: a maintaining map and unmap on the
    non-coherent device at three sizes, a coherent map, a pooled and an
    unpooled allocation, a cold one, and the controls (the raw partner of
    the map, udmabuf's allocation and the upstream system heap's).  p50
    overrides one point's time by name."""
    pts = {}
    for size, t in ((4096, 5000), (MiB, 70000), (4 * MiB, 270000)):
        pts[f"map{size}"] = row(size=size, p50_ns=t)
        pts[f"unmap{size}"] = row(op="unmap", size=size, p50_ns=t - 400)
    pts["map_coherent"] = row(device="coherent", p50_ns=544)
    # the upstream system heap's twin of the line (no max_order, no pool)
    pts["system_map_coherent"] = row(exporter="system", device="coherent", max_order="-",
                                     p50_ns=544)
    pts["raw_map"] = row(path="raw", p50_ns=4800)
    pts["alloc_pool_on"] = user_row("alloc", pool="on", p50_ns=3000)
    pts["alloc_pool_off"] = user_row("alloc", pool="off", size=4 * MiB, p50_ns=400000)
    pts["alloc_cold"] = user_row("alloc_free_cold", pool="off", size=4 * MiB, samples=1,
                                 p50_ns=500000)
    pts["udmabuf_alloc"] = user_row("alloc_free_warm", exporter="udmabuf", p50_ns=9000)
    pts["system_map"] = row(exporter="system", p50_ns=4700)
    pts["udmabuf_cold"] = user_row("alloc_free_cold", exporter="udmabuf", samples=1,
                                   p50_ns=240000)
    for name, v in p50.items():
        pts[name]["p50_ns"] = str(v)
    return list(pts.values())


class Boots:
    """Temporary boot folders, each with a1/, b/, a2/ (and order.txt, for a
    boot given as (runs, "B A B")); a context manager."""

    def __init__(self, *boots):
        self.tmp = tempfile.TemporaryDirectory()
        self.paths = []
        for n, boot in enumerate(boots):
            order = None
            if isinstance(boot[-1], str):
                boot, order = boot
            a1, b, a2 = boot
            path = os.path.join(self.tmp.name, f"boot{n + 1}")
            os.makedirs(path)
            if order:
                with open(os.path.join(path, "order.txt"), "w", encoding="utf-8") as f:
                    f.write(order + "\n")
            for step, rows in (("a1", a1), ("b", b), ("a2", a2)):
                os.makedirs(os.path.join(path, step))
                write_csv(os.path.join(path, step, "results.csv"), rows)
                with open(os.path.join(path, step, "meta.json"), "w", encoding="utf-8") as f:
                    json.dump(meta(accel="tcg-icount"), f)
            self.paths.append(path)

    def __enter__(self):
        return self.paths

    def __exit__(self, *exc):
        self.tmp.cleanup()


def judge(*boots, args=()):
    out, err = io.StringIO(), io.StringIO()
    with Boots(*boots) as paths:
        rc = gate.main([*paths, *args], out=out, err=err)
    return rc, out.getvalue() + err.getvalue()


def same():
    return (sweep(), sweep(), sweep())


class Gate(unittest.TestCase):
    def test_identical_runs_pass(self):
        rc, out = judge(same())
        self.assertEqual(rc, 0, out)
        self.assertIn("gate: PASS", out)
        rc, out = judge(same(), same())
        self.assertEqual(rc, 0, out)

    def test_two_percent_slower_in_both_boots_fails(self):
        # +2.5% on one point (above the 2% threshold) in both boots
        boot = (sweep(), sweep(map1048576=71750), sweep())
        rc, out = judge(boot, boot)
        self.assertEqual(rc, 1, out)
        self.assertIn("gate: FAIL: 1 point(s)", out)
        self.assertIn("HEAD adds 1750 instructions per map at 1 MiB", out)
        self.assertIn("gate:   map: regression on 1 point(s), +1750 instructions on the median one", out)

    def test_under_the_threshold_passes(self):
        boot = (sweep(), sweep(map1048576=71000), sweep())   # +1.4%
        self.assertEqual(judge(boot, boot)[0], 0)

    def test_slower_in_one_boot_only_passes(self):
        slow = (sweep(), sweep(map1048576=71750), sweep())
        rc, out = judge(slow, same())
        self.assertEqual(rc, 0, out)
        # ... and one boot alone says it regressed there
        self.assertEqual(judge(slow)[0], 1)

    def test_noise_between_the_a_runs_widens_the_limit(self):
        # A1 and A2 differ by 1000: 3 x 1000 > 1750, not a regression
        boot = (sweep(map1048576=69500), sweep(map1048576=71750), sweep(map1048576=70500))
        self.assertEqual(judge(boot, boot)[0], 0)

    def test_ticks_make_small_moves_ties(self):
        # arm64's guest clock ticks every 16 ns: one tick more is no
        # regression, even at +17%; three ticks are
        def runs(t):
            return [row(size=4096, p50_ns=96), row(op="unmap", p50_ns=t)]
        boot = (runs(112), runs(128), runs(112))
        rc, out = judge(boot, boot)
        self.assertEqual(rc, 0, out)
        self.assertIn("tick 16 ns", out)
        boot = (runs(112), runs(160), runs(112))
        self.assertEqual(judge(boot, boot)[0], 1)

    def test_moved_controls_void(self):
        moved = dict(raw_map=5200, udmabuf_alloc=8000, system_map=4900)
        boot = (sweep(), sweep(**moved), sweep())
        rc, out = judge(boot)
        self.assertEqual(rc, 3, out)
        self.assertIn("gate: VOID: controls (points without cmheap code) moved between A and B "
                      "in boot 1 (3)", out)
        self.assertIn("[control moved]", out)
        # a void boot voids a pair, even when the other boot is clean
        self.assertEqual(judge(same(), boot)[0], 3)
        # --void-controls sets how many it takes
        self.assertEqual(judge(boot, args=("--void-controls", "4"))[0], 0)

    def test_one_moved_control_alone_does_not_void(self):
        # faster or slower, any exporter's: listed, not voiding
        for one in (dict(raw_map=5200), dict(udmabuf_alloc=8000), dict(system_map=4900)):
            rc, out = judge((sweep(), sweep(**one), sweep()))
            self.assertEqual(rc, 0, out)
            self.assertIn("[control moved]", out)
        self.assertEqual(judge((sweep(), sweep(raw_map=5200), sweep()),
                               args=("--void-controls", "1"))[0], 3)

    def test_a_single_sample_control_does_not_void(self):
        # the first allocation of a size follows the page allocator's state
        boot = (sweep(), sweep(udmabuf_cold=250000), sweep())
        rc, out = judge(boot)
        self.assertEqual(rc, 0, out)
        self.assertIn("[few-sample control moved (not judged)]", out)

    def test_lost_maintenance_fails(self):
        # the 4 MiB map drops to a coherent map's cost: no maintenance
        boot = (sweep(), sweep(map4194304=1000), sweep())
        rc, out = judge(boot, boot)
        self.assertEqual(rc, 1, out)
        self.assertIn("[maintenance lost]", out)
        self.assertIn("HEAD saves 269000 instructions per map at 4 MiB", out)

    def test_a_single_sample_point_slower_is_not_judged(self):
        boot = (sweep(), sweep(alloc_cold=600000), sweep())   # +20%
        rc, out = judge(boot, boot)
        self.assertEqual(rc, 0, out)
        self.assertIn("[few-sample point slower (not judged)]", out)

    def test_lost_zeroing_fails(self):
        for name in ("alloc_pool_off", "alloc_cold"):
            boot = (sweep(), sweep(**{name: 100000}), sweep())
            rc, out = judge(boot, boot)
            self.assertEqual(rc, 1, name + out)
            self.assertIn("[zeroing lost]", out)

    def test_faster_without_lost_work_passes(self):
        # a pooled allocation 50% faster, a coherent map 10% faster: wins
        boot = (sweep(), sweep(alloc_pool_on=1500, map_coherent=490), sweep())
        rc, out = judge(boot, boot)
        self.assertEqual(rc, 0, out)
        self.assertIn("[faster]", out)
        # and a maintaining point a little faster (under --lost) too
        boot = (sweep(), sweep(map4194304=260000), sweep())
        self.assertEqual(judge(boot, boot)[0], 0)

    def test_changed_point_set_is_listed_not_failed(self):
        a = sweep()
        b = sweep()[1:] + [row(op="sync_dev", p50_ns=100)]
        rc, out = judge((a, b, a))
        self.assertEqual(rc, 0, out)
        self.assertIn("[only in A: removed or skipped by HEAD] map at 4 KiB", out)
        self.assertIn("[only in B: new in HEAD] sync_dev at 1 MiB", out)
        # a concurrency point says its threads: six of them are not one line six times
        b = sweep() + [row(threads="2", sharing="shared", p50_ns=100)]
        out = judge((a, b, a))[1]
        self.assertIn("[only in B: new in HEAD] map at 1 MiB (cmheap-system, noncoherent direct, "
                      "bidirectional, exporter, max_order 8, 2 threads, shared buffers)", out)

    def test_what_moved_is_listed_last(self):
        # a CI page shows the end of the log: the moved controls come after
        # the long lists of points only one side measured, right before
        # the verdict
        moved = dict(raw_map=5200, udmabuf_alloc=8000, system_map=4900)
        a = sweep()
        b = sweep(**moved)[1:] + [row(op="sync_dev", p50_ns=100)]
        rc, out = judge((a, b, a))
        self.assertEqual(rc, 3, out)
        lines = out.splitlines()
        moved_at = [i for i, x in enumerate(lines) if "[control moved]" in x]
        only_at = [i for i, x in enumerate(lines) if "[only in " in x]
        self.assertEqual(len(moved_at), 3, out)
        self.assertLess(max(only_at), min(moved_at), out)
        self.assertTrue(lines[-1].startswith("gate: VOID"), out)
        self.assertEqual(max(moved_at), len(lines) - 2, out)

    def test_point_and_raw_twin_moved_together(self):
        # the same 1 MiB buffer mapped through the exporter and raw, both
        # 27000 dearer in B: the memory moved (arm64 SMMUv3 block mappings
        # or not), not cmheap; nothing regressed, nothing voids
        boot = (sweep(), sweep(map1048576=97000, raw_map=31800), sweep())
        rc, out = judge(boot, boot)
        self.assertEqual(rc, 0, out)
        self.assertEqual(out.count("[moved with its raw twin]"), 4, out)
        self.assertIn("its raw twin moved +27000, +0 of it beyond", out)
        # with --void-controls 1 still no void: the twin is explained
        self.assertEqual(judge(boot, args=("--void-controls", "1"))[0], 0)

    def test_point_judged_beyond_its_raw_twin(self):
        # the twin moved 27000, the exporter point 29000: 2000 is cmheap's
        boot = (sweep(), sweep(map1048576=99000, raw_map=31800), sweep())
        rc, out = judge(boot, boot)
        self.assertEqual(rc, 1, out)
        self.assertIn("its raw twin moved +27000, +2000 of it beyond", out)
        self.assertIn("gate:   map: regression on 1 point(s), +2000 instructions", out)
        # and the twin, moved by less than its point, still counts
        self.assertIn("[control moved] HEAD adds 27000 instructions per map at 1 MiB", out)

    def test_twin_moved_alone_is_a_moved_control(self):
        # the exporter point did not move: the twin's move is its own
        rc, out = judge((sweep(), sweep(raw_map=31800), sweep()))
        self.assertEqual(rc, 0, out)
        self.assertIn("[control moved]", out)
        self.assertNotIn("[moved with its raw twin]", out)

    def test_side_boot_controls_void_nothing(self):
        # the IOMMU route's rows come from a boot per side: three of its
        # controls moved by each boot's allocator state void nothing, and
        # say so; the same on the route shared in one boot voids
        def iommu(**p50):
            rows = sweep(**p50)
            for r in rows:
                if r["device"] != "none":
                    r["dma"] = "iommu"
            return rows
        moved = dict(raw_map=9800, system_map=9700)
        boot = (iommu(), iommu(**moved), iommu())
        rc, out = judge(boot, args=("--side-routes", "iommu,bounce", "--void-controls", "2"))
        self.assertEqual(rc, 0, out)
        self.assertEqual(out.count("[side-boot control moved (not voiding)]"), 2, out)
        self.assertNotIn("[control moved]", out)
        # not named a side route: the same moves void the boot
        self.assertEqual(judge(boot, args=("--void-controls", "2"))[0], 3)
        # a cmheap point of a side route is still judged, beyond its twin
        slow = (iommu(), iommu(map1048576=99000, raw_map=31800), iommu())
        rc, out = judge(slow, slow, args=("--side-routes", "iommu"))
        self.assertEqual(rc, 1, out)
        self.assertIn("its raw twin moved +27000, +2000 of it beyond", out)

    def test_per_mib_slope(self):
        # +8000 instructions per MiB of maintenance, +37 fixed
        boot = (sweep(), sweep(map4096=5000 + 37 + 31, map1048576=70000 + 37 + 8000,
                               map4194304=270000 + 37 + 32000), sweep())
        rc, out = judge(boot, boot)
        self.assertEqual(rc, 1, out)
        self.assertIn("HEAD +8000 instructions per MiB, +37 fixed (least squares over 3 sizes)", out)

    def test_confirming_boot_with_roles_swapped(self):
        # B A B: HEAD ran outside; slower HEAD is then slower outer runs
        slow = (sweep(), sweep(map1048576=71750), sweep())
        swapped_slow = ((sweep(map1048576=71750), sweep(), sweep(map1048576=71750)), "B A B")
        rc, out = judge(slow, swapped_slow)
        self.assertEqual(rc, 1, out)
        self.assertIn("A 70000, B 71750/71750 (+2.5%", out)
        # an effect of the middle position: slower in the middle of both
        # boots is HEAD slower in the first and faster in the second
        middle = ((sweep(), sweep(map1048576=71750), sweep()), "B A B")
        rc, out = judge(slow, middle)
        self.assertEqual(rc, 0, out)
        self.assertIn("[faster] HEAD saves 1750 instructions per map at 1 MiB", out)
        # a boot's order.txt says A B A or B A B, nothing else
        self.assertEqual(judge(((sweep(), sweep(), sweep()), "A A B"))[0], 2)

    def test_above_upstream_fails_whatever_a_did(self):
        # HEAD's coherent map 7 instructions above upstream's beside it in
        # both boots fails, though A cost as much
        above = (sweep(map_coherent=551),) * 3
        rc, out = judge(above, above)
        self.assertEqual(rc, 1, out)
        self.assertIn("[above upstream] HEAD's map at 1 MiB (cmheap-system, coherent direct, "
                      "bidirectional, exporter, max_order 8) costs 551 instructions, the upstream "
                      "system heap's 544: +7 above the line", out)
        self.assertIn("gate:   map: above upstream's system heap on 1 point(s)", out)
        # in one boot only: not confirmed
        self.assertEqual(judge(above, same())[0], 0)

    def test_a_regression_above_the_line_says_both(self):
        # A at upstream's 544, HEAD 600: a regression, and above the line
        boot = (sweep(), sweep(map_coherent=600), sweep())
        rc, out = judge(boot, boot)
        self.assertEqual(rc, 1, out)
        self.assertIn("[regression] HEAD adds 56 instructions per map at 1 MiB (cmheap-system, "
                      "coherent direct, bidirectional, exporter, max_order 8): A 544/544, B 600 "
                      "(+10.3%, limit 11); it costs 600 instructions, the upstream system heap's "
                      "544: +56 above the line", out)
        self.assertIn("gate:   map: regression on 1 point(s)", out)

    def test_at_or_below_upstream_passes(self):
        for t in (544, 543, 300, 545):      # one tick above is a tie
            boot = (sweep(), sweep(map_coherent=t), sweep())
            rc, out = judge(boot, boot, args=("--threshold", "100", "--lost", "100"))
            self.assertEqual(rc, 0, (t, out))
            self.assertNotIn("above upstream", out)

    def test_the_line_reads_heads_time_in_a_swapped_boot(self):
        # B A B: HEAD's runs are the outer ones; 600 there is above 544
        swapped = ((sweep(map_coherent=600), sweep(), sweep(map_coherent=600)), "B A B")
        rc, out = judge(swapped, args=("--threshold", "100"))
        self.assertEqual(rc, 1, out)
        self.assertIn("costs 600 instructions, the upstream system heap's 544: +56", out)
        # A above the line in the middle run does not count against HEAD
        swapped = ((sweep(), sweep(map_coherent=600), sweep()), "B A B")
        self.assertEqual(judge(swapped, args=("--threshold", "100"))[0], 0)

    def test_the_line_allows_the_points_noise(self):
        # upstream's point moved 10 between its runs: 3 x 10 of slack
        boot = (sweep(system_map_coherent=540), sweep(map_coherent=570),
                sweep(system_map_coherent=550))
        rc, out = judge(boot, args=("--threshold", "100"))
        self.assertEqual(rc, 0, out)
        boot = (sweep(system_map_coherent=540), sweep(map_coherent=590),
                sweep(system_map_coherent=550))
        rc, out = judge(boot, args=("--threshold", "100", "--void-controls", "9"))
        self.assertEqual(rc, 1, out)

    def test_the_line_judges_maps_beyond_their_raw_twins(self):
        def boot(mine, my_raw, theirs, their_raw):
            pts = sweep(map_coherent=mine, system_map_coherent=theirs)
            pts += [row(device="coherent", path="raw", p50_ns=my_raw),
                    row(exporter="system", device="coherent", max_order="-", path="raw",
                        p50_ns=their_raw)]
            return (pts,) * 3
        # different memory: cmheap's raw map cost 200 more (an IOMMU's luck);
        # beyond the twins cmheap's exporter costs 300, upstream's 400
        rc, out = judge(boot(600, 300, 500, 100))
        self.assertEqual(rc, 0, out)
        # and the other way (x86's IOMMU, 1 MiB): below as measured, above
        # beyond the twins by the raw maps' 8
        rc, out = judge(boot(6515, 6259, 6516, 6267))
        self.assertEqual(rc, 0, out)
        rc, out = judge(boot(520, 100, 500, 90))
        self.assertEqual(rc, 1, out)
        self.assertIn("costs 420 instructions beyond its raw twin, the upstream system heap's "
                      "410: +10 above the line", out)

    def test_the_line_holds_syncs_only_where_the_dma_api_syncs_nothing(self):
        def boot(t, **where):
            pts = sweep()
            pts += [row(op="dmabuf_sync", path="user", p50_ns=t, **where),
                    row(exporter="system", max_order="-", op="dmabuf_sync", path="user",
                        p50_ns=1739, **where)]
            return (pts,) * 3
        rc, out = judge(boot(1757, device="coherent"))
        self.assertEqual(rc, 1, out)
        self.assertIn("HEAD's dmabuf_sync at 1 MiB (cmheap-system, coherent direct, "
                      "bidirectional, user, max_order 8) costs 1757 instructions, the upstream "
                      "system heap's 1739: +18 above the line", out)
        self.assertEqual(judge(boot(1757, device="coherent", dma="iommu"))[0], 1)
        # a bouncing or non-coherent device: cmheap locks what upstream does not
        self.assertEqual(judge(boot(1757, device="coherent", dma="bounce"))[0], 0)
        self.assertEqual(judge(boot(1757))[0], 0)

    def test_plain_tcg_says_ns(self):
        boot = (sweep(), sweep(map1048576=75000), sweep())
        with Boots(boot) as paths:
            for step in ("a1", "b", "a2"):
                with open(os.path.join(paths[0], step, "meta.json"), "w", encoding="utf-8") as f:
                    json.dump(meta(accel="tcg"), f)
            out = io.StringIO()
            gate.main(paths, out=out, err=out)
        self.assertIn("HEAD adds 5000 ns per map", out.getvalue())

    def test_bad_input(self):
        err = io.StringIO()
        self.assertEqual(gate.main(["/nonexistent"], out=err, err=err), 2)
        self.assertEqual(gate.main(["a", "b", "c"], out=err, err=err), 2)
        self.assertEqual(gate.main(["--threshold", "x", "a"], out=err, err=err), 2)
