/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What cmheap.ko exports, in the symbol namespace CMHEAP (CMHEAP_NS), to
 * the test module (cmheap_test.ko): the importer there works on any
 * exporter's dma-buf, and learns what it needs to know about cmheap's own
 * buffers (ours, caching model, page-less, where they lie) from these
 * calls, never from the buffer's internals.  It also shares the heaps'
 * debugfs folder and counters, the question of what the DMA API does for
 * a device (the heaps refuse attachments by the same answers), and the
 * tracepoints of cmheap_trace.h (EXPORT_TRACEPOINT_SYMBOL_GPL).
 */
#ifndef _CMHEAP_EXPORTS_H
#define _CMHEAP_EXPORTS_H

#include <linux/atomic.h>
#include <linux/dma-buf.h>
#include <linux/dma-direction.h>
#include <linux/dma-map-ops.h>
#include <linux/scatterlist.h>
#include <linux/types.h>
#include <linux/uaccess.h>

/* the importer's uAPI: CMHEAP_IOC_PLACEMENT's answer is filled here */
#include <linux/cmheap_test.h>

struct dentry;
struct device;

/* ---- counters (cmheap_stats.c), in debugfs: one folder per heap, and the importer's ---- */

enum cmheap_stat {
	CMHEAP_STAT_BUFFERS_LIVE,
	CMHEAP_STAT_BYTES_LIVE,
	CMHEAP_STAT_ALLOCS,
	CMHEAP_STAT_FREES,
	CMHEAP_STAT_ALLOC_FAILURES,
	CMHEAP_STAT_MAPS,
	CMHEAP_STAT_UNMAPS,
	CMHEAP_STAT_CPU_SYNCS,
	CMHEAP_STAT_CACHE_MAINT_OPS,
	CMHEAP_STAT_ALLOC_CLEANS,
	CMHEAP_STAT_POOL_HITS,		/* blocks the pool had zeroed */
	CMHEAP_STAT_POOL_ZEROED,	/* blocks from the pool zeroed at alloc */
	CMHEAP_STAT_POOL_MISSES,	/* blocks from the page allocator */
	CMHEAP_STAT_POOL_RETURNS,	/* blocks a freed buffer gave the pool */
	CMHEAP_STAT_COUNT,
};

struct cmheap_stats {
	atomic64_t v[CMHEAP_STAT_COUNT];
	struct dentry *dir;
	/*
	 * Optional: fills @v for a read of the stats file, when some counts
	 * live elsewhere until they are folded into @v (a heap's attachments
	 * count their own maps and unmaps: the exporter's hot path).
	 * Without it the file shows @v as it is.
	 */
	void (*read)(struct cmheap_stats *s, s64 *v);
};

static inline void cmheap_stat_add(struct cmheap_stats *s, enum cmheap_stat i,
				   s64 n)
{
	atomic64_add(n, &s->v[i]);
}

/* Counters in /sys/kernel/debug/cmheap/@name/stats, while registered. */
void cmheap_stats_register(struct cmheap_stats *s, const char *name);
void cmheap_stats_unregister(struct cmheap_stats *s);

/*
 * How many scatterlist segments a DMA API call will clean or invalidate in
 * the CPU caches: none for a coherent device or with DMA_ATTR_SKIP_CPU_SYNC,
 * and none when giving a DMA_TO_DEVICE buffer back to the CPU (the device
 * only read it, so there is nothing to invalidate).
 */
static inline unsigned int cmheap_maint_segments(struct device *dev,
						 enum dma_data_direction dir,
						 unsigned long attrs,
						 bool for_cpu,
						 unsigned int nents)
{
	if (dev_is_dma_coherent(dev) || (attrs & DMA_ATTR_SKIP_CPU_SYNC))
		return 0;
	if (for_cpu && dir == DMA_TO_DEVICE)
		return 0;
	return nents;
}

