// SPDX-License-Identifier: GPL-2.0
/*
 * Carveout route 1, struct pages: memremap_pages() with
 * MEMORY_DEVICE_GENERIC gives a region the kernel never owned a memmap
 * (ZONE_DEVICE pages) and a write-back linear mapping.  Its buffers are
 * then ordinary pages to everything downstream: dma_map_sgtable() with
 * cache maintenance for a non-coherent device (which works on the linear
 * address), vmap(), remap_pfn_range() mmap, sg_page() for importers.  The
 * pages come back reserved with one reference each and never reach the
 * page allocator: this file hands them out, in physically contiguous
 * pieces carved by the region's genalloc.
 *
 * memremap_pages() works in memory-hotplug subsections, so the region's
 * base and size must be SUBSECTION_SIZE (2 MiB) aligned (checked with the
 * rest of the region); it must not be System RAM, nor already have a memmap
 * of its own (a device-tree no-map region inside the memory node does: the
 * call then fails with EEXIST, and the region must be uncached).
 */
#include <linux/memremap.h>
#include <linux/mm.h>
#include <linux/numa.h>
#include <linux/scatterlist.h>

#include "cmheap_carveout.h"

int cmheap_carveout_pages_map(struct cmheap_carveout_region *region)
{
	struct dev_pagemap *pgmap = &region->pgmap;
	void *vaddr;

	pgmap->type = MEMORY_DEVICE_GENERIC;
	pgmap->range.start = region->base;
	pgmap->range.end = region->base + region->size - 1;
	pgmap->nr_range = 1;
	vaddr = memremap_pages(pgmap, NUMA_NO_NODE);
	if (PTR_ERR_OR_ZERO(vaddr) == -EEXIST) {
		pr_err("cmheap: carveout %pa+%#zx already has struct pages (a no-map region inside the memory node?): make it uncached, or keep it out of the kernel's memory\n",
		       &region->base, region->size);
		return -EEXIST;
	}
	if (IS_ERR(vaddr)) {
		pr_err("cmheap: carveout %pa+%#zx: memremap_pages: %pe\n",
		       &region->base, region->size, vaddr);
		return PTR_ERR(vaddr);
	}
	region->vaddr = vaddr;
	return 0;
}

void cmheap_carveout_pages_unmap(struct cmheap_carveout_region *region)
{
	memunmap_pages(&region->pgmap);
}

/* The longest scatterlist entry: its length is an unsigned int. */
#define CMHEAP_CARVEOUT_MAX_ENTRY	ALIGN_DOWN(UINT_MAX, PAGE_SIZE)

static int cmheap_carveout_pages_allocate(struct cmheap *heap,
					  struct sg_table *table, size_t len)
{
	struct scatterlist *sg;
	phys_addr_t phys;
	unsigned int i;
	void *vaddr;
	int ret;

	ret = cmheap_carveout_carve(heap, len, &phys, &vaddr);
	if (ret)
		return ret;
	ret = sg_alloc_table(table, DIV_ROUND_UP(len, CMHEAP_CARVEOUT_MAX_ENTRY),
			     GFP_KERNEL_ACCOUNT);
	if (ret) {
		cmheap_carveout_uncarve(heap, phys, vaddr, len);
		return ret;
	}
	/* One entry per contiguous piece: the memmap is virtually contiguous. */
	for_each_sgtable_sg(table, sg, i) {
		size_t n = min_t(size_t, len, CMHEAP_CARVEOUT_MAX_ENTRY);

		sg_set_page(sg, pfn_to_page(PHYS_PFN(phys)), n, 0);
		phys += n;
		len -= n;
	}
	return 0;
}

static void cmheap_carveout_pages_release(struct cmheap *heap,
					  struct sg_table *table)
{
	phys_addr_t phys = sg_phys(table->sgl);
	struct scatterlist *sg;
	size_t len = 0;
	unsigned int i;

	for_each_sgtable_sg(table, sg, i)
		len += sg->length;
	cmheap_carveout_uncarve(heap, phys, page_address(sg_page(table->sgl)),
				len);
	sg_free_table(table);
}

const struct cmheap_heap_ops cmheap_carveout_pages_ops = {
	.allocate = cmheap_carveout_pages_allocate,
	.release = cmheap_carveout_pages_release,
	.contains = cmheap_carveout_contains,
};
