// SPDX-License-Identifier: GPL-2.0
/*
 * peers_test: cmheap next to the kernel's other dma-buf users.
 *
 * The importer with other exporters' buffers: the upstream system heap
 * (/dev/dma_heap/system), udmabuf (a memfd made a dma-buf) and vgem (a
 * dumb buffer exported by the virtual GEM driver).  And the other way
 * round: vgem importing a buffer of every cmheap heap.  A peer missing on
 * this kernel SKIPs with the reason.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <linux/dma-buf.h>
#include <linux/udmabuf.h>

#if __has_include(<drm/drm.h>)
#include <drm/drm.h>
#define HAVE_DRM 1
#else
#define HAVE_DRM 0
#endif

#include "kselftest_harness.h"
#include "cmheap_util.h"

#define PEER_SIZE SZ_1M

/* ---- peers: each makes a dma-buf fd, or -errno with a reason ---- */

static int make_system_heap(char *why, size_t len)
{
	return peer_system_heap(PEER_SIZE, why, len);
}

static int make_udmabuf(char *why, size_t len)
{
	return peer_udmabuf(PEER_SIZE, why, len);
}

#if HAVE_DRM
static bool is_vgem(int fd)
{
	char name[8] = "";
	struct drm_version v = { .name = name, .name_len = sizeof(name) - 1 };

	if (ioctl(fd, DRM_IOCTL_VERSION, &v))
		return false;
	name[sizeof(name) - 1] = '\0';
	return v.name_len == 4 && !strncmp(name, "vgem", 4);
}

/* The vgem card, after "modprobe vgem": an fd, or -ENODEV. */
static int open_vgem(void)
{
	static bool probed;
	int i;

	if (!probed) {
		probed = true;
		/* built in, or no modprobe: look anyway */
		if (system("modprobe vgem >/dev/null 2>&1") != 0)
			probed = true;
	}
	for (i = 0; i < 64; i++) {
		char path[32];
		int fd;

		snprintf(path, sizeof(path), "/dev/dri/card%d", i);
		fd = open(path, O_RDWR | O_CLOEXEC);
		if (fd < 0)
			continue;
		if (is_vgem(fd))
			return fd;
		close(fd);
	}
	return -ENODEV;
}

static int make_vgem(char *why, size_t len)
{
	struct drm_mode_create_dumb dumb = {
		.width = 256, .height = PEER_SIZE / 1024, .bpp = 32,
	};
	struct drm_prime_handle ph = { .flags = DRM_CLOEXEC | DRM_RDWR };
	struct drm_gem_close gc = { 0 };
	int card = open_vgem(), fd;

	if (card < 0) {
		snprintf(why, len, "no vgem DRM device (modprobe vgem)");
		return -ENODEV;
	}
	if (ioctl(card, DRM_IOCTL_MODE_CREATE_DUMB, &dumb)) {
		fd = -errno;
		snprintf(why, len, "vgem dumb buffer: %s", strerror(errno));
		goto out;
	}
	ph.handle = dumb.handle;
	if (ioctl(card, DRM_IOCTL_PRIME_HANDLE_TO_FD, &ph)) {
		fd = -errno;
		snprintf(why, len, "vgem export: %s", strerror(errno));
	} else {
		fd = ph.fd;
	}
	/* the dma-buf holds the object */
	gc.handle = dumb.handle;
	ioctl(card, DRM_IOCTL_GEM_CLOSE, &gc);
out:
	close(card);
	return fd;
}
#else
static int make_vgem(char *why, size_t len)
{
	snprintf(why, len, "built without <drm/drm.h>");
	return -ENODEV;
}
#endif

/* ---- the importer with every peer's buffers ---- */

FIXTURE(peer) {
	int ctl, fd;
	long long size;
	bool noncoherent;
};

FIXTURE_VARIANT(peer) {
	int (*make)(char *why, size_t len);
};

FIXTURE_VARIANT_ADD(peer, system_heap) { .make = make_system_heap };
FIXTURE_VARIANT_ADD(peer, udmabuf) { .make = make_udmabuf };
FIXTURE_VARIANT_ADD(peer, vgem) { .make = make_vgem };

