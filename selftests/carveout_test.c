// SPDX-License-Identifier: GPL-2.0
/*
 * carveout_test: the carveout heaps' regions as genalloc manages them, read
 * back through /sys/kernel/debug/cmheap/<heap>/carveout, for each carveout
 * heap: exhaustion gives ENOMEM, a buffer never spans regions, buffers are
 * contiguous (one segment) and lie where the kernel says (struct pages that
 * are their pfn's, inside the regions, at their physical address for a
 * direct-mapped device), fragmentation is real and undone by freeing, and
 * every byte comes back.  (The heap-parametrised tests of the other
 * binaries run on the carveout heaps too.)
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include <linux/dma-buf.h>

#include "kselftest_harness.h"
#include "cmheap_util.h"

FIXTURE(carveout) {
	const char *heap;
	struct carveout c;
	long long biggest;	/* the largest region */
};

FIXTURE_VARIANT(carveout) {
	struct cmheap_heap heap;
};

CMHEAP_HEAP_VARIANTS_IF(carveout, h->carveout)

FIXTURE_SETUP(carveout)
{
	int i;

	self->heap = variant->heap.name;
	if (!variant->heap.carveout)
		SKIP(return, "no carveout heap (load cmheap with carveout=SIZE@BASE)");
	ASSERT_EQ(0, carveout_read(self->heap, &self->c));
	ASSERT_LT(0, self->c.size);
	self->biggest = 0;
	for (i = 0; i < self->c.nr; i++) {
		/* nothing else holds carveout memory while these run */
		EXPECT_EQ(self->c.r[i].size, self->c.r[i].available);
		EXPECT_EQ(self->c.r[i].size, self->c.r[i].largest);
		if (self->c.r[i].size > self->biggest)
			self->biggest = self->c.r[i].size;
	}
	ASSERT_EQ(self->c.size, self->c.available);
	ASSERT_EQ(self->biggest, self->c.largest);
}

FIXTURE_TEARDOWN(carveout)
{
}

/*
 * Each region filled by one buffer of its size, then nothing is left; a
 * buffer never spans regions, so one larger than the largest region fails
 * even with the memory free in total.
 */
TEST_F(carveout, whole_regions_then_enomem)
{
	int fds[CARVEOUT_MAX_REGIONS], i, fd;
	struct carveout c;

	for (i = 0; i < self->c.nr; i++) {
		fds[i] = alloc_on(self->heap, self->c.r[i].size);
		ASSERT_LE(0, fds[i]) TH_LOG("region %d, %lld bytes: %s", i,
					    self->c.r[i].size, strerror(-fds[i]));
	}
	ASSERT_EQ(0, carveout_read(self->heap, &c));
	EXPECT_EQ(0, c.available);
	EXPECT_EQ(0, c.largest);
	EXPECT_EQ(-ENOMEM, alloc_on(self->heap, page_size()));
	for (i = 0; i < self->c.nr; i++)
		close(fds[i]);
	EXPECT_EQ(-ENOMEM, alloc_on(self->heap, self->c.size + page_size()));
	if (self->c.nr > 1) {
		ASSERT_LT(self->biggest, self->c.size);
		EXPECT_EQ(-ENOMEM, alloc_on(self->heap, self->biggest + page_size()))
			TH_LOG("%lld bytes free in %d regions, %lld the largest",
			       self->c.size, self->c.nr, self->biggest);
	}
	/* the largest region whole, once more */
	fd = alloc_on(self->heap, self->biggest);
	EXPECT_LE(0, fd);
	if (fd >= 0)
		close(fd);
	ASSERT_EQ(0, carveout_read(self->heap, &c));
	EXPECT_EQ(self->c.size, c.available);
}

