// SPDX-License-Identifier: GPL-2.0
/*
 * cmheap buffers: the dma-buf exporter shared by every heap.
 *
 * The caching model follows the proposal in which ION became a proper
 * dma-buf exporter: each attachment gets its own copy of the scatterlist and
 * is mapped for its device with dma_map_sgtable() in map_dma_buf; CPU access
 * is bracketed by begin/end_cpu_access, which sync the mapped attachments;
 * and mmap maps the whole range at once, so nothing ever faults.
 *
 * Cached buffers: the CPU maps them write-back; map/unmap sync as the DMA
 * API says, and begin/end_cpu_access sync every mapped attachment whose
 * device the DMA API syncs at all (cmheap_dev_syncs_mapping()) and, where
 * caches alias, the kernel vmap.
 *
 * Uncached buffers: cleaned out of the CPU caches once at allocation, every
 * CPU mapping (user mmap, kernel vmap) write-combined, device maps use
 * DMA_ATTR_SKIP_CPU_SYNC, and begin/end_cpu_access do no cache maintenance,
 * only the write barrier that drains write-combining buffers.
 */
#include <linux/cc_platform.h>
#include <linux/dma-direct.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/highmem.h>
#include <linux/iosys-map.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include "cmheap.h"
#include "cmheap_compat.h"
#include "cmheap_trace.h"

/*
 * Byte limit per heap on the memory of its live buffers, reserved before a
 * buffer is allocated, so that one user cannot take all of a machine's
 * memory through a heap anybody may open.  0: no limit beyond the memory
 * cgroup's and the machine's.
 */
static unsigned int heap_limit_mb;
module_param(heap_limit_mb, uint, 0644);
MODULE_PARM_DESC(heap_limit_mb,
		 "Most memory each heap's live buffers may hold, in MiB (default 0: no limit)");

struct cmheap_buffer {
	struct cmheap *heap;
	size_t len;
	struct sg_table table;		/* the pages, never DMA-mapped itself */
	/* page-less memory (heap->ops->allocate_range): one range instead */
	bool pageless;
	bool uncached;			/* the heap's model, for the hot paths */
	phys_addr_t phys;
	void *kvaddr;			/* the heap's kernel mapping of it */
	/*
	 * The attachment list (changed under it and, since 6.2, under the
	 * reservation lock too: cmheap_walk_lock()), the vmap.
	 */
	struct mutex lock;
	struct list_head attachments;
	/* attachments the syncs walk to: cmheap_dev_syncs_mapping() */
	unsigned int guarded;
	unsigned int vmap_cnt;
	void *vaddr;
};

/*
 * How an attachment is mapped, decided once at attach (a device's DMA
 * configuration is fixed), so that map and unmap test one field.
 */
enum cmheap_map_route {
	CMHEAP_MAP_TABLE,	/* pages: dma_map_sgtable() */
	CMHEAP_MAP_RANGE,	/* page-less, one piece: dma_map_resource() */
	CMHEAP_MAP_PIECES,	/* page-less, several pieces or a bus offset */
	/*
	 * uncached pages for a device that snoops or bounces; page-less
	 * memory for a device whose DMA the kernel forces to bounce
	 */
	CMHEAP_MAP_REFUSED,
};

struct cmheap_attachment {
	/*
	 * This device's copy, DMA-mapped.  First: map hands it out at the
	 * attachment's own address, one register kept across the DMA API's
	 * call instead of two.
	 */
	struct sg_table table;
	struct device *dev;
	enum cmheap_map_route route;
	unsigned long map_attrs;	/* cmheap_map_attrs() */
	struct cmheap_buffer *buffer;
	struct cmheap_stats *stats;	/* the heap's */
	/*
	 * What the importer is handed instead, in a kernel that scrambles
	 * the page links of every table it hands out (CONFIG_DMABUF_DEBUG;
	 * 6.1 and 6.12 do it in place): a copy, so that the table the syncs
	 * walk stays intact.  Elsewhere unused.
	 */
	struct sg_table handed;
	struct list_head node;
	struct list_head live_node;	/* in heap->live_attachments */
	/*
	 * Counted by map and unmap, which the importer calls in turn for an
	 * attachment (it has one mapping at a time): mapped while they
	 * differ.  Plain counts, not the heap's atomics (no atomic on a line
	 * every CPU shares): cmheap_heap_stats_read() adds them up.
	 */
	unsigned long maps;
	unsigned long unmaps;
	/* as mapped: the DMA API syncs a mapping in its own direction */
	enum dma_data_direction dir;
	bool may_bounce;		/* the device's DMA may go via swiotlb */
	/* the syncs walk to it: cmheap_dev_syncs_mapping() */
	bool guarded;
	/* page-less, for a device behind a bus offset: cmheap_bus_address() */
	bool bus_offset;
};

static const struct dma_buf_ops cmheap_cached_ops;
static const struct dma_buf_ops cmheap_uncached_ops;

static bool cmheap_buffer_uncached(const struct cmheap_buffer *buffer)
{
	return buffer->uncached;
}

/*
 * The attributes of an attachment's maps, unmaps and syncs: the importer's
 * @attrs, and for an uncached buffer, which is never in the CPU caches,
 * DMA_ATTR_SKIP_CPU_SYNC: nothing for the DMA API to clean or invalidate.
 */
static unsigned long cmheap_map_attrs(const struct cmheap_buffer *buffer,
				      unsigned long attrs)
{
	return cmheap_buffer_uncached(buffer) ? attrs | DMA_ATTR_SKIP_CPU_SYNC :
						attrs;
}

/*
 * dma_map_resource() is for a peer's registers: dma-direct hands the
 * device the physical address as it is.  Page-less memory is RAM, which a
 * device behind a bus offset (device-tree dma-ranges, no IOMMU) sees
 * elsewhere: at phys_to_dma(), as dma-direct maps pages.  For such a device
 * the address is translated so, and checked against the device's reach,
 * instead; there is nothing to undo at unmap (nor for DMA-API debugging to
 * track).
 */
static dma_addr_t cmheap_bus_address(struct device *dev, phys_addr_t phys,
				     size_t len)
{
	dma_addr_t addr = phys_to_dma(dev, phys);

	/*
	 * A guest whose memory is encrypted (SEV, TDX, an arm64 realm) gives
	 * devices only memory it shares with the host, which a carveout is
	 * not: dma-direct would bounce (force_dma_unencrypted(), which
	 * modules cannot call), and there is no bounce for page-less memory.
	 */
	if (cc_platform_has(CC_ATTR_GUEST_MEM_ENCRYPT) ||
	    (IS_ENABLED(CONFIG_ARM64) && cc_platform_has(CC_ATTR_MEM_ENCRYPT)))
		return DMA_MAPPING_ERROR;
	/* one range of the map from the first byte to the last */
	if (phys_to_dma(dev, phys + len - 1) != addr + len - 1 ||
	    !cmheap_dma_capable(dev, addr, len, true))
		return DMA_MAPPING_ERROR;
	return addr;
}

