#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# bench.sh: run cmheap-bench on one target and publish a results folder.
#
#   bench.sh            (what `make bench` runs; settings from the environment)
#
# TARGET=qemu (default): boot Debian's kernel for ARCH (default: the host's
#   architecture) and KVER (default 6.12) in QEMU through the rig
#   (fetch-kernel.sh, mkinitramfs.sh, qemu-run.sh), with cmheap.ko and a
#   static cmheap-bench in the initramfs; the guest's job runs the sweep and
#   its results come back as files.
# TARGET=local: the running kernel of this machine (root, headers at
#   /lib/modules/$(uname -r)/build): build natively, insmod, sweep, rmmod.
#   QEMU is not needed; the accelerator is recorded as "hardware", unless
#   the machine is a virtual one (ACCEL=tcg|kvm says what runs it; without
#   it a QEMU machine is recorded as "unknown": not silicon).
#
# Then the figures and report.md (python3 -m cmbench report).  The folder (default
# out/bench/<arch>-<kver>-<accel>-<date>/, OUT= overrides) holds results.csv,
# meta.json, report.md, plots/ and logs/.  The last line printed is its path.
#
# Environment:
#   ARCH=x86_64|arm64  KVER=6.1|6.12     the QEMU target
#   ACCEL=auto|kvm|tcg  ICOUNT=1  MEM  SMP  CPU  APPEND   as for qemu-run.sh
#                      ICOUNT=1: deterministic -icount, plus fixed guest
#                      randomness, clock and layout (DETERMINISTIC=0: not)
#   BENCH_ARGS="..."   extra cmheap-bench options (e.g. --quick, --sizes 4K,1M)
#   DMA_CONFIGS="direct iommu bounce"   QEMU's edu engine as a measured
#                      device, mapped directly, through the IOMMU and through
#                      swiotlb: a guest per configuration (the main sweep in
#                      the first), rows told apart by the dma column.
#                      Default: none (no edu; the test devices only)
#   LABEL=text         recorded in meta.json (default "make bench [BENCH_ARGS=...]")
#   TIMEOUT=3600       guest deadline, seconds
#   OUT=dir            results folder (emptied first)
#   NO_DEPS=1          do not run scripts/deps.sh
#   NO_REPORT=1        skip the figures and report.md
#   BENCH_BIN=file     a cmheap-bench built elsewhere, instead of make -C bench
#   AB_TREES="A B"     the A/B/A run of scripts/bench-check.sh (TARGET=qemu):
#                      two source trees (kernel/, include/, bench/, lib/ of
#                      two revisions), each built into a cmheap.ko and a
#                      cmheap-bench of its own; every guest loads A's
#                      module and sweeps with A's program, unloads it, does
#                      the same with B, then with A again, so that the
#                      folder holds a1/, b/ and a2/ (results.csv and
#                      meta.json each) measured in one boot.  AB_REVS="RA
#                      RB" says in meta.json what each is.  No figures.
#                      AB_STEPS="a1 b a2" (default) runs those steps only,
#                      building only the sides they need: "b" alone is one
#                      side in a boot of its own (the IOMMU route's way).
# Exit status: 0 success; 1 build, boot or benchmark failure; 2 bad usage.
set -euo pipefail
# shellcheck source=scripts/cli-lib.sh
. "$(dirname "$0")/cli-lib.sh"
cli_args 0 "$@"
cli_picks
export PATH=$PATH:/usr/sbin:/sbin

root=$(cd "$(dirname "$0")/.." && pwd)
scripts=$root/scripts
build=$root/build/bench

