#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# test-bench.sh: tests of the benchmark harness.
#
#   test-bench.sh              quick sweep (cmheap-bench --quick) in a guest
#                              through bench.sh, then every check below
#   test-bench.sh --dir DIR    the checks on an existing results folder
#   test-bench.sh --no-guest   only the tests that need no guest (compare)
#
# Checks: results.csv structure and sanity (exact header, 27 fields a row,
# known enumerations, samples > 0, min <= p50 <= p90 <= p99 <= max), meta.json
# valid JSON with the required keys, plots drawn (PNG and SVG), report.md's
# first line naming the accelerator; and scripts/compare's verdicts
# (identical -> 0, a point 20% slower -> 1, one-sided points, zeros, ties);
# the plan's order (raw right after exporter, cold points first and
# rotated); the gate (bench-check.sh) on planted boots, and in guests on a
# real planted regression of the map path (guest mode); and the analysis
# layer's unit tests (scripts/cmbench/tests).
# Prints "ok N - what" / "not ok N - what"; exit status 1 if any failed.
# Environment: as bench.sh (ARCH, KVER, ACCEL, ...) for the guest run.
set -euo pipefail
# shellcheck source=scripts/cli-lib.sh
. "$(dirname "$0")/cli-lib.sh"

root=$(cd "$(dirname "$0")/.." && pwd)
scripts=$root/scripts
mode=guest dir=''
while [ $# -gt 0 ]; do
	case $1 in
	--dir) [ $# -ge 2 ] || cli_refuse "--dir needs a folder"; mode=dir; dir=$2; shift ;;
	--no-guest) mode=none ;;
	-h | --help) cli_help; exit 0 ;;
	*) cli_refuse "unknown argument '$1'" ;;
	esac
	shift
done

# shellcheck source=scripts/tap-lib.sh
. "$(dirname "$0")/tap-lib.sh"
# TAP 13: the version first; the plan last, once the count is known.
tap_begin
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

header='exporter,caching,device,coherent,dma,op,path,size,max_order,pool,nents,direction,attrs,cache_state,samples,min_ns,p50_ns,p90_ns,p99_ns,max_ns,mean_ns,stddev_ns,mb_per_s,minflt_per_op,cycles_per_op,instructions_per_op,cache_misses_per_op,threads,sharing,ops_per_s'

