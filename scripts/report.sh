#!/usr/bin/env bash
# report.sh RESULTS_DIR
#
# Writes RESULTS_DIR/report.md from results.csv and meta.json: where it was
# measured (first line), the run's metadata, every figure of plot.sh (run
# first when RESULTS_DIR/plots/index.tsv is missing) with a short reading
# whose numbers are computed here from the data, and a table of key points.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/plots/lib.sh
. "$here/plots/lib.sh"

dir=${1:?usage: report.sh RESULTS_DIR}
csv=$dir/results.csv
meta=$dir/meta.json
plots=$dir/plots
data=$plots/data
if [ ! -r "$csv" ]; then
	echo "report: cannot read $csv" >&2
	exit 2
fi
if [ ! -r "$plots/index.tsv" ] || [ ! -d "$data" ]; then "$here/plot.sh" "$dir"; fi

m() { meta_get "$meta" "$1"; }
accel=$(m accelerator)
cpu=$(m cpu_model)

# datq ID PANEL SERIES [X]: y of a plotted series at X (default: its largest
# x), from the data files plot.sh drew the figure from.  "@x" as X prints
# the largest x instead, "@xmin"/"@ymin" the smallest x and its y.
datq() {
	local id=$1 panel=$2 series=$3 at=${4:-max} n
	[ -r "$data/$id.panels" ] || return 0
	n=$(awk -F'\t' -v t="$panel" '$1 !~ /^#/ && $2 == t { print $1; exit }' "$data/$id.panels")
	[ -n "$n" ] || return 0
	awk -v s="\"$series\"" -v at="$at" '
		$0 == s { inb = 1; next }
		inb && /^"/ { exit }
		inb && NF == 2 {
			if (first == "") { first = $1; firsty = $2 }
			lastx = $1; lasty = $2
			if (at != "max" && at !~ /^@/ && $1 == at) { print $2; found = 1; exit }
		}
		END {
			if (found || first == "") exit
			if (at == "max") print lasty
			else if (at == "@x") print lastx
			else if (at == "@xmin") print first
			else if (at == "@ymin") print firsty
		}' "$data/$id-$n.dat"
}
# chosen ID COL: the value plot.sh's series.awk chose for COL.
chosen() {
	awk -F'\t' -v c="$2" '$1 == "#chosen" && $2 == c { print $3; exit }' "$data/$1.panels" 2>/dev/null || true
}
ns() { awk -v v="$1" 'BEGIN {
	if (v >= 1e9) printf "%.3g s", v / 1e9
	else if (v >= 1e6) printf "%.3g ms", v / 1e6
	else if (v >= 1e3) printf "%.3g µs", v / 1e3
	else printf "%.3g ns", v }'; }
times() { awk -v v="$1" 'BEGIN { printf (v >= 10 ? "%.0f×" : v >= 0.1 ? "%.2f×" : "%.2g×"), v }'; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 > 0) printf "%.6g", a / b }'; }

fig_status() { awk -F'\t' -v id="$1" '$1 == id { print $2; exit }' "$plots/index.tsv"; }
fig_note() { awk -F'\t' -v id="$1" '$1 == id { print $4; exit }' "$plots/index.tsv"; }
fig_title() { awk -F'\t' -v id="$1" '$1 == id { print $3; exit }' "$plots/index.tsv"; }

devices=()
for d in coherent noncoherent; do
	if awk -F, -v d="$d" 'NR > 1 && $3 == d { f = 1; exit } END { exit !f }' "$csv"; then
		devices+=("$d")
	fi
done
devname() { [ "$1" = noncoherent ] && echo "non-coherent device" || echo "$1 device"; }

# ---- readings, one function per figure; each prints markdown or nothing.