target=${TARGET:-qemu}
host_arch=$(uname -m)
case $host_arch in aarch64) host_arch=arm64 ;; esac
arch=${ARCH:-$host_arch}
kver=${KVER:-6.12}
icount=${ICOUNT:-0}
bench_args=${BENCH_ARGS:-}
label=${LABEL:-make bench${BENCH_ARGS:+ BENCH_ARGS=$BENCH_ARGS}}
timeout=${TIMEOUT:-3600}
out=${OUT:-}
# Our callers' make variables must not leak into kbuild (which reads ARCH,
# KERNELRELEASE... from the environment) nor into the sub-makes.
unset ARCH KVER KDIR KERNEL CROSS_COMPILE MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
export ICOUNT="$icount"
jobs=$(nproc)
t_start=$SECONDS

say() { echo "[bench $(printf '%4d' $((SECONDS - t_start)))s] $*" >&2; }
die() { say "ERROR: $*"; exit 1; }

case $target in qemu | local) ;; *) echo "bench: TARGET must be qemu or local" >&2; exit 2 ;; esac
ab=()
[ -z "${AB_TREES:-}" ] || read -r -a ab <<<"$AB_TREES"
read -r -a ab_revs <<<"${AB_REVS:-unknown unknown}"
read -r -a ab_steps <<<"${AB_STEPS:-a1 b a2}"
for step in "${ab_steps[@]}"; do
	case $step in a1 | b | a2) ;; *) echo "bench: AB_STEPS are a1, b and a2, not '$step'" >&2; exit 2 ;; esac
done
if [ -n "${AB_TREES:-}" ] && { [ "${#ab[@]}" -ne 2 ] || [ "$target" != qemu ] || [ -n "${BENCH_BIN:-}" ]; }; then
	echo "bench: AB_TREES takes two source trees, for TARGET=qemu, without BENCH_BIN" >&2
	exit 2
fi
case $arch in x86_64 | arm64) ;; *) echo "bench: ARCH must be x86_64 or arm64" >&2; exit 2 ;; esac

git_rev=$(git -C "$root" describe --always --dirty --abbrev=12 2>/dev/null || echo unknown)
# shellcheck source=scripts/build-lib.sh
. "$root/scripts/build-lib.sh"
# single-quote for sh
shq() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

# cmheap.ko and cmheap_test.ko, in a private copy of the sources (a
# concurrent make test builds its own copy).
build_bench_module() { # KDIR ARCH DIR
	build_module "$@" || die "the modules did not build ($3/module.log)"
}

build_bench() { # ARCH DIR (the sources of $bench_tree, else $root)
	if [ -n "${BENCH_BIN:-}" ]; then
		mkdir -p "$2/bench"
		cp "$BENCH_BIN" "$2/bench/cmheap-bench"
		return 0
	fi
	# Always built anew: make goes by dates, and a tree git archive exported
	# (bench-check's side A) carries its commit's, older than a program
	# another tree left in this folder (test-bench's gate run, the other
	# side of an earlier check), which make would then keep and run as A.
	rm -f "$2/bench/cmheap-bench"
	if ! make -C "${bench_tree:-$root}/bench" -j"$jobs" OUTPUT="$2/bench" CROSS_COMPILE="$(cross_for "$1")" \
		>"$2/bench.log" 2>&1; then
		tail -n 30 "$2/bench.log" >&2
		die "cmheap-bench did not build ($2/bench.log)"
	fi
	[ -x "$2/bench/cmheap-bench" ] || die "no $2/bench/cmheap-bench after make -C bench"
}

# Show cmheap-bench's "[i/N] point" lines from a growing log, at most one
# every few seconds, until process $2 exits.
follow_progress() { # LOG PID
	local last='' line
	while kill -0 "$2" 2>/dev/null; do
		sleep 5
		[ -r "$1" ] || continue
		line=$(tr '\r' '\n' <"$1" | sed 's/\x1b\[K//g' | grep -a -E '^\[[0-9]+/[0-9]+( [^]]*)?\] |cmheap-init: ' | tail -n 1 || true)
		if [ -n "$line" ] && [ "$line" != "$last" ]; then
			say "  $line"
			last=$line
		fi
	done
}