csv_header() { [ "$(head -n 1 "$1")" = "$header" ] || { echo "header is: $(head -n 1 "$1")"; return 1; }; }
csv_rows() { [ "$(wc -l <"$1")" -gt 1 ] || { echo "no data rows"; return 1; }; }
csv_fields() { awk -F, 'NF != 30 { printf "line %d has %d fields\n", NR, NF; bad = 1 } END { exit bad }' "$1"; }
csv_sane() {
	awk -F, '
	function num(v) { return v ~ /^[0-9]+(\.[0-9]+)?$/ }
	function bad(m) { printf "line %d: %s: %s\n", NR, m, $0; b++ }
	NR == 1 { next }
	{
		if ($1 == "") bad("empty exporter")
		if ($2 !~ /^(cached|uncached)$/) bad("caching")
		if ($3 !~ /^(coherent|noncoherent|none|edu)$/) bad("device")
		if ($4 !~ /^(1|0|-)$/) bad("coherent")
		if ($5 !~ /^(direct|iommu|bounce|iommu\+bounce|-)$/) bad("dma")
		if (($3 == "none") != ($5 == "-")) bad("dma without a device")
		if ($6 !~ /^(map|unmap|map_unmap|sync_dev|sync_cpu|dmabuf_sync|range_sync_(64th|8th|all)|pool_shrink|alloc|alloc_free_cold|alloc_free_warm|mmap_touch|cpu_write|cpu_read)$/) bad("op")
		if ($6 ~ /^range_sync/ && $1 !~ /^cmheap-/) bad("range sync of another exporter")
		if ($7 !~ /^(exporter|raw|user)$/) bad("path")
		if (!num($8) || $8 == 0) bad("size")
		if ($9 != "-" && !num($9)) bad("max_order")
		if ($10 !~ /^(on|off|-)$/) bad("pool")
		if ($10 != "-" && ($6 !~ /^(alloc|pool_shrink)/ || $1 !~ /^cmheap-system/)) bad("pool of a point without pools")
		if ($11 != "-" && !num($11)) bad("nents")
		if ($12 !~ /^(to_device|from_device|bidirectional|-)$/) bad("direction")
		if ($13 !~ /^(none|skip_cpu_sync)$/) bad("attrs")
		if ($14 !~ /^(clean|dirty|-)$/) bad("cache_state")
		if (!num($15) || $15 + 0 <= 0) bad("samples > 0")
		for (i = 16; i <= 22; i++) if (!num($i)) bad("column " i " not a number")
		if ($16 + 0 > $17 + 0) bad("min <= p50")
		if ($17 + 0 > $18 + 0) bad("p50 <= p90")
		if ($18 + 0 > $19 + 0) bad("p90 <= p99")
		if ($19 + 0 > $20 + 0) bad("p99 <= max")
		if ($6 ~ /^cpu_(read|write)$/) { if (!num($23)) bad("mb_per_s of a bandwidth op") }
		else if ($23 != "-") bad("mb_per_s of another op")
		if ($6 == "mmap_touch") { if (!num($24)) bad("minflt_per_op of mmap_touch") }
		else if ($24 != "-") bad("minflt_per_op of another op")
		for (i = 25; i <= 27; i++) if ($i != "n/a" && !num($i)) bad("perf column " i)
		# the concurrency sweep: its threads, sharing and throughput together
		if ($28 == "-") { if ($29 != "-" || $30 != "-") bad("sharing or ops_per_s outside the concurrency sweep") }
		else {
			if (!num($28) || $28 < 1) bad("threads")
			if ($29 !~ /^(own|shared)$/) bad("sharing")
			if (!num($30) || $30 + 0 <= 0) bad("ops_per_s of a concurrency point")
			if ($29 == "shared" && $6 == "alloc_free_warm") bad("a shared allocation")
		}
		if (b > 10) exit 1
	}
	END { exit b > 0 }' "$1"
}
# the points the concurrency sweep of --threads 1,2 must have measured
threads_sweep() {
	awk -F, '
	NR > 1 && $28 != "-" && $1 == "cmheap-system" { seen[$6 " " $28 " " $29] = $17 }
	END {
		n = split("map unmap dmabuf_sync", ops, " ")
		for (i = 1; i <= n; i++)
			for (t = 1; t <= 2; t++)
				for (k = 0; k < 2; k++) {
					key = ops[i] " " t " " (k ? "shared" : "own")
					if (!(key in seen)) { print "missing: " key; bad = 1 }
				}
		for (t = 1; t <= 2; t++)
			if (!(("alloc_free_warm " t " own") in seen)) { print "missing: alloc_free_warm " t " own"; bad = 1 }
		exit bad
	}' "$1"
}
# DIR: the workers of the 2-thread points ran on two CPUs (meta.json's
# sweep.threads_cpus, where each worker found itself once released), when
# the guest had two online
threads_on_cpus() {
	python3 - "$1/meta.json" <<'PY'
import json, sys
meta = json.load(open(sys.argv[1]))
cpus = meta["sweep"]["threads_cpus"]
print("threads_cpus", cpus, "cpus_online", meta["cpus_online"])
sys.exit(0 if cpus.get("1") and len(cpus.get("2", [])) == min(2, meta["cpus_online"]) else 1)
PY
}
# DIR: cmheap-system's concurrency points allocated with the cap the main
# sweep had (meta.json's max_order_at_start), not the one the scatterlist
# sweep, which runs before them, left behind
threads_cap() {
	python3 - "$1" <<'PY'
import csv, json, os, sys
cap = str(json.load(open(os.path.join(sys.argv[1], "meta.json")))["max_order_at_start"])
rows = [r for r in csv.DictReader(open(os.path.join(sys.argv[1], "results.csv")))
        if r["threads"] != "-" and r["exporter"] == "cmheap-system"]
bad = [f"{r['op']} {r['threads']} {r['sharing']}: max_order {r['max_order']}" for r in rows
       if r["max_order"] != cap]
print(f"{len(rows)} points, max_order_at_start {cap}" + ("; " + ", ".join(bad) if bad else ""))
sys.exit(1 if bad or not rows else 0)
PY
}
cmbench() { PYTHONPATH=$scripts python3 -m cmbench "$@"; }
meta_valid() { python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$1"; }
meta_keys() {
	local k miss=''
	# cmbench meta also accepts cmheap-bench's own names (architecture,
	# date_utc, method.iterations, ...).
	for k in kernel_release arch cpu_model cache_line page_size devices exporters iterations \
		warmup command_line date accelerator qemu_version git_rev label \
		clock.kernel.tick_ns clock.user.empty_p50_ns; do
		cmbench meta "$1" "$k" >/dev/null || miss+=" $k"
	done
	[ -z "$miss" ] || { echo "missing keys:$miss"; return 1; }
}
# The exporter point and the raw point that does the same work are measured
# one right after the other (plan.c): each raw point's exporter partner is
# one of the two rows before it (an uncached heap of ours always skips the
# CPU sync, so its partner is its exporter point with attrs none, followed
# by the raw skip-sync point and then the raw one with attrs none).  Another
# exporter's raw skip-sync point has no exporter partner: the exporter path
# takes attrs only from cmheap's heaps.  Nor has a raw point whose exporter
# point was skipped (meta*.json "skips": an uncached heap refuses a device
# that bounces, and the raw map is still measured there).
raw_follows_exporter() {
	awk -F, 'function key(attrs) { return $1 "," $3 "," $5 "," $6 "," $8 "," $9 "," $12 "," attrs "," $14 }
		function want() { return ($2 == "uncached" && $1 ~ /^cmheap-/) ? key("none") : key($13) }
		FNR == 1 { next }
		NR == FNR { if ($7 == "exporter") exporter[key($13)] = 1; next }
		$7 == "raw" && ($1 ~ /^cmheap-/ || $13 == "none") && (want() in exporter) {
			if (p1 != want() && p2 != want()) { print "line " FNR ": raw point not within two rows of its exporter point: " $0; bad = 1 }
			n++
		}
		{ p2 = p1; p1 = ($7 == "exporter") ? key($13) : "" }
		END { if (!n) { print "no raw rows with an exporter partner"; bad = 1 } exit bad }' "$1" "$1"
}
# An uncached heap of ours maps with skip-sync whatever it is asked, so each
# of its exporter map points is followed at once by the raw skip-sync point
# that does the same work, on every device: on a coherent one too, where
# dma-direct's unmap without skip-sync still walks a sync per entry.  Where
# its memory has no pages there is no raw point at all.
uncached_has_skip_partner() {
	awk -F, 'function key(attrs) { return $1 "," $3 "," $5 "," $6 "," $8 "," $9 "," $12 "," attrs "," $14 }
		FNR == 1 { next }
		NR == FNR { if ($7 == "raw") raw[key($13)] = 1; next }
		expect != "" {
			if ($7 != "raw" || key($13) != expect) { print "line " FNR ": not the raw skip-sync partner " expect; bad = 1 }
			expect = ""; next
		}
		$7 == "exporter" && $2 == "uncached" && $1 ~ /^cmheap-/ && $6 ~ /^(map|unmap|map_unmap)$/ &&
			(key("none") in raw) { expect = key("skip_cpu_sync"); n++ }
		END {
			if (expect != "") { print "the last exporter point has no partner"; bad = 1 }
			if (!n) { print "no uncached exporter map points"; bad = 1 }
			exit bad
		}' "$1" "$1"
}
# alloc_free_cold runs first, and its first exporter rotates by size.
cold_first_and_rotated() {
	awk -F, 'NR == 1 { next }
		$6 != "alloc_free_cold" { done = 1; next }
		done { print "line " NR ": a cold point after other points"; bad = 1 }
		!($8 in first) { first[$8] = $1; nf++; firsts[$1] = 1 }
		END {
			n = 0; for (e in firsts) n++
			if (nf > 1 && n < 2) { print "the same exporter is first at every size"; bad = 1 }
			exit bad
		}' "$1"
}
plots_drawn() {
	local d=$1/plots id status okc=0
	[ -s "$d/index.tsv" ] || { echo "no $d/index.tsv"; return 1; }
	while IFS=$'\t' read -r id status _; do
		[ "$status" = ok ] || continue
		okc=$((okc + 1))
		head -c 4 "$d/$id.png" | grep -q PNG || { echo "$id.png is not a PNG"; return 1; }
		grep -q '<svg' "$d/$id.svg" || { echo "$id.svg is not an SVG"; return 1; }
	done <"$d/index.tsv"
	[ "$okc" -gt 0 ] || { echo "no figure drawn"; return 1; }
}
report_first_line() {
	local accel first
	accel=$(cmbench meta "$1/meta.json" accelerator)
	first=$(head -n 1 "$1/report.md")
	case $accel in
	tcg) [[ $first == "> Measured in QEMU TCG (emulated)"* ]] ;;
	tcg-icount) [[ $first == "> Measured in QEMU TCG with -icount"* ]] ;;
	kvm) [[ $first == "> Measured in QEMU KVM"* ]] ;;
	hardware) [[ $first == "> Measured on hardware"* ]] ;;
	*) false ;;
	esac || { echo "accelerator '$accel', first line: $first"; return 1; }
}

