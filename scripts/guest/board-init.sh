#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# scripts/guest/board-init.sh: PID 1 of the board guest (scripts/board.sh),
# started by the image's launcher (scripts/board-image.sh) from the
# repository it unpacked into /root/cmheap.  POSIX sh, on the Debian system
# of the image.
#
# It mounts over /tmp, renames the machine, writes /etc and powers off: on
# a host that would be harm, so it refuses to do anything unless it is PID
# 1 of a kernel booted by scripts/qemu-run.sh, whose command line carries
# cmheap_guest=1 (seen in init's environment, as the kernel passes it, or
# in /proc/cmdline, which the board's initramfs has mounted).
#
# It does what a kernel developer does on a board running Debian: the
# commands of the README's "On real hardware" block, exactly as written
# there (taken from README.md itself, so the two cannot drift apart), one
# after the other as root in /root/cmheap, stopping at the first failure.
# Each command's output goes to the console and to /results/step-N.log;
# /results/steps.tsv says what ran and how it ended.  Then the benchmark's
# results folder, dmesg and a status go back to the host as a tar on the
# virtio disk with serial cmheap-results, as the rig's guests do.
guest=${cmheap_guest:-}
if [ "$guest" != 1 ] && [ -r /proc/cmdline ]; then
	read -r cmdline </proc/cmdline
	for w in $cmdline; do
		[ "$w" != cmheap_guest=1 ] || guest=1
	done
fi
if [ "$$" != 1 ] || [ "$guest" != 1 ]; then
	case ${1:-} in
	-h | --help)
		echo "scripts/guest/board-init.sh: PID 1 of the cmheap board guest (scripts/board.sh boots it); run by hand it does nothing"
		exit 0 ;;
	esac
	echo "scripts/guest/board-init.sh: PID 1 of the cmheap board guest (scripts/board.sh boots it); not that here, so it does nothing" >&2
	exit 2
fi
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb LANG=C.UTF-8
say() { echo "cmheap-init: $*"; }

mountpoint -q /proc || mount -t proc proc /proc
mountpoint -q /sys || mount -t sysfs sysfs /sys
mountpoint -q /dev || mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm /run /tmp
mountpoint -q /dev/pts || mount -t devpts devpts /dev/pts
mountpoint -q /run || mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
hostname cmheap-board
grep -qs cmheap-board /etc/hosts || echo '127.0.1.1 cmheap-board' >>/etc/hosts
# The rig's boot marker (qemu-run.sh retries a boot that never shows it).
say "userspace up ($(uname -r), $(nproc) cpus)"

# What runs this "board" (QEMU TCG, KVM...), from qemu-run.sh, for
# bench.sh's label: a board would be "hardware".
read -r cmdline </proc/cmdline
rev=unknown
for w in $cmdline; do
	case $w in
	cmheap_accel=*) export ACCEL="${w#*=}" ;;
	cmheap_rev=*) rev=${w#*=} ;;
	esac
done
export LABEL="make test-board: the README's commands on Debian 12 in QEMU ($ACCEL), standing in for a board; repository $rev"
# sudo resets the environment: keep what says where this runs, as a board's
# administrator would keep a setting the tools read.
echo 'Defaults env_keep += "ACCEL LABEL"' >/etc/sudoers.d/cmheap-board
chmod 440 /etc/sudoers.d/cmheap-board

results=/results
rm -rf "$results"
mkdir -p "$results"
cd /root/cmheap || exit 1
# kselftest's files (lib.mk, the harness) come from Debian's linux-source-6.12
# (scripts/fetch-source.sh); the host seeds the cache the way a board that
# fetched it once has it, as the guest has no network.
if [ -d board-seed/cache ]; then
	mkdir -p "$HOME/.cache"
	cp -a board-seed/cache "$HOME/.cache/cmheap"
fi

# The README's block: from "## On real hardware" to the first ``` fence
# after its opening ```sh, without comments.
awk '/^## On real hardware/ { on = 1; next }
	on && /^```sh/ { block = 1; next }
	block && /^```/ { exit }
	block { sub(/[ \t]+#.*$/, ""); if ($0 != "") print }' README.md >"$results/commands.txt"
status=ok
n=0
: >"$results/steps.tsv"
if [ ! -s "$results/commands.txt" ]; then
	status=no-commands
	say "no commands found in README.md"
fi
# The steps and what they start out of the OOM killer's reach, as the rig's
# guests keep their job (scripts/guest/init.sh): the memory tests take the
# machine to its limits, and memory in dma-bufs is nobody's RSS, so the
# killer would otherwise pick the biggest process left at the default, the
# step's sudo, and lose the run.  selftests/run.sh puts each test binary
# back within reach.
echo -1000 >/proc/self/oom_score_adj
while IFS= read -r cmd; do
	n=$((n + 1))
	say "step $n: $cmd"
	t0=$(date +%s)
	rc=0
	sh -c "$cmd" </dev/null >"$results/step-$n.log" 2>&1 || rc=$?
	printf '%s\t%s\t%s\t%s\n' "$n" "$rc" "$(($(date +%s) - t0))" "$cmd" >>"$results/steps.tsv"
	tail -n 5 "$results/step-$n.log"
	if [ "$rc" -ne 0 ]; then
		status="step-$n-failed"
		say "step $n FAILED ($rc): $cmd"
		break
	fi
done <"$results/commands.txt"

# The report of `make bench TARGET=local`, the newest under out/bench/.
# shellcheck disable=SC2012 # names made by bench.sh: <arch>-<kver>-<accel>-<date>
latest=$(ls -dt out/bench/*/ 2>/dev/null | head -n 1)
[ -n "$latest" ] && cp -a "$latest" "$results/bench"
dmesg >"$results/dmesg.txt"
echo "$status" >"$results/status.txt"
say "status: $status"

for s in /sys/block/vd*/serial; do
	if [ "$(cat "$s")" = cmheap-results ]; then
		tar -cf "/dev/$(basename "${s%/serial}")" -C "$results" . &&
			say "results written"
	fi
done
sync
echo o >/proc/sysrq-trigger
sleep 10
