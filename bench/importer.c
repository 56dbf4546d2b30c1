// SPDX-License-Identifier: GPL-2.0
/* cmheap-bench: opening /dev/cmheap and describing the importer's devices. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "importer.h"
#include "util.h"

struct bench_device bench_devices[CMHEAP_MAX_DEVICES];

int importer_open(bool preview)
{
	int fd = cmheap_ctl_open();

	if (preview && (fd == -ENOENT || fd == -EACCES || fd == -EPERM))
		return fd;
	if (fd == -ENOENT)
		die(CMHEAP_CTL_PATH " does not exist: load cmheap.ko and cmheap_test.ko first");
	if (fd < 0)
		die("cannot open " CMHEAP_CTL_PATH ": %s%s", strerror(-fd),
		    fd == -EACCES || fd == -EPERM ? " (run as root)" : "");
	return fd;
}

static const char *dma_route(__u32 flags)
{
	bool iommu = flags & CMHEAP_DEVF_IOMMU;
	bool bounce = flags & CMHEAP_DEVF_BOUNCE;

	if (iommu && bounce)
		return "iommu+bounce";
	return iommu ? "iommu" : bounce ? "bounce" : "direct";
}

static void set_label(unsigned int index)
{
	struct bench_device *d = &bench_devices[index];
	unsigned int i;

	if (index == CMHEAP_DEV_COHERENT)
		strcpy(d->label, "coherent");
	else if (index == CMHEAP_DEV_NONCOHERENT)
		strcpy(d->label, "noncoherent");
	else if (!strcmp(d->kind, "edu"))
		strcpy(d->label, "edu");
	else
		strcpy(d->label, d->name);
	/* a second edu engine (or a clash of names) gets its index */
	for (i = 0; i < index; i++) {
		if (bench_devices[i].present &&
		    !strcmp(bench_devices[i].label, d->label)) {
			snprintf(d->label, sizeof(d->label), "%s-%u",
				 d->kind, index);
			break;
		}
	}
}

void importer_devices(int ctl)
{
	struct cmheap_device_info info;
	struct bench_device *d;
	unsigned int index;
	int ret;

	for (index = 0; index < CMHEAP_MAX_DEVICES; index++) {
		d = &bench_devices[index];
		memset(d, 0, sizeof(*d));
		ret = cmheap_ctl_device_info(ctl, index, &info);
		if (ret)
			die("CMHEAP_IOC_DEVICE_INFO %u: %s", index,
			    strerror(-ret));
		if (!(info.flags & CMHEAP_DEVF_PRESENT))
			continue;
		d->present = true;
		d->coherent = info.flags & CMHEAP_DEVF_COHERENT;
		d->snoops_alias = info.flags & CMHEAP_DEVF_SNOOPS_ALIAS;
		d->bus = info.flags & CMHEAP_DEVF_BUS;
		d->dma = dma_route(info.flags);
		d->dma_mask_bits = info.dma_mask_bits;
		d->max_seg_size = info.max_seg_size;
		memcpy(d->name, info.name, sizeof(d->name));
		d->name[sizeof(d->name) - 1] = 0;
		memcpy(d->kind, info.kind, sizeof(d->kind));
		d->kind[sizeof(d->kind) - 1] = 0;
		set_label(index);
	}
}

void importer_assume_devices(void)
{
	static const struct {
		unsigned int index;
		bool coherent;
		const char *name;
	} test_devices[] = {
		{ CMHEAP_DEV_COHERENT, true, "cmheap-coherent" },
#ifdef __aarch64__
		/* where DMA can be non-coherent (kernel/test/cmheap_testdev.c) */
		{ CMHEAP_DEV_NONCOHERENT, false, "cmheap-noncoherent" },
#endif
	};
	struct bench_device *d;
	size_t i;

	memset(bench_devices, 0, sizeof(bench_devices));
	for (i = 0; i < sizeof(test_devices) / sizeof(test_devices[0]); i++) {
		d = &bench_devices[test_devices[i].index];
		d->present = true;
		d->coherent = test_devices[i].coherent;
#ifndef __x86_64__
		/* the uncached model's pages keep a cacheable alias */
		d->snoops_alias = d->coherent;
#endif
		d->dma = "direct";
		d->dma_mask_bits = 64;
		snprintf(d->name, sizeof(d->name), "%s", test_devices[i].name);
		snprintf(d->kind, sizeof(d->kind), "test");
		snprintf(d->label, sizeof(d->label), "%s",
			 d->coherent ? "coherent" : "noncoherent");
	}
}

static bool select_item(const char *item, void *ctx)
{
	unsigned int *mask = ctx;
	bool test = !strcmp(item, "test"), bus = !strcmp(item, "bus");
	bool all = !strcmp(item, "all"), found = false;
	unsigned int i;

	for (i = 0; i < CMHEAP_MAX_DEVICES; i++) {
		const struct bench_device *d = &bench_devices[i];
		bool named = d->present && (!strcmp(item, d->label) ||
					    !strcmp(item, d->name));

		if (!d->present)
			continue;
		if (named || all || (bus && d->bus) ||
		    (test && i < CMHEAP_FIRST_BUS_DEVICE)) {
			*mask |= 1U << i;
			found = true;
		}
	}
	if (found || test || bus || all)
		return true;
	if (!strcmp(item, "coherent") || !strcmp(item, "noncoherent") ||
	    !strcmp(item, "edu")) {
		note("device %s is not present: skipped", item);
		return true;
	}
	fprintf(stderr, "cmheap-bench: unknown device '%s' (coherent, noncoherent, test, bus, all, or a present device's name)\n",
		item);
	exit(2);
}

unsigned int importer_select(const char *list)
{
	unsigned int mask = 0;
	char *copy;

	copy = xstrdup(list ? list : "test");
	for_each_item(copy, select_item, &mask);
	free(copy);
	return mask;
}
