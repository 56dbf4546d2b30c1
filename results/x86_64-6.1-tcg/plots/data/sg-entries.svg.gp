# written by cmbench (scripts/cmbench/gnuplot.py)
set encoding utf8
set micro
set terminal svg size 900, 590 dynamic noenhanced font "sans,11" background rgb "white"
set output 'sg-entries.svg'
set grid xtics ytics mxtics mytics lc rgb "#e0e0e0" lw 1, lc rgb "#f0f0f0" lw 1
set key below left box samplen 2 font ",8" maxrows 6 height 1
set xlabel 'scatterlist entries (max_order sweep)' offset 0,0.3
set ylabel 'p50 latency'
set logscale x 2
set logscale y 10
set format x "%g"
set format y "%.0s %cs"
set pointsize 0.8
set xtics autofreq
set multiplot layout 1, 1 title "map and unmap latency vs scatterlist entries at 10 MiB (clean buffers)\n6.1.0-56-amd64 x86_64, QEMU TCG (emulated)" font ",12"
set title 'coherent device'
plot 'data/sg-entries-1.dat' index 0 using 1:($2*1e-9) with linespoints lw 2 lc rgb "#1f77b4" pt 1 title 'cmheap-system, map, sync, clean buffer (n=200)', \
	'data/sg-entries-1.dat' index 1 using 1:($2*1e-9) with linespoints lw 2 lc rgb "#d62728" pt 2 title 'cmheap-system, unmap, sync, clean buffer (n=200)', \
	'data/sg-entries-1.dat' index 2 using 1:($2*1e-9) with linespoints lw 2 lc rgb "#2ca02c" pt 3 title 'cmheap-system-uncached, map, always skip-sync, clean buffer (n=200)', \
	'data/sg-entries-1.dat' index 3 using 1:($2*1e-9) with linespoints lw 2 lc rgb "#9467bd" pt 4 title 'cmheap-system-uncached, unmap, always skip-sync, clean buffer (n=200)'
unset multiplot
set output
