// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/cmheap: the importer side.  It attaches any dma-buf (ours, the
 * upstream system heap's, udmabuf's, ...) to one of the test devices and
 * maps, syncs and unmaps it on request, timing each call in the kernel so
 * that tests can check behaviour and benchmarks can measure cost.  The
 * benchmark's timed loop is cmheap_bench.c.
 *
 * Mappings go through the exporter (dma_buf_map_attachment), as any driver's
 * would, or, with CMHEAP_MAP_RAW, straight through dma_map_sgtable() on a
 * private copy of the buffer's scatterlist: the raw DMA API baseline against
 * which an exporter's own overhead is measured.
 *
 * It is a privileged test tool, as kernel/dma/map_benchmark.c is: a device
 * mapping with DMA_ATTR_SKIP_CPU_SYNC followed by a sync for the CPU
 * discards cache lines nobody wrote back, which shows a page's previous
 * owner's data, so opening it needs CAP_SYS_ADMIN.  Even then nothing here
 * lets a device write a dma-buf whose file was opened read-only.
 */
#include <linux/capability.h>
#include <linux/debugfs.h>
#include <linux/dma-buf.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include "cmheap_test.h"
#include "cmheap_trace.h"

/* One open of /dev/cmheap: its attachments, by handle number. */
struct cmheap_ctl_file {
	struct mutex lock;		/* serialises this file's ioctls */
	struct xarray handles;
	struct list_head node;		/* in cmheap_ctl_files */
};

/* Every open file, for a removed device's handles to be found. */
static LIST_HEAD(cmheap_ctl_files);
static DEFINE_MUTEX(cmheap_ctl_files_lock);

static struct cmheap_stats cmheap_importer_stats;

/*
 * Whether CMHEAP_MAP_RAW works on other exporters' buffers, for tests to
 * read at /sys/kernel/debug/cmheap/importer/raw_peers (see below).
 */
static bool cmheap_raw_peers = !IS_ENABLED(CONFIG_DMABUF_DEBUG);

unsigned long cmheap_dma_attrs(u32 attrs)
{
	return (attrs & CMHEAP_ATTR_SKIP_CPU_SYNC) ? DMA_ATTR_SKIP_CPU_SYNC : 0;
}

/*
 * Handle numbers start at 1.  Index 0 of an XA_FLAGS_ALLOC1 array is kept
 * busy by the array itself; erasing it would free it for the next
 * allocation, so 0 never reaches the array.
 */
static struct cmheap_handle *cmheap_handle_find(struct cmheap_ctl_file *ctl_file,
						u32 id)
{
	if (!id)
		return NULL;
	return xa_load(&ctl_file->handles, id);
}

/*
 * A handle whose device is still there: ERR_PTR(-ENOENT) for no such
 * handle, ERR_PTR(-ENODEV) for one revoked when its device went.
 */
static struct cmheap_handle *cmheap_live_handle(struct cmheap_ctl_file *ctl_file,
						u32 id)
{
	struct cmheap_handle *handle = cmheap_handle_find(ctl_file, id);

	if (!handle)
		return ERR_PTR(-ENOENT);
	if (!handle->device)
		return ERR_PTR(-ENODEV);
	return handle;
}

/*
 * A live handle with a current mapping, for the calls that need one:
 * as cmheap_live_handle(), and ERR_PTR(-EINVAL) when unmapped.
 */
static struct cmheap_handle *cmheap_mapped_handle(struct cmheap_ctl_file *ctl_file,
						  u32 id)
{
	struct cmheap_handle *handle = cmheap_live_handle(ctl_file, id);

	if (!IS_ERR(handle) && !handle->sgt)
		return ERR_PTR(-EINVAL);
	return handle;
}

static void cmheap_handle_free_raw(struct cmheap_handle *handle)
{
	if (!handle->have_raw)
		return;
	sg_free_table(&handle->raw);
	if (handle->raw_src_sgt)
		dma_buf_unmap_attachment_unlocked(handle->raw_src,
						  handle->raw_src_sgt,
						  handle->raw_dir);
	if (handle->raw_src)
		dma_buf_detach(handle->dmabuf, handle->raw_src);
	handle->raw_src = NULL;
	handle->raw_src_sgt = NULL;
	handle->have_raw = false;
}

