// SPDX-License-Identifier: GPL-2.0
/*
 * Instantiates the cmheap tracepoints declared in cmheap_trace.h.  The test
 * module's importer fires the sync events for the syncs it makes itself.
 */
#define CREATE_TRACE_POINTS
#include "cmheap_trace.h"

EXPORT_TRACEPOINT_SYMBOL_GPL(cmheap_sync_for_cpu);
EXPORT_TRACEPOINT_SYMBOL_GPL(cmheap_sync_for_device);
