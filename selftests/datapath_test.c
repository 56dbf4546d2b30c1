// SPDX-License-Identifier: GPL-2.0
/*
 * datapath_test: data really moved by a device through the importer's
 * mappings, for every cmheap heap and the peers (the upstream system heap,
 * udmabuf), on every importer device with a DMA engine (QEMU's edu).  The
 * other tests check what the kernel says about a mapping; here a device
 * reads and writes the DMA addresses it hands out, through whatever lies in
 * between (an IOMMU, swiotlb bounce buffers), and the CPU compares:
 *
 * - the CPU writes a pattern through mmap inside DMA_BUF_IOCTL_SYNC, the
 *   device reads it;
 * - the device writes a pattern, the CPU reads it after DMA_BUF_IOCTL_SYNC
 *   and every byte the device was not told to write is unchanged;
 * - both again over unmap/remap in each direction;
 * - behind an IOMMU, which merges entries into fewer DMA segments, pieces
 *   in every part of the buffer still land where the CPU entries say;
 * - an uncached buffer never loses data to bouncing: it is refused.
 *
 * Two peers cannot do all of that where DMA bounces, and the tests say so:
 * udmabuf's begin/end_cpu_access sync a mapping of udmabuf's own device,
 * not its importers' (drivers/dma-buf/udmabuf.c), so the CPU's writes
 * reach an importer's bounce buffer only at map time and the device's
 * writes reach the CPU only when the mapping goes, at detach (the dma-buf
 * core keeps udmabuf's mappings until then): for udmabuf on such a device
 * the tests follow those rules instead.  Even so, its own mapping bounces
 * too, and its begin_cpu_access copies that stale bounce buffer back over
 * the pages, so the device's writes are lost: the tests say so (SKIP with
 * what they saw) rather than fail on another exporter.  The upstream system heap hands
 * out 1 MiB entries, more than swiotlb maps in one piece (256 KiB), so its
 * map fails there (SKIP, with the errno).
 *
 * An edu transfer takes 100 ms of guest time, so the device samples the
 * buffer: pieces at the first and last page of DMA segments and CPU
 * entries, at random pages, and across an entry boundary.  The random
 * choice is seeded (CMHEAP_SEED, logged) so a failure can be replayed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include <linux/dma-buf.h>

#include "kselftest_harness.h"
#include "cmheap_util.h"

/* 2 order-8 entries, one order-4, two order-0: five CPU entries here. */
#define DP_SIZE		(SZ_2M + 64 * 1024 + 8 * 1024)
#define DP_PIECE	128
#define DP_SAMPLES	CMHEAP_DMA_MAX_PIECES	/* one transfer call */
#define DP_MAX_SEGS	4096

/*
 * Seconds per test: the harness's default 30 is too short for a test of
 * dozens of 100 ms transfers on the debug kernel, whose DMA-API debugging
 * checks each of udmabuf's 530 entries at every map and sync.
 */
#define DP_TIMEOUT	180

#define NO_ENGINE "no importer device with a DMA engine (QEMU: -device edu)"

struct piece_list {
	struct cmheap_dma_piece p[DP_SAMPLES];
	unsigned int n;
};

static unsigned int dp_seed(void)
{
	const char *s = getenv("CMHEAP_SEED");

	return s ? (unsigned int)strtoul(s, NULL, 0) : 1;
}

/* Adds a piece of DP_PIECE bytes at @off (clamped into the buffer). */
static void piece_add(struct piece_list *l, __u64 off, __u64 size)
{
	unsigned int i;

	if (l->n == DP_SAMPLES)
		return;
	if (off + DP_PIECE > size)
		off = size - DP_PIECE;
	off &= ~7ULL;			/* whole pattern words */
	for (i = 0; i < l->n; i++)
		if (l->p[i].offset == off)
			return;
	l->p[l->n].offset = off;
	l->p[l->n].length = DP_PIECE;
	l->p[l->n].reserved = 0;
	l->n++;
}

/* Pieces at the first and last page of a segment, and a random one. */
static void piece_add_segment(struct piece_list *l, __u64 off, __u64 len,
			      __u64 size)
{
	__u64 pg = page_size(), pages = (len + pg - 1) / pg;

	piece_add(l, off, size);
	if (pages > 1)
		piece_add(l, off + len - DP_PIECE, size);
	if (pages > 2)
		piece_add(l, off + (1 + rand() % (pages - 2)) * pg +
			     (rand() % (pg / DP_PIECE)) * DP_PIECE, size);
}