/* Unmaps the first @n pieces of a page-less buffer's mapping. */
static noinline void cmheap_pageless_unmap_pieces(struct cmheap_attachment *a,
						  unsigned int n,
						  enum dma_data_direction dir,
						  unsigned long attrs)
{
	struct scatterlist *sg;
	unsigned int i;

	if (a->bus_offset)
		return;
	for_each_sg(a->table.sgl, sg, n, i)
		dma_unmap_resource(a->dev, sg_dma_address(sg), sg_dma_len(sg),
				   dir, attrs);
}

/*
 * Maps a page-less buffer cut in pieces by cmheap_sg_range_for(): one
 * dma_map_resource() per piece, since one range is one segment.
 */
static noinline int cmheap_pageless_map_pieces(struct cmheap_buffer *buffer,
					       struct cmheap_attachment *a,
					       enum dma_data_direction dir,
					       unsigned long attrs)
{
	struct sg_table *table = &a->table;
	phys_addr_t phys = buffer->phys;
	struct scatterlist *sg;
	dma_addr_t addr;
	unsigned int i;

	for_each_sgtable_sg(table, sg, i) {
		if (a->bus_offset)
			addr = cmheap_bus_address(a->dev, phys, sg->length);
		else
			addr = dma_map_resource(a->dev, phys, sg->length, dir,
						attrs);
		if (dma_mapping_error(a->dev, addr)) {
			cmheap_pageless_unmap_pieces(a, i, dir, attrs);
			return -EIO;
		}
		sg_dma_address(sg) = addr;
		sg_dma_len(sg) = sg->length;
		phys += sg->length;
	}
	table->nents = table->orig_nents;
	return 0;
}

/*
 * Maps a page-less buffer for its attachment's device: dma_map_resource()
 * takes a physical range without struct page (no CPU cache maintenance,
 * which needs a kernel address the range may not have, and no bouncing).
 * Nearly always one piece (a device whose segments take the whole buffer)
 * and no bus offset: the exporter's hot path, inline and as short as
 * before the cut.
 */
static __always_inline int cmheap_pageless_map(struct cmheap_buffer *buffer,
					       struct cmheap_attachment *a,
					       enum dma_data_direction dir,
					       unsigned long attrs)
{
	struct sg_table *table = &a->table;
	struct device *dev = a->dev;
	dma_addr_t addr;

	if (a->route == CMHEAP_MAP_PIECES)
		return cmheap_pageless_map_pieces(buffer, a, dir, attrs);
	addr = dma_map_resource(dev, buffer->phys, buffer->len, dir, attrs);
	if (dma_mapping_error(dev, addr))
		return -EIO;
	sg_dma_address(table->sgl) = addr;
	sg_dma_len(table->sgl) = buffer->len;
	table->nents = 1;
	return 0;
}

static __always_inline void cmheap_pageless_unmap(struct cmheap_buffer *buffer,
						  struct cmheap_attachment *a,
						  struct sg_table *table,
						  enum dma_data_direction dir,
						  unsigned long attrs)
{
	if (a->route == CMHEAP_MAP_PIECES)
		cmheap_pageless_unmap_pieces(a, table->nents, dir, attrs);
	else
		dma_unmap_resource(a->dev, sg_dma_address(table->sgl),
				   buffer->len, dir, attrs);
}

/*
 * Whether the DMA API's syncs for @dev use a mapping at all: cache
 * maintenance for a device that does not snoop the CPU's caches, copies
 * for one whose DMA may bounce, and DMA-API debugging's check of every
 * sync against the mappings it tracks.  For any other device (coherent,
 * never bounced, which is every device of most x86 machines) a sync has
 * nothing to do, and the syncs of a cached buffer skip its attachments:
 * dma-direct and dma-iommu look at such a mapping only to find it needs
 * nothing.  A device's DMA configuration is fixed: asked once, at attach.
 */
static bool cmheap_dev_syncs_mapping(struct device *dev, bool may_bounce)
{
	return !dev_is_dma_coherent(dev) || may_bounce ||
	       IS_ENABLED(CONFIG_DMA_API_DEBUG);
}

/*
 * What a walk of the attachments (the syncs of a cached buffer) holds: a
 * lock under which the list does not change and no attachment it visits is
 * mapped or unmapped.  Since 6.2 the core maps and unmaps under the
 * reservation lock, which begin and end_cpu_access may take (dma-buf's
 * locking convention), and the list changes under it too (attach, detach);
 * the vmap, which the core makes with it held, does not change either.
 * In 6.1, buffer->lock, under which guarded attachments are mapped and
 * unmapped (cmheap_map_guarded()).  A signal ends the wait for the
 * reservation lock (-EINTR).
 */
static int cmheap_walk_lock(struct dma_buf *dmabuf)
{
	struct cmheap_buffer *buffer = dmabuf->priv;

	if (CMHEAP_MAPS_UNDER_RESV)
		return dma_resv_lock_interruptible(dmabuf->resv, NULL);
	mutex_lock(&buffer->lock);
	return 0;
}

static void cmheap_walk_unlock(struct dma_buf *dmabuf)
{
	struct cmheap_buffer *buffer = dmabuf->priv;

	if (CMHEAP_MAPS_UNDER_RESV)
		dma_resv_unlock(dmabuf->resv);
	else
		mutex_unlock(&buffer->lock);
}

/* Changes of the attachment list, excluding the walks and every reader. */
static void cmheap_list_lock(struct dma_buf *dmabuf)
{
	struct cmheap_buffer *buffer = dmabuf->priv;

	if (CMHEAP_MAPS_UNDER_RESV)
		dma_resv_lock(dmabuf->resv, NULL);
	mutex_lock(&buffer->lock);
}

static void cmheap_list_unlock(struct dma_buf *dmabuf)
{
	struct cmheap_buffer *buffer = dmabuf->priv;

	mutex_unlock(&buffer->lock);
	if (CMHEAP_MAPS_UNDER_RESV)
		dma_resv_unlock(dmabuf->resv);
}

static int cmheap_attach(struct dma_buf *dmabuf,
			 struct dma_buf_attachment *attach)
{
	struct cmheap_buffer *buffer = dmabuf->priv;
	struct cmheap_attachment *a;
	int ret;

