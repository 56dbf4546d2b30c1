#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# run.sh [TEST...] - run the cmheap selftests found beside this script and
# print KTAP on stdout: one top-level result per test binary, with the
# binary's own results nested (indented two spaces) above it.
#
# TEST is a binary (pool_test), or BINARY:NAME for one test of a
# kselftest-harness binary (pool_test:pressure_takes_pool_back, passed to
# it as -t NAME; several for one binary add up), or kernel_log / kmemleak;
# without any, all of them.  (make test TESTS="..." passes them here.)
#
# POSIX sh (busybox ash).  rmmod_test unloads (and, with CMHEAP_KO set to
# the module's path, reloads) the module, so it runs last of the binaries;
# after it, when dmesg is readable, "kernel_log" fails if the kernel logged
# a warning, BUG, oops, sanitizer, lockdep, DMA-API debugging or x86 PAT
# bookkeeping ("freeing invalid memtype") report while
# the tests ran, and on a kernel with kmemleak, "kmemleak" fails on any leak
# it finds in a forced scan after the tests.  "dmabuf-heap" is upstream's
# own test of the dma-heap uAPI (tools/testing/selftests/dmabuf-heaps),
# run against every cmheap heap (needs unshare(1); without it, against
# every heap in /dev/dma_heap).
# Environment: CMHEAP_STRESS_THREADS, CMHEAP_STRESS_SECONDS (stress_test,
# default 2 threads for 20 s), CMHEAP_KO, CMHEAP_TEST_KO and CMHEAP_PARAMS,
# CMHEAP_TEST_PARAMS (passed to rmmod_test: the module files to reload and
# their parameters; unset, the installed modules as modprobe(8) would load
# them, options from /etc/modprobe.d/ included, as cmheap-dkms installs
# them), CMHEAP_TIMEOUT (seconds per binary, default 900, needs a timeout
# command).
# Exit status: 0 when no test failed, 1 otherwise.

dir=$(cd "$(dirname "$0")" && pwd)
order="heap_alloc_test heap_mmap_test dmabuf-heap caching_test importer_test peers_test lifetime_test trust_test badinput_test memory_test carveout_test datapath_test bind_test pool_test sync_range_test stress_test fault_test"

if [ $# -gt 0 ]; then
	# each binary once, in the order first named; its -t filters apart
	tests=""
	for a in "$@"; do
		case $a in
		-h|--help) sed -n '4,/^# Exit status/{s/^# \{0,1\}//p}' "$0"; exit 0 ;;
		*[!a-z0-9_:-]*|:*|*:|*:*:*) echo "run.sh: bad test '$a': BINARY or BINARY:NAME" >&2; exit 2 ;;
		stress_test:*|dmabuf-heap:*|kernel_log:*|kmemleak:*)
			echo "run.sh: ${a%%:*} has no tests to pick from" >&2; exit 2 ;;
		esac
		t=${a%%:*}
		case " $tests " in *" $t "*) ;; *) tests="$tests $t" ;; esac
		[ "$t" = "$a" ] || eval "filter_$t=\"\${filter_$t:-} -t ${a#*:}\""
	done
else
	tests=""
	for t in $order; do
		# upstream's test is not built without <drm/drm.h>: a SKIP below
		[ -x "$dir/$t" ] || [ "$t" = dmabuf-heap ] && tests="$tests $t"
	done
	# any other test binary, before rmmod_test
	for f in "$dir"/*_test; do
		t=${f##*/}
		[ -x "$f" ] || continue
		case " $order rmmod_test " in
		*" $t "*) ;;
		*) tests="$tests $t" ;;
		esac
	done
	[ -x "$dir/rmmod_test" ] && tests="$tests rmmod_test"
	[ -w /sys/kernel/debug/kmemleak ] && tests="$tests kmemleak"
	dmesg >/dev/null 2>&1 && tests="$tests kernel_log"
fi

tmp=$(mktemp -d 2>/dev/null || mktemp -d -p "$dir" 2>/dev/null)
if [ -z "$tmp" ]; then
	tmp="$dir/.run.$$"
	mkdir -p "$tmp" || exit 1
fi
trap 'rm -rf "$tmp"' EXIT

