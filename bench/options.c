// SPDX-License-Identifier: GPL-2.0
/* cmheap-bench: command line options and their defaults. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/cmheap.h>

#include "bench.h"
#include "options.h"
#include "sysinfo.h"
#include "util.h"

struct options opt;

/*
 * Defaults: sized so that the whole default sweep takes about 5 minutes of
 * guest time under QEMU TCG on a 2-core host (see README.md).
 */
#define DEF_SIZES	"4K,16K,64K,256K,1M,4M,16M,64M"
#define DEF_SG_SIZE	(10ULL << 20)
#define DEF_MAX_ORDERS	"0,2,4,6,8"
#define DEF_SG_OPS	"map,unmap"
#define DEF_ITERATIONS	200
#define DEF_WARMUP	3
#define DEF_MIN_SAMPLES	5
#define DEF_BUDGET_MS	100
#define DEF_SG_BUDGET_MS 300
#define DEF_THREADS	"1,2,4,nproc"

/* --quick: a tiny sweep for tests */
#define QUICK_SIZES	"4K,64K"
#define QUICK_SG_SIZE	(256ULL << 10)
#define QUICK_MAX_ORDERS "0,4"
#define QUICK_ITERATIONS 8
#define QUICK_WARMUP	1
#define QUICK_MIN_SAMPLES 3
#define QUICK_BUDGET_MS	10

/* the largest buffer a sweep asks for, as the help says */
#define MAX_SIZE	(1ULL << 30)

