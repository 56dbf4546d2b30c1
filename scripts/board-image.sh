#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# board-image.sh ARCH: a Debian 12 root filesystem that stands in for a
# board running Debian, for scripts/board.sh: its own kernel (Debian's
# linux-image for ARCH, from bookworm), the headers of that kernel, a
# toolchain, gnuplot and Python 3, DKMS, and Debian's packaging tools
# (debhelper, dh-dkms, dh-python, lintian), as `apt-get install
# build-essential linux-headers-$(uname -r) gnuplot-nox python3 dkms
# debhelper dh-dkms dh-python help2man lintian` would leave a board.  And an upgrade waiting: the
# packages of bookworm's other kernel, 6.12 (image, headers and what they
# need beside what is installed), in /var/cache/cmheap-board/kernel/, for
# board-init.sh to install as `apt upgrade` would (the guest has no
# network); and the options a board's administrator gives cmheap, in
# /etc/modprobe.d/cmheap.conf.
#
# debootstrap downloads and unpacks the packages on the host (--foreign,
# which needs no emulation of ARCH); the second stage, which runs the
# packages' own scripts, runs chrooted into the tree: on the host when ARCH
# is the host's, else in a QEMU guest of the rig's Debian 6.12 kernel for
# ARCH (no network there, and minutes of emulation).
#
# Kept in the cache outside the clone (${CMHEAP_CACHE:-${XDG_CACHE_HOME:-
# ~/.cache}/cmheap}/board/ARCH/), keyed by the package list, the mirror and
# image_version below (raise it with any change to what goes into the
# image): a warm cache is reused, a changed key builds afresh; downloaded
# packages stay in board/debs-ARCH/ either way.  Prints the
# path of a board.env (ARCH IMAGE KERNEL INITRD KRELEASE) for board.sh;
# progress to stderr.  Needs root (debootstrap) and network to the archive.
#
# Environment: DEBIAN_MIRROR (default http://deb.debian.org/debian),
# TIMEOUT for the second stage's guest (s, default 3600).
set -euo pipefail
# shellcheck source=scripts/cli-lib.sh
. "$(dirname "$0")/cli-lib.sh"
cli_args 1 "$@"
export PATH=$PATH:/usr/sbin:/sbin

arch=${1:?usage: board-image.sh x86_64|arm64}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=scripts/build-lib.sh
. "$root/scripts/build-lib.sh"
case $arch in
x86_64) darch=amd64 ;;
arm64) darch=arm64 ;;
*) echo "board-image: ARCH is x86_64 or arm64" >&2; exit 2 ;;
esac
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
t0=$SECONDS
say() { echo "[board-image $arch $(printf '%4d' $((SECONDS - t0)))s] $*" >&2; }
die() { say "ERROR: $*"; exit 1; }

# What a board's user installs to build, package and run cmheap (README,
# "On real hardware"), and the kernel whose headers those are; dwarves
# (pahole) and openssl are what 6.12's headers and DKMS's module signing
# need beyond them; perl-openssl-defaults provides a virtual package
# lintian's dependencies need, which debootstrap does not resolve.
packages=(build-essential "linux-image-$darch" "linux-headers-$darch" gnuplot-nox
	python3 sudo kmod procps xz-utils dkms debhelper dh-dkms dh-python help2man fakeroot lintian
	dwarves openssl perl-openssl-defaults)

# The upgrade: bookworm's 6.12 kernel, as the rig knows it (its packages'
# names and version from scripts/fetch-kernel.sh's resolution), downloaded
# through the host's apt (bookworm-security, and arm64 added to dpkg's
# architectures for an arm64 board, as fetch-kernel.sh needs too).
tdir_upgrade=$("$here/fetch-kernel.sh" "$arch" 6.12)
# shellcheck source=/dev/null
upgrade_rel=$(. "$tdir_upgrade/target.env" && echo "$KRELEASE")
# shellcheck source=/dev/null
upgrade_ver=$(. "$tdir_upgrade/target.env" && echo "$DEB_VERSION")
upgrade_abi=${upgrade_rel%-"$darch"}
upgrade=("linux-image-$upgrade_rel:$darch" "linux-headers-$upgrade_rel:$darch"
	"linux-headers-$upgrade_abi-common" "linux-kbuild-$upgrade_abi:$darch")

image_version=4
base=$cmheap_cache/board/$arch
key=$(echo "$image_version ${packages[*]} $mirror $upgrade_ver" | sha256sum | cut -c1-12)
env_file=$base/board.env
if [ -f "$base/.complete-$key" ] && [ -f "$env_file" ]; then
	say "cached image ($key)"
	echo "$env_file"
	exit 0
