// SPDX-License-Identifier: GPL-2.0
/*
 * The heaps' own device for CPU cache maintenance.
 *
 * Where the linear map keeps its memory type (arm64), the pages of an
 * uncached buffer must leave the CPU caches before a write-combined
 * mapping of them is handed out, and no exported interface cleans the
 * caches for a module but the DMA API: dma_map_sgtable() for a non-coherent
 * device does exactly the clean and invalidate the architecture needs.
 * Upstream's uncached system heap did the same through its heap device.
 *
 * A root device (/sys/devices/cmheap-maint), neither on a bus nor with a
 * driver, so the heaps need none of the importer's test devices: DMA
 * through dma-direct, no IOMMU, a 64-bit mask, no segment limit, and
 * non-coherent wherever the architecture has non-coherent DMA.  Where all
 * DMA is coherent (x86) there is nothing to clean and no device.
 */
#include <linux/device.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>

#include "cmheap.h"
#include "cmheap_compat.h"

static struct device *cmheap_maint;
/* A root device has none: dma_set_max_seg_size() needs them. */
static struct device_dma_parameters cmheap_maint_parms;

int cmheap_maint_dev_init(void)
{
	struct device *dev;
	int ret;

	dev = root_device_register("cmheap-maint");
	if (IS_ERR(dev))
		return PTR_ERR(dev);
	cmheap_dev_set_coherent(dev, false);
	if (dev_is_dma_coherent(dev)) {
		root_device_unregister(dev);
		return 0;
	}
	dev->dma_parms = &cmheap_maint_parms;
	dev->dma_mask = &dev->coherent_dma_mask;
	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64));
	if (ret) {
		root_device_unregister(dev);
		return ret;
	}
	/* the pools' order-8 blocks in one entry, as DMA-API debugging checks */
	dma_set_max_seg_size(dev, UINT_MAX);
	cmheap_maint = dev;
	return 0;
}

void cmheap_maint_dev_exit(void)
{
	if (!cmheap_maint)
		return;
	root_device_unregister(cmheap_maint);
	cmheap_maint = NULL;
}

struct device *cmheap_maint_dev(void)
{
	return cmheap_maint;
}
