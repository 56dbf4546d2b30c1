// SPDX-License-Identifier: GPL-2.0
/*
 * fault_test: every ioctl and mmap path of every cmheap device node under
 * injected allocation failures.
 *
 * Each path is walked with the calling thread's fail-nth: its n-th slab or
 * page allocation fails, for n = 1, 2, 3 ... until the call gets through
 * all of its allocations without one failing.  Every injected failure must
 * end either in ENOMEM (EIO where the DMA API itself reports a mapping it
 * could not make so) or in success (a failure the code works around, as
 * the heaps' fall back from large blocks to small ones), and must leave
 * the heap's live buffers and bytes, its and the importer's net mappings,
 * and a carveout's free memory as they were.  After each path nothing is
 * live.  rmmod_test walks the module's load the same way
 * (fail_nth_insmod) and then unloads it; run.sh's kernel_log judges the
 * kernel's log (injected failures are not logged, and the kernel's own
 * allocation-failure reports are excused only between the marks
 * fail_nth_ready() and fail_nth_done() leave: anything else there is a
 * real report) and kmemleak the leaks.
 *
 * Needs the debug kernel's fault injection (scripts/debug-kernel/
 * common.config); SKIPs elsewhere.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <linux/dma-buf.h>
#include <linux/dma-heap.h>

#include "kselftest_harness.h"
#include "cmheap_util.h"

/* Far more allocations than any path makes: a walk that gets here loops. */
#define FAIL_NTH_MAX	4000
/* 16 pages: the system heaps try a large block first, then single pages */
#define BUF_SIZE	(64 * 1024)
/* seconds per path on a KASAN kernel under TCG */
#define WALK_TIMEOUT	300

FIXTURE(fault) {
	int ctl, heap_fd, buf, fd;	/* fd: what a path's call opened */
	__u32 dev, handle, handle2;	/* handle2: what a path's call attached */
	__u32 dir;			/* the direction a map takes */
	void *map;
	struct cmheap_heap heap;
};

FIXTURE_VARIANT(fault) {
	struct cmheap_heap heap;
};

CMHEAP_HEAP_VARIANTS(fault)

/*
 * What a failed call must leave as it found: the heap's live buffers and
 * bytes, its mappings and the importer's (mapped less unmapped), and a
 * carveout's free memory.
 */
struct footprint {
	__u64 buffers, bytes, heap_mapped, importer_mapped;
	long long available;
};

static void footprint_take(struct __test_metadata *_metadata, const char *heap,
			   struct footprint *fp)
{
	struct cmheap_stats st;
	struct carveout c;

	ASSERT_EQ(0, stats_read(heap, &st));
	fp->buffers = st.v[ST_BUFFERS_LIVE];
	fp->bytes = st.v[ST_BYTES_LIVE];
	fp->heap_mapped = st.v[ST_MAPS] - st.v[ST_UNMAPS];
	ASSERT_EQ(0, stats_read(CMHEAP_IMPORTER, &st));
	fp->importer_mapped = st.v[ST_MAPS] - st.v[ST_UNMAPS];
	fp->available = carveout_read(heap, &c) ? -1 : c.available;
}

/*
 * One path: @call under injection (0 or -errno).  @prepare runs before
 * each try and @undo after a successful one, @recover after a failed one,
 * all without injection; each may be NULL.
 */
struct fault_path {
	const char *name;
	int (*prepare)(FIXTURE_DATA(fault) *self);
	int (*call)(FIXTURE_DATA(fault) *self);
	int (*undo)(FIXTURE_DATA(fault) *self);
	int (*recover)(FIXTURE_DATA(fault) *self);
	bool dma_api;		/* a DMA API failure may say EIO */
};

