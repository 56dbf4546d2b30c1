#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# test-doc-check.sh: scripts/doc-check, which make lint runs on the tree,
# finds what it is for.  On a copy of the project's Makefile and README:
# both as they are pass; a .PHONY target left out of the help text, a
# documented `make TARGET` that does not exist, and a documented VAR= that
# nothing reads are each one finding naming the file, with exit status 1.
#
#   scripts/test-doc-check.sh [-h|--help]
#
# TAP on stdout; exit status 1 if any check failed, 2 bad usage.
set -euo pipefail
# shellcheck source=scripts/tap-lib.sh
. "$(dirname "$0")/tap-lib.sh"
tap_setup "$@"

root=$(cd "$(dirname "$0")/.." && pwd)

fresh() {
	rm -rf "$tmp/tree"
	mkdir -p "$tmp/tree/scripts"
	cp "$root/Makefile" "$root/README.md" "$tmp/tree/"
	cp "$root"/scripts/*.sh "$tmp/tree/scripts/"
	rm -f "$tmp"/tree/scripts/test-*.sh
}
fresh
if out=$("$root/scripts/doc-check" --root "$tmp/tree" 2>&1); then
	ok "the project's Makefile and README agree"
else
	nok "the project's Makefile and README agree" "$out"
fi

# planted WHAT PATTERN: one finding matching PATTERN, exit status 1
planted() {
	local out rc=0
	out=$("$root/scripts/doc-check" --root "$tmp/tree" 2>&1) || rc=$?
	if [ "$rc" -eq 1 ] && grep -q '^doc-check: 1 finding' <<<"$out" && grep -q -- "$2" <<<"$out"; then
		ok "$1"
	else
		nok "$1" "rc=$rc; $out"
	fi
	fresh
}
sed -i 's/^\(\.PHONY:.*\)$/\1 frobnicate/' "$tmp/tree/Makefile"
planted "a .PHONY target missing from make help is found" "target 'frobnicate' is not in its help text"
# shellcheck disable=SC2016 # backticks are Markdown here
printf '\n```sh\nmake frobnicate\n```\n' >>"$tmp/tree/README.md"
planted "a documented make target that does not exist is found" "README.md:.*make frobnicate: no such target"
# shellcheck disable=SC2016 # backticks are Markdown here
printf '\nRun `make test FROBNICATE=1`.\n' >>"$tmp/tree/README.md"
planted "a documented variable nothing reads is found" "README.md:.*FROBNICATE= is read by no"
tap_end "doc-check"
