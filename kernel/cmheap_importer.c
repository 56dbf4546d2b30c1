// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/cmheap: the importer side.  It attaches any dma-buf (ours, the
 * upstream system heap's, udmabuf's, ...) to one of the test devices and
 * maps, syncs and unmaps it on request, timing each call in the kernel so
 * that tests can check behaviour and benchmarks can measure cost.
 *
 * Mappings go through the exporter (dma_buf_map_attachment), as any driver's
 * would, or, with CMHEAP_MAP_RAW, straight through dma_map_sgtable() on a
 * private copy of the buffer's scatterlist: the raw DMA API baseline against
 * which an exporter's own overhead is measured.
 */
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/dma-resv.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/iosys-map.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <linux/uaccess.h>
#include <linux/xarray.h>

#include "cmheap.h"
#include "cmheap_compat.h"
#include "cmheap_trace.h"

/* One open of /dev/cmheap: its attachments, by handle. */
struct cmheap_importer {
	struct mutex lock;		/* serialises this file's ioctls */
	struct xarray handles;
};

struct cmheap_import {
	struct dma_buf *dmabuf;
	struct dma_buf_attachment *attach;
	struct device *dev;
	struct sg_table raw;		/* private copy for CMHEAP_MAP_RAW */
	bool have_raw;
	struct sg_table *sgt;		/* the current mapping, or NULL */
	bool mapped_raw;
	unsigned int last_nents;	/* DMA segments of the last mapping */
	enum dma_data_direction dir;
	unsigned long attrs;
};

static struct cmheap_stats cmheap_importer_stats;

static unsigned long cmheap_dma_attrs(u32 attrs)
{
	return (attrs & CMHEAP_ATTR_SKIP_CPU_SYNC) ? DMA_ATTR_SKIP_CPU_SYNC : 0;
}

static struct cmheap_import *cmheap_import_find(struct cmheap_importer *imp,
						u32 handle)
{
	return xa_load(&imp->handles, handle);
}

/*
 * The raw baseline maps the same pages the exporter hands out.  Another
 * exporter is asked for them through a short-lived attachment of our own:
 * mapping the importer's attachment instead could leave a mapping cached
 * on it by the dma-buf core (cache_sgt_mapping), in the wrong direction.
 */
static int cmheap_import_copy_table(struct cmheap_import *im)
{
	const struct sg_table *src = cmheap_buffer_table(im->dmabuf);
	struct dma_buf_attachment *tmp = NULL;
	struct sg_table *sgt = NULL;
	struct scatterlist *s, *d;
	unsigned int i;
	int ret;

	if (im->have_raw)
		return 0;
	if (!src) {
		tmp = dma_buf_attach(im->dmabuf, im->dev);
		if (IS_ERR(tmp))
			return PTR_ERR(tmp);
		sgt = dma_buf_map_attachment_unlocked(tmp, DMA_BIDIRECTIONAL);
		if (IS_ERR(sgt)) {
			ret = PTR_ERR(sgt);
			sgt = NULL;
			goto out;
		}
		src = sgt;
	}
	ret = sg_alloc_table(&im->raw, src->orig_nents, GFP_KERNEL);
	if (ret)
		goto out;
	d = im->raw.sgl;
	for_each_sgtable_sg(src, s, i) {
		if (!sg_page(s)) {
			/* The exporter gives out no pages to map. */
			sg_free_table(&im->raw);
			ret = -EOPNOTSUPP;
			goto out;
		}
		sg_set_page(d, sg_page(s), s->length, s->offset);
		d = sg_next(d);
	}
	im->have_raw = true;
out:
	if (sgt)
		dma_buf_unmap_attachment_unlocked(tmp, sgt, DMA_BIDIRECTIONAL);
	if (tmp)
		dma_buf_detach(im->dmabuf, tmp);
	return ret;
}

/* Checks done before anything is timed. */
static int cmheap_import_prepare_map(struct cmheap_import *im, bool raw,
				     unsigned long attrs)
{
	if (im->sgt)
		return -EBUSY;
	if (raw)
		return cmheap_import_copy_table(im);
	if (!cmheap_is_ours(im->dmabuf))
		return attrs ? -EOPNOTSUPP : 0;
	return cmheap_attachment_set_attrs(im->attach, attrs);
}

