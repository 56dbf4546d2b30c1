/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cmheap-bench: the sweep, planned in full before anything runs so that the
 * progress line knows the total and --dry-run can list it.  Points come in
 * execution order: per exporter and size (then per max_order of the
 * scatterlist sweep), first the userspace ops that allocate their own
 * buffers, then those that use one shared buffer, device by device.
 */
#ifndef PLAN_H
#define PLAN_H

#include "bench.h"
#include "exporters.h"
#include "importer.h"

struct plan {
	struct point *pts;
	size_t n, cap;
	size_t n_main, n_sg, n_threads;
};

/*
 * exps/n_exps: the exporters (only present ones are used); the devices are
 * opt.devices' bits of bench_devices[]; cur_max_order: the module parameter now (-1:
 * unreadable, no sg sweep); sg_orders: the sg sweep's caps.
 */
void plan_build(struct plan *pl, struct exporter *exps, size_t n_exps,
		int cur_max_order,
		const int *sg_orders, size_t n_sg_orders);

#endif /* PLAN_H */
