// SPDX-License-Identifier: GPL-2.0
/*
 * How pages become fit for write-combined mappings, and fit again for the
 * page allocator: the linear-map memory type on x86 (PAT wants every
 * mapping of a page to agree), a clean and invalidate through the DMA API
 * elsewhere (the cacheable linear alias may stay once no line is dirty).
 *
 * The buffer layer uses it for heaps that leave it the job, the page pools
 * for the pages they keep write-combined across buffers.
 */
#include <linux/dma-mapping.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "cmheap.h"
#include "cmheap_compat.h"

/*
 * Pages changed in one set_pages_array_*() call: one TLB flush and one
 * cache flush for 4 MiB, instead of one per scatterlist entry, and a
 * reschedule point between batches so a 1 GiB buffer does not hog the CPU.
 * The page array is 8 KiB, which a machine short of memory can still give.
 */
#define CMHEAP_MEMTYPE_BATCH	1024U

struct cmheap_memtype_batch {
	int (*set)(struct page **pages, unsigned int n);
	struct page *few[32];
	struct page **pages;
	unsigned int n, max;
	/*
	 * Pages the batches were applied to, the failed one included: x86's
	 * set_pages_array_*() gives up part-way without undoing the PTEs it
	 * already changed, so a failed batch is as much to restore as a
	 * done one (making a RAM page write-back again is idempotent).
	 */
	unsigned long touched;
	int ret;
};

static void cmheap_batch_init(struct cmheap_memtype_batch *b,
			      int (*set)(struct page **, unsigned int),
			      unsigned long hint)
{
	b->set = set;
	b->n = 0;
	b->touched = 0;
	b->ret = 0;
	b->max = min_t(unsigned long, max(hint, 1UL), CMHEAP_MEMTYPE_BATCH);
	/*
	 * Short of memory, go on in smaller batches: giving pages back their
	 * write-back type must not fail for want of a page array (it runs
	 * from the shrinker too), and a heap that is allocating the last of
	 * memory must not wake the OOM killer for it (__GFP_NORETRY).
	 */
	b->pages = kmalloc_array(b->max, sizeof(*b->pages),
				 GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN);
	if (!b->pages) {
		b->pages = b->few;
		b->max = min_t(unsigned int, b->max, ARRAY_SIZE(b->few));
	}
}

static int cmheap_batch_flush(struct cmheap_memtype_batch *b)
{
	if (!b->ret && b->n) {
		b->ret = b->set(b->pages, b->n);
		b->touched += b->n;
		b->n = 0;
		cond_resched();
	}
	return b->ret;
}

/* Queues one page; false once a batch has failed. */
static bool cmheap_batch_add(struct cmheap_memtype_batch *b, struct page *page)
{
	b->pages[b->n++] = page;
	if (b->n == b->max)
		cmheap_batch_flush(b);
	return !b->ret;
}

static int cmheap_batch_finish(struct cmheap_memtype_batch *b)
{
	int ret = cmheap_batch_flush(b);

	if (b->pages != b->few)
		kfree(b->pages);
	return ret;
}

/*
 * Applies @set to the first @limit pages of @table.  Returns 0 or the
 * first error; *@touched counts the pages it was applied to, those of a
 * batch that failed included.
 */
static int cmheap_memtype_table(const struct sg_table *table,
				int (*set)(struct page **, unsigned int),
				unsigned long limit, unsigned long *touched)
{
	struct cmheap_memtype_batch b;
	struct sg_page_iter piter;
	unsigned long seen = 0;

	*touched = 0;
	if (!limit)
		return 0;
	cmheap_batch_init(&b, set, limit);
	for_each_sgtable_page(table, &piter, 0) {
		if (seen++ == limit ||
		    !cmheap_batch_add(&b, sg_page_iter_page(&piter)))
			break;
	}
	cmheap_batch_finish(&b);
	*touched = b.touched;
	return b.ret;
}

bool cmheap_memtype_restore(struct cmheap *heap, const struct sg_table *table,
			    unsigned long npages)
{
	unsigned long touched;
	int ret;

	if (!CMHEAP_LINEAR_MAP_ATTRS)
		return true;
	ret = cmheap_memtype_table(table, cmheap_pages_set_wb, npages,
				   &touched);
	if (ret) {
		WARN(1, "cmheap: %s: cannot make pages write-back again (%d, in the batch ending at page %lu of %lu): leaking all of them\n",
		     heap->name, ret, touched, npages);
		return false;
	}
	return true;
}

bool cmheap_memtype_restore_list(struct cmheap *heap, struct list_head *pages,
				 unsigned long npages)
{
	struct cmheap_memtype_batch b;
	struct page *page;
	unsigned int i;

	if (!CMHEAP_LINEAR_MAP_ATTRS || !npages)
		return true;
	cmheap_batch_init(&b, cmheap_pages_set_wb, npages);
	list_for_each_entry(page, pages, lru) {
		for (i = 0; i < 1U << compound_order(page); i++)
			if (!cmheap_batch_add(&b, page + i))
				break;
		if (b.ret)
			break;
	}
	if (cmheap_batch_finish(&b)) {
		WARN(1, "cmheap: %s: cannot make pooled pages write-back again (%d, in the batch ending at page %lu of %lu): leaking all of them\n",
		     heap->name, b.ret, b.touched, npages);
		return false;
	}
	return true;
}

/*
 * The device through which caches are cleaned where the linear map keeps
 * its type: NULL when DMA is coherent and there is nothing to clean.  A
 * device whose maps bounce would clean the bounce buffer, not the pages.
 */
static int cmheap_memtype_cleaner(struct cmheap *heap, struct device **maint)
{
	*maint = cmheap_maint_dev();
	if (*maint && cmheap_dev_may_bounce(*maint)) {
		pr_warn_once("cmheap: %s: the cache-cleaning device's DMA bounces (swiotlb); no uncached buffers\n",
			     heap->name);
		return -EOPNOTSUPP;
	}
	return 0;
}

int cmheap_memtype_prepare(struct cmheap *heap, struct sg_table *table,
			   bool *leak)
{
	struct device *maint;
	unsigned long touched;
	int ret;

	*leak = false;
	if (CMHEAP_LINEAR_MAP_ATTRS) {
		/* Changing the memory type flushes the pages' lines too. */
		ret = cmheap_memtype_table(table, cmheap_pages_set_wc,
					   ULONG_MAX, &touched);
		if (ret) {
			*leak = !cmheap_memtype_restore(heap, table, touched);
			return ret;
		}
		goto cleaned;
	}
	ret = cmheap_memtype_cleaner(heap, &maint);
	if (ret || !maint)
		return ret;
	ret = dma_map_sgtable(maint, table, DMA_BIDIRECTIONAL, 0);
	if (ret)
		return ret;
	dma_unmap_sgtable(maint, table, DMA_BIDIRECTIONAL, 0);
cleaned:
	cmheap_stat_add(&heap->stats, CMHEAP_STAT_ALLOC_CLEANS,
			table->orig_nents);
	return 0;
}

int cmheap_memtype_clean_page(struct cmheap *heap, struct page *page)
{
	struct device *maint;
	dma_addr_t addr;
	int ret;

	if (CMHEAP_LINEAR_MAP_ATTRS)
		return 0;
	ret = cmheap_memtype_cleaner(heap, &maint);
	if (ret || !maint)
		return ret;
	addr = dma_map_page(maint, page, 0, page_size(page),
			    DMA_BIDIRECTIONAL);
	if (dma_mapping_error(maint, addr))
		return -EIO;
	dma_unmap_page(maint, addr, page_size(page), DMA_BIDIRECTIONAL);
	return 0;
}
