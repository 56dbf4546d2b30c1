# SPDX-License-Identifier: GPL-2.0
"""The figures choose the right rows: each of issue #7's figure defects as a
regression test on a small run whose right answer is known."""

import unittest

from cmbench import figures as F
from cmbench.data import raw_attrs_for, stat

from .fixtures import MiB, meta, row, run_of, user_row


def sizes_of(series):
    return [int(p.x) for p in series.points]


class ExporterOverhead(unittest.TestCase):
    """Defect 1: the uncached exporter path always skips the CPU sync, so it
    compares with a raw skip-sync map, and the overhead is absolute ns."""

    def rows(self):
        out = []
        for size in (MiB, 4 * MiB):
            out += [
                row(exporter="cmheap-system-uncached", caching="uncached", size=size,
                    p50_ns=1500),
                # raw with maintenance: different work, 100x dearer
                row(exporter="cmheap-system-uncached", caching="uncached", path="raw",
                    size=size, p50_ns=150000),
                row(exporter="cmheap-system-uncached", caching="uncached", path="raw",
                    attrs="skip_cpu_sync", size=size, p50_ns=1200),
            ]
        return out

    def test_uncached_pairs_with_raw_skip_sync(self):
        fig = F.exporter_overhead(run_of(self.rows()))
        self.assertTrue(fig.drawn, fig.skipped)
        (panel,) = fig.panels
        (series,) = panel.series
        self.assertEqual([p.y for p in series.points], [300, 300])
        self.assertIn("always skip-sync", series.label)
        self.assertFalse(fig.logy, "overhead is absolute ns, not a ratio on a log axis")
        self.assertIn("(ns)", fig.ylabel)

    def test_uncached_on_coherent_device_pairs_with_raw_skip_sync(self):
        # an unmap on a coherent device: without skip-sync dma-direct still
        # walks a sync per entry, so the raw none point does more work
        rows = []
        for r in self.rows():
            rows.append(dict(r, device="coherent", coherent="1", op="unmap",
                             p50_ns="1700" if r["attrs"] == "none" and r["path"] == "raw"
                             else r["p50_ns"]))
        fig = F.exporter_overhead(run_of(rows))
        (panel,) = fig.panels
        (series,) = panel.series
        self.assertEqual([p.y for p in series.points], [300, 300])
        # and a run that lacks the skip-sync partner draws nothing for it
        fig = F.exporter_overhead(run_of([r for r in rows if r["attrs"] == "none"]))
        self.assertFalse(fig.drawn)
        # and says which line it lost and why
        self.assertIn("no raw point with the same attributes for cmheap-system-uncached unmap "
                      "on the coherent device", fig.skipped)
        fig = F.exporter_overhead(run_of([r for r in rows if r["attrs"] == "none"] +
                                         [dict(r, device="noncoherent", coherent="0", op="map")
                                          for r in self.rows()]))
        self.assertTrue(fig.drawn)
        self.assertIn("not drawn: this run measured no raw point with the same attributes for "
                      "cmheap-system-uncached unmap on the coherent device", fig.note)

    def test_exporter_without_raw_points_is_named(self):
        # page-less carveout memory has nothing to map raw: its line is
        # missing for that reason, and the figure says so
        rows = self.rows() + [row(exporter="cmheap-carveout-uncached", caching="uncached",
                                  size=s, p50_ns=1400) for s in (MiB, 4 * MiB)]
        fig = F.exporter_overhead(run_of(rows))
        self.assertEqual(["cmheap-system-uncached"],
                         [s.label.split(",")[0] for s in fig.panels[0].series])
        self.assertIn("not drawn: cmheap-carveout-uncached, which has no raw DMA API points",
                      fig.note)
        self.assertNotIn("same attributes", fig.note)

    def test_points_that_maintain_are_left_out(self):
        rows = [row(size=MiB, p50_ns=5e6), row(size=MiB, path="raw", p50_ns=4e6),
                row(size=4 * MiB, p50_ns=2e7), row(size=4 * MiB, path="raw", p50_ns=2.1e7)]
        fig = F.exporter_overhead(run_of(rows))
        self.assertFalse(fig.drawn)

    def test_raw_attrs_rule(self):
        self.assertEqual("skip_cpu_sync",
                         raw_attrs_for(row(exporter="cmheap-system-uncached", caching="uncached")))
        # even where skip-sync maintains nothing, dma-direct's unmap does
        # less with it: an uncached heap's partner skips on every device
        self.assertEqual("skip_cpu_sync", raw_attrs_for(row(
            exporter="cmheap-system-uncached", caching="uncached", device="coherent",
            coherent="1")))
        self.assertEqual("none", raw_attrs_for(row(exporter="cmheap-system", device="coherent",
                                                   coherent="1")))
        self.assertEqual("skip_cpu_sync", raw_attrs_for(row(
            exporter="cmheap-system-uncached", caching="uncached", device="edu", dma="bounce",
            coherent="1")))
        self.assertEqual("skip_cpu_sync", raw_attrs_for(row(attrs="skip_cpu_sync")))
        self.assertEqual("none", raw_attrs_for(row()))