/*
 * Up to @max pieces of a mapped handle: a piece across the boundary of
 * the first two CPU entries, the first and last DMA segments, then the
 * CPU entries, first, last and random ones.
 */
static int pick_pieces(int ctl, __u32 handle, __u64 size,
		       struct piece_list *l, unsigned int max,
		       __u32 *nents, __u32 *orig_nents)
{
	static struct cmheap_segment segs[DP_MAX_SEGS];
	__u32 n = DP_MAX_SEGS, i;
	int ret;

	memset(l, 0, sizeof(*l));
	ret = cmheap_ctl_segments(ctl, handle, CMHEAP_SEGF_CPU, segs, &n);
	if (ret)
		return ret;
	*orig_nents = n;
	if (n > DP_MAX_SEGS)
		n = DP_MAX_SEGS;
	if (n > 1)
		piece_add(l, segs[1].offset - DP_PIECE / 2, size);
	piece_add_segment(l, segs[0].offset, segs[0].length, size);
	piece_add_segment(l, segs[n - 1].offset, segs[n - 1].length, size);
	for (i = 1; i + 1 < n && l->n + 3 <= max; i++) {
		/* evenly spread over the entries when there are many */
		__u32 e = n <= max / 3 ? i : 1 + rand() % (n - 2);

		piece_add_segment(l, segs[e].offset, segs[e].length, size);
	}

	n = DP_MAX_SEGS;
	ret = cmheap_ctl_segments(ctl, handle, 0, segs, &n);
	if (ret)
		return ret;
	*nents = n;
	if (n > DP_MAX_SEGS)
		n = DP_MAX_SEGS;
	for (i = 0; i < n && l->n < max; i++)
		piece_add(l, segs[i].offset + segs[i].length - DP_PIECE, size);
	if (l->n > max)
		l->n = max;
	return 0;
}

/* The engine devices, by index; their number. */
static int engine_devices(int ctl, __u32 *idx, struct cmheap_device_info *info)
{
	int i, n = 0;

	for (i = 0; i < CMHEAP_MAX_DEVICES; i++) {
		if (cmheap_ctl_device_info(ctl, i, &info[n]))
			continue;
		if (info[n].flags & CMHEAP_DEVF_ENGINE)
			idx[n++] = i;
	}
	return n;
}

static const char *dev_props(const struct cmheap_device_info *d)
{
	static char s[2 * CMHEAP_NAME_LEN + 64];

	snprintf(s, sizeof(s), "%s (%s, %u-bit, %s%s%s)", d->name, d->kind,
		 d->dma_mask_bits,
		 d->flags & CMHEAP_DEVF_COHERENT ? "coherent" : "non-coherent",
		 d->flags & CMHEAP_DEVF_IOMMU ? ", IOMMU" : "",
		 d->flags & CMHEAP_DEVF_BOUNCE ? ", bounces" : "");
	return s;
}

typedef int (*peer_fn)(size_t size, char *why, size_t len);

#define UDMABUF_BOUNCE_NOTE "udmabuf syncs only its own device: CPU access before map and after detach"

FIXTURE(datapath) {
	bool udmabuf;
	bool system_heap;
	int ctl;
	int fd;
	void *map;
	__u64 size;
	int ndev;
	__u32 dev[CMHEAP_MAX_DEVICES];
	struct cmheap_device_info info[CMHEAP_MAX_DEVICES];
	bool uncached_ours;	/* never synced: refused where DMA bounces */
	bool pageless;		/* refused where the kernel forces bouncing */
	unsigned char *expect;
};

FIXTURE_VARIANT(datapath) {
	struct cmheap_heap heap;	/* a cmheap heap, or */
	peer_fn peer;			/* another exporter */
};

CMHEAP_HEAP_VARIANTS(datapath)
FIXTURE_VARIANT_ADD(datapath, system_heap) { .peer = peer_system_heap };
FIXTURE_VARIANT_ADD(datapath, udmabuf) { .peer = peer_udmabuf };

