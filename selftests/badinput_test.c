// SPDX-License-Identifier: GPL-2.0
/*
 * badinput_test: every ioctl of every device node, and mmap, fed bad input
 * from tables.  Each case expects one exact errno; afterwards nothing is
 * left live in any heap.  (The kernel log is judged by run.sh's kernel_log
 * after all binaries.)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <linux/dma-buf.h>
#include <linux/dma-heap.h>

#include "kselftest_harness.h"
#include "cmheap_util.h"

/* ---- the heap nodes: DMA_HEAP_IOCTL_ALLOC ---- */

struct alloc_case {
	const char *what;
	unsigned long cmd;	/* 0: DMA_HEAP_IOCTL_ALLOC */
	__u64 len;
	__u32 fd, fd_flags;
	__u64 heap_flags;
	int err;		/* 0: must succeed */
};

#define ALLOC	DMA_HEAP_IOCTL_ALLOC
#define RW	(O_RDWR | O_CLOEXEC)

static const struct alloc_case alloc_cases[] = {
	{ "len 0", 0, 0, 0, RW, 0, EINVAL },
	{ "len 1", 0, 1, 0, RW, 0, 0 },
	{ "len PAGE_SIZE-1", 0, 4095, 0, RW, 0, 0 },
	{ "len 16 TiB + 1 page", 0, (1ULL << 44) + 4096, 0, RW, 0, ENOMEM },
	{ "len SIZE_MAX - PAGE_SIZE + 1", 0, SIZE_MAX - 4095, 0, RW, 0, ENOMEM },
	{ "len SIZE_MAX", 0, SIZE_MAX, 0, RW, 0, ENOMEM },
	{ "len U64_MAX", 0, UINT64_MAX, 0, RW, 0, ENOMEM },
	{ "fd set on input", 0, 4096, 3, RW, 0, EINVAL },
	{ "fd_flags O_NONBLOCK", 0, 4096, 0, RW | O_NONBLOCK, 0, EINVAL },
	{ "fd_flags O_CREAT", 0, 4096, 0, RW | O_CREAT, 0, EINVAL },
	{ "heap_flags bit 0", 0, 4096, 0, RW, 1, EINVAL },
	{ "heap_flags bit 63", 0, 4096, 0, RW, 1ULL << 63, EINVAL },
	{ "unknown type", _IOWR('x', 0, struct dma_heap_allocation_data), 4096, 0, RW, 0, ENOTTY },
	{ "unknown number", _IOWR(DMA_HEAP_IOC_MAGIC, 9, struct dma_heap_allocation_data),
	  4096, 0, RW, 0, EINVAL },
	/* zero-extended: a 0-byte argument is a request of length 0 */
	{ "0-byte struct", _IOC(_IOC_READ | _IOC_WRITE, DMA_HEAP_IOC_MAGIC, 0, 0),
	  4096, 0, RW, 0, EINVAL },
	/* a longer struct from a newer userspace: its tail is ignored */
	{ "64-byte struct", _IOC(_IOC_READ | _IOC_WRITE, DMA_HEAP_IOC_MAGIC, 0, 64),
	  4096, 0, RW, 0, 0 },
};

/*
 * Where the kernel's dma-heap framework made the node (cmheap registered
 * through it, on 7.3), its answers where they differ from cmheap's own
 * nodes': it page-aligns the length first (SIZE_MAX wraps to 0: EINVAL),
 * and it looks at the number alone (another type's number 0 allocates).
 */
static const struct {
	const char *what;
	int err;
} framework_answers[] = {
	{ "len SIZE_MAX", EINVAL },
	{ "len U64_MAX", EINVAL },
	{ "unknown type", 0 },
};

static int expected_err(const struct alloc_case *c, bool framework)
{
	unsigned int i;

	for (i = 0; framework && i < ARRAY_SIZE(framework_answers); i++)
		if (!strcmp(c->what, framework_answers[i].what))
			return framework_answers[i].err;
	return c->err;
}

/* A dma_heap_allocation_data with room behind it for longer structs. */
union alloc_arg {
	struct dma_heap_allocation_data d;
	unsigned char bytes[64];
};

