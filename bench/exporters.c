// SPDX-License-Identifier: GPL-2.0
/*
 * cmheap-bench: the exporters, and how to allocate a dma-buf from each.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/dma-heap.h>
#include <linux/udmabuf.h>

#include "exporters.h"
#include "importer.h"
#include "util.h"

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* sorted names of /dev/dma_heap/cmheap-* */
static size_t cmheap_heap_names(char ***out)
{
	char **names = NULL;
	size_t n = 0;
	struct dirent *de;
	DIR *d;

	d = opendir(DMA_HEAP_DIR);
	if (!d) {
		*out = NULL;
		return 0;
	}
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, CMHEAP_HEAP_PREFIX,
			    strlen(CMHEAP_HEAP_PREFIX)) ||
		    strlen(de->d_name) >= 64)
			continue;
		names = xrealloc(names, (n + 1) * sizeof(*names));
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_str);
	*out = names;
	return n;
}

static void exporter_init(struct exporter *e, const char *name)
{
	memset(e, 0, sizeof(*e));
	e->dev_fd = -1;
	snprintf(e->name, sizeof(e->name), "%s", name);
	if (!strcmp(name, "udmabuf")) {
		e->kind = EXP_UDMABUF;
		snprintf(e->path, sizeof(e->path), "%s", UDMABUF_PATH);
	} else {
		e->kind = strncmp(name, CMHEAP_HEAP_PREFIX,
				  strlen(CMHEAP_HEAP_PREFIX)) ?
			  EXP_DMA_HEAP : EXP_CMHEAP;
		snprintf(e->path, sizeof(e->path), DMA_HEAP_DIR "/%s", name);
	}
}

/*
 * Where an exporter's memory comes from.  A cmheap carveout heap has a
 * debugfs file naming its route: "route pages" (memremap_pages struct
 * pages) or "route pageless".
 */
static void exporter_memory(struct exporter *e)
{
	char path[160], line[64];
	FILE *f;

	if (e->kind == EXP_UDMABUF) {
		e->memory = "memfd (shmem pages)";
		return;
	}
	e->memory = "page allocator";
	if (e->kind != EXP_CMHEAP)
		return;
	snprintf(path, sizeof(path), "/sys/kernel/debug/cmheap/%s/carveout",
		 e->name);
	f = fopen(path, "re");
	if (!f)
		return;
	e->carveout = true;
	e->memory = "carveout";
	while (fgets(line, sizeof(line), f)) {
		if (!strcmp(line, "route pages\n"))
			e->memory = "carveout, struct pages (memremap_pages)";
		else if (!strcmp(line, "route pageless\n"))
			e->memory = "carveout, no struct pages (memremap WC)";
	}
	fclose(f);
}

/* a cmheap heap's pool in debugfs (only the system heaps have one) */
static const char *pool_path(const struct exporter *e)
{
	static char path[192];

	snprintf(path, sizeof(path), "/sys/kernel/debug/cmheap/%s/pool",
		 e->name);
	return path;
}

/* open the exporter and allocate, attach and free one page */
static void exporter_probe(int ctl, struct exporter *e)
{
	struct cmheap_attach at;
	struct buffer b;
	int ret;

	e->dev_fd = open(e->path, O_RDWR | O_CLOEXEC);
	if (e->dev_fd < 0) {
		snprintf(e->reason, sizeof(e->reason), "%s: %s", e->path,
			 errno == ENOENT ? "not present" : strerror(errno));
		return;
	}
	ret = exporter_alloc(e, (uint64_t)sysconf(_SC_PAGESIZE), &b);
	if (ret) {
		snprintf(e->reason, sizeof(e->reason),
			 "one-page allocation failed: %s", strerror(-ret));
		goto err;
	}
	ret = cmheap_ctl_attach(ctl, b.fd, CMHEAP_DEV_COHERENT, &at);
	if (ret) {
		snprintf(e->reason, sizeof(e->reason),
			 "the importer cannot attach its buffers: %s",
			 strerror(-ret));
		buffer_free(&b);
		goto err;
	}
	e->uncached = at.flags & CMHEAP_ATTF_UNCACHED;
	e->pageless = at.flags & CMHEAP_ATTF_PAGELESS;
	if (e->kind == EXP_CMHEAP && !(at.flags & CMHEAP_ATTF_OURS))
		e->kind = EXP_DMA_HEAP;	/* named like ours, but is not */
	if (e->kind == EXP_DMA_HEAP && (at.flags & CMHEAP_ATTF_OURS)) {
		/*
		 * cmheap's own heap under another name (userspace_names=1
		 * where the kernel has no heap of that name): measured
		 * under its own, never as another exporter's.
		 */
		snprintf(e->reason, sizeof(e->reason),
			 "this is %s under another name (userspace_names=1), not the kernel's heap",
			 at.exp_name);
		cmheap_ctl_detach(ctl, at.handle);
		buffer_free(&b);
		goto err;
	}
	e->pooled = e->kind == EXP_CMHEAP && access(pool_path(e), R_OK) == 0;
	cmheap_ctl_detach(ctl, at.handle);
	buffer_free(&b);
	exporter_memory(e);
	e->present = true;
	return;
err:
	close(e->dev_fd);
	e->dev_fd = -1;
}

size_t exporters_discover(int ctl, char **names, size_t n_names,
			  struct exporter **out)
{
	struct exporter *list;
	char **found = NULL;
	size_t i, n = 0, n_found = 0;

