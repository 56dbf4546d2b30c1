# SPDX-License-Identifier: GPL-2.0
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
#   kernel_ops_of ARGS        the kernel ops a cmheap-bench --ops asks for
#   build_module KDIR ARCH DIR [make args...]
#                             cmheap.ko and cmheap_test.ko against KDIR, in
#                             a private copy of the sources under DIR/src
#                             (so that concurrent builds for other targets
#                             do not clash), log in DIR/module.log, results
#                             in DIR/cmheap.ko and DIR/cmheap_test.ko (only
#                             the first for a revision from before the
#                             modules were split); on
#                             failure prints the log's tail and returns 1.
#                             The sources are $root's, or those of the tree
#                             $module_tree names (another revision's, for
#                             scripts/bench-check.sh's A/B run); for a
#                             kernel the host's compiler did not build, in
#                             the toolchain chroot kernel_toolchain names
#   kernel_toolchain KDIR     the Debian suite whose compiler built KDIR's
#                             kernel, when the host lacks that compiler
#                             (trixie for trixie-backports' kernels);
#                             nothing when the host's builds it
#   toolchain_prefix KDIR DIR the command prefix (array toolchain_run) that
#                             builds in DIR for KDIR's kernel by its compiler
#   tree_tar TAR              the source tree as a board gets it, into TAR:
#                             in a git work tree the files git knows or would
#                             (tracked, and untracked unless ignored: no
#                             build products), else all but build/, out/, .git
#   chroot_exec ROOT [--devices] [--bind DIR]... -- [VAR=VALUE]... CMD...
#                             CMD chrooted into ROOT (a Debian tree of the
#                             cache: toolchain.sh's, lava-env.sh's) in mount
#                             and PID namespaces of its own, so nothing stays
#                             mounted after: each DIR bind-mounted at its own
#                             path inside, /proc, and with --devices the
#                             host's /dev and /sys and a tmpfs /tmp (what
#                             QEMU and libguestfs need); a clean environment
#                             but for the VAR=VALUEs.  Root, or unprivileged
#                             user namespaces.
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

# Debian's headers name their compiler (.kernelvariables: CC = ...gcc-14);
# kernels of another suite than the host's need that suite's.
kernel_toolchain() {
	local kdir=$1 cc release
	cc=$(sed -n 's/^CC = .*)\(gcc-[0-9][0-9]*\)$/\1/p' "$kdir/.kernelvariables" 2>/dev/null || true)
	[ -n "$cc" ] || return 0	# not Debian's headers: the host's compiler
	# the host's native gcc-NN stands for its cross one (make deps
	# installs both); the headers' prefix may be a make expression
	! command -v "$cc" >/dev/null || return 0
	release=$(cat "$kdir/include/config/kernel.release")
	case $release in
	*+deb12-*) echo bookworm ;;
	*+deb13-*) echo trixie ;;
	*) echo "build-lib: $release was built by $cc, which neither this host nor a toolchain of toolchain.sh has" >&2; return 1 ;;
	esac
}

# toolchain_prefix KDIR DIR: sets the array toolchain_run to what runs a
# build for KDIR's kernel by its own compiler: nothing for the host's, else
# the toolchain chroot, seeing DIR and the kernel's headers (with their
# -common and kbuild siblings) at their own paths.
toolchain_prefix() {
	local kdir=$1 dir=$2 suite
	toolchain_run=()
	suite=$(kernel_toolchain "$kdir") || return 1
	[ -z "$suite" ] ||
		toolchain_run=("$root/scripts/toolchain.sh" "$suite" --bind "$dir" --bind "${kdir%/usr/src/*}" --)
}

build_module() {
	local kdir=$1 arch=$2 dir=$3
	shift 3
	local src=$dir/src
	mkdir -p "$dir"
	toolchain_prefix "$kdir" "$dir" || return 1
	rm -rf "$src"
	mkdir -p "$src"
	cp -a "${module_tree:-$root}/kernel" "${module_tree:-$root}/include" "$src/"
	cp "${module_tree:-$root}/VERSION" "$src/" 2>/dev/null || true
	if ! "${toolchain_run[@]}" make -C "$src/kernel" -j"$(nproc)" KDIR="$kdir" ARCH="$(kbuild_arch "$arch")" \
		CROSS_COMPILE="$(cross_for "$arch")" "$@" >"$dir/module.log" 2>&1; then
		tail -n 30 "$dir/module.log" >&2
		return 1
	fi
	if [ -e "$src/kernel/heaps/cmheap.ko" ]; then
		cp "$src/kernel/heaps/cmheap.ko" "$src/kernel/test/cmheap_test.ko" "$dir/"
	else
		# a revision from before the split (bench-check's side A): one
		# module with the importer in it
		rm -f "$dir/cmheap_test.ko"
		cp "$src/kernel/cmheap.ko" "$dir/"
	fi
}

# kernel_ops_of ARGS: the kernel-timed ops that cmheap-bench options ARGS
# ask for (--ops, the last one winning), as a comma list: "kernel" when
# ARGS has no --ops, nothing when its --ops has no kernel op.
kernel_ops_of() {
	local words i op listed kept=(kernel)
	read -r -a words <<<"$1"
	for i in "${!words[@]}"; do
		[ "${words[$i]}" = --ops ] || continue
		kept=()
		IFS=, read -r -a listed <<<"${words[$((i + 1))]:-}"
		for op in "${listed[@]}"; do
			case $op in
			map | unmap | map_unmap | sync_dev | sync_cpu | dmabuf_sync | range_sync* | kernel) kept+=("$op") ;;
			all) kept+=(kernel) ;;
			esac
		done
	done
	(IFS=,; echo "${kept[*]}")
}

