// SPDX-License-Identifier: GPL-2.0
/* cmheap-bench: the sweep, planned in full before anything runs. */
#include <string.h>

#include "options.h"
#include "plan.h"
#include "util.h"

static void add(struct plan *pl, const struct point *p)
{
	if (pl->n == pl->cap) {
		pl->cap = pl->cap ? pl->cap * 2 : 256;
		pl->pts = xrealloc(pl->pts, pl->cap * sizeof(*pl->pts));
	}
	pl->pts[pl->n++] = *p;
}

/* the preferred value if the list has it, else its first one */
static int pref(unsigned int mask, int preferred)
{
	int i;

	if (mask & (1U << preferred))
		return preferred;
	for (i = 0; i < 32; i++)
		if (mask & (1U << i))
			return i;
	return preferred;
}

/*
 * An uncached cmheap heap maps with DMA_ATTR_SKIP_CPU_SYNC whatever it is
 * asked: the raw point doing the same work as its exporter point is the
 * raw skip-sync one.  That one is planned right after the exporter point
 * (add_skip_partner), not in its own turn (skip_partner_first).
 */
static bool uncached_ours(const struct point *p)
{
	return p->exp->kind == EXP_CMHEAP && p->exp->uncached &&
	       !op_is_sync(p->op) && !op_is_cpu_sync(p->op) &&
	       (opt.attrs & (1U << ATTRS_SKIP_CPU_SYNC));
}

/*
 * Whether a combination is measured.  Some are impossible (attrs through an
 * exporter that is not ours), some meaningless (attrs of a sync), and by
 * default (not --full) those that cannot change the work are left out.
 */
static bool wanted(const struct point *p)
{
	bool coherent = bench_devices[p->device].coherent;

	if (op_is_sync(p->op) || op_is_cpu_sync(p->op)) {
		if (p->attrs != ATTRS_NONE)
			return false;
	}
	/* the range syncs are cmheap's own ioctl */
	if (op_is_range_sync(p->op) && p->exp->kind != EXP_CMHEAP)
		return false;
	if (p->path == PATH_EXPORTER && p->exp->kind != EXP_CMHEAP &&
	    p->attrs != ATTRS_NONE)
		return false;
	/*
	 * Page-less memory has no pages to map raw, and no DMA API sync for
	 * the importer to time (EOPNOTSUPP)
	 */
	if (p->exp->pageless && (p->path == PATH_RAW || op_is_sync(p->op)))
		return false;
	/*
	 * Nor are the uncached model's pages mapped for a device that snoops
	 * their cacheable alias (EOPNOTSUPP): no op on such a device.
	 */
	if (p->exp->kind == EXP_CMHEAP && p->exp->uncached &&
	    !p->exp->pageless && bench_devices[p->device].snoops_alias)
		return false;
	if (opt.full)
		return true;
	if (op_is_sync(p->op) && p->path == PATH_RAW)
		return false;
	if (p->path == PATH_EXPORTER && p->exp->uncached &&
	    p->attrs != ATTRS_NONE)
		return false;
	if (coherent) {
		if (p->dir != pref(opt.dirs, DIR_BIDIRECTIONAL) ||
		    p->cache != pref(opt.caches, CS_CLEAN))
			return false;
		/*
		 * Skip-sync changes no cache here, but without it dma-direct's
		 * unmap still walks a sync for the CPU per entry (dma_to_phys,
		 * the swiotlb check): an uncached heap, which always skips,
		 * needs a raw partner that skips too, or its overhead goes
		 * negative with the entries (-194 ns at 64 under -icount).
		 */
		if (!op_is_sync(p->op) && !op_is_cpu_sync(p->op) &&
		    p->attrs != pref(opt.attrs, ATTRS_NONE) &&
		    !(p->path == PATH_RAW && p->attrs == ATTRS_SKIP_CPU_SYNC &&
		      uncached_ours(p)))
			return false;
	}
	return true;
}

static bool skip_partner_first(const struct point *p)
{
	return uncached_ours(p) && p->path == PATH_RAW &&
	       p->attrs == ATTRS_SKIP_CPU_SYNC &&
	       (opt.paths & (1U << PATH_EXPORTER)) &&
	       (opt.attrs & (1U << ATTRS_NONE));
}

static void add_skip_partner(struct plan *pl, const struct point *p)
{
	struct point raw = *p;

	if (!uncached_ours(p) || p->path != PATH_EXPORTER ||
	    p->attrs != ATTRS_NONE || !(opt.paths & (1U << PATH_RAW)))
		return;
	raw.path = PATH_RAW;
	raw.attrs = ATTRS_SKIP_CPU_SYNC;
	if (wanted(&raw))
		add(pl, &raw);
}