static const char usage_text[] =
"usage: cmheap-bench [options]\n"
"\n"
"Measures DMA mapping, cache maintenance and CPU access costs of dma-buf\n"
"exporters, all imported through the cmheap importer (/dev/cmheap) so that\n"
"they compare on equal terms.  Needs root, and cmheap.ko and\n"
"cmheap_test.ko loaded (but for a --dry-run).\n"
"Kernel operations are timed in the kernel (CMHEAP_IOC_BENCH); userspace\n"
"ones with CLOCK_MONOTONIC_RAW.  Every list option takes a comma list.\n"
"\n"
"Sweep:\n"
"  --exporters LIST     heaps to allocate from: cmheap-system,\n"
"                       cmheap-system-uncached (any /dev/dma_heap/cmheap-*),\n"
"                       system (/dev/dma_heap/system), udmabuf (/dev/udmabuf,\n"
"                       memfd + UDMABUF_CREATE), or another /dev/dma_heap\n"
"                       name.  Default: every cmheap-* heap, system and\n"
"                       udmabuf found; absent ones are skipped with a note.\n"
"  --sizes LIST         buffer sizes, K/M/G suffixes, multiples of the page\n"
"                       size (default " DEF_SIZES "; up to 1G\n"
"                       on request, e.g. --sizes 4K,1M,64M,1G)\n"
"  --ops LIST           map, unmap, map_unmap, sync_dev, sync_cpu (timed in\n"
"                       the kernel), dmabuf_sync, range_sync_64th,\n"
"                       range_sync_8th, range_sync_all (cmheap's partial\n"
"                       sync of the buffer's first 1/64, 1/8, all), alloc\n"
"                       (allocation alone), pool_shrink (the pools'\n"
"                       shrinker, through drop_caches), alloc_free_cold,\n"
"                       alloc_free_warm, mmap_touch, cpu_write, cpu_read\n"
"                       (timed in userspace); groups: kernel, user,\n"
"                       range_sync, alloc_free, all (default all)\n"
"  --pools LIST         on, off: the system heaps' page pools for the\n"
"                       allocation ops (module parameter pools, restored\n"
"                       afterwards; default both, one point after the other)\n"
"  --devices LIST       the importer's devices: coherent, noncoherent (its\n"
"                       test devices; x86 has only the coherent one), test\n"
"                       (both), edu (QEMU's DMA engine), bus (every real\n"
"                       device: edu, or a board's bound through\n"
"                       driver_override), all, or a device's name\n"
"                       (default test).  results.csv's dma column says how\n"
"                       each maps: direct, iommu or bounce\n"
"  --directions LIST    to_device, from_device, bidirectional (default all)\n"
"  --attrs LIST         none, skip_cpu_sync (default both; through the\n"
"                       exporter only cmheap heaps take attrs, other\n"
"                       exporters get none; syncs ignore attrs)\n"
"  --cache-states LIST  clean, dirty (dirty: the buffer is written before\n"
"                       every iteration; default both)\n"
"  --paths LIST         exporter (dma_buf_map_attachment), raw\n"
"                       (dma_map_sgtable on a copy of the same sg_table)\n"
"                       (default both)\n"
"  --full               measure every combination; by default the ones that\n"
"                       cannot change the work are left out: on a coherent\n"
"                       device only bidirectional/none/clean, syncs only on\n"
"                       the exporter's mapping (the raw one is the same call\n"
"                       on an identical table), skip_cpu_sync through an\n"
"                       uncached cmheap heap (it always skips)\n"
"\n"
"Scatterlist granularity sweep (cmheap heaps only, sets\n"
"/sys/module/cmheap/parameters/max_order before allocating, restores it):\n"
"  --sg-size SIZE       buffer size (default 10M: 2560 entries at order 0)\n"
"  --max-orders LIST    page order caps, 0..8 (default " DEF_MAX_ORDERS "),\n"
"                       or none to skip the sweep\n"
"  --sg-entries LIST    the same, as entry counts at --sg-size (2560 at 10M\n"
"                       means order 0); replaces --max-orders\n"
"  --sg-ops LIST        kernel ops of the sweep (default " DEF_SG_OPS ")\n"
"  --sg-time-budget-ms MS  time per point of the sweep (default %d)\n"
"  The other sweep options (devices, directions, ...) apply to it too.\n"
"\n"
"Concurrency sweep:\n"
"  --threads LIST       thread counts, 1..64 or nproc (default " DEF_THREADS "),\n"
"                       or none: map and unmap (timed in the kernel, each thread\n"
"                       through its own /dev/cmheap file) and dmabuf_sync,\n"
"                       each with a buffer per thread (own) and with one\n"
"                       buffer for all (shared), and alloc_free_warm (own),\n"
"                       for the system heaps among the exporters (cmheap-system\n"
"                       and the upstream system heap), on the non-coherent\n"
"                       test device where there is one; threads pinned to the\n"
"                       online CPUs in turn and started together; the CSV's\n"
"                       threads, sharing and ops_per_s columns\n"
"  --threads-size SIZE  the buffers' size (default 1M)\n"
"\n"
"Method:\n"
"  --iterations N       at most N samples per point (default %d)\n"
"  --warmup N           untimed iterations first (default %d)\n"
"  --min-samples N      at least N samples per point, whatever the budget\n"
"                       (default %d)\n"
"  --time-budget-ms MS  time per point, warm-up and set-up included, that\n"
"                       sets the sample count between min-samples and\n"
"                       iterations (default %d)\n"
"  --quick              tiny sweep for tests: sizes " QUICK_SIZES ", one\n"
"                       direction (bidirectional), sg sweep at 256K orders\n"
"                       " QUICK_MAX_ORDERS ", no concurrency sweep, %d iterations, %d\n"
"                       warm-up, %d ms; options given explicitly still win\n"
"  --cpu N              pin to CPU N (default 0); -1: do not pin\n"
"  --perf               cycles, instructions and cache-misses per operation\n"
"                       (perf_event_open, user+kernel); n/a where the PMU\n"
"                       lacks an event.  Kernel ops are counted around the\n"
"                       whole ioctl (dirtying and untimed halves included)\n"
"                       divided by its iterations.\n"
"\n"
"Output:\n"
"  --out DIR            write DIR/results.csv and DIR/meta.json (without it\n"
"                       the CSV goes to stdout)\n"
"  --raw-samples FILE   every sample, one CSV line each\n"
"  --dry-run            list the planned points and exit; without\n"
"                       /dev/cmheap, the plan for cmheap.ko and\n"
"                       cmheap_test.ko as loaded without parameters on\n"
"                       this architecture (a preview: no exporter or\n"
"                       device probed)\n"
"  --progress-every N   when stderr is not a terminal, a line every N\n"
"                       points (default 1; 0: none)\n"
"  --accelerator auto|tcg|tcg-icount|kvm|hardware\n"
"                       what runs this machine, for meta.json and the\n"
"                       report's first line; auto (default): what the\n"
"                       kernel command line's cmheap_accel= says (cmheap's\n"
"                       QEMU guests), else unknown on a machine that shows\n"
"                       a hypervisor, else hardware\n"
"  --qemu-version STR, --git-rev STR, --label STR\n"
"                       recorded in meta.json as given (default unknown)\n"
"  --date YYYY-MM-DDTHH:MM:SSZ\n"
"                       the date of measurement (UTC) for meta.json's\n"
"                       date_utc, where this machine's clock does not tell\n"
"                       it (QEMU's -icount guests start at a fixed date);\n"
"                       default: this machine's clock at the start\n"
"  -h, --help           this text\n"
"  --version            the cmheap version this program belongs to\n"
"\n"
"Exit status: 0 success, 1 setup error (e.g. no /dev/cmheap), 2 bad usage,\n"
"130 interrupted (partial results are kept).\n";