# Carveouts in every guest, for the carveout heaps: 192 MiB the kernel is
# told not to own, in three regions: 80 MiB for cmheap-carveout (struct
# pages; unused, its heap absent, on kernels without ZONE_DEVICE) and 32 +
# 80 MiB for cmheap-carveout-uncached, so that one heap spans two regions.
# The tests' largest buffer is 64 MiB, and fixtures hold another.  On x86_64
# the carveout ends 64 MiB below the end of the guest's RAM (memmap=SIZE$BASE
# marks it reserved in the e820 map; the last 64 MiB stay RAM, clear of the
# firmware's tables); on arm64 -M virt the kernel gets the first MEM less
# 192 MiB (mem= stops it there) and the carveouts sit across the 4 GiB line,
# the first region's first 32 MiB below it: a PCI device's DMA segments
# must not cross that line (its segment boundary), which only a buffer of
# memory that crosses it can test, and arm64's RAM is contiguous from
# 1 GiB.  The machine then has RAM up to the carveouts' end (3232 MiB, or
# MEM where that is more and the carveouts go on top as on x86_64).  Every
# base and size is 2 MiB aligned, as struct pages need.  arm64 boards
# declare carveouts in their device tree, so the arm64 guests' tree has one
# more: 16 MiB at the end of the memory the kernel is given, no-map,
# uncached (memory the kernel has a memmap for cannot be given struct
# pages again), found by the module without a parameter; and, as a board
# declares memory it sets aside, a plain no-map reserved-memory node for
# each region of the parameter (cmheap takes only reserved memory: mem=
# alone leaves the memory past it undeclared, as a device's registers are).
# Prints the kernel command-line word, the module parameter, the
# device-tree regions (BASE:SIZE:MODEL, MODEL - for a plain node; for
# qemu-run.sh's DT_RESERVED), then the machine's memory (qemu-run.sh's
# MEM).  scripts/test.sh and scripts/bench.sh use it.
carveout_for() {
	local arch=$1 mem=$2 mib base ram_end machine
	case $mem in
	*G) mib=$((${mem%G} * 1024)) ;;
	*M) mib=${mem%M} ;;
	*) echo "carveout_for: MEM=$mem: give it in M or G" >&2; return 1 ;;
	esac
	machine=${mib}M
	case $arch in
	x86_64)
		base=$(((mib - 256) << 20))
		printf 'memmap=192M$%#x\n' $base ;;
	arm64)
		ram_end=$((0x40000000 + ((mib - 192) << 20)))
		base=$((0x100000000 - (32 << 20)))
		if [ "$ram_end" -gt "$base" ]; then
			base=$ram_end
		else
			machine=$(((base + (192 << 20) - 0x40000000) >> 20))M
		fi
		printf 'mem=%dM\n' $((mib - 192)) ;;
	esac
	printf 'carveout=80M@%#x:cached,32M@%#x:uncached,80M@%#x:uncached\n' \
		$base $((base + (80 << 20))) $((base + (112 << 20)))
	if [ "$arch" = arm64 ]; then
		printf '%#x:%#x:uncached %#x:%#x:- %#x:%#x:- %#x:%#x:-\n' \
			$((ram_end - (16 << 20))) $((16 << 20)) \
			$base $((80 << 20)) $((base + (80 << 20))) $((32 << 20)) \
			$((base + (112 << 20))) $((80 << 20))
	else
		echo
	fi
	echo "$machine"
}

chroot_exec() {
	local tree=$1 devices=0 binds=()
	shift
	while [ $# -gt 0 ]; do
		case $1 in
		--devices) devices=1; shift ;;
		--bind) binds+=("$(realpath "${2:?chroot_exec: --bind needs a folder}")"); shift 2 ;;
		--) shift; break ;;
		*) echo "chroot_exec: unknown option '$1'" >&2; return 2 ;;
		esac
	done
	[ $# -gt 0 ] || { echo "chroot_exec: nothing to run after --" >&2; return 2; }
	# a PID namespace too, for a /proc of its own (objtool reads its limits)
	local ns=(unshare --mount --propagation private --pid --fork)
	[ "$(id -u)" -eq 0 ] || ns=(unshare --map-root-user --mount --propagation private --pid --fork)
	# shellcheck disable=SC2016 # the inner shell expands them
	"${ns[@]}" bash -c '
		set -e
		tree=$1 devices=$2
		shift 2
		mount -t proc proc "$tree/proc"
		if [ "$devices" = 1 ]; then
			mount --rbind /dev "$tree/dev"
			mount --rbind /sys "$tree/sys"
			mount -t tmpfs tmpfs "$tree/tmp"
		fi
		# the folders last: one under /tmp (a clone there) goes on top of
		# the tmpfs, not under it
		while [ "$1" != -- ]; do
			mkdir -p "$tree$1"
			mount --bind "$1" "$tree$1"
			shift
		done
		shift
		exec chroot "$tree" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
			LANG=C.UTF-8 "$@"
	' chroot_exec "$tree" "$devices" "${binds[@]}" -- "$@"
}

tree_tar() {
	local f
	if git -C "$root" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		git -C "$root" ls-files -z --cached --others --exclude-standard |
			while IFS= read -r -d '' f; do
				# a tracked file deleted in the work tree is not the tree's
				if [ -e "$root/$f" ] || [ -L "$root/$f" ]; then
					printf '%s\0' "$f"
				fi
			done | tar -cf "$1" -C "$root" --null --no-recursion -T -
	else
		tar -cf "$1" -C "$root" --exclude=./build --exclude=./out --exclude=./.git .
	fi
}
