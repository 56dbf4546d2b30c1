// SPDX-License-Identifier: GPL-2.0
/*
 * bind_test: a device handed to cmheap's importer through driver_override,
 * as the README's "Measuring a board's own device" tells a board's user to
 * do, on the emulated devices the rig gives the guest: QEMU's pci-testdev
 * (PCI, 1b36:0005, which no driver claims) and any platform device no
 * driver has taken.  The device must appear among the importer's devices
 * with what its bus gave it (IOMMU or not, DMA mask), take mappings whose
 * DMA segments cover the buffer, refuse transfers (it has no engine, and
 * cmheap never starts a bound device), and leave again at unbind, which
 * revokes the handles on it.  The teardown gives the device back (an
 * empty driver_override, unbound from cmheap) whatever the test did.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>
#include <sys/wait.h>

#include "kselftest_harness.h"
#include "cmheap_util.h"

#define PCI_DEVICES	"/sys/bus/pci/devices"
#define PLATFORM_DEVICES "/sys/bus/platform/devices"
#define BIND_SIZE	(SZ_1M + 3 * 4096)	/* several CPU entries */
#define BIND_MAX_SEGS	512

/* Write @s to the sysfs file @dir/@file: 0 or -errno. */
static int sysfs_write(const char *dir, const char *file, const char *s)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd, ret = 0;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, s, strlen(s));
	if (n < 0)
		ret = -errno;
	close(fd);
	return ret;
}

/* First line of @dir/@file into @buf: 0 or -errno. */
static int sysfs_read(const char *dir, const char *file, char *buf, size_t len)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	f = fopen(path, "re");
	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f))
		buf[0] = 0;
	buf[strcspn(buf, "\n")] = 0;
	fclose(f);
	return 0;
}

