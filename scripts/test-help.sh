#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# test-help.sh: every command of the project answers -h/--help with its
# usage and exit status 0, and refuses an unknown option with exit status 2
# and one line on stderr naming itself, both without a side effect.
#
# The commands: scripts/*.sh (but the sourced *-lib.sh), .ci/run,
# scripts/compare, scripts/spdx-check, scripts/doc-check and
# selftests/kernel_log.sh.  Each runs in a copy of the
# tree, with HOME, XDG_CACHE_HOME and CMHEAP_CACHE in empty folders and,
# first on PATH, stand-ins for every program that would change the machine
# or fetch anything (apt-get, dpkg, make, compilers, QEMU, debootstrap,
# git, mount, ...), which only note that they were called.  Side effect
# means: a stand-in called, a file of the copy or of those folders made,
# changed or removed.
#
#   scripts/test-help.sh [-h|--help]
#
# TAP on stdout; exit status 1 if any check failed, 2 bad usage.
set -euo pipefail
# shellcheck source=scripts/tap-lib.sh
. "$(dirname "$0")/tap-lib.sh"
tap_setup "$@"

root=$(cd "$(dirname "$0")/.." && pwd)

tree=$tmp/tree
mkdir -p "$tree" "$tmp/home" "$tmp/shims"
(cd "$root" && git ls-files -z | xargs -0 cp --parents -t "$tree")
(cd "$root" && git ls-files -z --others --exclude-standard | xargs -0 -r cp --parents -t "$tree")
for prog in apt-get apt-cache apt dpkg dpkg-deb make gcc g++ cc aarch64-linux-gnu-gcc \
	qemu-system-x86_64 qemu-system-aarch64 debootstrap mmdebstrap git mount umount \
	sudo curl wget tar cpio insmod rmmod modprobe losetup mkfs.ext4 gnuplot; do
	printf '#!/bin/sh\necho "%s $*" >>"%s/called"\nexit 0\n' "$prog" "$tmp" >"$tmp/shims/$prog"
	chmod +x "$tmp/shims/$prog"
done
state() { (cd "$tmp" && find tree home -printf '%p %s %T@\n' | sort; cat called 2>/dev/null || true); }

# run CMD ARG...: in the copy, with the stand-ins; sets rc, out, err
run() {
	rc=0
	out=$(cd "$tree" && env -u ARCH -u KVER -u KDIR -u KERNEL -u TARGET -u OUT \
		PATH="$tmp/shims:$PATH" HOME="$tmp/home" XDG_CACHE_HOME="$tmp/home/.cache" \
		CMHEAP_CACHE="$tmp/home/cache" "$@" 2>"$tmp/err") || rc=$?
	err=$(cat "$tmp/err")
}

commands=()
for f in "$root"/scripts/*.sh; do
	case $f in *-lib.sh) continue ;; esac
	commands+=("scripts/${f##*/}")
done
commands+=(.ci/run scripts/compare scripts/spdx-check scripts/doc-check selftests/kernel_log.sh)
for c in "${commands[@]}"; do
	name=${c##*/}
	before=$(state)
	run "$c" --help
	after=$(state)
	if [ "$rc" -eq 0 ] && grep -qi "${name%.sh}" <<<"$(head -n 3 <<<"$out")" && [ "$before" = "$after" ]; then
		ok "$c --help: its usage, exit 0, no side effect"
	else
		nok "$c --help: its usage, exit 0, no side effect" \
			"rc=$rc; stdout: $(head -n 2 <<<"$out"); stderr: $err; changed: $(diff <(echo "$before") <(echo "$after") | head -n 5)"
	fi
	run "$c" --no-such-option
	after=$(state)
	if [ "$rc" -eq 2 ] && grep -q "${name%.sh}" <<<"$err" && [ "$before" = "$after" ]; then
		ok "$c --no-such-option: refused, exit 2, no side effect"
	else
		nok "$c --no-such-option: refused, exit 2, no side effect" \
			"rc=$rc; stderr: $err; changed: $(diff <(echo "$before") <(echo "$after") | head -n 5)"
	fi
done
tap_end "help"