/*
 * The raw baseline maps the same pages the exporter hands out.  Another
 * exporter is asked for them through an attachment of our own, mapped for
 * as long as the copy exists: mapping the handle's own attachment instead
 * could leave a mapping cached on it by the dma-buf core
 * (cache_sgt_mapping), in the wrong direction.  That attachment is mapped
 * in the direction of the raw map it serves, never wider: on a
 * non-coherent device unmapping it BIDIRECTIONAL would invalidate the
 * owner's CPU writes not yet synced, and a read-only buffer must never be
 * mapped for the device to write.  A raw map in another direction gets a
 * fresh copy.
 *
 * A kernel with CONFIG_DMABUF_DEBUG scrambles the page links of every
 * table it gives an importer, precisely so that importers do not do this;
 * there only cmheap's own buffers, whose table the exporter shares with
 * us, can be mapped raw.
 */
static int cmheap_handle_copy_table(struct cmheap_handle *handle,
				    enum dma_data_direction dir)
{
	const struct sg_table *src = cmheap_buffer_table(handle->dmabuf);
	struct dma_buf_attachment *attach = NULL;
	struct sg_table *sgt = NULL;
	struct scatterlist *s;
	unsigned int i;
	int ret;

	if (handle->have_raw && (!handle->raw_src_sgt || handle->raw_dir == dir))
		return 0;
	cmheap_handle_free_raw(handle);
	if (cmheap_is_pageless(handle->dmabuf))
		return -EOPNOTSUPP;	/* no pages to copy */
	if (!src) {
		if (IS_ENABLED(CONFIG_DMABUF_DEBUG))
			return -EOPNOTSUPP;
		attach = dma_buf_attach(handle->dmabuf, handle->dev);
		if (IS_ERR(attach))
			return PTR_ERR(attach);
		sgt = dma_buf_map_attachment_unlocked(attach, dir);
		if (IS_ERR(sgt)) {
			ret = PTR_ERR(sgt);
			sgt = NULL;
			goto err;
		}
		src = sgt;
	}
	for_each_sgtable_sg(src, s, i) {
		if (!sg_page(s)) {
			/* The exporter gives out no pages to map. */
			ret = -EOPNOTSUPP;
			goto err;
		}
	}
	/* Cut to the device's limits, as the exporter's copy is. */
	ret = cmheap_sg_copy_for(&handle->raw, src, handle->dev);
	if (ret)
		goto err;
	handle->have_raw = true;
	handle->raw_src = attach;
	handle->raw_src_sgt = sgt;
	handle->raw_dir = dir;
	return 0;
err:
	if (sgt)
		dma_buf_unmap_attachment_unlocked(attach, sgt, dir);
	if (attach)
		dma_buf_detach(handle->dmabuf, attach);
	return ret;
}

/* A device that may write the buffer needs a writable dma-buf. */
static bool cmheap_dir_writes(enum dma_data_direction dir)
{
	return dir == DMA_FROM_DEVICE || dir == DMA_BIDIRECTIONAL;
}

int cmheap_handle_may_sync(const struct cmheap_handle *handle)
{
	return cmheap_is_pageless(handle->dmabuf) ? -EOPNOTSUPP : 0;
}

int cmheap_handle_prepare_map(struct cmheap_handle *handle, bool raw,
			      enum dma_data_direction dir, unsigned long attrs)
{
	if (handle->sgt)
		return -EBUSY;
	if (cmheap_dir_writes(dir) && !handle->writable)
		return -EACCES;
	if (raw) {
		/* The exporter would refuse it: cmheap_dev_snoops_alias() */
		if (cmheap_is_uncached(handle->dmabuf) &&
		    !cmheap_is_pageless(handle->dmabuf) &&
		    cmheap_dev_snoops_alias(handle->dev))
			return -EOPNOTSUPP;
		return cmheap_handle_copy_table(handle, dir);
	}
	if (!cmheap_is_ours(handle->dmabuf))
		return attrs ? -EOPNOTSUPP : 0;
	return cmheap_attachment_set_attrs(handle->attach, attrs);
}

