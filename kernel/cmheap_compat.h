/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The few differences between the kernels cmheap supports (Debian's 6.1 and
 * 6.12, x86_64 and arm64), kept in one place so the rest reads as plain
 * kernel code: symbol namespaces, the locking of importer vmaps, device
 * coherency, x86 memory types and shrinkers.
 */
#ifndef _CMHEAP_COMPAT_H
#define _CMHEAP_COMPAT_H

#include <linux/device.h>
#include <linux/dma-buf.h>
#include <linux/dma-map-ops.h>
#include <linux/mm.h>
#include <linux/shrinker.h>
#include <linux/slab.h>

/*
 * Symbol namespaces: cmheap.ko exports its interface to the test module in
 * CMHEAP, both import the dma-buf core's DMA_BUF, and cmheap.ko the heap
 * framework's DMA_BUF_HEAP where it registers through it.  Up to 6.12 the
 * export and import macros stringify an identifier; since 6.13 they take
 * a string literal (which they would stringify again, quotes and all).
 */
#ifdef CMHEAP_NS_IDENTIFIER	/* probed in Kbuild */
#define CMHEAP_NS		CMHEAP
#define CMHEAP_DMA_BUF_NS	DMA_BUF
#define CMHEAP_DMA_BUF_HEAP_NS	DMA_BUF_HEAP
#else
#define CMHEAP_NS		"CMHEAP"
#define CMHEAP_DMA_BUF_NS	"DMA_BUF"
#define CMHEAP_DMA_BUF_HEAP_NS	"DMA_BUF_HEAP"
#endif

/*
 * A kernel mapping of any dma-buf, taken by an importer that holds no
 * dma-buf lock.  6.2 moved dma-buf locking to the reservation lock:
 * dma_buf_vmap() then expects the caller to hold it, and
 * dma_buf_vmap_unlocked() takes it.  6.1's dma_buf_vmap() serialises on
 * dmabuf->lock itself and must be called without the reservation lock,
 * which exporters such as i915 and TTM take again inside their vmap.
 */
#ifdef CMHEAP_HAVE_VMAP_UNLOCKED	/* probed in Kbuild */
static inline int cmheap_dma_buf_vmap(struct dma_buf *dmabuf,
				      struct iosys_map *map)
{
	return dma_buf_vmap_unlocked(dmabuf, map);
}

static inline void cmheap_dma_buf_vunmap(struct dma_buf *dmabuf,
					 struct iosys_map *map)
{
	dma_buf_vunmap_unlocked(dmabuf, map);
}
#else
static inline int cmheap_dma_buf_vmap(struct dma_buf *dmabuf,
				      struct iosys_map *map)
{
	return dma_buf_vmap(dmabuf, map);
}

static inline void cmheap_dma_buf_vunmap(struct dma_buf *dmabuf,
					 struct iosys_map *map)
{
	dma_buf_vunmap(dmabuf, map);
}
#endif

/*
 * The same change made the core call every importer's map_dma_buf and
 * unmap_dma_buf with the reservation lock held (6.1 holds it only for
 * dynamic importers, and some static ones, i915's, map while holding it):
 * from then on an exporter's own code that takes the lock (begin and
 * end_cpu_access may) is never in the middle of a map or an unmap.
 */
#ifdef CMHEAP_HAVE_VMAP_UNLOCKED	/* probed in Kbuild */
#define CMHEAP_MAPS_UNDER_RESV	true
#else
#define CMHEAP_MAPS_UNDER_RESV	false
#endif

/* vm_flags became write-protected behind helpers in 6.3. */
static inline void cmheap_vma_clear_flags(struct vm_area_struct *vma,
					  unsigned long flags)
{
#ifdef CMHEAP_HAVE_VM_FLAGS_CLEAR	/* probed in Kbuild */
	vm_flags_clear(vma, flags);
#else
	vma->vm_flags &= ~flags;
#endif
}

/*
 * nth_page() is gone by 7.3: the kernel now keeps the struct pages of a
 * physically contiguous range contiguous in the memory map, and plain
 * pointer arithmetic is what replaced it upstream.
 */
static inline struct page *cmheap_nth_page(struct page *page, unsigned long n)
{
#ifdef CMHEAP_HAVE_NTH_PAGE	/* probed in Kbuild */
	return nth_page(page, n);
#else
	return page + n;
#endif
}

/*
 * dma_capable() takes the mapping's attributes by 7.3, and refuses memory
 * a guest has not shared with its host to a device that needs it shared,
 * unless DMA_ATTR_CC_SHARED says it is: through force_dma_unencrypted(),
 * which x86 does not export.  cmheap_bus_address() refuses encrypted
 * guests itself, on every kernel, so the check is left out here.  (Macros:
 * only the users include <linux/dma-direct.h>.)
 */
