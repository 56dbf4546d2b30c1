#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# bench-pair.sh: what a plain `make bench` runs: the sweep on the host's
# architecture and on arm64, one after the other, each in its own QEMU guest
# and results folder (scripts/bench.sh), then index.md side by side and
# boards.md, the design question's answers of each run (cmbench boards).
#
# Why two: on x86 every DMA device is coherent, so the caching models cost
# the same there; arm64's guests have a non-coherent test device, where
# cached buffers need cache maintenance and uncached ones do not.  On an
# arm64 host the pair is one run.
#
# Environment: KVER, ICOUNT, BENCH_ARGS, DMA_CONFIGS, LABEL, NO_DEPS as for
# bench.sh (given to both runs); OUT=dir (default out/bench/<date>/) gets
# <arch>-<kver>/ per run, index.md and boards.md.  The last line printed is OUT.
set -euo pipefail
# shellcheck source=scripts/cli-lib.sh
. "$(dirname "$0")/cli-lib.sh"
cli_args 0 "$@"
cli_picks

root=$(cd "$(dirname "$0")/.." && pwd)
scripts=$root/scripts
host_arch=$(uname -m)
case $host_arch in aarch64) host_arch=arm64 ;; esac
kver=${KVER:-6.12}
out=${OUT:-$root/out/bench/$(date +%Y%m%d-%H%M%S)}
t0=$SECONDS

say() { echo "[bench-pair $(printf '%4d' $((SECONDS - t0)))s] $*" >&2; }

arches=("$host_arch")
[ "$host_arch" = arm64 ] || arches+=(arm64)
if [ "${NO_DEPS:-0}" != 1 ]; then
	"$scripts/deps.sh"
fi
mkdir -p "$out"
out=$(cd "$out" && pwd)
dirs=()
for a in "${arches[@]}"; do
	d=$out/$a-$kver
	say "$a: scripts/bench.sh into $d"
	ARCH=$a KVER=$kver OUT=$d NO_DEPS=1 "$scripts/bench.sh" >/dev/null ||
		{ say "FAIL: the $a run failed (its log is above)"; exit 1; }
	dirs+=("$d")
done
PYTHONPATH=$scripts python3 -m cmbench index "$out/index.md" "${dirs[@]}"
PYTHONPATH=$scripts python3 -m cmbench boards --out "$out/boards.md" "${dirs[@]}"
say "done in $((SECONDS - t0)) s: $out/index.md"
echo "$out"