int cmheap_handle_map(struct cmheap_handle *handle, bool raw,
		      enum dma_data_direction dir, unsigned long attrs)
{
	struct sg_table *sgt;
	int ret;

	if (raw) {
		ret = dma_map_sgtable(handle->dev, &handle->raw, dir, attrs);
		if (ret)
			return ret;
		sgt = &handle->raw;
		cmheap_stat_add(&cmheap_importer_stats, CMHEAP_STAT_MAPS, 1);
		cmheap_stat_maint(&cmheap_importer_stats, handle->dev, dir,
				  attrs, false, sgt->orig_nents);
	} else {
		sgt = dma_buf_map_attachment_unlocked(handle->attach, dir);
		if (IS_ERR(sgt))
			return PTR_ERR(sgt);
	}
	handle->sgt = sgt;
	handle->last_nents = sgt->nents;
	handle->mapped_raw = raw;
	handle->dir = dir;
	handle->attrs = attrs;
	return 0;
}

void cmheap_handle_unmap(struct cmheap_handle *handle)
{
	struct sg_table *sgt = handle->sgt;

	if (handle->mapped_raw) {
		dma_unmap_sgtable(handle->dev, sgt, handle->dir, handle->attrs);
		cmheap_stat_add(&cmheap_importer_stats, CMHEAP_STAT_UNMAPS, 1);
		cmheap_stat_maint(&cmheap_importer_stats, handle->dev,
				  handle->dir, handle->attrs, true,
				  sgt->orig_nents);
	} else {
		dma_buf_unmap_attachment_unlocked(handle->attach, sgt,
						  handle->dir);
	}
	handle->sgt = NULL;
}

/*
 * Syncs the handle's own mapping, as a driver does between rounds of
 * streaming DMA; the exporter is not involved.
 */
void cmheap_handle_sync(struct cmheap_handle *handle, bool for_cpu)
{
	const char *name = handle->dmabuf->exp_name;
	bool uncached = cmheap_is_uncached(handle->dmabuf);
	struct sg_table *sgt = handle->sgt;
	size_t size = handle->dmabuf->size;

	if (for_cpu) {
		trace_cmheap_sync_for_cpu(name, handle->dev, size, sgt->nents,
					  handle->dir, 0, uncached);
		dma_sync_sgtable_for_cpu(handle->dev, sgt, handle->dir);
	} else {
		trace_cmheap_sync_for_device(name, handle->dev, size,
					     sgt->nents, handle->dir, 0,
					     uncached);
		dma_sync_sgtable_for_device(handle->dev, sgt, handle->dir);
	}
	cmheap_stat_add(&cmheap_importer_stats, CMHEAP_STAT_CPU_SYNCS, 1);
	cmheap_stat_maint(&cmheap_importer_stats, handle->dev, handle->dir, 0,
			  for_cpu, sgt->orig_nents);
}

/*
 * Lets go of everything the handle holds: its mapping, raw copy,
 * attachment, dma-buf and device.  What is left is revoked (no device),
 * until detached.
 */
static void cmheap_handle_release(struct cmheap_handle *handle)
{
	if (handle->sgt)
		cmheap_handle_unmap(handle);
	cmheap_handle_free_raw(handle);
	dma_buf_detach(handle->dmabuf, handle->attach);
	dma_buf_put(handle->dmabuf);
	cmheap_device_put(handle->device);
	handle->attach = NULL;
	handle->dmabuf = NULL;
	handle->device = NULL;
	handle->dev = NULL;
}

static void cmheap_handle_destroy(struct cmheap_handle *handle)
{
	if (handle->device)
		cmheap_handle_release(handle);
	kfree(handle);
}

