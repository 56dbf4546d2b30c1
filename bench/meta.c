// SPDX-License-Identifier: GPL-2.0
/* cmheap-bench: meta.json, what the numbers were measured on and how. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "bench.h"
#include "meta.h"
#include "options.h"
#include "perf.h"
#include "threads.h"
#include "util.h"

static void jstr(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");

	fputc('"', f);
	for (; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			if (*p < 0x20)
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

static void jkey(FILE *f, int indent, const char *key)
{
	fprintf(f, "%*s", indent, "");
	jstr(f, key);
	fputs(": ", f);
}

static void jkv_str(FILE *f, int indent, const char *key, const char *v,
		    bool last)
{
	jkey(f, indent, key);
	jstr(f, v);
	fputs(last ? "\n" : ",\n", f);
}

static void jkv_num(FILE *f, int indent, const char *key, long long v,
		    bool last)
{
	jkey(f, indent, key);
	fprintf(f, "%lld%s", v, last ? "\n" : ",\n");
}

static void jkv_bool(FILE *f, int indent, const char *key, bool v, bool last)
{
	jkey(f, indent, key);
	fprintf(f, "%s%s", v ? "true" : "false", last ? "\n" : ",\n");
}

/* a JSON array of the names whose bit is set in mask */
static void jnames(FILE *f, int indent, const char *key, unsigned int mask,
		   const char *const *names, unsigned int count, bool last)
{
	unsigned int i;
	bool first = true;

	jkey(f, indent, key);
	fputc('[', f);
	for (i = 0; i < count; i++) {
		if (!(mask & (1U << i)))
			continue;
		if (!first)
			fputs(", ", f);
		jstr(f, names[i]);
		first = false;
	}
	fputs(last ? "]\n" : "],\n", f);
}

static const char *kind_name(enum exp_kind k)
{
	switch (k) {
	case EXP_CMHEAP: return "cmheap";
	case EXP_UDMABUF: return "udmabuf";
	default: return "dma-heap";
	}
}

static void write_exporters(FILE *f, const struct meta *m)
{
	size_t i;
	bool first;

	jkey(f, 2, "exporters");
	fputs("{\n", f);
	jkey(f, 4, "found");
	fputs("[", f);
	first = true;
	for (i = 0; i < m->n_exps; i++) {
		const struct exporter *e = &m->exps[i];

		if (!e->present)
			continue;
		fputs(first ? "\n" : ",\n", f);
		fprintf(f, "%6s{\"name\": ", "");
		jstr(f, e->name);
		fputs(", \"caching\": ", f);
		jstr(f, exporter_caching(e));
		fputs(", \"kind\": ", f);
		jstr(f, kind_name(e->kind));
		fputs(", \"memory\": ", f);
		jstr(f, e->memory);
		fputs(", \"path\": ", f);
		jstr(f, e->path);
		fputs("}", f);
		first = false;
	}
	fputs(first ? "],\n" : "\n    ],\n", f);
	jkey(f, 4, "skipped");
	fputs("[", f);
	first = true;
	for (i = 0; i < m->n_exps; i++) {
		const struct exporter *e = &m->exps[i];

		if (e->present)
			continue;
		fputs(first ? "\n" : ",\n", f);
		fprintf(f, "%6s{\"name\": ", "");
		jstr(f, e->name);
		fputs(", \"reason\": ", f);
		jstr(f, e->reason);
		fputs("}", f);
		first = false;
	}
	fputs(first ? "]\n" : "\n    ]\n", f);
	fputs("  },\n", f);
}

/*
 * The type of the IOMMU domain a device's DMA goes through, as the kernel
 * names it in sysfs: "DMA" (strict: every unmap invalidates the IOTLB
 * before it returns), "DMA-FQ" (lazy: invalidations are batched through a
 * flush queue), "identity" (passthrough).  It explains most of what an
 * unmap through the IOMMU costs, so a run records it.
 */
static bool iommu_domain_type(const char *name, char *buf, size_t len)
{
	static const char *const buses[] = { "pci", "platform", "amba" };
	char path[256];
	size_t i;

	for (i = 0; i < sizeof(buses) / sizeof(buses[0]); i++) {
		snprintf(path, sizeof(path), "/sys/bus/%s/devices/%s/iommu_group/type",
			 buses[i], name);
		if (read_file_str(path, buf, len) && buf[0])
			return true;
	}
	return false;
}

