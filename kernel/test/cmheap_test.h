/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cmheap_test.ko's internals: the importer /dev/cmheap, its devices (test
 * platform devices, QEMU's edu, devices handed over through
 * driver_override) and the in-kernel benchmark.  What it knows of
 * cmheap's own buffers comes from cmheap.ko's exports (cmheap_exports.h).
 */
#ifndef _CMHEAP_TEST_H
#define _CMHEAP_TEST_H

#include <linux/dma-buf.h>
#include <linux/dma-direction.h>
#include <linux/scatterlist.h>
#include <linux/types.h>

#include <linux/cmheap_test.h>

#include "cmheap_exports.h"

struct device;

/*
 * True once module init has succeeded.  /dev/cmheap appears before the
 * last step of init can fail; its open refuses until then, so that no
 * handle can outlive a failed init.
 */
bool cmheap_test_is_up(void);

/* ---- the importer's devices (cmheap_devices.c) ---- */

/* One piece of a transfer: @len bytes of memory at DMA address @addr. */
struct cmheap_dma_xfer {
	dma_addr_t addr;
	u32 len;
};

/*
 * A device's DMA engine.  transfer() moves the pieces' bytes, in order,
 * between memory and @data (at most CMHEAP_DMA_MAX_BYTES): the device
 * reads memory into @data, or with @to_memory writes @data into memory.
 * It returns when the device has finished, or with an errno.
 */
struct cmheap_engine_ops {
	int (*transfer)(void *priv, const struct cmheap_dma_xfer *xfers,
			unsigned int count, bool to_memory, void *data);
};

struct cmheap_device;

/*
 * Adds @dev (referenced until its last user is done) at the first free
 * index from @first: the index, or -ENOSPC.
 */
int cmheap_device_add(struct device *dev, const char *kind,
		      const struct cmheap_engine_ops *engine,
		      void *engine_priv, u32 first);
/*
 * Empties @index, waits for a transfer in flight on its engine, then
 * revokes every handle on the device (cmheap_importer_revoke()): when it
 * returns, nothing of cmheap's is mapped for the device.
 */
void cmheap_device_remove(u32 index);
/* Whether the device's driver has let it go: its handles are revoked. */
bool cmheap_device_gone(const struct cmheap_device *device);
/* A reference to the device at @index, or NULL. */
struct cmheap_device *cmheap_device_get(u32 index);
void cmheap_device_put(struct cmheap_device *device);
struct device *cmheap_device_dev(const struct cmheap_device *device);
int cmheap_device_info(u32 index, struct cmheap_device_info *info);
/* -EOPNOTSUPP without an engine, -ENODEV once removed, -EINTR on a kill. */
int cmheap_device_transfer(struct cmheap_device *device,
			   const struct cmheap_dma_xfer *xfers,
			   unsigned int count, bool to_memory, void *data);
/* cmheap's own test devices (cmheap_testdev.c), at their enum indices. */
int cmheap_testdev_init(void);
void cmheap_testdev_exit(void);
/* NULL when the architecture has no such device (non-coherent on x86). */
struct device *cmheap_testdev_get(enum cmheap_device_id id);

/* Real bus devices: QEMU's edu (cmheap_edu.c), driver_override (cmheap_bind.c). */
int cmheap_edu_init(void);
void cmheap_edu_exit(void);
int cmheap_bind_init(void);
void cmheap_bind_exit(void);

/* ---- importer (cmheap_importer.c: /dev/cmheap; cmheap_bench.c) ---- */

/* One attachment of a dma-buf to a test device, as /dev/cmheap names it. */
struct cmheap_handle {
	struct dma_buf *dmabuf;
	struct dma_buf_attachment *attach;
	/* referenced while attached; NULL once revoked (everything is) */
	struct cmheap_device *device;
	struct device *dev;		/* the device's struct device */
	bool writable;			/* the dma-buf's file may be written */
	/*
	 * CMHEAP_MAP_RAW: a private copy of the pages' scatterlist.  For
	 * another exporter's buffer the pages come from a mapping of an
	 * attachment of our own, kept for as long as the copy lives: an
	 * importer may only use pages the exporter holds mapped for it.
	 */
	struct sg_table raw;
	bool have_raw;
	struct dma_buf_attachment *raw_src;
	struct sg_table *raw_src_sgt;
	enum dma_data_direction raw_dir;	/* raw_src_sgt's */
	/* the current mapping, or NULL */
	struct sg_table *sgt;
	bool mapped_raw;
	unsigned int last_nents;	/* DMA segments of the last mapping */
	enum dma_data_direction dir;
	unsigned long attrs;
};

/* CMHEAP_ATTR_* as the DMA API's DMA_ATTR_* */
unsigned long cmheap_dma_attrs(u32 attrs);
/*
 * Whether the importer may sync @handle's mapping itself: not page-less
 * memory (-EOPNOTSUPP).  The DMA API has no sync for a dma_map_resource()
 * mapping, and dma_sync_sg_*() would maintain the CPU caches at the
 * linear-map address of a range that has none.
 */
int cmheap_handle_may_sync(const struct cmheap_handle *handle);
/* Checks done before anything is timed: 0 or the map's errno. */
int cmheap_handle_prepare_map(struct cmheap_handle *handle, bool raw,
			      enum dma_data_direction dir,
			      unsigned long attrs);
int cmheap_handle_map(struct cmheap_handle *handle, bool raw,
		      enum dma_data_direction dir, unsigned long attrs);
void cmheap_handle_unmap(struct cmheap_handle *handle);
void cmheap_handle_sync(struct cmheap_handle *handle, bool for_cpu);

/* CMHEAP_IOC_BENCH on @handle, whose ioctl lock the caller holds. */
long cmheap_bench_ioctl(struct cmheap_handle *handle,
			struct cmheap_bench *arg);

/*
 * Unmaps and detaches every handle on @device, in every open /dev/cmheap
 * file, waiting for each file's ioctl in flight; their later calls get
 * ENODEV.  For the device's removal, once nobody new can attach to it.
 */
void cmheap_importer_revoke(struct cmheap_device *device);

int cmheap_importer_init(void);
void cmheap_importer_exit(void);

#endif /* _CMHEAP_TEST_H */
