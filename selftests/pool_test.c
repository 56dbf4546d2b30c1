// SPDX-License-Identifier: GPL-2.0
/*
 * pool_test: the system heaps' page pools.
 *
 * - a freed buffer's blocks go to its heap's pool, and come back zeroed,
 *   whether the background worker zeroed them or the allocation did;
 * - the uncached heap's pooled blocks stay write-combined: reusing them
 *   costs no memory-type change or clean (alloc_cleans);
 * - pools=0 gives every pooled page back and pools nothing;
 * - the shrinker empties the pools (drop_caches), and an allocation that
 *   needs the pools' memory gets it;
 * - pooled pages are reclaimable kernel memory (KReclaimable), and pages
 *   of a buffer charged to a memory cgroup are never pooled: the charge
 *   goes when the buffer does.
 *
 * The tests turn the pools on and set module parameters, and put them back
 * (a run with pools=0 stays so); they expect to be the only users of the
 * system heaps while they run.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <linux/dma-buf.h>

#include "kselftest_harness.h"
#include "cmheap_util.h"

#define PARAMS		"/sys/module/cmheap/parameters/"
#define POOLS		"/sys/kernel/debug/cmheap/pools"
#define BUF_SIZE	(4 * SZ_1M)

static bool is_system_heap(const struct cmheap_heap *h)
{
	return !strcmp(h->name, "cmheap-system") ||
	       !strcmp(h->name, "cmheap-system-uncached");
}

FIXTURE(pool) {
	const char *heap;
	char saved_limit[32], saved_order[32], saved_pools[8];
};

FIXTURE_VARIANT(pool) {
	struct cmheap_heap heap;
};

CMHEAP_HEAP_VARIANTS_IF(pool, is_system_heap(h))

/* Empty pools, on, zeroing in the background. */
static int pools_reset(void)
{
	return param_write("pools", "0") ?: param_write("pools", "1") ?:
	       param_write("pool_zero_background", "1");
}

/* Blocks in @heap's pool, ready and dirty, summed over orders (in pages). */
static int pool_pages(const char *heap, long long *ready, long long *dirty)
{
	char path[128], line[128];
	int order;
	long r, d;
	FILE *f;

	snprintf(path, sizeof(path), "/sys/kernel/debug/cmheap/%s/pool", heap);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	*ready = *dirty = 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "order %d ready %ld dirty %ld", &order, &r,
			   &d) != 3)
			continue;
		*ready += (long long)r << order;
		*dirty += (long long)d << order;
	}
	fclose(f);
	return 0;
}

/* Waits up to 60 s for the worker to zero every dirty block of @heap. */
static int pool_settle(const char *heap)
{
	long long ready, dirty;
	double end = now_s() + 60;

	do {
		if (pool_pages(heap, &ready, &dirty))
			return -1;
		if (!dirty)
			return 0;
		usleep(10000);
	} while (now_s() < end);
	return -1;
}

/* A buffer of @heap written all over with @byte, then freed. */
static int fill_and_free(const char *heap, size_t size, int byte)
{
	struct dma_buf_sync sync = { DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE };
	int fd = alloc_on(heap, size);
	void *p;

	if (fd < 0)
		return fd;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		close(fd);
		return -errno;
	}
	ioctl(fd, DMA_BUF_IOCTL_SYNC, &sync);
	memset(p, byte, size);
	sync.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE;
	ioctl(fd, DMA_BUF_IOCTL_SYNC, &sync);
	munmap(p, size);
	close(fd);
	return 0;
}

/* The first byte of a new buffer of @heap that is not zero, or -1. */
static long first_nonzero(const char *heap, size_t size)
{
	struct dma_buf_sync sync = { DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ };
	int fd = alloc_on(heap, size);
	long bad;
	void *p;

	if (fd < 0)
		return -2;
	p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		close(fd);
		return -2;
	}
	ioctl(fd, DMA_BUF_IOCTL_SYNC, &sync);
	bad = bytes_check(p, size, 0);
	sync.flags = DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ;
	ioctl(fd, DMA_BUF_IOCTL_SYNC, &sync);
	munmap(p, size);
	close(fd);
	return bad;
}

