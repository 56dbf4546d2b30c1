#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# test-spdx-check.sh: scripts/spdx-check, which make lint runs on the tree,
# finds what it is for.  In a planted git tree holding the project's
# LICENSES/: files with good licence lines pass (GPL-2.0, LGPL-2.1-or-later,
# "GPL-2.0 WITH Linux-syscall-note", after a "#!" line, in a C comment);
# each of a missing line, an unknown licence, an unknown exception, an
# exception with a licence it does not go with, and a line too far down is
# one finding naming the file; documentation and measured data are not
# checked; the exit status says it.
#
#   scripts/test-spdx-check.sh [-h|--help]
#
# TAP on stdout; exit status 1 if any check failed, 2 bad usage.
set -euo pipefail
# shellcheck source=scripts/tap-lib.sh
. "$(dirname "$0")/tap-lib.sh"
tap_setup "$@"


root=$(cd "$(dirname "$0")/.." && pwd)

tree=$tmp/tree
mkdir -p "$tree/results/x" "$tree/lib"
cp -r "$root/LICENSES" "$tree/"
printf '// SPDX-License-Identifier: GPL-2.0\nint a;\n' >"$tree/good.c"
printf '#!/bin/sh\n# SPDX-License-Identifier: GPL-2.0\n' >"$tree/good.sh"
printf '/* SPDX-License-Identifier: GPL-2.0 WITH Linux-syscall-note */\n' >"$tree/uapi.h"
printf '/* SPDX-License-Identifier: LGPL-2.1-or-later */\n' >"$tree/lib/lib.h"
printf '# nothing here\n' >"$tree/README.md"
printf 'a,b\n' >"$tree/results/x/results.csv"
(cd "$tree" && git init -q && git add -A)
if out=$("$root/scripts/spdx-check" --root "$tree" 2>&1) && grep -q '^spdx-check: 4 files, 0 ' <<<"$out"; then
	ok "a tree of good licence lines passes; documentation and data are not checked"
else
	nok "a tree of good licence lines passes; documentation and data are not checked" "$out"
fi

# plant FILE CONTENT WHY: one finding, naming FILE and WHY, exit status 1
plant() {
	local file=$1 why=$3 out rc=0
	printf '%b' "$2" >"$tree/$file"
	(cd "$tree" && git add "$file")
	out=$("$root/scripts/spdx-check" --root "$tree" 2>&1) || rc=$?
	if [ "$rc" -eq 1 ] && grep -q "^spdx-check: .* 1 without" <<<"$out" &&
		grep -q "^$file: .*$why" <<<"$out"; then
		ok "$file: found ($why)"
	else
		nok "$file: found ($why)" "rc=$rc; $out"
	fi
	(cd "$tree" && git rm -q -f "$file")
}
plant missing.sh '#!/bin/sh\necho hi\n' "no SPDX-License-Identifier"
plant unknown.py '# SPDX-License-Identifier: GPL-2.1\n' 'unknown licence "GPL-2.1"'
plant exception.h '/* SPDX-License-Identifier: GPL-2.0 WITH Foo-note */\n' 'unknown exception "Foo-note"'
plant Makefile '# SPDX-License-Identifier: MIT-0 WITH Linux-syscall-note\n' 'unknown licence "MIT-0"'
plant late.c '/*\n * a\n * b\n * SPDX-License-Identifier: GPL-2.0\n */\n' "no SPDX-License-Identifier in its first three lines"
plant mismatch.h '/* SPDX-License-Identifier: LGPL-2.1-or-later WITH Linux-syscall-note */\n' 'exception "Linux-syscall-note" does not go with "LGPL-2.1-or-later"'
plant or.c '// SPDX-License-Identifier: GPL-2.0 OR MIT\n' 'not "ID" or "ID WITH EXCEPTION"'
tap_end "spdx-check"
