# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# tap-lib.sh: TAP 13 for the host-side test scripts (scripts/test-*.sh),
# sourced right after "set -euo pipefail".
#
#   tap_setup "$@"                the command line (cli-lib.sh: --help, no
#                                 arguments), a scratch folder $tmp removed
#                                 at exit, and the version line
#   tap_begin                     the version line alone
#   ok DESCRIPTION                a passing test
#   nok DESCRIPTION [DETAIL]      a failing one, DETAIL (20 lines) as "# " lines
#   check DESCRIPTION COMMAND...  ok when COMMAND succeeds, else nok with its output
#   tap_end NAME                  the plan, "# NAME: P passed, F failed", and
#                                 exit status 1 when any test failed

# shellcheck source=scripts/cli-lib.sh
. "$(dirname "$0")/cli-lib.sh"

n=0 failed=0
tap_setup() {
	cli_args 0 "$@"
	tmp=$(mktemp -d)
	# shellcheck disable=SC2064 # the folder made now
	trap "rm -rf '$tmp'" EXIT
	tap_begin
}
tap_begin() { echo "TAP version 13"; }
ok() { n=$((n + 1)); echo "ok $n - $1"; }
nok() {
	n=$((n + 1)) failed=$((failed + 1))
	echo "not ok $n - $1"
	[ -z "${2:-}" ] || echo "$2" | sed 's/^/# /' | head -n 20
}
check() {
	local what=$1 out
	shift
	if out=$("$@" 2>&1); then ok "$what"; else nok "$what" "$out"; fi
}
tap_end() {
	echo "1..$n"
	echo "# $1: $((n - failed)) passed, $failed failed"
	[ "$failed" -eq 0 ]
}
