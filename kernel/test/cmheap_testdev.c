// SPDX-License-Identifier: GPL-2.0
/*
 * The importer's test devices: a DMA-coherent one on every architecture and
 * a non-coherent one where the architecture has non-coherent DMA (arm64).
 * They are bare platform devices using the DMA API's direct mapping: no
 * IOMMU, no driver, just a struct device whose coherency we choose, so that
 * dma_map_sgtable() does exactly the cache maintenance a real device of
 * that kind would get.
 */
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/platform_device.h>

#include "cmheap_test.h"
#include "cmheap_compat.h"

#define CMHEAP_TESTDEV_COUNT	CMHEAP_FIRST_BUS_DEVICE

static const char * const cmheap_testdev_names[CMHEAP_TESTDEV_COUNT] = {
	[CMHEAP_DEV_COHERENT]		= "cmheap-coherent",
	[CMHEAP_DEV_NONCOHERENT]	= "cmheap-noncoherent",
};

static struct platform_device *cmheap_testdevs[CMHEAP_TESTDEV_COUNT];

static struct platform_device *cmheap_testdev_create(enum cmheap_device_id id)
{
	bool coherent = id == CMHEAP_DEV_COHERENT;
	struct platform_device_info info = {
		.name = cmheap_testdev_names[id],
		.id = PLATFORM_DEVID_NONE,
		.dma_mask = DMA_BIT_MASK(64),
	};
	struct platform_device *pdev;
	int ret;

	pdev = platform_device_register_full(&info);
	if (IS_ERR(pdev))
		return pdev;

	cmheap_dev_set_coherent(&pdev->dev, coherent);
	ret = dma_set_mask_and_coherent(&pdev->dev, DMA_BIT_MASK(64));
	if (ret)
		goto err;
	/*
	 * No limit on a segment's length, as for a device with a scatter-
	 * gather engine: the default 64 KiB would have the DMA API mapping
	 * segments longer than the device claims to take (DMA-API debugging
	 * says so for every order-8 entry).  A platform device always has
	 * the parameters to set (6.12's helper returns nothing).
	 */
	dma_set_max_seg_size(&pdev->dev, UINT_MAX);
	/* An architecture where all DMA is coherent has no such device. */
	if (dev_is_dma_coherent(&pdev->dev) != coherent) {
		ret = -ENODEV;
		goto err;
	}
	return pdev;
err:
	platform_device_unregister(pdev);
	return ERR_PTR(ret);
}

int cmheap_testdev_init(void)
{
	enum cmheap_device_id id;
	struct platform_device *pdev;

	int ret;

	for (id = 0; id < CMHEAP_TESTDEV_COUNT; id++) {
		pdev = cmheap_testdev_create(id);
		if (IS_ERR(pdev)) {
			if (PTR_ERR(pdev) == -ENODEV && id != CMHEAP_DEV_COHERENT)
				continue;
			cmheap_testdev_exit();
			return PTR_ERR(pdev);
		}
		cmheap_testdevs[id] = pdev;
		/*
		 * Added before any bus device, each takes the index its enum
		 * value names.
		 */
		ret = cmheap_device_add(&pdev->dev, "test", NULL, NULL, id);
		if (ret < 0) {
			cmheap_testdev_exit();
			return ret;
		}
		dev_info(&pdev->dev, "DMA test device, %scoherent\n",
			 dev_is_dma_coherent(&pdev->dev) ? "" : "non-");
	}
	return 0;
}

void cmheap_testdev_exit(void)
{
	enum cmheap_device_id id;

	for (id = 0; id < CMHEAP_TESTDEV_COUNT; id++) {
		if (!cmheap_testdevs[id])
			continue;
		cmheap_device_remove(id);
		platform_device_unregister(cmheap_testdevs[id]);
		cmheap_testdevs[id] = NULL;
	}
}

struct device *cmheap_testdev_get(enum cmheap_device_id id)
{
	if (id >= CMHEAP_TESTDEV_COUNT || !cmheap_testdevs[id])
		return NULL;
	return &cmheap_testdevs[id]->dev;
}
