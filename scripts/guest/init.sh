#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# scripts/guest/init.sh: PID 1 of the cmheap test guest (busybox sh, POSIX
# only), installed as /init of the initramfs by scripts/mkinitramfs.sh.
#
# It mounts over /tmp, installs busybox's links and powers the machine off:
# on a host that would be harm, so it refuses to do anything unless it is
# PID 1 of a kernel booted by scripts/qemu-run.sh, whose command line
# carries cmheap_guest=1 (the kernel hands unknown key=value words to init
# as environment variables, so the check needs no /proc yet).
#
# Generic on purpose: it sets up the filesystems the tests need, loads
# /cmheap/cmheap.ko and /cmheap/cmheap_test.ko when the payload has them
# (with cmheap.params and cmheap_test.params), runs one job, and ships the
# job's results folder back to the host as a tar on a virtio-blk disk, then
# powers off.  What the job is comes from the kernel command line
# (cmheap_job=/path/to/script) or else /cmheap/job.sh in the initramfs.
# The job gets RESULTS=/results (a folder whose files come back to the host)
# and CMHEAP_KO=/cmheap/cmheap.ko, CMHEAP_PARAMS (and CMHEAP_TEST_KO,
# CMHEAP_TEST_PARAMS for the test module) in its environment.
#
# Lines starting with "cmheap-init:" on the console are for humans and for
# qemu-run.sh (the probe marker); the job's stdout goes to the console too.

if [ "$$" != 1 ] || [ "${cmheap_guest:-}" != 1 ]; then
	case ${1:-} in
	-h | --help)
		echo "scripts/guest/init.sh: PID 1 of a cmheap QEMU test guest (scripts/qemu-run.sh boots it); run by hand it does nothing"
		exit 0 ;;
	esac
	echo "scripts/guest/init.sh: PID 1 of a cmheap QEMU test guest (scripts/qemu-run.sh boots it); not that here, so it does nothing" >&2
	exit 2
fi

/bin/busybox mkdir -p /bin /sbin /usr/bin /usr/sbin /proc /sys /dev /tmp /results
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
export HOME=/root TERM=dumb

say() { echo "cmheap-init: $*"; }

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
# What udev would add and devtmpfs does not: kselftest's runner writes its
# log to /dev/stdout, which would otherwise be a file created in /dev.
ln -s /proc/self/fd /dev/fd
ln -s fd/0 /dev/stdin
ln -s fd/1 /dev/stdout
ln -s fd/2 /dev/stderr
mount -t tmpfs tmpfs /tmp
mount -t debugfs debugfs /sys/kernel/debug
mount -t tracefs tracefs /sys/kernel/tracing

# The kernel passes unknown "key=value" parameters to init's environment, but
# reading /proc/cmdline keeps this independent of that behaviour.
cmdline_arg() {
	read -r cmdline </proc/cmdline
	for w in $cmdline; do
		case $w in "$1="*) echo "${w#*=}"; return 0 ;; esac
	done
	return 1
}

off() {
	sync
	# poweroff -f makes the reboot syscall directly.  If that fails, init
	# exiting panics the kernel; panic=-1 + -no-reboot stop QEMU either way.
	poweroff -f
	sleep 5
	exit 1
}

# KVM probe from qemu-run.sh: prove that the guest reaches userspace, nothing
# more.
if cmdline_arg cmheap_probe >/dev/null; then
	say "probe-ok"
	off
fi

say "userspace up ($(uname -r), $(nproc) cpus)"
cat /proc/version >/results/version.txt
uname -r >/results/uname.txt
cat /proc/cmdline >/results/cmdline.txt

# Results transport: the virtio-blk disk.  The host tags the results disk with serial "cmheap-results".  Probing can
# lag behind modprobe a little, so look for up to ~10 s.
find_results_disk() {
	n=0
	while [ "$n" -lt 50 ]; do
		for s in /sys/block/vd*/serial; do
			[ -r "$s" ] || continue
			if [ "$(cat "$s")" = cmheap-results ]; then
				d=${s%/serial}
				echo "/dev/${d##*/}"
				return 0
			fi
		done
		sleep 0.2
		n=$((n + 1))
	done
	return 1
}

# A deterministic boot (qemu-run.sh ICOUNT=1) starts on one CPU, so that
# boot-time work does not interleave differently from run to run; bring the
# others up now, before the job.
for cpu in /sys/devices/system/cpu/cpu[0-9]*/online; do
	[ -w "$cpu" ] || continue
	read -r state <"$cpu"
	[ "$state" = 1 ] || echo 1 >"$cpu" || say "could not bring ${cpu%/online} online"
