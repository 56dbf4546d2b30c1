#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# test.sh: build cmheap for each target kernel, boot it in QEMU, run the
# selftests there, print their KTAP and one closing summary line.
#
#   test.sh [test|modules]
#
#   test     (default) everything, ending with "N passed, M failed[, K skipped]"
#   modules  only build the modules for each target (build/<target>/cmheap.ko,
#            build/<target>/cmheap_test.ko)
#
# Targets are x86_64 and arm64, each with Debian's 6.1 and 6.12; ARCH= and/or
# KVER= pick some, and KVER= a list of them ("6.1 6.12 newest") adds the
# kernels trixie-backports serves: a release (7.3), or newest, the one
# its meta-package points at (modules for them are built by trixie's
# compiler: scripts/toolchain.sh).  KDIR=/path/to/tree KERNEL=/path/to/image ARCH=... uses a
# kernel of your own instead (modules for vgem: MODDIR=.../lib/modules/<rel>,
# else a modules_install of KDIR when it has built modules, else none).
# KERNEL=debug [ARCH=x86_64|arm64] builds (once, in the cache) and boots the
# debug kernel of scripts/debug-kernel.sh: Debian's 6.12 source with
# DMA-API debugging, KASAN, lockdep and kmemleak; its log must stay clean.
# Its guest has 576 MiB, 384 MiB of it RAM (MEM= overrides), so the memory
# tests run under pressure there.
#
# DMA configurations: every target's guest has QEMU's edu DMA engine, and
# each kernel boots in each configuration of CONFIGS (default "direct", and
# "direct kselftest" when nothing is picked; make check: "direct nopools
# heaps iommu bounce kselftest"): direct runs every test with the device mapped
# directly; nopools (NAME-nopools) runs every test again, mapped directly,
# with the system heaps' page pools off (pools=0); heaps (NAME-heaps) runs
# every test again with cmheap.ko alone, no cmheap_test.ko, as on a board
# that ships only the heaps, registered as the module's default says (the
# kernel's dma-heap framework where it allows, as on 7.3; the others load
# with registration=misc) and answering to Android's heap names too
# (userspace_names=1): the heap tests and upstream's dmabuf-heap
# test pass, those that need /dev/cmheap skip; iommu (target NAME-iommu)
# and bounce (NAME-bounce) boot it behind an IOMMU and with swiotlb=force
# and run the data-path tests (datapath_test, sync_range_test) and the
# driver_override binding of a device (bind_test, on QEMU's pci-testdev)
# there.  kselftest (NAME-kselftest) is the selftests as a kernel
# developer runs them: dropped into a copy of the kselftest folder of
# Debian's 6.12 source (make -C selftests dropin), built and installed
# with its own Makefile and lib.mk, run in the guest by its
# run_kselftest.sh; on one kernel only, the host architecture's 6.12 when
# it is among those run, else the first 6.12, and not when TESTS= picks.
#
# Each kernel's module and the selftests are built once, then the guests
# run GUESTS at a time (default 2): each binary's result is printed as the
# guest prints it ("[TARGET] ok 3 caching_test"), each target's whole
# output when it ends.  Host-side checks come first (the guests' scripts refuse to run
# on a host, make install, the licence check, every command's --help), the
# benchmark harness last (BENCH_TEST, below).
#
# TESTS="BINARY[:NAME] ..." runs only those selftests, in every guest
# (e.g. TESTS=pool_test, TESTS="datapath_test:cpu_writes_device_reads"),
# with the kernel's log still judged: NAME is passed to the binary's
# kselftest harness as -t NAME (selftests/run.sh).
#
# Environment: TIMEOUT (per guest, s, default 900), TEST_TIMEOUT (per test
# binary inside the guest, s, default 300), GUEST_MODULES (default vgem),
# GUESTS (default 2), BENCH_TEST (unit, guest or none; NO_BENCH_TEST=1 is
# none), TESTS (above), and ACCEL ICOUNT
# MEM SMP APPEND as for scripts/qemu-run.sh.
#
# Exit status: non-zero when any test failed, or a build, boot, module load,
# guest deadline or the results themselves failed; such a target failure
# counts as one failed test in the closing line.
set -euo pipefail
# shellcheck source=scripts/cli-lib.sh
. "$(dirname "$0")/cli-lib.sh"
cli_args 1 "$@"
cli_picks
export PATH=$PATH:/usr/sbin:/sbin

