/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Carveout heaps: the regions (cmheap_carveout.c) and the two routes that
 * turn a region into buffers, one per file:
 *
 *  - pages (cmheap_carveout_pages.c): memremap_pages() gives the region
 *    struct pages and a write-back linear mapping, after which the whole DMA
 *    API works on it as on the page allocator's memory;
 *  - pageless (cmheap_carveout_pageless.c): no struct page, a write-combined
 *    kernel mapping, dma_map_resource() for devices; uncached only.
 */
#ifndef _CMHEAP_CARVEOUT_H
#define _CMHEAP_CARVEOUT_H

#include <linux/memremap.h>
#include <linux/types.h>

#include "cmheap.h"

struct gen_pool;

struct cmheap_carveout_region {
	phys_addr_t base;
	size_t size;
	/* the heap it serves: cached by the pages route, uncached page-less */
	enum cmheap_caching caching;
	bool claimed;			/* request_mem_region() done */
	void *vaddr;			/* linear (pages) or WC (pageless) map */
	struct gen_pool *pool;		/* kernel addresses, with phys */
	/* last: its range array is a flexible one */
	struct dev_pagemap pgmap;	/* the pages route's */
};

/* The region @len bytes at @phys lie in, among a heap's; NULL if none. */
struct cmheap_carveout_region *
cmheap_carveout_find(struct cmheap *heap, phys_addr_t phys, size_t len);
bool cmheap_carveout_contains(struct cmheap *heap, phys_addr_t phys,
			      size_t len);
/*
 * Carves @len bytes out of one of the heap's regions: *@vaddr the kernel
 * mapping, *@phys the address; zeroed, so nobody sees a previous owner's
 * data.  -ENOMEM when no region has an extent that large.
 */
int cmheap_carveout_carve(struct cmheap *heap, size_t len, phys_addr_t *phys,
			  void **vaddr);
/* Zeroes the range again (nothing reaches the next owner), and frees it. */
void cmheap_carveout_uncarve(struct cmheap *heap, phys_addr_t phys,
			     void *vaddr, size_t len);

/* Routes: map a checked, claimed region for the kernel, and unmap it. */
#if IS_ENABLED(CONFIG_ZONE_DEVICE)
int cmheap_carveout_pages_map(struct cmheap_carveout_region *region);
void cmheap_carveout_pages_unmap(struct cmheap_carveout_region *region);
#else
static inline int
cmheap_carveout_pages_map(struct cmheap_carveout_region *region)
{
	return -EOPNOTSUPP;
}

static inline void
cmheap_carveout_pages_unmap(struct cmheap_carveout_region *region)
{
}
#endif
extern const struct cmheap_heap_ops cmheap_carveout_pages_ops;
int cmheap_carveout_pageless_map(struct cmheap_carveout_region *region);
void cmheap_carveout_pageless_unmap(struct cmheap_carveout_region *region);
extern const struct cmheap_heap_ops cmheap_carveout_pageless_ops;

#endif /* _CMHEAP_CARVEOUT_H */
