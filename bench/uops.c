// SPDX-License-Identifier: GPL-2.0
/*
 * cmheap-bench: userspace ops, timed with CLOCK_MONOTONIC_RAW.
 *
 *   dmabuf_sync      DMA_BUF_IOCTL_SYNC START then END, the two calls'
 *                    times summed, with the buffer attached and mapped to
 *                    the point's device (exporter path) so that the
 *                    exporter has a mapping to sync.  Dirty: the CPU writes
 *                    the whole buffer between START and END, untimed.
 *   range_sync_64th, range_sync_8th, range_sync_all
 *                    the same with cmheap's CMHEAP_HEAP_IOC_SYNC_RANGE on
 *                    the buffer's first 1/64, 1/8 or all of it (dirty:
 *                    the CPU writes that range).
 *   alloc            the allocation alone; the free is untimed, and with
 *                    pools on the next allocation waits (untimed) until
 *                    the pool has zeroed what the free gave it: the
 *                    allocation from a warm pool.  Every exporter then
 *                    idles 1 ms (untimed) before its next sample, so the
 *                    points with and without a wait compare alike.
 *   pool_shrink      with pools on, a buffer of the size allocated and freed
 *                    and its blocks zeroed in the pool (untimed), then
 *                    drop_caches=2, which runs every shrinker: the time
 *                    the pools' shrinker takes to give them back (other
 *                    caches a guest has little of are dropped too).
 *   alloc_free_cold  the first allocation + free of the size from this
 *                    exporter in this run (with pools on, from an empty
 *                    pool): one sample.  These points run first, before
 *                    any other allocation, exporters taking turns with the
 *                    first one rotating from size to size (plan.c).
 *   alloc_free_warm  the same, repeated (steady state; with pools on the
 *                    background zeroing races the next allocation).
 *   mmap_touch       mmap + a read of one byte in every page (munmap
 *                    untimed); minor faults per op from getrusage.
 *   cpu_write        memset of the whole buffer through an mmap (touched
 *                    before), MB/s from the median.
 *   cpu_read         a read of every 64-bit word through an mmap.
 *
 * With --perf the counters run only around the timed calls (their enable
 * and disable ioctls are partly counted too).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <linux/dma-buf.h>

#include "importer.h"
#include "measure.h"
#include "options.h"
#include "perf.h"
#include "util.h"

static volatile uint64_t sink;

static void *map_shared(int fd, uint64_t size)
{
	void *p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	return p == MAP_FAILED ? NULL : p;
}

static __attribute__((noinline)) uint64_t read_words(const void *p,
						     uint64_t size)
{
	const uint64_t *w = p;
	uint64_t sum = 0;
	size_t i, n = size / sizeof(*w);

	for (i = 0; i < n; i++)
		sum += w[i];
	return sum;
}

static __attribute__((noinline)) void write_bytes(void *p, uint64_t size,
						  int c)
{
	memset(p, c, size);
	asm volatile("" : : "r"(p) : "memory");
}

/* one byte of every page, read */
static __attribute__((noinline)) uint64_t touch_pages(const void *p,
						      uint64_t size)
{
	const volatile unsigned char *b = p;
	uint64_t off, sum = 0, page = (uint64_t)sysconf(_SC_PAGESIZE);

	for (off = 0; off < size; off += page)
		sum += b[off];
	return sum;
}

static int pattern(size_t i)
{
	return 0x40 | (int)(i & 0x3f);	/* never 0: no zeroing shortcuts */
}

int dmabuf_sync_ioctl(int fd, __u64 flags)
{
	struct dma_buf_sync s = { .flags = flags };
	int ret;

	do {
		ret = ioctl(fd, DMA_BUF_IOCTL_SYNC, &s);
	} while (ret < 0 && (errno == EINTR || errno == EAGAIN));
	return ret < 0 ? -errno : 0;
}

struct perf_acc {
	struct perf_window w0;
	uint64_t ops;
};

static void acc_start(struct perf_acc *a)
{
	perf_read(&a->w0);
	a->ops = 0;
}

