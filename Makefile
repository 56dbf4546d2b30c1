# SPDX-License-Identifier: GPL-2.0
# cmheap: top-level entry points.  The work is done by scripts/*.sh; this
# file only names it.  Every target that builds or boots anything installs
# what is missing first (scripts/deps.sh, quick when nothing is).
#
#   make test [ARCH=x86_64|arm64] [KVER=6.1|6.12] [CONFIGS=...]   selftests in
#                       QEMU guests, every kernel mapped directly, and the
#                       analysis and gate unit tests; TESTS="pool_test
#                       datapath_test:cpu_writes_device_reads" picks tests,
#                       NO_BENCH_TEST=1 leaves the harness's tests out
#   make check          everything CI runs: lint, every DMA configuration,
#                       the bench harness in guests, the gate for both
#                       architectures, the debug kernel, the board path
#   make test ARCH=arm64 KDIR=/path/to/tree KERNEL=/path/to/Image
#   make modules        cmheap.ko and cmheap_test.ko for every target
#                       (build/<target>/)
#   make lint           W=1 + sparse builds, checkpatch, shellcheck, selftests
#   make deb [DKMS_KVERS="6.1 6.12 7.3"]   Debian packages cmheap-dkms and
#                       cmheap-tools for the host's architecture in out/deb/,
#                       lintian clean (and cmheap-dkms built against the rig's
#                       kernels of those releases)
#   make lava [ARCH=arm64]   cmheap's LAVA job for QEMU (lava/) run offline
#                       by Debian's lava-dispatcher on the board image: every
#                       selftest a LAVA test case, the bench's headline points
#                       LAVA measurements and its results folder rebuilt from
#                       the log; and LAVA's validation of the real-board job
#   make test-board [ARCH=arm64]   the README's real-hardware commands, as
#                       written, on a Debian 12 guest standing in for a board
#                       (make deb, apt install, modprobe, selftests, bench),
#                       then a kernel upgrade, a reboot and apt remove
#   make bench [ARCH=] [ICOUNT=1] [TARGET=local]   sweep, figures, report
#   make bench-check [ARCH=] [UPDATE=1]   the A/B regression gate
#   make plot RESULTS=dir   redraw a results folder's figures and report
#   make lib            libcmheap_ctl (LGPL, static and shared) and its
#                       pkg-config file, in build/lib
#   make install [PREFIX=/usr/local] [DESTDIR=]   the library, cmheap_ctl.h,
#                       cmheap_ctl.pc and the uAPI header <linux/cmheap.h>
#   make deps           install host packages (Debian, as root)
#   make clean          remove build/;  make distclean: also .cache/
#   make help           this text (also plain make)
#
# Variables for the guests (see scripts/qemu-run.sh): ACCEL=auto|kvm|tcg,
# ICOUNT=1, MEM=2G, SMP=2, TIMEOUT=900 (s per guest), APPEND="...".
# Command-line variables reach the scripts through the environment; so do
# exported ones (as for Kbuild): each run names those it uses and where
# each came from ("ARCH=arm64 (from the environment)").

SCRIPTS := scripts

# Kbuild's convention: a variable counts whether it is on the command line
# or in the environment.  Which came from the environment goes to the
# scripts, which name each one they use when they start (scripts/cli-lib.sh).
PICKS := ARCH KVER KDIR KERNEL MODDIR TARGET OUT CONFIGS TESTS ICOUNT ACCEL RESULTS
export CMHEAP_ENV_PICKS := $(strip $(foreach v,$(PICKS),$(if $(filter environment%,$(origin $(v))),$(v))))
export CMHEAP_VIA_MAKE := 1

.PHONY: all deps test check test-board lava modules lint lib install deb bench bench-check plot clean distclean help

all: help

help:
	@sed -n '1,/^$$/{/SPDX-License-Identifier/d;s/^# \{0,1\}//p}' Makefile

deps:
	$(SCRIPTS)/deps.sh

test: deps
	$(SCRIPTS)/test.sh test

check:
	bash .ci/run

test-board: deps
	$(SCRIPTS)/board.sh

lava: deps
	$(SCRIPTS)/lava.sh

modules: deps
	$(SCRIPTS)/test.sh modules

lint: deps
	$(SCRIPTS)/lint.sh

lib:
	$(MAKE) -C lib

install:
	$(MAKE) -C lib install

deb:
	$(SCRIPTS)/deb.sh

# make bench [ARCH=] [KVER=] [ICOUNT=1] [TARGET=local] [BENCH_ARGS=] [OUT=]:
# sweep, plots and report (scripts/bench.sh; no ARCH: host and arm64 plus
# index.md, scripts/bench-pair.sh); bench-check [ARCH=]: the A/B gate,
# HEAD vs bench/baseline/ACCEPTED in one -icount boot (UPDATE=1 accepts HEAD);
# plot RESULTS=dir: redraw the figures and report.md of a results folder.
# Without ARCH or TARGET, make bench measures the host's
# architecture and arm64 and writes an index of both (scripts/bench-pair.sh).
bench:
ifeq ($(origin ARCH)$(TARGET),undefined)
	$(SCRIPTS)/bench-pair.sh
else
	$(SCRIPTS)/bench.sh
endif

bench-check:
	$(SCRIPTS)/bench-check.sh

plot:
	@test -n "$(RESULTS)" || { echo "usage: make plot RESULTS=dir" >&2; exit 2; }
	PYTHONPATH=$(SCRIPTS) python3 -m cmbench report "$(RESULTS)"

clean:
	rm -rf build

distclean: clean
	rm -rf .cache