FIXTURE_SETUP(peer)
{
	char why[128] = "";

	self->ctl = self->fd = -1;
	if (!cmheap_test_loaded())
		SKIP(return, "cmheap_test.ko not loaded: no " CMHEAP_CTL_PATH);
	self->fd = variant->make(why, sizeof(why));
	if (self->fd == -ENODEV)
		SKIP(return, "%s", why);
	ASSERT_LE(0, self->fd) TH_LOG("%s", why);
	self->size = dmabuf_size(self->fd);
	ASSERT_LT(0, self->size);
	self->ctl = cmheap_ctl_open();
	ASSERT_LE(0, self->ctl);
	self->noncoherent = cmheap_ctl_device_flags(self->ctl, CMHEAP_DEV_NONCOHERENT) &
			    CMHEAP_DEVF_PRESENT;
}

FIXTURE_TEARDOWN(peer)
{
	if (self->ctl >= 0)
		close(self->ctl);
	if (self->fd >= 0)
		close(self->fd);
}

static void peer_cycle(struct __test_metadata *_metadata, int ctl, int fd,
		       long long size, __u32 dev)
{
	struct cmheap_attach at;
	unsigned int i;
	char exp[64];

	ASSERT_EQ(0, cmheap_ctl_attach(ctl, fd, dev, &at));
	EXPECT_EQ(0, at.flags) TH_LOG("a peer's buffer is not ours");
	EXPECT_EQ((__u64)size, at.size);
	ASSERT_EQ(0, dmabuf_exp_name(fd, exp, sizeof(exp)));
	EXPECT_STREQ(exp, at.exp_name);
	EXPECT_NE(0, strncmp(at.exp_name, CMHEAP_HEAP_PREFIX,
			     strlen(CMHEAP_HEAP_PREFIX)));
	for (i = 0; i < ARRAY_SIZE(cmheap_dirs); i++) {
		struct cmheap_map m;

		ASSERT_EQ(0, cmheap_ctl_map(ctl, at.handle, cmheap_dirs[i], 0, 0, &m))
			TH_LOG("dir %u", cmheap_dirs[i]);
		EXPECT_LE(1, m.nents);
		EXPECT_LE(1, m.orig_nents);
		EXPECT_EQ(0, cmheap_ctl_sync(ctl, at.handle, CMHEAP_SYNC_FOR_CPU,
				      cmheap_dirs[i]));
		EXPECT_EQ(0, cmheap_ctl_sync(ctl, at.handle, CMHEAP_SYNC_FOR_DEVICE,
				      cmheap_dirs[i]));
		ASSERT_EQ(0, cmheap_ctl_unmap(ctl, at.handle));
	}
	EXPECT_EQ(0, cmheap_ctl_detach(ctl, at.handle));
	EXPECT_EQ(-ENOENT, cmheap_ctl_detach(ctl, at.handle));
}

TEST_F(peer, attach_map_sync_unmap_detach)
{
	peer_cycle(_metadata, self->ctl, self->fd, self->size,
		   CMHEAP_DEV_COHERENT);
}

TEST_F(peer, noncoherent_device)
{
	if (!self->noncoherent)
		SKIP(return, NO_NONCOHERENT);
	peer_cycle(_metadata, self->ctl, self->fd, self->size,
		   CMHEAP_DEV_NONCOHERENT);
}

/* Raw maps of a peer's pages, with or without attributes. */
TEST_F(peer, raw_map)
{
	const __u32 attrs[] = { 0, CMHEAP_ATTR_SKIP_CPU_SYNC };
	struct cmheap_stats a, b;
	struct cmheap_attach at;
	unsigned int i;

	ASSERT_EQ(0, cmheap_ctl_attach(self->ctl, self->fd, CMHEAP_DEV_COHERENT, &at));
	if (!raw_peers_supported()) {
		/* refused, with its errno, and nothing mapped */
		EXPECT_EQ(-EOPNOTSUPP, cmheap_ctl_map(self->ctl, at.handle, CMHEAP_DIR_BIDIRECTIONAL,
					       0, CMHEAP_MAP_RAW, NULL));
		EXPECT_EQ(-EINVAL, cmheap_ctl_unmap(self->ctl, at.handle));
		SKIP(return, NO_RAW_PEERS);
	}
	ASSERT_EQ(0, stats_read(CMHEAP_IMPORTER, &a));
	for (i = 0; i < ARRAY_SIZE(attrs); i++) {
		struct cmheap_map m;

		ASSERT_EQ(0, cmheap_ctl_map(self->ctl, at.handle,
				     CMHEAP_DIR_BIDIRECTIONAL, attrs[i],
				     CMHEAP_MAP_RAW, &m))
			TH_LOG("attrs %#x", attrs[i]);
		EXPECT_LE(1, m.nents);
		EXPECT_EQ(0, cmheap_ctl_unmap(self->ctl, at.handle));
	}
	ASSERT_EQ(0, stats_read(CMHEAP_IMPORTER, &b));
	EXPECT_EQ(a.v[ST_MAPS] + ARRAY_SIZE(attrs), b.v[ST_MAPS]);
	EXPECT_EQ(a.v[ST_UNMAPS] + ARRAY_SIZE(attrs), b.v[ST_UNMAPS]);
	EXPECT_EQ(0, cmheap_ctl_detach(self->ctl, at.handle));
}

