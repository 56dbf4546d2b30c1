outfile = '/work/main/results/x86_64-6.1-tcg/plots/range-sync.svg'
termtype = 'svg'
figtitle = 'CPU-access sync of part of a buffer (CMHEAP_HEAP_IOC_SYNC_RANGE) vs DMA_BUF_IOCTL_SYNC — 6.1.0-56-amd64 x86_64, QEMU TCG (emulated)'
xlabel = 'buffer size (bytes)'
ylabel = 'p50 START + END (ns)'
logx = 1; logy = 1; xbytes = 1; ysi = 1; yone = 0
np = 2
array pfile[2] = ['/work/main/results/x86_64-6.1-tcg/plots/data/range-sync-1.dat', '/work/main/results/x86_64-6.1-tcg/plots/data/range-sync-2.dat']
array ptitle[2] = ['coherent device, cached', 'coherent device, uncached']
array pn[2] = [4, 4]
load '/work/main/scripts/plots/lines.gp'
