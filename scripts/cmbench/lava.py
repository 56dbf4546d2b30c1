# SPDX-License-Identifier: GPL-2.0
"""lava: what a LAVA job of cmheap's found, from the dispatcher's log alone.

  python3 -m cmbench lava LOG [--results TSV] [--ktap FILE] [--rebuild DIR]

LOG is lava-run's output (or a LAVA server's job log): one record per line,
{"dt": ..., "lvl": ..., "msg": ...}, in YAML's flow style (a record's
values may carry YAML's "!" tag, which this reads past).  Records of level
"results" are LAVA's test cases: those of definition "lava" are the
dispatcher's own (the job, its deployment, boot, each test definition as a
whole), the others are a test definition's lava-test-case results; records
of level "target" are the device's serial console.

The job passes when LAVA finished it ("job" passed), every test definition
ran to its end, every test case of a definition passed or was skipped, and
the selftests (definition *cmheap-selftests) reported at least one case.
Where the bench ran (definition *cmheap-bench), its results folder must be
in the console, each file between "<<<CMHEAP-FILE NAME SHA256>>>" and
"<<<CMHEAP-FILE-END NAME>>>" with the checksum it had on the board, and
every headline point of that folder (cmbench headline) must be one of the
definition's measurements, with the same value and units.

--results writes every test case as a line "definition TAB case TAB result
TAB measurement TAB units"; --ktap writes the selftests' KTAP as the
console showed it (from "KTAP version 1" to the first LAVA signal after
it, kernel messages left out); --rebuild writes the bench's results folder
(results.csv, meta.json) into DIR, for cmbench report.

The last line printed is "N passed, M failed, K skipped": the definitions'
test cases that passed and were skipped, and every problem above as a
failure.

Exit status: 0 pass, 1 fail, 2 usage or unreadable log.
"""

import argparse
import hashlib
import json
import os
import re
import sys
import tempfile

from . import headline
from .data import ResultsError, Run

# YAML's non-specific tag before a quoted scalar: ', "endtc": ! "617"'
TAG = re.compile(r'(?<=[:\[,] )! (?=")')
KERNEL_MESSAGE = re.compile(r"^\[\s*\d+\.\d+\]")
SELFTESTS = "cmheap-selftests"
BENCH = "cmheap-bench"
FILE_START = re.compile(r"^<<<CMHEAP-FILE (?P<name>[A-Za-z0-9._-]+) (?P<sha>[0-9a-f]{64})>>>$")
FILE_END = "<<<CMHEAP-FILE-END {}>>>"
# LAVA's name of a test definition it ran: its index, "_", its name
DEFINITION = re.compile(r"^\d+_")


class LogError(Exception):
    pass


def unescape(line):
    """A console line as the device printed it.  LAVA's ShellLogger
    (lava_dispatcher/shell.py) puts a backslash before every double quote
    "for YAML syntax" and nothing else of the kind, so taking one backslash
    from before every double quote, left to right, undoes it exactly.  (It
    also drops carriage returns, escape characters and some blank lines,
    which no file cmheap prints holds: the checksums would say so.)"""
    return line.replace('\\"', '"')


def records(lines):
    """The log's records, as dicts, in order."""
    out = []
    for n, line in enumerate(lines, 1):
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            out.append(json.loads(TAG.sub("", line)))
        except ValueError as e:
            raise LogError(f"line {n}: not a LAVA log record ({e})") from None
    return out


