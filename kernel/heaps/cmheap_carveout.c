// SPDX-License-Identifier: GPL-2.0
/*
 * Carveout heaps: dma-bufs from memory the page allocator never owned
 * (memmap=, a device-tree reserved-memory node), the problem of the
 * ION carveout thread.  Such memory has no struct page and no linear
 * mapping, so nothing page-based works on it as it is: not sg_page(), not
 * the DMA API's cache maintenance (it needs a kernel address), not vmap().
 *
 * This file finds the regions, checks and claims them, and hands out
 * physically contiguous, zeroed pieces of them with genalloc (first fit,
 * one pool per region).  How a region becomes buffers is its route's:
 *
 *  cmheap-carveout           cached; the pages route gives the region
 *                            struct pages (cmheap_carveout_pages.c)
 *  cmheap-carveout-uncached  uncached; the page-less route maps it
 *                            write-combined only (cmheap_carveout_pageless.c)
 *
 * Regions come from the carveout= parameter, a comma-separated list of
 * SIZE@BASE[:cached|:uncached] (memparse sizes: 64M@0x78000000:cached), and
 * from device-tree reserved-memory nodes compatible with "cmheap,carveout"
 * (optional string property cmheap,caching).  A region without a model
 * serves the cached heap where the kernel has ZONE_DEVICE, else the
 * uncached one.  Each must be page aligned (2 MiB for the pages route),
 * inside nothing the kernel calls System RAM, reserved memory (e820 or EFI
 * reserved, a device-tree reserved-memory region), overlap no other, and
 * not be claimed by another driver.  Anything wrong refuses the module load with
 * one message, before anything is claimed or mapped.
 */
#include <linux/debugfs.h>
#include <linux/genalloc.h>
#include <linux/ioport.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/of_reserved_mem.h>
#include <linux/sched.h>
#include <linux/seq_file.h>
#include <linux/sizes.h>
#include <linux/string.h>

#include "cmheap_carveout.h"

static char *carveout;
module_param(carveout, charp, 0444);
MODULE_PARM_DESC(carveout,
		 "Memory the kernel does not own, for the carveout heaps: SIZE@BASE[:cached|:uncached],... e.g. 64M@0x78000000:cached (see README)");

#define CMHEAP_CARVEOUT_MAX_REGIONS	8

struct cmheap_carveout_heap {
	const char *name;
	const struct cmheap_heap_ops *ops;	/* the route's */
	const char *route;		/* as debugfs and the load message say */
	struct cmheap_carveout_region *regions[CMHEAP_CARVEOUT_MAX_REGIONS];
	unsigned int nr_regions;
};

static struct cmheap_carveout_region
	cmheap_carveout_regions[CMHEAP_CARVEOUT_MAX_REGIONS];
static unsigned int cmheap_carveout_nr;

/* Indexed by enum cmheap_caching. */
static struct cmheap_carveout_heap cmheap_carveout_heaps[] = {
	[CMHEAP_CACHED] = {
		.name = "cmheap-carveout",
		/* NULL without ZONE_DEVICE: then no region is the heap's */
		.ops = IS_ENABLED(CONFIG_ZONE_DEVICE) ?
		       &cmheap_carveout_pages_ops : NULL,
		.route = "pages",
	},
	[CMHEAP_UNCACHED] = {
		.name = "cmheap-carveout-uncached",
		.ops = &cmheap_carveout_pageless_ops,
		.route = "pageless",
	},
};

static bool cmheap_carveout_route_pages(const struct cmheap_carveout_region *r)
{
	return r->caching == CMHEAP_CACHED;
}

struct cmheap_carveout_region *
cmheap_carveout_find(struct cmheap *heap, phys_addr_t phys, size_t len)
{
	struct cmheap_carveout_heap *co = heap->priv;
	unsigned int i;

	for (i = 0; i < co->nr_regions; i++) {
		struct cmheap_carveout_region *r = co->regions[i];

		if (phys >= r->base && len <= r->size &&
		    phys - r->base <= r->size - len)
			return r;
	}
	return NULL;
}