root=$(cd "$(dirname "$0")/.." && pwd)
scripts=$root/scripts
build=$root/build
mode=${1:-test}
case $mode in test | modules) ;; *) cli_refuse "unknown mode '$mode': test or modules" ;; esac

want_arch=${ARCH:-}
want_kver=${KVER:-}
# TESTS="BINARY[:NAME] ...": only those (selftests/run.sh says how)
want_tests=${TESTS:-}
for t in $want_tests; do
	case $t in
	*[!a-z0-9_:-]* | :* | *: | *:*:*) cli_refuse "TESTS: bad test '$t': BINARY or BINARY:NAME" ;;
	kernel_log | kmemleak | dmabuf-heap) ;;
	*) [ -f "$root/selftests/${t%%:*}.c" ] || cli_refuse "TESTS: no selftest '${t%%:*}' (selftests/*.c)" ;;
	esac
done
custom_kdir=${KDIR:-}
custom_kernel=${KERNEL:-}
custom_moddir=${MODDIR:-}
timeout=${TIMEOUT:-900}
test_timeout=${TEST_TIMEOUT:-300}
guest_modules=${GUEST_MODULES:-vgem}
# The whole default run (no ARCH=, KVER=, TESTS= or kernel of one's own)
# adds the kselftest drop-in; a picked run boots only what was picked.
configs=${CONFIGS:-direct}
if [ -z "${CONFIGS:-}" ] && [ -z "$want_arch$want_kver$want_tests$custom_kdir$custom_kernel" ]; then
	configs="direct kselftest"
fi
for c in $configs; do
	case $c in direct | nopools | heaps | iommu | bounce | kselftest) ;;
	*) echo "test.sh: CONFIGS are direct, nopools, heaps, iommu, bounce and kselftest, not '$c'" >&2; exit 2 ;;
	esac
done
# Our callers' make variables must not leak into kbuild or the selftests'
# make (kbuild reads ARCH, KERNELRELEASE... from the environment).
unset ARCH KVER KDIR KERNEL MODDIR CROSS_COMPILE MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES CONFIGS
jobs=$(nproc)

log() { echo "[$1] $2" >&2; }

targets=()
if [ "$custom_kernel" = debug ]; then
	targets=("${want_arch:-x86_64}-debug")
elif [ -n "$custom_kdir" ] || [ -n "$custom_kernel" ]; then
	if [ -z "$custom_kdir" ] || [ -z "$want_arch" ] || { [ "$mode" = test ] && [ -z "$custom_kernel" ]; }; then
		echo "test.sh: a kernel of your own needs KDIR=, KERNEL= and ARCH=x86_64|arm64" >&2
		exit 2
	fi
	targets=("$want_arch-custom")
else
	# KVER: bookworm's two, or what trixie-backports serves ("newest"
	# is resolved to its release: fetch-kernel.sh --resolve)
	kvers=()
	for k in ${want_kver:-6.1 6.12}; do
		case $k in
		6.1 | 6.12) ;;
		newest | 7.* | [89].*) k=$("$scripts/fetch-kernel.sh" --resolve "$k") || exit 1 ;;
		*) echo "test.sh: KVER='$k': 6.1, 6.12, a trixie-backports release (7.3) or newest" >&2; exit 2 ;;
		esac
		kvers+=("$k")
	done
	for a in x86_64 arm64; do
		for k in "${kvers[@]}"; do
			[ -z "$want_arch" ] || [ "$want_arch" = "$a" ] || continue
			targets+=("$a-$k")
		done
	done