FIXTURE_SETUP(datapath)
{
	char why[128] = "";

	self->fd = -1;
	self->map = MAP_FAILED;
	self->expect = NULL;
	CTL_OPEN_OR_SKIP(self->ctl);
	self->ndev = engine_devices(self->ctl, self->dev, self->info);
	if (!self->ndev)
		SKIP(return, NO_ENGINE);
	srand(dp_seed());
	TH_LOG("CMHEAP_SEED=%u", dp_seed());

	self->size = DP_SIZE;
	if (variant->peer) {
		self->udmabuf = variant->peer == peer_udmabuf;
		self->system_heap = variant->peer == peer_system_heap;
		self->fd = variant->peer(self->size, why, sizeof(why));
		if (self->fd == -ENODEV)
			SKIP(return, "%s", why);
		ASSERT_LE(0, self->fd) TH_LOG("%s", why);
	} else {
		heap_variant_check(&variant->heap);
		self->uncached_ours = variant->heap.uncached &&
				      !variant->heap.pageless;
		self->pageless = variant->heap.pageless;
		self->fd = alloc_on(variant->heap.name, self->size);
		/*
		 * Where the device that cleans uncached pages bounces
		 * (arm64 with swiotlb=force), uncached_refused checks that
		 * the allocation says so.
		 */
		if (self->fd == -EOPNOTSUPP && self->uncached_ours)
			SKIP(return, "uncached allocation refused here: DMA bounces (uncached_refused)");
		ASSERT_LE(0, self->fd);
	}
	/*
	 * udmabuf syncs CPU access by mapping the buffer for its own misc
	 * device.  Where the kernel forces that device to bounce, 7.3's
	 * udmabuf, whose entries are as large as the memfd's folios, asks
	 * swiotlb for more than one mapping can hold (256 KiB) and the sync
	 * fails with EIO: the kernel's, and no test of ours can pass.
	 */
	if (self->udmabuf && swiotlb_forced()) {
		int ret = dmabuf_sync(self->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW);

		if (ret == -EIO)
			SKIP(return, "udmabuf's own CPU-access sync fails where its device must bounce: entries over 256 KiB, swiotlb's largest mapping");
		ASSERT_EQ(0, ret);
		ASSERT_EQ(0, dmabuf_sync(self->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW));
	}
	self->map = mmap(NULL, self->size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 self->fd, 0);
	ASSERT_NE(MAP_FAILED, self->map);
	self->expect = malloc(self->size);
	ASSERT_NE(NULL, self->expect);
}

FIXTURE_TEARDOWN(datapath)
{
	free(self->expect);
	if (self->map != MAP_FAILED)
		munmap(self->map, self->size);
	if (self->fd >= 0)
		close(self->fd);
	if (self->ctl >= 0)
		close(self->ctl);
}

/* Whether CPU syncs miss device @d's mapping (see the top). */
static bool late_sync(FIXTURE_DATA(datapath) *self, int d)
{
	bool late = self->udmabuf &&
		    (self->info[d].flags & CMHEAP_DEVF_BOUNCE);

	if (late)
		fprintf(stderr, "# %s\n", UDMABUF_BOUNCE_NOTE);
	return late;
}

/*
 * DMA_BUF_IOCTL_SYNC for CPU access in direction @rw (READ or WRITE).
 * udmabuf maps a table of its own device in the direction of its first
 * CPU access and syncs it in each later one's, which DMA-API debugging
 * reports as a sync in another direction than the map's: its buffers are
 * always synced READ | WRITE here.
 */
static int cpu_sync(FIXTURE_DATA(datapath) *self, __u64 start_end, __u64 rw)
{
	return dmabuf_sync(self->fd, start_end |
				     (self->udmabuf ? DMA_BUF_SYNC_RW : rw));
}

/* The whole buffer written by the CPU, as a dma-buf user must. */
static int cpu_fill(FIXTURE_DATA(datapath) *self, uint64_t seed)
{
	int ret = cpu_sync(self, DMA_BUF_SYNC_START, DMA_BUF_SYNC_WRITE);

	if (ret)
		return ret;
	pattern_fill(self->map, self->size, 0, seed);
	return cpu_sync(self, DMA_BUF_SYNC_END, DMA_BUF_SYNC_WRITE);
}

