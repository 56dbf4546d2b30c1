#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# fetch-kernel.sh ARCH KVER [CACHE]
#
# Download Debian's kernel image, modules and headers for one target into a
# cache folder, without installing anything into the host's /boot.  The
# package versions are resolved through Debian's meta-packages, so the newest
# version the archive serves is used and nothing is hard-coded.
#
# ARCH: x86_64 | arm64        KVER: 6.1 | 6.12
# Prints the target folder; writes ${dir}/target.env describing it.
set -euo pipefail
# shellcheck source=scripts/cli-lib.sh
. "$(dirname "$0")/cli-lib.sh"
cli_args 3 "$@"

arch=${1:?usage: fetch-kernel.sh ARCH KVER [CACHE]}
kver=${2:?usage: fetch-kernel.sh ARCH KVER [CACHE]}
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/build-lib.sh
. "$root/scripts/build-lib.sh"
cache=${3:-$cmheap_cache}

case $arch in
x86_64) darch=amd64; aptarch=amd64 ;;
arm64) darch=arm64; aptarch=arm64 ;;
*) echo "fetch-kernel: unsupported ARCH '$arch' (x86_64, arm64)" >&2; exit 2 ;;
esac
# Debian's meta-package names: 6.1 is bookworm's default kernel, 6.12 comes
# from bookworm-security with a versioned meta-package.
case $kver in
6.1) meta_img=linux-image-$darch; meta_hdr=linux-headers-$darch ;;
6.12) meta_img=linux-image-6.12-$darch; meta_hdr=linux-headers-6.12-$darch ;;
*) echo "fetch-kernel: unsupported KVER '$kver' (6.1, 6.12)" >&2; exit 2 ;;
esac

# First dependency of a package that matches a pattern.
dep_of() {
	apt-cache depends "$1:$aptarch" 2>/dev/null |
		awk -v re="$2" '/^ / && $1 !~ /Suggests|Recommends|Breaks|Conflicts|Replaces/ {
			n = $NF; gsub(/[<>]/, "", n); sub(/:.*/, "", n)
			if (n ~ re) { print n; exit } }'
}

img=$(dep_of "$meta_img" '^linux-image-')
hdr=$(dep_of "$meta_hdr" '^linux-headers-')
if [ -z "$img" ] || [ -z "$hdr" ]; then
	echo "fetch-kernel: cannot resolve $meta_img/$meta_hdr; run 'apt-get update' (and 'dpkg --add-architecture arm64' for arm64)" >&2
	exit 1
fi
common=$(dep_of "$hdr" '^linux-headers-.*-common')
kbuild=$(dep_of "$hdr" '^linux-kbuild-')
version=$(apt-cache policy "$img:$aptarch" | awk '/Candidate:/ { print $2 }')

dir=$cache/kernels/$arch-$kver
# The stamp's "v2" marks the cache layout (headers Makefile fixed up below):
# bumping it makes old caches re-extract from the downloaded debs.
stamp=$dir/.fetched-v2-$version
if [ -f "$stamp" ]; then
	echo "$dir"
	exit 0
fi

dl=$cache/debs
mkdir -p "$dl"
(
	cd "$dl"
	for p in "$img:$aptarch" "$hdr:$aptarch" "$common" "$kbuild:amd64"; do
		name=${p%%:*}
		ls "${name}"_*.deb >/dev/null 2>&1 || {
			echo "fetch-kernel: downloading $p" >&2
			apt-get download -q "$p" >&2
		}
	done
)
rm -rf "$dir"
mkdir -p "$dir/root"
for p in "$img" "$hdr" "$common" "$kbuild"; do
	for f in "$dl/${p}"_*.deb; do
		# linux-kbuild is the host tool set: always the amd64 build.
		case $p in linux-kbuild-*) case $f in *_amd64.deb) ;; *) continue ;; esac ;; esac
		case $p in "$img" | "$hdr") case $f in *_"$aptarch".deb) ;; *) continue ;; esac ;; esac
		dpkg-deb -x "$f" "$dir/root"
	done
done

# Each image package holds exactly one release and one vmlinuz.
mods=("$dir"/root/lib/modules/*/)
release=$(basename "${mods[0]}")
images=("$dir"/root/boot/vmlinuz-*)
kernel=${images[0]}
kdir=$dir/root/usr/src/linux-headers-$release
# Debian's headers Makefile includes its -common sibling by absolute path
# (/usr/src/...), which only exists once the package is installed.  Point it
# into the cache so KDIR works without touching the host's /usr/src.
sed -i "s|^include /usr/src/|include $dir/root/usr/src/|" "$kdir/Makefile"
cat > "$dir/target.env" <<ENV
ARCH=$arch
KVER=$kver
DEB_VERSION=$version
KRELEASE=$release
KERNEL=$kernel
KDIR=$kdir
MODDIR=$dir/root/lib/modules/$release
ENV
touch "$stamp"
echo "$dir"
