# shellcheck shell=bash
# build-lib.sh: how cmheap's parts are built for a target architecture,
# sourced by test.sh, bench.sh and lint.sh so that they build alike.
#
#   $cmheap_cache             where downloads and kernel builds are kept,
#                             outside any clone: $CMHEAP_CACHE, else
#                             ${XDG_CACHE_HOME:-~/.cache}/cmheap
#   kbuild_arch ARCH          kbuild's name for ARCH (x86_64 -> x86)
#   cross_for ARCH            the CROSS_COMPILE prefix for ARCH on this host
#                             (empty for the host's own architecture)
#   build_module KDIR ARCH DIR [make args...]
#                             cmheap.ko against KDIR, in a private copy of
#                             the sources under DIR/src (so that concurrent
#                             builds for other targets do not clash), log in
#                             DIR/module.log, result in DIR/cmheap.ko; on
#                             failure prints the log's tail and returns 1
# Needs $root (the repository) set by the caller.
: "${root:?build-lib.sh: set root to the repository first}"

# shellcheck disable=SC2034 # used by the scripts that source this file
cmheap_cache=${CMHEAP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cmheap}

kbuild_arch() {
	case $1 in
	x86_64) echo x86 ;;
	*) echo "$1" ;;
	esac
}

cross_for() {
	local host
	host=$(uname -m)
	case $1/$host in
	arm64/aarch64 | x86_64/x86_64) ;;
	arm64/*) echo aarch64-linux-gnu- ;;
	x86_64/*) echo x86_64-linux-gnu- ;;
	esac
}

build_module() {
	local kdir=$1 arch=$2 dir=$3
	shift 3
	local src=$dir/src
	rm -rf "$src"
	mkdir -p "$src"
	cp -a "$root/kernel" "$root/include" "$src/"
	if ! make -C "$src/kernel" -j"$(nproc)" KDIR="$kdir" ARCH="$(kbuild_arch "$arch")" \
		CROSS_COMPILE="$(cross_for "$arch")" "$@" >"$dir/module.log" 2>&1; then
		tail -n 30 "$dir/module.log" >&2
		return 1
	fi
	cp "$src/kernel/cmheap.ko" "$dir/cmheap.ko"
}
