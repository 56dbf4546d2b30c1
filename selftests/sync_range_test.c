// SPDX-License-Identifier: GPL-2.0
/*
 * sync_range_test: CMHEAP_HEAP_IOC_SYNC_RANGE, the partial CPU-access sync
 * on a heap's node.
 *
 * - bad input gets the uAPI's exact errno, and the buffer stays usable;
 * - for a device whose caches need maintenance, a range costs the CPU
 *   entries it touches, the whole buffer every entry (cache_maint_ops);
 *   uncached buffers none;
 * - every DMA engine takes range syncs of odd ranges across entries on its
 *   mapping (DMA-API debugging checks their addresses, direct, through an
 *   IOMMU and bounced);
 * - where DMA bounces, syncs copy data, so which bytes a range sync brings
 *   to the CPU is visible: exactly those of the range, none outside it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <linux/dma-buf.h>

#include "kselftest_harness.h"
#include "cmheap_util.h"

#define BUF_SIZE	(2 * SZ_1M)

/*
 * CMHEAP_HEAP_IOC_SYNC_RANGE on @node_fd: CMHEAP_HEAP_CTL_NODE, which
 * answers it however the heaps are registered (heap_node_answers: the
 * heaps' own nodes).  0 or -errno.
 */
static int sync_range_on(int node_fd, int fd, __u32 flags, __u64 offset,
			 __u64 len)
{
	struct cmheap_sync_range r = {
		.fd = fd, .flags = flags, .offset = offset, .len = len,
	};

	return ioctl(node_fd, CMHEAP_HEAP_IOC_SYNC_RANGE, &r) ? -errno : 0;
}

static int sync_range(int fd, __u32 flags, __u64 offset, __u64 len)
{
	int ctl_fd = heap_ctl_fd();

	return ctl_fd < 0 ? ctl_fd : sync_range_on(ctl_fd, fd, flags, offset, len);
}

/* cmheap-system's node into @heap_fd and a buffer from it into @fd, or SKIP. */
#define SYSTEM_BUFFER_OR_SKIP(heap_fd, fd) do {				\
	(heap_fd) = heap_open("cmheap-system");				\
	if ((heap_fd) == -ENOENT)					\
		SKIP(return, "no cmheap-system");			\
	ASSERT_LE(0, (heap_fd));					\
	(fd) = heap_alloc((heap_fd), BUF_SIZE);				\
	ASSERT_LE(0, (fd));						\
} while (0)

/*
 * The heaps' own nodes answer the range sync where cmheap makes them, as
 * they did before CMHEAP_HEAP_CTL_NODE (1.2); the dma-heap framework's
 * answer only its allocation (EINVAL for a number it does not have).
 */
TEST(heap_node_answers)
{
	int heap_fd, fd, ret;

	SYSTEM_BUFFER_OR_SKIP(heap_fd, fd);
	ret = sync_range_on(heap_fd, fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ, 0, SZ_1M);
	if (heaps_registration_framework()) {
		EXPECT_EQ(-EINVAL, ret);
	} else {
		EXPECT_EQ(0, ret);
		EXPECT_EQ(0, sync_range_on(heap_fd, fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ,
					   0, SZ_1M));
	}
	EXPECT_EQ(0, sync_range(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ, 0, SZ_1M));
	EXPECT_EQ(0, sync_range(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ, 0, SZ_1M));
	close(fd);
	close(heap_fd);
}

