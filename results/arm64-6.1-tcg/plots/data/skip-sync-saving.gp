outfile = '/work/main/results/arm64-6.1-tcg/plots/skip-sync-saving.svg'
termtype = 'svg'
figtitle = 'skip-sync saving vs size (p50 sync / p50 skip-sync) — 6.1.0-56-arm64 aarch64, QEMU TCG (emulated)'
xlabel = 'buffer size (bytes)'
ylabel = 'p50 with sync / p50 with DMA_ATTR_SKIP_CPU_SYNC'
logx = 1; logy = 1; xbytes = 1; ysi = 0; yone = 1
np = 2
array pfile[2] = ['/work/main/results/arm64-6.1-tcg/plots/data/skip-sync-saving-1.dat', '/work/main/results/arm64-6.1-tcg/plots/data/skip-sync-saving-2.dat']
array ptitle[2] = ['map', 'unmap']
array pn[2] = [1, 1]
load '/work/main/scripts/plots/lines.gp'
