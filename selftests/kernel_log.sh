#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# kernel_log.sh START [FILE] - the reports in a kernel log (dmesg's text,
# FILE or stdin) after the line that holds START, the mark run.sh wrote to
# /dev/kmsg as the tests began: a WARNING, BUG, oops, a sanitizer's,
# lockdep's, DMA-API debugging's, kmemleak's or x86 PAT bookkeeping's
# ("freeing invalid memtype") report, a stack dump, a list or refcount
# corruption, a hung task, a lockup or an RCU stall.  Each offending line
# is printed, and with it where the kernel was: the lines of its report
# that name the task, the program counter and the stack frames (up to 40),
# so that a log of CI, which keeps only this, says where to look.
#
# Excused, and only between the marks fault injection leaves
# (selftests/cmheap_util.h, FAIL_NTH_LOG_BEGIN and _END), three consequences
# of the failures the tests forced, all the kernel's own:
# - the stack dump it prints with its report of an allocation failure
#   (warn_alloc(): "page allocation failure", "vmalloc error");
# - the WARNING of remove_proc_entry() called by unregister_irq_proc():
#   register_irq_proc() (kernel/irq/proc.c) ignores a failure to create
#   /proc/irq/N/ and its files, and freeing the interrupt later removes
#   them all, warning for each one that is not there.  A load that got
#   past such a failure (the edu driver's interrupt) warns on unload.
# - x86's WARNING of get_pat_info() called by untrack_pfn() from
#   zap_page_range_single() in remap_pfn_range(): before 6.16, a
#   remap_pfn_range() that fails part-way (a page table it could not
#   allocate) zaps what it mapped, and the zap's untrack_pfn() then looks
#   for the memory type through a first page that is no longer mapped;
#   remap_pfn_range() frees the reservation itself right after.  Linux
#   6.16 replaced this bookkeeping (commit f8e97613fed2, "mm: convert
#   VM_PFNMAP tracking to pfnmap_track() + pfnmap_untrack()").
# Any other WARNING or report there counts.
#
# POSIX sh and awk (busybox).  run.sh runs it; scripts/test-kernel-log.sh
# tests it on hand-made logs.
# Exit status: 0 nothing reported, 1 reports (printed), 2 the log does not
# hold START (its ring buffer wrapped: what came between is lost), or bad
# usage.

case ${1:-} in
-h|--help) sed -n '4,/^$/{s/^# \{0,1\}//p}' "$0"; exit 0 ;;
-*) echo "kernel_log.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
'') echo "kernel_log.sh: usage: kernel_log.sh START [FILE]" >&2; exit 2 ;;
esac
start=$1
log=${2:--}
[ "$log" = - ] || [ -r "$log" ] || { echo "kernel_log.sh: cannot read $log" >&2; exit 2; }

awk -v start="$start" '
function reported(line) {
	return line ~ /WARNING:|BUG:|Oops|Call [Tt]race|general protection|UBSAN|KASAN|kfence|DMA-API:|kmemleak:.*new suspected|possible (circular|recursive) locking|inconsistent lock state|list_(add|del) corruption|refcount_t:|hung_task|soft lockup|rcu.*stall|freeing invalid memtype/
}
# where the kernel was, in a report: a stack frame ("func+0x1c/0x40",
# maybe "? " before it), the task and the program counter
function whereabouts(line) {
	return line ~ /^(\[ *[0-9.]+\])? +(\? )?[A-Za-z_][A-Za-z0-9_.]*\+0x[0-9a-f]+\/0x[0-9a-f]+/ ||
	       line ~ /^(\[ *[0-9.]+\] *)?(CPU: [0-9]+ .*PID: |(pc|lr|RIP) ?: )/
}
function judge(line) {
	if (reported(line)) {
		print line
		bad = 1
		shown = 40
	} else if (shown > 0 && whereabouts(line)) {
		print line
		shown--
	}
}
# A report, held from "cut here" to "end trace": judged line by line,
# unless it is one excused WARNING and its stack dump, nothing more.
function report_end(excused, i) {
	excused = held_forced && held_others == 0 &&
		((held_warning == "proc" && held_irq) ||
		 (held_warning == "pat" && held_untrack && held_zap && held_remap))
	for (i = 1; i <= held && !excused; i++)
		judge(line_of[i])
	held = 0
}
!seen { seen = index($0, start) > 0; next }
index($0, "cmheap-selftest: allocation failures injected from here") { forced = 1; next }
index($0, "cmheap-selftest: allocation failures injected up to here") { forced = 0; report = 0; next }
/------------\[ cut here \]------------/ {
	if (held)
		report_end()
	held = 1; line_of[1] = $0; held_forced = forced; held_warning = ""
	held_irq = held_untrack = held_zap = held_remap = held_others = 0
	next
}
held {
	line_of[++held] = $0
	if (/WARNING:.* at fs\/proc\/generic\.c:[0-9]+ remove_proc_entry\+/ && held_warning == "")
		held_warning = "proc"
	else if (/WARNING:.* at arch\/x86\/mm\/pat\/memtype\.c:[0-9]+ get_pat_info\+/ && held_warning == "")
		held_warning = "pat"
	else if (reported($0) && !/^Call [Tt]race:/)
		held_others++
	if (/ unregister_irq_proc\+/)
		held_irq = 1
	if (/ untrack_pfn\+/)
		held_untrack = 1
	if (/ zap_page_range_single\+/)
		held_zap = 1
	if (/ remap_pfn_range\+/)
		held_remap = 1
	if (/---\[ end trace/)
		report_end()
	next
}
# warn_alloc(): its report, then dump_stack() a few lines on
forced && /(page allocation failure|vmalloc error|vmalloc size [0-9]+ allocation failure):/ { report = NR; next }
report && NR - report <= 5 && /Call [Tt]race/ { report = 0; next }
{ judge($0) }
END {
	if (held)
		report_end()
	exit !seen ? 2 : bad
}' "$log"
