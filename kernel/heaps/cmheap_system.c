// SPDX-License-Identifier: GPL-2.0
/*
 * The system heaps: memory from the page allocator, in the largest orders
 * that fit (8, 4, then 0, as the upstream system heap), so that large
 * buffers need few scatterlist entries and little IOMMU and cache
 * maintenance work.  The max_order parameter caps the order, which sets the
 * scatterlist granularity: max_order=0 gives one entry per page, and any
 * other cap is itself the first order tried (max_order=6: 256 KiB entries),
 * so that a benchmark can sweep the entry count in steps of its choosing.
 *
 * cmheap-system is cached, cmheap-system-uncached write-combined, for
 * devices that do not snoop the CPU caches: outside x86 its pages keep a
 * cacheable linear-map alias, and a snooping device is refused
 * (cmheap_dev_snoops_alias()).  Each has a page pool (cmheap_pool.c):
 * blocks come from it first, and freed blocks go back to it.
 */
#include <linux/gfp.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/signal.h>

#include "cmheap.h"

static const unsigned int cmheap_orders[] = { 8, 4, 0 };
#define CMHEAP_MAX_ORDER 8

/*
 * High orders are opportunistic: fail fast, without reclaim or warnings,
 * and fall back to a smaller order.  Order 0 may reclaim, but a request
 * the machine cannot meet fails with ENOMEM rather than waking the OOM
 * killer on behalf of one oversized buffer.  Every page is charged to the
 * allocating task's memory cgroup (__GFP_ACCOUNT), so memory.max bounds
 * what a container can pin through a heap; the charge goes with the page.
 */
#define CMHEAP_HIGH_ORDER_GFP \
	((GFP_HIGHUSER | __GFP_ZERO | __GFP_NOWARN | __GFP_NORETRY | \
	  __GFP_COMP | __GFP_ACCOUNT) & ~__GFP_RECLAIM)
#define CMHEAP_LOW_ORDER_GFP \
	(GFP_HIGHUSER | __GFP_ZERO | __GFP_NOWARN | __GFP_RETRY_MAYFAIL | \
	 __GFP_ACCOUNT)

static unsigned int max_order = CMHEAP_MAX_ORDER;

static int cmheap_max_order_set(const char *val, const struct kernel_param *kp)
{
	unsigned int order;
	int ret;

	ret = kstrtouint(val, 0, &order);
	if (ret)
		return ret;
	if (order > CMHEAP_MAX_ORDER)
		return -EINVAL;
	WRITE_ONCE(max_order, order);
	return 0;
}

static const struct kernel_param_ops cmheap_max_order_ops = {
	.set = cmheap_max_order_set,
	.get = param_get_uint,
};
module_param_cb(max_order, &cmheap_max_order_ops, &max_order, 0644);
MODULE_PARM_DESC(max_order,
		 "Largest page order of system heap allocations, 0-8 (default 8): sets scatterlist granularity");

/*
 * A block of @order from the page pool (@from_pool) or, failing it, the
 * page allocator.  page->private says whether the block must still be made
 * fit for write-combined mappings.  A block the pool was asked for and
 * the page allocator gave counts one pool miss.
 */
static struct page *cmheap_alloc_order(struct cmheap *heap,
				       unsigned int order, bool from_pool)
{
	bool uncached = heap->caching == CMHEAP_UNCACHED;
	struct page *page;
	bool clean_it;

	page = from_pool ?
	       cmheap_pool_take(heap->priv, order, &clean_it) : NULL;
	if (page) {
		set_page_private(page, uncached && clean_it);
		return page;
	}
	page = alloc_pages(order ? CMHEAP_HIGH_ORDER_GFP :
			   CMHEAP_LOW_ORDER_GFP, order);
	if (page) {
		set_page_private(page, uncached);
		if (from_pool)
			cmheap_stat_add(&heap->stats,
					CMHEAP_STAT_POOL_MISSES, 1);
	}
	return page;
}

/*
 * The block for the next @remaining bytes: the largest order first, from
 * @order_cap itself down through the smaller ones of cmheap_orders[].
 */