static int cmheap_import_map(struct cmheap_import *im, bool raw,
			     enum dma_data_direction dir, unsigned long attrs)
{
	struct sg_table *sgt;
	int ret;

	if (raw) {
		ret = dma_map_sgtable(im->dev, &im->raw, dir, attrs);
		if (ret)
			return ret;
		sgt = &im->raw;
		cmheap_stat_add(&cmheap_importer_stats, CMHEAP_STAT_MAPS, 1);
		cmheap_stat_add(&cmheap_importer_stats,
				CMHEAP_STAT_CACHE_MAINT_OPS,
				cmheap_maint_segments(im->dev, dir, attrs,
						      false, sgt->orig_nents));
	} else {
		sgt = dma_buf_map_attachment_unlocked(im->attach, dir);
		if (IS_ERR(sgt))
			return PTR_ERR(sgt);
	}
	im->sgt = sgt;
	im->last_nents = sgt->nents;
	im->mapped_raw = raw;
	im->dir = dir;
	im->attrs = attrs;
	return 0;
}

static void cmheap_import_unmap(struct cmheap_import *im)
{
	struct sg_table *sgt = im->sgt;

	if (im->mapped_raw) {
		dma_unmap_sgtable(im->dev, sgt, im->dir, im->attrs);
		cmheap_stat_add(&cmheap_importer_stats, CMHEAP_STAT_UNMAPS, 1);
		cmheap_stat_add(&cmheap_importer_stats,
				CMHEAP_STAT_CACHE_MAINT_OPS,
				cmheap_maint_segments(im->dev, im->dir,
						      im->attrs, true,
						      sgt->orig_nents));
	} else {
		dma_buf_unmap_attachment_unlocked(im->attach, sgt, im->dir);
	}
	im->sgt = NULL;
}

/*
 * Syncs the importer's own mapping, as a driver does between rounds of
 * streaming DMA; the exporter is not involved.
 */
static void cmheap_import_sync(struct cmheap_import *im, bool for_cpu)
{
	const char *name = im->dmabuf->exp_name;
	bool uncached = cmheap_is_uncached(im->dmabuf);
	struct sg_table *sgt = im->sgt;

	if (for_cpu) {
		trace_cmheap_sync_for_cpu(name, im->dev, im->dmabuf->size,
					  sgt->nents, im->dir, 0, uncached);
		dma_sync_sgtable_for_cpu(im->dev, sgt, im->dir);
	} else {
		trace_cmheap_sync_for_device(name, im->dev, im->dmabuf->size,
					     sgt->nents, im->dir, 0, uncached);
		dma_sync_sgtable_for_device(im->dev, sgt, im->dir);
	}
	cmheap_stat_add(&cmheap_importer_stats, CMHEAP_STAT_CPU_SYNCS, 1);
	cmheap_stat_add(&cmheap_importer_stats, CMHEAP_STAT_CACHE_MAINT_OPS,
			cmheap_maint_segments(im->dev, im->dir, 0, for_cpu,
					      sgt->orig_nents));
}

static void cmheap_import_destroy(struct cmheap_import *im)
{
	if (im->sgt)
		cmheap_import_unmap(im);
	if (im->have_raw)
		sg_free_table(&im->raw);
	dma_buf_detach(im->dmabuf, im->attach);
	dma_buf_put(im->dmabuf);
	kfree(im);
}

static int cmheap_valid_dir(u32 dir)
{
	return dir == CMHEAP_DIR_BIDIRECTIONAL || dir == CMHEAP_DIR_TO_DEVICE ||
	       dir == CMHEAP_DIR_FROM_DEVICE;
}

static long cmheap_ioc_device_info(void __user *uarg)
{
	struct cmheap_device_info info;
	struct device *dev;

	if (copy_from_user(&info, uarg, sizeof(info)))
		return -EFAULT;
	if (info.index >= CMHEAP_DEV_COUNT)
		return -EINVAL;
	memset(info.name, 0, sizeof(info.name));
	info.flags = 0;
	dev = cmheap_testdev_get(info.index);
	if (dev) {
		info.flags |= CMHEAP_DEVF_PRESENT;
		if (dev_is_dma_coherent(dev))
			info.flags |= CMHEAP_DEVF_COHERENT;
		strscpy(info.name, dev_name(dev), sizeof(info.name));
	}
	return copy_to_user(uarg, &info, sizeof(info)) ? -EFAULT : 0;
}