fi
[ "$(id -u)" -eq 0 ] || die "debootstrap needs root"
command -v debootstrap >/dev/null || {
	say "installing debootstrap"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap >&2
}
# A tree left by a killed run may still have the host's /proc, /sys and
# /dev mounted in it (the native second stage): never delete through them.
release_mounts() {
	local m
	while read -r m; do
		umount -l "$m" 2>/dev/null || true
	done < <(awk -v b="$base/" 'index($2, b) == 1 { print $2 }' /proc/mounts | sort -r)
}
release_mounts
rm -rf --one-file-system "$base"
mkdir -p "$base"
tree=$base/tree

# 1. Download and unpack, on the host.
say "debootstrap --foreign bookworm ($darch, ${#packages[@]} packages and their dependencies)..."
mkdir -p "$cmheap_cache/board/debs-$arch"
if ! debootstrap --foreign --arch="$darch" --variant=minbase --cache-dir="$cmheap_cache/board/debs-$arch" \
	--include="$(IFS=,; echo "${packages[*]}")" bookworm "$tree" "$mirror" >"$base/debootstrap.log" 2>&1; then
	tail -n 20 "$base/debootstrap.log" >&2
	die "debootstrap failed ($base/debootstrap.log)"
fi

# What a board's administrator would have set up: sources (for apt-get
# download linux-source-6.12 in scripts/fetch-source.sh), a name, the root
# filesystem in fstab, and the launcher PID 1 runs: it unpacks the
# repository from its disk and hands over to scripts/guest/board-init.sh there.
cat >"$tree/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb ${mirror%/debian}/debian-security bookworm-security main
EOF
echo cmheap-board >"$tree/etc/hostname"
# A board's initramfs holds the modules its own hardware needs (MODULES=dep
# finds them); in a chroot nothing can be detected, so name this board's:
# its virtio disk and root filesystem.  Every kernel package's scripts
# build it, so a small one also keeps the emulated second stage short.
# (conf.d/ and modules.d/ rather than initramfs-tools' own conffiles.)
mkdir -p "$tree/etc/initramfs-tools/conf.d" "$tree/usr/share/initramfs-tools/modules.d"
echo MODULES=list >"$tree/etc/initramfs-tools/conf.d/cmheap-board"
printf '%s\n' virtio_pci virtio_blk ext4 >"$tree/usr/share/initramfs-tools/modules.d/cmheap-board"
echo 'LABEL=cmheap-board / ext4 rw 0 1' >"$tree/etc/fstab"
# The administrator's options for the heaps (from cmheap-dkms's example):
# the names Android's libdmabufheap opens, which show that modprobe read it.
mkdir -p "$tree/etc/modprobe.d"
cat >"$tree/etc/modprobe.d/cmheap.conf" <<'EOF'
# The board's options for cmheap (see /usr/share/doc/cmheap-dkms/examples/).
options cmheap userspace_names=1
EOF
say "downloading the upgrade: ${upgrade[*]} ($upgrade_ver)..."
mkdir -p "$tree/var/cache/cmheap-board/kernel"
(cd "$tree/var/cache/cmheap-board/kernel" &&
	for p in "${upgrade[@]}"; do
		apt-get -o APT::Sandbox::User=root download -q "$p=$upgrade_ver" >&2 || exit 1
	done) ||
	die "could not download the 6.12 kernel's packages (apt-get update; dpkg --add-architecture $darch)"
echo "$upgrade_rel" >"$tree/var/cache/cmheap-board/kernel/release"
mkdir -p "$tree/usr/local/sbin"
cat >"$tree/usr/local/sbin/cmheap-board-launch" <<'EOF'
#!/bin/sh
# PID 1 of the board guest (scripts/board-image.sh): the repository comes on
# the virtio disk with serial cmheap-src, as a tar; scripts/guest/board-init.sh in
# it does the rest.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
mount -o remount,rw /
for s in /sys/block/vd*/serial; do
	[ "$(cat "$s")" = cmheap-src ] && src=/dev/$(basename "${s%/serial}")
done
rm -rf /root/cmheap
mkdir -p /root/cmheap
tar -xf "$src" -C /root/cmheap
exec sh /root/cmheap/scripts/guest/board-init.sh
EOF
chmod 755 "$tree/usr/local/sbin/cmheap-board-launch"

# 2. The second stage, chrooted into the tree (native) or the image
# (emulated).  Success leaves a marker file with the contents of /boot.
img=$base/rootfs.img
# The tree as an ext4 image.  mkfs.ext4 says "Creating regular file" on
# stdout, even with -q, when the file is new: stdout is this script's
# answer (the board.env path), so its chatter goes to stderr.
make_image() {
	mkfs.ext4 -q -F -L cmheap-board -d "$tree" "$img" 6G >&2
}
stage2_native() {
	local rc=0
	trap release_mounts EXIT
	mount -t proc proc "$tree/proc"
	mount -t sysfs sysfs "$tree/sys"
	mount --bind /dev "$tree/dev"
	chroot "$tree" /debootstrap/debootstrap --second-stage >"$base/stage2.log" 2>&1 || rc=$?
	[ "$rc" -eq 0 ] && chroot "$tree" sh -c 'apt-get clean; ls /boot >/etc/cmheap-board-ok'
	release_mounts
	trap - EXIT
	[ "$rc" -eq 0 ] || { tail -n 20 "$base/stage2.log" >&2; die "debootstrap --second-stage failed ($base/stage2.log)"; }
	say "making the ext4 image..."
	make_image
}

