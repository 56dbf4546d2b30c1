// SPDX-License-Identifier: GPL-2.0
/* cmheap-bench: the progress line on stderr. */
#include <stdbool.h>
#include <stdio.h>
#include <unistd.h>

#include "progress.h"

static size_t total;
static unsigned int every = 1;
static bool tty, shown;

void progress_init(size_t n, unsigned int e)
{
	total = n;
	every = e;
	tty = isatty(STDERR_FILENO);
}

void progress_point(size_t index, const char *desc)
{
	if (!every)
		return;
	if (tty) {
		fprintf(stderr, "\r[%zu/%zu] %s\033[K", index + 1, total, desc);
		shown = true;
	} else if (index % every == 0 || index + 1 == total) {
		fprintf(stderr, "[%zu/%zu] %s\n", index + 1, total, desc);
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