finish() { # RAWDIR KREL ACCEL
	local raw=$1
	[ -s "$raw/results.csv" ] || die "no results.csv came back (logs: $out/logs)"
	[ -s "$raw/meta.json" ] || die "no meta.json came back (logs: $out/logs)"
	host_note after
	cp "$raw/results.csv" "$raw/meta.json" "$out/"
	local rows
	rows=$(($(wc -l <"$out/results.csv") - 1))
	say "$rows points measured"
	if [ "${NO_REPORT:-0}" != 1 ]; then
		say "plotting..."
		PYTHONPATH=$scripts python3 -m cmbench report "$out" 2>"$out/logs/plot.log" ||
			{ cat "$out/logs/plot.log" >&2; die "the figures or report.md failed (python3 -m cmbench report)"; }
		say "report: $out/report.md ($(awk -F'\t' '$2 == "ok"' "$out/plots/index.tsv" | wc -l) figures)"
	fi
	say "done in $((SECONDS - t_start)) s"
	echo "$out"
}

set_out() { # KVER-or-RELEASE ACCEL
	if [ -z "$out" ]; then
		out=$root/out/bench/$arch-$1-$2-$(date +%Y%m%d-%H%M%S)
	fi
	rm -rf "$out"
	mkdir -p "$out/logs"
	out=$(cd "$out" && pwd)
	host_note before
}

# The host's CPU and load: under TCG or KVM the guest's timings depend on
# them (not under -icount).  Kept in logs/host.txt, shown in report.md.
host_note() {
	{
		[ "$1" = before ] && echo "host_cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null)"
		[ "$1" = before ] && echo "host_cpus=$(nproc)"
		echo "load_$1=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
	} >>"$out/logs/host.txt"
}

# ---------------------------------------------------------------- local
if [ "$target" = local ]; then
	[ "$(id -u)" -eq 0 ] || die "TARGET=local needs root (insmod)"
	krel=$(uname -r)
	kdir=/lib/modules/$krel/build
	[ -d "$kdir" ] || die "no kernel headers at $kdir (apt-get install linux-headers-$krel)"
	if [ "${NO_DEPS:-0}" != 1 ]; then
		missing=()
		for t in make:make gcc:gcc gnuplot:gnuplot-nox python3:python3 awk:mawk; do
			command -v "${t%%:*}" >/dev/null || missing+=("${t#*:}")
		done
		if [ "${#missing[@]}" -gt 0 ]; then
			command -v apt-get >/dev/null || die "missing: ${missing[*]}"
			say "installing ${missing[*]}"
			DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
		fi
	fi
	if grep -q '^cmheap ' /proc/modules; then
		die "cmheap is already loaded: rmmod cmheap_test cmheap first"
	fi
	# A board is hardware; a QEMU guest standing in for one is not.
	local_accel=hardware
	case ${ACCEL:-auto} in
	tcg | kvm | hardware) local_accel=$ACCEL ;;
	auto)
		if grep -qs QEMU /sys/class/dmi/id/sys_vendor ||
			grep -qas 'linux,dummy-virt' /proc/device-tree/compatible; then
			local_accel=unknown
			say "this machine is a QEMU guest: recorded as accelerator 'unknown' (ACCEL=tcg|kvm says which)"
		fi
		;;
	*) die "ACCEL for TARGET=local: tcg, kvm or hardware" ;;
	esac
	set_out "$krel" "$local_accel"
	dir=$build/local-$krel
	mkdir -p "$dir"
	say "building cmheap.ko and cmheap_test.ko for $krel..."
	build_bench_module "$kdir" "$arch" "$dir"
	say "building cmheap-bench..."
	build_bench "$arch" "$dir"
	modprobe udmabuf 2>/dev/null || true
	insmod "$dir/cmheap.ko" || die "insmod cmheap.ko failed (dmesg)"
	trap 'rmmod cmheap 2>/dev/null || true' EXIT
	insmod "$dir/cmheap_test.ko" || die "insmod cmheap_test.ko failed (dmesg)"
	trap 'rmmod cmheap_test cmheap 2>/dev/null || true' EXIT
	say "running cmheap-bench on $krel ($local_accel)..."
	raw=$out/logs/raw
	mkdir -p "$raw"
	rc=0
	# shellcheck disable=SC2086 # BENCH_ARGS is a list of options
	"$dir/bench/cmheap-bench" --out "$raw" --accelerator "$local_accel" --git-rev "$git_rev" \
		${label:+--label "$label"} --progress-every 1 $bench_args 2> >(tee "$out/logs/bench.log" >&2) || rc=$?
	rmmod cmheap_test cmheap || say "warning: rmmod cmheap_test cmheap failed"
	trap - EXIT
	[ "$rc" -eq 0 ] || die "cmheap-bench exited with $rc ($out/logs/bench.log)"
	finish "$raw"
	exit 0
