# SPDX-License-Identifier: GPL-2.0
"""lava: a job's verdict from hand-made dispatcher logs whose answers are known."""

import hashlib
import io
import json
import os
import tempfile
import unittest

from cmbench import headline, lava

from .fixtures import MiB, RunDir, meta, row


def rec(lvl, msg):
    return json.dumps({"dt": "2026-12-05T09:00:00", "lvl": lvl, "msg": msg})


def case(definition, name, result, **extra):
    return rec("results", dict(definition=definition, case=name, result=result, **extra))


def passing(*cases, console=()):
    """A job that ran the selftests definition (as 0_cmheap-selftests) to
    its end with cases (name, result) and the console lines given."""
    lines = [rec("info", "start"), case("lava", "validate", "pass")]
    lines += [rec("target", c) for c in console]
    lines += [case("0_cmheap-selftests", n, r) for n, r in cases]
    lines += [case("lava", "0_cmheap-selftests", "pass"), case("lava", "job", "pass")]
    return lines


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def judge(lines, *args):
    out, err = io.StringIO(), io.StringIO()
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "lava.log")
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        extra = [a.replace("@", d + "/") for a in args]
        rc = lava.main([path, *extra], out=out, err=err)
        files = {os.path.relpath(os.path.join(top, n), d): read(os.path.join(top, n))
                 for top, _, names in os.walk(d) for n in names if n != "lava.log"}
    return rc, out.getvalue() + err.getvalue(), files


class Lava(unittest.TestCase):
    def test_every_case_passed_or_skipped_passes(self):
        rc, out, _ = judge(passing(("caching_test.a", "pass"), ("caching_test.b", "skip"),
                                   ("caching_test", "pass")))
        self.assertEqual(rc, 0, out)
        self.assertIn("lava: 0_cmheap-selftests: 2 pass, 1 skip", out)
        self.assertIn("lava: PASS", out)
        self.assertEqual(out.splitlines()[-1], "2 passed, 0 failed, 1 skipped")

    def test_a_failed_case_fails(self):
        rc, out, _ = judge(passing(("caching_test.a", "fail"), ("caching_test", "fail")))
        self.assertEqual(rc, 1, out)
        self.assertIn("lava: FAIL: 0_cmheap-selftests: caching_test.a: fail", out)
        self.assertEqual(out.splitlines()[-1], "0 passed, 2 failed, 0 skipped")

    def test_the_job_and_each_definition_must_finish(self):
        lines = passing(("a", "pass"))
        rc, out, _ = judge([ln.replace('"case": "job", "result": "pass"',
                                       '"case": "job", "result": "fail"') for ln in lines])
        self.assertEqual(rc, 1, out)
        self.assertIn("LAVA's job result is fail", out)
        rc, out, _ = judge([ln for ln in lines if '"case": "0_cmheap-selftests"' not in ln])
        self.assertEqual(rc, 1, out)
        self.assertIn("0_cmheap-selftests did not run to its end (no result)", out)

    def test_no_selftests_fails(self):
        rc, out, _ = judge(passing())
        self.assertEqual(rc, 1, out)
        self.assertIn("cmheap-selftests reported no test case", out)
        rc, out, _ = judge([case("0_smoke", "uname", "pass"), case("lava", "0_smoke", "pass"),
                            case("lava", "job", "pass")])
        self.assertEqual(rc, 1, out)
        self.assertIn("no cmheap-selftests definition ran", out)

    def test_yaml_tags_are_read_past(self):
        # lava-run writes a test case's timestamps with YAML's "!" tag
        line = ('{"dt": "x", "lvl": "results", "msg": {"case": "a", "definition": '
                '"0_cmheap-selftests", "endtc": ! "617", "result": "pass", "starttc": ! "614"}}')
        lines = passing()
        lines.insert(2, line)
        rc, out, _ = judge(lines)
        self.assertEqual(rc, 0, out)

    def test_results_and_ktap_written(self):
        console = ["+ sh cmheap-lava.sh selftests", "KTAP version 1", "1..1",
                   "[   12.345678] cmheap: loaded", "  ok 1 x", "ok 1 a_test",
                   "<LAVA_SIGNAL_STARTTC a_test.x>", "KTAP version 1 (not this)"]
        rc, out, files = judge(passing(("a_test.x", "pass"), ("a_test", "pass"), console=console),
                               "--results", "@r.tsv", "--ktap", "@k.txt")
        self.assertEqual(rc, 0, out)
        self.assertEqual(files["k.txt"], "KTAP version 1\n1..1\n  ok 1 x\nok 1 a_test\n")
        self.assertIn("0_cmheap-selftests\ta_test.x\tpass\t\t\n", files["r.tsv"])
        self.assertIn("lava\tjob\tpass\t\t\n", files["r.tsv"])

    def test_bad_input(self):
        rc, out, _ = judge(["{not json"])
        self.assertEqual(rc, 2, out)
        self.assertIn("line 1: not a LAVA log record", out)
        err = io.StringIO()
        self.assertEqual(lava.main(["/nonexistent"], out=err, err=err), 2)
        self.assertEqual(lava.main([], out=err, err=err), 2)