/*
 * Maps the buffer for device @d in @dir; refusals that are no data loss
 * come back as 1 (uncached buffers where DMA bounces), 2 (the upstream
 * system heap where DMA bounces, see the top) or 3 (uncached pages for a
 * device that snoops their cacheable alias: every engine on arm64), errors
 * as -errno.
 */
static int dp_map(FIXTURE_DATA(datapath) *self, int d, __u32 dir,
		  __u32 *handle)
{
	struct cmheap_attach at;
	int ret;

	ret = cmheap_ctl_attach(self->ctl, self->fd, self->dev[d], &at);
	if (ret)
		return ret;
	*handle = at.handle;
	ret = cmheap_ctl_map(self->ctl, at.handle, dir, 0, 0, NULL);
	if (ret == -EOPNOTSUPP && self->uncached_ours &&
	    (self->info[d].flags & CMHEAP_DEVF_SNOOPS_ALIAS)) {
		cmheap_ctl_detach(self->ctl, at.handle);
		return 3;
	}
	if (ret && (self->info[d].flags & CMHEAP_DEVF_BOUNCE)) {
		if (ret == -EOPNOTSUPP && self->pageless && swiotlb_forced()) {
			cmheap_ctl_detach(self->ctl, at.handle);
			return 4;
		}
		if (ret == -EOPNOTSUPP && self->uncached_ours) {
			cmheap_ctl_detach(self->ctl, at.handle);
			return 1;
		}
		if (self->system_heap) {
			fprintf(stderr, "# system heap map: %s\n",
				strerror(-ret));
			cmheap_ctl_detach(self->ctl, at.handle);
			return 2;
		}
	}
	if (ret)
		cmheap_ctl_detach(self->ctl, at.handle);
	return ret;
}

#define DP_MAP_OR_SKIP(self, d, dir, handle) do {			\
	int _r = dp_map(self, d, dir, handle);				\
									\
	if (_r == 1)							\
		SKIP(return, "uncached buffers are refused where DMA bounces (uncached_refused)"); \
	if (_r == 2)							\
		SKIP(return, "the upstream system heap's 1 MiB entries exceed what swiotlb maps (256 KiB): its map fails where DMA bounces"); \
	if (_r == 3)							\
		SKIP(return, "uncached pages are refused for a device that snoops their alias (uncached_coherent_refused)"); \
	if (_r == 4)							\
		SKIP(return, "page-less memory is refused where the kernel forces DMA to bounce: it cannot be bounced (pageless_refused_when_forced_bounce)"); \
	ASSERT_EQ(0, _r);						\
} while (0)

/* The device reads the pieces; they must hold pattern @seed. */
static void device_reads(struct __test_metadata *_metadata,
			 FIXTURE_DATA(datapath) *self, int d, __u32 handle,
			 const struct piece_list *l, uint64_t seed)
{
	unsigned char data[CMHEAP_DMA_MAX_BYTES];
	unsigned int i, at = 0;
	long bad;

	ASSERT_EQ(0, cmheap_ctl_dma(self->ctl, handle, CMHEAP_DIR_TO_DEVICE, l->p,
			     l->n, data));
	for (i = 0; i < l->n; at += l->p[i++].length) {
		bad = pattern_check(data + at, l->p[i].length, l->p[i].offset,
				    seed);
		EXPECT_EQ(-1, bad) {
			TH_LOG("%s: device read wrong data at buffer offset %#llx",
			       dev_props(&self->info[d]),
			       (unsigned long long)(l->p[i].offset + bad));
		}
	}
}

/*
 * The device writes pattern @seed into the pieces; after a sync for the
 * CPU (and with @detach_first, once the handle is gone), the buffer must
 * be pattern @old but for the pieces.
 */
