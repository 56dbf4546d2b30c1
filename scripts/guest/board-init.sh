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
# It does what a kernel developer does on a board running Debian, and
# lives through what the board's life brings, in two boots
# (cmheap_board_phase= on the command line):
#
#   1  the commands of the README's "On real hardware" block, exactly as
#      written there (taken from README.md itself, so the two cannot drift
#      apart): make the packages, install them (DKMS builds the modules),
#      modprobe, the selftests, the benchmark; then the upgrade: the
#      packages of a second kernel (the image keeps them, as apt's cache
#      would), after which DKMS must have built cmheap for it too.
#   2  booted into that kernel (board.sh boots the newest in /boot, as a
#      board's boot loader would): the heaps are back with the options of
#      /etc/modprobe.d/, the selftests pass again, and `apt remove` of both
#      packages leaves nothing of cmheap behind.
#
# The steps run one after the other as root in /root/cmheap, stopping at
# the first failure.  Each one's output goes to the console and to
# /results/step-N.log; /results/steps.tsv says what ran and how it ended.
# Then the benchmark's results folder, dmesg and a status go back to the
# host as a tar on the virtio disk with serial cmheap-results, as the rig's
# guests do.
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
phase=1
for w in $cmdline; do
	case $w in
	cmheap_accel=*) export ACCEL="${w#*=}" ;;
	cmheap_rev=*) rev=${w#*=} ;;
	cmheap_board_phase=*) phase=${w#*=} ;;
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

# What removing the packages must not leave (board_leftovers): paths
# named *cmheap* that were not there before installing (the board's own:
# its launcher, the administrator's /etc/modprobe.d/cmheap.conf...), the
# packages' files.  /root (the repository, the benchmark's results) and
# /results are the test's own work.  Kept on the root disk across the
# reboot.
state=/var/lib/cmheap-board
cmheap_names() {
	find / -xdev \( -path /root -o -path /results \) -prune -o -name '*cmheap*' -print 2>/dev/null | sort
}
# Steps of this script's own (the lines of the step lists that start with
# board_): the packages' files, recorded once installed, and the check.
board_record_files() {
	dpkg -L cmheap-dkms cmheap-tools | while IFS= read -r f; do
		[ -d "$f" ] || echo "$f"
	done | sort >"$state/files.txt"
	echo "$(wc -l <"$state/files.txt") files installed by cmheap-dkms and cmheap-tools"
	[ -s "$state/files.txt" ]
}
board_leftovers() {
	left=0
	for p in cmheap-dkms cmheap-tools; do
		s=$(dpkg-query -W -f='${db:Status-Abbrev}' "$p" 2>/dev/null)
		case $s in
		"" | un*) ;;
		*) echo "package $p: dpkg status '$s'"; left=1 ;;
		esac
	done
	d=$(dkms status cmheap 2>/dev/null)
	[ -z "$d" ] || { echo "dkms status: $d"; left=1; }
	while IFS= read -r f; do
		[ ! -e "$f" ] || { echo "file left: $f"; left=1; }
	done <"$state/files.txt"
	cmheap_names | comm -13 "$state/names-before.txt" - >"$state/names-left.txt"
	if [ -s "$state/names-left.txt" ]; then
		sed 's/^/new path left: /' "$state/names-left.txt"
		left=1
	fi
	if modprobe -n cmheap 2>/dev/null; then
		echo "modprobe still finds cmheap: $(modinfo -n cmheap 2>&1)"
		left=1
	fi
	[ "$left" = 1 ] ||
		echo "nothing of cmheap left: $(wc -l <"$state/files.txt") files gone, nothing in dkms status, no new *cmheap* path"
	return "$left"
}

# The upgrade the image holds (scripts/board-image.sh) and its release.
upgrade=/var/cache/cmheap-board/kernel
read -r upgrade_release <"$upgrade/release"

if [ "$phase" = 1 ]; then
	mkdir -p "$state"
	cmheap_names >"$state/names-before.txt"
	# The README's block: from "## On real hardware" to the first ```
	# fence after its opening ```sh, without comments.
	awk '/^## On real hardware/ { on = 1; next }
		on && /^```sh/ { block = 1; next }
		block && /^```/ { exit }
		block { sub(/[ \t]+#.*$/, ""); if ($0 != "") print }' README.md >"$results/commands.txt"
	# The upgrade, once the block ran (only when it found commands); the
	# kernel package's recommendations (apparmor, firmware) would need
	# the network the guest does not have, and are not cmheap's concern.
	[ -s "$results/commands.txt" ] && cat >>"$results/commands.txt" <<EOF
board_record_files
dkms status cmheap -k $(uname -r) | grep -q ': installed'
apt-get install -y -q --no-install-recommends $upgrade/*.deb
dkms status cmheap -k $upgrade_release | grep -q ': installed'
modinfo -k $upgrade_release -n cmheap cmheap_test
EOF
else
	cat >"$results/commands.txt" <<EOF
test "\$(uname -r)" = $upgrade_release
modprobe cmheap
test -c /dev/dma_heap/cmheap-system
test -c /dev/dma_heap/system-uncached
modprobe cmheap_test
/usr/lib/cmheap/selftests/run.sh
modprobe -r cmheap_test cmheap
apt-get remove -y -q cmheap-dkms cmheap-tools
board_leftovers
EOF
fi
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
	case $cmd in
	board_*) $cmd </dev/null >"$results/step-$n.log" 2>&1 || rc=$? ;;
	*) sh -c "$cmd" </dev/null >"$results/step-$n.log" 2>&1 || rc=$? ;;
	esac
	printf '%s\t%s\t%s\t%s\n' "$n" "$rc" "$(($(date +%s) - t0))" "$cmd" >>"$results/steps.tsv"
	tail -n 5 "$results/step-$n.log"
	if [ "$rc" -ne 0 ]; then
		status="step-$n-failed"
		say "step $n FAILED ($rc): $cmd"
		break
	fi
done <"$results/commands.txt"

# The benchmark's results folder, as the README's block names it.
[ -d bench-run ] && cp -a bench-run "$results/bench"
dmesg >"$results/dmesg.txt"
dkms status >"$results/dkms-status.txt" 2>&1
uname -r >"$results/release.txt"
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
