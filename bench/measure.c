// SPDX-License-Identifier: GPL-2.0
/* cmheap-bench: the sample store and the time budget of a point. */
#include "measure.h"
#include "options.h"
#include "util.h"

volatile int stop_requested;

void samples_reserve(struct samples *s, size_t n)
{
	if (s->cap >= n)
		return;
	s->cap = n;
	s->v = xrealloc(s->v, n * sizeof(*s->v));
}

void samples_push(struct samples *s, uint64_t ns)
{
	if (s->n == s->cap)
		samples_reserve(s, s->cap ? s->cap * 2 : 64);
	s->v[s->n++] = ns;
}

void samples_reset(struct samples *s)
{
	s->n = 0;
}

static unsigned long budget_ms;

void budget_set_ms(unsigned long ms)
{
	budget_ms = ms;
}

void budget_start(struct budget *b)
{
	b->start_ns = now_ns();
	b->budget_ns = (uint64_t)budget_ms * 1000000ULL;
}

uint64_t budget_left(const struct budget *b)
{
	uint64_t used = now_ns() - b->start_ns;

	return used < b->budget_ns ? b->budget_ns - used : 0;
}

bool budget_more(const struct budget *b, size_t n)
{
	if (n >= opt.iterations)
		return false;
	if (stop_requested)
		return n == 0;
	return n < opt.min_samples || budget_left(b) > 0;
}

bool budget_warm(const struct budget *b, size_t n)
{
	if (n >= opt.warmup || stop_requested)
		return false;
	/* at least one; then no more than half the budget */
	return n == 0 || now_ns() - b->start_ns < b->budget_ns / 2;
}

void loop_start(struct loop *l)
{
	budget_start(&l->b);
	l->warm = l->n = 0;
	l->timed = l->started = l->timing = false;
}

bool loop_next(struct loop *l)
{
	if (l->started) {
		if (l->timed)
			l->n++;
		else
			l->warm++;
	}
	l->started = true;
	if (!l->timing && budget_warm(&l->b, l->warm)) {
		l->timed = false;
		return true;
	}
	l->timing = true;
	l->timed = true;
	return budget_more(&l->b, l->n);
}
