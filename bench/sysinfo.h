/* SPDX-License-Identifier: GPL-2.0 */
/* cmheap-bench: what meta.json says about the machine. */
#ifndef SYSINFO_H
#define SYSINFO_H

struct sysinfo_data {
	char release[128];
	char machine[72];
	char cpu_model[256];
	char board[256];		/* device tree model, or DMI vendor and product */
	char soc[128];			/* the device tree's most generic compatible */
	long cache_line;		/* bytes, 0: unknown */
	char cache_line_source[64];
	long page_size;
	long ncpus;
	char pmus[512];			/* /sys/bus/event_source/devices, comma list */
};

void sysinfo_collect(struct sysinfo_data *si);
const char *sysinfo_accelerator(void);

#endif /* SYSINFO_H */
