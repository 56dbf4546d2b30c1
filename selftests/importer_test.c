// SPDX-License-Identifier: GPL-2.0
/*
 * importer_test: /dev/cmheap with cmheap buffers of every heap: attach,
 * map (through the exporter or raw), sync, unmap, detach and the in-kernel
 * BENCH loop, each error path with its exact errno, and the clean-up when
 * the file is closed with attachments still live.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "kselftest_harness.h"
#include "cmheap_util.h"

#define BUF_SIZE SZ_1M

TEST(device_info_bad_index_einval)
{
	struct cmheap_device_info info;
	int ctl;

	CTL_OPEN_OR_SKIP(ctl);
	EXPECT_EQ(-EINVAL, cmheap_ctl_device_info(ctl, CMHEAP_MAX_DEVICES, &info));
	EXPECT_EQ(-EINVAL, cmheap_ctl_device_info(ctl, 0xffffffff, &info));
	EXPECT_EQ(-EINVAL, cmheap_ctl_device_info(ctl, 0x80000000, &info));
	close(ctl);
}

/* /dev/cmheap answers the uAPI version its header says, every field set. */
TEST(version_query)
{
	struct cmheap_version v;
	int ctl;

	CTL_OPEN_OR_SKIP(ctl);
	ASSERT_EQ(0, cmheap_ctl_version(ctl, &v));
	EXPECT_EQ(CMHEAP_UAPI_VERSION_MAJOR, v.major);
	EXPECT_EQ(CMHEAP_UAPI_VERSION_MINOR, v.minor);
	EXPECT_EQ(0, v.flags);
	EXPECT_EQ(0, v.reserved);
	/* an output-only ioctl: a bad pointer is EFAULT */
	EXPECT_EQ(-1, ioctl(ctl, CMHEAP_IOC_VERSION, NULL));
	EXPECT_EQ(EFAULT, errno);
	close(ctl);
}

TEST(unknown_ioctl_rejected)
{
	const unsigned long cmds[] = {
		_IOWR(CMHEAP_IOC_MAGIC, 0x40, struct cmheap_map),
		_IO(CMHEAP_IOC_MAGIC, 7),
		/* a known number with the wrong size */
		_IOWR(CMHEAP_IOC_MAGIC, 3, __u64),
	};
	char buf[256] = { 0 };
	unsigned int i;
	int ctl;

	CTL_OPEN_OR_SKIP(ctl);
	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		EXPECT_EQ(-1, ioctl(ctl, cmds[i], buf));
		EXPECT_TRUE(errno == ENOTTY || errno == EINVAL)
			TH_LOG("cmd %#lx: errno %d", cmds[i], errno);
	}
	close(ctl);
}

FIXTURE(importer) {
	int ctl, fd;
	__u32 dev;		/* the device that maps the heap's buffers */
	__u32 h;		/* fd attached to it */
	const char *heap;
};

FIXTURE_VARIANT(importer) {
	struct cmheap_heap heap;
};

CMHEAP_HEAP_VARIANTS(importer)

FIXTURE_SETUP(importer)
{
	struct cmheap_attach at;

	self->ctl = self->fd = -1;
	heap_variant_check(&variant->heap);
	self->heap = variant->heap.name;
	CTL_OPEN_OR_SKIP(self->ctl);
	self->dev = heap_device(self->ctl, &variant->heap);
	self->fd = alloc_on(self->heap, BUF_SIZE);
	ASSERT_LE(0, self->fd) TH_LOG("alloc: %s", strerror(-self->fd));
	ASSERT_EQ(0, cmheap_ctl_attach(self->ctl, self->fd, self->dev, &at));
	self->h = at.handle;
}

FIXTURE_TEARDOWN(importer)
{
	if (self->ctl >= 0)
		close(self->ctl);
	if (self->fd >= 0)
		close(self->fd);
}

TEST_F(importer, attach_reports_buffer)
{
	struct cmheap_attach at;
	char exp[64];

	ASSERT_EQ(0, cmheap_ctl_attach(self->ctl, self->fd, self->dev, &at));
	EXPECT_TRUE(at.flags & CMHEAP_ATTF_OURS);
	EXPECT_EQ(variant->heap.uncached, !!(at.flags & CMHEAP_ATTF_UNCACHED));
	EXPECT_EQ(variant->heap.pageless, !!(at.flags & CMHEAP_ATTF_PAGELESS));
	EXPECT_EQ(0, at.flags & ~(CMHEAP_ATTF_OURS | CMHEAP_ATTF_UNCACHED |
				  CMHEAP_ATTF_PAGELESS));
	EXPECT_EQ(BUF_SIZE, at.size);
	EXPECT_EQ(self->fd, at.dmabuf_fd);
	EXPECT_EQ(self->dev, at.device);
	EXPECT_GT(sizeof(at.exp_name), strnlen(at.exp_name, sizeof(at.exp_name)));
	EXPECT_NE(0, at.exp_name[0]);
	/* the name the dma-buf core knows the exporter by */
	ASSERT_EQ(0, dmabuf_exp_name(self->fd, exp, sizeof(exp)));
	EXPECT_STREQ(exp, at.exp_name);
	EXPECT_NE(self->h, at.handle);
	EXPECT_EQ(0, cmheap_ctl_detach(self->ctl, at.handle));
}

