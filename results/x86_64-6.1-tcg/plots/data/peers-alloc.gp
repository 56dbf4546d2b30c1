outfile = '/work/main/results/x86_64-6.1-tcg/plots/peers-alloc.svg'
termtype = 'svg'
figtitle = 'alloc+free and mmap+touch vs the peers (page pools off) — 6.1.0-56-amd64 x86_64, QEMU TCG (emulated)'
xlabel = 'buffer size (bytes)'
ylabel = 'p50 latency (ns)'
logx = 1; logy = 1; xbytes = 1; ysi = 1; yone = 0
np = 3
array pfile[3] = ['/work/main/results/x86_64-6.1-tcg/plots/data/peers-alloc-1.dat', '/work/main/results/x86_64-6.1-tcg/plots/data/peers-alloc-2.dat', '/work/main/results/x86_64-6.1-tcg/plots/data/peers-alloc-3.dat']
array ptitle[3] = ['alloc+free (cold)', 'alloc+free (warm)', 'mmap+touch']
array pn[3] = [4, 4, 4]
load '/work/main/scripts/plots/lines.gp'