check_dir() {
	local d=$1
	check "results.csv header is exact" csv_header "$d/results.csv"
	check "results.csv has data rows" csv_rows "$d/results.csv"
	check "every row has 30 fields" csv_fields "$d/results.csv"
	check "rows are sane (enums, samples > 0, min <= p50 <= p90 <= p99 <= max)" csv_sane "$d/results.csv"
	check "meta.json is valid JSON" meta_valid "$d/meta.json"
	check "meta.json has the required keys" meta_keys "$d/meta.json"
	check "raw points right after their exporter points" raw_follows_exporter "$d/results.csv"
	check "alloc_free_cold first, first exporter rotating by size" cold_first_and_rotated "$d/results.csv"
	check "every uncached exporter map point followed by its raw skip-sync partner" uncached_has_skip_partner "$d/results.csv"
	check "plots drawn, PNG and SVG" plots_drawn "$d"
	check "report.md first line labels the accelerator" report_first_line "$d"
	check "compare: a run against itself exits 0" "$scripts/compare" "$d" "$d"
	awk -F, 'BEGIN { OFS = "," } NR == 2 { $17 = int($17 * 1.2 + 1); $18 = $17; $19 = $17; $20 = $17 + 1 } { print }' \
		"$d/results.csv" >"$tmp/slower.csv"
	check "compare: a point 20% slower exits 1" expect_rc 1 "$scripts/compare" "$d" "$tmp/slower.csv"
}

