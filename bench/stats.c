// SPDX-License-Identifier: GPL-2.0
/* cmheap-bench: statistics of one point's samples. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"
#include "util.h"

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* nearest rank: the smallest sample with at least q of them at or below */
static uint64_t percentile(const uint64_t *sorted, size_t n, unsigned int q)
{
	size_t rank = (n * q + 99) / 100;

	return sorted[rank ? rank - 1 : 0];
}

void stats_compute(const uint64_t *samples, size_t n, struct stats *st)
{
	uint64_t *s;
	double sum = 0, sq = 0, mean;
	size_t i;

	memset(st, 0, sizeof(*st));
	st->n = n;
	if (!n)
		return;
	s = xmalloc(n * sizeof(*s));
	memcpy(s, samples, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_u64);
	st->min = s[0];
	st->max = s[n - 1];
	st->p50 = percentile(s, n, 50);
	st->p90 = percentile(s, n, 90);
	st->p99 = percentile(s, n, 99);
	for (i = 0; i < n; i++)
		sum += (double)s[i];
	mean = sum / (double)n;
	for (i = 0; i < n; i++)
		sq += ((double)s[i] - mean) * ((double)s[i] - mean);
	st->mean = mean;
	st->stddev = n > 1 ? sqrt(sq / (double)(n - 1)) : 0;
	free(s);
}
