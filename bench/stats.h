/* SPDX-License-Identifier: GPL-2.0 */
/* cmheap-bench: statistics of one point's samples. */
#ifndef STATS_H
#define STATS_H

#include "bench.h"

/*
 * min, max, nearest-rank percentiles, mean and sample standard deviation
 * (n - 1; 0 for a single sample).  samples is left in its order.
 */
void stats_compute(const uint64_t *samples, size_t n, struct stats *st);

#endif /* STATS_H */
