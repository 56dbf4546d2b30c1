#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# lint.sh: every static check the project holds itself to; fails on any finding.
#
#   - cmheap.ko and cmheap_test.ko built for every target with W=1 and
#     sparse (C=2): any warning
#     in our files (kernel/, include/) or from modpost fails;
#   - checkpatch --strict on kernel/* and include/uapi/linux/cmheap*.h: any
#     ERROR, WARNING or CHECK fails;
#   - shellcheck on scripts/*.sh, scripts/guest/*.sh, selftests/*.sh, lava/*.sh and .ci/run; flake8 on the analysis layer
#     (scripts/cmbench, scripts/compare), scripts/spdx-check, scripts/doc-check;
#   - scripts/spdx-check: every source file's SPDX line names a licence of
#     LICENSES/; scripts/doc-check: make help lists every target, and the
#     make commands and variables the READMEs show exist;
#   - the selftests, cmheap-bench and libcmheap_ctl built for both
#     architectures (their Makefiles have -Wall -Wextra -Werror).
#
# ARCH= and KVER= narrow the kernel targets, as for test.sh.
set -euo pipefail
# shellcheck source=scripts/cli-lib.sh
. "$(dirname "$0")/cli-lib.sh"
cli_args 0 "$@"
cli_picks
export PATH=$PATH:/usr/sbin:/sbin

root=$(cd "$(dirname "$0")/.." && pwd)
build=$root/build/lint
want_arch=${ARCH:-}
want_kver=${KVER:-}
# Keep the callers' make variables away from kbuild (it reads ARCH etc.).
unset ARCH KVER KDIR CROSS_COMPILE MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
jobs=$(nproc)
failed=()

step() { echo "[lint] $*" >&2; }
fail() { failed+=("$1"); echo "[lint] FAILED: $1" >&2; }
# shellcheck source=scripts/build-lib.sh
. "$root/scripts/build-lib.sh"

src_root=$("$root/scripts/fetch-source.sh")
mkdir -p "$build"

# 1. W=1 + sparse module builds, one per target kernel: bookworm's two and
# trixie-backports' 7.3 (W=1 only: trixie's sparse, 0.6.4, cannot parse
# 7.3's headers (__typeof_unqual__), which is why its Makefile asks
# scripts/checker-valid.sh first, a script Debian's headers leave out).
for a in x86_64 arm64; do
	for k in 6.1 6.12 7.3; do
		[ -z "$want_arch" ] || [ "$want_arch" = "$a" ] || continue
		[ -z "$want_kver" ] || [ "$want_kver" = "$k" ] || continue
		t=$a-$k
		step "$t: W=1 (+ sparse) build of cmheap.ko and cmheap_test.ko..."
		dir=$("$root/scripts/fetch-kernel.sh" "$a" "$k")
		# shellcheck source=/dev/null
		KDIR=$(. "$dir/target.env" && echo "$KDIR")
		src=$build/$t/src
		out=$build/$t/module.log
		mkdir -p "$build/$t"
		checks=(C=2 CHECK=sparse)
		[ -z "$(kernel_toolchain "$KDIR")" ] || checks=()
		if ! build_module "$KDIR" "$a" "$build/$t" W=1 "${checks[@]}"; then
			fail "$t: the modules do not build ($out)"
			continue
		fi
		# Our files only: Debian's headers are not ours to fix.  Paths are
		# printed absolute or relative to the module folder, depending on
		# the kernel.
		if grep -E "^($src/)?(kernel|include|\.\./include)/[^:]*:[0-9]+(:[0-9]+)?: (warning|error)|^(\./)?(heaps|test)/[^:]*:[0-9]+(:[0-9]+)?: (warning|error)|WARNING: modpost" "$out" >"$build/$t/findings.txt"; then
			sed "s|$src/||" "$build/$t/findings.txt" >&2
			fail "$t: $(wc -l <"$build/$t/findings.txt") warnings in W=1/sparse build ($out)"
		fi
	done
done

