// SPDX-License-Identifier: GPL-2.0
/*
 * The heaps registered through the kernel's dma-heap framework, on kernels
 * that let modules do so (dma_heap_add() exported, which Kbuild finds in
 * the target's Module.symvers: Debian's x86_64 7.3 does; 6.1, 6.12 and
 * Debian's arm64 7.3, which has no framework, do not).  The
 * framework then makes /dev/dma_heap/<name> and /sys/class/dma_heap/<name>,
 * answers DMA_HEAP_IOCTL_ALLOC itself (validating it as it does for its
 * own heaps) and calls cmheap_native_allocate() for the buffer.
 *
 * The framework has no dma_heap_remove(): a heap it holds is there until
 * the machine reboots, and so must be the ops, the struct cmheap and the
 * memory behind it.  cmheap_heap_dev.c takes a reference on the module
 * once the framework holds one of its heaps, so that it cannot be
 * unloaded, and registers through here last of all, when nothing after
 * can fail.
 */
#include <linux/dma-buf.h>
#include <linux/dma-heap.h>
#include <linux/err.h>
#include <linux/module.h>

#include "cmheap.h"
#include "cmheap_compat.h"

static struct dma_buf *cmheap_native_allocate(struct dma_heap *dma_heap,
					      unsigned long len, u32 fd_flags,
					      u64 heap_flags)
{
	/* the framework has checked the flags and page-aligned @len */
	return cmheap_buffer_alloc(dma_heap_get_drvdata(dma_heap), len,
				   fd_flags);
}

static const struct dma_heap_ops cmheap_native_ops = {
	.allocate	= cmheap_native_allocate,
};

/*
 * @heap under @name (its own, or its userspace name), for good: 0, or
 * -errno with nothing registered (-EINVAL: the name is taken).  The
 * framework keeps @name's pointer, which lives as long as @heap.
 */
int cmheap_native_register(struct cmheap *heap, const char *name)
{
	const struct dma_heap_export_info info = {
		.name	= name,
		.ops	= &cmheap_native_ops,
		.priv	= heap,
	};

	return PTR_ERR_OR_ZERO(dma_heap_add(&info));
}

MODULE_IMPORT_NS(CMHEAP_DMA_BUF_HEAP_NS);
