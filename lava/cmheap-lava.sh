#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# cmheap-lava.sh STEP [SOURCE] - the steps of cmheap's LAVA test
# definitions (lava/tests/), run on the device under test by LAVA's test
# shell, where lava-test-case reports each result.
#
#   prepare          mount what a bare init leaves unmounted (/proc, /sys,
#                    /dev, debugfs, tracefs, /tmp); nothing on a booted system
#   install SOURCE   cmheap from Debian packages built on the board from the
#                    source tree SOURCE, as README.md's "On real hardware"
#                    says: make deb, apt install of cmheap-dkms and
#                    cmheap-tools (DKMS builds the modules for the running
#                    kernel), modprobe cmheap and cmheap_test; each a test case
#   selftests        the installed selftests (/usr/lib/cmheap/selftests/run.sh),
#                    every KTAP result a test case named BINARY.TEST (the
#                    binary's own result as BINARY), SKIP as skip
#
# POSIX sh.  lava-test-case comes from LAVA's test shell; outside it, the
# results are printed as "lava-test-case ..." lines instead.
set -u

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
	mount -o remount,rw / 2>/dev/null
	return 0
}

install_packages() {
	src=$1
	cd "$src" || return 1
	# kselftest's files, which make deb fetches once from Debian's archive:
	# seeded into the tree by make lava, whose board has no network
	if [ -d board-seed/cache ] && [ ! -d "$HOME/.cache/cmheap" ]; then
		mkdir -p "$HOME/.cache"
		cp -a board-seed/cache "$HOME/.cache/cmheap"
	fi
	step install-make-deb make deb || return 1
	# shellcheck disable=SC2046 # one path per package
	step install-apt apt-get install -y -q --no-install-recommends \
		$(ls ./out/deb/cmheap-dkms_*.deb ./out/deb/cmheap-tools_*.deb) || return 1
	step install-modprobe-cmheap modprobe cmheap || return 1
	step install-modprobe-cmheap_test modprobe cmheap_test
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
	run=/usr/lib/cmheap/selftests/run.sh
	[ -x "$run" ] || { case_result selftests-installed fail; return 1; }
	"$run" >/tmp/cmheap-ktap.txt 2>&1
	rc=$?
	cat /tmp/cmheap-ktap.txt
	ktap_cases </tmp/cmheap-ktap.txt | while read -r test result; do
		case_result "$test" "$result"
	done
	return "$rc"
}

case ${1:-} in
prepare) prepare ;;
install) install_packages "${2:?install: the source tree}" ;;
selftests) selftests ;;
-h | --help) sed -n '3,/^# POSIX/{s/^# \{0,1\}//p}' "$0" ;;
*) echo "cmheap-lava.sh: STEP is prepare, install or selftests" >&2; exit 2 ;;
esac
