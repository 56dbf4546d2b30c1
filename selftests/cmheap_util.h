/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Shared helpers of the cmheap selftests: heap enumeration, the dma-heap
 * allocation wrapper and the debugfs stats reader.  The /dev/cmheap ioctl
 * wrappers (ctl_*) come from lib/cmheap_ctl.h, shared with cmheap-bench.
 *
 * Every wrapper returns 0 (or an fd) on success and -errno on failure, so a
 * test can say ASSERT_EQ(-EINVAL, cmheap_ctl_map(...)).
 *
 * Mind the harness: ASSERT_*()/EXPECT_*() expand to two statements (the
 * check, then a loop for an optional TH_LOG), so in an if, else or for body
 * they must be braced, whatever checkpatch says about single statements.
 *
 * cmheap_util.c does not include kselftest_harness.h (it defines global
 * symbols); only the CMHEAP_HEAP_VARIANTS() and CTL_OPEN_OR_SKIP() macros
 * below need it, and are expanded in the test files, after the harness.
 */
#ifndef CMHEAP_UTIL_H
#define CMHEAP_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/types.h>

#include <linux/types.h>
#include <linux/cmheap.h>

#include "cmheap_ctl.h"

#define DMA_HEAP_DIR		"/dev/dma_heap"
#define CMHEAP_DEBUGFS		"/sys/kernel/debug/cmheap"
#define CMHEAP_IMPORTER		"importer"	/* debugfs folder of /dev/cmheap */

#define SZ_1M			(1024UL * 1024UL)
#define SZ_2M			(2 * SZ_1M)

/* The three DMA directions, for tests that try each. */
extern const __u32 cmheap_dirs[3];

/* Why a test that needs the non-coherent test device skips. */
#if defined(__x86_64__) || defined(__i386__)
#define NO_NONCOHERENT "x86: all DMA is coherent"
#else
#define NO_NONCOHERENT "no non-coherent test device"
#endif

/*
 * A carveout heap's memory as /sys/kernel/debug/cmheap/<heap>/carveout
 * shows it: the route, the totals, then each region.
 */
#define CARVEOUT_MAX_REGIONS 8
struct carveout {
	char route[16];		/* "pages" or "pageless" */
	long long size, available, largest;
	int nr;
	struct {
		unsigned long long base;
		long long size, available, largest;
	} r[CARVEOUT_MAX_REGIONS];
};

/* 0, or -errno (-ENOENT: not a carveout heap). */
int carveout_read(const char *heap, struct carveout *c);

/* One heap found under /dev/dma_heap/cmheap-* */
struct cmheap_heap {
	char name[64];		/* "cmheap-system" */
	char path[96];		/* "/dev/dma_heap/cmheap-system" */
	bool uncached;		/* name ends in "-uncached" */
	bool carveout;		/* a carveout heap: memory the kernel never owned */
	bool pageless;		/* memory without struct page (debugfs says) */
};

/* CMHEAP_MAP_RAW / CMHEAP_BENCH_RAW where the heap has pages to map raw. */
#define RAW_MAP_OF(h)	((h)->pageless ? 0 : CMHEAP_MAP_RAW)
#define RAW_BENCH_OF(h)	((h)->pageless ? 0 : CMHEAP_BENCH_RAW)
#define NO_RAW_PAGELESS	"page-less memory: no pages to map raw (EOPNOTSUPP)"

/*
 * The test device a heap's buffers are mapped for: the coherent one, but
 * for the uncached model's pages where that device snoops their cacheable
 * alias (CMHEAP_DEVF_SNOOPS_ALIAS, arm64), which cmheap refuses: there the
 * non-coherent one.
 */
__u32 heap_device(int ctl, const struct cmheap_heap *h);

/*
 * Enumerate /dev/dma_heap/cmheap-* once (sorted by name) and return the
 * count; *heaps points to a static array.
 */
int cmheap_heaps(const struct cmheap_heap **heaps);
/* Forget the enumeration: the next cmheap_heaps() looks again. */
void cmheap_heaps_rescan(void);