static void walk(struct __test_metadata *_metadata, FIXTURE_DATA(fault) *self,
		 const struct fault_path *p)
{
	struct footprint before, after;
	unsigned int n, failed = 0, worked_around = 0;
	int ret, left;

	for (n = 1; n <= FAIL_NTH_MAX; n++) {
		if (p->prepare)
			ASSERT_EQ(0, p->prepare(self)) TH_LOG("%s: try %u: prepare", p->name, n);
		footprint_take(_metadata, self->heap.name, &before);
		ASSERT_EQ(0, fail_nth_arm(n));
		ret = p->call(self);
		left = fail_nth_disarm();
		ASSERT_LE(0, left);
		if (left > 0) {
			/* the call made fewer than n allocations: none failed */
			ASSERT_EQ(0, ret) TH_LOG("%s: %s with nothing injected",
						 p->name, strerror(-ret));
			if (p->undo)
				ASSERT_EQ(0, p->undo(self)) TH_LOG("%s: undo", p->name);
			ksft_print_msg("%s %s: %u allocations, %u failed cleanly, %u worked around\n",
				       self->heap.name, p->name, n - left, failed,
				       worked_around);
			return;
		}
		if (!ret) {
			worked_around++;
			if (p->undo)
				ASSERT_EQ(0, p->undo(self)) TH_LOG("%s: undo", p->name);
		} else {
			failed++;
			EXPECT_TRUE(ret == -ENOMEM || (p->dma_api && ret == -EIO))
				TH_LOG("%s: allocation %u failed: %s", p->name, n,
				       strerror(-ret));
			if (p->recover)
				ASSERT_EQ(0, p->recover(self)) TH_LOG("%s: try %u: recover",
								      p->name, n);
		}
		footprint_take(_metadata, self->heap.name, &after);
		EXPECT_EQ(before.buffers, after.buffers) TH_LOG("%s: allocation %u", p->name, n);
		EXPECT_EQ(before.bytes, after.bytes) TH_LOG("%s: allocation %u", p->name, n);
		EXPECT_EQ(before.heap_mapped, after.heap_mapped)
			TH_LOG("%s: allocation %u", p->name, n);
		EXPECT_EQ(before.importer_mapped, after.importer_mapped)
			TH_LOG("%s: allocation %u", p->name, n);
		EXPECT_EQ(before.available, after.available)
			TH_LOG("%s: allocation %u: carveout memory", p->name, n);
		if (_metadata->exit_code)
			return;
	}
	ASSERT_TRUE(false) TH_LOG("%s: still failing after %u allocations", p->name,
				  FAIL_NTH_MAX);
}

FIXTURE_SETUP(fault)
{
	struct cmheap_attach at;
	char why[160];

	self->ctl = self->heap_fd = self->buf = self->fd = -1;
	self->map = MAP_FAILED;
	heap_variant_check(&variant->heap);
	self->heap = variant->heap;
	if (fail_nth_ready(why, sizeof(why)))
		SKIP(return, "%s", why);
	self->heap_fd = heap_open(self->heap.name);
	ASSERT_LE(0, self->heap_fd);
	ASSERT_LE(0, heap_ctl_fd());
	self->buf = heap_alloc(self->heap_fd, BUF_SIZE);
	ASSERT_LE(0, self->buf);
	CTL_OPEN_OR_SKIP(self->ctl);
	self->dev = heap_device(self->ctl, &self->heap);
	ASSERT_EQ(0, cmheap_ctl_attach(self->ctl, self->buf, self->dev, &at));
	self->handle = at.handle;
	self->dir = CMHEAP_DIR_BIDIRECTIONAL;
}

