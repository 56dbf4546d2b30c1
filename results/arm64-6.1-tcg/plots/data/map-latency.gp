outfile = '/work/main/results/arm64-6.1-tcg/plots/map-latency.svg'
termtype = 'svg'
figtitle = 'map and unmap latency vs size — 6.1.0-56-arm64 aarch64, QEMU TCG (emulated)'
xlabel = 'buffer size (bytes)'
ylabel = 'p50 latency (ns)'
logx = 1; logy = 1; xbytes = 1; ysi = 1; yone = 0
np = 4
array pfile[4] = ['/work/main/results/arm64-6.1-tcg/plots/data/map-latency-1.dat', '/work/main/results/arm64-6.1-tcg/plots/data/map-latency-2.dat', '/work/main/results/arm64-6.1-tcg/plots/data/map-latency-3.dat', '/work/main/results/arm64-6.1-tcg/plots/data/map-latency-4.dat']
array ptitle[4] = ['map, coherent device', 'map, non-coherent device', 'unmap, coherent device', 'unmap, non-coherent device']
array pn[4] = [2, 3, 2, 3]
load '/work/main/scripts/plots/lines.gp'
