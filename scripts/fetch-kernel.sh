#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# fetch-kernel.sh ARCH KVER [CACHE]
# fetch-kernel.sh --resolve KVER
#
# Download Debian's kernel image, modules and headers for one target into a
# cache folder, without installing anything into the host's /boot.  The
# package versions are resolved through Debian's package index, so the
# newest build the archive serves is used and nothing is hard-coded.
#
# ARCH: x86_64 | arm64
# KVER: 6.1 (bookworm), 6.12 (bookworm-security), or a release that
#       trixie-backports serves (7.3: its newest 7.3.x build; older
#       releases stay in its index), or "newest": the one trixie-backports'
#       linux-image-ARCH meta-package points at today.
# Prints the target folder; writes ${dir}/target.env describing it.
# --resolve KVER prints the release KVER names (7.3 for "newest" today).
#
# trixie-backports is reached through an apt configuration of our own under
# the cache (CACHE/apt/trixie-backports, its lists refreshed when older
# than an hour), never through the host's sources; its packages are
# checked against the trixie archive keys of debian-archive-keyring.
# Kernels from there were built by trixie's compiler: build-lib.sh builds
# modules for them in a trixie chroot (toolchain.sh).
set -euo pipefail
# shellcheck source=scripts/cli-lib.sh
. "$(dirname "$0")/cli-lib.sh"
resolve_only=
if [ "${1:-}" = --resolve ]; then
	resolve_only=1
	shift
	set -- x86_64 "${1:?usage: fetch-kernel.sh --resolve KVER}"
fi
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

# apt and apt-cache on the host's sources, or on ours (backports)
apt_opts=()
apt_q() { apt-cache "${apt_opts[@]}" "$@"; }

# trixie-backports through our own configuration: sources, lists, package
# cache and an empty dpkg status, all under the cache.
use_backports() {
	local a=$cache/apt/trixie-backports key keys=() stamp
	for key in stable automatic; do
		key=/usr/share/keyrings/debian-archive-trixie-$key.gpg
		[ -r "$key" ] && keys+=("$key")
	done
	if [ "${#keys[@]}" -eq 0 ]; then
		echo "fetch-kernel: no trixie archive key in /usr/share/keyrings (debian-archive-keyring 2023.3+deb12u1 or newer has it)" >&2
		exit 1
	fi
	mkdir -p "$a/etc/apt/sources.list.d" "$a/etc/apt/preferences.d" "$a/etc/apt/apt.conf.d" \
		"$a/lists/partial" "$a/archives/partial" "$a/state"
	touch "$a/state/status"
	# One at a time (held to the end): our apt runs without apt's locks,
	# and a second fetch querying the lists while the first refreshes them
	# (the hourly update, in the middle of make test's targets) reads none.
	exec {apt_lock}>"$a/lock"
	flock "$apt_lock"
	printf 'deb [signed-by=%s] %s trixie-backports main\n' "$(IFS=,; echo "${keys[*]}")" \
		"${CMHEAP_MIRROR:-http://deb.debian.org/debian}" >"$a/etc/apt/sources.list"
	apt_opts=(-o "Dir::Etc=$a/etc/apt" -o "Dir::State=$a/state" -o "Dir::State::Lists=$a/lists"
		-o "Dir::State::status=$a/state/status" -o "Dir::Cache=$a" -o "Dir::Cache::archives=$a/archives"
		-o APT::Architectures::=amd64 -o APT::Architectures::=arm64 -o Debug::NoLocking=1)
	stamp=$a/lists/.updated
	if [ ! -e "$stamp" ] || [ -n "$(find "$stamp" -mmin +60)" ] ||
		! cmp -s "$a/etc/apt/sources.list" "$a/lists/.sources"; then
		echo "fetch-kernel: apt-get update (trixie-backports, our own configuration)" >&2
		if apt-get "${apt_opts[@]}" update -q >"$a/update.log" 2>&1; then
			cp "$a/etc/apt/sources.list" "$a/lists/.sources"
			touch "$stamp"
		elif ! ls "$a/lists/"*Packages* >/dev/null 2>&1; then
			tail -n 5 "$a/update.log" >&2
			echo "fetch-kernel: cannot reach trixie-backports and have no lists of it" >&2
			exit 1
		else
			echo "fetch-kernel: apt-get update failed: using the lists of $(date -r "$a/lists" +%F)" >&2
		fi
	fi
}

