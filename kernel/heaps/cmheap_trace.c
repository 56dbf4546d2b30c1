// SPDX-License-Identifier: GPL-2.0
/* Instantiates the cmheap tracepoints declared in cmheap_trace.h. */
#define CREATE_TRACE_POINTS
#include "cmheap_trace.h"