class CacheState(unittest.TestCase):
    """Defect 3: an emulator shows clean buffers, hardware dirty ones, and
    every legend says which."""

    def rows(self):
        out = []
        for size in (MiB, 4 * MiB):
            out += [row(size=size, cache_state="clean", p50_ns=100 * size // MiB),
                    row(size=size, cache_state="dirty", p50_ns=999 * size // MiB),
                    row(size=size, cache_state="clean", attrs="skip_cpu_sync", p50_ns=1),
                    row(size=size, cache_state="dirty", attrs="skip_cpu_sync", p50_ns=9)]
        return out

    def test_emulated_runs_show_clean(self):
        fig = F.map_latency(run_of(self.rows(), meta(accel="tcg")))
        labels = [s.label for p in fig.panels for s in p.series]
        self.assertTrue(labels)
        for label in labels:
            self.assertIn("clean buffer", label)
        self.assertIn("clean", fig.title)
        saving = F.skip_sync_saving(run_of(self.rows(), meta(accel="tcg-icount")))
        (panel,) = saving.panels
        # #23, claim 4: the saving itself (sync − skip-sync), not their ratio
        self.assertEqual([p.y for p in panel.series[0].points], [99, 399])
        self.assertIn("p50 with sync − p50 with DMA_ATTR_SKIP_CPU_SYNC", saving.title)

    def test_hardware_shows_dirty(self):
        fig = F.map_latency(run_of(self.rows(), meta(accel="hardware")))
        for label in (s.label for p in fig.panels for s in p.series):
            self.assertIn("dirty buffer", label)


class FewSamples(unittest.TestCase):
    """Defect 4: sample counts in every legend; no p99 from 5 samples."""

    def test_legend_has_counts(self):
        rows = [user_row("alloc_free_cold", size=s, samples=1, p50_ns=10) for s in (MiB, 4 * MiB)]
        rows += [user_row("alloc_free_warm", size=s, samples=n, p50_ns=10)
                 for s, n in ((MiB, 200), (4 * MiB, 5))]
        fig = F.peers_alloc(run_of(rows))
        labels = {p.title: p.series[0].label for p in fig.panels}
        self.assertEqual(labels["alloc+free (cold, first allocation)"], "cmheap-system (n=1)")
        self.assertEqual(labels["alloc+free (warm)"], "cmheap-system (n=5–200)")

    def test_percentiles_need_samples(self):
        r = row(samples=5)
        self.assertIsNone(stat(r, "p99_ns"))
        self.assertIsNone(stat(r, "p90_ns"))
        self.assertEqual(stat(r, "p50_ns"), 1000)
        r = row(samples=100)
        self.assertEqual(stat(r, "p99_ns"), 1200)


class Sweeps(unittest.TestCase):
    """Defect 5: the scatterlist sweep's point stays out of the size sweep,
    and nents is shown where it varies."""

    def rows(self):
        return [row(size=MiB, nents=4), row(size=4 * MiB, nents=1),
                # the sg sweep at 10 MiB, one of them at the default max_order
                row(size=10 * MiB, max_order=8, nents=40, p50_ns=5),
                row(size=10 * MiB, max_order=0, nents=2560, p50_ns=50)]

    def test_size_sweep_excludes_sg_point(self):
        fig = F.map_latency(run_of(self.rows()))
        (series,) = fig.panels[0].series
        self.assertEqual(sizes_of(series), [MiB, 4 * MiB])
        self.assertTrue(fig.nents_labels)
        self.assertEqual([p.nents for p in series.points], ["4", "1"])
        self.assertIn("nents", fig.note)

    def test_sg_sweep_only_sg_points(self):
        fig = F.sg_entries(run_of(self.rows()))
        (series,) = fig.panels[0].series
        self.assertEqual([int(p.x) for p in series.points], [40, 2560])

    def test_sg_size_inside_the_size_sweep(self):
        # bench-check sweeps 1 MiB and takes the sg sweep at 1 MiB too
        rows = [row(size=MiB, max_order=8, nents=4), row(size=4 * MiB, max_order=8),
                row(size=MiB, max_order=0, nents=256, p50_ns=77)]
        run = run_of(rows, meta(sg_size=MiB))
        fig = F.map_latency(run)
        (series,) = fig.panels[0].series
        self.assertEqual([p.y for p in series.points], [1000, 1000])
        self.assertEqual(len(F.sg_entries(run).panels[0].series[0].points), 2)


class UdmabufSync(unittest.TestCase):
    """Defect 6: udmabuf's DMA_BUF_IOCTL_SYNC syncs for its own device."""

    def rows(self):
        out = []
        for size in (MiB, 4 * MiB):
            for dev in ("coherent", "noncoherent"):
                out.append(row(exporter="udmabuf", op="dmabuf_sync", path="user", device=dev,
                               max_order="-", size=size))
                out.append(row(op="sync_dev", device=dev, size=size))
        return out

    def test_label_names_its_own_device(self):
        fig = F.sync_latency(run_of(self.rows(), meta(accel="hardware", arch="aarch64")))
        panel = fig.panel("DMA_BUF_IOCTL_SYNC")
        self.assertEqual([s.label for s in panel.series],
                         ["udmabuf, udmabuf's own device (non-coherent), clean buffer (n=200)"])
        for s in fig.panel("sync for device").series:
            self.assertNotIn("udmabuf", s.label)

    def test_x86_emulated_drops_it(self):
        fig = F.sync_latency(run_of(self.rows(), meta(accel="tcg", arch="x86_64")))
        self.assertIsNone(fig.panel("DMA_BUF_IOCTL_SYNC"))
        for p in fig.panels:
            for s in p.series:
                self.assertNotIn("coherent device,", s.label.replace("non-coherent device", ""))


class EmulatorScope(unittest.TestCase):
    """Honest scope: no CPU bandwidth and no coherent sync on TCG."""

    def rows(self):
        return [user_row("cpu_write", size=s, mb_per_s=500) for s in (MiB, 4 * MiB)] + \
            [row(op="sync_dev", device="coherent", size=s) for s in (MiB, 4 * MiB)]

    def test_tcg(self):
        run = run_of(self.rows(), meta(accel="tcg"))
        self.assertFalse(F.cpu_bandwidth(run).drawn)
        self.assertIn("memory types", F.cpu_bandwidth(run).skipped)
        sync = F.sync_latency(run)
        self.assertFalse(sync.drawn)
        self.assertIn("coherent", sync.skipped)

    def test_hardware(self):
        run = run_of(self.rows(), meta(accel="hardware"))
        self.assertTrue(F.cpu_bandwidth(run).drawn)
        self.assertTrue(F.sync_latency(run).drawn)


class SeriesPerExporter(unittest.TestCase):
    """Two heaps of one caching model are two lines, never one zigzag."""

    def test_two_cached_heaps(self):
        rows = [row(size=s, p50_ns=1) for s in (MiB, 4 * MiB)] + \
            [row(exporter="cmheap-carveout", max_order="-", size=s, p50_ns=2)
             for s in (MiB, 4 * MiB)]
        fig = F.map_latency(run_of(rows))
        labels = [s.label for s in fig.panels[0].series]
        self.assertEqual(len(labels), 2)
        self.assertTrue(labels[0].startswith("cmheap-carveout"))


if __name__ == "__main__":
    unittest.main()


class Readable(unittest.TestCase):
    def test_no_panel_draws_more_lines_than_can_be_told_apart(self):
        rows = [row(size=s, exporter=f"e{i}", p50_ns=100 + i) for i in range(11)
                for s in (MiB, 4 * MiB)]
        panels = F.build(rows, ("op",), ("exporter",), run_of(rows))
        self.assertEqual([(p.title, len(p.series)) for p in panels],
                         [("map (1/2)", F.MAX_LINES), ("map (2/2)", 11 - F.MAX_LINES)])


def threads_row(op, exporter, sharing, threads, ops_per_s, p99, **kw):
    """A concurrency sweep's row (cmheap-bench --threads)."""
    base = dict(op=op, exporter=exporter, size=MiB, threads=str(threads), sharing=sharing,
                ops_per_s=str(ops_per_s), p99_ns=str(p99), p50_ns=str(p99 // 2),
                max_ns=str(p99 * 2), samples=str(200 * threads))
    base.update(kw)
    if op == "alloc_free_warm":
        rest = {k: v for k, v in base.items() if k not in ("op", "exporter")}
        return user_row(op, exporter=exporter, **rest)
    return row(**base)


class Concurrency(unittest.TestCase):
    def rows(self):
        out = []
        for t, own, shared in ((1, 1000, 1000), (2, 2000, 1100), (4, 3900, 1150)):
            out.append(threads_row("map", "cmheap-system", "own", t, own, 500))
            out.append(threads_row("map", "cmheap-system", "shared", t, shared, 500 * t))
        # the main sweep's own 1 MiB point is not the concurrency sweep's
        out.append(row(size=MiB, p50_ns=7))
        out.append(row(size=4 * MiB, p50_ns=9))
        return out

    def test_throughput_and_p99_against_threads(self):
        run = run_of(self.rows())
        fig = F.concurrency(run)
        self.assertTrue(fig.drawn, fig.skipped)
        (panel,) = fig.panels
        self.assertEqual(panel.title, "map")
        self.assertIn("for the non-coherent device", fig.note)
        own = panel.get("cmheap-system, a buffer per thread (n=200–800)")
        self.assertEqual([(p.x, p.y) for p in own.points], [(1, 1000), (2, 2000), (4, 3900)])
        p99 = F.concurrency_p99(run).panels[0].get(
            "cmheap-system, one buffer, all threads (n=200–800)")
        self.assertEqual([p.y for p in p99.points], [500, 1000, 2000])
        # nor are the concurrency rows any other figure's
        main = F.map_latency(run)
        self.assertEqual([p.y for s in main.panels[0].series for p in s.points], [7, 9])

    def test_where_the_workers_ran(self):
        # #23: every worker pinned to the main thread's one CPU took turns
        # there, and the sweep showed no throughput growing with threads
        from cmbench import report

        def text(cpus):
            m = meta(cpus_online=2)
            m["sweep"]["threads_cpus"] = cpus
            run = run_of(self.rows(), m)
            return "\n".join(report.read_concurrency(F.concurrency(run), run))
        spread = text({"1": [0], "2": [0, 1], "4": [0, 1]})
        self.assertIn("Where the workers ran (meta.json sweep.threads_cpus): 1 on CPU 0; "
                      "2 on CPUs 0, 1; 4 on CPUs 0, 1.", spread)
        self.assertNotIn("took turns", spread)
        self.assertIn("2, 4 threads all on one CPU of 2: they took turns, and throughput could "
                      "not grow", text({"1": [0], "2": [0], "4": [0]}))

    def test_reading_and_what_an_emulator_shows(self):
        from cmbench import report
        run = run_of(self.rows(), meta(accel="tcg-icount"))
        text = "\n".join(report.read_concurrency(F.concurrency(run), run))
        self.assertIn("map, non-coherent device, cmheap-system, one buffer, all threads: 1, 2, 4 "
                      "threads, throughput 1,000, 1,100, 1,150 calls/s (1.10×, 1.15× one "
                      "thread's), p99 500 instr, 1k instr, 2k instr (n=200, 400, 800).", text)
        self.assertIn("vCPUs one at a time", text)
        self.assertNotIn("Where the workers ran", text)
        none = F.concurrency(run_of([row(), row(size=4 * MiB)]))
        self.assertFalse(none.drawn)
        self.assertEqual(none.title, "throughput vs threads (concurrency sweep)")
        self.assertEqual(F.concurrency(run).title,
                         "throughput vs threads (1 MiB buffers, concurrency sweep)")
