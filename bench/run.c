// SPDX-License-Identifier: GPL-2.0
/* cmheap-bench: running the plan. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "importer.h"
#include "measure.h"
#include "options.h"
#include "output.h"
#include "progress.h"
#include "run.h"
#include "stats.h"
#include "threads.h"
#include "util.h"

/* the buffer shared by the points of one group */
struct group {
	struct exporter *exp;
	uint64_t size;
	int max_order;		/* asked for, NA: as found */
	bool valid;
	bool have_buf;
	bool failed;		/* every point of the group is skipped */
	char why[192];
	struct buffer buf;
	long nents;
	int alloc_order;	/* the cap in force at allocation, NA */
};

static void record_skip(struct run_result *rr, const struct point *p,
			const char *why, bool say)
{
	char what[160];

	point_describe(p, what, sizeof(what));
	if (say)
		note("skipped %s: %s", what, why);
	rr->skipped++;
	if (rr->n_skips < MAX_SKIPS) {
		struct skip *s = &rr->skips[rr->n_skips++];

		snprintf(s->what, sizeof(s->what), "%s", what);
		snprintf(s->why, sizeof(s->why), "%s", why);
	}
}

/* a measured point: its statistics, its row, its raw samples */
static void record_point(struct run_result *rr, const struct point *p,
			 const struct samples *s, struct extra *x)
{
	struct stats st;

	stats_compute(s->v, s->n, &st);
	if ((p->op == OP_CPU_WRITE || p->op == OP_CPU_READ) && st.p50)
		x->mb_per_s = (double)p->size * 1e3 / (double)st.p50;
	csv_row(p, &st, x);
	raw_write(p, x, s->v, s->n);
	rr->measured++;
}

static void group_release(struct group *g)
{
	if (g->have_buf)
		buffer_free(&g->buf);
	g->have_buf = false;
}

static int cap_now(const struct exporter *e)
{
	return e->kind == EXP_CMHEAP && !e->carveout ? max_order_get() : NA;
}

/* the CPU scatterlist entries of the buffer, as the exporter maps it */
static long probe_nents(int ctl, const struct buffer *b)
{
	struct cmheap_attach at;
	struct cmheap_map m;
	long nents = NA;

	if (cmheap_ctl_attach(ctl, b->fd, CMHEAP_DEV_COHERENT, &at))
		return NA;
	if (!cmheap_ctl_map(ctl, at.handle, CMHEAP_DIR_BIDIRECTIONAL, 0, 0, &m)) {
		nents = m.orig_nents;
		cmheap_ctl_unmap(ctl, at.handle);
	}
	cmheap_ctl_detach(ctl, at.handle);
	return nents;
}

/* the cap as run_plan() found it: what a point that asks for none gets */
static int cap_found = NA;

/*
 * Puts the system heaps' cap where a point wants it: @max_order, or for
 * NA the cap as found, which the scatterlist sweep may have moved since.
 * False, with the reason in @why, when the parameter cannot be set.
 */
static bool set_cap(int max_order, char *why, size_t why_len)
{
	int want = max_order == NA ? cap_found : max_order;

	if (want == NA || max_order_get() == want)
		return true;
	if (max_order_set(want))
		return true;
	snprintf(why, why_len, "cannot set " MAX_ORDER_PARAM " to %d: %s",
		 want, strerror(errno));
	return false;
}

static bool group_buffer(int ctl, struct group *g)
{
	char size[32];
	int ret;

	if (g->have_buf)
		return true;
	if (!set_cap(g->max_order, g->why, sizeof(g->why)))
		return false;
	ret = exporter_alloc(g->exp, g->size, &g->buf);
	if (ret) {
		format_size(g->size, size, sizeof(size));
		snprintf(g->why, sizeof(g->why), "%s: allocating %s failed: %s%s",
			 g->exp->name, size, strerror(-ret),
			 g->exp->kind == EXP_UDMABUF && ret == -EINVAL ?
			 " (udmabuf's size_limit_mb is 64 by default)" : "");
		return false;
	}
	g->alloc_order = cap_now(g->exp);
	g->nents = probe_nents(ctl, &g->buf);
	g->have_buf = true;
	return true;
}

static void init_extra(struct extra *x)
{
	x->mb_per_s = NAN;
	x->ops_per_s = NAN;
	x->minflt_per_op = NAN;
	x->cycles = x->instructions = x->cache_misses = NAN;
	x->nents = NA;
	x->max_order = NA;
}

