outfile = '/work/main/results/arm64-6.12-tcg/plots/dma-sync-latency.svg'
termtype = 'svg'
figtitle = 'sync latency vs size per DMA route (edu device) — 6.12.117+deb12-arm64 aarch64, QEMU TCG (emulated)'
xlabel = 'buffer size (bytes)'
ylabel = 'p50 latency (ns)'
logx = 1; logy = 1; xbytes = 1; ysi = 1; yone = 0
np = 4
array pfile[4] = ['/work/main/results/arm64-6.12-tcg/plots/data/dma-sync-latency-1.dat', '/work/main/results/arm64-6.12-tcg/plots/data/dma-sync-latency-2.dat', '/work/main/results/arm64-6.12-tcg/plots/data/dma-sync-latency-3.dat', '/work/main/results/arm64-6.12-tcg/plots/data/dma-sync-latency-4.dat']
array ptitle[4] = ['cmheap-carveout', 'cmheap-system', 'cmheap-system-uncached', 'udmabuf']
array pn[4] = [6, 6, 4, 6]
load '/work/main/scripts/plots/lines.gp'