/*
 * The DMA API's own tracepoints (6.12 and later) record every scatterlist
 * mapping of a device with its direction.  Returns the trace's dma_map_sg
 * lines of @dev from the moment of dma_trace_start(), or NULL.
 */
#define DMA_TRACE TRACEFS

static bool dma_trace_start(void)
{
	return !trace_event_set("dma/dma_map_sg", true) && !trace_clear();
}

static void dma_trace_stop(void)
{
	trace_event_set("dma/dma_map_sg", false);
}

/* How many dma_map_sg lines of @dev say dir=@dir, and how many do not. */
static void dma_trace_count(const char *dev, const char *dir,
			    unsigned int *same, unsigned int *other)
{
	char line[1024], who[80], want[48];
	FILE *f = fopen(DMA_TRACE "/trace", "re");

	*same = *other = 0;
	if (!f)
		return;
	snprintf(who, sizeof(who), " dma_map_sg: %s dir=", dev);
	snprintf(want, sizeof(want), "%s ", dir);
	while (fgets(line, sizeof(line), f)) {
		char *at = strstr(line, who);

		if (!at)
			continue;
		if (!strncmp(at + strlen(who), want, strlen(want)))
			(*same)++;
		else
			(*other)++;
	}
	fclose(f);
}

/*
 * A raw map of a peer's pages reads them through an attachment of the
 * importer's own, which the peer maps: in the raw map's direction, never
 * BIDIRECTIONAL (on a non-coherent device, unmapping that would invalidate
 * the owner's CPU writes not yet synced).  Each direction in turn, so the
 * second gets a fresh copy.  The rig's caches cannot lose data, so the
 * DMA API's tracepoints show the directions instead.
 */
TEST_F(peer, raw_maps_in_handle_direction)
{
	static const struct {
		__u32 dir;
		const char *name;
	} dirs[] = {
		{ CMHEAP_DIR_TO_DEVICE, "TO_DEVICE" },
		{ CMHEAP_DIR_FROM_DEVICE, "FROM_DEVICE" },
		{ CMHEAP_DIR_TO_DEVICE, "TO_DEVICE" },
	};
	struct cmheap_device_info info;
	struct cmheap_attach at;
	unsigned int i, same, other;

	if (!raw_peers_supported())
		SKIP(return, NO_RAW_PEERS);
	if (access(DMA_TRACE "/events/dma/dma_map_sg/enable", W_OK))
		SKIP(return, "no DMA API tracepoints (events/dma, Linux 6.12)");
	ASSERT_EQ(0, cmheap_ctl_device_info(self->ctl, CMHEAP_DEV_COHERENT, &info));
	ASSERT_EQ(0, cmheap_ctl_attach(self->ctl, self->fd, CMHEAP_DEV_COHERENT, &at));
	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		ASSERT_TRUE(dma_trace_start());
		ASSERT_EQ(0, cmheap_ctl_map(self->ctl, at.handle, dirs[i].dir, 0,
					    CMHEAP_MAP_RAW, NULL));
		ASSERT_EQ(0, cmheap_ctl_unmap(self->ctl, at.handle));
		dma_trace_stop();
		dma_trace_count(info.name, dirs[i].name, &same, &other);
		/* the raw map, and the peer's map of our attachment for it */
		EXPECT_EQ(2U, same) TH_LOG("%s: %u maps in it", dirs[i].name, same);
		EXPECT_EQ(0U, other) TH_LOG("%s: %u maps of %s in another direction",
					    dirs[i].name, other, info.name);
	}
	EXPECT_EQ(0, cmheap_ctl_detach(self->ctl, at.handle));
}