void cmheap_importer_revoke(struct cmheap_device *device)
{
	struct cmheap_ctl_file *ctl_file;
	struct cmheap_handle *handle;
	unsigned int revoked = 0;
	unsigned long id;

	mutex_lock(&cmheap_ctl_files_lock);
	list_for_each_entry(ctl_file, &cmheap_ctl_files, node) {
		/*
		 * Not killable: what a killed wait left mapped would outlive
		 * the device's DMA configuration.  An ioctl in flight ends
		 * soon on a removed device (no transfer starts, a benchmark
		 * stops at its next iteration).
		 */
		mutex_lock(&ctl_file->lock);
		xa_for_each(&ctl_file->handles, id, handle) {
			if (handle->device != device)
				continue;
			cmheap_handle_release(handle);
			revoked++;
		}
		mutex_unlock(&ctl_file->lock);
	}
	mutex_unlock(&cmheap_ctl_files_lock);
	if (revoked)
		dev_info(cmheap_device_dev(device),
			 "cmheap: revoked %u handle(s): unmapped and detached\n",
			 revoked);
}

static int cmheap_valid_dir(u32 dir)
{
	return dir == CMHEAP_DIR_BIDIRECTIONAL || dir == CMHEAP_DIR_TO_DEVICE ||
	       dir == CMHEAP_DIR_FROM_DEVICE;
}

static long cmheap_ioc_device_info(void __user *uarg)
{
	struct cmheap_device_info info;
	int ret;

	if (copy_from_user(&info, uarg, sizeof(info)))
		return -EFAULT;
	ret = cmheap_device_info(info.index, &info);
	if (ret)
		return ret;
	return copy_to_user(uarg, &info, sizeof(info)) ? -EFAULT : 0;
}

static long cmheap_ioc_attach(struct cmheap_ctl_file *ctl_file,
			      void __user *uarg)
{
	struct cmheap_handle *handle;
	struct cmheap_attach arg;
	u32 id;
	int ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.device >= CMHEAP_MAX_DEVICES || arg.reserved[0] ||
	    arg.reserved[1])
		return -EINVAL;

	/* Charged to the caller's memory cgroup, as all its bookkeeping. */
	handle = kzalloc(sizeof(*handle), GFP_KERNEL_ACCOUNT);
	if (!handle)
		return -ENOMEM;
	handle->device = cmheap_device_get(arg.device);
	if (!handle->device) {
		ret = -ENODEV;
		goto err_free;
	}
	handle->dev = cmheap_device_dev(handle->device);
	handle->dmabuf = dma_buf_get(arg.dmabuf_fd);
	if (IS_ERR(handle->dmabuf)) {
		ret = PTR_ERR(handle->dmabuf);
		goto err_device;
	}
	/* Every fd of a dma-buf shares its one file, and so its mode. */
	handle->writable = handle->dmabuf->file->f_mode & FMODE_WRITE;
	handle->attach = dma_buf_attach(handle->dmabuf, handle->dev);
	if (IS_ERR(handle->attach)) {
		ret = PTR_ERR(handle->attach);
		goto err_put;
	}

	ret = xa_alloc(&ctl_file->handles, &id, handle,
		       XA_LIMIT(1, CMHEAP_MAX_HANDLES), GFP_KERNEL_ACCOUNT);
	if (ret) {
		/* xa_alloc() says EBUSY when the range is full. */
		if (ret == -EBUSY)
			ret = -EMFILE;
		goto err_detach;
	}

	arg.handle = id;
	arg.flags = 0;
	if (cmheap_is_ours(handle->dmabuf))
		arg.flags |= CMHEAP_ATTF_OURS;
	if (cmheap_is_uncached(handle->dmabuf))
		arg.flags |= CMHEAP_ATTF_UNCACHED;
	if (cmheap_is_pageless(handle->dmabuf))
		arg.flags |= CMHEAP_ATTF_PAGELESS;
	arg.size = handle->dmabuf->size;
	memset(arg.exp_name, 0, sizeof(arg.exp_name));
	strscpy(arg.exp_name, handle->dmabuf->exp_name, sizeof(arg.exp_name));
	if (copy_to_user(uarg, &arg, sizeof(arg))) {
		xa_erase(&ctl_file->handles, id);
		ret = -EFAULT;
		goto err_detach;
	}
	return 0;