read_map_latency() {
	local op d s x a b c
	for op in map unmap; do
		for d in "${devices[@]}"; do
			s="$op, $(devname "$d")"
			x=$(datq map-latency "$s" "cached, sync" @x)
			[ -n "$x" ] || continue
			a=$(datq map-latency "$s" "cached, sync")
			b=$(datq map-latency "$s" "cached, skip-sync")
			c=$(datq map-latency "$s" "uncached, sync")
			printf -- "- %s at %s on the %s: cached %s with sync" "$op" "$(human_size "$x")" "$(devname "$d")" "$(ns "$a")"
			[ -n "$b" ] && printf ", %s with skip-sync" "$(ns "$b")"
			[ -n "$c" ] && printf "; uncached %s" "$(ns "$c")"
			printf ".\n"
		done
	done
}

read_skip_sync_saving() {
	local op d r x c
	for d in "${devices[@]}"; do
		for c in cached uncached; do
			local parts=()
			for op in map unmap; do
				r=$(datq skip-sync-saving "$op" "$c, $(devname "$d")")
				x=$(datq skip-sync-saving "$op" "$c, $(devname "$d")" @x)
				[ -n "$r" ] && parts+=("$(times "$r") on $op")
			done
			[ "${#parts[@]}" -gt 0 ] || continue
			local joined
			joined=$(IFS=,; echo "${parts[*]}")
			printf -- "- %s buffers, %s: skip-sync saves %s at %s.\n" "$c" "$(devname "$d")" \
				"${joined//,/ and }" "$(human_size "$x")"
		done
	done
}

# per_entry ID PANEL SERIES WHAT SIZE: a line on how a series of an sg-entry
# figure grows from its fewest entries to its most, and per extra entry.
per_entry() {
	local n0 n1 y0 y1
	n0=$(datq "$1" "$2" "$3" @xmin)
	n1=$(datq "$1" "$2" "$3" @x)
	if [ -z "$n0" ] || [ -z "$n1" ] || [ "$n0" = "$n1" ]; then return 0; fi
	y0=$(datq "$1" "$2" "$3" @ymin)
	y1=$(datq "$1" "$2" "$3")
	printf -- "- %s of %s: %s entries %s, %s entries %s (%s), about %s per extra entry.\n" \
		"$4" "$(human_size "$5")" "$n0" "$(ns "$y0")" "$n1" "$(ns "$y1")" \
		"$(times "$(div "$y1" "$y0")")" \
		"$(ns "$(awk -v a="$y0" -v b="$y1" -v m="$n0" -v n="$n1" 'BEGIN { print (b - a) / (n - m) }')")"
}

read_sg_entries() {
	local d op size
	size=$(chosen sg-entries size)
	for d in "${devices[@]}"; do
		for op in map unmap; do
			per_entry sg-entries "$(devname "$d")" "$op, cached" "$op, cached, $(devname "$d")" "$size"
		done
	done
}

dma_routes=(direct "through the IOMMU" "bounced (swiotlb)")

read_dma_sg_entries() {
	local op route c size
	size=$(chosen dma-sg-entries size)
	for op in map unmap; do
		for route in "${dma_routes[@]}"; do
			for c in cached uncached; do
				per_entry dma-sg-entries "$op" "$route, $c" "$op, $c, $route" "$size"
			done
		done
	done
	dma_boots_note
}

dma_boots_note() {
	echo "- Each route was measured in a guest of its own (the same kernel, QEMU and sweep): compare their shapes; their absolute gaps include what differs between boots."
}

# dma_at_largest ID OPS...: per exporter panel, each op's p50 per route at
# the panel's largest size, with each route against direct.
dma_at_largest() {
	local id=$1 n t op route x y base line
	shift
	while IFS=$'\t' read -r n t _; do
		case $n in '#'*) continue ;; esac
		for op in "$@"; do
			x=$(datq "$id" "$t" "$op, direct" @x)
			base=$(datq "$id" "$t" "$op, direct")
			line=''
			for route in "${dma_routes[@]}"; do
				[ -n "$x" ] || x=$(datq "$id" "$t" "$op, $route" @x)
				y=$(datq "$id" "$t" "$op, $route" "$x")
				[ -n "$y" ] || continue
				line+="${line:+; }$route $(ns "$y")"
				[ -n "$base" ] && [ "$route" != direct ] && line+=" ($(times "$(div "$y" "$base")") direct)"
			done
			[ -n "$line" ] && printf -- "- %s, %s at %s: %s.\n" "$t" "$op" "$(human_size "$x")" "$line"
		done
	done <"$data/$id.panels"
}

