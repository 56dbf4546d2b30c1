// SPDX-License-Identifier: GPL-2.0
/*
 * memory_test: the heaps under memory limits and pressure.
 *
 * - buffer memory is charged to the allocating task's memory cgroup: past
 *   memory.max an allocation fails with ENOMEM (no OOM kill), and freeing
 *   gives the charge back;
 * - the per-heap byte limit (heap_limit_mb) is reserved before allocating;
 * - allocating until the machine has no memory left gives ENOMEM, never
 *   the OOM killer, and the machine is usable afterwards;
 * - no pattern written to a buffer of any heap is seen in a later buffer
 *   of any heap.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "cmheap_util.h"

#define LIMIT_PARAM	"/sys/module/cmheap/parameters/heap_limit_mb"



FIXTURE(memory) {
	const char *heap;
};

FIXTURE_VARIANT(memory) {
	struct cmheap_heap heap;
};

CMHEAP_HEAP_VARIANTS(memory)

FIXTURE_SETUP(memory)
{
	heap_variant_check(&variant->heap);
	self->heap = variant->heap.name;
}

FIXTURE_TEARDOWN(memory)
{
}

TEST_F(memory, heap_limit_enomem)
{
	const char *other = NULL;
	const struct cmheap_heap *heaps;
	int a, b, c, d, i, n;

	n = cmheap_heaps(&heaps);
	for (i = 0; i < n; i++)
		if (strcmp(heaps[i].name, self->heap))
			other = heaps[i].name;
	ASSERT_EQ(0, file_write(LIMIT_PARAM, "4"));
	a = alloc_on(self->heap, 2 * SZ_1M);
	b = alloc_on(self->heap, 2 * SZ_1M);
	c = alloc_on(self->heap, page_size());
	/* the limit is per heap */
	d = other ? alloc_on(other, 2 * SZ_1M) : 0;
	EXPECT_LE(0, a);
	EXPECT_LE(0, b);
	EXPECT_EQ(-ENOMEM, c);
	EXPECT_LE(0, d) TH_LOG("another heap (%s) is not limited by this one", other);
	/* freeing gives the reservation back */
	close(b);
	b = alloc_on(self->heap, 2 * SZ_1M);
	EXPECT_LE(0, b);
	ASSERT_EQ(0, file_write(LIMIT_PARAM, "0"));
	c = alloc_on(self->heap, 4 * SZ_1M);
	EXPECT_LE(0, c) TH_LOG("no limit after heap_limit_mb=0");
	close(a);
	close(b);
	close(c);
	if (other)
		close(d);
}

/*
 * Writes a pattern to buffers of this heap, frees them, and checks that
 * buffers allocated next, on every heap, hold only zeroes.
 */
TEST_F(memory, no_stale_data_across_heaps)
{
	enum { N = 8, SIZE = 256 * 1024 };
	const struct cmheap_heap *heaps;
	int i, j, n, fds[N];

	n = cmheap_heaps(&heaps);
	for (j = 0; j < n; j++) {
		for (i = 0; i < N; i++) {
			unsigned char *p;

			fds[i] = alloc_on(self->heap, SIZE);
			ASSERT_LE(0, fds[i]);
			p = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fds[i], 0);
			ASSERT_NE(MAP_FAILED, p);
			memset(p, 0xa5, SIZE);
			munmap(p, SIZE);
		}
		for (i = 0; i < N; i++)
			close(fds[i]);
		for (i = 0; i < N; i++) {
			unsigned char *p;
			long bad;

			fds[i] = alloc_on(heaps[j].name, SIZE);
			ASSERT_LE(0, fds[i]);
			p = mmap(NULL, SIZE, PROT_READ, MAP_SHARED, fds[i], 0);
			ASSERT_NE(MAP_FAILED, p);
			bad = bytes_check(p, SIZE, 0);
			EXPECT_EQ(-1, bad) TH_LOG("%s after %s: byte %ld is %#x",
						  heaps[j].name, self->heap, bad,
						  bad >= 0 ? p[bad] : 0);
			munmap(p, SIZE);
		}
		for (i = 0; i < N; i++)
			close(fds[i]);
	}
}

/* What the child in a memory cgroup saw, sent back through a pipe. */
struct memcg_result {
	int err;			/* errno of the allocation that failed */
	long long allocated;		/* bytes in live buffers then */
	long long base, full, after;	/* memory.current: before, full, freed */
};

static void memcg_child(const char *cg, const char *heap, int out)
{
	char path[256], pid[32];
	struct memcg_result r = { 0 };
	int fds[512], n = 0, i;

	snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
	snprintf(pid, sizeof(pid), "%d", getpid());
	if (file_write(path, pid))
		_exit(2);
	snprintf(path, sizeof(path), "%s/memory.current", cg);
	r.base = read_num(path, NULL);
	while (n < (int)(sizeof(fds) / sizeof(fds[0]))) {
		int fd = alloc_on(heap, SZ_1M);

		if (fd < 0) {
			r.err = -fd;
			break;
		}
		fds[n++] = fd;
	}
	r.allocated = (long long)n * SZ_1M;
	r.full = read_num(path, NULL);
	for (i = 0; i < n; i++)
		close(fds[i]);
	r.after = read_num(path, NULL);
	if (write(out, &r, sizeof(r)) != sizeof(r))
		_exit(3);
	_exit(0);
}

