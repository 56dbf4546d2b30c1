# SPDX-License-Identifier: GPL-2.0
"""lava: a job's verdict from hand-made dispatcher logs whose answers are known."""

import io
import json
import os
import tempfile
import unittest

from cmbench import lava


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


def judge(lines, *args):
    out, err = io.StringIO(), io.StringIO()
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "lava.log")
        with open(path, "w", encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        extra = [a.replace("@", d + "/") for a in args]
        rc = lava.main([path, *extra], out=out, err=err)
        files = {n: open(os.path.join(d, n), encoding="utf-8").read()
                 for n in os.listdir(d) if n != "lava.log"}
    return rc, out.getvalue() + err.getvalue(), files


class Lava(unittest.TestCase):
    def test_every_case_passed_or_skipped_passes(self):
        rc, out, _ = judge(passing(("caching_test.a", "pass"), ("caching_test.b", "skip"),
                                   ("caching_test", "pass")))
        self.assertEqual(rc, 0, out)
        self.assertIn("lava: 0_cmheap-selftests: 2 pass, 1 skip", out)
        self.assertIn("lava: PASS", out)

    def test_a_failed_case_fails(self):
        rc, out, _ = judge(passing(("caching_test.a", "fail"), ("caching_test", "fail")))
        self.assertEqual(rc, 1, out)
        self.assertIn("lava: FAIL: 0_cmheap-selftests: caching_test.a: fail", out)

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
