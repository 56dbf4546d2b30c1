/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cmheap-bench: the types every part shares: the dimensions of a measured
 * point, its samples and its statistics.
 */
#ifndef BENCH_H
#define BENCH_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/cmheap.h>

enum op {
	/* kernel-timed, through CMHEAP_IOC_BENCH */
	OP_MAP,
	OP_UNMAP,
	OP_MAP_UNMAP,
	OP_SYNC_DEV,
	OP_SYNC_CPU,
	/* userspace-timed */
	OP_DMABUF_SYNC,
	OP_ALLOC_FREE_COLD,
	OP_ALLOC_FREE_WARM,
	OP_MMAP_TOUCH,
	OP_CPU_WRITE,
	OP_CPU_READ,
	OP_ALLOC,		/* allocation alone */
	/* CMHEAP_HEAP_IOC_SYNC_RANGE on 1/64, 1/8 and all of the buffer */
	OP_RANGE_SYNC_64TH,
	OP_RANGE_SYNC_8TH,
	OP_RANGE_SYNC_ALL,
	OP_POOL_SHRINK,		/* the shrinker emptying a full pool */
	OP_COUNT,
};

#define OP_BIT(o)		(1U << (o))
#define OPS_KERNEL		(OP_BIT(OP_MAP) | OP_BIT(OP_UNMAP) | \
				 OP_BIT(OP_MAP_UNMAP) | OP_BIT(OP_SYNC_DEV) | \
				 OP_BIT(OP_SYNC_CPU))
#define OPS_USER		(((1U << OP_COUNT) - 1) & ~OPS_KERNEL)
#define OPS_ALL			((1U << OP_COUNT) - 1)

static inline bool op_is_kernel(int op)
{
	return OP_BIT(op) & OPS_KERNEL;
}

static inline bool op_is_sync(int op)
{
	return op == OP_SYNC_DEV || op == OP_SYNC_CPU;
}

/* CPU-access syncs from userspace: DMA_BUF_IOCTL_SYNC and the range ones. */
static inline bool op_is_cpu_sync(int op)
{
	return op == OP_DMABUF_SYNC || op == OP_RANGE_SYNC_64TH ||
	       op == OP_RANGE_SYNC_8TH || op == OP_RANGE_SYNC_ALL;
}

static inline bool op_is_range_sync(int op)
{
	return op_is_cpu_sync(op) && op != OP_DMABUF_SYNC;
}

static inline bool op_is_alloc(int op)
{
	return op == OP_ALLOC_FREE_COLD || op == OP_ALLOC_FREE_WARM ||
	       op == OP_ALLOC || op == OP_POOL_SHRINK;
}

/* Ops that use a device attachment (the others have device "none"). */
static inline bool op_needs_device(int op)
{
	return op_is_kernel(op) || op_is_cpu_sync(op);
}

enum path { PATH_EXPORTER, PATH_RAW, PATH_USER, PATH_COUNT };
enum dir { DIR_TO_DEVICE, DIR_FROM_DEVICE, DIR_BIDIRECTIONAL, DIR_COUNT };
enum attrs { ATTRS_NONE, ATTRS_SKIP_CPU_SYNC, ATTRS_COUNT };
enum cache_state { CS_CLEAN, CS_DIRTY, CS_COUNT };
/* the concurrency sweep: a buffer per thread, or one for them all */
enum sharing { SHARE_OWN, SHARE_SHARED, SHARE_COUNT };

#define DEV_NONE	(-1)	/* a point without a device */
#define NA		(-1)	/* "-" in the CSV */

extern const char *const op_names[OP_COUNT];
extern const char *const path_names[PATH_COUNT];
extern const char *const dir_names[DIR_COUNT];
extern const char *const attrs_names[ATTRS_COUNT];
extern const char *const cache_names[CS_COUNT];
extern const char *const sharing_names[SHARE_COUNT];
/* enum dir -> enum cmheap_direction */
unsigned int dir_to_cmheap(int dir);

struct exporter;

/* One measured point: the key columns of a CSV row. */
struct point {
	struct exporter *exp;
	int op;
	int path;
	uint64_t size;
	int device;		/* the importer's index or DEV_NONE */
	int dir;		/* enum dir or NA */
	int attrs;		/* enum attrs */
	int cache;		/* enum cache_state or NA */
	int max_order;		/* requested cap for the buffer, NA: as found */
	int pool;		/* the heap's page pools on (1), off (0), NA */
	bool sg_sweep;		/* part of the scatterlist granularity sweep */
	int threads;		/* the concurrency sweep's threads, 0: not of it */
	int sharing;		/* enum sharing, NA outside the concurrency sweep */
};

/* Statistics of one point, in ns. */
struct stats {
	size_t n;
	uint64_t min, p50, p90, p99, max;
	double mean, stddev;
};

/* What a measurement produced besides the samples; NAN means "n/a". */
struct extra {
	double mb_per_s;	/* bandwidth ops, else NAN (printed "-") */
	double ops_per_s;	/* the concurrency sweep's calls per second, all threads */
	double minflt_per_op;	/* mmap_touch, else NAN (printed "-") */
	double cycles, instructions, cache_misses;	/* per op, NAN: n/a */
	long nents;		/* sg entries (orig_nents), NA unknown */
	int max_order;		/* cap in force at allocation, NA: "-" */
};

#endif /* BENCH_H */