static void usage(FILE *f)
{
	fprintf(f, usage_text, DEF_SG_BUDGET_MS, DEF_ITERATIONS, DEF_WARMUP,
		DEF_MIN_SAMPLES, DEF_BUDGET_MS, QUICK_ITERATIONS, QUICK_WARMUP,
		QUICK_BUDGET_MS);
}

__attribute__((noreturn, format(printf, 1, 2)))
static void bad_usage(const char *fmt, ...)
{
	va_list ap;

	fputs("cmheap-bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n(cmheap-bench --help lists the options)\n", stderr);
	exit(2);
}

/* ---- list parsers ---- */

struct name_list {
	const char *const *names;
	unsigned int count;
	unsigned int mask;
	const char *what;
};

static bool name_item(const char *item, void *ctx)
{
	struct name_list *l = ctx;
	unsigned int i;

	for (i = 0; i < l->count; i++) {
		if (!strcmp(item, l->names[i])) {
			l->mask |= 1U << i;
			return true;
		}
	}
	if (!strcmp(item, "all")) {
		l->mask |= (1U << l->count) - 1;
		return true;
	}
	bad_usage("unknown %s '%s'", l->what, item);
}

/* by bit: off is 0, on is 1, as the parameter's value */
static const char *const pool_names[2] = { "off", "on" };

static unsigned int parse_names(const char *arg, const char *const *names,
				unsigned int count, const char *what)
{
	struct name_list l = { names, count, 0, what };
	char *copy = xstrdup(arg);

	for_each_item(copy, name_item, &l);
	free(copy);
	if (!l.mask)
		bad_usage("empty %s list", what);
	return l.mask;
}

static bool op_item(const char *item, void *ctx)
{
	unsigned int *mask = ctx;
	unsigned int i;

	if (!strcmp(item, "kernel")) {
		*mask |= OPS_KERNEL;
		return true;
	}
	if (!strcmp(item, "user")) {
		*mask |= OPS_USER;
		return true;
	}
	if (!strcmp(item, "all")) {
		*mask |= OPS_ALL;
		return true;
	}
	if (!strcmp(item, "range_sync")) {
		*mask |= OP_BIT(OP_RANGE_SYNC_64TH) | OP_BIT(OP_RANGE_SYNC_8TH) |
			 OP_BIT(OP_RANGE_SYNC_ALL);
		return true;
	}
	/* alloc_free: both of them */
	if (!strcmp(item, "alloc_free")) {
		*mask |= OP_BIT(OP_ALLOC_FREE_COLD) | OP_BIT(OP_ALLOC_FREE_WARM);
		return true;
	}
	for (i = 0; i < OP_COUNT; i++) {
		if (!strcmp(item, op_names[i])) {
			*mask |= OP_BIT(i);
			return true;
		}
	}
	bad_usage("unknown op '%s'", item);
}