fi
if [ "${#targets[@]}" -eq 0 ]; then
	echo "test.sh: no target matches ARCH='$want_arch' (x86_64|arm64)" >&2
	exit 2
fi
# Each kernel in each DMA configuration: "direct" keeps the kernel's name.
# The kselftest drop-in runs on one of Debian's 6.12 kernels (the source
# its tree comes from): the host architecture's if it is run.
kernels=("${targets[@]}")
ksft_kernel=
for t in "${kernels[@]}"; do
	case $t in
	"$(uname -m | sed 's/aarch64/arm64/')-6.12") ksft_kernel=$t ;;
	*-6.12) [ -n "$ksft_kernel" ] || ksft_kernel=$t ;;
	esac
done
[ -z "$want_tests" ] || ksft_kernel=
if [ "$mode" = test ]; then
	targets=()
	for t in "${kernels[@]}"; do
		for c in $configs; do
			case $c in
			direct) targets+=("$t") ;;
			kselftest) [ "$t" != "$ksft_kernel" ] || targets+=("$t-$c") ;;
			*) targets+=("$t-$c") ;;
			esac
		done
	done
	if [ "${#targets[@]}" -eq 0 ]; then
		echo "test.sh: CONFIGS='$configs' gives no target for ${kernels[*]} (kselftest: one 6.12 kernel, without TESTS=)" >&2
		exit 2
	fi
fi
# The kernel target and DMA configuration of a target name.
target_kernel() { local k=${1%-iommu}; k=${k%-nopools}; k=${k%-heaps}; k=${k%-kselftest}; echo "${k%-bounce}"; }
target_config() {
	case $1 in
	*-iommu) echo iommu ;; *-bounce) echo bounce ;; *-nopools) echo nopools ;; *-heaps) echo heaps ;;
	*-kselftest) echo kselftest ;;
	*) echo direct ;;
	esac
}

# shellcheck source=scripts/build-lib.sh
. "$root/scripts/build-lib.sh"
# shellcheck source=scripts/ktap-lib.sh
. "$root/scripts/ktap-lib.sh"

# Sets ARCH KVER KRELEASE KERNEL KDIR MODDIR (and DEB_VERSION) for a target.
load_target() {
	local t=$1
	if [ "${t#*-}" = debug ]; then
		local env
		env=$("$scripts/debug-kernel.sh" "${t%-debug}") || return 1
		# shellcheck source=/dev/null
		. "$env"
	elif [ "${t#*-}" = custom ]; then
		ARCH=${t%-custom} KVER=custom DEB_VERSION="your build" KDIR=$custom_kdir KERNEL=$custom_kernel
		KRELEASE=$(cat "$KDIR/include/config/kernel.release")
		MODDIR=$custom_moddir
		if [ -z "$MODDIR" ] && [ -s "$KDIR/modules.order" ]; then
			# A modules_install of the tree, redone only when it rebuilt modules.
			local mr=$build/$t/modroot
			if [ ! -e "$mr/.stamp" ] || [ "$KDIR/modules.order" -nt "$mr/.stamp" ]; then
				log "$t" "installing the tree's modules into $mr..."
				rm -rf "$mr"
				make -s -C "$KDIR" ARCH="$(kbuild_arch "$ARCH")" CROSS_COMPILE="$(cross_for "$ARCH")" \
					INSTALL_MOD_PATH="$mr" INSTALL_MOD_STRIP=1 DEPMOD=true modules_install >&2
				touch "$mr/.stamp"
			fi
			MODDIR=$mr/lib/modules/$KRELEASE
		fi
		[ -n "$MODDIR" ] || log "$t" "no modules for the guest (MODDIR=): vgem tests will skip, results come over the console unless virtio-blk is built in"
	else
		local dir
		dir=$("$scripts/fetch-kernel.sh" "${t%-*}" "${t#*-}")
		# shellcheck source=/dev/null
		. "$dir/target.env"
	fi
}

