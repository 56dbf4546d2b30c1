outfile = '/work/main/results/arm64-6.1-tcg/plots/sg-entries.svg'
termtype = 'svg'
figtitle = 'map and unmap latency vs sg entries at 10 MiB — 6.1.0-56-arm64 aarch64, QEMU TCG (emulated)'
xlabel = 'scatterlist entries (max_order sweep)'
ylabel = 'p50 latency (ns)'
logx = 1; logy = 1; xbytes = 0; ysi = 1; yone = 0
np = 2
array pfile[2] = ['/work/main/results/arm64-6.1-tcg/plots/data/sg-entries-1.dat', '/work/main/results/arm64-6.1-tcg/plots/data/sg-entries-2.dat']
array ptitle[2] = ['coherent device', 'non-coherent device']
array pn[2] = [4, 4]
load '/work/main/scripts/plots/lines.gp'