/* True when the heaps' module, cmheap.ko, is loaded (/sys/module/cmheap). */
bool cmheap_loaded(void);
/* True when /dev/cmheap exists: the test module, cmheap_test.ko, is loaded. */
bool cmheap_test_loaded(void);

size_t page_size(void);

/* Open a heap device: fd or -errno. */
int heap_open(const char *name);

/*
 * DMA_HEAP_IOCTL_ALLOC with the given fields: a dma-buf fd or -errno.
 * alloc_on() opens the heap, allocates O_RDWR | O_CLOEXEC and closes it.
 */
int heap_alloc_raw(int heap_fd, __u64 len, __u32 fd_in, __u32 fd_flags,
		   __u64 heap_flags);
int heap_alloc(int heap_fd, __u64 len);
int alloc_on(const char *heap, __u64 len);

/*
 * Other exporters' dma-bufs of @size bytes: the upstream system heap's,
 * udmabuf's (a sealed memfd).  A dma-buf fd, or -errno with the reason in
 * @why (-ENODEV: this kernel has no such exporter).
 */
int peer_system_heap(size_t size, char *why, size_t len);
int peer_udmabuf(size_t size, char *why, size_t len);

/* DMA_BUF_IOCTL_SYNC: 0 or -errno. */
int dmabuf_sync(int dmabuf_fd, __u64 flags);

/* Size of a dma-buf as the core reports it (lseek SEEK_END), or -errno. */
long long dmabuf_size(int dmabuf_fd);

/* "exp_name:" of /proc/self/fdinfo/<fd> into buf: 0 or -errno. */
int dmabuf_exp_name(int dmabuf_fd, char *buf, size_t len);

/*
 * A word pattern that depends on the byte offset in the buffer and a seed,
 * so that a mapping at an offset can be checked against the whole buffer.
 * pattern_check() returns the first bad offset, or -1 when all match.
 */
void pattern_fill(void *p, size_t len, size_t buf_off, uint64_t seed);
long pattern_check(const void *p, size_t len, size_t buf_off, uint64_t seed);
/* first byte that is not @c, or -1 */
long bytes_check(const void *p, size_t len, unsigned char c);

/* debugfs counters, /sys/kernel/debug/cmheap/<dir>/stats */
enum cmheap_stat {
	ST_BUFFERS_LIVE,
	ST_BYTES_LIVE,
	ST_ALLOCS,
	ST_FREES,
	ST_ALLOC_FAILURES,
	ST_MAPS,
	ST_UNMAPS,
	ST_CPU_SYNCS,
	ST_CACHE_MAINT_OPS,
	ST_ALLOC_CLEANS,
	ST_POOL_HITS,
	ST_POOL_ZEROED,
	ST_POOL_MISSES,
	ST_POOL_RETURNS,
	ST_COUNT,
};

struct cmheap_stats {
	__u64 v[ST_COUNT];
	unsigned int seen;	/* bit i set: key i was read */
};

extern const char *const cmheap_stat_names[ST_COUNT];
/* keys every heap folder has, and those of the importer folder */
#define ST_HEAP_KEYS		((1U << ST_COUNT) - 1)
#define ST_IMPORTER_KEYS	((1U << ST_MAPS) | (1U << ST_UNMAPS) | \
				 (1U << ST_CPU_SYNCS) | (1U << ST_CACHE_MAINT_OPS))

/*
 * A small text file (sysfs, debugfs, procfs): read into @buf, NUL
 * terminated, or written whole.  0 or -errno.
 */
int file_read(const char *path, char *buf, size_t len);
int file_write(const char *path, const char *text);
/*
 * cmheap.ko's parameter @name (/sys/module/cmheap/parameters/@name): read
 * without the newline sysfs adds, or written.  0 or -errno.
 */
int param_read(const char *name, char *buf, size_t len);
int param_write(const char *name, const char *value);
/* A number from a file of "key value" lines (key NULL: the first number), or -1. */
long long read_num(const char *path, const char *key);