# DMA_CONFIGS: the edu device's rows in each route, each guest's meta.json,
# and the route figures drawn.
# shellcheck disable=SC2016 # awk programs
check_dma_routes() {
	local d=$1 r
	for r in direct iommu bounce; do
		check "DMA_CONFIGS: edu map rows through $r" \
			awk -F, -v r="$r" 'NR > 1 && $3 == "edu" && $5 == r && $6 == "map" { f = 1 } END { exit !f }' "$d/results.csv"
	done
	# dmabuf_sync is measured in the main guest only
	check "DMA_CONFIGS: edu is direct in the main guest" \
		awk -F, '$3 == "edu" && $6 == "dmabuf_sync" { n++; if ($5 != "direct") exit 1 } END { exit !n }' "$d/results.csv"
	check "DMA_CONFIGS: meta-iommu.json says edu goes through the IOMMU" \
		grep -q '"dma": "iommu"' "$d/meta-iommu.json"
	check "DMA_CONFIGS: meta-bounce.json says edu bounces" \
		grep -q '"dma": "bounce"' "$d/meta-bounce.json"
	check "DMA_CONFIGS: the per-route figures drawn" \
		awk -F'\t' '$1 ~ /^dma-/ && $2 == "ok" { n++ } END { exit n != 3 }' "$d/plots/index.tsv"
}

expect_rc() { # RC COMMAND...
	local want=$1 rc=0
	shift
	"$@" >"$tmp/out" 2>&1 || rc=$?
	[ "$rc" -eq "$want" ] || { echo "exit $rc, expected $want"; cat "$tmp/out"; return 1; }
}
expect_out() { # PATTERN COMMAND...
	local pat=$1
	shift
	"$@" >"$tmp/out" 2>&1 || true
	grep -q -- "$pat" "$tmp/out" || { echo "no '$pat' in:"; cat "$tmp/out"; return 1; }
}

