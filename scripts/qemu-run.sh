#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# qemu-run.sh: boot one guest, wait for it, bring its results back as files.
#
#   qemu-run.sh ARCH KERNEL INITRD OUTDIR [TIMEOUT_S]
#
# The initramfs (scripts/mkinitramfs.sh) holds the job; the guest writes a tar
# of its /results folder onto a virtio-blk disk (serial "cmheap-results") that
# is extracted here into OUTDIR, next to console.log (the serial console),
# qemu.log (QEMU's own stderr), accel.txt (kvm | tcg | tcg-icount) and
# elapsed.txt (wall seconds).  OUTDIR is emptied first.  A guest whose kernel
# has no virtio-blk sends the same tar base64-encoded over the console
# instead (slower, but any kernel with a serial console works).
#
# Environment:
#   ACCEL=auto|kvm|tcg  auto (default) uses KVM only for the host's own
#                       architecture and only if a probe boot under KVM reaches
#                       userspace; the verdict is cached per host boot in
#                       $BUILD/accel-ARCH.verdict.
#   ICOUNT=1            deterministic instruction counting (-icount, TCG only),
#                       with fixed guest randomness, clock and memory layout
#                       (DETERMINISTIC=0: instruction counting only).
#   MEM=2G SMP=2        guest memory and CPUs.
#   PREALLOC=1          back all guest memory with host memory before boot
#                       (-mem-prealloc): a guest's first touch of a page
#                       then costs no host page fault (the benchmark's).
#   CPU=...             override the -cpu model.
#   APPEND="..."        extra kernel command line words.
#   DISK_MB=256         size of the results disk (the tar must fit).
#   TAG=name            prefix of progress lines (default ARCH).
#   TCG_THREAD=single|multi  TCG threading (default: single for x86_64,
#                       multi for arm64; see below).
#   BOOT_RETRIES=1      boots again when a guest dies before its userspace.
#   DMA_CONFIG=direct|iommu|bounce  adds QEMU's edu PCI device (a DMA engine,
#                       driven by cmheap.ko; its full 64-bit DMA mask is
#                       what cmheap's edu_dma_bits=64 must say) in one of
#                       three DMA configurations: mapped directly; behind an
#                       IOMMU (x86: q35's intel-iommu, booted with
#                       intel_iommu=on; arm64: virt's SMMUv3); or with every
#                       streaming mapping bounced (swiotlb=force, 64 MiB).  Unset:
#                       no edu device.
#   DRIVES="SERIAL:FILE[:snapshot] ..."  more raw virtio-blk disks, each found
#                       in the guest by its serial (/sys/block/vd*/serial);
#                       snapshot: the guest's writes are dropped at exit
#                       (the board root filesystem of scripts/board.sh).
#   DT_RESERVED="BASE:SIZE:MODEL ..."  arm64: boot with QEMU's own device
#                       tree for this machine plus a no-map reserved-memory
#                       node per entry, compatible "cmheap,carveout" with
#                       cmheap,caching = MODEL (cached or uncached), as a
#                       board's device tree declares a carveout; MODEL -:
#                       a plain no-map node (memory set aside, which the
#                       module's carveout= parameter names).
#   DT_DMA_OFFSET=HEX   arm64: and a bus whose dma-ranges show its devices
#                       memory HEX lower than the CPU does (bus address 0
#                       is CPU address HEX, for 8 GiB), with one device on
#                       it no driver takes, cmheap-dma-ranges-test, for
#                       bind_test to hand to cmheap: a SoC's offset bus.
#
# Exit status: 0 results came back (the job's own verdict is in them),
# 124 the guest ran past TIMEOUT_S and was killed, 1 anything else.
set -euo pipefail
# shellcheck source=scripts/cli-lib.sh
. "$(dirname "$0")/cli-lib.sh"
cli_args 5 "$@"

usage="usage: qemu-run.sh ARCH KERNEL INITRD OUTDIR [TIMEOUT_S]"
arch=${1:?$usage}
kernel=${2:?$usage}
initrd=${3:?$usage}
out=${4:?$usage}
limit=${5:-600}

here=$(cd "$(dirname "$0")" && pwd)
build=${BUILD:-$here/../build}
accel_req=${ACCEL:-auto}
icount=${ICOUNT:-0}
mem=${MEM:-2G}
smp=${SMP:-2}
disk_mb=${DISK_MB:-256}
tag=${TAG:-$arch}

say() { echo "[$tag] $*" >&2; }

