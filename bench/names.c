// SPDX-License-Identifier: GPL-2.0
/* cmheap-bench: the names of every dimension, as written in the CSV. */
#include <linux/cmheap.h>

#include "bench.h"

const char *const op_names[OP_COUNT] = {
	[OP_MAP]		= "map",
	[OP_UNMAP]		= "unmap",
	[OP_MAP_UNMAP]		= "map_unmap",
	[OP_SYNC_DEV]		= "sync_dev",
	[OP_SYNC_CPU]		= "sync_cpu",
	[OP_DMABUF_SYNC]	= "dmabuf_sync",
	[OP_ALLOC_FREE_COLD]	= "alloc_free_cold",
	[OP_ALLOC_FREE_WARM]	= "alloc_free_warm",
	[OP_MMAP_TOUCH]		= "mmap_touch",
	[OP_CPU_WRITE]		= "cpu_write",
	[OP_CPU_READ]		= "cpu_read",
	[OP_ALLOC]		= "alloc",
	[OP_RANGE_SYNC_64TH]	= "range_sync_64th",
	[OP_RANGE_SYNC_8TH]	= "range_sync_8th",
	[OP_RANGE_SYNC_ALL]	= "range_sync_all",
	[OP_POOL_SHRINK]	= "pool_shrink",
};

const char *const sharing_names[SHARE_COUNT] = {
	[SHARE_OWN]	= "own",
	[SHARE_SHARED]	= "shared",
};

const char *const path_names[PATH_COUNT] = {
	[PATH_EXPORTER]	= "exporter",
	[PATH_RAW]	= "raw",
	[PATH_USER]	= "user",
};

const char *const dir_names[DIR_COUNT] = {
	[DIR_TO_DEVICE]		= "to_device",
	[DIR_FROM_DEVICE]	= "from_device",
	[DIR_BIDIRECTIONAL]	= "bidirectional",
};

const char *const attrs_names[ATTRS_COUNT] = {
	[ATTRS_NONE]		= "none",
	[ATTRS_SKIP_CPU_SYNC]	= "skip_cpu_sync",
};

const char *const cache_names[CS_COUNT] = {
	[CS_CLEAN]	= "clean",
	[CS_DIRTY]	= "dirty",
};

unsigned int dir_to_cmheap(int dir)
{
	switch (dir) {
	case DIR_TO_DEVICE:
		return CMHEAP_DIR_TO_DEVICE;
	case DIR_FROM_DEVICE:
		return CMHEAP_DIR_FROM_DEVICE;
	default:
		return CMHEAP_DIR_BIDIRECTIONAL;
	}
}