read_dma_map_latency() {
	dma_at_largest dma-map-latency map unmap
	dma_boots_note
}

read_dma_sync_latency() {
	dma_at_largest dma-sync-latency "sync for device" "sync for CPU"
	echo "- A sync copies between the buffer and its bounce buffer where DMA bounces; for a coherent device (edu is one on both QEMU machines), direct and IOMMU mappings have no cache maintenance to do."
	dma_boots_note
}

read_peers_alloc() {
	local op e v x base
	for op in "alloc+free (warm)" "alloc+free (cold)" "mmap+touch"; do
		x=$(datq peers-alloc "$op" cmheap-system @x)
		[ -n "$x" ] || continue
		base=$(datq peers-alloc "$op" cmheap-system)
		printf -- "- %s at %s: cmheap-system %s" "$op" "$(human_size "$x")" "$(ns "$base")"
		printf "; relative to it"
		for e in cmheap-system-uncached system udmabuf; do
			v=$(datq peers-alloc "$op" "$e" "$x")
			[ -n "$v" ] && printf ", %s %s (%s)" "$e" "$(ns "$v")" "$(times "$(div "$v" "$base")")"
		done
		case $op in *cold*) printf " (one sample each: the first allocation of that size)" ;; esac
		printf ".\n"
	done
	# page faults per mmap+touch, straight from the CSV
	awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$c["op"] == "mmap_touch" && $c["minflt_per_op"] ~ /^[0-9.]+$/ {
			if ($c["size"] + 0 >= big[$c["exporter"]] + 0) { big[$c["exporter"]] = $c["size"]; f[$c["exporter"]] = $c["minflt_per_op"] }
		}
		END {
			s = ""
			for (e in f) s = s sprintf("%s%s %g", (s == "" ? "" : ", "), e, f[e])
			if (s != "") print "- page faults per mmap+touch at each exporter'"'"'s largest size: " s "."
		}' "$csv"
}

read_cpu_bandwidth() {
	local op x c u
	for op in "CPU read" "CPU write"; do
		x=$(datq cpu-bandwidth "$op" "cmheap-system, cached" @x)
		[ -n "$x" ] || continue
		c=$(datq cpu-bandwidth "$op" "cmheap-system, cached")
		u=$(datq cpu-bandwidth "$op" "cmheap-system-uncached, uncached" "$x")
		printf -- "- %s at %s: cached %.0f MB/s" "$op" "$(human_size "$x")" "$c"
		[ -n "$u" ] && printf ", uncached (write-combined) %.0f MB/s: cached/uncached = %s" "$u" "$(times "$(div "$c" "$u")")"
		printf ".\n"
	done
	case $accel in
	tcg | tcg-icount)
		echo "- QEMU TCG does not emulate memory types: write-combined mappings run at cached speed here, so this ratio says nothing about silicon." ;;
	esac
}

read_exporter_overhead() {
	local op d c r0 r1 x0 x1
	for op in map unmap; do
		for d in "${devices[@]}"; do
			for c in cached uncached; do
				r0=$(datq exporter-overhead "$op" "$c, $(devname "$d")" @ymin)
				[ -n "$r0" ] || continue
				x0=$(datq exporter-overhead "$op" "$c, $(devname "$d")" @xmin)
				r1=$(datq exporter-overhead "$op" "$c, $(devname "$d")")
				x1=$(datq exporter-overhead "$op" "$c, $(devname "$d")" @x)
				printf -- "- %s, %s, %s: the exporter path costs %s the raw DMA API at %s, %s at %s.\n" \
					"$op" "$c" "$(devname "$d")" "$(times "$r0")" "$(human_size "$x0")" "$(times "$r1")" "$(human_size "$x1")"
			done
		done
	done
}