static void acc_end(struct perf_acc *a, struct extra *x)
{
	struct perf_window w1;
	double v[PERF_NR];

	perf_read(&w1);
	perf_per_op(&a->w0, &w1, a->ops, v);
	x->cycles = v[PERF_CYCLES];
	x->instructions = v[PERF_INSTRUCTIONS];
	x->cache_misses = v[PERF_CACHE_MISSES];
}

/* What one CPU-access sync covers: the dma-buf, or a range through cmheap. */
struct cpu_sync {
	int fd;
	int heap_fd;		/* range_sync_node(), or -1: DMA_BUF_IOCTL_SYNC */
	uint64_t len;
};

/*
 * Where cmheap's range sync goes: CMHEAP_HEAP_CTL_NODE, opened once (uAPI
 * 1.2; the only place for it where the kernel's dma-heap framework makes
 * the heaps' nodes), else, from an older cmheap.ko, the heap's own node.
 */
static int range_sync_node(const struct exporter *e)
{
	static int ctl_fd = -2;

	if (ctl_fd == -2)
		ctl_fd = open(CMHEAP_HEAP_CTL_NODE, O_RDWR | O_CLOEXEC);
	return ctl_fd >= 0 ? ctl_fd : e->dev_fd;
}

static int range_sync_ioctl(const struct cpu_sync *c, __u64 flags)
{
	struct cmheap_sync_range r = {
		.fd = c->fd, .flags = (__u32)flags, .offset = 0, .len = c->len,
	};
	int ret;

	do {
		ret = ioctl(c->heap_fd, CMHEAP_HEAP_IOC_SYNC_RANGE, &r);
	} while (ret < 0 && (errno == EINTR || errno == EAGAIN));
	return ret < 0 ? -errno : 0;
}

/* One CPU-access sync, timed; counted by perf when @timed. */
static int timed_sync(const struct cpu_sync *c, __u64 flags, bool timed,
		      uint64_t *ns)
{
	uint64_t t0;
	int ret;

	if (timed)
		perf_on();
	t0 = now_ns();
	ret = c->heap_fd < 0 ? dmabuf_sync_ioctl(c->fd, flags) :
			       range_sync_ioctl(c, flags);
	*ns = now_ns() - t0;
	if (timed)
		perf_off();
	return ret;
}

static int op_dmabuf_sync(int ctl, const struct point *p, struct buffer *b,
			  struct samples *s, struct extra *x, char *why,
			  size_t why_len)
{
	static const __u64 sync_flags[DIR_COUNT] = {
		[DIR_TO_DEVICE]		= DMA_BUF_SYNC_WRITE,
		[DIR_FROM_DEVICE]	= DMA_BUF_SYNC_READ,
		[DIR_BIDIRECTIONAL]	= DMA_BUF_SYNC_RW,
	};
	__u64 flags = sync_flags[p->dir];
	bool dirty = p->cache == CS_DIRTY;
	struct cpu_sync c = { .fd = b->fd, .heap_fd = -1, .len = b->size };
	struct cmheap_attach at;
	struct cmheap_map m;
	struct perf_acc acc;
	uint64_t start_ns, end_ns;
	void *map = NULL;
	struct loop l;
	int ret;

	if (op_is_range_sync(p->op)) {
		c.heap_fd = range_sync_node(p->exp);
		c.len = p->op == OP_RANGE_SYNC_64TH ? b->size / 64 :
			p->op == OP_RANGE_SYNC_8TH ? b->size / 8 : b->size;
	}
	ret = cmheap_ctl_attach(ctl, b->fd, (unsigned int)p->device, &at);
	if (ret) {
		snprintf(why, why_len, "CMHEAP_IOC_ATTACH: %s", strerror(-ret));
		return ret;
	}
	ret = cmheap_ctl_map(ctl, at.handle, dir_to_cmheap(p->dir), 0, 0, &m);
	if (ret) {
		snprintf(why, why_len, "CMHEAP_IOC_MAP: %s", strerror(-ret));
		goto out_detach;
	}
	if (dirty) {
		map = map_shared(b->fd, b->size);
		if (!map) {
			ret = -errno;
			snprintf(why, why_len, "mmap: %s", strerror(errno));
			goto out_unmap;
		}
	}

	acc_start(&acc);
	for (loop_start(&l); loop_next(&l);) {
		bool timed = l.timed;

		ret = timed_sync(&c, DMA_BUF_SYNC_START | flags, timed,
				 &start_ns);
		if (ret) {
			snprintf(why, why_len, "%s START: %s", op_names[p->op],
				 strerror(-ret));
			goto out_munmap;
		}
		if (dirty)
			write_bytes(map, c.len, pattern(l.warm + l.n));
		ret = timed_sync(&c, DMA_BUF_SYNC_END | flags, timed, &end_ns);
		if (ret) {
			snprintf(why, why_len, "%s END: %s", op_names[p->op],
				 strerror(-ret));
			goto out_munmap;
		}
		if (timed) {
			samples_push(s, start_ns + end_ns);
			acc.ops++;
		}
	}
	acc_end(&acc, x);
out_munmap:
	if (map)
		munmap(map, b->size);
out_unmap:
	cmheap_ctl_unmap(ctl, at.handle);
out_detach:
	cmheap_ctl_detach(ctl, at.handle);
	return ret;
}