static long cmheap_ioc_attach(struct cmheap_importer *imp, void __user *uarg)
{
	struct cmheap_attach arg;
	struct cmheap_import *im;
	u32 handle;
	int ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.device >= CMHEAP_DEV_COUNT)
		return -EINVAL;

	im = kzalloc(sizeof(*im), GFP_KERNEL);
	if (!im)
		return -ENOMEM;
	im->dev = cmheap_testdev_get(arg.device);
	if (!im->dev) {
		ret = -ENODEV;
		goto err_free;
	}
	im->dmabuf = dma_buf_get(arg.dmabuf_fd);
	if (IS_ERR(im->dmabuf)) {
		ret = PTR_ERR(im->dmabuf);
		goto err_free;
	}
	im->attach = dma_buf_attach(im->dmabuf, im->dev);
	if (IS_ERR(im->attach)) {
		ret = PTR_ERR(im->attach);
		goto err_put;
	}

	ret = xa_alloc(&imp->handles, &handle, im, xa_limit_31b, GFP_KERNEL);
	if (ret)
		goto err_detach;

	arg.handle = handle;
	arg.flags = 0;
	if (cmheap_is_ours(im->dmabuf))
		arg.flags |= CMHEAP_ATTF_OURS;
	if (cmheap_is_uncached(im->dmabuf))
		arg.flags |= CMHEAP_ATTF_UNCACHED;
	arg.size = im->dmabuf->size;
	memset(arg.exp_name, 0, sizeof(arg.exp_name));
	strscpy(arg.exp_name, im->dmabuf->exp_name, sizeof(arg.exp_name));
	if (copy_to_user(uarg, &arg, sizeof(arg))) {
		xa_erase(&imp->handles, handle);
		ret = -EFAULT;
		goto err_detach;
	}
	return 0;

err_detach:
	dma_buf_detach(im->dmabuf, im->attach);
err_put:
	dma_buf_put(im->dmabuf);
err_free:
	kfree(im);
	return ret;
}

static long cmheap_ioc_detach(struct cmheap_importer *imp, void __user *uarg)
{
	struct cmheap_import *im;
	u32 handle;

	if (get_user(handle, (u32 __user *)uarg))
		return -EFAULT;
	im = xa_erase(&imp->handles, handle);
	if (!im)
		return -ENOENT;
	cmheap_import_destroy(im);
	return 0;
}

static long cmheap_ioc_map(struct cmheap_importer *imp, void __user *uarg)
{
	struct cmheap_import *im;
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
	im = cmheap_import_find(imp, arg.handle);
	if (!im)
		return -ENOENT;

	raw = arg.flags & CMHEAP_MAP_RAW;
	attrs = cmheap_dma_attrs(arg.attrs);
	ret = cmheap_import_prepare_map(im, raw, attrs);
	if (ret)
		return ret;

	t0 = ktime_get_raw_ns();
	ret = cmheap_import_map(im, raw, arg.direction, attrs);
	arg.ns = ktime_get_raw_ns() - t0;
	if (ret)
		return ret;

	arg.nents = im->sgt->nents;
	arg.orig_nents = im->sgt->orig_nents;
	if (copy_to_user(uarg, &arg, sizeof(arg))) {
		cmheap_import_unmap(im);
		return -EFAULT;
	}
	return 0;
}

static long cmheap_ioc_unmap(struct cmheap_importer *imp, void __user *uarg)
{
	struct cmheap_import *im;
	struct cmheap_unmap arg;
	u64 t0;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.reserved)
		return -EINVAL;
	im = cmheap_import_find(imp, arg.handle);
	if (!im)
		return -ENOENT;
	if (!im->sgt)
		return -EINVAL;

	t0 = ktime_get_raw_ns();
	cmheap_import_unmap(im);
	arg.ns = ktime_get_raw_ns() - t0;
	return copy_to_user(uarg, &arg, sizeof(arg)) ? -EFAULT : 0;
}

