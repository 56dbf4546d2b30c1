// SPDX-License-Identifier: GPL-2.0
/*
 * heap_mmap_test: CPU mappings of cmheap buffers.  The heaps map the whole
 * requested range at mmap time (VM_PFNMAP, no fault handler), so partial
 * mappings and offsets work, a range past the end is refused and touching
 * the mapping takes no page faults.  Also DMA_BUF_IOCTL_SYNC's flag checks.
 */
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include <linux/dma-buf.h>

#include "kselftest_harness.h"
#include "cmheap_util.h"

#define NPAGES 16

FIXTURE(mmap) {
	int fd;
	size_t pg, size;
};

FIXTURE_VARIANT(mmap) {
	struct cmheap_heap heap;
};

CMHEAP_HEAP_VARIANTS(mmap)

FIXTURE_SETUP(mmap)
{
	self->fd = -1;
	heap_variant_check(&variant->heap);
	self->pg = page_size();
	self->size = NPAGES * self->pg;
	self->fd = alloc_on(variant->heap.name, self->size);
	ASSERT_LE(0, self->fd) TH_LOG("alloc: %s", strerror(-self->fd));
}

FIXTURE_TEARDOWN(mmap)
{
	if (self->fd >= 0)
		close(self->fd);
}

static void *map(int fd, size_t len, size_t off, int prot)
{
	return mmap(NULL, len, prot, MAP_SHARED, fd, off);
}

/* What is written through one mapping is read back through a new one. */
TEST_F(mmap, write_read_back)
{
	void *p = map(self->fd, self->size, 0, PROT_READ | PROT_WRITE);

	ASSERT_NE(MAP_FAILED, p) TH_LOG("%s", strerror(errno));
	ASSERT_EQ(0, dmabuf_sync(self->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE));
	pattern_fill(p, self->size, 0, 1);
	ASSERT_EQ(0, dmabuf_sync(self->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE));
	ASSERT_EQ(0, munmap(p, self->size));

	p = map(self->fd, self->size, 0, PROT_READ);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, dmabuf_sync(self->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));
	EXPECT_EQ(-1, pattern_check(p, self->size, 0, 1));
	ASSERT_EQ(0, dmabuf_sync(self->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ));
	munmap(p, self->size);
}

/* Partial mappings at page offsets see the right part of the buffer. */
TEST_F(mmap, partial_and_offset)
{
	const size_t pg = self->pg;
	const struct { size_t first, count; } r[] = {
		{ 0, 1 }, { 3, 4 }, { NPAGES - 1, 1 }, { 1, NPAGES - 1 },
		{ 5, 11 },
	};
	unsigned int i;
	char *all;

	all = map(self->fd, self->size, 0, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, all);
	pattern_fill(all, self->size, 0, 2);

	for (i = 0; i < ARRAY_SIZE(r); i++) {
		size_t off = r[i].first * pg, len = r[i].count * pg;
		char *p = map(self->fd, len, off, PROT_READ | PROT_WRITE);

		ASSERT_NE(MAP_FAILED, p) TH_LOG("pages %zu+%zu: %s", r[i].first,
						r[i].count, strerror(errno));
		EXPECT_EQ(-1, pattern_check(p, len, off, 2))
			TH_LOG("pages %zu+%zu", r[i].first, r[i].count);
		/* a write through the partial map shows in the whole one */
		p[len - 1] = 0x5a;
		EXPECT_EQ(0x5a, all[off + len - 1]);
		pattern_fill(p + len - 8, 8, off + len - 8, 2);
		munmap(p, len);
	}
	EXPECT_EQ(-1, pattern_check(all, self->size, 0, 2));
	munmap(all, self->size);
}

