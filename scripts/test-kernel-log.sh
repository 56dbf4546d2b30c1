#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# test-kernel-log.sh: selftests/kernel_log.sh, the judge of the kernel's
# log that run.sh runs after the tests, finds what it is for and excuses
# only what it must.  Hand-made logs, with reports copied from real runs:
# a clean log; a WARNING after the start mark and one before it; a log that
# lost the mark (a wrapped ring buffer); the stack dump of the kernel's
# report of an allocation failure (arm64's "vmalloc error", x86's "page
# allocation failure") inside the fault-injection marks, outside them and
# after them; the WARNING of freeing an interrupt whose /proc/irq files an
# injected failure spared, inside the marks, outside them, from another
# caller and with another report in its midst; a WARNING and a bare stack
# dump inside them; a dump too far from the report to be its own; an RCU
# stall, printed with where the CPU was (task, program counter, frames),
# up to 40 lines of them after its last reported line.
#
#   scripts/test-kernel-log.sh [-h|--help]
#
# TAP on stdout; exit status 1 if any check failed, 2 bad usage.
set -euo pipefail
# shellcheck source=scripts/tap-lib.sh
. "$(dirname "$0")/tap-lib.sh"
tap_setup "$@"

judge=$(cd "$(dirname "$0")/.." && pwd)/selftests/kernel_log.sh
start="cmheap run.sh: tests begin (123 1764860000)"
# the marks cmheap_util.h defines (FAIL_NTH_LOG_BEGIN, _END)
begin="cmheap-selftest: allocation failures injected from here"
end="cmheap-selftest: allocation failures injected up to here"

# where the kernel was, which the judge prints after each report: a stack
# frame, the task, the program counter
whereabouts='^(\[ *[0-9.]+\])? +(\? )?[A-Za-z_][A-Za-z0-9_.]*\+0x[0-9a-f]+/0x[0-9a-f]+|^(\[ *[0-9.]+\] *)?(CPU: [0-9]+ .*PID: |(pc|lr|RIP) ?: )'
# expect DESCRIPTION STATUS PRINTED [WHERE]: the judge on stdin's log exits
# with STATUS and prints PRINTED reports (a line count) and WHERE lines of
# whereabouts (default: any)
expect() {
	local what=$1 want_rc=$2 want_lines=$3 want_where=${4:-} rc=0 out lines where
	out=$("$judge" "$start" - 2>&1 <"$tmp/log") || rc=$?
	lines=$(grep -vE "$whereabouts" <<<"$out" | grep -c . || true)
	where=$(grep -cE "$whereabouts" <<<"$out" || true)
	if [ -n "$want_where" ] && [ "$where" != "$want_where" ]; then
		nok "$what" "want $want_where line(s) of whereabouts, got $where: $out"
		return
	fi
	if [ "$rc" = "$want_rc" ] && [ "$lines" = "$want_lines" ]; then
		ok "$what"
	else
		nok "$what" "want exit $want_rc and $want_lines line(s), got exit $rc: $out"
	fi
}

