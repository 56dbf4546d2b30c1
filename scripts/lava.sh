#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# lava.sh [ARCH]: make lava.  cmheap's LAVA job for QEMU run offline by
# LAVA's own dispatcher (Debian bookworm's lava-dispatcher, lava-run, no
# server; scripts/lava-env.sh keeps it in a chroot of the cache), on the
# board image of make test-board (scripts/board-image.sh: Debian 12 with
# its own kernel, ARCH default the host's): lava/jobs/qemu-debian.yaml with
# the device dictionary lava/devices/qemu-ARCH.yaml and the test
# definitions of lava/tests/, inline: the selftests, then the bench.  The
# source tree (this work tree's files as git knows them) goes in as one of
# the job's overlays.
#
# Everything in build/lava-ARCH/: job.yaml and device.yaml as run, the
# dispatcher's log (lava.log: one JSON record per line, LAVA's own format),
# results.tsv (every test case LAVA recorded: definition, case, result,
# measurement, units), ktap.txt (the selftests' KTAP, cut from the log) and
# bench/ (the bench's results folder rebuilt from the log, with its
# report.md).  Exit status: 0 when LAVA finished the job, every test case
# of the definitions passed or was skipped, the selftests reported at least
# one result, the results folder came back whole and each of its headline
# points is one of LAVA's measurements (cmbench lava), and LAVA validated
# the real-board job (scripts/lava-validate.sh, run first); 1 otherwise.
# Needs root (the dispatcher's chroot, the image).  Environment:
# LAVA_TIMEOUT (s for lava-run, default 5400).
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
# How each board gets cmheap (lava/cmheap-lava.sh install): x86_64 from
# Debian packages with DKMS, arm64 from the source tree, so that make lava
# runs both routes of the test definitions; both are Debian boards.
case $arch in
x86_64) console=ttyS0,115200 install=deb ;;
arm64) console=ttyAMA0 install=source ;;
*) echo "lava.sh: ARCH is x86_64 or arm64 (lava/devices/qemu-ARCH.yaml)" >&2; exit 2 ;;
esac
t0=$SECONDS
say() { echo "[lava $arch $(printf '%4d' $((SECONDS - t0)))s] $*" >&2; }

env_root=$("$here/lava-env.sh")
# The real-board template first: LAVA's validation takes seconds
validate_rc=0
"$here/lava-validate.sh" >&2 || validate_rc=1
env_file=$("$here/board-image.sh" "$arch")
# shellcheck disable=SC1090 # the image's paths
. "$env_file"
work=$root/build/lava-$arch
rm -rf "$work"
mkdir -p "$work/seed/board-seed/cache"

# The tree as the board gets it, with kselftest's files seeded into the
# cache the way a board that fetched them once has them (no network).
cp -a "$("$here/fetch-source.sh")" "$work/seed/board-seed/cache/"
rev=$(git -C "$root" describe --always --dirty --abbrev=12 2>/dev/null || echo unknown)
tree_tar "$work/src.tar"
tar -rf "$work/src.tar" -C "$work/seed" board-seed

# Each test definition inline (the job's own copy: no git server needed),
# with where the tree is; a lab takes them "from: git" instead.
definitions=$work/definitions.yaml
: >"$definitions"
for name in cmheap-selftests cmheap-bench; do
	def=$root/lava/tests/$name.yaml
	{
		echo "        - from: inline"
		echo "          name: $name"
		echo "          path: inline/$name.yaml"
		echo "          parameters:"
		echo "            SOURCE: /root/cmheap"
		echo "            INSTALL: $install"
		# QEMU shows a hypervisor, not which: cmheap-bench is told
		[ "$name" = cmheap-bench ] && echo "            BENCH_ARGS: --accelerator tcg"
		echo "          repository:"
		grep -v '^#' "$def" | sed 's/^/            /'
	} >>"$definitions"
done
sed -e "s|@ARCH@|$arch|g" -e "s|@REV@|$rev|g" -e "s|@CONSOLE@|$console|g" \
	-e "s|@KERNEL@|$KERNEL|g" -e "s|@INITRD@|$INITRD|g" -e "s|@ROOTFS@|$IMAGE|g" \
	-e "s|@SOURCE_TAR@|$work/src.tar|g" \
	-e "/@DEFINITIONS@/{r $definitions" -e 'd}' \
	"$root/lava/jobs/qemu-debian.yaml" >"$work/job.yaml"
cp "$root/lava/devices/qemu-$arch.yaml" "$work/device.yaml"

say "lava-run: $rev on the board image ($KRELEASE), the dispatcher in $env_root..."
rc=0
timeout "${LAVA_TIMEOUT:-5400}" "$here/lava-env.sh" --bind "$work" --bind "$(dirname "$IMAGE")" -- \
	lava-run --job-id 1 --output-dir "$work/out" --device "$work/device.yaml" "$work/job.yaml" \
	>"$work/lava.log" 2>&1 || rc=$?
say "lava-run exit $rc, $(wc -l <"$work/lava.log") log records"
PYTHONPATH=$here python3 -m cmbench lava "$work/lava.log" --results "$work/results.tsv" \
	--ktap "$work/ktap.txt" --rebuild "$work/bench" || rc=1
# The bench's results folder, rebuilt from the log alone, reported as a
# direct make bench's is
if [ -s "$work/bench/results.csv" ]; then
	PYTHONPATH=$here python3 -m cmbench report "$work/bench" >"$work/report.log" 2>&1 || {
		say "cmbench report of the rebuilt results failed: $work/report.log"
		rc=1
	}
fi
[ "$validate_rc" -eq 0 ] || { say "FAIL: LAVA's validation of lava/jobs/board-arm64-uboot.yaml (above)"; rc=1; }
say "done in $((SECONDS - t0)) s: $work"
exit "$rc"