/* Each attach is its own attachment with its own handle. */
TEST_F(importer, attach_many_distinct_handles)
{
	enum { N = 16 };
	__u32 h[N];
	int i, j;

	for (i = 0; i < N; i++) {
		struct cmheap_attach at;

		ASSERT_EQ(0, cmheap_ctl_attach(self->ctl, self->fd,
					self->dev, &at));
		h[i] = at.handle;
		EXPECT_NE(self->h, h[i]);
		for (j = 0; j < i; j++) {
			ASSERT_NE(h[j], h[i]);
		}
	}
	/*
	 * Mapped at once, independently.  For the device to read: the DMA
	 * API does not support overlapping mappings a device may write
	 * (DMA-API debugging reports them), and neither does real hardware
	 * without coherency.
	 */
	for (i = 0; i < N; i += 2) {
		ASSERT_EQ(0, cmheap_ctl_map(self->ctl, h[i], CMHEAP_DIR_TO_DEVICE,
				     0, 0, NULL));
	}
	for (i = 0; i < N; i++) {
		if (i % 2 == 0) {
			EXPECT_EQ(0, cmheap_ctl_unmap(self->ctl, h[i]));
		} else {
			EXPECT_EQ(-EINVAL, cmheap_ctl_unmap(self->ctl, h[i]));
		}
		EXPECT_EQ(0, cmheap_ctl_detach(self->ctl, h[i]));
	}
}

TEST_F(importer, attach_bad_device_einval)
{
	EXPECT_EQ(-EINVAL, cmheap_ctl_attach(self->ctl, self->fd, CMHEAP_MAX_DEVICES, NULL));
	EXPECT_EQ(-EINVAL, cmheap_ctl_attach(self->ctl, self->fd, 0xffffffff, NULL));
	EXPECT_EQ(-EINVAL, cmheap_ctl_attach(self->ctl, self->fd, 0x80000000, NULL));
}

/* A valid index whose device this machine does not have: ENODEV. */
TEST_F(importer, attach_absent_device_enodev)
{
	if (cmheap_ctl_device_flags(self->ctl, CMHEAP_DEV_NONCOHERENT) &
	    CMHEAP_DEVF_PRESENT)
		SKIP(return, "the non-coherent device is present here");
	EXPECT_EQ(-ENODEV, cmheap_ctl_attach(self->ctl, self->fd,
				      CMHEAP_DEV_NONCOHERENT, NULL));
}

/* dma_buf_get()'s errno: EINVAL for another file, EBADF for no file. */
TEST_F(importer, attach_not_a_dmabuf)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	int mfd = memfd_create("cmheap-test", MFD_CLOEXEC);
	int dead = dup(self->fd);

	ASSERT_LE(0, null);
	ASSERT_LE(0, mfd);
	ASSERT_LE(0, dead);
	ASSERT_EQ(0, ftruncate(mfd, BUF_SIZE));
	close(dead);

	EXPECT_EQ(-EINVAL, cmheap_ctl_attach(self->ctl, null, CMHEAP_DEV_COHERENT, NULL));
	EXPECT_EQ(-EINVAL, cmheap_ctl_attach(self->ctl, mfd, CMHEAP_DEV_COHERENT, NULL));
	EXPECT_EQ(-EINVAL, cmheap_ctl_attach(self->ctl, self->ctl, CMHEAP_DEV_COHERENT,
				      NULL));
	EXPECT_EQ(-EBADF, cmheap_ctl_attach(self->ctl, dead, CMHEAP_DEV_COHERENT, NULL));
	EXPECT_EQ(-EBADF, cmheap_ctl_attach(self->ctl, -1, CMHEAP_DEV_COHERENT, NULL));
	EXPECT_EQ(-EBADF, cmheap_ctl_attach(self->ctl, 1 << 20, CMHEAP_DEV_COHERENT,
				     NULL));
	close(null);
	close(mfd);
}

