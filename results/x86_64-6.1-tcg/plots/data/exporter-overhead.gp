outfile = '/work/main/results/x86_64-6.1-tcg/plots/exporter-overhead.svg'
termtype = 'svg'
figtitle = 'exporter overhead vs size (p50 exporter path / p50 raw DMA API) — 6.1.0-56-amd64 x86_64, QEMU TCG (emulated)'
xlabel = 'buffer size (bytes)'
ylabel = 'p50 exporter path / p50 raw dma_map_sgtable'
logx = 1; logy = 1; xbytes = 1; ysi = 0; yone = 1
np = 2
array pfile[2] = ['/work/main/results/x86_64-6.1-tcg/plots/data/exporter-overhead-1.dat', '/work/main/results/x86_64-6.1-tcg/plots/data/exporter-overhead-2.dat']
array ptitle[2] = ['map', 'unmap']
array pn[2] = [2, 2]
load '/work/main/scripts/plots/lines.gp'
