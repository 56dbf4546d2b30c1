// SPDX-License-Identifier: GPL-2.0
/*
 * Page pools of the system heaps, as the heaps of Android's and vendors'
 * kernels and TTM's pools have them: a freed buffer's pages stay with the
 * heap, one list per order, instead of going back to the page allocator,
 * so the next buffer skips the allocator, the zeroing and, for the
 * uncached heap, the change of memory type (x86) or the cache clean
 * (arm64) that each fresh page costs.
 *
 * - Zeroing is deferred: a freed page goes on its order's dirty list and
 *   a worker zeroes it onto the ready list (and cleans it, for the
 *   uncached heap where the linear map stays cacheable).  An allocation
 *   takes ready pages first, and zeroes a dirty page itself only when
 *   none is ready.  No page leaves the pool unzeroed.
 * - The uncached heap's pages stay write-combined while pooled, and go
 *   back to write-back in one batch when they leave the pool.
 * - The pool is capped (pool_limit_mb, for all heaps together), the
 *   kernel's shrinker takes pages back under memory pressure, and an
 *   allocation the page allocator still cannot meet drains every pool and
 *   tries once more.
 * - Pooled pages are reclaimable kernel memory (KReclaimable in
 *   /proc/meminfo), charged to no memory cgroup.  A module cannot move a
 *   page's cgroup charge (the kernel exports no kmem charge API), and a
 *   charged page kept here would hold its cgroup's memory where only
 *   global reclaim, not the cgroup's own, could take it back.  So pages
 *   of buffers charged to a cgroup (every task outside the root cgroup)
 *   go straight back to the page allocator, and the pools serve root
 *   cgroup allocations only: the charge follows the buffers, exactly as
 *   without pools, and no pooled page ever counts against a container.
 * - pools=0 turns pooling off (and drains the pools), so a benchmark can
 *   measure with and without pools in one run.
 */
#include <linux/debugfs.h>
#include <linux/highmem.h>
#include <linux/memcontrol.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched/signal.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/vmstat.h>
#include <linux/workqueue.h>

#include "cmheap.h"
#include "cmheap_compat.h"

#define CMHEAP_POOL_MAX_ORDER	8

struct cmheap_pool_list {
	struct list_head ready;		/* zeroed, and clean if uncached */
	struct list_head dirty;		/* as their last buffer left them */
	unsigned long nr_ready;		/* blocks of this order */
	unsigned long nr_dirty;
	unsigned long nr_zeroing;	/* off the lists, in the worker's hands */
};

struct cmheap_pool {
	struct cmheap *heap;
	bool keep_wc;			/* the uncached heap's pool */
	unsigned int max_order;
	spinlock_t lock;		/* the lists */
	struct cmheap_pool_list lists[CMHEAP_POOL_MAX_ORDER + 1];
	struct work_struct zero_work;
	struct dentry *debugfs;
	struct list_head node;
};

static LIST_HEAD(cmheap_pools);		/* set up at init, gone at exit */
/*
 * Guards the list of pools and cmheap_pools_dead.  Nobody allocates memory
 * under it, and the shrinker only tries it: a reclaim inside a drain must
 * not wait on it.
 */
static DEFINE_MUTEX(cmheap_pools_lock);
/*
 * Set when exit tears the pools down.  The parameter files outlive the
 * module's exit (the module core removes them after ->exit returns), so a
 * "pools=0" written during rmmod still calls the drain: it must find
 * nothing to walk, not pools being freed.
 */
static bool cmheap_pools_dead;
static atomic_long_t cmheap_pool_pages;	/* in every pool, in pages */
static atomic_long_t cmheap_pool_shrunk;	/* pages the shrinker freed */
static atomic_long_t cmheap_pool_drained;	/* by pools=0 or an allocation */
static struct shrinker *cmheap_pool_shrinker;
static struct dentry *cmheap_pool_debugfs;

static unsigned int pool_limit_mb = 256;
module_param(pool_limit_mb, uint, 0644);
MODULE_PARM_DESC(pool_limit_mb,
		 "Most memory the system heaps' page pools keep, in MiB, all heaps together (default 256)");

/*
 * Off, freed blocks wait dirty and each allocation zeroes what it takes:
 * what the background zeroing buys can be measured.
 */
static bool pool_zero_background = true;
module_param(pool_zero_background, bool, 0644);
MODULE_PARM_DESC(pool_zero_background,
		 "Zero freed pool pages in a background worker (default on; off: allocations zero them)");

static bool pools = true;

static int cmheap_pools_set(const char *val, const struct kernel_param *kp)
{
	int ret = param_set_bool(val, kp);

	/* Off means off: what the pools hold goes back at once. */
	if (!ret && !READ_ONCE(pools))
		cmheap_pools_drain();
	return ret;
}

