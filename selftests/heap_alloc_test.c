// SPDX-License-Identifier: GPL-2.0
/*
 * heap_alloc_test: DMA_HEAP_IOCTL_ALLOC on every /dev/dma_heap/cmheap-*
 * heap, its argument checks as the upstream dma-heap core does them, and
 * the allocation counters in debugfs.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/sysinfo.h>

#include <linux/dma-buf.h>
#include <linux/dma-heap.h>

#include "kselftest_harness.h"
#include "cmheap_util.h"

FIXTURE(alloc) {
	int heap_fd;
	size_t pg;
};

FIXTURE_VARIANT(alloc) {
	struct cmheap_heap heap;
};

CMHEAP_HEAP_VARIANTS(alloc)

FIXTURE_SETUP(alloc)
{
	self->heap_fd = -1;
	heap_variant_check(&variant->heap);
	self->pg = page_size();
	self->heap_fd = open(variant->heap.path, O_RDWR | O_CLOEXEC);
	ASSERT_LE(0, self->heap_fd) {
		TH_LOG("open %s: %s", variant->heap.path, strerror(errno));
	}
}

FIXTURE_TEARDOWN(alloc)
{
	if (self->heap_fd >= 0)
		close(self->heap_fd);
}

/* Sizes are rounded up to whole pages; the dma-buf reports the result. */
TEST_F(alloc, sizes_page_aligned_up)
{
	const size_t pg = self->pg;
	const __u64 lens[] = { 1, pg - 1, pg, pg + 1, 3 * pg + 17, SZ_1M,
			       16 * SZ_1M + 1 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		__u64 want = (lens[i] + pg - 1) / pg * pg;
		int fd = heap_alloc(self->heap_fd, lens[i]);

		ASSERT_LE(0, fd) TH_LOG("len %llu: %s",
					(unsigned long long)lens[i],
					strerror(-fd));
		EXPECT_EQ((long long)want, dmabuf_size(fd))
			TH_LOG("len %llu", (unsigned long long)lens[i]);
		close(fd);
	}
}

/* The fd is a dma-buf of this heap: fdinfo carries an exporter name. */
TEST_F(alloc, fd_is_dmabuf)
{
	char exp[64] = "";
	int fd = heap_alloc(self->heap_fd, SZ_1M);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, dmabuf_exp_name(fd, exp, sizeof(exp)));
	EXPECT_NE(0, exp[0]);
	/* a dma-buf accepts DMA_BUF_IOCTL_SYNC */
	EXPECT_EQ(0, dmabuf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW));
	EXPECT_EQ(0, dmabuf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW));
	close(fd);
}

/* fd_flags reach the new fd: close-on-exec and the access mode. */
TEST_F(alloc, fd_flags_honoured)
{
	const struct {
		__u32 flags;
		int accmode;
		bool cloexec;
	} c[] = {
		{ O_RDWR | O_CLOEXEC,	O_RDWR,		true },
		{ O_RDWR,		O_RDWR,		false },
		{ O_RDONLY,		O_RDONLY,	false },
		{ O_WRONLY | O_CLOEXEC,	O_WRONLY,	true },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(c); i++) {
		int fd = heap_alloc_raw(self->heap_fd, self->pg, 0,
					c[i].flags, 0);
		int fl, fdfl;

		ASSERT_LE(0, fd) TH_LOG("fd_flags %#x", c[i].flags);
		fl = fcntl(fd, F_GETFL);
		fdfl = fcntl(fd, F_GETFD);
		EXPECT_EQ(c[i].accmode, fl & O_ACCMODE)
			TH_LOG("fd_flags %#x", c[i].flags);
		EXPECT_EQ(c[i].cloexec, !!(fdfl & FD_CLOEXEC))
			TH_LOG("fd_flags %#x", c[i].flags);
		close(fd);
	}
}

