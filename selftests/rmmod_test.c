// SPDX-License-Identifier: GPL-2.0
/*
 * rmmod_test: unloading cmheap.  Runs LAST (run.sh sees to it): it removes
 * the modules.
 *
 * The test module (cmheap_test.ko, /dev/cmheap) goes first: while
 * /dev/cmheap is open its unload is refused, and while it is loaded the
 * heaps' module (cmheap.ko), whose exports it uses, cannot go.  Then, while
 * anything holds cmheap.ko (a buffer, a mapping of one, an open heap)
 * delete_module(O_NONBLOCK) is refused; once everything is freed (the
 * counters read zero) it succeeds and the heaps and the debugfs folder go
 * away.  Then the modules are loaded again from the paths in $CMHEAP_KO
 * and $CMHEAP_TEST_KO with finit_module (a compressed file, as DKMS
 * installs them, decompressed first, as modprobe does), and must come
 * back as they were.
 * A heaps-only system (no $CMHEAP_TEST_KO, no /dev/cmheap) skips what
 * needs the test module.
 *
 * The tests run in order and build on each other.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/klog.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <linux/dma-buf.h>

#include "kselftest_harness.h"
#include "cmheap_util.h"

#define MODNAME "cmheap"
#define TEST_MODNAME "cmheap_test"

static int delete_module(const char *name)
{
	return syscall(__NR_delete_module, name, O_NONBLOCK) ? -errno : 0;
}

/*
 * The tool that decompresses @fd's module, by the format's magic number
 * (xz, gzip, zstd), or NULL for a plain ELF file.  DKMS compresses what it
 * installs as the kernel's own modules are (Debian's since 6.12: .ko.xz),
 * but not always in a form the kernel's own decompressor takes (xz's
 * default CRC64 check, where the kernel reads CRC32 only): so, like
 * modprobe, the tests decompress in userspace.
 */
static const char *module_decompressor(int fd)
{
	static const struct {
		unsigned char magic[6];
		size_t len;
		const char *tool;
	} formats[] = {
		{ { 0xfd, '7', 'z', 'X', 'Z', 0 }, 6, "xz" },
		{ { 0x1f, 0x8b }, 2, "gzip" },
		{ { 0x28, 0xb5, 0x2f, 0xfd }, 4, "zstd" },
	};
	unsigned char head[6];
	ssize_t n = pread(fd, head, sizeof(head), 0);
	size_t i;

	for (i = 0; i < ARRAY_SIZE(formats); i++)
		if (n >= (ssize_t)formats[i].len &&
		    !memcmp(head, formats[i].magic, formats[i].len))
			return formats[i].tool;
	return NULL;
}

/*
 * Loads the module @tool decompresses from @fd (read from its start) with
 * init_module(): 0 or -errno (-ENOEXEC when the tool failed).
 */
static int init_module_decompressed(int fd, const char *tool,
				    const char *params)
{
	size_t len = 0, cap = 1 << 20;
	char *image = malloc(cap);
	int pipefd[2], status, ret = 0;
	ssize_t n;
	pid_t pid;

	if (!image)
		return -ENOMEM;
	if (pipe2(pipefd, O_CLOEXEC)) {
		free(image);
		return -errno;
	}
	pid = fork();
	if (!pid) {
		/* dup2() clears close-on-exec on the copies */
		if (dup2(fd, 0) == 0 && dup2(pipefd[1], 1) == 1)
			execlp(tool, tool, "-dc", (char *)NULL);
		_exit(127);
	}
	close(pipefd[1]);
	while (pid > 0 && (n = read(pipefd[0], image + len, cap - len)) > 0) {
		len += n;
		if (len == cap) {
			char *more = realloc(image, cap * 2);

			if (!more) {
				ret = -ENOMEM;
				break;
			}
			image = more;
			cap *= 2;
		}
	}
	close(pipefd[0]);
	if (pid < 0)
		ret = -errno;
	else if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
		 WEXITSTATUS(status))
		ret = ret ?: -ENOEXEC;
	if (!ret && syscall(__NR_init_module, image, len, params))
		ret = -errno;
	free(image);
	return ret;
}

/* Loads the module file @fd, compressed or not: 0 or -errno. */
static int finit_module(int fd, const char *params)
{
	const char *tool = module_decompressor(fd);

	if (tool)
		return init_module_decompressed(fd, tool, params);
	return syscall(__NR_finit_module, fd, params, 0) ? -errno : 0;
}

static int load_file(const char *ko, const char *params)
{
	int fd = open(ko, O_RDONLY | O_CLOEXEC), ret;

	if (fd < 0)
		return -errno;
	ret = finit_module(fd, params);
	close(fd);
	return ret;
}

/*
 * Loads the heaps' module from @ko with the parameters the rig loaded it
 * with ($CMHEAP_PARAMS, which scripts/guest/init.sh exports), and the test
 * module after it, from $CMHEAP_TEST_KO with $CMHEAP_TEST_PARAMS, when
 * there is one: 0 or -errno.
 */
static int load_as_loaded(const char *ko)
{
	const char *test_ko = getenv("CMHEAP_TEST_KO");
	int ret = load_file(ko, getenv("CMHEAP_PARAMS") ?: "");

	if (ret || !test_ko || !*test_ko)
		return ret;
	return load_file(test_ko, getenv("CMHEAP_TEST_PARAMS") ?: "");
}

/* Loaded according to /proc/modules (a built-in one is not unloadable). */
static bool module_listed_as(const char *name)
{
	char line[256];
	bool found = false;
	FILE *f = fopen("/proc/modules", "re");

	if (!f)
		return false;
	while (!found && fgets(line, sizeof(line), f))
		found = !strncmp(line, name, strlen(name)) &&
			line[strlen(name)] == ' ';
	fclose(f);
	return found;
}

static bool module_listed(void)
{
	return module_listed_as(MODNAME);
}

/* Unloads the test module, if loaded, then the heaps' module: 0 or -errno. */
static int unload_both(void)
{
	int ret;

	if (module_listed_as(TEST_MODNAME)) {
		ret = delete_module(TEST_MODNAME);
		if (ret)
			return ret;
	}
	return delete_module(MODNAME);
}

/*
 * The refusal for a module in use: the module core answers EWOULDBLOCK
 * when references remain (EBUSY is for a module still loading or already
 * going away, which would be a different bug).
 */
#define EXPECT_REFUSED(ret) do {					\
	int _r = (ret);							\
	EXPECT_EQ(-EWOULDBLOCK, _r)					\
		TH_LOG("delete_module: %d (%s), want EWOULDBLOCK",	\
		       _r, _r ? strerror(-_r) : "unloaded!");		\
	ASSERT_TRUE(cmheap_loaded());					\
} while (0)

