// SPDX-License-Identifier: GPL-2.0
/* cmheap-bench: the /dev/cmheap importer ioctls. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "importer.h"
#include "util.h"

int importer_open(void)
{
	int fd = open(CMHEAP_CTL_PATH, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		if (errno == ENOENT)
			die(CMHEAP_CTL_PATH " does not exist: load cmheap.ko first");
		die("cannot open " CMHEAP_CTL_PATH ": %s%s", strerror(errno),
		    errno == EACCES || errno == EPERM ? " (run as root)" : "");
	}
	return fd;
}

static int xioctl(int fd, unsigned long cmd, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, cmd, arg);
	} while (ret < 0 && errno == EINTR);
	return ret < 0 ? -errno : ret;
}

int importer_device_info(int ctl, unsigned int index, struct test_device *d)
{
	struct cmheap_device_info info = { .index = index };
	int ret;

	memset(d, 0, sizeof(*d));
	ret = xioctl(ctl, CMHEAP_IOC_DEVICE_INFO, &info);
	if (ret)
		return ret;
	d->present = info.flags & CMHEAP_DEVF_PRESENT;
	d->coherent = info.flags & CMHEAP_DEVF_COHERENT;
	memcpy(d->name, info.name, sizeof(d->name));
	d->name[sizeof(d->name) - 1] = 0;
	return 0;
}

int importer_attach(int ctl, int dmabuf_fd, unsigned int device,
		    struct cmheap_attach *out)
{
	memset(out, 0, sizeof(*out));
	out->dmabuf_fd = dmabuf_fd;
	out->device = device;
	return xioctl(ctl, CMHEAP_IOC_ATTACH, out);
}

int importer_detach(int ctl, __u32 handle)
{
	return xioctl(ctl, CMHEAP_IOC_DETACH, &handle);
}

int importer_map(int ctl, __u32 handle, __u32 dir, __u32 attrs, __u32 flags,
		 struct cmheap_map *out)
{
	memset(out, 0, sizeof(*out));
	out->handle = handle;
	out->direction = dir;
	out->attrs = attrs;
	out->flags = flags;
	return xioctl(ctl, CMHEAP_IOC_MAP, out);
}

int importer_unmap(int ctl, __u32 handle)
{
	struct cmheap_unmap um = { .handle = handle };

	return xioctl(ctl, CMHEAP_IOC_UNMAP, &um);
}

int importer_bench(int ctl, struct cmheap_bench *b)
{
	/*
	 * Not restarted on EINTR: the kernel gives up a timing loop only for
	 * a fatal signal, and then there is nothing to retry.
	 */
	return ioctl(ctl, CMHEAP_IOC_BENCH, b) < 0 ? -errno : 0;
}
