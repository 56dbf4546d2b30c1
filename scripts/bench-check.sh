#!/usr/bin/env bash
# bench-check.sh: the benchmark regression gate (what `make bench-check` runs).
#
# Runs a short sweep in a deterministic guest (QEMU TCG -icount, where guest
# time counts instructions, so a run is repeatable to well under 1% on any
# host) and compares it with the committed baseline for the same kernel
# release, bench/baseline/<arch>-<kernel_release>/{results.csv,meta.json},
# with scripts/compare.  When no baseline has that kernel release it fails
# and says how to make one: a baseline only means something for the kernel
# it ran on, and Debian serves only its newest kernel build to fetch.
#
# Environment:
#   ARCH=x86_64|arm64 (default: the host's)  KVER=6.1|6.12 (default 6.12)
#   THRESHOLD=10     percent a point may be slower before it fails
#   UPDATE=1         write the run as the new baseline instead of comparing
#                    (refused on a tree with uncommitted changes)
#   CHECK_ARGS="..." the sweep (default below; a baseline made with other
#                    arguments is reported, and its points this run lacks fail)
#   NO_DEPS=1        as for bench.sh
#   BASELINE=dir RUNS="DIR [DIR2]"  judge result folders made already (the
#                    first run, and the confirmation run) against a baseline
#                    folder, without a guest: how the gate itself is tested
# A failure must show in two runs: a first run with failing points (slower,
# maintenance lost, missing) is followed by a second, and the check fails
# only if the second fails on at least one of the same points.
# Exit status: 0 no regression, 1 regression, no baseline for the kernel
# release, or failure.
set -euo pipefail
export PATH=$PATH:/usr/sbin:/sbin

root=$(cd "$(dirname "$0")/.." && pwd)
scripts=$root/scripts
host_arch=$(uname -m)
case $host_arch in aarch64) host_arch=arm64 ;; esac
arch=${ARCH:-$host_arch}
kver=${KVER:-6.12}
threshold=${THRESHOLD:-10}
update=${UPDATE:-0}

# The gate's sweep: the kernel-timed operations that carry the project's
# claims (map/unmap with and without skip-sync, syncs, the sg-entry sweep)
# over a few sizes, with a fixed sample count (no time budget, so the sample
# count cannot depend on timing), and the user-space ones but
# alloc_free_cold: that one is a single sample (the first allocation of a
# size), not a median, and it moves by tens of percent between boots.
# About a minute of guest time under TCG -icount on x86_64.
default_args="--sizes 4K,64K,1M,4M --iterations 21 --min-samples 21 --time-budget-ms 100000 --warmup 2 --sg-size 1M --max-orders 0,4,8 --directions bidirectional --ops map,unmap,map_unmap,sync_dev,sync_cpu,dmabuf_sync,alloc_free_warm,mmap_touch,cpu_write,cpu_read"
check_args=${CHECK_ARGS:-$default_args}

say() { echo "[bench-check] $*" >&2; }

if [ "${NO_DEPS:-0}" != 1 ]; then
	"$scripts/deps.sh"
fi
# A baseline says what a commit measures: made from a clean tree only.
if [ "$update" = 1 ] && [ -n "$(git -C "$root" status --porcelain 2>/dev/null)" ]; then
	say "FAIL: UPDATE=1 on a tree with changes: commit them first (a baseline records the commit it measured)"
	git -C "$root" status --short >&2
	exit 1
fi
read -r -a runs <<<"${RUNS:-}"
if [ -n "${BASELINE:-}" ]; then
	baseline=$BASELINE
	krel=$(basename "$baseline")
else
	tdir=$("$scripts/fetch-kernel.sh" "$arch" "$kver")
	krel=$(awk -F= '$1 == "KRELEASE" { print $2 }' "$tdir/target.env")
	baseline=$root/bench/baseline/$arch-$krel
fi

