// SPDX-License-Identifier: GPL-2.0
/*
 * Carveout route 2, no struct pages: what the ION carveout thread lacked.
 * The region keeps having no memmap and no linear alias; the kernel maps it
 * once, write-combined (memremap(MEMREMAP_WC)), user mappings are
 * write-combined remap_pfn_range(), and devices get dma_map_resource()
 * addresses (cmheap_buffer.c).  Without a cacheable mapping anywhere, and
 * without a kernel address the DMA API could clean, the only caching model
 * possible is uncached; importers that need sg_page() cannot use these
 * buffers, and get EOPNOTSUPP from anything that would.
 *
 * This route serves the uncached carveout heap on every kernel.  It is the
 * only one that can on x86, where PAT keeps struct-page device memory
 * write-back, and on kernels without ZONE_DEVICE (Debian's 6.1 arm64); on
 * arm64 with ZONE_DEVICE the pages route could, but only by keeping the
 * write-back linear alias that memremap_pages() creates, into which the
 * CPU may speculatively fetch: an alias a carveout need not have.  It also
 * takes device-tree no-map regions inside the memory node, which already
 * have a memmap and so cannot be given one.
 */
#include <linux/io.h>

#include "cmheap_carveout.h"

int cmheap_carveout_pageless_map(struct cmheap_carveout_region *region)
{
	region->vaddr = memremap(region->base, region->size, MEMREMAP_WC);
	if (!region->vaddr) {
		pr_err("cmheap: carveout %pa+%#zx cannot be mapped write-combined\n",
		       &region->base, region->size);
		return -ENOMEM;
	}
	return 0;
}

void cmheap_carveout_pageless_unmap(struct cmheap_carveout_region *region)
{
	memunmap(region->vaddr);
}

/* Carved ranges are the buffers: there is no table of pages to fill. */
const struct cmheap_heap_ops cmheap_carveout_pageless_ops = {
	.allocate_range = cmheap_carveout_carve,
	.release_range = cmheap_carveout_uncarve,
	.contains = cmheap_carveout_contains,
};
