# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
# ktap-lib.sh: the counts make test reports, from the KTAP and TAP its
# runs print; sourced by scripts/test.sh, tested by
# scripts/test-ktap-lib.sh.
#
#   count_ktap FILE   a guest's selftests (run.sh's or kselftest's runner)
#   count_tap LOG RC  a host-side script's TAP

# Count the tests of one KTAP file as run.sh prints it: one top-level result
# per binary, the binary's own results nested two spaces deeper (or behind
# "# ", as kselftest's runner nests them).  Prints
# "pass fail skip notes", the notes naming each failing test as
# BINARY:TEST.  A binary that failed without a failing test (crash,
# timeout), ran fewer tests than it planned, or printed none counts as one
# failure; so does a binary that never got its top-level result line, and
# one that never started although the top-level plan announced it.
count_ktap() {
	awk '
	function flush() {
		if (!open) return
		if (!top) { f++; note = note " " name ":no-result" }
		else if (res < plan || (top == "fail" && nf == 0) || (res == 0 && top != "skip")) {
			f++; note = note " " name ":" (top == "fail" ? "failed" : "incomplete")
		} else if (res == 0 && top == "skip") s++
		open = 0
	}
	NR <= 3 && /^1\.\.[0-9]+/ { sub(/^1\.\./, ""); nbins = $1 + 0; next }
	/^# selftests: / { flush(); open = 1; seen++; name = $NF; top = ""; res = 0; nf = 0; plan = 0
		ksft = ($0 ~ /^# selftests: [^ ]+: /); next }
	# the kselftest runner nests the KTAP of a binary in "# " lines
	open && ksft && /^# ((not )?ok [0-9]|1\.\.[0-9])/ { sub(/^# /, "  ") }
	/^  1\.\.[0-9]+/ { sub(/^  1\.\./, ""); plan = $1 + 0; next }
	/^  (not )?ok [0-9]+/ {
		res++
		if ($0 ~ /^  not ok/) {
			# name the failing test, so a summary read alone says which
			f++; nf++; t = $0
			sub(/^  not ok [0-9]+ /, "", t); sub(/ *#.*$/, "", t)
			sub(/^[^. ]*\./, "", t); gsub(/ /, "_", t)
			note = note " " name ":" t
		}
		else if ($0 ~ /# *[Ss][Kk][Ii][Pp]/) s++
		else p++
		next
	}
	/^(not )?ok [0-9]+/ {
		if (!open) next
		top = ($0 ~ /^not ok/) ? "fail" : ($0 ~ /# *SKIP/) ? "skip" : "pass"
		flush(); next
	}
	END {
		flush()
		if (seen < nbins) { f += nbins - seen; note = note " " (nbins - seen) "-binaries-never-ran" }
		printf "%d %d %d%s\n", p, f, s, note
	}
	' "$1"
}

# count_tap LOG RC: "passed failed skipped" of a TAP log's top-level lines;
# a script that failed without a failing line counts as one failure.
count_tap() {
	local p f s
	p=$(grep -c '^ok ' "$1" || true)
	f=$(grep -c '^not ok ' "$1" || true)
	s=$(grep -c '^ok .*# SKIP' "$1" || true)
	if [ "$2" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	echo "$((p - s)) $f $s"
}