/* A read-only dma-buf cannot be mapped writable and shared, only read. */
TEST_F(alloc, rdonly_fd_no_shared_write_map)
{
	int fd = heap_alloc_raw(self->heap_fd, self->pg, 0, O_RDONLY, 0);
	void *p;

	ASSERT_LE(0, fd);
	p = mmap(NULL, self->pg, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	EXPECT_EQ(MAP_FAILED, p);
	EXPECT_EQ(EACCES, errno);
	if (p != MAP_FAILED)
		munmap(p, self->pg);
	/* but read-only, shared, it maps (the kernel drops VM_SHARED then) */
	p = mmap(NULL, self->pg, PROT_READ, MAP_SHARED, fd, 0);
	EXPECT_NE(MAP_FAILED, p) TH_LOG("PROT_READ of an O_RDONLY dma-buf: %s",
					strerror(errno));
	if (p != MAP_FAILED) {
		EXPECT_EQ(-1, bytes_check(p, self->pg, 0));
		munmap(p, self->pg);
	}
	close(fd);
}

/* struct dma_heap_allocation_data.fd is output only: nonzero in → EINVAL */
TEST_F(alloc, fd_field_nonzero_einval)
{
	EXPECT_EQ(-EINVAL, heap_alloc_raw(self->heap_fd, self->pg, 1,
					  O_RDWR | O_CLOEXEC, 0));
	EXPECT_EQ(-EINVAL, heap_alloc_raw(self->heap_fd, self->pg, 0xffffffff,
					  O_RDWR | O_CLOEXEC, 0));
}

TEST_F(alloc, bad_fd_flags_einval)
{
	const __u32 bad[] = { O_NONBLOCK, O_RDWR | O_APPEND, O_CREAT,
			      ~(__u32)(O_RDWR | O_CLOEXEC), 0x80000000u };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EINVAL, heap_alloc_raw(self->heap_fd, self->pg, 0,
						  bad[i], 0))
			TH_LOG("fd_flags %#x", bad[i]);
	}
}

TEST_F(alloc, heap_flags_einval)
{
	const __u64 bad[] = { 1, 0x111111, 1ULL << 32, 1ULL << 63 };
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(-EINVAL, heap_alloc_raw(self->heap_fd, self->pg, 0,
						  O_RDWR | O_CLOEXEC, bad[i]))
			TH_LOG("heap_flags %#llx", (unsigned long long)bad[i]);
	}
}

TEST_F(alloc, len_zero_einval)
{
	EXPECT_EQ(-EINVAL, heap_alloc(self->heap_fd, 0));
}

/*
 * More than the machine has fails cleanly (ENOMEM, or EINVAL when the
 * page-aligned size does not fit): nothing is left allocated.
 */
TEST_F(alloc, absurd_len_fails)
{
	const char *h = variant->heap.name;
	struct sysinfo si;
	__u64 lens[3];
	unsigned int i;

	ASSERT_EQ(0, sysinfo(&si));
	lens[0] = ((__u64)si.totalram * si.mem_unit * 2 + self->pg) &
		  ~((__u64)self->pg - 1);
	lens[1] = ~0ULL & ~((__u64)self->pg - 1);	/* fits after align */
	lens[2] = ~0ULL;				/* aligns to 0 */

	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		struct cmheap_stats a, b;
		int ret;

		ASSERT_EQ(0, stats_read(h, &a));
		ret = heap_alloc(self->heap_fd, lens[i]);
		ASSERT_EQ(0, stats_read(h, &b));
		if (ret >= 0)
			close(ret);
		EXPECT_TRUE(ret == -ENOMEM || ret == -EINVAL)
			TH_LOG("len %#llx: got %d (%s)",
			       (unsigned long long)lens[i], ret,
			       ret < 0 ? strerror(-ret) : "allocated");
		EXPECT_EQ(a.v[ST_BUFFERS_LIVE], b.v[ST_BUFFERS_LIVE]);
		EXPECT_EQ(a.v[ST_BYTES_LIVE], b.v[ST_BYTES_LIVE]);
		EXPECT_EQ(a.v[ST_ALLOCS], b.v[ST_ALLOCS]);
		/* twice the RAM reaches the heap, which counts its failure */
		if (i == 0 && ret == -ENOMEM) {
			EXPECT_EQ(a.v[ST_ALLOC_FAILURES] + 1,
				  b.v[ST_ALLOC_FAILURES])
				TH_LOG("len %#llx", (unsigned long long)lens[i]);
		}
	}
}

