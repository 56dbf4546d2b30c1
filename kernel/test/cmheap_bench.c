// SPDX-License-Identifier: GPL-2.0
/*
 * CMHEAP_IOC_BENCH: the benchmark's timed loop, run in the kernel as
 * kernel/dma/map_benchmark.c does, so that a sample is the cost of one DMA
 * API or exporter call and nothing of the syscall around it.  Statistics
 * are userspace's business (cmheap-bench); this returns raw samples.
 *
 * The loop is bounded in time as well as in iterations, stops on any
 * signal, and writes its dirtying pattern in chunks with reschedule points,
 * so a 1 GiB buffer with a million iterations cannot hold a CPU or its
 * caller for hours.
 */
#include <linux/dma-buf.h>
#include <linux/iosys-map.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>

#include "cmheap_test.h"
#include "cmheap_compat.h"

/* Bytes dirtied between two reschedule points. */
#define CMHEAP_DIRTY_CHUNK	SZ_1M

/*
 * Writes every byte of the buffer through a kernel mapping, so that a
 * cached buffer has dirty lines for the next clean to write back.  The
 * mapping may be I/O memory (an exporter's VRAM): iosys_map_memset() writes
 * either kind.
 */
static int cmheap_bench_dirty(struct iosys_map *map, size_t len, u32 iter)
{
	size_t off, n;

	for (off = 0; off < len; off += n) {
		n = min_t(size_t, len - off, CMHEAP_DIRTY_CHUNK);
		iosys_map_memset(map, off, (int)(iter & 0xff), n);
		if (signal_pending(current))
			return -EINTR;
		cond_resched();
	}
	return 0;
}

static int cmheap_bench_one(struct cmheap_handle *handle,
			    const struct cmheap_bench *b, bool raw,
			    unsigned long attrs, u64 *ns)
{
	enum dma_data_direction dir = b->direction;
	u64 t0, t1;
	int ret;

	switch (b->op) {
	case CMHEAP_BENCH_MAP:
		t0 = ktime_get_raw_ns();
		ret = cmheap_handle_map(handle, raw, dir, attrs);
		t1 = ktime_get_raw_ns();
		if (ret)
			return ret;
		cmheap_handle_unmap(handle);
		break;
	case CMHEAP_BENCH_UNMAP:
		ret = cmheap_handle_map(handle, raw, dir, attrs);
		if (ret)
			return ret;
		t0 = ktime_get_raw_ns();
		cmheap_handle_unmap(handle);
		t1 = ktime_get_raw_ns();
		break;
	case CMHEAP_BENCH_MAP_UNMAP:
		t0 = ktime_get_raw_ns();
		ret = cmheap_handle_map(handle, raw, dir, attrs);
		if (ret)
			return ret;
		cmheap_handle_unmap(handle);
		t1 = ktime_get_raw_ns();
		break;
	case CMHEAP_BENCH_EMPTY:
		/*
		 * Two clock reads with nothing between: what every other
		 * sample pays for being timed, and the clock's tick.
		 */
		t0 = ktime_get_raw_ns();
		t1 = ktime_get_raw_ns();
		break;
	default:	/* the syncs: mapped once by the caller */
		t0 = ktime_get_raw_ns();
		cmheap_handle_sync(handle, b->op == CMHEAP_BENCH_SYNC_CPU);
		t1 = ktime_get_raw_ns();
		break;
	}
	*ns = t1 - t0;
	return 0;
}

long cmheap_bench_ioctl(struct cmheap_handle *handle, struct cmheap_bench *arg)
{
	struct iosys_map map = IOSYS_MAP_INIT_VADDR(NULL);
	u64 budget = arg->budget_ns ?: CMHEAP_BENCH_DEFAULT_NS;
	bool raw, dirty, sync_op;
	unsigned long attrs;
	u64 *samples, ns, start;
	u32 i, total, done = 0;
	int ret;

	raw = arg->flags & CMHEAP_BENCH_RAW;
	dirty = arg->flags & CMHEAP_BENCH_DIRTY;
	sync_op = arg->op == CMHEAP_BENCH_SYNC_DEV ||
		  arg->op == CMHEAP_BENCH_SYNC_CPU;
	attrs = cmheap_dma_attrs(arg->attrs);
	/* Dirtying writes the buffer: only a writable one. */
	if (dirty && !handle->writable)
		return -EACCES;
	ret = cmheap_handle_prepare_map(handle, raw, arg->direction, attrs);
	if (!ret && sync_op)
		ret = cmheap_handle_may_sync(handle);
	if (ret)
		return ret;

	samples = kvmalloc_array(arg->iterations, sizeof(*samples),
				 GFP_KERNEL_ACCOUNT);
	if (!samples)
		return -ENOMEM;
	if (dirty) {
		ret = cmheap_dma_buf_vmap(handle->dmabuf, &map);
		if (ret)
			goto out_free;
	}
	if (sync_op) {
		ret = cmheap_handle_map(handle, raw, arg->direction, attrs);
		if (ret)
			goto out_vunmap;
	}

	total = arg->warmup + arg->iterations;
	start = ktime_get_raw_ns();
	for (i = 0; i < total; i++) {
		if (signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		/* Its removal waits for this loop to revoke the handle. */
		if (cmheap_device_gone(handle->device)) {
			ret = -ENODEV;
			break;
		}
		if (ktime_get_raw_ns() - start > budget)
			break;
		if (dirty) {
			ret = cmheap_bench_dirty(&map, handle->dmabuf->size, i);
			if (ret)
				break;
		}
		ret = cmheap_bench_one(handle, arg, raw, attrs, &ns);
		if (ret)
			break;
		if (i >= arg->warmup)
			samples[done++] = ns;
		cond_resched();
	}
	if (sync_op)
		cmheap_handle_unmap(handle);
	if (ret)
		goto out_vunmap;

	arg->nents = handle->last_nents;
	arg->done = done;
	if (copy_to_user(u64_to_user_ptr(arg->samples_ptr), samples,
			 (size_t)done * sizeof(*samples)))
		ret = -EFAULT;
out_vunmap:
	if (dirty)
		cmheap_dma_buf_vunmap(handle->dmabuf, &map);
out_free:
	kvfree(samples);
	return ret;
}
