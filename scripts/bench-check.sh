#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# bench-check.sh: the benchmark regression gate (what `make bench-check` runs).
#
# An A/B comparison in one boot, immune to the kernel Debian serves: the
# accepted revision (A, the commit in bench/baseline/ACCEPTED) and the work
# tree (B, HEAD with any uncommitted changes) are each built into a
# cmheap.ko and a cmheap-bench of their own, and one deterministic guest
# (QEMU TCG -icount: guest time counts instructions) of today's kernel
# measures A, then B, then A again, each side driving its own module with
# its own program (rmmod and insmod between).  The DMA routes direct and
# bounced each get such a boot; the IOMMU route gets a boot per side (A,
# B, A again: see side_boots below), its rows joined to the first's.  scripts/cmbench/gate.py judges:
# a point regresses when B - mean(A1, A2) (beyond its raw twin's move, when
# that moved too) exceeds max(2%, 3 x |A2 - A1|,
# 2 ticks); maintenance or zeroing lost fails like a regression; three
# controls (points that run no cmheap code) that moved void the boot.
# A failing boot is confirmed by a second that runs B, A, B: only the
# points that fail in both fail the gate.  A void boot is run again once, then fails as noisy.
#
# The absolute numbers are a trend, not a gate: bench/baseline/<arch>-
# <release>/ keeps the last recorded run of the accepted revision; when the
# kernel release differs, the check prints what the kernel alone changed
# (the accepted revision on both kernels) and keeps today's run in build/.
#
#   bench-check.sh      (settings from the environment, as make passes them)
#
# Environment:
#   ARCH=x86_64|arm64 (default: the host's)  KVER=6.1|6.12 (default 6.12)
#   UPDATE=1         on a tree without uncommitted changes: run A/B for both
#                    architectures, show what changed, then accept HEAD
#                    (bench/baseline/ACCEPTED) and record its absolute runs
#                    (bench/baseline/<arch>-<release>/); commit the result
#   THRESHOLD=2 NOISE=3 TICKS=2 LOST=25 VOID_CONTROLS=3
#                    the verdict's knobs (python3 -m cmbench gate --help)
#   CHECK_ARGS="..." the sweep (default below)   DMA_CONFIGS="direct bounce":
#                    routes measured A, B, A in one boot; SIDE_BOOTS="iommu":
#                    routes measured A, B, A in a boot each (their kernel ops
#                    on edu), rows joined to the boot's ("" for none)
#   ACCEPTED=REV     judge against another revision than the recorded one
#   A_TREE=dir B_TREE=dir   source trees to compare instead of the accepted
#                    revision and the work tree (how the gate is tested)
#   BOOTS="DIR [DIR2 ...]"  judge boot folders made already (each with a1/,
#                    b/, a2/), in order, as if they were the boots: no guest
#   CHECK_DIR=dir    where the boots go (default build/bench-check)
#   NO_DEPS=1        as for bench.sh
# Exit status: 0 pass; 1 regression or lost work confirmed, noisy, or a
# failure; 2 bad usage.
set -euo pipefail
# shellcheck source=scripts/cli-lib.sh
. "$(dirname "$0")/cli-lib.sh"
cli_args 0 "$@"
cli_picks
export PATH=$PATH:/usr/sbin:/sbin

root=$(cd "$(dirname "$0")/.." && pwd)
scripts=$root/scripts
# shellcheck source=scripts/build-lib.sh
. "$root/scripts/build-lib.sh"
host_arch=$(uname -m)
case $host_arch in aarch64) host_arch=arm64 ;; esac
kver=${KVER:-6.12}
update=${UPDATE:-0}
# The IOMMU route is measured a boot per side instead (SIDE_BOOTS): its
# points depend on the IOVA allocator's and the IOMMU page tables' state,
# which differs between the runs of one boot (measured: a raw 4 MiB map
# through arm64's SMMUv3 took 2192 instructions in A1 and A2 and 29920 in
# B, sources identical), and which only a boot resets.  Boots of one build
# repeat most points to a fraction of a percent, not all of these: udmabuf's
# raw 1 MiB map through the SMMUv3 took 44464 and 68112 instructions in two
# boots of A; so their controls void nothing (gate.py --side-routes).
dma_configs=${DMA_CONFIGS:-direct bounce}
side_boots=${SIDE_BOOTS-iommu}
# The routes of a boot per side: their controls void nothing (gate.py).
gate_args=(--threshold "${THRESHOLD:-2}" --noise "${NOISE:-3}" --ticks "${TICKS:-2}" --lost "${LOST:-25}"
	--void-controls "${VOID_CONTROLS:-3}" --side-routes "$side_boots")
