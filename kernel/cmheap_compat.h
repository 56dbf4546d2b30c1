/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few differences between the kernels cmheap supports (Debian's 6.1 and
 * 6.12, x86_64 and arm64), kept in one place so the rest reads as plain
 * kernel code.  Between 6.1 and 6.12 the interfaces cmheap uses are the same
 * (Debian's 6.1 carries dma_buf_map_attachment_unlocked(); kernel vmaps take
 * the reservation lock explicitly, which both accept), so what remains here
 * is architecture: device coherency and x86 memory types.
 */
#ifndef _CMHEAP_COMPAT_H
#define _CMHEAP_COMPAT_H

#include <linux/device.h>
#include <linux/dma-buf.h>
#include <linux/dma-map-ops.h>
#include <linux/mm.h>

/*
 * Only architectures that can have non-coherent DMA have a per-device
 * coherency flag; elsewhere (x86) every device is coherent.
 */
static inline void cmheap_dev_set_coherent(struct device *dev, bool coherent)
{
#if defined(CONFIG_ARCH_HAS_SYNC_DMA_FOR_DEVICE) || \
	defined(CONFIG_ARCH_HAS_SYNC_DMA_FOR_CPU) || \
	defined(CONFIG_ARCH_HAS_SYNC_DMA_FOR_CPU_ALL)
	dev->dma_coherent = coherent;
#endif
}

/*
 * x86 PAT requires every mapping of a page to agree on its memory type, so
 * before write-combined user or kernel mappings of a page can exist its
 * linear-map alias is switched to WC too (which also flushes it from the
 * caches), and back to write-back before the page is freed.  Other
 * architectures tolerate the cacheable linear alias once the lines are
 * cleaned; cmheap cleans them through the DMA API instead.
 */
#ifdef CONFIG_X86
#include <asm/set_memory.h>

static inline int cmheap_linear_map_wc(struct page *page, size_t len)
{
	return set_memory_wc((unsigned long)page_address(page), len >> PAGE_SHIFT);
}

static inline void cmheap_linear_map_wb(struct page *page, size_t len)
{
	set_memory_wb((unsigned long)page_address(page), len >> PAGE_SHIFT);
}

#define CMHEAP_LINEAR_MAP_ATTRS	true
#else
static inline int cmheap_linear_map_wc(struct page *page, size_t len)
{
	return 0;
}

static inline void cmheap_linear_map_wb(struct page *page, size_t len)
{
}

#define CMHEAP_LINEAR_MAP_ATTRS	false
#endif

#endif /* _CMHEAP_COMPAT_H */
