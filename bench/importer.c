// SPDX-License-Identifier: GPL-2.0
/* cmheap-bench: opening /dev/cmheap and describing its test devices. */
#include <errno.h>
#include <string.h>

#include "importer.h"
#include "util.h"

int importer_open(void)
{
	int fd = ctl_open();

	if (fd == -ENOENT)
		die(CMHEAP_CTL_PATH " does not exist: load cmheap.ko first");
	if (fd < 0)
		die("cannot open " CMHEAP_CTL_PATH ": %s%s", strerror(-fd),
		    fd == -EACCES || fd == -EPERM ? " (run as root)" : "");
	return fd;
}

int importer_device_info(int ctl, unsigned int index, struct test_device *d)
{
	struct cmheap_device_info info;
	int ret;

	memset(d, 0, sizeof(*d));
	ret = ctl_device_info(ctl, index, &info);
	if (ret)
		return ret;
	d->present = info.flags & CMHEAP_DEVF_PRESENT;
	d->coherent = info.flags & CMHEAP_DEVF_COHERENT;
	memcpy(d->name, info.name, sizeof(d->name));
	d->name[sizeof(d->name) - 1] = 0;
	return 0;
}