read_sync_latency() {
	local n t
	while IFS=$'\t' read -r n t _; do
		case $n in '#'*) continue ;; esac
		awk -v t="$t" '
			function tm(v) {
				if (v >= 1e6) return sprintf("%.3g ms", v / 1e6)
				if (v >= 1e3) return sprintf("%.3g µs", v / 1e3)
				return sprintf("%.3g ns", v)
			}
			/^"/ { s = substr($0, 2, length($0) - 2); order[++ns] = s; next }
			NF == 2 { x[s] = $1; y[s] = $2; if ($1 + 0 > xmax + 0) xmax = $1 }
			END {
				line = ""
				for (i = 1; i <= ns; i++) if (x[order[i]] == xmax) line = line (line == "" ? "" : "; ") order[i] " " tm(y[order[i]])
				if (line != "") printf "- %s, p50 at %.0f MiB: %s.\n", t, xmax / 1048576, line
			}' "$data/sync-latency-$n.dat"
	done <"$data/sync-latency.panels"
}

# pool_rows: "exporter op pool size p50 samples" for the alloc ops, sizes
# ascending, from results.csv.
pool_rows() {
	awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		("pool" in c) && $c["op"] ~ /^(alloc|alloc_free_warm|pool_shrink)$/ {
			print $c["exporter"], $c["op"], $c["pool"], $c["size"], $c["p50_ns"], $c["samples"]
		}' "$csv" | sort -k4,4n
}