/* An older userspace's struct, without heap_flags (zero-extended in). */
TEST_F(alloc, compat_smaller_struct)
{
	struct older {
		__u64 len;
		__u32 fd;
		__u32 fd_flags;
	} d = { .len = SZ_1M, .fd_flags = O_RDWR | O_CLOEXEC };
	unsigned long cmd = _IOWR(DMA_HEAP_IOC_MAGIC, 0x0, struct older);

	ASSERT_EQ(0, ioctl(self->heap_fd, cmd, &d)) TH_LOG("%s", strerror(errno));
	EXPECT_LT(0, (int)d.fd);
	EXPECT_EQ((long long)SZ_1M, dmabuf_size(d.fd));
	close(d.fd);
}

/* A newer userspace's struct with extra fields: they are ignored. */
TEST_F(alloc, compat_bigger_struct)
{
	struct newer {
		__u64 len;
		__u32 fd;
		__u32 fd_flags;
		__u64 heap_flags;
		__u64 extra[3];
	} d = {
		.len = SZ_1M,
		.fd_flags = O_RDWR | O_CLOEXEC,
		.extra = { 0xffffffff, 0x88888888, 0x11111111 },
	};
	unsigned long cmd = _IOWR(DMA_HEAP_IOC_MAGIC, 0x0, struct newer);

	ASSERT_EQ(0, ioctl(self->heap_fd, cmd, &d)) TH_LOG("%s", strerror(errno));
	EXPECT_LT(0, (int)d.fd);
	EXPECT_EQ((long long)SZ_1M, dmabuf_size(d.fd));
	EXPECT_EQ(0xffffffffULL, d.extra[0]);
	close(d.fd);

	/* and heap_flags is still checked in the bigger struct */
	d.fd = 0;
	d.heap_flags = 1;
	EXPECT_EQ(-1, ioctl(self->heap_fd, cmd, &d));
	EXPECT_EQ(EINVAL, errno);
}

TEST_F(alloc, unknown_ioctl_rejected)
{
	struct dma_heap_allocation_data d = { .len = self->pg,
					      .fd_flags = O_RDWR };
	const unsigned long cmds[] = {
		_IOWR(DMA_HEAP_IOC_MAGIC, 0x1, struct dma_heap_allocation_data),
		_IOWR(DMA_HEAP_IOC_MAGIC, 0x7f, struct dma_heap_allocation_data),
		_IO(DMA_HEAP_IOC_MAGIC, 0x2),
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cmds); i++) {
		int ret = ioctl(self->heap_fd, cmds[i], &d);

		EXPECT_EQ(-1, ret);
		EXPECT_TRUE(errno == EINVAL || errno == ENOTTY)
			TH_LOG("cmd %#lx: errno %d", cmds[i], errno);
		if (ret >= 0 && d.fd)
			close(d.fd);
	}
}