/* A length that is not whole pages takes whole pages. */
TEST_F(carveout, odd_length_takes_whole_pages)
{
	struct carveout c;
	int fd;

	fd = alloc_on(self->heap, 1);
	ASSERT_LE(0, fd);
	EXPECT_EQ((long long)page_size(), dmabuf_size(fd));
	ASSERT_EQ(0, carveout_read(self->heap, &c));
	EXPECT_EQ(self->c.size - (long long)page_size(), c.available);
	close(fd);
	ASSERT_EQ(0, carveout_read(self->heap, &c));
	EXPECT_EQ(self->c.size, c.available);
}

/*
 * One physically contiguous piece: one segment, on each test device.  The
 * attachment says whether the buffer has struct pages.
 */
TEST_F(carveout, one_contiguous_segment)
{
	struct cmheap_attach at;
	struct cmheap_map m;
	int ctl, fd;

	CTL_OPEN_OR_SKIP(ctl);
	fd = alloc_on(self->heap, 16 * SZ_1M);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, cmheap_ctl_attach(ctl, fd, CMHEAP_DEV_COHERENT, &at));
	EXPECT_EQ(variant->heap.pageless, !!(at.flags & CMHEAP_ATTF_PAGELESS));
	ASSERT_EQ(0, cmheap_ctl_map(ctl, at.handle, CMHEAP_DIR_TO_DEVICE, 0, 0, &m));
	EXPECT_EQ(1, m.nents);
	EXPECT_EQ(1, m.orig_nents);
	EXPECT_EQ(0, cmheap_ctl_unmap(ctl, at.handle));
	close(ctl);
	close(fd);
}

/*
 * The kernel checks where the memory is: every struct page (pages route)
 * is its pfn's, every byte lies in the heap's regions, and a direct-mapped
 * device's segment is the memory's physical address.  Two buffers, so the
 * second does not start at a region's base.
 */
TEST_F(carveout, placement_in_region)
{
	const __u32 devs[] = { CMHEAP_DEV_COHERENT, CMHEAP_DEV_NONCOHERENT };
	const size_t len = 16 * SZ_1M;
	struct cmheap_placement pl;
	struct cmheap_attach at;
	int ctl, first, fd;
	unsigned int d;

	CTL_OPEN_OR_SKIP(ctl);
	first = alloc_on(self->heap, SZ_1M);
	ASSERT_LE(0, first);
	fd = alloc_on(self->heap, len);
	ASSERT_LE(0, fd);
	for (d = 0; d < 2; d++) {
		if (!(cmheap_ctl_device_flags(ctl, devs[d]) & CMHEAP_DEVF_PRESENT))
			continue;
		ASSERT_EQ(0, cmheap_ctl_attach(ctl, fd, devs[d], &at));
		/* not mapped yet */
		EXPECT_EQ(-EINVAL, cmheap_ctl_placement(ctl, at.handle, &pl));
		ASSERT_EQ(0, cmheap_ctl_map(ctl, at.handle, CMHEAP_DIR_BIDIRECTIONAL, 0, 0, NULL));
		ASSERT_EQ(0, cmheap_ctl_placement(ctl, at.handle, &pl));
		EXPECT_TRUE(pl.flags & CMHEAP_PLACEF_REGIONS);
		EXPECT_EQ(variant->heap.pageless ? 0 : len / page_size(), pl.pages);
		EXPECT_EQ(0, pl.pages_bad);
		EXPECT_EQ(0, pl.outside) TH_LOG("device %u", devs[d]);
		ASSERT_TRUE(pl.flags & CMHEAP_PLACEF_DIRECT)
			TH_LOG("device %u maps through an IOMMU or bounces", devs[d]);
		EXPECT_EQ(1, pl.segments);
		EXPECT_EQ(0, pl.segments_bad) TH_LOG("device %u", devs[d]);
		EXPECT_EQ(0, cmheap_ctl_unmap(ctl, at.handle));
		EXPECT_EQ(0, cmheap_ctl_detach(ctl, at.handle));
	}
	close(ctl);
	close(fd);
	close(first);
}

#define LINE_4G		(1ULL << 32)