static unsigned int parse_ops(const char *arg)
{
	unsigned int mask = 0;
	char *copy = xstrdup(arg);

	for_each_item(copy, op_item, &mask);
	free(copy);
	if (!mask)
		bad_usage("empty op list");
	return mask;
}

struct size_list {
	uint64_t **v;
	size_t *n;
};

static bool size_item(const char *item, void *ctx)
{
	struct size_list *l = ctx;
	uint64_t v;

	if (!parse_size(item, &v) || !v)
		bad_usage("bad size '%s'", item);
	if (v > MAX_SIZE)
		bad_usage("size '%s' is over the largest, 1G", item);
	*l->v = xrealloc(*l->v, (*l->n + 1) * sizeof(**l->v));
	(*l->v)[(*l->n)++] = v;
	return true;
}

static void parse_sizes(const char *arg, uint64_t **v, size_t *n)
{
	struct size_list l = { v, n };
	char *copy = xstrdup(arg);

	free(*v);
	*v = NULL;
	*n = 0;
	for_each_item(copy, size_item, &l);
	free(copy);
	if (!*n)
		bad_usage("empty size list");
}

static bool order_item(const char *item, void *ctx)
{
	unsigned long v;

	(void)ctx;
	if (!parse_uint(item, MAX_ORDER_LIMIT, &v))
		bad_usage("bad max order '%s' (0..%d)", item, MAX_ORDER_LIMIT);
	opt.max_orders = xrealloc(opt.max_orders,
				  (opt.n_max_orders + 1) * sizeof(int));
	opt.max_orders[opt.n_max_orders++] = (int)v;
	return true;
}

/* each item of a comma-separated list to @fn; "none": the empty list */
static void parse_items(const char *arg, bool (*fn)(const char *item, void *ctx))
{
	char *copy;

	if (!strcmp(arg, "none"))
		return;
	copy = xstrdup(arg);
	for_each_item(copy, fn, NULL);
	free(copy);
}

static void parse_orders(const char *arg)
{
	free(opt.max_orders);
	opt.max_orders = NULL;
	opt.n_max_orders = 0;
	parse_items(arg, order_item);
}

static bool entries_item(const char *item, void *ctx)
{
	unsigned long v;

	(void)ctx;
	if (!parse_uint(item, 1UL << 30, &v) || !v)
		bad_usage("bad sg entry count '%s'", item);
	opt.sg_entries = xrealloc(opt.sg_entries,
				  (opt.n_sg_entries + 1) * sizeof(*opt.sg_entries));
	opt.sg_entries[opt.n_sg_entries++] = v;
	return true;
}

static bool threads_item(const char *item, void *ctx)
{
	unsigned long v;
	long n;

	(void)ctx;
	if (!strcmp(item, "nproc")) {
		n = sysconf(_SC_NPROCESSORS_ONLN);
		v = n > 0 ? (unsigned long)n : 1;
	} else if (!parse_uint(item, MAX_THREADS, &v) || !v) {
		bad_usage("bad thread count '%s' (1..%d or nproc)", item, MAX_THREADS);
	}
	/* each count once: nproc may be one of the others */
	for (n = 0; n < (long)opt.n_threads; n++)
		if (opt.threads[n] == (int)v)
			return true;
	opt.threads = xrealloc(opt.threads, (opt.n_threads + 1) * sizeof(*opt.threads));
	opt.threads[opt.n_threads++] = (int)v;
	return true;
}