# arm64 6.12's warn_alloc() report and the head of its dump, as logged
vmalloc_report() {
	cat <<'EOF'
rmmod_test: vmalloc error: size 1080, vm_struct allocation failed, mode:0xdc0(GFP_KERNEL|__GFP_ZERO), nodemask=(null)
CPU: 1 UID: 0 PID: 1663 Comm: rmmod_test Tainted: G           O       6.12.118 #2
Tainted: [O]=OOT_MODULE
Hardware name: linux,dummy-virt (DT)
Call trace:
 dump_backtrace+0xa4/0xe0
 warn_alloc+0x18c/0x2e8
 __vmalloc_node_range_noprof+0x8c4/0xddc
 gen_pool_add_owner+0x6c/0x258
 cmheap_carveout_init+0x6f8/0x1000 [cmheap]
Mem-Info:
active_anon:3208 inactive_anon:1212 isolated_anon:0
EOF
}
# x86_64's page allocator report
page_report() {
	cat <<'EOF'
fault_test: page allocation failure: order:0, mode:0xcc0(GFP_KERNEL), nodemask=(null),cpuset=/,mems_allowed=0
CPU: 0 UID: 0 PID: 880 Comm: fault_test Not tainted 6.12.118 #1
Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.2-debian-1.16.2-1 04/01/2014
Call Trace:
 <TASK>
 dump_stack_lvl+0x5d/0x80
 warn_alloc+0x164/0x190
 </TASK>
EOF
}
# the WARNING freeing an interrupt whose /proc/irq files were never made
irq_proc_warning() {
	cat <<'EOF'
------------[ cut here ]------------
name 'smp_affinity'
WARNING: CPU: 1 PID: 2135 at fs/proc/generic.c:733 remove_proc_entry+0x1bc/0x334
Modules linked in: cmheap(O-) [last unloaded: cmheap(O)]
pc : remove_proc_entry+0x1bc/0x334
Call trace:
 remove_proc_entry+0x1bc/0x334
 unregister_irq_proc+0xac/0x210
 free_desc+0x8c/0x134
 pci_free_irq_vectors+0x84/0xe0
 cmheap_edu_remove+0xa4/0x16c [cmheap]
---[ end trace 0000000000000000 ]---
EOF
}
# x86 6.12's WARNING when remap_pfn_range() fails part-way (as the debug
# kernel printed it under fault_test, shortened)
pat_warning() {
	cat <<'EOF'
------------[ cut here ]------------
WARNING: CPU: 1 PID: 2320 at arch/x86/mm/pat/memtype.c:983 get_pat_info+0x249/0x2d0
Modules linked in: cmheap_test(O) cmheap(O)
CPU: 1 UID: 0 PID: 2320 Comm: fault_test Tainted: G           O       6.12.118 #1
RIP: 0010:get_pat_info+0x249/0x2d0
Call Trace:
 <TASK>
 ? pgprot_writethrough+0xa0/0xa0
 untrack_pfn+0xa2/0x3d0
 zap_page_range_single+0x2ea/0x400
 ? track_pfn_remap+0x2e5/0x3b0
 remap_pfn_range+0xaf/0xf0
 cmheap_mmap+0x4f9/0xa80 [cmheap]
 dma_buf_mmap_internal+0x148/0x1f0
 </TASK>
---[ end trace 0000000000000000 ]---
EOF
}
warning() {
	cat <<'EOF'
------------[ cut here ]------------
WARNING: CPU: 1 PID: 1663 at kernel/dma/mapping.c:597 dma_free_attrs+0x90/0xa0
Call trace:
 dma_free_attrs+0x90/0xa0
---[ end trace 0000000000000000 ]---
EOF
}
# an RCU stall as arm64 6.12 reports it: the task, registers, the stack
rcu_stall() {
	cat <<'EOF'
rcu: INFO: rcu_sched self-detected stall on CPU
rcu: 	1-....: (5251 ticks this GP) idle=a4fc/1/0x4000000000000000 softirq=12841/12841 fqs=2519
rcu: 	(t=5252 jiffies g=22693 q=1240 ncpus=2)
CPU: 1 UID: 0 PID: 1523 Comm: stress_test Tainted: G           O       6.12.118+deb12-arm64 #1  Debian 6.12.118-1
Tainted: [O]=OOT_MODULE
Hardware name: QEMU QEMU Virtual Machine, BIOS 0.0.0 02/06/2015
pstate: 80000005 (Nzcv daif -PAN -UAO -TCO -DIT -SSBS BTYPE=--)
pc : dcache_clean_poc+0x20/0x38
lr : arch_sync_dma_for_device+0x2c/0x40
sp : ffff80008263bb20
x29: ffff80008263bb20 x28: ffff000004d8c000 x27: 0000000000000000
Call trace:
 dcache_clean_poc+0x20/0x38
 dma_direct_map_sg+0x1d8/0x2b0
 __dma_map_sg_attrs+0x4c/0xd8
EOF
}

{ echo "Booting Linux"; echo "$start"; echo "cmheap: loaded"; } >"$tmp/log"
expect "a clean log passes" 0 0

{ echo "$start"; warning; } >"$tmp/log"
expect "a WARNING after the start is reported with its trace" 1 2

{ warning; echo "$start"; echo "cmheap: loaded"; } >"$tmp/log"
expect "a WARNING before the start is not the tests'" 0 0