/* Through the exporter, in every direction; the heap counts each call. */
TEST_F(importer, map_unmap_each_direction)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cmheap_dirs); i++) {
		struct cmheap_stats a, b, c;
		struct cmheap_map m;
		struct cmheap_unmap um = { .handle = self->h };

		ASSERT_EQ(0, stats_read(self->heap, &a));
		ASSERT_EQ(0, cmheap_ctl_map(self->ctl, self->h, cmheap_dirs[i], 0, 0, &m))
			TH_LOG("dir %u", cmheap_dirs[i]);
		ASSERT_EQ(0, stats_read(self->heap, &b));
		EXPECT_LE(1, m.nents);
		EXPECT_LE(1, m.orig_nents);
		EXPECT_GE(m.orig_nents, m.nents);
		EXPECT_LT(0, m.ns);
		EXPECT_EQ(a.v[ST_MAPS] + 1, b.v[ST_MAPS]);
		EXPECT_EQ(a.v[ST_UNMAPS], b.v[ST_UNMAPS]);
		ASSERT_EQ(0, cmheap_ctl_unmap_raw(self->ctl, &um));
		ASSERT_EQ(0, stats_read(self->heap, &c));
		EXPECT_EQ(b.v[ST_UNMAPS] + 1, c.v[ST_UNMAPS]);
		EXPECT_EQ(b.v[ST_MAPS], c.v[ST_MAPS]);
	}
}

/* Raw maps go to the DMA API directly: the importer counts them. */
TEST_F(importer, map_raw_each_direction)
{
	unsigned int i;

	if (variant->heap.pageless) {
		EXPECT_EQ(-EOPNOTSUPP, cmheap_ctl_map(self->ctl, self->h, CMHEAP_DIR_TO_DEVICE,
					       0, CMHEAP_MAP_RAW, NULL));
		SKIP(return, NO_RAW_PAGELESS);
	}
	for (i = 0; i < ARRAY_SIZE(cmheap_dirs); i++) {
		struct cmheap_stats ha, hb, ia, ib;
		struct cmheap_map m;

		ASSERT_EQ(0, stats_read(self->heap, &ha));
		ASSERT_EQ(0, stats_read(CMHEAP_IMPORTER, &ia));
		ASSERT_EQ(0, cmheap_ctl_map(self->ctl, self->h, cmheap_dirs[i],
				     CMHEAP_ATTR_SKIP_CPU_SYNC, CMHEAP_MAP_RAW, &m));
		EXPECT_LE(1, m.nents);
		EXPECT_LE(1, m.orig_nents);
		ASSERT_EQ(0, cmheap_ctl_unmap(self->ctl, self->h));
		ASSERT_EQ(0, stats_read(self->heap, &hb));
		ASSERT_EQ(0, stats_read(CMHEAP_IMPORTER, &ib));
		EXPECT_EQ(ha.v[ST_MAPS], hb.v[ST_MAPS]);
		EXPECT_EQ(ha.v[ST_UNMAPS], hb.v[ST_UNMAPS]);
		EXPECT_EQ(ia.v[ST_MAPS] + 1, ib.v[ST_MAPS]);
		EXPECT_EQ(ia.v[ST_UNMAPS] + 1, ib.v[ST_UNMAPS]);
	}
}

TEST_F(importer, map_twice_ebusy)
{
	ASSERT_EQ(0, cmheap_ctl_map(self->ctl, self->h, CMHEAP_DIR_BIDIRECTIONAL, 0, 0,
			     NULL));
	EXPECT_EQ(-EBUSY, cmheap_ctl_map(self->ctl, self->h, CMHEAP_DIR_BIDIRECTIONAL,
				  0, 0, NULL));
	EXPECT_EQ(-EBUSY, cmheap_ctl_map(self->ctl, self->h, CMHEAP_DIR_TO_DEVICE, 0,
				  CMHEAP_MAP_RAW, NULL));
	ASSERT_EQ(0, cmheap_ctl_unmap(self->ctl, self->h));
	/* and mappable again once unmapped */
	EXPECT_EQ(0, cmheap_ctl_map(self->ctl, self->h, CMHEAP_DIR_TO_DEVICE, 0,
			     RAW_MAP_OF(&variant->heap), NULL));
	EXPECT_EQ(-EBUSY, cmheap_ctl_map(self->ctl, self->h, CMHEAP_DIR_TO_DEVICE, 0,
				  0, NULL));
	EXPECT_EQ(0, cmheap_ctl_unmap(self->ctl, self->h));
}

TEST_F(importer, unmap_sync_not_mapped_einval)
{
	EXPECT_EQ(-EINVAL, cmheap_ctl_unmap(self->ctl, self->h));
	EXPECT_EQ(-EINVAL, cmheap_ctl_sync(self->ctl, self->h, CMHEAP_SYNC_FOR_CPU,
				    CMHEAP_DIR_BIDIRECTIONAL));
	EXPECT_EQ(-EINVAL, cmheap_ctl_sync(self->ctl, self->h, CMHEAP_SYNC_FOR_DEVICE,
				    CMHEAP_DIR_BIDIRECTIONAL));
	ASSERT_EQ(0, cmheap_ctl_map(self->ctl, self->h, CMHEAP_DIR_BIDIRECTIONAL, 0, 0,
			     NULL));
	ASSERT_EQ(0, cmheap_ctl_unmap(self->ctl, self->h));
	EXPECT_EQ(-EINVAL, cmheap_ctl_unmap(self->ctl, self->h));
}

