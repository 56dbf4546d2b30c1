// SPDX-License-Identifier: GPL-2.0
/*
 * Carveout heaps: dma-bufs from memory the page allocator never owned
 * (memmap=, mem=, a reserved-memory node with no-map), the problem of the
 * ION carveout thread.  Such memory has no struct page and no linear
 * mapping, so nothing page-based works on it: not sg_page(), not the DMA
 * API's cache maintenance (it needs a kernel address), not vmap().
 *
 * This is the page-less route: the range is mapped write-combined for the
 * kernel once (memremap(MEMREMAP_WC)), buffers are carved from it by
 * genalloc as one physically contiguous piece each, user mappings are
 * write-combined remap_pfn_range(), and devices get dma_map_resource()
 * addresses.  Without a cacheable mapping anywhere the only caching model
 * possible is uncached: cmheap-carveout-uncached.  Buffers are zeroed
 * before anyone sees them and again when freed, so nothing survives to the
 * next owner.
 *
 * carveout=SIZE@BASE names the range (memparse sizes: 64M@0x78000000).  It
 * must be page aligned, inside nothing the kernel calls System RAM, and
 * not claimed by another driver.
 */
#include <linux/debugfs.h>
#include <linux/genalloc.h>
#include <linux/io.h>
#include <linux/ioport.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/seq_file.h>
#include <linux/slab.h>

#include "cmheap.h"

static char *carveout;
module_param(carveout, charp, 0444);
MODULE_PARM_DESC(carveout,
		 "Memory the kernel does not own, for the carveout heap: SIZE@BASE, e.g. 64M@0x78000000 (see README)");

struct cmheap_carveout {
	phys_addr_t base;
	size_t size;
	void *vaddr;			/* write-combined kernel mapping */
	struct gen_pool *pool;		/* virtual addresses, with phys */
};

static struct cmheap_carveout cmheap_carveout_region;

static int cmheap_carveout_allocate(struct cmheap *heap, size_t len,
				    phys_addr_t *phys, void **vaddr)
{
	struct cmheap_carveout *co = heap->priv;
	unsigned long va;

	va = gen_pool_alloc(co->pool, len);
	if (!va)
		return -ENOMEM;
	memset((void *)va, 0, len);
	/* Drain the WC buffers: the zeroes reach memory before anyone looks. */
	wmb();
	*vaddr = (void *)va;
	*phys = gen_pool_virt_to_phys(co->pool, va);
	return 0;
}

static void cmheap_carveout_release(struct cmheap *heap, phys_addr_t phys,
				    void *vaddr, size_t len)
{
	struct cmheap_carveout *co = heap->priv;

	/* What a buffer held never reaches the range's next owner. */
	memset(vaddr, 0, len);
	/* Drain the WC buffers before the range can be handed out again. */
	wmb();
	gen_pool_free(co->pool, (unsigned long)vaddr, len);
}

static const struct cmheap_heap_ops cmheap_carveout_ops = {
	.allocate_range = cmheap_carveout_allocate,
	.release_range = cmheap_carveout_release,
};

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

static int cmheap_carveout_show(struct seq_file *m, void *unused)
{
	struct cmheap_carveout *co = m->private;
	unsigned long largest = 0;

	gen_pool_for_each_chunk(co->pool, cmheap_carveout_largest, &largest);
	seq_puts(m, "route pageless\n");
	seq_printf(m, "size %zu\n", co->size);
	seq_printf(m, "available %zu\n", gen_pool_avail(co->pool));
	seq_printf(m, "largest_free %lu\n", largest);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cmheap_carveout);

/* Parses SIZE@BASE and checks the range is ours to take. */
static int cmheap_carveout_parse(const char *arg, phys_addr_t *base,
				 size_t *size)
{
	char *end;
	u64 sz, b;

	sz = memparse(arg, &end);
	if (*end != '@')
		return -EINVAL;
	b = memparse(end + 1, &end);
	if (*end && *end != '\n')
		return -EINVAL;
	if (!sz || !PAGE_ALIGNED(sz) || !PAGE_ALIGNED(b) || b + sz < b)
		return -EINVAL;
	*base = b;
	*size = sz;
	return 0;
}

int cmheap_carveout_init(void)
{
	struct cmheap_carveout *co = &cmheap_carveout_region;
	struct cmheap *heap;
	int ret;

	if (!carveout || !*carveout)
		return 0;
	ret = cmheap_carveout_parse(carveout, &co->base, &co->size);
	if (ret) {
		pr_err("cmheap: carveout=%s: not SIZE@BASE, page aligned\n",
		       carveout);
		return ret;
	}
	/* Memory the page allocator owns is not a carveout. */
	if (region_intersects(co->base, co->size, IORESOURCE_SYSTEM_RAM,
			      IORES_DESC_NONE) != REGION_DISJOINT) {
		pr_err("cmheap: carveout %pa+%#zx overlaps System RAM: reserve it (memmap=, mem=, no-map) first\n",
		       &co->base, co->size);
		return -EINVAL;
	}
	if (!request_mem_region(co->base, co->size, "cmheap carveout")) {
		pr_err("cmheap: carveout %pa+%#zx is claimed by another driver\n",
		       &co->base, co->size);
		return -EBUSY;
	}
	co->vaddr = memremap(co->base, co->size, MEMREMAP_WC);
	if (!co->vaddr) {
		pr_err("cmheap: carveout %pa+%#zx cannot be mapped write-combined\n",
		       &co->base, co->size);
		ret = -ENOMEM;
		goto err_release;
	}
	co->pool = gen_pool_create(PAGE_SHIFT, NUMA_NO_NODE);
	if (!co->pool) {
		ret = -ENOMEM;
		goto err_unmap;
	}
	/* First fit keeps free space in few, large extents. */
	gen_pool_set_algo(co->pool, gen_pool_first_fit, NULL);
	ret = gen_pool_add_virt(co->pool, (unsigned long)co->vaddr, co->base,
				co->size, NUMA_NO_NODE);
	if (ret)
		goto err_pool;

	heap = cmheap_heap_add("cmheap-carveout-uncached", CMHEAP_UNCACHED,
			       &cmheap_carveout_ops, co);
	if (IS_ERR(heap)) {
		ret = PTR_ERR(heap);
		goto err_pool;
	}
	/* Removed with the heap's folder. */
	debugfs_create_file("carveout", 0444, heap->stats.dir, co,
			    &cmheap_carveout_fops);
	pr_info("cmheap: carveout %pa+%#zx: cmheap-carveout-uncached (page-less: memremap WC, dma_map_resource)\n",
		&co->base, co->size);
	return 0;

err_pool:
	gen_pool_destroy(co->pool);
	co->pool = NULL;
err_unmap:
	memunmap(co->vaddr);
err_release:
	release_mem_region(co->base, co->size);
	return ret;
}

/* After the heaps are gone: every buffer is, since each pins the module. */
void cmheap_carveout_exit(void)
{
	struct cmheap_carveout *co = &cmheap_carveout_region;

	if (!co->pool)
		return;
	gen_pool_destroy(co->pool);
	co->pool = NULL;
	memunmap(co->vaddr);
	release_mem_region(co->base, co->size);
}