FIXTURE_TEARDOWN(fault)
{
	fail_nth_done();
	struct carveout c;

	if (self->map != MAP_FAILED)
		munmap(self->map, BUF_SIZE);
	if (self->fd >= 0)
		close(self->fd);
	if (self->ctl >= 0)
		close(self->ctl);
	if (self->buf >= 0)
		close(self->buf);
	if (self->heap_fd >= 0)
		close(self->heap_fd);
	if (!self->heap.name[0] || _metadata->exit_code == KSFT_SKIP)
		return;
	/* after the walk, nothing of it is live */
	EXPECT_EQ(0, stat_get(self->heap.name, ST_BUFFERS_LIVE));
	EXPECT_EQ(0, stat_get(self->heap.name, ST_BYTES_LIVE));
	EXPECT_EQ(stat_get(self->heap.name, ST_MAPS), stat_get(self->heap.name, ST_UNMAPS));
	EXPECT_EQ(stat_get(CMHEAP_IMPORTER, ST_MAPS), stat_get(CMHEAP_IMPORTER, ST_UNMAPS));
	if (!carveout_read(self->heap.name, &c))
		EXPECT_EQ(c.size, c.available);
}

/* ---- the heap node and its dma-bufs ---- */

static int close_fd(FIXTURE_DATA(fault) *self)
{
	int ret = close(self->fd) ? -errno : 0;

	self->fd = -1;
	return ret;
}

static int heap_open_call(FIXTURE_DATA(fault) *self)
{
	self->fd = heap_open(self->heap.name);
	return self->fd < 0 ? self->fd : 0;
}

TEST_F_TIMEOUT(fault, fail_nth_heap_open, WALK_TIMEOUT)
{
	const struct fault_path p = { .name = "open", .call = heap_open_call, .undo = close_fd };

	walk(_metadata, self, &p);
}

static int alloc_call(FIXTURE_DATA(fault) *self)
{
	self->fd = heap_alloc(self->heap_fd, BUF_SIZE);
	return self->fd < 0 ? self->fd : 0;
}

TEST_F_TIMEOUT(fault, fail_nth_alloc, WALK_TIMEOUT)
{
	const struct fault_path p = {
		.name = "DMA_HEAP_IOCTL_ALLOC", .call = alloc_call, .undo = close_fd,
	};

	walk(_metadata, self, &p);
}

static int mmap_call(FIXTURE_DATA(fault) *self)
{
	self->map = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, self->buf, 0);
	return self->map == MAP_FAILED ? -errno : 0;
}

static int munmap_undo(FIXTURE_DATA(fault) *self)
{
	int ret = munmap(self->map, BUF_SIZE) ? -errno : 0;

	self->map = MAP_FAILED;
	return ret;
}

TEST_F_TIMEOUT(fault, fail_nth_mmap, WALK_TIMEOUT)
{
	const struct fault_path p = { .name = "mmap", .call = mmap_call, .undo = munmap_undo };

	walk(_metadata, self, &p);
}

static int begin_cpu(FIXTURE_DATA(fault) *self)
{
	return dmabuf_sync(self->buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);
}

static int end_cpu(FIXTURE_DATA(fault) *self)
{
	return dmabuf_sync(self->buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW);
}

/* begin/end_cpu_access, with the buffer mapped for a device (they sync it) */
TEST_F_TIMEOUT(fault, fail_nth_cpu_access, WALK_TIMEOUT)
{
	const struct fault_path begin = {
		.name = "DMA_BUF_SYNC_START", .call = begin_cpu, .undo = end_cpu,
	};
	const struct fault_path end = {
		.name = "DMA_BUF_SYNC_END", .prepare = begin_cpu, .call = end_cpu,
		.recover = end_cpu,
	};

	ASSERT_EQ(0, cmheap_ctl_map(self->ctl, self->handle, self->dir, 0, 0, NULL));
	walk(_metadata, self, &begin);
	walk(_metadata, self, &end);
	ASSERT_EQ(0, cmheap_ctl_unmap(self->ctl, self->handle));
}

static int sync_range(FIXTURE_DATA(fault) *self, __u32 flags)
{
	struct cmheap_sync_range r = {
		.fd = self->buf, .flags = flags | DMA_BUF_SYNC_RW,
		.offset = page_size(), .len = 2 * page_size(),
	};

	/* opened before the walks: an open of their own would be walked */
	return ioctl(heap_ctl_fd(), CMHEAP_HEAP_IOC_SYNC_RANGE, &r) ? -errno : 0;
}