/*
 * cgroup v2 with the memory controller at /sys/fs/cgroup (mounted if it
 * is not) and enabled for child cgroups: 0, or -1 with the reason in @why.
 */
#define CGROOT		"/sys/fs/cgroup"
int memcg_ready(char *why, size_t len);

/* CLOCK_MONOTONIC in seconds. */
double now_s(void);

/* Mount debugfs if it is not yet (best effort). */
void debugfs_ensure(void);
/*
 * The errors DMA-API debugging has counted since boot (debugfs
 * dma-api/error_count), or -1 in a kernel without it.
 */
long long dma_api_errors(void);
/*
 * tracefs (/sys/kernel/tracing): an event ("cmheap/cmheap_sync_for_cpu")
 * turned on or off, the trace buffer emptied (0 or -errno), and how many
 * of its lines hold every one of @words (a NULL-terminated list).
 */
#define TRACEFS		"/sys/kernel/tracing"
int trace_event_set(const char *event, bool on);
int trace_clear(void);
unsigned int trace_lines_with(const char *const *words);
/*
 * CMHEAP_HEAP_CTL_NODE, opened once and kept open: where cmheap's heap
 * ioctls (range sync, version) go however the heaps are registered.  An
 * fd, or -errno (-ENOENT: a module older than uAPI 1.2, or none).
 */
int heap_ctl_fd(void);
/*
 * Whether the heaps' nodes are the kernel's dma-heap framework's (debugfs
 * cmheap/registration says "framework"): they answer only the allocation,
 * and cmheap.ko cannot be unloaded.
 */
bool heaps_registration_framework(void);
/*
 * Whether the kernel forces devices' DMA through swiotlb (swiotlb=...,force
 * on its command line): every device that dma-direct maps then bounces all
 * of it, and cmheap refuses page-less memory to them, which cannot be
 * bounced.
 */
bool swiotlb_forced(void);
/* Read the stats of @dir (a heap name or "importer"): 0 or -errno. */
int stats_read(const char *dir, struct cmheap_stats *st);
/*
 * Fault injection, in the debug kernel (CONFIG_FAULT_INJECTION, FAILSLAB,
 * FAIL_PAGE_ALLOC, FAULT_INJECTION_DEBUG_FS; see
 * Documentation/fault-injection/fault-injection.rst).
 *
 * fail_nth_ready() lets the slab and page allocators fail any allocation
 * that fail-nth picks, sleeping and order-0 ones included (by default they
 * are never failed), without logging each: 0, or -1 with the reason in
 * @why.  It changes no probability: nothing fails unless a task asks.
 * fail_nth_arm(@n): the calling thread's @n-th allocation from now on fails
 * (0 or -errno).  fail_nth_disarm(): how many allocations it still had to
 * go (0: one was failed), or -errno; the thread fails nothing after it.
 *
 * The kernel reports some failures itself, with a stack dump (warn_alloc():
 * "vmalloc error", "page allocation failure").  Forced ones are no defect,
 * so fail_nth_ready() and fail_nth_done() (which also undoes
 * fail_nth_require()) mark where injection began and ended in the kernel's
 * log, and run.sh's kernel_log excuses those reports between the marks;
 * nothing else.
 */
#define FAIL_NTH_LOG_BEGIN	"cmheap-selftest: allocation failures injected from here"
#define FAIL_NTH_LOG_END	"cmheap-selftest: allocation failures injected up to here"
int fail_nth_ready(char *why, size_t len);
void fail_nth_done(void);
/*
 * Count only the allocations made with code in [@start, @end) on the
 * calling stack (the stack filter's require range; its 32 innermost
 * frames); fail_nth_require(0, ~0ULL) counts all again.  0 or -errno.
 */
int fail_nth_require(unsigned long long start, unsigned long long end);
/* A kernel symbol's address from /proc/kallsyms; 0 when hidden or absent. */
unsigned long long kallsyms_addr(const char *name);
int fail_nth_arm(unsigned int n);
int fail_nth_disarm(void);