/*
 * Whether the dma-heap framework holds cmheap's heaps: then cmheap.ko cannot
 * be unloaded (the framework has no dma_heap_remove()), which the refusals
 * and unload_when_unused check, and nothing here can reload it.  Asked
 * before the first test, while the module is loaded.
 */
static bool pinned;

static void __attribute__((constructor)) pinned_init(void)
{
	pinned = heaps_registration_framework();
}

#define PINNED	"the dma-heap framework holds cmheap's heaps: cmheap.ko cannot be unloaded, nor reloaded (registration=framework)"

/*
 * The parameters of a load of the tests' own: cmheap's own nodes, which
 * let the module go again (CMHEAP_PARAMS, the rig's, say so already).
 */
#define OWN_NODES	"registration=misc "

/* The module file to reload from (CMHEAP_KO), or SKIP. */
#define NEED_RELOADABLE(ko) do {					\
	if (pinned)							\
		SKIP(return, PINNED);					\
	if (!(ko) || !*(ko))						\
		SKIP(return, "CMHEAP_KO not set: module left unloaded");	\
} while (0)

#define NEED_MODULE() do {						\
	if (!module_listed())						\
		SKIP(return, MODNAME " is not a loaded module");	\
} while (0)

#define NEED_TEST_MODULE() do {						\
	if (!module_listed_as(TEST_MODNAME))				\
		SKIP(return, TEST_MODNAME " is not a loaded module");	\
} while (0)

/*
 * What a load of the heaps' module (@test false) or of the test module
 * (@test true) leaves in the system, as paths: 0 when none is there, else
 * how many, the first into @what.
 */
static int leftovers_of(bool test, char *what, size_t len)
{
	static const char *const heap_paths[] = {
		"/sys/module/" MODNAME, CMHEAP_DEBUGFS,
		/* the heaps' cache-maintenance device (arm64) */
		"/sys/devices/" MODNAME "-maint",
	};
	static const char *const test_paths[] = {
		"/sys/module/" TEST_MODNAME, CMHEAP_CTL_PATH,
		CMHEAP_DEBUGFS "/" CMHEAP_IMPORTER,
	};
	static const char *const heap_dirs[][2] = {
		{ DMA_HEAP_DIR, CMHEAP_HEAP_PREFIX },
	};
	static const char *const test_dirs[][2] = {
		/* its test devices (not the rig's cmheap-dma-ranges bus) */
		{ "/sys/bus/platform/devices", MODNAME "-coherent" },
		{ "/sys/bus/platform/devices", MODNAME "-noncoherent" },
		{ "/sys/bus/platform/drivers", MODNAME },
		{ "/sys/bus/pci/drivers", MODNAME },
	};
	const char *const *paths = test ? test_paths : heap_paths;
	const char *const (*dirs)[2] = test ? test_dirs : heap_dirs;
	unsigned int np = test ? ARRAY_SIZE(test_paths) : ARRAY_SIZE(heap_paths);
	unsigned int nd = test ? ARRAY_SIZE(test_dirs) : ARRAY_SIZE(heap_dirs);
	struct dirent *de;
	unsigned int i;
	int n = 0;
	DIR *d;

	what[0] = '\0';
	for (i = 0; i < np; i++) {
		if (access(paths[i], F_OK))
			continue;
		if (!n++)
			snprintf(what, len, "%s", paths[i]);
	}
	for (i = 0; i < nd; i++) {
		d = opendir(dirs[i][0]);
		while (d && (de = readdir(d))) {
			if (strncmp(de->d_name, dirs[i][1], strlen(dirs[i][1])))
				continue;
			if (!n++)
				snprintf(what, len, "%s/%s", dirs[i][0], de->d_name);
		}
		if (d)
			closedir(d);
	}
	return n;
}

/* What either module's load leaves, as leftovers_of(). */
static int leftovers(char *what, size_t len)
{
	return leftovers_of(true, what, len) ?: leftovers_of(false, what, len);
}

static struct cmheap_heap saved[32];
static int heap_n;

/*
 * Remember the heaps before unloading, to compare after the reload: at
 * start-up, in the harness's process, so that every test (each runs in a
 * child of its own) inherits the list.
 */
static void __attribute__((constructor)) remember_heaps(void)
{
	const struct cmheap_heap *h;
	int i;

	heap_n = cmheap_heaps(&h);
	if (heap_n > (int)ARRAY_SIZE(saved))
		heap_n = ARRAY_SIZE(saved);
	for (i = 0; i < heap_n; i++)
		saved[i] = h[i];
}

static __u64 sum_live(struct __test_metadata *_metadata, enum cmheap_stat key)
{
	const struct cmheap_heap *h;
	int i, n = cmheap_heaps(&h);
	__u64 sum = 0;

	for (i = 0; i < n; i++) {
		__u64 v = stat_get(h[i].name, key);

		EXPECT_NE(UINT64_MAX, v) TH_LOG("%s", h[i].name);
		EXPECT_EQ(0, v) TH_LOG("%s: %s = %llu", h[i].name,
				       cmheap_stat_names[key],
				       (unsigned long long)v);
		sum += v;
	}
	return sum;
}

/*
 * The test module first.  An open /dev/cmheap holds it; and while it is
 * loaded the heaps' module, whose exports it uses, is refused whatever
 * else holds it.
 */
TEST(test_module_refused_while_ctl_open)
{
	int ctl;

	NEED_TEST_MODULE();
	ctl = cmheap_ctl_open();
	ASSERT_LE(0, ctl);
	EXPECT_REFUSED(delete_module(TEST_MODNAME));
	EXPECT_TRUE(cmheap_test_loaded());
	close(ctl);
	EXPECT_REFUSED(delete_module(MODNAME));
}

/*
 * Unused, the test module unloads: /dev/cmheap, the importer's counters,
 * the test devices and drivers go; the heaps stay and work.
 */
TEST(unload_test_module)
{
	char what[320];
	int ret, fd;

	NEED_TEST_MODULE();
	ret = delete_module(TEST_MODNAME);
	ASSERT_EQ(0, ret) TH_LOG("delete_module: %s", strerror(-ret));
	EXPECT_EQ(0, leftovers_of(true, what, sizeof(what)))
		TH_LOG("%s left behind", what);
	EXPECT_TRUE(module_listed());
	ASSERT_LT(0, heap_n);
	fd = alloc_on(saved[0].name, SZ_1M);
	EXPECT_LE(0, fd) TH_LOG("%s: %s", saved[0].name, strerror(-fd));
	if (fd >= 0)
		close(fd);
}

