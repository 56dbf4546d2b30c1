#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# fetch-source.sh [CACHE]
#
# Extract the parts of Debian's linux-source-6.12 we build with or read:
# kselftest's framework (the harness, lib.mk and runner the selftests build
# and run with, and the tree a drop-in of them is tested in), upstream's
# dmabuf-heaps test, scripts/checkpatch.pl (lint) and the reference
# drivers.  Nothing from it is committed to this repository.  Prints the
# extracted source root.
set -euo pipefail
# shellcheck source=scripts/cli-lib.sh
. "$(dirname "$0")/cli-lib.sh"
cli_args 1 "$@"
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/build-lib.sh
. "$root/scripts/build-lib.sh"
cache=${1:-$cmheap_cache}
dst=$cache/linux-source
# The stamp names what was extracted: a cache from an older list is redone.
stamp=$dst/.complete-v2
if [ -f "$stamp" ]; then
	echo "$dst"
	exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Installed (a package build's Build-Depends), or downloaded once into
# the cache.
tarball=/usr/src/linux-source-6.12.tar.xz
if [ ! -f "$tarball" ]; then
	mkdir -p "$cache/debs"
	(cd "$cache/debs" && { ls linux-source-6.12_*.deb >/dev/null 2>&1 || apt-get download -q linux-source-6.12 >&2; })
	dpkg-deb --fsys-tarfile "$cache"/debs/linux-source-6.12_*.deb |
		tar -x -C "$tmp" --wildcards './usr/src/linux-source-*.tar.xz'
	tarball=$(ls "$tmp"/usr/src/linux-source-*.tar.xz)
fi
top=$(basename "$tarball" .tar.xz)
rm -rf "$dst"
mkdir -p "$dst"
tar -xJf "$tarball" -C "$dst" --strip-components=1 \
	"$top/tools/testing/selftests/kselftest_harness.h" \
	"$top/tools/testing/selftests/kselftest.h" \
	"$top/tools/testing/selftests/Makefile" \
	"$top/tools/testing/selftests/lib.mk" \
	"$top/tools/testing/selftests/kselftest" \
	"$top/tools/testing/selftests/run_kselftest.sh" \
	"$top/tools/testing/selftests/kselftest_install.sh" \
	"$top/tools/testing/selftests/gen_kselftest_tar.sh" \
	"$top/scripts/subarch.include" \
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
touch "$stamp"
echo "$dst"