/* The heap's counters follow one buffer through alloc and close. */
TEST_F(alloc, stats_track_alloc_and_free)
{
	const char *h = variant->heap.name;
	struct cmheap_stats a, b, c;
	int fd;

	ASSERT_EQ(0, stats_read(h, &a)) TH_LOG("stats of %s", h);
	fd = heap_alloc(self->heap_fd, 2 * self->pg + 1);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, stats_read(h, &b));
	EXPECT_EQ(a.v[ST_BUFFERS_LIVE] + 1, b.v[ST_BUFFERS_LIVE]);
	EXPECT_EQ(a.v[ST_BYTES_LIVE] + 3 * self->pg, b.v[ST_BYTES_LIVE]);
	EXPECT_EQ(a.v[ST_ALLOCS] + 1, b.v[ST_ALLOCS]);
	EXPECT_EQ(a.v[ST_FREES], b.v[ST_FREES]);
	EXPECT_EQ(a.v[ST_ALLOC_FAILURES], b.v[ST_ALLOC_FAILURES]);
	close(fd);
	ASSERT_EQ(0, stats_read(h, &c));
	EXPECT_EQ(a.v[ST_BUFFERS_LIVE], c.v[ST_BUFFERS_LIVE]);
	EXPECT_EQ(a.v[ST_BYTES_LIVE], c.v[ST_BYTES_LIVE]);
	EXPECT_EQ(a.v[ST_FREES] + 1, c.v[ST_FREES]);
}

/* Many buffers at once: all distinct, all counted, all freed. */
TEST_F(alloc, many_buffers)
{
	enum { N = 256 };
	const char *h = variant->heap.name;
	__u64 live0, bytes0;
	int fds[N], i, n = 0;

	live0 = stat_get(h, ST_BUFFERS_LIVE);
	bytes0 = stat_get(h, ST_BYTES_LIVE);
	ASSERT_NE(UINT64_MAX, live0);
	for (i = 0; i < N; i++) {
		fds[i] = heap_alloc(self->heap_fd, (i % 4 + 1) * self->pg);
		if (fds[i] < 0)
			break;
		n++;
	}
	EXPECT_EQ(N, n) TH_LOG("allocation %d failed: %s", n,
			       strerror(-fds[n < N ? n : 0]));
	EXPECT_EQ(live0 + n, stat_get(h, ST_BUFFERS_LIVE));
	EXPECT_EQ(bytes0 + (__u64)(n / 4) * 10 * self->pg +
		  (__u64)((n % 4) * (n % 4 + 1) / 2) * self->pg,
		  stat_get(h, ST_BYTES_LIVE));
	for (i = 0; i < n; i++)
		close(fds[i]);
	EXPECT_EQ(live0, stat_get(h, ST_BUFFERS_LIVE));
	EXPECT_EQ(bytes0, stat_get(h, ST_BYTES_LIVE));
}

static void fill_and_close(struct __test_metadata *_metadata, int heap_fd,
			   size_t size, int count)
{
	int i;

	for (i = 0; i < count; i++) {
		int fd = heap_alloc(heap_fd, size);
		void *p;

		ASSERT_LE(0, fd);
		p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		ASSERT_NE(MAP_FAILED, p);
		dmabuf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_WRITE);
		memset(p, 0xa5, size);
		dmabuf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_WRITE);
		munmap(p, size);
		close(fd);
	}
}

static void check_zeroed(struct __test_metadata *_metadata, int heap_fd,
			 size_t size, int count)
{
	int i;

	for (i = 0; i < count; i++) {
		int fd = heap_alloc(heap_fd, size);
		long bad;
		void *p;

		ASSERT_LE(0, fd);
		p = mmap(NULL, size, PROT_READ, MAP_SHARED, fd, 0);
		ASSERT_NE(MAP_FAILED, p);
		dmabuf_sync(fd, DMA_BUF_SYNC_START | DMA_BUF_SYNC_READ);
		bad = bytes_check(p, size, 0);
		dmabuf_sync(fd, DMA_BUF_SYNC_END | DMA_BUF_SYNC_READ);
		munmap(p, size);
		close(fd);
		ASSERT_EQ(-1, bad) TH_LOG("buffer %d of %zu bytes: byte %ld not 0",
					  i, size, bad);
	}
}