/*
 * Puts the page pools as the point wants them: on or off, and for a cold
 * point on, empty (turning them off drains them).  False, with the reason
 * in @why, when the parameter cannot be set.
 */
static bool set_pools(const struct point *p, char *why, size_t why_len)
{
	bool ok;

	if (p->pool == NA)
		return true;
	if (p->pool == 1 && p->op == OP_ALLOC_FREE_COLD)
		ok = pools_set(0) && pools_set(1);
	else
		ok = pools_get() == p->pool || pools_set(p->pool);
	if (!ok)
		snprintf(why, why_len, "cannot set " POOLS_PARAM " to %d: %s",
			 p->pool, strerror(errno));
	return ok;
}

/*
 * Readies point @p of the main or scatterlist sweep in its group: the
 * group (the buffer its points share) renewed when the point leaves it,
 * the cap and pools an allocation wants, or the group's buffer.  False,
 * the point recorded as skipped, when it cannot be measured.
 */
static bool group_point(int ctl, struct group *g, const struct point *p,
			struct extra *x, struct run_result *rr)
{
	char why[192];

	if (!g->valid || g->exp != p->exp || g->size != p->size ||
	    g->max_order != p->max_order) {
		group_release(g);
		memset(g, 0, sizeof(*g));
		g->valid = true;
		g->exp = p->exp;
		g->size = p->size;
		g->max_order = p->max_order;
		g->nents = NA;
		g->alloc_order = NA;
	}
	if (g->failed) {
		record_skip(rr, p, g->why, false);
		return false;
	}
	if (op_is_alloc(p->op)) {
		if (!set_cap(g->max_order, g->why, sizeof(g->why))) {
			g->failed = true;
			record_skip(rr, p, g->why, true);
			return false;
		}
		x->max_order = cap_now(p->exp);
		if (!set_pools(p, why, sizeof(why))) {
			record_skip(rr, p, why, true);
			return false;
		}
	} else {
		if (!group_buffer(ctl, g)) {
			g->failed = true;
			note("%s: skipping this buffer's points", g->why);
			record_skip(rr, p, g->why, false);
			return false;
		}
		x->max_order = g->alloc_order;
		x->nents = g->nents;
	}
	return true;
}

void run_plan(int ctl, const struct plan *pl, struct run_result *rr)
{
	int pools_found = pools_get();
	struct group g = { .valid = false };
	struct samples s = { 0 };
	char desc[160], why[192];
	struct extra x;
	size_t i;
	int ret;

	memset(rr, 0, sizeof(*rr));
	cap_found = max_order_get();
	rr->skips = xcalloc(MAX_SKIPS, sizeof(*rr->skips));
	progress_init(pl->n, opt.progress_every);
	for (i = 0; i < pl->n; i++) {
		const struct point *p = &pl->pts[i];

		if (stop_requested) {
			rr->interrupted = true;
			break;
		}
		point_describe(p, desc, sizeof(desc));
		progress_point(i, desc);

		init_extra(&x);
		if (p->threads) {
			/* buffers of its own: none of a group's stays allocated */
			group_release(&g);
			g.valid = false;
			/* its buffers at the main sweep's cap, as found */
			if (!set_cap(NA, why, sizeof(why))) {
				record_skip(rr, p, why, true);
				continue;
			}
			x.max_order = cap_now(p->exp);
		} else if (!group_point(ctl, &g, p, &x, rr)) {
			continue;
		}

		budget_set_ms(p->sg_sweep ? opt.sg_time_budget_ms :
					    opt.time_budget_ms);
		samples_reset(&s);
		why[0] = 0;
		if (p->threads)
			ret = threads_measure(p, &s, &x, why, sizeof(why));
		else if (op_is_kernel(p->op))
			ret = kop_measure(ctl, p, g.buf.fd, &s, &x, why,
					  sizeof(why));
		else
			ret = uop_measure(ctl, p, g.have_buf ? &g.buf : NULL,
					  &s, &x, why, sizeof(why));
		if (ret || !s.n) {
			if (!ret)
				snprintf(why, sizeof(why), "no samples (interrupted)");
			record_skip(rr, p, why, true);
			continue;
		}
		record_point(rr, p, &s, &x);
	}
	group_release(&g);
	if (pools_found >= 0 && pools_get() != pools_found)
		pools_set(pools_found);
	progress_done();
	free(s.v);
}