TEST_F(importer, bad_handle_enoent)
{
	const __u32 bad[] = { self->h + 1, self->h + 1000, 0x7fffffff,
			      0xffffffff };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		struct cmheap_bench b = {
			.handle = bad[i], .op = CMHEAP_BENCH_MAP_UNMAP,
			.iterations = 1,
		};
		__u64 sample;

		b.samples_ptr = (uintptr_t)&sample;
		EXPECT_EQ(-ENOENT, cmheap_ctl_map(self->ctl, bad[i],
					   CMHEAP_DIR_BIDIRECTIONAL, 0, 0, NULL))
			TH_LOG("handle %#x", bad[i]);
		EXPECT_EQ(-ENOENT, cmheap_ctl_unmap(self->ctl, bad[i]));
		EXPECT_EQ(-ENOENT, cmheap_ctl_sync(self->ctl, bad[i],
					    CMHEAP_SYNC_FOR_CPU,
					    CMHEAP_DIR_BIDIRECTIONAL));
		EXPECT_EQ(-ENOENT, cmheap_ctl_detach(self->ctl, bad[i]));
		EXPECT_EQ(-ENOENT, cmheap_ctl_bench(self->ctl, &b));
	}
}

TEST_F(importer, detach_twice_enoent)
{
	ASSERT_EQ(0, cmheap_ctl_detach(self->ctl, self->h));
	EXPECT_EQ(-ENOENT, cmheap_ctl_detach(self->ctl, self->h));
	EXPECT_EQ(-ENOENT, cmheap_ctl_map(self->ctl, self->h, CMHEAP_DIR_BIDIRECTIONAL,
				   0, 0, NULL));
}

/* Handles belong to the open file that made them. */
TEST_F(importer, handles_private_to_file)
{
	int other = cmheap_ctl_open();

	ASSERT_LE(0, other);
	EXPECT_EQ(-ENOENT, cmheap_ctl_map(other, self->h, CMHEAP_DIR_BIDIRECTIONAL, 0,
				   0, NULL));
	EXPECT_EQ(-ENOENT, cmheap_ctl_detach(other, self->h));
	close(other);
	EXPECT_EQ(0, cmheap_ctl_map(self->ctl, self->h, CMHEAP_DIR_BIDIRECTIONAL, 0, 0,
			     NULL));
	EXPECT_EQ(0, cmheap_ctl_unmap(self->ctl, self->h));
}

TEST_F(importer, map_bad_args_einval)
{
	const struct { __u32 dir, attrs, flags; } bad[] = {
		{ 3, 0, 0 },				/* DMA_NONE */
		{ 0xffffffff, 0, 0 },
		{ CMHEAP_DIR_BIDIRECTIONAL, 1U << 1, 0 },
		{ CMHEAP_DIR_BIDIRECTIONAL, 0x80000000, 0 },
		{ CMHEAP_DIR_BIDIRECTIONAL, 0, 1U << 1 },
		{ CMHEAP_DIR_BIDIRECTIONAL, 0, 0x80000000 | CMHEAP_MAP_RAW },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EINVAL, cmheap_ctl_map(self->ctl, self->h, bad[i].dir,
					   bad[i].attrs, bad[i].flags, NULL))
			TH_LOG("dir %#x attrs %#x flags %#x", bad[i].dir,
			       bad[i].attrs, bad[i].flags);
	}
	/* none of them left a mapping behind */
	EXPECT_EQ(-EINVAL, cmheap_ctl_unmap(self->ctl, self->h));
}

TEST_F(importer, unmap_reserved_einval)
{
	struct cmheap_unmap um = { .handle = self->h, .reserved = 1 };

	ASSERT_EQ(0, cmheap_ctl_map(self->ctl, self->h, CMHEAP_DIR_BIDIRECTIONAL, 0, 0,
			     NULL));
	EXPECT_EQ(-EINVAL, cmheap_ctl_unmap_raw(self->ctl, &um));
	um.reserved = 0x80000000;
	EXPECT_EQ(-EINVAL, cmheap_ctl_unmap_raw(self->ctl, &um));
	/* still mapped */
	EXPECT_EQ(-EBUSY, cmheap_ctl_map(self->ctl, self->h, CMHEAP_DIR_BIDIRECTIONAL,
				  0, 0, NULL));
	EXPECT_EQ(0, cmheap_ctl_unmap(self->ctl, self->h));
}

