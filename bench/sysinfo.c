// SPDX-License-Identifier: GPL-2.0
/* cmheap-bench: what meta.json says about the machine. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "sysinfo.h"
#include "util.h"

/* value of the first "key<spaces>: value" line of /proc/cpuinfo */
static bool cpuinfo_field(const char *key, char *out, size_t len)
{
	char line[512];
	size_t klen = strlen(key);
	bool found = false;
	FILE *f;

	f = fopen("/proc/cpuinfo", "re");
	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		char *p;

		if (strncmp(line, key, klen) ||
		    (line[klen] != '\t' && line[klen] != ' ' && line[klen] != ':'))
			continue;
		p = strchr(line, ':');
		if (!p)
			continue;
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		p[strcspn(p, "\n")] = 0;
		snprintf(out, len, "%s", p);
		found = true;
		break;
	}
	fclose(f);
	return found;
}

/* a few well-known Arm cores, by MIDR implementer and part */
static const char *arm_core_name(unsigned long impl, unsigned long part)
{
	static const struct { unsigned long impl, part; const char *name; } t[] = {
		{ 0x41, 0xd03, "Cortex-A53" }, { 0x41, 0xd04, "Cortex-A35" },
		{ 0x41, 0xd05, "Cortex-A55" }, { 0x41, 0xd07, "Cortex-A57" },
		{ 0x41, 0xd08, "Cortex-A72" }, { 0x41, 0xd09, "Cortex-A73" },
		{ 0x41, 0xd0a, "Cortex-A75" }, { 0x41, 0xd0b, "Cortex-A76" },
		{ 0x41, 0xd0c, "Neoverse-N1" }, { 0x41, 0xd0d, "Cortex-A77" },
		{ 0x41, 0xd40, "Neoverse-V1" }, { 0x41, 0xd41, "Cortex-A78" },
		{ 0x41, 0xd44, "Cortex-X1" }, { 0x41, 0xd46, "Cortex-A510" },
		{ 0x41, 0xd47, "Cortex-A710" }, { 0x41, 0xd48, "Cortex-X2" },
		{ 0x41, 0xd49, "Neoverse-N2" }, { 0x41, 0xd4d, "Cortex-A715" },
		{ 0x41, 0xd4e, "Cortex-X3" }, { 0x41, 0xd4f, "Neoverse-V2" },
		{ 0x41, 0xd80, "Cortex-A520" }, { 0x41, 0xd81, "Cortex-A720" },
		{ 0x41, 0xd82, "Cortex-X4" }, { 0x61, 0x022, "Apple M1 Icestorm" },
		{ 0x61, 0x023, "Apple M1 Firestorm" },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (t[i].impl == impl && t[i].part == part)
			return t[i].name;
	return NULL;
}

static void cpu_model(struct sysinfo_data *si)
{
	char impl[32], part[32];
	unsigned long i, p;
	const char *name;

	if (cpuinfo_field("model name", si->cpu_model, sizeof(si->cpu_model)))
		return;
	if (cpuinfo_field("CPU implementer", impl, sizeof(impl)) &&
	    cpuinfo_field("CPU part", part, sizeof(part))) {
		i = strtoul(impl, NULL, 0);
		p = strtoul(part, NULL, 0);
		name = arm_core_name(i, p);
		snprintf(si->cpu_model, sizeof(si->cpu_model),
			 "%s%sCPU implementer %s, CPU part %s",
			 name ? name : "", name ? ", " : "", impl, part);
		return;
	}
	if (cpuinfo_field("cpu model", si->cpu_model, sizeof(si->cpu_model)) ||
	    cpuinfo_field("uarch", si->cpu_model, sizeof(si->cpu_model)))
		return;
	snprintf(si->cpu_model, sizeof(si->cpu_model), "unknown");
}

/*
 * Which board this is, for reports that put boards side by side: the
 * device tree's model ("Radxa ROCK Pi 4B") and the last, most generic
 * entry of its root compatible list, which names the SoC
 * ("rockchip,rk3399"); on a DMI machine its vendor and product.  Empty
 * where the machine says neither.
 */
static void board(struct sysinfo_data *si)
{
	char compat[1024], vendor[128], product[128];
	ssize_t n, i, last = 0;
	FILE *f;

	if (read_file_str("/proc/device-tree/model", si->board, sizeof(si->board)) &&
	    si->board[0]) {
		f = fopen("/proc/device-tree/compatible", "re");
		if (f) {
			/* NUL-separated strings: the last starts after the last NUL but one */
			n = fread(compat, 1, sizeof(compat) - 1, f);
			fclose(f);
			compat[n > 0 ? n : 0] = 0;
			for (i = 0; i + 1 < n; i++)
				if (!compat[i])
					last = i + 1;
			snprintf(si->soc, sizeof(si->soc), "%.127s", compat + last);
		}
		return;
	}
	if (read_file_str("/sys/class/dmi/id/sys_vendor", vendor, sizeof(vendor)) &&
	    read_file_str("/sys/class/dmi/id/product_name", product, sizeof(product)))
		snprintf(si->board, sizeof(si->board), "%s %s", vendor, product);
}

static void cache_line(struct sysinfo_data *si)
{
	char buf[32];
	long v = -1;

#ifdef _SC_LEVEL1_DCACHE_LINESIZE
	v = sysconf(_SC_LEVEL1_DCACHE_LINESIZE);
	if (v > 0) {
		si->cache_line = v;
		snprintf(si->cache_line_source, sizeof(si->cache_line_source),
			 "sysconf(_SC_LEVEL1_DCACHE_LINESIZE)");
		return;
	}
#endif
	if (read_file_str("/sys/devices/system/cpu/cpu0/cache/index0/coherency_line_size",
			  buf, sizeof(buf)) && (v = atol(buf)) > 0) {
		si->cache_line = v;
		snprintf(si->cache_line_source, sizeof(si->cache_line_source),
			 "sysfs coherency_line_size");
		return;
	}
#if defined(__aarch64__)
	{
		unsigned long ctr;

		/* Linux lets EL0 read CTR_EL0 (or emulates the read). */
		asm volatile("mrs %0, ctr_el0" : "=r"(ctr));
		si->cache_line = 4L << ((ctr >> 16) & 0xf);
		snprintf(si->cache_line_source, sizeof(si->cache_line_source),
			 "CTR_EL0.DminLine");
		return;
	}
#endif
	si->cache_line = 0;
	snprintf(si->cache_line_source, sizeof(si->cache_line_source),
		 "unknown");
}

static void pmus(struct sysinfo_data *si)
{
	struct dirent *de;
	size_t used = 0;
	DIR *d;

	si->pmus[0] = 0;
	d = opendir("/sys/bus/event_source/devices");
	if (!d)
		return;
	while ((de = readdir(d))) {
		int n;

		if (de->d_name[0] == '.')
			continue;
		n = snprintf(si->pmus + used, sizeof(si->pmus) - used, "%s%s",
			     used ? "," : "", de->d_name);
		if (n < 0 || (size_t)n >= sizeof(si->pmus) - used)
			break;
		used += (size_t)n;
	}
	closedir(d);
}

/* Whether the start of @path holds @needle (a NUL-separated list too). */
static bool file_holds(const char *path, const char *needle)
{
	char buf[4096];
	size_t n, i, len = strlen(needle);
	FILE *f = fopen(path, "re");

	if (!f)
		return false;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	for (i = 0; i + len <= n; i++)
		if (!memcmp(buf + i, needle, len))
			return true;
	return false;
}

/*
 * What runs this machine, for --accelerator auto.  A guest of cmheap's rig
 * (scripts/qemu-run.sh, the board of make test-board) says so on its
 * kernel command line (cmheap_accel=tcg|tcg-icount|kvm).  Otherwise a
 * machine that shows a hypervisor (QEMU's firmware or device tree, Xen's
 * /sys/hypervisor, x86's hypervisor CPUID bit) is "unknown": not silicon,
 * and nothing says which emulator or hypervisor.  Anything else is
 * "hardware".
 */
const char *sysinfo_accelerator(void)
{
	static const char *const rig[] = { "tcg-icount", "tcg", "kvm" };
	char cmdline[4096], *w, *save = NULL, flags[4096];
	FILE *f = fopen("/proc/cmdline", "re");
	size_t i;

	if (f) {
		if (fgets(cmdline, sizeof(cmdline), f)) {
			for (w = strtok_r(cmdline, " \n", &save); w;
			     w = strtok_r(NULL, " \n", &save)) {
				if (strncmp(w, "cmheap_accel=", 13))
					continue;
				for (i = 0; i < sizeof(rig) / sizeof(rig[0]); i++)
					if (!strcmp(w + 13, rig[i])) {
						fclose(f);
						return rig[i];
					}
			}
		}
		fclose(f);
	}
	if (file_holds("/sys/class/dmi/id/sys_vendor", "QEMU") ||
	    file_holds("/proc/device-tree/compatible", "linux,dummy-virt") ||
	    file_holds("/sys/hypervisor/type", "xen"))
		return "unknown";
	/* x86's flags, a space-separated list: padded, one word matches */
	flags[0] = ' ';
	if (cpuinfo_field("flags", flags + 1, sizeof(flags) - 2)) {
		strcat(flags, " ");
		if (strstr(flags, " hypervisor "))
			return "unknown";
	}
	return "hardware";
}

void sysinfo_collect(struct sysinfo_data *si)
{
	struct utsname u;

	memset(si, 0, sizeof(*si));
	if (!uname(&u)) {
		snprintf(si->release, sizeof(si->release), "%s", u.release);
		snprintf(si->machine, sizeof(si->machine), "%s", u.machine);
	}
	cpu_model(si);
	board(si);
	cache_line(si);
	si->page_size = sysconf(_SC_PAGESIZE);
	si->ncpus = sysconf(_SC_NPROCESSORS_ONLN);
	pmus(si);
}