TEST(heap_alloc_table)
{
	const struct cmheap_heap *heaps;
	bool framework = heaps_registration_framework();
	int h, n = cmheap_heaps(&heaps);
	unsigned int i;

	if (!n)
		SKIP(return, "no cmheap heap");
	for (h = 0; h < n; h++) {
		int heap = heap_open(heaps[h].name);

		ASSERT_LE(0, heap);
		for (i = 0; i < ARRAY_SIZE(alloc_cases); i++) {
			const struct alloc_case *c = &alloc_cases[i];
			int err = expected_err(c, framework);
			union alloc_arg arg;
			int ret;

			memset(&arg, 0x5a, sizeof(arg));
			arg.d.len = c->len;
			arg.d.fd = c->fd;
			arg.d.fd_flags = c->fd_flags;
			arg.d.heap_flags = c->heap_flags;
			ret = ioctl(heap, c->cmd ? c->cmd : ALLOC, &arg);
			if (err) {
				EXPECT_EQ(-1, ret) TH_LOG("%s: %s succeeded", heaps[h].name, c->what);
				EXPECT_EQ(err, errno) TH_LOG("%s: %s: %s", heaps[h].name,
							     c->what, strerror(errno));
				if (!ret)
					close(arg.d.fd);
			} else {
				EXPECT_EQ(0, ret) TH_LOG("%s: %s: %s", heaps[h].name, c->what,
							 strerror(errno));
				if (!ret)
					close(arg.d.fd);
			}
		}
		/* no argument at all */
		EXPECT_EQ(-1, ioctl(heap, ALLOC, NULL));
		EXPECT_EQ(EFAULT, errno);
		close(heap);
		EXPECT_EQ(0, stat_get(heaps[h].name, ST_BUFFERS_LIVE));
	}
}

/* ---- /dev/cmheap ---- */

FIXTURE(ctl) {
	int ctl, fd, other_fd;
	__u32 dev;		/* the device that maps the heap's buffers */
	__u32 h;
	const char *heap;
};

FIXTURE_VARIANT(ctl) {
	struct cmheap_heap heap;
};

CMHEAP_HEAP_VARIANTS(ctl)

FIXTURE_SETUP(ctl)
{
	struct cmheap_attach at;

	self->ctl = self->fd = self->other_fd = -1;
	heap_variant_check(&variant->heap);
	self->heap = variant->heap.name;
	CTL_OPEN_OR_SKIP(self->ctl);
	self->fd = alloc_on(self->heap, 64 * 1024);
	ASSERT_LE(0, self->fd);
	self->other_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->other_fd);
	self->dev = heap_device(self->ctl, &variant->heap);
	ASSERT_EQ(0, cmheap_ctl_attach(self->ctl, self->fd, self->dev, &at));
	self->h = at.handle;
}

FIXTURE_TEARDOWN(ctl)
{
	if (self->ctl >= 0)
		close(self->ctl);
	if (self->fd >= 0)
		close(self->fd);
	if (self->other_fd >= 0)
		close(self->other_fd);
	if (self->heap)
		EXPECT_EQ(0, stat_get(self->heap, ST_BUFFERS_LIVE));
}

TEST_F(ctl, attach_table)
{
	struct {
		const char *what;
		int fd;
		__u32 device;
		int err;
	} cases[] = {
		{ "closed fd", 1000, CMHEAP_DEV_COHERENT, EBADF },
		{ "negative fd", -1, CMHEAP_DEV_COHERENT, EBADF },
		{ "not a dma-buf (/dev/null)", self->other_fd, CMHEAP_DEV_COHERENT, EINVAL },
		{ "not a dma-buf (the ctl itself)", self->ctl, CMHEAP_DEV_COHERENT, EINVAL },
		{ "device out of range", self->fd, CMHEAP_MAX_DEVICES, EINVAL },
		{ "device ~0", self->fd, ~0U, EINVAL },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		EXPECT_EQ(-cases[i].err, cmheap_ctl_attach(self->ctl, cases[i].fd, cases[i].device, NULL))
			TH_LOG("%s", cases[i].what);
	}
}