	/* Charged to the importer's memory cgroup, as the buffer is. */
	a = kzalloc(sizeof(*a), GFP_KERNEL_ACCOUNT);
	if (!a)
		return -ENOMEM;
	/* A device's DMA configuration is fixed: ask once, not per map. */
	a->may_bounce = cmheap_dev_may_bounce(attach->dev);
	a->bus_offset = buffer->pageless &&
			cmheap_dev_bus_offset(attach->dev);
	/* The device's own copy: its segment limits (cmheap_sg.c). */
	if (buffer->pageless)
		ret = cmheap_sg_range_for(&a->table, buffer->phys, buffer->len,
					  attach->dev);
	else
		ret = cmheap_sg_copy_for(&a->table, &buffer->table,
					 attach->dev);
	if (!ret && IS_ENABLED(CONFIG_DMABUF_DEBUG)) {
		ret = sg_alloc_table(&a->handed, a->table.orig_nents,
				     GFP_KERNEL_ACCOUNT);
		if (ret)
			sg_free_table(&a->table);
	}
	if (ret) {
		kfree(a);
		return ret;
	}
	/* no bounce for memory without struct pages, nor a way around it */
	if (buffer->pageless && cmheap_dev_forces_bounce(attach->dev))
		a->route = CMHEAP_MAP_REFUSED;
	else if (buffer->pageless && (a->table.orig_nents > 1 || a->bus_offset))
		a->route = CMHEAP_MAP_PIECES;
	else if (buffer->pageless)
		a->route = CMHEAP_MAP_RANGE;
	/* Bounced data is copied only by syncs, which uncached buffers lack. */
	else if (cmheap_buffer_uncached(buffer) &&
		 (a->may_bounce || cmheap_dev_snoops_alias(attach->dev)))
		a->route = CMHEAP_MAP_REFUSED;
	else
		a->route = CMHEAP_MAP_TABLE;
	a->map_attrs = cmheap_map_attrs(buffer, 0);
	a->buffer = buffer;
	a->stats = &buffer->heap->stats;
	a->dev = attach->dev;
	/* Uncached buffers' syncs never walk: nothing to guard. */
	a->guarded = !cmheap_buffer_uncached(buffer) &&
		     cmheap_dev_syncs_mapping(attach->dev, a->may_bounce);
	attach->priv = a;

	cmheap_list_lock(dmabuf);
	list_add(&a->node, &buffer->attachments);
	buffer->guarded += a->guarded;
	cmheap_list_unlock(dmabuf);
	mutex_lock(&buffer->heap->live_lock);
	list_add(&a->live_node, &buffer->heap->live_attachments);
	mutex_unlock(&buffer->heap->live_lock);
	return 0;
}

static void cmheap_detach(struct dma_buf *dmabuf,
			  struct dma_buf_attachment *attach)
{
	struct cmheap_buffer *buffer = dmabuf->priv;
	struct cmheap_attachment *a = attach->priv;
	struct cmheap *heap = buffer->heap;

	cmheap_list_lock(dmabuf);
	list_del(&a->node);
	buffer->guarded -= a->guarded;
	cmheap_list_unlock(dmabuf);
	/* its counts go to the heap's as it leaves the sum of the live ones */
	mutex_lock(&heap->live_lock);
	list_del(&a->live_node);
	cmheap_stat_add(&heap->stats, CMHEAP_STAT_MAPS, a->maps);
	cmheap_stat_add(&heap->stats, CMHEAP_STAT_UNMAPS, a->unmaps);
	mutex_unlock(&heap->live_lock);
	sg_free_table(&a->handed);
	sg_free_table(&a->table);
	kfree(a);
}

/*
 * The table to hand the importer for a mapped attachment: its own, or in a
 * kernel that scrambles what it hands out (CONFIG_DMABUF_DEBUG), a copy of
 * it entry by entry (both tables have the same layout: same entries, ends
 * and chains).  Syncing the scrambled table itself would need its pages
 * (dma-iommu's sync for a non-coherent device reads sg_phys()), and syncing
 * it piece by piece by DMA address instead gives DMA-API debugging no
 * exact match to look up: with two mappings of one page for one device
 * (dma-direct gives both the same address), it then reports a sync of
 * memory never mapped.
 */
static struct sg_table *cmheap_handed_table(struct cmheap_attachment *a)
{
	struct scatterlist *src, *dst;
	unsigned int i;

	if (!IS_ENABLED(CONFIG_DMABUF_DEBUG))
		return &a->table;
	dst = a->handed.sgl;
	for_each_sgtable_sg(&a->table, src, i) {
		*dst = *src;
		dst = sg_next(dst);
	}
	a->handed.nents = a->table.nents;
	return &a->handed;
}

/*
 * Whether @a is mapped; if so, its direction and DMA addresses are set.
 * Exact where map and unmap cannot run (under the lock of the walks,
 * cmheap_walk_lock(), for an attachment the walks visit; in the importer's
 * own calls for its attachment).
 */
static bool cmheap_attachment_mapped(const struct cmheap_attachment *a)
{
	return a->maps != a->unmaps;
}

/*
 * What the map and unmap tracepoints say, out of line: a hot path pays one
 * patched-out jump for them, at its start (cmheap_map_pages()).
 */
static void cmheap_trace_map(struct cmheap_attachment *a)
{
	trace_cmheap_map(a->buffer->heap->name, a->dev, a->buffer->len,
			 a->table.nents, a->dir, a->map_attrs,
			 cmheap_buffer_uncached(a->buffer));
}

static void cmheap_trace_unmap(struct cmheap_attachment *a)
{
	trace_cmheap_unmap(a->buffer->heap->name, a->dev, a->buffer->len,
			   a->table.nents, a->dir, a->map_attrs,
			   cmheap_buffer_uncached(a->buffer));
}

/*
 * Maps @a's pages.  The direction is set before the call, so that nothing
 * but @a need survive it: no walk reads it until the count says mapped.
 */
static __always_inline struct sg_table *cmheap_map_table(struct cmheap_attachment *a,
							 enum dma_data_direction dir)
{
	int ret;

	a->dir = dir;
	ret = dma_map_sgtable(a->dev, &a->table, dir, a->map_attrs);
	if (unlikely(ret))
		return ERR_PTR(ret);
	cmheap_stat_maint(a->stats, a->dev, dir, a->map_attrs, false,
			  a->table.orig_nents);
	a->maps++;
	return cmheap_handed_table(a);
}

static noinline struct sg_table *cmheap_map_table_traced(struct cmheap_attachment *a,
							 enum dma_data_direction dir)
{
	struct sg_table *table = cmheap_map_table(a, dir);

	if (!IS_ERR(table))
		cmheap_trace_map(a);
	return table;
}

/*
 * The tracepoint's test comes first and hands the whole map to a copy
 * that traces, so that the usual map keeps nothing but @a across its
 * one call.
 */
static __always_inline struct sg_table *cmheap_map_pages(struct cmheap_attachment *a,
							 enum dma_data_direction dir)
{
	if (trace_cmheap_map_enabled())
		return cmheap_map_table_traced(a, dir);
	return cmheap_map_table(a, dir);
}

/*
 * Unmaps @attach's pages, the DMA API's call last (a tail call, as
 * upstream's system heap's unmap is).  The table is the one mapped, not
 * the one the importer hands back, which in a kernel that scrambles what
 * it hands out is the copy (cmheap_handed_table()); the direction is the
 * importer's, which the DMA API requires to be the mapping's.
 */
