// SPDX-License-Identifier: GPL-2.0
/*
 * A buffer's scatterlist cut to what one device takes, for the exporter's
 * attachment tables and the importer's raw baseline alike.  An entry of an
 * order-8 block is 1 MiB and a carveout buffer one entry of any length; a
 * device that takes 64 KiB per segment (what the DMA API assumes of one
 * that never said), that bounces through swiotlb (256 KiB per mapping) or
 * whose segments must not cross a 4 GiB line (every PCI device's segment
 * boundary) would be handed segments it cannot take: DMA-API debugging
 * reports them, swiotlb fails the map, and hardware wraps its address
 * counter at the boundary.  dma-direct maps each entry as one segment at
 * its physical address, so the cuts are made here, by physical address;
 * an IOMMU merges the pieces again within the same limits.
 */
#include <linux/dma-mapping.h>
#include <linux/export.h>
#include <linux/minmax.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>

#include "cmheap.h"
#include "cmheap_compat.h"

/* How much of @len bytes at @phys one segment may hold. */
static unsigned int cmheap_seg_len(phys_addr_t phys, unsigned int len,
				   unsigned int max_seg, unsigned long boundary)
{
	/* The bytes after @phys up to the boundary's last: no overflow. */
	u64 room = boundary - (phys & boundary);

	len = min(len, max_seg);
	if (room < len - 1)
		len = room + 1;
	return len;
}

/* Walks @src's pieces; fills @dst when not NULL.  Their number. */
static unsigned int cmheap_sg_cut(struct scatterlist *dst,
				  const struct sg_table *src,
				  unsigned int max_seg, unsigned long boundary)
{
	unsigned int i, off, len, n = 0;
	struct scatterlist *s;

	for_each_sgtable_sg(src, s, i) {
		for (off = 0; off < s->length; off += len) {
			unsigned int at = s->offset + off;

			len = cmheap_seg_len(sg_phys(s) + off, s->length - off,
					     max_seg, boundary);
			n++;
			if (!dst)
				continue;
			sg_set_page(dst, cmheap_nth_page(sg_page(s), at >> PAGE_SHIFT),
				    len, offset_in_page(at));
			dst = sg_next(dst);
		}
	}
	return n;
}

/* The device's longest segment, in whole pages so that no cut splits one. */
static unsigned int cmheap_max_seg(struct device *dev, size_t max_map)
{
	unsigned int max_seg = min_t(size_t, dma_get_max_seg_size(dev),
				     max_map);

	return max_t(unsigned int, round_down(max_seg, PAGE_SIZE), PAGE_SIZE);
}

int cmheap_sg_copy_for(struct sg_table *dst, const struct sg_table *src,
		       struct device *dev)
{
	unsigned int max_seg = cmheap_max_seg(dev, dma_max_mapping_size(dev));
	unsigned long boundary = dma_get_seg_boundary(dev);
	int ret;

	ret = sg_alloc_table(dst, cmheap_sg_cut(NULL, src, max_seg, boundary),
			     GFP_KERNEL_ACCOUNT);
	if (!ret)
		cmheap_sg_cut(dst->sgl, src, max_seg, boundary);
	return ret;
}
EXPORT_SYMBOL_NS_GPL(cmheap_sg_copy_for, CMHEAP_NS);

/* Walks @len bytes at @phys in pieces; sets lengths when @dst.  Their number. */
static unsigned int cmheap_range_cut(struct scatterlist *dst, phys_addr_t phys,
				     size_t len, unsigned int max_seg,
				     unsigned long boundary)
{
	unsigned int piece, n = 0;
	size_t off;

	for (off = 0; off < len; off += piece) {
		piece = cmheap_seg_len(phys + off,
				       min_t(size_t, len - off, max_seg),
				       max_seg, boundary);
		n++;
		if (!dst)
			continue;
		dst->length = piece;
		dst = sg_next(dst);
	}
	return n;
}

int cmheap_sg_range_for(struct sg_table *dst, phys_addr_t phys, size_t len,
			struct device *dev)
{
	/* dma_map_resource() never bounces: no mapping-size limit. */
	unsigned int max_seg = cmheap_max_seg(dev, SIZE_MAX);
	unsigned long boundary = dma_get_seg_boundary(dev);
	int ret;

	ret = sg_alloc_table(dst, cmheap_range_cut(NULL, phys, len, max_seg,
						   boundary),
			     GFP_KERNEL_ACCOUNT);
	if (!ret)
		cmheap_range_cut(dst->sgl, phys, len, max_seg, boundary);
	return ret;
}
