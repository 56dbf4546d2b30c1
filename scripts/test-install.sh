#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# test-install.sh: make install gives a program what it needs to use
# libcmheap_ctl as any library: installed into a DESTDIR with PREFIX=/usr,
# a C and a C++ program are built against it only through pkg-config (the
# DESTDIR as pkg-config's sysroot, nothing from the source tree), linked
# shared and static, and run: on a host without the module, opening the
# importer must give -ENOENT (the library's calls return -errno).  Also
# checked: the files land where the kernel's headers_install and
# pkg-config put them, the shared library has its soname and exports only
# cmheap_ctl_* names, and the .pc names the installed prefix.
#
#   scripts/test-install.sh [-h|--help]
#
# TAP on stdout; exit status 1 if any check failed, 2 bad usage.
set -euo pipefail
# shellcheck source=scripts/tap-lib.sh
. "$(dirname "$0")/tap-lib.sh"
tap_setup "$@"


root=$(cd "$(dirname "$0")/.." && pwd)

dest=$tmp/dest

check "make install PREFIX=/usr DESTDIR=... succeeds" \
	make -s -C "$root/lib" install OUTPUT="$tmp/build" PREFIX=/usr DESTDIR="$dest"
want="usr/include/cmheap_ctl.h usr/include/linux/cmheap.h usr/include/linux/cmheap_heap.h
usr/include/linux/cmheap_test.h usr/lib/libcmheap_ctl.a
usr/lib/libcmheap_ctl.so usr/lib/libcmheap_ctl.so.0 usr/lib/pkgconfig/cmheap_ctl.pc"
got=$(cd "$dest" && find . -type f -o -type l | sed 's|^\./||' | sort | tr '\n' ' ')
if [ "$got" = "$(tr '\n' ' ' <<<"$want")" ]; then
	ok "installed files are the headers, the libraries and the .pc, nothing else"
else
	nok "installed files are the headers, the libraries and the .pc, nothing else" "got: $got"
fi
if grep -qx 'prefix=/usr' "$dest/usr/lib/pkgconfig/cmheap_ctl.pc" &&
	grep -qx "Version: $(cat "$root/VERSION")" "$dest/usr/lib/pkgconfig/cmheap_ctl.pc"; then
	ok "the .pc names the installed prefix and the project's version"
else
	nok "the .pc names the installed prefix and the project's version" "$(cat "$dest/usr/lib/pkgconfig/cmheap_ctl.pc")"
fi
soname=$(objdump -p "$dest/usr/lib/libcmheap_ctl.so.0" | awk '$1 == "SONAME" { print $2 }')
others=$(nm -D --defined-only "$dest/usr/lib/libcmheap_ctl.so.0" | awk '{ print $3 }' | grep -v '^cmheap_ctl_' || true)
if [ "$soname" = libcmheap_ctl.so.0 ] && [ -z "$others" ]; then
	ok "the shared library's soname is libcmheap_ctl.so.0 and it exports only cmheap_ctl_*"
else
	nok "the shared library's soname is libcmheap_ctl.so.0 and it exports only cmheap_ctl_*" "soname $soname; also: $others"
fi

# A user's program: nothing from the source tree, only what pkg-config says.
cat >"$tmp/user.c" <<'C'
#include <errno.h>
#include <stdio.h>
#include <cmheap_ctl.h>

int main(void)
{
	int fd = cmheap_ctl_open();

	printf("%d %s\n", fd, CMHEAP_CTL_PATH);
	return fd == -ENOENT ? 0 : 1;
}
C
cp "$tmp/user.c" "$tmp/user.cc"
export PKG_CONFIG_SYSROOT_DIR=$dest PKG_CONFIG_LIBDIR=$dest/usr/lib/pkgconfig
read -r -a flags <<<"$(pkg-config --cflags --libs cmheap_ctl)"
read -r -a static_cflags <<<"$(pkg-config --static --cflags cmheap_ctl)"
check "a C program builds against the shared library through pkg-config alone" \
	gcc -Wall -Wextra -Werror -o "$tmp/user-shared" "$tmp/user.c" "${flags[@]}"