static __always_inline void cmheap_unmap_table(struct dma_buf_attachment *attach,
					       enum dma_data_direction dir)
{
	struct cmheap_attachment *a = attach->priv;

	a->unmaps++;
	cmheap_stat_maint(a->stats, attach->dev, dir, a->map_attrs, true,
			  a->table.orig_nents);
	dma_unmap_sgtable(attach->dev, &a->table, dir, a->map_attrs);
}

static noinline void cmheap_unmap_table_traced(struct dma_buf_attachment *attach,
					       enum dma_data_direction dir)
{
	cmheap_trace_unmap(attach->priv);
	cmheap_unmap_table(attach, dir);
}

static __always_inline void cmheap_unmap_pages(struct dma_buf_attachment *attach,
					       enum dma_data_direction dir)
{
	if (trace_cmheap_unmap_enabled())
		cmheap_unmap_table_traced(attach, dir);
	else
		cmheap_unmap_table(attach, dir);
}

/*
 * A kernel whose core maps without the reservation lock (6.1): a guarded
 * attachment (one the walks visit) is mapped and unmapped under the lock
 * the walks hold instead, so that no walk syncs a mapping half made or
 * being torn down.
 */
static noinline struct sg_table *cmheap_map_guarded(struct cmheap_attachment *a,
						    enum dma_data_direction dir)
{
	struct sg_table *table;

	mutex_lock(&a->buffer->lock);
	table = cmheap_map_pages(a, dir);
	mutex_unlock(&a->buffer->lock);
	return table;
}

static noinline void cmheap_unmap_guarded(struct dma_buf_attachment *attach,
					  enum dma_data_direction dir)
{
	struct cmheap_buffer *buffer = attach->dmabuf->priv;

	mutex_lock(&buffer->lock);
	cmheap_unmap_pages(attach, dir);
	mutex_unlock(&buffer->lock);
}

/*
 * The exporter's hot path, map and unmap of a cached buffer, costs no more
 * than upstream's system heap's (make bench-check measures both under
 * -icount): what they need was decided at attach, they count in the
 * attachment (no atomic on a line every CPU shares), a tracepoint's
 * arguments are worked out only when it is on, and they take no lock:
 * since 6.2 the core holds the reservation lock around them, which the
 * walks take when they must (cmheap_walk_lock()).  notrace: the
 * tracepoints trace them, and the function tracer's call site would cost
 * an instruction upstream's heap does not pay.
 */
static notrace struct sg_table *
cmheap_cached_map_dma_buf(struct dma_buf_attachment *attach,
			  enum dma_data_direction dir)
{
	struct cmheap_attachment *a = attach->priv;

	if (!CMHEAP_MAPS_UNDER_RESV && unlikely(a->guarded))
		return cmheap_map_guarded(a, dir);
	return cmheap_map_pages(a, dir);
}

static notrace void cmheap_cached_unmap_dma_buf(struct dma_buf_attachment *attach,
						struct sg_table *table,
						enum dma_data_direction dir)
{
	struct cmheap_attachment *a = attach->priv;

	if (!CMHEAP_MAPS_UNDER_RESV && unlikely(a->guarded))
		cmheap_unmap_guarded(attach, dir);
	else
		cmheap_unmap_pages(attach, dir);
}

/*
 * An uncached buffer: pages, or page-less memory by its route.  No walk
 * ever visits its attachments (the CPU never caches it, its syncs have
 * nothing to do with its mappings), so nothing is locked.
 */
static struct sg_table *cmheap_uncached_map_dma_buf(struct dma_buf_attachment *attach,
						    enum dma_data_direction dir)
{
	struct cmheap_attachment *a = attach->priv;
	int ret;

	switch (a->route) {
	case CMHEAP_MAP_TABLE:
		return cmheap_map_pages(a, dir);
	case CMHEAP_MAP_REFUSED:
		return ERR_PTR(-EOPNOTSUPP);
	default:
		/* page-less memory never takes cache maintenance */
		a->dir = dir;
		ret = cmheap_pageless_map(a->buffer, a, dir, a->map_attrs);
		if (ret)
			return ERR_PTR(ret);
		a->maps++;
		if (trace_cmheap_map_enabled())
			cmheap_trace_map(a);
		return cmheap_handed_table(a);
	}
}

static void cmheap_uncached_unmap_dma_buf(struct dma_buf_attachment *attach,
					  struct sg_table *table,
					  enum dma_data_direction dir)
{
	struct cmheap_attachment *a = attach->priv;

	if (a->route == CMHEAP_MAP_TABLE) {
		cmheap_unmap_pages(attach, dir);
		return;
	}
	if (IS_ENABLED(CONFIG_DMABUF_DEBUG))
		table = &a->table;
	a->unmaps++;
	if (trace_cmheap_unmap_enabled())
		cmheap_trace_unmap(a);
	cmheap_pageless_unmap(a->buffer, a, table, dir, a->map_attrs);
}

/*
 * Whether the syncs of a cached buffer have anything to walk: an
 * attachment whose device the DMA API syncs (cmheap_dev_syncs_mapping()),
 * or on an architecture whose caches alias, a kernel mapping.  Read
 * without the lock: what a caller did before its sync (attach, map, vmap)
 * is seen; what another thread does meanwhile is unordered with the sync
 * anyway.
 */
static bool cmheap_syncs_walk(const struct cmheap_buffer *buffer)
{
	if (READ_ONCE(buffer->guarded))
		return true;
#ifdef ARCH_IMPLEMENTS_FLUSH_KERNEL_VMAP_RANGE
	return READ_ONCE(buffer->vmap_cnt);
#else
	return false;
#endif
}

/* Whether a walk syncs @a: guarded and mapped. */
static bool cmheap_walk_visits(const struct cmheap_attachment *a)
{
	return a->guarded && cmheap_attachment_mapped(a);
}

/*
 * Syncs @len bytes at @offset of a mapped attachment, a piece per CPU entry
 * (physically contiguous) inside the range: each at its DMA address, which
 * for segments an IOMMU merged runs on from the segment's start.  The DMA
 * API documents dma_sync_single_*() for dma_map_single()/_page() mappings
 * only; using them on parts of a scatterlist mapping relies on what
 * dma-direct, dma-iommu and swiotlb do (each translates an IOMMU address
 * or finds a bounce slot by address, for any part of any mapping), not on
 * a documented promise.  DMA-API debugging accepts it (sync_range_test
 * runs under it), as long as no other mapping for the same device shares
 * the addresses: it looks a sync up by address, and of two mappings that
 * contain a piece neither is an exact match, so it reports a sync of
 * memory never mapped.  Without an IOMMU, two attachments of one buffer
 * for one device do share them.  Returns the pieces.
 */
