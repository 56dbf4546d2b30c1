#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# fetch-source.sh [CACHE]
#
# Extract the parts of Debian's linux-source-6.12 we build with or read:
# kselftest_harness.h (selftests), scripts/checkpatch.pl (lint) and the
# reference drivers.  Nothing from it is committed to this repository.
# Prints the extracted source root.
set -euo pipefail
# shellcheck source=scripts/cli-lib.sh
. "$(dirname "$0")/cli-lib.sh"
cli_args 1 "$@"
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/build-lib.sh
. "$root/scripts/build-lib.sh"
cache=${1:-$cmheap_cache}
dst=$cache/linux-source
if [ -f "$dst/.complete" ]; then
	echo "$dst"
	exit 0
fi
mkdir -p "$cache/debs"
(cd "$cache/debs" && { ls linux-source-6.12_*.deb >/dev/null 2>&1 || apt-get download -q linux-source-6.12 >&2; })
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dpkg-deb --fsys-tarfile "$cache"/debs/linux-source-6.12_*.deb |
	tar -x -C "$tmp" --wildcards './usr/src/linux-source-*.tar.xz'
tarball=$(ls "$tmp"/usr/src/linux-source-*.tar.xz)
top=$(basename "$tarball" .tar.xz)
rm -rf "$dst"
mkdir -p "$dst"
tar -xJf "$tarball" -C "$dst" --strip-components=1 \
	"$top/tools/testing/selftests/kselftest_harness.h" \
	"$top/tools/testing/selftests/kselftest.h" \
	"$top/tools/testing/selftests/dmabuf-heaps" \
	"$top/tools/testing/selftests/dma" \
	"$top/scripts/checkpatch.pl" \
	"$top/scripts/spelling.txt" \
	"$top/scripts/const_structs.checkpatch" \
	"$top/drivers/dma-buf" \
	"$top/drivers/gpu/drm/vgem" \
	"$top/kernel/dma" \
	"$top/include/linux/dma-heap.h" \
	"$top/include/uapi/linux/dma-heap.h" \
	"$top/include/linux/dma-buf.h" \
	"$top/Documentation/core-api/dma-api.rst" \
	"$top/Documentation/core-api/dma-attributes.rst" \
	"$top/Documentation/driver-api/dma-buf.rst" \
	"$top/Documentation/dev-tools/ktap.rst"
touch "$dst/.complete"
echo "$dst"