# 2. checkpatch.
step "checkpatch --strict..."
files=()
while IFS= read -r f; do files+=("$f"); done < <(cd "$root" && find kernel -type f ! -name '*.o' ! -name '*.ko' ! -name '*.cmd' ! -name '*.mod*' ! -name '.*' ! -name '*.order' ! -name '*.symvers' | sort)
files+=(include/uapi/linux/cmheap.h include/uapi/linux/cmheap_heap.h include/uapi/linux/cmheap_test.h)
cp_out=$build/checkpatch.txt
: >"$cp_out"
for f in "${files[@]}"; do
	ignore=()
	case $f in
	# Justified exception: a trace header is written in the TRACE_EVENT
	# macro language (TP_PROTO/TP_STRUCT__entry/TP_fast_assign blocks laid
	# out as in include/trace/events/*.h), which checkpatch's C-call
	# heuristics misread as open-ended calls and misaligned arguments.
	# Only those two checks are waived, and only for trace headers.
	kernel/*_trace.h) ignore=(--ignore "PARENTHESIS_ALIGNMENT,OPEN_ENDED_LINE") ;;
	esac
	(cd "$root" && perl "$src_root/scripts/checkpatch.pl" --no-tree --strict --terse "${ignore[@]}" -f "$f") >>"$cp_out" 2>&1 || true
done
if grep -E ': (ERROR|WARNING|CHECK):' "$cp_out" >&2; then
	fail "checkpatch: $(grep -cE ': (ERROR|WARNING|CHECK):' "$cp_out") findings"
fi

# 3. shellcheck.
step "shellcheck..."
if ! (cd "$root" && shellcheck -x -P SCRIPTDIR scripts/*.sh scripts/guest/*.sh selftests/*.sh lava/*.sh .ci/run) >&2; then
	fail "shellcheck"
fi

# 3b. the analysis layer: Python 3's standard library only, flake8 clean.
step "flake8 on scripts/cmbench..."
if ! (cd "$root" && /usr/bin/python3 -m flake8 --max-line-length 110 scripts/cmbench scripts/compare \
	scripts/spdx-check scripts/doc-check) >&2; then
	fail "flake8"
fi

# 3c. every source file names its licence, one of LICENSES/.
step "spdx-check..."
if ! "$root/scripts/spdx-check" >"$build/spdx.txt" 2>&1; then
	cat "$build/spdx.txt" >&2
	fail "spdx-check: $(grep -vc '^spdx-check:' "$build/spdx.txt") files without a valid licence line"
fi

# 3d. the documented make commands and variables are the Makefile's.
step "doc-check..."
if ! "$root/scripts/doc-check" >"$build/doc.txt" 2>&1; then
	cat "$build/doc.txt" >&2
	fail "doc-check: $(grep -vc '^doc-check:' "$build/doc.txt") findings"
fi

# 4. userspace: the selftests' and the benchmark's own Makefiles enforce
# -Wall -Wextra -Werror.
ksft=$src_root/tools/testing/selftests
for a in x86_64 arm64; do
	step "selftests and cmheap-bench build for $a..."
	out=$build/selftests-$a
	if ! make -C "$root/selftests" -j"$jobs" OUTPUT="$out" CROSS_COMPILE="$(cross_for "$a")" \
		KSFT_DIR="$ksft" >"$out.log" 2>&1; then
		tail -n 30 "$out.log" >&2
		fail "selftests do not build cleanly for $a ($out.log)"
	fi
	out=$build/lib-$a
	if ! make -C "$root/lib" -j"$jobs" OUTPUT="$out" CROSS_COMPILE="$(cross_for "$a")" \
		>"$out.log" 2>&1; then
		tail -n 30 "$out.log" >&2
		fail "libcmheap_ctl does not build cleanly for $a ($out.log)"
	fi
	out=$build/bench-$a
	if ! make -C "$root/bench" -j"$jobs" OUTPUT="$out" CROSS_COMPILE="$(cross_for "$a")" \
		>"$out.log" 2>&1; then
		tail -n 30 "$out.log" >&2
		fail "cmheap-bench does not build cleanly for $a ($out.log)"
	fi
done

if [ "${#failed[@]}" -gt 0 ]; then
	echo "lint: ${#failed[@]} check(s) failed:"
	printf '  %s\n' "${failed[@]}"
	exit 1
fi
echo "lint: all checks passed"
