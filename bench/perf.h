/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cmheap-bench: hardware counters (cycles, instructions, cache-misses) of
 * this thread, user and kernel, through perf_event_open.
 */
#ifndef PERF_H
#define PERF_H

#include <stdbool.h>
#include <stdint.h>

enum { PERF_CYCLES, PERF_INSTRUCTIONS, PERF_CACHE_MISSES, PERF_NR };

struct perf_window {
	uint64_t v[PERF_NR];
	uint64_t enabled, running;
};

/* open the counters (only when wanted); says why not per event */
void perf_init(bool wanted);
/* any counter open */
bool perf_active(void);
/* "counted" or why not, for meta.json */
const char *perf_status(int event);
extern const char *const perf_event_names[PERF_NR];

/* start or stop counting (around each measured operation) */
void perf_on(void);
void perf_off(void);
/* totals so far; a point's counts are the difference of two reads */
void perf_read(struct perf_window *w);
/*
 * per-operation values of a point: (end - start) / ops, NAN (n/a) for an
 * event that is not open or was not counted the whole time (multiplexed).
 */
void perf_per_op(const struct perf_window *start,
		 const struct perf_window *end, uint64_t ops,
		 double out[PERF_NR]);

#endif /* PERF_H */