# compare on synthetic inputs (made here, never committed)
compare_selftests() {
	local a=$tmp/a.csv b=$tmp/b.csv
	{
		echo "$header"
		echo "cmheap-system,cached,noncoherent,0,direct,map,exporter,4096,-,-,1,bidirectional,none,dirty,10,90,100,110,120,130,105,5,-,-,n/a,n/a,n/a"
		echo "cmheap-system,cached,noncoherent,0,direct,unmap,exporter,4096,-,-,1,bidirectional,none,dirty,10,90,100,110,120,130,105,5,-,-,n/a,n/a,n/a"
		echo "cmheap-system,cached,coherent,1,direct,map,exporter,4096,-,-,1,bidirectional,none,clean,10,0,0,0,0,0,0,0,-,-,n/a,n/a,n/a"
		echo "cmheap-system,cached,coherent,1,direct,map,exporter,1048576,0,-,256,bidirectional,none,clean,10,90,100,110,120,130,105,5,-,-,n/a,n/a,n/a"
		echo "udmabuf,cached,none,-,-,mmap_touch,user,4096,-,-,-,-,none,-,10,90,100,110,120,130,105,5,-,1,n/a,n/a,n/a"
	} >"$a"
	check "compare: identical -> exit 0" expect_rc 0 "$scripts/compare" "$a" "$a"
	sed 's/^\(cmheap-system,cached,noncoherent,0,direct,map,.*\),100,110,/\1,120,110,/' "$a" >"$b"
	check "compare: one point 20% slower -> exit 1" expect_rc 1 "$scripts/compare" "$a" "$b"
	check "compare: ... and it is marked" expect_out 'REGRESSION' "$scripts/compare" "$a" "$b"
	check "compare: --threshold 25 lets 20% pass" expect_rc 0 "$scripts/compare" "$a" "$b" --threshold 25
	check "compare: THRESHOLD=25 in the environment too" expect_rc 0 env THRESHOLD=25 "$scripts/compare" "$a" "$b"
	sed 's/^\(cmheap-system,cached,noncoherent,0,direct,map,.*\),100,110,/\1,80,110,/' "$a" >"$b"
	check "compare: 20% faster -> exit 0, marked faster" expect_out '| faster |' "$scripts/compare" "$a" "$b"
	check "compare: 20% faster -> exit 0" expect_rc 0 "$scripts/compare" "$a" "$b"
	sed 's/^\(cmheap-system,cached,noncoherent,0,direct,map,.*\),100,110,/\1,40,110,/' "$a" >"$b"
	check "compare: a point that maintains caches 60% faster fails (maintenance lost)" expect_rc 1 "$scripts/compare" "$a" "$b"
	check "compare: ... and is marked" expect_out 'MAINTENANCE LOST' "$scripts/compare" "$a" "$b"
	check "compare: --lost 70 lets it pass as faster" expect_rc 0 "$scripts/compare" "$a" "$b" --lost 70
	sed 's/^\(cmheap-system,cached,coherent,1,direct,map,exporter,1048576,.*\),100,110,/\1,40,110,/' "$a" >"$b"
	check "compare: a coherent point 60% faster is only faster" expect_rc 0 "$scripts/compare" "$a" "$b"
	sed 's/,100,110,/,105,110,/' "$a" >"$b"
	check "compare: 5% slower passes the default 10%" expect_rc 0 "$scripts/compare" "$a" "$b"
	check "compare: 5% slower fails --threshold 4" expect_rc 1 "$scripts/compare" "$a" "$b" --threshold 4
	grep -v ',unmap,' "$a" >"$b"
	check "compare: a point missing from new (skipped or not measured) fails" expect_rc 1 "$scripts/compare" "$a" "$b"
	check "compare: ... and is listed as missing" expect_out 'only in old (\*\*MISSING\*\*)' "$scripts/compare" "$a" "$b"
	check "compare: --allow-missing lists it without failing" expect_rc 0 "$scripts/compare" "$a" "$b" --allow-missing
	check "compare: a point only in new is listed, not failed" expect_rc 0 "$scripts/compare" "$b" "$a"
	check "compare: zero vs zero is a tie" expect_out '| 0 | 0 | 1.000 | ok |' "$scripts/compare" "$a" "$a"
	sed 's/^\(cmheap-system,cached,coherent,1,direct,map,exporter,4096,.*\),0,0,0,0,0,0,0,/\1,0,50,0,0,0,0,0,/' "$a" >"$b"
	check "compare: zero -> non-zero is a regression" expect_rc 1 "$scripts/compare" "$a" "$b"
	check "compare: --min-ns makes tiny times ties" expect_rc 0 "$scripts/compare" "$a" "$b" --min-ns 100
	sed 's/^\(cmheap-system,cached,noncoherent,0,direct,unmap,.*\),100,110,/\1,116,110,/' "$a" >"$b"
	check "compare: --resolution 16 makes a 16 ns move a tie" expect_rc 0 "$scripts/compare" "$a" "$b" --resolution 16
	check "compare: ... and without it, 16% is a regression" expect_rc 1 "$scripts/compare" "$a" "$b"
	sed 's/,1048576,0,-,256,/,1048576,0,-,255,/' "$a" >"$b"
	check "compare: a changed nents still pairs the point" expect_out 'nents 256 -> 255' "$scripts/compare" "$a" "$b"
	check "compare: missing file -> exit 2" expect_rc 2 "$scripts/compare" "$a" "$tmp/none.csv"
	check "compare: bad threshold -> exit 2" expect_rc 2 "$scripts/compare" "$a" "$a" --threshold x
	mkdir -p "$tmp/dir"
	cp "$a" "$tmp/dir/results.csv"
	check "compare: folders work as well as files" expect_rc 0 "$scripts/compare" "$tmp/dir" "$a"
	cut -d, -f1-4,6- "$a" >"$b"
	check "compare: a results.csv from before the dma column pairs as direct" \
		expect_out '5 points compared' "$scripts/compare" "$b" "$a"
	cut -d, -f1-9,11- "$a" >"$b"
	check "compare: a results.csv from before the pool column pairs as no pool" \
		expect_out '5 points compared' "$scripts/compare" "$b" "$a"
	sed 's/^\(cmheap-system,cached,noncoherent,0,\)direct,map,/\1iommu,map,/' "$a" >"$b"
	check "compare: a point of another DMA route is another point" \
		expect_out 'only in old' "$scripts/compare" "$a" "$b"
	gate_selftests "$a"
}