fi

# ---------------------------------------------------------------- qemu
if [ "${NO_DEPS:-0}" != 1 ]; then
	say "checking host packages (scripts/deps.sh)..."
	"$scripts/deps.sh"
fi
say "fetching Debian's $kver kernel for $arch..."
tdir=$("$scripts/fetch-kernel.sh" "$arch" "$kver")
# shellcheck source=/dev/null
. "$tdir/target.env"
krel=$KRELEASE
dir=$build/$arch-$kver
mkdir -p "$dir"

# The accelerator qemu-run.sh will use (it decides; accel.txt says what it
# did, and passes it to the guest as cmheap_accel=, which the job hands to
# cmheap-bench: meta.json says what really ran it; only the folder's name
# is corrected afterwards if this guess was wrong).
if [ "$icount" = 1 ]; then
	accel=tcg-icount
elif [ "${ACCEL:-auto}" != auto ]; then
	accel=$ACCEL
elif [ "$arch" != "$host_arch" ]; then
	accel=tcg
else
	accel=$(cut -d' ' -f2 "$root/build/accel-$arch.verdict" 2>/dev/null || echo tcg)
fi
set_out "$kver" "$accel"

if [ "${#ab[@]}" -eq 2 ]; then
	for i in 0 1; do
		side=a
		[ "$i" = 0 ] || side=b
		[[ " ${ab_steps[*]} " == *" $side"* ]] || continue
		say "building side ${side^^}'s cmheap.ko and cmheap-bench (${ab_revs[$i]:-unknown}: ${ab[$i]})..."
		module_tree=${ab[$i]} build_bench_module "${KDIR:?}" "$arch" "$dir/$side"
		bench_tree=${ab[$i]} build_bench "$arch" "$dir/$side"
	done
else
	say "building cmheap.ko and cmheap_test.ko for $krel..."
	build_bench_module "${KDIR:?}" "$arch" "$dir"
	say "building cmheap-bench for $arch..."
	build_bench "$arch" "$dir"
fi

qemu="qemu-system-x86_64"
[ "$arch" = arm64 ] && qemu="qemu-system-aarch64"
qemu_version=$("$qemu" --version | awk 'NR == 1 { sub(/^QEMU emulator version /, ""); print }')

# The first lines of a job: what it is, and the accelerator qemu-run.sh
# says runs the guest (cmheap_accel=), for cmheap-bench's meta.json.
job_header() { # WHAT
	echo "# Written by scripts/bench.sh: $1 for scripts/guest/init.sh."
	echo "accel=$(shq "$accel")"
	# shellcheck disable=SC2016 # expanded in the guest
	echo 'for w in $(cat /proc/cmdline); do case $w in cmheap_accel=*) accel=${w#*=} ;; esac; done'
}