static void device_writes(struct __test_metadata *_metadata,
			  FIXTURE_DATA(datapath) *self, int d, __u32 handle,
			  const struct piece_list *l, uint64_t seed,
			  uint64_t old, bool detach_first)
{
	unsigned char data[CMHEAP_DMA_MAX_BYTES];
	unsigned int i, at = 0;
	__u64 off;

	pattern_fill(self->expect, self->size, 0, old);
	for (i = 0; i < l->n; at += l->p[i++].length) {
		pattern_fill(data + at, l->p[i].length, l->p[i].offset, seed);
		pattern_fill(self->expect + l->p[i].offset, l->p[i].length,
			     l->p[i].offset, seed);
	}
	ASSERT_EQ(0, cmheap_ctl_dma(self->ctl, handle, CMHEAP_DIR_FROM_DEVICE, l->p,
			     l->n, data));
	if (detach_first)
		ASSERT_EQ(0, cmheap_ctl_detach(self->ctl, handle));
	ASSERT_EQ(0, cpu_sync(self, DMA_BUF_SYNC_START, DMA_BUF_SYNC_READ));
	for (off = 0; off < self->size; off++)
		if (((unsigned char *)self->map)[off] != self->expect[off])
			break;
	if (off < self->size && detach_first) {
		cpu_sync(self, DMA_BUF_SYNC_END, DMA_BUF_SYNC_READ);
		SKIP(return, "udmabuf where DMA bounces: its begin_cpu_access synced its own stale bounce buffer over the device's writes (byte %#llx)",
		     (unsigned long long)off);
	}
	EXPECT_EQ(self->size, off) {
		TH_LOG("%s: after the device wrote, byte %#llx is %#x, not %#x",
		       dev_props(&self->info[d]), (unsigned long long)off,
		       ((unsigned char *)self->map)[off], self->expect[off]);
	}
	ASSERT_EQ(0, cpu_sync(self, DMA_BUF_SYNC_END, DMA_BUF_SYNC_READ));
}

/*
 * Page-less memory cannot be bounced (swiotlb copies through the linear
 * map, which it is not in), and where the kernel forces a device's DMA to
 * bounce (swiotlb=force; a confidential-computing guest) nothing may go
 * around that: the map is refused (EOPNOTSUPP), for every direction, and
 * leaves nothing mapped.  (6.12's dma_map_resource() handed the device the
 * memory itself; 7.3's refuses, as EIO.)  The bounce configuration of
 * scripts/test.sh boots so.
 */
TEST_F_TIMEOUT(datapath, pageless_refused_when_forced_bounce, DP_TIMEOUT)
{
	struct cmheap_attach at;
	unsigned int i, tried = 0;
	int d;

	if (!self->pageless)
		SKIP(return, "not page-less memory");
	if (!swiotlb_forced())
		SKIP(return, "the kernel does not force DMA to bounce here (boot with swiotlb=force)");
	for (d = 0; d < self->ndev; d++) {
		if (!(self->info[d].flags & CMHEAP_DEVF_BOUNCE) ||
		    (self->info[d].flags & CMHEAP_DEVF_IOMMU))
			continue;
		ASSERT_EQ(0, cmheap_ctl_attach(self->ctl, self->fd, self->dev[d], &at));
		for (i = 0; i < ARRAY_SIZE(cmheap_dirs); i++) {
			__u32 dir = cmheap_dirs[i];

			EXPECT_EQ(-EOPNOTSUPP, cmheap_ctl_map(self->ctl, at.handle, dir, 0, 0, NULL))
				TH_LOG("%s, dir %u", dev_props(&self->info[d]), dir);
		}
		EXPECT_EQ(-EINVAL, cmheap_ctl_unmap(self->ctl, at.handle));
		EXPECT_EQ(0, cmheap_ctl_detach(self->ctl, at.handle));
		tried++;
	}
	if (!tried)
		SKIP(return, "no device here that dma-direct bounces");
}

/* Mapped for the device, the CPU writes inside SYNC, the device reads. */
TEST_F_TIMEOUT(datapath, cpu_writes_device_reads, DP_TIMEOUT)
{
	struct piece_list l;
	__u32 handle, nents, orig;
	int d;

	for (d = 0; d < self->ndev; d++) {
		bool late = late_sync(self, d);

		if (late)
			ASSERT_EQ(0, cpu_fill(self, 0xc0 + d));
		DP_MAP_OR_SKIP(self, d, CMHEAP_DIR_TO_DEVICE, &handle);
		ASSERT_EQ(0, pick_pieces(self->ctl, handle, self->size, &l,
					 DP_SAMPLES, &nents, &orig));
		TH_LOG("%s: %u CPU entries, %u DMA segments, %u pieces",
		       dev_props(&self->info[d]), orig, nents, l.n);
		if (!late)
			ASSERT_EQ(0, cpu_fill(self, 0xc0 + d));
		device_reads(_metadata, self, d, handle, &l, 0xc0 + d);
		ASSERT_EQ(0, cmheap_ctl_detach(self->ctl, handle));
	}
}