FIXTURE_SETUP(pool)
{
	int fd;

	heap_variant_check(&variant->heap);
	self->heap = variant->heap.name;
	debugfs_ensure();
	if (access(PARAMS "pools", W_OK) || access(POOLS, R_OK))
		SKIP(return, "no pools parameter or debugfs pools file");
	ASSERT_EQ(0, param_read("pool_limit_mb", self->saved_limit,
				sizeof(self->saved_limit)));
	ASSERT_EQ(0, param_read("max_order", self->saved_order,
				sizeof(self->saved_order)));
	/* on for these tests, as the suite found them afterwards */
	ASSERT_EQ(0, param_read("pools", self->saved_pools,
				sizeof(self->saved_pools)));
	fd = alloc_on(self->heap, page_size());
	if (fd == -EOPNOTSUPP)
		SKIP(return, "uncached buffers are refused where DMA bounces (uncached_refused)");
	ASSERT_LE(0, fd);
	close(fd);
	/* empty, the probe's page too */
	ASSERT_EQ(0, pools_reset());
}

FIXTURE_TEARDOWN(pool)
{
	if (!self->saved_limit[0])
		return;
	EXPECT_EQ(0, param_write("pool_limit_mb", self->saved_limit));
	EXPECT_EQ(0, param_write("max_order", self->saved_order));
	EXPECT_EQ(0, pools_reset());
	EXPECT_EQ(0, param_write("pools", self->saved_pools));
}

/* Freed blocks come back from the pool, zeroed by the worker. */
TEST_F(pool, reuse_zeroed_in_background)
{
	struct cmheap_stats a, b, c;
	long long ready, dirty;

	ASSERT_EQ(0, stats_read(self->heap, &a));
	ASSERT_EQ(0, fill_and_free(self->heap, BUF_SIZE, 0xa5));
	ASSERT_EQ(0, stats_read(self->heap, &b));
	/* every block of the buffer was fresh, and went to the pool */
	EXPECT_LT(a.v[ST_POOL_MISSES], b.v[ST_POOL_MISSES]);
	EXPECT_EQ(b.v[ST_POOL_MISSES] - a.v[ST_POOL_MISSES],
		  b.v[ST_POOL_RETURNS] - a.v[ST_POOL_RETURNS]);
	ASSERT_EQ(0, pool_settle(self->heap)) TH_LOG("the worker never zeroed the pool");
	ASSERT_EQ(0, pool_pages(self->heap, &ready, &dirty));
	EXPECT_EQ(BUF_SIZE / (long long)page_size(), ready);
	EXPECT_EQ(-1, first_nonzero(self->heap, BUF_SIZE))
		TH_LOG("%s: stale data in a buffer from the pool", self->heap);
	ASSERT_EQ(0, stats_read(self->heap, &c));
	EXPECT_EQ(b.v[ST_POOL_RETURNS] - a.v[ST_POOL_RETURNS],
		  c.v[ST_POOL_HITS] - b.v[ST_POOL_HITS]);
	EXPECT_EQ(b.v[ST_POOL_MISSES], c.v[ST_POOL_MISSES]);
}

/* With the worker off, the allocation zeroes the blocks it takes. */
TEST_F(pool, reuse_zeroed_at_alloc)
{
	struct cmheap_stats a, b, c;
	long long ready, dirty;

	ASSERT_EQ(0, param_write("pool_zero_background", "0"));
	ASSERT_EQ(0, stats_read(self->heap, &a));
	ASSERT_EQ(0, fill_and_free(self->heap, BUF_SIZE, 0x5a));
	ASSERT_EQ(0, stats_read(self->heap, &b));
	ASSERT_EQ(0, pool_pages(self->heap, &ready, &dirty));
	EXPECT_EQ(BUF_SIZE / (long long)page_size(), dirty);
	EXPECT_EQ(-1, first_nonzero(self->heap, BUF_SIZE))
		TH_LOG("%s: stale data in a buffer from the pool", self->heap);
	ASSERT_EQ(0, stats_read(self->heap, &c));
	EXPECT_EQ(b.v[ST_POOL_RETURNS] - a.v[ST_POOL_RETURNS],
		  c.v[ST_POOL_ZEROED] - b.v[ST_POOL_ZEROED]);
	EXPECT_EQ(b.v[ST_POOL_HITS], c.v[ST_POOL_HITS]);
}