static const struct kernel_param_ops cmheap_pools_ops = {
	.set = cmheap_pools_set,
	.get = param_get_bool,
};
module_param_cb(pools, &cmheap_pools_ops, &pools, 0644);
MODULE_PARM_DESC(pools,
		 "Keep freed system heap pages in per-order pools, zeroed in the background (default on; 0 drains them)");

bool cmheap_caller_charged(void)
{
	struct mem_cgroup *memcg;
	bool charged;

	rcu_read_lock();
	memcg = mem_cgroup_from_task(current);
	/* The root cgroup is never charged. */
	charged = memcg && parent_mem_cgroup(memcg);
	rcu_read_unlock();
	return charged;
}

static bool cmheap_page_charged(struct page *page)
{
	bool charged;

	rcu_read_lock();
	charged = folio_memcg(page_folio(page));
	rcu_read_unlock();
	return charged;
}

/*
 * Pooled pages count as reclaimable kernel memory, node by node.  A page
 * coming in must fit under @limit pages in all: the room is taken before
 * the check, so that frees racing each other cannot all pass it and
 * overshoot pool_limit_mb.  False, and nothing counted, when it does not
 * fit.  A page going out (@sign -1) always succeeds.
 */
static bool cmheap_pool_account(struct page *page, long sign, long limit)
{
	long n = sign * (1L << compound_order(page));

	if (atomic_long_add_return(n, &cmheap_pool_pages) > limit && sign > 0) {
		atomic_long_sub(n, &cmheap_pool_pages);
		return false;
	}
	mod_node_page_state(page_pgdat(page), NR_KERNEL_MISC_RECLAIMABLE, n);
	return true;
}

/* The first block of @list, unlinked, or NULL. */
static struct page *cmheap_pool_pop(struct list_head *list, unsigned long *nr)
{
	struct page *page = list_first_entry_or_null(list, struct page, lru);

	if (page) {
		list_del(&page->lru);
		(*nr)--;
	}
	return page;
}

static void cmheap_zero_page(struct page *page)
{
	unsigned int i, n = 1U << compound_order(page);

	for (i = 0; i < n; i++) {
		clear_highpage(page + i);
		/* An order-8 page is 1 MiB of stores. */
		if ((i & 63) == 63)
			cond_resched();
	}
}

bool cmheap_pools_serve(bool charged)
{
	return READ_ONCE(pools) && !charged;
}

struct page *cmheap_pool_take(struct cmheap_pool *pool, unsigned int order,
			      bool *clean_it)
{
	struct cmheap_pool_list *list = &pool->lists[order];
	struct cmheap_stats *stats = &pool->heap->stats;
	struct page *page = NULL;
	bool dirty = false;

	*clean_it = false;
	if (!READ_ONCE(pools) || order > pool->max_order)
		return NULL;
	spin_lock(&pool->lock);
	page = cmheap_pool_pop(&list->ready, &list->nr_ready);
	if (!page) {
		page = cmheap_pool_pop(&list->dirty, &list->nr_dirty);
		dirty = !!page;
	}
	spin_unlock(&pool->lock);
	if (!page)
		return NULL;
	cmheap_pool_account(page, -1, LONG_MAX);
	if (dirty) {
		/*
		 * Write-combined pages are zeroed through their WC linear
		 * map and leave no line behind; elsewhere the zeroes are in
		 * the caches and the caller cleans them.
		 */
		cmheap_zero_page(page);
		*clean_it = pool->keep_wc && !CMHEAP_LINEAR_MAP_ATTRS;
		cmheap_stat_add(stats, CMHEAP_STAT_POOL_ZEROED, 1);
	} else {
		cmheap_stat_add(stats, CMHEAP_STAT_POOL_HITS, 1);
	}
	return page;
}

bool cmheap_pool_give(struct cmheap_pool *pool, struct page *page)
{
	unsigned int order = compound_order(page);
	long limit = (long)READ_ONCE(pool_limit_mb) << (20 - PAGE_SHIFT);

	if (!READ_ONCE(pools) || order > pool->max_order ||
	    cmheap_page_charged(page) || !cmheap_pool_account(page, 1, limit))
		return false;
	spin_lock(&pool->lock);
	list_add_tail(&page->lru, &pool->lists[order].dirty);
	pool->lists[order].nr_dirty++;
	spin_unlock(&pool->lock);
	cmheap_stat_add(&pool->heap->stats, CMHEAP_STAT_POOL_RETURNS, 1);
	if (READ_ONCE(pool_zero_background))
		queue_work(system_unbound_wq, &pool->zero_work);
	return true;
}

static void cmheap_pool_release(struct cmheap_pool *pool,
				struct list_head *pages, unsigned long npages);