/*
 * Counts the segments a DMA API call cleaned or invalidated, if any.
 * Inline, and nothing at all for a coherent device (always so on x86):
 * the exporter's map, unmap and sync pay no call and no atomic for a
 * statistic that stays the same.
 */
static inline void cmheap_stat_maint(struct cmheap_stats *s,
				     struct device *dev,
				     enum dma_data_direction dir,
				     unsigned long attrs, bool for_cpu,
				     unsigned int nents)
{
	unsigned int n = cmheap_maint_segments(dev, dir, attrs, for_cpu,
					       nents);

	if (n)
		cmheap_stat_add(s, CMHEAP_STAT_CACHE_MAINT_OPS, n);
}

/* ---- what the DMA API does for a device (cmheap_dma_dev.c) ---- */

/*
 * Whether the DMA API may bounce a device's streaming mappings through
 * swiotlb (forced bouncing as in confidential-computing guests, a DMA mask
 * that does not reach all memory, an untrusted device behind an IOMMU).
 * The DMA API limits a device's mapping size exactly when it may bounce
 * (dma-direct: a swiotlb pool and a limited mask or forced bouncing;
 * dma-iommu: an untrusted device): @max_map is dma_max_mapping_size().
 */
static inline bool cmheap_max_map_bounces(size_t max_map)
{
	return max_map != SIZE_MAX;
}

bool cmheap_dev_may_bounce(struct device *dev);
/* Whether @dev snoops caches the uncached model's pages are cached in. */
bool cmheap_dev_snoops_alias(struct device *dev);
/* Whether an IOMMU translates @dev's DMA addresses. */
bool cmheap_dev_translated(struct device *dev);
/* Whether @dev sees memory at an offset (dma-ranges) and no IOMMU hides it. */
bool cmheap_dev_bus_offset(struct device *dev);

/* ---- cmheap's buffers, as an importer may ask about them (cmheap_buffer.c) ---- */

bool cmheap_is_ours(const struct dma_buf *dmabuf);
bool cmheap_is_uncached(const struct dma_buf *dmabuf);
/* Ours, and without struct pages: no page for an importer to use. */
bool cmheap_is_pageless(const struct dma_buf *dmabuf);
/* The buffer's own table, for the importer's raw DMA API baseline. */
const struct sg_table *cmheap_buffer_table(const struct dma_buf *dmabuf);
/*
 * Extra DMA attributes the cmheap importer asks our exporter to map an
 * attachment with; -EOPNOTSUPP for another exporter's attachment.
 */
int cmheap_attachment_set_attrs(struct dma_buf_attachment *attach,
				unsigned long attrs);
/*
 * CMHEAP_IOC_PLACEMENT's checks of where @attach's buffer and its current
 * mapping lie: -EINVAL when it is not mapped, -EOPNOTSUPP for another
 * exporter's attachment.
 */
int cmheap_buffer_placement(struct dma_buf_attachment *attach,
			    struct cmheap_placement *out);

/*
 * A copy of @src's pages for @dev (cmheap_sg.c): no entry longer than the
 * device takes in one segment (dma_get_max_seg_size()) or the DMA API maps
 * in one piece for it (dma_max_mapping_size()), nor crossing its segment
 * boundary (dma_get_seg_boundary()).  0 or -ENOMEM.
 */
int cmheap_sg_copy_for(struct sg_table *dst, const struct sg_table *src,
		       struct device *dev);

/*
 * CMHEAP_HEAP_IOC_VERSION and CMHEAP_IOC_VERSION: the uAPI version this
 * module was built with and @flags (CMHEAP_VERSION_*), for @uarg.  0 or
 * -EFAULT.
 */
static inline long cmheap_version_to_user(void __user *uarg, __u32 flags)
{
	const struct cmheap_version version = {
		.major = CMHEAP_UAPI_VERSION_MAJOR,
		.minor = CMHEAP_UAPI_VERSION_MINOR,
		.flags = flags,
	};

	return copy_to_user(uarg, &version, sizeof(version)) ? -EFAULT : 0;
}

#endif /* _CMHEAP_EXPORTS_H */