static struct page *cmheap_alloc_largest(struct cmheap *heap,
					 size_t remaining,
					 unsigned int order_cap,
					 bool from_pool)
{
	struct page *page = NULL;
	unsigned int i;

	if (remaining >= (PAGE_SIZE << order_cap))
		page = cmheap_alloc_order(heap, order_cap, from_pool);
	for (i = 0; !page && i < ARRAY_SIZE(cmheap_orders); i++) {
		unsigned int order = cmheap_orders[i];

		if (order < order_cap && remaining >= (PAGE_SIZE << order))
			page = cmheap_alloc_order(heap, order, from_pool);
	}
	return page;
}

/*
 * Gives blocks back: to the pool while it takes them, else to the page
 * allocator, write-back again if they were made write-combined.  A block
 * still marked (page->private) was never made so: it goes straight back.
 */
static void cmheap_free_blocks(struct cmheap *heap, struct list_head *blocks,
			       bool uncached)
{
	struct page *page, *tmp;
	unsigned long npages = 0;
	LIST_HEAD(unpooled);

	list_for_each_entry_safe(page, tmp, blocks, lru) {
		list_del(&page->lru);
		if (page_private(page)) {
			set_page_private(page, 0);
			__free_pages(page, compound_order(page));
			continue;
		}
		if (cmheap_pool_give(heap->priv, page))
			continue;
		list_add_tail(&page->lru, &unpooled);
		npages += 1UL << compound_order(page);
	}
	if (uncached && !cmheap_memtype_restore_list(heap, &unpooled, npages))
		return;
	list_for_each_entry_safe(page, tmp, &unpooled, lru) {
		list_del(&page->lru);
		__free_pages(page, compound_order(page));
	}
}

/*
 * A table of @nents entries, one per block of @blocks (page->lru).  Made
 * once the buffer's pages are held, when the machine may have none to
 * spare: like the pages, it fails with ENOMEM rather than waking the OOM
 * killer (a table of many entries takes whole pages).
 */
static int cmheap_table_of(struct sg_table *table, struct list_head *blocks,
			   unsigned int nents)
{
	struct scatterlist *sg;
	struct page *page;
	int ret;

	ret = sg_alloc_table(table, nents, GFP_KERNEL_ACCOUNT |
			     __GFP_RETRY_MAYFAIL | __GFP_NOWARN);
	if (ret)
		return ret;
	sg = table->sgl;
	list_for_each_entry(page, blocks, lru) {
		sg_set_page(sg, page, page_size(page), 0);
		sg = sg_next(sg);
	}
	return 0;
}

/*
 * Makes the blocks still cached (page->private) fit for write-combined
 * mappings, in one batch.  On failure every block is as it came, or
 * *@leak says they could not be restored.
 */
static int cmheap_prepare_blocks(struct cmheap *heap, struct list_head *blocks,
				 bool *leak)
{
	struct sg_table table;
	unsigned int nents = 0;
	struct page *page, *tmp;
	LIST_HEAD(fresh);
	int ret;

	*leak = false;
	list_for_each_entry_safe(page, tmp, blocks, lru) {
		if (page_private(page))
			list_move_tail(&page->lru, &fresh);
	}
	list_for_each_entry(page, &fresh, lru)
		nents++;
	if (!nents)
		return 0;
	ret = cmheap_table_of(&table, &fresh, nents);
	if (!ret) {
		ret = cmheap_memtype_prepare(heap, &table, leak);
		sg_free_table(&table);
	}
	if (!ret) {
		list_for_each_entry(page, &fresh, lru)
			set_page_private(page, 0);
	}
	/* Order does not matter past here: the caller builds the table. */
	list_splice_tail(&fresh, blocks);
	return ret;
}