/* Buffers come zeroed, even when they reuse pages just dirtied and freed. */
TEST_F(alloc, zeroed_small)
{
	fill_and_close(_metadata, self->heap_fd, self->pg, 64);
	check_zeroed(_metadata, self->heap_fd, self->pg, 64);
}

TEST_F(alloc, zeroed_1m)
{
	fill_and_close(_metadata, self->heap_fd, SZ_1M, 32);
	check_zeroed(_metadata, self->heap_fd, SZ_1M, 32);
}

TEST_F(alloc, zeroed_large)
{
	fill_and_close(_metadata, self->heap_fd, 32 * SZ_1M, 2);
	check_zeroed(_metadata, self->heap_fd, 32 * SZ_1M, 2);
}

/* Each heap's stats file has every documented counter. */
TEST_F(alloc, stats_keys)
{
	struct cmheap_stats st;
	int i;

	ASSERT_EQ(0, stats_read(variant->heap.name, &st));
	for (i = 0; i < ST_COUNT; i++) {
		EXPECT_TRUE(st.seen & (1U << i))
			TH_LOG("%s: no \"%s\"", variant->heap.name,
			       cmheap_stat_names[i]);
	}
}

/* Module-wide: debugfs and /dev/dma_heap agree on the list of heaps. */
TEST(debugfs_matches_heaps)
{
	const struct cmheap_heap *h;
	int n = cmheap_heaps(&h), i, dirs = 0;
	struct cmheap_stats st;
	struct dirent *de;
	DIR *d;

	if (!cmheap_loaded())
		SKIP(return, "cmheap module not loaded");
	debugfs_ensure();
	d = opendir(CMHEAP_DEBUGFS);
	ASSERT_NE(NULL, d) TH_LOG(CMHEAP_DEBUGFS ": %s", strerror(errno));
	while ((de = readdir(d))) {
		char dev[320];

		/* module-wide files (pools) beside the folders */
		if (de->d_name[0] == '.' || de->d_type != DT_DIR ||
		    !strcmp(de->d_name, CMHEAP_IMPORTER))
			continue;
		dirs++;
		snprintf(dev, sizeof(dev), DMA_HEAP_DIR "/%s", de->d_name);
		EXPECT_EQ(0, access(dev, F_OK))
			TH_LOG("debugfs has %s, but there is no %s",
			       de->d_name, dev);
	}
	closedir(d);
	EXPECT_EQ(n, dirs);
	for (i = 0; i < n; i++) {
		EXPECT_EQ(0, stats_read(h[i].name, &st))
			TH_LOG("no stats for %s", h[i].name);
	}

	if (!cmheap_test_loaded()) {
		/* only the test module makes the importer's folder */
		EXPECT_NE(0, stats_read(CMHEAP_IMPORTER, &st));
		return;
	}
	ASSERT_EQ(0, stats_read(CMHEAP_IMPORTER, &st));
	EXPECT_EQ(ST_IMPORTER_KEYS, st.seen & ST_IMPORTER_KEYS);
}

/*
 * cmheap.ko alone, as a board that ships only the heaps loads it, makes
 * none of the test module's things: no /dev/cmheap, no importer counters,
 * no test devices, no drivers to bind a device to.  Only where the test
 * module is not loaded (the rig's heaps-only guests).
 */
TEST(heaps_module_has_no_test_machinery)
{
	static const char *const paths[] = {
		CMHEAP_CTL_PATH,
		CMHEAP_DEBUGFS "/" CMHEAP_IMPORTER,
		"/sys/bus/platform/devices/cmheap-coherent",
		"/sys/bus/platform/devices/cmheap-noncoherent",
		"/sys/bus/platform/drivers/cmheap",
		"/sys/bus/pci/drivers/cmheap",
	};
	unsigned int i;

	if (!cmheap_loaded())
		SKIP(return, "cmheap module not loaded");
	if (!access("/sys/module/cmheap_test", F_OK))
		SKIP(return, "cmheap_test.ko is loaded");
	debugfs_ensure();
	ASSERT_EQ(0, access(CMHEAP_DEBUGFS, F_OK)) TH_LOG("no " CMHEAP_DEBUGFS);
	for (i = 0; i < ARRAY_SIZE(paths); i++) {
		const char *path = paths[i];

		EXPECT_NE(0, access(path, F_OK))
			TH_LOG("%s exists with cmheap.ko alone", path);
	}
}

