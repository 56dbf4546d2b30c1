#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# mkinitramfs.sh: build the guest's whole root filesystem as one initramfs.
#
#   mkinitramfs.sh --arch ARCH --out FILE [--payload DIR] [--moddir DIR]
#                  [--modules "NAME..."]
#
# Contents: a static busybox for ARCH, scripts/guest/init.sh as /init, the
# payload folder as /cmheap (cmheap.ko, selftests/, job.sh: whatever the caller
# staged), and from --moddir (a .../lib/modules/<release> folder) only the
# modules named by --modules plus what they depend on, plus the virtio ones the
# results disk needs.  Modules are stored decompressed (busybox insmod cannot
# read .ko.xz) and indexed with the host's depmod so busybox modprobe works.
#
# The archive is left uncompressed: under TCG, decompressing in the guest costs
# more than QEMU copying a few more MiB into guest memory.
set -euo pipefail
# shellcheck source=scripts/cli-lib.sh
. "$(dirname "$0")/cli-lib.sh"
export PATH=$PATH:/usr/sbin:/sbin

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/build-lib.sh
. "$root/scripts/build-lib.sh"
cache=$cmheap_cache

arch='' out='' payload='' moddir='' modules=''
while [ $# -gt 0 ]; do
	case $1 in
	-h | --help) cli_help; exit 0 ;;
	--arch | --out | --payload | --moddir | --modules)
		[ $# -ge 2 ] || cli_refuse "$1 needs a value" ;;&
	--arch) arch=$2 ;;
	--out) out=$2 ;;
	--payload) payload=$2 ;;
	--moddir) moddir=$2 ;;
	--modules) modules=$2 ;;
	*) cli_refuse "unknown argument '$1'" ;;
	esac
	shift 2
done
if [ -z "$arch" ] || [ -z "$out" ]; then
	echo "usage: mkinitramfs.sh --arch ARCH --out FILE [--payload DIR] [--moddir DIR] [--modules LIST]" >&2
	exit 2
fi

case $arch in
x86_64) darch=amd64 ;;
arm64) darch=arm64 ;;
*) echo "mkinitramfs: unsupported ARCH '$arch'" >&2; exit 2 ;;
esac

# Debian's static busybox for the guest's architecture, unpacked once into the
# cache (the host's own /bin/busybox only fits guests of the host's arch).
# Under a lock: test.sh builds two guests' initramfs at once, and two
# downloads of one package into one folder clash.
busybox_for() {
	local bb=$cache/busybox/$arch/busybox lock
	mkdir -p "$cache/debs" "$cache/busybox/$arch"
	exec {lock}>"$cache/busybox/$arch/.lock"
	flock "$lock"
	if [ ! -x "$bb" ]; then
		if ! compgen -G "$cache/debs/busybox-static_*_$darch.deb" >/dev/null; then
			echo "mkinitramfs: downloading busybox-static:$darch" >&2
			(cd "$cache/debs" && apt-get download -q "busybox-static:$darch" >&2)
		fi
		local debs=("$cache"/debs/busybox-static_*_"$darch".deb)
		local tmp
		tmp=$(mktemp -d)
		dpkg-deb -x "${debs[-1]}" "$tmp"
		cp "$tmp/bin/busybox" "$bb.new"
		mv "$bb.new" "$bb"
		rm -rf "$tmp"
	fi
	exec {lock}>&-
	echo "$bb"
}

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT

mkdir -p "$stage"/{bin,dev,proc,sys,tmp,root,results,cmheap}
cp "$(busybox_for)" "$stage/bin/busybox"
ln -s busybox "$stage/bin/sh"
install -m 0755 "$here/guest/init.sh" "$stage/init"

# Copy one module file (maybe compressed) to the same relative place.
add_module_file() {
	local src=$1 rel=${1#"$moddir"/}
	local dst=$stage/lib/modules/$release/${rel%.xz}
	[ -e "$dst" ] && return 0
	mkdir -p "$(dirname "$dst")"
	case $src in
	*.ko.xz) xz -dc "$src" >"$dst" ;;
	*.ko) cp "$src" "$dst" ;;
	*) echo "mkinitramfs: unsupported module format: $src" >&2; exit 1 ;;
	esac
}

if [ -n "$moddir" ]; then
	moddir=$(cd "$moddir" && pwd)
	release=$(basename "$moddir")
	base=${moddir%/lib/modules/"$release"}
	if [ "$base/lib/modules/$release" != "$moddir" ]; then
		echo "mkinitramfs: --moddir must be .../lib/modules/<release>: $moddir" >&2
		exit 2
	fi
	# Debian's packages ship no modules.dep (postinst makes it): index once.
	if [ ! -s "$moddir/modules.dep" ]; then
		echo "mkinitramfs: indexing $moddir (depmod, once)" >&2
		depmod -b "$base" "$release"
	fi
	for m in virtio_pci virtio_blk $modules; do
		if ! deps=$(modprobe -d "$base" -S "$release" --show-depends "$m" 2>&1); then
			echo "mkinitramfs: warning: module $m not available for $release: $deps" >&2
			continue
		fi
		while read -r kind path _; do
			[ "$kind" = insmod ] && add_module_file "$path"
		done <<<"$deps"
	done
	mkdir -p "$stage/lib/modules/$release"
	for f in modules.builtin modules.builtin.modinfo modules.order; do
		if [ -e "$moddir/$f" ]; then cp "$moddir/$f" "$stage/lib/modules/$release/"; fi
	done
	depmod -b "$stage" "$release"
fi

if [ -n "$payload" ]; then
	cp -a "$payload/." "$stage/cmheap/"
fi

mkdir -p "$(dirname "$out")"
(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio --quiet -o -H newc -R 0:0) >"$out.tmp"
mv "$out.tmp" "$out"
