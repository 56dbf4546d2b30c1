// SPDX-License-Identifier: GPL-2.0
/*
 * cmheap_test: the privileged test importer /dev/cmheap, which attaches any
 * dma-buf to a coherent or non-coherent test device, QEMU's edu DMA engine
 * or a device handed over through driver_override, and maps, syncs and
 * times it.  Test machinery, apart from the heaps a board ships
 * (cmheap.ko); what it knows of cmheap's own buffers it asks cmheap.ko
 * through the exports of the CMHEAP namespace.  See README.md.
 */
#include <linux/module.h>

#include "cmheap_test.h"
#include "cmheap_compat.h"

static bool cmheap_test_up;

bool cmheap_test_is_up(void)
{
	/* Pairs with the release in cmheap_test_init(): all of init is seen. */
	return smp_load_acquire(&cmheap_test_up);
}

static int __init cmheap_test_init(void)
{
	int ret;

	ret = cmheap_testdev_init();
	if (ret)
		return ret;
	/* Bus devices after the test devices, which take the first indices. */
	ret = cmheap_edu_init();
	if (ret)
		goto err_testdev;
	ret = cmheap_bind_init();
	if (ret)
		goto err_edu;
	/* The user-visible node last. */
	ret = cmheap_importer_init();
	if (ret)
		goto err_bind;
	/* Pairs with cmheap_test_is_up(): opens see everything init did. */
	smp_store_release(&cmheap_test_up, true);
	return 0;

err_bind:
	cmheap_bind_exit();
err_edu:
	cmheap_edu_exit();
err_testdev:
	cmheap_testdev_exit();
	return ret;
}

static void __exit cmheap_test_exit(void)
{
	cmheap_importer_exit();
	cmheap_bind_exit();
	cmheap_edu_exit();
	cmheap_testdev_exit();
}

module_init(cmheap_test_init);
module_exit(cmheap_test_exit);

MODULE_DESCRIPTION("cmheap's DMA test importer (/dev/cmheap) and its test devices");
MODULE_LICENSE("GPL");
MODULE_AUTHOR("The cmheap developers");
MODULE_VERSION(CMHEAP_VERSION);
MODULE_IMPORT_NS(CMHEAP_NS);
MODULE_IMPORT_NS(CMHEAP_DMA_BUF_NS);