/*
 * CMHEAP_IOC_PLACEMENT: a mapping through the exporter, of a known handle,
 * with the reserved words zero; anything else is refused.  On a good one
 * the kernel's checks pass for every heap (the carveout heaps' own test
 * looks at the regions).
 */
TEST_F(ctl, placement_table)
{
	struct cmheap_placement pl;

	EXPECT_EQ(-ENOENT, cmheap_ctl_placement(self->ctl, 0, &pl));
	EXPECT_EQ(-ENOENT, cmheap_ctl_placement(self->ctl, self->h + 1000, &pl));
	EXPECT_EQ(-ENOENT, cmheap_ctl_placement(self->ctl, ~0U, &pl));
	EXPECT_EQ(-EINVAL, cmheap_ctl_placement(self->ctl, self->h, &pl)) TH_LOG("not mapped");
	if (!variant->heap.pageless) {
		ASSERT_EQ(0, cmheap_ctl_map(self->ctl, self->h, CMHEAP_DIR_TO_DEVICE, 0,
				     CMHEAP_MAP_RAW, NULL));
		EXPECT_EQ(-EINVAL, cmheap_ctl_placement(self->ctl, self->h, &pl))
			TH_LOG("mapped raw, not through the exporter");
		ASSERT_EQ(0, cmheap_ctl_unmap(self->ctl, self->h));
	}
	ASSERT_EQ(0, cmheap_ctl_map(self->ctl, self->h, CMHEAP_DIR_TO_DEVICE, 0, 0, NULL));
	memset(&pl, 0, sizeof(pl));
	pl.handle = self->h;
	pl.reserved[1] = 1;
	EXPECT_EQ(-1, ioctl(self->ctl, CMHEAP_IOC_PLACEMENT, &pl));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, ioctl(self->ctl, CMHEAP_IOC_PLACEMENT, NULL));
	EXPECT_EQ(EFAULT, errno);

	ASSERT_EQ(0, cmheap_ctl_placement(self->ctl, self->h, &pl));
	EXPECT_EQ(variant->heap.carveout, !!(pl.flags & CMHEAP_PLACEF_REGIONS));
	EXPECT_EQ(variant->heap.pageless ? 0 : 64 * 1024 / page_size(), pl.pages);
	EXPECT_EQ(0, pl.pages_bad);
	EXPECT_EQ(0, pl.outside);
	EXPECT_TRUE(pl.flags & CMHEAP_PLACEF_DIRECT) TH_LOG("the coherent test device maps directly");
	EXPECT_LE(1, pl.segments);
	EXPECT_EQ(0, pl.segments_bad);
	EXPECT_EQ(0, cmheap_ctl_unmap(self->ctl, self->h));
}

TEST_F(ctl, map_table)
{
	struct {
		const char *what;
		__u32 handle, dir, attrs, flags;
		int err;
	} cases[] = {
		{ "handle 0", 0, CMHEAP_DIR_TO_DEVICE, 0, 0, ENOENT },
		{ "unknown handle", self->h + 1000, CMHEAP_DIR_TO_DEVICE, 0, 0, ENOENT },
		{ "handle ~0", ~0U, CMHEAP_DIR_TO_DEVICE, 0, 0, ENOENT },
		{ "direction 3 (DMA_NONE)", self->h, 3, 0, 0, EINVAL },
		{ "direction ~0", self->h, ~0U, 0, 0, EINVAL },
		{ "unknown attribute", self->h, CMHEAP_DIR_TO_DEVICE, 1U << 1, 0, EINVAL },
		{ "all attributes", self->h, CMHEAP_DIR_TO_DEVICE, ~0U, 0, EINVAL },
		{ "unknown flag", self->h, CMHEAP_DIR_TO_DEVICE, 0, 1U << 1, EINVAL },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		EXPECT_EQ(-cases[i].err, cmheap_ctl_map(self->ctl, cases[i].handle, cases[i].dir,
						 cases[i].attrs, cases[i].flags, NULL))
			TH_LOG("%s", cases[i].what);
	}
	/* nothing was left mapped by any of them */
	EXPECT_EQ(-EINVAL, cmheap_ctl_unmap(self->ctl, self->h));
}