TEST_F(importer, sync_bad_args_einval)
{
	const struct cmheap_sync bad[] = {
		{ .flags = 0, .direction = CMHEAP_DIR_BIDIRECTIONAL },
		{ .flags = CMHEAP_SYNC_FOR_CPU | CMHEAP_SYNC_FOR_DEVICE,
		  .direction = CMHEAP_DIR_BIDIRECTIONAL },
		{ .flags = 1U << 2, .direction = CMHEAP_DIR_BIDIRECTIONAL },
		{ .flags = CMHEAP_SYNC_FOR_CPU | (1U << 31),
		  .direction = CMHEAP_DIR_BIDIRECTIONAL },
		{ .flags = CMHEAP_SYNC_FOR_CPU, .direction = 3 },
		{ .flags = CMHEAP_SYNC_FOR_CPU, .direction = 0xffffffff },
		{ .flags = CMHEAP_SYNC_FOR_CPU,
		  .direction = CMHEAP_DIR_BIDIRECTIONAL, .reserved = 1 },
		{ .flags = CMHEAP_SYNC_FOR_DEVICE,
		  .direction = CMHEAP_DIR_BIDIRECTIONAL, .reserved = 1U << 31 },
	};
	unsigned int i;

	ASSERT_EQ(0, cmheap_ctl_map(self->ctl, self->h, CMHEAP_DIR_BIDIRECTIONAL, 0, 0,
			     NULL));
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		struct cmheap_sync s = bad[i];

		s.handle = self->h;
		EXPECT_EQ(-EINVAL, cmheap_ctl_sync_raw(self->ctl, &s))
			TH_LOG("case %u: flags %#x dir %#x reserved %#x", i,
			       bad[i].flags, bad[i].direction, bad[i].reserved);
	}
	EXPECT_EQ(0, cmheap_ctl_unmap(self->ctl, self->h));
}

/* The DMA API syncs a mapping in the direction it was mapped with. */
TEST_F(importer, sync_direction_as_mapped)
{
	unsigned int i, j;

	for (i = 0; i < ARRAY_SIZE(cmheap_dirs); i++) {
		ASSERT_EQ(0, cmheap_ctl_map(self->ctl, self->h, cmheap_dirs[i], 0, 0, NULL));
		for (j = 0; j < ARRAY_SIZE(cmheap_dirs); j++) {
			/* page-less memory: no DMA API sync for its addresses */
			int want = i != j ? -EINVAL :
				   variant->heap.pageless ? -EOPNOTSUPP : 0;

			EXPECT_EQ(want, cmheap_ctl_sync(self->ctl, self->h,
						 CMHEAP_SYNC_FOR_CPU, cmheap_dirs[j]))
				TH_LOG("mapped %u, sync for cpu %u", cmheap_dirs[i],
				       cmheap_dirs[j]);
			EXPECT_EQ(want, cmheap_ctl_sync(self->ctl, self->h,
						 CMHEAP_SYNC_FOR_DEVICE, cmheap_dirs[j]))
				TH_LOG("mapped %u, sync for device %u",
				       cmheap_dirs[i], cmheap_dirs[j]);
		}
		ASSERT_EQ(0, cmheap_ctl_unmap(self->ctl, self->h));
	}
}

/* Detaching a mapped attachment unmaps it too (or refuses with EBUSY). */
TEST_F(importer, detach_while_mapped)
{
	struct cmheap_stats a, b;
	int ret;

	ASSERT_EQ(0, stats_read(self->heap, &a));
	ASSERT_EQ(0, cmheap_ctl_map(self->ctl, self->h, CMHEAP_DIR_BIDIRECTIONAL, 0, 0,
			     NULL));
	ret = cmheap_ctl_detach(self->ctl, self->h);
	EXPECT_TRUE(ret == 0 || ret == -EBUSY) TH_LOG("detach: %d", ret);
	if (ret == -EBUSY) {
		EXPECT_EQ(0, cmheap_ctl_unmap(self->ctl, self->h));
		EXPECT_EQ(0, cmheap_ctl_detach(self->ctl, self->h));
	}
	ASSERT_EQ(0, stats_read(self->heap, &b));
	EXPECT_EQ(a.v[ST_MAPS] + 1, b.v[ST_MAPS]);
	EXPECT_EQ(a.v[ST_UNMAPS] + 1, b.v[ST_UNMAPS]);
	EXPECT_EQ(-ENOENT, cmheap_ctl_detach(self->ctl, self->h));
}

/* An attachment holds its buffer: closing the fd does not free it. */
TEST_F(importer, attachment_holds_buffer)
{
	__u64 live0 = stat_get(self->heap, ST_BUFFERS_LIVE);

	ASSERT_NE(UINT64_MAX, live0);
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(live0, stat_get(self->heap, ST_BUFFERS_LIVE));
	EXPECT_EQ(0, cmheap_ctl_map(self->ctl, self->h, CMHEAP_DIR_BIDIRECTIONAL, 0, 0,
			     NULL));
	EXPECT_EQ(0, cmheap_ctl_unmap(self->ctl, self->h));
	EXPECT_EQ(0, cmheap_ctl_detach(self->ctl, self->h));
	EXPECT_EQ(live0 - 1, stat_get(self->heap, ST_BUFFERS_LIVE));
}

