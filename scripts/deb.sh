#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# deb.sh: cmheap's Debian packages, with Debian's own tooling
# (dpkg-buildpackage, debhelper, dh-dkms), checked by lintian.
#
#   cmheap-dkms   the sources of cmheap.ko and cmheap_test.ko, which DKMS
#                 builds for every installed kernel and on each upgrade
#   cmheap-tools  the selftests and their runner, cmheap-bench, cmbench
#
# Built from a copy of the work tree (the files git knows) under build/deb/,
# for the host's architecture (cmheap-dkms is for every architecture;
# cmheap-tools links the libc, whose package a cross build would need
# installed for the target, so it is built on a machine of its own
# architecture: a board, or an arm64 guest); the kselftest harness comes from the cache
# (scripts/fetch-source.sh), as make test's does.  The packages, the
# source package and lintian's report land in out/deb/.  Fails when
# lintian reports an error (its warnings are printed).  Environment:
# NO_DEPS=1 skips installing what it needs; DKMS_KVERS="6.1 6.12 7.3" (what
# CI passes) also checks that cmheap-dkms's sources build, as its dkms.conf
# says, against the rig's Debian kernels of those releases
# (scripts/fetch-kernel.sh: downloads; 7.3 needs the trixie toolchain) -
# a packager's check: on the machine that installs the packages, DKMS
# itself builds them.
set -euo pipefail
# shellcheck source=scripts/cli-lib.sh
. "$(dirname "$0")/cli-lib.sh"
cli_args 0 "$@"
cli_picks
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/build-lib.sh
. "$root/scripts/build-lib.sh"
say() { echo "[deb] $*" >&2; }
die() { say "$*"; exit 1; }

host_arch=$(uname -m)
case $host_arch in aarch64) host_arch=arm64 ;; esac
arch=${ARCH:-$host_arch}
unset ARCH KVER KDIR KERNEL CROSS_COMPILE MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
case $arch in
x86_64) deb_arch=amd64 ;;
arm64) deb_arch=arm64 ;;
*) die "ARCH must be x86_64 or arm64, not '$arch'" ;;
esac
[ "$arch" = "$host_arch" ] ||
	die "cmheap-tools for $arch is built on $arch (this is $host_arch): its binaries link $arch's libc"

if [ "${NO_DEPS:-0}" != 1 ]; then
	need=()
	for t in dpkg-buildpackage:dpkg-dev dh:debhelper dh_dkms:dh-dkms dh_python3:dh-python lintian:lintian fakeroot:fakeroot \
		help2man:help2man; do
		command -v "${t%%:*}" >/dev/null || need+=("${t#*:}")
	done
	if [ "${#need[@]}" -gt 0 ]; then
		say "installing ${need[*]}"
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${need[@]}" >&2
	fi
fi

version=$(cat "$root/VERSION")
changelog_version=$(dpkg-parsechangelog -l "$root/debian/changelog" -S Version)
[ "$changelog_version" = "$version" ] ||
	die "debian/changelog is at $changelog_version, VERSION says $version: add an entry"

ksft=$("$root/scripts/fetch-source.sh")
# what the harness's source is, for Built-Using: the cached package, or
# the installed one (fetch-source.sh uses either)
src_deb=$(find "$cmheap_cache/debs" -name 'linux-source-6.12_*.deb' 2>/dev/null | head -n 1 || true)
if [ -n "$src_deb" ]; then
	linux_source="linux (= $(dpkg-deb -f "$src_deb" Version))"
else
	linux_source=$(dpkg-query -W -f='${source:Package} (= ${source:Version})' linux-source-6.12 2>/dev/null || true)
fi

work=$root/build/deb
out=$root/out/deb
rm -rf "$work" "$out"
mkdir -p "$work/cmheap-$version" "$out"
# the files git knows; a tree without git (a tarball, the board's copy):
# all of it but what builds and runs leave
if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	(cd "$root" && git ls-files -co --exclude-standard -z | tar --null -cf - -T -)
else
	tar -cf - -C "$root" --exclude=./build --exclude=./out --exclude=./.cache .
fi | tar -xf - -C "$work/cmheap-$version"

say "building cmheap $version for $deb_arch..."
flags=(-us -uc -d)
if ! (cd "$work/cmheap-$version" &&
	KSFT_DIR=$ksft/tools/testing/selftests LINUX_SOURCE_BUILT_USING="$linux_source" \
		dpkg-buildpackage "${flags[@]}") >"$work/build.log" 2>&1; then
	tail -n 40 "$work/build.log" >&2
	die "dpkg-buildpackage failed ($work/build.log)"
fi
changes=$(ls "$work"/cmheap_"${version}"_"$deb_arch".changes)
cp "$work"/*.deb "$work"/*.dsc "$work"/*.tar.* "$changes" "$out/" 2>/dev/null || true

say "lintian..."
rc=0
lintian --fail-on error --display-info "$changes" >"$out/lintian.txt" 2>&1 || rc=$?
cat "$out/lintian.txt" >&2
for deb in "$out"/*.deb; do
	say "$(basename "$deb"): $(dpkg-deb -f "$deb" Installed-Size) KiB installed"
done
[ "$rc" -eq 0 ] || die "lintian reports errors ($out/lintian.txt)"

# What DKMS will do with cmheap-dkms, short of installing it on this host:
# its dkms.conf's build command, in its sources as installed, against
# Debian's headers of each release in DKMS_KVERS for this architecture
# (trixie-backports' with trixie's compiler, as DKMS on a trixie system
# would: scripts/toolchain.sh); both modules.
if [ -z "${DKMS_KVERS:-}" ]; then
	say "done: $(cd "$out" && echo *.deb) (DKMS_KVERS unset: no build check against the rig's kernels)"
	exit 0
fi
dkms_root=$work/dkms-check
rm -rf "$dkms_root"
dpkg-deb -x "$out/cmheap-dkms_${version}_all.deb" "$dkms_root"
src=$dkms_root/usr/src/cmheap-$version
make_cmd=$(sed -n 's/^MAKE\[0\]="\(.*\)"$/\1/p' "$src/dkms.conf")
[ -n "$make_cmd" ] || die "no MAKE[0] in the packaged dkms.conf"
for k in $DKMS_KVERS; do
	# shellcheck source=/dev/null
	. "$("$root/scripts/fetch-kernel.sh" "$arch" "$k")/target.env"
	rm -rf "$src.$k" && cp -a "$src" "$src.$k"
	# the command as dkms runs it, with its ${kernel_source_dir}, by the
	# compiler that built the kernel
	# shellcheck disable=SC2153 # KDIR: from the target.env sourced above
	toolchain_prefix "$KDIR" "$src.$k"
	if ! "${toolchain_run[@]}" env kernel_source_dir="$KDIR" sh -c "cd '$src.$k' && $make_cmd" >"$work/dkms-$k.log" 2>&1 ||
		[ ! -f "$src.$k/kernel/heaps/cmheap.ko" ] || [ ! -f "$src.$k/kernel/test/cmheap_test.ko" ]; then
		tail -n 20 "$work/dkms-$k.log" >&2
		die "cmheap-dkms's sources do not build for $k as its dkms.conf says ($work/dkms-$k.log)"
	fi
	say "cmheap-dkms builds cmheap.ko and cmheap_test.ko for $KRELEASE as its dkms.conf says"
done
say "done: $(cd "$out" && echo *.deb)"