bool cmheap_carveout_contains(struct cmheap *heap, phys_addr_t phys,
			      size_t len)
{
	return cmheap_carveout_find(heap, phys, len);
}

/* In pieces, rescheduling between them: a region may be gigabytes. */
static void cmheap_carveout_zero(void *vaddr, size_t len)
{
	size_t off, n;

	for (off = 0; off < len; off += n) {
		n = min_t(size_t, len - off, SZ_2M);
		memset(vaddr + off, 0, n);
		cond_resched();
	}
	/*
	 * Drain write-combining buffers: the zeroes are in memory before a
	 * device or the range's next owner looks.
	 */
	wmb();
}

int cmheap_carveout_carve(struct cmheap *heap, size_t len, phys_addr_t *phys,
			  void **vaddr)
{
	struct cmheap_carveout_heap *co = heap->priv;
	unsigned int i;

	for (i = 0; i < co->nr_regions; i++) {
		struct gen_pool *pool = co->regions[i]->pool;
		unsigned long va = gen_pool_alloc(pool, len);

		if (!va)
			continue;
		cmheap_carveout_zero((void *)va, len);
		*vaddr = (void *)va;
		*phys = gen_pool_virt_to_phys(pool, va);
		return 0;
	}
	return -ENOMEM;
}

void cmheap_carveout_uncarve(struct cmheap *heap, phys_addr_t phys,
			     void *vaddr, size_t len)
{
	struct cmheap_carveout_region *r = cmheap_carveout_find(heap, phys, len);

	if (WARN_ON(!r))
		return;
	/* What a buffer held never reaches the range's next owner. */
	cmheap_carveout_zero(vaddr, len);
	gen_pool_free(r->pool, (unsigned long)vaddr, len);
}

/* The longest run of free pages in one chunk's bitmap, in bytes. */
static void cmheap_carveout_largest(struct gen_pool *pool,
				    struct gen_pool_chunk *chunk, void *data)
{
	unsigned long bits = (chunk->end_addr - chunk->start_addr + 1) >>
			     pool->min_alloc_order;
	unsigned long *largest = data, start = 0, end;

	while (start < bits) {
		start = find_next_zero_bit(chunk->bits, bits, start);
		if (start >= bits)
			break;
		end = find_next_bit(chunk->bits, bits, start);
		*largest = max(*largest, (end - start) << pool->min_alloc_order);
		start = end;
	}
}

/*
 * Totals first (a buffer never spans regions, so largest_free is the most
 * one allocation can get), then a line per region.
 */
static int cmheap_carveout_show(struct seq_file *m, void *unused)
{
	struct cmheap_carveout_heap *co = m->private;
	unsigned long largest[CMHEAP_CARVEOUT_MAX_REGIONS] = {};
	size_t size = 0, avail = 0;
	unsigned long most = 0;
	unsigned int i;

	for (i = 0; i < co->nr_regions; i++) {
		struct cmheap_carveout_region *r = co->regions[i];

		gen_pool_for_each_chunk(r->pool, cmheap_carveout_largest,
					&largest[i]);
		size += r->size;
		avail += gen_pool_avail(r->pool);
		most = max(most, largest[i]);
	}
	seq_printf(m, "route %s\n", co->route);
	seq_printf(m, "regions %u\n", co->nr_regions);
	seq_printf(m, "size %zu\n", size);
	seq_printf(m, "available %zu\n", avail);
	seq_printf(m, "largest_free %lu\n", most);
	for (i = 0; i < co->nr_regions; i++) {
		struct cmheap_carveout_region *r = co->regions[i];

		seq_printf(m, "region %pa %zu %zu %lu\n", &r->base, r->size,
			   gen_pool_avail(r->pool), largest[i]);
	}
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cmheap_carveout);

/* The model a region without one gets: the full DMA API where possible. */
static enum cmheap_caching cmheap_carveout_default_caching(void)
{
	return IS_ENABLED(CONFIG_ZONE_DEVICE) ? CMHEAP_CACHED : CMHEAP_UNCACHED;
}

