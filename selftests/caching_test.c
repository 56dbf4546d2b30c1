// SPDX-License-Identifier: GPL-2.0
/*
 * caching_test: the CPU caching models, seen through the debugfs counters.
 *
 * A cached buffer mapped for the non-coherent device gets CPU cache
 * maintenance (cache_maint_ops counts the segments the heap asked the DMA
 * API to clean or invalidate); an uncached (write-combined) buffer never
 * does, nor does any buffer for the coherent device or with
 * CMHEAP_ATTR_SKIP_CPU_SYNC.  x86 has no non-coherent DMA, so the tests
 * that need the non-coherent device SKIP there.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include <linux/dma-buf.h>

#include "kselftest_harness.h"
#include "cmheap_util.h"

#define BUF_SIZE (4 * SZ_1M)

/*
 * Where a snooping device would see the uncached model's pages through a
 * cacheable alias: everywhere but x86, which changes the alias's type.
 */
#if defined(__x86_64__) || defined(__i386__)
#define COHERENT_SNOOPS_ALIAS	0
#else
#define COHERENT_SNOOPS_ALIAS	CMHEAP_DEVF_SNOOPS_ALIAS
#endif

/*
 * The coherent device exists everywhere and says it is coherent, and
 * where the uncached model's pages keep a cacheable alias, that it snoops.
 */
TEST(coherent_device_reports_coherent)
{
	struct cmheap_device_info info;
	int ctl;

	CTL_OPEN_OR_SKIP(ctl);
	ASSERT_EQ(0, cmheap_ctl_device_info(ctl, CMHEAP_DEV_COHERENT, &info));
	EXPECT_EQ(CMHEAP_DEV_COHERENT, info.index);
	EXPECT_EQ(CMHEAP_DEVF_PRESENT | CMHEAP_DEVF_COHERENT |
		  COHERENT_SNOOPS_ALIAS, info.flags);
	EXPECT_NE(0, info.name[0]);
	EXPECT_GT(sizeof(info.name), strnlen(info.name, sizeof(info.name)));
	close(ctl);
}

/* The non-coherent device: absent on x86, present and non-coherent on arm64 */
TEST(noncoherent_device_per_arch)
{
	struct cmheap_device_info info;
	int ctl;

	CTL_OPEN_OR_SKIP(ctl);
	ASSERT_EQ(0, cmheap_ctl_device_info(ctl, CMHEAP_DEV_NONCOHERENT, &info));
#if defined(__x86_64__) || defined(__i386__)
	EXPECT_EQ(0, info.flags & CMHEAP_DEVF_PRESENT);
#elif defined(__aarch64__)
	EXPECT_EQ(CMHEAP_DEVF_PRESENT, info.flags);
	EXPECT_NE(0, info.name[0]);
#else
	if (info.flags & CMHEAP_DEVF_PRESENT) {
		EXPECT_EQ(0, info.flags & CMHEAP_DEVF_COHERENT);
	}
#endif
	close(ctl);
}

FIXTURE(caching) {
	int ctl, fd;
	bool noncoherent;	/* the non-coherent device exists */
	__u32 dev;		/* the device that maps the heap's buffers */
	const char *heap;
};

FIXTURE_VARIANT(caching) {
	struct cmheap_heap heap;
};

CMHEAP_HEAP_VARIANTS(caching)

FIXTURE_SETUP(caching)
{
	self->ctl = self->fd = -1;
	heap_variant_check(&variant->heap);
	self->heap = variant->heap.name;
	CTL_OPEN_OR_SKIP(self->ctl);
	self->noncoherent = cmheap_ctl_device_flags(self->ctl, CMHEAP_DEV_NONCOHERENT) &
			    CMHEAP_DEVF_PRESENT;
	self->dev = heap_device(self->ctl, &variant->heap);
	self->fd = alloc_on(self->heap, BUF_SIZE);
	ASSERT_LE(0, self->fd) TH_LOG("alloc: %s", strerror(-self->fd));
}

FIXTURE_TEARDOWN(caching)
{
	if (self->ctl >= 0)
		close(self->ctl);
	if (self->fd >= 0)
		close(self->fd);
}

