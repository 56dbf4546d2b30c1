#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# lava-env.sh [CACHE]
# lava-env.sh --bind DIR [--bind DIR]... -- COMMAND [ARG]...
#
# Where make lava runs LAVA's own dispatcher: Debian bookworm's
# lava-dispatcher (2023.01; lava-run needs no server), with QEMU for both
# architectures and what its QEMU jobs need on the dispatcher's side
# (libguestfs, which writes the LAVA overlay into a job's ext4 root
# filesystem, and a kernel for libguestfs's appliance), and a worker's
# TFTP and NFS servers for validating the real-board job.  A chroot under the
# cache (CACHE/lava/bookworm-HOSTARCH, made once by mmdebstrap from Debian's
# archive, about 1.2 GB), never the host's own packages: lava-dispatcher
# would upgrade much of a host (systemd among it).
#
# With no COMMAND, makes the chroot if it is not there and prints its path.
# With COMMAND, runs it there (scripts/build-lib.sh's chroot_exec: each DIR
# bind-mounted at its own path, the host's /dev and /sys, a tmpfs /tmp),
# with libguestfs told to emulate (a /dev/kvm that a nested host exposes
# may not work; LAVA's QEMU options choose the accelerator for the jobs).
# Needs root to make the chroot; root or user namespaces to run in it.
set -euo pipefail
# shellcheck source=scripts/cli-lib.sh
. "$(dirname "$0")/cli-lib.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/build-lib.sh
. "$root/scripts/build-lib.sh"
cache=$cmheap_cache
bind_args=()
command_given=
while [ $# -gt 0 ]; do
	case $1 in
	--bind) bind_args+=(--bind "${2:?lava-env.sh: --bind needs a folder}"); shift 2 ;;
	--) command_given=1; shift; break ;;
	-h | --help) cli_help; exit 0 ;;
	-*) cli_refuse "unknown option '$1'" ;;
	*) [ -z "${cache_given:-}" ] || cli_refuse "one CACHE only"; cache=$1 cache_given=1; shift ;;
	esac
done

case $(uname -m) in
x86_64) darch=amd64 ;;
aarch64) darch=arm64 ;;
*) echo "lava-env.sh: host $(uname -m) is neither x86_64 nor arm64" >&2; exit 2 ;;
esac
# git: LAVA's test definitions "from: git"; the kernel: libguestfs's
# appliance boots it (supermin finds it in /boot); tftpd-hpa, u-boot-tools,
# nfs-kernel-server and telnet (for ser2net consoles): what a worker serving
# U-Boot boards has, and what LAVA's validation of such a job
# (scripts/lava-validate.sh) looks for
packages=(lava-dispatcher qemu-system-x86 qemu-system-arm qemu-utils git
	"linux-image-$darch" tftpd-hpa u-boot-tools nfs-kernel-server telnet)
env=$cache/lava/bookworm-$darch
# the stamp names what is in it: a changed list makes it again
stamp=$env/.cmheap-lava-$(printf '%s\n' "${packages[@]}" | md5sum | cut -c1-12)

if [ ! -e "$stamp" ]; then
	[ "$(id -u)" -eq 0 ] || { echo "lava-env.sh: making the dispatcher's chroot needs root" >&2; exit 1; }
	command -v mmdebstrap >/dev/null || {
		echo "lava-env.sh: installing mmdebstrap" >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends mmdebstrap >&2
	}
	echo "lava-env.sh: mmdebstrap bookworm ($darch: ${packages[*]}) into $env, once..." >&2
	rm -rf "$env.new"
	mkdir -p "$(dirname "$env")"
	# apt's resolver (mmdebstrap), not debootstrap's: lava-dispatcher's
	# dependencies need virtual packages (perl-openssl-abi-3)
	if ! mmdebstrap --variant=apt --include="$(IFS=,; echo "${packages[*]}")" bookworm \
		"$env.new" "${CMHEAP_MIRROR:-http://deb.debian.org/debian}" >"$env.log" 2>&1; then
		tail -n 20 "$env.log" >&2
		echo "lava-env.sh: mmdebstrap failed ($env.log)" >&2
		exit 1
	fi
	rm -rf "$env"
	mv "$env.new" "$env"
	touch "$stamp"
fi
if [ -z "$command_given" ]; then
	echo "$env"
	exit 0
fi
[ $# -gt 0 ] || { echo "lava-env.sh: nothing to run after --" >&2; exit 2; }
chroot_exec "$env" --devices "${bind_args[@]}" -- \
	LIBGUESTFS_BACKEND=direct LIBGUESTFS_BACKEND_SETTINGS=force_tcg "$@"
