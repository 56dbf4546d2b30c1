// SPDX-License-Identifier: GPL-2.0
/*
 * /dev/dma_heap/<name> for each cmheap heap, speaking the upstream dma-heap
 * uAPI (<linux/dma-heap.h>) unchanged, and /dev/cmheap_heap for cmheap's own
 * heap ioctls (<linux/cmheap_heap.h>).
 *
 * Where the kernel lets modules add heaps to its dma-heap framework
 * (dma_heap_add() exported: Debian's x86_64 7.3), the framework makes the
 * heaps' nodes (cmheap_heap_native.c).  Where it does not (6.1, 6.12, a
 * kernel without the framework), or registration=misc asks, each heap is
 * a misc device whose node is placed under /dev/dma_heap/.  Programs written for the
 * upstream heaps use ours without change: the same ioctl, the same
 * validation and the same tolerance of older and newer struct sizes as
 * the upstream core.
 */
#include <uapi/linux/dma-buf.h>
#include <uapi/linux/dma-heap.h>
#include <linux/debugfs.h>
#include <linux/fcntl.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/namei.h>
#include <linux/overflow.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "cmheap.h"

/* As the upstream core: the fd flags a dma-buf file may be created with. */
#define CMHEAP_VALID_FD_FLAGS	(O_CLOEXEC | O_ACCMODE)
/* No heap flags are defined by the uAPI yet. */
#define CMHEAP_VALID_HEAP_FLAGS	0ULL

static LIST_HEAD(cmheap_heaps);

static char *registration = "auto";
module_param(registration, charp, 0444);
MODULE_PARM_DESC(registration,
		 "who makes the heaps' nodes: auto (the kernel's dma-heap framework where it lets modules, else cmheap's misc devices), framework, misc; the framework cannot remove a heap, so cmheap.ko stays loaded then");

/* The heaps are the framework's (decided at load, from @registration). */
static bool cmheap_framework;

/*
 * Validates the request and allocates; the new fd is reserved but not yet
 * installed, so that nothing can use it before userspace has been told.
 */
static struct dma_buf *cmheap_heap_allocate(struct cmheap *heap,
					    struct dma_heap_allocation_data *data)
{
	struct dma_buf *dmabuf;
	size_t len;
	int fd;

	if (data->fd)
		return ERR_PTR(-EINVAL);
	if (data->fd_flags & ~CMHEAP_VALID_FD_FLAGS)
		return ERR_PTR(-EINVAL);
	if (data->heap_flags & ~CMHEAP_VALID_HEAP_FLAGS)
		return ERR_PTR(-EINVAL);
	/* Reject before PAGE_ALIGN() could wrap around to zero. */
	if (data->len > SIZE_MAX - PAGE_SIZE)
		return ERR_PTR(-ENOMEM);
	len = PAGE_ALIGN(data->len);
	if (!len)
		return ERR_PTR(-EINVAL);

	dmabuf = cmheap_buffer_alloc(heap, len, data->fd_flags);
	if (IS_ERR(dmabuf))
		return dmabuf;

	fd = get_unused_fd_flags(data->fd_flags);
	if (fd < 0) {
		dma_buf_put(dmabuf);
		return ERR_PTR(fd);
	}
	data->fd = fd;
	return dmabuf;
}

/* CMHEAP_HEAP_IOC_SYNC_RANGE: checks, in the order the uAPI lists them. */
static long cmheap_heap_sync_range(void __user *uarg)
{
	struct cmheap_sync_range arg;
	struct dma_buf *dmabuf;
	u64 end;
	long ret;

	if (copy_from_user(&arg, uarg, sizeof(arg)))
		return -EFAULT;
	if ((arg.flags & ~DMA_BUF_SYNC_VALID_FLAGS_MASK) ||
	    !(arg.flags & DMA_BUF_SYNC_RW) || !arg.len)
		return -EINVAL;
	if (check_add_overflow(arg.offset, arg.len, &end))
		return -EOVERFLOW;
	dmabuf = dma_buf_get(arg.fd);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	if (!cmheap_is_ours(dmabuf))
		ret = -EOPNOTSUPP;
	else if (end > dmabuf->size)
		ret = -ERANGE;
	else
		ret = cmheap_buffer_sync_range(dmabuf, arg.offset, arg.len,
					       arg.flags & DMA_BUF_SYNC_END,
					       arg.flags & DMA_BUF_SYNC_WRITE);
	dma_buf_put(dmabuf);
	return ret;
}

