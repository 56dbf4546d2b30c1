# written by cmbench (scripts/cmbench/gnuplot.py)
set encoding utf8
set micro
set terminal svg size 1280, 1110 dynamic noenhanced font "sans,11" background rgb "white"
set output 'exporter-overhead.svg'
set grid xtics ytics mxtics mytics lc rgb "#e0e0e0" lw 1, lc rgb "#f0f0f0" lw 1
set key below left box samplen 2 font ",8" maxrows 6 height 1
set xlabel 'buffer size (bytes)' offset 0,0.3
set ylabel 'p50 exporter - p50 raw dma_map_sgtable'
set logscale x 2
unset logscale y
set format x "%.0b%B"
set format y "%.0s %cs"
set pointsize 0.8
set xtics autofreq
set multiplot layout 2, 2 title "exporter path overhead vs size (p50 exporter path - p50 raw DMA API, same work)\n6.12.118+deb12-arm64 aarch64, QEMU TCG (emulated)" font ",12"
set title 'map, coherent device'
plot 'data/exporter-overhead-1.dat' index 0 using 1:($2*1e-9) with linespoints lw 2 lc rgb "#1f77b4" pt 1 title 'cmheap-carveout, sync, clean buffer (n=200)', \
	'data/exporter-overhead-1.dat' index 1 using 1:($2*1e-9) with linespoints lw 2 lc rgb "#d62728" pt 2 title 'cmheap-system, sync, clean buffer (n=200)', \
	'data/exporter-overhead-1.dat' index 0 using 1:($2*1e-9):4 with labels offset 0,0.6 font ",7" tc rgb "#1f77b4" notitle, \
	'data/exporter-overhead-1.dat' index 1 using 1:($2*1e-9):4 with labels offset 0,0.6 font ",7" tc rgb "#d62728" notitle, \
	0 with lines dt 2 lc rgb "#808080" notitle
set title 'map, non-coherent device'
plot 'data/exporter-overhead-2.dat' index 0 using 1:($2*1e-9) with linespoints lw 2 lc rgb "#1f77b4" pt 1 title 'cmheap-carveout, skip-sync, clean buffer (n=200)', \
	'data/exporter-overhead-2.dat' index 1 using 1:($2*1e-9) with linespoints lw 2 lc rgb "#d62728" pt 2 title 'cmheap-system, skip-sync, clean buffer (n=200)', \
	'data/exporter-overhead-2.dat' index 2 using 1:($2*1e-9) with linespoints lw 2 lc rgb "#2ca02c" pt 3 title 'cmheap-system-uncached, always skip-sync, clean buffer (n=200)', \
	'data/exporter-overhead-2.dat' index 0 using 1:($2*1e-9):4 with labels offset 0,0.6 font ",7" tc rgb "#1f77b4" notitle, \
	'data/exporter-overhead-2.dat' index 1 using 1:($2*1e-9):4 with labels offset 0,0.6 font ",7" tc rgb "#d62728" notitle, \
	'data/exporter-overhead-2.dat' index 2 using 1:($2*1e-9):4 with labels offset 0,0.6 font ",7" tc rgb "#2ca02c" notitle, \
	0 with lines dt 2 lc rgb "#808080" notitle
set title 'unmap, coherent device'
plot 'data/exporter-overhead-3.dat' index 0 using 1:($2*1e-9) with linespoints lw 2 lc rgb "#1f77b4" pt 1 title 'cmheap-carveout, sync, clean buffer (n=200)', \
	'data/exporter-overhead-3.dat' index 1 using 1:($2*1e-9) with linespoints lw 2 lc rgb "#d62728" pt 2 title 'cmheap-system, sync, clean buffer (n=200)', \
	'data/exporter-overhead-3.dat' index 0 using 1:($2*1e-9):4 with labels offset 0,0.6 font ",7" tc rgb "#1f77b4" notitle, \
	'data/exporter-overhead-3.dat' index 1 using 1:($2*1e-9):4 with labels offset 0,0.6 font ",7" tc rgb "#d62728" notitle, \
	0 with lines dt 2 lc rgb "#808080" notitle
set title 'unmap, non-coherent device'
plot 'data/exporter-overhead-4.dat' index 0 using 1:($2*1e-9) with linespoints lw 2 lc rgb "#1f77b4" pt 1 title 'cmheap-carveout, skip-sync, clean buffer (n=200)', \
	'data/exporter-overhead-4.dat' index 1 using 1:($2*1e-9) with linespoints lw 2 lc rgb "#d62728" pt 2 title 'cmheap-system, skip-sync, clean buffer (n=200)', \
	'data/exporter-overhead-4.dat' index 2 using 1:($2*1e-9) with linespoints lw 2 lc rgb "#2ca02c" pt 3 title 'cmheap-system-uncached, always skip-sync, clean buffer (n=200)', \
	'data/exporter-overhead-4.dat' index 0 using 1:($2*1e-9):4 with labels offset 0,0.6 font ",7" tc rgb "#1f77b4" notitle, \
	'data/exporter-overhead-4.dat' index 1 using 1:($2*1e-9):4 with labels offset 0,0.6 font ",7" tc rgb "#d62728" notitle, \
	'data/exporter-overhead-4.dat' index 2 using 1:($2*1e-9):4 with labels offset 0,0.6 font ",7" tc rgb "#2ca02c" notitle, \
	0 with lines dt 2 lc rgb "#808080" notitle
unset multiplot
set output