case $arch in
x86_64)
	qemu="qemu-system-x86_64"
	console=ttyS0
	host_arch=x86_64
	# q35 + modern virtio-pci; -nodefaults drops the NIC/VGA we have no use for.
	machine=(-M q35)
	tcg_cpu=max
	# x86 kernels patch live code with int3 (text_poke_bp) while other CPUs
	# run it; with one host thread per vCPU, TCG sometimes executes a stale
	# int3 and the guest oopses at boot.  One thread for all vCPUs removes
	# the race and costs little here (the tests are mostly single-threaded).
	tcg_thread=single
	;;
arm64)
	qemu="qemu-system-aarch64"
	console=ttyAMA0
	host_arch=aarch64
	machine=(-M virt)
	# cortex-a57 boots Debian's kernels and is the fastest to emulate (max
	# adds pointer authentication, which TCG emulates slowly).
	tcg_cpu=cortex-a57
	# arm64 patches code under stop_machine: multi-threaded TCG is safe.
	tcg_thread=multi
	;;
*) echo "qemu-run: unsupported ARCH '$arch'" >&2; exit 2 ;;
esac
# The edu device, and what puts an IOMMU or bounce buffers in its way.
dma_devs=()
dma_cmdline=""
case ${DMA_CONFIG:-} in
'') ;;
direct | iommu | bounce)
	if [ "$DMA_CONFIG" = iommu ]; then
		if [ "$arch" = x86_64 ]; then
			# before the devices it translates, as QEMU requires
			dma_devs=(-device intel-iommu)
			dma_cmdline="intel_iommu=on"
		else
			machine=(-M "virt,iommu=smmuv3")
		fi
	fi
	# 32896 slabs of 2 KiB: 64 MiB and one 256 KiB segment, about x86's
	# default.  arm64 6.12 shrinks a pool of the default size to 1 MiB,
	# too small to bounce one test buffer, and keeps any other size.
	[ "$DMA_CONFIG" = bounce ] && dma_cmdline="swiotlb=32896,force"
	# and a PCI device no driver claims, for the driver_override binding
	# of a board's device (selftests/bind_test.c)
	dma_devs+=(-device "edu,dma_mask=0xffffffffffffffff" -device pci-testdev)
	;;
*) echo "qemu-run: DMA_CONFIG must be direct, iommu or bounce" >&2; exit 2 ;;
esac

for f in "$kernel" "$initrd"; do
	[ -r "$f" ] || { echo "qemu-run: cannot read $f" >&2; exit 2; }
done

base_cmd=("$qemu" "${machine[@]}" -nodefaults -no-user-config -display none -no-reboot)
# init_on_alloc=0: Debian enables zeroing of every page allocation, which
# would hide a heap that forgets to zero its buffers from the tests.
# cmheap_guest=1: the mark without which scripts/guest/*.sh refuse to run.
# log_buf_len=2M: the debug kernels' 128 KiB ring wraps during a full run
# (the fault walks' allocation-failure reports take 5 KiB each; a whole
# run logs about 0.5 MiB), and the kernel's log is a judge (selftests/
# run.sh kernel_log) only while it holds everything since the tests began.
# No more: it is memory the pool tests' pressure would miss (16 MiB of the
# debug guest's 384 left a pool test short and the guest out of memory).
cmdline="console=$console panic=-1 quiet loglevel=4 log_buf_len=2M init_on_alloc=0 cmheap_guest=1${dma_cmdline:+ $dma_cmdline}"

# Boot the real kernel and initramfs under KVM with a trivial job (the init
# prints a marker and powers off).  Broken nested KVM shows up here either as
# QEMU aborting at once or as a guest that never prints anything, so wait at
# most PROBE_TIMEOUT seconds.
probe_kvm() {
	[ "$(uname -m)" = "$host_arch" ] || return 1
	[ -r /dev/kvm ] && [ -w /dev/kvm ] || return 1
	local tmp pid t0 ok=1
	tmp=$(mktemp -d)
	local extra=()
	[ "$arch" = arm64 ] && extra=(-M "virt,gic-version=host")
	"${base_cmd[@]}" "${extra[@]}" -accel kvm -cpu host -smp 1 -m 256M \
		-serial "file:$tmp/console" -kernel "$kernel" -initrd "$initrd" \
		-append "$cmdline cmheap_probe=1" </dev/null >"$tmp/qemu" 2>&1 &
	pid=$!
	t0=$SECONDS
	while [ $((SECONDS - t0)) -lt "${PROBE_TIMEOUT:-10}" ]; do
		if grep -q 'cmheap-init: probe-ok' "$tmp/console" 2>/dev/null; then
			ok=0
			break
		fi
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.2
	done
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	rm -rf "$tmp"
	return "$ok"
}