/* Attach, map once to learn the number of CPU segments, unmap. */
static __u32 attach_mapped(struct __test_metadata *_metadata, int ctl, int fd,
			   __u32 dev, __u32 *orig_nents)
{
	struct cmheap_attach at;
	struct cmheap_map m;

	ASSERT_EQ(0, cmheap_ctl_attach(ctl, fd, dev, &at));
	ASSERT_EQ(0, cmheap_ctl_map(ctl, at.handle, CMHEAP_DIR_BIDIRECTIONAL, 0, 0, &m));
	ASSERT_LE(1, m.orig_nents);
	*orig_nents = m.orig_nents;
	ASSERT_EQ(0, cmheap_ctl_unmap(ctl, at.handle));
	return at.handle;
}

/* The importer sees the caching model the heap's name announces. */
TEST_F(caching, attach_reports_model)
{
	struct cmheap_attach at;

	ASSERT_EQ(0, cmheap_ctl_attach(self->ctl, self->fd, CMHEAP_DEV_COHERENT, &at));
	EXPECT_TRUE(at.flags & CMHEAP_ATTF_OURS);
	EXPECT_EQ(variant->heap.uncached, !!(at.flags & CMHEAP_ATTF_UNCACHED))
		TH_LOG("%s: flags %#x", self->heap, at.flags);
	EXPECT_EQ(0, cmheap_ctl_detach(self->ctl, at.handle));
}

/*
 * Uncached buffers are cleaned out of the CPU caches once, at allocation:
 * every entry, or, for the system heaps, every block that did not come
 * from the pool ready (blocks from the page allocator, and where the linear
 * map stays cacheable those the allocation zeroed itself).
 */
TEST_F(caching, alloc_cleans_uncached_only)
{
	struct cmheap_stats before, after;
	__u64 cleans, fresh, zeroed;
	__u32 nents;
	int fd;

	ASSERT_EQ(0, stats_read(self->heap, &before));
	fd = alloc_on(self->heap, BUF_SIZE);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, stats_read(self->heap, &after));
	attach_mapped(_metadata, self->ctl, fd, self->dev, &nents);
	cleans = after.v[ST_ALLOC_CLEANS] - before.v[ST_ALLOC_CLEANS];
	fresh = after.v[ST_POOL_MISSES] - before.v[ST_POOL_MISSES];
	zeroed = after.v[ST_POOL_ZEROED] - before.v[ST_POOL_ZEROED];
	/* page-less memory is never cached: nothing to clean */
	if (!variant->heap.uncached || variant->heap.pageless) {
		EXPECT_EQ(0, cleans);
	} else if (fresh + zeroed + after.v[ST_POOL_HITS] -
		   before.v[ST_POOL_HITS]) {
		EXPECT_LE(fresh, cleans);
		EXPECT_GE(fresh + zeroed, cleans);
	} else {
		EXPECT_EQ(nents, cleans);
	}
	close(fd);
}

/*
 * The heart of it: mapping a cached buffer for the non-coherent device
 * costs cache maintenance of every segment, an uncached one none.
 */
TEST_F(caching, noncoherent_map_maintains_cached_only)
{
	struct cmheap_stats a, b, c;
	unsigned int i;
	__u32 h, nents;

	if (!self->noncoherent)
		SKIP(return, NO_NONCOHERENT);
	h = attach_mapped(_metadata, self->ctl, self->fd,
			  CMHEAP_DEV_NONCOHERENT, &nents);
	for (i = 0; i < ARRAY_SIZE(cmheap_dirs); i++) {
		__u64 want = variant->heap.uncached ? 0 : nents;

		ASSERT_EQ(0, stats_read(self->heap, &a));
		ASSERT_EQ(0, cmheap_ctl_map(self->ctl, h, cmheap_dirs[i], 0, 0, NULL));
		ASSERT_EQ(0, stats_read(self->heap, &b));
		ASSERT_EQ(0, cmheap_ctl_unmap(self->ctl, h));
		ASSERT_EQ(0, stats_read(self->heap, &c));

		EXPECT_EQ(a.v[ST_MAPS] + 1, b.v[ST_MAPS]);
		EXPECT_EQ(b.v[ST_UNMAPS] + 1, c.v[ST_UNMAPS]);
		EXPECT_EQ(a.v[ST_CACHE_MAINT_OPS] + want,
			  b.v[ST_CACHE_MAINT_OPS])
			TH_LOG("map dir %u", cmheap_dirs[i]);
		/* giving a device's writes back to the CPU invalidates */
		if (cmheap_dirs[i] != CMHEAP_DIR_TO_DEVICE) {
			EXPECT_EQ(b.v[ST_CACHE_MAINT_OPS] + want,
				  c.v[ST_CACHE_MAINT_OPS])
				TH_LOG("unmap dir %u", cmheap_dirs[i]);
		}
	}
	EXPECT_EQ(0, cmheap_ctl_detach(self->ctl, h));
}