stage2_emulated() {
	local work=$base/stage2 tdir
	say "making the ext4 image..."
	make_image
	tdir=$("$here/fetch-kernel.sh" "$arch" 6.12)
	# shellcheck source=/dev/null
	. "$tdir/target.env"
	mkdir -p "$work/payload"
	cat >"$work/payload/job.sh" <<'EOF'
# Written by scripts/board-image.sh: debootstrap's second stage.
# (guest/init.sh brings virtio disks up only after the job: do it now.)
modprobe virtio_pci 2>/dev/null
modprobe virtio_blk 2>/dev/null
modprobe ext4
disk=''
n=0
while [ -z "$disk" ] && [ "$n" -lt 50 ]; do
	for s in /sys/block/vd*/serial; do
		[ -r "$s" ] && [ "$(cat "$s")" = cmheap-board ] && disk=/dev/${s#/sys/block/} && disk=${disk%/serial}
	done
	[ -n "$disk" ] || sleep 0.2
	n=$((n + 1))
done
mkdir -p /mnt
mount -t ext4 "$disk" /mnt || exit 1
mount -t proc proc /mnt/proc
mount -t sysfs sysfs /mnt/sys
mount --bind /dev /mnt/dev
rc=0
chroot /mnt /debootstrap/debootstrap --second-stage || rc=$?
[ "$rc" -ne 0 ] && cp /mnt/debootstrap/debootstrap.log "$RESULTS/" 2>/dev/null
[ "$rc" -eq 0 ] && chroot /mnt sh -c 'apt-get clean; ls /boot >/etc/cmheap-board-ok'
umount /mnt/dev /mnt/sys /mnt/proc
umount /mnt
exit "$rc"
EOF
	"$here/mkinitramfs.sh" --arch "$arch" --out "$work/initramfs.cpio" --payload "$work/payload" \
		--moddir "$MODDIR" --modules "ext4" 2>"$work/initramfs.log" ||
		{ cat "$work/initramfs.log" >&2; die "initramfs did not build"; }
	say "second stage in QEMU (the packages' scripts, emulated: minutes)..."
	DRIVES="cmheap-board:$img" MEM=2G TAG="board-image $arch" \
		"$here/qemu-run.sh" "$arch" "$KERNEL" "$work/initramfs.cpio" "$work/results" "${TIMEOUT:-3600}" ||
		die "the second stage's guest failed ($work/results/console.log)"
	[ "$(cat "$work/results/job-rc.txt" 2>/dev/null)" = 0 ] ||
		die "debootstrap --second-stage failed ($work/results/console.log, $work/results/debootstrap.log)"
}

host_arch=$(uname -m)
case $host_arch in aarch64) host_arch=arm64 ;; esac
if [ "$arch" = "$host_arch" ]; then
	say "second stage on the host (chroot)..."
	stage2_native
else
	stage2_emulated
fi
rm -rf --one-file-system "$tree"
debugfs -R 'cat /etc/cmheap-board-ok' "$img" 2>/dev/null | grep -q vmlinuz ||
	die "no kernel in the image's /boot after the second stage"

# 3. The board's own kernel and initrd, for QEMU's -kernel/-initrd (a
# board's boot loader would find them in /boot).
krel=$(debugfs -R 'ls -p /lib/modules' "$img" 2>/dev/null | awk -F/ '$6 ~ /^[0-9]/ { print $6; exit }')
[ -n "$krel" ] || die "no /lib/modules/<release> in the image"
debugfs -R "dump /boot/vmlinuz-$krel $base/vmlinuz" "$img" 2>/dev/null
debugfs -R "dump /boot/initrd.img-$krel $base/initrd.img" "$img" 2>/dev/null
if [ ! -s "$base/vmlinuz" ] || [ ! -s "$base/initrd.img" ]; then die "could not take /boot/vmlinuz-$krel and initrd.img-$krel out of the image"; fi
cat >"$env_file" <<EOF
ARCH=$arch
IMAGE=$img
KERNEL=$base/vmlinuz
INITRD=$base/initrd.img
KRELEASE=$krel
EOF
touch "$base/.complete-$key"
say "image ready: Debian 12 $darch, kernel $krel ($((SECONDS - t0)) s)"
echo "$env_file"