TEST(bad_input)
{
	int heap_fd, fd, other, null_fd, peer;
	char why[128];

	SYSTEM_BUFFER_OR_SKIP(heap_fd, fd);
	/* flags DMA_BUF_IOCTL_SYNC refuses, and an empty range */
	EXPECT_EQ(-EINVAL, sync_range(fd, 0x8 | DMA_BUF_SYNC_READ, 0, 1));
	EXPECT_EQ(-EINVAL, sync_range(fd, DMA_BUF_SYNC_START, 0, 1));
	EXPECT_EQ(-EINVAL, sync_range(fd, DMA_BUF_SYNC_END, 0, 1));
	EXPECT_EQ(-EINVAL, sync_range(fd, DMA_BUF_SYNC_READ, 0, 0));
	/* a range that wraps, and ranges past the end */
	EXPECT_EQ(-EOVERFLOW, sync_range(fd, DMA_BUF_SYNC_READ,
					 ~0ULL - 10, 20));
	EXPECT_EQ(-EOVERFLOW, sync_range(fd, DMA_BUF_SYNC_READ,
					 1, ~0ULL));
	EXPECT_EQ(-ERANGE, sync_range(fd, DMA_BUF_SYNC_READ,
				      BUF_SIZE, 1));
	EXPECT_EQ(-ERANGE, sync_range(fd, DMA_BUF_SYNC_READ,
				      0, BUF_SIZE + 1));
	EXPECT_EQ(-ERANGE, sync_range(fd, DMA_BUF_SYNC_READ,
				      BUF_SIZE - 1, 2));
	/* fds that are not cmheap dma-bufs */
	EXPECT_EQ(-EBADF, sync_range(-1, DMA_BUF_SYNC_READ, 0, 1));
	other = dup(fd);
	ASSERT_LE(0, other);
	close(other);
	EXPECT_EQ(-EBADF, sync_range(other, DMA_BUF_SYNC_READ, 0, 1));
	null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, null_fd);
	EXPECT_EQ(-EINVAL, sync_range(null_fd, DMA_BUF_SYNC_READ, 0, 1));
	close(null_fd);
	peer = peer_udmabuf(BUF_SIZE, why, sizeof(why));
	if (peer < 0)
		peer = peer_system_heap(BUF_SIZE, why, sizeof(why));
	if (peer >= 0) {
		EXPECT_EQ(-EOPNOTSUPP, sync_range(peer,
						  DMA_BUF_SYNC_READ, 0, 1));
		close(peer);
	} else {
		ksft_print_msg("no other exporter's dma-buf (%s): EOPNOTSUPP untested\n",
			       why);
	}
	/* still usable: the last byte, the whole buffer, both ends */
	EXPECT_EQ(0, sync_range(fd, DMA_BUF_SYNC_START |
				DMA_BUF_SYNC_RW, BUF_SIZE - 1, 1));
	EXPECT_EQ(0, sync_range(fd, DMA_BUF_SYNC_END |
				DMA_BUF_SYNC_RW, 0, BUF_SIZE));
	close(fd);
	close(heap_fd);
}

FIXTURE(sync_range) {
	int ctl, heap_fd, fd;
	const char *heap;
};

FIXTURE_VARIANT(sync_range) {
	struct cmheap_heap heap;
};

CMHEAP_HEAP_VARIANTS(sync_range)

FIXTURE_SETUP(sync_range)
{
	self->ctl = self->heap_fd = self->fd = -1;
	heap_variant_check(&variant->heap);
	self->heap = variant->heap.name;
	CTL_OPEN_OR_SKIP(self->ctl);
	self->heap_fd = heap_open(self->heap);
	ASSERT_LE(0, self->heap_fd);
	self->fd = heap_alloc(self->heap_fd, BUF_SIZE);
	if (self->fd == -EOPNOTSUPP)
		SKIP(return, "uncached buffers are refused where DMA bounces (uncached_refused)");
	ASSERT_LE(0, self->fd) TH_LOG("alloc: %s", strerror(-self->fd));
}

FIXTURE_TEARDOWN(sync_range)
{
	if (self->fd >= 0)
		close(self->fd);
	if (self->heap_fd >= 0)
		close(self->heap_fd);
	if (self->ctl >= 0)
		close(self->ctl);
}

/*
 * The CPU entries of the buffer's mapping for @dev, as the importer maps
 * it through the exporter (BIDIRECTIONAL): their number, or 0.
 */
static __u32 map_entries(int ctl, int fd, __u32 dev, __u32 *handle,
			 struct cmheap_segment *segs, __u32 max)
{
	struct cmheap_attach at;
	__u32 count = max;

	if (cmheap_ctl_attach(ctl, fd, dev, &at))
		return 0;
	*handle = at.handle;
	if (cmheap_ctl_map(ctl, at.handle, CMHEAP_DIR_BIDIRECTIONAL, 0, 0, NULL) ||
	    cmheap_ctl_segments(ctl, at.handle, CMHEAP_SEGF_CPU, segs, &count) ||
	    count > max) {
		cmheap_ctl_detach(ctl, at.handle);
		return 0;
	}
	return count;
}