static void parse_threads(const char *arg)
{
	free(opt.threads);
	opt.threads = NULL;
	opt.n_threads = 0;
	parse_items(arg, threads_item);
}

static bool exporter_item(const char *item, void *ctx)
{
	(void)ctx;
	if (strchr(item, '/') || strlen(item) >= 64)
		bad_usage("bad exporter name '%s'", item);
	opt.exporters = xrealloc(opt.exporters,
				 (opt.n_exporters + 1) * sizeof(char *));
	opt.exporters[opt.n_exporters++] = xstrdup(item);
	return true;
}

static unsigned long num_arg(const char *name, const char *arg,
			     unsigned long max)
{
	unsigned long v;

	if (!parse_uint(arg, max, &v))
		bad_usage("bad value '%s' for --%s", arg, name);
	return v;
}

enum {
	O_EXPORTERS = 256, O_SIZES, O_OPS, O_DEVICES, O_DIRECTIONS, O_ATTRS,
	O_CACHE, O_PATHS, O_FULL, O_SG_SIZE, O_MAX_ORDERS, O_SG_ENTRIES,
	O_SG_OPS, O_SG_BUDGET, O_ITERATIONS, O_WARMUP, O_MIN_SAMPLES, O_BUDGET, O_QUICK,
	O_CPU, O_PERF, O_OUT, O_RAW, O_DRY, O_PROGRESS, O_ACCEL, O_QEMU,
	O_GIT, O_LABEL, O_POOLS, O_VERSION, O_DATE, O_THREADS, O_THREADS_SIZE,
};

static const struct option long_opts[] = {
	{ "exporters", required_argument, NULL, O_EXPORTERS },
	{ "sizes", required_argument, NULL, O_SIZES },
	{ "ops", required_argument, NULL, O_OPS },
	{ "devices", required_argument, NULL, O_DEVICES },
	{ "directions", required_argument, NULL, O_DIRECTIONS },
	{ "attrs", required_argument, NULL, O_ATTRS },
	{ "cache-states", required_argument, NULL, O_CACHE },
	{ "paths", required_argument, NULL, O_PATHS },
	{ "pools", required_argument, NULL, O_POOLS },
	{ "full", no_argument, NULL, O_FULL },
	{ "sg-size", required_argument, NULL, O_SG_SIZE },
	{ "max-orders", required_argument, NULL, O_MAX_ORDERS },
	{ "sg-entries", required_argument, NULL, O_SG_ENTRIES },
	{ "sg-ops", required_argument, NULL, O_SG_OPS },
	{ "sg-time-budget-ms", required_argument, NULL, O_SG_BUDGET },
	{ "iterations", required_argument, NULL, O_ITERATIONS },
	{ "warmup", required_argument, NULL, O_WARMUP },
	{ "min-samples", required_argument, NULL, O_MIN_SAMPLES },
	{ "time-budget-ms", required_argument, NULL, O_BUDGET },
	{ "quick", no_argument, NULL, O_QUICK },
	{ "cpu", required_argument, NULL, O_CPU },
	{ "perf", no_argument, NULL, O_PERF },
	{ "out", required_argument, NULL, O_OUT },
	{ "raw-samples", required_argument, NULL, O_RAW },
	{ "dry-run", no_argument, NULL, O_DRY },
	{ "progress-every", required_argument, NULL, O_PROGRESS },
	{ "accelerator", required_argument, NULL, O_ACCEL },
	{ "qemu-version", required_argument, NULL, O_QEMU },
	{ "git-rev", required_argument, NULL, O_GIT },
	{ "label", required_argument, NULL, O_LABEL },
	{ "date", required_argument, NULL, O_DATE },
	{ "threads", required_argument, NULL, O_THREADS },
	{ "threads-size", required_argument, NULL, O_THREADS_SIZE },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, O_VERSION },
	{ NULL, 0, NULL, 0 },
};