static unsigned int cmheap_sync_attachment_range(struct cmheap_attachment *a,
						 u64 offset, u64 len,
						 bool for_cpu)
{
	struct scatterlist *cpu, *dma = a->table.sgl;
	u64 start = 0, dma_off = 0;
	unsigned int i, pieces = 0;

	for_each_sgtable_sg(&a->table, cpu, i) {
		u64 end = start + cpu->length;

		if (dma_off == sg_dma_len(dma)) {
			dma = sg_next(dma);
			dma_off = 0;
		}
		if (end > offset) {
			u64 from = max(start, offset);
			u64 to = min(end, offset + len);
			dma_addr_t addr = sg_dma_address(dma) + dma_off +
					  (from - start);

			if (for_cpu)
				dma_sync_single_for_cpu(a->dev, addr, to - from,
							a->dir);
			else
				dma_sync_single_for_device(a->dev, addr,
							   to - from, a->dir);
			pieces++;
		}
		if (end >= offset + len)
			break;
		dma_off += cpu->length;
		start = end;
	}
	return pieces;
}

/*
 * Syncs a cached buffer for the CPU or for its devices: the kernel mapping,
 * and each attachment the walk visits in the direction it was mapped with
 * (the DMA API's rule; the CPU's direction of access says nothing about
 * what the device did).
 */
static __always_inline int cmheap_sync_attachments(struct dma_buf *dmabuf,
						   bool for_cpu)
{
	struct cmheap_buffer *buffer = dmabuf->priv;
	struct cmheap_attachment *a;
	int ret;

	ret = cmheap_walk_lock(dmabuf);
	if (ret)
		return ret;
	if (buffer->vmap_cnt && for_cpu)
		invalidate_kernel_vmap_range(buffer->vaddr, buffer->len);
	else if (buffer->vmap_cnt)
		flush_kernel_vmap_range(buffer->vaddr, buffer->len);
	list_for_each_entry(a, &buffer->attachments, node) {
		if (!cmheap_walk_visits(a))
			continue;
		/* a->dir read where used: nothing kept across the calls */
		if (for_cpu) {
			trace_cmheap_sync_for_cpu(buffer->heap->name, a->dev,
						  buffer->len, a->table.nents,
						  a->dir, 0, false);
			dma_sync_sgtable_for_cpu(a->dev, &a->table, a->dir);
		} else {
			trace_cmheap_sync_for_device(buffer->heap->name, a->dev,
						     buffer->len, a->table.nents,
						     a->dir, 0, false);
			dma_sync_sgtable_for_device(a->dev, &a->table, a->dir);
		}
		cmheap_stat_maint(a->stats, a->dev, a->dir, 0, for_cpu,
				  a->table.orig_nents);
	}
	cmheap_walk_unlock(dmabuf);
	return 0;
}

/* Out of line, a copy each way: most syncs have nothing to walk. */
static noinline int cmheap_sync_attachments_for_cpu(struct dma_buf *dmabuf)
{
	return cmheap_sync_attachments(dmabuf, true);
}

static noinline int cmheap_sync_attachments_for_device(struct dma_buf *dmabuf)
{
	return cmheap_sync_attachments(dmabuf, false);
}

/*
 * The CPU is about to access a cached buffer: make what devices wrote
 * visible.  A sync that has nothing to walk costs a count: far less than
 * upstream's heap, which takes its lock and walks every attachment to
 * learn that the DMA API has nothing to do.
 */
static int cmheap_cached_begin_cpu_access(struct dma_buf *dmabuf,
					  enum dma_data_direction dir)
{
	struct cmheap_buffer *buffer = dmabuf->priv;

	cmheap_stat_add(&buffer->heap->stats, CMHEAP_STAT_CPU_SYNCS, 1);
	if (likely(!cmheap_syncs_walk(buffer)))
		return 0;
	return cmheap_sync_attachments_for_cpu(dmabuf);
}

/* The CPU is done: write back what it wrote before devices look. */
static int cmheap_cached_end_cpu_access(struct dma_buf *dmabuf,
					enum dma_data_direction dir)
{
	struct cmheap_buffer *buffer = dmabuf->priv;

	cmheap_stat_add(&buffer->heap->stats, CMHEAP_STAT_CPU_SYNCS, 1);
	if (likely(!cmheap_syncs_walk(buffer)))
		return 0;
	return cmheap_sync_attachments_for_device(dmabuf);
}

/* Uncached buffers: the CPU never caches them, there is nothing to walk. */
static int cmheap_uncached_begin_cpu_access(struct dma_buf *dmabuf,
					    enum dma_data_direction dir)
{
	struct cmheap_buffer *buffer = dmabuf->priv;

	cmheap_stat_add(&buffer->heap->stats, CMHEAP_STAT_CPU_SYNCS, 1);
	return 0;
}

static int cmheap_uncached_end_cpu_access(struct dma_buf *dmabuf,
					  enum dma_data_direction dir)
{
	struct cmheap_buffer *buffer = dmabuf->priv;

	cmheap_stat_add(&buffer->heap->stats, CMHEAP_STAT_CPU_SYNCS, 1);
	/* Drain write-combining buffers so devices see the writes. */
	wmb();
	return 0;
}

/* cmheap_sync_attachments() for @len bytes at @offset. */
static __always_inline int cmheap_sync_attachments_range(struct dma_buf *dmabuf,
							 u64 offset, u64 len,
							 bool for_cpu)
{
	struct cmheap_buffer *buffer = dmabuf->priv;
	struct cmheap_stats *stats = &buffer->heap->stats;
	struct cmheap_attachment *a;
	unsigned int pieces;
	int ret;

	ret = cmheap_walk_lock(dmabuf);
	if (ret)
		return ret;
	if (buffer->vmap_cnt && for_cpu)
		invalidate_kernel_vmap_range(buffer->vaddr + offset, len);
	else if (buffer->vmap_cnt)
		flush_kernel_vmap_range(buffer->vaddr + offset, len);
	list_for_each_entry(a, &buffer->attachments, node) {
		if (!cmheap_walk_visits(a))
			continue;
		pieces = cmheap_sync_attachment_range(a, offset, len, for_cpu);
		if (for_cpu)
			trace_cmheap_sync_for_cpu(buffer->heap->name, a->dev,
						  len, pieces, a->dir, 0,
						  false);
		else
			trace_cmheap_sync_for_device(buffer->heap->name, a->dev,
						     len, pieces, a->dir, 0,
						     false);
		cmheap_stat_maint(stats, a->dev, a->dir, 0, for_cpu, pieces);
	}
	cmheap_walk_unlock(dmabuf);
	return 0;
}

