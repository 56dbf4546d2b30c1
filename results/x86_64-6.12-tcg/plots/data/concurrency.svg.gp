# written by cmbench (scripts/cmbench/gnuplot.py)
set encoding utf8
set micro
set terminal svg size 1280, 1110 dynamic noenhanced font "sans,11" background rgb "white"
set output 'concurrency.svg'
set grid xtics ytics mxtics mytics lc rgb "#e0e0e0" lw 1, lc rgb "#f0f0f0" lw 1
set key below left box samplen 2 font ",8" maxrows 6 height 1
set xlabel 'threads' offset 0,0.3
set ylabel 'calls per second, all threads together'
unset logscale x
set logscale y 10
set format x "%g"
set format y "%.0s%c"
set pointsize 0.8
set xtics 1
set multiplot layout 2, 2 title "throughput vs threads (1 MiB buffers, concurrency sweep)\n6.12.118+deb12-amd64 x86_64, QEMU TCG (emulated)" font ",12"
set title 'DMA_BUF_IOCTL_SYNC'
plot 'data/concurrency-1.dat' index 0 using 1:2 with linespoints lw 2 lc rgb "#1f77b4" pt 1 title 'cmheap-system, a buffer per thread (n=200–800)', \
	'data/concurrency-1.dat' index 1 using 1:2 with linespoints lw 2 lc rgb "#d62728" pt 2 title 'cmheap-system, one buffer, all threads (n=200–800)', \
	'data/concurrency-1.dat' index 2 using 1:2 with linespoints lw 2 lc rgb "#2ca02c" pt 3 title 'system, a buffer per thread (n=200–800)', \
	'data/concurrency-1.dat' index 3 using 1:2 with linespoints lw 2 lc rgb "#9467bd" pt 4 title 'system, one buffer, all threads (n=200–800)'
set title 'alloc+free (warm)'
plot 'data/concurrency-2.dat' index 0 using 1:2 with linespoints lw 2 lc rgb "#1f77b4" pt 1 title 'cmheap-system, a buffer per thread (n=180–400)', \
	'data/concurrency-2.dat' index 1 using 1:2 with linespoints lw 2 lc rgb "#d62728" pt 2 title 'system, a buffer per thread (n=82–92)'
set title 'map'
plot 'data/concurrency-3.dat' index 0 using 1:2 with linespoints lw 2 lc rgb "#1f77b4" pt 1 title 'cmheap-system, a buffer per thread (n=200–800)', \
	'data/concurrency-3.dat' index 1 using 1:2 with linespoints lw 2 lc rgb "#d62728" pt 2 title 'cmheap-system, one buffer, all threads (n=200–800)', \
	'data/concurrency-3.dat' index 2 using 1:2 with linespoints lw 2 lc rgb "#2ca02c" pt 3 title 'system, a buffer per thread (n=200–800)', \
	'data/concurrency-3.dat' index 3 using 1:2 with linespoints lw 2 lc rgb "#9467bd" pt 4 title 'system, one buffer, all threads (n=200–800)'
set title 'unmap'
plot 'data/concurrency-4.dat' index 0 using 1:2 with linespoints lw 2 lc rgb "#1f77b4" pt 1 title 'cmheap-system, a buffer per thread (n=200–800)', \
	'data/concurrency-4.dat' index 1 using 1:2 with linespoints lw 2 lc rgb "#d62728" pt 2 title 'cmheap-system, one buffer, all threads (n=200–800)', \
	'data/concurrency-4.dat' index 2 using 1:2 with linespoints lw 2 lc rgb "#2ca02c" pt 3 title 'system, a buffer per thread (n=200–800)', \
	'data/concurrency-4.dat' index 3 using 1:2 with linespoints lw 2 lc rgb "#9467bd" pt 4 title 'system, one buffer, all threads (n=200–800)'
unset multiplot
set output