class Job:
    """A job's test cases and console, read from its log records."""

    def __init__(self, recs):
        self.cases = []         # (definition, case, result, measurement, units)
        self.console = []
        for r in recs:
            msg = r.get("msg")
            if r.get("lvl") == "results" and isinstance(msg, dict):
                self.cases.append((str(msg.get("definition", "")), str(msg.get("case", "")),
                                   str(msg.get("result", "")), msg.get("measurement"),
                                   msg.get("units")))
            elif r.get("lvl") == "target" and isinstance(msg, str):
                self.console.append(unescape(msg))

    def lava_case(self, name):
        """The result of one of the dispatcher's own cases, or None."""
        for d, c, res, _, _ in self.cases:
            if d == "lava" and c == name:
                return res
        return None

    def definitions(self):
        """The test definitions run, as LAVA names them (0_name, 1_name...):
        those that reported a case, and those LAVA ran (its own case of
        that name) whether or not they reported any."""
        return sorted({d for d, _, _, _, _ in self.cases if d != "lava"} |
                      {c for d, c, _, _, _ in self.cases if d == "lava" and DEFINITION.match(c)})

    def of(self, definition):
        return [(c, res, m, u) for d, c, res, m, u in self.cases if d == definition]

    def problems(self):
        """What makes the job fail, in words; empty when it passed."""
        out = []
        if self.lava_case("job") != "pass":
            out.append(f"LAVA's job result is {self.lava_case('job') or 'missing'}")
        for d in self.definitions():
            if self.lava_case(d) != "pass":
                out.append(f"{d} did not run to its end ({self.lava_case(d) or 'no result'})")
            for c, res, _, _ in self.of(d):
                if res not in ("pass", "skip"):
                    out.append(f"{d}: {c}: {res}")
        selftests = [d for d in self.definitions() if d.endswith(SELFTESTS)]
        if not selftests:
            out.append(f"no {SELFTESTS} definition ran")
        elif not any(self.of(d) for d in selftests):
            out.append(f"{SELFTESTS} reported no test case")
        return out

    def files(self):
        """The files the console printed between markers: ({name: text},
        [problems]).  A file whose checksum differs from the board's, or
        whose end marker never came, is a problem, not a file."""
        files, problems, current = {}, [], None
        for line in self.console:
            m = FILE_START.match(line)
            if m:
                if current:
                    problems.append(f"{current[0]}: no end marker before the next file")
                current = (m["name"], m["sha"], [])
            elif current and line == FILE_END.format(current[0]):
                name, sha, lines = current
                text = "".join(ln + "\n" for ln in lines)
                # the board ends a file without a last newline with one
                # of its own, for the end marker's sake
                same = [t for t in (text, text[:-1])
                        if hashlib.sha256(t.encode("utf-8")).hexdigest() == sha]
                if same:
                    files[name] = same[0]
                else:
                    got = hashlib.sha256(text.encode("utf-8")).hexdigest()
                    problems.append(f"{name}: the console's copy is not the board's "
                                    f"(sha256 {got[:12]}…, the board's {sha[:12]}…)")
                current = None
            elif current and not KERNEL_MESSAGE.match(line):
                current[2].append(line)
        if current:
            problems.append(f"{current[0]}: no end marker")
        return files, problems

    def bench_problems(self, folder):
        """What is wrong with the bench's part of the job, its results
        folder rebuilt into folder (which must exist)."""
        benches = [d for d in self.definitions() if d.endswith(BENCH)]
        if not benches:
            return []
        files, out = self.files()
        for name, text in files.items():
            with open(os.path.join(folder, name), "w", encoding="utf-8") as f:
                f.write(text)
        missing = [n for n in ("results.csv", "meta.json") if n not in files]
        if missing:
            return out + [f"{BENCH}: no {' and no '.join(missing)} in the log"]
        try:
            points = headline.points(Run.load(folder))
        except ResultsError as e:
            return out + [f"{BENCH}: the rebuilt results folder: {e}"]
        if not points:
            out.append(f"{BENCH}: the results have no headline point")
        measured = {}
        for d in benches:
            for c, res, m, u in self.of(d):
                if m is not None:
                    measured[c] = (m, u)
        for name, value, units in points:
            if name not in measured:
                out.append(f"{BENCH}: measurement missing: {name}")
                continue
            m, u = measured[name]
            try:
                same = float(m) == value
            except (TypeError, ValueError):
                same = False
            if not same or u != units:
                out.append(f"{BENCH}: {name}: LAVA recorded {m} {u}, the results say "
                           f"{headline.fmt_value(value)} {units}")
        return out

    def ktap(self):
        """The selftests' KTAP as the console showed it."""
        out, inside = [], False
        for line in self.console:
            if line.startswith("KTAP version 1"):
                out, inside = [], True
            elif inside and line.startswith("<LAVA_SIGNAL"):
                break
            if inside and not KERNEL_MESSAGE.match(line):
                out.append(line)
        return out


def summary(job):
    parts = []
    for d in job.definitions():
        counts = {}
        for _, res, _, _ in job.of(d):
            counts[res] = counts.get(res, 0) + 1
        parts.append(f"{d}: " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())))
    return "; ".join(parts) or "no test definition ran"


def main(argv=None, out=sys.stdout, err=sys.stderr):
    p = argparse.ArgumentParser(prog="cmbench lava", description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter,
                                epilog="Exit status: 0 pass, 1 fail, 2 usage or unreadable log.")
    p.add_argument("log", help="lava-run's output: one record per line")
    p.add_argument("--results", metavar="TSV", help="write every test case here")
    p.add_argument("--ktap", metavar="FILE", help="write the selftests' KTAP here")
    p.add_argument("--rebuild", metavar="DIR",
                   help="write the bench's results folder here (results.csv, meta.json)")
    try:
        args = p.parse_args(argv)
    except SystemExit as e:
        return 2 if e.code else 0
    try:
        with open(args.log, encoding="utf-8", errors="replace") as f:
            job = Job(records(f))
    except (OSError, LogError) as e:
        print(f"lava: {args.log}: {e}", file=err)
        return 2
    if args.results:
        with open(args.results, "w", encoding="utf-8") as f:
            for d, c, res, m, u in job.cases:
                f.write(f"{d}\t{c}\t{res}\t{'' if m is None else m}\t{u or ''}\n")
    if args.ktap:
        with open(args.ktap, "w", encoding="utf-8") as f:
            f.writelines(line + "\n" for line in job.ktap())
    problems = job.problems()
    if args.rebuild:
        os.makedirs(args.rebuild, exist_ok=True)
        problems += job.bench_problems(args.rebuild)
    else:
        with tempfile.TemporaryDirectory() as d:
            problems += job.bench_problems(d)
    print(f"lava: {summary(job)}", file=out)
    for pr in problems:
        print(f"lava: FAIL: {pr}", file=out)
    if not problems:
        print("lava: PASS", file=out)
    # the closing count CI adds up: the definitions' cases, each problem a failure
    results = [res for d in job.definitions() for _, res, _, _ in job.of(d)]
    print(f"{results.count('pass')} passed, {len(problems)} failed, "
          f"{results.count('skip')} skipped", file=out)
    return 1 if problems else 0