	if (names) {
		list = xcalloc(n_names, sizeof(*list));
		for (i = 0; i < n_names; i++)
			exporter_init(&list[n++], names[i]);
	} else {
		n_found = cmheap_heap_names(&found);
		list = xcalloc(n_found + 2, sizeof(*list));
		for (i = 0; i < n_found; i++) {
			exporter_init(&list[n++], found[i]);
			free(found[i]);
		}
		free(found);
		exporter_init(&list[n++], "system");
		exporter_init(&list[n++], "udmabuf");
	}
	for (i = 0; i < n; i++) {
		exporter_probe(ctl, &list[i]);
		if (!list[i].present)
			note("exporter %s skipped: %s", list[i].name,
			     list[i].reason);
	}
	*out = list;
	return n;
}

size_t exporters_assume(char **names, size_t n_names, struct exporter **out)
{
	static const char *const defaults[] = {
		CMHEAP_HEAP_PREFIX "system", CMHEAP_HEAP_PREFIX "system-uncached",
		"system", "udmabuf",
	};
	const char *const *list = (const char *const *)names;
	struct exporter *exps, *e;
	size_t i, n = n_names, len;

	if (!names) {
		list = defaults;
		n = sizeof(defaults) / sizeof(defaults[0]);
	}
	exps = xcalloc(n, sizeof(*exps));
	for (i = 0; i < n; i++) {
		e = &exps[i];
		exporter_init(e, list[i]);
		e->present = true;
		e->memory = "not probed (a preview)";
		if (e->kind != EXP_CMHEAP)
			continue;
		len = strlen(e->name);
		e->uncached = len > 9 && !strcmp(e->name + len - 9, "-uncached");
		e->carveout = strstr(e->name, "carveout");
		e->pooled = !e->carveout;
	}
	*out = exps;
	return n;
}

const char *exporter_caching(const struct exporter *e)
{
	return e->uncached ? "uncached" : "cached";
}

static int heap_alloc(struct exporter *e, uint64_t size, struct buffer *b)
{
	struct dma_heap_allocation_data data = {
		.len = size,
		.fd_flags = O_RDWR | O_CLOEXEC,
	};

	if (ioctl(e->dev_fd, DMA_HEAP_IOCTL_ALLOC, &data) < 0)
		return -errno;
	b->fd = (int)data.fd;
	return 0;
}

/*
 * udmabuf: a memfd sealed against shrinking, handed to UDMABUF_CREATE.  The
 * dma-buf pins the memfd's pages, so the memfd itself can go at once.
 */
static int udmabuf_alloc(struct exporter *e, uint64_t size, struct buffer *b)
{
	struct udmabuf_create create = {
		.flags = UDMABUF_FLAGS_CLOEXEC,
		.offset = 0,
		.size = size,
	};
	int memfd, fd, ret;

	memfd = memfd_create("cmheap-bench", MFD_ALLOW_SEALING | MFD_CLOEXEC);
	if (memfd < 0)
		return -errno;
	if (ftruncate(memfd, (off_t)size) < 0 ||
	    fcntl(memfd, F_ADD_SEALS, F_SEAL_SHRINK) < 0) {
		ret = -errno;
		close(memfd);
		return ret;
	}
	create.memfd = (__u32)memfd;
	fd = ioctl(e->dev_fd, UDMABUF_CREATE, &create);
	ret = fd < 0 ? -errno : 0;
	close(memfd);
	if (ret)
		return ret;
	b->fd = fd;
	return 0;
}

int exporter_alloc(struct exporter *e, uint64_t size, struct buffer *b)
{
	int ret;

	b->fd = -1;
	b->size = size;
	ret = e->kind == EXP_UDMABUF ? udmabuf_alloc(e, size, b) :
				       heap_alloc(e, size, b);
	return ret;
}

void buffer_free(struct buffer *b)
{
	if (b->fd >= 0)
		close(b->fd);
	b->fd = -1;
}

int pools_get(void)
{
	char buf[8];

	if (!read_file_str(POOLS_PARAM, buf, sizeof(buf)))
		return -1;
	return buf[0] == 'Y' || buf[0] == '1';
}

bool pools_set(int on)
{
	return write_file_str(POOLS_PARAM, on ? "1" : "0") && pools_get() == on;
}

/* the blocks waiting to be zeroed in @e's pool, or -1 */
static long pool_dirty(const struct exporter *e)
{
	char line[128];
	long dirty = 0, r, d;
	int order;
	FILE *f = fopen(pool_path(e), "re");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "order %d ready %ld dirty %ld", &order, &r,
			   &d) == 3)
			dirty += d;
	fclose(f);
	return dirty;
}

void pool_settle(const struct exporter *e)
{
	int i;

	for (i = 0; i < 10000 && pool_dirty(e) > 0; i++)
		usleep(1000);
}

int max_order_get(void)
{
	unsigned long v;
	char buf[32];

	if (!read_file_str(MAX_ORDER_PARAM, buf, sizeof(buf)) ||
	    !parse_uint(buf, 1000, &v))
		return -1;
	return (int)v;
}

bool max_order_set(int order)
{
	char buf[16];

	snprintf(buf, sizeof(buf), "%d", order);
	return write_file_str(MAX_ORDER_PARAM, buf) && max_order_get() == order;
}