# Debian's meta-package names: 6.1 is bookworm's default kernel, 6.12 comes
# from bookworm-security with a versioned meta-package; backports releases
# are found among the versioned package names its index keeps.
img='' hdr=''
case $kver in
6.1) meta_img=linux-image-$darch; meta_hdr=linux-headers-$darch ;;
6.12) meta_img=linux-image-6.12-$darch; meta_hdr=linux-headers-6.12-$darch ;;
newest | [0-9]*.[0-9]*)
	use_backports
	if [ "$kver" = newest ]; then
		v=$(apt_q policy "linux-image-$darch:$aptarch" | awk '/Candidate:/ { print $2 }')
		[[ $v =~ ^([0-9]+\.[0-9]+) ]] || { echo "fetch-kernel: trixie-backports serves no linux-image-$darch" >&2; exit 1; }
		kver=${BASH_REMATCH[1]}
	fi
	[ -z "$resolve_only" ] || { echo "$kver"; exit 0; }
	# linux-image-7.3.4+deb13-amd64: the newest build of the release
	img=$(apt_q pkgnames "linux-image-$kver." |
		grep -E "^linux-image-${kver//./\\.}\.[0-9]+\+deb[0-9]+-$darch\$" | sort -V | tail -n 1 || true)
	[ -n "$img" ] || { echo "fetch-kernel: trixie-backports serves no $kver kernel for $darch" >&2; exit 1; }
	hdr=linux-headers-${img#linux-image-}
	;;
*) echo "fetch-kernel: unsupported KVER '$kver' (6.1, 6.12, a trixie-backports release such as 7.3, newest)" >&2; exit 2 ;;
esac
[ -z "$resolve_only" ] || { echo "$kver"; exit 0; }

# First dependency of a package that matches a pattern.
dep_of() {
	apt_q depends "$1:$aptarch" 2>/dev/null |
		awk -v re="$2" '/^ / && $1 !~ /Suggests|Recommends|Breaks|Conflicts|Replaces/ {
			n = $NF; gsub(/[<>]/, "", n); sub(/:.*/, "", n)
			if (n ~ re) { print n; exit } }'
}

if [ -z "$img" ]; then
	img=$(dep_of "$meta_img" '^linux-image-')
	hdr=$(dep_of "$meta_hdr" '^linux-headers-')
fi
if [ -z "$img" ] || [ -z "$hdr" ]; then
	echo "fetch-kernel: cannot resolve $meta_img/$meta_hdr; run 'apt-get update' (and 'dpkg --add-architecture arm64' for arm64)" >&2
	exit 1
fi
common=$(dep_of "$hdr" '^linux-headers-.*-common')
kbuild=$(dep_of "$hdr" '^linux-kbuild-')
# Since 6.17 Debian's image package holds neither: the kernel is in
# linux-binary-REL, its modules in linux-modules-REL, System.map and config
# in linux-base-REL.
parts=()
for p in binary modules base; do
	d=$(dep_of "$img" "^linux-$p-[0-9]")
	[ -z "$d" ] || parts+=("$d")
done
version=$(apt_q policy "$img:$aptarch" | awk '/Candidate:/ { print $2 }')

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
	for p in "$img:$aptarch" "${parts[@]/%/:$aptarch}" "$hdr:$aptarch" "$common" "$kbuild:amd64"; do
		name=${p%%:*}
		ls "${name}"_*.deb >/dev/null 2>&1 || {
			echo "fetch-kernel: downloading $p" >&2
			apt-get "${apt_opts[@]}" download -q "$p" >&2
		}
	done
)
rm -rf "$dir"
mkdir -p "$dir/root"
for p in "$img" "${parts[@]}" "$hdr" "$common" "$kbuild"; do
	for f in "$dl/${p}"_*.deb; do
		# linux-kbuild is the host tool set: always the amd64 build.
		case $p in linux-kbuild-*) case $f in *_amd64.deb) ;; *) continue ;; esac ;; esac
		case $p in *-common) ;; linux-kbuild-*) ;; *) case $f in *_"$aptarch".deb) ;; *) continue ;; esac ;; esac
		dpkg-deb -x "$f" "$dir/root"
	done
done

# Each image holds exactly one release and one vmlinuz: in /boot and
# /lib/modules up to 6.12, in /usr/lib/modules/RELEASE since.
mods=("$dir"/root/lib/modules/*/ "$dir"/root/usr/lib/modules/*/)
for m in "${mods[@]}"; do
	[ -d "$m" ] && break
done
release=$(basename "$m")
moddir=${m%/}
kernel=$moddir/vmlinuz
[ -e "$kernel" ] || kernel=$dir/root/boot/vmlinuz-$release
kdir=$dir/root/usr/src/linux-headers-$release
# Debian's headers Makefile includes its -common sibling by absolute path
# (/usr/src/...), and since 6.17 names its own folder so too (KBUILD_OUTPUT),
# which only exist once the packages are installed.  Point them into the
# cache so KDIR works without touching the host's /usr/src.
sed -i -E "s#^(include |KBUILD_OUTPUT=)/usr/src/#\\1$dir/root/usr/src/#" "$kdir/Makefile"
cat > "$dir/target.env" <<ENV
ARCH=$arch
KVER=$kver
DEB_VERSION=$version
KRELEASE=$release
KERNEL=$kernel
KDIR=$kdir
MODDIR=$moddir
ENV
touch "$stamp"
echo "$dir"
