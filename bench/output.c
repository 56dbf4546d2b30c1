// SPDX-License-Identifier: GPL-2.0
/* cmheap-bench: results.csv and the raw samples file. */
#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "exporters.h"
#include "output.h"
#include "util.h"

static FILE *csv, *raw;
void csv_open(const char *dir)
{
	char path[4096];

	if (!dir) {
		csv = stdout;
	} else {
		if (mkdir(dir, 0755) && errno != EEXIST)
			die("cannot create %s: %s", dir, strerror(errno));
		snprintf(path, sizeof(path), "%s/results.csv", dir);
		csv = fopen(path, "we");
		if (!csv)
			die("cannot create %s: %s", path, strerror(errno));
	}
	fprintf(csv, "%s\n", CSV_HEADER);
	fflush(csv);
}

void raw_open(const char *path)
{
	raw = fopen(path, "we");
	if (!raw)
		die("cannot create %s: %s", path, strerror(errno));
	fprintf(raw, "%s\n", RAW_HEADER);
}

void outputs_close(void)
{
	if (csv && csv != stdout && fclose(csv))
		die("writing results.csv: %s", strerror(errno));
	if (csv == stdout)
		fflush(stdout);
	if (raw && fclose(raw))
		die("writing the raw samples: %s", strerror(errno));
	csv = raw = NULL;
}

static void put_dash_or_int(FILE *f, long v)
{
	if (v < 0)
		fputs(",-", f);
	else
		fprintf(f, ",%ld", v);
}

/* the dimension columns shared by both files, without a leading comma */
static void key_columns(FILE *f, const struct point *p, const struct extra *x,
			bool full)
{
	fputs(p->exp->name, f);
	if (full)
		fprintf(f, ",%s", exporter_caching(p->exp));
	if (p->device == DEV_NONE) {
		fputs(full ? ",none,-,-" : ",none,-", f);
	} else {
		const struct bench_device *d = &bench_devices[p->device];

		fprintf(f, ",%s", d->label);
		if (full)
			fprintf(f, ",%d", d->coherent ? 1 : 0);
		fprintf(f, ",%s", d->dma);
	}
	fprintf(f, ",%s,%s,%llu", op_names[p->op], path_names[p->path],
		(unsigned long long)p->size);
	put_dash_or_int(f, x->max_order);
	fputs(p->pool == NA ? ",-" : p->pool ? ",on" : ",off", f);
	put_dash_or_int(f, x->nents);
	fprintf(f, ",%s,%s,%s", p->dir == NA ? "-" : dir_names[p->dir],
		attrs_names[p->attrs],
		p->cache == NA ? "-" : cache_names[p->cache]);
}

/* the concurrency sweep's dimensions, with a leading comma */
static void threads_columns(FILE *f, const struct point *p)
{
	if (p->threads)
		fprintf(f, ",%d,%s", p->threads, sharing_names[p->sharing]);
	else
		fputs(",-,-", f);
}

static void put_num(FILE *f, double v, const char *fmt, const char *none)
{
	if (isnan(v)) {
		fprintf(f, ",%s", none);
	} else {
		fputc(',', f);
		fprintf(f, fmt, v);
	}
}

void csv_row(const struct point *p, const struct stats *st,
	     const struct extra *x)
{
	key_columns(csv, p, x, true);
	fprintf(csv, ",%zu,%llu,%llu,%llu,%llu,%llu,%.1f,%.1f", st->n,
		(unsigned long long)st->min, (unsigned long long)st->p50,
		(unsigned long long)st->p90, (unsigned long long)st->p99,
		(unsigned long long)st->max, st->mean, st->stddev);
	put_num(csv, x->mb_per_s, "%.1f", "-");
	put_num(csv, x->minflt_per_op, "%.2f", "-");
	put_num(csv, x->cycles, "%.1f", "n/a");
	put_num(csv, x->instructions, "%.1f", "n/a");
	put_num(csv, x->cache_misses, "%.1f", "n/a");
	threads_columns(csv, p);
	put_num(csv, x->ops_per_s, "%.1f", "-");
	fputc('\n', csv);
	fflush(csv);
}

void raw_write(const struct point *p, const struct extra *x,
	       const uint64_t *samples, size_t n)
{
	size_t i;

	if (!raw)
		return;
	for (i = 0; i < n; i++) {
		key_columns(raw, p, x, false);
		fprintf(raw, ",%zu,%llu", i, (unsigned long long)samples[i]);
		threads_columns(raw, p);
		fputc('\n', raw);
	}
	fflush(raw);
}

__attribute__((format(printf, 3, 4)))
static void append(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	if (used + 1 >= len)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

void point_describe(const struct point *p, char *buf, size_t len)
{
	char size[32];

	format_size(p->size, size, sizeof(size));
	snprintf(buf, len, "%s %s %s %s", op_names[p->op], p->exp->name,
		 p->device == DEV_NONE ? "-" : bench_devices[p->device].label,
		 size);
	if (p->dir != NA)
		append(buf, len, " %s %s", dir_names[p->dir],
		       attrs_names[p->attrs]);
	if (p->cache != NA)
		append(buf, len, " %s", cache_names[p->cache]);
	if (p->path == PATH_RAW)
		append(buf, len, " raw");
	if (p->max_order != NA)
		append(buf, len, " max_order=%d", p->max_order);
	if (p->threads)
		append(buf, len, " threads=%d %s", p->threads, sharing_names[p->sharing]);
}
