#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# lava-validate.sh: LAVA's own check of cmheap's real-board job template,
# lava/jobs/board-arm64-uboot.yaml: lava-run --validate (the dispatcher
# builds the job's whole pipeline against the device and validates every
# action, running none) with the example device dictionary
# lava/devices/board-arm64-uboot.yaml, in the dispatcher's chroot of
# scripts/lava-env.sh.  The lab's parts (@NAMES@) are filled in with
# stand-ins: empty files of the names the lab would serve (a file:// URL
# must exist to validate; what is in it is the lab's), this repository as
# the git repository and HEAD as the revision.  Run by make lava.
#
# Everything in build/lava-validate/: job.yaml as validated, lava.log (the
# dispatcher's records) and out/description.yaml (the pipeline LAVA built).
# Exit status: 0 when LAVA validated the job, 1 otherwise.  Needs root.
set -euo pipefail
# shellcheck source=scripts/cli-lib.sh
. "$(dirname "$0")/cli-lib.sh"
cli_args 0 "$@"
export PATH=$PATH:/usr/sbin:/sbin

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
"$here/lava-env.sh" >/dev/null # made once
work=$root/build/lava-validate
rm -rf "$work"
mkdir -p "$work/stand-ins"
for f in vmlinuz board.dtb initrd.img rootfs.tar.xz; do
	: >"$work/stand-ins/$f"
done
rev=$(git -C "$root" rev-parse HEAD 2>/dev/null || echo HEAD)
url=file://$work/stand-ins
sed -e "s|@DEVICE_TYPE@|arm64-uboot-board|" -e "s|@KERNEL_URL@|$url/vmlinuz|" \
	-e "s|@DTB_URL@|$url/board.dtb|" -e "s|@RAMDISK_URL@|$url/initrd.img|" \
	-e "s|@ROOTFS_URL@|$url/rootfs.tar.xz|" -e "s|@CMHEAP_GIT@|$root|g" \
	-e "s|@CMHEAP_REV@|$rev|g" "$root/lava/jobs/board-arm64-uboot.yaml" >"$work/job.yaml"
if grep -n '^[^#]*@[A-Z_]*@' "$work/job.yaml" >&2; then
	echo "lava-validate: the template names a part this script does not fill in" >&2
	exit 1
fi
rc=0
"$here/lava-env.sh" --bind "$work" --bind "$root" -- \
	lava-run --validate --job-id validate --output-dir "$work/out" \
	--device "$root/lava/devices/board-arm64-uboot.yaml" "$work/job.yaml" \
	>"$work/lava.log" 2>&1 || rc=$?
# lava-run's verdict is the job's own test case; its exit status alone is
# not, for a job that does not validate (it logs the errors and returns 0)
if [ "$rc" -eq 0 ] && grep -q '"case": "job".*"result": "pass"' "$work/lava.log"; then
	echo "lava-validate: board-arm64-uboot.yaml validates against its device ($work)"
	exit 0
fi
grep '"lvl": "error"\|error_msg' "$work/lava.log" | tail -n 20 >&2 || tail -n 20 "$work/lava.log" >&2
echo "lava-validate: LAVA refused board-arm64-uboot.yaml (exit $rc; $work/lava.log)" >&2
exit 1