# cmheap.ko and cmheap_test.ko for one target, built in a copy of kernel/ and include/ so that
# targets never share objects.
build_target_module() {
	build_module "$KDIR" "$ARCH" "$build/$1"
}

# The selftests depend on the architecture only: one build per arch.
build_selftests() {
	local arch=$1 out=$build/selftests-$1
	if ! make -C "$root/selftests" -j"$jobs" OUTPUT="$out" CROSS_COMPILE="$(cross_for "$arch")" \
		KSFT_DIR="$ksft" >"$out.log" 2>&1; then
		tail -n 30 "$out.log" >&2
		return 1
	fi
}

# The selftests as a kernel tree's kselftest target, once per arch: a tree
# of Debian's 6.12 kselftest folder (and the one kbuild file its Makefile
# reads), the selftests dropped into it by their own Makefile, then
# kselftest's install into build/kselftest-ARCH.
build_kselftest() {
	local arch=$1 tree=$build/kselftest-tree-$1 out=$build/kselftest-$1
	rm -rf "$tree" "$out"
	mkdir -p "$tree/tools/testing" "$tree/scripts"
	cp -a "$ksft" "$tree/tools/testing/"
	cp "$ksft/../../../scripts/subarch.include" "$tree/scripts/"
	if ! {
		make -C "$root/selftests" dropin KSRC="$tree" &&
			make -C "$tree/tools/testing/selftests" -j"$jobs" TARGETS=cmheap \
				ARCH="$(kbuild_arch "$arch")" CROSS_COMPILE="$(cross_for "$arch")" \
				install INSTALL_PATH="$out"
	} >"$out.log" 2>&1; then
		tail -n 30 "$out.log" >&2
		return 1
	fi
}

# The guest's job: run the selftests, KTAP to the console and to ktap.txt:
# all of them mapped directly; the data-path and binding tests (and the
# kernel's log checks) in the other DMA configurations.
write_job() {
	local tests=''
	# shellcheck disable=SC2016 # $leaks is the guest's
	case $2 in
	direct | nopools | heaps) ;;
	*) tests='datapath_test bind_test sync_range_test $leaks kernel_log' ;;
	esac
	# TESTS= picks, in every configuration; the kernel's log is judged too
	# shellcheck disable=SC2016 # $leaks is the guest's
	[ -z "$want_tests" ] || tests="$want_tests"' $leaks kernel_log'
	if [ "$2" = kselftest ]; then
		# kselftest's runner exits 0 whatever failed: the KTAP decides
		cat >"$1" <<EOF
# Written by scripts/test.sh: the selftests as kselftest runs them.
# Its runner calls GNU timeout's --foreground, which busybox's lacks.
rm -f /usr/bin/timeout
cat >/usr/bin/timeout <<'WRAPPER'
#!/bin/sh
[ "\$1" != --foreground ] || shift
exec busybox timeout "\$@"
WRAPPER
chmod +x /usr/bin/timeout
cd /cmheap/kselftest || exit 1
./run_kselftest.sh --collection cmheap | tee "\$RESULTS/ktap.txt"
echo 0 >"\$RESULTS/run-rc.txt"
EOF
		return
	fi
	cat >"$1" <<EOF
# Written by scripts/test.sh: the selftests job for scripts/guest/init.sh.
export CMHEAP_TIMEOUT=$test_timeout
cd /cmheap/selftests || exit 1
leaks=''
[ -w /sys/kernel/debug/kmemleak ] && leaks=kmemleak
{ ./run.sh $tests; echo \$? >"\$RESULTS/run-rc.txt"; } | tee "\$RESULTS/ktap.txt"
exit "\$(cat "\$RESULTS/run-rc.txt")"
EOF
}


ksft=
if [ "$mode" = test ]; then
	ksft=$("$scripts/fetch-source.sh")/tools/testing/selftests
fi

