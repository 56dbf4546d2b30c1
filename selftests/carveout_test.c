// SPDX-License-Identifier: GPL-2.0
/*
 * carveout_test: the carveout heap's region as genalloc manages it, read
 * back through /sys/kernel/debug/cmheap/<heap>/carveout: exhaustion gives
 * ENOMEM, buffers are contiguous (one segment), fragmentation is real and
 * undone by freeing, and every byte comes back.  (The heap-parametrised
 * tests of the other binaries run on the carveout heap too.)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "cmheap_util.h"

struct region {
	long long size, available, largest;
};

static int region_read(const char *heap, struct region *r)
{
	char path[160];

	snprintf(path, sizeof(path), "%s/%s/carveout", CMHEAP_DEBUGFS, heap);
	r->size = read_num(path, "size");
	r->available = read_num(path, "available");
	r->largest = read_num(path, "largest_free");
	return r->size < 0 ? -ENOENT : 0;
}

FIXTURE(carveout) {
	const char *heap;
	struct region r;
};

FIXTURE_SETUP(carveout)
{
	const struct cmheap_heap *heaps;
	int i, n = cmheap_heaps(&heaps);

	self->heap = NULL;
	for (i = 0; i < n; i++)
		if (heaps[i].pageless)
			self->heap = heaps[i].name;
	if (!self->heap)
		SKIP(return, "no carveout heap (load cmheap with carveout=SIZE@BASE)");
	ASSERT_EQ(0, region_read(self->heap, &self->r));
	ASSERT_LT(0, self->r.size);
	/* nothing else holds carveout memory while these run */
	ASSERT_EQ(self->r.size, self->r.available);
	ASSERT_EQ(self->r.size, self->r.largest);
}

FIXTURE_TEARDOWN(carveout)
{
}

TEST_F(carveout, whole_region_then_enomem)
{
	struct region r;
	int fd;

	fd = alloc_on(self->heap, self->r.size);
	ASSERT_LE(0, fd) TH_LOG("a region-sized buffer: %s", strerror(-fd));
	ASSERT_EQ(0, region_read(self->heap, &r));
	EXPECT_EQ(0, r.available);
	EXPECT_EQ(-ENOMEM, alloc_on(self->heap, page_size()));
	close(fd);
	EXPECT_EQ(-ENOMEM, alloc_on(self->heap, self->r.size + page_size()));
	ASSERT_EQ(0, region_read(self->heap, &r));
	EXPECT_EQ(self->r.size, r.available);
}

TEST_F(carveout, one_contiguous_segment)
{
	struct cmheap_attach at;
	struct cmheap_map m;
	int ctl, fd;

	CTL_OPEN_OR_SKIP(ctl);
	fd = alloc_on(self->heap, 16 * SZ_1M);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ctl_attach(ctl, fd, CMHEAP_DEV_COHERENT, &at));
	EXPECT_TRUE(at.flags & CMHEAP_ATTF_PAGELESS);
	ASSERT_EQ(0, ctl_map(ctl, at.handle, CMHEAP_DIR_TO_DEVICE, 0, 0, &m));
	EXPECT_EQ(1, m.nents);
	EXPECT_EQ(1, m.orig_nents);
	EXPECT_EQ(0, ctl_unmap(ctl, at.handle));
	close(ctl);
	close(fd);
}

TEST_F(carveout, exhaustion_fragmentation_and_return)
{
	enum { MAX = 4096 };
	long long chunk = SZ_1M;
	struct region r;
	int *fds, n = 0, i, fd;

	fds = calloc(MAX, sizeof(*fds));
	ASSERT_NE(NULL, fds);
	while (n < MAX && (fd = alloc_on(self->heap, chunk)) >= 0)
		fds[n++] = fd;
	EXPECT_EQ(-ENOMEM, fd);
	EXPECT_EQ(self->r.size / chunk, n);
	ASSERT_EQ(0, region_read(self->heap, &r));
	EXPECT_EQ(0, r.available);
	/* free every other buffer: half the region free, in 1 MiB holes */
	for (i = 0; i < n; i += 2) {
		close(fds[i]);
		fds[i] = -1;
	}
	ASSERT_EQ(0, region_read(self->heap, &r));
	EXPECT_EQ(self->r.size / 2, r.available);
	EXPECT_EQ(chunk, r.largest);
	EXPECT_EQ(-ENOMEM, alloc_on(self->heap, 2 * chunk)) TH_LOG("no 2 MiB extent is free");
	fd = alloc_on(self->heap, chunk);
	EXPECT_LE(0, fd);
	if (fd >= 0)
		close(fd);
	for (i = 1; i < n; i += 2)
		close(fds[i]);
	/* every byte back, in one extent */
	ASSERT_EQ(0, region_read(self->heap, &r));
	EXPECT_EQ(self->r.size, r.available);
	EXPECT_EQ(self->r.size, r.largest);
	free(fds);
}

TEST_HARNESS_MAIN
