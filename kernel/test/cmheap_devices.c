// SPDX-License-Identifier: GPL-2.0
/*
 * The importer's devices, by index as /dev/cmheap names them: cmheap's own
 * platform test devices in the first slots (cmheap_testdev.c), then real
 * bus devices bound to one of cmheap's drivers (the edu DMA engine in
 * cmheap_edu.c; any PCI or platform device a user hands over through
 * driver_override, cmheap_bind.c).
 *
 * A bus device can be unbound while handles are attached to it (through
 * sysfs, a PCI hot-unplug).  Its slot then empties at once: nobody new can
 * attach (ENODEV), and no transfer starts (the engine lock makes removal
 * wait for one in flight, which is bounded: see cmheap_edu.c).  Then
 * removal revokes every handle on the device: unmaps and detaches it, and
 * its later calls get ENODEV.  Once the driver core has run
 * device_unbind_cleanup() the device has no DMA configuration left (its
 * dma_range_map freed, on hot-unplug its IOMMU domain), so a mapping that
 * outlived removal would be unmapped with IOVAs taken for physical
 * addresses, or left for the device to write into freed pages.  VFIO
 * waits for its users instead; a wait a signal could end would leave
 * exactly that behind, and revoking needs no wait but for ioctls in
 * flight, each bounded (a benchmark stops at its next iteration).
 */
#include <linux/device.h>
#include <linux/dma-map-ops.h>
#include <linux/dma-mapping.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/wait.h>

#include "cmheap_test.h"
#include "cmheap_compat.h"

struct cmheap_device {
	struct kref ref;
	struct device *dev;
	const char *kind;
	/* Serialises the engine's transfers against its removal. */
	struct mutex engine_lock;
	const struct cmheap_engine_ops *engine;	/* NULL: maps only */
	void *engine_priv;
	bool gone;				/* its driver let it go */
};

static DEFINE_MUTEX(cmheap_devices_lock);
static struct cmheap_device *cmheap_devices[CMHEAP_MAX_DEVICES];
/*
 * Removal waits here for handles to let their device go.  Global, not per
 * device: a put may drop the last reference but one and the remover free
 * the device before the put's wake-up would touch it.
 */
static DECLARE_WAIT_QUEUE_HEAD(cmheap_devices_wq);

int cmheap_device_add(struct device *dev, const char *kind,
		      const struct cmheap_engine_ops *engine,
		      void *engine_priv, u32 first)
{
	struct cmheap_device *device;
	u32 i;

	device = kzalloc(sizeof(*device), GFP_KERNEL);
	if (!device)
		return -ENOMEM;
	kref_init(&device->ref);
	mutex_init(&device->engine_lock);
	device->dev = get_device(dev);
	device->kind = kind;
	device->engine = engine;
	device->engine_priv = engine_priv;

	mutex_lock(&cmheap_devices_lock);
	for (i = first; i < CMHEAP_MAX_DEVICES; i++) {
		if (!cmheap_devices[i]) {
			cmheap_devices[i] = device;
			break;
		}
	}
	mutex_unlock(&cmheap_devices_lock);
	if (i == CMHEAP_MAX_DEVICES) {
		put_device(dev);
		kfree(device);
		return -ENOSPC;
	}
	return i;
}

static void cmheap_device_release(struct kref *ref)
{
	struct cmheap_device *device = container_of(ref, struct cmheap_device,
						    ref);

	put_device(device->dev);
	mutex_destroy(&device->engine_lock);
	kfree(device);
}

void cmheap_device_put(struct cmheap_device *device)
{
	if (!kref_put(&device->ref, cmheap_device_release))
		wake_up_all(&cmheap_devices_wq);
}

void cmheap_device_remove(u32 index)
{
	struct cmheap_device *device;

	mutex_lock(&cmheap_devices_lock);
	device = cmheap_devices[index];
	cmheap_devices[index] = NULL;
	mutex_unlock(&cmheap_devices_lock);
	if (!device)
		return;
	/* Waits for a transfer in flight; none starts after this. */
	mutex_lock(&device->engine_lock);
	WRITE_ONCE(device->gone, true);
	mutex_unlock(&device->engine_lock);
	cmheap_importer_revoke(device);
	/*
	 * The slot's reference is ours now, and the handles' are gone: an
	 * attach holds its file's lock from finding the device to storing
	 * the handle, so the revocation either saw its handle or it found
	 * the slot empty.  What remains is device-info calls, over in
	 * moments: this wait is bounded.
	 */
	wait_event(cmheap_devices_wq, kref_read(&device->ref) == 1);
	cmheap_device_put(device);
}

bool cmheap_device_gone(const struct cmheap_device *device)
{
	return READ_ONCE(device->gone);
}

struct cmheap_device *cmheap_device_get(u32 index)
{
	struct cmheap_device *device = NULL;

	if (index >= CMHEAP_MAX_DEVICES)
		return NULL;
	mutex_lock(&cmheap_devices_lock);
	if (cmheap_devices[index]) {
		device = cmheap_devices[index];
		kref_get(&device->ref);
	}
	mutex_unlock(&cmheap_devices_lock);
	return device;
}

struct device *cmheap_device_dev(const struct cmheap_device *device)
{
	return device->dev;
}

int cmheap_device_info(u32 index, struct cmheap_device_info *info)
{
	struct cmheap_device *device;
	struct device *dev;
	u64 mask;

	if (index >= CMHEAP_MAX_DEVICES)
		return -EINVAL;
	*info = (struct cmheap_device_info){ .index = index };
	device = cmheap_device_get(index);
	if (!device)
		return 0;
	dev = device->dev;
	info->flags = CMHEAP_DEVF_PRESENT;
	if (dev_is_dma_coherent(dev))
		info->flags |= CMHEAP_DEVF_COHERENT;
	if (cmheap_dev_translated(dev))
		info->flags |= CMHEAP_DEVF_IOMMU;
	if (cmheap_dev_may_bounce(dev))
		info->flags |= CMHEAP_DEVF_BOUNCE;
	if (cmheap_dev_snoops_alias(dev))
		info->flags |= CMHEAP_DEVF_SNOOPS_ALIAS;
	if (device->engine)
		info->flags |= CMHEAP_DEVF_ENGINE;
	if (index >= CMHEAP_FIRST_BUS_DEVICE)
		info->flags |= CMHEAP_DEVF_BUS;
	strscpy(info->name, dev_name(dev), sizeof(info->name));
	strscpy(info->kind, device->kind, sizeof(info->kind));
	mask = dma_get_mask(dev);
	info->dma_mask_bits = mask ? fls64(mask) : 0;
	info->max_seg_size = dma_get_max_seg_size(dev);
	cmheap_device_put(device);
	return 0;
}

int cmheap_device_transfer(struct cmheap_device *device,
			   const struct cmheap_dma_xfer *xfers,
			   unsigned int count, bool to_memory, void *data)
{
	int ret;

	if (!device->engine)
		return -EOPNOTSUPP;
	if (mutex_lock_killable(&device->engine_lock))
		return -EINTR;
	if (device->gone)
		ret = -ENODEV;
	else
		ret = device->engine->transfer(device->engine_priv, xfers,
					       count, to_memory, data);
	mutex_unlock(&device->engine_lock);
	return ret;
}