TEST(refused_while_buffer_lives)
{
	const struct cmheap_heap *h;
	int i, n, fd;

	NEED_MODULE();
	n = cmheap_heaps(&h);
	ASSERT_LT(0, n);
	for (i = 0; i < n; i++) {
		fd = alloc_on(h[i].name, SZ_1M);
		ASSERT_LE(0, fd) TH_LOG("%s", h[i].name);
		/* only the buffer: the heap device was closed again */
		EXPECT_REFUSED(delete_module(MODNAME));
		close(fd);
	}
}

TEST(refused_while_only_a_mapping_holds_a_buffer)
{
	const struct cmheap_heap *h;
	void *p;
	int fd;

	NEED_MODULE();
	ASSERT_LT(0, cmheap_heaps(&h));
	fd = alloc_on(h[0].name, SZ_1M);
	ASSERT_LE(0, fd);
	p = mmap(NULL, SZ_1M, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, p);
	close(fd);
	EXPECT_REFUSED(delete_module(MODNAME));
	munmap(p, SZ_1M);
}

TEST(refused_while_devices_open)
{
	const struct cmheap_heap *h;
	int fd;

	NEED_MODULE();
	ASSERT_LT(0, cmheap_heaps(&h));
	fd = heap_open(h[0].name);
	ASSERT_LE(0, fd);
	EXPECT_REFUSED(delete_module(MODNAME));
	close(fd);
}

/* Another process's buffer counts too. */
TEST(refused_while_buffer_lives_elsewhere)
{
	const struct cmheap_heap *h;
	int sv[2], status;
	char c;
	pid_t pid;

	NEED_MODULE();
	ASSERT_LT(0, cmheap_heaps(&h));
	ASSERT_EQ(0, pipe(sv));
	pid = fork();
	ASSERT_LE(0, pid);
	if (pid == 0) {
		int fd = alloc_on(h[0].name, SZ_1M);

		close(sv[0]);
		c = fd >= 0 ? 'y' : 'n';
		if (write(sv[1], &c, 1) != 1)
			_exit(1);
		pause();	/* killed by the parent */
		_exit(0);
	}
	close(sv[1]);
	ASSERT_EQ(1, read(sv[0], &c, 1));
	close(sv[0]);
	EXPECT_EQ('y', c);
	EXPECT_REFUSED(delete_module(MODNAME));
	kill(pid, SIGKILL);
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
}

/*
 * Everything freed: every heap's counters read zero, the module unloads,
 * and its devices and debugfs folder are gone.
 */
TEST(unload_when_unused)
{
	struct dirent *de;
	int i, ret;
	DIR *d;

	NEED_MODULE();
	ASSERT_LT(0, heap_n);
	sum_live(_metadata, ST_BUFFERS_LIVE);
	sum_live(_metadata, ST_BYTES_LIVE);
	if (pinned) {
		/* unused, and still refused: the framework holds the heaps */
		TH_LOG("%s", PINNED);
		EXPECT_REFUSED(delete_module(MODNAME));
		return;
	}

	ret = delete_module(MODNAME);
	ASSERT_EQ(0, ret) TH_LOG("delete_module: %s", strerror(-ret));
	EXPECT_FALSE(module_listed());
	EXPECT_FALSE(cmheap_loaded()) TH_LOG("/sys/module/" MODNAME " still there");
	EXPECT_NE(0, access(CMHEAP_DEBUGFS, F_OK)) TH_LOG(CMHEAP_DEBUGFS
							  " still there");
	for (i = 0; i < heap_n; i++) {
		EXPECT_NE(0, access(saved[i].path, F_OK))
			TH_LOG("%s still there", saved[i].path);
	}
	d = opendir(DMA_HEAP_DIR);
	while (d && (de = readdir(d))) {
		EXPECT_NE(0, strncmp(de->d_name, CMHEAP_HEAP_PREFIX,
				     strlen(CMHEAP_HEAP_PREFIX)))
			TH_LOG("%s still there", de->d_name);
	}
	if (d)
		closedir(d);
	/* and a second unload finds nothing */
	EXPECT_EQ(-ENOENT, delete_module(MODNAME));
}

/* Whether the loaded module had a heap of this name (remembered at start). */
static bool had_heap(const char *name)
{
	int i;

	for (i = 0; i < heap_n; i++)
		if (!strcmp(saved[i].name, name))
			return true;
	return false;
}

/*
 * The first carveout region of $CMHEAP_PARAMS, memory the rig reserved,
 * as the base for carveouts of our own; 0 when there is none.
 */
static unsigned long long rig_carveout_base(void)
{
	const char *params = getenv("CMHEAP_PARAMS"), *at;

	if (!params || !strstr(params, "carveout="))
		return 0;
	at = strchr(strstr(params, "carveout="), '@');
	return at ? strtoull(at + 1, NULL, 0) : 0;
}

#define NEED_RIG_CARVEOUT(base) do {					\
	const char *_ko = getenv("CMHEAP_KO");				\
	(base) = rig_carveout_base();					\
	if (pinned)							\
		SKIP(return, PINNED);					\
	if (!_ko || !*_ko || !(base))					\
		SKIP(return, "no carveout in this guest (CMHEAP_PARAMS)"); \
	ASSERT_FALSE(module_listed());					\
} while (0)

/*
 * A carveout the kernel owns, a malformed one, or regions that overlap are
 * refused at load with EINVAL, and nothing is left behind: the rig's own
 * carveout loads again afterwards (the reload test).  Only with the module
 * unloaded, and only where the loaded one had a carveout (so the rig
 * reserved one to point into).
 */