total_p=0 total_f=0 total_s=0
summary=()
declare -A selftests_ok=() kernel_error=()
kselftest_error=

# Builds what every configuration of one kernel boots, once: the modules for
# it and the selftests for its architecture.  Sets kernel_error[KERNEL] on
# failure.
prepare_kernel() {
	local kt=$1
	log "$kt" "fetching kernel..."
	if ! load_target "$kt" || [ ! -r "$KERNEL" ] || [ ! -d "$KDIR" ]; then
		kernel_error[$kt]="no kernel for $kt (fetch-kernel.sh, or KDIR=/KERNEL=)"
		return 1
	fi
	log "$kt" "building cmheap.ko and cmheap_test.ko for $KRELEASE ($DEB_VERSION)..."
	if ! build_target_module "$kt"; then
		kernel_error[$kt]="the modules did not build (build/$kt/module.log)"
		return 1
	fi
	[ "$mode" = modules ] && return 0
	if [ -z "${selftests_ok[$ARCH]:-}" ]; then
		log "$kt" "building selftests for $ARCH..."
		if build_selftests "$ARCH"; then selftests_ok[$ARCH]=yes; else selftests_ok[$ARCH]=no; fi
	fi
	if [ "${selftests_ok[$ARCH]}" != yes ]; then
		kernel_error[$kt]="selftests did not build (build/selftests-$ARCH.log)"
		return 1
	fi
	if [ "$kt" = "$ksft_kernel" ] && [[ " $configs " == *" kselftest "* ]]; then
		log "$kt" "dropping the selftests into a kselftest tree, building them there..."
		build_kselftest "$ARCH" ||
			kselftest_error="the kselftest drop-in did not build (build/kselftest-$ARCH.log)"
	fi
}