TEST_F(ctl, unmap_sync_sequences)
{
	struct cmheap_unmap um = { .handle = self->h, .reserved = 1 };

	EXPECT_EQ(-EINVAL, cmheap_ctl_unmap(self->ctl, self->h));	/* never mapped */
	EXPECT_EQ(-EINVAL, cmheap_ctl_sync(self->ctl, self->h, CMHEAP_SYNC_FOR_CPU,
				    CMHEAP_DIR_TO_DEVICE));
	ASSERT_EQ(0, cmheap_ctl_map(self->ctl, self->h, CMHEAP_DIR_TO_DEVICE, 0, 0, NULL));
	EXPECT_EQ(-EINVAL, cmheap_ctl_unmap_raw(self->ctl, &um));	/* reserved */
	EXPECT_EQ(-EINVAL, cmheap_ctl_sync(self->ctl, self->h, 0, CMHEAP_DIR_TO_DEVICE));
	EXPECT_EQ(-EINVAL, cmheap_ctl_sync(self->ctl, self->h,
				    CMHEAP_SYNC_FOR_CPU | CMHEAP_SYNC_FOR_DEVICE,
				    CMHEAP_DIR_TO_DEVICE));
	EXPECT_EQ(-EINVAL, cmheap_ctl_sync(self->ctl, self->h, CMHEAP_SYNC_FOR_CPU,
				    CMHEAP_DIR_FROM_DEVICE));	/* not as mapped */
	EXPECT_EQ(-EBUSY, cmheap_ctl_map(self->ctl, self->h, CMHEAP_DIR_TO_DEVICE, 0, 0, NULL));
	EXPECT_EQ(0, cmheap_ctl_unmap(self->ctl, self->h));
	EXPECT_EQ(-EINVAL, cmheap_ctl_unmap(self->ctl, self->h));	/* double unmap */
	/* detach while mapped, then close while mapped */
	ASSERT_EQ(0, cmheap_ctl_map(self->ctl, self->h, CMHEAP_DIR_BIDIRECTIONAL, 0, 0, NULL));
	EXPECT_EQ(0, cmheap_ctl_detach(self->ctl, self->h));
	EXPECT_EQ(-ENOENT, cmheap_ctl_detach(self->ctl, self->h));
	{
		struct cmheap_attach at;

		ASSERT_EQ(0, cmheap_ctl_attach(self->ctl, self->fd, self->dev, &at));
		ASSERT_EQ(0, cmheap_ctl_map(self->ctl, at.handle, CMHEAP_DIR_TO_DEVICE, 0,
				     RAW_MAP_OF(&variant->heap), NULL));
	}
	close(self->ctl);
	self->ctl = -1;
}

TEST_F(ctl, bench_table)
{
	__u64 samples[4];
	struct {
		const char *what;
		struct cmheap_bench b;
		int err;
	} cases[] = {
		{ "op out of range", { .op = CMHEAP_BENCH_OP_COUNT, .iterations = 1 }, EINVAL },
		{ "direction 3", { .direction = 3, .iterations = 1 }, EINVAL },
		{ "unknown attribute", { .attrs = 1U << 4, .iterations = 1 }, EINVAL },
		{ "unknown flag", { .flags = 1U << 5, .iterations = 1 }, EINVAL },
		{ "0 iterations", { .iterations = 0 }, EINVAL },
		{ "too many iterations", { .iterations = CMHEAP_BENCH_MAX_ITERATIONS + 1 }, EINVAL },
		{ "too much warmup", { .iterations = 1, .warmup = CMHEAP_BENCH_MAX_ITERATIONS + 1 },
		  EINVAL },
		{ "budget past the maximum", { .iterations = 1, .budget_ns = ~0ULL }, EINVAL },
		{ "reserved", { .iterations = 1, .reserved = 1 }, EINVAL },
		{ "samples at NULL", { .iterations = 4, .samples_ptr = 0 }, EFAULT },
		{ "samples at a kernel address", { .iterations = 4, .samples_ptr = ~0ULL << 47 },
		  EFAULT },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct cmheap_bench b = cases[i].b;

		b.handle = self->h;
		if (cases[i].err != EFAULT)
			b.samples_ptr = (__u64)(uintptr_t)samples;
		EXPECT_EQ(-cases[i].err, cmheap_ctl_bench(self->ctl, &b)) TH_LOG("%s", cases[i].what);
	}
	/* handle checks come after field checks */
	{
		struct cmheap_bench b = { .handle = 0, .iterations = 1,
					  .samples_ptr = (__u64)(uintptr_t)samples };

		EXPECT_EQ(-ENOENT, cmheap_ctl_bench(self->ctl, &b));
	}
	/* the handle is not left mapped by a failed loop */
	EXPECT_EQ(0, cmheap_ctl_map(self->ctl, self->h, CMHEAP_DIR_TO_DEVICE, 0, 0, NULL));
	EXPECT_EQ(0, cmheap_ctl_unmap(self->ctl, self->h));
}