#ifdef CMHEAP_HAVE_DMA_CAPABLE_ATTRS	/* probed in Kbuild */
#define cmheap_dma_capable(dev, addr, size, is_ram) \
	dma_capable(dev, addr, size, is_ram, DMA_ATTR_CC_SHARED)
#else
#define cmheap_dma_capable(dev, addr, size, is_ram) \
	dma_capable(dev, addr, size, is_ram)
#endif

/*
 * A platform driver's remove callback returning void is .remove_new up to
 * 6.12 (.remove returns int on 6.1) and .remove since 6.13.
 */
#ifdef CMHEAP_HAVE_REMOVE_NEW	/* probed in Kbuild */
#define CMHEAP_PLATFORM_REMOVE	remove_new
#else
#define CMHEAP_PLATFORM_REMOVE	remove
#endif

/*
 * Only architectures that can have non-coherent DMA have a per-device
 * coherency flag; elsewhere (x86) every device is coherent.  A bit field
 * of struct device up to 6.12, a bit of its flags (with accessors) by 7.3.
 */
static inline void cmheap_dev_set_coherent(struct device *dev, bool coherent)
{
#if defined(CONFIG_ARCH_HAS_SYNC_DMA_FOR_DEVICE) || \
	defined(CONFIG_ARCH_HAS_SYNC_DMA_FOR_CPU) || \
	defined(CONFIG_ARCH_HAS_SYNC_DMA_FOR_CPU_ALL)
#ifdef CMHEAP_HAVE_DEV_FLAGS	/* probed in Kbuild */
	dev_assign_dma_coherent(dev, coherent);
#else
	dev->dma_coherent = coherent;
#endif
#endif
}

/*
 * x86 PAT requires every mapping of a page to agree on its memory type, so
 * before write-combined user or kernel mappings of a page can exist its
 * linear-map alias is switched to WC too (which also flushes it from the
 * caches), and back to write-back before the page is freed.  The page-array
 * forms change many pages with one TLB flush and one cache flush, as TTM
 * does, and go by page frame, so highmem pages are no special case.  Other
 * architectures tolerate the cacheable linear alias once the lines are
 * cleaned; cmheap cleans them through the DMA API instead.
 */
#ifdef CONFIG_X86
#include <asm/set_memory.h>

static inline int cmheap_pages_set_wc(struct page **pages, unsigned int n)
{
	return set_pages_array_wc(pages, n);
}

static inline int cmheap_pages_set_wb(struct page **pages, unsigned int n)
{
	return set_pages_array_wb(pages, n);
}

#define CMHEAP_LINEAR_MAP_ATTRS	true
#else
static inline int cmheap_pages_set_wc(struct page **pages, unsigned int n)
{
	return 0;
}

static inline int cmheap_pages_set_wb(struct page **pages, unsigned int n)
{
	return 0;
}

#define CMHEAP_LINEAR_MAP_ATTRS	false
#endif

/*
 * A registered shrinker, or an ERR_PTR.  6.7 made shrinkers dynamically
 * allocated (shrinker_alloc(), shrinker_register(), shrinker_free()); 6.1
 * registers one the caller embeds or allocates itself.
 */
typedef unsigned long (*cmheap_shrink_fn)(struct shrinker *,
					  struct shrink_control *);

#ifdef CMHEAP_HAVE_SHRINKER_ALLOC	/* probed in Kbuild */
static inline struct shrinker *cmheap_shrinker_create(const char *name,
						      cmheap_shrink_fn count,
						      cmheap_shrink_fn scan)
{
	struct shrinker *shrinker = shrinker_alloc(0, "%s", name);

	if (!shrinker)
		return ERR_PTR(-ENOMEM);
	shrinker->count_objects = count;
	shrinker->scan_objects = scan;
	shrinker_register(shrinker);
	return shrinker;
}

static inline void cmheap_shrinker_destroy(struct shrinker *shrinker)
{
	shrinker_free(shrinker);
}
#else
static inline struct shrinker *cmheap_shrinker_create(const char *name,
						      cmheap_shrink_fn count,
						      cmheap_shrink_fn scan)
{
	struct shrinker *shrinker = kzalloc(sizeof(*shrinker), GFP_KERNEL);
	int ret;

	if (!shrinker)
		return ERR_PTR(-ENOMEM);
	shrinker->count_objects = count;
	shrinker->scan_objects = scan;
	shrinker->seeks = DEFAULT_SEEKS;
	ret = register_shrinker(shrinker, "%s", name);
	if (ret) {
		kfree(shrinker);
		return ERR_PTR(ret);
	}
	return shrinker;
}

static inline void cmheap_shrinker_destroy(struct shrinker *shrinker)
{
	unregister_shrinker(shrinker);
	kfree(shrinker);
}
#endif

#endif /* _CMHEAP_COMPAT_H */