read_pool_alloc() {
	pool_rows | awk -v accel="$accel" '
		function sz(b) { return b >= 1048576 ? sprintf("%g MiB", b / 1048576) : sprintf("%g KiB", b / 1024) }
		function tm(v) { return v >= 1e6 ? sprintf("%.3g ms", v / 1e6) : v >= 1e3 ? sprintf("%.3g µs", v / 1e3) : sprintf("%.3g ns", v) }
		{ k = $1 SUBSEP $2 SUBSEP $3 SUBSEP $4; p[k] = $5; n[k] = $6
		  if (!($4 in seen)) { seen[$4] = 1; size[++ns] = $4 } }
		function has(e, o, q, s) { return (e SUBSEP o SUBSEP q SUBSEP s) in p }
		function v(e, o, q, s) { return p[e SUBSEP o SUBSEP q SUBSEP s] }
		function cnt(e, o, q, s) { return n[e SUBSEP o SUBSEP q SUBSEP s] }
		END {
			# allocation alone: warm pool vs the upstream system heap
			line = ""; miss = ""; inrange = 0
			for (i = 1; i <= ns; i++) {
				s = size[i]
				if (!has("cmheap-system", "alloc", "on", s) || !has("system", "alloc", "-", s)) continue
				r = v("system", "alloc", "-", s) / v("cmheap-system", "alloc", "on", s)
				line = line sprintf("%s%s %.2f× (%s vs %s, n=%d/%d)", line == "" ? "" : "; ", sz(s), r,
					tm(v("cmheap-system", "alloc", "on", s)), tm(v("system", "alloc", "-", s)),
					cnt("cmheap-system", "alloc", "on", s), cnt("system", "alloc", "-", s))
				if (s >= 1048576 && s <= 67108864) { inrange++; if (r < 3) miss = miss (miss == "" ? "" : ", ") sz(s) }
			}
			if (line != "") { said++
				printf "- Allocation alone from a warm pool (cmheap-system, pools on) against the upstream system heap, how many times faster at p50: %s.", line
				if (inrange) printf " Target at least 3× at 1–64 MiB: %s.", miss == "" ? "met at every size measured" : "not met at " miss
				printf "\n"
			}
			# the uncached heap from its pool against the cached one from its own
			line = ""; miss = ""; inrange = 0
			for (i = 1; i <= ns; i++) {
				s = size[i]
				if (!has("cmheap-system", "alloc", "on", s) || !has("cmheap-system-uncached", "alloc", "on", s)) continue
				r = v("cmheap-system-uncached", "alloc", "on", s) / v("cmheap-system", "alloc", "on", s)
				line = line sprintf("%s%s %.2f×", line == "" ? "" : "; ", sz(s), r)
				if (s >= 1048576 && s <= 67108864) { inrange++; if (r > 1.2) miss = miss (miss == "" ? "" : ", ") sz(s) }
			}
			if (line != "") { said++
				printf "- Uncached allocation from its pool over cached from its pool (p50 ratio): %s.", line
				if (inrange) printf " Target within 1.2×: %s.", miss == "" ? "met at every size measured" : "not met at " miss
				printf "\n"
			}
			# what the pools buy each heap
			for (h = 1; h <= 2; h++) {
				e = h == 1 ? "cmheap-system" : "cmheap-system-uncached"
				line = ""
				for (i = 1; i <= ns; i++) {
					s = size[i]
					if (!has(e, "alloc", "on", s) || !has(e, "alloc", "off", s)) continue
					line = line sprintf("%s%s %s on, %s off (%.2f×)", line == "" ? "" : "; ", sz(s),
						tm(v(e, "alloc", "on", s)), tm(v(e, "alloc", "off", s)), v(e, "alloc", "off", s) / v(e, "alloc", "on", s))
				}
				if (line != "" && ++said) printf "- %s, allocation alone with pools on and off: %s.\n", e, line
			}
			# alloc+free throughput, steady state
			line = ""
			for (i = 1; i <= ns; i++) {
				s = size[i]; t = ""
				if (has("cmheap-system", "alloc_free_warm", "on", s)) t = t sprintf(", cmheap-system pools on %.0f", s * 1000 / v("cmheap-system", "alloc_free_warm", "on", s))
				if (has("cmheap-system", "alloc_free_warm", "off", s)) t = t sprintf(", off %.0f", s * 1000 / v("cmheap-system", "alloc_free_warm", "off", s))
				if (has("cmheap-system-uncached", "alloc_free_warm", "on", s)) t = t sprintf(", uncached on %.0f", s * 1000 / v("cmheap-system-uncached", "alloc_free_warm", "on", s))
				if (has("cmheap-system-uncached", "alloc_free_warm", "off", s)) t = t sprintf(", off %.0f", s * 1000 / v("cmheap-system-uncached", "alloc_free_warm", "off", s))
				if (has("system", "alloc_free_warm", "-", s)) t = t sprintf(", system %.0f", s * 1000 / v("system", "alloc_free_warm", "-", s))
				if (t != "") line = line sprintf("%s%s: %s", line == "" ? "" : "; ", sz(s), substr(t, 3))
			}
			if (line != "" && ++said) printf "- Alloc+free throughput in the steady state (MB/s, 10^6 bytes/s, from the p50): %s.\n", line
			# the shrinker
			line = ""
			for (i = 1; i <= ns; i++) {
				s = size[i]
				for (h = 1; h <= 2; h++) {
					e = h == 1 ? "cmheap-system" : "cmheap-system-uncached"
					if (has(e, "pool_shrink", "on", s))
						line = line sprintf("%s%s %s %s (n=%d)", line == "" ? "" : "; ", e, sz(s), tm(v(e, "pool_shrink", "on", s)), cnt(e, "pool_shrink", "on", s))
				}
			}
			if (line != "" && ++said) printf "- The shrinker giving back a pool that holds a freed buffer (drop_caches=2, which runs every shrinker; p50): %s.\n", line
			if (said && accel ~ /^tcg/)
				print "- Emulated (TCG): these times count the work each allocation does (the page allocator, zeroing, page-table and memory-type changes), not silicon time; the ratios say how much of that work a pool avoids."
		}'
}

