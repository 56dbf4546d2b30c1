#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# board.sh [ARCH]: the README's real-hardware commands, run as written on a
# Debian 12 system standing in for a board (`make test-board`), and the
# board's life after them: a kernel upgrade, a reboot, the removal.
#
# The system is scripts/board-image.sh's root filesystem for ARCH (default:
# the host's), booted in QEMU with its own kernel and initrd, the way a
# board boots its Debian; the repository (this work tree, without build/,
# out/ and .git/) comes in on a second disk.  Two boots of one copy of the
# image (the cached image stays as it was):
#   1. scripts/guest/board-init.sh runs the first block of README.md's "On
#      real hardware" line by line (make deb, apt install of both packages,
#      modprobe, the selftests, cmheap-bench and its report), then
#      installs the second kernel the image holds; DKMS must build cmheap
#      for it.
#   2. this script boots the newest kernel of the copy's /boot (as a
#      board's boot loader would) with its initrd; board-init.sh checks
#      the heaps are back with /etc/modprobe.d's options, runs the
#      selftests again and removes both packages, which must leave nothing.
#
# Results in build/board-ARCH/ (results/ and results-2/: steps.tsv,
# step-N.log, dmesg.txt, dkms-status.txt; results/bench/ with report.md),
# and a TAP line per check on stdout.  The guest has no network, so the
# kselftest header it would fetch once from Debian's archive
# (scripts/fetch-source.sh) is seeded from the host's cache.  Environment:
# TIMEOUT (s per boot, default 5400), MEM (default 2G), SMP, ACCEL as for
# qemu-run.sh.  Exit status: 0 when every check passed.
set -euo pipefail
# shellcheck source=scripts/cli-lib.sh
. "$(dirname "$0")/cli-lib.sh"
cli_args 1 "$@"
cli_picks
export PATH=$PATH:/usr/sbin:/sbin

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=scripts/build-lib.sh
. "$root/scripts/build-lib.sh"
host_arch=$(uname -m)
case $host_arch in aarch64) host_arch=arm64 ;; esac
arch=${1:-${ARCH:-$host_arch}}
unset ARCH KVER KDIR KERNEL CROSS_COMPILE MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
t0=$SECONDS
say() { echo "[board $arch $(printf '%4d' $((SECONDS - t0)))s] $*" >&2; }

env_file=$("$here/board-image.sh" "$arch")
# shellcheck source=/dev/null
. "$env_file"
work=$root/build/board-$arch
rm -rf "$work"
mkdir -p "$work/seed"

# The repository as a board's user would have cloned it, the host's
# kselftest header in the seed cache, and a label saying where this ran.
ksft=$("$here/fetch-source.sh")
mkdir -p "$work/seed/board-seed/cache"
cp -a "$ksft" "$work/seed/board-seed/cache/"
rev=$(git -C "$root" describe --always --dirty --abbrev=12 2>/dev/null || echo unknown)
tree_tar "$work/src.tar"
tar -rf "$work/src.tar" -C "$work/seed" board-seed
# A copy of the image to live in (sparse: only what the image holds).
disk=$work/rootfs.img
cp --sparse=always "$IMAGE" "$disk"
trap 'rm -f "$disk"' EXIT

n=0 failed=0
check() { # DESCRIPTION COMMAND...
	local d=$1
	shift
	n=$((n + 1))
	if "$@" >/dev/null 2>&1; then
		echo "ok $n - $d"
	else
		failed=$((failed + 1))
		echo "not ok $n - $d"
	fi
}