/*
 * Maps and unmaps attachment @h in every direction with @attrs, expecting
 * each map and unmap counted and no cache maintenance asked for.
 */
static void maps_without_maint(struct __test_metadata *_metadata,
			       const char *heap, int ctl, __u32 h, __u32 attrs)
{
	struct cmheap_stats a, b;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cmheap_dirs); i++) {
		ASSERT_EQ(0, stats_read(heap, &a));
		ASSERT_EQ(0, cmheap_ctl_map(ctl, h, cmheap_dirs[i], attrs, 0, NULL));
		ASSERT_EQ(0, cmheap_ctl_unmap(ctl, h));
		ASSERT_EQ(0, stats_read(heap, &b));
		EXPECT_EQ(a.v[ST_MAPS] + 1, b.v[ST_MAPS]);
		EXPECT_EQ(a.v[ST_UNMAPS] + 1, b.v[ST_UNMAPS]);
		EXPECT_EQ(a.v[ST_CACHE_MAINT_OPS], b.v[ST_CACHE_MAINT_OPS])
			TH_LOG("dir %u attrs %#x", cmheap_dirs[i], attrs);
	}
}

/* Nothing to maintain for a coherent device, whatever the buffer. */
TEST_F(caching, coherent_map_no_maint)
{
	__u32 h, nents;

	if (self->dev != CMHEAP_DEV_COHERENT)
		SKIP(return, "uncached pages are refused for a snooping device (uncached_coherent_refused)");
	h = attach_mapped(_metadata, self->ctl, self->fd,
			  CMHEAP_DEV_COHERENT, &nents);
	maps_without_maint(_metadata, self->heap, self->ctl, h, 0);
	EXPECT_EQ(0, cmheap_ctl_detach(self->ctl, h));
}

/*
 * The uncached model's pages keep a cacheable alias in the linear map on
 * every architecture but x86: a device that snoops the CPU caches could be
 * served a stale line from it, or leave its writes where the CPU's
 * uncached reads never look.  cmheap refuses such a map (EOPNOTSUPP),
 * raw or through the exporter, in every direction, for every device that
 * says so; page-less memory has no alias and maps for any of them, and
 * cached buffers are coherent with a snooping device by definition.
 */
TEST_F(caching, uncached_coherent_refused)
{
	bool refuse_model = variant->heap.uncached && !variant->heap.pageless;
	unsigned int d, i, snooping = 0;

	for (d = 0; d < CMHEAP_MAX_DEVICES; d++) {
		__u32 flags = cmheap_ctl_device_flags(self->ctl, d);
		struct cmheap_attach at;

		if (!(flags & CMHEAP_DEVF_PRESENT))
			continue;
		/* exactly the coherent devices, where the alias stays */
		EXPECT_EQ(!!(flags & CMHEAP_DEVF_COHERENT) && COHERENT_SNOOPS_ALIAS,
			  !!(flags & CMHEAP_DEVF_SNOOPS_ALIAS))
			TH_LOG("device %u flags %#x", d, flags);
		if (!(flags & CMHEAP_DEVF_SNOOPS_ALIAS))
			continue;
		snooping++;
		fprintf(stderr, "# device %u (%s): %s\n", d,
			d < CMHEAP_FIRST_BUS_DEVICE ? "test" : "bus",
			refuse_model ? "refused" : "maps");
		ASSERT_EQ(0, cmheap_ctl_attach(self->ctl, self->fd, d, &at));
		for (i = 0; i < 2 * ARRAY_SIZE(cmheap_dirs); i++) {
			__u32 dir = cmheap_dirs[i % ARRAY_SIZE(cmheap_dirs)];
			__u32 raw = i < ARRAY_SIZE(cmheap_dirs) ? 0 :
				    RAW_MAP_OF(&variant->heap);
			int ret = cmheap_ctl_map(self->ctl, at.handle, dir, 0,
						 raw, NULL);

			if (refuse_model) {
				EXPECT_EQ(-EOPNOTSUPP, ret)
					TH_LOG("device %u dir %u raw %u", d, dir, raw);
				if (!ret)
					cmheap_ctl_unmap(self->ctl, at.handle);
			} else {
				EXPECT_EQ(0, ret)
					TH_LOG("device %u dir %u raw %u", d, dir, raw);
				EXPECT_EQ(0, cmheap_ctl_unmap(self->ctl, at.handle));
			}
		}
		EXPECT_EQ(0, cmheap_ctl_detach(self->ctl, at.handle));
	}
	if (!snooping)
		SKIP(return, "no device snoops an uncached alias here (x86 makes the alias write-combined)");
}

