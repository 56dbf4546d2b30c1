# lib.sh: helpers shared by plot.sh, report.sh and bench.sh (sourced, bash).
# shellcheck shell=bash

plots_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# meta_get META.JSON PATH: one value of meta.json, empty when absent.
meta_get() {
	[ -r "$1" ] || return 0
	awk -f "$plots_dir/json.awk" -v get="$2" "$1" 2>/dev/null || true
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
