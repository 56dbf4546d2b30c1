#!/usr/bin/env bash
# check.sh: everything CI runs (what `make check` and .ci/run run), with a
# table of steps and times and one closing count.
#
#   check.sh [-h|--help]
#
# Steps: the host packages (deps.sh); lint (lint.sh); the selftests on every
# kernel in every DMA configuration (direct, nopools, iommu, bounce) with
# the benchmark harness in guests (test.sh, BENCH_TEST=guest); the
# regression gate for x86_64 and arm64 (bench-check.sh); the selftests on
# the debug kernel in its DMA configurations (test.sh KERNEL=debug); and,
# beside them from the start, the README's real-hardware commands on a
# Debian guest standing in for a board of the host's architecture
# (board.sh).  A failing step does not stop the others (their results are
# worth having) but fails the run.  Logs in build/check/.  The last line
# is "N passed, M failed[, K skipped]" over the steps that count tests
# (the test runs and the board), a step that died before counting
# anything counting as one failure.
# Exit status: 0 when every step passed, 1 otherwise, 2 bad usage.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
scripts=$root/scripts
case ${1:-} in
'') ;;
-h | --help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//p}' "$0"; exit 0 ;;
*) echo "usage: check.sh [-h|--help]" >&2; exit 2 ;;
esac
# Each step picks its own targets: none inherited from the environment.
unset ARCH KVER KDIR KERNEL CONFIGS MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
export DEBIAN_FRONTEND=noninteractive
logs=$root/build/check
mkdir -p "$logs"
t_start=$SECONDS
steps=() results=()

say() { echo "[check $(printf '%4d' $((SECONDS - t_start)))s] $*" >&2; }

# step NAME COMMAND...: run it, its output to the terminal and to
# build/check/NAME.log; record its exit status and time.
step() {
	local name=$1 t0=$SECONDS rc=0
	shift
	say "$name: $*"
	"$@" </dev/null 2>&1 | tee "$logs/$name.log" || rc=${PIPESTATUS[0]}
	steps+=("$name")
	results+=("$rc $((SECONDS - t0))")
	say "$name: exit $rc, $((SECONDS - t0)) s"
}

step deps "$scripts/deps.sh"

# The board runs beside the rest from the start: each guest emulates on
# one host thread, and it is the longest single step (about 5 minutes to
# make its root filesystem on a new machine, cached after, then 20 to run).
# Its own time goes to board.time, as the table's other steps' do.
(
	t0=$SECONDS
	rc=0
	"$scripts/board.sh" </dev/null >"$logs/board.log" 2>&1 || rc=$?
	echo "$((SECONDS - t0))" >"$logs/board.time"
	exit "$rc"
) &
board_pid=$!

step lint "$scripts/lint.sh"
step test env CONFIGS="direct nopools iommu bounce" BENCH_TEST=guest "$scripts/test.sh" test
step bench-check-x86_64 env ARCH=x86_64 NO_DEPS=1 "$scripts/bench-check.sh"
step bench-check-arm64 env ARCH=arm64 NO_DEPS=1 "$scripts/bench-check.sh"
step debug env KERNEL=debug CONFIGS="direct iommu bounce" BENCH_TEST=none "$scripts/test.sh" test

board_rc=0
wait "$board_pid" || board_rc=$?
grep -E '^(ok|not ok|#) ' "$logs/board.log" || true
steps+=(board)
results+=("$board_rc $(cat "$logs/board.time" 2>/dev/null || echo '?')")

echo
echo "=== make check: steps ==="
printf '%-20s %6s %8s\n' step exit seconds
failed_steps=0
for i in "${!steps[@]}"; do
	read -r rc secs <<<"${results[$i]}"
	printf '%-20s %6s %8s\n' "${steps[$i]}" "$rc" "$secs"
	[ "$rc" -eq 0 ] || failed_steps=$((failed_steps + 1))
done
printf '%-20s %6s %8s\n' total "$failed_steps" "$((SECONDS - t_start))"

# One closing count over the runs that count tests.
p=0 f=0 s=0
for name in test debug board; do
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$logs/$name.log" 2>/dev/null | tail -n 1 || true)
	[ -n "$line" ] || line="0 passed, 1 failed"
	[[ $line =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed(,\ ([0-9]+)\ skipped)? ]]
	p=$((p + BASH_REMATCH[1])) f=$((f + BASH_REMATCH[2])) s=$((s + ${BASH_REMATCH[4]:-0}))
done
if [ "$failed_steps" -gt 0 ]; then
	echo "check: FAILED: $(for i in "${!steps[@]}"; do read -r rc _ <<<"${results[$i]}"; [ "$rc" -eq 0 ] || printf '%s ' "${steps[$i]}"; done)"
fi
closing="$p passed, $f failed"
[ "$s" -eq 0 ] || closing+=", $s skipped"
echo "$closing"
[ "$failed_steps" -eq 0 ]