/* The device writes; the CPU reads after SYNC, and nothing else changed. */
TEST_F_TIMEOUT(datapath, device_writes_cpu_reads, DP_TIMEOUT)
{
	struct piece_list l;
	__u32 handle, nents, orig;
	bool late;
	int d;

	for (d = 0; d < self->ndev; d++) {
		late = late_sync(self, d);
		ASSERT_EQ(0, cpu_fill(self, 0xa0));
		DP_MAP_OR_SKIP(self, d, CMHEAP_DIR_FROM_DEVICE, &handle);
		ASSERT_EQ(0, pick_pieces(self->ctl, handle, self->size, &l,
					 DP_SAMPLES, &nents, &orig));
		device_writes(_metadata, self, d, handle, &l, 0xd0 + d, 0xa0,
			      late);
		if (_metadata->exit_code == KSFT_SKIP)
			return;
		if (!late)
			ASSERT_EQ(0, cmheap_ctl_detach(self->ctl, handle));
	}
}

/*
 * Mapped, used and unmapped again in each direction, twice: what one
 * mapping's device wrote is what the next one's reads, and a device
 * write made through one mapping survives its unmap.
 */
TEST_F_TIMEOUT(datapath, remap_each_direction, DP_TIMEOUT)
{
	static const __u32 dirs[] = {
		CMHEAP_DIR_FROM_DEVICE, CMHEAP_DIR_TO_DEVICE,
		CMHEAP_DIR_BIDIRECTIONAL,
	};
	uint64_t cur = 0xe0, next;
	bool late = late_sync(self, 0);
	struct piece_list l;
	__u32 handle, nents, orig;
	unsigned int round, i;

	ASSERT_EQ(0, cpu_fill(self, cur));
	for (round = 0; round < 2; round++) {
		for (i = 0; i < ARRAY_SIZE(dirs); i++) {
			DP_MAP_OR_SKIP(self, 0, dirs[i], &handle);
			ASSERT_EQ(0, pick_pieces(self->ctl, handle, self->size,
						 &l, DP_SAMPLES / 2, &nents,
						 &orig));
			if (dirs[i] != CMHEAP_DIR_FROM_DEVICE)
				device_reads(_metadata, self, 0, handle, &l,
					     cur);
			if (dirs[i] != CMHEAP_DIR_TO_DEVICE) {
				next = cur + 1;
				device_writes(_metadata, self, 0, handle, &l,
					      next, cur, late);
				if (_metadata->exit_code == KSFT_SKIP)
					return;
				/* one pattern again for the next mapping */
				if (!late)
					ASSERT_EQ(0, cmheap_ctl_unmap(self->ctl,
							       handle));
				ASSERT_EQ(0, cpu_fill(self, next));
				cur = next;
			}
			/* device_writes() detached it when late */
			if (!late || dirs[i] == CMHEAP_DIR_TO_DEVICE)
				ASSERT_EQ(0, cmheap_ctl_detach(self->ctl, handle));
		}
	}
}

/*
 * Behind an IOMMU the mapping's CPU entries are merged into fewer DMA
 * segments (edu takes segments of any length), and whoever walks the
 * table must walk nents DMA segments, not orig_nents entries with their
 * DMA fields: the device reads pieces spread over every CPU entry.
 */
