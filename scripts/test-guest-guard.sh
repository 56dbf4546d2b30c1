#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# test-guest-guard.sh: the guests' PID 1 scripts (scripts/guest/*.sh) do
# nothing on a host.  Run by hand they would mount over /tmp, install
# busybox links, rename the machine and power it off, so each must refuse
# before its first side effect unless it is PID 1 of a kernel that
# scripts/qemu-run.sh booted (cmheap_guest=1 on the command line).
#
# Each script runs in a sandbox even though it should refuse: as an
# unprivileged user (nobody, when run as root) who is root only in a user
# namespace of its own, with new mount, PID, UTS and IPC namespaces,
# chrooted into a folder holding a static busybox.  A broken guard then
# mounts only inside the sandbox, writes only the sandbox's files, cannot
# write /proc/sysrq-trigger (the board script's power-off) and its
# poweroff ends the sandbox's PID namespace, not the host.  Checked, for both scripts: run by
# hand (not PID 1, with and without the marker), and as PID 1 of a PID
# namespace without the marker: exit status 2, one line on stderr naming
# the script, and the sandbox untouched (no new files or folders, /tmp not
# mounted over); --help: exit 0 and the same line on stdout.  That the
# guard lets a real guest through is shown by every guest boot of make test.
#
# Needs unshare and setpriv (util-linux), user namespaces and
# busybox-static; without them it prints one skipped result.  TAP on stdout; exit status 1 if any check failed.
set -euo pipefail
# shellcheck source=scripts/tap-lib.sh
. "$(dirname "$0")/tap-lib.sh"
tap_setup "$@"

root=$(cd "$(dirname "$0")/.." && pwd)

busybox=/bin/busybox
# As root, drop to nobody first: root in the sandbox must be nobody outside.
as_user=()
[ "$(id -u)" -ne 0 ] || as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
sandbox=("${as_user[@]}" unshare --user --map-root-user --mount --pid --uts --ipc --fork)
if ! command -v unshare >/dev/null || ! command -v setpriv >/dev/null ||
	! file -L "$busybox" 2>/dev/null | grep -q 'statically linked' ||
	! "${sandbox[@]}" true 2>/dev/null; then
	echo "1..1"
	echo "ok 1 - guest scripts refuse on a host # SKIP needs unshare, setpriv, user namespaces and busybox-static"
	exit 0
fi

chmod 755 "$tmp"

# A fresh sandbox root: busybox, sh, the script as /init, a file in /tmp.
make_box() {
	rm -rf "$tmp/box"
	mkdir -p "$tmp/box/bin" "$tmp/box/tmp"
	cp "$busybox" "$tmp/box/bin/busybox"
	ln -s busybox "$tmp/box/bin/sh"
	cp "$1" "$tmp/box/init"
	echo here >"$tmp/box/tmp/sentinel"
	[ "${#as_user[@]}" -eq 0 ] || chown -R 65534:65534 "$tmp/box"
	(cd "$tmp/box" && find . | sort) >"$tmp/before"
}

# in_box PID1 ENV... : run /init in the sandbox, as PID 1 of its namespace
# (PID1=1) or as a child of a shell there (PID1=0), with exactly ENV; the
# child's case also lists /tmp afterwards, from inside the mount namespace.
# Prints "rc=N" then the output; stderr in $tmp/err.
in_box() {
	local pid1=$1
	shift
	local rc=0 out
	if [ "$pid1" = 1 ]; then
		out=$(timeout 20 "${sandbox[@]}" \
			chroot "$tmp/box" /bin/busybox env -i "$@" /bin/sh /init 2>"$tmp/err") || rc=$?
	else
		# shellcheck disable=SC2016 # expanded by the sandbox's shell
		out=$(timeout 20 "${sandbox[@]}" \
			chroot "$tmp/box" /bin/busybox env -i "$@" /bin/sh -c \
			'rc=0; /bin/sh /init "$@" || rc=$?; /bin/busybox ls /tmp; exit $rc' sh "${ARGS[@]}" \
			2>"$tmp/err") || rc=$?
	fi
	echo "rc=$rc"
	echo "$out"
}

# untouched: the sandbox's files are those it started with.
untouched() {
	(cd "$tmp/box" && find . | sort) >"$tmp/after"
	diff "$tmp/before" "$tmp/after" >"$tmp/diff" && return 0
	echo "the sandbox changed:"
	head -n 10 "$tmp/diff"
	return 1
}

refused() { # NAME OUTPUT
	local name=$1 out=$2 why=''
	[ "$(head -n 1 <<<"$out")" = rc=2 ] || why+="exit status ${out%%$'\n'*}, not 2; "
	[ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q "^scripts/guest/$name: " "$tmp/err" ||
		why+="stderr is not one line naming the script: $(head -c 300 "$tmp/err"); "
	untouched >/dev/null || why+="$(untouched | tr '\n' ' '); "
	[ -z "$why" ] || { echo "$why"; return 1; }
}

for script in "$root"/scripts/guest/*.sh; do
	name=$(basename "$script")
	ARGS=()

	make_box "$script"
	out=$(in_box 0 PATH=/bin)
	if msg=$(refused "$name" "$out") && grep -qx sentinel <<<"$out"; then
		ok "$name run by hand refuses and changes nothing"
	else
		nok "$name run by hand refuses and changes nothing" "$msg$(grep -qx sentinel <<<"$out" || echo ' /tmp was mounted over')"
	fi

	make_box "$script"
	out=$(in_box 0 PATH=/bin cmheap_guest=1)
	if msg=$(refused "$name" "$out") && grep -qx sentinel <<<"$out"; then
		ok "$name run by hand refuses even with cmheap_guest=1 in its environment"
	else
		nok "$name run by hand refuses even with cmheap_guest=1 in its environment" "$msg"
	fi

	make_box "$script"
	out=$(in_box 1 PATH=/bin)
	if msg=$(refused "$name" "$out"); then
		ok "$name as PID 1 of a kernel without cmheap_guest=1 refuses and changes nothing"
	else
		nok "$name as PID 1 of a kernel without cmheap_guest=1 refuses and changes nothing" "$msg"
	fi

	make_box "$script"
	ARGS=(--help)
	out=$(in_box 0 PATH=/bin)
	if [ "$(head -n 1 <<<"$out")" = rc=0 ] && grep -q "^scripts/guest/$name: .*does nothing" <<<"$out" && untouched >/dev/null; then
		ok "$name --help says what it is, exits 0 and changes nothing"
	else
		nok "$name --help says what it is, exits 0 and changes nothing" "$out"
	fi

	if [ -x "$script" ]; then
		nok "$name is not executable" "mode $(stat -c %a "$script")"
	else
		ok "$name is not executable"
	fi
done
tap_end "guest guard"
