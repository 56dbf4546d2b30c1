# written by cmbench (scripts/cmbench/gnuplot.py)
set encoding utf8
set micro
set terminal svg size 1280, 590 dynamic noenhanced font "sans,11" background rgb "white"
set output 'dma-sg-entries.svg'
set grid xtics ytics mxtics mytics lc rgb "#e0e0e0" lw 1, lc rgb "#f0f0f0" lw 1
set key below left box samplen 2 font ",8" maxrows 6 height 1
set xlabel 'scatterlist entries (max_order sweep)' offset 0,0.3
set ylabel 'added per call (instructions: 1 guest ns = 1 instruction)'
set logscale x 2
set logscale y 10
set format x "%g"
set format y "%.0s%c"
set pointsize 0.8
set xtics autofreq
set multiplot layout 1, 2 title "what each DMA route adds to map and unmap vs scatterlist entries at 10 MiB (route − direct, edu device)\n6.12.118+deb12-amd64 x86_64, QEMU TCG -icount (emulated, deterministic)" font ",12"
set title 'map'
plot 'data/dma-sg-entries-1.dat' index 0 using 1:2 with linespoints lw 2 lc rgb "#1f77b4" pt 1 title 'cmheap-system, bounced (swiotlb), clean buffer (n=19–31)', \
	'data/dma-sg-entries-1.dat' index 1 using 1:2 with linespoints lw 2 lc rgb "#d62728" pt 2 title 'cmheap-system, through the IOMMU, clean buffer (n=200)', \
	'data/dma-sg-entries-1.dat' index 2 using 1:2 with linespoints lw 2 lc rgb "#2ca02c" pt 3 title 'cmheap-system-uncached, through the IOMMU, clean buffer (n=200)'
set title 'unmap'
plot 'data/dma-sg-entries-2.dat' index 0 using 1:2 with linespoints lw 2 lc rgb "#1f77b4" pt 1 title 'cmheap-system, bounced (swiotlb), clean buffer (n=19–31)'
unset multiplot
set output
