# series.awk: cut a cmheap-bench results.csv into gnuplot data files.
#
#   awk -F, -f series.awk -v out=PREFIX -v x=COL -v y=COL [options] results.csv
#
# Options (all -v):
#   filter  "col=v1|v2;col~regex;col!=v"   rows to keep (all must match)
#   prefer  "col=v1|v2|v3;..."  for each col, keep only the first listed value
#           present among the kept rows (none present: keep all)
#   pick    COL   keep only the value of COL with the most distinct x values
#           (ties: the largest); e.g. the size of the max_order sweep
#   ratio   "col=NUM/DEN"  y becomes y(NUM)/y(DEN) of two rows equal in every
#           other dimension (nents aside)
#   panel   "c1,c2"   columns whose values make one panel each
#   series  "c1,c2"   columns whose values make one line each
#   minpts  lines with fewer points are dropped (default 2)
#
# Writes PREFIX-N.dat (N from 1, one per panel: one block per series, each
# block's first line its quoted title, then "x y" lines sorted by x) and
# PREFIX.panels: "N<TAB>panel title<TAB>series count" lines, plus
# "#chosen<TAB>col<TAB>value" lines for pick and prefer decisions.
# Prints the number of panels written.
# Records the value(s) chosen for a column, for the .panels file.
function note_choice(c, chosen,   g, v, seenv, s) {
	s = ""
	for (g in chosen) {
		v = chosen[g]
		if (!(v in seenv)) { seenv[v] = 1; s = s (s == "" ? "" : ",") v }
	}
	if (s == "") return
	nchosen++; chosen_c[nchosen] = c; chosen_v[nchosen] = s
}
function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return s }
function isnum(v) { return v ~ /^-?[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?$/ }
function pretty(c, v) {
	if (c == "attrs") return v == "none" ? "sync" : v == "skip_cpu_sync" ? "skip-sync" : v
	if (c == "device") return v == "noncoherent" ? "non-coherent device" : v == "coherent" ? "coherent device" : v == "edu" ? "edu device" : v
	if (c == "dma") return v == "iommu" ? "through the IOMMU" : v == "bounce" ? "bounced (swiotlb)" : v
	if (c == "op") {
		if (v == "alloc_free_warm") return "alloc+free (warm)"
		if (v == "alloc_free_cold") return "alloc+free (cold)"
		if (v == "mmap_touch") return "mmap+touch"
		if (v == "map_unmap") return "map+unmap"
		if (v == "sync_dev") return "sync for device"
		if (v == "sync_cpu") return "sync for CPU"
		if (v == "dmabuf_sync") return "DMA_BUF_IOCTL_SYNC"
		if (v == "range_sync_64th") return "range sync, 1/64"
		if (v == "range_sync_8th") return "range sync, 1/8"
		if (v == "range_sync_all") return "range sync, all"
		if (v == "alloc") return "alloc alone"
		if (v == "cpu_read") return "CPU read"
		if (v == "cpu_write") return "CPU write"
		return v
	}
	if (c == "max_order") return "max_order " v
	if (c == "pool") return v == "on" ? "pools on" : v == "off" ? "pools off" : "no pools"
	if (c == "path") return v " path"
	if (c == "cache_state") return v " cache"
	return v
}
function label(cols, vals,   n, a, i, s, nv, vv) {
	n = split(cols, a, ","); nv = split(vals, vv, SUBSEP); s = ""
	for (i = 1; i <= n; i++) s = s (i > 1 ? ", " : "") pretty(a[i], vv[i + 1])
	return s
}
function keyof(cols, r,   n, a, i, k) {
	n = split(cols, a, ","); k = ""
	for (i = 1; i <= n; i++) k = k SUBSEP cell[r, a[i]]
	return k
}
function match_filter(r,   i, t, c, v, m, alts, j, ok) {
	for (i = 1; i <= nfilt; i++) {
		t = filt[i]
		if (index(t, "!=")) {
			c = trim(substr(t, 1, index(t, "!=") - 1)); v = trim(substr(t, index(t, "!=") + 2))
			if (cell[r, c] == v) return 0
		} else if (index(t, "~")) {
			c = trim(substr(t, 1, index(t, "~") - 1)); v = trim(substr(t, index(t, "~") + 1))
			if (cell[r, c] !~ v) return 0
		} else {
			c = trim(substr(t, 1, index(t, "=") - 1)); v = trim(substr(t, index(t, "=") + 1))
			m = split(v, alts, "|"); ok = 0
			for (j = 1; j <= m; j++) if (cell[r, c] == alts[j]) ok = 1
			if (!ok) return 0
		}
	}
	return 1
}
BEGIN {
	if (out == "" || x == "" || y == "") { print "series.awk: out, x and y are required" > "/dev/stderr"; exit 2 }
	if (minpts == "") minpts = 2
	nfilt = (filter == "") ? 0 : split(filter, filt, ";")
	npref = (prefer == "") ? 0 : split(prefer, prefs, ";")
	dims = "exporter,caching,device,coherent,dma,op,path,size,max_order,nents,direction,attrs,cache_state"
	ndims = split(dims, dim, ",")
}
NR == 1 { for (i = 1; i <= NF; i++) { name[i] = $i; have[$i] = 1 } nf = NF; next }
/^[ \t]*$/ { next }
{
	nr++
	for (i = 1; i <= nf; i++) cell[nr, name[i]] = $i
	keep[nr] = match_filter(nr)
}
END {
	if (nr == 0 || !have[x] || !have[y]) { print 0; exit }
	# prefer and pick decide within each line (panel + series), as not every
	# line has every value (e.g. a coherent device has only clean buffers)
	for (r = 1; r <= nr; r++) if (keep[r]) grp[r] = keyof(panel, r) SUBSEP keyof(series, r)
	# prefer: first listed value present wins
	for (p = 1; p <= npref; p++) {
		c = trim(substr(prefs[p], 1, index(prefs[p], "=") - 1))
		m = split(trim(substr(prefs[p], index(prefs[p], "=") + 1)), alts, "|")
		split("", present); split("", chosen)
		for (r = 1; r <= nr; r++) if (keep[r]) present[grp[r], cell[r, c]] = 1
		for (r = 1; r <= nr; r++) {
			if (!keep[r] || (grp[r] in chosen)) continue
			for (j = 1; j <= m; j++) if ((grp[r], alts[j]) in present) { chosen[grp[r]] = alts[j]; break }
			if (!(grp[r] in chosen)) chosen[grp[r]] = cell[r, c]
		}
		for (r = 1; r <= nr; r++) if (keep[r] && cell[r, c] != chosen[grp[r]]) keep[r] = 0
		note_choice(c, chosen)
	}
	# pick: the value of a column with the most distinct x values
	if (pick != "") {
		split("", seen); split("", cnt); split("", chosen)
		for (r = 1; r <= nr; r++) {
			if (!keep[r]) continue
			v = cell[r, pick]
			if (!((grp[r], v, cell[r, x]) in seen)) { seen[grp[r], v, cell[r, x]] = 1; cnt[grp[r], v]++ }
		}
		for (k in cnt) {
			# k is group SUBSEP value, the group key itself SUBSEP-joined
			v = parts[split(k, parts, SUBSEP)]
			g = substr(k, 1, length(k) - length(v) - length(SUBSEP))
			if (!(g in chosen) || cnt[k] > cnt[g, chosen[g]] || (cnt[k] == cnt[g, chosen[g]] && v + 0 > chosen[g] + 0)) chosen[g] = v
		}
		for (r = 1; r <= nr; r++) if (keep[r] && cell[r, pick] != chosen[grp[r]]) keep[r] = 0
		note_choice(pick, chosen)
	}
	# ratio: y(NUM)/y(DEN) of rows equal in every other dimension
	if (ratio != "") {
		rc = trim(substr(ratio, 1, index(ratio, "=") - 1))
		split(trim(substr(ratio, index(ratio, "=") + 1)), nd, "/")
		rkey = ""
		for (i = 1; i <= ndims; i++) if (dim[i] != rc && dim[i] != "nents") rkey = rkey (rkey == "" ? "" : ",") dim[i]
		for (r = 1; r <= nr; r++)
			if (keep[r] && cell[r, rc] == nd[2] && isnum(cell[r, y])) den[keyof(rkey, r)] = cell[r, y]
		for (r = 1; r <= nr; r++) {
			if (!keep[r]) continue
			if (cell[r, rc] != nd[1]) { keep[r] = 0; continue }
			k = keyof(rkey, r)
			if (!(k in den) || !isnum(cell[r, y]) || den[k] + 0 <= 0) { keep[r] = 0; continue }
			yv[r] = cell[r, y] / den[k]
		}
	} else {
		for (r = 1; r <= nr; r++) {
			if (keep[r] && isnum(cell[r, y])) yv[r] = cell[r, y] + 0
			else keep[r] = 0
		}
	}
	for (r = 1; r <= nr; r++) if (keep[r] && !isnum(cell[r, x])) keep[r] = 0
	# group into panels and series
	np = 0
	for (r = 1; r <= nr; r++) {
		if (!keep[r]) continue
		pk = keyof(panel, r); sk = keyof(series, r)
		if (!(pk in pidx)) { pidx[pk] = ++np; pkey[np] = pk }
		if (!((pk, sk) in npts)) { ns[pk]++; skey[pk, ns[pk]] = sk }
		n = ++npts[pk, sk]
		px[pk, sk, n] = cell[r, x] + 0; py[pk, sk, n] = yv[r]
	}
	# panels in a stable order: sorted by their key
	for (i = 2; i <= np; i++) {
		t = pkey[i]
		for (j = i - 1; j >= 1 && pkey[j] > t; j--) pkey[j + 1] = pkey[j]
		pkey[j + 1] = t
	}
	meta = out ".panels"
	printf "" > meta
	for (i = 1; i <= nchosen; i++) printf "#chosen\t%s\t%s\n", chosen_c[i], chosen_v[i] > meta
	written = 0
	for (p = 1; p <= np; p++) {
		pk = pkey[p]
		# series sorted by key
		m = ns[pk]
		for (i = 1; i <= m; i++) sl[i] = skey[pk, i]
		for (i = 2; i <= m; i++) {
			t = sl[i]
			for (j = i - 1; j >= 1 && sl[j] > t; j--) sl[j + 1] = sl[j]
			sl[j + 1] = t
		}
		nw = 0
		for (i = 1; i <= m; i++) if (npts[pk, sl[i]] >= minpts) nw++
		if (nw == 0) continue
		written++
		f = out "-" written ".dat"
		printf "" > f
		blk = 0
		for (i = 1; i <= m; i++) {
			sk = sl[i]; n = npts[pk, sk]
			if (n < minpts) continue
			# sort points by x
			for (a = 1; a <= n; a++) { sx[a] = px[pk, sk, a]; sy[a] = py[pk, sk, a] }
			for (a = 2; a <= n; a++) {
				tx = sx[a]; ty = sy[a]
				for (b = a - 1; b >= 1 && sx[b] > tx; b--) { sx[b + 1] = sx[b]; sy[b + 1] = sy[b] }
				sx[b + 1] = tx; sy[b + 1] = ty
			}
			if (blk++) printf "\n\n" > f
			printf "\"%s\"\n", (series == "" ? "all" : label(series, sk)) > f
			for (a = 1; a <= n; a++) printf "%.10g %.10g\n", sx[a], sy[a] > f
		}
		close(f)
		printf "%d\t%s\t%d\n", written, (panel == "" ? "" : label(panel, pk)), nw > meta
	}
	close(meta)
	print written
}
