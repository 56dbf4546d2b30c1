outfile = '/work/main/results/x86_64-6.1-tcg/plots/sync-latency.svg'
termtype = 'svg'
figtitle = 'CPU/device sync latency vs size — 6.1.0-56-amd64 x86_64, QEMU TCG (emulated)'
xlabel = 'buffer size (bytes)'
ylabel = 'p50 latency (ns)'
logx = 1; logy = 1; xbytes = 1; ysi = 1; yone = 0
np = 3
array pfile[3] = ['/work/main/results/x86_64-6.1-tcg/plots/data/sync-latency-1.dat', '/work/main/results/x86_64-6.1-tcg/plots/data/sync-latency-2.dat', '/work/main/results/x86_64-6.1-tcg/plots/data/sync-latency-3.dat']
array ptitle[3] = ['DMA_BUF_IOCTL_SYNC', 'sync for CPU', 'sync for device']
array pn[3] = [4, 3, 3]
load '/work/main/scripts/plots/lines.gp'