/* the idle before each allocation-alone sample (see alloc_free_once) */
#define ALLOC_IDLE_US	1000

static int alloc_free_once(const struct point *p, uint64_t *ns, char *why,
			   size_t why_len)
{
	bool alloc_only = p->op == OP_ALLOC;
	struct buffer b;
	uint64_t t0, t1;
	int ret;

	t0 = now_ns();
	ret = exporter_alloc(p->exp, p->size, &b);
	t1 = now_ns();
	if (!ret)
		buffer_free(&b);
	*ns = (alloc_only ? t1 : now_ns()) - t0;
	if (ret) {
		snprintf(why, why_len, "allocation failed: %s", strerror(-ret));
		return ret;
	}
	if (alloc_only) {
		/*
		 * Every exporter's next sample starts alike: after the pool
		 * (if any) has zeroed what this free gave it, and a short
		 * idle, so that waking from idle is in every sample or none.
		 */
		if (p->pool == 1)
			pool_settle(p->exp);
		usleep(ALLOC_IDLE_US);
	}
	return 0;
}

static int op_alloc_free(const struct point *p, struct samples *s,
			 struct extra *x, char *why, size_t why_len)
{
	struct perf_acc acc;
	struct loop l;
	uint64_t ns;
	int ret;

	acc_start(&acc);
	if (p->op == OP_ALLOC_FREE_COLD) {
		/* only the very first allocation is cold: one sample */
		perf_on();
		ret = alloc_free_once(p, &ns, why, why_len);
		perf_off();
		if (ret)
			return ret;
		samples_push(s, ns);
		acc.ops++;
	} else {
		for (loop_start(&l); loop_next(&l);) {
			if (l.timed)
				perf_on();
			ret = alloc_free_once(p, &ns, why, why_len);
			if (l.timed)
				perf_off();
			if (ret)
				return ret;
			if (l.timed) {
				samples_push(s, ns);
				acc.ops++;
			}
		}
	}
	acc_end(&acc, x);
	return 0;
}

#define DROP_CACHES	"/proc/sys/vm/drop_caches"

static int op_pool_shrink(const struct point *p, struct samples *s,
			  struct extra *x, char *why, size_t why_len)
{
	struct perf_acc acc;
	struct buffer b;
	uint64_t t0, t1;
	struct loop l;
	int ret;