static int cmheap_system_allocate(struct cmheap *heap, struct sg_table *table,
				  size_t len)
{
	bool uncached = heap->caching == CMHEAP_UNCACHED;
	unsigned int order_cap = READ_ONCE(max_order);
	size_t remaining = len;
	struct page *page, *tmp;
	unsigned int nents = 0;
	/* Asked once: the pools serve every block of the buffer, or none. */
	bool charged = cmheap_caller_charged();
	bool from_pool = cmheap_pools_serve(charged);
	bool drained = false;
	bool leak = false;
	LIST_HEAD(blocks);
	int ret;

	/*
	 * No more than the machine can give (never more than it has): a
	 * buffer that would take memory below what the kernel keeps in
	 * reserve fails at once, rather than draining the machine page by
	 * page before it fails and leaving other tasks to meet the OOM
	 * killer for the last pages in the meantime.
	 */
	if (len >> PAGE_SHIFT > si_mem_available())
		return -ENOMEM;

	while (remaining) {
		/* A huge allocation must not make its task unkillable. */
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			goto err;
		}
		cond_resched();
		page = cmheap_alloc_largest(heap, remaining, order_cap,
					    from_pool);
		/*
		 * Reclaim found too little (the shrinker yields while the
		 * pools are busy): give back everything they hold, when that
		 * can help, and try once more before failing.  Once more even when the drain
		 * finds the pools empty: it waited for the shrinker that
		 * held them (kswapd's, say), whose pages are free by now.
		 */
		if (!page && !drained &&
		    cmheap_pools_drain_for(remaining >> PAGE_SHIFT, charged)) {
			drained = true;
			continue;
		}
		if (!page) {
			ret = -ENOMEM;
			goto err;
		}
		list_add_tail(&page->lru, &blocks);
		remaining -= page_size(page);
		/* Once an order failed, larger ones will fail too. */
		order_cap = compound_order(page);
		nents++;
	}

	if (uncached) {
		ret = cmheap_prepare_blocks(heap, &blocks, &leak);
		if (ret)
			goto err;
	}
	ret = cmheap_table_of(table, &blocks, nents);
	if (ret)
		goto err;
	list_for_each_entry_safe(page, tmp, &blocks, lru) {
		list_del(&page->lru);
		set_page_private(page, 0);
	}
	return 0;
err:
	/* Pages whose memory type could not be restored must never be reused. */
	if (!leak)
		cmheap_free_blocks(heap, &blocks, uncached);
	return ret;
}

static void cmheap_system_release(struct cmheap *heap, struct sg_table *table)
{
	struct scatterlist *sg;
	LIST_HEAD(blocks);
	unsigned int i;

	for_each_sgtable_sg(table, sg, i)
		list_add_tail(&sg_page(sg)->lru, &blocks);
	sg_free_table(table);
	cmheap_free_blocks(heap, &blocks, heap->caching == CMHEAP_UNCACHED);
}

static const struct cmheap_heap_ops cmheap_system_ops = {
	.allocate = cmheap_system_allocate,
	.release = cmheap_system_release,
	.own_memtype = true,
};

/*
 * Android's libdmabufheap, Rockchip MPP and others open the system heaps
 * by the names of Android's kernels: "system" (upstream's, where the
 * kernel has it) and "system-uncached" (no upstream kernel has one).
 */
static bool userspace_names;
module_param(userspace_names, bool, 0444);
MODULE_PARM_DESC(userspace_names,
		 "Also create /dev/dma_heap/system-uncached, and /dev/dma_heap/system where the kernel has no system heap, for the system heaps (default off; a node that exists is never shadowed)");

/* A system heap and its page pool. */
static struct cmheap *cmheap_system_add(const char *name,
					enum cmheap_caching caching)
{
	struct cmheap_pool *pool;
	struct cmheap *heap;

	heap = cmheap_heap_add(name, caching, &cmheap_system_ops, NULL);
	if (IS_ERR(heap))
		return heap;
	pool = cmheap_pool_create(heap, CMHEAP_MAX_ORDER);
	if (IS_ERR(pool))
		return ERR_CAST(pool);
	heap->priv = pool;
	return heap;
}

int cmheap_system_init(void)
{
	struct cmheap *heap;

	heap = cmheap_system_add("cmheap-system", CMHEAP_CACHED);
	if (IS_ERR(heap))
		return PTR_ERR(heap);
	/* The upstream heap may be a module not loaded yet: leave it its name. */
	if (userspace_names && !IS_ENABLED(CONFIG_DMABUF_HEAPS_SYSTEM))
		heap->alias = "system";
	heap = cmheap_system_add("cmheap-system-uncached", CMHEAP_UNCACHED);
	if (IS_ERR(heap))
		return PTR_ERR(heap);
	if (userspace_names)
		heap->alias = "system-uncached";
	return 0;
}
