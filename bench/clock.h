/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cmheap-bench: what the clocks can resolve and what timing costs, measured
 * once per run and recorded in meta.json, so that a reader knows which
 * differences are below a tick and how much of a short sample is the clock.
 */
#ifndef CLOCK_H
#define CLOCK_H

#include <stdbool.h>

#include "bench.h"
#include "exporters.h"

struct clock_side {
	bool measured;
	char why[160];		/* when not measured */
	struct stats empty;	/* back-to-back reads, ns */
	uint64_t tick_ns;	/* gcd of the non-zero differences, 0: none */
};

struct clock_info {
	long long user_res_ns;	/* clock_getres(CLOCK_MONOTONIC_RAW), -1 */
	struct clock_side user;	/* two CLOCK_MONOTONIC_RAW reads */
	struct clock_side kernel;	/* CMHEAP_BENCH_EMPTY: two ktime reads */
};

/*
 * Measures both clocks: user space directly, the kernel's through
 * CMHEAP_IOC_BENCH's empty op on a one-page buffer of the first exporter
 * present, attached to the coherent test device.
 */
void clock_probe(int ctl, struct exporter *exps, size_t n_exps,
		 struct clock_info *ci);

#endif /* CLOCK_H */
