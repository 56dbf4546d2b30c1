outfile = '/work/main/results/x86_64-6.12-tcg/plots/dma-sg-entries.svg'
termtype = 'svg'
figtitle = 'map and unmap latency vs sg entries per DMA route at 10 MiB (edu device) — 6.12.117+deb12-amd64 x86_64, QEMU TCG (emulated)'
xlabel = 'scatterlist entries (max_order sweep)'
ylabel = 'p50 latency (ns)'
logx = 1; logy = 1; xbytes = 0; ysi = 1; yone = 0
np = 2
array pfile[2] = ['/work/main/results/x86_64-6.12-tcg/plots/data/dma-sg-entries-1.dat', '/work/main/results/x86_64-6.12-tcg/plots/data/dma-sg-entries-2.dat']
array ptitle[2] = ['map', 'unmap']
array pn[2] = [5, 5]
load '/work/main/scripts/plots/lines.gp'