err_detach:
	dma_buf_detach(handle->dmabuf, handle->attach);
err_put:
	dma_buf_put(handle->dmabuf);
err_device:
	cmheap_device_put(handle->device);
err_free:
	kfree(handle);
	return ret;
}

static long cmheap_ioc_detach(struct cmheap_ctl_file *ctl_file,
			      void __user *uarg)
{
	struct cmheap_handle *handle;
	u32 id;

	if (get_user(id, (u32 __user *)uarg))
		return -EFAULT;
	/* A revoked handle too: detaching it frees what is left of it. */
	if (!cmheap_handle_find(ctl_file, id))
		return -ENOENT;
	handle = xa_erase(&ctl_file->handles, id);
	cmheap_handle_destroy(handle);
	return 0;
}

static long cmheap_ioc_map(struct cmheap_ctl_file *ctl_file, void __user *uarg)
{
	struct cmheap_handle *handle;
	struct cmheap_map arg;
	unsigned long attrs;
	bool raw;
	u64 t0;
	int ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (!cmheap_valid_dir(arg.direction) ||
	    (arg.attrs & ~CMHEAP_VALID_ATTRS) ||
	    (arg.flags & ~CMHEAP_VALID_MAP_FLAGS))
		return -EINVAL;
	handle = cmheap_live_handle(ctl_file, arg.handle);
	if (IS_ERR(handle))
		return PTR_ERR(handle);

	raw = arg.flags & CMHEAP_MAP_RAW;
	attrs = cmheap_dma_attrs(arg.attrs);
	ret = cmheap_handle_prepare_map(handle, raw, arg.direction, attrs);
	if (ret)
		return ret;

	t0 = ktime_get_raw_ns();
	ret = cmheap_handle_map(handle, raw, arg.direction, attrs);
	arg.ns = ktime_get_raw_ns() - t0;
	if (ret)
		return ret;

	arg.nents = handle->sgt->nents;
	arg.orig_nents = handle->sgt->orig_nents;
	if (copy_to_user(uarg, &arg, sizeof(arg))) {
		cmheap_handle_unmap(handle);
		return -EFAULT;
	}
	return 0;
}

static long cmheap_ioc_unmap(struct cmheap_ctl_file *ctl_file,
			     void __user *uarg)
{
	struct cmheap_handle *handle;
	struct cmheap_unmap arg;
	u64 t0;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.reserved)
		return -EINVAL;
	handle = cmheap_mapped_handle(ctl_file, arg.handle);
	if (IS_ERR(handle))
		return PTR_ERR(handle);

	t0 = ktime_get_raw_ns();
	cmheap_handle_unmap(handle);
	arg.ns = ktime_get_raw_ns() - t0;
	return copy_to_user(uarg, &arg, sizeof(arg)) ? -EFAULT : 0;
}

static long cmheap_ioc_sync(struct cmheap_ctl_file *ctl_file, void __user *uarg)
{
	struct cmheap_handle *handle;
	struct cmheap_sync arg;
	u64 t0;
	int ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.reserved || !cmheap_valid_dir(arg.direction) ||
	    (arg.flags != CMHEAP_SYNC_FOR_CPU &&
	     arg.flags != CMHEAP_SYNC_FOR_DEVICE))
		return -EINVAL;
	handle = cmheap_mapped_handle(ctl_file, arg.handle);
	if (IS_ERR(handle))
		return PTR_ERR(handle);
	/* The DMA API syncs a mapping in the direction it was mapped with. */
	if (arg.direction != handle->dir)
		return -EINVAL;
	ret = cmheap_handle_may_sync(handle);
	if (ret)
		return ret;

	t0 = ktime_get_raw_ns();
	cmheap_handle_sync(handle, arg.flags == CMHEAP_SYNC_FOR_CPU);
	arg.ns = ktime_get_raw_ns() - t0;
	return copy_to_user(uarg, &arg, sizeof(arg)) ? -EFAULT : 0;
}