/* CMHEAP_ATTR_SKIP_CPU_SYNC reaches the exporter: no maintenance. */
TEST_F(caching, skip_cpu_sync_no_maint)
{
	struct cmheap_stats a, b;
	__u32 h, nents;

	if (!self->noncoherent)
		SKIP(return, NO_NONCOHERENT);
	h = attach_mapped(_metadata, self->ctl, self->fd,
			  CMHEAP_DEV_NONCOHERENT, &nents);
	maps_without_maint(_metadata, self->heap, self->ctl, h,
			   CMHEAP_ATTR_SKIP_CPU_SYNC);
	/* and the attribute does not stick to the next plain map */
	ASSERT_EQ(0, stats_read(self->heap, &a));
	ASSERT_EQ(0, cmheap_ctl_map(self->ctl, h, CMHEAP_DIR_TO_DEVICE, 0, 0, NULL));
	ASSERT_EQ(0, stats_read(self->heap, &b));
	EXPECT_EQ(a.v[ST_CACHE_MAINT_OPS] + (variant->heap.uncached ? 0 : nents),
		  b.v[ST_CACHE_MAINT_OPS]);
	EXPECT_EQ(0, cmheap_ctl_unmap(self->ctl, h));
	EXPECT_EQ(0, cmheap_ctl_detach(self->ctl, h));
}

/*
 * A raw map bypasses the exporter: the heap counts nothing, the importer
 * counts the map and, for the non-coherent device, its maintenance.
 */
TEST_F(caching, raw_map_bypasses_heap)
{
	__u32 dev = self->noncoherent ? CMHEAP_DEV_NONCOHERENT :
					CMHEAP_DEV_COHERENT;
	struct cmheap_stats ha, hb, ia, ib;
	struct cmheap_map m;
	__u32 h, nents;

	h = attach_mapped(_metadata, self->ctl, self->fd, dev, &nents);
	if (variant->heap.pageless) {
		EXPECT_EQ(-EOPNOTSUPP, cmheap_ctl_map(self->ctl, h, CMHEAP_DIR_BIDIRECTIONAL, 0,
					       CMHEAP_MAP_RAW, &m));
		SKIP(return, NO_RAW_PAGELESS);
	}
	ASSERT_EQ(0, stats_read(self->heap, &ha));
	ASSERT_EQ(0, stats_read(CMHEAP_IMPORTER, &ia));
	ASSERT_EQ(0, cmheap_ctl_map(self->ctl, h, CMHEAP_DIR_BIDIRECTIONAL, 0,
			     CMHEAP_MAP_RAW, &m));
	EXPECT_EQ(nents, m.orig_nents);
	EXPECT_LE(1, m.nents);
	ASSERT_EQ(0, cmheap_ctl_unmap(self->ctl, h));
	ASSERT_EQ(0, stats_read(self->heap, &hb));
	ASSERT_EQ(0, stats_read(CMHEAP_IMPORTER, &ib));

	EXPECT_EQ(ha.v[ST_MAPS], hb.v[ST_MAPS]);
	EXPECT_EQ(ha.v[ST_UNMAPS], hb.v[ST_UNMAPS]);
	EXPECT_EQ(ha.v[ST_CACHE_MAINT_OPS], hb.v[ST_CACHE_MAINT_OPS]);
	EXPECT_EQ(ia.v[ST_MAPS] + 1, ib.v[ST_MAPS]);
	EXPECT_EQ(ia.v[ST_UNMAPS] + 1, ib.v[ST_UNMAPS]);
	/* the raw baseline maintains whatever the buffer's model: map+unmap */
	EXPECT_EQ(ia.v[ST_CACHE_MAINT_OPS] + (self->noncoherent ? 2 * nents : 0),
		  ib.v[ST_CACHE_MAINT_OPS]);
	EXPECT_EQ(0, cmheap_ctl_detach(self->ctl, h));
}