/*
 * The uncached heap's blocks stay write-combined in the pool: a fresh
 * buffer pays the memory-type change or clean, one from the pool none.
 */
TEST_F(pool, uncached_reuse_keeps_memory_type)
{
	__u64 a, b, c;

	if (!variant->heap.uncached)
		SKIP(return, "cached blocks need no memory type");
	a = stat_get(self->heap, ST_ALLOC_CLEANS);
	ASSERT_EQ(0, fill_and_free(self->heap, BUF_SIZE, 0x33));
	b = stat_get(self->heap, ST_ALLOC_CLEANS);
	ASSERT_EQ(0, pool_settle(self->heap));
	EXPECT_EQ(-1, first_nonzero(self->heap, BUF_SIZE));
	c = stat_get(self->heap, ST_ALLOC_CLEANS);
	ksft_print_msg("%s: alloc_cleans +%llu fresh, +%llu from the pool\n",
		       self->heap, (unsigned long long)(b - a),
		       (unsigned long long)(c - b));
	EXPECT_LT(a, b);
	EXPECT_EQ(b, c);
}

/* pools=0 gives the pooled pages back and keeps nothing. */
TEST_F(pool, off_pools_nothing)
{
	struct cmheap_stats a, b;

	ASSERT_EQ(0, fill_and_free(self->heap, BUF_SIZE, 0x11));
	EXPECT_LE(BUF_SIZE / (long long)page_size(), read_num(POOLS, "pages"));
	ASSERT_EQ(0, param_write("pools", "0"));
	EXPECT_EQ(0, read_num(POOLS, "pages"));
	ASSERT_EQ(0, stats_read(self->heap, &a));
	ASSERT_EQ(0, fill_and_free(self->heap, BUF_SIZE, 0x22));
	ASSERT_EQ(0, stats_read(self->heap, &b));
	EXPECT_EQ(a.v[ST_POOL_RETURNS], b.v[ST_POOL_RETURNS]);
	EXPECT_EQ(a.v[ST_POOL_HITS], b.v[ST_POOL_HITS]);
	EXPECT_EQ(0, read_num(POOLS, "pages"));
}

/* The shrinker empties the pools; they were reclaimable kernel memory. */
TEST_F(pool, shrinker_empties_pools)
{
	const long long size = 32 * SZ_1M;
	long long kr0, kr1, kr2, shrunk;

	kr0 = read_num("/proc/meminfo", "KReclaimable:");
	ASSERT_EQ(0, fill_and_free(self->heap, size, 0x44));
	ASSERT_EQ(0, pool_settle(self->heap));
	kr1 = read_num("/proc/meminfo", "KReclaimable:");
	EXPECT_EQ(size / (long long)page_size(), read_num(POOLS, "pages"));
	shrunk = read_num(POOLS, "shrunk_pages");
	ASSERT_EQ(0, file_write("/proc/sys/vm/drop_caches", "2"));
	kr2 = read_num("/proc/meminfo", "KReclaimable:");
	ksft_print_msg("%s: KReclaimable %lld -> %lld -> %lld KiB, shrinker freed %lld pages\n",
		       self->heap, kr0, kr1, kr2,
		       read_num(POOLS, "shrunk_pages") - shrunk);
	EXPECT_EQ(0, read_num(POOLS, "pages"));
	EXPECT_EQ(size / (long long)page_size(),
		  read_num(POOLS, "shrunk_pages") - shrunk);
	/* the pool's 32 MiB showed, give or take other kernel memory */
	EXPECT_LE(kr0 + (size >> 10) * 9 / 10, kr1);
	EXPECT_GE(kr1 - (size >> 10) * 9 / 10, kr2);
}

/* Allocates and frees a buffer of @bytes, in @cg (a child) if not NULL: 0 or -errno. */
static int alloc_in(const char *heap, long long bytes, const char *cg)
{
	char path[192], pid[32];
	int fd, status;
	pid_t child;

	if (!cg) {
		fd = alloc_on(heap, bytes);
		if (fd < 0)
			return fd;
		close(fd);
		return 0;
	}
	child = fork();
	if (child < 0)
		return -errno;
	if (child == 0) {
		snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
		snprintf(pid, sizeof(pid), "%d", getpid());
		if (file_write(path, pid))
			_exit(EPERM);
		fd = alloc_on(heap, bytes);
		_exit(fd < 0 ? -fd : 0);
	}
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status))
		return -ECHILD;
	return -WEXITSTATUS(status);
}