TEST_F_TIMEOUT(datapath, iommu_merged_segments, DP_TIMEOUT)
{
	struct piece_list l;
	__u32 handle, nents, orig;
	int d, seen = 0;

	for (d = 0; d < self->ndev; d++) {
		if (!(self->info[d].flags & CMHEAP_DEVF_IOMMU))
			continue;
		seen++;
		DP_MAP_OR_SKIP(self, d, CMHEAP_DIR_TO_DEVICE, &handle);
		ASSERT_EQ(0, pick_pieces(self->ctl, handle, self->size, &l,
					 DP_SAMPLES, &nents, &orig));
		TH_LOG("%s: %u CPU entries merged into %u DMA segments",
		       dev_props(&self->info[d]), orig, nents);
		if (orig > 1)
			EXPECT_GT(orig, nents);
		if (late_sync(self, d))
			SKIP(return, UDMABUF_BOUNCE_NOTE);
		ASSERT_EQ(0, cpu_fill(self, 0xf0));
		device_reads(_metadata, self, d, handle, &l, 0xf0);
		ASSERT_EQ(0, cmheap_ctl_detach(self->ctl, handle));
	}
	if (!seen)
		SKIP(return, "no engine device behind an IOMMU (x86: -device intel-iommu, arm64: -M virt,iommu=smmuv3)");
}

/*
 * Uncached buffers are never synced, so bounced data would never be
 * copied: where a device's DMA bounces, their map is refused (or, where
 * the device that cleans them bounces, their allocation), never silently
 * wrong.  Page-less memory is mapped with dma_map_resource(), which does
 * not bounce, and works.
 */
TEST(uncached_refused)
{
	struct cmheap_device_info info[CMHEAP_MAX_DEVICES];
	const struct cmheap_heap *heaps;
	__u32 dev[CMHEAP_MAX_DEVICES];
	struct cmheap_attach at;
	int ctl, ndev, nheaps, d, h, fd, ret, checked = 0;

	CTL_OPEN_OR_SKIP(ctl);
	ndev = engine_devices(ctl, dev, info);
	nheaps = cmheap_heaps(&heaps);
	for (d = 0; d < ndev; d++) {
		if (!(info[d].flags & CMHEAP_DEVF_BOUNCE))
			continue;
		for (h = 0; h < nheaps; h++) {
			if (!heaps[h].uncached || heaps[h].pageless)
				continue;
			fd = alloc_on(heaps[h].name, SZ_1M);
			checked++;
			if (fd == -EOPNOTSUPP)
				continue;
			ASSERT_LE(0, fd);
			ASSERT_EQ(0, cmheap_ctl_attach(ctl, fd, dev[d], &at));
			ret = cmheap_ctl_map(ctl, at.handle, CMHEAP_DIR_TO_DEVICE, 0,
				      0, NULL);
			EXPECT_EQ(-EOPNOTSUPP, ret) {
				TH_LOG("%s mapped for %s, which bounces",
				       heaps[h].name, dev_props(&info[d]));
			}
			ASSERT_EQ(0, cmheap_ctl_detach(ctl, at.handle));
			close(fd);
		}
	}
	close(ctl);
	if (!checked)
		SKIP(return, "no engine device whose DMA bounces (swiotlb=force)");
}

