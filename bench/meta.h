/* SPDX-License-Identifier: GPL-2.0 */
/* cmheap-bench: meta.json, what the numbers were measured on and how. */
#ifndef META_H
#define META_H

#include <stdbool.h>
#include <stddef.h>

#include "clock.h"
#include "exporters.h"
#include "importer.h"
#include "plan.h"
#include "run.h"
#include "sysinfo.h"

struct meta {
	const struct sysinfo_data *si;
	const struct exporter *exps;
	size_t n_exps;
	const struct plan *plan;
	const struct run_result *rr;	/* NULL before the run */
	const struct clock_info *clock;	/* NULL: not probed */
	const int *sg_orders;
	size_t n_sg_orders;
	int max_order_at_start;		/* -1: unreadable */
	char date_utc[32];
	double elapsed_s;
	bool complete;
};

/* write DIR/meta.json (through a temporary file and a rename) */
void meta_write(const char *dir, const struct meta *m);

#endif /* META_H */
