// SPDX-License-Identifier: GPL-2.0
/* cmheap-bench: hardware counters through perf_event_open. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/perf_event.h>

#include "perf.h"
#include "util.h"

const char *const perf_event_names[PERF_NR] = {
	"cycles", "instructions", "cache-misses",
};

static const __u64 perf_configs[PERF_NR] = {
	PERF_COUNT_HW_CPU_CYCLES,
	PERF_COUNT_HW_INSTRUCTIONS,
	PERF_COUNT_HW_CACHE_MISSES,
};

static int leader = -1;
static int slot[PERF_NR];		/* position in the group read, -1: none */
static int n_open;
static char status[PERF_NR][96];

static int perf_open(__u64 config, int group_fd)
{
	struct perf_event_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_HARDWARE;
	attr.config = config;
	attr.disabled = group_fd < 0;	/* members follow the leader */
	attr.exclude_hv = 1;
	attr.read_format = PERF_FORMAT_GROUP |
			   PERF_FORMAT_TOTAL_TIME_ENABLED |
			   PERF_FORMAT_TOTAL_TIME_RUNNING;
	return (int)syscall(SYS_perf_event_open, &attr, 0, -1, group_fd,
			    PERF_FLAG_FD_CLOEXEC);
}

void perf_init(bool wanted)
{
	int i, fd;

	for (i = 0; i < PERF_NR; i++) {
		slot[i] = -1;
		snprintf(status[i], sizeof(status[i]), "%s",
			 wanted ? "" : "not requested (--perf)");
	}
	if (!wanted)
		return;
	for (i = 0; i < PERF_NR; i++) {
		fd = perf_open(perf_configs[i], leader);
		if (fd < 0) {
			int e = errno;

			snprintf(status[i], sizeof(status[i]), "n/a: %s",
				 e == ENOENT || e == EOPNOTSUPP ?
				 "the PMU does not count it (or there is no PMU)" :
				 strerror(e));
			continue;
		}
		if (leader < 0)
			leader = fd;
		slot[i] = n_open++;
		snprintf(status[i], sizeof(status[i]), "counted");
	}
	for (i = 0; i < PERF_NR; i++)
		if (slot[i] < 0)
			note("--perf: %s %s", perf_event_names[i], status[i]);
}

bool perf_active(void)
{
	return leader >= 0;
}

const char *perf_status(int event)
{
	return status[event];
}

void perf_on(void)
{
	if (leader >= 0)
		ioctl(leader, PERF_EVENT_IOC_ENABLE, PERF_IOC_FLAG_GROUP);
}

void perf_off(void)
{
	if (leader >= 0)
		ioctl(leader, PERF_EVENT_IOC_DISABLE, PERF_IOC_FLAG_GROUP);
}

void perf_read(struct perf_window *w)
{
	uint64_t buf[3 + PERF_NR];
	ssize_t n;
	int i;

	memset(w, 0, sizeof(*w));
	if (leader < 0)
		return;
	n = read(leader, buf, sizeof(buf));
	if (n < (ssize_t)(3 * sizeof(uint64_t)))
		return;
	w->enabled = buf[1];
	w->running = buf[2];
	for (i = 0; i < PERF_NR; i++)
		if (slot[i] >= 0 && (uint64_t)slot[i] < buf[0])
			w->v[i] = buf[3 + slot[i]];
}

void perf_per_op(const struct perf_window *start,
		 const struct perf_window *end, uint64_t ops,
		 double out[PERF_NR])
{
	uint64_t enabled = end->enabled - start->enabled;
	uint64_t running = end->running - start->running;
	bool whole = running && running == enabled && ops;
	int i;

	for (i = 0; i < PERF_NR; i++)
		out[i] = slot[i] >= 0 && whole ?
			 (double)(end->v[i] - start->v[i]) / (double)ops : NAN;
}
