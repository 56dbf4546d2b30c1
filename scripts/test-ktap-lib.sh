#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# test-ktap-lib.sh: the counts make test reports (scripts/ktap-lib.sh)
# are right for what a guest prints, in both runners' nesting: run.sh's
# (each binary's KTAP two spaces deep) and kselftest's (behind "# ").
# Hand-made logs: every test passing; a failing test counted and named as
# BINARY:TEST; skips; a binary that ran fewer tests than it planned, one
# that failed with no failing test (a crash, a timeout), one whose result
# line never came, and binaries announced but never started; and a host
# script's TAP, where a failing exit status with no failing line counts.
#
#   scripts/test-ktap-lib.sh [-h|--help]
#
# TAP on stdout; exit status 1 if any check failed, 2 bad usage.
set -euo pipefail
# shellcheck source=scripts/tap-lib.sh
. "$(dirname "$0")/tap-lib.sh"
tap_setup "$@"
# shellcheck source=scripts/ktap-lib.sh
. "$(dirname "$0")/ktap-lib.sh"

# expect DESCRIPTION WANT FILE: count_ktap FILE prints WANT
expect() {
	local got
	got=$(count_ktap "$3")
	if [ "$got" = "$2" ]; then ok "$1"; else nok "$1" "want '$2', got '$got'"; fi
}

# A log of two binaries in the nesting PREFIX ("  " for run.sh, "# " for
# kselftest's runner, whose header also names the collection), from
# RESULTS lines "BINARY TOP PLAN TEST-LINE..." (TOP ok, not ok, skip or
# none; each TEST-LINE a nested result, "-" for none).
log() { # PREFIX NBINS then one "BINARY|TOP|PLAN|LINE;LINE" per binary
	local pfx=$1 nbins=$2 i=0 spec bin top plan lines line
	shift 2
	echo "TAP version 13"
	echo "1..$nbins"
	for spec in "$@"; do
		i=$((i + 1))
		IFS='|' read -r bin top plan lines <<<"$spec"
		if [ "$pfx" = "# " ]; then
			echo "# timeout set to 900"
			echo "# selftests: cmheap: $bin"
		else
			echo "# selftests: $bin"
		fi
		echo "${pfx}TAP version 13"
		echo "${pfx}1..$plan"
		echo "${pfx}# Starting $plan tests from 1 test cases."
		IFS=';' read -r -a lines <<<"$lines"
		for line in "${lines[@]}"; do
			[ "$line" = - ] || echo "$pfx$line"
		done
		case $top in
		ok) echo "ok $i selftests: cmheap: $bin" ;;
		skip) echo "ok $i selftests: cmheap: $bin # SKIP" ;;
		"not ok") echo "not ok $i selftests: cmheap: $bin # exit=1" ;;
		esac
	done
}

for runner in run.sh kselftest; do
	pfx="  "
	[ "$runner" = run.sh ] || pfx="# "
	f=$tmp/$runner
	log "$pfx" 2 "alloc_test|ok|2|ok 1 alloc.a;ok 2 alloc.b # SKIP no carveout" \
		"map_test|ok|1|ok 1 map.c" >"$f-pass"
	expect "$runner: passes and a skip counted" "2 0 1" "$f-pass"

	log "$pfx" 2 "alloc_test|not ok|2|ok 1 alloc.a;not ok 2 alloc.cmheap-system.zeroed_1m" \
		"map_test|ok|1|ok 1 map.c" >"$f-fail"
	expect "$runner: a failing test is counted and named BINARY:TEST" \
		"2 1 0 alloc_test:cmheap-system.zeroed_1m" "$f-fail"

	log "$pfx" 2 "alloc_test|ok|3|ok 1 alloc.a;ok 2 alloc.b" \
		"map_test|ok|1|ok 1 map.c" >"$f-short"
	expect "$runner: a binary that passed short of its plan is one failure" \
		"3 1 0 alloc_test:incomplete" "$f-short"

	log "$pfx" 2 "alloc_test|not ok|2|ok 1 alloc.a;ok 2 alloc.b" \
		"map_test|ok|1|ok 1 map.c" >"$f-crash"
	expect "$runner: a binary failing with no failing test is one failure" \
		"3 1 0 alloc_test:failed" "$f-crash"

	log "$pfx" 2 "alloc_test|none|2|ok 1 alloc.a" >"$f-cut"
	expect "$runner: a result line that never came, and a binary never started" \
		"1 2 0 alloc_test:no-result 1-binaries-never-ran" "$f-cut"

	log "$pfx" 1 "carveout_test|skip|0|-" >"$f-skipbin"
	expect "$runner: a binary that skipped whole counts one skip" "0 0 1" "$f-skipbin"
done

# The nested plan and results of kselftest's runner are "# " lines; a
# binary's own "# " comments that only look like results are not counted.
{
	echo "TAP version 13"
	echo "1..1"
	echo "# selftests: cmheap: alloc_test"
	echo "# TAP version 13"
	echo "# 1..1"
	echo "# # ok 7 not a result, a comment of the harness"
	echo "# ok 1 alloc.a"
	echo "ok 1 selftests: cmheap: alloc_test"
} >"$tmp/comments"
expect "kselftest: comments that look like results are not counted" "1 0 0" "$tmp/comments"

printf 'TAP version 13\nok 1 - a\nok 2 - b # SKIP why\nnot ok 3 - c\n1..3\n' >"$tmp/tap"
check "host TAP: passed, failed, skipped" test "$(count_tap "$tmp/tap" 1)" = "1 1 1"
printf 'TAP version 13\nok 1 - a\n' >"$tmp/tap-died"
check "host TAP: a script that failed with no failing line counts one failure" \
	test "$(count_tap "$tmp/tap-died" 2)" = "1 1 0"

tap_end ktap-lib