/*
 * Like the upstream core, accept the ioctl with the argument size userspace
 * was built with: a shorter struct is zero-extended (new fields default to
 * 0), a longer one is truncated (fields we do not know are ignored), and
 * only as much as userspace has room for is copied back.
 */
static long cmheap_heap_ioctl(struct file *file, unsigned int ucmd,
			      unsigned long arg)
{
	struct cmheap *heap = file->private_data;
	const unsigned int kcmd = DMA_HEAP_IOCTL_ALLOC;
	struct dma_heap_allocation_data data;
	void __user *uarg = (void __user *)arg;
	unsigned int in_size, out_size;
	struct dma_buf *dmabuf;

	/* cmheap's own, exactly as defined. */
	if (ucmd == CMHEAP_HEAP_IOC_SYNC_RANGE)
		return cmheap_heap_sync_range(uarg);
	if (ucmd == CMHEAP_HEAP_IOC_VERSION)
		return cmheap_version_to_user(uarg, 0);
	/* The type and number must match; the size may differ. */
	if (_IOC_TYPE(ucmd) != _IOC_TYPE(kcmd))
		return -ENOTTY;
	if (_IOC_NR(ucmd) != _IOC_NR(kcmd))
		return -EINVAL;

	in_size = (ucmd & IOC_IN) ? _IOC_SIZE(ucmd) : 0;
	out_size = (ucmd & IOC_OUT) ? _IOC_SIZE(ucmd) : 0;
	in_size = min_t(unsigned int, in_size, sizeof(data));
	out_size = min_t(unsigned int, out_size, sizeof(data));

	memset(&data, 0, sizeof(data));
	if (copy_from_user(&data, uarg, in_size))
		return -EFAULT;

	dmabuf = cmheap_heap_allocate(heap, &data);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);

	if (copy_to_user(uarg, &data, out_size)) {
		put_unused_fd(data.fd);
		dma_buf_put(dmabuf);
		return -EFAULT;
	}
	fd_install(data.fd, dmabuf->file);
	return 0;
}

/* misc_open() left the node's miscdevice in private_data: the heap instead. */
static int cmheap_heap_open_as(struct cmheap *heap, struct file *file)
{
	if (!cmheap_is_up())
		return -ENODEV;
	file->private_data = heap;
	return nonseekable_open(file_inode(file), file);
}

static int cmheap_heap_open(struct inode *inode, struct file *file)
{
	return cmheap_heap_open_as(container_of(file->private_data,
						struct cmheap, misc), file);
}

/* The heap's second node, by the name existing userspace opens. */
static int cmheap_alias_open(struct inode *inode, struct file *file)
{
	return cmheap_heap_open_as(container_of(file->private_data,
						struct cmheap, alias_misc),
				   file);
}

