// SPDX-License-Identifier: GPL-2.0
/*
 * cmheap-bench: the concurrency sweep (--threads).  A point of it runs its
 * op on N threads at once, each pinned to a CPU of its own where there are
 * enough (thread i on usable CPU i modulo their number: the CPUs the
 * process could use before --cpu pinned it), released
 * together by a barrier:
 *
 *   own     each thread its own buffer, attached through its own
 *           /dev/cmheap file (whose lock is per file: the importer does
 *           not serialize them)
 *   shared  one buffer, each thread attached to it through its own file,
 *           so that they meet in the exporter's per-buffer state
 *
 * map and unmap are timed in the kernel (CMHEAP_IOC_BENCH, a sample per
 * iteration), dmabuf_sync (DMA_BUF_IOCTL_SYNC START then END) and
 * alloc_free_warm (own buffers only) in user space around each call.
 * Every thread runs the same number of iterations, taken from a probe on
 * one thread and the point's time budget.  The point's samples are all
 * threads' together (p50, p99 of a call under that contention); its
 * throughput is the calls of all threads over the wall time from the
 * first thread's start to the last one's end.
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/dma-buf.h>

#include "exporters.h"
#include "importer.h"
#include "measure.h"
#include "options.h"
#include "threads.h"
#include "util.h"

#define PROBE_ITERATIONS 2

struct worker {
	const struct point *p;
	pthread_t thread;
	pthread_barrier_t *start;
	int cpu;			/* -1: not pinned */
	int ctl;			/* its own /dev/cmheap file, or -1 */
	struct buffer own;		/* its own buffer (own), else fd -1 */
	int buf_fd;			/* the buffer it works on */
	__u32 handle;			/* its attachment, kernel ops */
	bool attached;
	unsigned long iterations;
	uint64_t *samples;		/* iterations of them */
	uint64_t start_ns, end_ns;	/* its own, after the barrier */
	int ran_on;			/* sched_getcpu() once released, or -1 */
	int ret;			/* 0 or -errno */
	char why[96];
};