TEST(bad_carveout_refused)
{
	static const char *const fixed[] = {
		"carveout=junk",
		"carveout=1M",				/* no @BASE */
		"carveout=0@0x10000000",		/* empty */
		"carveout=1M@0x10000001",		/* misaligned */
		"carveout=4097@0x10000000",		/* size not whole pages */
		"carveout=16M@0xfffffffffffff000",	/* wraps */
#if defined(__x86_64__)
		"carveout=16M@0x0",			/* System RAM (arm64 -M virt has none at 0) */
#endif
	};
	unsigned long long base;
	char bad[16][256];
	unsigned int i, n = 0;
	int fd, len;

	NEED_RIG_CARVEOUT(base);
	for (i = 0; i < ARRAY_SIZE(fixed); i++)
		snprintf(bad[n++], sizeof(bad[0]), "%s", fixed[i]);
	/* inside the rig's reserved memory, so only what is named is wrong */
	snprintf(bad[n++], sizeof(bad[0]), "carveout=4M@%#llx:writeback", base);
	snprintf(bad[n++], sizeof(bad[0]), "carveout=4M@%#llx:uncached,4M@%#llx:uncached",
		 base, base + SZ_2M);				/* overlap */
	snprintf(bad[n++], sizeof(bad[0]), "carveout=4M@%#llx:uncached,4M@%#llx:uncached",
		 base, base);					/* twice */
	snprintf(bad[n++], sizeof(bad[0]), "carveout=4M@%#llx:uncached,", base);
	/* more than 8 regions, each fine on its own */
	len = snprintf(bad[n], sizeof(bad[0]), "carveout=");
	for (i = 0; i < 9; i++)
		len += snprintf(bad[n] + len, sizeof(bad[0]) - len,
				"%s1M@%#llx:uncached", i ? "," : "",
				base + i * SZ_1M);
	n++;
	/* struct pages come in 2 MiB subsections, where the kernel has them */
	if (had_heap("cmheap-carveout")) {
		snprintf(bad[n++], sizeof(bad[0]), "carveout=3M@%#llx:cached", base);
		snprintf(bad[n++], sizeof(bad[0]), "carveout=4M@%#llx:cached",
			 base + SZ_1M);
	}
	fd = open(getenv("CMHEAP_KO"), O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	for (i = 0; i < n; i++) {
		EXPECT_EQ(-EINVAL, finit_module(fd, bad[i])) TH_LOG("%s", bad[i]);
		EXPECT_FALSE(module_listed()) TH_LOG("%s left the module loaded", bad[i]);
	}
	close(fd);
}

/*
 * A memory BAR of a PCI device no driver has (edu, once cmheap is gone):
 * "0xSTART 0xEND 0xFLAGS" lines of its sysfs resource file, the first with
 * IORESOURCE_MEM and at least a page.  The device's name into @dev.
 */
static bool unbound_pci_bar(unsigned long long *start, unsigned long long *size,
			    char *dev, size_t len)
{
	unsigned long long s, e, flags;
	char path[320], line[128];
	struct dirent *de;
	bool found = false;
	DIR *d = opendir("/sys/bus/pci/devices");
	FILE *f;

	while (d && !found && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/driver", de->d_name);
		if (!access(path, F_OK))
			continue;
		snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/resource", de->d_name);
		f = fopen(path, "re");
		while (f && !found && fgets(line, sizeof(line), f)) {
			if (sscanf(line, "%llx %llx %llx", &s, &e, &flags) != 3 ||
			    !(flags & 0x200) || !s || s % page_size() ||
			    e + 1 - s < page_size())
				continue;	/* not IORESOURCE_MEM, or too small */
			*start = s;
			*size = (e + 1 - s) / page_size() * page_size();
			snprintf(dev, len, "%s", de->d_name);
			found = true;
		}
		if (f)
			fclose(f);
	}
	if (d)
		closedir(d);
	return found;
}

/*
 * Only memory set aside as memory is a carveout: a PCI device's BAR that no
 * driver holds is neither System RAM nor claimed, and was taken (and
 * mapped write-combined, or by the pages route write-back).  Now EINVAL,
 * nothing left loaded.
 */
TEST(carveout_refuses_mmio)
{
	const char *ko = getenv("CMHEAP_KO");
	unsigned long long start = 0, size = 0;
	char param[128], dev[NAME_MAX + 1];
	int fd, ret;

	NEED_RELOADABLE(ko);
	ASSERT_FALSE(module_listed());
	if (!unbound_pci_bar(&start, &size, dev, sizeof(dev)))
		SKIP(return, "no PCI device without a driver has a memory BAR");
	snprintf(param, sizeof(param), OWN_NODES "carveout=%lluK@%#llx:uncached", size >> 10, start);
	fd = open(ko, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ret = finit_module(fd, param);
	close(fd);
	if (!ret)
		delete_module(MODNAME);
	EXPECT_EQ(-EINVAL, ret) TH_LOG("%s, BAR of %s: %s", param, dev,
				       ret ? strerror(-ret) : "loaded");
	EXPECT_FALSE(module_listed());
}

/* Whether @heap's debugfs lists a region @base + @size (and says @route). */
static bool heap_has_region(const char *heap, unsigned long long base,
			    long long size, const char *route)
{
	struct carveout c;
	int i;

	if (carveout_read(heap, &c) || strcmp(c.route, route))
		return false;
	for (i = 0; i < c.nr; i++)
		if (c.r[i].base == base && c.r[i].size == size)
			return true;
	return false;
}

/*
 * Which heap a region without a model serves, and by which route, is the
 * kernel's to decide: the cached heap with struct pages where it has
 * ZONE_DEVICE (so the loaded module had cmheap-carveout), else the uncached
 * one page-less, never both.  A region given a model the kernel cannot
 * serve is left unused, its heap absent, and the load succeeds.  (Regions
 * a device tree declares are added to these; they are not looked at.)
 */
TEST(carveout_route_per_kernel)
{
	static const char *const heaps[2] = {
		"cmheap-carveout", "cmheap-carveout-uncached",
	};
	static const char *const routes[2] = { "pages", "pageless" };
	bool pages = had_heap("cmheap-carveout");
	char params[96], path[128];
	unsigned long long base;
	int fd, buf, want = pages ? 0 : 1;

	NEED_RIG_CARVEOUT(base);
	fd = open(getenv("CMHEAP_KO"), O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);

	snprintf(params, sizeof(params), OWN_NODES "carveout=8M@%#llx", base);
	ASSERT_EQ(0, finit_module(fd, params)) TH_LOG("%s", params);
	EXPECT_TRUE(heap_has_region(heaps[want], base, 8 * SZ_1M, routes[want]))
		TH_LOG("%s: not in %s by route %s", params, heaps[want], routes[want]);
	EXPECT_FALSE(heap_has_region(heaps[!want], base, 8 * SZ_1M, routes[!want]))
		TH_LOG("%s: in %s too", params, heaps[!want]);
	buf = alloc_on(heaps[want], 8 * SZ_1M);
	EXPECT_LE(0, buf);
	if (buf >= 0)
		close(buf);
	ASSERT_EQ(0, delete_module(MODNAME));

	if (!pages) {
		/* cached asked of a kernel without ZONE_DEVICE: nothing served */
		snprintf(params, sizeof(params), OWN_NODES "carveout=8M@%#llx:cached", base);
		ASSERT_EQ(0, finit_module(fd, params)) TH_LOG("%s", params);
		snprintf(path, sizeof(path), "%s/%s", DMA_HEAP_DIR, heaps[0]);
		EXPECT_NE(0, access(path, F_OK)) TH_LOG("%s: %s", params, heaps[0]);
		EXPECT_FALSE(heap_has_region(heaps[1], base, 8 * SZ_1M, routes[1]));
		ASSERT_EQ(0, delete_module(MODNAME));
	}
	close(fd);
}

FIXTURE(spare) {};
FIXTURE_SETUP(spare) {}
FIXTURE_TEARDOWN(spare) {}

#define SZ_4G	(1ULL << 32)

/*
 * A page-less buffer of 4 GiB and more.  A scatterlist entry's length is
 * 32 bits, so it is exported in several entries, each a dma_map_resource()
 * of its own, that cover it in order at its physical addresses (for the
 * coherent test device, which maps directly): not one entry whose length
 * wrapped to the last part.  Needs 4 GiB and more of memory the kernel
 * does not own: $CMHEAP_SPARE (SIZE in MiB @BASE), which the arm64 rig
 * sets; the module is loaded with it alone for the test (a fixture's
 * tests run after every TEST(), reload's too), then as it was.  Zeroing
 * the buffer at allocation takes TCG a while.
 */
TEST_F_TIMEOUT(spare, pageless_over_4g, 600)
{
	const char *spare = getenv("CMHEAP_SPARE"), *ko = getenv("CMHEAP_KO");
	const unsigned long long len = SZ_4G + SZ_2M;
	unsigned long long mib, base, covered = 0;
	struct cmheap_segment segs[16];
	struct cmheap_attach at;
	struct cmheap_map m;
	__u32 count = 16, i;
	int ctl, buf;
	unsigned char *p;
	char params[96];

	if (pinned)
		SKIP(return, PINNED);
	if (!ko || !*ko || !spare || sscanf(spare, "%lluM@%lli", &mib,
					    (long long *)&base) != 2)
		SKIP(return, "no spare memory of 4 GiB and more here ($CMHEAP_SPARE: the arm64 rig's)");
	ASSERT_LE(len, mib << 20);
	if (module_listed())
		ASSERT_EQ(0, unload_both());
	snprintf(params, sizeof(params), OWN_NODES "carveout=%lluM@%#llx:uncached", mib, base);
	ASSERT_EQ(0, load_file(ko, params)) TH_LOG("%s", params);
	if (!getenv("CMHEAP_TEST_KO") || !*getenv("CMHEAP_TEST_KO")) {
		delete_module(MODNAME);
		SKIP(return, "no $CMHEAP_TEST_KO: no importer to map it for");
	}
	ASSERT_EQ(0, load_file(getenv("CMHEAP_TEST_KO"),
			       getenv("CMHEAP_TEST_PARAMS") ?: ""));
	cmheap_heaps_rescan();

	buf = alloc_on("cmheap-carveout-uncached", len);
	ASSERT_LE(0, buf);
	EXPECT_EQ((long long)len, dmabuf_size(buf));
	p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0);
	ASSERT_NE(MAP_FAILED, p);
	EXPECT_EQ(0, p[0]);
	EXPECT_EQ(0, p[len - 1]);
	ctl = cmheap_ctl_open();
	ASSERT_LE(0, ctl);
	ASSERT_EQ(0, cmheap_ctl_attach(ctl, buf, CMHEAP_DEV_COHERENT, &at));
	EXPECT_TRUE(at.flags & CMHEAP_ATTF_PAGELESS);
	EXPECT_EQ(len, at.size);
	ASSERT_EQ(0, cmheap_ctl_map(ctl, at.handle, CMHEAP_DIR_TO_DEVICE, 0, 0, &m));
	EXPECT_LE(2U, m.orig_nents);
	EXPECT_EQ(m.orig_nents, m.nents);
	ASSERT_EQ(0, cmheap_ctl_segments(ctl, at.handle, 0, segs, &count));
	ASSERT_GE(16U, count);
	for (i = 0; i < count; i++) {
		EXPECT_EQ(covered, segs[i].offset) TH_LOG("segment %u", i);
		EXPECT_EQ(base + covered, segs[i].dma_address) TH_LOG("segment %u", i);
		EXPECT_LT(0ULL, segs[i].length);
		covered += segs[i].length;
	}
	EXPECT_EQ(len, covered) TH_LOG("%u segments", count);
	EXPECT_EQ(0, cmheap_ctl_unmap(ctl, at.handle));
	close(ctl);
	munmap(p, len);
	close(buf);
	EXPECT_EQ(0, unload_both());
	EXPECT_EQ(0, load_as_loaded(ko));
}

/*
 * userspace_names=1: the system heaps also answer to the names Android's
 * libdmabufheap and Rockchip MPP open, the way they use them: open
 * /dev/dma_heap/<name> read-only, DMA_HEAP_IOCTL_ALLOC, mmap, and
 * DMA_BUF_IOCTL_SYNC around the CPU's writes.  "system-uncached" is ours;
 * "system" is ours only where the kernel has no system heap of its own,
 * whose node is never shadowed.  Unloading removes the names.
 */
TEST(userspace_names)
{
	const char *ko = getenv("CMHEAP_KO"), *params = getenv("CMHEAP_PARAMS");
	bool upstream = access(DMA_HEAP_DIR "/system", F_OK) == 0;
	const struct {
		const char *name, *exporter;
	} names[] = {
		{ "system-uncached", "cmheap-system-uncached" },
		{ "system", upstream ? "system" : "cmheap-system" },
	};
	char p[512], path[96], exp[64];
	unsigned int i;
	int fd;

	NEED_RELOADABLE(ko);
	ASSERT_FALSE(module_listed());
	EXPECT_NE(0, access(DMA_HEAP_DIR "/system-uncached", F_OK));
	snprintf(p, sizeof(p), "%s%suserspace_names=1", params ?: "",
		 params && *params ? " " : "");
	fd = open(ko, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, finit_module(fd, p)) TH_LOG("%s", p);
	close(fd);

	for (i = 0; i < ARRAY_SIZE(names); i++) {
		const size_t len = SZ_1M;
		int heap, buf;
		char *m;

		snprintf(path, sizeof(path), DMA_HEAP_DIR "/%s", names[i].name);
		heap = open(path, O_RDONLY | O_CLOEXEC);
		ASSERT_LE(0, heap) TH_LOG("%s: %s", path, strerror(errno));
		buf = heap_alloc(heap, len);
		close(heap);
		ASSERT_LE(0, buf) TH_LOG("%s: %s", path, strerror(-buf));
		ASSERT_EQ(0, dmabuf_exp_name(buf, exp, sizeof(exp)));
		EXPECT_STREQ(names[i].exporter, exp) TH_LOG("%s", path);
		m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, buf, 0);
		ASSERT_NE(MAP_FAILED, m);
		EXPECT_EQ(0, dmabuf_sync(buf, DMA_BUF_SYNC_START | DMA_BUF_SYNC_RW));
		EXPECT_EQ(-1, bytes_check(m, len, 0)) TH_LOG("%s: not zeroed", path);
		pattern_fill(m, len, 0, i + 1);
		EXPECT_EQ(0, dmabuf_sync(buf, DMA_BUF_SYNC_END | DMA_BUF_SYNC_RW));
		EXPECT_EQ(-1, pattern_check(m, len, 0, i + 1));
		munmap(m, len);
		close(buf);
	}
	ASSERT_EQ(0, delete_module(MODNAME));
	EXPECT_NE(0, access(DMA_HEAP_DIR "/system-uncached", F_OK))
		TH_LOG("the name outlived the module");
	EXPECT_EQ(upstream, access(DMA_HEAP_DIR "/system", F_OK) == 0);
}