static const struct file_operations cmheap_heap_fops = {
	.owner		= THIS_MODULE,
	.open		= cmheap_heap_open,
	.unlocked_ioctl	= cmheap_heap_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

static const struct file_operations cmheap_alias_fops = {
	.owner		= THIS_MODULE,
	.open		= cmheap_alias_open,
	.unlocked_ioctl	= cmheap_heap_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

/* /dev/cmheap_heap: cmheap's heap ioctls, however the heaps are made. */
static long cmheap_heap_ctl_ioctl(struct file *file, unsigned int ucmd,
				  unsigned long arg)
{
	void __user *uarg = (void __user *)arg;

	switch (ucmd) {
	case CMHEAP_HEAP_IOC_SYNC_RANGE:
		return cmheap_heap_sync_range(uarg);
	case CMHEAP_HEAP_IOC_VERSION:
		return cmheap_version_to_user(uarg, cmheap_framework ?
						    CMHEAP_VERSION_FRAMEWORK : 0);
	default:
		return -ENOTTY;
	}
}

static int cmheap_heap_ctl_open(struct inode *inode, struct file *file)
{
	if (!cmheap_is_up())
		return -ENODEV;
	return nonseekable_open(inode, file);
}

static const struct file_operations cmheap_heap_ctl_fops = {
	.owner		= THIS_MODULE,
	.open		= cmheap_heap_ctl_open,
	.unlocked_ioctl	= cmheap_heap_ctl_ioctl,
	.compat_ioctl	= compat_ptr_ioctl,
};

/* It acts only on dma-bufs the caller holds: anyone may open it. */
static struct miscdevice cmheap_heap_ctl = {
	.minor	= MISC_DYNAMIC_MINOR,
	.name	= "cmheap_heap",
	.fops	= &cmheap_heap_ctl_fops,
	.mode	= 0666,
};

static bool cmheap_heap_ctl_registered;

static int cmheap_registration_show(struct seq_file *m, void *unused)
{
	seq_puts(m, cmheap_framework ? "framework\n" : "misc\n");
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(cmheap_registration);

struct cmheap *cmheap_heap_add(const char *name, enum cmheap_caching caching,
			       const struct cmheap_heap_ops *ops, void *priv)
{
	struct cmheap *heap;

	heap = kzalloc(sizeof(*heap), GFP_KERNEL);
	if (!heap)
		return ERR_PTR(-ENOMEM);

	strscpy(heap->name, name, sizeof(heap->name));
	snprintf(heap->nodename, sizeof(heap->nodename), "dma_heap/%s", name);
	heap->caching = caching;
	heap->ops = ops;
	heap->priv = priv;
	heap->misc.minor = MISC_DYNAMIC_MINOR;
	heap->misc.name = heap->name;
	heap->misc.nodename = heap->nodename;
	heap->misc.fops = &cmheap_heap_fops;
	atomic64_set(&heap->reserved_bytes, 0);
	mutex_init(&heap->live_lock);
	INIT_LIST_HEAD(&heap->live_attachments);

	heap->stats.read = cmheap_heap_stats_read;
	cmheap_stats_register(&heap->stats, heap->name);
	list_add_tail(&heap->node, &cmheap_heaps);
	return heap;
}

/*
 * Whether /dev/dma_heap/<name> exists already: a heap of the kernel's (or
 * of another module's) that a node of ours must never shadow.
 */
static bool cmheap_node_exists(const char *nodename)
{
	char path[CMHEAP_NAME_LEN + 24];
	struct path p;

	snprintf(path, sizeof(path), "/dev/%s", nodename);
	if (kern_path(path, LOOKUP_FOLLOW, &p))
		return false;
	path_put(&p);
	return true;
}

static int cmheap_misc_register(struct miscdevice *misc)
{
	int ret = misc_register(misc);

	if (ret)
		pr_err("cmheap: cannot register /dev/%s: %d\n", misc->nodename,
		       ret);
	return ret;
}

/*
 * The heap's userspace name, unless the system has that node already: by
 * the route the heap's own node took (the framework's, for good, or a misc
 * device of ours).  0, or -errno with nothing registered.
 */
static int cmheap_alias_register(struct cmheap *heap)
{
	int ret;

	snprintf(heap->alias_nodename, sizeof(heap->alias_nodename),
		 "dma_heap/%s", heap->alias);
	if (cmheap_node_exists(heap->alias_nodename)) {
		pr_info("cmheap: /dev/%s exists already: not shadowed by %s\n",
			heap->alias_nodename, heap->name);
		return 0;
	}
	if (heap->native) {
		ret = cmheap_native_register(heap, heap->alias);
		if (ret)
			pr_err("cmheap: the dma-heap framework refused %s for %s: %d\n",
			       heap->alias, heap->name, ret);
	} else {
		heap->alias_misc.minor = MISC_DYNAMIC_MINOR;
		heap->alias_misc.name = heap->alias;
		heap->alias_misc.nodename = heap->alias_nodename;
		heap->alias_misc.fops = &cmheap_alias_fops;
		ret = cmheap_misc_register(&heap->alias_misc);
		heap->alias_registered = !ret;
	}
	if (ret)
		return ret;
	pr_info("cmheap: /dev/%s is %s\n", heap->alias_nodename, heap->name);
	return 0;
}

/* Decides the route from the registration parameter: 0 or -errno. */
static int cmheap_registration_choose(void)
{
#ifdef CMHEAP_HAVE_DMA_HEAP_ADD	/* probed in Kbuild */
	const bool exported = true;
#else
	const bool exported = false;
#endif

	if (!strcmp(registration, "auto")) {
		cmheap_framework = exported;
	} else if (!strcmp(registration, "misc")) {
		cmheap_framework = false;
	} else if (!strcmp(registration, "framework")) {
		if (!exported) {
			pr_err("cmheap: registration=framework: this kernel does not export dma_heap_add() to modules\n");
			return -EOPNOTSUPP;
		}
		cmheap_framework = true;
	} else {
		pr_err("cmheap: registration=%s: auto, framework or misc\n",
		       registration);
		return -EINVAL;
	}
	if (cmheap_framework)
		pr_info("cmheap: heaps registered with the kernel's dma-heap framework (dma_heap_add): /dev/dma_heap/cmheap-* are its; cmheap.ko stays loaded, the framework cannot remove a heap\n");
	else
		pr_info("cmheap: heaps registered as cmheap's misc devices under /dev/dma_heap/ (%s)\n",
			exported ? "registration=misc" :
				   "this kernel does not export dma_heap_add()");
	return 0;
}

/*
 * Every heap, and its userspace name, to the framework, for good.  Until
 * the framework holds one, a failure fails the load; after, nothing may:
 * the heap it refused is left out, and said so.
 */
static int cmheap_heaps_register_framework(void)
{
	unsigned int held = 0;
	struct cmheap *heap;
	int ret;

	list_for_each_entry(heap, &cmheap_heaps, node) {
		ret = cmheap_native_register(heap, heap->name);
		if (ret && !held)
			return ret;
		if (ret) {
			pr_err("cmheap: the dma-heap framework refused %s: %d\n",
			       heap->name, ret);
			continue;
		}
		/* What the framework holds stays, and with it this module. */
		if (!held++)
			__module_get(THIS_MODULE);
		heap->native = true;
		/* a name refused (and said so) leaves the heap's own node */
		if (heap->alias)
			cmheap_alias_register(heap);
	}
	return 0;
}

int cmheap_heaps_register(void)
{
	struct cmheap *heap;
	int ret;

	ret = cmheap_registration_choose();
	if (ret)
		return ret;
	debugfs_create_file("registration", 0444, cmheap_debugfs_dir(), NULL,
			    &cmheap_registration_fops);
	/* before the framework holds anything: the last step that may fail */
	ret = cmheap_misc_register(&cmheap_heap_ctl);
	if (ret)
		return ret;
	cmheap_heap_ctl_registered = true;
	if (cmheap_framework)
		return cmheap_heaps_register_framework();

	list_for_each_entry(heap, &cmheap_heaps, node) {
		ret = cmheap_misc_register(&heap->misc);
		if (ret)
			return ret;
		heap->registered = true;
		if (heap->alias) {
			ret = cmheap_alias_register(heap);
			if (ret)
				return ret;
		}
	}
	return 0;
}

/*
 * At unload, or when the load failed before the framework held any heap:
 * with one held, the module never unloads and this never runs.
 */
void cmheap_heap_remove_all(void)
{
	struct cmheap *heap, *tmp;

	if (cmheap_heap_ctl_registered)
		misc_deregister(&cmheap_heap_ctl);
	cmheap_heap_ctl_registered = false;

	list_for_each_entry_safe_reverse(heap, tmp, &cmheap_heaps, node) {
		list_del(&heap->node);
		if (heap->alias_registered)
			misc_deregister(&heap->alias_misc);
		if (heap->registered)
			misc_deregister(&heap->misc);
		cmheap_stats_unregister(&heap->stats);
		mutex_destroy(&heap->live_lock);
		kfree(heap);
	}
}
