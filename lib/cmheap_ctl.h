/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libcmheap_ctl: the /dev/cmheap importer ioctls for userspace, shared by
 * the selftests and cmheap-bench, and installed (make install; pkg-config
 * --cflags --libs cmheap_ctl) under the LGPL, so that a program of any
 * licence may link it, as libdrm and libdmabufheap are.  Each call fills its argument struct from
 * its parameters and returns 0 on success or -errno, so that a test can say
 * ASSERT_EQ(-EINVAL, cmheap_ctl_map(...)).  Out-structs may be NULL where the
 * caller does not need them.
 */
#ifndef CMHEAP_CTL_H
#define CMHEAP_CTL_H

#include <linux/types.h>
#include <linux/cmheap.h>

#define CMHEAP_CTL_PATH	"/dev/" CMHEAP_CTL_NAME

#ifdef __cplusplus
extern "C" {
#endif

/* open /dev/cmheap: an fd, or -errno */
int cmheap_ctl_open(void);
int cmheap_ctl_device_info(int ctl, __u32 index, struct cmheap_device_info *info);
/* the CMHEAP_DEVF_* flags of a test device; 0 when the call fails */
__u32 cmheap_ctl_device_flags(int ctl, __u32 index);
int cmheap_ctl_attach(int ctl, int dmabuf_fd, __u32 device, struct cmheap_attach *at);
int cmheap_ctl_detach(int ctl, __u32 handle);
int cmheap_ctl_map(int ctl, __u32 handle, __u32 dir, __u32 attrs, __u32 flags,
	    struct cmheap_map *out);
int cmheap_ctl_unmap(int ctl, __u32 handle);
int cmheap_ctl_sync(int ctl, __u32 handle, __u32 flags, __u32 dir);
/* the ioctls with a caller-built struct, for tests of bad input */
int cmheap_ctl_unmap_raw(int ctl, struct cmheap_unmap *um);
int cmheap_ctl_sync_raw(int ctl, struct cmheap_sync *s);
int cmheap_ctl_bench(int ctl, struct cmheap_bench *b);
/* the uAPI version the loaded test module answers (CMHEAP_IOC_VERSION) */
int cmheap_ctl_version(int ctl, struct cmheap_version *out);
/* where a handle's mapped buffer lies, checked in the kernel */
int cmheap_ctl_placement(int ctl, __u32 handle, struct cmheap_placement *out);

/*
 * The segments of a handle's mapping (CMHEAP_SEGF_CPU: its CPU entries):
 * at most *count written to @segs, *count set to how many there are.
 */
int cmheap_ctl_segments(int ctl, __u32 handle, __u32 flags,
		 struct cmheap_segment *segs, __u32 *count);
/*
 * A device with a DMA engine reads (CMHEAP_DIR_TO_DEVICE: into @data) or
 * writes (CMHEAP_DIR_FROM_DEVICE: from @data) the pieces of the buffer.
 */
int cmheap_ctl_dma(int ctl, __u32 handle, __u32 dir,
	    const struct cmheap_dma_piece *pieces, __u32 count, void *data);
int cmheap_ctl_dma_raw(int ctl, struct cmheap_dma *d);

#ifdef __cplusplus
}
#endif

#endif /* CMHEAP_CTL_H */