/*
 * the kernel ops in @ops and dmabuf_sync on one device.  The path loop is
 * the innermost: the exporter and the raw DMA API point of one combination
 * are measured one right after the other, so that their ratio compares two
 * measurements taken in the same state of the guest, not minutes apart.
 */
static void add_device_points(struct plan *pl, struct point base,
			      unsigned int ops)
{
	struct point p = base;
	unsigned int attrs;
	int op, path;

	for (op = 0; op < OP_COUNT; op++) {
		if (!(ops & OP_BIT(op)) || !op_needs_device(op))
			continue;
		p.op = op;
		/* syncs ignore attrs: measured with none */
		attrs = op_is_sync(op) || op_is_cpu_sync(op) ?
			1U << ATTRS_NONE : opt.attrs;
		for (p.dir = 0; p.dir < DIR_COUNT; p.dir++) {
			if (!(opt.dirs & (1U << p.dir)))
				continue;
			for (p.attrs = 0; p.attrs < ATTRS_COUNT; p.attrs++) {
				if (!(attrs & (1U << p.attrs)))
					continue;
				for (p.cache = 0; p.cache < CS_COUNT; p.cache++) {
					if (!(opt.caches & (1U << p.cache)))
						continue;
					for (path = 0; path < PATH_USER; path++) {
						if (op_is_cpu_sync(op)) {
							if (path != PATH_EXPORTER)
								continue;
							p.path = PATH_USER;
						} else {
							if (!(opt.paths & (1U << path)))
								continue;
							p.path = path;
						}
						if (skip_partner_first(&p))
							continue;
						if (wanted(&p))
							add(pl, &p);
						add_skip_partner(pl, &p);
					}
				}
			}
		}
	}
}

static void add_devices(struct plan *pl, struct point base, unsigned int ops)
{
	int d;

	for (d = 0; d < CMHEAP_MAX_DEVICES; d++) {
		if (!bench_devices[d].present || !(opt.devices & (1U << d)))
			continue;
		base.device = d;
		add_device_points(pl, base, ops);
	}
}

static bool size_in_main(uint64_t size)
{
	size_t i;

	for (i = 0; i < opt.n_sizes; i++)
		if (opt.sizes[i] == size)
			return true;
	return false;
}

/*
 * An allocation op of a heap with page pools is measured with them on and
 * off (--pools), one point after the other; every other point as found.
 */
static void add_pooled(struct plan *pl, struct point *p)
{
	int pool;

	/* the shrinker's work: only a heap with pools, with them on */
	if (p->op == OP_POOL_SHRINK) {
		if (!p->exp->pooled || !(opt.pools & 2))
			return;
		p->pool = 1;
		add(pl, p);
		return;
	}
	if (!op_is_alloc(p->op) || !p->exp->pooled) {
		p->pool = NA;
		add(pl, p);
		return;
	}
	for (pool = 1; pool >= 0; pool--) {
		if (!(opt.pools & (1U << pool)))
			continue;
		p->pool = pool;
		add(pl, p);
	}
}

/* a point of a userspace op: no device, direction or cache state */
static struct point user_point(struct exporter *e, uint64_t size, int op)
{
	struct point p;

	memset(&p, 0, sizeof(p));
	p.exp = e;
	p.size = size;
	p.max_order = NA;
	p.pool = NA;
	p.op = op;
	p.path = PATH_USER;
	p.device = DEV_NONE;
	p.dir = NA;
	p.attrs = ATTRS_NONE;
	p.cache = NA;
	p.sharing = NA;
	return p;
}

/*
 * alloc_free_cold first, before anything else allocates: the first
 * allocation of each size from each exporter.  Exporters take turns, the
 * first one rotating from size to size, so that no exporter is always the
 * one that finds the guest's memory (or its host's backing) untouched.
 */
static void add_cold(struct plan *pl, struct exporter *exps, size_t n_exps)
{
	size_t e, s, k, n_present = 0;
	struct point p;

	if (!(opt.ops & OP_BIT(OP_ALLOC_FREE_COLD)))
		return;
	for (e = 0; e < n_exps; e++)
		n_present += exps[e].present;
	for (s = 0; s < opt.n_sizes; s++) {
		for (k = 0; k < n_present; k++) {
			size_t want = (s + k) % n_present;

			for (e = 0; e < n_exps; e++)
				if (exps[e].present && !want--)
					break;
			p = user_point(&exps[e], opt.sizes[s], OP_ALLOC_FREE_COLD);
			add_pooled(pl, &p);
		}
	}
}

