# cmheap: top-level entry points.  The work is done by scripts/*.sh; this
# file only names it.  Every target that builds or boots anything installs
# what is missing first (scripts/deps.sh, quick when nothing is).
#
#   make test [ARCH=x86_64|arm64] [KVER=6.1|6.12]   selftests in QEMU guests
#   make test ARCH=arm64 KDIR=/path/to/tree KERNEL=/path/to/Image
#   make modules        cmheap.ko for every target (build/<target>/cmheap.ko)
#   make lint           W=1 + sparse builds, checkpatch, shellcheck, selftests
#   make deps           install host packages (Debian, as root)
#   make clean          remove build/;  make distclean: also .cache/
#
# Variables for the guests (see scripts/qemu-run.sh): ACCEL=auto|kvm|tcg,
# ICOUNT=1, MEM=2G, SMP=2, TIMEOUT=900 (s per guest), APPEND="...".
# Command-line variables reach the scripts through the environment.

SCRIPTS := scripts

.PHONY: all deps test modules lint bench clean distclean help

all: help

help:
	@sed -n '1,/^$$/{s/^# \{0,1\}//p}' Makefile

deps:
	$(SCRIPTS)/deps.sh

test: deps
	$(SCRIPTS)/test.sh test

modules: deps
	$(SCRIPTS)/test.sh modules

lint: deps
	$(SCRIPTS)/lint.sh

bench:
	@echo "make bench: not yet: the benchmark lands with the bench issue"

clean:
	rm -rf build

distclean: clean
	rm -rf .cache
