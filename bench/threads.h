/* SPDX-License-Identifier: GPL-2.0 */
/* cmheap-bench: the concurrency sweep's points, run on several threads. */
#ifndef THREADS_H
#define THREADS_H

#include <stddef.h>
#include <stdint.h>

#include "bench.h"
#include "measure.h"

/* Notes the CPUs the process may use: before main pins it to one (--cpu). */
void threads_init(void);

/*
 * p->threads threads at once (p->sharing: a buffer each, or one for all),
 * every call's latency into @s and the calls per second of all threads
 * together into x->ops_per_s.  0, or -errno with the reason in @why.
 */
int threads_measure(const struct point *p, struct samples *s, struct extra *x,
		    char *why, size_t why_len);

/*
 * The CPUs (a mask of CPUs 0-63) that the workers of the points with
 * @n_threads threads were running on once released, for meta.json.
 */
uint64_t threads_cpus_seen(int n_threads);

#endif /* THREADS_H */