/*
 * Closing /dev/cmheap with live attachments, some mapped, tears them all
 * down: every exporter map is unmapped and, once the dma-buf fds are
 * closed too, every buffer is freed.
 */
TEST_F(importer, close_with_live_attachments)
{
	enum { N = 6 };
	struct cmheap_stats a, b;
	int ctl, fds[N], i;

	ASSERT_EQ(0, stats_read(self->heap, &a));
	ctl = cmheap_ctl_open();
	ASSERT_LE(0, ctl);
	for (i = 0; i < N; i++) {
		struct cmheap_attach at;

		fds[i] = alloc_on(self->heap, (i + 1) * page_size());
		ASSERT_LE(0, fds[i]);
		ASSERT_EQ(0, cmheap_ctl_attach(ctl, fds[i], self->dev, &at));
		if (i % 3 == 1) {
			ASSERT_EQ(0, cmheap_ctl_map(ctl, at.handle, cmheap_dirs[i % 3], 0, 0,
					     NULL));
		}
		if (i % 3 == 2) {
			ASSERT_EQ(0, cmheap_ctl_map(ctl, at.handle, cmheap_dirs[i % 3], 0,
					     RAW_MAP_OF(&variant->heap), NULL));
		}
		/* a second attachment of the same buffer */
		ASSERT_EQ(0, cmheap_ctl_attach(ctl, fds[i], self->dev, NULL));
	}
	/* the fds go first: the attachments alone hold the buffers */
	for (i = 0; i < N; i++)
		close(fds[i]);
	EXPECT_EQ(a.v[ST_BUFFERS_LIVE] + N, stat_get(self->heap, ST_BUFFERS_LIVE));
	close(ctl);

	ASSERT_EQ(0, stats_read(self->heap, &b));
	EXPECT_EQ(a.v[ST_BUFFERS_LIVE], b.v[ST_BUFFERS_LIVE]);
	EXPECT_EQ(a.v[ST_BYTES_LIVE], b.v[ST_BYTES_LIVE]);
	EXPECT_EQ(a.v[ST_FREES] + N, b.v[ST_FREES]);
	EXPECT_EQ(b.v[ST_MAPS] - a.v[ST_MAPS], b.v[ST_UNMAPS] - a.v[ST_UNMAPS]);
	/* raw maps are not the exporter's; page-less buffers had none */
	EXPECT_EQ(a.v[ST_MAPS] + N / 3 * (variant->heap.pageless ? 2 : 1), b.v[ST_MAPS]);
}

static void bench_run(struct __test_metadata *_metadata, int ctl, __u32 h,
		      __u32 op, __u32 dir, __u32 flags, __u32 attrs,
		      struct cmheap_bench *out)
{
	enum { ITER = 16 };
	__u64 samples[ITER];
	struct cmheap_bench b = {
		.handle = h, .op = op, .direction = dir, .attrs = attrs,
		.flags = flags, .warmup = 3, .iterations = ITER,
		.samples_ptr = (uintptr_t)samples,
	};
	unsigned int i, nonzero = 0;

	memset(samples, 0xff, sizeof(samples));
	ASSERT_EQ(0, cmheap_ctl_bench(ctl, &b))
		TH_LOG("op %u dir %u flags %#x attrs %#x", op, dir, flags, attrs);
	for (i = 0; i < ITER; i++) {
		EXPECT_NE(~0ULL, samples[i]) TH_LOG("op %u: sample %u not written",
						    op, i);
		nonzero += samples[i] != 0;
	}
	/* two clock reads may fall in one tick (16 ns on arm64 QEMU) */
	if (op != CMHEAP_BENCH_EMPTY)
		EXPECT_LT(0, nonzero) TH_LOG("op %u: all samples 0 ns", op);
	/* the bench leaves the attachment as it found it: unmapped */
	EXPECT_EQ(-EINVAL, cmheap_ctl_unmap(ctl, h));
	*out = b;
}

/*
 * The bench's SYNC ops on page-less memory: refused with EOPNOTSUPP (the
 * DMA API has no sync for its addresses).  True when @op is one of them,
 * having checked the refusal; false when the op should be run.
 */
static bool bench_sync_refused(struct __test_metadata *_metadata, int ctl,
			       __u32 h, const struct cmheap_heap *heap,
			       __u32 op, __u32 dir)
{
	__u64 sample;
	struct cmheap_bench b = {
		.handle = h, .op = op, .direction = dir, .iterations = 1,
		.samples_ptr = (uintptr_t)&sample,
	};

	if (!heap->pageless ||
	    (op != CMHEAP_BENCH_SYNC_CPU && op != CMHEAP_BENCH_SYNC_DEV))
		return false;
	EXPECT_EQ(-EOPNOTSUPP, cmheap_ctl_bench(ctl, &b))
		TH_LOG("op %u: no DMA API sync of page-less memory", op);
	return true;
}

