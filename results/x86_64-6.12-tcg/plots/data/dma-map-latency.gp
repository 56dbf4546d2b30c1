outfile = '/work/main/results/x86_64-6.12-tcg/plots/dma-map-latency.svg'
termtype = 'svg'
figtitle = 'map and unmap latency vs size per DMA route (edu device) — 6.12.117+deb12-amd64 x86_64, QEMU TCG (emulated)'
xlabel = 'buffer size (bytes)'
ylabel = 'p50 latency (ns)'
logx = 1; logy = 1; xbytes = 1; ysi = 1; yone = 0
np = 6
array pfile[6] = ['/work/main/results/x86_64-6.12-tcg/plots/data/dma-map-latency-1.dat', '/work/main/results/x86_64-6.12-tcg/plots/data/dma-map-latency-2.dat', '/work/main/results/x86_64-6.12-tcg/plots/data/dma-map-latency-3.dat', '/work/main/results/x86_64-6.12-tcg/plots/data/dma-map-latency-4.dat', '/work/main/results/x86_64-6.12-tcg/plots/data/dma-map-latency-5.dat', '/work/main/results/x86_64-6.12-tcg/plots/data/dma-map-latency-6.dat']
array ptitle[6] = ['cmheap-carveout', 'cmheap-carveout-uncached', 'cmheap-system', 'cmheap-system-uncached', 'system', 'udmabuf']
array pn[6] = [6, 6, 6, 4, 6, 6]
load '/work/main/scripts/plots/lines.gp'