TEST_F(memory, memcg_charged_and_limited)
{
	char cg[128], path[192], why[128];
	struct memcg_result r;
	int status, p[2];
	pid_t pid;

	if (variant->heap.carveout)
		SKIP(return, "carveout memory is not the page allocator's: no memory cgroup charge");
	if (memcg_ready(why, sizeof(why)))
		SKIP(return, "%s", why);
	snprintf(cg, sizeof(cg), CGROOT "/cmheap-memcg-%d", getpid());
	ASSERT_EQ(0, mkdir(cg, 0755));
	snprintf(path, sizeof(path), "%s/memory.max", cg);
	ASSERT_EQ(0, file_write(path, "33554432"));	/* 32 MiB */
	ASSERT_EQ(0, pipe(p));
	pid = fork();
	if (pid == 0) {
		close(p[0]);
		memcg_child(cg, self->heap, p[1]);
	}
	close(p[1]);
	memset(&r, 0, sizeof(r));
	EXPECT_EQ((ssize_t)sizeof(r), read(p[0], &r, sizeof(r)));
	close(p[0]);
	waitpid(pid, &status, 0);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ksft_print_msg("%s: %lld MiB in buffers under memory.max=32M, memory.current %lld -> %lld -> %lld KiB\n",
		       self->heap, r.allocated >> 20, r.base >> 10, r.full >> 10, r.after >> 10);
	EXPECT_EQ(ENOMEM, r.err) TH_LOG("past memory.max: %s", strerror(r.err));
	/* most of the 32 MiB went into buffers, and no more than that */
	EXPECT_LE(16 * SZ_1M, r.allocated);
	EXPECT_GE(32 * SZ_1M, r.allocated);
	/* the buffers were charged to the cgroup, and uncharged when freed */
	EXPECT_LE(r.base + r.allocated * 95 / 100, r.full)
		TH_LOG("memory.current %lld -> %lld for %lld bytes of buffers",
		       r.base, r.full, r.allocated);
	EXPECT_GE(r.base + (long long)SZ_1M, r.after)
		TH_LOG("memory.current %lld after freeing, %lld before", r.after, r.base);
	snprintf(path, sizeof(path), "%s/memory.events", cg);
	EXPECT_EQ(0, read_num(path, "oom_kill"));
	EXPECT_EQ(0, rmdir(cg));
}

/*
 * Allocating until the machine runs out: the heap says ENOMEM, nobody is
 * OOM-killed, and once the buffers are gone the memory is there again.
 * One cached and one uncached heap suffice: they share the page allocator.
 * The harness's default 30 s is too short for the uncached heap on a 2 GiB
 * emulated board: every page of nearly all of memory is zeroed and changed
 * to write-combined, and on a loaded host that took longer (CI, TCG).
 */
TEST_F_TIMEOUT(memory, exhaustion_enomem_without_oom_kill, 300)
{
	enum { CHUNK = 64 * SZ_1M, MAX = 1024 };
	struct timespec t0, t1;
	long long kills, total;
	int *fds, n = 0, fd;

	if (strcmp(self->heap, "cmheap-system") &&
	    strcmp(self->heap, "cmheap-system-uncached"))
		SKIP(return, "the system heaps stand for all");
	total = read_num("/proc/meminfo", "MemTotal:") * 1024;
	ASSERT_LT(0, total);
	fds = calloc(MAX, sizeof(*fds));
	ASSERT_NE(NULL, fds);
	kills = read_num("/proc/vmstat", "oom_kill");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (n < MAX) {
		fd = alloc_on(self->heap, CHUNK);
		if (fd < 0)
			break;
		fds[n++] = fd;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* the time says how near the timeout a slow machine runs */
	ksft_print_msg("%s: ENOMEM after %d MiB of %lld MiB, in %.1f s\n", self->heap, n * 64,
		       total >> 20, (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	EXPECT_EQ(-ENOMEM, fd);
	EXPECT_GT(MAX, n);
	EXPECT_LE(total / 4, (long long)n * CHUNK)
		TH_LOG("only %d MiB of %lld MiB before ENOMEM", n * 64, total >> 20);
	EXPECT_EQ(kills, read_num("/proc/vmstat", "oom_kill"));
	while (n)
		close(fds[--n]);
	/* usable again */
	fd = alloc_on(self->heap, CHUNK);
	EXPECT_LE(0, fd);
	if (fd >= 0)
		close(fd);
	free(fds);
}

TEST_HARNESS_MAIN