static int cmheap_carveout_caching(const char *model,
				   enum cmheap_caching *caching)
{
	if (!model)
		*caching = cmheap_carveout_default_caching();
	else if (!strcmp(model, "cached"))
		*caching = CMHEAP_CACHED;
	else if (!strcmp(model, "uncached"))
		*caching = CMHEAP_UNCACHED;
	else
		return -EINVAL;
	return 0;
}

static int cmheap_carveout_add(phys_addr_t base, u64 size, const char *model,
			       const char *from)
{
	struct cmheap_carveout_region *r;

	if (cmheap_carveout_nr == CMHEAP_CARVEOUT_MAX_REGIONS) {
		pr_err("cmheap: carveout: more than %d regions\n",
		       CMHEAP_CARVEOUT_MAX_REGIONS);
		return -EINVAL;
	}
	r = &cmheap_carveout_regions[cmheap_carveout_nr];
	if (cmheap_carveout_caching(model, &r->caching)) {
		pr_err("cmheap: carveout %s: the model is cached or uncached\n",
		       from);
		return -EINVAL;
	}
	if (!size || !PAGE_ALIGNED(size) || !PAGE_ALIGNED(base) ||
	    base + size < base) {
		pr_err("cmheap: carveout %s: not a non-empty range of whole pages\n",
		       from);
		return -EINVAL;
	}
	r->base = base;
	r->size = size;
	cmheap_carveout_nr++;
	return 0;
}

/* carveout=SIZE@BASE[:MODEL][,...] */
static int cmheap_carveout_parse(char *list)
{
	char *item;
	int ret;

	while ((item = strsep(&list, ","))) {
		char *end, *model = NULL;
		u64 size, base;

		size = memparse(item, &end);
		if (*end != '@')
			goto bad;
		base = memparse(end + 1, &end);
		if (*end == ':')
			model = end + 1;
		else if (*end)
			goto bad;
		ret = cmheap_carveout_add(base, size, model, item);
		if (ret)
			return ret;
	}
	return 0;
bad:
	pr_err("cmheap: carveout %s: not SIZE@BASE[:cached|:uncached]\n", item);
	return -EINVAL;
}

/*
 * Device tree: a reserved-memory child compatible with "cmheap,carveout"
 * (no-map, so the kernel neither maps nor allocates from it), as other
 * drivers find their reserved memory.  The kernel sets the region up at
 * boot; this only looks it up.
 */
static int cmheap_carveout_from_dt(void)
{
	struct device_node *np = NULL;
	int ret = 0;

	if (!IS_ENABLED(CONFIG_OF_RESERVED_MEM))
		return 0;
	while ((np = of_find_compatible_node(np, NULL, "cmheap,carveout"))) {
		const char *model = NULL;
		struct reserved_mem *rmem;
		char from[96];

		if (!of_device_is_available(np))
			continue;
		snprintf(from, sizeof(from), "%pOF", np);
		rmem = of_reserved_mem_lookup(np);
		if (!rmem) {
			pr_err("cmheap: carveout %s: not a reserved-memory region\n",
			       from);
			ret = -EINVAL;
			break;
		}
		of_property_read_string(np, "cmheap,caching", &model);
		ret = cmheap_carveout_add(rmem->base, rmem->size, model, from);
		if (ret)
			break;
	}
	of_node_put(np);
	return ret;
}

/* walk_iomem_res_desc(): the pieces come in address order. */
static int cmheap_carveout_reserved_piece(struct resource *res, void *arg)
{
	resource_size_t *next = arg;

	if (res->start > *next)
		return 1;	/* a hole: not reserved throughout */
	*next = max(*next, res->end + 1);
	return 0;
}

/* Inside one device-tree reserved-memory region, in or past the memory node. */
static bool cmheap_carveout_in_dt_reserved(phys_addr_t base, size_t size)
{
	struct device_node *parent, *np;
	bool inside = false;

	if (!IS_ENABLED(CONFIG_OF_RESERVED_MEM))
		return false;
	parent = of_find_node_by_path("/reserved-memory");
	if (!parent)
		return false;
	for_each_available_child_of_node(parent, np) {
		struct reserved_mem *rmem = of_reserved_mem_lookup(np);

		if (rmem && base >= rmem->base &&
		    base + size <= rmem->base + rmem->size) {
			inside = true;
			of_node_put(np);
			break;
		}
	}
	of_node_put(parent);
	return inside;
}