static long cmheap_ioc_bench(struct cmheap_ctl_file *ctl_file,
			     void __user *uarg)
{
	struct cmheap_handle *handle;
	struct cmheap_bench arg;
	long ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.op >= CMHEAP_BENCH_OP_COUNT || !cmheap_valid_dir(arg.direction) ||
	    (arg.attrs & ~CMHEAP_VALID_ATTRS) ||
	    (arg.flags & ~CMHEAP_VALID_BENCH_FLAGS) ||
	    !arg.iterations || arg.iterations > CMHEAP_BENCH_MAX_ITERATIONS ||
	    arg.warmup > CMHEAP_BENCH_MAX_ITERATIONS ||
	    arg.budget_ns > CMHEAP_BENCH_MAX_NS || arg.reserved ||
	    arg.reserved2[0] || arg.reserved2[1])
		return -EINVAL;
	handle = cmheap_live_handle(ctl_file, arg.handle);
	if (IS_ERR(handle))
		return PTR_ERR(handle);

	ret = cmheap_bench_ioctl(handle, &arg);
	if (ret)
		return ret;
	return copy_to_user(uarg, &arg, sizeof(arg)) ? -EFAULT : 0;
}

static long cmheap_ioc_placement(struct cmheap_ctl_file *ctl_file,
				 void __user *uarg)
{
	struct cmheap_handle *handle;
	struct cmheap_placement arg;
	int ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.reserved[0] || arg.reserved[1])
		return -EINVAL;
	handle = cmheap_mapped_handle(ctl_file, arg.handle);
	if (IS_ERR(handle))
		return PTR_ERR(handle);
	if (handle->mapped_raw)
		return -EINVAL;
	ret = cmheap_buffer_placement(handle->attach, &arg);
	if (ret)
		return ret;
	return copy_to_user(uarg, &arg, sizeof(arg)) ? -EFAULT : 0;
}

/* The handle's current mapping, segment by segment (CMHEAP_IOC_SEGMENTS). */
static long cmheap_ioc_segments(struct cmheap_ctl_file *ctl_file,
				void __user *uarg)
{
	struct cmheap_segment __user *useg;
	struct cmheap_segment seg = { };
	struct cmheap_handle *handle;
	struct cmheap_segments arg;
	struct scatterlist *sg;
	unsigned int i, n;
	bool cpu;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.reserved || (arg.flags & ~CMHEAP_VALID_SEG_FLAGS))
		return -EINVAL;
	handle = cmheap_mapped_handle(ctl_file, arg.handle);
	if (IS_ERR(handle))
		return PTR_ERR(handle);
	cpu = arg.flags & CMHEAP_SEGF_CPU;
	n = cpu ? handle->sgt->orig_nents : handle->sgt->nents;
	useg = u64_to_user_ptr(arg.ptr);
	for_each_sg(handle->sgt->sgl, sg, n, i) {
		seg.length = cpu ? sg->length : sg_dma_len(sg);
		seg.dma_address = cpu ? 0 : sg_dma_address(sg);
		if (i < arg.count && copy_to_user(&useg[i], &seg, sizeof(seg)))
			return -EFAULT;
		seg.offset += seg.length;
	}
	arg.count = n;
	return copy_to_user(uarg, &arg, sizeof(arg)) ? -EFAULT : 0;
}

/*
 * The DMA addresses of @len bytes at @offset of the mapping, as pieces no
 * longer than one DMA segment, appended to @xfers (room for @max); their
 * number, or -ERANGE past the mapping, -E2BIG past @max.  The walk is over
 * the DMA segments (nents), which an IOMMU may have merged: not over the
 * CPU entries, whose DMA fields past nents mean nothing.
 */
static int cmheap_dma_pieces(const struct sg_table *sgt, u64 offset, u32 len,
			     struct cmheap_dma_xfer *xfers, unsigned int max)
{
	struct scatterlist *sg;
	unsigned int i, n = 0;
	u64 start = 0;