/* CMHEAP_IOC_DMA and CMHEAP_IOC_SEGMENTS refuse bad input exactly. */
TEST(dma_bad_input)
{
	struct cmheap_device_info info[CMHEAP_MAX_DEVICES];
	struct cmheap_dma_piece p[CMHEAP_DMA_MAX_PIECES + 1];
	unsigned char data[CMHEAP_DMA_MAX_BYTES + 8];
	__u32 dev[CMHEAP_MAX_DEVICES], n, handle;
	struct cmheap_segment seg;
	struct cmheap_attach at;
	struct cmheap_dma raw;
	int ctl, fd, i;

	CTL_OPEN_OR_SKIP(ctl);
	fd = alloc_on(CMHEAP_HEAP_PREFIX "system", SZ_1M);
	ASSERT_LE(0, fd);
	memset(p, 0, sizeof(p));
	for (i = 0; i <= CMHEAP_DMA_MAX_PIECES; i++)
		p[i].length = 8;

	/* a device without an engine: the test device */
	ASSERT_EQ(0, cmheap_ctl_attach(ctl, fd, CMHEAP_DEV_COHERENT, &at));
	EXPECT_EQ(-EINVAL, cmheap_ctl_dma(ctl, at.handle, CMHEAP_DIR_TO_DEVICE, p, 1,
				   data));		/* not mapped */
	n = 1;
	EXPECT_EQ(-EINVAL, cmheap_ctl_segments(ctl, at.handle, 0, &seg, &n));
	ASSERT_EQ(0, cmheap_ctl_map(ctl, at.handle, CMHEAP_DIR_BIDIRECTIONAL, 0, 0,
			     NULL));
	EXPECT_EQ(-EOPNOTSUPP, cmheap_ctl_dma(ctl, at.handle, CMHEAP_DIR_TO_DEVICE,
				       p, 1, data));
	n = 1;
	EXPECT_EQ(-EINVAL, cmheap_ctl_segments(ctl, at.handle, 2, &seg, &n));
	n = 0;
	EXPECT_EQ(0, cmheap_ctl_segments(ctl, at.handle, 0, NULL, &n));
	EXPECT_LE(1, n);
	EXPECT_EQ(-ENOENT, cmheap_ctl_dma(ctl, 999, CMHEAP_DIR_TO_DEVICE, p, 1, data));
	ASSERT_EQ(0, cmheap_ctl_detach(ctl, at.handle));

	if (!engine_devices(ctl, dev, info)) {
		close(fd);
		close(ctl);
		SKIP(return, NO_ENGINE);
	}
	ASSERT_EQ(0, cmheap_ctl_attach(ctl, fd, dev[0], &at));
	handle = at.handle;
	ASSERT_EQ(0, cmheap_ctl_map(ctl, handle, CMHEAP_DIR_TO_DEVICE, 0, 0, NULL));
	EXPECT_EQ(-EINVAL, cmheap_ctl_dma(ctl, handle, CMHEAP_DIR_BIDIRECTIONAL, p, 1,
				   data));
	EXPECT_EQ(-EINVAL, cmheap_ctl_dma(ctl, handle, CMHEAP_DIR_FROM_DEVICE, p, 1,
				   data));	/* mapped TO_DEVICE only */
	EXPECT_EQ(-EINVAL, cmheap_ctl_dma(ctl, handle, CMHEAP_DIR_TO_DEVICE, p, 0,
				   data));
	EXPECT_EQ(-EINVAL, cmheap_ctl_dma(ctl, handle, CMHEAP_DIR_TO_DEVICE, p,
				   CMHEAP_DMA_MAX_PIECES + 1, data));
	p[0].length = 0;
	EXPECT_EQ(-EINVAL, cmheap_ctl_dma(ctl, handle, CMHEAP_DIR_TO_DEVICE, p, 1,
				   data));
	p[0].length = CMHEAP_DMA_MAX_BYTES;
	EXPECT_EQ(-EINVAL, cmheap_ctl_dma(ctl, handle, CMHEAP_DIR_TO_DEVICE, p, 2,
				   data));	/* CMHEAP_DMA_MAX_BYTES + 8 */
	p[0].length = 8;
	p[0].reserved = 1;
	EXPECT_EQ(-EINVAL, cmheap_ctl_dma(ctl, handle, CMHEAP_DIR_TO_DEVICE, p, 1,
				   data));
	p[0].reserved = 0;
	p[0].offset = SZ_1M - 4;
	EXPECT_EQ(-ERANGE, cmheap_ctl_dma(ctl, handle, CMHEAP_DIR_TO_DEVICE, p, 1,
				   data));
	p[0].offset = ~0ULL - 4;
	EXPECT_EQ(-ERANGE, cmheap_ctl_dma(ctl, handle, CMHEAP_DIR_TO_DEVICE, p, 1,
				   data));	/* offset + length wraps */
	p[0].offset = 0;
	EXPECT_EQ(-EFAULT, cmheap_ctl_dma(ctl, handle, CMHEAP_DIR_TO_DEVICE, NULL, 1,
				   data));
	memset(&raw, 0, sizeof(raw));
	raw.handle = handle;
	raw.direction = CMHEAP_DIR_TO_DEVICE;
	raw.count = 1;
	raw.pieces_ptr = (__u64)(uintptr_t)p;
	raw.data_ptr = (__u64)(uintptr_t)data;
	raw.reserved = 1;
	EXPECT_EQ(-EINVAL, cmheap_ctl_dma_raw(ctl, &raw));
	/* and a good one still works after all that */
	EXPECT_EQ(0, cmheap_ctl_dma(ctl, handle, CMHEAP_DIR_TO_DEVICE, p, 1, data));
	ASSERT_EQ(0, cmheap_ctl_detach(ctl, handle));
	close(fd);
	close(ctl);
}

TEST_HARNESS_MAIN