# The gate (bench-check.sh) on planted boots (BOOTS=: no guest), each
# boot three runs of the small CSV above: how it confirms a failing boot
# with a second, reruns a void one once, and fails a noisy pair.
gate_selftests() {
	local a=$1 g=$tmp/gate r
	plant() { # NAME SED-PROGRAM-FOR-B
		mkdir -p "$g/$1/a1" "$g/$1/b" "$g/$1/a2"
		cp "$a" "$g/$1/a1/results.csv"
		cp "$a" "$g/$1/a2/results.csv"
		sed "$2" "$a" >"$g/$1/b/results.csv"
	}
	plant ok ''
	plant slow 's/^\(cmheap-system,cached,noncoherent,0,direct,map,.*\),100,110,/\1,150,110,/'
	plant slow2 's/^\(cmheap-system,cached,noncoherent,0,direct,unmap,.*\),100,110,/\1,150,110,/'
	plant lost 's/^\(cmheap-system,cached,noncoherent,0,direct,map,.*\),100,110,/\1,40,110,/'
	plant void 's/^\(udmabuf,.*\),100,110,/\1,150,110,/'
	plant missing '/,unmap,/d'
	gate() { BOOTS="$*" ARCH=x86_64 NO_DEPS=1 "$scripts/bench-check.sh"; }
	check "gate: identical A/B/A runs pass in one boot" expect_rc 0 gate "$g/ok"
	check "gate: a point 50% slower in both boots fails" expect_rc 1 gate "$g/slow" "$g/slow"
	check "gate: ... not when the confirming boot is clean" expect_rc 0 gate "$g/slow" "$g/ok"
	check "gate: ... nor when the confirming boot is slow at another point" expect_rc 0 gate "$g/slow" "$g/slow2"
	check "gate: maintenance lost in both boots fails" expect_rc 1 gate "$g/lost" "$g/lost"
	check "gate: a point HEAD no longer measures is listed, not failed" expect_rc 0 gate "$g/missing"
	# (the CSV has one control: VOID_CONTROLS=1 lets it void a boot)
	gate_void() { BOOTS="$*" VOID_CONTROLS=1 ARCH=x86_64 NO_DEPS=1 "$scripts/bench-check.sh"; }
	check "gate: a moved control voids the boot, and a clean second boot passes" \
		expect_rc 0 gate_void "$g/void" "$g/ok"
	check "gate: controls moved in two boots fail as noisy" expect_out 'FAIL: noisy' gate_void "$g/void" "$g/void"
	check "gate: ... with exit status 1" expect_rc 1 gate_void "$g/void" "$g/void"
	check "gate: one moved control alone does not void" expect_rc 0 gate "$g/void"
	r=$(gate "$g/slow" "$g/slow" 2>&1 || true)
	check "gate: ... and says what HEAD adds, in the point's words" grep -qF 'HEAD adds 50 ns per map at 4 KiB' <<<"$r"
	check "gate: an accepted revision this clone lacks fails and says so" \
		expect_out 'is not in this clone' env ACCEPTED=0123456789ab NO_DEPS=1 "$scripts/bench-check.sh"
}