/*
 * Memory set aside as memory: e820 or EFI reserved (memmap=SIZE$BASE) from
 * end to end, or a device-tree reserved-memory region.  "Not System RAM"
 * alone is not enough: an unbound PCI BAR is not System RAM either, and
 * the pages route would map a device's registers write-back.
 */
static bool cmheap_carveout_reserved(phys_addr_t base, size_t size)
{
	resource_size_t next = base;

	if (cmheap_carveout_in_dt_reserved(base, size))
		return true;
	walk_iomem_res_desc(IORES_DESC_RESERVED, IORESOURCE_MEM, base,
			    base + size - 1, &next,
			    cmheap_carveout_reserved_piece);
	return next >= base + size;
}

static int cmheap_carveout_busy_piece(struct resource *res, void *arg)
{
	return 1;
}

/* Whether a driver has claimed (IORESOURCE_BUSY) any of the range. */
static bool cmheap_carveout_busy(phys_addr_t base, size_t size)
{
	return walk_iomem_res_desc(IORES_DESC_NONE,
				   IORESOURCE_MEM | IORESOURCE_BUSY, base,
				   base + size - 1, NULL,
				   cmheap_carveout_busy_piece) == 1;
}

/* Everything that can be checked before anything is claimed. */
static int cmheap_carveout_check(const struct cmheap_carveout_region *r,
				 unsigned int index)
{
	unsigned int i;

	for (i = 0; i < index; i++) {
		const struct cmheap_carveout_region *o =
			&cmheap_carveout_regions[i];

		if (r->base < o->base + o->size && o->base < r->base + r->size) {
			pr_err("cmheap: carveout %pa+%#zx overlaps %pa+%#zx\n",
			       &r->base, r->size, &o->base, o->size);
			return -EINVAL;
		}
	}
	/* Memory the page allocator owns is not a carveout. */
	if (region_intersects(r->base, r->size, IORESOURCE_SYSTEM_RAM,
			      IORES_DESC_NONE) != REGION_DISJOINT) {
		pr_err("cmheap: carveout %pa+%#zx overlaps System RAM: reserve it (memmap=, mem=, no-map) first\n",
		       &r->base, r->size);
		return -EINVAL;
	}
	if (!cmheap_carveout_reserved(r->base, r->size)) {
		pr_err("cmheap: carveout %pa+%#zx is not reserved memory (e820 or EFI reserved, memmap=SIZE$BASE, a device-tree reserved-memory region): refused, it could be a device's\n",
		       &r->base, r->size);
		return -EINVAL;
	}
	/* memremap_pages() adds memory in hotplug subsections. */
	if (IS_ENABLED(CONFIG_ZONE_DEVICE) && cmheap_carveout_route_pages(r) &&
	    !IS_ALIGNED(r->base | r->size, SUBSECTION_SIZE)) {
		pr_err("cmheap: carveout %pa+%#zx: a cached region needs base and size %lu MiB aligned (struct pages come in memory-hotplug subsections)\n",
		       &r->base, r->size, SUBSECTION_SIZE >> 20);
		return -EINVAL;
	}
	return 0;
}

static void cmheap_carveout_put(struct cmheap_carveout_region *r)
{
	if (r->pool)
		gen_pool_destroy(r->pool);
	r->pool = NULL;
	if (r->vaddr) {
		if (cmheap_carveout_route_pages(r))
			cmheap_carveout_pages_unmap(r);
		else
			cmheap_carveout_pageless_unmap(r);
	}
	r->vaddr = NULL;
	if (r->claimed)
		release_mem_region(r->base, r->size);
	r->claimed = false;
}