static long cmheap_ioc_sync(struct cmheap_importer *imp, void __user *uarg)
{
	struct cmheap_import *im;
	struct cmheap_sync arg;
	u64 t0;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.reserved || !cmheap_valid_dir(arg.direction) ||
	    (arg.flags != CMHEAP_SYNC_FOR_CPU &&
	     arg.flags != CMHEAP_SYNC_FOR_DEVICE))
		return -EINVAL;
	im = cmheap_import_find(imp, arg.handle);
	if (!im)
		return -ENOENT;
	/* The DMA API syncs a mapping in the direction it was mapped with. */
	if (!im->sgt || arg.direction != im->dir)
		return -EINVAL;

	t0 = ktime_get_raw_ns();
	cmheap_import_sync(im, arg.flags == CMHEAP_SYNC_FOR_CPU);
	arg.ns = ktime_get_raw_ns() - t0;
	return copy_to_user(uarg, &arg, sizeof(arg)) ? -EFAULT : 0;
}

/*
 * Kernel mapping of any dma-buf, with the reservation lock the core wants
 * held (what dma_buf_vmap_unlocked() does on kernels that have it).
 */
static int cmheap_import_vmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	int ret;

	dma_resv_lock(dmabuf->resv, NULL);
	ret = dma_buf_vmap(dmabuf, map);
	dma_resv_unlock(dmabuf->resv);
	return ret;
}

static void cmheap_import_vunmap(struct dma_buf *dmabuf, struct iosys_map *map)
{
	dma_resv_lock(dmabuf->resv, NULL);
	dma_buf_vunmap(dmabuf, map);
	dma_resv_unlock(dmabuf->resv);
}

/*
 * Writes every byte of the buffer through a kernel mapping, so that a cached
 * buffer has dirty lines for the next clean to write back.
 */
static void cmheap_bench_dirty(struct iosys_map *map, size_t len, u32 iter)
{
	memset(map->vaddr, (int)(iter & 0xff), len);
}

static int cmheap_bench_one(struct cmheap_import *im, const struct cmheap_bench *b,
			    bool raw, unsigned long attrs, u64 *ns)
{
	enum dma_data_direction dir = b->direction;
	u64 t0, t1;
	int ret;

	switch (b->op) {
	case CMHEAP_BENCH_MAP:
		t0 = ktime_get_raw_ns();
		ret = cmheap_import_map(im, raw, dir, attrs);
		t1 = ktime_get_raw_ns();
		if (ret)
			return ret;
		cmheap_import_unmap(im);
		break;
	case CMHEAP_BENCH_UNMAP:
		ret = cmheap_import_map(im, raw, dir, attrs);
		if (ret)
			return ret;
		t0 = ktime_get_raw_ns();
		cmheap_import_unmap(im);
		t1 = ktime_get_raw_ns();
		break;
	case CMHEAP_BENCH_MAP_UNMAP:
		t0 = ktime_get_raw_ns();
		ret = cmheap_import_map(im, raw, dir, attrs);
		if (ret)
			return ret;
		cmheap_import_unmap(im);
		t1 = ktime_get_raw_ns();
		break;
	default:	/* the syncs: mapped once by the caller */
		t0 = ktime_get_raw_ns();
		cmheap_import_sync(im, b->op == CMHEAP_BENCH_SYNC_CPU);
		t1 = ktime_get_raw_ns();
		break;
	}
	*ns = t1 - t0;
	return 0;
}