# The gate in a guest, on a real planted regression: B is the work tree
# with a few dozen instructions added to every map of a cmheap heap
# (an empty loop on a volatile counter once the mapping is counted), A the work
# tree as it is.  The gate must fail B and name the map; B = A must pass.
gate_in_guest() {
	local a=$tmp/tree-a b=$tmp/tree-b args
	mkdir -p "$a" "$b"
	(cd "$root" && tar -cf - kernel include bench lib) | tar -xf - -C "$a"
	cp -a "$a/." "$b/"
	# once the map has counted its mapping: the count in cmheap_map_table(),
	# the map of every buffer of pages
	sed -i '/^static __always_inline struct sg_table \*cmheap_map_table(/,/^}/{/^\ta->maps++;$/a\	{ volatile int planted; for (planted = 0; planted < 10; planted++) ; }
}' "$b/kernel/heaps/cmheap_buffer.c"
	if [ "$(grep -c 'planted < 10' "$b/kernel/heaps/cmheap_buffer.c")" != 1 ]; then
		nok "gate in a guest: the regression is planted" \
			"not one 'a->maps++;' in cmheap_map_table() of kernel/heaps/cmheap_buffer.c"
		return
	fi
	args="--sizes 4K,1M --ops map,unmap --max-orders none --iterations 11 --min-samples 11 --time-budget-ms 100000 --warmup 2 --exporters cmheap-system,system,udmabuf"
	gate_guest() { # A B
		A_TREE=$1 B_TREE=$2 CHECK_ARGS="$args" DMA_CONFIGS=direct SIDE_BOOTS='' CHECK_DIR=$tmp/check NO_DEPS=1 \
			"$scripts/bench-check.sh"
	}
	check "gate in a guest: ~60 instructions planted in the map path fail it" expect_rc 1 gate_guest "$a" "$b"
	check "gate in a guest: ... and it names the map at 4 KiB" \
		grep -q 'gate:   HEAD adds [0-9]* instructions per map at 4 KiB (cmheap-system' "$tmp/out"
	grep -m 3 '^gate:   \(map\|HEAD adds [0-9]* instructions per map at 4 KiB\)' "$tmp/out" | sed 's/^/# /' || true
	check "gate in a guest: the same tree on both sides passes" expect_rc 0 gate_guest "$a" "$a"
}

# The analysis layer's unit tests (scripts/cmbench/tests), one line each.
unit_tests() {
	local line rc=0
	(cd "$scripts" && python3 -m cmbench.tests) >"$tmp/unit.out" 2>"$tmp/unit.err" || rc=$?
	while IFS= read -r line; do
		case $line in
		"ok - "*) ok "cmbench: ${line#ok - }" ;;
		"not ok - "*) nok "cmbench: ${line#not ok - }" "$(grep -A 12 "${line##* }" "$tmp/unit.err" | head -n 20)" ;;
		esac
	done <"$tmp/unit.out"
	if [ "$rc" -ne 0 ] && ! grep -q '^not ok' "$tmp/unit.out"; then
		nok "cmbench unit tests ran" "$(tail -n 20 "$tmp/unit.err")"
	fi
}
unit_tests

