#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# cmheap-lava.sh STEP [SOURCE] - the steps of cmheap's LAVA test
# definitions (lava/tests/), run on the device under test by LAVA's test
# shell, where lava-test-case reports each result.
#
#   prepare          mount what a bare init leaves unmounted (/proc, /sys,
#                    /dev, debugfs, tracefs, /tmp, /run); nothing on a booted
#                    system
#   install SOURCE [ROUTE]
#                    cmheap built on the board from the source tree SOURCE
#                    and loaded, as README.md's "On real hardware" says; each
#                    step a test case.  ROUTE deb: make deb, apt install of
#                    cmheap-dkms and cmheap-tools (DKMS builds the modules for
#                    the running kernel), modprobe cmheap and cmheap_test.
#                    ROUTE source: make -C kernel, selftests and bench in the
#                    tree, insmod of both modules.  ROUTE auto (the default):
#                    deb where the board runs Debian with its packaging tools
#                    (dpkg-buildpackage, dh_dkms), else source.  Done once per
#                    boot: a second install (the next definition's) reuses it
#   selftests        the selftests (installed: /usr/lib/cmheap/selftests/run.sh),
#                    every KTAP result a test case named BINARY.TEST (the
#                    binary's own result as BINARY), SKIP as skip
#   bench [ARGS]     cmheap-bench --out DIR ARGS (a test case), the run's
#                    headline points (cmbench headline) each a test case with
#                    its measurement, and the results folder's files printed
#                    between markers with their sha256, for cmbench lava
#                    --rebuild to take them back out of the job's log
#
# POSIX sh.  lava-test-case comes from LAVA's test shell; outside it, the
# results are printed as "lava-test-case ..." lines instead.
set -u

# What install left for the steps after it, in this boot.
state=/run/cmheap-lava.env

case_result() { # NAME pass|fail|skip [--measurement V --units U]
	name=$1 result=$2
	shift 2
	if command -v lava-test-case >/dev/null 2>&1; then
		lava-test-case "$name" --result "$result" "$@"
	else
		echo "lava-test-case $name --result $result $*"
	fi
}

# A step as a test case: NAME COMMAND...; its output goes to the log.
step() {
	name=$1
	shift
	if "$@"; then
		case_result "$name" pass
	else
		case_result "$name" fail
		return 1
	fi
}

prepare() {
	mountpoint -q /proc || mount -t proc proc /proc
	mountpoint -q /sys || mount -t sysfs sysfs /sys
	mountpoint -q /dev || mount -t devtmpfs devtmpfs /dev
	mountpoint -q /sys/kernel/debug || mount -t debugfs debugfs /sys/kernel/debug
	mountpoint -q /sys/kernel/tracing || mount -t tracefs tracefs /sys/kernel/tracing
	mountpoint -q /tmp || mount -t tmpfs tmpfs /tmp
	mountpoint -q /run || mount -t tmpfs tmpfs /run
	mount -o remount,rw / 2>/dev/null
	return 0
}

install_deb() {
	src=$1
	step install-make-deb make deb || return 1
	# shellcheck disable=SC2046 # one path per package
	step install-apt apt-get install -y -q --no-install-recommends \
		$(ls ./out/deb/cmheap-dkms_*.deb ./out/deb/cmheap-tools_*.deb) || return 1
	step install-modprobe-cmheap modprobe cmheap || return 1
	step install-modprobe-cmheap_test modprobe cmheap_test || return 1
	cat >"$state" <<-EOF
		route=deb
		run_sh=/usr/lib/cmheap/selftests/run.sh
		bench_bin=cmheap-bench
		cmbench() { command cmbench "\$@"; }
	EOF
}

install_source() {
	src=$1
	step install-make-kernel make -C kernel || return 1
	step install-make-selftests make -C selftests || return 1
	step install-make-bench make -C bench STATIC= || return 1
	step install-insmod-cmheap insmod kernel/heaps/cmheap.ko || return 1
	step install-insmod-cmheap_test insmod kernel/test/cmheap_test.ko || return 1
	# run.sh's rmmod_test loads the modules back from these files
	cat >"$state" <<-EOF
		route=source
		export CMHEAP_KO=$src/kernel/heaps/cmheap.ko
		export CMHEAP_TEST_KO=$src/kernel/test/cmheap_test.ko
		run_sh=$src/selftests/run.sh
		bench_bin=$src/bench/cmheap-bench
		cmbench() { PYTHONPATH=$src/scripts python3 -m cmbench "\$@"; }
	EOF
}

