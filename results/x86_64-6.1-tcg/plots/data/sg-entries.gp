outfile = '/work/main/results/x86_64-6.1-tcg/plots/sg-entries.svg'
termtype = 'svg'
figtitle = 'map and unmap latency vs sg entries at 10 MiB — 6.1.0-56-amd64 x86_64, QEMU TCG (emulated)'
xlabel = 'scatterlist entries (max_order sweep)'
ylabel = 'p50 latency (ns)'
logx = 1; logy = 1; xbytes = 0; ysi = 1; yone = 0
np = 1
array pfile[1] = ['/work/main/results/x86_64-6.1-tcg/plots/data/sg-entries-1.dat']
array ptitle[1] = ['coherent device']
array pn[1] = [4]
load '/work/main/scripts/plots/lines.gp'
