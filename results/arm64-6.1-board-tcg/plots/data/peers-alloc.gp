outfile = 'results/arm64-6.1-board-tcg/plots/peers-alloc.svg'
termtype = 'svg'
figtitle = 'alloc+free and mmap+touch vs the peers — 6.1.0-50-arm64 aarch64, QEMU TCG (emulated)'
xlabel = 'buffer size (bytes)'
ylabel = 'p50 latency (ns)'
logx = 1; logy = 1; xbytes = 1; ysi = 1; yone = 0
np = 3
array pfile[3] = ['results/arm64-6.1-board-tcg/plots/data/peers-alloc-1.dat', 'results/arm64-6.1-board-tcg/plots/data/peers-alloc-2.dat', 'results/arm64-6.1-board-tcg/plots/data/peers-alloc-3.dat']
array ptitle[3] = ['alloc+free (cold)', 'alloc+free (warm)', 'mmap+touch']
array pn[3] = [2, 2, 2]
load '/work/main/scripts/plots/lines.gp'
