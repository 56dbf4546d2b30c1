# written by cmbench (scripts/cmbench/gnuplot.py)
set encoding utf8
set micro
set terminal svg size 1280, 590 dynamic noenhanced font "sans,11" background rgb "white"
set output 'pool-alloc.svg'
set grid xtics ytics mxtics mytics lc rgb "#e0e0e0" lw 1, lc rgb "#f0f0f0" lw 1
set key below left box samplen 2 font ",8" maxrows 6 height 1
set xlabel 'buffer size (bytes)' offset 0,0.3
set ylabel 'p50 latency'
set logscale x 2
set logscale y 10
set format x "%.0b%B"
set format y "%.0s %cs"
set pointsize 0.8
set xtics autofreq
set multiplot layout 1, 2 title "allocation with page pools on and off (this kernel has no upstream system heap)\n6.12.118+deb12-arm64 aarch64, QEMU TCG (emulated)" font ",12"
set title 'alloc alone'
plot 'data/pool-alloc-1.dat' index 0 using 1:($2*1e-9) with linespoints lw 2 lc rgb "#1f77b4" pt 1 title 'cmheap-system, pools off (n=5–75)', \
	'data/pool-alloc-1.dat' index 1 using 1:($2*1e-9) with linespoints lw 2 lc rgb "#d62728" pt 2 title 'cmheap-system, pools on (n=5–61)', \
	'data/pool-alloc-1.dat' index 2 using 1:($2*1e-9) with linespoints lw 2 lc rgb "#2ca02c" pt 3 title 'cmheap-system-uncached, pools off (n=5–77)', \
	'data/pool-alloc-1.dat' index 3 using 1:($2*1e-9) with linespoints lw 2 lc rgb "#9467bd" pt 4 title 'cmheap-system-uncached, pools on (n=5–61)', \
	'data/pool-alloc-1.dat' index 0 using 1:($3 < 10 ? ($2*1e-9) : 1/0) with points pt 6 ps 2 lc rgb "black" title 'fewer than 10 samples', \
	'data/pool-alloc-1.dat' index 1 using 1:($3 < 10 ? ($2*1e-9) : 1/0) with points pt 6 ps 2 lc rgb "black" notitle, \
	'data/pool-alloc-1.dat' index 2 using 1:($3 < 10 ? ($2*1e-9) : 1/0) with points pt 6 ps 2 lc rgb "black" notitle, \
	'data/pool-alloc-1.dat' index 3 using 1:($3 < 10 ? ($2*1e-9) : 1/0) with points pt 6 ps 2 lc rgb "black" notitle
set title 'alloc+free (warm)'
plot 'data/pool-alloc-2.dat' index 0 using 1:($2*1e-9) with linespoints lw 2 lc rgb "#1f77b4" pt 1 title 'cmheap-system, pools off (n=5–200)', \
	'data/pool-alloc-2.dat' index 1 using 1:($2*1e-9) with linespoints lw 2 lc rgb "#d62728" pt 2 title 'cmheap-system, pools on (n=13–200)', \
	'data/pool-alloc-2.dat' index 2 using 1:($2*1e-9) with linespoints lw 2 lc rgb "#2ca02c" pt 3 title 'cmheap-system-uncached, pools off (n=5–200)', \
	'data/pool-alloc-2.dat' index 3 using 1:($2*1e-9) with linespoints lw 2 lc rgb "#9467bd" pt 4 title 'cmheap-system-uncached, pools on (n=5–200)', \
	'data/pool-alloc-2.dat' index 0 using 1:($3 < 10 ? ($2*1e-9) : 1/0) with points pt 6 ps 2 lc rgb "black" title 'fewer than 10 samples', \
	'data/pool-alloc-2.dat' index 2 using 1:($3 < 10 ? ($2*1e-9) : 1/0) with points pt 6 ps 2 lc rgb "black" notitle, \
	'data/pool-alloc-2.dat' index 3 using 1:($3 < 10 ? ($2*1e-9) : 1/0) with points pt 6 ps 2 lc rgb "black" notitle
unset multiplot
set output