/*
 * The parameter files outlive the module's exit: "pools=0" written while
 * rmmod tears the pools down must find nothing to drain, never pools being
 * freed (KASAN in the debug kernel, and the kernel's log, judge).  A child
 * writes pools=0 and pools=1 as fast as it can while the module is loaded,
 * its pools filled, and unloaded, again and again; it must only ever see
 * the write succeed or the file gone.
 */
#define POOLS_PARAM "/sys/module/" MODNAME "/parameters/pools"
/*
 * Cycles: up to 20, but no more than the harness's 30 s allow (a debug
 * kernel's insmod under KASAN takes most of a second); at least 3.
 */
#define RMMOD_CYCLES 20
#define RMMOD_SECONDS 15

static void __attribute__((noreturn)) hammer_pools_param(void)
{
	unsigned long n;
	int fd;

	for (n = 0;; n++) {
		/* exit status: 100 + open's errno, 200 + write's */
		fd = open(POOLS_PARAM, O_WRONLY | O_CLOEXEC);
		if (fd < 0) {
			if (errno != ENOENT && errno != ENODEV)
				_exit(100 + (errno & 63));
			continue;
		}
		/* EINVAL and friends would be a bug; a file going away is not */
		if (write(fd, n & 1 ? "1" : "0", 1) != 1 && errno != ENODEV &&
		    errno != ENOENT)
			_exit(200 + (errno & 31));
		close(fd);
	}
}

