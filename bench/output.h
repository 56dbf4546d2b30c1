/* SPDX-License-Identifier: GPL-2.0 */
/*
 * cmheap-bench: results.csv (one row per measured point, header below,
 * stable: plots, report and compare read it) and the raw samples file.
 */
#ifndef OUTPUT_H
#define OUTPUT_H

#include <stdio.h>

#include "bench.h"
#include "importer.h"

#define CSV_HEADER \
	"exporter,caching,device,coherent,dma,op,path,size,max_order,pool,nents," \
	"direction,attrs,cache_state,samples,min_ns,p50_ns,p90_ns,p99_ns," \
	"max_ns,mean_ns,stddev_ns,mb_per_s,minflt_per_op,cycles_per_op," \
	"instructions_per_op,cache_misses_per_op,threads,sharing,ops_per_s"

/* the columns of the concurrency sweep last: the others keep their places */
#define RAW_HEADER \
	"exporter,device,dma,op,path,size,max_order,pool,nents,direction,attrs," \
	"cache_state,sample,ns,threads,sharing"

/* dir NULL: the CSV goes to stdout */
void csv_open(const char *dir);
void raw_open(const char *path);
void outputs_close(void);

void csv_row(const struct point *p, const struct stats *st,
	     const struct extra *x);
void raw_write(const struct point *p, const struct extra *x,
	       const uint64_t *samples, size_t n);

/* short text for progress lines and notes */
void point_describe(const struct point *p, char *buf, size_t len);

#endif /* OUTPUT_H */