# The installed modules (cmheap-dkms), when none were named: the files and
# options modprobe would load, so that rmmod_test brings them back as the
# system loads them.  ("insmod FILE OPTIONS..." is modprobe's answer, the
# last line the module asked for, after what it depends on.)
modprobe_line() {
	modprobe --show-depends "$1" 2>/dev/null | awk '$1 == "insmod" { l = $0 } END { print l }'
}
if [ -z "${CMHEAP_KO:-}" ]; then
	line=$(modprobe_line cmheap)
	case $line in
	"insmod /"*)
		# shellcheck disable=SC2086 # the line splits into its words
		set -- $line
		CMHEAP_KO=$2
		shift 2
		CMHEAP_PARAMS=${CMHEAP_PARAMS:-$*}
		export CMHEAP_KO CMHEAP_PARAMS
		line=$(modprobe_line cmheap_test)
		case $line in
		"insmod /"*)
			# shellcheck disable=SC2086
			set -- $line
			CMHEAP_TEST_KO=${CMHEAP_TEST_KO:-$2}
			shift 2
			CMHEAP_TEST_PARAMS=${CMHEAP_TEST_PARAMS:-$*}
			export CMHEAP_TEST_KO CMHEAP_TEST_PARAMS
			;;
		esac
		;;
	esac
fi

tmo=""
if [ "${CMHEAP_TIMEOUT:-900}" != 0 ] && command -v timeout >/dev/null 2>&1; then
	tmo="timeout ${CMHEAP_TIMEOUT:-900}"
fi

n=0
for t in $tests; do n=$((n + 1)); done

# The runner out of the OOM killer's reach: the memory tests take the
# machine to its limits, and a kill of run.sh would lose every later
# result; each test goes back within it (run_one).
echo -1000 2>/dev/null >/proc/self/oom_score_adj

# What kernel_log judges starts at a mark of ours in the kernel's log, not
# at a line count: once the ring buffer wraps, a count points past lines it
# never saw, while a mark that is gone says the log lost some.
start_mark="cmheap run.sh: tests begin ($$ $(date +%s))"
echo "$start_mark" 2>/dev/null >/dev/kmsg || start_mark=""
dma_errors0=$(cat /sys/kernel/debug/dma-api/error_count 2>/dev/null || echo 0)
# and print every DMA-API error, not only the first, so each can be traced
[ -w /sys/kernel/debug/dma-api/all_errors ] && echo 1 >/sys/kernel/debug/dma-api/all_errors
# What the kernel logged since the start, as a KTAP test of its own
# (kernel_log.sh says what counts).
kernel_log() {
	echo "TAP version 13"
	echo "1..1"
	# DMA-API debugging prints only its first error; it counts them all.
	dma_errors=$(cat /sys/kernel/debug/dma-api/error_count 2>/dev/null || echo 0)
	if [ "$dma_errors" -gt "$dma_errors0" ]; then
		echo "# DMA-API debugging counted $((dma_errors - dma_errors0)) error(s)"
		echo "not ok 1 no_kernel_warnings"
		return 1
	fi
	if [ -z "$start_mark" ]; then
		echo "ok 1 no_kernel_warnings # SKIP /dev/kmsg is not writable: the log's start cannot be marked"
		return 0
	fi
	dmesg >"$tmp/kernel.log"
	bad=$("$dir/kernel_log.sh" "$start_mark" "$tmp/kernel.log")
	case $? in
	0 | 1) ;;
	*)
		echo "# the kernel's log no longer holds the start of the tests (\"$start_mark\"):"
		echo "# its ring buffer wrapped and lost what came between; boot with a larger log_buf_len="
		echo "not ok 1 no_kernel_warnings"
		return 1
		;;
	esac
	if [ -n "$bad" ]; then
		printf '%s\n' "$bad" | sed 's/^/# /'
		echo "not ok 1 no_kernel_warnings"
		return 1
	fi
	echo "ok 1 no_kernel_warnings"
}

# kmemleak reports an object only once it has looked unreferenced for a
# while (5 s) and in two scans; clear what boot left first, so only leaks
# of the tests' time are counted.
kmemleak_clear() {
	[ -w /sys/kernel/debug/kmemleak ] || return 0
	echo scan >/sys/kernel/debug/kmemleak 2>/dev/null
	echo clear >/sys/kernel/debug/kmemleak 2>/dev/null
}
# (defined before this call: sh knows a function only once it has read it)
case " $tests " in *" kmemleak "*) kmemleak_clear ;; esac

kmemleak() {
	echo "TAP version 13"
	echo "1..1"
	sleep 6
	echo scan >/sys/kernel/debug/kmemleak
	sleep 6
	echo scan >/sys/kernel/debug/kmemleak
	leaks=$(cat /sys/kernel/debug/kmemleak)
	if [ -n "$leaks" ]; then
		printf '%s\n' "$leaks" | head -n 60 | sed 's/^/# /'
		echo "not ok 1 no_kmemleak_findings"
		return 1
	fi
	echo "ok 1 no_kmemleak_findings"
}

