# SPDX-License-Identifier: GPL-2.0
"""python3 -m cmbench {plot,report,compare,gate,index,meta,lava,headline,boards} ..."""

import argparse
import os
import sys

from . import boards, compare, figures, gate, gnuplot, headline, index, lava, report
from .data import Meta, ResultsError, Run, subtitle


def cmd_plot(run, plots_dir, log=sys.stderr):
    """Draws every figure of run into plots_dir; writes its index.tsv."""
    os.makedirs(plots_dir, exist_ok=True)
    data_dir = os.path.join(plots_dir, "data")
    os.makedirs(data_dir, exist_ok=True)
    for d in (plots_dir, data_dir):
        for name in os.listdir(d):
            if name.endswith((".png", ".svg", ".dat", ".gp", ".panels")):
                os.unlink(os.path.join(d, name))
    figs = figures.all_figures(run)
    sub = subtitle(run.meta)
    with open(os.path.join(plots_dir, "index.tsv"), "w", encoding="utf-8") as f:
        for fig in figs:
            if fig.drawn:
                gnuplot.draw(fig, plots_dir, sub)
                f.write(f"{fig.id}\tok\t{fig.title}\t{fig.note}\n")
                print(f"plot: {plots_dir}/{fig.id}.{{png,svg}}", file=log)
            else:
                f.write(f"{fig.id}\tskipped\t{fig.title}\t{fig.skipped}\n")
                print(f"plot: skip {fig.id}: {fig.skipped}", file=log)
    print(f"plot: {sum(f.drawn for f in figs)} figure(s) in {plots_dir}", file=log)
    return figs


def main(argv=None):
    p = argparse.ArgumentParser(prog="cmbench", description=__doc__)
    sub = p.add_subparsers(dest="cmd", required=True)
    sp = sub.add_parser("plot", help="draw a results folder's figures (plots/)")
    sp.add_argument("dir", help="a results folder (results.csv, meta.json)")
    sp.add_argument("plots_dir", nargs="?", help="where the figures go (default: DIR/plots)")
    sp = sub.add_parser("report", help="draw the figures and write report.md")
    sp.add_argument("dir", help="a results folder (results.csv, meta.json); report.md goes there")
    sub.add_parser("compare", help="compare two runs (see compare --help)", add_help=False)
    sub.add_parser("gate", help="the A/B gate's verdict on one or two boots (see gate --help)",
                   add_help=False)
    sub.add_parser("lava", help="a LAVA job's verdict from its log (see lava --help)",
                   add_help=False)
    sub.add_parser("boards", help="runs of several boards or kernels side by side (see boards --help)",
                   add_help=False)
    sub.add_parser("headline", help="a run's headline points, one per line (see headline --help)",
                   add_help=False)
    sp = sub.add_parser("index", help="write an index.md of several results folders")
    sp.add_argument("out", help="the index.md to write")
    sp.add_argument("dirs", nargs="+", help="results folders, each with its report.md")
    sp = sub.add_parser("meta", help="print a meta.json value, or check it is valid")
    sp.add_argument("file", help="a meta.json")
    sp.add_argument("key", nargs="?", help="a top-level key to print (without: check the file is valid)")
    if argv is None:
        argv = sys.argv[1:]
    if argv and argv[0] == "compare":
        return compare.main(argv[1:])
    if argv and argv[0] == "gate":
        return gate.main(argv[1:])
    if argv and argv[0] == "lava":
        return lava.main(argv[1:])
    if argv and argv[0] == "boards":
        return boards.main(argv[1:])
    if argv and argv[0] == "headline":
        return headline.main(argv[1:])
    args = p.parse_args(argv)
    try:
        if args.cmd == "meta":
            m = Meta.load(args.file)
            if not os.path.exists(args.file):
                raise ResultsError(f"no {args.file}")
            if args.key:
                v = m.get(args.key)
                if v == "":
                    return 1
                print(v)
            return 0
        if args.cmd == "index":
            runs = [Run.load(d) for d in args.dirs]
            print(f"index: {index.write(runs, args.out)}", file=sys.stderr)
            return 0
        run = Run.load(args.dir)
        if not run.meta.data:
            print(f"cmbench: warning: no meta.json in {args.dir}: titles say 'unknown'",
                  file=sys.stderr)
        figs = cmd_plot(run, args.plots_dir if args.cmd == "plot" and args.plots_dir
                        else os.path.join(run.path, "plots"))
        if args.cmd == "report":
            print(f"report: {report.write(run, figs)}", file=sys.stderr)
        return 0
    except (ResultsError, gnuplot.GnuplotError) as e:
        print(f"cmbench: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
