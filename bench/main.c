// SPDX-License-Identifier: GPL-2.0
/*
 * cmheap-bench: the benchmark of the cmheap dma-buf heaps and their peers.
 * See README.md and --help.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "exporters.h"
#include "importer.h"
#include "measure.h"
#include "meta.h"
#include "options.h"
#include "output.h"
#include "perf.h"
#include "plan.h"
#include "run.h"
#include "sysinfo.h"
#include "threads.h"
#include "util.h"

/* the module parameter as found, put back at exit and on a second signal */
static int saved_order = -1;
static char saved_order_str[16];

static void restore_max_order(void)
{
	if (saved_order >= 0 && max_order_get() != saved_order &&
	    !max_order_set(saved_order))
		fprintf(stderr, "cmheap-bench: could not restore " MAX_ORDER_PARAM
			" to %d\n", saved_order);
}

static void on_signal(int sig)
{
	(void)sig;
	if (stop_requested) {
		/* second signal: restore the parameter and go at once */
		if (saved_order >= 0) {
			int fd = open(MAX_ORDER_PARAM, O_WRONLY);

			if (fd >= 0) {
				if (write(fd, saved_order_str,
					  strlen(saved_order_str)) < 0)
					_exit(130);
				close(fd);
			}
		}
		_exit(130);
	}
	stop_requested = 1;
}