/* Zeroes (and cleans) dirty pages onto the ready lists, largest first. */
static void cmheap_pool_zero_work(struct work_struct *work)
{
	struct cmheap_pool *pool = container_of(work, struct cmheap_pool,
						zero_work);
	int order;

	for (order = pool->max_order; order >= 0; order--) {
		struct cmheap_pool_list *list = &pool->lists[order];

		while (READ_ONCE(pool_zero_background)) {
			struct page *page;

			spin_lock(&pool->lock);
			page = cmheap_pool_pop(&list->dirty, &list->nr_dirty);
			if (page)
				list->nr_zeroing++;
			spin_unlock(&pool->lock);
			if (!page)
				break;
			/*
			 * Off the lists meanwhile, but still counted: the
			 * shrinker skips it, and a drain waits for it.
			 */
			cmheap_zero_page(page);
			/*
			 * Pools turned off meanwhile, or a page not fit
			 * for uncached use: back to the page allocator.
			 */
			if (!READ_ONCE(pools) ||
			    (pool->keep_wc &&
			     cmheap_memtype_clean_page(pool->heap, page))) {
				LIST_HEAD(one);

				list_add(&page->lru, &one);
				cmheap_pool_release(pool, &one, 1UL << order);
				spin_lock(&pool->lock);
				list->nr_zeroing--;
				spin_unlock(&pool->lock);
				continue;
			}
			spin_lock(&pool->lock);
			list_add_tail(&page->lru, &list->ready);
			list->nr_ready++;
			list->nr_zeroing--;
			spin_unlock(&pool->lock);
			cond_resched();
		}
	}
}

/*
 * Takes up to @want pages' worth of blocks off @pool's lists onto @out,
 * dirty ones first (they would cost a zeroing anyway), largest first.
 */
static unsigned long cmheap_pool_isolate(struct cmheap_pool *pool,
					 unsigned long want,
					 struct list_head *out)
{
	unsigned long got = 0;
	int order, pass;

	spin_lock(&pool->lock);
	for (pass = 0; pass < 2; pass++) {
		for (order = pool->max_order; order >= 0; order--) {
			struct cmheap_pool_list *list = &pool->lists[order];
			struct list_head *from = pass ? &list->ready :
							&list->dirty;
			unsigned long *nr = pass ? &list->nr_ready :
						   &list->nr_dirty;

			while (got < want && *nr) {
				struct page *page;

				page = list_first_entry(from, struct page, lru);
				list_move(&page->lru, out);
				(*nr)--;
				got += 1UL << order;
			}
		}
	}
	spin_unlock(&pool->lock);
	return got;
}

/* Gives isolated blocks back to the page allocator (write-back again). */
static void cmheap_pool_release(struct cmheap_pool *pool,
				struct list_head *pages, unsigned long npages)
{
	struct page *page, *tmp;

	list_for_each_entry(page, pages, lru)
		cmheap_pool_account(page, -1, LONG_MAX);
	if (pool->keep_wc &&
	    !cmheap_memtype_restore_list(pool->heap, pages, npages))
		return;
	list_for_each_entry_safe(page, tmp, pages, lru) {
		list_del(&page->lru);
		__free_pages(page, compound_order(page));
	}
}

/*
 * Frees up to @want pages from the pools: how many it freed.  The caller
 * holds cmheap_pools_lock.
 */
static unsigned long cmheap_pools_free(unsigned long want)
{
	struct cmheap_pool *pool;
	unsigned long freed = 0;

	list_for_each_entry(pool, &cmheap_pools, node) {
		LIST_HEAD(pages);
		unsigned long got;

		got = cmheap_pool_isolate(pool, want - freed, &pages);
		cmheap_pool_release(pool, &pages, got);
		freed += got;
		if (freed >= want)
			break;
	}
	return freed;
}

void cmheap_pools_drain(void)
{
	struct cmheap_pool *pool;
	unsigned long freed;

	mutex_lock(&cmheap_pools_lock);
	if (cmheap_pools_dead) {
		mutex_unlock(&cmheap_pools_lock);
		return;
	}
	freed = cmheap_pools_free(ULONG_MAX);
	/* Then the pages the workers were zeroing, and what they put back. */
	list_for_each_entry(pool, &cmheap_pools, node)
		flush_work(&pool->zero_work);
	freed += cmheap_pools_free(ULONG_MAX);
	mutex_unlock(&cmheap_pools_lock);
	atomic_long_add(freed, &cmheap_pool_drained);
}

/*
 * An allocation still short of @pages failed: drain the pools if that can
 * help, and say whether it did.  Pooled pages serve only uncharged callers
 * (cmheap_pools_serve()), and freeing them does not raise a memory cgroup's
 * limit: for a charged caller they help only when the machine itself is
 * short, the pools holding memory its request needs.  Otherwise a tenant
 * failing at its own memory.max would empty every other tenant's pools
 * (on x86, an IPI storm per uncached block) as often as it likes.
 */