# Boots one target (a kernel prepared above, in one configuration) and
# judges what came back; prints its KTAP; sets target_p/f/s, target_notes
# and target_error.  Returns non-zero on a target-level failure.
run_target() {
	local t=$1 dir=$build/$1 kt cfg
	kt=$(target_kernel "$t")
	cfg=$(target_config "$t")
	mkdir -p "$dir"
	if [ -n "${kernel_error[$kt]:-}" ]; then
		target_error=${kernel_error[$kt]}
		return 1
	fi
	if [ "$cfg" = kselftest ] && [ -n "$kselftest_error" ]; then
		target_error=$kselftest_error
		return 1
	fi
	load_target "$kt" >/dev/null || { target_error="no kernel for $kt"; return 1; }
	log "$t" "building initramfs..."
	local payload=$dir/payload
	rm -rf "$payload"
	mkdir -p "$payload/selftests"
	# heaps: cmheap.ko alone, as a board that ships only the heaps
	cp "$build/$kt/cmheap.ko" "$payload/"
	[ "$cfg" = heaps ] || cp "$build/$kt/cmheap_test.ko" "$payload/"
	if [ "$cfg" = kselftest ]; then
		cp -a "$build/kselftest-$ARCH" "$payload/kselftest"
	else
		(cd "$build/selftests-$ARCH" && find . -maxdepth 1 -type f -perm -u+x -exec cp {} "$payload/selftests/" \;)
	fi
	write_job "$payload/job.sh" "$cfg"
	# The debug kernel's guest is small (384 MiB of RAM besides the
	# carveouts, unless MEM= says): its memory tests then exhaust a machine
	# under memory pressure, with KASAN, kmemleak and lockdep watching the
	# heaps' failure paths.
	local mem=${MEM:-2G} words
	[ "${kt#*-}" != debug ] || mem=${MEM:-576M}
	mapfile -t words < <(carveout_for "$ARCH" "$mem")
	# The modules' parameters, read by scripts/guest/init.sh; qemu-run.sh
	# gives the edu device a 64-bit DMA mask.
	local params="${words[1]}"
	[ "$cfg" != nopools ] || params="$params pools=0"
	# Every configuration but heaps keeps cmheap's own nodes: where the
	# kernel lets modules register heaps with its framework (7.3), the
	# framework would hold them for good, and rmmod_test's reloads need
	# the module to go.  heaps takes the default, as a board would: the
	# framework where the kernel allows.
	[ "$cfg" = heaps ] || params="$params registration=misc"
	# and answers to Android's heap names, as a board's modprobe.d may ask
	# (by the same route as its own nodes: heap_alloc_test checks them)
	[ "$cfg" != heaps ] || params="$params userspace_names=1"
	echo "$params" >"$payload/cmheap.params"
	[ "$cfg" = heaps ] || echo "edu_dma_bits=64" >"$payload/cmheap_test.params"
	# arm64: 4 GiB and 64 MiB more past the carveouts, the kernel's by
	# no means (mem=) and set aside in the device tree (a no-map
	# reserved-memory node), for rmmod_test's pageless_over_4g: a page-less
	# buffer too long for one scatterlist entry.  QEMU touches none of it
	# until the test does.  Not for the debug kernel: KASAN's shadow of
	# the region's 4 GiB kernel mapping alone (512 MiB) is more than its
	# guest's RAM.
	local machine=${words[3]} reserved=${words[2]}
	if [ "$ARCH" = arm64 ] && [ "$cfg" != kselftest ] && [ "${kt#*-}" != debug ]; then
		local spare=$((0x40000000 + (${machine%M} << 20)))
		printf '4160M@%#x\n' $spare >"$payload/cmheap.spare"
		reserved="$reserved $(printf '%#x:%#x:-' $spare $((4160 << 20)))"
		machine=$((${machine%M} + 4160))M
	fi
	local mods=()
	[ -n "$MODDIR" ] && mods=(--moddir "$MODDIR" --modules "$guest_modules")
	if ! "$scripts/mkinitramfs.sh" --arch "$ARCH" --out "$dir/initramfs.cpio" --payload "$payload" "${mods[@]}"; then
		target_error="initramfs did not build"
		return 1
	fi

	local rc=0
	local dma_config=$cfg
	case $cfg in nopools | heaps | kselftest) dma_config=direct ;; esac
	# arm64: a device that sees RAM 1 GiB lower (bind_test's dma_ranges)
	MEM=$machine APPEND="${APPEND:+$APPEND }${words[0]}" TAG=$t DT_RESERVED="$reserved" DT_DMA_OFFSET=0x40000000 DMA_CONFIG=$dma_config \
		"$scripts/qemu-run.sh" "$ARCH" "$KERNEL" "$dir/initramfs.cpio" "$dir/results" "$timeout" || rc=$?
	local res=$dir/results
	if [ -f "$res/ktap.txt" ]; then
		cat "$res/ktap.txt"
	fi
	if [ "$rc" -eq 124 ]; then
		target_error="guest timed out after $timeout s (build/$t/results/console.log)"
		return 1
	elif [ "$rc" -ne 0 ]; then
		target_error="guest failed, no results (build/$t/results/console.log)"
		return 1
	fi
	local status
	status=$(cat "$res/status.txt")
	case $status in
	ok) ;;
	insmod-failed)
		target_error="a module failed to load: $(tr '\n' ' ' <"$res/insmod.txt")"
		return 1 ;;
	job-timeout)
		target_error="selftests killed at the guest's deadline (build/$t/results/console.log)" ;;
	*)
		target_error="guest status '$status'"
		return 1 ;;
	esac
	if [ ! -s "$res/ktap.txt" ]; then
		target_error="no KTAP came back (build/$t/results/console.log)"
		return 1
	fi
	local p f s notes
	read -r p f s notes < <(count_ktap "$res/ktap.txt")
	target_p=$p target_f=$f target_s=$s
	[ -n "$notes" ] && target_notes="(${notes# })"
	# The KTAP counts must explain a failing run.sh; if not, say so.
	if [ "$(cat "$res/run-rc.txt" 2>/dev/null || echo missing)" != 0 ] && [ "$f" -eq 0 ]; then
		target_f=1
		target_notes="run.sh failed with no failing test"
	fi
	[ "$status" = ok ] || return 1
	return 0
}