/*
 * Maintenance for the non-coherent device: one entry per CPU entry the
 * range touches, START and END alike.
 */
TEST_F(sync_range, maintains_the_entries_of_the_range)
{
	struct cmheap_segment segs[1024];
	__u64 a, b, c, d, syncs;
	__u32 handle, n;
	__u64 cut;

	if (!(cmheap_ctl_device_flags(self->ctl, CMHEAP_DEV_NONCOHERENT) &
	      CMHEAP_DEVF_PRESENT))
		SKIP(return, "no non-coherent test device (x86): nothing to count");
	if (variant->heap.pageless && swiotlb_forced())
		SKIP(return, "page-less memory is refused where the kernel forces DMA to bounce (datapath_test: pageless_refused_when_forced_bounce)");
	n = map_entries(self->ctl, self->fd, CMHEAP_DEV_NONCOHERENT, &handle,
			segs, 1024);
	ASSERT_LT(0, n);
	/* across the first entry boundary; a carveout buffer is one entry */
	cut = n > 1 ? segs[1].offset : BUF_SIZE / 2;
	syncs = stat_get(self->heap, ST_CPU_SYNCS);
	a = stat_get(self->heap, ST_CACHE_MAINT_OPS);
	ASSERT_EQ(0, sync_range(self->fd, DMA_BUF_SYNC_START |
				DMA_BUF_SYNC_READ, 100, 1));
	b = stat_get(self->heap, ST_CACHE_MAINT_OPS);
	ASSERT_EQ(0, sync_range(self->fd, DMA_BUF_SYNC_END |
				DMA_BUF_SYNC_READ, cut - 1, 2));
	c = stat_get(self->heap, ST_CACHE_MAINT_OPS);
	ASSERT_EQ(0, sync_range(self->fd, DMA_BUF_SYNC_START |
				DMA_BUF_SYNC_RW, 0, BUF_SIZE));
	d = stat_get(self->heap, ST_CACHE_MAINT_OPS);
	EXPECT_EQ(syncs + 3, stat_get(self->heap, ST_CPU_SYNCS));
	ksft_print_msg("%s: %u entries; maintenance +%llu (1 byte), +%llu (2 bytes at %#llx), +%llu (all)\n",
		       self->heap, n, (unsigned long long)(b - a),
		       (unsigned long long)(c - b), (unsigned long long)cut,
		       (unsigned long long)(d - c));
	if (variant->heap.uncached) {
		EXPECT_EQ(a, d);
	} else {
		EXPECT_EQ(1, b - a);
		EXPECT_EQ(n > 1 ? 2 : 1, c - b);
		EXPECT_EQ(n, d - c);
	}
	EXPECT_EQ(0, cmheap_ctl_detach(self->ctl, handle));
}

/* Odd ranges on every engine's mapping: DMA-API debugging checks them. */
TEST_F(sync_range, every_engine_takes_ranges)
{
	struct cmheap_segment segs[1024];
	struct cmheap_device_info info;
	__u32 handle, n, i;
	int engines = 0, refused = 0;

	for (i = 0; i < CMHEAP_MAX_DEVICES; i++) {
		__u64 cut;

		if (cmheap_ctl_device_info(self->ctl, i, &info) ||
		    !(info.flags & CMHEAP_DEVF_ENGINE))
			continue;
		n = map_entries(self->ctl, self->fd, i, &handle, segs, 1024);
		if (!n && variant->heap.uncached &&
		    (info.flags & (CMHEAP_DEVF_BOUNCE |
				   CMHEAP_DEVF_SNOOPS_ALIAS))) {
			refused++;
			continue;
		}
		ASSERT_LT(0, n) TH_LOG("%s: map", info.name);
		engines++;
		cut = n > 1 ? segs[n - 1].offset : BUF_SIZE / 2;
		EXPECT_EQ(0, sync_range(self->fd,
					DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW,
					cut - 4097, 8193));
		EXPECT_EQ(0, sync_range(self->fd,
					DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW,
					cut - 4097, 8193));
		EXPECT_EQ(0, sync_range(self->fd,
					DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ,
					BUF_SIZE - 1, 1));
		EXPECT_EQ(0, sync_range(self->fd,
					DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ,
					BUF_SIZE - 1, 1));
		EXPECT_EQ(0, cmheap_ctl_detach(self->ctl, handle));
	}
	if (!engines && refused)
		SKIP(return, "uncached buffers are refused where DMA bounces or snoops their alias (uncached_refused, uncached_coherent_refused)");
	if (!engines)
		SKIP(return, "no DMA engine (edu) to map for");
}