/*
 * Every device present, measured or not: what each is and how its DMA
 * reaches memory, the configuration a row's device and dma columns stand
 * for.
 */
static void write_devices(FILE *f)
{
	bool first = true;
	char domain[32];
	int d;

	jkey(f, 2, "devices");
	fputc('[', f);
	for (d = 0; d < CMHEAP_MAX_DEVICES; d++) {
		const struct bench_device *t = &bench_devices[d];

		if (!t->present)
			continue;
		fprintf(f, "%s    {\"device\": ", first ? "\n" : ",\n");
		jstr(f, t->label);
		fprintf(f, ", \"index\": %d, \"name\": ", d);
		jstr(f, t->name);
		fputs(", \"kind\": ", f);
		jstr(f, t->kind);
		fprintf(f, ", \"coherent\": %s, \"dma\": ",
			t->coherent ? "true" : "false");
		jstr(f, t->dma);
		if (strstr(t->dma, "iommu") &&
		    iommu_domain_type(t->name, domain, sizeof(domain))) {
			fputs(", \"iommu_domain\": ", f);
			jstr(f, domain);
		}
		fprintf(f, ", \"dma_mask_bits\": %u, \"max_seg_size\": %llu, \"measured\": %s}",
			t->dma_mask_bits, (unsigned long long)t->max_seg_size,
			opt.devices & (1U << d) ? "true" : "false");
		first = false;
	}
	fputs(first ? "],\n" : "\n  ],\n", f);
}

static void write_sweep(FILE *f, const struct meta *m)
{
	static const char *const path_opts[] = { "exporter", "raw" };
	size_t i;
	int a;

	jkey(f, 2, "sweep");
	fputs("{\n", f);
	jkey(f, 4, "command_line");
	fputc('[', f);
	for (a = 0; a < opt.argc; a++) {
		if (a)
			fputs(", ", f);
		jstr(f, opt.argv[a]);
	}
	fputs("],\n", f);
	jkey(f, 4, "sizes");
	fputc('[', f);
	for (i = 0; i < opt.n_sizes; i++)
		fprintf(f, "%s%llu", i ? ", " : "",
			(unsigned long long)opt.sizes[i]);
	fputs("],\n", f);
	jnames(f, 4, "ops", opt.ops, op_names, OP_COUNT, false);
	jkey(f, 4, "devices");
	jstr(f, opt.device_list ? opt.device_list : "test");
	fputs(",\n", f);
	jnames(f, 4, "directions", opt.dirs, dir_names, DIR_COUNT, false);
	jnames(f, 4, "attrs", opt.attrs, attrs_names, ATTRS_COUNT, false);
	jnames(f, 4, "cache_states", opt.caches, cache_names, CS_COUNT, false);
	jnames(f, 4, "paths", opt.paths, path_opts, 2, false);
	jkv_bool(f, 4, "full", opt.full, false);
	jkv_bool(f, 4, "quick", opt.quick, false);
	jkv_num(f, 4, "sg_size", (long long)opt.sg_size, false);
	jkey(f, 4, "max_orders");
	fputc('[', f);
	for (i = 0; i < m->n_sg_orders; i++)
		fprintf(f, "%s%d", i ? ", " : "", m->sg_orders[i]);
	fputs("],\n", f);
	jnames(f, 4, "sg_ops", opt.sg_ops, op_names, OP_COUNT, false);
	jkey(f, 4, "threads");
	fputc('[', f);
	for (i = 0; i < opt.n_threads; i++)
		fprintf(f, "%s%d", i ? ", " : "", opt.threads[i]);
	fputs("],\n", f);
	jkv_num(f, 4, "threads_size", (long long)opt.threads_size, false);
	/* where the workers ran: the concurrency is only what these allow */
	jkey(f, 4, "threads_cpus");
	fputc('{', f);
	for (i = 0; i < opt.n_threads; i++) {
		uint64_t seen = threads_cpus_seen(opt.threads[i]);
		int cpu, first = 1;

		fprintf(f, "%s\"%d\": [", i ? ", " : "", opt.threads[i]);
		for (cpu = 0; cpu < 64; cpu++) {
			if (!(seen & (1ULL << cpu)))
				continue;
			fprintf(f, "%s%d", first ? "" : ", ", cpu);
			first = 0;
		}
		fputc(']', f);
	}
	fputs("}\n", f);
	fputs("  },\n", f);
}