{ echo "cmheap: loaded"; warning; } >"$tmp/log"
expect "a log without the start mark (wrapped) fails as such, reporting nothing" 2 0

{ echo "$start"; echo "$begin"; vmalloc_report; echo "$end"; } >"$tmp/log"
expect "arm64's vmalloc error dump while failures are injected is excused" 0 0

{ echo "$start"; echo "$begin"; page_report; vmalloc_report; echo "$end"; } >"$tmp/log"
expect "x86's page allocation failure dumps, one after another, are excused" 0 0

{ echo "$start"; vmalloc_report; } >"$tmp/log"
expect "the same dump with no injection is reported" 1 1

{ echo "$start"; echo "$begin"; echo "$end"; vmalloc_report; } >"$tmp/log"
expect "the same dump after injection ended is reported" 1 1

{ echo "$start"; echo "$begin"; vmalloc_report; warning; echo "$end"; } >"$tmp/log"
expect "a WARNING while failures are injected is reported" 1 2

{ echo "$start"; echo "$begin"; irq_proc_warning; irq_proc_warning; echo "$end"; } >"$tmp/log"
expect "freeing an interrupt whose /proc/irq files an injected failure spared warns: excused" 0 0

{ echo "$start"; irq_proc_warning; } >"$tmp/log"
expect "the same WARNING with no injection is reported" 1 2

{ echo "$start"; echo "$begin"; pat_warning; echo "$end"; } >"$tmp/log"
expect "x86 6.12's get_pat_info WARNING of a remap_pfn_range an injected failure cut short: excused" 0 0

{ echo "$start"; pat_warning; } >"$tmp/log"
expect "the same get_pat_info WARNING with no injection is reported" 1 2

{ echo "$start"; echo "$begin"; pat_warning | grep -v " remap_pfn_range+"; echo "$end"; } >"$tmp/log"
expect "a get_pat_info WARNING from another untrack_pfn while failures are injected is reported" 1 2

{ echo "$start"; echo "$begin"; irq_proc_warning | grep -v unregister_irq_proc; echo "$end"; } >"$tmp/log"
expect "a remove_proc_entry WARNING from elsewhere while failures are injected is reported" 1 2

{
	echo "$start"; echo "$begin"
	irq_proc_warning | sed '/end trace/d'
	echo "BUG: KASAN: slab-use-after-free in cmheap_edu_remove+0x10/0x16c [cmheap]"
	echo "$end"
} >"$tmp/log"
expect "a KASAN report inside an unfinished WARNING of that kind is reported" 1 3

{
	echo "$start"; echo "$begin"
	echo "FAULT_INJECTION: forcing a failure."
	echo "Call trace:"
	echo "$end"
} >"$tmp/log"
expect "a stack dump with no allocation-failure report before it is reported" 1 1

{
	echo "$start"; echo "$begin"
	vmalloc_report | head -n 1
	printf 'line %s\n' 1 2 3 4 5
	echo "Call trace:"
	echo "$end"
} >"$tmp/log"
expect "a dump too far from the report to be its own is reported" 1 1

{ echo "$start"; rcu_stall; echo "cmheap: loaded"; } >"$tmp/log"
expect "an RCU stall is reported with where the CPU was: task, pc, lr, frames" 1 2 6

{ echo "$start"; rcu_stall; for i in $(seq 50); do echo " frame$i+0x10/0x20"; done; } >"$tmp/log"
expect "a stack dump is cut at 40 lines after its Call trace (3 before it)" 1 2 43

rc=0
"$judge" --help >"$tmp/out" 2>&1 || rc=$?
if [ "$rc" = 0 ] && grep -q "kernel_log.sh START" "$tmp/out"; then
	ok "--help: its usage, exit 0"
else
	nok "--help: its usage, exit 0" "exit $rc: $(cat "$tmp/out")"
fi
rc=0
"$judge" --no-such-option >"$tmp/out" 2>&1 || rc=$?
if [ "$rc" = 2 ] && grep -q "kernel_log.sh" "$tmp/out"; then
	ok "--no-such-option: refused, exit 2"
else
	nok "--no-such-option: refused, exit 2" "exit $rc: $(cat "$tmp/out")"
fi
tap_end "kernel-log"