arches=${ARCH:-$host_arch}
# The accepted revision is one for both architectures: accepting HEAD shows
# what changed on both first.
[ "$update" != 1 ] || arches="x86_64 arm64"
t_start=$SECONDS

# The gate's sweep: every kernel-timed op (map, unmap, the syncs, the range
# syncs) in every direction, the sg-entry sweep, and the allocations with
# the pools on and off (cold included: with lost zeroing it is the point
# that shows), pool_shrink and the CPU-side ops, with a fixed sample count
# (no time budget, so the count cannot depend on timing).  Under -icount
# the three runs of a boot take about a minute of guest time each.
default_args="--sizes 4K,64K,1M,4M --iterations 21 --min-samples 21 --time-budget-ms 100000 --warmup 2 --sg-size 1M --max-orders 0,4,8 --ops map,unmap,map_unmap,sync_dev,sync_cpu,dmabuf_sync,range_sync,alloc,pool_shrink,alloc_free_warm,alloc_free_cold,mmap_touch,cpu_write,cpu_read"
check_args=${CHECK_ARGS:-$default_args}

say() { echo "[bench-check $(printf '%4d' $((SECONDS - t_start)))s] $*" >&2; }
die() { say "FAIL: $*"; exit 1; }

for a in $arches; do
	case $a in x86_64 | arm64) ;; *) echo "bench-check: ARCH is x86_64 or arm64, not '$a'" >&2; exit 2 ;; esac
done
read -r -a boots_given <<<"${BOOTS:-}"

if [ "${NO_DEPS:-0}" != 1 ] && [ "${#boots_given[@]}" -eq 0 ]; then
	"$scripts/deps.sh"
fi
if [ "$update" = 1 ] && [ -n "$(git -C "$root" status --porcelain 2>/dev/null)" ]; then
	say "UPDATE=1 on a tree with changes: commit them first (the accepted revision is a commit)"
	git -C "$root" status --short >&2
	exit 1
fi

# The two sides' source trees: A from git (the accepted revision, exported
# once into build/), B the work tree.
tree_a=${A_TREE:-} tree_b=${B_TREE:-$root} rev_a=given
rev_b=$(git -C "$root" describe --always --dirty --abbrev=12 2>/dev/null || echo unknown)
[ -z "${B_TREE:-}" ] || rev_b="tree $B_TREE"
if [ -n "$tree_a" ]; then
	rev_a="tree $tree_a"
elif [ "${#boots_given[@]}" -eq 0 ]; then
	accepted=${ACCEPTED:-$(sed -n '/^[0-9a-f]\{7,40\}$/{p;q}' "$root/bench/baseline/ACCEPTED" 2>/dev/null || true)}
	[ -n "$accepted" ] || die "no accepted revision: bench/baseline/ACCEPTED holds none (UPDATE=1 accepts HEAD)"
	full=$(git -C "$root" rev-parse --verify --quiet "$accepted^{commit}") ||
		die "the accepted revision $accepted is not in this clone (a shallow clone? git fetch --unshallow)"
	rev_a=$(git -C "$root" rev-parse --short=12 "$full")
	tree_a=$root/build/bench-check/tree-$rev_a
	if [ ! -e "$tree_a/.complete" ]; then
		rm -rf "$tree_a"
		mkdir -p "$tree_a"
		git -C "$root" archive "$full" kernel include bench lib | tar -x -C "$tree_a"
		touch "$tree_a/.complete"
	fi
fi

