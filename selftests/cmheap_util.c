// SPDX-License-Identifier: GPL-2.0
/*
 * Shared helpers of the cmheap selftests; see cmheap_util.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>

#include <linux/magic.h>

#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/udmabuf.h>

#include "cmheap_util.h"

#define MAX_HEAPS 32

static struct cmheap_heap heap_list[MAX_HEAPS];
static int heap_count = -1;

const __u32 cmheap_dirs[3] = {
	CMHEAP_DIR_BIDIRECTIONAL, CMHEAP_DIR_TO_DEVICE, CMHEAP_DIR_FROM_DEVICE,
};

static int heap_cmp(const void *a, const void *b)
{
	return strcmp(((const struct cmheap_heap *)a)->name,
		      ((const struct cmheap_heap *)b)->name);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls >= lx && !strcmp(s + ls - lx, suffix);
}

int carveout_read(const char *heap, struct carveout *c)
{
	char path[160], line[160];
	FILE *f;

	debugfs_ensure();
	snprintf(path, sizeof(path), "%s/%s/carveout", CMHEAP_DEBUGFS, heap);
	memset(c, 0, sizeof(*c));
	c->size = c->available = c->largest = -1;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "route %15s", c->route) == 1 ||
		    sscanf(line, "size %lld", &c->size) == 1 ||
		    sscanf(line, "available %lld", &c->available) == 1 ||
		    sscanf(line, "largest_free %lld", &c->largest) == 1)
			continue;
		if (c->nr < CARVEOUT_MAX_REGIONS &&
		    sscanf(line, "region %llx %lld %lld %lld", &c->r[c->nr].base,
			   &c->r[c->nr].size, &c->r[c->nr].available,
			   &c->r[c->nr].largest) == 4)
			c->nr++;
	}
	fclose(f);
	return c->size < 0 || !c->nr ? -ENOENT : 0;
}

/* A carveout heap's debugfs file says which memory route it takes. */
static void heap_route(struct cmheap_heap *h)
{
	struct carveout c;

	h->carveout = !carveout_read(h->name, &c);
	h->pageless = h->carveout && !strcmp(c.route, "pageless");
}

int cmheap_heaps(const struct cmheap_heap **heaps)
{
	struct dirent *de;
	DIR *d;

	if (heap_count < 0) {
		heap_count = 0;
		d = opendir(DMA_HEAP_DIR);
		while (d && (de = readdir(d)) && heap_count < MAX_HEAPS) {
			struct cmheap_heap *h = &heap_list[heap_count];

			if (strncmp(de->d_name, CMHEAP_HEAP_PREFIX,
				    strlen(CMHEAP_HEAP_PREFIX)) ||
			    strlen(de->d_name) >= sizeof(h->name))
				continue;
			snprintf(h->name, sizeof(h->name), "%s", de->d_name);
			snprintf(h->path, sizeof(h->path), "%s/%s",
				 DMA_HEAP_DIR, de->d_name);
			h->uncached = ends_with(h->name, "-uncached");
			heap_route(h);
			heap_count++;
		}
		if (d)
			closedir(d);
		qsort(heap_list, heap_count, sizeof(heap_list[0]), heap_cmp);
	}
	*heaps = heap_list;
	return heap_count;
}

void cmheap_heaps_rescan(void)
{
	heap_count = -1;
}

bool cmheap_loaded(void)
{
	return access("/sys/module/cmheap", F_OK) == 0;
}

bool cmheap_test_loaded(void)
{
	return access(CMHEAP_CTL_PATH, F_OK) == 0;
}

size_t page_size(void)
{
	return (size_t)sysconf(_SC_PAGESIZE);
}

