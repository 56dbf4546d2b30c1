/* SPDX-License-Identifier: GPL-2.0 */
/* cmheap-bench: command line options and their defaults. */
#ifndef OPTIONS_H
#define OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* the most threads --threads takes */
#define MAX_THREADS 64

#define MAX_ORDER_LIMIT	8	/* the module's max_order range is 0..8 */

struct options {
	char **exporters;	/* NULL: every exporter found */
	size_t n_exporters;
	uint64_t *sizes;
	size_t n_sizes;
	unsigned int ops;	/* OP_BIT() mask */
	const char *device_list;	/* --devices as given; NULL: test devices */
	unsigned int devices;	/* bit per importer index, from device_list */
	unsigned int dirs;	/* bit per enum dir */
	unsigned int attrs;	/* bit per enum attrs */
	unsigned int caches;	/* bit per enum cache_state */
	unsigned int paths;	/* PATH_EXPORTER / PATH_RAW bits */
	unsigned int pools;	/* bit 1: pools on, bit 0: off (pooled heaps) */

	/* scatterlist granularity sweep */
	uint64_t sg_size;
	int *max_orders;	/* empty: no sweep */
	size_t n_max_orders;
	unsigned long *sg_entries;	/* converted to orders once the page size is known */
	size_t n_sg_entries;
	unsigned int sg_ops;

	/* concurrency sweep: threads per point (empty: no sweep), at one size */
	int *threads;
	size_t n_threads;
	uint64_t threads_size;

	unsigned long iterations;	/* max samples per point */
	unsigned long warmup;
	unsigned long min_samples;
	unsigned long time_budget_ms;	/* per point */
	unsigned long sg_time_budget_ms;	/* per point of the sg sweep */
	long cpu;			/* -1: do not pin */
	bool perf, quick, full, dry_run;
	unsigned int progress_every;

	const char *out;
	const char *raw_samples;
	const char *accelerator, *qemu_version, *git_rev, *label;
	const char *date_utc;		/* --date, or NULL: the clock's */

	int argc;
	char **argv;
};

extern struct options opt;

void options_parse(int argc, char **argv);

#endif /* OPTIONS_H */
