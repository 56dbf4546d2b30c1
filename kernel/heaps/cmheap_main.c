// SPDX-License-Identifier: GPL-2.0
/*
 * cmheap: dma-buf heaps with selectable CPU caching models (cached and
 * write-combined), and an importer that attaches any dma-buf to a coherent
 * or non-coherent test device.  See README.md.
 */
#include <linux/module.h>

#include "cmheap.h"

static bool cmheap_up;

bool cmheap_is_up(void)
{
	/* Pairs with the release in cmheap_init(): all of init is seen. */
	return smp_load_acquire(&cmheap_up);
}

static int __init cmheap_init(void)
{
	int ret;

	ret = cmheap_debugfs_init();
	if (ret)
		return ret;
	/* The heaps clean caches through it from their first allocation. */
	ret = cmheap_maint_dev_init();
	if (ret)
		goto err_debugfs;
	ret = cmheap_testdev_init();
	if (ret)
		goto err_maint;
	/* Bus devices after the test devices, which take the first indices. */
	ret = cmheap_edu_init();
	if (ret)
		goto err_testdev;
	ret = cmheap_bind_init();
	if (ret)
		goto err_edu;
	ret = cmheap_pools_init();
	if (ret)
		goto err_bind;
	ret = cmheap_system_init();
	if (ret)
		goto err_heaps;
	ret = cmheap_carveout_init();
	if (ret)
		goto err_heaps;
	/* User-visible nodes last, and usable only once all of them exist. */
	ret = cmheap_importer_init();
	if (ret)
		goto err_heaps;
	ret = cmheap_heaps_register();
	if (ret)
		goto err_importer;
	/* Pairs with cmheap_is_up(): opens see everything init did. */
	smp_store_release(&cmheap_up, true);
	return 0;

err_importer:
	cmheap_importer_exit();
err_heaps:
	cmheap_pools_exit();
	cmheap_heap_remove_all();
	cmheap_carveout_exit();
err_bind:
	cmheap_bind_exit();
err_edu:
	cmheap_edu_exit();
err_testdev:
	cmheap_testdev_exit();
err_maint:
	cmheap_maint_dev_exit();
err_debugfs:
	cmheap_debugfs_exit();
	return ret;
}

static void __exit cmheap_exit(void)
{
	cmheap_importer_exit();
	/* The pools, and their debugfs files, before their heaps. */
	cmheap_pools_exit();
	cmheap_heap_remove_all();
	cmheap_carveout_exit();
	cmheap_bind_exit();
	cmheap_edu_exit();
	cmheap_testdev_exit();
	cmheap_maint_dev_exit();
	cmheap_debugfs_exit();
}

module_init(cmheap_init);
module_exit(cmheap_exit);

MODULE_DESCRIPTION("dma-buf heaps with selectable CPU caching models, and a DMA test importer");
MODULE_LICENSE("GPL");
MODULE_AUTHOR("The cmheap developers");
MODULE_VERSION(CMHEAP_VERSION);
MODULE_IMPORT_NS(DMA_BUF);
