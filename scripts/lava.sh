#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# lava.sh [ARCH]: make lava.  cmheap's LAVA job for QEMU run offline by
# LAVA's own dispatcher (Debian bookworm's lava-dispatcher, lava-run, no
# server; scripts/lava-env.sh keeps it in a chroot of the cache), on the
# board image of make test-board (scripts/board-image.sh: Debian 12 with
# its own kernel, ARCH default the host's): lava/jobs/qemu-debian.yaml with
# the device dictionary lava/devices/qemu-ARCH.yaml and the test
# definitions of lava/tests/, inline.  The source tree (this work tree,
# without build/, out/ and .git/) goes in as one of the job's overlays.
#
# Everything in build/lava-ARCH/: job.yaml and device.yaml as run, the
# dispatcher's log (lava.log: one JSON record per line, LAVA's own format),
# results.tsv (every test case LAVA recorded: definition, case, result) and
# ktap.txt (the selftests' KTAP, cut from the log).  Exit status: 0 when
# LAVA finished the job, every test case of the definitions passed or was
# skipped and the selftests reported at least one result; 1 otherwise.
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
case $arch in
x86_64) console=ttyS0,115200 ;;
*) echo "lava.sh: a QEMU device for $arch is not written yet (lava/devices/)" >&2; exit 2 ;;
esac
t0=$SECONDS
say() { echo "[lava $arch $(printf '%4d' $((SECONDS - t0)))s] $*" >&2; }

env_root=$("$here/lava-env.sh")
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
for def in "$root"/lava/tests/*.yaml; do
	name=$(basename "$def" .yaml)
	{
		echo "        - from: inline"
		echo "          name: $name"
		echo "          path: inline/$name.yaml"
		echo "          parameters:"
		echo "            SOURCE: /root/cmheap"
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
	--ktap "$work/ktap.txt" || rc=1
say "done in $((SECONDS - t0)) s: $work"
exit "$rc"
