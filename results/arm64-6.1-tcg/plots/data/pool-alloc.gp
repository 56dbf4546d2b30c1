outfile = '/work/main/results/arm64-6.1-tcg/plots/pool-alloc.svg'
termtype = 'svg'
figtitle = 'allocation with page pools on and off vs the upstream system heap — 6.1.0-56-arm64 aarch64, QEMU TCG (emulated)'
xlabel = 'buffer size (bytes)'
ylabel = 'p50 latency (ns)'
logx = 1; logy = 1; xbytes = 1; ysi = 1; yone = 0
np = 3
array pfile[3] = ['/work/main/results/arm64-6.1-tcg/plots/data/pool-alloc-1.dat', '/work/main/results/arm64-6.1-tcg/plots/data/pool-alloc-2.dat', '/work/main/results/arm64-6.1-tcg/plots/data/pool-alloc-3.dat']
array ptitle[3] = ['alloc alone', 'alloc+free (cold)', 'alloc+free (warm)']
array pn[3] = [4, 4, 4]
load '/work/main/scripts/plots/lines.gp'
