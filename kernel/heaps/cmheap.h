/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cmheap internals: heaps, buffers, test devices and counters.
 */
#ifndef _CMHEAP_H
#define _CMHEAP_H

#include <linux/atomic.h>
#include <linux/dma-buf.h>
#include <linux/dma-direction.h>
#include <linux/dma-map-ops.h>
#include <linux/list.h>
#include <linux/miscdevice.h>
#include <linux/mutex.h>
#include <linux/scatterlist.h>
#include <linux/types.h>

#include <linux/cmheap.h>

struct dentry;
struct device;
struct cmheap;

/* ---- counters (cmheap_stats.c), shown in debugfs ---- */

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
};

static inline void cmheap_stat_add(struct cmheap_stats *s, enum cmheap_stat i,
				   s64 n)
{
	atomic64_add(n, &s->v[i]);
}

int cmheap_debugfs_init(void);
void cmheap_debugfs_exit(void);
/* /sys/kernel/debug/cmheap, or NULL without debugfs */
struct dentry *cmheap_debugfs_dir(void);
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

/* ---- the importer's devices (cmheap_devices.c) ---- */

/* One piece of a transfer: @len bytes of memory at DMA address @addr. */
struct cmheap_dma_xfer {
	dma_addr_t addr;
	u32 len;
};

/*
 * A device's DMA engine.  transfer() moves the pieces' bytes, in order,
 * between memory and @data (at most CMHEAP_DMA_MAX_BYTES): the device
 * reads memory into @data, or with @to_memory writes @data into memory.
 * It returns when the device has finished, or with an errno.
 */
struct cmheap_engine_ops {
	int (*transfer)(void *priv, const struct cmheap_dma_xfer *xfers,
			unsigned int count, bool to_memory, void *data);
};

struct cmheap_device;

/*
 * Adds @dev (referenced until its last user is done) at the first free
 * index from @first: the index, or -ENOSPC.
 */
int cmheap_device_add(struct device *dev, const char *kind,
		      const struct cmheap_engine_ops *engine,
		      void *engine_priv, u32 first);
/*
 * Empties @index, waits for a transfer in flight on its engine, then
 * revokes every handle on the device (cmheap_importer_revoke()): when it
 * returns, nothing of cmheap's is mapped for the device.
 */
void cmheap_device_remove(u32 index);
/* Whether the device's driver has let it go: its handles are revoked. */
bool cmheap_device_gone(const struct cmheap_device *device);
/* A reference to the device at @index, or NULL. */
struct cmheap_device *cmheap_device_get(u32 index);
void cmheap_device_put(struct cmheap_device *device);
struct device *cmheap_device_dev(const struct cmheap_device *device);
int cmheap_device_info(u32 index, struct cmheap_device_info *info);
/* -EOPNOTSUPP without an engine, -ENODEV once removed, -EINTR on a kill. */
int cmheap_device_transfer(struct cmheap_device *device,
			   const struct cmheap_dma_xfer *xfers,
			   unsigned int count, bool to_memory, void *data);
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

/* cmheap's own test devices (cmheap_testdev.c), at their enum indices. */
int cmheap_testdev_init(void);
void cmheap_testdev_exit(void);
/* NULL when the architecture has no such device (non-coherent on x86). */
struct device *cmheap_testdev_get(enum cmheap_device_id id);

/* Real bus devices: QEMU's edu (cmheap_edu.c), driver_override (cmheap_bind.c). */
int cmheap_edu_init(void);
void cmheap_edu_exit(void);
int cmheap_bind_init(void);
void cmheap_bind_exit(void);

/* ---- heaps (cmheap_heap_dev.c) ---- */

enum cmheap_caching {
	CMHEAP_CACHED,
	CMHEAP_UNCACHED,	/* write-combined CPU mappings, no CPU syncs */
};

/*
 * A heap's memory provider.  One with struct pages fills @table with
 * zeroed pages for @len bytes (page aligned), and gives them back.  One
 * without (a carveout the kernel never mapped: no struct page, no linear
 * alias) hands out a zeroed, physically contiguous range with a kernel
 * mapping of it instead; its buffers can only be uncached, are mapped for
 * devices with dma_map_resource(), and have no pages for importers.
 */
struct cmheap_heap_ops {
	int (*allocate)(struct cmheap *heap, struct sg_table *table,
			size_t len);
	void (*release)(struct cmheap *heap, struct sg_table *table);
	int (*allocate_range)(struct cmheap *heap, size_t len,
			      phys_addr_t *phys, void **vaddr);
	void (*release_range)(struct cmheap *heap, phys_addr_t phys,
			      void *vaddr, size_t len);
	/* Heaps of reserved regions: whether @len bytes at @phys are ours. */
	bool (*contains)(struct cmheap *heap, phys_addr_t phys, size_t len);
	/*
	 * An uncached heap's allocate() hands out pages already fit for
	 * write-combined mappings, and release() takes them so (the pools
	 * keep them that way); otherwise the buffer layer changes them.
	 */
	bool own_memtype;
};