/*
 * CMHEAP_HEAP_CTL_NODE, which anyone may open, and every heap node where
 * cmheap makes them, answer the uAPI version its header says, every field
 * set, without a buffer or any right beyond the open; the flags say who
 * made the heaps' nodes.  Where the dma-heap framework made them, they
 * answer only the framework's own ioctl.
 */
TEST(version_query)
{
	const struct cmheap_heap *h;
	bool framework = heaps_registration_framework();
	struct cmheap_version v;
	struct stat st;
	int i, n = cmheap_heaps(&h);

	if (!n)
		SKIP(return, "no cmheap heap");
	ASSERT_EQ(0, stat(CMHEAP_HEAP_CTL_NODE, &st));
	EXPECT_EQ(0666, st.st_mode & 0777);
	ASSERT_LE(0, heap_ctl_fd());
	memset(&v, 0xff, sizeof(v));
	EXPECT_EQ(0, ioctl(heap_ctl_fd(), CMHEAP_HEAP_IOC_VERSION, &v));
	EXPECT_EQ(CMHEAP_UAPI_VERSION_MAJOR, v.major);
	EXPECT_EQ(CMHEAP_UAPI_VERSION_MINOR, v.minor);
	EXPECT_EQ(framework ? CMHEAP_VERSION_FRAMEWORK : 0, v.flags);
	EXPECT_EQ(0, v.reserved);
	EXPECT_EQ(-1, ioctl(heap_ctl_fd(), CMHEAP_HEAP_IOC_VERSION, NULL));
	EXPECT_EQ(EFAULT, errno);
	EXPECT_EQ(-1, ioctl(heap_ctl_fd(), DMA_HEAP_IOCTL_ALLOC, NULL));
	EXPECT_EQ(ENOTTY, errno);
	for (i = 0; i < n; i++) {
		int fd = open(h[i].path, O_RDONLY | O_CLOEXEC);

		ASSERT_LE(0, fd) TH_LOG("%s", h[i].path);
		memset(&v, 0xff, sizeof(v));
		if (framework) {
			EXPECT_EQ(-1, ioctl(fd, CMHEAP_HEAP_IOC_VERSION, &v)) TH_LOG("%s", h[i].name);
			close(fd);
			continue;
		}
		EXPECT_EQ(0, ioctl(fd, CMHEAP_HEAP_IOC_VERSION, &v)) TH_LOG("%s", h[i].name);
		EXPECT_EQ(CMHEAP_UAPI_VERSION_MAJOR, v.major) TH_LOG("%s", h[i].name);
		EXPECT_EQ(CMHEAP_UAPI_VERSION_MINOR, v.minor) TH_LOG("%s", h[i].name);
		EXPECT_EQ(0, v.flags);
		EXPECT_EQ(0, v.reserved);
		EXPECT_EQ(-1, ioctl(fd, CMHEAP_HEAP_IOC_VERSION, NULL));
		EXPECT_EQ(EFAULT, errno);
		close(fd);
	}
}

/* The device number in a sysfs "dev" file ("MAJOR:MINOR"), or 0. */
static dev_t sysfs_dev(const char *path)
{
	unsigned int major, minor;
	char text[32];

	if (file_read(path, text, sizeof(text)) ||
	    sscanf(text, "%u:%u", &major, &minor) != 2)
		return 0;
	return makedev(major, minor);
}