# The job of one guest: cmheap-bench with the arguments given, its exit
# status in bench-rc.txt.
write_job() { # FILE ARGS...
	local file=$1
	shift
	{
		job_header "a benchmark job"
		# the host's date: an -icount guest's clock starts at a fixed one
		# (an A/B job does not say it: side A's program may predate --date)
		echo "./cmheap-bench --out \"\$RESULTS/bench\" --accelerator \"\$accel\"" \
			"--qemu-version $(shq "$qemu_version") --git-rev $(shq "$git_rev")" \
			"--date $(date -u +%Y-%m-%dT%H:%M:%SZ)" \
			"${label:+--label $(shq "$label")} --progress-every 1 $*"
		echo "rc=\$?"
		echo "echo \$rc >\"\$RESULTS/bench-rc.txt\""
		echo "exit \$rc"
	} >"$file"
}

# The A/B/A job: each side's module loaded in turn with the rig's
# parameters and swept by that side's own program, into $RESULTS/a1, b, a2.
write_ab_job() { # FILE ARGS...
	local file=$1
	shift
	{
		job_header "an A/B/A benchmark job"
		echo "rev_a=$(shq "${ab_revs[0]}") rev_b=$(shq "${ab_revs[1]:-unknown}")"
		echo "steps=$(shq "${ab_steps[*]}")"
		cat <<'JOB'
params=$(cat /cmheap/cmheap.params 2>/dev/null)
test_params=$(cat /cmheap/cmheap_test.params 2>/dev/null)
rc=0
for step in $steps; do
	side=${step%[12]}
	rev=$rev_a
	[ "$side" = a ] || rev=$rev_b
	echo "cmheap-init: A/B/A step $step: side $side ($rev)"
	side_params=$params
	# (a revision from before the split has the importer in cmheap.ko,
	# and takes its parameters too)
	[ -e "/cmheap/$side/cmheap_test.ko" ] || side_params="$params $test_params"
	if ! insmod "/cmheap/$side/cmheap.ko" $side_params; then
		echo "cmheap-init: side $side's cmheap.ko did not load"
		rc=1
		break
	fi
	if [ -e "/cmheap/$side/cmheap_test.ko" ] &&
		! insmod "/cmheap/$side/cmheap_test.ko" $test_params; then
		echo "cmheap-init: side $side's cmheap_test.ko did not load"
		rmmod cmheap
		rc=1
		break
	fi
JOB
		echo "	\"/cmheap/\$side/cmheap-bench\" --out \"\$RESULTS/\$step\" --accelerator \"\$accel\"" \
			"--qemu-version $(shq "$qemu_version") --git-rev \"\$rev\"" \
			"${label:+--label $(shq "$label")} --progress-every 1 $* || rc=\$?"
		cat <<'JOB'
	{ [ ! -e "/cmheap/$side/cmheap_test.ko" ] || rmmod cmheap_test; } && rmmod cmheap ||
		{ echo "cmheap-init: rmmod cmheap_test cmheap failed after step $step"; rc=1; }
	[ "$rc" = 0 ] || break
done
echo "$rc" >"$RESULTS/bench-rc.txt"
exit "$rc"
JOB
	} >"$file"
}

# DMA configurations (DMA_CONFIGS="direct iommu bounce", any subset): the
# guests get QEMU's edu engine as a device the importer maps for, in the
# configuration each names (scripts/qemu-run.sh DMA_CONFIG).  The main sweep
# runs in the first and measures edu beside the test devices; each other
# configuration boots a guest of its own for the kernel ops on edu alone,
# and its rows join results.csv with their dma column saying the route.
dma_configs=${DMA_CONFIGS:-}
for c in $dma_configs; do
	case $c in direct | iommu | bounce) ;; *) die "DMA_CONFIGS: direct, iommu or bounce, not '$c'" ;; esac
done
read -r -a dma_list <<<"$dma_configs"
# An emulator models no caches: a dirty buffer has nothing more to write
# back there, and the memset that dirties it only perturbs the next timed
# call.  So emulated runs measure clean buffers unless told otherwise; dirty
# ones are for hardware (TARGET=local), where the write-back is the cost.
case $accel in
tcg | tcg-icount)
	[[ " $bench_args " == *" --cache-states"* ]] || bench_args="--cache-states clean${bench_args:+ $bench_args}"
	;;