/* Claims and maps a checked region, and gives it its allocator. */
static int cmheap_carveout_get(struct cmheap_carveout_region *r)
{
	int ret;

	if (!request_mem_region(r->base, r->size, "cmheap carveout")) {
		/* or it could not allocate its record of the claim */
		if (!cmheap_carveout_busy(r->base, r->size))
			return -ENOMEM;
		pr_err("cmheap: carveout %pa+%#zx is claimed by another driver\n",
		       &r->base, r->size);
		return -EBUSY;
	}
	r->claimed = true;
	if (cmheap_carveout_route_pages(r))
		ret = cmheap_carveout_pages_map(r);
	else
		ret = cmheap_carveout_pageless_map(r);
	if (ret)
		goto err;
	r->pool = gen_pool_create(PAGE_SHIFT, NUMA_NO_NODE);
	if (!r->pool) {
		ret = -ENOMEM;
		goto err;
	}
	/* First fit keeps free space in few, large extents. */
	gen_pool_set_algo(r->pool, gen_pool_first_fit, NULL);
	ret = gen_pool_add_virt(r->pool, (unsigned long)r->vaddr, r->base,
				r->size, NUMA_NO_NODE);
	if (ret)
		goto err;
	return 0;
err:
	cmheap_carveout_put(r);
	return ret;
}

static int cmheap_carveout_heap_add(enum cmheap_caching caching)
{
	struct cmheap_carveout_heap *co = &cmheap_carveout_heaps[caching];
	size_t size = 0;
	struct cmheap *heap;
	unsigned int i;

	for (i = 0; i < co->nr_regions; i++)
		size += co->regions[i]->size;
	heap = cmheap_heap_add(co->name, caching, co->ops, co);
	if (IS_ERR(heap))
		return PTR_ERR(heap);
	/* Removed with the heap's folder. */
	debugfs_create_file("carveout", 0444, heap->stats.dir, co,
			    &cmheap_carveout_fops);
	pr_info("cmheap: %s: %zu MiB in %u region(s), route %s (%s)\n",
		co->name, size >> 20, co->nr_regions, co->route,
		caching == CMHEAP_CACHED ?
		"memremap_pages: struct pages, write-back linear map, the whole DMA API" :
		"no struct pages: memremap WC, dma_map_resource");
	return 0;
}

int cmheap_carveout_init(void)
{
	unsigned int i;
	char *list;
	int ret;

	if (carveout && *carveout) {
		list = kstrdup(carveout, GFP_KERNEL);
		if (!list)
			return -ENOMEM;
		ret = cmheap_carveout_parse(list);
		kfree(list);
		if (ret)
			goto err;
	}
	ret = cmheap_carveout_from_dt();
	if (ret)
		goto err;
	for (i = 0; i < cmheap_carveout_nr; i++) {
		ret = cmheap_carveout_check(&cmheap_carveout_regions[i], i);
		if (ret)
			goto err;
	}

	for (i = 0; i < cmheap_carveout_nr; i++) {
		struct cmheap_carveout_region *r = &cmheap_carveout_regions[i];
		struct cmheap_carveout_heap *co =
			&cmheap_carveout_heaps[r->caching];

		/* A heap this kernel cannot give is absent, its region unused. */
		if (cmheap_carveout_route_pages(r) &&
		    !IS_ENABLED(CONFIG_ZONE_DEVICE)) {
			pr_info("cmheap: %s absent: this kernel has no ZONE_DEVICE, so carveout %pa+%#zx cannot have struct pages (memremap_pages); it stays unused\n",
				co->name, &r->base, r->size);
			continue;
		}
		ret = cmheap_carveout_get(r);
		if (ret)
			goto err;
		co->regions[co->nr_regions++] = r;
	}
	for (i = 0; i < ARRAY_SIZE(cmheap_carveout_heaps); i++) {
		if (!cmheap_carveout_heaps[i].nr_regions)
			continue;
		ret = cmheap_carveout_heap_add(i);
		if (ret)
			goto err;
	}
	return 0;
err:
	/* The caller removes any heap added; then this frees the regions. */
	return ret;
}

/* After the heaps are gone: every buffer is, since each pins the module. */
void cmheap_carveout_exit(void)
{
	unsigned int i;

	for (i = 0; i < cmheap_carveout_nr; i++)
		cmheap_carveout_put(&cmheap_carveout_regions[i]);
	for (i = 0; i < ARRAY_SIZE(cmheap_carveout_heaps); i++)
		cmheap_carveout_heaps[i].nr_regions = 0;
	cmheap_carveout_nr = 0;
}