/* Any range past the end of the buffer is refused with EINVAL. */
TEST_F(mmap, beyond_buffer_einval)
{
	const size_t pg = self->pg;
	const struct { size_t off, len; } r[] = {
		{ 0, self->size + pg },
		{ pg, self->size },
		{ self->size, pg },
		{ self->size - pg, 2 * pg },
		{ 64 * self->size, pg },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(r); i++) {
		void *p = map(self->fd, r[i].len, r[i].off, PROT_READ);

		EXPECT_EQ(MAP_FAILED, p) TH_LOG("off %zu len %zu mapped",
						r[i].off, r[i].len);
		EXPECT_EQ(EINVAL, errno) TH_LOG("off %zu len %zu", r[i].off,
						r[i].len);
		if (p != MAP_FAILED)
			munmap(p, r[i].len);
	}
}

/* Two mappings of the same buffer are the same memory. */
TEST_F(mmap, two_mappings_alias)
{
	volatile unsigned int *a, *b;

	a = map(self->fd, self->size, 0, PROT_READ | PROT_WRITE);
	b = map(self->fd, self->size, 0, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, (void *)a);
	ASSERT_NE(MAP_FAILED, (void *)b);
	ASSERT_NE(a, b);
	a[0] = 0xdeadbeef;
	a[self->size / 4 - 1] = 0xfeedf00d;
	EXPECT_EQ(0xdeadbeef, b[0]);
	EXPECT_EQ(0xfeedf00d, b[self->size / 4 - 1]);
	b[7] = 0x12345678;
	EXPECT_EQ(0x12345678, a[7]);
	munmap((void *)a, self->size);
	munmap((void *)b, self->size);
}

/*
 * Unmapping the middle of a mapping splits it; what is left stays valid and
 * the buffer is freed once the last piece and the fd are gone.  A carveout
 * heap's mapping is used whole: the split is refused.
 */
TEST_F(mmap, split_mapping)
{
	const char *h = variant->heap.name;
	const size_t pg = self->pg;
	__u64 live0;
	char *p;

	p = map(self->fd, self->size, 0, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	pattern_fill(p, self->size, 0, 3);
	if (variant->heap.carveout) {
		/* used whole (carveout_test: carveout_partial_unmap) */
		EXPECT_EQ(-1, munmap(p + 4 * pg, 4 * pg));
		EXPECT_EQ(EINVAL, errno);
		EXPECT_EQ(-1, pattern_check(p, self->size, 0, 3));
		EXPECT_EQ(0, munmap(p, self->size));
		return;
	}
	ASSERT_EQ(0, munmap(p + 4 * pg, 4 * pg));
	EXPECT_EQ(-1, pattern_check(p, 4 * pg, 0, 3));
	EXPECT_EQ(-1, pattern_check(p + 8 * pg, self->size - 8 * pg, 8 * pg, 3));
	ASSERT_EQ(0, mprotect(p, pg, PROT_READ));
	EXPECT_EQ(-1, pattern_check(p, pg, 0, 3));

	live0 = stat_get(h, ST_BUFFERS_LIVE);
	ASSERT_NE(UINT64_MAX, live0);
	close(self->fd);
	self->fd = -1;
	/* the mappings still hold the buffer */
	EXPECT_EQ(live0, stat_get(h, ST_BUFFERS_LIVE));
	EXPECT_EQ(-1, pattern_check(p + 8 * pg, self->size - 8 * pg, 8 * pg, 3));
	munmap(p, 4 * pg);
	EXPECT_EQ(live0, stat_get(h, ST_BUFFERS_LIVE));
	munmap(p + 8 * pg, self->size - 8 * pg);
	EXPECT_EQ(live0 - 1, stat_get(h, ST_BUFFERS_LIVE));
}

TEST_F(mmap, sync_valid_flags)
{
	const __u64 ok[] = {
		DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ,
		DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ,
		DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE,
		DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE,
		DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW,
		DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW,
	};
	unsigned int i;
	char *p;

	p = map(self->fd, self->size, 0, PROT_READ | PROT_WRITE);
	ASSERT_NE(MAP_FAILED, p);
	for (i = 0; i < ARRAY_SIZE(ok); i++) {
		EXPECT_EQ(0, dmabuf_sync(self->fd, ok[i]))
			TH_LOG("flags %#llx", (unsigned long long)ok[i]);
	}
	munmap(p, self->size);
}

TEST_F(mmap, sync_invalid_flags_einval)
{
	const __u64 bad[] = {
		0,				/* neither read nor write */
		DMA_BUF_SYNC_END,
		DMA_BUF_SYNC_RW | 8,
		DMA_BUF_SYNC_RW | (1ULL << 31),
		DMA_BUF_SYNC_RW | (1ULL << 63),
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EINVAL, dmabuf_sync(self->fd, bad[i]))
			TH_LOG("flags %#llx", (unsigned long long)bad[i]);
	}
}