install() {
	src=$1 route=${2:-auto}
	if [ -r "$state" ]; then
		echo "cmheap-lava: installed in this boot already ($(grep '^route=' "$state"))"
		return 0
	fi
	cd "$src" || return 1
	# kselftest's files, which make deb and make -C selftests fetch once
	# from Debian's archive: seeded into the tree by make lava, whose board
	# has no network
	if [ -d board-seed/cache ] && [ ! -d "$HOME/.cache/cmheap" ]; then
		mkdir -p "$HOME/.cache"
		cp -a board-seed/cache "$HOME/.cache/cmheap"
	fi
	if [ "$route" = auto ]; then
		route=source
		if [ -r /etc/debian_version ] && command -v dpkg-buildpackage >/dev/null &&
			command -v dh_dkms >/dev/null; then
			route=deb
		fi
	fi
	echo "cmheap-lava: installing from $src by route $route"
	case $route in
	deb) install_deb "$src" ;;
	source) install_source "$src" ;;
	*) echo "cmheap-lava: install ROUTE is deb, source or auto" >&2; return 2 ;;
	esac
}

# The state install left, or a failed test case that says it is missing.
installed() {
	if [ ! -r "$state" ]; then
		case_result "$1-installed" fail
		return 1
	fi
	run_sh='' bench_bin=''
	# shellcheck disable=SC1090 # written by install
	. "$state"
}

# KTAP of run.sh on stdin: a test case per result.  A binary's own results
# are indented above its top-level line, so they are held until it names
# the binary.
ktap_cases() {
	awk '
	function name(s) { gsub(/[^A-Za-z0-9._-]/, "_", s); return s }
	function result(line) {
		if (line ~ /# [Ss][Kk][Ii][Pp]/) return "skip"
		return line ~ /^ *not ok / ? "fail" : "pass"
	}
	function test_of(line) {
		sub(/^ *(not )?ok [0-9]+ /, "", line)
		sub(/ #.*$/, "", line)
		return line
	}
	/^  +(not )?ok [0-9]+ / { held[++n] = $0; next }
	/^(not )?ok [0-9]+ / {
		binary = test_of($0)
		for (i = 1; i <= n; i++)
			print name(binary "." test_of(held[i])), result(held[i])
		n = 0
		print name(binary), result($0)
	}'
}

selftests() {
	installed selftests || return 1
	"$run_sh" >/tmp/cmheap-ktap.txt 2>&1
	rc=$?
	cat /tmp/cmheap-ktap.txt
	ktap_cases </tmp/cmheap-ktap.txt | while read -r test result; do
		case_result "$test" "$result"
	done
	return "$rc"
}

# FILE printed between markers that carry its name and sha256, the kernel's
# console messages held back meanwhile (one in the middle of a line would
# spoil the copy, which the checksum would then refuse).
print_file() {
	sum=$(sha256sum "$1" | cut -d' ' -f1)
	echo "<<<CMHEAP-FILE $(basename "$1") $sum>>>"
	cat "$1"
	# the end marker on a line of its own (cmbench lava allows for it)
	[ -z "$(tail -c1 "$1")" ] || echo
	echo "<<<CMHEAP-FILE-END $(basename "$1")>>>"
}

bench() {
	installed bench || return 1
	out=/tmp/cmheap-bench-run
	rm -rf "$out"
	# the kernel's notes (a drop_caches per cold allocation) kept off the
	# console meanwhile, its warnings not
	level=$(cut -f1 /proc/sys/kernel/printk)
	echo 4 >/proc/sys/kernel/printk
	step bench-run "$bench_bin" --out "$out" "$@"
	bench_rc=$?
	echo "$level" >/proc/sys/kernel/printk
	[ "$bench_rc" -eq 0 ] || return 1
	cmbench headline "$out" >/tmp/cmheap-headline.txt || {
		case_result bench-headline fail
		return 1
	}
	while read -r name value units; do
		case_result "$name" pass --measurement "$value" --units "$units"
	done </tmp/cmheap-headline.txt
	echo 1 >/proc/sys/kernel/printk
	for f in "$out"/results.csv "$out"/meta*.json; do
		[ -r "$f" ] && print_file "$f"
	done
	echo "$level" >/proc/sys/kernel/printk
	return 0
}

case ${1:-} in
prepare) prepare ;;
install) install "${2:?install: the source tree}" "${3:-auto}" ;;
selftests) selftests ;;
bench)
	shift
	bench "$@"
	;;
-h | --help) sed -n '3,/^# POSIX/{s/^# \{0,1\}//p}' "$0" ;;
*) echo "cmheap-lava.sh: STEP is prepare, install, selftests or bench" >&2; exit 2 ;;
esac