overall=0
# tally P F S: add to the totals.
tally() {
	total_p=$((total_p + $1)) total_f=$((total_f + $2)) total_s=$((total_s + $3))
	[ "$2" -eq 0 ] || overall=1
}
# Host-side checks that need no guest, first: the guests' PID 1 scripts
# refuse to run on a host (scripts/test-guest-guard.sh, in a sandbox), make
# install gives a user's program the library (scripts/test-install.sh), and
# lint's licence and documentation checks find what they are for
# (scripts/test-spdx-check.sh, test-doc-check.sh), make test's own counts
# are right for both runners' KTAP (scripts/test-ktap-lib.sh), the judge
# of the guests' kernel log finds what it is for (scripts/test-kernel-log.sh),
# every command answers --help and refuses what it does not know, without
# side effects (scripts/test-help.sh).
if [ "$mode" = test ]; then
	echo
	echo "=== host checks ==="
	t0=$SECONDS
	hc_log=$build/test-host.log
	mkdir -p "$build"
	hc_rc=0
	: >"$hc_log"
	for hc in test-guest-guard test-install test-spdx-check test-doc-check test-ktap-lib test-kernel-log test-help; do
		"$scripts/$hc.sh" 2>&1 | tee -a "$hc_log" || hc_rc=$?
	done
	read -r hc_p hc_f hc_s < <(count_tap "$hc_log" "$hc_rc")
	tally "$hc_p" "$hc_f" "$hc_s"
	line="host-checks: $hc_p passed, $hc_f failed, $hc_s skipped ($((SECONDS - t0)) s)"
	echo "[host-checks] ${line#*: }"
	summary+=("$line")
fi
# 1. Each kernel's module and the selftests, once, one after the other.
for kt in "${kernels[@]}"; do
	prepare_kernel "$kt" || log "$kt" "FAILED: ${kernel_error[$kt]}"
	if [ "$mode" = modules ]; then
		line="$kt: ${kernel_error[$kt]:-built build/$kt/cmheap.ko and cmheap_test.ko}"
		echo "[$kt] ${line#*: }"
		summary+=("$line")
		[ -z "${kernel_error[$kt]:-}" ] || overall=1
	fi
done