/*
 * An allocation that needs the memory the pools hold gets it: the pools
 * hold more than the machine has free, and a buffer of all that is free
 * and half the pool is asked for, in order-0 pages (pooled order-8 blocks
 * do not serve it), by the caller or by a task in a memory cgroup whose
 * memory.max the buffer fits (pooled pages are charged to nobody).
 */
static void pressure(struct __test_metadata *_metadata, const char *heap,
		     const char *cg)
{
	long long total, pooled, free_kib, want, before_shrunk, before_drained;
	int fds[256], n = 0, i, ret;
	char limit[32], path[192];

	total = read_num("/proc/meminfo", "MemTotal:");
	snprintf(limit, sizeof(limit), "%lld", total >> 10);
	ASSERT_EQ(0, param_write("pool_limit_mb", limit));
	/* 40% of memory into the pools, in 16 MiB buffers freed together */
	while (n < 256 && (long long)n * (16 << 20) < total * 1024 * 4 / 10) {
		fds[n] = alloc_on(heap, 16 * SZ_1M);
		if (fds[n] < 0)
			break;
		n++;
	}
	for (i = 0; i < n; i++)
		close(fds[i]);
	pooled = read_num(POOLS, "pages") * (long long)(page_size() >> 10);
	ASSERT_LE(total * 3 / 10, pooled);
	free_kib = read_num("/proc/meminfo", "MemFree:");
	want = free_kib + pooled / 2;
	if (cg) {
		/* room for the buffer and its scatterlist, no more */
		snprintf(path, sizeof(path), "%s/memory.max", cg);
		snprintf(limit, sizeof(limit), "%lld", want * 1024 + 64 * SZ_1M);
		ASSERT_EQ(0, file_write(path, limit));
	}
	before_shrunk = read_num(POOLS, "shrunk_pages");
	before_drained = read_num(POOLS, "drained_pages");
	ASSERT_EQ(0, param_write("max_order", "0"));
	ret = alloc_in(heap, want * 1024, cg);
	ksft_print_msg("%s: pools held %lld MiB, %lld MiB free; a %lld MiB buffer%s: %s; the shrinker freed %lld pages, drains %lld\n",
		       heap, pooled >> 10, free_kib >> 10, want >> 10,
		       cg ? " in a memory cgroup" : "", strerror(-ret),
		       read_num(POOLS, "shrunk_pages") - before_shrunk,
		       read_num(POOLS, "drained_pages") - before_drained);
	/* more than was free: only the pools' memory could serve it */
	EXPECT_LT(free_kib, want);
	EXPECT_EQ(0, ret);
	EXPECT_LT(before_shrunk + before_drained,
		  read_num(POOLS, "shrunk_pages") +
		  read_num(POOLS, "drained_pages"));
	if (cg) {
		snprintf(path, sizeof(path), "%s/memory.events", cg);
		EXPECT_EQ(0, read_num(path, "oom_kill"));
	}
	ASSERT_EQ(0, param_write("pools", "0"));
	EXPECT_EQ(0, read_num(POOLS, "pages"));
}

/*
 * The pressure tests fill the pools with 40% of RAM and then allocate more
 * than is free: minutes, not seconds, of a 2 GiB TCG guest sharing two host
 * cores with other emulators (make check's board guest ran out the
 * harness's default 30 s).
 */
#define PRESSURE_TIMEOUT	300

TEST_F_TIMEOUT(pool, pressure_takes_pool_back, PRESSURE_TIMEOUT)
{
	pressure(_metadata, self->heap, NULL);
}

TEST_F_TIMEOUT(pool, pressure_in_memcg_takes_pool_back, PRESSURE_TIMEOUT)
{
	char cg[128], why[128];

	if (memcg_ready(why, sizeof(why)))
		SKIP(return, "%s", why);
	snprintf(cg, sizeof(cg), CGROOT "/cmheap-pressure-%d", getpid());
	ASSERT_EQ(0, mkdir(cg, 0755));
	pressure(_metadata, self->heap, cg);
	EXPECT_EQ(0, rmdir(cg));
}