/*
 * DMA_BUF_IOCTL_SYNC brackets CPU access: counted as cpu_syncs, and for a
 * cached buffer it syncs every mapped attachment (maintenance when one is
 * for the non-coherent device); an uncached buffer needs none.
 */
TEST_F(caching, cpu_access_syncs_mapped_attachments)
{
	__u32 dev = self->noncoherent ? CMHEAP_DEV_NONCOHERENT :
					CMHEAP_DEV_COHERENT;
	struct cmheap_stats a, b, c;
	__u64 want;
	__u32 h, nents;
	void *p;

	h = attach_mapped(_metadata, self->ctl, self->fd, dev, &nents);
	want = (self->noncoherent && !variant->heap.uncached) ? nents : 0;
	ASSERT_EQ(0, cmheap_ctl_map(self->ctl, h, CMHEAP_DIR_BIDIRECTIONAL, 0, 0, NULL));
	p = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, self->fd, 0);
	ASSERT_NE(MAP_FAILED, p);

	ASSERT_EQ(0, stats_read(self->heap, &a));
	ASSERT_EQ(0, dmabuf_sync(self->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW));
	ASSERT_EQ(0, stats_read(self->heap, &b));
	memset(p, 0x3c, BUF_SIZE);
	ASSERT_EQ(0, dmabuf_sync(self->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW));
	ASSERT_EQ(0, stats_read(self->heap, &c));

	EXPECT_EQ(a.v[ST_CPU_SYNCS] + 1, b.v[ST_CPU_SYNCS]);
	EXPECT_EQ(b.v[ST_CPU_SYNCS] + 1, c.v[ST_CPU_SYNCS]);
	EXPECT_EQ(a.v[ST_CACHE_MAINT_OPS] + want, b.v[ST_CACHE_MAINT_OPS]);
	EXPECT_EQ(b.v[ST_CACHE_MAINT_OPS] + want, c.v[ST_CACHE_MAINT_OPS]);
	EXPECT_EQ(-1, bytes_check(p, BUF_SIZE, 0x3c));

	munmap(p, BUF_SIZE);
	EXPECT_EQ(0, cmheap_ctl_unmap(self->ctl, h));
	EXPECT_EQ(0, cmheap_ctl_detach(self->ctl, h));
}

/*
 * Two attachments of one buffer for one device, mapped in two directions:
 * without an IOMMU both mappings have the same DMA addresses.  CPU access
 * syncs each in its own direction, and DMA-API debugging must find each
 * sync's mapping: it looks a sync up by address and takes an exact match
 * (the same table, size and direction) over the others, so a sync made
 * piece by piece of a table mapped whole matches neither and is reported
 * as a sync of memory never mapped (what stress_test once hit under the
 * debug kernel).
 */
