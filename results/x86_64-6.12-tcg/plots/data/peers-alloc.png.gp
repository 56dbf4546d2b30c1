# written by cmbench (scripts/cmbench/gnuplot.py)
set encoding utf8
set micro
set terminal pngcairo size 1280, 1110 noenhanced font "sans,10"
set output 'peers-alloc.png'
set grid xtics ytics mxtics mytics lc rgb "#e0e0e0" lw 1, lc rgb "#f0f0f0" lw 1
set key below left box samplen 2 font ",8" maxrows 6 height 1
set xlabel 'buffer size (bytes)' offset 0,0.3
set ylabel 'p50 latency (ns; cold: its one sample)'
set logscale x 2
set logscale y 10
set format x "%.0b%B"
set format y "%.0s%c"
set pointsize 0.8
set xtics autofreq
set multiplot layout 2, 2 title "alloc+free and mmap+touch vs the peers (page pools off)\n6.12.118+deb12-amd64 x86_64, QEMU TCG (emulated)" font ",12"
set title 'alloc+free (cold, first allocation)'
plot 'data/peers-alloc-1.dat' index 0 using 1:2 with linespoints lw 2 lc rgb "#1f77b4" pt 1 title 'cmheap-carveout (n=1)', \
	'data/peers-alloc-1.dat' index 1 using 1:2 with linespoints lw 2 lc rgb "#d62728" pt 2 title 'cmheap-carveout-uncached (n=1)', \
	'data/peers-alloc-1.dat' index 2 using 1:2 with linespoints lw 2 lc rgb "#2ca02c" pt 3 title 'cmheap-system (n=1)', \
	'data/peers-alloc-1.dat' index 3 using 1:2 with linespoints lw 2 lc rgb "#9467bd" pt 4 title 'cmheap-system-uncached (n=1)', \
	'data/peers-alloc-1.dat' index 4 using 1:2 with linespoints lw 2 lc rgb "#ff7f0e" pt 5 title 'system (n=1)', \
	'data/peers-alloc-1.dat' index 5 using 1:2 with linespoints lw 2 lc rgb "#8c564b" pt 6 title 'udmabuf (n=1)', \
	'data/peers-alloc-1.dat' index 0 using 1:($3 < 10 ? $2 : 1/0) with points pt 6 ps 2 lc rgb "black" title 'fewer than 10 samples', \
	'data/peers-alloc-1.dat' index 1 using 1:($3 < 10 ? $2 : 1/0) with points pt 6 ps 2 lc rgb "black" notitle, \
	'data/peers-alloc-1.dat' index 2 using 1:($3 < 10 ? $2 : 1/0) with points pt 6 ps 2 lc rgb "black" notitle, \
	'data/peers-alloc-1.dat' index 3 using 1:($3 < 10 ? $2 : 1/0) with points pt 6 ps 2 lc rgb "black" notitle, \
	'data/peers-alloc-1.dat' index 4 using 1:($3 < 10 ? $2 : 1/0) with points pt 6 ps 2 lc rgb "black" notitle, \
	'data/peers-alloc-1.dat' index 5 using 1:($3 < 10 ? $2 : 1/0) with points pt 6 ps 2 lc rgb "black" notitle
set title 'alloc+free (warm)'
plot 'data/peers-alloc-2.dat' index 0 using 1:2 with linespoints lw 2 lc rgb "#1f77b4" pt 1 title 'cmheap-carveout (n=5–200)', \
	'data/peers-alloc-2.dat' index 1 using 1:2 with linespoints lw 2 lc rgb "#d62728" pt 2 title 'cmheap-carveout-uncached (n=5–200)', \
	'data/peers-alloc-2.dat' index 2 using 1:2 with linespoints lw 2 lc rgb "#2ca02c" pt 3 title 'cmheap-system (n=5–200)', \
	'data/peers-alloc-2.dat' index 3 using 1:2 with linespoints lw 2 lc rgb "#9467bd" pt 4 title 'cmheap-system-uncached (n=5–200)', \
	'data/peers-alloc-2.dat' index 4 using 1:2 with linespoints lw 2 lc rgb "#ff7f0e" pt 5 title 'system (n=5–200)', \
	'data/peers-alloc-2.dat' index 5 using 1:2 with linespoints lw 2 lc rgb "#8c564b" pt 6 title 'udmabuf (n=5–200)', \
	'data/peers-alloc-2.dat' index 0 using 1:($3 < 10 ? $2 : 1/0) with points pt 6 ps 2 lc rgb "black" title 'fewer than 10 samples', \
	'data/peers-alloc-2.dat' index 1 using 1:($3 < 10 ? $2 : 1/0) with points pt 6 ps 2 lc rgb "black" notitle, \
	'data/peers-alloc-2.dat' index 2 using 1:($3 < 10 ? $2 : 1/0) with points pt 6 ps 2 lc rgb "black" notitle, \
	'data/peers-alloc-2.dat' index 3 using 1:($3 < 10 ? $2 : 1/0) with points pt 6 ps 2 lc rgb "black" notitle, \
	'data/peers-alloc-2.dat' index 4 using 1:($3 < 10 ? $2 : 1/0) with points pt 6 ps 2 lc rgb "black" notitle, \
	'data/peers-alloc-2.dat' index 5 using 1:($3 < 10 ? $2 : 1/0) with points pt 6 ps 2 lc rgb "black" notitle
set title 'mmap+touch'
plot 'data/peers-alloc-3.dat' index 0 using 1:2 with linespoints lw 2 lc rgb "#1f77b4" pt 1 title 'cmheap-carveout (n=34–200)', \
	'data/peers-alloc-3.dat' index 1 using 1:2 with linespoints lw 2 lc rgb "#d62728" pt 2 title 'cmheap-carveout-uncached (n=33–200)', \
	'data/peers-alloc-3.dat' index 2 using 1:2 with linespoints lw 2 lc rgb "#2ca02c" pt 3 title 'cmheap-system (n=14–200)', \
	'data/peers-alloc-3.dat' index 3 using 1:2 with linespoints lw 2 lc rgb "#9467bd" pt 4 title 'cmheap-system-uncached (n=14–200)', \
	'data/peers-alloc-3.dat' index 4 using 1:2 with linespoints lw 2 lc rgb "#ff7f0e" pt 5 title 'system (n=5–200)', \
	'data/peers-alloc-3.dat' index 5 using 1:2 with linespoints lw 2 lc rgb "#8c564b" pt 6 title 'udmabuf (n=5–200)', \
	'data/peers-alloc-3.dat' index 4 using 1:($3 < 10 ? $2 : 1/0) with points pt 6 ps 2 lc rgb "black" title 'fewer than 10 samples', \
	'data/peers-alloc-3.dat' index 5 using 1:($3 < 10 ? $2 : 1/0) with points pt 6 ps 2 lc rgb "black" notitle
unset multiplot
set output