/*
 * Where DMA bounces, a sync for the CPU copies the bounce buffer into the
 * pages: after the device wrote the whole buffer, a range sync must bring
 * exactly the range's bytes, across an entry boundary, and no others.
 */
TEST_F(sync_range, bounced_range_brings_only_the_range)
{
	struct cmheap_segment segs[1024];
	struct cmheap_device_info info;
	struct cmheap_dma_piece pieces[16];
	unsigned char data[CMHEAP_DMA_MAX_BYTES];
	__u64 from, to, off, at;
	__u32 handle, n, dev, i;
	unsigned char *p;
	long bad = -1;

	for (dev = 0; dev < CMHEAP_MAX_DEVICES; dev++)
		if (!cmheap_ctl_device_info(self->ctl, dev, &info) &&
		    (info.flags & CMHEAP_DEVF_ENGINE) &&
		    (info.flags & CMHEAP_DEVF_BOUNCE))
			break;
	if (dev == CMHEAP_MAX_DEVICES)
		SKIP(return, "no DMA engine whose DMA bounces: only there do syncs move data");
	if (variant->heap.uncached)
		SKIP(return, "uncached buffers are refused where DMA bounces (uncached_refused)");
	p = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, dmabuf_sync(self->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE));
	memset(p, 0x11, BUF_SIZE);
	ASSERT_EQ(0, dmabuf_sync(self->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE));
	/* mapped now: the bounce buffer holds 0x11 too */
	n = map_entries(self->ctl, self->fd, dev, &handle, segs, 1024);
	ASSERT_LT(1, n);
	/* the device writes 0xee over 128-byte pieces 64 KiB apart... */
	memset(data, 0xee, sizeof(data));
	for (at = 0; at < BUF_SIZE; at += 16 * 64 * 1024) {
		for (i = 0; i < 16; i++)
			pieces[i] = (struct cmheap_dma_piece){
				.offset = at + i * 64 * 1024, .length = 128 };
		ASSERT_EQ(0, cmheap_ctl_dma(self->ctl, handle, CMHEAP_DIR_FROM_DEVICE,
				     pieces, 16, data));
	}
	/* ...and 2 KiB right across the first entry boundary */
	pieces[0] = (struct cmheap_dma_piece){ .offset = segs[1].offset - 1024,
					       .length = sizeof(data) };
	ASSERT_EQ(0, cmheap_ctl_dma(self->ctl, handle, CMHEAP_DIR_FROM_DEVICE,
			     pieces, 1, data));
	/* a range from inside one written piece to inside the next entry */
	from = segs[1].offset - 700;
	to = segs[1].offset + 300;
	ASSERT_EQ(0, sync_range(self->fd,
				DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ,
				from, to - from));
	for (off = 0; off < BUF_SIZE && bad < 0; off++) {
		unsigned char want = off >= from && off < to ? 0xee : 0x11;

		if (p[off] != want)
			bad = off;
	}
	EXPECT_EQ(-1, bad) TH_LOG("%s: byte %#lx is %#x after a range sync of [%#llx, %#llx)",
				  info.name, bad, bad >= 0 ? p[bad] : 0,
				  (unsigned long long)from,
				  (unsigned long long)to);
	ASSERT_EQ(0, sync_range(self->fd,
				DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ,
				from, to - from));
	munmap(p, BUF_SIZE);
	EXPECT_EQ(0, cmheap_ctl_detach(self->ctl, handle));
}

TEST_HARNESS_MAIN
