#!/usr/bin/env bash
# plot.sh RESULTS_DIR [PLOTS_DIR]
#
# Draws every figure of a cmheap-bench run from RESULTS_DIR/results.csv
# (titles from RESULTS_DIR/meta.json), as PNG and SVG, into PLOTS_DIR
# (default RESULTS_DIR/plots).  Also writes there:
#   index.tsv   one line per figure: id, status (ok | skipped), title, note
#   data/       the gnuplot data files each figure was drawn from
# A figure whose data is absent is skipped with a note, not an error.
# Needs bash, POSIX awk and gnuplot (pngcairo terminal if built in, else png).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/plots/lib.sh
. "$here/plots/lib.sh"

dir=${1:?usage: plot.sh RESULTS_DIR [PLOTS_DIR]}
csv=$dir/results.csv
meta=$dir/meta.json
out=${2:-$dir/plots}
if [ ! -r "$csv" ]; then
	echo "plot: cannot read $csv" >&2
	exit 2
fi
command -v gnuplot >/dev/null || {
	echo "plot: gnuplot is not installed (apt-get install gnuplot-nox)" >&2
	exit 2
}
[ -r "$meta" ] || echo "plot: warning: no $meta, titles will say 'unknown'" >&2

data=$out/data
mkdir -p "$data"
rm -f "$data"/*.dat "$data"/*.panels "$data"/*.gp "$out"/*.png "$out"/*.svg
index=$out/index.tsv
: >"$index"

sub=$(subtitle "$meta")
pngterm=png
if gnuplot -e 'set terminal' 2>&1 | grep -qw pngcairo; then
	pngterm=pngcairo
fi
has_noncoherent=0
if awk -F, 'NR > 1 && $3 == "noncoherent" { f = 1; exit } END { exit !f }' "$csv"; then
	has_noncoherent=1
fi
arch=$(meta_get "$meta" arch)

# gnuplot single-quoted string
gq() { printf "'%s'" "${1//\'/\'\'}"; }

# fig key=value...: one figure.  Keys: id title x y xlabel ylabel logx logy
# xbytes ysi yone filter prefer pick ratio panel series minpts why (why: the
# note when there is no data).  %COL% in the title is replaced by the value
# series.awk chose for COL (pick/prefer).
fig() {
	local id='' title='' x=size y=p50_ns xlabel='buffer size (bytes)' ylabel='p50 latency (ns)'
	local logx=1 logy=1 xbytes=1 ysi=1 yone=0 filter='' prefer='' pick='' ratio=''
	local panel='' series='' minpts=2 why='no data for it in results.csv' note=''
	local "$@"
	local prefix=$data/$id np
	np=$(awk -F, -f "$here/plots/series.awk" -v out="$prefix" -v x="$x" -v y="$y" \
		-v filter="$filter" -v prefer="$prefer" -v pick="$pick" -v ratio="$ratio" \
		-v panel="$panel" -v series="$series" -v minpts="$minpts" "$csv")
	local c v
	while IFS=$'\t' read -r _ c v; do
		case $c in size) v=$(human_size "$v") ;; esac
		title=${title//%$c%/$v}
	done < <(grep '^#chosen' "$prefix.panels" 2>/dev/null || true)
	if [ "$np" -eq 0 ]; then
		printf '%s\tskipped\t%s\t%s\n' "$id" "$title" "$why" >>"$index"
		echo "plot: skip $id: $why" >&2
		return 0
	fi
	if [ "$has_noncoherent" -eq 0 ] && [[ "$panel $series" == *device* ]]; then
		note="no non-coherent device on ${arch:-this system} (all its DMA is coherent): coherent device only"
	fi
	local spec=$prefix.gp files='' titles='' counts='' p t n
	while IFS=$'\t' read -r p t n; do
		case $p in '#'*) continue ;; esac
		files+="${files:+, }$(gq "$prefix-$p.dat")"
		titles+="${titles:+, }$(gq "$t")"
		counts+="${counts:+, }$n"
	done <"$prefix.panels"
	local term
	for term in "$pngterm" svg; do
		local ext=png
		[ "$term" = svg ] && ext=svg
		{
			echo "outfile = $(gq "$out/$id.$ext")"
			echo "termtype = $(gq "$term")"
			echo "figtitle = $(gq "$title — $sub")"
			echo "xlabel = $(gq "$xlabel")"
			echo "ylabel = $(gq "$ylabel")"
			echo "logx = $logx; logy = $logy; xbytes = $xbytes; ysi = $ysi; yone = $yone"
			echo "np = $np"
			echo "array pfile[$np] = [$files]"
			echo "array ptitle[$np] = [$titles]"
			echo "array pn[$np] = [$counts]"
			echo "load $(gq "$here/plots/lines.gp")"
		} >"$spec"
		gnuplot "$spec"
	done
	printf '%s\tok\t%s\t%s\n' "$id" "$title" "$note" >>"$index"
	echo "plot: $out/$id.{png,svg}" >&2
}

ours='exporter~^cmheap-'
# cmheap's test devices; QEMU's edu engine has figures of its own below
tests='device=coherent|noncoherent'
skip_why='no map/unmap rows with both attrs none and skip_cpu_sync'
if [ "$has_noncoherent" -eq 0 ]; then
	skip_why="${arch:-this system} has no non-coherent device, and on a coherent one skip_cpu_sync changes nothing (cmheap-bench measures it there only with --full)"
fi
# The size sweep: one direction and cache state, the max_order value with
# the most sizes (the default one, not the sg-entry sweep's).
sweep_pref='direction=bidirectional|to_device|from_device|-;cache_state=dirty|clean|-'

fig id=map-latency title='map and unmap latency vs size' \
	filter="op=map|unmap;path=exporter;$ours;$tests" prefer="$sweep_pref" pick=max_order \
	panel=op,device series=caching,attrs \
	why='no map/unmap rows for the cmheap heaps'

fig id=skip-sync-saving title='skip-sync saving vs size (p50 sync / p50 skip-sync)' \
	ylabel='p50 with sync / p50 with DMA_ATTR_SKIP_CPU_SYNC' ysi=0 yone=1 \
	filter="op=map|unmap;path=exporter;$ours;$tests" prefer="$sweep_pref" pick=max_order \
	ratio='attrs=none/skip_cpu_sync' panel=op series=caching,device \
	why="$skip_why"

fig id=sg-entries title='map and unmap latency vs sg entries at %size%' \
	x=nents xlabel='scatterlist entries (max_order sweep)' xbytes=0 \
	filter="op=map|unmap;path=exporter;$ours;$tests;max_order~^[0-9]+\$" \
	prefer="$sweep_pref;attrs=none|skip_cpu_sync" pick=size \
	panel=device series=op,caching \
	why='no max_order sweep (rows with a numeric max_order at one size)'

fig id=peers-alloc title='alloc+free and mmap+touch vs the peers (page pools off)' \
	filter='op=alloc_free_warm|alloc_free_cold|mmap_touch;pool!=on' \
	prefer='cache_state=-|clean|dirty' panel=op series=exporter \
	why='no alloc_free/mmap_touch rows'

# The system heaps' page pools, on and off one point after the other, and
# the upstream system heap (no pools) beside them.
fig id=pool-alloc title='allocation with page pools on and off vs the upstream system heap' \
	filter='op=alloc|alloc_free_warm|alloc_free_cold;exporter=cmheap-system|cmheap-system-uncached|system' \
	panel=op series=exporter,pool \
	why='no alloc rows for the system heaps (cmheap-bench --ops alloc,alloc_free)'

fig id=range-sync title='CPU-access sync of part of a buffer (CMHEAP_HEAP_IOC_SYNC_RANGE) vs DMA_BUF_IOCTL_SYNC' \
	ylabel='p50 START + END (ns)' \
	filter="op=dmabuf_sync|range_sync_64th|range_sync_8th|range_sync_all;$ours;$tests" \
	prefer="$sweep_pref" pick=max_order panel=device,caching series=op \
	why='no range_sync rows (cmheap-bench --ops range_sync,dmabuf_sync)'

fig id=cpu-bandwidth title='CPU read/write bandwidth per caching model' \
	y=mb_per_s ylabel='bandwidth (MB/s, 10^6 bytes/s)' ysi=0 \
	filter='op=cpu_read|cpu_write' prefer='cache_state=-|clean|dirty' \
	panel=op series=exporter,caching \
	why='no cpu_read/cpu_write rows'

fig id=exporter-overhead title='exporter overhead vs size (p50 exporter path / p50 raw DMA API)' \
	ylabel='p50 exporter path / p50 raw dma_map_sgtable' ysi=0 yone=1 \
	filter="op=map|unmap;$ours;$tests" prefer="$sweep_pref;attrs=none|skip_cpu_sync" pick=max_order \
	ratio='path=exporter/raw' panel=op series=caching,device \
	why='no map/unmap rows with both the exporter and the raw path'

fig id=sync-latency title='CPU/device sync latency vs size' \
	filter="op=sync_dev|sync_cpu|dmabuf_sync;$tests" prefer="$sweep_pref;attrs=none|skip_cpu_sync" \
	pick=max_order panel=op series=exporter,device \
	why='no sync_dev/sync_cpu/dmabuf_sync rows'

# The DMA routes (make bench DMA_CONFIGS="direct iommu bounce"): QEMU's
# edu engine mapped directly, through the IOMMU and through swiotlb, each
# route measured in a guest of its own.
dma_pref='direction=bidirectional|to_device|from_device;cache_state=clean|dirty;attrs=none|skip_cpu_sync'
dma_why='no rows for the edu device (make bench DMA_CONFIGS="direct iommu bounce")'

fig id=dma-map-latency title='map and unmap latency vs size per DMA route (edu device)' \
	filter="op=map|unmap;path=exporter;device=edu" prefer="$dma_pref" pick=max_order \
	panel=exporter series=op,dma why="$dma_why"

fig id=dma-sg-entries title='map and unmap latency vs sg entries per DMA route at %size% (edu device)' \
	x=nents xlabel='scatterlist entries (max_order sweep)' xbytes=0 \
	filter="op=map|unmap;path=exporter;device=edu;$ours;max_order~^[0-9]+\$" \
	prefer="$dma_pref" pick=size panel=op series=dma,caching \
	why="$dma_why, or no max_order sweep"

fig id=dma-sync-latency title='sync latency vs size per DMA route (edu device)' \
	filter="op=sync_dev|sync_cpu;path=exporter;device=edu" prefer="$dma_pref" pick=max_order \
	panel=exporter series=op,dma why="$dma_why"

ok=$(awk -F'\t' '$2 == "ok"' "$index" | wc -l)
echo "plot: $ok figure(s) in $out" >&2
