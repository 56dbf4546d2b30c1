outfile = '/work/main/results/arm64-6.12-icount-carveout/plots/peers-alloc.svg'
termtype = 'svg'
figtitle = 'alloc+free and mmap+touch vs the peers — 6.12.117+deb12-arm64 aarch64, QEMU TCG -icount (emulated, deterministic)'
xlabel = 'buffer size (bytes)'
ylabel = 'p50 latency (ns)'
logx = 1; logy = 1; xbytes = 1; ysi = 1; yone = 0
np = 2
array pfile[2] = ['/work/main/results/arm64-6.12-icount-carveout/plots/data/peers-alloc-1.dat', '/work/main/results/arm64-6.12-icount-carveout/plots/data/peers-alloc-2.dat']
array ptitle[2] = ['alloc+free (warm)', 'mmap+touch']
array pn[2] = [4, 4]
load '/work/main/scripts/plots/lines.gp'
