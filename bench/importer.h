/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cmheap-bench: the /dev/cmheap importer ioctls.  Each returns 0 (or a
 * value) on success and -errno on failure.
 */
#ifndef IMPORTER_H
#define IMPORTER_H

#include <stdbool.h>
#include <linux/types.h>
#include <linux/cmheap.h>

#define CMHEAP_CTL_PATH	"/dev/" CMHEAP_CTL_NAME

struct test_device {
	bool present;
	bool coherent;
	char name[CMHEAP_NAME_LEN];
};

/* open /dev/cmheap; dies with "load cmheap.ko first" when absent */
int importer_open(void);
int importer_device_info(int ctl, unsigned int index, struct test_device *d);
int importer_attach(int ctl, int dmabuf_fd, unsigned int device,
		    struct cmheap_attach *out);
int importer_detach(int ctl, __u32 handle);
int importer_map(int ctl, __u32 handle, __u32 dir, __u32 attrs, __u32 flags,
		 struct cmheap_map *out);
int importer_unmap(int ctl, __u32 handle);
int importer_bench(int ctl, struct cmheap_bench *b);

#endif /* IMPORTER_H */