static int sync_range_start(FIXTURE_DATA(fault) *self)
{
	return sync_range(self, DMA_BUF_SYNC_START);
}

static int sync_range_end(FIXTURE_DATA(fault) *self)
{
	return sync_range(self, DMA_BUF_SYNC_END);
}

TEST_F_TIMEOUT(fault, fail_nth_sync_range, WALK_TIMEOUT)
{
	const struct fault_path start = {
		.name = "SYNC_RANGE start", .call = sync_range_start, .undo = sync_range_end,
	};
	const struct fault_path end = {
		.name = "SYNC_RANGE end", .prepare = sync_range_start, .call = sync_range_end,
		.recover = sync_range_end,
	};

	ASSERT_EQ(0, cmheap_ctl_map(self->ctl, self->handle, self->dir, 0, 0, NULL));
	walk(_metadata, self, &start);
	walk(_metadata, self, &end);
	ASSERT_EQ(0, cmheap_ctl_unmap(self->ctl, self->handle));
}

/* ---- /dev/cmheap, on the heap's buffer ---- */

static int ctl_open_call(FIXTURE_DATA(fault) *self)
{
	self->fd = cmheap_ctl_open();
	return self->fd < 0 ? self->fd : 0;
}

static int device_info_call(FIXTURE_DATA(fault) *self)
{
	struct cmheap_device_info info;

	return cmheap_ctl_device_info(self->ctl, self->dev, &info);
}

TEST_F_TIMEOUT(fault, fail_nth_ctl_open, WALK_TIMEOUT)
{
	const struct fault_path open_path = {
		.name = "open /dev/cmheap", .call = ctl_open_call, .undo = close_fd,
	};
	const struct fault_path info = { .name = "DEVICE_INFO", .call = device_info_call };

	walk(_metadata, self, &open_path);
	walk(_metadata, self, &info);
}

static int attach_call(FIXTURE_DATA(fault) *self)
{
	struct cmheap_attach at;
	int ret = cmheap_ctl_attach(self->ctl, self->buf, self->dev, &at);

	self->handle2 = ret ? 0 : at.handle;
	return ret;
}

static int detach_call(FIXTURE_DATA(fault) *self)
{
	return cmheap_ctl_detach(self->ctl, self->handle2);
}

TEST_F_TIMEOUT(fault, fail_nth_attach, WALK_TIMEOUT)
{
	const struct fault_path p = { .name = "ATTACH", .call = attach_call, .undo = detach_call };

	walk(_metadata, self, &p);
}

static int attach_map_call(FIXTURE_DATA(fault) *self)
{
	int ret = attach_call(self);

	return ret ?: cmheap_ctl_map(self->ctl, self->handle2, self->dir, 0, 0, NULL);
}

TEST_F_TIMEOUT(fault, fail_nth_detach, WALK_TIMEOUT)
{
	/* mapped first: the detach unmaps too */
	const struct fault_path p = {
		.name = "DETACH", .prepare = attach_map_call, .call = detach_call,
		.recover = detach_call,
	};

	walk(_metadata, self, &p);
}

static int map_call(FIXTURE_DATA(fault) *self)
{
	return cmheap_ctl_map(self->ctl, self->handle, self->dir, 0, 0, NULL);
}

static int map_raw_call(FIXTURE_DATA(fault) *self)
{
	return cmheap_ctl_map(self->ctl, self->handle, self->dir, 0, CMHEAP_MAP_RAW, NULL);
}

static int unmap_call(FIXTURE_DATA(fault) *self)
{
	return cmheap_ctl_unmap(self->ctl, self->handle);
}

TEST_F_TIMEOUT(fault, fail_nth_map, WALK_TIMEOUT)
{
	const struct fault_path p = {
		.name = "MAP", .call = map_call, .undo = unmap_call, .dma_api = true,
	};

	walk(_metadata, self, &p);
}