static void write_method(FILE *f)
{
	jkey(f, 2, "method");
	fputs("{\n", f);
	jkv_num(f, 4, "iterations", (long long)opt.iterations, false);
	jkv_num(f, 4, "warmup", (long long)opt.warmup, false);
	jkv_num(f, 4, "min_samples", (long long)opt.min_samples, false);
	jkv_num(f, 4, "time_budget_ms", (long long)opt.time_budget_ms, false);
	jkv_num(f, 4, "sg_time_budget_ms", (long long)opt.sg_time_budget_ms,
		false);
	jkv_num(f, 4, "cpu", opt.cpu, false);
	jkv_str(f, 4, "user_clock", "CLOCK_MONOTONIC_RAW", false);
	jkv_str(f, 4, "kernel_clock", "ktime_get_raw_ns (CMHEAP_IOC_BENCH)",
		false);
	jkv_str(f, 4, "percentiles", "nearest rank", false);
	jkv_str(f, 4, "stddev", "sample (n-1)", false);
	jkv_str(f, 4, "mb_per_s", "size / p50, 10^6 bytes per second", true);
	fputs("  },\n", f);
}

static void write_perf(FILE *f, const struct meta *m)
{
	int i;

	jkey(f, 2, "perf");
	fputs("{\n", f);
	jkv_bool(f, 4, "requested", opt.perf, false);
	jkv_str(f, 4, "pmus", m->si->pmus, false);
	if (!strncmp(opt.accelerator, "tcg", 3))
		jkv_str(f, 4, "note",
			"QEMU TCG emulates the PMU where it has one: cycles follow the virtual clock, instructions are counted only with -icount; not hardware counts",
			false);
	jkey(f, 4, "events");
	fputs("{", f);
	for (i = 0; i < PERF_NR; i++) {
		if (i)
			fputs(", ", f);
		jstr(f, perf_event_names[i]);
		fputs(": ", f);
		jstr(f, perf_status(i));
	}
	fputs("}\n  },\n", f);
}

static void write_points(FILE *f, const struct meta *m)
{
	const struct run_result *rr = m->rr;
	size_t i;

	jkey(f, 2, "points");
	fputs("{\n", f);
	jkv_num(f, 4, "planned", (long long)m->plan->n, false);
	jkv_num(f, 4, "planned_main", (long long)m->plan->n_main, false);
	jkv_num(f, 4, "planned_sg", (long long)m->plan->n_sg, false);
	jkv_num(f, 4, "planned_threads", (long long)m->plan->n_threads, false);
	jkv_num(f, 4, "measured", rr ? (long long)rr->measured : 0, false);
	jkv_num(f, 4, "skipped", rr ? (long long)rr->skipped : 0, false);
	jkey(f, 4, "skips");
	fputs("[", f);
	for (i = 0; rr && i < rr->n_skips; i++) {
		fputs(i ? ",\n" : "\n", f);
		fprintf(f, "%6s{\"point\": ", "");
		jstr(f, rr->skips[i].what);
		fputs(", \"reason\": ", f);
		jstr(f, rr->skips[i].why);
		fputs("}", f);
	}
	fputs(rr && rr->n_skips ? "\n    ]\n" : "]\n", f);
	fputs("  },\n", f);
}

/*
 * The system heaps' page pool parameters as the run found them: whether
 * pools were on (alloc points say which they had), their cap, and whether
 * freed pages were zeroed in the background.
 */
static void write_pool_params(FILE *f)
{
	static const char *const names[] = {
		"pools", "pool_limit_mb", "pool_zero_background",
	};
	char path[128], buf[32];
	size_t i;

	jkey(f, 2, "pool_params");
	fputs("{", f);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "/sys/module/cmheap/parameters/%s",
			 names[i]);
		fprintf(f, "%s\"%s\": ", i ? ", " : "", names[i]);
		if (read_file_str(path, buf, sizeof(buf)))
			fprintf(f, "\"%s\"", buf);
		else
			fputs("null", f);
	}
	fputs("},\n", f);
}

/*
 * Who made the heaps' nodes the sweep allocated through: "framework" (the
 * kernel's dma-heap framework, whose ioctl then runs before cmheap's
 * allocation) or "misc"; null from a module older than uAPI 1.2.
 */
