// SPDX-License-Identifier: GPL-2.0
/*
 * cmheap-bench: the clocks' tick and the cost of timing nothing.
 *
 * Every sample is the difference of two clock reads, so it includes what
 * one read costs, and it moves in steps of the clock's tick: QEMU's arm64
 * counter runs at 62.5 MHz (16 ns), and a 200 ns operation moves by 8% with
 * one tick.  Both are measured here, for the user-space clock of the user
 * ops and for the kernel clock of the in-kernel loop, rather than assumed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "importer.h"
#include "stats.h"
#include "util.h"

#define CLOCK_SAMPLES 1001

static uint64_t gcd(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

static void side_fill(struct clock_side *side, const uint64_t *v, size_t n)
{
	uint64_t g = 0;
	size_t i;

	for (i = 0; i < n; i++)
		g = gcd(g, v[i]);
	stats_compute(v, n, &side->empty);
	side->tick_ns = g;
	side->measured = true;
}

static void probe_user(struct clock_info *ci, uint64_t *v)
{
	struct timespec res;
	size_t i;

	ci->user_res_ns = -1;
	if (!clock_getres(CLOCK_MONOTONIC_RAW, &res))
		ci->user_res_ns = (long long)res.tv_sec * 1000000000LL +
				  res.tv_nsec;
	for (i = 0; i < CLOCK_SAMPLES; i++) {
		uint64_t t0 = now_ns();

		v[i] = now_ns() - t0;
	}
	side_fill(&ci->user, v, CLOCK_SAMPLES);
}

static void probe_kernel(int ctl, struct exporter *exps, size_t n_exps,
			 struct clock_info *ci, uint64_t *v)
{
	struct clock_side *side = &ci->kernel;
	struct cmheap_attach at;
	struct cmheap_bench b;
	struct buffer buf;
	size_t i;
	int ret;

	for (i = 0; i < n_exps && !exps[i].present; i++)
		;
	if (i == n_exps) {
		snprintf(side->why, sizeof(side->why), "no exporter present");
		return;
	}
	ret = exporter_alloc(&exps[i], (uint64_t)sysconf(_SC_PAGESIZE), &buf);
	if (ret) {
		snprintf(side->why, sizeof(side->why), "%s: allocation: %s",
			 exps[i].name, strerror(-ret));
		return;
	}
	ret = cmheap_ctl_attach(ctl, buf.fd, CMHEAP_DEV_COHERENT, &at);
	if (ret) {
		snprintf(side->why, sizeof(side->why), "CMHEAP_IOC_ATTACH: %s",
			 strerror(-ret));
		goto out_free;
	}
	memset(&b, 0, sizeof(b));
	b.handle = at.handle;
	b.op = CMHEAP_BENCH_EMPTY;
	b.direction = CMHEAP_DIR_BIDIRECTIONAL;
	b.warmup = 10;
	b.iterations = CLOCK_SAMPLES;
	b.samples_ptr = (__u64)(uintptr_t)v;
	ret = cmheap_ctl_bench(ctl, &b);
	if (ret)
		/* EINVAL: a cmheap.ko older than the empty op */
		snprintf(side->why, sizeof(side->why), "CMHEAP_IOC_BENCH empty op: %s",
			 strerror(-ret));
	else if (!b.done)
		snprintf(side->why, sizeof(side->why), "CMHEAP_IOC_BENCH empty op: no sample");
	else
		side_fill(side, v, b.done);
	cmheap_ctl_detach(ctl, at.handle);
out_free:
	buffer_free(&buf);
}

void clock_probe(int ctl, struct exporter *exps, size_t n_exps,
		 struct clock_info *ci)
{
	uint64_t *v = xcalloc(CLOCK_SAMPLES, sizeof(*v));

	memset(ci, 0, sizeof(*ci));
	probe_user(ci, v);
	probe_kernel(ctl, exps, n_exps, ci, v);
	free(v);
}