static void setup_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static void pin_cpu(void)
{
	cpu_set_t set;

	if (opt.cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET((int)opt.cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("cannot pin to CPU %ld: %s (see --cpu)", opt.cpu,
		    strerror(errno));
}

static void check_sizes(long page)
{
	char buf[32];
	size_t i;

	for (i = 0; i < opt.n_sizes; i++) {
		if (opt.sizes[i] % (uint64_t)page) {
			format_size(opt.sizes[i], buf, sizeof(buf));
			fprintf(stderr, "cmheap-bench: size %s is not a multiple of the page size (%ld)\n",
				buf, page);
			exit(2);
		}
	}
	if (opt.sg_size % (uint64_t)page) {
		fprintf(stderr, "cmheap-bench: --sg-size is not a multiple of the page size (%ld)\n",
			page);
		exit(2);
	}
}

/* --sg-entries: the order that gives that many entries at --sg-size */
static void entries_to_orders(long page)
{
	uint64_t pages = opt.sg_size / (uint64_t)page;
	size_t i;
	int o;

	if (!opt.n_sg_entries)
		return;
	free(opt.max_orders);
	opt.max_orders = xcalloc(opt.n_sg_entries, sizeof(int));
	opt.n_max_orders = 0;
	for (i = 0; i < opt.n_sg_entries; i++) {
		for (o = 0; o <= MAX_ORDER_LIMIT; o++)
			if (pages == (uint64_t)opt.sg_entries[i] << o)
				break;
		if (o > MAX_ORDER_LIMIT) {
			fprintf(stderr, "cmheap-bench: %lu entries of a power-of-two number of pages (at most 2^%d) do not make --sg-size\n",
				opt.sg_entries[i], MAX_ORDER_LIMIT);
			exit(2);
		}
		opt.max_orders[opt.n_max_orders++] = o;
	}
}

static void print_plan(const struct plan *pl)
{
	char desc[160];
	size_t i;

	for (i = 0; i < pl->n; i++) {
		point_describe(&pl->pts[i], desc, sizeof(desc));
		printf("%zu %s\n", i + 1, desc);
	}
	printf("%zu points (%zu main, %zu scatterlist sweep, %zu concurrency sweep)\n",
	       pl->n, pl->n_main, pl->n_sg, pl->n_threads);
}

int main(int argc, char **argv)
{
	struct sysinfo_data si;
	struct exporter *exps;
	struct run_result rr;
	struct plan pl;
	struct clock_info clock;
	struct meta m;
	size_t n_exps, i, n_present = 0;
	uint64_t t0;
	time_t now;
	int ctl;

	options_parse(argc, argv);
	setup_signals();
	sysinfo_collect(&si);
	check_sizes(si.page_size);
	entries_to_orders(si.page_size);
	threads_init();
	pin_cpu();

	ctl = importer_open(opt.dry_run);
	if (ctl < 0) {
		/*
		 * A sweep previewed where cmheap_test.ko is not loaded (or not
		 * ours to open): planned for what it would find after a
		 * plain insmod on this architecture, and said so.
		 */
		note("no " CMHEAP_CTL_PATH " (%s): the plan for cmheap.ko and cmheap_test.ko as loaded without parameters on this architecture (%s, the upstream system heap and udmabuf, its test devices, max_order %d), none of it probed",
		     strerror(-ctl), opt.exporters ? "the exporters named" :
		     CMHEAP_HEAP_PREFIX "system and " CMHEAP_HEAP_PREFIX
		     "system-uncached", MAX_ORDER_LIMIT);
		importer_assume_devices();
		opt.devices = importer_select(opt.device_list);
		n_exps = exporters_assume(opt.exporters, opt.n_exporters, &exps);
		plan_build(&pl, exps, n_exps, MAX_ORDER_LIMIT, opt.max_orders,
			   opt.n_max_orders);
		print_plan(&pl);
		return 0;
	}
	importer_devices(ctl);
	opt.devices = importer_select(opt.device_list);

	saved_order = max_order_get();
	snprintf(saved_order_str, sizeof(saved_order_str), "%d", saved_order);
	atexit(restore_max_order);
	if (saved_order < 0 && opt.n_max_orders)
		note("no " MAX_ORDER_PARAM ": no scatterlist sweep");

	n_exps = exporters_discover(ctl, opt.exporters, opt.n_exporters, &exps);
	for (i = 0; i < n_exps; i++)
		n_present += exps[i].present;
	if (!n_present)
		die("no exporter to measure");

	plan_build(&pl, exps, n_exps, saved_order, opt.max_orders,
		   opt.n_max_orders);
	if (opt.dry_run) {
		print_plan(&pl);
		return 0;
	}
	if (!pl.n)
		die("nothing to measure: the options select no point");

	perf_init(opt.perf);
	csv_open(opt.out);
	if (opt.raw_samples)
		raw_open(opt.raw_samples);

	clock_probe(ctl, exps, n_exps, &clock);
	memset(&m, 0, sizeof(m));
	m.clock = &clock;
	m.si = &si;
	m.exps = exps;
	m.n_exps = n_exps;
	m.plan = &pl;
	m.sg_orders = opt.max_orders;
	m.n_sg_orders = opt.n_max_orders;
	m.max_order_at_start = saved_order;
	now = time(NULL);
	if (opt.date_utc)
		snprintf(m.date_utc, sizeof(m.date_utc), "%s", opt.date_utc);
	else
		strftime(m.date_utc, sizeof(m.date_utc), "%Y-%m-%dT%H:%M:%SZ",
			 gmtime(&now));
	if (opt.out)
		meta_write(opt.out, &m);	/* complete: false until the end */

	t0 = now_ns();
	run_plan(ctl, &pl, &rr);
	restore_max_order();
	m.rr = &rr;
	m.elapsed_s = (double)(now_ns() - t0) / 1e9;
	m.complete = !rr.interrupted;
	outputs_close();
	if (opt.out)
		meta_write(opt.out, &m);

	fprintf(stderr, "cmheap-bench: %zu points measured, %zu skipped, in %.1f s%s%s\n",
		rr.measured, rr.skipped, m.elapsed_s,
		opt.out ? "; results in " : "", opt.out ? opt.out : "");
	if (rr.interrupted) {
		fprintf(stderr, "cmheap-bench: interrupted; the results are partial\n");
		return 130;
	}
	if (!rr.measured)
		die("no point could be measured");
	return 0;
}