int cmheap_buffer_sync_range(struct dma_buf *dmabuf, u64 offset, u64 len,
			     bool end, bool write)
{
	struct cmheap_buffer *buffer = dmabuf->priv;
	long ret;

	/* As dma_buf_begin_cpu_access(): devices finish with it first. */
	if (!end) {
		ret = dma_resv_wait_timeout(dmabuf->resv,
					    dma_resv_usage_rw(write), true,
					    MAX_SCHEDULE_TIMEOUT);
		if (ret < 0)
			return ret;
	}
	cmheap_stat_add(&buffer->heap->stats, CMHEAP_STAT_CPU_SYNCS, 1);
	if (cmheap_buffer_uncached(buffer)) {
		if (end)
			wmb();	/* drain write-combining buffers */
		return 0;
	}
	if (!cmheap_syncs_walk(buffer))
		return 0;
	return cmheap_sync_attachments_range(dmabuf, offset, len, !end);
}

static pgprot_t cmheap_pgprot(struct cmheap_buffer *buffer, pgprot_t prot)
{
	return cmheap_buffer_uncached(buffer) ? pgprot_writecombine(prot) : prot;
}

/*
 * No vm_operations callback ever populates the mapping: it is complete when
 * mmap returns, so an access outside it is a SIGSEGV, never a fault we serve.
 * The (empty) ops also keep the VMA from being taken for anonymous memory.
 */
static const struct vm_operations_struct cmheap_vm_ops = {
};

/*
 * Memory the kernel does not own (a carveout, either route) is not RAM to
 * x86's PAT: remap_pfn_range() over a whole VMA reserves the memory type
 * of the physical range once, and that reservation cannot be split.
 * Unmapping, mprotect()ing or mremap()ing part of such a mapping would
 * free pieces of it that were never reserved ("freeing invalid memtype")
 * and leak the reservation itself.  So a carveout mapping is used whole:
 * no split, on every architecture alike so that a program behaves the same
 * everywhere.  Moving it whole is fine: mremap() hands the reservation on.
 */
static int cmheap_reserved_may_split(struct vm_area_struct *vma,
				     unsigned long addr)
{
	return -EINVAL;
}

static const struct vm_operations_struct cmheap_reserved_vm_ops = {
	.may_split = cmheap_reserved_may_split,
};

/*
 * The request was checked before: a failure now is the mapping's own.
 * remap_pfn_range() reports x86 PAT's failure to reserve the memory type
 * of memory that is not RAM (a carveout's; its bookkeeping allocates) as
 * EINVAL, the errno of bad input, so say ENOMEM, as mmap(2) does for a
 * mapping that could not be made.
 */
static int cmheap_remap(struct vm_area_struct *vma, unsigned long addr,
			unsigned long pfn, unsigned long len)
{
	return remap_pfn_range(vma, addr, pfn, len, vma->vm_page_prot) ?
	       -ENOMEM : 0;
}

static int cmheap_mmap(struct dma_buf *dmabuf, struct vm_area_struct *vma)
{
	struct cmheap_buffer *buffer = dmabuf->priv;
	unsigned long addr = vma->vm_start;
	unsigned long skip = vma->vm_pgoff;
	struct scatterlist *sg;
	unsigned int i;
	int ret;

	if (vma->vm_pgoff + vma_pages(vma) > buffer->len >> PAGE_SHIFT)
		return -EINVAL;
	/*
	 * remap_pfn_range() can only build a copy-on-write mapping in one
	 * piece, and a private copy of a shared buffer has no meaning.
	 * VM_MAYSHARE, not VM_SHARED: a shared mapping of a read-only fd
	 * loses VM_SHARED but is still shared.
	 */
	if (!(vma->vm_flags & VM_MAYSHARE))
		return -EINVAL;
	/*
	 * Buffers shared with devices hold data, never code: no executable
	 * mapping now (EPERM) or later through mprotect() (EACCES).
	 */
	if (vma->vm_flags & VM_EXEC)
		return -EPERM;
	cmheap_vma_clear_flags(vma, VM_MAYEXEC);

	/* carveout heaps are those of reserved regions (->contains) */
	vma->vm_ops = buffer->heap->ops->contains ? &cmheap_reserved_vm_ops :
						     &cmheap_vm_ops;
	vma->vm_page_prot = cmheap_pgprot(buffer, vma->vm_page_prot);
	if (buffer->pageless)
		return cmheap_remap(vma, addr, PHYS_PFN(buffer->phys) + skip,
				    vma->vm_end - addr);

	for_each_sgtable_sg(&buffer->table, sg, i) {
		unsigned long npages = sg->length >> PAGE_SHIFT;
		unsigned long len;

		if (skip >= npages) {
			skip -= npages;
			continue;
		}
		len = min((npages - skip) << PAGE_SHIFT, vma->vm_end - addr);
		ret = cmheap_remap(vma, addr, page_to_pfn(sg_page(sg)) + skip,
				   len);
		if (ret)
			return ret;
		addr += len;
		skip = 0;
		if (addr >= vma->vm_end)
			break;
	}
	return 0;
}

static void *cmheap_do_vmap(struct cmheap_buffer *buffer)
{
	/* cmheap_buffer_alloc() keeps this within vmap()'s unsigned int. */
	unsigned int npages = buffer->len >> PAGE_SHIFT;
	struct sg_page_iter piter;
	struct page **pages;
	unsigned int i = 0;
	void *vaddr;

	pages = kvmalloc_array(npages, sizeof(*pages), GFP_KERNEL);
	if (!pages)
		return ERR_PTR(-ENOMEM);
	for_each_sgtable_page(&buffer->table, &piter, 0)
		pages[i++] = sg_page_iter_page(&piter);

	vaddr = vmap(pages, npages, VM_MAP, cmheap_pgprot(buffer, PAGE_KERNEL));
	kvfree(pages);
	return vaddr ? vaddr : ERR_PTR(-ENOMEM);
}

static int cmheap_vmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct cmheap_buffer *buffer = dmabuf->priv;
	void *vaddr;
	int ret = 0;

	mutex_lock(&buffer->lock);
	if (!buffer->vmap_cnt) {
		/* A page-less buffer comes with its heap's kernel mapping. */
		vaddr = buffer->pageless ? buffer->kvaddr :
			cmheap_do_vmap(buffer);
		if (IS_ERR(vaddr)) {
			ret = PTR_ERR(vaddr);
			goto out;
		}
		buffer->vaddr = vaddr;
	}
	buffer->vmap_cnt++;
	iosys_map_set_vaddr(map, buffer->vaddr);
out:
	mutex_unlock(&buffer->lock);
	return ret;
}

static void cmheap_vunmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	struct cmheap_buffer *buffer = dmabuf->priv;

	mutex_lock(&buffer->lock);
	buffer->vmap_cnt--;
	if (!buffer->vmap_cnt) {
		if (!buffer->pageless)
			vunmap(buffer->vaddr);
		buffer->vaddr = NULL;
	}
	mutex_unlock(&buffer->lock);
	iosys_map_clear(map);
}

/*
 * Whether the buffer layer makes the heap's pages fit for write-combined
 * mappings and back: not for page-less memory (never cached, no linear
 * alias), nor for heaps that hand out pages already so (the pools).
 */