esac
main_args=$bench_args
# the DMA sweep: kernel ops on edu, the same sizes and sg sweep otherwise
dma_args="--devices edu --ops kernel $bench_args"
# An --ops of BENCH_ARGS would win over that "kernel" and measure the
# userspace ops again in each route's guest, as duplicate rows: those
# guests keep only its kernel ops.
kernel_ops=$(kernel_ops_of "$bench_args")
[ -n "$kernel_ops" ] || [ "${#dma_list[@]}" -lt 2 ] ||
	die "BENCH_ARGS' --ops has no kernel op for the guests of DMA_CONFIGS' other routes"
dma_args+=" --ops ${kernel_ops:-kernel}"
[ "${#dma_list[@]}" -eq 0 ] || main_args="--devices test,edu $bench_args"

payload=$dir/payload
rm -rf "$payload"
mkdir -p "$payload"
if [ "${#ab[@]}" -eq 2 ]; then
	# No modules at the top: the guest's init loads none, the job does.
	for side in a b; do
		[[ " ${ab_steps[*]} " == *" $side"* ]] || continue
		mkdir -p "$payload/$side"
		cp "$dir/$side/"cmheap*.ko "$dir/$side/bench/cmheap-bench" "$payload/$side/"
	done
	write_ab_job "$payload/job.sh" "$main_args"
	write_ab_job "$payload/job-dma.sh" "$dma_args"
else
	cp "$dir/cmheap.ko" "$dir/cmheap_test.ko" "$dir/bench/cmheap-bench" "$payload/"
	write_job "$payload/job.sh" "$main_args"
	write_job "$payload/job-dma.sh" "$dma_args"
fi
# The carveout heaps are measured too, in the regions the test rig reserves
# (carveout_for in scripts/build-lib.sh): the kernel command-line word,
# cmheap.ko's parameter (scripts/guest/init.sh reads cmheap.params), and on arm64
# the device tree's reserved-memory node.  edu is driven with the 64-bit
# mask qemu-run.sh gives it (cmheap_test.ko's parameter).
mapfile -t carveout < <(carveout_for "$arch" "${MEM:-2G}")
echo "${carveout[1]}" >"$payload/cmheap.params"
echo "${dma_configs:+edu_dma_bits=64}" >"$payload/cmheap_test.params"
export APPEND="${APPEND:+$APPEND }${carveout[0]}" DT_RESERVED="${carveout[2]}" MEM="${carveout[3]}"
say "building initramfs..."
"$scripts/mkinitramfs.sh" --arch "$arch" --out "$dir/initramfs.cpio" --payload "$payload" \
	--moddir "$MODDIR" --modules "udmabuf" 2>"$dir/initramfs.log" ||
	{ cat "$dir/initramfs.log" >&2; die "initramfs did not build"; }

# Measure the kernel as Debian ships it: the rig boots every guest with
# init_on_alloc=0 (its zeroing tests need it), while Debian's kernels zero
# every page allocation by default (CONFIG_INIT_ON_ALLOC_DEFAULT_ON=y), which
# is part of what an allocation costs.  The last init_on_alloc= word wins.
if grep -qx 'CONFIG_INIT_ON_ALLOC_DEFAULT_ON=y' "$KDIR/.config" 2>/dev/null; then
	export APPEND="${APPEND:+$APPEND }init_on_alloc=1"
fi

# QEMU backs guest memory lazily: without this, the first allocation of
# guest memory that the host has never touched pays for the host's page
# faults too, and whichever exporter ran first looked slow.
export PREALLOC=1

# Deterministic mode (ICOUNT=1): scripts/qemu-run.sh fixes the guest's
# randomness, clock and memory layout as well as counting instructions.