def bench_files():
    """A bench run's results.csv and meta.json as text, and its headline."""
    with RunDir([row(size=MiB, p50_ns=1000), row(size=4 * MiB, p50_ns=4000),
                 row(size=4 * MiB, p50_ns=400, attrs="skip_cpu_sync")],
                meta(accel="tcg", label='a "quoted" label, a back\\slash\\')) as d:
        files = {n: read(os.path.join(d, n)) for n in ("results.csv", "meta.json")}
        points = headline.points(headline.Run.load(d))
    return files, points


def printed(name, text, sha=None):
    """The console lines of cmheap-lava.sh's print_file."""
    sha = sha or hashlib.sha256(text.encode()).hexdigest()
    return [f"<<<CMHEAP-FILE {name} {sha}>>>", *text.splitlines(),
            f"<<<CMHEAP-FILE-END {name}>>>"]


def as_lava_logs(line):
    """A console line as LAVA's ShellLogger records it: a backslash before
    every double quote."""
    return line.replace('"', '\\"')


def with_bench(console, points):
    """A passing selftests job followed by a bench definition (1_cmheap-bench)
    that printed console and measured points (name, value, units)."""
    lines = passing(("a_test", "pass"))[:-1]
    lines += [rec("target", as_lava_logs(c)) for c in console]
    lines += [case("1_cmheap-bench", "bench-run", "pass")]
    lines += [case("1_cmheap-bench", n, "pass", measurement=f"{v:.10f}", units=u)
              for n, v, u in points]
    return lines + [case("lava", "1_cmheap-bench", "pass"), case("lava", "job", "pass")]


class LavaBench(unittest.TestCase):
    def setUp(self):
        self.files, self.points = bench_files()
        self.console = (printed("results.csv", self.files["results.csv"]) +
                        printed("meta.json", self.files["meta.json"]))

    def test_results_folder_rebuilt_and_every_point_measured(self):
        # a kernel message on the console between two lines of a file is not
        # the file's
        console = self.console[:3] + ["[  99.000001] cmheap: a message"] + self.console[3:]
        rc, out, files = judge(with_bench(console, self.points), "--rebuild", "@bench")
        self.assertEqual(rc, 0, out)
        self.assertEqual(len(self.points), 2)
        for name, text in self.files.items():
            self.assertEqual(files[os.path.join("bench", name)], text, name)

    def test_a_missing_or_different_measurement_fails(self):
        rc, out, _ = judge(with_bench(self.console, self.points[1:]))
        self.assertEqual(rc, 1, out)
        self.assertIn(f"cmheap-bench: measurement missing: {self.points[0][0]}", out)
        n, v, _ = self.points[0]
        rc, out, _ = judge(with_bench(self.console, [(n, v + 1, "ns")] + self.points[1:]))
        self.assertEqual(rc, 1, out)
        self.assertIn(f"{n}: LAVA recorded {v + 1:.10f} ns, the results say {v:g} ns", out)
        rc, out, _ = judge(with_bench(self.console, [(n, v, "instructions")] + self.points[1:]))
        self.assertEqual(rc, 1, out)

    def test_a_spoiled_or_missing_file_fails(self):
        spoiled = [ln.replace("4000", "4001") for ln in self.console]
        rc, out, _ = judge(with_bench(spoiled, self.points))
        self.assertEqual(rc, 1, out)
        self.assertIn("results.csv: the console's copy is not the board's", out)
        rc, out, _ = judge(with_bench(self.console[:-1], self.points))
        self.assertEqual(rc, 1, out)
        self.assertIn("meta.json: no end marker", out)
        rc, out, _ = judge(with_bench([], self.points))
        self.assertEqual(rc, 1, out)
        self.assertIn("cmheap-bench: no results.csv and no meta.json in the log", out)

    def test_without_the_bench_nothing_is_asked_of_it(self):
        rc, out, _ = judge(passing(("a_test", "pass")), "--rebuild", "@bench")
        self.assertEqual(rc, 0, out)