/* The first present device of kind @kind mapping directly, or -1. */
static int direct_device_of_kind(int ctl, const char *kind)
{
	struct cmheap_device_info info;
	int d;

	for (d = CMHEAP_FIRST_BUS_DEVICE; d < CMHEAP_MAX_DEVICES; d++) {
		if (cmheap_ctl_device_info(ctl, d, &info) ||
		    !(info.flags & CMHEAP_DEVF_PRESENT) ||
		    (info.flags & (CMHEAP_DEVF_IOMMU | CMHEAP_DEVF_BOUNCE)) ||
		    strcmp(info.kind, kind))
			continue;
		return d;
	}
	return -1;
}

/* The DMA segments of @fd mapped TO_DEVICE for @dev: their number or -errno. */
static int segments_for(int ctl, int fd, __u32 dev, __u32 *handle,
			struct cmheap_segment *segs, __u32 max)
{
	struct cmheap_attach at;
	__u32 count = max;
	int ret;

	ret = cmheap_ctl_attach(ctl, fd, dev, &at);
	if (ret)
		return ret;
	*handle = at.handle;
	ret = cmheap_ctl_map(ctl, at.handle, CMHEAP_DIR_TO_DEVICE, 0, 0, NULL);
	if (!ret)
		ret = cmheap_ctl_segments(ctl, at.handle, 0, segs, &count);
	if (!ret && count > max)
		ret = -E2BIG;
	return ret ? ret : (int)count;
}

/*
 * A buffer of memory that crosses a 4 GiB line, mapped for edu: a PCI
 * device, whose segment boundary is 4 GiB as every PCI device's.  No DMA
 * segment may cross the line (hardware wraps its address counter there;
 * DMA_API_DEBUG_SG in the debug kernel reports such a segment), the
 * segments still cover the buffer in order at its own addresses, and the
 * engine reads the bytes on both sides of the line as the CPU wrote them.
 * Only the arm64 rig has memory across the line, where it puts the cached
 * carveout's region (scripts/build-lib.sh); x86's RAM below 4 GiB ends at
 * the PCI hole.
 */
TEST_F(carveout, seg_boundary_split)
{
	struct cmheap_segment segs[64];
	struct cmheap_dma_piece piece;
	unsigned char data[64];
	__u64 line, len, covered = 0, phys;
	__u32 handle;
	int ctl, edu, fd, n, i;
	unsigned char *p;

	/* the first region, where a first fit starts */
	line = (self->c.r[0].base / LINE_4G + 1) * LINE_4G;
	if (line >= self->c.r[0].base + self->c.r[0].size)
		SKIP(return, "the heap's first region crosses no 4 GiB line (the arm64 rig puts the cached carveout's across it)");
	CTL_OPEN_OR_SKIP(ctl);
	edu = direct_device_of_kind(ctl, "edu");
	if (edu < 0)
		SKIP(return, "no edu mapping directly");
	/* first fit: from the region's base, 8 MiB past the line */
	len = line - self->c.r[0].base + 8 * SZ_1M;
	fd = alloc_on(self->heap, len);
	ASSERT_LE(0, fd);
	/* where it lies: the coherent test device maps at physical addresses */
	n = segments_for(ctl, fd, CMHEAP_DEV_COHERENT, &handle, segs, 64);
	ASSERT_LE(1, n);
	phys = segs[0].dma_address;
	ASSERT_EQ(0, cmheap_ctl_detach(ctl, handle));
	ASSERT_EQ(self->c.r[0].base, phys) TH_LOG("not first fit");

	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	ASSERT_EQ(0, dmabuf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE));
	pattern_fill(p + (line - phys) - 32, 64, line - phys - 32, 0x4a);
	ASSERT_EQ(0, dmabuf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE));

	n = segments_for(ctl, fd, edu, &handle, segs, 64);
	ASSERT_LE(2, n) TH_LOG("one segment across the line");
	for (i = 0; i < n; i++) {
		__u64 a = segs[i].dma_address, l = segs[i].length;

		EXPECT_EQ(covered, segs[i].offset);
		EXPECT_EQ(phys + covered, a) TH_LOG("segment %d", i);
		EXPECT_EQ(a / LINE_4G, (a + l - 1) / LINE_4G)
			TH_LOG("segment %d [%#llx, +%#llx) crosses a 4 GiB line", i,
			       (unsigned long long)a, (unsigned long long)l);
		covered += l;
	}
	EXPECT_EQ(len, covered);
	/* the engine reads across the line: two DMA pieces, one transfer */
	piece = (struct cmheap_dma_piece){ .offset = line - phys - 32,
					   .length = 64 };
	ASSERT_EQ(0, cmheap_ctl_dma(ctl, handle, CMHEAP_DIR_TO_DEVICE, &piece, 1, data));
	EXPECT_EQ(-1, pattern_check(data, 64, line - phys - 32, 0x4a));
	EXPECT_EQ(0, cmheap_ctl_detach(ctl, handle));
	munmap(p, len);
	close(ctl);
	close(fd);
}