# cmheap-bench's own command line, on the host (no module needed): one
# message under one name for a bad option, values checked, --version.
one_message() { # BIN: its complaint about a bad option, and the pointer to --help
	local out
	out=$("$1" --no-such-option 2>&1) || true
	if [ "$(printf '%s\n' "$out" | wc -l)" -ne 2 ] ||
		! grep -q "^cmheap-bench: unknown option '--no-such-option'$" <<<"$out"; then
		echo "$out"
		return 1
	fi
}
bench_cli() {
	local bin=$tmp/cli/cmheap-bench
	if ! make -s -C "$root/bench" OUTPUT="$tmp/cli" >"$tmp/cli.log" 2>&1; then
		nok "cmheap-bench builds on the host" "$(tail -n 15 "$tmp/cli.log")"
		return
	fi
	check "cmheap-bench --help: its usage, exit 0" expect_out '^usage: cmheap-bench' "$bin" --help
	check "cmheap-bench --version: the project's VERSION" \
		expect_out "^cmheap-bench $(cat "$root/VERSION")\$" "$bin" --version
	check "cmheap-bench --no-such-option: exit 2" expect_rc 2 "$bin" --no-such-option
	check "  with one message, naming the option, under one name" one_message "$bin"
	check "cmheap-bench --sizes with no value: exit 2" expect_rc 2 "$bin" --sizes
	check "cmheap-bench --sizes 2G (over the 1G the help says): exit 2" expect_rc 2 "$bin" --sizes 2G
	if [ -e /dev/cmheap ]; then
		ok "cmheap-bench --dry-run without the module # SKIP this host has /dev/cmheap"
		return
	fi
	check "cmheap-bench --dry-run without the module: a preview of the default heaps, said so" \
		dry_run_preview "$bin"
	check "cmheap-bench --dry-run --exporters cmheap-system: only what was named" \
		dry_run_named "$bin"
	check "cmheap-bench without the module and without --dry-run: exit 1, load it first" \
		refused_without_module "$bin"
}
# BIN: the preview plans cmheap.ko's default heaps and the peers, each
# line a point, the last the count; the note says nothing was probed.
dry_run_preview() {
	local out n
	out=$("$1" --dry-run 2>"$tmp/dry.err") || { cat "$tmp/dry.err"; return 1; }
	grep -q 'none of it probed' "$tmp/dry.err" || { cat "$tmp/dry.err"; return 1; }
	n=$(tail -n 1 <<<"$out" | sed -n 's/^\([0-9]*\) points (.*/\1/p')
	if [ -z "$n" ] || [ "$n" -eq 0 ] || [ "$(grep -c '^[0-9]* ' <<<"$out")" -ne "$((n + 1))" ]; then
		tail -n 3 <<<"$out"
		return 1
	fi
	for e in cmheap-system cmheap-system-uncached system udmabuf; do
		grep -q "^[0-9]* [a-z_0-9]* $e " <<<"$out" || { echo "no point of $e"; return 1; }
	done
}
dry_run_named() {
	local out n
	out=$("$1" --dry-run --exporters cmheap-system --devices coherent --sizes 4K --ops map 2>/dev/null) || return 1
	n=$(tail -n 1 <<<"$out" | sed -n 's/^\([0-9]*\) points (.*/\1/p')
	if [ -z "$n" ] || [ "$n" -eq 0 ] ||
		[ "$(grep -c '^[0-9]* [a-z_]* cmheap-system coherent ' <<<"$out")" -ne "$n" ]; then
		printf '%s\n' "$out" | head -n 5
		return 1
	fi
}
# BIN: a real run without /dev/cmheap exits 1 and says to load the module
refused_without_module() {
	expect_rc 1 "$1" --sizes 4K || return 1
	grep -q 'load cmheap.ko and cmheap_test.ko first' "$tmp/out" || { cat "$tmp/out"; return 1; }
}
bench_cli

case $mode in
none) compare_selftests ;;
dir)
	compare_selftests
	check_dir "$dir"
	[ ! -e "$dir/meta-iommu.json" ] || check_dma_routes "$dir"
	;;
guest)
	compare_selftests
	out=$root/build/test-bench
	echo "# running cmheap-bench --quick in guests of each DMA configuration (scripts/bench.sh)..."
	if OUT=$out BENCH_ARGS="--quick --threads 1,2${BENCH_ARGS:+ $BENCH_ARGS}" LABEL=test-bench \
		DMA_CONFIGS="direct iommu bounce" "$scripts/bench.sh" >"$tmp/bench.out" 2>"$tmp/bench.err"; then
		ok "bench.sh --quick in a guest ($(tail -n 1 "$tmp/bench.err" | sed 's/.*done in/done in/'))"
		check_dir "$out"
		check_dma_routes "$out"
		check "the concurrency sweep (--threads 1,2): cmheap-system's map, unmap and DMA_BUF_IOCTL_SYNC on 1 and 2 threads, own and shared buffers, and its alloc_free_warm" \
			threads_sweep "$out/results.csv"
		check "  its two threads ran on two CPUs at once, each pinned to its own" threads_on_cpus "$out"
		check "  its buffers allocated at the main sweep's max_order, not the scatterlist sweep's last" \
			threads_cap "$out"
	else
		nok "bench.sh --quick in a guest" "$(tail -n 15 "$tmp/bench.err")"
	fi
	echo "# the A/B gate on a planted regression, in guests (scripts/bench-check.sh)..."
	gate_in_guest
	;;
esac
tap_end test-bench