# One guest: boot, sweep, check, keep its logs in LOGDIR.  Sets real_accel.
run_guest() { # NAME DMA_CONFIG JOB RESDIR LOGDIR
	local name=$1 cfg=$2 job=$3 res=$4 logs=$5 rc=0 qpid fpid f status brc
	say "running $name in QEMU ($arch, $krel${cfg:+, DMA_CONFIG=$cfg}${bench_args:+, BENCH_ARGS=$bench_args})..."
	mkdir -p "$logs"
	DMA_CONFIG=$cfg APPEND="$APPEND${job:+ cmheap_job=$job}" TAG="bench $arch-$kver${cfg:+ $cfg}" \
		"$scripts/qemu-run.sh" "$arch" "$KERNEL" "$dir/initramfs.cpio" "$res" "$timeout" &
	qpid=$!
	# qemu-run.sh empties and recreates $res before booting
	follow_progress "$res/console.log" "$qpid" &
	fpid=$!
	wait "$qpid" || rc=$?
	kill "$fpid" 2>/dev/null || true
	wait "$fpid" 2>/dev/null || true
	for f in console.log qemu.log dmesg.txt cmdline.txt insmod.txt accel.txt elapsed.txt status.txt bench-rc.txt timeout.txt; do
		[ -e "$res/$f" ] && cp "$res/$f" "$logs/"
	done
	[ "$rc" -eq 0 ] || die "guest failed (qemu-run.sh exit $rc; $logs/console.log)"
	status=$(cat "$res/status.txt")
	[ "$status" = ok ] || die "guest status '$status' ($logs/console.log)"
	brc=$(cat "$res/bench-rc.txt" 2>/dev/null || echo missing)
	[ "$brc" = 0 ] || die "cmheap-bench exited with $brc in the guest ($logs/console.log)"
	real_accel=$(cat "$res/accel.txt" 2>/dev/null || echo "$accel")
	say "guest ran for $(cat "$res/elapsed.txt" 2>/dev/null || echo '?') s ($real_accel)"
}

res=$dir/results
run_guest "the sweep" "${dma_list[0]:-}" "" "$res" "$out/logs"
# The other DMA configurations, each in a guest of its own; their rows are
# appended to the main results.csv and their meta.json kept beside it (an
# A/B/A run: each step's, in its folder).
steps=(bench)
[ "${#ab[@]}" -ne 2 ] || steps=("${ab_steps[@]}")
for cfg in "${dma_list[@]:1}"; do
	run_guest "the $cfg DMA sweep" "$cfg" /cmheap/job-dma.sh "$dir/results-$cfg" "$out/logs/$cfg"
	for step in "${steps[@]}"; do
		tail -n +2 "$dir/results-$cfg/$step/results.csv" >>"$res/$step/results.csv"
		dest=$out
		[ "$step" = bench ] || dest=$out/$step
		mkdir -p "$dest"
		cp "$dir/results-$cfg/$step/meta.json" "$dest/meta-$cfg.json"
	done
done

if [ "$real_accel" != "$accel" ] && [ -z "${OUT:-}" ]; then
	new=${out%-"$accel"-*}-$real_accel-${out##*-"$accel"-}
	mv "$out" "$new"
	out=$new
fi
if [ "${#ab[@]}" -eq 2 ]; then
	for step in "${ab_steps[@]}"; do
		if [ ! -s "$res/$step/results.csv" ] || [ ! -s "$res/$step/meta.json" ]; then
			die "no results of step $step came back (logs: $out/logs)"
		fi
		mkdir -p "$out/$step"
		cp "$res/$step/results.csv" "$res/$step/meta.json" "$out/$step/"
	done
	host_note after
	say "A/B/A (${ab_steps[*]}): $(($(wc -l <"$out/${ab_steps[0]}/results.csv") - 1)) points a step, done in $((SECONDS - t_start)) s"
	echo "$out"
	exit 0
fi
finish "$res/bench"
