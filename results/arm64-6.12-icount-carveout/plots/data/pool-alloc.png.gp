# written by cmbench (scripts/cmbench/gnuplot.py)
set encoding utf8
set micro
set terminal pngcairo size 900, 590 noenhanced font "sans,10"
set output 'pool-alloc.png'
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
set multiplot layout 1, 1 title "allocation with page pools on and off (this kernel has no upstream system heap)\n6.12.117+deb12-arm64 aarch64, QEMU TCG -icount (emulated, deterministic)" font ",12"
set title 'alloc+free (warm)'
plot 'data/pool-alloc-1.dat' index 0 using 1:2 with linespoints lw 2 lc rgb "#1f77b4" pt 1 title 'cmheap-system, no pools (n=21)', \
	'data/pool-alloc-1.dat' index 1 using 1:2 with linespoints lw 2 lc rgb "#d62728" pt 2 title 'cmheap-system-uncached, no pools (n=21)'
unset multiplot
set output
