/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * cmheap's heaps (cmheap.ko): dma-buf heaps with selectable CPU caching
 * models.  The heaps appear as /dev/dma_heap/cmheap-<heap> and speak the
 * upstream dma-heap uAPI (<linux/dma-heap.h>) unchanged; nothing here is
 * needed to allocate from them.  This header adds what cmheap answers
 * besides: a partial CPU-access sync and the uAPI's version, on
 * CMHEAP_HEAP_CTL_NODE (1.2) and, where cmheap makes the heaps' nodes
 * itself, on each of them too.
 *
 * Where the kernel lets modules register heaps with its dma-heap
 * framework (dma_heap_add() exported: Debian's x86_64 7.3; not 6.1, 6.12,
 * nor Debian's arm64 7.3, built without the framework), cmheap does
 * (module parameter registration=auto, the default; =misc keeps its own
 * nodes), and /dev/dma_heap/cmheap-* and /sys/class/dma_heap/ are the
 * framework's: they answer DMA_HEAP_IOCTL_ALLOC and nothing of this
 * header.  The framework cannot remove a heap, so cmheap.ko then stays
 * loaded.  CMHEAP_VERSION_FRAMEWORK and debugfs's cmheap/registration say
 * which.
 *
 * The test module's importer, /dev/cmheap, is <linux/cmheap_test.h>;
 * <linux/cmheap.h> includes both, as it held both before they were split.
 */
#ifndef _UAPI_LINUX_CMHEAP_HEAP_H
#define _UAPI_LINUX_CMHEAP_HEAP_H

#include <linux/ioctl.h>
#include <linux/types.h>

#define CMHEAP_HEAP_PREFIX	"cmheap-"	/* /dev/dma_heap/cmheap-* */
#define CMHEAP_NAME_LEN		32
/*
 * cmheap's own node for the ioctls below, however the heaps are registered
 * (1.2; mode 0666: it acts only on dma-bufs the caller holds).
 */
#define CMHEAP_HEAP_CTL_NODE	"/dev/cmheap_heap"

/*
 * The version of cmheap's uAPI (this header, <linux/cmheap_test.h> and the
 * debugfs files below), as the loaded module answers it: the major number
 * changes never (no name, field or meaning is ever taken away), the minor
 * one each time something is added.  A program built against this header
 * asks CMHEAP_HEAP_CTL_NODE or a heap node (CMHEAP_HEAP_IOC_VERSION), or
 * /dev/cmheap (CMHEAP_IOC_VERSION, <linux/cmheap_test.h>), and uses what
 * the minor number it finds has: ENOTTY from a module older than the
 * query itself means 1.0, no CMHEAP_HEAP_CTL_NODE means 1.1 or older.
 *
 *   1.0  the heaps with CMHEAP_HEAP_IOC_SYNC_RANGE; the importer's ioctls
 *        up to CMHEAP_IOC_DMA
 *   1.1  these version queries; the heaps and the importer as two modules
 *        (cmheap.ko, cmheap_test.ko) and two headers
 *   1.2  CMHEAP_HEAP_CTL_NODE; the heaps registered with the kernel's
 *        dma-heap framework where it allows (CMHEAP_VERSION_FRAMEWORK)
 */
#define CMHEAP_UAPI_VERSION_MAJOR	1
#define CMHEAP_UAPI_VERSION_MINOR	2

/* the heaps' nodes are the dma-heap framework's (heap queries only) */
#define CMHEAP_VERSION_FRAMEWORK	(1U << 0)

struct cmheap_version {
	__u32 major;		/* out: CMHEAP_UAPI_VERSION_MAJOR of the module */
	__u32 minor;		/* out: CMHEAP_UAPI_VERSION_MINOR of the module */
	__u32 flags;		/* out: CMHEAP_VERSION_* */
	__u32 reserved;		/* out: 0 */
};

/*
 * Partial CPU-access sync, on CMHEAP_HEAP_CTL_NODE (or, where cmheap makes
 * the heaps' nodes, on /dev/dma_heap/cmheap-* or a userspace name of one):
 * for @len bytes at @offset of cmheap dma-buf @fd,
 * what DMA_BUF_IOCTL_SYNC does for the whole buffer.  DMA_BUF_SYNC_START
 * waits for the buffer's fences as begin_cpu_access does, then makes what
 * devices wrote in the range visible to the CPU; DMA_BUF_SYNC_END writes
 * the CPU's writes in the range back for devices.  Both maintain the CPU
 * caches for each mapped attachment, in the direction it was mapped with,
 * and for the kernel mapping, for that range only.  Uncached buffers need
 * no maintenance (END drains write-combining buffers).  The flags are
 * DMA_BUF_IOCTL_SYNC's (<linux/dma-buf.h>).  Holding the fd is enough,
 * as for DMA_BUF_IOCTL_SYNC.
 *
 * Errors: EINVAL for flags DMA_BUF_IOCTL_SYNC would refuse, a zero @len or
 * a file that is not a dma-buf; EBADF for an fd not open; EOPNOTSUPP for
 * another exporter's dma-buf; EOVERFLOW when @offset + @len wraps; ERANGE
 * for a range past the end of the buffer; EINTR when a signal interrupts
 * the wait for fences.
 */
struct cmheap_sync_range {
	__s32 fd;		/* in: a cmheap dma-buf */
	__u32 flags;		/* in: DMA_BUF_SYNC_START or _END | _READ, _WRITE */
	__u64 offset;		/* in: bytes */
	__u64 len;		/* in: bytes */
};

/* the ioctls of cmheap's nodes, heap and importer (<linux/cmheap_test.h>) */
#define CMHEAP_IOC_MAGIC	'c'
/* on CMHEAP_HEAP_CTL_NODE, and /dev/dma_heap/cmheap-* where cmheap's own */
#define CMHEAP_HEAP_IOC_SYNC_RANGE _IOW(CMHEAP_IOC_MAGIC, 32, struct cmheap_sync_range)
#define CMHEAP_HEAP_IOC_VERSION	_IOR(CMHEAP_IOC_MAGIC, 33, struct cmheap_version)

/*
 * debugfs (CONFIG_DEBUG_FS): /sys/kernel/debug/cmheap/registration,
 * "framework" or "misc": who made the heaps' nodes (1.2).  One folder per
 * heap (and the test module's importer/ folder, while it is loaded):
 *   /sys/kernel/debug/cmheap/<heap>/stats, <heap> as in /dev/dma_heap/
 *   (e.g. cmheap-system), one "name value" line per counter:
 *	buffers_live, bytes_live, allocs, frees, alloc_failures,
 *	maps, unmaps, cpu_syncs, cache_maint_ops, alloc_cleans,
 *	pool_hits, pool_zeroed_on_alloc, pool_misses, pool_returns
 *   cache_maint_ops counts the scatterlist segments whose CPU cache
 *   maintenance the heap asked the DMA API for: a map, unmap or sync of an
 *   attachment to a non-coherent device without DMA_ATTR_SKIP_CPU_SYNC.
 *   alloc_cleans counts the segments of uncached buffers cleaned out of the
 *   CPU caches once at allocation.  The system heaps' page pools count
 *   blocks (pages of order 8, 4 or 0): taken zeroed from the pool, taken
 *   dirty and zeroed by the allocation, taken from the page allocator for
 *   an allocation the pools serve (pools on, the caller in no memory
 *   cgroup) but had no block for, and given back by a freed buffer.
 *   /sys/kernel/debug/cmheap/<heap>/pool: "order N ready R dirty D" per
 *   order, blocks zeroed and waiting to be zeroed.
 *   /sys/kernel/debug/cmheap/pools: enabled, limit_pages, pages (in every
 *   pool), shrunk_pages (freed by the shrinker), drained_pages (freed by
 *   pools=0, or for an allocation the machine could not meet without the
 *   pools' memory; never for one that met its memory cgroup's limit).
 *   /sys/kernel/debug/cmheap/importer/stats: maps, unmaps, cpu_syncs and
 *   cache_maint_ops of the importer's own raw maps and of its syncs.
 */

#endif /* _UAPI_LINUX_CMHEAP_HEAP_H */