static void set_defaults(bool quick)
{
	parse_sizes(quick ? QUICK_SIZES : DEF_SIZES, &opt.sizes, &opt.n_sizes);
	opt.ops = OPS_ALL;
	opt.device_list = NULL;
	opt.dirs = quick ? 1U << DIR_BIDIRECTIONAL : (1U << DIR_COUNT) - 1;
	opt.attrs = (1U << ATTRS_COUNT) - 1;
	opt.caches = (1U << CS_COUNT) - 1;
	opt.paths = (1U << PATH_EXPORTER) | (1U << PATH_RAW);
	opt.pools = 3;
	opt.sg_size = quick ? QUICK_SG_SIZE : DEF_SG_SIZE;
	parse_orders(quick ? QUICK_MAX_ORDERS : DEF_MAX_ORDERS);
	opt.sg_ops = parse_ops(DEF_SG_OPS);
	opt.iterations = quick ? QUICK_ITERATIONS : DEF_ITERATIONS;
	opt.warmup = quick ? QUICK_WARMUP : DEF_WARMUP;
	opt.min_samples = quick ? QUICK_MIN_SAMPLES : DEF_MIN_SAMPLES;
	opt.time_budget_ms = quick ? QUICK_BUDGET_MS : DEF_BUDGET_MS;
	opt.sg_time_budget_ms = quick ? QUICK_BUDGET_MS : DEF_SG_BUDGET_MS;
	opt.cpu = 0;
	parse_threads(quick ? "none" : DEF_THREADS);
	opt.threads_size = 1ULL << 20;
	opt.progress_every = 1;
	opt.qemu_version = opt.git_rev = opt.label = "unknown";
	opt.accelerator = "auto";
	opt.quick = quick;
}

