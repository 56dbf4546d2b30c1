// SPDX-License-Identifier: GPL-2.0
/*
 * A board's own devices as importer devices, so that its IOMMU, its DMA
 * masks and its coherency are what gets measured, as the kernel's map
 * benchmark (kernel/dma/map_benchmark.c) binds to real devices: a PCI or
 * platform driver named "cmheap" that matches no device by itself and
 * takes one only when the user hands it over through driver_override.
 *
 * The device keeps the DMA configuration its bus gave it (mask, IOMMU
 * domain, coherency); cmheap only maps buffers for it and never starts
 * it: no bus mastering, no registers touched.  Taking a device from its
 * driver stops what that driver did with it until it is given back.
 */
#include <linux/device.h>
#include <linux/dma-map-ops.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/platform_device.h>

#include "cmheap_compat.h"
#include "cmheap_test.h"

struct cmheap_bound {
	int index;			/* in the importer's devices */
};

static int cmheap_bind_add(struct device *dev, const char *kind)
{
	struct cmheap_bound *bound;

	bound = devm_kzalloc(dev, sizeof(*bound), GFP_KERNEL);
	if (!bound)
		return -ENOMEM;
	bound->index = cmheap_device_add(dev, kind, NULL, NULL,
					 CMHEAP_FIRST_BUS_DEVICE);
	if (bound->index < 0)
		return bound->index;
	dev_set_drvdata(dev, bound);
	dev_info(dev, "bound to cmheap: importer device %d, %s%s%s\n",
		 bound->index,
		 dev_is_dma_coherent(dev) ? "coherent" : "non-coherent",
		 cmheap_dev_translated(dev) ? ", behind an IOMMU" : "",
		 cmheap_dev_may_bounce(dev) ? ", may bounce (swiotlb)" : "");
	return 0;
}

static void cmheap_bind_remove(struct device *dev)
{
	struct cmheap_bound *bound = dev_get_drvdata(dev);

	cmheap_device_remove(bound->index);
}

static int cmheap_bind_pci_probe(struct pci_dev *pdev,
				 const struct pci_device_id *id)
{
	return cmheap_bind_add(&pdev->dev, "pci");
}

static void cmheap_bind_pci_remove(struct pci_dev *pdev)
{
	cmheap_bind_remove(&pdev->dev);
}

/* No id table: only driver_override matches it. */
static struct pci_driver cmheap_bind_pci_driver = {
	.name		= "cmheap",
	.probe		= cmheap_bind_pci_probe,
	.remove		= cmheap_bind_pci_remove,
};

static int cmheap_bind_platform_probe(struct platform_device *pdev)
{
	return cmheap_bind_add(&pdev->dev, "platform");
}

static void cmheap_bind_platform_remove(struct platform_device *pdev)
{
	cmheap_bind_remove(&pdev->dev);
}

static struct platform_driver cmheap_bind_platform_driver = {
	.driver		= {
		.name	= "cmheap",
	},
	.probe		= cmheap_bind_platform_probe,
	/* returns void: cmheap_compat.h names the member that does */
	.CMHEAP_PLATFORM_REMOVE	= cmheap_bind_platform_remove,
};

int cmheap_bind_init(void)
{
	int ret;

	ret = pci_register_driver(&cmheap_bind_pci_driver);
	if (ret)
		return ret;
	ret = platform_driver_register(&cmheap_bind_platform_driver);
	if (ret)
		pci_unregister_driver(&cmheap_bind_pci_driver);
	return ret;
}

void cmheap_bind_exit(void)
{
	platform_driver_unregister(&cmheap_bind_platform_driver);
	pci_unregister_driver(&cmheap_bind_pci_driver);
}
