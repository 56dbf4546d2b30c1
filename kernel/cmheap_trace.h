/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cmheap tracepoints: perf record -e 'cmheap:*' or
 * /sys/kernel/tracing/events/cmheap/.  Strings are copied into fixed arrays
 * rather than __string() so the same header builds on 6.1 and 6.12.
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM cmheap

#if !defined(_CMHEAP_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _CMHEAP_TRACE_H

#include <linux/device.h>
#include <linux/string.h>
#include <linux/tracepoint.h>

#define CMHEAP_TRACE_NAME_LEN 32

#define cmheap_show_dir(dir)					\
	__print_symbolic(dir, { 0, "bidirectional" },		\
			 { 1, "to_device" },			\
			 { 2, "from_device" },			\
			 { 3, "none" })

DECLARE_EVENT_CLASS(cmheap_buffer_class,
	TP_PROTO(const char *heap, size_t len, unsigned int nents,
		 bool uncached, int ret),
	TP_ARGS(heap, len, nents, uncached, ret),
	TP_STRUCT__entry(
		__array(char, heap, CMHEAP_TRACE_NAME_LEN)
		__field(size_t, len)
		__field(unsigned int, nents)
		__field(bool, uncached)
		__field(int, ret)
	),
	TP_fast_assign(
		strscpy(__entry->heap, heap, CMHEAP_TRACE_NAME_LEN);
		__entry->len = len;
		__entry->nents = nents;
		__entry->uncached = uncached;
		__entry->ret = ret;
	),
	TP_printk("heap=%s len=%zu nents=%u caching=%s ret=%d",
		  __entry->heap, __entry->len, __entry->nents,
		  __entry->uncached ? "uncached" : "cached", __entry->ret)
);

DEFINE_EVENT(cmheap_buffer_class, cmheap_alloc,
	TP_PROTO(const char *heap, size_t len, unsigned int nents,
		 bool uncached, int ret),
	TP_ARGS(heap, len, nents, uncached, ret));

DEFINE_EVENT(cmheap_buffer_class, cmheap_free,
	TP_PROTO(const char *heap, size_t len, unsigned int nents,
		 bool uncached, int ret),
	TP_ARGS(heap, len, nents, uncached, ret));

DECLARE_EVENT_CLASS(cmheap_dma_class,
	TP_PROTO(const char *heap, const struct device *dev, size_t len,
		 unsigned int nents, int dir, unsigned long attrs,
		 bool uncached),
	TP_ARGS(heap, dev, len, nents, dir, attrs, uncached),
	TP_STRUCT__entry(
		__array(char, heap, CMHEAP_TRACE_NAME_LEN)
		__array(char, dev, CMHEAP_TRACE_NAME_LEN)
		__field(size_t, len)
		__field(unsigned int, nents)
		__field(int, dir)
		__field(unsigned long, attrs)
		__field(bool, uncached)
	),
	TP_fast_assign(
		strscpy(__entry->heap, heap, CMHEAP_TRACE_NAME_LEN);
		strscpy(__entry->dev, dev_name(dev), CMHEAP_TRACE_NAME_LEN);
		__entry->len = len;
		__entry->nents = nents;
		__entry->dir = dir;
		__entry->attrs = attrs;
		__entry->uncached = uncached;
	),
	TP_printk("heap=%s dev=%s len=%zu nents=%u dir=%s attrs=0x%lx caching=%s",
		  __entry->heap, __entry->dev, __entry->len, __entry->nents,
		  cmheap_show_dir(__entry->dir), __entry->attrs,
		  __entry->uncached ? "uncached" : "cached")
);

#define CMHEAP_DEFINE_DMA_EVENT(name)					\
DEFINE_EVENT(cmheap_dma_class, name,					\
	TP_PROTO(const char *heap, const struct device *dev, size_t len,\
		 unsigned int nents, int dir, unsigned long attrs,	\
		 bool uncached),					\
	TP_ARGS(heap, dev, len, nents, dir, attrs, uncached))

CMHEAP_DEFINE_DMA_EVENT(cmheap_map);
CMHEAP_DEFINE_DMA_EVENT(cmheap_unmap);
CMHEAP_DEFINE_DMA_EVENT(cmheap_sync_for_cpu);
CMHEAP_DEFINE_DMA_EVENT(cmheap_sync_for_device);

#endif /* _CMHEAP_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE cmheap_trace
#include <trace/define_trace.h>