choose_accel() {
	case $accel_req in
	kvm | tcg) echo "$accel_req"; return ;;
	auto) ;;
	*) echo "qemu-run: ACCEL must be auto, kvm or tcg" >&2; exit 2 ;;
	esac
	if [ "$(uname -m)" != "$host_arch" ]; then
		echo tcg
		return
	fi
	# A verdict holds until the host reboots (its boot_id changes).
	local boot_id verdict_file=$build/accel-$arch.verdict
	boot_id=$(cat /proc/sys/kernel/random/boot_id 2>/dev/null || echo unknown)
	if [ -r "$verdict_file" ] && [ "$(cut -d' ' -f1 "$verdict_file")" = "$boot_id" ]; then
		cut -d' ' -f2 "$verdict_file"
		return
	fi
	local v=tcg t0=$SECONDS
	say "probing KVM..."
	if probe_kvm; then v=kvm; fi
	say "KVM probe: using $v ($((SECONDS - t0)) s)"
	mkdir -p "$build"
	echo "$boot_id $v" >"$verdict_file"
	echo "$v"
}

accel=$(choose_accel)
if [ "$icount" = 1 ]; then
	# -icount needs TCG.  sleep=off lets virtual time run ahead while the
	# guest idles, so it no longer depends on the host's wall clock.  What
	# else differs between two boots is what the guest seeds its randomness
	# and memory layout from: QEMU's RNG (RDRAND/RNDR), the RTC, KASLR, mmap
	# ASLR and the page allocator's shuffling.  Fix them all, so that two
	# runs of one build repeat (scripts/bench-check.sh relies on it).
	# DETERMINISTIC=0 keeps only the instruction counting.
	accel=tcg
	accel_opts=(-accel tcg -icount "shift=0,sleep=off" -cpu "${CPU:-$tcg_cpu}")
	if [ "${DETERMINISTIC:-1}" = 1 ]; then
		accel_opts+=(-seed 1 -rtc "base=2025-01-01T00:00:00,clock=vm")
		# maxcpus=1: boot on one CPU (deferred struct-page init and
		# other boot work then run in one order); guest/init.sh brings
		# the other CPUs online before the job.
		cmdline="$cmdline nokaslr norandmaps page_alloc.shuffle=0 maxcpus=1"
	fi
	accel_name=tcg-icount
elif [ "$accel" = kvm ]; then
	accel_opts=(-accel kvm -cpu "${CPU:-host}")
	# The guest's GIC must be the host's own kind under KVM.
	[ "$arch" = arm64 ] && accel_opts+=(-M "virt,gic-version=host")
	accel_name=kvm
else
	accel_opts=(-accel "tcg,thread=${TCG_THREAD:-$tcg_thread}" -cpu "${CPU:-$tcg_cpu}")
	accel_name=tcg
fi

rm -rf "$out"
mkdir -p "$out"
out=$(cd "$out" && pwd)
echo "$accel_name" >"$out/accel.txt"
# and for the guest (bench.sh's job, guest/board-init.sh): what runs it
cmdline+=" cmheap_accel=$accel_name"

# The machine's device tree as QEMU makes it for exactly these options
# (dumpdtb), with the reserved-memory nodes added: dtc merges a second
# definition of a node into the first.
dtb_opts=()
if [ "$arch" = arm64 ] && [ -n "${DT_RESERVED:-}${DT_DMA_OFFSET:-}" ]; then
	"${base_cmd[@]}" "${accel_opts[@]}" -smp "$smp" -m "$mem" \
		-M "dumpdtb=$out/machine.dtb" >"$out/qemu.log" 2>&1
	{
		dtc -q -I dtb -O dts "$out/machine.dtb"
		echo '/ { reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;'
		for r in $DT_RESERVED; do
			IFS=: read -r b s m <<<"$r"
			reg=$(printf '%#x %#x %#x %#x' $((b >> 32)) $((b & 0xffffffff)) $((s >> 32)) $((s & 0xffffffff)))
			if [ "$m" = - ]; then
				printf 'reserved@%x { reg = <%s>; no-map; };\n' $((b)) "$reg"
			else
				printf 'cmheap-carveout@%x { compatible = "cmheap,carveout"; reg = <%s>; no-map; cmheap,caching = "%s"; };\n' \
					$((b)) "$reg" "$m"
			fi
		done
		echo '}; };'
		if [ -n "${DT_DMA_OFFSET:-}" ]; then
			o=$((DT_DMA_OFFSET))
			echo '/ { cmheap-dma-ranges { compatible = "simple-bus"; #address-cells = <2>; #size-cells = <2>; ranges;'
			printf 'dma-ranges = <0x0 0x0 %#x %#x 0x2 0x0>;\n' $((o >> 32)) $((o & 0xffffffff))
			echo 'cmheap-dma-ranges-test@b100000 { compatible = "cmheap,dma-ranges-test"; reg = <0x0 0xb100000 0x0 0x1000>; }; }; };'
		fi
	} >"$out/machine.dts"
	dtc -q -I dts -O dtb -o "$out/machine.dtb" "$out/machine.dts"
	dtb_opts=(-dtb "$out/machine.dtb")
