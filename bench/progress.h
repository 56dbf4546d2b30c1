/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cmheap-bench: the progress line on stderr.  On a terminal one line is
 * rewritten in place; otherwise (a guest's serial console, a log file) every
 * Nth point gets a short line of its own.
 */
#ifndef PROGRESS_H
#define PROGRESS_H

#include <stddef.h>

/* every: on a non-tty, print every Nth point (0: never) */
void progress_init(size_t total, unsigned int every);
void progress_point(size_t index, const char *desc);
/* erase the in-place line before other output (no-op elsewhere) */
void progress_clear(void);
void progress_done(void);

#endif /* PROGRESS_H */