TEST_F_TIMEOUT(fault, fail_nth_map_raw, WALK_TIMEOUT)
{
	const struct fault_path p = {
		.name = "MAP raw", .call = map_raw_call, .undo = unmap_call, .dma_api = true,
	};

	if (self->heap.pageless)
		SKIP(return, NO_RAW_PAGELESS);
	walk(_metadata, self, &p);
}

TEST_F_TIMEOUT(fault, fail_nth_unmap, WALK_TIMEOUT)
{
	const struct fault_path p = {
		.name = "UNMAP", .prepare = map_call, .call = unmap_call, .recover = unmap_call,
	};

	walk(_metadata, self, &p);
}

static int segments_call(FIXTURE_DATA(fault) *self)
{
	struct cmheap_segment segs[BUF_SIZE / 4096];
	__u32 count = sizeof(segs) / sizeof(segs[0]);

	return cmheap_ctl_segments(self->ctl, self->handle, 0, segs, &count);
}

static int placement_call(FIXTURE_DATA(fault) *self)
{
	struct cmheap_placement pl;

	return cmheap_ctl_placement(self->ctl, self->handle, &pl);
}

static int sync_call(FIXTURE_DATA(fault) *self)
{
	return cmheap_ctl_sync(self->ctl, self->handle, CMHEAP_SYNC_FOR_CPU, self->dir);
}

/* what asks about, or syncs, a mapped handle */
TEST_F_TIMEOUT(fault, fail_nth_mapped_handle, WALK_TIMEOUT)
{
	const struct fault_path segments = { .name = "SEGMENTS", .call = segments_call };
	const struct fault_path placement = { .name = "PLACEMENT", .call = placement_call };
	const struct fault_path sync = { .name = "SYNC", .call = sync_call };

	ASSERT_EQ(0, map_call(self));
	walk(_metadata, self, &segments);
	walk(_metadata, self, &placement);
	if (!self->heap.pageless)	/* no syncs of page-less mappings */
		walk(_metadata, self, &sync);
	ASSERT_EQ(0, unmap_call(self));
}

static int bench_call(FIXTURE_DATA(fault) *self)
{
	__u64 samples[4];
	struct cmheap_bench b = {
		.handle = self->handle, .op = CMHEAP_BENCH_MAP_UNMAP,
		.direction = self->dir, .iterations = 4,
		.samples_ptr = (__u64)(uintptr_t)samples,
	};

	return cmheap_ctl_bench(self->ctl, &b);
}

TEST_F_TIMEOUT(fault, fail_nth_bench, WALK_TIMEOUT)
{
	const struct fault_path p = { .name = "BENCH", .call = bench_call, .dma_api = true };

	walk(_metadata, self, &p);
}

/* ---- a device's DMA engine (edu) moving the buffer's bytes ---- */

static unsigned char dma_bytes[256];

static int dma_call(FIXTURE_DATA(fault) *self, __u32 dir)
{
	const struct cmheap_dma_piece piece = { .offset = page_size() - 64,
						.length = sizeof(dma_bytes) };

	return cmheap_ctl_dma(self->ctl, self->handle2, dir, &piece, 1, dma_bytes);
}

static int dma_to_device(FIXTURE_DATA(fault) *self)
{
	return dma_call(self, CMHEAP_DIR_TO_DEVICE);
}

static int dma_from_device(FIXTURE_DATA(fault) *self)
{
	return dma_call(self, CMHEAP_DIR_FROM_DEVICE);
}