/*
 * Raw and exporter maps of one attachment interleave in any order: reading a
 * peer's pages for the raw copy must not leave a mapping behind on the
 * importer's attachment (the core caches mappings for some exporters, e.g.
 * udmabuf), which would make the next raw map EBUSY or hand the next
 * exporter map a table mapped in another direction.
 */
TEST_F(peer, raw_and_exporter_maps_interleave)
{
	unsigned int i;

	if (!raw_peers_supported())
		SKIP(return, NO_RAW_PEERS);
	/* a fresh attachment per direction: its first mapping is that one */
	for (i = 0; i < ARRAY_SIZE(cmheap_dirs); i++) {
		__u32 other = cmheap_dirs[(i + 1) % ARRAY_SIZE(cmheap_dirs)];
		struct cmheap_attach at;

		ASSERT_EQ(0, cmheap_ctl_attach(self->ctl, self->fd,
					CMHEAP_DEV_COHERENT, &at));
		ASSERT_EQ(0, cmheap_ctl_map(self->ctl, at.handle, cmheap_dirs[i], 0, 0, NULL))
			TH_LOG("exporter map, dir %u", cmheap_dirs[i]);
		ASSERT_EQ(0, cmheap_ctl_unmap(self->ctl, at.handle));
		ASSERT_EQ(0, cmheap_ctl_map(self->ctl, at.handle, other, 0,
				     CMHEAP_MAP_RAW, NULL))
			TH_LOG("raw map after exporter map, dir %u", other);
		ASSERT_EQ(0, cmheap_ctl_unmap(self->ctl, at.handle));
		ASSERT_EQ(0, cmheap_ctl_map(self->ctl, at.handle, cmheap_dirs[i], 0, 0, NULL))
			TH_LOG("exporter map after raw map, dir %u", cmheap_dirs[i]);
		EXPECT_EQ(0, cmheap_ctl_sync(self->ctl, at.handle, CMHEAP_SYNC_FOR_CPU,
				      cmheap_dirs[i]));
		ASSERT_EQ(0, cmheap_ctl_unmap(self->ctl, at.handle));
		EXPECT_EQ(0, cmheap_ctl_detach(self->ctl, at.handle));
	}
}

/* Only cmheap's exporter takes mapping attributes from the importer. */
TEST_F(peer, attrs_without_raw_eopnotsupp)
{
	struct cmheap_attach at;

	ASSERT_EQ(0, cmheap_ctl_attach(self->ctl, self->fd, CMHEAP_DEV_COHERENT, &at));
	EXPECT_EQ(-EOPNOTSUPP, cmheap_ctl_map(self->ctl, at.handle,
				       CMHEAP_DIR_BIDIRECTIONAL,
				       CMHEAP_ATTR_SKIP_CPU_SYNC, 0, NULL));
	/* nothing was left mapped */
	EXPECT_EQ(-EINVAL, cmheap_ctl_unmap(self->ctl, at.handle));
	EXPECT_EQ(0, cmheap_ctl_map(self->ctl, at.handle, CMHEAP_DIR_BIDIRECTIONAL, 0,
			     0, NULL));
	EXPECT_EQ(0, cmheap_ctl_unmap(self->ctl, at.handle));
	EXPECT_EQ(0, cmheap_ctl_detach(self->ctl, at.handle));
}

TEST_F(peer, bench)
{
	enum { ITER = 8 };
	__u64 samples[ITER];
	struct cmheap_attach at;
	__u32 op;

	ASSERT_EQ(0, cmheap_ctl_attach(self->ctl, self->fd, CMHEAP_DEV_COHERENT, &at));
	for (op = 0; op < CMHEAP_BENCH_OP_COUNT; op++) {
		struct cmheap_bench b = {
			.handle = at.handle, .op = op,
			.direction = CMHEAP_DIR_BIDIRECTIONAL,
			.warmup = 1, .iterations = ITER,
			.samples_ptr = (uintptr_t)samples,
		};

		memset(samples, 0xff, sizeof(samples));
		EXPECT_EQ(0, cmheap_ctl_bench(self->ctl, &b)) TH_LOG("op %u", op);
		EXPECT_NE(~0ULL, samples[ITER - 1]);
	}
	EXPECT_EQ(0, cmheap_ctl_detach(self->ctl, at.handle));
}