read_range_sync() {
	local lines
	lines=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
		$c["exporter"] ~ /^cmheap-system/ && $c["op"] ~ /^(dmabuf_sync|range_sync_(64th|8th|all))$/ &&
		$c["device"] ~ /^(coherent|noncoherent)$/ && $c["direction"] == "bidirectional" && $c["cache_state"] == "clean" {
			k = $c["exporter"] SUBSEP $c["device"] SUBSEP $c["op"]
			if ($c["size"] + 0 >= big[k] + 0) { big[k] = $c["size"]; p[k] = $c["p50_ns"] }
			g[$c["exporter"] SUBSEP $c["device"]] = 1
		}
		function tm(v) { return v >= 1e6 ? sprintf("%.3g ms", v / 1e6) : v >= 1e3 ? sprintf("%.3g µs", v / 1e3) : sprintf("%.3g ns", v) }
		END {
			for (gk in g) {
				split(gk, a, SUBSEP)
				full = a[1] SUBSEP a[2] SUBSEP "dmabuf_sync"
				if (!(full in p)) continue
				line = sprintf("- %s, %s device, %g MiB, p50 START + END: DMA_BUF_IOCTL_SYNC %s", a[1], a[2], big[full] / 1048576, tm(p[full]))
				split("range_sync_64th range_sync_8th range_sync_all", ops, " ")
				split("1/64 1/8 all", nm, " ")
				for (i = 1; i <= 3; i++) {
					k = a[1] SUBSEP a[2] SUBSEP ops[i]
					if (k in p && big[k] == big[full])
						line = line sprintf("; range sync of %s %s (%.2f× the full sync)", nm[i], tm(p[k]), p[full] > 0 ? p[k] / p[full] : 0)
				}
				print line "."
			}
		}' "$csv" | sort)
	[ -n "$lines" ] || return 0
	echo "$lines"
	case $accel in
	tcg | tcg-icount)
		echo "- Emulated (TCG): cache maintenance instructions execute but no cache is modelled, so a range sync saves the instructions of the entries it skips, not the cache traffic it would on hardware. On a coherent device neither sync maintains anything." ;;
	esac
}

key_points() {
	awk -F, '
	function human(b) {
		if (b >= 1073741824 && b % 1073741824 == 0) return b / 1073741824 " GiB"
		if (b >= 1048576 && b % 1048576 == 0) return b / 1048576 " MiB"
		if (b >= 1024 && b % 1024 == 0) return b / 1024 " KiB"
		return b " B"
	}
	function t(v) {
		if (v !~ /^[0-9.]+$/) return v
		if (v >= 1e6) return sprintf("%.3g ms", v / 1e6)
		if (v >= 1e3) return sprintf("%.3g µs", v / 1e3)
		return sprintf("%.3g ns", v)
	}
	NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
	{
		n++
		for (k in c) cell[n, k] = $c[k]
		# preferences: the size sweep (most sizes per max_order), one direction
		mo[$c["op"], $c["max_order"], $c["size"]] = 1
		dirs[$c["direction"]] = 1; css[$c["cache_state"]] = 1
	}
	END {
		for (k in mo) { split(k, a, SUBSEP); cnt[a[1], a[2]]++ }
		for (k in cnt) { split(k, a, SUBSEP); if (cnt[k] > best[a[1]]) { best[a[1]] = cnt[k]; bmo[a[1]] = a[2] } }
		dir = ("bidirectional" in dirs) ? "bidirectional" : ("to_device" in dirs) ? "to_device" : "-"
		cs = ("dirty" in css) ? "dirty" : ("clean" in css) ? "clean" : "-"
		for (r = 1; r <= n; r++) {
			op = cell[r, "op"]
			if (cell[r, "max_order"] != bmo[op]) continue
			if (cell[r, "path"] == "raw") continue
			if (cell[r, "device"] !~ /^(none|coherent|noncoherent)$/) continue
			if (cell[r, "direction"] != dir && cell[r, "direction"] != "-") continue
			if (cell[r, "cache_state"] != cs && cell[r, "cache_state"] != "-") continue
			s = cell[r, "size"] + 0
			if (!(op in smin) || s < smin[op]) smin[op] = s
			if (!(op in smax) || s > smax[op]) smax[op] = s
		}
		nops = split("map unmap map_unmap sync_dev sync_cpu dmabuf_sync range_sync_64th range_sync_8th range_sync_all alloc alloc_free_cold alloc_free_warm pool_shrink mmap_touch cpu_write cpu_read", order, " ")
		print "| op | exporter | pools | device | attrs | size | samples | min | p50 | p99 | MB/s | faults/op |"
		print "|---|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|"
		for (o = 1; o <= nops; o++) {
			op = order[o]
			want = smax[op]
			{
				for (r = 1; r <= n; r++) {
					if (cell[r, "op"] != op || cell[r, "size"] + 0 != want) continue
					if (cell[r, "max_order"] != bmo[op] || cell[r, "path"] == "raw") continue
					if (cell[r, "device"] !~ /^(none|coherent|noncoherent)$/) continue
					if (cell[r, "direction"] != dir && cell[r, "direction"] != "-") continue
					if (cell[r, "cache_state"] != cs && cell[r, "cache_state"] != "-") continue
					printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", op, cell[r, "exporter"], (cell[r, "pool"] == "" ? "-" : cell[r, "pool"]), cell[r, "device"], cell[r, "attrs"], human(cell[r, "size"]), cell[r, "samples"], t(cell[r, "min_ns"]), t(cell[r, "p50_ns"]), t(cell[r, "p99_ns"]), cell[r, "mb_per_s"], cell[r, "minflt_per_op"]
				}
			}
		}
		if (dir != "-" || cs != "-") printf "\nmap/unmap/sync rows: direction %s, cache state %s, exporter path, default max_order; every point is in results.csv.\n", dir, cs
	}' "$csv"
}