	acc_start(&acc);
	for (loop_start(&l); loop_next(&l);) {
		ret = exporter_alloc(p->exp, p->size, &b);
		if (ret) {
			snprintf(why, why_len, "allocation failed: %s",
				 strerror(-ret));
			return ret;
		}
		buffer_free(&b);
		pool_settle(p->exp);
		if (l.timed)
			perf_on();
		t0 = now_ns();
		ret = write_file_str(DROP_CACHES, "2") ? 0 : -errno;
		t1 = now_ns();
		if (l.timed)
			perf_off();
		if (ret) {
			snprintf(why, why_len, DROP_CACHES ": %s",
				 strerror(-ret));
			return ret;
		}
		if (l.timed) {
			samples_push(s, t1 - t0);
			acc.ops++;
		}
	}
	acc_end(&acc, x);
	return 0;
}

static int op_mmap_touch(const struct point *p, struct buffer *b,
			 struct samples *s, struct extra *x, char *why,
			 size_t why_len)
{
	struct rusage r0, r1;
	struct perf_acc acc;
	uint64_t t0, t1, faults = 0;
	struct loop l;
	void *map;

	(void)p;
	acc_start(&acc);
	for (loop_start(&l); loop_next(&l);) {
		bool timed = l.timed;

		getrusage(RUSAGE_SELF, &r0);
		if (timed)
			perf_on();
		t0 = now_ns();
		map = map_shared(b->fd, b->size);
		if (map)
			sink += touch_pages(map, b->size);
		t1 = now_ns();
		if (timed)
			perf_off();
		getrusage(RUSAGE_SELF, &r1);
		if (!map) {
			snprintf(why, why_len, "mmap: %s", strerror(errno));
			return -errno;
		}
		munmap(map, b->size);
		if (timed) {
			samples_push(s, t1 - t0);
			faults += (uint64_t)(r1.ru_minflt - r0.ru_minflt);
			acc.ops++;
		}
	}
	x->minflt_per_op = acc.ops ? (double)faults / (double)acc.ops : NAN;
	acc_end(&acc, x);
	return 0;
}

static int op_cpu_access(const struct point *p, struct buffer *b,
			 struct samples *s, struct extra *x, char *why,
			 size_t why_len)
{
	bool write = p->op == OP_CPU_WRITE;
	struct perf_acc acc;
	uint64_t t0, t1;
	struct loop l;
	void *map;

	map = map_shared(b->fd, b->size);
	if (!map) {
		snprintf(why, why_len, "mmap: %s", strerror(errno));
		return -errno;
	}
	/* populate the mapping (udmabuf faults) before anything is timed */
	sink += touch_pages(map, b->size);
	acc_start(&acc);
	for (loop_start(&l); loop_next(&l);) {
		bool timed = l.timed;

		if (timed)
			perf_on();
		t0 = now_ns();
		if (write)
			write_bytes(map, b->size, pattern(l.warm + l.n));
		else
			sink += read_words(map, b->size);
		t1 = now_ns();
		if (timed) {
			perf_off();
			samples_push(s, t1 - t0);
			acc.ops++;
		}
	}
	acc_end(&acc, x);
	munmap(map, b->size);
	return 0;
}

int uop_measure(int ctl, const struct point *p, struct buffer *b,
		struct samples *s, struct extra *x, char *why, size_t why_len)
{
	switch (p->op) {
	case OP_DMABUF_SYNC:
	case OP_RANGE_SYNC_64TH:
	case OP_RANGE_SYNC_8TH:
	case OP_RANGE_SYNC_ALL:
		return op_dmabuf_sync(ctl, p, b, s, x, why, why_len);
	case OP_POOL_SHRINK:
		return op_pool_shrink(p, s, x, why, why_len);
	case OP_ALLOC:
	case OP_ALLOC_FREE_COLD:
	case OP_ALLOC_FREE_WARM:
		return op_alloc_free(p, s, x, why, why_len);
	case OP_MMAP_TOUCH:
		return op_mmap_touch(p, b, s, x, why, why_len);
	case OP_CPU_WRITE:
	case OP_CPU_READ:
		return op_cpu_access(p, b, s, x, why, why_len);
	default:
		snprintf(why, why_len, "not a userspace op");
		return -EINVAL;
	}
}
