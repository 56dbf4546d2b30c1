# written by cmbench (scripts/cmbench/gnuplot.py)
set encoding utf8
set micro
set terminal pngcairo size 1280, 590 noenhanced font "sans,10"
set output 'range-sync.png'
set grid xtics ytics mxtics mytics lc rgb "#e0e0e0" lw 1, lc rgb "#f0f0f0" lw 1
set key below left box samplen 2 font ",8" maxrows 6 height 1
set xlabel 'buffer size (bytes)' offset 0,0.3
set ylabel 'p50 START + END (instructions: 1 guest ns = 1 instruction)'
set logscale x 2
set logscale y 10
set format x "%.0b%B"
set format y "%.0s%c"
set pointsize 0.8
set xtics autofreq
set multiplot layout 1, 2 title "CPU-access sync of part of a buffer (CMHEAP_HEAP_IOC_SYNC_RANGE) vs DMA_BUF_IOCTL_SYNC\n6.12.117+deb12-arm64 aarch64, QEMU TCG -icount (emulated, deterministic)" font ",12"
set title 'cmheap-system, non-coherent device'
plot 'data/range-sync-1.dat' index 0 using 1:2 with linespoints lw 2 lc rgb "#1f77b4" pt 1 title 'DMA_BUF_IOCTL_SYNC, clean buffer (n=21)'
set title 'cmheap-system-uncached, non-coherent device'
plot 'data/range-sync-2.dat' index 0 using 1:2 with linespoints lw 2 lc rgb "#1f77b4" pt 1 title 'DMA_BUF_IOCTL_SYNC, clean buffer (n=21)'
unset multiplot
set output
