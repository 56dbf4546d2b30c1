// SPDX-License-Identifier: GPL-2.0
/*
 * The system heaps: memory from the page allocator, in the largest orders
 * that fit (8, 4, then 0, as the upstream system heap), so that large
 * buffers need few scatterlist entries and little IOMMU and cache
 * maintenance work.  The max_order parameter caps the order, which sets the
 * scatterlist granularity: max_order=0 gives one entry per page.
 *
 * cmheap-system is cached, cmheap-system-uncached write-combined.
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

static struct page *cmheap_alloc_largest(size_t remaining,
					 unsigned int order_cap)
{
	struct page *page;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cmheap_orders); i++) {
		unsigned int order = cmheap_orders[i];

		if (order > order_cap || remaining < (PAGE_SIZE << order))
			continue;
		page = alloc_pages(order ? CMHEAP_HIGH_ORDER_GFP :
				   CMHEAP_LOW_ORDER_GFP, order);
		if (page)
			return page;
	}
	return NULL;
}

static void cmheap_free_page_list(struct list_head *pages)
{
	struct page *page, *tmp;

	list_for_each_entry_safe(page, tmp, pages, lru) {
		list_del(&page->lru);
		__free_pages(page, compound_order(page));
	}
}

static int cmheap_system_allocate(struct cmheap *heap, struct sg_table *table,
				  size_t len)
{
	unsigned int order_cap = READ_ONCE(max_order);
	size_t remaining = len;
	struct scatterlist *sg;
	struct page *page, *tmp;
	unsigned int nents = 0;
	LIST_HEAD(pages);
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
		page = cmheap_alloc_largest(remaining, order_cap);
		if (!page) {
			ret = -ENOMEM;
			goto err;
		}
		list_add_tail(&page->lru, &pages);
		remaining -= page_size(page);
		/* Once an order failed, larger ones will fail too. */
		order_cap = compound_order(page);
		nents++;
	}

	ret = sg_alloc_table(table, nents, GFP_KERNEL_ACCOUNT);
	if (ret)
		goto err;
	sg = table->sgl;
	list_for_each_entry_safe(page, tmp, &pages, lru) {
		sg_set_page(sg, page, page_size(page), 0);
		sg = sg_next(sg);
		list_del(&page->lru);
	}
	return 0;
err:
	cmheap_free_page_list(&pages);
	return ret;
}

static void cmheap_system_release(struct cmheap *heap, struct sg_table *table)
{
	struct scatterlist *sg;
	unsigned int i;

	for_each_sgtable_sg(table, sg, i) {
		struct page *page = sg_page(sg);

		__free_pages(page, compound_order(page));
	}
	sg_free_table(table);
}

static const struct cmheap_heap_ops cmheap_system_ops = {
	.allocate = cmheap_system_allocate,
	.release = cmheap_system_release,
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

int cmheap_system_init(void)
{
	struct cmheap *heap;

	heap = cmheap_heap_add("cmheap-system", CMHEAP_CACHED,
			       &cmheap_system_ops, NULL);
	if (IS_ERR(heap))
		return PTR_ERR(heap);
	/* The upstream heap may be a module not loaded yet: leave it its name. */
	if (userspace_names && !IS_ENABLED(CONFIG_DMABUF_HEAPS_SYSTEM))
		heap->alias = "system";
	heap = cmheap_heap_add("cmheap-system-uncached", CMHEAP_UNCACHED,
			       &cmheap_system_ops, NULL);
	if (IS_ERR(heap))
		return PTR_ERR(heap);
	if (userspace_names)
		heap->alias = "system-uncached";
	return 0;
}