static long cmheap_ioc_bench(struct cmheap_importer *imp, void __user *uarg)
{
	struct iosys_map map = IOSYS_MAP_INIT_VADDR(NULL);
	struct cmheap_import *im;
	struct cmheap_bench arg;
	bool raw, dirty, sync_op;
	unsigned long attrs;
	u64 *samples, ns;
	u32 i, total;
	int ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if (arg.op >= CMHEAP_BENCH_OP_COUNT || !cmheap_valid_dir(arg.direction) ||
	    (arg.attrs & ~CMHEAP_VALID_ATTRS) ||
	    (arg.flags & ~CMHEAP_VALID_BENCH_FLAGS) ||
	    !arg.iterations || arg.iterations > CMHEAP_BENCH_MAX_ITERATIONS ||
	    arg.warmup > CMHEAP_BENCH_MAX_ITERATIONS)
		return -EINVAL;
	im = cmheap_import_find(imp, arg.handle);
	if (!im)
		return -ENOENT;

	raw = arg.flags & CMHEAP_BENCH_RAW;
	dirty = arg.flags & CMHEAP_BENCH_DIRTY;
	sync_op = arg.op == CMHEAP_BENCH_SYNC_DEV || arg.op == CMHEAP_BENCH_SYNC_CPU;
	attrs = cmheap_dma_attrs(arg.attrs);
	ret = cmheap_import_prepare_map(im, raw, attrs);
	if (ret)
		return ret;

	samples = kvmalloc_array(arg.iterations, sizeof(*samples), GFP_KERNEL);
	if (!samples)
		return -ENOMEM;
	if (dirty) {
		ret = cmheap_import_vmap(im->dmabuf, &map);
		if (ret)
			goto out_free;
	}
	if (sync_op) {
		ret = cmheap_import_map(im, raw, arg.direction, attrs);
		if (ret)
			goto out_vunmap;
	}

	total = arg.warmup + arg.iterations;
	for (i = 0; i < total; i++) {
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			break;
		}
		if (dirty)
			cmheap_bench_dirty(&map, im->dmabuf->size, i);
		ret = cmheap_bench_one(im, &arg, raw, attrs, &ns);
		if (ret)
			break;
		if (i >= arg.warmup)
			samples[i - arg.warmup] = ns;
		cond_resched();
	}
	if (sync_op)
		cmheap_import_unmap(im);
	if (ret)
		goto out_vunmap;

	arg.nents = im->last_nents;
	if (copy_to_user(u64_to_user_ptr(arg.samples_ptr), samples,
			 arg.iterations * sizeof(*samples)) ||
	    copy_to_user(uarg, &arg, sizeof(arg)))
		ret = -EFAULT;
out_vunmap:
	if (dirty)
		cmheap_import_vunmap(im->dmabuf, &map);
out_free:
	kvfree(samples);
	return ret;
}

static long cmheap_ctl_ioctl(struct file *file, unsigned int cmd,
			     unsigned long arg)
{
	struct cmheap_importer *imp = file->private_data;
	void __user *uarg = (void __user *)arg;
	long ret;

	if (cmd == CMHEAP_IOC_DEVICE_INFO)
		return cmheap_ioc_device_info(uarg);

	mutex_lock(&imp->lock);
	switch (cmd) {
	case CMHEAP_IOC_ATTACH:
		ret = cmheap_ioc_attach(imp, uarg);
		break;
	case CMHEAP_IOC_DETACH:
		ret = cmheap_ioc_detach(imp, uarg);
		break;
	case CMHEAP_IOC_MAP:
		ret = cmheap_ioc_map(imp, uarg);
		break;
	case CMHEAP_IOC_UNMAP:
		ret = cmheap_ioc_unmap(imp, uarg);
		break;
	case CMHEAP_IOC_SYNC:
		ret = cmheap_ioc_sync(imp, uarg);
		break;
	case CMHEAP_IOC_BENCH:
		ret = cmheap_ioc_bench(imp, uarg);
		break;
	default:
		ret = -ENOTTY;
		break;
	}
	mutex_unlock(&imp->lock);
	return ret;
}

static int cmheap_ctl_open(struct inode *inode, struct file *file)
{
	struct cmheap_importer *imp;

	imp = kzalloc(sizeof(*imp), GFP_KERNEL);
	if (!imp)
		return -ENOMEM;
	mutex_init(&imp->lock);
	xa_init_flags(&imp->handles, XA_FLAGS_ALLOC1);
	file->private_data = imp;
	return nonseekable_open(inode, file);
}

static int cmheap_ctl_release(struct inode *inode, struct file *file)
{
	struct cmheap_importer *imp = file->private_data;
	struct cmheap_import *im;
	unsigned long handle;

	xa_for_each(&imp->handles, handle, im)
		cmheap_import_destroy(im);
	xa_destroy(&imp->handles);
	mutex_destroy(&imp->lock);
	kfree(imp);
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

	ret = misc_register(&cmheap_ctl_dev);
	if (ret)
		return ret;
	cmheap_stats_register(&cmheap_importer_stats, "importer");
	return 0;
}

void cmheap_importer_exit(void)
{
	cmheap_stats_unregister(&cmheap_importer_stats);
	misc_deregister(&cmheap_ctl_dev);
}