TEST_F(ctl, null_arguments_efault)
{
	const unsigned long cmds[] = {
		CMHEAP_IOC_DEVICE_INFO, CMHEAP_IOC_ATTACH, CMHEAP_IOC_DETACH,
		CMHEAP_IOC_MAP, CMHEAP_IOC_UNMAP, CMHEAP_IOC_SYNC, CMHEAP_IOC_BENCH,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		EXPECT_EQ(-1, ioctl(self->ctl, cmds[i], NULL));
		EXPECT_EQ(EFAULT, errno) TH_LOG("ioctl %#lx", cmds[i]);
	}
}

/* ---- mmap of a heap's dma-buf ---- */

TEST_F(ctl, mmap_table)
{
	size_t ps = page_size(), size = 64 * 1024;
	struct {
		const char *what;
		size_t len;
		int prot, flags;
		off_t off;
		int err;
	} cases[] = {
		{ "offset past the end", ps, PROT_READ, MAP_SHARED, size, EINVAL },
		{ "length past the end", size + ps, PROT_READ, MAP_SHARED, 0, EINVAL },
		{ "range past the end", size, PROT_READ, MAP_SHARED, ps, EINVAL },
		{ "unaligned offset", ps, PROT_READ, MAP_SHARED, 1, EINVAL },
		{ "MAP_PRIVATE", size, PROT_READ, MAP_PRIVATE, 0, EINVAL },
		{ "PROT_EXEC", size, PROT_READ | PROT_EXEC, MAP_SHARED, 0, EPERM },
		{ "length 0", 0, PROT_READ, MAP_SHARED, 0, EINVAL },
	};
	unsigned int i;
	void *p;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		p = mmap(NULL, cases[i].len, cases[i].prot, cases[i].flags, self->fd,
			 cases[i].off);
		EXPECT_EQ(MAP_FAILED, p) TH_LOG("%s: mapped", cases[i].what);
		EXPECT_EQ(cases[i].err, errno) TH_LOG("%s: %s", cases[i].what, strerror(errno));
		if (p != MAP_FAILED)
			munmap(p, cases[i].len);
	}
	/* a good mapping can never be made executable */
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-1, mprotect(p, size, PROT_READ | PROT_EXEC));
	EXPECT_EQ(EACCES, errno);
	munmap(p, size);
	/* DMA_BUF_IOCTL_SYNC with flags the core does not know */
	EXPECT_EQ(-EINVAL, dmabuf_sync(self->fd, 1ULL << 10));
	EXPECT_EQ(-EINVAL, dmabuf_sync(self->fd, DMA_BUF_SYNC_END));	/* no READ/WRITE */
}

/* A read-only dma-buf gives read-only mappings, now and later. */
TEST_F(ctl, readonly_dmabuf_mappings)
{
	size_t size = 64 * 1024;
	int heap, fd;
	void *p;

	heap = heap_open(self->heap);
	ASSERT_LE(0, heap);
	fd = heap_alloc_raw(heap, size, 0, O_RDONLY | O_CLOEXEC, 0);
	close(heap);
	ASSERT_LE(0, fd);
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EACCES, errno);
	p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(-1, mprotect(p, size, PROT_READ | PROT_WRITE));
	EXPECT_EQ(EACCES, errno);
	munmap(p, size);
	close(fd);
}

TEST_HARNESS_MAIN