TEST_F(caching, cpu_access_syncs_two_mappings_of_one_device)
{
	long long errors = dma_api_errors();
	struct cmheap_attach to_dev, from_dev;

	ASSERT_EQ(0, cmheap_ctl_attach(self->ctl, self->fd, self->dev, &to_dev));
	ASSERT_EQ(0, cmheap_ctl_attach(self->ctl, self->fd, self->dev, &from_dev));
	ASSERT_EQ(0, cmheap_ctl_map(self->ctl, to_dev.handle,
				    CMHEAP_DIR_TO_DEVICE, 0, 0, NULL));
	ASSERT_EQ(0, cmheap_ctl_map(self->ctl, from_dev.handle,
				    CMHEAP_DIR_FROM_DEVICE, 0, 0, NULL));
	EXPECT_EQ(0, dmabuf_sync(self->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW));
	EXPECT_EQ(0, dmabuf_sync(self->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW));
	/* and the importer's own syncs of each (page-less memory has none) */
	if (!variant->heap.pageless) {
		EXPECT_EQ(0, cmheap_ctl_sync(self->ctl, to_dev.handle,
					     CMHEAP_SYNC_FOR_CPU, CMHEAP_DIR_TO_DEVICE));
		EXPECT_EQ(0, cmheap_ctl_sync(self->ctl, from_dev.handle,
					     CMHEAP_SYNC_FOR_CPU, CMHEAP_DIR_FROM_DEVICE));
	}
	EXPECT_EQ(0, cmheap_ctl_unmap(self->ctl, from_dev.handle));
	EXPECT_EQ(0, cmheap_ctl_unmap(self->ctl, to_dev.handle));
	EXPECT_EQ(0, cmheap_ctl_detach(self->ctl, from_dev.handle));
	EXPECT_EQ(0, cmheap_ctl_detach(self->ctl, to_dev.handle));
	if (errors < 0)
		TH_LOG("no DMA-API debugging in this kernel: its count not checked");
	else
		EXPECT_EQ(errors, dma_api_errors());
}

struct cpu_syncs {
	int fd;
	atomic_bool stop;
	unsigned long rounds, failed;
};

static void *cpu_syncs_loop(void *arg)
{
	struct cpu_syncs *cs = arg;

	while (!atomic_load(&cs->stop)) {
		if (dmabuf_sync(cs->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW) ||
		    dmabuf_sync(cs->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW))
			cs->failed++;
		cs->rounds++;
	}
	return NULL;
}

/*
 * CPU access syncs every mapped attachment while another thread maps and
 * unmaps one, in each direction in turn: map and unmap take no lock of
 * cmheap's (since 6.2 the core holds the reservation lock around them,
 * which the syncs take), so a sync must never use a mapping being torn
 * down, nor a direction other than the one it was mapped with.  DMA-API
 * debugging (where the kernel has it; it makes the syncs visit every
 * attachment) reports either as a sync of memory never mapped or in
 * another direction.
 */
TEST_F(caching, cpu_syncs_race_map_unmap)
{
	long long errors = dma_api_errors();
	struct cpu_syncs cs = { .fd = self->fd };
	struct cmheap_attach at;
	double until;
	pthread_t thread;
	unsigned int i;

	ASSERT_EQ(0, cmheap_ctl_attach(self->ctl, self->fd, self->dev, &at));
	ASSERT_EQ(0, pthread_create(&thread, NULL, cpu_syncs_loop, &cs));
	until = now_s() + 2;
	for (i = 0; now_s() < until || i < 300; i++) {
		int ret = cmheap_ctl_map(self->ctl, at.handle, cmheap_dirs[i % 3],
					 0, 0, NULL);

		if (!ret)
			ret = cmheap_ctl_unmap(self->ctl, at.handle);
		EXPECT_EQ(0, ret);
		if (ret)
			break;
	}
	atomic_store(&cs.stop, true);
	pthread_join(thread, NULL);
	TH_LOG("%u maps and unmaps against %lu rounds of CPU access syncs",
	       i, cs.rounds);
	EXPECT_EQ(0, cs.failed);
	EXPECT_EQ(0, cmheap_ctl_detach(self->ctl, at.handle));
	if (errors < 0)
		TH_LOG("no DMA-API debugging in this kernel: its count not checked");
	else
		EXPECT_EQ(errors, dma_api_errors());
}

/*
 * A sync of a cached buffer visits the mapped attachments whose device the
 * DMA API syncs at all: one that does not snoop the CPU's caches, one whose
 * DMA may bounce, and under DMA-API debugging every one (which checks each
 * sync).  For any other the DMA API has nothing to do, and the sync costs a
 * count.  Its tracepoint fires for each attachment it visits.
 */
