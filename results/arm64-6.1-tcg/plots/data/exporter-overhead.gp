outfile = '/work/main/results/arm64-6.1-tcg/plots/exporter-overhead.svg'
termtype = 'svg'
figtitle = 'exporter overhead vs size (p50 exporter path / p50 raw DMA API) — 6.1.0-56-arm64 aarch64, QEMU TCG (emulated)'
xlabel = 'buffer size (bytes)'
ylabel = 'p50 exporter path / p50 raw dma_map_sgtable'
logx = 1; logy = 1; xbytes = 1; ysi = 0; yone = 1
np = 2
array pfile[2] = ['/work/main/results/arm64-6.1-tcg/plots/data/exporter-overhead-1.dat', '/work/main/results/arm64-6.1-tcg/plots/data/exporter-overhead-2.dat']
array ptitle[2] = ['map', 'unmap']
array pn[2] = [4, 4]
load '/work/main/scripts/plots/lines.gp'
