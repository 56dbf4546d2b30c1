/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cmheap-bench: the exporters, and how to allocate a dma-buf from each:
 * cmheap heaps and other dma-heaps through DMA_HEAP_IOCTL_ALLOC, udmabuf
 * through a sealed memfd and UDMABUF_CREATE.
 */
#ifndef EXPORTERS_H
#define EXPORTERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DMA_HEAP_DIR	"/dev/dma_heap"
#define UDMABUF_PATH	"/dev/udmabuf"
#define MAX_ORDER_PARAM	"/sys/module/cmheap/parameters/max_order"
#define POOLS_PARAM	"/sys/module/cmheap/parameters/pools"

enum exp_kind {
	EXP_CMHEAP,	/* /dev/dma_heap/cmheap-* */
	EXP_DMA_HEAP,	/* another dma-heap, e.g. the upstream "system" */
	EXP_UDMABUF,
};

struct exporter {
	char name[64];		/* CSV "exporter": heap name, "system", "udmabuf" */
	char path[128];
	enum exp_kind kind;
	bool uncached;		/* from the importer's CMHEAP_ATTF_UNCACHED */
	bool carveout;		/* a cmheap carveout heap (its debugfs says) */
	bool pageless;		/* no struct pages: CMHEAP_ATTF_PAGELESS */
	bool pooled;		/* a system heap of cmheap's, with page pools */
	const char *memory;	/* where its memory comes from, for meta.json */
	bool present;		/* usable; else reason says why not */
	char reason[192];
	int dev_fd;		/* the heap or /dev/udmabuf, open while present */
};

/* a dma-buf of ours */
struct buffer {
	int fd;
	uint64_t size;
};

/*
 * Find the exporters: the names asked for (names != NULL) or every cmheap
 * heap plus "system" and "udmabuf".  Each is probed with a one-page
 * allocation attached to the coherent test device through ctl; the ones
 * that fail are kept with present=false and a reason.
 */
size_t exporters_discover(int ctl, char **names, size_t n_names,
			  struct exporter **out);

/*
 * Without the importer (a --dry-run's preview): the exporters asked for,
 * or cmheap.ko's default heaps (cmheap-system, cmheap-system-uncached)
 * plus "system" and "udmabuf", each taken as present with what its name
 * says (-uncached, carveout), none probed.
 */
size_t exporters_assume(char **names, size_t n_names, struct exporter **out);

const char *exporter_caching(const struct exporter *e);

/* 0 and *b filled, or -errno */
int exporter_alloc(struct exporter *e, uint64_t size, struct buffer *b);
void buffer_free(struct buffer *b);

/* the cmheap pools module parameter: 1, 0, or -1 when unreadable */
int pools_get(void);
bool pools_set(int on);
/*
 * Waits (up to 10 s) until @e's pool has zeroed every block a free gave it,
 * so that the next allocation finds a warm, ready pool.
 */
void pool_settle(const struct exporter *e);

/* the cmheap max_order module parameter: value, or -1 when unreadable */
int max_order_get(void);
bool max_order_set(int order);

#endif /* EXPORTERS_H */