done

status=ok
export RESULTS=/results
# The heaps' module, then the test module (which needs it), each with the
# parameters the payload gives it; a payload without the test module is a
# heaps-only guest, as a board that ships only cmheap.ko.
load_module() { # NAME: 0 when loaded (or not in the payload)
	[ -e "/cmheap/$1.ko" ] || return 0
	params=
	[ -r "/cmheap/$1.params" ] && params=$(cat "/cmheap/$1.params")
	# shellcheck disable=SC2086 # params is a list of words for insmod
	if insmod "/cmheap/$1.ko" $params >>/results/insmod.txt 2>&1; then
		say "loaded $1.ko"
		return 0
	fi
	status=insmod-failed
	say "FAILED to load $1.ko: $(cat /results/insmod.txt)"
	return 1
}
if [ -e /cmheap/cmheap.ko ]; then
	# for a reload (rmmod_test): where each module is, and its parameters
	export CMHEAP_KO=/cmheap/cmheap.ko
	CMHEAP_PARAMS=$(cat /cmheap/cmheap.params 2>/dev/null)
	export CMHEAP_PARAMS
	if [ -e /cmheap/cmheap_test.ko ]; then
		export CMHEAP_TEST_KO=/cmheap/cmheap_test.ko
		CMHEAP_TEST_PARAMS=$(cat /cmheap/cmheap_test.params 2>/dev/null)
		export CMHEAP_TEST_PARAMS
	fi
	# memory the kernel does not own, for rmmod_test's own carveouts
	[ -r /cmheap/cmheap.spare ] && CMHEAP_SPARE=$(cat /cmheap/cmheap.spare) &&
		export CMHEAP_SPARE
	load_module cmheap && load_module cmheap_test
fi

job=$(cmdline_arg cmheap_job) || job=/cmheap/job.sh
if [ "$status" = ok ]; then
	if [ -e "$job" ]; then
		say "running job $job"
		# The job and its runner out of the OOM killer's reach (the
		# memory tests take the guest to its limits; selftests/run.sh
		# puts each test back within it): a killed runner loses every
		# later result and leaves the job to its deadline.
		echo -1000 >/proc/self/oom_score_adj
		# The job's exit code is recorded; judging it is the host's business.
		# qemu-run.sh passes a deadline a little inside its own, so that a
		# hung test still leaves its dmesg and partial output behind.
		limit=$(cmdline_arg cmheap_job_timeout) || limit=0
		rc=0
		if [ "$limit" -gt 0 ]; then
			(cd "${job%/*}" && exec timeout -s KILL "$limit" sh "$job") || rc=$?
		else
			(cd "${job%/*}" && sh "$job") || rc=$?
		fi
		echo "$rc" >/results/job-rc.txt
		if [ "$limit" -gt 0 ] && [ "$rc" -eq 137 ]; then
			status="job-timeout"
			say "job KILLED after $limit s (cmheap_job_timeout)"
		else
			say "job exited with $rc"
		fi
	else
		status=no-job
		say "no job: $job does not exist"
	fi
fi

dmesg >/results/dmesg.txt
# Written last: the host treats its absence as "results missing".
echo "$status" >/results/status.txt

# Only now bring up the results disk: probing it reads its partition table,
# I/O whose completion time follows the host's clock, which would make a
# deterministic (icount) run differ from the next if it happened before the
# job.  Depending on the kernel, virtio_pci and virtio_blk are built in or
# modules; modprobe fails harmlessly for built-in ones.
modprobe virtio_pci 2>/dev/null
modprobe virtio_blk 2>/dev/null
if disk=$(find_results_disk); then
	if tar -cf "$disk" -C /results .; then
		say "results written to $disk"
	else
		say "FAILED to write results to $disk"
	fi
else
	# Fallback for kernels without virtio-blk (a developer's own build):
	# the same tar, gzipped and base64-encoded between two marker lines on
	# the console, which qemu-run.sh decodes.  Kernel messages could land
	# in the middle, so keep them off the console for the duration.
	say "no results disk (virtio-blk serial cmheap-results): sending results over the console"
	dmesg -n 1
	echo "cmheap-results-begin"
	tar -cf - -C /results . | gzip -c | base64
	echo "cmheap-results-end"
fi
off
