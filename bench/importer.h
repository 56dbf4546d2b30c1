/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cmheap-bench: opening /dev/cmheap and describing its test devices.  The
 * ioctls themselves are lib/cmheap_ctl.h's ctl_*(), shared with the
 * selftests: each returns 0 on success and -errno on failure.
 */
#ifndef IMPORTER_H
#define IMPORTER_H

#include <stdbool.h>
#include <linux/types.h>
#include <linux/cmheap.h>

#include "cmheap_ctl.h"

struct test_device {
	bool present;
	bool coherent;
	char name[CMHEAP_NAME_LEN];
};

/* open /dev/cmheap; dies with "load cmheap.ko first" when absent */
int importer_open(void);
int importer_device_info(int ctl, unsigned int index, struct test_device *d);

#endif /* IMPORTER_H */