	for_each_sgtable_dma_sg(sgt, sg, i) {
		u64 seg_len = sg_dma_len(sg);
		u32 part;

		if (offset >= start + seg_len) {
			start += seg_len;
			continue;
		}
		if (n == max)
			return -E2BIG;
		part = min_t(u64, len, start + seg_len - offset);
		xfers[n].addr = sg_dma_address(sg) + (offset - start);
		xfers[n++].len = part;
		offset += part;
		len -= part;
		if (!len)
			return n;
		start += seg_len;
	}
	return -ERANGE;
}

/* Room for every piece split at each page boundary it crosses. */
#define CMHEAP_DMA_MAX_XFERS	(2 * CMHEAP_DMA_MAX_PIECES + \
				 CMHEAP_DMA_MAX_BYTES / PAGE_SIZE)

static long cmheap_ioc_dma(struct cmheap_ctl_file *ctl_file, void __user *uarg)
{
	struct cmheap_dma_piece pieces[CMHEAP_DMA_MAX_PIECES];
	struct cmheap_dma_xfer *xfers;
	struct cmheap_handle *handle;
	struct cmheap_dma arg;
	unsigned int i, n = 0;
	bool to_memory;
	u32 total = 0;
	void *data;
	int ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.reserved || !arg.count || arg.count > CMHEAP_DMA_MAX_PIECES ||
	    (arg.direction != CMHEAP_DIR_TO_DEVICE &&
	     arg.direction != CMHEAP_DIR_FROM_DEVICE))
		return -EINVAL;
	if (copy_from_user(pieces, u64_to_user_ptr(arg.pieces_ptr),
			   arg.count * sizeof(pieces[0])))
		return -EFAULT;
	for (i = 0; i < arg.count; i++) {
		if (pieces[i].reserved || !pieces[i].length ||
		    pieces[i].length > CMHEAP_DMA_MAX_BYTES - total)
			return -EINVAL;
		total += pieces[i].length;
	}
	handle = cmheap_mapped_handle(ctl_file, arg.handle);
	if (IS_ERR(handle))
		return PTR_ERR(handle);
	/* The device may only do what the mapping's direction allows. */
	to_memory = arg.direction == CMHEAP_DIR_FROM_DEVICE;
	if (handle->dir != DMA_BIDIRECTIONAL &&
	    handle->dir != (enum dma_data_direction)arg.direction)
		return -EINVAL;
	for (i = 0; i < arg.count; i++) {
		if (pieces[i].offset > handle->dmabuf->size ||
		    pieces[i].length > handle->dmabuf->size - pieces[i].offset)
			return -ERANGE;
	}

	xfers = kcalloc(CMHEAP_DMA_MAX_XFERS, sizeof(*xfers), GFP_KERNEL);
	data = kmalloc(total, GFP_KERNEL);
	if (!xfers || !data) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < arg.count; i++) {
		ret = cmheap_dma_pieces(handle->sgt, pieces[i].offset,
					pieces[i].length, xfers + n,
					CMHEAP_DMA_MAX_XFERS - n);
		if (ret < 0)
			goto out;
		n += ret;
	}
	if (to_memory && copy_from_user(data, u64_to_user_ptr(arg.data_ptr),
					total)) {
		ret = -EFAULT;
		goto out;
	}
	ret = cmheap_device_transfer(handle->device, xfers, n, to_memory,
				     data);
	if (!ret && !to_memory &&
	    copy_to_user(u64_to_user_ptr(arg.data_ptr), data, total))
		ret = -EFAULT;
out:
	kfree(data);
	kfree(xfers);
	return ret;
}