# 2. The guests, GUESTS at a time (default 2: each TCG guest keeps about
# one host thread busy), each target's output kept in build/<target>/
# test.log and printed whole when it ends, in the order of the targets.
# A target's counts come back in build/<target>/outcome.
guest_job() { # TARGET
	local t=$1 rc=0 t0=$SECONDS tail_pid
	target_error='' target_notes='' target_p=0 target_f=0 target_s=0
	# Progress while the guest runs: each binary's result, and any failing
	# test, as the guest prints them, to make test's own output (fd 7); the
	# target's whole KTAP follows when it ends.
	exec 8> >(awk -v t="$t" '{ sub(/\r$/, "") }
		/^(not )?ok [0-9]+ |^(  |# )not ok / { print "[" t "] " $0; fflush() }' >&7)
	rm -f "$build/$t/results/console.log"	# not the last run's lines
	tail -n +1 -F "$build/$t/results/console.log" >&8 2>/dev/null &
	tail_pid=$!
	run_target "$t" || rc=1
	sleep 2	# tail polls each second where inotify is missing: its last lines
	kill "$tail_pid" 2>/dev/null || true
	exec 8>&-
	# fields apart by US (0x1f): not whitespace, so empty ones stay
	printf '%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\x1f%s\n' "$rc" "$target_p" "$target_f" "$target_s" \
		"$((SECONDS - t0))" "$target_notes" "$target_error" >"$build/$t/outcome"
}
if [ "$mode" = test ]; then
	exec 7>&1
	guests=${GUESTS:-2}
	declare -A pid_of=()
	next=0
	start_next() {
		[ "$next" -lt "${#targets[@]}" ] || return 0
		local t=${targets[$next]}
		mkdir -p "$build/$t"
		rm -f "$build/$t/outcome"
		log "$t" "started"
		guest_job "$t" >"$build/$t/test.log" 2>&1 &
		pid_of[$t]=$!
		next=$((next + 1))
	}
	while [ "$next" -lt "$guests" ] && [ "$next" -lt "${#targets[@]}" ]; do start_next; done
	for t in "${targets[@]}"; do
		wait "${pid_of[$t]}" || true
		start_next
		echo
		echo "=== $t ==="
		cat "$build/$t/test.log"
		if ! IFS=$'\x1f' read -r rc target_p target_f target_s secs target_notes target_error \
			<"$build/$t/outcome" 2>/dev/null; then
			rc=1 target_p=0 target_f=0 target_s=0 secs='?' target_notes='' target_error="no outcome (build/$t/test.log)"
		fi
		if [ "$rc" -ne 0 ]; then
			[ -n "$target_error" ] || target_error="failed"
			target_f=$((target_f + 1))
		fi
		tally "$target_p" "$target_f" "$target_s"
		accel=$(cat "$build/$t/results/accel.txt" 2>/dev/null || echo -)
		line="$t: $target_p passed, $target_f failed, $target_s skipped ($accel, $secs s)"
		[ -z "$target_notes" ] || line+=" $target_notes"
		[ -z "$target_error" ] || line+=" -- FAILED: $target_error"
		echo "[$t] ${line#*: }"
		summary+=("$line")
	done
fi

# The benchmark harness (scripts/test-bench.sh), counted with the selftests:
# BENCH_TEST=unit (the default) runs the tests that need no guest: the
# analysis layer's unit tests, compare's and the gate's verdicts on planted
# runs; BENCH_TEST=guest (make check) adds a tiny sweep in guests of each
# DMA route with its outputs checked, and the gate on a real planted
# regression; none (or NO_BENCH_TEST=1) leaves it out.  Its guests run
# Debian's kernels only.
bench_test=${BENCH_TEST:-unit}
[ "${NO_BENCH_TEST:-0}" != 1 ] || bench_test=none
[ -z "$custom_kernel" ] || [ "$bench_test" != guest ] || bench_test=unit
if [ "$mode" = test ] && [ "$bench_test" != none ]; then
	echo
	echo "=== bench harness ($bench_test) ==="
	t0=$SECONDS
	bt_log=$build/test-bench.log
	bt_rc=0
	# The default bench target (host architecture, 6.12: it has every
	# peer) when it is among those run, else the first of them.
	first=${kernels[0]}
	for t in "${kernels[@]}"; do
		[ "$t" = "$(uname -m | sed 's/aarch64/arm64/')-6.12" ] && first=$t
	done
	bt_args=()
	[ "$bench_test" = guest ] || bt_args=(--no-guest)
	ARCH=${first%-*} KVER=${first##*-} NO_DEPS=1 "$scripts/test-bench.sh" "${bt_args[@]}" 2>&1 |
		tee "$bt_log" || bt_rc=$?
	read -r bt_p bt_f bt_s < <(count_tap "$bt_log" "$bt_rc")
	tally "$bt_p" "$bt_f" "$bt_s"
	where="no guest"
	[ "$bench_test" != guest ] || where="$first, in guests"
	line="bench-harness ($where): $bt_p passed, $bt_f failed, $bt_s skipped ($((SECONDS - t0)) s)"
	echo "[bench-harness] ${line#*: }"
	summary+=("$line")
fi

echo
echo "=== summary ==="
printf '%s\n' "${summary[@]}"
if [ "$mode" = test ]; then
	closing="$total_p passed, $total_f failed"
	[ "$total_s" -eq 0 ] || closing+=", $total_s skipped"
	echo "$closing"
fi
exit "$overall"
