outfile = '/work/main/results/x86_64-6.1-tcg/plots/cpu-bandwidth.svg'
termtype = 'svg'
figtitle = 'CPU read/write bandwidth per caching model — 6.1.0-56-amd64 x86_64, QEMU TCG (emulated)'
xlabel = 'buffer size (bytes)'
ylabel = 'bandwidth (MB/s, 10^6 bytes/s)'
logx = 1; logy = 1; xbytes = 1; ysi = 0; yone = 0
np = 2
array pfile[2] = ['/work/main/results/x86_64-6.1-tcg/plots/data/cpu-bandwidth-1.dat', '/work/main/results/x86_64-6.1-tcg/plots/data/cpu-bandwidth-2.dat']
array ptitle[2] = ['CPU read', 'CPU write']
array pn[2] = [4, 4]
load '/work/main/scripts/plots/lines.gp'