TEST_F(caching, cpu_access_visits_what_the_dma_api_syncs)
{
	static const __u32 devs[] = { CMHEAP_DEV_COHERENT, CMHEAP_DEV_NONCOHERENT };
	static const char event[] = "cmheap/cmheap_sync_for_cpu";
	bool debug = dma_api_errors() >= 0;
	char heap[CMHEAP_NAME_LEN + 8], dev[CMHEAP_NAME_LEN + 8];
	const char *const words[] = { "cmheap_sync_for_cpu:", heap, dev, NULL };
	unsigned int i, checked = 0;

	if (variant->heap.uncached)
		SKIP(return, "an uncached buffer's syncs visit no attachment");
	if (trace_event_set(event, true))
		SKIP(return, "no tracefs with cmheap's events here");
	snprintf(heap, sizeof(heap), "heap=%s ", self->heap);
	for (i = 0; i < ARRAY_SIZE(devs); i++) {
		struct cmheap_device_info info;
		bool visits;
		__u32 h, nents;

		ASSERT_EQ(0, cmheap_ctl_device_info(self->ctl, devs[i], &info));
		if (!(info.flags & CMHEAP_DEVF_PRESENT))
			continue;
		visits = !(info.flags & CMHEAP_DEVF_COHERENT) ||
			 (info.flags & CMHEAP_DEVF_BOUNCE) || debug;
		snprintf(dev, sizeof(dev), "dev=%s ", info.name);
		h = attach_mapped(_metadata, self->ctl, self->fd, devs[i], &nents);
		ASSERT_EQ(0, cmheap_ctl_map(self->ctl, h, CMHEAP_DIR_BIDIRECTIONAL, 0, 0, NULL));
		ASSERT_EQ(0, trace_clear());
		ASSERT_EQ(0, dmabuf_sync(self->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW));
		EXPECT_EQ(visits ? 1U : 0U, trace_lines_with(words))
			TH_LOG("%s (flags 0x%x, DMA-API debugging %s)", info.name,
			       info.flags, debug ? "on" : "off");
		ASSERT_EQ(0, dmabuf_sync(self->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW));
		EXPECT_EQ(0, cmheap_ctl_unmap(self->ctl, h));
		EXPECT_EQ(0, cmheap_ctl_detach(self->ctl, h));
		checked++;
	}
	trace_event_set(event, false);
	EXPECT_LT(0U, checked);
}

/* Attached but unmapped, an attachment needs no sync. */
TEST_F(caching, cpu_access_skips_unmapped_attachments)
{
	__u32 dev = self->noncoherent ? CMHEAP_DEV_NONCOHERENT :
					CMHEAP_DEV_COHERENT;
	struct cmheap_stats a, b;
	__u32 h, nents;

	h = attach_mapped(_metadata, self->ctl, self->fd, dev, &nents);
	ASSERT_EQ(0, stats_read(self->heap, &a));
	ASSERT_EQ(0, dmabuf_sync(self->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW));
	ASSERT_EQ(0, dmabuf_sync(self->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW));
	ASSERT_EQ(0, stats_read(self->heap, &b));
	EXPECT_EQ(a.v[ST_CPU_SYNCS] + 2, b.v[ST_CPU_SYNCS]);
	EXPECT_EQ(a.v[ST_CACHE_MAINT_OPS], b.v[ST_CACHE_MAINT_OPS]);
	EXPECT_EQ(0, cmheap_ctl_detach(self->ctl, h));
}

/*
 * CMHEAP_IOC_SYNC is the importer's own streaming sync: counted by the
 * importer (maintenance for the non-coherent device), not by the heap.
 */
