// SPDX-License-Identifier: GPL-2.0
/*
 * What the DMA API does for a device: whether it may bounce, snoops the
 * CPU caches, goes through an IOMMU or sees memory at an offset.  The
 * heaps refuse or route attachments by these answers, and the test
 * module's importer reports them (CMHEAP_IOC_DEVICE_INFO): one answer for
 * both, exported.
 */
#include <linux/device.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/export.h>
#include <linux/iommu.h>
#include <linux/swiotlb.h>

#include "cmheap.h"
#include "cmheap_compat.h"

bool cmheap_dev_may_bounce(struct device *dev)
{
	return cmheap_max_map_bounces(dma_max_mapping_size(dev));
}
EXPORT_SYMBOL_NS_GPL(cmheap_dev_may_bounce, CMHEAP_NS);

/*
 * The uncached model's pages keep a cacheable alias in the linear map on
 * every architecture but x86, which changes the alias's memory type
 * (cmheap_compat.h).  The CPU may fetch through that alias speculatively at
 * any time, so a device that snoops the CPU caches can be served a stale
 * line instead of what the CPU's write-combined stores put in memory, and
 * its writes can stay in a cache the CPU's uncached reads never look in.
 * The clean at allocation does not prevent either; DRM turns
 * write-combining off on arm64 for the same reason
 * (drm_arch_can_wc_memory()).  Such a device may map those buffers only
 * through memory without a linear alias: the page-less carveout.
 */
bool cmheap_dev_snoops_alias(struct device *dev)
{
	return !CMHEAP_LINEAR_MAP_ATTRS && dev_is_dma_coherent(dev);
}
EXPORT_SYMBOL_NS_GPL(cmheap_dev_snoops_alias, CMHEAP_NS);

/*
 * It sees memory at an offset from the CPU (device-tree dma-ranges), which
 * dma-direct applies to pages but not to dma_map_resource() (see
 * cmheap_bus_address()).  Behind an IOMMU the offset is the IOMMU's.
 */
bool cmheap_dev_bus_offset(struct device *dev)
{
	return dev->dma_range_map && !cmheap_dev_translated(dev);
}
EXPORT_SYMBOL_NS_GPL(cmheap_dev_bus_offset, CMHEAP_NS);

/*
 * dma-direct bounces all of its streaming DMA through swiotlb (swiotlb=force,
 * a confidential-computing guest).  Memory without struct pages cannot be
 * bounced (swiotlb copies through the linear map, which it is not in): 7.3's
 * dma_map_resource() refuses it for such a device, where 6.12's handed the
 * device the memory itself, past the bounce the kernel was told to force.
 */
bool cmheap_dev_forces_bounce(struct device *dev)
{
	return !cmheap_dev_translated(dev) && is_swiotlb_force_bounce(dev);
}

/* Its DMA addresses are an IOMMU's translations, not physical addresses. */
bool cmheap_dev_translated(struct device *dev)
{
	struct iommu_domain *domain;

	if (!device_iommu_mapped(dev))
		return false;
	domain = iommu_get_domain_for_dev(dev);
	return domain && (domain->type & __IOMMU_DOMAIN_DMA_API);
}
EXPORT_SYMBOL_NS_GPL(cmheap_dev_translated, CMHEAP_NS);
