outfile = '/work/main/results/x86_64-6.12-tcg/plots/dma-sync-latency.svg'
termtype = 'svg'
figtitle = 'sync latency vs size per DMA route (edu device) — 6.12.117+deb12-amd64 x86_64, QEMU TCG (emulated)'
xlabel = 'buffer size (bytes)'
ylabel = 'p50 latency (ns)'
logx = 1; logy = 1; xbytes = 1; ysi = 1; yone = 0
np = 5
array pfile[5] = ['/work/main/results/x86_64-6.12-tcg/plots/data/dma-sync-latency-1.dat', '/work/main/results/x86_64-6.12-tcg/plots/data/dma-sync-latency-2.dat', '/work/main/results/x86_64-6.12-tcg/plots/data/dma-sync-latency-3.dat', '/work/main/results/x86_64-6.12-tcg/plots/data/dma-sync-latency-4.dat', '/work/main/results/x86_64-6.12-tcg/plots/data/dma-sync-latency-5.dat']
array ptitle[5] = ['cmheap-carveout', 'cmheap-system', 'cmheap-system-uncached', 'system', 'udmabuf']
array pn[5] = [6, 6, 4, 6, 6]
load '/work/main/scripts/plots/lines.gp'
