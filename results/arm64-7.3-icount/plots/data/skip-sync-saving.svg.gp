# written by cmbench (scripts/cmbench/gnuplot.py)
set encoding utf8
set micro
set terminal svg size 1280, 590 dynamic noenhanced font "sans,11" background rgb "white"
set output 'skip-sync-saving.svg'
set grid xtics ytics mxtics mytics lc rgb "#e0e0e0" lw 1, lc rgb "#f0f0f0" lw 1
set key below left box samplen 2 font ",8" maxrows 6 height 1
set xlabel 'buffer size (bytes)' offset 0,0.3
set ylabel 'saving per call (instructions: 1 guest ns = 1 instruction)'
set logscale x 2
set logscale y 10
set format x "%.0b%B"
set format y "%.0s%c"
set pointsize 0.8
set xtics autofreq
set multiplot layout 1, 2 title "skip-sync saving vs size (p50 with sync − p50 with DMA_ATTR_SKIP_CPU_SYNC)\n7.3.4+deb13-arm64 aarch64, QEMU TCG -icount (emulated, deterministic)" font ",12"
set title 'map'
plot 'data/skip-sync-saving-1.dat' index 0 using 1:2 with linespoints lw 2 lc rgb "#1f77b4" pt 1 title 'cmheap-carveout, non-coherent device, clean buffer (n=6–200)', \
	'data/skip-sync-saving-1.dat' index 1 using 1:2 with linespoints lw 2 lc rgb "#d62728" pt 2 title 'cmheap-system, non-coherent device, clean buffer (n=6–200)', \
	'data/skip-sync-saving-1.dat' index 0 using 1:($3 < 10 ? $2 : 1/0) with points pt 6 ps 2 lc rgb "black" title 'fewer than 10 samples', \
	'data/skip-sync-saving-1.dat' index 1 using 1:($3 < 10 ? $2 : 1/0) with points pt 6 ps 2 lc rgb "black" notitle
set title 'unmap'
plot 'data/skip-sync-saving-2.dat' index 0 using 1:2 with linespoints lw 2 lc rgb "#1f77b4" pt 1 title 'cmheap-carveout, non-coherent device, clean buffer (n=6–200)', \
	'data/skip-sync-saving-2.dat' index 1 using 1:2 with linespoints lw 2 lc rgb "#d62728" pt 2 title 'cmheap-system, non-coherent device, clean buffer (n=6–200)', \
	'data/skip-sync-saving-2.dat' index 0 using 1:($3 < 10 ? $2 : 1/0) with points pt 6 ps 2 lc rgb "black" title 'fewer than 10 samples', \
	'data/skip-sync-saving-2.dat' index 1 using 1:($3 < 10 ? $2 : 1/0) with points pt 6 ps 2 lc rgb "black" notitle
unset multiplot
set output