/*
 * Whether CMHEAP_MAP_RAW takes other exporters' buffers: not on a kernel
 * with CONFIG_DMABUF_DEBUG, which hides their pages from importers.
 */
bool raw_peers_supported(void);
#define NO_RAW_PEERS "CONFIG_DMABUF_DEBUG hides a peer's pages from importers: RAW is cmheap-only"
/* The value of one counter, or UINT64_MAX when it can't be read. */
__u64 stat_get(const char *dir, enum cmheap_stat key);

/*
 * In a TEST(): open /dev/cmheap into @ctl, SKIP when the module is not
 * loaded, fail on any other error.  Needs kselftest_harness.h.
 */
#define CTL_OPEN_OR_SKIP(ctl) do {					\
	(ctl) = cmheap_ctl_open();						\
	if ((ctl) == -ENOENT)						\
		SKIP(return, "cmheap_test.ko not loaded: no " CMHEAP_CTL_PATH); \
	ASSERT_LE(0, (ctl));						\
} while (0)

/*
 * CMHEAP_HEAP_VARIANTS(fixture) registers, at run time, one variant of
 * @fixture per heap found under /dev/dma_heap/cmheap-*, named after the
 * heap, so that a heap added to the module later runs every test without a
 * line changed here.  The fixture's variant must have a member
 * "struct cmheap_heap heap".  With no heap present (that @cond accepts, for
 * CMHEAP_HEAP_VARIANTS_IF) one variant "no_heap" with an empty name is
 * registered: FIXTURE_SETUP must call
 * heap_variant_check() (or test variant->heap.name[0] itself).
 *
 * This uses the harness's variant list the same way FIXTURE_VARIANT_ADD()
 * does, from a constructor that runs after the harness's own ones.
 */
#define CMHEAP_HEAP_VARIANTS(fixture) \
	CMHEAP_HEAP_VARIANTS_IF(fixture, true)

/* The same for the heaps whose struct cmheap_heap *h makes @cond true. */
#define CMHEAP_HEAP_VARIANTS_IF(fixture, cond)				\
	static void __attribute__((constructor(KSELFTEST_PRIO_TEST + 10))) \
	_cmheap_variants_##fixture(void)				\
	{								\
		const struct cmheap_heap *_h;				\
		int _i, _n = cmheap_heaps(&_h), _added = 0;		\
									\
		for (_i = 0; _i <= _n; _i++) {				\
			const struct cmheap_heap *h = &_h[_i];		\
			struct __fixture_variant_metadata *_m;		\
			FIXTURE_VARIANT(fixture) *_d;			\
									\
			if (_i < _n && !(cond))				\
				continue;				\
			if (_i == _n && _added)				\
				break;					\
			_m = calloc(1, sizeof(*_m));			\
			_d = calloc(1, sizeof(*_d));			\
			if (!_m || !_d)					\
				abort();				\
			if (_i < _n)					\
				_d->heap = *h;				\
			_m->name = _i < _n ? _d->heap.name : "no_heap";	\
			_m->data = _d;					\
			__register_fixture_variant(			\
				&_##fixture##_fixture_object, _m);	\
			_added++;					\
		}							\
	}

/*
 * For FIXTURE_SETUP of a heap-variant fixture: SKIP when the module is not
 * loaded at all, FAIL when it is loaded but has no heap.
 */
#define heap_variant_check(_heap) do {					\
	if (!(_heap)->name[0]) {					\
		if (!cmheap_loaded())					\
			SKIP(return, "cmheap module not loaded");	\
		ASSERT_TRUE((_heap)->name[0]) {				\
			TH_LOG("cmheap.ko is loaded but there is no "	\
			       DMA_HEAP_DIR "/" CMHEAP_HEAP_PREFIX "*"); \
		}							\
	}								\
} while (0)

#endif /* CMHEAP_UTIL_H */