static long cmheap_ctl_ioctl(struct file *file, unsigned int cmd,
			     unsigned long arg)
{
	struct cmheap_ctl_file *ctl_file = file->private_data;
	void __user *uarg = (void __user *)arg;
	long ret;

	/* Questions about the module, not the file: no lock. */
	if (cmd == CMHEAP_IOC_DEVICE_INFO)
		return cmheap_ioc_device_info(uarg);
	if (cmd == CMHEAP_IOC_VERSION)
		return cmheap_version_to_user(uarg, 0);

	/* A benchmark may hold the lock for a while: waiters stay killable. */
	if (mutex_lock_killable(&ctl_file->lock))
		return -EINTR;
	switch (cmd) {
	case CMHEAP_IOC_ATTACH:
		ret = cmheap_ioc_attach(ctl_file, uarg);
		break;
	case CMHEAP_IOC_DETACH:
		ret = cmheap_ioc_detach(ctl_file, uarg);
		break;
	case CMHEAP_IOC_MAP:
		ret = cmheap_ioc_map(ctl_file, uarg);
		break;
	case CMHEAP_IOC_UNMAP:
		ret = cmheap_ioc_unmap(ctl_file, uarg);
		break;
	case CMHEAP_IOC_SYNC:
		ret = cmheap_ioc_sync(ctl_file, uarg);
		break;
	case CMHEAP_IOC_BENCH:
		ret = cmheap_ioc_bench(ctl_file, uarg);
		break;
	case CMHEAP_IOC_PLACEMENT:
		ret = cmheap_ioc_placement(ctl_file, uarg);
		break;
	case CMHEAP_IOC_SEGMENTS:
		ret = cmheap_ioc_segments(ctl_file, uarg);
		break;
	case CMHEAP_IOC_DMA:
		ret = cmheap_ioc_dma(ctl_file, uarg);
		break;
	default:
		ret = -ENOTTY;
		break;
	}
	mutex_unlock(&ctl_file->lock);
	return ret;
}

static int cmheap_ctl_open(struct inode *inode, struct file *file)
{
	struct cmheap_ctl_file *ctl_file;

	if (!cmheap_test_is_up())
		return -ENODEV;
	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	ctl_file = kzalloc(sizeof(*ctl_file), GFP_KERNEL_ACCOUNT);
	if (!ctl_file)
		return -ENOMEM;
	mutex_init(&ctl_file->lock);
	xa_init_flags(&ctl_file->handles, XA_FLAGS_ALLOC1);
	mutex_lock(&cmheap_ctl_files_lock);
	list_add(&ctl_file->node, &cmheap_ctl_files);
	mutex_unlock(&cmheap_ctl_files_lock);
	file->private_data = ctl_file;
	return nonseekable_open(inode, file);
}

static int cmheap_ctl_release(struct inode *inode, struct file *file)
{
	struct cmheap_ctl_file *ctl_file = file->private_data;
	struct cmheap_handle *handle;
	unsigned long id;

	/* Waits for a revocation going through the file. */
	mutex_lock(&cmheap_ctl_files_lock);
	list_del(&ctl_file->node);
	mutex_unlock(&cmheap_ctl_files_lock);
	xa_for_each(&ctl_file->handles, id, handle)
		cmheap_handle_destroy(handle);
	xa_destroy(&ctl_file->handles);
	mutex_destroy(&ctl_file->lock);
	kfree(ctl_file);
	return 0;
}

static const struct file_operations cmheap_ctl_fops = {
	.owner		= THIS_MODULE,
	.open		= cmheap_ctl_open,
	.release	= cmheap_ctl_release,
	.unlocked_ioctl	= cmheap_ctl_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

static struct miscdevice cmheap_ctl_dev = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= CMHEAP_CTL_NAME,
	.fops	= &cmheap_ctl_fops,
};

int cmheap_importer_init(void)
{
	int ret;

	cmheap_stats_register(&cmheap_importer_stats, "importer");
	debugfs_create_bool("raw_peers", 0444, cmheap_importer_stats.dir,
			    &cmheap_raw_peers);
	ret = misc_register(&cmheap_ctl_dev);
	if (ret)
		cmheap_stats_unregister(&cmheap_importer_stats);
	return ret;
}

void cmheap_importer_exit(void)
{
	misc_deregister(&cmheap_ctl_dev);
	cmheap_stats_unregister(&cmheap_importer_stats);
}
