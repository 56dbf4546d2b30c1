// SPDX-License-Identifier: GPL-2.0
/*
 * Counters that tests and benchmarks read back from debugfs:
 * /sys/kernel/debug/cmheap/<heap or importer>/stats.
 */
#include <linux/debugfs.h>
#include <linux/export.h>
#include <linux/seq_file.h>

#include "cmheap.h"
#include "cmheap_compat.h"

static const char * const cmheap_stat_names[CMHEAP_STAT_COUNT] = {
	[CMHEAP_STAT_BUFFERS_LIVE]	= "buffers_live",
	[CMHEAP_STAT_BYTES_LIVE]	= "bytes_live",
	[CMHEAP_STAT_ALLOCS]		= "allocs",
	[CMHEAP_STAT_FREES]		= "frees",
	[CMHEAP_STAT_ALLOC_FAILURES]	= "alloc_failures",
	[CMHEAP_STAT_MAPS]		= "maps",
	[CMHEAP_STAT_UNMAPS]		= "unmaps",
	[CMHEAP_STAT_CPU_SYNCS]		= "cpu_syncs",
	[CMHEAP_STAT_CACHE_MAINT_OPS]	= "cache_maint_ops",
	[CMHEAP_STAT_ALLOC_CLEANS]	= "alloc_cleans",
	[CMHEAP_STAT_POOL_HITS]		= "pool_hits",
	[CMHEAP_STAT_POOL_ZEROED]	= "pool_zeroed_on_alloc",
	[CMHEAP_STAT_POOL_MISSES]	= "pool_misses",
	[CMHEAP_STAT_POOL_RETURNS]	= "pool_returns",
};

static struct dentry *cmheap_debugfs_root;

static int cmheap_stats_show(struct seq_file *m, void *unused)
{
	struct cmheap_stats *s = m->private;
	s64 v[CMHEAP_STAT_COUNT];
	int i;

	if (s->read) {
		s->read(s, v);
	} else {
		for (i = 0; i < CMHEAP_STAT_COUNT; i++)
			v[i] = atomic64_read(&s->v[i]);
	}
	for (i = 0; i < CMHEAP_STAT_COUNT; i++)
		seq_printf(m, "%s %lld\n", cmheap_stat_names[i], (long long)v[i]);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cmheap_stats);

int cmheap_debugfs_init(void)
{
	/* debugfs is optional: without it the counters are simply not shown. */
	cmheap_debugfs_root = debugfs_create_dir("cmheap", NULL);
	return 0;
}

struct dentry *cmheap_debugfs_dir(void)
{
	return cmheap_debugfs_root;
}

void cmheap_debugfs_exit(void)
{
	debugfs_remove_recursive(cmheap_debugfs_root);
	cmheap_debugfs_root = NULL;
}

void cmheap_stats_register(struct cmheap_stats *s, const char *name)
{
	s->dir = debugfs_create_dir(name, cmheap_debugfs_root);
	debugfs_create_file("stats", 0444, s->dir, s, &cmheap_stats_fops);
}
EXPORT_SYMBOL_NS_GPL(cmheap_stats_register, CMHEAP_NS);

void cmheap_stats_unregister(struct cmheap_stats *s)
{
	debugfs_remove_recursive(s->dir);
	s->dir = NULL;
}
EXPORT_SYMBOL_NS_GPL(cmheap_stats_unregister, CMHEAP_NS);