void options_parse(int argc, char **argv)
{
	static const char *const path_opts[] = { "exporter", "raw" };
	bool quick = false;
	char *copy;
	int i, c;

	opt.argc = argc;
	opt.argv = argv;
	/* --quick sets defaults that explicit options then override */
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "--quick"))
			quick = true;
	}
	set_defaults(quick);

	/* one message, under one name, for a bad option: ours (below) */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":h", long_opts, NULL)) != -1) {
		switch (c) {
		case O_EXPORTERS:
			opt.n_exporters = 0;
			copy = xstrdup(optarg);
			if (strcmp(copy, "all"))
				for_each_item(copy, exporter_item, NULL);
			free(copy);
			if (!opt.n_exporters) {
				free(opt.exporters);
				opt.exporters = NULL;
			}
			break;
		case O_SIZES:
			parse_sizes(optarg, &opt.sizes, &opt.n_sizes);
			break;
		case O_OPS:
			opt.ops = parse_ops(optarg);
			break;
		case O_DEVICES:
			opt.device_list = optarg;
			break;
		case O_DIRECTIONS:
			opt.dirs = parse_names(optarg, dir_names, DIR_COUNT,
					       "direction");
			break;
		case O_ATTRS:
			opt.attrs = parse_names(optarg, attrs_names,
						ATTRS_COUNT, "attrs value");
			break;
		case O_CACHE:
			opt.caches = parse_names(optarg, cache_names, CS_COUNT,
						 "cache state");
			break;
		case O_PATHS:
			opt.paths = parse_names(optarg, path_opts, 2, "path");
			break;
		case O_POOLS:
			opt.pools = parse_names(optarg, pool_names, 2, "pools");
			break;
		case O_FULL:
			opt.full = true;
			break;
		case O_SG_SIZE:
			if (!parse_size(optarg, &opt.sg_size) || !opt.sg_size)
				bad_usage("bad --sg-size '%s'", optarg);
			break;
		case O_MAX_ORDERS:
			parse_orders(optarg);
			break;
		case O_SG_ENTRIES:
			opt.n_sg_entries = 0;
			copy = xstrdup(optarg);
			for_each_item(copy, entries_item, NULL);
			free(copy);
			break;
		case O_SG_OPS:
			opt.sg_ops = parse_ops(optarg);
			if (opt.sg_ops & ~OPS_KERNEL)
				bad_usage("--sg-ops takes kernel ops only");
			break;
		case O_SG_BUDGET:
			opt.sg_time_budget_ms = num_arg("sg-time-budget-ms",
							optarg, 86400000UL);
			break;
		case O_ITERATIONS:
			opt.iterations = num_arg("iterations", optarg,
						 CMHEAP_BENCH_MAX_ITERATIONS);
			if (!opt.iterations)
				bad_usage("--iterations must be at least 1");
			break;
		case O_WARMUP:
			opt.warmup = num_arg("warmup", optarg,
					     CMHEAP_BENCH_MAX_ITERATIONS);
			break;
		case O_MIN_SAMPLES:
			opt.min_samples = num_arg("min-samples", optarg,
						  CMHEAP_BENCH_MAX_ITERATIONS);
			if (!opt.min_samples)
				bad_usage("--min-samples must be at least 1");
			break;
		case O_BUDGET:
			opt.time_budget_ms = num_arg("time-budget-ms", optarg,
						     86400000UL);
			break;
		case O_QUICK:
			break;	/* handled above */
		case O_CPU:
			if (!strcmp(optarg, "-1"))
				opt.cpu = -1;
			else
				opt.cpu = (long)num_arg("cpu", optarg, 65535);
			break;
		case O_PERF:
			opt.perf = true;
			break;
		case O_OUT:
			opt.out = optarg;
			break;
		case O_RAW:
			opt.raw_samples = optarg;
			break;
		case O_DRY:
			opt.dry_run = true;
			break;
		case O_PROGRESS:
			opt.progress_every = num_arg("progress-every", optarg,
						     1000000);
			break;
		case O_ACCEL:
			if (strcmp(optarg, "tcg") && strcmp(optarg, "tcg-icount") &&
			    strcmp(optarg, "kvm") && strcmp(optarg, "hardware") &&
			    strcmp(optarg, "unknown") && strcmp(optarg, "auto"))
				bad_usage("--accelerator: auto, tcg, tcg-icount, kvm or hardware");
			opt.accelerator = optarg;
			break;
		case O_QEMU:
			opt.qemu_version = optarg;
			break;
		case O_GIT:
			opt.git_rev = optarg;
			break;
		case O_LABEL:
			opt.label = optarg;
			break;
		case O_THREADS:
			parse_threads(optarg);
			break;
		case O_THREADS_SIZE:
			if (!parse_size(optarg, &opt.threads_size) || !opt.threads_size)
				bad_usage("bad --threads-size '%s'", optarg);
			break;
		case O_DATE: {
			struct tm tm;
			const char *end;

			memset(&tm, 0, sizeof(tm));
			end = strptime(optarg, "%Y-%m-%dT%H:%M:%SZ", &tm);
			if (!end || *end || strlen(optarg) != 20)
				bad_usage("--date: YYYY-MM-DDTHH:MM:SSZ (UTC), not '%s'", optarg);
			opt.date_utc = optarg;
			break;
		}
		case 'h':
			usage(stdout);
			exit(0);
		case O_VERSION:
			printf("cmheap-bench %s\n", CMHEAP_VERSION);
			exit(0);
		case ':':
			bad_usage("option '%s' needs a value", argv[optind - 1]);
		default:
			bad_usage("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		bad_usage("unexpected argument '%s'", argv[optind]);
	if (opt.min_samples > opt.iterations)
		opt.min_samples = opt.iterations;
	if (!strcmp(opt.accelerator, "auto"))
		opt.accelerator = sysinfo_accelerator();
}