/*
 * Who makes the heaps' nodes: the kernel's dma-heap framework where it
 * exports dma_heap_add() to modules (its __ksymtab entry) unless
 * registration=misc, else cmheap's misc devices; debugfs says which, the
 * nodes are that class's devices, and a module the framework holds heaps
 * of cannot go (it has no dma_heap_remove()).
 */
TEST(registration_route)
{
	const struct cmheap_heap *h;
	char param[32], class_dev[160];
	bool exported, framework;
	struct stat st;
	int i, n = cmheap_heaps(&h);

	if (!n)
		SKIP(return, "no cmheap heap");
	ASSERT_EQ(0, param_read("registration", param, sizeof(param)));
	exported = kallsyms_addr("__ksymtab_dma_heap_add") != 0;
	framework = heaps_registration_framework();
	TH_LOG("registration=%s, dma_heap_add %sexported: %s", param,
	       exported ? "" : "not ", framework ? "framework" : "misc");
	EXPECT_EQ(exported && strcmp(param, "misc") != 0, framework);
	for (i = 0; i < n; i++) {
		snprintf(class_dev, sizeof(class_dev), "/sys/class/%s/%s/dev",
			 framework ? "dma_heap" : "misc", h[i].name);
		ASSERT_EQ(0, stat(h[i].path, &st)) TH_LOG("%s", h[i].path);
		EXPECT_TRUE(S_ISCHR(st.st_mode));
		EXPECT_EQ(sysfs_dev(class_dev), st.st_rdev)
			TH_LOG("%s is not %s", h[i].path, class_dev);
	}
	if (framework && !cmheap_test_loaded())
		EXPECT_LT(0, read_num("/sys/module/cmheap/refcnt", NULL))
			TH_LOG("the framework holds its heaps, but cmheap.ko could go");
}

/*
 * Loaded with userspace_names=1 (a board's /etc/modprobe.d, the rig's heaps
 * configuration), the uncached system heap also answers to the name
 * Android's libdmabufheap opens, made by the route its own node took: the
 * framework's class where the framework holds the heaps, else a misc
 * device of cmheap's.  (rmmod_test's userspace_names loads the module
 * with it and checks both names and their removal, where it can reload.)
 */
TEST(userspace_names_as_loaded)
{
	const char *path = DMA_HEAP_DIR "/system-uncached";
	char param[8], class_dev[160], exp[64];
	bool framework;
	struct stat st;
	int buf;

	if (param_read("userspace_names", param, sizeof(param)) ||
	    param[0] != 'Y')
		SKIP(return, "cmheap loaded without userspace_names=1");
	framework = heaps_registration_framework();
	ASSERT_EQ(0, stat(path, &st)) TH_LOG("%s: %s", path, strerror(errno));
	snprintf(class_dev, sizeof(class_dev), "/sys/class/%s/system-uncached/dev",
		 framework ? "dma_heap" : "misc");
	EXPECT_EQ(sysfs_dev(class_dev), st.st_rdev)
		TH_LOG("%s is not %s", path, class_dev);
	buf = alloc_on("system-uncached", SZ_1M);
	ASSERT_LE(0, buf) TH_LOG("%s: %s", path, strerror(-buf));
	ASSERT_EQ(0, dmabuf_exp_name(buf, exp, sizeof(exp)));
	EXPECT_STREQ("cmheap-system-uncached", exp);
	close(buf);
}

/* Both caching models the module is about are there. */
TEST(known_heaps_present)
{
	const char *const want[] = { "cmheap-system", "cmheap-system-uncached" };
	unsigned int i;

	if (!cmheap_loaded())
		SKIP(return, "cmheap module not loaded");
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		char dev[96];

		snprintf(dev, sizeof(dev), DMA_HEAP_DIR "/%s", want[i]);
		EXPECT_EQ(0, access(dev, R_OK | W_OK)) TH_LOG("%s", dev);
	}
}

TEST_HARNESS_MAIN
