# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# cli-lib.sh: the command line every script of scripts/ answers the same
# way, sourced right after "set -euo pipefail", before any side effect:
#
#   -h, --help   the script's header comment (what it does, its arguments
#                and environment), exit status 0, nothing else done;
#   an unknown option, or more arguments than the script takes: one line
#                on stderr naming the script and what was wrong, exit 2.
#
#   . "$(dirname "$0")/cli-lib.sh"; cli_args MAX_ARGUMENTS "$@"
#
# A script with options of its own calls cli_help in its -h|--help case and
# cli_refuse in its unknown-option case instead.

# cli_help: print the calling script's header comment.
cli_help() {
	awk 'NR == 1 && /^#!/ { next }
	     /SPDX-License-Identifier/ { next }
	     /^#/ { sub(/^# ?/, ""); print; next }
	     { exit }' "$0"
}

# cli_refuse WHY: the one line and exit status 2 of a bad command line.
cli_refuse() {
	echo "${0##*/}: $1 (${0##*/} --help for usage)" >&2
	exit 2
}

# cli_args MAX "$@": --help, or refuse options and more than MAX arguments.
cli_args() {
	local max=$1 n=0 a
	shift
	for a in "$@"; do
		case $a in
		-h | --help) cli_help; exit 0 ;;
		-*) cli_refuse "unknown option '$a'" ;;
		*) n=$((n + 1)) ;;
		esac
	done
	[ "$n" -le "$max" ] || cli_refuse "takes at most $max argument(s), got $n: $*"
}

# The variables that pick what a run does (the Makefile's PICKS, less
# RESULTS, which only make plot reads).
cli_pick_vars=(ARCH KVER KDIR KERNEL MODDIR TARGET OUT CONFIGS TESTS ICOUNT ACCEL)

# cli_picks: say, once per run, which of the variables that pick
# what a run does are set, and where each came from.  Kbuild's convention
# holds (the environment counts as much as make's command line), so an
# exported ARCH=arm64 left over in a shell must be seen, not guessed:
# "test.sh: ARCH=arm64 (from the environment)".  make passes the names that
# came from its environment in CMHEAP_ENV_PICKS; a script run by hand has
# them all from the environment.  Scripts run by another say nothing.
cli_picks() {
	local v src line=''
	[ -z "${CMHEAP_PICKS_SAID:-}" ] || return 0
	export CMHEAP_PICKS_SAID=1
	for v in "${cli_pick_vars[@]}"; do
		[ -n "${!v:-}" ] || continue
		src=environment
		if [ -n "${CMHEAP_VIA_MAKE:-}" ] && [[ " ${CMHEAP_ENV_PICKS:-} " != *" $v "* ]]; then
			src="command line"
		fi
		line+=" $v=${!v} (from the $src)"
	done
	[ -z "$line" ] || echo "${0##*/}:$line" >&2
}
