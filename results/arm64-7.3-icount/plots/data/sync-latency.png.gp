# written by cmbench (scripts/cmbench/gnuplot.py)
set encoding utf8
set micro
set terminal pngcairo size 1280, 1110 noenhanced font "sans,10"
set output 'sync-latency.png'
set grid xtics ytics mxtics mytics lc rgb "#e0e0e0" lw 1, lc rgb "#f0f0f0" lw 1
set key below left box samplen 2 font ",8" maxrows 6 height 1
set xlabel 'buffer size (bytes)' offset 0,0.3
set ylabel 'p50 latency (instructions: 1 guest ns = 1 instruction)'
set logscale x 2
set logscale y 10
set format x "%.0b%B"
set format y "%.0s%c"
set pointsize 0.8
set xtics autofreq
set multiplot layout 2, 2 title "CPU/device sync latency vs size\n7.3.4+deb13-arm64 aarch64, QEMU TCG -icount (emulated, deterministic)" font ",12"
set title 'DMA_BUF_IOCTL_SYNC'
plot 'data/sync-latency-1.dat' index 0 using 1:2 with linespoints lw 2 lc rgb "#1f77b4" pt 1 title 'cmheap-carveout, non-coherent device, clean buffer (n=9–200)', \
	'data/sync-latency-1.dat' index 1 using 1:2 with linespoints lw 2 lc rgb "#d62728" pt 2 title 'cmheap-carveout-uncached, non-coherent device, clean buffer (n=200)', \
	'data/sync-latency-1.dat' index 2 using 1:2 with linespoints lw 2 lc rgb "#2ca02c" pt 3 title 'cmheap-system, non-coherent device, clean buffer (n=9–200)', \
	'data/sync-latency-1.dat' index 3 using 1:2 with linespoints lw 2 lc rgb "#9467bd" pt 4 title 'cmheap-system-uncached, non-coherent device, clean buffer (n=200)', \
	'data/sync-latency-1.dat' index 4 using 1:2 with linespoints lw 2 lc rgb "#ff7f0e" pt 5 title 'udmabuf, udmabuf''s own device (non-coherent), clean buffer (n=9–200)', \
	'data/sync-latency-1.dat' index 0 using 1:($3 < 10 ? $2 : 1/0) with points pt 6 ps 2 lc rgb "black" title 'fewer than 10 samples', \
	'data/sync-latency-1.dat' index 2 using 1:($3 < 10 ? $2 : 1/0) with points pt 6 ps 2 lc rgb "black" notitle, \
	'data/sync-latency-1.dat' index 4 using 1:($3 < 10 ? $2 : 1/0) with points pt 6 ps 2 lc rgb "black" notitle
set title 'sync for CPU'
plot 'data/sync-latency-2.dat' index 0 using 1:2 with linespoints lw 2 lc rgb "#1f77b4" pt 1 title 'cmheap-carveout, non-coherent device, clean buffer (n=6–200)', \
	'data/sync-latency-2.dat' index 1 using 1:2 with linespoints lw 2 lc rgb "#d62728" pt 2 title 'cmheap-system, non-coherent device, clean buffer (n=6–200)', \
	'data/sync-latency-2.dat' index 2 using 1:2 with linespoints lw 2 lc rgb "#2ca02c" pt 3 title 'cmheap-system-uncached, non-coherent device, clean buffer (n=18–200)', \
	'data/sync-latency-2.dat' index 3 using 1:2 with linespoints lw 2 lc rgb "#9467bd" pt 4 title 'udmabuf, non-coherent device, clean buffer (n=14–200)', \
	'data/sync-latency-2.dat' index 0 using 1:($3 < 10 ? $2 : 1/0) with points pt 6 ps 2 lc rgb "black" title 'fewer than 10 samples', \
	'data/sync-latency-2.dat' index 1 using 1:($3 < 10 ? $2 : 1/0) with points pt 6 ps 2 lc rgb "black" notitle
set title 'sync for device'
plot 'data/sync-latency-3.dat' index 0 using 1:2 with linespoints lw 2 lc rgb "#1f77b4" pt 1 title 'cmheap-carveout, non-coherent device, clean buffer (n=6–200)', \
	'data/sync-latency-3.dat' index 1 using 1:2 with linespoints lw 2 lc rgb "#d62728" pt 2 title 'cmheap-system, non-coherent device, clean buffer (n=6–200)', \
	'data/sync-latency-3.dat' index 2 using 1:2 with linespoints lw 2 lc rgb "#2ca02c" pt 3 title 'cmheap-system-uncached, non-coherent device, clean buffer (n=18–200)', \
	'data/sync-latency-3.dat' index 3 using 1:2 with linespoints lw 2 lc rgb "#9467bd" pt 4 title 'udmabuf, non-coherent device, clean buffer (n=14–200)', \
	'data/sync-latency-3.dat' index 0 using 1:($3 < 10 ? $2 : 1/0) with points pt 6 ps 2 lc rgb "black" title 'fewer than 10 samples', \
	'data/sync-latency-3.dat' index 1 using 1:($3 < 10 ? $2 : 1/0) with points pt 6 ps 2 lc rgb "black" notitle
unset multiplot
set output