# devices_of FLAT_META [measured]: the devices of a meta.json (flattened by
# json.awk), each with its kernel name, coherence and DMA route; "measured":
# only those the sweep measured.
devices_of() {
	echo "$1" | awk -F'\t' -v only="${2:-}" '
		$1 ~ /^devices\.[0-9]+\.[a-z_]+$/ { split($1, a, "."); v[a[2], a[3]] = $2; if (a[2] + 1 > n) n = a[2] + 1 }
		END {
			for (i = 0; i < n; i++) {
				if (only != "" && v[i, "measured"] != "true") continue
				if (v[i, "present"] == "false") continue
				t = v[i, "device"] " (" v[i, "name"] "; " (v[i, "coherent"] == "true" ? "coherent" : "non-coherent")
				if (v[i, "dma"] != "") t = t ", " v[i, "dma"] ", " v[i, "dma_mask_bits"] "-bit mask"
				t = t (v[i, "measured"] == "false" ? ", not measured" : "") ")"
				s = s (s == "" ? "" : ", ") t
			}
			print s
		}'
}

first_line() {
	case $accel in
	tcg) echo "> Measured in QEMU TCG (emulated): ratios and shapes, not silicon timings." ;;
	tcg-icount) echo "> Measured in QEMU TCG with -icount (emulated, deterministic: virtual time counts instructions): ratios and shapes, not silicon timings." ;;
	kvm) echo "> Measured in QEMU KVM (virtualized): host CPU timings through a hypervisor; the DMA test devices are software, not silicon." ;;
	hardware) echo "> Measured on hardware${cpu:+ ($cpu)}, kernel $(m kernel_release)." ;;
	*) echo "> Measured on an unknown platform (meta.json has no accelerator): treat the numbers as relative only." ;;
	esac
}

