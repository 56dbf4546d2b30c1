// SPDX-License-Identifier: GPL-2.0
/* cmheap-bench: the progress line on stderr. */
#include <stdbool.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"

static size_t total;
static unsigned int every = 1;
static bool tty, shown;
static double started;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

void progress_init(size_t n, unsigned int e)
{
	total = n;
	every = e;
	tty = isatty(STDERR_FILENO);
	started = now_s();
}

/* "1m05s": minutes and seconds, or seconds alone under a minute */
static void fmt_time(double s, char *buf, size_t len)
{
	unsigned long t = s > 0 ? (unsigned long)(s + 0.5) : 0;

	if (t >= 60)
		snprintf(buf, len, "%lum%02lus", t / 60, t % 60);
	else
		snprintf(buf, len, "%lus", t);
}

/*
 * "[12/894 1m05s, ~7m40s left]": the time so far, and what is left at the
 * average pace of the points done (points differ, so it is a guess: "~").
 */
static void fmt_status(size_t index, char *buf, size_t len)
{
	double elapsed = now_s() - started;
	char so_far[24], left[24];

	fmt_time(elapsed, so_far, sizeof(so_far));
	if (!index) {
		snprintf(buf, len, "[%zu/%zu %s]", index + 1, total, so_far);
		return;
	}
	fmt_time(elapsed / index * (total - index), left, sizeof(left));
	snprintf(buf, len, "[%zu/%zu %s, ~%s left]", index + 1, total, so_far, left);
}

void progress_point(size_t index, const char *desc)
{
	char status[80];

	if (!every)
		return;
	fmt_status(index, status, sizeof(status));
	if (tty) {
		fprintf(stderr, "\r%s %s\033[K", status, desc);
		shown = true;
	} else if (index % every == 0 || index + 1 == total) {
		fprintf(stderr, "%s %s\n", status, desc);
	}
	fflush(stderr);
}

void progress_clear(void)
{
	if (tty && shown) {
		fputs("\r\033[K", stderr);
		shown = false;
	}
}

void progress_done(void)
{
	if (tty && shown)
		fputc('\n', stderr);
	shown = false;
}