#define DT_RESERVED "/proc/device-tree/reserved-memory"

/* A device-tree property file: its bytes into @buf, their count or -errno. */
static int dt_prop(const char *node, const char *prop, void *buf, size_t len)
{
	char path[256];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), DT_RESERVED "/%s/%s", node, prop);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, len);
	close(fd);
	return n < 0 ? -errno : (int)n;
}

static unsigned long long be64_at(const unsigned char *p)
{
	unsigned long long v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/*
 * A board declares a carveout in its device tree, as a no-map
 * reserved-memory node compatible with "cmheap,carveout" (the arm64 guests
 * have one, cmheap,caching = "uncached"): the heap of its model has the
 * region, found without a module parameter.
 */
TEST_F(carveout, device_tree_regions)
{
	struct dirent *de;
	int found = 0, i;
	DIR *d;

	d = opendir(DT_RESERVED);
	if (!d)
		SKIP(return, "no device-tree reserved-memory node");
	while ((de = readdir(d))) {
		unsigned char reg[16];
		char text[64] = "", model[16] = "";
		unsigned long long base, size;
		bool uncached;
		int hit = 0;

		if (dt_prop(de->d_name, "compatible", text, sizeof(text) - 1) <= 0 ||
		    strcmp(text, "cmheap,carveout"))
			continue;
		ASSERT_EQ(16, dt_prop(de->d_name, "reg", reg, sizeof(reg)))
			TH_LOG("%s: reg of two 2-cell numbers", de->d_name);
		base = be64_at(reg);
		size = be64_at(reg + 8);
		dt_prop(de->d_name, "cmheap,caching", model, sizeof(model) - 1);
		uncached = !strcmp(model, "uncached");
		if (uncached != variant->heap.uncached)
			continue;
		for (i = 0; i < self->c.nr; i++)
			if (self->c.r[i].base == base &&
			    self->c.r[i].size == (long long)size)
				hit++;
		found += hit;
		EXPECT_EQ(1, hit) TH_LOG("%s: %#llx+%#llx not a region of %s",
					  de->d_name, base, size, self->heap);
	}
	closedir(d);
	if (!found)
		SKIP(return, "no cmheap,carveout node of this heap's model");
}

TEST_F(carveout, exhaustion_fragmentation_and_return)
{
	enum { MAX = 4096 };
	long long chunk = SZ_1M;
	long long half = 0, first = 0;
	struct carveout r;
	int *fds, n = 0, i, fd;

	/* regions fill in order: the even-numbered buffers of each, freed */
	for (i = 0; i < self->c.nr; i++) {
		long long count = self->c.r[i].size / chunk;

		half += (count + !(first & 1)) / 2 * chunk;
		first += count;
	}
	fds = calloc(MAX, sizeof(*fds));
	ASSERT_NE(NULL, fds);
	while (n < MAX && (fd = alloc_on(self->heap, chunk)) >= 0)
		fds[n++] = fd;
	EXPECT_EQ(-ENOMEM, fd);
	EXPECT_EQ(self->c.size / chunk, n);
	ASSERT_EQ(0, carveout_read(self->heap, &r));
	EXPECT_EQ(0, r.available);
	/* free every other buffer: about half the memory free, in 1 MiB holes */
	for (i = 0; i < n; i += 2) {
		close(fds[i]);
		fds[i] = -1;
	}
	ASSERT_EQ(0, carveout_read(self->heap, &r));
	EXPECT_EQ(half, r.available);
	EXPECT_EQ(chunk, r.largest);
	EXPECT_EQ(-ENOMEM, alloc_on(self->heap, 2 * chunk)) TH_LOG("no 2 MiB extent is free");
	fd = alloc_on(self->heap, chunk);
	EXPECT_LE(0, fd);
	if (fd >= 0)
		close(fd);
	for (i = 1; i < n; i += 2)
		close(fds[i]);
	/* every byte back, each region in one extent */
	ASSERT_EQ(0, carveout_read(self->heap, &r));
	EXPECT_EQ(self->c.size, r.available);
	EXPECT_EQ(self->biggest, r.largest);
	for (i = 0; i < r.nr; i++)
		EXPECT_EQ(r.r[i].size, r.r[i].largest) TH_LOG("region %d", i);
	free(fds);
}

/*
 * x86's PAT memory-type reservations that cover any of this heap's
 * regions (debugfs x86/pat_memtype_list, "PAT: [mem 0xA-0xB] type"), or
 * -1 where there is no such list (other architectures).
 */
#define PAT_LIST "/sys/kernel/debug/x86/pat_memtype_list"

static int pat_entries(const struct carveout *c)
{
	unsigned long long a, b;
	char line[256];
	int n = 0, i;
	FILE *f = fopen(PAT_LIST, "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "PAT: [mem 0x%llx-0x%llx]", &a, &b) != 2)
			continue;
		for (i = 0; i < c->nr; i++)
			if (a < c->r[i].base + c->r[i].size && b > c->r[i].base)
				n++;
	}
	fclose(f);
	return n;
}

/*
 * A carveout mapping is used whole: its memory is not RAM, x86's PAT
 * reserves its memory type once for the whole mapping and cannot split
 * that reservation, so unmapping, mprotect()ing or mremap()ing a part is
 * refused (EINVAL) on every architecture, the mapping untouched; moving it
 * whole works.  Afterwards the PAT list holds what it held before (the old
 * code freed pieces never reserved, "x86/PAT: freeing invalid memtype",
 * and leaked the reservation).
 */
TEST_F(carveout, carveout_partial_unmap)
{
	const size_t pg = page_size(), len = 16 * pg;
	int fd, pat0;
	char *p, *q, *spot;

	pat0 = pat_entries(&self->c);
	fd = alloc_on(self->heap, len);
	ASSERT_LE(0, fd);
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	pattern_fill(p, len, 0, 11);

	EXPECT_EQ(-1, munmap(p + 4 * pg, 4 * pg));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(MAP_FAILED, mremap(p, len, len / 2, 0));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, mprotect(p + pg, pg, PROT_READ));
	EXPECT_EQ(EINVAL, errno);
	EXPECT_EQ(-1, pattern_check(p, len, 0, 11)) TH_LOG("the mapping changed");

	/* whole, to a place of its own choosing: the mapping moves with its data */
	spot = mmap(NULL, len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, spot);
	q = mremap(p, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, spot);
	ASSERT_EQ(spot, q) TH_LOG("mremap: %s", strerror(errno));
	EXPECT_EQ(-1, pattern_check(q, len, 0, 11));
	EXPECT_EQ(0, munmap(q, len));
	close(fd);
	if (pat0 >= 0)
		EXPECT_EQ(pat0, pat_entries(&self->c));
}

TEST_HARNESS_MAIN