# boot ARCH DIR [swapped]: one A/B/A boot per DMA configuration, rows of
# the routes joined (bench.sh AB_TREES), or B/A/B when swapped (the
# confirming boot: what running in the middle of a boot does then counts
# against A, so it cannot confirm itself); order.txt says which.  Or the
# next folder of BOOTS.
next_given=0
boot() {
	local arch=$1 dir=$2 t0=$SECONDS order="A B A" trees="$tree_a $tree_b" revs="${rev_a// /_} ${rev_b// /_}"
	if [ "${3:-}" = swapped ]; then
		order="B A B" trees="$tree_b $tree_a" revs="${rev_b// /_} ${rev_a// /_}"
	fi
	if [ "${#boots_given[@]}" -gt 0 ]; then
		[ "$next_given" -lt "${#boots_given[@]}" ] || die "BOOTS has no boot left for $dir"
		rm -rf "$dir"
		mkdir -p "$(dirname "$dir")"
		cp -r "${boots_given[$next_given]}" "$dir"
		say "boot: ${boots_given[$next_given]}"
		next_given=$((next_given + 1))
		return 0
	fi
	say "$arch: ${order// /, } (A $rev_a, B $rev_b) in one -icount boot per DMA configuration ($dma_configs)..."
	# A boot that fails is booted once more before the gate fails: Debian's
	# 6.12.118 once hit a kernel BUG (list corruption in udmabuf's
	# unpin_all_folios, on closing a 4 KiB udmabuf) in the first run of a
	# boot, code cmheap does not touch; a failure of cmheap's own repeats.
	local try
	for try in 1 2; do
		if OUT=$dir ICOUNT=1 NO_DEPS=1 NO_REPORT=1 ARCH=$arch KVER=$kver LABEL="bench-check $order" \
			AB_TREES="$trees" AB_REVS="$revs" DMA_CONFIGS="$dma_configs" \
			BENCH_ARGS="$check_args" "$scripts/bench.sh" >"$dir.log" 2>&1; then
			break
		fi
		tail -n 20 "$dir.log" >&2
		grep -h -m 3 -E 'BUG:|kernel BUG|Oops|RIP:' "$dir"/logs/*.log "$dir"/logs/*/console.log 2>/dev/null >&2 || true
		[ "$try" = 1 ] || die "the A/B boot failed twice ($dir.log)"
		mv "$dir.log" "$dir.failed.log"
		rm -rf "$dir.failed"
		mv "$dir" "$dir.failed" 2>/dev/null || true
		say "the A/B boot failed (kept in $dir.failed): booting once more"
	done
	# The routes of SIDE_BOOTS: the kernel ops on edu, A, B and A again
	# each in a boot of its own, their rows joined to the runs above.
	local cfg step ops
	ops=$(kernel_ops_of "$check_args")
	for cfg in $side_boots; do
		for step in a1 b a2; do
			say "$arch: $cfg route, step $step alone in a boot..."
			# iommu.strict=1: invalidate at each unmap, not from a timed
			# flush queue (x86's default), so an unmap's cost is its own.
			if ! OUT=$dir.$cfg.$step ICOUNT=1 NO_DEPS=1 NO_REPORT=1 ARCH=$arch KVER=$kver \
				APPEND="${APPEND:+$APPEND }iommu.strict=1" \
				LABEL="bench-check $order, $cfg route" AB_TREES="$trees" AB_REVS="$revs" AB_STEPS=$step \
				DMA_CONFIGS=$cfg BENCH_ARGS="$check_args --devices edu --ops ${ops:-kernel}" \
				"$scripts/bench.sh" >"$dir.$cfg.$step.log" 2>&1; then
				tail -n 20 "$dir.$cfg.$step.log" >&2
				die "the $cfg boot of step $step failed ($dir.$cfg.$step.log)"
			fi
			tail -n +2 "$dir.$cfg.$step/$step/results.csv" >>"$dir/$step/results.csv"
			cp "$dir.$cfg.$step/$step/meta.json" "$dir/$step/meta-$cfg.json"
			rm -rf "$dir.$cfg.$step"
		done
	done
	echo "$order" >"$dir/order.txt"
	say "boot done in $((SECONDS - t0)) s"
}

judge() { # OUT BOOT... : the verdict's exit status; its report in OUT and on stdout
	local out=$1 rc=0
	shift
	PYTHONPATH=$scripts python3 -m cmbench gate "${gate_args[@]}" "$@" >"$out" || rc=$?
	cat "$out"
	return "$rc"
}