# boot PHASE KERNEL INITRD RESULTS: one boot of the copy; its checks.
boot() {
	local phase=$1 kernel=$2 initrd=$3 res=$4 rc=0 i=0 cmd step failed_step
	DRIVES="cmheap-board:$disk cmheap-src:$work/src.tar" MEM=${MEM:-2G} TAG="board $arch $phase" \
		APPEND="root=LABEL=cmheap-board rw init=/usr/local/sbin/cmheap-board-launch cmheap_rev=$rev cmheap_board_phase=$phase" \
		"$here/qemu-run.sh" "$arch" "$kernel" "$initrd" "$res" "${TIMEOUT:-5400}" || rc=$?
	check "boot $phase: the board guest ran and came back (qemu-run.sh exit $rc)" test "$rc" -eq 0
	check "boot $phase: board-init has its steps" test -s "$res/commands.txt"
	while IFS= read -r cmd; do
		i=$((i + 1))
		# shellcheck disable=SC2016 # an awk program
		check "boot $phase: step $i as written: $cmd" awk -F'\t' -v i="$i" '$1 == i && $2 == 0 { f = 1 } END { exit !f }' "$res/steps.tsv"
	done < <(cat "$res/commands.txt" 2>/dev/null)
	check "boot $phase: every step passed (status.txt: $(cat "$res/status.txt" 2>/dev/null || echo missing))" \
		grep -qx ok "$res/status.txt"
	# the steps that ran selftests/run.sh: their counts
	while IFS=: read -r step _; do
		[ -f "$res/step-$step.log" ] &&
			say "boot $phase, selftests (step $step): $(grep -c '^ok ' "$res/step-$step.log") ok, $(grep -c '^not ok ' "$res/step-$step.log") not ok (top level)"
	done < <(grep -n 'selftests/run\.sh' "$res/commands.txt" 2>/dev/null || true)
	# a step that failed: its log's end, and any OOM kill, for CI's log
	failed_step=$(awk -F'\t' '$2 != 0 { print $1; exit }' "$res/steps.tsv" 2>/dev/null || true)
	if [ -n "$failed_step" ]; then
		say "boot $phase: step $failed_step failed; the end of its log ($res/step-$failed_step.log):"
		tail -n 15 "$res/step-$failed_step.log" 2>/dev/null | sed 's/^/# /' >&2
		grep -E 'invoked oom-killer|Out of memory|Killed process' "$res/dmesg.txt" 2>/dev/null |
			sed 's/^/# kernel: /' >&2 || true
	fi
}

say "boot 1: Debian 12 ($KRELEASE) from a copy of $IMAGE, repository $rev..."
# shellcheck disable=SC2153 # KERNEL, INITRD: from board.env, sourced above
boot 1 "$KERNEL" "$INITRD" "$work/results"
res=$work/results
check "cmheap-bench and cmbench left a report" test -s "$res/bench/report.md"
check "its first line says where it ran (QEMU TCG, not hardware)" \
	grep -q '^> Measured in QEMU' "$res/bench/report.md"
check "its results.csv has rows" awk 'END { exit NR < 2 }' "$res/bench/results.csv"
check "it opens with the models' answers and says the break-even needs hardware" \
	grep -q '^_No break-even: needs hardware' "$res/bench/report.md"
check "its default sweep measured concurrency: the report draws throughput against threads" \
	grep -q '^## throughput vs threads' "$res/bench/report.md"

# The reboot: the newest kernel in the copy's /boot and its initrd, as a
# board's boot loader (GRUB's default, U-Boot's extlinux) would pick it.
newest=$(debugfs -R 'ls -p /boot' "$disk" 2>/dev/null |
	awk -F/ '$6 ~ /^vmlinuz-/ { sub(/^vmlinuz-/, "", $6); print $6 }' | sort -V | tail -n 1)
check "the upgrade left a newer kernel in /boot (newest: ${newest:-none}; booted: $KRELEASE)" \
	test -n "$newest" -a "$newest" != "$KRELEASE"
if [ -n "$newest" ] && [ "$newest" != "$KRELEASE" ]; then
	debugfs -R "dump /boot/vmlinuz-$newest $work/vmlinuz-$newest" "$disk" >/dev/null 2>&1
	debugfs -R "dump /boot/initrd.img-$newest $work/initrd.img-$newest" "$disk" >/dev/null 2>&1
	check "its kernel and initrd are there" test -s "$work/vmlinuz-$newest" -a -s "$work/initrd.img-$newest"
	say "boot 2: the upgrade, $newest..."
	boot 2 "$work/vmlinuz-$newest" "$work/initrd.img-$newest" "$work/results-2"
	check "boot 2 ran the upgraded kernel" grep -qx "$newest" "$work/results-2/release.txt"
fi
echo "# board $arch: $((SECONDS - t0)) s; $work"
echo "$((n - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