/*
 * A tenant that fails at its own memory.max leaves the pools alone:
 * draining them cannot raise its limit (pooled pages serve uncharged
 * callers only), and would empty every other tenant's pools, on x86 with a
 * flush IPI per uncached block, as often as it liked to fail.
 */
TEST_F(pool, drain_spares_other_tenants)
{
	char cg[128], path[192], why[128];
	long long pooled, drained;
	int i, ret;

	if (memcg_ready(why, sizeof(why)))
		SKIP(return, "%s", why);
	ASSERT_EQ(0, fill_and_free(self->heap, BUF_SIZE, 0x5a));
	ASSERT_EQ(0, pool_settle(self->heap));
	pooled = read_num(POOLS, "pages");
	ASSERT_LT(0, pooled);
	drained = read_num(POOLS, "drained_pages");
	snprintf(cg, sizeof(cg), CGROOT "/cmheap-tenant-%d", getpid());
	ASSERT_EQ(0, mkdir(cg, 0755));
	snprintf(path, sizeof(path), "%s/memory.max", cg);
	ASSERT_EQ(0, file_write(path, "1048576"));
	for (i = 0; i < 3; i++) {
		ret = alloc_in(self->heap, 2 * BUF_SIZE, cg);
		EXPECT_EQ(-ENOMEM, ret) TH_LOG("try %d: %s", i, strerror(-ret));
	}
	EXPECT_EQ(drained, read_num(POOLS, "drained_pages"));
	EXPECT_EQ(pooled, read_num(POOLS, "pages"));
	snprintf(path, sizeof(path), "%s/memory.events", cg);
	EXPECT_EQ(0, read_num(path, "oom_kill"));
	EXPECT_EQ(0, rmdir(cg));
}

/*
 * A buffer charged to a memory cgroup is never pooled: its pages, and the
 * charge, go when it does, and the cgroup takes nothing from the pools.
 */
TEST_F(pool, charged_buffers_bypass_pools)
{
	char cg[128], path[192], pid[32], why[128];
	long long base, full, after;
	struct cmheap_stats a, b;
	int status, fd;
	pid_t child;

	if (memcg_ready(why, sizeof(why)))
		SKIP(return, "%s", why);
	/* something in the pools the cgroup must not take */
	ASSERT_EQ(0, fill_and_free(self->heap, BUF_SIZE, 0x66));
	ASSERT_EQ(0, pool_settle(self->heap));
	snprintf(cg, sizeof(cg), CGROOT "/cmheap-pool-%d", getpid());
	ASSERT_EQ(0, mkdir(cg, 0755));
	ASSERT_EQ(0, stats_read(self->heap, &a));
	child = fork();
	if (child == 0) {
		snprintf(path, sizeof(path), "%s/cgroup.procs", cg);
		snprintf(pid, sizeof(pid), "%d", getpid());
		if (file_write(path, pid))
			_exit(2);
		snprintf(path, sizeof(path), "%s/memory.current", cg);
		base = read_num(path, NULL);
		fd = alloc_on(self->heap, BUF_SIZE);
		if (fd < 0)
			_exit(3);
		full = read_num(path, NULL);
		close(fd);
		after = read_num(path, NULL);
		ksft_print_msg("%s: memory.current %lld -> %lld -> %lld KiB\n",
			       self->heap, base >> 10, full >> 10, after >> 10);
		/* charged while it lived, uncharged once freed */
		_exit(full - base >= (long long)BUF_SIZE * 95 / 100 &&
		      after - base < (long long)SZ_1M ? 0 : 4);
	}
	ASSERT_LT(0, child);
	waitpid(child, &status, 0);
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
		TH_LOG("child status %#x", status);
	ASSERT_EQ(0, stats_read(self->heap, &b));
	EXPECT_EQ(a.v[ST_POOL_HITS], b.v[ST_POOL_HITS]);
	EXPECT_EQ(a.v[ST_POOL_ZEROED], b.v[ST_POOL_ZEROED]);
	EXPECT_EQ(a.v[ST_POOL_RETURNS], b.v[ST_POOL_RETURNS]);
	EXPECT_EQ(0, rmdir(cg));
}

TEST_HARNESS_MAIN