struct cmheap {
	char name[CMHEAP_NAME_LEN];		/* as in /dev/dma_heap/ */
	char nodename[CMHEAP_NAME_LEN + 16];	/* "dma_heap/<name>" */
	enum cmheap_caching caching;
	const struct cmheap_heap_ops *ops;
	void *priv;
	struct miscdevice misc;
	bool registered;			/* misc device registered */
	/*
	 * The name existing userspace opens this heap by, when the module
	 * is asked to create it (userspace_names): a second node.
	 */
	const char *alias;
	char alias_nodename[CMHEAP_NAME_LEN + 16];
	struct miscdevice alias_misc;
	bool alias_registered;
	struct cmheap_stats stats;
	atomic64_t reserved_bytes;		/* against heap_limit_mb */
	struct list_head node;
};

/*
 * Heaps are made in two steps: cmheap_heap_add() sets one up with nothing
 * user-visible, and cmheap_heaps_register() creates every heap's device
 * node once the whole module is ready.
 */
struct cmheap *cmheap_heap_add(const char *name, enum cmheap_caching caching,
			       const struct cmheap_heap_ops *ops, void *priv);
int cmheap_heaps_register(void);
void cmheap_heap_remove_all(void);

/*
 * True once module init has succeeded.  Device nodes appear one by one
 * during init and a later step can still fail; their open refuses until
 * then, so that no buffer or handle can outlive a failed init.
 */
bool cmheap_is_up(void);

/* The system heaps (cmheap_system.c). */
int cmheap_system_init(void);
/* The carveout heaps (cmheap_carveout.c), when carveout= names memory. */
int cmheap_carveout_init(void);
void cmheap_carveout_exit(void);

/* ---- memory types for uncached buffers (cmheap_memtype.c) ---- */

/*
 * Makes zeroed pages fit for write-combined mappings: no cache line of
 * theirs may be left to be written back over data written around the cache
 * later.  Returns 0, or an error with the pages as they were; *@leak is set
 * when they could not be restored and must not be freed.
 */
int cmheap_memtype_prepare(struct cmheap *heap, struct sg_table *table,
			   bool *leak);
/*
 * Gives the first @npages pages of @table (or every page on the @pages
 * list, linked by page->lru) back their write-back type.  Returns false
 * when that failed: the pages keep a WC alias and must never be freed.
 */
bool cmheap_memtype_restore(struct cmheap *heap, const struct sg_table *table,
			    unsigned long npages);
bool cmheap_memtype_restore_list(struct cmheap *heap, struct list_head *pages,
				 unsigned long npages);
/* Cleans one (compound) page the CPU has just written, where needed. */
int cmheap_memtype_clean_page(struct cmheap *heap, struct page *page);

/*
 * The device the heaps clean CPU caches through (cmheap_maint_dev.c): a
 * non-coherent one, or NULL where all DMA is coherent.
 */
int cmheap_maint_dev_init(void);
void cmheap_maint_dev_exit(void);
struct device *cmheap_maint_dev(void);

/* ---- page pools of the system heaps (cmheap_pool.c) ---- */

struct cmheap_pool;

/* The pools' shrinker and debugfs: before any pool, after every pool. */
int cmheap_pools_init(void);
void cmheap_pools_exit(void);
/* A pool for @heap's pages up to order @max_order (kept WC if uncached). */
struct cmheap_pool *cmheap_pool_create(struct cmheap *heap,
				       unsigned int max_order);
/*
 * Whether the pools may serve the calling task's allocation: they are on,
 * and it is charged to no memory cgroup (pooled pages are uncharged: one
 * handed to a charged caller would escape its memory.max).  Asked once per
 * allocation, as is cmheap_caller_charged().
 */
bool cmheap_pools_serve(bool charged);
/* Whether the caller's accounted allocations are charged to a cgroup. */
bool cmheap_caller_charged(void);
/*
 * A page of @order for a caller the pools serve, zeroed and (uncached)
 * write-combined, or NULL.  *@clean_it says the caller must still clean it
 * out of the CPU caches (it was zeroed just now).
 */
struct page *cmheap_pool_take(struct cmheap_pool *pool, unsigned int order,
			      bool *clean_it);
/* Keeps @page for reuse; false when the pool is off or full. */
bool cmheap_pool_give(struct cmheap_pool *pool, struct page *page);
/*
 * Frees every pooled page, waiting for a shrinker busy with them (pools=0,
 * or an allocation the page allocator cannot meet); debugfs counts them.
 */