/*
 * The concurrency sweep: the system heaps (cmheap's cached page-allocator
 * heap and the upstream one), one size, the non-coherent test device
 * where there is one (there a shared buffer's syncs do work), every
 * thread count of --threads, own and shared buffers.
 */
static void add_threads(struct plan *pl, struct exporter *exps, size_t n_exps)
{
	static const int ops[] = { OP_MAP, OP_UNMAP, OP_DMABUF_SYNC, OP_ALLOC_FREE_WARM };
	int device = -1, d, sharing;
	size_t e, t, i;
	struct point p;

	for (d = 0; d < CMHEAP_MAX_DEVICES; d++) {
		const struct bench_device *b = &bench_devices[d];

		if (!b->present || !(opt.devices & (1U << d)) || strcmp(b->kind, "test"))
			continue;
		if (device < 0 || !b->coherent)
			device = d;
	}
	for (e = 0; e < n_exps; e++) {
		const struct exporter *x = &exps[e];

		if (!x->present || x->uncached || x->carveout ||
		    (x->kind != EXP_CMHEAP && (x->kind != EXP_DMA_HEAP || strcmp(x->name, "system"))))
			continue;
		for (i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
			bool alloc = ops[i] == OP_ALLOC_FREE_WARM;

			if (!(opt.ops & OP_BIT(ops[i])) || (!alloc && device < 0))
				continue;
			for (sharing = SHARE_OWN; sharing < SHARE_COUNT; sharing++) {
				if (alloc && sharing == SHARE_SHARED)
					continue;
				for (t = 0; t < opt.n_threads; t++) {
					p = user_point(&exps[e], opt.threads_size, ops[i]);
					if (op_is_kernel(ops[i])) {
						p.path = PATH_EXPORTER;
						p.device = device;
						p.dir = DIR_BIDIRECTIONAL;
						p.cache = CS_CLEAN;
					} else if (!alloc) {
						p.device = device;
						p.dir = DIR_BIDIRECTIONAL;
						p.cache = CS_CLEAN;
					}
					p.threads = opt.threads[t];
					p.sharing = sharing;
					add(pl, &p);
				}
			}
		}
	}
}

void plan_build(struct plan *pl, struct exporter *exps, size_t n_exps,
		int cur_max_order,
		const int *sg_orders, size_t n_sg_orders)
{
	/* alloc_free_cold has a phase of its own: add_cold() */
	static const int user_ops[] = {
		OP_ALLOC, OP_ALLOC_FREE_WARM, OP_POOL_SHRINK, OP_MMAP_TOUCH,
		OP_CPU_WRITE, OP_CPU_READ,
	};
	struct point p;
	size_t e, s, i, o;
	unsigned int ops;

	memset(pl, 0, sizeof(*pl));
	add_cold(pl, exps, n_exps);
	for (e = 0; e < n_exps; e++) {
		if (!exps[e].present)
			continue;
		for (s = 0; s < opt.n_sizes; s++) {
			memset(&p, 0, sizeof(p));
			p.exp = &exps[e];
			p.size = opt.sizes[s];
			p.max_order = NA;
			p.pool = NA;
			for (i = 0; i < sizeof(user_ops) / sizeof(user_ops[0]); i++) {
				struct point u;

				if (!(opt.ops & OP_BIT(user_ops[i])))
					continue;
				u = user_point(&exps[e], opt.sizes[s], user_ops[i]);
				add_pooled(pl, &u);
			}
			add_devices(pl, p, opt.ops);
		}
	}
	pl->n_main = pl->n;
	if (cur_max_order < 0)
		goto threads;
	for (e = 0; e < n_exps; e++) {
		/* max_order is the system heaps': a carveout buffer is one piece */
		if (!exps[e].present || exps[e].kind != EXP_CMHEAP ||
		    exps[e].carveout)
			continue;
		for (o = 0; o < n_sg_orders; o++) {
			memset(&p, 0, sizeof(p));
			p.exp = &exps[e];
			p.size = opt.sg_size;
			p.max_order = sg_orders[o];
			p.pool = NA;
			p.sg_sweep = true;
			ops = opt.sg_ops;
			/* the main sweep has measured these already */
			if (sg_orders[o] == cur_max_order && size_in_main(p.size))
				ops &= ~opt.ops;
			add_devices(pl, p, ops);
		}
	}
	pl->n_sg = pl->n - pl->n_main;
threads:
	add_threads(pl, exps, n_exps);
	pl->n_threads = pl->n - pl->n_main - pl->n_sg;
}
