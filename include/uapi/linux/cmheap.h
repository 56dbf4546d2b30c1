/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */
/*
 * cmheap's whole uAPI, as this one header held it before the heaps and
 * the test importer became two modules: the heaps' node ioctls and version
 * (<linux/cmheap_heap.h>) and the importer /dev/cmheap
 * (<linux/cmheap_test.h>).  Every name it had is still here; a new program
 * includes the one it needs.
 */
#ifndef _UAPI_LINUX_CMHEAP_H
#define _UAPI_LINUX_CMHEAP_H

#include <linux/cmheap_heap.h>
#include <linux/cmheap_test.h>

#endif /* _UAPI_LINUX_CMHEAP_H */
