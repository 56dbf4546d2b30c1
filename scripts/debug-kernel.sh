#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# debug-kernel.sh ARCH: build Debian's 6.12 kernel source with the judges of
# kernel code switched on (DMA-API debugging, KASAN, lockdep, kmemleak,
# DEBUG_VM, atomic-sleep checks, DMABUF_DEBUG), for `make test KERNEL=debug`.
#
# The configuration is `make allnoconfig` plus the fragments
# scripts/debug-kernel/common.config (the judges, the rig's guest),
# selftests/config (what the selftests need, kselftest's fragment) and
# scripts/debug-kernel/ARCH.config: only what the QEMU rig, cmheap and its
# peers need, so that it builds in minutes, not hours.
# Every option of the fragments is checked after olddefconfig; one that did
# not stick (a missing dependency) fails the build with its name.
#
# Source and build live in the cache outside the clone
# (${CMHEAP_CACHE:-${XDG_CACHE_HOME:-~/.cache}/cmheap}/debug-kernel/), keyed
# by the source package's version and the fragments' options: a warm cache
# is reused as it is, a changed fragment or a new source version builds
# afresh (incrementally where kbuild can).
#
# Prints the path of a target.env (ARCH KVER KRELEASE KERNEL KDIR MODDIR)
# for scripts/test.sh.  Progress and timings go to stderr.
set -euo pipefail
# shellcheck source=scripts/cli-lib.sh
. "$(dirname "$0")/cli-lib.sh"
cli_args 1 "$@"
export PATH=$PATH:/usr/sbin:/sbin

arch=${1:?usage: debug-kernel.sh x86_64|arm64}
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
# shellcheck source=scripts/build-lib.sh
. "$root/scripts/build-lib.sh"
cache=$cmheap_cache
frags=("$here/debug-kernel/common.config" "$root/selftests/config" "$here/debug-kernel/$arch.config")
for f in "${frags[@]}"; do
	[ -r "$f" ] || { echo "debug-kernel: no fragment $f (x86_64, arm64)" >&2; exit 2; }
done
case $arch in
x86_64) image=arch/x86/boot/bzImage ;;
arm64) image=arch/arm64/boot/Image ;;
esac

say() { echo "[debug-kernel $arch] $*" >&2; }

# The source: the same linux-source-6.12 package fetch-source.sh uses.
"$here/fetch-source.sh" >/dev/null
debs=("$cache"/debs/linux-source-6.12_*.deb)
deb=${debs[-1]}
srcver=$(dpkg-deb -f "$deb" Version)
base=$cache/debug-kernel
src=$base/src-$srcver
if [ ! -f "$src/.complete" ]; then
	say "extracting linux-source $srcver (once)..."
	rm -rf "$src"
	mkdir -p "$src"
	dpkg-deb --fsys-tarfile "$deb" |
		tar -xO --wildcards './usr/src/linux-source-*.tar.xz' |
		tar -xJ -C "$src" --strip-components=1
	touch "$src/.complete"
fi

# The options decide the build ("# CONFIG_X is not set" is one), not the
# comments around them nor which fragment holds them.
key=$(grep -hE '^(CONFIG_|# CONFIG_.* is not set)' "${frags[@]}" | LC_ALL=C sort | sha256sum | cut -c1-12)
out=$base/build-$arch
stamp=$out/.built-$srcver-$key
if [ -f "$stamp" ] && [ -f "$out/target.env" ]; then
	say "cached build ($srcver, fragments $key)"
	echo "$out/target.env"
	exit 0
fi

mk=(make -C "$src" O="$out" ARCH="$(kbuild_arch "$arch")" CROSS_COMPILE="$(cross_for "$arch")" -j"$(nproc)")
mkdir -p "$out"
rm -f "$out"/.built-*
t0=$SECONDS
say "configuring: allnoconfig + ${frags[*]##*/}"
"${mk[@]}" -s allnoconfig >&2
"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "${frags[@]}" >"$out/merge.log" 2>&1
"${mk[@]}" -s olddefconfig >&2
# Every option the fragments ask for must have stuck.
missing=0
while IFS= read -r line; do
	case $line in
	CONFIG_*=*) want=$line ;;
	"# CONFIG_"*" is not set") want=$line ;;
	*) continue ;;
	esac
	opt=${want#\# }
	opt=${opt%%[= ]*}
	if [ "${want:0:1}" = "#" ]; then
		grep -q "^$opt=" "$out/.config" && { say "wanted unset but set: $opt"; missing=1; }
	elif ! grep -qx "$want" "$out/.config"; then
		say "did not stick: $want (got: $(grep "^$opt=\|# $opt " "$out/.config" || echo unset))"
		missing=1
	fi
done < <(cat "${frags[@]}")
[ "$missing" -eq 0 ] || { say "configuration incomplete; see above"; exit 1; }

say "building (log: $out/build.log)..."
if ! "${mk[@]}" all >"$out/build.log" 2>&1; then
	tail -n 40 "$out/build.log" >&2
	say "build FAILED after $((SECONDS - t0)) s"
	exit 1
fi
release=$(cat "$out/include/config/kernel.release")
# The modules the rig can load (none are needed: the fragment builds
# everything in), installed for the guest's depmod/modprobe.
rm -rf "$out/modroot"
"${mk[@]}" -s INSTALL_MOD_PATH="$out/modroot" INSTALL_MOD_STRIP=1 DEPMOD=true modules_install >&2 || true
mkdir -p "$out/modroot/lib/modules/$release"
cat >"$out/target.env" <<ENV
ARCH=$arch
KVER=6.12
DEB_VERSION="$srcver debug"
KRELEASE=$release
KERNEL=$out/$image
KDIR=$out
MODDIR=$out/modroot/lib/modules/$release
ENV
touch "$stamp"
say "built $release in $((SECONDS - t0)) s"
echo "$out/target.env"