static void write_registration(FILE *f)
{
	char buf[32];

	jkey(f, 2, "heaps_registration");
	if (read_file_str("/sys/kernel/debug/cmheap/registration", buf, sizeof(buf)))
		fprintf(f, "\"%s\",\n", buf);
	else
		fputs("null,\n", f);
}

static void write_clock_side(FILE *f, const char *key,
			     const struct clock_side *side, bool last)
{
	const struct stats *st = &side->empty;

	jkey(f, 4, key);
	if (!side->measured) {
		fputs("{\"measured\": false, \"why\": ", f);
		jstr(f, side->why);
		fprintf(f, "}%s\n", last ? "" : ",");
		return;
	}
	fprintf(f, "{\"measured\": true, \"samples\": %zu, \"tick_ns\": %llu, \"empty_min_ns\": %llu, \"empty_p50_ns\": %llu, \"empty_p99_ns\": %llu, \"empty_max_ns\": %llu}%s\n",
		st->n, (unsigned long long)side->tick_ns,
		(unsigned long long)st->min, (unsigned long long)st->p50,
		(unsigned long long)st->p99, (unsigned long long)st->max,
		last ? "" : ",");
}

/*
 * The clocks: their tick (the gcd of back-to-back differences; 0 when every
 * difference was 0) and the cost of timing nothing, which every sample of
 * that clock includes.
 */
static void write_clock(FILE *f, const struct clock_info *ci)
{
	if (!ci)
		return;
	jkey(f, 2, "clock");
	fputs("{\n", f);
	jkv_num(f, 4, "user_getres_ns", ci->user_res_ns, false);
	write_clock_side(f, "user", &ci->user, false);
	write_clock_side(f, "kernel", &ci->kernel, true);
	fputs("  },\n", f);
}

void meta_write(const char *dir, const struct meta *m)
{
	char path[4096], tmp[4096 + 8];
	const struct sysinfo_data *si = m->si;
	FILE *f;

	snprintf(path, sizeof(path), "%s/meta.json", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	f = fopen(tmp, "we");
	if (!f)
		die("cannot create %s: %s", tmp, strerror(errno));
	fputs("{\n", f);
	jkv_str(f, 2, "tool", "cmheap-bench", false);
	jkv_num(f, 2, "format", 1, false);
	jkv_bool(f, 2, "complete", m->complete, false);
	jkv_bool(f, 2, "interrupted", m->rr && m->rr->interrupted, false);
	jkv_str(f, 2, "label", opt.label, false);
	jkv_str(f, 2, "accelerator", opt.accelerator, false);
	jkv_str(f, 2, "qemu_version", opt.qemu_version, false);
	jkv_str(f, 2, "git_rev", opt.git_rev, false);
	jkv_str(f, 2, "date_utc", m->date_utc, false);
	jkey(f, 2, "elapsed_s");
	fprintf(f, "%.1f,\n", m->elapsed_s);
	jkv_str(f, 2, "kernel_release", si->release, false);
	jkv_str(f, 2, "architecture", si->machine, false);
	jkv_str(f, 2, "cpu_model", si->cpu_model, false);
	jkv_str(f, 2, "board", si->board, false);
	jkv_str(f, 2, "soc", si->soc, false);
	jkv_num(f, 2, "cpus_online", si->ncpus, false);
	jkey(f, 2, "cache_line_size");
	if (si->cache_line > 0)
		fprintf(f, "%ld,\n", si->cache_line);
	else
		fputs("\"unknown\",\n", f);
	jkv_str(f, 2, "cache_line_source", si->cache_line_source, false);
	jkv_num(f, 2, "page_size", si->page_size, false);
	jkey(f, 2, "max_order_at_start");
	if (m->max_order_at_start >= 0)
		fprintf(f, "%d,\n", m->max_order_at_start);
	else
		fputs("null,\n", f);
	write_pool_params(f);
	write_registration(f);
	write_devices(f);
	write_exporters(f, m);
	write_method(f);
	write_clock(f, m->clock);
	write_perf(f, m);
	write_sweep(f, m);
	write_points(f, m);
	jkv_str(f, 2, "csv", "results.csv", true);
	fputs("}\n", f);
	if (fclose(f))
		die("writing %s: %s", tmp, strerror(errno));
	if (rename(tmp, path))
		die("cannot rename %s: %s", tmp, strerror(errno));
}
