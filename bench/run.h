/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cmheap-bench: running the plan: buffers allocated per exporter, size and
 * max_order group and shared by the group's points, each point measured,
 * summarised and written out.
 */
#ifndef RUN_H
#define RUN_H

#include <stddef.h>

#include "plan.h"

struct skip {
	char what[160];
	char why[192];
};

struct run_result {
	size_t measured;
	size_t skipped;
	struct skip *skips;	/* the first MAX_SKIPS of them */
	size_t n_skips;
	bool interrupted;
};

#define MAX_SKIPS 200

void run_plan(int ctl, const struct plan *pl, struct run_result *rr);

#endif /* RUN_H */