fi
drive_opts=()
n=0
for d in ${DRIVES:-}; do
	IFS=: read -r serial file mode <<<"$d"
	[ -r "$file" ] || { echo "qemu-run: DRIVES: cannot read $file" >&2; exit 2; }
	n=$((n + 1))
	drive_opts+=(-drive "file=$file,format=raw,if=none,id=drive$n${mode:+,$mode=on}"
		-device "virtio-blk-pci,drive=drive$n,serial=$serial")
done
disk=$(mktemp "$out/../.results-disk.XXXXXX")
trap 'rm -f "$disk"' EXIT

# Give the guest's job a deadline 30 s inside ours (when there is room), so
# a hung job still returns dmesg and partial results; ours is the backstop.
if [ "$limit" -gt 60 ]; then
	cmdline+=" cmheap_job_timeout=$((limit - 30))"
fi

prealloc=()
[ "${PREALLOC:-0}" != 1 ] || prealloc=(-mem-prealloc)

boot() {
	rm -f "$out/console.log" "$out/qemu.log"
	: >"$disk"
	truncate -s "${disk_mb}M" "$disk"
	t0=$SECONDS
	rc=0
	timeout --kill-after=10 "$limit" \
		"${base_cmd[@]}" "${accel_opts[@]}" -smp "$smp" -m "$mem" "${prealloc[@]}" \
		-serial "file:$out/console.log" \
		-kernel "$kernel" -initrd "$initrd" "${dtb_opts[@]}" \
		-append "$cmdline${APPEND:+ $APPEND}" "${dma_devs[@]}" "${drive_opts[@]}" \
		-drive "file=$disk,format=raw,if=none,id=results" \
		-device virtio-blk-pci,drive=results,serial=cmheap-results \
		</dev/null >"$out/qemu.log" 2>&1 || rc=$?
	elapsed=$((SECONDS - t0))
	echo "$elapsed" >"$out/elapsed.txt"
}

say "booting guest ($accel_name, $smp cpus, $mem, limit ${limit} s)..."
boot
# A guest that died before its userspace started never reached anything of
# ours: that is the emulator or the machine, so boot once more
# (BOOT_RETRIES) and keep the first console for whoever wants to look.
retries=${BOOT_RETRIES:-1}
while [ "$retries" -gt 0 ] && [ "$rc" -ne 124 ] && [ "$rc" -ne 137 ] &&
	! grep -q 'cmheap-init: userspace up' "$out/console.log" 2>/dev/null; do
	retries=$((retries - 1))
	n=$(find "$out" -maxdepth 1 -name 'console.failed-boot*.log' | wc -l)
	mv "$out/console.log" "$out/console.failed-boot$((n + 1)).log" 2>/dev/null || true
	say "guest died before reaching userspace (see console.failed-boot$((n + 1)).log): booting again..."
	boot
done

# Show why a guest failed without making the reader open console.log.
tail_console() {
	echo "---- last lines of $out/console.log ----" >&2
	tail -n 25 "$out/console.log" >&2 || true
	if [ -s "$out/qemu.log" ]; then
		echo "---- $out/qemu.log ----" >&2
		tail -n 10 "$out/qemu.log" >&2
	fi
	echo "----" >&2
}

if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
	say "TIMEOUT: guest still running after ${limit} s, killed"
	echo "timeout after ${limit} s" >"$out/timeout.txt"
	tail_console
	exit 124
fi
if [ "$rc" -ne 0 ]; then
	say "QEMU exited with status $rc after ${elapsed} s"
fi

# An all-zero disk is a valid empty tar: status.txt (written last by the
# guest) is what proves the results are complete.
tar -xf "$disk" -C "$out" --no-same-owner 2>"$out/untar.log" || true
if [ ! -s "$out/status.txt" ] && grep -q '^cmheap-results-end' "$out/console.log"; then
	# The guest had no results disk and sent them over the console instead.
	sed -n '/^cmheap-results-begin/,/^cmheap-results-end/{/^cmheap-results-/d;s/\r$//;p}' "$out/console.log" |
		base64 -d | tar -xzf - -C "$out" --no-same-owner 2>>"$out/untar.log" || true
	[ -s "$out/status.txt" ] && say "results came back over the console (no virtio-blk in the guest)"
fi
if [ ! -s "$out/status.txt" ]; then
	say "FAILED: no results came back from the guest (after ${elapsed} s)"
	tail_console
	exit 1
fi
rm -f "$out/untar.log"
say "guest done in ${elapsed} s (status: $(cat "$out/status.txt"))"