int heap_open(const char *name)
{
	char path[128];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", DMA_HEAP_DIR, name);
	fd = open(path, O_RDWR | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int heap_alloc_raw(int heap_fd, __u64 len, __u32 fd_in, __u32 fd_flags,
		   __u64 heap_flags)
{
	struct dma_heap_allocation_data data = {
		.len = len,
		.fd = fd_in,
		.fd_flags = fd_flags,
		.heap_flags = heap_flags,
	};

	if (ioctl(heap_fd, DMA_HEAP_IOCTL_ALLOC, &data))
		return -errno;
	return (int)data.fd;
}

int heap_alloc(int heap_fd, __u64 len)
{
	return heap_alloc_raw(heap_fd, len, 0, O_RDWR | O_CLOEXEC, 0);
}

int alloc_on(const char *heap, __u64 len)
{
	int hfd = heap_open(heap), fd;

	if (hfd < 0)
		return hfd;
	fd = heap_alloc(hfd, len);
	close(hfd);
	return fd;
}

int dmabuf_sync(int dmabuf_fd, __u64 flags)
{
	struct dma_buf_sync sync = { .flags = flags };

	return ioctl(dmabuf_fd, DMA_BUF_IOCTL_SYNC, &sync) ? -errno : 0;
}

long long dmabuf_size(int dmabuf_fd)
{
	off_t end = lseek(dmabuf_fd, 0, SEEK_END);

	if (end < 0)
		return -errno;
	lseek(dmabuf_fd, 0, SEEK_SET);
	return end;
}

int dmabuf_exp_name(int dmabuf_fd, char *buf, size_t len)
{
	char path[64], line[256];
	int ret = -ENOENT;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", dmabuf_fd);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char *v;

		if (strncmp(line, "exp_name:", 9))
			continue;
		v = line + 9;
		v += strspn(v, " \t");
		v[strcspn(v, "\n")] = '\0';
		snprintf(buf, len, "%s", v);
		ret = 0;
		break;
	}
	fclose(f);
	return ret;
}

static inline uint64_t pattern_word(size_t off, uint64_t seed)
{
	uint64_t x = (off / 8 + 1) * 0x9e3779b97f4a7c15ULL ^ seed;

	x ^= x >> 29;
	return x;
}

void pattern_fill(void *p, size_t len, size_t buf_off, uint64_t seed)
{
	uint64_t *w = p;
	size_t i;

	for (i = 0; i < len / 8; i++)
		w[i] = pattern_word(buf_off + i * 8, seed);
}

long pattern_check(const void *p, size_t len, size_t buf_off, uint64_t seed)
{
	const volatile uint64_t *w = p;
	size_t i;

	for (i = 0; i < len / 8; i++)
		if (w[i] != pattern_word(buf_off + i * 8, seed))
			return (long)(i * 8);
	return -1;
}

long bytes_check(const void *p, size_t len, unsigned char c)
{
	const volatile unsigned char *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		if (b[i] != c)
			return (long)i;
	return -1;
}

const char *const cmheap_stat_names[ST_COUNT] = {
	[ST_BUFFERS_LIVE]	= "buffers_live",
	[ST_BYTES_LIVE]		= "bytes_live",
	[ST_ALLOCS]		= "allocs",
	[ST_FREES]		= "frees",
	[ST_ALLOC_FAILURES]	= "alloc_failures",
	[ST_MAPS]		= "maps",
	[ST_UNMAPS]		= "unmaps",
	[ST_CPU_SYNCS]		= "cpu_syncs",
	[ST_CACHE_MAINT_OPS]	= "cache_maint_ops",
	[ST_ALLOC_CLEANS]	= "alloc_cleans",
	[ST_POOL_HITS]		= "pool_hits",
	[ST_POOL_ZEROED]	= "pool_zeroed_on_alloc",
	[ST_POOL_MISSES]	= "pool_misses",
	[ST_POOL_RETURNS]	= "pool_returns",
};

int file_read(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

int file_write(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		ret = errno ? -errno : -EIO;
	close(fd);
	return ret;
}

int trace_event_set(const char *event, bool on)
{
	char path[160];

	snprintf(path, sizeof(path), TRACEFS "/events/%s/enable", event);
	return file_write(path, on ? "1" : "0");
}

int trace_clear(void)
{
	int fd = open(TRACEFS "/trace", O_WRONLY | O_TRUNC | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

unsigned int trace_lines_with(const char *const *words)
{
	FILE *f = fopen(TRACEFS "/trace", "re");
	unsigned int n = 0, i;
	char line[1024];

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		for (i = 0; words[i] && strstr(line, words[i]); i++)
			;
		n += !words[i];
	}
	fclose(f);
	return n;
}

int param_read(const char *name, char *buf, size_t len)
{
	char path[128];
	int ret;

	snprintf(path, sizeof(path), "/sys/module/cmheap/parameters/%s", name);
	ret = file_read(path, buf, len);
	if (!ret)
		buf[strcspn(buf, "\n")] = '\0';
	return ret;
}

int param_write(const char *name, const char *value)
{
	char path[128];

	snprintf(path, sizeof(path), "/sys/module/cmheap/parameters/%s", name);
	return file_write(path, value);
}

long long read_num(const char *path, const char *key)
{
	char line[256];
	long long v = -1;
	FILE *f = fopen(path, "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char k[64];
		long long n;

		if (!key) {
			if (sscanf(line, "%lld", &n) == 1)
				v = n;
			break;
		}
		if (sscanf(line, "%63s %lld", k, &n) == 2 && !strcmp(k, key)) {
			v = n;
			break;
		}
	}
	fclose(f);
	return v;
}

int memcg_ready(char *why, size_t len)
{
	char ctrl[256] = "";

	if (access(CGROOT "/cgroup.controllers", R_OK)) {
		mkdir(CGROOT, 0755);
		if (mount("none", CGROOT, "cgroup2", 0, NULL)) {
			snprintf(why, len, "no cgroup v2 at " CGROOT ": %s",
				 strerror(errno));
			return -1;
		}
	}
	if (file_read(CGROOT "/cgroup.controllers", ctrl, sizeof(ctrl)) ||
	    !strstr(ctrl, "memory")) {
		snprintf(why, len, "no memory controller in cgroup v2");
		return -1;
	}
	file_write(CGROOT "/cgroup.subtree_control", "+memory");
	return 0;
}

double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void debugfs_ensure(void)
{
	struct statfs sf;

	if (statfs("/sys/kernel/debug", &sf) == 0 && sf.f_type == DEBUGFS_MAGIC)
		return;
	mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
}

int heap_ctl_fd(void)
{
	static int fd = -1;

	if (fd < 0)
		fd = open(CMHEAP_HEAP_CTL_NODE, O_RDWR | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

bool heaps_registration_framework(void)
{
	char text[32];

	debugfs_ensure();
	return !file_read(CMHEAP_DEBUGFS "/registration", text, sizeof(text)) &&
	       !strcmp(text, "framework\n");
}

bool swiotlb_forced(void)
{
	char cmdline[4096], *word, *save;

	if (file_read("/proc/cmdline", cmdline, sizeof(cmdline)) < 0)
		return false;
	for (word = strtok_r(cmdline, " \n", &save); word;
	     word = strtok_r(NULL, " \n", &save))
		if (!strncmp(word, "swiotlb=", 8) && strstr(word, "force"))
			return true;
	return false;
}

long long dma_api_errors(void)
{
	debugfs_ensure();
	return read_num("/sys/kernel/debug/dma-api/error_count", NULL);
}

/*
 * DMA-API debugging allocates for itself (an entry pool it refills, a
 * radix tree of the cache lines a device may write) and, when that fails,
 * switches itself off for good: an injected failure there would silence a
 * judge of every later test.  Its allocations are left out of the walks
 * (the stack filter's reject range): from the lower of the two functions
 * that allocate to the symbol after the higher, all of kernel/dma/debug.c
 * between them.  0 and nothing to exclude without DMA-API debugging.
 */
static int dma_debug_text(unsigned long long *start, unsigned long long *end)
{
	unsigned long long addr, last = 0;
	char line[256], type, name[128];
	FILE *f = fopen("/proc/kallsyms", "re");

	*start = *end = 0;
	if (!f)
		return -errno;
	/* the kernel's own symbols come first, in address order */
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %127s", &addr, &type, name) != 3)
			continue;
		if (!strcmp(name, "add_dma_entry") || !strcmp(name, "dma_entry_alloc")) {
			if (!addr)
				break;	/* kptr_restrict hides the addresses */
			if (!*start)
				*start = addr;
			last = addr;
			*end = 0;
		} else if (last && !*end && addr > last) {
			*end = addr;
		}
	}
	fclose(f);
	if (last && !*end)
		return -EPERM;
	return 0;
}

/*
 * The stack filter's @which ("require" or "reject") range, [@start, @end),
 * for both the slab's and the page allocator's injection: 0 or -errno.
 */
static int fail_nth_range(const char *which, unsigned long long start,
			  unsigned long long end)
{
	static const char *const attrs[] = { "failslab", "fail_page_alloc" };
	const unsigned long long val[] = { start, end };
	static const char *const bound[] = { "start", "end" };
	char path[96], text[24];
	unsigned int i, k;
	int ret = 0;

	for (i = 0; !ret && i < 2; i++) {
		for (k = 0; !ret && k < 2; k++) {
			snprintf(path, sizeof(path), "/sys/kernel/debug/%s/%s-%s", attrs[i],
				 which, bound[k]);
			snprintf(text, sizeof(text), "%llu", val[k]);
			ret = file_write(path, text);
		}
	}
	return ret;
}

int fail_nth_ready(char *why, size_t len)
{
	static const char *const knobs[][2] = {
		{ "failslab/ignore-gfp-wait", "N" },
		{ "failslab/verbose", "0" },
		{ "fail_page_alloc/ignore-gfp-wait", "N" },
		{ "fail_page_alloc/ignore-gfp-highmem", "N" },
		{ "fail_page_alloc/min-order", "0" },
		{ "fail_page_alloc/verbose", "0" },
	};
	unsigned long long dd_start, dd_end;
	char path[96];
	unsigned int i;
	int ret;

	if (access("/proc/thread-self/fail-nth", W_OK)) {
		snprintf(why, len, "no /proc/thread-self/fail-nth: needs CONFIG_FAULT_INJECTION");
		return -1;
	}
	debugfs_ensure();
	for (i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		snprintf(path, sizeof(path), "/sys/kernel/debug/%s", knobs[i][0]);
		ret = file_write(path, knobs[i][1]);
		if (ret) {
			snprintf(why, len, "%s: %s (needs CONFIG_FAILSLAB, FAIL_PAGE_ALLOC and FAULT_INJECTION_DEBUG_FS)",
				 path, strerror(-ret));
			return -1;
		}
	}
	ret = dma_debug_text(&dd_start, &dd_end);
	if (ret) {
		snprintf(why, len, "/proc/kallsyms: %s: the DMA-API debugging code to spare is not found",
			 strerror(-ret));
		return -1;
	}
	ret = dd_end ? fail_nth_range("reject", dd_start, dd_end) : 0;
	if (ret) {
		snprintf(why, len, "reject-start/-end: %s (needs CONFIG_FAULT_INJECTION_STACKTRACE_FILTER)",
			 strerror(-ret));
		return -1;
	}
	ret = file_write("/dev/kmsg", FAIL_NTH_LOG_BEGIN "\n");
	if (ret) {
		snprintf(why, len, "/dev/kmsg: %s: the kernel's log cannot be marked",
			 strerror(-ret));
		return -1;
	}
	return 0;
}

void fail_nth_done(void)
{
	fail_nth_require(0, ~0ULL);
	file_write("/dev/kmsg", FAIL_NTH_LOG_END "\n");
}

int fail_nth_require(unsigned long long start, unsigned long long end)
{
	return fail_nth_range("require", start, end);
}

unsigned long long kallsyms_addr(const char *name)
{
	unsigned long long addr, found = 0;
	char line[256], type, sym[128];
	FILE *f = fopen("/proc/kallsyms", "re");

	while (f && !found && fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%llx %c %127s", &addr, &type, sym) == 3 && !strcmp(sym, name))
			found = addr;
	}
	if (f)
		fclose(f);
	return found;
}

/*
 * The file is the thread's own, opened by it (a harness test runs in a
 * child of its own: an fd opened before the fork would arm the parent),
 * and kept open, so that arming and disarming allocate nothing themselves.
 */
static int fail_nth_fd(void)
{
	static pid_t owner;
	static int fd = -1;
	pid_t tid = (pid_t)syscall(SYS_gettid);

	if (fd >= 0 && owner == tid)
		return fd;
	fd = open("/proc/thread-self/fail-nth", O_RDWR | O_CLOEXEC);
	owner = tid;
	return fd;
}

int fail_nth_arm(unsigned int n)
{
	int fd = fail_nth_fd();
	char text[16];
	int len = snprintf(text, sizeof(text), "%u", n);

	if (fd < 0)
		return -errno;
	return pwrite(fd, text, len, 0) == len ? 0 : -errno;
}

int fail_nth_disarm(void)
{
	int fd = fail_nth_fd();
	char text[16];
	ssize_t got;

	if (fd < 0)
		return -errno;
	got = pread(fd, text, sizeof(text) - 1, 0);
	if (got <= 0 || pwrite(fd, "0", 1, 0) != 1)
		return got < 0 || errno ? -errno : -EIO;
	text[got] = '\0';
	return atoi(text);
}

int stats_read(const char *dir, struct cmheap_stats *st)
{
	char path[160], line[160];
	FILE *f;

	memset(st, 0, sizeof(*st));
	debugfs_ensure();
	snprintf(path, sizeof(path), "%s/%s/stats", CMHEAP_DEBUGFS, dir);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		char key[64];
		unsigned long long val;
		int i;

		if (sscanf(line, "%63s %llu", key, &val) != 2)
			continue;
		for (i = 0; i < ST_COUNT; i++) {
			if (!strcmp(key, cmheap_stat_names[i])) {
				st->v[i] = val;
				st->seen |= 1U << i;
			}
		}
	}
	fclose(f);
	return 0;
}

__u32 heap_device(int ctl, const struct cmheap_heap *h)
{
	if (h->uncached && !h->pageless &&
	    (cmheap_ctl_device_flags(ctl, CMHEAP_DEV_COHERENT) &
	     CMHEAP_DEVF_SNOOPS_ALIAS))
		return CMHEAP_DEV_NONCOHERENT;
	return CMHEAP_DEV_COHERENT;
}

bool raw_peers_supported(void)
{
	char text[8];

	debugfs_ensure();
	/* without the file (an older module), RAW took any buffer */
	return file_read(CMHEAP_DEBUGFS "/" CMHEAP_IMPORTER "/raw_peers", text,
			 sizeof(text)) || text[0] != 'N';
}

__u64 stat_get(const char *dir, enum cmheap_stat key)
{
	struct cmheap_stats st;

	if (stats_read(dir, &st) || !(st.seen & (1U << key)))
		return UINT64_MAX;
	return st.v[key];
}

/* ---- peers: other exporters' dma-bufs ---- */

int peer_system_heap(size_t size, char *why, size_t len)
{
	int heap = open(DMA_HEAP_DIR "/system", O_RDWR | O_CLOEXEC), fd;
	char exp[64];

	if (heap < 0) {
		snprintf(why, len, "no upstream system heap (%s/system)",
			 DMA_HEAP_DIR);
		return -ENODEV;
	}
	fd = heap_alloc(heap, size);
	close(heap);
	if (fd < 0) {
		snprintf(why, len, "system heap alloc: %s", strerror(-fd));
		return fd;
	}
	/* where the kernel has none, userspace_names=1 makes it cmheap's */
	if (!dmabuf_exp_name(fd, exp, sizeof(exp)) && strcmp(exp, "system")) {
		snprintf(why, len, "%s/system is %s's (userspace_names=1), not the kernel's",
			 DMA_HEAP_DIR, exp);
		close(fd);
		return -ENODEV;
	}
	return fd;
}

int peer_udmabuf(size_t size, char *why, size_t len)
{
	struct udmabuf_create c = { .flags = UDMABUF_FLAGS_CLOEXEC,
				    .size = size };
	int dev, mfd, fd;

	dev = open("/dev/udmabuf", O_RDWR | O_CLOEXEC);
	if (dev < 0) {
		snprintf(why, len, "no /dev/udmabuf (CONFIG_UDMABUF)");
		return -ENODEV;
	}
	mfd = memfd_create("cmheap-udmabuf", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	if (mfd < 0 || ftruncate(mfd, size) ||
	    fcntl(mfd, F_ADD_SEALS, F_SEAL_SHRINK)) {
		fd = -errno;
		snprintf(why, len, "memfd: %s", strerror(errno));
		goto out;
	}
	c.memfd = mfd;
	fd = ioctl(dev, UDMABUF_CREATE, &c);
	if (fd < 0) {
		fd = -errno;
		snprintf(why, len, "UDMABUF_CREATE: %s", strerror(errno));
	}
out:
	if (mfd >= 0)
		close(mfd);
	close(dev);
	return fd;
}
