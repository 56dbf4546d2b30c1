/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * cmheap's test importer (cmheap_test.ko): /dev/cmheap attaches any dma-buf
 * to a coherent or non-coherent test device, QEMU's edu DMA engine or a
 * device handed over through driver_override, and maps, syncs and times it.
 * The heaps' own uAPI is <linux/cmheap_heap.h>, which this one includes.
 *
 * /dev/cmheap is a privileged test tool, as the kernel's own DMA map
 * benchmark is: opening it needs CAP_SYS_ADMIN (EPERM otherwise).  Open
 * it, CMHEAP_IOC_ATTACH a dma-buf fd to one of the test devices, then map,
 * sync, unmap and detach it.  Every handle is private to the open file
 * and is torn down when the file is closed; one file holds at most
 * CMHEAP_MAX_HANDLES of them (EMFILE past that).  Handles start at 1.
 *
 * A bus device's driver can let it go while handles are attached to it
 * (unbind, hot-unplug).  Its handles are then revoked: unmapped and
 * detached at once, so that nothing of cmheap's is mapped for a device
 * without a driver.  Every later call on a revoked handle fails with
 * ENODEV (a benchmark running on it stops with ENODEV), except
 * CMHEAP_IOC_DETACH, which frees what is left of it.
 *
 * Whatever the device may write (a FROM_DEVICE or BIDIRECTIONAL map, the
 * benchmark's DIRTY flag) needs a dma-buf opened for writing: EACCES for one
 * whose file lacks write access.  Reserved fields must be zero (EINVAL).
 */
#ifndef _UAPI_LINUX_CMHEAP_TEST_H
#define _UAPI_LINUX_CMHEAP_TEST_H

#include <linux/ioctl.h>
#include <linux/types.h>

#include <linux/cmheap_heap.h>

#define CMHEAP_CTL_NAME		"cmheap"	/* /dev/cmheap */
#define CMHEAP_MAX_HANDLES	1024	/* attachments per open file */

/*
 * The importer's devices, by index below CMHEAP_MAX_DEVICES;
 * CMHEAP_IOC_DEVICE_INFO says which exist and what they are.  The first
 * are cmheap's own test devices; from CMHEAP_FIRST_BUS_DEVICE on come real
 * bus devices bound to cmheap: QEMU's edu DMA engine, and any PCI or
 * platform device handed to cmheap through driver_override.
 */
enum cmheap_device_id {
	CMHEAP_DEV_COHERENT	= 0,
	CMHEAP_DEV_NONCOHERENT	= 1,
	CMHEAP_FIRST_BUS_DEVICE	= 2,
};

#define CMHEAP_MAX_DEVICES	8

/* Same values as the kernel's enum dma_data_direction. */
enum cmheap_direction {
	CMHEAP_DIR_BIDIRECTIONAL = 0,
	CMHEAP_DIR_TO_DEVICE	 = 1,
	CMHEAP_DIR_FROM_DEVICE	 = 2,
};

/* Mapping attributes the importer may ask for (a subset of DMA_ATTR_*). */
#define CMHEAP_ATTR_SKIP_CPU_SYNC	(1U << 0)
#define CMHEAP_VALID_ATTRS		(CMHEAP_ATTR_SKIP_CPU_SYNC)

/* cmheap_device_info.flags */
#define CMHEAP_DEVF_PRESENT	(1U << 0)	/* the device exists on this system */
#define CMHEAP_DEVF_COHERENT	(1U << 1)	/* DMA is cache coherent for it */
#define CMHEAP_DEVF_IOMMU	(1U << 2)	/* DMA addresses are IOMMU translations */
/* streaming DMA may bounce through swiotlb (DMA mask, swiotlb=force) */
#define CMHEAP_DEVF_BOUNCE	(1U << 3)
#define CMHEAP_DEVF_ENGINE	(1U << 4)	/* moves data: CMHEAP_IOC_DMA */
#define CMHEAP_DEVF_BUS		(1U << 5)	/* a real bus device bound to cmheap */
/*
 * Its DMA snoops the CPU caches (coherent) on an architecture where the
 * uncached model's pages keep a cacheable linear-map alias (all but x86):
 * cmheap's uncached buffers of pages are refused for it (EOPNOTSUPP at
 * map, CMHEAP_MAP_RAW too), see CMHEAP_ATTF_UNCACHED.
 */
#define CMHEAP_DEVF_SNOOPS_ALIAS	(1U << 6)

struct cmheap_device_info {
	__u32 index;			/* in: below CMHEAP_MAX_DEVICES */
	__u32 flags;			/* out: CMHEAP_DEVF_* */
	char name[CMHEAP_NAME_LEN];	/* out: device name, NUL terminated */
	/* out: "test" (cmheap's own), "edu", "pci" or "platform" */
	char kind[CMHEAP_NAME_LEN];
	__u32 dma_mask_bits;		/* out: width of its streaming DMA mask */
	__u32 reserved;			/* out: 0 */
	__u64 max_seg_size;		/* out: longest DMA segment it takes */
};

/* cmheap_attach.flags (out) */
#define CMHEAP_ATTF_OURS	(1U << 0)	/* exported by a cmheap heap */
/*
 * Ours, write-combined model.  That model is for devices that do not snoop
 * the CPU caches.  Its pages keep a cacheable alias in the kernel's linear
 * map on every architecture but x86, which the CPU may fetch through
 * speculatively at any time.  A snooping device could then read a stale
 * line rather than memory, or leave its writes in a cache the CPU's
 * uncached reads never look in.  So a buffer of pages is refused for such a
 * device (CMHEAP_DEVF_SNOOPS_ALIAS).  The page-less carveout heap has no
 * alias: it is the uncached choice for coherent devices.
 */
#define CMHEAP_ATTF_UNCACHED	(1U << 1)
/*
 * Ours, from memory without struct page (a carveout heap's page-less
 * route): its mappings carry DMA addresses only, so importers that need
 * sg_page() cannot use it, and CMHEAP_MAP_RAW fails with EOPNOTSUPP.  So do
 * the importer's own syncs of its mapping (CMHEAP_IOC_SYNC, the bench's
 * SYNC ops): the DMA API has none for dma_map_resource() addresses, and the
 * uncached model needs none.
 */
#define CMHEAP_ATTF_PAGELESS	(1U << 2)

struct cmheap_attach {
	__s32 dmabuf_fd;		/* in: any dma-buf */
	__u32 device;			/* in: enum cmheap_device_id */
	__u32 handle;			/* out: names the attachment */
	__u32 flags;			/* out: CMHEAP_ATTF_* */
	__u64 size;			/* out: dma-buf size in bytes */
	char exp_name[CMHEAP_NAME_LEN];	/* out: exporter name, NUL terminated */
	__u64 reserved[2];		/* must be 0 */
};

/*
 * cmheap_map.flags (in).  By default the dma-buf is mapped through its
 * exporter (dma_buf_map_attachment), which decides how caches are kept; the
 * attrs are then passed to the exporter, which only cmheap heaps accept
 * (EOPNOTSUPP from any other exporter when attrs are set).
 * CMHEAP_MAP_RAW maps a private copy of the buffer's scatterlist with
 * dma_map_sgtable() and the given attrs: the raw DMA API baseline.  For
 * another exporter's buffer the copy is taken from a mapping of its own
 * that stays alive as long as the copy does; a kernel built with
 * CONFIG_DMABUF_DEBUG hides the pages of such mappings from importers, and
 * there RAW works on cmheap buffers only (EOPNOTSUPP).
 *
 * A cmheap uncached (write-combined) buffer is never synced, so it cannot
 * be mapped for a device whose DMA may bounce through swiotlb (a DMA mask
 * below some of memory, swiotlb=force, an untrusted device): its device
 * would read and write bounce buffers nobody copies.  Such a map fails
 * with EOPNOTSUPP rather than lose data.
 */
#define CMHEAP_MAP_RAW		(1U << 0)
#define CMHEAP_VALID_MAP_FLAGS	(CMHEAP_MAP_RAW)

struct cmheap_map {
	__u32 handle;		/* in */
	__u32 direction;	/* in: enum cmheap_direction */
	__u32 attrs;		/* in: CMHEAP_ATTR_* */
	__u32 flags;		/* in: CMHEAP_MAP_* */
	__u32 nents;		/* out: DMA segments after mapping */
	__u32 orig_nents;	/* out: CPU scatterlist entries */
	__u64 ns;		/* out: time spent in the map call, in the kernel */
};

struct cmheap_unmap {
	__u32 handle;		/* in */
	__u32 reserved;		/* must be 0 */
	__u64 ns;		/* out: time spent in the unmap call */
};

/* cmheap_sync.flags (in): exactly one of them */
#define CMHEAP_SYNC_FOR_CPU	(1U << 0)	/* dma_sync_sgtable_for_cpu */
#define CMHEAP_SYNC_FOR_DEVICE	(1U << 1)	/* dma_sync_sgtable_for_device */

struct cmheap_sync {
	__u32 handle;		/* in: a mapped attachment */
	__u32 flags;		/* in: CMHEAP_SYNC_* */
	__u32 direction;	/* in: enum cmheap_direction, as mapped */
	__u32 reserved;		/* must be 0 */
	__u64 ns;		/* out: time spent in the sync call */
};

/*
 * In-kernel timing loop for the benchmark: runs warmup + iterations of one
 * operation on an attached buffer and writes one sample (ns) per measured
 * iteration to samples_ptr.  The attachment must not be mapped already.
 *
 * The loop is bounded in time as well as in iterations: it stops once
 * budget_ns (0: CMHEAP_BENCH_DEFAULT_NS; at most CMHEAP_BENCH_MAX_NS) has
 * passed and reports how many samples it took in @done, which may then be
 * fewer than @iterations (or 0, when the warmup used up the budget).  A
 * signal stops it with EINTR.
 */
enum cmheap_bench_op {
	CMHEAP_BENCH_MAP	= 0,	/* time map; unmap untimed */
	CMHEAP_BENCH_UNMAP	= 1,	/* time unmap; map untimed */
	CMHEAP_BENCH_MAP_UNMAP	= 2,	/* time map + unmap */
	CMHEAP_BENCH_SYNC_DEV	= 3,	/* mapped once; time sync for device */
	CMHEAP_BENCH_SYNC_CPU	= 4,	/* mapped once; time sync for cpu */
	CMHEAP_BENCH_EMPTY	= 5,	/* time nothing: the clock's own cost */
	CMHEAP_BENCH_OP_COUNT,
};

/*
 * cmheap_bench.flags (in).  DIRTY writes every cache line of the buffer
 * through a kernel mapping before each iteration, as kernel/dma/
 * map_benchmark.c does, so that cleaning has dirty lines to write back.
 */
#define CMHEAP_BENCH_DIRTY	(1U << 0)
#define CMHEAP_BENCH_RAW	(1U << 1)	/* as CMHEAP_MAP_RAW */
#define CMHEAP_VALID_BENCH_FLAGS (CMHEAP_BENCH_DIRTY | CMHEAP_BENCH_RAW)
#define CMHEAP_BENCH_MAX_ITERATIONS (1U << 20)
#define CMHEAP_BENCH_DEFAULT_NS	(10ULL * 1000000000ULL)
#define CMHEAP_BENCH_MAX_NS	(120ULL * 1000000000ULL)

struct cmheap_bench {
	__u32 handle;		/* in */
	__u32 op;		/* in: enum cmheap_bench_op */
	__u32 direction;	/* in: enum cmheap_direction */
	__u32 attrs;		/* in: CMHEAP_ATTR_* */
	__u32 flags;		/* in: CMHEAP_BENCH_* */
	__u32 warmup;		/* in: untimed iterations first */
	__u32 iterations;	/* in: timed iterations, 1..MAX_ITERATIONS */
	__u32 nents;		/* out: DMA segments of the mapping */
	__u64 samples_ptr;	/* in: user pointer to __u64[iterations] */
	__u64 budget_ns;	/* in: time budget of the whole loop, 0: default */
	__u32 done;		/* out: samples written, <= iterations */
	__u32 reserved;		/* must be 0 */
	__u64 reserved2[2];	/* must be 0 */
};

/*
 * Where a mapped buffer of ours lies, checked in the kernel, for the
 * handle's current mapping through the exporter (not CMHEAP_MAP_RAW):
 *
 * - every page of a buffer with struct pages: page_to_phys() of
 *   pfn_to_page(pfn) gives PFN_PHYS(pfn) back (the memmap is the memory's);
 * - on a carveout heap, every byte lies inside the heap's regions;
 * - on a device that maps directly (no IOMMU, no bouncing), every DMA
 *   segment has the length of the memory it maps and its physical address
 *   as the device's bus sees it (moved by the device's dma-ranges offset,
 *   if it has one), for page-less memory too.
 *
 * Counts come back; a check that does not apply counts nothing.
 */
#define CMHEAP_PLACEF_REGIONS	(1U << 0)	/* out: in-region check done */
#define CMHEAP_PLACEF_DIRECT	(1U << 1)	/* out: segments checked */

struct cmheap_placement {
	__u32 handle;		/* in: mapped through the exporter */
	__u32 flags;		/* out: CMHEAP_PLACEF_* */
	__u64 pages;		/* out: pages whose struct page was checked */
	__u64 pages_bad;	/* out: of them, not their pfn's */
	__u64 outside;		/* out: bytes outside the heap's regions */
	__u32 segments;		/* out: DMA segments checked */
	__u32 segments_bad;	/* out: of them, not at the memory's address */
	__u64 reserved[2];	/* must be 0 */
};

/*
 * The segments of a handle's current mapping, as the device sees them:
 * one cmheap_segment per DMA segment (nents of them), each with its offset
 * in the buffer, its length and its DMA address.  With CMHEAP_SEGF_CPU,
 * the CPU scatterlist's entries instead (orig_nents; dma_address 0).
 * At most @count are written to @ptr; @count comes back as the number
 * there are.  An IOMMU may merge many CPU entries into one DMA segment.
 */
#define CMHEAP_SEGF_CPU		(1U << 0)
#define CMHEAP_VALID_SEG_FLAGS	(CMHEAP_SEGF_CPU)

struct cmheap_segment {
	__u64 offset;		/* in the buffer, bytes */
	__u64 length;		/* bytes */
	__u64 dma_address;	/* 0 for CPU entries */
};

struct cmheap_segments {
	__u32 handle;		/* in: a mapped attachment */
	__u32 flags;		/* in: CMHEAP_SEGF_* */
	__u32 count;		/* in: room at ptr; out: segments there are */
	__u32 reserved;		/* must be 0 */
	__u64 ptr;		/* in: user pointer to cmheap_segment[count] */
};

/*
 * Real data movement by a device with a DMA engine (CMHEAP_DEVF_ENGINE),
 * through the handle's current mapping: with TO_DEVICE the device reads
 * the pieces of the buffer (at their DMA addresses) and their bytes come
 * back, one after the other, at data_ptr; with FROM_DEVICE the device
 * writes the bytes at data_ptr into the pieces.  This is what a driver's
 * DMA does, so the CPU's view follows only the DMA API's rules: sync (or
 * DMA_BUF_IOCTL_SYNC) around it as a driver would.  The mapping's
 * direction must allow the transfer's (EINVAL); pieces lie inside the
 * buffer (ERANGE); CMHEAP_DMA_MAX_BYTES in all; EOPNOTSUPP without an
 * engine, ENODEV once the device is gone, ETIMEDOUT (and EIO after) when
 * the engine never finishes.  Each transfer takes the edu device 100 ms.
 */
#define CMHEAP_DMA_MAX_PIECES	16
#define CMHEAP_DMA_MAX_BYTES	2048

struct cmheap_dma_piece {
	__u64 offset;		/* in the buffer, bytes */
	__u32 length;		/* bytes, > 0 */
	__u32 reserved;		/* must be 0 */
};

struct cmheap_dma {
	__u32 handle;		/* in: a mapped attachment */
	__u32 direction;	/* in: CMHEAP_DIR_TO_DEVICE or _FROM_DEVICE */
	__u32 count;		/* in: pieces, 1..CMHEAP_DMA_MAX_PIECES */
	__u32 reserved;		/* must be 0 */
	__u64 pieces_ptr;	/* in: user pointer to cmheap_dma_piece[count] */
	__u64 data_ptr;		/* in: user pointer to the pieces' bytes */
};

#define CMHEAP_IOC_DEVICE_INFO	_IOWR(CMHEAP_IOC_MAGIC, 0, struct cmheap_device_info)
#define CMHEAP_IOC_ATTACH	_IOWR(CMHEAP_IOC_MAGIC, 1, struct cmheap_attach)
#define CMHEAP_IOC_DETACH	_IOW(CMHEAP_IOC_MAGIC, 2, __u32)
#define CMHEAP_IOC_MAP		_IOWR(CMHEAP_IOC_MAGIC, 3, struct cmheap_map)
#define CMHEAP_IOC_UNMAP	_IOWR(CMHEAP_IOC_MAGIC, 4, struct cmheap_unmap)
#define CMHEAP_IOC_SYNC		_IOWR(CMHEAP_IOC_MAGIC, 5, struct cmheap_sync)
#define CMHEAP_IOC_BENCH	_IOWR(CMHEAP_IOC_MAGIC, 6, struct cmheap_bench)
#define CMHEAP_IOC_PLACEMENT	_IOWR(CMHEAP_IOC_MAGIC, 7, struct cmheap_placement)
#define CMHEAP_IOC_SEGMENTS	_IOWR(CMHEAP_IOC_MAGIC, 8, struct cmheap_segments)
#define CMHEAP_IOC_DMA		_IOW(CMHEAP_IOC_MAGIC, 9, struct cmheap_dma)
#define CMHEAP_IOC_VERSION	_IOR(CMHEAP_IOC_MAGIC, 10, struct cmheap_version)

#endif /* _UAPI_LINUX_CMHEAP_TEST_H */
