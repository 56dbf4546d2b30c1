// SPDX-License-Identifier: LGPL-2.1-or-later
/* libcmheap_ctl: the /dev/cmheap importer ioctls (see cmheap_ctl.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cmheap_ctl.h"

/*
 * The calls are short and restartable, so a signal is not a failure.
 * CMHEAP_IOC_BENCH is the exception, see cmheap_ctl_bench().
 */
static int xioctl(int fd, unsigned long req, void *arg)
{
	int ret;

	do {
		ret = ioctl(fd, req, arg);
	} while (ret < 0 && errno == EINTR);
	return ret < 0 ? -errno : 0;
}

int cmheap_ctl_open(void)
{
	int fd = open(CMHEAP_CTL_PATH, O_RDWR | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int cmheap_ctl_device_info(int ctl, __u32 index, struct cmheap_device_info *info)
{
	memset(info, 0, sizeof(*info));
	info->index = index;
	return xioctl(ctl, CMHEAP_IOC_DEVICE_INFO, info);
}

__u32 cmheap_ctl_device_flags(int ctl, __u32 index)
{
	struct cmheap_device_info info;

	if (cmheap_ctl_device_info(ctl, index, &info))
		return 0;
	return info.flags;
}

int cmheap_ctl_attach(int ctl, int dmabuf_fd, __u32 device, struct cmheap_attach *at)
{
	struct cmheap_attach tmp;

	if (!at)
		at = &tmp;
	memset(at, 0, sizeof(*at));
	at->dmabuf_fd = dmabuf_fd;
	at->device = device;
	return xioctl(ctl, CMHEAP_IOC_ATTACH, at);
}

int cmheap_ctl_detach(int ctl, __u32 handle)
{
	return xioctl(ctl, CMHEAP_IOC_DETACH, &handle);
}

int cmheap_ctl_map(int ctl, __u32 handle, __u32 dir, __u32 attrs, __u32 flags,
	    struct cmheap_map *out)
{
	struct cmheap_map tmp;

	if (!out)
		out = &tmp;
	memset(out, 0, sizeof(*out));
	out->handle = handle;
	out->direction = dir;
	out->attrs = attrs;
	out->flags = flags;
	return xioctl(ctl, CMHEAP_IOC_MAP, out);
}

int cmheap_ctl_unmap_raw(int ctl, struct cmheap_unmap *um)
{
	return xioctl(ctl, CMHEAP_IOC_UNMAP, um);
}

int cmheap_ctl_unmap(int ctl, __u32 handle)
{
	struct cmheap_unmap um = { .handle = handle };

	return cmheap_ctl_unmap_raw(ctl, &um);
}

int cmheap_ctl_sync_raw(int ctl, struct cmheap_sync *s)
{
	return xioctl(ctl, CMHEAP_IOC_SYNC, s);
}

int cmheap_ctl_sync(int ctl, __u32 handle, __u32 flags, __u32 dir)
{
	struct cmheap_sync s = {
		.handle = handle,
		.flags = flags,
		.direction = dir,
	};

	return cmheap_ctl_sync_raw(ctl, &s);
}

int cmheap_ctl_version(int ctl, struct cmheap_version *out)
{
	memset(out, 0xff, sizeof(*out));	/* the kernel fills every field */
	return xioctl(ctl, CMHEAP_IOC_VERSION, out);
}

int cmheap_ctl_placement(int ctl, __u32 handle, struct cmheap_placement *out)
{
	memset(out, 0, sizeof(*out));
	out->handle = handle;
	return xioctl(ctl, CMHEAP_IOC_PLACEMENT, out);
}

int cmheap_ctl_bench(int ctl, struct cmheap_bench *b)
{
	/*
	 * Not restarted on EINTR: a signal stops a timing loop on purpose
	 * (the caller was interrupted), and its samples are gone.  b->done
	 * says how many samples the kernel's time budget let it take.
	 */
	return ioctl(ctl, CMHEAP_IOC_BENCH, b) < 0 ? -errno : 0;
}

int cmheap_ctl_segments(int ctl, __u32 handle, __u32 flags,
		 struct cmheap_segment *segs, __u32 *count)
{
	struct cmheap_segments s = {
		.handle = handle, .flags = flags, .count = *count,
		.ptr = (__u64)(uintptr_t)segs,
	};
	int ret = xioctl(ctl, CMHEAP_IOC_SEGMENTS, &s);

	if (!ret)
		*count = s.count;
	return ret;
}

int cmheap_ctl_dma(int ctl, __u32 handle, __u32 dir,
	    const struct cmheap_dma_piece *pieces, __u32 count, void *data)
{
	struct cmheap_dma d = {
		.handle = handle, .direction = dir, .count = count,
		.pieces_ptr = (__u64)(uintptr_t)pieces,
		.data_ptr = (__u64)(uintptr_t)data,
	};

	return xioctl(ctl, CMHEAP_IOC_DMA, &d);
}

int cmheap_ctl_dma_raw(int ctl, struct cmheap_dma *d)
{
	return xioctl(ctl, CMHEAP_IOC_DMA, d);
}
