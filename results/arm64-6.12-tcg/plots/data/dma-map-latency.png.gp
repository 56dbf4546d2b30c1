# written by cmbench (scripts/cmbench/gnuplot.py)
set encoding utf8
set micro
set terminal pngcairo size 1280, 1110 noenhanced font "sans,10"
set output 'dma-map-latency.png'
set grid xtics ytics mxtics mytics lc rgb "#e0e0e0" lw 1, lc rgb "#f0f0f0" lw 1
set key below left box samplen 2 font ",8" maxrows 6 height 1
set xlabel 'buffer size (bytes)' offset 0,0.3
set ylabel 'added per call'
set logscale x 2
set logscale y 10
set format x "%.0b%B"
set format y "%.0s %cs"
set pointsize 0.8
set xtics autofreq
set multiplot layout 2, 2 title "what each DMA route adds to map and unmap vs size (route − direct, edu device)\n6.12.118+deb12-arm64 aarch64, QEMU TCG (emulated)" font ",12"
set title 'cmheap-carveout'
plot 'data/dma-map-latency-1.dat' index 0 using 1:($2*1e-9) with linespoints lw 2 lc rgb "#1f77b4" pt 1 title 'map, bounced (swiotlb), clean buffer (n=5–200)', \
	'data/dma-map-latency-1.dat' index 1 using 1:($2*1e-9) with linespoints lw 2 lc rgb "#d62728" pt 2 title 'map, through the IOMMU, clean buffer (n=200)', \
	'data/dma-map-latency-1.dat' index 2 using 1:($2*1e-9) with linespoints lw 2 lc rgb "#2ca02c" pt 3 title 'unmap, bounced (swiotlb), clean buffer (n=5–200)', \
	'data/dma-map-latency-1.dat' index 3 using 1:($2*1e-9) with linespoints lw 2 lc rgb "#9467bd" pt 4 title 'unmap, through the IOMMU, clean buffer (n=200)', \
	'data/dma-map-latency-1.dat' index 0 using 1:($3 < 10 ? ($2*1e-9) : 1/0) with points pt 6 ps 2 lc rgb "black" title 'fewer than 10 samples', \
	'data/dma-map-latency-1.dat' index 2 using 1:($3 < 10 ? ($2*1e-9) : 1/0) with points pt 6 ps 2 lc rgb "black" notitle
set title 'cmheap-carveout-uncached'
plot 'data/dma-map-latency-2.dat' index 0 using 1:($2*1e-9) with linespoints lw 2 lc rgb "#1f77b4" pt 1 title 'map, through the IOMMU, clean buffer (n=200)', \
	'data/dma-map-latency-2.dat' index 1 using 1:($2*1e-9) with linespoints lw 2 lc rgb "#d62728" pt 2 title 'unmap, through the IOMMU, clean buffer (n=200)'
set title 'cmheap-system'
plot 'data/dma-map-latency-3.dat' index 0 using 1:($2*1e-9) with linespoints lw 2 lc rgb "#1f77b4" pt 1 title 'map, bounced (swiotlb), clean buffer (n=5–200)', \
	'data/dma-map-latency-3.dat' index 1 using 1:($2*1e-9) with linespoints lw 2 lc rgb "#d62728" pt 2 title 'map, through the IOMMU, clean buffer (n=200)', \
	'data/dma-map-latency-3.dat' index 2 using 1:($2*1e-9) with linespoints lw 2 lc rgb "#2ca02c" pt 3 title 'unmap, bounced (swiotlb), clean buffer (n=5–200)', \
	'data/dma-map-latency-3.dat' index 3 using 1:($2*1e-9) with linespoints lw 2 lc rgb "#9467bd" pt 4 title 'unmap, through the IOMMU, clean buffer (n=200)', \
	'data/dma-map-latency-3.dat' index 0 using 1:($3 < 10 ? ($2*1e-9) : 1/0) with points pt 6 ps 2 lc rgb "black" title 'fewer than 10 samples', \
	'data/dma-map-latency-3.dat' index 2 using 1:($3 < 10 ? ($2*1e-9) : 1/0) with points pt 6 ps 2 lc rgb "black" notitle
unset multiplot
set output
