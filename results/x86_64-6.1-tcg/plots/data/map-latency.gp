outfile = '/work/main/results/x86_64-6.1-tcg/plots/map-latency.svg'
termtype = 'svg'
figtitle = 'map and unmap latency vs size — 6.1.0-56-amd64 x86_64, QEMU TCG (emulated)'
xlabel = 'buffer size (bytes)'
ylabel = 'p50 latency (ns)'
logx = 1; logy = 1; xbytes = 1; ysi = 1; yone = 0
np = 2
array pfile[2] = ['/work/main/results/x86_64-6.1-tcg/plots/data/map-latency-1.dat', '/work/main/results/x86_64-6.1-tcg/plots/data/map-latency-2.dat']
array ptitle[2] = ['map, coherent device', 'unmap, coherent device']
array pn[2] = [2, 2]
load '/work/main/scripts/plots/lines.gp'