static bool cmheap_buffer_sets_memtype(const struct cmheap_buffer *buffer)
{
	return cmheap_buffer_uncached(buffer) && !buffer->pageless &&
	       !buffer->heap->ops->own_memtype;
}

/*
 * Undoes cmheap_memtype_prepare() on a whole buffer before its pages go
 * back.  Returns true when they must leak instead: pages that keep a WC
 * alias must never reach the page allocator's next owner.
 */
static bool cmheap_undo_uncached(struct cmheap_buffer *buffer)
{
	if (!cmheap_buffer_sets_memtype(buffer))
		return false;
	return !cmheap_memtype_restore(buffer->heap, &buffer->table,
				       buffer->len >> PAGE_SHIFT);
}

/* Reserves @len bytes of the heap's limit (heap_limit_mb). */
static int cmheap_reserve(struct cmheap *heap, size_t len)
{
	u64 limit = (u64)READ_ONCE(heap_limit_mb) << 20;
	s64 total = atomic64_add_return(len, &heap->reserved_bytes);

	if (limit && total > limit) {
		atomic64_sub(len, &heap->reserved_bytes);
		return -ENOMEM;
	}
	return 0;
}

static void cmheap_unreserve(struct cmheap *heap, size_t len)
{
	atomic64_sub(len, &heap->reserved_bytes);
}

/*
 * Gives the pages back, unless @leak: pages whose memory type could not be
 * restored are never handed to their next owner.
 */
static void cmheap_buffer_release_pages(struct cmheap_buffer *buffer,
					bool leak)
{
	struct cmheap *heap = buffer->heap;

	if (buffer->pageless)
		heap->ops->release_range(heap, buffer->phys, buffer->kvaddr,
					 buffer->len);
	else if (leak)
		sg_free_table(&buffer->table);
	else
		heap->ops->release(heap, &buffer->table);
}

static void cmheap_buffer_free(struct cmheap_buffer *buffer)
{
	struct cmheap *heap = buffer->heap;
	unsigned int nents = buffer->table.orig_nents;

	trace_cmheap_free(heap->name, buffer->len, nents,
			  cmheap_buffer_uncached(buffer), 0);
	cmheap_buffer_release_pages(buffer, cmheap_undo_uncached(buffer));
	cmheap_unreserve(heap, buffer->len);
	mutex_destroy(&buffer->lock);
	kfree(buffer);
}

static void cmheap_release(struct dma_buf *dmabuf)
{
	struct cmheap_buffer *buffer = dmabuf->priv;
	struct cmheap_stats *stats = &buffer->heap->stats;
	size_t len = buffer->len;

	WARN_ON(buffer->vmap_cnt);
	cmheap_buffer_free(buffer);
	cmheap_stat_add(stats, CMHEAP_STAT_FREES, 1);
	cmheap_stat_add(stats, CMHEAP_STAT_BUFFERS_LIVE, -1);
	cmheap_stat_add(stats, CMHEAP_STAT_BYTES_LIVE, -(s64)len);
}

/*
 * One set of operations per caching model, chosen at export: the hot
 * paths never ask which model a buffer has.  Page-less memory is only
 * ever uncached.
 */
static const struct dma_buf_ops cmheap_cached_ops = {
	.attach			= cmheap_attach,
	.detach			= cmheap_detach,
	.map_dma_buf		= cmheap_cached_map_dma_buf,
	.unmap_dma_buf		= cmheap_cached_unmap_dma_buf,
	.begin_cpu_access	= cmheap_cached_begin_cpu_access,
	.end_cpu_access		= cmheap_cached_end_cpu_access,
	.mmap			= cmheap_mmap,
	.vmap			= cmheap_vmap,
	.vunmap			= cmheap_vunmap,
	.release		= cmheap_release,
};

static const struct dma_buf_ops cmheap_uncached_ops = {
	.attach			= cmheap_attach,
	.detach			= cmheap_detach,
	.map_dma_buf		= cmheap_uncached_map_dma_buf,
	.unmap_dma_buf		= cmheap_uncached_unmap_dma_buf,
	.begin_cpu_access	= cmheap_uncached_begin_cpu_access,
	.end_cpu_access		= cmheap_uncached_end_cpu_access,
	.mmap			= cmheap_mmap,
	.vmap			= cmheap_vmap,
	.vunmap			= cmheap_vunmap,
	.release		= cmheap_release,
};

struct dma_buf *cmheap_buffer_alloc(struct cmheap *heap, size_t len,
				    u32 fd_flags)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct cmheap_stats *stats = &heap->stats;
	struct cmheap_buffer *buffer;
	struct dma_buf *dmabuf;
	bool leak = false;
	int ret;

	/* A kernel mapping of the buffer counts its pages in an unsigned int. */
	if (len >> PAGE_SHIFT > UINT_MAX) {
		ret = -ENOMEM;
		goto err;
	}
	ret = cmheap_reserve(heap, len);
	if (ret)
		goto err;
	/* The buffer's memory and bookkeeping are charged to the allocator. */
	buffer = kzalloc(sizeof(*buffer), GFP_KERNEL_ACCOUNT);
	if (!buffer) {
		ret = -ENOMEM;
		goto err_unreserve;
	}
	buffer->heap = heap;
	buffer->uncached = heap->caching == CMHEAP_UNCACHED;
	buffer->len = len;
	mutex_init(&buffer->lock);
	INIT_LIST_HEAD(&buffer->attachments);

	if (heap->ops->allocate_range) {
		/* Never cached: nothing to clean, no linear alias to change. */
		buffer->pageless = true;
		ret = heap->ops->allocate_range(heap, len, &buffer->phys,
						&buffer->kvaddr);
		if (ret)
			goto err_free;
	} else {
		ret = heap->ops->allocate(heap, &buffer->table, len);
		if (ret)
			goto err_free;
	}
	if (cmheap_buffer_sets_memtype(buffer)) {
		ret = cmheap_memtype_prepare(heap, &buffer->table, &leak);
		if (ret)
			goto err_release;
	}

	/* exp_info.owner is THIS_MODULE: each buffer pins the module. */
	exp_info.exp_name = heap->name;
	exp_info.ops = buffer->uncached ? &cmheap_uncached_ops :
					  &cmheap_cached_ops;
	exp_info.size = len;
	exp_info.flags = fd_flags;
	exp_info.priv = buffer;
	dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(dmabuf)) {
		ret = PTR_ERR(dmabuf);
		goto err_uncached;
	}

	cmheap_stat_add(stats, CMHEAP_STAT_ALLOCS, 1);
	cmheap_stat_add(stats, CMHEAP_STAT_BUFFERS_LIVE, 1);
	cmheap_stat_add(stats, CMHEAP_STAT_BYTES_LIVE, len);
	trace_cmheap_alloc(heap->name, len, buffer->table.orig_nents,
			   heap->caching == CMHEAP_UNCACHED, 0);
	return dmabuf;

