# SPDX-License-Identifier: GPL-2.0
"""python3 -m cmbench.tests: the analysis layer's unit tests, one TAP line
each ("ok - module.Class.test" / "not ok - ..."), then the failures' reports.
Run from scripts/ (or with scripts/ on PYTHONPATH); exit status 1 if any
test failed."""

import os
import sys
import unittest


class TapResult(unittest.TextTestResult):
    def addSuccess(self, test):
        super().addSuccess(test)
        print(f"ok - {test.id()}", flush=True)

    def addFailure(self, test, err):
        super().addFailure(test, err)
        print(f"not ok - {test.id()}", flush=True)

    def addError(self, test, err):
        super().addError(test, err)
        print(f"not ok - {test.id()}", flush=True)

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        print(f"ok - {test.id()} # SKIP {reason}", flush=True)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    top = os.path.dirname(os.path.dirname(here))
    suite = unittest.defaultTestLoader.discover(here, top_level_dir=top)
    runner = unittest.TextTestRunner(stream=sys.stderr, resultclass=TapResult, verbosity=0)
    result = runner.run(suite)
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main())
