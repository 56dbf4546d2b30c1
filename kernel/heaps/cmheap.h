/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cmheap.ko's internals: heaps, buffers, memory types and pools.  What the
 * test module may use of them is in cmheap_exports.h.
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

#include <linux/cmheap_heap.h>

#include "cmheap_exports.h"

struct dentry;
struct device;
struct cmheap;

/* The debugfs folder of every heap and of the importer (cmheap_stats.c). */
int cmheap_debugfs_init(void);
void cmheap_debugfs_exit(void);
/* /sys/kernel/debug/cmheap, or NULL without debugfs */
struct dentry *cmheap_debugfs_dir(void);

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
	bool native;				/* the framework holds it */
	struct cmheap_stats stats;
	/*
	 * The live attachments of its buffers, whose counts the stats file
	 * adds to the heap's: cmheap_heap_stats_read().
	 */
	struct mutex live_lock;
	struct list_head live_attachments;
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
 * The dma-heap framework's route (cmheap_heap_native.c), where the kernel
 * exports dma_heap_add(): @heap under @name for good, 0 or -errno.
 */
#ifdef CMHEAP_HAVE_DMA_HEAP_ADD	/* probed in Kbuild */
int cmheap_native_register(struct cmheap *heap, const char *name);
#else
static inline int cmheap_native_register(struct cmheap *heap, const char *name)
{
	return -EOPNOTSUPP;
}
#endif

/*
 * True once module init has succeeded.  Device nodes appear one by one
 * during init and a later step can still fail; their open refuses until
 * then, so that no buffer or handle can outlive a failed init.
 */
bool cmheap_is_up(void);

/* Whether dma-direct bounces all of @dev's DMA (cmheap_dma_dev.c). */
bool cmheap_dev_forces_bounce(struct device *dev);

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
/*
 * begin_cpu_access (@end false) or end_cpu_access (@end true) for @len
 * bytes at @offset of a cmheap buffer, already checked to lie inside it.
 */
int cmheap_buffer_sync_range(struct dma_buf *dmabuf, u64 offset, u64 len,
			     bool end, bool write);
/* The stats file's read of a heap: its counters and its live buffers'. */
void cmheap_heap_stats_read(struct cmheap_stats *stats, s64 *v);

/*
 * cmheap_sg_copy_for()'s cuts of the @len bytes at @phys, memory without
 * struct page: entries with lengths and no pages, for dma_map_resource()
 * piece by piece.  Each entry's length fits its 32 bits whatever @len.
 */
int cmheap_sg_range_for(struct sg_table *dst, phys_addr_t phys, size_t len,
			struct device *dev);

#endif /* _CMHEAP_H */
