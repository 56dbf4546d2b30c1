/* SPDX-License-Identifier: GPL-2.0 */
/* cmheap-bench: small helpers: time, sizes, lists, messages. */
#ifndef UTIL_H
#define UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* CLOCK_MONOTONIC_RAW in ns */
uint64_t now_ns(void);

/* "4096", "4K", "1M", "10MiB", "1G" (binary units); false if invalid */
bool parse_size(const char *s, uint64_t *out);
/* the shortest exact form: 4K, 10M, 1G, 12345 */
void format_size(uint64_t v, char *buf, size_t len);
bool parse_uint(const char *s, unsigned long max, unsigned long *out);

/*
 * Split a comma list in place: calls fn(item, ctx) for each non-empty item;
 * returns false as soon as fn does.
 */
bool for_each_item(char *list, bool (*fn)(const char *item, void *ctx),
		   void *ctx);

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

__attribute__((noreturn, format(printf, 1, 2)))
void die(const char *fmt, ...);
/* "cmheap-bench: note: ..." on stderr, clearing a progress line first */
__attribute__((format(printf, 1, 2)))
void note(const char *fmt, ...);

/* read a small sysfs/proc file into buf, trailing newline cut; false: none */
bool read_file_str(const char *path, char *buf, size_t len);
bool write_file_str(const char *path, const char *s);

#endif /* UTIL_H */