# The kernel's own change, when today's release differs from the last
# absolute run recorded: A (the accepted revision) on today's kernel
# against that run.  Reported, never failed.
trend() { # ARCH KRELEASE A1_DIR
	local arch=$1 krel=$2 a1=$3 last='' d rev
	for d in "$root"/bench/baseline/"$arch"-*/; do
		[ -r "$d/results.csv" ] && last=$d
	done
	if [ -z "$last" ]; then
		say "trend: no absolute run of $arch recorded yet (UPDATE=1 records one)"
		return 0
	fi
	last=${last%/}
	if [ "$(basename "$last")" = "$arch-$krel" ]; then
		return 0
	fi
	rev=$(PYTHONPATH=$scripts python3 -m cmbench meta "$last/meta.json" git_rev 2>/dev/null || echo unknown)
	say "trend: the kernel moved, $(basename "$last") -> $arch-$krel; the accepted revision on today's kernel against the last recorded run (of $rev; not a verdict):"
	"$scripts/compare" "$last" "$a1" --resolution auto --allow-missing --quiet --by-op |
		sed -n "s/^compare: by op, median change of \([a-z0-9_]*\) (points): /trend: ${last##*/"$arch"-} -> $krel, median change of \1 (points): /p" >&2 || true
	say "trend: today's run is in $a1; UPDATE=1 records it as bench/baseline/$arch-$krel/"
}

# boot_and_judge NAME ORDER [EARLIER]: a boot (ORDER "" for A B A, swapped
# for B A B) into $out/NAME, judged alone or with the EARLIER boot; a void
# one is booted once more (NAME + b).  Sets rc (the verdict) and judged
# (the boot that counted).
boot_and_judge() {
	local name=$1 order=$2 earlier=${3:-} b
	for b in "$name" "${name}b"; do
		boot "$arch" "$out/$b" "$order"
		rc=0
		judge "$out/$b.gate" ${earlier:+"$out/$earlier"} "$out/$b" || rc=$?
		judged=$b
		[ "$rc" -eq 3 ] || return 0
		[ "$b" != "$name" ] || say "boot $b void (controls moved between A and B): booting again once"
	done
}

overall=0
for arch in $arches; do
	if [ "${#boots_given[@]}" -gt 0 ]; then
		krel=given
	else
		tdir=$("$scripts/fetch-kernel.sh" "$arch" "$kver")
		krel=$(awk -F= '$1 == "KRELEASE" { print $2 }' "$tdir/target.env")
	fi
	out=${CHECK_DIR:-$root/build/bench-check}/$arch-$krel
	mkdir -p "$out"
	say "$arch $krel: judging $rev_b against $rev_a"

	boot_and_judge boot1 ""
	first=$judged
	[ "$rc" -ne 3 ] || { say "FAIL: noisy: the controls moved in two boots (logs in $out)"; overall=1; continue; }
	if [ "$rc" -eq 1 ] && [ "$update" != 1 ]; then
		say "a point regressed, lost work or cost more than upstream in the first boot: a second boot, B A B, to confirm"
		boot_and_judge boot2 swapped "$first"
		[ "$rc" -ne 3 ] || { say "FAIL: noisy: the controls moved in the confirming boots (logs in $out)"; overall=1; continue; }
	fi
	[ "${#boots_given[@]}" -gt 0 ] || trend "$arch" "$krel" "$out/$first/a1"
	case $rc in
	0) say "$arch PASS: $rev_b against $rev_a, $krel" ;;
	1)
		if [ "$update" = 1 ]; then
			say "$arch: HEAD moved the points above (UPDATE=1: accepted as they are)"
		else
			say "$arch FAIL: $rev_b regressed, lost work against $rev_a or cost more than upstream (above; boots in $out)"
			overall=1
		fi
		;;
	*) say "$arch FAIL: the gate could not judge (exit $rc)"; overall=1 ;;
	esac
	if [ "$update" = 1 ] && [ "$overall" -eq 0 ]; then
		# The absolute run of the accepted revision on this kernel: HEAD's, B.
		rm -rf "$root"/bench/baseline/"$arch"-*/
		mkdir -p "$root/bench/baseline/$arch-$krel"
		cp "$out/$first/b/results.csv" "$out/$first/b/meta.json" "$root/bench/baseline/$arch-$krel/"
		say "recorded bench/baseline/$arch-$krel/ ($(($(wc -l <"$out/$first/b/results.csv") - 1)) points)"
	fi
done
if [ "$update" = 1 ] && [ "$overall" -eq 0 ]; then
	git -C "$root" rev-parse HEAD >"$root/bench/baseline/ACCEPTED"
	say "accepted $(git -C "$root" rev-parse --short=12 HEAD): commit bench/baseline/"
fi
say "done in $((SECONDS - t_start)) s"
exit "$overall"