err_uncached:
	leak = cmheap_undo_uncached(buffer);
err_release:
	cmheap_buffer_release_pages(buffer, leak);
err_free:
	mutex_destroy(&buffer->lock);
	kfree(buffer);
err_unreserve:
	cmheap_unreserve(heap, len);
err:
	cmheap_stat_add(stats, CMHEAP_STAT_ALLOC_FAILURES, 1);
	trace_cmheap_alloc(heap->name, len, 0,
			   heap->caching == CMHEAP_UNCACHED, ret);
	return ERR_PTR(ret);
}

void cmheap_heap_stats_read(struct cmheap_stats *stats, s64 *v)
{
	struct cmheap *heap = container_of(stats, struct cmheap, stats);
	struct cmheap_attachment *a;
	int i;

	/* Nothing is folded in meanwhile: each count is seen once. */
	mutex_lock(&heap->live_lock);
	for (i = 0; i < CMHEAP_STAT_COUNT; i++)
		v[i] = atomic64_read(&stats->v[i]);
	list_for_each_entry(a, &heap->live_attachments, live_node) {
		/*
		 * Plain counts of the hot path, racing a map or unmap: the
		 * count before or after, no more.
		 */
		v[CMHEAP_STAT_MAPS] += data_race(a->maps);
		/* as maps, by unmap */
		v[CMHEAP_STAT_UNMAPS] += data_race(a->unmaps);
	}
	mutex_unlock(&heap->live_lock);
}

bool cmheap_is_ours(const struct dma_buf *dmabuf)
{
	/* both models' operations, and no one else's, release so */
	return dmabuf->ops->release == cmheap_release;
}
EXPORT_SYMBOL_NS_GPL(cmheap_is_ours, CMHEAP_NS);

/* Uncached buffers, and only they, have these operations. */
bool cmheap_is_uncached(const struct dma_buf *dmabuf)
{
	return dmabuf->ops == &cmheap_uncached_ops;
}
EXPORT_SYMBOL_NS_GPL(cmheap_is_uncached, CMHEAP_NS);

/* Page-less memory is only ever uncached. */
bool cmheap_is_pageless(const struct dma_buf *dmabuf)
{
	return cmheap_is_uncached(dmabuf) &&
	       ((struct cmheap_buffer *)dmabuf->priv)->pageless;
}
EXPORT_SYMBOL_NS_GPL(cmheap_is_pageless, CMHEAP_NS);

const struct sg_table *cmheap_buffer_table(const struct dma_buf *dmabuf)
{
	if (!cmheap_is_ours(dmabuf) || cmheap_is_pageless(dmabuf))
		return NULL;
	return &((struct cmheap_buffer *)dmabuf->priv)->table;
}
EXPORT_SYMBOL_NS_GPL(cmheap_buffer_table, CMHEAP_NS);

/* Each page's struct page is its pfn's, and lies in the heap's memory. */
static void cmheap_placement_pages(struct cmheap_buffer *buffer,
				   struct cmheap_placement *out)
{
	struct cmheap *heap = buffer->heap;
	struct scatterlist *sg;
	unsigned int i, j;

	for_each_sgtable_sg(&buffer->table, sg, i) {
		unsigned long pfn = page_to_pfn(sg_page(sg));

		for (j = 0; j < sg->length >> PAGE_SHIFT; j++, pfn++) {
			out->pages++;
			if (page_to_phys(pfn_to_page(pfn)) != PFN_PHYS(pfn))
				out->pages_bad++;
			if (heap->ops->contains &&
			    !heap->ops->contains(heap, PFN_PHYS(pfn), PAGE_SIZE))
				out->outside += PAGE_SIZE;
		}
	}
}

/*
 * A device without an IOMMU or bouncing sees memory at its physical
 * address, as its bus puts it (phys_to_dma(): a dma-ranges offset): each
 * segment of its mapping is the piece of the buffer it maps.  The
 * attachment's table is the buffer's split into pieces, in order; their
 * addresses come from the buffer's own table, the one the pieces were cut
 * from.
 */
static void cmheap_placement_direct(struct cmheap_buffer *buffer,
				    struct cmheap_attachment *a,
				    struct cmheap_placement *out)
{
	const struct sg_table *table = &a->table;
	struct scatterlist *sg, *src = buffer->table.sgl;
	unsigned int i, src_off = 0;

	if (device_iommu_mapped(a->dev) || a->may_bounce)
		return;
	out->flags |= CMHEAP_PLACEF_DIRECT;
	if (buffer->pageless) {
		phys_addr_t phys = buffer->phys;

		for_each_sgtable_dma_sg(table, sg, i) {
			out->segments++;
			if (sg_dma_address(sg) != phys_to_dma(a->dev, phys) ||
			    sg_dma_len(sg) != sg->length)
				out->segments_bad++;
			phys += sg->length;
		}
		if (phys != buffer->phys + buffer->len)
			out->segments_bad++;
		return;
	}
	for_each_sgtable_sg(table, sg, i) {
		out->segments++;
		if (table->nents != table->orig_nents || !src ||
		    sg_dma_address(sg) !=
		    phys_to_dma(a->dev, sg_phys(src) + src_off) ||
		    sg_dma_len(sg) != sg->length)
			out->segments_bad++;
		src_off += sg->length;
		if (src && src_off >= src->length) {
			src = sg_next(src);
			src_off = 0;
		}
	}
}

int cmheap_buffer_placement(struct dma_buf_attachment *attach,
			    struct cmheap_placement *out)
{
	struct cmheap_buffer *buffer;
	struct cmheap_attachment *a;
	struct cmheap *heap;

	if (!cmheap_is_ours(attach->dmabuf))
		return -EOPNOTSUPP;
	buffer = attach->dmabuf->priv;
	a = attach->priv;
	if (!cmheap_attachment_mapped(a))
		return -EINVAL;
	heap = buffer->heap;
	/* Every count from zero; the reserved words stay zero. */
	*out = (struct cmheap_placement){
		.handle = out->handle,
		.flags = heap->ops->contains ? CMHEAP_PLACEF_REGIONS : 0,
	};
	if (buffer->pageless) {
		if (!heap->ops->contains(heap, buffer->phys, buffer->len))
			out->outside = buffer->len;
	} else {
		cmheap_placement_pages(buffer, out);
	}
	cmheap_placement_direct(buffer, a, out);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(cmheap_buffer_placement, CMHEAP_NS);

int cmheap_attachment_set_attrs(struct dma_buf_attachment *attach,
				unsigned long attrs)
{
	struct cmheap_attachment *a;

	if (!cmheap_is_ours(attach->dmabuf))
		return -EOPNOTSUPP;
	a = attach->priv;
	a->map_attrs = cmheap_map_attrs(a->buffer, attrs);
	return 0;
}
EXPORT_SYMBOL_NS_GPL(cmheap_attachment_set_attrs, CMHEAP_NS);