TEST_F(importer, bench_every_op)
{
	const __u32 flags[] = { 0, CMHEAP_BENCH_DIRTY, CMHEAP_BENCH_RAW,
				CMHEAP_BENCH_RAW | CMHEAP_BENCH_DIRTY };
	struct cmheap_stats a, b;
	struct cmheap_bench out;
	unsigned int op, f;

	ASSERT_EQ(0, stats_read(self->heap, &a));
	for (f = 0; f < ARRAY_SIZE(flags); f++) {
		if ((flags[f] & CMHEAP_BENCH_RAW) && variant->heap.pageless)
			continue;
		for (op = 0; op < CMHEAP_BENCH_OP_COUNT; op++) {
			if (bench_sync_refused(_metadata, self->ctl, self->h,
					       &variant->heap, op,
					       CMHEAP_DIR_BIDIRECTIONAL))
				continue;
			bench_run(_metadata, self->ctl, self->h, op,
				  CMHEAP_DIR_BIDIRECTIONAL, flags[f], 0, &out);
		}
	}
	ASSERT_EQ(0, stats_read(self->heap, &b));
	/* exporter maps were made, and every one of them undone */
	EXPECT_LT(a.v[ST_MAPS], b.v[ST_MAPS]);
	EXPECT_EQ(b.v[ST_MAPS] - a.v[ST_MAPS], b.v[ST_UNMAPS] - a.v[ST_UNMAPS]);
	/* and the attachment still works */
	EXPECT_EQ(0, cmheap_ctl_map(self->ctl, self->h, CMHEAP_DIR_TO_DEVICE, 0, 0, NULL));
	EXPECT_EQ(0, cmheap_ctl_unmap(self->ctl, self->h));
}

TEST_F(importer, bench_with_attrs_and_directions)
{
	struct cmheap_bench out;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cmheap_dirs); i++) {
		bench_run(_metadata, self->ctl, self->h, CMHEAP_BENCH_MAP_UNMAP,
			  cmheap_dirs[i], 0, CMHEAP_ATTR_SKIP_CPU_SYNC, &out);
		if (bench_sync_refused(_metadata, self->ctl, self->h,
				       &variant->heap, CMHEAP_BENCH_SYNC_CPU,
				       cmheap_dirs[i]))
			continue;
		bench_run(_metadata, self->ctl, self->h, CMHEAP_BENCH_SYNC_CPU,
			  cmheap_dirs[i], RAW_BENCH_OF(&variant->heap),
			  CMHEAP_ATTR_SKIP_CPU_SYNC, &out);
	}
}

/* BENCH reports the DMA segments of the mapping it timed. */
TEST_F(importer, bench_reports_nents)
{
	const __u32 flags[] = { 0, RAW_BENCH_OF(&variant->heap) };
	struct cmheap_bench out;
	struct cmheap_map m;
	unsigned int f;

	ASSERT_EQ(0, cmheap_ctl_map(self->ctl, self->h, CMHEAP_DIR_BIDIRECTIONAL, 0, 0,
			     &m));
	ASSERT_EQ(0, cmheap_ctl_unmap(self->ctl, self->h));
	for (f = 0; f < ARRAY_SIZE(flags); f++) {
		bench_run(_metadata, self->ctl, self->h, CMHEAP_BENCH_MAP,
			  CMHEAP_DIR_BIDIRECTIONAL, flags[f], 0, &out);
		EXPECT_EQ(m.nents, out.nents) TH_LOG("bench flags %#x", flags[f]);
	}
}

static __u64 bench_median(struct __test_metadata *_metadata, int ctl,
			  __u32 h, __u32 op)
{
	enum { ITER = 63 };
	__u64 samples[ITER], t;
	struct cmheap_bench b = {
		.handle = h, .op = op, .direction = CMHEAP_DIR_BIDIRECTIONAL,
		.warmup = 2, .iterations = ITER,
		.samples_ptr = (uintptr_t)samples,
	};
	unsigned int i, j;

	EXPECT_EQ(0, cmheap_ctl_bench(ctl, &b)) TH_LOG("op %u", op);
	EXPECT_EQ(ITER, b.done);
	for (i = 1; i < ITER; i++)
		for (j = i; j > 0 && samples[j - 1] > samples[j]; j--) {
			t = samples[j];
			samples[j] = samples[j - 1];
			samples[j - 1] = t;
		}
	return samples[ITER / 2];
}