/* @n iterations of the worker's op, a sample each into @out */
static int work(struct worker *w, unsigned long n, uint64_t *out)
{
	const struct point *p = w->p;
	struct cmheap_bench b;
	struct buffer tmp;
	unsigned long i;
	uint64_t t0;
	int ret;

	if (op_is_kernel(p->op)) {
		memset(&b, 0, sizeof(b));
		b.handle = w->handle;
		b.op = p->op == OP_MAP ? CMHEAP_BENCH_MAP : CMHEAP_BENCH_UNMAP;
		b.direction = dir_to_cmheap(p->dir);
		b.iterations = n;
		b.samples_ptr = (__u64)(uintptr_t)out;
		ret = cmheap_ctl_bench(w->ctl, &b);
		if (ret)
			snprintf(w->why, sizeof(w->why), "CMHEAP_IOC_BENCH: %s", strerror(-ret));
		return ret;
	}
	for (i = 0; i < n; i++) {
		t0 = now_ns();
		if (p->op == OP_DMABUF_SYNC) {
			ret = dmabuf_sync_ioctl(w->buf_fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
			if (!ret)
				ret = dmabuf_sync_ioctl(w->buf_fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
		} else {
			ret = exporter_alloc(p->exp, p->size, &tmp);
			if (!ret)
				buffer_free(&tmp);
		}
		out[i] = now_ns() - t0;
		if (ret) {
			snprintf(w->why, sizeof(w->why), "%s: %s",
				 p->op == OP_DMABUF_SYNC ? "DMA_BUF_IOCTL_SYNC" : "allocating",
				 strerror(-ret));
			return ret;
		}
	}
	return 0;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	cpu_set_t set;

	if (w->cpu >= 0) {
		CPU_ZERO(&set);
		CPU_SET(w->cpu, &set);
		/* a CPU that went offline: the thread runs where it may */
		sched_setaffinity(0, sizeof(set), &set);
	}
	pthread_barrier_wait(w->start);
	w->ran_on = sched_getcpu();
	w->start_ns = now_ns();
	w->ret = work(w, w->iterations, w->samples);
	w->end_ns = now_ns();
	return NULL;
}

/*
 * The CPUs this process may run on, taken before the sweep pins itself to
 * one (--cpu): the workers' affinity is this set's, not the pinned
 * thread's, or they would all share its one CPU.
 */
static cpu_set_t usable_cpus;
static bool have_usable_cpus;

/* For each --threads count, the CPUs its workers ran on, as a mask. */
static uint64_t cpus_seen[MAX_THREADS + 1];

void threads_init(void)
{
	have_usable_cpus = !sched_getaffinity(0, sizeof(usable_cpus), &usable_cpus) &&
			   CPU_COUNT(&usable_cpus) > 0;
}

/* the i-th usable CPU, modulo their number, or -1 */
static int nth_cpu(int i)
{
	int cpu, k = 0;

	if (!have_usable_cpus)
		return -1;
	i %= CPU_COUNT(&usable_cpus);
	for (cpu = 0; cpu < CPU_SETSIZE; cpu++)
		if (CPU_ISSET(cpu, &usable_cpus) && k++ == i)
			return cpu;
	return -1;
}

uint64_t threads_cpus_seen(int n_threads)
{
	return n_threads > 0 && n_threads <= MAX_THREADS ? cpus_seen[n_threads] : 0;
}

static int setup(struct worker *w, const struct point *p, const struct buffer *shared,
		 char *why, size_t why_len)
{
	struct cmheap_attach at;
	int ret;

	w->own.fd = -1;
	w->ctl = -1;
	if (p->op == OP_ALLOC_FREE_WARM)
		return 0;
	if (p->sharing == SHARE_OWN) {
		ret = exporter_alloc(p->exp, p->size, &w->own);
		if (ret) {
			w->own.fd = -1;
			snprintf(why, why_len, "%s: allocating a buffer per thread: %s",
				 p->exp->name, strerror(-ret));
			return ret;
		}
		w->buf_fd = w->own.fd;
	} else {
		w->buf_fd = shared->fd;
	}
	if (!op_is_kernel(p->op))
		return 0;
	w->ctl = importer_open(false);
	ret = cmheap_ctl_attach(w->ctl, w->buf_fd, (unsigned int)p->device, &at);
	if (ret) {
		snprintf(why, why_len, "CMHEAP_IOC_ATTACH: %s", strerror(-ret));
		return ret;
	}
	w->handle = at.handle;
	w->attached = true;
	return 0;
}

static void teardown(struct worker *w)
{
	if (w->attached)
		cmheap_ctl_detach(w->ctl, w->handle);
	if (w->ctl >= 0)
		close(w->ctl);
	if (w->own.fd >= 0)
		buffer_free(&w->own);
	free(w->samples);
}

int threads_measure(const struct point *p, struct samples *s, struct extra *x,
		    char *why, size_t why_len)
{
	unsigned long n_threads = (unsigned long)p->threads, per_iter, iterations;
	struct buffer shared = { .fd = -1 };
	pthread_barrier_t start;
	struct worker *w;
	struct budget bud;
	uint64_t t0, end = 0, probe[PROBE_ITERATIONS];
	unsigned long i, k, ready = 0;	/* workers setup() has touched */
	int ret = 0;

	budget_start(&bud);
	w = xcalloc(n_threads, sizeof(*w));
	if (p->sharing == SHARE_SHARED) {
		ret = exporter_alloc(p->exp, p->size, &shared);
		if (ret) {
			shared.fd = -1;
			snprintf(why, why_len, "%s: allocating the shared buffer: %s",
				 p->exp->name, strerror(-ret));
			goto out;
		}
	}
	for (i = 0; i < n_threads; i++) {
		w[i].p = p;
		w[i].cpu = nth_cpu((int)i);
		/* setup() leaves a worker teardown() can undo, even on failure */
		ready = i + 1;
		ret = setup(&w[i], p, &shared, why, why_len);
		if (ret)
			goto out;
	}

	/* the probe, on the first thread's files: also a warm-up */
	t0 = now_ns();
	ret = work(&w[0], PROBE_ITERATIONS, probe);
	if (ret) {
		snprintf(why, why_len, "%s", w[0].why);
		goto out;
	}
	per_iter = (now_ns() - t0) / PROBE_ITERATIONS;
	/* n threads on fewer CPUs take turns: budget for the slowest case */
	iterations = budget_left(&bud) / ((per_iter ? per_iter : 1) * n_threads);
	if (iterations > opt.iterations)
		iterations = opt.iterations;
	if (iterations < opt.min_samples)
		iterations = opt.min_samples;

	pthread_barrier_init(&start, NULL, (unsigned int)n_threads + 1);
	for (i = 0; i < n_threads; i++) {
		w[i].start = &start;
		w[i].iterations = iterations;
		w[i].samples = xcalloc(iterations, sizeof(uint64_t));
		if (pthread_create(&w[i].thread, NULL, worker_main, &w[i]))
			die("cannot start a thread: %s", strerror(errno));
	}
	pthread_barrier_wait(&start);
	/*
	 * The wall time is the threads' own, from the first start to the last
	 * end: this thread may not run again before they are done.
	 */
	t0 = UINT64_MAX;
	for (i = 0; i < n_threads; i++) {
		pthread_join(w[i].thread, NULL);
		if (w[i].start_ns < t0)
			t0 = w[i].start_ns;
		if (w[i].end_ns > end)
			end = w[i].end_ns;
		if (w[i].ran_on >= 0 && w[i].ran_on < 64 && n_threads <= MAX_THREADS)
			cpus_seen[n_threads] |= 1ULL << w[i].ran_on;
		if (w[i].ret && !ret) {
			ret = w[i].ret;
			snprintf(why, why_len, "thread %lu: %s", i, w[i].why);
		}
	}
	pthread_barrier_destroy(&start);
	if (!ret) {
		samples_reserve(s, iterations * n_threads);
		for (i = 0; i < n_threads; i++)
			for (k = 0; k < iterations; k++)
				samples_push(s, w[i].samples[k]);
		x->ops_per_s = end > t0 ?
			(double)(iterations * n_threads) * 1e9 / (double)(end - t0) : NAN;
	}
out:
	for (i = 0; i < ready; i++)
		teardown(&w[i]);
	if (shared.fd >= 0)
		buffer_free(&shared);
	free(w);
	return ret;
}