/* Closing /dev/cmheap with a peer's buffer mapped releases it cleanly. */
TEST_F(peer, close_ctl_while_mapped)
{
	struct cmheap_attach at;
	int ctl = cmheap_ctl_open();

	ASSERT_LE(0, ctl);
	ASSERT_EQ(0, cmheap_ctl_attach(ctl, self->fd, CMHEAP_DEV_COHERENT, &at));
	ASSERT_EQ(0, cmheap_ctl_map(ctl, at.handle, CMHEAP_DIR_BIDIRECTIONAL, 0, 0,
			     NULL));
	ASSERT_EQ(0, cmheap_ctl_attach(ctl, self->fd, CMHEAP_DEV_COHERENT, &at));
	ASSERT_EQ(0, cmheap_ctl_map(ctl, at.handle, CMHEAP_DIR_TO_DEVICE, 0,
			     raw_peers_supported() ? CMHEAP_MAP_RAW : 0, NULL));
	close(ctl);
	/* the buffer is still good for a new attachment */
	peer_cycle(_metadata, self->ctl, self->fd, self->size,
		   CMHEAP_DEV_COHERENT);
}

/* ---- vgem importing cmheap buffers ---- */

FIXTURE(vgem_import) {
	int card, fd;
	const char *heap;
};

FIXTURE_VARIANT(vgem_import) {
	struct cmheap_heap heap;
};

CMHEAP_HEAP_VARIANTS(vgem_import)

FIXTURE_SETUP(vgem_import)
{
	self->card = self->fd = -1;
	heap_variant_check(&variant->heap);
	self->heap = variant->heap.name;
#if HAVE_DRM
	self->card = open_vgem();
	if (self->card < 0)
		SKIP(return, "no vgem DRM device (modprobe vgem)");
#else
	SKIP(return, "built without <drm/drm.h>");
#endif
	self->fd = alloc_on(self->heap, PEER_SIZE);
	ASSERT_LE(0, self->fd) TH_LOG("alloc: %s", strerror(-self->fd));
}

FIXTURE_TEARDOWN(vgem_import)
{
	if (self->card >= 0)
		close(self->card);
	if (self->fd >= 0)
		close(self->fd);
}

#if HAVE_DRM
static int prime_import(int card, int fd, __u32 *handle)
{
	struct drm_prime_handle ph = { .fd = fd };

	if (ioctl(card, DRM_IOCTL_PRIME_FD_TO_HANDLE, &ph))
		return -errno;
	*handle = ph.handle;
	return 0;
}

static int gem_close(int card, __u32 handle)
{
	struct drm_gem_close gc = { .handle = handle };

	return ioctl(card, DRM_IOCTL_GEM_CLOSE, &gc) ? -errno : 0;
}
#endif

TEST_F(vgem_import, import_and_close)
{
#if HAVE_DRM
	struct drm_prime_handle ex = { .flags = DRM_CLOEXEC };
	struct stat a, b;
	__u32 h = 0, h2 = 0;

	ASSERT_EQ(0, prime_import(self->card, self->fd, &h));
	EXPECT_NE(0, h);
	/* the same dma-buf imports to the same GEM object */
	ASSERT_EQ(0, prime_import(self->card, self->fd, &h2));
	EXPECT_EQ(h, h2);
	/* and exports back as the very same dma-buf */
	ex.handle = h;
	ASSERT_EQ(0, ioctl(self->card, DRM_IOCTL_PRIME_HANDLE_TO_FD, &ex));
	ASSERT_EQ(0, fstat(self->fd, &a));
	ASSERT_EQ(0, fstat(ex.fd, &b));
	EXPECT_EQ(a.st_ino, b.st_ino);
	close(ex.fd);
	EXPECT_EQ(0, gem_close(self->card, h));
	EXPECT_EQ(-EINVAL, gem_close(self->card, h));
#endif
}

/* The import holds the buffer; closing the GEM handle lets it go. */
TEST_F(vgem_import, import_holds_buffer)
{
#if HAVE_DRM
	__u64 live0 = stat_get(self->heap, ST_BUFFERS_LIVE);
	__u32 h = 0;

	ASSERT_NE(UINT64_MAX, live0);
	ASSERT_EQ(0, prime_import(self->card, self->fd, &h));
	close(self->fd);
	self->fd = -1;
	EXPECT_EQ(live0, stat_get(self->heap, ST_BUFFERS_LIVE));
	EXPECT_EQ(0, gem_close(self->card, h));
	EXPECT_EQ(live0 - 1, stat_get(self->heap, ST_BUFFERS_LIVE));
#endif
}

TEST_HARNESS_MAIN
