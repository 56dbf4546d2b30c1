#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# board.sh [ARCH]: the README's real-hardware commands, run as written on a
# Debian 12 system standing in for a board (`make test-board`).
#
# The system is scripts/board-image.sh's root filesystem for ARCH (default:
# the host's), booted in QEMU with its own kernel and initrd, the way a
# board boots its Debian; the repository (this work tree, without build/,
# out/ and .git/) comes in on a second disk.  In the guest,
# scripts/guest/board-init.sh runs the "On real hardware" block of README.md line
# by line: build cmheap.ko against the installed headers, insmod, the
# selftests in place, rmmod, `make bench TARGET=local`.  The root disk is a
# snapshot: every run starts from the same cached image.
#
# Results in build/board-ARCH/ (results/: steps.tsv, step-N.log, dmesg.txt,
# bench/ with report.md), and a TAP line per check on stdout.  The guest
# has no network, so the kselftest header it would fetch once from
# Debian's archive (scripts/fetch-source.sh) is seeded from the host's
# cache.  Environment: TIMEOUT (s, default 5400), MEM (default 2G), SMP,
# ACCEL as for qemu-run.sh.  Exit status: 0 when every check passed.
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
tar -cf "$work/src.tar" -C "$root" --exclude=./build --exclude=./out --exclude=./.git .
tar -rf "$work/src.tar" -C "$work/seed" board-seed
say "booting Debian 12 ($KRELEASE) from $IMAGE, repository $rev..."
rc=0
DRIVES="cmheap-board:$IMAGE:snapshot cmheap-src:$work/src.tar" MEM=${MEM:-2G} TAG="board $arch" \
	APPEND="root=LABEL=cmheap-board rw init=/usr/local/sbin/cmheap-board-launch cmheap_rev=$rev" \
	"$here/qemu-run.sh" "$arch" "$KERNEL" "$INITRD" "$work/results" "${TIMEOUT:-5400}" || rc=$?
res=$work/results

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
check "the board guest ran and came back (qemu-run.sh exit $rc)" test "$rc" -eq 0
check "board-init found the README's commands" test -s "$res/commands.txt"
i=0
while IFS= read -r cmd; do
	i=$((i + 1))
	# shellcheck disable=SC2016 # an awk program
	check "step $i as written: $cmd" awk -F'\t' -v i="$i" '$1 == i && $2 == 0 { f = 1 } END { exit !f }' "$res/steps.tsv"
done < <(cat "$res/commands.txt" 2>/dev/null)
check "every step passed (status.txt: $(cat "$res/status.txt" 2>/dev/null || echo missing))" \
	grep -qx ok "$res/status.txt"
# the step that ran selftests/run.sh: its line of commands.txt
step=$(grep -n 'selftests/run\.sh' "$res/commands.txt" 2>/dev/null | head -n 1 | cut -d: -f1 || true)
selftests=${step:+$res/step-$step.log}
if [ -n "$selftests" ] && [ -f "$selftests" ]; then
	say "selftests on the board: $(grep -c '^ok ' "$selftests") ok, $(grep -c '^not ok ' "$selftests") not ok (top level)"
fi
# a step that failed: its log's end, and any OOM kill, for CI's log
failed_step=$(awk -F'\t' '$2 != 0 { print $1; exit }' "$res/steps.tsv" 2>/dev/null || true)
if [ -n "$failed_step" ]; then
	say "step $failed_step failed; the end of its log (results/step-$failed_step.log):"
	tail -n 15 "$res/step-$failed_step.log" 2>/dev/null | sed 's/^/# /' >&2
	grep -E 'invoked oom-killer|Out of memory|Killed process' "$res/dmesg.txt" 2>/dev/null |
		sed 's/^/# kernel: /' >&2 || true
fi
check "make bench TARGET=local left a report" test -s "$res/bench/report.md"
check "its first line says where it ran (QEMU TCG, not hardware)" \
	grep -q '^> Measured in QEMU' "$res/bench/report.md"
check "its results.csv has rows" awk 'END { exit NR < 2 }' "$res/bench/results.csv"
echo "# board $arch: $((SECONDS - t0)) s; $res"
echo "$((n - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
