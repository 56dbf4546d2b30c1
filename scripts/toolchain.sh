#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# toolchain.sh SUITE [CACHE]
# toolchain.sh SUITE --bind DIR [--bind DIR]... -- COMMAND [ARG]...
#
# The compiler a Debian kernel was built with, for kernels the host's
# release did not build: trixie-backports' kernels were built by trixie's
# gcc-14, which bookworm does not have, and their headers name it
# (.kernelvariables: CC = $(CROSS_COMPILE)gcc-14).  A module must be built
# by the same compiler (the kernel's flags, plugins and ABI assumptions are
# that compiler's), so this keeps a minimal chroot of SUITE under the cache
# (CACHE/toolchain/SUITE-HOSTARCH, made once by debootstrap from Debian's
# archive, about 700 MB): make, the suite's gcc for the host and the other
# architecture (x86_64 and arm64), pahole for the modules' BTF.
#
# With only SUITE, makes the chroot if it is not there and prints its path.
# With COMMAND, runs it in the chroot, each DIR bind-mounted at its own
# path inside (in a mount namespace of its own, so nothing stays mounted
# after), with a clean environment.  Needs root, or unprivileged user
# namespaces (unshare --map-root-user) to run; root to make the chroot.
set -euo pipefail
# shellcheck source=scripts/cli-lib.sh
. "$(dirname "$0")/cli-lib.sh"

case ${1:-} in
-h | --help) cli_help; exit 0 ;;
-*) cli_refuse "unknown option '$1'" ;;
'') cli_refuse "no SUITE" ;;
esac
suite=$1
shift
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=scripts/build-lib.sh
. "$root/scripts/build-lib.sh"
cache=$cmheap_cache
binds=()
command_given=
while [ $# -gt 0 ]; do
	case $1 in
	--bind) binds+=("$(realpath "${2:?toolchain.sh: --bind needs a folder}")"); shift 2 ;;
	--) command_given=1; shift; break ;;
	-h | --help) cli_help; exit 0 ;;
	-*) cli_refuse "unknown option '$1'" ;;
	*) [ -z "${cache_given:-}" ] || cli_refuse "one CACHE only"; cache=$1 cache_given=1; shift ;;
	esac
done

case $suite in
bookworm) gcc="gcc-12" ;;
trixie) gcc="gcc-14" ;;
*) echo "toolchain.sh: no toolchain known for suite '$suite' (bookworm, trixie)" >&2; exit 2 ;;
esac
case $(uname -m) in
x86_64) darch=amd64 other=aarch64-linux-gnu ;;
aarch64) darch=arm64 other=x86-64-linux-gnu ;;
*) echo "toolchain.sh: host $(uname -m) is neither x86_64 nor arm64" >&2; exit 2 ;;
esac
packages=(make "$gcc" "$gcc-$other" libc6-dev dwarves)
tc=$cache/toolchain/$suite-$darch
# the stamp names what is in it: a changed list makes it again
stamp=$tc/.cmheap-toolchain-$(printf '%s\n' "${packages[@]}" | md5sum | cut -c1-12)

if [ ! -e "$stamp" ]; then
	[ "$(id -u)" -eq 0 ] || { echo "toolchain.sh: making the $suite chroot needs root (debootstrap)" >&2; exit 1; }
	command -v debootstrap >/dev/null || {
		echo "toolchain.sh: installing debootstrap" >&2
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends debootstrap >&2
	}
	echo "toolchain.sh: debootstrap $suite ($darch: ${packages[*]}) into $tc, once..." >&2
	rm -rf "$tc.new"
	mkdir -p "$(dirname "$tc")"
	if ! debootstrap --variant=minbase --arch="$darch" --include="$(IFS=,; echo "${packages[*]}")" \
		"$suite" "$tc.new" "${CMHEAP_MIRROR:-http://deb.debian.org/debian}" >"$tc.log" 2>&1; then
		tail -n 20 "$tc.log" >&2
		echo "toolchain.sh: debootstrap $suite failed ($tc.log)" >&2
		exit 1
	fi
	chroot "$tc.new" apt-get clean
	rm -rf "$tc"
	mv "$tc.new" "$tc"
	touch "$stamp"
fi
if [ -z "$command_given" ]; then
	echo "$tc"
	exit 0
fi
[ $# -gt 0 ] || { echo "toolchain.sh: nothing to run after --" >&2; exit 2; }

bind_args=()
for b in "${binds[@]}"; do
	bind_args+=(--bind "$b")
done
chroot_exec "$tc" "${bind_args[@]}" -- "$@"
