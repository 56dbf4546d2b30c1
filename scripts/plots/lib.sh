# lib.sh: helpers shared by plot.sh, report.sh and bench.sh (sourced, bash).
# shellcheck shell=bash

plots_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# meta_get META.JSON KEY: one value of meta.json, empty when absent.  KEY is
# a path as json.awk prints it (kernel_release, method.iterations, ...); the
# names of the brief and of cmheap-bench's own layout are both accepted
# (arch/architecture, date/date_utc, iterations/method.iterations, ...), and
# an array of scalars comes back joined with spaces.
meta_get() {
	[ -r "$1" ] || return 0
	local alts
	case $2 in
	arch) alts="arch architecture" ;;
	cache_line) alts="cache_line cache_line_size" ;;
	date) alts="date date_utc" ;;
	iterations) alts="iterations method.iterations" ;;
	warmup) alts="warmup method.warmup" ;;
	command_line) alts="command_line sweep.command_line" ;;
	*) alts=$2 ;;
	esac
	awk -f "$plots_dir/json.awk" "$1" 2>/dev/null | awk -F'\t' -v alts="$alts" '
		{ v[$1] = $2; key[NR] = $1 }
		END {
			n = split(alts, a, " ")
			for (i = 1; i <= n; i++) {
				if (a[i] in v) { print v[a[i]]; exit }
				s = ""; p = a[i] "."
				for (j = 1; j <= NR; j++)
					if (index(key[j], p) == 1 && substr(key[j], length(p) + 1) ~ /^[0-9]+$/)
						s = s (s == "" ? "" : " ") v[key[j]]
				if (s != "") { print s; exit }
			}
		}'
}

# accel_label ACCEL [CPU]: how to name where it was measured.
accel_label() {
	case $1 in
	tcg) echo "QEMU TCG (emulated)" ;;
	tcg-icount) echo "QEMU TCG -icount (emulated, deterministic)" ;;
	kvm) echo "QEMU KVM (virtualized)" ;;
	hardware) echo "hardware${2:+ ($2)}" ;;
	'') echo "unknown platform" ;;
	*) echo "$1" ;;
	esac
}

# subtitle META.JSON: "KERNEL ARCH, PLATFORM" for figure titles.
subtitle() {
	local krel arch accel
	krel=$(meta_get "$1" kernel_release)
	arch=$(meta_get "$1" arch)
	accel=$(meta_get "$1" accelerator)
	echo "${krel:-unknown kernel} ${arch:-unknown arch}, $(accel_label "$accel" "$(meta_get "$1" cpu_model)")"
}

# human_size BYTES: 4 KiB, 64 MiB, ...
human_size() {
	awk -v b="$1" 'BEGIN {
		if (b !~ /^[0-9]+$/) { print b; exit }
		if (b >= 1073741824 && b % 1073741824 == 0) print b / 1073741824 " GiB"
		else if (b >= 1048576 && b % 1048576 == 0) print b / 1048576 " MiB"
		else if (b >= 1024 && b % 1024 == 0) print b / 1024 " KiB"
		else print b " B" }'
}
