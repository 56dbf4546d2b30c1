// SPDX-License-Identifier: GPL-2.0
/*
 * cmheap: dma-buf heaps with selectable CPU caching models (cached and
 * write-combined), from system memory and from reserved carveouts.  The
 * test importer and its devices are another module, cmheap_test.ko, which
 * uses what this one exports (cmheap_exports.h).  See README.md.
 */
#include <linux/module.h>

#include "cmheap.h"
#include "cmheap_compat.h"

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
	ret = cmheap_pools_init();
	if (ret)
		goto err_maint;
	ret = cmheap_system_init();
	if (ret)
		goto err_heaps;
	ret = cmheap_carveout_init();
	if (ret)
		goto err_heaps;
	/* User-visible nodes last, and usable only once all of them exist. */
	ret = cmheap_heaps_register();
	if (ret)
		goto err_heaps;
	/* Pairs with cmheap_is_up(): opens see everything init did. */
	smp_store_release(&cmheap_up, true);
	return 0;

err_heaps:
	cmheap_pools_exit();
	cmheap_heap_remove_all();
	cmheap_carveout_exit();
err_maint:
	cmheap_maint_dev_exit();
err_debugfs:
	cmheap_debugfs_exit();
	return ret;
}

static void __exit cmheap_exit(void)
{
	/* The pools, and their debugfs files, before their heaps. */
	cmheap_pools_exit();
	cmheap_heap_remove_all();
	cmheap_carveout_exit();
	cmheap_maint_dev_exit();
	cmheap_debugfs_exit();
}

module_init(cmheap_init);
module_exit(cmheap_exit);

MODULE_DESCRIPTION("dma-buf heaps with selectable CPU caching models");
MODULE_LICENSE("GPL");
MODULE_AUTHOR("The cmheap developers");
MODULE_VERSION(CMHEAP_VERSION);
MODULE_IMPORT_NS(CMHEAP_DMA_BUF_NS);