void cmheap_pools_drain(void);
/*
 * For an allocation still short of @pages that the page allocator failed:
 * drains when that can help the caller (not @charged, or the machine short
 * of what the pools hold); whether it did.
 */
bool cmheap_pools_drain_for(unsigned long pages, bool charged);

/* ---- buffers, the dma-buf exporter (cmheap_buffer.c) ---- */

struct dma_buf *cmheap_buffer_alloc(struct cmheap *heap, size_t len,
				    u32 fd_flags);
bool cmheap_is_ours(const struct dma_buf *dmabuf);
/*
 * begin_cpu_access (@end false) or end_cpu_access (@end true) for @len
 * bytes at @offset of a cmheap buffer, already checked to lie inside it.
 */
int cmheap_buffer_sync_range(struct dma_buf *dmabuf, u64 offset, u64 len,
			     bool end, bool write);
bool cmheap_is_uncached(const struct dma_buf *dmabuf);
/* Ours, and without struct pages: no page for an importer to use. */
bool cmheap_is_pageless(const struct dma_buf *dmabuf);
/* The buffer's own table, for the importer's raw DMA API baseline. */
const struct sg_table *cmheap_buffer_table(const struct dma_buf *dmabuf);

/*
 * A copy of @src's pages for @dev (cmheap_sg.c): no entry longer than the
 * device takes in one segment (dma_get_max_seg_size()) or the DMA API maps
 * in one piece for it (dma_max_mapping_size()), nor crossing its segment
 * boundary (dma_get_seg_boundary()).  0 or -ENOMEM.
 */
int cmheap_sg_copy_for(struct sg_table *dst, const struct sg_table *src,
		       struct device *dev);
/*
 * The same cuts of the @len bytes at @phys, memory without struct page:
 * entries with lengths and no pages, for dma_map_resource() piece by
 * piece.  Each entry's length fits its 32 bits whatever @len.
 */
int cmheap_sg_range_for(struct sg_table *dst, phys_addr_t phys, size_t len,
			struct device *dev);
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

/* ---- importer (cmheap_importer.c: /dev/cmheap; cmheap_bench.c) ---- */

/* One attachment of a dma-buf to a test device, as /dev/cmheap names it. */
struct cmheap_handle {
	struct dma_buf *dmabuf;
	struct dma_buf_attachment *attach;
	/* referenced while attached; NULL once revoked (everything is) */
	struct cmheap_device *device;
	struct device *dev;		/* the device's struct device */
	bool writable;			/* the dma-buf's file may be written */
	/*
	 * CMHEAP_MAP_RAW: a private copy of the pages' scatterlist.  For
	 * another exporter's buffer the pages come from a mapping of an
	 * attachment of our own, kept for as long as the copy lives: an
	 * importer may only use pages the exporter holds mapped for it.
	 */
	struct sg_table raw;
	bool have_raw;
	struct dma_buf_attachment *raw_src;
	struct sg_table *raw_src_sgt;
	enum dma_data_direction raw_dir;	/* raw_src_sgt's */
	/* the current mapping, or NULL */
	struct sg_table *sgt;
	bool mapped_raw;
	unsigned int last_nents;	/* DMA segments of the last mapping */
	enum dma_data_direction dir;
	unsigned long attrs;
};

/* CMHEAP_ATTR_* as the DMA API's DMA_ATTR_* */
unsigned long cmheap_dma_attrs(u32 attrs);
/*
 * Whether the importer may sync @handle's mapping itself: not page-less
 * memory (-EOPNOTSUPP).  The DMA API has no sync for a dma_map_resource()
 * mapping, and dma_sync_sg_*() would maintain the CPU caches at the
 * linear-map address of a range that has none.
 */
int cmheap_handle_may_sync(const struct cmheap_handle *handle);
/* Checks done before anything is timed: 0 or the map's errno. */
int cmheap_handle_prepare_map(struct cmheap_handle *handle, bool raw,
			      enum dma_data_direction dir,
			      unsigned long attrs);
int cmheap_handle_map(struct cmheap_handle *handle, bool raw,
		      enum dma_data_direction dir, unsigned long attrs);
void cmheap_handle_unmap(struct cmheap_handle *handle);
void cmheap_handle_sync(struct cmheap_handle *handle, bool for_cpu);

/* CMHEAP_IOC_BENCH on @handle, whose ioctl lock the caller holds. */
long cmheap_bench_ioctl(struct cmheap_handle *handle,
			struct cmheap_bench *arg);

/*
 * Unmaps and detaches every handle on @device, in every open /dev/cmheap
 * file, waiting for each file's ioctl in flight; their later calls get
 * ENODEV.  For the device's removal, once nobody new can attach to it.
 */
void cmheap_importer_revoke(struct cmheap_device *device);

int cmheap_importer_init(void);
void cmheap_importer_exit(void);

#endif /* _CMHEAP_H */