static long minflt(void)
{
	struct rusage r;

	getrusage(RUSAGE_SELF, &r);
	return r.ru_minflt;
}

/*
 * The whole buffer is mapped at mmap time: reading every page of a 64 MiB
 * mapping right after mmap takes no page faults (a handful for the test's
 * own stack, at most), and there is no fault handler to serve any.
 *
 * Writes: on x86 none either.  An arm64 CPU without hardware dirty-bit
 * management (FEAT_HAFDBS; e.g. QEMU's cortex-a57) takes one fault per page
 * on the first write to a clean writable PTE, which the core mm resolves by
 * marking it dirty without the driver: allowed once per page there, never
 * twice.
 */
TEST_F(mmap, no_page_faults)
{
	const size_t size = 64 * SZ_1M, pg = self->pg, npages = size / pg;
	long f0, f_map, f_read, f_write1, f_write2;
	volatile char *p;
	size_t off, bad;
	int fd;

	fd = alloc_on(variant->heap.name, size);
	ASSERT_LE(0, fd) TH_LOG("64 MiB: %s", strerror(-fd));

	f0 = minflt();
	p = map(fd, size, 0, PROT_READ | PROT_WRITE);
	f_map = minflt();
	ASSERT_NE(MAP_FAILED, (void *)p) TH_LOG("%s", strerror(errno));
	for (off = 0, bad = 0; off < size; off += pg)
		bad += p[off] != 0;
	f_read = minflt();
	for (off = 0; off < size; off += pg)
		p[off] = (char)(off / pg);
	f_write1 = minflt();
	for (off = 0; off < size; off += pg)
		p[off + 1] = (char)(off / pg);
	f_write2 = minflt();

	EXPECT_EQ(0, bad);
	EXPECT_GE(8, f_read - f0) TH_LOG("%ld minor faults: mmap %ld, reading %zu pages %ld",
					 f_read - f0, f_map - f0, npages,
					 f_read - f_map);
#if defined(__aarch64__)
	EXPECT_GE((long)npages + 8, f_write1 - f_read)
		TH_LOG("%ld faults on the first write of %zu pages",
		       f_write1 - f_read, npages);
	if (f_write1 - f_read > 8)
		TH_LOG("note: %ld dirty-bit faults on first write (no hardware DBM)",
		       f_write1 - f_read);
#else
	EXPECT_GE(8, f_write1 - f_read)
		TH_LOG("%ld faults on the first write of %zu pages",
		       f_write1 - f_read, npages);
#endif
	EXPECT_GE(8, f_write2 - f_write1)
		TH_LOG("%ld faults writing again", f_write2 - f_write1);

	for (off = 0; off < size; off += pg)
		if (p[off] != (char)(off / pg) || p[off + 1] != (char)(off / pg))
			break;
	EXPECT_EQ(size, off);
	munmap((void *)p, size);
	close(fd);
}

/* A PROT_READ mapping is read only: a write to it faults (SIGSEGV). */
TEST_F(mmap, readonly_mapping_faults_on_write)
{
	volatile char *p = map(self->fd, self->size, 0, PROT_READ);
	int status;
	pid_t pid;

	ASSERT_NE(MAP_FAILED, (void *)p);
	EXPECT_EQ(-1, bytes_check((void *)p, self->size, 0));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		signal(SIGSEGV, SIG_DFL);
		p[self->pg] = 1;
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status) && (WTERMSIG(status) == SIGSEGV ||
					    WTERMSIG(status) == SIGBUS))
		TH_LOG("child status %#x", status);
	EXPECT_EQ(0, p[self->pg]);
	munmap((void *)p, self->size);
}

TEST_HARNESS_MAIN
