# lines.gp: one figure of line charts, one panel per data file.
#
# Loaded by scripts/plot.sh after it has set:
#   outfile, termtype ("pngcairo" | "png" | "svg"), figtitle, xlabel, ylabel
#   logx, logy (0 | 1), xbytes (1: x is a size in bytes, binary prefixes)
#   ysi (1: y ticks with SI prefixes), yone (1: draw a y = 1 reference line)
#   np (panels), arrays pfile[np] (data files: one block per series, first
#   line of each block its title), ptitle[np], pn[np] (series per panel)

cols = (np <= 1) ? 1 : 2
rows = (np + cols - 1) / cols
pw = (np <= 1) ? 900 : 640
ph = 430

set encoding utf8
if (termtype eq "svg") {
	set terminal svg size cols * pw, rows * ph + 40 dynamic noenhanced font "sans,11" background rgb "white"
} else {
	if (termtype eq "pngcairo") {
		set terminal pngcairo size cols * pw, rows * ph + 40 noenhanced font "sans,10"
	} else {
		set terminal png size cols * pw, rows * ph + 40 noenhanced
	}
}
set output outfile

set grid xtics ytics mxtics mytics lc rgb "#e0e0e0" lw 1, lc rgb "#f0f0f0" lw 1
set key top left box opaque samplen 2 font ",9"
set xlabel xlabel
set ylabel ylabel
if (logx) { set logscale x 2 } else { unset logscale x }
if (logy) { set logscale y 10 } else { unset logscale y }
if (xbytes) { set format x "%.0b%B" } else { set format x "%g" }
if (ysi) { set format y "%.0s%c" } else { set format y "%g" }
set pointsize 0.8
set style data linespoints

set multiplot layout rows, cols title figtitle font ",12"
do for [p = 1:np] {
	set title ptitle[p]
	n = pn[p]
	if (yone) {
		plot for [i = 0:n - 1] pfile[p] index i using 1:2 title columnheader(1) lw 2, \
			1 with lines dt 2 lc rgb "#808080" notitle
	} else {
		plot for [i = 0:n - 1] pfile[p] index i using 1:2 title columnheader(1) lw 2
	}
}
unset multiplot
set output
