/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cmheap-bench: measuring one point.  kops.c times the kernel ops through
 * CMHEAP_IOC_BENCH, uops.c the userspace ones; both follow the method
 * here: warm-up, then samples until --iterations or the point's time
 * budget runs out, never fewer than --min-samples.
 */
#ifndef MEASURE_H
#define MEASURE_H

#include <stddef.h>
#include <stdint.h>

#include "bench.h"
#include "exporters.h"

struct samples {
	uint64_t *v;
	size_t n, cap;
};

void samples_push(struct samples *s, uint64_t ns);
void samples_reserve(struct samples *s, size_t n);
void samples_reset(struct samples *s);

/* Set by the SIGINT/SIGTERM handler: finish the point, then stop. */
extern volatile int stop_requested;

/* the budget of the point being measured */
struct budget {
	uint64_t start_ns;
	uint64_t budget_ns;
};

/* the budget of the points measured from now on, in ms */
void budget_set_ms(unsigned long ms);
void budget_start(struct budget *b);
uint64_t budget_left(const struct budget *b);
/* userspace loops: another sample? */
bool budget_more(const struct budget *b, size_t n);
/* userspace loops: another warm-up iteration? */
bool budget_warm(const struct budget *b, size_t n);

/*
 * A userspace measuring loop:
 *	for (loop_start(&l); loop_next(&l);)
 *		... if (l.timed) record a sample ...
 * warm-up iterations first, then timed ones while the budget lasts.
 */
struct loop {
	struct budget b;
	size_t warm, n;		/* iterations done of each kind */
	bool timed;		/* the current iteration is measured */
	bool started, timing;
};

void loop_start(struct loop *l);
bool loop_next(struct loop *l);

/*
 * Kernel op on the buffer @fd (attached afresh to the point's device).
 * 0 with the samples and x->cycles..cache_misses filled, or -errno with
 * @why saying what failed.
 */
int kop_measure(int ctl, const struct point *p, int fd, struct samples *s,
		struct extra *x, char *why, size_t why_len);

/*
 * Userspace op.  @b is the shared buffer (NULL for alloc_free_*, which
 * allocate their own from p->exp).  Fills the samples and x's
 * mb_per_s, minflt_per_op and perf columns.
 */
/* DMA_BUF_IOCTL_SYNC with @flags, retried on EINTR/EAGAIN: 0 or -errno */
int dmabuf_sync_ioctl(int fd, __u64 flags);

int uop_measure(int ctl, const struct point *p, struct buffer *b,
		struct samples *s, struct extra *x, char *why, size_t why_len);

#endif /* MEASURE_H */