TEST(pools_param_vs_rmmod)
{
	const char *ko = getenv("CMHEAP_KO");
	int ret, status, i, buf;
	double end = now_s() + RMMOD_SECONDS;
	bool was_loaded;
	pid_t child;

	NEED_RELOADABLE(ko);
	/* run alone (-t), it finds the module loaded and leaves it so */
	was_loaded = module_listed();
	if (was_loaded && unload_both())
		SKIP(return, MODNAME " is in use");
	child = fork();
	ASSERT_LE(0, child);
	if (!child)
		hammer_pools_param();
	for (i = 0; i < RMMOD_CYCLES && (i < 3 || now_s() < end); i++) {
		ret = load_file(ko, getenv("CMHEAP_PARAMS") ?: "");
		ASSERT_EQ(0, ret) TH_LOG("cycle %d: loading %s: %s", i, ko, strerror(-ret));
		/* something in the pools, for the drain and the exit to free */
		buf = alloc_on("cmheap-system", 4 * SZ_1M);
		if (buf >= 0)
			close(buf);
		do {
			ret = delete_module(MODNAME);
		} while (ret == -EWOULDBLOCK);
		ASSERT_EQ(0, ret) TH_LOG("cycle %d: delete_module: %s", i, strerror(-ret));
	}
	ksft_print_msg("%d loads and unloads with pools= written throughout\n", i);
	ret = waitpid(child, &status, WNOHANG);
	ASSERT_EQ(0, ret) TH_LOG("the writer stopped: exit %d",
				 WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	kill(child, SIGKILL);
	ASSERT_EQ(child, waitpid(child, &status, 0));
	EXPECT_TRUE(WIFSIGNALED(status)) TH_LOG("writer exit %d", WEXITSTATUS(status));
	if (was_loaded)
		EXPECT_EQ(0, load_as_loaded(ko));
}

/*
 * The modules' loads walked with injected allocation failures, as
 * fault_test walks its ioctls: finit_module() with the n-th allocation of
 * the loading thread made on the module's behalf (module_range()) failing,
 * n = 1, 2, 3 ... until a load gets through all of them; the heaps' module
 * first, then, with it loaded, the test module.  Each failed load answers
 * ENOMEM (or the driver core's word for it, load_failure_errno()) and
 * leaves nothing of its module behind (no module, device node, heap,
 * debugfs folder, driver or platform device; kmemleak, in run.sh, finds
 * what it leaked); the load that gets through works and unloads.  The
 * debug kernel only; without the cached carveout regions
 * (params_without_cached() says why), and with the edu device held enabled
 * for the test module's walk (edu_hold_enabled() says why).  A fixture's
 * test, so it runs after reload: it unloads the modules first and loads
 * them back at the end.
 */
FIXTURE(insmod) {
	char edu_enable[320];	/* held enabled, or "" */
};
FIXTURE_SETUP(insmod)
{
	self->edu_enable[0] = '\0';
}

/*
 * QEMU's edu device, held enabled from sysfs for the walk, so that the
 * driver's pci_enable_device() and pci_disable_device() only count.  On
 * x86 the first enable routes the device's interrupt through ACPI (_PRT),
 * and ACPICA does not survive every allocation failure: one inside
 * acpi_ut_update_object_reference() ("Could not update object reference
 * count") leaves a namespace object freed while still attached, and the
 * next _PRT evaluation reads it (KASAN: slab-use-after-free in
 * acpi_ns_get_attached_object()).  The firmware interpreter's, not the
 * load's; the driver's own enable and its failure are still walked.
 * Needs the device without a driver (the module unloaded).  @path gets its
 * enable file, or "" when there is no edu device.
 */
static int edu_hold_enabled(char *path, size_t len)
{
	char vendor[16], device[16], file[320];
	struct dirent *de;
	DIR *d = opendir("/sys/bus/pci/devices");
	int ret = 0;

	path[0] = '\0';
	while (d && !path[0] && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(file, sizeof(file), "/sys/bus/pci/devices/%s/vendor", de->d_name);
		if (file_read(file, vendor, sizeof(vendor)))
			continue;
		snprintf(file, sizeof(file), "/sys/bus/pci/devices/%s/device", de->d_name);
		if (file_read(file, device, sizeof(device)))
			continue;
		if (strtoul(vendor, NULL, 16) == 0x1234 && strtoul(device, NULL, 16) == 0x11e8)
			snprintf(path, len, "/sys/bus/pci/devices/%s/enable", de->d_name);
	}
	if (d)
		closedir(d);
	if (path[0])
		ret = file_write(path, "1");
	if (ret)
		path[0] = '\0';
	return ret;
}

FIXTURE_TEARDOWN(insmod)
{
	fail_nth_done();
	/* as it was: the driver bound (enabled) or not (disabled) */
	if (self->edu_enable[0])
		file_write(self->edu_enable, "0");
}

/* Module @name's code, as /proc/modules gives it; 0 when not loaded. */
static unsigned long long module_address(const char *name)
{
	unsigned long long addr = 0;
	char line[256];
	FILE *f = fopen("/proc/modules", "re");

	while (f && !addr && fgets(line, sizeof(line), f)) {
		if (strncmp(line, name, strlen(name)) || line[strlen(name)] != ' ')
			continue;
		if (sscanf(line, "%*s %*s %*s %*s %*s %llx", &addr) != 1)
			addr = 0;
	}
	if (f)
		fclose(f);
	return addr;
}

/*
 * Where the module's loads put its code, give or take: 512 MiB either
 * side of where a load just put it (a freed module's addresses are reused
 * lazily, so each load may land a little further on), short of the
 * kernel's own image (arm64 puts modules just below it, x86 far above).
 * Only allocations with such a frame on the stack count in the walk: the
 * module's init's, not the module loader's (whose failures are the
 * loader's to report, and which warns about a failed vmalloc() with a
 * stack dump).
 */
static int module_range(unsigned long long addr, unsigned long long *lo,
			unsigned long long *hi)
{
	unsigned long long text = kallsyms_addr("_text"), end = kallsyms_addr("_end");

	if (!text || !end || !addr)
		return -1;
	*lo = addr - (512ULL << 20);
	*hi = addr + (512ULL << 20);
	if (addr < text && *hi > text)
		*hi = text;
	if (addr >= end && *lo < end)
		*lo = end;
	return 0;
}

#define INSMOD_FAIL_NTH_MAX	20000

/*
 * $CMHEAP_PARAMS without the cached carveout regions into @out.  Their
 * route's memremap_pages() cannot be walked: it is not failure-atomic.
 * When memory hotplug fails part-way (__add_pages(), an injected ENOMEM),
 * the sections it added stay (and x86's add_pages() WARNs), so every later
 * load finds the region with struct pages already (EEXIST) until a reboot.
 * That is the kernel's, and nothing a failed init of cmheap's could undo.
 */
static void params_without_cached(char *out, size_t len)
{
	char params[512], *word, *save, *item, *isave;
	size_t n = 0, kept;

	snprintf(params, sizeof(params), "%s", getenv("CMHEAP_PARAMS") ?: "");
	out[0] = '\0';
	for (word = strtok_r(params, " ", &save); word; word = strtok_r(NULL, " ", &save)) {
		if (strncmp(word, "carveout=", 9)) {
			n += snprintf(out + n, len - n, "%s%s", n ? " " : "", word);
			continue;
		}
		kept = 0;
		for (item = strtok_r(word + 9, ",", &isave); item;
		     item = strtok_r(NULL, ",", &isave)) {
			if (strstr(item, ":cached"))
				continue;
			n += snprintf(out + n, len - n, "%s%s", kept++ ? "," : n ? " carveout=" :
				      "carveout=", item);
		}
	}
}

static void fail_nth_verbose(const char *level)
{
	file_write("/sys/kernel/debug/failslab/verbose", level);
	file_write("/sys/kernel/debug/fail_page_alloc/verbose", level);
}

/* The kernel's last @lines lines, to say why a load failed as it did. */
static void log_kernel_tail(struct __test_metadata *_metadata, int lines)
{
	static char buf[1 << 16];
	int n = klogctl(3 /* SYSLOG_ACTION_READ_ALL */, buf, sizeof(buf) - 1);
	char *p;

	if (n <= 0)
		return;
	buf[n] = '\0';
	for (p = buf + n; p > buf && lines >= 0; p--) {
		if (p[-1] == '\n')
			lines--;
	}
	TH_LOG("the kernel said:\n%s", p);
}

/*
 * What a load may answer when one of its allocations fails: ENOMEM, or
 * what the driver core makes of it while cmheap registers its devices and
 * drivers.  platform_device_add() ignores dev_set_name()'s ENOMEM and
 * device_add() then finds the device nameless (EINVAL), and so do other
 * registrations that cannot make a name or a kobject; misc_register()
 * answers EBUSY when it cannot allocate a minor.  What the walk holds a
 * failed load to is that it fails and leaves nothing behind.
 */
static bool load_failure_errno(int ret)
{
	return ret == -ENOMEM || ret == -EINVAL || ret == -EBUSY;
}

/*
 * The load that failed at allocation @n once more, the kernel told to log
 * the injection with its stack (the test has failed already: that log
 * fails kernel_log too), and what it logged: where the errno came from.
 */
static void where_it_failed(struct __test_metadata *_metadata, const char *name,
			    int fd, const char *params, unsigned int n)
{
	fail_nth_verbose("2");
	if (!fail_nth_arm(n) && !finit_module(fd, params))
		delete_module(name);
	fail_nth_disarm();
	fail_nth_verbose("0");
	log_kernel_tail(_metadata, 60);
}

/*
 * Walks the load of module @name (the test module when @test) from @ko
 * with @params, as fail_nth_insmod says, and leaves it loaded.  False
 * when this system cannot say where the module's code is (SKIP).
 */
static bool walk_load(struct __test_metadata *_metadata, const char *name,
		      bool test, const char *ko, const char *params)
{
	unsigned int n, failed = 0, worked_around = 0;
	unsigned long long lo, hi;
	double t0 = now_s();
	char what[320];
	int fd, ret, left = 0;

	fd = open(ko, O_RDONLY | O_CLOEXEC);
	ASSERT_LE(0, fd) TH_LOG("%s", ko);
	/* a load of its own first, to see where the module's code goes */
	ASSERT_EQ(0, finit_module(fd, params)) TH_LOG("%s %s", name, params);
	ret = module_range(module_address(name), &lo, &hi);
	ASSERT_EQ(0, delete_module(name));
	if (ret) {
		close(fd);
		return false;
	}
	ASSERT_EQ(0, fail_nth_require(lo, hi));
	for (n = 1; n <= INSMOD_FAIL_NTH_MAX; n++) {
		ASSERT_EQ(0, fail_nth_arm(n));
		ret = finit_module(fd, params);
		left = fail_nth_disarm();
		ASSERT_LE(0, left);
		if (!ret) {
			if (left > 0)
				break;	/* nothing was failed: the walk is over */
			/* a failure worked around: unload and go on */
			worked_around++;
			ASSERT_EQ(0, delete_module(name)) TH_LOG("allocation %u", n);
			continue;
		}
		failed++;
		ASSERT_EQ(0, left) TH_LOG("%s with nothing injected", strerror(-ret));
		if (!load_failure_errno(ret)) {
			EXPECT_EQ(-ENOMEM, ret) TH_LOG("%s: allocation %u failed: %s",
						       name, n, strerror(-ret));
			where_it_failed(_metadata, name, fd, params, n);
		}
		ASSERT_EQ(0, leftovers_of(test, what, sizeof(what)))
			TH_LOG("%s: allocation %u failed: %s left behind", name, n, what);
		if (n % 500 == 0)
			ksft_print_msg("%s: %u loads so far (%.0f s)\n", name, n, now_s() - t0);
	}
	close(fd);
	ASSERT_GE(INSMOD_FAIL_NTH_MAX, n) TH_LOG("%s: still failing after %u allocations",
						 name, n - 1);
	ASSERT_EQ(0, fail_nth_require(0, ~0ULL));
	ksft_print_msg("insmod %s %s: %u allocations, %u failed cleanly, %u worked around (%.0f s)\n",
		       name, params, n - left, failed, worked_around, now_s() - t0);
	return true;
}

TEST_F_TIMEOUT(insmod, fail_nth_insmod, 1800)
{
	const char *ko = getenv("CMHEAP_KO"), *test_ko = getenv("CMHEAP_TEST_KO");
	const struct cmheap_heap *h;
	char why[160], what[320], params[512];
	bool was_loaded;
	int ret;

	NEED_RELOADABLE(ko);
	if (fail_nth_ready(why, sizeof(why)))
		SKIP(return, "%s", why);
	/* after reload (fixtures run last), or alone (-t): loaded */
	was_loaded = module_listed();
	if (was_loaded)
		ASSERT_EQ(0, unload_both());
	params_without_cached(params, sizeof(params));
	if (!walk_load(_metadata, MODNAME, false, ko, params))
		SKIP(return, "no addresses in /proc/kallsyms or /proc/modules (kptr_restrict)");
	/* the load that got through works */
	cmheap_heaps_rescan();
	EXPECT_LT(0, cmheap_heaps(&h));
	ret = alloc_on("cmheap-system", SZ_1M);
	EXPECT_LE(0, ret) TH_LOG("cmheap-system: %s", strerror(-ret));
	if (ret >= 0)
		close(ret);

	if (test_ko && *test_ko) {
		ASSERT_EQ(0, edu_hold_enabled(self->edu_enable, sizeof(self->edu_enable)));
		ASSERT_TRUE(walk_load(_metadata, TEST_MODNAME, true, test_ko,
				      getenv("CMHEAP_TEST_PARAMS") ?: ""));
		/* the load that got through works, and unloads */
		EXPECT_TRUE(cmheap_test_loaded());
		ret = cmheap_ctl_open();
		EXPECT_LE(0, ret) TH_LOG(CMHEAP_CTL_PATH ": %s", strerror(-ret));
		if (ret >= 0)
			close(ret);
		ASSERT_EQ(0, delete_module(TEST_MODNAME));
		EXPECT_EQ(0, leftovers_of(true, what, sizeof(what)))
			TH_LOG("%s left behind", what);
		if (self->edu_enable[0]) {
			EXPECT_EQ(0, file_write(self->edu_enable, "0"));
			self->edu_enable[0] = '\0';
		}
	}
	ASSERT_EQ(0, delete_module(MODNAME));
	EXPECT_EQ(0, leftovers(what, sizeof(what))) TH_LOG("%s left behind", what);
	if (was_loaded)
		EXPECT_EQ(0, load_as_loaded(ko));
}

/*
 * Loaded again from $CMHEAP_KO (and the test module from $CMHEAP_TEST_KO):
 * the same heaps, zeroed counters.
 */
TEST(reload)
{
	const char *ko = getenv("CMHEAP_KO");
	const struct cmheap_heap *h;
	struct cmheap_stats st;
	int fd, ret, i, n;

	NEED_RELOADABLE(ko);
	ASSERT_FALSE(module_listed()) TH_LOG("still loaded: unload failed");
	ret = load_as_loaded(ko);
	ASSERT_EQ(0, ret) TH_LOG("loading %s: %s", ko, strerror(-ret));

	EXPECT_TRUE(module_listed());
	EXPECT_TRUE(cmheap_loaded());
	EXPECT_EQ(!!getenv("CMHEAP_TEST_KO") && *getenv("CMHEAP_TEST_KO"),
		  cmheap_test_loaded());
	/* a fresh enumeration: the heaps are back */
	cmheap_heaps_rescan();
	n = cmheap_heaps(&h);
	if (heap_n) {
		EXPECT_EQ(heap_n, n);
	} else {
		EXPECT_LT(0, n);
	}
	for (i = 0; i < heap_n; i++) {
		EXPECT_EQ(0, access(saved[i].path, R_OK | W_OK))
			TH_LOG("%s", saved[i].path);
	}
	for (i = 0; i < n; i++) {
		int k;

		ASSERT_EQ(0, stats_read(h[i].name, &st)) TH_LOG("%s", h[i].name);
		for (k = 0; k < ST_COUNT; k++) {
			EXPECT_EQ(0, st.v[k]) TH_LOG("%s: %s", h[i].name,
						     cmheap_stat_names[k]);
		}
	}
	if (cmheap_test_loaded()) {
		ASSERT_EQ(0, stats_read(CMHEAP_IMPORTER, &st));
		for (i = 0; i < ST_COUNT; i++) {
			EXPECT_EQ(0, st.v[i]) TH_LOG("importer: %s",
						     cmheap_stat_names[i]);
		}
	}

	/* and it works */
	if (n) {
		fd = alloc_on(h[0].name, SZ_1M);
		EXPECT_LE(0, fd);
		if (fd >= 0)
			close(fd);
	}
}

TEST_HARNESS_MAIN
