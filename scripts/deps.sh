#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# deps.sh: install the host packages the rig needs, only those missing.
#
# Runs before every make target that builds or boots anything, so the
# everything-present path must be quick: it asks dpkg-query (local, ~50 ms)
# and never touches the network unless something is missing.
set -euo pipefail
# shellcheck source=scripts/cli-lib.sh
. "$(dirname "$0")/cli-lib.sh"
cli_args 0 "$@"

# gcc-12/gcc-12-aarch64-linux-gnu: Debian's headers hard-code $(CROSS_COMPILE)gcc-12.
# dwarves: pahole, for the BTF step of 6.12 module builds.
# kmod: host depmod/modprobe, to resolve and index the guest's modules.
# device-tree-compiler: dtc, for the arm64 guests' reserved-memory nodes.
# debootstrap, e2fsprogs: the board root filesystem (scripts/board-image.sh).
# python3, python3-flake8: the analysis layer (scripts/cmbench) and its lint.
# pkgconf, g++: the installed library checked as a user builds with it.
# rsync: kselftest's install (the selftests dropped into a kernel tree).
pkgs=(
	make gcc gcc-12 libc6-dev perl tar
	gcc-aarch64-linux-gnu gcc-12-aarch64-linux-gnu libc6-dev-arm64-cross
	qemu-system-x86 qemu-system-arm
	busybox-static cpio xz-utils kmod
	bc flex bison libelf-dev libssl-dev dwarves sparse
	gnuplot-nox shellcheck python3 python3-flake8
	device-tree-compiler
	debootstrap e2fsprogs
	pkgconf g++ rsync
)

sudo=
[ "$(id -u)" -eq 0 ] || sudo=sudo

# The arm64 guests' kernels, modules and busybox come from the arm64 archive.
need_update=0
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	echo "deps: dpkg --add-architecture arm64" >&2
	$sudo dpkg --add-architecture arm64
	need_update=1
fi
# No arm64 package lists yet (fresh machine, or architecture just added).
if ! compgen -G '/var/lib/apt/lists/*_binary-arm64_Packages*' >/dev/null; then
	need_update=1
fi

missing=()
for p in "${pkgs[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$status" = installed ] || missing+=("$p")
done

if [ "${#missing[@]}" -gt 0 ]; then
	need_update=1
fi
if [ "$need_update" -eq 1 ]; then
	echo "deps: apt-get update" >&2
	$sudo apt-get update -q >&2
fi
if [ "${#missing[@]}" -gt 0 ]; then
	echo "deps: installing ${missing[*]}" >&2
	$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends "${missing[@]}" >&2
fi