bool cmheap_pools_drain_for(unsigned long pages, bool charged)
{
	long pooled = atomic_long_read(&cmheap_pool_pages);

	if (charged && si_mem_available() - pooled >= (long)pages)
		return false;
	cmheap_pools_drain();
	return true;
}

static unsigned long cmheap_pool_count(struct shrinker *shrinker,
				       struct shrink_control *sc)
{
	long n = atomic_long_read(&cmheap_pool_pages);

	return n > 0 ? n : SHRINK_EMPTY;
}

static unsigned long cmheap_pool_scan(struct shrinker *shrinker,
				      struct shrink_control *sc)
{
	unsigned long freed;

	if (!mutex_trylock(&cmheap_pools_lock))
		return SHRINK_STOP;
	freed = cmheap_pools_free(sc->nr_to_scan);
	mutex_unlock(&cmheap_pools_lock);
	atomic_long_add(freed, &cmheap_pool_shrunk);
	return freed ? freed : SHRINK_STOP;
}

static int cmheap_pool_show(struct seq_file *m, void *unused)
{
	struct cmheap_pool *pool = m->private;
	int order;

	spin_lock(&pool->lock);
	/* A block being zeroed is still dirty: nobody can have it yet. */
	for (order = pool->max_order; order >= 0; order--)
		seq_printf(m, "order %d ready %lu dirty %lu\n", order,
			   pool->lists[order].nr_ready,
			   pool->lists[order].nr_dirty +
			   pool->lists[order].nr_zeroing);
	spin_unlock(&pool->lock);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cmheap_pool);

static int cmheap_pools_show(struct seq_file *m, void *unused)
{
	seq_printf(m, "enabled %d\nlimit_pages %lu\npages %ld\nshrunk_pages %ld\ndrained_pages %ld\n",
		   READ_ONCE(pools),
		   (unsigned long)READ_ONCE(pool_limit_mb) << (20 - PAGE_SHIFT),
		   atomic_long_read(&cmheap_pool_pages),
		   atomic_long_read(&cmheap_pool_shrunk),
		   atomic_long_read(&cmheap_pool_drained));
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cmheap_pools);

struct cmheap_pool *cmheap_pool_create(struct cmheap *heap,
				       unsigned int max_order)
{
	struct cmheap_pool *pool;
	unsigned int order;

	if (max_order > CMHEAP_POOL_MAX_ORDER)
		return ERR_PTR(-EINVAL);
	pool = kzalloc(sizeof(*pool), GFP_KERNEL);
	if (!pool)
		return ERR_PTR(-ENOMEM);
	pool->heap = heap;
	pool->keep_wc = heap->caching == CMHEAP_UNCACHED;
	pool->max_order = max_order;
	spin_lock_init(&pool->lock);
	for (order = 0; order <= max_order; order++) {
		INIT_LIST_HEAD(&pool->lists[order].ready);
		INIT_LIST_HEAD(&pool->lists[order].dirty);
	}
	INIT_WORK(&pool->zero_work, cmheap_pool_zero_work);
	pool->debugfs = debugfs_create_file("pool", 0444, heap->stats.dir,
					    pool, &cmheap_pool_fops);
	mutex_lock(&cmheap_pools_lock);
	list_add_tail(&pool->node, &cmheap_pools);
	mutex_unlock(&cmheap_pools_lock);
	return pool;
}

int cmheap_pools_init(void)
{
	cmheap_pool_shrinker = cmheap_shrinker_create("cmheap-pool",
						      cmheap_pool_count,
						      cmheap_pool_scan);
	if (IS_ERR(cmheap_pool_shrinker))
		return PTR_ERR(cmheap_pool_shrinker);
	cmheap_pool_debugfs = debugfs_create_file("pools", 0444,
						  cmheap_debugfs_dir(), NULL,
						  &cmheap_pools_fops);
	return 0;
}

/* After the last buffer is gone: nothing gives or takes any more. */
void cmheap_pools_exit(void)
{
	struct cmheap_pool *pool, *tmp;

	cmheap_shrinker_destroy(cmheap_pool_shrinker);
	debugfs_remove(cmheap_pool_debugfs);
	/* Under the lock from here: a drain (pools=0) may race with rmmod. */
	mutex_lock(&cmheap_pools_lock);
	cmheap_pools_dead = true;
	list_for_each_entry(pool, &cmheap_pools, node) {
		debugfs_remove(pool->debugfs);
		/* Finishes the page in hand; the rest are freed dirty. */
		cancel_work_sync(&pool->zero_work);
	}
	cmheap_pools_free(ULONG_MAX);
	list_for_each_entry_safe(pool, tmp, &cmheap_pools, node) {
		list_del(&pool->node);
		kfree(pool);
	}
	mutex_unlock(&cmheap_pools_lock);
	WARN_ON(atomic_long_read(&cmheap_pool_pages));
}
