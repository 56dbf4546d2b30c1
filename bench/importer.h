/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cmheap-bench: opening /dev/cmheap and describing the importer's devices.
 * The ioctls themselves are lib/cmheap_ctl.h's ctl_*(), shared with the
 * selftests: each returns 0 on success and -errno on failure.
 */
#ifndef IMPORTER_H
#define IMPORTER_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/types.h>
#include <linux/cmheap.h>

#include "cmheap_ctl.h"

/*
 * One of the importer's devices, by its index: cmheap's two test devices,
 * then real bus devices (QEMU's edu engine, or a board's device bound
 * through driver_override).
 */
struct bench_device {
	bool present;
	bool coherent;
	/* refuses cmheap's uncached pages (CMHEAP_DEVF_SNOOPS_ALIAS) */
	bool snoops_alias;
	bool bus;		/* a real bus device (CMHEAP_DEVF_BUS) */
	/*
	 * How its streaming DMA reaches memory: "direct", "iommu" (IOVAs of
	 * a DMA-API domain), "bounce" (through swiotlb) or "iommu+bounce".
	 */
	const char *dma;
	unsigned int dma_mask_bits;
	uint64_t max_seg_size;
	char name[CMHEAP_NAME_LEN];	/* the kernel's device name */
	char kind[CMHEAP_NAME_LEN];	/* test, edu, pci, platform */
	/*
	 * What results.csv calls it: coherent and noncoherent for the test
	 * devices (as ever), edu for QEMU's engine, else the kernel's name.
	 */
	char label[CMHEAP_NAME_LEN + 8];
};

/* every index of the importer, filled by importer_devices() */
extern struct bench_device bench_devices[CMHEAP_MAX_DEVICES];

/*
 * Open /dev/cmheap; dies with "load cmheap.ko and cmheap_test.ko first"
 * when absent.  With preview, returns -errno instead where the importer is absent or not ours
 * to open (ENOENT, EACCES, EPERM), for a --dry-run without it.
 */
int importer_open(bool preview);
/* fill bench_devices[] from CMHEAP_IOC_DEVICE_INFO; dies on failure */
void importer_devices(int ctl);
/*
 * Without the importer (a --dry-run's preview): bench_devices[] as
 * cmheap.ko creates them on this architecture with no bus device bound:
 * its coherent test device, and the non-coherent one on arm64.
 */
void importer_assume_devices(void);
/*
 * The devices a sweep measures, as a bit per index, from a --devices list:
 * coherent, noncoherent, test (both), bus (every real bus device), all, or
 * a device's label or kernel name.  NULL: the test devices.  A device named
 * but not present is left out with a note; an unknown name exits 2.
 */
unsigned int importer_select(const char *list);

#endif /* IMPORTER_H */
