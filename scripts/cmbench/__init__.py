# SPDX-License-Identifier: GPL-2.0
"""cmbench: the analysis of cmheap-bench runs.

Figures (drawn by gnuplot), report.md, an index of several runs, and the
regression comparison behind `make bench-check`, in Python 3's standard
library.  `python3 -m cmbench --help` (with scripts/ on PYTHONPATH), or the
wrappers: scripts/compare, make plot.
"""