TEST_F(caching, importer_sync_counted_by_importer)
{
	__u32 dev = self->noncoherent ? CMHEAP_DEV_NONCOHERENT :
					CMHEAP_DEV_COHERENT;
	struct cmheap_stats ha, hb, ia, ib;
	__u32 h, nents;

	/* page-less: no DMA API sync exists for its addresses, none is done */
	int want = variant->heap.pageless ? -EOPNOTSUPP : 0;
	unsigned int syncs = want ? 0 : 2;

	h = attach_mapped(_metadata, self->ctl, self->fd, dev, &nents);
	ASSERT_EQ(0, cmheap_ctl_map(self->ctl, h, CMHEAP_DIR_BIDIRECTIONAL, 0, 0, NULL));
	ASSERT_EQ(0, stats_read(self->heap, &ha));
	ASSERT_EQ(0, stats_read(CMHEAP_IMPORTER, &ia));
	ASSERT_EQ(want, cmheap_ctl_sync(self->ctl, h, CMHEAP_SYNC_FOR_CPU,
				 CMHEAP_DIR_BIDIRECTIONAL));
	ASSERT_EQ(want, cmheap_ctl_sync(self->ctl, h, CMHEAP_SYNC_FOR_DEVICE,
				 CMHEAP_DIR_BIDIRECTIONAL));
	ASSERT_EQ(0, stats_read(self->heap, &hb));
	ASSERT_EQ(0, stats_read(CMHEAP_IMPORTER, &ib));

	EXPECT_EQ(ia.v[ST_CPU_SYNCS] + syncs, ib.v[ST_CPU_SYNCS]);
	EXPECT_EQ(ia.v[ST_CACHE_MAINT_OPS] + (self->noncoherent ? syncs * nents : 0),
		  ib.v[ST_CACHE_MAINT_OPS]);
	EXPECT_EQ(ha.v[ST_CPU_SYNCS], hb.v[ST_CPU_SYNCS]);
	EXPECT_EQ(ha.v[ST_CACHE_MAINT_OPS], hb.v[ST_CACHE_MAINT_OPS]);
	EXPECT_EQ(0, cmheap_ctl_unmap(self->ctl, h));
	EXPECT_EQ(0, cmheap_ctl_detach(self->ctl, h));
}

/* Data written by the CPU reads back through any caching model. */
TEST_F(caching, cpu_write_read_back)
{
	void *p = mmap(NULL, BUF_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		       self->fd, 0);

	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, dmabuf_sync(self->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE));
	pattern_fill(p, BUF_SIZE, 0, 0x77);
	ASSERT_EQ(0, dmabuf_sync(self->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE));
	ASSERT_EQ(0, dmabuf_sync(self->fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ));
	EXPECT_EQ(-1, pattern_check(p, BUF_SIZE, 0, 0x77));
	ASSERT_EQ(0, dmabuf_sync(self->fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ));
	munmap(p, BUF_SIZE);
}

#define MAX_ORDER_PARAM "/sys/module/cmheap/parameters/max_order"

/*
 * The system heaps' max_order parameter sets the scatterlist granularity
 * (and so how many segments each sync maintains): 0 gives one entry per
 * page, 2 one per four pages (an order the heap tries only when it is the
 * cap: the benchmark's entry sweep steps through it); out-of-range values
 * are refused.
 */
TEST_F(caching, max_order_sets_segments)
{
	static const struct {
		const char *order;
		size_t pages_per_entry;
	} caps[] = { { "0", 1 }, { "2", 4 } };
	const size_t npages = 64;
	char saved[16];
	__u32 nents;
	size_t i;
	int fd, ret;

	if (strncmp(self->heap, "cmheap-system", strlen("cmheap-system")))
		SKIP(return, "max_order is a parameter of the system heaps");
	if (param_read("max_order", saved, sizeof(saved)))
		SKIP(return, "no " MAX_ORDER_PARAM);

	EXPECT_EQ(-EINVAL, file_write(MAX_ORDER_PARAM, "9"));
	EXPECT_EQ(-EINVAL, file_write(MAX_ORDER_PARAM, "-1"));
	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		ASSERT_EQ(0, file_write(MAX_ORDER_PARAM, caps[i].order));
		fd = alloc_on(self->heap, npages * page_size());
		ret = file_write(MAX_ORDER_PARAM, saved);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, ret) TH_LOG("restoring max_order=%s", saved);
		attach_mapped(_metadata, self->ctl, fd, self->dev, &nents);
		EXPECT_EQ(npages / caps[i].pages_per_entry, nents)
			TH_LOG("max_order=%s", caps[i].order);
		close(fd);
	}

	/* with the default, a contiguous chunk holds many pages */
	fd = alloc_on(self->heap, npages * page_size());
	ASSERT_LE(0, fd);
	attach_mapped(_metadata, self->ctl, fd, self->dev, &nents);
	EXPECT_GE(npages, nents);
	close(fd);
}

TEST_HARNESS_MAIN