TEST_F_TIMEOUT(fault, fail_nth_dma, WALK_TIMEOUT)
{
	const struct fault_path to = {
		.name = "DMA to device", .call = dma_to_device, .dma_api = true,
	};
	const struct fault_path from = {
		.name = "DMA from device", .call = dma_from_device, .dma_api = true,
	};
	struct cmheap_device_info info;
	struct cmheap_attach at;
	__u32 i;

	for (i = CMHEAP_FIRST_BUS_DEVICE; i < CMHEAP_MAX_DEVICES; i++) {
		if (!cmheap_ctl_device_info(self->ctl, i, &info) &&
		    (info.flags & CMHEAP_DEVF_ENGINE))
			break;
	}
	if (i == CMHEAP_MAX_DEVICES)
		SKIP(return, "no device with a DMA engine (QEMU's edu)");
	if (self->heap.uncached && !self->heap.pageless &&
	    (info.flags & CMHEAP_DEVF_SNOOPS_ALIAS))
		SKIP(return, "%s snoops the uncached pages' alias: refused", info.name);
	ASSERT_EQ(0, cmheap_ctl_attach(self->ctl, self->buf, i, &at));
	self->handle2 = at.handle;
	ASSERT_EQ(0, cmheap_ctl_map(self->ctl, self->handle2, self->dir, 0, 0, NULL));
	walk(_metadata, self, &to);
	walk(_metadata, self, &from);
	ASSERT_EQ(0, cmheap_ctl_detach(self->ctl, self->handle2));
}

/*
 * The pool drain's retry (3383754): an allocation of the cached system
 * heap whose page allocation fails once, with nothing pooled, still
 * succeeds.  The heap drains the pools, whether or not that frees
 * anything (a shrinker it waited for may just have emptied them), and
 * tries once more.  Before the fix it tried again only when the drain
 * itself freed pages; CI met the race once, no test could reproduce it.
 * Injected, each page allocation of the call fails in turn, the pools off
 * (pools=0) and empty.  Only the page allocator's failures count here
 * (failslab's cache filter, no cache marked): a slab allocation's failure
 * is a clean ENOMEM, which the walks above check.
 */
/* a large block, then single pages: the drain serves the single pages */
#define DRAIN_SIZE	(BUF_SIZE + 3 * page_size())

FIXTURE(drain) {
	char pools[8];
};

FIXTURE_SETUP(drain)
{
	char why[160];

	self->pools[0] = '\0';
	if (fail_nth_ready(why, sizeof(why)))
		SKIP(return, "%s", why);
	if (access(DMA_HEAP_DIR "/cmheap-system", F_OK))
		SKIP(return, "no cmheap-system heap");
	ASSERT_EQ(0, param_read("pools", self->pools, sizeof(self->pools)));
	ASSERT_EQ(0, param_write("pools", "0"));
	ASSERT_EQ(0, file_write("/sys/kernel/debug/failslab/cache-filter", "Y"));
}

FIXTURE_TEARDOWN(drain)
{
	fail_nth_done();
	file_write("/sys/kernel/debug/failslab/cache-filter", "N");
	if (self->pools[0])
		EXPECT_EQ(0, param_write("pools", self->pools));
}

TEST_F_TIMEOUT(drain, fail_nth_pool_drain_retry, WALK_TIMEOUT)
{
	int n, fd, left;

	for (n = 1; n <= FAIL_NTH_MAX; n++) {
		ASSERT_EQ(0, fail_nth_arm(n));
		fd = alloc_on("cmheap-system", DRAIN_SIZE);
		left = fail_nth_disarm();
		ASSERT_LE(0, fd) TH_LOG("page allocation %d failed once: %s%s", n,
					strerror(-fd), left ? "" : " (injected)");
		close(fd);
		if (left > 0)
			break;
	}
	ksft_print_msg("cmheap-system: %d page allocations, each failed once: all worked around\n",
		       n - left);
	EXPECT_EQ(0, stat_get("cmheap-system", ST_BUFFERS_LIVE));
}

/*
 * Without fault injection none of this can run: one skip for the binary,
 * rather than one for every test of every heap.
 */
int main(int argc, char **argv)
{
	if (access("/proc/thread-self/fail-nth", W_OK))
		ksft_exit_skip("no /proc/thread-self/fail-nth: fault injection is the debug kernel's (CONFIG_FAULT_INJECTION)\n");
	return test_harness_run(argc, argv);
}
