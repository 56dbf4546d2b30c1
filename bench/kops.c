// SPDX-License-Identifier: GPL-2.0
/*
 * cmheap-bench: kernel ops (map, unmap, map_unmap, sync_dev, sync_cpu),
 * timed in the kernel by CMHEAP_IOC_BENCH, which returns one sample per
 * iteration.  The buffer is attached afresh for every point, so that
 * nothing an exporter caches in an attachment (udmabuf keeps its mapping,
 * cache_sgt_mapping) carries over from another point.
 *
 * The number of iterations comes from a short probe run: its wall time per
 * iteration (dirtying and untimed halves included) divides what is left of
 * the point's time budget.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "importer.h"
#include "measure.h"
#include "options.h"
#include "perf.h"
#include "util.h"

#define PROBE_ITERATIONS 2

static const __u32 bench_ops[] = {
	[OP_MAP]	= CMHEAP_BENCH_MAP,
	[OP_UNMAP]	= CMHEAP_BENCH_UNMAP,
	[OP_MAP_UNMAP]	= CMHEAP_BENCH_MAP_UNMAP,
	[OP_SYNC_DEV]	= CMHEAP_BENCH_SYNC_DEV,
	[OP_SYNC_CPU]	= CMHEAP_BENCH_SYNC_CPU,
};

static int run_bench(int ctl, struct cmheap_bench *b, __u32 warmup,
		     __u32 iterations, uint64_t *buf)
{
	b->warmup = warmup;
	b->iterations = iterations;
	b->samples_ptr = (__u64)(uintptr_t)buf;
	return cmheap_ctl_bench(ctl, b);
}

int kop_measure(int ctl, const struct point *p, int fd, struct samples *s,
		struct extra *x, char *why, size_t why_len)
{
	struct perf_window w0, w1;
	struct cmheap_attach at;
	struct cmheap_bench b;
	struct budget bud;
	uint64_t t0, per_iter, left, n, warmup;
	double perf[PERF_NR];
	int ret;

	budget_start(&bud);
	ret = cmheap_ctl_attach(ctl, fd, (unsigned int)p->device, &at);
	if (ret) {
		snprintf(why, why_len, "CMHEAP_IOC_ATTACH: %s", strerror(-ret));
		return ret;
	}
	memset(&b, 0, sizeof(b));
	b.handle = at.handle;
	b.op = bench_ops[p->op];
	b.direction = dir_to_cmheap(p->dir);
	b.attrs = p->attrs == ATTRS_SKIP_CPU_SYNC ? CMHEAP_ATTR_SKIP_CPU_SYNC : 0;
	b.flags = (p->cache == CS_DIRTY ? CMHEAP_BENCH_DIRTY : 0) |
		  (p->path == PATH_RAW ? CMHEAP_BENCH_RAW : 0);

	/* the probe: also the first warm-up */
	samples_reserve(s, PROBE_ITERATIONS);
	t0 = now_ns();
	ret = run_bench(ctl, &b, 0, PROBE_ITERATIONS, s->v);
	per_iter = (now_ns() - t0) / PROBE_ITERATIONS;
	if (ret) {
		snprintf(why, why_len, "CMHEAP_IOC_BENCH: %s", strerror(-ret));
		goto out;
	}
	if (!per_iter)
		per_iter = 1;

	left = budget_left(&bud);
	warmup = opt.warmup;
	n = left / per_iter;
	n = n > warmup ? n - warmup : 0;
	if (n < opt.min_samples) {
		/* no time for both: the probe has warmed up already */
		n = opt.min_samples;
		warmup = 0;
	}
	if (n > opt.iterations)
		n = opt.iterations;

	samples_reset(s);
	samples_reserve(s, n);

	perf_read(&w0);
	perf_on();
	ret = run_bench(ctl, &b, (__u32)warmup, (__u32)n, s->v);
	perf_off();
	perf_read(&w1);
	if (ret) {
		snprintf(why, why_len, "CMHEAP_IOC_BENCH: %s", strerror(-ret));
		goto out;
	}
	/* The kernel's time budget (10 s by default) may have cut it short. */
	if (!b.done) {
		snprintf(why, why_len, "CMHEAP_IOC_BENCH: no sample within the kernel's %llu s budget",
			 (unsigned long long)(CMHEAP_BENCH_DEFAULT_NS / 1000000000ULL));
		ret = -ETIME;
		goto out;
	}
	s->n = b.done;
	perf_per_op(&w0, &w1, warmup + b.done, perf);
	x->cycles = perf[PERF_CYCLES];
	x->instructions = perf[PERF_INSTRUCTIONS];
	x->cache_misses = perf[PERF_CACHE_MISSES];
out:
	cmheap_ctl_detach(ctl, at.handle);
	return ret;
}