/* The name of the driver bound to @dev ("" when none). */
static void driver_of(const char *bus_devices, const char *dev, char *buf,
		      size_t len)
{
	char path[PATH_MAX], target[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s/driver", bus_devices, dev);
	n = readlink(path, target, sizeof(target) - 1);
	buf[0] = 0;
	if (n > 0) {
		target[n] = 0;
		snprintf(buf, len, "%s", strrchr(target, '/') + 1);
	}
}

static bool is_pci_testdev(const char *dev)
{
	char dir[PATH_MAX], vendor[16], device[16];

	snprintf(dir, sizeof(dir), "%s/%s", PCI_DEVICES, dev);
	return !sysfs_read(dir, "vendor", vendor, sizeof(vendor)) &&
	       !sysfs_read(dir, "device", device, sizeof(device)) &&
	       !strcmp(vendor, "0x1b36") && !strcmp(device, "0x0005");
}

/*
 * A platform device no driver has, that cmheap may take: not one of
 * cmheap's own test devices, and one the platform bus gave a DMA mask.
 */
static bool is_free_platform_device(const char *dev)
{
	char drv[64];

	if (strstr(dev, "cmheap"))
		return false;	/* cmheap's own, or the dma_ranges variant's */
	driver_of(PLATFORM_DEVICES, dev, drv, sizeof(drv));
	return !drv[0];
}

/*
 * The device the arm64 rig puts on a bus whose dma-ranges show it memory
 * 1 GiB lower than the CPU does (qemu-run.sh's DT_DMA_OFFSET).
 */
static bool is_dma_ranges_device(const char *dev)
{
	return strstr(dev, "cmheap-dma-ranges-test") != NULL;
}

/* The first device of @bus_devices that @pick accepts, into @name. */
static bool find_device(const char *bus_devices, bool (*pick)(const char *),
			char *name, size_t len)
{
	struct dirent *de;
	bool found = false;
	DIR *d;

	d = opendir(bus_devices);
	if (!d)
		return false;
	while (!found && (de = readdir(d))) {
		if (de->d_name[0] == '.' || !pick(de->d_name))
			continue;
		snprintf(name, len, "%s", de->d_name);
		found = true;
	}
	closedir(d);
	return found;
}

/*
 * The fixture's strings are bounded where they are printed (%.*s), as
 * _FORTIFY_SOURCE's checks (Debian's package build) cannot see the bound.
 */
#define BUS_LEN 16

FIXTURE(bind) {
	int ctl;
	char bus[BUS_LEN];		/* "pci" or "platform" */
	char devices[64];		/* /sys/bus/<bus>/devices */
	char name[NAME_MAX + 1];	/* the device's name on its bus */
	char dir[PATH_MAX];		/* its sysfs folder */
	bool bound;
};

FIXTURE_VARIANT(bind) {
	const char *bus;
	const char *devices;
	bool (*pick)(const char *dev);
	const char *absent;		/* why a guest may have none */
};

FIXTURE_VARIANT_ADD(bind, pci) {
	.bus = "pci",
	.devices = PCI_DEVICES,
	.pick = is_pci_testdev,
	.absent = "no pci-testdev (QEMU -device pci-testdev; the rig adds it with DMA_CONFIG)",
};

FIXTURE_VARIANT_ADD(bind, platform) {
	.bus = "platform",
	.devices = PLATFORM_DEVICES,
	.pick = is_free_platform_device,
	.absent = "every platform device has a driver here",
};

FIXTURE_VARIANT_ADD(bind, dma_ranges) {
	.bus = "platform",
	.devices = PLATFORM_DEVICES,
	.pick = is_dma_ranges_device,
	.absent = "no device behind a dma-ranges offset (the arm64 rig's device tree has one)",
};

FIXTURE_SETUP(bind)
{
	CTL_OPEN_OR_SKIP(self->ctl);
	snprintf(self->bus, sizeof(self->bus), "%s", variant->bus);
	snprintf(self->devices, sizeof(self->devices), "%s", variant->devices);
	if (!find_device(variant->devices, variant->pick, self->name,
			 sizeof(self->name)))
		SKIP(return, "%s", variant->absent);
	snprintf(self->dir, sizeof(self->dir), "%.64s/%.255s", variant->devices,
		 self->name);
	TH_LOG("%s device %s", variant->bus, self->name);
}

/* Give the device back: no override, not ours. */
FIXTURE_TEARDOWN(bind)
{
	char drv[64], path[96];

	if (self->name[0]) {
		driver_of(self->devices, self->name, drv, sizeof(drv));
		if (!strcmp(drv, "cmheap")) {
			snprintf(path, sizeof(path), "/sys/bus/%s/drivers/cmheap",
				 self->bus);
			sysfs_write(path, "unbind", self->name);
		}
		sysfs_write(self->dir, "driver_override", "\n");
	}
	if (self->ctl >= 0)
		close(self->ctl);
}

/* The README's three writes; then the importer index it got, or -1. */
static int bind_device(struct __test_metadata *_metadata,
		       FIXTURE_DATA(bind) *self)
{
	struct cmheap_device_info info;
	char path[64], drv[64];
	__u32 i;

	ASSERT_EQ(0, sysfs_write(self->dir, "driver_override", "cmheap"));
	snprintf(path, sizeof(path), "/sys/bus/%.*s", BUS_LEN - 1, self->bus);
	ASSERT_EQ(0, sysfs_write(path, "drivers_probe", self->name));
	driver_of(self->devices, self->name, drv, sizeof(drv));
	EXPECT_STREQ("cmheap", drv);
	self->bound = true;
	for (i = CMHEAP_FIRST_BUS_DEVICE; i < CMHEAP_MAX_DEVICES; i++) {
		ASSERT_EQ(0, cmheap_ctl_device_info(self->ctl, i, &info));
		if ((info.flags & CMHEAP_DEVF_PRESENT) &&
		    !strcmp(info.name, self->name))
			return (int)i;
	}
	return -1;
}

static void unbind_device(struct __test_metadata *_metadata,
			  FIXTURE_DATA(bind) *self)
{
	char path[96], drv[64];

	snprintf(path, sizeof(path), "/sys/bus/%.*s/drivers/cmheap",
		 BUS_LEN - 1, self->bus);
	ASSERT_EQ(0, sysfs_write(path, "unbind", self->name));
	driver_of(self->devices, self->name, drv, sizeof(drv));
	EXPECT_STREQ("", drv);
}

/*
 * Bound, the device is an importer device with what its bus gave it, and
 * it maps a cmheap buffer: every byte of the buffer in exactly one DMA
 * segment, in order, each segment within its mask; direct-mapped, at the
 * memory's own addresses.  It has no engine: a transfer is EOPNOTSUPP.
 */
TEST_F(bind, bound_device_maps)
{
	struct cmheap_segment *segs;
	struct cmheap_device_info info;
	struct cmheap_placement pl;
	struct cmheap_attach at;
	struct cmheap_dma_piece piece = { .offset = 0, .length = 64 };
	char data[64], group[PATH_MAX + 16];
	__u64 covered = 0, limit;
	__u32 count = BIND_MAX_SEGS, s;
	int index, buf;

	index = bind_device(_metadata, self);
	ASSERT_LE(CMHEAP_FIRST_BUS_DEVICE, index) TH_LOG("not among the importer's devices");
	ASSERT_EQ(0, cmheap_ctl_device_info(self->ctl, (__u32)index, &info));
	EXPECT_EQ(CMHEAP_DEVF_PRESENT | CMHEAP_DEVF_BUS,
		  info.flags & (CMHEAP_DEVF_PRESENT | CMHEAP_DEVF_BUS |
				CMHEAP_DEVF_ENGINE));
	EXPECT_STREQ(self->bus, info.kind);
	EXPECT_LE(24U, info.dma_mask_bits);
	EXPECT_GE(64U, info.dma_mask_bits);
	/* translated only where the IOMMU layer has the device in a group */
	snprintf(group, sizeof(group), "%.4000s/iommu_group", self->dir);
	if (info.flags & CMHEAP_DEVF_IOMMU)
		EXPECT_EQ(0, access(group, F_OK));
	TH_LOG("importer device %d: %s%s, %u-bit mask", index,
	       info.flags & CMHEAP_DEVF_IOMMU ? "behind an IOMMU" : "direct",
	       info.flags & CMHEAP_DEVF_BOUNCE ? ", may bounce" : "",
	       info.dma_mask_bits);

	buf = alloc_on("cmheap-system", BIND_SIZE);
	ASSERT_LE(0, buf);
	ASSERT_EQ(0, cmheap_ctl_attach(self->ctl, buf, (__u32)index, &at));
	ASSERT_EQ(0, cmheap_ctl_map(self->ctl, at.handle, CMHEAP_DIR_BIDIRECTIONAL,
			     0, 0, NULL));
	segs = calloc(BIND_MAX_SEGS, sizeof(*segs));
	ASSERT_NE(NULL, segs);
	ASSERT_EQ(0, cmheap_ctl_segments(self->ctl, at.handle, 0, segs, &count));
	ASSERT_GE(BIND_MAX_SEGS, count);
	limit = info.dma_mask_bits >= 64 ? ~0ULL :
		(1ULL << info.dma_mask_bits) - 1;
	for (s = 0; s < count; s++) {
		EXPECT_EQ(covered, segs[s].offset) TH_LOG("segment %u", s);
		EXPECT_LE(segs[s].dma_address + segs[s].length - 1, limit)
			TH_LOG("segment %u beyond the %u-bit mask", s,
			       info.dma_mask_bits);
		covered += segs[s].length;
	}
	EXPECT_EQ((__u64)BIND_SIZE, covered);
	if (!(info.flags & (CMHEAP_DEVF_IOMMU | CMHEAP_DEVF_BOUNCE))) {
		ASSERT_EQ(0, cmheap_ctl_placement(self->ctl, at.handle, &pl));
		EXPECT_EQ(count, pl.segments);
		EXPECT_EQ(0U, pl.segments_bad);
	}
	EXPECT_EQ(-EOPNOTSUPP, cmheap_ctl_dma(self->ctl, at.handle,
				       CMHEAP_DIR_TO_DEVICE, &piece, 1, data));
	EXPECT_EQ(0, cmheap_ctl_unmap(self->ctl, at.handle));
	EXPECT_EQ(0, cmheap_ctl_detach(self->ctl, at.handle));
	free(segs);
	close(buf);
	unbind_device(_metadata, self);
	ASSERT_EQ(0, cmheap_ctl_device_info(self->ctl, (__u32)index, &info));
	EXPECT_EQ(0U, info.flags & CMHEAP_DEVF_PRESENT);
}

/* Unbind in a child process, for a test to see whether it returns. */
static pid_t unbind_in_child(FIXTURE_DATA(bind) *self)
{
	char path[96];
	pid_t pid;

	snprintf(path, sizeof(path), "/sys/bus/%.*s/drivers/cmheap",
		 BUS_LEN - 1, self->bus);
	pid = fork();
	if (pid == 0)
		_exit(sysfs_write(path, "unbind", self->name) ? 1 : 0);
	return pid;
}

/* Waits up to @s seconds for @pid: its wait status, or -1 (then killed). */
static int wait_or_kill(pid_t pid, int s)
{
	int status, i;

	for (i = 0; i < s * 10; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			return status;
		usleep(100000);
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	return -1;
}

/* Every call on a revoked handle but DETACH fails with ENODEV. */
static void expect_revoked(struct __test_metadata *_metadata, int ctl,
			   __u32 handle)
{
	struct cmheap_dma_piece piece = { .offset = 0, .length = 64 };
	struct cmheap_segment seg;
	struct cmheap_placement pl;
	struct cmheap_bench b = {
		.handle = handle,
		.op = CMHEAP_BENCH_MAP,
		.direction = CMHEAP_DIR_TO_DEVICE,
		.iterations = 2,
	};
	__u64 samples[2];
	__u32 count = 1;
	char data[64];

	b.samples_ptr = (__u64)(uintptr_t)samples;
	EXPECT_EQ(-ENODEV, cmheap_ctl_map(ctl, handle, CMHEAP_DIR_TO_DEVICE, 0, 0, NULL));
	EXPECT_EQ(-ENODEV, cmheap_ctl_map(ctl, handle, CMHEAP_DIR_TO_DEVICE, 0,
				   CMHEAP_MAP_RAW, NULL));
	EXPECT_EQ(-ENODEV, cmheap_ctl_unmap(ctl, handle));
	EXPECT_EQ(-ENODEV, cmheap_ctl_sync(ctl, handle, CMHEAP_SYNC_FOR_CPU,
				    CMHEAP_DIR_TO_DEVICE));
	/* no DMA address of a mapping that is gone */
	EXPECT_EQ(-ENODEV, cmheap_ctl_segments(ctl, handle, 0, &seg, &count));
	EXPECT_EQ(-ENODEV, cmheap_ctl_placement(ctl, handle, &pl));
	EXPECT_EQ(-ENODEV, cmheap_ctl_bench(ctl, &b));
	EXPECT_EQ(-ENODEV, cmheap_ctl_dma(ctl, handle, CMHEAP_DIR_TO_DEVICE,
				   &piece, 1, data));
	EXPECT_EQ(0, cmheap_ctl_detach(ctl, handle));
	EXPECT_EQ(-ENOENT, cmheap_ctl_detach(ctl, handle));
}

/*
 * Unbound while handles are attached to it (one mapped through the
 * exporter, one mapped raw, one attached only), the device does not wait
 * for them: they are revoked before the unbind returns.  Nothing of theirs
 * stays mapped (the heap's and the importer's unmaps catch up with their
 * maps, and the buffer goes with its fd), and every later call on them
 * fails with ENODEV but DETACH.  After the unbind the driver core tears
 * the device's DMA configuration down: a mapping left for later would be
 * unmapped through a device without it (IOVAs taken for physical
 * addresses behind an IOMMU).  In the debug kernel DMA-API debugging
 * checks every unmap against its map.  The old unbind waited for the
 * handles to detach (killably): here it fails after 10 s.
 */
TEST_F(bind, unbind_revokes_handles)
{
	struct cmheap_stats ha, hb, ia, ib;
	struct cmheap_attach at[3];
	__u64 live0;
	int index, buf, status;
	unsigned int i;
	char drv[64];
	pid_t pid;

	index = bind_device(_metadata, self);
	ASSERT_LE(CMHEAP_FIRST_BUS_DEVICE, index);
	live0 = stat_get("cmheap-system", ST_BUFFERS_LIVE);
	buf = alloc_on("cmheap-system", BIND_SIZE);
	ASSERT_LE(0, buf);
	for (i = 0; i < ARRAY_SIZE(at); i++)
		ASSERT_EQ(0, cmheap_ctl_attach(self->ctl, buf, (__u32)index, &at[i]));
	ASSERT_EQ(0, cmheap_ctl_map(self->ctl, at[0].handle,
			     CMHEAP_DIR_BIDIRECTIONAL, 0, 0, NULL));
	ASSERT_EQ(0, cmheap_ctl_map(self->ctl, at[1].handle, CMHEAP_DIR_TO_DEVICE,
			     0, CMHEAP_MAP_RAW, NULL));
	close(buf);
	ASSERT_EQ(0, stats_read("cmheap-system", &ha));
	ASSERT_EQ(0, stats_read(CMHEAP_IMPORTER, &ia));

	pid = unbind_in_child(self);
	ASSERT_LT(0, pid);
	status = wait_or_kill(pid, 10);
	ASSERT_NE(-1, status) TH_LOG("the unbind waited for the handles instead of revoking them");
	EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	driver_of(self->devices, self->name, drv, sizeof(drv));
	EXPECT_STREQ("", drv);
	EXPECT_EQ(0U, cmheap_ctl_device_flags(self->ctl, (__u32)index) &
		  CMHEAP_DEVF_PRESENT);

	ASSERT_EQ(0, stats_read("cmheap-system", &hb));
	ASSERT_EQ(0, stats_read(CMHEAP_IMPORTER, &ib));
	EXPECT_EQ(ha.v[ST_UNMAPS] + 1, hb.v[ST_UNMAPS]);
	EXPECT_EQ(ha.v[ST_MAPS], hb.v[ST_MAPS]);
	EXPECT_EQ(ia.v[ST_UNMAPS] + 1, ib.v[ST_UNMAPS]);
	/* the handles held the buffer's last references */
	EXPECT_EQ(live0, hb.v[ST_BUFFERS_LIVE]);
	for (i = 0; i < ARRAY_SIZE(at); i++)
		expect_revoked(_metadata, self->ctl, at[i].handle);
}

/*
 * A benchmark running on the device when it is unbound holds its file's
 * ioctl lock, which the revocation waits for: it must stop at its next
 * iteration with ENODEV, not run out its minute-long budget first.
 */
TEST_F(bind, unbind_stops_bench)
{
	struct cmheap_attach at;
	int index, buf, status;
	pid_t bench, unbind;

	index = bind_device(_metadata, self);
	ASSERT_LE(CMHEAP_FIRST_BUS_DEVICE, index);
	buf = alloc_on("cmheap-system", BIND_SIZE);
	ASSERT_LE(0, buf);
	ASSERT_EQ(0, cmheap_ctl_attach(self->ctl, buf, (__u32)index, &at));
	bench = fork();
	ASSERT_LE(0, bench);
	if (bench == 0) {
		/* the same open file: the same ioctl lock */
		static __u64 samples[CMHEAP_BENCH_MAX_ITERATIONS];
		struct cmheap_bench b = {
			.handle = at.handle,
			.op = CMHEAP_BENCH_MAP_UNMAP,
			.direction = CMHEAP_DIR_TO_DEVICE,
			.iterations = CMHEAP_BENCH_MAX_ITERATIONS,
			.budget_ns = 60ULL * 1000000000ULL,
			.samples_ptr = (__u64)(uintptr_t)samples,
		};

		_exit(-cmheap_ctl_bench(self->ctl, &b) & 0xff);
	}
	usleep(500000);		/* well into its loop */
	unbind = unbind_in_child(self);
	ASSERT_LT(0, unbind);
	status = wait_or_kill(unbind, 10);
	EXPECT_NE(-1, status) TH_LOG("the unbind waited for the benchmark's budget");
	status = wait_or_kill(bench, 60);
	ASSERT_NE(-1, status);
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(ENODEV, WEXITSTATUS(status));
	expect_revoked(_metadata, self->ctl, at.handle);
	close(buf);
}

/* Without driver_override, cmheap's driver takes nothing: no id table. */
TEST_F(bind, probe_without_override_takes_nothing)
{
	char path[96], drv[64];

	/* whatever an earlier test left: not ours, no override */
	snprintf(path, sizeof(path), "/sys/bus/%.*s/drivers/cmheap",
		 BUS_LEN - 1, self->bus);
	driver_of(self->devices, self->name, drv, sizeof(drv));
	if (!strcmp(drv, "cmheap"))
		ASSERT_EQ(0, sysfs_write(path, "unbind", self->name));
	ASSERT_EQ(0, sysfs_write(self->dir, "driver_override", "\n"));
	snprintf(path, sizeof(path), "/sys/bus/%.*s", BUS_LEN - 1, self->bus);
	sysfs_write(path, "drivers_probe", self->name);
	driver_of(self->devices, self->name, drv, sizeof(drv));
	EXPECT_STRNE("cmheap", drv);
}

/*
 * The device's bus offset from its parent's device-tree dma-ranges: bus
 * address = CPU address - *offset, for CPU addresses in [*cpu, *cpu +
 * *len).  One entry of two address cells and two size cells each, as the
 * rig's.  0, or -errno (-ENOENT: no dma-ranges, no offset).
 */
static int dt_dma_offset(const char *dir, __u64 *offset, __u64 *cpu, __u64 *len)
{
	char path[PATH_MAX];
	unsigned char cells[25];
	__u64 v[3];
	ssize_t n;
	int fd, i, k;

	snprintf(path, sizeof(path), "%.4000s/of_node/../dma-ranges", dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, cells, sizeof(cells));
	close(fd);
	if (n != 24)
		return -EINVAL;
	for (i = 0; i < 3; i++) {
		v[i] = 0;
		for (k = 0; k < 8; k++)
			v[i] = v[i] << 8 | cells[i * 8 + k];	/* big-endian */
	}
	*offset = v[1] - v[0];
	*cpu = v[1];
	*len = v[2];
	return 0;
}

/* The address at @off of a buffer whose segments are @segs[@n]; 0 outside. */
static __u64 address_at(const struct cmheap_segment *segs, __u32 n, __u64 off)
{
	__u32 i;

	for (i = 0; i < n; i++) {
		if (off >= segs[i].offset && off < segs[i].offset + segs[i].length)
			return segs[i].dma_address + off - segs[i].offset;
	}
	return 0;
}

/*
 * The segments of @heap's buffer mapped for @dev, into @segs; their count,
 * and the kernel's PLACEMENT check of them in @pl.
 */
static __u32 mapped_segments(struct __test_metadata *_metadata, int ctl, int buf,
			     __u32 dev, struct cmheap_segment *segs,
			     struct cmheap_placement *pl)
{
	struct cmheap_attach at;
	__u32 count = BIND_MAX_SEGS;

	EXPECT_EQ(0, cmheap_ctl_attach(ctl, buf, dev, &at));
	EXPECT_EQ(0, cmheap_ctl_map(ctl, at.handle, CMHEAP_DIR_TO_DEVICE, 0, 0, NULL))
		TH_LOG("device %u", dev);
	EXPECT_EQ(0, cmheap_ctl_segments(ctl, at.handle, 0, segs, &count));
	EXPECT_EQ(0, cmheap_ctl_placement(ctl, at.handle, pl));
	EXPECT_EQ(0, cmheap_ctl_detach(ctl, at.handle));
	return _metadata->exit_code ? 0 : count;
}

/*
 * A device behind a bus offset (dma-ranges) sees memory at the CPU's
 * address less the offset.  dma-direct applies it to pages; for page-less
 * memory, which cmheap maps with dma_map_resource() elsewhere, cmheap must
 * apply it itself: dma_map_resource() gives the physical address as it is
 * (which the device would take for memory 1 GiB higher) and, beyond the
 * device's 32-bit mask, refuses it.  The physical addresses come from the
 * coherent test device, which maps directly (PLACEMENT says so); the
 * offset from the device tree.  Each heap's buffer, every segment: at its
 * physical address less the offset, and the kernel's PLACEMENT agrees.
 */
TEST_F(bind, pageless_dma_ranges)
{
	static const char *const heaps[] = { "cmheap-carveout-uncached", "cmheap-system" };
	struct cmheap_segment *direct, *offset_segs;
	struct cmheap_placement pl;
	__u64 offset = 0, cpu = 0, len = 0, covered;
	__u32 nd, no, s, h;
	int index, buf, ret;

	ret = dt_dma_offset(self->dir, &offset, &cpu, &len);
	if (ret == -ENOENT)
		SKIP(return, "%.*s has no dma-ranges", NAME_MAX, self->name);
	ASSERT_EQ(0, ret);
	ASSERT_NE(0ULL, offset) TH_LOG("the rig's dma-ranges put RAM at an offset");
	index = bind_device(_metadata, self);
	ASSERT_LE(CMHEAP_FIRST_BUS_DEVICE, index);
	direct = calloc(BIND_MAX_SEGS, sizeof(*direct));
	offset_segs = calloc(BIND_MAX_SEGS, sizeof(*offset_segs));
	ASSERT_TRUE(direct && offset_segs);
	for (h = 0; h < ARRAY_SIZE(heaps); h++) {
		buf = alloc_on(heaps[h], SZ_1M);
		if (buf == -ENOENT) {
			TH_LOG("%s: no such heap here", heaps[h]);
			continue;
		}
		ASSERT_LE(0, buf) TH_LOG("%s", heaps[h]);
		nd = mapped_segments(_metadata, self->ctl, buf, CMHEAP_DEV_COHERENT, direct, &pl);
		if (!(pl.flags & CMHEAP_PLACEF_DIRECT)) {
			close(buf);
			SKIP(goto out, "the coherent test device does not map directly here");
		}
		ASSERT_EQ(0U, pl.segments_bad);
		no = mapped_segments(_metadata, self->ctl, buf, (__u32)index, offset_segs, &pl);
		ASSERT_LT(0U, no) TH_LOG("%s: not mapped for %s", heaps[h], self->name);
		EXPECT_TRUE(pl.flags & CMHEAP_PLACEF_DIRECT);
		EXPECT_EQ(0U, pl.segments_bad) TH_LOG("%s: PLACEMENT", heaps[h]);
		covered = 0;
		for (s = 0; s < no; s++) {
			__u64 phys = address_at(direct, nd, offset_segs[s].offset);

			EXPECT_TRUE(phys >= cpu && phys - cpu < len);
			EXPECT_EQ(phys - offset, offset_segs[s].dma_address)
				TH_LOG("%s: segment %u at %#llx, memory at %#llx", heaps[h], s,
				       (unsigned long long)offset_segs[s].dma_address,
				       (unsigned long long)phys);
			covered += offset_segs[s].length;
		}
		EXPECT_EQ((__u64)SZ_1M, covered);
		close(buf);
	}
out:
	free(direct);
	free(offset_segs);
}

TEST_HARNESS_MAIN