check "a C++ program builds against it too (extern \"C\")" \
	g++ -Wall -Wextra -Werror -o "$tmp/user-cxx" "$tmp/user.cc" "${flags[@]}"
check "a C program links the static library" \
	gcc -Wall -Wextra -Werror -static -o "$tmp/user-static" "$tmp/user.c" \
	"${static_cflags[@]}" "$dest/usr/lib/libcmheap_ctl.a"
if [ -e /dev/cmheap ]; then
	ok "the programs run and see -ENOENT without the module # SKIP /dev/cmheap exists here"
else
	check "the shared-library program runs and opening the importer gives -ENOENT" \
		env LD_LIBRARY_PATH="$dest/usr/lib" "$tmp/user-shared"
	check "the C++ and static programs give the same" \
		sh -c "LD_LIBRARY_PATH='$dest/usr/lib' '$tmp/user-cxx' && '$tmp/user-static'"
fi
# The uAPI as released before the heaps and the importer became two
# modules with a header each (the last commit with one header): every name
# it defined still compiles through <linux/cmheap.h>, with the same value
# or size.  A clone without that history skips.
whole_uapi=7d07bbcc4936
if old=$(git -C "$root" show "$whole_uapi:include/uapi/linux/cmheap.h" 2>/dev/null); then
	mkdir -p "$tmp/old/linux"
	printf '%s\n' "$old" >"$tmp/old/linux/cmheap.h"
	{
		echo '#include <stdio.h>'
		echo '#include <linux/cmheap.h>'
		echo 'int main(void)'
		echo '{'
		# macros with a value, enum constants, structs: each printed
		sed -n 's/^#define \(CMHEAP_[A-Z0-9_]*\)[ \t][^"]*$/\1/p; s/^\t\(CMHEAP_[A-Z0-9_]*\)[ \t]*=.*/\1/p' "$tmp/old/linux/cmheap.h" |
			sort -u | sed 's/.*/	printf("%s %llu\\n", "&", (unsigned long long)(&));/'
		grep -o '^struct cmheap_[a-z_]*' "$tmp/old/linux/cmheap.h" | sort -u |
			sed 's/.*/	printf("%s %zu\\n", "&", sizeof(&));/'
		sed -n 's/^#define \(CMHEAP_[A-Z0-9_]*\)[ \t]*".*/\1/p' "$tmp/old/linux/cmheap.h" |
			sed 's/.*/	printf("%s %s\\n", "&", &);/'
		echo '	return 0;'
		echo '}'
	} >"$tmp/names.c"
	if gcc -Wall -Wextra -Werror -I"$tmp/old" -o "$tmp/names-old" "$tmp/names.c" 2>"$tmp/names.log" &&
		gcc -Wall -Wextra -Werror -I"$dest/usr/include" -o "$tmp/names-new" "$tmp/names.c" 2>>"$tmp/names.log" &&
		"$tmp/names-old" >"$tmp/names-old.txt" && "$tmp/names-new" >"$tmp/names-new.txt" &&
		diff "$tmp/names-old.txt" "$tmp/names-new.txt" >"$tmp/names.diff" &&
		[ "$(wc -l <"$tmp/names-old.txt")" -gt 50 ]; then
		ok "every name of the one-header uAPI ($whole_uapi, $(wc -l <"$tmp/names-old.txt") names) compiles through the installed <linux/cmheap.h>, same values and sizes"
	else
		nok "every name of the one-header uAPI ($whole_uapi) compiles through the installed <linux/cmheap.h>, same values and sizes" \
			"$(head -n 20 "$tmp/names.log" "$tmp/names.diff" 2>/dev/null)"
	fi
else
	ok "the one-header uAPI's names still compile # SKIP no commit $whole_uapi in this clone"
fi
tap_end "install"