report=$dir/report.md
{
	first_line
	echo
	echo "# cmheap bench: $(m kernel_release) $(m arch)${accel:+, $(accel_label "$accel" "$cpu")}"
	echo
	echo "| | |"
	echo "|---|---|"
	row() { [ -n "$2" ] && printf '| %s | %s |\n' "$1" "${2//|/\\|}"; return 0; }
	row kernel "$(m kernel_release)"
	row architecture "$(m arch)"
	row CPU "$cpu"
	row "cache line / page" "$(m cache_line) B / $(m page_size) B"
	row accelerator "$(accel_label "$accel" "$cpu")"
	row QEMU "$(m qemu_version)"
	row "git revision" "$(m git_rev)"
	row date "$(m date)"
	row "iterations (warmup)" "$(m iterations) ($(m warmup))"
	flat=$(awk -f "$here/plots/json.awk" "$meta" 2>/dev/null || true)
	row devices "$(devices_of "$flat")"
	for f in "$dir"/meta-*.json; do
		[ -r "$f" ] || continue
		c=${f##*/meta-}
		c=${c%.json}
		row "$c DMA sweep" "$(devices_of "$(awk -f "$here/plots/json.awk" "$f" 2>/dev/null)" measured)${c:+; guest kernel command line: $(head -n 1 "$dir/logs/$c/cmdline.txt" 2>/dev/null)}"
	done
	# found/skipped: lists of names, or of objects with name (and reason)
	row "exporters found" "$(echo "$flat" | awk -F'\t' '
		$1 ~ /^exporters\.found\.[0-9]+(\.name)?$/ { s = s (s == "" ? "" : ", ") $2 }
		$1 ~ /^exporters\.found\.[0-9]+\.caching$/ { s = s " (" $2 ")" }
		$1 ~ /^exporters\.found\.[0-9]+\.memory$/ { sub(/\)$/, "; " $2 ")", s) }
		END { print s }')"
	row "exporters skipped" "$(echo "$flat" | awk -F'\t' '
		$1 ~ /^exporters\.skipped\.[0-9]+(\.name)?$/ { s = s (s == "" ? "" : ", ") $2 }
		$1 ~ /^exporters\.skipped\.[0-9]+\.reason$/ { s = s " (" $2 ")" }
		END { print s }')"
	ms=$(m method.min_samples) budget=$(m method.time_budget_ms) pin=$(m method.cpu)
	row method "$(m method.kernel_clock)${ms:+; samples per point: up to $(m iterations), at least $ms, within ${budget:-?} ms}${pin:+; pinned to CPU $pin}"
	row "points skipped" "$(echo "$flat" | awk -F'\t' '
		$1 == "points.skipped" { n = $2 }
		$1 ~ /^points\.skips\.[0-9]+\.reason$/ { r[$2]++ }
		END { if (n + 0 == 0) exit; s = n; t = ""; for (k in r) t = t (t == "" ? "" : "; ") r[k] " " k; print s (t == "" ? "" : " (" t ")") }')"
	if [ -r "$dir/logs/host.txt" ]; then
		row host "$(awk -F= '{ v[$1] = $2 } END {
			s = v["host_cpu"]; if (v["host_cpus"] != "") s = s ", " v["host_cpus"] " CPUs"
			if (v["load_before"] != "") s = s "; load average " v["load_before"] " before, " v["load_after"] " after"
			print s }' "$dir/logs/host.txt")"
	fi
	[ -r "$dir/logs/cmdline.txt" ] && row "guest kernel command line" "$(head -n 1 "$dir/logs/cmdline.txt")"
	row "command line" "$(m command_line)"
	row label "$(m label)"
	row points "$(($(wc -l <"$csv") - 1)) rows in results.csv"
	echo
	while IFS=$'\t' read -r id status title note; do
		echo "## $title"
		echo
		if [ "$status" != ok ]; then
			echo "_Not drawn: ${note}._"
			echo
			continue
		fi
		echo "![$title](plots/$id.png)"
		echo
		echo "([SVG](plots/$id.svg))${note:+ _${note}._}"
		echo
		fn=read_${id//-/_}
		if declare -F "$fn" >/dev/null; then
			"$fn"
			echo
		fi
	done <"$plots/index.tsv"
	echo "## Key points"
	echo
	echo "The largest size of each operation's size sweep; times are per operation."
	echo
	key_points
} >"$report"
echo "report: $report" >&2
