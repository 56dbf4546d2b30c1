// SPDX-License-Identifier: GPL-2.0
/*
 * trust_test: the defects a review of the module found, each as a test that
 * failed before its fix where a guest can show it.
 *
 * - /dev/cmheap is a privileged test tool (CAP_SYS_ADMIN), while the heaps
 *   serve whoever may open their nodes;
 * - nothing lets a device write a dma-buf opened read-only;
 * - handle 0 is never handed out and never frees anything; handles per
 *   file are capped;
 * - reserved fields must be zero;
 * - the BENCH loop stops at its time budget and on a signal;
 * - begin/end_cpu_access sync each attachment in its mapped direction;
 * - x86 changes the memory type of uncached buffers in batches, not one
 *   TLB and cache flush per scatterlist entry.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <linux/dma-buf.h>

#include "kselftest_harness.h"
#include "cmheap_util.h"

#define BUF_SIZE	(64 * 1024)
#define NOBODY		65534


/*
 * Runs @fn in a child that has become an ordinary user (uid/gid nobody, no
 * capabilities) while @path is opened up to everyone (mode 0666, restored
 * after).  Returns the child's exit status, or -1.
 */
static int as_nobody(const char *path, int (*fn)(const char *arg),
		     const char *arg)
{
	struct stat st;
	int status;
	pid_t pid;

	if (stat(path, &st) || chmod(path, 0666))
		return -1;
	pid = fork();
	if (pid == 0) {
		if (setgid(NOBODY) || setuid(NOBODY))
			_exit(100);
		_exit(fn(arg));
	}
	waitpid(pid, &status, 0);
	chmod(path, st.st_mode & 07777);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* 0 when opening /dev/cmheap fails with EPERM, as it must for nobody. */
static int open_ctl_as_nobody(const char *unused)
{
	int ret = cmheap_ctl_open();

	(void)unused;
	return ret == -EPERM ? 0 : 1;
}

TEST(unprivileged_ctl_open_eperm)
{
	int ctl;

	CTL_OPEN_OR_SKIP(ctl);
	close(ctl);
	EXPECT_EQ(0, as_nobody(CMHEAP_CTL_PATH, open_ctl_as_nobody, NULL))
		TH_LOG("an unprivileged open of " CMHEAP_CTL_PATH " must fail with EPERM");
}

/* 0 when nobody can allocate, map, write and read a buffer of @path. */
static int use_heap_as_nobody(const char *path)
{
	int heap, fd, ret = 0;
	unsigned char *p;

	heap = open(path, O_RDWR | O_CLOEXEC);
	if (heap < 0)
		return 2;
	fd = heap_alloc(heap, BUF_SIZE);
	close(heap);
	if (fd < 0)
		return 3;
	p = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return 4;
	pattern_fill(p, BUF_SIZE, 0, 7);
	if (pattern_check(p, BUF_SIZE, 0, 7) >= 0)
		ret = 5;
	munmap(p, BUF_SIZE);
	close(fd);
	return ret;
}

TEST(unprivileged_heaps_usable)
{
	const struct cmheap_heap *heaps;
	int i, n = cmheap_heaps(&heaps);

	if (!n)
		SKIP(return, "no cmheap heap");
	for (i = 0; i < n; i++) {
		EXPECT_EQ(0, as_nobody(heaps[i].path, use_heap_as_nobody,
				       heaps[i].path))
			TH_LOG("%s: an ordinary user with access to the node must be able to use it",
			       heaps[i].name);
	}
}

FIXTURE(trust) {
	int ctl, fd, ro_fd;
	bool noncoherent;
	__u32 dev;		/* the device that maps the heap's buffers */
};

FIXTURE_VARIANT(trust) {
	struct cmheap_heap heap;
};

CMHEAP_HEAP_VARIANTS(trust)

FIXTURE_SETUP(trust)
{
	int heap;

	self->ctl = self->fd = self->ro_fd = -1;
	heap_variant_check(&variant->heap);
	CTL_OPEN_OR_SKIP(self->ctl);
	self->noncoherent = cmheap_ctl_device_flags(self->ctl, CMHEAP_DEV_NONCOHERENT) &
			    CMHEAP_DEVF_PRESENT;
	self->dev = heap_device(self->ctl, &variant->heap);
	heap = heap_open(variant->heap.name);
	ASSERT_LE(0, heap);
	self->fd = heap_alloc(heap, BUF_SIZE);
	self->ro_fd = heap_alloc_raw(heap, BUF_SIZE, 0, O_RDONLY | O_CLOEXEC, 0);
	close(heap);
	ASSERT_LE(0, self->fd);
	ASSERT_LE(0, self->ro_fd);
}

FIXTURE_TEARDOWN(trust)
{
	if (self->ctl >= 0)
		close(self->ctl);
	if (self->fd >= 0)
		close(self->fd);
	if (self->ro_fd >= 0)
		close(self->ro_fd);
}

/* Two timed maps for the device to read: the smallest valid BENCH. */
static void short_bench(struct cmheap_bench *b, __u32 handle, __u64 samples[2])
{
	memset(b, 0, sizeof(*b));
	b->handle = handle;
	b->op = CMHEAP_BENCH_MAP;
	b->direction = CMHEAP_DIR_TO_DEVICE;
	b->iterations = 2;
	b->samples_ptr = (__u64)(uintptr_t)samples;
}

TEST_F(trust, readonly_dmabuf_device_writes_eacces)
{
	__u32 dev = self->noncoherent ? CMHEAP_DEV_NONCOHERENT : CMHEAP_DEV_COHERENT;
	struct cmheap_attach at;
	struct cmheap_bench b;
	__u64 samples[2];

	ASSERT_EQ(0, cmheap_ctl_attach(self->ctl, self->ro_fd, dev, &at));
	EXPECT_EQ(-EACCES, cmheap_ctl_map(self->ctl, at.handle, CMHEAP_DIR_FROM_DEVICE, 0, 0, NULL));
	EXPECT_EQ(-EACCES, cmheap_ctl_map(self->ctl, at.handle, CMHEAP_DIR_BIDIRECTIONAL, 0, 0, NULL));
	EXPECT_EQ(-EACCES, cmheap_ctl_map(self->ctl, at.handle, CMHEAP_DIR_FROM_DEVICE,
				   CMHEAP_ATTR_SKIP_CPU_SYNC, CMHEAP_MAP_RAW, NULL));
	/* the device may read it */
	EXPECT_EQ(0, cmheap_ctl_map(self->ctl, at.handle, CMHEAP_DIR_TO_DEVICE, 0, 0, NULL));
	EXPECT_EQ(0, cmheap_ctl_unmap(self->ctl, at.handle));

	short_bench(&b, at.handle, samples);
	EXPECT_EQ(0, cmheap_ctl_bench(self->ctl, &b));
	b.flags = CMHEAP_BENCH_DIRTY;
	EXPECT_EQ(-EACCES, cmheap_ctl_bench(self->ctl, &b));
	b.flags = 0;
	b.direction = CMHEAP_DIR_FROM_DEVICE;
	EXPECT_EQ(-EACCES, cmheap_ctl_bench(self->ctl, &b));
	/* the same buffer opened for writing is writable */
	ASSERT_EQ(0, cmheap_ctl_attach(self->ctl, self->fd, dev, &at));
	EXPECT_EQ(0, cmheap_ctl_map(self->ctl, at.handle, CMHEAP_DIR_FROM_DEVICE, 0, 0, NULL));
	EXPECT_EQ(0, cmheap_ctl_unmap(self->ctl, at.handle));
}

TEST_F(trust, handle_zero_never_used)
{
	struct cmheap_attach at;
	int i;

	for (i = 0; i < 3; i++) {
		ASSERT_EQ(0, cmheap_ctl_attach(self->ctl, self->fd, self->dev, &at));
		EXPECT_NE(0, at.handle);
		EXPECT_EQ(-ENOENT, cmheap_ctl_detach(self->ctl, 0));
		EXPECT_EQ(-ENOENT, cmheap_ctl_map(self->ctl, 0, CMHEAP_DIR_TO_DEVICE, 0, 0, NULL));
		EXPECT_EQ(-ENOENT, cmheap_ctl_unmap(self->ctl, 0));
	}
	/* the next handle is still not 0 */
	ASSERT_EQ(0, cmheap_ctl_attach(self->ctl, self->fd, self->dev, &at));
	EXPECT_NE(0, at.handle);
	EXPECT_EQ(0, cmheap_ctl_map(self->ctl, at.handle, CMHEAP_DIR_TO_DEVICE, 0, 0, NULL));
	EXPECT_EQ(0, cmheap_ctl_unmap(self->ctl, at.handle));
}

TEST_F(trust, handles_per_file_capped_emfile)
{
	struct cmheap_attach at;
	__u32 first = 0;
	int i;

	for (i = 0; i < CMHEAP_MAX_HANDLES; i++) {
		ASSERT_EQ(0, cmheap_ctl_attach(self->ctl, self->fd, self->dev, &at))
			TH_LOG("attach %d of %d", i + 1, CMHEAP_MAX_HANDLES);
		if (!first)
			first = at.handle;
	}
	EXPECT_EQ(-EMFILE, cmheap_ctl_attach(self->ctl, self->fd, self->dev, &at));
	/* one freed, one more fits */
	EXPECT_EQ(0, cmheap_ctl_detach(self->ctl, first));
	EXPECT_EQ(0, cmheap_ctl_attach(self->ctl, self->fd, self->dev, &at));
	EXPECT_EQ(-EMFILE, cmheap_ctl_attach(self->ctl, self->fd, self->dev, &at));
	/* the cap is per file: another file has its own */
	{
		int other = cmheap_ctl_open();

		ASSERT_LE(0, other);
		EXPECT_EQ(0, cmheap_ctl_attach(other, self->fd, self->dev, &at));
		close(other);
	}
}

TEST_F(trust, reserved_fields_einval)
{
	struct cmheap_attach at;
	struct cmheap_bench b;
	__u64 samples[2];

	memset(&at, 0, sizeof(at));
	at.dmabuf_fd = self->fd;
	at.device = self->dev;
	at.reserved[1] = 1;
	EXPECT_EQ(-1, ioctl(self->ctl, CMHEAP_IOC_ATTACH, &at));
	EXPECT_EQ(EINVAL, errno);
	at.reserved[1] = 0;
	ASSERT_EQ(0, ioctl(self->ctl, CMHEAP_IOC_ATTACH, &at));

	short_bench(&b, at.handle, samples);
	b.reserved = 1;
	EXPECT_EQ(-EINVAL, cmheap_ctl_bench(self->ctl, &b));
	b.reserved = 0;
	b.reserved2[0] = 1;
	EXPECT_EQ(-EINVAL, cmheap_ctl_bench(self->ctl, &b));
	b.reserved2[0] = 0;
	b.reserved2[1] = 1;
	EXPECT_EQ(-EINVAL, cmheap_ctl_bench(self->ctl, &b));
	b.reserved2[1] = 0;
	b.budget_ns = CMHEAP_BENCH_MAX_NS + 1;
	EXPECT_EQ(-EINVAL, cmheap_ctl_bench(self->ctl, &b));
	b.budget_ns = 0;
	EXPECT_EQ(0, cmheap_ctl_bench(self->ctl, &b));
	EXPECT_EQ(2, b.done);
}

/*
 * The longest loop one may ask for: a million dirtying map+unmap rounds of
 * the fixture's writable buffer, with @budget_ns.  Returns the samples'
 * array, NULL when out of memory.
 */
static __u64 *long_bench(struct cmheap_bench *b, __u32 handle, __u64 budget_ns)
{
	__u64 *samples = calloc(CMHEAP_BENCH_MAX_ITERATIONS, sizeof(*samples));

	memset(b, 0, sizeof(*b));
	b->handle = handle;
	b->op = CMHEAP_BENCH_MAP_UNMAP;
	b->direction = CMHEAP_DIR_TO_DEVICE;
	b->flags = CMHEAP_BENCH_DIRTY;
	b->iterations = CMHEAP_BENCH_MAX_ITERATIONS;
	b->budget_ns = budget_ns;
	b->samples_ptr = (__u64)(uintptr_t)samples;
	return samples;
}

TEST_F(trust, bench_stops_at_time_budget)
{
	struct cmheap_attach at;
	struct cmheap_bench b;
	__u64 *samples;
	double t0, took;

	ASSERT_EQ(0, cmheap_ctl_attach(self->ctl, self->fd, self->dev, &at));
	samples = long_bench(&b, at.handle, 50 * 1000 * 1000);
	ASSERT_NE(NULL, samples);
	t0 = now_s();
	ASSERT_EQ(0, cmheap_ctl_bench(self->ctl, &b));
	took = now_s() - t0;
	EXPECT_LE(1, b.done);
	EXPECT_GT(CMHEAP_BENCH_MAX_ITERATIONS, b.done);
	/* 50 ms of budget; a generous bound for a slow emulator */
	EXPECT_GT(5.0, took) TH_LOG("took %.2f s for a 50 ms budget", took);
	EXPECT_NE(0, samples[b.done - 1]);
	free(samples);
}

static void on_alarm(int sig)
{
	(void)sig;
}

TEST_F(trust, bench_interrupted_by_signal)
{
	struct sigaction sa = { .sa_handler = on_alarm };	/* no SA_RESTART */
	struct itimerval it = { .it_value = { .tv_usec = 200 * 1000 } };
	struct cmheap_attach at;
	struct cmheap_bench b;
	__u64 *samples;
	double t0, took;

	ASSERT_EQ(0, cmheap_ctl_attach(self->ctl, self->fd, self->dev, &at));
	samples = long_bench(&b, at.handle, CMHEAP_BENCH_MAX_NS);
	ASSERT_NE(NULL, samples);
	ASSERT_EQ(0, sigaction(SIGALRM, &sa, NULL));
	ASSERT_EQ(0, setitimer(ITIMER_REAL, &it, NULL));
	t0 = now_s();
	EXPECT_EQ(-EINTR, cmheap_ctl_bench(self->ctl, &b));
	took = now_s() - t0;
	EXPECT_GT(10.0, took) TH_LOG("a signal took %.2f s to stop the loop", took);
	signal(SIGALRM, SIG_DFL);
	/* the handle is usable again: the loop left nothing mapped */
	EXPECT_EQ(0, cmheap_ctl_map(self->ctl, at.handle, CMHEAP_DIR_TO_DEVICE, 0, 0, NULL));
	EXPECT_EQ(0, cmheap_ctl_unmap(self->ctl, at.handle));
	free(samples);
}

/*
 * A device that only reads the buffer (TO_DEVICE) leaves nothing in the
 * caches for the CPU to invalidate, whatever the CPU is about to do: a
 * begin_cpu_access must sync that attachment TO_DEVICE (no maintenance),
 * not in the CPU's direction (an invalidation).  The counters show it on a
 * non-coherent device; on any device, DMA-API debugging (make test
 * KERNEL=debug) reports a sync in another direction than the mapping's.
 */
TEST_F(trust, cpu_access_syncs_in_mapped_direction)
{
	__u32 dev = self->noncoherent ? CMHEAP_DEV_NONCOHERENT : CMHEAP_DEV_COHERENT;
	const char *heap = variant->heap.name;
	struct cmheap_attach at;
	__u64 before, after;

	ASSERT_EQ(0, cmheap_ctl_attach(self->ctl, self->fd, dev, &at));
	ASSERT_EQ(0, cmheap_ctl_map(self->ctl, at.handle, CMHEAP_DIR_TO_DEVICE, 0, 0, NULL));
	before = stat_get(heap, ST_CACHE_MAINT_OPS);
	EXPECT_EQ(0, dmabuf_sync(self->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW));
	after = stat_get(heap, ST_CACHE_MAINT_OPS);
	EXPECT_EQ(before, after) TH_LOG("sync for the CPU of a TO_DEVICE mapping did maintenance");
	/* and for the device, a TO_DEVICE mapping of a cached buffer is cleaned */
	EXPECT_EQ(0, dmabuf_sync(self->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW));
	if (!self->noncoherent || variant->heap.uncached) {
		EXPECT_EQ(after, stat_get(heap, ST_CACHE_MAINT_OPS));
	} else {
		EXPECT_LT(after, stat_get(heap, ST_CACHE_MAINT_OPS));
	}
	EXPECT_EQ(0, cmheap_ctl_unmap(self->ctl, at.handle));
}

#if defined(__x86_64__)
/*
 * Uncached buffers are never synced, so a device whose DMA bounces through
 * swiotlb would read and write bounce buffers nobody copies: the map must
 * be refused (EOPNOTSUPP), never lose data.  Cached buffers bounce fine.
 * Needs a device whose DMA bounces (a guest booted with swiotlb=force:
 * the bounce configuration of scripts/test.sh).
 */
TEST_F(trust, uncached_map_refused_when_bouncing)
{
	struct cmheap_attach at;
	unsigned int d, i, bouncing = 0;

	for (d = 0; d < CMHEAP_MAX_DEVICES; d++)
		if (cmheap_ctl_device_flags(self->ctl, d) & CMHEAP_DEVF_BOUNCE)
			bouncing++;
	if (!bouncing)
		SKIP(return, "no bouncing DMA here (boot with swiotlb=force)");
	for (d = 0; d < CMHEAP_MAX_DEVICES; d++) {
		if (!(cmheap_ctl_device_flags(self->ctl, d) & CMHEAP_DEVF_BOUNCE))
			continue;
		ASSERT_EQ(0, cmheap_ctl_attach(self->ctl, self->fd, d, &at));
		for (i = 0; i < ARRAY_SIZE(cmheap_dirs); i++) {
			int ret = cmheap_ctl_map(self->ctl, at.handle, cmheap_dirs[i], 0, 0, NULL);

			/* page-less memory is mapped without bouncing */
			if ((variant->heap.uncached && !variant->heap.pageless) ||
			    (variant->heap.pageless && swiotlb_forced())) {
				EXPECT_EQ(-EOPNOTSUPP, ret) TH_LOG("device %u dir %u", d, cmheap_dirs[i]);
			} else {
				EXPECT_EQ(0, ret) TH_LOG("device %u dir %u", d, cmheap_dirs[i]);
				EXPECT_EQ(0, cmheap_ctl_unmap(self->ctl, at.handle));
			}
		}
	}
}

/* Function-call and TLB-shootdown IPIs so far, all CPUs (x86). */
static long long flush_ipis(void)
{
	char line[4096];
	long long sum = 0;
	FILE *f = fopen("/proc/interrupts", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *end;
		long long v;

		while (*p == ' ')
			p++;
		if (strncmp(p, "CAL:", 4) && strncmp(p, "TLB:", 4))
			continue;
		p += 4;
		for (;;) {
			v = strtoll(p, &end, 10);
			if (end == p)
				break;
			sum += v;
			p = end;
		}
	}
	fclose(f);
	return sum;
}
#endif

/*
 * x86: making a buffer write-combined changes the linear map's memory type,
 * and every change flushes TLBs and caches on every CPU.  One change per
 * scatterlist entry made a 16 MiB order-0 buffer cost 8192 such IPIs; in
 * batches it is a handful.
 */
TEST(x86_uncached_memtype_in_batches)
{
#if defined(__x86_64__)
	const char *param = "/sys/module/cmheap/parameters/max_order";
	long long before, after;
	char old[16] = "8";
	int fd, pf;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		SKIP(return, "one CPU online: no IPIs to count");
	if (!cmheap_loaded())
		SKIP(return, "cmheap module not loaded");
	pf = open(param, O_RDWR);
	ASSERT_LE(0, pf);
	ASSERT_LT(0, read(pf, old, sizeof(old) - 1));
	ASSERT_EQ(1, pwrite(pf, "0", 1, 0));
	before = flush_ipis();
	ASSERT_LE(0, before);
	fd = alloc_on("cmheap-system-uncached", 16 * SZ_1M);
	close(fd);
	after = flush_ipis();
	ASSERT_LT(0, pwrite(pf, old, strlen(old), 0));
	close(pf);
	ASSERT_LE(0, fd);
	ksft_print_msg("%lld flush IPIs to make 4096 pages WC and back\n", after - before);
	EXPECT_GT(512, after - before)
		TH_LOG("%lld flush IPIs for 4096 pages made WC and back", after - before);
#else
	SKIP(return, "x86 only: other architectures keep the linear map's type");
#endif
}

/* True when @text holds something shaped like a kernel address. */
static bool has_kernel_address(const char *text)
{
	const char *p;

	for (p = text; (p = strstr(p, "ffff")); p++) {
		int n = 0;

		while (n < 16 && strchr("0123456789abcdef", p[n]) && p[n])
			n++;
		if (n == 16)
			return true;
	}
	return strstr(text, "%p") != NULL;
}


/*
 * Nothing cmheap shows in debugfs or its tracepoints' formats gives away a
 * kernel address (which would defeat KASLR for whoever may read them).
 */
TEST(no_kernel_addresses_exposed)
{
	static const char *const events[] = {
		"cmheap_alloc", "cmheap_free", "cmheap_map", "cmheap_unmap",
		"cmheap_sync_for_cpu", "cmheap_sync_for_device",
	};
	const struct cmheap_heap *heaps;
	char path[256], text[8192];
	int i, n = cmheap_heaps(&heaps), files = 0;
	unsigned int e;

	if (!cmheap_loaded())
		SKIP(return, "cmheap module not loaded");
	debugfs_ensure();
	/* the heaps' counters, and the importer's with the test module */
	for (i = 0; i < n + cmheap_test_loaded(); i++) {
		snprintf(path, sizeof(path), CMHEAP_DEBUGFS "/%s/stats",
			 i < n ? heaps[i].name : CMHEAP_IMPORTER);
		ASSERT_EQ(0, file_read(path, text, sizeof(text))) TH_LOG("%s", path);
		EXPECT_FALSE(has_kernel_address(text)) TH_LOG("%s: %s", path, text);
		files++;
	}
	for (e = 0; e < ARRAY_SIZE(events); e++) {
		snprintf(path, sizeof(path), "/sys/kernel/tracing/events/cmheap/%s/format",
			 events[e]);
		if (file_read(path, text, sizeof(text)))
			continue;	/* no tracefs here */
		EXPECT_FALSE(has_kernel_address(strstr(text, "print fmt") ?: text))
			TH_LOG("%s", path);
		files++;
	}
	EXPECT_LT(n, files);
}

TEST_HARNESS_MAIN