if [ "$update" != 1 ] && [ ! -r "$baseline/results.csv" ]; then
	have=''
	for d in "$root"/bench/baseline/*/; do
		[ -r "$d/results.csv" ] && have+=" $(basename "$d")"
	done
	say "no baseline for $arch $krel (bench/baseline/$arch-$krel/); have:${have:- none}"
	# Debian's archive serves only the newest build of a kernel package, so
	# the baseline's release cannot be fetched again: a new release fails
	# rather than passing unchecked, and says how to make its baseline.
	say "FAIL: the kernel release differs from every baseline's. On a clean tree at a commit"
	say "  whose gate passed, run: UPDATE=1 make bench-check ARCH=$arch KVER=$kver, and commit"
	say "  bench/baseline/$arch-$krel/ (the old release's folder can go)"
	exit 1
fi

out=$root/build/bench-check/$arch-$krel
# sweep OUT_DIR [N]: one run of the check sweep (or RUNS' N-th folder).
sweep() {
	local t0=$SECONDS
	if [ "${#runs[@]}" -gt "${2:-0}" ]; then
		rm -rf "$1"
		mkdir -p "$1"
		cp "${runs[${2:-0}]}/results.csv" "$1/"
		say "run $((${2:-0} + 1)): ${runs[${2:-0}]}"
		return 0
	fi
	say "running the check sweep on $arch $krel (QEMU TCG -icount)..."
	OUT=$1 ICOUNT=1 NO_DEPS=1 NO_REPORT=1 ARCH=$arch KVER=$kver LABEL=bench-check \
		BENCH_ARGS="$check_args" "$scripts/bench.sh" >/dev/null
	say "sweep done in $((SECONDS - t0)) s"
}
sweep "$out"

if [ "$update" = 1 ]; then
	mkdir -p "$baseline"
	cp "$out/results.csv" "$out/meta.json" "$baseline/"
	say "baseline written: bench/baseline/$arch-$krel/ ($(($(wc -l <"$out/results.csv") - 1)) points)"
	exit 0
fi

old_cmd=''
[ ! -r "$baseline/meta.json" ] ||
	old_cmd=$(PYTHONPATH=$scripts python3 -m cmbench meta "$baseline/meta.json" command_line || true)
case $old_cmd in
*"$check_args"*) ;;
*) say "warning: the baseline was made with other arguments ($old_cmd); its points this run lacks fail as missing (UPDATE=1 to make a new baseline)" ;;
esac
# --resolution auto: arm64's counter ticks every 16 ns in QEMU, and a point
# that moved by one tick is not a regression.  The table goes to stdout and
# to OUT.compare.
check() {
	local rc=0
	"$scripts/compare" "$baseline" "$1" --threshold "$threshold" --resolution auto --quiet \
		>"$1.compare" || rc=$?
	cat "$1.compare"
	return "$rc"
}
# failing_points COMPARE_OUTPUT: one line per point that failed (slower,
# maintenance lost, missing), its dimensions as compare printed them.
failing_points() {
	awk '/\*\*(REGRESSION|MAINTENANCE LOST\?)\*\*/ {
			n = split($0, f, " [|] "); l = ""
			for (i = 1; i <= 12 && i <= n; i++) l = l f[i] "|"
			print l
		}
		/^- only in old \(\*\*MISSING\*\*\): / { sub(/ \(nents [^)]*\)$/, ""); sub(/^.*: /, ""); print "missing " $0 }' "$1" | sort -u
}
rc=0
check "$out" || rc=$?
if [ "$rc" -eq 1 ]; then
	# Deterministic mode repeats to a fraction of a percent, but not always:
	# rarely, background work in the guest lands inside a point's samples.
	# A failure counts when a second run fails on the same point.
	say "a point failed (slower than +$threshold%, maintenance lost or missing): running the sweep again to confirm"
	sweep "$out.again" 1
	rc=0
	check "$out.again" || rc=$?
	if [ "$rc" -eq 1 ]; then
		same=$(comm -12 <(failing_points "$out.compare") <(failing_points "$out.again.compare"))
		if [ -z "$same" ]; then
			say "not confirmed: the second run failed on other points than the first (noise)"
			rc=0
		else
			say "confirmed on: $(echo "$same" | tr '\n' ';')"
		fi
	else
		say "not confirmed by the second run: the first run's failing points were noise"
	fi
	out=$out.again
fi
case $rc in
0) say "PASS: no point slower than +$threshold%, none lost its maintenance, none missing, against $baseline" ;;
1) say "FAIL: against $baseline (full table: scripts/compare $baseline $out)" ;;
*) say "FAIL: compare failed ($rc)" ;;
esac
[ "$rc" -eq 0 ]