run_one() {
	# back within the OOM killer's reach, for the binary it starts
	echo 0 2>/dev/null >/proc/self/oom_score_adj
	if [ "$1" = kmemleak ]; then
		kmemleak
	elif [ "$1" = kernel_log ]; then
		kernel_log
	elif [ "$1" = dmabuf-heap ]; then
		# it imports into vgem when a card is there (its config fragment
		# builds vgem in); load the module, as peers_test does
		modprobe vgem >/dev/null 2>&1
		if ! ls /dev/dma_heap/cmheap-* >/dev/null 2>&1; then
			echo "# no cmheap heap in /dev/dma_heap"
			return 4
		fi
		# Against cmheap's heaps: in a mount namespace of its own, where
		# /dev/dma_heap holds only theirs.  Upstream's system heap maps
		# vgem's import in segments longer than vgem's 64 KiB maximum,
		# which DMA-API debugging reports (the debug kernel): its defect,
		# not ours to judge.
		if unshare -m true 2>/dev/null; then
			# $heaps is expanded by the inner shell; $tmo splits into
			# the timeout command and its limit, or is nothing
			# shellcheck disable=SC2016,SC2086
			(cd "$dir" && unshare -m sh -c 'mount --make-rprivate / &&
				heaps=$(mktemp -d) && cp -a /dev/dma_heap/cmheap-* "$heaps"/ &&
				mount --bind "$heaps" /dev/dma_heap && exec "$@"' - $tmo ./dmabuf-heap)
		else
			echo "# no unshare(1): against every heap in /dev/dma_heap"
			(cd "$dir" && $tmo ./dmabuf-heap)
		fi
	elif [ "$1" = stress_test ]; then
		(cd "$dir" && $tmo ./stress_test -t "${CMHEAP_STRESS_THREADS:-2}" \
			-s "${CMHEAP_STRESS_SECONDS:-20}")
	else
		# shellcheck disable=SC2046 # the -t filters split into words
		(cd "$dir" && $tmo "./$1" $(eval "echo \${filter_$1:-}"))
	fi
}

echo "KTAP version 1"
echo "1..$n"

i=0
failed=0
tpass=0
tfail=0
tskip=0
times=""
for t in $tests; do
	i=$((i + 1))
	log="$tmp/$t.log"
	echo "# selftests: cmheap: $t"
	t0=$(date +%s)
	if [ "$t" = dmabuf-heap ] && [ ! -x "$dir/$t" ]; then
		echo "  # not built: the toolchain has no <drm/drm.h> (selftests/Makefile)" | tee "$log"
		rc=4
	elif [ "$t" = kernel_log ] || [ "$t" = kmemleak ] || [ -x "$dir/$t" ]; then
		{ run_one "$t" 2>&1; echo $? >"$tmp/rc"; } |
			tee "$log" | sed 's/^/  /'
		rc=$(cat "$tmp/rc")
	else
		echo "  # $dir/$t: not found" | tee "$log"
		rc=1
	fi

	# where the time goes (the guest's clock: under -icount, not the host's)
	echo "# $t: $(($(date +%s) - t0)) s"
	times="$times $t:$(($(date +%s) - t0))"

	# counts of the binary's own (top level) results
	p=$(grep -c '^ok ' "$log")
	s=$(grep -c '^ok .*# SKIP' "$log")
	f=$(grep -c '^not ok ' "$log")
	tpass=$((tpass + p - s))
	tskip=$((tskip + s))
	tfail=$((tfail + f))

	case $rc in
	0)	echo "ok $i $t" ;;
	4)	echo "ok $i $t # SKIP" ;;
	124|143)	# timeout(1): coreutils says 124, busybox 143 (SIGTERM)
		if [ -n "$tmo" ]; then
			echo "not ok $i $t # TIMEOUT ${CMHEAP_TIMEOUT:-900} seconds"
		else
			echo "not ok $i $t # exit=$rc"
		fi
		failed=1 ;;
	*)	echo "not ok $i $t # exit=$rc"
		failed=1 ;;
	esac
	# a binary that failed without a failing test (crash, timeout) counts
	case $rc in
	0|4) ;;
	*) [ "$f" -eq 0 ] && tfail=$((tfail + 1)) ;;
	esac
done

echo "# Times (s):$times"
echo "# Totals: pass:$tpass fail:$tfail xfail:0 xpass:0 skip:$tskip error:0"
echo "cmheap: $tpass passed, $tfail failed, $tskip skipped"
exit $failed