/*
 * The empty op times two clock reads and nothing else: it maps nothing, and
 * its median lies below that of the cheapest real op, a map + unmap.  It is
 * what cmheap-bench records as every kernel sample's timing overhead.
 */
TEST_F(importer, bench_empty_times_only_the_clock)
{
	struct cmheap_stats a, b;
	__u64 empty, map_unmap;

	ASSERT_EQ(0, stats_read(self->heap, &a));
	empty = bench_median(_metadata, self->ctl, self->h, CMHEAP_BENCH_EMPTY);
	ASSERT_EQ(0, stats_read(self->heap, &b));
	EXPECT_EQ(a.v[ST_MAPS], b.v[ST_MAPS]);
	EXPECT_EQ(a.v[ST_CPU_SYNCS], b.v[ST_CPU_SYNCS]);
	map_unmap = bench_median(_metadata, self->ctl, self->h,
				 CMHEAP_BENCH_MAP_UNMAP);
	EXPECT_LT(empty, map_unmap)
		TH_LOG("p50 empty %llu ns, map+unmap %llu ns",
		       (unsigned long long)empty, (unsigned long long)map_unmap);
	/* and the attachment is left unmapped */
	EXPECT_EQ(-EINVAL, cmheap_ctl_unmap(self->ctl, self->h));
}

TEST_F(importer, bench_errors)
{
	__u64 *samples = calloc(64, sizeof(*samples));
	const struct cmheap_bench ok = {
		.handle = self->h, .op = CMHEAP_BENCH_MAP_UNMAP,
		.direction = CMHEAP_DIR_BIDIRECTIONAL, .iterations = 4,
		.samples_ptr = (uintptr_t)samples,
	};
	struct cmheap_bench b;
	void *ro, *none;
	int ret;

	ASSERT_NE(NULL, samples);
	b = ok;
	ASSERT_EQ(0, cmheap_ctl_bench(self->ctl, &b));

	b = ok; b.iterations = 0;
	EXPECT_EQ(-EINVAL, cmheap_ctl_bench(self->ctl, &b));
	b = ok; b.iterations = CMHEAP_BENCH_MAX_ITERATIONS + 1;
	EXPECT_EQ(-EINVAL, cmheap_ctl_bench(self->ctl, &b));
	b = ok; b.iterations = 0xffffffff;
	EXPECT_EQ(-EINVAL, cmheap_ctl_bench(self->ctl, &b));
	b = ok; b.op = CMHEAP_BENCH_OP_COUNT;
	EXPECT_EQ(-EINVAL, cmheap_ctl_bench(self->ctl, &b));
	b = ok; b.direction = 3;
	EXPECT_EQ(-EINVAL, cmheap_ctl_bench(self->ctl, &b));
	b = ok; b.flags = 1U << 2;
	EXPECT_EQ(-EINVAL, cmheap_ctl_bench(self->ctl, &b));
	b = ok; b.attrs = 1U << 1;
	EXPECT_EQ(-EINVAL, cmheap_ctl_bench(self->ctl, &b));

	/* samples_ptr must be writable user memory */
	ro = mmap(NULL, page_size(), PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS,
		  -1, 0);
	none = mmap(NULL, page_size(), PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		    -1, 0);
	ASSERT_NE(MAP_FAILED, ro);
	ASSERT_NE(MAP_FAILED, none);
	b = ok; b.samples_ptr = 0;
	EXPECT_EQ(-EFAULT, cmheap_ctl_bench(self->ctl, &b));
	b = ok; b.samples_ptr = 8;
	EXPECT_EQ(-EFAULT, cmheap_ctl_bench(self->ctl, &b));
	b = ok; b.samples_ptr = (uintptr_t)ro;
	EXPECT_EQ(-EFAULT, cmheap_ctl_bench(self->ctl, &b));
	b = ok; b.samples_ptr = (uintptr_t)none;
	EXPECT_EQ(-EFAULT, cmheap_ctl_bench(self->ctl, &b));
	b = ok; b.samples_ptr = ~0ULL - 7;
	EXPECT_EQ(-EFAULT, cmheap_ctl_bench(self->ctl, &b));
	/* none of the failures left the attachment mapped */
	EXPECT_EQ(-EINVAL, cmheap_ctl_unmap(self->ctl, self->h));

	/* a mapped attachment cannot be benchmarked */
	ASSERT_EQ(0, cmheap_ctl_map(self->ctl, self->h, CMHEAP_DIR_BIDIRECTIONAL, 0, 0,
			     NULL));
	b = ok;
	ret = cmheap_ctl_bench(self->ctl, &b);
	EXPECT_TRUE(ret == -EBUSY || ret == -EINVAL) TH_LOG("got %d", ret);
	EXPECT_EQ(0, cmheap_ctl_unmap(self->ctl, self->h));

	munmap(ro, page_size());
	munmap(none, page_size());
	free(samples);
}

TEST_HARNESS_MAIN
